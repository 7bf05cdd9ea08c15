//! Compaction: with balance reached, neighbouring pairs of territories are re-cut along
//! spanning trees of their union, keeping each within the balance tolerance (or its present
//! deviation, if that is wider), and the cut whose halves are most compact is kept when it
//! beats the present pair. Compactness is judged as the search judges it (potential-weighted
//! distance to the medoid); candidate cuts are ranked first by their weighted moment of
//! inertia, which subtree sums give for every cut of a tree at once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::Search;
use crate::figures::{dist, medoid};

/// Spanning trees tried per pair and round.
const TREES: usize = 6;
/// Rounds over all neighbouring pairs (each stops early when nothing improves).
const ROUNDS: usize = 3;

/// Per-subtree sums: weight, weighted x, y and x² + y², and the balanced measures.
#[derive(Clone, Copy, Default)]
pub(super) struct Sums {
    pub w: f64,
    wx: f64,
    wy: f64,
    wrr: f64,
    pub m: [f64; 2],
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.w += o.w;
        self.wx += o.wx;
        self.wy += o.wy;
        self.wrr += o.wrr;
        self.m[0] += o.m[0];
        self.m[1] += o.m[1];
    }

    pub fn minus(&self, o: &Sums) -> Sums {
        Sums {
            w: self.w - o.w,
            wx: self.wx - o.wx,
            wy: self.wy - o.wy,
            wrr: self.wrr - o.wrr,
            m: [self.m[0] - o.m[0], self.m[1] - o.m[1]],
        }
    }

    /// Σ w·|p − centroid|², the moment of inertia about the weighted centroid.
    pub fn inertia(&self) -> f64 {
        if self.w <= 0.0 {
            return 0.0;
        }
        self.wrr - (self.wx * self.wx + self.wy * self.wy) / self.w
    }
}

/// A spanning tree's subtrees: their sums, and the locked units of the pair's first and
/// second territory each holds.
pub(super) struct TreeSums {
    pub sub: Vec<Sums>,
    locked_a: Vec<u32>,
    locked_b: Vec<u32>,
}

impl TreeSums {
    /// Whether cutting above `i` (the subtree going to the first territory, or else to the
    /// second) leaves every locked unit in its territory.
    pub fn locks_fit(&self, i: usize, root: usize, subtree_to_a: bool) -> bool {
        if subtree_to_a {
            self.locked_b[i] == 0 && self.locked_a[i] == self.locked_a[root]
        } else {
            self.locked_a[i] == 0 && self.locked_b[i] == self.locked_b[root]
        }
    }
}

impl Search<'_> {
    /// Sums over every subtree of a spanning tree of `members` (children before parents,
    /// which reverse visiting order gives).
    pub(super) fn tree_sums(
        &self,
        a: usize,
        members: &[usize],
        parent: &[usize],
        order: &[usize],
    ) -> TreeSums {
        let m = members.len();
        let mut sub = vec![Sums::default(); m];
        let mut locked_a = vec![0u32; m];
        let mut locked_b = vec![0u32; m];
        for &i in order.iter().rev() {
            let u = members[i];
            let (x, y, w) = (self.p.units[u].x, self.p.units[u].y, self.weights[u]);
            let mut own = Sums {
                w,
                wx: w * x,
                wy: w * y,
                wrr: w * (x * x + y * y),
                m: [0.0; 2],
            };
            for (mi, v) in own.m.iter_mut().enumerate().take(self.measures.len()) {
                *v = self.value(mi, u);
            }
            sub[i].add(&own);
            if self.locked[u] {
                if self.assign[u] as usize == a {
                    locked_a[i] += 1;
                } else {
                    locked_b[i] += 1;
                }
            }
            if parent[i] != usize::MAX {
                let (p, s) = (parent[i], sub[i]);
                sub[p].add(&s);
                locked_a[p] += locked_a[i];
                locked_b[p] += locked_b[i];
            }
        }
        TreeSums {
            sub,
            locked_a,
            locked_b,
        }
    }

    pub(super) fn compact(&mut self, tolerance: f64, deadline: Option<Instant>) {
        for _ in 0..ROUNDS {
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for u in 0..self.n {
                let a = self.assign[u] as usize;
                for &v in self.p.graph.neighbours(u) {
                    let b = self.assign[v as usize] as usize;
                    if a < b && !self.closed[a] && !self.closed[b] {
                        pairs.push((a, b));
                    }
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            // A seeded shuffle: no pair is always first.
            for i in (1..pairs.len()).rev() {
                let j = self.rng.below(i + 1);
                pairs.swap(i, j);
            }
            let mut improved = false;
            for (a, b) in pairs {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return;
                }
                improved |= self.compact_pair(a, b, tolerance);
            }
            if !improved {
                return;
            }
        }
    }

    /// The widest relative deviation territory `t` may have after a re-cut: the tolerance,
    /// or its present deviation when that is wider (a re-cut never makes balance worse than
    /// it is or than allowed).
    fn allowed(&self, t: usize, tolerance: f64) -> [f64; 2] {
        let mut out = [tolerance; 2];
        for (mi, me) in self.measures.iter().enumerate() {
            let dev = (self.load[t][mi] - me.target[t]).abs() / me.share.max(1e-12);
            out[mi] = tolerance.max(dev);
        }
        out
    }

    fn within(&self, t: usize, loads: [f64; 2], allowed: [f64; 2]) -> bool {
        self.measures.iter().enumerate().all(|(mi, me)| {
            (loads[mi] - me.target[t]).abs() / me.share.max(1e-12) <= allowed[mi] + 1e-12
        })
    }

    /// Potential-weighted distance of `side` to its medoid (or to the fixed centre).
    pub(super) fn spread(&self, t: usize, side: &[usize]) -> (f64, usize) {
        let c = if self.fixed_centre[t] {
            self.centre[t]
        } else {
            medoid(self.p, &self.weights, side)
        };
        let s = side
            .iter()
            .map(|&u| self.weights[u] * dist(self.p, u, c))
            .sum();
        (s, c)
    }

    fn compact_pair(&mut self, a: usize, b: usize, tolerance: f64) -> bool {
        let members: Vec<usize> = (0..self.n)
            .filter(|&u| {
                let t = self.assign[u] as usize;
                t == a || t == b
            })
            .collect();
        let m = members.len();
        if m < 3 {
            return false;
        }
        let (allow_a, allow_b) = (self.allowed(a, tolerance), self.allowed(b, tolerance));
        let side_a: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&u| self.assign[u] as usize == a)
            .collect();
        let side_b: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&u| self.assign[u] as usize == b)
            .collect();
        let before = self.spread(a, &side_a).0 + self.spread(b, &side_b).0;
        for (i, &u) in members.iter().enumerate() {
            self.slot[u] = i as u32;
        }
        let mut best: Option<(f64, Vec<bool>, [usize; 2])> = None;
        for _ in 0..TREES {
            let Some((parent, order)) = self.random_tree(&members) else {
                break;
            };
            let sums = self.tree_sums(a, &members, &parent, &order);
            let total = sums.sub[order[0]];
            // The feasible cut with the least inertia.
            let mut cut: Option<(f64, usize, bool)> = None;
            for &i in order.iter().skip(1) {
                let rest = total.minus(&sums.sub[i]);
                let inertia = sums.sub[i].inertia() + rest.inertia();
                if cut.is_some_and(|(c, _, _)| inertia >= c) {
                    continue;
                }
                for subtree_to_a in [true, false] {
                    let (la, lb) = if subtree_to_a {
                        (sums.sub[i].m, rest.m)
                    } else {
                        (rest.m, sums.sub[i].m)
                    };
                    if sums.locks_fit(i, order[0], subtree_to_a)
                        && self.within(a, la, allow_a)
                        && self.within(b, lb, allow_b)
                    {
                        cut = Some((inertia, i, subtree_to_a));
                        break;
                    }
                }
            }
            let Some((_, at, subtree_to_a)) = cut else {
                continue;
            };
            let below = subtree_members(&parent, at, m);
            let to_a: Vec<bool> = below.iter().map(|&s| s == subtree_to_a).collect();
            let side = |first: bool| -> Vec<usize> {
                members
                    .iter()
                    .zip(&to_a)
                    .filter(|(_, f)| **f == first)
                    .map(|(&u, _)| u)
                    .collect()
            };
            let (sa, ca) = self.spread(a, &side(true));
            let (sb, cb) = self.spread(b, &side(false));
            if best.as_ref().is_none_or(|(s, _, _)| sa + sb < *s) {
                best = Some((sa + sb, to_a, [ca, cb]));
            }
        }
        for &u in &members {
            self.slot[u] = u32::MAX;
        }
        let Some((after, to_a, centres)) = best else {
            return false;
        };
        // A real gain only (1e-6 of the pair's spread), so rounds end.
        if after >= before * (1.0 - 1e-6) {
            return false;
        }
        for (i, &u) in members.iter().enumerate() {
            let (from, to) = (self.assign[u] as usize, if to_a[i] { a } else { b });
            if from != to {
                self.shift(u, from, to);
            }
        }
        self.centre[a] = centres[0];
        self.centre[b] = centres[1];
        true
    }

    /// A random spanning tree of `members` (see `random_tree`), their slots set for it and
    /// cleared after.
    pub(super) fn tree_of(&mut self, members: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
        for (i, &u) in members.iter().enumerate() {
            self.slot[u] = i as u32;
        }
        let tree = self.random_tree(members);
        for &u in members {
            self.slot[u] = u32::MAX;
        }
        tree
    }

    /// A random spanning tree of the units whose `slot` is set (minimum over distances
    /// scaled by a random factor): parents and the visiting order, or None when the units
    /// are not connected.
    fn random_tree(&mut self, members: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
        let m = members.len();
        let mut parent = vec![usize::MAX; m];
        let mut inside = vec![false; m];
        let mut order = Vec::with_capacity(m);
        let mut heap = BinaryHeap::new();
        heap.push((Reverse(0u64), 0usize, usize::MAX));
        while let Some((_, i, from)) = heap.pop() {
            if inside[i] {
                continue;
            }
            inside[i] = true;
            parent[i] = from;
            order.push(i);
            let u = members[i];
            for &v in self.p.graph.neighbours(u) {
                let j = self.slot[v as usize];
                if j == u32::MAX || inside[j as usize] {
                    continue;
                }
                let w = dist(self.p, u, v as usize) * (0.5 + self.rng.unit());
                heap.push((Reverse((w * 1e6) as u64), j as usize, i));
            }
        }
        (order.len() == m).then_some((parent, order))
    }
}

/// Whether each member is in the subtree below `at` (`at` included).
pub(super) fn subtree_members(parent: &[usize], at: usize, m: usize) -> Vec<bool> {
    let mut below = vec![None::<bool>; m];
    below[at] = Some(true);
    let mut path = Vec::new();
    for i in 0..m {
        path.clear();
        let mut x = i;
        let found = loop {
            if let Some(known) = below[x] {
                break known;
            }
            if parent[x] == usize::MAX {
                break false;
            }
            path.push(x);
            x = parent[x];
        };
        below[x].get_or_insert(found);
        for &y in &path {
            below[y] = Some(found);
        }
    }
    below.into_iter().map(|b| b.unwrap_or(false)).collect()
}
