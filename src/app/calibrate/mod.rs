//! `scansim calibrate`: learn a registry's traffic from its trace and write the
//! `[synthetic]` scenario that reproduces it (`collect` reads the trace once, `fit`
//! estimates each key, `render` writes the commented scenario).

pub mod backtest;
pub mod collect;
pub mod fit;
pub mod groups;
pub mod render;
pub mod stats;

use crate::base::atomic::AtomicFile;
use crate::base::claim::check_not_input;
use crate::base::error::{Error, Location, Result};
use crate::model::scenario::Scenario;
use crate::source::trace::TraceReader;
use collect::Collector;
use fit::Calibration;
use groups::GroupRules;
use std::path::{Path, PathBuf};

/// What `calibrate` is asked to do.
pub struct Request<'a> {
    pub trace: &'a Path,
    pub usage: &'a [PathBuf],
    pub groups: Option<&'a Path>,
    pub out: &'a Path,
    pub days: u32,
    pub force: bool,
    /// Write a scenario that continues the trace (`[traffic] history`).
    pub continued: bool,
}

/// The most days a calibrated scenario forecasts.
pub const MAX_DAYS: u32 = 3650;

/// Reads the trace's rows before `until` (all of them when `None`) into a collector.
pub fn collect<'r>(
    trace: &Path,
    rules: &'r GroupRules,
    until: Option<i64>,
) -> Result<Collector<'r>> {
    let mut reader = TraceReader::open(trace)?;
    let mut c = Collector::new(rules);
    while let Some(t) = reader.next_time()? {
        if until.is_some_and(|u| t >= u) {
            break;
        }
        let ev = reader.take_event();
        c.add(&ev)?;
    }
    if c.rows == 0 {
        return Err(Error::input(
            Location::file(trace),
            "the trace has no rows: there is nothing to calibrate from",
        ));
    }
    c.finish();
    Ok(c)
}

/// The ECR_RESCAN count of the usage totals, when given.
fn usage_rescans(paths: &[PathBuf]) -> Result<Option<f64>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let u = crate::import::usage_totals::read_usage_totals(paths)?;
    Ok(Some(u.total().rescan.total_micro as f64 / 1e6))
}

/// The inputs of the command, which no output may replace.
fn inputs(req: &Request) -> Vec<PathBuf> {
    let mut v = vec![req.trace.to_path_buf()];
    v.extend(req.usage.iter().cloned());
    v.extend(req.groups.map(Path::to_path_buf));
    v
}

/// Whether an existing `--out` file is a calibrated scenario (and may be replaced).
fn is_calibrated(head: &[u8]) -> bool {
    head.starts_with(render::HEADER.as_bytes())
}

/// Fits and renders; checks that the text reads back as a scenario.
pub fn calibrated_text(cal: &Calibration, inp: &render::Inputs, out: &Path) -> Result<String> {
    let text = render::scenario(cal, inp);
    Scenario::from_toml(&text, out).map_err(|e| {
        Error::usage(format!(
            "internal error: the calibrated scenario does not read back: {e}"
        ))
    })?;
    Ok(text)
}

/// `calibrate TRACE --out SCENARIO.toml`: returns the calibration written.
pub fn calibrate(req: &Request) -> Result<Calibration> {
    if req.days == 0 || req.days > MAX_DAYS {
        return Err(Error::usage(format!(
            "--days is 1 to {MAX_DAYS} (got {})",
            req.days
        )));
    }
    check_not_input("--out", req.out, false, &inputs(req))?;
    let rules = match req.groups {
        Some(p) => GroupRules::load(p)?,
        None => GroupRules::default(),
    };
    let usage = usage_rescans(req.usage)?;
    let mut file = AtomicFile::create(req.out, "--out", req.force, is_calibrated)?;
    let c = collect(req.trace, &rules, None)?;
    let cal = fit::fit(&c, usage);
    let trace = relative_to(req.trace, req.out);
    let text = calibrated_text(
        &cal,
        &render::Inputs {
            trace: &trace,
            days: req.days,
            history: req.continued.then_some(trace.as_str()),
        },
        req.out,
    )?;
    file.write_all(text.as_bytes())?;
    file.commit()?;
    Ok(cal)
}

/// `path` as the scenario at `out` should name it: relative to its directory when both
/// are, else absolute.
pub fn relative_to(path: &Path, out: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, o) = (abs(path), abs(out));
    let dir = o.parent().unwrap_or(Path::new("/"));
    match p.strip_prefix(dir) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => p.display().to_string(),
    }
}
