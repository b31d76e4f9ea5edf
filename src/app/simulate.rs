//! One simulation: a scenario over its traffic (or a trace), and its outputs.

use super::checks;
use super::sweep::spec::replication_seed;
use super::sweep::stats::Estimate;
use crate::base::atomic::{AtomicFile, Staging};
use crate::base::claim::{check_not_input, resolve};
use crate::base::error::{Error, Location, Result};
use crate::engine::{Engine, Observer, RunOptions, RunResult};
use crate::model::groups::PathGroups;
use crate::model::provenance::Provenance;
use crate::model::scenario::synthetic::SyntheticConfig;
use crate::model::scenario::{Scenario, Traffic};
use crate::report::Report;
use crate::report::answer::{Replications, Spread, headline_values};
use crate::report::events::is_events_file;
use crate::source::continued::Continued;
use crate::source::synthetic::{Registry, RepoSource};
use crate::source::trace::TraceReader;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A finished simulation and what it came from.
pub struct Run {
    pub result: RunResult,
    pub provenance: Provenance,
    /// The trace replayed; none for synthetic traffic.
    pub trace: Option<PathBuf>,
    /// What the run found wrong beyond the scenario's own warnings (filters that match
    /// none of the repositories, a trace without rows, ...).
    pub warnings: Vec<String>,
    /// The headline figures over replications of the traffic ([`replicate`]).
    pub replications: Option<Replications>,
}

impl Run {
    fn new(
        sc: &Scenario,
        result: RunResult,
        provenance: Provenance,
        trace: Option<PathBuf>,
    ) -> Run {
        let warnings = match (&trace, &sc.traffic) {
            (None, Traffic::Synthetic(cfg)) => {
                let names = cfg.repository_names();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                checks::traffic_warnings(sc, &names, None)
            }
            _ => {
                let names: Vec<&str> = result.repos.iter().map(|r| r.name.as_str()).collect();
                let rows = trace
                    .as_deref()
                    .map(|t| (t, result.traffic_events, result.events_after_horizon));
                checks::traffic_warnings(sc, &names, rows)
            }
        };
        Run {
            result,
            provenance,
            trace,
            warnings,
            replications: None,
        }
    }

    /// Every warning: the scenario's, then the run's.
    pub fn all_warnings(&self, sc: &Scenario) -> Vec<String> {
        sc.warnings.iter().chain(&self.warnings).cloned().collect()
    }
}

/// Simulates a scenario: over `trace` when given, else over the scenario's own traffic.
pub fn simulate(sc: &Scenario, trace: Option<&Path>, opts: RunOptions) -> Result<Run> {
    match (trace, &sc.traffic) {
        (None, Traffic::Synthetic(cfg)) => {
            let result = simulate_synthetic(sc, cfg, sc.seed, opts)?;
            let provenance = Provenance::collect(sc, None)?;
            Ok(Run::new(sc, result, provenance, None))
        }
        _ => simulate_trace(sc, trace, opts, None),
    }
}

fn simulate_trace(
    sc: &Scenario,
    trace: Option<&Path>,
    opts: RunOptions,
    events: Option<Box<dyn Observer + Send + '_>>,
) -> Result<Run> {
    let trace = match (trace, &sc.traffic) {
        (Some(t), _) => t.to_path_buf(),
        (None, Traffic::Trace(t)) => t.clone(),
        _ => {
            return Err(Error::input(
                Location::file(&sc.file),
                "the scenario has no traffic: add [traffic] trace = \"events.csv\" or \
                 [synthetic], or give --trace FILE",
            ));
        }
    };
    let mut source = TraceReader::open(&trace)?;
    let groups = PathGroups;
    let mut engine = Engine::new(sc, opts, &groups).skip_idle_history();
    if let Some(sink) = events {
        engine = engine.with_observer(sink);
    }
    let result = engine.run(&mut source)?;
    // The engine reads every row, after the horizon too, so the whole trace was hashed.
    let hash = source.sha256().unwrap_or_default().to_string();
    let provenance = Provenance::collect(sc, Some((trace.clone(), hash)))?;
    Ok(Run::new(sc, result, provenance, Some(trace)))
}

/// Simulates like [`simulate`] and writes the EventBridge events of the run to
/// `events` (JSON lines; the caller commits it). Synthetic traffic then runs in one
/// engine, in time order.
pub fn simulate_with_events(
    sc: &Scenario,
    trace: Option<&Path>,
    opts: RunOptions,
    events: &mut AtomicFile,
    account: &str,
    finding_events: bool,
) -> Result<Run> {
    let region = sc.region.as_deref().unwrap_or("us-east-1");
    let sink = Box::new(
        crate::report::events::EventWriter::new(events, account, region)
            .with_findings(finding_events),
    );
    match (trace, &sc.traffic) {
        (None, Traffic::Synthetic(cfg)) => {
            let reg = Registry::new(cfg, sc.seed, sc.start, sc.days);
            let engine = Engine::new(sc, opts, &reg.groups).with_observer(sink);
            let result = match &cfg.history {
                Some(h) => engine.run(&mut Continued::new(
                    TraceReader::open(h)?,
                    &reg.plan,
                    &reg.specs,
                ))?,
                None => engine.run(&mut reg.merged())?,
            };
            let provenance = Provenance::collect(sc, None)?;
            Ok(Run::new(sc, result, provenance, None))
        }
        _ => simulate_trace(sc, trace, opts, Some(sink)),
    }
}

/// Synthetic traffic drawn from `seed`: each repository is simulated on its own
/// (repositories never interact), in parallel; the integer sums do not depend on the
/// order of merging.
fn simulate_synthetic(
    sc: &Scenario,
    cfg: &SyntheticConfig,
    seed: u64,
    opts: RunOptions,
) -> Result<RunResult> {
    let reg = Registry::new(cfg, seed, sc.start, sc.days);
    if let Some(history) = &cfg.history {
        // The history is one trace: one engine reads it, then the continuation.
        let mut source = Continued::new(TraceReader::open(history)?, &reg.plan, &reg.specs);
        let mut result = Engine::new(sc, opts, &reg.groups).run(&mut source)?;
        result.groups = crate::model::groups::Grouping::names(&reg.groups);
        return Ok(result);
    }
    if let Some(p) = &opts.progress {
        p.start(reg.specs.len() as u64, "repositories");
    }
    // Each repository's state is freed when it is done: memory stays flat.
    let per_repo = RunOptions {
        progress: None,
        leave_tables: false,
        ..opts.clone()
    };
    let mut result = reg
        .specs
        .par_iter()
        .map(|spec| {
            let mut source = RepoSource::new(&reg.plan, spec);
            let r = Engine::new(sc, per_repo.clone(), &reg.groups).run(&mut source);
            if let Some(p) = &opts.progress {
                p.advance(1);
            }
            r
        })
        .try_reduce(RunResult::default, |a, b| Ok(a.merge(b)))?;
    if let Some(p) = &opts.progress {
        p.finish();
    }
    result.groups = crate::model::groups::Grouping::names(&reg.groups);
    Ok(result)
}

/// Writes the scenario's synthetic traffic as a trace (`scansim generate`).
/// Returns the number of rows. Triggers are drawn as in `run`, so replaying the trace
/// gives the same `daily.csv`. The trace must not be an input of the scenario; an
/// existing file is replaced only if it is a trace (or `force`).
pub fn generate(sc: &Scenario, out: &Path, force: bool) -> Result<u64> {
    let Traffic::Synthetic(cfg) = &sc.traffic else {
        return Err(Error::input(
            Location::file(&sc.file),
            "generate needs a [synthetic] traffic section",
        ));
    };
    check_not_input("--trace-out", out, false, &inputs(sc, None))?;
    crate::app::estimate::check(
        sc,
        crate::app::estimate::Mode::Trace,
        crate::app::estimate::Events::None,
    )?;
    let reg = Registry::new(cfg, sc.seed, sc.start, sc.days);
    let writer = crate::source::writer::TraceWriter::create(out, force)?;
    let engine = Engine::new(sc, RunOptions::default(), &reg.groups);
    match &cfg.history {
        Some(history) => {
            let source = Continued::new(TraceReader::open(history)?, &reg.plan, &reg.specs);
            let mut tap = crate::source::writer::Tap::new(source, writer);
            engine.run(&mut tap)?;
            tap.finish()
        }
        None => {
            let mut tap = crate::source::writer::Tap::new(reg.merged(), writer);
            engine.run(&mut tap)?;
            tap.finish()
        }
    }
}

/// The files a run reads: the scenario, every file it names, the trace given.
pub fn inputs(sc: &Scenario, trace: Option<&Path>) -> Vec<std::path::PathBuf> {
    let mut v = vec![sc.file.clone()];
    v.extend(sc.referenced_files.iter().cloned());
    v.extend(trace.map(Path::to_path_buf));
    v
}

/// The files `run` writes into its output directory (a test checks the list against a
/// run): `--events` inside `--out` must not take the place of one.
pub const RUN_FILES: &[&str] = &[
    "daily.csv",
    "summary.json",
    "monthly.csv",
    "repositories.csv",
    "groups.csv",
    "coverage.png",
    "coverage.svg",
    "cost.png",
    "cost.svg",
    "cost_by_month.png",
    "cost_by_month.svg",
    "findings.png",
    "findings.svg",
    "report.html",
    crate::base::atomic::MARKER,
];

/// What `scansim run` writes, claimed and checked before anything is simulated: the
/// output directory (staged) and the events file (`--events`; inside `--out` it is
/// written into the staging directory and so becomes part of the new output).
pub struct RunOutputs {
    staging: Staging,
    events: Option<AtomicFile>,
    /// The events file is inside the output directory.
    events_inside: bool,
}

/// Where a run writes, and whether it may replace what is there.
pub struct OutputRequest<'a> {
    pub out: &'a Path,
    pub events: Option<&'a Path>,
    /// `--finding-events`: the events include one per finding change.
    pub finding_events: bool,
    pub force: bool,
}

impl RunOutputs {
    /// Every check of the command line that does not need the simulation: outputs that
    /// would destroy an input, the events file against the output directory, the size
    /// estimate, then the claims (locks, staging directory, events file).
    pub fn prepare(sc: &Scenario, trace: Option<&Path>, req: &OutputRequest) -> Result<RunOutputs> {
        let ins = inputs(sc, trace);
        check_not_input("--out", req.out, true, &ins)?;
        let rel = match req.events {
            Some(ev) => {
                check_not_input("--events", ev, false, &ins)?;
                events_inside(ev, req.out)?
            }
            None => None,
        };
        if trace.is_none() {
            let mode = match req.events {
                Some(_) => crate::app::estimate::Mode::AllAtOnce,
                None => crate::app::estimate::Mode::PerRepository,
            };
            use crate::app::estimate::Events;
            let events = match req.events {
                None => Events::None,
                Some(_) if req.finding_events => Events::Findings,
                Some(_) => Events::Scans,
            };
            crate::app::estimate::check(sc, mode, events)?;
        }
        if let Some(ev) = req.events
            && rel.is_none()
        {
            crate::base::atomic::check_out_dir(req.out, req.force)?;
            let file = AtomicFile::create(ev, "--events", req.force, is_events_file)?;
            let staging = Staging::new(req.out, req.force)?;
            return Ok(RunOutputs {
                staging,
                events: Some(file),
                events_inside: false,
            });
        }
        let staging = Staging::new(req.out, req.force)?;
        let events = match rel {
            Some(rel) => {
                let path = staging.path().join(&rel);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
                }
                Some(AtomicFile::inside(&path)?)
            }
            None => None,
        };
        Ok(RunOutputs {
            staging,
            events,
            events_inside: true,
        })
    }

    /// The events file to write, with `--events`.
    pub fn events(&mut self) -> Option<&mut AtomicFile> {
        self.events.as_mut()
    }

    /// Writes the outputs of the run and puts them in place: the output directory, then
    /// the events file beside it.
    pub fn commit(self, sc: &Scenario, run: &Run, command: &[String], charts: bool) -> Result<()> {
        fill_staging(sc, run, command, &self.staging, charts)?;
        let events = self.events;
        if self.events_inside
            && let Some(e) = events
        {
            e.commit()?;
            return self.staging.commit();
        }
        self.staging.commit()?;
        match events {
            Some(e) => e.commit(),
            None => Ok(()),
        }
    }
}

/// The path of `events` inside `out`, if it is there; an error if it is `out` itself or
/// would take the place of an output file.
fn events_inside(events: &Path, out: &Path) -> Result<Option<std::path::PathBuf>> {
    let (e, o) = (resolve(events), resolve(out));
    let Ok(rel) = e.strip_prefix(&o) else {
        return Ok(None);
    };
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    match first {
        None => Err(Error::usage(format!(
            "--events {} is the output directory --out: give a file name",
            events.display()
        ))),
        Some(f) if RUN_FILES.contains(&f.as_str()) => Err(Error::usage(format!(
            "--events {} would take the place of the run's {f}: give another name",
            events.display()
        ))),
        Some(_) => Ok(Some(rel.to_path_buf())),
    }
}

/// Writes the outputs of a run into `out`, replacing an earlier output (or an empty
/// directory) as a whole.
pub fn write_outputs(
    sc: &Scenario,
    run: &Run,
    command: &[String],
    out: &Path,
    charts: bool,
) -> Result<()> {
    let staging = Staging::new(out, false)?;
    fill_staging(sc, run, command, &staging, charts)?;
    staging.commit()
}

/// Writes the outputs of a run into the staging directory: the data files, and with
/// `charts` also `coverage.png/.svg`, `cost.png/.svg` and `report.html`.
fn fill_staging(
    sc: &Scenario,
    run: &Run,
    command: &[String],
    staging: &Staging,
    charts: bool,
) -> Result<()> {
    let rep = report(sc, run, command);
    for e in crate::report::data_exporters() {
        crate::report::export(staging, &rep, e.as_ref())?;
    }
    if charts {
        let drawn = crate::report::charts::write_run_charts(&rep, staging.path())?;
        crate::report::export(
            staging,
            &rep,
            &crate::report::html::HtmlReport {
                charts: &drawn.charts,
            },
        )?;
    }
    Ok(())
}

/// What the exporters and the terminal answer read of a run.
pub fn report<'a>(sc: &'a Scenario, run: &'a Run, command: &'a [String]) -> Report<'a> {
    let mut rep = Report::new(sc, &run.result, &run.provenance, command);
    rep.warnings = run.all_warnings(sc);
    rep.replications = run.replications.clone();
    rep.trace = run.trace.clone();
    rep
}

/// The headline figures over `n` replications of the scenario's synthetic traffic.
/// Replication 0 is `first`, the run of the scenario's own seed; replication `k > 0`
/// draws the traffic from the seed replication `k` of a sweep uses. Replications run in
/// parallel; each figure's values are taken in replication order, so the statistics are
/// the same whatever the number of threads.
pub fn replicate(
    sc: &Scenario,
    first: &RunResult,
    n: u32,
    opts: &RunOptions,
) -> Result<Replications> {
    let Traffic::Synthetic(cfg) = &sc.traffic else {
        return Err(Error::Usage(format!(
            "{}: --replications needs synthetic traffic; a trace is fixed traffic, so every \
             replication would be the same",
            sc.file.display()
        )));
    };
    let seeds: Vec<u64> = (0..n).map(|k| replication_seed(sc.seed, k)).collect();
    let quiet = RunOptions {
        progress: None,
        explain: None,
        ..opts.clone()
    };
    if let Some(p) = &opts.progress {
        p.start(u64::from(n.saturating_sub(1)), "replications");
    }
    let rest = seeds[1..]
        .par_iter()
        .map(|&seed| {
            let r = simulate_synthetic(sc, cfg, seed, quiet.clone())?;
            if let Some(p) = &opts.progress {
                p.advance(1);
            }
            Ok(headline_values(&r))
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(p) = &opts.progress {
        p.finish();
    }
    let runs: Vec<Vec<Option<f64>>> = std::iter::once(headline_values(first))
        .chain(rest)
        .collect();
    let figures = (0..runs[0].len())
        .map(|h| {
            let xs: Option<Vec<f64>> = runs.iter().map(|r| r[h]).collect();
            spread(&xs?)
        })
        .collect();
    Ok(Replications { seeds, figures })
}

/// The mean, its 95 % interval and the extremes of values over replications.
fn spread(xs: &[f64]) -> Option<Spread> {
    let e = Estimate::of(xs)?;
    Some(Spread {
        mean: e.mean,
        low: e.low(),
        high: e.high(),
        min: xs.iter().copied().fold(f64::INFINITY, f64::min),
        max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}
