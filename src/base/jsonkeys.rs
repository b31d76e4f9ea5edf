//! Duplicate keys in JSON: `serde_json` keeps the last of two equal keys without a word,
//! so a policy or configuration that says one thing twice would be read as its second
//! half. [`check_unique_keys`] walks a document once and names the first repeated key by
//! its JSON path, line and column.

use crate::base::error::{Error, Location, Result};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::path::Path;

/// A key that appears twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// JSON path of the repeated key (`$.rules[0].selection.tagStatus`), below `root`.
    pub path: String,
    pub key: String,
    /// 1-based line and column of the repeated key's value, when known.
    pub line: usize,
    pub column: usize,
}

/// Checks that no object of the JSON text `text` repeats a key; `root` is the path of the
/// document (`$`). Syntax errors are left to the caller's own parse (`Ok` here).
pub fn check_unique_keys(text: &str, root: &str) -> Result<(), Duplicate> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let r = Walk {
        path: root.to_string(),
        found: &found,
    }
    .deserialize(&mut de);
    match (r, found.into_inner()) {
        (Err(e), Some((path, key))) => Err(Duplicate {
            path,
            key,
            line: e.line(),
            column: e.column(),
        }),
        _ => Ok(()),
    }
}

/// [`check_unique_keys`] as an input error of `file`, with the key's line and column
/// (left out for text held in a JSON string, whose places are not the file's).
pub fn check_file_text(text: &str, root: &str, file: &Path, in_file: bool) -> Result<()> {
    check_unique_keys(text, root).map_err(|d| {
        let mut loc = Location::file(file);
        if in_file && d.line > 0 {
            loc = loc.line(d.line as u64).column(d.column as u64);
        }
        Error::input(
            loc.key(d.path),
            format!("duplicate key `{}`: a key appears once in an object", d.key),
        )
    })
}

/// One value at `path`; records the first duplicate in `found`.
struct Walk<'f> {
    path: String,
    found: &'f RefCell<Option<(String, String)>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(Walk {
                path: format!("{}[{i}]", self.path),
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<String> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let path = format!("{}.{k}", self.path);
            if keys.contains(&k) {
                *self.found.borrow_mut() = Some((path, k));
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value_seed(Walk {
                path,
                found: self.found,
            })?;
            keys.push(k);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_repeated_key_is_named_with_its_path_and_place() {
        assert_eq!(
            check_unique_keys(r#"{"a": [1, {"b": 2}], "c": {}}"#, "$"),
            Ok(())
        );
        let d = check_unique_keys("{\"a\": [1, {\"b\": 2,\n \"b\": 3}]}", "$").unwrap_err();
        assert_eq!(d.path, "$.a[1].b");
        assert_eq!(d.key, "b");
        assert_eq!(d.line, 2);
        // Escaped spellings of one key are one key.
        let d = check_unique_keys(r#"{"x": 1, "\u0078": 2}"#, "$.t").unwrap_err();
        assert_eq!(d.path, "$.t.x");
        // Not JSON: left to the caller.
        assert_eq!(check_unique_keys("{", "$"), Ok(()));
    }
}
