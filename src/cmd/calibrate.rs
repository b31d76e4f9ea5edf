//! `scansim calibrate`: a registry's trace in, a `[synthetic]` scenario that reproduces
//! it out.

use crate::app::calibrate::{self, Request};
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "\
Learn a registry's traffic from its trace (from `import cloudtrail`, `import ecr-images` or
`import inspector-coverage`) and write a scenario with [synthetic] traffic that reproduces
it: groups of repositories, push rates across repositories (log-normal), the week's
pattern and growth, platforms, unsupported images, moving and version tags, deployments,
pulls of older images decaying with age, deletes, repositories appearing over time, and
the rescan rate (from --usage, or from the trace's vulnerability-feed rows). Each value
is written with its 95 % interval and the data it came from. Day 0 of the scenario is
the day after the trace.

--groups RULES is a TOML file of groups, each a name and wildcard filters:

  [[group]]
  name = \"prod\"
  filters = [\"prod/*\", \"*-prod\"]

A repository joins the first group with a matching filter; one that matches none is
grouped by the first segment of its name (team/api -> team).";

#[derive(clap::Args)]
pub struct Args {
    /// The trace of the registry (CSV: time,event,repository,digest,tags,supported).
    trace: PathBuf,
    /// The scenario to write.
    #[arg(long, value_name = "SCENARIO.toml")]
    out: PathBuf,
    /// `aws inspector2 list-usage-totals` output of the 30 days ending with the trace:
    /// its ECR_RESCAN count gives the rescan rate.
    #[arg(long, value_name = "USAGE_TOTALS_JSON")]
    usage: Vec<PathBuf>,
    /// Groups of repositories (TOML; see above). Default: the first segment of the name.
    #[arg(long, value_name = "RULES")]
    groups: Option<PathBuf>,
    /// Days the scenario forecasts from the day after the trace.
    #[arg(long, value_name = "N", default_value_t = 90)]
    days: u32,
    /// Write a scenario that replays the trace up to day 0 and continues it with the
    /// fitted traffic from the registry's live images ([traffic] history), instead of
    /// generating a synthetic past.
    #[arg(long = "continue")]
    continue_: bool,
    /// Replace --out even if it is not a calibrated scenario.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let cal = calibrate::calibrate(&Request {
        trace: &a.trace,
        usage: &a.usage,
        groups: a.groups.as_deref(),
        out: &a.out,
        days: a.days,
        force: a.force,
        continued: a.continue_,
    })?;
    eprintln!(
        "calibrated {} groups ({} repositories) from {} rows over {} days: wrote {}",
        cal.groups.len(),
        cal.groups.iter().map(|g| g.count as u64).sum::<u64>(),
        cal.rows,
        cal.span_days,
        a.out.display()
    );
    Ok(())
}
