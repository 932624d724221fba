//! Bindings of `rankagg_core::vote`: Schulze's order, ranked pairs (label-order locking and the
//! winners under every order of equal margins), the Smith set and instant runoff. Matrices come row-major
//! and flat (n × n); the GIL is released for every call.

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use rankagg_core::vote as core;

use crate::errors::run_detached;
use crate::{opt_slice, slice};

/// Ranked pairs with the label-order tie-break on `P`: per item, the number of items it is
/// locked above. `one_by_one`: the method before decision 37 (the tests' and benches' hook).
#[pyfunction]
#[pyo3(signature = (n, p, one_by_one=false))]
fn ranked_pairs_label<'py>(py: Python<'py>, n: usize, p: PyReadonlyArray1<'py, f64>, one_by_one: bool) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let p = slice(&p, "p")?;
    let below = run_detached(py, || core::ranked_pairs_label_by(n, p, one_by_one))?;
    Ok(PyArray1::from_vec(py, below))
}

/// The items (indices into the k × k margins `m`, ascending) that win ranked pairs under some
/// order of equal margins, or None when the search needs more than `work` word operations or
/// `memory` bytes of stored states.
#[pyfunction]
fn ranked_pairs_winners<'py>(
    py: Python<'py>,
    k: usize,
    m: PyReadonlyArray1<'py, f64>,
    work: u64,
    memory: usize,
) -> PyResult<Option<Bound<'py, PyArray1<u32>>>> {
    let m = slice(&m, "m")?;
    let limits = core::SearchLimits { work, memory };
    let winners = run_detached(py, || core::ranked_pairs_winners(k, m, &limits))?;
    Ok(winners.map(|w| PyArray1::from_vec(py, w)))
}

/// Schulze's order on `P` (strengths `winning_votes` or margins): per item, the number of
/// items above it and the number it is above.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn schulze<'py>(
    py: Python<'py>,
    n: usize,
    p: PyReadonlyArray1<'py, f64>,
    winning_votes: bool,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>)> {
    let p = slice(&p, "p")?;
    let (above, below) = run_detached(py, || core::schulze(n, p, winning_votes))?;
    Ok((PyArray1::from_vec(py, above), PyArray1::from_vec(py, below)))
}

/// The Smith set of `P` (indices, ascending).
#[pyfunction]
fn smith_set<'py>(py: Python<'py>, n: usize, p: PyReadonlyArray1<'py, f64>) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let p = slice(&p, "p")?;
    let set = run_detached(py, || core::smith_set(n, p))?;
    Ok(PyArray1::from_vec(py, set))
}

/// Instant runoff on ballots in CSR form with whole-number weights (None: 1 each) and `unit`
/// a multiple of every tie size: the order, the winner first, then the eliminated from last
/// to first.
#[pyfunction]
#[pyo3(signature = (n, offsets, items, levels, weights, unit))]
fn instant_runoff<'py>(
    py: Python<'py>,
    n: usize,
    offsets: PyReadonlyArray1<'py, u64>,
    items: PyReadonlyArray1<'py, u32>,
    levels: PyReadonlyArray1<'py, u32>,
    weights: Option<PyReadonlyArray1<'py, u64>>,
    unit: u64,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let (offsets, items, levels) = (slice(&offsets, "offsets")?, slice(&items, "items")?, slice(&levels, "levels")?);
    let weights = opt_slice(&weights, "weights")?;
    let order = run_detached(py, || core::instant_runoff(n, offsets, items, levels, weights, unit))?;
    Ok(PyArray1::from_vec(py, order))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ranked_pairs_label, m)?)?;
    m.add_function(wrap_pyfunction!(ranked_pairs_winners, m)?)?;
    m.add_function(wrap_pyfunction!(smith_set, m)?)?;
    m.add_function(wrap_pyfunction!(schulze, m)?)?;
    m.add_function(wrap_pyfunction!(instant_runoff, m)?)?;
    Ok(())
}
