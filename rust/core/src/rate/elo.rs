//! Online Elo ratings: one pass over the comparisons in order.
//!
//! For a row (a, b, outcome o, weight w): E = 1 / (1 + base^((R_b − R_a)/scale)),
//! R_a += k·w·(o − E), R_b −= k·w·(o − E). A tie is o = 0.5. The defaults of
//! [`Options`] (k 4, base 10, scale 400, initial 1000) are those of the LMArena notebook and
//! evalica.

use crate::error::{Error, Result};
use crate::memory::try_concat;
use crate::pairs::{check_shape, validate_rows, Outcomes};
use crate::resample;

/// Rows between two Ctrl-C polls (~1 ms of Elo updates).
const ROWS_PER_POLL: usize = 1 << 16;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub k: f64,
    pub base: f64,
    pub scale: f64,
    pub initial: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { k: 4.0, base: 10.0, scale: 400.0, initial: 1000.0 }
    }
}

impl Options {
    fn check(&self) -> Result<()> {
        let ok = self.k.is_finite()
            && self.k > 0.0
            && self.base.is_finite()
            && self.base > 1.0
            && self.scale.is_finite()
            && self.scale > 0.0
            && self.initial.is_finite();
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument("elo: need k > 0, base > 1, scale > 0 and a finite initial rating".into()))
        }
    }
}

/// The rows of an Elo run, checked once.
pub struct Rows<'a> {
    pub n: usize,
    pub a: &'a [u32],
    pub b: &'a [u32],
    pub outcomes: Outcomes<'a>,
    pub weights: Option<&'a [f64]>,
}

impl Rows<'_> {
    /// Checks shapes and every row (self-comparisons, outcomes, weights).
    pub fn validate(&self) -> Result<()> {
        check_shape(self.n, self.a, self.b, self.outcomes, self.weights)?;
        validate_rows(self.a, self.b, self.outcomes, self.weights)
    }

    /// Ratings after one pass; row r is applied `repeat[r]` times in a row when given (the
    /// bootstrap's resampled counts).
    fn run(&self, opts: &Options, repeat: Option<&[u32]>) -> Result<Vec<f64>> {
        let mut r = vec![opts.initial; self.n];
        // E = 1 / (1 + exp(c·(R_b − R_a))) with c = ln(base)/scale: one exp per row.
        let c = opts.base.ln() / opts.scale;
        for row in 0..self.a.len() {
            if row % ROWS_PER_POLL == 0 && crate::interrupt::poll() {
                crate::interrupt::check()?;
                return Err(Error::Interrupted);
            }
            let times = repeat.map_or(1, |t| t[row]);
            if times == 0 {
                continue;
            }
            let (x, y) = (self.a[row] as usize, self.b[row] as usize);
            let o = self.outcomes.get(row);
            let kw = opts.k * self.weights.map_or(1.0, |w| w[row]);
            for _ in 0..times {
                let e = 1.0 / (1.0 + (c * (r[y] - r[x])).exp());
                let d = kw * (o - e);
                r[x] += d;
                r[y] -= d;
            }
        }
        Ok(r)
    }
}

/// Per-item weighted wins, losses and ties of the rows (a tie is an outcome of exactly 0.5; an
/// outcome o otherwise gives o·w wins to a and (1 − o)·w to b).
pub fn totals(rows: &Rows<'_>) -> [Vec<f64>; 3] {
    let n = rows.n;
    let (mut wins, mut losses, mut ties) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for r in 0..rows.a.len() {
        let (x, y) = (rows.a[r] as usize, rows.b[r] as usize);
        let o = rows.outcomes.get(r);
        let w = rows.weights.map_or(1.0, |w| w[r]);
        if o == 0.5 {
            ties[x] += w;
            ties[y] += w;
        } else {
            wins[x] += o * w;
            losses[y] += o * w;
            wins[y] += (1.0 - o) * w;
            losses[x] += (1.0 - o) * w;
        }
    }
    [wins, losses, ties]
}

/// Elo ratings after one pass over the (validated) rows in order.
pub fn elo(rows: &Rows<'_>, opts: &Options) -> Result<Vec<f64>> {
    opts.check()?;
    rows.run(opts, None)
}

/// Bootstrap: each round resamples the rows with replacement, keeps them in their original
/// order, and reruns Elo. Returns `rounds × n` ratings, round-major.
pub fn bootstrap(rows: &Rows<'_>, opts: &Options, rounds: std::ops::Range<usize>, seed: u64) -> Result<Vec<f64>> {
    opts.check()?;
    let (reps, _) = resample::rows_bootstrap(rows.a.len(), rounds, seed, |counts| rows.run(opts, Some(counts)).map(Some))?;
    try_concat(reps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_game_by_hand() {
        let rows = Rows { n: 2, a: &[0], b: &[1], outcomes: Outcomes::Values(&[1.0]), weights: None };
        let r = elo(&rows, &Options { k: 32.0, ..Default::default() }).unwrap();
        // Equal ratings: E = 0.5, winner gains k/2.
        assert_eq!(r, vec![1016.0, 984.0]);
    }

    #[test]
    fn repeats_equal_duplicated_rows_and_weights_scale_k() {
        let (a, b, o) = ([0u32, 1, 2, 0], [1u32, 2, 0, 2], [1.0, 0.5, 0.0, 1.0]);
        let rows = Rows { n: 3, a: &a, b: &b, outcomes: Outcomes::Values(&o), weights: None };
        let twice = rows.run(&Options::default(), Some(&[2, 1, 0, 3])).unwrap();
        let (a2, b2, o2) = ([0u32, 0, 1, 0, 0, 0], [1u32, 1, 2, 2, 2, 2], [1.0, 1.0, 0.5, 1.0, 1.0, 1.0]);
        let dup = Rows { n: 3, a: &a2, b: &b2, outcomes: Outcomes::Values(&o2), weights: None };
        assert_eq!(twice, dup.run(&Options::default(), None).unwrap());
        // A row of weight 2 moves ratings as k doubled does.
        let one = Rows { n: 2, a: &[0], b: &[1], outcomes: Outcomes::Values(&[0.75]), weights: Some(&[2.0]) };
        let plain = Rows { weights: None, ..one };
        assert_eq!(one.run(&Options::default(), None).unwrap(), plain.run(&Options { k: 8.0, ..Default::default() }, None).unwrap());
    }

    #[test]
    fn bad_rows_and_options() {
        let rows = Rows { n: 2, a: &[0, 1], b: &[0, 0], outcomes: Outcomes::Values(&[1.0, 2.0]), weights: None };
        assert!(matches!(rows.validate(), Err(Error::SelfComparison { .. })));
        let ok = Rows { n: 2, a: &[0], b: &[1], outcomes: Outcomes::Values(&[1.0]), weights: None };
        assert!(elo(&ok, &Options { base: 1.0, ..Default::default() }).is_err());
    }
}
