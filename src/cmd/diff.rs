//! `scansim diff BASE PROPOSED`: the cost and coverage of a proposed change, as a
//! Markdown summary for a pull request.

use crate::app::diff::{DiffOptions, diff};
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Compare a proposed change with the base: what it costs and \
covers, for a change review (a cost diff in the pull request).

PROPOSED is a second scenario file, or a configuration in AWS JSON that takes effect at \
the base's day 0 (the history before it stays as it was): a registry scanning \
configuration (`aws ecr get-registry-scanning-configuration` output, or the input or output \
of put-registry-scanning-configuration) or Inspector settings (`aws inspector2 \
get-configuration` output). Both are simulated on the same traffic (the same seeds: common \
random numbers), over 5 replications of synthetic traffic by default (1 for a trace).

Prints a Markdown summary (cost per month before and after, the difference with its 95 % \
interval, coverage before and after, the repositories whose scan frequency changes) and \
writes it with diff.json into --out DIR. Exit status: 0, or 3 when the mean increase of \
the cost per month exceeds --fail-above USD; 1 for an error.

Example:
  scansim diff scenarios/default.toml proposed-registry.json --fail-above 100 --out diff";

#[derive(clap::Args)]
pub struct Args {
    /// The base scenario (TOML).
    base: PathBuf,
    /// The proposal: a scenario (TOML) or an AWS JSON configuration (.json).
    proposed: PathBuf,
    /// Also write diff.md and diff.json into DIR (replaced as a whole when empty or an
    /// earlier scansim output).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out even if scansim did not write it.
    #[arg(long)]
    force: bool,
    /// Replications of the synthetic traffic (default 5; a trace has 1).
    #[arg(long, value_name = "N")]
    replications: Option<u32>,
    /// Exit with status 3 when the cost per month rises by more than USD (the mean of the
    /// paired differences).
    #[arg(long, value_name = "USD", allow_negative_numbers = true)]
    fail_above: Option<f64>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let done = diff(&DiffOptions {
        base: a.base,
        proposed: a.proposed,
        replications: a.replications,
        fail_above: a.fail_above,
        out: a.out.clone(),
        force: a.force,
        progress: super::progress(a.quiet),
    })?;
    print!("{}", done.markdown);
    if let Some(out) = &a.out {
        eprintln!("wrote {}", out.join("diff.md").display());
    }
    match done.exceeded {
        Some((increase, limit)) => Err(super::Exit {
            code: 3,
            message: format!(
                "the cost per month rises by {increase:.2} USD, more than --fail-above {limit}"
            ),
        }
        .into()),
        None => Ok(()),
    }
}
