//! Bindings of the ingest stages: factorizing item columns (`rankagg_core::factorize`, strings
//! through the Arrow C stream of `arrow.rs`), reducing rows to a pair table and the per-item
//! totals of one (`rankagg_core::pairs`); and the argument shapes the other families share
//! (a borrowed pair table, the outcome arguments of row-level calls).

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use rankagg_core::factorize::factorize_into;
use rankagg_core::memory::zeroed_huge;
use rankagg_core::pairs::{self, AllWins, BitParts, Chunked, Coded, IdTable, Kinds, Labels, NameTable, Outcomes, Parts};
use rankagg_core::rate::elo::Rows;
use rankagg_core::Error;

use crate::arrow;
use crate::errors::{run_detached, RankaggError};
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

/// `read` of the Arrow C stream of a Python object (`__arrow_c_stream__`), moved out of its
/// capsule (which lives until `read` has taken the stream over).
fn read_arrow<T>(py: Python<'_>, col: &Bound<'_, PyAny>, read: impl FnOnce(*mut arrow::ArrowArrayStream) -> T) -> PyResult<T> {
    let capsule = col.call_method0("__arrow_c_stream__")?;
    let raw = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule.as_ptr(), c"arrow_array_stream".as_ptr()) };
    if raw.is_null() {
        return Err(PyErr::fetch(py));
    }
    let out = read(raw as *mut arrow::ArrowArrayStream);
    drop(capsule);
    Ok(out)
}

/// Column `k`'s stream error as a Python one: `TypeError` for a type this call does not
/// read, else `RankaggError` (as a malformed string is refused, [`factorize_strings`]).
fn stream_error(k: usize, e: arrow::StreamError) -> PyErr {
    match e {
        arrow::StreamError::WrongType(f) => PyTypeError::new_err(format!("column {k}: Arrow format {f:?} is not a type this call reads")),
        arrow::StreamError::HasNulls => RankaggError::new_err(format!("column {k}: contains nulls")),
        arrow::StreamError::Producer(m) => RankaggError::new_err(format!("column {k}: Arrow stream error: {m}")),
        arrow::StreamError::Malformed(m) => RankaggError::new_err(format!("column {k}: {m} (malformed)")),
    }
}

/// The chunks of string column `k` (an object with `__arrow_c_stream__`).
fn string_chunks(py: Python<'_>, k: usize, col: &Bound<'_, PyAny>) -> PyResult<Vec<arrow::StrChunk>> {
    read_arrow(py, col, |raw| unsafe { arrow::read_string_stream(raw) })?.map_err(|e| stream_error(k, e))
}

/// Jointly factorizes string columns given as Arrow C streams (objects with
/// `__arrow_c_stream__`). Returns (list of uint32 code arrays, list of labels in code order).
#[pyfunction]
fn factorize_strings<'py>(py: Python<'py>, columns: Vec<Bound<'py, PyAny>>) -> PyResult<(Vec<Bound<'py, PyArray1<u32>>>, Bound<'py, PyList>)> {
    let per_column: Vec<Vec<arrow::StrChunk>> = columns.iter().enumerate().map(|(k, col)| string_chunks(py, k, col)).collect::<PyResult<_>>()?;
    let lens: Vec<usize> = per_column.iter().map(|c| c.iter().map(|x| x.len).sum()).collect();
    let (codes, keys) = run_detached(py, || {
        // Zero pages faulted in by the factorizer's passes, not zeroed on this thread first.
        let mut codes: Vec<Vec<u32>> = lens.iter().map(|&l| zeroed_huge(l)).collect::<Result<_, _>>()?;
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
        // A malformed array (a string outside its buffers) was read as the empty name, each
        // such row noted by its chunk ([`arrow::StrChunk::first_malformed`]): refused.
        for (k, col) in per_column.iter().enumerate() {
            let starts = col.iter().scan(0, |at, c| Some(std::mem::replace(at, *at + c.len)));
            if let Some(row) = col.iter().zip(starts).find_map(|(c, start)| Some(start + c.first_malformed()?)) {
                return Err(Error::InvalidArgument(format!(
                    "column {k}: row {row}: its string lies outside the column's Arrow buffers (a malformed array; pyarrow's `Array.validate(full=True)` tells more)"
                )));
            }
        }
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
        // Zero pages faulted in by the factorizer's parallel passes, not zeroed on this thread first.
        let mut codes: Vec<Vec<u32>> = slices.iter().map(|s| zeroed_huge(s.len())).collect::<Result<_, _>>()?;
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

/// The outcome arguments of `reduce_ids` / `reduce_names`, borrowed in their own types.
enum OutcomeArg<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    F32(PyReadonlyArray1<'py, f32>),
    I8(PyReadonlyArray1<'py, i8>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
    U8(PyReadonlyArray1<'py, u8>),
    U16(PyReadonlyArray1<'py, u16>),
    U32(PyReadonlyArray1<'py, u32>),
    U64(PyReadonlyArray1<'py, u64>),
    Bool(PyReadonlyArray1<'py, bool>),
    /// A float or integer column's chunks (a list of arrays, read in place: the passes'
    /// pieces never cross a chunk's end).
    F64Parts(Vec<PyReadonlyArray1<'py, f64>>),
    I64Parts(Vec<PyReadonlyArray1<'py, i64>>),
    /// A boolean column of one chunk, read through the Arrow C stream (bits in place).
    Bits(arrow::BoolChunk),
    /// A boolean column's chunks, read the same way (each where it lies).
    BitParts(Vec<arrow::BoolChunk>),
    Coded8(PyReadonlyArray1<'py, u8>, Vec<f64>),
    Coded16(PyReadonlyArray1<'py, u16>, Vec<f64>),
    Coded32(PyReadonlyArray1<'py, u32>, Vec<f64>),
    /// A string column of views (its chunks: `rankagg_core::pairs::Parts`), its labels and
    /// their values.
    Labels(Vec<arrow::StrChunk>, Vec<String>, Vec<f64>),
    AllWins,
    /// Labels the pass cannot read in place (not string views, or views not aligned for
    /// `u128`): the call declines, and the general path reads them.
    Declined,
}

impl<'py> OutcomeArg<'py> {
    fn from_args(
        py: Python<'py>,
        outcome: Option<Bound<'py, PyAny>>,
        codes: Option<Bound<'py, PyAny>>,
        labels: Option<(Bound<'py, PyAny>, Vec<String>)>,
        values: Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<Self> {
        let wrong = || {
            PyTypeError::new_err(
                "give outcome (a numeric or boolean array, a list of float64 or int64 arrays, or a boolean column), or outcome_codes (uint8/16/32) or outcome_labels \
                 (a string column, its labels) with outcome_values, or neither",
            )
        };
        if let Some((column, names)) = labels {
            let (Some(values), None, None) = (values, &outcome, &codes) else { return Err(wrong()) };
            let chunks = string_chunks(py, 2, &column)?;
            if view_parts(&chunks).is_none() {
                return Ok(OutcomeArg::Declined);
            }
            return Ok(OutcomeArg::Labels(chunks, names, slice(&values, "outcome_values")?.to_vec()));
        }
        Ok(match (outcome, codes, values) {
            (None, None, None) => OutcomeArg::AllWins,
            (Some(o), None, None) if o.is_instance_of::<PyList>() => {
                if let Ok(x) = o.extract::<Vec<PyReadonlyArray1<'py, f64>>>() {
                    OutcomeArg::F64Parts(x)
                } else if let Ok(x) = o.extract::<Vec<PyReadonlyArray1<'py, i64>>>() {
                    OutcomeArg::I64Parts(x)
                } else {
                    return Err(wrong());
                }
            }
            (Some(o), None, None) => {
                macro_rules! typed {
                    ($($v:ident: $t:ty),*) => {$(
                        if let Ok(x) = o.extract::<PyReadonlyArray1<'py, $t>>() {
                            return Ok(OutcomeArg::$v(x));
                        }
                    )*};
                }
                typed!(F64: f64, F32: f32, I64: i64, I32: i32, I16: i16, I8: i8, U64: u64, U32: u32, U16: u16, U8: u8, Bool: bool);
                if o.hasattr("__arrow_c_stream__")? {
                    let mut chunks = read_arrow(py, &o, |raw| unsafe { arrow::read_bool_stream(raw) })?.map_err(|e| stream_error(2, e))?;
                    return Ok(match chunks.len() {
                        1 => OutcomeArg::Bits(chunks.remove(0)),
                        _ => OutcomeArg::BitParts(chunks),
                    });
                }
                return Err(wrong());
            }
            (None, Some(c), Some(v)) => {
                let v = slice(&v, "outcome_values")?.to_vec();
                if let Ok(x) = c.extract::<PyReadonlyArray1<'py, u8>>() {
                    OutcomeArg::Coded8(x, v)
                } else if let Ok(x) = c.extract::<PyReadonlyArray1<'py, u16>>() {
                    OutcomeArg::Coded16(x, v)
                } else if let Ok(x) = c.extract::<PyReadonlyArray1<'py, u32>>() {
                    OutcomeArg::Coded32(x, v)
                } else {
                    return Err(wrong());
                }
            }
            _ => return Err(wrong()),
        })
    }
}

/// `$body` with `$k` bound to the outcome argument as a [`pairs::Kinds`] (one instance per
/// outcome type; `$py` for the error of a failed allocation).
macro_rules! with_kinds {
    ($py:expr, $arg:expr, |$k:ident| $body:expr) => {
        match $arg {
            OutcomeArg::F64(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::F32(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::I8(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::I16(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::I32(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::I64(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::U8(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::U16(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::U32(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::U64(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::Bool(x) => {
                let $k = slice(x, "outcome")?;
                $body
            }
            OutcomeArg::Bits(x) => {
                let $k = &x.bits();
                $body
            }
            OutcomeArg::BitParts(xs) => {
                let $k = &BitParts::new(xs.iter().map(|x| x.bits()).collect());
                $body
            }
            OutcomeArg::F64Parts(xs) => {
                let $k = &Chunked::new(xs.iter().map(|x| slice(x, "outcome")).collect::<PyResult<Vec<_>>>()?);
                $body
            }
            OutcomeArg::I64Parts(xs) => {
                let $k = &Chunked::new(xs.iter().map(|x| slice(x, "outcome")).collect::<PyResult<Vec<_>>>()?);
                $body
            }
            OutcomeArg::Coded8(x, v) => {
                let $k = &Coded::new(slice(x, "outcome_codes")?, v);
                $body
            }
            OutcomeArg::Coded16(x, v) => {
                let $k = &Coded::new(slice(x, "outcome_codes")?, v);
                $body
            }
            OutcomeArg::Coded32(x, v) => {
                let $k = &Coded::new(slice(x, "outcome_codes")?, v);
                $body
            }
            OutcomeArg::Labels(chunks, names, values) => {
                let bytes: Vec<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
                // (every chunk a view column: from_args declines others)
                let views = view_parts(chunks).unwrap_or_else(|| Parts::new(Vec::new()));
                let $k = &Labels::new(views, &bytes, values).map_err(|e| crate::errors::to_pyerr($py, e))?;
                $body
            }
            OutcomeArg::Declined => return Ok(None),
            OutcomeArg::AllWins => {
                let $k = &AllWins;
                $body
            }
        }
    };
}

/// `reduce_ids` over the first integer type both id arrays have, or `reduce_id_parts` over
/// two lists of such arrays (a column's chunks, decision 62) (`None`: neither).
fn ids_with<'py, K: Kinds + ?Sized>(py: Python<'py>, a: &Bound<'py, PyAny>, b: &Bound<'py, PyAny>, kinds: &K) -> PyResult<Option<Option<IdTable>>> {
    let lists = a.is_instance_of::<PyList>() && b.is_instance_of::<PyList>();
    macro_rules! try_types {
        ($($t:ty),*) => {$(
            if !lists {
                if let (Ok(a), Ok(b)) = (a.extract::<PyReadonlyArray1<'py, $t>>(), b.extract::<PyReadonlyArray1<'py, $t>>()) {
                    let (a, b) = (slice(&a, "a")?, slice(&b, "b")?);
                    return Ok(Some(run_detached(py, || pairs::reduce_ids(a, b, kinds))?));
                }
            } else if let (Ok(a), Ok(b)) = (a.extract::<Vec<PyReadonlyArray1<'py, $t>>>(), b.extract::<Vec<PyReadonlyArray1<'py, $t>>>()) {
                let a = Parts::new(a.iter().map(|x| slice(x, "a")).collect::<PyResult<Vec<_>>>()?);
                let b = Parts::new(b.iter().map(|x| slice(x, "b")).collect::<PyResult<Vec<_>>>()?);
                return Ok(Some(run_detached(py, || pairs::reduce_id_parts(&a, &b, kinds))?));
            }
        )*};
    }
    try_types!(i64, u32, i32, u64, i16, u16, i8, u8);
    Ok(None)
}

/// The fused reduce of integer ids of a small range with unit-weight outcomes 0, ½, 1
/// (`rankagg_core::pairs::reduce_ids`): `a`, `b` numpy arrays of one integer dtype, or lists
/// of such arrays (the columns' chunks, ending at the same rows: read where they lie); the
/// outcomes in their own dtype (`outcome`: a numeric or boolean array, a list of float64 or
/// int64 arrays — a column's chunks, read where they lie — or a boolean column (its chunks) as
/// an Arrow stream), or as `outcome_codes` (uint8/16/32) or `outcome_labels`
/// (a string column of views, in chunks or not, and its labels: matched in the pass, labels past 12
/// bytes through the column's data buffers, another label declines) with `outcome_values`, or neither (every row a win of `a`). Returns (keys of the items in value order, i, j,
/// wins_i, wins_j, ties), or None when the rows need the general path (factorize +
/// `reduce_pairs`).
#[pyfunction]
#[pyo3(signature = (a, b, outcome=None, outcome_codes=None, outcome_labels=None, outcome_values=None))]
fn reduce_ids<'py>(
    py: Python<'py>,
    a: Bound<'py, PyAny>,
    b: Bound<'py, PyAny>,
    outcome: Option<Bound<'py, PyAny>>,
    outcome_codes: Option<Bound<'py, PyAny>>,
    outcome_labels: Option<(Bound<'py, PyAny>, Vec<String>)>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Option<IdArrays<'py>>> {
    let arg = OutcomeArg::from_args(py, outcome, outcome_codes, outcome_labels, outcome_values)?;
    let found = with_kinds!(py, &arg, |k| ids_with(py, &a, &b, k)?);
    let Some(result) = found else {
        return Err(PyTypeError::new_err("reduce_ids: a and b must be contiguous integer arrays of one dtype, or two lists of such arrays"));
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

/// A string column's chunks as the parts of its views (`None`: some chunk is not a view
/// column aligned for `u128`).
fn view_parts(chunks: &[arrow::StrChunk]) -> Option<Parts<'_>> {
    let views = chunks.iter().map(|c| c.views()).collect::<Option<Vec<&[u128]>>>()?;
    Some(Parts::new(views).with_buffers(chunks.iter().map(|c| c.data_buffers()).collect()))
}

type NameArrays<'py> =
    (Bound<'py, PyList>, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// [`reduce_ids`] for string item columns (objects with `__arrow_c_stream__`, e.g. Polars
/// String Series; `rankagg_core::pairs::reduce_names`): each column string views in one
/// chunk or more (read in place, chunks ending anywhere, names past 12 bytes read in their
/// chunk's data buffers), at most 256 names. Returns (the names in
/// sorted order, i, j, wins_i, wins_j, ties), or None when the columns or rows need the
/// general path (factorize_strings, then reduce_ids or reduce_pairs).
#[pyfunction]
#[pyo3(signature = (a, b, outcome=None, outcome_codes=None, outcome_labels=None, outcome_values=None))]
fn reduce_names<'py>(
    py: Python<'py>,
    a: Bound<'py, PyAny>,
    b: Bound<'py, PyAny>,
    outcome: Option<Bound<'py, PyAny>>,
    outcome_codes: Option<Bound<'py, PyAny>>,
    outcome_labels: Option<(Bound<'py, PyAny>, Vec<String>)>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Option<NameArrays<'py>>> {
    let arg = OutcomeArg::from_args(py, outcome, outcome_codes, outcome_labels, outcome_values)?;
    let (ca, cb) = (string_chunks(py, 0, &a)?, string_chunks(py, 1, &b)?);
    let (Some(va), Some(vb)) = (view_parts(&ca), view_parts(&cb)) else { return Ok(None) };
    let found = with_kinds!(py, &arg, |k| run_detached(py, || pairs::reduce_names(&va, &vb, k))?);
    let Some(NameTable { names, table: t }) = found else { return Ok(None) };
    let list = PyList::empty(py);
    for name in names {
        let s = std::str::from_utf8(&name).map(|s| PyString::new(py, s));
        list.append(s.map_err(|_| PyValueError::new_err("item names are not valid UTF-8"))?)?;
    }
    Ok(Some((
        list,
        PyArray1::from_vec(py, t.i),
        PyArray1::from_vec(py, t.j),
        PyArray1::from_vec(py, t.wins_i),
        PyArray1::from_vec(py, t.wins_j),
        PyArray1::from_vec(py, t.ties),
    )))
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
    m.add_function(wrap_pyfunction!(reduce_names, m)?)?;
    m.add_function(wrap_pyfunction!(item_totals, m)?)?;
    Ok(())
}
