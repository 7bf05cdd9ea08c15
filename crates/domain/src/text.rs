//! Text helpers for what Chinese users type: full-width forms and ideographic spaces.

/// Full-width ASCII forms (Ａ１（) and the ideographic space become their half-width twins.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_width_becomes_half_width() {
        assert_eq!(
            super::to_half_width("ＡＢＣ１２３（北京）\u{3000}！"),
            "ABC123(北京) !"
        );
        assert_eq!(super::to_half_width("华远科技"), "华远科技");
    }
}
