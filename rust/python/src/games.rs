//! Bindings of `rankagg_core::games`: the maximal lottery of a dense payoff (simplex) and of a
//! sparse one (predictive regret matching⁺).

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{parse_option, run_detached};
use crate::{interrupted, slice};

/// The maximal lottery of a dense skew-symmetric payoff (row-major n × n), by the simplex
/// method: dict with p, exploitability, iterations, unique, converged. `algorithm`: "blocked"
/// (the default) or "tableau" (the dense tableau before decision 35, for the bench and tests).
#[pyfunction]
#[pyo3(signature = (m, n, algorithm = "blocked"))]
fn maximal_lottery<'py>(py: Python<'py>, m: PyReadonlyArray1<'py, f64>, n: usize, algorithm: &str) -> PyResult<Bound<'py, PyDict>> {
    let m = slice(&m, "m")?;
    let solver: rankagg_core::games::ExactSolver = parse_option(py, algorithm)?;
    let l = run_detached(py, || rankagg_core::games::exact_with(m, n, solver, &interrupted))?;
    lottery_dict(py, l)
}

/// The first-order (predictive regret matching⁺) lottery of a sparse skew-symmetric payoff in
/// CSR form (both (i, j) and (j, i) stored).
#[pyfunction]
fn maximal_lottery_sparse<'py>(
    py: Python<'py>,
    offsets: PyReadonlyArray1<'py, u64>,
    cols: PyReadonlyArray1<'py, u32>,
    vals: PyReadonlyArray1<'py, f64>,
    tol: f64,
    max_iter: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let offsets: Vec<usize> = slice(&offsets, "offsets")?.iter().map(|&o| o as usize).collect();
    let (cols, vals) = (slice(&cols, "cols")?, slice(&vals, "vals")?);
    let n = offsets.len().saturating_sub(1);
    if offsets.is_empty() || offsets[n] != cols.len() || cols.len() != vals.len() || cols.iter().any(|&c| c as usize >= n) {
        return Err(PyValueError::new_err("inconsistent CSR payoff"));
    }
    let l = run_detached(py, || {
        let sp = rankagg_core::games::SparsePayoff { offsets: &offsets, cols, vals };
        rankagg_core::games::first_order(&sp, tol, max_iter, &interrupted)
    })?;
    lottery_dict(py, l)
}

fn lottery_dict(py: Python<'_>, l: rankagg_core::games::Lottery) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("p", PyArray1::from_vec(py, l.p))?;
    d.set_item("exploitability", l.exploitability)?;
    d.set_item("iterations", l.iterations)?;
    d.set_item("unique", l.unique)?;
    d.set_item("converged", l.converged)?;
    Ok(d)
}

/// Registers this file's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(maximal_lottery, m)?)?;
    m.add_function(wrap_pyfunction!(maximal_lottery_sparse, m)?)?;
    Ok(())
}
