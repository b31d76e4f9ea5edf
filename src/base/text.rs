//! Reading a whole input file as text, bounded in size, with the line and column of the
//! first byte that is not UTF-8.

use crate::base::error::{Error, Location, Result};
use std::io::Read;
use std::path::Path;

/// Scenario files are read whole: at most this many bytes.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// JSON inputs (policies, AWS CLI output, sweep parts) are read whole: at most this many
/// bytes per file.
pub const MAX_JSON_BYTES: u64 = 1 << 30;

/// The longest line of a trace, in bytes: what `import` and `generate` write stays within
/// it, so the trace reader (which refuses longer lines) reads every trace they write.
pub const MAX_TRACE_LINE: usize = 1 << 20;

/// Appends a CSV field, quoted when it holds a comma, a quote or a line break.
pub fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// The text of `path`; an error names the file, and for invalid UTF-8 the line and
/// column of the first bad byte; more than `max` bytes is an error stating the bound.
pub fn read_text(path: &Path, max: u64) -> Result<String> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(Error::input(
            Location::file(path),
            format!(
                "the file is larger than {} MiB, the most scansim reads of this kind of file",
                max >> 20
            ),
        ));
    }
    utf8(bytes, path)
}

/// `bytes` as text, or an error at the first invalid byte.
pub fn utf8(bytes: Vec<u8>, path: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // `good` is valid UTF-8 by construction.
        let before = std::str::from_utf8(good).unwrap_or_default();
        let line = before.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
        let start = before.rfind('\n').map_or(0, |p| p + 1);
        let column = before[start..].chars().count() as u64 + 1;
        Error::input(
            Location::file(path).line(line).column(column),
            "invalid UTF-8: the file must be UTF-8 text",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let e = utf8(b"ab\ncd\xc3\xa9e\xff".to_vec(), Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "s.toml:2:5: invalid UTF-8: the file must be UTF-8 text");
    }
}
