//! `scansim validate`: check a scenario and its traffic without simulating.

use crate::model::scenario::Scenario;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// Check this trace instead of the scenario's own traffic (plain, gzip or zstd; `-`
    /// reads standard input).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let sc = Scenario::load(&a.scenario)?;
    print!(
        "{}",
        crate::app::validate::validate(&sc, a.trace.as_deref())?
    );
    Ok(())
}
