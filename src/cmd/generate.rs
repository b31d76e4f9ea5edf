//! `scansim generate`: write a scenario's synthetic traffic as a trace.

use crate::model::scenario::Scenario;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file (with [synthetic]).
    scenario: PathBuf,
    /// The trace file to write.
    #[arg(long, value_name = "FILE")]
    trace_out: PathBuf,
    /// Replace --trace-out even if it is not a trace.
    #[arg(long)]
    force: bool,
    /// Override [simulation] seed (0 to 2^63 - 1, as in the scenario).
    #[arg(long, value_name = "N", value_parser = super::seed_parser())]
    seed: Option<u64>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let mut sc = Scenario::load(&a.scenario)?;
    if let Some(s) = a.seed {
        sc.seed = s;
    }
    let rows = crate::app::simulate::generate(&sc, &a.trace_out, a.force)?;
    eprintln!("wrote {rows} events to {}", a.trace_out.display());
    Ok(())
}
