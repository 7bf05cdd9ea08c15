//! Reading an uploaded table into rows of text: XLSX (after measuring what the archive really
//! unpacks to, so a zip bomb is refused before anything parses it), or CSV/TSV in UTF-8 with
//! or without BOM, UTF-16 with BOM, or GB18030/GBK (what Excel in China writes), detected
//! from the bytes. Merged cells are filled from their top-left cell. Synchronous: callers run
//! it on a blocking thread.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use salesdesk_domain::import::{excel_serial_date, match_header, number_text};

/// Uploads above this are refused before they are read.
pub const MAX_FILE_BYTES: usize = 30 * 1024 * 1024;
/// Data rows a file may hold.
pub const MAX_ROWS: u32 = 200_000;
/// Columns a file may use.
pub const MAX_COLUMNS: usize = 100;
/// What all parts of an XLSX archive may unpack to together.
const MAX_UNPACKED: u64 = 400 * 1024 * 1024;
/// How much larger than its compressed form a part above 1 MiB may be.
const MAX_RATIO: u64 = 200;
/// The header is looked for among this many first non-empty rows.
const HEADER_SCAN: usize = 10;
/// A cell holding a spreadsheet error (#N/A, #DIV/0!…).
pub const ERROR_CELL: &str = "\u{1}#ERROR";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// What the file is, from its first bytes (the name's extension is not trusted).
pub fn sniff(bytes: &[u8]) -> Result<Format, &'static str> {
    if bytes.is_empty() {
        return Err("import.file_empty");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    // OLE2: an old .xls workbook, or an encrypted (password-protected) .xlsx.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("import.file_xls_or_protected");
    }
    Ok(Format::Csv)
}

/// Refuses an archive whose parts unpack beyond the limits, counting what they really
/// unpack to (the sizes an archive declares can lie), and XML with a DOCTYPE (entity
/// expansion). Nothing is kept in memory but a buffer.
fn check_archive(bytes: &[u8]) -> Result<(), &'static str> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "import.file_unreadable")?;
    if zip.len() > 2_000 {
        return Err("import.file_unsafe");
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| "import.file_unreadable")?;
        let declared = part.size();
        let compressed = part.compressed_size().max(1);
        if declared > MAX_UNPACKED || (declared > 1 << 20 && declared / compressed > MAX_RATIO) {
            return Err("import.file_unsafe");
        }
        let name = part.name().map_err(|_| "import.file_unreadable")?;
        let is_xml = name.ends_with(".xml") || name.ends_with(".rels");
        let mut actual: u64 = 0;
        let mut tail: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|_| "import.file_unreadable")?;
            if n == 0 {
                break;
            }
            actual += n as u64;
            total += n as u64;
            if total > MAX_UNPACKED || (actual > 1 << 20 && actual / compressed > MAX_RATIO) {
                return Err("import.file_unsafe");
            }
            if is_xml {
                tail.extend_from_slice(&buf[..n]);
                if tail.windows(9).any(|w| w == b"<!DOCTYPE") {
                    return Err("import.file_unsafe");
                }
                let keep = tail.len().saturating_sub(8);
                tail.drain(..keep);
            }
        }
    }
    Ok(())
}

fn decode_text(bytes: &[u8]) -> Result<String, &'static str> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8(rest.to_vec()).map_err(|_| "import.file_encoding")?
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        // Excel's "Unicode text": UTF-16 with a BOM, tab separated.
        let (s, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err("import.file_encoding");
        }
        s.into_owned()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_owned()
    } else {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or("import.file_encoding")?
            .into_owned()
    };
    if text.contains('\0') {
        return Err("import.file_unreadable");
    }
    Ok(text)
}

/// The separator: the one the first lines use most (a title line above the header holds
/// none, so one line is not enough); a comma when none is used.
fn delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(HEADER_SCAN)
        .collect();
    let uses = |d: u8| -> usize {
        lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == d).count())
            .sum()
    };
    [b',', b'\t', b';']
        .into_iter()
        .map(|d| (uses(d), d))
        .fold(
            (0, b','),
            |best, (n, d)| if n > best.0 { (n, d) } else { best },
        )
        .1
}

fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) if d.is_datetime() => {
            excel_serial_date(d.as_f64(), false).unwrap_or_else(|| number_text(d.as_f64()))
        }
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => ERROR_CELL.to_owned(),
        DataRef::Empty => String::new(),
    }
}

/// A formula as a person sees it in the formula bar: with its '=', and without the prefixes
/// the file format gives newer functions (`_xlfn.CONCAT` is CONCAT).
fn formula_text(f: &str) -> String {
    let f = f.replace("_xlfn._xlws.", "").replace("_xlfn.", "");
    if f.starts_with('=') {
        f
    } else {
        format!("={f}")
    }
}

/// Merged regions (top row, left col, bottom row, right col), 0-based: a cell inside one takes
/// the value of its top-left cell.
struct Merges {
    by_top: BTreeMap<u32, Vec<(u32, u32, u32)>>,
    active: Vec<(u32, u32, u32, String)>,
}

impl Merges {
    fn new(regions: Vec<calamine::Dimensions>) -> Merges {
        let mut by_top: BTreeMap<u32, Vec<(u32, u32, u32)>> = BTreeMap::new();
        for d in regions.into_iter().take(50_000) {
            by_top
                .entry(d.start.0)
                .or_default()
                .push((d.start.1, d.end.0, d.end.1));
        }
        Merges {
            by_top,
            active: Vec::new(),
        }
    }

    /// Fills row `r`'s cells covered by merged regions (rows arrive in order; skipped empty
    /// rows are passed too, so regions start and end where they should).
    fn fill(&mut self, r: u32, cells: &mut Vec<String>) {
        self.active.retain(|a| a.1 >= r);
        if let Some(new) = self.by_top.remove(&r) {
            for (left, bottom, right) in new {
                let v = cells.get(left as usize).cloned().unwrap_or_default();
                self.active.push((left, bottom, right, v));
            }
        }
        for (left, _, right, v) in &self.active {
            if v.is_empty() {
                continue;
            }
            let right = (*right as usize).min(MAX_COLUMNS - 1);
            if cells.len() <= right {
                cells.resize(right + 1, String::new());
            }
            for c in cells.iter_mut().take(right + 1).skip(*left as usize) {
                if c.is_empty() {
                    *c = v.clone();
                }
            }
        }
    }

    fn pending_before(&self, r: u32) -> Vec<u32> {
        self.by_top.range(..r).map(|(k, _)| *k).collect()
    }
}

/// Calls `row(number, cells)` for every row that holds something, in order; `number` is the
/// row number a spreadsheet shows (from 1). `row` returns false to stop early.
pub fn for_each_row(
    bytes: &[u8],
    mut row: impl FnMut(u32, Vec<String>) -> Result<bool, &'static str>,
) -> Result<(), &'static str> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err("import.file_too_large");
    }
    match sniff(bytes)? {
        Format::Xlsx => {
            check_archive(bytes)?;
            let mut book: Xlsx<_> =
                Xlsx::new(Cursor::new(bytes)).map_err(|_| "import.file_unreadable")?;
            let sheet = book
                .sheet_names()
                .first()
                .cloned()
                .ok_or("import.file_empty")?;
            let merges = book
                .merge_cells_by_sheet_name(&sheet)
                .map_err(|_| "import.file_unreadable")?;
            let mut merges = Merges::new(merges);
            let mut reader = book
                .worksheet_cells_reader(&sheet)
                .map_err(|_| "import.file_unreadable")?;
            let mut current: Option<(u32, Vec<String>)> = None;
            let mut emit = |r: u32, mut cells: Vec<String>, merges: &mut Merges| {
                for gap in merges.pending_before(r) {
                    merges.fill(gap, &mut Vec::new());
                }
                merges.fill(r, &mut cells);
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    row(r + 1, cells)
                } else {
                    Ok(true)
                }
            };
            loop {
                let cell = reader
                    .next_cell_with_formula()
                    .map_err(|_| "import.file_unreadable")?;
                let Some(cell) = cell else { break };
                let (r, c) = cell.pos;
                // A formula cell is its cached value; one saved without a value (by a program
                // that does not calculate) is its formula's text, never nothing.
                let text = match (cell_text(&cell.value), cell.formula) {
                    (t, Some(f)) if t.is_empty() && !f.trim().is_empty() => formula_text(&f),
                    (t, _) => t,
                };
                if c as usize >= MAX_COLUMNS {
                    if text.trim().is_empty() {
                        continue;
                    }
                    return Err("import.too_many_columns");
                }
                if current.as_ref().is_some_and(|(cr, _)| *cr != r) {
                    let (cr, cells) = current.take().unwrap_or_default();
                    if !emit(cr, cells, &mut merges)? {
                        return Ok(());
                    }
                }
                let cur = current.get_or_insert_with(|| (r, Vec::new()));
                if cur.1.len() <= c as usize {
                    cur.1.resize(c as usize + 1, String::new());
                }
                cur.1[c as usize] = text;
            }
            if let Some((cr, cells)) = current {
                emit(cr, cells, &mut merges)?;
            }
            Ok(())
        }
        Format::Csv => {
            let text = decode_text(bytes)?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter(&text))
                .from_reader(text.as_bytes());
            let mut record = csv::StringRecord::new();
            // Rows are numbered as a spreadsheet shows the file: a blank line is a row (the
            // csv reader skips it), a quoted cell over several lines is one. A record's line is
            // that of its first character; the lines inside earlier records are taken off.
            let bytes = text.as_bytes();
            let (mut counted_to, mut line, mut inside) = (0usize, 1u64, 0u64);
            loop {
                match rdr.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(_) => return Err("import.file_unreadable"),
                }
                let from = record.position().map_or(counted_to, |p| p.byte() as usize);
                let first = (from..bytes.len())
                    .find(|i| !matches!(bytes[*i], b'\r' | b'\n'))
                    .unwrap_or(bytes.len());
                let upto = first.max(counted_to);
                line += bytes[counted_to.min(upto)..upto]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                counted_to = upto;
                let n = u32::try_from(line.saturating_sub(inside)).unwrap_or(u32::MAX);
                inside += record
                    .iter()
                    .map(|c| c.bytes().filter(|b| *b == b'\n').count() as u64)
                    .sum::<u64>();
                if record.len() > MAX_COLUMNS
                    && record
                        .iter()
                        .skip(MAX_COLUMNS)
                        .any(|c| !c.trim().is_empty())
                {
                    return Err("import.too_many_columns");
                }
                let cells: Vec<String> = record
                    .iter()
                    .take(MAX_COLUMNS)
                    .map(|c| c.trim_start_matches('\u{feff}').to_owned())
                    .collect();
                if cells.iter().any(|c| !c.trim().is_empty()) && !row(n, cells)? {
                    break;
                }
            }
            Ok(())
        }
    }
}

/// One column of the header row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HeaderCell {
    pub index: usize,
    pub text: String,
    /// The header above it in a two-level header (a merged 联系人 over 姓名 | 手机).
    pub parent: Option<String>,
}

/// What an upload holds: its header row and how many data rows follow.
#[derive(Debug, Clone)]
pub struct Scan {
    pub header_row: u32,
    pub headers: Vec<HeaderCell>,
    pub data_rows: u32,
    pub samples: Vec<Vec<String>>,
}

/// Finds the header row among the first rows (the one naming most known fields; the first
/// non-empty row when none does), and counts the data rows below it.
pub fn scan(bytes: &[u8]) -> Result<Scan, &'static str> {
    let mut first: Vec<(u32, Vec<String>)> = Vec::new();
    let mut header: Option<(u32, Vec<HeaderCell>)> = None;
    let mut data_rows: u32 = 0;
    let mut samples = Vec::new();
    let mut data_row = |cells: Vec<String>, data_rows: &mut u32| {
        *data_rows += 1;
        if samples.len() < 5 {
            samples.push(cells);
        }
    };
    for_each_row(bytes, |n, cells| {
        if header.is_some() {
            if data_rows >= MAX_ROWS {
                return Err("import.too_many_rows");
            }
            data_row(cells, &mut data_rows);
            return Ok(true);
        }
        first.push((n, cells));
        if first.len() == HEADER_SCAN {
            let (h, rest) = pick_header(&first);
            header = Some(h);
            rest.into_iter().for_each(|c| data_row(c, &mut data_rows));
        }
        Ok(true)
    })?;
    if header.is_none() {
        if first.is_empty() {
            return Err("import.file_empty");
        }
        let (h, rest) = pick_header(&first);
        header = Some(h);
        rest.into_iter().for_each(|c| data_row(c, &mut data_rows));
    }
    let (header_row, headers) = header.unwrap_or_default();
    Ok(Scan {
        header_row,
        headers,
        data_rows,
        samples,
    })
}

fn headers_of(rows: &[(u32, Vec<String>)], i: usize) -> Vec<HeaderCell> {
    let parent_row = i.checked_sub(1).map(|p| &rows[p]);
    let (_, cells) = &rows[i];
    cells
        .iter()
        .enumerate()
        .map(|(index, text)| HeaderCell {
            index,
            text: text.trim().to_owned(),
            parent: parent_row
                .and_then(|(_, p)| p.get(index))
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty() && p != text.trim()),
        })
        .collect()
}

/// The header among the first rows and the data rows that follow it.
fn pick_header(rows: &[(u32, Vec<String>)]) -> ((u32, Vec<HeaderCell>), Vec<Vec<String>>) {
    let mut best = (0usize, 0usize);
    for i in 0..rows.len() {
        // Distinct fields named: a group row (联系人 merged over four columns) names one.
        let mut named: Vec<_> = headers_of(rows, i)
            .iter()
            .filter_map(|h| match_header(h.parent.as_deref(), &h.text))
            .collect();
        named.sort();
        named.dedup();
        let hits = named.len();
        if hits > best.1 {
            best = (i, hits);
        }
    }
    let i = best.0;
    (
        (rows[i].0, headers_of(rows, i)),
        rows[i + 1..].iter().map(|(_, c)| c.clone()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> Vec<(u32, Vec<String>)> {
        let mut out = Vec::new();
        for_each_row(bytes, |n, cells| {
            out.push((n, cells));
            Ok(true)
        })
        .unwrap();
        out
    }

    #[test]
    fn the_separator_is_read_past_a_title_line() {
        assert_eq!(delimiter("客户名单\n名称\t级别\n甲\tA\n"), b'\t');
        assert_eq!(delimiter("客户名单\n\n名称;级别\n甲;A\n"), b';');
        assert_eq!(delimiter("只有一列\n甲\n"), b',');
        assert_eq!(delimiter("名称,备注\n甲,a;b;c\n乙,x\n"), b',');
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        // A blank line is a row of its own; a quoted cell over two lines is one row.
        let got = rows(b"a,b\r\n\r\n\"x\r\ny\",1\r\nc,d\r\n");
        let numbers: Vec<u32> = got.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [1, 3, 4]);
        assert_eq!(got[1].1, ["x\r\ny", "1"]);
    }

    #[test]
    fn xlsx_formula_cells_are_their_value_or_their_formula() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_formula(0, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("2"))
            .unwrap();
        ws.set_formula_result_default("");
        ws.write_formula(0, 1, "=TEXTJOIN(\",\",TRUE,\"a\")")
            .unwrap();
        let got = rows(&wb.save_to_buffer().unwrap());
        assert_eq!(got[0].1, ["2", "=TEXTJOIN(\",\",TRUE,\"a\")"]);
    }
}
