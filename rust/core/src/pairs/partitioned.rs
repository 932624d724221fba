//! The partitioned reduce: the dense reduce for triangles larger than a cache. Rows are
//! bucketed (stably) by the range of cells their pair falls in, and each range is summed in
//! its own cache-sized accumulator.

use rayon::prelude::*;

use super::dense::{cell_kind, tri};
use super::validate::{check_row, row_cells, Reports};
use super::{scatter_layout, simple_rows, stopped, Code, Outcomes, PairTable, SharedSlice};
use crate::error::Result;
use crate::interrupt::Stop;

/// The dense reduce for triangles larger than a cache: rows are bucketed (stably) by the range
/// of cells their pair falls in, then each range — `span` cells, an accumulator that stays in
/// cache — is summed on its own, rows in order. Every cell is summed in row order, so the
/// table is bit-identical for any thread count, and equals the sparse reduce's.
#[allow(clippy::too_many_arguments)]
pub(super) fn reduce_partitioned(
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
    let (start, mut cursor) = scatter_layout(counted.iter().map(|(hist, _)| hist.as_slice()), parts);
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

/// The pair (i, j) of packed-triangle cell `cell` (inverse of [`tri`]).
pub(super) fn cell_pair(n: usize, cell: usize) -> (usize, usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_pair_inverts_tri() {
        for n in 2..40 {
            for cell in 0..n * (n - 1) / 2 {
                let (i, j) = cell_pair(n, cell);
                assert!(i < j && j < n && tri(n, i, j) == cell, "n {n} cell {cell}");
            }
        }
    }
}

#[cfg(test)]
mod timing {
    use super::super::{dense::reduce_dense, random_rows, CACHE_BLOCK_BYTES};
    use super::*;

    /// `cargo test --release -p rankagg-core timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn dense_vs_partitioned_n1000_m1m() {
        let n = 1000;
        let (a, b, o) = random_rows(n, 1_000_000, 1);
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
