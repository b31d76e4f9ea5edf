//! A small read-only walk over JSON that keeps the text of every value: numbers stay
//! decimal text (epoch seconds are floored from the text, never through a float), and
//! every value knows its JSON path and its line and column, for error messages.
//!
//! Built on `serde_json`'s `RawValue` (feature `raw_value`): each level is a borrowed
//! slice of the file's text, parsed one level at a time when it is visited.

use crate::base::error::{Error, Location, Result};
use crate::base::time::{parse_epoch_decimal, parse_instant};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::Path;

/// One input file's text, or JSON text held in a string value of one (a CloudTrail
/// record in `lookup-events` output).
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    /// The JSON path of the top level: `$`, or the path of the string holding the text,
    /// which the paths inside continue (`$.Events[3].CloudTrailEvent.eventTime`).
    root: &'a str,
    /// For text inside a string: the line and column of that string in the file (places
    /// inside the string are not mapped back to the file).
    at: Option<(u64, u64)>,
}

/// A value in a [`Source`], with its JSON path (`$.imageDetails[2].imagePushedAt`).
#[derive(Debug, Clone)]
pub(crate) struct Val<'a> {
    raw: &'a RawValue,
    pub path: String,
}

impl<'a> Val<'a> {
    /// The value's JSON text (a number's digits as written).
    pub fn raw_text(&self) -> &'a str {
        self.raw.get().trim()
    }
}

/// The members of an object in file order, repeated names included.
struct Pairs<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Pairs<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    out.push((k, map.next_value::<&'de RawValue>()?));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// An object value: its members by name (each name once).
pub(crate) struct Obj<'a> {
    pub val: Val<'a>,
    members: BTreeMap<String, &'a RawValue>,
}

fn kind_of(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl<'a> Source<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Source<'a> {
        Source {
            file,
            text,
            root: "$",
            at: None,
        }
    }

    /// The JSON text held in the string `val` of this source (already decoded into
    /// `text`), with paths continuing `path`.
    pub fn nested(&self, val: &Val<'_>, path: &'a str, text: &'a str) -> Source<'a> {
        let loc = self.loc(val);
        Source {
            file: self.file,
            text,
            root: path,
            at: loc.line.zip(loc.column),
        }
    }

    /// The location of `raw` in the file: line and column from its place in the text.
    pub fn loc(&self, val: &Val<'_>) -> Location {
        let loc = Location::file(self.file).key(val.path.clone());
        if let Some((line, column)) = self.at {
            return loc.line(line).column(column);
        }
        let base = self.text.as_ptr() as usize;
        let at = val.raw.get().as_ptr() as usize;
        match at.checked_sub(base) {
            Some(off) if off <= self.text.len() && self.text.is_char_boundary(off) => {
                let before = &self.text[..off];
                let line = before.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
                let line_start = before.rfind('\n').map_or(0, |p| p + 1);
                let column = before[line_start..].chars().count() as u64 + 1;
                loc.line(line).column(column)
            }
            _ => loc,
        }
    }

    pub fn error(&self, val: &Val<'_>, message: impl Into<String>) -> Error {
        Error::input(self.loc(val), message)
    }

    /// The top-level values of the file: one document, or several written one after the
    /// other (as `cat page-*.json` gives).
    pub fn documents(&self) -> Result<Vec<Val<'a>>> {
        let mut docs = Vec::new();
        let stream = serde_json::Deserializer::from_str(self.text).into_iter::<&'a RawValue>();
        for item in stream {
            let raw = item.map_err(|e| {
                let (line, column) = self.at.unwrap_or((e.line() as u64, e.column() as u64));
                let mut loc = Location::file(self.file).line(line).column(column);
                if self.at.is_some() {
                    loc = loc.key(self.root);
                }
                Error::input(loc, format!("not valid JSON: {e}"))
            })?;
            docs.push(Val {
                raw,
                path: self.root.into(),
            });
        }
        if docs.is_empty() {
            let mut loc = Location::file(self.file);
            let mut what = "the file is empty";
            if let Some((line, column)) = self.at {
                loc = loc.line(line).column(column).key(self.root);
                what = "the string is empty";
            }
            return Err(Error::input(
                loc,
                format!("{what}: expected the JSON output of the AWS CLI or a CloudTrail record"),
            ));
        }
        Ok(docs)
    }

    fn expected(&self, val: &Val<'_>, what: &str) -> Error {
        self.error(
            val,
            format!("expected {what}, found {}", kind_of(val.raw.get())),
        )
    }

    pub fn is_null(val: &Val<'_>) -> bool {
        val.raw.get().trim_start().starts_with('n')
    }

    pub fn is_object(val: &Val<'_>) -> bool {
        val.raw.get().trim_start().starts_with('{')
    }

    pub fn is_array(val: &Val<'_>) -> bool {
        val.raw.get().trim_start().starts_with('[')
    }

    pub fn object(&self, val: &Val<'a>) -> Result<Obj<'a>> {
        if !Self::is_object(val) {
            return Err(self.expected(val, "an object"));
        }
        let pairs: Pairs<'a> = serde_json::from_str(val.raw.get())
            .map_err(|e| self.error(val, format!("not a valid JSON object: {e}")))?;
        let mut members: BTreeMap<String, &'a RawValue> = BTreeMap::new();
        for (k, raw) in pairs.0 {
            if members.contains_key(&k) {
                let dup = Val {
                    raw,
                    path: format!("{}.{k}", val.path),
                };
                return Err(self.error(
                    &dup,
                    format!("duplicate key `{k}`: a key appears once in an object"),
                ));
            }
            members.insert(k, raw);
        }
        Ok(Obj {
            val: val.clone(),
            members,
        })
    }

    pub fn array(&self, val: &Val<'a>) -> Result<Vec<Val<'a>>> {
        if !val.raw.get().trim_start().starts_with('[') {
            return Err(self.expected(val, "an array"));
        }
        let items: Vec<&'a RawValue> = serde_json::from_str(val.raw.get())
            .map_err(|e| self.error(val, format!("not a valid JSON array: {e}")))?;
        Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, raw)| Val {
                raw,
                path: format!("{}[{i}]", val.path),
            })
            .collect())
    }

    pub fn string(&self, val: &Val<'a>) -> Result<String> {
        if !val.raw.get().trim_start().starts_with('"') {
            return Err(self.expected(val, "a string"));
        }
        serde_json::from_str(val.raw.get())
            .map_err(|e| self.error(val, format!("not a valid JSON string: {e}")))
    }

    /// An integer written without fraction or exponent (`3`, `-1`).
    pub fn integer(&self, val: &Val<'a>) -> Result<i64> {
        let text = val.raw.get().trim();
        if !text
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_digit() || *c == b'-')
        {
            return Err(self.expected(val, "an integer"));
        }
        text.parse()
            .map_err(|_| self.error(val, format!("expected an integer, found `{text}`")))
    }

    /// An instant: an RFC 3339 string (AWS CLI v2) or epoch seconds as a JSON
    /// number (AWS CLI v1, `1565128275.0`), floored from its decimal text.
    pub fn instant(&self, val: &Val<'a>) -> Result<i64> {
        let text = val.raw.get().trim();
        match text.as_bytes().first() {
            Some(b'"') => {
                let s = self.string(val)?;
                parse_instant(&s).map_err(|m| self.error(val, m))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                if text.contains(['e', 'E']) {
                    return Err(self.error(
                        val,
                        format!(
                            "epoch seconds `{text}` with an exponent are not accepted; \
                             write them as a plain decimal (1565128275.0)"
                        ),
                    ));
                }
                parse_epoch_decimal(text)
                    .map_err(|m| self.error(val, format!("invalid instant `{text}`: {m}")))
            }
            _ => Err(self.expected(val, "a timestamp (an RFC 3339 string or epoch seconds)")),
        }
    }
}

impl<'a> Obj<'a> {
    /// The member `key`, `None` when it is absent or `null`.
    pub fn get(&self, key: &str) -> Option<Val<'a>> {
        let raw = *self.members.get(key)?;
        let val = Val {
            raw,
            path: format!("{}.{key}", self.val.path),
        };
        (!Source::is_null(&val)).then_some(val)
    }

    /// Where a missing member `key` would be, for "missing" messages.
    pub fn missing(&self, src: &Source<'_>, key: &str, why: &str) -> Error {
        let mut loc = src.loc(&self.val);
        loc.key = Some(format!("{}.{key}", self.val.path));
        Error::input(loc, format!("missing: {why}"))
    }

    pub fn has(&self, key: &str) -> bool {
        self.members.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source<'_> {
        Source::new(Path::new("x.json"), text)
    }

    #[test]
    fn paths_lines_and_columns() {
        let text = "{\n  \"a\": [1,\n    {\"t\": \"nope\"}]\n}";
        let s = src(text);
        let doc = &s.documents().unwrap()[0];
        let o = s.object(doc).unwrap();
        let a = s.array(&o.get("a").unwrap()).unwrap();
        let inner = s.object(&a[1]).unwrap();
        let t = inner.get("t").unwrap();
        let e = s.instant(&t).unwrap_err().to_string();
        assert!(
            e.starts_with("x.json:3:11: $.a[1].t: invalid instant `nope`"),
            "{e}"
        );
        let e = inner.missing(&s, "u", "needed").to_string();
        assert!(
            e.starts_with("x.json:3:5: $.a[1].u: missing: needed"),
            "{e}"
        );
    }

    #[test]
    fn numbers_are_floored_from_their_text() {
        let s = src(
            r#"{"a": 1767657599.9999999, "b": "2024-05-14T21:16:20.237000+00:00",
            "c": 1.5e9, "d": true, "e": null, "f": -1.5}"#,
        );
        let o = s.object(&s.documents().unwrap()[0]).unwrap();
        assert_eq!(s.instant(&o.get("a").unwrap()).unwrap(), 1_767_657_599);
        assert_eq!(s.instant(&o.get("b").unwrap()).unwrap(), 1_715_721_380);
        assert!(
            s.instant(&o.get("c").unwrap())
                .unwrap_err()
                .to_string()
                .contains("exponent")
        );
        assert!(
            s.instant(&o.get("d").unwrap())
                .unwrap_err()
                .to_string()
                .contains("found a boolean")
        );
        assert!(o.get("e").is_none() && o.has("e"));
        assert_eq!(s.instant(&o.get("f").unwrap()).unwrap(), -2);
        let s = src("{\"a\": {\"b\": 1,\n \"b\": 2}}");
        let o = s.object(&s.documents().unwrap()[0]).unwrap();
        let e = s.object(&o.get("a").unwrap()).err().unwrap().to_string();
        assert!(e.starts_with("x.json:2:7: $.a.b: duplicate key `b`"), "{e}");
    }

    #[test]
    fn several_documents_and_syntax_errors() {
        let s = src("{\"a\":1}\n{\"a\":2}\n");
        assert_eq!(s.documents().unwrap().len(), 2);
        let e = src("{\"a\":1}\n{\"a\":}")
            .documents()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.json:2:"), "{e}");
        assert!(e.contains("not valid JSON"), "{e}");
        assert!(
            src("  \n")
                .documents()
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }
}
