//! Rank correlation in O(n log n): Kendall's τ-b with ties by Knight's (1966) algorithm.

use crate::error::{Error, Result};

/// Pair counts of two score vectors (larger = better or smaller = better alike; only the
/// order matters): discordant pairs, pairs tied in x, tied in y, tied in both, and n(n−1)/2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairCounts {
    pub discordant: u64,
    pub tied_x: u64,
    pub tied_y: u64,
    pub tied_both: u64,
    pub pairs: u64,
}

impl PairCounts {
    /// Kendall's τ-b (NaN when one vector is constant).
    pub fn tau_b(&self) -> f64 {
        let n0 = self.pairs as f64;
        let num = n0 - self.tied_x as f64 - self.tied_y as f64 + self.tied_both as f64 - 2.0 * self.discordant as f64;
        num / ((n0 - self.tied_x as f64) * (n0 - self.tied_y as f64)).sqrt()
    }
}

fn tied_pairs<T: PartialEq>(sorted: impl Iterator<Item = T>) -> u64 {
    let mut total = 0u64;
    let mut run = 0u64;
    let mut last: Option<T> = None;
    for v in sorted {
        if last.as_ref() == Some(&v) {
            run += 1;
        } else {
            total += run * (run + 1) / 2;
            run = 0;
        }
        last = Some(v);
    }
    total + run * (run + 1) / 2
}

/// Counts for Kendall's τ of `x` and `y` (same length, no NaN).
pub fn pair_counts(x: &[f64], y: &[f64]) -> Result<PairCounts> {
    let n = x.len();
    if y.len() != n {
        return Err(Error::InvalidArgument("kendall: x and y differ in length".into()));
    }
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return Err(Error::InvalidArgument("kendall: NaN values".into()));
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let tied_x = tied_pairs(idx.iter().map(|&i| x[i].to_bits()));
    let tied_both = tied_pairs(idx.iter().map(|&i| (x[i].to_bits(), y[i].to_bits())));
    // Merge sort by y, counting the swaps: each is a discordant pair (ties in x were ordered by
    // y, so they add none).
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let mut buf = ys.clone();
    let discordant = merge_count(&mut ys, &mut buf);
    let tied_y = tied_pairs(ys.iter().map(|v| v.to_bits()));
    Ok(PairCounts { discordant, tied_x, tied_y, tied_both, pairs: (n as u64) * (n as u64).saturating_sub(1) / 2 })
}

fn merge_count(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut swaps = {
        let (a, b) = v.split_at_mut(mid);
        let (ba, bb) = buf.split_at_mut(mid);
        merge_count(a, ba) + merge_count(b, bb)
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            buf[k] = v[j];
            swaps += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    let k2 = k + mid - i;
    buf[k2..k2 + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    swaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_quadratic_count() {
        let mut s = 5u64;
        for trial in 0..50 {
            let n = 1 + trial % 40;
            let mut next = || {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((s >> 40) % 5) as f64
            };
            let x: Vec<f64> = (0..n).map(|_| next()).collect();
            let y: Vec<f64> = (0..n).map(|_| next()).collect();
            let c = pair_counts(&x, &y).unwrap();
            let (mut d, mut tx, mut ty, mut tb) = (0, 0, 0, 0);
            for i in 0..n {
                for j in i + 1..n {
                    let (dx, dy) = (x[i] - x[j], y[i] - y[j]);
                    d += (dx * dy < 0.0) as u64;
                    tx += (dx == 0.0) as u64;
                    ty += (dy == 0.0) as u64;
                    tb += (dx == 0.0 && dy == 0.0) as u64;
                }
            }
            assert_eq!((c.discordant, c.tied_x, c.tied_y, c.tied_both), (d, tx, ty, tb), "trial {trial}");
        }
    }
}
