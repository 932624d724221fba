//! The majority matrix of rankings: `P[i][j]` = the weight of the voters who rank item `i`
//! above item `j` — the input of every voting rule on margins (Copeland, minimax, Schulze,
//! ranked pairs, Kemeny).
//!
//! Rankings come in CSR form (`offsets`, `items`, `levels`: level 0 is a voter's first place;
//! equal levels are ties). Rankings are split into fixed blocks (by count, never by thread
//! count), each block accumulates its own n × n matrix in parallel, and the blocks are added
//! in order: the same sums, bit for bit, for any number of threads.

use rayon::prelude::*;

use crate::memory::try_filled;
use crate::{Error, Result};

/// Fewest rankings per block.
const BLOCK: usize = 256;
/// Most blocks (each holds an n × n accumulator).
const MAX_BLOCKS: usize = 8;
/// Most bytes held by the blocks' accumulators beyond the result's own n × n (so a matrix
/// near the memory budget is summed in one block: the call peaks at one matrix).
const EXTRA_BYTES: usize = 64 << 20;

/// `P` (n × n, row-major). `below`: items a voter did not rank count as tied below every item
/// it ranked; otherwise they are left out of that voter's comparisons.
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
    let cells = n.checked_mul(n).ok_or_else(|| Error::InvalidArgument("n × n overflows".into()))?;
    // Depends on the sizes only (never on the thread count): the sums stay bit-identical.
    let blocks = voters.div_ceil(BLOCK).clamp(1, MAX_BLOCKS).min(1 + EXTRA_BYTES / (8 * cells).max(1));
    let per = voters.div_ceil(blocks).max(1);
    let parts: Vec<Vec<f64>> = crate::interrupt::watched(|stop| {
        (0..blocks)
            .into_par_iter()
            .map(|b| {
                let mut p = try_filled(cells, 0.0f64)?;
                // level[i] of the current voter. Unranked: +∞ under `below` (beneath everything),
                // NaN otherwise (every comparison with it is false). As f64, the comparisons of a
                // whole row vectorise; a short ranking among many items is walked pair by pair.
                let unranked = if below { f64::INFINITY } else { f64::NAN };
                let mut level = vec![unranked; n];
                for v in (b * per).min(voters)..((b + 1) * per).min(voters) {
                    if stop.stopped() {
                        break;
                    }
                    let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
                    let w = weights.map_or(1.0, |w| w[v]);
                    if w == 0.0 || lo == hi {
                        continue;
                    }
                    let ranked = &items[lo..hi];
                    for (&i, &l) in ranked.iter().zip(&levels[lo..hi]) {
                        level[i as usize] = l as f64;
                    }
                    let whole_rows = below || 4 * ranked.len() >= n;
                    for &i in ranked {
                        let li = level[i as usize];
                        let row = &mut p[i as usize * n..(i as usize + 1) * n];
                        if whole_rows {
                            // branch-free: adding 0.0 leaves a sum unchanged
                            for (cell, &lj) in row.iter_mut().zip(level.iter()) {
                                *cell += if lj > li { w } else { 0.0 };
                            }
                        } else {
                            for &j in ranked {
                                if level[j as usize] > li {
                                    row[j as usize] += w;
                                }
                            }
                        }
                    }
                    for &i in ranked {
                        level[i as usize] = unranked;
                    }
                }
                Ok(p)
            })
            .collect::<Result<Vec<Vec<f64>>>>()
    })??;
    let mut parts = parts.into_iter();
    let mut total = match parts.next() {
        Some(first) => first,
        None => try_filled(cells, 0.0)?,
    };
    for part in parts {
        total.iter_mut().zip(part).for_each(|(t, x)| *t += x);
    }
    Ok(total)
}

/// Strongest (widest) paths, in place: on entry `d[i * n + j]` is the strength of the link
/// i → j (0 for none, never negative), on return the strength of the strongest path from i to
/// j, a path being as strong as its weakest link (Floyd–Warshall over max/min: Schulze's
/// beat-paths). Rows are updated in parallel for each intermediate item; max and min are
/// exact, so the result does not depend on the thread count. Polls for Ctrl-C once per item.
pub fn widest_paths(n: usize, d: &mut [f64]) -> Result<()> {
    if n.checked_mul(n) != Some(d.len()) {
        return Err(Error::InvalidArgument(format!("the link matrix has {} entries, not n × n for n = {n}", d.len())));
    }
    if let Some(bad) = d.iter().position(|x| !(*x >= 0.0 && x.is_finite())) {
        return Err(Error::InvalidArgument(format!("link strengths must be finite and >= 0; entry {bad} is {}", d[bad])));
    }
    let mut through = vec![0.0f64; n];
    for k in 0..n {
        if crate::interrupt::poll() {
            return crate::interrupt::check();
        }
        through.copy_from_slice(&d[k * n..(k + 1) * n]);
        // Row k itself cannot change (d[k][k] is never used above 0 through k).
        d.par_chunks_mut(n.max(1)).enumerate().for_each(|(i, row)| {
            let via = row[k];
            if i == k || via <= 0.0 {
                return;
            }
            for (cell, &next) in row.iter_mut().zip(&through) {
                let w = if next < via { next } else { via };
                if w > *cell {
                    *cell = w;
                }
            }
        });
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
            let level = |x: usize| r.iter().find(|e| e.0 as usize == x).map(|e| e.1);
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
        assert!(pairwise_preferences(3, &[0, 3], &[0, 1], &[0, 1], None, true).is_err());
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
