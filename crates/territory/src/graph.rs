//! The adjacency of units: which units share a border (or are joined by a link, such as a
//! ferry to an island). Stored as compressed rows for the search's tight loops.

use crate::rng::Rng;

/// Units that are neighbours, by index; each unordered pair once or twice (kept once).
#[derive(Debug, Clone)]
pub struct Graph {
    start: Vec<u32>,
    next: Vec<u32>,
    /// Shared border length (km) of each entry of `next`, 0 when unknown.
    border: Vec<f64>,
}

/// An edge given by its two unit indexes, with the border length when known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub border_km: Option<f64>,
}

impl Graph {
    /// The graph of `n` units; loops are dropped, repeated pairs kept once.
    pub fn new(n: usize, edges: &[Edge]) -> Graph {
        let mut pairs: Vec<(u32, u32, f64)> = Vec::with_capacity(edges.len() * 2);
        for e in edges {
            if e.a == e.b || e.a >= n || e.b >= n {
                continue;
            }
            let w = e.border_km.unwrap_or(0.0);
            pairs.push((e.a as u32, e.b as u32, w));
            pairs.push((e.b as u32, e.a as u32, w));
        }
        pairs.sort_by_key(|p| (p.0, p.1));
        pairs.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        let mut start = vec![0u32; n + 1];
        for p in &pairs {
            start[p.0 as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        Graph {
            start,
            next: pairs.iter().map(|p| p.1).collect(),
            border: pairs.iter().map(|p| p.2).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn neighbours(&self, u: usize) -> &[u32] {
        &self.next[self.start[u] as usize..self.start[u + 1] as usize]
    }

    /// Neighbours with the border shared with each (0 when unknown).
    pub fn borders(&self, u: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.start[u] as usize..self.start[u + 1] as usize;
        self.next[r.clone()]
            .iter()
            .zip(&self.border[r])
            .map(|(v, w)| (*v as usize, *w))
    }

    /// Each unit's connected component number, and how many there are.
    pub fn components(&self) -> (Vec<usize>, usize) {
        let n = self.len();
        let mut comp = vec![usize::MAX; n];
        let mut count = 0;
        let mut stack = Vec::new();
        for s in 0..n {
            if comp[s] != usize::MAX {
                continue;
            }
            comp[s] = count;
            stack.push(s);
            while let Some(u) = stack.pop() {
                for &v in self.neighbours(u) {
                    if comp[v as usize] == usize::MAX {
                        comp[v as usize] = count;
                        stack.push(v as usize);
                    }
                }
            }
            count += 1;
        }
        (comp, count)
    }

    /// Whether the units with `member(u)` true form one connected piece (none is connected).
    pub fn is_connected_within(&self, member: impl Fn(usize) -> bool) -> bool {
        let n = self.len();
        let Some(first) = (0..n).find(|&u| member(u)) else {
            return true;
        };
        let mut seen = vec![false; n];
        seen[first] = true;
        let mut stack = vec![first];
        let mut reached = 1;
        while let Some(u) = stack.pop() {
            for &v in self.neighbours(u) {
                let v = v as usize;
                if !seen[v] && member(v) {
                    seen[v] = true;
                    reached += 1;
                    stack.push(v);
                }
            }
        }
        reached == (0..n).filter(|&u| member(u)).count()
    }
}

/// Adjacency from centroids when no polygons are known: the Delaunay triangulation, without
/// edges much longer than their neighbourhood's (which cross bays, deserts or the outside of
/// the hull), then the shortest links that join what that left apart, so every unit is
/// reachable. Links are returned with `border_km: None`.
pub fn adjacency_from_points(xy: &[(f64, f64)]) -> Vec<Edge> {
    let n = xy.len();
    if n < 2 {
        return Vec::new();
    }
    let points: Vec<delaunator::Point> = xy
        .iter()
        .map(|&(x, y)| delaunator::Point { x, y })
        .collect();
    let t = delaunator::triangulate(&points);
    let dist = |a: usize, b: usize| {
        let (dx, dy) = (xy[a].0 - xy[b].0, xy[a].1 - xy[b].1);
        (dx * dx + dy * dy).sqrt()
    };
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for tri in t.triangles.chunks_exact(3) {
        for (a, b) in [(tri[0], tri[1]), (tri[1], tri[2]), (tri[2], tri[0])] {
            edges.push((a.min(b), a.max(b)));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    // A unit's typical distance to its neighbours: the median of its Delaunay edges.
    let mut lengths: Vec<Vec<f64>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        let d = dist(a, b);
        lengths[a].push(d);
        lengths[b].push(d);
    }
    let typical: Vec<f64> = lengths
        .iter_mut()
        .map(|l| {
            if l.is_empty() {
                return f64::INFINITY;
            }
            l.sort_by(f64::total_cmp);
            l[l.len() / 2]
        })
        .collect();
    let kept: Vec<Edge> = edges
        .iter()
        .filter(|&&(a, b)| dist(a, b) <= 2.5 * typical[a].min(typical[b]))
        .map(|&(a, b)| Edge {
            a,
            b,
            border_km: Some(0.0),
        })
        .collect();
    join_components(xy, kept)
}

/// Adds the shortest link between pieces until the graph is one piece (Kruskal over the
/// pieces, candidate links from each piece's nearest outside unit).
pub fn join_components(xy: &[(f64, f64)], mut edges: Vec<Edge>) -> Vec<Edge> {
    let n = xy.len();
    loop {
        let (comp, count) = Graph::new(n, &edges).components();
        if count <= 1 {
            return edges;
        }
        // For the smallest piece, its nearest unit in another piece.
        let mut size = vec![0usize; count];
        for &c in &comp {
            size[c] += 1;
        }
        let small = (0..count).min_by_key(|&c| (size[c], c)).unwrap_or(0);
        let mut best: Option<(f64, usize, usize)> = None;
        for a in (0..n).filter(|&a| comp[a] == small) {
            for b in (0..n).filter(|&b| comp[b] != small) {
                let (dx, dy) = (xy[a].0 - xy[b].0, xy[a].1 - xy[b].1);
                let d = dx * dx + dy * dy;
                if best.is_none_or(|(bd, _, _)| d < bd) {
                    best = Some((d, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else {
            return edges;
        };
        edges.push(Edge {
            a,
            b,
            border_km: None,
        });
    }
}

/// Random points for tests and benchmarks: `n` units in clusters (towns) over a `side` km
/// square, deterministic for a seed.
pub fn clustered_points(n: usize, side: f64, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed);
    let towns: Vec<(f64, f64, f64)> = (0..(n / 40).max(3))
        .map(|_| {
            (
                rng.unit() * side,
                rng.unit() * side,
                side * (0.02 + 0.08 * rng.unit()),
            )
        })
        .collect();
    (0..n)
        .map(|i| {
            if i % 3 == 0 {
                (rng.unit() * side, rng.unit() * side)
            } else {
                let t = towns[rng.below(towns.len())];
                // Box-Muller for a normal spread around the town.
                let r = (-2.0 * (1.0 - rng.unit()).ln()).sqrt() * t.2;
                let a = std::f64::consts::TAU * rng.unit();
                (
                    (t.0 + r * a.cos()).clamp(0.0, side),
                    (t.1 + r * a.sin()).clamp(0.0, side),
                )
            }
        })
        .collect()
}
