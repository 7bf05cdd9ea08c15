//! Territory design rules that do not need the engine: what a customer adds to its unit.
//!
//! Until orders exist, a unit's potential built from the customer base is its customers
//! weighted by level (an A account is worth several D accounts), and its workload is the
//! visits a month those customers need by level (the department's visit norms: A weekly,
//! B every other week, C monthly, others every other month).

/// Potential one customer of this level adds to its unit.
pub fn level_potential(level: Option<&str>) -> f64 {
    match level {
        Some("A") => 5.0,
        Some("B") => 3.0,
        Some("C") => 1.5,
        _ => 1.0,
    }
}

/// Visits a month one customer of this level needs.
pub fn level_visits_per_month(level: Option<&str>) -> f64 {
    match level {
        Some("A") => 4.0,
        Some("B") => 2.0,
        Some("C") => 1.0,
        _ => 0.5,
    }
}

/// The key a customer's address and a unit share: the city without 市, and the district.
pub fn place_key(city: &str, district: &str) -> (String, String) {
    (
        city.trim().trim_end_matches('市').to_owned(),
        district.trim().to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn better_customers_weigh_more_and_need_more_visits() {
        let levels = [Some("A"), Some("B"), Some("C"), Some("D"), None];
        for w in levels.windows(2) {
            assert!(level_potential(w[0]) >= level_potential(w[1]));
            assert!(level_visits_per_month(w[0]) >= level_visits_per_month(w[1]));
        }
        assert!(level_potential(Some("A")) > level_potential(None));
    }

    #[test]
    fn cities_match_with_or_without_the_suffix() {
        assert_eq!(place_key("杭州市", "西湖区"), place_key("杭州", " 西湖区"));
        assert_ne!(place_key("杭州", "西湖区"), place_key("杭州", "上城区"));
    }
}
