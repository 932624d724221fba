//! Bindings of the consensus side: Kemeny and the linear ordering problem
//! (`rankagg_core::kemeny`, with Ctrl-C and progress lines), Kendall's τ pair counts, the
//! majority matrix of rankings and Schulze's strongest paths (`margins`), and the transitivity
//! counts of a majority relation (`consistency`).

use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{parse_option, run_detached};
use crate::{interrupted, opt_slice, slice};

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
    let method = parse_option(py, method)?;
    let sol = run_detached(py, || with_kemeny_options(exact_limit, method, time_limit, seed, progress, |o| rankagg_core::kemeny::kemeny_with(p, n, o)))?;
    search_result(py, sol.order, [("cost", sol.cost), ("lower_bound", sol.lower_bound)], sol.optimal, sol.components, &sol.stats)
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
    let method = parse_option(py, method)?;
    let sol = run_detached(py, || with_kemeny_options(exact_limit, method, time_limit, seed, progress, |o| rankagg_core::kemeny::linear_ordering(a, n, o)))?;
    search_result(py, sol.order, [("value", sol.value), ("upper_bound", sol.upper_bound)], sol.optimal, sol.components, &sol.stats)
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

/// The result dict of `kemeny` and `linear_ordering`: the order, the objective and its bound
/// (named by each), whether it is proved optimal, the components and the search statistics.
fn search_result<'py>(
    py: Python<'py>,
    order: Vec<u32>,
    [(objective, value), (bound, bound_value)]: [(&str, f64); 2],
    optimal: bool,
    components: Vec<Vec<u32>>,
    s: &rankagg_core::kemeny::Stats,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("order", PyArray1::from_vec(py, order))?;
    d.set_item(objective, value)?;
    d.set_item(bound, bound_value)?;
    d.set_item("optimal", optimal)?;
    d.set_item("components", components)?;
    d.set_item("nodes", s.nodes)?;
    d.set_item("cut_rounds", s.cut_rounds)?;
    d.set_item("lp_iterations", s.lp_iterations)?;
    d.set_item("timed_out", s.timed_out)?;
    Ok(d)
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
    let weights = opt_slice(&weights, "weights")?;
    let p = run_detached(py, || rankagg_core::margins::pairwise_preferences(n, offsets, items, levels, weights, below))?;
    Ok(PyArray1::from_vec(py, p))
}

/// Schulze's strongest paths, in place: `links` (row-major n × n, 0 for no link, never
/// negative) becomes the strength of the strongest path from i to j (its weakest link).
/// `method`: "auto", or "incremental" / "thresholds" (the tests' and benches' hook). Working on
/// the caller's array allocates nothing n × n of f64 here.
#[pyfunction]
#[pyo3(signature = (n, links, method="auto"))]
fn widest_paths<'py>(py: Python<'py>, n: usize, mut links: PyReadwriteArray1<'py, f64>, method: &str) -> PyResult<()> {
    let method = parse_option(py, method)?;
    let d = links.as_slice_mut().map_err(|_| PyValueError::new_err("links: array must be contiguous"))?;
    run_detached(py, || rankagg_core::margins::widest_paths_by(n, d, method))
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

/// Test and bench hook (not API; `ra.consistency` counts cycles through `consistency_counts`):
/// strict 3-cycles of the majority relation of an n × n preference matrix (row-major), from
/// the scores for a complete tournament, else by direct bitset counting.
#[pyfunction]
#[pyo3(name = "_three_cycles")]
fn three_cycles<'py>(py: Python<'py>, w: PyReadonlyArray1<'py, f64>, n: usize) -> PyResult<u64> {
    use rankagg_core::consistency;
    let w = slice(&w, "w")?;
    run_detached(py, || consistency::three_cycles(&consistency::Relation::from_matrix(w, n)?))
}

/// Registers this file's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kemeny, m)?)?;
    m.add_function(wrap_pyfunction!(linear_ordering, m)?)?;
    m.add_function(wrap_pyfunction!(kendall_counts, m)?)?;
    m.add_function(wrap_pyfunction!(pairwise_preferences, m)?)?;
    m.add_function(wrap_pyfunction!(widest_paths, m)?)?;
    m.add_function(wrap_pyfunction!(consistency_counts, m)?)?;
    m.add_function(wrap_pyfunction!(three_cycles, m)?)?;
    Ok(())
}
