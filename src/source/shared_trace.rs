//! A trace read once for several engines: a sweep's variants over the same trace. The
//! reader fills a window of batches; each engine replays the window through its own
//! cursor ([`SharedTrace::view`]), in parallel with the others; batches every cursor has
//! passed are dropped, so memory stays that of a few hundred thousand rows.

use super::rows::{Batch, Row};
use super::trace::TraceReader;
use crate::base::error::Result;
use crate::model::event::{Event, SimView, Source};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Rows read between two steps of the engines.
pub const STEP_ROWS: usize = 1 << 18;

/// One engine's place in a [`SharedTrace`]: a batch number and a row in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    batch: usize,
    pos: usize,
}

impl Cursor {
    /// Orders cursors by how far they have read.
    pub fn key(&self) -> (usize, usize) {
        (self.batch, self.pos)
    }
}

/// A trace being read for several engines.
pub struct SharedTrace {
    reader: TraceReader,
    window: Window,
    /// Rows read per [`SharedTrace::fill`].
    step: usize,
}

/// The batches read and not yet passed by every cursor.
pub struct Window {
    file: PathBuf,
    /// Number of `batches[0]`.
    first: usize,
    batches: VecDeque<Batch>,
    names: Vec<Box<[u8]>>,
    /// Rows read past the window and only counted (after every engine's horizon).
    counted_beyond: u64,
}

impl SharedTrace {
    /// Opens a trace to be read about `step` rows at a time.
    pub fn open(path: &Path, step: usize) -> Result<Self> {
        Ok(SharedTrace {
            step,
            reader: TraceReader::open(path)?,
            window: Window {
                file: path.to_path_buf(),
                first: 0,
                batches: VecDeque::new(),
                names: Vec::new(),
                counted_beyond: 0,
            },
        })
    }

    /// Reads about `step` more rows (whole batches); returns the instant of the last row read, or
    /// `None` at the end of the trace. A bad row is an error here, for every engine.
    pub fn fill(&mut self) -> Result<Option<i64>> {
        let w = &mut self.window;
        let mut rows = 0;
        while rows < self.step {
            let Some(b) = self.reader.take_batch()? else {
                return Ok(None);
            };
            rows += b.rows.len();
            w.batches.push_back(b);
            w.names
                .extend_from_slice(&self.reader.names()[w.names.len()..]);
        }
        Ok(w.batches.back().and_then(|b| b.rows.last()).map(|r| r.time))
    }

    /// Reads the rest of the trace, only counting its rows (they lie past every
    /// engine's horizon) and checking them.
    pub fn count_rest(&mut self) -> Result<()> {
        while let Some(b) = self.reader.take_batch()? {
            self.window.counted_beyond += b.rows.len() as u64;
        }
        Ok(())
    }

    /// Drops the batches before the earliest cursor.
    pub fn trim(&mut self, earliest: Cursor) {
        let w = &mut self.window;
        while w.first < earliest.batch && w.batches.pop_front().is_some() {
            w.first += 1;
        }
    }

    /// What the engines read.
    pub fn window(&self) -> &Window {
        &self.window
    }
}

impl Window {
    /// An engine's view of the window from its cursor.
    pub fn view<'a>(&'a self, cursor: &'a mut Cursor) -> View<'a> {
        View {
            trace: self,
            cursor,
        }
    }
}

/// A [`Source`] over a [`SharedTrace`] for one engine. It ends where the window ends;
/// the caller stops the engine before (`Engine::run_until` with the last instant read)
/// until the whole trace is read.
pub struct View<'a> {
    trace: &'a Window,
    cursor: &'a mut Cursor,
}

impl View<'_> {
    fn row(&mut self) -> Option<&Row> {
        let t = self.trace;
        loop {
            let b = t.batches.get(self.cursor.batch.checked_sub(t.first)?)?;
            if self.cursor.pos < b.rows.len() {
                return b.rows.get(self.cursor.pos);
            }
            self.cursor.batch += 1;
            self.cursor.pos = 0;
        }
    }

    fn batch(&self) -> Option<&Batch> {
        let t = self.trace;
        t.batches.get(self.cursor.batch.checked_sub(t.first)?)
    }
}

impl Source for View<'_> {
    fn peek(&mut self) -> Result<Option<i64>> {
        Ok(self.row().map(|r| r.time))
    }

    fn take(&mut self, _: &dyn SimView) -> Event<'_> {
        self.row();
        let t = self.trace;
        let b = &t.batches[self.cursor.batch - t.first];
        let r = b.rows[self.cursor.pos];
        self.cursor.pos += 1;
        r.event(b, &t.names)
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.trace.file)
    }

    fn drain(&mut self) -> Result<u64> {
        let mut n = self.trace.counted_beyond;
        while let Some(b) = self.batch() {
            n += (b.rows.len() - self.cursor.pos) as u64;
            self.cursor.batch += 1;
            self.cursor.pos = 0;
        }
        Ok(n)
    }

    #[inline]
    fn ahead(&self, k: usize) -> Option<(u32, u64)> {
        let r = self.batch()?.rows.get(self.cursor.pos + k)?;
        (r.hash != 0).then_some((r.repo, r.hash))
    }
}
