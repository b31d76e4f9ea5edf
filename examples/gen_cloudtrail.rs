//! Benchmark CloudTrail generator: renders a trace (from `gen_trace`) as the CloudTrail
//! log files ECR would have delivered for it, for `benches/cloudtrail.sh`.
//!
//! ```text
//! cargo run --release --example gen_cloudtrail -- --trace benches/ct-trace.csv \
//!     --out benches/cloudtrail-logs
//! ```
//!
//! Rows become records with the renderer of the round-trip test
//! (`tests/it/ct_render.rs`): one PutImage per tag, BatchGetImage by `latest` or by
//! digest, BatchDeleteImage. Rows without a CloudTrail record become the noise a real
//! trail carries: each in_use row one of GetAuthorizationToken (another ECR call), a
//! pull by Amazon Inspector, a failed pull; each vulndb_update row a record of another
//! service. Every 500th record is delivered twice (a duplicate eventID). Records go
//! into gzipped `{"Records": [...]}` files of `--per-file` records, reversed within
//! each file, and the files are named in a shuffled order, so neither the files nor
//! the records in them are in time order.

#[path = "../tests/it/ct_render.rs"]
mod ct_render;

use anyhow::Context as _;
use clap::Parser;
use ct_render::{ACCOUNT, Renderer, Row};
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(about = "Render a trace as CloudTrail log files (benchmark input)")]
struct Args {
    /// A trace written by scansim or gen_trace.
    #[arg(long)]
    trace: PathBuf,
    /// The folder to write (gzipped log files, 100 per subfolder).
    #[arg(long)]
    out: PathBuf,
    /// Records per log file.
    #[arg(long, default_value_t = 500)]
    per_file: usize,
}

/// A record for a row that CloudTrail has no record of: noise of a real trail.
fn noise(r: &mut Renderer, row: &Row<'_>, n: u64) -> Value {
    let ci =
        json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/ci/x")});
    let pull = json!({"repositoryName": row.repo, "imageIds": [{"imageDigest": row.digest}]});
    match (row.event, n % 3) {
        ("in_use", 0) => r.record(
            row.time,
            "GetAuthorizationToken",
            ci,
            json!({}),
            Value::Null,
        ),
        ("in_use", 1) => {
            let inspector = json!({"type": "AWSService", "invokedBy": "inspector2.amazonaws.com"});
            r.record(row.time, "BatchGetImage", inspector, pull, Value::Null)
        }
        ("in_use", _) => {
            let mut rec = r.record(row.time, "BatchGetImage", ci, pull, Value::Null);
            rec["errorCode"] = json!("ImageNotFoundException");
            rec
        }
        _ => {
            let mut rec = r.record(row.time, "AssumeRole", ci, json!({}), Value::Null);
            rec["eventSource"] = json!("sts.amazonaws.com");
            rec
        }
    }
}

struct Files {
    out: PathBuf,
    per_file: usize,
    batch: Vec<Value>,
    written: u64,
    records: u64,
}

impl Files {
    fn add(&mut self, rec: Value) -> anyhow::Result<()> {
        self.records += 1;
        if self.records.is_multiple_of(500) {
            self.batch.push(rec.clone());
            self.flush()?;
        }
        self.batch.push(rec);
        if self.batch.len() >= self.per_file {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        self.batch.reverse();
        // A shuffled name: the listing order is not the time order.
        let n = self.written;
        let key = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let dir = self.out.join(format!("{:04}", n / 100));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!(
            "{ACCOUNT}_CloudTrail_eu-west-1_{key:06x}_{n}.json.gz"
        ));
        write_gz(&path, &json!({ "Records": self.batch }))?;
        self.batch.clear();
        self.written += 1;
        Ok(())
    }
}

fn write_gz(path: &Path, v: &Value) -> anyhow::Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut gz =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(f), flate2::Compression::fast());
    serde_json::to_writer(&mut gz, v)?;
    gz.finish()?.flush()?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let input = std::fs::File::open(&a.trace).with_context(|| format!("{}", a.trace.display()))?;
    let mut files = Files {
        out: a.out.clone(),
        per_file: a.per_file.max(1),
        batch: Vec::new(),
        written: 0,
        records: 0,
    };
    let mut r = Renderer::default();
    let mut lines = std::io::BufReader::new(input).lines();
    lines.next(); // the header
    for (i, line) in lines.enumerate() {
        let line = line?;
        let row = Row::parse(&line);
        let recs = r.render(&row);
        if recs.is_empty() {
            files.add(noise(&mut r, &row, i as u64))?;
        }
        for rec in recs {
            files.add(rec)?;
        }
    }
    files.flush()?;
    eprintln!(
        "{}: {} records (and {} repeated) in {} files",
        a.out.display(),
        files.records,
        files.records / 500,
        files.written
    );
    Ok(())
}
