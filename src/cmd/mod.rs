//! The command line: one file per subcommand, each with its arguments (`Args`) and what
//! it does (`run`). `main.rs` only parses and dispatches.

pub mod advise;
pub mod calibrate;
pub mod diff;
pub mod generate;
pub mod import;
pub mod merge;
pub mod run;
pub mod sweep;
pub mod validate;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "scansim",
    version,
    about = "What ECR enhanced scanning will cover and cost, day by day"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Simulate a scenario: write daily.csv, summary.json, tables, charts and report.html
    /// into DIR, and print the answer (cost, coverage, where the money goes).
    Run(run::Args),
    /// Compare settings: simulate every combination of --set values over replications
    /// with common random numbers; write sweep.csv, sweep.md, charts and daily rows.
    #[command(long_about = sweep::LONG_ABOUT)]
    Sweep(sweep::Args),
    /// Combine the parts of a sharded sweep (the --out directories of `sweep --shard`).
    Merge(merge::Args),
    /// Compare a proposed change (a scenario, or a configuration in AWS JSON) with the
    /// base: cost and coverage before and after, as Markdown for a pull request.
    #[command(long_about = diff::LONG_ABOUT)]
    Diff(diff::Args),
    /// Find the cheapest Inspector settings that meet a coverage target (or the best
    /// covered within a budget), searching every setting the rules profile allows.
    #[command(long_about = advise::LONG_ABOUT)]
    Advise(advise::Args),
    /// Write the scenario's synthetic traffic as a trace file.
    Generate(generate::Args),
    /// Check a scenario (and its trace) without simulating; print the resolved settings,
    /// what each filter matches, and the warnings.
    Validate(validate::Args),
    /// Turn AWS CLI JSON and CloudTrail records about a real registry into a trace for
    /// `run --trace`; report Inspector's usage totals.
    #[command(
        override_usage = "scansim import KIND FILE... [KIND FILE...]... --trace-out FILE\n       \
scansim import cloudtrail FILE|DIR... [--snapshot DESCRIBE_IMAGES_JSON...] \
[--exclude-puller ARN]... [--sort-buffer RECORDS] --trace-out FILE\n       \
scansim import usage-totals JSON... [--run DIR]",
        long_about = import::LONG_ABOUT
    )]
    Import(import::Args),
    /// Learn a registry's traffic from its trace: write a [synthetic] scenario that
    /// reproduces it, each value with its uncertainty.
    #[command(long_about = calibrate::LONG_ABOUT)]
    Calibrate(calibrate::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<()> {
        // An interrupted command removes its staging files before it exits.
        crate::base::cleanup::install_signal_handlers()?;
        match self {
            Command::Run(a) => run::run(a),
            Command::Sweep(a) => sweep::run(a),
            Command::Merge(a) => merge::run(a),
            Command::Diff(a) => diff::run(a),
            Command::Advise(a) => advise::run(a),
            Command::Generate(a) => generate::run(a),
            Command::Validate(a) => validate::run(a),
            Command::Import(a) => import::run(a),
            Command::Calibrate(a) => calibrate::run(a),
        }
    }
}

/// A command that did its work but ends with an exit status of its own (`diff
/// --fail-above`): `main` prints the message (not as an error) and exits with `code`.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// Seeds are 0 to 2^63 - 1 everywhere: `--seed`, `[simulation] seed` (a TOML integer)
/// and the replication seeds of a sweep.
pub(crate) fn seed_parser() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=crate::model::scenario::MAX_SEED)
}

/// `3 variants × 1 replication`.
pub(crate) fn size(variants: usize, replications: u32) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{variants} variant{} × {replications} replication{}",
        s(variants),
        s(replications as usize)
    )
}

/// A progress bar unless `quiet`.
pub(crate) fn progress(
    quiet: bool,
) -> Option<std::sync::Arc<dyn crate::base::progress::Progress + Send>> {
    (!quiet).then(|| std::sync::Arc::new(crate::base::progress::Bar::new(quiet)) as _)
}
