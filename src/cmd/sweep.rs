//! `scansim sweep`: compare settings over replications with common random numbers.

use crate::app::sweep::{SweepOptions, sweep};
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Compare settings: simulate every combination of the --set values \
(the Cartesian product, the last flag varying fastest; the first values form the baseline), \
and the [[sweep.variants]] of the scenario, over N replications. Replication k uses the same \
traffic (seed) in every variant, so differences come from the settings (common random \
numbers). Writes DIR/sweep.csv, sweep.md, runs.csv, charts and variants/NAME/daily.csv.

Values are TOML values (30, 0.02, true, \"text\") or else text (DAYS_30, none). Keys are \
scenario keys: inspector.push_duration, inspector.pull_duration (none = no pull window), \
inspector.pull_mode, simulation.rules, pricing.rescan_usd, \
synthetic.repositories[0].pushes_per_day, timeline[0].inspector.push_duration \
([*] = every element).

With --shard K/N only the K-th of N shares of the (variant, replication) runs is \
simulated and DIR/part.json written; `scansim merge --out DIR PART_DIR...` then writes \
the outputs of the whole sweep. --shard auto[/N] takes K from AWS_BATCH_JOB_ARRAY_INDEX \
(AWS Batch), JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with auto/N) or \
SLURM_ARRAY_TASK_ID (Slurm).

Example:
  scansim sweep scenarios/default.toml --out output/sweep \\
    --set inspector.push_duration=LIFETIME,DAYS_30,DAYS_14 \\
    --set inspector.pull_duration=none,DAYS_14 --replications 5";

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// Output directory (replaced as a whole when empty or an earlier scansim output).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace --out even if scansim did not write it.
    #[arg(long)]
    force: bool,
    /// A scenario key and the values to try (repeatable).
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    set: Vec<String>,
    /// Replications per variant (default: [sweep] replications, else 1).
    #[arg(long, value_name = "N")]
    replications: Option<u32>,
    /// Run only shard K of N and write DIR/part.json (see `scansim merge`).
    #[arg(long, value_name = "K/N|auto[/N]")]
    shard: Option<String>,
    /// Skip the charts.
    #[arg(long)]
    no_charts: bool,
    /// Print where the time went (traffic generation, engine) on stderr.
    #[arg(long)]
    timings: bool,
    /// Simulate every (variant, replication) on its own, sharing nothing (slower;
    /// for checking that sharing changes nothing).
    #[arg(long, hide = true)]
    no_sharing: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let done = sweep(&SweepOptions {
        scenario: a.scenario,
        out: a.out.clone(),
        sets: a.set,
        replications: a.replications,
        shard: a.shard,
        charts: !a.no_charts,
        sharing: !a.no_sharing,
        timings: a.timings,
        progress: super::progress(a.quiet),
        force: a.force,
    })?;
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(t) = &done.timings {
        eprintln!("{t}");
    }
    let size = super::size(done.variants, done.replications);
    match done.shard {
        Some(s) => eprintln!(
            "shard {}/{}: {} of {} runs ({size}); wrote {}",
            s.index,
            s.count,
            done.runs,
            done.variants * done.replications as usize,
            a.out.join("part.json").display()
        ),
        None => eprintln!("{size}; wrote {}", a.out.join("sweep.md").display()),
    }
    Ok(())
}
