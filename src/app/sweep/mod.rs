//! `scansim sweep` and `scansim merge`: compare settings over replications with common
//! random numbers, optionally split into shards for batch engines.
//!
//! - [`spec`]: the variants (`--set` lists and `[[sweep.variants]]`), validated before
//!   any run, and the replication seeds.
//! - [`exec`]: runs the (variant, replication) pairs in parallel, sharing traffic and
//!   whatever else variants have in common.
//! - [`part`]: shards, `--shard auto` from the environment, `part.json` and the checks of
//!   `merge`.
//! - [`output`]: `sweep.csv`, `sweep.md`, `runs.csv`, charts and the daily rows of
//!   replication 0, written from the runs alone: an unsharded sweep is "compute every
//!   part, then merge", so `merge` writes the same bytes.
//! - [`detail`]: the baseline and each run's sums by scan frequency and group, beside
//!   `part.json` in a shard (`detail.json`).
//! - [`stats`]: means and Student-t half-widths.

pub mod compare;
pub mod detail;
pub mod exec;
mod html;
pub mod markdown;
pub mod output;
pub mod part;
mod plots;
pub mod spec;
pub mod stats;
pub mod traced;

use crate::base::atomic::Staging;
use crate::base::error::Result;
use crate::base::progress::Progress;
use crate::model::scenario::sweep::SetArg;
use exec::{ExecOptions, Timings};
use part::{Part, Shard, SweepMeta, VariantMeta};
use spec::SweepSpec;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `scansim sweep` was asked to do.
pub struct SweepOptions {
    pub scenario: PathBuf,
    pub out: PathBuf,
    /// `KEY=V1,V2,...`, in flag order.
    pub sets: Vec<String>,
    pub replications: Option<u32>,
    /// `K/N`, `auto` or `auto/N`.
    pub shard: Option<String>,
    pub charts: bool,
    /// Share traffic and common work between variants (off only to check it).
    pub sharing: bool,
    /// Print where the time went.
    pub timings: bool,
    pub progress: Option<Arc<dyn Progress + Send>>,
    /// Replace `out` even if scansim did not write it.
    pub force: bool,
}

/// What a sweep did, for the message at the end.
pub struct SweepDone {
    pub variants: usize,
    pub replications: u32,
    pub runs: usize,
    pub shard: Option<Shard>,
    pub warnings: Vec<String>,
    pub timings: Option<String>,
}

/// What the outputs need to know of a sweep besides its runs.
pub fn meta(spec: &SweepSpec) -> SweepMeta {
    SweepMeta {
        scenario: spec.file.display().to_string(),
        replications: spec.replications,
        keys: spec.keys(),
        has_sweep_variants: spec.has_sweep_variants,
        variants: spec
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| VariantMeta {
                name: v.name.clone(),
                dir: v.dir.clone(),
                sweep_variant: v.sweep_variant.clone(),
                values: v.values.clone(),
                start: crate::base::time::format_date(v.scenario.start),
                days: v.scenario.days,
                seeds: (0..spec.replications).map(|k| spec.seed(i, k)).collect(),
            })
            .collect(),
    }
}

/// Runs every (variant, replication) pair of `spec`, sharing what variants have in
/// common: what the outputs are written from.
pub fn run_all(
    spec: &SweepSpec,
    progress: Option<Arc<dyn Progress + Send>>,
) -> Result<(SweepMeta, Vec<exec::RunDays>, detail::Detail)> {
    let pairs = Shard { index: 1, count: 1 }.pairs(spec.variants.len() as u32, spec.replications);
    let runs = exec::execute(
        spec,
        &pairs,
        &ExecOptions {
            sharing: true,
            progress,
        },
        &Timings::default(),
    )?;
    let (days, parts): (Vec<_>, Vec<_>) = runs.into_iter().unzip();
    let detail = detail::Detail {
        baseline: spec.baseline,
        parts,
    };
    Ok((meta(spec), days, detail))
}

/// Warnings of the variants, once each, without positions in the generated documents.
fn warnings(spec: &SweepSpec) -> Vec<String> {
    let file = spec.file.display().to_string();
    let mut out: Vec<String> = Vec::new();
    for v in &spec.variants {
        for w in &v.scenario.warnings {
            // `FILE:LINE:COL: KEY: MESSAGE` → `FILE: KEY: MESSAGE`.
            let w = match w.strip_prefix(&format!("{file}:")) {
                Some(rest) => {
                    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
                    format!("{file}:{rest}")
                }
                None => w.clone(),
            };
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// Every variant within the size bounds of a run (events, images), before any work.
pub fn check_sizes(spec: &SweepSpec) -> Result<()> {
    for v in &spec.variants {
        crate::app::estimate::check(
            &v.scenario,
            crate::app::estimate::Mode::PerRepository,
            crate::app::estimate::Events::None,
        )
        .map_err(|e| crate::base::error::Error::usage(format!("variant {}: {e}", v.name)))?;
    }
    Ok(())
}

/// Checks that `out` is neither an input (the scenario, the files its variants read,
/// `more`) nor a directory scansim may not replace, and claims it.
pub fn claim_out(spec: &SweepSpec, out: &Path, force: bool, more: &[PathBuf]) -> Result<Staging> {
    let mut inputs = vec![spec.file.clone()];
    inputs.extend(more.iter().cloned());
    for v in &spec.variants {
        inputs.extend(v.scenario.referenced_files.iter().cloned());
    }
    crate::base::claim::check_not_input("--out", out, true, &inputs)?;
    Staging::new(out, force)
}

/// Runs a sweep (or a shard of one) and writes its outputs (or its part) into `out`.
pub fn sweep(o: &SweepOptions) -> Result<SweepDone> {
    let sets = o
        .sets
        .iter()
        .map(|s| SetArg::parse(s))
        .collect::<Result<Vec<_>>>()?;
    let shard = match &o.shard {
        Some(s) => Some(Shard::parse(s, &|k| std::env::var(k).ok())?),
        None => None,
    };
    let spec = spec::build(&o.scenario, sets, o.replications)?;
    check_sizes(&spec)?;
    let staging = claim_out(&spec, &o.out, o.force, &[])?;
    let meta = meta(&spec);
    let nv = spec.variants.len() as u32;
    let pairs = shard
        .unwrap_or(Shard { index: 1, count: 1 })
        .pairs(nv, spec.replications);
    let fingerprint = match shard {
        Some(s) => Some(shard_fingerprint(&spec, &o.sets, s.count)?),
        None => None,
    };
    let timings = Timings::default();
    let runs = exec::execute(
        &spec,
        &pairs,
        &ExecOptions {
            sharing: o.sharing,
            progress: o.progress.clone(),
        },
        &timings,
    )?;
    let (days, parts): (Vec<_>, Vec<_>) = runs.iter().cloned().unzip();
    match (shard, fingerprint) {
        (Some(s), Some(fp)) => {
            let part = Part::new(fp, s, meta, &days);
            let json = serde_json::to_vec(&part).map_err(|e| {
                crate::base::error::Error::io(&o.out.join("part.json"), std::io::Error::other(e))
            })?;
            let detail = detail::encode(&json, spec.baseline, &runs);
            staging.write_with("part.json", |w| w.write_all(&json))?;
            staging.write_with(detail::FILE, |w| w.write_all(&detail))?;
            staging.commit()?;
        }
        _ => {
            let detail = detail::Detail {
                baseline: spec.baseline,
                parts,
            };
            output::write(&meta, &days, &detail, staging, o.charts)?
        }
    }
    Ok(SweepDone {
        variants: spec.variants.len(),
        replications: spec.replications,
        runs: pairs.len(),
        shard,
        warnings: warnings(&spec),
        timings: o.timings.then(|| timings.report()),
    })
}

/// What every part of one sharded sweep shares: the scenario text, the files it reads,
/// the `--set` flags, the replications and the number of shards.
fn shard_fingerprint(spec: &SweepSpec, sets: &[String], shards: u32) -> Result<String> {
    let mut files: Vec<&Path> = Vec::new();
    for v in &spec.variants {
        for f in &v.scenario.referenced_files {
            if !files.contains(&f.as_path()) {
                files.push(f);
            }
        }
    }
    let hashes = files
        .iter()
        .map(|f| crate::base::hash::sha256_file(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(part::fingerprint(
        &spec.text,
        &hashes,
        sets,
        spec.replications,
        shards,
    ))
}

/// `scansim merge`: the outputs of a sharded sweep from the parts of all its shards.
pub fn merge(out: &Path, parts: &[PathBuf], charts: bool, force: bool) -> Result<(usize, u32)> {
    crate::base::claim::check_not_input("--out", out, true, parts)?;
    crate::base::atomic::check_out_dir(out, force)?;
    let parts = parts
        .iter()
        .map(|p| Part::read(p))
        .collect::<Result<Vec<_>>>()?;
    let files: Vec<PathBuf> = parts.iter().map(|(file, _)| file.clone()).collect();
    let (meta, runs) = part::combine(parts)?;
    let details = files
        .iter()
        .map(|f| detail::read(f))
        .collect::<Result<Vec<_>>>()?;
    let detail = detail::combine(details, &runs)?;
    output::write(&meta, &runs, &detail, Staging::new(out, force)?, charts)?;
    Ok((meta.variants.len(), meta.replications))
}
