//! scansim: a deterministic discrete-event simulator of what Amazon ECR enhanced scanning
//! (Amazon Inspector) covers and costs, day by day. `../shared/SPEC.md` is the contract.
//!
//! The library is the whole tool; `main.rs` only parses the command line.

pub mod engine;
pub mod error;
pub mod import;
pub mod names;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod time;
pub mod traffic;

use engine::{Engine, PathGroups, RunOptions, RunResult};
use error::{Error, Result};
use scenario::{Scenario, Traffic};
use std::path::Path;

/// Simulates a scenario: over `trace` when given, else over the scenario's own traffic.
pub fn simulate(sc: &Scenario, trace: Option<&Path>, opts: RunOptions) -> Result<RunResult> {
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
                error::Location::file(&sc.file),
                "the scenario has no traffic: add [traffic] trace = \"events.csv\" or \
                 [synthetic], or give --trace FILE",
            ));
        }
    };
    let mut source = traffic::trace::TraceReader::open(&trace)?;
    let groups = PathGroups::default();
    Engine::new(sc, opts, &groups).run(&mut source)
}

/// Writes the outputs of a run into `out`, replacing it as a whole.
pub fn write_outputs(sc: &Scenario, result: &RunResult, out: &Path) -> Result<()> {
    let staging = report::Staging::new(out)?;
    let rep = report::Report {
        scenario: sc,
        result,
    };
    staging.export(&rep, &report::daily::Daily)?;
    staging.commit()
}
