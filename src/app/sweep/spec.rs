//! What a sweep runs: the variants (the Cartesian product of the `--set` lists, times the
//! `[[sweep.variants]]` of the scenario), each a complete scenario validated before any
//! run, and the replication seeds.
//!
//! A variant is made on the TOML document: the scenario file is parsed into a table, the
//! `[sweep]` table is taken out, the variant's `[[sweep.variants]]` entry is merged over it
//! (tables merge key by key, anything else is replaced), the `--set` values are set, and
//! the result is validated by [`Scenario::from_toml`] under the original path (so
//! relative file names still work). A message about an invalid variant points at the
//! `--set` or at the line of the scenario file the problem comes from.

use crate::base::error::{Error, Location, Result};
use crate::model::scenario::Scenario;
use crate::model::scenario::node::{self, Doc, Node};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

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

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
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
            usage(format!(
                "--set {arg}: expected KEY=V1,V2,... (such as inspector.push_duration=LIFETIME,DAYS_30)"
            ))
        })?;
        let key = key.trim();
        let path = parse_path(key).map_err(|m| usage(format!("--set {arg}: {m}")))?;
        let values = split_values(values);
        if let Some(i) = values.iter().position(|v| v.is_empty()) {
            return Err(usage(format!(
                "--set {arg}: value {} is empty; give values separated by commas",
                i + 1
            )));
        }
        Ok(SetArg {
            key: key.to_string(),
            path,
            values,
        })
    }
}

/// A value given on the command line: a TOML value when it parses as one (`30`, `0.02`,
/// `true`, `"text"`, `[1, 2]`), else the text as a string (`DAYS_30`, `none`).
pub fn toml_value(raw: &str) -> toml::Value {
    match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

/// Sets `value` at `path` in a TOML table, creating missing tables on the way.
fn set_path(
    table: &mut toml::Table,
    path: &[Seg],
    value: &toml::Value,
    key: &str,
) -> std::result::Result<(), String> {
    let Some((Seg::Key(first), rest)) = path.split_first() else {
        return Err(format!("`{key}` must start with a key"));
    };
    if rest.is_empty() {
        table.insert(first.clone(), value.clone());
        return Ok(());
    }
    let next = table.entry(first.clone()).or_insert_with(|| match rest[0] {
        Seg::Key(_) => toml::Value::Table(toml::Table::new()),
        _ => toml::Value::Array(Vec::new()),
    });
    set_in_value(next, rest, value, key)
}

fn set_in_value(
    v: &mut toml::Value,
    path: &[Seg],
    value: &toml::Value,
    key: &str,
) -> std::result::Result<(), String> {
    match (&path[0], v) {
        (Seg::Key(_), toml::Value::Table(t)) => set_path(t, path, value, key),
        (Seg::Index(i), toml::Value::Array(a)) => {
            let n = a.len();
            let el = a.get_mut(*i).ok_or_else(|| {
                format!("`{key}`: index {i} is out of range (the scenario has {n} elements there)")
            })?;
            if path.len() == 1 {
                *el = value.clone();
                Ok(())
            } else {
                set_in_value(el, &path[1..], value, key)
            }
        }
        (Seg::All, toml::Value::Array(a)) => {
            if a.is_empty() {
                return Err(format!("`{key}`: [*] of an empty list sets nothing"));
            }
            for el in a.iter_mut() {
                if path.len() == 1 {
                    *el = value.clone();
                } else {
                    set_in_value(el, &path[1..], value, key)?;
                }
            }
            Ok(())
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

/// Merges `over` into `base`: tables key by key, anything else replaced.
fn merge_tables(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The seed of replication `k` of a scenario with seed `s`: `s` itself for `k = 0` (so
/// replication 0 is what `scansim run` simulates), else SplitMix64 of `s` and `k`, kept to
/// 63 bits so it can be written as a TOML integer (`[simulation] seed`) or `--seed`.
pub fn replication_seed(s: u64, k: u32) -> u64 {
    if k == 0 {
        return s;
    }
    let mut x = s ^ (k as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

/// One variant of a sweep.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `push_duration=DAYS_30,pull_duration=none` (or the `[[sweep.variants]]` name first).
    pub name: String,
    /// The name made safe as a directory name, unique in the sweep.
    pub dir: String,
    /// The `[[sweep.variants]]` entry's name, when the scenario has them.
    pub sweep_variant: Option<String>,
    /// One value per `--set`, as given.
    pub values: Vec<String>,
    pub scenario: Scenario,
}

/// What a sweep runs.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// The scenario file as given.
    pub file: PathBuf,
    pub text: String,
    pub sets: Vec<SetArg>,
    /// Whether the scenario has `[[sweep.variants]]`.
    pub has_sweep_variants: bool,
    pub variants: Vec<Variant>,
    pub replications: u32,
}

impl SweepSpec {
    pub fn keys(&self) -> Vec<String> {
        self.sets.iter().map(|s| s.key.clone()).collect()
    }

    /// Seed of replication `k` of variant `v`.
    pub fn seed(&self, v: usize, k: u32) -> u64 {
        replication_seed(self.variants[v].scenario.seed, k)
    }
}

/// The short name of each key in variant names: its last key, unless two keys share it.
fn short_keys(sets: &[SetArg]) -> Vec<String> {
    let last = |s: &SetArg| match s.path.iter().rev().find_map(|x| match x {
        Seg::Key(k) => Some(k.clone()),
        _ => None,
    }) {
        Some(k) => k,
        None => s.key.clone(),
    };
    let lasts: Vec<String> = sets.iter().map(last).collect();
    sets.iter()
        .zip(&lasts)
        .map(|(s, l)| {
            if lasts.iter().filter(|x| *x == l).count() > 1 {
                s.key.clone()
            } else {
                l.clone()
            }
        })
        .collect()
}

/// A directory name from a variant name: `A-Z a-z 0-9 . _ - = , +` kept, others `_`.
pub fn dir_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-=,+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') || s.is_empty() {
        s.insert(0, '_');
    }
    if s.len() > 200 {
        s.truncate(200);
    }
    s
}

/// Where a key path of the scenario is in a parsed document, if it is there.
fn find_offset(root: &DeTable, path: &str) -> Option<usize> {
    let segs = parse_path(path).ok()?;
    let mut cur: Option<&toml::Spanned<DeValue>> = None;
    let mut table = root;
    for s in &segs {
        let next = match (s, cur.map(|c| c.get_ref())) {
            (Seg::Key(k), None) => table.get(k.as_str())?,
            (Seg::Key(k), Some(DeValue::Table(t))) => t.get(k.as_str())?,
            (Seg::Index(i), Some(DeValue::Array(a))) => a.as_ref().get(*i)?,
            _ => return None,
        };
        if let DeValue::Table(t) = next.get_ref() {
            table = t;
        }
        cur = Some(next);
    }
    cur.map(|c| c.span().start)
}

/// Whether a concrete key path (from a message) is the path of a `--set` (or inside it).
fn set_matches(set: &[Seg], key: &str) -> bool {
    let Ok(p) = parse_path(key) else {
        return false;
    };
    p.len() >= set.len()
        && set.iter().zip(&p).all(|(s, k)| match (s, k) {
            (Seg::All, Seg::Index(_)) => true,
            (a, b) => a == b,
        })
}

/// A message about an invalid variant, pointing at its origin.
struct Placer<'a> {
    file: &'a Path,
    doc: Doc<'a>,
    root: &'a DeTable<'a>,
}

impl Placer<'_> {
    /// Rewrites a validation error of a variant's generated document.
    fn place(
        &self,
        e: &Error,
        sets: &[SetArg],
        values: &[String],
        sweep_index: Option<usize>,
    ) -> String {
        let Error::Input { loc, message } = e else {
            return e.to_string();
        };
        if loc.file != self.file || loc.line.is_none() {
            // A referenced file (a policy, a trace) or no position: as it is.
            return e.to_string();
        }
        let Some(key) = &loc.key else {
            return format!("{}: {message}", self.file.display());
        };
        for (s, v) in sets.iter().zip(values) {
            if set_matches(&s.path, key) {
                return format!("{key} (--set {}={v}): {message}", s.key);
            }
        }
        if let Some(i) = sweep_index
            && let Some(off) = find_offset(self.root, &format!("sweep.variants[{i}].{key}"))
        {
            let (l, c) = self.doc.line_col(off);
            return format!(
                "{}:{l}:{c}: sweep.variants[{i}].{key}: {message}",
                self.file.display()
            );
        }
        if let Some(off) = find_offset(self.root, key) {
            let (l, c) = self.doc.line_col(off);
            return format!("{}:{l}:{c}: {key}: {message}", self.file.display());
        }
        format!("{}: {key}: {message}", self.file.display())
    }
}

/// Whether an error says a value has the wrong type (`expected a string, found integer`).
fn is_type_error(e: &Error) -> Option<&str> {
    match e {
        Error::Input { loc, message }
            if message.starts_with("expected ") && message.contains(", found ") =>
        {
            loc.key.as_deref()
        }
        _ => None,
    }
}

/// Builds and validates every variant; lists every invalid one in one error.
pub fn build(file: &Path, sets: Vec<SetArg>, replications: Option<u32>) -> Result<SweepSpec> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let doc = Doc { file, text: &text };
    let spanned = node::parse(&doc)?;
    let root_table = node::Table {
        doc: &doc,
        table: spanned.get_ref(),
        path: String::new(),
        start: 0,
    };
    if let Some(n) = root_table.get("sweep") {
        check_table(&n)?;
    }
    for (i, s) in sets.iter().enumerate() {
        if let Some(j) = sets[..i].iter().position(|o| o.key == s.key) {
            return Err(usage(format!(
                "--set {} is given twice (flags {} and {}): give all its values in one flag",
                s.key,
                j + 1,
                i + 1
            )));
        }
        if matches!(s.path.first(), Some(Seg::Key(k)) if k == "sweep") {
            return Err(usage(format!(
                "--set {}: the [sweep] table describes the sweep; it is not a setting to vary",
                s.key
            )));
        }
    }
    let mut base: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Error::input(
            Location::file(file),
            format!("invalid TOML: {}", e.message()),
        )
    })?;
    let sweep = base.remove("sweep");
    let sweep_variants: Vec<(String, toml::Table)> = match sweep
        .as_ref()
        .and_then(|s| s.get("variants"))
        .and_then(|v| v.as_array())
    {
        Some(list) => list
            .iter()
            .filter_map(|v| v.as_table())
            .map(|t| {
                let mut t = t.clone();
                let name = match t.remove("name") {
                    Some(toml::Value::String(s)) => s,
                    _ => String::new(),
                };
                (name, t)
            })
            .collect(),
        None => Vec::new(),
    };
    let replications = match replications {
        Some(n) => n,
        None => sweep
            .as_ref()
            .and_then(|s| s.get("replications"))
            .and_then(|v| v.as_integer())
            .map_or(1, |n| n as u32),
    };
    if replications == 0 || replications > MAX_REPLICATIONS {
        return Err(usage(format!(
            "--replications must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )));
    }

    // The Cartesian product: [[sweep.variants]] first (slowest), then the --set lists in
    // flag order, the last varying fastest.
    let dims: Vec<usize> = std::iter::once(sweep_variants.len().max(1))
        .chain(sets.iter().map(|s| s.values.len()))
        .collect();
    let total: usize = dims.iter().product();
    const MAX_VARIANTS: usize = 10_000;
    if total > MAX_VARIANTS {
        return Err(usage(format!(
            "{total} variants: at most {MAX_VARIANTS} (fewer --set values?)"
        )));
    }
    let shorts = short_keys(&sets);
    let placer = Placer {
        file,
        doc: Doc { file, text: &text },
        root: spanned.get_ref(),
    };
    let mut variants = Vec::with_capacity(total);
    let mut invalid: Vec<(String, String)> = Vec::new();
    for idx in 0..total {
        let mut rem = idx;
        let mut pick = vec![0usize; dims.len()];
        for (d, size) in dims.iter().enumerate().rev() {
            pick[d] = rem % size;
            rem /= size;
        }
        let sweep_index = (!sweep_variants.is_empty()).then_some(pick[0]);
        let values: Vec<String> = sets
            .iter()
            .zip(&pick[1..])
            .map(|(s, &i)| s.values[i].clone())
            .collect();
        let mut parts: Vec<String> = Vec::new();
        if let Some(i) = sweep_index {
            parts.push(sweep_variants[i].0.clone());
        }
        parts.extend(shorts.iter().zip(&values).map(|(k, v)| format!("{k}={v}")));
        let name = if parts.is_empty() {
            "base".to_string()
        } else {
            parts.join(",")
        };

        let mut as_string = vec![false; sets.len()];
        let result = loop {
            let mut t = base.clone();
            if let Some(i) = sweep_index {
                merge_tables(&mut t, &sweep_variants[i].1);
            }
            let mut set_error = None;
            for (j, (s, v)) in sets.iter().zip(&values).enumerate() {
                let value = if as_string[j] {
                    toml::Value::String(v.clone())
                } else {
                    toml_value(v)
                };
                if let Err(m) = set_path(&mut t, &s.path, &value, &s.key) {
                    set_error = Some(format!("--set {}={v}: {m}", s.key));
                    break;
                }
            }
            if let Some(m) = set_error {
                break Err(m);
            }
            let doc_text = toml::to_string(&t).map_err(|e| {
                Error::Usage(format!("variant {name}: cannot write its scenario: {e}"))
            })?;
            match Scenario::from_toml(&doc_text, file) {
                Ok(sc) => break Ok(sc),
                Err(e) => {
                    // A value that parsed as a number (or another TOML type) where the
                    // scenario wants a string (`simulation.rules=2022`): use the text.
                    let retry = is_type_error(&e).and_then(|key| {
                        sets.iter().enumerate().position(|(j, s)| {
                            !as_string[j]
                                && set_matches(&s.path, key)
                                && !matches!(toml_value(&values[j]), toml::Value::String(_))
                        })
                    });
                    match retry {
                        Some(j) => as_string[j] = true,
                        None => break Err(placer.place(&e, &sets, &values, sweep_index)),
                    }
                }
            }
        };
        match result {
            Ok(scenario) => variants.push(Variant {
                dir: String::new(),
                name,
                sweep_variant: sweep_index.map(|i| sweep_variants[i].0.clone()),
                values,
                scenario,
            }),
            Err(m) => invalid.push((name, m)),
        }
    }
    if !invalid.is_empty() {
        let same = invalid.iter().all(|(_, m)| *m == invalid[0].1);
        if same && invalid.len() == total {
            return Err(usage(if total == 1 {
                invalid[0].1.clone()
            } else {
                format!("every variant is invalid: {}", invalid[0].1)
            }));
        }
        let mut msg = format!(
            "{} of {total} variants are invalid; nothing was run:",
            invalid.len()
        );
        for (name, m) in &invalid {
            msg.push_str(&format!("\n  variant {name}: {m}"));
        }
        return Err(usage(msg));
    }

    // Directory names, unique.
    let mut used: Vec<String> = Vec::new();
    for v in &mut variants {
        let base = dir_name(&v.name);
        let mut d = base.clone();
        let mut n = 2;
        while used.iter().any(|u| u.eq_ignore_ascii_case(&d)) {
            d = format!("{base}-{n}");
            n += 1;
        }
        used.push(d.clone());
        v.dir = d;
    }

    for v in &variants {
        if replications > 1
            && !matches!(
                v.scenario.traffic,
                crate::model::scenario::Traffic::Synthetic(_)
            )
        {
            let what = match v.scenario.traffic {
                crate::model::scenario::Traffic::Trace(_) => {
                    "a trace-driven scenario has one replication (its traffic is fixed): remove --replications (or [sweep] replications), or use [synthetic] traffic"
                }
                _ => "the scenario has no traffic",
            };
            return Err(usage(format!("variant {}: {what}", v.name)));
        }
        if matches!(v.scenario.traffic, crate::model::scenario::Traffic::None) {
            return Err(usage(format!(
                "variant {}: the scenario has no traffic: add [traffic] trace = \"events.csv\" or [synthetic]",
                v.name
            )));
        }
    }

    Ok(SweepSpec {
        file: file.to_path_buf(),
        text,
        sets,
        has_sweep_variants: !sweep_variants.is_empty(),
        variants,
        replications,
    })
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
        assert_eq!(toml_value("30"), toml::Value::Integer(30));
        assert_eq!(toml_value("0.02"), toml::Value::Float(0.02));
        assert_eq!(toml_value("true"), toml::Value::Boolean(true));
        assert_eq!(toml_value("none"), toml::Value::String("none".into()));
        assert_eq!(toml_value("DAYS_30"), toml::Value::String("DAYS_30".into()));
        assert_eq!(toml_value("\"x y\""), toml::Value::String("x y".into()));
        assert_eq!(
            toml_value("us-east-1"),
            toml::Value::String("us-east-1".into())
        );
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
        assert!(set_matches(
            &parse_path("timeline[*].at").unwrap(),
            "timeline[3].at"
        ));
        assert!(!set_matches(
            &parse_path("timeline[0].at").unwrap(),
            "timeline[3].at"
        ));
    }

    #[test]
    fn set_creates_tables_and_indexes_lists() {
        let mut t: toml::Table = "[simulation]\ndays = 3\n[[synthetic.repositories]]\ncount = 1\n[[synthetic.repositories]]\ncount = 2\n".parse().unwrap();
        let p = |k: &str| parse_path(k).unwrap();
        set_path(&mut t, &p("pricing.rescan_usd"), &toml_value("0.02"), "k").unwrap();
        set_path(
            &mut t,
            &p("synthetic.repositories[1].count"),
            &toml_value("5"),
            "k",
        )
        .unwrap();
        set_path(
            &mut t,
            &p("synthetic.repositories[*].deployed"),
            &toml_value("0"),
            "k",
        )
        .unwrap();
        assert_eq!(t["pricing"]["rescan_usd"].as_float(), Some(0.02));
        let reps = t["synthetic"]["repositories"].as_array().unwrap();
        assert_eq!(reps[0]["count"].as_integer(), Some(1));
        assert_eq!(reps[1]["count"].as_integer(), Some(5));
        assert!(reps.iter().all(|r| r["deployed"].as_integer() == Some(0)));
        assert!(
            set_path(
                &mut t,
                &p("synthetic.repositories[2].count"),
                &toml_value("1"),
                "k"
            )
            .unwrap_err()
            .contains("out of range")
        );
        assert!(
            set_path(&mut t, &p("simulation.days.x"), &toml_value("1"), "k")
                .unwrap_err()
                .contains("not a table")
        );
    }

    #[test]
    fn seeds() {
        assert_eq!(replication_seed(42, 0), 42);
        let s: Vec<u64> = (0..50).map(|k| replication_seed(42, k)).collect();
        for (i, a) in s.iter().enumerate() {
            assert!(*a <= i64::MAX as u64);
            assert!(!s[..i].contains(a), "seeds are distinct");
        }
        assert_ne!(replication_seed(1, 1), replication_seed(2, 1));
    }

    #[test]
    fn dir_names_are_safe() {
        assert_eq!(
            dir_name("push_duration=DAYS_30,pull_duration=none"),
            "push_duration=DAYS_30,pull_duration=none"
        );
        assert_eq!(dir_name("filters=[\"prod/*\"]"), "filters=__prod____");
        assert_eq!(dir_name(".."), "_..");
        assert_eq!(dir_name("a b/c"), "a_b_c");
    }
}
