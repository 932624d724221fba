//! The pair table: per unordered pair of items (i < j), the weighted wins of i over j, of j
//! over i, and the ties. It is the sufficient statistic of every pairwise model in rankagg.
//!
//! Rows are reduced in fixed blocks (the split depends on the data size, never on the thread
//! count) and the block sums are added in block order, so the table is bit-identical for any
//! number of threads.
//!
//! This module holds the table types ([`PairTable`], [`PairsRef`], [`Outcomes`]) and the
//! public reduce ([`reduce`], [`reduce_relabelled`]), which picks one of three strategies:
//! [`dense`] (a packed triangle per block of rows, for small triangles), [`partitioned`]
//! (rows bucketed by cache-sized ranges of cells, for triangles past a core's cache) and
//! [`sparse`] (rows sorted by pair, for more pairs than rows; simple rows over at most 65,536
//! items are counted per lower item instead, [`by_item`]). [`validate`] holds the row and
//! table checks they share.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::interrupt::Stop;

mod by_item;
mod dense;
mod ids;
mod partitioned;
mod sparse;
mod validate;

use dense::reduce_dense;
use partitioned::reduce_partitioned;
use sparse::reduce_sparse;

pub use ids::{
    reduce_id_parts, reduce_ids, reduce_names, signed_value, AllWins, BitParts, Bits, Chunked, Coded, Id, IdTable, Kinds, Labels, NameTable, Outcome, Parts,
    OTHER,
};
pub(crate) use validate::row_cells;
pub use validate::{check_shape, validate_rows};

/// Sparse pair table, sorted by (i, j), with i < j and at least one non-zero cell per entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairTable {
    pub n: usize,
    pub i: Vec<u32>,
    pub j: Vec<u32>,
    /// Weighted wins of `i` over `j` (ties excluded).
    pub wins_i: Vec<f64>,
    /// Weighted wins of `j` over `i` (ties excluded).
    pub wins_j: Vec<f64>,
    /// Weighted ties (rows whose outcome is exactly 0.5).
    pub ties: Vec<f64>,
}

/// Per-row outcomes: the probability that item `a` beats item `b`.
#[derive(Clone, Copy)]
pub enum Outcomes<'a> {
    /// One value per row.
    Values(&'a [f64]),
    /// A code per row into a small table of values (e.g. labels "model_a" / "tie").
    Coded { codes: &'a [u32], values: &'a [f64] },
    /// Every row is a win of `a` (winner / loser columns).
    AllWins,
}

impl Outcomes<'_> {
    #[inline]
    pub fn get(&self, row: usize) -> f64 {
        match *self {
            Outcomes::Values(v) => v[row],
            Outcomes::Coded { codes, values } => values.get(codes[row] as usize).copied().unwrap_or(f64::NAN),
            Outcomes::AllWins => 1.0,
        }
    }
    fn len(&self) -> Option<usize> {
        match *self {
            Outcomes::Values(v) => Some(v.len()),
            Outcomes::Coded { codes, .. } => Some(codes.len()),
            Outcomes::AllWins => None,
        }
    }
}

impl PairTable {
    /// An empty table over `n` items with room for `pairs` entries (fallibly allocated).
    fn with_capacity(n: usize, pairs: usize) -> Result<PairTable> {
        use crate::memory::try_with_capacity;
        Ok(PairTable {
            n,
            i: try_with_capacity(pairs)?,
            j: try_with_capacity(pairs)?,
            wins_i: try_with_capacity(pairs)?,
            wins_j: try_with_capacity(pairs)?,
            ties: try_with_capacity(pairs)?,
        })
    }
}

#[cfg(test)]
impl PairTable {
    /// The same table with item `k` renamed `new_code[k]` (a permutation of 0..n), re-sorted:
    /// the slow oracle for [`reduce_relabelled`].
    pub fn relabel(&self, new_code: &[u32]) -> Result<PairTable> {
        let n = self.n;
        let mut seen = vec![false; n];
        if new_code.len() != n || new_code.iter().any(|&c| (c as usize) >= n || std::mem::replace(&mut seen[c as usize], true)) {
            return Err(Error::InvalidArgument("relabel: new codes must be a permutation of 0..n".into()));
        }
        let mut order: Vec<(u64, u32)> = (0..self.len())
            .map(|p| {
                let (x, y) = (new_code[self.i[p] as usize] as u64, new_code[self.j[p] as usize] as u64);
                ((x.min(y) << 32) | x.max(y), p as u32)
            })
            .collect();
        order.par_sort_unstable();
        let mut t = PairTable { n, ..Default::default() };
        for &(key, p) in &order {
            let p = p as usize;
            let flipped = new_code[self.i[p] as usize] > new_code[self.j[p] as usize];
            t.i.push((key >> 32) as u32);
            t.j.push(key as u32);
            let (wi, wj) = if flipped { (self.wins_j[p], self.wins_i[p]) } else { (self.wins_i[p], self.wins_j[p]) };
            t.wins_i.push(wi);
            t.wins_j.push(wj);
            t.ties.push(self.ties[p]);
        }
        Ok(t)
    }
}

/// Pairs per block of [`PairsRef::item_totals`] (by size only: the same sums for any number of
/// threads); Bradley–Terry's graph build sums the same totals in the same blocks.
pub(crate) fn totals_block(k: usize) -> usize {
    (k / 8).max(1 << 16)
}

/// A borrowed pair table (same layout as [`PairTable`]), e.g. over arrays owned by Python.
#[derive(Debug, Clone, Copy)]
pub struct PairsRef<'a> {
    pub n: usize,
    pub i: &'a [u32],
    pub j: &'a [u32],
    pub wins_i: &'a [f64],
    pub wins_j: &'a [f64],
    pub ties: &'a [f64],
}

impl PairTable {
    pub fn len(&self) -> usize {
        self.i.len()
    }
    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }
    pub fn as_ref(&self) -> PairsRef<'_> {
        PairsRef { n: self.n, i: &self.i, j: &self.j, wins_i: &self.wins_i, wins_j: &self.wins_j, ties: &self.ties }
    }
}
impl PairsRef<'_> {
    pub fn len(&self) -> usize {
        self.i.len()
    }
    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }

    /// Per item: weighted wins, losses and ties, summed over fixed blocks of pairs added in
    /// block order (deterministic for any thread count).
    pub fn item_totals(&self) -> Result<[Vec<f64>; 3]> {
        let n = self.n;
        let k = self.i.len();
        if [self.j.len(), self.wins_i.len(), self.wins_j.len(), self.ties.len()].iter().any(|&l| l != k) {
            return Err(Error::InvalidArgument("pair table columns differ in length".into()));
        }
        let block = totals_block(k);
        // Each block checks its own codes first (no early exit: no branch per code), so no
        // serial pass over the table precedes the parallel one (decision 42).
        let partial: Vec<Option<[Vec<f64>; 3]>> = (0..k.div_ceil(block))
            .into_par_iter()
            .map(|blk| {
                let r = blk * block..((blk + 1) * block).min(k);
                let (i, j) = (&self.i[r.clone()], &self.j[r.clone()]);
                if !i.iter().zip(j).fold(true, |ok, (&a, &b)| ok & ((a as usize) < n) & ((b as usize) < n)) {
                    return None;
                }
                let mut out = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
                for p in r {
                    let (i, j) = (self.i[p] as usize, self.j[p] as usize);
                    out[0][i] += self.wins_i[p];
                    out[0][j] += self.wins_j[p];
                    out[1][i] += self.wins_j[p];
                    out[1][j] += self.wins_i[p];
                    out[2][i] += self.ties[p];
                    out[2][j] += self.ties[p];
                }
                Some(out)
            })
            .collect();
        let Some(partial) = partial.into_iter().collect::<Option<Vec<_>>>() else {
            return Err(Error::InvalidArgument(format!("pair table item codes must be below n = {n}")));
        };
        let mut it = partial.into_iter();
        let mut total = it.next().unwrap_or_else(|| [vec![0.0; n], vec![0.0; n], vec![0.0; n]]);
        for part in it {
            for (t, p) in total.iter_mut().zip(part) {
                t.iter_mut().zip(p).for_each(|(x, y)| *x += y);
            }
        }
        Ok(total)
    }
}

/// Largest dense accumulator (bytes) a block may use.
const DENSE_BLOCK_BYTES: usize = 64 << 20;
/// Largest accumulator that stays in a core's cache: bigger triangles are reduced in
/// partitions of this many bytes of cells ([`reduce_partitioned`]).
const CACHE_BLOCK_BYTES: usize = 1 << 20;
/// Largest number of blocks of the dense reduce.
const MAX_BLOCKS: usize = 8;
/// Fewest rows worth a block of their own.
const MIN_BLOCK_ROWS: usize = 1 << 18;

/// Reduces per-row comparisons (item codes `a`, `b` < `n`) to a pair table, validating every row.
///
/// A row with outcome `o` and weight `w` adds `o·w` wins to `a` and `(1-o)·w` to `b`, except
/// that `o == 0.5` exactly is a tie and adds `w` to the pair's ties.
pub fn reduce(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> Result<PairTable> {
    reduce_relabelled(n, a, b, outcomes, weights, None)
}

/// [`reduce`], with item `k` renamed `relabel[k]` (a permutation of 0..n) on the way: cheaper
/// than [`PairTable::relabel`] afterwards (no second sort).
pub fn reduce_relabelled(n: usize, a: &[u32], b: &[u32], outcomes: Outcomes<'_>, weights: Option<&[f64]>, relabel: Option<&[u32]>) -> Result<PairTable> {
    let m = a.len();
    check_shape(n, a, b, outcomes, weights)?;
    if let Some(r) = relabel {
        let mut seen = vec![false; n];
        if r.len() != n || r.iter().any(|&c| (c as usize) >= n || std::mem::replace(&mut seen[c as usize], true)) {
            return Err(Error::InvalidArgument("relabel: new codes must be a permutation of 0..n".into()));
        }
    }
    let code = Code(relabel);
    let cells = n.saturating_mul(n) / 2;
    // Watched for Ctrl-C (interrupt.rs): the passes below read `stop` every 64k rows or per
    // chunk and end early; a stopped reduce's partial sums are never returned.
    crate::interrupt::watched(|stop| {
        if cells.saturating_mul(24) <= DENSE_BLOCK_BYTES && cells <= 2 * m + (1 << 16) {
            if cells.saturating_mul(24) <= CACHE_BLOCK_BYTES {
                reduce_dense(n, a, b, outcomes, weights, code, stop)
            } else {
                reduce_partitioned(n, a, b, outcomes, weights, code, CACHE_BLOCK_BYTES / 24, stop)
            }
        } else {
            reduce_sparse(n, a, b, outcomes, weights, code, stop)
        }
    })?
}

/// `Err(Interrupted)` once `stop` is raised: between the passes of a reduce.
fn stopped(stop: &Stop) -> Result<()> {
    if stop.stopped() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Rows between two reads of the stop flag in a row loop (~1 ms of work).
const POLL_ROWS: usize = 1 << 16;

/// An optional renaming of item codes.
#[derive(Clone, Copy)]
struct Code<'a>(Option<&'a [u32]>);

impl Code<'_> {
    #[inline]
    fn of(self, x: u32) -> u32 {
        match self.0 {
            Some(r) => r[x as usize],
            None => x,
        }
    }
}

/// Whether every row has unit weight and an outcome of 0, ½ or 1 (the arena case): each row
/// then adds exactly 1 to one of its pair's three counts, and sums do not depend on the order.
fn simple_rows(outcomes: Outcomes<'_>, weights: Option<&[f64]>) -> bool {
    let simple = |v: f64| (v == 0.0) | (v == 0.5) | (v == 1.0);
    weights.is_none()
        && match outcomes {
            Outcomes::AllWins => true,
            Outcomes::Coded { values, .. } => values.iter().all(|&v| simple(v)),
            // By chunks, without early exits within one: `all` over single values tests a
            // shared flag per value (~20 ns a row; decision 40).
            Outcomes::Values(v) => v.par_chunks(POLL_ROWS).all(|c| c.iter().fold(true, |ok, &v| ok & simple(v))),
        }
}

/// A raw pointer that rayon tasks may share; each task writes a disjoint set of indices.
struct SharedSlice<R>(*mut R);
unsafe impl<R> Sync for SharedSlice<R> {}
unsafe impl<R> Send for SharedSlice<R> {}

/// The layout of a stable counting-sort scatter, from per-chunk counts over `parts` buckets:
/// where each bucket starts in the output (`parts + 1` entries, the last the total) and, per
/// chunk, where its first row of each bucket goes (chunks in order within a bucket).
fn scatter_layout<'h>(counts: impl Iterator<Item = &'h [u32]> + Clone, parts: usize) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut start = vec![0usize; parts + 1];
    for hist in counts.clone() {
        for (p, &h) in hist.iter().enumerate() {
            start[p + 1] += h as usize;
        }
    }
    for p in 0..parts {
        start[p + 1] += start[p];
    }
    let mut next = start[..parts].to_vec();
    let cursor = counts
        .map(|hist| {
            let at = next.clone();
            for (x, &h) in next.iter_mut().zip(hist) {
                *x += h as usize;
            }
            at
        })
        .collect();
    (start, cursor)
}

/// A stable counting sort of rows `0..m` into `parts` buckets: `item(r)` is row `r`'s bucket
/// and value (pure: a counting pass computes it, the scatter again), the rows taken in chunks
/// of `chunk` (a split by size, never by thread count). Returns where each bucket starts
/// (`parts + 1` offsets) and the values, bucket by bucket, in row order within one; `None`
/// when `refused()` holds after the counting pass (read with `stop` every [`POLL_ROWS`] rows,
/// so that a pass whose rows the caller refuses ends early). A stopped sort returns
/// `Interrupted`.
fn bucket_rows<V: Copy + Send + Sync>(
    m: usize,
    parts: usize,
    chunk: usize,
    item: impl Fn(usize) -> (usize, V) + Sync,
    refused: impl Fn() -> bool + Sync,
    stop: &Stop,
) -> Result<Option<(Vec<usize>, Vec<V>)>> {
    let rows = |c: usize| c * chunk..((c + 1) * chunk).min(m);
    let counts: Vec<Vec<u32>> = (0..m.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut h = vec![0u32; parts];
            for r in rows(c) {
                if r % POLL_ROWS == 0 && (stop.stopped() || refused()) {
                    break;
                }
                h[item(r).0] += 1;
            }
            h
        })
        .collect();
    stopped(stop)?;
    if refused() {
        return Ok(None);
    }
    let (start, mut cursor) = scatter_layout(counts.iter().map(Vec::as_slice), parts);
    drop(counts);
    // Not zeroed: the scatter writes every slot once (its first touch of the pages, on the
    // threads that write them).
    let mut out: Vec<V> = crate::memory::large_vec(m)?;
    {
        let dst = SharedSlice(out.as_mut_ptr());
        cursor.par_iter_mut().enumerate().for_each(|(c, cur)| {
            let dst = &dst;
            for r in rows(c) {
                if r % POLL_ROWS == 0 && stop.stopped() {
                    return; // its slots stay unwritten: the values are not returned
                }
                let (p, v) = item(r);
                // SAFETY: each (chunk, bucket) owns the disjoint range that starts at
                // cursor[c][p] and holds exactly its count of the first pass (same items),
                // within the capacity `m`.
                unsafe { dst.0.add(cur[p]).write(v) };
                cur[p] += 1;
            }
        });
    }
    stopped(stop)?;
    // SAFETY: not stopped, so every chunk wrote all of its rows' slots: 0..m are initialised.
    unsafe { out.set_len(m) };
    Ok(Some((start, out)))
}

/// Random comparison rows for tests and timings: `m` rows over `n` items (never a self-comparison),
/// outcomes 0, ½ or 1, from a fixed linear congruential stream.
#[cfg(test)]
pub(crate) fn random_rows(n: usize, m: usize, seed: u64) -> (Vec<u32>, Vec<u32>, Vec<f64>) {
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s >> 33
    };
    let a: Vec<u32> = (0..m).map(|_| (next() % n as u64) as u32).collect();
    let b: Vec<u32> = a.iter().map(|&x| ((x as u64 + 1 + next() % (n as u64 - 1)) % n as u64) as u32).collect();
    let o: Vec<f64> = (0..m).map(|_| [0.0, 0.5, 1.0][(next() % 3) as usize]).collect();
    (a, b, o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn small_table_by_hand() {
        let a = [0, 1, 2, 0];
        let b = [1, 0, 0, 1];
        let o = [1.0, 1.0, 0.5, 0.25];
        let t = reduce(3, &a, &b, Outcomes::Values(&o), None).unwrap();
        assert_eq!(t.i, vec![0, 0]);
        assert_eq!(t.j, vec![1, 2]);
        assert_eq!(t.wins_i, vec![1.25, 0.0]);
        assert_eq!(t.wins_j, vec![1.75, 0.0]);
        assert_eq!(t.ties, vec![0.0, 1.0]);
    }

    /// Item totals over several blocks are the per-pair sums (halves: exact in any
    /// order), and a code out of range in the last block is refused, not indexed.
    #[test]
    fn item_totals_by_blocks() {
        let n = 600;
        let (a, b, o) = random_rows(n, 300_000, 3);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        assert!(t.len() > 1 << 16, "one block only: {}", t.len());
        let [w, l, ties] = t.as_ref().item_totals().unwrap();
        let (mut w2, mut l2, mut t2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for p in 0..t.len() {
            let (i, j) = (t.i[p] as usize, t.j[p] as usize);
            (w2[i], w2[j], l2[i], l2[j]) = (w2[i] + t.wins_i[p], w2[j] + t.wins_j[p], l2[i] + t.wins_j[p], l2[j] + t.wins_i[p]);
            (t2[i], t2[j]) = (t2[i] + t.ties[p], t2[j] + t.ties[p]);
        }
        assert_eq!((w, l, ties), (w2, l2, t2));
        let mut bad = t.clone();
        *bad.j.last_mut().unwrap() = n as u32;
        assert!(matches!(bad.as_ref().item_totals(), Err(Error::InvalidArgument(m)) if m.contains("below n")));
    }

    #[test]
    fn relabel_flips_and_sorts() {
        let t = reduce(3, &[0, 1, 2], &[1, 2, 0], Outcomes::Values(&[1.0, 1.0, 0.5]), None).unwrap();
        // 0→2, 1→0, 2→1: pair (0,1) becomes (0,2) flipped, (1,2) becomes (0,1), (0,2) becomes (1,2).
        let r = t.relabel(&[2, 0, 1]).unwrap();
        assert_eq!(r.i, vec![0, 0, 1]);
        assert_eq!(r.j, vec![1, 2, 2]);
        assert_eq!(r.wins_i, vec![1.0, 0.0, 0.0]);
        assert_eq!(r.wins_j, vec![0.0, 1.0, 0.0]);
        assert_eq!(r.ties, vec![0.0, 0.0, 1.0]);
        assert!(t.relabel(&[0, 0, 1]).is_err());
    }

    #[test]
    fn dense_and_sparse_agree() {
        let mut s = 7u64;
        let n = 30;
        let m = 5000;
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut o = Vec::new();
        let mut w = Vec::new();
        for _ in 0..m {
            let x = (lcg(&mut s) % n) as u32;
            let y = ((x as u64 + 1 + lcg(&mut s) % (n - 1)) % n) as u32;
            a.push(x);
            b.push(y);
            o.push([0.0, 0.5, 1.0][(lcg(&mut s) % 3) as usize]);
            w.push((lcg(&mut s) % 4) as f64);
        }
        let d = reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), &Stop::never()).unwrap();
        let sp = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), &Stop::never()).unwrap();
        assert_eq!(d, sp);
        let sp_unit = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap();
        // Unit weights and outcomes in {0, ½, 1}: the dense path counts them in u32 cells.
        assert_eq!(reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never()).unwrap(), sp_unit);
        let codes: Vec<u32> = o.iter().map(|&v| (2.0 * v) as u32).collect();
        let coded = Outcomes::Coded { codes: &codes, values: &[0.0, 0.5, 1.0] };
        assert_eq!(reduce_dense(n as usize, &a, &b, coded, None, Code(None), &Stop::never()).unwrap(), sp_unit);
        // Unit weights take the compact sparse path; explicit weights of 1 the general one.
        let ones = vec![1.0; m];
        assert_eq!(sp_unit, reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&ones), Code(None), &Stop::never()).unwrap());
        let perm: Vec<u32> = (0..n as u32).map(|k| (k * 11 + 5) % n as u32).collect();
        assert_eq!(
            reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), None, Code(Some(&perm)), &Stop::never()).unwrap(),
            reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&ones), Code(Some(&perm)), &Stop::never()).unwrap()
        );
        for span in [1, 7, 100, 434, 435, 10_000] {
            let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(None), span, &Stop::never()).unwrap();
            assert_eq!(part, sp, "span {span}");
            // Unit weights and outcomes in {0, ½, 1}: the compact 4-byte records.
            let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), None, Code(None), span, &Stop::never()).unwrap();
            assert_eq!(part, sp_unit, "span {span}");
        }
        // Renaming on the way equals renaming afterwards, on both paths.
        let perm: Vec<u32> = (0..n as u32).map(|k| (k * 7 + 3) % n as u32).collect();
        let after = d.relabel(&perm).unwrap();
        let dense = reduce_dense(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), &Stop::never()).unwrap();
        let sparse = reduce_sparse(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), &Stop::never()).unwrap();
        assert_eq!(dense, after);
        assert_eq!(sparse, after);
        let part = reduce_partitioned(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Code(Some(&perm)), 50, &Stop::never()).unwrap();
        assert_eq!(part, after);
        assert!(reduce_relabelled(n as usize, &a, &b, Outcomes::Values(&o), Some(&w), Some(&[0, 0])).is_err());
    }

    #[test]
    fn bad_rows_are_reported_in_order() {
        let a = [0, 1, 1, 2];
        let b = [1, 1, 0, 2];
        let o = [1.0, 0.0, 2.0, 0.0];
        match reduce(3, &a, &b, Outcomes::Values(&o), None) {
            Err(Error::SelfComparison { rows, count }) => {
                assert_eq!(rows, vec![1, 3]);
                assert_eq!(count, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        let w = [1.0, f64::NAN, -1.0, 1.0];
        let a = [0, 1, 1, 2];
        let b = [1, 0, 0, 0];
        let o = [1.0, 0.0, 1.0, 0.0];
        assert!(matches!(reduce(3, &a, &b, Outcomes::Values(&o), Some(&w)), Err(Error::InvalidWeight { count: 2, .. })));
        let o = [1.0, f64::NAN, 1.0, 0.0];
        assert!(matches!(reduce(3, &a, &b, Outcomes::Values(&o), None), Err(Error::OutcomeRange { count: 1, .. })));
        // The partitioned path reports the same rows, in order, across chunks.
        let m = 200_000;
        let a: Vec<u32> = (0..m).map(|r| (r % 7) as u32).collect();
        let b: Vec<u32> = (0..m).map(|r| if r % 50_000 == 3 { (r % 7) as u32 } else { ((r + 1) % 7) as u32 }).collect();
        let o = vec![1.0; m];
        let want = reduce_sparse(7, &a, &b, Outcomes::Values(&o), None, Code(None), &Stop::never());
        assert!(matches!(&want, Err(Error::SelfComparison { rows, count: 4 }) if rows == &vec![3, 50_003, 100_003, 150_003]));
        assert_eq!(reduce_partitioned(7, &a, &b, Outcomes::Values(&o), None, Code(None), 4, &Stop::never()), want);
    }
}
