//! Newman's sweeps on the table's upper half (decision 47).
//!
//! A Gauss–Seidel sweep in item order updates item `i` from its neighbours' strengths, the lower
//! ones (j < i) already updated in this sweep, the upper ones (j > i) not yet. When item `j < i`
//! is updated, π_i is still the value `i`'s own update will read, so `j`'s term in `i`'s sums
//! can be computed then and pushed forward to `i` ([`Upper::sweep`]). Each pair is then read
//! from the lower item's row alone: the table itself, sorted by (i, j), is that row structure,
//! and the fit needs no transposed copy of it (the full graph's scatter of every pair to both
//! ends, [`super::Adjacency::build`]) and streams half the bytes per sweep.
//!
//! The blocked sweep (decision 42: blocks of items swept at once, each in item order, the other
//! blocks' items at the sweep's start values) splits the same way: a pair inside a block is
//! pushed forward as above; a pair across blocks only reads start values, so its terms for both
//! ends come from one division, in a first parallel pass over fixed chunks of rows.

use super::{newman_sums, newman_update, Fit, Link, Options, Scored, Ties};
use crate::error::Result;
use crate::pairs::PairsRef;
use rayon::prelude::*;

/// The pairs of a table sorted by (i, j) as each item's row of upper neighbours (j > i, in table
/// order; with regularization, the virtual item's edge, j = n, last), and the per-item sums the
/// solver reads, from the per-item totals of the graph's first pass.
pub(super) struct Upper<E> {
    n_real: usize,
    has_virtual: bool,
    offsets: Vec<usize>,
    edges: Vec<E>,
    /// Observed score per item (virtual wins included).
    score: Vec<f64>,
    /// Comparisons per item (virtual ones included).
    count: Vec<f64>,
    /// Wins per item over real items (the likelihood's).
    wins: Vec<f64>,
}

scored!(Upper);

/// Edges per row, on average, from which sweeps run in blocks: at 10,000 items and 10 pairs a
/// row (100,000 regularized rows) blocked sweeps took 15.0 ms against 12.8 serial; at 906 a
/// row (10M rows), 134 against 220 ms.
const BLOCK_MIN_ROW: usize = 64;

/// Rows per task of [`Upper::build`]'s copy, at least.
const COPY_ROWS: usize = 256;

impl<E: Link> Upper<E> {
    /// From a table sorted by (i, j) without repeats, ties `Half` or `Drop`, and its per-item
    /// totals (wins, losses, ties; [`PairsRef::item_totals`]); `written`: its edges, one per
    /// entry in table order (no regularization), when the first pass wrote them.
    pub(super) fn build(t: PairsRef<'_>, opts: &Options, totals: &[Vec<f64>; 3], written: Option<Vec<E>>) -> Result<Upper<E>> {
        let n = t.n;
        let r = opts.regularization;
        let has_virtual = r > 0.0;
        // Item i's run starts at the first entry with i' ≥ i: in groups of items, the first
        // one's by a binary search, the others' by a scan on from it (a binary search per item
        // would wait on a cache miss per probe).
        let groups: Vec<usize> = (0..=n).step_by(COPY_ROWS).chain([n + 1]).collect();
        let runs: Vec<Vec<usize>> = groups
            .par_windows(2)
            .map(|g| {
                let mut start = t.i.partition_point(|&x| (x as usize) < g[0]);
                (g[0]..g[1])
                    .map(|i| {
                        start += t.i[start..].iter().take_while(|&&x| (x as usize) < i).count();
                        start + if has_virtual { i } else { 0 }
                    })
                    .collect()
            })
            .collect();
        let offsets: Vec<usize> = crate::memory::try_concat(runs)?;
        let total = offsets[n];
        let edges = match written {
            Some(edges) if !has_virtual && edges.len() == total => edges,
            Some(_) => return Err(crate::error::Error::InvalidArgument("the upper half's edges do not match the table (a bug)".into())),
            None => Self::copy_edges(t, opts, &offsets)?,
        };
        let [won, lost, tied] = totals;
        let half = matches!(opts.ties, Ties::Half);
        let wins: Vec<f64> = crate::memory::try_collect(n, (0..n).map(|i| if half { won[i] + 0.5 * tied[i] } else { won[i] }))?;
        let score = crate::memory::try_collect(n, wins.iter().map(|w| w + r))?;
        let count = crate::memory::try_collect(n, (0..n).map(|i| won[i] + lost[i] + if half { tied[i] } else { 0.0 } + 2.0 * r))?;
        Ok(Upper { n_real: n, has_virtual, offsets, edges, score, count, wins })
    }

    /// The rows' edges from the table, with the virtual item's last (`offsets`: the rows').
    fn copy_edges(t: PairsRef<'_>, opts: &Options, offsets: &[usize]) -> Result<Vec<E>> {
        let (n, r) = (t.n, opts.regularization);
        let has_virtual = r > 0.0;
        let total = offsets[n];
        let mut edges: Vec<E> = crate::memory::large_vec(total)?;
        {
            let spare = &mut edges.spare_capacity_mut()[..total];
            // Rows in contiguous groups of about equal edge counts, each group its own slice.
            let groups = super::block_bounds(offsets, (total / (COPY_ROWS * 64)).clamp(1, 64));
            let slots: Vec<usize> = groups.iter().map(|&g| offsets[g]).collect();
            let parts: Vec<_> = groups.windows(2).map(|g| g[0]..g[1]).zip(split_rows(spare, &slots)).collect();
            parts.into_par_iter().for_each(|(rows, out)| {
                let mut at = 0;
                for i in rows {
                    let first = offsets[i] - if has_virtual { i } else { 0 };
                    let last = offsets[i + 1] - if has_virtual { i + 1 } else { 0 };
                    for q in first..last {
                        let (wi, wj, _) = super::effective_counts(&t, opts.ties, q);
                        out[at].write(E::new(t.j[q], wi, wj));
                        at += 1;
                    }
                    if has_virtual {
                        out[at].write(E::new(n as u32, r, r));
                        at += 1;
                    }
                }
            });
        }
        // SAFETY: the groups cover rows 0..n, whose slots 0..total were all written above.
        unsafe { edges.set_len(total) };
        Ok(edges)
    }

    #[inline]
    fn row(&self, i: usize) -> &[E] {
        &self.edges[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Whether the "beat" graph is strongly connected ([`super::Adjacency::check_identifiable`]'s
    /// test): `Some` of the answer when passes over the rows, alternately in item order and
    /// backwards, spread reachability from item 0 along beat edges forwards and backwards to
    /// every item, or stop spreading, within `MAX_PASSES`; `None` past that (a long chain
    /// against the order: the caller searches the full graph).
    pub(super) fn strongly_connected(&self) -> Option<bool> {
        const MAX_PASSES: usize = 6;
        let n = self.n_real;
        // reach[i]: bit 0 reached from item 0 along beat edges, bit 1 along them backwards.
        let mut reach = vec![0u8; n];
        reach[0] = 3;
        let mut reached = [1usize, 1];
        if n == 1 {
            return Some(true);
        }
        for pass in 0..MAX_PASSES {
            let before = reached;
            for k in 0..n {
                let i = if pass % 2 == 0 { k } else { n - 1 - k };
                for e in self.row(i) {
                    let j = e.j();
                    if j >= n {
                        continue;
                    }
                    // i beat j: forwards i → j, backwards j → i; j beat i: the other way round.
                    let (w, l) = (e.won() > 0.0, e.lost() > 0.0);
                    let (ri, rj) = (reach[i], reach[j]);
                    let to_j = (ri & 1 != 0 && w) as u8 | ((ri & 2 != 0 && l) as u8) << 1;
                    let to_i = (rj & 1 != 0 && l) as u8 | ((rj & 2 != 0 && w) as u8) << 1;
                    let (new_j, new_i) = (to_j & !rj, to_i & !ri);
                    if new_j | new_i != 0 {
                        for (bit, count) in reached.iter_mut().enumerate() {
                            *count += ((new_j >> bit) & 1) as usize + ((new_i >> bit) & 1) as usize;
                        }
                        reach[j] |= new_j;
                        reach[i] |= new_i;
                        if reached == [n, n] {
                            return Some(true);
                        }
                    }
                }
            }
            if reached == before {
                return Some(false);
            }
        }
        None
    }

    /// Blocks of a blocked sweep ([`super::sweep_blocks`]' count and balance: contiguous item
    /// ranges of about equal edge counts in the full graph, whose degrees `full` holds), and
    /// the sweep's chunks of rows; empty when the graph is too small for it, or its rows too
    /// short: a blocked sweep's own work is O(n) per chunk ([`BLOCK_MIN_ROW`]).
    pub(super) fn blocks(&self, degrees: &[usize]) -> Blocked {
        let n = self.n_real;
        if self.edges.len() < BLOCK_MIN_ROW * n {
            return Blocked::default();
        }
        let mut full = vec![0usize; n + 1];
        for i in 0..n {
            full[i + 1] = full[i] + degrees[i] + self.has_virtual as usize;
        }
        match super::blocks_of(&full) {
            Some(bounds) => self.layout(bounds),
            None => Blocked::default(),
        }
    }

    /// The layout of a blocked sweep over blocks of items `bounds` (from 0 to n).
    pub(super) fn layout(&self, bounds: Vec<usize>) -> Blocked {
        let n = self.n_real;
        let block_of = |i: usize| bounds.partition_point(|&b| b <= i) - 1;
        // Where each row's edges past its block's end start (rows are sorted by j, the virtual
        // edge last), and the chunks of the cross pass: about equal cross edges each, never
        // across a block's end.
        // (A scan from the row's start, in parallel: a binary search would wait on a cache
        // miss per probe; most of a row lies past its block.)
        let split: Vec<usize> =
            (0..n).into_par_iter().map(|i| self.offsets[i] + self.row(i).iter().take_while(|e| e.j() < bounds[block_of(i) + 1]).count()).collect();
        let mut cross = vec![0usize; n + 1];
        for i in 0..n {
            cross[i + 1] = cross[i] + self.offsets[i + 1] - split[i];
        }
        let mut chunks: Vec<usize> = super::block_bounds(&cross, 2 * (bounds.len() - 1)).into_iter().chain(bounds.iter().copied()).collect();
        chunks.sort_unstable();
        chunks.dedup();
        let chunk_block = chunks[..chunks.len() - 1].iter().map(|&c| block_of(c)).collect();
        Blocked { bounds, split, chunks, chunk_block }
    }
}

/// A blocked sweep's layout ([`Upper::blocks`]).
#[derive(Default)]
pub(super) struct Blocked {
    /// Item bounds of the blocks.
    bounds: Vec<usize>,
    /// Per row, the first edge past its block's end.
    split: Vec<usize>,
    /// Row bounds of the cross pass's chunks, and each chunk's block.
    chunks: Vec<usize>,
    chunk_block: Vec<usize>,
}

impl Blocked {
    pub(super) fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }
}

/// The running sums of one sweep per item: (Σ w_ij π_j/(π_i+π_j), Σ w_ji/(π_i+π_j)) over the
/// pairs seen so far.
type Sums = [f64; 2];

/// 1 / (x + y) for both lanes of `x`: one division instruction on x86-64 (SSE2, in its
/// baseline), two elsewhere; the same bits either way (IEEE division is correctly rounded),
/// as [`super::newman_sums`] divides.
#[inline(always)]
fn inv2(x: [f64; 2], y: f64) -> [f64; 2] {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut out = [0.0f64; 2];
        // SAFETY: SSE2 is in the x86-64 baseline; the store writes the two-element array.
        unsafe { _mm_storeu_pd(out.as_mut_ptr(), _mm_div_pd(_mm_set1_pd(1.0), _mm_add_pd(_mm_loadu_pd(x.as_ptr()), _mm_set1_pd(y)))) };
        out
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        [1.0 / (x[0] + y), 1.0 / (x[1] + y)]
    }
}

/// Calls `f(edge, π_j, 1 / (π_i + π_j))` for every edge in order, the divisions two at a time.
#[inline(always)]
fn each_inverse<E: Link>(edges: &[E], pi_i: f64, pi_of: impl Fn(usize) -> f64, mut f: impl FnMut(&E, f64, f64)) {
    let pairs = edges.chunks_exact(2);
    let rest = pairs.remainder();
    for q in pairs {
        let p = [pi_of(q[0].j()), pi_of(q[1].j())];
        let inv = inv2(p, pi_i);
        f(&q[0], p[0], inv[0]);
        f(&q[1], p[1], inv[1]);
    }
    for e in rest {
        let p = pi_of(e.j());
        f(e, p, 1.0 / (p + pi_i));
    }
}

/// Adds item i's terms (its strength now `pi_i`) to the sums of its upper neighbours `j`,
/// whose strengths `pi_of(j)` are the ones their own updates will read.
#[inline(always)]
fn push<E: Link>(edges: &[E], pi_i: f64, pi_of: impl Fn(usize) -> f64, acc: &mut [Sums], base: usize) {
    each_inverse(edges, pi_i, pi_of, |e, _, inv| {
        let s = &mut acc[e.j() - base];
        s[0] += e.lost() * pi_i * inv;
        s[1] += e.won() * inv;
    });
}

/// Scratch for the sweeps: the pushed sums per item, and the cross pass's per chunk.
pub(super) struct Scratch {
    acc: Vec<Sums>,
    own: Vec<Sums>,
    per_chunk: Vec<Vec<Sums>>,
}

impl Scratch {
    pub(super) fn new(n: usize, blocked: &Blocked) -> Result<Scratch> {
        let chunks = blocked.chunks.len().saturating_sub(1);
        let mut per_chunk = crate::memory::try_with_capacity(chunks)?;
        for _ in 0..chunks {
            per_chunk.push(crate::memory::try_filled(n + 1, [0.0; 2])?);
        }
        Ok(Scratch { acc: crate::memory::try_filled(n + 1, [0.0; 2])?, own: crate::memory::try_filled(if chunks > 0 { n } else { 0 }, [0.0; 2])?, per_chunk })
    }
}

impl<E: Link> Upper<E> {
    /// One Gauss–Seidel sweep in item order, in place: (largest relative change of π, largest
    /// relative gradient at the point each item was seen), as [`super::newman_sweep`].
    pub(super) fn sweep(&self, pi: &mut [f64], scratch: &mut Scratch) -> (f64, f64) {
        let n = self.n_real;
        let acc = &mut scratch.acc;
        acc.fill([0.0; 2]);
        let (mut step, mut grad): (f64, f64) = (0.0, 0.0);
        for i in 0..n {
            let row = self.row(i);
            let (a, b) = newman_sums(row, pi[i], |j| pi[j]);
            let (a, b) = (a + acc[i][0], b + acc[i][1]);
            if let Some(new) = newman_update(a, b, pi[i], self.count[i], &mut step, &mut grad) {
                pi[i] = new;
            }
            push(row, pi[i], |j| pi[j], acc, 0);
        }
        (step, grad)
    }

    /// One blocked sweep ([`Blocked`]; decision 42's iterates): the cross pairs' terms for
    /// both ends at the start values, chunk by chunk in parallel; then each block swept in item
    /// order on its own, in parallel, its items' pairs within it pushed forward.
    pub(super) fn sweep_blocked(&self, pi: &mut [f64], blocked: &Blocked, scratch: &mut Scratch) -> (f64, f64) {
        let Blocked { bounds, split, chunks, chunk_block } = blocked;
        let Scratch { acc, own, per_chunk } = scratch;
        {
            let pi = &*pi;
            let own_parts = split_rows(own, chunks);
            per_chunk.par_iter_mut().zip(own_parts).enumerate().for_each(|(c, (out, own))| {
                let (lo, hi) = (chunks[c], chunks[c + 1]);
                let end = bounds[chunk_block[c] + 1];
                out[end..].fill([0.0; 2]);
                for i in lo..hi {
                    let (pi_i, (mut a, mut b)) = (pi[i], (0.0, 0.0));
                    each_inverse(
                        &self.edges[split[i]..self.offsets[i + 1]],
                        pi_i,
                        |j| pi[j],
                        |e, pi_j, inv| {
                            a += e.won() * pi_j * inv;
                            b += e.lost() * inv;
                            let s = &mut out[e.j()];
                            s[0] += e.lost() * pi_i * inv;
                            s[1] += e.won() * inv;
                        },
                    );
                    own[i - lo] = [a, b];
                }
            });
        }
        let (own, per_chunk) = (&*own, &*per_chunk);
        let results: Vec<(f64, f64)> = split_rows(&mut pi[..self.n_real], bounds)
            .into_par_iter()
            .zip(split_rows(acc, bounds))
            .enumerate()
            .map(|(blk, (local, acc))| {
                let lo = bounds[blk];
                acc.fill([0.0; 2]);
                let earlier = chunk_block.partition_point(|&b| b < blk);
                let (mut step, mut grad): (f64, f64) = (0.0, 0.0);
                for k in 0..local.len() {
                    let i = lo + k;
                    let within = &self.edges[self.offsets[i]..split[i]];
                    let (a, b) = newman_sums(within, local[k], |j| local[j - lo]);
                    let (mut a, mut b) = (a + own[i][0], b + own[i][1]);
                    for part in &per_chunk[..earlier] {
                        a += part[i][0];
                        b += part[i][1];
                    }
                    let (a, b) = (a + acc[k][0], b + acc[k][1]);
                    if let Some(new) = newman_update(a, b, local[k], self.count[i], &mut step, &mut grad) {
                        local[k] = new;
                    }
                    push(within, local[k], |j| local[j - lo], acc, lo);
                }
                (step, grad)
            })
            .collect();
        results.iter().fold((0.0, 0.0), |x, y| (x.0.max(y.0), x.1.max(y.1)))
    }

    /// Largest |observed − expected score| / comparisons over real items at π (the exact
    /// optimality test), the expected scores summed pair by pair from the lower item's row:
    /// rows in fixed chunks in parallel, each pushing the upper items' terms to its own array,
    /// the arrays added in chunk order (deterministic for any thread count).
    pub(super) fn max_relative_gradient(&self, pi: &[f64]) -> f64 {
        let n = self.n_real;
        let chunks = super::block_bounds(&self.offsets, (self.edges.len() >> 20).clamp(1, 8));
        let parts: Vec<(Vec<f64>, Vec<f64>)> = chunks
            .windows(2)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|c| {
                let (lo, hi) = (c[0], c[1]);
                let mut own = vec![0.0; hi - lo];
                let mut pushed = vec![0.0; n + 1];
                for i in lo..hi {
                    let mut e_i = 0.0;
                    each_inverse(
                        self.row(i),
                        pi[i],
                        |j| pi[j],
                        |e, pi_j, inv| {
                            let x = (e.won() + e.lost()) * inv;
                            e_i += x * pi[i];
                            pushed[e.j()] += x * pi_j;
                        },
                    );
                    own[i - lo] = e_i;
                }
                (own, pushed)
            })
            .collect();
        let mut expected = vec![0.0; n];
        for (c, (own, _)) in parts.iter().enumerate() {
            for (k, x) in own.iter().enumerate() {
                expected[chunks[c] + k] = *x;
            }
        }
        for (_, pushed) in &parts {
            expected.iter_mut().zip(pushed).for_each(|(e, p)| *e += p);
        }
        (0..n).map(|i| (self.score[i] - expected[i]).abs() / self.count[i].max(f64::MIN_POSITIVE)).fold(0.0, f64::max)
    }

    /// The plain model's log-likelihood at π ([`super::plain_log_likelihood`]): the wins from
    /// the totals, each pair's factor from its lower item's row.
    pub(super) fn log_likelihood(&self, pi: &[f64]) -> f64 {
        let n = self.n_real;
        let per_item: Vec<f64> = (0..n).into_par_iter().map(|i| self.wins[i] * pi[i].ln() - super::pair_logs(self.row(i), i, n, pi)).collect();
        per_item.iter().sum()
    }
}

/// `v` cut at `bounds` (relative to `bounds[0]`) into consecutive slices.
fn split_rows<'a, T>(v: &'a mut [T], bounds: &[usize]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(bounds.len());
    let mut rest = v;
    for w in bounds.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        parts.push(head);
        rest = tail;
    }
    parts
}

/// Newman's iteration on the upper half ([`super::solve_plain`]'s loop and stopping rules):
/// blocked sweeps while each at least halves the proxy gradient, then serial ones.
/// `blocked_layout` empty: serial sweeps throughout.
pub(super) fn solve<E: Link>(g: &Upper<E>, blocked_layout: &Blocked, opts: &Options, start: Option<&Fit>, with_likelihood: bool) -> Result<Fit> {
    let n_real = g.n_real;
    let mut pi = super::initial(g, start);
    let mut scratch = Scratch::new(n_real, blocked_layout)?;
    let mut iterations = 0;
    let mut max_rel = if start.is_some() || opts.max_iter == 0 { g.max_relative_gradient(&pi) } else { f64::INFINITY };
    let (mut blocked, mut last_proxy) = (!blocked_layout.is_empty(), f64::INFINITY);
    while max_rel > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        let (change, proxy) = if blocked {
            let (change, proxy) = g.sweep_blocked(&mut pi, blocked_layout, &mut scratch);
            blocked = proxy <= 0.5 * last_proxy;
            last_proxy = proxy;
            (change, proxy)
        } else {
            g.sweep(&mut pi, &mut scratch)
        };
        super::normalise(&mut pi, g);
        if g.has_virtual {
            super::best_common_scale(&mut pi[..n_real]);
        }
        if (change > 1e3 * opts.tol || proxy > opts.tol) && iterations < opts.max_iter {
            continue;
        }
        max_rel = g.max_relative_gradient(&pi);
    }
    let ll = if with_likelihood { g.log_likelihood(&pi) } else { f64::NAN };
    let (theta, virtual_theta) = super::finish(&pi, n_real);
    Ok(Fit { theta, tie_parameter: None, iterations, converged: max_rel <= opts.tol, log_likelihood: ll, max_relative_gradient: max_rel, virtual_theta })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{bipartite, table, worst};
    use super::super::{block_bounds, fit, newman_sweep, solve_plain, Adjacency, Degrees, Edge, Edge32, Extras, Order, Solver};
    use super::*;
    use crate::pairs::{random_rows, reduce, Outcomes, PairTable};

    /// Random tables (small, medium, dense) under both tie treatments, with and without
    /// regularization.
    fn cases() -> Vec<(usize, PairTable, Options)> {
        let mut out = Vec::new();
        for (n, m, seed) in [(40, 400, 1), (300, 3000, 2), (120, 20_000, 3)] {
            let (a, b, o) = random_rows(n, m, seed);
            let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
            for ties in [Ties::Half, Ties::Drop] {
                for regularization in [0.0, 0.5] {
                    out.push((n, t.clone(), Options { ties, regularization, ..Default::default() }));
                }
            }
        }
        out
    }

    fn upper<E: Link>(t: PairsRef<'_>, opts: &Options) -> Upper<E> {
        let mut degrees = Degrees::count(t, opts, Extras { check: true, totals: true }).unwrap();
        assert!(degrees.sorted);
        Upper::build(t, opts, &degrees.totals.take().unwrap(), None).unwrap()
    }

    fn relative(x: &[f64], y: &[f64]) -> f64 {
        x.iter().zip(y).map(|(a, b)| ((a - b) / b).abs()).fold(0.0, f64::max)
    }

    /// One sweep on the upper half, serial and blocked (2, 3 and 7 blocks), is the full graph's
    /// sweep of the same order (decision 42's blocked iterate: each block in item order on its
    /// own copy of π) to rounding, from the same strengths: the same iterates, the pairs read
    /// from one side. Both tie treatments, with and without regularization.
    #[test]
    fn sweeps_are_the_full_graphs_sweeps() {
        for (n, t, opts) in cases() {
            let Options { ties, regularization, .. } = opts;
            let full = Adjacency::<Edge>::build(t.as_ref(), &opts).unwrap();
            let g = upper::<Edge>(t.as_ref(), &opts);
            assert_eq!((g.score.clone(), g.count.clone()), (full.score.clone(), full.count.clone()), "n {n}");
            let start: Vec<f64> = (0..n + (regularization > 0.0) as usize).map(|i| if i < n { 0.5 + (i * 37 % 11) as f64 / 7.0 } else { 1.0 }).collect();
            let (mut p_full, mut p_upper) = (start.clone(), start.clone());
            let mut scratch = Scratch::new(n, &Blocked::default()).unwrap();
            let (s_full, s_upper) = (newman_sweep(&full, &mut p_full, 0..n), g.sweep(&mut p_upper, &mut scratch));
            assert!(relative(&p_upper, &p_full) < 1e-12, "serial n {n} {ties:?} r {regularization}");
            assert!((s_full.0 - s_upper.0).abs() <= 1e-9 * s_full.0 && (s_full.1 - s_upper.1).abs() <= 1e-9 * s_full.1.max(1e-300));
            for k in [2, 3, 7] {
                let bounds = block_bounds(&full.offsets, k);
                let mut p_full = start.clone();
                for w in bounds.windows(2) {
                    let mut local = start.clone();
                    newman_sweep(&full, &mut local, w[0]..w[1]);
                    p_full[w[0]..w[1]].copy_from_slice(&local[w[0]..w[1]]);
                }
                let layout = g.layout(bounds);
                let mut scratch = Scratch::new(n, &layout).unwrap();
                let mut p_upper = start.clone();
                g.sweep_blocked(&mut p_upper, &layout, &mut scratch);
                assert!(relative(&p_upper, &p_full) < 1e-12, "blocked n {n} {ties:?} r {regularization} k {k}");
                // The same scratch serves the next sweep (its sums are cleared).
                let again = p_upper.clone();
                g.sweep_blocked(&mut p_upper, &layout, &mut scratch);
                let mut fresh = again.clone();
                g.sweep_blocked(&mut fresh, &layout, &mut Scratch::new(n, &layout).unwrap());
                assert_eq!(p_upper, fresh);
            }
        }
    }

    /// The fit on the upper half reaches the full graph's optimum, serial or blocked, cold or
    /// warm; on a bipartite graph whose sides are the blocks (a Jacobi update between them
    /// oscillates) the guard hands over to serial sweeps.
    #[test]
    fn fits_reach_the_full_graphs_optimum() {
        for (n, t, opts) in cases() {
            let Options { ties, regularization, .. } = opts;
            let full = Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap();
            if !full.has_virtual && full.check_identifiable().is_err() {
                assert!(fit(t.as_ref(), &opts).is_err());
                continue;
            }
            let reference = solve_plain(&full, &opts, None, true, Order::Items);
            let g = upper::<Edge32>(t.as_ref(), &opts);
            for k in [0, 2, 3, 7] {
                let layout = if k == 0 { Blocked::default() } else { g.layout(block_bounds(&full.offsets, k)) };
                let got = solve(&g, &layout, &opts, None, true).unwrap();
                assert!(got.converged && got.max_relative_gradient <= opts.tol, "n {n} {ties:?} r {regularization} k {k}");
                assert!(worst(&got, &reference) < 1e-6, "n {n} {ties:?} r {regularization} k {k}: {}", worst(&got, &reference));
                assert!((got.log_likelihood - reference.log_likelihood).abs() <= 1e-9 * reference.log_likelihood.abs());
                let warm = solve(&g, &layout, &opts, Some(&got), true).unwrap();
                assert!(warm.converged && warm.iterations <= 1 && worst(&warm, &got) < 1e-7);
            }
        }
        let opts = Options::default();
        // Bipartite, the blocks being its sides.
        let h = 30u32;
        let t = bipartite(h);
        let g = upper::<Edge32>(t.as_ref(), &opts);
        let reference = solve_plain(&Adjacency::<Edge32>::build(t.as_ref(), &opts).unwrap(), &opts, None, true, Order::Items);
        let blocked = solve(&g, &g.layout(vec![0, h as usize, 2 * h as usize]), &opts, None, true).unwrap();
        assert!(blocked.converged && worst(&blocked, &reference) < 1e-6, "{}", worst(&blocked, &reference));
        let t = table(&[(0, 1, 1.0), (0, 1, 1.0), (0, 1, 0.0)], 2);
        let g = upper::<Edge32>(t.as_ref(), &opts);
        let blocked = solve(&g, &g.layout(vec![0, 1, 2]), &opts, None, true).unwrap();
        assert!(blocked.converged && (blocked.theta[0] - blocked.theta[1] - 2f64.ln()).abs() < 1e-7);
    }

    /// The passes' strong connectivity is the full graph's search: on random sparse tables
    /// (some not identifiable), an item that never wins, and a cycle that zigzags against the
    /// item order (more passes than allowed: `None`, and `fit` falls back to the full search).
    #[test]
    fn strong_connectivity_by_passes() {
        let opts = Options::default();
        let (mut settled, mut failed) = (0, 0);
        for seed in 0..60 {
            let n = 12 + seed as usize % 20;
            let (a, b, o) = random_rows(n, n * (3 + seed as usize % 6), seed);
            let o: Vec<f64> = o.iter().map(|&x| if x == 0.5 { 1.0 } else { x }).collect();
            let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
            let expect = Adjacency::<Edge>::build(t.as_ref(), &opts).unwrap().check_identifiable().is_ok();
            if let Some(got) = upper::<Edge>(t.as_ref(), &opts).strongly_connected() {
                assert_eq!(got, expect, "seed {seed}");
                settled += 1;
                failed += !got as usize;
            }
            assert_eq!(fit(t.as_ref(), &opts).is_ok(), expect, "seed {seed}");
        }
        assert!(settled >= 50 && failed >= 5 && failed <= settled - 5, "{settled} settled, {failed} not connected");
        // Item 3 never wins.
        let t = table(&[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (0, 3, 1.0), (2, 3, 1.0)], 4);
        assert_eq!(upper::<Edge>(t.as_ref(), &opts).strongly_connected(), Some(false));
        // 0 → 20 → 1 → 21 → 2 → … → 19 → 39 → 0: each step down needs a pass of its own.
        let n = 40u32;
        let mut rows = Vec::new();
        for x in 0..n / 2 {
            rows.push((x, x + n / 2, 1.0));
            rows.push((x + n / 2, (x + 1) % (n / 2), 1.0));
        }
        let t = table(&rows, n as usize);
        assert_eq!(upper::<Edge>(t.as_ref(), &opts).strongly_connected(), None);
        let got = fit(t.as_ref(), &opts).unwrap();
        assert!(got.converged && got.theta.iter().all(|x| x.abs() < 1e-6), "a cycle: all equal");
        // Drop the closing edge: not strongly connected, found by the full search.
        let t = table(&rows[..rows.len() - 1], n as usize);
        assert!(matches!(fit(t.as_ref(), &opts), Err(crate::error::Error::NotIdentifiable { .. })));
    }

    /// Tables out of (i, j) order, or with a pair twice, take the full graph; their fit is the
    /// sorted table's.
    #[test]
    fn unsorted_tables_take_the_full_graph() {
        let n = 50;
        let (a, b, o) = random_rows(n, 2000, 4);
        let t = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let opts = Options { solver: Solver::Newman, ..Default::default() };
        let sorted = fit(t.as_ref(), &opts).unwrap();
        let k = t.len();
        let order: Vec<usize> = (0..k).map(|q| (q * 7919) % k).collect();
        assert_eq!(order.iter().copied().collect::<std::collections::BTreeSet<_>>().len(), k, "a permutation");
        let pick = |v: &[f64]| order.iter().map(|&q| v[q]).collect::<Vec<f64>>();
        let shuffled = PairTable {
            n,
            i: order.iter().map(|&q| t.i[q]).collect(),
            j: order.iter().map(|&q| t.j[q]).collect(),
            wins_i: pick(&t.wins_i),
            wins_j: pick(&t.wins_j),
            ties: pick(&t.ties),
        };
        assert!(!Degrees::count(shuffled.as_ref(), &opts, Extras { check: true, totals: true }).unwrap().sorted);
        assert!(worst(&fit(shuffled.as_ref(), &opts).unwrap(), &sorted) < 1e-8);
        // The first pair split into two entries.
        let mut twice = t.clone();
        twice.i.insert(0, t.i[0]);
        twice.j.insert(0, t.j[0]);
        twice.wins_i.insert(0, t.wins_i[0] / 2.0);
        twice.wins_j.insert(0, t.wins_j[0] / 2.0);
        twice.ties.insert(0, t.ties[0] / 2.0);
        (twice.wins_i[1], twice.wins_j[1], twice.ties[1]) = (t.wins_i[0] / 2.0, t.wins_j[0] / 2.0, t.ties[0] / 2.0);
        assert!(!Degrees::count(twice.as_ref(), &opts, Extras { check: true, totals: true }).unwrap().sorted);
        assert!(worst(&fit(twice.as_ref(), &opts).unwrap(), &sorted) < 1e-8);
    }
}
