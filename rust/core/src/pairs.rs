//! The pair table: per unordered pair of items (i < j), the weighted wins of i over j, of j
//! over i, and the ties. It is the sufficient statistic of every pairwise model in rankagg.
//!
//! Rows are reduced in fixed blocks (the split depends on the data size, never on the thread
//! count) and the block sums are added in block order, so the table is bit-identical for any
//! number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result, RowReport};
use crate::interrupt::Stop;

/// Sparse pair table, sorted by (i, j), with i < j and at least one non-zero cell per entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairTable {
    pub n: usize,
    pub i: Vec<u32>,
    pub j: Vec<u32>,
    /// Weighted wins of `i` over `j` (ties excluded).
    pub wins_i: Vec<f64>,
    /// Weighted wins of `j` over `i` (ties excluded).
    pub wins_j: Vec<f64>,
    /// Weighted ties (rows whose outcome is exactly 0.5).
    pub ties: Vec<f64>,
}

/// Per-row outcomes: the probability that item `a` beats item `b`.
#[derive(Clone, Copy)]
pub enum Outcomes<'a> {
    /// One value per row.
    Values(&'a [f64]),
    /// A code per row into a small table of values (e.g. labels "model_a" / "tie").
    Coded { codes: &'a [u32], values: &'a [f64] },
    /// Every row is a win of `a` (winner / loser columns).
    AllWins,
}

impl Outcomes<'_> {
    #[inline]
    pub fn get(&self, row: usize) -> f64 {
        match *self {
            Outcomes::Values(v) => v[row],
            Outcomes::Coded { codes, values } => values.get(codes[row] as usize).copied().unwrap_or(f64::NAN),
            Outcomes::AllWins => 1.0,
        }
    }
    fn len(&self) -> Option<usize> {
        match *self {
            Outcomes::Values(v) => Some(v.len()),
            Outcomes::Coded { codes, .. } => Some(codes.len()),
            Outcomes::AllWins => None,
        }
    }
}

impl PairTable {
    /// An empty table over `n` items with room for `pairs` entries (fallibly allocated).
    fn with_capacity(n: usize, pairs: usize) -> Result<PairTable> {
        use crate::memory::try_with_capacity;
        Ok(PairTable {
            n,
            i: try_with_capacity(pairs)?,
            j: try_with_capacity(pairs)?,
            wins_i: try_with_capacity(pairs)?,
            wins_j: try_with_capacity(pairs)?,
            ties: try_with_capacity(pairs)?,
        })
    }
}

#[cfg(test)]
impl PairTable {
    /// The same table with item `k` renamed `new_code[k]` (a permutation of 0..n), re-sorted:
    /// the slow oracle for [`reduce_relabelled`].
    pub fn relabel(&self, new_code: &[u32]) -> Result<PairTable> {
        let n = self.n;
        let mut seen = vec![false; n];
        if new_code.len() != n || new_code.iter().any(|&c| (c as usize) >= n || std::mem::replace(&mut seen[c as usize], true)) {
            return Err(Error::InvalidArgument("relabel: new codes must be a permutation of 0..n".into()));
        }
        let mut order: Vec<(u64, u32)> = (0..self.len())
            .map(|p| {
                let (x, y) = (new_code[self.i[p] as usize] as u64, new_code[self.j[p] as usize] as u64);
                ((x.min(y) << 32) | x.max(y), p as u32)
            })
            .collect();
        order.par_sort_unstable();
        let mut t = PairTable { n, ..Default::default() };
        for &(key, p) in &order {
            let p = p as usize;
            let flipped = new_code[self.i[p] as usize] > new_code[self.j[p] as usize];
            t.i.push((key >> 32) as u32);
            t.j.push(key as u32);
            let (wi, wj) = if flipped { (self.wins_j[p], self.wins_i[p]) } else { (self.wins_i[p], self.wins_j[p]) };
            t.wins_i.push(wi);
            t.wins_j.push(wj);
            t.ties.push(self.ties[p]);
        }
        Ok(t)
    }
}

/// A borrowed pair table (same layout as [`PairTable`]), e.g. over arrays owned by Python.
#[derive(Debug, Clone, Copy)]
pub struct PairsRef<'a> {
    pub n: usize,
    pub i: &'a [u32],
    pub j: &'a [u32],
    pub wins_i: &'a [f64],
    pub wins_j: &'a [f64],
    pub ties: &'a [f64],
}

impl PairTable {
    pub fn len(&self) -> usize {
        self.i.len()
    }
    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }
    pub fn as_ref(&self) -> PairsRef<'_> {
        PairsRef { n: self.n, i: &self.i, j: &self.j, wins_i: &self.wins_i, wins_j: &self.wins_j, ties: &self.ties }
    }
}

impl PairsRef<'_> {
    pub fn len(&self) -> usize {
        self.i.len()
    }
    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }

    /// Checks the invariants (equal lengths, i < j < n, finite non-negative counts); used for
    /// tables that come from outside the reduce.
    /// Per item: weighted wins, losses and ties, summed over fixed blocks of pairs added in
    /// block order (deterministic for any thread count).
    pub fn item_totals(&self) -> Result<[Vec<f64>; 3]> {
        let n = self.n;
        let k = self.i.len();
        if [self.j.len(), self.wins_i.len(), self.wins_j.len(), self.ties.len()].iter().any(|&l| l != k) {
            return Err(Error::InvalidArgument("pair table columns differ in length".into()));
        }
        if self.i.iter().chain(self.j.iter()).any(|&c| c as usize >= n) {
            return Err(Error::InvalidArgument(format!("pair table item codes must be below n = {n}")));
        }
        let block = (k / 8).max(1 << 16);
        let partial: Vec<[Vec<f64>; 3]> = (0..k.div_ceil(block))
            .into_par_iter()
            .map(|blk| {
                let mut out = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
                for p in blk * block..((blk + 1) * block).min(k) {
                    let (i, j) = (self.i[p] as usize, self.j[p] as usize);
                    out[0][i] += self.wins_i[p];
                    out[0][j] += self.wins_j[p];
                    out[1][i] += self.wins_j[p];
                    out[1][j] += self.wins_i[p];
                    out[2][i] += self.ties[p];
                    out[2][j] += self.ties[p];
                }
                out
            })
            .collect();
        let mut it = partial.into_iter();
        let mut total = it.next().unwrap_or_else(|| [vec![0.0; n], vec![0.0; n], vec![0.0; n]]);
        for part in it {
            for (t, p) in total.iter_mut().zip(part) {
                t.iter_mut().zip(p).for_each(|(x, y)| *x += y);
            }
        }
        Ok(total)
    }

    pub fn validate(&self) -> Result<()> {
        let k = self.i.len();
        if [self.j.len(), self.wins_i.len(), self.wins_j.len(), self.ties.len()].iter().any(|&l| l != k) {
            return Err(Error::InvalidArgument("pair table columns differ in length".into()));
        }
        // In parallel and without early exits (a branch per value cost ~7 ns an entry); the
        // first bad entry is then found and described.
        const CHUNK: usize = 1 << 14;
        #[allow(clippy::manual_range_contains)] // `&`, not the short-circuiting `contains`: no branch
        let count_ok = |v: f64| (v >= 0.0) & (v < f64::INFINITY);
        let entry_ok = |p: usize| {
            let (i, j) = (self.i[p] as usize, self.j[p] as usize);
            (i < j) & (j < self.n) & count_ok(self.wins_i[p]) & count_ok(self.wins_j[p]) & count_ok(self.ties[p])
        };
        let chunk_ok = |c: usize| {
            let r = c * CHUNK..((c + 1) * CHUNK).min(k);
            let (i, j) = (&self.i[r.clone()], &self.j[r.clone()]);
            let (wi, wj, t) = (&self.wins_i[r.clone()], &self.wins_j[r.clone()], &self.ties[r]);
            (0..i.len()).fold(true, |ok, p| ok & (i[p] < j[p]) & ((j[p] as usize) < self.n) & count_ok(wi[p]) & count_ok(wj[p]) & count_ok(t[p]))
        };
        let Some(c) = (0..k.div_ceil(CHUNK)).into_par_iter().find_first(|&c| !chunk_ok(c)) else {
            return Ok(());
        };
        let p = (c * CHUNK..k).find(|&p| !entry_ok(p)).unwrap_or(c * CHUNK);
        let (i, j) = (self.i[p] as usize, self.j[p] as usize);
        Err(Error::InvalidArgument(if i >= j || j >= self.n {
            format!("pair table entry {p}: need i < j < n")
        } else {
            format!("pair table entry {p}: counts must be finite and >= 0")
        }))
    }
}

#[derive(Default)]
struct Reports {
    same: RowReport,
    outcome: RowReport,
    weight: RowReport,
}

impl Reports {
    fn merge(&mut self, o: Reports) {
        self.same.merge(o.same);
        self.outcome.merge(o.outcome);
        self.weight.merge(o.weight);
    }
    fn into_result(self) -> Result<()> {
        if self.same.count > 0 {
            return Err(Error::SelfComparison { rows: self.same.rows, count: self.same.count });
        }
        if self.outcome.count > 0 {
            return Err(Error::OutcomeRange { rows: self.outcome.rows, count: self.outcome.count });
        }
        if self.weight.count > 0 {
            return Err(Error::InvalidWeight { rows: self.weight.rows, count: self.weight.count });
        }
        Ok(())
    }
}

/// The contribution of one valid row: (lo, hi, wins of lo, wins of hi, ties).
#[inline]
pub(crate) fn row_cells(a: u32, b: u32, o: f64, w: f64) -> (u32, u32, f64, f64, f64) {
    let (wa, wb, t) = if o == 0.5 { (0.0, 0.0, w) } else { (o * w, (1.0 - o) * w, 0.0) };
    if a < b {
        (a, b, wa, wb, t)
    } else {
        (b, a, wb, wa, t)
    }
}

/// Checks one row; returns false (and records why) when it is invalid.
#[inline]
fn check_row(row: usize, a: u32, b: u32, o: f64, w: f64, rep: &mut Reports) -> bool {
    let mut ok = true;
    if a == b {
        rep.same.push(row);
        ok = false;
    }
    if !(0.0..=1.0).contains(&o) {
        rep.outcome.push(row);
        ok = false;
    }
    if !(w.is_finite() && w >= 0.0) {
        rep.weight.push(row);
        ok = false;
    }
    ok
}

/// Largest dense accumulator (bytes) a block may use.
const DENSE_BLOCK_BYTES: usize = 64 << 20;
/// Largest accumulator that stays in a core's cache: bigger triangles are reduced in
/// partitions of this many bytes of cells ([`reduce_partitioned`]).
const CACHE_BLOCK_BYTES: usize = 1 << 20;
/// Largest number of blocks of the dense reduce.
const MAX_BLOCKS: usize = 8;
/// Fewest rows worth a block of their own.
const MIN_BLOCK_ROWS: usize = 1 << 18;

/// Reduces per-row comparisons (item codes `a`, `b` < `n`) to a pair table, validating every row.
///
/// A row with outcome `o` and weight `w` adds `o·w` wins to `a` and `(1-o)·w` to `b`, except
/// that `o == 0.5` exactly is a tie and adds `w` to the pair's ties.
pub fn reduce(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<PairTable> {
    reduce_relabelled(n, a, b, outcomes, weights, None)
}

/// [`reduce`], with item `k` renamed `relabel[k]` (a permutation of 0..n) on the way: cheaper
/// than [`PairTable::relabel`] afterwards (no second sort).
pub fn reduce_relabelled(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, relabel: Option<&[u32]>) -> Result<PairTable> {
    let m = a.len();
    check_shape(n, a, b, outcomes, weights)?;
    if let Some(r) = relabel {
        let mut seen = vec![false; n];
        if r.len() != n || r.iter().any(|&c| (c as usize) >= n || std::mem::replace(&mut seen[c as usize], true)) {
            return Err(Error::InvalidArgument("relabel: new codes must be a permutation of 0..n".into()));
        }
    }
    let code = Code(relabel);
    let cells = n.saturating_mul(n) / 2;
    // Watched for Ctrl-C (interrupt.rs): the passes below read `stop` every 64k rows or per
    // chunk and end early; a stopped reduce's partial sums are never returned.
    crate::interrupt::watched(|stop| {
        if cells.saturating_mul(24) <= DENSE_BLOCK_BYTES && cells <= 2 * m + (1 << 16) {
            if cells.saturating_mul(24) <= CACHE_BLOCK_BYTES {
                reduce_dense(n, a, b, outcomes, weights, code, stop)
            } else {
                reduce_partitioned(n, a, b, outcomes, weights, code, CACHE_BLOCK_BYTES / 24, stop)
            }
        } else {
            reduce_sparse(n, a, b, outcomes, weights, code, stop)
        }
    })?
}

/// `Err(Interrupted)` once `stop` is raised: between the passes of a reduce.
fn stopped(stop: &Stop) -> Result<()> {
    if stop.stopped() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Rows between two reads of the stop flag in a row loop (~1 ms of work).
const POLL_ROWS: usize = 1 << 16;

/// Checks every row (self-comparisons, outcomes outside [0, 1], bad weights), in parallel over
/// fixed blocks merged in order, reporting the first offending rows. Lengths and codes are the
/// caller's to check.
pub fn validate_rows(a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<()> {
    let m = a.len();
    let chunk = MIN_BLOCK_ROWS;
    let reports: Vec<Reports> = (0..m.div_ceil(chunk))
        .into_par_iter()
        .map(|blk| {
            let mut rep = Reports::default();
            for r in blk * chunk..((blk + 1) * chunk).min(m) {
                check_row(r, a[r], b[r], outcomes.get(r), weights.map_or(1.0, |w| w[r]), &mut rep);
            }
            rep
        })
        .collect();
    let mut rep = Reports::default();
    reports.into_iter().for_each(|r| rep.merge(r));
    rep.into_result()
}

/// Checks that the columns have one entry per row and that every code is below `n`.
pub fn check_shape(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<()> {
    let m = a.len();
    if b.len() != m || outcomes.len().is_some_and(|l| l != m) || weights.is_some_and(|w| w.len() != m) {
        return Err(Error::InvalidArgument("column lengths differ".into()));
    }
    if let Some(bad) = a.iter().chain(b.iter()).position(|&c| c as usize >= n) {
        return Err(Error::InvalidArgument(format!("item code at position {bad} is not below n = {n}")));
    }
    Ok(())
}

/// An optional renaming of item codes.
#[derive(Clone, Copy)]
struct Code<'a>(Option<&'a [u32]>);

impl Code<'_> {
    #[inline]
    fn of(self, x: u32) -> u32 {
        match self.0 {
            Some(r) => r[x as usize],
            None => x,
        }
    }
}

/// A valid row's cell in the packed triangle and how it adds to it: 0 a win of the pair's
/// lower item, 1 of the higher, 2 a tie (unit weight, outcome 1, 0 or ½), 3 / 4 anything else
/// with the lower item as a / b. Without branches: outcomes and item order are random, and a
/// branch on them was mispredicted on most rows (half the time of a reduce).
#[inline]
fn cell_kind(n: usize, x: u32, y: u32, o: f64, w: f64) -> (usize, u32) {
    let cell = tri(n, x.min(y) as usize, x.max(y) as usize);
    let swap = (x > y) as u32;
    let unit = w == 1.0;
    let tie = (o == 0.5) & unit;
    let decisive = ((o == 1.0) | (o == 0.0)) & unit;
    // o = 1: a won, the lower item unless swapped; o = 0: the reverse
    let won = swap ^ (o == 0.0) as u32;
    let other = !(tie | decisive);
    (cell, 2 * tie as u32 + decisive as u32 * won + other as u32 * (3 + swap))
}

/// Index of pair (i, j), i < j, in the packed upper triangle of an n×n matrix.
#[inline]
fn tri(n: usize, i: usize, j: usize) -> usize {
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

fn reduce_dense(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
    let m = a.len();
    let cells = n * (n.max(1) - 1) / 2;
    // A block pays for zeroing and merging its accumulator: give each enough rows.
    let blocks = (m / MIN_BLOCK_ROWS.max(cells)).clamp(1, MAX_BLOCKS);
    let per = m.div_ceil(blocks).max(1);
    // Each block: per pair (i < j) the cell [wins of i, wins of j, ties], one cache line a row;
    // simple rows (unit weights, outcomes 0, ½, 1) are counted, in u32 cells, without branches.
    let simple = simple_rows(outcomes, weights) && per < u32::MAX as usize;
    let partial: Vec<(Vec<[f64; 3]>, Reports)> = (0..blocks)
        .into_par_iter()
        .map(|blk| {
            let lo = (blk * per).min(m);
            let hi = ((blk + 1) * per).min(m);
            let mut rep = Reports::default();
            if simple {
                let mut counts = vec![[0u32; 3]; cells];
                for r in lo..hi {
                    if (r - lo) % POLL_ROWS == 0 && stop.stopped() {
                        break;
                    }
                    let (x, y) = (code.of(a[r]), code.of(b[r]));
                    let o = outcomes.get(r);
                    if !check_row(r, x, y, o, 1.0, &mut rep) {
                        continue;
                    }
                    let (cell, kind) = cell_kind(n, x, y, o, 1.0);
                    counts[cell][kind as usize] += 1;
                }
                return (counts.into_iter().map(|c| c.map(f64::from)).collect(), rep);
            }
            let mut acc = vec![[0.0f64; 3]; cells];
            for r in lo..hi {
                if (r - lo) % POLL_ROWS == 0 && stop.stopped() {
                    break;
                }
                let (x, y) = (code.of(a[r]), code.of(b[r]));
                let o = outcomes.get(r);
                let w = weights.map_or(1.0, |w| w[r]);
                if !check_row(r, x, y, o, w, &mut rep) {
                    continue;
                }
                let (i, j, wi, wj, t) = row_cells(x, y, o, w);
                let cell = &mut acc[tri(n, i as usize, j as usize)];
                cell[0] += wi;
                cell[1] += wj;
                cell[2] += t;
            }
            (acc, rep)
        })
        .collect();
    stopped(stop)?;
    let mut iter = partial.into_iter();
    let (mut acc, mut rep) = iter.next().expect("at least one block");
    for (acc2, r2) in iter {
        acc.iter_mut().zip(acc2.iter()).for_each(|(x, y)| {
            x[0] += y[0];
            x[1] += y[1];
            x[2] += y[2];
        });
        rep.merge(r2);
    }
    rep.into_result()?;
    let k = acc.iter().filter(|c| c[0] != 0.0 || c[1] != 0.0 || c[2] != 0.0).count();
    let mut t = PairTable::with_capacity(n, k)?;
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            let c = acc[idx];
            idx += 1;
            if c[0] != 0.0 || c[1] != 0.0 || c[2] != 0.0 {
                t.i.push(i as u32);
                t.j.push(j as u32);
                t.wins_i.push(c[0]);
                t.wins_j.push(c[1]);
                t.ties.push(c[2]);
            }
        }
    }
    Ok(t)
}

/// The dense reduce for triangles larger than a cache: rows are bucketed (stably) by the range
/// of cells their pair falls in, then each range — `span` cells, an accumulator that stays in
/// cache — is summed on its own, rows in order. Every cell is summed in row order, so the
/// table is bit-identical for any thread count, and equals the sparse reduce's.
#[allow(clippy::too_many_arguments)]
fn reduce_partitioned(
    n: usize,
    a: &[u32],
    b: &[u32],
    outcomes: Outcomes<'_>,
    weights: Option<&[f64]>,
    code: Code<'_>,
    span: usize,
    stop: &Stop,
) -> Result<PairTable> {
    // Unit weights and outcomes 0, ½, 1 only (the arena case): 4-byte records without the row.
    if simple_rows(outcomes, weights) && n * n < (1 << 29) {
        partitioned_with::<u32>(n, a, b, outcomes, weights, code, span, stop)
    } else {
        partitioned_with::<u64>(n, a, b, outcomes, weights, code, span, stop)
    }
}

/// Whether every row has unit weight and an outcome of 0, ½ or 1 (the arena case): each row
/// then adds exactly 1 to one of its pair's three counts, and sums do not depend on the order.
fn simple_rows(outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> bool {
    weights.is_none()
        && match outcomes {
            Outcomes::AllWins => true,
            Outcomes::Coded { values, .. } => values.iter().all(|&v| v == 0.0 || v == 0.5 || v == 1.0),
            Outcomes::Values(v) => v.par_iter().all(|&v| v == 0.0 || v == 0.5 || v == 1.0),
        }
}

/// A row's record in the partitioned reduce: its cell, how it adds to it (kind), and — for
/// `u64` — its row number. `u32` records only hold kinds 0–2 (a simple row).
trait Record: Copy + Default + Send + Sync {
    /// A cell's accumulator: counts for simple rows, weighted sums otherwise.
    type Cell: Copy + Default + Send + Sync;
    fn new(row: usize, cell: usize, kind: u32) -> Self;
    fn cell(self) -> usize;
    /// Adds the record's row to its cell.
    fn add_to(self, cell: &mut Self::Cell, outcomes: Outcomes<'_>, weights: Option<&[f64]>);
    /// The cell's (wins of the lower item, wins of the higher, ties), `None` when all are 0.
    fn sums(cell: &Self::Cell) -> Option<[f64; 3]>;
}

impl Record for u32 {
    type Cell = [u32; 3];
    #[inline]
    fn new(_row: usize, cell: usize, kind: u32) -> Self {
        debug_assert!(kind < 3);
        (cell as u32) << 2 | kind
    }
    #[inline]
    fn cell(self) -> usize {
        (self >> 2) as usize
    }
    #[inline]
    fn add_to(self, cell: &mut [u32; 3], _: Outcomes<'_>, _: Option<&[f64]>) {
        // kinds 0–2 only (u32 records are used when every row is simple)
        cell[(self & 3) as usize] += 1;
    }
    #[inline]
    fn sums(cell: &[u32; 3]) -> Option<[f64; 3]> {
        (cell[0] | cell[1] | cell[2] != 0).then(|| cell.map(f64::from))
    }
}

impl Record for u64 {
    type Cell = [f64; 3];
    #[inline]
    fn new(row: usize, cell: usize, kind: u32) -> Self {
        (row as u64) << 32 | (cell as u64) << 3 | kind as u64
    }
    #[inline]
    fn cell(self) -> usize {
        ((self & 0xffff_ffff) >> 3) as usize
    }
    #[inline]
    fn add_to(self, cell: &mut [f64; 3], outcomes: Outcomes<'_>, weights: Option<&[f64]>) {
        match (self & 7) as u32 {
            k @ 0..=2 => cell[k as usize] += 1.0,
            k => {
                let r = (self >> 32) as usize;
                let (o, w) = (outcomes.get(r), weights.map_or(1.0, |w| w[r]));
                // row_cells with the pair's lower item first.
                let (_, _, wi, wj, t) = if k == 3 { row_cells(0, 1, o, w) } else { row_cells(1, 0, o, w) };
                cell[0] += wi;
                cell[1] += wj;
                cell[2] += t;
            }
        }
    }
    #[inline]
    fn sums(cell: &[f64; 3]) -> Option<[f64; 3]> {
        (cell[0] != 0.0 || cell[1] != 0.0 || cell[2] != 0.0).then_some(*cell)
    }
}

#[allow(clippy::too_many_arguments)]
fn partitioned_with<R: Record>(
    n: usize,
    a: &[u32],
    b: &[u32],
    outcomes: Outcomes<'_>,
    weights: Option<&[f64]>,
    code: Code<'_>,
    span: usize,
    stop: &Stop,
) -> Result<PairTable> {
    let m = a.len();
    let cells = n * (n.max(1) - 1) / 2;
    // A power of two, so that a cell's partition is a shift (a division by a variable was
    // half of pass 1's time).
    let shift = usize::BITS - 1 - span.max(1).leading_zeros();
    let span = 1usize << shift;
    let parts = cells.div_ceil(span).max(1);
    const CHUNK: usize = 1 << 16;
    let chunks = m.div_ceil(CHUNK);
    // Pass 1: validate, and code each row as (row << 32) | (cell << 3) | kind, where kind says
    // how the row adds to its cell: 0 a win of the pair's lower item, 1 of the higher, 2 a tie
    // (unit weight, outcome 1, 0 or 0.5), 3 / 4 anything else with the lower item as a / b (the
    // row's outcome and weight are read again). Rows are counted per partition per chunk.
    let mut rec: Vec<R> = crate::memory::zeroed_large(m)?;
    let counted: Vec<(Vec<u32>, Reports)> = rec
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, out)| {
            let mut hist = vec![0u32; parts];
            let mut rep = Reports::default();
            if stop.stopped() {
                return (hist, rep); // the records stay zero: the pass below is not reached
            }
            for (k, slot) in out.iter_mut().enumerate() {
                let r = c * CHUNK + k;
                let (x, y) = (code.of(a[r]), code.of(b[r]));
                let (o, w) = (outcomes.get(r), weights.map_or(1.0, |w| w[r]));
                if !check_row(r, x, y, o, w, &mut rep) {
                    continue;
                }
                let (cell, kind) = cell_kind(n, x, y, o, w);
                *slot = R::new(r, cell, kind);
                hist[cell >> shift] += 1;
            }
            (hist, rep)
        })
        .collect();
    stopped(stop)?;
    let mut rep = Reports::default();
    let mut start = vec![0usize; parts + 1];
    for (hist, _) in &counted {
        for (p, &h) in hist.iter().enumerate() {
            start[p + 1] += h as usize;
        }
    }
    for p in 0..parts {
        start[p + 1] += start[p];
    }
    // Where each chunk writes its rows of each partition: chunks in order within a partition.
    let mut cursor = vec![vec![0usize; parts]; chunks];
    let mut next = start[..parts].to_vec();
    for (c, (hist, _)) in counted.iter().enumerate() {
        cursor[c].copy_from_slice(&next);
        for (at, &h) in next.iter_mut().zip(hist) {
            *at += h as usize;
        }
    }
    counted.into_iter().for_each(|(_, r)| rep.merge(r));
    rep.into_result()?;
    // Pass 2: scatter the records by partition (stable: row order within a partition).
    let mut by_part: Vec<R> = crate::memory::zeroed_large(start[parts])?;
    {
        let out = SharedSlice(by_part.as_mut_ptr());
        rec.par_chunks(CHUNK).zip(cursor.par_iter_mut()).for_each(|(recs, cur)| {
            let out = &out;
            if stop.stopped() {
                return; // its slots stay zero: the sums below are not returned
            }
            for &x in recs {
                let p = x.cell() >> shift;
                // SAFETY: each (chunk, partition) owns the disjoint range that starts at
                // cursor[c][p] and holds exactly its histogram count of slots.
                unsafe { *out.0.add(cur[p]) = x };
                cur[p] += 1;
            }
        });
    }
    drop(rec);
    stopped(stop)?;
    // Pass 3: each partition summed in its own cache-sized accumulator and its non-zero cells
    // counted; then every partition writes its cells straight into its place in the output.
    let accs: Vec<(Vec<R::Cell>, usize)> = (0..parts)
        .into_par_iter()
        .map(|p| {
            let lo_cell = p * span;
            let mut acc = vec![R::Cell::default(); span.min(cells - lo_cell)];
            if stop.stopped() {
                return (acc, 0);
            }
            for &x in &by_part[start[p]..start[p + 1]] {
                x.add_to(&mut acc[x.cell() - lo_cell], outcomes, weights);
            }
            let used = acc.iter().filter(|c| R::sums(c).is_some()).count();
            (acc, used)
        })
        .collect();
    drop(by_part); // before the output is allocated: peak memory
    stopped(stop)?;
    let k: usize = accs.iter().map(|(_, used)| used).sum();
    use crate::memory::zeroed_large;
    let mut out = PairTable { n, i: zeroed_large(k)?, j: zeroed_large(k)?, wins_i: zeroed_large(k)?, wins_j: zeroed_large(k)?, ties: zeroed_large(k)? };
    let mut pieces = Vec::with_capacity(parts);
    {
        let (mut i, mut j, mut wi, mut wj, mut t) = (&mut out.i[..], &mut out.j[..], &mut out.wins_i[..], &mut out.wins_j[..], &mut out.ties[..]);
        for (p, (acc, used)) in accs.iter().enumerate() {
            let (hi, ti) = std::mem::take(&mut i).split_at_mut(*used);
            let (hj, tj) = std::mem::take(&mut j).split_at_mut(*used);
            let (hwi, twi) = std::mem::take(&mut wi).split_at_mut(*used);
            let (hwj, twj) = std::mem::take(&mut wj).split_at_mut(*used);
            let (ht, tt) = std::mem::take(&mut t).split_at_mut(*used);
            pieces.push((p * span, acc, hi, hj, hwi, hwj, ht));
            (i, j, wi, wj, t) = (ti, tj, twi, twj, tt);
        }
    }
    pieces.into_par_iter().for_each(|(lo_cell, acc, oi, oj, owi, owj, ot)| {
        // Walk the cells of this range in (i, j) order.
        let (mut i, mut j) = cell_pair(n, lo_cell);
        let mut k = 0;
        for c in acc {
            if let Some([wi, wj, t]) = R::sums(c) {
                (oi[k], oj[k], owi[k], owj[k], ot[k]) = (i as u32, j as u32, wi, wj, t);
                k += 1;
            }
            j += 1;
            if j == n {
                i += 1;
                j = i + 1;
            }
        }
    });
    Ok(out)
}

/// A raw pointer that rayon tasks may share; each task writes a disjoint set of indices.
struct SharedSlice<R>(*mut R);
unsafe impl<R> Sync for SharedSlice<R> {}
unsafe impl<R> Send for SharedSlice<R> {}

/// The pair (i, j) of packed-triangle cell `cell` (inverse of [`tri`]).
fn cell_pair(n: usize, cell: usize) -> (usize, usize) {
    // Row i starts at tri(n, i, i + 1) = i(2n − i − 1)/2; find the last start ≤ cell.
    let (mut lo, mut hi) = (0usize, n.saturating_sub(1));
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if tri(n, mid, mid + 1) <= cell {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if hi < n.saturating_sub(1) && tri(n, hi, hi + 1) <= cell {
        lo = hi;
    }
    (lo, lo + 1 + (cell - tri(n, lo, lo + 1)))
}

fn reduce_sparse(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
    let m = a.len();
    validate_rows(a, b, outcomes, weights)?;
    stopped(stop)?;
    if n < (1 << 31) && simple_rows(outcomes, weights) {
        return sparse_simple(n, a, b, outcomes, code, stop);
    }
    // Sort rows by pair key (row index breaks ties, so the order — and the sums — are fixed).
    let mut keyed: Vec<(u64, u32)> = crate::memory::try_with_capacity(m)?;
    if m > u32::MAX as usize {
        return Err(Error::InvalidArgument("more than 2^32 - 1 rows in one reduce".into()));
    }
    keyed.par_extend((0..m).into_par_iter().map(|r| {
        let (x, y) = (code.of(a[r]) as u64, code.of(b[r]) as u64);
        let (lo, hi) = if x < y { (x, y) } else { (y, x) };
        ((lo << 32) | hi, r as u32)
    }));
    stopped(stop)?;
    keyed.par_sort_unstable();
    stopped(stop)?;
    let mut t = PairTable::with_capacity(n, distinct(keyed.iter().map(|k| k.0)))?;
    let mut last = u64::MAX;
    for (q, &(key, r)) in keyed.iter().enumerate() {
        if q % POLL_ROWS == 0 {
            stopped(stop)?;
        }
        let r = r as usize;
        let (i, j, wi, wj, tt) = row_cells(code.of(a[r]), code.of(b[r]), outcomes.get(r), weights.map_or(1.0, |w| w[r]));
        if key != last {
            t.i.push(i);
            t.j.push(j);
            t.wins_i.push(0.0);
            t.wins_j.push(0.0);
            t.ties.push(0.0);
            last = key;
        }
        let p = t.i.len() - 1;
        t.wins_i[p] += wi;
        t.wins_j[p] += wj;
        t.ties[p] += tt;
    }
    // Drop pairs that only had zero weight.
    let keep: Vec<bool> = (0..t.len()).map(|p| t.wins_i[p] != 0.0 || t.wins_j[p] != 0.0 || t.ties[p] != 0.0).collect();
    if keep.iter().any(|k| !k) {
        let mut k = keep.iter();
        t.i.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        t.j.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        t.wins_i.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        t.wins_j.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        t.ties.retain(|_| *k.next().unwrap());
    }
    Ok(t)
}

/// [`reduce_sparse`] for simple rows (see [`simple_rows`]): one `u64` per row, `(pair << 2) |
/// kind` with kind 0 = the lower code won, 1 = the higher won, 2 = a tie, sorted, then counted
/// run by run — no per-row lookups after the sort. Counts are whole numbers, so the table is
/// the one the general path gives, bit for bit.
fn sparse_simple(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
    let m = a.len();
    let mut keys: Vec<u64> = crate::memory::try_with_capacity(m)?;
    keys.par_extend((0..m).into_par_iter().map(|r| {
        let (x, y) = (code.of(a[r]) as u64, code.of(b[r]) as u64);
        let o = outcomes.get(r);
        let kind = if o == 0.5 {
            2
        } else {
            // The winner is a (o = 1) or b (o = 0); kind 0 when it has the lower code.
            ((o == 1.0) != (x < y)) as u64
        };
        let (lo, hi) = if x < y { (x, y) } else { (y, x) };
        (lo * n as u64 + hi) << 2 | kind
    }));
    stopped(stop)?;
    keys.par_sort_unstable();
    stopped(stop)?;
    let mut t = PairTable::with_capacity(n, distinct(keys.iter().map(|k| k >> 2)))?;
    let mut last = u64::MAX;
    for (q, &k) in keys.iter().enumerate() {
        if q % POLL_ROWS == 0 {
            stopped(stop)?;
        }
        let pair = k >> 2;
        if pair != last {
            t.i.push((pair / n as u64) as u32);
            t.j.push((pair % n as u64) as u32);
            t.wins_i.push(0.0);
            t.wins_j.push(0.0);
            t.ties.push(0.0);
            last = pair;
        }
        let p = t.i.len() - 1;
        match k & 3 {
            0 => t.wins_i[p] += 1.0,
            1 => t.wins_j[p] += 1.0,
            _ => t.ties[p] += 1.0,
        }
    }
    Ok(t)
}

/// The number of runs of equal keys in a sorted sequence (the pairs of a sorted reduce).
fn distinct(sorted: impl Iterator<Item = u64>) -> usize {
    let mut last = None;
    sorted.filter(|&k| last.replace(k) != Some(k)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn small_table_by_hand() {
        let a = [0, 1, 2, 0];
        let b = [1, 0, 0, 1];
        let o = [1.0, 1.0, 0.5, 0.25];
        let t = reduce(3, &a, &b, Outcomes::Values(&o), None).unwrap();
        assert_eq!(t.i, vec![0, 0]);
        assert_eq!(t.j, vec![1, 2]);
        assert_eq!(t.wins_i, vec![1.25, 0.0]);
        assert_eq!(t.wins_j, vec![1.75, 0.0]);
        assert_eq!(t.ties, vec![0.0, 1.0]);
    }

    #[test]
    fn relabel_flips_and_sorts() {
        let t = reduce(3, &[0, 1, 2], &[1, 2, 0], Outcomes::Values(&[1.0, 1.0, 0.5]), None).unwrap();
        // 0→2, 1→0, 2→1: pair (0,1) becomes (0,2) flipped, (1,2) becomes (0,1), (0,2) becomes (1,2).
        let r = t.relabel(&[2, 0, 1]).unwrap();
        assert_eq!(r.i, vec![0, 0, 1]);
        assert_eq!(r.j, vec![1, 2, 2]);
        assert_eq!(r.wins_i, vec![1.0, 0.0, 0.0]);
        assert_eq!(r.wins_j, vec![0.0, 1.0, 0.0]);
        assert_eq!(r.ties, vec![0.0, 0.0, 1.0]);
        assert!(t.relabel(&[0, 0, 1]).is_err());
    }

    #[test]
    fn dense_and_sparse_agree() {
        let mut s = 7u64;
        let n = 30;
        let m = 5000;
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut o = Vec::new();
        let mut w = Vec::new();
        for _ in 0..m {
            let x = (lcg(&mut s) % n) as u32;
            let y = ((x as u64 + 1 + lcg(&mut s) % (n - 1)) % n) as u32;
            a.push(x);
            b.push(y);
            o.push([0.0, 0.5, 1.0][(lcg(&mut s) % 3) as usize]);
            w.push((lcg(&mut s) % 4) as f64);
        }
        let d = reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), &Stop::never()).unwrap();
        let sp = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), &Stop::never()).unwrap();
        assert_eq!(d, sp);
        let sp_unit = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap();
        // Unit weights and outcomes in {0, ½, 1}: the dense path counts them in u32 cells.
        assert_eq!(reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap(), sp_unit);
        let codes: Vec<u32> = o.iter().map(|&v| (2.0 * v) as u32).collect();
        let coded = Outcomes::Coded { codes: &codes, values: &[0.0, 0.5, 1.0] };
        assert_eq!(reduce_dense(n as usize, &a, &b, coded, None, Code(None), &Stop::never()).unwrap(), sp_unit);
        // Unit weights take the compact sparse path; explicit weights of 1 the general one.
        let ones = vec![1.0; m];
        assert_eq!(sp_unit, reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&ones), Code(None), &Stop::never()).unwrap());
        let perm: Vec<u32> = (0..n as u32).map(|k| (k * 11 + 5) % n as u32).collect();
        assert_eq!(
            reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), None, Code(Some(&perm)), &Stop::never()).unwrap(),
            reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&ones), Code(Some(&perm)), &Stop::never()).unwrap()
        );
        for span in [1, 7, 100, 434, 435, 10_000] {
            let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), span, &Stop::never()).unwrap();
            assert_eq!(part, sp, "span {span}");
            // Unit weights and outcomes in {0, ½, 1}: the compact 4-byte records.
            let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), span, &Stop::never()).unwrap();
            assert_eq!(part, sp_unit, "span {span}");
        }
        for n in 2..40 {
            for cell in 0..n * (n - 1) / 2 {
                let (i, j) = cell_pair(n, cell);
                assert!(i < j && j < n && tri(n, i, j) == cell, "n {n} cell {cell}");
            }
        }
        // Renaming on the way equals renaming afterwards, on both paths.
        let perm: Vec<u32> = (0..n as u32).map(|k| (k * 7 + 3) % n as u32).collect();
        let after = d.relabel(&perm).unwrap();
        let dense = reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), &Stop::never()).unwrap();
        let sparse = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), &Stop::never()).unwrap();
        assert_eq!(dense, after);
        assert_eq!(sparse, after);
        let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), 50, &Stop::never()).unwrap();
        assert_eq!(part, after);
        assert!(reduce_relabelled(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Some(&[0, 0])).is_err());
    }

    /// The first bad entry of a pair table is named, in whichever chunk it lies, for each
    /// kind of fault; a good table passes.
    #[test]
    fn validate_names_the_first_bad_entry() {
        let k = 40_000;
        let good = PairTable {
            n: 500,
            i: (0..k).map(|p| (p % 400) as u32).collect(),
            j: (0..k).map(|p| (p % 400 + 1 + p % 99) as u32).collect(),
            wins_i: vec![1.0; k],
            wins_j: vec![0.5; k],
            ties: vec![0.0; k],
        };
        good.as_ref().validate().unwrap();
        for at in [0, 16_383, 16_384, 39_999] {
            let cases: [(&str, Box<dyn Fn(&mut PairTable)>); 5] = [
                ("i < j < n", Box::new(move |t| t.j[at] = t.i[at])),
                ("i < j < n", Box::new(move |t| t.j[at] = 500)),
                ("finite", Box::new(move |t| t.wins_i[at] = f64::NAN)),
                ("finite", Box::new(move |t| t.wins_j[at] = -1.0)),
                ("finite", Box::new(move |t| t.ties[at] = f64::INFINITY)),
            ];
            for (what, spoil) in cases {
                let mut bad = good.clone();
                spoil(&mut bad);
                if at + 7 < k {
                    bad.wins_i[at + 7] = f64::NAN; // a later fault is not the one named
                }
                let msg = bad.as_ref().validate().unwrap_err().to_string();
                assert!(msg.contains(&format!("entry {at}:")) && msg.contains(what), "{msg}");
            }
        }
    }

    #[test]
    fn bad_rows_are_reported_in_order() {
        let a = [0, 1, 1, 2];
        let b = [1, 1, 0, 2];
        let o = [1.0, 0.0, 2.0, 0.0];
        match reduce(3, &a, &b, Outcomes::Values(&o), None) {
            Err(Error::SelfComparison { rows, count }) => {
                assert_eq!(rows, vec![1, 3]);
                assert_eq!(count, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        let w = [1.0, f64::NAN, -1.0, 1.0];
        let a = [0, 1, 1, 2];
        let b = [1, 0, 0, 0];
        let o = [1.0, 0.0, 1.0, 0.0];
        assert!(matches!(reduce(3, &a, &b, Outcomes::Values(&o), Some(&w)), Err(Error::InvalidWeight { count: 2, .. })));
        let o = [1.0, f64::NAN, 1.0, 0.0];
        assert!(matches!(reduce(3, &a, &b, Outcomes::Values(&o), None), Err(Error::OutcomeRange { count: 1, .. })));
        // The partitioned path reports the same rows, in order, across chunks.
        let m = 200_000;
        let a: Vec<u32> = (0..m).map(|r| (r % 7) as u32).collect();
        let b: Vec<u32> = (0..m).map(|r| if r % 50_000 == 3 { (r % 7) as u32 } else { ((r + 1) % 7) as u32 }).collect();
        let o = vec![1.0; m];
        let want = reduce_sparse(7, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never());
        assert!(matches!(&want, Err(Error::SelfComparison { rows, count: 4 }) if rows == &vec![3, 50_003, 100_003, 150_003]));
        assert_eq!(reduce_partitioned(7, &a, &b, Outcomes::Values(&o), None, Code(None), 4, &Stop::never()), want);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test --release -p rankagg-core timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn dense_vs_partitioned_n1000_m1m() {
        let (n, m) = (1000usize, 1_000_000usize);
        let mut s = 1u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 33
        };
        let a: Vec<u32> = (0..m).map(|_| (next() % n as u64) as u32).collect();
        let b: Vec<u32> = a.iter().map(|&x| ((x as u64 + 1 + next() % (n as u64 - 1)) % n as u64) as u32).collect();
        let o: Vec<f64> = (0..m).map(|_| [0.0, 0.5, 1.0][(next() % 3) as usize]).collect();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let d = reduce_dense(n, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap();
            let td = t.elapsed();
            let t = std::time::Instant::now();
            let p = reduce_partitioned(n, &a, &b, Outcomes::Values(&o), None, Code(None), CACHE_BLOCK_BYTES / 24, &Stop::never()).unwrap();
            let tp = t.elapsed();
            assert_eq!(d, p);
            println!("dense {td:?} partitioned {tp:?}");
        }
    }
}
