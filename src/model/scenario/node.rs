//! A typed walk over a parsed TOML document that knows, for every value, its key path and
//! its line and column, so each validation message can point at the offending key.

use crate::base::error::{Error, Location, Result};
use crate::base::time::{self, DAY, MAX_INSTANT, MIN_INSTANT};
use std::path::Path;
use toml::Spanned;
pub use toml::de::DeTable;
use toml::de::DeValue;

/// The source a node comes from.
pub struct Doc<'s> {
    pub file: &'s Path,
    pub text: &'s str,
    /// `--set` values placed into the document; the `k`-th has offsets just past the
    /// text (`text.len() + 1 + k`), so a message about it names the flag.
    pub sets: Vec<SetOrigin>,
    /// The span of the `[[sweep.variants]]` entry merged into the document, and its index.
    pub variant: Option<(std::ops::Range<usize>, usize)>,
}

/// A `--set` flag and the value of it a variant uses.
#[derive(Debug, Clone)]
pub struct SetOrigin {
    pub key: String,
    pub value: String,
}

impl<'s> Doc<'s> {
    pub fn new(file: &'s Path, text: &'s str) -> Self {
        Doc {
            file,
            text,
            sets: Vec::new(),
            variant: None,
        }
    }

    /// The `--set` a value at `offset` comes from.
    fn set_at(&self, offset: usize) -> Option<&SetOrigin> {
        offset
            .checked_sub(self.text.len() + 1)
            .and_then(|k| self.sets.get(k))
    }

    /// Whether the value at `offset` overrides the scenario file: it comes from a `--set`
    /// or from the `[[sweep.variants]]` entry merged in.
    pub fn is_override(&self, offset: usize) -> bool {
        self.set_at(offset).is_some()
            || self
                .variant
                .as_ref()
                .is_some_and(|(span, _)| span.contains(&offset))
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u64, u64) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let col = before[line_start..].chars().count() as u64 + 1;
        (line, col)
    }

    pub fn error_at(&self, offset: usize, key: &str, message: impl Into<String>) -> Error {
        if let Some(set) = self.set_at(offset) {
            return Error::Usage(format!(
                "{key} (--set {}={}): {}",
                set.key,
                set.value,
                message.into()
            ));
        }
        let (line, col) = self.line_col(offset);
        let mut loc = Location::file(self.file).line(line).column(col);
        match &self.variant {
            Some((span, i)) if span.contains(&offset) && !key.is_empty() => {
                loc = loc.key(format!("sweep.variants[{i}].{key}"));
            }
            _ if !key.is_empty() => loc = loc.key(key),
            _ => {}
        }
        Error::input(loc, message)
    }
}

/// A value with its path.
#[derive(Clone)]
pub struct Node<'a, 's> {
    pub doc: &'a Doc<'s>,
    pub value: &'a Spanned<DeValue<'s>>,
    pub path: String,
}

/// A table whose keys have been checked against the allowed set.
pub struct Table<'a, 's> {
    pub doc: &'a Doc<'s>,
    pub table: &'a DeTable<'s>,
    pub path: String,
    pub start: usize,
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a, 's> Table<'a, 's> {
    /// Fails on the first key that is not in `allowed` (a typo must not pass silently).
    pub fn allow(&self, allowed: &[&str]) -> Result<()> {
        for (k, _) in self.table.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                let key = join(&self.path, k.get_ref());
                return Err(self.doc.error_at(
                    k.span().start,
                    &key,
                    format!(
                        "unknown key `{}`; allowed keys here: {}",
                        k.get_ref(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<Node<'a, 's>> {
        let v = self.table.get(key)?;
        Some(Node {
            doc: self.doc,
            value: v,
            path: join(&self.path, key),
        })
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    pub fn error(&self, message: impl Into<String>) -> Error {
        self.doc.error_at(self.start, &self.path, message)
    }
}

impl<'a, 's> Node<'a, 's> {
    pub fn error(&self, message: impl Into<String>) -> Error {
        self.doc
            .error_at(self.value.span().start, &self.path, message)
    }

    /// Whether the value comes from a `--set` or a `[[sweep.variants]]` entry.
    pub fn is_override(&self) -> bool {
        self.doc.is_override(self.value.span().start)
    }

    fn type_error(&self, want: &str) -> Error {
        self.error(format!(
            "expected {want}, found {}",
            self.value.get_ref().type_str()
        ))
    }

    pub fn table(&self) -> Result<Table<'a, 's>> {
        match self.value.get_ref() {
            DeValue::Table(t) => Ok(Table {
                doc: self.doc,
                table: t,
                path: self.path.clone(),
                start: self.value.span().start,
            }),
            _ => Err(self.type_error("a table")),
        }
    }

    pub fn array(&self) -> Result<&'a [Spanned<DeValue<'s>>]> {
        match self.value.get_ref() {
            DeValue::Array(a) => Ok(a.as_ref()),
            _ => Err(self.type_error("an array")),
        }
    }

    /// A string. A `--set` value that reads as another TOML type (`2022`) is taken as
    /// its text where a string is wanted.
    pub fn str(&self) -> Result<&'a str> {
        match self.value.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            _ => match self.doc.set_at(self.value.span().start) {
                Some(set) if !self.value.get_ref().is_table() => Ok(&set.value),
                _ => Err(self.type_error("a string")),
            },
        }
    }

    pub fn bool(&self) -> Result<bool> {
        match self.value.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.type_error("true or false")),
        }
    }

    pub fn i64(&self) -> Result<i64> {
        match self.value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .map_err(|_| self.error("integer out of range")),
            _ => Err(self.type_error("an integer")),
        }
    }

    /// An integer in `min..=max`.
    pub fn int_in(&self, min: i64, max: i64) -> Result<i64> {
        let v = self.i64()?;
        if v < min {
            return Err(self.error(format!("must be at least {min} (got {v})")));
        }
        if v > max {
            return Err(self.error(format!("must be at most {max} (got {v})")));
        }
        Ok(v)
    }

    /// A non-negative number; integers or floats.
    pub fn f64(&self) -> Result<f64> {
        match self.value.get_ref() {
            DeValue::Integer(_) => Ok(self.i64()? as f64),
            DeValue::Float(f) => f
                .as_str()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| self.error("not a number")),
            _ => Err(self.type_error("a number")),
        }
    }

    /// A price in USD as micro-USD: a non-negative integer or float with at
    /// most 6 fractional digits, rounded to the nearest micro-USD.
    pub fn price_micro(&self) -> Result<i64> {
        // Keeps every sum of micro-USD far from i64 overflow.
        const MAX_USD: f64 = 1_000.0;
        let v = match self.value.get_ref() {
            DeValue::Integer(_) => {
                let v = self.i64()?;
                if !(0..=MAX_USD as i64).contains(&v) {
                    return Err(self.error(format!(
                        "a price must be between 0 and {MAX_USD} USD (got {v})"
                    )));
                }
                return Ok(v * 1_000_000);
            }
            DeValue::Float(_) => self.f64()?,
            _ => return Err(self.type_error("a price in USD (a number)")),
        };
        if !v.is_finite() || !(0.0..=MAX_USD).contains(&v) {
            return Err(self.error(format!(
                "a price must be between 0 and {MAX_USD} USD (got {v})"
            )));
        }
        // The shortest decimal that reads back as this float (as Python's repr).
        let text = format!("{v}");
        let frac = text.split_once('.').map_or(0, |(_, f)| f.len());
        if frac > 6 {
            return Err(self.error(format!(
                "a price has at most 6 fractional digits (micro-USD); `{text}` has {frac}"
            )));
        }
        Ok((v * 1e6).round() as i64)
    }

    /// A date (TOML local date or a `YYYY-MM-DD` string) as the instant of its midnight.
    pub fn date(&self) -> Result<i64> {
        match self.value.get_ref() {
            DeValue::String(s) => time::parse_date(s)
                .map(|d| d * DAY)
                .map_err(|e| self.error(format!("invalid date `{s}`: {e}"))),
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => self.civil(d),
                _ => Err(self.error(format!(
                    "expected a date such as 2026-01-01, found the date-time {dt}"
                ))),
            },
            _ => Err(self.type_error("a date such as 2026-01-01")),
        }
    }

    fn civil(&self, d: toml::value::Date) -> Result<i64> {
        let text = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
        time::parse_date(&text)
            .map(|d| d * DAY)
            .map_err(|e| self.error(format!("invalid date {text}: {e}")))
    }

    /// An instant in the scenario: an RFC 3339 string with an offset, a
    /// `YYYY-MM-DD` string, a TOML offset date-time or local date, or TOML integer epoch
    /// seconds.
    pub fn instant(&self) -> Result<i64> {
        const FORMS: &str = "an RFC 3339 date-time with an offset (\"2026-01-01T00:00:00Z\"), \
             a date (2026-01-01 or \"2026-01-01\") or integer epoch seconds";
        match self.value.get_ref() {
            DeValue::String(s) => {
                let r = if s.len() == 10 {
                    time::parse_date(s).map(|d| d * DAY)
                } else {
                    time::parse_rfc3339(s)
                };
                r.map_err(|e| self.error(format!("invalid instant `{s}`: {e}; expected {FORMS}")))
            }
            DeValue::Integer(_) => {
                let v = self.i64()?;
                if !(MIN_INSTANT..=MAX_INSTANT).contains(&v) {
                    return Err(self.error(format!(
                        "epoch seconds {v} are outside the years 0000 to 9999"
                    )));
                }
                Ok(v)
            }
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => self.civil(d),
                (Some(d), Some(t), Some(off)) => {
                    let day = self.civil(d)?;
                    let sod = time::check_time(
                        t.hour as u32,
                        t.minute as u32,
                        t.second.unwrap_or(0) as u32,
                    )
                    .map_err(|e| self.error(format!("invalid time {dt}: {e}")))?;
                    let off = match off {
                        toml::value::Offset::Z => 0,
                        toml::value::Offset::Custom { minutes } => minutes as i64 * 60,
                    };
                    time::in_range(day + sod - off)
                        .map_err(|e| self.error(format!("the date-time {dt}: {e}")))
                }
                (Some(_), Some(_), None) => Err(self.error(format!(
                    "the date-time {dt} has no offset; add Z for UTC (or +HH:MM)"
                ))),
                _ => Err(self.error(format!("`{dt}` is not an instant; expected {FORMS}"))),
            },
            _ => Err(self.type_error(FORMS)),
        }
    }

    /// The elements of an array, each with its indexed path.
    pub fn elements(&self) -> Result<Vec<Node<'a, 's>>> {
        Ok(self
            .array()?
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                doc: self.doc,
                value: v,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }
}

/// Parses a TOML document; a syntax error names its line and column.
pub fn parse<'s>(doc: &Doc<'s>) -> Result<Spanned<DeTable<'s>>> {
    DeTable::parse(doc.text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        doc.error_at(offset, "", format!("invalid TOML: {}", e.message()))
    })
}
