//! Writing traces: the rows the trace reader accepts, for `generate` and `import`. A
//! file is written beside its target and renamed into place when complete.

use crate::base::atomic::AtomicFile;
use crate::base::digest::DigestRef;
use crate::base::error::{Error, Result};
use crate::base::text::push_csv_field as push_field;
use crate::base::time::push_instant;
use crate::model::event::{Change, Event, EventKind, SimView, Source};
use crate::source::trace::COLUMNS;
use std::path::Path;

/// Formats trace rows: RFC 3339 UTC times, `tags` and `supported` (`true`/`false`) on
/// push rows only, a field quoted when it holds a comma, a quote or a line break.
#[derive(Default)]
pub struct RowFormat {
    line: Vec<u8>,
}

impl RowFormat {
    /// The header line.
    pub fn header() -> &'static [u8] {
        b"time,event,repository,digest,tags,supported\n"
    }

    /// One row, with its line end.
    pub fn row<'t>(
        &mut self,
        time: i64,
        kind: EventKind,
        repo: &[u8],
        digest: Option<DigestRef>,
        tags: impl Iterator<Item = &'t [u8]>,
        supported: bool,
    ) -> &[u8] {
        let l = &mut self.line;
        l.clear();
        push_instant(l, time);
        l.push(b',');
        l.extend_from_slice(kind.name().as_bytes());
        l.push(b',');
        push_field(l, repo);
        l.push(b',');
        if let Some(d) = digest {
            match d {
                DigestRef::Sha256(_) => d.write_text(l),
                DigestRef::Text(t) => push_field(l, t),
            }
        }
        l.push(b',');
        if kind == EventKind::Push {
            for (i, t) in tags.enumerate() {
                if i > 0 {
                    l.push(b';');
                }
                push_field(l, t);
            }
            l.extend_from_slice(if supported { b",true\n" } else { b",false\n" });
        } else {
            l.extend_from_slice(b",\n");
        }
        &self.line
    }

    /// The row of an event.
    pub fn event(&mut self, ev: &Event) -> &[u8] {
        self.row(
            ev.time,
            ev.kind,
            ev.repo,
            ev.digest,
            ev.tags(),
            ev.supported,
        )
    }
}

/// A row longer than a trace line may be is an error (the trace would be unreadable).
fn check_line(line: &[u8], row: u64, target: &Path) -> Result<()> {
    use crate::base::text::MAX_TRACE_LINE;
    if line.len() > MAX_TRACE_LINE {
        return Err(Error::usage(format!(
            "{}: row {row} would be {} bytes long, more than the {MAX_TRACE_LINE} bytes a \
             trace line may have (too many tags on one image?)",
            target.display(),
            line.len()
        )));
    }
    Ok(())
}

/// A trace file being written.
pub struct TraceWriter {
    out: AtomicFile,
    fmt: RowFormat,
    rows: u64,
}

impl TraceWriter {
    /// A trace at `target`; an existing file is replaced if it is a trace (or `force`).
    pub fn create(target: &Path, force: bool) -> Result<TraceWriter> {
        debug_assert_eq!(RowFormat::header(), format!("{COLUMNS}\n").as_bytes());
        let mut out = AtomicFile::create(target, "--trace-out", force, |head| {
            head.starts_with(RowFormat::header())
        })?;
        out.write_all(RowFormat::header())?;
        Ok(TraceWriter {
            out,
            fmt: RowFormat::default(),
            rows: 0,
        })
    }

    pub fn write(&mut self, ev: &Event) -> Result<()> {
        self.rows += 1;
        let line = self.fmt.event(ev);
        check_line(line, self.rows, self.out.target())?;
        self.out.write_all(line)
    }

    /// Writes a row from its parts.
    pub fn write_row<'t>(
        &mut self,
        time: i64,
        kind: EventKind,
        repo: &[u8],
        digest: Option<DigestRef>,
        tags: impl Iterator<Item = &'t [u8]>,
        supported: bool,
    ) -> Result<()> {
        self.rows += 1;
        let line = self.fmt.row(time, kind, repo, digest, tags, supported);
        check_line(line, self.rows, self.out.target())?;
        self.out.write_all(line)
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
    fn peek(&mut self) -> Result<Option<i64>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.inner.peek()
    }

    fn take(&mut self, view: &dyn SimView) -> Event<'_> {
        let ev = self.inner.take(view);
        if let Err(e) = self.writer.write(&ev) {
            self.error.get_or_insert(e);
        }
        ev
    }

    fn changed(&mut self, view: &dyn SimView, what: Change) {
        self.inner.changed(view, what);
    }

    fn ahead(&self, k: usize) -> Option<(u32, u64)> {
        self.inner.ahead(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_quote_what_needs_quoting() {
        let mut f = RowFormat::default();
        let line = f.row(
            0,
            EventKind::Push,
            b"app",
            Some(DigestRef::Text(b"d,\"1\"")),
            [&b"latest"[..], b"v1"].into_iter(),
            false,
        );
        assert_eq!(
            line,
            b"1970-01-01T00:00:00Z,push,app,\"d,\"\"1\"\"\",latest;v1,false\n"
        );
        let line = f.row(
            86_400,
            EventKind::Pull,
            b"app",
            Some(DigestRef::Sha256([0xab; 32])),
            std::iter::empty(),
            true,
        );
        assert_eq!(
            std::str::from_utf8(line).unwrap(),
            format!(
                "1970-01-02T00:00:00Z,pull,app,sha256:{},,\n",
                "ab".repeat(32)
            )
        );
    }
}
