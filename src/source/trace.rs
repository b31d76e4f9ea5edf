//! The trace format (SPEC §9): CSV with a header, columns found by name, streamed row by
//! row into one reused record, so memory does not grow with the trace.

use super::records::Records;
use crate::base::digest::DigestRef;
use crate::base::error::{Error, Location, Result};
use crate::base::names::{check_repository, check_tag};
use crate::base::time::parse_instant_bytes;
use crate::model::event::{Event, EventKind, SimView, Source};
use rustc_hash::FxHashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const COLUMNS: &str = "time,event,repository,digest,tags,supported";

#[derive(Debug, Clone, Copy)]
struct Columns {
    time: usize,
    event: usize,
    repository: usize,
    digest: usize,
    tags: Option<usize>,
    supported: Option<usize>,
    count: usize,
}

const NAMES: [&str; 6] = ["time", "event", "repository", "digest", "tags", "supported"];

#[derive(Debug, Clone, Copy)]
struct Pending {
    time: i64,
    kind: EventKind,
    supported: bool,
    line: u64,
}

pub struct TraceReader<R: Read> {
    file: PathBuf,
    rec: Records<R>,
    cols: Columns,
    pending: Option<Pending>,
    last_time: i64,
    /// Repository names already checked, and the last one (rows often repeat it).
    names: FxHashSet<Box<[u8]>>,
    last_name: Vec<u8>,
}

#[inline]
fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

impl TraceReader<std::fs::File> {
    pub fn open(path: &Path) -> Result<Self> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        TraceReader::new(f, path)
    }
}

impl<R: Read> TraceReader<R> {
    pub fn new(input: R, file: &Path) -> Result<Self> {
        let mut t = TraceReader {
            file: file.to_path_buf(),
            rec: Records::new(input),
            cols: Columns {
                time: 0,
                event: 0,
                repository: 0,
                digest: 0,
                tags: None,
                supported: None,
                count: 0,
            },
            pending: None,
            last_time: i64::MIN,
            names: FxHashSet::default(),
            last_name: Vec::new(),
        };
        t.read_header()?;
        Ok(t)
    }

    /// The underlying reader (what it buffered has been read from it).
    pub fn into_inner(self) -> R {
        self.rec.into_inner()
    }

    fn err(&self, line: u64, column: Option<usize>, msg: impl Into<String>) -> Error {
        let mut loc = Location::file(&self.file).line(line);
        if let Some(c) = column {
            loc = loc
                .column(c as u64 + 1)
                .key(format!("column {}", self.col_name(c)));
        }
        Error::input(loc, msg)
    }

    fn col_name(&self, c: usize) -> &'static str {
        let cols = &self.cols;
        if c == cols.time {
            "time"
        } else if c == cols.event {
            "event"
        } else if c == cols.repository {
            "repository"
        } else if c == cols.digest {
            "digest"
        } else if Some(c) == cols.tags {
            "tags"
        } else if Some(c) == cols.supported {
            "supported"
        } else {
            "?"
        }
    }

    /// Reads the next non-blank record; false at the end of the file.
    fn read_record(&mut self) -> Result<bool> {
        self.rec.read().map_err(|e| match e {
            Ok(e) => Error::input(
                Location::file(&self.file).line(e.line),
                format!("malformed CSV: {}", e.message),
            ),
            Err(e) => Error::io(&self.file, e),
        })
    }

    fn line(&self) -> u64 {
        self.rec.line()
    }

    fn read_header(&mut self) -> Result<()> {
        if !self.read_record()? {
            return Err(Error::input(
                Location::file(&self.file).line(1),
                format!("the trace is empty: expected a header with the columns {COLUMNS}"),
            ));
        }
        let mut found: [Option<usize>; 6] = [None; 6];
        for (i, f) in self.rec.iter().enumerate() {
            let name = trim(f);
            if let Some(k) = NAMES.iter().position(|n| n.as_bytes() == name) {
                if found[k].is_some() {
                    return Err(Error::input(
                        Location::file(&self.file)
                            .line(self.line())
                            .column(i as u64 + 1),
                        format!("column `{}` appears twice in the header", NAMES[k]),
                    ));
                }
                found[k] = Some(i);
            }
        }
        let missing: Vec<&str> = (0..4)
            .filter(|&k| found[k].is_none())
            .map(|k| NAMES[k])
            .collect();
        if !missing.is_empty() {
            return Err(Error::input(
                Location::file(&self.file).line(self.line()),
                format!(
                    "the header lacks the column(s) {}; a trace has the columns {COLUMNS} \
                     (tags and supported optional, any order)",
                    missing.join(", ")
                ),
            ));
        }
        self.cols = Columns {
            time: found[0].unwrap_or(0),
            event: found[1].unwrap_or(0),
            repository: found[2].unwrap_or(0),
            digest: found[3].unwrap_or(0),
            tags: found[4],
            supported: found[5],
            count: self.rec.len(),
        };
        Ok(())
    }

    #[inline]
    fn field(&self, c: usize) -> &[u8] {
        trim(self.rec.get(c).unwrap_or(b""))
    }

    /// The current row as a pending event; checks run in a fixed order, which decides the
    /// error shown.
    fn parse_row(&mut self) -> Result<Pending> {
        let line = self.line();
        let cols = self.cols;
        if self.rec.len() != cols.count {
            return Err(self.err(
                line,
                None,
                format!(
                    "the row has {} fields but the header has {}",
                    self.rec.len(),
                    cols.count
                ),
            ));
        }
        let time = parse_instant_bytes(self.field(cols.time))
            .map_err(|m| self.err(line, Some(cols.time), m))?;
        let kind = self.event_kind(line)?;
        self.check_subject(line, kind)?;
        let repo = self.field(cols.repository);
        let new_name = !repo.is_empty() && repo != self.last_name.as_slice();
        let supported = if kind == EventKind::Push {
            self.check_tags(line)?;
            self.supported(line)?
        } else {
            true
        };
        self.check_order(line, time)?;
        self.last_time = time;
        if new_name {
            self.check_name(line)?;
        }
        Ok(Pending {
            time,
            kind,
            supported,
            line,
        })
    }

    /// The `event` field of the row.
    #[inline]
    fn event_kind(&self, line: u64) -> Result<EventKind> {
        let c = self.cols.event;
        let eb = self.field(c);
        EventKind::parse(eb).ok_or_else(|| {
            self.err(
                line,
                Some(c),
                format!(
                    "unknown event `{}`; allowed: {}",
                    String::from_utf8_lossy(eb),
                    EventKind::NAMES
                ),
            )
        })
    }

    /// The repository and digest a row of this kind needs.
    #[inline]
    fn check_subject(&self, line: u64, kind: EventKind) -> Result<()> {
        let cols = self.cols;
        let repo = self.field(cols.repository);
        let digest = self.field(cols.digest);
        if kind == EventKind::VulndbUpdate {
            if repo.is_empty() && !digest.is_empty() {
                return Err(self.err(
                    line,
                    Some(cols.repository),
                    "a vulndb_update naming a digest must name its repository too",
                ));
            }
        } else {
            if repo.is_empty() {
                return Err(self.err(
                    line,
                    Some(cols.repository),
                    format!("a {} event needs a repository", kind.name()),
                ));
            }
            if digest.is_empty() {
                return Err(self.err(
                    line,
                    Some(cols.digest),
                    format!("a {} event needs a digest", kind.name()),
                ));
            }
        }
        Ok(())
    }

    /// The tags of a push, when the trace has the column.
    #[inline]
    fn check_tags(&self, line: u64) -> Result<()> {
        if let Some(c) = self.cols.tags {
            for tag in self
                .field(c)
                .split(|&b| b == b';')
                .filter(|t| !t.is_empty())
            {
                check_tag(tag).map_err(|m| self.err(line, Some(c), m))?;
            }
        }
        Ok(())
    }

    /// The `supported` field of a push: true when the column is absent or empty.
    #[inline]
    fn supported(&self, line: u64) -> Result<bool> {
        let Some(c) = self.cols.supported else {
            return Ok(true);
        };
        let s = self.field(c);
        if s.is_empty() || s.eq_ignore_ascii_case(b"true") {
            Ok(true)
        } else if s.eq_ignore_ascii_case(b"false") {
            Ok(false)
        } else {
            Err(self.err(
                line,
                Some(c),
                format!(
                    "supported must be true or false (or empty for true), found `{}`",
                    String::from_utf8_lossy(s)
                ),
            ))
        }
    }

    /// Rows come in non-decreasing time order.
    #[inline]
    fn check_order(&self, line: u64, time: i64) -> Result<()> {
        if time < self.last_time {
            return Err(Error::input(
                Location::file(&self.file).line(line),
                format!(
                    "row at {} is earlier than the row before it ({}): trace rows must be in \
                     non-decreasing time order; sort the trace by time (stably, to keep the \
                     order of rows at one instant)",
                    crate::base::time::format_instant(time),
                    crate::base::time::format_instant(self.last_time)
                ),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Source for TraceReader<R> {
    fn peek(&mut self) -> Result<Option<i64>> {
        self.next_time()
    }

    fn take(&mut self, _: &dyn SimView) -> Event<'_> {
        self.take_event()
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.file)
    }

    fn drain(&mut self) -> Result<u64> {
        let mut n = 0;
        while self.next_time()?.is_some() {
            self.pending = None;
            n += 1;
        }
        Ok(n)
    }
}

impl<R: Read> TraceReader<R> {
    /// Checks the repository name of the current row once per distinct name (a check
    /// per row would cost more than the rest of the row).
    fn check_name(&mut self, line: u64) -> Result<()> {
        let c = self.cols.repository;
        if !self.names.contains(self.field(c)) {
            let owned: Box<[u8]> = self.field(c).into();
            check_repository(&owned).map_err(|m| self.err(line, Some(c), m))?;
            self.names.insert(owned);
        }
        let repo = trim(self.rec.get(c).unwrap_or(b""));
        self.last_name.clear();
        self.last_name.extend_from_slice(repo);
        Ok(())
    }

    /// The instant of the next row, parsing it; `None` at the end.
    pub fn next_time(&mut self) -> Result<Option<i64>> {
        if let Some(p) = self.pending {
            return Ok(Some(p.time));
        }
        if !self.read_record()? {
            return Ok(None);
        }
        let p = self.parse_row()?;
        self.pending = Some(p);
        Ok(Some(p.time))
    }

    /// The row `next_time` announced.
    pub fn take_event(&mut self) -> Event<'_> {
        let p = self.pending.take().expect("take() after peek()");
        let cols = self.cols;
        Event {
            time: p.time,
            kind: p.kind,
            repo: self.field(cols.repository),
            digest: Some(self.field(cols.digest))
                .filter(|d| !d.is_empty())
                .map(DigestRef::parse),
            tags: cols.tags.map_or(&b""[..], |c| self.field(c)),
            supported: p.supported,
            line: p.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = (i64, EventKind, String, String, Vec<String>, bool, u64);

    fn read_all(text: &str) -> Result<Vec<Row>> {
        let mut r = TraceReader::new(text.as_bytes(), Path::new("t.csv"))?;
        let mut out = Vec::new();
        while r.next_time()?.is_some() {
            let e = r.take_event();
            out.push((
                e.time,
                e.kind,
                String::from_utf8_lossy(e.repo).into_owned(),
                e.digest_text(),
                e.tags()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect(),
                e.supported,
                e.line,
            ));
        }
        Ok(out)
    }

    #[test]
    fn bom_blank_lines_order_and_trimming() {
        let text = "\u{feff}note,event,time,repository,tags,digest,supported\n\
                    x,push,2026-01-01T10:00:00Z,ml__x/model--1,;latest;;v1;,a,TRUE\n\
                    \n   \n\
                    y,  push ,2026-01-01T10:05:00Z , ml__x/model--1 ,,u, False \n\
                    ,pull,2026-01-01T11:00:00Z,ml__x/model--1,bad tag!,a,maybe\n";
        let rows = read_all(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].4, vec!["latest", "v1"]);
        assert!(rows[0].5);
        assert_eq!(rows[1].3, "u");
        assert!(!rows[1].5);
        assert_eq!(rows[2].1, EventKind::Pull);
        assert!(rows[2].5, "supported is not read on a pull row");
        assert_eq!(rows[2].6, 6);
    }

    fn err(text: &str) -> String {
        read_all(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let h = "time,event,repository,digest,tags,supported\n";
        let cases = [
            (
                "2026-01-01T10:00:00,push,app,a,,\n",
                "t.csv:2:1: column time: invalid instant",
            ),
            (
                "2026-01-01T10:00:00Z,pusj,app,a,,\n",
                "t.csv:2:2: column event: unknown event `pusj`",
            ),
            (
                "2026-01-01T10:00:00Z,push,App,a,,\n",
                "t.csv:2:3: column repository: invalid repository name",
            ),
            (
                "2026-01-01T10:00:00Z,push,app,,,\n",
                "t.csv:2:4: column digest: a push event needs a digest",
            ),
            (
                "2026-01-01T10:00:00Z,pull,,a,,\n",
                "t.csv:2:3: column repository: a pull event needs a repository",
            ),
            (
                "2026-01-01T10:00:00Z,push,app,a,-x,\n",
                "t.csv:2:5: column tags: invalid tag `-x`",
            ),
            (
                "2026-01-01T10:00:00Z,push,app,a,,yes\n",
                "t.csv:2:6: column supported: supported must be true or false",
            ),
            (
                "2026-01-01T10:00:00Z,vulndb_update,,d1,,\n",
                "t.csv:2:3: column repository: a vulndb_update naming a digest",
            ),
            (
                "2026-01-01T10:00:00Z,push,app\n",
                "t.csv:2: the row has 3 fields",
            ),
            (
                "2026-01-02T10:00:00Z,push,app,a,,\n2026-01-01T10:00:00Z,push,app,b,,\n",
                "t.csv:3: row at 2026-01-01T10:00:00Z is earlier",
            ),
        ];
        for (rows, want) in cases {
            let e = err(&format!("{h}{rows}"));
            assert!(e.starts_with(want), "want `{want}`, got `{e}`");
        }
        assert!(err("time,event,digest\n").contains("lacks the column(s) repository"));
        assert!(err("").contains("the trace is empty"));
        assert!(err("time,event,repository,digest,time\n").contains("appears twice"));
    }

    #[test]
    fn ignores_fields_not_read_for_the_event() {
        let text = "time,event,repository,digest,tags,supported\n\
                    2026-01-01T13:00:00Z,vulndb_update,,,.hidden,0\n\
                    2026-01-01T13:00:00Z,restore,app,a,-x,yes\n";
        assert_eq!(read_all(text).unwrap().len(), 2);
    }
}
