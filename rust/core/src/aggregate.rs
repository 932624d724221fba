//! Per-item aggregation of a long score table `item × observation [× group]`: the hot loop of
//! defensive aggregation (Feng et al. 2025, "Taming the Fragility of KV Cache Eviction in LLM
//! Inference", DefensiveKV).
//!
//! For each item, over its rows (one per observation): the count, the mean and the upper-tail
//! mean of the largest ⌈tail·k⌉ values (tail = 0: the maximum; tail = 1: the mean). Then, per
//! group of items, the mean of those worst cases, and the defended score
//! `max(worst, prior × group mean of worst)`. With `regret`, each value is first turned into
//! the normalised regret of its observation, `(best − value) / (best − worst)` (0 when every
//! item scored the same), so that higher-is-better benchmark scores become risks.
//!
//! Rows are cut into fixed blocks (by data size, never by thread count); each block is grouped
//! by item with a counting sort (checking every key and value), in parallel; then each item
//! gathers its runs from the blocks, puts them in observation order and is reduced, in
//! parallel. Observation order: already so (a check), or each value placed in a per-thread
//! slot indexed by observation (when the item has at least a quarter of the observations), or
//! a sort (O(k log k), only for items with few of many observations). Every item thus sees its
//! values in observation order whatever the row order: the results are bit-identical under
//! any permutation of the rows and any thread count. Sums are compensated (Neumaier), so items
//! with the same values in different observations get the same mean (in all but rare cases).
//! The tail uses `select_nth_unstable`.
//!
//! Keys come as codes with a rank permutation, or, for integers of a small range, as the raw
//! values with a rank map ([`Key::Dense`], [`dense_int_map`]): no per-row code array.

use rayon::prelude::*;

use crate::error::{Error, Result, MAX_REPORTED};

/// How a column of keys (item, observation or group labels) gives each row its rank.
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    /// Codes per row (e.g. from a hash factorization) and `rank[code]`, a permutation.
    Coded { codes: &'a [u32], rank: &'a [u32] },
    /// Integers per row; the rank of `v` is `rank[v − lo]` (`u32::MAX` marks absent values):
    /// no code array is materialized.
    Dense { values: &'a [i64], lo: i64, rank: &'a [u32] },
}

impl Key<'_> {
    pub fn len(&self) -> usize {
        match self {
            Key::Coded { codes, .. } => codes.len(),
            Key::Dense { values, .. } => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rank of row `r`, or `u32::MAX` when its code has none.
    #[inline]
    pub fn get(&self, r: usize) -> u32 {
        match *self {
            Key::Coded { codes, rank } => rank.get(codes[r] as usize).copied().unwrap_or(u32::MAX),
            Key::Dense { values, lo, rank } => {
                let v = values[r];
                // v ≥ lo, so the wrapping difference is the exact one (< 2^64).
                let d = if v >= lo { v.wrapping_sub(lo) as u64 } else { u64::MAX };
                if d < rank.len() as u64 {
                    rank[d as usize]
                } else {
                    u32::MAX
                }
            }
        }
    }

    /// Whether the ranks are exactly 0..n, each once (absent markers aside in `Dense`).
    fn ranks_are(&self, n: usize) -> bool {
        let (rank, absent_ok) = match *self {
            Key::Coded { rank, .. } => (rank, false),
            Key::Dense { rank, .. } => (rank, true),
        };
        let mut seen = vec![false; n];
        let mut count = 0;
        for &c in rank {
            if c == u32::MAX && absent_ok {
                continue;
            }
            if c as usize >= n || std::mem::replace(&mut seen[c as usize], true) {
                return false;
            }
            count += 1;
        }
        count == n
    }
}

/// A long score table. Results are indexed by item rank, and each item's values are read in
/// observation-rank order (ranks: positions in a canonical order, e.g. sorted labels).
#[derive(Clone, Copy)]
pub struct Table<'a> {
    pub items: Key<'a>,
    pub n_items: usize,
    pub obs: Key<'a>,
    pub n_obs: usize,
    pub values: &'a [f64],
    /// The group of each row (every row of an item must carry the same group) and the number
    /// of groups; `None`: all items form one group.
    pub groups: Option<(Key<'a>, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Fraction of the largest values averaged in step 1, in [0, 1] (0: the maximum).
    pub tail: f64,
    /// Weight of the group-mean floor in step 2 (>= 0; 0 turns the floor off).
    pub prior: f64,
    /// Turn higher-is-better values into per-observation normalised regrets first.
    pub regret: bool,
}

/// Per item (indexed by item rank): the step-1 worst case, the mean, the number of rows, the
/// floor (`prior × group mean of worst`, NaN when `prior == 0`), the defended score and the
/// group. When the data are invalid (`duplicate_count > 0` or `mixed_count > 0`) the per-item
/// vectors are empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defended {
    pub worst: Vec<f64>,
    pub mean: Vec<f64>,
    pub count: Vec<u32>,
    pub floor: Vec<f64>,
    pub score: Vec<f64>,
    pub group_of: Vec<u32>,
    /// Rows repeating an (item, observation) pair seen in an earlier row (first few, ascending).
    pub duplicate_rows: Vec<usize>,
    pub duplicate_count: usize,
    /// Item ranks whose rows carry more than one group (first few, ascending).
    pub mixed_items: Vec<u32>,
    pub mixed_count: usize,
}

impl Defended {
    pub fn is_valid(&self) -> bool {
        self.duplicate_count == 0 && self.mixed_count == 0
    }
}

/// The number of largest values averaged out of `k`: ⌈tail·k⌉ clamped to [1, k], where a
/// product within 1e-9 (relative) of an integer counts as that integer (so 0.3 × 10 is 3).
pub fn tail_count(tail: f64, k: usize) -> usize {
    let x = tail * k as f64;
    let r = x.round();
    let m = if (x - r).abs() <= 1e-9 * x.max(1.0) { r } else { x.ceil() };
    (m as usize).clamp(1, k.max(1))
}

const MAX_BLOCKS: usize = 16;
/// Largest number of observations for which each thread keeps observation-indexed slots.
const SLOT_LIMIT: usize = 1 << 20;
const MIN_BLOCK_ROWS: usize = 1 << 18;

/// Row blocks: by data size (at least 2^18 rows each, at most 16, and no more blocks than
/// rows per entry of a per-block table of `width` entries, so those tables stay small).
fn blocks(m: usize, width: usize) -> Vec<std::ops::Range<usize>> {
    let count = (m / MIN_BLOCK_ROWS).min(m / width.max(1)).clamp(1, MAX_BLOCKS);
    let per = m.div_ceil(count).max(1);
    (0..count).map(|b| (b * per).min(m)..((b + 1) * per).min(m)).collect()
}

/// Neumaier's compensated sum: the error does not grow with the number of terms, so sums of
/// the same values in different orders agree (to the last bit, in all but rare cases).
#[derive(Default, Clone, Copy)]
struct Sum {
    s: f64,
    c: f64,
}

impl Sum {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.s + x;
        self.c += if self.s.abs() >= x.abs() { (self.s - t) + x } else { (x - t) + self.s };
        self.s = t;
    }
    #[inline]
    fn value(self) -> f64 {
        self.s + self.c
    }
    fn of<'a>(xs: impl IntoIterator<Item = &'a f64>) -> f64 {
        let mut acc = Sum::default();
        xs.into_iter().for_each(|&x| acc.add(x));
        acc.value()
    }
}

/// One block of rows grouped by item rank: item `i`'s rows are `start[i]..start[i + 1]` of
/// `obs` (observation ranks) and `val`, in row order. `group[i]`: the group of the item's
/// first row in the block (`u32::MAX`: none), `mixed[i]`: another group seen. `lo`/`hi`: per
/// observation, the smallest / largest value (for regrets).
struct Block {
    start: Vec<u32>,
    obs: Vec<u32>,
    val: Vec<f64>,
    group: Vec<u32>,
    mixed: Vec<bool>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

/// Groups one block by item (a counting sort), checking every key and value on the way.
fn group_block(t: &Table<'_>, rows: std::ops::Range<usize>, regret: bool) -> Result<Block> {
    let (n, n_obs) = (t.n_items, t.n_obs);
    let mut start = vec![0u32; n + 1];
    let (mut lo, mut hi) = if regret { (vec![f64::INFINITY; n_obs], vec![f64::NEG_INFINITY; n_obs]) } else { (Vec::new(), Vec::new()) };
    let mut bad = 0usize;
    for r in rows.clone() {
        let (i, o, v) = (t.items.get(r) as usize, t.obs.get(r) as usize, t.values[r]);
        if i >= n || o >= n_obs || !v.is_finite() || t.groups.is_some_and(|(g, k)| g.get(r) as usize >= k) {
            bad += 1;
            continue;
        }
        start[i + 1] += 1;
        if regret {
            lo[o] = lo[o].min(v);
            hi[o] = hi[o].max(v);
        }
    }
    if bad > 0 {
        return Err(Error::InvalidArgument(format!("defensive: {bad} row(s) with a key out of range or a value that is not finite")));
    }
    // Exclusive prefix sums shifted by one: start[i + 1] is item i's next free slot, and after
    // the scatter it is item i's end, i.e. item i + 1's start.
    let mut acc = 0u32;
    for i in 0..n {
        let c = start[i + 1];
        start[i + 1] = acc;
        acc += c;
    }
    let len = rows.len();
    let (mut obs, mut val) = (crate::memory::try_filled(len, 0u32)?, crate::memory::try_filled(len, 0.0f64)?);
    let (mut group, mut mixed) = if t.groups.is_some() { (vec![u32::MAX; n], vec![false; n]) } else { (Vec::new(), Vec::new()) };
    for r in rows {
        let i = t.items.get(r) as usize;
        let p = start[i + 1] as usize;
        start[i + 1] += 1;
        obs[p] = t.obs.get(r);
        val[p] = t.values[r];
        if let Some((g, _)) = t.groups {
            let g = g.get(r);
            if group[i] == u32::MAX {
                group[i] = g;
            } else {
                mixed[i] |= group[i] != g;
            }
        }
    }
    Ok(Block { start, obs, val, group, mixed, lo, hi })
}

struct ItemStat {
    worst: f64,
    mean: f64,
    count: u32,
    group: u32,
    duplicates: bool,
    mixed: bool,
}

/// Defensive aggregation of a long score table (see the module documentation).
pub fn defensive(t: Table<'_>, opts: &Options) -> Result<Defended> {
    let m = t.items.len();
    let (n, n_obs) = (t.n_items, t.n_obs);
    if t.obs.len() != m || t.values.len() != m || t.groups.is_some_and(|(g, _)| g.len() != m) {
        return Err(Error::InvalidArgument("defensive: items, observations, values and groups differ in length".into()));
    }
    if m >= u32::MAX as usize || n >= u32::MAX as usize || n_obs >= u32::MAX as usize {
        return Err(Error::InvalidArgument("defensive: at most 2^32 − 2 rows, items and observations".into()));
    }
    if !((0.0..=1.0).contains(&opts.tail) && opts.prior >= 0.0 && opts.prior.is_finite()) {
        return Err(Error::InvalidArgument("defensive: tail must be in [0, 1] and prior finite and >= 0".into()));
    }
    if !t.items.ranks_are(n) || !t.obs.ranks_are(n_obs) {
        return Err(Error::InvalidArgument("defensive: item and observation ranks must be 0..n, each once".into()));
    }
    let n_groups = t.groups.map_or(1, |(_, k)| k);
    let grouped: Vec<Block> = blocks(m, n.max(n_obs)).into_par_iter().map(|rows| group_block(&t, rows, opts.regret)).collect::<Result<_>>()?;
    // Per observation (rank): the best value and the range, for regrets.
    let (mut low, mut best) = (vec![f64::INFINITY; if opts.regret { n_obs } else { 0 }], vec![f64::NEG_INFINITY; if opts.regret { n_obs } else { 0 }]);
    for b in &grouped {
        low.iter_mut().zip(&b.lo).for_each(|(a, &x)| *a = a.min(x));
        best.iter_mut().zip(&b.hi).for_each(|(a, &x)| *a = a.max(x));
    }
    let range: Vec<f64> = best.iter().zip(&low).map(|(h, l)| h - l).collect();
    // Per-thread slots indexed by observation (when there are not too many): an item whose
    // rows cover a good part of the observations is put in observation order by placing each
    // value in its slot (O(n_obs)), with no sort; `owner` marks the slots an item filled.
    let use_slots = n_obs <= SLOT_LIMIT;
    let stats: Vec<ItemStat> = (0..n)
        .into_par_iter()
        .with_min_len(64)
        .map_init(
            || {
                let width = if use_slots { n_obs } else { 0 };
                (Vec::<(u32, f64)>::new(), Vec::<f64>::new(), vec![u32::MAX; width], vec![0.0f64; width])
            },
            |(pairs, risks, owner, slot), i| {
                pairs.clear();
                let (mut group, mut mixed) = (u32::MAX, false);
                for b in &grouped {
                    let (s, e) = (b.start[i] as usize, b.start[i + 1] as usize);
                    pairs.extend(b.obs[s..e].iter().copied().zip(b.val[s..e].iter().copied()));
                    if let (Some(&g), Some(&x)) = (b.group.get(i), b.mixed.get(i)) {
                        mixed |= x || (g != u32::MAX && group != u32::MAX && g != group);
                        if group == u32::MAX {
                            group = g;
                        }
                    }
                }
                let k = pairs.len();
                let group = if group == u32::MAX { 0 } else { group };
                if k == 0 {
                    return ItemStat { worst: f64::NAN, mean: f64::NAN, count: 0, group, duplicates: false, mixed };
                }
                let mut duplicates = false;
                if pairs.windows(2).all(|w| w[0].0 < w[1].0) {
                    // already in observation order, no repeats
                } else if use_slots && 4 * k >= n_obs {
                    for &(o, v) in pairs.iter() {
                        duplicates |= owner[o as usize] == i as u32;
                        owner[o as usize] = i as u32;
                        slot[o as usize] = v;
                    }
                    if !duplicates {
                        pairs.clear();
                        pairs.extend((0..n_obs).filter(|&o| owner[o] == i as u32).map(|o| (o as u32, slot[o])));
                    }
                } else {
                    pairs.sort_unstable_by_key(|p| p.0);
                    duplicates = pairs.windows(2).any(|w| w[0].0 == w[1].0);
                }
                risks.clear();
                let (mut sum, mut max) = (Sum::default(), f64::NEG_INFINITY);
                for &(o, v) in pairs.iter() {
                    let r = if !opts.regret {
                        v
                    } else if range[o as usize] > 0.0 {
                        (best[o as usize] - v) / range[o as usize]
                    } else {
                        0.0
                    };
                    risks.push(r);
                    sum.add(r);
                    max = max.max(r);
                }
                let mean = sum.value() / k as f64;
                let top = tail_count(opts.tail, k);
                let worst = if top == k {
                    mean
                } else if top == 1 {
                    max
                } else {
                    risks.select_nth_unstable_by(k - top, |a, b| a.total_cmp(b));
                    Sum::of(&risks[k - top..]) / top as f64
                };
                ItemStat { worst, mean, count: k as u32, group, duplicates, mixed }
            },
        )
        .collect();
    drop(grouped);
    let any_duplicates = stats.iter().any(|s| s.duplicates);
    let mixed_count = stats.iter().filter(|s| s.mixed).count();
    if any_duplicates || mixed_count > 0 {
        let mut out = Defended { mixed_count, ..Default::default() };
        out.mixed_items = (0..n as u32).filter(|&i| stats[i as usize].mixed).take(MAX_REPORTED).collect();
        if any_duplicates {
            // The error path: sort the rows by (item, observation, row) to name the repeats.
            let mut keys: Vec<(u32, u32, u32)> = (0..m).map(|r| (t.items.get(r), t.obs.get(r), r as u32)).collect();
            keys.par_sort_unstable();
            let mut rows: Vec<usize> = keys.windows(2).filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)).map(|w| w[1].2 as usize).collect();
            out.duplicate_count = rows.len();
            rows.sort_unstable();
            rows.truncate(MAX_REPORTED);
            out.duplicate_rows = rows;
        }
        return Ok(out);
    }
    let (mut gsum, mut gcount) = (vec![Sum::default(); n_groups], vec![0usize; n_groups]);
    for s in &stats {
        gsum[s.group as usize].add(s.worst);
        gcount[s.group as usize] += 1;
    }
    let mut out = Defended::default();
    for s in &stats {
        let g = s.group as usize;
        let floor = if opts.prior > 0.0 { opts.prior * (gsum[g].value() / gcount[g] as f64) } else { f64::NAN };
        out.worst.push(s.worst);
        out.mean.push(s.mean);
        out.count.push(s.count);
        out.floor.push(floor);
        out.score.push(if opts.prior > 0.0 { s.worst.max(floor) } else { s.worst });
        out.group_of.push(s.group);
    }
    Ok(out)
}

/// The rank map of integers of a small range, for [`Key::Dense`]: `(lo, rank, labels)` with
/// `rank[v − lo]` the rank of `v` among the distinct values (`u32::MAX` where absent) and the
/// distinct values sorted. `None` when `x` is empty or its range is too wide for a table
/// ([`crate::factorize::small_range`]: hash-factorize then). Linear time, parallel; no per-row
/// array is allocated.
pub fn dense_int_map(x: &[i64]) -> Result<Option<(i64, Vec<u32>, Vec<i64>)>> {
    let Some((lo, width)) = crate::factorize::small_range(&[x]) else {
        return Ok(None);
    };
    let parts: Vec<Vec<bool>> = blocks(x.len(), width)
        .into_par_iter()
        .map(|rows| {
            let mut seen = crate::memory::try_filled(width, false)?;
            x[rows].iter().for_each(|&v| seen[(v - lo) as usize] = true);
            Ok(seen)
        })
        .collect::<Result<_>>()?;
    let mut rank = crate::memory::try_filled(width, u32::MAX)?;
    let mut labels = Vec::new();
    for (k, c) in rank.iter_mut().enumerate() {
        if parts.iter().any(|p| p[k]) {
            *c = labels.len() as u32;
            labels.push(lo + k as i64);
        }
    }
    Ok(Some((lo, rank, labels)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marsaglia's xorshift64 stream from `state` (≠ 0): the tests' random numbers.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn identity(n: usize) -> Vec<u32> {
        (0..n as u32).collect()
    }

    /// A table of codes: items and observations with their rank permutations, groups with
    /// the identity rank of `grank.len()` groups.
    fn coded<'a>(
        items: &'a [u32],
        item_rank: &'a [u32],
        obs: &'a [u32],
        obs_rank: &'a [u32],
        values: &'a [f64],
        groups: Option<(&'a [u32], &'a [u32])>,
    ) -> Table<'a> {
        Table {
            items: Key::Coded { codes: items, rank: item_rank },
            n_items: item_rank.len(),
            obs: Key::Coded { codes: obs, rank: obs_rank },
            n_obs: obs_rank.len(),
            values,
            groups: groups.map(|(g, r)| (Key::Coded { codes: g, rank: r }, r.len())),
        }
    }

    /// The definition, one item at a time with a full sort.
    fn brute(items: &[u32], obs: &[u32], values: &[f64], groups: &[u32], n: usize, opts: &Options) -> Vec<(f64, f64, f64)> {
        let n_obs = obs.iter().map(|&o| o as usize + 1).max().unwrap_or(0);
        let mut best = vec![f64::NEG_INFINITY; n_obs];
        let mut low = vec![f64::INFINITY; n_obs];
        for (r, &o) in obs.iter().enumerate() {
            best[o as usize] = best[o as usize].max(values[r]);
            low[o as usize] = low[o as usize].min(values[r]);
        }
        let risk = |r: usize| {
            let o = obs[r] as usize;
            if !opts.regret {
                values[r]
            } else if best[o] > low[o] {
                (best[o] - values[r]) / (best[o] - low[o])
            } else {
                0.0
            }
        };
        let mut worst = vec![0.0; n];
        let mut mean = vec![0.0; n];
        for i in 0..n {
            let mut v: Vec<f64> = (0..items.len()).filter(|&r| items[r] as usize == i).map(risk).collect();
            v.sort_by(|a, b| b.total_cmp(a));
            let k = v.len();
            let top = tail_count(opts.tail, k);
            worst[i] = v[..top].iter().sum::<f64>() / top as f64;
            mean[i] = v.iter().sum::<f64>() / k as f64;
        }
        (0..n)
            .map(|i| {
                let peers: Vec<f64> = (0..n).filter(|&j| groups[j] == groups[i]).map(|j| worst[j]).collect();
                let floor = opts.prior * peers.iter().sum::<f64>() / peers.len() as f64;
                (worst[i], mean[i], if opts.prior > 0.0 { worst[i].max(floor) } else { worst[i] })
            })
            .collect()
    }

    #[test]
    fn tail_counts() {
        assert_eq!(tail_count(0.0, 10), 1);
        assert_eq!(tail_count(0.3, 10), 3); // 0.3 * 10 = 3.0000000000000004
        assert_eq!(tail_count(0.31, 10), 4);
        assert_eq!(tail_count(1.0, 7), 7);
        assert_eq!(tail_count(0.5, 1), 1);
    }

    #[test]
    fn worked_example() {
        // items 0, 1 in group 0; item 2 alone in group 1. Values per (item, observation).
        let items = [0, 0, 0, 1, 1, 1, 2, 2];
        let obs = [0, 1, 2, 0, 1, 2, 0, 1];
        let values = [0.1, 0.9, 0.2, 0.3, 0.3, 0.3, 0.5, 0.7];
        let groups = [0, 0, 0, 0, 0, 0, 1, 1];
        let (id3, id2) = (identity(3), identity(2));
        let t = coded(&items, &id3, &obs, &id3, &values, Some((&groups, &id2)));
        let d = defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }).unwrap();
        assert_eq!(d.worst, vec![0.9, 0.3, 0.7]);
        assert_eq!(d.floor, vec![0.6, 0.6, 0.7]);
        assert_eq!(d.score, vec![0.9, 0.6, 0.7]);
        assert_eq!(d.count, vec![3, 3, 2]);
        assert!((d.mean[0] - 0.4).abs() < 1e-15);
        let mean = defensive(t, &Options { tail: 1.0, prior: 0.0, regret: false }).unwrap();
        assert_eq!(mean.score, mean.mean);
        assert!(mean.floor.iter().all(|f| f.is_nan()));
    }

    #[test]
    fn matches_brute_force_and_is_permutation_invariant() {
        let mut next = xorshift(12345u64);
        for case in 0..40 {
            let n = 1 + (next() % 12) as usize;
            let n_obs = 1 + (next() % 9) as usize;
            let n_groups = 1 + (next() % 3) as usize;
            let group_of: Vec<u32> = (0..n).map(|_| (next() % n_groups as u64) as u32).collect();
            let (mut items, mut obs, mut values) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..n {
                for o in 0..n_obs {
                    if o == 0 || next() % 3 != 0 {
                        items.push(i as u32);
                        obs.push(o as u32);
                        values.push((next() % 1000) as f64 / 100.0 - 2.0);
                    }
                }
            }
            let groups: Vec<u32> = items.iter().map(|&i| group_of[i as usize]).collect();
            let opts = Options { tail: (next() % 11) as f64 / 10.0, prior: (next() % 4) as f64 / 2.0, regret: case % 2 == 1 };
            let want = brute(&items, &obs, &values, &group_of, n, &opts);
            let (idn, ido, idg) = (identity(n), identity(n_obs), identity(n_groups));
            let t = coded(&items, &idn, &obs, &ido, &values, Some((&groups, &idg)));
            let got = defensive(t, &opts).unwrap();
            for (i, w) in want.iter().enumerate() {
                assert!((got.worst[i] - w.0).abs() < 1e-12, "case {case} item {i}");
                assert!((got.mean[i] - w.1).abs() < 1e-12);
                assert!((got.score[i] - w.2).abs() < 1e-12);
            }
            // Reversed rows: bit-identical.
            let rev = |v: &[u32]| v.iter().rev().copied().collect::<Vec<u32>>();
            let (ri, ro, rg) = (rev(&items), rev(&obs), rev(&groups));
            let rv: Vec<f64> = values.iter().rev().copied().collect();
            let t2 = coded(&ri, &idn, &ro, &ido, &rv, Some((&rg, &idg)));
            let again = defensive(t2, &opts).unwrap();
            let bits = |d: &Defended| -> Vec<u64> { [&d.worst, &d.mean, &d.floor, &d.score].iter().flat_map(|v| v.iter().map(|x| x.to_bits())).collect() };
            assert_eq!(bits(&again), bits(&got));
            assert_eq!((&again.count, &again.group_of), (&got.count, &got.group_of));
        }
    }

    #[test]
    fn reports_duplicates_and_mixed_groups() {
        let items = [0, 0, 1, 1, 0];
        let obs = [0, 1, 0, 1, 1];
        let values = [1.0; 5];
        let groups = [0, 0, 0, 1, 0];
        let id2 = identity(2);
        let t = coded(&items, &id2, &obs, &id2, &values, Some((&groups, &id2)));
        let d = defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }).unwrap();
        assert!(!d.is_valid());
        assert_eq!((d.duplicate_rows.clone(), d.duplicate_count), (vec![4], 1));
        assert_eq!((d.mixed_items.clone(), d.mixed_count), (vec![1], 1));
        assert!(d.score.is_empty());
        // Few rows among many observations (the sorting path): rows 2 and 3 repeat rows 0, 1.
        let id20 = identity(20);
        let t = coded(&[0, 0, 0, 0, 1], &id2, &[5, 3, 5, 3, 5], &id20, &[1.0; 5], None);
        let d = defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }).unwrap();
        assert_eq!((d.duplicate_rows.clone(), d.duplicate_count, d.mixed_count), (vec![2, 3], 2, 0));
        // In observation order already: a repeat is caught too.
        let t = coded(&[0, 0, 1], &id2, &[3, 3, 5], &id20, &[1.0; 3], None);
        assert_eq!(defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }).unwrap().duplicate_rows, vec![1]);
    }

    #[test]
    fn rejects_bad_arguments() {
        let id = identity(1);
        let t = coded(&[0], &id, &[0], &id, &[f64::NAN], None);
        assert!(matches!(defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }), Err(Error::InvalidArgument(_))));
        let t = coded(&[0], &id, &[0], &id, &[1.0], None);
        assert!(defensive(t, &Options { tail: 0.0, prior: 1.0, regret: false }).is_ok());
        assert!(defensive(t, &Options { tail: 1.5, prior: 1.0, regret: false }).is_err());
        assert!(defensive(t, &Options { tail: 0.5, prior: -1.0, regret: false }).is_err());
        let t = coded(&[3], &id, &[0], &id, &[1.0], None);
        assert!(defensive(t, &Options { tail: 0.5, prior: 1.0, regret: false }).is_err());
        let t = coded(&[0], &[1], &[0], &id, &[1.0], None); // not a permutation
        assert!(defensive(t, &Options { tail: 0.5, prior: 1.0, regret: false }).is_err());
        let t = coded(&[0], &id, &[0], &id, &[1.0], Some((&[2], &[0, 1])));
        assert!(defensive(t, &Options { tail: 0.5, prior: 1.0, regret: false }).is_err());
    }

    #[test]
    fn many_blocks_agree_with_the_definition() {
        // 700k rows: several blocks; rows in a scrambled order, observations as labels 0..600.
        let (n, n_obs) = (1200usize, 600usize);
        let mut next = xorshift(99u64);
        let mut rows: Vec<(u32, u32)> = (0..n as u32).flat_map(|i| (0..n_obs as u32).map(move |o| (i, o))).collect();
        for r in (1..rows.len()).rev() {
            rows.swap(r, (next() % (r as u64 + 1)) as usize);
        }
        rows.truncate(700_000);
        let items: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let obs: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let values: Vec<f64> = (0..rows.len()).map(|_| (next() % 1_000_000) as f64 / 1e3).collect();
        let groups: Vec<u32> = items.iter().map(|&i| i / 64).collect();
        let n_groups = (n / 64) + 1;
        assert!(blocks(items.len(), n).len() > 1);
        for opts in [Options { tail: 0.0, prior: 1.0, regret: false }, Options { tail: 0.25, prior: 0.5, regret: true }] {
            let (idn, ido, idg) = (identity(n), identity(n_obs), identity(n_groups));
            let t = coded(&items, &idn, &obs, &ido, &values, Some((&groups, &idg)));
            let got = defensive(t, &opts).unwrap();
            // The definition, item by item (values in observation order).
            let mut per_item: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n];
            for (r, (&i, &o)) in items.iter().zip(&obs).enumerate() {
                per_item[i as usize].push((o, r));
            }
            let mut best = vec![f64::NEG_INFINITY; n_obs];
            let mut low = vec![f64::INFINITY; n_obs];
            for (r, &o) in obs.iter().enumerate() {
                best[o as usize] = best[o as usize].max(values[r]);
                low[o as usize] = low[o as usize].min(values[r]);
            }
            for (i, rs) in per_item.iter_mut().enumerate() {
                rs.sort_unstable();
                let mut v: Vec<f64> = rs
                    .iter()
                    .map(|&(o, r)| if opts.regret { (best[o as usize] - values[r]) / (best[o as usize] - low[o as usize]) } else { values[r] })
                    .collect();
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                v.sort_by(|a, b| b.total_cmp(a));
                let top = tail_count(opts.tail, v.len());
                let worst = v[..top].iter().sum::<f64>() / top as f64;
                assert_eq!(got.count[i] as usize, v.len());
                assert!((got.mean[i] - mean).abs() < 1e-9, "{i}");
                assert!((got.worst[i] - worst).abs() < 1e-9, "{i}");
            }
            // Another row order: bit-identical.
            let perm: Vec<usize> = (0..items.len()).rev().collect();
            let (pi, po, pv, pg): (Vec<u32>, Vec<u32>, Vec<f64>, Vec<u32>) = (
                perm.iter().map(|&r| items[r]).collect(),
                perm.iter().map(|&r| obs[r]).collect(),
                perm.iter().map(|&r| values[r]).collect(),
                perm.iter().map(|&r| groups[r]).collect(),
            );
            let t2 = coded(&pi, &idn, &po, &ido, &pv, Some((&pg, &idg)));
            let again = defensive(t2, &opts).unwrap();
            assert_eq!(again.score.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), got.score.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            assert_eq!(again.mean.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), got.mean.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn dense_keys_match_coded_keys() {
        let x = [7i64, -2, 7, 3, -2, 100];
        let (lo, rank, labels) = dense_int_map(&x).unwrap().unwrap();
        assert_eq!((lo, labels), (-2, vec![-2, 3, 7, 100]));
        let key = Key::Dense { values: &x, lo, rank: &rank };
        assert_eq!((0..6).map(|r| key.get(r)).collect::<Vec<_>>(), vec![2, 0, 2, 1, 0, 3]);
        assert!(key.ranks_are(4) && !key.ranks_are(5));
        assert_eq!(Key::Dense { values: &[-3, 99, i64::MAX], lo, rank: &rank }.get(0), u32::MAX);
        // A range below the factorizer's limit for the rows gets a table, one at it does not.
        let limit = crate::factorize::dense_range_limit(2) as i64;
        assert!(dense_int_map(&[0, limit - 1]).unwrap().is_some());
        assert!(dense_int_map(&[0, limit]).unwrap().is_none());
        assert!(dense_int_map(&[]).unwrap().is_none());
        assert!(dense_int_map(&[i64::MIN, i64::MAX]).unwrap().is_none());
        // The same table through dense keys and through codes.
        let items = [10i64, 10, 12, 12, 11];
        let obs = [5i64, 6, 5, 6, 6];
        let values = [0.5, 0.25, 1.0, 0.0, 0.75];
        let (ilo, irank, _) = dense_int_map(&items).unwrap().unwrap();
        let (olo, orank, _) = dense_int_map(&obs).unwrap().unwrap();
        let dense = Table {
            items: Key::Dense { values: &items, lo: ilo, rank: &irank },
            n_items: 3,
            obs: Key::Dense { values: &obs, lo: olo, rank: &orank },
            n_obs: 2,
            values: &values,
            groups: None,
        };
        let (id3, id2) = (identity(3), identity(2));
        let codes = coded(&[0, 0, 2, 2, 1], &id3, &[0, 1, 0, 1, 1], &id2, &values, None);
        let opts = Options { tail: 0.5, prior: 1.0, regret: true };
        assert_eq!(defensive(dense, &opts).unwrap(), defensive(codes, &opts).unwrap());
        // A value absent from the map is an error, not a panic.
        let bad = Table { items: Key::Dense { values: &[10, 10, 12, 12, 13], lo: ilo, rank: &irank }, ..dense };
        assert!(defensive(bad, &opts).is_err());
    }

    #[test]
    fn regret_of_constant_observation_is_zero() {
        let items = [0, 1, 0, 1];
        let obs = [0, 0, 1, 1];
        let values = [5.0, 5.0, 1.0, 3.0];
        let id = identity(2);
        let t = coded(&items, &id, &obs, &id, &values, None);
        let d = defensive(t, &Options { tail: 0.0, prior: 0.0, regret: true }).unwrap();
        assert_eq!(d.worst, vec![1.0, 0.0]);
        assert_eq!(d.mean, vec![0.5, 0.0]);
    }
}
