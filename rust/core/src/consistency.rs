//! Transitivity of a majority relation: 3-cycles and k-subsets that admit no weak order.
//!
//! The relation comes from a preference matrix `W` (`W[i, j]` = times i was preferred to j):
//! `i ≻ j` when `W[i, j] > W[j, i]`, a tie when the two are equal and positive, and no verdict
//! when the pair never met. It is stored as three bitsets per item (the items it beats, the
//! items that beat it, the items it ties), so every count below is a few word operations per
//! pair of items.
//!
//! A k-subset counts when all its pairs have a verdict (TrustJudge's rule: subsets with an
//! unjudged pair are skipped); it is *inconsistent* when its verdicts admit no weak order. A
//! complete relation is a weak order exactly when each of its triples is, and a complete triple
//! is inconsistent in two ways only: a strict 3-cycle (`x ≻ y ≻ z ≻ x`) or a contradiction
//! through a tie (`x ≻ y`, `y ≻ z`, `x ~ z`; or `x ≻ y` with `x ~ z ~ y`). For a pair `s ≻ v`
//! the third items `w` that make `{s, v, w}` inconsistent are those with `v ≿ w ≿ s`; for a tie
//! `s ~ v`, those that `s` and `v` do not see alike. Counting is a depth-first enumeration of
//! the complete, consistent subsets with candidate bitsets (the subsets that stay complete and
//! free of contradictions when one more item is added), parallel over the first item, exact and
//! deterministic; beyond `exact_limit` items the k ≥ 4 counts are estimated from random
//! k-subsets, each chunk of draws seeded from `(seed, k, chunk)` alone.
//!
//! 3-cycles of a complete tournament (every pair strict) are counted from the scores in O(n²):
//! `C(n, 3) − Σ C(s_i, 2)` (Kendall & Babington Smith 1940); otherwise directly, in
//! O(n³ / 64) word operations.

use rand::Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::interrupt::Stop;
use crate::memory::try_filled;
use crate::resample::round_rng;

/// The majority relation of a preference matrix, as bitsets.
pub struct Relation {
    n: usize,
    words: usize,
    /// `out[i]`: the items i beats.
    out: Vec<u64>,
    /// `inn[i]`: the items that beat i.
    inn: Vec<u64>,
    /// `tie[i]`: the items tied with i.
    tie: Vec<u64>,
}

/// A verdict on an ordered pair (i, j).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// i ≻ j
    Better,
    /// j ≻ i
    Worse,
    Tie,
    Missing,
}

#[inline]
fn bit(words: &[u64], j: usize) -> bool {
    words[j >> 6] >> (j & 63) & 1 == 1
}

#[inline]
fn set(words: &mut [u64], j: usize) {
    words[j >> 6] |= 1 << (j & 63);
}

/// Iterates over the set bits of `words` from word `from` on.
fn ones(words: &[u64], from: usize) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().skip(from).flat_map(|(t, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                None
            } else {
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(t * 64 + b)
            }
        })
    })
}

/// Mask of the bits of word `t` above position `v` (items > v).
#[inline]
fn above(v: usize, t: usize) -> u64 {
    let first = v >> 6;
    if t > first {
        !0
    } else if t < first || v & 63 == 63 {
        0
    } else {
        !0u64 << ((v & 63) + 1)
    }
}

impl Relation {
    /// The relation of a row-major n × n matrix (finite, ≥ 0; the diagonal is ignored).
    pub fn from_matrix(w: &[f64], n: usize) -> Result<Relation> {
        if w.len() != n * n {
            return Err(Error::InvalidArgument(format!("consistency: a {n}×{n} matrix needs {} values, got {}", n * n, w.len())));
        }
        if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(Error::InvalidArgument("consistency: matrix entries must be finite and >= 0".into()));
        }
        // Blocks of 64 rows, one thread each, read W tile by tile (64 × 64: W[i, j] along rows,
        // W[j, i] down a tile that stays in cache) and fill one bitset word per (row, tile).
        let words = n.div_ceil(64).max(1);
        let (mut out, mut inn, mut tie) = (try_filled(n * words, 0u64)?, try_filled(n * words, 0u64)?, try_filled(n * words, 0u64)?);
        let rows = 64 * words;
        out.par_chunks_mut(rows).zip(inn.par_chunks_mut(rows)).zip(tie.par_chunks_mut(rows)).enumerate().for_each(|(block, ((o, b), t))| {
            let i0 = block * 64;
            let i1 = (i0 + 64).min(n);
            for word in 0..words {
                let j0 = word * 64;
                let j1 = (j0 + 64).min(n);
                for i in i0..i1 {
                    let (mut ob, mut bb, mut tb) = (0u64, 0u64, 0u64);
                    for j in j0..j1 {
                        let (x, y) = (w[i * n + j], w[j * n + i]);
                        let bit = 1u64 << (j - j0);
                        if x > y {
                            ob |= bit;
                        } else if x < y {
                            bb |= bit;
                        } else if x > 0.0 && i != j {
                            tb |= bit;
                        }
                    }
                    let r = (i - i0) * words + word;
                    (o[r], b[r], t[r]) = (ob, bb, tb);
                }
            }
        });
        Ok(Relation { n, words, out, inn, tie })
    }

    /// The relation given by `verdict(i, j)` for i ≠ j (it must be antisymmetric: `Better` for
    /// (i, j) exactly when `Worse` for (j, i)); rows are built in parallel.
    pub fn from_verdicts(n: usize, verdict: impl Fn(usize, usize) -> Verdict + Sync) -> Relation {
        let words = n.div_ceil(64).max(1);
        let mut out = vec![0u64; n * words];
        let mut inn = vec![0u64; n * words];
        let mut tie = vec![0u64; n * words];
        out.par_chunks_mut(words).zip(inn.par_chunks_mut(words)).zip(tie.par_chunks_mut(words)).enumerate().for_each(|(i, ((o, b), t))| {
            for j in (0..n).filter(|&j| j != i) {
                match verdict(i, j) {
                    Verdict::Better => set(o, j),
                    Verdict::Worse => set(b, j),
                    Verdict::Tie => set(t, j),
                    Verdict::Missing => {}
                }
            }
        });
        Relation { n, words, out, inn, tie }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    #[inline]
    fn row<'a>(&self, v: &'a [u64], i: usize) -> &'a [u64] {
        &v[i * self.words..(i + 1) * self.words]
    }

    #[inline]
    pub fn verdict(&self, i: usize, j: usize) -> Verdict {
        if bit(self.row(&self.out, i), j) {
            Verdict::Better
        } else if bit(self.row(&self.inn, i), j) {
            Verdict::Worse
        } else if bit(self.row(&self.tie, i), j) {
            Verdict::Tie
        } else {
            Verdict::Missing
        }
    }

    /// Pairs with a verdict, and tied pairs.
    pub fn pair_counts(&self) -> (u64, u64) {
        let (mut strict, mut ties) = (0u64, 0u64);
        for i in 0..self.n {
            strict += self.row(&self.out, i).iter().map(|w| w.count_ones() as u64).sum::<u64>();
            ties += self.row(&self.tie, i).iter().map(|w| w.count_ones() as u64).sum::<u64>();
        }
        (strict + ties / 2, ties / 2)
    }

    /// True when every pair has a strict verdict (a complete tournament).
    pub fn is_tournament(&self) -> bool {
        (0..self.n).all(|i| {
            let o = self.row(&self.out, i).iter().map(|w| w.count_ones() as usize).sum::<usize>();
            let b = self.row(&self.inn, i).iter().map(|w| w.count_ones() as usize).sum::<usize>();
            o + b == self.n - 1
        })
    }

    /// Word `t` of three sets of third items w for the pair (s, v) with verdict `sv`: those
    /// judged against both s and v, those making {s, v, w} inconsistent, and those making it a
    /// strict 3-cycle.
    #[inline]
    fn triple_words(&self, sv: Verdict, s: usize, v: usize, t: usize) -> (u64, u64, u64) {
        let k = self.words;
        let (os, is, ts) = (self.out[s * k + t], self.inn[s * k + t], self.tie[s * k + t]);
        let (ov, iv, tv) = (self.out[v * k + t], self.inn[v * k + t], self.tie[v * k + t]);
        let known = (os | is | ts) & (ov | iv | tv);
        let (any, cycle) = match sv {
            // s ≻ v: inconsistent when v ≿ w ≿ s; a cycle when v ≻ w ≻ s.
            Verdict::Better => ((ov | tv) & (is | ts), ov & is),
            Verdict::Worse => ((os | ts) & (iv | tv), os & iv),
            // s ~ v: inconsistent when w is not seen alike by s and v.
            Verdict::Tie => ((os ^ ov) | (is ^ iv), 0),
            Verdict::Missing => return (0, 0, 0),
        };
        (known, any, cycle)
    }

    /// Word `t` of the set of items w such that {s, v, w} is complete and free of `kind`.
    #[inline]
    fn ok_word(&self, kind: Kind, sv: Verdict, s: usize, v: usize, t: usize) -> u64 {
        let (known, any, cycle) = self.triple_words(sv, s, v, t);
        known
            & match kind {
                Kind::Complete => !0,
                Kind::Any => !any,
                Kind::Cycle => !cycle,
                Kind::Tie => !(any & !cycle),
            }
    }
}

/// What a subset must be free of to count in one enumeration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Nothing: complete subsets.
    Complete,
    /// Any inconsistent triple: complete subsets with a weak order.
    Any,
    /// Strict 3-cycles.
    Cycle,
    /// Contradictions through a tie.
    Tie,
}

/// Counts for one subset size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsetCounts {
    pub k: usize,
    /// Complete k-subsets (all pairs judged): all of them, or those among the draws.
    pub subsets: u64,
    /// Complete k-subsets whose verdicts admit no weak order.
    pub inconsistent: u64,
    /// Complete k-subsets containing a strict 3-cycle.
    pub with_cycle: u64,
    /// Complete k-subsets containing a contradiction through a tie.
    pub with_tie: u64,
    /// True when every k-subset was examined; false for an estimate from random draws.
    pub exact: bool,
    /// Random k-subsets drawn (0 when exact).
    pub drawn: u64,
}

/// The transitivity report of a relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Pairs with a verdict.
    pub pairs: u64,
    /// Tied pairs.
    pub ties: u64,
    /// Every pair has a strict verdict.
    pub tournament: bool,
    /// Strict 3-cycles.
    pub cycles: u64,
    /// One entry per requested k, in the order asked.
    pub subsets: Vec<SubsetCounts>,
}

fn choose(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    let mut r: u128 = 1;
    for i in 0..k {
        r = r * (n - i) as u128 / (i + 1) as u128;
    }
    r as u64
}

/// The number of strict 3-cycles: from the scores for a complete tournament (Kendall &
/// Babington Smith 1940), else by direct bitset counting (each cycle found once, from its
/// smallest item; watched for Ctrl-C).
pub fn three_cycles(rel: &Relation) -> Result<u64> {
    if rel.is_tournament() {
        return Ok(tournament_cycles(rel));
    }
    crate::interrupt::watched(|stop| cycles_direct(rel, stop))
}

/// Kendall & Babington Smith's count for a complete tournament.
fn tournament_cycles(rel: &Relation) -> u64 {
    let n = rel.n as u64;
    let sum: u64 = (0..rel.n)
        .map(|i| {
            let s = rel.row(&rel.out, i).iter().map(|w| w.count_ones() as u64).sum::<u64>();
            choose(s, 2)
        })
        .sum();
    choose(n, 3) - sum
}

/// Strict 3-cycles counted directly: for each i and each j > i that i beats, the items k > i
/// that j beats and that beat i.
pub fn three_cycles_direct(rel: &Relation) -> u64 {
    cycles_direct(rel, &Stop::never())
}

fn cycles_direct(rel: &Relation, stop: &Stop) -> u64 {
    let k = rel.words;
    (0..rel.n)
        .into_par_iter()
        .map(|i| {
            if stop.stopped() {
                return 0;
            }
            let oi = rel.row(&rel.out, i);
            let ii = rel.row(&rel.inn, i);
            let mut c = 0u64;
            for j in ones(oi, i >> 6).filter(|&j| j > i) {
                let oj = rel.row(&rel.out, j);
                for t in (i >> 6)..k {
                    c += (oj[t] & ii[t] & above(i, t)).count_ones() as u64;
                }
            }
            c
        })
        .sum()
}

/// Triples: (complete, inconsistent, 3-cycles, tie contradictions), in one pass over pairs.
fn triple_counts(rel: &Relation, stop: &Stop) -> [u64; 4] {
    let k = rel.words;
    (0..rel.n)
        .into_par_iter()
        .map(|s| {
            let mut c = [0u64; 4];
            if stop.stopped() {
                return c;
            }
            let known_s: Vec<u64> = (0..k).map(|t| rel.out[s * k + t] | rel.inn[s * k + t] | rel.tie[s * k + t]).collect();
            for v in ones(&known_s, s >> 6).filter(|&v| v > s) {
                let sv = rel.verdict(s, v);
                for t in (v >> 6)..k {
                    let (known, any, cycle) = rel.triple_words(sv, s, v, t);
                    let complete = known & above(v, t);
                    c[0] += complete.count_ones() as u64;
                    c[1] += (complete & any).count_ones() as u64;
                    c[2] += (complete & cycle).count_ones() as u64;
                }
            }
            c[3] = c[1] - c[2];
            c
        })
        .reduce(|| [0; 4], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]])
}

/// Subsets of sizes 1..=kmax that are complete and free of `kind`: `counts[size]`.
fn enumerate(rel: &Relation, kind: Kind, kmax: usize, stop: &Stop) -> Vec<u64> {
    let k = rel.words;
    let n = rel.n;
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut counts = vec![0u64; kmax + 1];
            counts[1] = 1;
            if kmax < 2 || stop.stopped() {
                return counts;
            }
            // cand: items w > max(chosen) that keep chosen ∪ {w} complete and free of kind.
            let cand: Vec<u64> = (0..k).map(|t| (rel.out[i * k + t] | rel.inn[i * k + t] | rel.tie[i * k + t]) & above(i, t)).collect();
            let mut chosen = vec![i];
            let mut buffers: Vec<Vec<u64>> = (0..kmax).map(|_| vec![0u64; k]).collect();
            descend(rel, kind, kmax, &mut chosen, &cand, &mut buffers, &mut counts, stop);
            counts
        })
        .reduce(|| vec![0u64; kmax + 1], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect())
}

#[allow(clippy::too_many_arguments)] // the recursion's state, passed down as is
fn descend(rel: &Relation, kind: Kind, kmax: usize, chosen: &mut Vec<usize>, cand: &[u64], buffers: &mut [Vec<u64>], counts: &mut [u64], stop: &Stop) {
    let size = chosen.len();
    counts[size + 1] += cand.iter().map(|w| w.count_ones() as u64).sum::<u64>();
    if size + 1 >= kmax {
        return;
    }
    let k = rel.words;
    let (mine, rest) = buffers.split_first_mut().expect("one buffer per depth");
    for v in ones(cand, 0) {
        if stop.stopped() {
            return;
        }
        let from = v >> 6;
        let mut any = 0u64;
        for (t, (m, c)) in mine.iter_mut().zip(cand).enumerate() {
            *m = if t < from { 0 } else { c & above(v, t) };
        }
        for &s in chosen.iter() {
            let sv = rel.verdict(s, v);
            any = 0;
            for (t, m) in mine.iter_mut().enumerate().take(k).skip(from) {
                *m &= rel.ok_word(kind, sv, s, v, t);
                any |= *m;
            }
            if any == 0 {
                break;
            }
        }
        if any == 0 {
            continue;
        }
        chosen.push(v);
        let next = std::mem::take(mine);
        descend(rel, kind, kmax, chosen, &next, rest, counts, stop);
        *mine = next;
        chosen.pop();
    }
}

/// Draws per random stream when k-subsets are sampled.
const CHUNK: u64 = 4096;

/// How a triple's verdicts fare: None when a pair is unjudged.
fn triple_kind(rel: &Relation, a: usize, b: usize, c: usize) -> Option<Kind> {
    let (ab, bc, ac) = (rel.verdict(a, b), rel.verdict(b, c), rel.verdict(a, c));
    if ab == Verdict::Missing || bc == Verdict::Missing || ac == Verdict::Missing {
        return None;
    }
    // Inconsistent third items for the pair (a, b), word of c.
    let w = c >> 6;
    let m = 1u64 << (c & 63);
    let any = !rel.ok_word(Kind::Any, ab, a, b, w) & m != 0;
    if !any {
        return Some(Kind::Complete);
    }
    let cycle = !rel.ok_word(Kind::Cycle, ab, a, b, w) & m != 0;
    Some(if cycle { Kind::Cycle } else { Kind::Tie })
}

fn sampled(rel: &Relation, k: usize, samples: u64, seed: u64, stop: &Stop) -> SubsetCounts {
    let n = rel.n;
    let chunks = samples.div_ceil(CHUNK);
    let totals = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = round_rng(seed, c, k as u64);
            let draws = CHUNK.min(samples - c * CHUNK);
            let mut out = [0u64; 4];
            if stop.stopped() {
                return None; // ends the whole iteration (while_some): 2^50 empty chunks would not end
            }
            let mut pick = Vec::with_capacity(k);
            for _ in 0..draws {
                pick.clear();
                while pick.len() < k {
                    let x = rng.random_range(0..n);
                    if !pick.contains(&x) {
                        pick.push(x);
                    }
                }
                pick.sort_unstable();
                let complete = (0..k).all(|x| (x + 1..k).all(|y| rel.verdict(pick[x], pick[y]) != Verdict::Missing));
                if !complete {
                    continue;
                }
                let (mut any, mut cycle, mut tie) = (false, false, false);
                for x in 0..k {
                    for y in x + 1..k {
                        for z in y + 1..k {
                            match triple_kind(rel, pick[x], pick[y], pick[z]) {
                                Some(Kind::Cycle) => (any, cycle) = (true, true),
                                Some(Kind::Tie) => (any, tie) = (true, true),
                                _ => {}
                            }
                        }
                    }
                }
                out[0] += 1;
                out[1] += any as u64;
                out[2] += cycle as u64;
                out[3] += tie as u64;
            }
            Some(out)
        })
        .while_some()
        .reduce(|| [0; 4], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]);
    SubsetCounts { k, subsets: totals[0], inconsistent: totals[1], with_cycle: totals[2], with_tie: totals[3], exact: false, drawn: samples }
}

/// Largest subset size accepted.
pub const MAX_K: usize = 6;

/// 3-cycles and, for each k in `ks` (3 ≤ k ≤ [`MAX_K`]), the complete k-subsets and those that
/// admit no weak order. Triples are always counted exactly; k ≥ 4 exactly when `n ≤
/// exact_limit`, else from `samples` random k-subsets (seeded by `seed`). Watched for Ctrl-C
/// ([`crate::interrupt::watched`]: every item's enumeration checks the flag at each step).
pub fn analyze(rel: &Relation, ks: &[usize], exact_limit: usize, samples: u64, seed: u64) -> Result<Report> {
    if let Some(&k) = ks.iter().find(|&&k| !(3..=MAX_K).contains(&k)) {
        return Err(Error::InvalidArgument(format!("consistency: subset sizes must be between 3 and {MAX_K}, got {k}")));
    }
    crate::interrupt::watched(|stop| analyze_watched(rel, ks, exact_limit, samples, seed, stop))?
}

fn analyze_watched(rel: &Relation, ks: &[usize], exact_limit: usize, samples: u64, seed: u64, stop: &Stop) -> Result<Report> {
    let n = rel.n;
    let (pairs, ties) = rel.pair_counts();
    let tournament = rel.is_tournament();
    let cycles;
    let mut triples = None;
    if tournament {
        cycles = tournament_cycles(rel);
        let t = choose(n as u64, 3);
        triples = Some([t, cycles, cycles, 0]);
    } else if ks.contains(&3) {
        let t = triple_counts(rel, stop);
        cycles = t[2];
        triples = Some(t);
    } else {
        cycles = cycles_direct(rel, stop);
    }
    let big: Vec<usize> = ks.iter().copied().filter(|&k| k > 3).collect();
    let kmax = big.iter().copied().max().unwrap_or(0);
    let exact = n <= exact_limit;
    let lists = if exact && kmax > 0 {
        let kinds = [Kind::Complete, Kind::Any, Kind::Cycle, Kind::Tie];
        Some(kinds.map(|kind| enumerate(rel, kind, kmax, stop)))
    } else {
        None
    };
    if !exact && samples == 0 && kmax > 0 {
        return Err(Error::InvalidArgument("consistency: samples must be > 0 when k-subsets are sampled".into()));
    }
    let subsets = ks
        .iter()
        .map(|&k| {
            if k == 3 {
                let t = triples.expect("triples counted when 3 is asked");
                SubsetCounts { k, subsets: t[0], inconsistent: t[1], with_cycle: t[2], with_tie: t[3], exact: true, drawn: 0 }
            } else if k > n {
                // No k-subset exists: exact zeros (drawing k distinct items of n < k never ends).
                SubsetCounts { k, subsets: 0, inconsistent: 0, with_cycle: 0, with_tie: 0, exact: true, drawn: 0 }
            } else if let Some([complete, free, no_cycle, no_tie]) = &lists {
                SubsetCounts {
                    k,
                    subsets: complete[k],
                    inconsistent: complete[k] - free[k],
                    with_cycle: complete[k] - no_cycle[k],
                    with_tie: complete[k] - no_tie[k],
                    exact: true,
                    drawn: 0,
                }
            } else {
                sampled(rel, k, samples, seed, stop)
            }
        })
        .collect();
    Ok(Report { pairs, ties, tournament, cycles, subsets })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resample::round_rng;

    /// A random relation: each pair strict either way, tied or missing.
    fn random(n: usize, seed: u64, p_tie: f64, p_missing: f64) -> Relation {
        let mut rng = round_rng(seed, 0, 0);
        let mut v = vec![Verdict::Missing; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let u: f64 = rng.random();
                let (a, b) = if u < p_missing {
                    (Verdict::Missing, Verdict::Missing)
                } else if u < p_missing + p_tie {
                    (Verdict::Tie, Verdict::Tie)
                } else if rng.random::<bool>() {
                    (Verdict::Better, Verdict::Worse)
                } else {
                    (Verdict::Worse, Verdict::Better)
                };
                v[i * n + j] = a;
                v[j * n + i] = b;
            }
        }
        Relation::from_verdicts(n, |i, j| v[i * n + j])
    }

    /// A complete subset admits a weak order iff no triple is inconsistent; checked by brute
    /// force over weak orders (rank vectors).
    fn weak_order_exists(rel: &Relation, items: &[usize]) -> bool {
        let k = items.len();
        let mut ranks = vec![0usize; k];
        loop {
            let fits = (0..k).all(|x| {
                (0..k).filter(|&y| y != x).all(|y| match rel.verdict(items[x], items[y]) {
                    Verdict::Better => ranks[x] < ranks[y],
                    Verdict::Worse => ranks[x] > ranks[y],
                    Verdict::Tie => ranks[x] == ranks[y],
                    Verdict::Missing => true,
                })
            });
            if fits {
                return true;
            }
            let mut p = 0;
            loop {
                if p == k {
                    return false;
                }
                ranks[p] += 1;
                if ranks[p] < k {
                    break;
                }
                ranks[p] = 0;
                p += 1;
            }
        }
    }

    fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
        if k == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for last in k - 1..n {
            for mut c in combinations(last, k - 1) {
                c.push(last);
                out.push(c);
            }
        }
        out
    }

    fn brute(rel: &Relation, k: usize) -> (u64, u64, u64) {
        let (mut complete, mut bad, mut cycles) = (0, 0, 0);
        for c in combinations(rel.n, k) {
            let full = (0..k).all(|x| (x + 1..k).all(|y| rel.verdict(c[x], c[y]) != Verdict::Missing));
            if !full {
                continue;
            }
            complete += 1;
            bad += !weak_order_exists(rel, &c) as u64;
            let cyc = combinations(k, 3).iter().any(|t| {
                let (a, b, d) = (c[t[0]], c[t[1]], c[t[2]]);
                let (ab, bd, da) = (rel.verdict(a, b), rel.verdict(b, d), rel.verdict(d, a));
                (ab == Verdict::Better && bd == Verdict::Better && da == Verdict::Better)
                    || (ab == Verdict::Worse && bd == Verdict::Worse && da == Verdict::Worse)
            });
            cycles += cyc as u64;
        }
        (complete, bad, cycles)
    }

    #[test]
    fn matches_brute_force() {
        for seed in 0..30 {
            let n = 5 + (seed as usize % 5);
            let rel = random(n, seed, 0.25, 0.15);
            let r = analyze(&rel, &[3, 4, 5], 100, 0, 0).unwrap();
            for s in &r.subsets {
                let (complete, bad, cycles) = brute(&rel, s.k);
                assert_eq!((s.subsets, s.inconsistent, s.with_cycle), (complete, bad, cycles), "seed {seed} k {}", s.k);
                assert!(s.with_cycle + s.with_tie >= s.inconsistent);
            }
            assert_eq!(r.cycles, brute(&rel, 3).2);
            assert_eq!(r.cycles, three_cycles_direct(&rel));
        }
    }

    #[test]
    fn several_words_match_triple_checks() {
        // n > 64: candidate bitsets span words; k-subsets checked triple by triple.
        let n = 70;
        let rel = random(n, 11, 0.2, 0.3);
        let r = analyze(&rel, &[3, 4], 100, 0, 0).unwrap();
        for s in &r.subsets {
            let (mut complete, mut bad, mut cyc, mut tie) = (0, 0, 0, 0);
            for c in combinations(n, s.k) {
                let kinds: Vec<Option<Kind>> = combinations(s.k, 3).iter().map(|t| triple_kind(&rel, c[t[0]], c[t[1]], c[t[2]])).collect();
                let full = (0..s.k).all(|x| (x + 1..s.k).all(|y| rel.verdict(c[x], c[y]) != Verdict::Missing));
                if !full {
                    continue;
                }
                complete += 1;
                bad += kinds.iter().any(|k| *k != Some(Kind::Complete)) as u64;
                cyc += kinds.contains(&Some(Kind::Cycle)) as u64;
                tie += kinds.contains(&Some(Kind::Tie)) as u64;
            }
            assert_eq!((s.subsets, s.inconsistent, s.with_cycle, s.with_tie), (complete, bad, cyc, tie), "k {}", s.k);
        }
    }

    #[test]
    fn tournament_formula_matches_direct_count() {
        for seed in 0..10 {
            let rel = random(70, seed, 0.0, 0.0);
            assert!(rel.is_tournament());
            assert_eq!(three_cycles(&rel).unwrap(), three_cycles_direct(&rel));
            let r = analyze(&rel, &[3], 100, 0, 0).unwrap();
            assert_eq!(r.subsets[0].subsets, choose(70, 3));
            assert_eq!(r.subsets[0].inconsistent, triple_counts(&rel, &Stop::never())[1]);
        }
    }

    #[test]
    fn rock_paper_scissors() {
        let rel = Relation::from_matrix(&[0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0], 3).unwrap();
        let r = analyze(&rel, &[3], 10, 0, 0).unwrap();
        assert_eq!(r.cycles, 1);
        assert_eq!(r.subsets[0].inconsistent, 1);
        assert_eq!(r.pairs, 3);
    }

    #[test]
    fn sampling_is_deterministic_and_close() {
        let rel = random(40, 7, 0.2, 0.1);
        let exact = analyze(&rel, &[4], 100, 0, 0).unwrap().subsets[0].clone();
        let a = analyze(&rel, &[4], 10, 200_000, 3).unwrap().subsets[0].clone();
        let b = analyze(&rel, &[4], 10, 200_000, 3).unwrap().subsets[0].clone();
        assert_eq!(a, b);
        assert!(!a.exact && a.drawn == 200_000);
        let (re, rs) = (exact.inconsistent as f64 / exact.subsets as f64, a.inconsistent as f64 / a.subsets as f64);
        assert!((re - rs).abs() < 0.01, "{re} vs {rs}");
        let (ce, cs) = (exact.subsets as f64 / choose(40, 4) as f64, a.subsets as f64 / 200_000.0);
        assert!((ce - cs).abs() < 0.01, "{ce} vs {cs}");
    }

    #[test]
    fn subsets_larger_than_the_items_are_none_when_sampling_too() {
        // exact_limit 0 sends k = 4, 5 to sampling: 5 distinct items of 4 cannot be drawn.
        let rel = random(4, 1, 0.2, 0.0);
        let r = analyze(&rel, &[3, 4, 5], 0, 1000, 0).unwrap();
        let exact = analyze(&rel, &[3, 4, 5], 100, 1000, 0).unwrap();
        assert_eq!(r.subsets[2], exact.subsets[2]);
        assert_eq!((r.subsets[2].subsets, r.subsets[2].exact), (0, true));
        assert!(!r.subsets[1].exact && r.subsets[1].drawn == 1000);
    }

    #[test]
    fn rejects_bad_sizes() {
        let rel = random(5, 0, 0.0, 0.0);
        assert!(analyze(&rel, &[2], 10, 0, 0).is_err());
        assert!(analyze(&rel, &[7], 10, 0, 0).is_err());
        assert!(Relation::from_matrix(&[0.0, f64::NAN, 0.0, 0.0], 2).is_err());
    }
}
