//! Bootstrap resampling.
//!
//! Every round draws from its own random stream, seeded from `(seed, round, attempt)` alone, so
//! a bootstrap gives the same replicates whatever the number of threads and whichever thread
//! runs which round.
//!
//! Methods that depend on the data only through counts (the pair table) resample the counts: a
//! multinomial draw over the cells with the number of rows as the number of draws, which is the
//! distribution of the cell counts when rows are resampled with replacement. Two exact samplers
//! are used: Walker's alias method when draws are few per cell, conditional binomials when many.

use rand::{Rng, RngCore, SeedableRng};
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::memory::{try_collect, try_filled, try_with_capacity};
use crate::pairs::PairsRef;

pub type RoundRng = Xoshiro256PlusPlus;

/// SplitMix64 finaliser: decorrelates nearby seeds.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The random stream of one attempt of one round.
pub fn round_rng(seed: u64, round: u64, attempt: u64) -> RoundRng {
    let s = mix(mix(seed ^ 0x5241_4e4b_4147_4721).wrapping_add(round)).wrapping_add(attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    RoundRng::seed_from_u64(mix(s))
}

/// Draws between two Ctrl-C polls: ~10–30 ms when every draw misses the cache (counts of
/// millions of cells or rows).
const DRAWS_PER_POLL: usize = 1 << 18;

/// Multinomial resampling of cell masses: each draw picks cell k with probability
/// `mass[k] / total` and adds `total / draws` to it.
#[derive(Clone, Copy)]
struct AliasEntry {
    /// Keep the cell when a uniform 64-bit fraction is below this (2^64 · acceptance probability).
    keep_below: u64,
    alias: u32,
}

pub struct CountSampler {
    total: f64,
    draws: u64,
    /// Alias table (Walker 1977; Vose 1991), one entry per cell.
    alias: Option<Vec<AliasEntry>>,
    /// Probabilities for the conditional-binomial sampler.
    probs: Vec<f64>,
}

impl CountSampler {
    /// `draws` is the number of rows the masses came from (≥ 1).
    pub fn new(mass: &[f64], draws: u64) -> Result<CountSampler> {
        if mass.iter().any(|m| !(m.is_finite() && *m >= 0.0)) {
            return Err(Error::InvalidArgument("bootstrap: cell counts must be finite and >= 0".into()));
        }
        let total: f64 = mass.iter().sum();
        #[allow(clippy::neg_cmp_op_on_partial_ord)] // a NaN total is rejected too
        if !(total > 0.0) || draws == 0 {
            return Err(Error::InvalidArgument("bootstrap: nothing to resample".into()));
        }
        if mass.len() > u32::MAX as usize {
            return Err(Error::InvalidArgument("bootstrap: too many cells".into()));
        }
        let k = mass.len();
        let probs = try_collect(k, mass.iter().map(|m| m / total))?;
        // Alias draws cost O(draws) per round, conditional binomials O(cells): pick the cheaper.
        // (u32 counters: the alias path is only taken for draws ≤ 8·cells < 2^32·8.)
        let alias = if draws <= 8 * k as u64 && draws < u32::MAX as u64 { Some(build_alias(&probs)) } else { None };
        Ok(CountSampler { total, draws, alias, probs })
    }

    /// One resample: fills `out` (same length as the masses) with the resampled masses.
    pub fn sample(&self, rng: &mut RoundRng, out: &mut [f64]) -> Result<()> {
        out.iter_mut().for_each(|x| *x = 0.0);
        let unit = self.total / self.draws as f64;
        match &self.alias {
            Some(table) => {
                let k = table.len() as u128;
                let mut counts = try_filled(table.len(), 0u32)?;
                // A local copy keeps the generator's state in registers.
                let rng_out = rng;
                let mut local = rng_out.clone();
                let rng = &mut local;
                for block in (0..self.draws).step_by(DRAWS_PER_POLL) {
                    if crate::interrupt::poll() {
                        return Err(Error::Interrupted);
                    }
                    for _ in block..(block + DRAWS_PER_POLL as u64).min(self.draws) {
                        // One 64-bit draw gives the cell (high part of u·k) and a uniform
                        // fraction (low part) for the acceptance test; the select is branch-free.
                        let prod = rng.next_u64() as u128 * k;
                        let cell = (prod >> 64) as usize;
                        let e = table[cell];
                        let keep = ((prod as u64) < e.keep_below) as usize;
                        let c = (e.alias as usize) ^ ((cell ^ e.alias as usize) & keep.wrapping_neg());
                        counts[c] += 1;
                    }
                }
                *rng_out = local;
                for (o, c) in out.iter_mut().zip(counts) {
                    *o = c as f64;
                }
            }
            None => {
                // Conditional binomials: cell k gets Binomial(remaining, p_k / remaining mass).
                let mut remaining = self.draws;
                let mut rest = 1.0f64;
                for (k, &p) in self.probs.iter().enumerate() {
                    if remaining == 0 {
                        break;
                    }
                    if k % (DRAWS_PER_POLL / 4) == 0 && crate::interrupt::poll() {
                        return Err(Error::Interrupted);
                    }
                    let q = if rest > 0.0 { (p / rest).clamp(0.0, 1.0) } else { 1.0 };
                    let x = if q >= 1.0 {
                        remaining
                    } else if q <= 0.0 {
                        0
                    } else {
                        Binomial::new(remaining, q).map(|b| b.sample(rng)).unwrap_or(0)
                    };
                    out[k] = x as f64;
                    remaining -= x;
                    rest -= p;
                }
                // Rounding in `rest` can leave draws unassigned: give them to the last cells
                // in proportion (at most a few draws, with probability ~1e-16).
                if remaining > 0 {
                    let last = self.probs.iter().rposition(|&p| p > 0.0).unwrap_or(0);
                    out[last] += remaining as f64;
                }
            }
        }
        if unit != 1.0 {
            out.iter_mut().for_each(|x| *x *= unit);
        }
        Ok(())
    }
}

fn build_alias(probs: &[f64]) -> Vec<AliasEntry> {
    let k = probs.len();
    let mut threshold: Vec<f64> = probs.iter().map(|p| p * k as f64).collect();
    let mut alias: Vec<u32> = (0..k as u32).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..k).partition(|&i| threshold[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        alias[s] = l as u32;
        threshold[l] -= 1.0 - threshold[s];
        if threshold[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // Leftovers (rounding) always accept themselves.
    for i in small.into_iter().chain(large) {
        threshold[i] = 1.0;
    }
    threshold
        .iter()
        .zip(alias)
        .map(|(&t, a)| AliasEntry { keep_below: if t >= 1.0 { u64::MAX } else { (t * 18_446_744_073_709_551_616.0) as u64 }, alias: a })
        .collect()
}

/// The threads the rounds run on (rayon's global pool: `RAYON_NUM_THREADS`, else the CPUs
/// available), one round per thread at a time: a chunk of fewer rounds leaves threads idle.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `f(round, rng)` for every round of `rounds` (a range of round numbers, so a long
/// bootstrap can run in chunks with the same result) in parallel; a round whose attempt returns
/// `Ok(None)` is redrawn with the next attempt (up to `max_attempts`), and the number of
/// redraws is returned with the results in round order. The rounds are watched for Ctrl-C
/// ([`crate::interrupt::watched`]): a request skips the rounds not started and stops the
/// running ones at their next poll, and the call returns `Error::Interrupted`.
pub fn rounds<T: Send>(
    rounds: std::ops::Range<usize>,
    seed: u64,
    max_attempts: u64,
    f: impl Fn(usize, &mut RoundRng) -> Result<Option<T>> + Sync,
) -> Result<(Vec<T>, usize)> {
    let count = rounds.len();
    let out: Vec<Result<(T, usize)>> = crate::interrupt::watched(|stop| {
        rounds
            .into_par_iter()
            .map(|r| {
                for attempt in 0..max_attempts {
                    if stop.stopped() {
                        return Err(Error::Interrupted);
                    }
                    let mut rng = round_rng(seed, r as u64, attempt);
                    if let Some(v) = stop.run(|| f(r, &mut rng))? {
                        return Ok((v, attempt as usize));
                    }
                }
                Err(Error::InvalidArgument(format!("bootstrap: round {r} failed {max_attempts} times in a row")))
            })
            .collect()
    })?;
    let mut values = try_with_capacity(count)?;
    let mut redraws = 0;
    for o in out {
        let (v, a) = o?;
        values.push(v);
        redraws += a;
    }
    Ok((values, redraws))
}

/// Bootstrap of a statistic of the pair table by count resampling: each round draws `draws`
/// comparisons from the (pair, outcome) cells in proportion to their counts and evaluates
/// `stat` on the resampled table (`Ok(None)` asks for a redraw). Returns the values in round
/// order and the number of redraws.
pub fn pairs_bootstrap<T: Send>(
    t: PairsRef<'_>,
    draws: u64,
    rounds: std::ops::Range<usize>,
    seed: u64,
    stat: impl Fn(PairsRef<'_>) -> Result<Option<T>> + Sync,
) -> Result<(Vec<T>, usize)> {
    let k = t.len();
    let mut mass = try_with_capacity(3 * k)?;
    for q in 0..k {
        mass.extend_from_slice(&[t.wins_i[q], t.wins_j[q], t.ties[q]]);
    }
    let sampler = CountSampler::new(&mass, draws)?;
    self::rounds(rounds, seed, 100, |_, rng| {
        let mut cells = try_filled(3 * k, 0.0)?;
        sampler.sample(rng, &mut cells)?;
        let (mut wi, mut wj, mut tt) = (try_with_capacity(k)?, try_with_capacity(k)?, try_with_capacity(k)?);
        for c in cells.chunks_exact(3) {
            wi.push(c[0]);
            wj.push(c[1]);
            tt.push(c[2]);
        }
        stat(PairsRef { n: t.n, i: t.i, j: t.j, wins_i: &wi, wins_j: &wj, ties: &tt })
    })
}

/// Bootstrap of a statistic of `m` ordered rows: each round draws `m` rows with replacement and
/// gives `stat` how many times each row was drawn (rows keep their order).
pub fn rows_bootstrap<T: Send>(
    m: usize,
    rounds: std::ops::Range<usize>,
    seed: u64,
    stat: impl Fn(&[u32]) -> Result<Option<T>> + Sync,
) -> Result<(Vec<T>, usize)> {
    if m == 0 {
        return Err(Error::InvalidArgument("bootstrap: nothing to resample".into()));
    }
    self::rounds(rounds, seed, 100, |_, rng| {
        let mut counts = try_filled(m, 0u32)?;
        for block in (0..m).step_by(DRAWS_PER_POLL) {
            if crate::interrupt::poll() {
                return Err(Error::Interrupted);
            }
            for _ in block..(block + DRAWS_PER_POLL).min(m) {
                counts[rng.random_range(0..m)] += 1;
            }
        }
        stat(&counts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(mass: &[f64], draws: u64, reps: usize) -> (Vec<f64>, Vec<f64>) {
        let s = CountSampler::new(mass, draws).unwrap();
        let k = mass.len();
        let (mut m1, mut m2) = (vec![0.0; k], vec![0.0; k]);
        let mut out = vec![0.0; k];
        for r in 0..reps {
            let mut rng = round_rng(7, r as u64, 0);
            s.sample(&mut rng, &mut out).unwrap();
            let tot: f64 = out.iter().sum();
            assert!((tot - mass.iter().sum::<f64>()).abs() < 1e-9, "total preserved");
            for c in 0..k {
                m1[c] += out[c] / reps as f64;
                m2[c] += out[c] * out[c] / reps as f64;
            }
        }
        let var = m2.iter().zip(&m1).map(|(a, b)| a - b * b).collect();
        (m1, var)
    }

    #[test]
    fn both_samplers_have_multinomial_moments() {
        // Alias path (few draws per cell) and binomial path (many): mean n·p, variance n·p(1−p).
        for &(draws, ref mass) in &[(12u64, vec![1.0, 5.0, 0.0, 4.0, 2.0]), (1000u64, vec![100.0, 500.0, 0.0, 400.0])] {
            let total: f64 = mass.iter().sum();
            let (mean, var) = moments(mass, draws, 20_000);
            for c in 0..mass.len() {
                let p = mass[c] / total;
                let unit = total / draws as f64;
                let (em, ev) = (draws as f64 * p * unit, draws as f64 * p * (1.0 - p) * unit * unit);
                assert!((mean[c] - em).abs() < 4.0 * (ev / 20_000.0).sqrt() + 1e-12, "cell {c}: mean {} vs {em}", mean[c]);
                assert!((var[c] - ev).abs() < 0.1 * ev + 1e-12, "cell {c}: var {} vs {ev}", var[c]);
            }
        }
    }

    #[test]
    fn streams_depend_on_round_not_thread() {
        let a: Vec<u64> = (0..4).map(|r| round_rng(1, r, 0).next_u64()).collect();
        let b: Vec<u64> = (0..4).rev().map(|r| round_rng(1, r, 0).next_u64()).collect();
        assert_eq!(a, b.into_iter().rev().collect::<Vec<_>>());
        assert_ne!(round_rng(1, 0, 0).next_u64(), round_rng(1, 0, 1).next_u64());
        assert_ne!(round_rng(1, 0, 0).next_u64(), round_rng(2, 0, 0).next_u64());
    }
}
