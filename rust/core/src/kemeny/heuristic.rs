//! Heuristic orders for the linear ordering problem, maximise Σ_{i before j} a[i][j] over a
//! dense k × k matrix: Borda, Copeland and KwikSort starts (Ailon, Charikar & Newman 2008),
//! each improved by insertion moves, then an iterated local search from the best.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Σ over i placed before j of a[i][j].
pub(crate) fn value(a: &[f64], k: usize, order: &[usize]) -> f64 {
    let mut v = 0.0;
    for (x, &i) in order.iter().enumerate() {
        let row = &a[i * k..(i + 1) * k];
        for &j in &order[x + 1..] {
            v += row[j];
        }
    }
    v
}

/// Moves single items to their best position until no move gains more than `eps` (or
/// `stop()`, polled between passes).
pub(crate) fn insertion(a: &[f64], k: usize, order: &mut [usize], eps: f64, stop: &dyn Fn() -> bool) {
    insertion_within(a, k, order, eps, usize::MAX, stop);
}

/// Moves `order[from]` to place `to`, the items between shifting by one: one `memmove` of
/// |from − to| entries (`remove` + `insert` shift the whole tail twice; the window moves are
/// ≤ 64 places).
fn move_to(order: &mut [usize], from: usize, to: usize) {
    let item = order[from];
    if to < from {
        order.copy_within(to..from, to + 1);
    } else {
        order.copy_within(from + 1..=to, from);
    }
    order[to] = item;
}

/// [`insertion`] with each item's moves limited to `window` positions either way: O(k ·
/// window) a pass instead of O(k²), for many items.
fn insertion_within(a: &[f64], k: usize, order: &mut [usize], eps: f64, window: usize, stop: &dyn Fn() -> bool) {
    loop {
        if stop() {
            break;
        }
        let mut improved = false;
        for from in 0..order.len() {
            let (_, to) = best_move(a, k, order, from, eps, window);
            if to != from {
                move_to(order, from, to);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

/// The best new position for the item at `from`, within `window` positions, and its gain:
/// `(gain, to)`, or `(eps, from)` when no move gains more than `eps`.
#[inline(always)]
fn best_move(a: &[f64], k: usize, order: &[usize], from: usize, eps: f64, window: usize) -> (f64, usize) {
    // The inner loops of every insertion pass (most of the heuristic's time at ≤ 200 items):
    // `order` split at `from` and the item's own row as slices (fewer bounds checks and
    // counters than `skip` + `take`), inlined into the passes; the sums run in the same
    // order as before (same results, bit for bit).
    let item = order[from];
    let row = &a[item * k..(item + 1) * k];
    let (mut best, mut best_to) = (eps, from);
    let mut gain = 0.0;
    let mut to = from;
    for &other in order[from.saturating_sub(window)..from].iter().rev() {
        to -= 1;
        gain += row[other] - a[other * k + item]; // item jumps ahead of other
        if gain > best {
            best = gain;
            best_to = to;
        }
    }
    gain = 0.0;
    let hi = from.saturating_add(window).min(order.len() - 1);
    for (to, &other) in order[from + 1..=hi].iter().enumerate() {
        gain += a[other * k + item] - row[other]; // item falls behind other
        if gain > best {
            best = gain;
            best_to = from + 1 + to;
        }
    }
    (best, best_to)
}

/// Beyond this many items the heuristic works locally (see [`best_order`]).
pub(crate) const LARGE: usize = 200;
/// How far (positions) an item moves in the local passes and kicks beyond [`LARGE`] items.
const WINDOW: usize = 64;

/// Items sorted by a score, best first (ties by index).
fn by_score(k: usize, score: impl Fn(usize) -> f64) -> Vec<usize> {
    let s: Vec<f64> = (0..k).map(score).collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| s[y].total_cmp(&s[x]).then(x.cmp(&y)));
    order
}

/// Every pair i < j of 0..k, 64 × 64 tile by tile: reading a[i][j] and a[j][i] of a dense
/// row-major k × k matrix then touches a few cache lines per tile, not a line (and, for many
/// items, a page) per pair as a column walk does.
pub(crate) fn for_pairs_tiled(k: usize, mut f: impl FnMut(usize, usize)) {
    const T: usize = 64;
    for bi in (0..k).step_by(T) {
        for bj in (bi..k).step_by(T) {
            for i in bi..(bi + T).min(k) {
                for j in bj.max(i + 1)..(bj + T).min(k) {
                    f(i, j);
                }
            }
        }
    }
}

/// Borda: Σ_j a[i][j] − a[j][i], as row sums less column sums (one row-major pass).
pub(crate) fn borda(a: &[f64], k: usize) -> Vec<usize> {
    let mut score = vec![0.0; k];
    for i in 0..k {
        for (j, &v) in a[i * k..(i + 1) * k].iter().enumerate() {
            if j != i {
                score[i] += v;
                score[j] -= v;
            }
        }
    }
    by_score(k, |i| score[i])
}

/// Copeland: a win 1, a tie ½.
pub(crate) fn copeland(a: &[f64], k: usize) -> Vec<usize> {
    let (wins, ties) = pair_wins(a, k);
    by_score(k, |i| wins[i] as f64 + 0.5 * ties[i] as f64)
}

/// Per item, the pairs it wins (a[i][j] > a[j][i]) and ties, read tile by tile.
pub(crate) fn pair_wins(a: &[f64], k: usize) -> (Vec<u32>, Vec<u32>) {
    let (mut wins, mut ties) = (vec![0u32; k], vec![0u32; k]);
    for_pairs_tiled(k, |i, j| {
        let (x, y) = (a[i * k + j], a[j * k + i]);
        if x > y {
            wins[i] += 1;
        } else if y > x {
            wins[j] += 1;
        } else {
            ties[i] += 1;
            ties[j] += 1;
        }
    });
    (wins, ties)
}

/// KwikSort: a random pivot; items preferring to precede it go left, the others right (ties
/// at random); recursively.
pub(crate) fn kwiksort(a: &[f64], k: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<usize> {
    let mut out = Vec::with_capacity(k);
    // Explicit stack of (items, emitted-already flag for a pivot placeholder).
    enum Task {
        Sort(Vec<usize>),
        Emit(usize),
    }
    let mut stack = vec![Task::Sort((0..k).collect())];
    while let Some(t) = stack.pop() {
        match t {
            Task::Emit(i) => out.push(i),
            Task::Sort(items) => {
                if items.len() <= 1 {
                    out.extend(items);
                    continue;
                }
                let p = items[rng.random_range(0..items.len())];
                let (mut left, mut right) = (Vec::new(), Vec::new());
                for &j in &items {
                    if j == p {
                        continue;
                    }
                    let (before, after) = (a[j * k + p], a[p * k + j]);
                    if before > after || (before == after && rng.random_bool(0.5)) {
                        left.push(j);
                    } else {
                        right.push(j);
                    }
                }
                stack.push(Task::Sort(right));
                stack.push(Task::Emit(p));
                stack.push(Task::Sort(left));
            }
        }
    }
    out
}

/// Iterated-local-search rounds worth spending on k items (~10⁸ operations' worth, 10 to 2000;
/// beyond [`LARGE`] items a round is O(k), not O(k²): 200 to 20,000).
pub(crate) fn kicks(k: usize) -> usize {
    if k > LARGE {
        return (1e8 / (8 * k) as f64).clamp(200.0, 20_000.0) as usize;
    }
    (2e8 / (k * k).max(1) as f64).clamp(10.0, 2000.0) as usize
}

/// The best of several improved starts, then iterated local search (random insertions as
/// kicks) for `kicks` rounds or until `stop()`.
pub(crate) fn best_order(a: &[f64], k: usize, seed: u64, kicks: usize, stop: &dyn Fn() -> bool) -> (Vec<usize>, f64) {
    if k <= 1 {
        return ((0..k).collect(), 0.0);
    }
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let eps = 1e-12 * scale.max(f64::MIN_POSITIVE) * k as f64;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5851_F42D_4C95_7F2D);
    let mut starts = vec![borda(a, k), copeland(a, k)];
    // Many items: the two score orders only, improved by moves within a window (a full pass
    // is O(k²) with column reads: ~1 s at 10,000 items), and kicks improved locally.
    let window = if k > LARGE { WINDOW } else { usize::MAX };
    for _ in 0..if k > LARGE { 0 } else { 4 } {
        starts.push(kwiksort(a, k, &mut rng));
    }
    let mut best: Option<(Vec<usize>, f64)> = None;
    for mut o in starts {
        insertion_within(a, k, &mut o, eps, window, stop);
        let v = value(a, k, &o);
        if best.as_ref().is_none_or(|b| v > b.1 + eps) {
            best = Some((o, v));
        }
    }
    let Some((order, val)) = best else { return ((0..k).collect(), value(a, k, &(0..k).collect::<Vec<_>>())) };
    if k > LARGE {
        return improve_locally(a, k, order, val, &mut rng, kicks, stop);
    }
    improve(a, k, order, val, &mut rng, kicks, stop)
}

/// Iterated local search for many items: each round moves 2–4 random items by up to
/// [`WINDOW`] positions, then re-inserts only those items at their best positions (O(k) each,
/// the value tracked by the moves' gains), kept when better. Ends with window passes over
/// every item and the value recomputed.
fn improve_locally(
    a: &[f64],
    k: usize,
    mut order: Vec<usize>,
    mut val: f64,
    rng: &mut Xoshiro256PlusPlus,
    kicks: usize,
    stop: &dyn Fn() -> bool,
) -> (Vec<usize>, f64) {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let eps = 1e-12 * scale.max(f64::MIN_POSITIVE) * k as f64;
    let mut cur = order.clone();
    let mut cur_val = val;
    let mut moved = [0usize; 4];
    for round in 0..kicks {
        if round % 64 == 0 && stop() {
            break;
        }
        let moves = 2 + rng.random_range(0..3usize);
        for m in moved.iter_mut().take(moves) {
            let from = rng.random_range(0..k);
            let to = (from + rng.random_range(0..=2 * WINDOW)).saturating_sub(WINDOW).min(k - 1);
            cur_val += move_gain(a, k, &cur, from, to);
            move_to(&mut cur, from, to);
            *m = cur[to];
        }
        for _ in 0..4 {
            let mut gained = false;
            for &it in &moved[..moves] {
                let Some(from) = cur.iter().position(|&x| x == it) else { continue };
                let (g, to) = best_move(a, k, &cur, from, eps, 2 * WINDOW);
                if to != from {
                    cur_val += g;
                    move_to(&mut cur, from, to);
                    gained = true;
                }
            }
            if !gained {
                break;
            }
        }
        if cur_val > val + eps {
            val = cur_val;
            order.clone_from(&cur);
        } else {
            cur.clone_from(&order);
            cur_val = val;
        }
    }
    insertion_within(a, k, &mut order, eps, WINDOW, stop);
    let val = value(a, k, &order);
    (order, val)
}

/// The change in value when the item at `from` moves to `to` (the others in between shift).
fn move_gain(a: &[f64], k: usize, order: &[usize], from: usize, to: usize) -> f64 {
    let item = order[from];
    if to < from {
        order[to..from].iter().map(|&o| a[item * k + o] - a[o * k + item]).sum()
    } else {
        order[from + 1..=to].iter().map(|&o| a[o * k + item] - a[item * k + o]).sum()
    }
}

/// Iterated local search from `order`: a few random insertions, insertion moves, kept when
/// better; `kicks` rounds or until `stop()`.
pub(crate) fn iterated(a: &[f64], k: usize, order: Vec<usize>, seed: u64, kicks: usize, stop: &dyn Fn() -> bool) -> (Vec<usize>, f64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x2545_F491_4F6C_DD1D);
    let mut order = order;
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    insertion(a, k, &mut order, 1e-12 * scale.max(f64::MIN_POSITIVE) * k as f64, stop);
    let val = value(a, k, &order);
    improve(a, k, order, val, &mut rng, kicks, stop)
}

fn improve(a: &[f64], k: usize, mut order: Vec<usize>, mut val: f64, rng: &mut Xoshiro256PlusPlus, kicks: usize, stop: &dyn Fn() -> bool) -> (Vec<usize>, f64) {
    if k <= 2 {
        return (order, val);
    }
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let eps = 1e-12 * scale.max(f64::MIN_POSITIVE) * k as f64;
    let mut cur = order.clone();
    for _ in 0..kicks {
        if stop() {
            break;
        }
        let moves = 2 + rng.random_range(0..3usize);
        for _ in 0..moves {
            let from = rng.random_range(0..k);
            let to = rng.random_range(0..k);
            move_to(&mut cur, from, to); // as remove(from) then insert(to, ·)
        }
        insertion(a, k, &mut cur, eps, stop);
        let v = value(a, k, &cur);
        if v > val + eps {
            val = v;
            order.clone_from(&cur);
        } else {
            cur.clone_from(&order);
        }
    }
    (order, val)
}

/// An upper bound on the value of every order of `a`, cheaper than the LP's: the trivial bound
/// Σ_{i<j} max(a[i][j], a[j][i]) less a greedy packing of 3-cycles of the strict majority
/// digraph (arc i → j when a[i][j] > a[j][i], of length m_ij = a[i][j] − a[j][i]). Every order
/// reverses at least one arc of each directed cycle and loses its length, so for weights
/// y_c ≥ 0 with Σ_{c ∋ e} y_c ≤ m_e on every arc, the loss of any order is at least Σ y_c (the
/// dual of the 3-dicycle covering LP; Grötschel, Jünger & Reinelt 1984). The cycles packed are
/// those through the arcs that `order` reverses (every cycle holds one) over at most
/// max(2 · `window`, 4·10⁶ / k) positions (all of them up to 2,000 items: long reversed arcs
/// are common in noisy profiles; the pairs checked stay ~4·10⁶ beyond), the third item taken
/// within `window` positions of the reversed pair, so
/// the bound closes on `order`'s value when the packing pays for every reversed arc. `exact`:
/// the entries share a binary grain ([`super::lop::granularity`]), so no rounding allowance. The residual lengths of the arcs packed are kept in
/// a hash map (fallible). `stop()` is polled per reversed arc; a stop returns the bound so far
/// (valid: fewer cycles). The result includes an allowance for the rounding of the subtractions
/// (zero work when the entries share a binary grain: then it is exact).
pub(crate) fn cycle_packing_bound(a: &[f64], k: usize, order: &[usize], window: usize, exact: bool, stop: &dyn Fn() -> bool) -> crate::error::Result<f64> {
    let margin = |i: usize, j: usize| a[i * k + j] - a[j * k + i];
    let mut trivial = 0.0;
    let mut magnitude = 0.0;
    let mut largest = 0.0f64;
    for_pairs_tiled(k, |i, j| {
        let best = a[i * k + j].max(a[j * k + i]);
        trivial += best;
        magnitude += best.abs();
        largest = largest.max(margin(i, j).abs());
    });
    let mut used: std::collections::HashMap<u64, f64, foldhash::fast::FixedState> = Default::default();
    let key = |i: usize, j: usize| (i as u64) * k as u64 + j as u64;
    let residual = |used: &std::collections::HashMap<u64, f64, foldhash::fast::FixedState>, i: usize, j: usize| -> f64 {
        let m = margin(i, j);
        if m <= 0.0 {
            return 0.0;
        }
        m - used.get(&key(i, j)).copied().unwrap_or(0.0)
    };
    let span = (2 * window).max(4_000_000 / k.max(1));
    let mut packed = 0.0;
    let mut cycles = 0usize;
    // Reversed arcs: u placed after v although u → v.
    for y in 0..k {
        if stop() {
            break;
        }
        let u = order[y];
        for x in y.saturating_sub(span)..y {
            let v = order[x];
            let mut r_uv = residual(&used, u, v);
            if r_uv <= 0.0 {
                continue;
            }
            // Cycles u → v → w → u with w near the pair.
            let lo = x.saturating_sub(window);
            let hi = (y + window + 1).min(k);
            for &w in &order[lo..hi] {
                if w == u || w == v {
                    continue;
                }
                let r_vw = residual(&used, v, w);
                if r_vw <= 0.0 {
                    continue;
                }
                let r_wu = residual(&used, w, u);
                if r_wu <= 0.0 {
                    continue;
                }
                let t = r_uv.min(r_vw).min(r_wu);
                for (i, j) in [(u, v), (v, w), (w, u)] {
                    crate::memory::try_room(&mut used)?;
                    *used.entry(key(i, j)).or_insert(0.0) += t;
                }
                packed += t;
                cycles += 1;
                r_uv -= t;
                if r_uv <= 0.0 {
                    break;
                }
            }
        }
    }
    // With a common binary grain every sum and difference is exact; otherwise each of a
    // cycle's subtractions and sums rounds by at most an ulp of the largest length, and the
    // trivial sum by k² ulps of its magnitude.
    let rounding = if exact { 0.0 } else { f64::EPSILON * (4.0 * (cycles as f64 + 1.0) * largest + (k * k) as f64 * magnitude) };
    Ok(trivial - packed + rounding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_permutations_and_local_search_never_worsens() {
        let k = 30;
        let mut s = 3u64;
        let a: Vec<f64> = (0..k * k)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                if i / k == i % k {
                    0.0
                } else {
                    ((s >> 33) % 10) as f64
                }
            })
            .collect();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for o in [borda(&a, k), copeland(&a, k), kwiksort(&a, k, &mut rng)] {
            let mut sorted = o.clone();
            sorted.sort();
            assert_eq!(sorted, (0..k).collect::<Vec<_>>());
            let before = value(&a, k, &o);
            let mut o2 = o.clone();
            insertion(&a, k, &mut o2, 1e-12, &|| false);
            assert!(value(&a, k, &o2) >= before);
        }
        let (o, v) = best_order(&a, k, 0, 50, &|| false);
        assert_eq!(v, value(&a, k, &o));
    }

    /// `best_move` is the best single move by its definition (each place within the window,
    /// the item's gain summed outwards from `from`, the nearest place first on equal gains),
    /// bit for bit; `move_to` is `remove` then `insert`.
    #[test]
    fn best_move_and_move_to_match_their_definitions() {
        use crate::kemeny::tests::random_matrix;
        let by_definition = |a: &[f64], k: usize, order: &[usize], from: usize, eps: f64, window: usize| {
            let item = order[from];
            let (mut best, mut best_to) = (eps, from);
            let mut gain = 0.0;
            for to in (0..from).rev().take(window) {
                gain += a[item * k + order[to]] - a[order[to] * k + item];
                if gain > best {
                    (best, best_to) = (gain, to);
                }
            }
            gain = 0.0;
            for to in (from + 1..order.len()).take(window) {
                gain += a[order[to] * k + item] - a[item * k + order[to]];
                if gain > best {
                    (best, best_to) = (gain, to);
                }
            }
            (best, best_to)
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for trial in 0..24u64 {
            let k = 1 + trial as usize % 13;
            let a = random_matrix(k, 900 + trial, (trial % 4) as u32);
            let order = kwiksort(&a, k, &mut rng);
            for window in [0, 1, 3, k, usize::MAX] {
                for from in 0..k {
                    let got = best_move(&a, k, &order, from, 1e-9, window);
                    let want = by_definition(&a, k, &order, from, 1e-9, window);
                    assert_eq!((got.0.to_bits(), got.1), (want.0.to_bits(), want.1), "k {k}, window {window}, from {from}");
                }
            }
            for (from, to) in [(0, k - 1), (k - 1, 0), (k / 2, k / 3), (k / 3, k / 2), (k / 2, k / 2)] {
                let (mut moved, mut reference) = (order.clone(), order.clone());
                move_to(&mut moved, from, to);
                let it = reference.remove(from);
                reference.insert(to, it);
                assert_eq!(moved, reference);
            }
        }
    }

    /// The packing bound is never below the optimum (the subset DP's), never above the trivial
    /// bound, and on a single 3-cycle it is the optimum; with any window, from any order.
    #[test]
    fn cycle_packing_bound_holds_against_the_subset_dp() {
        use crate::kemeny::tests::random_matrix;
        use crate::kemeny::{linear_ordering, Options};
        let mut tightened = 0;
        for trial in 0..40u64 {
            let k = 6 + trial as usize % 9;
            let a = random_matrix(k, 500 + trial, (trial % 4) as u32);
            let dp = linear_ordering(&a, k, &Options { exact_limit: 16, ..Options::default() }).unwrap();
            let mut trivial = 0.0;
            for i in 0..k {
                for j in i + 1..k {
                    trivial += a[i * k + j].max(a[j * k + i]);
                }
            }
            let tol = 1e-9 * a.iter().map(|v| v.abs()).sum::<f64>();
            let identity: Vec<usize> = (0..k).collect();
            let (best, _) = best_order(&a, k, trial, 20, &|| false);
            for order in [identity, best] {
                for window in [0, 2, k] {
                    let exact = crate::kemeny::lop::granularity(&a).is_some();
                    let ub = cycle_packing_bound(&a, k, &order, window, exact, &|| false).unwrap();
                    assert!(ub >= dp.value - tol, "trial {trial}: bound {ub} below the optimum {}", dp.value);
                    assert!(ub <= trivial + tol, "trial {trial}: bound {ub} above the trivial {trivial}");
                    tightened += (ub < trivial - tol) as usize;
                }
            }
        }
        assert!(tightened > 40, "{tightened}");
        // a → b → c → a with lengths 3, 5, 4 (and 1 back each way): the optimum reverses the
        // shortest arc, and one cycle packed closes the gap.
        let a = [0.0, 4.0, 1.0, 1.0, 0.0, 6.0, 5.0, 1.0, 0.0];
        let ub = cycle_packing_bound(&a, 3, &[0, 1, 2], 3, true, &|| false).unwrap();
        assert_eq!(ub, 4.0 + 6.0 + 5.0 - 3.0);
        assert_eq!(ub, value(&a, 3, &[1, 2, 0]));
    }

    /// Beyond `LARGE` items (window passes, local kicks): a permutation, its value recomputed,
    /// never worse than the Borda start improved by full insertion passes' first window pass,
    /// and the gain of a move is the change in value.
    #[test]
    fn many_items_local_search_is_consistent() {
        use crate::kemeny::tests::random_matrix;
        let k = LARGE + 57;
        for kind in 0..3 {
            let a = random_matrix(k, 77 + kind as u64, kind);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
            let o = kwiksort(&a, k, &mut rng);
            for (from, to) in [(3, 200), (200, 3), (10, 10), (0, k - 1)] {
                let mut moved = o.clone();
                let it = moved.remove(from);
                moved.insert(to, it);
                let g = move_gain(&a, k, &o, from, to);
                assert!((value(&a, k, &moved) - value(&a, k, &o) - g).abs() < 1e-6, "kind {kind}: {from} → {to}");
            }
            let start = borda(&a, k);
            let (order, v) = best_order(&a, k, 1, kicks(k).min(500), &|| false);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..k).collect::<Vec<_>>());
            assert_eq!(v, value(&a, k, &order));
            assert!(v >= value(&a, k, &start), "kind {kind}");
            // Locally optimal within the window.
            for from in 0..k {
                assert_eq!(best_move(&a, k, &order, from, 1e-9, WINDOW).1, from, "kind {kind}: item at {from} can still move");
            }
        }
    }
}
