//! The sort-free sparse reduce (issue 20, decision 40): simple rows (unit weights, outcomes 0,
//! ½, 1) over at most [`MAX_ITEMS`] items, more pairs than rows. Rows are bucketed by their
//! pair's lower item (a counting pass and a stable scatter of one `u32` per row, `hi << 2 |
//! kind`: a counting sort over `n` buckets, O(m + n)); then each lower item's rows are counted
//! in a scratch row of `n` cells with a bitmap of the cells touched, and the bitmap, read word
//! by word, gives the pairs in order of the higher item. No comparison sort: O(m + n²/64).
//!
//! Counts are whole numbers, so the table is the one [`super::sparse`]'s sorted reduce gives,
//! bit for bit, in the same (i, j) order. The stop flag is read every [`POLL_ROWS`] rows in
//! the two row passes and per lower item afterwards.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{bucket_rows, stopped, Code, Outcomes, PairTable, SharedSlice};
use crate::error::Result;
use crate::interrupt::Stop;
use crate::memory::large_vec;

/// Most items: a scratch row is `12 n` bytes (768 KiB), per task.
pub(super) const MAX_ITEMS: usize = 1 << 16;
/// Most chunks of the two row passes (their layout is chunks × `n` offsets).
const MAX_CHUNKS: usize = 64;
/// Rows per chunk, at least.
const MIN_CHUNK_ROWS: usize = 1 << 16;
/// Records per task of the counting passes, about (a task takes whole lower items).
const TASK_RECORDS: usize = 1 << 16;

/// Whether [`reduce_by_item`] suits `m` simple rows over `n` items: few enough items for a
/// scratch row, a bitmap scan (n²/64 words in all) no costlier than a pass over the rows, and
/// fewer rows than a `u32` count can overflow on.
pub(super) fn suits(n: usize, m: usize) -> bool {
    n <= MAX_ITEMS && n * n <= m.saturating_mul(64) && m < u32::MAX as usize
}

/// The pair table of simple rows (unit weights, outcomes 0, ½, 1; codes below `n`, checked by
/// the caller), through per-item counting (module docs). `Ok(None)` when a row compares an
/// item with itself or has an outcome other than 0, ½, 1 (a code outside a coded outcome's
/// table included): the caller then words the error (`validate_rows`) or takes the general
/// path; this first pass spares both a pass of their own on simple rows. The first pass ends
/// at the next [`POLL_ROWS`](super::POLL_ROWS) rows once such a row is seen.
pub(super) fn reduce_by_item(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, code: Code<'_>, stop: &Stop) -> Result<Option<PairTable>> {
    // One copy of the passes per kind of outcome column and renaming (the row closures
    // inlined, no match per row).
    match outcomes {
        Outcomes::Values(v) => renamed(n, a, b, |r| v[r], code, stop),
        Outcomes::Coded { codes, values } => renamed(n, a, b, |r| values.get(codes[r] as usize).copied().unwrap_or(f64::NAN), code, stop),
        Outcomes::AllWins => renamed(n, a, b, |_| 1.0, code, stop),
    }
}

/// [`reduce_by_item`] for one kind of outcome column, dispatched on the renaming.
fn renamed(n: usize, a: &[u32], b: &[u32], outcome: impl Fn(usize) -> f64 + Sync, code: Code<'_>, stop: &Stop) -> Result<Option<PairTable>> {
    match code.0 {
        None => counted(n, a, b, outcome, |x| x, stop),
        Some(rename) => counted(n, a, b, outcome, |x| rename[x as usize], stop),
    }
}

/// A row's lower item, its record (the higher item and the kind: 0 the lower item won, 1
/// the higher won, 2 a tie, as in `sparse_simple`'s keys) and whether the row is refused (a
/// self-comparison, an outcome other than 0, ½, 1). Branch-free.
#[inline(always)]
fn row_record(x: u32, y: u32, o: f64) -> (usize, u32, bool) {
    let refused = (x == y) | !((o == 0.0) | (o == 0.5) | (o == 1.0));
    let kind = if o == 0.5 { 2 } else { ((o == 1.0) != (x < y)) as u32 };
    (x.min(y) as usize, x.max(y) << 2 | kind, refused)
}

/// [`reduce_by_item`] with the outcome and the renaming as plain functions.
fn counted(n: usize, a: &[u32], b: &[u32], outcome: impl Fn(usize) -> f64 + Sync, code: impl Fn(u32) -> u32 + Sync, stop: &Stop) -> Result<Option<PairTable>> {
    let m = a.len();
    debug_assert!(n <= MAX_ITEMS);
    let bad = AtomicBool::new(false);
    let record = |r: usize| -> (usize, u32) {
        let (lo, rec, refused) = row_record(code(a[r]), code(b[r]), outcome(r));
        if refused {
            bad.store(true, Ordering::Relaxed);
        }
        (lo, rec)
    };
    let chunk = m.div_ceil(MAX_CHUNKS).max(MIN_CHUNK_ROWS);
    // Passes 1 and 2: the records, bucketed by lower item (a stable counting sort; the order
    // within an item does not matter to the counts, but keeps the passes deterministic). The
    // first pass checks the rows too, and ends early once one is refused.
    let Some((start, recs)) = bucket_rows(m, n, chunk, record, || bad.load(Ordering::Relaxed), stop)? else {
        return Ok(None);
    };
    // Tasks: runs of whole lower items of about TASK_RECORDS records (split by size only).
    let mut bounds = vec![0usize];
    for lo in 0..n {
        if start[lo + 1] - start[bounds[bounds.len() - 1]] >= TASK_RECORDS {
            bounds.push(lo + 1);
        }
    }
    if bounds[bounds.len() - 1] < n {
        bounds.push(n);
    }
    let tasks: Vec<std::ops::Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
    let words = n.div_ceil(64);
    let bucket = |lo: usize| &recs[start[lo]..start[lo + 1]];
    // Pass 3: distinct pairs per task (bits set, counted, then cleared record by record).
    let distinct: Vec<usize> = tasks
        .par_iter()
        .map_init(
            || vec![0u64; words],
            |seen, items| {
                let mut k = 0;
                for lo in items.clone() {
                    if stop.stopped() {
                        return 0;
                    }
                    for &rec in bucket(lo) {
                        let hi = (rec >> 2) as usize;
                        let bit = 1u64 << (hi % 64);
                        k += (seen[hi / 64] & bit == 0) as usize;
                        seen[hi / 64] |= bit;
                    }
                    bucket(lo).iter().for_each(|&rec| seen[(rec >> 2) as usize / 64] = 0);
                }
                k
            },
        )
        .collect();
    stopped(stop)?;
    let total: usize = distinct.iter().sum();
    // Not zeroed: pass 4 writes every slot once (its first touch of the pages).
    let mut t = PairTable { n, i: large_vec(total)?, j: large_vec(total)?, wins_i: large_vec(total)?, wins_j: large_vec(total)?, ties: large_vec(total)? };
    // Pass 4: each task counts its items' rows in a scratch row and writes its pairs, in (i, j)
    // order, into its own slice of the table.
    let mut first = vec![0usize; tasks.len() + 1];
    for (x, &k) in distinct.iter().enumerate() {
        first[x + 1] = first[x] + k;
    }
    let out = (
        SharedSlice(t.i.as_mut_ptr()),
        SharedSlice(t.j.as_mut_ptr()),
        SharedSlice(t.wins_i.as_mut_ptr()),
        SharedSlice(t.wins_j.as_mut_ptr()),
        SharedSlice(t.ties.as_mut_ptr()),
    );
    tasks.par_iter().enumerate().for_each_init(
        || (vec![[0u32; 3]; n], vec![0u64; words]),
        |(cells, seen), (x, items)| {
            let out = &out;
            let mut k = first[x];
            for lo in items.clone() {
                if stop.stopped() {
                    return; // the table is not returned
                }
                for &rec in bucket(lo) {
                    let hi = (rec >> 2) as usize;
                    cells[hi][(rec & 3) as usize] += 1;
                    seen[hi / 64] |= 1 << (hi % 64);
                }
                // The pairs (lo, hi) with hi > lo, hi ascending: set bits from lo's word on.
                for w in lo / 64..words {
                    let mut bits = std::mem::take(&mut seen[w]);
                    while bits != 0 {
                        let hi = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let [c0, c1, c2] = std::mem::take(&mut cells[hi]);
                        debug_assert!(k < first[x + 1]);
                        // SAFETY: task x owns slots first[x]..first[x + 1] of the five columns
                        // (capacity `total`): pass 3 counted exactly its pairs, written once each.
                        unsafe {
                            out.0 .0.add(k).write(lo as u32);
                            out.1 .0.add(k).write(hi as u32);
                            out.2 .0.add(k).write(f64::from(c0));
                            out.3 .0.add(k).write(f64::from(c1));
                            out.4 .0.add(k).write(f64::from(c2));
                        }
                        k += 1;
                    }
                }
            }
        },
    );
    stopped(stop)?;
    // SAFETY: not stopped, so every task wrote all of its slots: 0..total are initialised.
    unsafe {
        t.i.set_len(total);
        t.j.set_len(total);
        t.wins_i.set_len(total);
        t.wins_j.set_len(total);
        t.ties.set_len(total);
    }
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::super::dense::reduce_dense;
    use super::super::random_rows;
    use super::super::sparse::sparse_simple;
    use super::*;
    use crate::error::Error;

    /// The per-item reduce equals the sorted sparse reduce (and the dense one) bit for bit: item
    /// counts around a bitmap word and the task size, float and coded outcomes, a renaming.
    #[test]
    fn equals_the_sorted_reduce() {
        for (n, m) in [(2, 10), (63, 500), (64, 3000), (65, 3000), (130, 70_000), (300, 200_000)] {
            let (a, b, o) = random_rows(n, m, n as u64);
            let want = sparse_simple(n, &a, &b, Outcomes::Values(&o), Code(None), &Stop::never()).unwrap();
            let got = reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(None), &Stop::never()).unwrap().unwrap();
            assert_eq!(got, want, "n {n} m {m}");
            assert_eq!(got, reduce_dense(n, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap(), "n {n} m {m}");
            let codes: Vec<u32> = o.iter().map(|&v| (2.0 * v) as u32).collect();
            let coded = Outcomes::Coded { codes: &codes, values: &[0.0, 0.5, 1.0] };
            assert_eq!(reduce_by_item(n, &a, &b, coded, Code(None), &Stop::never()).unwrap().unwrap(), want);
            // Renamed on the way: the same as renaming the table afterwards.
            let rename: Vec<u32> = (0..n as u32).map(|k| (k * 7 + 3) % n as u32).collect();
            let rename = if n % 7 == 0 { (0..n as u32).rev().collect() } else { rename };
            let got = reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(Some(&rename)), &Stop::never()).unwrap().unwrap();
            assert_eq!(got, want.relabel(&rename).unwrap(), "n {n} m {m} renamed");
        }
    }

    /// Rows in another order, or with a and b swapped and the outcome flipped, give the same table.
    #[test]
    fn row_order_and_orientation_do_not_matter() {
        let n = 200;
        let (a, b, o) = random_rows(n, 50_000, 11);
        let want = reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(None), &Stop::never()).unwrap().unwrap();
        let rev = |v: &[u32]| v.iter().rev().copied().collect::<Vec<u32>>();
        let o_rev: Vec<f64> = o.iter().rev().map(|&v| 1.0 - v).collect();
        // Reversed rows, each with its items swapped (so the outcome flips).
        let got = reduce_by_item(n, &rev(&b), &rev(&a), Outcomes::Values(&o_rev), Code(None), &Stop::never()).unwrap().unwrap();
        assert_eq!(got, want);
    }

    /// A self-comparison or a coded outcome outside its table: no table, and through the public
    /// reduce the error `validate_rows` words for those rows.
    #[test]
    fn bad_rows_are_refused_and_worded_by_the_row_check() {
        // n² ≤ 64 m and more pairs than rows: `reduce` takes the per-item path.
        let n = 500;
        let (mut a, b, o) = random_rows(n, 5_000, 4);
        assert!(suits(n, a.len()) && n * (n - 1) / 2 > 2 * a.len() + (1 << 16));
        let codes: Vec<u32> = o.iter().map(|&v| (2.0 * v) as u32).collect();
        let mut far = codes.clone();
        far[4321] = 7;
        let values = [0.0, 0.5, 1.0];
        let coded = Outcomes::Coded { codes: &far, values: &values };
        assert!(reduce_by_item(n, &a, &b, coded, Code(None), &Stop::never()).unwrap().is_none());
        let want = crate::pairs::validate_rows(&a, &b, coded, None).unwrap_err();
        assert_eq!(format!("{:?}", crate::pairs::reduce(n, &a, &b, coded, None).unwrap_err()), format!("{want:?}"));
        a[77] = b[77];
        assert!(reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(None), &Stop::never()).unwrap().is_none());
        let want = crate::pairs::validate_rows(&a, &b, Outcomes::Values(&o), None).unwrap_err();
        assert_eq!(format!("{:?}", crate::pairs::reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap_err()), format!("{want:?}"));
    }

    /// Valid outcomes other than 0, ½, 1 in a shape the per-item path suits: it declines (its
    /// first pass ends early), and the public reduce gives the general path's table.
    #[test]
    fn other_outcomes_are_declined_and_reduced_in_general() {
        let n = 500;
        let (a, b, mut o) = random_rows(n, 5_000, 8);
        assert!(suits(n, a.len()));
        o[4_000] = 0.25;
        assert!(reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(None), &Stop::never()).unwrap().is_none());
        let ones = vec![1.0; a.len()];
        let want = crate::pairs::reduce(n, &a, &b, Outcomes::Values(&o), Some(&ones)).unwrap();
        assert_eq!(crate::pairs::reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap(), want);
        assert_eq!(want, reduce_dense(n, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap());
    }

    #[test]
    fn suits_few_items_many_rows_and_u32_counts() {
        assert!(suits(10_000, 10_000_000) && suits(1 << 16, 1 << 26));
        assert!(!suits(1 << 16, (1 << 26) - 1) && !suits((1 << 16) + 1, usize::MAX / 128) && !suits(10, 1 << 32));
    }

    /// The sparse target's reduce (10,000 items, 10M rows, renamed on the way), fastest of 5:
    /// `cargo test --release -p rankagg-core timing_by_item -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn timing_by_item_n10k_m10m() {
        let n = 10_000;
        let (a, b, o) = random_rows(n, 10_000_000, 1);
        let rename: Vec<u32> = (0..n as u32).map(|k| (k * 7 + 3) % n as u32).collect();
        let time = |f: &mut dyn FnMut()| {
            (0..5)
                .map(|_| {
                    let t0 = std::time::Instant::now();
                    f();
                    t0.elapsed()
                })
                .min()
                .unwrap()
        };
        let timings = [
            ("check_shape", time(&mut || crate::pairs::check_shape(n, &a, &b, Outcomes::Values(&o), None).unwrap())),
            ("reduce_by_item", time(&mut || drop(reduce_by_item(n, &a, &b, Outcomes::Values(&o), Code(Some(&rename)), &Stop::never()).unwrap().unwrap()))),
            ("reduce_relabelled", time(&mut || drop(crate::pairs::reduce_relabelled(n, &a, &b, Outcomes::Values(&o), None, Some(&rename)).unwrap()))),
        ];
        for (what, t) in timings {
            println!("{what}: {:.1} ms", t.as_secs_f64() * 1e3);
        }
    }

    #[test]
    fn a_raised_stop_interrupts() {
        let (a, b, o) = random_rows(100, 10_000, 3);
        let got = reduce_by_item(100, &a, &b, Outcomes::Values(&o), Code(None), &Stop::raised());
        assert!(matches!(got, Err(Error::Interrupted)));
    }
}
