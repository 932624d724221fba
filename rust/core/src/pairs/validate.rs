//! Checks shared by every reduce and by tables that come from outside it: per row (self-comparisons,
//! outcomes outside [0, 1], bad weights; the first offending rows reported) and per pair-table
//! entry (i < j < n, finite non-negative counts).

use rayon::prelude::*;

use super::{Outcomes, PairsRef, MIN_BLOCK_ROWS};
use crate::error::{Error, Result, RowReport};

impl PairsRef<'_> {
    /// Checks the invariants (equal lengths, i < j < n, finite non-negative counts); used for
    /// tables that come from outside the reduce.
    pub fn validate(&self) -> Result<()> {
        let k = self.i.len();
        if [self.j.len(), self.wins_i.len(), self.wins_j.len(), self.ties.len()].iter().any(|&l| l != k) {
            return Err(Error::InvalidArgument("pair table columns differ in length".into()));
        }
        // In parallel and without early exits (a branch per value cost ~7 ns an entry); the
        // first bad entry is then found and described.
        const CHUNK: usize = 1 << 14;
        #[allow(clippy::manual_range_contains)] // `&`, not the short-circuiting `contains`: no branch
        let count_ok = |v: f64| (v >= 0.0) & (v < f64::INFINITY);
        let entry_ok = |p: usize| {
            let (i, j) = (self.i[p] as usize, self.j[p] as usize);
            (i < j) & (j < self.n) & count_ok(self.wins_i[p]) & count_ok(self.wins_j[p]) & count_ok(self.ties[p])
        };
        let chunk_ok = |c: usize| {
            let r = c * CHUNK..((c + 1) * CHUNK).min(k);
            let (i, j) = (&self.i[r.clone()], &self.j[r.clone()]);
            let (wi, wj, t) = (&self.wins_i[r.clone()], &self.wins_j[r.clone()], &self.ties[r]);
            (0..i.len()).fold(true, |ok, p| ok & (i[p] < j[p]) & ((j[p] as usize) < self.n) & count_ok(wi[p]) & count_ok(wj[p]) & count_ok(t[p]))
        };
        let Some(c) = (0..k.div_ceil(CHUNK)).into_par_iter().find_first(|&c| !chunk_ok(c)) else {
            return Ok(());
        };
        let p = (c * CHUNK..k).find(|&p| !entry_ok(p)).unwrap_or(c * CHUNK);
        let (i, j) = (self.i[p] as usize, self.j[p] as usize);
        Err(Error::InvalidArgument(if i >= j || j >= self.n {
            format!("pair table entry {p}: need i < j < n")
        } else {
            format!("pair table entry {p}: counts must be finite and >= 0")
        }))
    }
}

#[derive(Default)]
pub(super) struct Reports {
    same: RowReport,
    outcome: RowReport,
    weight: RowReport,
}

impl Reports {
    pub(super) fn merge(&mut self, o: Reports) {
        self.same.merge(o.same);
        self.outcome.merge(o.outcome);
        self.weight.merge(o.weight);
    }
    pub(super) fn into_result(self) -> Result<()> {
        if self.same.count > 0 {
            return Err(Error::SelfComparison { rows: self.same.rows, count: self.same.count });
        }
        if self.outcome.count > 0 {
            return Err(Error::OutcomeRange { rows: self.outcome.rows, count: self.outcome.count });
        }
        if self.weight.count > 0 {
            return Err(Error::InvalidWeight { rows: self.weight.rows, count: self.weight.count });
        }
        Ok(())
    }
}

/// The contribution of one valid row: (lo, hi, wins of lo, wins of hi, ties).
#[inline]
pub(crate) fn row_cells(a: u32, b: u32, o: f64, w: f64) -> (u32, u32, f64, f64, f64) {
    let (wa, wb, t) = if o == 0.5 { (0.0, 0.0, w) } else { (o * w, (1.0 - o) * w, 0.0) };
    if a < b {
        (a, b, wa, wb, t)
    } else {
        (b, a, wb, wa, t)
    }
}

/// Checks one row; returns false (and records why) when it is invalid.
#[inline]
pub(super) fn check_row(row: usize, a: u32, b: u32, o: f64, w: f64, rep: &mut Reports) -> bool {
    let mut ok = true;
    if a == b {
        rep.same.push(row);
        ok = false;
    }
    if !(0.0..=1.0).contains(&o) {
        rep.outcome.push(row);
        ok = false;
    }
    if !(w.is_finite() && w >= 0.0) {
        rep.weight.push(row);
        ok = false;
    }
    ok
}

/// Checks every row (self-comparisons, outcomes outside [0, 1], bad weights), in parallel over
/// fixed blocks merged in order, reporting the first offending rows. Lengths and codes are the
/// caller's to check.
pub fn validate_rows(a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<()> {
    let m = a.len();
    let chunk = MIN_BLOCK_ROWS;
    let reports: Vec<Reports> = (0..m.div_ceil(chunk))
        .into_par_iter()
        .map(|blk| {
            let mut rep = Reports::default();
            for r in blk * chunk..((blk + 1) * chunk).min(m) {
                check_row(r, a[r], b[r], outcomes.get(r), weights.map_or(1.0, |w| w[r]), &mut rep);
            }
            rep
        })
        .collect();
    let mut rep = Reports::default();
    reports.into_iter().for_each(|r| rep.merge(r));
    rep.into_result()
}

/// Checks that the columns have one entry per row and that every code is below `n`.
pub fn check_shape(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<()> {
    let m = a.len();
    if b.len() != m || outcomes.len().is_some_and(|l| l != m) || weights.is_some_and(|w| w.len() != m) {
        return Err(Error::InvalidArgument("column lengths differ".into()));
    }
    // In parallel and without early exits within a chunk (a serial `position` cost ~30 ms at
    // 20M codes); the first bad code is then found and named.
    let Ok(n32) = u32::try_from(n) else {
        return Ok(()); // every u32 code is below n
    };
    let below = |c: &[u32]| c.iter().fold(true, |ok, &x| ok & (x < n32));
    if a.par_chunks(MIN_BLOCK_ROWS).all(below) && b.par_chunks(MIN_BLOCK_ROWS).all(below) {
        return Ok(());
    }
    let bad = a.iter().chain(b.iter()).position(|&c| c >= n32).unwrap_or(0);
    Err(Error::InvalidArgument(format!("item code at position {bad} is not below n = {n}")))
}

#[cfg(test)]
mod tests {
    use super::super::PairTable;

    /// The first bad entry of a pair table is named, in whichever chunk it lies, for each
    /// kind of fault; a good table passes.
    #[test]
    fn validate_names_the_first_bad_entry() {
        let k = 40_000;
        let good = PairTable {
            n: 500,
            i: (0..k).map(|p| (p % 400) as u32).collect(),
            j: (0..k).map(|p| (p % 400 + 1 + p % 99) as u32).collect(),
            wins_i: vec![1.0; k],
            wins_j: vec![0.5; k],
            ties: vec![0.0; k],
        };
        good.as_ref().validate().unwrap();
        for at in [0, 16_383, 16_384, 39_999] {
            let cases: [(&str, Box<dyn Fn(&mut PairTable)>); 5] = [
                ("i < j < n", Box::new(move |t| t.j[at] = t.i[at])),
                ("i < j < n", Box::new(move |t| t.j[at] = 500)),
                ("finite", Box::new(move |t| t.wins_i[at] = f64::NAN)),
                ("finite", Box::new(move |t| t.wins_j[at] = -1.0)),
                ("finite", Box::new(move |t| t.ties[at] = f64::INFINITY)),
            ];
            for (what, spoil) in cases {
                let mut bad = good.clone();
                spoil(&mut bad);
                if at + 7 < k {
                    bad.wins_i[at + 7] = f64::NAN; // a later fault is not the one named
                }
                let msg = bad.as_ref().validate().unwrap_err().to_string();
                assert!(msg.contains(&format!("entry {at}:")) && msg.contains(what), "{msg}");
            }
        }
    }
}
