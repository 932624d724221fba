//! The fused reduce of item ids (issue 20, decision 34): integer item names of a small range
//! (or factorized codes) and unit-weight outcomes of 0, ½ or 1, counted straight from the
//! caller's columns into a square of cells indexed by the ids themselves, in one pass.
//!
//! The general path first factorizes the names (a pass for the range, one for the first
//! appearances, one writing `u32` codes), then reduces the codes (a pass checking them, one
//! over the outcomes, one counting with a renaming per row): five reads of the rows and a
//! write, and a dozen operations a row in the counting loop. Here a row is `key(a) − lo`,
//! `key(b) − lo`, the outcome's kind (0: `a` won, 1: `b` won, 2: a tie, 3: anything else, all
//! without branches) and one increment of `cells[(x·w + y)·4 + kind]` (w a power of two: shifts and masks). The range is guessed
//! from the first rows and checked per row (an out-of-range id ends the pass early; the range
//! is then measured and the pass rerun), so an id column is read once. The ordered cells are
//! folded into the table (i < j) afterwards, and items that appear are numbered in key order,
//! which is the order of the values. Counts are integers, summed per block of rows (split by
//! size, never by thread count) and the blocks added in order: the table is the one the
//! general path gives, bit for bit.
//!
//! Anything else — a self-comparison, an outcome other than 0, ½, 1, a range too wide for the
//! square — returns `None`, and the caller takes the general path, which reports the rows.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::{Outcomes, PairTable, MAX_BLOCKS, MIN_BLOCK_ROWS, POLL_ROWS};
use crate::error::{Error, Result};
use crate::interrupt::Stop;
use crate::memory::try_zeroed;

/// An item id read from a column: its key keeps the values' order (signed values with the
/// sign bit flipped), so keys ascending are the values ascending.
pub trait Id: Copy + Send + Sync {
    fn key(self) -> u64;
}

macro_rules! signed_id {
    ($($t:ty),*) => {$(
        impl Id for $t {
            #[inline]
            fn key(self) -> u64 {
                (self as i64 as u64) ^ (1 << 63)
            }
        }
    )*};
}
macro_rules! unsigned_id {
    ($($t:ty),*) => {$(
        impl Id for $t {
            #[inline]
            fn key(self) -> u64 {
                self as u64
            }
        }
    )*};
}
signed_id!(i8, i16, i32, i64);
unsigned_id!(u8, u16, u32, u64);

/// The value of a signed id from its key (the inverse of [`Id::key`] for `i64`).
pub fn signed_value(key: u64) -> i64 {
    (key ^ (1 << 63)) as i64
}

/// The table of [`reduce_ids`]: `keys[k]` is the key of item `k` (ascending), the table's
/// codes index `keys`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdTable {
    pub keys: Vec<u64>,
    pub table: PairTable,
}

/// Largest side of the square a block counts in (ids of a range at most this wide): 4 `u32`
/// per ordered pair, 1 MiB, so that it stays in a core's cache.
pub const MAX_WIDTH: usize = 256;

/// The kind of an outcome, without branches: 0 `a` won (1.0), 1 `b` won (0.0), 2 a tie (0.5),
/// 3 anything else (other values, NaN).
#[inline]
fn kind(o: f64) -> usize {
    3 - 3 * (o == 1.0) as usize - 2 * (o == 0.0) as usize - (o == 0.5) as usize
}

/// Rows → pair table for ids of a small range with unit weights and outcomes 0, ½, 1, in one
/// pass (module docs). `Ok(None)` when the rows are not such rows (the general path then
/// reduces them and reports what is wrong); `Err(Interrupted)` on Ctrl-C (watched).
pub fn reduce_ids<T: Id>(a: &[T], b: &[T], outcomes: Outcomes<'_>) -> Result<Option<IdTable>> {
    let m = a.len();
    if b.len() != m || outcomes.len().is_some_and(|l| l != m) {
        return Err(Error::InvalidArgument("column lengths differ".into()));
    }
    if m == 0 {
        return Ok(None);
    }
    // Outcome codes → kinds once (a code outside the table is "anything else").
    let coded: Vec<u8> = match outcomes {
        Outcomes::Coded { values, .. } => values.iter().map(|&v| kind(v) as u8).collect(),
        _ => Vec::new(),
    };
    let head = m.min(POLL_ROWS);
    let mut range = key_range(&a[..head], &b[..head]);
    crate::interrupt::watched(|stop| {
        for attempt in 0..2 {
            let (lo, hi) = range;
            // The square's side: a power of two, so that a cell is two shifts and a mask.
            let width = ((hi - lo) as usize + 1).next_power_of_two();
            if width > MAX_WIDTH {
                return Ok(None);
            }
            match count_square(a, b, outcomes, &coded, lo, width, stop)? {
                Pass::Counted(cells) => return square_table(&cells, lo, width),
                Pass::NotSimple => return Ok(None),
                Pass::OutOfRange if attempt == 0 => range = key_range(a, b),
                Pass::OutOfRange => return Err(Error::InvalidArgument("reduce_ids: ids outside their measured range".into())),
            }
        }
        Ok(None)
    })?
}

/// The least and greatest key of both columns (in parallel).
fn key_range<T: Id>(a: &[T], b: &[T]) -> (u64, u64) {
    [a, b]
        .par_iter()
        .flat_map(|c| c.par_chunks(POLL_ROWS))
        .map(|c| c.iter().fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(v.key()), hi.max(v.key()))))
        .reduce(|| (u64::MAX, 0), |x, y| (x.0.min(y.0), x.1.max(y.1)))
}

enum Pass {
    /// Per ordered pair (x, y) of ids − lo, four counts (kinds 0..3), summed over the blocks.
    Counted(Vec<u64>),
    /// An outcome other than 0, ½, 1 (or an outcome code outside the table).
    NotSimple,
    /// An id outside the range the pass was given.
    OutOfRange,
}

/// The counting pass: blocks of rows in parallel, each into its own square of `u32` counts,
/// read in chunks of [`POLL_ROWS`] rows (the stop flag, and whether another block gave up,
/// read between chunks).
fn count_square<T: Id>(a: &[T], b: &[T], outcomes: Outcomes<'_>, coded: &[u8], lo: u64, width: usize, stop: &Stop) -> Result<Pass> {
    let m = a.len();
    let blocks = (m / MIN_BLOCK_ROWS).clamp(1, MAX_BLOCKS);
    let per = m.div_ceil(blocks);
    if per >= u32::MAX as usize {
        return Ok(Pass::NotSimple); // block counts would not fit u32: the general path
    }
    let cells = width * width * 4;
    let shift = width.trailing_zeros();
    let mask = width as u64 - 1;
    let gave_up = AtomicBool::new(false);
    let out_of_range = AtomicBool::new(false);
    let squares: Vec<Vec<u32>> = (0..blocks)
        .into_par_iter()
        .map(|blk| -> Result<Vec<u32>> {
            let mut sq = try_zeroed::<u32>(cells)?;
            let (start, end) = ((blk * per).min(m), ((blk + 1) * per).min(m));
            let mut r = start;
            while r < end {
                if stop.stopped() || gave_up.load(Ordering::Relaxed) {
                    break;
                }
                let e = (r + POLL_ROWS).min(end);
                let (aa, bb) = (&a[r..e], &b[r..e]);
                // Per row: ids − lo (an id below lo wraps to a large number), masked into
                // the square so that the increment is always in bounds; `bad` remembers an
                // id out of range and `other` an outcome that is not 0, ½, 1.
                let mut bad = 0u64;
                let mut other = 0usize;
                let mut count = |k: usize, x: T, y: T| {
                    let (x, y) = (x.key().wrapping_sub(lo), y.key().wrapping_sub(lo));
                    bad |= (x | y) >> shift;
                    other += (k == 3) as usize;
                    let cell = (((x & mask) << shift) | (y & mask)) as usize;
                    sq[cell * 4 + k] += 1;
                };
                match outcomes {
                    Outcomes::Values(o) => aa.iter().zip(bb).zip(&o[r..e]).for_each(|((&x, &y), &o)| count(kind(o), x, y)),
                    Outcomes::Coded { codes, .. } => {
                        aa.iter().zip(bb).zip(&codes[r..e]).for_each(|((&x, &y), &c)| count(coded.get(c as usize).map_or(3, |&k| k as usize), x, y))
                    }
                    Outcomes::AllWins => aa.iter().zip(bb).for_each(|(&x, &y)| count(0, x, y)),
                }
                if bad != 0 {
                    out_of_range.store(true, Ordering::Relaxed);
                }
                if bad != 0 || other > 0 {
                    gave_up.store(true, Ordering::Relaxed);
                    break;
                }
                r = e;
            }
            Ok(sq)
        })
        .collect::<Result<_>>()?;
    if stop.stopped() {
        return Err(Error::Interrupted);
    }
    if out_of_range.load(Ordering::Relaxed) {
        return Ok(Pass::OutOfRange);
    }
    if gave_up.load(Ordering::Relaxed) {
        return Ok(Pass::NotSimple);
    }
    let mut total = try_zeroed::<u64>(cells)?;
    for sq in &squares {
        total.iter_mut().zip(sq).for_each(|(t, &c)| *t += c as u64);
    }
    Ok(Pass::Counted(total))
}

/// The ordered counts folded into the table: pair (x < y) gets x's wins as `a` plus its wins
/// as `b`, and so on; items that appear numbered in key order. `None` on a self-comparison
/// (a count on the diagonal).
fn square_table(cells: &[u64], lo: u64, width: usize) -> Result<Option<IdTable>> {
    let at = |x: usize, y: usize| &cells[(x * width + y) * 4..(x * width + y) * 4 + 4];
    if (0..width).any(|x| at(x, x).iter().any(|&c| c > 0)) {
        return Ok(None);
    }
    let present: Vec<bool> = (0..width).map(|x| (0..width).any(|y| at(x, y).iter().chain(at(y, x)).any(|&c| c > 0))).collect();
    let mut code = vec![0u32; width];
    let mut keys = Vec::new();
    for x in (0..width).filter(|&x| present[x]) {
        code[x] = keys.len() as u32;
        keys.push(lo + x as u64);
    }
    let mut table = PairTable { n: keys.len(), ..Default::default() };
    for x in 0..width {
        for y in x + 1..width {
            let (xy, yx) = (at(x, y), at(y, x));
            let (wins_x, wins_y, ties) = (xy[0] + yx[1], xy[1] + yx[0], xy[2] + yx[2]);
            if wins_x + wins_y + ties > 0 {
                table.i.push(code[x]);
                table.j.push(code[y]);
                table.wins_i.push(wins_x as f64);
                table.wins_j.push(wins_y as f64);
                table.ties.push(ties as f64);
            }
        }
    }
    Ok(Some(IdTable { keys, table }))
}

#[cfg(test)]
mod tests {
    use super::super::{random_rows, reduce};
    use super::*;

    /// Ids of every integer type, shifted anywhere in their range and with gaps, give the
    /// table of the general path (codes in value order), for each form of outcomes.
    #[test]
    fn matches_the_general_reduce() {
        let (a, b, o) = random_rows(40, 300_000, 7);
        // Ids with gaps: item k is the value 3k (so 3k+1, 3k+2 never appear).
        let (a3, b3): (Vec<i64>, Vec<i64>) = (a.iter().map(|&x| 3 * x as i64).collect(), b.iter().map(|&x| 3 * x as i64).collect());
        let codes: Vec<u32> = o.iter().map(|&v| (v * 2.0) as u32).collect();
        let values = [0.0, 0.5, 1.0];
        for outcomes in [Outcomes::Values(&o), Outcomes::Coded { codes: &codes, values: &values }, Outcomes::AllWins] {
            let want = reduce(40, &a, &b, outcomes, None).unwrap();
            let check = |got: Option<IdTable>, keys: Vec<u64>| {
                let got = got.expect("simple rows");
                assert_eq!(got.keys, keys);
                assert_eq!(got.table, want);
            };
            let signed = |shift: i64| (0..40).map(|k| (3 * k + shift).key()).collect::<Vec<_>>();
            for shift in [0i64, -60, i64::MIN + 5, i64::MAX - 200] {
                let (x, y): (Vec<i64>, Vec<i64>) = (a3.iter().map(|v| v + shift).collect(), b3.iter().map(|v| v + shift).collect());
                check(reduce_ids(&x, &y, outcomes).unwrap(), signed(shift));
            }
            let small = |v: &[i64]| v.iter().map(|&x| x as i8 - 100).collect::<Vec<i8>>();
            check(reduce_ids(&small(&a3), &small(&b3), outcomes).unwrap(), (0..40).map(|k| ((3 * k - 100) as i8).key()).collect());
            let big = |v: &[i64]| v.iter().map(|&x| u64::MAX - 200 + x as u64).collect::<Vec<u64>>();
            check(reduce_ids(&big(&a3), &big(&b3), outcomes).unwrap(), (0..40).map(|k| u64::MAX - 200 + 3 * k as u64).collect());
            check(reduce_ids(&a, &b, outcomes).unwrap(), (0..40).collect());
        }
    }

    /// An id outside the first rows' range (here only in the last row) is found and the pass
    /// rerun over the measured range; ranges too wide, self-comparisons and other outcomes
    /// are left to the general path.
    #[test]
    fn late_ids_and_declined_rows() {
        let (mut a, mut b, mut o) = random_rows(30, 200_000, 3);
        // (ids 0..30 first: a square of 32; 40 is outside it)
        *a.last_mut().unwrap() = 40;
        *b.last_mut().unwrap() = 0;
        let want = reduce(41, &a, &b, Outcomes::Values(&o), None).unwrap();
        let got = reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap().unwrap();
        assert_eq!(got.keys, (0..30).chain([40]).collect::<Vec<u64>>());
        let code: Vec<u32> = (0..41).map(|k| if k == 40 { 30 } else { k }).collect();
        assert_eq!(got.table.i.len(), want.i.len());
        for p in 0..want.i.len() {
            assert_eq!((code[want.i[p] as usize], code[want.j[p] as usize]), (got.table.i[p], got.table.j[p]));
            assert_eq!((want.wins_i[p], want.wins_j[p], want.ties[p]), (got.table.wins_i[p], got.table.wins_j[p], got.table.ties[p]));
        }
        a[5] = 1000;
        assert_eq!(reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap(), None); // 1,001 wide
        a[5] = b[5];
        assert_eq!(reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap(), None); // a self-comparison
        a[5] = (b[5] + 1) % 30;
        o[150_000] = 0.25;
        assert_eq!(reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap(), None);
        o[150_000] = f64::NAN;
        assert_eq!(reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap(), None);
        assert_eq!(reduce_ids::<u32>(&[], &[], Outcomes::AllWins).unwrap(), None);
        assert!(reduce_ids(&a, &b[1..], Outcomes::AllWins).is_err());
    }

    /// A raised stop flag ends the pass with `Interrupted`.
    #[test]
    fn a_raised_stop_flag_interrupts() {
        let (a, b, o) = random_rows(30, 300_000, 5);
        let stop = Stop::raised();
        let r = stop.run(|| reduce_ids(&a, &b, Outcomes::Values(&o)));
        assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    }
}

#[cfg(test)]
mod timing {
    use super::super::random_rows;
    use super::*;

    /// `cargo test --release -p rankagg-core pairs::ids::timing -- --ignored --nocapture`:
    /// the counting pass on 10M rows of 100 int64 ids, one thread and the pool.
    #[test]
    #[ignore]
    fn rows_per_second() {
        let (a, b, o) = random_rows(100, 10_000_000, 1);
        let (a, b): (Vec<i64>, Vec<i64>) = (a.iter().map(|&x| x as i64).collect(), b.iter().map(|&x| x as i64).collect());
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut times: Vec<f64> = (0..7)
                .map(|_| {
                    let t = std::time::Instant::now();
                    pool.install(|| reduce_ids(&a, &b, Outcomes::Values(&o)).unwrap().unwrap());
                    t.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!("{threads} thread(s): {:.1} ms, {:.0}M rows/s", times[3] * 1e3, 10.0 / times[3]);
        }
    }
}
