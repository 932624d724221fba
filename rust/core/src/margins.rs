//! The majority matrix of rankings: `P[i][j]` = the weight of the voters who rank item `i`
//! above item `j` — the input of every voting rule on margins (Copeland, minimax, Schulze,
//! ranked pairs, Kemeny).
//!
//! Rankings come in CSR form (`offsets`, `items`, `levels`: level 0 is a voter's first place;
//! equal levels are ties). Rankings are split into fixed blocks (by count, never by thread
//! count), each block accumulates its own n × n matrix in parallel, and the blocks are added
//! in order: the same sums, bit for bit, for any number of threads.

use rayon::prelude::*;

use crate::{Error, Result};

/// Fewest rankings per block.
const BLOCK: usize = 256;
/// Most blocks (each holds an n × n accumulator).
const MAX_BLOCKS: usize = 8;

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
    n.checked_mul(n).ok_or_else(|| Error::InvalidArgument("n × n overflows".into()))?;
    let blocks = voters.div_ceil(BLOCK).clamp(1, MAX_BLOCKS);
    let per = voters.div_ceil(blocks).max(1);
    let parts: Vec<Vec<f64>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut p = vec![0.0f64; n * n];
            // level[i] of the current voter. Unranked: +∞ under `below` (beneath everything),
            // NaN otherwise (every comparison with it is false). As f64, the comparisons of a
            // whole row vectorise; a short ranking among many items is walked pair by pair.
            let unranked = if below { f64::INFINITY } else { f64::NAN };
            let mut level = vec![unranked; n];
            for v in (b * per).min(voters)..((b + 1) * per).min(voters) {
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
            p
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut total = parts.next().unwrap_or_else(|| vec![0.0; n * n]);
    for part in parts {
        total.iter_mut().zip(part).for_each(|(t, x)| *t += x);
    }
    Ok(total)
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
}
