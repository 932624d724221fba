//! Exact linear ordering by branch and bound on the LP relaxation with 3-dicycle cuts
//! (Grötschel, Jünger & Reinelt 1984).
//!
//! Variables x_ij (i < j) say "i before j"; the value of an order is K + Σ w_ij x_ij with
//! w_ij = a[i][j] − a[j][i] and K = Σ_{i<j} a[j][i]. The LP keeps 0 ≤ x ≤ 1 and the violated
//! inequalities x_ij + x_jk + x_ki ≤ 2 found by enumerating all triples (in parallel); the most
//! violated few hundred are added per round and the dual simplex re-optimizes from the previous
//! basis; rows that stay slack for three rounds are dropped. An integral LP point without a
//! violated 3-cycle is a linear order. When the LP stays fractional, the search branches on
//! a pair chosen by pseudocosts and short strong-branching probes (depth first, the rounded
//! side first); each probe and the second child start from the node's own LP (its rows and
//! optimal basis, [`Snapshot`]), as the first child does. Nodes are pruned by the safe
//! Lagrangian bound of the LP (see `simplex`), and, when the order values lie on a lattice
//! (every entry a multiple of some 2⁻ᵗ; see [`value_step`]), as soon as no order can beat the
//! incumbent by a whole lattice step. After the root, reduced-cost fixing removes the pairs
//! whose flip would cost more than the gap.
//!
//! Every LP solve has a finite pivot budget ([`Search::pivot_budget`]): cost perturbation and
//! Harris tolerances make cycling unlikely, not impossible. A solve that spends its budget is
//! restarted once from the slack basis with fresh perturbed costs; if that one runs out too,
//! the node is left unresolved: its bound (valid for any dual-feasible basis) stays above the
//! incumbent, so the search no longer claims optimality, and it goes on with the other nodes.

use super::heuristic;
use super::simplex::{Lp, Row, Snapshot, Status};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::cell::Cell;
use std::time::{Duration, Instant};

/// A cycle's violation as a heap key (total order; the values are finite).
#[derive(PartialEq)]
struct Violation(f64);

impl Eq for Violation {}

impl PartialOrd for Violation {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Violation {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Stop conditions, polled between LP pivots (at most every 50 ms for `cancel`).
pub(crate) struct Control<'a> {
    pub deadline: Option<Instant>,
    pub cancel: &'a dyn Fn() -> bool,
    pub progress: Option<&'a dyn Fn(&str)>,
    last_poll: Cell<Instant>,
    pub(crate) cancelled: Cell<bool>,
    pub(crate) timed_out: Cell<bool>,
    /// Pivots per LP solve at most, instead of [`Search::pivot_budget`] (tests force the cap).
    pub(crate) pivot_cap: Option<usize>,
}

impl<'a> Control<'a> {
    pub fn new(deadline: Option<Instant>, cancel: &'a dyn Fn() -> bool, progress: Option<&'a dyn Fn(&str)>) -> Self {
        Control { deadline, cancel, progress, last_poll: Cell::new(Instant::now()), cancelled: Cell::new(false), timed_out: Cell::new(false), pivot_cap: None }
    }

    /// True once the deadline has passed or the caller cancelled.
    pub fn stop(&self) -> bool {
        if self.cancelled.get() || self.timed_out.get() {
            return true;
        }
        // One clock read for both tests (the heuristic polls this between its passes).
        let now = Instant::now();
        if self.deadline.is_some_and(|d| now >= d) {
            self.timed_out.set(true);
            return true;
        }
        self.interrupted_at(now)
    }

    /// True once the caller cancelled (the deadline aside).
    pub fn interrupted(&self) -> bool {
        self.cancelled.get() || self.interrupted_at(Instant::now())
    }

    /// [`Self::interrupted`] with the clock already read: asks the caller's `cancel` at most
    /// every 50 ms.
    fn interrupted_at(&self, now: Instant) -> bool {
        if self.cancelled.get() {
            return true;
        }
        if now.duration_since(self.last_poll.get()) >= Duration::from_millis(50) {
            self.last_poll.set(now);
            if (self.cancel)() {
                self.cancelled.set(true);
                return true;
            }
        }
        false
    }

    pub fn report(&self, msg: &str) {
        if let Some(p) = self.progress {
            p(msg);
        }
    }
}

/// The outcome for one matrix.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub order: Vec<usize>,
    pub upper_bound: f64,
    pub optimal: bool,
    pub nodes: u64,
    pub rounds: u64,
    pub lp_iterations: u64,
    /// LP solves that ran out of pivots twice (their nodes left unresolved).
    pub capped: u64,
}

/// The largest 2⁻ᵗ (t ≤ 20) of which every entry is a multiple, if any, provided the entries'
/// magnitudes sum to less than 2⁵² of it: then every sum of entries (an order's value) is
/// computed exactly and is a multiple of it too.
pub(crate) fn granularity(a: &[f64]) -> Option<f64> {
    // One pass: v = odd · 2^e is a multiple of 2⁻ᵗ iff t ≥ −e; the total only grows with t, so
    // the first t that fits both tests is the largest −e (at least 0), if it passes the total's.
    let mut total = 0.0;
    let mut t = 0i32;
    for &v in a {
        total += v.abs();
        if v != 0.0 && v.is_finite() {
            let bits = v.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i32;
            let frac = bits & ((1u64 << 52) - 1);
            let (mant, e) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
            t = t.max(-(e + mant.trailing_zeros() as i32));
        }
    }
    let g = (0.5f64).powi(t);
    (t <= 20 && total / g < 4.0e15).then_some(g)
}

/// The spacing of the possible order values of the k × k matrix `a`: every order's value is
/// K + Σ_{i<j} w_ij x_ij with w_ij = a[i][j] − a[j][i] and x ∈ {0, 1}, so when every w_ij is an
/// integer multiple of G, values differ by multiples of G (e.g. G = 2 for the Kemeny matrix of
/// an even number of complete rankings). None when the entries share no such grain (see
/// [`granularity`]).
pub(crate) fn value_step(a: &[f64], k: usize) -> Option<f64> {
    let g = granularity(a)?;
    let mut acc: u64 = 0;
    heuristic::for_pairs_tiled(k, |i, j| {
        // Exact: both entries are integer multiples of g below 2⁵² g.
        let q = ((a[i * k + j] - a[j * k + i]) / g).abs() as u64;
        // Most margins are multiples of the gcd so far (a power of two: one mask, no division).
        if acc.is_power_of_two() && q & (acc - 1) == 0 {
            return;
        }
        let (mut x, mut y) = (acc, q);
        while y != 0 {
            (x, y) = (y, x % y);
        }
        acc = x;
    });
    Some(if acc == 0 { g } else { g * acc as f64 })
}

const VIOLATION: f64 = 1e-6;
/// Strong-branching probes per node (pairs without pseudocosts on both sides), and their
/// dual pivots each.
const PROBES: usize = 4;
const PROBE_PIVOTS: usize = 50;
const INTEGRAL: f64 = 1e-6;
/// Pivots per LP solve at most: this many per row and column, plus a constant. A dual simplex
/// re-optimizing after a round of cuts takes a fraction of the rows; a solve from scratch a
/// few times them.
const PIVOTS_PER_DIMENSION: usize = 20;
const PIVOTS_AT_LEAST: usize = 10_000;

struct Search<'a> {
    a: &'a [f64],
    k: usize,
    idx: Vec<u32>,
    /// The LP values as a dense k × k matrix (X[i][j], X[j][i] = 1 − X[i][j]) for the cut
    /// search, allocated once (fallibly) and rewritten each round.
    xm: Vec<f64>,
    pairs: Vec<(u32, u32)>,
    w: Vec<f64>,
    konst: f64,
    grain: Option<f64>,
    scale: f64,
    lp: Lp,
    best: Vec<usize>,
    best_val: f64,
    ctl: &'a Control<'a>,
    started: Instant,
    nodes: u64,
    rounds: u64,
    /// Per branching node on the current path whose second child is still to come, that
    /// child's bound (a stop reports the largest of these and the current node's).
    open: Vec<f64>,
    stop_ub: f64,
    unproven: bool,
    last_report: Instant,
    fixed_at_root: bool,
    root_ub: f64,
    seed: u64,
    /// Per pair and side (0: x = 0, 1: x = 1): sum of bound losses per unit, count.
    pc: Vec<[(f64, u32); 2]>,
    pc_total: [(f64, u32); 2],
    /// Largest sum of magnitudes seen in a safe bound (a scale for its rounding).
    bound_mag: f64,
    /// LP solves left unfinished by the pivot budget.
    capped: u64,
    /// An allocation that failed while the search ran (it then ends with this error).
    error: Option<Error>,
}

enum End {
    Done,
    Stopped,
}

/// Solves the linear ordering problem of the k × k matrix `a` (diagonal ignored) from the
/// incumbent `start`; `Err(Interrupted)` if cancelled.
pub(crate) fn solve(a: &[f64], k: usize, start: (Vec<usize>, f64), seed: u64, ctl: &Control) -> Result<Outcome> {
    let nv = k * (k - 1) / 2;
    let mut idx = crate::memory::try_filled(k * k, u32::MAX)?;
    let mut pairs = crate::memory::try_with_capacity(nv)?;
    let mut w = crate::memory::try_with_capacity(nv)?;
    let mut konst = 0.0;
    for i in 0..k {
        for j in i + 1..k {
            idx[i * k + j] = pairs.len() as u32;
            idx[j * k + i] = pairs.len() as u32;
            pairs.push((i as u32, j as u32));
            w.push(a[i * k + j] - a[j * k + i]);
            konst += a[j * k + i];
        }
    }
    let scale = a.iter().map(|v| v.abs()).sum::<f64>();
    let mut lp = Lp::new(crate::memory::try_collect(nv, w.iter().map(|v| -v))?)?;
    lp.perturb(seed)?;
    let mut s = Search {
        a,
        k,
        idx,
        xm: crate::memory::try_filled(k * k, 0.0)?,
        pairs,
        w,
        konst,
        grain: value_step(a, k),
        scale,
        lp,
        best: start.0,
        best_val: start.1,
        ctl,
        started: Instant::now(),
        nodes: 0,
        rounds: 0,
        open: Vec::new(),
        stop_ub: f64::INFINITY,
        unproven: false,
        last_report: Instant::now(),
        fixed_at_root: false,
        root_ub: f64::INFINITY,
        seed,
        pc: crate::memory::try_filled(nv, [(0.0, 0); 2])?,
        pc_total: [(0.0, 0); 2],
        bound_mag: 0.0,
        capped: 0,
        error: None,
    };
    let end = s.node(f64::INFINITY, None);
    if ctl.cancelled.get() {
        return Err(Error::Interrupted);
    }
    if let Some(e) = s.error.take() {
        return Err(e);
    }
    let (upper_bound, optimal) = match end {
        End::Done if !s.unproven => (s.best_val, true),
        End::Done => (s.best_val.max(s.root_ub), false),
        End::Stopped => (s.stop_ub.max(s.best_val), false),
    };
    s.ctl.report(&format!(
        "kemeny: component of {} items done: {} nodes, {} cut rounds, {} LP pivots ({} solves out of pivots), {:.2} s; best order value {}, upper bound {}{}",
        k,
        s.nodes,
        s.rounds,
        s.lp.iterations,
        s.capped,
        s.started.elapsed().as_secs_f64(),
        s.best_val,
        upper_bound,
        if optimal { " (optimal)" } else { "" }
    ));
    Ok(Outcome { order: s.best, upper_bound, optimal, nodes: s.nodes, rounds: s.rounds, lp_iterations: s.lp.iterations, capped: s.capped })
}

impl Search<'_> {
    /// The pivots one LP solve may take: generous (see [`PIVOTS_PER_DIMENSION`]) but finite,
    /// so that a cycling dual simplex cannot run for ever.
    fn pivot_budget(&self) -> usize {
        self.ctl.pivot_cap.unwrap_or_else(|| PIVOTS_PER_DIMENSION.saturating_mul(self.pairs.len() + self.lp.rows()).saturating_add(PIVOTS_AT_LEAST))
    }

    /// An order's value must exceed this to beat the incumbent.
    fn threshold(&self) -> f64 {
        // Rounding in the bound's sum is far below 1e-9 of the magnitudes summed.
        let slack = 1e-9 * self.scale.max(self.bound_mag);
        match self.grain {
            Some(g) => self.best_val + g - slack,
            None => self.best_val + slack,
        }
    }

    /// The safe bound of the current LP on the order value (maximisation form).
    fn bound(&mut self) -> f64 {
        let (l, mag) = self.lp.safe_bound();
        self.bound_mag = self.bound_mag.max(mag);
        self.konst - l
    }

    fn offer(&mut self, order: Vec<usize>) {
        let v = heuristic::value(self.a, self.k, &order);
        if v > self.best_val {
            self.best_val = v;
            self.best = order;
        }
    }

    /// Items by their LP score Σ_j x(i before j); and whether x is integral.
    fn order_from_lp(&self) -> (Vec<usize>, bool) {
        let x = self.lp.values();
        let mut score = vec![0.0; self.k];
        let mut integral = true;
        for (e, &(i, j)) in self.pairs.iter().enumerate() {
            let v = x[e];
            if v > INTEGRAL && v < 1.0 - INTEGRAL {
                integral = false;
            }
            score[i as usize] += v;
            score[j as usize] += 1.0 - v;
        }
        let mut order: Vec<usize> = (0..self.k).collect();
        order.sort_by(|&p, &q| score[q].total_cmp(&score[p]).then(p.cmp(&q)));
        (order, integral)
    }

    fn separate(&mut self) -> Result<Vec<Row>> {
        let k = self.k;
        let x = self.lp.values();
        for (e, &(i, j)) in self.pairs.iter().enumerate() {
            self.xm[i as usize * k + j as usize] = x[e];
            self.xm[j as usize * k + i as usize] = 1.0 - x[e];
        }
        let xm = &self.xm;
        // With X[l][i] = 1 − X[i][l], the cycle i → j → l → i has slack
        // 2 − (X[i][j] + X[j][l] + X[l][i]) = 1 − X[i][j] − X[j][l] + X[i][l]: rows only.
        // Per first item i, its violated cycles (fallible: up to k³/6 of them in all), each list
        // sorted by violation, largest first; they are then read in one merged order (largest
        // first; equal ones by i, then as found), never concatenated: the peak is the lists.
        let mut found: Vec<Vec<(f64, u32, u32, u32, bool)>> = (0..k)
            .into_par_iter()
            .map(|i| -> Result<Vec<(f64, u32, u32, u32, bool)>> {
                let mut out = Vec::new();
                let row_i = &xm[i * k..(i + 1) * k];
                for j in i + 1..k {
                    let c = row_i[j] - 1.0;
                    let row_j = &xm[j * k..(j + 1) * k];
                    for l in j + 1..k {
                        let v1 = c + row_j[l] - row_i[l]; // i → j → l → i
                        if v1 > VIOLATION {
                            crate::memory::try_push(&mut out, (v1, i as u32, j as u32, l as u32, true))?;
                        } else if v1 < -1.0 - VIOLATION {
                            crate::memory::try_push(&mut out, (-1.0 - v1, i as u32, j as u32, l as u32, false))?;
                        }
                    }
                }
                out.sort_by(|p, q| q.0.total_cmp(&p.0));
                Ok(out)
            })
            .collect::<Result<_>>()?;
        let max_cuts = 4 * k + 100;
        let mut uses = crate::memory::try_filled(self.pairs.len(), 0u8)?;
        let mut rows = Vec::new();
        // The merge: a heap of each list's next cycle, keyed (violation, then lower i first).
        let mut next = vec![0usize; k];
        let mut heads: std::collections::BinaryHeap<(Violation, std::cmp::Reverse<usize>)> =
            found.iter().enumerate().filter(|(_, f)| !f.is_empty()).map(|(i, f)| (Violation(f[0].0), std::cmp::Reverse(i))).collect();
        while let Some((_, std::cmp::Reverse(list))) = heads.pop() {
            let (_, i, j, l, forward) = found[list][next[list]];
            next[list] += 1;
            if let Some(f) = found[list].get(next[list]) {
                heads.push((Violation(f.0), std::cmp::Reverse(list)));
            } else {
                found[list] = Vec::new(); // read to the end: freed
            }
            let (i, j, l) = (i as usize, j as usize, l as usize);
            let e = [self.idx[i * k + j], self.idx[j * k + l], self.idx[i * k + l]];
            if e.iter().any(|&e| uses[e as usize] >= 3) {
                continue;
            }
            for &e in &e {
                uses[e as usize] += 1;
            }
            // Forward: x_ij + x_jl − x_il ≤ 1; backward (i → l → j → i): −x_ij − x_jl + x_il ≤ 0.
            rows.push(if forward { Row { var: e, coef: [1.0, 1.0, -1.0], rhs: 1.0 } } else { Row { var: e, coef: [-1.0, -1.0, 1.0], rhs: 0.0 } });
            if rows.len() >= max_cuts {
                break;
            }
        }
        Ok(rows)
    }

    fn maybe_report(&mut self, ub: f64, force: bool) {
        if self.ctl.progress.is_none() {
            return;
        }
        let now = Instant::now();
        if !force && now.duration_since(self.last_report) < Duration::from_millis(500) {
            return;
        }
        self.last_report = now;
        let msg = format!(
            "kemeny: {:.2} s, component of {} items, node {}, cut round {}, {} rows, {} pivots: best order value {}, upper bound {:.6}",
            self.started.elapsed().as_secs_f64(),
            self.k,
            self.nodes,
            self.rounds,
            self.lp.rows(),
            self.lp.iterations,
            self.best_val,
            ub
        );
        self.ctl.report(&msg);
    }

    /// Fixes, at the root, every pair whose other orientation would bring the bound below the
    /// threshold (valid for the whole search: the root's duals bound every subproblem).
    fn reduced_cost_fixing(&mut self, ub: f64) {
        let thr = self.threshold();
        for e in 0..self.pairs.len() {
            let (lo, up) = self.lp.bounds(e);
            if lo == up {
                continue;
            }
            // The safe bound's term for e is min(d·lo, d·up); the other bound costs |d|·(up − lo).
            let (d, at) = self.lp.reduced_cost(e);
            if at.is_none() || d == 0.0 {
                continue;
            }
            if ub - d.abs() * (up - lo) * (1.0 - 1e-9) < thr {
                let v = if d > 0.0 { lo } else { up };
                self.lp.set_bounds(e, v, v);
            }
        }
    }

    /// The pseudocost (bound lost per unit of change) of moving pair e down (side 0) or up.
    fn pseudocost(&self, e: usize, side: usize) -> Option<f64> {
        let (sum, n) = self.pc[e][side];
        (n > 0).then(|| sum / n as f64)
    }

    fn record(&mut self, e: usize, side: usize, frac: f64, loss: f64) {
        if frac > INTEGRAL && loss.is_finite() {
            let per_unit = loss.max(0.0) / frac;
            self.pc[e][side].0 += per_unit;
            self.pc[e][side].1 += 1;
            self.pc_total[side].0 += per_unit;
            self.pc_total[side].1 += 1;
        }
    }

    /// The bound of the child with pair e fixed to `v`, by at most `pivots` dual pivots from the
    /// current basis (any dual-feasible basis bounds the child); −∞ when the child is pruned.
    /// The bounds of e and the node's LP (`snap`) are restored afterwards.
    fn probe(&mut self, e: usize, v: f64, node_ub: f64, pivots: usize, snap: &Snapshot) -> Result<f64> {
        self.lp.set_bounds(e, v, v);
        let cutoff = self.konst - self.threshold();
        let ctl = self.ctl;
        let status = self.lp.dual(cutoff, &|| ctl.stop(), pivots);
        let ub = match status? {
            Status::Cutoff | Status::Infeasible => f64::NEG_INFINITY,
            Status::Failed => node_ub,
            _ => node_ub.min(self.bound()),
        };
        self.lp.set_bounds(e, 0.0, 1.0);
        self.lp.restore(snap)?;
        Ok(ub)
    }

    /// Reliability branching: pairs scored by the product of their estimated bound losses
    /// (pseudocosts); the best few whose pseudocosts are not yet known on both sides are first
    /// probed by a short dual simplex run (strong branching). Returns the pair, the side to
    /// explore first, and a bound on the other side's child: its probe's when the pair was
    /// probed (−∞ when that child is pruned), else `node_ub`.
    fn choose_branch(&mut self, node_ub: f64, snap: &Snapshot) -> Result<(usize, f64, f64)> {
        let x = crate::memory::try_collect(self.pairs.len(), self.lp.values().iter().copied())?;
        let avg = |s: &Self, side: usize| -> f64 {
            let (sum, n) = s.pc_total[side];
            if n > 0 {
                sum / n as f64
            } else {
                1.0
            }
        };
        let score = |s: &Self, e: usize| -> f64 {
            let down = s.pseudocost(e, 0).unwrap_or_else(|| avg(s, 0)) * x[e];
            let up = s.pseudocost(e, 1).unwrap_or_else(|| avg(s, 1)) * (1.0 - x[e]);
            down.max(1e-6) * up.max(1e-6)
        };
        let fractional = (0..self.pairs.len()).filter(|&e| x[e].min(1.0 - x[e]) > INTEGRAL);
        let mut cands: Vec<usize> = crate::memory::try_collect(fractional.clone().count(), fractional)?;
        // Candidates by fractionality × weight: the first few without pseudocosts on both sides
        // are probed, the others scored by their pseudocosts.
        cands.sort_by(|&p, &q| {
            let key = |e: usize| x[e].min(1.0 - x[e]) * self.w[e].abs();
            key(q).total_cmp(&key(p)).then(p.cmp(&q))
        });
        let mut probed = 0;
        let mut best: Option<(f64, usize, f64, f64)> = None; // (score, e, first side, other side's bound)
        for &e in &cands {
            let reliable = self.pc[e][0].1 > 0 && self.pc[e][1].1 > 0;
            let (sc, bounds) = if !reliable && probed < PROBES && !self.ctl.stop() {
                probed += 1;
                let down = self.probe(e, 0.0, node_ub, PROBE_PIVOTS, snap)?;
                let up = self.probe(e, 1.0, node_ub, PROBE_PIVOTS, snap)?;
                if down == f64::NEG_INFINITY || up == f64::NEG_INFINITY {
                    // One side is pruned outright: branch here, the surviving side first.
                    return Ok(if down == f64::NEG_INFINITY { (e, 1.0, down) } else { (e, 0.0, up) });
                }
                self.record(e, 0, x[e], node_ub - down);
                self.record(e, 1, 1.0 - x[e], node_ub - up);
                ((node_ub - down).max(1e-6) * (node_ub - up).max(1e-6), [down, up])
            } else {
                (score(self, e), [node_ub; 2])
            };
            if best.is_none_or(|b| sc > b.0) {
                let first = if x[e] >= 0.5 { 1.0 } else { 0.0 };
                best = Some((sc, e, first, bounds[1 - first as usize]));
            }
        }
        let (_, e, first, other) = best.expect("a fractional pair");
        Ok((e, first, other))
    }

    /// Ends the search with `e` (an allocation that failed): the caller returns it.
    fn fail(&mut self, e: Error) -> End {
        self.error = Some(e);
        End::Stopped
    }

    fn node(&mut self, parent_ub: f64, branched: Option<(usize, usize, f64)>) -> End {
        self.nodes += 1;
        let mut node_ub = parent_ub;
        let mut first_lp = true;
        let mut restarted = false;
        loop {
            let cutoff = self.konst - self.threshold();
            let ctl = self.ctl;
            let status = match self.lp.dual(cutoff, &|| ctl.stop(), self.pivot_budget()) {
                Ok(status) => status,
                Err(e) => return self.fail(e),
            };
            match status {
                Status::Cutoff | Status::Infeasible => return End::Done,
                Status::Failed => {
                    self.unproven = true;
                    return End::Done;
                }
                Status::Limit if !restarted => {
                    // Out of pivots (cycling?): once more from the slack basis, with costs
                    // perturbed afresh (the loop below restores the true ones before trusting
                    // an integral point).
                    restarted = true;
                    let seed = self.seed ^ self.nodes.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    if let Err(e) = self.lp.reset_basis().and_then(|()| self.lp.perturb(seed)) {
                        return self.fail(e);
                    }
                    continue;
                }
                Status::Limit => {
                    // Unresolved: the basis is still dual feasible, so its bound holds for this
                    // node (and, at the root, for all); nothing below it is explored, and the
                    // search no longer claims optimality.
                    self.capped += 1;
                    self.unproven = true;
                    if self.nodes == 1 {
                        self.root_ub = node_ub.min(self.bound());
                    }
                    return End::Done;
                }
                Status::Stopped => {
                    let here = node_ub.min(self.bound());
                    self.stop_ub = self.open.iter().fold(here, |m, &b| m.max(b));
                    return End::Stopped;
                }
                Status::Optimal => restarted = false,
            }
            node_ub = node_ub.min(self.bound());
            if first_lp {
                first_lp = false;
                if let Some((e, side, frac)) = branched {
                    self.record(e, side, frac, parent_ub - node_ub);
                }
            }
            if self.nodes == 1 {
                self.root_ub = node_ub;
            }
            if node_ub < self.threshold() {
                return End::Done;
            }
            let cuts = match self.separate() {
                Ok(cuts) => cuts,
                Err(e) => return self.fail(e),
            };
            if !cuts.is_empty() {
                self.rounds += 1;
                if let Err(e) = self.lp.purge(3).and_then(|_| self.lp.add_rows(&cuts)) {
                    return self.fail(e);
                }
                self.maybe_report(node_ub, self.nodes == 1);
                continue;
            }
            if self.lp.is_perturbed() {
                if let Err(e) = self.lp.unperturb() {
                    return self.fail(e);
                }
                continue;
            }
            let (order, integral) = self.order_from_lp();
            if integral {
                self.offer(order);
                if node_ub < self.threshold() {
                    return End::Done;
                }
                // An integral LP point whose bound still exceeds it: rounding trouble.
                self.unproven = true;
                return End::Done;
            }
            // Primal side: the LP's order improved by insertion moves; at the root and every 64
            // nodes also an iterated local search from it.
            let mut o = order;
            let eps = 1e-12 * self.scale;
            let ctl = self.ctl;
            heuristic::insertion(self.a, self.k, &mut o, eps, &|| ctl.stop());
            if self.nodes == 1 || self.nodes % 64 == 0 {
                let rounds = if self.nodes == 1 { heuristic::kicks(self.k) } else { heuristic::kicks(self.k) / 8 };
                let (o2, _) = heuristic::iterated(self.a, self.k, o.clone(), self.seed.wrapping_add(self.nodes), rounds, &|| ctl.stop());
                self.offer(o2);
            }
            self.offer(o);
            if node_ub < self.threshold() {
                return End::Done;
            }
            if !self.fixed_at_root {
                self.fixed_at_root = true;
                self.reduced_cost_fixing(node_ub);
            }
            self.maybe_report(node_ub, false);
            // The node's LP, kept for its probes and its second child.
            let branch = self.lp.snapshot().and_then(|snap| {
                let x = crate::memory::try_collect(self.pairs.len(), self.lp.values().iter().copied())?;
                let chosen = self.choose_branch(node_ub, &snap)?;
                Ok((snap, x, chosen))
            });
            let (snap, x_parent, (e, first, second_ub)) = match branch {
                Ok(b) => b,
                Err(e) => return self.fail(e),
            };
            // The second child's bound: its strong-branching probe's (any dual-feasible basis
            // of its LP bounds it), else this node's. It is what the second child is worth while
            // the first one is explored (a stop reports it), and it prunes the second child when
            // the incumbent found meanwhile reaches it.
            let second_ub = second_ub.min(node_ub);
            for (side, v) in [first, 1.0 - first].into_iter().enumerate() {
                if side == 1 && second_ub < self.threshold() {
                    break;
                }
                // The second child starts from this node's LP (rows and optimal basis), not
                // from where the first child's subtree left it.
                if side == 0 {
                    self.open.push(second_ub);
                } else if let Err(e) = self.lp.restore(&snap) {
                    return self.fail(e);
                }
                self.lp.set_bounds(e, v, v);
                let frac = if v == 1.0 { 1.0 - x_parent[e] } else { x_parent[e] };
                let end = self.node(node_ub, Some((e, v as usize, frac)));
                self.lp.set_bounds(e, 0.0, 1.0);
                if side == 0 {
                    self.open.pop();
                }
                if let End::Stopped = end {
                    return End::Stopped;
                }
            }
            return End::Done;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kemeny::tests::random_matrix;
    use crate::kemeny::{linear_ordering, Options};

    /// A pivot cap down to one pivot per LP solve: the search still ends with a valid order,
    /// its value recomputed, a bound above the optimum (the subset DP's), and `optimal` only
    /// when the order is optimal; with one pivot the root's LP is left unresolved and nothing
    /// is claimed.
    #[test]
    fn a_pivot_cap_leaves_nodes_unresolved_and_never_claims_optimality() {
        for trial in 0..8u64 {
            let k = 12 + trial as usize % 5;
            let a = random_matrix(k, 31 + trial, if trial % 2 == 1 { 3 } else { 1 }); // sparse; no common grain
            let dp = linear_ordering(&a, k, &Options { exact_limit: 18, ..Options::default() }).unwrap();
            assert!(dp.optimal);
            let tol = 1e-9 * a.iter().map(|v| v.abs()).sum::<f64>();
            // A poor incumbent (the identity order), so the search has work to do.
            let start: Vec<usize> = (0..k).collect();
            let start_value = heuristic::value(&a, k, &start);
            for cap in [Some(1), Some(3), Some(10), Some(40), None] {
                let mut ctl = Control::new(None, &|| false, None);
                ctl.pivot_cap = cap;
                let out = solve(&a, k, (start.clone(), start_value), trial, &ctl).unwrap();
                let mut seen = out.order.clone();
                seen.sort_unstable();
                assert_eq!(seen, (0..k).collect::<Vec<_>>(), "trial {trial} cap {cap:?}: not a permutation");
                let value = heuristic::value(&a, k, &out.order);
                assert!(value <= dp.value + tol && value >= start_value - tol);
                assert!(out.upper_bound >= dp.value - tol, "trial {trial} cap {cap:?}: bound {} below the optimum {}", out.upper_bound, dp.value);
                assert!(!out.optimal || (value - dp.value).abs() <= tol, "trial {trial} cap {cap:?}: claims {value}, optimum {}", dp.value);
                match cap {
                    Some(1) => assert!(out.capped > 0 && !out.optimal, "trial {trial}: {out:?}"),
                    None => assert!(out.capped == 0 && out.optimal, "trial {trial}: {out:?}"),
                    _ => assert!(out.capped > 0 || out.optimal),
                }
            }
        }
    }

    /// The one-pass grain equals its definition: the first 2⁻ᵗ (t ≤ 20) dividing every entry
    /// with the magnitudes' sum below 4e15 of it.
    #[test]
    fn granularity_matches_its_definition() {
        let by_definition = |a: &[f64]| -> Option<f64> {
            let total: f64 = a.iter().map(|v| v.abs()).sum();
            (0..=20).map(|t| (0.5f64).powi(t)).find(|&g| total / g < 4.0e15 && a.iter().all(|&v| (v / g).fract() == 0.0))
        };
        let mut cases: Vec<Vec<f64>> = (0..8).map(|t| random_matrix(9, 40 + t, (t % 4) as u32)).collect();
        for scale in [0.5f64.powi(7), 0.5f64.powi(20), 0.5f64.powi(21), 3.0, 1e12, 1e300, 1e-310] {
            cases.push(random_matrix(9, 3, 0).iter().map(|v| v * scale).collect());
        }
        cases.push(vec![0.0, -0.0, 0.75, -1.5e9]);
        cases.push(vec![f64::MAX, 1.0]);
        cases.push(vec![1e15, 0.5, 3e15]);
        for a in &cases {
            assert_eq!(granularity(a), by_definition(a), "{a:?}");
        }
    }
}
