//! Sharding: which (variant, replication) pairs a shard runs, the shard from a batch
//! engine's environment, and the partial result (`part.json`) that `merge` combines.
//!
//! Pairs are numbered replication-major (`i = replication × variants + variant`) and
//! shard `K` of `N` runs the contiguous block `[⌊(K−1)·P/N⌋, ⌊K·P/N⌋)` of the `P` pairs:
//! a shard holds whole replications where it can, so traffic generated for a replication
//! is shared by as many variants as possible.

use super::exec::RunDays;
use crate::base::error::{Error, Result};
use crate::engine::{Counts, DayRow, Flows};
use crate::model::scenario::sweep::MAX_REPLICATIONS;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `K/N`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

const MAX_SHARDS: u32 = 1_000_000;

fn parse_count(text: &str, what: &str) -> Result<u32> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_SHARDS).contains(&n) => Ok(n),
        _ => Err(Error::usage(format!(
            "{what}: `{text}` is not a shard count (a whole number from 1 to {MAX_SHARDS})"
        ))),
    }
}

impl Shard {
    fn new(index: u32, count: u32, what: &str) -> Result<Shard> {
        if index == 0 || index > count {
            return Err(Error::usage(format!(
                "{what}: shard {index} of {count} does not exist (shards are numbered 1 to {count})"
            )));
        }
        Ok(Shard { index, count })
    }

    /// `K/N`, `auto` or `auto/N`; `env` reads the environment (a parameter for tests).
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
        let what = format!("--shard {text}");
        if let Some(rest) = text.strip_prefix("auto") {
            let given = match rest.strip_prefix('/') {
                Some(n) => Some(parse_count(n, &what)?),
                None if rest.is_empty() => None,
                None => {
                    return Err(Error::usage(format!(
                        "{what}: expected K/N, auto or auto/N"
                    )));
                }
            };
            return Shard::from_env(given, env, &what);
        }
        let (k, n) = text.split_once('/').ok_or_else(|| {
            Error::usage(format!(
                "{what}: expected K/N (such as 2/8), auto or auto/N"
            ))
        })?;
        let n = parse_count(n, &what)?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| Error::usage(format!("{what}: `{k}` is not a shard number")))?;
        Shard::new(k, n, &what)
    }

    /// The shard of an array job: AWS Batch (`AWS_BATCH_JOB_ARRAY_INDEX`, 0-based, with
    /// `AWS_BATCH_JOB_ARRAY_SIZE`), a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`,
    /// 0-based; N from `auto/N`) or Slurm (`SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN + 1`
    /// of `SLURM_ARRAY_TASK_COUNT`), looked for in that order.
    fn from_env(
        given: Option<u32>,
        env: &dyn Fn(&str) -> Option<String>,
        what: &str,
    ) -> Result<Shard> {
        let num = |name: &str| -> Result<Option<u64>> {
            match env(name) {
                None => Ok(None),
                Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    Error::usage(format!(
                        "{what}: {name}={v} is not a non-negative whole number"
                    ))
                }),
            }
        };
        let count = |from_env: Option<u64>, name: &str| -> Result<u32> {
            match (given, from_env) {
                (Some(g), Some(e)) if g as u64 != e => Err(Error::usage(format!(
                    "{what}: the shard count {g} differs from {name}={e}"
                ))),
                (Some(g), _) => Ok(g),
                (None, Some(e)) => u32::try_from(e)
                    .ok()
                    .filter(|n| (1..=MAX_SHARDS).contains(n))
                    .ok_or_else(|| {
                        Error::usage(format!("{what}: {name}={e} is not a shard count"))
                    }),
                (None, None) => Err(Error::usage(format!(
                    "{what}: {name} is not set; give the number of shards as --shard auto/N"
                ))),
            }
        };
        let index = |i: u64, n: u32| -> Result<Shard> {
            let k = u32::try_from(i + 1).unwrap_or(u32::MAX);
            Shard::new(k, n, what)
        };
        if let Some(i) = num("AWS_BATCH_JOB_ARRAY_INDEX")? {
            let n = count(num("AWS_BATCH_JOB_ARRAY_SIZE")?, "AWS_BATCH_JOB_ARRAY_SIZE")?;
            return index(i, n);
        }
        if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = given.ok_or_else(|| {
                Error::usage(format!(
                    "{what}: JOB_COMPLETION_INDEX={i} (a Kubernetes Indexed Job) does not say \
                     how many completions there are: give --shard auto/N with N = completions"
                ))
            })?;
            return index(i, n);
        }
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            if id < min {
                return Err(Error::usage(format!(
                    "{what}: SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"
                )));
            }
            let n = count(num("SLURM_ARRAY_TASK_COUNT")?, "SLURM_ARRAY_TASK_COUNT")?;
            return index(id - min, n);
        }
        Err(Error::usage(format!(
            "{what}: no array job index in the environment: --shard auto reads \
             AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch), JOB_COMPLETION_INDEX (Kubernetes Indexed \
             Job, with auto/N) or SLURM_ARRAY_TASK_ID (Slurm); give --shard K/N otherwise"
        )))
    }

    /// The pairs `(variant, replication)` of this shard.
    pub fn pairs(&self, variants: u32, replications: u32) -> Vec<(u32, u32)> {
        let p = variants as u64 * replications as u64;
        let lo = (self.index as u64 - 1) * p / self.count as u64;
        let hi = self.index as u64 * p / self.count as u64;
        (lo..hi)
            .map(|i| ((i % variants as u64) as u32, (i / variants as u64) as u32))
            .collect()
    }
}

/// What the outputs of a sweep need to know besides the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepMeta {
    /// The scenario file as given on the command line.
    pub scenario: String,
    pub replications: u32,
    /// The `--set` keys, in flag order.
    pub keys: Vec<String>,
    pub has_sweep_variants: bool,
    pub variants: Vec<VariantMeta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantMeta {
    pub name: String,
    pub dir: String,
    pub sweep_variant: Option<String>,
    pub values: Vec<String>,
    /// Day 0 of this variant (`YYYY-MM-DD`) and its number of days.
    pub start: String,
    pub days: u32,
    /// Seed of each replication.
    pub seeds: Vec<u64>,
}

/// One run in a part: its daily rows as integer arrays
/// (`images, active, expired, scan_on_push, not_scanned, unsupported, archived, in_use,
/// in_use_active, pushes, pulls, deletes, initial_scans, rescans, basic_scans,
/// expirations, cost_micro`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartRun {
    pub variant: u32,
    pub replication: u32,
    pub days: Vec<[i64; 17]>,
    /// Per day, the findings ([`encode_findings`]); as many rows as `days`.
    pub findings: Vec<[i64; 20]>,
    /// Per configuration change: (instant, repositories whose frequency changed).
    pub changes: Vec<(i64, u64)>,
}

pub const FORMAT: &str = "scansim-sweep-part/3";

/// `part.json`: a shard's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub format: String,
    /// SHA-256 of what defines the sweep (see [`fingerprint`]); parts merge only with
    /// parts of the same fingerprint.
    pub fingerprint: String,
    /// `[K, N]`.
    pub shard: [u32; 2],
    pub sweep: SweepMeta,
    pub runs: Vec<PartRun>,
    /// SHA-256 of the shard, the sweep and the runs as written ([`Part::content_hash`]):
    /// a part changed after it was written is refused.
    pub checksum: String,
}

pub fn encode_day(d: &DayRow) -> [i64; 17] {
    let c = &d.counts;
    let f = &d.flows;
    let s = |x: usize| c.status[x] as i64;
    [
        c.images as i64,
        s(0),
        s(1),
        s(2),
        s(3),
        s(4),
        s(5),
        c.in_use as i64,
        c.in_use_active as i64,
        f.pushes as i64,
        f.pulls as i64,
        f.deletes as i64,
        f.initial_scans as i64,
        f.rescans as i64,
        f.basic_scans as i64,
        f.expirations as i64,
        f.cost_micro,
    ]
}

/// The findings of a day: open per severity, created per severity, closed per
/// severity, updated, closed while in use.
pub fn encode_findings(d: &DayRow) -> [i64; 20] {
    let f = &d.flows.findings;
    let mut a = [0i64; 20];
    for s in 0..6 {
        a[s] = d.counts.findings_open[s] as i64;
        a[6 + s] = f.created[s] as i64;
        a[12 + s] = f.closed[s] as i64;
    }
    a[18] = f.updated as i64;
    a[19] = f.closed_in_use as i64;
    a
}

pub fn decode_day(a: &[i64; 17], fa: &[i64; 20]) -> DayRow {
    let u = |x: i64| x.max(0) as u64;
    let mut d = decode_counts_flows(a);
    let f = &mut d.flows.findings;
    for s in 0..6 {
        d.counts.findings_open[s] = u(fa[s]);
        f.created[s] = u(fa[6 + s]);
        f.closed[s] = u(fa[12 + s]);
    }
    f.updated = u(fa[18]);
    f.closed_in_use = u(fa[19]);
    d
}

fn decode_counts_flows(a: &[i64; 17]) -> DayRow {
    let u = |x: i64| x.max(0) as u64;
    DayRow {
        counts: Counts {
            images: u(a[0]),
            status: [u(a[1]), u(a[2]), u(a[3]), u(a[4]), u(a[5]), u(a[6])],
            in_use: u(a[7]),
            in_use_active: u(a[8]),
            ..Counts::default()
        },
        flows: Flows {
            pushes: u(a[9]),
            pulls: u(a[10]),
            deletes: u(a[11]),
            initial_scans: u(a[12]),
            rescans: u(a[13]),
            basic_scans: u(a[14]),
            expirations: u(a[15]),
            cost_micro: a[16],
            ..Flows::default()
        },
    }
}

impl Part {
    pub fn new(fingerprint: String, shard: Shard, sweep: SweepMeta, runs: &[RunDays]) -> Part {
        let mut part = Part {
            checksum: String::new(),
            format: FORMAT.to_string(),
            fingerprint,
            shard: [shard.index, shard.count],
            sweep,
            runs: runs
                .iter()
                .map(|r| PartRun {
                    variant: r.variant,
                    replication: r.replication,
                    days: r.days.iter().map(encode_day).collect(),
                    findings: r.days.iter().map(encode_findings).collect(),
                    changes: r.changes.clone(),
                })
                .collect(),
        };
        part.checksum = part.content_hash();
        part
    }

    /// SHA-256 over the fingerprint, the shard, the sweep and the runs (their JSON).
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.fingerprint.as_bytes());
        for x in [
            serde_json::to_vec(&self.shard),
            serde_json::to_vec(&self.sweep),
            serde_json::to_vec(&self.runs),
        ] {
            let bytes = x.unwrap_or_default();
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn runs(&self) -> Vec<RunDays> {
        self.runs
            .iter()
            .map(|r| RunDays {
                variant: r.variant,
                replication: r.replication,
                days: r
                    .days
                    .iter()
                    .zip(&r.findings)
                    .map(|(a, f)| decode_day(a, f))
                    .collect(),
                changes: r.changes.clone(),
            })
            .collect()
    }

    /// Reads `DIR/part.json` (or a `part.json` path).
    pub fn read(path: &Path) -> Result<(PathBuf, Part)> {
        let file = if path.is_dir() {
            path.join("part.json")
        } else {
            path.to_path_buf()
        };
        if !file.is_file() {
            return Err(Error::usage(format!(
                "{}: no part.json here: give the --out directories of `scansim sweep \
                 --shard K/N` runs",
                path.display()
            )));
        }
        let text = crate::base::text::read_text(&file, crate::base::text::MAX_JSON_BYTES)?;
        let part: Part = serde_json::from_str(&text)
            .map_err(|e| Error::usage(format!("{}: not a sweep part: {e}", file.display())))?;
        if part.format != FORMAT {
            return Err(Error::usage(format!(
                "{}: format `{}`, expected `{FORMAT}` (a part of another scansim version?)",
                file.display(),
                part.format
            )));
        }
        if part.checksum != part.content_hash() {
            return Err(Error::usage(format!(
                "{}: the part was changed after `scansim sweep` wrote it (its checksum does \
                 not match its content): run the shard again",
                file.display()
            )));
        }
        part.check().map_err(|m| {
            Error::usage(format!("{}: not a valid sweep part: {m}", file.display()))
        })?;
        Ok((file, part))
    }
}

impl Part {
    /// What a part says must make sense: variant directories are plain names, every
    /// number is within what it counts (a part is input like any other).
    fn check(&self) -> std::result::Result<(), String> {
        let m = &self.sweep;
        let [k, n] = self.shard;
        if n == 0 || n > MAX_SHARDS || k == 0 || k > n {
            return Err(format!("shard {k}/{n} does not exist"));
        }
        if m.variants.is_empty() || m.variants.len() > super::spec::MAX_VARIANTS {
            return Err(format!("{} variants", m.variants.len()));
        }
        if m.replications == 0 || m.replications > MAX_REPLICATIONS {
            return Err(format!("{} replications", m.replications));
        }
        let mut dirs: Vec<String> = Vec::new();
        for v in &m.variants {
            check_variant(v, m)?;
            let lower = v.dir.to_ascii_lowercase();
            if dirs.contains(&lower) {
                return Err(format!("two variants have the directory `{}`", v.dir));
            }
            dirs.push(lower);
        }
        for r in &self.runs {
            let v = m
                .variants
                .get(r.variant as usize)
                .filter(|_| r.replication < m.replications)
                .ok_or_else(|| {
                    format!("run ({}, {}) is not in the sweep", r.variant, r.replication)
                })?;
            if r.days.len() != v.days as usize {
                return Err(format!(
                    "run ({}, {}) has {} day rows; its variant has {} days",
                    r.variant,
                    r.replication,
                    r.days.len(),
                    v.days
                ));
            }
            if r.findings.len() != r.days.len() {
                return Err(format!(
                    "run ({}, {}) has {} findings rows for {} days",
                    r.variant,
                    r.replication,
                    r.findings.len(),
                    v.days
                ));
            }
            for (d, (row, f)) in r.days.iter().zip(&r.findings).enumerate() {
                check_day(row)
                    .and_then(|()| check_findings(f))
                    .map_err(|e| format!("run ({}, {}), day {d}: {e}", r.variant, r.replication))?;
            }
        }
        Ok(())
    }
}

fn check_variant(v: &VariantMeta, m: &SweepMeta) -> std::result::Result<(), String> {
    if !super::spec::is_plain_dir(&v.dir) {
        return Err(format!(
            "variant directory `{}` is not a plain name (letters, digits, `._-=,+`, not \
             starting with `.`)",
            v.dir.escape_debug()
        ));
    }
    if v.values.len() != m.keys.len() {
        return Err(format!(
            "variant `{}` has {} values for {} keys",
            v.dir,
            v.values.len(),
            m.keys.len()
        ));
    }
    if v.seeds.len() != m.replications as usize
        || v.seeds
            .iter()
            .any(|&s| s > crate::model::scenario::MAX_SEED)
    {
        return Err(format!("variant `{}`: seeds", v.dir));
    }
    let start = crate::base::time::parse_date(&v.start).map_err(|e| format!("start: {e}"))?;
    if v.days == 0
        || v.days > 100_000
        || start * crate::base::time::DAY + v.days as i64 * crate::base::time::DAY
            > crate::base::time::MAX_INSTANT + 1
    {
        return Err(format!(
            "variant `{}`: {} days from {}",
            v.dir, v.days, v.start
        ));
    }
    Ok(())
}

/// A day row: counts are not negative, statuses add up to the images, in-use images are
/// images, in-use active images are active and in use.
fn check_day(a: &[i64; 17]) -> std::result::Result<(), String> {
    if let Some(i) = a.iter().position(|&x| x < 0) {
        return Err(format!("field {} is negative", i + 1));
    }
    let images = a[0];
    let statuses: i64 = a[1..7].iter().fold(0i64, |s, &x| s.saturating_add(x));
    if statuses != images {
        return Err(format!(
            "the statuses add up to {statuses}, not the {images} images"
        ));
    }
    if a[7] > images || a[8] > a[7] || a[8] > a[1] {
        return Err(format!(
            "{} images in use ({} of them active) among {images} images ({} active)",
            a[7], a[8], a[1]
        ));
    }
    Ok(())
}

fn check_findings(a: &[i64; 20]) -> std::result::Result<(), String> {
    match a.iter().position(|&x| x < 0) {
        Some(i) => Err(format!("findings field {} is negative", i + 1)),
        None => Ok(()),
    }
}

/// The fingerprint of a sharded sweep: SHA-256 over the program version, the scenario
/// text, the content of every file the variants read, the `--set` flags, the number of
/// replications and the number of shards.
pub fn fingerprint(
    scenario_text: &str,
    file_hashes: &[String],
    sets: &[String],
    replications: u32,
    shards: u32,
) -> String {
    let mut h = Sha256::new();
    let mut field = |name: &str, v: &[u8]| {
        h.update(name.as_bytes());
        h.update((v.len() as u64).to_le_bytes());
        h.update(v);
    };
    field("format", FORMAT.as_bytes());
    field("version", env!("CARGO_PKG_VERSION").as_bytes());
    field("scenario", scenario_text.as_bytes());
    for f in file_hashes {
        field("file", f.as_bytes());
    }
    for s in sets {
        field("set", s.as_bytes());
    }
    field("replications", &replications.to_le_bytes());
    field("shards", &shards.to_le_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks that the parts are the whole of one sweep: one fingerprint, every shard once.
/// Returns the sweep and all runs, sorted by variant, then replication.
pub fn combine(parts: Vec<(PathBuf, Part)>) -> Result<(SweepMeta, Vec<RunDays>)> {
    let Some((first_path, first)) = parts.first() else {
        return Err(Error::usage("merge: give at least one part directory"));
    };
    let n = first.shard[1];
    let mut seen: Vec<Option<&Path>> = vec![None; n as usize];
    for (path, p) in &parts {
        // The scenario's path as given may differ between shards (it is not part of the
        // fingerprint); everything else must be the same.
        let same_sweep = SweepMeta {
            scenario: first.sweep.scenario.clone(),
            ..p.sweep.clone()
        } == first.sweep;
        if p.fingerprint != first.fingerprint || p.shard[1] != n || !same_sweep {
            return Err(Error::usage(format!(
                "{} is a part of another sweep than {} (the scenario or a file it reads, \
                 the --set values, --replications or the shard count differ): merge only \
                 the parts of one sweep",
                path.display(),
                first_path.display()
            )));
        }
        let k = p.shard[0];
        if k == 0 || k > n {
            return Err(Error::usage(format!(
                "{}: shard {k}/{n} does not exist",
                path.display()
            )));
        }
        if let Some(other) = seen[k as usize - 1] {
            return Err(Error::usage(format!(
                "shard {k}/{n} is given twice: {} and {}",
                other.display(),
                path.display()
            )));
        }
        seen[k as usize - 1] = Some(path);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{}/{n}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(Error::usage(format!(
            "missing shard{} {} of {n}: merge needs the parts of every shard",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        )));
    }
    // The path as shard 1 was given it (whatever the order of the parts).
    let meta = parts
        .iter()
        .find(|(_, p)| p.shard[0] == 1)
        .map_or_else(|| first.sweep.clone(), |(_, p)| p.sweep.clone());
    let mut runs: Vec<RunDays> = parts.iter().flat_map(|(_, p)| p.runs()).collect();
    runs.sort_by_key(|r| (r.variant, r.replication));
    let v = meta.variants.len() as u32;
    let expected = v as usize * meta.replications as usize;
    let complete = runs.len() == expected
        && runs.iter().enumerate().all(|(i, r)| {
            r.variant == i as u32 / meta.replications
                && r.replication == i as u32 % meta.replications
        });
    if !complete {
        return Err(Error::usage(format!(
            "the parts hold {} runs, not the {expected} (variant, replication) pairs of the \
             sweep once each: were they written by the same scansim version?",
            runs.len()
        )));
    }
    Ok((meta, runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_parse() {
        assert_eq!(
            Shard::parse("2/8", &no_env).unwrap(),
            Shard { index: 2, count: 8 }
        );
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", "auto/0", "autox"] {
            assert!(Shard::parse(bad, &no_env).is_err(), "{bad}");
        }
        let e = Shard::parse("auto", &no_env).unwrap_err().to_string();
        assert!(e.contains("AWS_BATCH_JOB_ARRAY_INDEX"), "{e}");
    }

    #[test]
    fn shards_from_batch_engines() {
        let aws = env_of(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "4"),
        ]);
        assert_eq!(
            Shard::parse("auto", &aws).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!(Shard::parse("auto/5", &aws).is_err(), "count differs");
        let k8s = env_of(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(
            Shard::parse("auto/3", &k8s).unwrap(),
            Shard { index: 3, count: 3 }
        );
        let e = Shard::parse("auto", &k8s).unwrap_err().to_string();
        assert!(e.contains("auto/N"), "{e}");
        assert!(Shard::parse("auto/2", &k8s).is_err(), "index 2 of 2 shards");
        let slurm = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "11"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "5"),
        ]);
        assert_eq!(
            Shard::parse("auto", &slurm).unwrap(),
            Shard { index: 2, count: 5 }
        );
        let bad = env_of(&[("AWS_BATCH_JOB_ARRAY_INDEX", "x")]);
        assert!(Shard::parse("auto/2", &bad).is_err());
    }

    #[test]
    fn shards_cover_every_pair_once() {
        for (v, r, n) in [(12u32, 10u32, 3u32), (5, 1, 8), (3, 4, 1), (7, 3, 7)] {
            let mut all: Vec<(u32, u32)> = (1..=n)
                .flat_map(|k| Shard { index: k, count: n }.pairs(v, r))
                .collect();
            assert_eq!(all.len(), (v * r) as usize);
            all.sort();
            all.dedup();
            assert_eq!(all.len(), (v * r) as usize);
        }
        // Contiguous, replication-major: shard 1 of 2 holds replication 0 whole.
        let s = Shard { index: 1, count: 2 }.pairs(3, 2);
        assert_eq!(s, vec![(0, 0), (1, 0), (2, 0)]);
    }

    #[test]
    fn days_round_trip() {
        let mut d = DayRow::default();
        d.counts.images = 7;
        d.counts.status = [1, 2, 3, 1, 0, 0];
        d.counts.in_use = 4;
        d.counts.in_use_active = 1;
        d.flows.rescans = 9;
        d.flows.cost_micro = 123_456_789;
        d.counts.findings_open = [1, 2, 3, 4, 5, 6];
        d.flows.findings.created = [7, 8, 9, 10, 11, 12];
        d.flows.findings.closed = [13, 14, 15, 16, 17, 18];
        d.flows.findings.updated = 19;
        d.flows.findings.closed_in_use = 20;
        assert_eq!(decode_day(&encode_day(&d), &encode_findings(&d)), d);
    }
}
