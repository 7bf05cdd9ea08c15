//! Custom fields (自定义字段): fields a company adds to its customer records: text, number,
//! date, single select and multi select. This module holds what a field may be, how a value
//! typed for it is checked and stored, and the list filter on it (`cf=code:op:value;...`).
//!
//! A field's `code` and `kind` never change once created: stored values, saved views and
//! filters refer to them. Options are retired (made inactive), never removed, so every
//! stored value keeps its label.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{Checker, required_text};

/// At most this many fields per record type (active or not).
pub const MAX_FIELDS: i64 = 50;
/// At most this many options per select field.
pub const MAX_OPTIONS: usize = 100;
/// A text value's longest length, in characters.
pub const MAX_TEXT: usize = 200;
/// At most this many conditions in one list filter.
pub const MAX_CONDITIONS: usize = 10;
/// A list filter's longest length, in characters.
pub const MAX_FILTER_LEN: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldKind {
    /// 文本
    Text,
    /// 数字
    Number,
    /// 日期 (YYYY-MM-DD)
    Date,
    /// 单选
    Select,
    /// 多选
    MultiSelect,
}

str_enum!(FieldKind {
    Text = "text",
    Number = "number",
    Date = "date",
    Select = "select",
    MultiSelect = "multi_select",
});

impl FieldKind {
    fn has_options(self) -> bool {
        matches!(self, FieldKind::Select | FieldKind::MultiSelect)
    }
}

/// One choice of a select field. `code` is what is stored; `label` is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldOption {
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub label: String,
    /// Retired options stay on the records that have them but cannot be picked again.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A field as the company defined it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: Uuid,
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub active: bool,
}

impl FieldDef {
    /// A new customer must have a value of this field (however it is created: form or import).
    pub fn required_on_create(&self) -> bool {
        self.active && self.required
    }

    /// The label of a stored option code (the code itself if it is not an option).
    pub fn option_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.options
            .iter()
            .find(|o| o.code == code)
            .map_or(code, |o| o.label.as_str())
    }

    /// Where an option code stands among the options (unknown codes last), so a multi
    /// select's values read in the order the field lists them.
    pub fn option_rank(&self, code: &str) -> usize {
        self.options
            .iter()
            .position(|o| o.code == code)
            .unwrap_or(usize::MAX)
    }

    /// A stored value as one spreadsheet cell: option labels in the field's order, joined
    /// with 、.
    pub fn display(&self, values: &[&str]) -> String {
        if self.kind.has_options() {
            let mut values = values.to_vec();
            values.sort_by_key(|v| self.option_rank(v));
            let labels: Vec<&str> = values.iter().map(|v| self.option_label(v)).collect();
            labels.join("、")
        } else {
            values.join("、")
        }
    }
}

/// What an administrator submits for a field (checked by [`check_field`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<FieldOption>,
    pub required: bool,
}

/// Codes of fields and options: lower-case ASCII letters, digits and `_`, starting with a
/// letter (fields) or not (options, which are often numbers), at most 30 / 40 characters.
fn is_code(s: &str, max: usize, letter_first: bool) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| {
        c.is_ascii_lowercase() || (!letter_first && (c.is_ascii_digit() || c == '_'))
    });
    first_ok
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks a field definition; every problem is reported with its field.
pub fn check_field(
    code: &str,
    label: &str,
    kind: FieldKind,
    options: Vec<FieldOption>,
    required: bool,
) -> Result<FieldSpec, crate::Invalid> {
    let mut c = Checker::new();
    let code = code.trim().to_owned();
    if !is_code(&code, 30, true) {
        c.fail("code", "custom_field.code_invalid");
    }
    let label = c
        .check("label", required_text(label, 30))
        .unwrap_or_default();
    let mut clean: Vec<FieldOption> = Vec::new();
    if kind.has_options() {
        if options.is_empty() {
            c.fail("options", "custom_field.options_required");
        } else if options.len() > MAX_OPTIONS {
            c.fail("options", "too_many");
        }
        for (i, o) in options.iter().enumerate() {
            let code = o.code.trim().to_owned();
            if !is_code(&code, 40, false) {
                c.fail(&format!("options[{i}].code"), "custom_field.code_invalid");
            } else if clean.iter().any(|p| p.code == code) {
                c.fail(&format!("options[{i}].code"), "duplicate");
            }
            let label = c
                .check(&format!("options[{i}].label"), required_text(&o.label, 40))
                .unwrap_or_default();
            if !label.is_empty() && clean.iter().any(|p| p.label == label) {
                c.fail(&format!("options[{i}].label"), "duplicate");
            }
            clean.push(FieldOption {
                code,
                label,
                active: o.active,
            });
        }
        if !clean.is_empty() && !clean.iter().any(|o| o.active) {
            c.fail("options", "custom_field.options_required");
        }
    } else if !options.is_empty() {
        c.fail("options", "custom_field.options_not_allowed");
    }
    c.finish()?;
    Ok(FieldSpec {
        code,
        label,
        kind,
        options: clean,
        required,
    })
}

/// Whether a changed definition keeps what stored values rely on: the same code and kind,
/// and every option it had (retired rather than removed).
pub fn check_change(before: &FieldDef, after: &FieldSpec) -> Result<(), crate::Invalid> {
    let mut c = Checker::new();
    if before.code != after.code {
        c.fail("code", "custom_field.code_fixed");
    }
    if before.kind != after.kind {
        c.fail("kind", "custom_field.kind_fixed");
    }
    if before
        .options
        .iter()
        .any(|o| !after.options.iter().any(|a| a.code == o.code))
    {
        c.fail("options", "custom_field.option_removed");
    }
    c.finish()
}

/// A value as submitted: JSON text, a number, or a list of option codes. `Clear` empties it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldInput {
    Clear,
    Text(String),
    Number(f64),
    List(Vec<String>),
    /// Something no field takes (true/false, an object, a list of non-strings).
    Unsupported,
}

/// One stored row of a value: its text (the text, the date, the option code or the number
/// written out) and, for numbers, the number for range filters. Multi select values are one
/// row per picked option.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub text: String,
    pub num: Option<f64>,
}

/// Numbers: at most 15 significant digits and 6 decimals, thousands separators allowed.
pub fn parse_number(raw: &str) -> Result<f64, &'static str> {
    let s: String = crate::text::to_half_width(raw.trim())
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let body = s.strip_prefix('-').unwrap_or(&s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits_ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if int.is_empty()
        || !digits_ok(int)
        || !digits_ok(frac)
        || (body.contains('.') && frac.is_empty())
        || frac.len() > 6
        || int.trim_start_matches('0').len() + frac.len() > 15
    {
        return Err("number.invalid");
    }
    s.parse::<f64>().map_err(|_| "number.invalid")
}

fn number_value(n: f64) -> Result<Vec<StoredValue>, &'static str> {
    if !n.is_finite() || n.abs() >= 1e15 {
        return Err("number.invalid");
    }
    // Rounds away binary noise beyond the 6 decimals a number may have.
    let n = (n * 1e6).round() / 1e6;
    Ok(vec![StoredValue {
        text: n.to_string(),
        num: Some(n),
    }])
}

/// Checks a submitted value of `def`; `current` is the customer's stored option codes, which
/// may be kept even if an option has been retired since. An empty result clears the value.
pub fn parse_value(
    def: &FieldDef,
    input: &FieldInput,
    current: &[String],
) -> Result<Vec<StoredValue>, &'static str> {
    let text = |s: &str| StoredValue {
        text: s.to_owned(),
        num: None,
    };
    let pickable = |code: &str| {
        def.options
            .iter()
            .any(|o| o.code == code && (o.active || current.iter().any(|c| c == code)))
    };
    let out = match (def.kind, input) {
        (_, FieldInput::Clear) => Vec::new(),
        (FieldKind::Text, FieldInput::Text(s)) => {
            let s = s.trim();
            if s.chars().count() > MAX_TEXT {
                return Err("too_long");
            }
            if s.is_empty() { vec![] } else { vec![text(s)] }
        }
        (FieldKind::Number, FieldInput::Number(n)) => number_value(*n)?,
        (FieldKind::Number, FieldInput::Text(s)) if s.trim().is_empty() => vec![],
        (FieldKind::Number, FieldInput::Text(s)) => number_value(parse_number(s)?)?,
        (FieldKind::Date, FieldInput::Text(s)) if s.trim().is_empty() => vec![],
        (FieldKind::Date, FieldInput::Text(s)) => vec![text(&crate::customer::parse_date(s)?)],
        (FieldKind::Select, FieldInput::Text(s)) => match s.trim() {
            "" => vec![],
            code if pickable(code) => vec![text(code)],
            _ => return Err("option.unknown"),
        },
        (FieldKind::MultiSelect, FieldInput::Text(s)) => {
            return parse_value(def, &FieldInput::List(vec![s.clone()]), current);
        }
        (FieldKind::MultiSelect, FieldInput::List(codes)) => {
            if codes.len() > def.options.len().max(1) {
                return Err("too_many");
            }
            let mut out: Vec<StoredValue> = Vec::new();
            for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                if !pickable(code) {
                    return Err("option.unknown");
                }
                if !out.iter().any(|v| v.text == code) {
                    out.push(text(code));
                }
            }
            out
        }
        _ => return Err("custom_field.wrong_type"),
    };
    Ok(out)
}

/// A list filter's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOp {
    /// Equal to (a multi select: has this option).
    Eq,
    /// One of these comma-separated options (a multi select: has any of them).
    In,
    /// Text containing this.
    Like,
    /// At least (numbers and dates).
    Gte,
    /// At most (numbers and dates).
    Lte,
    /// Has a value.
    Set,
    /// Has no value.
    Unset,
}

str_enum!(FieldOp {
    Eq = "eq",
    In = "in",
    Like = "like",
    Gte = "gte",
    Lte = "lte",
    Set = "set",
    Unset = "unset",
});

/// One checked condition of a list filter.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCondition {
    pub field_id: Uuid,
    pub kind: FieldKind,
    pub op: FieldOp,
    /// The compared texts (dates, option codes, the text searched for).
    pub texts: Vec<String>,
    /// The compared number.
    pub num: Option<f64>,
}

fn op_allowed(kind: FieldKind, op: FieldOp) -> bool {
    use FieldOp as O;
    match op {
        O::Set | O::Unset | O::Eq => true,
        O::In => kind.has_options(),
        O::Like => kind == FieldKind::Text,
        O::Gte | O::Lte => matches!(kind, FieldKind::Number | FieldKind::Date),
    }
}

/// Reads a list filter: conditions `code:op:value` (or `code:set` / `code:unset`) separated by
/// `;`, all of which must hold. Any field may be filtered on, retired ones too.
pub fn parse_filter(defs: &[FieldDef], raw: &str) -> Result<Vec<FieldCondition>, &'static str> {
    if raw.chars().count() > MAX_FILTER_LEN {
        return Err("too_long");
    }
    let parts: Vec<&str> = raw
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > MAX_CONDITIONS {
        return Err("too_many");
    }
    let mut out = Vec::new();
    for part in parts {
        let mut it = part.splitn(3, ':');
        let code = it.next().unwrap_or_default().trim();
        let op = FieldOp::parse(it.next().unwrap_or_default().trim())
            .map_err(|_| "custom_field.filter_invalid")?;
        let value = it.next().map(str::trim).unwrap_or_default();
        let def = defs
            .iter()
            .find(|d| d.code == code)
            .ok_or("custom_field.unknown")?;
        if !op_allowed(def.kind, op) {
            return Err("custom_field.filter_invalid");
        }
        let needs_value = !matches!(op, FieldOp::Set | FieldOp::Unset);
        if needs_value == value.is_empty() {
            return Err("custom_field.filter_invalid");
        }
        let mut cond = FieldCondition {
            field_id: def.id,
            kind: def.kind,
            op,
            texts: Vec::new(),
            num: None,
        };
        if needs_value {
            match def.kind {
                FieldKind::Number => cond.num = Some(parse_number(value)?),
                FieldKind::Date => cond.texts.push(crate::customer::parse_date(value)?),
                FieldKind::Text => {
                    if value.chars().count() > MAX_TEXT {
                        return Err("too_long");
                    }
                    cond.texts.push(value.to_owned());
                }
                FieldKind::Select | FieldKind::MultiSelect => {
                    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                        if !def.options.iter().any(|o| o.code == code) {
                            return Err("option.unknown");
                        }
                        cond.texts.push(code.to_owned());
                    }
                    if cond.texts.is_empty() || (op == FieldOp::Eq && cond.texts.len() > 1) {
                        return Err("custom_field.filter_invalid");
                    }
                }
            }
        }
        out.push(cond);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(code: &str, label: &str, active: bool) -> FieldOption {
        FieldOption {
            code: code.into(),
            label: label.into(),
            active,
        }
    }

    fn def(code: &str, kind: FieldKind) -> FieldDef {
        FieldDef {
            id: Uuid::nil(),
            code: code.into(),
            label: code.into(),
            kind,
            options: if kind.has_options() {
                vec![
                    opt("big", "大", true),
                    opt("small", "小", true),
                    opt("old", "旧", false),
                ]
            } else {
                vec![]
            },
            required: false,
            active: true,
        }
    }

    #[test]
    fn definitions_are_checked_field_by_field() {
        let e = check_field("1bad", "", FieldKind::Select, vec![], false).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["code", "label", "options"]);
        let e = check_field(
            "scale",
            "规模",
            FieldKind::Select,
            vec![opt("a", "甲", true), opt("a", "甲", true)],
            false,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "options[1].code");
        assert_eq!(e.0[1].field, "options[1].label");
        assert!(
            check_field(
                "memo",
                "备注",
                FieldKind::Text,
                vec![opt("a", "甲", true)],
                false
            )
            .is_err()
        );
        let ok = check_field(" budget ", " 预算 ", FieldKind::Number, vec![], true).unwrap();
        assert_eq!((ok.code.as_str(), ok.label.as_str()), ("budget", "预算"));
    }

    #[test]
    fn changes_keep_code_kind_and_options() {
        let before = def("scale", FieldKind::Select);
        let mut after = check_field(
            "scale",
            "规模",
            FieldKind::Select,
            before.options.clone(),
            false,
        )
        .unwrap();
        assert!(check_change(&before, &after).is_ok());
        after.options.pop();
        assert_eq!(
            check_change(&before, &after).unwrap_err().0[0].code,
            "custom_field.option_removed"
        );
        after.kind = FieldKind::MultiSelect;
        assert_eq!(check_change(&before, &after).unwrap_err().0.len(), 2);
    }

    #[test]
    fn numbers_are_exact_enough_and_accept_what_people_type() {
        assert_eq!(parse_number("1,234.5"), Ok(1234.5));
        assert_eq!(parse_number("１２３"), Ok(123.0));
        assert_eq!(parse_number("-0.000001"), Ok(-0.000001));
        for bad in [
            "",
            "1.",
            ".5",
            "1e3",
            "abc",
            "1.0000001",
            "1234567890123456",
            "--1",
        ] {
            assert_eq!(parse_number(bad), Err("number.invalid"), "{bad}");
        }
        let d = def("budget", FieldKind::Number);
        let v = parse_value(&d, &FieldInput::Number(0.1 + 0.2), &[]).unwrap();
        assert_eq!(v[0].text, "0.3");
        assert_eq!(
            parse_value(&d, &FieldInput::Number(f64::NAN), &[]),
            Err("number.invalid")
        );
        assert_eq!(
            parse_value(&d, &FieldInput::Number(1e15), &[]),
            Err("number.invalid")
        );
    }

    #[test]
    fn values_must_fit_their_kind() {
        let text = def("memo", FieldKind::Text);
        assert_eq!(
            parse_value(&text, &FieldInput::Number(1.0), &[]),
            Err("custom_field.wrong_type")
        );
        assert_eq!(
            parse_value(&text, &FieldInput::Text("  ".into()), &[]),
            Ok(vec![])
        );
        assert_eq!(
            parse_value(&text, &FieldInput::Text("x".repeat(MAX_TEXT + 1)), &[]),
            Err("too_long")
        );
        let date = def("since", FieldKind::Date);
        assert_eq!(
            parse_value(&date, &FieldInput::Text("2024-02-30".into()), &[]),
            Err("date.invalid")
        );
        let one = def("scale", FieldKind::Select);
        assert_eq!(
            parse_value(&one, &FieldInput::Text("huge".into()), &[]),
            Err("option.unknown")
        );
        // A retired option cannot be picked, but a customer that has it keeps it.
        assert_eq!(
            parse_value(&one, &FieldInput::Text("old".into()), &[]),
            Err("option.unknown")
        );
        assert!(parse_value(&one, &FieldInput::Text("old".into()), &["old".into()]).is_ok());
        let many = def("lines", FieldKind::MultiSelect);
        let v = parse_value(
            &many,
            &FieldInput::List(vec!["big".into(), "small".into(), "big".into()]),
            &[],
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            many.display(&["small", "big"]),
            "大、小",
            "in the field's order"
        );
    }

    #[test]
    fn filters_name_known_fields_and_fitting_comparisons() {
        let defs = [
            def("budget", FieldKind::Number),
            def("scale", FieldKind::Select),
            def("memo", FieldKind::Text),
            def("since", FieldKind::Date),
        ];
        let f = parse_filter(
            &defs,
            "budget:gte:1,000 ; scale:in:big,small;memo:like:a:b;since:unset",
        )
        .unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].num, Some(1000.0));
        assert_eq!(f[1].texts, ["big", "small"]);
        assert_eq!(f[2].texts, ["a:b"]);
        assert_eq!(f[3].op, FieldOp::Unset);
        assert_eq!(
            parse_filter(&defs, "nope:eq:1"),
            Err("custom_field.unknown")
        );
        assert_eq!(
            parse_filter(&defs, "memo:gte:a"),
            Err("custom_field.filter_invalid")
        );
        assert_eq!(
            parse_filter(&defs, "budget:eq"),
            Err("custom_field.filter_invalid")
        );
        assert_eq!(
            parse_filter(&defs, "budget:set:1"),
            Err("custom_field.filter_invalid")
        );
        assert_eq!(parse_filter(&defs, "scale:eq:huge"), Err("option.unknown"));
        assert_eq!(
            parse_filter(&defs, "since:lte:2024-13-01"),
            Err("date.invalid")
        );
        assert_eq!(parse_filter(&defs, ""), Ok(vec![]));
        let many = ["memo:set"; MAX_CONDITIONS + 1].join(";");
        assert_eq!(parse_filter(&defs, &many), Err("too_many"));
    }
}
