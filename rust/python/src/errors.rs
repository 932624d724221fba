//! From core errors to Python exceptions. [`to_pyerr`] is the one table: each
//! `rankagg_core::Error` variant maps to one exception class (a class of `rankagg.errors`,
//! declared once below, or `MemoryError` / `KeyboardInterrupt`), with the variant's details
//! (rows, item codes) as attributes; never by message text. [`run_detached`] is how every heavy
//! call crosses: without the GIL, a panic caught and raised as `InternalError`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use rankagg_core::Error;

// The classes of `rankagg.errors` that core errors become (imported on first use).
pyo3::import_exception!(rankagg.errors, RankaggError);
pyo3::import_exception!(rankagg.errors, SelfComparisonError);
pyo3::import_exception!(rankagg.errors, OutcomeRangeError);
pyo3::import_exception!(rankagg.errors, InvalidWeightError);
pyo3::import_exception!(rankagg.errors, NotIdentifiableError);
pyo3::import_exception!(rankagg.errors, InternalError);

/// The Python exception of a core error: the one table from `Error` variants to classes.
pub(crate) fn to_pyerr(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.to_string();
    let build = || -> PyResult<PyErr> {
        let rows = |err: PyErr, rows: Vec<usize>, count: usize| {
            with_details(py, err, [("rows", rows.into_bound_py_any(py)?), ("count", count.into_bound_py_any(py)?)])
        };
        Ok(match e {
            Error::SelfComparison { rows: r, count } => rows(SelfComparisonError::new_err(msg), r, count)?,
            Error::OutcomeRange { rows: r, count } => rows(OutcomeRangeError::new_err(msg), r, count)?,
            Error::InvalidWeight { rows: r, count } => rows(InvalidWeightError::new_err(msg), r, count)?,
            Error::NotIdentifiable { never_win, never_lose, components, component_of } => with_details(
                py,
                NotIdentifiableError::new_err(msg),
                [
                    ("never_win", never_win.into_bound_py_any(py)?),
                    ("never_lose", never_lose.into_bound_py_any(py)?),
                    ("components", components.into_bound_py_any(py)?),
                    ("component_of", component_of.into_bound_py_any(py)?),
                ],
            )?,
            Error::InvalidArgument(_) => RankaggError::new_err(msg),
            Error::OutOfMemory { .. } => PyMemoryError::new_err(msg),
            Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        })
    };
    build().unwrap_or_else(|failed| failed)
}

/// `err` with the error's details set as attributes of the exception.
fn with_details<const N: usize>(py: Python<'_>, err: PyErr, details: [(&str, Bound<'_, PyAny>); N]) -> PyResult<PyErr> {
    let value = err.value(py);
    for (name, v) in details {
        value.setattr(name, v)?;
    }
    Ok(err)
}

/// An option string parsed by its core enum's `FromStr` (an unknown name is `RankaggError`
/// listing the choices).
pub(crate) fn parse_option<T: std::str::FromStr<Err = Error>>(py: Python<'_>, s: &str) -> PyResult<T> {
    s.parse().map_err(|e| to_pyerr(py, e))
}

/// Runs `f` without the GIL and without letting a panic escape (a panic is `InternalError`).
pub(crate) fn run_detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!("internal error in rankagg's core (please report): {msg}")))
        }
    }
}

/// Test hook (not API): raises what a panic in the core raises, so the tests can check that
/// no panic crosses into Python (`tests/test_errors.py`).
#[pyfunction]
fn _debug_panic(py: Python<'_>) -> PyResult<()> {
    run_detached(py, || -> Result<(), Error> { panic!("debug hook") })
}

/// Registers this file's test hook.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    Ok(())
}
