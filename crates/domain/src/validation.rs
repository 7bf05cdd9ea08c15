//! Field-level validation errors. A command is parsed at the edge into domain types;
//! every problem found is reported at once, each naming its field and a stable code
//! that the UI and the server's message catalogue translate.

use serde::Serialize;

/// One problem with one input field. `code` is stable API surface (an i18n key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

/// A command that failed validation: all of its field errors, never just the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {0:?}")]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: impl Into<String>, code: &'static str) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            code,
        }])
    }
}

/// Collects field errors while a command is parsed, so the caller reports them all.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of a failed parse under `field` and returns the value if it parsed.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, &'static str>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(code) => {
                self.errors.push(FieldError {
                    field: field.to_owned(),
                    code,
                });
                None
            }
        }
    }

    pub fn fail(&mut self, field: &str, code: &'static str) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code,
        });
    }

    /// Ok when no error was recorded.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.errors))
        }
    }
}

/// Trims surrounding white space and requires 1..=max characters (not bytes: Chinese text).
pub fn required_text(raw: &str, max_chars: usize) -> Result<String, &'static str> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("required");
    }
    if t.chars().count() > max_chars {
        return Err("too_long");
    }
    if t.chars().any(|c| c.is_control()) {
        return Err("invalid_characters");
    }
    Ok(t.to_owned())
}

/// Like [`required_text`] but empty input means "none".
pub fn optional_text(raw: Option<&str>, max_chars: usize) -> Result<Option<String>, &'static str> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => required_text(t, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_counts_characters_not_bytes() {
        let forty_chinese: String = "销".repeat(40);
        assert_eq!(required_text(&forty_chinese, 40), Ok(forty_chinese.clone()));
        assert_eq!(
            required_text(&format!("{forty_chinese}售"), 40),
            Err("too_long")
        );
    }

    #[test]
    fn required_text_trims_and_rejects_blank_and_control() {
        assert_eq!(required_text("  华东大区 ", 10), Ok("华东大区".into()));
        assert_eq!(required_text("   ", 10), Err("required"));
        assert_eq!(required_text("a\u{0}b", 10), Err("invalid_characters"));
    }

    #[test]
    fn checker_reports_every_error() {
        let mut c = Checker::new();
        c.check::<()>("name", Err("required"));
        c.check::<()>("mobile", Err("mobile.invalid"));
        let Invalid(errs) = c.finish().unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[1].field, "mobile");
    }
}
