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
    /// The scenario to write (with --holdout: the directory of the back-test).
    #[arg(long, value_name = "SCENARIO.toml|DIR")]
    out: PathBuf,
    /// `aws inspector2 list-usage-totals` output of the 30 days ending with the trace:
    /// its ECR_RESCAN count gives the rescan rate.
    #[arg(long, value_name = "USAGE_TOTALS_JSON")]
    usage: Vec<PathBuf>,
    /// Groups of repositories (TOML; see above). Default: the first segment of the name.
    #[arg(long, value_name = "RULES")]
    groups: Option<PathBuf>,
    /// Days the scenario forecasts from the day after the trace (a back-test forecasts
    /// its hold-out).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 90,
        conflicts_with = "holdout"
    )]
    days: u32,
    /// Write a scenario that replays the trace up to day 0 and continues it with the
    /// fitted traffic from the registry's live images ([traffic] history), instead of
    /// generating a synthetic past.
    #[arg(long = "continue")]
    continue_: bool,
    /// Back-test: fit on all but the last DAYS days of the trace, forecast them from the
    /// history with replications, and write into --out (a directory) the forecast
    /// against what the trace did: backtest.md, backtest.csv, daily.csv, cost.png,
    /// active.png, and the fitted scenario.
    #[arg(long, value_name = "DAYS", conflicts_with = "continue_", value_parser = clap::value_parser!(u32).range(1..=3650))]
    holdout: Option<u32>,
    /// Forecast draws of a back-test.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "holdout")]
    replications: u32,
    /// Replace --out even if scansim did not write it.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let req = Request {
        trace: &a.trace,
        usage: &a.usage,
        groups: a.groups.as_deref(),
        out: &a.out,
        days: a.days,
        force: a.force,
        continued: a.continue_,
    };
    if let Some(days) = a.holdout {
        let compared = calibrate::backtest::backtest(&req, days, a.replications)?;
        for c in &compared {
            let err = c
                .error_pct()
                .map_or(String::new(), |e| format!(", error {e:+.1} %"));
            eprintln!(
                "{}: actual {:.2}, forecast {:.2} (95 %: {:.2} .. {:.2}){err}, actual {} the range",
                c.name,
                c.actual,
                c.mean,
                c.lo,
                c.hi,
                if c.inside() { "inside" } else { "outside" }
            );
        }
        eprintln!("wrote {}", a.out.display());
        return Ok(());
    }
    let cal = calibrate::calibrate(&req)?;
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
