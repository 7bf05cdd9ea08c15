//! 查重: finding the same customer under another spelling. A company name is read as
//! place + core + legal form (上海 + 博雅新锐软件 + 有限公司):
//! - the **same customer** (refused) is the same place and core after normalising width,
//!   spaces, punctuation, brackets and the legal form (有限责任公司 = 有限公司), with a place in
//!   brackets (（上海）) counting as no place. A place at the start is part of the legal name:
//!   广州博雅新锐 and 上海博雅新锐 are two companies;
//! - a **similar** customer (a hint, never a refusal) shares the core's distinctive words,
//!   measured by character bigrams weighted by rarity: a gram many customers hold (科技, 设备)
//!   or one inside a generic trade word counts little.
//!
//! Matches outside the asker's data scope are shown masked, so the check reveals nothing.

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
/// 集团 and 总公司 are not forms: a group and its member company are two legal persons.
const LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
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

/// A company name taken apart: the place written first (canonical: 广东省深圳市 → 深圳), and
/// the core, without places, brackets around places, punctuation and legal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName {
    pub place: Option<String>,
    pub core: String,
}

impl CompanyName {
    pub fn parse(raw: &str) -> CompanyName {
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
        let (skipped, last) = leading_places(&s);
        CompanyName {
            place: last,
            core: s.chars().skip(skipped).collect(),
        }
    }

    /// The exact key: two names with one key are one customer.
    pub fn key(&self) -> String {
        match &self.place {
            Some(p) => format!("{p}{}", self.core),
            None => self.core.clone(),
        }
    }
}

/// The exact key of a company name (see [`CompanyName`]): "上海博雅新锐软件有限公司" and
/// "上海市博雅新锐软件有限责任公司" give "上海博雅新锐软件"; "博雅新锐软件（上海）有限公司"
/// gives "博雅新锐软件", like the name without the bracket.
pub fn normalise_company_name(raw: &str) -> String {
    CompanyName::parse(raw).key()
}

/// Every place name at the start ("广东省深圳市"): how many characters they take, leaving at
/// least one (a name that is only a place keeps it), and the last, most specific, of them.
fn leading_places(s: &str) -> (usize, Option<String>) {
    let total = s.chars().count();
    let mut skipped = 0;
    let mut last = None;
    loop {
        let rest: String = s.chars().skip(skipped).collect();
        let p = leading_place(&rest);
        if p == 0 || skipped + p >= total {
            return (skipped, last);
        }
        let name = PROVINCES
            .iter()
            .chain(CITIES)
            .filter(|n| rest.starts_with(**n))
            .max_by_key(|n| n.len());
        last = name.map(|n| (*n).to_owned());
        skipped += p;
    }
}

/// Words of a trade, a product or a business form that many companies' names share: a gram
/// inside one of them says little about which company a name means.
const GENERIC_WORDS: &[&str] = &[
    "科技",
    "技术",
    "软件",
    "信息",
    "网络",
    "电子",
    "电器",
    "电气",
    "电力",
    "电工",
    "能源",
    "新能源",
    "设备",
    "机械",
    "机电",
    "重工",
    "工业",
    "实业",
    "贸易",
    "商贸",
    "国际",
    "发展",
    "建设",
    "建筑",
    "工程",
    "装饰",
    "装备",
    "材料",
    "新材料",
    "化工",
    "医药",
    "生物",
    "制药",
    "医疗",
    "器械",
    "食品",
    "农业",
    "物流",
    "运输",
    "供应链",
    "管理",
    "咨询",
    "服务",
    "投资",
    "控股",
    "金融",
    "文化",
    "传媒",
    "广告",
    "教育",
    "环保",
    "环境",
    "智能",
    "自动化",
    "仪器",
    "仪表",
    "制造",
    "汽车",
    "配件",
    "零部件",
    "钢铁",
    "金属",
    "五金",
    "塑料",
    "包装",
    "印刷",
    "纺织",
    "服装",
    "家具",
    "物业",
    "地产",
    "置业",
    "酒店",
    "餐饮",
    "旅游",
    "通信",
    "通讯",
    "数据",
    "数字",
    "系统",
    "集成",
    "安全",
    "光电",
    "半导体",
    "精密",
    "模具",
    "照明",
    "节能",
    "水务",
    "燃气",
    "开发",
    "进出口",
    "商业",
    "连锁",
    "零售",
    "批发",
    "销售",
    "科学",
    "研究",
    "研究院",
    "中心",
    "工厂",
    "集团",
    "总公司",
    "分公司",
    "股份",
    "有限",
    "责任",
    "企业",
    "产业",
    "创新",
    "实验",
    "检测",
    "计算机",
    "云计算",
    "电商",
    "电子商务",
    "新型",
    "应用",
    "工贸",
    "经贸",
    "机器人",
    "电池",
    "光伏",
    "风电",
    "核电",
    "化学",
    "药业",
    "医院",
    "健康",
    "农牧",
    "畜牧",
    "水产",
    "钢结构",
    "建材",
    "水泥",
    "玻璃",
    "陶瓷",
    "电缆",
    "线缆",
    "阀门",
    "泵业",
    "轴承",
    "液压",
    "橡胶",
    "石油",
    "石化",
    "天然气",
    "矿业",
    "冶金",
    "航空",
    "船舶",
    "港口",
    "交通",
    "铁路",
    "公路",
    "市政",
    "园林",
    "绿化",
    "人力资源",
    "外包",
    "租赁",
];

/// True when a gram lies inside one of the generic words.
pub fn is_generic_gram(gram: &str) -> bool {
    GENERIC_WORDS.iter().any(|w| w.contains(gram))
}

/// Names at least this alike (see [`NameMatch::score`]) are reported as similar by 查重.
pub const SIMILAR_NAME_THRESHOLD: f64 = 0.6;

/// A name gram held by this many customers is common (科技, 机械…): it says little about
/// which customer a name means, and its postings are too many to read on every check.
pub const COMMON_GRAM: i64 = 2000;

/// What a gram held by `held_by` customers weighs in a similarity: rare grams most (a gram
/// nobody else holds ≈ 7.6), a gram held by [`COMMON_GRAM`] customers ≈ 0.7; a gram inside a
/// generic trade word a fifth of that.
pub fn gram_weight(gram: &str, held_by: i64) -> f64 {
    let rarity = (1.0 + COMMON_GRAM as f64 / (1.0 + held_by.max(0) as f64)).ln();
    if is_generic_gram(gram) {
        rarity * 0.2
    } else {
        rarity
    }
}

/// The grams of a name to look up for similar names, given how many customers hold each.
/// A name at least [`SIMILAR_NAME_THRESHOLD`] alike shares grams weighing at least
/// t·W/(2 − t) of the name's weight W (weighted Dice: shared ≥ t(W + W')/2 and W' ≥ shared),
/// so it holds one of any set of grams whose complement weighs less than that (prefix
/// filtering, as set-similarity joins do): the heaviest are taken until the rest weigh less,
/// and every candidate holding one is scored. Common grams are never looked up: a name alike
/// only in common words (科技, 机械…) is not found this way.
pub fn grams_to_probe<'a>(grams: &'a [String], counts: &[i64]) -> Vec<&'a str> {
    let n = grams.len().min(counts.len());
    if n == 0 {
        return Vec::new();
    }
    let weights: Vec<f64> = (0..n).map(|i| gram_weight(&grams[i], counts[i])).collect();
    let total: f64 = weights.iter().sum();
    let t = SIMILAR_NAME_THRESHOLD;
    let needed = t * total / (2.0 - t);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]).then(a.cmp(b)));
    let mut rest = total;
    let mut probe = Vec::new();
    for i in order {
        if rest < needed - 1e-9 {
            break;
        }
        rest -= weights[i];
        if counts[i] < COMMON_GRAM {
            probe.push(grams[i].as_str());
        }
    }
    probe
}

/// The distinct character bigrams of a text, as strings (a one-character text indexes
/// itself): the grams the first rule (version 1) indexed whole cores by.
pub fn name_grams(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let mut v: Vec<String> = if c.len() < 2 {
        c.iter().map(|ch| ch.to_string()).collect()
    } else {
        c.windows(2).map(|w| w.iter().collect()).collect()
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// A core cut into its generic trade words and the runs between them (the brand, 字号):
/// "华远智能科技" → 华远 | 智能 | 科技. Each generic word is the longest one starting where it
/// is found, scanning from the left.
fn segments(core: &str) -> Vec<String> {
    let chars: Vec<char> = core.chars().collect();
    let mut out = Vec::new();
    let mut run = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        let word = GENERIC_WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len());
        match word {
            Some(w) => {
                if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
                out.push((*w).to_owned());
                i += w.chars().count();
            }
            None => {
                run.push(chars[i]);
                i += 1;
            }
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The grams of a core: the bigrams within each of its segments, never across a brand and a
/// trade word, so "华远智能科技" holds 华远, 智能, 科技 and is alike to "华远科技".
pub fn core_grams(core: &str) -> Vec<String> {
    let mut v: Vec<String> = segments(core).iter().flat_map(|s| name_grams(s)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The grams of the similar-name index for a full company name: those of its core, so the
/// same core in another city is found.
pub fn company_name_grams(raw: &str) -> Vec<String> {
    core_grams(&CompanyName::parse(raw).core)
}

/// Bigrams of a text as search finds it: half-width, lower case, letters and digits only.
fn text_grams(raw: &str) -> Vec<String> {
    let s: String = to_half_width(raw)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    name_grams(&s)
}

/// What the name index holds for a customer: the bigrams of its name's key (the place and
/// the whole core, brand and trade words alike, but not the legal form, which every name
/// shares) and of its short name. The similar-name check probes it with core grams
/// ([`company_name_grams`]), which are among these; search looks it up with [`query_grams`].
pub fn index_grams(name: &str, short_name: Option<&str>) -> Vec<String> {
    let mut v = name_grams(&normalise_company_name(name));
    if let Some(s) = short_name {
        v.extend(text_grams(s));
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// The grams a search for `q` needs every match to hold (empty when `q` has fewer than two
/// letters or digits): "瑞丰", "上海瑞丰机械有限公司" and "瑞丰机械" all look up the name's key.
pub fn query_grams(q: &str) -> Vec<String> {
    let key = normalise_company_name(q);
    if key.chars().count() < 2 {
        return Vec::new();
    }
    name_grams(&key)
}

/// How two names compare, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    /// 0 (nothing distinctive shared) to 1 (the same core).
    pub score: f64,
    /// One key: the same customer.
    pub same_name: bool,
    /// The same core under another place (or with a place against none): a hint only.
    pub same_core: bool,
    /// The distinctive words both cores hold, longest first (at most three).
    pub shared: Vec<String>,
}

/// Compares two company names: the rarity-weighted Sørensen–Dice coefficient of their cores'
/// bigrams, `held_by` telling how many customers hold a gram (0 when unknown).
pub fn compare_names(a: &str, b: &str, held_by: &dyn Fn(&str) -> i64) -> NameMatch {
    let (na, nb) = (CompanyName::parse(a), CompanyName::parse(b));
    let same_name = !na.core.is_empty() && na.key() == nb.key();
    let same_core = !same_name && !na.core.is_empty() && na.core == nb.core;
    let score = if na.core.is_empty() || nb.core.is_empty() {
        0.0
    } else if na.core == nb.core {
        1.0
    } else {
        let (ga, gb) = (core_grams(&na.core), core_grams(&nb.core));
        let w = |g: &String| gram_weight(g, held_by(g));
        let shared: f64 = ga.iter().filter(|g| gb.contains(g)).map(w).sum();
        let total: f64 = ga.iter().map(w).sum::<f64>() + gb.iter().map(w).sum::<f64>();
        if total > 0.0 {
            2.0 * shared / total
        } else {
            0.0
        }
    };
    NameMatch {
        score,
        same_name,
        same_core,
        shared: shared_words(&na.core, &nb.core),
    }
}

/// How alike two names are with no knowledge of other customers' names (every gram rare):
/// see [`compare_names`].
pub fn name_similarity(a: &str, b: &str) -> f64 {
    compare_names(a, b, &|_| 0).score
}

/// The longest runs of at least two characters both cores hold, taken greedily, longest
/// first, leaving out runs that are only a generic word; at most three.
fn shared_words(a: &str, b: &str) -> Vec<String> {
    let (mut a, b): (Vec<Option<char>>, Vec<char>) =
        (a.chars().map(Some).collect(), b.chars().collect());
    let mut out = Vec::new();
    while out.len() < 3 {
        let mut best: Option<(usize, usize)> = None; // (start in a, length)
        for i in 0..a.len() {
            for j in 0..b.len() {
                let mut n = 0;
                while i + n < a.len() && j + n < b.len() && a[i + n] == Some(b[j + n]) {
                    n += 1;
                }
                if n >= 2 && best.is_none_or(|(_, m)| n > m) {
                    best = Some((i, n));
                }
            }
        }
        let Some((i, n)) = best else { break };
        let word: String = a[i..i + n].iter().flatten().collect();
        for c in &mut a[i..i + n] {
            *c = None;
        }
        if !core_grams(&word).iter().all(|g| is_generic_gram(g)) {
            out.push(word);
        }
    }
    out
}

/// A company name as shown to someone outside its data scope: the place and the legal form
/// stay, the first two characters of the brand do not ("北京**科技有限公司").
pub fn mask_company_name(raw: &str) -> String {
    let name = raw.trim();
    let chars: Vec<char> = name.chars().collect();
    let prefix = leading_places(name).0;
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
    use proptest::prelude::*;

    #[test]
    fn the_heaviest_grams_are_probed_enough_to_find_every_similar_name() {
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Equal weights (all rare, none generic): 5 grams, a name 0.6 alike shares at least
        // 3 of them, so it holds one of any 3.
        let grams = g(&["ab", "bc", "cd", "de", "ef"]);
        assert_eq!(grams_to_probe(&grams, &[0, 0, 0, 0, 0]).len(), 3);
        // The rarest first.
        assert_eq!(
            grams_to_probe(&grams, &[50, 3, 900, 7, 1]),
            vec!["ef", "bc", "de"]
        );
        // Common grams are left out even when among those the filter takes.
        assert!(!grams_to_probe(&grams, &[5000, 3000, 2500, 7, 2000]).contains(&"ab"));
        // One gram: itself.
        assert_eq!(grams_to_probe(&g(&["ab"]), &[0]), vec!["ab"]);
        assert!(grams_to_probe(&[], &[]).is_empty());
        // Whatever the counts, any name the threshold calls similar holds a probed gram.
        let name = "华远精密仪器制造";
        let x = core_grams(name);
        for other in ["华远精密仪器", "华远精密仪器制造设备", "华远精密"] {
            let y = core_grams(other);
            for seed in 0..20i64 {
                let counts: Vec<i64> = (0..x.len() as i64)
                    .map(|i| (i * 7 + seed * 13) % 11 * 100)
                    .collect();
                let held = |gram: &str| x.iter().position(|g| g == gram).map_or(0, |i| counts[i]);
                if compare_names(name, other, &held).score < SIMILAR_NAME_THRESHOLD {
                    continue;
                }
                let probe = grams_to_probe(&x, &counts);
                assert!(
                    probe.iter().any(|p| y.iter().any(|q| q == p)),
                    "{other} {counts:?}"
                );
            }
        }
    }

    #[test]
    fn spellings_of_one_company_share_one_key() {
        for name in [
            "华远科技有限公司",
            "华远科技（北京）有限公司",
            "华远科技(北京)有限公司",
            "华远科技股份有限公司",
            " 华远 科技 有限责任公司 ",
            "【北京】华远科技",
            "ＨＵＡ华远科技有限公司".replace("ＨＵＡ", "").as_str(),
        ] {
            assert_eq!(normalise_company_name(name), "华远科技", "{name}");
        }
        for name in [
            "北京华远科技有限公司",
            "北京市华远科技有限责任公司",
            "北京 华远科技 有限公司",
        ] {
            assert_eq!(normalise_company_name(name), "北京华远科技", "{name}");
        }
    }

    #[test]
    fn a_place_at_the_start_is_part_of_the_legal_name() {
        let (sh, gz) = ("上海博雅新锐软件有限公司", "广州博雅新锐软件有限公司");
        assert_ne!(normalise_company_name(sh), normalise_company_name(gz));
        let m = compare_names(sh, gz, &|_| 0);
        assert!(!m.same_name && m.same_core, "{m:?}");
        assert_eq!(m.score, 1.0);
        // The province before the city says nothing more than the city.
        assert_eq!(
            normalise_company_name("广东省深圳市华强电子有限公司"),
            normalise_company_name("深圳市华强电子有限公司")
        );
        assert_ne!(
            normalise_company_name("广东华强电子有限公司"),
            normalise_company_name("深圳华强电子有限公司")
        );
        // A group and its member are two legal persons.
        assert_ne!(
            normalise_company_name("华远科技集团有限公司"),
            normalise_company_name("华远科技有限公司")
        );
    }

    #[test]
    fn places_with_suffixes_and_english_legal_forms_are_read() {
        let n = CompanyName::parse("广西壮族自治区南宁市绿城贸易有限公司");
        assert_eq!(
            (n.place.as_deref(), n.core.as_str()),
            (Some("南宁"), "绿城贸易")
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
        assert!(close >= SIMILAR_NAME_THRESHOLD, "{close}");
        assert!(far < 0.1, "{far}");
    }

    #[test]
    fn names_sharing_only_generic_words_are_not_similar() {
        for (a, b) in [
            ("上海华电电力设备有限公司", "北京国网电力设备有限公司"),
            ("徐州宏达重工机械有限公司", "长沙中联重工机械有限公司"),
            ("苏州恒信智能科技有限公司", "杭州博安智能科技有限公司"),
        ] {
            let s = name_similarity(a, b);
            assert!(s < SIMILAR_NAME_THRESHOLD, "{a} {b} {s}");
        }
        // The same brand in another trade is alike.
        let m = compare_names("博雅新锐软件有限公司", "博雅新锐科技有限公司", &|_| 0);
        assert!(m.score >= SIMILAR_NAME_THRESHOLD, "{m:?}");
        assert_eq!(m.shared, vec!["博雅新锐".to_owned()]);
    }

    #[test]
    fn the_index_finds_a_name_by_any_part_of_its_key_or_short_name() {
        let idx = index_grams("上海瑞丰精密机械有限公司", Some("瑞丰"));
        for q in [
            "瑞丰",
            "上海瑞丰",
            "精密机械",
            "瑞丰精密机械有限公司",
            "ＲＦ",
        ] {
            let g = query_grams(q);
            if q == "ＲＦ" {
                assert!(!g.iter().all(|x| idx.contains(x)));
                continue;
            }
            assert!(
                !g.is_empty() && g.iter().all(|x| idx.contains(x)),
                "{q} {g:?}"
            );
        }
        assert!(
            !idx.iter().any(|g| g == "有限" || g == "公司"),
            "not the legal form"
        );
        assert!(query_grams("瑞").is_empty());
        let latin = index_grams("Huayuan Tech Co., Ltd.", Some("HY Tech"));
        assert!(query_grams("hua").iter().all(|g| latin.contains(g)));
        assert!(text_grams("HY Tech").iter().all(|g| latin.contains(g)));
    }

    #[test]
    fn grams_stay_within_the_brand_or_the_trade_word() {
        assert_eq!(core_grams("华远智能科技"), vec!["华远", "智能", "科技"]);
        assert_eq!(core_grams("星辰腾飞"), vec!["星辰", "腾飞", "辰腾"]);
        assert_eq!(core_grams("华电电力设备"), vec!["华电", "电力", "设备"]);
        assert_eq!(core_grams("天新材料"), vec!["天", "新材", "材料"]);
    }

    #[test]
    fn grams_many_customers_hold_count_less() {
        let rare = compare_names("华远精工", "华远精密", &|_| 0).score;
        // 华远 held by 1,500 customers: the match rests on a common word.
        let common = compare_names("华远精工", "华远精密", &|g| {
            if g == "华远" { 1500 } else { 0 }
        })
        .score;
        assert!(common < rare, "{common} {rare}");
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
        fn width_spacing_and_legal_form_variants_share_one_key(s in "[\\u{4e00}-\\u{4e30}北京上海a-z]{1,12}") {
            let plain = normalise_company_name(&format!("{s}有限公司"));
            let spaced: String = s.chars().map(|c| format!("{c} ")).collect();
            // Full-width letters and ideographic spaces, as a Chinese input method types them.
            let wide: String = spaced
                .chars()
                .map(|c| match c {
                    ' ' => '\u{3000}',
                    'a'..='z' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    other => other,
                })
                .collect();
            prop_assert_eq!(normalise_company_name(&format!(" {wide}有限责任公司")), plain.clone());
            prop_assert_eq!(normalise_company_name(&format!("{s}（上海）有限公司")), normalise_company_name(&s));
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
