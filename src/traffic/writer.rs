//! Writing SPEC §9 traces: the same rows a trace reader accepts, written to a temporary
//! file beside the target and renamed into place when complete.

use super::{Event, Source, State};
use crate::atomic::AtomicFile;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

pub const HEADER: &str = "time,event,repository,digest,tags,supported";

pub struct TraceWriter {
    out: AtomicFile,
    line: Vec<u8>,
    rows: u64,
}

/// Appends `YYYY-MM-DDTHH:MM:SSZ`.
pub fn push_instant(out: &mut Vec<u8>, t: i64) {
    let (y, m, d) = crate::time::civil_from_days(t.div_euclid(crate::time::DAY));
    let s = t.rem_euclid(crate::time::DAY);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    );
}

impl TraceWriter {
    pub fn create(target: &Path) -> Result<TraceWriter> {
        let mut out = AtomicFile::create(target, "--trace-out")?;
        out.write_all(HEADER.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(TraceWriter {
            out,
            line: Vec::with_capacity(256),
            rows: 0,
        })
    }

    pub fn write(&mut self, ev: &Event) -> Result<()> {
        let l = &mut self.line;
        l.clear();
        push_instant(l, ev.time);
        l.push(b',');
        l.extend_from_slice(ev.kind.name().as_bytes());
        l.push(b',');
        l.extend_from_slice(ev.repo);
        l.push(b',');
        l.extend_from_slice(ev.digest);
        l.push(b',');
        l.extend_from_slice(ev.tags);
        l.extend_from_slice(if ev.supported { b",\n" } else { b",false\n" });
        self.rows += 1;
        self.out.write_all(&self.line)
    }

    /// Flushes and moves the file into place; returns the number of rows.
    pub fn commit(self) -> Result<u64> {
        self.out.commit()?;
        Ok(self.rows)
    }
}

/// A source that writes every event it hands out.
pub struct Tap<S> {
    inner: S,
    writer: TraceWriter,
    error: Option<Error>,
}

impl<S: Source> Tap<S> {
    pub fn new(inner: S, writer: TraceWriter) -> Self {
        Tap {
            inner,
            writer,
            error: None,
        }
    }

    pub fn finish(self) -> Result<u64> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.writer.commit()
    }
}

impl<S: Source> Source for Tap<S> {
    fn peek(&mut self, state: &dyn State) -> Result<Option<i64>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.inner.peek(state)
    }

    fn take(&mut self, state: &dyn State) -> Event<'_> {
        let ev = self.inner.take(state);
        if let Err(e) = self.writer.write(&ev) {
            self.error.get_or_insert(e);
        }
        ev
    }
}
