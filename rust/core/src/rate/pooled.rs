//! Per-task Bradley–Terry with partial pooling: the MAP of a hierarchical model on counts.
//!
//! In task t, P(i beats j) = σ(θ_{t,i} − θ_{t,j}) with θ_{t,i} = μ_i + δ_{t,i}, a Gaussian
//! prior δ_{t,i} ~ N(0, 1/pooling), and (with `regularization` r > 0) r virtual wins and r
//! virtual losses of every μ_i against θ = 0. The objective (maximised) is
//!
//! Σ_t Σ_pairs [w_ij ln σ(θ_ti − θ_tj) + w_ji ln σ(θ_tj − θ_ti)] − pooling/2 Σ δ² + r Σ_i ln σ(μ_i) σ(−μ_i).
//!
//! Solved by Newton's method on (μ, δ) jointly with a step-halving (Armijo) line search; the
//! objective is strictly concave for pooling > 0 once μ is pinned (centred when r = 0). Each
//! task's block A_t = H_t + pooling·I (H_t its information, a weighted Laplacian over the
//! task's items with data) is factorised on its own (dense Cholesky, tasks in parallel), and μ
//! solves the Schur complement S = Σ_t pooling·A_t⁻¹H_t + R, n × n. A_t⁻¹H_t is formed by
//! solving with H_t as the right-hand side, not as I − pooling·A_t⁻¹, which cancels every digit
//! when pooling is large. Deterministic: per-task work is independent and every sum over tasks
//! is added in task order. Ctrl-C is polled once per Newton iteration.

use crate::error::{Error, Result};
use crate::memory::try_filled;
use crate::rate::{log_sigmoid, sigmoid};
use rayon::prelude::*;

/// Comparisons per (task, pair): `task` sorted ascending, effective win counts `wij`/`wji`
/// (ties already split or dropped by the caller).
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    pub n: usize,
    pub n_tasks: usize,
    pub task: &'a [u32],
    pub i: &'a [u32],
    pub j: &'a [u32],
    pub wij: &'a [f64],
    pub wji: &'a [f64],
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub pooling: f64,
    pub regularization: f64,
    pub tol: f64,
    pub max_iter: usize,
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// Overall strengths (centred when regularization is 0).
    pub mu: Vec<f64>,
    /// Task effects, task-major (`n_tasks × n`); 0 in cells without data.
    pub delta: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// Largest relative gradient: per cell |∂/∂δ| / (comparisons + pooling), per item
    /// |∂/∂μ| / (comparisons + 2r).
    pub max_relative_gradient: f64,
    /// Log-likelihood of the data (no prior terms).
    pub log_likelihood: f64,
}

/// One task's layout: its pairs `lo..hi`, its items with data (global codes, ascending), and
/// each pair's local indices.
struct Task {
    lo: usize,
    hi: usize,
    items: Vec<usize>,
    li: Vec<usize>,
    lj: Vec<usize>,
}

/// In-place Cholesky of a symmetric positive definite k × k matrix (row-major, lower triangle
/// used and overwritten with L). False when a pivot is not positive.
fn cholesky(a: &mut [f64], k: usize) -> bool {
    for c in 0..k {
        let mut d = a[c * k + c];
        for q in 0..c {
            d -= a[c * k + q] * a[c * k + q];
        }
        if !(d > 0.0 && d.is_finite()) {
            return false;
        }
        let d = d.sqrt();
        a[c * k + c] = d;
        for r in c + 1..k {
            let mut s = a[r * k + c];
            let (row_r, row_c) = (&a[r * k..r * k + c], &a[c * k..c * k + c]);
            for q in 0..c {
                s -= row_r[q] * row_c[q];
            }
            a[r * k + c] = s / d;
        }
    }
    true
}

/// Solves L Lᵀ X = B in place for `m` right-hand sides at once (B row-major k × m): every
/// update is a contiguous row operation (vectorised), unlike one column at a time.
fn cholesky_solve_rows(l: &[f64], k: usize, b: &mut [f64], m: usize) {
    for r in 0..k {
        let (done, rest) = b.split_at_mut(r * m);
        let row = &mut rest[..m];
        for q in 0..r {
            let f = l[r * k + q];
            if f != 0.0 {
                row.iter_mut().zip(&done[q * m..(q + 1) * m]).for_each(|(x, y)| *x -= f * y);
            }
        }
        let d = 1.0 / l[r * k + r];
        row.iter_mut().for_each(|x| *x *= d);
    }
    for r in (0..k).rev() {
        let (head, tail) = b.split_at_mut((r + 1) * m);
        let row = &mut head[r * m..];
        for q in r + 1..k {
            let f = l[q * k + r];
            if f != 0.0 {
                row.iter_mut().zip(&tail[(q - r - 1) * m..(q - r) * m]).for_each(|(x, y)| *x -= f * y);
            }
        }
        let d = 1.0 / l[r * k + r];
        row.iter_mut().for_each(|x| *x *= d);
    }
}

/// Factorises `a` (k × k, SPD in exact arithmetic); if rounding makes a pivot non-positive,
/// retries with a tiny ridge (relative to the diagonal). Fails only on non-finite input.
fn factor(a: &[f64], k: usize) -> Result<Vec<f64>> {
    let scale = (0..k).map(|c| a[c * k + c].abs()).fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
    for ridge in [0.0, 1e-13, 1e-10, 1e-7] {
        let mut l = a.to_vec();
        for c in 0..k {
            l[c * k + c] += ridge * scale;
        }
        if cholesky(&mut l, k) {
            return Ok(l);
        }
    }
    Err(Error::InvalidArgument("pooled Bradley–Terry: a Newton system is not positive definite (non-finite strengths?)".into()))
}

/// Checks the problem and builds the per-task layout.
fn layout(p: &Problem<'_>, opts: &Options) -> Result<(Vec<Task>, Vec<f64>)> {
    let m = p.task.len();
    if p.i.len() != m || p.j.len() != m || p.wij.len() != m || p.wji.len() != m {
        return Err(Error::InvalidArgument("pooled: task, i, j, wij, wji must have the same length".into()));
    }
    if !(opts.pooling.is_finite() && opts.pooling > 0.0) {
        return Err(Error::InvalidArgument("pooled: pooling must be finite and > 0".into()));
    }
    if !(opts.regularization.is_finite() && opts.regularization >= 0.0) {
        return Err(Error::InvalidArgument("pooled: regularization must be finite and >= 0".into()));
    }
    if !(opts.tol.is_finite() && opts.tol > 0.0) {
        return Err(Error::InvalidArgument("pooled: tol must be finite and > 0".into()));
    }
    if p.n == 0 || p.n_tasks == 0 {
        return Err(Error::InvalidArgument("pooled: no items or no tasks".into()));
    }
    let cells = p.n.checked_mul(p.n_tasks).ok_or_else(|| Error::InvalidArgument("pooled: too many cells".into()))?;
    for q in 0..m {
        let (t, i, j) = (p.task[q] as usize, p.i[q] as usize, p.j[q] as usize);
        if t >= p.n_tasks || i >= p.n || j >= p.n || i == j || (q > 0 && p.task[q - 1] > p.task[q]) {
            return Err(Error::InvalidArgument(format!("pooled: pair {q} has a bad task or item code, or tasks are not sorted")));
        }
        if !(p.wij[q].is_finite() && p.wij[q] >= 0.0 && p.wji[q].is_finite() && p.wji[q] >= 0.0) {
            return Err(Error::InvalidArgument(format!("pooled: pair {q} has a negative or non-finite count")));
        }
    }
    let mut count = try_filled(cells, 0.0)?;
    for q in 0..m {
        let base = p.task[q] as usize * p.n;
        let c = p.wij[q] + p.wji[q];
        count[base + p.i[q] as usize] += c;
        count[base + p.j[q] as usize] += c;
    }
    let mut tasks = Vec::with_capacity(p.n_tasks);
    let mut lo = 0;
    let mut local = vec![usize::MAX; p.n];
    for t in 0..p.n_tasks {
        let mut hi = lo;
        while hi < m && p.task[hi] as usize == t {
            hi += 1;
        }
        let items: Vec<usize> = (0..p.n).filter(|&i| count[t * p.n + i] > 0.0).collect();
        for (k, &i) in items.iter().enumerate() {
            local[i] = k;
        }
        let li: Vec<usize> = (lo..hi).map(|q| local[p.i[q] as usize]).collect();
        let lj: Vec<usize> = (lo..hi).map(|q| local[p.j[q] as usize]).collect();
        for &i in &items {
            local[i] = usize::MAX;
        }
        tasks.push(Task { lo, hi, items, li, lj });
        lo = hi;
    }
    Ok((tasks, count))
}

struct State<'a> {
    p: Problem<'a>,
    opts: Options,
    tasks: Vec<Task>,
    count: Vec<f64>,
}

impl State<'_> {
    #[inline]
    fn diff(&self, mu: &[f64], delta: &[f64], q: usize) -> f64 {
        let (i, j, base) = (self.p.i[q] as usize, self.p.j[q] as usize, self.p.task[q] as usize * self.p.n);
        mu[i] + delta[base + i] - mu[j] - delta[base + j]
    }

    /// (objective, data log-likelihood); per-task sums added in task order.
    fn objective(&self, mu: &[f64], delta: &[f64]) -> (f64, f64) {
        let per: Vec<f64> = self
            .tasks
            .par_iter()
            .map(|t| {
                (t.lo..t.hi)
                    .map(|q| {
                        let d = self.diff(mu, delta, q);
                        let (a, b) = (self.p.wij[q], self.p.wji[q]);
                        (if a > 0.0 { a * log_sigmoid(d) } else { 0.0 }) + (if b > 0.0 { b * log_sigmoid(-d) } else { 0.0 })
                    })
                    .sum::<f64>()
            })
            .collect();
        let ll: f64 = per.iter().sum();
        let mut prior = -0.5 * self.opts.pooling * delta.iter().map(|x| x * x).sum::<f64>();
        if self.opts.regularization > 0.0 {
            prior += self.opts.regularization * mu.iter().map(|&x| log_sigmoid(x) + log_sigmoid(-x)).sum::<f64>();
        }
        (ll + prior, ll)
    }

    /// Gradients (in μ, in δ task-major) and the largest relative gradient.
    fn gradient(&self, mu: &[f64], delta: &[f64]) -> Result<(Vec<f64>, Vec<f64>, f64)> {
        let (n, pool, r) = (self.p.n, self.opts.pooling, self.opts.regularization);
        let mut g_delta = try_filled(delta.len(), 0.0)?;
        g_delta.par_chunks_mut(n).zip(self.tasks.par_iter()).enumerate().for_each(|(t, (g, task))| {
            for q in task.lo..task.hi {
                let s = sigmoid(self.diff(mu, delta, q));
                let flow = self.p.wij[q] - (self.p.wij[q] + self.p.wji[q]) * s;
                g[self.p.i[q] as usize] += flow;
                g[self.p.j[q] as usize] -= flow;
            }
            for &i in &task.items {
                g[i] -= pool * delta[t * n + i];
            }
        });
        let mut rel = 0.0f64;
        let mut g_mu = vec![0.0; n];
        let mut mu_count = vec![2.0 * r; n];
        for (t, task) in self.tasks.iter().enumerate() {
            for &i in &task.items {
                let c = t * n + i;
                // ∂/∂μ_i = Σ_t (∂ℓ/∂θ_ti) = Σ_t (g_δ + pooling·δ)
                g_mu[i] += g_delta[c] + pool * delta[c];
                mu_count[i] += self.count[c];
                rel = rel.max(g_delta[c].abs() / (self.count[c] + pool));
            }
        }
        for i in 0..n {
            if r > 0.0 {
                g_mu[i] += r * (1.0 - 2.0 * sigmoid(mu[i]));
            }
            rel = rel.max(g_mu[i].abs() / mu_count[i].max(f64::MIN_POSITIVE));
        }
        Ok((g_mu, g_delta, rel))
    }

    /// The Newton direction (dμ, dδ).
    fn direction(&self, mu: &[f64], delta: &[f64], g_mu: &[f64], g_delta: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let (n, pool) = (self.p.n, self.opts.pooling);
        // Per task: (A⁻¹H row-major k × k, A⁻¹g_δ).
        let blocks: Vec<Result<(Vec<f64>, Vec<f64>)>> = self
            .tasks
            .par_iter()
            .enumerate()
            .map(|(t, task)| {
                let k = task.items.len();
                let mut h = try_filled(k * k, 0.0)?;
                for (e, q) in (task.lo..task.hi).enumerate() {
                    let games = self.p.wij[q] + self.p.wji[q];
                    if games == 0.0 {
                        continue; // e.g. only ties under ties="drop": its items may have no data
                    }
                    let s = sigmoid(self.diff(mu, delta, q));
                    let w = games * s * (1.0 - s);
                    let (a, b) = (task.li[e], task.lj[e]);
                    h[a * k + a] += w;
                    h[b * k + b] += w;
                    h[a * k + b] -= w;
                    h[b * k + a] -= w;
                }
                let mut a = h.clone();
                for c in 0..k {
                    a[c * k + c] += pool;
                }
                let l = factor(&a, k)?;
                drop(a);
                // A⁻¹H: all k right-hand sides at once (H's columns, in rows of a copy of H,
                // which is symmetric).
                let mut ah = h;
                cholesky_solve_rows(&l, k, &mut ah, k);
                let mut u: Vec<f64> = task.items.iter().map(|&i| g_delta[t * n + i]).collect();
                cholesky_solve_rows(&l, k, &mut u, 1);
                Ok((ah, u))
            })
            .collect();
        let blocks: Vec<(Vec<f64>, Vec<f64>)> = blocks.into_iter().collect::<Result<_>>()?;
        let mut schur = try_filled(n * n, 0.0)?;
        let mut rhs = g_mu.to_vec();
        for (t, (task, (ah, _))) in self.tasks.iter().zip(&blocks).enumerate() {
            let k = task.items.len();
            for (a, &ia) in task.items.iter().enumerate() {
                let mut s = 0.0;
                for (b, &ib) in task.items.iter().enumerate() {
                    s += ah[a * k + b] * g_delta[t * n + ib];
                    schur[ia * n + ib] += 0.5 * pool * (ah[a * k + b] + ah[b * k + a]);
                }
                rhs[ia] -= s;
            }
        }
        let r = self.opts.regularization;
        if r > 0.0 {
            for i in 0..n {
                let s = sigmoid(mu[i]);
                schur[i * n + i] += 2.0 * r * s * (1.0 - s);
            }
        } else {
            // S·1 = 0 (a common shift of μ changes nothing): solve on the complement of 1.
            let shift = ((0..n).map(|i| schur[i * n + i]).sum::<f64>() / n as f64).max(f64::MIN_POSITIVE) / n as f64;
            schur.iter_mut().for_each(|x| *x += shift);
        }
        let l = factor(&schur, n)?;
        drop(schur);
        let mut d_mu = rhs;
        cholesky_solve_rows(&l, n, &mut d_mu, 1);
        if r == 0.0 {
            let mean = d_mu.iter().sum::<f64>() / n as f64;
            d_mu.iter_mut().for_each(|x| *x -= mean);
        }
        let mut d_delta = try_filled(self.p.n_tasks * n, 0.0)?;
        d_delta.par_chunks_mut(n).zip(self.tasks.par_iter().zip(blocks.par_iter())).for_each(|(d, (task, (ah, u)))| {
            let k = task.items.len();
            for (a, &ia) in task.items.iter().enumerate() {
                let s: f64 = task.items.iter().enumerate().map(|(b, &ib)| ah[a * k + b] * d_mu[ib]).sum();
                d[ia] = u[a] - s;
            }
        });
        Ok((d_mu, d_delta))
    }
}

/// The MAP estimate from `(mu0, delta0)` (e.g. the pooled fit and zeros, or a bootstrap
/// round's point estimate). Ctrl-C stops with [`Error::Interrupted`].
pub fn fit(p: Problem<'_>, opts: &Options, mu0: &[f64], delta0: &[f64]) -> Result<Fit> {
    let fit = fit_uninterrupted(p, opts, mu0, delta0)?;
    crate::interrupt::check()?;
    Ok(fit)
}

fn fit_uninterrupted(p: Problem<'_>, opts: &Options, mu0: &[f64], delta0: &[f64]) -> Result<Fit> {
    let (tasks, count) = layout(&p, opts)?;
    if mu0.len() != p.n || delta0.len() != p.n * p.n_tasks || mu0.iter().chain(delta0).any(|x| !x.is_finite()) {
        return Err(Error::InvalidArgument("pooled: the start must be finite, n values of μ and n_tasks × n of δ".into()));
    }
    let st = State { p, opts: *opts, tasks, count };
    let mut mu = mu0.to_vec();
    let mut delta = delta0.to_vec();
    // Cells without data have δ = 0 at the optimum (prior only); start them there.
    for (c, d) in delta.iter_mut().enumerate() {
        if st.count[c] == 0.0 {
            *d = 0.0;
        }
    }
    let (mut f, _) = st.objective(&mu, &delta);
    let (mut g_mu, mut g_delta, mut rel) = st.gradient(&mu, &delta)?;
    let mut iterations = 0;
    while rel > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        let (d_mu, d_delta) = st.direction(&mu, &delta, &g_mu, &g_delta)?;
        let slope: f64 = g_mu.iter().zip(&d_mu).map(|(a, b)| a * b).sum::<f64>() + g_delta.iter().zip(&d_delta).map(|(a, b)| a * b).sum::<f64>();
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let m: Vec<f64> = mu.iter().zip(&d_mu).map(|(x, d)| x + step * d).collect();
            let dl: Vec<f64> = delta.iter().zip(&d_delta).map(|(x, d)| x + step * d).collect();
            let (fn_, _) = st.objective(&m, &dl);
            if fn_.is_finite() && fn_ >= f + 1e-4 * step * slope - 1e-13 * (1.0 + f.abs()) {
                accepted = Some((m, dl, fn_));
                break;
            }
            step *= 0.5;
        }
        let Some((m, dl, fn_)) = accepted else { break }; // no progress possible in double precision
        mu = m;
        delta = dl;
        f = fn_;
        (g_mu, g_delta, rel) = st.gradient(&mu, &delta)?;
    }
    let (_, ll) = st.objective(&mu, &delta);
    Ok(Fit { mu, delta, iterations, converged: rel <= opts.tol, max_relative_gradient: rel, log_likelihood: ll })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> (Vec<u32>, Vec<u32>, Vec<u32>, Vec<f64>, Vec<f64>) {
        // two tasks over three items; item 2 plays only in task 0
        (vec![0, 0, 0, 1], vec![0, 0, 1, 0], vec![1, 2, 2, 1], vec![3.0, 2.0, 1.0, 1.0], vec![1.0, 1.0, 2.0, 3.0])
    }

    #[test]
    fn stationary_and_consistent() {
        let (t, i, j, a, b) = problem();
        let p = Problem { n: 3, n_tasks: 2, task: &t, i: &i, j: &j, wij: &a, wji: &b };
        let opts = Options { pooling: 1.5, regularization: 0.0, tol: 1e-12, max_iter: 100 };
        let f = fit(p, &opts, &[0.0; 3], &[0.0; 6]).unwrap();
        assert!(f.converged, "{f:?}");
        assert!(f.mu.iter().sum::<f64>().abs() < 1e-12);
        assert_eq!(f.delta[5], 0.0); // item 2 has no data in task 1
                                     // item 2 plays in one task only: its δ there is 0 (μ takes it all)
        assert!(f.delta[2].abs() < 1e-9, "{f:?}");
        // numerical gradient of the objective vanishes
        let st = State { p, opts, tasks: layout(&p, &opts).unwrap().0, count: layout(&p, &opts).unwrap().1 };
        let h = 1e-6;
        for c in 0..6 {
            let (mut up, mut dn) = (f.delta.clone(), f.delta.clone());
            up[c] += h;
            dn[c] -= h;
            let g = (st.objective(&f.mu, &up).0 - st.objective(&f.mu, &dn).0) / (2.0 * h);
            assert!(g.abs() < 1e-6, "cell {c}: {g}");
        }
    }

    #[test]
    fn block_solve_matches_the_definition() {
        // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], B = I: X must satisfy A X = I.
        let a = [4.0, 2.0, 0.0, 2.0, 5.0, 1.0, 0.0, 1.0, 3.0];
        let l = factor(&a, 3).unwrap();
        let mut x = vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        cholesky_solve_rows(&l, 3, &mut x, 3);
        for r in 0..3 {
            for c in 0..3 {
                let v: f64 = (0..3).map(|q| a[r * 3 + q] * x[q * 3 + c]).sum();
                assert!((v - if r == c { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn pairs_without_games_are_skipped() {
        // pair (0, 2) of task 1 has no games (e.g. only ties, dropped): item 2 has no data there
        let (t, i, j) = (vec![0u32, 0, 0, 1, 1], vec![0u32, 0, 1, 0, 0], vec![1u32, 2, 2, 1, 2]);
        let (a, b) = (vec![3.0, 2.0, 1.0, 1.0, 0.0], vec![1.0, 1.0, 2.0, 3.0, 0.0]);
        let p = Problem { n: 3, n_tasks: 2, task: &t, i: &i, j: &j, wij: &a, wji: &b };
        let opts = Options { pooling: 1.0, regularization: 0.0, tol: 1e-10, max_iter: 100 };
        let f = fit(p, &opts, &[0.0; 3], &[0.0; 6]).unwrap();
        assert!(f.converged && f.delta[5] == 0.0, "{f:?}");
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let (t, i, j, a, b) = problem();
        let p = Problem { n: 3, n_tasks: 2, task: &t, i: &i, j: &j, wij: &a, wji: &b };
        let opts = Options { pooling: 1.0, regularization: 0.0, tol: 1e-9, max_iter: 10 };
        assert!(fit(p, &Options { pooling: f64::NAN, ..opts }, &[0.0; 3], &[0.0; 6]).is_err());
        assert!(fit(p, &opts, &[0.0; 2], &[0.0; 6]).is_err());
        let bad = [0u32, 0, 0, 5];
        assert!(fit(Problem { i: &bad, ..p }, &opts, &[0.0; 3], &[0.0; 6]).is_err());
        let unsorted = [1u32, 0, 0, 0];
        assert!(fit(Problem { task: &unsorted, ..p }, &opts, &[0.0; 3], &[0.0; 6]).is_err());
    }
}
