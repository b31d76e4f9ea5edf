//! Overrides of a scenario: the `[sweep]` table (replications and named variants) and
//! `--set KEY=V1,V2,...` values. A variant is the parsed scenario document with its
//! `[[sweep.variants]]` entry merged in and the `--set` values placed at their key
//! paths; it is then read like any scenario. Values keep where they came from, so a
//! message points at the line of the scenario file, of the variant entry, or at the
//! `--set` flag.

use super::node::{Doc, Node, SetOrigin};
use crate::base::error::{Error, Result};
use std::borrow::Cow;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// Top-level tables a `[[sweep.variants]]` entry may give (arrays: `timeline`,
/// `lifecycle`; tables: the others).
const VARIANT_TABLES: &[&str] = &[
    "simulation",
    "pricing",
    "registry",
    "inspector",
    "traffic",
    "synthetic",
];
const VARIANT_ARRAYS: &[&str] = &["timeline", "lifecycle"];

/// Checks the structure of a scenario's `[sweep]` table (called by the scenario loader,
/// so `run` rejects a typo in it too; the variants themselves are validated by `sweep`).
pub fn check_table(node: &Node) -> Result<()> {
    let t = node.table()?;
    t.allow(&["replications", "variants"])?;
    if let Some(n) = t.get("replications") {
        n.int_in(1, MAX_REPLICATIONS as i64)?;
    }
    if let Some(n) = t.get("variants") {
        let els = n.elements()?;
        if els.is_empty() {
            return Err(
                n.error("give at least one [[sweep.variants]] entry (or remove `variants`)")
            );
        }
        let mut names: Vec<String> = Vec::new();
        for e in els {
            let vt = e.table()?;
            let mut allowed = vec!["name"];
            allowed.extend(VARIANT_TABLES);
            allowed.extend(VARIANT_ARRAYS);
            vt.allow(&allowed)?;
            let name_node = vt.get("name").ok_or_else(|| {
                vt.error("missing key `name` (what the variant is called in the outputs)")
            })?;
            let name = name_node.str()?;
            if name.trim().is_empty() {
                return Err(name_node.error("a variant name is not empty"));
            }
            if names.iter().any(|n| n == name) {
                return Err(name_node.error(format!(
                    "two variants are called `{name}`: give each its own name"
                )));
            }
            names.push(name.to_string());
            for k in VARIANT_TABLES {
                if let Some(n) = vt.get(k) {
                    n.table()?;
                }
            }
            for k in VARIANT_ARRAYS {
                if let Some(n) = vt.get(k) {
                    n.array()?;
                }
            }
        }
    }
    Ok(())
}

pub const MAX_REPLICATIONS: u32 = 100_000;

/// One step of a key path: `key`, `[3]` or `[*]` (every element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
    All,
}

/// One `--set KEY=V1,V2,...`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetArg {
    /// The key as given (`inspector.push_duration`, `synthetic.repositories[0].count`).
    pub key: String,
    pub path: Vec<Seg>,
    /// The values as given.
    pub values: Vec<String>,
}

/// Parses a key path such as `synthetic.repositories[0].pushes_per_day`.
pub fn parse_path(key: &str) -> std::result::Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    if key.is_empty() {
        return Err("the key is empty".into());
    }
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "`{part}` is not a key (letters, digits, `_` and `-`, then optional [N] or [*])"
            ));
        }
        out.push(Seg::Key(name.to_string()));
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .filter(|_| rest.starts_with('['))
                .ok_or_else(|| format!("`{part}`: expected [N] or [*] after `{name}`"))?;
            let inner = &rest[1..close];
            out.push(if inner == "*" {
                Seg::All
            } else {
                Seg::Index(inner.parse().map_err(|_| {
                    format!("`{part}`: `[{inner}]` is not an index (a number or *)")
                })?)
            });
            rest = &rest[close + 1..];
        }
    }
    Ok(out)
}

/// Splits `V1,V2,...` at the commas outside brackets, braces and quotes.
fn split_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter().map(|v| v.trim().to_string()).collect()
}

impl SetArg {
    pub fn parse(arg: &str) -> Result<SetArg> {
        let (key, values) = arg.split_once('=').ok_or_else(|| {
            Error::usage(format!(
                "--set {arg}: expected KEY=V1,V2,... (such as inspector.push_duration=LIFETIME,DAYS_30)"
            ))
        })?;
        let key = key.trim();
        let path = parse_path(key).map_err(|m| Error::usage(format!("--set {arg}: {m}")))?;
        let values = split_values(values);
        if let Some(i) = values.iter().position(|v| v.is_empty()) {
            return Err(Error::usage(format!(
                "--set {arg}: value {} is empty; give values separated by commas",
                i + 1
            )));
        }
        let canon: Vec<String> = values.iter().map(|v| canonical(v)).collect();
        for (i, c) in canon.iter().enumerate() {
            if let Some(j) = canon[..i].iter().position(|x| x == c) {
                return Err(Error::usage(format!(
                    "--set {arg}: values {} and {} are the same setting (`{}`); give each \
                     value once",
                    j + 1,
                    i + 1,
                    values[i]
                )));
            }
        }
        Ok(SetArg {
            key: key.to_string(),
            path,
            values,
        })
    }
}

/// A value as compared for duplicates: the text of a string, a number as a number
/// (`30`, `30.0`), anything else as given.
fn canonical(raw: &str) -> String {
    match DeValue::parse(raw).map(|v| v.into_inner()) {
        Ok(DeValue::String(s)) => s.into_owned(),
        Ok(DeValue::Integer(i)) => {
            match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                Ok(n) => format!("{}", n as f64),
                Err(_) => raw.to_string(),
            }
        }
        Ok(DeValue::Float(f)) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) => format!("{x}"),
            Err(_) => raw.to_string(),
        },
        _ => raw.to_string(),
    }
}

/// Whether a `[[sweep.variants]]` entry gives the value at `path`: the key itself, or a
/// list or value on the way to it (which the entry replaces as a whole).
fn entry_gives(t: &DeTable, path: &[Seg]) -> bool {
    let Some((Seg::Key(k), rest)) = path.split_first() else {
        return false;
    };
    let Some(v) = t.get(k.as_str()) else {
        return false;
    };
    match (rest.first(), v.get_ref()) {
        (None, _) => true,
        (Some(Seg::Key(_)), DeValue::Table(inner)) => entry_gives(inner, rest),
        _ => true,
    }
}

/// A `--set` key that a `[[sweep.variants]]` entry also gives is an error: the two would
/// silently fight over one setting.
pub fn check_overlaps(doc: &Doc, root: &DeTable, sets: &[SetArg]) -> Result<()> {
    let entries = root
        .get("sweep")
        .and_then(|s| s.get_ref().get("variants"))
        .and_then(|v| v.get_ref().as_array());
    for e in entries.into_iter().flat_map(|a| a.iter()) {
        let DeValue::Table(t) = e.get_ref() else {
            continue;
        };
        for s in sets {
            if entry_gives(t, &s.path) {
                let name = t
                    .get("name")
                    .and_then(|n| n.get_ref().as_str())
                    .unwrap_or("");
                let (line, col) = doc.line_col(e.span().start);
                return Err(Error::usage(format!(
                    "--set {}: the [[sweep.variants]] entry `{name}` ({}:{line}:{col}) sets \
                     it too; give a setting in one place: in the entry or with --set",
                    s.key,
                    doc.file.display()
                )));
            }
        }
    }
    Ok(())
}

/// The text of the scalar the document holds at `path` (`[*]`: the one all elements
/// hold); none for a table, a list, a missing key or elements that differ.
pub fn value_text(v: &DeValue, path: &[Seg]) -> Option<String> {
    let Some((first, rest)) = path.split_first() else {
        return match v {
            DeValue::String(s) => Some(s.to_string()),
            DeValue::Integer(i) => Some(i.as_str().to_string()),
            DeValue::Float(f) => Some(f.as_str().to_string()),
            DeValue::Boolean(b) => Some(b.to_string()),
            DeValue::Datetime(d) => Some(d.to_string()),
            _ => None,
        };
    };
    match (first, v) {
        (Seg::Key(k), DeValue::Table(t)) => value_text(t.get(k.as_str())?.get_ref(), rest),
        (Seg::Index(i), DeValue::Array(a)) => value_text(a.get(*i)?.get_ref(), rest),
        (Seg::All, DeValue::Array(a)) => {
            let all: Vec<Option<String>> =
                a.iter().map(|e| value_text(e.get_ref(), rest)).collect();
            all.first()
                .cloned()
                .flatten()
                .filter(|x| all.iter().all(|y| y.as_ref() == Some(x)))
        }
        _ => None,
    }
}

/// A `--set` value: a TOML value when it parses as one (`30`, `0.02`, `true`, `"text"`,
/// `[1, 2]`), else the text as a string (`DAYS_30`, `none`). Every part of it carries
/// `span`, which marks it as coming from the command line.
fn set_value<'s>(raw: &'s str, span: &Range<usize>) -> Spanned<DeValue<'s>> {
    match DeValue::parse(raw) {
        Ok(v) => respan(v.into_inner(), span),
        Err(_) => Spanned::new(span.clone(), DeValue::String(Cow::Borrowed(raw))),
    }
}

fn respan<'s>(v: DeValue<'s>, span: &Range<usize>) -> Spanned<DeValue<'s>> {
    let v = match v {
        DeValue::Array(a) => {
            let mut out = DeArray::new();
            for e in a.iter() {
                out.push(respan(e.get_ref().clone(), span));
            }
            DeValue::Array(out)
        }
        DeValue::Table(t) => {
            let mut out = DeTable::new();
            for (k, e) in t.iter() {
                out.insert(
                    Spanned::new(span.clone(), k.get_ref().clone()),
                    respan(e.get_ref().clone(), span),
                );
            }
            DeValue::Table(out)
        }
        other => other,
    };
    Spanned::new(span.clone(), v)
}

/// Sets `value` at `path` in a table, creating missing tables on the way.
fn set_path<'s>(
    table: &mut DeTable<'s>,
    path: &[Seg],
    value: &Spanned<DeValue<'s>>,
    key: &str,
) -> std::result::Result<(), String> {
    let Some((Seg::Key(first), rest)) = path.split_first() else {
        return Err(format!("`{key}` must start with a key"));
    };
    let name = || Spanned::new(value.span(), Cow::Owned(first.clone()));
    if rest.is_empty() {
        table.insert(name(), value.clone());
        return Ok(());
    }
    if table.get(first.as_str()).is_none() {
        let empty = match rest[0] {
            Seg::Key(_) => DeValue::Table(DeTable::new()),
            _ => DeValue::Array(DeArray::new()),
        };
        table.insert(name(), Spanned::new(value.span(), empty));
    }
    match table.get_mut(first.as_str()) {
        Some(next) => set_in_value(next.get_mut(), rest, value, key),
        None => Err(format!("`{key}`: cannot set `{first}`")),
    }
}

fn set_in_value<'s>(
    v: &mut DeValue<'s>,
    path: &[Seg],
    value: &Spanned<DeValue<'s>>,
    key: &str,
) -> std::result::Result<(), String> {
    let here = |el: &mut Spanned<DeValue<'s>>| {
        if path.len() == 1 {
            *el = value.clone();
            Ok(())
        } else {
            set_in_value(el.get_mut(), &path[1..], value, key)
        }
    };
    match (&path[0], v) {
        (Seg::Key(_), DeValue::Table(t)) => set_path(t, path, value, key),
        (Seg::Index(i), DeValue::Array(a)) => {
            let n = a.len();
            let el = a.get_mut(*i).ok_or_else(|| {
                format!("`{key}`: index {i} is out of range (the scenario has {n} elements there)")
            })?;
            here(el)
        }
        (Seg::All, DeValue::Array(a)) => {
            if a.is_empty() {
                return Err(format!("`{key}`: [*] of an empty list sets nothing"));
            }
            a.iter_mut().try_for_each(here)
        }
        (Seg::Key(k), other) => Err(format!(
            "`{key}`: cannot set `{k}` inside a {} (not a table)",
            other.type_str()
        )),
        (_, other) => Err(format!(
            "`{key}`: cannot index a {} (not a list)",
            other.type_str()
        )),
    }
}

/// The text a value covers with everything in it: a `[[sweep.variants]]` entry's own
/// span is only its header.
fn extent(v: &Spanned<DeValue>) -> Range<usize> {
    let mut r = v.span();
    let mut widen = |o: Range<usize>| {
        r.start = r.start.min(o.start);
        r.end = r.end.max(o.end);
    };
    match v.get_ref() {
        DeValue::Table(t) => {
            for (k, x) in t.iter() {
                widen(k.span());
                widen(extent(x));
            }
        }
        DeValue::Array(a) => a.iter().for_each(|x| widen(extent(x))),
        _ => {}
    }
    r
}

/// Merges `over` into `base`: tables key by key, anything else replaced.
fn merge_tables<'s>(base: &mut DeTable<'s>, over: &DeTable<'s>) {
    for (k, v) in over.iter() {
        let name: &str = k.get_ref();
        match (base.get_mut(name), v.get_ref()) {
            (Some(b), DeValue::Table(o)) if b.get_ref().is_table() => {
                if let DeValue::Table(bt) = b.get_mut() {
                    merge_tables(bt, o);
                }
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The `--set` values of one variant: (the flag, the value).
pub type Sets<'a> = [(&'a SetArg, &'a str)];

/// Turns the parsed scenario document into a variant's: `[sweep]` taken out, the
/// `[[sweep.variants]]` entry `variant` merged in, the `--set` values placed. Records in
/// `doc` where the variant entry is and what each `--set` was.
pub fn apply<'s>(
    doc: &mut Doc<'_>,
    root: &mut DeTable<'s>,
    variant: Option<usize>,
    sets: &[(&'s SetArg, &'s str)],
) -> Result<()> {
    let sweep = root.remove("sweep");
    if let Some(i) = variant {
        let entry = sweep
            .as_ref()
            .and_then(|s| s.get_ref().get("variants"))
            .and_then(|v| v.get_ref().as_array())
            .and_then(|a| a.get(i))
            .ok_or_else(|| {
                Error::usage(format!("the scenario has no [[sweep.variants]] entry {i}"))
            })?;
        if let DeValue::Table(t) = entry.get_ref() {
            let mut t = t.clone();
            t.remove("name");
            merge_tables(root, &t);
        }
        doc.variant = Some((extent(entry), i));
    }
    for (k, (s, v)) in sets.iter().enumerate() {
        let at = doc.text.len() + 1 + k;
        let value = set_value(v, &(at..at + 1));
        set_path(root, &s.path, &value, &s.key)
            .map_err(|m| Error::usage(format!("--set {}={v}: {m}", s.key)))?;
        doc.sets.push(SetOrigin {
            key: s.key.clone(),
            value: v.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_outside_brackets_and_quotes() {
        assert_eq!(split_values("LIFETIME,DAYS_30"), ["LIFETIME", "DAYS_30"]);
        assert_eq!(split_values("[1,2],[3]"), ["[1,2]", "[3]"]);
        assert_eq!(split_values("\"a,b\",c"), ["\"a,b\"", "c"]);
        assert_eq!(split_values("{ a = 1, b = 2 }"), ["{ a = 1, b = 2 }"]);
        assert_eq!(split_values("none"), ["none"]);
    }

    #[test]
    fn values_are_toml_or_strings() {
        let span = 100..101;
        let v = |raw| set_value(raw, &span).into_inner();
        assert_eq!(
            v("30").as_integer().map(|i| i.as_str().to_string()),
            Some("30".into())
        );
        assert!(v("0.02").is_float());
        assert_eq!(v("true").as_bool(), Some(true));
        assert_eq!(v("none").as_str(), Some("none"));
        assert_eq!(v("DAYS_30").as_str(), Some("DAYS_30"));
        assert_eq!(v("\"x y\"").as_str(), Some("x y"));
        assert_eq!(v("us-east-1").as_str(), Some("us-east-1"));
        let arr = set_value("[\"a\", \"b\"]", &span);
        assert_eq!(arr.span(), span);
        let inner = arr.get_ref().as_array().unwrap();
        assert!(
            inner.iter().all(|e| e.span() == span),
            "every part marks the flag"
        );
    }

    #[test]
    fn duplicates_are_compared_as_values() {
        assert_eq!(canonical("30"), canonical("30.0"));
        assert_eq!(canonical("0.01"), canonical("0.010"));
        assert_eq!(canonical("none"), canonical("\"none\""));
        assert_ne!(canonical("DAYS_30"), canonical("DAYS_3"));
        assert_ne!(canonical("true"), canonical("\"false\""));
        assert!(SetArg::parse("inspector.pull_duration=DAYS_14,DAYS_14").is_err());
        assert!(SetArg::parse("inspector.pull_duration=DAYS_14,DAYS_30").is_ok());
    }

    #[test]
    fn an_entry_gives_a_key_itself_or_a_list_on_the_way() {
        let t = DeTable::parse(
            "name = \"x\"\ninspector = { push_duration = \"DAYS_14\" }\ntimeline = []\n",
        )
        .unwrap()
        .into_inner();
        let gives = |k: &str| entry_gives(&t, &parse_path(k).unwrap());
        assert!(gives("inspector.push_duration"));
        assert!(!gives("inspector.pull_duration"));
        assert!(gives("timeline[0].inspector.push_duration"));
        assert!(!gives("pricing.rescan_usd"));
        assert!(gives("inspector"));
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("synthetic.repositories[1].count").unwrap(),
            vec![
                Seg::Key("synthetic".into()),
                Seg::Key("repositories".into()),
                Seg::Index(1),
                Seg::Key("count".into())
            ]
        );
        assert_eq!(
            parse_path("timeline[*].at").unwrap()[1],
            Seg::All,
            "[*] is every element"
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a b"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn set_creates_tables_and_indexes_lists() {
        let text = "[simulation]\ndays = 3\n[[synthetic.repositories]]\ncount = 1\n[[synthetic.repositories]]\ncount = 2\n";
        let mut t = DeTable::parse(text).unwrap().into_inner();
        let span = 1000..1001;
        let p = |k: &str| parse_path(k).unwrap();
        set_path(
            &mut t,
            &p("pricing.rescan_usd"),
            &set_value("0.02", &span),
            "k",
        )
        .unwrap();
        set_path(
            &mut t,
            &p("synthetic.repositories[1].count"),
            &set_value("5", &span),
            "k",
        )
        .unwrap();
        set_path(
            &mut t,
            &p("synthetic.repositories[*].deployed"),
            &set_value("0", &span),
            "k",
        )
        .unwrap();
        fn get<'s>(v: &DeValue<'s>, k: &str) -> Option<DeValue<'s>> {
            v.get(k).map(|x| x.get_ref().clone())
        }
        let root = DeValue::Table(t.clone());
        let pricing = get(&root, "pricing").unwrap();
        assert!(get(&pricing, "rescan_usd").unwrap().is_float());
        let syn = get(&root, "synthetic").unwrap();
        let reps = get(&syn, "repositories").unwrap();
        let reps = reps.as_array().unwrap();
        let int = |v: &Spanned<DeValue>, k: &str| {
            get(v.get_ref(), k).and_then(|x| x.as_integer().map(|i| i.as_str().to_string()))
        };
        assert_eq!(int(&reps[0], "count").as_deref(), Some("1"));
        assert_eq!(int(&reps[1], "count").as_deref(), Some("5"));
        assert!(
            reps.iter()
                .all(|r| int(r, "deployed").as_deref() == Some("0"))
        );
        let err = set_path(
            &mut t,
            &p("synthetic.repositories[2].count"),
            &set_value("1", &span),
            "k",
        );
        assert!(err.unwrap_err().contains("out of range"));
        let err = set_path(&mut t, &p("simulation.days.x"), &set_value("1", &span), "k");
        assert!(err.unwrap_err().contains("not a table"));
    }
}
