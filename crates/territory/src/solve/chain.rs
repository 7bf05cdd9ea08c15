//! Ejection chains: a territory over its share passes a unit to a neighbour, which passes
//! one on to the next, and so on, the whole chain kept when it lowers the objective though
//! a single move would not. Queens (0.82 of a share) with Richmond and Monmouth is 5 % over;
//! Monmouth alone (0.09) overfills any neighbour unless that neighbour passes a unit on.

use std::time::Instant;

use super::Search;

/// Moves in a chain at most.
const DEPTH: usize = 3;
/// The best moves followed from each link.
const BEAM: usize = 4;

/// A move of unit `u` from territory `from` to `to`.
#[derive(Clone, Copy)]
struct Move {
    u: usize,
    from: usize,
    to: usize,
}

impl Search<'_> {
    /// Chains from the worst-balanced territories while one helps.
    pub(super) fn chains(&mut self, deadline: Option<Instant>) {
        let lambda = self.lambda * 0.2;
        for _ in 0..(2 * self.k) {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return;
            }
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.k];
            for u in 0..self.n {
                members[self.assign[u] as usize].push(u);
            }
            let mut improved = false;
            for &(cost, t) in self.worst_first().iter().take(2) {
                if cost < self.settled {
                    break;
                }
                let mut best: (f64, Vec<Move>) = (-1e-12, Vec::new());
                let mut path = Vec::new();
                self.extend_chain(t, 0.0, &members, &mut path, &mut best, lambda);
                if !best.1.is_empty() {
                    for m in &best.1 {
                        self.shift(m.u, m.from, m.to);
                    }
                    improved = true;
                    break;
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Tries each of the best moves out of or into `at` (applied tentatively), records the
    /// best chain so far in `best`, and goes on from the territory on the move's other side.
    fn extend_chain(
        &mut self,
        at: usize,
        sofar: f64,
        members: &[Vec<usize>],
        path: &mut Vec<Move>,
        best: &mut (f64, Vec<Move>),
        lambda: f64,
    ) {
        if path.len() >= DEPTH {
            return;
        }
        let mut candidates: Vec<(f64, Move)> = Vec::new();
        let moved: Vec<usize> = path.iter().map(|m| m.u).collect();
        // A territory over its share passes units on; one under it takes them.
        let over: f64 = self
            .measures
            .iter()
            .enumerate()
            .map(|(m, me)| (self.load[at][m] - me.target[at]) / me.share.max(1e-12))
            .sum();
        let (give, take) = (over > 0.0, over < 0.0);
        let in_at = members[at]
            .iter()
            .copied()
            .chain(moved.iter().copied())
            .filter(|&u| self.assign[u] as usize == at);
        for u in in_at {
            if moved.contains(&u) {
                continue;
            }
            for &v in self.p.graph.neighbours(u) {
                let b = self.assign[v as usize] as usize;
                if b == at || self.closed[b] && self.closed[at] {
                    continue;
                }
                // Out of `at` into b, or v from b into `at`.
                if give && self.movable(u) {
                    let d = self.delta(u, at, b, lambda);
                    candidates.push((d, Move { u, from: at, to: b }));
                }
                let v = v as usize;
                if take && self.movable(v) && !moved.contains(&v) {
                    let d = self.delta(v, b, at, lambda);
                    candidates.push((
                        d,
                        Move {
                            u: v,
                            from: b,
                            to: at,
                        },
                    ));
                }
            }
        }
        candidates.sort_by(|x, y| {
            x.0.total_cmp(&y.0)
                .then((x.1.u, x.1.to).cmp(&(y.1.u, y.1.to)))
        });
        candidates.dedup_by(|x, y| x.1.u == y.1.u && x.1.to == y.1.to);
        let mut tried = 0;
        for (d, m) in candidates {
            if tried >= BEAM {
                break;
            }
            // A chain never hands a unit back along itself.
            if path
                .last()
                .is_some_and(|p| p.from == m.to && p.to == m.from)
            {
                continue;
            }
            if !self.stays_connected(m.u, m.from) {
                continue;
            }
            tried += 1;
            let total = sofar + d;
            self.shift(m.u, m.from, m.to);
            path.push(m);
            if total < best.0 {
                *best = (total, path.clone());
            }
            let next = if m.from == at { m.to } else { m.from };
            self.extend_chain(next, total, members, path, best, lambda);
            path.pop();
            self.shift(m.u, m.to, m.from);
        }
    }
}
