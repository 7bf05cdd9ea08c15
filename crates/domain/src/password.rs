//! The password policy (ASVS 2.1): at least 8 characters, up to 128 (never truncated), not a
//! common password, not the username or mobile. Hashing lives in the app layer.

const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 128;

/// Well-known passwords of 8+ characters, Chinese sites' favourites among them
/// (lists published after the CSDN, 163 and RockYou leaks). Compared case-insensitively.
const COMMON: &str = include_str!("common_passwords.txt");

/// A password that passed the policy. It is never stored or logged, only hashed.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str, username: &str, mobile: Option<&str>) -> Result<Self, &'static str> {
        let n = raw.chars().count();
        if n == 0 {
            return Err("required");
        }
        if n < MIN_CHARS {
            return Err("password.too_short");
        }
        if n > MAX_CHARS {
            return Err("password.too_long");
        }
        let lower = raw.to_lowercase();
        if is_common(&lower) || is_trivial_pattern(raw) {
            return Err("password.too_common");
        }
        if lower.contains(&username.to_lowercase())
            || mobile.is_some_and(|m| !m.is_empty() && raw.contains(m))
        {
            return Err("password.contains_identity");
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn is_common(lower: &str) -> bool {
    COMMON.lines().any(|l| l.trim() == lower)
}

/// One repeated character, or a run of consecutive digits/letters (12345678, abcdefgh, 87654321).
fn is_trivial_pattern(p: &str) -> bool {
    let b: Vec<char> = p.chars().collect();
    let same = b.windows(2).all(|w| w[0] == w[1]);
    let up = b.windows(2).all(|w| w[1] as i64 - w[0] as i64 == 1);
    let down = b.windows(2).all(|w| w[0] as i64 - w[1] as i64 == 1);
    same || up || down
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_lengths_are_characters_and_never_truncated() {
        assert_eq!(
            NewPassword::parse("Ab3$xyz", "zhang", None).err(),
            Some("password.too_short")
        );
        let long = "Zq9!".repeat(32); // 128 characters
        assert!(NewPassword::parse(&long, "zhang", None).is_ok());
        assert_eq!(
            NewPassword::parse(&format!("{long}x"), "zhang", None).err(),
            Some("password.too_long")
        );
        assert!(NewPassword::parse("销售管理系统很好用", "zhang", None).is_ok());
    }

    #[test]
    fn common_and_trivial_passwords_are_refused() {
        for p in [
            "password",
            "12345678",
            "Password1",
            "woaini1314",
            "aaaaaaaa",
            "abcdefgh",
            "87654321",
            "qwertyuiop",
        ] {
            assert_eq!(
                NewPassword::parse(p, "zhang", None).err(),
                Some("password.too_common"),
                "{p}"
            );
        }
    }

    #[test]
    fn password_may_not_contain_username_or_mobile() {
        assert_eq!(
            NewPassword::parse("xx-Zhangsan-99", "zhangsan", None).err(),
            Some("password.contains_identity")
        );
        assert_eq!(
            NewPassword::parse("p13812345678!", "li", Some("13812345678")).err(),
            Some("password.contains_identity")
        );
    }
}
