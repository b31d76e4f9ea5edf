//! Reads a trace the way `scansim run --trace` does (the reader thread: read, SHA-256,
//! split, check and parse every row, intern names, decode digests; batches handed to a
//! consumer) without simulating anything: the limit a replay can approach
//! (`benches/run.sh` times it beside the run).
//!
//! ```text
//! cargo run --profile perf --example read_trace -- benches/trace-bench.csv
//! cargo run --profile perf --example read_trace -- --one-thread trace.csv.zst
//! ```

use scansim::model::event::Source;
use scansim::source::trace::TraceReader;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut one_thread = false;
    let mut file = None;
    for a in std::env::args_os().skip(1) {
        if a == "--one-thread" {
            one_thread = true;
        } else {
            file = Some(PathBuf::from(a));
        }
    }
    let Some(file) = file else {
        anyhow::bail!("usage: read_trace [--one-thread] TRACE (- for standard input)");
    };
    let start = Instant::now();
    let mut reader = if one_thread {
        let input: Box<dyn std::io::Read + Send> = if file.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(&file)?)
        };
        TraceReader::new(input, &file, false)?
    } else {
        TraceReader::open(&file)?
    };
    // What the engine reads of every event, so that nothing is optimised away.
    let (mut rows, mut check) = (0u64, 0u64);
    while let Some(t) = reader.next_time()? {
        let e = reader.take_event();
        rows += 1;
        check = check.wrapping_add(t as u64 ^ e.repo_id as u64 ^ e.tags.len() as u64);
    }
    rows += reader.drain()?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} rows in {secs:.2} s ({:.2} M rows/s); sha256 {}; check {check:x}",
        rows,
        rows as f64 / secs / 1e6,
        reader.sha256().unwrap_or("?"),
    );
    Ok(())
}
