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
    // Levels as i32 codes: a ranked item's code is greater the lower it is ranked; unranked is
    // above every code (`below`) or below every code (`ignore`: 0, ranked levels shifted by 1),
    // so "j is ranked below i" is `code[j] > code[i]` in both conventions, i ranked.
    let (unranked, shift) = if below { (i32::MAX, 0) } else { (0, 1) };
    let chunk = (CHUNK_BYTES / (4 * n)).clamp(1, 1024);
    let rows = (TILE_BYTES / (4 * n)).clamp(1, 64);
    let mut code = crate::memory::try_filled(chunk.min(voters) * n, unranked)?;
    for first in (0..voters).step_by(chunk) {
        if crate::interrupt::poll() {
            return crate::interrupt::check().map(|_| p);
        }
        let last = (first + chunk).min(voters);
        code.par_chunks_mut(n).zip(first..last).for_each(|(row, v)| {
            row.fill(unranked);
            let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
            for (&i, &l) in items[lo..hi].iter().zip(&levels[lo..hi]) {
                row[i as usize] = l as i32 + shift;
            }
        });
        let code = &code[..(last - first) * n];
        let ranked = |v: usize| offsets[v] < offsets[v + 1];
        match &counts {
            Some(c) => p.par_chunks_mut(rows * n).enumerate().for_each(|(t, out)| {
                let mut acc = vec![0u32; out.len()];
                for (k, row) in code.chunks_exact(n).enumerate() {
                    let w = c[first + k];
                    if w != 0 && ranked(first + k) {
                        tile(&mut acc, row, t * rows, unranked, w, upper);
                    }
                }
                out.iter_mut().zip(&acc).for_each(|(o, &a)| *o += a as f64);
            }),
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
    if upper {
        let total = counts.as_ref().map_or(0.0, |c| c.iter().map(|&w| w as f64).sum::<f64>());
        for i in 1..n {
            let (done, rest) = p.split_at_mut(i * n);
            for (j, cell) in rest[..i].iter_mut().enumerate() {
                *cell = total - done[j * n + i];
            }
        }
    }
    crate::interrupt::check().map(|_| p)
}

/// Adds one voter's comparisons (level codes `row`) into the accumulator rows of items
/// `first ..`: `acc[r][j] += w` where item j is ranked below item `first + r` (`u32` counts,
/// or `f64` weights added straight into P's rows); `upper`: only the items j after it.
fn tile<T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[i32], first: usize, unranked: i32, w: T, upper: bool) {
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
unsafe fn tile_avx2<T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[i32], first: usize, unranked: i32, w: T, upper: bool) {
    tile_any(acc, row, first, unranked, w, upper);
}

#[inline(always)]
fn tile_any<T: Copy + Default + std::ops::Add<Output = T>>(acc: &mut [T], row: &[i32], first: usize, unranked: i32, w: T, upper: bool) {
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

/// Strongest (widest) paths, in place: on entry `d[i * n + j]` is the strength of the link
/// i → j (0 for none, never negative), on return the strength of the strongest path from i to
/// j, a path being as strong as its weakest link (Schulze's beat-paths; the diagonal is left 0).
///
/// d[a][b] is the largest w such that b is reachable from a over links of strength ≥ w. So the
/// links are taken from the strongest down while the reachability of every item is kept as a
/// bitset row: when a link i → j makes b reachable from a for the first time, d[a][b] is that
/// link's strength. A link between items already connected costs one bit test; the items
/// reaching i but not j are one word operation per 64 items (one reaching j already reaches
/// all j reaches), and every new (a, b) pair is paid once. So O(n³/64) word operations at worst, instead of Floyd–Warshall's n³ min/max
/// (3,000 items, 20 voters: 2.8 s against 11–83 s, two loaded cores). Exact (max and min), independent of the
/// thread count. Polls for Ctrl-C every 64k links.
pub fn widest_paths(n: usize, d: &mut [f64]) -> Result<()> {
    if n.checked_mul(n) != Some(d.len()) {
        return Err(Error::InvalidArgument(format!("the link matrix has {} entries, not n × n for n = {n}", d.len())));
    }
    if let Some(bad) = d.iter().position(|x| !(*x >= 0.0 && x.is_finite())) {
        return Err(Error::InvalidArgument(format!("link strengths must be finite and >= 0; entry {bad} is {}", d[bad])));
    }
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
    let mut above = reach.clone();
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

    #[test]
    fn widest_paths_match_floyd_warshall() {
        let mut s = 17u64;
        let mut next = |m: u64| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        for trial in 0..201 {
            let n = if trial == 200 { 2 * RUN_ROWS + 7 } else { 1 + trial % 70 }; // several runs merged
                                                                                  // few distinct strengths (equal links abound), some pairs linked both ways
            let links: Vec<f64> = (0..n * n).map(|_| if next(3) == 0 { 0.0 } else { next(6) as f64 * 0.5 }).collect();
            let mut d = links.clone();
            widest_paths(n, &mut d).unwrap();
            assert_eq!(d, floyd_warshall(n, &links), "trial {trial}");
        }
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
