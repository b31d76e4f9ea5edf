//! A CSV record reader for traces: a line without a `"` is split on commas with SIMD
//! searches (the common case, several times faster than a byte-at-a-time state machine);
//! a line with a quote goes through a full RFC 4180 parser (quoted fields may hold commas,
//! doubled quotes and line breaks). Rows are bounded ([`MAX_ROW`]) and the buffer never
//! grows; a header with CR-only line ends is refused.

use memchr::{memchr, memchr_iter};
use std::io::{self, Read};

/// The longest row a trace may have, in bytes, not counting its line end (a row whose
/// quoted field holds line breaks counts all its lines). Longer rows are errors, so a
/// file that is not a trace (`/dev/zero`, a binary) is refused after reading 2 MiB.
/// The same bound the trace writers keep to, so every trace scansim writes reads back.
pub const MAX_ROW: usize = crate::base::text::MAX_TRACE_LINE;

/// The buffer holds a whole row of [`MAX_ROW`] bytes with room to read after it.
const BUFFER: usize = 2 * MAX_ROW + 64 * 1024;

pub struct Records<R> {
    inner: R,
    buf: Vec<u8>,
    /// Unconsumed data is `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Line of the current record's first line, and of the next unread line.
    line: u64,
    next_line: u64,
    /// Field ranges of the current record, in `buf` or (quoted records) in `scratch`.
    fields: Vec<(usize, usize)>,
    scratch: Vec<u8>,
    in_scratch: bool,
    started: bool,
    /// No record has been returned yet: the next one is the header.
    first: bool,
}

/// A malformed record: the line where it starts and the whole message.
#[derive(Debug)]
pub struct RecordError {
    pub line: u64,
    pub message: String,
}

impl<R: Read> Records<R> {
    pub fn new(inner: R) -> Self {
        Records {
            inner,
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
            eof: false,
            line: 0,
            next_line: 1,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
            in_scratch: false,
            started: false,
            first: true,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    pub fn inner_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Line (1-based) where the current record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let &(a, b) = self.fields.get(i)?;
        Some(if self.in_scratch {
            &self.scratch[a..b]
        } else {
            &self.buf[a..b]
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Moves unconsumed data to the front and reads more; false at end of input (or when
    /// the buffer is full, which the callers' bounds rule out).
    fn refill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Ok(false);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn too_long(&self) -> RecordError {
        RecordError {
            line: self.next_line,
            message: format!(
                "the row is longer than {MAX_ROW} bytes (1 MiB), the limit for one trace row \
                 (is this a CSV trace, one event per line? a quoted field may also be left \
                 open)"
            ),
        }
    }

    /// The header may not hold a carriage return that does not end its line: that is a
    /// file with CR-only line ends (classic Mac OS), which would read as one long header.
    fn check_line_ends(&self, upto: usize) -> Result<(), RecordError> {
        let head = &self.buf[self.start..upto.min(self.end)];
        for p in memchr_iter(b'\r', head) {
            if head.get(p + 1).is_some_and(|&c| c != b'\n') {
                return Err(RecordError {
                    line: self.next_line,
                    message: "the header line holds a carriage return (CR) that does not end \
                              it: the trace seems to use CR-only line ends (classic Mac OS); \
                              save it with LF or CRLF line ends (e.g. `tr '\\r' '\\n' < old.csv > \
                              new.csv`)"
                        .into(),
                });
            }
        }
        Ok(())
    }

    /// Finds the end of the line at `start`: `Some(position of its LF)`, or `None` for a
    /// last line without one. Errors when the line is over the bound.
    fn find_line_end(&mut self) -> Result<Option<usize>, Result<RecordError, io::Error>> {
        let mut searched = self.start;
        loop {
            if let Some(p) = memchr(b'\n', &self.buf[searched..self.end]) {
                return Ok(Some(searched + p));
            }
            if self.end - self.start > MAX_ROW + 1 {
                if self.first {
                    self.check_line_ends(self.end).map_err(Ok)?;
                }
                return Err(Ok(self.too_long()));
            }
            searched = self.end - self.start;
            if !self.refill().map_err(Err)? {
                return Ok(None);
            }
            searched += self.start;
        }
    }

    /// Reads the next record; blank lines are skipped. `Ok(false)` at the end.
    pub fn read(&mut self) -> Result<bool, Result<RecordError, io::Error>> {
        loop {
            // A complete line in the buffer, or the last line of the input.
            let nl = self.find_line_end()?;
            if !self.started {
                // A UTF-8 byte-order mark before the header is skipped.
                self.started = true;
                if self.buf[self.start..self.end].starts_with(b"\xEF\xBB\xBF") {
                    self.start += 3;
                    continue;
                }
            }
            if nl.is_none() && self.start == self.end {
                return Ok(false);
            }
            let line_end = nl.unwrap_or(self.end);
            let mut content_end = line_end;
            if content_end > self.start && self.buf[content_end - 1] == b'\r' {
                content_end -= 1;
            }
            let line = &self.buf[self.start..content_end];
            self.line = self.next_line;
            if line.iter().all(u8::is_ascii_whitespace) {
                self.next_line += 1;
                self.start = nl.map_or(self.end, |p| p + 1);
                continue;
            }
            if self.first {
                self.check_line_ends(line_end).map_err(Ok)?;
                self.first = false;
            }
            if content_end - self.start > MAX_ROW {
                return Err(Ok(self.too_long()));
            }
            if memchr(b'"', line).is_some() {
                return self.read_quoted().map(|()| true).map_err(Ok);
            }
            self.fields.clear();
            self.in_scratch = false;
            let mut from = self.start;
            for p in memchr_iter(b',', line) {
                self.fields.push((from, self.start + p));
                from = self.start + p + 1;
            }
            self.fields.push((from, content_end));
            self.next_line += 1;
            self.start = nl.map_or(self.end, |p| p + 1);
            return Ok(true);
        }
    }

    /// Parses one record with quoted fields, reading more input if a quoted field runs
    /// past the buffer.
    fn read_quoted(&mut self) -> Result<(), RecordError> {
        loop {
            match self.parse_quoted() {
                Some((consumed, lines)) => {
                    if consumed > MAX_ROW + 2 {
                        return Err(RecordError {
                            line: self.line,
                            ..self.too_long()
                        });
                    }
                    self.start += consumed;
                    self.next_line += lines;
                    return Ok(());
                }
                None if self.end - self.start > MAX_ROW + 2 => {
                    return Err(RecordError {
                        line: self.line,
                        ..self.too_long()
                    });
                }
                None => match self.refill() {
                    Ok(true) => continue,
                    Ok(false) => {
                        return Err(RecordError {
                            line: self.line,
                            message: "malformed CSV: a quoted field is not closed before the \
                                      end of the file"
                                .into(),
                        });
                    }
                    Err(e) => {
                        return Err(RecordError {
                            line: self.line,
                            message: format!("malformed CSV: read error: {e}"),
                        });
                    }
                },
            }
        }
    }

    /// `Some((bytes consumed, lines consumed))`, or `None` when the record is incomplete.
    fn parse_quoted(&mut self) -> Option<(usize, u64)> {
        let data = &self.buf[self.start..self.end];
        self.scratch.clear();
        self.fields.clear();
        self.in_scratch = true;
        let mut i = 0;
        let mut lines = 1;
        let mut field_start = 0;
        let mut at_field_start = true;
        let mut quoted = false;
        while i < data.len() {
            let c = data[i];
            if quoted {
                if c == b'"' {
                    if i + 1 >= data.len() && !self.eof {
                        return None; // a doubled quote may follow
                    }
                    if data.get(i + 1) == Some(&b'"') {
                        self.scratch.push(b'"');
                        i += 2;
                    } else {
                        quoted = false;
                        i += 1;
                    }
                    continue;
                }
                if c == b'\n' {
                    lines += 1;
                }
                self.scratch.push(c);
                i += 1;
                continue;
            }
            match c {
                b'"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                b',' => {
                    self.fields.push((field_start, self.scratch.len()));
                    field_start = self.scratch.len();
                    at_field_start = true;
                }
                b'\n' => {
                    if self.scratch.last() == Some(&b'\r') && self.scratch.len() > field_start {
                        self.scratch.pop();
                    }
                    self.fields.push((field_start, self.scratch.len()));
                    return Some((i + 1, lines));
                }
                _ => {
                    self.scratch.push(c);
                    at_field_start = false;
                }
            }
            i += 1;
        }
        if quoted || !self.eof {
            return None;
        }
        if self.scratch.last() == Some(&b'\r') && self.scratch.len() > field_start {
            self.scratch.pop();
        }
        self.fields.push((field_start, self.scratch.len()));
        Some((data.len(), lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` in chunks of `chunk` bytes to exercise refills mid-record.
    struct Chunked<'a>(&'a [u8], usize);
    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn all(text: &str, chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(Chunked(text.as_bytes(), chunk));
        let mut out = Vec::new();
        while r.read().map_err(|_| "error").unwrap() {
            out.push((
                r.line(),
                r.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn plain_quoted_blank_and_crlf() {
        let text = "a,b,c\r\n\n  \nx,\"y,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",2,3\nlast,,";
        for chunk in [1, 2, 3, 7, 64] {
            let rows = all(text, chunk);
            assert_eq!(
                rows,
                vec![
                    (1, vec!["a".into(), "b".into(), "c".into()]),
                    (4, vec!["x".into(), "y,1".into(), "say \"hi\"".into()]),
                    (5, vec!["multi\nline".into(), "2".into(), "3".into()]),
                    (7, vec!["last".into(), "".into(), "".into()]),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        let mut r = Records::new("a,\"b\nc".as_bytes());
        match r.read() {
            Err(Ok(e)) => assert_eq!(e.line, 1),
            _ => panic!("expected an error"),
        }
    }

    fn first_error(text: &[u8]) -> RecordError {
        let mut r = Records::new(Chunked(text, 1 << 16));
        loop {
            match r.read() {
                Ok(true) => continue,
                Ok(false) => panic!("no error"),
                Err(Ok(e)) => return e,
                Err(Err(e)) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn rows_are_bounded_at_one_mib() {
        let row = |n: usize, end: &str| format!("h\n{}{end}x\n", "a".repeat(n));
        for end in ["\n", "\r\n"] {
            let text = row(MAX_ROW, end);
            let mut r = Records::new(Chunked(text.as_bytes(), 4096));
            let mut lens = Vec::new();
            while r
                .read()
                .unwrap_or_else(|_| panic!("a row of exactly 1 MiB is fine"))
            {
                lens.push(r.get(0).unwrap().len());
            }
            assert_eq!(lens, vec![1, MAX_ROW, 1]);
            let e = first_error(row(MAX_ROW + 1, end).as_bytes());
            assert_eq!(e.line, 2);
            assert!(
                e.message.contains("longer than 1048576 bytes"),
                "{}",
                e.message
            );
        }
        // The last line, without a line end.
        let e = first_error(format!("h\n{}", "a".repeat(MAX_ROW + 1)).as_bytes());
        assert_eq!(e.line, 2);
        // A quoted field that never closes is refused at the bound, not at the end.
        let open = format!("h\n\"{}", "a\n".repeat(MAX_ROW));
        let e = first_error(open.as_bytes());
        assert_eq!(e.line, 2);
        assert!(e.message.contains("1 MiB"), "{}", e.message);
    }

    /// Zero bytes without end, like `/dev/zero`.
    struct Zeros(u64);
    impl Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            buf.fill(0);
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_line_is_refused_after_reading_a_bounded_amount() {
        let mut r = Records::new(Zeros(0));
        match r.read() {
            Err(Ok(e)) => assert_eq!(e.line, 1),
            _ => panic!("expected an error"),
        }
        assert!(r.into_inner().0 <= BUFFER as u64);
    }

    #[test]
    fn a_header_with_cr_only_line_ends_is_refused() {
        let e = first_error(b"time,event,repository,digest\r2026-01-01,push,a,b\r");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("CR-only line ends"), "{}", e.message);
        // Even when the whole file is one long "line".
        let big = "time,event,repository,digest\r".repeat(50_000);
        assert!(first_error(big.as_bytes()).message.contains("CR-only"));
        // CRLF is fine, and so is a CR inside a later row.
        let mut r = Records::new(&b"a,b\r\nc\rd,e\r\n"[..]);
        assert!(r.read().is_ok_and(|b| b));
        assert!(r.read().is_ok_and(|b| b));
        assert_eq!(r.get(0), Some(&b"c\rd"[..]));
    }
}
