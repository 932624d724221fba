//! `rankagg._core`: thin PyO3 wrappers over `rankagg-core`, one file per family as in the core
//! crate (`pairs`, `rate`, `consensus`, `vote`, `games`, `aggregate`, `crowd`), each with a
//! `register(m)`; `errors` maps core errors to Python exceptions and runs calls detached.
//!
//! Every heavy call releases the GIL and runs under `catch_unwind` ([`errors::run_detached`]),
//! so that no panic crosses into Python, and core errors become the exception classes of
//! `rankagg.errors` by variant ([`errors::to_pyerr`]), with the structured details (rows, item
//! codes) as attributes. Option strings are parsed by the core enums' `FromStr`.

mod aggregate;
mod arrow;
mod consensus;
mod crowd;
mod errors;
mod games;
mod pairs;
mod rate;
mod vote;

use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn slice<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| PyValueError::new_err(format!("{name}: array must be contiguous")))
}

fn opt_slice<'a, T: numpy::Element>(a: &'a Option<PyReadonlyArray1<'_, T>>, name: &str) -> PyResult<Option<&'a [T]>> {
    a.as_ref().map(|a| slice(a, name)).transpose()
}

/// Polls Python's signal handlers from a detached call (re-attaching briefly): true after Ctrl-C.
fn interrupted() -> bool {
    Python::attach(|py| py.check_signals().is_err())
}

/// The threads a bootstrap's rounds run on, one round per thread at a time
/// (`rankagg_core::resample::threads`).
#[pyfunction]
fn threads() -> usize {
    rankagg_core::resample::threads()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Long fits (Bradley–Terry, Plackett–Luce) poll this between iterations.
    rankagg_core::interrupt::set_checker(interrupted);
    // NumPy's C API is loaded on first use, by an import that a pending Ctrl-C can abort, and
    // rust-numpy panics then: load it here, at import, not inside the first call's result.
    let _ = numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
    pairs::register(m)?;
    rate::register(m)?;
    consensus::register(m)?;
    vote::register(m)?;
    games::register(m)?;
    aggregate::register(m)?;
    crowd::register(m)?;
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(threads, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
