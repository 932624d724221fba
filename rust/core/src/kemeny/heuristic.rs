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
pub(crate) fn insertion(a: &[f64], k: usize, order: &mut Vec<usize>, eps: f64, stop: &dyn Fn() -> bool) {
    loop {
        if stop() {
            break;
        }
        let mut improved = false;
        for from in 0..order.len() {
            let item = order[from];
            let (mut best, mut best_to) = (eps, from);
            let mut gain = 0.0;
            for to in (0..from).rev() {
                let other = order[to];
                gain += a[item * k + other] - a[other * k + item]; // item jumps ahead of other
                if gain > best {
                    best = gain;
                    best_to = to;
                }
            }
            gain = 0.0;
            for (to, &other) in order.iter().enumerate().skip(from + 1) {
                gain += a[other * k + item] - a[item * k + other]; // item falls behind other
                if gain > best {
                    best = gain;
                    best_to = to;
                }
            }
            if best_to != from {
                let it = order.remove(from);
                order.insert(best_to, it);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

/// Items sorted by a score, best first (ties by index).
fn by_score(k: usize, score: impl Fn(usize) -> f64) -> Vec<usize> {
    let s: Vec<f64> = (0..k).map(score).collect();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| s[y].total_cmp(&s[x]).then(x.cmp(&y)));
    order
}

pub(crate) fn borda(a: &[f64], k: usize) -> Vec<usize> {
    by_score(k, |i| (0..k).map(|j| a[i * k + j] - a[j * k + i]).sum())
}

pub(crate) fn copeland(a: &[f64], k: usize) -> Vec<usize> {
    by_score(k, |i| {
        (0..k)
            .filter(|&j| j != i)
            .map(|j| {
                let (x, y) = (a[i * k + j], a[j * k + i]);
                if x > y {
                    1.0
                } else if x == y {
                    0.5
                } else {
                    0.0
                }
            })
            .sum()
    })
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

/// Iterated-local-search rounds worth spending on k items (~10⁸ operations' worth, 10 to 2000).
pub(crate) fn kicks(k: usize) -> usize {
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
    for _ in 0..4 {
        starts.push(kwiksort(a, k, &mut rng));
    }
    let mut best: Option<(Vec<usize>, f64)> = None;
    for mut o in starts {
        insertion(a, k, &mut o, eps, stop);
        let v = value(a, k, &o);
        if best.as_ref().is_none_or(|b| v > b.1 + eps) {
            best = Some((o, v));
        }
    }
    let (order, val) = best.unwrap();
    improve(a, k, order, val, &mut rng, kicks, stop)
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
            let it = cur.remove(from);
            cur.insert(to, it);
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
}
