//! 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a
//! 31-character alphabet, the last a check character over the first 17.

use serde::Serialize;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A valid credit code, upper-case, without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CreditCode(String);

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (each from the alphabet).
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    Some(ALPHABET[((31 - sum % 31) % 31) as usize] as char)
}

impl CreditCode {
    /// Accepts lower case, full-width characters and spaces as people paste them.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s: String = crate::text::to_half_width(raw)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err("required");
        }
        if s.len() != 18 || !s.is_ascii() {
            return Err("credit_code.length");
        }
        let b = s.as_bytes();
        if b.iter().any(|c| value(*c).is_none()) {
            return Err("credit_code.invalid_characters");
        }
        if check_character(&b[..17]) != Some(b[17] as char) {
            return Err("credit_code.check_failed");
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes_are_valid() {
        for code in [
            "91350100M000100Y43",
            "91110000100006485K",
            "91440300708461136T",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn people_paste_codes_in_many_shapes() {
        assert_eq!(
            CreditCode::parse(" 9135 0100 m000 100y43 ")
                .unwrap()
                .as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            CreditCode::parse("９１３５０１００Ｍ０００１００Ｙ４３")
                .unwrap()
                .as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn wrong_length_characters_and_check_are_named() {
        assert_eq!(CreditCode::parse(""), Err("required"));
        assert_eq!(
            CreditCode::parse("91350100M000100Y4"),
            Err("credit_code.length")
        );
        assert_eq!(
            CreditCode::parse("91350100M000100I43"),
            Err("credit_code.invalid_characters"),
            "I, O, S, V, Z are not used"
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err("credit_code.check_failed")
        );
    }

    proptest! {
        // Every single-character substitution is caught: the weights are non-zero mod 31, a prime.
        #[test]
        fn any_single_substitution_fails_the_check(prefix in proptest::collection::vec(0usize..31, 17), pos in 0usize..17, delta in 1usize..31) {
            let mut b: Vec<u8> = prefix.iter().map(|i| ALPHABET[*i]).collect();
            let check = check_character(&b).unwrap();
            let good = format!("{}{check}", String::from_utf8(b.clone()).unwrap());
            prop_assert!(CreditCode::parse(&good).is_ok());
            b[pos] = ALPHABET[(prefix[pos] + delta) % 31];
            let bad = format!("{}{check}", String::from_utf8(b).unwrap());
            prop_assert_eq!(CreditCode::parse(&bad), Err("credit_code.check_failed"));
        }
    }
}
