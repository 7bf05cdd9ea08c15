//! Writing records out for spreadsheets: CSV cells that Excel opens as text (never as a
//! formula: CSV injection), and the civil date of a day number (times are the company
//! calendar's, `calendar::Calendar::datetime_text`).

/// A cell value made safe for a spreadsheet: a value Excel would read as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe, which
/// Excel shows as text and does not evaluate (OWASP's advice for CSV injection).
pub fn neutralise_formula(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// Appends one CSV line (RFC 4180: quoted where needed, CRLF) of neutralised cells.
pub fn push_csv_line<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let v = neutralise_formula(cell.as_ref());
        if v.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&v);
        }
    }
    out.push_str("\r\n");
}

/// Days since 1970-01-01 to a civil (year, month, day) (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_become_text() {
        for v in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise_formula(v).starts_with('\''), "{v:?}");
        }
        assert_eq!(neutralise_formula("华远科技"), "华远科技");
        assert_eq!(neutralise_formula(""), "");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let mut s = String::new();
        push_csv_line(
            &mut s,
            &["a,b", "say \"hi\"", "plain", "=cmd|' /C calc'!A0"],
        );
        assert_eq!(
            s,
            "\"a,b\",\"say \"\"hi\"\"\",plain,'=cmd|' /C calc'!A0\r\n"
        );
    }

    proptest! {
        // No exported cell can start a formula, whatever a customer's name holds.
        #[test]
        fn no_cell_starts_a_formula(v in ".{0,20}") {
            let n = neutralise_formula(&v);
            prop_assert!(!matches!(n.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')));
        }
    }
}
