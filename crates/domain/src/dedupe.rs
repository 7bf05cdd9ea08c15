//! 查重: finding the same customer under another spelling. Names are normalised (full-width,
//! brackets, punctuation, a province or city in front or in brackets, legal-form suffixes such
//! as 有限公司) and compared by a character-bigram similarity. Matches outside the asker's data
//! scope are shown masked, so the check reveals nothing.

use crate::text::to_half_width;

/// Provinces, autonomous regions, municipalities and SARs (short forms).
const PROVINCES: &[&str] = &[
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
];

/// Cities commonly written in front of a company name.
const CITIES: &[&str] = &[
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "无锡",
    "常州",
    "南通",
    "徐州",
    "宁波",
    "温州",
    "绍兴",
    "嘉兴",
    "金华",
    "台州",
    "合肥",
    "芜湖",
    "福州",
    "厦门",
    "泉州",
    "南昌",
    "济南",
    "青岛",
    "烟台",
    "潍坊",
    "淄博",
    "临沂",
    "济宁",
    "郑州",
    "洛阳",
    "武汉",
    "宜昌",
    "襄阳",
    "长沙",
    "株洲",
    "成都",
    "绵阳",
    "贵阳",
    "昆明",
    "西安",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "拉萨",
    "南宁",
    "柳州",
    "桂林",
    "海口",
    "三亚",
    "石家庄",
    "唐山",
    "保定",
    "廊坊",
    "太原",
    "呼和浩特",
    "包头",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "佛山",
    "东莞",
    "珠海",
    "中山",
    "惠州",
];

/// What may follow a place name ("广东省", "广西壮族自治区", "深圳市").
const PLACE_SUFFIXES: &[&str] = &[
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
];

/// Legal forms at the end of a name, longest first (the ASCII ones after punctuation is gone).
const LEGAL_FORMS: &[&str] = &[
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "总公司",
    "集团",
    "公司",
    "corporation",
    "company",
    "limited",
    "coltd",
    "corp",
    "ltd",
    "inc",
    "co",
];

/// The length in characters of a place name (with its optional suffix) at the start of `s`.
fn leading_place(s: &str) -> usize {
    let names = PROVINCES.iter().chain(CITIES);
    let mut best = 0;
    for name in names {
        if let Some(rest) = s.strip_prefix(name) {
            let mut n = name.chars().count();
            if let Some(suffix) = PLACE_SUFFIXES.iter().find(|p| rest.starts_with(**p)) {
                n += suffix.chars().count();
            }
            best = best.max(n);
        }
    }
    best
}

fn is_place(s: &str) -> bool {
    let n = leading_place(s);
    n > 0 && n == s.chars().count()
}

/// Removes bracketed place names ("（北京）") and the brackets around anything else.
fn strip_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match c {
            '(' => ')',
            '[' => ']',
            '【' => '】',
            '〔' => '〕',
            _ => {
                out.push(c);
                continue;
            }
        };
        let inner: String = chars.by_ref().take_while(|x| *x != close).collect();
        if !is_place(inner.trim()) {
            out.push_str(&inner);
        }
    }
    out
}

/// The distinctive core of a company name: "北京华远科技有限公司", "华远科技（北京）有限公司" and
/// "华远科技股份有限公司" all become "华远科技".
pub fn normalise_company_name(raw: &str) -> String {
    let half = to_half_width(raw).to_lowercase();
    let unbracketed = strip_brackets(&half);
    let mut s: String = unbracketed
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    // Legal forms first, so "上海公司" keeps "上海" rather than becoming "公司".
    // The longest form that ends the name goes; a name that is nothing but a form stays.
    while let Some(form) = LEGAL_FORMS.iter().find(|f| s.ends_with(**f)) {
        if s.len() == form.len() {
            break;
        }
        s.truncate(s.len() - form.len());
    }
    let places = leading_places(&s);
    s.chars().skip(places).collect()
}

/// The length in characters of every place name at the start ("广东省深圳市"), leaving at
/// least one character: a name that is only a place keeps it.
fn leading_places(s: &str) -> usize {
    let total = s.chars().count();
    let mut skipped = 0;
    loop {
        let rest: String = s.chars().skip(skipped).collect();
        let p = leading_place(&rest);
        if p == 0 || skipped + p >= total {
            return skipped;
        }
        skipped += p;
    }
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let c: Vec<char> = s.chars().collect();
    let mut v: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v
}

/// Names at least this alike (see `name_similarity`) are reported as similar by 查重.
pub const SIMILAR_NAME_THRESHOLD: f64 = 0.6;

/// A name gram held by this many customers is common (科技, 机械…): it says little about
/// which customer a name means, and its postings are too many to read on every check.
pub const COMMON_GRAM: i64 = 2000;

/// The grams of a name to look up for similar names, given how many customers hold each.
/// A name at least [`SIMILAR_NAME_THRESHOLD`] alike shares at least a minimum number of the
/// name's n grams, so it holds at least one of *any* n − minimum + 1 of them (prefix
/// filtering, as set-similarity joins do): the rarest are looked up, and every candidate
/// holding one is scored. Common grams are never looked up: a name alike only in common
/// words (科技, 机械…) is not found this way, only when it is the same after normalisation.
pub fn grams_to_probe<'a>(grams: &'a [String], counts: &[i64]) -> Vec<&'a str> {
    let n = grams.len().min(counts.len());
    if n == 0 {
        return Vec::new();
    }
    // Dice >= t with o shared of n and m grams: o >= t(n + m)/2 and m >= o, so o >= tn/(2 - t).
    let t = SIMILAR_NAME_THRESHOLD;
    let min_shared = ((t * n as f64) / (2.0 - t) - 1e-9).ceil().max(1.0) as usize;
    let prefix = n - min_shared.min(n) + 1;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|i| (counts[*i], *i));
    order
        .into_iter()
        .take(prefix)
        .filter(|i| counts[*i] < COMMON_GRAM)
        .map(|i| grams[i].as_str())
        .collect()
}

/// The distinct character bigrams of a normalised name, as strings: the keys of the
/// similar-name index (a one-character name indexes itself).
pub fn name_grams(normalised: &str) -> Vec<String> {
    let c: Vec<char> = normalised.chars().collect();
    let mut v: Vec<String> = if c.len() < 2 {
        c.iter().map(|ch| ch.to_string()).collect()
    } else {
        c.windows(2).map(|w| w.iter().collect()).collect()
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// How alike two names are, from 0 (nothing shared) to 1 (the same after normalisation):
/// the Sørensen–Dice coefficient of their character bigrams, which suits Chinese names.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (na, nb) = (normalise_company_name(a), normalise_company_name(b));
    if na.is_empty() || nb.is_empty() {
        return 0.0;
    }
    if na == nb {
        return 1.0;
    }
    let (ba, bb) = (bigrams(&na), bigrams(&nb));
    if ba.is_empty() || bb.is_empty() {
        // One-character cores: alike only when one contains the other.
        return if na.contains(&nb) || nb.contains(&na) {
            0.5
        } else {
            0.0
        };
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < ba.len() && j < bb.len() {
        match ba[i].cmp(&bb[j]) {
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * shared as f64 / (ba.len() + bb.len()) as f64
}

/// A company name as shown to someone outside its data scope: the place and the legal form
/// stay, the first two characters of the brand do not ("北京**科技有限公司").
pub fn mask_company_name(raw: &str) -> String {
    let name = raw.trim();
    let chars: Vec<char> = name.chars().collect();
    let prefix = leading_places(name);
    let rest: String = chars[prefix..].iter().collect();
    let suffix = LEGAL_FORMS
        .iter()
        .filter(|f| !f.is_ascii())
        .find(|f| rest.ends_with(**f) && rest.len() > f.len())
        .map_or(0, |f| f.chars().count());
    let core_len = chars.len() - prefix - suffix;
    let hidden = core_len.min(2).max(usize::from(core_len > 0));
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i >= prefix && i < prefix + hidden {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

/// A person's name as shown outside the scope: the family name and a star per other character.
pub fn mask_person_name(raw: &str) -> String {
    let mut chars = raw.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_grams_are_probed_enough_to_find_every_similar_name() {
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // 5 grams: a name 0.6 alike shares at least 3, so it holds one of any 3.
        let grams = g(&["ab", "bc", "cd", "de", "ef"]);
        assert_eq!(
            grams_to_probe(&grams, &[50, 3, 900, 7, 1]),
            vec!["ef", "bc", "de"]
        );
        // Common grams are left out even when among the rarest.
        assert_eq!(
            grams_to_probe(&grams, &[5000, 3000, 2500, 7, 2000]),
            vec!["de"]
        );
        // One gram: itself.
        assert_eq!(grams_to_probe(&g(&["ab"]), &[0]), vec!["ab"]);
        assert!(grams_to_probe(&[], &[]).is_empty());
        // Whatever the counts, any name the threshold calls similar holds a probed gram.
        let name = "华远精密仪器制造";
        let x = name_grams(name);
        for other in ["华远精密仪器", "精密仪器制造集成", "华远精密仪器制造设备"]
        {
            assert!(
                name_similarity(name, other) >= SIMILAR_NAME_THRESHOLD,
                "{other}"
            );
            let y = name_grams(other);
            for seed in 0..20i64 {
                let counts: Vec<i64> = (0..x.len() as i64)
                    .map(|i| (i * 7 + seed * 13) % 11)
                    .collect();
                let probe = grams_to_probe(&x, &counts);
                assert!(
                    probe.iter().any(|p| y.iter().any(|q| q == p)),
                    "{other} {counts:?}"
                );
            }
        }
    }
    use proptest::prelude::*;

    #[test]
    fn spellings_of_one_company_normalise_alike() {
        for name in [
            "北京华远科技有限公司",
            "华远科技（北京）有限公司",
            "华远科技(北京)有限公司",
            "华远科技股份有限公司",
            " 华远 科技 有限责任公司 ",
            "北京市华远科技集团有限公司",
            "【北京】华远科技",
            "ＨＵＡ华远科技有限公司".replace("ＨＵＡ", "").as_str(),
        ] {
            assert_eq!(normalise_company_name(name), "华远科技", "{name}");
        }
    }

    #[test]
    fn provinces_with_suffixes_and_english_legal_forms_are_removed() {
        assert_eq!(
            normalise_company_name("广西壮族自治区南宁市绿城贸易有限公司"),
            "绿城贸易"
        );
        assert_eq!(
            normalise_company_name("广东省深圳市华强电子有限公司"),
            "华强电子"
        );
        assert_eq!(
            normalise_company_name("Ｈｕａｙｕａｎ Tech Co., Ltd."),
            "huayuantech"
        );
    }

    #[test]
    fn a_name_that_is_only_a_place_or_a_form_is_kept() {
        assert_eq!(normalise_company_name("北京"), "北京");
        assert_eq!(normalise_company_name("上海公司"), "上海");
        assert_eq!(normalise_company_name("有限公司"), "有限公司");
    }

    #[test]
    fn brackets_that_are_not_places_keep_their_words() {
        assert_eq!(
            normalise_company_name("华远（国际）科技有限公司"),
            "华远国际科技"
        );
    }

    #[test]
    fn similar_names_rank_above_different_ones() {
        let close = name_similarity("华远智能科技有限公司", "华远科技有限公司");
        let far = name_similarity("华远科技有限公司", "绿城贸易有限公司");
        assert!(close >= 0.5, "{close}");
        assert!(far < 0.1, "{far}");
        assert_eq!(
            name_similarity("北京华远科技有限公司", "华远科技(北京)有限公司"),
            1.0
        );
    }

    #[test]
    fn masks_reveal_neither_brand_nor_person() {
        assert_eq!(
            mask_company_name("北京华远科技有限公司"),
            "北京**科技有限公司"
        );
        assert_eq!(mask_company_name("华远科技有限公司"), "**科技有限公司");
        assert_eq!(
            mask_company_name("广东省深圳市华强电子有限公司"),
            "广东省深圳市**电子有限公司"
        );
        assert_eq!(mask_company_name("华有限公司"), "*有限公司");
        assert_eq!(mask_person_name("张三"), "张*");
        assert_eq!(mask_person_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_person_name(""), "");
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(s in "[\\u{4e00}-\\u{4e30}a-z（）() 有限公司北京省市]{0,20}") {
            let once = normalise_company_name(&s);
            prop_assert_eq!(normalise_company_name(&once), once.clone());
        }

        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[\\u{4e00}-\\u{4e10}]{0,8}", b in "[\\u{4e00}-\\u{4e10}]{0,8}") {
            let (x, y) = (name_similarity(&a, &b), name_similarity(&b, &a));
            prop_assert!((x - y).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&x));
        }

        #[test]
        fn masking_keeps_the_length_and_hides_something(s in "[\\u{4e00}-\\u{4e30}]{1,12}有限公司") {
            let m = mask_company_name(&s);
            prop_assert_eq!(m.chars().count(), s.chars().count());
            prop_assert!(m.contains('*'));
        }
    }
}
