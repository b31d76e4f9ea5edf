//! Command line of scansim: parse, call the library, print errors.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use scansim::engine::RunOptions;
use scansim::scenario::Scenario;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "scansim",
    version,
    about = "What ECR enhanced scanning will cover and cost, day by day"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and write daily.csv (and more) into DIR.
    Run {
        /// The scenario TOML file.
        scenario: PathBuf,
        /// Output directory (replaced as a whole).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replay this trace instead of the scenario's own traffic.
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
    },
    /// Check a scenario (and its trace) without simulating; print the resolved settings.
    Validate {
        /// The scenario TOML file.
        scenario: PathBuf,
        /// Check this trace instead of the scenario's own traffic.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            trace,
            seed,
            no_charts,
            strict,
            explain,
            quiet,
        } => {
            let mut sc = Scenario::load(&scenario)?;
            if let Some(s) = seed {
                sc.seed = s;
            }
            for w in &sc.warnings {
                eprintln!("warning: {w}");
            }
            let explain = match explain {
                Some(x) => Some(
                    x.split_once('@')
                        .map(|(r, d)| (r.to_string(), d.to_string()))
                        .context("--explain takes REPOSITORY@DIGEST")?,
                ),
                None => None,
            };
            let opts = RunOptions {
                strict,
                explain,
                progress: (!quiet)
                    .then(|| std::sync::Arc::new(scansim::progress::Bar::new(quiet)) as _),
            };
            let run = scansim::simulate(&sc, trace.as_deref(), opts)?;
            for line in &run.result.explain {
                println!("{line}");
            }
            let command: Vec<String> = std::env::args().collect();
            scansim::write_outputs(&sc, &run, &command, &out, !no_charts)?;
        }
        Command::Validate { scenario, trace } => {
            let sc = Scenario::load(&scenario)?;
            print!("{}", scansim::validate::validate(&sc, trace.as_deref())?);
        }
    }
    Ok(())
}
