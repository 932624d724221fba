//! Rating models fitted on a [`crate::pairs::PairTable`].

pub mod bradley_terry;
pub mod counting;
pub mod covariates;
pub mod crowd;
pub mod elo;
pub mod plackett_luce;
pub mod pooled;
pub mod spectral;
pub mod trueskill;

use crate::error::{Error, Result};
use crate::pairs::PairsRef;

/// The scores of a pair table that need no model fit: counting ([`counting`]) or a power
/// iteration ([`spectral`]), named as the Python functions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairScore {
    Counting,
    WinRate,
    AverageWinRate,
    Eigenvector,
    PageRank,
    RankCentrality,
}

impl std::str::FromStr for PairScore {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let choices = [
            ("counting", PairScore::Counting),
            ("win_rate", PairScore::WinRate),
            ("average_win_rate", PairScore::AverageWinRate),
            ("eigenvector", PairScore::Eigenvector),
            ("pagerank", PairScore::PageRank),
            ("rank_centrality", PairScore::RankCentrality),
        ];
        crate::error::parse_choice("method", s, &choices)
    }
}

/// The settings of [`pair_scores`]: `tie_weight` for the counting scores, `damping` for
/// PageRank, `tol` and `max_iter` for the power iterations.
#[derive(Debug, Clone, Copy)]
pub struct PairScoreOptions {
    pub tie_weight: f64,
    pub damping: f64,
    pub tol: f64,
    pub max_iter: usize,
}

/// The scores of `method` on a pair table (the counting scores report 0 iterations, converged).
pub fn pair_scores(t: PairsRef<'_>, method: PairScore, opts: &PairScoreOptions) -> Result<spectral::Fit> {
    let count = |m| Ok(spectral::Fit { scores: counting::scores(t, m, opts.tie_weight), iterations: 0, converged: true });
    let power = |m| spectral::fit(t, m, opts.tol, opts.max_iter);
    match method {
        PairScore::Counting => count(counting::Method::Counting),
        PairScore::WinRate => count(counting::Method::WinRate),
        PairScore::AverageWinRate => count(counting::Method::AverageWinRate),
        PairScore::Eigenvector => power(spectral::Method::Eigenvector),
        PairScore::PageRank => power(spectral::Method::PageRank { damping: opts.damping }),
        PairScore::RankCentrality => power(spectral::Method::RankCentrality),
    }
}

/// σ(x) = 1 / (1 + e^{−x}), without overflow for large |x| (Plackett–Luce, pooled
/// Bradley–Terry).
#[inline]
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ln σ(x) = −ln(1 + e^{−x}), without overflow for large |x|.
#[inline]
pub(crate) fn log_sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// Every option enum parses its own names back and names every choice when it does not.
    #[test]
    fn option_strings_parse_once_with_the_choices_in_the_error() {
        use bradley_terry::{Solver, Ties};
        assert_eq!("rao_kupper".parse::<Ties>(), Ok(Ties::RaoKupper));
        assert_eq!("mm".parse::<Solver>(), Ok(Solver::MM));
        assert_eq!("fast".parse::<plackett_luce::Solver>(), Ok(plackett_luce::Solver::Fast));
        assert_eq!("ignore".parse::<plackett_luce::Unranked>(), Ok(plackett_luce::Unranked::Ignore));
        assert_eq!("heuristic".parse::<crate::kemeny::Method>(), Ok(crate::kemeny::Method::Heuristic));
        assert_eq!("pagerank".parse::<PairScore>(), Ok(PairScore::PageRank));
        let message = |e: Result<PairScore>| match e {
            Err(Error::InvalidArgument(m)) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        };
        let m = message("PageRank".parse());
        for name in ["counting", "win_rate", "average_win_rate", "eigenvector", "pagerank", "rank_centrality", "\"PageRank\""] {
            assert!(m.contains(name), "{m}");
        }
        assert!(
            matches!("Half".parse::<Ties>(), Err(Error::InvalidArgument(m)) if m == "tie_model must be 'half', 'drop', 'davidson' or 'rao_kupper', not \"Half\"")
        );
    }

    /// `pair_scores` is the counting or spectral function it names.
    #[test]
    fn pair_scores_dispatches_to_the_named_method() {
        let (i, j, wi, wj, ties) = ([0u32, 0, 1], [1u32, 2, 2], [3.0, 1.0, 2.0], [1.0, 2.0, 0.0], [1.0, 0.0, 1.0]);
        let t = PairsRef { n: 3, i: &i, j: &j, wins_i: &wi, wins_j: &wj, ties: &ties };
        let opts = PairScoreOptions { tie_weight: 0.5, damping: 0.7, tol: 1e-12, max_iter: 10_000 };
        let counted = pair_scores(t, PairScore::WinRate, &opts).unwrap();
        assert_eq!(counted.scores, counting::scores(t, counting::Method::WinRate, 0.5));
        assert_eq!((counted.iterations, counted.converged), (0, true));
        let ranked = pair_scores(t, PairScore::PageRank, &opts).unwrap();
        assert_eq!(ranked.scores, spectral::fit(t, spectral::Method::PageRank { damping: 0.7 }, 1e-12, 10_000).unwrap().scores);
    }
}
