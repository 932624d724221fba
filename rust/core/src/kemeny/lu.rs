//! Sparse LU factorization of a simplex basis, with product-form (eta) updates.
//!
//! The basis `B` (m × m; rows are constraint rows, columns are basis positions) is factorized by
//! Gaussian elimination with Markowitz pivoting and a threshold test: column singletons first
//! (every basic slack is one, so the rows of non-binding cuts cost nothing), then row
//! singletons, then the pivot of least (r − 1)(c − 1) among a few sparsest columns with
//! |a| ≥ 0.1 · max |column|. After a basis change the new inverse is the old one times an eta
//! matrix (`push_eta`); the owner refactorizes every few dozen updates.

use crate::error::Error;
use crate::memory::{try_collect, try_filled, try_push, try_reserve};

/// The rows and positions left without a pivot when the basis is singular.
#[derive(Debug)]
pub(crate) struct Singular {
    pub rows: Vec<u32>,
    pub positions: Vec<u32>,
}

/// Why a basis was not factorized: singular, or memory refused (`Error::OutOfMemory`).
#[derive(Debug)]
pub(crate) enum Failure {
    Singular(Singular),
    Memory(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Memory(e)
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Lu {
    // Elimination steps with multipliers, in order: row `l_row[t]` is subtracted (times the
    // multiplier) from the rows listed in l_idx/l_val[l_start[t]..l_start[t+1]].
    l_row: Vec<u32>,
    l_start: Vec<usize>,
    l_idx: Vec<u32>,
    l_val: Vec<f64>,
    // U, one row per step: pivot row, pivot position, pivot value, off-pivot entries.
    u_row: Vec<u32>,
    u_col: Vec<u32>,
    u_piv: Vec<f64>,
    u_start: Vec<usize>,
    u_idx: Vec<u32>,
    u_val: Vec<f64>,
    // Etas: position, pivot α_p, off-pivot entries (i, α_i).
    eta_pos: Vec<u32>,
    eta_piv: Vec<f64>,
    eta_start: Vec<usize>,
    eta_idx: Vec<u32>,
    eta_val: Vec<f64>,
}

const TINY: f64 = 1e-11;
const THRESHOLD: f64 = 0.1;
const DROP: f64 = 1e-14;

impl Lu {
    /// Factorizes the basis whose column at position p holds the entries
    /// `(rows[k], vals[k])` for k in `start[p]..start[p+1]` (no repeated rows in a column).
    /// Every buffer (the factors grow with the rows and their fill-in) is allocated fallibly.
    pub fn factor(m: usize, start: &[usize], rows_in: &[u32], vals_in: &[f64]) -> Result<Lu, Failure> {
        let mut lu = Lu::empty();
        let nnz = start[m];
        try_reserve(&mut lu.u_idx, nnz)?;
        try_reserve(&mut lu.u_val, nnz)?;
        for v in [&mut lu.u_row, &mut lu.u_col] {
            try_reserve(v, m)?;
        }
        try_reserve(&mut lu.u_piv, m)?;
        try_reserve(&mut lu.u_start, m)?;
        // A row-wise copy (counting sort).
        let mut rstart = try_filled(m + 1, 0usize)?;
        for k in 0..start[m] {
            if vals_in[k] != 0.0 {
                rstart[rows_in[k] as usize + 1] += 1;
            }
        }
        for r in 0..m {
            rstart[r + 1] += rstart[r];
        }
        let mut fill = try_collect(m + 1, rstart.iter().copied())?;
        let mut rcol = try_filled(rstart[m], 0u32)?;
        let mut rval = try_filled(rstart[m], 0.0f64)?;
        for p in 0..m {
            for k in start[p]..start[p + 1] {
                if vals_in[k] != 0.0 {
                    let r = rows_in[k] as usize;
                    rcol[fill[r]] = p as u32;
                    rval[fill[r]] = vals_in[k];
                    fill[r] += 1;
                }
            }
        }
        let mut row_done = try_filled(m, false)?;
        let mut col_done = try_filled(m, false)?;
        // Phase 1: the columns with a single entry (every basic slack) pivot at once, without
        // elimination; their rows go to U as they are.
        for p in 0..m {
            let mut nz = (start[p]..start[p + 1]).filter(|&k| vals_in[k] != 0.0);
            let (Some(k0), None) = (nz.next(), nz.next()) else { continue };
            if vals_in[k0].abs() <= TINY {
                continue;
            }
            let r = rows_in[k0] as usize;
            if row_done[r] {
                continue;
            }
            row_done[r] = true;
            col_done[p] = true;
            for k in rstart[r]..rstart[r + 1] {
                if rcol[k] as usize != p {
                    try_push(&mut lu.u_idx, rcol[k])?;
                    try_push(&mut lu.u_val, rval[k])?;
                }
            }
            lu.push_u(r, p, vals_in[k0])?;
        }
        // Phase 2: Markowitz on what is left (the kernel).
        let mut rows: Vec<Vec<(u32, f64)>> = try_filled(m, Vec::new())?;
        let mut cols: Vec<Vec<u32>> = try_filled(m, Vec::new())?;
        for r in 0..m {
            if !row_done[r] {
                for k in rstart[r]..rstart[r + 1] {
                    let c = rcol[k] as usize;
                    if !col_done[c] {
                        try_push(&mut rows[r], (c as u32, rval[k]))?;
                        try_push(&mut cols[c], r as u32)?;
                    }
                }
            }
        }
        let remaining = m - lu.u_row.len();
        let mut ccount: Vec<usize> = try_collect(m, cols.iter().map(|c| c.len()))?;
        let mut buckets: Vec<Vec<u32>> = try_filled(m + 2, Vec::new())?;
        for p in 0..m {
            if !col_done[p] {
                try_push(&mut buckets[ccount[p].min(m + 1)], p as u32)?;
            }
        }
        let mut row_single: Vec<u32> = Vec::new();
        for r in 0..m {
            if !row_done[r] && rows[r].len() == 1 {
                try_push(&mut row_single, r as u32)?;
            }
        }
        let mut mark: Vec<usize> = try_filled(m, usize::MAX)?; // position → index in the row being updated
        let entry = |rows: &Vec<Vec<(u32, f64)>>, r: usize, p: u32| -> Option<f64> { rows[r].iter().find(|e| e.0 == p).map(|e| e.1) };
        for _step in 0..remaining {
            let mut pivot: Option<(usize, usize)> = None;
            // 1. Column singletons.
            while let Some(p) = buckets[1].pop() {
                let p = p as usize;
                if col_done[p] || ccount[p] != 1 {
                    continue;
                }
                let r = cols[p].iter().map(|&r| r as usize).find(|&r| !row_done[r] && entry(&rows, r, p as u32).is_some());
                if let Some(r) = r {
                    if entry(&rows, r, p as u32).unwrap().abs() > TINY {
                        pivot = Some((r, p));
                        break;
                    }
                }
            }
            // 2. Row singletons passing the threshold test.
            if pivot.is_none() {
                while let Some(r) = row_single.pop() {
                    let r = r as usize;
                    if row_done[r] || rows[r].len() != 1 {
                        continue;
                    }
                    let (p, v) = rows[r][0];
                    let cmax = col_max(&rows, &cols[p as usize], &row_done, p);
                    if v.abs() > TINY && v.abs() >= THRESHOLD * cmax {
                        pivot = Some((r, p as usize));
                        break;
                    }
                }
            }
            // 3. Markowitz search over the sparsest columns.
            if pivot.is_none() {
                let mut best: Option<(usize, usize, usize, f64)> = None; // (cost, r, p, |v|)
                let mut examined = 0;
                'outer: for c in 1..buckets.len() {
                    let mut k = 0;
                    while k < buckets[c].len() {
                        let p = buckets[c][k] as usize;
                        if col_done[p] || ccount[p] != c {
                            buckets[c].swap_remove(k);
                            continue;
                        }
                        k += 1;
                        let cmax = col_max(&rows, &cols[p], &row_done, p as u32);
                        for &r in &cols[p] {
                            let r = r as usize;
                            if row_done[r] {
                                continue;
                            }
                            if let Some(v) = entry(&rows, r, p as u32) {
                                if v.abs() > TINY && v.abs() >= THRESHOLD * cmax {
                                    let cost = (rows[r].len() - 1) * (c - 1);
                                    if best.is_none_or(|b| cost < b.0 || (cost == b.0 && v.abs() > b.3)) {
                                        best = Some((cost, r, p, v.abs()));
                                    }
                                }
                            }
                        }
                        examined += 1;
                        if best.is_some() && (examined >= 4 || best.unwrap().0 <= (c - 1) * (c - 1)) {
                            break 'outer;
                        }
                    }
                    if best.is_some() && c >= 2 {
                        break;
                    }
                }
                pivot = best.map(|b| (b.1, b.2));
            }
            let Some((r, p)) = pivot else {
                let left = m - lu.u_row.len();
                return Err(Failure::Singular(Singular {
                    rows: try_collect(left, (0..m as u32).filter(|&r| !row_done[r as usize]))?,
                    positions: try_collect(left, (0..m as u32).filter(|&p| !col_done[p as usize]))?,
                }));
            };
            // Eliminate column p from the other active rows.
            let prow = std::mem::take(&mut rows[r]);
            let pv = prow.iter().find(|e| e.0 as usize == p).unwrap().1;
            row_done[r] = true;
            col_done[p] = true;
            let l_begin = lu.l_idx.len();
            let targets = std::mem::take(&mut cols[p]);
            for &k in &targets {
                let k = k as usize;
                if row_done[k] {
                    continue;
                }
                let Some(idx) = rows[k].iter().position(|e| e.0 as usize == p) else { continue };
                let mult = rows[k][idx].1 / pv;
                rows[k].swap_remove(idx);
                try_push(&mut lu.l_idx, k as u32)?;
                try_push(&mut lu.l_val, mult)?;
                for (i, e) in rows[k].iter().enumerate() {
                    mark[e.0 as usize] = i;
                }
                let mut removed = false;
                for &(c, v) in &prow {
                    let c = c as usize;
                    if c == p {
                        continue;
                    }
                    let i = mark[c];
                    if i != usize::MAX {
                        rows[k][i].1 -= mult * v;
                        if rows[k][i].1.abs() < DROP {
                            rows[k][i].1 = 0.0;
                            removed = true;
                        }
                    } else {
                        try_push(&mut rows[k], (c as u32, -mult * v))?;
                        try_push(&mut cols[c], k as u32)?;
                        ccount[c] += 1;
                        try_push(&mut buckets[ccount[c].min(m + 1)], c as u32)?;
                    }
                }
                for e in rows[k].iter() {
                    mark[e.0 as usize] = usize::MAX;
                }
                if removed {
                    for &(c, v) in rows[k].iter() {
                        if v == 0.0 {
                            ccount[c as usize] -= 1;
                            try_push(&mut buckets[ccount[c as usize].min(m + 1)], c)?;
                        }
                    }
                    rows[k].retain(|e| e.1 != 0.0);
                }
                if rows[k].len() == 1 {
                    try_push(&mut row_single, k as u32)?;
                }
            }
            if lu.l_idx.len() > l_begin {
                try_push(&mut lu.l_row, r as u32)?;
                try_push(&mut lu.l_start, lu.l_idx.len())?;
            }
            for &(c, v) in &prow {
                let c = c as usize;
                if c != p {
                    ccount[c] -= 1;
                    try_push(&mut buckets[ccount[c].min(m + 1)], c as u32)?;
                    try_push(&mut lu.u_idx, c as u32)?;
                    try_push(&mut lu.u_val, v)?;
                }
            }
            lu.push_u(r, p, pv)?;
        }
        Ok(lu)
    }

    /// The factors of the empty basis (m = 0), no allocation.
    pub fn empty() -> Lu {
        Lu { l_start: vec![0], u_start: vec![0], eta_start: vec![0], ..Default::default() }
    }

    /// Closes U's row of the step that pivoted on (row r, position p) with pivot value `piv`.
    fn push_u(&mut self, r: usize, p: usize, piv: f64) -> crate::error::Result<()> {
        try_push(&mut self.u_row, r as u32)?;
        try_push(&mut self.u_col, p as u32)?;
        try_push(&mut self.u_piv, piv)?;
        try_push(&mut self.u_start, self.u_idx.len())
    }

    pub fn etas(&self) -> usize {
        self.eta_pos.len()
    }

    /// Solves `B x = a`: `a` by rows (overwritten), `x` by positions.
    pub fn ftran(&self, a: &mut [f64], x: &mut [f64]) {
        for t in 0..self.l_row.len() {
            let v = a[self.l_row[t] as usize];
            if v != 0.0 {
                for k in self.l_start[t]..self.l_start[t + 1] {
                    a[self.l_idx[k] as usize] -= self.l_val[k] * v;
                }
            }
        }
        for s in (0..self.u_row.len()).rev() {
            let mut v = a[self.u_row[s] as usize];
            for k in self.u_start[s]..self.u_start[s + 1] {
                v -= self.u_val[k] * x[self.u_idx[k] as usize];
            }
            x[self.u_col[s] as usize] = v / self.u_piv[s];
        }
        for e in 0..self.eta_pos.len() {
            let p = self.eta_pos[e] as usize;
            let xp = x[p] / self.eta_piv[e];
            x[p] = xp;
            if xp != 0.0 {
                for k in self.eta_start[e]..self.eta_start[e + 1] {
                    x[self.eta_idx[k] as usize] -= self.eta_val[k] * xp;
                }
            }
        }
    }

    /// Solves `Bᵀ y = v`: `v` by positions (overwritten), `y` by rows.
    pub fn btran(&self, v: &mut [f64], y: &mut [f64]) {
        for e in (0..self.eta_pos.len()).rev() {
            let p = self.eta_pos[e] as usize;
            let mut s = v[p];
            for k in self.eta_start[e]..self.eta_start[e + 1] {
                s -= self.eta_val[k] * v[self.eta_idx[k] as usize];
            }
            v[p] = s / self.eta_piv[e];
        }
        for s in 0..self.u_row.len() {
            let g = v[self.u_col[s] as usize] / self.u_piv[s];
            y[self.u_row[s] as usize] = g;
            if g != 0.0 {
                for k in self.u_start[s]..self.u_start[s + 1] {
                    v[self.u_idx[k] as usize] -= self.u_val[k] * g;
                }
            }
        }
        for t in (0..self.l_row.len()).rev() {
            let i = self.l_row[t] as usize;
            let mut s = y[i];
            for k in self.l_start[t]..self.l_start[t + 1] {
                s -= self.l_val[k] * y[self.l_idx[k] as usize];
            }
            y[i] = s;
        }
    }

    /// Records the replacement of the column at position `p` by a column whose solve
    /// `B⁻¹ a_q` is `alpha` (by positions). The eta file grows fallibly (its entries are
    /// bounded by the rows times the updates between refactorizations).
    pub fn push_eta(&mut self, p: usize, alpha: &[f64]) -> crate::error::Result<()> {
        let nz = alpha.iter().enumerate().filter(|&(i, a)| i != p && a.abs() > 1e-13).count();
        try_reserve(&mut self.eta_idx, nz)?;
        try_reserve(&mut self.eta_val, nz)?;
        try_push(&mut self.eta_pos, p as u32)?;
        try_push(&mut self.eta_piv, alpha[p])?;
        try_push(&mut self.eta_start, self.eta_idx.len() + nz)?;
        for (i, &a) in alpha.iter().enumerate() {
            if i != p && a.abs() > 1e-13 {
                self.eta_idx.push(i as u32);
                self.eta_val.push(a);
            }
        }
        Ok(())
    }
}

fn col_max(rows: &[Vec<(u32, f64)>], col: &[u32], row_done: &[bool], p: u32) -> f64 {
    let mut best: f64 = 0.0;
    for &r in col {
        if !row_done[r as usize] {
            if let Some(e) = rows[r as usize].iter().find(|e| e.0 == p) {
                best = best.max(e.1.abs());
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(s: &mut u64) -> u64 {
        *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *s >> 33
    }

    /// A random sparse nonsingular matrix: a permuted diagonal plus sparse ±1 entries.
    fn random_basis(m: usize, seed: u64) -> Vec<Vec<(u32, f64)>> {
        let mut s = seed;
        let mut perm: Vec<usize> = (0..m).collect();
        for i in (1..m).rev() {
            perm.swap(i, (rng(&mut s) as usize) % (i + 1));
        }
        let mut cols = vec![Vec::new(); m];
        for p in 0..m {
            cols[p].push((perm[p] as u32, 4.0 + (rng(&mut s) % 3) as f64));
            for _ in 0..(rng(&mut s) % 3) {
                let r = (rng(&mut s) as usize) % m;
                if !cols[p].iter().any(|e: &(u32, f64)| e.0 as usize == r) {
                    cols[p].push((r as u32, if rng(&mut s) % 2 == 0 { 1.0 } else { -1.0 }));
                }
            }
        }
        cols
    }

    fn csc(cols: &[Vec<(u32, f64)>]) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
        let mut start = vec![0];
        let (mut r, mut v) = (Vec::new(), Vec::new());
        for c in cols {
            for &(i, x) in c {
                r.push(i);
                v.push(x);
            }
            start.push(r.len());
        }
        (start, r, v)
    }

    fn mul(cols: &[Vec<(u32, f64)>], x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; cols.len()];
        for (p, c) in cols.iter().enumerate() {
            for &(i, v) in c {
                out[i as usize] += v * x[p];
            }
        }
        out
    }

    fn mul_t(cols: &[Vec<(u32, f64)>], y: &[f64]) -> Vec<f64> {
        cols.iter().map(|c| c.iter().map(|&(i, v)| v * y[i as usize]).sum()).collect()
    }

    #[test]
    fn solves_with_factors_and_etas() {
        for (m, seed) in [(1, 1u64), (5, 2), (40, 3), (200, 4)] {
            let mut cols = random_basis(m, seed);
            let (st, r, v) = csc(&cols);
            let mut lu = Lu::factor(m, &st, &r, &v).unwrap();
            let mut s = seed * 7 + 1;
            for round in 0..12 {
                let b: Vec<f64> = (0..m).map(|_| (rng(&mut s) % 11) as f64 - 5.0).collect();
                let mut a = b.clone();
                let mut x = vec![0.0; m];
                lu.ftran(&mut a, &mut x);
                let back = mul(&cols, &x);
                for i in 0..m {
                    assert!((back[i] - b[i]).abs() < 1e-9, "ftran m={m} round {round}");
                }
                let mut vv = b.clone();
                let mut y = vec![0.0; m];
                lu.btran(&mut vv, &mut y);
                let back = mul_t(&cols, &y);
                for i in 0..m {
                    assert!((back[i] - b[i]).abs() < 1e-9, "btran m={m} round {round}");
                }
                // Replace a column: a random sparse column, kept only if the pivot is safe.
                let p = (rng(&mut s) as usize) % m;
                let mut col = vec![((rng(&mut s) as usize % m) as u32, 3.0)];
                let extra = (rng(&mut s) as usize % m) as u32;
                if extra != col[0].0 {
                    col.push((extra, -1.0));
                }
                let mut a = vec![0.0; m];
                for &(i, v) in &col {
                    a[i as usize] = v;
                }
                let mut alpha = vec![0.0; m];
                lu.ftran(&mut a, &mut alpha);
                if alpha[p].abs() > 0.1 {
                    lu.push_eta(p, &alpha).unwrap();
                    cols[p] = col;
                }
            }
        }
    }

    #[test]
    fn reports_singular_bases() {
        // Two equal columns.
        let cols = vec![vec![(0u32, 1.0), (1, 1.0)], vec![(0, 1.0), (1, 1.0)], vec![(2, 1.0)]];
        let (st, r, v) = csc(&cols);
        let Err(Failure::Singular(e)) = Lu::factor(3, &st, &r, &v) else { panic!("not singular") };
        assert_eq!(e.rows.len(), 1);
        assert_eq!(e.positions.len(), 1);
    }
}
