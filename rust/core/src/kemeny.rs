//! Kemeny–Young consensus and the linear ordering problem.
//!
//! Kemeny: the order that minimises the total pairwise disagreement with the voters,
//! Σ_{a placed before b} P[b][a], where P[i][j] is the (weighted) number of voters who prefer i
//! to j. That is the linear ordering problem (LOP) of P: maximise Σ_{a before b} P[a][b], since
//! the two add up to Σ_{i≠j} P[i][j] for every order. Everything below works in the LOP's
//! maximisation form on any finite matrix.
//!
//! The search first splits the items into the strongly connected components of the graph with
//! an edge i → j whenever i is not beaten by j (a[i][j] ≥ a[j][i]); between components every
//! majority is strict and agrees with the component order, and every optimal order keeps the
//! components in that order (swapping an adjacent pair from different components gains).
//! Each component of at most `exact_limit` items is solved exactly by dynamic programming over
//! subsets (Held–Karp style, O(2^k k²)); a larger one by branch and bound on the LP relaxation
//! with 3-dicycle cuts ([`lop`]), from a heuristic incumbent ([`heuristic`]); or, with
//! `Method::Heuristic`, by the heuristic alone with the trivial bound Σ max(a[i][j], a[j][i]).
//! `optimal` is true only when the value equals a proven bound.

pub(crate) mod heuristic;
pub(crate) mod lop;
mod lu;
mod simplex;

use crate::error::{Error, Result};
use crate::graph::Digraph;
use std::time::{Duration, Instant};

/// How a component larger than `exact_limit` is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The LP branch and bound up to [`AUTO_MAX_ITEMS`] items per component, the heuristic
    /// beyond.
    Auto,
    /// The LP branch and bound whatever the size.
    Exact,
    /// The heuristic only (with the trivial bound).
    Heuristic,
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_choice("method", s, &[("auto", Method::Auto), ("exact", Method::Exact), ("heuristic", Method::Heuristic)])
    }
}

/// Largest component that `Method::Auto` gives to the LP branch and bound.
pub const AUTO_MAX_ITEMS: usize = 200;

/// Beyond [`AUTO_MAX_ITEMS`] items, the heuristic's bound packs 3-cycles whose third item lies
/// within this many positions of the reversed pair (see `heuristic::cycle_packing_bound`).
const PACKING_WINDOW: usize = 64;

/// Largest component solved exactly by the subset DP (2^k entries).
pub const MAX_EXACT: usize = 22;

pub struct Options<'a> {
    /// Components of at most this many items are solved by the subset DP (≤ [`MAX_EXACT`]).
    pub exact_limit: usize,
    pub method: Method,
    /// Seconds for the whole search; then the best order so far, with its bound, is returned.
    pub time_limit: Option<f64>,
    /// Seeds the heuristic's random starts and the LP's cost perturbation.
    pub seed: u64,
    /// Polled between LP pivots (at most every 50 ms); true stops with `Error::Interrupted`.
    pub cancel: &'a dyn Fn() -> bool,
    /// Receives a line per cutting-plane round or so, when given.
    pub progress: Option<&'a dyn Fn(&str)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { exact_limit: 16, method: Method::Auto, time_limit: None, seed: 0, cancel: &|| false, progress: None }
    }
}

#[derive(Debug, Clone)]
pub struct Solution {
    /// Item indices, best first.
    pub order: Vec<u32>,
    pub cost: f64,
    pub lower_bound: f64,
    pub optimal: bool,
    /// The components, in order, each listing its items in the returned order.
    pub components: Vec<Vec<u32>>,
    pub stats: Stats,
}

/// A solution of the linear ordering problem (maximisation).
#[derive(Debug, Clone)]
pub struct Ordering {
    pub order: Vec<u32>,
    /// Σ over i placed before j of a[i][j].
    pub value: f64,
    pub upper_bound: f64,
    pub optimal: bool,
    pub components: Vec<Vec<u32>>,
    pub stats: Stats,
}

/// Search effort, summed over the components.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Branch-and-bound nodes (1 per component solved at the root).
    pub nodes: u64,
    pub cut_rounds: u64,
    pub lp_iterations: u64,
    /// LP solves that ran out of pivots twice (see `lop`): their nodes were left unresolved,
    /// so the result is not claimed optimal.
    pub lp_capped: u64,
    /// True when the time limit stopped a search.
    pub timed_out: bool,
}

/// Kemeny consensus of the `n × n` preference matrix `p` (row-major, `p[i*n+j]` = voters
/// preferring i to j; the diagonal is ignored).
pub fn kemeny(p: &[f64], n: usize, exact_limit: usize) -> Result<Solution> {
    kemeny_with(p, n, &Options { exact_limit, ..Options::default() })
}

/// [`kemeny`] with every option.
pub fn kemeny_with(p: &[f64], n: usize, opts: &Options) -> Result<Solution> {
    if p.len() != n * n {
        return Err(Error::InvalidArgument("kemeny: matrix must be n × n".into()));
    }
    if (0..n * n).any(|k| k % (n + 1) != 0 && (!p[k].is_finite() || p[k] < 0.0)) {
        return Err(Error::InvalidArgument("kemeny: preferences must be finite and >= 0".into()));
    }
    let o = linear_ordering(p, n, opts)?;
    let mut position = vec![0usize; n];
    for (k, &i) in o.order.iter().enumerate() {
        position[i as usize] = k;
    }
    let mut cost = 0.0;
    for b in 0..n {
        for a in 0..n {
            if a != b && position[a] < position[b] {
                cost += p[b * n + a];
            }
        }
    }
    let lower_bound = if o.optimal { cost } else { (cost - (o.upper_bound - o.value)).max(0.0) };
    Ok(Solution { order: o.order, cost, lower_bound, optimal: o.optimal, components: o.components, stats: o.stats })
}

/// The linear ordering problem of the `n × n` matrix `a` (row-major, any finite entries, the
/// diagonal ignored): an order maximising Σ over i placed before j of a[i][j].
pub fn linear_ordering(a: &[f64], n: usize, opts: &Options) -> Result<Ordering> {
    if a.len() != n * n {
        return Err(Error::InvalidArgument("linear ordering: matrix must be n × n".into()));
    }
    if (0..n * n).any(|k| k % (n + 1) != 0 && !a[k].is_finite()) {
        return Err(Error::InvalidArgument("linear ordering: entries must be finite".into()));
    }
    if opts.exact_limit > MAX_EXACT {
        return Err(Error::InvalidArgument(format!("kemeny: exact_limit is at most {MAX_EXACT}")));
    }
    if let Some(t) = opts.time_limit {
        if t.is_nan() || t < 0.0 {
            return Err(Error::InvalidArgument("kemeny: time_limit must be >= 0".into()));
        }
    }
    let at = |i: usize, j: usize| a[i * n + j];
    // i → j when i is not beaten by j (the pairs read tile by tile; n(n − 1)/2 edges or more).
    let mut edges = crate::memory::try_with_capacity(n * n.saturating_sub(1) / 2)?;
    let mut grown = Ok(());
    // Per item, the pairs it wins (a[i][j] > a[j][i]), counted in the same pass: they order
    // the components below.
    let mut wins = crate::memory::try_filled(n, 0u32)?;
    heuristic::for_pairs_tiled(n, |i, j| {
        let (x, y) = (at(i, j), at(j, i));
        wins[i] += u32::from(x > y);
        wins[j] += u32::from(y > x);
        for (keep, edge) in [(x >= y, (i as u32, j as u32)), (y >= x, (j as u32, i as u32))] {
            if keep && grown.is_ok() {
                grown = crate::memory::try_push(&mut edges, edge);
            }
        }
    });
    grown?;
    let (count, component_of) = Digraph::from_edges(n, edges.iter().copied())?.strongly_connected_components();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &c) in component_of.iter().enumerate() {
        members[c as usize].push(i);
    }
    // The condensation is a transitive tournament: A before B when A's items beat B's.
    let mut comps: Vec<Vec<usize>> = members.into_iter().filter(|c| !c.is_empty()).collect();
    let beaten: Vec<u32> = comps.iter().map(|c| wins[c[0]]).collect();
    let mut by_rank: Vec<usize> = (0..comps.len()).collect();
    by_rank.sort_by(|&x, &y| beaten[y].cmp(&beaten[x]));
    comps = by_rank.into_iter().map(|c| std::mem::take(&mut comps[c])).collect();

    let started = Instant::now();
    let deadline = opts.time_limit.map(|t| started + Duration::from_secs_f64(t.min(1e9)));
    let ctl = lop::Control::new(deadline, opts.cancel, opts.progress);
    let mut order = Vec::with_capacity(n);
    let mut upper_bound = 0.0;
    let mut optimal = true;
    let mut components = Vec::with_capacity(comps.len());
    let mut stats = Stats::default();
    for comp in &comps {
        let (sub, proven, ub) = solve_component(a, n, comp, opts, &ctl, &mut stats)?;
        optimal &= proven;
        upper_bound += ub;
        components.push(sub.iter().map(|&i| i as u32).collect());
        order.extend(sub);
    }
    stats.timed_out = ctl.timed_out.get();
    // Pairs in different components: their majority is strict and respected, a fixed gain.
    let mut position = vec![0usize; n];
    for (k, &i) in order.iter().enumerate() {
        position[i] = k;
    }
    let mut value = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i != j && position[i] < position[j] {
                value += at(i, j);
                if component_of[i] != component_of[j] {
                    upper_bound += at(i, j);
                }
            }
        }
    }
    if optimal {
        upper_bound = value;
    }
    Ok(Ordering { order: order.into_iter().map(|i| i as u32).collect(), value, upper_bound, optimal, components, stats })
}

/// One component: its items in order, whether the order is proven optimal, and an upper
/// bound on the value of its internal pairs.
fn solve_component(a: &[f64], n: usize, items: &[usize], opts: &Options, ctl: &lop::Control, stats: &mut Stats) -> Result<(Vec<usize>, bool, f64)> {
    let k = items.len();
    if k <= 1 {
        return Ok((items.to_vec(), true, 0.0));
    }
    // The component's matrix (diagonal zero); the whole matrix itself when the component is
    // every item (in order) and its diagonal is zero already: no copy of n × n.
    let whole = k == n && (0..n).all(|i| a[i * n + i] == 0.0);
    let copied;
    let sub: &[f64] = if whole {
        a
    } else {
        let mut c = crate::memory::try_filled(k * k, 0.0)?;
        for (x, &i) in items.iter().enumerate() {
            for (y, &j) in items.iter().enumerate() {
                if x != y {
                    c[x * k + y] = a[i * n + j];
                }
            }
        }
        copied = c;
        &copied
    };
    let to_items = |o: Vec<usize>| -> Vec<usize> { o.into_iter().map(|x| items[x]).collect() };
    if opts.method != Method::Heuristic && k <= opts.exact_limit {
        let (o, v) = solve_exact(sub, k, ctl)?;
        return Ok((to_items(o), true, v));
    }
    let wants_lp = match opts.method {
        Method::Heuristic => false,
        Method::Exact => true,
        Method::Auto => k <= AUTO_MAX_ITEMS,
    };
    let use_lp = wants_lp && !ctl.stop();
    if ctl.cancelled.get() {
        return Err(Error::Interrupted);
    }
    // An exact search starts from a quarter of the heuristic's kicks. When it is not proved
    // (the time limit), the heuristic's own full run (same seed and kicks as
    // `Method::Heuristic` without a limit; only Ctrl-C stops it) is kept if it is better, so
    // that whatever the limit exact never returns a worse order than the heuristic; the limit
    // may then be overrun by the heuristic's time (~0.2 s at 100 items). Run only when not
    // proved: a full heuristic run first costs more than the whole proof on small instances.
    let kicks = heuristic::kicks(k);
    let full_run = || heuristic::best_order(sub, k, opts.seed, kicks, &|| ctl.interrupted());
    let start = match (wants_lp, use_lp) {
        (true, true) => heuristic::best_order(sub, k, opts.seed, kicks / 4, &|| ctl.stop()),
        (true, false) => full_run(),
        (false, _) => heuristic::best_order(sub, k, opts.seed, kicks, &|| ctl.stop()),
    };
    if ctl.cancelled.get() {
        return Err(Error::Interrupted);
    }
    if use_lp {
        let mut out = lop::solve(sub, k, start, opts.seed, ctl)?;
        stats.nodes += out.nodes;
        stats.cut_rounds += out.rounds;
        stats.lp_iterations += out.lp_iterations;
        stats.lp_capped += out.capped;
        if !out.optimal {
            let (order, v) = full_run();
            if ctl.cancelled.get() {
                return Err(Error::Interrupted);
            }
            if v > heuristic::value(sub, k, &out.order) {
                out.order = order;
            }
        }
        return Ok((to_items(out.order), out.optimal, out.upper_bound));
    }
    // The trivial bound (every pair in its better orientation) less a packing of the 3-cycles
    // through the pairs the order reverses.
    let window = if k <= AUTO_MAX_ITEMS { k } else { PACKING_WINDOW };
    let step = lop::value_step(sub, k);
    let ub = heuristic::cycle_packing_bound(sub, k, &start.0, window, step.is_some(), &|| ctl.stop())?;
    if ctl.cancelled.get() {
        return Err(Error::Interrupted);
    }
    let scale: f64 = sub.iter().map(|v| v.abs()).sum();
    let proven = match step {
        Some(g) => ub < start.1 + g - 1e-9 * scale,
        None => ub <= start.1 + 1e-9 * scale,
    };
    Ok((to_items(start.0), proven, if proven { start.1 } else { ub }))
}

/// Exact order of a k × k matrix by DP over subsets: f[S] = best value of placing S first.
/// Ctrl-C is polled every 2^14 subsets (a few ms); the time limit does not stop it (the
/// subsets are few enough to finish, and a partial table has no order to return).
fn solve_exact(a: &[f64], k: usize, ctl: &lop::Control) -> Result<(Vec<usize>, f64)> {
    let full = (1usize << k) - 1;
    let mut best = crate::memory::try_filled(1 << k, f64::NEG_INFINITY)?;
    let mut choice = crate::memory::try_filled(1 << k, 0u8)?;
    best[0] = 0.0;
    for s in 0..full {
        if s & 0x3fff == 0x3fff && (ctl.stop() && ctl.cancelled.get()) {
            return Err(Error::Interrupted);
        }
        let base = best[s];
        if base == f64::NEG_INFINITY {
            continue;
        }
        for j in 0..k {
            if s & (1 << j) != 0 {
                continue;
            }
            // j goes after every item of s: those items gain a[i][j].
            let mut add = 0.0;
            let mut rest = s;
            while rest != 0 {
                let i = rest.trailing_zeros() as usize;
                add += a[i * k + j];
                rest &= rest - 1;
            }
            let t = s | (1 << j);
            // Ties: keep the first (smallest j) choice, so the result is deterministic.
            if base + add > best[t] {
                best[t] = base + add;
                choice[t] = j as u8;
            }
        }
    }
    let mut order = Vec::with_capacity(k);
    let mut s = full;
    while s != 0 {
        let j = choice[s] as usize;
        order.push(j);
        s &= !(1 << j);
    }
    order.reverse();
    Ok((order, best[full]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(p: &[f64], n: usize, order: &[u32]) -> f64 {
        let mut c = 0.0;
        for x in 0..n {
            for y in x + 1..n {
                c += p[order[y] as usize * n + order[x] as usize];
            }
        }
        c
    }

    fn permutations(n: usize) -> Vec<Vec<u32>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for k in 0..=p.len() {
                let mut q = p.clone();
                q.insert(k, (n - 1) as u32);
                out.push(q);
            }
        }
        out
    }

    #[test]
    fn matches_brute_force_on_random_matrices() {
        let mut s = 11u64;
        for trial in 0..60 {
            let n = 2 + trial % 6;
            let mut p = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        p[i * n + j] = ((s >> 33) % 7) as f64;
                    }
                }
            }
            let best = permutations(n).iter().map(|o| cost(&p, n, o)).fold(f64::INFINITY, f64::min);
            let sol = kemeny(&p, n, 16).unwrap();
            assert!(sol.optimal);
            assert!((sol.cost - best).abs() < 1e-9, "trial {trial}: {} vs {best}", sol.cost);
            assert!((sol.cost - cost(&p, n, &sol.order)).abs() < 1e-9);
            assert!((sol.lower_bound - sol.cost).abs() < 1e-9);
            // The heuristic never beats the optimum, and claims optimality only when it holds.
            let h = kemeny(&p, n, 0).unwrap();
            assert!(h.cost >= best - 1e-9 && h.lower_bound <= best + 1e-9);
            assert!(!h.optimal || (h.cost - best).abs() < 1e-9);
        }
    }

    pub(crate) fn random_matrix(k: usize, seed: u64, kind: u32) -> Vec<f64> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        let mut a = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                if i != j {
                    a[i * k + j] = match kind {
                        0 => (next() % 10) as f64,         // small integers, many ties
                        1 => (next() % 1000) as f64 / 7.0, // no common grain
                        2 => (next() % 21) as f64 - 10.0,  // negative entries
                        _ => {
                            if next() % 3 == 0 {
                                (next() % 100) as f64
                            } else {
                                0.0
                            }
                        } // sparse, LOLIB-like
                    };
                }
            }
        }
        a
    }

    #[test]
    fn lp_branch_and_bound_matches_the_dp() {
        for trial in 0..24u64 {
            let k = 12 + (trial as usize % 7);
            let a = random_matrix(k, 100 + trial, (trial % 4) as u32);
            let dp = linear_ordering(&a, k, &Options { exact_limit: 18, ..Options::default() }).unwrap();
            let lp = linear_ordering(&a, k, &Options { exact_limit: 0, method: Method::Exact, ..Options::default() }).unwrap();
            assert!(dp.optimal);
            assert!(lp.optimal, "trial {trial}: value {} bound {}", lp.value, lp.upper_bound);
            let tol = 1e-9 * a.iter().map(|v| v.abs()).sum::<f64>();
            assert!((lp.value - dp.value).abs() <= tol, "trial {trial}: lp {} dp {}", lp.value, dp.value);
            let order: Vec<usize> = lp.order.iter().map(|&i| i as usize).collect();
            assert!((heuristic::value(&a, k, &order) - lp.value).abs() <= tol);
            // The heuristic alone never beats the optimum, and its bound is above it.
            let h = linear_ordering(&a, k, &Options { exact_limit: 0, method: Method::Heuristic, ..Options::default() }).unwrap();
            assert!(h.value <= dp.value + tol && h.upper_bound >= dp.value - tol);
            assert!(!h.optimal || (h.value - dp.value).abs() <= tol);
        }
    }

    #[test]
    fn larger_instances_are_proved_and_bounds_hold_under_a_time_limit() {
        let k = 40;
        let a = random_matrix(k, 7, 3);
        let full = linear_ordering(&a, k, &Options { exact_limit: 0, ..Options::default() }).unwrap();
        assert!(full.optimal && full.upper_bound == full.value);
        // Stopped at the root and in the middle of the tree: the bound then comes from the open
        // second children (their strong-branching probe bounds) and the current node's.
        for limit in [0.0, 0.005, 0.02, 0.08] {
            let cut = linear_ordering(&a, k, &Options { exact_limit: 0, time_limit: Some(limit), ..Options::default() }).unwrap();
            assert!(cut.value <= full.value && cut.upper_bound >= full.value, "limit {limit}: {} {} {}", cut.value, cut.upper_bound, full.value);
            assert!(cut.stats.timed_out || cut.optimal);
        }
        let stop = linear_ordering(&a, k, &Options { exact_limit: 0, cancel: &|| true, ..Options::default() });
        assert!(matches!(stop, Err(Error::Interrupted)));
        // The subset DP polls too (21 items: 2^21 subsets, seconds without the poll).
        let a = random_matrix(21, 5, 9);
        let started = std::time::Instant::now();
        let stop = linear_ordering(&a, 21, &Options { exact_limit: 22, cancel: &|| true, ..Options::default() });
        assert!(matches!(stop, Err(Error::Interrupted)), "{stop:?}");
        assert!(started.elapsed().as_secs_f64() < 0.5, "{:?}", started.elapsed());
    }

    #[test]
    fn kemeny_cost_and_bound_agree_with_the_ordering() {
        let k = 30;
        let p = random_matrix(k, 11, 0);
        let sol = kemeny_with(&p, k, &Options { exact_limit: 0, ..Options::default() }).unwrap();
        assert!(sol.optimal && sol.cost == sol.lower_bound);
        assert!((sol.cost - cost(&p, k, &sol.order)).abs() < 1e-9);
        let h = kemeny_with(&p, k, &Options { method: Method::Heuristic, ..Options::default() }).unwrap();
        assert!(h.cost >= sol.cost - 1e-9 && h.lower_bound <= sol.cost + 1e-9);
    }
}
