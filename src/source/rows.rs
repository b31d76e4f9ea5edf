//! The first stage of reading a trace: the header (columns found by name), then
//! each row checked in a fixed order and turned into an owned [`Row`]: the instant
//! parsed, repository names interned to dense numbers (each distinct name checked once),
//! digests decoded once and hashed for the engine's index. Rows go out in [`Batch`]es,
//! and a row's error goes in its batch after the rows before it, so that it is reported
//! where the engine reaches it, exactly as a row-by-row reader would.

use super::input::Input;
use super::records::Records;
use crate::base::digest::{DigestRef, SHA256_TEXT_LEN};
use crate::base::error::{Error, Location, Result};
use crate::base::names::{check_repository, check_tag};
use crate::base::time::InstantParser;
use crate::model::event::{Event, EventKind};
use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

pub const COLUMNS: &str = "time,event,repository,digest,tags,supported";

const NAMES: [&str; 6] = ["time", "event", "repository", "digest", "tags", "supported"];

/// Rows per batch, and the text (tags, digests that are not canonical) after which a
/// batch is handed on early: about 350 KB of rows, a fraction of a millisecond of work
/// for the engine, so the hand-over costs next to nothing and memory stays small.
const BATCH_ROWS: usize = 4096;
const BATCH_TEXT: usize = 256 * 1024;

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

/// A row's digest: 32 bytes when canonical, else a range of the batch's text.
#[derive(Debug, Clone, Copy)]
pub enum RowDigest {
    None,
    Sha256([u8; 32]),
    Text(u32, u32),
}

/// One checked row, owning everything the engine needs.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub time: i64,
    pub line: u64,
    /// [`DigestRef::hash64`] of the digest (0 without one).
    pub hash: u64,
    /// The interned repository name, [`Event::NO_REPO_ID`] when empty.
    pub repo: u32,
    pub kind: EventKind,
    pub supported: bool,
    pub digest: RowDigest,
    /// The `tags` field of a push, a range of the batch's text.
    pub tags: (u32, u32),
}

impl Row {
    /// The event of this row of `batch`; `names` are the repository names by number.
    #[inline]
    pub fn event<'b>(&self, batch: &'b Batch, names: &'b [Box<[u8]>]) -> Event<'b> {
        Event {
            time: self.time,
            kind: self.kind,
            repo: names.get(self.repo as usize).map_or(&b""[..], |n| n),
            repo_id: self.repo,
            digest: match self.digest {
                RowDigest::None => None,
                RowDigest::Sha256(d) => Some(DigestRef::Sha256(d)),
                RowDigest::Text(at, len) => Some(DigestRef::Text(batch.text((at, len)))),
            },
            tags: batch.text(self.tags),
            supported: self.supported,
            line: self.line,
        }
    }
}

/// How a stream of batches ends.
#[derive(Debug)]
pub enum End {
    /// The whole input was read; the SHA-256 of its stored bytes.
    Eof(String),
    Error(Error),
}

/// Rows handed from the reader to the engine.
#[derive(Debug, Default)]
pub struct Batch {
    pub rows: Vec<Row>,
    pub text: Vec<u8>,
    /// Repository names first seen in this batch, in the order of their numbers.
    pub names: Vec<Box<[u8]>>,
    /// Set on the last batch, after its rows.
    pub end: Option<End>,
}

impl Batch {
    fn clear(&mut self) {
        self.rows.clear();
        self.text.clear();
        self.names.clear();
        self.end = None;
    }

    pub fn text(&self, (at, len): (u32, u32)) -> &[u8] {
        &self.text[at as usize..(at + len) as usize]
    }

    fn push_text(&mut self, b: &[u8]) -> (u32, u32) {
        let at = self.text.len() as u32;
        self.text.extend_from_slice(b);
        (at, b.len() as u32)
    }
}

/// Repository names checked so far, numbered in order of first appearance; their text
/// in one buffer, so that looking one up touches little memory.
#[derive(Default)]
struct Names {
    ids: HashTable<u32>,
    spans: Vec<(u32, u32)>,
    text: Vec<u8>,
}

fn name_hash(b: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(b);
    h.finish()
}

impl Names {
    fn get(&self, id: u32) -> &[u8] {
        let (at, len) = self.spans[id as usize];
        &self.text[at as usize..(at + len) as usize]
    }

    fn find(&self, name: &[u8]) -> Option<u32> {
        self.ids
            .find(name_hash(name), |&id| self.get(id) == name)
            .copied()
    }

    fn add(&mut self, name: &[u8]) -> u32 {
        let id = self.spans.len() as u32;
        self.spans.push((self.text.len() as u32, name.len() as u32));
        self.text.extend_from_slice(name);
        let (spans, text) = (&self.spans, &self.text);
        self.ids.insert_unique(name_hash(name), id, |&i| {
            let (at, len) = spans[i as usize];
            name_hash(&text[at as usize..(at + len) as usize])
        });
        id
    }
}

/// Reads and checks rows into batches.
pub struct RowReader {
    file: PathBuf,
    rec: Records<Input>,
    cols: Columns,
    last_time: i64,
    instants: InstantParser,
    names: Names,
    /// The last row's repository (rows often repeat it).
    last_id: u32,
}

#[inline]
fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

impl RowReader {
    /// Reads the header; its errors come out here, before any row.
    pub fn new(input: Input, file: &Path) -> Result<Self> {
        let mut t = RowReader {
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
            last_time: i64::MIN,
            instants: InstantParser::default(),
            names: Names::default(),
            last_id: Event::NO_REPO_ID,
        };
        t.read_header()?;
        Ok(t)
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
            Ok(e) => Error::input(Location::file(&self.file).line(e.line), e.message),
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

    /// Fills `b` with the next rows; false when `b` is the last batch (its `end` says
    /// why). At the end of the input the rest of the stored bytes is hashed.
    pub fn fill(&mut self, b: &mut Batch) -> bool {
        b.clear();
        while b.rows.len() < BATCH_ROWS && b.text.len() < BATCH_TEXT {
            let row = self.read_record().and_then(|more| match more {
                true => self.parse_row(b).map(Some),
                false => Ok(None),
            });
            match row {
                Ok(Some(row)) => b.rows.push(row),
                Ok(None) => {
                    b.end = Some(match self.rec.inner_mut().finish() {
                        Ok(sha256) => End::Eof(sha256),
                        Err(e) => End::Error(Error::io(&self.file, e)),
                    });
                    return false;
                }
                Err(e) => {
                    b.end = Some(End::Error(e));
                    return false;
                }
            }
        }
        true
    }

    #[inline]
    fn field(&self, c: usize) -> &[u8] {
        trim(self.rec.get(c).unwrap_or(b""))
    }

    /// The current row; checks run in a fixed order, which decides the error shown.
    fn parse_row(&mut self, b: &mut Batch) -> Result<Row> {
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
        let time = self
            .instants
            .parse(trim(self.rec.get(cols.time).unwrap_or(b"")))
            .map_err(|m| self.err(line, Some(cols.time), m))?;
        let kind = self.event_kind(line)?;
        self.check_subject(line, kind)?;
        let supported = if kind == EventKind::Push {
            self.check_tags(line)?;
            self.supported(line)?
        } else {
            true
        };
        self.check_order(line, time)?;
        self.last_time = time;
        let repo = self.intern(line, b)?;
        let (digest, hash) = self.digest(b);
        let tags = match cols.tags {
            Some(c) if kind == EventKind::Push => {
                let t = trim(self.rec.get(c).unwrap_or(b""));
                b.push_text(t)
            }
            _ => (0, 0),
        };
        Ok(Row {
            time,
            line,
            hash,
            repo,
            kind,
            supported,
            digest,
            tags,
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

    /// The number of the row's repository; a name seen for the first time is checked
    /// (once: a check per row would cost more than the rest of the row) and handed on in
    /// the batch.
    fn intern(&mut self, line: u64, b: &mut Batch) -> Result<u32> {
        let c = self.cols.repository;
        let name = trim(self.rec.get(c).unwrap_or(b""));
        if name.is_empty() {
            return Ok(Event::NO_REPO_ID);
        }
        if self.last_id != Event::NO_REPO_ID && name == self.names.get(self.last_id) {
            return Ok(self.last_id);
        }
        let id = match self.names.find(name) {
            Some(id) => id,
            None => {
                check_repository(name).map_err(|m| self.err(line, Some(c), m))?;
                b.names.push(name.into());
                self.names.add(name)
            }
        };
        self.last_id = id;
        Ok(id)
    }

    /// The row's digest, decoded once, and its hash.
    #[inline]
    fn digest(&self, b: &mut Batch) -> (RowDigest, u64) {
        let text = self.field(self.cols.digest);
        if text.is_empty() {
            return (RowDigest::None, 0);
        }
        let d = if text.len() == SHA256_TEXT_LEN {
            DigestRef::parse(text)
        } else {
            DigestRef::Text(text)
        };
        let hash = d.hash64();
        match d {
            DigestRef::Sha256(bytes) => (RowDigest::Sha256(bytes), hash),
            DigestRef::Text(t) => {
                let (at, len) = b.push_text(t);
                (RowDigest::Text(at, len), hash)
            }
        }
    }
}
