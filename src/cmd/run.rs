//! `scansim run`: simulate a scenario and write its outputs.

use crate::app::simulate;
use crate::engine::RunOptions;
use crate::model::scenario::Scenario;
use anyhow::Context as _;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// Output directory (replaced as a whole).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replay this trace instead of the scenario's own traffic (plain, gzip or zstd; `-`
    /// reads standard input).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Override [simulation] seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Skip charts and the HTML report.
    #[arg(long)]
    no_charts: bool,
    /// Treat ignored events (events naming no live image) as errors.
    #[arg(long)]
    strict: bool,
    /// Print the history of one image, REPOSITORY@DIGEST.
    #[arg(long, value_name = "REPOSITORY@DIGEST")]
    explain: Option<String>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the EventBridge events scanning would emit, as JSON lines.
    #[arg(long, value_name = "FILE.jsonl")]
    events: Option<PathBuf>,
    /// AWS account id in the events' envelope and ARNs.
    #[arg(long, value_name = "ID", default_value = "123456789012")]
    account: String,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let mut sc = Scenario::load(&a.scenario)?;
    if let Some(s) = a.seed {
        sc.seed = s;
    }
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let explain = match a.explain {
        Some(x) => Some(
            x.split_once('@')
                .map(|(r, d)| (r.to_string(), d.to_string()))
                .context("--explain takes REPOSITORY@DIGEST")?,
        ),
        None => None,
    };
    let opts = RunOptions {
        strict: a.strict,
        explain,
        progress: super::progress(a.quiet),
        // The process ends after writing the outputs.
        leave_tables: true,
    };
    let run = match &a.events {
        Some(path) => {
            simulate::simulate_with_events(&sc, a.trace.as_deref(), opts, path, &a.account)?
        }
        None => simulate::simulate(&sc, a.trace.as_deref(), opts)?,
    };
    for line in &run.result.explain {
        println!("{line}");
    }
    let command: Vec<String> = std::env::args().collect();
    simulate::write_outputs(&sc, &run, &command, &a.out, !a.no_charts)?;
    Ok(())
}
