//! Voting rules whose direct forms are quadratic or worse: ranked pairs (locking with
//! incremental reachability on bitset rows; the winners under every order of equal margins by
//! a depth-first search), the Smith set of a majority matrix, and instant runoff (per ballot a
//! pointer to its top remaining items; only the ballots whose top was eliminated are recounted).
//!
//! The majority-matrix rules take `P` (n × n, row-major: `P[i][j]` = the weight preferring i to
//! j) and read a margin as `P[i][j] − P[j][i]`, the same floating-point operation as NumPy's
//! `P − Pᵀ`, so every comparison of margins is the one the Python layer would make.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;

use crate::memory::try_filled;
use crate::{Error, Result};

fn check_square(n: usize, p: &[f64]) -> Result<()> {
    if n.checked_mul(n) != Some(p.len()) {
        return Err(Error::InvalidArgument(format!("the matrix has {} entries, not n × n for n = {n}", p.len())));
    }
    Ok(())
}

/// The transitive closure of locked edges: `reach[a]` (the items a reaches, a included) and
/// `above[b]` (the items reaching b), `words` u64 per row.
#[derive(Clone)]
struct Closure {
    words: usize,
    reach: Vec<u64>,
    above: Vec<u64>,
}

impl Closure {
    fn identity(k: usize) -> Result<Self> {
        let words = k.div_ceil(64);
        let mut reach = try_filled(k * words, 0u64)?;
        for a in 0..k {
            reach[a * words + a / 64] |= 1 << (a % 64);
        }
        Ok(Closure { words, above: reach.clone(), reach })
    }

    #[inline]
    fn reaches(&self, a: usize, b: usize) -> bool {
        self.reach[a * self.words + b / 64] >> (b % 64) & 1 == 1
    }

    /// Locks i → j (neither implied nor closing a cycle: the caller checks): everything above i
    /// now reaches everything j reaches. Returns the words touched.
    fn lock(&mut self, i: usize, j: usize) -> usize {
        self.lock_run(i, &[j as u32], &mut Vec::new())
    }

    /// Takes the edges i → j for j in `js` in turn, each locked unless it closes a cycle (or
    /// is implied), and returns the words touched. One edge out of i cannot create a path
    /// back to i for another (such a path would reach i before using it), so every edge is
    /// decided on the closure before the run and the closure is updated once: the items
    /// reaching i but not every locked j gain the union D of what those j reach, and the items
    /// of D that i did not reach gain what reaches i. Never more word operations than
    /// locking the edges one by one; far fewer when their reaches overlap. `scratch` (any
    /// contents) holds the run's five rows, kept by the caller between runs.
    fn lock_run(&mut self, i: usize, js: &[u32], scratch: &mut Vec<u64>) -> usize {
        let w = self.words;
        scratch.clear();
        scratch.resize(5 * w, 0);
        let (down, rest) = scratch.split_at_mut(w); // D
        let (all, rest) = rest.split_at_mut(w); // the items reaching every locked j
        let (up, rest) = rest.split_at_mut(w);
        let (gain_reach, gain_above) = rest.split_at_mut(w);
        all.fill(u64::MAX);
        let mut touched = w;
        let mut any = false;
        for &j in js {
            let j = j as usize;
            if self.reaches(j, i) || self.reaches(i, j) {
                continue;
            }
            any = true;
            touched += 2 * w;
            for ((d, a), (&r, &b)) in down.iter_mut().zip(all.iter_mut()).zip(self.reach[j * w..(j + 1) * w].iter().zip(&self.above[j * w..(j + 1) * w])) {
                *d |= r;
                *a &= b;
            }
        }
        if !any {
            return touched;
        }
        up.copy_from_slice(&self.above[i * w..(i + 1) * w]);
        gain_reach.iter_mut().zip(up.iter().zip(all.iter())).for_each(|(g, (u, a))| *g = u & !a);
        gain_above.iter_mut().zip(down.iter().zip(&self.reach[i * w..(i + 1) * w])).for_each(|(g, (d, r))| *g = d & !r);
        for a in ones(gain_reach) {
            self.reach[a * w..(a + 1) * w].iter_mut().zip(down.iter()).for_each(|(r, d)| *r |= d);
            touched += w;
        }
        for b in ones(gain_above) {
            self.above[b * w..(b + 1) * w].iter_mut().zip(up.iter()).for_each(|(r, u)| *r |= u);
            touched += w;
        }
        touched
    }
}

/// The set bits of a bitset row, ascending.
fn ones(row: &[u64]) -> impl Iterator<Item = usize> + '_ {
    row.iter().enumerate().flat_map(|(k, &word)| {
        let mut x = word;
        std::iter::from_fn(move || {
            (x != 0).then(|| {
                let b = x.trailing_zeros() as usize;
                x &= x - 1;
                k * 64 + b
            })
        })
    })
}

/// The majorities (margin ≥ 0, i ≠ j), largest margin first, equal margins in row-major order
/// of (i, j): the order in which ranked pairs takes them with the label-order tie-break.
fn majorities_by_margin(n: usize, p: &[f64]) -> Result<Vec<(u64, u64)>> {
    // Per row, (key, i·n + j) with key the margin's bits inverted (non-negative floats order as
    // their bits; + 0.0 turns −0 into +0): ascending keys are descending margins.
    let rows: Vec<Result<Vec<(u64, u64)>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut out = Vec::new();
            let count = (0..n).filter(|&j| j != i && p[i * n + j] - p[j * n + i] >= 0.0).count();
            out.try_reserve_exact(count).map_err(|_| Error::OutOfMemory { bytes: count * 16 })?;
            for j in 0..n {
                let m = p[i * n + j] - p[j * n + i];
                if j != i && m >= 0.0 {
                    out.push((!(m + 0.0).to_bits(), (i * n + j) as u64));
                }
            }
            Ok(out)
        })
        .collect();
    let total = rows.iter().map(|r| r.as_ref().map_or(0, |r| r.len())).sum::<usize>();
    let mut edges = Vec::new();
    edges.try_reserve_exact(total).map_err(|_| Error::OutOfMemory { bytes: total * 16 })?;
    for r in rows {
        edges.extend(r?);
    }
    edges.par_sort_unstable();
    Ok(edges)
}

/// Ranked pairs with every tie broken in label order (pref_voting's `ranked_pairs_tb`): the
/// majorities from the largest margin down, each locked unless it closes a cycle (an edge
/// already implied costs one bit test). Returns, per item, the number of items it is locked
/// above (its outcome's reach, itself excluded).
///
/// The edges come as runs of one margin and one winner i (row-major order within a margin),
/// each run decided and locked at once ([`Closure::lock_run`]). With at most 255 distinct
/// margins ≥ 0, the runs are read from a byte matrix of margin levels, one scan of it per
/// level (no list of edges, no sort); otherwise from the majorities sorted by margin.
pub fn ranked_pairs_label(n: usize, p: &[f64]) -> Result<Vec<u32>> {
    ranked_pairs_label_by(n, p, false)
}

/// [`ranked_pairs_label`], or with `one_by_one` as before decision 37 (the majorities sorted
/// by margin, each edge locked on its own): the tests' and benches' reference.
pub fn ranked_pairs_label_by(n: usize, p: &[f64], one_by_one: bool) -> Result<Vec<u32>> {
    check_square(n, p)?;
    let mut c = Closure::identity(n)?;
    let mut scratch: Vec<u64> = Vec::new();
    let few = if one_by_one {
        None
    } else {
        // the margins (+ 0.0: −0 as +0), their distinct values ≥ 0 and levels
        let mut m = try_filled(n * n, 0.0f64)?;
        crate::margins::with_transpose(n, p, &mut m, |pij, pji| pij - pji + 0.0)?;
        let values = crate::margins::distinct_values(n, |i, j| m[i * n + j], |x| x >= 0.0, 255)?;
        match values {
            Some(v) => Some((crate::margins::level_matrix(n, |i, j| m[i * n + j], |x| x >= 0.0, &v)?, v.len())),
            None => None,
        }
    };
    match few {
        Some((level, top)) => {
            let mut js: Vec<u32> = Vec::new();
            for t in (1..=top as u8).rev() {
                for (i, row) in level.chunks_exact(n).enumerate() {
                    if crate::interrupt::poll() {
                        return crate::interrupt::check().map(|_| Vec::new());
                    }
                    js.clear();
                    crate::margins::push_matches(row, crate::margins::Bytes::Equal(t), &mut js);
                    c.lock_run(i, &js, &mut scratch);
                }
            }
        }
        None => {
            // From p again, not from the margins above: they are dropped first, so that the
            // n² margins and the ~n²/2 sorted edges are never held together (peak memory).
            let edges = majorities_by_margin(n, p)?;
            let mut js: Vec<u32> = Vec::new();
            let mut start = 0;
            while start < edges.len() {
                if crate::interrupt::poll() {
                    return crate::interrupt::check().map(|_| Vec::new());
                }
                let (key, i) = (edges[start].0, edges[start].1 / n as u64);
                let run = edges[start..].iter().take_while(|&&(k, e)| k == key && e / n as u64 == i).count();
                let end = start + if one_by_one { 1 } else { run };
                js.clear();
                js.extend(edges[start..end].iter().map(|&(_, e)| (e % n as u64) as u32));
                c.lock_run(i as usize, &js, &mut scratch);
                start = end;
            }
        }
    }
    crate::interrupt::check()?;
    Ok((0..n).map(|a| c.reach[a * c.words..(a + 1) * c.words].iter().map(|w| w.count_ones()).sum::<u32>() - 1).collect())
}

/// Limits of the every-order search of ranked pairs.
pub struct SearchLimits {
    /// Word operations (closure updates and copies, edge scans) before giving up.
    pub work: u64,
    /// Bytes of stored search states before giving up.
    pub memory: usize,
}

/// The items (indices, ascending) that win ranked pairs under some order of equal margins,
/// on `m` (k × k margins of the Smith set, row-major), or `None` when the search exceeds
/// `limits` (the problem is NP-complete: Brill & Fischer 2012).
///
/// An item c can win only if, for each b beating it by μ, c has a path to b of margins ≥ μ
/// (else b → c is locked when its turn comes): most items are ruled out by their strongest
/// paths. For each remaining item, a depth-first search over the orders within each group of
/// equal margins looks for one that leaves nothing locked above c: it never locks an edge into
/// c, locks a whole group at once when one order locks every edge of it (then every order
/// ends the same), tries first the edges that extend what c reaches, and drops states already
/// seen; every outcome found adds all its sources to the winners.
pub fn ranked_pairs_winners(k: usize, m: &[f64], limits: &SearchLimits) -> Result<Option<Vec<u32>>> {
    check_square(k, m)?;
    if k == 1 {
        return Ok(Some(vec![0]));
    }
    let mut edges: Vec<(f64, u32, u32)> = Vec::new();
    for i in 0..k {
        for j in 0..k {
            if m[i * k + j] > 0.0 {
                edges.push((m[i * k + j], i as u32, j as u32));
            }
        }
    }
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut groups: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut last = f64::NAN;
    for &(x, i, j) in &edges {
        match groups.last_mut() {
            Some(g) if x == last => g.push((i, j)),
            _ => groups.push(vec![(i, j)]),
        }
        last = x;
    }
    if groups.is_empty() {
        return Ok(Some((0..k as u32).collect())); // every pair tied: nothing is ever locked
    }
    let mut d = crate::memory::try_collect(m.len(), m.iter().map(|&x| if x > 0.0 { x } else { 0.0 }))?;
    crate::margins::widest_paths(k, &mut d)?;
    let words = k.div_ceil(64);
    let mut winners = vec![0u64; words];
    let mut budget = Budget { work: limits.work, memory: limits.memory };
    for c in 0..k {
        let won = winners[c / 64] >> (c % 64) & 1 == 1;
        if won || (0..k).any(|b| m[b * k + c] > 0.0 && d[c * k + b] < m[b * k + c]) {
            continue;
        }
        match search(c, &groups, k, &mut budget)? {
            Flow::Exhausted => return Ok(None),
            Flow::Lost => {}
            Flow::Won(reach) => {
                // every source of the outcome wins: the items nothing else reaches
                let mut has_above = vec![0u64; words];
                for a in 0..k {
                    for (h, &r) in has_above.iter_mut().zip(&reach[a * words..(a + 1) * words]) {
                        *h |= r;
                    }
                    let own = reach[a * words + a / 64] & (1 << (a % 64));
                    has_above[a / 64] ^= own & !others_reach(&reach, k, words, a);
                }
                for b in 0..k {
                    if has_above[b / 64] >> (b % 64) & 1 == 0 {
                        winners[b / 64] |= 1 << (b % 64);
                    }
                }
            }
        }
    }
    Ok(Some(ones(&winners).map(|a| a as u32).collect()))
}

/// The bit of item a (in its word) when an item other than a reaches a, else 0.
fn others_reach(reach: &[u64], k: usize, words: usize, a: usize) -> u64 {
    let bit = 1u64 << (a % 64);
    if (0..k).any(|x| x != a && reach[x * words + a / 64] & bit != 0) {
        bit
    } else {
        0
    }
}

struct Budget {
    work: u64,
    memory: usize,
}

impl Budget {
    /// Spends `work`; true when none is left.
    fn spend(&mut self, work: usize) -> bool {
        self.work = self.work.saturating_sub(work as u64);
        self.work == 0
    }
}

enum Flow {
    Won(Vec<u64>),
    Lost,
    Exhausted,
}

/// A search state: the group being locked, the closure so far, the group's edges not yet
/// taken.
type State = (usize, Closure, Vec<(u32, u32)>);

fn search(c: usize, groups: &[Vec<(u32, u32)>], k: usize, budget: &mut Budget) -> Result<Flow> {
    let words = k.div_ceil(64);
    let state_bytes = |s: &State| s.1.reach.len() * 16 + s.2.len() * 8 + 64;
    let mut stack: Vec<State> = vec![(0, Closure::identity(k)?, groups[0].clone())];
    let mut stored = state_bytes(&stack[0]);
    let mut seen: HashSet<(usize, Vec<u64>, Vec<(u32, u32)>)> = HashSet::new();
    let mut steps = 0u64;
    while let Some(state) = stack.pop() {
        stored = stored.saturating_sub(state_bytes(&state));
        steps += 1;
        if steps % 256 == 0 && crate::interrupt::poll() {
            crate::interrupt::check()?;
        }
        let (g, closure, rest) = state;
        if g == groups.len() {
            return Ok(Flow::Won(closure.reach)); // every group locked, nothing above c
        }
        if budget.spend(rest.len() + words) {
            return Ok(Flow::Exhausted);
        }
        // An edge already implied, or blocked by a path back, stays so: drop it.
        let live: Vec<(u32, u32)> =
            rest.iter().copied().filter(|&(i, j)| !closure.reaches(i as usize, j as usize) && !closure.reaches(j as usize, i as usize)).collect();
        let following = || groups.get(g + 1).cloned().unwrap_or_default();
        if live.is_empty() {
            let s = (g + 1, closure, following());
            stored += state_bytes(&s);
            stack.push(s);
            continue;
        }
        if live.iter().all(|&(_, j)| j as usize == c) {
            continue; // only edges into c are left, and locking any puts something above it
        }
        // If one order locks every live edge, they close no cycle and every order ends the same.
        let mut all = closure.clone();
        let mut work = 2 * k * words;
        let mut acyclic = true;
        for &(i, j) in &live {
            if all.reaches(j as usize, i as usize) {
                acyclic = false;
                break;
            }
            if !all.reaches(i as usize, j as usize) {
                work += all.lock(i as usize, j as usize);
            }
        }
        if budget.spend(work) {
            return Ok(Flow::Exhausted);
        }
        if acyclic {
            if !(0..k).any(|a| a != c && all.reaches(a, c)) {
                let s = (g + 1, all, following());
                stored += state_bytes(&s);
                stack.push(s);
            }
            continue;
        }
        let key = (g, closure.reach.clone(), live);
        if seen.contains(&key) {
            continue;
        }
        let live = &key.2;
        // Pushed last is tried first: edges from what c reaches, then the others; never one into c.
        let mut choices: Vec<(u32, u32)> = live.iter().copied().filter(|&(_, j)| j as usize != c).collect();
        choices.sort_by_key(|&(i, _)| closure.reaches(c, i as usize));
        // Each child copies the closure and the edges left: paid (and its memory counted)
        // before any is made.
        let child_bytes = closure.reach.len() * 16 + live.len() * 8 + 64;
        stored += choices.len() * child_bytes + key.1.len() * 8 + key.2.len() * 8 + 64;
        if budget.spend(choices.len() * (2 * k * words + live.len())) || stored > budget.memory {
            return Ok(Flow::Exhausted);
        }
        let mut work = 0;
        for &e in &choices {
            let mut next = closure.clone();
            work += next.lock(e.0 as usize, e.1 as usize);
            stack.push((g, next, live.iter().copied().filter(|&x| x != e).collect()));
        }
        seen.insert(key);
        if budget.spend(work) {
            return Ok(Flow::Exhausted);
        }
    }
    Ok(Flow::Lost)
}

/// For each item i, `f` folded over every j ≠ i with (x[i][j], x[j][i]) of the n × n matrix
/// `x`: rows in parallel blocks of 64, so that the column reads x[j][i0 .. i0 + 64] are
/// contiguous; Ctrl-C polled between chunks of rows (as [`crate::margins::with_transpose`]).
fn per_row<E: Copy + Sync, T: Send + Copy>(n: usize, x: &[E], init: T, f: impl Fn(T, usize, E, E) -> T + Sync) -> Result<Vec<T>> {
    let mut out = try_filled(n, init)?;
    for (c, rows) in out.chunks_mut(crate::margins::POLL_ROWS).enumerate() {
        if crate::interrupt::poll() {
            return Err(crate::margins::stopped());
        }
        rows.par_chunks_mut(64).enumerate().for_each(|(b, acc)| {
            let i0 = c * crate::margins::POLL_ROWS + b * 64;
            for j in 0..n {
                let col = &x[j * n + i0..j * n + i0 + acc.len()];
                for (r, (a, &xji)) in acc.iter_mut().zip(col).enumerate() {
                    let i = i0 + r;
                    if i != j {
                        *a = f(*a, j, x[i * n + j], xji);
                    }
                }
            }
        });
    }
    Ok(out)
}

/// Schulze's order on `P`: a majority i over j (P[i][j] > P[j][i]) is a link of strength
/// P[i][j] (`winning_votes`) or P[i][j] − P[j][i] (the margin), d the strongest paths
/// ([`crate::margins::widest_paths`]), and i is above j when d[i][j] > d[j][i]. Returns per
/// item (the number of items above it, the number of items it is above).
pub fn schulze(n: usize, p: &[f64], winning_votes: bool) -> Result<(Vec<u32>, Vec<u32>)> {
    check_square(n, p)?;
    let mut d = try_filled(n * n, 0.0f64)?;
    crate::margins::with_transpose(n, p, &mut d, |pij, pji| match pij > pji {
        true if winning_votes => pij,
        true => pij - pji,
        false => 0.0,
    })?;
    // (above it, below it): i is above j when its path to j is the stronger
    fn count<E: PartialOrd>((a, b): (u32, u32), _: usize, dij: E, dji: E) -> (u32, u32) {
        (a + (dji > dij) as u32, b + (dij > dji) as u32)
    }
    let counts = match crate::margins::few_strengths(n, &d)? {
        // few strengths: the paths as byte levels (an eighth of the f64 traffic), compared as such
        Some(values) => {
            let level = crate::margins::level_matrix(n, |i, j| d[i * n + j], |x| x > 0.0, &values)?;
            drop(d);
            per_row(n, &crate::margins::path_levels(n, &level, values.len())?, (0, 0), count::<u8>)?
        }
        None => {
            crate::margins::widest_paths_by(n, &mut d, crate::margins::PathMethod::Incremental)?;
            per_row(n, &d, (0, 0), count::<f64>)?
        }
    };
    Ok(counts.into_iter().unzip())
}

/// The Smith set of `P` (indices, ascending): the smallest non-empty set of items each of
/// which beats every item outside it by majority. It is a prefix of the items sorted by
/// Copeland score (2 per majority win, 1 per tie; an inside item beats every outside one, an
/// outside item loses to every inside one), found in one pass: with `last[a]` the last
/// position (in that order) of an item the a-th item fails to beat, the smallest prefix k with
/// max(last[..k]) < k. Rows of items in parallel, each reading the columns in 64-item tiles.
pub fn smith_set(n: usize, p: &[f64]) -> Result<Vec<u32>> {
    check_square(n, p)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let score = per_row(n, p, 0u64, |s, _, pij, pji| s + if pij - pji > 0.0 { 2 } else { (pij - pji == 0.0) as u64 })?;
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (Reverse(score[i as usize]), i));
    let mut position = vec![0usize; n];
    for (k, &i) in order.iter().enumerate() {
        position[i as usize] = k;
    }
    // last position of an item not beaten, per item (-1 as 0 with an offset of one)
    let last = per_row(n, p, 0usize, |l, j, pij, pji| if pij - pji > 0.0 { l } else { l.max(position[j] + 1) })?;
    let mut reach = 0usize;
    for (k, &i) in order.iter().enumerate() {
        reach = reach.max(last[i as usize]); // positions + 1
        if reach <= k + 1 {
            let mut set = order[..=k].to_vec();
            set.sort_unstable();
            return Ok(set);
        }
    }
    Ok((0..n as u32).collect())
}

/// Instant runoff on ballots in CSR form (`items` best first, `levels` ascending within a
/// ballot; equal levels are tied). `weights`: whole numbers (None: 1 each); `unit`: a multiple
/// of every tie size that can occur, so a ballot whose top remaining items are g gives each
/// `weight · unit / g` and tallies are exact integers. Repeatedly the item with the fewest
/// votes among those remaining is eliminated, ties to the one with the largest index. Returns
/// the order: the last item remaining first, then the eliminated from last to first.
pub fn instant_runoff(n: usize, offsets: &[u64], items: &[u32], levels: &[u32], weights: Option<&[u64]>, unit: u64) -> Result<Vec<u32>> {
    let ballots = offsets.len().saturating_sub(1);
    if offsets.first().copied().unwrap_or(0) != 0 || offsets.windows(2).any(|w| w[0] > w[1]) || offsets.last().copied().unwrap_or(0) as usize != items.len() {
        return Err(Error::InvalidArgument("offsets must start at 0, not decrease and end at the number of entries".into()));
    }
    if levels.len() != items.len() || weights.is_some_and(|w| w.len() != ballots) || unit == 0 {
        return Err(Error::InvalidArgument("levels and items (and weights and ballots) must have the same lengths, unit > 0".into()));
    }
    if items.iter().any(|&i| i as usize >= n) || (0..ballots).any(|v| levels[offsets[v] as usize..offsets[v + 1] as usize].windows(2).any(|w| w[0] > w[1])) {
        return Err(Error::InvalidArgument("item codes must be below n and levels ascending within a ballot".into()));
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    let weight = |v: usize| weights.map_or(1u128, |w| w[v] as u128) * unit as u128;
    let mut alive = try_filled(n, true)?;
    let mut tally = try_filled(n, 0u128)?;
    // Per item, the ballots whose top group holds it (each ballot enters a list once per item).
    let mut watch: Vec<Vec<u32>> = Vec::new();
    watch.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { bytes: n * 24 })?;
    watch.resize_with(n, Vec::new);
    let mut start = try_filled(ballots, 0usize)?;
    // The group of entries sharing the level at `lo`: its end.
    let group_end = |lo: usize, hi: usize| {
        let l = levels[lo];
        lo + levels[lo..hi].iter().take_while(|&&x| x == l).count()
    };
    for v in 0..ballots {
        let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
        start[v] = lo;
        if lo == hi || weight(v) == 0 {
            start[v] = hi;
            continue;
        }
        let end = group_end(lo, hi);
        let share = weight(v) / (end - lo) as u128;
        for &i in &items[lo..end] {
            tally[i as usize] += share;
            watch[i as usize].push(v as u32);
        }
    }
    let mut queue: BTreeSet<(u128, Reverse<u32>)> = (0..n).map(|i| (tally[i], Reverse(i as u32))).collect();
    let mut eliminated = Vec::with_capacity(n);
    fn change(queue: &mut BTreeSet<(u128, Reverse<u32>)>, tally: &mut [u128], i: usize, new: u128) {
        queue.remove(&(tally[i], Reverse(i as u32)));
        tally[i] = new;
        queue.insert((new, Reverse(i as u32)));
    }
    while queue.len() > 1 {
        if crate::interrupt::poll() {
            crate::interrupt::check()?;
        }
        let Some((_, Reverse(x))) = queue.pop_first() else { break };
        let x = x as usize;
        alive[x] = false;
        eliminated.push(x as u32);
        for v in std::mem::take(&mut watch[x]) {
            let v = v as usize;
            let (lo, hi) = (start[v], offsets[v + 1] as usize);
            let end = group_end(lo, hi);
            let group = &items[lo..end];
            let left = group.iter().filter(|&&i| alive[i as usize]).count();
            let before = weight(v) / (left + 1) as u128;
            if left > 0 {
                let now = weight(v) / left as u128;
                for &i in group.iter().filter(|&&i| alive[i as usize]) {
                    let t = tally[i as usize] - before + now;
                    change(&mut queue, &mut tally, i as usize, t);
                }
                continue;
            }
            // The whole group is gone: the next level with an item remaining.
            let mut lo = end;
            while lo < hi {
                let end = group_end(lo, hi);
                let left = items[lo..end].iter().filter(|&&i| alive[i as usize]).count();
                if left > 0 {
                    let share = weight(v) / left as u128;
                    for &i in items[lo..end].iter().filter(|&&i| alive[i as usize]) {
                        let t = tally[i as usize] + share;
                        change(&mut queue, &mut tally, i as usize, t);
                        watch[i as usize].push(v as u32);
                    }
                    break;
                }
                lo = end;
            }
            start[v] = lo;
        }
    }
    let mut order: Vec<u32> = queue.iter().map(|&(_, Reverse(i))| i).collect();
    order.extend(eliminated.iter().rev());
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut s = seed;
        move |m| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        }
    }

    /// Ranked pairs by definition: lock in order, testing for a cycle by a graph search.
    fn brute_label(n: usize, p: &[f64]) -> Vec<u32> {
        let mut edges: Vec<(f64, usize, usize)> = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let m = p[i * n + j] - p[j * n + i];
                if i != j && m >= 0.0 {
                    edges.push((m, i, j));
                }
            }
        }
        edges.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let mut adj = vec![vec![false; n]; n];
        let reach = |adj: &Vec<Vec<bool>>, from: usize| {
            let mut seen = vec![false; n];
            let mut stack = vec![from];
            seen[from] = true;
            while let Some(a) = stack.pop() {
                for b in 0..n {
                    if adj[a][b] && !seen[b] {
                        seen[b] = true;
                        stack.push(b);
                    }
                }
            }
            seen
        };
        for (_, i, j) in edges {
            if !reach(&adj, j)[i] {
                adj[i][j] = true;
            }
        }
        (0..n).map(|a| reach(&adj, a).iter().filter(|&&x| x).count() as u32 - 1).collect()
    }

    fn random_p(n: usize, voters: u64, next: &mut impl FnMut(u64) -> u64) -> Vec<f64> {
        let mut p = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let a = next(voters + 1) as f64;
                p[i * n + j] = a;
                p[j * n + i] = (voters as f64) - a - next(2) as f64; // some pairs with abstentions
            }
        }
        p
    }

    #[test]
    fn ranked_pairs_label_matches_definition() {
        let mut next = lcg(3);
        for trial in 0..200 {
            let n = 1 + trial % 13;
            let p = random_p(n, 1 + trial as u64 % 5, &mut next);
            assert_eq!(ranked_pairs_label(n, &p).unwrap(), brute_label(n, &p), "trial {trial}");
        }
        // few distinct margins (levels), then many (sorted runs), and one edge at a time
        for (n, voters) in [(70, 7), (70, 2000), (150, 3)] {
            let p = random_p(n, voters, &mut next);
            let want = brute_label(n, &p);
            assert_eq!(ranked_pairs_label(n, &p).unwrap(), want);
            assert_eq!(ranked_pairs_label_by(n, &p, true).unwrap(), want);
        }
        assert!(ranked_pairs_label(3, &[0.0; 4]).is_err());
    }

    /// Winners by enumerating every order of each group of equal margins.
    fn brute_all(k: usize, m: &[f64]) -> Option<Vec<u32>> {
        let mut edges: Vec<(f64, usize, usize)> = Vec::new();
        for i in 0..k {
            for j in 0..k {
                if m[i * k + j] > 0.0 {
                    edges.push((m[i * k + j], i, j));
                }
            }
        }
        edges.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut groups: Vec<Vec<(usize, usize)>> = Vec::new();
        for (idx, &(x, i, j)) in edges.iter().enumerate() {
            if idx > 0 && edges[idx - 1].0 == x {
                groups.last_mut().unwrap().push((i, j));
            } else {
                groups.push(vec![(i, j)]);
            }
        }
        fn perms(v: &[(usize, usize)]) -> Vec<Vec<(usize, usize)>> {
            if v.len() <= 1 {
                return vec![v.to_vec()];
            }
            let mut out = Vec::new();
            for a in 0..v.len() {
                let mut rest = v.to_vec();
                let x = rest.remove(a);
                for mut p in perms(&rest) {
                    p.insert(0, x);
                    out.push(p);
                }
            }
            out
        }
        if groups.iter().map(|g| (1..=g.len()).product::<usize>()).product::<usize>() > 20_000 {
            return None; // too many orders to enumerate here
        }
        let choices: Vec<Vec<Vec<(usize, usize)>>> = groups.iter().map(|g| perms(g)).collect();
        let mut win = vec![false; k];
        let mut index = vec![0usize; groups.len()];
        loop {
            let mut reach: Vec<Vec<bool>> = (0..k).map(|a| (0..k).map(|b| a == b).collect()).collect();
            for (g, &c) in index.iter().enumerate() {
                for &(i, j) in &choices[g][c] {
                    if !reach[j][i] {
                        for a in 0..k {
                            if reach[a][i] {
                                for b in 0..k {
                                    if reach[j][b] {
                                        reach[a][b] = true;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for b in 0..k {
                if (0..k).all(|a| a == b || !reach[a][b]) {
                    win[b] = true;
                }
            }
            let mut g = 0;
            while g < index.len() {
                index[g] += 1;
                if index[g] < choices[g].len() {
                    break;
                }
                index[g] = 0;
                g += 1;
            }
            if g == index.len() {
                break;
            }
        }
        Some((0..k as u32).filter(|&b| win[b as usize]).collect())
    }

    #[test]
    fn ranked_pairs_winners_match_every_order() {
        let mut next = lcg(11);
        let limits = SearchLimits { work: u64::MAX, memory: usize::MAX };
        let mut checked = 0;
        for trial in 0..300 {
            let k = 2 + trial % 5;
            // margins from a few values, so that equal margins abound
            let mut m = vec![0.0; k * k];
            for i in 0..k {
                for j in i + 1..k {
                    let x = next(5) as f64 - 2.0;
                    m[i * k + j] = x;
                    m[j * k + i] = -x;
                }
            }
            let got = ranked_pairs_winners(k, &m, &limits).unwrap().unwrap();
            if let Some(want) = brute_all(k, &m) {
                assert_eq!(got, want, "trial {trial}: {m:?}");
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked}");
        let tight = SearchLimits { work: 10, memory: usize::MAX };
        let k = 12;
        let mut m = vec![0.0; k * k];
        for i in 0..k {
            for j in i + 1..k {
                let x = if next(2) == 0 { 1.0 } else { -1.0 };
                m[i * k + j] = x;
                m[j * k + i] = -x;
            }
        }
        assert!(ranked_pairs_winners(k, &m, &tight).unwrap().is_none());
    }

    #[test]
    fn smith_set_matches_definition() {
        let mut next = lcg(5);
        for trial in 0..300 {
            let n = 1 + trial % 9;
            let p = random_p(n, 1 + trial as u64 % 4, &mut next);
            let beats = |i: usize, j: usize| p[i * n + j] - p[j * n + i] > 0.0;
            // the smallest dominant set, by every subset
            let mut best: Option<Vec<u32>> = None;
            for s in 1u32..(1 << n) {
                let inside = |i: usize| s >> i & 1 == 1;
                let dominant = (0..n).all(|i| !inside(i) || (0..n).all(|j| inside(j) || beats(i, j)));
                if dominant && best.as_ref().is_none_or(|b| b.len() > s.count_ones() as usize) {
                    best = Some((0..n as u32).filter(|&i| inside(i as usize)).collect());
                }
            }
            assert_eq!(smith_set(n, &p).unwrap(), best.unwrap(), "trial {trial}");
        }
    }

    /// Instant runoff by definition, tallies as exact fractions over a common denominator.
    fn brute_irv(n: usize, ballots: &[Vec<(u32, u32)>], w: &[u64]) -> Vec<u32> {
        let unit: u128 = 720720; // lcm(1..=16)
        let mut alive = vec![true; n];
        let mut out = Vec::new();
        while alive.iter().filter(|&&a| a).count() > 1 {
            let mut tally = vec![0u128; n];
            for (b, &wv) in ballots.iter().zip(w) {
                let best = b.iter().filter(|e| alive[e.0 as usize]).map(|e| e.1).min();
                if let Some(l) = best {
                    let top: Vec<u32> = b.iter().filter(|e| alive[e.0 as usize] && e.1 == l).map(|e| e.0).collect();
                    for i in &top {
                        tally[*i as usize] += wv as u128 * unit / top.len() as u128;
                    }
                }
            }
            let least = (0..n).filter(|&i| alive[i]).map(|i| tally[i]).min().unwrap();
            let loser = (0..n).filter(|&i| alive[i] && tally[i] == least).max().unwrap();
            alive[loser] = false;
            out.push(loser as u32);
        }
        let mut order: Vec<u32> = (0..n as u32).filter(|&i| alive[i as usize]).collect();
        order.extend(out.iter().rev());
        order
    }

    #[test]
    fn instant_runoff_matches_definition() {
        let mut next = lcg(7);
        for trial in 0..300 {
            let n = 1 + trial % 10;
            let mut ballots = Vec::new();
            let mut w = Vec::new();
            for _ in 0..1 + next(12) {
                let mut items: Vec<u32> = (0..n as u32).collect();
                for k in (1..items.len()).rev() {
                    items.swap(k, next(k as u64 + 1) as usize);
                }
                let len = next(n as u64 + 1) as usize;
                let mut level = 0;
                ballots.push(
                    items[..len]
                        .iter()
                        .map(|&i| {
                            let e = (i, level);
                            level += (next(3) != 0) as u32;
                            e
                        })
                        .collect::<Vec<_>>(),
                );
                w.push(next(4));
            }
            let mut offsets = vec![0u64];
            let (mut items, mut levels) = (Vec::new(), Vec::new());
            for b in &ballots {
                items.extend(b.iter().map(|e| e.0));
                levels.extend(b.iter().map(|e| e.1));
                offsets.push(items.len() as u64);
            }
            let got = instant_runoff(n, &offsets, &items, &levels, Some(&w), 2520).unwrap();
            assert_eq!(got, brute_irv(n, &ballots, &w), "trial {trial}");
        }
        assert!(instant_runoff(2, &[0, 2], &[0, 1], &[1, 0], None, 1).is_err());
    }
}
