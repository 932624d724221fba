//! Bindings of `rankagg_core::rate::crowd`: the per-judge pair table (kept in Rust between
//! fits) and the mixture and Crowd-BT fits, returned as typed, frozen result objects.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use rankagg_core::rate::crowd as core;

use crate::errors::run_detached;
use crate::pairs::RowArrays;
use crate::slice;

/// Comparisons reduced per (judge, pair): built once, fitted many times.
#[pyclass(frozen, module = "rankagg._core")]
pub struct JudgeTable {
    inner: core::JudgeTable,
}

#[pymethods]
impl JudgeTable {
    #[getter]
    fn n_items(&self) -> usize {
        self.inner.n_items
    }
    #[getter]
    fn n_judges(&self) -> usize {
        self.inner.n_judges
    }
    /// Distinct (judge, pair) cells.
    #[getter]
    fn cells(&self) -> usize {
        self.inner.pair.len()
    }
    /// Distinct pairs over all judges.
    #[getter]
    fn pairs(&self) -> usize {
        self.inner.pairs_i.len()
    }
    /// Per judge: the weighted number of comparisons.
    fn judge_counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.inner.judge_counts())
    }
}

/// Reduces coded rows (`rows`: see `pairs::RowArrays`) to a per-judge pair table (rows
/// validated as `reduce_pairs` does).
#[pyfunction]
pub fn judge_table<'py>(py: Python<'py>, n_items: usize, n_judges: usize, judge: PyReadonlyArray1<'py, u32>, rows: RowArrays<'py>) -> PyResult<JudgeTable> {
    let judge = slice(&judge, "judge")?;
    let rows = rows.rows(n_items)?;
    let inner = run_detached(py, || core::reduce_by_judge(n_items, n_judges, judge, rows.a, rows.b, rows.outcomes, rows.weights))?;
    Ok(JudgeTable { inner })
}

/// A fitted mixture of Bradley–Terry models (groups ordered by decreasing share).
#[pyclass(frozen, get_all, module = "rankagg._core")]
pub struct MixtureFit {
    /// groups × items log-strengths, each group centred to mean 0.
    theta: Py<PyArray2<f64>>,
    shares: Py<PyArray1<f64>>,
    /// judges × groups posterior probabilities.
    responsibilities: Py<PyArray2<f64>>,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
    best_restart: usize,
    restart_log_likelihoods: Py<PyArray1<f64>>,
}

/// Fits a latent-class mixture of Bradley–Terry models by EM.
#[pyfunction]
#[pyo3(signature = (table, *, groups, restarts=8, short_iter=20, seed=0, regularization=1.0, tol=1e-9, max_iter=1000))]
#[allow(clippy::too_many_arguments)]
pub fn bradley_terry_mixture(
    py: Python<'_>,
    table: &JudgeTable,
    groups: usize,
    restarts: usize,
    short_iter: usize,
    seed: u64,
    regularization: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<MixtureFit> {
    let opts = core::MixtureOptions { groups, restarts, short_iter, seed, regularization, tol, max_iter };
    let t = &table.inner;
    let fit = run_detached(py, || core::mixture(t, &opts))?;
    let (n, j) = (t.n_items, t.n_judges);
    Ok(MixtureFit {
        theta: PyArray1::from_vec(py, fit.theta).reshape([groups, n])?.unbind(),
        shares: PyArray1::from_vec(py, fit.shares).unbind(),
        responsibilities: PyArray1::from_vec(py, fit.responsibilities).reshape([j, groups])?.unbind(),
        log_likelihood: fit.log_likelihood,
        iterations: fit.iterations,
        converged: fit.converged,
        best_restart: fit.best_restart,
        restart_log_likelihoods: PyArray1::from_vec(py, fit.restart_log_likelihoods).unbind(),
    })
}

/// A fitted Crowd-BT model.
#[pyclass(frozen, get_all, module = "rankagg._core")]
pub struct CrowdFit {
    /// Per item log-strength, centred to mean 0.
    theta: Py<PyArray1<f64>>,
    /// Per judge: the probability of reporting the true order.
    reliability: Py<PyArray1<f64>>,
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
    /// With regularization: the virtual item's log-strength on the scale of `theta`.
    virtual_theta: Option<f64>,
}

/// Fits Crowd-BT (strengths and judge reliabilities) by EM.
#[pyfunction]
#[pyo3(signature = (table, *, regularization=0.0, prior=(1.0, 1.0), initial_reliability=0.8, tol=1e-9, max_iter=1000))]
pub fn crowd_bradley_terry(
    py: Python<'_>,
    table: &JudgeTable,
    regularization: f64,
    prior: (f64, f64),
    initial_reliability: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<CrowdFit> {
    let opts = core::CrowdOptions { regularization, prior, initial_reliability, tol, max_iter };
    let t = &table.inner;
    let fit = run_detached(py, || core::crowd(t, &opts))?;
    Ok(CrowdFit {
        theta: PyArray1::from_vec(py, fit.fit.theta).unbind(),
        reliability: PyArray1::from_vec(py, fit.reliability).unbind(),
        log_likelihood: fit.log_likelihood,
        iterations: fit.iterations,
        converged: fit.converged,
        virtual_theta: fit.fit.virtual_theta,
    })
}

/// Registers this file's classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<JudgeTable>()?;
    m.add_class::<MixtureFit>()?;
    m.add_class::<CrowdFit>()?;
    m.add_function(wrap_pyfunction!(judge_table, m)?)?;
    m.add_function(wrap_pyfunction!(bradley_terry_mixture, m)?)?;
    m.add_function(wrap_pyfunction!(crowd_bradley_terry, m)?)?;
    Ok(())
}
