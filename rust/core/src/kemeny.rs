//! Kemeny–Young consensus: the order that minimises the total pairwise disagreement with the
//! voters, Σ_{a placed before b} P[b][a], where P[i][j] is the (weighted) number of voters who
//! prefer i to j.
//!
//! The search first splits the items into the strongly connected components of the graph with
//! an edge i → j whenever i is not beaten by j (P[i][j] ≥ P[j][i]); between components every
//! majority is strict and agrees with the component order, and some optimal Kemeny order keeps
//! the components in that order. Each component of at most `exact_limit` items is solved
//! exactly by dynamic programming over subsets (Held–Karp style, O(2^k k²)); a larger component
//! gets Borda's order improved by insertion moves, with the lower bound Σ_{i<j} min(P[i][j],
//! P[j][i]). `optimal` is true only when the cost equals the proven lower bound.

use crate::error::{Error, Result};
use crate::graph::Digraph;

#[derive(Debug, Clone)]
pub struct Solution {
    /// Item indices, best first.
    pub order: Vec<u32>,
    pub cost: f64,
    pub lower_bound: f64,
    pub optimal: bool,
    /// The components, in order, each listing its items in the returned order.
    pub components: Vec<Vec<u32>>,
}

/// Largest component solved exactly by the subset DP (2^k entries).
pub const MAX_EXACT: usize = 22;

/// Kemeny consensus of the `n × n` preference matrix `p` (row-major, `p[i*n+j]` = voters
/// preferring i to j; the diagonal is ignored).
pub fn kemeny(p: &[f64], n: usize, exact_limit: usize) -> Result<Solution> {
    if p.len() != n * n {
        return Err(Error::InvalidArgument("kemeny: matrix must be n × n".into()));
    }
    if p.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(Error::InvalidArgument("kemeny: preferences must be finite and >= 0".into()));
    }
    if exact_limit > MAX_EXACT {
        return Err(Error::InvalidArgument(format!("kemeny: exact_limit is at most {MAX_EXACT}")));
    }
    let at = |i: usize, j: usize| p[i * n + j];
    let mut edges = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i != j && at(i, j) >= at(j, i) {
                edges.push((i as u32, j as u32));
            }
        }
    }
    let (count, component_of) = Digraph::from_edges(n, edges).strongly_connected_components();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &c) in component_of.iter().enumerate() {
        members[c as usize].push(i);
    }
    // Order the components: component A before B when A's items beat B's (all edges between
    // them go one way). Sort by the number of items each component's items beat.
    let wins = |c: &Vec<usize>| -> usize { c.iter().map(|&i| (0..n).filter(|&j| j != i && at(i, j) > at(j, i)).count()).sum::<usize>() / c.len().max(1) };
    let mut comps: Vec<Vec<usize>> = members.into_iter().filter(|c| !c.is_empty()).collect();
    comps.sort_by(|a, b| {
        let (x, y) = (a[0], b[0]);
        at(y, x).partial_cmp(&at(x, y)).unwrap_or(std::cmp::Ordering::Equal).then(wins(b).cmp(&wins(a)))
    });
    let mut order = Vec::with_capacity(n);
    let mut lower_bound = 0.0;
    let mut optimal = true;
    let mut components = Vec::with_capacity(comps.len());
    for comp in &comps {
        let (sub, exact, bound) = if comp.len() <= exact_limit { solve_exact(p, n, comp) } else { solve_heuristic(p, n, comp) };
        optimal &= exact;
        lower_bound += bound;
        components.push(sub.iter().map(|&i| i as u32).collect());
        order.extend(sub);
    }
    // Pairs in different components: their majority is strict and respected; its minority
    // is a fixed cost, part of the bound.
    let mut position = vec![0usize; n];
    for (k, &i) in order.iter().enumerate() {
        position[i] = k;
    }
    let mut cost = 0.0;
    for a in 0..n {
        for b in 0..n {
            if a != b && position[a] < position[b] {
                cost += at(b, a);
                if component_of[a] != component_of[b] {
                    lower_bound += at(b, a);
                }
            }
        }
    }
    if !optimal && cost <= lower_bound * (1.0 + 1e-12) {
        optimal = true;
    }
    Ok(Solution { order: order.into_iter().map(|i| i as u32).collect(), cost, lower_bound, optimal, components })
}

/// Exact order of `items` by DP over subsets: f[S] = cheapest cost of placing S first.
fn solve_exact(p: &[f64], n: usize, items: &[usize]) -> (Vec<usize>, bool, f64) {
    let k = items.len();
    if k <= 1 {
        return (items.to_vec(), true, 0.0);
    }
    let at = |a: usize, b: usize| p[items[a] * n + items[b]];
    let full = (1usize << k) - 1;
    let mut best = vec![f64::INFINITY; 1 << k];
    let mut choice = vec![0u8; 1 << k];
    best[0] = 0.0;
    for s in 0..full {
        let base = best[s];
        if !base.is_finite() {
            continue;
        }
        for j in 0..k {
            if s & (1 << j) != 0 {
                continue;
            }
            // j goes after every item of s: the voters preferring j to them disagree.
            let mut add = 0.0;
            let mut rest = s;
            while rest != 0 {
                let i = rest.trailing_zeros() as usize;
                add += at(j, i);
                rest &= rest - 1;
            }
            let t = s | (1 << j);
            // Ties: keep the first (smallest j) choice, so the result is deterministic.
            if base + add < best[t] {
                best[t] = base + add;
                choice[t] = j as u8;
            }
        }
    }
    let mut order = Vec::with_capacity(k);
    let mut s = full;
    while s != 0 {
        let j = choice[s] as usize;
        order.push(items[j]);
        s &= !(1 << j);
    }
    order.reverse();
    (order, true, best[full])
}

/// Borda order improved by insertion moves until none helps; bound Σ min(P[i][j], P[j][i]).
fn solve_heuristic(p: &[f64], n: usize, items: &[usize]) -> (Vec<usize>, bool, f64) {
    let at = |a: usize, b: usize| p[a * n + b];
    let mut order: Vec<usize> = items.to_vec();
    let borda = |i: usize| -> f64 { items.iter().map(|&j| if j == i { 0.0 } else { at(i, j) }).sum() };
    order.sort_by(|&a, &b| borda(b).partial_cmp(&borda(a)).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
    let mut bound = 0.0;
    for (x, &i) in items.iter().enumerate() {
        for &j in &items[x + 1..] {
            bound += at(i, j).min(at(j, i));
        }
    }
    loop {
        let mut improved = false;
        for from in 0..order.len() {
            let item = order[from];
            // Cost change of moving `item` to each position, computed incrementally.
            let (mut best_delta, mut best_to) = (0.0, from);
            let mut delta = 0.0;
            for to in (0..from).rev() {
                let other = order[to];
                delta += at(other, item) - at(item, other); // item jumps ahead of other
                if delta < best_delta - 1e-12 {
                    best_delta = delta;
                    best_to = to;
                }
            }
            delta = 0.0;
            for (to, &other) in order.iter().enumerate().skip(from + 1) {
                delta += at(item, other) - at(other, item); // item falls behind other
                if delta < best_delta - 1e-12 {
                    best_delta = delta;
                    best_to = to;
                }
            }
            if best_to != from {
                let it = order.remove(from);
                order.insert(best_to, it);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    let mut cost = 0.0;
    for (x, &a) in order.iter().enumerate() {
        for &b in &order[x + 1..] {
            cost += at(b, a);
        }
    }
    let exact = cost <= bound * (1.0 + 1e-12);
    (order, exact, bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(p: &[f64], n: usize, order: &[u32]) -> f64 {
        let mut c = 0.0;
        for x in 0..n {
            for y in x + 1..n {
                c += p[order[y] as usize * n + order[x] as usize];
            }
        }
        c
    }

    fn permutations(n: usize) -> Vec<Vec<u32>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for k in 0..=p.len() {
                let mut q = p.clone();
                q.insert(k, (n - 1) as u32);
                out.push(q);
            }
        }
        out
    }

    #[test]
    fn matches_brute_force_on_random_matrices() {
        let mut s = 11u64;
        for trial in 0..60 {
            let n = 2 + trial % 6;
            let mut p = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        p[i * n + j] = ((s >> 33) % 7) as f64;
                    }
                }
            }
            let best = permutations(n).iter().map(|o| cost(&p, n, o)).fold(f64::INFINITY, f64::min);
            let sol = kemeny(&p, n, 16).unwrap();
            assert!(sol.optimal);
            assert!((sol.cost - best).abs() < 1e-9, "trial {trial}: {} vs {best}", sol.cost);
            assert!((sol.cost - cost(&p, n, &sol.order)).abs() < 1e-9);
            assert!((sol.lower_bound - sol.cost).abs() < 1e-9);
            // The heuristic never beats the optimum, and claims optimality only when it holds.
            let h = kemeny(&p, n, 0).unwrap();
            assert!(h.cost >= best - 1e-9 && h.lower_bound <= best + 1e-9);
            assert!(!h.optimal || (h.cost - best).abs() < 1e-9);
        }
    }
}
