//! What a sweep runs: the variants (the Cartesian product of the `--set` lists, times the
//! `[[sweep.variants]]` of the scenario), each a complete scenario validated before any
//! run, and the replication seeds.
//!
//! Each variant is read by [`Scenario::from_variant`] from the parsed scenario document
//! with its overrides, under the original path (so relative file names still work); a
//! message about an invalid variant points at the `--set` or at the line of the scenario
//! file the problem comes from.

use crate::base::error::{Error, Result};
use crate::model::scenario::node::{self, Doc};
use crate::model::scenario::sweep::{
    MAX_REPLICATIONS, Seg, SetArg, check_overlaps, check_table, value_text,
};
use crate::model::scenario::{Scenario, Traffic};
use std::path::{Path, PathBuf};
use toml::de::DeValue;

/// The seed of replication `k` of a scenario with seed `s`: `s` itself for `k = 0` (so
/// replication 0 is what `scansim run` simulates), else SplitMix64 of `s` and `k`, kept to
/// 63 bits so it can be written as a TOML integer (`[simulation] seed`) or `--seed`.
pub fn replication_seed(s: u64, k: u32) -> u64 {
    if k == 0 {
        return s;
    }
    crate::base::hash::splitmix(s ^ (k as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)) >> 1
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

/// Which variant the others are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineKind {
    /// A variant of the `--set` lists (or `[[sweep.variants]]`) has the scenario's own
    /// settings.
    Own,
    /// No variant has them: the scenario as it is was added as variant 1.
    Added,
}

/// The baseline: its index and how it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    pub variant: u32,
    pub kind: BaselineKind,
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
    pub baseline: Baseline,
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

/// At most this many variants in a sweep.
pub const MAX_VARIANTS: usize = 10_000;

/// A name [`dir_name`] (and its `-N` suffix for equal names) can give: safe as one path
/// component below `variants/`.
pub fn is_plain_dir(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 255
        && !d.starts_with('.')
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-=,+".contains(c))
}

/// The names of the scenario's `[[sweep.variants]]` and its `[sweep] replications`,
/// after checking the `[sweep]` table and that no `--set` key is also set by an entry.
fn sweep_table(file: &Path, text: &str, sets: &[SetArg]) -> Result<(Vec<String>, Option<u32>)> {
    let doc = Doc::new(file, text);
    let spanned = node::parse(&doc)?;
    let root = node::Table {
        doc: &doc,
        table: spanned.get_ref(),
        path: String::new(),
        start: 0,
    };
    let Some(n) = root.get("sweep") else {
        return Ok((Vec::new(), None));
    };
    check_table(&n)?;
    check_overlaps(&doc, spanned.get_ref(), sets)?;
    let t = n.table()?;
    let names = match t.get("variants") {
        Some(v) => v
            .elements()?
            .iter()
            .map(|e| {
                Ok(e.table()?
                    .get("name")
                    .map_or(Ok(""), |n| n.str())?
                    .to_string())
            })
            .collect::<Result<Vec<String>>>()?,
        None => Vec::new(),
    };
    let replications = match t.get("replications") {
        Some(r) => Some(r.int_in(1, MAX_REPLICATIONS as i64)? as u32),
        None => None,
    };
    Ok((names, replications))
}

/// `--set` flags are distinct and do not vary the sweep itself.
fn check_sets(sets: &[SetArg]) -> Result<()> {
    for (i, s) in sets.iter().enumerate() {
        if let Some(j) = sets[..i].iter().position(|o| o.key == s.key) {
            return Err(Error::usage(format!(
                "--set {} is given twice (flags {} and {}): give all its values in one flag",
                s.key,
                j + 1,
                i + 1
            )));
        }
        if matches!(s.path.first(), Some(Seg::Key(k)) if k == "sweep") {
            return Err(Error::usage(format!(
                "--set {}: the [sweep] table describes the sweep; it is not a setting to vary",
                s.key
            )));
        }
    }
    Ok(())
}

/// Picks of one variant: the `[[sweep.variants]]` index (if any) and a value index per
/// `--set`, the last flag varying fastest.
fn picks(idx: usize, dims: &[usize]) -> Vec<usize> {
    let mut rem = idx;
    let mut pick = vec![0usize; dims.len()];
    for (d, size) in dims.iter().enumerate().rev() {
        pick[d] = rem % size;
        rem /= size;
    }
    pick
}

/// Builds and validates every variant; lists every invalid one in one error.
pub fn build(file: &Path, sets: Vec<SetArg>, replications: Option<u32>) -> Result<SweepSpec> {
    build_with(file, sets, replications, true, &|_| true)
}

/// [`build`] with or without the `[[sweep.variants]]` (`named`), keeping only the
/// combinations of `--set` values that `keep` accepts.
pub fn build_with(
    file: &Path,
    sets: Vec<SetArg>,
    replications: Option<u32>,
    named: bool,
    keep: &dyn Fn(&[String]) -> bool,
) -> Result<SweepSpec> {
    let text = crate::base::text::read_text(file, crate::base::text::MAX_SCENARIO_BYTES)?;
    check_sets(&sets)?;
    // Entries left out cannot clash with a --set.
    let clash_with: &[SetArg] = if named { &sets } else { &[] };
    let (mut sweep_variants, table_replications) = sweep_table(file, &text, clash_with)?;
    if !named {
        sweep_variants.clear();
    }
    let replications = replications.or(table_replications).unwrap_or(1);
    if replications == 0 || replications > MAX_REPLICATIONS {
        return Err(Error::usage(format!(
            "--replications must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )));
    }
    let dims = variant_dims(sweep_variants.len(), &sets)?;
    let total: usize = dims.iter().product();
    let shorts = short_keys(&sets);
    let mut variants = Vec::with_capacity(total);
    let mut invalid: Vec<(String, String)> = Vec::new();
    for idx in 0..total {
        let pick = picks(idx, &dims);
        let sweep_index = (!sweep_variants.is_empty()).then_some(pick[0]);
        let values: Vec<String> = sets
            .iter()
            .zip(&pick[1..])
            .map(|(s, &i)| s.values[i].clone())
            .collect();
        if !keep(&values) {
            continue;
        }
        let entry = sweep_index.map(|i| sweep_variants[i].as_str());
        let name = variant_name(entry, &shorts, &values);
        let given: Vec<(&SetArg, &str)> =
            sets.iter().zip(values.iter().map(String::as_str)).collect();
        match Scenario::from_variant(&text, file, sweep_index, &given) {
            Ok(scenario) => variants.push(Variant {
                dir: String::new(),
                name,
                sweep_variant: sweep_index.map(|i| sweep_variants[i].clone()),
                values,
                scenario,
            }),
            Err(e) => invalid.push((name, e.to_string())),
        }
    }
    report_invalid(&invalid, variants.len() + invalid.len())?;
    let baseline = baseline(
        file,
        &text,
        &sets,
        &shorts,
        !sweep_variants.is_empty(),
        &mut variants,
    )?;
    assign_dirs(&mut variants);
    check_traffic(&variants, replications)?;
    Ok(SweepSpec {
        file: file.to_path_buf(),
        text,
        sets,
        has_sweep_variants: !sweep_variants.is_empty(),
        variants,
        replications,
        baseline,
    })
}

/// The sizes of the Cartesian product: [[sweep.variants]] first (slowest), then the --set
/// lists in flag order, the last varying fastest; bounded by [`MAX_VARIANTS`].
fn variant_dims(sweep_variants: usize, sets: &[SetArg]) -> Result<Vec<usize>> {
    let dims: Vec<usize> = std::iter::once(sweep_variants.max(1))
        .chain(sets.iter().map(|s| s.values.len()))
        .collect();
    let total: usize = dims.iter().product();
    if total > MAX_VARIANTS {
        return Err(Error::usage(format!(
            "{total} variants: at most {MAX_VARIANTS} (fewer --set values?)"
        )));
    }
    Ok(dims)
}

/// A variant's name: its [[sweep.variants]] entry, then `key=value` of each --set.
fn variant_name(entry: Option<&str>, shorts: &[String], values: &[String]) -> String {
    let mut parts: Vec<String> = entry.map(str::to_string).into_iter().collect();
    parts.extend(shorts.iter().zip(values).map(|(k, v)| format!("{k}={v}")));
    if parts.is_empty() {
        "base".to_string()
    } else {
        parts.join(",")
    }
}

/// The baseline is the scenario's own settings: the variant that has them, or else the
/// scenario as it is, added as variant 1 (named after its values of the `--set` keys).
fn baseline(
    file: &Path,
    text: &str,
    sets: &[SetArg],
    shorts: &[String],
    named: bool,
    variants: &mut Vec<Variant>,
) -> Result<Baseline> {
    let own = Scenario::from_variant(text, file, None, &[])?;
    if let Some(i) = variants.iter().position(|v| v.scenario.same_settings(&own)) {
        return Ok(Baseline {
            variant: i as u32,
            kind: BaselineKind::Own,
        });
    }
    let doc = Doc::new(file, text);
    let root = DeValue::Table(node::parse(&doc)?.into_inner());
    let values: Vec<String> = sets
        .iter()
        .map(|s| {
            value_text(&root, &s.path)
                .or_else(|| resolved_value(&own, &s.key))
                .unwrap_or_else(|| "(scenario)".into())
        })
        .collect();
    let mut parts: Vec<String> = Vec::new();
    if named || sets.is_empty() {
        parts.push("scenario".into());
    }
    parts.extend(shorts.iter().zip(&values).map(|(k, v)| format!("{k}={v}")));
    variants.insert(
        0,
        Variant {
            name: parts.join(","),
            dir: String::new(),
            sweep_variant: None,
            values,
            scenario: own,
        },
    );
    Ok(Baseline {
        variant: 0,
        kind: BaselineKind::Added,
    })
}

/// The value a scenario resolves for a key it does not write (a default of the rules
/// profile, or a setting read from `aws_json`).
fn resolved_value(sc: &Scenario, key: &str) -> Option<String> {
    let i = &sc.inspector;
    Some(match key {
        "inspector.push_duration" => i.push.to_string(),
        "inspector.pull_duration" => i.pull.map_or("none".into(), |d| d.to_string()),
        "inspector.pull_mode" => i.mode.name().to_string(),
        "simulation.rules" => sc.profile.name().to_string(),
        "simulation.in_use_window_days" => sc.in_use_window_days.to_string(),
        "simulation.seed" => sc.seed.to_string(),
        "pricing.initial_scan_usd" => crate::report::html::price(sc.pricing.initial_micro),
        "pricing.rescan_usd" => crate::report::html::price(sc.pricing.rescan_micro),
        "pricing.free_trial_days" => sc.pricing.free_trial_days.to_string(),
        _ => return None,
    })
}

/// A sweep of given scenarios (`scansim diff`): the first is the baseline; each is named
/// as given. They run with the seeds of the first.
pub fn of_scenarios(
    file: &Path,
    text: String,
    scenarios: Vec<(String, Scenario)>,
    replications: u32,
) -> Result<SweepSpec> {
    if replications == 0 || replications > MAX_REPLICATIONS {
        return Err(Error::usage(format!(
            "--replications must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )));
    }
    let seed = scenarios.first().map_or(0, |(_, sc)| sc.seed);
    let mut variants: Vec<Variant> = scenarios
        .into_iter()
        .map(|(name, mut scenario)| {
            scenario.seed = seed;
            Variant {
                dir: String::new(),
                name,
                sweep_variant: None,
                values: Vec::new(),
                scenario,
            }
        })
        .collect();
    assign_dirs(&mut variants);
    check_traffic(&variants, replications)?;
    Ok(SweepSpec {
        file: file.to_path_buf(),
        text,
        sets: Vec::new(),
        has_sweep_variants: false,
        variants,
        replications,
        baseline: Baseline {
            variant: 0,
            kind: BaselineKind::Own,
        },
    })
}

/// One error listing every invalid variant (or the one message all of them share).
fn report_invalid(invalid: &[(String, String)], total: usize) -> Result<()> {
    if invalid.is_empty() {
        return Ok(());
    }
    let same = invalid.iter().all(|(_, m)| *m == invalid[0].1);
    if same && invalid.len() == total {
        return Err(Error::usage(if total == 1 {
            invalid[0].1.clone()
        } else {
            format!("every variant is invalid: {}", invalid[0].1)
        }));
    }
    let mut msg = format!(
        "{} of {total} variants are invalid; nothing was run:",
        invalid.len()
    );
    for (name, m) in invalid {
        msg.push_str(&format!("\n  variant {name}: {m}"));
    }
    Err(Error::usage(msg))
}

/// Directory names, unique (ignoring case).
fn assign_dirs(variants: &mut [Variant]) {
    let mut used: Vec<String> = Vec::new();
    for v in variants {
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
}

/// Every variant has traffic, and replications only for synthetic traffic.
fn check_traffic(variants: &[Variant], replications: u32) -> Result<()> {
    for v in variants {
        let what = match v.scenario.traffic {
            Traffic::None => {
                "the scenario has no traffic: add [traffic] trace = \"events.csv\" or [synthetic]"
            }
            Traffic::Trace(_) if replications > 1 => {
                "a trace-driven scenario has one replication (its traffic is fixed): remove --replications (or [sweep] replications), or use [synthetic] traffic"
            }
            Traffic::Synthetic(ref cfg) if cfg.history.is_some() => {
                "a sweep does not continue a [traffic] history: compare the settings with one `scansim run` each, or sweep the scenario without the history"
            }
            _ => continue,
        };
        return Err(Error::usage(format!("variant {}: {what}", v.name)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
