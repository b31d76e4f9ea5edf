//! `scansim import`: turn what AWS says about a real registry into a trace (or, for
//! usage totals, a report).

use crate::import::cloudtrail::{DEFAULT_SORT_BUFFER, Options};
use crate::import::{Job, job, parse_inputs};
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Turn what AWS says about a real registry into a trace for \
`scansim run --trace`, or report what Inspector billed.

Each KIND word applies to the files after it; kinds may repeat and mix, except
cloudtrail and usage-totals, which stand alone:
  ecr-images          `aws ecr describe-images` output: a push at imagePushedAt with
                      imageTags, a pull at lastRecordedPullTime, an archive at
                      lastArchivedAt when ARCHIVED (or ACTIVATING), archive + restore
                      when restored since (lastActivatedAt); image indexes are
                      supported=false
  inspector-coverage  `aws inspector2 list-coverage` output: a pull at imagePulledAt
                      and an in_use at lastInUseAt of each AWS_ECR_CONTAINER_IMAGE;
                      other resource types are skipped
  auto                either, told apart per page by imageDetails / coveredResources
  cloudtrail          the registry's history: CloudTrail log files ({\"Records\": [...]},
                      plain or .json.gz as delivered to S3), `aws cloudtrail
                      lookup-events` output, or directories of them (recursively,
                      *.json and *.json.gz). PutImage -> push (an image index is
                      supported=false; PutImage calls of one image in one second make
                      one push with all their tags), BatchGetImage -> pull,
                      BatchDeleteImage -> delete (by tag: only the image's last tag
                      deletes it), DeleteRepository -> delete of every live image,
                      PolicyExecutionEvent -> lifecycle deletes and archives,
                      UpdateImageStorageClass -> archive (ARCHIVE) or restore
                      (STANDARD). Images named by tag are resolved through the tags the
                      history (and --snapshot) establish at that instant; a tag nothing
                      resolves is counted and reported, never guessed. Skipped and
                      counted: other services and other ECR calls, failed calls
                      (errorCode), pulls by Amazon Inspector (invokedBy
                      inspector2.amazonaws.com or its AWSServiceRoleForAmazonInspector2
                      role) and by --exclude-puller principals, records read twice (same
                      eventID). Memory does not grow with the history: records are
                      sorted in runs of at most --sort-buffer records (and 64 MiB),
                      spilled to temporary files beside FILE, removed afterwards, and
                      merged. The order of the trace is total (time, then push, restore,
                      pull, archive, delete, repository delete, then eventID, then the
                      order within the record), so the result does not depend on the
                      order files are given or found in.
  usage-totals        `aws inspector2 list-usage-totals` output (one or more accounts,
                      added up): ECR_INITIAL_SCAN and ECR_RESCAN with their estimated
                      cost over the last 30 days. With --run DIR (the --out of a
                      `scansim run` that ends on the day the totals were fetched): the
                      run's last 30 days simulated against billed, and the implied
                      rescans per active image per month (ECR_RESCAN / mean active
                      images) for rescans_per_image_month. Writes no trace.

A file holds one page, a JSON array of pages, or pages one after the other; timestamps
may be epoch seconds (AWS CLI v1) or ISO 8601 strings (v2). A malformed input is an
error naming the file, line:column, and the JSON path (with the record's index).
ecr-images and inspector-coverage inputs merge into one trace in time order, each
distinct event once. Events `run` would ignore are left out with a count. FILE is
written atomically; on an error nothing is written. An existing FILE is replaced only if
it is a trace (or with --force), and never if it is one of the inputs.

Examples:
  scansim import ecr-images web.json api.json inspector-coverage cov.json --trace-out t.csv
  scansim import cloudtrail trail/ events-*.json --snapshot images-*.json \\
      --exclude-puller arn:aws:iam::123456789012:role/scanner --trace-out history.csv
  scansim import usage-totals usage.json --run output/now";

#[derive(clap::Args)]
pub struct Args {
    /// KIND (ecr-images, inspector-coverage, auto, cloudtrail, usage-totals) followed by
    /// its files (cloudtrail: also directories).
    #[arg(required = true, num_args = 1.., value_name = "KIND FILE")]
    inputs: Vec<PathBuf>,
    /// The trace to write (every kind but usage-totals).
    #[arg(long, value_name = "FILE")]
    trace_out: Option<PathBuf>,
    /// cloudtrail: `aws ecr describe-images` output, for tags and for the images and
    /// pulls from before the first CloudTrail record.
    #[arg(long, value_name = "DESCRIBE_IMAGES_JSON", num_args = 1..)]
    snapshot: Vec<PathBuf>,
    /// cloudtrail: pulls by this IAM principal (role or user ARN) do not count, as on
    /// ECR's pull time update exclusion list (repeatable).
    #[arg(long, value_name = "ARN")]
    exclude_puller: Vec<String>,
    /// cloudtrail: records a sort run holds in memory at most.
    #[arg(long, value_name = "RECORDS", default_value_t = DEFAULT_SORT_BUFFER as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    sort_buffer: u64,
    /// Replace --trace-out even if it is not a trace.
    #[arg(long)]
    force: bool,
    /// usage-totals: a `scansim run` output directory to compare with.
    #[arg(long, value_name = "DIR")]
    run: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let job = job(parse_inputs(&a.inputs)?)?;
    let only = |ok: bool, what: &str, kind: &str| -> anyhow::Result<()> {
        anyhow::ensure!(ok, "{what} is only for `{kind}` inputs");
        Ok(())
    };
    let cloudtrail_options = !a.snapshot.is_empty()
        || !a.exclude_puller.is_empty()
        || a.sort_buffer != DEFAULT_SORT_BUFFER as u64;
    only(
        matches!(job, Job::CloudTrail(_)) || !cloudtrail_options,
        "--snapshot, --exclude-puller and --sort-buffer",
        "cloudtrail",
    )?;
    only(
        matches!(job, Job::UsageTotals(_)) || a.run.is_none(),
        "--run",
        "usage-totals",
    )?;
    let trace_out = || {
        a.trace_out
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--trace-out FILE is required: the trace to write"))
    };
    match job {
        Job::Snapshots(inputs) => {
            let out = trace_out()?;
            let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
            crate::base::claim::check_not_input("--trace-out", &out, false, &paths)?;
            let writer = crate::source::writer::TraceWriter::create(&out, a.force)?;
            let imported = crate::import::import(&inputs)?;
            for w in &imported.warnings {
                eprintln!("warning: {w}");
            }
            crate::import::write_trace(&imported.rows, writer)?;
            eprintln!("{}", imported.summary(&out));
        }
        Job::CloudTrail(paths) => {
            let out = trace_out()?;
            let opts = Options {
                snapshots: a.snapshot,
                exclude_pullers: a.exclude_puller,
                sort_buffer: a.sort_buffer as usize,
                force: a.force,
            };
            let report = crate::import::cloudtrail::import_cloudtrail(&paths, &opts, &out)?;
            for line in report.summary(&out) {
                eprintln!("{line}");
            }
        }
        Job::UsageTotals(paths) => {
            anyhow::ensure!(
                a.trace_out.is_none(),
                "usage-totals writes no trace: leave out --trace-out"
            );
            usage_totals(&paths, a.run.as_deref())?;
        }
    }
    Ok(())
}

fn usage_totals(paths: &[PathBuf], run: Option<&std::path::Path>) -> anyhow::Result<()> {
    use crate::import::usage_totals::{read_run, read_usage_totals, report};
    let usage = read_usage_totals(paths)?;
    let period = run.map(read_run).transpose()?;
    for line in report(&usage, run.zip(period.as_ref())) {
        println!("{line}");
    }
    Ok(())
}
