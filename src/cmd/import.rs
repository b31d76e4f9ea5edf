//! `scansim import`: turn AWS CLI JSON about a real registry into a trace.

use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Turn AWS CLI JSON about a real registry into a trace for \
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
  scansim import ecr-images web.json api.json inspector-coverage cov.json --trace-out t.csv";

#[derive(clap::Args)]
pub struct Args {
    /// KIND (ecr-images, inspector-coverage or auto) followed by its JSON files.
    #[arg(required = true, num_args = 1.., value_name = "KIND JSON")]
    inputs: Vec<PathBuf>,
    /// The trace to write.
    #[arg(long, value_name = "FILE")]
    trace_out: PathBuf,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let inputs = crate::import::parse_inputs(&a.inputs)?;
    let imported = crate::import::import(&inputs)?;
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    crate::import::write_trace(&imported.rows, &a.trace_out)?;
    eprintln!("{}", imported.summary(&a.trace_out));
    Ok(())
}
