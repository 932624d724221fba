//! Bindings of `rankagg_core::rate`: Bradley–Terry (one call of `bradley_terry::fit_table`),
//! pooled Bradley–Terry, Elo, TrueSkill, the counting and spectral scores, the covariate
//! terms and Plackett–Luce. Each returns a dict (its keys typed in `_core.pyi`).

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rankagg_core::rate::bradley_terry as bt;
use rankagg_core::rate::elo as elo_core;
use rankagg_core::rate::plackett_luce as pl_core;
use rankagg_core::rate::pooled;
use rankagg_core::rate::trueskill as ts_core;
use rankagg_core::rate::{self, covariates};

use crate::errors::{parse_option, run_detached};
use crate::pairs::{RowArrays, TableArrays};
use crate::{opt_slice, slice};

/// Fits Bradley–Terry on a pair table (`table`: see `pairs::TableArrays`). Returns a dict with theta, iterations, converged,
/// log_likelihood, tie_parameter, max_relative_gradient, virtual_theta; with `rounds > 0` also
/// a bootstrap by count resampling (`draws` comparisons per round): replicates (rounds × n),
/// replicate_tie_parameter, redraws, not_converged. `point_theta` (with `point_virtual`,
/// `point_tie`): the point fit of an earlier chunk of rounds, used instead of fitting again
/// (the returned point fields are then that fit's, and no wins/losses/ties are returned).
#[pyfunction]
#[pyo3(signature = (n, table, *, tie_model="half", solver="newman", regularization=0.0, tol=1e-9, max_iter=10_000, rounds=0, draws=0, seed=0, first_round=0, point_theta=None, point_virtual=None, point_tie=None))]
#[allow(clippy::too_many_arguments)]
fn bradley_terry<'py>(
    py: Python<'py>,
    n: usize,
    table: TableArrays<'py>,
    tie_model: &str,
    solver: &str,
    regularization: f64,
    tol: f64,
    max_iter: usize,
    rounds: usize,
    draws: u64,
    seed: u64,
    first_round: usize,
    point_theta: Option<PyReadonlyArray1<'py, f64>>,
    point_virtual: Option<f64>,
    point_tie: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    // A later chunk of bootstrap rounds gets the point fit of the first chunk (its θ, virtual
    // θ and tie parameter) instead of fitting it again: the replicates start from it.
    let point = opt_slice(&point_theta, "point_theta")?.map(|theta| bt::Fit::given(theta.to_vec(), point_virtual, point_tie));
    let opts = bt::Options { ties: parse_option(py, tie_model)?, solver: parse_option(py, solver)?, regularization, tol, max_iter };
    let table = table.table(n)?;
    let resampling = (rounds > 0).then(|| bt::Resampling { draws, rounds: first_round..first_round + rounds, seed });
    let bt::TableFit { fit, totals, replicates: reps } = run_detached(py, || bt::fit_table(table, &opts, point, first_round == 0, resampling))?;
    let d = PyDict::new(py);
    if let Some(totals) = totals {
        set_totals(&d, totals)?;
    }
    d.set_item("theta", PyArray1::from_vec(py, fit.theta))?;
    d.set_item("iterations", fit.iterations)?;
    d.set_item("converged", fit.converged)?;
    d.set_item("log_likelihood", fit.log_likelihood)?;
    d.set_item("tie_parameter", fit.tie_parameter)?;
    d.set_item("max_relative_gradient", fit.max_relative_gradient)?;
    d.set_item("virtual_theta", fit.virtual_theta)?;
    if let Some(r) = reps {
        let arr = PyArray1::from_vec(py, r.theta).reshape([rounds, n])?;
        d.set_item("replicates", arr)?;
        d.set_item("replicate_tie_parameter", PyArray1::from_vec(py, r.tie_parameter))?;
        d.set_item("redraws", r.redraws)?;
        d.set_item("not_converged", r.not_converged)?;
    }
    Ok(d)
}

/// Per-task Bradley–Terry with partial pooling (`rate::pooled`): the MAP from a start, on
/// per-(task, pair) effective counts (`task` sorted). GIL released.
#[pyfunction]
#[pyo3(signature = (n, n_tasks, task, i, j, wij, wji, mu0, delta0, *, pooling, regularization=0.0, tol=1e-9, max_iter=10_000))]
#[allow(clippy::too_many_arguments)]
fn pooled_bradley_terry<'py>(
    py: Python<'py>,
    n: usize,
    n_tasks: usize,
    task: PyReadonlyArray1<'py, u32>,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
    wij: PyReadonlyArray1<'py, f64>,
    wji: PyReadonlyArray1<'py, f64>,
    mu0: PyReadonlyArray1<'py, f64>,
    delta0: PyReadonlyArray1<'py, f64>,
    pooling: f64,
    regularization: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let problem =
        pooled::Problem { n, n_tasks, task: slice(&task, "task")?, i: slice(&i, "i")?, j: slice(&j, "j")?, wij: slice(&wij, "wij")?, wji: slice(&wji, "wji")? };
    let (mu0, delta0) = (slice(&mu0, "mu0")?, slice(&delta0, "delta0")?);
    let opts = pooled::Options { pooling, regularization, tol, max_iter };
    let fit = run_detached(py, || pooled::fit(problem, &opts, mu0, delta0))?;
    let d = PyDict::new(py);
    d.set_item("mu", PyArray1::from_vec(py, fit.mu))?;
    d.set_item("delta", PyArray1::from_vec(py, fit.delta).reshape([n_tasks, n])?)?;
    d.set_item("iterations", fit.iterations)?;
    d.set_item("converged", fit.converged)?;
    d.set_item("max_relative_gradient", fit.max_relative_gradient)?;
    d.set_item("log_likelihood", fit.log_likelihood)?;
    Ok(d)
}

/// Online Elo over rows in order (codes < n). Returns a dict with scores, wins, losses, ties
/// (per item) and, with `rounds > 0`, replicates (rounds × n) from row resampling.
#[pyfunction]
#[pyo3(signature = (n, rows, *, k=4.0, base=10.0, scale=400.0, initial=1000.0, rounds=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn elo<'py>(
    py: Python<'py>,
    n: usize,
    rows: RowArrays<'py>,
    k: f64,
    base: f64,
    scale: f64,
    initial: f64,
    rounds: usize,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = rows.rows(n)?;
    let opts = elo_core::Options { k, base, scale, initial };
    let (scores, totals, reps) = run_detached(py, || {
        rows.validate()?;
        let scores = elo_core::elo(&rows, &opts)?;
        let totals = elo_core::totals(&rows);
        let reps = if rounds > 0 { Some(elo_core::bootstrap(&rows, &opts, first_round..first_round + rounds, seed)?) } else { None };
        Ok((scores, totals, reps))
    })?;
    let d = PyDict::new(py);
    d.set_item("scores", PyArray1::from_vec(py, scores))?;
    set_totals(&d, totals)?;
    set_replicates(&d, reps, rounds, n)?;
    Ok(d)
}

/// Two-player TrueSkill over rows in order (codes < n; outcomes 1, 0.5, 0; a whole-number weight
/// repeats a row). Returns a dict with mu, sigma, wins, losses, ties (per item) and, with
/// `rounds > 0`, replicates (rounds × n scores μ − 3σ) from row resampling.
#[pyfunction]
#[pyo3(signature = (n, rows, *, mu=25.0, sigma=25.0 / 3.0, beta=25.0 / 6.0, tau=25.0 / 300.0, draw_probability=0.1, rounds=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn trueskill<'py>(
    py: Python<'py>,
    n: usize,
    rows: RowArrays<'py>,
    mu: f64,
    sigma: f64,
    beta: f64,
    tau: f64,
    draw_probability: f64,
    rounds: usize,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = rows.rows(n)?;
    let opts = ts_core::Options { mu, sigma, beta, tau, draw_probability };
    let (fit, totals, reps) = run_detached(py, || {
        let fit = ts_core::trueskill(&rows, &opts)?; // validates the rows
        let reps = if rounds > 0 { Some(ts_core::bootstrap(&rows, &opts, first_round..first_round + rounds, seed)?) } else { None };
        Ok((fit, elo_core::totals(&rows), reps))
    })?;
    let d = PyDict::new(py);
    d.set_item("mu", PyArray1::from_vec(py, fit.mu))?;
    d.set_item("sigma", PyArray1::from_vec(py, fit.sigma))?;
    set_totals(&d, totals)?;
    set_replicates(&d, reps, rounds, n)?;
    Ok(d)
}

/// Count-based and spectral scores of a pair table: method is one of counting, win_rate,
/// average_win_rate, eigenvector, pagerank, rank_centrality. Returns a dict with scores,
/// iterations, converged and, with `rounds > 0`, replicates (rounds × n, count resampling).
#[pyfunction]
#[pyo3(signature = (method, n, table, *, tie_weight=0.5, damping=0.85, tol=1e-12, max_iter=10_000, rounds=0, draws=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn pair_scores<'py>(
    py: Python<'py>,
    method: &str,
    n: usize,
    table: TableArrays<'py>,
    tie_weight: f64,
    damping: f64,
    tol: f64,
    max_iter: usize,
    rounds: usize,
    draws: u64,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let method: rate::PairScore = parse_option(py, method)?;
    let opts = rate::PairScoreOptions { tie_weight, damping, tol, max_iter };
    let table = table.table(n)?;
    let (fit, reps) = run_detached(py, || {
        table.validate()?;
        let fit = rate::pair_scores(table, method, &opts)?;
        let reps = if rounds > 0 {
            let (r, _) = rankagg_core::resample::pairs_bootstrap(table, draws, first_round..first_round + rounds, seed, |t| {
                rate::pair_scores(t, method, &opts).map(|f| Some(f.scores))
            })?;
            Some(r.concat())
        } else {
            None
        };
        Ok((fit, reps))
    })?;
    let d = PyDict::new(py);
    d.set_item("scores", PyArray1::from_vec(py, fit.scores))?;
    d.set_item("iterations", fit.iterations)?;
    d.set_item("converged", fit.converged)?;
    set_replicates(&d, reps, rounds, n)?;
    Ok(d)
}

/// Log-likelihood terms of Bradley–Terry with row covariates at (theta, beta): returns
/// (log_likelihood, gradient (n + p), information ((n + p)²), meat or None). `x` is the m × p
/// feature matrix, row-major. With `validate`, the rows are checked first.
#[pyfunction]
#[pyo3(signature = (n, rows, x, theta, beta, *, drop_ties=false, with_meat=false, validate=false))]
#[allow(clippy::too_many_arguments)]
fn covariate_terms<'py>(
    py: Python<'py>,
    n: usize,
    rows: RowArrays<'py>,
    x: PyReadonlyArray1<'py, f64>,
    theta: PyReadonlyArray1<'py, f64>,
    beta: PyReadonlyArray1<'py, f64>,
    drop_ties: bool,
    with_meat: bool,
    validate: bool,
) -> PyResult<(f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Option<Bound<'py, PyArray1<f64>>>)> {
    let beta_s = slice(&beta, "beta")?;
    let theta_s = slice(&theta, "theta")?;
    if theta_s.len() != n {
        return Err(PyValueError::new_err("theta must have n entries"));
    }
    let rows = rows.rows(n)?;
    let design = covariates::Design { rows, x: slice(&x, "x")?, p: beta_s.len(), drop_ties };
    let t = run_detached(py, || {
        if validate {
            design.validate()?;
        }
        Ok(design.terms(theta_s, beta_s, with_meat))
    })?;
    Ok((t.log_likelihood, PyArray1::from_vec(py, t.gradient), PyArray1::from_vec(py, t.information), t.meat.map(|m| PyArray1::from_vec(py, m))))
}

/// Plackett–Luce on rankings in CSR form (ranking r = items[offsets[r]..offsets[r+1]], best
/// first); `unranked` is "below" (top-k lists: the listed items chosen before the unlisted
/// ones) or "ignore" (rankings of subsets). Returns a dict with theta, iterations, converged,
/// log_likelihood, max_relative_gradient and, with `rounds > 0`, replicates (rounds × n) from
/// resampling rankings, and redraws.
#[pyfunction]
#[pyo3(signature = (n, offsets, items, weight=None, *, solver="fast", regularization=0.0, tol=1e-9, max_iter=10_000, rounds=0, seed=0, first_round=0, unranked="below"))]
#[allow(clippy::too_many_arguments)]
fn plackett_luce<'py>(
    py: Python<'py>,
    n: usize,
    offsets: PyReadonlyArray1<'py, u64>,
    items: PyReadonlyArray1<'py, u32>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    solver: &str,
    regularization: f64,
    tol: f64,
    max_iter: usize,
    rounds: usize,
    seed: u64,
    first_round: usize,
    unranked: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let (solver, unranked) = (parse_option(py, solver)?, parse_option(py, unranked)?);
    let offsets: Vec<usize> = slice(&offsets, "offsets")?.iter().map(|&o| o as usize).collect();
    let r = pl_core::RankingsRef { n, offsets: &offsets, items: slice(&items, "items")?, weights: opt_slice(&weight, "weight")? };
    let opts = pl_core::Options { solver, regularization, tol, max_iter, unranked };
    let (fit, reps) = run_detached(py, || {
        let fit = pl_core::fit(r, &opts)?;
        let reps = if rounds > 0 { Some(pl_core::bootstrap(r, &opts, first_round..first_round + rounds, seed)?) } else { None };
        Ok((fit, reps))
    })?;
    let d = PyDict::new(py);
    d.set_item("theta", PyArray1::from_vec(py, fit.theta))?;
    d.set_item("iterations", fit.iterations)?;
    d.set_item("converged", fit.converged)?;
    d.set_item("log_likelihood", fit.log_likelihood)?;
    d.set_item("max_relative_gradient", fit.max_relative_gradient)?;
    if let Some((r, redraws)) = reps {
        d.set_item("replicates", PyArray1::from_vec(py, r).reshape([rounds, n])?)?;
        d.set_item("redraws", redraws)?;
    }
    Ok(d)
}

/// Sets the per-item `wins`, `losses` and `ties` of a result.
fn set_totals(d: &Bound<'_, PyDict>, [wins, losses, ties]: [Vec<f64>; 3]) -> PyResult<()> {
    let py = d.py();
    d.set_item("wins", PyArray1::from_vec(py, wins))?;
    d.set_item("losses", PyArray1::from_vec(py, losses))?;
    d.set_item("ties", PyArray1::from_vec(py, ties))
}

/// Sets a bootstrap chunk's `replicates` (rounds × n, round-major), when there is one.
fn set_replicates(d: &Bound<'_, PyDict>, reps: Option<Vec<f64>>, rounds: usize, n: usize) -> PyResult<()> {
    match reps {
        Some(r) => d.set_item("replicates", PyArray1::from_vec(d.py(), r).reshape([rounds, n])?),
        None => Ok(()),
    }
}

/// Registers this file's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pooled_bradley_terry, m)?)?;
    m.add_function(wrap_pyfunction!(bradley_terry, m)?)?;
    m.add_function(wrap_pyfunction!(elo, m)?)?;
    m.add_function(wrap_pyfunction!(trueskill, m)?)?;
    m.add_function(wrap_pyfunction!(pair_scores, m)?)?;
    m.add_function(wrap_pyfunction!(covariate_terms, m)?)?;
    m.add_function(wrap_pyfunction!(plackett_luce, m)?)?;
    Ok(())
}
