//! Rating models fitted on a [`crate::pairs::PairTable`].

pub mod bradley_terry;
