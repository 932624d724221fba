//! Two-player TrueSkill (Herbrich, Minka & Graepel 2006, "TrueSkill: A Bayesian Skill Rating
//! System", NIPS 19): one pass over the comparisons in order.
//!
//! Each item has a Gaussian belief N(μ, σ²). Before a game both variances grow by τ²
//! (dynamics); with c² = 2β² + σ_w² + σ_l², t = (μ_w − μ_l)/c and ε the draw margin
//! (ε = Φ⁻¹((p + 1)/2)·√2·β for draw probability p), the winner's and loser's beliefs become
//! μ_w += σ_w²/c · v, μ_l −= σ_l²/c · v, σ² ← σ²·(1 − σ²/c² · w), where v = V(t, ε/c) and
//! w = W(t, ε/c) are the mean and variance corrections of the Gaussian truncated to
//! d > ε (a win) or |d| ≤ ε (a draw) — the paper's equations for two players, which the
//! `trueskill` package's factor graph reduces to.
//!
//! The truncated-Gaussian corrections are computed through the Mills ratio
//! R(u) = Φ(−u)/φ(u) and K(u) = 1/R(u) − u (Laplace's continued fraction for u ≥ 5), so that
//! no tail underflows and w is never a difference of two nearly equal numbers; draws with a
//! narrow interval (ε/c·(1 + |t|) < 1e-3) use a series instead. Checked against 80-digit
//! arithmetic: about 1e-13 relative for every t, up to ~1e-11 for draws just above the series'
//! range, and slowly worse (~1e-16·(1 + |t|)²·c/ε) for draws dozens of σ from expectation
//! with a small margin. The `trueskill` package computes the textbook ratios directly (its
//! default backend with a 1e-7 approximation of erfc) and raises `FloatingPointError` in the
//! far tails, where these stay finite.

use crate::error::{Error, Result, RowReport};
use crate::interrupt;
use crate::pairs::check_shape;
use crate::rate::elo::Rows;
use crate::resample;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Initial mean of every item.
    pub mu: f64,
    /// Initial standard deviation.
    pub sigma: f64,
    /// Performance noise (the skill gap giving ~76 % wins).
    pub beta: f64,
    /// Dynamics: added (in variance) to each player's σ² before each game.
    pub tau: f64,
    /// Probability of a draw between equal players, in [0, 1).
    pub draw_probability: f64,
}

impl Default for Options {
    /// The `trueskill` package's defaults: μ 25, σ 25/3, β 25/6, τ 25/300, p 0.1.
    fn default() -> Self {
        Options { mu: 25.0, sigma: 25.0 / 3.0, beta: 25.0 / 6.0, tau: 25.0 / 300.0, draw_probability: 0.1 }
    }
}

impl Options {
    /// Checks every option, naming the first one at fault.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &str, need: &str| Err(Error::InvalidArgument(format!("trueskill: {name} must be {need}")));
        if !self.mu.is_finite() {
            return bad("mu", "finite");
        }
        if !(self.sigma.is_finite() && self.sigma > 0.0) {
            return bad("sigma", "finite and > 0");
        }
        if !(self.beta.is_finite() && self.beta > 0.0) {
            return bad("beta", "finite and > 0");
        }
        if !(self.tau.is_finite() && self.tau >= 0.0) {
            return bad("tau", "finite and >= 0");
        }
        if !(self.draw_probability >= 0.0 && self.draw_probability < 1.0) {
            return bad("draw_probability", "in [0, 1)");
        }
        Ok(())
    }

    /// The draw margin ε = Φ⁻¹((p + 1)/2)·√2·β.
    pub fn draw_margin(&self) -> f64 {
        upper_quantile(1.0 - self.draw_probability) * std::f64::consts::SQRT_2 * self.beta
    }
}

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;
/// From here on the Mills ratio comes from its continued fraction.
const CF_FROM: f64 = 5.0;
/// Levels of the continued fraction (ample at u ≥ 5: the error is below 1e-16 by ~30).
const CF_TERMS: u32 = 40;

/// The x ≥ 0 with erfc(x/√2) = q (so Φ(x) = 1 − q/2), q in (0, 1]: bisection to the last bit
/// (called once per run). Solving on the upper tail keeps p close to 1 exact.
fn upper_quantile(q: f64) -> f64 {
    if q >= 1.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if libm::erfc(mid * std::f64::consts::FRAC_1_SQRT_2) > q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// (1/R(u), K(u)): the inverse Mills ratio φ(u)/Φ(−u) and K = 1/R(u) − u.
#[inline]
fn inv_mills(u: f64) -> (f64, f64) {
    if u < CF_FROM {
        let inv = (-0.5 * u * u).exp() / (0.5 * SQRT_2PI * libm::erfc(u * std::f64::consts::FRAC_1_SQRT_2));
        (inv, inv - u)
    } else {
        // 1/R(u) = u + 1/(u + 2/(u + 3/(u + …))); K is everything after the first u.
        let mut k = 0.0;
        for n in (2..=CF_TERMS).rev() {
            k = n as f64 / (u + k);
        }
        let k = 1.0 / (u + k);
        (u + k, k)
    }
}

/// V and W of a win with t = (μ_w − μ_l)/c and scaled margin e = ε/c.
#[inline]
pub fn vw_win(t: f64, e: f64) -> (f64, f64) {
    let (v, k) = inv_mills(e - t);
    (v, (v * k).clamp(0.0, 1.0))
}

/// V and W of a draw (as seen from the first player) with t = (μ_a − μ_b)/c and e = ε/c > 0.
#[inline]
pub fn vw_draw(t: f64, e: f64) -> (f64, f64) {
    // With s = |t|, the draw interval [−e − s, e − s] of the standardised difference; in
    // Mills-ratio terms (u = s − e, u₂ = s + e, D = e^{−2es} = φ(u₂)/φ(u)):
    //   Φ(e − s) − Φ(−e − s) = φ(u)·(R(u) − D·R(u₂)),  V = (D − 1)/(R(u) − D·R(u₂)),
    //   W = N/(R(u) − D·R(u₂))², N = (1 − D)(K(u)R(u) − D·K(u₂)R(u₂)) + 2eD(R(u) − R(u₂)),
    // a sum of non-negative terms (the textbook V² + (aφ(a) − bφ(b))/denominator cancels).
    let s = t.abs();
    if e * (1.0 + s) < 1e-3 {
        return draw_small_margin(t, s, e);
    }
    let (ia, ka) = inv_mills(s - e);
    let (ib, kb) = inv_mills(s + e);
    let (ra, rb) = (1.0 / ia, 1.0 / ib);
    let dm1 = (-2.0 * e * s).exp_m1();
    let d = 1.0 + dm1;
    let den = (ra - rb) - dm1 * rb;
    if !(den > 0.0 && den.is_finite()) {
        // Not reached for e·(1 + s) ≥ 1e-3; kept so that no NaN can come out.
        return (-t, 1.0);
    }
    let v = dm1 / den;
    let n = -dm1 * (ka * ra - d * kb * rb) + 2.0 * e * d * (ra - rb);
    let w = (n / (den * den)).clamp(0.0, 1.0);
    (if t < 0.0 { -v } else { v }, w)
}

/// [`vw_draw`] for a narrow draw interval, where the closed form divides two small
/// differences: the moments of the standard normal truncated to [m − e, m + e], m = −|t|, by
/// expanding its density around m in Hermite polynomials and integrating term by term
/// (error O((e·(1 + |t|))⁴), below 1e-12 here).
fn draw_small_margin(t: f64, s: f64, e: f64) -> (f64, f64) {
    let m = -s;
    let (h2, h3, h4) = (m * m - 1.0, m * m * m - 3.0 * m, m * m * m * m - 6.0 * m * m + 3.0);
    let e2 = e * e;
    let z = 1.0 + h2 * e2 / 6.0 + h4 * e2 * e2 / 120.0;
    let m1 = -m * e2 / 3.0 - h3 * e2 * e2 / 30.0;
    let m2 = e2 / 3.0 + h2 * e2 * e2 / 10.0;
    let mean = m1 / z;
    let v = m + mean;
    let w = (1.0 - (m2 / z - mean * mean)).clamp(0.0, 1.0);
    (if t < 0.0 { -v } else { v }, w)
}

/// Per-item means and standard deviations after a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub mu: Vec<f64>,
    pub sigma: Vec<f64>,
}

/// Games between polls of Ctrl-C.
const POLL_EVERY: u64 = 1 << 14;

/// Two-player TrueSkill over the (validated) rows in order. Outcomes must be 1 (a wins),
/// 0 (b wins) or 0.5 (a draw); a row of weight k is k games in a row (k a whole number; 0
/// skips the row). Draws need `draw_probability > 0`.
pub fn trueskill(rows: &Rows<'_>, opts: &Options) -> Result<Fit> {
    validate(rows, opts)?;
    run(rows, opts, None)
}

/// Checks the options, the shapes and every row: outcomes other than 0, ½ and 1
/// (`OutcomeRange`, NaN and values outside [0, 1] included), weights that are not whole
/// numbers below 2⁵³ (`InvalidWeight`), draws when `draw_probability` is 0
/// (`InvalidArgument`), then self-comparisons.
pub fn validate(rows: &Rows<'_>, opts: &Options) -> Result<()> {
    opts.check()?;
    check_shape(rows.n, rows.a, rows.b, rows.outcomes, rows.weights)?;
    check_rows(rows, opts)?;
    rows.validate()
}

/// Bootstrap: each round resamples the rows with replacement, keeps them in their original
/// order, and reruns TrueSkill. Returns `rounds × n` conservative scores μ − 3σ, round-major.
pub fn bootstrap(rows: &Rows<'_>, opts: &Options, rounds: std::ops::Range<usize>, seed: u64) -> Result<Vec<f64>> {
    validate(rows, opts)?;
    let (reps, _) = resample::rows_bootstrap(rows.a.len(), rounds, seed, |counts| {
        let f = run(rows, opts, Some(counts))?;
        Ok(Some(f.mu.iter().zip(&f.sigma).map(|(m, s)| m - 3.0 * s).collect::<Vec<f64>>()))
    })?;
    crate::memory::try_concat(reps)
}

/// One pass; row r is played weight × `repeat[r]` times in a row.
fn run(rows: &Rows<'_>, opts: &Options, repeat: Option<&[u32]>) -> Result<Fit> {
    let eps = opts.draw_margin();
    let two_beta2 = 2.0 * opts.beta * opts.beta;
    let tau2 = opts.tau * opts.tau;
    let mut mu = vec![opts.mu; rows.n];
    let mut var = vec![opts.sigma * opts.sigma; rows.n];
    let mut games = 0u64;
    for r in 0..rows.a.len() {
        let times = rows.weights.map_or(1, |w| w[r] as u64) * repeat.map_or(1, |t| t[r] as u64);
        let o = rows.outcomes.get(r);
        let (x, y) = (rows.a[r] as usize, rows.b[r] as usize);
        let (win, lose) = if o == 0.0 { (y, x) } else { (x, y) };
        let drawn = o == 0.5;
        for _ in 0..times {
            games += 1;
            if games % POLL_EVERY == 0 && interrupt::poll() {
                interrupt::check()?;
                return Err(Error::Interrupted); // a watched bootstrap round (see interrupt::watched)
            }
            let (vw, vl) = (var[win] + tau2, var[lose] + tau2);
            // (vw + vl) first: commutative, so swapping a and b of a draw gives the same bits.
            let c2 = two_beta2 + (vw + vl);
            let c = c2.sqrt();
            let t = (mu[win] - mu[lose]) / c;
            let (v, w) = if drawn { vw_draw(t, eps / c) } else { vw_win(t, eps / c) };
            mu[win] += vw / c * v;
            mu[lose] -= vl / c * v;
            var[win] = vw * (1.0 - vw / c2 * w);
            var[lose] = vl * (1.0 - vl / c2 * w);
        }
    }
    Ok(Fit { mu, sigma: var.into_iter().map(f64::sqrt).collect() })
}

/// The TrueSkill-specific row checks of [`validate`].
fn check_rows(rows: &Rows<'_>, opts: &Options) -> Result<()> {
    let (mut outcome, mut weight, mut draws) = (RowReport::default(), RowReport::default(), RowReport::default());
    for r in 0..rows.a.len() {
        let o = rows.outcomes.get(r);
        if !(o == 0.0 || o == 0.5 || o == 1.0) {
            outcome.push(r);
        } else if o == 0.5 && opts.draw_probability == 0.0 {
            draws.push(r);
        }
        if let Some(w) = rows.weights {
            if !(w[r] >= 0.0 && w[r] < 9_007_199_254_740_992.0 && w[r].fract() == 0.0) {
                weight.push(r);
            }
        }
    }
    if outcome.count > 0 {
        return Err(Error::OutcomeRange { rows: outcome.rows, count: outcome.count });
    }
    if weight.count > 0 {
        return Err(Error::InvalidWeight { rows: weight.rows, count: weight.count });
    }
    if draws.count > 0 {
        return Err(Error::InvalidArgument(format!("trueskill: {} draw(s) with draw_probability = 0, e.g. rows {:?}", draws.count, draws.rows)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::Outcomes;

    /// Φ and φ by their definitions, for the by-hand formulas.
    fn cdf(x: f64) -> f64 {
        0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }
    fn pdf(x: f64) -> f64 {
        (-0.5 * x * x).exp() / SQRT_2PI
    }

    #[test]
    fn textbook_formulas_in_the_body() {
        for &e in &[0.05, 0.3, 1.0, 2.5] {
            for i in -40..=40 {
                let t = i as f64 * 0.1;
                let x = t - e;
                let v = pdf(x) / cdf(x);
                let (gv, gw) = vw_win(t, e);
                assert!((gv - v).abs() <= 1e-12 * v.abs(), "win v t={t} e={e}");
                assert!((gw - v * (v + x)).abs() <= 1e-10, "win w t={t} e={e}");
                let (a, b) = (e - t.abs(), -e - t.abs());
                let den = cdf(a) - cdf(b);
                let v = (pdf(b) - pdf(a)) / den * if t < 0.0 { -1.0 } else { 1.0 };
                let w = v * v + (a * pdf(a) - b * pdf(b)) / den;
                let (gv, gw) = vw_draw(t, e);
                assert!((gv - v).abs() <= 1e-10 * (1.0 + v.abs()), "draw v t={t} e={e}: {gv} {v}");
                assert!((gw - w).abs() <= 1e-10, "draw w t={t} e={e}: {gw} {w}");
            }
        }
    }

    #[test]
    fn tails_have_their_limits() {
        // A huge upset: V ≈ −x, W → 1; an expected win: V, W → 0; never NaN.
        let (v, w) = vw_win(-1e6, 0.1);
        assert!((v - (1e6 + 0.1)).abs() < 1e-5 && w > 0.999 && w <= 1.0);
        let (v, w) = vw_win(1e3, 0.1);
        assert_eq!((v, w), (0.0, 0.0));
        let (v, w) = vw_draw(1e6, 0.1);
        assert!(v < 0.0 && v.is_finite() && w > 0.99 && w <= 1.0);
        // Vanishing margin: conditioning on a difference of exactly 0.
        let (v, w) = vw_draw(-50.0, 1e-300);
        assert_eq!((v, w), (50.0, 1.0));
        // Narrow margins agree with the closed form where both are accurate.
        for &t in &[0.0, 0.3, -1.7, 4.0] {
            let (e, x) = (1e-3 / (1.0 + f64::abs(t)), 1.0001e-3 / (1.0 + f64::abs(t)));
            let (a, b) = (vw_draw(t, e * 0.9999), vw_draw(t, x));
            assert!((a.0 - b.0).abs() < 1e-8 * (1.0 + a.0.abs()) && (a.1 - b.1).abs() < 1e-8, "t={t}: {a:?} {b:?}");
        }
    }

    #[test]
    fn draw_margin_of_the_defaults() {
        // Φ⁻¹(0.55) = 0.12566134685507402 (60-digit reference).
        let m = Options::default().draw_margin();
        let want = 0.125_661_346_855_074_02 * std::f64::consts::SQRT_2 * 25.0 / 6.0;
        assert!((m - want).abs() <= 4e-15 * want, "{m} vs {want}");
        assert_eq!(Options { draw_probability: 0.0, ..Default::default() }.draw_margin(), 0.0);
    }

    #[test]
    fn one_game_symmetric_and_weights_repeat() {
        let rows = Rows { n: 2, a: &[0], b: &[1], outcomes: Outcomes::Values(&[1.0]), weights: None };
        let f = trueskill(&rows, &Options::default()).unwrap();
        assert!((f.mu[0] - 25.0 - (25.0 - f.mu[1])).abs() < 1e-12 && f.mu[0] > 25.0);
        assert_eq!(f.sigma[0], f.sigma[1]);
        let flipped = Rows { a: &[1], b: &[0], outcomes: Outcomes::Values(&[0.0]), ..rows };
        assert_eq!(trueskill(&flipped, &Options::default()).unwrap(), f);
        let twice = Rows { n: 3, a: &[0, 2], b: &[1, 0], outcomes: Outcomes::Values(&[0.5, 1.0]), weights: Some(&[2.0, 0.0]) };
        let dup = Rows { n: 3, a: &[0, 0], b: &[1, 1], outcomes: Outcomes::Values(&[0.5, 0.5]), weights: None };
        assert_eq!(trueskill(&twice, &Options::default()).unwrap(), trueskill(&dup, &Options::default()).unwrap());
    }

    #[test]
    fn bootstrap_rounds_rerun_resampled_rows() {
        let (a, b, o) = ([0u32, 1, 2, 0, 1], [1u32, 2, 0, 2, 0], [1.0, 0.5, 0.0, 1.0, 1.0]);
        let rows = Rows { n: 3, a: &a, b: &b, outcomes: Outcomes::Values(&o), weights: None };
        let opts = Options::default();
        let reps = bootstrap(&rows, &opts, 0..3, 11).unwrap();
        assert_eq!(reps.len(), 9);
        // Round 1 alone (same seed) gives the same numbers: rounds do not depend on chunking.
        assert_eq!(bootstrap(&rows, &opts, 1..2, 11).unwrap(), reps[3..6].to_vec());
        // Each round is a rerun with whole-number weights = the resampled counts.
        let (_, _) = resample::rows_bootstrap(5, 0..1, 11, |counts| {
            let w: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
            let f = trueskill(&Rows { weights: Some(&w), ..Rows { n: 3, a: &a, b: &b, outcomes: Outcomes::Values(&o), weights: None } }, &opts)?;
            let want: Vec<f64> = f.mu.iter().zip(&f.sigma).map(|(m, s)| m - 3.0 * s).collect();
            assert_eq!(want, reps[0..3].to_vec());
            Ok(Some(()))
        })
        .unwrap();
    }

    #[test]
    fn bad_rows_and_options() {
        let rows = Rows { n: 2, a: &[0, 1], b: &[1, 0], outcomes: Outcomes::Values(&[0.25, 0.5]), weights: Some(&[1.0, 1.5]) };
        assert!(matches!(trueskill(&rows, &Options::default()), Err(Error::OutcomeRange { count: 1, .. })));
        let rows = Rows { outcomes: Outcomes::Values(&[1.0, 0.5]), ..rows };
        assert!(matches!(trueskill(&rows, &Options::default()), Err(Error::InvalidWeight { count: 1, .. })));
        let rows = Rows { weights: None, ..rows };
        let p0 = Options { draw_probability: 0.0, ..Default::default() };
        assert!(matches!(trueskill(&rows, &p0), Err(Error::InvalidArgument(m)) if m.contains("rows [1]")));
        for bad in [
            Options { sigma: 0.0, ..Default::default() },
            Options { beta: -1.0, ..Default::default() },
            Options { tau: f64::NAN, ..Default::default() },
            Options { draw_probability: 1.0, ..Default::default() },
            Options { mu: f64::INFINITY, ..Default::default() },
        ] {
            assert!(matches!(trueskill(&rows, &bad), Err(Error::InvalidArgument(_))));
        }
    }
}
