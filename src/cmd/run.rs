//! `scansim run`: simulate a scenario and write its outputs.

use crate::app::{checks, explain, simulate};
use crate::engine::RunOptions;
use crate::engine::explain::ExplainTarget;
use crate::model::scenario::sweep::MAX_REPLICATIONS;
use crate::model::scenario::{Scenario, Traffic};
use crate::report::answer;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// Output directory (replaced as a whole when empty or an earlier scansim output).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace --out (and --events) even if scansim did not write it.
    #[arg(long)]
    force: bool,
    /// Replay this trace instead of the scenario's own traffic (plain, gzip or zstd; `-`
    /// reads standard input).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Override [simulation] seed (0 to 2^63 - 1, as in the scenario).
    #[arg(long, value_name = "N", value_parser = super::seed_parser())]
    seed: Option<u64>,
    /// Skip charts and the HTML report.
    #[arg(long)]
    no_charts: bool,
    /// Treat ignored events (events naming no live image) as errors.
    #[arg(long)]
    strict: bool,
    /// Print the history of one image: REPOSITORY@DIGEST, or REPOSITORY:TAG for the image
    /// holding the tag at the end of the run.
    #[arg(long, value_name = "REPOSITORY@DIGEST|REPOSITORY:TAG", value_parser = ExplainTarget::parse)]
    explain: Option<ExplainTarget>,
    /// Also simulate N − 1 more draws of the synthetic traffic and give each headline
    /// figure as the mean and 95 % interval over the N (replication 0 is this run).
    #[arg(long, value_name = "N")]
    replications: Option<u32>,
    /// Print nothing but errors and --explain: no progress, no answer at the end.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the EventBridge events scanning would emit, as JSON lines.
    #[arg(long, value_name = "FILE.jsonl")]
    events: Option<PathBuf>,
    /// With --events: also one `Inspector2 Finding` event per finding created, updated or
    /// closed (many: the daily findings columns count them without writing them).
    #[arg(long, requires = "events")]
    finding_events: bool,
    /// AWS account id in the events' envelope and ARNs.
    #[arg(long, value_name = "ID", default_value = "123456789012", value_parser = account)]
    account: String,
}

/// An AWS account id: 12 digits.
fn account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("an AWS account id is 12 digits, such as 123456789012".into())
    }
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let mut sc = Scenario::load(&a.scenario)?;
    if let Some(s) = a.seed {
        sc.seed = s;
    }
    check_replications(&sc, &a)?;
    let explain = a.explain.clone();
    let mut outputs = simulate::RunOutputs::prepare(
        &sc,
        a.trace.as_deref(),
        &simulate::OutputRequest {
            out: &a.out,
            events: a.events.as_deref(),
            finding_events: a.finding_events,
            force: a.force,
        },
    )?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let opts = RunOptions {
        strict: a.strict,
        explain,
        progress: super::progress(a.quiet),
        // The process ends after writing the outputs.
        leave_tables: true,
    };
    let mut run = match outputs.events() {
        Some(file) => simulate::simulate_with_events(
            &sc,
            a.trace.as_deref(),
            opts.clone(),
            file,
            &a.account,
            a.finding_events,
        )?,
        None => simulate::simulate(&sc, a.trace.as_deref(), opts.clone())?,
    };
    if let Some(n) = a.replications {
        run.replications = Some(simulate::replicate(&sc, &run.result, n, &opts)?);
    }
    run.warnings
        .extend(checks::seed_warning(a.seed, run.trace.as_deref()));
    let explain_lines = match &a.explain {
        Some(target) => explain::explain_lines(target, &run.result)?,
        None => Vec::new(),
    };
    for line in &explain_lines {
        println!("{line}");
    }
    let command: Vec<String> = std::env::args().collect();
    outputs.commit(&sc, &run, &command, !a.no_charts)?;
    if a.quiet {
        for w in &run.warnings {
            eprintln!("warning: {w}");
        }
    } else {
        if !explain_lines.is_empty() {
            println!();
        }
        let rep = simulate::report(&sc, &run, &command);
        print!("{}", answer::terminal(&rep, &a.out, !a.no_charts));
    }
    Ok(())
}

/// `--replications N`: 2 ≤ N ≤ the sweep's bound, synthetic traffic only.
fn check_replications(sc: &Scenario, a: &Args) -> anyhow::Result<()> {
    let Some(n) = a.replications else {
        return Ok(());
    };
    if !(2..=MAX_REPLICATIONS).contains(&n) {
        anyhow::bail!(
            "--replications must be between 2 and {MAX_REPLICATIONS} (got {n}; replication 0 \
             is the run itself)"
        );
    }
    let trace = match (&a.trace, &sc.traffic) {
        (Some(t), _) => Some(t.clone()),
        (None, Traffic::Trace(t)) => Some(t.clone()),
        _ => None,
    };
    if let Some(t) = trace {
        anyhow::bail!(
            "--replications needs synthetic traffic: the traffic is the trace {}, which is \
             fixed, so every replication would be the same; remove --replications",
            t.display()
        );
    }
    Ok(())
}
