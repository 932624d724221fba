//! Bradley–Terry maximum likelihood on a pair table.
//!
//! Model: P(i beats j) = π_i / (π_i + π_j), θ = ln π. Ties are half a win each (`Half`),
//! dropped (`Drop`), modelled with Rao & Kupper's (1967) threshold η ≥ 1:
//! P(i beats j) = π_i / (π_i + η π_j), P(tie) = (η² − 1) π_i π_j / ((π_i + η π_j)(π_j + η π_i)),
//! or with Davidson's (1970) tie parameter ν:
//! P(i beats j) = π_i / D, P(tie) = ν √(π_i π_j) / D, D = π_i + π_j + ν √(π_i π_j).
//!
//! Solvers: Hunter's (2004) MM iteration (the textbook reference) and Newman's (2023) fixed
//! point, which reaches the same maximum in far fewer iterations. Both stop on the same
//! optimality test: every item's expected wins equal its observed wins to a relative `tol`
//! (the gradient of the log-likelihood, divided by the item's comparison count).
//!
//! Regularization `r > 0` adds, for every item, `r` virtual wins and `r` virtual losses against
//! a virtual item of fixed strength π = 1 (a pseudo-count prior). Every item then has a finite
//! estimate, whatever the data.

use crate::error::{Error, Result};
use crate::graph::Digraph;
use crate::pairs::PairsRef;

/// What [`initial`] and [`normalise`] read of a graph ([`Adjacency`], [`upper::Upper`]).
trait Scored {
    fn n_real(&self) -> usize;
    fn has_virtual(&self) -> bool;
    /// Observed score per item.
    fn score(&self) -> &[f64];
    /// Comparisons per item.
    fn count(&self) -> &[f64];
}

/// [`Scored`] for a graph type with the fields of that name.
macro_rules! scored {
    ($graph:ident) => {
        impl<E: Link> Scored for $graph<E> {
            fn n_real(&self) -> usize {
                self.n_real
            }
            fn has_virtual(&self) -> bool {
                self.has_virtual
            }
            fn score(&self) -> &[f64] {
                &self.score
            }
            fn count(&self) -> &[f64] {
                &self.count
            }
        }
    };
}

mod upper;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    Half,
    Drop,
    Davidson,
    RaoKupper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    MM,
    Newman,
}

impl std::str::FromStr for Ties {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let choices = [("half", Ties::Half), ("drop", Ties::Drop), ("davidson", Ties::Davidson), ("rao_kupper", Ties::RaoKupper)];
        crate::error::parse_choice("tie_model", s, &choices)
    }
}

impl std::str::FromStr for Solver {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_choice("solver", s, &[("newman", Solver::Newman), ("mm", Solver::MM)])
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub ties: Ties,
    pub solver: Solver,
    pub regularization: f64,
    pub tol: f64,
    pub max_iter: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { ties: Ties::Half, solver: Solver::Newman, regularization: 0.0, tol: 1e-9, max_iter: 10_000 }
    }
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// Natural-log strengths, centred to mean 0.
    pub theta: Vec<f64>,
    /// Davidson's ν (`Ties::Davidson`) or Rao–Kupper's η (`Ties::RaoKupper`).
    pub tie_parameter: Option<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// Log-likelihood of the data (virtual regularization comparisons excluded).
    pub log_likelihood: f64,
    /// The largest relative gradient at the returned point (the quantity compared to `tol`).
    pub max_relative_gradient: f64,
    /// With regularization: the log-strength of the virtual item on the scale of `theta`.
    pub virtual_theta: Option<f64>,
}

/// Bootstrap replicates of a fit.
#[derive(Debug, Clone)]
pub struct Replicates {
    /// `rounds × n` centred log-strengths, round-major.
    pub theta: Vec<f64>,
    /// ν or η per round (empty unless ties are modelled).
    pub tie_parameter: Vec<f64>,
    /// Resamples that admitted no finite estimate and were drawn again.
    pub redraws: usize,
    /// Rounds whose fit stopped at `max_iter` before meeting `tol`.
    pub not_converged: usize,
}

impl Fit {
    /// The point fit of an earlier chunk of bootstrap rounds, handed back so that a later
    /// chunk's replicates start from it without fitting again: only θ, the virtual item's θ
    /// and the tie parameter are known (log-likelihood NaN, 0 iterations, converged).
    pub fn given(theta: Vec<f64>, virtual_theta: Option<f64>, tie_parameter: Option<f64>) -> Fit {
        Fit { theta, tie_parameter, iterations: 0, converged: true, log_likelihood: f64::NAN, max_relative_gradient: 0.0, virtual_theta }
    }
}

/// One chunk of bootstrap rounds: `draws` comparisons per round, rounds `rounds` of the
/// stream of `seed` (see [`bootstrap`]).
#[derive(Debug, Clone)]
pub struct Resampling {
    pub draws: u64,
    pub rounds: std::ops::Range<usize>,
    pub seed: u64,
}

/// What one call of [`fit_table`] returns.
#[derive(Debug, Clone)]
pub struct TableFit {
    pub fit: Fit,
    /// Per item: weighted wins, losses and ties ([`PairsRef::item_totals`]), when asked for.
    pub totals: Option<[Vec<f64>; 3]>,
    /// The bootstrap replicates, when a [`Resampling`] was given.
    pub replicates: Option<Replicates>,
}

/// A Bradley–Terry fit of a pair table as the Python layer asks for it: the table validated,
/// the fit (or `point`, an earlier chunk's point fit, [`Fit::given`]) with the per-item totals
/// when `totals` (once per call: the first chunk), then the bootstrap chunk. Below
/// [`COLOUR_MIN_ITEMS`] items the check and the totals are part of the graph build's first
/// pass ([`Degrees::count`]), which reads the same columns (decision 44); otherwise they are
/// passes of their own. Everything runs on the calling thread's pool; only the calling thread
/// sees Ctrl-C (`crate::interrupt`).
pub fn fit_table(t: PairsRef<'_>, opts: &Options, point: Option<Fit>, totals: bool, resampling: Option<Resampling>) -> Result<TableFit> {
    let (fit, totals) = match point {
        Some(p) => {
            t.validate()?;
            if p.theta.len() != t.n {
                return Err(Error::InvalidArgument("point_theta must have one value per item".into()));
            }
            (p, if totals { Some(t.item_totals()?) } else { None })
        }
        None => fit_checked(t, opts, None, true, Extras { check: true, totals })?,
    };
    let replicates = match resampling {
        Some(r) if !r.rounds.is_empty() => Some(bootstrap(t, opts, &fit, r.draws, r.rounds, r.seed)?),
        _ => None,
    };
    Ok(TableFit { fit, totals, replicates })
}

/// One neighbour of an item in the comparison graph, with the effective counts the model
/// sees: `won` = wins of the item over `j`, `lost` = wins of `j` over it, `tie` (Davidson only).
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct Edge {
    j: u32,
    won: f64,
    lost: f64,
}

/// [`Edge`] with the counts in single precision: 12 bytes instead of 20, for tables whose
/// effective counts are all exact in `f32` (counts of unit-weight rows below 2^24, halves for
/// ties; [`counts_fit_f32`]). They are widened before any arithmetic, so a fit on it has the
/// same bits as on [`Edge`]; the sweeps, which stream the edges, read 40 % fewer bytes
/// (issue 20, decision 40).
#[derive(Clone, Copy)]
struct Edge32 {
    j: u32,
    won: f32,
    lost: f32,
}

/// [`Edge`] with each count as a whole number of halves in 16 bits: 8 bytes, for tables whose
/// effective counts are all halves below 32,768 (unit-weight rows, ties as halves; checked in
/// the graph build's first pass, [`halves_u16`]). Widened to the same `f64` values as
/// [`Edge32`]'s before any arithmetic, so the same bits again, on two thirds of its bytes
/// (decision 44).
#[derive(Clone, Copy)]
struct Edge16 {
    j: u32,
    won: u16,
    lost: u16,
}

/// What the plain solvers read of an edge ([`Edge`], [`Edge32`] or [`Edge16`]).
trait Link: Copy + Send + Sync {
    fn new(j: u32, won: f64, lost: f64) -> Self;
    fn j(&self) -> usize;
    fn won(&self) -> f64;
    fn lost(&self) -> f64;
}

impl Link for Edge {
    #[inline]
    fn new(j: u32, won: f64, lost: f64) -> Self {
        Edge { j, won, lost }
    }
    #[inline]
    fn j(&self) -> usize {
        self.j as usize
    }
    #[inline]
    fn won(&self) -> f64 {
        self.won
    }
    #[inline]
    fn lost(&self) -> f64 {
        self.lost
    }
}

impl Link for Edge32 {
    #[inline]
    fn new(j: u32, won: f64, lost: f64) -> Self {
        Edge32 { j, won: won as f32, lost: lost as f32 }
    }
    #[inline]
    fn j(&self) -> usize {
        self.j as usize
    }
    #[inline]
    fn won(&self) -> f64 {
        f64::from(self.won)
    }
    #[inline]
    fn lost(&self) -> f64 {
        f64::from(self.lost)
    }
}

impl Link for Edge16 {
    #[inline]
    fn new(j: u32, won: f64, lost: f64) -> Self {
        // (Checked to fit: `as i32` is one truncating conversion here.)
        Edge16 { j, won: (2.0 * won) as i32 as u16, lost: (2.0 * lost) as i32 as u16 }
    }
    #[inline]
    fn j(&self) -> usize {
        self.j as usize
    }
    #[inline]
    fn won(&self) -> f64 {
        0.5 * f64::from(self.won)
    }
    #[inline]
    fn lost(&self) -> f64 {
        0.5 * f64::from(self.lost)
    }
}

/// Whether `v` is a whole number of halves below 32,768 ([`Edge16`] holds it exactly; NaN and
/// negative values are not).
#[inline(always)]
fn halves_u16(v: f64) -> bool {
    let h = 2.0 * v;
    f64::from(h as u16) == h
}

/// Whether every effective count the plain solvers see (wins, plus half the ties under
/// `Half`; and the regularization's virtual counts) is exact in `f32`: then [`Edge32`] holds
/// them without loss.
/// The coloured solver's check; the others get it from the graph's first pass ([`Degrees`]).
fn counts_fit_f32(t: PairsRef<'_>, opts: &Options) -> bool {
    use rayon::prelude::*;
    let exact = exact_f32;
    let half = if matches!(opts.ties, Ties::Half) { 0.5 } else { 0.0 };
    // By chunks, without early exits within one (a flag test per entry cost more than the test).
    const CHUNK: usize = 1 << 14;
    exact(opts.regularization)
        && (0..t.len().div_ceil(CHUNK)).into_par_iter().all(|c| {
            let r = c * CHUNK..((c + 1) * CHUNK).min(t.len());
            let (wi, wj, tt) = (&t.wins_i[r.clone()], &t.wins_j[r.clone()], &t.ties[r]);
            (0..wi.len()).fold(true, |ok, q| ok & exact(wi[q] + half * tt[q]) & exact(wj[q] + half * tt[q]))
        })
}

/// Whether `v` is exact in single precision.
#[inline(always)]
fn exact_f32(v: f64) -> bool {
    f64::from(v as f32) == v
}

/// The first pass of [`Adjacency::build`] and [`upper::Upper::build`] over the table, in fixed
/// blocks of pairs ([`build_blocks`]): per block, each item's number of edges; and, in the same
/// pass, whether every effective count is a whole number of halves below 32,768 ([`Edge16`];
/// when not, [`counts_fit_f32`]'s test follows; the regularization is part of neither),
/// whether the table is sorted by (i, j) without repeats, [`PairsRef::validate`]'s check of
/// every entry (its error, worded by it, when one fails) and, when asked,
/// [`PairsRef::item_totals`] (the same blocks and order: the same bits). One pass instead of
/// three over the same columns (decisions 44, 47).
struct Degrees {
    per_block: Vec<Vec<usize>>,
    /// Pairs per block.
    per: usize,
    /// Every effective count is exact in `f32` (tested for the plain models only).
    fits_f32: bool,
    /// Every effective count fits [`Edge16`] ([`halves_u16`]).
    fits_u16: bool,
    /// The table is sorted by (i, j) without repeats (a [`PairTable`](crate::pairs::PairTable)'s
    /// order): each item's upper neighbours are one run of it ([`upper::Upper`]).
    sorted: bool,
    totals: Option<Totals>,
}

/// Blocks of the graph's build: (number, pairs per block), by size only. Per-block arrays cost
/// O(n) each: many blocks only when n is small next to the number of pairs. With the totals,
/// [`PairsRef::item_totals`]' blocks (up to 9; only below [`COLOUR_MIN_ITEMS`] items).
fn build_blocks(t: &PairsRef<'_>, totals: bool) -> (usize, usize) {
    let k = t.len();
    if totals {
        let per = crate::pairs::totals_block(k);
        return (k.div_ceil(per).max(1), per);
    }
    let blocks = if t.n <= (1 << 20) { (k >> 16).clamp(1, 8) } else { 1 };
    (blocks, k.div_ceil(blocks).max(1))
}

/// One block's share of [`Degrees`]: per item, edges and (when summed) totals; the u16 and
/// order tests; the entries' check.
type BlockCount<R> = (Vec<R>, [bool; 2], bool);

/// What [`count_block`] keeps per item: its edge count alone (`usize`), or with its totals
/// (wins, losses, ties, then the count) in one record, so that an entry's update of its
/// upper item touches one cache line.
trait Tally: Copy + Default + Send {
    fn add(&mut self, met: usize, won: f64, lost: f64, tied: f64);
    fn edges(&self) -> usize;
    fn sums(&self) -> [f64; 3];
}

impl Tally for usize {
    #[inline(always)]
    fn add(&mut self, met: usize, _: f64, _: f64, _: f64) {
        *self += met;
    }
    fn edges(&self) -> usize {
        *self
    }
    fn sums(&self) -> [f64; 3] {
        [0.0; 3]
    }
}

impl Tally for [f64; 4] {
    #[inline(always)]
    fn add(&mut self, met: usize, won: f64, lost: f64, tied: f64) {
        self[0] += won;
        self[1] += lost;
        self[2] += tied;
        self[3] += met as f64;
    }
    fn edges(&self) -> usize {
        self[3] as usize
    }
    fn sums(&self) -> [f64; 3] {
        [self[0], self[1], self[2]]
    }
}

impl Degrees {
    /// The first pass; with `extras.check` the entries' check, with `extras.totals` below
    /// [`COLOUR_MIN_ITEMS`] items the totals too. (Without the check, the graph is also built
    /// from tables with i > j: the coloured sweep's renumbered ones.)
    fn count(t: PairsRef<'_>, opts: &Options, extras: Extras) -> Result<Degrees> {
        Self::count_into(t, opts, extras, None)
    }

    /// [`Degrees::count`] that also writes each entry's [`Edge16`] to the same place in
    /// `edges` (one slot per entry): a sorted table's upper half without a pass of its own,
    /// when the counts fit ([`upper::Upper::build`]; garbage otherwise).
    fn count_into(t: PairsRef<'_>, opts: &Options, extras: Extras, edges: Option<&mut [std::mem::MaybeUninit<Edge16>]>) -> Result<Degrees> {
        let totals = extras.totals && t.n < COLOUR_MIN_ITEMS;
        match (totals, edges) {
            (true, Some(out)) => Self::count_with::<[f64; 4], true>(t, opts, extras, true, out),
            (true, None) => Self::count_with::<[f64; 4], false>(t, opts, extras, true, &mut []),
            (false, Some(out)) => Self::count_with::<usize, true>(t, opts, extras, false, out),
            (false, None) => Self::count_with::<usize, false>(t, opts, extras, false, &mut []),
        }
    }

    fn count_with<R: Tally, const WRITE: bool>(
        t: PairsRef<'_>,
        opts: &Options,
        extras: Extras,
        totals: bool,
        out: &mut [std::mem::MaybeUninit<Edge16>],
    ) -> Result<Degrees> {
        use rayon::prelude::*;
        let (n, k) = (t.n, t.len());
        if [t.j.len(), t.wins_i.len(), t.wins_j.len(), t.ties.len()].iter().any(|&l| l != k) || (n == 0 && k > 0) {
            return Err(invalid(t));
        }
        let (blocks, per) = build_blocks(&t, totals);
        if WRITE && out.len() != k {
            return Err(Error::InvalidArgument("the first pass's edges have the wrong length (a bug)".into()));
        }
        let mut parts: Vec<&mut [std::mem::MaybeUninit<Edge16>]> = if WRITE { out.chunks_mut(per).collect() } else { Vec::new() };
        parts.resize_with(blocks, || &mut []);
        let counted: Vec<BlockCount<R>> =
            parts.into_par_iter().enumerate().map(|(b, out)| count_block::<R, WRITE>(t, opts.ties, (b * per).min(k)..((b + 1) * per).min(k), out)).collect();
        if extras.check && !counted.iter().all(|c| c.2) {
            return Err(invalid(t));
        }
        // Halves below 32,768 are exact in f32: the f32 test takes a pass of its own only when
        // the u16 test failed (weighted rows; decision 47), and only for the plain models, the
        // only ones with f32 edges (the tie models' graph keeps f64 counts).
        let fits_u16 = counted.iter().all(|c| c.1[0]);
        let plain = matches!(opts.ties, Ties::Half | Ties::Drop);
        let fits_f32 = fits_u16 || (plain && counts_fit_f32(t, &Options { regularization: 0.0, ..*opts }));
        // Each block tested its own order; the blocks meet in order too.
        let sorted = counted.iter().all(|c| c.1[1])
            && (1..blocks).map(|b| (b * per).min(k)).filter(|&q| q > 0 && q < k).all(|q| (t.i[q - 1], t.j[q - 1]) < (t.i[q], t.j[q]));
        let mut per_block = Vec::with_capacity(blocks);
        let mut sum: Option<Totals> = totals.then(|| [vec![0.0; n], vec![0.0; n], vec![0.0; n]]);
        for (b, (records, _, _)) in counted.into_iter().enumerate() {
            per_block.push(records.iter().map(R::edges).collect());
            // Blocks added in order, as `item_totals` adds them (the first block's sums are
            // taken as they are).
            if let Some(s) = &mut sum {
                for (i, r) in records.iter().enumerate() {
                    let x = r.sums();
                    for (col, v) in s.iter_mut().zip(x) {
                        col[i] = if b == 0 { v } else { col[i] + v };
                    }
                }
            }
        }
        Ok(Degrees { per_block, per, fits_f32, fits_u16, sorted, totals: sum })
    }
}

/// One block of [`Degrees::count`], branch-free in the entries' check (an entry outside the
/// table is counted at a clamped item and the whole pass then fails). The item of the current
/// run of equal `i` (a row of a sorted table) keeps its record in registers, stored when the
/// run ends: the same additions in the same order as through memory, without a store-to-load
/// wait per pair.
#[inline(always)]
fn count_block<R: Tally, const WRITE: bool>(
    t: PairsRef<'_>,
    ties: Ties,
    r: std::ops::Range<usize>,
    out: &mut [std::mem::MaybeUninit<Edge16>],
) -> BlockCount<R> {
    let r0 = r.start;
    let n = t.n;
    let (mut c, mut halves, mut ok, mut sorted) = (vec![R::default(); n], true, true, true);
    #[allow(clippy::manual_range_contains)] // `&`, not the short-circuiting `contains`: no branch
    let count_ok = |v: f64| (v >= 0.0) & (v < f64::INFINITY);
    let Some(first) = r.clone().next() else { return (c, [halves, sorted], ok) };
    // The open run: its item and record.
    let mut u = (t.i[first] as usize).min(n - 1);
    let mut ru = R::default();
    // The last entry's (i, j) as one key, for the order test (the first entry passes it).
    let key = |q: usize| (t.i[q] as u64) << 32 | t.j[q] as u64;
    let mut last = key(first).wrapping_sub(1);
    for q in r {
        let (i, j) = (t.i[q] as usize, t.j[q] as usize);
        ok &= (i < j) & (j < n) & count_ok(t.wins_i[q]) & count_ok(t.wins_j[q]) & count_ok(t.ties[q]);
        sorted &= key(q) > last;
        last = key(q);
        let (i, j) = (i.min(n - 1), j.min(n - 1));
        if i != u {
            c[u] = ru;
            u = i;
            ru = std::mem::take(&mut c[u]);
        }
        let (wi, wj, tt) = effective_counts(&t, ties, q);
        halves &= halves_u16(wi) & halves_u16(wj) & (tt == 0.0);
        if WRITE {
            out[q - r0].write(Edge16::new(t.j[q], wi, wj));
        }
        let met = (wi + wj + tt > 0.0) as usize;
        ru.add(met, t.wins_i[q], t.wins_j[q], t.ties[q]);
        // j == u only in a table with a self-comparison (unchecked internal tables).
        if j == u {
            ru.add(met, t.wins_j[q], t.wins_i[q], t.ties[q]);
        } else {
            c[j].add(met, t.wins_j[q], t.wins_i[q], t.ties[q]);
        }
    }
    c[u] = ru;
    (c, [halves, sorted], ok)
}

/// [`PairsRef::validate`]'s error for a table that failed the first pass's check.
fn invalid(t: PairsRef<'_>) -> Error {
    t.validate().err().unwrap_or_else(|| Error::InvalidArgument("pair table failed its check".into()))
}

/// From this many items on, Newman's sweep runs colour class by colour class in parallel.
const COLOUR_MIN_ITEMS: usize = 1 << 16;
/// Items per parallel task of a coloured sweep.
const COLOUR_CHUNK: usize = 2048;

/// A raw pointer shared by the rayon tasks of [`Graph::build`], each writing disjoint slots.
struct SendPtr<T>(*mut T);
unsafe impl<T> Sync for SendPtr<T> {}
unsafe impl<T> Send for SendPtr<T> {}

/// The counts of pair `q` that the model sees: (wins of i, wins of j, ties), ties counted as
/// half a win each (`Half`), dropped, or kept apart (Davidson, Rao–Kupper). Always inlined: as
/// a closure the graph's build called it per pair (its largest single cost; decision 40).
#[inline(always)]
fn effective_counts(t: &PairsRef<'_>, ties: Ties, q: usize) -> (f64, f64, f64) {
    match ties {
        Ties::Half => (t.wins_i[q] + 0.5 * t.ties[q], t.wins_j[q] + 0.5 * t.ties[q], 0.0),
        Ties::Drop => (t.wins_i[q], t.wins_j[q], 0.0),
        Ties::Davidson | Ties::RaoKupper => (t.wins_i[q], t.wins_j[q], t.ties[q]),
    }
}

/// Per-item adjacency (CSR). With regularization, index `n_real` is the virtual item: every
/// real item has an edge to it, and its strength is fixed at 1.
struct Adjacency<E> {
    n_real: usize,
    has_virtual: bool,
    offsets: Vec<usize>,
    edges: Vec<E>,
    /// Ties per edge (Davidson only; empty otherwise).
    ties: Vec<f64>,
    /// Observed score per item (wins, plus half the ties under Davidson).
    score: Vec<f64>,
    /// Comparisons per item (all outcomes).
    count: Vec<f64>,
}

/// The adjacency every solver reads (full-precision counts).
type Graph = Adjacency<Edge>;

scored!(Adjacency);

impl<E: Link> Adjacency<E> {
    /// Builds the CSR in parallel over fixed blocks of pairs (by data size, never by thread
    /// count): each block counts its edges per item, then writes them to its own slots, so an
    /// item's neighbours come in pair-table order; per-item sums are then added along each
    /// item's edges — the same graph for any number of threads.
    fn build(t: PairsRef<'_>, opts: &Options) -> Result<Adjacency<E>> {
        Self::build_from(t, opts, Degrees::count(t, opts, Extras { check: false, totals: false })?)
    }

    /// [`Adjacency::build`] after its first pass.
    fn build_from(t: PairsRef<'_>, opts: &Options, degrees: Degrees) -> Result<Adjacency<E>> {
        use rayon::prelude::*;
        let n = t.n;
        let k = t.len();
        let r = opts.regularization;
        let has_virtual = r > 0.0;
        let davidson = matches!(opts.ties, Ties::Davidson | Ties::RaoKupper);
        let per = degrees.per;
        let range = |b: usize| (b * per).min(k)..((b + 1) * per).min(k);
        let mut offsets = vec![0usize; n + 1];
        // cursors[b][i]: where block b writes item i's next edge.
        let mut cursors = degrees.per_block;
        for i in 0..n {
            let mut at = offsets[i] + has_virtual as usize;
            for c in cursors.iter_mut() {
                let deg = c[i];
                c[i] = at;
                at += deg;
            }
            offsets[i + 1] = at;
        }
        let total = offsets[n];
        let mut edges: Vec<E> = crate::memory::large_vec(total)?;
        let mut ties: Vec<f64> = if davidson { crate::memory::try_with_capacity(total)? } else { Vec::new() };
        let (edge_ptr, tie_ptr) = (SendPtr(edges.as_mut_ptr()), SendPtr(ties.as_mut_ptr()));
        if has_virtual {
            for i in 0..n {
                // SAFETY: slot offsets[i] is the virtual edge's, within capacity, written once.
                unsafe { edge_ptr.0.add(offsets[i]).write(E::new(n as u32, r, r)) };
                if davidson {
                    unsafe { tie_ptr.0.add(offsets[i]).write(0.0) };
                }
            }
        }
        cursors.par_iter_mut().enumerate().for_each(|(b, cur)| {
            let (edge_ptr, tie_ptr) = (&edge_ptr, &tie_ptr);
            // The cursor of the current run of equal `i` (a row of a sorted table) is kept in a
            // register and stored when the run ends (the same slots; no store-to-load wait).
            let Some(first) = range(b).next() else { return };
            let mut u = (t.i[first] as usize).min(n - 1);
            let mut at_u = cur[u];
            for q in range(b) {
                let (wi, wj, tt) = effective_counts(&t, opts.ties, q);
                if wi + wj + tt <= 0.0 {
                    continue;
                }
                let (i, j) = (t.i[q] as usize, t.j[q] as usize);
                if i != u {
                    cur[u] = at_u;
                    u = i;
                    at_u = cur[u];
                }
                let at_i = at_u;
                at_u += 1;
                // j == u only with a self-comparison (unchecked internal tables).
                let at_j = if j == u {
                    at_u += 1;
                    at_u - 1
                } else {
                    cur[j] += 1;
                    cur[j] - 1
                };
                // SAFETY: block b owns item i's slots cursors[b][i] .. + its count, disjoint
                // from every other block's and within capacity; each slot is written once.
                unsafe {
                    edge_ptr.0.add(at_i).write(E::new(j as u32, wi, wj));
                    edge_ptr.0.add(at_j).write(E::new(i as u32, wj, wi));
                    if davidson {
                        tie_ptr.0.add(at_i).write(tt);
                        tie_ptr.0.add(at_j).write(tt);
                    }
                }
            }
            cur[u] = at_u;
        });
        // SAFETY: every slot 0..total was written above (virtual edges and each block's edges
        // exactly fill the ranges the offsets describe).
        unsafe {
            edges.set_len(total);
            if davidson {
                ties.set_len(total);
            }
        }
        // Per item, from its edges in order (the virtual one first): observed score and
        // comparisons. Summed here rather than per block during the scatter, which kept two
        // more n-length arrays per block and four more scattered updates per pair (decision 42).
        let (mut score, mut count) = (crate::memory::try_filled(n, 0.0f64)?, crate::memory::try_filled(n, 0.0f64)?);
        score.par_iter_mut().zip(count.par_iter_mut()).enumerate().for_each(|(i, (s, c))| {
            let tie = |k: usize| if davidson { ties[offsets[i] + k] } else { 0.0 };
            for (k, e) in edges[offsets[i]..offsets[i + 1]].iter().enumerate() {
                *s += e.won() + 0.5 * tie(k);
                *c += e.won() + e.lost() + tie(k);
            }
        });
        Ok(Adjacency { n_real: n, has_virtual, offsets, edges, ties, score, count })
    }

    #[inline]
    fn neighbours(&self, i: usize) -> &[E] {
        &self.edges[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Ties of each neighbour of `i` (Davidson), aligned with [`Graph::neighbours`].
    #[inline]
    fn neighbour_ties(&self, i: usize) -> &[f64] {
        &self.ties[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Whether every item is reachable from item 0 following "beat" edges forwards (`forward`)
    /// or backwards. Under `Half` a tie is half a win each way, so it beats both ways; under
    /// Davidson only decisive outcomes count (ties alone let π and ν diverge together).
    fn reaches_all(&self, forward: bool) -> bool {
        let n = self.n_real;
        let mut seen = vec![false; n];
        let mut stack = vec![0usize];
        seen[0] = true;
        let mut reached = 1;
        while let Some(u) = stack.pop() {
            for e in self.neighbours(u) {
                let v = e.j();
                let beat = if forward { e.won() } else { e.lost() } > 0.0;
                if v < n && beat && !seen[v] {
                    seen[v] = true;
                    reached += 1;
                    if reached == n {
                        // (on a dense table, after the first few items' neighbours)
                        return true;
                    }
                    stack.push(v);
                }
            }
        }
        reached == n
    }

    /// Fails with [`Error::NotIdentifiable`] when the data admit no finite MLE: the "beat"
    /// graph is not strongly connected (Ford 1957; Hunter 2004). Checked with two graph
    /// searches; the components are only computed to describe a failure.
    fn check_identifiable(&self) -> Result<()> {
        let (forward, backward) = rayon::join(|| self.reaches_all(true), || self.reaches_all(false));
        if forward && backward {
            return Ok(());
        }
        let n = self.n_real;
        let mut beat = Vec::new();
        let (mut won, mut lost) = (vec![false; n], vec![false; n]);
        for i in 0..n {
            for e in self.neighbours(i) {
                if e.j() < n && e.won() > 0.0 {
                    beat.push((i as u32, e.j() as u32));
                    won[i] = true;
                    lost[e.j()] = true;
                }
            }
        }
        let (components, component_of) = Digraph::from_edges(n, beat)?.strongly_connected_components();
        Err(Error::NotIdentifiable {
            never_win: (0..n as u32).filter(|&i| !won[i as usize]).collect(),
            never_lose: (0..n as u32).filter(|&i| !lost[i as usize]).collect(),
            components,
            component_of,
        })
    }

    /// Largest |observed − expected score| / comparisons over real items, given the expected
    /// score of each item.
    fn max_relative_gradient(&self, expected: impl Fn(usize) -> f64 + Sync) -> f64 {
        use rayon::prelude::*;
        (0..self.n_real).into_par_iter().map(|i| (self.score[i] - expected(i)).abs() / self.count[i].max(f64::MIN_POSITIVE)).reduce(|| 0.0, f64::max)
    }
}

/// Fits the model. `t.n` must be at least 1.
pub fn fit(t: PairsRef<'_>, opts: &Options) -> Result<Fit> {
    fit_from(t, opts, None)
}

/// Fits the model starting from an earlier fit (a warm start; same items).
pub fn fit_from(t: PairsRef<'_>, opts: &Options, start: Option<&Fit>) -> Result<Fit> {
    fit_inner(t, opts, start, true)
}

/// `log_likelihood` is NaN unless `with_likelihood` (replicates skip it). Ctrl-C (see
/// [`crate::interrupt`]) stops the iterations and returns `Error::Interrupted`.
fn fit_inner(t: PairsRef<'_>, opts: &Options, start: Option<&Fit>, with_likelihood: bool) -> Result<Fit> {
    Ok(fit_checked(t, opts, start, with_likelihood, Extras { check: false, totals: false })?.0)
}

/// What [`fit_table`] asks of a fit beyond it: the table's check ([`PairsRef::validate`]: a
/// table from outside) and the per-item totals.
#[derive(Clone, Copy)]
struct Extras {
    check: bool,
    totals: bool,
}

/// Per item: weighted wins, losses and ties ([`PairsRef::item_totals`]).
type Totals = [Vec<f64>; 3];

/// [`fit_inner`], with the table checked first ([`PairsRef::validate`]'s errors) when
/// `extras.check`, and the per-item totals ([`PairsRef::item_totals`], the same bits) when
/// `extras.totals`.
fn fit_checked(t: PairsRef<'_>, opts: &Options, start: Option<&Fit>, with_likelihood: bool, extras: Extras) -> Result<(Fit, Option<Totals>)> {
    let (fit, totals) = fit_uninterrupted(t, opts, start, with_likelihood, extras)?;
    crate::interrupt::check()?;
    if fit.theta.iter().any(|x| !x.is_finite()) {
        // π underflowed or overflowed: the odds between some items exceed double precision
        // (e.g. wins weighted 1e-300). Never return that as a fit.
        return Err(Error::InvalidArgument(
            "the strengths span more than double precision allows (some items' wins or losses are tiny next to their comparisons, e.g. weights near 1e-300); pass regularization > 0".into(),
        ));
    }
    Ok((fit, totals))
}

/// The fit, and the totals when asked. The check and the totals are part of the graph build's
/// first pass below [`COLOUR_MIN_ITEMS`] items; the coloured sweep's table is checked by a
/// pass of its own first, and its totals summed after the fit.
fn fit_uninterrupted(t: PairsRef<'_>, opts: &Options, start: Option<&Fit>, with_likelihood: bool, extras: Extras) -> Result<(Fit, Option<Totals>)> {
    if !(opts.regularization.is_finite() && opts.regularization >= 0.0) {
        return Err(Error::InvalidArgument("regularization must be finite and >= 0".into()));
    }
    if !(opts.tol.is_finite() && opts.tol > 0.0) {
        return Err(Error::InvalidArgument("tol must be finite and > 0".into()));
    }
    if t.n == 0 {
        return Err(Error::InvalidArgument("no items".into()));
    }
    if start.is_some_and(|s| s.theta.len() != t.n) {
        return Err(Error::InvalidArgument("warm start has a different number of items".into()));
    }
    if matches!(opts.ties, Ties::Half | Ties::Drop) {
        // The plain model on single-precision edges when the counts allow it (same bits): the
        // coloured sweep for many items under Newman's solver, the plain one otherwise.
        if t.n >= COLOUR_MIN_ITEMS && matches!(opts.solver, Solver::Newman) {
            if extras.check {
                t.validate()?;
            }
            let fit = if counts_fit_f32(t, opts) {
                solve_coloured::<Edge32>(t, opts, start, with_likelihood)
            } else {
                solve_coloured::<Edge>(t, opts, start, with_likelihood)
            }?;
            return Ok((fit, if extras.totals { Some(t.item_totals()?) } else { None }));
        }
        // Newman's sweeps on a sorted table read its upper half alone (decision 47), with the
        // per-item totals of the first pass.
        // Without regularization the first pass writes the upper half's 8-byte edges too.
        let upper = matches!(opts.solver, Solver::Newman);
        let fused = upper && opts.regularization == 0.0;
        let mut edges: Vec<Edge16> = if fused { crate::memory::large_vec(t.len())? } else { Vec::new() };
        let out = fused.then(|| &mut edges.spare_capacity_mut()[..t.len()]);
        let mut degrees = Degrees::count_into(t, opts, Extras { totals: extras.totals || upper, ..extras }, out)?;
        if upper && degrees.sorted {
            let totals = degrees.totals.take().ok_or_else(|| Error::InvalidArgument("the first pass summed no totals (a bug)".into()))?;
            let fit = if degrees.fits_u16 && halves_u16(opts.regularization) {
                let written = fused.then(|| {
                    // SAFETY: the first pass wrote every slot 0..len (`count_into`).
                    unsafe { edges.set_len(t.len()) };
                    edges
                });
                fit_upper::<Edge16>(t, opts, &degrees, &totals, written, start, with_likelihood)
            } else if degrees.fits_f32 && exact_f32(opts.regularization) {
                fit_upper::<Edge32>(t, opts, &degrees, &totals, None, start, with_likelihood)
            } else {
                fit_upper::<Edge>(t, opts, &degrees, &totals, None, start, with_likelihood)
            }?;
            return Ok((fit, extras.totals.then_some(totals)));
        }
        let totals = degrees_totals(t, &mut degrees, extras.totals)?;
        let fit = if degrees.fits_u16 && halves_u16(opts.regularization) {
            fit_plain::<Edge16>(t, opts, degrees, start, with_likelihood)
        } else if degrees.fits_f32 && exact_f32(opts.regularization) {
            fit_plain::<Edge32>(t, opts, degrees, start, with_likelihood)
        } else {
            fit_plain::<Edge>(t, opts, degrees, start, with_likelihood)
        }?;
        return Ok((fit, totals));
    }
    let mut degrees = Degrees::count(t, opts, extras)?;
    let totals = degrees_totals(t, &mut degrees, extras.totals)?;
    let g = Graph::build_from(t, opts, degrees)?;
    if !g.has_virtual {
        g.check_identifiable()?;
    }
    if g.edges.iter().all(|e| e.won == 0.0 && e.lost == 0.0) {
        return Err(Error::InvalidArgument("a tie model needs at least one decisive (non-tie) comparison".into()));
    }
    let fit = match opts.ties {
        Ties::Davidson => solve_davidson(&g, opts, start, with_likelihood),
        _ => solve_rao_kupper(&g, opts, start, with_likelihood),
    };
    Ok((fit, totals))
}

/// The totals asked for: the first pass's when it summed them, else a pass of their own
/// (none when not asked, even if the pass summed them for the upper half's sweeps).
fn degrees_totals(t: PairsRef<'_>, degrees: &mut Degrees, wanted: bool) -> Result<Option<Totals>> {
    match (degrees.totals.take(), wanted) {
        (Some(totals), true) => Ok(Some(totals)),
        (None, true) => t.item_totals().map(Some),
        (_, false) => Ok(None),
    }
}

/// Ties `Half` or `Drop` on edges of type `E`, below the coloured sweep's size (or under MM),
/// from the graph's first pass.
fn fit_plain<E: Link>(t: PairsRef<'_>, opts: &Options, degrees: Degrees, start: Option<&Fit>, with_likelihood: bool) -> Result<Fit> {
    let g = Adjacency::<E>::build_from(t, opts, degrees)?;
    if !g.has_virtual {
        g.check_identifiable()?;
    }
    let blocks = sweep_blocks(&g);
    Ok(solve_plain(&g, opts, start, with_likelihood, if blocks.is_empty() { Order::Items } else { Order::Blocks(&blocks) }))
}

/// Newman's sweeps on the upper half of a sorted table ([`upper`]), after the graph's first
/// pass (its order test, per-item degrees and totals).
#[allow(clippy::too_many_arguments)]
fn fit_upper<E: Link>(
    t: PairsRef<'_>,
    opts: &Options,
    degrees: &Degrees,
    totals: &Totals,
    edges: Option<Vec<E>>,
    start: Option<&Fit>,
    with_likelihood: bool,
) -> Result<Fit> {
    let g = upper::Upper::<E>::build(t, opts, totals, edges)?;
    if opts.regularization <= 0.0 && g.strongly_connected() != Some(true) {
        // Not identifiable, or not settled by the passes: the full graph's search, and the
        // failure's details.
        Adjacency::<E>::build(t, opts)?.check_identifiable()?;
    }
    let mut full = vec![0usize; t.n];
    for block in &degrees.per_block {
        full.iter_mut().zip(block).for_each(|(f, d)| *f += d);
    }
    upper::solve(&g, &g.blocks(&full), opts, start, with_likelihood)
}

/// Newman's iteration for many items, in parallel: items are coloured (no two neighbours share
/// a colour), renumbered colour by colour, and each sweep updates one colour class at a time,
/// all of its items at once — a Gauss–Seidel sweep in the renumbered order. The renumbering
/// keeps every class contiguous in memory. Chosen by size alone: the same result for any
/// number of threads.
///
/// The colouring reads a light adjacency (neighbour codes only) built from the table, so the
/// full graph is built once, already renumbered. Identifiability is checked on it; only when
/// the check fails is the graph rebuilt in the original numbering, for the error's details.
fn solve_coloured<E: Link>(t: PairsRef<'_>, opts: &Options, start: Option<&Fit>, with_likelihood: bool) -> Result<Fit> {
    use rayon::prelude::*;
    let classes = colour_classes(t);
    let mut new_of = vec![0u32; t.n];
    let mut bounds = vec![0usize];
    let mut k = 0u32;
    for class in &classes {
        for &i in class {
            new_of[i as usize] = k;
            k += 1;
        }
        bounds.push(k as usize);
    }
    drop(classes);
    let ri: Vec<u32> = t.i.par_iter().map(|&i| new_of[i as usize]).collect();
    let rj: Vec<u32> = t.j.par_iter().map(|&j| new_of[j as usize]).collect();
    let g = Adjacency::<E>::build(PairsRef { i: &ri, j: &rj, ..t }, opts)?;
    drop((ri, rj));
    if !g.has_virtual && g.check_identifiable().is_err() {
        drop(g);
        Adjacency::<E>::build(t, opts)?.check_identifiable()?;
        return Err(Error::InvalidArgument("identifiability depends on the numbering (a bug)".into()));
    }
    let start = start.map(|s| {
        let mut theta = vec![0.0; t.n];
        for (old, &new) in new_of.iter().enumerate() {
            theta[new as usize] = s.theta[old];
        }
        Fit { theta, ..s.clone() }
    });
    let mut fit = solve_plain(&g, opts, start.as_ref(), with_likelihood, Order::Classes(&bounds));
    fit.theta = new_of.iter().map(|&new| fit.theta[new as usize]).collect();
    Ok(fit)
}

/// Items grouped into colour classes: no two items of a class met (pairs with any count), so a
/// class can be updated in parallel and an in-place sweep class by class is a Gauss–Seidel
/// sweep in another order. Greedy colouring in item order (the smallest colour free of the
/// neighbours'): deterministic, O(pairs), on a neighbour-code adjacency built for it.
fn colour_classes(t: PairsRef<'_>) -> Vec<Vec<u32>> {
    let n = t.n;
    let met = |q: usize| t.wins_i[q] > 0.0 || t.wins_j[q] > 0.0 || t.ties[q] > 0.0;
    let mut offsets = vec![0usize; n + 1];
    for q in (0..t.len()).filter(|&q| met(q)) {
        offsets[t.i[q] as usize + 1] += 1;
        offsets[t.j[q] as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut at = offsets.clone();
    let mut nbrs = vec![0u32; offsets[n]];
    for q in (0..t.len()).filter(|&q| met(q)) {
        let (i, j) = (t.i[q] as usize, t.j[q] as usize);
        nbrs[at[i]] = j as u32;
        at[i] += 1;
        nbrs[at[j]] = i as u32;
        at[j] += 1;
    }
    drop(at);
    let mut colour = vec![u32::MAX; n];
    // stamp[c] == i + 1: colour c is taken by a neighbour of item i.
    let mut stamp: Vec<usize> = Vec::new();
    let mut classes: Vec<Vec<u32>> = Vec::new();
    for i in 0..n {
        for &j in &nbrs[offsets[i]..offsets[i + 1]] {
            if colour[j as usize] != u32::MAX {
                stamp[colour[j as usize] as usize] = i + 1;
            }
        }
        let c = stamp.iter().position(|&s| s != i + 1).unwrap_or(stamp.len());
        if c == stamp.len() {
            stamp.push(0);
            classes.push(Vec::new());
        }
        colour[i] = c as u32;
        classes[c].push(i as u32);
    }
    classes
}

/// Bootstrap by count resampling: each round draws `draws` comparisons (the number of rows
/// behind the table) from the (pair, outcome) cells with probabilities proportional to their
/// counts — the distribution of the table when rows are resampled — and refits, starting from
/// `point`. Resamples with no finite estimate are drawn again (counted in `redraws`).
/// Deterministic for a `seed` whatever the thread count.
pub fn bootstrap(t: PairsRef<'_>, opts: &Options, point: &Fit, draws: u64, rounds: std::ops::Range<usize>, seed: u64) -> Result<Replicates> {
    let count = rounds.len();
    let (fits, redraws) = crate::resample::pairs_bootstrap(t, draws, rounds, seed, |r| match fit_inner(r, opts, Some(point), false) {
        Ok(f) => Ok(Some(f)),
        Err(Error::NotIdentifiable { .. }) => Ok(None),
        Err(e) => Err(e),
    })?;
    let mut out = Replicates { theta: crate::memory::try_with_capacity(count * t.n)?, tie_parameter: Vec::new(), redraws, not_converged: 0 };
    for f in fits {
        out.theta.extend_from_slice(&f.theta);
        if let Some(nu) = f.tie_parameter {
            out.tie_parameter.push(nu);
        }
        out.not_converged += !f.converged as usize;
    }
    Ok(out)
}

/// Centred log-strengths, and the virtual item's log-strength on the same scale.
fn finish(pi: &[f64], n_real: usize) -> (Vec<f64>, Option<f64>) {
    let theta: Vec<f64> = pi[..n_real].iter().map(|x| x.ln()).collect();
    let mean = theta.iter().sum::<f64>() / n_real as f64;
    let virt = pi.get(n_real).map(|p| p.ln() - mean);
    (theta.into_iter().map(|x| x - mean).collect(), virt)
}

/// Initial strengths: the smoothed odds of winning, or the warm start's (relative to the
/// virtual item when there is one, which stays at 1).
fn initial(g: &impl Scored, start: Option<&Fit>) -> Vec<f64> {
    let n = g.n_real() + g.has_virtual() as usize;
    let mut pi = vec![1.0f64; n];
    if let Some(s) = start {
        let shift = if g.has_virtual() { s.virtual_theta.unwrap_or(0.0) } else { 0.0 };
        for (p, t) in pi.iter_mut().zip(&s.theta) {
            *p = (t - shift).exp();
        }
    } else {
        // A cold start at each item's odds of winning (smoothed by one win and one loss): about
        // one sweep closer to the MLE than all-equal strengths.
        for ((p, s), c) in pi.iter_mut().zip(g.score()).zip(g.count()) {
            *p = (s + 1.0) / (c - s + 1.0);
        }
    }
    pi
}

fn normalise(pi: &mut [f64], g: &impl Scored) {
    if g.has_virtual() {
        pi[g.n_real()] = 1.0; // the virtual item anchors the scale
        return;
    }
    let gm = (pi.iter().map(|x| x.ln()).sum::<f64>() / g.n_real() as f64).exp();
    pi.iter_mut().for_each(|x| *x /= gm);
}

/// With regularization, multiplies every real item's π by the factor that maximises the
/// likelihood along that one direction: only the virtual comparisons (r wins and r losses of
/// each item against the virtual item, π = 1) depend on it, through
/// Σ_i (1 − cπ_i)/(1 + cπ_i) = 0, solved for u = ln c by safeguarded Newton steps. Without it
/// the sweeps settle this common scale at the rate the virtual comparisons pull on it — about
/// r / (an item's comparisons) per sweep, thousands of sweeps on large data.
fn best_common_scale(pi: &mut [f64]) {
    // f(u) = Σ_i tanh(−(θ_i + u)/2) is decreasing in u; its root is bracketed by the θ range.
    common_scale(pi, |s| {
        let h = (-s / 2.0).tanh();
        (h, -0.5 * (1.0 - h * h))
    });
}

/// [`best_common_scale`] for Davidson's ties: the virtual comparisons' likelihood along the
/// scale is stationary where Σ_i (1 − x_i)/(1 + x_i + ν√x_i) = 0, x_i = cπ_i (with ν = 0, the
/// Bradley–Terry equation). Rao–Kupper's: Σ_i η/(x_i + η) − ηx_i/(1 + ηx_i) = 0. Both terms
/// g are odd in s = ln x (g(1/x) = −g(x)) and decreasing, so they are evaluated at
/// x = e^−|s| ≤ 1 (no overflow) and the sign restored.
fn best_common_scale_ties(pi: &mut [f64], ties: Ties, tie_parameter: f64) {
    let p = tie_parameter;
    common_scale(pi, |s| {
        let x = (-s.abs()).exp();
        let (g, dg) = match ties {
            Ties::RaoKupper => {
                let (a, b) = (x + p, 1.0 + p * x);
                (p / a - p * x / b, -x * (p / (a * a) + p / (b * b)))
            }
            _ => {
                let r = x.sqrt();
                let d = 1.0 + x + p * r;
                ((1.0 - x) / d, x * (-d - (1.0 - x) * (1.0 + 0.5 * p / r)) / (d * d))
            }
        };
        (if s > 0.0 { -g } else { g }, dg)
    });
}

/// Scales `pi` by e^u, u the root of Σ_i term(θ_i + u).0 = 0 (θ = ln π), `term` decreasing with
/// derivative `.1` and zero at 0, so the root lies in [−max θ, −min θ]: safeguarded Newton.
fn common_scale(pi: &mut [f64], term: impl Fn(f64) -> (f64, f64)) {
    let theta: Vec<f64> = pi.iter().map(|p| p.ln()).collect();
    let f = |u: f64| -> (f64, f64) {
        theta.iter().fold((0.0, 0.0), |(v, d), &t| {
            let (h, dh) = term(t + u);
            (v + h, d + dh)
        })
    };
    let (lo0, hi0) = theta.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| (a.min(t), b.max(t)));
    if !(lo0.is_finite() && hi0.is_finite()) {
        return;
    }
    let (mut lo, mut hi) = (-hi0, -lo0); // f(lo) ≥ 0 ≥ f(hi)
    let mut u = 0.0f64.clamp(lo, hi);
    for _ in 0..60 {
        let (v, d) = f(u);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            lo = u;
        } else {
            hi = u;
        }
        let newton = if d < 0.0 { u - v / d } else { f64::NAN };
        let next = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - u).abs() <= 1e-15 * (1.0 + u.abs()) {
            u = next;
            break;
        }
        u = next;
    }
    if u != 0.0 && u.is_finite() {
        let c = u.exp();
        pi.iter_mut().for_each(|p| *p *= c);
    }
}

#[inline]
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

/// Σ over real pairs (each once) of `term(i, edge, ties of the pair)`, summed per item in a
/// fixed order (deterministic for any thread count).
fn sum_pairs<E: Link>(g: &Adjacency<E>, term: impl Fn(usize, &E, f64) -> f64 + Sync) -> f64 {
    use rayon::prelude::*;
    let per_item: Vec<f64> = (0..g.n_real)
        .into_par_iter()
        .map(|i| {
            g.neighbours(i)
                .iter()
                .enumerate()
                .filter(|(_, e)| e.j() > i && e.j() < g.n_real)
                .map(|(k, e)| term(i, e, if g.ties.is_empty() { 0.0 } else { g.neighbour_ties(i)[k] }))
                .sum::<f64>()
        })
        .collect();
    per_item.iter().sum()
}

/// Newman's sums for item i: (Σ_j w_ij π_j/(π_i+π_j), Σ_j w_ji/(π_i+π_j)), `pi_of(j)` = π_j.
/// Four partial sums, edge k in sum k mod 4, added in a fixed order (deterministic, and the
/// additions no longer wait on each other's latency), with the divisions two at a time on
/// x86-64: ~20 % faster per sweep on 1,000 neighbours.
#[inline]
fn newman_sums<E: Link>(edges: &[E], pi_i: f64, pi_of: impl Fn(usize) -> f64) -> (f64, f64) {
    let whole = edges.len() / 4 * 4;
    #[cfg(target_arch = "x86_64")]
    let (mut a, mut b) = quad_sums_sse2(&edges[..whole], pi_i, &pi_of);
    #[cfg(not(target_arch = "x86_64"))]
    let (mut a, mut b) = quad_sums(&edges[..whole], pi_i, &pi_of);
    for (l, e) in edges[whole..].iter().enumerate() {
        let pj = pi_of(e.j());
        let inv = 1.0 / (pi_i + pj);
        a[l] += e.won() * pj * inv;
        b[l] += e.lost() * inv;
    }
    ((a[0] + a[1]) + (a[2] + a[3]), (b[0] + b[1]) + (b[2] + b[3]))
}

/// The four partial sums of [`newman_sums`] over whole groups of four edges.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn quad_sums<E: Link>(edges: &[E], pi_i: f64, pi_of: &impl Fn(usize) -> f64) -> ([f64; 4], [f64; 4]) {
    let (mut a, mut b) = ([0.0f64; 4], [0.0f64; 4]);
    for q in edges.chunks_exact(4) {
        for l in 0..4 {
            let pj = pi_of(q[l].j());
            let inv = 1.0 / (pi_i + pj);
            a[l] += q[l].won() * pj * inv;
            b[l] += q[l].lost() * inv;
        }
    }
    (a, b)
}

/// [`quad_sums`] with SSE2 (part of every x86-64): two divisions per instruction, the same
/// IEEE operations in the same order (no fused multiply-add), so the same bits.
#[cfg(target_arch = "x86_64")]
#[inline]
fn quad_sums_sse2<E: Link>(edges: &[E], pi_i: f64, pi_of: &impl Fn(usize) -> f64) -> ([f64; 4], [f64; 4]) {
    use std::arch::x86_64::*;
    let (mut a, mut b) = ([0.0f64; 4], [0.0f64; 4]);
    // SAFETY: SSE2 is in the x86-64 baseline; the stores write the four-element arrays above.
    unsafe {
        let (one, pi2) = (_mm_set1_pd(1.0), _mm_set1_pd(pi_i));
        let (mut a01, mut a23, mut b01, mut b23) = (_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd());
        for q in edges.chunks_exact(4) {
            let p01 = _mm_set_pd(pi_of(q[1].j()), pi_of(q[0].j()));
            let p23 = _mm_set_pd(pi_of(q[3].j()), pi_of(q[2].j()));
            let i01 = _mm_div_pd(one, _mm_add_pd(pi2, p01));
            let i23 = _mm_div_pd(one, _mm_add_pd(pi2, p23));
            a01 = _mm_add_pd(a01, _mm_mul_pd(_mm_mul_pd(_mm_set_pd(q[1].won(), q[0].won()), p01), i01));
            a23 = _mm_add_pd(a23, _mm_mul_pd(_mm_mul_pd(_mm_set_pd(q[3].won(), q[2].won()), p23), i23));
            b01 = _mm_add_pd(b01, _mm_mul_pd(_mm_set_pd(q[1].lost(), q[0].lost()), i01));
            b23 = _mm_add_pd(b23, _mm_mul_pd(_mm_set_pd(q[3].lost(), q[2].lost()), i23));
        }
        _mm_storeu_pd(a.as_mut_ptr(), a01);
        _mm_storeu_pd(a.as_mut_ptr().add(2), a23);
        _mm_storeu_pd(b.as_mut_ptr(), b01);
        _mm_storeu_pd(b.as_mut_ptr().add(2), b23);
    }
    (a, b)
}

/// From this many edges on (below [`COLOUR_MIN_ITEMS`] items), Newman's sweep runs in blocks
/// of items at once (see [`Order::Blocks`]): a sweep then streams ~0.8 MB of edges or more.
const BLOCK_MIN_EDGES: usize = 1 << 16;

/// Item bounds of a blocked sweep's blocks: contiguous ranges of about equal edge counts, one
/// per 4M edges, 2 to 8 of them — chosen by size, never by the thread count, so the iterates
/// are the same for any number of threads. Empty when the graph is too small for it to pay.
fn sweep_blocks<E: Link>(g: &Adjacency<E>) -> Vec<usize> {
    blocks_of(&g.offsets[..=g.n_real]).unwrap_or_default()
}

/// [`sweep_blocks`] of a graph whose real items' CSR offsets are `offsets`.
fn blocks_of(offsets: &[usize]) -> Option<Vec<usize>> {
    let (n, total) = (offsets.len() - 1, offsets[offsets.len() - 1] - offsets[0]);
    let k = (total >> 22).clamp(2, 8);
    (total >= BLOCK_MIN_EDGES && n >= 2 * k).then(|| block_bounds(offsets, k))
}

/// `k` contiguous ranges of items with about equal edge counts (by the CSR offsets), as bounds.
fn block_bounds(offsets: &[usize], k: usize) -> Vec<usize> {
    let (n, total) = (offsets.len() - 1, offsets[offsets.len() - 1]);
    let mut bounds: Vec<usize> = (0..k).map(|b| offsets[..n].partition_point(|&o| o < b * total / k)).collect();
    bounds.push(n);
    bounds.dedup();
    bounds
}

/// One Gauss–Seidel sweep of Newman's fixed point over `items`, in place in item order:
/// (largest relative change of π, largest relative gradient at the point each item was seen).
fn newman_sweep<E: Link>(g: &Adjacency<E>, pi: &mut [f64], items: std::ops::Range<usize>) -> (f64, f64) {
    let (mut step, mut grad): (f64, f64) = (0.0, 0.0);
    for i in items {
        if let Some(new) = newman_item(g, i, pi[i], |j| pi[j], &mut step, &mut grad) {
            pi[i] = new;
        }
    }
    (step, grad)
}

/// Newman's update of item `i` (strength `pi_i`, its neighbours' read by `pi`): the new
/// strength, if any, with the largest relative step and relative gradient so far raised by it.
/// The one body of the serial, blocked and coloured sweeps on the full graph.
#[inline(always)]
fn newman_item<E: Link>(g: &Adjacency<E>, i: usize, pi_i: f64, pi: impl Fn(usize) -> f64, step: &mut f64, grad: &mut f64) -> Option<f64> {
    let (a, b) = newman_sums(g.neighbours(i), pi_i, pi);
    newman_update(a, b, pi_i, g.count[i], step, grad)
}

/// Newman's update of an item from its two sums `a`, `b` (strength `pi_i`, `count`
/// comparisons): the new strength a / b, if any, with the largest relative step and relative
/// gradient so far raised by it (every sweep's, on the full graph and the upper half).
#[inline(always)]
fn newman_update(a: f64, b: f64, pi_i: f64, count: f64, step: &mut f64, grad: &mut f64) -> Option<f64> {
    *grad = grad.max((a - pi_i * b).abs() / count.max(f64::MIN_POSITIVE));
    if a > 0.0 && b > 0.0 {
        let new = a / b;
        *step = step.max((new / pi_i - 1.0).abs());
        Some(new)
    } else {
        None
    }
}

/// The order of Newman's sweep (the MM solver updates every item at once whatever it is).
#[derive(Clone, Copy)]
enum Order<'a> {
    /// Gauss–Seidel in item order, on one thread.
    Items,
    /// Items in blocks `b[k]..b[k + 1]` swept at once, each in item order on its own copy of
    /// π, while every such sweep at least halves the proxy gradient; then in item order.
    Blocks(&'a [usize]),
    /// Colour classes `c[k]..c[k + 1]` of items no two of which are neighbours (see
    /// [`solve_coloured`]), one at a time, the items of a class in parallel.
    Classes(&'a [usize]),
}

fn solve_plain<E: Link>(g: &Adjacency<E>, opts: &Options, start: Option<&Fit>, with_likelihood: bool, order: Order<'_>) -> Fit {
    let n_real = g.n_real;
    let mut pi = initial(g, start);
    let mut iterations = 0;
    // Expected wins of item i at π.
    let expected = |pi: &[f64], i: usize| -> f64 { g.neighbours(i).iter().map(|e| (e.won() + e.lost()) * pi[i] / (pi[i] + pi[e.j()])).sum::<f64>() };
    // A warm start may already be optimal; a cold start is tested after its first iteration.
    let mut max_rel = if start.is_some() || opts.max_iter == 0 { g.max_relative_gradient(|i| expected(&pi, i)) } else { f64::INFINITY };
    let blocks = if let Order::Blocks(b) = order { b.len().saturating_sub(1) } else { 0 };
    let mut locals: Vec<Vec<f64>> = vec![pi.clone(); blocks];
    let (mut blocked, mut last_proxy) = (blocks > 1, f64::INFINITY);
    while max_rel > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        // Largest relative change of π in this iteration: the exact optimality test (one more
        // pass over the data) is only worth running once the iterates have settled.
        let mut change = f64::INFINITY;
        // Newman's sweeps also give, for free, each item's relative gradient at the point the
        // sweep saw it (a − π_i·b = observed − expected score): a cheap proxy that decides when
        // the exact test is worth a pass over the data. Only the exact test stops the loop.
        let mut proxy = f64::INFINITY;
        match opts.solver {
            // Hunter's MM: π_i ← W_i / Σ_j n_ij / (π_i + π_j), all items at once.
            Solver::MM => {
                use rayon::prelude::*;
                let next: Vec<f64> = (0..n_real)
                    .into_par_iter()
                    .map(|i| {
                        let d: f64 = g.neighbours(i).iter().map(|e| (e.won() + e.lost()) / (pi[i] + pi[e.j()])).sum();
                        if d > 0.0 {
                            g.score[i] / d
                        } else {
                            pi[i]
                        }
                    })
                    .collect();
                pi[..n_real].copy_from_slice(&next);
            }
            // Newman's fixed point π_i ← Σ_j w_ij π_j/(π_i+π_j) / Σ_j w_ji/(π_i+π_j), updated in
            // place in item order (a simultaneous update oscillates on bipartite graphs).
            Solver::Newman => match order {
                Order::Classes(classes) => {
                    use rayon::prelude::*;
                    let (mut step, mut grad): (f64, f64) = (0.0, 0.0);
                    for class in classes.windows(2) {
                        let ptr = SendPtr(pi.as_mut_ptr());
                        let ptr = &ptr;
                        let (s, r) = (class[0]..class[1])
                            .into_par_iter()
                            .with_min_len(COLOUR_CHUNK)
                            .fold_chunks(
                                COLOUR_CHUNK,
                                || (0.0f64, 0.0f64),
                                |(mut step, mut grad), i| {
                                    // SAFETY: items of one class are not neighbours: this task is the
                                    // only one writing π_i, and no task writes a π_j read here.
                                    let pi_i = unsafe { *ptr.0.add(i) };
                                    if let Some(new) = newman_item(g, i, pi_i, |j| unsafe { *ptr.0.add(j) }, &mut step, &mut grad) {
                                        unsafe { *ptr.0.add(i) = new };
                                    }
                                    (step, grad)
                                },
                            )
                            .reduce(|| (0.0, 0.0), |x, y| (x.0.max(y.0), x.1.max(y.1)));
                        step = step.max(s);
                        grad = grad.max(r);
                    }
                    change = step;
                    proxy = grad;
                }
                // Blocks of items on their own threads, each sweeping its items in place in order
                // on its own copy of π (so the other blocks' items keep the last sweep's values),
                // while every blocked sweep at least halves the proxy (else Jacobi-like coupling may
                // oscillate: serial sweeps from then on).
                Order::Blocks(bounds) if blocked => {
                    use rayon::prelude::*;
                    let sums: Vec<(f64, f64)> = locals
                        .par_iter_mut()
                        .enumerate()
                        .map(|(b, local)| {
                            local.copy_from_slice(&pi);
                            newman_sweep(g, local, bounds[b]..bounds[b + 1])
                        })
                        .collect();
                    for (b, local) in locals.iter().enumerate() {
                        pi[bounds[b]..bounds[b + 1]].copy_from_slice(&local[bounds[b]..bounds[b + 1]]);
                    }
                    (change, proxy) = sums.iter().fold((0.0f64, 0.0f64), |x, y| (x.0.max(y.0), x.1.max(y.1)));
                    blocked = proxy <= 0.5 * last_proxy;
                    last_proxy = proxy;
                }
                _ => (change, proxy) = newman_sweep(g, &mut pi, 0..n_real),
            },
        }
        normalise(&mut pi, g);
        if g.has_virtual {
            best_common_scale(&mut pi[..n_real]);
        }
        if (change > 1e3 * opts.tol || proxy > opts.tol) && iterations < opts.max_iter {
            continue;
        }
        max_rel = g.max_relative_gradient(|i| expected(&pi, i));
    }
    let ll = if with_likelihood { plain_log_likelihood(g, &pi) } else { f64::NAN };
    let (theta, virtual_theta) = finish(&pi, n_real);
    Fit { theta, tie_parameter: None, iterations, converged: max_rel <= opts.tol, log_likelihood: ll, max_relative_gradient: max_rel, virtual_theta }
}

/// The plain model's log-likelihood at π (virtual comparisons excluded):
/// Σ_i ln π_i · (wins of i) − Σ_pairs n_ij ln(π_i + π_j). The second sum takes a logarithm per
/// pair in the textbook form; here, per item, the factors (π_i + π_j)^n_ij of pairs met a whole
/// number n_ij ≤ 8 of times are multiplied up as mantissas in [1, 2) and exponents apart (one
/// logarithm per item, the mantissa product renormalised every 32 factors), and the others
/// (fractional counts, subnormal sums) take their own logarithm. Items in parallel, their sums
/// added in order: deterministic for any thread count.
///
/// Without a virtual item an item's wins are its observed score (summed along the same edges
/// in the same order by the build: the same bits), so only its upper neighbours (j > i) are
/// read past a comparison; and a count is tested for a whole number by a round trip through an
/// integer rather than `fract` (a call to `trunc` on baseline x86-64; decision 42).
fn plain_log_likelihood<E: Link>(g: &Adjacency<E>, pi: &[f64]) -> f64 {
    use rayon::prelude::*;
    let n = g.n_real;
    let score_is_wins = !g.has_virtual && g.ties.is_empty();
    let per_item: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let won = if score_is_wins { g.score[i] } else { g.neighbours(i).iter().filter(|e| e.j() < n).map(|e| e.won()).sum() };
            won * pi[i].ln() - pair_logs(g.neighbours(i), i, n, pi)
        })
        .collect();
    per_item.iter().sum()
}

/// Σ n_ij ln(π_i + π_j) over the edges of item `i` to real items `j > i`, by mantissa products
/// ([`plain_log_likelihood`]).
#[inline]
fn pair_logs<E: Link>(edges: &[E], i: usize, n: usize, pi: &[f64]) -> f64 {
    const MANTISSA: u64 = (1 << 52) - 1;
    // x = m · 2^e with m in [1, 2), for a normal x.
    let split = |x: f64| -> (f64, i64) {
        let bits = x.to_bits();
        (f64::from_bits((bits & MANTISSA) | (1023 << 52)), ((bits >> 52) & 0x7ff) as i64 - 1023)
    };
    let (mut logs, mut product, mut exponent, mut factors) = (0.0f64, 1.0f64, 0i64, 0u32);
    for e in edges {
        let j = e.j();
        if j < i || j >= n {
            continue;
        }
        let (x, c) = (pi[i] + pi[j], e.won() + e.lost());
        // A whole count in 1..=8 (NaN and counts past u32 fail the round trip).
        let whole = c as u32;
        if f64::from(whole) == c && (1..=8).contains(&whole) && x.is_normal() {
            let (m, ex) = split(x);
            for _ in 0..whole {
                product *= m;
            }
            exponent += ex * i64::from(whole);
            factors += whole;
            if factors >= 32 {
                let (m, ex) = split(product);
                (product, exponent, factors) = (m, exponent + ex, 0);
            }
        } else {
            logs += c * x.ln();
        }
    }
    logs + product.ln() + exponent as f64 * std::f64::consts::LN_2
}

/// Davidson's tie model by a fixed-point iteration on (π, ν), stopped on the same optimality
/// test as the other solvers (for ν: its gradient relative to the number of ties).
fn solve_davidson(g: &Graph, opts: &Options, start: Option<&Fit>, with_likelihood: bool) -> Fit {
    let n_real = g.n_real;
    let total_ties: f64 = sum_pairs(g, |_, _, t| t);
    let total: f64 = sum_pairs(g, |_, e, t| e.won + e.lost + t);
    let mut pi = initial(g, start);
    let mut nu = match start.and_then(|s| s.tie_parameter) {
        Some(nu) if total_ties > 0.0 => nu,
        _ if total_ties > 0.0 => 2.0 * total_ties / (total - total_ties).max(1e-300),
        _ => 0.0,
    };
    let mut iterations = 0;
    // For item i: (Σ_j n_ij (1 + ν/2 √(π_j/π_i)) / D_ij) — the MM denominator; π_i times it is
    // the expected score.
    let denominator = |pi: &[f64], nu: f64, i: usize| -> f64 {
        g.neighbours(i)
            .iter()
            .zip(g.neighbour_ties(i))
            .map(|(e, t)| {
                let pj = pi[e.j as usize];
                let s = (pi[i] * pj).sqrt();
                (e.won + e.lost + t) * (1.0 + 0.5 * nu * s / pi[i]) / (pi[i] + pj + nu * s)
            })
            .sum()
    };
    // Σ over pairs of n_ij √(π_i π_j) / D_ij: ν times it is the expected number of ties.
    let nu_sum = |pi: &[f64], nu: f64| -> f64 {
        sum_pairs(g, |i, e, t| {
            let pj = pi[e.j as usize];
            let s = (pi[i] * pj).sqrt();
            (e.won + e.lost + t) * s / (pi[i] + pj + nu * s)
        })
    };
    let gradient = |pi: &[f64], nu: f64| -> f64 {
        let mut m = g.max_relative_gradient(|i| pi[i] * denominator(pi, nu, i));
        if total_ties > 0.0 {
            m = m.max((total_ties - nu * nu_sum(pi, nu)).abs() / total_ties);
        }
        m
    };
    let mut max_rel = gradient(&pi, nu);
    while max_rel > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        use rayon::prelude::*;
        let next: Vec<f64> = (0..n_real)
            .into_par_iter()
            .map(|i| {
                let d = denominator(&pi, nu, i);
                if d > 0.0 {
                    g.score[i] / d
                } else {
                    pi[i]
                }
            })
            .collect();
        let s = nu_sum(&pi, nu);
        pi[..n_real].copy_from_slice(&next);
        normalise(&mut pi, g);
        if g.has_virtual {
            best_common_scale_ties(&mut pi[..n_real], Ties::Davidson, nu);
        }
        nu = if s > 0.0 { total_ties / s } else { 0.0 };
        max_rel = gradient(&pi, nu);
    }
    let ll = if with_likelihood {
        sum_pairs(g, |i, e, t| {
            let pj = pi[e.j as usize];
            let s = (pi[i] * pj).sqrt();
            let d = pi[i] + pj + nu * s;
            xlogy(e.won, pi[i] / d) + xlogy(e.lost, pj / d) + xlogy(t, nu * s / d)
        })
    } else {
        f64::NAN
    };
    let (theta, virtual_theta) = finish(&pi, n_real);
    Fit { theta, tie_parameter: Some(nu), iterations, converged: max_rel <= opts.tol, log_likelihood: ll, max_relative_gradient: max_rel, virtual_theta }
}

/// Rao & Kupper's (1967) tie model by Hunter's (2004) MM updates: for each item
/// π_i ← (wins + ties of i) / Σ_j [(w_ij + t_ij)/(π_i + η π_j) + η (w_ji + t_ij)/(π_j + η π_i)],
/// and η ← 1/(2C) + √(1 + 1/(4C²)) with C = S / (2T), T the ties and
/// S = Σ_pairs [(w_ij + t_ij) π_j/(π_i + η π_j) + (w_ji + t_ij) π_i/(π_j + η π_i)].
/// Stopped on the same scaled-gradient test (for η: relative to the number of ties).
fn solve_rao_kupper(g: &Graph, opts: &Options, start: Option<&Fit>, with_likelihood: bool) -> Fit {
    use rayon::prelude::*;
    let n_real = g.n_real;
    let total_ties: f64 = sum_pairs(g, |_, _, t| t);
    let mut pi = initial(g, start);
    let mut eta = match start.and_then(|s| s.tie_parameter) {
        Some(e) if total_ties > 0.0 && e > 1.0 => e,
        _ if total_ties > 0.0 => 1.5,
        _ => 1.0,
    };
    // Wins plus ties of each item: the MM numerator.
    let numerator: Vec<f64> = (0..n_real).map(|i| g.neighbours(i).iter().zip(g.neighbour_ties(i)).map(|(e, t)| e.won + t).sum()).collect();
    let denominator = |pi: &[f64], eta: f64, i: usize| -> f64 {
        g.neighbours(i)
            .iter()
            .zip(g.neighbour_ties(i))
            .map(|(e, t)| {
                let pj = pi[e.j as usize];
                (e.won + t) / (pi[i] + eta * pj) + eta * (e.lost + t) / (pj + eta * pi[i])
            })
            .sum()
    };
    let s_sum = |pi: &[f64], eta: f64| -> f64 {
        sum_pairs(g, |i, e, t| {
            let pj = pi[e.j as usize];
            (e.won + t) * pj / (pi[i] + eta * pj) + (e.lost + t) * pi[i] / (pj + eta * pi[i])
        })
    };
    let gradient = |pi: &[f64], eta: f64| -> f64 {
        let mut m = (0..n_real)
            .into_par_iter()
            .map(|i| (numerator[i] - pi[i] * denominator(pi, eta, i)).abs() / g.count[i].max(f64::MIN_POSITIVE))
            .reduce(|| 0.0, f64::max);
        if total_ties > 0.0 {
            m = m.max((total_ties - s_sum(pi, eta) * (eta * eta - 1.0) / (2.0 * eta)).abs() / total_ties);
        }
        m
    };
    let mut iterations = 0;
    let mut max_rel = gradient(&pi, eta);
    while max_rel > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        let next: Vec<f64> = (0..n_real)
            .into_par_iter()
            .map(|i| {
                let d = denominator(&pi, eta, i);
                if d > 0.0 {
                    numerator[i] / d
                } else {
                    pi[i]
                }
            })
            .collect();
        pi[..n_real].copy_from_slice(&next);
        normalise(&mut pi, g);
        if g.has_virtual {
            best_common_scale_ties(&mut pi[..n_real], Ties::RaoKupper, eta);
        }
        if total_ties > 0.0 {
            let c = s_sum(&pi, eta) / (2.0 * total_ties);
            eta = 1.0 / (2.0 * c) + (1.0 + 1.0 / (4.0 * c * c)).sqrt();
        }
        max_rel = gradient(&pi, eta);
    }
    let ll = if with_likelihood {
        sum_pairs(g, |i, e, t| {
            let pj = pi[e.j as usize];
            let (di, dj) = (pi[i] + eta * pj, pj + eta * pi[i]);
            xlogy(e.won, pi[i] / di) + xlogy(e.lost, pj / dj) + xlogy(t, (eta * eta - 1.0) * pi[i] * pj / (di * dj))
        })
    } else {
        f64::NAN
    };
    let (theta, virtual_theta) = finish(&pi, n_real);
    Fit { theta, tie_parameter: Some(eta), iterations, converged: max_rel <= opts.tol, log_likelihood: ll, max_relative_gradient: max_rel, virtual_theta }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::{reduce, Outcomes, PairTable};

    /// Single-precision edges (decision 40) give the fit of full-precision ones bit for bit when
    /// the counts are exact in `f32`: both tie treatments, both solvers, with and without
    /// regularization, in item order and coloured; and counts that are not exact (a weight of
    /// 0.1) keep the full-precision edges.
    #[test]
    fn compact_edges_fit_the_same_bits() {
        let n = 60;
        let (a, b, o) = crate::pairs::random_rows(n, 3000, 9);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let same = |x: &Fit, y: &Fit| {
            x.theta.iter().map(|v| v.to_bits()).eq(y.theta.iter().map(|v| v.to_bits()))
                && x.iterations == y.iterations
                && x.log_likelihood.to_bits() == y.log_likelihood.to_bits()
                && x.max_relative_gradient.to_bits() == y.max_relative_gradient.to_bits()
        };
        for ties in [Ties::Half, Ties::Drop] {
            for solver in [Solver::Newman, Solver::MM] {
                for regularization in [0.0, 0.5] {
                    let opts = Options { ties, solver, regularization, ..Default::default() };
                    let first = Degrees::count(t.as_ref(), &opts, Extras { check: true, totals: false }).unwrap();
                    assert!(counts_fit_f32(t.as_ref(), &opts) && first.fits_f32 && first.fits_u16);
                    let full = solve_plain(&Adjacency::<Edge>::build(t.as_ref(), &opts).unwrap(), &opts, None, true, Order::Items);
                    let compact = solve_plain(&Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap(), &opts, None, true, Order::Items);
                    assert!(same(&full, &compact), "{ties:?} {solver:?} r {regularization}");
                    let halves = solve_plain(&Adjacency::<Edge16>::build(t.as_ref(), &opts).unwrap(), &opts, None, true, Order::Items);
                    assert!(same(&full, &halves), "u16 {ties:?} {solver:?} r {regularization}");
                    if matches!(solver, Solver::Newman) {
                        // The upper half's sweeps (decision 47): the same bits on every edge
                        // type, and `fit`'s; the full graph's optimum.
                        let upper = upper_fit::<Edge>(t.as_ref(), &opts);
                        assert!(same(&upper, &upper_fit::<Edge32>(t.as_ref(), &opts)), "upper f32 {ties:?} r {regularization}");
                        assert!(same(&upper, &upper_fit::<Edge16>(t.as_ref(), &opts)), "upper u16 {ties:?} r {regularization}");
                        assert!(same(&fit(t.as_ref(), &opts).unwrap(), &upper));
                        assert!(worst(&upper, &full) < 1e-6 && (upper.log_likelihood - full.log_likelihood).abs() <= 1e-9 * full.log_likelihood.abs());
                    } else {
                        assert!(same(&fit(t.as_ref(), &opts).unwrap(), &full));
                    }
                    if matches!(solver, Solver::Newman) {
                        let c_full = solve_coloured::<Edge>(t.as_ref(), &opts, None, true).unwrap();
                        let c_compact = solve_coloured::<Edge32>(t.as_ref(), &opts, None, true).unwrap();
                        assert!(same(&c_full, &c_compact), "coloured {ties:?} r {regularization}");
                    }
                }
            }
        }
        let w: Vec<f64> = (0..a.len()).map(|r| if r % 2 == 0 { 0.1 } else { 1.0 }).collect();
        let weighted = reduce(n, &a, &b, Outcomes::Values(&o), Some(&w)).unwrap();
        assert!(!counts_fit_f32(weighted.as_ref(), &Options::default()));
        // The graph's first pass finds the same (half a tie of 0.1 included); the
        // regularization is tested apart.
        for ties in [Ties::Half, Ties::Drop] {
            let opts = Options { ties, ..Default::default() };
            let first = Degrees::count(weighted.as_ref(), &opts, Extras { check: false, totals: false }).unwrap();
            assert!(!first.fits_f32 && !first.fits_u16);
            assert!(same(&fit(weighted.as_ref(), &opts).unwrap(), &upper_fit::<Edge>(weighted.as_ref(), &opts)));
        }
        assert!(!counts_fit_f32(t.as_ref(), &Options { regularization: 0.1, ..Default::default() }));
        // Halves: whole numbers of halves below 32,768 only (exact in f32 is not enough).
        assert!([0.0, 0.5, 1.0, 3.5, 32767.5].iter().all(|&v| halves_u16(v)));
        assert!([0.25, 32768.0, -0.5, f64::NAN, f64::INFINITY, 1e-300].iter().all(|&v| !halves_u16(v)));
        let quarters: Vec<f64> = (0..a.len()).map(|r| if r % 2 == 0 { 0.25 } else { 1.0 }).collect();
        let quartered = reduce(n, &a, &b, Outcomes::Values(&o), Some(&quarters)).unwrap();
        let first = Degrees::count(quartered.as_ref(), &Options::default(), Extras { check: true, totals: false }).unwrap();
        assert!(first.fits_f32 && !first.fits_u16);
    }

    /// The largest |θ − θ'| between two fits.
    /// `fit` of a sorted table on the upper half's sweeps with edges of type `E`.
    fn upper_fit<E: Link>(t: PairsRef<'_>, opts: &Options) -> Fit {
        let mut degrees = Degrees::count(t, opts, Extras { check: true, totals: true }).unwrap();
        assert!(degrees.sorted);
        let totals = degrees.totals.take().unwrap();
        fit_upper::<E>(t, opts, &degrees, &totals, None, None, true).unwrap()
    }

    /// Items 0..h meeting items h..2h only, three pairs each, every item winning and losing.
    pub(super) fn bipartite(h: u32) -> PairTable {
        let mut rows = Vec::new();
        for x in 0..h {
            for d in [0, 1, 5] {
                let y = h + (x + d) % h;
                rows.extend([(x, y, 1.0), (y, x, 1.0), (x, y, if (x + d) % 3 == 0 { 1.0 } else { 0.0 })]);
            }
        }
        table(&rows, 2 * h as usize)
    }

    pub(super) fn worst(x: &Fit, y: &Fit) -> f64 {
        x.theta.iter().zip(&y.theta).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
    }

    /// Blocked sweeps (decision 42) reach the serial sweep's optimum on random sparse tables,
    /// for any number of blocks, both tie treatments, with and without regularization, from a
    /// cold and a warm start; on a bipartite graph whose sides are the blocks (a Jacobi update
    /// between them, which oscillates) the guard hands over to serial sweeps and the optimum is
    /// the same too.
    #[test]
    fn blocked_sweeps_reach_the_serial_optimum() {
        for (n, m, seed) in [(40, 400, 1), (300, 3000, 2), (120, 20_000, 3)] {
            let (a, b, o) = crate::pairs::random_rows(n, m, seed);
            let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
            for ties in [Ties::Half, Ties::Drop] {
                for regularization in [0.0, 0.5] {
                    let opts = Options { ties, regularization, ..Default::default() };
                    let g = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
                    if !g.has_virtual && g.check_identifiable().is_err() {
                        continue;
                    }
                    let serial = solve_plain(&g, &opts, None, true, Order::Items);
                    assert!(serial.converged, "n {n} {ties:?} r {regularization}: {} it, {:e}", serial.iterations, serial.max_relative_gradient);
                    for k in [2, 3, 7] {
                        let bounds = block_bounds(&g.offsets, k);
                        assert_eq!((bounds[0], bounds[bounds.len() - 1]), (0, n));
                        let blocked = solve_plain(&g, &opts, None, true, Order::Blocks(&bounds));
                        assert!(blocked.converged && blocked.max_relative_gradient <= opts.tol, "n {n} {ties:?} r {regularization} k {k}");
                        assert!(worst(&blocked, &serial) < 1e-6, "n {n} {ties:?} r {regularization} k {k}: {}", worst(&blocked, &serial));
                        assert!((blocked.log_likelihood - serial.log_likelihood).abs() <= 1e-9 * serial.log_likelihood.abs());
                        let warm = solve_plain(&g, &opts, Some(&serial), true, Order::Blocks(&bounds));
                        assert!(warm.converged && warm.iterations <= 1 && worst(&warm, &serial) < 1e-7);
                    }
                }
            }
        }
        let h = 30u32;
        let t = bipartite(h);
        let opts = Options { ..Default::default() };
        let g = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
        g.check_identifiable().unwrap();
        let serial = solve_plain(&g, &opts, None, true, Order::Items);
        let blocked = solve_plain(&g, &opts, None, true, Order::Blocks(&[0, h as usize, 2 * h as usize]));
        assert!(serial.converged && blocked.converged);
        assert!(worst(&blocked, &serial) < 1e-6, "{}", worst(&blocked, &serial));
        // Two items, one per block: the pure Jacobi update flips their odds every sweep.
        let t = table(&[(0, 1, 1.0), (0, 1, 1.0), (0, 1, 0.0)], 2);
        let g = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
        let blocked = solve_plain(&g, &opts, None, true, Order::Blocks(&[0, 1, 2]));
        assert!(blocked.converged && (blocked.theta[0] - blocked.theta[1] - 2f64.ln()).abs() < 1e-7);
    }

    /// A table big enough for blocked sweeps: `fit` gives the same bits at 1, 2 and 3 threads,
    /// agrees with the serial sweep, and a renaming of the items (which moves them between
    /// blocks) gives the same strengths to tolerance. Two disconnected halves are not
    /// identifiable without regularization, and fit with it.
    #[test]
    fn blocked_fit_is_thread_count_and_relabelling_invariant() {
        let n = 400;
        let (a, b, o) = crate::pairs::random_rows(n, 100_000, 5);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = Options::default();
        let g = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
        assert!(sweep_blocks(&g).len() == 3, "the table should take blocked sweeps: {} edges", g.edges.len());
        let run = |threads, t: PairsRef<'_>| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| fit(t, &opts).unwrap())
        };
        let one = run(1, t.as_ref());
        assert!(one.converged);
        for threads in [2, 3] {
            let other = run(threads, t.as_ref());
            assert!(one.theta.iter().map(|x| x.to_bits()).eq(other.theta.iter().map(|x| x.to_bits())));
            assert_eq!((one.iterations, one.log_likelihood.to_bits()), (other.iterations, other.log_likelihood.to_bits()));
        }
        let serial = solve_plain(&g, &opts, None, true, Order::Items);
        assert!(worst(&one, &serial) < 1e-6);
        let new_code: Vec<u32> = (0..n as u32).map(|i| (i * 211 + 17) % n as u32).collect();
        let renamed = run(2, t.relabel(&new_code).unwrap().as_ref());
        let moved = (0..n).map(|i| (one.theta[i] - renamed.theta[new_code[i] as usize]).abs()).fold(0.0, f64::max);
        assert!(moved < 1e-6, "{moved}");
        // Two halves that never meet.
        let (a, b, o) = crate::pairs::random_rows(n / 2, 60_000, 6);
        let (a2, b2): (Vec<u32>, Vec<u32>) = (a.iter().map(|x| x + n as u32 / 2).collect(), b.iter().map(|x| x + n as u32 / 2).collect());
        let t = reduce(n, &[a, a2].concat(), &[b, b2].concat(), Outcomes::Values(&[o.clone(), o].concat()), None).unwrap();
        assert!(matches!(fit(t.as_ref(), &opts), Err(Error::NotIdentifiable { .. })));
        let reg = Options { regularization: 0.5, ..opts };
        let g = Adjacency::<Edge32>::build(t.as_ref(), &reg).unwrap();
        assert!(sweep_blocks(&g).len() == 3);
        let (blocked, serial) = (fit(t.as_ref(), &reg).unwrap(), solve_plain(&g, &reg, None, true, Order::Items));
        assert!(blocked.converged && worst(&blocked, &serial) < 1e-6, "{}", worst(&blocked, &serial));
    }

    /// The log-likelihood by mantissa products is the textbook sum of a logarithm per pair, to
    /// rounding: whole counts up to 8 and beyond, fractional ones (weights), a virtual item,
    /// strengths far apart.
    #[test]
    fn log_likelihood_by_products_is_the_sum_of_logarithms() {
        let n = 200;
        let (a, b, o) = crate::pairs::random_rows(n, 60_000, 11);
        let w: Vec<f64> = (0..a.len()).map(|r| if r % 7 == 0 { 0.3 } else { 1.0 }).collect();
        for weights in [None, Some(&w[..])] {
            let t = reduce(n, &a, &b, Outcomes::Values(&o), weights).unwrap();
            for regularization in [0.0, 0.5] {
                let opts = Options { regularization, ..Default::default() };
                let g = Graph::build(t.as_ref(), &opts).unwrap();
                for spread in [0.0, 1.0, 40.0] {
                    let pi: Vec<f64> = (0..n + g.has_virtual as usize).map(|i| ((i % 17) as f64 / 16.0 * spread - spread / 2.0).exp()).collect();
                    let textbook = sum_pairs(&g, |i, e, _| {
                        let ls = (pi[i] + pi[e.j()]).ln();
                        e.won() * (pi[i].ln() - ls) + e.lost() * (pi[e.j()].ln() - ls)
                    });
                    let products = plain_log_likelihood(&g, &pi);
                    assert!((products - textbook).abs() <= 1e-12 * textbook.abs(), "{weights:?} r {regularization} spread {spread}: {products} vs {textbook}");
                }
            }
        }
    }

    pub(super) fn table(rows: &[(u32, u32, f64)], n: usize) -> PairTable {
        let a: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let b: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let o: Vec<f64> = rows.iter().map(|r| r.2).collect();
        reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap()
    }

    /// The SSE2 sums are the scalar sums, bit for bit (so a fit is the same on every
    /// architecture), and four partial sums agree with one running sum to rounding.
    #[test]
    fn newman_sums_paths_agree() {
        let mut s = 5u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let pi: Vec<f64> = (0..64).map(|_| (8.0 * next() - 4.0).exp()).collect();
        for len in [0usize, 1, 3, 4, 5, 63, 64] {
            let edges: Vec<Edge> =
                (0..len).map(|k| Edge { j: (k * 7 % 64) as u32, won: (10.0 * next()).floor() * 0.5, lost: (10.0 * next()).floor() * 0.5 }).collect();
            #[cfg(target_arch = "x86_64")]
            {
                let whole = len / 4 * 4;
                assert_eq!(quad_sums_sse2(&edges[..whole], pi[3], &|j| pi[j]), quad_sums(&edges[..whole], pi[3], &|j| pi[j]));
            }
            let (a, b) = newman_sums(&edges, pi[3], |j| pi[j]);
            let (mut a1, mut b1) = (0.0, 0.0);
            for e in &edges {
                let inv = 1.0 / (pi[3] + pi[e.j as usize]);
                a1 += e.won * pi[e.j as usize] * inv;
                b1 += e.lost * inv;
            }
            assert!((a - a1).abs() <= 1e-12 * a1.abs() && (b - b1).abs() <= 1e-12 * b1.abs(), "{len}: {a} {a1} {b} {b1}");
        }
    }

    #[test]
    fn two_items_closed_form() {
        // 3 wins to 1: θ_0 − θ_1 = ln 3.
        let t = table(&[(0, 1, 1.0), (0, 1, 1.0), (1, 0, 0.0), (1, 0, 1.0)], 2);
        for solver in [Solver::MM, Solver::Newman] {
            let f = fit(t.as_ref(), &Options { solver, ..Default::default() }).unwrap();
            assert!(f.converged);
            assert!((f.theta[0] - f.theta[1] - 3f64.ln()).abs() < 1e-8, "{solver:?} {:?}", f.theta);
        }
    }

    #[test]
    fn solvers_agree() {
        let mut rows = Vec::new();
        let mut s = 1u64;
        for _ in 0..400 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            let a = ((s >> 33) % 6) as u32;
            let b = (a + 1 + ((s >> 40) % 5) as u32) % 6;
            let o = [0.0, 0.5, 1.0][((s >> 50) % 3) as usize];
            rows.push((a, b, o));
        }
        let t = table(&rows, 6);
        let mm = fit(t.as_ref(), &Options { solver: Solver::MM, tol: 1e-11, ..Default::default() }).unwrap();
        let nw = fit(t.as_ref(), &Options { solver: Solver::Newman, tol: 1e-11, ..Default::default() }).unwrap();
        assert!(mm.converged && nw.converged);
        assert!(nw.iterations < mm.iterations);
        for k in 0..6 {
            assert!((mm.theta[k] - nw.theta[k]).abs() < 1e-8);
        }
    }

    /// Many items (the coloured, parallel Newman sweep): a proper colouring, the same MLE as the
    /// sweep in item order,
    /// and bit-identical results for 1 and 2 threads.
    #[test]
    fn coloured_sweep_many_items() {
        let n = COLOUR_MIN_ITEMS + 1000;
        let mut rows = Vec::new();
        let mut s = 7u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        for k in 0..n {
            rows.push((k as u32, ((k + 1) % n) as u32, (next() % 2) as f64)); // a ring, plus random pairs
        }
        for _ in 0..4 * n {
            let a = (next() % n as u64) as u32;
            let b = ((a as u64 + 1 + next() % (n as u64 - 1)) % n as u64) as u32;
            rows.push((a, b, [0.0, 0.5, 1.0][(next() % 3) as usize]));
        }
        let t = table(&rows, n);
        let opts = Options { regularization: 0.5, tol: 1e-10, ..Default::default() };
        let g = Graph::build(t.as_ref(), &opts).unwrap();
        let classes = colour_classes(t.as_ref());
        let mut colour = vec![usize::MAX; n];
        for (c, class) in classes.iter().enumerate() {
            for &i in class {
                assert_eq!(colour[i as usize], usize::MAX);
                colour[i as usize] = c;
            }
        }
        for i in 0..n {
            assert!(g.neighbours(i).iter().all(|e| e.j as usize >= n || colour[e.j as usize] != colour[i]));
        }
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| fit(t.as_ref(), &opts).unwrap())
        };
        let (one, two) = (run(1), run(2));
        assert!(one.converged);
        assert_eq!(one.theta, two.theta);
        assert_eq!(one.iterations, two.iterations);
        let plain = solve_plain(&g, &opts, None, true, Order::Items);
        assert!(plain.converged);
        let worst = one.theta.iter().zip(&plain.theta).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-7, "coloured vs item-order sweep: {worst}");
        assert!((one.log_likelihood - plain.log_likelihood).abs() < 1e-6 * plain.log_likelihood.abs());
        // Not identifiable (a path: item 0 never loses, the last never wins): the error names
        // the items in the caller's numbering, not the colour order's.
        let path: Vec<(u32, u32, f64)> = (0..n as u32 - 1).map(|k| (k, k + 1, 1.0)).collect();
        match fit(table(&path, n).as_ref(), &Options::default()) {
            Err(Error::NotIdentifiable { never_win, never_lose, components, .. }) => {
                assert_eq!((never_win, never_lose, components), (vec![n as u32 - 1], vec![0], n));
            }
            other => panic!("{other:?}"),
        }
    }

    /// Timing of the two Newman paths at a million items (run with `--ignored --nocapture`).
    #[test]
    #[ignore]
    fn coloured_vs_item_order_n1m() {
        let n = 1_000_000usize;
        let mut s = 11u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        let (mut a, mut b, mut o) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..10 * n {
            let x = (next() % n as u64) as u32;
            a.push(x);
            b.push(((x as u64 + 1 + next() % (n as u64 - 1)) % n as u64) as u32);
            o.push((next() % 2) as f64);
        }
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = Options { regularization: 1.0, ..Default::default() };
        for _ in 0..2 {
            let t0 = std::time::Instant::now();
            let g = Graph::build(t.as_ref(), &opts).unwrap();
            let t1 = t0.elapsed();
            let f = solve_plain(&g, &opts, None, true, Order::Items);
            let t2 = t0.elapsed();
            drop(g);
            let c = colour_classes(t.as_ref());
            let t3 = t0.elapsed();
            let f2 = solve_coloured::<Edge>(t.as_ref(), &opts, None, true).unwrap();
            let t4 = t0.elapsed();
            println!(
                "build {t1:?} item order {:?} ({} it) colouring {:?} ({} colours) coloured total {:?} ({} it)",
                t2 - t1,
                f.iterations,
                t3 - t2,
                c.len(),
                t4 - t3,
                f2.iterations
            );
        }
    }

    /// The tie models' common-scale steps: one item at any log-strength s is brought to the
    /// virtual item's strength (every term vanishes at x = 1, at ν = 0 and η = 1 too), items
    /// at ±1 are balanced already, and at ν = 0 Davidson's step is Bradley–Terry's.
    #[test]
    fn common_scale_terms() {
        let models = [(Ties::Davidson, 0.0), (Ties::Davidson, 0.8), (Ties::RaoKupper, 1.0), (Ties::RaoKupper, 2.5)];
        for s in [-30.0, -3.0, -0.2, 0.0, 0.7, 5.0, 40.0] {
            for (ties, p) in models {
                let mut pi = [f64::exp(s)];
                best_common_scale_ties(&mut pi, ties, p);
                assert!(pi[0].ln().abs() < 1e-9, "{ties:?} {p} {s}: {}", pi[0].ln());
            }
        }
        for (ties, p) in models {
            let mut pi = [1f64.exp(), (-1f64).exp()];
            best_common_scale_ties(&mut pi, ties, p);
            assert!((pi[0].ln() - 1.0).abs() < 1e-12 && (pi[1].ln() + 1.0).abs() < 1e-12, "{ties:?} {pi:?}");
        }
        let theta = [0.3, 2.0, -0.5];
        let (mut a, mut b) = (theta.map(f64::exp), theta.map(f64::exp));
        best_common_scale(&mut a);
        best_common_scale_ties(&mut b, Ties::Davidson, 0.0);
        for k in 0..3 {
            assert!((a[k] / b[k] - 1.0).abs() < 1e-12, "{a:?} {b:?}");
        }
    }

    /// With regularization the tie models settle the common scale at once (they took tens of
    /// thousands of sweeps at r = 0.1 on 300 items, decided by the virtual comparisons alone).
    #[test]
    fn regularized_tie_models_converge_in_few_sweeps() {
        let (n, mut rows, mut s) = (120u32, Vec::new(), 7u64);
        for _ in 0..12_000 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let a = ((s >> 33) % n as u64) as u32;
            let b = (a + 1 + ((s >> 45) % (n as u64 - 1)) as u32) % n;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let p = 1.0 / (1.0 + (-((a as f64) - (b as f64)) / 40.0).exp());
            let outcome = if u < 0.8 * p {
                1.0
            } else if u < 0.8 {
                0.0
            } else {
                0.5
            };
            rows.push((a, b, outcome));
        }
        let t = table(&rows, n as usize);
        for ties in [Ties::Davidson, Ties::RaoKupper] {
            let f = fit(t.as_ref(), &Options { ties, regularization: 0.1, max_iter: 100_000, ..Default::default() }).unwrap();
            assert!(f.converged && f.iterations < 1_000, "{ties:?}: {} sweeps", f.iterations);
        }
    }

    #[test]
    fn davidson_needs_decisive_losses() {
        // Item 0 only wins or ties: under Davidson its strength and ν diverge together.
        let t = table(&[(0, 1, 1.0), (0, 1, 0.5), (1, 2, 1.0), (2, 1, 1.0), (0, 2, 0.5)], 3);
        assert!(matches!(fit(t.as_ref(), &Options { ties: Ties::Davidson, ..Default::default() }), Err(Error::NotIdentifiable { .. })));
        // Counting ties as half wins, item 0 has half-losses: finite.
        assert!(fit(t.as_ref(), &Options::default()).unwrap().converged);
    }

    #[test]
    fn never_losing_item_is_not_identifiable() {
        let t = table(&[(0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.0), (2, 1, 1.0)], 3);
        match fit(t.as_ref(), &Options::default()) {
            Err(Error::NotIdentifiable { never_lose, components, .. }) => {
                assert_eq!(never_lose, vec![0]);
                assert_eq!(components, 2);
            }
            other => panic!("{other:?}"),
        }
        let f = fit(t.as_ref(), &Options { regularization: 1.0, ..Default::default() }).unwrap();
        assert!(f.converged && f.theta.iter().all(|x| x.is_finite()));
        assert!(f.theta[0] > f.theta[1]);
    }

    #[test]
    fn bootstrap_is_deterministic_across_thread_counts() {
        let mut rows = Vec::new();
        let mut s = 3u64;
        for _ in 0..300 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            let a = ((s >> 33) % 5) as u32;
            let b = (a + 1 + ((s >> 40) % 4) as u32) % 5;
            rows.push((a, b, [0.0, 0.5, 1.0][((s >> 50) % 3) as usize]));
        }
        let t = table(&rows, 5);
        for ties in [Ties::Half, Ties::Davidson, Ties::RaoKupper] {
            let opts = Options { ties, ..Default::default() };
            let f = fit(t.as_ref(), &opts).unwrap();
            let run = |threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| bootstrap(t.as_ref(), &opts, &f, 300, 0..64, 42).unwrap())
            };
            let (one, two) = (run(1), run(2));
            assert_eq!(one.theta, two.theta);
            // Chunks of rounds give the same replicates as one run.
            let head = bootstrap(t.as_ref(), &opts, &f, 300, 0..20, 42).unwrap();
            let tail = bootstrap(t.as_ref(), &opts, &f, 300, 20..64, 42).unwrap();
            assert_eq!([head.theta, tail.theta].concat(), one.theta);
            assert_eq!(one.tie_parameter, two.tie_parameter);
            assert_eq!(one.theta.len(), 64 * 5);
            // Replicates vary, and centre near the point estimate.
            for k in 0..5 {
                let col: Vec<f64> = one.theta.iter().skip(k).step_by(5).copied().collect();
                let mean = col.iter().sum::<f64>() / 64.0;
                let sd = (col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 63.0).sqrt();
                assert!(sd > 0.01 && (mean - f.theta[k]).abs() < 3.0 * sd, "item {k}: mean {mean} sd {sd} point {}", f.theta[k]);
            }
            let other = bootstrap(t.as_ref(), &opts, &f, 300, 0..64, 43).unwrap();
            assert_ne!(one.theta, other.theta);
        }
    }

    #[test]
    fn bootstrap_redraws_resamples_without_a_finite_estimate() {
        // Item 2 lost once in 6 comparisons: many resamples leave it unbeaten… or unbeating.
        let t = table(&[(0, 1, 1.0), (1, 0, 1.0), (1, 2, 1.0), (2, 1, 1.0), (0, 2, 0.0), (2, 0, 0.0)], 3);
        let f = fit(t.as_ref(), &Options::default()).unwrap();
        let r = bootstrap(t.as_ref(), &Options::default(), &f, 6, 0..50, 0).unwrap();
        assert!(r.redraws > 0);
        assert!(r.theta.iter().all(|x| x.is_finite()));
        let reg = Options { regularization: 0.5, ..Default::default() };
        let f = fit(t.as_ref(), &reg).unwrap();
        assert_eq!(bootstrap(t.as_ref(), &reg, &f, 6, 0..50, 0).unwrap().redraws, 0);
    }

    /// The graph build's first pass checks the table and sums the totals (decision 44): on a
    /// table of several blocks with fractional weights, `fit_table`'s totals are
    /// `item_totals`' bits and its fit is `fit`'s, for every tie model; a bad entry anywhere
    /// gives `validate`'s error, worded by it (`fit` alone does not check: internal tables).
    #[test]
    fn fit_table_checks_and_totals_in_the_first_pass() {
        let (n, m) = (1000, 600_000);
        let (a, b, o) = crate::pairs::random_rows(n, m, 5);
        let w: Vec<f64> = (0..m).map(|r| 0.1 + (r % 7) as f64 * 0.3).collect();
        let t = reduce(n, &a, &b, Outcomes::Values(&o), Some(&w)).unwrap();
        assert!(t.len() > 3 << 16, "several blocks");
        for ties in [Ties::Half, Ties::Drop, Ties::Davidson] {
            let opts = Options { ties, ..Default::default() };
            let whole = fit_table(t.as_ref(), &opts, None, true, None).unwrap();
            assert_eq!(whole.totals, Some(t.as_ref().item_totals().unwrap()));
            let f = fit(t.as_ref(), &opts).unwrap();
            assert_eq!(whole.fit.theta, f.theta);
            assert_eq!(whole.fit.log_likelihood.to_bits(), f.log_likelihood.to_bits());
            assert!(fit_table(t.as_ref(), &opts, None, false, None).unwrap().totals.is_none());
        }
        let opts = Options::default();
        let k = t.len();
        for (p, bad) in [(0, 0), (k / 2, 1), (k - 1, 2), (k / 3, 3), (k / 5, 4)] {
            let mut u = t.clone();
            match bad {
                0 => u.j[p] = u.i[p],
                1 => u.j[p] = n as u32,
                2 => u.wins_i[p] = f64::NAN,
                3 => u.ties[p] = -1.0,
                _ => u.wins_j[p] = f64::INFINITY,
            }
            let want = u.as_ref().validate().unwrap_err().to_string();
            assert!(want.contains(&format!("entry {p}")), "{want}");
            for ties in [Ties::Half, Ties::Davidson] {
                let opts = Options { ties, ..opts };
                assert_eq!(fit_table(u.as_ref(), &opts, None, true, None).unwrap_err().to_string(), want);
            }
        }
        let mut u = t.clone();
        u.ties.pop();
        let want = u.as_ref().validate().unwrap_err().to_string();
        assert_eq!(fit_table(u.as_ref(), &opts, None, true, None).unwrap_err().to_string(), want);
    }

    /// `fit_table` is the fit, the item totals and the bootstrap chunk it names; a later chunk
    /// given the point fit draws the same replicates as one call over all rounds.
    #[test]
    fn fit_table_is_fit_totals_and_bootstrap() {
        let t = table(&[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (0, 1, 0.5), (0, 2, 1.0), (1, 0, 0.0)], 3);
        let opts = Options { ties: Ties::Davidson, ..Default::default() };
        let whole = fit_table(t.as_ref(), &opts, None, true, Some(Resampling { draws: 6, rounds: 0..8, seed: 3 })).unwrap();
        let f = fit(t.as_ref(), &opts).unwrap();
        assert_eq!(whole.fit.theta, f.theta);
        assert_eq!(whole.fit.tie_parameter, f.tie_parameter);
        assert_eq!(whole.totals, Some(t.as_ref().item_totals().unwrap()));
        let reps = whole.replicates.unwrap();
        assert_eq!(reps.theta, bootstrap(t.as_ref(), &opts, &f, 6, 0..8, 3).unwrap().theta);
        let point = Fit::given(f.theta.clone(), f.virtual_theta, f.tie_parameter);
        let later = fit_table(t.as_ref(), &opts, Some(point), false, Some(Resampling { draws: 6, rounds: 4..8, seed: 3 })).unwrap();
        assert!(later.totals.is_none() && later.fit.log_likelihood.is_nan());
        assert_eq!(later.replicates.unwrap().theta, reps.theta[4 * 3..]);
        let short = Fit::given(vec![0.0; 2], None, None);
        assert!(matches!(fit_table(t.as_ref(), &opts, Some(short), false, None), Err(Error::InvalidArgument(_))));
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::pairs::{random_rows, reduce, Outcomes};

    /// `cargo test --release -p rankagg-core timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn fit_phases_n1000_m1m() {
        let n = 1000;
        let (a, b, o) = random_rows(n, 1_000_000, 1);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = Options::default();
        for _ in 0..3 {
            let t0 = std::time::Instant::now();
            let g = Graph::build(t.as_ref(), &opts).unwrap();
            let t1 = t0.elapsed();
            g.check_identifiable().unwrap();
            let t2 = t0.elapsed();
            let f = solve_plain(&g, &opts, None, true, Order::Items);
            let t3 = t0.elapsed();
            let _ = t.as_ref().item_totals().unwrap();
            let t4 = t0.elapsed();
            println!("build {t1:?} identifiable {:?} solve {:?} ({} it) totals {:?}", t2 - t1, t3 - t2, f.iterations, t4 - t3);
        }
    }
}

#[cfg(test)]
mod timing_sparse {
    use super::*;
    use crate::pairs::{random_rows, reduce, Outcomes};

    /// The sparse target's fit, stage by stage (10,000 items, 10M rows), fastest of 5:
    /// `cargo test --release -p rankagg-core timing_sparse -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn fit_stages_n10k_m10m() {
        let n = 10_000;
        let (a, b, o) = random_rows(n, 10_000_000, 1);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        drop((a, b, o));
        let opts = Options::default();
        println!("pairs {}", t.i.len());
        let cpu = || {
            let mut u: libc::rusage = unsafe { std::mem::zeroed() };
            unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
            std::time::Duration::from_micros(((u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1_000_000 + u.ru_utime.tv_usec + u.ru_stime.tv_usec) as u64)
        };
        let time = |f: &mut dyn FnMut()| {
            let (mut w, mut c) = (Vec::new(), Vec::new());
            for _ in 0..5 {
                let (t0, c0) = (std::time::Instant::now(), cpu());
                f();
                w.push(t0.elapsed());
                c.push(cpu() - c0);
            }
            w.sort();
            c.sort();
            format!("{:?} (median {:?}), cpu median {:?}", w[0], w[2], c[2])
        };
        let g = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
        let blocks = sweep_blocks(&g);
        let g16 = Adjacency::<Edge16>::build(t.as_ref(), &opts).unwrap();
        let (mut serial, mut blocked) = (None, None);
        let mut first = Degrees::count(t.as_ref(), &opts, Extras { check: true, totals: true }).unwrap();
        let totals = first.totals.take().unwrap();
        let up = upper::Upper::<Edge16>::build(t.as_ref(), &opts, &totals, None).unwrap();
        let full_degrees: Vec<usize> = (0..n).map(|i| first.per_block.iter().map(|b| b[i]).sum()).collect();
        let up_layout = up.blocks(&full_degrees);
        let mut up_scratch = upper::Scratch::new(n, &up_layout).unwrap();
        let up_pi: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64 / 10.0).collect();
        let timings = [
            ("f32 check", time(&mut || assert!(counts_fit_f32(t.as_ref(), &opts)))),
            ("build", time(&mut || drop(Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap()))),
            ("identifiable", time(&mut || g.check_identifiable().unwrap())),
            ("serial sweeps", time(&mut || serial = Some(solve_plain(&g, &opts, None, false, Order::Items)))),
            ("blocked sweeps", time(&mut || blocked = Some(solve_plain(&g, &opts, None, false, Order::Blocks(&blocks))))),
            ("blocked + likelihood", time(&mut || drop(solve_plain(&g, &opts, None, true, Order::Blocks(&blocks))))),
            ("build, u16 edges", time(&mut || drop(Adjacency::<Edge16>::build(t.as_ref(), &opts).unwrap()))),
            ("blocked + likelihood, u16 edges", time(&mut || drop(solve_plain(&g16, &opts, None, true, Order::Blocks(&blocks))))),
            ("fit()", time(&mut || drop(fit(t.as_ref(), &opts).unwrap()))),
            (
                "fit(), the full graph (before decision 47)",
                time(&mut || {
                    drop(
                        fit_plain::<Edge16>(t.as_ref(), &opts, Degrees::count(t.as_ref(), &opts, Extras { check: true, totals: false }).unwrap(), None, true)
                            .unwrap(),
                    )
                }),
            ),
            ("first pass with totals", time(&mut || drop(Degrees::count(t.as_ref(), &opts, Extras { check: true, totals: true }).unwrap()))),
            (
                "first pass with totals, writing the edges",
                time(&mut || {
                    let mut edges: Vec<Edge16> = crate::memory::large_vec(t.len()).unwrap();
                    let out = &mut edges.spare_capacity_mut()[..t.len()];
                    drop(Degrees::count_into(t.as_ref(), &opts, Extras { check: true, totals: true }, Some(out)).unwrap());
                }),
            ),
            ("upper build (a pass of its own)", time(&mut || drop(upper::Upper::<Edge16>::build(t.as_ref(), &opts, &totals, None).unwrap()))),
            ("upper identifiable", time(&mut || assert_eq!(up.strongly_connected(), Some(true)))),
            ("upper sweeps + likelihood", time(&mut || drop(upper::solve(&up, &up_layout, &opts, None, true).unwrap()))),
            (
                "upper: one blocked sweep",
                time(&mut || {
                    std::hint::black_box(up.sweep_blocked(&mut up_pi.clone(), &up_layout, &mut up_scratch));
                }),
            ),
            (
                "upper: one serial sweep",
                time(&mut || {
                    std::hint::black_box(up.sweep(&mut up_pi.clone(), &mut up_scratch));
                }),
            ),
            (
                "upper: the exact test",
                time(&mut || {
                    std::hint::black_box(up.max_relative_gradient(&up_pi));
                }),
            ),
            (
                "upper: the likelihood",
                time(&mut || {
                    std::hint::black_box(up.log_likelihood(&up_pi));
                }),
            ),
            (
                "full: one blocked sweep",
                time(&mut || {
                    let mut pi = up_pi.clone();
                    for w in blocks.windows(2) {
                        let mut local = up_pi.clone();
                        newman_sweep(&g16, &mut local, w[0]..w[1]);
                        pi[w[0]..w[1]].copy_from_slice(&local[w[0]..w[1]]);
                    }
                }),
            ),
            ("validate", time(&mut || t.as_ref().validate().unwrap())),
            ("item_totals", time(&mut || drop(t.as_ref().item_totals().unwrap()))),
            ("fit_table, no totals", time(&mut || drop(fit_table(t.as_ref(), &opts, None, false, None).unwrap()))),
            ("fit_table", time(&mut || drop(fit_table(t.as_ref(), &opts, None, true, None).unwrap()))),
        ];
        let fitted = solve_plain(&g, &opts, None, false, Order::Items);
        let pi: Vec<f64> = fitted.theta.iter().map(|x| x.exp()).collect();
        let mut ll = (0.0, 0.0);
        let likelihood = [
            (
                "likelihood, a logarithm per pair",
                time(&mut || {
                    ll.0 = sum_pairs(&g, |i, e, _| {
                        let ls = (pi[i] + pi[e.j()]).ln();
                        e.won() * (pi[i].ln() - ls) + e.lost() * (pi[e.j()].ln() - ls)
                    })
                }),
            ),
            ("likelihood by products", time(&mut || ll.1 = plain_log_likelihood(&g, &pi))),
        ];
        println!("log-likelihood {} / {}", ll.0, ll.1);
        for (what, d) in timings.into_iter().chain(likelihood) {
            println!("{what}: {d}");
        }
        // Edge32 against Edge16, alternated (build; blocked sweeps with the likelihood).
        let (mut b32, mut b16, mut s32, mut s16) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..7 {
            let t0 = (std::time::Instant::now(), cpu());
            drop(Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap());
            b32.push(cpu() - t0.1);
            let t0 = (std::time::Instant::now(), cpu());
            drop(Adjacency::<Edge16>::build(t.as_ref(), &opts).unwrap());
            b16.push(cpu() - t0.1);
            let t0 = (std::time::Instant::now(), cpu());
            drop(solve_plain(&g, &opts, None, true, Order::Blocks(&blocks)));
            s32.push(cpu() - t0.1);
            let t0 = (std::time::Instant::now(), cpu());
            drop(solve_plain(&g16, &opts, None, true, Order::Blocks(&blocks)));
            s16.push(cpu() - t0.1);
        }
        for v in [&mut b32, &mut b16, &mut s32, &mut s16] {
            v.sort();
        }
        println!(
            "alternated, cpu min / median: build f32 {:?} / {:?}, u16 {:?} / {:?}; sweeps f32 {:?} / {:?}, u16 {:?} / {:?}",
            b32[0], b32[3], b16[0], b16[3], s32[0], s32[3], s16[0], s16[3]
        );
        let (serial, blocked) = (serial.unwrap(), blocked.unwrap());
        let diff = serial.theta.iter().zip(&blocked.theta).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        println!("iterations: serial {}, blocked {} ({} blocks); max |θ − θ serial| {diff:e}", serial.iterations, blocked.iterations, blocks.len() - 1);
        let upper = upper::solve(&up, &up_layout, &opts, None, true).unwrap();
        let diff = serial.theta.iter().zip(&upper.theta).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        println!("upper half: iterations {}, log-likelihood {}; max |θ − θ serial| {diff:e}", upper.iterations, upper.log_likelihood);
    }
}
