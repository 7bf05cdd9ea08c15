//! Files the demo's follow-ups carry: a photo from a site visit (a small PNG drawn here: a
//! workshop with a machine, never the same twice) and minutes of a meeting (text).

use std::io::Write;

use crate::demo::Rng;

/// (file name, content type, bytes)
pub(crate) type DemoFile = (String, &'static str, Vec<u8>);

/// A 320 x 240 picture of a workshop: wall and floor, a window, a machine of some colour
/// with a control panel, and a safety line on the floor.
pub(crate) fn site_photo(rng: &mut Rng, at: i64) -> DemoFile {
    const W: usize = 320;
    const H: usize = 240;
    let mut px = vec![[0u8; 3]; W * H];
    let machine = [
        [
            40 + rng.below(60) as u8,
            90 + rng.below(80) as u8,
            140 + rng.below(90) as u8,
        ],
        [200 + rng.below(50) as u8, 120 + rng.below(60) as u8, 30],
        [70, 140 + rng.below(60) as u8, 80],
        [180, 180, 185],
    ][rng.below(4) as usize];
    let (mx, mw) = (40 + rng.below(120) as usize, 90 + rng.below(60) as usize);
    let (my, mh) = (70 + rng.below(30) as usize, 80 + rng.below(30) as usize);
    let horizon = 150 + rng.below(20) as usize;
    let win = 20 + rng.below(200) as usize;
    for y in 0..H {
        for x in 0..W {
            let shade = (y * 40 / H) as u8;
            let mut c = if y < horizon {
                [215 - shade, 218 - shade, 222 - shade]
            } else {
                [150 - shade / 2, 150 - shade / 2, 145 - shade / 2]
            };
            if (win..win + 80).contains(&x) && (20..70).contains(&y) {
                c = [170, 205, 235];
            }
            if y >= horizon + 40 && y < horizon + 44 {
                c = [230, 200, 40];
            }
            if (mx..mx + mw).contains(&x) && (my..my + mh).contains(&y) {
                let edge = x == mx || x == mx + mw - 1 || y == my || y == my + mh - 1;
                c = if edge { [30, 30, 30] } else { machine };
                if (mx + mw - 30..mx + mw - 8).contains(&x) && (my + 10..my + 30).contains(&y) {
                    c = [20, 40, 20];
                }
            }
            px[y * W + x] = c;
        }
    }
    let day = salesdesk_domain::calendar::Calendar::default().day_text(at);
    (
        format!("现场照片_{}_{}.png", day, 1 + rng.below(9)),
        "image/png",
        png(W, H, &px),
    )
}

/// Minutes of a meeting with the customer, as a rep writes them up.
pub(crate) fn minutes(rng: &mut Rng, customer: &str, at: i64) -> DemoFile {
    let day = salesdesk_domain::calendar::Calendar::default().day_text(at);
    let topics = [
        "一、现有设备运行情况及存在的问题",
        "二、新产线的技术要求与交付节点",
        "三、报价范围、付款方式与质保条款",
        "四、双方下一步工作安排",
    ];
    let asks = [
        "客户要求交货期不超过 8 周。",
        "客户希望提供两套备选方案比较能耗。",
        "质保期希望由 1 年延长至 2 年。",
        "安装调试期间需派驻工程师不少于 2 人。",
        "需在月底前提交正式技术方案。",
    ];
    let mut text = format!("会议纪要\n客户：{customer}\n日期：{day}\n\n");
    for t in topics {
        text.push_str(t);
        text.push('\n');
        text.push_str(asks[rng.below(asks.len() as u64) as usize]);
        text.push_str("\n\n");
    }
    text.push_str("纪要人：销售代表\n");
    (
        format!("会议纪要_{day}.txt"),
        "text/plain; charset=utf-8",
        text.into_bytes(),
    )
}

/// A truecolour PNG: signature, IHDR, one zlib IDAT of filter-0 rows, IEND.
fn png(width: usize, height: usize, px: &[[u8; 3]]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut raw = Vec::with_capacity(height * (width * 3 + 1));
    for row in px.chunks(width) {
        raw.push(0);
        for p in row {
            raw.extend_from_slice(p);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_pngs_the_attachment_check_accepts() {
        let mut rng = Rng::new(1);
        let (name, kind, bytes) = site_photo(&mut rng, 1_796_000_000_000);
        assert!(name.ends_with(".png") && kind == "image/png");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(bytes.len() < 60_000, "{}", bytes.len());
        assert!(salesdesk_domain::attachment::classify(&name, &bytes).is_ok());
        let (name, _, bytes) = minutes(&mut rng, "上海某某有限公司", 1_796_000_000_000);
        assert!(salesdesk_domain::attachment::classify(&name, &bytes).is_ok());
    }
}
