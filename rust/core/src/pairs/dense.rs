//! The dense reduce: per block of rows a packed upper triangle of `[wins_i, wins_j, ties]`
//! cells, block sums added in block order. For triangles that fit a core's cache.

use rayon::prelude::*;

use super::validate::{check_row, row_cells, Reports};
use super::{simple_rows, stopped, Code, Outcomes, PairTable, MAX_BLOCKS, MIN_BLOCK_ROWS, POLL_ROWS};
use crate::error::Result;
use crate::interrupt::Stop;

/// A valid row's cell in the packed triangle and how it adds to it: 0 a win of the pair's
/// lower item, 1 of the higher, 2 a tie (unit weight, outcome 1, 0 or ½), 3 / 4 anything else
/// with the lower item as a / b. Without branches: outcomes and item order are random, and a
/// branch on them was mispredicted on most rows (half the time of a reduce).
#[inline]
pub(super) fn cell_kind(n: usize, x: u32, y: u32, o: f64, w: f64) -> (usize, u32) {
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
pub(super) fn tri(n: usize, i: usize, j: usize) -> usize {
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

pub(super) fn reduce_dense(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
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
