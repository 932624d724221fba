//! rankagg-core: the pure-Rust engine behind the `rankagg` Python package.
//!
//! The pipeline is: item names → dense `u32` codes ([`factorize`]) → a [`pairs::PairTable`]
//! of sufficient statistics ([`pairs::reduce`]) → a model fit ([`rate`]). Nothing here knows
//! about Python; the `rankagg-python` crate wraps these functions.

pub mod aggregate;
pub mod consistency;
pub mod distance;
pub mod error;
pub mod factorize;
pub mod games;
pub mod graph;
pub mod interrupt;
pub mod kemeny;
pub mod margins;
pub mod memory;
pub mod pairs;
pub mod rate;
pub mod resample;
pub mod vote;

pub use error::{Error, Result};
