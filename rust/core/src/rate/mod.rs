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

/// ln σ(x) = −ln(1 + e^{−x}), without overflow for large |x|.
#[inline]
pub(crate) fn log_sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}
