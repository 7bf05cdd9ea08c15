//! Balance repair, for a start that ends with territories beyond the balance tolerance: the
//! worst of them is merged with one, two or three neighbours and the group cut again into
//! as many territories (recursive tree cuts, or a first piece grown around a heavy unit),
//! and the new cut is kept when it brings the group nearer the tolerance. The other passes
//! judge by the objective, in which compactness can outweigh a few percent of balance, and
//! re-cut at most two territories at a time; some plans need three or four to change
//! together, or a heavy unit needs a ring of small ones around it, which no tree cut takes
//! whole. Virginia into 13: Richmond (0.57 of a share) with Henrico (0.48) was 4.5 % over
//! for two seeds in five; Florida into 6: Broward (0.75) with Collier and Lee 3.7 % over.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::Search;
use crate::figures::dist;

/// Recursive cuts tried per group, for a group of up to 200 units (fewer above: each cut
/// costs a few spanning trees of the group).
const CUTS: usize = 96;
/// Work allowed (units visited by the cuts, about 0.1 µs each) for the repair of the plan
/// kept, and per unit of the problem for the quick one after each start. Virginia's
/// repair needs about 1.5 million; the contiguous US at k = 50, where it cannot help, stops
/// at the budget after about 0.2 s.
const THOROUGH_WORK: usize = 2_000_000;
const QUICK_WORK: usize = 100;

/// A unit's state while a piece grows.
#[derive(Clone, Copy, PartialEq)]
enum Grow {
    Outside,
    Free,
    Queued,
    Taken,
}

/// A group's state judged by balance first: the squared excess beyond the tolerance summed
/// over its territories, then the objective restricted to it; and the largest territory's
/// excess, which a new cut may not raise (a lower sum can hide a worse worst).
#[derive(Clone, Copy)]
struct Judged {
    excess: f64,
    cost: f64,
    worst: f64,
}

impl Judged {
    fn better_than(&self, other: &Judged) -> bool {
        (self.excess, self.cost) < (other.excess, other.cost)
    }
}

impl Search<'_> {
    /// Re-cuts groups around the territories beyond the balance tolerance, worst first,
    /// while one helps, within a work budget (`thorough` for the plan kept, else quick).
    /// Groups with a locked unit or a fixed centre are left alone (the cuts do not honour
    /// them); a realignment is not repaired (see `run`).
    pub(super) fn repair_balance(&mut self, thorough: bool, deadline: Option<Instant>) {
        let (worst_tried, cuts, budget) = if thorough {
            (3, CUTS, THOROUGH_WORK)
        } else {
            (1, CUTS / 3, QUICK_WORK * self.n.max(1000))
        };
        self.repair_work = 0;
        for _ in 0..(2 * self.k) {
            let worst: Vec<usize> = self
                .worst_first()
                .into_iter()
                .filter(|&(_, t)| self.excess(t, self.load[t]) > 0.0)
                .map(|(_, t)| t)
                .take(worst_tried)
                .collect();
            let mut improved = false;
            'worst: for t in worst {
                for group in self.groups_around(t) {
                    if self.repair_work >= budget || deadline.is_some_and(|d| Instant::now() >= d) {
                        return;
                    }
                    if self.try_regroup(&group, cuts) {
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

    /// A unit's balanced measures in fair shares.
    fn heft(&self, u: usize) -> f64 {
        self.measures
            .iter()
            .map(|me| me.values[u] / me.share.max(1e-12))
            .sum()
    }

    /// Squared deviation beyond the balance tolerance of territory `t` holding `loads`, over
    /// the balanced measures.
    fn excess(&self, t: usize, loads: [f64; 2]) -> f64 {
        self.measures
            .iter()
            .enumerate()
            .map(|(m, me)| {
                let d = (loads[m] - me.target[t]).abs() / me.share.max(1e-12) - self.tolerance;
                if d > 0.0 { d * d } else { 0.0 }
            })
            .sum()
    }

    /// `t` with each neighbour, then with two and with three territories around it, each
    /// touching the group before it (open territories without a fixed centre), the smaller
    /// groups first: they are cheaper to cut and their cuts more often good.
    fn groups_around(&self, t: usize) -> Vec<Vec<usize>> {
        let free = |s: &Self, x: usize| !s.closed[x] && !s.fixed_centre[x];
        if !free(self, t) {
            return Vec::new();
        }
        let around = |s: &Self, of: &[usize]| -> Vec<usize> {
            let mut found = vec![false; s.k];
            for u in (0..s.n).filter(|&u| of.contains(&(s.assign[u] as usize))) {
                for &v in s.p.graph.neighbours(u) {
                    found[s.assign[v as usize] as usize] = true;
                }
            }
            (0..s.k)
                .filter(|&x| found[x] && !of.contains(&x) && free(s, x))
                .collect()
        };
        let near = around(self, &[t]);
        let mut groups: Vec<Vec<usize>> = near.iter().map(|&b| vec![t, b]).collect();
        let mut triples: Vec<Vec<usize>> = Vec::new();
        for &b in &near {
            for c in around(self, &[t, b]) {
                let mut g = vec![t, b, c];
                g[1..].sort_unstable();
                triples.push(g);
            }
        }
        triples.sort_unstable();
        triples.dedup();
        let mut quads: Vec<Vec<usize>> = Vec::new();
        for g in &triples {
            for d in around(self, g) {
                let mut q = vec![g[0], g[1], g[2], d];
                q[1..].sort_unstable();
                quads.push(q);
            }
        }
        quads.sort_unstable();
        quads.dedup();
        groups.extend(triples);
        groups.extend(quads);
        groups
    }

    /// Cuts `group`'s units again into as many territories and keeps the best cut if it
    /// lowers the group's excess beyond the balance tolerance.
    fn try_regroup(&mut self, group: &[usize], cuts: usize) -> bool {
        let members: Vec<usize> = (0..self.n)
            .filter(|&u| group.contains(&(self.assign[u] as usize)))
            .collect();
        if members.len() < group.len() || members.iter().any(|&u| self.locked[u]) {
            return false;
        }
        let present: Vec<usize> = members.iter().map(|&u| self.assign[u] as usize).collect();
        let before = self.judge(group, &members, &present, true);
        let cuts = (cuts * 200 / members.len().max(200)).max(4);
        let mut best: Option<(Judged, Vec<usize>)> = None;
        // Every other cut grows its first piece from the heaviest unit of one of the group's
        // territories, in turn.
        let heaviest: Vec<usize> = group
            .iter()
            .filter_map(|&t| {
                members
                    .iter()
                    .copied()
                    .filter(|&u| self.assign[u] as usize == t)
                    .max_by(|&x, &y| self.heft(x).total_cmp(&self.heft(y)))
            })
            .collect();
        for i in 0..cuts {
            self.repair_work += members.len() * group.len();
            let grow_from = (i % 2 == 1).then(|| heaviest[(i / 2) % heaviest.len()]);
            let Some(cut) = self.recursive_cut(group, &members, grow_from) else {
                continue;
            };
            let quick = self.judge(group, &members, &cut, false);
            if quick.worst > before.worst + 1e-15
                || best
                    .as_ref()
                    .is_some_and(|(b, _)| quick.excess > b.excess + 1e-15)
            {
                continue;
            }
            let full = self.judge(group, &members, &cut, true);
            if best.as_ref().is_none_or(|(b, _)| full.better_than(b)) {
                best = Some((full, cut));
            }
        }
        let Some((judged, cut)) = best else {
            return false;
        };
        if judged.excess >= before.excess - 1e-12 {
            return false;
        }
        for (i, &u) in members.iter().enumerate() {
            let from = self.assign[u] as usize;
            if from != cut[i] {
                self.shift(u, from, cut[i]);
            }
        }
        for &t in group {
            let side: Vec<usize> = members
                .iter()
                .zip(&cut)
                .filter(|(_, to)| **to == t)
                .map(|(&u, _)| u)
                .collect();
            self.centre[t] = self.spread(t, &side).1;
        }
        true
    }

    /// The group's units cut into its territories: a piece near an even part of what is
    /// left, then the next, each along an edge of a random spanning tree (the first grown
    /// from `grow_from` instead, when given).
    fn recursive_cut(
        &mut self,
        group: &[usize],
        members: &[usize],
        grow_from: Option<usize>,
    ) -> Option<Vec<usize>> {
        let mut pieces: Vec<Vec<usize>> = Vec::with_capacity(group.len());
        let mut rest = members.to_vec();
        for left in (2..=group.len()).rev() {
            let piece = match grow_from {
                Some(anchor) if left == group.len() => self.grown_piece(members, left, anchor),
                _ => self.best_piece(&rest, left, 1)?,
            };
            let mut inside = vec![false; self.n];
            piece.iter().for_each(|&u| inside[u] = true);
            rest.retain(|&u| !inside[u]);
            // A tree cut leaves the rest in one piece; a grown piece may not.
            if grow_from.is_some() && left == group.len() {
                self.tree_of(&rest)?;
            }
            pieces.push(piece);
        }
        pieces.push(rest);
        let mut to = vec![usize::MAX; self.n];
        for (piece, &t) in pieces.iter().zip(group) {
            for &u in piece {
                to[u] = t;
            }
        }
        Some(members.iter().map(|&u| to[u]).collect())
    }

    /// A piece grown from `anchor` towards 1/`left` of the members' load: a neighbouring
    /// unit that does not take it beyond that is added, the nearer (by a random factor)
    /// first, until none fits. Tree cuts take or leave whole branches; a heavy unit whose
    /// territory needs a ring of small units around it to reach a share (Broward, three
    /// quarters of a share, with Collier, Hendry, Glades...) is made this way.
    fn grown_piece(&mut self, members: &[usize], left: usize, anchor: usize) -> Vec<usize> {
        let mut total = [0.0; 2];
        let mut state = vec![Grow::Outside; self.n];
        for &u in members {
            state[u] = Grow::Free;
            for (mi, t) in total.iter_mut().enumerate().take(self.measures.len()) {
                *t += self.value(mi, u);
            }
        }
        let limit: Vec<f64> = self
            .measures
            .iter()
            .enumerate()
            .map(|(mi, me)| total[mi] / left as f64 + self.tolerance * me.share)
            .collect();
        let mut load = [0.0; 2];
        // Units next to the piece, nearest first; one that does not fit now never will (the
        // load only grows), so it is dropped.
        let mut next = BinaryHeap::new();
        next.push((Reverse(0u64), anchor));
        state[anchor] = Grow::Queued;
        while let Some((_, u)) = next.pop() {
            let fits = (0..self.measures.len()).all(|mi| load[mi] + self.value(mi, u) <= limit[mi]);
            if !fits && u != anchor {
                continue;
            }
            state[u] = Grow::Taken;
            for (mi, l) in load.iter_mut().enumerate().take(self.measures.len()) {
                *l += self.value(mi, u);
            }
            for &v in self.p.graph.neighbours(u) {
                let v = v as usize;
                if state[v] == Grow::Free {
                    state[v] = Grow::Queued;
                    let key = dist(self.p, anchor, v) * (0.5 + self.rng.unit());
                    next.push((Reverse((key * 1e6) as u64), v));
                }
            }
        }
        members
            .iter()
            .copied()
            .filter(|&u| state[u] == Grow::Taken)
            .collect()
    }

    /// The group under `to` (each member's territory): its excess beyond the balance
    /// tolerance and, when `full`, the objective restricted to it (centres at the pieces'
    /// medoids, as compaction places them).
    fn judge(&self, group: &[usize], members: &[usize], to: &[usize], full: bool) -> Judged {
        let mut excess = 0.0;
        let mut cost = 0.0;
        let mut worst = 0.0f64;
        for &t in group {
            let mut load = [0.0; 2];
            let mut side = Vec::new();
            for (&u, &x) in members.iter().zip(to) {
                if x == t {
                    for (m, l) in load.iter_mut().enumerate().take(self.measures.len()) {
                        *l += self.value(m, u);
                    }
                    side.push(u);
                }
            }
            let own = self.excess(t, load);
            excess += own;
            worst = worst.max(own);
            if full {
                cost += self.balance_cost(t, load);
                if !side.is_empty() {
                    cost += self.lambda * self.spread(t, &side).0 / self.compact_scale;
                }
            }
        }
        Judged {
            excess,
            cost,
            worst,
        }
    }
}
