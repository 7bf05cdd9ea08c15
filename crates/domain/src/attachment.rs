//! Which files may be attached to customers and follow-ups, and how each is served.
//!
//! The extension says what the user claims the file is; the first bytes must agree wherever
//! the format has a signature, so a page of HTML renamed `.jpg` is refused rather than stored.
//! Only raster images a browser shows as pictures are ever served inline; everything else is
//! a download.

/// At most this many bytes per file (a phone photo is 3-8 MB, a scanned contract 10 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// At most this many files per follow-up (the nine-photo grid of WeChat moments).
pub const MAX_PER_FOLLOWUP: usize = 9;
/// At most this many files per customer.
pub const MAX_PER_CUSTOMER: i64 = 500;

/// Every media type a file may be served as (the OpenAPI document lists them).
pub fn content_types() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.1)
}

/// What a stored file is: its media type and whether a browser may show it in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub content_type: &'static str,
    pub inline: bool,
}

/// How a format's first bytes look.
#[derive(Debug, Clone, Copy)]
enum Signature {
    Prefix(&'static [u8]),
    /// RIFF containers: `RIFF`, a length, then this form type.
    Riff(&'static [u8; 4]),
    /// ISO media (MP4, MOV, HEIC): a box length, then `ftyp`.
    IsoMedia,
    Zip,
    /// Compound File Binary (old Office and WPS files).
    Ole,
    Mp3,
    /// Text: no NUL byte in what was read.
    Text,
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// (extensions, media type, inline, signature). Office files from WPS (wps/et/dps) are OLE or
/// zip depending on the version that saved them.
const KINDS: &[(&[&str], &str, bool, &[Signature])] = &[
    (
        &["jpg", "jpeg"],
        "image/jpeg",
        true,
        &[Signature::Prefix(&[0xFF, 0xD8, 0xFF])],
    ),
    (
        &["png"],
        "image/png",
        true,
        &[Signature::Prefix(b"\x89PNG\r\n\x1a\n")],
    ),
    (
        &["gif"],
        "image/gif",
        true,
        &[Signature::Prefix(b"GIF87a"), Signature::Prefix(b"GIF89a")],
    ),
    (&["webp"], "image/webp", true, &[Signature::Riff(b"WEBP")]),
    (&["bmp"], "image/bmp", false, &[Signature::Prefix(b"BM")]),
    (
        &["heic", "heif"],
        "image/heic",
        false,
        &[Signature::IsoMedia],
    ),
    (
        &["pdf"],
        "application/pdf",
        false,
        &[Signature::Prefix(b"%PDF-")],
    ),
    (
        &["docx"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        false,
        &[Signature::Zip],
    ),
    (
        &["xlsx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        false,
        &[Signature::Zip],
    ),
    (
        &["pptx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        false,
        &[Signature::Zip],
    ),
    (&["doc"], "application/msword", false, &[Signature::Ole]),
    (
        &["xls"],
        "application/vnd.ms-excel",
        false,
        &[Signature::Ole],
    ),
    (
        &["ppt"],
        "application/vnd.ms-powerpoint",
        false,
        &[Signature::Ole],
    ),
    (
        &["wps", "et", "dps"],
        "application/octet-stream",
        false,
        &[Signature::Ole, Signature::Zip],
    ),
    (
        &["txt"],
        "text/plain; charset=utf-8",
        false,
        &[Signature::Text],
    ),
    (&["csv"], "text/csv", false, &[Signature::Text]),
    (&["zip"], "application/zip", false, &[Signature::Zip]),
    (
        &["rar"],
        "application/vnd.rar",
        false,
        &[Signature::Prefix(b"Rar!\x1a\x07")],
    ),
    (
        &["7z"],
        "application/x-7z-compressed",
        false,
        &[Signature::Prefix(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])],
    ),
    (&["mp3"], "audio/mpeg", false, &[Signature::Mp3]),
    (&["m4a"], "audio/mp4", false, &[Signature::IsoMedia]),
    (&["amr"], "audio/amr", false, &[Signature::Prefix(b"#!AMR")]),
    (&["wav"], "audio/wav", false, &[Signature::Riff(b"WAVE")]),
    (&["mp4"], "video/mp4", false, &[Signature::IsoMedia]),
    (&["mov"], "video/quicktime", false, &[Signature::IsoMedia]),
];

/// The extensions accepted, for the message that lists them.
pub fn allowed_extensions() -> impl Iterator<Item = &'static str> {
    KINDS.iter().flat_map(|k| k.0.iter().copied())
}

impl Signature {
    fn matches(self, b: &[u8]) -> bool {
        match self {
            Signature::Prefix(p) => b.starts_with(p),
            Signature::Riff(form) => b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == form,
            Signature::IsoMedia => b.len() >= 12 && &b[4..8] == b"ftyp",
            Signature::Zip => b.starts_with(ZIP),
            Signature::Ole => b.starts_with(OLE),
            Signature::Mp3 => {
                b.starts_with(b"ID3") || (b.len() >= 2 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0)
            }
            Signature::Text => !b.iter().take(8192).any(|&c| c == 0),
        }
    }
}

/// A file name as it may be stored and shown: the last path component, without control
/// characters, 1-200 characters.
pub fn clean_file_name(raw: &str) -> Result<String, &'static str> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = last.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim().trim_start_matches('.').trim();
    if name.is_empty() {
        return Err("required");
    }
    if name.chars().count() > 200 {
        return Err("too_long");
    }
    Ok(name.to_owned())
}

/// What the file is, judged from its name and checked against its first bytes.
pub fn classify(file_name: &str, bytes: &[u8]) -> Result<FileKind, &'static str> {
    if bytes.is_empty() {
        return Err("attachment.empty");
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err("attachment.too_large");
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .ok_or("attachment.type_not_allowed")?;
    let (_, content_type, inline, signatures) = KINDS
        .iter()
        .find(|k| k.0.contains(&ext.as_str()))
        .ok_or("attachment.type_not_allowed")?;
    if !signatures.iter().any(|s| s.matches(bytes)) {
        return Err("attachment.content_mismatch");
    }
    Ok(FileKind {
        content_type,
        inline: *inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    #[test]
    fn pictures_are_shown_and_documents_downloaded() {
        let k = classify("现场照片.JPG", JPEG).unwrap();
        assert_eq!((k.content_type, k.inline), ("image/jpeg", true));
        let k = classify("报价单.pdf", b"%PDF-1.7\n...").unwrap();
        assert_eq!((k.content_type, k.inline), ("application/pdf", false));
        let k = classify("合同.docx", b"PK\x03\x04rest").unwrap();
        assert!(!k.inline);
        assert!(classify("名片.heic", b"\0\0\0\x18ftypheic\0\0").is_ok());
        assert!(classify("通话录音.amr", b"#!AMR\n....").is_ok());
        assert!(classify("拜访.webp", b"RIFF\x10\0\0\0WEBPVP8 ").is_ok());
        assert!(classify("报价.et", OLE).is_ok());
        assert!(classify("说明.txt", "你好".as_bytes()).is_ok());
    }

    #[test]
    fn a_file_that_is_not_what_its_name_says_is_refused() {
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            classify("photo.jpg", html),
            Err("attachment.content_mismatch")
        );
        assert_eq!(classify("a.pdf", JPEG), Err("attachment.content_mismatch"));
        assert_eq!(
            classify("notes.txt", b"MZ\0\0binary"),
            Err("attachment.content_mismatch")
        );
        assert_eq!(
            classify("a.wav", b"RIFF\x10\0\0\0WEBPVP8 "),
            Err("attachment.content_mismatch")
        );
    }

    #[test]
    fn pages_scripts_and_programs_are_not_accepted() {
        for name in [
            "a.html", "a.htm", "a.svg", "a.js", "a.exe", "a.bat", "a.apk", "README", "a.",
        ] {
            assert_eq!(
                classify(name, b"anything"),
                Err("attachment.type_not_allowed"),
                "{name}"
            );
        }
        assert_eq!(classify("a.jpg", b""), Err("attachment.empty"));
        let big = vec![0u8; MAX_FILE_BYTES + 1];
        assert_eq!(classify("a.zip", &big), Err("attachment.too_large"));
    }

    #[test]
    fn names_keep_only_their_last_component() {
        assert_eq!(
            clean_file_name("C:\\Users\\张三\\合同.pdf").unwrap(),
            "合同.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\r\n.png").unwrap(), "ab.png");
        assert_eq!(clean_file_name(" ..hidden.png ").unwrap(), "hidden.png");
        assert_eq!(clean_file_name("dir/"), Err("required"));
        assert_eq!(clean_file_name(&"长".repeat(201)), Err("too_long"));
        assert!(allowed_extensions().any(|e| e == "xlsx"));
    }
}
