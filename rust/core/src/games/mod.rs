//! Symmetric zero-sum games: the maximal lottery (von Neumann winner, minimax winner).
//!
//! A skew-symmetric payoff `M` (`M[i][j] = −M[j][i]`) defines a game of value 0 whose optimal
//! mixed strategies `p` satisfy `Mᵀp ≥ 0`. Two solvers:
//!
//! - [`exact`]: the simplex method on the classical LP of a matrix game (payoffs shifted to be
//!   positive, `max Σy s.t. (M + c)y ≤ 1, y ≥ 0`; the slack basis is feasible, so no phase 1),
//!   steepest-edge pricing (Bland's rule after a long stall), then a polish: the equalities
//!   `(Mᵀp)_j = 0` on the support and `Σp = 1` are solved by LU with partial pivoting and one
//!   step of iterative refinement, so the reported exploitability is that of the polished `p`
//!   recomputed from `M` (≤ 1e-12 on well-scaled inputs). Two implementations of the same
//!   simplex ([`ExactSolver`]): [`blocked`] (the default: pivots applied to the tableau in
//!   blocks, norms from a sketch; decision 35) and the dense tableau rewritten per pivot.
//! - [`first_order`]: predictive regret matching⁺ in self-play on a sparse payoff, with linearly
//!   weighted averaging; it reports the exploitability it reached.
//!
//! `exploitability(p) = max_j −(Mᵀp)_j` (≥ 0): what a best response gains against `p`.

use crate::error::{Error, Result};
use rayon::prelude::*;

mod blocked;

/// A mixed strategy with its certificate.
#[derive(Debug, Clone)]
pub struct Lottery {
    pub p: Vec<f64>,
    /// max_j −(Mᵀp)_j, clamped at 0.
    pub exploitability: f64,
    /// Simplex pivots or first-order iterations.
    pub iterations: usize,
    /// True when the equilibrium is certified unique: strict complementarity and a support
    /// system of full rank. False means "not certified", not "not unique".
    pub unique: bool,
    pub converged: bool,
}

/// `max_j −(Mᵀp)_j` of a dense row-major `n × n` payoff, at least 0.
pub fn exploitability(m: &[f64], n: usize, p: &[f64]) -> f64 {
    let g = column_payoffs(m, n, p);
    g.iter().fold(0.0f64, |acc, &x| acc.max(-x))
}

/// `Mᵀp`: the payoff of each pure strategy j as the column player against p.
fn column_payoffs(m: &[f64], n: usize, p: &[f64]) -> Vec<f64> {
    // (Mᵀp)_j = Σ_i p_i M[i][j]; M is skew-symmetric, so this is −(Mp)_j, computed row-wise
    // (contiguous) and in parallel.
    (0..n)
        .into_par_iter()
        .map(|j| {
            let row = &m[j * n..(j + 1) * n];
            -row.iter().zip(p).map(|(a, b)| a * b).sum::<f64>()
        })
        .collect()
}

/// Checks a dense payoff: shape, finiteness, skew-symmetry (to 1e-9 of the largest entry).
pub fn check_skew(m: &[f64], n: usize) -> Result<f64> {
    if m.len() != n * n {
        return Err(Error::InvalidArgument(format!("payoff has {} entries, expected {n}×{n}", m.len())));
    }
    if n == 0 {
        return Err(Error::InvalidArgument("a game needs at least one item".into()));
    }
    let scale = m.iter().fold(0.0f64, |a, &x| a.max(x.abs()));
    if !scale.is_finite() {
        return Err(Error::InvalidArgument("payoff entries must be finite".into()));
    }
    for i in 0..n {
        for j in i..n {
            if (m[i * n + j] + m[j * n + i]).abs() > 1e-9 * scale.max(f64::MIN_POSITIVE) {
                return Err(Error::InvalidArgument(format!("payoff is not skew-symmetric: M[{i}][{j}] = {} but M[{j}][{i}] = {}", m[i * n + j], m[j * n + i])));
            }
        }
    }
    Ok(scale)
}

/// The condensed simplex tableau: `rows × cols` with the objective as the last row and the
/// right-hand side as the last column.
struct Tableau {
    t: Vec<f64>,
    w: usize,
}

impl Tableau {
    #[inline]
    fn at(&self, i: usize, j: usize) -> f64 {
        self.t[i * self.w + j]
    }

    /// Exchanges basic row `r` and nonbasic column `s` (Tucker's pivot), rows in parallel.
    /// Returns the squared norms of the new constraint columns (the steepest-edge weights),
    /// accumulated during the same pass.
    fn pivot(&mut self, r: usize, s: usize, rows: usize) -> Vec<f64> {
        let w = self.w;
        let piv = self.at(r, s);
        let prow: Vec<f64> = self.t[r * w..(r + 1) * w].iter().map(|x| x / piv).collect();
        let block = rows.div_ceil(rayon::current_num_threads().max(1) * 4).max(16);
        let zero = || vec![0.0f64; w];
        let (body, obj) = self.t.split_at_mut(rows * w);
        let norms = body
            .par_chunks_mut(w * block)
            .enumerate()
            .map(|(bi, chunk)| {
                let mut norms = zero();
                for (k, row) in chunk.chunks_mut(w).enumerate() {
                    let i = bi * block + k;
                    if i == r {
                        row.copy_from_slice(&prow);
                        row[s] = 1.0 / piv;
                    } else {
                        let f = row[s];
                        if f != 0.0 {
                            for (x, &y) in row.iter_mut().zip(&prow) {
                                *x -= f * y;
                            }
                            row[s] = -f / piv;
                        }
                    }
                    for (nrm, &x) in norms.iter_mut().zip(row.iter()) {
                        *nrm += x * x;
                    }
                }
                norms
            })
            .reduce(zero, |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            });
        // The objective row is updated the same way but not counted in the norms.
        let f = obj[s];
        if f != 0.0 {
            for (x, &y) in obj.iter_mut().zip(&prow) {
                *x -= f * y;
            }
            obj[s] = -f / piv;
        }
        norms
    }
}

/// Which implementation of the exact simplex [`exact_with`] runs. Both take the same pivots
/// in exact arithmetic; they differ in how the tableau is stored and priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactSolver {
    /// The tableau updated in blocks of pivots, steepest edge priced on a sketch of the
    /// column norms ([`blocked`], decision 35): the default.
    Blocked,
    /// The dense tableau rewritten at every pivot with exact steepest-edge norms (the method
    /// before decision 35; kept as the reference and for the bench).
    Tableau,
}

impl std::str::FromStr for ExactSolver {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_choice("algorithm", s, &[("blocked", ExactSolver::Blocked), ("tableau", ExactSolver::Tableau)])
    }
}

/// A reduced cost below `-EPS` prices a column in; a column entry above `EPS` can leave.
const EPS: f64 = 1e-11;

/// The simplex's final vertex: `y` (the structural variables), pivots, whether it is optimal.
struct Vertex {
    y: Vec<f64>,
    pivots: usize,
    converged: bool,
}

/// The entering column: steepest edge, the largest c_j² / (1 + ‖column j‖²) among negative
/// reduced costs, or Bland's lowest index (`bland`, after a long stall).
#[inline]
fn entering(obj: &[f64], norm: impl Fn(usize) -> f64, bland: bool) -> Option<usize> {
    if bland {
        return obj.iter().position(|&c| c < -EPS);
    }
    let (mut best, mut arg) = (0.0, None);
    for (j, &c) in obj.iter().enumerate() {
        if c < -EPS {
            let score = c * c / (1.0 + norm(j));
            if score > best {
                best = score;
                arg = Some(j);
            }
        }
    }
    arg
}

/// The leaving row: the minimum ratio rhs_i / col_i over col_i > EPS; near-ties to the larger
/// pivot, then the lower index.
#[inline]
fn leaving(col: impl Fn(usize) -> f64, rhs: impl Fn(usize) -> f64, rows: usize) -> Option<usize> {
    let mut r = None;
    let mut best_ratio = f64::INFINITY;
    let mut best_piv = 0.0;
    for i in 0..rows {
        let a = col(i);
        if a > EPS {
            let ratio = rhs(i) / a;
            if ratio < best_ratio - 1e-12 || (ratio <= best_ratio + 1e-12 && a > best_piv) {
                best_ratio = ratio.min(best_ratio);
                best_piv = a;
                r = Some(i);
            }
        }
    }
    r
}

/// The maximal lottery of a dense skew-symmetric payoff (row-major `n × n`) by the simplex
/// method ([`ExactSolver::Blocked`]) and a polish of the support system. `cancel` is polled
/// between pivots.
pub fn exact(m: &[f64], n: usize, cancel: &(dyn Fn() -> bool + Sync)) -> Result<Lottery> {
    exact_with(m, n, ExactSolver::Blocked, cancel)
}

/// [`exact`] by the named implementation of the simplex. The blocked simplex runs on the rayon
/// pool, watched for Ctrl-C (`interrupt::watched`: its pivots read the job's stop flag, and
/// `cancel` where it runs on the calling thread): its passes over the tableau are then joined
/// from a pool thread, which starts them itself instead of waiting for a sleeping thread to
/// wake up (on a loaded machine that wait cost more than the passes).
pub fn exact_with(m: &[f64], n: usize, solver: ExactSolver, cancel: &(dyn Fn() -> bool + Sync)) -> Result<Lottery> {
    let scale = check_skew(m, n)?;
    if scale == 0.0 {
        // Every item ties every other: every lottery is optimal; the uniform one is returned.
        return Ok(Lottery { p: vec![1.0 / n as f64; n], exploitability: 0.0, iterations: 0, unique: n == 1, converged: true });
    }
    if solver == ExactSolver::Blocked {
        // A Condorcet winner (a row of M positive off the diagonal) is the lottery: found in
        // O(n²) at most, before the blocked simplex builds its sketch (64 n²).
        if let Some(w) = (0..n).find(|&i| (0..n).all(|j| j == i || m[i * n + j] > 0.0)) {
            let mut p = vec![0.0; n];
            p[w] = 1.0;
            let unique = (0..n).all(|j| j == w || m[w * n + j] > 1e-9 * scale);
            return Ok(Lottery { exploitability: exploitability(m, n, &p), p, iterations: 0, unique, converged: true });
        }
    }
    let Vertex { y, pivots, converged } = match solver {
        ExactSolver::Blocked => crate::interrupt::watched(|stop| {
            let on_pool = rayon::current_thread_index().is_some();
            blocked::simplex(m, n, scale, &|| stop.stopped() || (!on_pool && cancel()))
        })??,
        ExactSolver::Tableau => tableau_simplex(m, n, scale, cancel)?,
    };
    polished(m, n, scale, y, pivots, converged)
}

/// The dense tableau simplex: the whole tableau rewritten at every pivot, exact steepest-edge
/// norms accumulated in the same pass.
fn tableau_simplex(m: &[f64], n: usize, scale: f64, cancel: &dyn Fn() -> bool) -> Result<Vertex> {
    // Shift the scaled payoff to [1, 3]: A = M/scale + 2 > 0, value 2.
    let w = n + 1;
    let mut tab = Tableau { t: crate::memory::try_filled(w * w, 0.0)?, w };
    for i in 0..n {
        for j in 0..n {
            tab.t[i * w + j] = m[i * n + j] / scale + 2.0;
        }
        tab.t[i * w + n] = 1.0;
    }
    for j in 0..n {
        tab.t[n * w + j] = -1.0;
    }
    // Variables: 0..n structural y_j, n..2n slacks.
    let mut row_var: Vec<usize> = (n..2 * n).collect();
    let mut col_var: Vec<usize> = (0..n).collect();
    let mut pivots = 0usize;
    let max_pivots = 50 * n + 1000;
    let mut stalled = 0usize;
    let mut last_obj = 0.0f64;
    let mut converged = false;
    let mut norms: Vec<f64> = (0..n).map(|j| (0..n).map(|i| tab.at(i, j).powi(2)).sum()).collect();
    while pivots < max_pivots {
        if cancel() {
            return Err(Error::Interrupted);
        }
        let Some(s) = entering(&tab.t[n * w..n * w + n], |j| norms[j], stalled > 2 * n) else {
            converged = true;
            break;
        };
        let Some(r) = leaving(|i| tab.at(i, s), |i| tab.at(i, n), n) else {
            return Err(Error::InvalidArgument("simplex: unbounded direction (payoff not skew-symmetric?)".into()));
        };
        norms = tab.pivot(r, s, n);
        std::mem::swap(&mut row_var[r], &mut col_var[s]);
        pivots += 1;
        let value = tab.at(n, n);
        if value > last_obj + 1e-15 {
            stalled = 0;
            last_obj = value;
        } else {
            stalled += 1;
        }
    }
    let mut y = vec![0.0; n];
    for (i, &v) in row_var.iter().enumerate() {
        if v < n {
            y[v] = tab.at(i, n).max(0.0);
        }
    }
    Ok(Vertex { y, pivots, converged })
}

/// The lottery of the simplex's vertex `y`, normalised, then polished on its support.
fn polished(m: &[f64], n: usize, scale: f64, y: Vec<f64>, pivots: usize, converged: bool) -> Result<Lottery> {
    // Primal y (the column player's strategy, optimal for both players of a symmetric game).
    let total: f64 = y.iter().sum();
    let mut raw: Vec<f64> = if total > 0.0 { y.iter().map(|v| v / total).collect() } else { vec![1.0 / n as f64; n] };
    // Basic variables at rounding-noise level (degenerate vertices) are zeros.
    raw.iter_mut().filter(|v| **v <= 1e-13).for_each(|v| *v = 0.0);
    let total: f64 = raw.iter().sum();
    raw.iter_mut().for_each(|v| *v /= total);
    let raw_exp = exploitability(m, n, &raw);
    // The support, its most probable item last: that item's equation is the one dropped.
    let mut support: Vec<usize> = (0..n).filter(|&j| raw[j] > 0.0).collect();
    if let Some(top) = (0..support.len()).max_by(|&a, &b| raw[support[a]].total_cmp(&raw[support[b]]).then(b.cmp(&a))) {
        let last = support.len() - 1;
        support.swap(top, last);
    }
    let mut best = Lottery { p: raw, exploitability: raw_exp, iterations: pivots, unique: false, converged };
    // Degenerate vertices (ties among margins) can hold items at probability ~0; they are
    // dropped from the support and the system solved again.
    for _ in 0..4 {
        let Some((p, unique)) = polish(m, n, &support, scale) else { break };
        let e = exploitability(m, n, &p);
        if e <= best.exploitability || e <= 1e-12 * scale {
            best.p = p.clone();
            best.exploitability = e;
            best.unique = unique;
        }
        let before = support.len();
        support.retain(|&j| p[j] > 0.0);
        if support.len() == before || support.is_empty() {
            break;
        }
    }
    Ok(best)
}

/// Solves `(Mᵀp)_j = 0` for j in the support (one redundant equation dropped) and `Σp = 1`.
/// Returns None when the system is singular or the solution leaves the simplex.
fn polish(m: &[f64], n: usize, support: &[usize], scale: f64) -> Option<(Vec<f64>, bool)> {
    let k = support.len();
    if k == 0 {
        return None;
    }
    // B (k × k): rows r < k−1: B[r][c] = M[S_c][S_r]; last row all ones. (No memory for it:
    // no polish, the tableau's answer stands.)
    let mut b = crate::memory::try_filled(k * k, 0.0).ok()?;
    for r in 0..k - 1 {
        for c in 0..k {
            b[r * k + c] = m[support[c] * n + support[r]] / scale;
        }
    }
    for c in 0..k {
        b[(k - 1) * k + c] = 1.0;
    }
    let mut rhs = vec![0.0; k];
    rhs[k - 1] = 1.0;
    let lu = Lu::factor(b.clone(), k)?;
    let mut x = lu.solve(&rhs);
    // One step of iterative refinement: x += B⁻¹(rhs − Bx).
    let res: Vec<f64> = (0..k).map(|r| rhs[r] - (0..k).map(|c| b[r * k + c] * x[c]).sum::<f64>()).collect();
    let dx = lu.solve(&res);
    for (xi, d) in x.iter_mut().zip(dx) {
        *xi += d;
    }
    if x.iter().any(|&v| !v.is_finite() || v < -1e-12) {
        return None;
    }
    let mut p = vec![0.0; n];
    for (c, &j) in support.iter().enumerate() {
        // Probabilities below 1e-13 are rounding noise of a degenerate vertex: exact zeros.
        p[j] = if x[c] > 1e-13 { x[c] } else { 0.0 };
    }
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= total);
    // Uniqueness: a well-conditioned support system, p > 0 on it and (Mᵀp)_j > 0 off it.
    let g = column_payoffs(m, n, &p);
    let strict_on = support.iter().all(|&j| p[j] > 1e-9);
    let in_support = {
        let mut v = vec![false; n];
        support.iter().for_each(|&j| v[j] = true);
        v
    };
    let strict_off = (0..n).filter(|&j| !in_support[j]).all(|j| g[j] > 1e-9 * scale);
    let unique = strict_on && strict_off && lu.min_pivot > 1e-9;
    Some((p, unique))
}

/// Dense LU with partial pivoting.
struct Lu {
    a: Vec<f64>,
    perm: Vec<usize>,
    k: usize,
    min_pivot: f64,
}

impl Lu {
    fn factor(mut a: Vec<f64>, k: usize) -> Option<Lu> {
        let mut perm: Vec<usize> = (0..k).collect();
        let norm = a.iter().fold(0.0f64, |m, &x| m.max(x.abs())).max(f64::MIN_POSITIVE);
        let mut min_pivot = f64::INFINITY;
        for col in 0..k {
            let (piv_row, piv) = (col..k).map(|r| (r, a[r * k + col].abs())).fold((col, -1.0), |b, x| if x.1 > b.1 { x } else { b });
            if piv <= 1e-14 * norm {
                return None;
            }
            min_pivot = min_pivot.min(piv / norm);
            if piv_row != col {
                for c in 0..k {
                    a.swap(col * k + c, piv_row * k + c);
                }
                perm.swap(col, piv_row);
            }
            let d = a[col * k + col];
            let (top, bottom) = a.split_at_mut((col + 1) * k);
            let pivot_row = &top[col * k..(col + 1) * k];
            bottom.par_chunks_mut(k).for_each(|row| {
                let f = row[col] / d;
                row[col] = f;
                if f != 0.0 {
                    for c in col + 1..k {
                        row[c] -= f * pivot_row[c];
                    }
                }
            });
        }
        Some(Lu { a, perm, k, min_pivot })
    }

    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let k = self.k;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| rhs[p]).collect();
        for r in 0..k {
            let s: f64 = (0..r).map(|c| self.a[r * k + c] * x[c]).sum();
            x[r] -= s;
        }
        for r in (0..k).rev() {
            let s: f64 = (r + 1..k).map(|c| self.a[r * k + c] * x[c]).sum();
            x[r] = (x[r] - s) / self.a[r * k + r];
        }
        x
    }
}

/// A sparse skew-symmetric payoff in CSR form: for each row i, `cols[offsets[i]..offsets[i+1]]`
/// with `vals` = M[i][col] (both (i, j) and (j, i) stored).
pub struct SparsePayoff<'a> {
    pub offsets: &'a [usize],
    pub cols: &'a [u32],
    pub vals: &'a [f64],
}

impl SparsePayoff<'_> {
    fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// `Mp`: the payoff of each pure row strategy against p.
    fn times(&self, p: &[f64], out: &mut [f64]) {
        out.par_iter_mut().enumerate().for_each(|(i, o)| {
            let (lo, hi) = (self.offsets[i], self.offsets[i + 1]);
            *o = self.cols[lo..hi].iter().zip(&self.vals[lo..hi]).map(|(&j, &v)| v * p[j as usize]).sum();
        });
    }

    /// max_i (Mp)_i = max_j −(Mᵀp)_j for a skew-symmetric M, at least 0.
    pub fn exploitability(&self, p: &[f64]) -> f64 {
        let mut u = vec![0.0; self.n()];
        self.times(p, &mut u);
        u.iter().fold(0.0f64, |a, &x| a.max(x))
    }
}

/// Predictive regret matching⁺ in self-play (Farina, Kroer & Sandholm 2021), linear averaging.
/// Stops when the average's exploitability is ≤ `tol` (checked every 10 iterations) or after
/// `max_iter` iterations.
pub fn first_order(m: &SparsePayoff, tol: f64, max_iter: usize, cancel: &dyn Fn() -> bool) -> Result<Lottery> {
    let n = m.n();
    if n == 0 {
        return Err(Error::InvalidArgument("a game needs at least one item".into()));
    }
    let mut regret = vec![0.0f64; n];
    let mut predicted = vec![0.0f64; n];
    let mut p = vec![0.0; n];
    let mut u = vec![0.0; n];
    let mut avg = vec![0.0; n];
    let mut weight_sum = 0.0;
    let mut avg_p = vec![1.0 / n as f64; n];
    let mut exp = m.exploitability(&avg_p);
    let mut it = 0;
    while it < max_iter && exp > tol {
        if it % 64 == 0 && cancel() {
            return Err(Error::Interrupted);
        }
        // Strategy from the regrets plus the prediction (the last utility), positive part.
        let mut total = 0.0;
        for i in 0..n {
            p[i] = (regret[i] + predicted[i]).max(0.0);
            total += p[i];
        }
        if total > 0.0 {
            p.iter_mut().for_each(|v| *v /= total);
        } else {
            p.iter_mut().for_each(|v| *v = 1.0 / n as f64);
        }
        m.times(&p, &mut u);
        let value: f64 = p.iter().zip(&u).map(|(a, b)| a * b).sum();
        for i in 0..n {
            let inst = u[i] - value;
            regret[i] = (regret[i] + inst).max(0.0);
            predicted[i] = inst;
        }
        it += 1;
        let wgt = it as f64;
        weight_sum += wgt;
        for i in 0..n {
            avg[i] += wgt * p[i];
        }
        if it % 10 == 0 || it == max_iter {
            avg_p.iter_mut().zip(&avg).for_each(|(a, &s)| *a = s / weight_sum);
            exp = m.exploitability(&avg_p);
        }
    }
    Ok(Lottery { p: avg_p, exploitability: exp, iterations: it, unique: false, converged: exp <= tol })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn never() -> bool {
        false
    }

    fn random_skew(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let v: f64 = rng.random_range(-1.0..1.0);
                m[i * n + j] = v;
                m[j * n + i] = -v;
            }
        }
        m
    }

    #[test]
    fn rock_paper_scissors() {
        let m = vec![0.0, -1.0, 1.0, 1.0, 0.0, -1.0, -1.0, 1.0, 0.0];
        let l = exact(&m, 3, &never).unwrap();
        for v in &l.p {
            assert!((v - 1.0 / 3.0).abs() < 1e-14);
        }
        assert!(l.exploitability < 1e-15 && l.unique);
    }

    #[test]
    fn condorcet_winner_gets_everything() {
        // Item 2 beats both others; 0 and 1 cycle with nothing else.
        let m = vec![0.0, 0.5, -0.2, -0.5, 0.0, -0.1, 0.2, 0.1, 0.0];
        let l = exact(&m, 3, &never).unwrap();
        assert_eq!(l.p, vec![0.0, 0.0, 1.0]);
        assert_eq!(l.exploitability, 0.0);
    }

    #[test]
    fn random_games_are_solved_to_1e_12() {
        for (n, seed) in [(5, 1), (20, 2), (61, 3), (150, 4)] {
            let m = random_skew(n, seed);
            let l = exact(&m, n, &never).unwrap();
            assert!(l.exploitability <= 1e-12, "n={n}: {}", l.exploitability);
            assert!((l.p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(l.p.iter().all(|&v| v >= 0.0));
            assert!(l.unique, "random continuous payoffs have a unique equilibrium");
        }
    }

    #[test]
    fn first_order_reaches_its_tolerance_and_agrees() {
        let n = 30;
        let m = random_skew(n, 7);
        let mut offsets = vec![0];
        let (mut cols, mut vals) = (vec![], vec![]);
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    cols.push(j as u32);
                    vals.push(m[i * n + j]);
                }
            }
            offsets.push(cols.len());
        }
        let sp = SparsePayoff { offsets: &offsets, cols: &cols, vals: &vals };
        let l = first_order(&sp, 1e-6, 200_000, &never).unwrap();
        assert!(l.converged && l.exploitability <= 1e-6);
        assert!((exploitability(&m, n, &l.p) - l.exploitability).abs() < 1e-12);
        let e = exact(&m, n, &never).unwrap();
        let dist: f64 = l.p.iter().zip(&e.p).map(|(a, b)| (a - b).abs()).sum();
        assert!(dist < 1e-2, "L1 distance {dist}");
    }

    /// Integer margins with many exact ties (degenerate vertices, several optimal lotteries).
    fn tied_skew(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let v = rng.random_range(-2i32..=2) as f64;
                m[i * n + j] = v;
                m[j * n + i] = -v;
            }
        }
        m
    }

    #[test]
    fn blocked_and_tableau_simplex_agree() {
        // Past one block of pending pivots, with a row count that is not a multiple of the
        // four-row kernel nor of the eight lanes.
        for (n, seed) in [(3, 1), (37, 2), (150, 3), (301, 4)] {
            let m = random_skew(n, seed);
            let a = exact_with(&m, n, ExactSolver::Blocked, &never).unwrap();
            let b = exact_with(&m, n, ExactSolver::Tableau, &never).unwrap();
            assert!(a.exploitability <= 1e-12 && a.unique && a.converged, "n={n}: {}", a.exploitability);
            // The equilibrium is unique: both reach it.
            let dist: f64 = a.p.iter().zip(&b.p).map(|(x, y)| (x - y).abs()).sum();
            assert!(dist < 1e-10, "n={n}: L1 distance {dist}");
        }
        for (n, seed) in [(40, 5), (120, 6)] {
            let m = tied_skew(n, seed);
            let a = exact_with(&m, n, ExactSolver::Blocked, &never).unwrap();
            assert!(a.exploitability <= 1e-12 && a.converged, "n={n}: {}", a.exploitability);
            assert!((a.p.iter().sum::<f64>() - 1.0).abs() < 1e-12 && a.p.iter().all(|&v| v >= 0.0));
        }
    }

    #[test]
    fn blocked_simplex_is_the_same_for_every_thread_count() {
        let n = 260;
        let m = random_skew(n, 9);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| exact_with(&m, n, ExactSolver::Blocked, &never).unwrap())
        };
        let one = run(1);
        for threads in [2, 3] {
            let other = run(threads);
            assert_eq!(one.p, other.p, "{threads} threads");
            assert_eq!(one.iterations, other.iterations);
        }
    }

    #[test]
    fn a_condorcet_winner_is_found_by_both_solvers() {
        let n = 40;
        let mut m = random_skew(n, 11);
        for j in 0..n {
            if j != 17 {
                m[17 * n + j] = m[17 * n + j].abs() + 0.01;
                m[j * n + 17] = -m[17 * n + j];
            }
        }
        for solver in [ExactSolver::Blocked, ExactSolver::Tableau] {
            let l = exact_with(&m, n, solver, &never).unwrap();
            assert_eq!(l.p.iter().position(|&x| x == 1.0), Some(17));
            assert!(l.exploitability == 0.0 && l.unique);
        }
    }

    #[test]
    fn exact_solver_names() {
        assert_eq!("blocked".parse::<ExactSolver>(), Ok(ExactSolver::Blocked));
        assert_eq!("tableau".parse::<ExactSolver>(), Ok(ExactSolver::Tableau));
        assert!("dense".parse::<ExactSolver>().is_err());
    }

    #[test]
    fn rejects_non_skew() {
        assert!(exact(&[0.0, 1.0, 1.0, 0.0], 2, &never).is_err());
    }
}
