//! Directed-graph helpers: strongly connected components (iterative Tarjan, no recursion).

use crate::error::Result;
use crate::memory::try_filled;

/// A directed graph in compressed sparse row form.
#[derive(Debug, Clone)]
pub struct Digraph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Digraph {
    /// Builds a graph on `n` nodes from an edge list. Its two arrays are fallible allocations
    /// (a majority graph holds up to n(n − 1)/2 edges): `Err(OutOfMemory)` when refused.
    pub fn from_edges(n: usize, edges: impl IntoIterator<Item = (u32, u32)> + Clone) -> Result<Self> {
        let mut offsets: Vec<usize> = try_filled(n + 1, 0)?;
        for (u, _) in edges.clone() {
            offsets[u as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = try_filled(n + 1, 0usize)?;
        fill.copy_from_slice(&offsets);
        let mut targets: Vec<u32> = try_filled(offsets[n], 0)?;
        for (u, v) in edges {
            targets[fill[u as usize]] = v;
            fill[u as usize] += 1;
        }
        Ok(Digraph { offsets, targets })
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn successors(&self, u: usize) -> &[u32] {
        &self.targets[self.offsets[u]..self.offsets[u + 1]]
    }

    /// Strongly connected components. Returns (number of components, component of each node),
    /// numbered in topological order of the condensation: every edge between two components
    /// goes from the lower-numbered one to the higher-numbered one.
    pub fn strongly_connected_components(&self) -> (usize, Vec<u32>) {
        let next = |u: usize, pos: usize| self.successors(u).get(pos).map(|&v| (v as usize, pos + 1));
        let (total, mut comp) = tarjan(self.len(), next, || false).unwrap_or_default();
        // Tarjan emits components in reverse topological order; flip so 0 comes first.
        for c in comp.iter_mut() {
            *c = total as u32 - 1 - *c;
        }
        (total, comp)
    }
}

/// Tarjan's strongly connected components (iterative: no recursion) of the graph on `n` nodes
/// whose successors `next(u, pos)` lists: the first successor at or after position `pos` of
/// u's list and the position after it, or None past the end (a list, or a dense row scanned
/// from `pos`). Returns (number of components, component of each node), numbered in reverse
/// topological order (Tarjan's): every edge between two components goes from the
/// higher-numbered one to the lower-numbered one. `stop` is asked every 1,024 nodes; None
/// when it said yes.
pub fn tarjan(n: usize, mut next: impl FnMut(usize, usize) -> Option<(usize, usize)>, mut stop: impl FnMut() -> bool) -> Option<(usize, Vec<u32>)> {
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut comp = vec![UNSEEN; n];
    let mut n_comp = 0u32;
    let mut next_index = 0u32;
    // Call stack of (node, position in its successor list).
    let mut calls: Vec<(u32, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root as u32, 0));
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        while let Some(&mut (u, ref mut pos)) = calls.last_mut() {
            let u = u as usize;
            if let Some((v, after)) = next(u, *pos) {
                *pos = after;
                if index[v] == UNSEEN {
                    if next_index % 1024 == 0 && stop() {
                        return None;
                    }
                    index[v] = next_index;
                    low[v] = next_index;
                    next_index += 1;
                    stack.push(v as u32);
                    on_stack[v] = true;
                    calls.push((v as u32, 0));
                } else if on_stack[v] {
                    low[u] = low[u].min(index[v]);
                }
            } else {
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    let p = parent as usize;
                    low[p] = low[p].min(low[u]);
                }
                if low[u] == index[u] {
                    loop {
                        let w = stack.pop().expect("Tarjan stack holds u") as usize;
                        on_stack[w] = false;
                        comp[w] = n_comp;
                        if w == u {
                            break;
                        }
                    }
                    n_comp += 1;
                }
            }
        }
    }
    Some((n_comp as usize, comp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_and_tail() {
        // 0 -> 1 -> 2 -> 0 is one component; 2 -> 3 makes 3 a sink of its own.
        let g = Digraph::from_edges(4, vec![(0, 1), (1, 2), (2, 0), (2, 3)]).unwrap();
        let (k, comp) = g.strongly_connected_components();
        assert_eq!(k, 2);
        assert_eq!(comp[0], comp[1]);
        assert_eq!(comp[1], comp[2]);
        assert_ne!(comp[2], comp[3]);
        // Topological numbering: the cycle (source) comes before the sink.
        assert!(comp[0] < comp[3]);
    }

    #[test]
    fn long_path_does_not_overflow_the_stack() {
        let n = 200_000u32;
        let edges: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).chain(std::iter::once((n - 1, 0))).collect();
        let g = Digraph::from_edges(n as usize, edges).unwrap();
        let (k, _) = g.strongly_connected_components();
        assert_eq!(k, 1);
    }
}
