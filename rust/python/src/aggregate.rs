//! Bindings of `rankagg_core::aggregate`: defensive aggregation of a long score table and the
//! dense rank map of integer keys of a small range.

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::run_detached;
use crate::slice;

/// A key column from Python: `(codes: uint32, rank: uint32, lo)` or `(values: int64, rank:
/// uint32, lo)` (see `rankagg_core::aggregate::Key`).
enum KeyArg<'py> {
    Coded(PyReadonlyArray1<'py, u32>, PyReadonlyArray1<'py, u32>),
    Dense(PyReadonlyArray1<'py, i64>, i64, PyReadonlyArray1<'py, u32>),
}

impl<'py> KeyArg<'py> {
    fn extract(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Self> {
        let (arr, rank, lo): (Bound<'py, PyAny>, PyReadonlyArray1<'py, u32>, i64) =
            obj.extract().map_err(|_| PyTypeError::new_err(format!("{name}: expected (codes or values, rank, lo)")))?;
        if let Ok(v) = arr.extract::<PyReadonlyArray1<'py, i64>>() {
            Ok(KeyArg::Dense(v, lo, rank))
        } else {
            let c = arr.extract::<PyReadonlyArray1<'py, u32>>().map_err(|_| PyTypeError::new_err(format!("{name}: codes must be uint32 or int64")))?;
            Ok(KeyArg::Coded(c, rank))
        }
    }

    fn key(&self, name: &str) -> PyResult<rankagg_core::aggregate::Key<'_>> {
        use rankagg_core::aggregate::Key;
        Ok(match self {
            KeyArg::Coded(c, r) => Key::Coded { codes: slice(c, name)?, rank: slice(r, name)? },
            KeyArg::Dense(v, lo, r) => Key::Dense { values: slice(v, name)?, lo: *lo, rank: slice(r, name)? },
        })
    }
}

/// Defensive aggregation of a long score table. Each key is `(codes, rank, lo)` or `(int64
/// values, rank, lo)`; ranks give the canonical order. Returns a dict with worst, mean, count,
/// floor, score, group_of (per item, in rank order) and the invalid-data report:
/// duplicate_rows, duplicate_count, mixed_items, mixed_count (when a count is > 0 the per-item
/// arrays are empty).
#[pyfunction]
#[pyo3(signature = (items, n_items, obs, n_obs, values, groups=None, n_groups=0, *, tail=0.0, prior=1.0, regret=false))]
#[allow(clippy::too_many_arguments)]
fn defensive<'py>(
    py: Python<'py>,
    items: Bound<'py, PyAny>,
    n_items: usize,
    obs: Bound<'py, PyAny>,
    n_obs: usize,
    values: PyReadonlyArray1<'py, f64>,
    groups: Option<Bound<'py, PyAny>>,
    n_groups: usize,
    tail: f64,
    prior: f64,
    regret: bool,
) -> PyResult<Bound<'py, PyDict>> {
    use rankagg_core::aggregate;
    let (items, obs) = (KeyArg::extract(&items, "items")?, KeyArg::extract(&obs, "obs")?);
    let groups = groups.map(|g| KeyArg::extract(&g, "groups")).transpose()?;
    let t = aggregate::Table {
        items: items.key("items")?,
        n_items,
        obs: obs.key("obs")?,
        n_obs,
        values: slice(&values, "values")?,
        groups: groups.as_ref().map(|g| g.key("groups")).transpose()?.map(|g| (g, n_groups)),
    };
    let opts = aggregate::Options { tail, prior, regret };
    let d = run_detached(py, || aggregate::defensive(t, &opts))?;
    let out = PyDict::new(py);
    out.set_item("duplicate_rows", d.duplicate_rows)?;
    out.set_item("duplicate_count", d.duplicate_count)?;
    out.set_item("mixed_items", d.mixed_items)?;
    out.set_item("mixed_count", d.mixed_count)?;
    out.set_item("worst", PyArray1::from_vec(py, d.worst))?;
    out.set_item("mean", PyArray1::from_vec(py, d.mean))?;
    out.set_item("count", PyArray1::from_vec(py, d.count))?;
    out.set_item("floor", PyArray1::from_vec(py, d.floor))?;
    out.set_item("score", PyArray1::from_vec(py, d.score))?;
    out.set_item("group_of", PyArray1::from_vec(py, d.group_of))?;
    Ok(out)
}

/// The rank map of int64 values whose range (max − min) is small enough for a table (the
/// factorizer's threshold: twice the rows plus 2^16): (lo, uint32 rank per value − lo with
/// 2^32 − 1 where absent, sorted int64 labels), or None (hash-factorize then).
#[pyfunction]
fn dense_int_map<'py>(py: Python<'py>, x: PyReadonlyArray1<'py, i64>) -> PyResult<Option<(i64, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<i64>>)>> {
    let x = slice(&x, "x")?;
    let out = run_detached(py, || rankagg_core::aggregate::dense_int_map(x))?;
    Ok(out.map(|(lo, r, l)| (lo, PyArray1::from_vec(py, r), PyArray1::from_vec(py, l))))
}

/// Registers this file's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(defensive, m)?)?;
    m.add_function(wrap_pyfunction!(dense_int_map, m)?)?;
    Ok(())
}
