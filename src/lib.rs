//! scansim: a deterministic discrete-event simulator of what Amazon ECR enhanced scanning
//! (Amazon Inspector) covers and costs, day by day. `../shared/SPEC.md` is the contract.
//!
//! The library is the whole tool; `main.rs` only parses the command line.

pub mod engine;
pub mod error;
pub mod names;
pub mod progress;
pub mod provenance;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod time;
pub mod traffic;
pub mod validate;

use engine::{Engine, PathGroups, RunOptions, RunResult};
use error::{Error, Location, Result};
use provenance::{HashingReader, Provenance};
use scenario::{Scenario, Traffic};
use std::path::Path;

/// A finished simulation and what it came from.
pub struct Run {
    pub result: RunResult,
    pub provenance: Provenance,
}

/// Simulates a scenario: over `trace` when given, else over the scenario's own traffic.
pub fn simulate(sc: &Scenario, trace: Option<&Path>, opts: RunOptions) -> Result<Run> {
    let trace = match (trace, &sc.traffic) {
        (Some(t), _) => t.to_path_buf(),
        (None, Traffic::Trace(t)) => t.clone(),
        (None, Traffic::Synthetic(_)) => {
            return Err(Error::Usage(
                "synthetic traffic is not available yet".into(),
            ));
        }
        (None, Traffic::None) => {
            return Err(Error::input(
                Location::file(&sc.file),
                "the scenario has no traffic: add [traffic] trace = \"events.csv\" or \
                 [synthetic], or give --trace FILE",
            ));
        }
    };
    let file = std::fs::File::open(&trace).map_err(|e| Error::io(&trace, e))?;
    let mut source = traffic::trace::TraceReader::new(HashingReader::new(file), &trace)?;
    let groups = PathGroups::default();
    let result = Engine::new(sc, opts, &groups).run(&mut source)?;
    let hash = source
        .into_inner()
        .drain_and_finish()
        .map_err(|e| Error::io(&trace, e))?;
    let provenance = Provenance::collect(sc, Some((trace, hash)))?;
    Ok(Run { result, provenance })
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
    let staging = report::Staging::new(out)?;
    let rep = report::Report::new(sc, &run.result, &run.provenance, command);
    for e in report::data_exporters() {
        staging.export(&rep, e.as_ref())?;
    }
    if charts {
        let drawn = report::charts::write_run_charts(&rep, staging.path())?;
        staging.export(
            &rep,
            &report::html::HtmlReport {
                charts: &drawn.charts,
            },
        )?;
    }
    staging.commit()
}
