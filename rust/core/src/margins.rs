//! The majority matrix of rankings: `P[i][j]` = the weight of the voters who rank item `i`
//! above item `j` — the input of every voting rule on margins (Copeland, minimax, Schulze,
//! ranked pairs, Kemeny) — and Schulze's strongest paths over it.
//!
//! Rankings come in CSR form (`offsets`, `items`, `levels`: level 0 is a voter's first place;
//! equal levels are ties). Every cell is summed in voter order (or counted exactly), so the
//! result is the same, bit for bit, for any number of threads.

use rayon::prelude::*;

use crate::{Error, Result};

/// Fewest rankings per block of the pair-by-pair path (short rankings, `ignore`).
const BLOCK: usize = 256;
/// Most blocks of that path (each holds an n × n accumulator).
const MAX_BLOCKS: usize = 8;
/// Bytes of the dense level rows of one chunk of voters (the tiled path).
const CHUNK_BYTES: usize = 4 << 20;
/// Rows of the link matrix collected and sorted between two polls for Ctrl-C.
const RUN_ROWS: usize = 256;
/// Bytes of one task's accumulator rows (kept in a core's L2 cache).
const TILE_BYTES: usize = 128 << 10;

/// `P` (n × n, row-major). `below`: items a voter did not rank count as tied below every item
/// it ranked; otherwise they are left out of that voter's comparisons.
///
/// Voters are taken in chunks (their levels written as dense rows), and P's rows are split
/// into tiles, one task each: a tile's accumulator rows stay in cache while every voter of the
/// chunk is compared into them, a whole row at a time without a branch per pair. Whole-number
/// weights (or none) with a total below 2³² are counted in `u32` (exact, and twice the lanes of
/// `f64`); other weights are added as `f64`, each cell in voter order, so the result is the same
/// for any number of threads. Complete strict rankings counted whole compare only i < j
/// (P[j][i] = total − P[i][j]). With AVX2 (detected at run time) the same loops run 8 lanes wide.
/// `ignore` with rankings much shorter than n walks each voter's pairs instead.
pub fn pairwise_preferences(n: usize, offsets: &[u64], items: &[u32], levels: &[u32], weights: Option<&[f64]>, below: bool) -> Result<Vec<f64>> {
    let voters = offsets.len().saturating_sub(1);
    if offsets.first().copied().unwrap_or(0) != 0 || offsets.windows(2).any(|w| w[0] > w[1]) || offsets.last().copied().unwrap_or(0) as usize != items.len() {
        return Err(Error::InvalidArgument("offsets must start at 0, not decrease and end at the number of entries".into()));
    }
    if levels.len() != items.len() || weights.is_some_and(|w| w.len() != voters) {
        return Err(Error::InvalidArgument("levels and items (and weights and rankings) must have the same lengths".into()));
    }
    if let Some(bad) = items.iter().position(|&i| i as usize >= n) {
        return Err(Error::InvalidArgument(format!("item code at position {bad} is not below n = {n}")));
    }
    if let Some(bad) = levels.iter().position(|&l| l >= i32::MAX as u32 - 1) {
        return Err(Error::InvalidArgument(format!("level at position {bad} is too large")));
    }
    n.checked_mul(n).ok_or_else(|| Error::InvalidArgument("n × n overflows".into()))?;
    if !below && 4 * items.len() < voters.saturating_mul(n) {
        return pairs_of_short_rankings(n, offsets, items, levels, weights);
    }
    let mut p = crate::memory::try_filled(n * n, 0.0f64)?;
    if n == 0 || voters == 0 {
        return Ok(p);
    }
    let counts = match weights {
        None => Some(vec![1u32; voters]),
        Some(w) => {
            let whole = w.iter().all(|&x| x >= 0.0 && x.fract() == 0.0) && w.iter().sum::<f64>() < 4294967296.0;
            whole.then(|| w.iter().map(|&x| x as u32).collect())
        }
    };
    // Complete strict rankings counted whole: P[j][i] = (total weight) − P[i][j] exactly, so
    // only the pairs i < j are compared (half the work) and the rest filled at the end.
    let upper = counts.is_some()
        && (0..voters).all(|v| {
            let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
            hi - lo == n && levels[lo..hi].windows(2).all(|l| l[0] < l[1])
        });
    // Levels as codes (i16 when they fit: twice the lanes per instruction): a ranked item's
    // code is greater the lower it is ranked; unranked is above every code (`below`) or below
    // every code (`ignore`: 0, ranked levels shifted by 1), so "j is ranked below i" is
    // `code[j] > code[i]` in both conventions, i ranked.
    let top = levels.iter().copied().max().unwrap_or(0);
    let stopped = if top + 1 < i16::MAX as u32 {
        tiled::<i16>(&mut p, n, offsets, items, levels, weights, counts.as_deref(), upper, below)?
    } else {
        tiled::<i32>(&mut p, n, offsets, items, levels, weights, counts.as_deref(), upper, below)?
    };
    if stopped {
        return crate::interrupt::check().map(|_| p);
    }
    if upper {
        // P[i][j] = total − P[j][i] below the diagonal, in 64 × 64 blocks (cache-friendly
        // column reads)
        let total = counts.as_ref().map_or(0.0, |c| c.iter().map(|&w| w as f64).sum::<f64>());
        for i0 in (0..n).step_by(64) {
            let (done, rest) = p.split_at_mut(i0 * n);
            let h = (n - i0).min(64);
            let block = &mut rest[..h * n];
            for j0 in (0..i0).step_by(64) {
                for (r, row) in block.chunks_exact_mut(n).enumerate() {
                    for j in j0..j0 + 64 {
                        row[j] = total - done[j * n + i0 + r];
                    }
                }
            }
            for r in 0..h {
                for j in i0..i0 + r {
                    block[r * n + j] = total - block[(j - i0) * n + i0 + r];
                }
            }
        }
    }
    crate::interrupt::check().map(|_| p)
}

/// A level code of the tiled path (`i16` when every level fits, else `i32`).
trait Code: Copy + PartialOrd + Send + Sync {
    /// Above every code: unranked under `below`.
    const TOP: Self;
    /// Below every shifted code: unranked under `ignore`.
    const ZERO: Self;
    /// A level (already checked to fit).
    fn of(level: u32) -> Self;
}

impl Code for i16 {
    const TOP: Self = i16::MAX;
    const ZERO: Self = 0;
    fn of(level: u32) -> Self {
        level as i16
    }
}

impl Code for i32 {
    const TOP: Self = i32::MAX;
    const ZERO: Self = 0;
    fn of(level: u32) -> Self {
        level as i32
    }
}

/// The tiled path of [`pairwise_preferences`] into `p` (zeroed): chunks of voters as dense rows
/// of codes C, P's rows in tiles, one task each. Whole counts go through an accumulator of
/// `u16` lanes when the chunk's weights sum below 2¹⁶ (16 lanes per AVX2 instruction with i16
/// codes), else `u32`, added into P once per chunk. `Ok(true)` when stopped by Ctrl-C.
#[allow(clippy::too_many_arguments)]
fn tiled<C: Code>(
    p: &mut [f64],
    n: usize,
    offsets: &[u64],
    items: &[u32],
    levels: &[u32],
    weights: Option<&[f64]>,
    counts: Option<&[u32]>,
    upper: bool,
    below: bool,
) -> Result<bool> {
    let voters = offsets.len() - 1;
    let (unranked, shift) = if below { (C::TOP, 0) } else { (C::ZERO, 1) };
    let size = std::mem::size_of::<C>();
    let chunk = (CHUNK_BYTES / (size * n)).clamp(1, 1024);
    let rows = (TILE_BYTES / (4 * n)).clamp(1, 64);
    let mut code = crate::memory::try_filled(chunk.min(voters) * n, unranked)?;
    for first in (0..voters).step_by(chunk) {
        if crate::interrupt::poll() {
            return Ok(true);
        }
        let last = (first + chunk).min(voters);
        code.par_chunks_mut(n).zip(first..last).for_each(|(row, v)| {
            row.fill(unranked);
            let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
            for (&i, &l) in items[lo..hi].iter().zip(&levels[lo..hi]) {
                row[i as usize] = C::of(l + shift);
            }
        });
        let code = &code[..(last - first) * n];
        let ranked = |v: usize| offsets[v] < offsets[v + 1];
        match counts {
            Some(c) => {
                let narrow = c[first..last].iter().map(|&w| w as u64).sum::<u64>() < 1 << 16;
                p.par_chunks_mut(rows * n).enumerate().for_each(|(t, out)| {
                    let live = || code.chunks_exact(n).enumerate().filter(|&(k, _)| c[first + k] != 0 && ranked(first + k));
                    if narrow {
                        let mut acc = vec![0u16; out.len()];
                        live().for_each(|(k, row)| tile(&mut acc, row, t * rows, unranked, c[first + k] as u16, upper));
                        out.iter_mut().zip(&acc).for_each(|(o, &a)| *o += a as f64);
                    } else {
                        let mut acc = vec![0u32; out.len()];
                        live().for_each(|(k, row)| tile(&mut acc, row, t * rows, unranked, c[first + k], upper));
                        out.iter_mut().zip(&acc).for_each(|(o, &a)| *o += a as f64);
                    }
                })
            }
            None => {
                let w = weights.unwrap_or(&[]);
                p.par_chunks_mut(rows * n).enumerate().for_each(|(t, out)| {
                    for (k, row) in code.chunks_exact(n).enumerate() {
                        let wv = w[first + k];
                        if wv != 0.0 && ranked(first + k) {
                            tile(out, row, t * rows, unranked, wv, false);
                        }
                    }
                });
            }
        }
    }
    Ok(false)
}

/// Adds one voter's comparisons (level codes `row`) into the accumulator rows of items
/// `first ..`: `acc[r][j] += w` where item j is ranked below item `first + r` (`u32` counts,
/// or `f64` weights added straight into P's rows); `upper`: only the items j after it.
fn tile<C: Code, T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[C], first: usize, unranked: C, w: T, upper: bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { tile_avx2(acc, row, first, unranked, w, upper) };
        return;
    }
    tile_any(acc, row, first, unranked, w, upper);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tile_avx2<C: Code, T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[C], first: usize, unranked: C, w: T, upper: bool) {
    tile_any(acc, row, first, unranked, w, upper);
}

#[inline(always)]
fn tile_any<C: Code, T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[C], first: usize, unranked: C, w: T, upper: bool) {
    let n = row.len();
    for (r, out) in acc.chunks_exact_mut(n).enumerate() {
        let li = row[first + r];
        if li == unranked {
            continue;
        }
        // branch-free (a select): adding zero leaves a count or a sum unchanged
        let from = if upper { first + r + 1 } else { 0 };
        for (cell, &lj) in out[from..].iter_mut().zip(&row[from..]) {
            *cell = *cell + if lj > li { w } else { T::default() };
        }
    }
}

/// `ignore` with short rankings: each voter's ranked pairs one by one, fixed blocks of voters
/// in parallel, block sums added in order.
fn pairs_of_short_rankings(n: usize, offsets: &[u64], items: &[u32], levels: &[u32], weights: Option<&[f64]>) -> Result<Vec<f64>> {
    let voters = offsets.len().saturating_sub(1);
    let blocks = voters.div_ceil(BLOCK).clamp(1, MAX_BLOCKS);
    let per = voters.div_ceil(blocks).max(1);
    let parts: Vec<Result<Vec<f64>>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut p = crate::memory::try_filled(n * n, 0.0f64)?;
            let mut level = crate::memory::try_filled(n, u32::MAX)?;
            for v in (b * per).min(voters)..((b + 1) * per).min(voters) {
                let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
                let w = weights.map_or(1.0, |w| w[v]);
                if w == 0.0 || lo == hi {
                    continue;
                }
                let ranked = &items[lo..hi];
                for (&i, &l) in ranked.iter().zip(&levels[lo..hi]) {
                    level[i as usize] = l;
                }
                for &i in ranked {
                    let li = level[i as usize];
                    let row = &mut p[i as usize * n..(i as usize + 1) * n];
                    for &j in ranked {
                        if level[j as usize] > li {
                            row[j as usize] += w;
                        }
                    }
                }
                for &i in ranked {
                    level[i as usize] = u32::MAX;
                }
            }
            Ok(p)
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut total = match parts.next() {
        Some(first) => first?,
        None => crate::memory::try_filled(n * n, 0.0)?,
    };
    for part in parts {
        total.iter_mut().zip(part?).for_each(|(t, x)| *t += x);
    }
    Ok(total)
}

/// How [`widest_paths_by`] finds the strongest paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathMethod {
    /// By thresholds when the distinct strengths are few (at most `max(16, n / 32)` and 255)
    /// and the items at least 128, else incrementally.
    Auto,
    /// Links strongest first with incremental reachability: O(n³/64) word operations at worst.
    Incremental,
    /// One reachability per distinct strength (at most 255 of them, else an error).
    Thresholds,
}

impl std::str::FromStr for PathMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let choices = [("auto", PathMethod::Auto), ("incremental", PathMethod::Incremental), ("thresholds", PathMethod::Thresholds)];
        crate::error::parse_choice("method", s, &choices)
    }
}

/// Most distinct strengths of the threshold method (its levels are bytes).
const MAX_LEVELS: usize = 255;

/// Strongest (widest) paths, in place: on entry `d[i * n + j]` is the strength of the link
/// i → j (0 for none, never negative), on return the strength of the strongest path from i to
/// j, a path being as strong as its weakest link (Schulze's beat-paths; the diagonal is left 0).
/// The method is chosen by the number of distinct strengths ([`PathMethod::Auto`]).
pub fn widest_paths(n: usize, d: &mut [f64]) -> Result<()> {
    widest_paths_by(n, d, PathMethod::Auto)
}

/// [`widest_paths`] by the given method (the incremental one stays reachable for the tests and
/// the benches).
///
/// d[a][b] is the largest w such that b is reachable from a over links of strength ≥ w: a
/// bottleneck path (Pollack 1960; the threshold view of Gabow & Tarjan 1988). With few
/// distinct strengths w₁ > w₂ > … > w_T, the reachability of the graph of links ≥ w_t is found
/// for each t in turn (`by_thresholds`): strongly connected components (Tarjan 1972), then the
/// closure of their condensation as bitset rows in reverse topological order (Purdom 1970),
/// successors taken nearest first so that one already reached costs a bit test (Nuutila
/// 1995); every pair first reachable at t gets w_t. O(T · n²) byte reads plus the closure's
/// word operations, independent of how the reachability grows; otherwise the links are taken
/// strongest first with incremental reachability (`incremental`), O(n³/64) word operations at
/// worst. Both exact (max and min) and independent of the thread count.
pub fn widest_paths_by(n: usize, d: &mut [f64], method: PathMethod) -> Result<()> {
    if n.checked_mul(n) != Some(d.len()) {
        return Err(Error::InvalidArgument(format!("the link matrix has {} entries, not n × n for n = {n}", d.len())));
    }
    if let Some(bad) = d.iter().position(|x| !(*x >= 0.0 && x.is_finite())) {
        return Err(Error::InvalidArgument(format!("link strengths must be finite and >= 0; entry {bad} is {}", d[bad])));
    }
    match method {
        PathMethod::Incremental => incremental(n, d),
        PathMethod::Thresholds => match distinct_values(n, |i, j| d[i * n + j], |x| x > 0.0, MAX_LEVELS)? {
            Some(values) => by_thresholds(n, d, &values),
            None => Err(Error::InvalidArgument(format!("the threshold method takes at most {MAX_LEVELS} distinct strengths"))),
        },
        PathMethod::Auto => match few_strengths(n, d)? {
            Some(values) => by_thresholds(n, d, &values),
            None => incremental(n, d),
        },
    }
}

/// The distinct values `value(i, j)` off the diagonal that `keep` keeps (non-negative, never
/// −0), ascending, or None when there are more than `most`. Rows in parallel, each keeping a
/// sorted list (abandoned past `most`).
pub(crate) fn distinct_values(
    n: usize,
    value: impl Fn(usize, usize) -> f64 + Sync,
    keep: impl Fn(f64) -> bool + Sync,
    most: usize,
) -> Result<Option<Vec<f64>>> {
    let mut all: Vec<u64> = Vec::new();
    for first in (0..n).step_by(POLL_ROWS) {
        if crate::interrupt::poll() {
            return Err(stopped());
        }
        match distinct_in_rows(first..(first + POLL_ROWS).min(n), n, &value, &keep, most, all) {
            Some(found) => all = found,
            None => return Ok(None),
        }
    }
    Ok(Some(all.into_iter().map(f64::from_bits).collect()))
}

/// Rows polled for Ctrl-C between chunks of this many in the n × n passes.
pub(crate) const POLL_ROWS: usize = 512;

/// The error of a computation stopped by Ctrl-C.
pub(crate) fn stopped() -> Error {
    crate::interrupt::check().err().unwrap_or(Error::Interrupted)
}

/// [`distinct_values`] of some rows, added to `all` (their bits, ascending). A range that
/// starts at row 0 reads that row first on the calling thread: a matrix with more than `most`
/// values usually shows it there, without waking the pool (a scan's whole cost at ~100 items).
fn distinct_in_rows(
    rows: std::ops::Range<usize>,
    n: usize,
    value: &(impl Fn(usize, usize) -> f64 + Sync),
    keep: &(impl Fn(f64) -> bool + Sync),
    most: usize,
    mut all: Vec<u64>,
) -> Option<Vec<u64>> {
    let mut add = |row: Vec<u64>| {
        for x in row {
            if let Err(at) = all.binary_search(&x) {
                all.insert(at, x);
            }
        }
        all.len() <= most
    };
    let rest = if rows.start == 0 && !rows.is_empty() {
        if !add(distinct_in_row(0, n, value, keep, most)?) {
            return None;
        }
        1..rows.end
    } else {
        rows
    };
    let found: Vec<Option<Vec<u64>>> = rest.into_par_iter().map(|i| distinct_in_row(i, n, value, keep, most)).collect();
    for row in found {
        if !add(row?) {
            return None;
        }
    }
    Some(all)
}

/// The distinct values of row `i` off the diagonal that `keep` keeps, as bits (non-negative
/// floats order as their bits), ascending; None past `most`. Whole values below 2¹⁶ (counts
/// of voters) go to a table of bits, others to a list; the row is abandoned as soon as it
/// holds more than `most` (the table's words are read back only up to the highest written).
fn distinct_in_row(i: usize, n: usize, value: &impl Fn(usize, usize) -> f64, keep: &impl Fn(f64) -> bool, most: usize) -> Option<Vec<u64>> {
    let mut whole = [0u64; 1024];
    let (mut in_whole, mut top) = (0, 0);
    let mut seen: Vec<u64> = Vec::new();
    for j in (0..n).filter(|&j| j != i) {
        let x = value(i, j);
        if !keep(x) {
            continue;
        }
        if x.fract() == 0.0 && x < 65536.0 {
            let (w, bit) = (x as usize / 64, 1u64 << (x as usize % 64));
            if whole[w] & bit == 0 {
                if in_whole + seen.len() == most {
                    return None;
                }
                whole[w] |= bit;
                in_whole += 1;
                top = top.max(w + 1);
            }
        } else if let Err(at) = seen.binary_search(&x.to_bits()) {
            if in_whole + seen.len() == most {
                return None;
            }
            seen.insert(at, x.to_bits());
        }
    }
    for (k, &word) in whole[..top].iter().enumerate() {
        let mut w = word;
        while w != 0 {
            let bits = ((k * 64 + w.trailing_zeros() as usize) as f64).to_bits();
            w &= w - 1;
            if let Err(at) = seen.binary_search(&bits) {
                seen.insert(at, bits);
            }
        }
    }
    Some(seen)
}

/// Which bytes of a row [`byte_mask`] keeps.
#[derive(Clone, Copy)]
pub(crate) enum Bytes {
    /// Those ≥ the value.
    AtLeast(u8),
    /// Those equal to it.
    Equal(u8),
}

/// The bits of `row`'s bytes that `keep` accepts, 64 to a word (`out`: ⌈len / 64⌉ words):
/// 16 bytes per SSE2 compare and mask move on x86-64, one at a time elsewhere.
pub(crate) fn byte_mask(row: &[u8], keep: Bytes, out: &mut [u64]) {
    let one = |b: u8| match keep {
        Bytes::AtLeast(t) => b >= t,
        Bytes::Equal(t) => b == t,
    };
    for (word, chunk) in out.iter_mut().zip(row.chunks(64)) {
        #[cfg(target_arch = "x86_64")]
        if chunk.len() == 64 {
            use std::arch::x86_64::*;
            let mut mask = 0u64;
            for q in 0..4 {
                // SAFETY: SSE2 is part of x86-64; the 16 bytes read lie inside the 64-byte chunk.
                let bits = unsafe {
                    let x = _mm_loadu_si128(chunk.as_ptr().add(16 * q) as *const __m128i);
                    let hit = match keep {
                        Bytes::AtLeast(t) => _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(t as i8)), x),
                        Bytes::Equal(t) => _mm_cmpeq_epi8(x, _mm_set1_epi8(t as i8)),
                    };
                    _mm_movemask_epi8(hit) as u16
                };
                mask |= (bits as u64) << (16 * q);
            }
            *word = mask;
            continue;
        }
        *word = chunk.iter().enumerate().fold(0u64, |m, (k, &b)| m | (one(b) as u64) << k);
    }
}

/// The positions of `row`'s bytes that `keep` accepts, ascending, appended to `out`.
pub(crate) fn push_matches(row: &[u8], keep: Bytes, out: &mut Vec<u32>) {
    for (k, chunk) in row.chunks(64).enumerate() {
        let mut mask = [0u64];
        byte_mask(chunk, keep, &mut mask);
        let mut x = mask[0];
        while x != 0 {
            out.push((k * 64 + x.trailing_zeros() as usize) as u32);
            x &= x - 1;
        }
    }
}

/// Byte levels of an n × n matrix: 0 on the diagonal and where `keep` refuses `value(i, j)`,
/// else 1 + its index among `values` (ascending, at most 255 of them).
pub(crate) fn level_matrix(n: usize, value: impl Fn(usize, usize) -> f64 + Sync, keep: impl Fn(f64) -> bool + Sync, values: &[f64]) -> Result<Vec<u8>> {
    let mut level = crate::memory::try_filled(n * n, 0u8)?;
    // whole values below 2¹⁶ (counts of voters) through a table, others by a binary search
    let mut table = vec![0u8; 1 << 16];
    for (k, &v) in values.iter().enumerate() {
        if v.fract() == 0.0 && v < 65536.0 {
            table[v as usize] = k as u8 + 1;
        }
    }
    for (c, rows) in level.chunks_mut(POLL_ROWS * n.max(1)).enumerate() {
        if crate::interrupt::poll() {
            return Err(stopped());
        }
        rows.par_chunks_mut(n.max(1)).enumerate().for_each(|(r, row)| {
            let i = c * POLL_ROWS + r;
            for (j, l) in row.iter_mut().enumerate() {
                let x = value(i, j);
                if j != i && keep(x) {
                    *l = if x.fract() == 0.0 && x < 65536.0 { table[x as usize] } else { (values.partition_point(|&v| v < x) + 1) as u8 };
                }
            }
        });
    }
    Ok(level)
}

/// The first bit at or after `pos` set in both `row` and `live`.
fn next_bit(row: &[u64], live: &[u64], pos: usize) -> Option<usize> {
    let mut k = pos / 64;
    let mut x = *row.get(k)? & live[k] & (u64::MAX << (pos % 64));
    loop {
        if x != 0 {
            return Some(k * 64 + x.trailing_zeros() as usize);
        }
        k += 1;
        x = *row.get(k)? & live[k];
    }
}

/// Depth-first searches over bitset rows `adj` (n × `live.len()` words) from each root in
/// turn that is still `live`, taking only live items (a visited item leaves `live`); `done(u)`
/// as each item's search ends. False when stopped by Ctrl-C.
fn searches(adj: &[u64], live: &mut [u64], roots: impl Iterator<Item = usize>, stack: &mut Vec<(u32, usize)>, mut done: impl FnMut(usize, usize)) -> bool {
    let words = live.len();
    let mut steps = 0usize;
    for root in roots {
        if live[root / 64] >> (root % 64) & 1 == 0 {
            continue;
        }
        live[root / 64] &= !(1 << (root % 64));
        stack.push((root as u32, 0));
        while let Some(&mut (u, ref mut pos)) = stack.last_mut() {
            steps += 1;
            if steps % 4096 == 0 && crate::interrupt::poll() {
                return false;
            }
            let u = u as usize;
            match next_bit(&adj[u * words..(u + 1) * words], live, *pos) {
                Some(v) => {
                    *pos = v + 1;
                    live[v / 64] &= !(1 << (v % 64));
                    stack.push((v as u32, 0));
                }
                None => {
                    stack.pop();
                    done(u, root);
                }
            }
        }
    }
    true
}

/// The strongest paths by thresholds (see [`widest_paths_by`]); `values`: the distinct
/// positive strengths, ascending (at most 255).
fn by_thresholds(n: usize, d: &mut [f64], values: &[f64]) -> Result<()> {
    let level = level_matrix(n, |i, j| d[i * n + j], |x| x > 0.0, values)?;
    let paths = path_levels(n, &level, values.len())?;
    drop(level);
    d.par_iter_mut().zip(paths.par_iter()).for_each(|(x, &l)| *x = if l == 0 { 0.0 } else { values[l as usize - 1] });
    Ok(())
}

/// Below this many items the strongest paths go incrementally whatever their strengths: the
/// threshold method is no faster there, and the scan for distinct strengths (rows on the pool,
/// a 64k-bit table each) costs more than the whole incremental run (30 items: ~110 µs of
/// scan against ~25 µs; split cycle and stable voting call it once per subset).
const THRESHOLDS_FROM: usize = 128;

/// The distinct positive strengths of the links `d` (ascending) when the threshold method is
/// the one to take: from [`THRESHOLDS_FROM`] items, at most max(16, n / 32) of them (and 255).
pub(crate) fn few_strengths(n: usize, d: &[f64]) -> Result<Option<Vec<f64>>> {
    if n < THRESHOLDS_FROM {
        return Ok(None);
    }
    // At most max(16, n / 32) strengths are wanted: the scan stops as soon as it sees more.
    distinct_values(n, |i, j| d[i * n + j], |x| x > 0.0, MAX_LEVELS.min((n / 32).max(16)))
}

/// `out[i][j] = f(x[i][j], x[j][i])` for the n × n matrix `x`, 64 rows at a time (x's columns
/// read in contiguous runs), Ctrl-C polled between chunks of rows.
pub(crate) fn with_transpose<E: Copy + Sync, T: Send>(n: usize, x: &[E], out: &mut [T], f: impl Fn(E, E) -> T + Sync) -> Result<()> {
    for (c, rows) in out.chunks_mut(POLL_ROWS * n.max(1)).enumerate() {
        if crate::interrupt::poll() {
            return Err(stopped());
        }
        rows.par_chunks_mut(64 * n.max(1)).enumerate().for_each(|(b, block)| {
            let i0 = c * POLL_ROWS + b * 64;
            let h = block.len() / n;
            for j in 0..n {
                for (r, &xji) in x[j * n + i0..j * n + i0 + h].iter().enumerate() {
                    block[r * n + j] = f(x[(i0 + r) * n + j], xji);
                }
            }
        });
    }
    Ok(())
}

/// The strongest paths as levels: `level` holds each link's strength level (0: no link, else
/// 1 ..= `top`, higher is stronger), the result each pair's strongest-path level (0: no path;
/// the diagonal 0). Per threshold t (strongest first): the links ≥ t as bitset rows (out and
/// in), the strongly connected components by Kosaraju's two searches over them (each row's
/// words read once per search: O(n²/64)), the closure of the condensation in reverse
/// topological order, and the pairs first reachable at t.
pub(crate) fn path_levels(n: usize, level: &[u8], top: usize) -> Result<Vec<u8>> {
    // the transposed levels (in-links), 64 rows at a time, Ctrl-C polled
    let mut level_in = crate::memory::try_filled(n * n, 0u8)?;
    with_transpose(n, level, &mut level_in, |_, lji| lji)?;
    let mut paths = crate::memory::try_filled(n * n, 0u8)?;
    let words = n.div_ceil(64);
    let all = |live: &mut [u64]| {
        live.fill(u64::MAX);
        if n % 64 != 0 {
            live[words - 1] = (1u64 << (n % 64)) - 1;
        }
    };
    let filled = |len: usize| crate::memory::try_filled(len, 0u64);
    // per item, the items it reaches so far (itself included); per component, its reach
    let mut known = filled(n * words)?;
    for a in 0..n {
        known[a * words + a / 64] |= 1 << (a % 64);
    }
    let (mut reach, mut out, mut into) = (filled(n * words)?, filled(n * words)?, filled(n * words)?);
    let (mut live, mut succ, mut union) = (filled(words)?, filled(words)?, filled(words)?);
    let (mut first, mut members) = (crate::memory::try_filled(n + 1, 0usize)?, crate::memory::try_filled(n, 0u32)?);
    let mut comp = crate::memory::try_filled(n, 0u32)?;
    let mut finish: Vec<u32> = crate::memory::try_with_capacity(n)?;
    let mut stack: Vec<(u32, usize)> = crate::memory::try_with_capacity(n)?;
    for t in (1..=top.min(255)).rev() {
        let t = t as u8;
        if crate::interrupt::poll() {
            return Err(stopped());
        }
        out.chunks_mut(words.max(1)).zip(level.chunks(n.max(1))).for_each(|(a, row)| byte_mask(row, Bytes::AtLeast(t), a));
        into.chunks_mut(words.max(1)).zip(level_in.chunks(n.max(1))).for_each(|(a, row)| byte_mask(row, Bytes::AtLeast(t), a));
        // Kosaraju: the finish order of searches on the out-links, then searches on the
        // in-links from the last finished: each collects one component, sources first;
        // numbered backwards so that every link between components goes to a lower number.
        all(&mut live);
        finish.clear();
        if !searches(&out, &mut live, 0..n, &mut stack, |u, _| finish.push(u as u32)) {
            return Err(stopped());
        }
        all(&mut live);
        let mut found = 0usize;
        let mut last_root = usize::MAX;
        let roots = finish.iter().rev().map(|&u| u as usize);
        if !searches(&into, &mut live, roots, &mut stack, |u, root| {
            if root != last_root {
                (last_root, found) = (root, found + 1);
            }
            comp[u] = found as u32;
        }) {
            return Err(stopped());
        }
        let count = found;
        comp.iter_mut().for_each(|c| *c = (count as u32) - *c);
        // members of each component, by a counting sort
        first.fill(0);
        for &c in &comp {
            first[c as usize + 1] += 1;
        }
        for c in 0..count {
            first[c + 1] += first[c];
        }
        let mut fill = first.clone();
        for (a, &c) in comp.iter().enumerate() {
            members[fill[c as usize]] = a as u32;
            fill[c as usize] += 1;
        }
        // Components from the sinks up (every successor component numbered lower, so already
        // closed); successors nearest first (highest number): one already reached is
        // contained with all it reaches.
        let cw = count.div_ceil(64);
        reach[..count * words].fill(0);
        for c in 0..count {
            if c % 1024 == 0 && crate::interrupt::poll() {
                return Err(stopped());
            }
            let (done, rest) = reach.split_at_mut(c * words);
            let rc = &mut rest[..words];
            union.fill(0);
            for &u in &members[first[c]..first[c + 1]] {
                let u = u as usize;
                rc[u / 64] |= 1 << (u % 64);
                union.iter_mut().zip(&out[u * words..(u + 1) * words]).for_each(|(x, &o)| *x |= o);
            }
            for (k, &word) in union.iter().enumerate() {
                let mut x = word;
                while x != 0 {
                    let s = comp[k * 64 + x.trailing_zeros() as usize] as usize;
                    x &= x - 1;
                    if s != c {
                        succ[s / 64] |= 1 << (s % 64);
                    }
                }
            }
            for k in (0..cw).rev() {
                let mut x = std::mem::take(&mut succ[k]);
                while x != 0 {
                    let s = k * 64 + 63 - x.leading_zeros() as usize;
                    x &= !(1u64 << (s % 64));
                    let rep = members[first[s]] as usize;
                    if rc[rep / 64] >> (rep % 64) & 1 == 0 {
                        rc.iter_mut().zip(&done[s * words..(s + 1) * words]).for_each(|(r, &o)| *r |= o);
                    }
                }
            }
        }
        // every pair first reachable now gets this level
        let reach = &reach;
        paths.chunks_mut(n.max(1)).zip(known.chunks_mut(words.max(1))).zip(comp.iter()).for_each(|((row, seen), &c)| {
            let rc = &reach[c as usize * words..(c as usize + 1) * words];
            for (k, (s, &r)) in seen.iter_mut().zip(rc).enumerate() {
                let mut new = r & !*s;
                *s |= new;
                while new != 0 {
                    row[k * 64 + new.trailing_zeros() as usize] = t;
                    new &= new - 1;
                }
            }
        });
    }
    crate::interrupt::check().map(|_| paths)
}

/// The strongest paths with links taken strongest first (see [`widest_paths_by`]): when a link
/// i → j makes b reachable from a for the first time, d[a][b] is that link's strength. A link
/// between items already connected costs one bit test; the items reaching i but not j are one
/// word operation per 64 items (one reaching j already reaches all j reaches), and every new
/// (a, b) pair is paid once. O(n³/64) word operations at worst, instead of Floyd–Warshall's n³
/// min/max. Polls for Ctrl-C every 64k links.
fn incremental(n: usize, d: &mut [f64]) -> Result<()> {
    // (strength's bits inverted, i·n + j): ascending is strongest first (non-negative floats
    // order as their bits). Collected and sorted in runs of rows, Ctrl-C polled between runs;
    // the runs are merged as the links are taken.
    let mut runs: Vec<Vec<(u64, u64)>> = Vec::new();
    for rows in (0..n).step_by(RUN_ROWS) {
        if crate::interrupt::poll() {
            return crate::interrupt::check();
        }
        let end = (rows + RUN_ROWS).min(n);
        let mut run: Vec<(u64, u64)> = Vec::new();
        let count = (rows * n..end * n).filter(|&e| e / n != e % n && d[e] > 0.0).count();
        run.try_reserve_exact(count).map_err(|_| Error::OutOfMemory { bytes: count * 16 })?;
        run.extend((rows * n..end * n).filter(|&e| e / n != e % n && d[e] > 0.0).map(|e| (!d[e].to_bits(), e as u64)));
        run.par_sort_unstable();
        runs.push(run);
    }
    let mut next: Vec<usize> = vec![0; runs.len()];
    let mut heads: std::collections::BinaryHeap<std::cmp::Reverse<((u64, u64), usize)>> =
        runs.iter().enumerate().filter(|(_, r)| !r.is_empty()).map(|(k, r)| std::cmp::Reverse((r[0], k))).collect();
    let mut merged = std::iter::from_fn(move || {
        let std::cmp::Reverse((link, k)) = heads.pop()?;
        next[k] += 1;
        if let Some(&following) = runs[k].get(next[k]) {
            heads.push(std::cmp::Reverse((following, k)));
        }
        Some(link)
    });
    d.fill(0.0);
    let words = n.div_ceil(64);
    let mut reach = crate::memory::try_filled(n * words, 0u64)?;
    for a in 0..n {
        reach[a * words + a / 64] |= 1 << (a % 64);
    }
    let mut above = crate::memory::try_filled(n * words, 0u64)?;
    above.copy_from_slice(&reach);
    let (mut down, mut up) = (vec![0u64; words], vec![0u64; words]);
    for (k, (key, e)) in merged.by_ref().enumerate() {
        if k % 65536 == 0 && crate::interrupt::poll() {
            return crate::interrupt::check();
        }
        let (i, j) = ((e / n as u64) as usize, (e % n as u64) as usize);
        if reach[i * words + j / 64] >> (j % 64) & 1 != 0 {
            continue;
        }
        let w = f64::from_bits(!key);
        down.copy_from_slice(&reach[j * words..(j + 1) * words]);
        // The items reaching i but not yet j (one that reaches j reaches all j reaches).
        for ((u, &above_i), &above_j) in up.iter_mut().zip(&above[i * words..(i + 1) * words]).zip(&above[j * words..(j + 1) * words]) {
            *u = above_i & !above_j;
        }
        for (uw, &word) in up.iter().enumerate() {
            let mut x = word;
            while x != 0 {
                let a = uw * 64 + x.trailing_zeros() as usize;
                x &= x - 1;
                let ra = &mut reach[a * words..(a + 1) * words];
                let (aw, ab) = (a / 64, 1u64 << (a % 64));
                let row = &mut d[a * n..(a + 1) * n];
                for (t, (r, &dn)) in ra.iter_mut().zip(&down).enumerate() {
                    let mut new = dn & !*r;
                    *r |= dn;
                    while new != 0 {
                        let b = t * 64 + new.trailing_zeros() as usize;
                        new &= new - 1;
                        row[b] = w;
                        above[b * words + aw] |= ab;
                    }
                }
            }
        }
    }
    crate::interrupt::check()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: for every pair of items, add the weight of each voter ranking i above j.
    fn brute(n: usize, rankings: &[Vec<(u32, u32)>], weights: &[f64], below: bool) -> Vec<f64> {
        let mut p = vec![0.0; n * n];
        for (r, &w) in rankings.iter().zip(weights) {
            let mut at = vec![None; n];
            for e in r {
                at[e.0 as usize] = Some(e.1);
            }
            let level = |x: usize| at[x];
            for i in 0..n {
                for j in 0..n {
                    let above = match (level(i), level(j)) {
                        (Some(a), Some(b)) => a < b,
                        (Some(_), None) => below,
                        _ => false,
                    };
                    if above {
                        p[i * n + j] += w;
                    }
                }
            }
        }
        p
    }

    #[test]
    fn matches_brute_force_and_thread_counts() {
        let mut s = 9u64;
        let mut next = |m: u64| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        let n = 7;
        let mut rankings = Vec::new();
        let mut weights = Vec::new();
        for _ in 0..1500 {
            let mut items: Vec<u32> = (0..n as u32).collect();
            for k in (1..items.len()).rev() {
                items.swap(k, next(k as u64 + 1) as usize);
            }
            let k = 1 + next(n as u64) as usize;
            let mut level = 0;
            let r: Vec<(u32, u32)> = items[..k]
                .iter()
                .map(|&i| {
                    let e = (i, level);
                    level += next(2) as u32; // ties when it does not move
                    e
                })
                .collect();
            rankings.push(r);
            weights.push([1.0, 0.5, 2.0, 0.0][next(4) as usize]);
        }
        let mut offsets = vec![0u64];
        let (mut items, mut levels) = (Vec::new(), Vec::new());
        for r in &rankings {
            items.extend(r.iter().map(|e| e.0));
            levels.extend(r.iter().map(|e| e.1));
            offsets.push(items.len() as u64);
        }
        for below in [true, false] {
            let want = brute(n, &rankings, &weights, below);
            let run = |threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| pairwise_preferences(n, &offsets, &items, &levels, Some(&weights), below).unwrap())
            };
            let (one, two) = (run(1), run(2));
            assert_eq!(one, two);
            assert_eq!(one, want);
        }
        assert!(pairwise_preferences(3, &[0, 2], &[0, 5], &[0, 1], None, true).is_err());
        assert!(pairwise_preferences(3, &[0, 1], &[0], &[u32::MAX], None, true).is_err());
        assert!(pairwise_preferences(3, &[0, 3], &[0, 1], &[0, 1], None, true).is_err());
    }

    /// Several tiles of rows and every path: whole-number weights (counted as u32), fractional
    /// weights, no weights; `below`, and `ignore` with long and with short rankings.
    #[test]
    fn tiles_match_brute_force() {
        let mut s = 5u64;
        let mut next = |m: u64| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        let n = 300;
        let mut rankings = Vec::new();
        for v in 0..60 {
            let mut items: Vec<u32> = (0..n as u32).collect();
            for k in (1..items.len()).rev() {
                items.swap(k, next(k as u64 + 1) as usize);
            }
            let k = if v % 3 == 0 { 1 + next(8) as usize } else { n - next(100) as usize };
            let mut level = 0;
            rankings.push(
                items[..k]
                    .iter()
                    .map(|&i| {
                        let e = (i, level);
                        level += (next(4) != 0) as u32;
                        e
                    })
                    .collect::<Vec<(u32, u32)>>(),
            );
        }
        let (offsets, items, levels) = csr(&rankings);
        // complete strict rankings (the upper-triangle path), with whole and with fractional weights
        let complete: Vec<Vec<(u32, u32)>> = (0..40)
            .map(|_| {
                let mut items: Vec<u32> = (0..n as u32).collect();
                for k in (1..items.len()).rev() {
                    items.swap(k, next(k as u64 + 1) as usize);
                }
                items.iter().enumerate().map(|(l, &i)| (i, l as u32)).collect()
            })
            .collect();
        let (o, i, l) = csr(&complete);
        for w in [(0..40).map(|v| (v % 3) as f64).collect::<Vec<f64>>(), (0..40).map(|v| 0.3 * v as f64).collect()] {
            for below in [true, false] {
                assert_eq!(pairwise_preferences(n, &o, &i, &l, Some(&w), below).unwrap(), brute(n, &complete, &w, below));
            }
        }
        let whole: Vec<f64> = (0..60).map(|v| (v % 4) as f64).collect();
        let frac: Vec<f64> = (0..60).map(|v| 0.1 * (v % 7) as f64).collect();
        let ones = vec![1.0; 60];
        for below in [true, false] {
            for (w, given) in [(&whole, true), (&frac, true), (&ones, false)] {
                let got = pairwise_preferences(n, &offsets, &items, &levels, given.then_some(&w[..]), below).unwrap();
                assert_eq!(got, brute(n, &rankings, w, below), "below {below}");
            }
            // short rankings only: `ignore` walks pairs
            let short: Vec<Vec<(u32, u32)>> = rankings.iter().step_by(3).cloned().collect();
            let (o, i, l) = csr(&short);
            let got = pairwise_preferences(n, &o, &i, &l, Some(&frac[..20]), below).unwrap();
            assert_eq!(got, brute(n, &short, &frac[..20], below));
        }
    }

    fn csr(rankings: &[Vec<(u32, u32)>]) -> (Vec<u64>, Vec<u32>, Vec<u32>) {
        let mut offsets = vec![0u64];
        let (mut items, mut levels) = (Vec::new(), Vec::new());
        for r in rankings {
            items.extend(r.iter().map(|e| e.0));
            levels.extend(r.iter().map(|e| e.1));
            offsets.push(items.len() as u64);
        }
        (offsets, items, levels)
    }

    /// Floyd–Warshall over max/min: the textbook strongest paths.
    fn floyd_warshall(n: usize, links: &[f64]) -> Vec<f64> {
        let mut d = links.to_vec();
        for i in 0..n {
            d[i * n + i] = 0.0;
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    if i != j && i != k && j != k {
                        let w = d[i * n + k].min(d[k * n + j]);
                        if w > d[i * n + j] {
                            d[i * n + j] = w;
                        }
                    }
                }
            }
        }
        d
    }

    /// Pseudo-random numbers below m.
    fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut s = seed;
        move |m| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        }
    }

    #[test]
    fn widest_paths_match_floyd_warshall() {
        let mut next = lcg(17);
        for trial in 0..201 {
            let n = if trial == 200 { 2 * RUN_ROWS + 7 } else { 1 + trial % 70 }; // several runs merged
                                                                                  // few distinct strengths (equal links abound), some pairs linked both ways
            let links: Vec<f64> = (0..n * n).map(|_| if next(3) == 0 { 0.0 } else { next(6) as f64 * 0.5 }).collect();
            let want = floyd_warshall(n, &links);
            for method in [PathMethod::Auto, PathMethod::Incremental, PathMethod::Thresholds] {
                let mut d = links.clone();
                widest_paths_by(n, &mut d, method).unwrap();
                assert_eq!(d, want, "trial {trial}, {method:?}");
            }
        }
    }

    /// The threshold method on many items and few strengths (sparse, dense, chains and
    /// cycles at each level), and the method chosen by the count of strengths.
    #[test]
    fn thresholds_match_incremental() {
        let mut next = lcg(23);
        for trial in 0..12 {
            let n = [130, 250, 400][trial % 3];
            let zero = [1, 2, 20, 200][trial % 4];
            let values = 1 + next(12);
            let links: Vec<f64> = (0..n * n).map(|_| if next(zero) != 0 { 0.0 } else { (1 + next(values)) as f64 }).collect();
            let mut want = links.clone();
            widest_paths_by(n, &mut want, PathMethod::Incremental).unwrap();
            let mut d = links.clone();
            widest_paths_by(n, &mut d, PathMethod::Thresholds).unwrap();
            assert_eq!(d, want, "trial {trial}");
        }
        let many: Vec<f64> = (0..300 * 300).map(|e| (e % 1000) as f64).collect();
        assert!(widest_paths_by(300, &mut many.clone(), PathMethod::Thresholds).is_err());
        assert_eq!(distinct_values(300, |i, j| many[i * 300 + j], |x| x > 0.0, 255).unwrap(), None);
        let d = [5.0, 3.0, 0.0, 9.0, 9.0, 0.5, 3.0, 0.0, 1.0];
        assert_eq!(distinct_values(3, |i, j| d[i * 3 + j], |x| x > 0.0, 255).unwrap(), Some(vec![0.5, 3.0, 9.0])); // the diagonal (5, 9, 1) left out
        assert_eq!(distinct_values(3, |i, j| d[i * 3 + j], |x| x >= 0.0, 255).unwrap(), Some(vec![0.0, 0.5, 3.0, 9.0]));
        assert_eq!(distinct_values(3, |i, j| d[i * 3 + j], |x| x >= 0.0, 2).unwrap(), None);
        // Against a set, for whole and fractional values, limits met within a row or only across
        // rows (the scan abandons a row past the limit).
        for trial in 0..60 {
            let n = 2 + next(40) as usize;
            let spread = [3, 10, 40, 70_000][trial % 4];
            let frac = trial % 3 == 0;
            let m: Vec<f64> = (0..n * n).map(|_| next(spread) as f64 / if frac && next(2) == 0 { 4.0 } else { 1.0 }).collect();
            let set: std::collections::BTreeSet<u64> = (0..n * n).filter(|e| e / n != e % n && m[*e] > 0.0).map(|e| m[e].to_bits()).collect();
            for most in [1, 2, 5, 17, 255] {
                let want = (set.len() <= most).then(|| set.iter().map(|&b| f64::from_bits(b)).collect::<Vec<f64>>());
                assert_eq!(distinct_values(n, |i, j| m[i * n + j], |x| x > 0.0, most).unwrap(), want, "trial {trial} most {most}");
            }
        }
        let mut found = Vec::new();
        let row: Vec<u8> = (0..200).map(|k| (k % 7) as u8).collect();
        push_matches(&row, Bytes::AtLeast(5), &mut found);
        assert_eq!(found, (0..200).filter(|k| k % 7 >= 5).collect::<Vec<u32>>());
        found.clear();
        let row: Vec<u8> = (0..300).map(|k| (k % 256) as u8).collect(); // bytes past 127 compare unsigned
        push_matches(&row, Bytes::AtLeast(200), &mut found);
        assert_eq!(found, (0..300).filter(|k| k % 256 >= 200).collect::<Vec<u32>>());
        found.clear();
        push_matches(&row, Bytes::Equal(3), &mut found);
        assert_eq!(found, vec![3, 259]);
    }

    #[test]
    fn widest_paths_match_brute_force_paths() {
        // 4 items: 0 → 1 (5), 1 → 2 (3), 2 → 0 (4), 2 → 3 (7), 3 → 1 (2).
        let n = 4;
        let mut d = vec![0.0; 16];
        for &(i, j, w) in &[(0, 1, 5.0), (1, 2, 3.0), (2, 0, 4.0), (2, 3, 7.0), (3, 1, 2.0)] {
            d[i * n + j] = w;
        }
        let links = d.clone();
        widest_paths(n, &mut d).unwrap();
        // Brute force: the best bottleneck over all simple paths (at most n - 1 links).
        fn best(links: &[f64], n: usize, from: usize, to: usize, seen: u32, width: f64) -> f64 {
            let mut out = 0.0f64;
            for next in 0..n {
                let w = links[from * n + next];
                if w > 0.0 && seen & (1 << next) == 0 {
                    let b = width.min(w);
                    out = out.max(if next == to { b } else { best(links, n, next, to, seen | (1 << next), b) });
                }
            }
            out
        }
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    assert_eq!(d[i * n + j], best(&links, n, i, j, 1 << i, f64::INFINITY), "{i} -> {j}");
                }
            }
        }
        assert_eq!(d[2 * n + 1], 4.0); // 2 → 0 → 1: min(4, 5)
        assert!(widest_paths(3, &mut [0.0; 4]).is_err());
        assert!(widest_paths(1, &mut [-1.0]).is_err());
    }
}
