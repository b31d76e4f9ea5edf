//! Command line of scansim: parse, call the library, print errors.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use scansim::engine::RunOptions;
use scansim::model::scenario::Scenario;
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
        /// Also write the EventBridge events scanning would emit, as JSON lines.
        #[arg(long, value_name = "FILE.jsonl")]
        events: Option<PathBuf>,
        /// AWS account id in the events' envelope and ARNs.
        #[arg(long, value_name = "ID", default_value = "123456789012")]
        account: String,
    },
    /// Compare settings: simulate every combination of --set values over replications
    /// with common random numbers; write sweep.csv, sweep.md, charts and daily rows.
    #[command(
        long_about = "Compare settings: simulate every combination of the --set values \
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
    --set inspector.pull_duration=none,DAYS_14 --replications 5"
    )]
    Sweep {
        /// The scenario TOML file.
        scenario: PathBuf,
        /// Output directory (replaced as a whole).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
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
    },
    /// Combine the parts of a sharded sweep (the --out directories of `sweep --shard`).
    Merge {
        /// Output directory (replaced as a whole).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The part directories (each with part.json), one per shard.
        #[arg(required = true, value_name = "PART_DIR")]
        parts: Vec<PathBuf>,
        /// Skip the charts.
        #[arg(long)]
        no_charts: bool,
    },
    /// Write the scenario's synthetic traffic as a trace (SPEC §9).
    Generate {
        /// The scenario TOML file (with [synthetic]).
        scenario: PathBuf,
        /// The trace file to write.
        #[arg(long, value_name = "FILE")]
        trace_out: PathBuf,
        /// Override [simulation] seed.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
    },
    /// Check a scenario (and its trace) without simulating; print the resolved settings.
    Validate {
        /// The scenario TOML file.
        scenario: PathBuf,
        /// Check this trace instead of the scenario's own traffic.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
    },
    /// Turn AWS CLI JSON about a real registry into a trace (SPEC §9) for `run`.
    #[command(
        override_usage = "scansim import KIND JSON... [KIND JSON...]... --trace-out FILE",
        long_about = "Turn AWS CLI JSON about a real registry into a trace (SPEC §9) for \
`scansim run --trace`.

Each KIND word applies to the JSON files after it; kinds may repeat and mix:
  ecr-images          `aws ecr describe-images` output: a push at imagePushedAt with
                      imageTags, a pull at lastRecordedPullTime, an archive at
                      lastArchivedAt when ARCHIVED (or ACTIVATING), archive + restore
                      when restored since (lastActivatedAt); image indexes are
                      supported=false
  inspector-coverage  `aws inspector2 list-coverage` output: a pull at imagePulledAt
                      and an in_use at lastInUseAt of each AWS_ECR_CONTAINER_IMAGE;
                      other resource types are skipped
  auto                either, told apart per page by imageDetails / coveredResources

A file holds one page, a JSON array of pages, or pages one after the other; timestamps
may be epoch seconds (AWS CLI v1) or ISO 8601 strings (v2). All inputs merge into one
trace in time order, each distinct event once (overlapping pages and snapshots are
fine). Events `run` would ignore (a pull before the push, or while archived) are left
out with a warning. FILE is written atomically; on an error nothing is written.

Example:
  scansim import ecr-images web.json api.json inspector-coverage cov.json --trace-out t.csv"
    )]
    Import {
        /// KIND (ecr-images, inspector-coverage or auto) followed by its JSON files.
        #[arg(required = true, num_args = 1.., value_name = "KIND JSON")]
        inputs: Vec<PathBuf>,
        /// The trace to write.
        #[arg(long, value_name = "FILE")]
        trace_out: PathBuf,
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

/// `3 variants × 1 replication`.
fn size(variants: usize, replications: u32) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{variants} variant{} × {replications} replication{}",
        s(variants),
        s(replications as usize)
    )
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
            events,
            account,
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
                    .then(|| std::sync::Arc::new(scansim::base::progress::Bar::new(quiet)) as _),
            };
            let run = match &events {
                Some(path) => scansim::app::simulate::simulate_with_events(
                    &sc,
                    trace.as_deref(),
                    opts,
                    path,
                    &account,
                )?,
                None => scansim::app::simulate::simulate(&sc, trace.as_deref(), opts)?,
            };
            for line in &run.result.explain {
                println!("{line}");
            }
            let command: Vec<String> = std::env::args().collect();
            scansim::app::simulate::write_outputs(&sc, &run, &command, &out, !no_charts)?;
        }
        Command::Generate {
            scenario,
            trace_out,
            seed,
        } => {
            let mut sc = Scenario::load(&scenario)?;
            if let Some(s) = seed {
                sc.seed = s;
            }
            let rows = scansim::app::simulate::generate(&sc, &trace_out)?;
            eprintln!("wrote {rows} events to {}", trace_out.display());
        }
        Command::Sweep {
            scenario,
            out,
            set,
            replications,
            shard,
            no_charts,
            timings,
            no_sharing,
            quiet,
        } => {
            let done = scansim::app::sweep::sweep(&scansim::app::sweep::SweepOptions {
                scenario,
                out: out.clone(),
                sets: set,
                replications,
                shard,
                charts: !no_charts,
                sharing: !no_sharing,
                timings,
                progress: (!quiet)
                    .then(|| std::sync::Arc::new(scansim::base::progress::Bar::new(quiet)) as _),
            })?;
            for w in &done.warnings {
                eprintln!("warning: {w}");
            }
            if let Some(t) = &done.timings {
                eprintln!("{t}");
            }
            match done.shard {
                Some(s) => eprintln!(
                    "shard {}/{}: {} of {} runs ({}); wrote {}",
                    s.index,
                    s.count,
                    done.runs,
                    done.variants * done.replications as usize,
                    size(done.variants, done.replications),
                    out.join("part.json").display()
                ),
                None => eprintln!(
                    "{}; wrote {}",
                    size(done.variants, done.replications),
                    out.join("sweep.md").display()
                ),
            }
        }
        Command::Merge {
            out,
            parts,
            no_charts,
        } => {
            let (v, r) = scansim::app::sweep::merge(&out, &parts, !no_charts)?;
            eprintln!(
                "{} from {} parts; wrote {}",
                size(v, r),
                parts.len(),
                out.join("sweep.md").display()
            );
        }
        Command::Validate { scenario, trace } => {
            let sc = Scenario::load(&scenario)?;
            print!(
                "{}",
                scansim::app::validate::validate(&sc, trace.as_deref())?
            );
        }
        Command::Import { inputs, trace_out } => {
            let inputs = scansim::import::parse_inputs(&inputs)?;
            let imported = scansim::import::import(&inputs)?;
            for w in &imported.warnings {
                eprintln!("warning: {w}");
            }
            scansim::import::write_trace(&imported.rows, &trace_out)?;
            eprintln!("{}", imported.summary(&trace_out));
        }
    }
    Ok(())
}
