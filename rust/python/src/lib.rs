//! `rankagg._core`: thin PyO3 wrappers over `rankagg-core`.
//!
//! Every heavy call releases the GIL (`py.detach`), runs under `catch_unwind` so that no panic
//! crosses into Python, and maps core errors to the exception classes of `rankagg.errors` by
//! variant, attaching the structured details (rows, item codes) as attributes.

mod arrow;
mod crowd;
mod vote;

use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rankagg_core::factorize::factorize_into;
use rankagg_core::memory::zeroed_large;
use rankagg_core::pairs::{self, Outcomes};
use rankagg_core::rate::bradley_terry as bt;
use rankagg_core::rate::elo as elo_core;
use rankagg_core::rate::plackett_luce as pl_core;
use rankagg_core::rate::pooled;
use rankagg_core::rate::trueskill as ts_core;
use rankagg_core::rate::{counting, covariates, spectral};
use rankagg_core::Error;

/// Runs `f` without the GIL and without letting a panic escape.
fn run_detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    let out = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(make_error(py, "InternalError", &format!("internal error in rankagg's core (please report): {msg}"), None))
        }
    }
}

fn make_error(py: Python<'_>, class: &str, msg: &str, attrs: Option<Bound<'_, PyDict>>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module = py.import("rankagg.errors")?;
        let cls = module.getattr(class)?;
        let exc = cls.call1((msg,))?;
        if let Some(attrs) = attrs {
            for (k, v) in attrs.iter() {
                exc.setattr(k.cast::<PyString>()?, v)?;
            }
        }
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

fn to_pyerr(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.to_string();
    let d = PyDict::new(py);
    let class = match &e {
        Error::SelfComparison { rows, count } => {
            let _ = d.set_item("rows", rows.clone());
            let _ = d.set_item("count", *count);
            "SelfComparisonError"
        }
        Error::OutcomeRange { rows, count } => {
            let _ = d.set_item("rows", rows.clone());
            let _ = d.set_item("count", *count);
            "OutcomeRangeError"
        }
        Error::InvalidWeight { rows, count } => {
            let _ = d.set_item("rows", rows.clone());
            let _ = d.set_item("count", *count);
            "InvalidWeightError"
        }
        Error::NotIdentifiable { never_win, never_lose, components, component_of } => {
            let _ = d.set_item("never_win", never_win.clone());
            let _ = d.set_item("never_lose", never_lose.clone());
            let _ = d.set_item("components", *components);
            let _ = d.set_item("component_of", component_of.clone());
            "NotIdentifiableError"
        }
        Error::InvalidArgument(_) => "RankaggError",
        Error::OutOfMemory { .. } => return pyo3::exceptions::PyMemoryError::new_err(msg),
        Error::Interrupted => return pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted"),
    };
    make_error(py, class, &msg, Some(d))
}

fn slice<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| PyValueError::new_err(format!("{name}: array must be contiguous")))
}

fn opt_slice<'a, T: numpy::Element>(a: &'a Option<PyReadonlyArray1<'_, T>>, name: &str) -> PyResult<Option<&'a [T]>> {
    a.as_ref().map(|a| slice(a, name)).transpose()
}

/// A borrowed pair table over numpy arrays (validated by the caller).
fn pairs_ref<'a>(
    n: usize,
    i: &'a PyReadonlyArray1<'_, u32>,
    j: &'a PyReadonlyArray1<'_, u32>,
    wins_i: &'a PyReadonlyArray1<'_, f64>,
    wins_j: &'a PyReadonlyArray1<'_, f64>,
    ties: &'a PyReadonlyArray1<'_, f64>,
) -> PyResult<pairs::PairsRef<'a>> {
    Ok(pairs::PairsRef {
        n,
        i: slice(i, "i")?,
        j: slice(j, "j")?,
        wins_i: slice(wins_i, "wins_i")?,
        wins_j: slice(wins_j, "wins_j")?,
        ties: slice(ties, "ties")?,
    })
}

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
    let (codes, labels): (Vec<Vec<u32>>, Vec<Vec<u8>>) = run_detached(py, || {
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
        let labels: Vec<Vec<u8>> = keys.iter().map(|k| k.to_bytes()).collect();
        drop(pieces);
        Ok((codes, labels))
    })?;
    drop(per_column);
    let list = PyList::empty(py);
    for l in labels {
        let s = std::str::from_utf8(&l).map_err(|_| PyValueError::new_err("item names are not valid UTF-8"))?;
        list.append(PyString::new(py, s))?;
    }
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

/// Reduces rows to a pair table: (i, j, wins_i, wins_j, ties) with i < j.
/// Outcomes: `outcome` (float per row), or `outcome_codes` + `outcome_values`, or neither
/// (every row is a win of `a`). `relabel[k]` (optional permutation) renames code k afterwards.
#[pyfunction]
#[pyo3(signature = (n, a, b, outcome=None, outcome_codes=None, outcome_values=None, weight=None, relabel=None))]
#[allow(clippy::too_many_arguments)]
fn reduce_pairs<'py>(
    py: Python<'py>,
    n: usize,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
    outcome: Option<PyReadonlyArray1<'py, f64>>,
    outcome_codes: Option<PyReadonlyArray1<'py, u32>>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    relabel: Option<PyReadonlyArray1<'py, u32>>,
) -> PyResult<PairArrays<'py>> {
    let a = slice(&a, "a")?;
    let b = slice(&b, "b")?;
    let outcomes = outcomes_from(&outcome, &outcome_codes, &outcome_values)?;
    let w = opt_slice(&weight, "weight")?;
    let relabel = opt_slice(&relabel, "relabel")?;
    let t = run_detached(py, || pairs::reduce_relabelled(n, a, b, outcomes, w, relabel))?;
    Ok((
        PyArray1::from_vec(py, t.i),
        PyArray1::from_vec(py, t.j),
        PyArray1::from_vec(py, t.wins_i),
        PyArray1::from_vec(py, t.wins_j),
        PyArray1::from_vec(py, t.ties),
    ))
}

/// Fits Bradley–Terry on a pair table. Returns a dict with theta, iterations, converged,
/// log_likelihood, tie_parameter, max_relative_gradient, virtual_theta; with `rounds > 0` also
/// a bootstrap by count resampling (`draws` comparisons per round): replicates (rounds × n),
/// replicate_tie_parameter, redraws, not_converged. `point_theta` (with `point_virtual`,
/// `point_tie`): the point fit of an earlier chunk of rounds, used instead of fitting again
/// (the returned point fields are then that fit's, and no wins/losses/ties are returned).
#[pyfunction]
#[pyo3(signature = (n, i, j, wins_i, wins_j, ties, *, tie_model="half", solver="newman", regularization=0.0, tol=1e-9, max_iter=10_000, rounds=0, draws=0, seed=0, first_round=0, point_theta=None, point_virtual=None, point_tie=None))]
#[allow(clippy::too_many_arguments)]
fn bradley_terry<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
    wins_i: PyReadonlyArray1<'py, f64>,
    wins_j: PyReadonlyArray1<'py, f64>,
    ties: PyReadonlyArray1<'py, f64>,
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
    let point = match opt_slice(&point_theta, "point_theta")? {
        Some(theta) if theta.len() != n => return Err(PyValueError::new_err("point_theta must have one value per item")),
        Some(theta) => Some(bt::Fit {
            theta: theta.to_vec(),
            tie_parameter: point_tie,
            iterations: 0,
            converged: true,
            log_likelihood: f64::NAN,
            max_relative_gradient: 0.0,
            virtual_theta: point_virtual,
        }),
        None => None,
    };
    let ties_mode = match tie_model {
        "half" => bt::Ties::Half,
        "drop" => bt::Ties::Drop,
        "davidson" => bt::Ties::Davidson,
        "rao_kupper" => bt::Ties::RaoKupper,
        other => return Err(PyValueError::new_err(format!("unknown tie model {other:?}"))),
    };
    let solver = match solver {
        "mm" => bt::Solver::MM,
        "newman" => bt::Solver::Newman,
        other => return Err(PyValueError::new_err(format!("unknown solver {other:?}"))),
    };
    let table = pairs_ref(n, &i, &j, &wins_i, &wins_j, &ties)?;
    let opts = bt::Options { ties: ties_mode, solver, regularization, tol, max_iter };
    let (fit, reps, totals) = run_detached(py, || {
        table.validate()?;
        // The item totals of the result table, on another thread while the (sequential)
        // sweeps run; once per call, with the first chunk of rounds. The fit stays on this
        // thread: Ctrl-C is only seen from the main thread (not from a rayon worker).
        let (fit, totals) = std::thread::scope(|s| {
            let totals = (first_round == 0).then(|| s.spawn(|| table.item_totals()));
            let fit = match point {
                Some(p) => Ok(p),
                None => bt::fit(table, &opts),
            };
            (fit, totals.map(|t| t.join().unwrap_or_else(|_| Err(Error::InvalidArgument("item totals: worker thread panicked".into())))))
        });
        let fit = fit?;
        let totals = totals.transpose()?;
        let reps = if rounds > 0 { Some(bt::bootstrap(table, &opts, &fit, draws, first_round..first_round + rounds, seed)?) } else { None };
        Ok((fit, reps, totals))
    })?;
    let d = PyDict::new(py);
    if let Some([wins, losses, ties]) = totals {
        d.set_item("wins", PyArray1::from_vec(py, wins))?;
        d.set_item("losses", PyArray1::from_vec(py, losses))?;
        d.set_item("ties", PyArray1::from_vec(py, ties))?;
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

/// Online Elo over rows in order (codes < n). Returns a dict with scores, wins, losses, ties
/// (per item) and, with `rounds > 0`, replicates (rounds × n) from row resampling.
#[pyfunction]
#[pyo3(signature = (n, a, b, outcome=None, outcome_codes=None, outcome_values=None, weight=None, *, k=4.0, base=10.0, scale=400.0, initial=1000.0, rounds=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn elo<'py>(
    py: Python<'py>,
    n: usize,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
    outcome: Option<PyReadonlyArray1<'py, f64>>,
    outcome_codes: Option<PyReadonlyArray1<'py, u32>>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    k: f64,
    base: f64,
    scale: f64,
    initial: f64,
    rounds: usize,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = elo_core::Rows {
        n,
        a: slice(&a, "a")?,
        b: slice(&b, "b")?,
        outcomes: outcomes_from(&outcome, &outcome_codes, &outcome_values)?,
        weights: opt_slice(&weight, "weight")?,
    };
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
    let [wins, losses, ties] = totals;
    d.set_item("wins", PyArray1::from_vec(py, wins))?;
    d.set_item("losses", PyArray1::from_vec(py, losses))?;
    d.set_item("ties", PyArray1::from_vec(py, ties))?;
    if let Some(r) = reps {
        d.set_item("replicates", PyArray1::from_vec(py, r).reshape([rounds, n])?)?;
    }
    Ok(d)
}

/// Two-player TrueSkill over rows in order (codes < n; outcomes 1, 0.5, 0; a whole-number weight
/// repeats a row). Returns a dict with mu, sigma, wins, losses, ties (per item) and, with
/// `rounds > 0`, replicates (rounds × n scores μ − 3σ) from row resampling.
#[pyfunction]
#[pyo3(signature = (n, a, b, outcome=None, outcome_codes=None, outcome_values=None, weight=None, *, mu=25.0, sigma=25.0 / 3.0, beta=25.0 / 6.0, tau=25.0 / 300.0, draw_probability=0.1, rounds=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn trueskill<'py>(
    py: Python<'py>,
    n: usize,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
    outcome: Option<PyReadonlyArray1<'py, f64>>,
    outcome_codes: Option<PyReadonlyArray1<'py, u32>>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    mu: f64,
    sigma: f64,
    beta: f64,
    tau: f64,
    draw_probability: f64,
    rounds: usize,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = elo_core::Rows {
        n,
        a: slice(&a, "a")?,
        b: slice(&b, "b")?,
        outcomes: outcomes_from(&outcome, &outcome_codes, &outcome_values)?,
        weights: opt_slice(&weight, "weight")?,
    };
    let opts = ts_core::Options { mu, sigma, beta, tau, draw_probability };
    let (fit, totals, reps) = run_detached(py, || {
        let fit = ts_core::trueskill(&rows, &opts)?; // validates the rows
        let reps = if rounds > 0 { Some(ts_core::bootstrap(&rows, &opts, first_round..first_round + rounds, seed)?) } else { None };
        Ok((fit, elo_core::totals(&rows), reps))
    })?;
    let d = PyDict::new(py);
    d.set_item("mu", PyArray1::from_vec(py, fit.mu))?;
    d.set_item("sigma", PyArray1::from_vec(py, fit.sigma))?;
    let [wins, losses, ties] = totals;
    d.set_item("wins", PyArray1::from_vec(py, wins))?;
    d.set_item("losses", PyArray1::from_vec(py, losses))?;
    d.set_item("ties", PyArray1::from_vec(py, ties))?;
    if let Some(r) = reps {
        d.set_item("replicates", PyArray1::from_vec(py, r).reshape([rounds, n])?)?;
    }
    Ok(d)
}

/// Count-based and spectral scores of a pair table: method is one of counting, win_rate,
/// average_win_rate, eigenvector, pagerank, rank_centrality. Returns a dict with scores,
/// iterations, converged and, with `rounds > 0`, replicates (rounds × n, count resampling).
#[pyfunction]
#[pyo3(signature = (method, n, i, j, wins_i, wins_j, ties, *, tie_weight=0.5, damping=0.85, tol=1e-12, max_iter=10_000, rounds=0, draws=0, seed=0, first_round=0))]
#[allow(clippy::too_many_arguments)]
fn pair_scores<'py>(
    py: Python<'py>,
    method: &str,
    n: usize,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
    wins_i: PyReadonlyArray1<'py, f64>,
    wins_j: PyReadonlyArray1<'py, f64>,
    ties: PyReadonlyArray1<'py, f64>,
    tie_weight: f64,
    damping: f64,
    tol: f64,
    max_iter: usize,
    rounds: usize,
    draws: u64,
    seed: u64,
    first_round: usize,
) -> PyResult<Bound<'py, PyDict>> {
    #[derive(Clone, Copy)]
    enum Kind {
        Count(counting::Method),
        Spectral(spectral::Method),
    }
    let kind = match method {
        "counting" => Kind::Count(counting::Method::Counting),
        "win_rate" => Kind::Count(counting::Method::WinRate),
        "average_win_rate" => Kind::Count(counting::Method::AverageWinRate),
        "eigenvector" => Kind::Spectral(spectral::Method::Eigenvector),
        "pagerank" => Kind::Spectral(spectral::Method::PageRank { damping }),
        "rank_centrality" => Kind::Spectral(spectral::Method::RankCentrality),
        other => return Err(PyValueError::new_err(format!("unknown method {other:?}"))),
    };
    let table = pairs_ref(n, &i, &j, &wins_i, &wins_j, &ties)?;
    let run = move |t: pairs::PairsRef<'_>| -> Result<spectral::Fit, Error> {
        match kind {
            Kind::Count(m) => Ok(spectral::Fit { scores: counting::scores(t, m, tie_weight), iterations: 0, converged: true }),
            Kind::Spectral(m) => spectral::fit(t, m, tol, max_iter),
        }
    };
    let (fit, reps) = run_detached(py, || {
        table.validate()?;
        let fit = run(table)?;
        let reps = if rounds > 0 {
            let (r, _) = rankagg_core::resample::pairs_bootstrap(table, draws, first_round..first_round + rounds, seed, |t| run(t).map(|f| Some(f.scores)))?;
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
    if let Some(r) = reps {
        d.set_item("replicates", PyArray1::from_vec(py, r).reshape([rounds, n])?)?;
    }
    Ok(d)
}

/// Log-likelihood terms of Bradley–Terry with row covariates at (theta, beta): returns
/// (log_likelihood, gradient (n + p), information ((n + p)²), meat or None). `x` is the m × p
/// feature matrix, row-major. With `validate`, the rows are checked first.
#[pyfunction]
#[pyo3(signature = (n, a, b, x, theta, beta, outcome=None, outcome_codes=None, outcome_values=None, weight=None, *, drop_ties=false, with_meat=false, validate=false))]
#[allow(clippy::too_many_arguments)]
fn covariate_terms<'py>(
    py: Python<'py>,
    n: usize,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
    x: PyReadonlyArray1<'py, f64>,
    theta: PyReadonlyArray1<'py, f64>,
    beta: PyReadonlyArray1<'py, f64>,
    outcome: Option<PyReadonlyArray1<'py, f64>>,
    outcome_codes: Option<PyReadonlyArray1<'py, u32>>,
    outcome_values: Option<PyReadonlyArray1<'py, f64>>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    drop_ties: bool,
    with_meat: bool,
    validate: bool,
) -> PyResult<(f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Option<Bound<'py, PyArray1<f64>>>)> {
    let beta_s = slice(&beta, "beta")?;
    let theta_s = slice(&theta, "theta")?;
    if theta_s.len() != n {
        return Err(PyValueError::new_err("theta must have n entries"));
    }
    let design = covariates::Design {
        n,
        a: slice(&a, "a")?,
        b: slice(&b, "b")?,
        outcomes: outcomes_from(&outcome, &outcome_codes, &outcome_values)?,
        weights: opt_slice(&weight, "weight")?,
        x: slice(&x, "x")?,
        p: beta_s.len(),
        drop_ties,
    };
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
    let solver = match solver {
        "fast" => pl_core::Solver::Fast,
        "mm" => pl_core::Solver::MM,
        other => return Err(PyValueError::new_err(format!("unknown solver {other:?}"))),
    };
    let unranked: pl_core::Unranked = unranked.parse().map_err(|e| to_pyerr(py, e))?;
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

/// Kemeny consensus of an n × n preference matrix (row-major). Returns a dict with order,
/// cost, lower_bound, optimal, components (lists of item indices) and the search statistics.
#[pyfunction]
#[pyo3(signature = (p, n, exact_limit=16, method="auto", time_limit=None, seed=0, progress=None))]
#[allow(clippy::too_many_arguments)]
fn kemeny<'py>(
    py: Python<'py>,
    p: PyReadonlyArray1<'py, f64>,
    n: usize,
    exact_limit: usize,
    method: &str,
    time_limit: Option<f64>,
    seed: u64,
    progress: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = slice(&p, "p")?;
    let method = kemeny_method(method)?;
    let sol = run_detached(py, || with_kemeny_options(exact_limit, method, time_limit, seed, progress, |o| rankagg_core::kemeny::kemeny_with(p, n, o)))?;
    let d = PyDict::new(py);
    d.set_item("order", PyArray1::from_vec(py, sol.order))?;
    d.set_item("cost", sol.cost)?;
    d.set_item("lower_bound", sol.lower_bound)?;
    d.set_item("optimal", sol.optimal)?;
    d.set_item("components", sol.components)?;
    kemeny_stats(&d, &sol.stats)?;
    Ok(d)
}

/// The linear ordering problem of an n × n weight matrix (row-major, maximise the sum of
/// a[i][j] over i placed before j): dict with order, value, upper_bound, optimal, components
/// and the search statistics.
#[pyfunction]
#[pyo3(signature = (a, n, exact_limit=16, method="auto", time_limit=None, seed=0, progress=None))]
#[allow(clippy::too_many_arguments)]
fn linear_ordering<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, f64>,
    n: usize,
    exact_limit: usize,
    method: &str,
    time_limit: Option<f64>,
    seed: u64,
    progress: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let a = slice(&a, "a")?;
    let method = kemeny_method(method)?;
    let sol = run_detached(py, || with_kemeny_options(exact_limit, method, time_limit, seed, progress, |o| rankagg_core::kemeny::linear_ordering(a, n, o)))?;
    let d = PyDict::new(py);
    d.set_item("order", PyArray1::from_vec(py, sol.order))?;
    d.set_item("value", sol.value)?;
    d.set_item("upper_bound", sol.upper_bound)?;
    d.set_item("optimal", sol.optimal)?;
    d.set_item("components", sol.components)?;
    kemeny_stats(&d, &sol.stats)?;
    Ok(d)
}

fn kemeny_method(method: &str) -> PyResult<rankagg_core::kemeny::Method> {
    use rankagg_core::kemeny::Method;
    match method {
        "auto" => Ok(Method::Auto),
        "exact" => Ok(Method::Exact),
        "heuristic" => Ok(Method::Heuristic),
        _ => Err(PyValueError::new_err(format!("method must be 'auto', 'exact' or 'heuristic', not {method:?}"))),
    }
}

/// Calls `f` with the search options of `kemeny` and `linear_ordering` (built on the worker
/// side: they hold `dyn Fn`s): Ctrl-C through `interrupted`; with `progress = Some(s)`, progress
/// lines on stderr once the search has run `s` seconds (so short searches print nothing).
fn with_kemeny_options<T>(
    exact_limit: usize,
    method: rankagg_core::kemeny::Method,
    time_limit: Option<f64>,
    seed: u64,
    progress: Option<f64>,
    f: impl FnOnce(&rankagg_core::kemeny::Options<'_>) -> T,
) -> T {
    let start = std::time::Instant::now();
    let show = |msg: &str| {
        if progress.is_some_and(|after| start.elapsed().as_secs_f64() >= after) {
            progress_line(msg);
        }
    };
    let progress = progress.is_some().then_some(&show as &dyn Fn(&str));
    f(&rankagg_core::kemeny::Options { exact_limit, method, time_limit, seed, cancel: &interrupted, progress })
}

fn kemeny_stats(d: &Bound<'_, PyDict>, s: &rankagg_core::kemeny::Stats) -> PyResult<()> {
    d.set_item("nodes", s.nodes)?;
    d.set_item("cut_rounds", s.cut_rounds)?;
    d.set_item("lp_iterations", s.lp_iterations)?;
    d.set_item("timed_out", s.timed_out)?;
    Ok(())
}

/// Writes a progress line to Python's `sys.stderr` (re-attaching briefly).
fn progress_line(msg: &str) {
    Python::attach(|py| {
        if let Ok(err) = py.import("sys").and_then(|s| s.getattr("stderr")) {
            let _ = err.call_method1("write", (format!("{msg}\n"),));
            let _ = err.call_method0("flush");
        }
    });
}

/// Pair counts of two score vectors for Kendall's τ: (discordant, tied_x, tied_y, tied_both,
/// pairs), in O(n log n).
#[pyfunction]
fn kendall_counts<'py>(py: Python<'py>, x: PyReadonlyArray1<'py, f64>, y: PyReadonlyArray1<'py, f64>) -> PyResult<(u64, u64, u64, u64, u64)> {
    let (x, y) = (slice(&x, "x")?, slice(&y, "y")?);
    let c = run_detached(py, || rankagg_core::distance::pair_counts(x, y))?;
    Ok((c.discordant, c.tied_x, c.tied_y, c.tied_both, c.pairs))
}

/// Per item of a pair table: (wins, losses, ties), weighted.
#[pyfunction]
fn item_totals<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
    wins_i: PyReadonlyArray1<'py, f64>,
    wins_j: PyReadonlyArray1<'py, f64>,
    ties: PyReadonlyArray1<'py, f64>,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
    let table = pairs_ref(n, &i, &j, &wins_i, &wins_j, &ties)?;
    let [w, l, t] = run_detached(py, || table.item_totals())?;
    Ok((PyArray1::from_vec(py, w), PyArray1::from_vec(py, l), PyArray1::from_vec(py, t)))
}

/// The majority matrix of rankings in CSR form (row-major n × n): `P[i][j]` = the weight of
/// the voters ranking i above j; `below`: unranked items count as tied below the ranked ones.
#[pyfunction]
#[pyo3(signature = (n, offsets, items, levels, weights=None, below=true))]
fn pairwise_preferences<'py>(
    py: Python<'py>,
    n: usize,
    offsets: PyReadonlyArray1<'py, u64>,
    items: PyReadonlyArray1<'py, u32>,
    levels: PyReadonlyArray1<'py, u32>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    below: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (offsets, items, levels) = (slice(&offsets, "offsets")?, slice(&items, "items")?, slice(&levels, "levels")?);
    let weights = weights.as_ref().map(|w| slice(w, "weights")).transpose()?;
    let p = run_detached(py, || rankagg_core::margins::pairwise_preferences(n, offsets, items, levels, weights, below))?;
    Ok(PyArray1::from_vec(py, p))
}

/// Schulze's strongest paths, in place: `links` (row-major n × n, 0 for no link, never
/// negative) becomes the strength of the strongest path from i to j (its weakest link), by
/// Floyd–Warshall in Rust. Working on the caller's array allocates nothing n × n here.
#[pyfunction]
fn widest_paths<'py>(py: Python<'py>, n: usize, mut links: PyReadwriteArray1<'py, f64>) -> PyResult<()> {
    let d = links.as_slice_mut().map_err(|_| PyValueError::new_err("links: array must be contiguous"))?;
    run_detached(py, || rankagg_core::margins::widest_paths(n, d))
}

/// Polls Python's signal handlers from a detached call (re-attaching briefly): true after Ctrl-C.
fn interrupted() -> bool {
    Python::attach(|py| py.check_signals().is_err())
}

/// The maximal lottery of a dense skew-symmetric payoff (row-major n × n), by the simplex
/// method: dict with p, exploitability, iterations, unique, converged.
#[pyfunction]
fn maximal_lottery<'py>(py: Python<'py>, m: PyReadonlyArray1<'py, f64>, n: usize) -> PyResult<Bound<'py, PyDict>> {
    let m = slice(&m, "m")?;
    let l = run_detached(py, || rankagg_core::games::exact(m, n, &interrupted))?;
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

/// The rank map of int64 values whose range (max − min) is below `limit`: (lo, uint32 rank
/// per value − lo with 2^32 − 1 where absent, sorted int64 labels), or None (hash-factorize
/// then).
#[pyfunction]
fn dense_int_map<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, i64>,
    limit: usize,
) -> PyResult<Option<(i64, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<i64>>)>> {
    let x = slice(&x, "x")?;
    let out = run_detached(py, || Ok(rankagg_core::aggregate::dense_int_map(x, limit)))?;
    Ok(out.map(|(lo, r, l)| (lo, PyArray1::from_vec(py, r), PyArray1::from_vec(py, l))))
}

/// Transitivity of the majority relation of an n × n preference matrix (row-major): dict with
/// pairs, ties, tournament, cycles (strict 3-cycles) and, per k in `ks`, lists k, subsets,
/// inconsistent, with_cycle, with_tie, exact, drawn (see `rankagg_core::consistency`).
#[pyfunction]
#[pyo3(signature = (w, n, ks, exact_limit=100, samples=100_000, seed=0))]
fn consistency_counts<'py>(
    py: Python<'py>,
    w: PyReadonlyArray1<'py, f64>,
    n: usize,
    ks: Vec<usize>,
    exact_limit: usize,
    samples: u64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    use rankagg_core::consistency;
    let w = slice(&w, "w")?;
    let r = run_detached(py, || {
        let rel = consistency::Relation::from_matrix(w, n)?;
        consistency::analyze(&rel, &ks, exact_limit, samples, seed)
    })?;
    let d = PyDict::new(py);
    d.set_item("pairs", r.pairs)?;
    d.set_item("ties", r.ties)?;
    d.set_item("tournament", r.tournament)?;
    d.set_item("cycles", r.cycles)?;
    d.set_item("k", r.subsets.iter().map(|s| s.k).collect::<Vec<_>>())?;
    d.set_item("subsets", r.subsets.iter().map(|s| s.subsets).collect::<Vec<_>>())?;
    d.set_item("inconsistent", r.subsets.iter().map(|s| s.inconsistent).collect::<Vec<_>>())?;
    d.set_item("with_cycle", r.subsets.iter().map(|s| s.with_cycle).collect::<Vec<_>>())?;
    d.set_item("with_tie", r.subsets.iter().map(|s| s.with_tie).collect::<Vec<_>>())?;
    d.set_item("exact", r.subsets.iter().map(|s| s.exact).collect::<Vec<_>>())?;
    d.set_item("drawn", r.subsets.iter().map(|s| s.drawn).collect::<Vec<_>>())?;
    Ok(d)
}

/// Strict 3-cycles of the majority relation of an n × n preference matrix (row-major): from
/// the scores for a complete tournament, else by direct bitset counting.
#[pyfunction]
fn three_cycles<'py>(py: Python<'py>, w: PyReadonlyArray1<'py, f64>, n: usize) -> PyResult<u64> {
    use rankagg_core::consistency;
    let w = slice(&w, "w")?;
    run_detached(py, || consistency::three_cycles(&consistency::Relation::from_matrix(w, n)?))
}

/// Raises the exception a core panic would raise; used by tests to prove the mapping.
#[pyfunction]
fn _debug_panic(py: Python<'_>) -> PyResult<()> {
    run_detached(py, || -> Result<(), Error> { panic!("debug hook") })
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Long fits (Bradley–Terry, Plackett–Luce) poll this between iterations.
    rankagg_core::interrupt::set_checker(interrupted);
    m.add_function(wrap_pyfunction!(factorize_strings, m)?)?;
    m.add_function(wrap_pyfunction!(factorize_ints, m)?)?;
    m.add_function(wrap_pyfunction!(reduce_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(pooled_bradley_terry, m)?)?;
    m.add_function(wrap_pyfunction!(bradley_terry, m)?)?;
    m.add_function(wrap_pyfunction!(elo, m)?)?;
    m.add_function(wrap_pyfunction!(trueskill, m)?)?;
    m.add_function(wrap_pyfunction!(pair_scores, m)?)?;
    m.add_function(wrap_pyfunction!(covariate_terms, m)?)?;
    m.add_function(wrap_pyfunction!(plackett_luce, m)?)?;
    m.add_function(wrap_pyfunction!(kemeny, m)?)?;
    m.add_function(wrap_pyfunction!(linear_ordering, m)?)?;
    m.add_function(wrap_pyfunction!(kendall_counts, m)?)?;
    m.add_function(wrap_pyfunction!(item_totals, m)?)?;
    m.add_function(wrap_pyfunction!(pairwise_preferences, m)?)?;
    m.add_function(wrap_pyfunction!(widest_paths, m)?)?;
    m.add_function(wrap_pyfunction!(maximal_lottery, m)?)?;
    m.add_function(wrap_pyfunction!(maximal_lottery_sparse, m)?)?;
    m.add_function(wrap_pyfunction!(defensive, m)?)?;
    m.add_function(wrap_pyfunction!(dense_int_map, m)?)?;
    m.add_function(wrap_pyfunction!(consistency_counts, m)?)?;
    m.add_function(wrap_pyfunction!(three_cycles, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    crowd::register(m)?;
    vote::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
