//! Judges who differ: per-judge pair tables, a latent-class mixture of Bradley–Terry models
//! (groups of judges with their own strengths), and Crowd-BT (one strength per item, one
//! reliability per judge).
//!
//! Both models are fitted by expectation–maximisation on the per-judge pair table (one reduce of
//! the rows, then iterations on counts). Each M-step is a weighted Bradley–Terry fit on the
//! global pair table (ties count half a win each, as `Ties::Half`), warm-started from the last.
//!
//! - Mixture (latent classes of judges; e.g. the mixtures of ranking models of Gormley & Murphy,
//!   2008, and the user groups of MaxMin-RLHF, Chakraborty et al., 2024): judge k belongs to
//!   group g with probability π_g; in group g, P(i beats j) = σ(θ_gi − θ_gj). The E-step gives each
//!   judge's posterior over groups, the M-step the shares and each group's strengths from the
//!   judges' counts weighted by their posteriors. Restarts from random balanced partitions run
//!   in parallel for a few iterations (the "short runs" strategy of Biernacki, Celeux &
//!   Govaert, 2003); the best continues to convergence. Groups are ordered by share.
//! - Crowd-BT (Chen, Bennett, Collins-Thompson & Horvitz, WSDM 2013): judge k reports the true
//!   order with probability η_k and the reverse otherwise, P(k says i > j) = η_k σ(d) +
//!   (1 − η_k) σ(−d), d = θ_i − θ_j. The E-step gives each report's probability of being
//!   truthful, the M-step η_k (optionally with a Beta prior) and θ from the implied true wins.
//!
//! Deterministic for a seed whatever the thread count: per-judge quantities go to fixed slots
//! and are summed in judge order; groups are fitted independently; restarts draw from their own
//! random streams.

use rand::seq::SliceRandom;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::memory::try_filled;
use crate::pairs::{check_shape, row_cells, validate_rows, Outcomes, PairsRef};
use crate::rate::bradley_terry::{self as bt, Fit};
use crate::rate::log_sigmoid;

/// Comparisons grouped by judge: one row per (judge, pair) with the judge's weighted counts.
#[derive(Debug, Clone)]
pub struct JudgeTable {
    pub n_items: usize,
    pub n_judges: usize,
    /// Rows of judge `k`: `offsets[k]..offsets[k + 1]` (length `n_judges + 1`).
    pub offsets: Vec<usize>,
    /// Per row: the index of its pair in `pairs_i` / `pairs_j`.
    pub pair: Vec<u32>,
    /// Per row: weighted wins of the pair's lower item, of the higher item, and ties.
    pub wins_i: Vec<f64>,
    pub wins_j: Vec<f64>,
    pub ties: Vec<f64>,
    /// The distinct pairs (i < j), sorted.
    pub pairs_i: Vec<u32>,
    pub pairs_j: Vec<u32>,
}

/// Reduces comparison rows (item codes `a`, `b` < `n_items`, judge codes < `n_judges`) to a
/// [`JudgeTable`], validating every row as [`crate::pairs::reduce`] does.
pub fn reduce_by_judge(
    n_items: usize,
    n_judges: usize,
    judge: &[u32],
    a: &[u32],
    b: &[u32],
    outcomes: Outcomes<'_>,
    weights: Option<&[f64]>,
) -> Result<JudgeTable> {
    check_shape(n_items, a, b, outcomes, weights)?;
    let m = a.len();
    if judge.len() != m {
        return Err(Error::InvalidArgument("judge codes: one per row".into()));
    }
    if let Some(bad) = judge.iter().position(|&k| k as usize >= n_judges) {
        return Err(Error::InvalidArgument(format!("judge code at row {bad} is not below {n_judges}")));
    }
    if n_items > u32::MAX as usize || m > u32::MAX as usize {
        return Err(Error::InvalidArgument("more than 2^32 items or rows".into()));
    }
    validate_rows(a, b, outcomes, weights)?;
    // (judge, lower item, higher item, row): sorting it groups the rows of one (judge, pair)
    // cell, each cell's rows in row order (so the sums do not depend on threads).
    let mut keys: Vec<(u32, u32, u32, u32)> = Vec::new();
    keys.try_reserve_exact(m).map_err(|_| Error::OutOfMemory { bytes: m.saturating_mul(16) })?;
    keys.par_extend((0..m).into_par_iter().map(|r| {
        let (lo, hi) = if a[r] < b[r] { (a[r], b[r]) } else { (b[r], a[r]) };
        (judge[r], lo, hi, r as u32)
    }));
    keys.par_sort_unstable();
    let mut offsets = try_filled(n_judges + 1, 0usize)?;
    // At most one cell per row; reserved up front so that running out of memory is an error.
    let reserve = |v: &mut Vec<f64>| v.try_reserve_exact(m).map_err(|_| Error::OutOfMemory { bytes: m.saturating_mul(8) });
    let (mut cell_i, mut cell_j): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    cell_i.try_reserve_exact(m).and_then(|_| cell_j.try_reserve_exact(m)).map_err(|_| Error::OutOfMemory { bytes: m.saturating_mul(8) })?;
    let (mut wins_i, mut wins_j, mut ties) = (Vec::new(), Vec::new(), Vec::new());
    reserve(&mut wins_i)?;
    reserve(&mut wins_j)?;
    reserve(&mut ties)?;
    let mut r = 0;
    while r < m {
        let (k, lo, hi, _) = keys[r];
        let (mut wi, mut wj, mut t) = (0.0, 0.0, 0.0);
        while r < m && keys[r].0 == k && keys[r].1 == lo && keys[r].2 == hi {
            let row = keys[r].3 as usize;
            let (_, _, x, y, z) = row_cells(lo, hi, if a[row] == lo { outcomes.get(row) } else { 1.0 - outcomes.get(row) }, weights.map_or(1.0, |w| w[row]));
            wi += x;
            wj += y;
            t += z;
            r += 1;
        }
        offsets[k as usize + 1] += 1;
        cell_i.push(lo);
        cell_j.push(hi);
        wins_i.push(wi);
        wins_j.push(wj);
        ties.push(t);
    }
    drop(keys);
    for k in 0..n_judges {
        offsets[k + 1] += offsets[k];
    }
    let mut distinct: Vec<u64> = cell_i.iter().zip(&cell_j).map(|(&i, &j)| (u64::from(i) << 32) | u64::from(j)).collect();
    distinct.par_sort_unstable();
    distinct.dedup();
    let pair: Vec<u32> = cell_i
        .par_iter()
        .zip(cell_j.par_iter())
        .map(|(&i, &j)| distinct.binary_search(&((u64::from(i) << 32) | u64::from(j))).map_or(u32::MAX, |p| p as u32))
        .collect();
    Ok(JudgeTable {
        n_items,
        n_judges,
        offsets,
        pair,
        wins_i,
        wins_j,
        ties,
        pairs_i: distinct.iter().map(|&x| (x >> 32) as u32).collect(),
        pairs_j: distinct.iter().map(|&x| x as u32).collect(),
    })
}

impl JudgeTable {
    /// The rows of judge `k`.
    #[inline]
    fn rows(&self, k: usize) -> std::ops::Range<usize> {
        self.offsets[k]..self.offsets[k + 1]
    }

    /// Per judge: the weighted number of comparisons.
    pub fn judge_counts(&self) -> Vec<f64> {
        (0..self.n_judges).map(|k| self.rows(k).map(|r| self.wins_i[r] + self.wins_j[r] + self.ties[r]).sum()).collect()
    }

    /// The global pair table with every row weighted by `weight(judge)`.
    fn weighted_pairs(&self, weight: impl Fn(usize) -> f64) -> [Vec<f64>; 3] {
        let p = self.pairs_i.len();
        let (mut wi, mut wj, mut t) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        for k in 0..self.n_judges {
            let w = weight(k);
            if w == 0.0 {
                continue;
            }
            for r in self.rows(k) {
                let q = self.pair[r] as usize;
                wi[q] += w * self.wins_i[r];
                wj[q] += w * self.wins_j[r];
                t[q] += w * self.ties[r];
            }
        }
        [wi, wj, t]
    }

    fn pairs_ref<'a>(&'a self, counts: &'a [Vec<f64>; 3]) -> PairsRef<'a> {
        PairsRef { n: self.n_items, i: &self.pairs_i, j: &self.pairs_j, wins_i: &counts[0], wins_j: &counts[1], ties: &counts[2] }
    }
}

/// ln(e^a + e^b) without overflow.
#[inline]
fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

fn bt_options(regularization: f64, tol: f64) -> bt::Options {
    bt::Options { ties: bt::Ties::Half, solver: bt::Solver::Newman, regularization, tol, max_iter: 10_000 }
}

// ---------------------------------------------------------------------------------------------
// Mixture

/// Bradley–Terry iterations per mixture M-step (see `mixture_m_step`).
const M_STEP_ITER: usize = 100;

#[derive(Debug, Clone, Copy)]
pub struct MixtureOptions {
    /// Number of latent groups (≥ 1, ≤ the number of judges).
    pub groups: usize,
    /// Random starts (≥ 1).
    pub restarts: usize,
    /// Iterations each restart runs before the best one continues.
    pub short_iter: usize,
    pub seed: u64,
    /// Bradley–Terry pseudo-count prior of every group's fit (see `bradley_terry::Options`).
    pub regularization: f64,
    /// Stop when the log-likelihood changes by at most `tol · (1 + |ℓ|)` between iterations.
    pub tol: f64,
    pub max_iter: usize,
}

#[derive(Debug, Clone)]
pub struct MixtureFit {
    pub groups: usize,
    /// `groups × n_items`, group-major: each group's log-strengths, centred to mean 0.
    pub theta: Vec<f64>,
    /// Each group's share of judges (the mixing weights π), decreasing.
    pub shares: Vec<f64>,
    /// `n_judges × groups`, judge-major: each judge's posterior probability of each group.
    pub responsibilities: Vec<f64>,
    /// Σ_judges ln Σ_g π_g P(judge's comparisons | group g) (ties as half a win each; the
    /// regularization's virtual comparisons excluded).
    pub log_likelihood: f64,
    /// EM iterations of the chosen run (its short run included).
    pub iterations: usize,
    pub converged: bool,
    /// The restart the fit continues (0-based), and each restart's log-likelihood after its
    /// short run.
    pub best_restart: usize,
    pub restart_log_likelihoods: Vec<f64>,
}

/// One EM chain's state.
struct Chain {
    fits: Vec<Fit>,
    shares: Vec<f64>,
    resp: Vec<f64>,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
}

/// E-step: each judge's posterior over groups (into `resp`) and the log-likelihood.
fn mixture_e_step(t: &JudgeTable, fits: &[Fit], shares: &[f64], resp: &mut [f64]) -> f64 {
    let g = fits.len();
    let p = t.pairs_i.len();
    // Per group and pair: ln σ(θ_i − θ_j) and ln σ(θ_j − θ_i).
    let logs: Vec<(Vec<f64>, Vec<f64>)> = fits
        .par_iter()
        .map(|f| {
            let (mut up, mut down) = (vec![0.0; p], vec![0.0; p]);
            for q in 0..p {
                let d = f.theta[t.pairs_i[q] as usize] - f.theta[t.pairs_j[q] as usize];
                up[q] = log_sigmoid(d);
                down[q] = log_sigmoid(-d);
            }
            (up, down)
        })
        .collect();
    let log_shares: Vec<f64> = shares.iter().map(|s| s.ln()).collect();
    let mut per_judge = vec![0.0; t.n_judges];
    resp.par_chunks_mut(g).zip(per_judge.par_iter_mut()).enumerate().with_min_len(64).for_each(|(k, (r, ll))| {
        for (c, (up, down)) in logs.iter().enumerate() {
            let mut s = log_shares[c];
            for row in t.rows(k) {
                let q = t.pair[row] as usize;
                let half = 0.5 * t.ties[row];
                s += (t.wins_i[row] + half) * up[q] + (t.wins_j[row] + half) * down[q];
            }
            r[c] = s;
        }
        let total = r.iter().fold(f64::NEG_INFINITY, |acc, &x| log_add(acc, x));
        for x in r.iter_mut() {
            *x = (*x - total).exp();
        }
        *ll = total;
    });
    per_judge.iter().sum()
}

/// M-step: the shares and each group's strengths from the responsibilities.
fn mixture_m_step(t: &JudgeTable, resp: &[f64], groups: usize, opts: &MixtureOptions, start: Option<&[Fit]>) -> Result<(Vec<Fit>, Vec<f64>)> {
    let judges = t.n_judges as f64;
    let shares: Vec<f64> = (0..groups).map(|c| (0..t.n_judges).map(|k| resp[k * groups + c]).sum::<f64>() / judges).collect();
    // A generalised M-step: at most M_STEP_ITER Bradley–Terry iterations from the last fit. Each
    // raises the expected log-likelihood, which is all EM needs to converge; with
    // regularization a full fit can take thousands of iterations to settle the common shift
    // against the virtual item, which no likelihood sees.
    let bt_opts = bt::Options { max_iter: M_STEP_ITER, ..bt_options(opts.regularization, 1e-10) };
    let fits = (0..groups)
        .into_par_iter()
        .map(|c| {
            let counts = t.weighted_pairs(|k| resp[k * groups + c]);
            bt::fit_from(t.pairs_ref(&counts), &bt_opts, start.map(|s| &s[c]))
        })
        .collect::<Result<Vec<Fit>>>()?;
    Ok((fits, shares))
}

/// Runs EM from `chain` for at most `iterations` more iterations (or until converged).
fn mixture_iterate(t: &JudgeTable, opts: &MixtureOptions, chain: &mut Chain, iterations: usize, stop: &dyn Fn() -> bool) -> Result<()> {
    let groups = opts.groups;
    for _ in 0..iterations {
        if chain.converged || chain.iterations >= opts.max_iter || stop() {
            break;
        }
        let (fits, shares) = mixture_m_step(t, &chain.resp, groups, opts, Some(&chain.fits))?;
        let ll = mixture_e_step(t, &fits, &shares, &mut chain.resp);
        // Converged: the likelihood has settled and the last M-step was a complete one (every
        // group's fit met its own test within M_STEP_ITER iterations).
        chain.converged = (ll - chain.log_likelihood).abs() <= opts.tol * (1.0 + ll.abs()) && fits.iter().all(|f| f.converged);
        chain.fits = fits;
        chain.shares = shares;
        chain.log_likelihood = ll;
        chain.iterations += 1;
    }
    Ok(())
}

/// A chain started from a random balanced partition of the judges (restart `restart`).
fn mixture_start(t: &JudgeTable, opts: &MixtureOptions, restart: usize) -> Result<Chain> {
    let groups = opts.groups;
    let mut resp = try_filled(t.n_judges * groups, 0.0)?;
    if groups == 1 {
        resp.fill(1.0);
    } else {
        let mut order: Vec<usize> = (0..t.n_judges).collect();
        order.shuffle(&mut crate::resample::round_rng(opts.seed, restart as u64, 0x4d49_5854));
        for (pos, &k) in order.iter().enumerate() {
            resp[k * groups + pos % groups] = 1.0;
        }
    }
    let (fits, shares) = mixture_m_step(t, &resp, groups, opts, None)?;
    let ll = mixture_e_step(t, &fits, &shares, &mut resp);
    Ok(Chain { fits, shares, resp, log_likelihood: ll, iterations: 1, converged: false })
}

/// Consecutive restarts: their log-likelihoods after the short run, in order, and the best
/// chain (the first of equals; NaN never wins) with its index among them.
#[derive(Default)]
struct Restarts {
    log_likelihoods: Vec<f64>,
    best: Option<(usize, Chain)>,
}

impl Restarts {
    /// These restarts followed by `next` (associative: the parallel reduce keeps the order, so
    /// the best chain is the one a sequential pass would pick).
    fn then(mut self, next: Restarts) -> Restarts {
        let offset = self.log_likelihoods.len();
        self.log_likelihoods.extend(next.log_likelihoods);
        self.best = match (self.best, next.best) {
            (Some((i, x)), Some((j, y))) => Some(if y.log_likelihood > x.log_likelihood || x.log_likelihood.is_nan() { (offset + j, y) } else { (i, x) }),
            (x, None) => x,
            (None, Some((j, y))) => Some((offset + j, y)),
        };
        self
    }
}

/// Fits the mixture of Bradley–Terry models by EM (see the module documentation).
pub fn mixture(t: &JudgeTable, opts: &MixtureOptions) -> Result<MixtureFit> {
    let groups = opts.groups;
    if groups == 0 || groups > t.n_judges {
        return Err(Error::InvalidArgument(format!("groups must be between 1 and the number of judges ({}), not {groups}", t.n_judges)));
    }
    if opts.restarts == 0 {
        return Err(Error::InvalidArgument("restarts must be at least 1".into()));
    }
    if !(opts.tol.is_finite() && opts.tol > 0.0 && opts.regularization.is_finite() && opts.regularization >= 0.0) {
        return Err(Error::InvalidArgument("tol must be > 0 and regularization >= 0".into()));
    }
    if t.pairs_i.is_empty() {
        return Err(Error::InvalidArgument("no comparisons".into()));
    }
    let restarts = if groups == 1 { 1 } else { opts.restarts };
    // The restarts on the pool, watched for Ctrl-C (interrupt.rs): a raised flag ends each
    // running restart at its next EM iteration and skips the restarts not yet begun, so a
    // press is answered within one iteration, not after the queue of restarts drains. Only
    // the best chain so far is kept per part of the range (not one chain per restart).
    let restarts = crate::interrupt::watched(|stop| {
        (0..restarts)
            .into_par_iter()
            .map(|r| {
                (!stop.stopped()).then(|| -> Result<Restarts> {
                    let mut chain = mixture_start(t, opts, r)?;
                    mixture_iterate(t, opts, &mut chain, opts.short_iter.saturating_sub(1), &|| stop.stopped())?;
                    Ok(Restarts { log_likelihoods: vec![chain.log_likelihood], best: Some((0, chain)) })
                })
            })
            .while_some()
            .try_reduce(Restarts::default, |left, right| Ok(left.then(right)))
    })??;
    let restart_log_likelihoods = restarts.log_likelihoods;
    let (best, mut chain) = restarts.best.ok_or_else(|| Error::InvalidArgument("no restart".into()))?;
    mixture_iterate(t, opts, &mut chain, usize::MAX, &crate::interrupt::poll)?;
    crate::interrupt::check()?;
    // Groups by decreasing share (the earlier group first among equals): no label switching.
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by(|&x, &y| chain.shares[y].total_cmp(&chain.shares[x]).then(x.cmp(&y)));
    let n = t.n_items;
    let mut theta = Vec::with_capacity(groups * n);
    for &c in &order {
        theta.extend_from_slice(&chain.fits[c].theta);
    }
    let mut responsibilities = try_filled(t.n_judges * groups, 0.0)?;
    for k in 0..t.n_judges {
        for (new, &old) in order.iter().enumerate() {
            responsibilities[k * groups + new] = chain.resp[k * groups + old];
        }
    }
    if !(chain.log_likelihood.is_finite() && theta.iter().all(|x| x.is_finite())) {
        return Err(Error::InvalidArgument("the mixture fit is not finite (try regularization > 0)".into()));
    }
    Ok(MixtureFit {
        groups,
        theta,
        shares: order.iter().map(|&c| chain.shares[c]).collect(),
        responsibilities,
        log_likelihood: chain.log_likelihood,
        iterations: chain.iterations,
        converged: chain.converged,
        best_restart: best,
        restart_log_likelihoods,
    })
}

// ---------------------------------------------------------------------------------------------
// Crowd-BT

#[derive(Debug, Clone, Copy)]
pub struct CrowdOptions {
    /// Bradley–Terry pseudo-count prior (see `bradley_terry::Options`).
    pub regularization: f64,
    /// Beta(a, b) prior on every judge's reliability η (a = b = 1: maximum likelihood).
    pub prior: (f64, f64),
    /// The reliability every judge starts from (> 0.5: most judges are assumed honest, which
    /// fixes the model's mirror symmetry θ → −θ, η → 1 − η).
    pub initial_reliability: f64,
    pub tol: f64,
    pub max_iter: usize,
}

#[derive(Debug, Clone)]
pub struct CrowdFit {
    pub fit: Fit,
    /// Per judge: η, the probability of reporting the true order.
    pub reliability: Vec<f64>,
    /// The log-likelihood of the reports (virtual regularization comparisons excluded).
    pub log_likelihood: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// σ(θ_i − θ_j) and σ(θ_j − θ_i) per pair (each computed directly, so neither loses digits).
fn pair_sigmoids(t: &JudgeTable, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    t.pairs_i
        .par_iter()
        .zip(t.pairs_j.par_iter())
        .map(|(&i, &j)| {
            let d = theta[i as usize] - theta[j as usize];
            (log_sigmoid(d).exp(), log_sigmoid(-d).exp())
        })
        .unzip()
}

/// One E-step of Crowd-BT at (θ, η): per judge the expected number of truthful reports, per
/// pair the implied true wins (a truthful report counts for its winner, an untruthful one for
/// the other item), and the log-likelihood of the reports. Judges run in parallel into their
/// own slots; the per-pair sums are added in judge order (the same bits for any threads).
fn crowd_e_step(t: &JudgeTable, theta: &[f64], eta: &[f64]) -> Result<(Vec<f64>, [Vec<f64>; 3], f64)> {
    let (up, down) = pair_sigmoids(t, theta);
    // Per row: the probability that a report "i beats j" is truthful, and that "j beats i" is.
    let mut truth = try_filled(t.pair.len(), (0.0, 0.0))?;
    let mut truthful = vec![0.0; t.n_judges];
    let mut ll = vec![0.0; t.n_judges];
    let mut rows: Vec<&mut [(f64, f64)]> = Vec::with_capacity(t.n_judges);
    let mut rest = truth.as_mut_slice();
    for k in 0..t.n_judges {
        let (head, tail) = rest.split_at_mut(t.offsets[k + 1] - t.offsets[k]);
        rows.push(head);
        rest = tail;
    }
    rows.into_par_iter().zip(truthful.par_iter_mut()).zip(ll.par_iter_mut()).enumerate().with_min_len(64).for_each(|(k, ((out, s), l))| {
        let e = eta[k];
        for (slot, row) in out.iter_mut().zip(t.rows(k)) {
            let q = t.pair[row] as usize;
            // P(report "i beats j") and P(report "j beats i").
            let (p_up, p_down) = (e * up[q] + (1.0 - e) * down[q], e * down[q] + (1.0 - e) * up[q]);
            let (t_up, t_down) = (if p_up > 0.0 { e * up[q] / p_up } else { 0.0 }, if p_down > 0.0 { e * down[q] / p_down } else { 0.0 });
            let half = 0.5 * t.ties[row];
            let (wi, wj) = (t.wins_i[row] + half, t.wins_j[row] + half);
            if wi > 0.0 {
                *s += wi * t_up;
                *l += wi * p_up.ln();
            }
            if wj > 0.0 {
                *s += wj * t_down;
                *l += wj * p_down.ln();
            }
            *slot = (t_up, t_down);
        }
    });
    let p = t.pairs_i.len();
    let (mut wi, mut wj) = (vec![0.0; p], vec![0.0; p]);
    for (row, &(t_up, t_down)) in truth.iter().enumerate() {
        let q = t.pair[row] as usize;
        let half = 0.5 * t.ties[row];
        let (ri, rj) = (t.wins_i[row] + half, t.wins_j[row] + half);
        wi[q] += ri * t_up + rj * (1.0 - t_down);
        wj[q] += rj * t_down + ri * (1.0 - t_up);
    }
    Ok((truthful, [wi, wj, vec![0.0; p]], ll.iter().sum()))
}

/// Fits Crowd-BT by EM (see the module documentation), starting from the plain Bradley–Terry
/// fit of all reports.
pub fn crowd(t: &JudgeTable, opts: &CrowdOptions) -> Result<CrowdFit> {
    let (a, b) = opts.prior;
    if !(a.is_finite() && b.is_finite() && a >= 1.0 && b >= 1.0) {
        return Err(Error::InvalidArgument("the reliability prior needs a, b >= 1".into()));
    }
    if !(opts.initial_reliability > 0.5 && opts.initial_reliability < 1.0) {
        return Err(Error::InvalidArgument("initial_reliability must be in (0.5, 1)".into()));
    }
    if !(opts.tol.is_finite() && opts.tol > 0.0) {
        return Err(Error::InvalidArgument("tol must be > 0".into()));
    }
    let bt_opts = bt_options(opts.regularization, 1e-10);
    let observed = t.weighted_pairs(|_| 1.0);
    let mut fit = bt::fit(t.pairs_ref(&observed), &bt_opts)?;
    drop(observed);
    let counts = t.judge_counts();
    let mut eta = try_filled(t.n_judges, opts.initial_reliability)?;
    let (mut truthful, mut true_wins, mut log_likelihood) = crowd_e_step(t, &fit.theta, &eta)?;
    let (mut iterations, mut converged) = (0, false);
    while iterations < opts.max_iter && !crate::interrupt::poll() {
        for k in 0..t.n_judges {
            let denominator = counts[k] + a + b - 2.0;
            eta[k] = if denominator > 0.0 { ((truthful[k] + a - 1.0) / denominator).clamp(0.0, 1.0) } else { opts.initial_reliability };
        }
        fit = bt::fit_from(t.pairs_ref(&true_wins), &bt_opts, Some(&fit))?;
        let ll;
        (truthful, true_wins, ll) = crowd_e_step(t, &fit.theta, &eta)?;
        iterations += 1;
        converged = (ll - log_likelihood).abs() <= opts.tol * (1.0 + ll.abs());
        log_likelihood = ll;
        if converged {
            break;
        }
    }
    crate::interrupt::check()?;
    if !(log_likelihood.is_finite() && fit.theta.iter().all(|x| x.is_finite())) {
        return Err(Error::InvalidArgument("the Crowd-BT fit is not finite (try regularization > 0)".into()));
    }
    fit.log_likelihood = log_likelihood;
    Ok(CrowdFit { fit, reliability: eta, log_likelihood, iterations, converged })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The restarts' reduce picks, over any split of the range, the chain a sequential pass
    /// picks: the first of the largest log-likelihoods, NaN never winning (the last when all are
    /// NaN), and keeps the log-likelihoods in order.
    #[test]
    fn restarts_reduce_like_a_sequential_pass() {
        let one = |ll: f64| Restarts {
            log_likelihoods: vec![ll],
            best: Some((0, Chain { fits: Vec::new(), shares: Vec::new(), resp: Vec::new(), log_likelihood: ll, iterations: 1, converged: false })),
        };
        fn reduce(lls: &[f64], one: &dyn Fn(f64) -> Restarts, cut: usize) -> Restarts {
            if lls.len() <= 1 {
                return lls.first().map_or_else(Restarts::default, |&ll| one(ll));
            }
            let mid = (cut % (lls.len() - 1)) + 1;
            reduce(&lls[..mid], one, cut * 7 + 3).then(reduce(&lls[mid..], one, cut * 5 + 1))
        }
        let mut s = 5u64;
        for trial in 0..200usize {
            let lls: Vec<f64> = (0..1 + trial % 13)
                .map(|_| match (lcg(&mut s) * 5.0) as u32 {
                    0 => f64::NAN,
                    v => -(v as f64),
                })
                .collect();
            let sequential = (0..lls.len()).fold(0, |b, r| if lls[r] > lls[b] || lls[b].is_nan() { r } else { b });
            let out = reduce(&lls, &one, trial);
            assert_eq!(out.best.map(|b| b.0), Some(sequential), "{lls:?}");
            assert!(out.log_likelihoods.iter().zip(&lls).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    /// A tiny deterministic generator for simulated comparisons.
    fn lcg(s: &mut u64) -> f64 {
        *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*s >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Judges `0..half` prefer low item codes, the others high codes.
    fn two_camps(judges: usize, per_judge: usize, n: usize, seed: u64) -> (Vec<u32>, Vec<u32>, Vec<u32>, Vec<f64>) {
        let mut s = seed;
        let (mut jd, mut a, mut b, mut o) = (vec![], vec![], vec![], vec![]);
        for k in 0..judges {
            let sign = if k < judges / 2 { 1.0 } else { -1.0 };
            for _ in 0..per_judge {
                let x = (lcg(&mut s) * n as f64) as u32;
                let mut y = (lcg(&mut s) * n as f64) as u32;
                if y == x {
                    y = (x + 1) % n as u32;
                }
                let d = sign * (f64::from(y) - f64::from(x)) * 0.6;
                let p = 1.0 / (1.0 + (-d).exp());
                jd.push(k as u32);
                a.push(x);
                b.push(y);
                o.push(if lcg(&mut s) < p { 1.0 } else { 0.0 });
            }
        }
        (jd, a, b, o)
    }

    #[test]
    fn reduce_by_judge_keeps_every_count() {
        let judge = [0, 1, 0, 0, 1];
        let a = [0, 1, 1, 2, 0];
        let b = [1, 0, 0, 0, 2];
        let o = [1.0, 1.0, 0.5, 0.0, 1.0];
        let t = reduce_by_judge(3, 2, &judge, &a, &b, Outcomes::Values(&o), None).unwrap();
        assert_eq!(t.offsets, vec![0, 2, 4]);
        assert_eq!((t.pairs_i.clone(), t.pairs_j.clone()), (vec![0, 0], vec![1, 2]));
        // Judge 0: (0,1) one win of 0 and a tie; (0,2): row 3, a = 2 lost → a win of 0.
        assert_eq!((t.wins_i[0], t.wins_j[0], t.ties[0]), (1.0, 0.0, 1.0));
        assert_eq!((t.wins_i[1], t.wins_j[1], t.ties[1]), (1.0, 0.0, 0.0));
        // Judge 1: (0,1) won by 1; (0,2) won by 0.
        assert_eq!((t.wins_i[2], t.wins_j[2]), (0.0, 1.0));
        assert_eq!((t.wins_i[3], t.wins_j[3]), (1.0, 0.0));
        assert_eq!(t.judge_counts(), vec![3.0, 2.0]);
    }

    #[test]
    fn mixture_separates_opposite_camps_whatever_the_threads() {
        let (jd, a, b, o) = two_camps(60, 40, 8, 7);
        let t = reduce_by_judge(8, 60, &jd, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = MixtureOptions { groups: 2, restarts: 4, short_iter: 10, seed: 3, regularization: 1.0, tol: 1e-10, max_iter: 500 };
        let fit = mixture(&t, &opts).unwrap();
        let camp = |k: usize| usize::from(fit.responsibilities[k * 2 + 1] > 0.5);
        let first = camp(0);
        assert!((0..30).all(|k| camp(k) == first) && (30..60).all(|k| camp(k) == 1 - first));
        // Group strengths run in opposite directions.
        let slope = |c: usize| fit.theta[c * 8 + 7] - fit.theta[c * 8];
        assert!(slope(first) < 0.0 && slope(1 - first) > 0.0);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| mixture(&t, &opts).unwrap());
        assert_eq!(one.theta, fit.theta);
        assert_eq!(one.responsibilities, fit.responsibilities);
    }

    #[test]
    fn one_group_is_bradley_terry() {
        let (jd, a, b, o) = two_camps(20, 30, 6, 11);
        let t = reduce_by_judge(6, 20, &jd, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = MixtureOptions { groups: 1, restarts: 3, short_iter: 5, seed: 0, regularization: 0.5, tol: 1e-12, max_iter: 100 };
        let fit = mixture(&t, &opts).unwrap();
        let all = crate::pairs::reduce(6, &a, &b, Outcomes::Values(&o), None).unwrap();
        let plain = bt::fit(all.as_ref(), &bt_options(0.5, 1e-10)).unwrap();
        for (x, y) in fit.theta.iter().zip(&plain.theta) {
            assert!((x - y).abs() < 1e-7, "{x} vs {y}");
        }
        assert!((fit.log_likelihood - plain.log_likelihood).abs() < 1e-6 * plain.log_likelihood.abs());
        assert_eq!(fit.shares, vec![1.0]);
    }

    #[test]
    fn crowd_flags_the_judges_who_reverse() {
        // Judges 0..15 honest, 15..20 report the reverse of an honest judge.
        let (mut jd, mut a, mut b, mut o) = (vec![], vec![], vec![], vec![]);
        let mut s = 5;
        for k in 0..20u32 {
            for _ in 0..60 {
                let x = (lcg(&mut s) * 6.0) as u32;
                let y = (x + 1 + (lcg(&mut s) * 5.0) as u32) % 6;
                let p = 1.0 / (1.0 + (-(f64::from(x) - f64::from(y)) * 0.5).exp());
                let honest = lcg(&mut s) < p;
                jd.push(k);
                a.push(x);
                b.push(y);
                o.push(if honest == (k < 15) { 1.0 } else { 0.0 });
            }
        }
        let t = reduce_by_judge(6, 20, &jd, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = CrowdOptions { regularization: 0.0, prior: (1.0, 1.0), initial_reliability: 0.8, tol: 1e-10, max_iter: 1000 };
        let fit = crowd(&t, &opts).unwrap();
        assert!(fit.converged);
        assert!(fit.reliability[..15].iter().all(|&e| e > 0.5), "{:?}", fit.reliability);
        assert!(fit.reliability[15..].iter().all(|&e| e < 0.5), "{:?}", fit.reliability);
        // Strengths increase with the item code, as simulated.
        assert!(fit.fit.theta.windows(2).all(|w| w[0] < w[1]), "{:?}", fit.fit.theta);
    }
}
