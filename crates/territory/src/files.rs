//! The file formats, read from text (the caller does the I/O):
//!
//! - units: `id,name,state,lon,lat,x_km,y_km,area_km2,perimeter_km,potential,workload`, columns
//!   found by header name (any order, extra columns allowed, only `id` required). Positions
//!   are `x_km,y_km` when every unit has them, else `lon,lat` projected to km. Ids are text
//!   (leading zeros kept). `state` is an optional grouping, usable as the current alignment.
//! - adjacency: `a,b,border_km,kind`, one row per unordered pair; `kind` is `border` (a shared
//!   boundary) or `link` (an artificial edge, e.g. to an island).
//! - assignments (current alignment, locks, plans): `id,territory`.

use std::collections::{BTreeMap, HashMap};

use crate::graph::Edge;
use crate::{Unit, project};

/// What is wrong with a file, and where (line 1 is the header).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file} line {line}{}: {message}", column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct FileError {
    pub file: &'static str,
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug)]
pub struct UnitsFile {
    pub units: Vec<Unit>,
    /// The `state` of each unit, when the file has that column.
    pub states: Option<Vec<String>>,
    /// Longitude and latitude of each unit, when given.
    pub lon_lat: Vec<(Option<f64>, Option<f64>)>,
    /// The other columns' cells by lower-case header (e.g. `city`, `district`, `owner`),
    /// for callers that keep more than the engine needs.
    pub other: BTreeMap<String, Vec<String>>,
}

/// The columns [`read_units`] reads itself.
const UNIT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "state",
    "lon",
    "lat",
    "x_km",
    "y_km",
    "area_km2",
    "perimeter_km",
    "potential",
    "workload",
];

fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

fn columns(
    file: &'static str,
    r: &mut csv::Reader<&[u8]>,
) -> Result<HashMap<String, usize>, FileError> {
    let headers = r.headers().map_err(|e| FileError {
        file,
        line: 1,
        column: None,
        message: e.to_string(),
    })?;
    Ok(headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_ascii_lowercase(), i))
        .collect())
}

fn need(file: &'static str, cols: &HashMap<String, usize>, name: &str) -> Result<usize, FileError> {
    cols.get(name).copied().ok_or_else(|| FileError {
        file,
        line: 1,
        column: Some(name.into()),
        message: format!("the header has no column {name}"),
    })
}

struct Row<'a> {
    file: &'static str,
    line: usize,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn text(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.record.get(c)).unwrap_or("")
    }

    fn number(&self, col: Option<usize>, name: &str) -> Result<Option<f64>, FileError> {
        let t = self.text(col);
        if t.is_empty() {
            return Ok(None);
        }
        let v: f64 = t
            .replace(',', "")
            .parse()
            .map_err(|_| self.error(name, format!("{t:?} is not a number")))?;
        if !v.is_finite() {
            return Err(self.error(name, format!("{t:?} is not a finite number")));
        }
        Ok(Some(v))
    }

    fn error(&self, column: &str, message: String) -> FileError {
        FileError {
            file: self.file,
            line: self.line,
            column: Some(column.into()),
            message,
        }
    }
}

fn records(
    file: &'static str,
    r: &mut csv::Reader<&[u8]>,
) -> Result<Vec<(usize, csv::StringRecord)>, FileError> {
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| FileError {
            file,
            line: i + 2,
            column: None,
            message: e.to_string(),
        })?;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        out.push((i + 2, rec));
    }
    Ok(out)
}

pub fn read_units(text: &str) -> Result<UnitsFile, FileError> {
    const FILE: &str = "units";
    let mut r = reader(text);
    let cols = columns(FILE, &mut r)?;
    let id = need(FILE, &cols, "id")?;
    let col = |n: &str| cols.get(n).copied();
    let (name, state) = (col("name"), col("state"));
    let (lon, lat, x, y) = (col("lon"), col("lat"), col("x_km"), col("y_km"));
    let (area, perimeter) = (col("area_km2"), col("perimeter_km"));
    let (potential, workload) = (col("potential"), col("workload"));
    let mut units = Vec::new();
    let mut states = Vec::new();
    let mut xy: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    let mut ll: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut other: BTreeMap<String, Vec<String>> = cols
        .keys()
        .filter(|h| !h.is_empty() && !UNIT_COLUMNS.contains(&h.as_str()))
        .map(|h| (h.clone(), Vec::new()))
        .collect();
    for (line, rec) in records(FILE, &mut r)? {
        let row = Row {
            file: FILE,
            line,
            record: &rec,
        };
        let uid = row.text(Some(id)).to_owned();
        if uid.is_empty() {
            return Err(row.error("id", "a unit needs an id".into()));
        }
        if let Some(first) = seen.insert(uid.clone(), line) {
            return Err(row.error("id", format!("{uid} is already on line {first}")));
        }
        let nonnegative = |c: Option<usize>, n: &str| -> Result<f64, FileError> {
            let v = row.number(c, n)?.unwrap_or(0.0);
            if v < 0.0 {
                return Err(row.error(n, format!("{v} is below 0")));
            }
            Ok(v)
        };
        let p = nonnegative(potential, "potential")?;
        let w = nonnegative(workload, "workload")?;
        let a = row.number(area, "area_km2")?;
        let per = row.number(perimeter, "perimeter_km")?;
        xy.push((row.number(x, "x_km")?, row.number(y, "y_km")?));
        let lo = row.number(lon, "lon")?;
        let la = row.number(lat, "lat")?;
        if lo.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            return Err(row.error("lon", "a longitude is between -180 and 180".into()));
        }
        if la.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            return Err(row.error("lat", "a latitude is between -90 and 90".into()));
        }
        ll.push((lo, la));
        states.push(row.text(state).to_owned());
        for (h, cells) in other.iter_mut() {
            cells.push(row.text(cols.get(h).copied()).to_owned());
        }
        units.push(Unit {
            id: uid,
            name: row.text(name).to_owned(),
            x: 0.0,
            y: 0.0,
            potential: p,
            workload: w,
            area_km2: a,
            perimeter_km: per,
        });
    }
    if units.is_empty() {
        return Err(FileError {
            file: FILE,
            line: 2,
            column: None,
            message: "the file has no units".into(),
        });
    }
    let positions: Vec<(f64, f64)> = if xy.iter().all(|p| p.0.is_some() && p.1.is_some()) {
        xy.iter()
            .map(|p| (p.0.unwrap_or(0.0), p.1.unwrap_or(0.0)))
            .collect()
    } else if let Some(i) = ll.iter().position(|p| p.0.is_none() || p.1.is_none()) {
        return Err(FileError {
            file: FILE,
            line: i + 2,
            column: Some(if ll[i].0.is_none() { "lon" } else { "lat" }.into()),
            message: "every unit needs x_km and y_km, or lon and lat".into(),
        });
    } else {
        project(
            &ll.iter()
                .map(|p| (p.0.unwrap_or(0.0), p.1.unwrap_or(0.0)))
                .collect::<Vec<_>>(),
        )
    };
    for (u, (px, py)) in units.iter_mut().zip(positions) {
        u.x = px;
        u.y = py;
    }
    Ok(UnitsFile {
        units,
        states: state.map(|_| states),
        lon_lat: ll,
        other,
    })
}

/// Unit index by id.
pub fn index(units: &[Unit]) -> HashMap<&str, usize> {
    units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect()
}

pub fn read_adjacency(text: &str, index: &HashMap<&str, usize>) -> Result<Vec<Edge>, FileError> {
    const FILE: &str = "adjacency";
    let mut r = reader(text);
    let cols = columns(FILE, &mut r)?;
    let (a, b) = (need(FILE, &cols, "a")?, need(FILE, &cols, "b")?);
    let (border, kind) = (cols.get("border_km").copied(), cols.get("kind").copied());
    let mut edges = Vec::new();
    for (line, rec) in records(FILE, &mut r)? {
        let row = Row {
            file: FILE,
            line,
            record: &rec,
        };
        let unit = |c: usize, n: &str| -> Result<usize, FileError> {
            let t = row.text(Some(c));
            index
                .get(t)
                .copied()
                .ok_or_else(|| row.error(n, format!("no unit has the id {t:?}")))
        };
        let (ua, ub) = (unit(a, "a")?, unit(b, "b")?);
        if ua == ub {
            return Err(row.error("b", "a unit cannot border itself".into()));
        }
        let link = match row.text(kind).to_ascii_lowercase().as_str() {
            "" | "border" => false,
            "link" => true,
            other => {
                return Err(row.error("kind", format!("{other:?} is neither border nor link")));
            }
        };
        let km = row.number(border, "border_km")?;
        if km.is_some_and(|v| v < 0.0) {
            return Err(row.error("border_km", "a border length is at least 0".into()));
        }
        edges.push(Edge {
            a: ua,
            b: ub,
            border_km: if link { None } else { km },
        });
    }
    Ok(edges)
}

/// `id,territory` rows: the territory label of each unit named (every unit when `all`).
pub fn read_assignment(
    file: &'static str,
    text: &str,
    index: &HashMap<&str, usize>,
    all: bool,
) -> Result<Vec<(usize, String)>, FileError> {
    let mut r = reader(text);
    let cols = columns(file, &mut r)?;
    let id = need(file, &cols, "id")?;
    let territory = need(file, &cols, "territory")?;
    let mut out = Vec::new();
    let mut seen = vec![false; index.len()];
    for (line, rec) in records(file, &mut r)? {
        let row = Row {
            file,
            line,
            record: &rec,
        };
        let t = row.text(Some(id));
        let u = *index
            .get(t)
            .ok_or_else(|| row.error("id", format!("no unit has the id {t:?}")))?;
        if std::mem::replace(&mut seen[u], true) {
            return Err(row.error("id", format!("{t} is named twice")));
        }
        let label = row.text(Some(territory)).to_owned();
        if label.is_empty() {
            return Err(row.error("territory", "a territory is needed".into()));
        }
        out.push((u, label));
    }
    if all && let Some(missing) = seen.iter().position(|s| !s) {
        {
            let id = index
                .iter()
                .find(|(_, i)| **i == missing)
                .map_or("", |(id, _)| *id);
            return Err(FileError {
                file,
                line: 1,
                column: Some("id".into()),
                message: format!("unit {id} has no territory"),
            });
        }
    }
    Ok(out)
}

/// Territory labels in order of first appearance, and each unit's territory number.
pub fn labels_of(assign: &[(usize, String)], n: usize) -> (Vec<String>, Vec<usize>) {
    let mut labels: Vec<String> = Vec::new();
    let mut by_label: HashMap<&str, usize> = HashMap::new();
    let mut territory = vec![0; n];
    for (u, l) in assign {
        let t = *by_label.entry(l.as_str()).or_insert_with(|| {
            labels.push(l.clone());
            labels.len() - 1
        });
        territory[*u] = t;
    }
    (labels, territory)
}

/// `id,territory` with a header, a row per unit in the units' order.
pub fn write_plan(units: &[Unit], territory: &[usize], labels: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "territory"]);
    for (u, &t) in units.iter().zip(territory) {
        let _ = w.write_record([u.id.as_str(), labels[t].as_str()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Labels T01, T02, … for k territories.
pub fn default_labels(k: usize) -> Vec<String> {
    let width = k.to_string().len().max(2);
    (1..=k).map(|t| format!("T{t:0width$}")).collect()
}
