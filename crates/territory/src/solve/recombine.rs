//! Recombination (after ReCom, DeFord, Duchin and Solomon 2021): two neighbouring
//! territories are merged and split again along one edge of a spanning tree of their
//! union. Boundary moves cannot repair a territory whose only neighbour is a thin band in
//! which every unit holds the band together (an island joined by one link, a coastal strip):
//! no single unit may leave the band. A new cut of the pair can, and both halves of a tree
//! cut are connected by construction.

use std::time::Instant;

use super::Search;
use super::compact::subtree_members;
use crate::figures::{dist, medoid};

/// Spanning trees tried per pair: each gives its best cut; more trees find better cuts of
/// awkward shapes at a linear cost.
/// (A pair of few units gets more: its trees are cheap and its good cuts rare.)
const TREES: usize = 8;
const TREES_MAX: usize = 16;

/// A split of a pair's units: which go to the first territory, with the pair's cost.
struct Split {
    cost: f64,
    to_first: Vec<bool>,
    centres: [usize; 2],
}

impl Search<'_> {
    /// Recombines the worst-balanced territories with their neighbours while that lowers
    /// the objective, worst first.
    pub(super) fn recombine(&mut self, deadline: Option<Instant>) {
        for _ in 0..(4 * self.k) {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return;
            }
            let order = self.worst_first();
            let mut improved = false;
            'worst: for &(cost, t) in order.iter().take(4) {
                if cost < self.settled {
                    break;
                }
                for b in self.neighbouring_territories(t) {
                    if self.try_recombine(t, b) {
                        improved = true;
                        break 'worst;
                    }
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Open territories that share a border with `t`, in index order.
    fn neighbouring_territories(&self, t: usize) -> Vec<usize> {
        let mut found = vec![false; self.k];
        for u in (0..self.n).filter(|&u| self.assign[u] as usize == t) {
            for &v in self.p.graph.neighbours(u) {
                found[self.assign[v as usize] as usize] = true;
            }
        }
        (0..self.k)
            .filter(|&b| b != t && found[b] && !self.closed[b])
            .collect()
    }

    /// Merges `a` and `b` and keeps the best tree cut if it beats their present split.
    fn try_recombine(&mut self, a: usize, b: usize) -> bool {
        let members: Vec<usize> = (0..self.n)
            .filter(|&u| {
                let t = self.assign[u] as usize;
                t == a || t == b
            })
            .collect();
        let present: Vec<bool> = members
            .iter()
            .map(|&u| self.assign[u] as usize == a)
            .collect();
        let before = self.pair_cost(a, b, &members, &present, [self.centre[a], self.centre[b]]);
        let mut best: Option<Split> = None;
        let trees = (6000 / members.len().max(1)).clamp(TREES, TREES_MAX);
        for _ in 0..trees {
            let Some(split) = self.best_tree_cut(a, b, &members) else {
                continue;
            };
            if best.as_ref().is_none_or(|s| split.cost < s.cost) {
                best = Some(split);
            }
        }
        let Some(best) = best else { return false };
        if best.cost >= before - 1e-12 {
            return false;
        }
        for (i, &u) in members.iter().enumerate() {
            let (from, to) = (
                self.assign[u] as usize,
                if best.to_first[i] { a } else { b },
            );
            if from != to {
                self.shift(u, from, to);
            }
        }
        self.centre[a] = best.centres[0];
        self.centre[b] = best.centres[1];
        true
    }

    /// A spanning tree of the pair's units (minimum over distances scaled by a random
    /// factor, so trees are compact but differ), and its cut with the lowest balance cost
    /// that keeps locked units in their territories.
    fn best_tree_cut(&mut self, a: usize, b: usize, members: &[usize]) -> Option<Split> {
        let m = members.len();
        let (parent, order) = self.tree_of(members)?;
        let sums = self.tree_sums(a, members, &parent, &order);
        let root = order[0];
        let total = sums.sub[root];
        let mut cut: Option<(f64, usize, bool)> = None;
        for i in order.iter().copied().skip(1) {
            let rest = total.minus(&sums.sub[i]);
            // The subtree goes to `a` (its locked units must all be a's) or to `b`.
            for subtree_to_a in [true, false] {
                if !sums.locks_fit(i, root, subtree_to_a) {
                    continue;
                }
                let (la, lb) = if subtree_to_a {
                    (sums.sub[i].m, rest.m)
                } else {
                    (rest.m, sums.sub[i].m)
                };
                let cost = self.balance_cost(a, la) + self.balance_cost(b, lb);
                if cut.is_none_or(|(c, _, _)| cost < c) {
                    cut = Some((cost, i, subtree_to_a));
                }
            }
        }
        let (_, at, subtree_to_a) = cut?;
        let below = subtree_members(&parent, at, m);
        let to_first: Vec<bool> = below.iter().map(|&s| s == subtree_to_a).collect();
        let centres = [
            self.centre_of(a, members, &to_first, true),
            self.centre_of(b, members, &to_first, false),
        ];
        let cost = self.pair_cost(a, b, members, &to_first, centres);
        Some(Split {
            cost,
            to_first,
            centres,
        })
    }

    fn centre_of(&self, t: usize, members: &[usize], to_first: &[bool], first: bool) -> usize {
        if self.fixed_centre[t] {
            return self.centre[t];
        }
        let side: Vec<usize> = members
            .iter()
            .zip(to_first)
            .filter(|(_, f)| **f == first)
            .map(|(&u, _)| u)
            .collect();
        medoid(self.p, &self.weights, &side)
    }

    /// The objective restricted to territories `a` and `b` under a split of their units.
    fn pair_cost(
        &self,
        a: usize,
        b: usize,
        members: &[usize],
        to_first: &[bool],
        centres: [usize; 2],
    ) -> f64 {
        let mut la = [0.0; 2];
        let mut lb = [0.0; 2];
        let mut spread = 0.0;
        let mut moved = 0usize;
        for (&u, &first) in members.iter().zip(to_first) {
            let (load, t, c) = if first {
                (&mut la, a, centres[0])
            } else {
                (&mut lb, b, centres[1])
            };
            for (mi, l) in load.iter_mut().enumerate().take(self.measures.len()) {
                *l += self.value(mi, u);
            }
            spread += self.weights[u] * dist(self.p, u, c);
            if let Some(current) = &self.current {
                moved += usize::from(current[u] as usize != t);
            }
        }
        self.balance_cost(a, la)
            + self.balance_cost(b, lb)
            + self.lambda * spread / self.compact_scale
            + self.mu * moved as f64 / self.n as f64
    }
}
