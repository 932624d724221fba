//! Bradley–Terry with per-comparison covariates (LMArena's "style control"):
//! logit P(a beats b) = θ_a − θ_b + xᵀβ, where x holds the row's features (a-minus-b
//! differences such as answer lengths). The rows cannot be reduced to a pair table (x varies
//! per row), so each Newton step passes over the rows; this module computes, at (θ, β), the
//! gradient and the information matrix of the log-likelihood (and the "meat" of the sandwich),
//! in parallel over fixed row blocks added in order, so the sums are the same for any thread
//! count. The Newton iteration itself (a dense solve of n + p unknowns) runs in the caller.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::pairs::{check_shape, validate_rows};
use crate::rate::elo::Rows;

/// The rows of a covariate model: the comparison rows (as Elo's and TrueSkill's) and their
/// features `x`, row-major, `p` per row.
pub struct Design<'a> {
    pub rows: Rows<'a>,
    pub x: &'a [f64],
    pub p: usize,
    /// Skip rows whose outcome is exactly 0.5 (ties "drop"); otherwise a tie is y = 0.5.
    pub drop_ties: bool,
}

/// Log-likelihood terms at one point.
pub struct Terms {
    pub log_likelihood: f64,
    /// ∂ℓ/∂(θ, β), length n + p.
    pub gradient: Vec<f64>,
    /// −∂²ℓ/∂(θ, β)², (n + p)², row-major.
    pub information: Vec<f64>,
    /// Σ_rows s sᵀ with s the row's score (only when asked).
    pub meat: Option<Vec<f64>>,
}

const BLOCK_ROWS: usize = 1 << 16;

impl Design<'_> {
    pub fn validate(&self) -> Result<()> {
        let Rows { n, a, b, outcomes, weights } = self.rows;
        check_shape(n, a, b, outcomes, weights)?;
        if self.x.len() != a.len() * self.p {
            return Err(Error::InvalidArgument("covariates: x must have rows × p entries".into()));
        }
        if let Some(k) = self.x.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!("covariates: row {} has a NaN or infinite feature", k / self.p.max(1))));
        }
        validate_rows(a, b, outcomes, weights)
    }

    /// Terms at (θ, β). `theta` has n entries, `beta` p.
    pub fn terms(&self, theta: &[f64], beta: &[f64], with_meat: bool) -> Terms {
        let (n, p) = (self.rows.n, self.p);
        let k = n + p;
        let m = self.rows.a.len();
        let blocks = m.div_ceil(BLOCK_ROWS).max(1);
        // The θ–θ block is sparse (a Laplacian): keep per-item diagonal and per-pair entries in
        // a dense k×k matrix only when small enough; callers keep n modest (a dense solve).
        let partial: Vec<Terms> = (0..blocks)
            .into_par_iter()
            .map(|blk| {
                let mut t = Terms {
                    log_likelihood: 0.0,
                    gradient: vec![0.0; k],
                    information: vec![0.0; k * k],
                    meat: if with_meat { Some(vec![0.0; k * k]) } else { None },
                };
                let mut s = vec![0.0; k];
                for r in blk * BLOCK_ROWS..((blk + 1) * BLOCK_ROWS).min(m) {
                    let y = self.rows.outcomes.get(r);
                    if self.drop_ties && y == 0.5 {
                        continue;
                    }
                    let w = self.rows.weights.map_or(1.0, |w| w[r]);
                    if w == 0.0 {
                        continue;
                    }
                    let (ia, ib) = (self.rows.a[r] as usize, self.rows.b[r] as usize);
                    let x = &self.x[r * p..(r + 1) * p];
                    let z = theta[ia] - theta[ib] + x.iter().zip(beta).map(|(u, v)| u * v).sum::<f64>();
                    // ℓ = y z − log(1 + e^z), stably.
                    let softplus = if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
                    t.log_likelihood += w * (y * z - softplus);
                    let pr = 1.0 / (1.0 + (-z).exp());
                    let resid = w * (y - pr);
                    let curv = w * pr * (1.0 - pr);
                    // The row's design vector d: +1 at a, −1 at b, x at n.., so
                    // gradient += resid·d and information += curv·d dᵀ.
                    let idx: [(usize, f64); 2] = [(ia, 1.0), (ib, -1.0)];
                    for &(u, su) in &idx {
                        t.gradient[u] += resid * su;
                        for &(v, sv) in &idx {
                            t.information[u * k + v] += curv * su * sv;
                        }
                        for (f, xf) in x.iter().enumerate() {
                            t.information[u * k + n + f] += curv * su * xf;
                            t.information[(n + f) * k + u] += curv * su * xf;
                        }
                    }
                    for (f, xf) in x.iter().enumerate() {
                        t.gradient[n + f] += resid * xf;
                        for (g, xg) in x.iter().enumerate() {
                            t.information[(n + f) * k + n + g] += curv * xf * xg;
                        }
                    }
                    if let Some(meat) = t.meat.as_mut() {
                        s.iter_mut().for_each(|v| *v = 0.0);
                        s[ia] += resid;
                        s[ib] -= resid;
                        for (f, xf) in x.iter().enumerate() {
                            s[n + f] = resid * xf;
                        }
                        let mut nz: Vec<usize> = vec![ia, ib];
                        nz.extend(n..n + p);
                        for &u in &nz {
                            for &v in &nz {
                                meat[u * k + v] += s[u] * s[v];
                            }
                        }
                    }
                }
                t
            })
            .collect();
        let mut it = partial.into_iter();
        let mut total = it.next().expect("at least one block");
        for t in it {
            total.log_likelihood += t.log_likelihood;
            total.gradient.iter_mut().zip(&t.gradient).for_each(|(x, y)| *x += y);
            total.information.iter_mut().zip(&t.information).for_each(|(x, y)| *x += y);
            if let (Some(a), Some(b)) = (total.meat.as_mut(), t.meat.as_ref()) {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::Outcomes;

    #[test]
    fn gradient_and_information_match_finite_differences() {
        let a = [0u32, 1, 2, 0, 2, 1];
        let b = [1u32, 2, 0, 2, 1, 0];
        let y = [1.0, 0.0, 0.5, 1.0, 1.0, 0.0];
        let x = [0.3, -1.0, 1.2, 0.5, -0.7, 0.1, 0.0, 2.0, 1.1, -0.4, 0.9, 0.2];
        let rows = Rows { n: 3, a: &a, b: &b, outcomes: Outcomes::Values(&y), weights: None };
        let d = Design { rows, x: &x, p: 2, drop_ties: false };
        let (theta, beta) = (vec![0.2, -0.1, 0.4], vec![0.3, -0.5]);
        let t = d.terms(&theta, &beta, true);
        let k = 5;
        let point = |v: &[f64]| d.terms(&v[..3], &v[3..], false);
        let base: Vec<f64> = theta.iter().chain(&beta).copied().collect();
        for u in 0..k {
            let (mut hi, mut lo) = (base.clone(), base.clone());
            hi[u] += 1e-6;
            lo[u] -= 1e-6;
            let (th, tl) = (point(&hi), point(&lo));
            let g = (th.log_likelihood - tl.log_likelihood) / 2e-6;
            assert!((g - t.gradient[u]).abs() < 1e-6, "gradient {u}");
            for v in 0..k {
                let h = -(th.gradient[v] - tl.gradient[v]) / 2e-6;
                assert!((h - t.information[u * k + v]).abs() < 1e-6, "information {u},{v}");
            }
        }
        // The meat is a sum of outer products: symmetric, positive semi-definite diagonal.
        let meat = t.meat.unwrap();
        for u in 0..k {
            assert!(meat[u * k + u] >= 0.0);
            for v in 0..k {
                assert!((meat[u * k + v] - meat[v * k + u]).abs() < 1e-12);
            }
        }
    }
}
