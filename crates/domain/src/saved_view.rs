//! Saved views (保存的视图): a user's named set of list filters, sort and columns. A view is
//! only ever the list's own query replayed by its owner, so it can narrow what they see but
//! never widen it: the data scope applies when the list runs.

use std::collections::BTreeMap;

use crate::validation::Checker;

/// At most this many views per user and list.
pub const MAX_VIEWS: i64 = 30;

/// The lists that can have saved views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    Customers,
}

str_enum!(ViewKind { Customers = "customers" });

impl ViewKind {
    /// The query parameters of the list a view may hold (its filters, sort and page size).
    fn parameters(self) -> &'static [&'static str] {
        match self {
            ViewKind::Customers => &[
                "q",
                "typeCode",
                "levelCode",
                "statusCode",
                "industryCode",
                "sourceCode",
                "province",
                "city",
                "tag",
                "ownerId",
                "unitId",
                "locked",
                "idleDays",
                "due",
                "cf",
                "forgotten",
                "sort",
                "order",
                "pageSize",
            ],
        }
    }
}

/// A view as it may be stored: a name, the list's query parameters (as the list's URL would
/// carry them) and the columns shown, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSpec {
    pub name: String,
    pub query: BTreeMap<String, String>,
    pub columns: Vec<String>,
}

/// Checks a view against its list; every problem is reported with its field.
pub fn check_view(
    kind: ViewKind,
    name: &str,
    query: BTreeMap<String, String>,
    columns: Vec<String>,
) -> Result<ViewSpec, crate::Invalid> {
    let mut c = Checker::new();
    let name = name.trim();
    if name.is_empty() {
        c.fail("name", "required");
    } else if name.chars().count() > 40 {
        c.fail("name", "too_long");
    }
    if query
        .keys()
        .any(|k| !kind.parameters().contains(&k.as_str()))
    {
        c.fail("query", "view.unknown_filter");
    } else if query.iter().any(|(k, v)| {
        let max = if k == "cf" {
            crate::custom_field::MAX_FILTER_LEN
        } else {
            60
        };
        v.chars().count() > max
    }) {
        c.fail("query", "too_long");
    }
    let column_ok = |s: &String| {
        !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    };
    if columns.len() > 40 {
        c.fail("columns", "too_many");
    } else if !columns.iter().all(column_ok) {
        c.fail("columns", "invalid_characters");
    }
    c.finish()?;
    // Empty values are filters not set.
    let query = query
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    Ok(ViewSpec {
        name: name.to_owned(),
        query,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_view_holds_the_lists_own_parameters() {
        let v = check_view(
            ViewKind::Customers,
            "  我的A级客户 ",
            q(&[("levelCode", "A"), ("idleDays", "30"), ("q", " ")]),
            vec!["name".into(), "lastFollowupAt".into()],
        )
        .unwrap();
        assert_eq!(v.name, "我的A级客户");
        assert_eq!(
            v.query,
            q(&[("levelCode", "A"), ("idleDays", "30")]),
            "blank filters dropped"
        );
    }

    #[test]
    fn anything_else_is_named_by_its_field() {
        let e = check_view(
            ViewKind::Customers,
            "",
            q(&[("ownerScope", "all")]),
            vec!["name; DROP".into()],
        )
        .unwrap_err();
        let codes: Vec<(String, &str)> = e.0.into_iter().map(|f| (f.field, f.code)).collect();
        assert_eq!(
            codes,
            [
                ("name".to_owned(), "required"),
                ("query".to_owned(), "view.unknown_filter"),
                ("columns".to_owned(), "invalid_characters")
            ]
        );
        let long = "长".repeat(61);
        let e = check_view(
            ViewKind::Customers,
            &"名".repeat(41),
            q(&[("q", &long)]),
            vec![],
        )
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(ViewKind::parse("orders"), Err("invalid_choice"));
    }
}
