//! A bounded dual simplex for the cutting-plane LP of the linear ordering problem.
//!
//! The LP is `min cᵀx` over structural variables `0 ≤ x ≤ 1` and rows `aᵣᵀx + sᵣ = bᵣ` of at
//! most three entries (the 3-dicycle inequalities), each with a slack `sᵣ ∈ [0, Uᵣ]`, where
//! `Uᵣ = bᵣ − Σ_{a<0} a` is implied by the box, so every variable is boxed. A boxed variable
//! can always be moved to the bound its reduced cost asks for, so every basis is made dual
//! feasible by bound flips: cuts enter with their slack basic, bounds change in branch and
//! bound, and the dual simplex alone re-optimizes (dual steepest-edge pricing, a bound-flipping
//! ratio test with Harris tolerances, a sparse LU with eta updates, refactorized every 64
//! pivots). Zero costs are many in real instances, so the costs are perturbed while cutting
//! and restored before a bound is trusted.
//!
//! Every bound reported comes from [`Lp::safe_bound`]: the Lagrangian value of the current row
//! duals `y` with the true costs, `bᵀy + Σⱼ min over the box of (cⱼ − yᵀAⱼ)xⱼ`, which is a valid
//! bound for *any* `y`, so rounding in the simplex never makes a bound wrong.

use super::lu::{Failure, Lu};
use crate::error::Result;
use crate::memory::{try_collect, try_filled, try_push, try_reserve, try_with_capacity};

const PRIMAL_TOL: f64 = 1e-9;
const DUAL_TOL: f64 = 1e-9;
const PIVOT_TOL: f64 = 1e-9;
const REFACTOR_EVERY: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum St {
    Lower,
    Upper,
    Basic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Optimal,
    /// The bounds and rows admit no point (a verified Farkas row).
    Infeasible,
    /// The safe bound reached the cutoff.
    Cutoff,
    /// `stop` asked to stop.
    Stopped,
    /// The pivot limit was reached (the basis is still dual feasible: its bound is valid).
    Limit,
    /// Numerical trouble that refactorization did not cure.
    Failed,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub var: [u32; 3],
    pub coef: [f64; 3],
    pub rhs: f64,
}

/// The rows and basis of an [`Lp`] at some moment ([`Lp::snapshot`]), to return to it later
/// ([`Lp::restore`]): a branch-and-bound node keeps its optimal LP so that its strong-branching
/// probes and its second child start from it, not from where the previous probe or the
/// first child's subtree left the basis.
pub(crate) struct Snapshot {
    rows: Vec<Row>,
    age: Vec<u32>,
    st: Vec<St>,
    basic: Vec<u32>,
    beta: Vec<f64>,
}

pub(crate) struct Lp {
    nv: usize,
    rows: Vec<Row>,
    age: Vec<u32>,
    col: Vec<Vec<(u32, f64)>>,
    cost: Vec<f64>,
    base: Vec<f64>,
    true_cost: Vec<f64>,
    scale: f64,
    perturbed: bool,
    lo: Vec<f64>,
    up: Vec<f64>,
    x: Vec<f64>,
    d: Vec<f64>,
    st: Vec<St>,
    pos: Vec<u32>,
    basic: Vec<u32>,
    beta: Vec<f64>,
    lu: Lu,
    y: Vec<f64>,
    pub iterations: u64,
    pub refactors: u64,
    w_rows: Vec<f64>,
    w_pos: Vec<f64>,
    w_pos2: Vec<f64>,
    alpha: Vec<f64>,
    in_alpha: Vec<bool>,
    touched: Vec<u32>,
    // Per-pivot work vectors, kept between pivots and grown fallibly with the rows
    // (`resize_work`): ρ = B⁻ᵀe_p, the entering column B⁻¹a_q, the scaled duals of
    // `safe_bound`, the ratio test's candidates and bound flips.
    w_rho: Vec<f64>,
    w_aq: Vec<f64>,
    w_yt: Vec<f64>,
    cands: Vec<(f64, f64, u32)>,
    flips: Vec<(usize, f64)>,
}

impl Lp {
    /// The LP with no rows: `true_cost` per structural variable (minimization), all in [0, 1].
    /// Its per-variable arrays (k(k − 1)/2 of each for k items) are allocated fallibly.
    pub fn new(true_cost: Vec<f64>) -> Result<Lp> {
        let nv = true_cost.len();
        let scale = true_cost.iter().fold(0.0f64, |m, c| m.max(c.abs())).max(f64::MIN_POSITIVE);
        let mut base = try_filled(nv, 0.0)?;
        let mut st = try_filled(nv, St::Lower)?;
        let mut x = try_filled(nv, 0.0)?;
        for j in 0..nv {
            base[j] = true_cost[j] / scale;
            if base[j] < 0.0 {
                st[j] = St::Upper;
                x[j] = 1.0;
            }
        }
        let mut cost = try_filled(nv, 0.0)?;
        cost.copy_from_slice(&base);
        let mut d = try_filled(nv, 0.0)?;
        d.copy_from_slice(&base);
        Ok(Lp {
            nv,
            rows: Vec::new(),
            age: Vec::new(),
            col: try_filled(nv, Vec::new())?,
            cost,
            d,
            base,
            true_cost,
            scale,
            perturbed: false,
            lo: try_filled(nv, 0.0)?,
            up: try_filled(nv, 1.0)?,
            x,
            st,
            pos: try_filled(nv, 0)?,
            basic: Vec::new(),
            beta: Vec::new(),
            lu: Lu::empty(),
            y: Vec::new(),
            iterations: 0,
            refactors: 0,
            w_rows: Vec::new(),
            w_pos: Vec::new(),
            w_pos2: Vec::new(),
            alpha: try_filled(nv, 0.0)?,
            in_alpha: try_filled(nv, false)?,
            touched: Vec::new(),
            w_rho: Vec::new(),
            w_aq: Vec::new(),
            w_yt: Vec::new(),
            cands: Vec::new(),
            flips: Vec::new(),
        })
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Values of the structural variables.
    pub fn values(&self) -> &[f64] {
        &self.x[..self.nv]
    }

    pub fn is_perturbed(&self) -> bool {
        self.perturbed
    }

    /// Reduced cost of a structural variable in true (unscaled) units, with its state:
    /// Some(true) at its upper bound, Some(false) at its lower bound, None when basic.
    pub fn reduced_cost(&self, j: usize) -> (f64, Option<bool>) {
        let at = match self.st[j] {
            St::Basic => None,
            St::Upper => Some(true),
            St::Lower => Some(false),
        };
        (self.d[j] * self.scale, at)
    }

    pub fn bounds(&self, j: usize) -> (f64, f64) {
        (self.lo[j], self.up[j])
    }

    fn m(&self) -> usize {
        self.rows.len()
    }

    fn column(&self, j: usize, out: &mut [f64], times: f64) {
        if j < self.nv {
            for &(r, a) in &self.col[j] {
                out[r as usize] += times * a;
            }
        } else {
            out[j - self.nv] += times;
        }
    }

    /// Perturbs the costs (in the direction that keeps the reduced costs' signs), seeded.
    pub fn perturb(&mut self, seed: u64) -> Result<()> {
        let mut s = seed ^ 0x9E37_79B9_7F4A_7C15;
        for j in 0..self.nv {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = 0.5 + 0.5 * ((s >> 11) as f64 / (1u64 << 53) as f64);
            let mag = u * 1e-6 * (1.0 + self.base[j].abs());
            let sign = match self.st[j] {
                St::Lower => 1.0,
                St::Upper => -1.0,
                St::Basic => {
                    if (s >> 7) & 1 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                }
            };
            self.cost[j] = self.base[j] + sign * mag;
        }
        self.perturbed = true;
        self.recompute()
    }

    /// Restores the true costs (the basis is then re-optimized by the next `dual` call).
    pub fn unperturb(&mut self) -> Result<()> {
        self.cost[..self.nv].copy_from_slice(&self.base);
        self.perturbed = false;
        self.recompute()
    }

    /// Appends rows with their slacks basic (room for them reserved fallibly first: the
    /// per-variable arrays are k(k − 1)/2 long, and growing one copies it).
    pub fn add_rows(&mut self, new: &[Row]) -> Result<()> {
        let m0 = self.m();
        let more = new.len();
        try_reserve(&mut self.rows, more)?;
        try_reserve(&mut self.age, more)?;
        try_reserve(&mut self.basic, more)?;
        try_reserve(&mut self.beta, more)?;
        for v in [&mut self.cost, &mut self.d, &mut self.lo, &mut self.up, &mut self.x, &mut self.alpha] {
            try_reserve(v, more)?;
        }
        try_reserve(&mut self.st, more)?;
        try_reserve(&mut self.pos, more)?;
        try_reserve(&mut self.in_alpha, more)?;
        for (i, row) in new.iter().enumerate() {
            let r = m0 + i;
            let mut lhs = 0.0;
            let mut neg = 0.0;
            for k in 0..3 {
                if row.coef[k] != 0.0 {
                    let j = row.var[k] as usize;
                    try_push(&mut self.col[j], (r as u32, row.coef[k]))?;
                    lhs += row.coef[k] * self.x[j];
                    if row.coef[k] < 0.0 {
                        neg += row.coef[k];
                    }
                }
            }
            self.rows.push(*row);
            self.age.push(0);
            self.cost.push(0.0);
            self.d.push(0.0);
            self.lo.push(0.0);
            self.up.push(row.rhs - neg);
            self.x.push(row.rhs - lhs);
            self.st.push(St::Basic);
            self.pos.push(r as u32);
            self.basic.push((self.nv + r) as u32);
            self.beta.push(1.0);
            self.alpha.push(0.0);
            self.in_alpha.push(false);
        }
        self.resize_work()?;
        self.refactor()?;
        self.compute_xb();
        // Exact dual steepest-edge weights of the new rows: ‖e_pᵀ B⁻¹‖².
        let m = self.m();
        for p in m0..m {
            self.w_pos.iter_mut().for_each(|v| *v = 0.0);
            self.w_pos[p] = 1.0;
            let mut rho = std::mem::take(&mut self.w_rows);
            self.lu.btran(&mut self.w_pos, &mut rho);
            self.beta[p] = rho.iter().map(|v| v * v).sum::<f64>().max(1e-8);
            self.w_rows = rho;
        }
        Ok(())
    }

    /// The current rows and basis (copied fallibly).
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut snap = Snapshot { rows: Vec::new(), age: Vec::new(), st: Vec::new(), basic: Vec::new(), beta: Vec::new() };
        copy_into(&mut snap.rows, &self.rows)?;
        copy_into(&mut snap.age, &self.age)?;
        copy_into(&mut snap.st, &self.st)?;
        copy_into(&mut snap.basic, &self.basic)?;
        copy_into(&mut snap.beta, &self.beta)?;
        Ok(snap)
    }

    /// Returns to the rows and basis of `snap` under the current bounds and costs: the
    /// nonbasic structurals sit at their recorded bounds, the basis is refactorized and made
    /// dual feasible by flips (as after any bound change).
    pub fn restore(&mut self, snap: &Snapshot) -> Result<()> {
        let nv = self.nv;
        let m = snap.rows.len();
        for &j in &self.touched {
            self.alpha[j as usize] = 0.0;
            self.in_alpha[j as usize] = false;
        }
        self.touched.clear();
        for c in self.col.iter_mut() {
            c.clear();
        }
        for (r, row) in snap.rows.iter().enumerate() {
            for k in 0..3 {
                if row.coef[k] != 0.0 {
                    try_push(&mut self.col[row.var[k] as usize], (r as u32, row.coef[k]))?;
                }
            }
        }
        let more = (nv + m).saturating_sub(self.st.len());
        for v in [&mut self.cost, &mut self.d, &mut self.lo, &mut self.up, &mut self.x, &mut self.alpha] {
            try_reserve(v, more)?;
            v.resize(nv + m, 0.0);
        }
        try_reserve(&mut self.in_alpha, more)?;
        self.in_alpha.resize(nv + m, false);
        try_reserve(&mut self.pos, more)?;
        self.pos.resize(nv + m, 0);
        copy_into(&mut self.rows, &snap.rows)?;
        copy_into(&mut self.age, &snap.age)?;
        copy_into(&mut self.st, &snap.st)?;
        copy_into(&mut self.basic, &snap.basic)?;
        copy_into(&mut self.beta, &snap.beta)?;
        for r in 0..m {
            let row = &self.rows[r];
            let neg: f64 = (0..3).filter(|&k| row.coef[k] < 0.0).map(|k| row.coef[k]).sum();
            let s = nv + r;
            self.cost[s] = 0.0;
            self.lo[s] = 0.0;
            self.up[s] = row.rhs - neg;
        }
        for j in 0..nv + m {
            match self.st[j] {
                St::Lower => self.x[j] = self.lo[j],
                St::Upper => self.x[j] = self.up[j],
                St::Basic => {}
            }
        }
        for (p, &v) in self.basic.iter().enumerate() {
            self.pos[v as usize] = p as u32;
        }
        self.resize_work()?;
        self.recompute()
    }

    /// Replaces the basis by the slack basis (every row's slack basic, every structural at the
    /// bound its cost asks for), which is dual feasible for any costs: a fresh start for a
    /// solve that ran out of pivots.
    pub fn reset_basis(&mut self) -> Result<()> {
        self.slack_basis();
        self.recompute()
    }

    /// The slack basis's statuses and values (see [`Lp::reset_basis`]), not yet factored.
    fn slack_basis(&mut self) {
        let nv = self.nv;
        for j in 0..nv {
            let to_up = self.lo[j] != self.up[j] && self.cost[j] < 0.0;
            self.st[j] = if to_up { St::Upper } else { St::Lower };
            self.x[j] = if to_up { self.up[j] } else { self.lo[j] };
        }
        for r in 0..self.m() {
            let s = nv + r;
            self.st[s] = St::Basic;
            self.basic[r] = s as u32;
            self.pos[s] = r as u32;
            self.beta[r] = 1.0;
        }
    }

    /// Ages the rows (non-binding rows with a basic slack age by one, others reset) and drops
    /// those at least `min_age` rounds old. Their duals are zero, so nothing else changes.
    pub fn purge(&mut self, min_age: u32) -> Result<usize> {
        let m = self.m();
        let mut keep = try_filled(m, true)?;
        let mut dropped = 0;
        for r in 0..m {
            let s = self.nv + r;
            if self.st[s] == St::Basic && self.x[s] > 1e-6 {
                self.age[r] += 1;
                if self.age[r] >= min_age {
                    keep[r] = false;
                    dropped += 1;
                }
            } else {
                self.age[r] = 0;
            }
        }
        if dropped == 0 {
            return Ok(0);
        }
        let mut new_index = try_filled(m, u32::MAX)?;
        let mut k = 0;
        for r in 0..m {
            if keep[r] {
                new_index[r] = k;
                k += 1;
            }
        }
        let nv = self.nv;
        let mut rows = try_with_capacity(k as usize)?;
        let mut age = try_with_capacity(k as usize)?;
        for r in 0..m {
            if keep[r] {
                rows.push(self.rows[r]);
                age.push(self.age[r]);
            }
        }
        self.rows = rows;
        self.age = age;
        for c in self.col.iter_mut() {
            c.retain_mut(|e| {
                let t = new_index[e.0 as usize];
                e.0 = t;
                t != u32::MAX
            });
        }
        let remap = |v: &mut Vec<f64>| {
            let mut i = 0;
            v.retain(|_| {
                let ok = i < nv || keep[i - nv];
                i += 1;
                ok
            });
        };
        remap(&mut self.cost);
        remap(&mut self.d);
        remap(&mut self.lo);
        remap(&mut self.up);
        remap(&mut self.x);
        let mut i = 0;
        self.st.retain(|_| {
            let ok = i < nv || keep[i - nv];
            i += 1;
            ok
        });
        // Positions: drop those of the removed slacks, renumber the slacks.
        let mut basic = try_with_capacity(k as usize)?;
        let mut beta = try_with_capacity(k as usize)?;
        for (p, &v) in self.basic.iter().enumerate() {
            let v = v as usize;
            if v >= nv {
                let r = v - nv;
                if !keep[r] {
                    continue;
                }
                basic.push((nv + new_index[r] as usize) as u32);
            } else {
                basic.push(v as u32);
            }
            beta.push(self.beta[p]);
        }
        self.basic = basic;
        self.beta = beta;
        self.pos.truncate(nv + k as usize);
        for (p, &v) in self.basic.iter().enumerate() {
            self.pos[v as usize] = p as u32;
        }
        for &j in &self.touched {
            self.alpha[j as usize] = 0.0;
            self.in_alpha[j as usize] = false;
        }
        self.touched.clear();
        self.alpha.truncate(nv + k as usize);
        self.in_alpha.truncate(nv + k as usize);
        self.resize_work()?;
        self.refactor()?;
        self.compute_xb();
        Ok(dropped)
    }

    /// The work vectors at the current number of rows (grown fallibly).
    fn resize_work(&mut self) -> Result<()> {
        let m = self.m();
        for v in [&mut self.w_rows, &mut self.w_pos, &mut self.w_pos2, &mut self.y, &mut self.w_rho, &mut self.w_aq, &mut self.w_yt] {
            try_reserve(v, m.saturating_sub(v.len()))?;
            v.resize(m, 0.0);
        }
        // The pivot row touches at most every variable once.
        let n = self.nv + m;
        room_for(&mut self.touched, n)?;
        room_for(&mut self.cands, n)?;
        room_for(&mut self.flips, n)
    }

    /// Changes the bounds of structural `j` (within [0, 1]); a nonbasic variable moves to the
    /// bound its reduced cost asks for.
    pub fn set_bounds(&mut self, j: usize, lo: f64, up: f64) {
        self.lo[j] = lo;
        self.up[j] = up;
        if self.st[j] == St::Basic {
            return;
        }
        let (st, v) = if lo == up || self.d[j] >= 0.0 { (St::Lower, lo) } else { (St::Upper, up) };
        self.st[j] = st;
        let delta = v - self.x[j];
        if delta != 0.0 {
            self.x[j] = v;
            self.shift_basics(&[(j, delta)]);
        }
    }

    /// x_B −= B⁻¹ Σ A_j Δ_j.
    fn shift_basics(&mut self, moves: &[(usize, f64)]) {
        let m = self.m();
        if m == 0 {
            return;
        }
        let mut a = std::mem::take(&mut self.w_rows);
        a.iter_mut().for_each(|v| *v = 0.0);
        for &(j, delta) in moves {
            self.column(j, &mut a, delta);
        }
        let mut out = std::mem::take(&mut self.w_pos2);
        self.lu.ftran(&mut a, &mut out);
        for p in 0..m {
            self.x[self.basic[p] as usize] -= out[p];
        }
        self.w_rows = a;
        self.w_pos2 = out;
    }

    /// Refactorizes the basis, repairing it with slacks when it is singular.
    /// The factors' buffers are fallible (`Error::OutOfMemory`).
    fn refactor(&mut self) -> Result<()> {
        self.refactors += 1;
        let m = self.m();
        for _attempt in 0..4 {
            // A row has at most 3 structural entries and its slack: at most 4m entries.
            let mut start = try_with_capacity(m + 1)?;
            let mut ri = try_with_capacity(4 * m)?;
            let mut rv = try_with_capacity(4 * m)?;
            start.push(0);
            for p in 0..m {
                let v = self.basic[p] as usize;
                if v < self.nv {
                    for &(r, a) in &self.col[v] {
                        ri.push(r);
                        rv.push(a);
                    }
                } else {
                    ri.push((v - self.nv) as u32);
                    rv.push(1.0);
                }
                start.push(ri.len());
            }
            match Lu::factor(m, &start, &ri, &rv) {
                Ok(lu) => {
                    self.lu = lu;
                    return Ok(());
                }
                Err(Failure::Memory(e)) => return Err(e),
                Err(Failure::Singular(sing)) => {
                    for (&p, &r) in sing.positions.iter().zip(&sing.rows) {
                        let (p, r) = (p as usize, r as usize);
                        let v = self.basic[p] as usize;
                        let to_up = self.x[v] - self.lo[v] > self.up[v] - self.x[v];
                        self.st[v] = if to_up { St::Upper } else { St::Lower };
                        self.x[v] = if to_up { self.up[v] } else { self.lo[v] };
                        let s = self.nv + r;
                        self.basic[p] = s as u32;
                        self.st[s] = St::Basic;
                        self.pos[s] = p as u32;
                        self.beta[p] = 1.0;
                    }
                }
            }
        }
        // Repair did not give a factorizable basis: start over from the slack basis, whose
        // matrix is the identity (it always factors) and which is dual feasible for any costs.
        // The search's bounds stay valid: they come from `safe_bound`, right for any duals.
        self.slack_basis();
        let start = try_collect(m + 1, 0..=m)?;
        let rows = try_collect(m, 0..m as u32)?;
        match Lu::factor(m, &start, &rows, &try_filled(m, 1.0)?) {
            Ok(lu) => self.lu = lu,
            Err(Failure::Memory(e)) => return Err(e),
            Err(Failure::Singular(_)) => {} // the identity: not singular
        }
        self.compute_duals();
        self.fix_duals();
        Ok(())
    }

    /// Recomputes the basic values from the nonbasic ones.
    fn compute_xb(&mut self) {
        let m = self.m();
        if m == 0 {
            return;
        }
        let mut a = std::mem::take(&mut self.w_rows);
        for r in 0..m {
            let row = &self.rows[r];
            let mut v = row.rhs;
            for k in 0..3 {
                let j = row.var[k] as usize;
                if row.coef[k] != 0.0 && self.st[j] != St::Basic {
                    v -= row.coef[k] * self.x[j];
                }
            }
            let s = self.nv + r;
            if self.st[s] != St::Basic {
                v -= self.x[s];
            }
            a[r] = v;
        }
        let mut out = std::mem::take(&mut self.w_pos);
        self.lu.ftran(&mut a, &mut out);
        for p in 0..m {
            self.x[self.basic[p] as usize] = out[p];
        }
        self.w_rows = a;
        self.w_pos = out;
    }

    /// Recomputes the duals and reduced costs from the basis.
    fn compute_duals(&mut self) {
        let m = self.m();
        let mut v = std::mem::take(&mut self.w_pos);
        for p in 0..m {
            v[p] = self.cost[self.basic[p] as usize];
        }
        let mut y = std::mem::take(&mut self.y);
        if m > 0 {
            self.lu.btran(&mut v, &mut y);
        }
        for j in 0..self.nv {
            self.d[j] = if self.st[j] == St::Basic { 0.0 } else { self.cost[j] - self.col[j].iter().map(|&(r, a)| y[r as usize] * a).sum::<f64>() };
        }
        for r in 0..m {
            let s = self.nv + r;
            self.d[s] = if self.st[s] == St::Basic { 0.0 } else { -y[r] };
        }
        self.w_pos = v;
        self.y = y;
    }

    /// Flips every nonbasic variable whose reduced cost has the wrong sign (the basic values
    /// must be recomputed afterwards).
    fn fix_duals(&mut self) {
        for j in 0..self.st.len() {
            if self.lo[j] == self.up[j] {
                continue;
            }
            match self.st[j] {
                St::Lower if self.d[j] < -DUAL_TOL => {
                    self.st[j] = St::Upper;
                    self.x[j] = self.up[j];
                }
                St::Upper if self.d[j] > DUAL_TOL => {
                    self.st[j] = St::Lower;
                    self.x[j] = self.lo[j];
                }
                _ => {}
            }
        }
    }

    /// Fresh factorization, basic values, duals, and dual feasibility by flips.
    fn recompute(&mut self) -> Result<()> {
        self.refactor()?;
        self.compute_duals();
        self.fix_duals();
        self.compute_xb();
        Ok(())
    }

    /// The current objective (scaled, with the perturbation).
    fn objective(&self) -> f64 {
        (0..self.nv).map(|j| self.cost[j] * self.x[j]).sum()
    }

    /// A valid lower bound on the LP (hence on every integer point within the bounds), in true
    /// units, from the current basis' duals; and the sum of the magnitudes of its terms (a
    /// scale for rounding error).
    pub fn safe_bound(&mut self) -> (f64, f64) {
        self.compute_duals();
        let m = self.m();
        let mut total = 0.0;
        let mut mag = 0.0;
        let mut yt = std::mem::take(&mut self.w_yt);
        for r in 0..m {
            yt[r] = self.y[r] * self.scale;
            let t = self.rows[r].rhs * yt[r];
            total += t;
            mag += t.abs();
            // Slack term: min over s in [0, U] of (−y) s.
            let t = (-yt[r] * self.up[self.nv + r]).min(0.0);
            total += t;
            mag += t.abs();
        }
        for j in 0..self.nv {
            let dj = self.true_cost[j] - self.col[j].iter().map(|&(r, a)| yt[r as usize] * a).sum::<f64>();
            let t = (dj * self.lo[j]).min(dj * self.up[j]);
            total += t;
            mag += t.abs() + self.true_cost[j].abs();
        }
        self.w_yt = yt;
        (total, mag)
    }

    /// Dual simplex until optimal, infeasible, cut off (the safe bound reaches `cutoff`, in
    /// true units), `stop()` (polled every 16 pivots) or `max_pivots`.
    /// Every buffer it grows is fallible (`Error::OutOfMemory`).
    pub fn dual(&mut self, cutoff: f64, stop: &dyn Fn() -> bool, max_pivots: usize) -> Result<Status> {
        let mut trouble = 0;
        let mut since_cutoff_check = 0usize;
        let mut pivots = 0usize;
        loop {
            if pivots % 16 == 15 && stop() {
                return Ok(Status::Stopped);
            }
            if pivots >= max_pivots {
                return Ok(Status::Limit);
            }
            if self.lu.etas() >= REFACTOR_EVERY {
                self.recompute()?;
            }
            let m = self.m();
            // Pricing: dual steepest edge.
            let mut best = 0.0;
            let mut p_out = usize::MAX;
            for p in 0..m {
                let v = self.basic[p] as usize;
                let xv = self.x[v];
                let inf = if xv < self.lo[v] - PRIMAL_TOL {
                    self.lo[v] - xv
                } else if xv > self.up[v] + PRIMAL_TOL {
                    xv - self.up[v]
                } else {
                    continue;
                };
                let score = inf * inf / self.beta[p];
                if score > best {
                    best = score;
                    p_out = p;
                }
            }
            if p_out == usize::MAX {
                return Ok(Status::Optimal);
            }
            since_cutoff_check += 1;
            if cutoff.is_finite() && since_cutoff_check >= 8 {
                since_cutoff_check = 0;
                if self.objective() * self.scale >= cutoff && self.safe_bound().0 >= cutoff {
                    return Ok(Status::Cutoff);
                }
            }
            let p = p_out;
            let leaving = self.basic[p] as usize;
            let below = self.x[leaving] < self.lo[leaving];
            let s = if below { 1.0 } else { -1.0 };
            let delta = if below { self.lo[leaving] - self.x[leaving] } else { self.x[leaving] - self.up[leaving] };
            // ρ = B⁻ᵀ e_p, then the pivot row α_j = ρᵀ A_j.
            let mut v = std::mem::take(&mut self.w_pos);
            v.iter_mut().for_each(|t| *t = 0.0);
            v[p] = 1.0;
            let mut rho = std::mem::take(&mut self.w_rho);
            self.lu.btran(&mut v, &mut rho);
            self.w_pos = v;
            for &j in &self.touched {
                self.alpha[j as usize] = 0.0;
                self.in_alpha[j as usize] = false;
            }
            self.touched.clear();
            for r in 0..m {
                let rr = rho[r];
                if rr.abs() < 1e-13 {
                    continue;
                }
                let row = self.rows[r];
                for k in 0..3 {
                    if row.coef[k] != 0.0 {
                        let j = row.var[k] as usize;
                        if !self.in_alpha[j] {
                            self.in_alpha[j] = true;
                            self.touched.push(j as u32);
                        }
                        self.alpha[j] += rr * row.coef[k];
                    }
                }
                let j = self.nv + r;
                self.in_alpha[j] = true;
                self.touched.push(j as u32);
                self.alpha[j] = rr;
            }
            // Bound-flipping ratio test with Harris tolerances.
            let mut cands = std::mem::take(&mut self.cands); // (t, |a|, j)
            cands.clear();
            for &j in &self.touched {
                let j = j as usize;
                if self.st[j] == St::Basic || self.lo[j] == self.up[j] {
                    continue;
                }
                let a = s * self.alpha[j];
                match self.st[j] {
                    St::Lower if a < -PIVOT_TOL => cands.push((self.d[j].max(0.0) / -a, -a, j as u32)),
                    St::Upper if a > PIVOT_TOL => cands.push(((-self.d[j]).max(0.0) / a, a, j as u32)),
                    _ => {}
                }
            }
            cands.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
            let mut slope = delta;
            let mut k = 0;
            let mut flips = std::mem::take(&mut self.flips);
            flips.clear();
            let mut enter: Option<(usize, f64)> = None;
            while k < cands.len() {
                let mut tmax = f64::INFINITY;
                let mut i = k;
                while i < cands.len() && cands[i].0 <= tmax {
                    let j = cands[i].2 as usize;
                    tmax = tmax.min((self.d[j].abs() + DUAL_TOL) / cands[i].1);
                    i += 1;
                }
                let qend = k + cands[k..i].partition_point(|c| c.0 <= tmax).max(1);
                let range: f64 = cands[k..qend].iter().map(|c| c.1 * (self.up[c.2 as usize] - self.lo[c.2 as usize])).sum();
                if slope - range > PRIMAL_TOL {
                    slope -= range;
                    for c in &cands[k..qend] {
                        let j = c.2 as usize;
                        let to = if self.st[j] == St::Lower { self.up[j] - self.lo[j] } else { self.lo[j] - self.up[j] };
                        flips.push((j, to));
                    }
                    k = qend;
                    continue;
                }
                let q = cands[k..qend].iter().max_by(|x, y| x.1.total_cmp(&y.1)).unwrap();
                enter = Some((q.2 as usize, q.0));
                break;
            }
            self.cands = cands;
            let Some((q, t)) = enter else {
                self.flips = flips;
                let infeasible = self.verify_infeasible(&rho);
                self.w_rho = rho;
                if infeasible {
                    return Ok(Status::Infeasible);
                }
                trouble += 1;
                if trouble > 3 {
                    return Ok(Status::Failed);
                }
                self.recompute()?;
                continue;
            };
            // FTRAN of the entering column.
            let mut a = std::mem::take(&mut self.w_rows);
            a.iter_mut().for_each(|t| *t = 0.0);
            self.column(q, &mut a, 1.0);
            let mut aq = std::mem::take(&mut self.w_aq);
            aq.iter_mut().for_each(|t| *t = 0.0);
            self.lu.ftran(&mut a, &mut aq);
            self.w_rows = a;
            let piv = aq[p];
            if (piv - self.alpha[q]).abs() > 1e-7 * (1.0 + piv.abs()) || piv.abs() < PIVOT_TOL {
                self.flips = flips;
                self.w_rho = rho;
                self.w_aq = aq;
                trouble += 1;
                if trouble > 3 {
                    return Ok(Status::Failed);
                }
                self.recompute()?;
                continue;
            }
            // Duals.
            for &j in &self.touched {
                let j = j as usize;
                if self.st[j] != St::Basic {
                    self.d[j] += t * s * self.alpha[j];
                }
            }
            self.d[q] = 0.0;
            self.d[leaving] = s * t;
            // Bound flips.
            if !flips.is_empty() {
                for &(j, dx) in &flips {
                    self.st[j] = if self.st[j] == St::Lower { St::Upper } else { St::Lower };
                    self.x[j] += dx;
                }
                self.shift_basics(&flips);
            }
            self.flips = flips;
            // Primal step.
            let target = if below { self.lo[leaving] } else { self.up[leaving] };
            let theta = (self.x[leaving] - target) / piv;
            for i in 0..m {
                if aq[i] != 0.0 {
                    self.x[self.basic[i] as usize] -= theta * aq[i];
                }
            }
            self.x[q] += theta;
            self.x[leaving] = target;
            // Dual steepest-edge weights.
            let beta_p = rho.iter().map(|v| v * v).sum::<f64>();
            let mut tau = std::mem::take(&mut self.w_pos2);
            let mut rr = rho;
            self.lu.ftran(&mut rr, &mut tau);
            for i in 0..m {
                if i != p && aq[i] != 0.0 {
                    let ratio = aq[i] / piv;
                    self.beta[i] = (self.beta[i] + ratio * (ratio * beta_p - 2.0 * tau[i])).max(1e-8);
                }
            }
            self.beta[p] = (beta_p / (piv * piv)).max(1e-8);
            self.w_pos2 = tau;
            self.w_rho = rr;
            // Basis change.
            self.st[leaving] = if below { St::Lower } else { St::Upper };
            self.basic[p] = q as u32;
            self.st[q] = St::Basic;
            self.pos[q] = p as u32;
            let pushed = self.lu.push_eta(p, &aq);
            self.w_aq = aq;
            pushed?;
            self.iterations += 1;
            pivots += 1;
        }
    }

    /// Checks the Farkas row ρ: over the box, ρᵀA x never equals ρᵀb.
    fn verify_infeasible(&self, rho: &[f64]) -> bool {
        let m = self.m();
        // One entry per variable (k(k − 1)/2 + rows): without the memory, nothing is verified.
        let Ok(mut alpha) = try_filled(self.st.len(), 0.0) else { return false };
        let mut rb = 0.0;
        for r in 0..m {
            if rho[r] == 0.0 {
                continue;
            }
            rb += rho[r] * self.rows[r].rhs;
            let row = self.rows[r];
            for k in 0..3 {
                if row.coef[k] != 0.0 {
                    alpha[row.var[k] as usize] += rho[r] * row.coef[k];
                }
            }
            alpha[self.nv + r] += rho[r];
        }
        let (mut lo, mut hi, mut mag) = (0.0, 0.0, rb.abs());
        for j in 0..alpha.len() {
            let a = alpha[j];
            if a != 0.0 {
                let (u, v) = (a * self.lo[j], a * self.up[j]);
                lo += u.min(v);
                hi += u.max(v);
                mag += u.abs().max(v.abs());
            }
        }
        let tol = 1e-9 * (1.0 + mag);
        rb < lo - tol || rb > hi + tol
    }
}

/// `v` becomes a copy of `from` (room reserved fallibly).
fn copy_into<T: Copy>(v: &mut Vec<T>, from: &[T]) -> Result<()> {
    v.clear();
    try_reserve(v, from.len())?;
    v.extend_from_slice(from);
    Ok(())
}

/// Capacity for `n` elements in `v` (fallibly), so that pushes up to `n` never reallocate.
fn room_for<T>(v: &mut Vec<T>, n: usize) -> Result<()> {
    let more = n.saturating_sub(v.len());
    try_reserve(v, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot taken at an optimum brings the LP back to it after bound changes, pivots and
    /// rows added or purged in between: the dual simplex then needs no pivot and reports the
    /// same bound; a snapshot with fewer rows than the LP holds (rows dropped) works too.
    #[test]
    fn restoring_a_snapshot_returns_to_its_optimum() {
        let k = 7;
        let mut s = 5u64;
        let mut idx = vec![0u32; k * k];
        let mut w = Vec::new();
        for i in 0..k {
            for j in i + 1..k {
                idx[i * k + j] = w.len() as u32;
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                w.push(((s >> 33) % 11) as f64 - 5.0);
            }
        }
        let cycles = |first: usize| -> Vec<Row> {
            let mut rows = Vec::new();
            for i in first..k {
                for j in i + 1..k {
                    for l in j + 1..k {
                        let var = [idx[i * k + j], idx[j * k + l], idx[i * k + l]];
                        rows.push(Row { var, coef: [1.0, 1.0, -1.0], rhs: 1.0 });
                        rows.push(Row { var, coef: [-1.0, -1.0, 1.0], rhs: 0.0 });
                    }
                }
            }
            rows
        };
        let mut lp = Lp::new(w.iter().map(|v| -v).collect()).unwrap();
        lp.add_rows(&cycles(2)).unwrap();
        assert_eq!(lp.dual(f64::INFINITY, &|| false, usize::MAX).unwrap(), Status::Optimal);
        let (bound, _) = lp.safe_bound();
        let x = lp.values().to_vec();
        let snap = lp.snapshot().unwrap();
        for (e, v) in [(0, 1.0), (3, 0.0), (5, 1.0)] {
            lp.set_bounds(e, v, v);
        }
        lp.add_rows(&cycles(0)).unwrap();
        let _ = lp.dual(f64::INFINITY, &|| false, usize::MAX).unwrap();
        lp.purge(0).unwrap();
        for e in [0, 3, 5] {
            lp.set_bounds(e, 0.0, 1.0);
        }
        lp.restore(&snap).unwrap();
        assert_eq!(lp.rows(), cycles(2).len());
        let before = lp.iterations;
        assert_eq!(lp.dual(f64::INFINITY, &|| false, usize::MAX).unwrap(), Status::Optimal);
        assert_eq!(lp.iterations, before, "restored basis is not optimal");
        assert!((lp.safe_bound().0 - bound).abs() < 1e-9);
        assert!(lp.values().iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-9));
    }

    /// max Σ w x over the 3-cycle polytope of a 4-item tournament, by brute force over orders.
    #[test]
    fn solves_a_small_cut_lp() {
        // Items 0..4; pairs (0,1),(0,2),(0,3),(1,2),(1,3),(2,3).
        let n = 4;
        let idx = |i: usize, j: usize| -> usize { [[9, 0, 1, 2], [9, 9, 3, 4], [9, 9, 9, 5]][i][j] };
        let w = [3.0, -1.0, 2.0, 4.0, -2.0, 1.0]; // gain of x_ij = 1 (i before j) minus j before i
        let mut lp = Lp::new(w.iter().map(|v| -v).collect()).unwrap();
        let mut rows = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                for k in j + 1..n {
                    rows.push(Row { var: [idx(i, j) as u32, idx(j, k) as u32, idx(i, k) as u32], coef: [1.0, 1.0, -1.0], rhs: 1.0 });
                    rows.push(Row { var: [idx(i, j) as u32, idx(j, k) as u32, idx(i, k) as u32], coef: [-1.0, -1.0, 1.0], rhs: 0.0 });
                }
            }
        }
        lp.add_rows(&rows).unwrap();
        assert_eq!(lp.dual(f64::INFINITY, &|| false, usize::MAX).unwrap(), Status::Optimal);
        let (bound, _) = lp.safe_bound();
        // Brute force over the 24 orders of Σ w_e (x_e) with x_e = 1 when i before j.
        let mut best = f64::NEG_INFINITY;
        let mut perm = [0usize, 1, 2, 3];
        fn next(p: &mut [usize]) -> bool {
            let n = p.len();
            let Some(i) = (0..n - 1).rev().find(|&i| p[i] < p[i + 1]) else { return false };
            let j = (i + 1..n).rev().find(|&j| p[j] > p[i]).unwrap();
            p.swap(i, j);
            p[i + 1..].reverse();
            true
        }
        loop {
            let mut pos = [0; 4];
            for (k, &it) in perm.iter().enumerate() {
                pos[it] = k;
            }
            let mut v = 0.0;
            for i in 0..n {
                for j in i + 1..n {
                    if pos[i] < pos[j] {
                        v += w[idx(i, j)];
                    }
                }
            }
            best = f64::max(best, v);
            if !next(&mut perm) {
                break;
            }
        }
        assert!((-bound - best).abs() < 1e-9, "{bound} vs {best}");
    }
}
