//! A first plan by recursive tree cuts (after gerrychain's `recursive_tree_part`): a random
//! spanning tree of the units not yet placed is cut at the edge whose piece comes nearest a
//! fair share of what is left, and the piece becomes a territory; both sides of a tree cut
//! are connected, so every territory is. Region growing seeds each heavy unit in its own
//! territory, which strands a heavy unit whose neighbours are all heavy (Orange County
//! between Los Angeles, Riverside and San Diego); a cut takes whole groups of units and
//! pairs heavy neighbours when that is what balances.

use super::Search;
use super::compact::subtree_members;
use crate::Options;
use crate::figures::oversized_units;

/// Spanning trees drawn per cut; the best cut over them is taken.
const TREES: usize = 8;

impl Search<'_> {
    /// Places every unit by tree cuts. Returns false, having placed nothing, when bases or
    /// locks are given (region growing honours them) or an oversized unit cuts the rest in
    /// two.
    pub(super) fn cut_by_trees(&mut self, o: &Options) -> bool {
        if !o.bases.is_empty() || !o.locked.is_empty() {
            return false;
        }
        let (n, k) = (self.n, self.k);
        let mut big = vec![false; n];
        for me in &self.measures {
            for (u, b) in oversized_units(&me.values, k).into_iter().enumerate() {
                big[u] |= b;
            }
        }
        let rest: Vec<usize> = (0..n).filter(|&u| !big[u]).collect();
        let heavy = n - rest.len();
        if heavy >= k || rest.is_empty() || !self.connected(&rest) {
            return false;
        }
        // An oversized unit is a territory of its own, as in region growing.
        for (t, u) in (0..n).filter(|&u| big[u]).enumerate() {
            self.close_around(t, u);
            self.put(u, t);
        }
        let mut rest = rest;
        for t in heavy..k - 1 {
            let left = k - t;
            let Some(piece) = self.best_piece(&rest, left, TREES) else {
                self.unplace();
                return false;
            };
            for &u in &piece {
                self.put(u, t);
            }
            rest.retain(|&u| self.assign[u] == u32::MAX);
        }
        for &u in &rest {
            self.put(u, k - 1);
        }
        true
    }

    /// Undoes a partial placement (the search then grows regions instead).
    fn unplace(&mut self) {
        self.assign.iter_mut().for_each(|a| *a = u32::MAX);
        self.load.iter_mut().for_each(|l| *l = [0.0; 2]);
        self.size.iter_mut().for_each(|s| *s = 0);
        self.closed.iter_mut().for_each(|c| *c = false);
        self.fixed_centre.iter_mut().for_each(|c| *c = false);
        for me in &mut self.measures {
            let share = me.share;
            me.target.iter_mut().for_each(|t| *t = share);
        }
    }

    fn connected(&mut self, members: &[usize]) -> bool {
        self.tree_of(members).is_some()
    }

    /// The piece of `members` cut off along one edge of a spanning tree that comes nearest
    /// 1/`left` of their load (the rest's error spread over the territories still to cut),
    /// the most compact among near-equal ones, over a few trees.
    pub(super) fn best_piece(
        &mut self,
        members: &[usize],
        left: usize,
        trees: usize,
    ) -> Option<Vec<usize>> {
        let m = members.len();
        let mut total = [0.0; 2];
        for &u in members {
            for (mi, t) in total.iter_mut().enumerate().take(self.measures.len()) {
                *t += self.value(mi, u);
            }
        }
        let want: Vec<f64> = total.iter().map(|t| t / left as f64).collect();
        let mut best: Option<((f64, f64), Vec<bool>)> = None;
        for _ in 0..trees {
            let (parent, order) = self.tree_of(members)?;
            let sums = self.tree_sums(0, members, &parent, &order);
            let root = order[0];
            let all = sums.sub[root];
            let mut cut: Option<((f64, f64), usize, bool)> = None;
            for i in order.iter().copied().skip(1) {
                for subtree in [true, false] {
                    let piece = if subtree {
                        sums.sub[i]
                    } else {
                        all.minus(&sums.sub[i])
                    };
                    let mut dev = 0.0f64;
                    for (mi, me) in self.measures.iter().enumerate() {
                        dev = dev.max((piece.m[mi] - want[mi]).abs() / me.share.max(1e-12));
                    }
                    // Within 0.2 % every cut is as good: the most compact wins.
                    let spread = piece.inertia() / piece.w.max(1e-12);
                    let score = (dev.max(0.002), spread);
                    if cut.is_none_or(|(s, _, _)| score < s) {
                        cut = Some((score, i, subtree));
                    }
                }
            }
            let Some((score, at, subtree)) = cut else {
                continue;
            };
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                let below = subtree_members(&parent, at, m);
                best = Some((score, below.iter().map(|&b| b == subtree).collect()));
            }
        }
        let (_, taken) = best?;
        Some(
            members
                .iter()
                .zip(taken)
                .filter(|(_, t)| *t)
                .map(|(&u, _)| u)
                .collect(),
        )
    }
}
