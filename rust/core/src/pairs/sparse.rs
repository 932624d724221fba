//! The sparse reduce: rows sorted by pair (the row index breaks ties, so sums are in a fixed
//! order), then summed run by run. For more pairs than rows.
//!
//! The sort answers Ctrl-C within milliseconds ([`sorted_keys`]): the keys are bucketed by
//! their top bits (a counting pass and a stable scatter, like the partitioned reduce's) and
//! each bucket, ~64k keys, is sorted on its own; the stop flag is read between chunks of rows
//! and between buckets. One parallel sort of all keys could not be stopped (0.7–1 s at 20M rows).

use rayon::prelude::*;

use super::validate::{row_cells, validate_rows};
use super::{bucket_rows, by_item, simple_rows, stopped, Code, Outcomes, PairTable, POLL_ROWS};
use crate::error::{Error, Result};
use crate::interrupt::Stop;
use crate::memory::zeroed_large;

pub(super) fn reduce_sparse(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
    let m = a.len();
    if weights.is_none() && by_item::suits(n, m) {
        // Checks its rows in its first pass (decision 40): `None` for a self-comparison (worded
        // by `validate_rows` below) or an outcome other than 0, ½, 1 (then the paths below).
        if let Some(t) = by_item::reduce_by_item(n, a, b, outcomes, code, stop)? {
            return Ok(t);
        }
    }
    validate_rows(a, b, outcomes, weights)?;
    stopped(stop)?;
    if n < (1 << 31) && simple_rows(outcomes, weights) {
        return sparse_simple(n, a, b, outcomes, code, stop);
    }
    // Sort rows by pair key (row index breaks ties, so the order — and the sums — are fixed).
    if m > u32::MAX as usize {
        return Err(Error::InvalidArgument("more than 2^32 - 1 rows in one reduce".into()));
    }
    let top = (n.max(1) as u64 - 1) << 32 | (n.max(1) as u64 - 1);
    let key = |r: usize| {
        let (x, y) = (code.of(a[r]) as u64, code.of(b[r]) as u64);
        let (lo, hi) = if x < y { (x, y) } else { (y, x) };
        ((lo << 32) | hi, r as u32)
    };
    let keyed = sorted_keys(m, top, key, |k| k.0, stop)?;
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
pub(super) fn sparse_simple(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, code: Code<'_>, stop: &Stop) -> Result<PairTable> {
    let m = a.len();
    let key = |r: usize| {
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
    };
    let keys = sorted_keys(m, ((n * n) as u64) << 2, key, |k| k, stop)?;
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

/// Rows per chunk of [`sorted_keys`]' two passes (at least), and keys per bucket (about).
const SORT_CHUNK: usize = 1 << 16;
/// Most chunks and most buckets of [`sorted_keys`] (their layout is chunks × buckets offsets).
const MAX_PIECES: usize = 1024;

/// `key(r)` for every row `r < m`, sorted, reading `stop` between pieces of ~1 ms of work. A
/// counting pass buckets the keys by `rank(key) >> shift` (`rank` monotone in the key, at most
/// `top`), a second pass computes them again and scatters them stably into their buckets (no
/// buffer besides the output), then the buckets are sorted on their own, in parallel. The
/// result equals a sort of all the keys, for any thread count. `key` and `rank` must be pure:
/// both passes must see the same keys.
fn sorted_keys<K: Ord + Copy + Default + Send + Sync>(
    m: usize,
    top: u64,
    key: impl Fn(usize) -> K + Sync,
    rank: impl Fn(K) -> u64 + Sync,
    stop: &Stop,
) -> Result<Vec<K>> {
    let chunk = m.div_ceil(MAX_PIECES).max(SORT_CHUNK);
    let want = (m / SORT_CHUNK).clamp(1, MAX_PIECES);
    // The smallest shift that leaves at most `want` buckets (top >> shift < 2^⌊log2 want⌋).
    let shift = (u64::BITS - top.leading_zeros()).saturating_sub(usize::BITS - 1 - want.leading_zeros());
    let parts = (top >> shift) as usize + 1;
    let bucket = |k: K| {
        let r = rank(k);
        debug_assert!(r <= top);
        (r >> shift) as usize
    };
    let (start, mut out) = bucket_rows(
        m,
        parts,
        chunk,
        |r| {
            let k = key(r);
            (bucket(k), k)
        },
        || false,
        stop,
    )?
    .ok_or_else(|| Error::InvalidArgument("sorted_keys: rows refused without a test (a bug)".into()))?;
    let mut pieces: Vec<&mut [K]> = Vec::with_capacity(parts);
    let mut rest = out.as_mut_slice();
    for p in 0..parts {
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(start[p + 1] - start[p]);
        pieces.push(piece);
        rest = tail;
    }
    pieces.into_par_iter().try_for_each(|piece| {
        if stop.stopped() {
            Ok(())
        } else if piece.len() > 16 * SORT_CHUNK {
            // A bucket far past its share (keys crowded in a few pairs).
            sort_crowded(piece, stop)
        } else {
            piece.sort_unstable();
            Ok(())
        }
    })?;
    stopped(stop)?;
    Ok(out)
}

/// Sorts a crowded bucket so that `stop` is read between pieces of work: runs of
/// `SORT_CHUNK` keys sorted in parallel, then merged pairwise, each round in parallel over
/// its pairs (one round is a pass over the bucket: tens of ms at 20M keys), through a buffer
/// of the bucket's size (a fallible allocation). When stopped, the bucket is left unsorted
/// (the caller returns `Interrupted`).
fn sort_crowded<K: Ord + Copy + Default + Send + Sync>(piece: &mut [K], stop: &Stop) -> Result<()> {
    piece.par_chunks_mut(SORT_CHUNK).for_each(|run| {
        if !stop.stopped() {
            run.sort_unstable();
        }
    });
    let mut buffer: Vec<K> = zeroed_large(piece.len())?;
    let (mut from, mut to): (&mut [K], &mut [K]) = (piece, &mut buffer);
    let mut in_buffer = false;
    let mut width = SORT_CHUNK;
    while width < from.len() {
        stopped(stop)?;
        from.par_chunks(2 * width).zip(to.par_chunks_mut(2 * width)).for_each(|(src, dst)| {
            let (left, right) = src.split_at(width.min(src.len()));
            merge(left, right, dst);
        });
        std::mem::swap(&mut from, &mut to);
        in_buffer = !in_buffer;
        width *= 2;
    }
    if in_buffer {
        to.copy_from_slice(from); // `to` is the bucket again
    }
    Ok(())
}

/// Merges two sorted runs into `dst` (their total length), stably.
fn merge<K: Ord + Copy>(left: &[K], right: &[K], dst: &mut [K]) {
    let (mut i, mut j) = (0, 0);
    for d in dst.iter_mut() {
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            *d = left[i];
            i += 1;
        } else {
            *d = right[j];
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucketed sort equals a plain sort, for spread and crowded keys, key counts around
    /// the chunk and bucket sizes, and a stop raised before it starts.
    #[test]
    fn sorted_keys_equal_a_sort() {
        let mut s = 3u64;
        let mut next = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 11
        };
        // Several chunks and buckets from 2 × SORT_CHUNK keys on (kept small: a debug build).
        for m in [0, 1, 5, SORT_CHUNK - 1, 3 * SORT_CHUNK + 17] {
            for top in [0u64, 1000, (1 << 53) - 1] {
                let keys: Vec<u64> = (0..m).map(|_| next() % (top + 1)).collect();
                let mut want = keys.clone();
                want.sort_unstable();
                let got = sorted_keys(m, top, |r| keys[r], |k| k, &Stop::never()).unwrap();
                assert_eq!(got, want, "m {m} top {top}");
                // Pairs keyed by their first field, ties broken by the second (the row).
                let got = sorted_keys(m, top, |r| (keys[r], r as u32), |k| k.0, &Stop::never()).unwrap();
                assert!(got.windows(2).all(|w| w[0] < w[1]) && got.len() == m, "m {m} top {top}");
            }
        }
        let stop = Stop::raised();
        assert!(matches!(sorted_keys(10, 10, |r| r as u64, |k| k, &stop), Err(Error::Interrupted)));
    }

    /// A crowded bucket's sort (runs, then merge rounds) equals a plain sort for run counts
    /// that are and are not powers of two and a ragged last run, and a raised stop ends it
    /// with `Interrupted` between rounds.
    #[test]
    fn crowded_buckets_sort_as_a_plain_sort() {
        let mut s = 5u64;
        let mut next = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            s >> 11
        };
        for len in [1, SORT_CHUNK, SORT_CHUNK + 1, 2 * SORT_CHUNK, 3 * SORT_CHUNK + 5, 4 * SORT_CHUNK - 1, 5 * SORT_CHUNK] {
            // Few distinct ranks, rows below: the crowded shape (pairs, rows).
            let mut keys: Vec<(u64, u32)> = (0..len).map(|r| (next() % 3, r as u32)).rev().collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_crowded(&mut keys, &Stop::never()).unwrap();
            assert_eq!(keys, want, "len {len}");
        }
        let mut keys: Vec<u64> = (0..3 * SORT_CHUNK as u64).rev().collect();
        assert!(matches!(sort_crowded(&mut keys, &Stop::raised()), Err(Error::Interrupted)));
        // Through sorted_keys: every key in one bucket, past 16 chunks.
        let m = 16 * SORT_CHUNK + 3;
        let got = sorted_keys(m, 1 << 40, |r| ((m - r) % 2) as u64, |k| k, &Stop::never()).unwrap();
        assert!(got.windows(2).all(|w| w[0] <= w[1]) && got.iter().filter(|&&k| k == 0).count() == m / 2);
    }
}
