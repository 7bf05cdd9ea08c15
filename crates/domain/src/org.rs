//! The sales organisation (组织架构): unit kinds, organising bases, and the materialised
//! path that makes "this unit and everything under it" one indexed range on both databases.

use serde::{Deserialize, Serialize};

/// What a unit is in the hierarchy. Any depth is allowed; the kind is a label for people
/// and for defaults, not a constraint on nesting (beyond the company being the root).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrgUnitKind {
    /// 公司: the single root.
    Company,
    /// 大区
    Region,
    /// 分公司 / 办事处
    Branch,
    /// 销售团队 / 小组
    Team,
    /// 职能部门 (sales support, customer service, finance...)
    Department,
}

/// How a unit divides its market: 按区域, 按产品线, 按客户类型, 按渠道; mixed orgs combine them
/// at different levels (a region split by product line, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrganisingBasis {
    Territory,
    ProductLine,
    CustomerSegment,
    Channel,
    Function,
}

str_enum!(OrgUnitKind { Company = "company", Region = "region", Branch = "branch", Team = "team", Department = "department" });
str_enum!(OrganisingBasis {
    Territory = "territory",
    ProductLine = "product_line",
    CustomerSegment = "customer_segment",
    Channel = "channel",
    Function = "function",
});

/// A materialised path like `/1/7/42/`: the sequence numbers of a unit's ancestors and itself.
/// Sequence numbers never change, so a path changes only when a unit moves.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root(seq: i64) -> Self {
        OrgPath(format!("/{seq}/"))
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let ok = s.len() >= 3
            && s.starts_with('/')
            && s.ends_with('/')
            && s[1..s.len() - 1]
                .split('/')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(OrgPath(s.to_owned()))
        } else {
            Err("org_path.invalid")
        }
    }

    pub fn child(&self, seq: i64) -> Self {
        OrgPath(format!("{}{seq}/", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }

    /// True when `other` is this unit or below it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The half-open range `[lo, hi)` of paths at or below this one, for an indexed range scan.
    /// Paths end in '/', and '0' is the byte after '/', so every descendant sorts before `hi`
    /// (the column must compare bytewise: `COLLATE "C"` on PostgreSQL, SQLite's default BINARY).
    pub fn subtree_range(&self) -> (String, String) {
        let mut hi = self.0.clone();
        hi.pop();
        hi.push('0');
        (self.0.clone(), hi)
    }

    /// The path of the same subtree after it moves under `new_parent`.
    pub fn rebase(&self, old_prefix: &OrgPath, new_prefix: &OrgPath) -> Option<OrgPath> {
        self.0
            .strip_prefix(&old_prefix.0)
            .map(|rest| OrgPath(format!("{}{rest}", new_prefix.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_accepts_paths_and_rejects_junk() {
        assert!(OrgPath::parse("/1/").is_ok());
        assert!(OrgPath::parse("/1/20/300/").is_ok());
        for bad in ["", "/", "//", "1/", "/1", "/a/", "/1//2/"] {
            assert!(OrgPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subtree_range_is_the_prefix_range() {
        let p = OrgPath::parse("/1/5/").unwrap();
        assert_eq!(p.subtree_range(), ("/1/5/".into(), "/1/50".into()));
        assert_eq!(p.depth(), 2);
    }

    #[test]
    fn sibling_with_longer_number_is_not_in_subtree() {
        let p = OrgPath::parse("/1/5/").unwrap();
        assert!(!p.contains(&OrgPath::parse("/1/55/").unwrap()));
        assert!(p.contains(&OrgPath::parse("/1/5/55/").unwrap()));
    }

    proptest! {
        // The range test used by SQL must agree with prefix containment for every pair of paths.
        #[test]
        fn range_agrees_with_contains(a in proptest::collection::vec(1i64..200, 1..5),
                                      b in proptest::collection::vec(1i64..200, 1..6)) {
            let mk = |v: &[i64]| v.iter().fold(OrgPath::root(v[0]), |p, s| if std::ptr::eq(s, &v[0]) { p } else { p.child(*s) });
            let (pa, pb) = (mk(&a), mk(&b));
            let (lo, hi) = pa.subtree_range();
            let in_range = pb.as_str() >= lo.as_str() && pb.as_str() < hi.as_str();
            prop_assert_eq!(in_range, pa.contains(&pb));
        }

        #[test]
        fn rebase_moves_the_whole_subtree(tail in proptest::collection::vec(1i64..50, 0..4)) {
            let old = OrgPath::parse("/1/2/").unwrap();
            let new = OrgPath::parse("/1/9/3/").unwrap();
            let node = tail.iter().fold(old.clone(), |p, s| p.child(*s));
            let moved = node.rebase(&old, &new).unwrap();
            prop_assert!(new.contains(&moved));
            prop_assert_eq!(moved.depth(), node.depth() + 1);
        }
    }
}
