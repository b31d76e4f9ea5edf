//! Writing SPEC §9 traces: the same rows a trace reader accepts, written to a temporary
//! file beside the target and renamed into place when complete.

use super::{Event, Source, State};
use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const HEADER: &str = "time,event,repository,digest,tags,supported";

pub struct TraceWriter {
    target: PathBuf,
    tmp: PathBuf,
    out: BufWriter<std::fs::File>,
    line: Vec<u8>,
    rows: u64,
    done: bool,
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
        let name = target
            .file_name()
            .ok_or_else(|| Error::Usage(format!("{}: not a file name", target.display())))?;
        let tmp = target.with_file_name(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w = TraceWriter {
            target: target.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(1 << 20, f),
            line: Vec::with_capacity(256),
            rows: 0,
            done: false,
        };
        writeln!(w.out, "{HEADER}").map_err(|e| Error::io(&w.tmp, e))?;
        Ok(w)
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
        self.out
            .write_all(&self.line)
            .map_err(|e| Error::io(&self.tmp, e))
    }

    /// Flushes and moves the file into place; returns the number of rows.
    pub fn commit(mut self) -> Result<u64> {
        self.out.flush().map_err(|e| Error::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.done = true;
        Ok(self.rows)
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
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
