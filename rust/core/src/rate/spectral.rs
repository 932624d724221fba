//! Scores from the leading eigenvector of a matrix built from the pair table.
//!
//! With s_ij = wins of i over j + ½ ties (a tie is half a win each way):
//! - `Eigenvector` (Keener 1993): r_i ∝ Σ_j s_ij r_j — an item is strong when it scores
//!   against strong items. Normalised to unit Euclidean length.
//! - `PageRank` (Brin & Page 1998 on the "loser links to winner" graph): each item spreads its
//!   vote over the items that beat it, in proportion to their wins over it; an item that never
//!   loses spreads uniformly; with probability 1 − damping the walk restarts uniformly. The
//!   stationary distribution (sums to 1).
//! - `RankCentrality` (Negahban, Oh & Shah 2017): the random walk that moves from i to j with
//!   probability (share of their comparisons won by j) / d_max, d_max the largest number of
//!   distinct opponents, and stays otherwise. Its stationary distribution (sums to 1) equals the
//!   Bradley–Terry strengths when the win shares equal the model's probabilities.
//!
//! All three run power iterations on the sparse table (O(pairs) per iteration) until the L1
//! change is below `tol`.

use crate::error::{Error, Result};
use crate::pairs::PairsRef;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Eigenvector,
    PageRank { damping: f64 },
    RankCentrality,
}

#[derive(Debug, Clone)]
pub struct Fit {
    pub scores: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Runs the power iteration for `method`.
pub fn fit(t: PairsRef<'_>, method: Method, tol: f64, max_iter: usize) -> Result<Fit> {
    if !(tol.is_finite() && tol > 0.0) {
        return Err(Error::InvalidArgument("tol must be finite and > 0".into()));
    }
    let n = t.n;
    if n == 0 {
        return Err(Error::InvalidArgument("no items".into()));
    }
    // Directed weighted edges (from, to, weight) of the matrix applied at each step:
    // next[to] += weight · current[from].
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * t.len());
    let mut stay = vec![0.0f64; n];
    let mut dangling = vec![false; n];
    let mut damping = 1.0;
    match method {
        Method::Eigenvector => {
            // next_i = Σ_j s_ij r_j + r_i: the shift by the identity keeps the iteration from
            // oscillating on periodic (e.g. bipartite) graphs without changing the eigenvector.
            for q in 0..t.len() {
                let (i, j) = (t.i[q], t.j[q]);
                let (si, sj) = (t.wins_i[q] + 0.5 * t.ties[q], t.wins_j[q] + 0.5 * t.ties[q]);
                edges.push((j, i, si));
                edges.push((i, j, sj));
            }
            stay.iter_mut().for_each(|x| *x = 1.0);
        }
        Method::PageRank { damping: d } => {
            if !(0.0..=1.0).contains(&d) {
                return Err(Error::InvalidArgument("damping must be in [0, 1]".into()));
            }
            damping = d;
            let mut lost = vec![0.0f64; n];
            for q in 0..t.len() {
                let (i, j) = (t.i[q] as usize, t.j[q] as usize);
                lost[i] += t.wins_j[q] + 0.5 * t.ties[q];
                lost[j] += t.wins_i[q] + 0.5 * t.ties[q];
            }
            for q in 0..t.len() {
                let (i, j) = (t.i[q], t.j[q]);
                let (si, sj) = (t.wins_i[q] + 0.5 * t.ties[q], t.wins_j[q] + 0.5 * t.ties[q]);
                // The loser j votes for i with weight s_ij / (all of j's losses).
                if lost[j as usize] > 0.0 {
                    edges.push((j, i, si / lost[j as usize]));
                }
                if lost[i as usize] > 0.0 {
                    edges.push((i, j, sj / lost[i as usize]));
                }
            }
            for k in 0..n {
                dangling[k] = lost[k] <= 0.0;
            }
        }
        Method::RankCentrality => {
            let mut degree = vec![0usize; n];
            for q in 0..t.len() {
                degree[t.i[q] as usize] += 1;
                degree[t.j[q] as usize] += 1;
            }
            let dmax = degree.iter().copied().max().unwrap_or(1).max(1) as f64;
            let mut out = vec![0.0f64; n];
            for q in 0..t.len() {
                let (i, j) = (t.i[q], t.j[q]);
                let (si, sj) = (t.wins_i[q] + 0.5 * t.ties[q], t.wins_j[q] + 0.5 * t.ties[q]);
                let total = si + sj;
                if total <= 0.0 {
                    continue;
                }
                // i moves to j with j's share of their results, and vice versa.
                edges.push((i, j, sj / total / dmax));
                edges.push((j, i, si / total / dmax));
                out[i as usize] += sj / total / dmax;
                out[j as usize] += si / total / dmax;
            }
            for k in 0..n {
                stay[k] = 1.0 - out[k];
            }
        }
    }
    let mut r = vec![1.0 / n as f64; n];
    let mut next = vec![0.0f64; n];
    let (mut iterations, mut converged) = (0, false);
    while iterations < max_iter {
        iterations += 1;
        for k in 0..n {
            next[k] = stay[k] * r[k];
        }
        for &(from, to, w) in &edges {
            next[to as usize] += w * r[from as usize];
        }
        if let Method::PageRank { .. } = method {
            let spread: f64 = (0..n).filter(|&k| dangling[k]).map(|k| r[k]).sum::<f64>() / n as f64;
            let total: f64 = r.iter().sum();
            for k in 0..n {
                next[k] = damping * (next[k] + spread) + (1.0 - damping) * total / n as f64;
            }
        }
        let norm = match method {
            Method::Eigenvector => next.iter().map(|x| x * x).sum::<f64>().sqrt(),
            _ => next.iter().sum::<f64>(),
        };
        if !(norm > 0.0 && norm.is_finite()) {
            return Err(Error::InvalidArgument("power iteration degenerated (all scores zero)".into()));
        }
        let mut change = 0.0;
        for k in 0..n {
            let v = next[k] / norm;
            change += (v - r[k]).abs();
            r[k] = v;
        }
        if change < tol {
            converged = true;
            break;
        }
    }
    Ok(Fit { scores: r, iterations, converged })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::{reduce, Outcomes};

    fn bt_table(w: &[f64], per_pair: f64) -> crate::pairs::PairTable {
        // Expected counts under Bradley–Terry with strengths w: exact shares.
        let n = w.len();
        let (mut a, mut b, mut o, mut wt) = (vec![], vec![], vec![], vec![]);
        for i in 0..n {
            for j in i + 1..n {
                let p = w[i] / (w[i] + w[j]);
                a.extend([i as u32, i as u32]);
                b.extend([j as u32, j as u32]);
                o.extend([1.0, 0.0]);
                wt.extend([per_pair * p, per_pair * (1.0 - p)]);
            }
        }
        reduce(n, &a, &b, Outcomes::Values(&o), Some(&wt)).unwrap()
    }

    #[test]
    fn rank_centrality_recovers_bradley_terry_strengths() {
        let w = [1.0, 2.0, 4.0, 0.5, 3.0];
        let t = bt_table(&w, 10.0);
        let f = fit(t.as_ref(), Method::RankCentrality, 1e-14, 100_000).unwrap();
        assert!(f.converged);
        let total: f64 = w.iter().sum();
        for k in 0..5 {
            assert!((f.scores[k] - w[k] / total).abs() < 1e-10, "{:?}", f.scores);
        }
    }

    #[test]
    fn eigenvector_of_a_small_matrix() {
        // s = [[0, 2], [1, 0]]: eigenvector (√2, 1)/√3 for eigenvalue √2.
        let t = reduce(2, &[0, 0, 1], &[1, 1, 0], Outcomes::Values(&[1.0, 1.0, 1.0]), None).unwrap();
        let f = fit(t.as_ref(), Method::Eigenvector, 1e-14, 100_000).unwrap();
        assert!(f.converged);
        assert!((f.scores[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-10 && (f.scores[1] - (1.0f64 / 3.0).sqrt()).abs() < 1e-10);
    }

    #[test]
    fn pagerank_sums_to_one_and_favours_the_unbeaten() {
        let t = reduce(3, &[0, 0, 1], &[1, 2, 2], Outcomes::Values(&[1.0, 1.0, 1.0]), None).unwrap();
        let f = fit(t.as_ref(), Method::PageRank { damping: 0.85 }, 1e-14, 10_000).unwrap();
        assert!((f.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(f.scores[0] > f.scores[1] && f.scores[1] > f.scores[2]);
    }
}
