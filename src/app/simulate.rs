//! One simulation: a scenario over its traffic (or a trace), and its outputs.

use crate::base::error::{Error, Location, Result};
use crate::engine::{Engine, Observer, RunOptions, RunResult};
use crate::model::groups::PathGroups;
use crate::model::provenance::Provenance;
use crate::model::scenario::synthetic::SyntheticConfig;
use crate::model::scenario::{Scenario, Traffic};
use crate::source::synthetic::{Registry, RepoSource};
use crate::source::trace::TraceReader;
use rayon::prelude::*;
use std::path::Path;

/// A finished simulation and what it came from.
pub struct Run {
    pub result: RunResult,
    pub provenance: Provenance,
}

/// Simulates a scenario: over `trace` when given, else over the scenario's own traffic.
pub fn simulate(sc: &Scenario, trace: Option<&Path>, opts: RunOptions) -> Result<Run> {
    match (trace, &sc.traffic) {
        (None, Traffic::Synthetic(cfg)) => {
            let result = simulate_synthetic(sc, cfg, opts)?;
            let provenance = Provenance::collect(sc, None)?;
            Ok(Run { result, provenance })
        }
        _ => simulate_trace(sc, trace, opts, None),
    }
}

fn simulate_trace(
    sc: &Scenario,
    trace: Option<&Path>,
    opts: RunOptions,
    events: Option<Box<dyn Observer + '_>>,
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
    let provenance = Provenance::collect(sc, Some((trace, hash)))?;
    Ok(Run { result, provenance })
}

/// Simulates like [`simulate`] and writes the EventBridge events of the run to
/// `events` (JSON lines). Synthetic traffic then runs in one engine, in time order.
pub fn simulate_with_events(
    sc: &Scenario,
    trace: Option<&Path>,
    opts: RunOptions,
    events: &Path,
    account: &str,
) -> Result<Run> {
    let region = sc.region.as_deref().unwrap_or("us-east-1");
    let sink = Box::new(crate::report::events::EventWriter::create(
        events, account, region,
    )?);
    match (trace, &sc.traffic) {
        (None, Traffic::Synthetic(cfg)) => {
            let reg = Registry::new(cfg, sc.seed, sc.start, sc.days);
            let result = Engine::new(sc, opts, &reg.groups)
                .with_observer(sink)
                .run(&mut reg.merged())?;
            let provenance = Provenance::collect(sc, None)?;
            Ok(Run { result, provenance })
        }
        _ => simulate_trace(sc, trace, opts, Some(sink)),
    }
}

/// Synthetic traffic: each repository is simulated on its own (repositories never
/// interact), in parallel; the integer sums do not depend on the order of merging.
fn simulate_synthetic(sc: &Scenario, cfg: &SyntheticConfig, opts: RunOptions) -> Result<RunResult> {
    let reg = Registry::new(cfg, sc.seed, sc.start, sc.days);
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

/// Writes the scenario's synthetic traffic as a SPEC §9 trace (`scansim generate`).
/// Returns the number of rows. Triggers are drawn as in `run`, so replaying the trace
/// gives the same `daily.csv`.
pub fn generate(sc: &Scenario, out: &Path) -> Result<u64> {
    let Traffic::Synthetic(cfg) = &sc.traffic else {
        return Err(Error::input(
            Location::file(&sc.file),
            "generate needs a [synthetic] traffic section",
        ));
    };
    let reg = Registry::new(cfg, sc.seed, sc.start, sc.days);
    let writer = crate::source::writer::TraceWriter::create(out)?;
    let mut tap = crate::source::writer::Tap::new(reg.merged(), writer);
    Engine::new(sc, RunOptions::default(), &reg.groups).run(&mut tap)?;
    tap.finish()
}

/// Writes the outputs of a run into `out`, replacing it as a whole: the data files, and
/// with `charts` also `coverage.png/.svg`, `cost.png/.svg` and `report.html`.
pub fn write_outputs(
    sc: &Scenario,
    run: &Run,
    command: &[String],
    out: &Path,
    charts: bool,
) -> Result<()> {
    let staging = crate::base::atomic::Staging::new(out)?;
    let rep = crate::report::Report::new(sc, &run.result, &run.provenance, command);
    for e in crate::report::data_exporters() {
        crate::report::export(&staging, &rep, e.as_ref())?;
    }
    if charts {
        let drawn = crate::report::charts::write_run_charts(&rep, staging.path())?;
        crate::report::export(
            &staging,
            &rep,
            &crate::report::html::HtmlReport {
                charts: &drawn.charts,
            },
        )?;
    }
    staging.commit()
}
