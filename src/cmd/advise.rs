//! `scansim advise SCENARIO --target METRIC>=PCT | --budget USD`: the cheapest settings
//! that meet a coverage target, or the best covered within a budget.

use crate::app::advise::{AdviseOptions, advise};
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Find the Inspector settings to use: simulate every setting \
the scenario's rules profile allows (push duration × pull duration × pull mode; with \
--sweep-variants also × the scenario's [[sweep.variants]]) over replications of its \
traffic, each replication on the same traffic in every setting (common random numbers), \
and report the cheapest setting whose mean coverage meets --target, with its 95 % \
interval, the runner-up, and the frontier (the settings no other beats on both cost and \
coverage).

--target METRIC>=PERCENT names in_use_coverage, coverage or continuous_coverage. \
--budget USD_PER_MONTH alone asks for the best mean in-use coverage whose mean cost per \
month is within the budget; with --target, for the cheapest setting that meets both. \
Coverage is the whole registry's, or with --continuous-part that of the repositories \
under continuous scanning (the only ones durations and pull settings act on); cost is \
always the whole registry's. \
Every setting on the grid is simulated, so the answer is the one a sweep of the same \
settings gives.

Prints the advice in Markdown; with --out DIR also writes advise.md, advise.json and the \
outputs of the sweep behind it (sweep.md, sweep.csv, runs.csv, variants/NAME/daily.csv).

Example:
  scansim advise scenarios/default.toml --target 'in_use_coverage>=90' --continuous-part \\
    --out advice";

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// The coverage to reach: in_use_coverage>=80, coverage>=20, continuous_coverage>=50.
    #[arg(long, value_name = "METRIC>=PERCENT")]
    target: Option<String>,
    /// The most the mean cost per month may be (USD).
    #[arg(long, value_name = "USD_PER_MONTH", allow_negative_numbers = true)]
    budget: Option<f64>,
    /// Replications of the synthetic traffic (default 5; a trace has 1).
    #[arg(long, value_name = "N")]
    replications: Option<u32>,
    /// Also try each of the scenario's [[sweep.variants]] with every setting.
    #[arg(long)]
    sweep_variants: bool,
    /// Measure coverage in the repositories under continuous scanning only (the part
    /// the settings act on), not in the whole registry.
    #[arg(long)]
    continuous_part: bool,
    /// Also write advise.md, advise.json and the sweep's outputs into DIR (replaced as a
    /// whole when empty or an earlier scansim output).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out even if scansim did not write it.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let done = advise(&AdviseOptions {
        scenario: a.scenario,
        target: a.target,
        budget: a.budget,
        replications: a.replications,
        sweep_variants: a.sweep_variants,
        continuous_part: a.continuous_part,
        out: a.out.clone(),
        force: a.force,
        progress: super::progress(a.quiet),
    })?;
    print!("{}", done.markdown);
    if let Some(out) = &a.out {
        eprintln!("wrote {}", out.join("advise.md").display());
    }
    Ok(())
}
