//! The sparse reduce: rows sorted by pair (the row index breaks ties, so sums are in a fixed
//! order), then summed run by run. For more pairs than rows.

use rayon::prelude::*;

use super::validate::{row_cells, validate_rows};
use super::{simple_rows, stopped, Code, Outcomes, PairTable, POLL_ROWS};
use crate::error::{Error, Result};
use crate::interrupt::Stop;

pub(super) fn reduce_sparse(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
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
