//! Bindings of the ingest stages: factorizing item columns (`rankagg_core::factorize`, strings
//! through the Arrow C stream of `arrow.rs`), reducing rows to a pair table and the per-item
//! totals of one (`rankagg_core::pairs`); and the argument shapes the other families share
//! (a borrowed pair table, the outcome arguments of row-level calls).

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use rankagg_core::factorize::factorize_into;
use rankagg_core::memory::zeroed_large;
use rankagg_core::pairs::{self, Id, IdTable, Outcomes};
use rankagg_core::rate::elo::Rows;

use crate::arrow;
use crate::errors::run_detached;
use crate::{opt_slice, slice};

/// A pair table as the table-level calls take it (bradley_terry, pair_scores, item_totals):
/// one Python tuple `(i, j, wins_i, wins_j, ties)` (`rankagg.pairs.core_table` builds
/// it), borrowed as [`pairs::PairsRef`] (validated by the caller).
#[derive(FromPyObject)]
pub(crate) struct TableArrays<'py>(
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
);

impl TableArrays<'_> {
    /// The table of `n` items as borrowed slices.
    pub(crate) fn table(&self, n: usize) -> PyResult<pairs::PairsRef<'_>> {
        let TableArrays(i, j, wins_i, wins_j, ties) = self;
        Ok(pairs::PairsRef {
            n,
            i: slice(i, "i")?,
            j: slice(j, "j")?,
            wins_i: slice(wins_i, "wins_i")?,
            wins_j: slice(wins_j, "wins_j")?,
            ties: slice(ties, "ties")?,
        })
    }
}

fn outcomes_from<'a>(
    outcome: &'a Option<PyReadonlyArray1<'_, f64>>,
    outcome_codes: &'a Option<PyReadonlyArray1<'_, u32>>,
    outcome_values: &'a Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Outcomes<'a>> {
    Ok(match (outcome, outcome_codes, outcome_values) {
        (Some(o), None, None) => Outcomes::Values(slice(o, "outcome")?),
        (None, Some(c), Some(v)) => Outcomes::Coded { codes: slice(c, "outcome_codes")?, values: slice(v, "outcome_values")? },
        (None, None, None) => Outcomes::AllWins,
        _ => return Err(PyValueError::new_err("give outcome, or outcome_codes with outcome_values, or neither")),
    })
}

/// The comparison rows every row-level call takes (reduce_pairs, judge_table, elo, trueskill,
/// covariate_terms), as one Python tuple `(a, b, outcome, outcome_codes, outcome_values,
/// weight)` (`rankagg.pairs.core_rows` builds it): item codes, then `outcome` (a number per
/// row) or `outcome_codes` + `outcome_values` (or neither: every row is a win of `a`), then
/// optional weights.
#[derive(FromPyObject)]
pub(crate) struct RowArrays<'py>(
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    Option<PyReadonlyArray1<'py, f64>>,
    Option<PyReadonlyArray1<'py, u32>>,
    Option<PyReadonlyArray1<'py, f64>>,
    Option<PyReadonlyArray1<'py, f64>>,
);

impl RowArrays<'_> {
    /// The rows as borrowed slices (codes < n, unchecked).
    pub(crate) fn rows(&self, n: usize) -> PyResult<Rows<'_>> {
        let RowArrays(a, b, outcome, outcome_codes, outcome_values, weight) = self;
        Ok(Rows {
            n,
            a: slice(a, "a")?,
            b: slice(b, "b")?,
            outcomes: outcomes_from(outcome, outcome_codes, outcome_values)?,
            weights: opt_slice(weight, "weight")?,
        })
    }
}

/// Names between two reads of Ctrl-C while the distinct names are made Python strings (a few
/// milliseconds of work).
const NAMES_POLL: usize = 1 << 14;

/// Jointly factorizes string columns given as Arrow C streams (objects with
/// `__arrow_c_stream__`). Returns (list of uint32 code arrays, list of labels in code order).
#[pyfunction]
fn factorize_strings<'py>(py: Python<'py>, columns: Vec<Bound<'py, PyAny>>) -> PyResult<(Vec<Bound<'py, PyArray1<u32>>>, Bound<'py, PyList>)> {
    let mut per_column: Vec<Vec<arrow::StrChunk>> = Vec::new();
    for (k, col) in columns.iter().enumerate() {
        let capsule = col.call_method0("__arrow_c_stream__")?;
        let raw = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule.as_ptr(), c"arrow_array_stream".as_ptr()) };
        if raw.is_null() {
            return Err(PyErr::fetch(py));
        }
        let chunks = unsafe { arrow::read_string_stream(raw as *mut arrow::ArrowArrayStream) }.map_err(|e| match e {
            arrow::StreamError::NotStrings(f) => PyTypeError::new_err(format!("column {k}: Arrow format {f:?} is not a string type")),
            arrow::StreamError::HasNulls => PyValueError::new_err(format!("column {k}: contains nulls")),
            arrow::StreamError::Producer(m) => PyValueError::new_err(format!("column {k}: Arrow stream error: {m}")),
        })?;
        per_column.push(chunks);
    }
    let lens: Vec<usize> = per_column.iter().map(|c| c.iter().map(|x| x.len).sum()).collect();
    let (codes, keys) = run_detached(py, || {
        let mut codes: Vec<Vec<u32>> = lens.iter().map(|&l| zeroed_large(l)).collect::<Result<_, _>>()?;
        let pieces: Vec<&arrow::StrChunk> = per_column.iter().flatten().collect();
        let mut outs: Vec<&mut [u32]> = Vec::new();
        for (col, out) in per_column.iter().zip(codes.iter_mut()) {
            let mut rest: &mut [u32] = out.as_mut_slice();
            for chunk in col {
                let (head, tail) = rest.split_at_mut(chunk.len);
                outs.push(head);
                rest = tail;
            }
        }
        let keys = factorize_into(&pieces, &mut outs)?;
        drop(outs);
        Ok((codes, keys))
    })?;
    // The distinct names become Python strings straight from the columns' buffers (the keys
    // borrow them; no copy per name), with the interpreter held: its signal handlers are run
    // every NAMES_POLL names, so Ctrl-C raises KeyboardInterrupt here too.
    let list = PyList::empty(py);
    for (k, key) in keys.iter().enumerate() {
        if k % NAMES_POLL == 0 {
            py.check_signals()?;
        }
        let s = key.with_bytes(|bytes| std::str::from_utf8(bytes).map(|s| PyString::new(py, s)));
        list.append(s.map_err(|_| PyValueError::new_err("item names are not valid UTF-8"))?)?;
    }
    drop(keys);
    drop(per_column);
    Ok((codes.into_iter().map(|c| PyArray1::from_vec(py, c)).collect(), list))
}

/// Jointly factorizes int64 arrays. Returns (list of uint32 code arrays, int64 labels in code order).
#[pyfunction]
fn factorize_ints<'py>(py: Python<'py>, columns: Vec<PyReadonlyArray1<'py, i64>>) -> PyResult<(Vec<Bound<'py, PyArray1<u32>>>, Bound<'py, PyArray1<i64>>)> {
    let slices: Vec<&[i64]> = columns.iter().map(|c| slice(c, "column")).collect::<PyResult<_>>()?;
    let (codes, labels) = run_detached(py, || {
        let mut codes: Vec<Vec<u32>> = slices.iter().map(|s| zeroed_large(s.len())).collect::<Result<_, _>>()?;
        let mut outs: Vec<&mut [u32]> = codes.iter_mut().map(|c| c.as_mut_slice()).collect();
        let keys = rankagg_core::factorize::factorize_ints(&slices, &mut outs)?;
        Ok((codes, keys))
    })?;
    Ok((codes.into_iter().map(|c| PyArray1::from_vec(py, c)).collect(), PyArray1::from_vec(py, labels)))
}

type PairArrays<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// Reduces rows to a pair table: (i, j, wins_i, wins_j, ties) with i < j. `rows`: see
/// [`RowArrays`]. `relabel[k]` (optional permutation) renames code k afterwards.
#[pyfunction]
#[pyo3(signature = (n, rows, relabel=None))]
fn reduce_pairs<'py>(py: Python<'py>, n: usize, rows: RowArrays<'py>, relabel: Option<PyReadonlyArray1<'py, u32>>) -> PyResult<PairArrays<'py>> {
    let rows = rows.rows(n)?;
    let relabel = opt_slice(&relabel, "relabel")?;
    let t = run_detached(py, || pairs::reduce_relabelled(n, rows.a, rows.b, rows.outcomes, rows.weights, relabel))?;
    Ok((
        PyArray1::from_vec(py, t.i),
        PyArray1::from_vec(py, t.j),
        PyArray1::from_vec(py, t.wins_i),
        PyArray1::from_vec(py, t.wins_j),
        PyArray1::from_vec(py, t.ties),
    ))
}

type IdArrays<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// `reduce_ids` over one integer type: both columns must be arrays of `T`.
fn ids_of<'py, T: Id + numpy::Element>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    outcomes: Outcomes<'_>,
) -> PyResult<Option<Option<IdTable>>> {
    let (Ok(a), Ok(b)) = (a.extract::<PyReadonlyArray1<'py, T>>(), b.extract::<PyReadonlyArray1<'py, T>>()) else {
        return Ok(None);
    };
    let (a, b) = (slice(&a, "a")?, slice(&b, "b")?);
    Ok(Some(run_detached(py, || pairs::reduce_ids(a, b, outcomes))?))
}

/// The fused reduce of integer ids of a small range with unit-weight outcomes 0, ½, 1
/// (`rankagg_core::pairs::reduce_ids`): `a`, `b` numpy arrays of one integer dtype. Returns
/// (keys of the items in value order, i, j, wins_i, wins_j, ties), or None when the rows need
/// the general path (factorize + `reduce_pairs`).
#[pyfunction]
#[pyo3(signature = (a, b, outcome=None, outcome_codes=None, outcome_values=None))]
fn reduce_ids<'py>(
    py: Python<'py>,
    a: Bound<'py, PyAny>,
    b: Bound<'py, PyAny>,
    outcome: Option<PyReadonlyArray1<'py, f64>>,
    outcome_codes: Option<PyReadonlyArray1<'py, u32>>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Option<IdArrays<'py>>> {
    let outcomes = outcomes_from(&outcome, &outcome_codes, &outcome_values)?;
    let mut found = None;
    macro_rules! try_types {
        ($($t:ty),*) => {$(
            if found.is_none() {
                found = ids_of::<$t>(py, &a, &b, outcomes)?;
            }
        )*};
    }
    try_types!(i64, u32, i32, u64, i16, u16, i8, u8);
    let Some(result) = found else {
        return Err(PyTypeError::new_err("reduce_ids: a and b must be contiguous integer arrays of one dtype"));
    };
    Ok(result.map(|IdTable { keys, table: t }| {
        (
            PyArray1::from_vec(py, keys),
            PyArray1::from_vec(py, t.i),
            PyArray1::from_vec(py, t.j),
            PyArray1::from_vec(py, t.wins_i),
            PyArray1::from_vec(py, t.wins_j),
            PyArray1::from_vec(py, t.ties),
        )
    }))
}

/// Per item of a pair table (`table`: see [`TableArrays`]): (wins, losses, ties), weighted.
#[pyfunction]
fn item_totals<'py>(
    py: Python<'py>,
    n: usize,
    table: TableArrays<'py>,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
    let table = table.table(n)?;
    let [w, l, t] = run_detached(py, || table.item_totals())?;
    Ok((PyArray1::from_vec(py, w), PyArray1::from_vec(py, l), PyArray1::from_vec(py, t)))
}

/// Registers this file's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(factorize_strings, m)?)?;
    m.add_function(wrap_pyfunction!(factorize_ints, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_ids, m)?)?;
    m.add_function(wrap_pyfunction!(item_totals, m)?)?;
    Ok(())
}
