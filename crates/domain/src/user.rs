//! Values that identify and describe a person who signs in: username, mobile, display name,
//! e-mail. Each is parsed once at the edge; the rest of the system trusts the type.

use serde::Serialize;

/// Login name: 3-32 characters of a-z, 0-9, '.', '_' or '-', starting with a letter; stored
/// lower-case so `ZhangSan` and `zhangsan` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("required");
        }
        if s.len() < 3 || s.len() > 32 {
            return Err("username.length");
        }
        let first_is_letter = s.as_bytes()[0].is_ascii_lowercase();
        let allowed = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !first_is_letter || !allowed {
            return Err("username.invalid");
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile number. Mainland numbers (11 digits, 1[3-9]...) are stored bare; others must be
/// written with a country code (`+852 9123 4567`) and are stored as `+` and digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        // People paste numbers with spaces, dashes and full-width digits.
        let cleaned: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{3000}'))
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '＋' => '+',
                other => other,
            })
            .collect();
        if cleaned.is_empty() {
            return Err("required");
        }
        let mainland = |d: &str| {
            d.len() == 11
                && d.starts_with('1')
                && matches!(d.as_bytes()[1], b'3'..=b'9')
                && d.bytes().all(|b| b.is_ascii_digit())
        };
        if let Some(rest) = cleaned
            .strip_prefix("+86")
            .or_else(|| cleaned.strip_prefix("0086"))
        {
            return if mainland(rest) {
                Ok(Mobile(rest.to_owned()))
            } else {
                Err("mobile.invalid")
            };
        }
        if let Some(rest) = cleaned.strip_prefix('+') {
            let ok = (7..=15).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_digit())
                && !rest.starts_with('0');
            return if ok {
                Ok(Mobile(cleaned))
            } else {
                Err("mobile.invalid")
            };
        }
        if mainland(&cleaned) {
            Ok(Mobile(cleaned))
        } else {
            Err("mobile.invalid")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown everywhere (Chinese names are usually 2-4 characters).
pub fn parse_display_name(raw: &str) -> Result<String, &'static str> {
    crate::validation::required_text(raw, 40)
}

/// An e-mail address: one '@', a dot in the domain, no spaces, at most 254 characters.
pub fn parse_email(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return Err("email.invalid");
    };
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(s.to_owned())
    } else {
        Err("email.invalid")
    }
}

/// A login identifier is a mobile number when it parses as one, otherwise a username.
pub enum LoginName {
    Username(Username),
    Mobile(Mobile),
}

impl LoginName {
    pub fn parse(raw: &str) -> Option<LoginName> {
        if let Ok(m) = Mobile::parse(raw) {
            return Some(LoginName::Mobile(m));
        }
        Username::parse(raw).ok().map(LoginName::Username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_is_lowercased_and_checked() {
        assert_eq!(Username::parse(" ZhangSan ").unwrap().as_str(), "zhangsan");
        assert_eq!(Username::parse("ab"), Err("username.length"));
        assert_eq!(Username::parse("1abc"), Err("username.invalid"));
        assert_eq!(Username::parse("张三丰"), Err("username.invalid"));
        assert_eq!(Username::parse(""), Err("required"));
    }

    #[test]
    fn mainland_mobiles_accept_common_spellings() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "+86 138-1234-5678",
            "１３８１２３４５６７８",
            "008613812345678",
        ] {
            assert_eq!(Mobile::parse(raw).unwrap().as_str(), "13812345678", "{raw}");
        }
        for bad in ["12812345678", "1381234567", "138123456789", "abc"] {
            assert_eq!(Mobile::parse(bad), Err("mobile.invalid"), "{bad}");
        }
    }

    #[test]
    fn foreign_mobiles_need_a_country_code() {
        assert_eq!(
            Mobile::parse("+852 9123 4567").unwrap().as_str(),
            "+85291234567"
        );
        assert_eq!(Mobile::parse("91234567"), Err("mobile.invalid"));
    }

    #[test]
    fn email_shape() {
        assert!(parse_email("li.na@example.cn").is_ok());
        for bad in ["li.na", "@x.cn", "a@b", "a b@x.cn", "a@.cn"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
