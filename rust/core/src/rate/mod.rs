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
