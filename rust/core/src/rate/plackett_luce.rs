//! Plackett–Luce maximum likelihood on rankings.
//!
//! Model: a ranking `[a, b, c]` of three items (best first) is a sequence of choices — `a` is
//! chosen from `{a, b, c}` with probability π_a / (π_a + π_b + π_c), then `b` from `{b, c}`;
//! the last item is no choice. θ = ln π. Two items ranked in either order are one
//! Bradley–Terry comparison, so rankings of length 2 compared on their own
//! ([`Unranked::Ignore`]) give exactly the Bradley–Terry fit ([`super::bradley_terry`]).
//!
//! **Items a ranking does not list** ([`Unranked`]). With [`Unranked::Below`] (the default) a
//! ranking is a top-k list: the listed items, in order, were chosen before all the others. A
//! ranking listing m of the n items is m' = min(m, n − 1) choices: at stage k < m' the listed
//! item k is chosen from {listed items k..m} ∪ U, U the items it does not list (so `[a]` says "a
//! first", and `[a, b]` says "a, then b, before every other item"). With [`Unranked::Ignore`]
//! a ranking only compares the items it lists (rankings of different subsets, e.g. races that
//! not every driver started): unlisted items are in none of its choice sets, and `[a, b]` says
//! nothing about an unlisted `c`; rankings of length < 2 are then uninformative. Complete
//! rankings are the same data under both. Rankings of weight 0, and rankings with no choice,
//! are skipped.
//!
//! Under `Below` a pass stays linear in the listed positions, not in rankings × items: the
//! worth of U is Σ_all π − Σ_listed π (Σ_all once per pass, clamped at 0 against rounding;
//! when U's worth is below the rounding of Σ_all, about 1e-16 of it, it reads as 0), and an
//! unlisted item's share of a ranking's sets, T_q = Σ_k w / set_k, is added to every item once
//! per block and subtracted from the items the ranking lists.
//!
//! Solvers, both stopped on the same optimality test: for every item,
//! |observed − expected number of first choices| / (weighted number of choice sets it is in)
//! ≤ `tol` (the gradient of the log-likelihood, scaled as in [`super::bradley_terry`]).
//!
//! - [`Solver::MM`]: Hunter's (2004, Ann. Statist. 32:384) MM iteration
//!   π_i ← W_i / Σ_{sets S ∋ i} 1 / Σ_{j ∈ S} π_j, the textbook reference (monotone, slow when
//!   the worths are spread out).
//! - [`Solver::Fast`]: Newman's (2023, JMLR; arXiv:2207.00076) fixed point generalised to
//!   choice sets,
//!   π_i ← Σ_{S won by i} (Σ_{S∖i} π) / Σ_S π  ÷  Σ_{S ∋ i, not won by i} 1 / Σ_S π
//!   (for pairs it is Newman's update; it is also one Jacobi sweep of the balance equations of
//!   the Markov chain of Maystre & Grossglauser's 2015 I-LSR). All items are updated at once, so
//!   a pass is one parallel sweep over the rankings. The simultaneous update's Jacobian has
//!   eigenvalues down to −1 (bipartite pairwise data: it oscillates forever) and, on well
//!   separated data, to about −2, so the step is damped in log space,
//!   θ ← θ + (θ_Newman − θ)/3, which maps [−2, 1) into [0, 1). The damped map is accelerated
//!   with SQUAREM (Varadhan & Roland 2008, Scand. J. Statist. 35:335; step length
//!   α = min(−‖r‖/‖v‖, −1)); an extrapolated point is kept only if it raises the (penalised)
//!   log-likelihood over the plain step, up to rounding.
//!
//! `Fit::iterations` counts passes over the data (one per point evaluated after the start) for
//! both solvers.
//!
//! Regularization `r > 0` adds, for every item, `r` virtual wins and `r` virtual losses against
//! a virtual item of fixed worth π = 1 (pairwise "rankings" `[i, virtual]` and `[virtual, i]`),
//! as in [`super::bradley_terry`]: every estimate is finite, whatever the data. The
//! log-likelihood is then unchanged by a common shift of all θ except through the virtual
//! comparisons, so after every step the shift is set to its exact optimum
//! (Σ_i σ(θ_i) = n/2, a one-dimensional concave problem); without it the overall level is a
//! mode that every fixed-point iteration resolves very slowly.
//!
//! Without regularization a finite maximum exists iff the directed graph with an edge i → j
//! whenever i is chosen from a set containing j is strongly connected (Hunter 2004); otherwise
//! [`Error::NotIdentifiable`] names the items. Consecutive items of a ranking suffice as edges
//! (the other edges follow by transitivity), and under `Below` the last listed item's edges to
//! every unlisted one: the check computes the strongly connected components by Kosaraju's two
//! searches, each enumerating only the not yet visited items of a ranking's complement (a
//! "next unvisited" pointer array) or the not yet used rankings an item is absent from, so it
//! is linear in the listed positions plus items plus rankings, never rankings × items.
//!
//! Determinism: the rankings are cut into blocks by data size (never by thread count), each
//! block accumulates its sums in ranking order and the block sums are added in block order, so
//! the fit is bit-identical for any number of threads.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::{Error, Result, RowReport};
use crate::graph::Digraph;
use crate::rate::sigmoid;

/// Rankings in CSR form: ranking `r` lists items best first in
/// `items[offsets[r]..offsets[r + 1]]`; `offsets` starts at 0 and ends at `items.len()`.
/// `weights` (optional) has one entry per ranking.
#[derive(Debug, Clone, Copy)]
pub struct RankingsRef<'a> {
    pub n: usize,
    pub offsets: &'a [usize],
    pub items: &'a [u32],
    pub weights: Option<&'a [f64]>,
}

impl RankingsRef<'_> {
    /// Number of rankings.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// Hunter's (2004) MM iteration.
    MM,
    /// Newman's (2023) fixed point on choice sets, damped and SQUAREM-accelerated.
    Fast,
}

impl std::str::FromStr for Solver {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_choice("solver", s, &[("fast", Solver::Fast), ("mm", Solver::MM)])
    }
}

/// What a ranking says about the items it does not list (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unranked {
    /// Top-k lists: the listed items were chosen, in order, before every unlisted item.
    #[default]
    Below,
    /// Subset rankings: unlisted items are in none of the ranking's choice sets.
    Ignore,
}

impl std::str::FromStr for Unranked {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_choice("unranked", s, &[("below", Unranked::Below), ("ignore", Unranked::Ignore)])
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub solver: Solver,
    pub regularization: f64,
    pub tol: f64,
    pub max_iter: usize,
    pub unranked: Unranked,
}

impl Default for Options {
    fn default() -> Self {
        Options { solver: Solver::Fast, regularization: 0.0, tol: 1e-9, max_iter: 10_000, unranked: Unranked::Below }
    }
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// Natural-log worths, centred to mean 0.
    pub theta: Vec<f64>,
    /// Passes over the data after the one at the starting point.
    pub iterations: usize,
    pub converged: bool,
    /// Log-likelihood of the data (virtual regularization comparisons excluded).
    pub log_likelihood: f64,
    /// The largest relative gradient at the returned point (the quantity compared to `tol`).
    pub max_relative_gradient: f64,
}

/// Damping of the Newman step in log space (see the module documentation).
const DAMPING: f64 = 1.0 / 3.0;
/// Relative rounding slack when comparing objectives (SQUAREM's acceptance test).
const OBJECTIVE_SLACK: f64 = 1e-13;
/// Positions (ranked items) per block of rankings.
const BLOCK_POSITIONS: usize = 1 << 16;
/// Upper bound on the memory of the per-block accumulators (3 sums per item per block, 4 under
/// [`Unranked::Below`]).
const ACCUMULATOR_BYTES: usize = 64 << 20;

/// The informative rankings (at least one choice, weight > 0), compacted, with per-item
/// statistics.
struct Data {
    n: usize,
    /// [`Unranked::Below`]: unlisted items are in every choice set of a ranking.
    below: bool,
    offsets: Vec<usize>,
    items: Vec<u32>,
    weights: Vec<f64>,
    /// Ranking ranges processed as one unit (fixed by the data size only).
    blocks: Vec<Range<usize>>,
    max_len: usize,
    /// Weighted first choices of each item (virtual wins included).
    wins: Vec<f64>,
    /// Weighted number of choice sets each item is in (virtual sets included).
    sets: Vec<f64>,
    /// Regularization (0 = none).
    reg: f64,
}

impl Data {
    fn n_rankings(&self) -> usize {
        self.weights.len()
    }

    fn ranking(&self, q: usize) -> &[u32] {
        &self.items[self.offsets[q]..self.offsets[q + 1]]
    }

    /// Whether a ranking of `m` listed items has unlisted items in its choice sets.
    fn has_unlisted(&self, m: usize) -> bool {
        self.below && m < self.n
    }
}

/// Number of choices in a ranking listing `m` of `n` items: m − 1 of its own items, or under
/// [`Unranked::Below`] min(m, n − 1) (the last listed item is chosen over the unlisted ones).
fn choices(n: usize, m: usize, below: bool) -> usize {
    if below {
        m.min(n - 1)
    } else {
        m.saturating_sub(1)
    }
}

/// Validates the input and keeps the informative rankings.
fn prepare(r: RankingsRef<'_>, reg: f64, unranked: Unranked) -> Result<Data> {
    let n = r.n;
    if n == 0 {
        return Err(Error::InvalidArgument("no items".into()));
    }
    if n > u32::MAX as usize {
        return Err(Error::InvalidArgument("more than 2^32 - 1 items".into()));
    }
    let offsets = r.offsets;
    if offsets.is_empty() || offsets[0] != 0 || offsets[offsets.len() - 1] != r.items.len() {
        return Err(Error::InvalidArgument("rankings: offsets must start at 0 and end at the number of ranked items".into()));
    }
    if let Some(q) = offsets.windows(2).position(|w| w[0] > w[1]) {
        return Err(Error::InvalidArgument(format!("rankings: offsets decrease at ranking {q}")));
    }
    let n_rankings = r.len();
    if let Some(w) = r.weights {
        if w.len() != n_rankings {
            return Err(Error::InvalidArgument(format!("rankings: {} weights for {n_rankings} rankings", w.len())));
        }
        let mut bad = RowReport::default();
        for (q, &x) in w.iter().enumerate() {
            if !(x.is_finite() && x >= 0.0) {
                bad.push(q);
            }
        }
        if bad.count > 0 {
            return Err(Error::InvalidWeight { rows: bad.rows, count: bad.count });
        }
    }
    // Codes in range and no item twice in a ranking: `last[i]` is the last ranking listing i.
    let mut last = vec![usize::MAX; n];
    for q in 0..n_rankings {
        for &i in &r.items[offsets[q]..offsets[q + 1]] {
            let i = i as usize;
            if i >= n {
                return Err(Error::InvalidArgument(format!("ranking {q}: item code {i} is not below n = {n}")));
            }
            if last[i] == q {
                return Err(Error::InvalidArgument(format!("ranking {q}: item {i} is ranked twice")));
            }
            last[i] = q;
        }
    }
    drop(last);

    let below = unranked == Unranked::Below;
    let mut d = Data {
        n,
        below,
        offsets: vec![0],
        items: Vec::new(),
        weights: Vec::new(),
        blocks: Vec::new(),
        max_len: 0,
        wins: vec![reg; n],
        sets: vec![2.0 * reg; n],
        reg,
    };
    // Under Below: Σ_q w·c_q over the rankings with unlisted items, and per item the part of
    // it from the rankings that list it (the rest counts sets in which the item is unlisted).
    let mut unlisted_sets = 0.0;
    let mut listed_sets = vec![0.0; if below { n } else { 0 }];
    for q in 0..n_rankings {
        let ranking = &r.items[offsets[q]..offsets[q + 1]];
        let w = r.weights.map_or(1.0, |w| w[q]);
        let m = ranking.len();
        let c = choices(n, m, below);
        if c == 0 || w == 0.0 {
            continue;
        }
        for (k, &i) in ranking.iter().enumerate() {
            // Item at position k is in the choice sets 0..=min(k, c − 1).
            d.sets[i as usize] += w * (k.min(c - 1) + 1) as f64;
            if k < c {
                d.wins[i as usize] += w;
            }
        }
        if d.has_unlisted(m) {
            let ws = w * c as f64;
            unlisted_sets += ws;
            for &i in ranking {
                listed_sets[i as usize] += ws;
            }
        }
        d.items.extend_from_slice(ranking);
        d.offsets.push(d.items.len());
        d.weights.push(w);
        d.max_len = d.max_len.max(m);
    }
    for (s, l) in d.sets.iter_mut().zip(&listed_sets) {
        *s += (unlisted_sets - l).max(0.0);
    }
    // Blocks of about BLOCK_POSITIONS positions, but never so many that the per-block
    // accumulators exceed ACCUMULATOR_BYTES.
    let max_blocks = (ACCUMULATOR_BYTES / (if below { 32 } else { 24 } * n)).max(1);
    let target = BLOCK_POSITIONS.max(d.items.len().div_ceil(max_blocks));
    let mut start = 0;
    for q in 0..d.n_rankings() {
        if d.offsets[q + 1] - d.offsets[start] >= target {
            d.blocks.push(start..q + 1);
            start = q + 1;
        }
    }
    if start < d.n_rankings() {
        d.blocks.push(start..d.n_rankings());
    }
    Ok(d)
}

/// Fails with [`Error::NotIdentifiable`] when the data admit no finite MLE: the "chosen over"
/// graph is not strongly connected (Hunter 2004).
fn check_identifiable(d: &Data) -> Result<()> {
    let (components, component_of) = if d.below {
        if connected_by_sweeps(d, 8) {
            return Ok(());
        }
        components_below(d)?
    } else {
        let edges = (0..d.n_rankings()).flat_map(|q| d.ranking(q).windows(2).map(|w| (w[0], w[1])));
        Digraph::from_edges(d.n, edges)?.strongly_connected_components()
    };
    if components <= 1 {
        return Ok(());
    }
    // An item loses when it is in a set another item is chosen from: listed after the first
    // place, or (Below) left out of a ranking with unlisted items.
    let mut lost = vec![false; d.n];
    let mut listed_in = vec![0usize; if d.below { d.n } else { 0 }];
    let mut with_unlisted = 0;
    for q in 0..d.n_rankings() {
        let ranking = d.ranking(q);
        for &i in &ranking[1..] {
            lost[i as usize] = true;
        }
        if d.has_unlisted(ranking.len()) {
            with_unlisted += 1;
            for &i in ranking {
                listed_in[i as usize] += 1;
            }
        }
    }
    for (l, &listed) in lost.iter_mut().zip(&listed_in) {
        *l |= listed < with_unlisted;
    }
    Err(Error::NotIdentifiable {
        // Without regularization `wins` holds the real first choices only.
        never_win: (0..d.n as u32).filter(|&i| d.wins[i as usize] == 0.0).collect(),
        never_lose: (0..d.n as u32).filter(|&i| !lost[i as usize]).collect(),
        components,
        component_of,
    })
}

/// Under [`Unranked::Below`], a fast path for the usual, identifiable, data: whether item 0
/// reaches every item and every item reaches item 0 in the "chosen over" graph, by at most
/// `sweeps` passes in ranking order per direction (sequential reads, no index by item). `true`
/// means strongly connected; `false` means not known (the exact search then decides).
fn connected_by_sweeps(d: &Data, sweeps: usize) -> bool {
    let n = d.n;
    if n <= 1 {
        return true;
    }
    let budget = 4 * (d.items.len() + n); // work bound of the set intersections below
                                          // Forward: reached = `fwd[i]`, or (once some reached last item has unlisted items) every
                                          // item outside the intersection `outside` of such rankings' listed items.
    let mut fwd = vec![false; n];
    fwd[0] = true;
    let mut in_s = vec![false; n];
    let mut outside: Option<Vec<u32>> = None;
    let mut work = 0;
    let mut done = false;
    for _ in 0..sweeps {
        let mut changed = false;
        for q in 0..d.n_rankings() {
            let r = d.ranking(q);
            let reached = |i: u32| fwd[i as usize] || (outside.is_some() && !in_s[i as usize]);
            let Some(k0) = r.iter().position(|&i| reached(i)) else { continue };
            for &i in &r[k0..] {
                if !fwd[i as usize] {
                    fwd[i as usize] = true;
                    changed = true;
                }
            }
            if !d.has_unlisted(r.len()) {
                continue;
            }
            match &mut outside {
                None => {
                    for &i in r {
                        in_s[i as usize] = true;
                    }
                    outside = Some(r.to_vec());
                    changed = true;
                }
                Some(set) => {
                    let shared = r.iter().filter(|&&i| in_s[i as usize]).count();
                    if shared < set.len() {
                        // Intersect: marks on r's items, then the set filtered.
                        for &i in r {
                            if in_s[i as usize] {
                                in_s[i as usize] = false; // temporarily: "in both"
                            }
                        }
                        set.retain(|&i| {
                            let both = !in_s[i as usize];
                            in_s[i as usize] = both;
                            both
                        });
                        work += set.len() + r.len();
                        changed = true;
                    }
                }
            }
        }
        if (0..n).all(|i| fwd[i] || (outside.is_some() && !in_s[i])) {
            done = true;
            break;
        }
        if !changed || work > budget {
            return false;
        }
    }
    if !done {
        return false;
    }
    // Backward: `bwd[i]` = i reaches item 0. A ranking's last item reaches any reached item it
    // does not list, so it is reached once more items are reached than the ranking lists.
    let mut bwd = vec![false; n];
    bwd[0] = true;
    let mut count = 1;
    for _ in 0..sweeps {
        let mut changed = false;
        for q in 0..d.n_rankings() {
            let r = d.ranking(q);
            let mut upto = r.iter().rposition(|&i| bwd[i as usize]);
            if upto != Some(r.len() - 1) && d.has_unlisted(r.len()) && count > r.iter().filter(|&&i| bwd[i as usize]).count() {
                upto = Some(r.len() - 1);
            }
            let Some(k1) = upto else { continue };
            for &i in &r[..=k1] {
                if !bwd[i as usize] {
                    bwd[i as usize] = true;
                    count += 1;
                    changed = true;
                }
            }
        }
        if count == n {
            return true;
        }
        if !changed {
            return false;
        }
    }
    false
}

/// The indices of `0..len` not yet removed: `find(j)` is the first one ≥ j (`len` if none).
/// A removed index points past itself; paths are halved on the way.
struct Remaining(Vec<usize>);

impl Remaining {
    fn new(len: usize) -> Result<Remaining> {
        Ok(Remaining(crate::memory::try_collect(len + 1, 0..=len)?))
    }
    fn find(&mut self, mut j: usize) -> usize {
        while self.0[j] != j {
            self.0[j] = self.0[self.0[j]];
            j = self.0[j];
        }
        j
    }
    fn remove(&mut self, j: usize) {
        self.0[j] = j + 1;
    }
}

/// Strongly connected components of the "chosen over" graph under [`Unranked::Below`]: edges
/// from each listed item to the next and, in a ranking with unlisted items, from its last
/// listed item to every unlisted one. Kosaraju's algorithm without materialising the
/// complement edges: the forward search walks a ranking's complement through the items not yet
/// visited (skipping its own, sorted, items), the backward search from an item u uses up at
/// once every remaining ranking that does not list u. O(positions · log rankings + items +
/// rankings). Returns (count, component of each item), numbered in topological order: every
/// edge between two components goes from the lower-numbered one to the higher-numbered one.
fn components_below(d: &Data) -> Result<(usize, Vec<u32>)> {
    use crate::memory::{try_collect, try_filled};
    let n = d.n;
    let nr = d.n_rankings();
    // The ranking of each position (a binary search beyond 2^32 rankings).
    let rank_of: Vec<u32> = if nr <= u32::MAX as usize {
        try_collect(d.items.len(), (0..nr).flat_map(|q| std::iter::repeat_n(q as u32, d.offsets[q + 1] - d.offsets[q])))?
    } else {
        Vec::new()
    };
    let ranking_of = |p: usize| if rank_of.is_empty() { d.offsets.partition_point(|&o| o <= p) - 1 } else { rank_of[p] as usize };
    // Positions of each item, in ranking order.
    let mut start = try_filled(n + 1, 0usize)?;
    for &i in &d.items {
        start[i as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = try_collect(n + 1, start.iter().copied())?;
    let mut occ = try_filled(d.items.len(), 0usize)?;
    for (p, &i) in d.items.iter().enumerate() {
        occ[fill[i as usize]] = p;
        fill[i as usize] += 1;
    }
    drop(fill);
    let mut sorted = try_collect(d.items.len(), d.items.iter().copied())?;
    for q in 0..nr {
        sorted[d.offsets[q]..d.offsets[q + 1]].sort_unstable();
    }

    // Forward depth-first search: the items in order of finishing.
    struct Frame {
        item: usize,
        next: usize,
        /// A complement being walked: (ranking, next item code, position in its sorted items).
        complement: Option<(usize, usize, usize)>,
    }
    let mut visited = vec![false; n];
    let mut unvisited = Remaining::new(n)?;
    let mut finished = Vec::with_capacity(n);
    let mut stack: Vec<Frame> = Vec::new();
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        unvisited.remove(root);
        stack.push(Frame { item: root, next: start[root], complement: None });
        while let Some(f) = stack.last_mut() {
            let mut to = None;
            if let Some((q, cursor, at)) = &mut f.complement {
                let j = unvisited.find(*cursor);
                if j >= n {
                    f.complement = None;
                    continue;
                }
                *cursor = j + 1;
                let own = &sorted[d.offsets[*q]..d.offsets[*q + 1]];
                while *at < own.len() && (own[*at] as usize) < j {
                    *at += 1;
                }
                if *at < own.len() && own[*at] as usize == j {
                    continue;
                }
                to = Some(j);
            } else if f.next < start[f.item + 1] {
                let p = occ[f.next];
                f.next += 1;
                let q = ranking_of(p);
                if p + 1 < d.offsets[q + 1] {
                    to = Some(d.items[p + 1] as usize);
                } else if d.has_unlisted(d.offsets[q + 1] - d.offsets[q]) {
                    f.complement = Some((q, 0, 0));
                }
            } else {
                finished.push(f.item);
                stack.pop();
            }
            if let Some(j) = to {
                if !visited[j] {
                    visited[j] = true;
                    unvisited.remove(j);
                    stack.push(Frame { item: j, next: start[j], complement: None });
                }
            }
        }
    }
    drop((visited, unvisited, sorted));

    // Backward searches in reverse finishing order, one component each.
    const NONE: u32 = u32::MAX;
    let mut component_of = vec![NONE; n];
    let mut unused = Remaining::new(nr)?; // rankings with unlisted items not used yet
    for q in 0..nr {
        if !d.has_unlisted(d.offsets[q + 1] - d.offsets[q]) {
            unused.remove(q);
        }
    }
    let mut lists = try_filled(nr, usize::MAX)?; // lists[q] = u while rankings listing u are skipped
    let mut count = 0u32;
    let mut queue = Vec::new();
    for &root in finished.iter().rev() {
        if component_of[root] != NONE {
            continue;
        }
        component_of[root] = count;
        queue.push(root);
        while let Some(u) = queue.pop() {
            let mut reach = |v: usize, queue: &mut Vec<usize>| {
                if component_of[v] == NONE {
                    component_of[v] = count;
                    queue.push(v);
                }
            };
            for &p in &occ[start[u]..start[u + 1]] {
                let q = ranking_of(p);
                lists[q] = u;
                if p > d.offsets[q] {
                    reach(d.items[p - 1] as usize, &mut queue);
                }
            }
            let mut q = unused.find(0);
            while q < nr {
                if lists[q] != u {
                    unused.remove(q);
                    reach(d.items[d.offsets[q + 1] - 1] as usize, &mut queue);
                }
                q = unused.find(q + 1);
            }
        }
        count += 1;
    }
    Ok((count as usize, component_of))
}

/// Fits the model.
pub fn fit(r: RankingsRef<'_>, opts: &Options) -> Result<Fit> {
    if !(opts.regularization.is_finite() && opts.regularization >= 0.0) {
        return Err(Error::InvalidArgument("regularization must be finite and >= 0".into()));
    }
    if !(opts.tol.is_finite() && opts.tol > 0.0) {
        return Err(Error::InvalidArgument("tol must be finite and > 0".into()));
    }
    let d = prepare(r, opts.regularization, opts.unranked)?;
    if d.reg == 0.0 {
        check_identifiable(&d)?;
    }
    if d.n == 1 {
        // No ranking of one item has length 2: nothing to fit.
        return Ok(Fit { theta: vec![0.0], iterations: 0, converged: true, log_likelihood: 0.0, max_relative_gradient: 0.0 });
    }
    let mut work = Work::new(&d);
    let fit = match opts.solver {
        Solver::MM => solve_mm(&d, opts, &mut work),
        Solver::Fast => solve_fast(&d, opts, &mut work),
    };
    crate::interrupt::check()?; // Ctrl-C stops the loops (see crate::interrupt)
    if fit.theta.iter().any(|x| !x.is_finite()) {
        return Err(Error::InvalidArgument(
            "the strengths span more than double precision allows (some items almost never win or lose); pass regularization > 0".into(),
        ));
    }
    Ok(fit)
}

/// Everything one pass over the data yields at a point θ.
struct Eval {
    /// Penalised log-likelihood (virtual comparisons included): the objective.
    objective: f64,
    /// Log-likelihood of the data alone.
    log_likelihood: f64,
    max_relative_gradient: f64,
    /// The solver's update from θ, normalised.
    step: Vec<f64>,
    /// All of the above finite.
    finite: bool,
}

/// Buffers reused across passes.
struct Work {
    /// Per block, per item: (Σ won sets' others / set, Σ lost sets' 1 / set, Σ won sets' 1 / set).
    acc: Vec<Vec<[f64; 3]>>,
    /// Under Below, per block, per item: Σ T_q over the block's rankings with unlisted items
    /// that list the item (T_q = Σ_k w / set_k, what an unlisted item of ranking q adds to
    /// its lost sets' sum). Empty under Ignore.
    listed_t: Vec<Vec<f64>>,
    /// Per block: suffix sums of one ranking.
    scratch: Vec<Vec<f64>>,
    pi: Vec<f64>,
}

impl Work {
    fn new(d: &Data) -> Work {
        let b = d.blocks.len();
        Work {
            acc: vec![vec![[0.0; 3]; d.n]; b],
            listed_t: vec![vec![0.0; if d.below { d.n } else { 0 }]; b],
            scratch: vec![vec![0.0; d.max_len]; b],
            pi: vec![0.0; d.n],
        }
    }
}

#[inline]
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// What one block of rankings adds at a point: the inputs of [`BlockSums::run`].
struct BlockSums<'a> {
    d: &'a Data,
    theta: &'a [f64],
    /// The largest θ (worths are scaled by exp(−top)).
    top: f64,
    pi: &'a [f64],
    /// Σ π over the real items (Below only).
    pi_all: f64,
}

impl BlockSums<'_> {
    /// Fills `acc` (and under Below `listed_t`) for the rankings `block`; returns the block's
    /// log-likelihood and Σ T_q. `BELOW` = `d.below`, a constant so that the Ignore loop has
    /// no unlisted-item terms at all.
    fn run<const BELOW: bool>(&self, block: Range<usize>, acc: &mut [[f64; 3]], listed_t: &mut [f64], suffix: &mut [f64]) -> (f64, f64) {
        let (d, theta, top, pi) = (self.d, self.theta, self.top, self.pi);
        acc.iter_mut().for_each(|a| *a = [0.0; 3]);
        listed_t.iter_mut().for_each(|t| *t = 0.0);
        let mut ll = 0.0;
        let mut block_t = 0.0;
        for q in block {
            let ranking = d.ranking(q);
            let w = d.weights[q];
            let m = ranking.len();
            // suffix[k] = Σ π over positions k.. (the listed part of the choice set at step
            // k); `rest` = Σ π over the unlisted items, in every set.
            let mut s = 0.0;
            for k in (0..m).rev() {
                s += pi[ranking[k] as usize];
                suffix[k] = s;
            }
            let unlisted = BELOW && m < d.n;
            let rest = if unlisted { (self.pi_all - s).max(0.0) } else { 0.0 };
            let c = choices(d.n, m, BELOW);
            let mut lost = 0.0; // Σ 1 / set over the sets already passed
            for k in 0..m {
                let i = ranking[k] as usize;
                acc[i][1] += w * lost;
                if k < c {
                    let (set, others) = if BELOW { (suffix[k] + rest, if k + 1 < m { suffix[k + 1] } else { 0.0 } + rest) } else { (suffix[k], suffix[k + 1]) };
                    let inv = 1.0 / set;
                    acc[i][0] += w * others * inv;
                    acc[i][2] += w * inv;
                    ll += w * (theta[i] - top - set.ln());
                    lost += inv;
                }
            }
            if unlisted {
                // Every item gets T_q (added per block, in `pass`) except the listed ones.
                let t = w * lost;
                block_t += t;
                for &i in ranking {
                    listed_t[i as usize] += t;
                }
            }
        }
        (ll, block_t)
    }
}

/// One pass at θ: the objective, the optimality test and the solver's update.
fn pass(d: &Data, theta: &[f64], solver: Solver, work: &mut Work) -> Eval {
    let n = d.n;
    let reg = d.reg;
    // Worths scaled so that the largest (the virtual item's included) is 1.
    let top = theta.iter().copied().fold(if reg > 0.0 { 0.0 } else { f64::NEG_INFINITY }, f64::max);
    for (p, &t) in work.pi.iter_mut().zip(theta) {
        *p = (t - top).exp();
    }
    let pi = &work.pi;
    let pi_virtual = (-top).exp();
    // Σ π over the real items (Below: the worth of a ranking's unlisted items is this minus
    // its listed ones).
    let pi_all: f64 = if d.below { pi.iter().sum() } else { 0.0 };
    // Per block of rankings: the three sums per item, (Below) the Σ T_q per item, and the
    // block's log-likelihood and Σ T_q.
    let per_block: Vec<(f64, f64)> = work
        .acc
        .par_iter_mut()
        .zip(work.listed_t.par_iter_mut())
        .zip(work.scratch.par_iter_mut())
        .zip(d.blocks.par_iter())
        .map(|(((acc, listed_t), suffix), block)| {
            let sums = BlockSums { d, theta, top, pi, pi_all };
            if d.below {
                sums.run::<true>(block.clone(), acc, listed_t, suffix)
            } else {
                sums.run::<false>(block.clone(), acc, listed_t, suffix)
            }
        })
        .collect();
    let log_likelihood: f64 = per_block.iter().map(|b| b.0).sum();
    let all_t: f64 = per_block.iter().map(|b| b.1).sum();
    // Per item: the gradient test, the update and the virtual log-likelihood terms.
    let acc = &work.acc;
    let listed_t = &work.listed_t;
    let per_item: Vec<(f64, f64, f64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let [mut won, mut lost, mut won_inv] = [0.0; 3];
            for a in acc {
                won += a[i][0];
                lost += a[i][1];
                won_inv += a[i][2];
            }
            if d.below {
                // The sets of the rankings that leave i out, none of them won by i.
                let listed: f64 = listed_t.iter().map(|t| t[i]).sum();
                lost += (all_t - listed).max(0.0);
            }
            let mut virtual_ll = 0.0;
            if reg > 0.0 {
                // [i, virtual] won with weight r, [virtual, i] lost with weight r.
                let inv = 1.0 / (pi[i] + pi_virtual);
                won += reg * pi_virtual * inv;
                won_inv += reg * inv;
                lost += reg * inv;
                virtual_ll = reg * (theta[i] - 2.0 * softplus(theta[i]));
            }
            // observed − expected first choices = Σ_won (1 − π_i/S) − π_i Σ_lost 1/S.
            let relative_gradient = (won - pi[i] * lost).abs() / d.sets[i];
            let step = match solver {
                Solver::Fast => theta[i] + DAMPING * (won.ln() - lost.ln() + top - theta[i]),
                Solver::MM => d.wins[i].ln() - (lost + won_inv).ln() + top,
            };
            (step, relative_gradient, virtual_ll)
        })
        .collect();
    let mut step: Vec<f64> = per_item.iter().map(|x| x.0).collect();
    // NaN-propagating maximum (a NaN gradient must not pass the test).
    let max_relative_gradient = per_item.iter().map(|x| x.1).fold(0.0, |m: f64, g| if m.is_nan() || g.is_nan() { f64::NAN } else { m.max(g) });
    let objective = log_likelihood + per_item.iter().map(|x| x.2).sum::<f64>();
    let mut finite = step.iter().all(|x| x.is_finite()) && objective.is_finite() && max_relative_gradient.is_finite();
    if finite {
        finite = normalise(&mut step, reg > 0.0);
    }
    Eval { objective, log_likelihood, max_relative_gradient, step, finite }
}

/// Fixes the free shift of θ: mean 0 without regularization; with it, the shift that maximises
/// the virtual comparisons' likelihood, Σ_i σ(θ_i + s) = n/2 (Newton's method, safeguarded by
/// bisection on the bracket [−max θ, −min θ]). Returns false if it could not.
fn normalise(theta: &mut [f64], regularized: bool) -> bool {
    let n = theta.len() as f64;
    let s = if regularized {
        let (lo0, hi0) = theta.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| (a.min(t), b.max(t)));
        let (mut lo, mut hi) = (-hi0, -lo0);
        let mut s = 0.0f64.clamp(lo, hi);
        for _ in 0..200 {
            let (mut f, mut df) = (-0.5 * n, 0.0);
            for &t in theta.iter() {
                let p = sigmoid(t + s);
                f += p;
                df += p * (1.0 - p);
            }
            if f == 0.0 {
                break;
            }
            if f > 0.0 {
                hi = s;
            } else {
                lo = s;
            }
            let newton = s - f / df;
            let next = if df > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
            let done = (next - s).abs() <= 4.0 * f64::EPSILON * (1.0 + s.abs());
            s = next;
            if done {
                break;
            }
        }
        s
    } else {
        -theta.iter().sum::<f64>() / n
    };
    if !s.is_finite() {
        return false;
    }
    theta.iter_mut().for_each(|t| *t += s);
    true
}

fn finish(theta: Vec<f64>, e: &Eval, iterations: usize, tol: f64) -> Fit {
    let n = theta.len() as f64;
    let mean = theta.iter().sum::<f64>() / n;
    Fit {
        theta: theta.into_iter().map(|t| t - mean).collect(),
        iterations,
        converged: e.max_relative_gradient <= tol,
        log_likelihood: e.log_likelihood,
        max_relative_gradient: e.max_relative_gradient,
    }
}

/// Hunter's MM: one update per pass.
fn solve_mm(d: &Data, opts: &Options, work: &mut Work) -> Fit {
    let mut theta = vec![0.0; d.n];
    let mut e = pass(d, &theta, Solver::MM, work);
    let mut iterations = 0;
    while e.finite && e.max_relative_gradient > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        iterations += 1;
        let next = std::mem::take(&mut e.step);
        let en = pass(d, &next, Solver::MM, work);
        if !en.objective.is_finite() {
            break;
        }
        theta = next;
        e = en;
    }
    finish(theta, &e, iterations, opts.tol)
}

fn norm2(x: impl Iterator<Item = f64>) -> f64 {
    x.map(|v| v * v).sum::<f64>().sqrt()
}

/// Damped Newman steps, SQUAREM-accelerated: from θ0 (with its step θ1), evaluate θ1 (giving
/// θ2), extrapolate θx = θ0 − 2α r + α² v with r = θ1 − θ0, v = θ2 − 2θ1 + θ0,
/// α = min(−‖r‖/‖v‖, −1), evaluate θx, and continue from θx if it beats θ1, else from θ1.
/// Two passes per cycle; the plain step is always taken, so the iteration keeps moving.
fn solve_fast(d: &Data, opts: &Options, work: &mut Work) -> Fit {
    let mut theta0 = vec![0.0; d.n];
    let mut e0 = pass(d, &theta0, Solver::Fast, work);
    let mut iterations = 0;
    while e0.finite && e0.max_relative_gradient > opts.tol && iterations < opts.max_iter && !crate::interrupt::poll() {
        let theta1 = std::mem::take(&mut e0.step);
        let e1 = pass(d, &theta1, Solver::Fast, work);
        iterations += 1;
        if !e1.objective.is_finite() {
            e0.step = theta1;
            break;
        }
        if e1.max_relative_gradient <= opts.tol || !e1.finite || iterations >= opts.max_iter {
            (theta0, e0) = (theta1, e1);
            continue;
        }
        let r = theta1.iter().zip(&theta0).map(|(a, b)| a - b);
        let v = e1.step.iter().zip(&theta1).zip(&theta0).map(|((c, b), a)| c - 2.0 * b + a);
        let (nr, nv) = (norm2(r), norm2(v));
        let alpha = if nv > 0.0 { (-nr / nv).min(-1.0) } else { -1.0 };
        let theta_x: Vec<f64> = (0..d.n)
            .map(|i| {
                let (t0, t1, t2) = (theta0[i], theta1[i], e1.step[i]);
                t0 - 2.0 * alpha * (t1 - t0) + alpha * alpha * (t2 - 2.0 * t1 + t0)
            })
            .collect();
        let ex = if theta_x.iter().all(|t| t.is_finite()) {
            iterations += 1;
            Some(pass(d, &theta_x, Solver::Fast, work))
        } else {
            None
        };
        // Near the optimum the objectives differ by rounding only: an extrapolated point that
        // passes the test, or is no worse than the plain step up to rounding, is kept.
        let keep = |ex: &Eval| ex.finite && (ex.max_relative_gradient <= opts.tol || ex.objective >= e1.objective - OBJECTIVE_SLACK * e1.objective.abs());
        match ex {
            Some(ex) if keep(&ex) => (theta0, e0) = (theta_x, ex),
            _ => (theta0, e0) = (theta1, e1),
        }
    }
    finish(theta0, &e0, iterations, opts.tol)
}

/// Bootstrap by resampling rankings (voters) with replacement: each round multiplies the
/// rankings' weights by how often each was drawn and refits. Rounds whose resample has no
/// finite estimate are drawn again. Returns `rounds × n` centred log-worths (round-major) and
/// the number of redraws.
pub fn bootstrap(r: RankingsRef<'_>, opts: &Options, rounds: std::ops::Range<usize>, seed: u64) -> Result<(Vec<f64>, usize)> {
    let k = r.len();
    let (fits, redraws) = crate::resample::rows_bootstrap(k, rounds, seed, |counts| {
        let w: Vec<f64> = (0..k).map(|q| counts[q] as f64 * r.weights.map_or(1.0, |w| w[q])).collect();
        match fit(RankingsRef { weights: Some(&w), ..r }, opts) {
            Ok(f) => Ok(Some(f.theta)),
            Err(Error::NotIdentifiable { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })?;
    Ok((fits.concat(), redraws))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CSR form of a list of rankings.
    fn csr(rankings: &[Vec<u32>]) -> (Vec<usize>, Vec<u32>) {
        let mut offsets = vec![0];
        let mut items = Vec::new();
        for r in rankings {
            items.extend_from_slice(r);
            offsets.push(items.len());
        }
        (offsets, items)
    }

    fn fit_rankings(rankings: &[Vec<u32>], n: usize, weights: Option<&[f64]>, opts: &Options) -> Result<Fit> {
        let (offsets, items) = csr(rankings);
        fit(RankingsRef { n, offsets: &offsets, items: &items, weights }, opts)
    }

    /// A small deterministic generator (splitmix64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn below(&mut self, k: usize) -> usize {
            (self.next() % k as u64) as usize
        }
    }

    /// `count` rankings drawn from Plackett–Luce with log-worths `theta`: each over a random
    /// subset of `size` items, truncated to its first `keep` (top-k) when `keep < size`.
    fn sample(theta: &[f64], count: usize, size: usize, keep: usize, seed: u64) -> Vec<Vec<u32>> {
        let mut rng = Rng(seed);
        let n = theta.len();
        (0..count)
            .map(|_| {
                let mut subset: Vec<u32> = Vec::with_capacity(size);
                while subset.len() < size {
                    let i = rng.below(n) as u32;
                    if !subset.contains(&i) {
                        subset.push(i);
                    }
                }
                // Gumbel-max: sorting θ + Gumbel noise gives a Plackett–Luce ranking.
                let mut keyed: Vec<(f64, u32)> = subset.iter().map(|&i| (theta[i as usize] - (-rng.uniform().ln()).ln(), i)).collect();
                keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
                keyed.into_iter().take(keep).map(|x| x.1).collect()
            })
            .collect()
    }

    fn spread_theta(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng(seed);
        (0..n).map(|_| 2.0 * (rng.uniform() - 0.5) * 2.0).collect()
    }

    /// Fits 12 items with MM and the fast solver from the same options: both converge, the fast
    /// one in fewer iterations, to the same strengths (1e-8) and a gradient within 1e-11.
    fn mm_and_fast_agree(rankings: &[Vec<u32>], weights: &[f64], base: Options) -> Fit {
        let mm = fit_rankings(rankings, 12, Some(weights), &Options { solver: Solver::MM, ..base }).unwrap();
        let fast = fit_rankings(rankings, 12, Some(weights), &base).unwrap();
        assert!(mm.converged && fast.converged);
        assert!(fast.iterations < mm.iterations, "fast {} vs mm {}", fast.iterations, mm.iterations);
        assert_close(&mm.theta, &fast.theta, 1e-8);
        assert!(fast.max_relative_gradient <= 1e-11);
        fast
    }

    fn assert_close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for k in 0..a.len() {
            assert!((a[k] - b[k]).abs() <= tol, "item {k}: {} vs {} ({:?} vs {:?})", a[k], b[k], a, b);
        }
    }

    /// NASCAR 2002 (Hunter 2004): 36 races, drivers 84–87 dropped (they finished last in every
    /// race they entered), so 83 drivers. Returns the rankings (0-based codes) and the names.
    fn nascar() -> (Vec<Vec<u32>>, Vec<String>) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/");
        let names: Vec<String> =
            std::fs::read_to_string(format!("{dir}nascar_drivers.txt")).unwrap().lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        assert_eq!(names.len(), 87);
        let text = std::fs::read_to_string(format!("{dir}nascar_orderings.csv")).unwrap();
        let rankings: Vec<Vec<u32>> = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|x| x.trim().parse::<u32>().unwrap()).filter(|&id| id <= 83).map(|id| id - 1).collect())
            .collect();
        assert_eq!(rankings.len(), 36);
        (rankings, names[..83].to_vec())
    }

    #[test]
    fn plackett_luce_nascar_2002_hunter() {
        let (rankings, names) = nascar();
        let published =
            [("PJ Jones", 4.15), ("Scott Pruett", 3.62), ("Mark Martin", 2.08), ("Dave Marcis", 0.03), ("Dick Trickle", -0.31), ("Joe Varde", -0.15)];
        let base = names.iter().position(|s| s == "Austin Cameron").unwrap();
        let mut fits = Vec::new();
        for solver in [Solver::MM, Solver::Fast] {
            // Not every driver started every race: rankings of different subsets.
            let f = fit_rankings(&rankings, 83, None, &Options { solver, unranked: Unranked::Ignore, ..Default::default() }).unwrap();
            assert!(f.converged, "{solver:?}: {}", f.max_relative_gradient);
            for (name, value) in published {
                let k = names.iter().position(|s| s == name).unwrap();
                let rel = f.theta[k] - f.theta[base];
                assert_eq!((rel * 100.0).round() / 100.0, value, "{solver:?} {name}: {rel}");
            }
            fits.push(f);
        }
        let (mm, fast) = (&fits[0], &fits[1]);
        assert!(fast.iterations < mm.iterations, "fast {} vs mm {}", fast.iterations, mm.iterations);
        assert_close(&mm.theta, &fast.theta, 1e-6);
        assert!((mm.log_likelihood - fast.log_likelihood).abs() < 1e-8 * mm.log_likelihood.abs());
    }

    #[test]
    fn plackett_luce_pairwise_rankings_are_bradley_terry() {
        use crate::pairs::{reduce, Outcomes};
        use crate::rate::bradley_terry as bt;
        let theta = spread_theta(7, 3);
        let rankings = sample(&theta, 300, 2, 2, 11);
        let winners: Vec<u32> = rankings.iter().map(|r| r[0]).collect();
        let losers: Vec<u32> = rankings.iter().map(|r| r[1]).collect();
        let table = reduce(7, &winners, &losers, Outcomes::AllWins, None).unwrap();
        for regularization in [0.0, 0.5] {
            let b = bt::fit(table.as_ref(), &bt::Options { ties: bt::Ties::Drop, regularization, tol: 1e-12, ..Default::default() }).unwrap();
            for solver in [Solver::MM, Solver::Fast] {
                let opts = Options { solver, regularization, tol: 1e-12, max_iter: 100_000, unranked: Unranked::Ignore };
                let p = fit_rankings(&rankings, 7, None, &opts).unwrap();
                assert!(p.converged, "{solver:?}");
                assert_close(&p.theta, &b.theta, 1e-9);
                assert!((p.log_likelihood - b.log_likelihood).abs() < 1e-9 * b.log_likelihood.abs());
            }
        }
    }

    #[test]
    fn plackett_luce_bipartite_pairs_converge() {
        // Pairs only between {0, 1, 2} and {3, 4, 5}: the undamped simultaneous Newman update
        // oscillates forever here.
        let mut rankings = Vec::new();
        for a in 0..3u32 {
            for b in 3..6u32 {
                rankings.push(vec![a, b]);
                rankings.push(vec![b, a]);
                if (a + b) % 2 == 0 {
                    rankings.push(vec![a, b]);
                }
            }
        }
        let ignore = Options { unranked: Unranked::Ignore, ..Default::default() };
        let mm = fit_rankings(&rankings, 6, None, &Options { solver: Solver::MM, ..ignore }).unwrap();
        let fast = fit_rankings(&rankings, 6, None, &ignore).unwrap();
        assert!(mm.converged && fast.converged);
        assert!(fast.iterations < 100, "{}", fast.iterations);
        assert_close(&mm.theta, &fast.theta, 1e-7);
    }

    #[test]
    fn plackett_luce_solvers_agree_on_subset_rankings() {
        let theta = spread_theta(12, 5);
        // Top-3 of random subsets of 6 items, plus full rankings of random subsets of 4.
        let mut rankings = sample(&theta, 400, 6, 3, 1);
        rankings.extend(sample(&theta, 200, 4, 4, 2));
        let weights: Vec<f64> = (0..rankings.len()).map(|q| [1.0, 0.5, 2.0][q % 3]).collect();
        for regularization in [0.0, 1.0] {
            let base = Options { regularization, tol: 1e-11, max_iter: 100_000, unranked: Unranked::Ignore, ..Default::default() };
            mm_and_fast_agree(&rankings, &weights, base);
        }
    }

    #[test]
    fn plackett_luce_never_losing_item_is_not_identifiable() {
        let ignore = Options { unranked: Unranked::Ignore, ..Default::default() };
        let rankings = vec![vec![0, 1, 2], vec![0, 2, 1], vec![1, 2], vec![2, 1], vec![0, 2]];
        match fit_rankings(&rankings, 3, None, &ignore) {
            Err(Error::NotIdentifiable { never_win, never_lose, components, component_of }) => {
                assert_eq!(never_lose, vec![0]);
                assert!(never_win.is_empty());
                assert_eq!(components, 2);
                assert_eq!(component_of, vec![0, 1, 1]);
            }
            other => panic!("{other:?}"),
        }
        // An item nobody ranks: never wins and never loses.
        match fit_rankings(&[vec![0, 1], vec![1, 0]], 3, None, &ignore) {
            Err(Error::NotIdentifiable { never_win, never_lose, .. }) => {
                assert_eq!(never_win, vec![2]);
                assert_eq!(never_lose, vec![2]);
            }
            other => panic!("{other:?}"),
        }
        for solver in [Solver::MM, Solver::Fast] {
            let f = fit_rankings(&rankings, 3, None, &Options { solver, regularization: 1.0, ..ignore }).unwrap();
            assert!(f.converged && f.theta.iter().all(|x| x.is_finite()), "{solver:?}");
            assert!(f.theta[0] > f.theta[1] && f.theta[0] > f.theta[2]);
        }
    }

    #[test]
    fn plackett_luce_relabelling_permutes_estimates() {
        let theta = spread_theta(9, 8);
        let rankings = sample(&theta, 300, 5, 4, 4);
        let perm: Vec<u32> = vec![4, 7, 0, 8, 2, 6, 1, 3, 5];
        let relabelled: Vec<Vec<u32>> = rankings.iter().map(|r| r.iter().map(|&i| perm[i as usize]).collect()).collect();
        for (solver, unranked) in
            [(Solver::MM, Unranked::Ignore), (Solver::Fast, Unranked::Ignore), (Solver::MM, Unranked::Below), (Solver::Fast, Unranked::Below)]
        {
            let opts = Options { solver, unranked, tol: 1e-12, max_iter: 100_000, ..Default::default() };
            let a = fit_rankings(&rankings, 9, None, &opts).unwrap();
            let b = fit_rankings(&relabelled, 9, None, &opts).unwrap();
            let permuted: Vec<f64> = (0..9).map(|i| b.theta[perm[i] as usize]).collect();
            assert_close(&a.theta, &permuted, 1e-9);
        }
    }

    #[test]
    fn plackett_luce_weights_short_rankings_and_zero_weights() {
        let theta = spread_theta(6, 9);
        let rankings = sample(&theta, 120, 4, 4, 6);
        for unranked in [Unranked::Ignore, Unranked::Below] {
            let opts = Options { unranked, ..Default::default() };
            let plain = fit_rankings(&rankings, 6, None, &opts).unwrap();
            // Rankings with no choice (length 0; length 1 under Ignore) and rankings of weight 0
            // are skipped: the same fit exactly.
            let mut padded = rankings.clone();
            let mut weights = vec![1.0; rankings.len()];
            if unranked == Unranked::Ignore {
                padded.insert(3, vec![5]);
                weights.insert(3, 1.0);
            }
            padded.insert(0, vec![]);
            weights.insert(0, 1.0);
            padded.push(vec![5, 4, 3, 2, 1, 0]);
            weights.push(0.0);
            padded.push(vec![5]);
            weights.push(0.0);
            let same = fit_rankings(&padded, 6, Some(&weights), &opts).unwrap();
            assert_eq!(plain.theta, same.theta);
            assert_eq!(plain.iterations, same.iterations);
            // Weight 2 is the ranking twice.
            let doubled: Vec<Vec<u32>> = rankings.iter().flat_map(|r| [r.clone(), r.clone()]).collect();
            let weighted = fit_rankings(&rankings, 6, Some(&vec![2.0; rankings.len()]), &opts).unwrap();
            let repeated = fit_rankings(&doubled, 6, None, &opts).unwrap();
            assert_close(&weighted.theta, &repeated.theta, 1e-8);
            assert_close(&weighted.theta, &plain.theta, 1e-8);
            assert!((weighted.log_likelihood - 2.0 * plain.log_likelihood).abs() < 1e-8);
        }
    }

    #[test]
    fn plackett_luce_bad_input_is_rejected() {
        let opts = Options::default();
        let invalid = |res: Result<Fit>, needle: &str| match res {
            Err(Error::InvalidArgument(msg)) => assert!(msg.contains(needle), "{msg}"),
            other => panic!("{other:?}"),
        };
        invalid(fit_rankings(&[vec![0, 1], vec![1, 3]], 3, None, &opts), "ranking 1");
        invalid(fit_rankings(&[vec![0, 1], vec![1, 0], vec![2, 1, 2]], 3, None, &opts), "ranking 2");
        invalid(fit_rankings(&[], 0, None, &opts), "no items");
        let items = [0u32, 1, 1, 0];
        let r = |offsets: &'static [usize]| RankingsRef { n: 2, offsets, items: &items, weights: None };
        invalid(fit(r(&[0, 2, 3]), &opts), "offsets");
        invalid(fit(r(&[1, 2, 4]), &opts), "offsets");
        invalid(fit(r(&[0, 3, 2, 4]), &opts), "offsets decrease at ranking 1");
        invalid(fit(r(&[]), &opts), "offsets");
        let weights = [1.0, -1.0, f64::NAN, 2.0, f64::INFINITY];
        let rankings = vec![vec![0, 1]; 5];
        match fit_rankings(&rankings, 2, Some(&weights), &opts) {
            Err(Error::InvalidWeight { rows, count }) => {
                assert_eq!(rows, vec![1, 2, 4]);
                assert_eq!(count, 3);
            }
            other => panic!("{other:?}"),
        }
        invalid(fit_rankings(&rankings, 2, Some(&[1.0; 4]), &opts), "weights");
        let good = vec![vec![0, 1], vec![1, 0]];
        invalid(fit_rankings(&good, 2, None, &Options { tol: 0.0, ..opts }), "tol");
        invalid(fit_rankings(&good, 2, None, &Options { regularization: -1.0, ..opts }), "regularization");
        invalid(fit_rankings(&good, 2, None, &Options { regularization: f64::NAN, ..opts }), "regularization");
    }

    #[test]
    fn plackett_luce_edge_cases() {
        // One item: nothing to fit.
        for unranked in [Unranked::Ignore, Unranked::Below] {
            let f = fit_rankings(&[vec![0]], 1, None, &Options { unranked, ..Default::default() }).unwrap();
            assert_eq!(f.theta, vec![0.0]);
            assert!(f.converged);
        }
        // Two items, 3 wins to 1: θ_0 − θ_1 = ln 3, for both solvers; under Below `[0]` of two
        // items is `[0, 1]`.
        let rankings = vec![vec![0, 1], vec![0, 1], vec![1, 0], vec![0, 1]];
        let short = vec![vec![0], vec![0, 1], vec![1], vec![0]];
        for solver in [Solver::MM, Solver::Fast] {
            for (data, unranked) in [(&rankings, Unranked::Ignore), (&rankings, Unranked::Below), (&short, Unranked::Below)] {
                let f = fit_rankings(data, 2, None, &Options { solver, unranked, ..Default::default() }).unwrap();
                assert!(f.converged);
                assert!((f.theta[0] - f.theta[1] - 3f64.ln()).abs() < 1e-8, "{solver:?} {:?}", f.theta);
                assert!((f.log_likelihood - (3.0 * 0.75f64.ln() + 0.25f64.ln())).abs() < 1e-12);
            }
        }
        // With regularization, under Ignore items nobody ranks sit at the virtual item's level;
        // under Below they are below every ranked item.
        let f = fit_rankings(&rankings, 4, None, &Options { regularization: 0.5, unranked: Unranked::Ignore, ..Default::default() }).unwrap();
        assert!(f.converged);
        assert!((f.theta[2] - f.theta[3]).abs() < 1e-12);
        let f = fit_rankings(&rankings, 4, None, &Options { regularization: 0.5, ..Default::default() }).unwrap();
        assert!(f.converged);
        assert!((f.theta[2] - f.theta[3]).abs() < 1e-12);
        assert!(f.theta[2] < f.theta[1] - 0.5, "{:?}", f.theta);
        // max_iter = 0 evaluates the start only.
        let f = fit_rankings(&rankings, 2, None, &Options { max_iter: 0, ..Default::default() }).unwrap();
        assert_eq!((f.iterations, f.converged), (0, false));
        assert_eq!(f.theta, vec![0.0, 0.0]);
    }

    /// Under Below, the log-likelihood and its gradient computed by listing every choice set
    /// explicitly (O(rankings × items)).
    fn explicit_below(rankings: &[Vec<u32>], weights: &[f64], n: usize, theta: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (mut ll, mut grad, mut sets) = (0.0, vec![0.0; n], vec![0.0; n]);
        for (r, &w) in rankings.iter().zip(weights) {
            let c = r.len().min(n - 1);
            for k in 0..c {
                let set: Vec<usize> = (0..n).filter(|&j| !r[..k].contains(&(j as u32))).collect();
                let total: f64 = set.iter().map(|&j| theta[j].exp()).sum();
                ll += w * (theta[r[k] as usize] - total.ln());
                grad[r[k] as usize] += w;
                for &j in &set {
                    grad[j] -= w * theta[j].exp() / total;
                    sets[j] += w;
                }
            }
        }
        (ll, grad, sets)
    }

    /// Top-k lists of all `n` items, mixed lengths (top-1 to complete).
    fn top_k_mix(theta: &[f64], seed: u64) -> Vec<Vec<u32>> {
        let n = theta.len();
        let mut rankings = sample(theta, 300, n, 3, seed);
        rankings.extend(sample(theta, 100, n, 1, seed + 1));
        rankings.extend(sample(theta, 60, n, n - 1, seed + 2));
        rankings.extend(sample(theta, 40, n, n, seed + 3));
        rankings
    }

    #[test]
    fn plackett_luce_below_solvers_agree_with_the_explicit_choice_sets() {
        let theta = spread_theta(12, 5);
        let rankings = top_k_mix(&theta, 31);
        let weights: Vec<f64> = (0..rankings.len()).map(|q| [1.0, 0.5, 2.0][q % 3]).collect();
        for regularization in [0.0, 1.0] {
            let base = Options { regularization, tol: 1e-11, max_iter: 100_000, ..Default::default() };
            assert_eq!(base.unranked, Unranked::Below);
            let fast = mm_and_fast_agree(&rankings, &weights, base);
            let (ll, grad, sets) = explicit_below(&rankings, &weights, 12, &fast.theta);
            assert!((ll - fast.log_likelihood).abs() < 1e-9 * ll.abs(), "{ll} vs {}", fast.log_likelihood);
            if regularization == 0.0 {
                for i in 0..12 {
                    assert!(grad[i].abs() <= 1e-9 * sets[i], "item {i}: gradient {}", grad[i]);
                }
            }
        }
        // The top-3 lists alone give another fit than read as subset rankings.
        let ignore = fit_rankings(&rankings[..300], 12, None, &Options { unranked: Unranked::Ignore, ..Default::default() }).unwrap();
        let below = fit_rankings(&rankings[..300], 12, None, &Options::default()).unwrap();
        assert!(ignore.theta.iter().zip(&below.theta).any(|(a, b)| (a - b).abs() > 0.1));
    }

    #[test]
    fn plackett_luce_below_recovers_top_k_worths_better_than_ignore() {
        // Top-3 of 8 lists drawn from the model: Below is the model, Ignore drops the
        // unlisted items and shrinks the strengths.
        let theta: Vec<f64> = (0..8).map(|i| 1.5 - 0.4 * i as f64).collect();
        let rankings = sample(&theta, 20_000, 8, 3, 77);
        let mean = theta.iter().sum::<f64>() / 8.0;
        let truth: Vec<f64> = theta.iter().map(|t| t - mean).collect();
        let error = |unranked| {
            let f = fit_rankings(&rankings, 8, None, &Options { unranked, ..Default::default() }).unwrap();
            f.theta.iter().zip(&truth).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
        };
        let (below, ignore) = (error(Unranked::Below), error(Unranked::Ignore));
        assert!(below < 0.08 && ignore > 0.3, "below {below}, ignore {ignore}");
    }

    #[test]
    fn plackett_luce_complete_rankings_are_the_same_in_both_modes() {
        let theta = spread_theta(8, 14);
        let rankings = sample(&theta, 300, 8, 8, 15);
        let weights: Vec<f64> = (0..rankings.len()).map(|q| [1.0, 0.25, 3.0][q % 3]).collect();
        for solver in [Solver::MM, Solver::Fast] {
            for regularization in [0.0, 0.5] {
                let opts = Options { solver, regularization, ..Default::default() };
                let below = fit_rankings(&rankings, 8, Some(&weights), &opts).unwrap();
                let ignore = fit_rankings(&rankings, 8, Some(&weights), &Options { unranked: Unranked::Ignore, ..opts }).unwrap();
                assert_eq!(below.theta, ignore.theta, "{solver:?}");
                assert_eq!(below.iterations, ignore.iterations);
                assert_eq!(below.log_likelihood.to_bits(), ignore.log_likelihood.to_bits());
            }
        }
    }

    #[test]
    fn plackett_luce_top_1_rankings_are_choice_counts() {
        // Every ranking is a choice from all 5 items: π_i ∝ (weighted) number of times chosen.
        let counts: [f64; 5] = [5.0, 2.0, 1.0, 1.0, 3.0];
        let mut rankings = Vec::new();
        let mut weights = Vec::new();
        for (i, &c) in counts.iter().enumerate() {
            for _ in 0..c as usize {
                rankings.push(vec![i as u32]);
                weights.push(1.0);
            }
            rankings.push(vec![i as u32]);
            weights.push(0.5);
        }
        for solver in [Solver::MM, Solver::Fast] {
            let f = fit_rankings(&rankings, 5, Some(&weights), &Options { solver, tol: 1e-12, ..Default::default() }).unwrap();
            assert!(f.converged, "{solver:?}");
            for i in 1..5 {
                let want = ((counts[i] + 0.5) / (counts[0] + 0.5)).ln();
                assert!((f.theta[i] - f.theta[0] - want).abs() < 1e-9, "{solver:?} item {i}: {:?}", f.theta);
            }
        }
        // Read as subset rankings they say nothing.
        let ignore = Options { unranked: Unranked::Ignore, ..Default::default() };
        assert!(matches!(fit_rankings(&rankings, 5, Some(&weights), &ignore), Err(Error::NotIdentifiable { components: 5, .. })));
    }

    #[test]
    fn plackett_luce_below_not_identifiable() {
        let below = Options::default();
        let expect =
            |rankings: &[Vec<u32>], n, never_win: &[u32], never_lose: &[u32], components, component_of: &[u32]| match fit_rankings(rankings, n, None, &below) {
                Err(Error::NotIdentifiable { never_win: w, never_lose: l, components: c, component_of: of }) => {
                    assert_eq!((w.as_slice(), l.as_slice(), c, of.as_slice()), (never_win, never_lose, components, component_of), "{rankings:?}");
                }
                other => panic!("{rankings:?}: {other:?}"),
            };
        // Item 0 is always first; 1 and 2 are never chosen (two sinks, numbered in either order).
        expect(&[vec![0], vec![0]], 3, &[1, 2], &[0], 3, &[0, 2, 1]);
        // An item nobody lists is below everyone, never chosen (under Ignore: never compared).
        expect(&[vec![0, 1], vec![1, 0]], 3, &[2], &[], 2, &[0, 0, 1]);
        // {0, 1} above {2, 3} although every item wins and loses.
        expect(&[vec![1, 0], vec![0, 1], vec![0, 1, 2, 3], vec![0, 1, 3, 2]], 4, &[], &[], 2, &[0, 0, 1, 1]);
        // ... and identifiable once 2 is once chosen over an unlisted 0.
        let f = fit_rankings(&[vec![1, 0], vec![0, 1], vec![0, 1, 2, 3], vec![0, 1, 3, 2], vec![2, 1]], 4, None, &below).unwrap();
        assert!(f.converged && f.theta[0] > f.theta[2]);
        // Under Ignore the last listed item is not chosen: [2, 1] alone connects nothing more.
        let ignore = Options { unranked: Unranked::Ignore, ..below };
        assert!(fit_rankings(&[vec![1, 0], vec![0, 1], vec![0, 1, 2, 3], vec![0, 1, 3, 2], vec![2]], 4, None, &ignore).is_err());
        assert!(fit_rankings(&[vec![1, 0], vec![0, 1], vec![0, 1, 2, 3], vec![0, 1, 3, 2], vec![2]], 4, None, &below).is_ok());
    }

    #[test]
    fn plackett_luce_below_components_match_the_explicit_graph() {
        // Random sparse top-k data, often split: the components without complement edges are
        // those of the graph with every "last listed → unlisted" edge written out.
        let mut rng = Rng(99);
        let (mut split, mut fast) = (0, 0);
        for case in 0..300 {
            let n = 2 + rng.below(9);
            let count = 1 + rng.below(6);
            let rankings: Vec<Vec<u32>> = (0..count)
                .map(|_| {
                    let m = 1 + rng.below(n);
                    let mut r: Vec<u32> = Vec::new();
                    while r.len() < m {
                        let i = rng.below(n) as u32;
                        if !r.contains(&i) {
                            r.push(i);
                        }
                    }
                    r
                })
                .collect();
            let d = prepare(RankingsRef { n, offsets: &csr(&rankings).0, items: &csr(&rankings).1, weights: None }, 0.0, Unranked::Below).unwrap();
            let (components, of) = components_below(&d).unwrap();
            if connected_by_sweeps(&d, 8) {
                assert_eq!(components, 1, "case {case}: {rankings:?}");
                fast += 1;
            }
            // One sweep per direction: "connected" or "not known", never wrong.
            assert!(!connected_by_sweeps(&d, 1) || components == 1, "case {case}: {rankings:?}");
            let mut edges = Vec::new();
            for r in &rankings {
                edges.extend(r.windows(2).map(|w| (w[0], w[1])));
                if r.len() < n {
                    edges.extend((0..n as u32).filter(|j| !r.contains(j)).map(|j| (r[r.len() - 1], j)));
                }
            }
            let (want, want_of) = Digraph::from_edges(n, edges.clone()).unwrap().strongly_connected_components();
            assert_eq!(components, want, "case {case}: {rankings:?}");
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(of[i] == of[j], want_of[i] == want_of[j], "case {case}: {rankings:?}");
                }
            }
            // Numbered in topological order.
            assert!(edges.iter().all(|&(a, b)| of[a as usize] <= of[b as usize]), "case {case}: {rankings:?} {of:?}");
            split += (components > 1) as usize;
            assert_eq!(fit_rankings(&rankings, n, None, &Options::default()).is_err(), components > 1);
        }
        assert!(split > 50 && split < 250 && fast > 0, "{split} {fast}");
    }

    #[test]
    fn plackett_luce_deterministic_for_any_thread_count() {
        // > 2 blocks of rankings, so the parallel sums really are split.
        let theta = spread_theta(30, 12);
        let subsets = sample(&theta, 40_000, 6, 5, 21);
        let top_k = sample(&theta, 40_000, 30, 4, 22);
        for (rankings, unranked) in [(&subsets, Unranked::Ignore), (&top_k, Unranked::Below)] {
            let run = |threads: usize, solver: Solver| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| fit_rankings(rankings, 30, None, &Options { solver, unranked, regularization: 0.1, ..Default::default() }).unwrap())
            };
            for solver in [Solver::MM, Solver::Fast] {
                let a = run(1, solver);
                let b = run(3, solver);
                assert!(a.converged);
                assert_eq!(a.theta, b.theta);
                assert_eq!(a.iterations, b.iterations);
                assert_eq!(a.log_likelihood.to_bits(), b.log_likelihood.to_bits());
            }
        }
        // The bootstrap too.
        let (offsets, items) = csr(&top_k[..2_000]);
        let r = RankingsRef { n: 30, offsets: &offsets, items: &items, weights: None };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| bootstrap(r, &Options::default(), 0..4, 7).unwrap())
        };
        let (a, b) = (run(1), run(3));
        assert_eq!(a, b);
        assert!(a.0.len() == 4 * 30 && a.0.iter().all(|x| x.is_finite()));
    }

    /// `cargo test --release -p rankagg-core plackett_luce_large -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn plackett_luce_large_timing() {
        let (nascar, _) = nascar();
        for solver in [Solver::Fast, Solver::MM] {
            let t = std::time::Instant::now();
            let f = fit_rankings(&nascar, 83, None, &Options { solver, unranked: Unranked::Ignore, ..Default::default() }).unwrap();
            println!("NASCAR {solver:?}: {} iterations, {:?}", f.iterations, t.elapsed());
        }
        let theta = spread_theta(100, 1);
        for (size, keep, unranked) in [(10, 10, Unranked::Ignore), (100, 3, Unranked::Ignore), (100, 3, Unranked::Below)] {
            let rankings = sample(&theta, 100_000, size, keep, 2);
            let (offsets, items) = csr(&rankings);
            for solver in [Solver::Fast, Solver::MM] {
                let t = std::time::Instant::now();
                let f =
                    fit(RankingsRef { n: 100, offsets: &offsets, items: &items, weights: None }, &Options { solver, unranked, ..Default::default() }).unwrap();
                println!("100k top-{keep} of {size} {unranked:?} {solver:?}: {} iterations, converged {}, {:?}", f.iterations, f.converged, t.elapsed());
                assert!(f.converged);
            }
        }
    }
}
