//! Scores that count: wins, win rates, and the average of pairwise win rates. A tie counts
//! `tie_weight` (0.5 by default, evalica's convention) of a win for each side.

use crate::pairs::PairsRef;

/// Which count-based score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Weighted wins plus `tie_weight` × ties.
    Counting,
    /// (wins + `tie_weight` × ties) / comparisons.
    WinRate,
    /// Mean over the opponents an item met of its win rate against each, that win rate being
    /// [`Method::WinRate`]'s on the pair alone: (wins + `tie_weight` × ties) / comparisons.
    AverageWinRate,
}

/// Scores per item (items without comparisons score 0).
pub fn scores(t: PairsRef<'_>, method: Method, tie_weight: f64) -> Vec<f64> {
    let n = t.n;
    let (mut num, mut den) = (vec![0.0; n], vec![0.0; n]);
    for q in 0..t.len() {
        let (i, j) = (t.i[q] as usize, t.j[q] as usize);
        let (si, sj) = (t.wins_i[q] + tie_weight * t.ties[q], t.wins_j[q] + tie_weight * t.ties[q]);
        match method {
            Method::Counting => {
                num[i] += si;
                num[j] += sj;
            }
            Method::WinRate => {
                let games = t.wins_i[q] + t.wins_j[q] + t.ties[q];
                num[i] += si;
                num[j] += sj;
                den[i] += games;
                den[j] += games;
            }
            Method::AverageWinRate => {
                // Ties stay in the denominator whatever they are worth, as in WinRate: a pair
                // won once and tied once is worth 1/2 at tie_weight 0, not 1.
                let games = t.wins_i[q] + t.wins_j[q] + t.ties[q];
                if games > 0.0 {
                    num[i] += si / games;
                    num[j] += sj / games;
                    den[i] += 1.0;
                    den[j] += 1.0;
                }
            }
        }
    }
    match method {
        Method::Counting => num,
        _ => num.iter().zip(&den).map(|(x, d)| if *d > 0.0 { x / d } else { 0.0 }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::{reduce, Outcomes};

    #[test]
    fn by_hand() {
        // 0 beats 1 twice, ties 1 once; 1 beats 2; 2 beats 0 once and loses once.
        let t = reduce(3, &[0, 0, 1, 1, 2, 0], &[1, 1, 0, 2, 0, 2], Outcomes::Values(&[1.0, 1.0, 0.5, 1.0, 1.0, 1.0]), None).unwrap();
        let t = t.as_ref();
        assert_eq!(scores(t, Method::Counting, 0.5), vec![3.5, 1.5, 1.0]);
        assert_eq!(scores(t, Method::WinRate, 0.5), vec![3.5 / 5.0, 1.5 / 4.0, 1.0 / 3.0]);
        // 0: vs 1 → 2.5/3, vs 2 → 1/2; 1: vs 0 → 0.5/3, vs 2 → 1; 2: vs 0 → 1/2, vs 1 → 0.
        let awr = scores(t, Method::AverageWinRate, 0.5);
        let want = [(2.5 / 3.0 + 0.5) / 2.0, (0.5 / 3.0 + 1.0) / 2.0, 0.25];
        for k in 0..3 {
            assert!((awr[k] - want[k]).abs() < 1e-15);
        }
    }

    #[test]
    fn average_win_rate_agrees_with_win_rate_on_one_pair() {
        // 0 beats 1 once and ties once: what a tie is worth is the same in both scores.
        let t = reduce(2, &[0, 0], &[1, 1], Outcomes::Values(&[1.0, 0.5]), None).unwrap();
        for tie_weight in [0.0, 0.25, 0.5, 1.0] {
            let wr = scores(t.as_ref(), Method::WinRate, tie_weight);
            let awr = scores(t.as_ref(), Method::AverageWinRate, tie_weight);
            assert_eq!(wr, awr, "tie_weight {tie_weight}");
            assert_eq!(wr[0], (1.0 + tie_weight) / 2.0);
        }
        // Only ties: nobody wins at tie_weight 0, both score 0 (not a 0/0).
        let t = reduce(2, &[0], &[1], Outcomes::Values(&[0.5]), None).unwrap();
        assert_eq!(scores(t.as_ref(), Method::AverageWinRate, 0.0), vec![0.0, 0.0]);
    }
}
