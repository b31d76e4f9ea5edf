//! Replaying a trace in two stages: a reader thread reads the file (plain, gzip
//! or zstd, or standard input), hashes it, splits, checks and parses the rows
//! ([`super::rows`]) and hands batches of owned rows to the engine's thread, which only
//! applies them. Errors travel in the batches, after the rows before them, so they are
//! reported at the same line with the same message as a row-by-row reader would. With
//! one core the same code runs in the engine's thread, a batch at a time. Memory does not
//! grow with the trace: a few batches are in flight, and what is kept is one number per
//! repository name.

use super::input::Input;
use super::rows::{Batch, End, Row, RowReader};
use crate::base::error::{Error, Result};
use crate::base::prefetch::prefetch_all;
use crate::model::event::{Event, SimView, Source};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

pub use super::rows::COLUMNS;

/// How far ahead of the row taken the rows of a batch are prefetched (past the engine's
/// own look-ahead).
const ROWS_AHEAD: usize = 40;

/// Batches the reader may be ahead of the engine: about 130,000 rows, tens of
/// milliseconds of the engine's work, enough to ride out a slow day end or the other
/// thread losing its core for a scheduler slice on a busy machine; about 10 MB at most.
const IN_FLIGHT: usize = 32;

/// Where the batches come from.
enum Feed {
    /// Read on demand in the caller's thread (one core).
    Inline(Box<RowReader>),
    Thread(Worker),
    /// The last batch has been handed out.
    Done,
}

struct Worker {
    rx: Receiver<Batch>,
    /// Read batches go back to the reader to be filled again.
    back: Sender<Batch>,
    handle: Option<JoinHandle<()>>,
}

/// How many threads the machine gives this process: `RAYON_NUM_THREADS` when set (the
/// thread count every parallel part of scansim follows), else what the OS allows.
fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A trace as a [`Source`].
pub struct TraceReader {
    file: PathBuf,
    /// Repository names by number, as the batches announced them.
    names: Vec<Box<[u8]>>,
    batch: Batch,
    pos: usize,
    feed: Feed,
    sha256: Option<String>,
}

impl TraceReader {
    /// Opens a trace (`-`: standard input) and reads its header; the rows are read on a
    /// thread of their own when the machine has more than one core.
    pub fn open(path: &Path) -> Result<Self> {
        let input = Input::open(path).map_err(|e| Error::io(path, e))?;
        TraceReader::with_input(input, path, threads() > 1)
    }

    /// A trace read from `input` (plain or compressed), reported as `file`; `thread`
    /// says whether rows are read on a thread of their own.
    pub fn new(input: Box<dyn std::io::Read + Send>, file: &Path, thread: bool) -> Result<Self> {
        let input = Input::new(input).map_err(|e| Error::io(file, e))?;
        TraceReader::with_input(input, file, thread)
    }

    fn with_input(input: Input, file: &Path, thread: bool) -> Result<Self> {
        let reader = Box::new(RowReader::new(input, file)?);
        let feed = if thread {
            Feed::Thread(spawn(reader, file)?)
        } else {
            Feed::Inline(reader)
        };
        Ok(TraceReader {
            file: file.to_path_buf(),
            names: Vec::new(),
            batch: Batch::default(),
            pos: 0,
            feed,
            sha256: None,
        })
    }

    /// The SHA-256 of the trace's stored bytes, once it has been read to its end.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    /// Replaces the current batch by the next one; false after the last.
    fn next_batch(&mut self) -> Result<bool> {
        self.pos = 0;
        match &mut self.feed {
            Feed::Done => return Ok(false),
            Feed::Inline(reader) => {
                reader.fill(&mut self.batch);
            }
            Feed::Thread(w) => {
                let next = match w.rx.recv() {
                    Ok(b) => b,
                    Err(_) => return Err(w.stopped(&self.file)),
                };
                let done = std::mem::replace(&mut self.batch, next);
                let _ = w.back.send(done);
            }
        }
        self.names.append(&mut self.batch.names);
        Ok(true)
    }

    /// Hands out the next batch of rows whole, for engines that share one reading
    /// ([`super::shared_trace`]); `None` after the last. The error a batch ends with is
    /// returned instead of the batch: every engine would stop at it.
    pub fn take_batch(&mut self) -> Result<Option<Batch>> {
        if self.end_of_batch()? || !self.next_batch()? {
            return Ok(None);
        }
        let mut b = std::mem::take(&mut self.batch);
        if let Some(end) = b.end.take() {
            self.batch.end = Some(end);
            self.end_of_batch()?;
        }
        Ok(Some(b))
    }

    /// Repository names by number, as far as the trace has been read.
    pub fn names(&self) -> &[Box<[u8]>] {
        &self.names
    }

    /// The instant of the next row, reading it if needed; `None` at the end.
    pub fn next_time(&mut self) -> Result<Option<i64>> {
        loop {
            if let Some(r) = self.batch.rows.get(self.pos) {
                return Ok(Some(r.time));
            }
            if self.end_of_batch()? || !self.next_batch()? {
                return Ok(None);
            }
        }
    }

    /// At the end of the current batch: the error it ends with, or true when it was the
    /// last.
    fn end_of_batch(&mut self) -> Result<bool> {
        match self.batch.end.take() {
            None => Ok(matches!(self.feed, Feed::Done)),
            Some(end) => {
                self.feed = Feed::Done;
                match end {
                    End::Eof(sha256) => {
                        self.sha256 = Some(sha256);
                        Ok(true)
                    }
                    End::Error(e) => Err(e),
                }
            }
        }
    }

    /// The row `next_time` announced.
    pub fn take_event(&mut self) -> Event<'_> {
        let r: Row = self.batch.rows[self.pos];
        self.pos += 1;
        // The rows were written by the reader's core: load them well before the engine
        // (and its look-ahead) reads them.
        if let Some(next) = self.batch.rows.get(self.pos + ROWS_AHEAD) {
            prefetch_all(next);
        }
        r.event(&self.batch, &self.names)
    }
}

/// Starts the reader thread; it stops at the end of the input, at an error (which it
/// hands on) or when the engine no longer listens.
fn spawn(mut reader: Box<RowReader>, file: &Path) -> Result<Worker> {
    let (tx, rx): (SyncSender<Batch>, Receiver<Batch>) = std::sync::mpsc::sync_channel(IN_FLIGHT);
    let (back, spare) = std::sync::mpsc::channel::<Batch>();
    let handle = std::thread::Builder::new()
        .name("trace-reader".into())
        .spawn(move || {
            loop {
                let mut b = spare.try_recv().unwrap_or_default();
                let more = reader.fill(&mut b);
                if tx.send(b).is_err() || !more {
                    return;
                }
            }
        })
        .map_err(|e| Error::io(file, e))?;
    Ok(Worker {
        rx,
        back,
        handle: Some(handle),
    })
}

impl Worker {
    /// The reader thread ended without a last batch: it panicked.
    fn stopped(&mut self, file: &Path) -> Error {
        if let Some(h) = self.handle.take()
            && let Err(panic) = h.join()
        {
            std::panic::resume_unwind(panic);
        }
        Error::io(
            file,
            std::io::Error::other("the trace reader stopped before the end"),
        )
    }
}

impl Source for TraceReader {
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
        loop {
            n += (self.batch.rows.len() - self.pos) as u64;
            self.pos = self.batch.rows.len();
            if self.end_of_batch()? || !self.next_batch()? {
                return Ok(n);
            }
        }
    }

    #[inline]
    fn ahead(&self, k: usize) -> Option<(u32, u64)> {
        let r = self.batch.rows.get(self.pos + k)?;
        (r.hash != 0).then_some((r.repo, r.hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::event::EventKind;

    type Row = (i64, EventKind, String, String, Vec<String>, bool, u64);

    /// Reads every row, on a thread of its own and in the caller's: both must agree.
    fn read_all(text: &str) -> Result<Vec<Row>> {
        let inline = read_with(text, false);
        let threaded = read_with(text, true);
        assert_eq!(format!("{inline:?}"), format!("{threaded:?}"));
        inline
    }

    fn read_with(text: &str, thread: bool) -> Result<Vec<Row>> {
        let input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut r = TraceReader::new(input, Path::new("t.csv"), thread)?;
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
