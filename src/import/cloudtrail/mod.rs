//! `scansim import cloudtrail`: a registry's history from CloudTrail records.
//!
//! Inputs: CloudTrail log files (`{"Records": [...]}`, plain or gzip as delivered to S3),
//! `aws cloudtrail lookup-events` output (`{"Events": [{"CloudTrailEvent": "<record as
//! JSON text>"}...]}`), single records, JSON arrays of these, several documents one after
//! the other, and directories of such files (recursively; files named `*.json` or
//! `*.json.gz`; `CloudTrail-Digest` folders are passed over).
//!
//! Three steps, so that memory does not grow with the number of records:
//! 1. each record of an image-changing ECR call becomes an item ([`item`], [`record`]),
//!    collected by an external sorter: a run of at most `sort_buffer` items (and
//!    [`crate::base::extsort::RUN_BYTES`] bytes) is sorted and written beside the output;
//! 2. the runs are merged in replay order: instant, kind of call (push, restore, pull,
//!    archive, delete, repository delete), eventID, content — a total order, so the
//!    trace does not depend on the order the files are given or found in;
//! 3. the merged items replay against the live images ([`replay`]), which resolves
//!    tags, drops duplicates (same eventID and instant: neighbours in that order) and
//!    writes the rows `scansim run` acts on, through the one trace writer.
//!
//! `--snapshot` (describe-images output) adds what happened before the history: its
//! facts (pushes with their tags, last pulls, archives, restores) earlier than the first
//! ECR record read become rows; later ones are left to the history, which records them.

mod item;
mod record;
mod replay;
#[cfg(test)]
mod tests;

use crate::base::error::{Error, Result};
use crate::base::extsort::{ExtSorter, RUN_BYTES};
use crate::import::json::{Obj, Source, Val};
use crate::import::{Input, Kind, Sink};
use crate::model::event::EventKind;
use crate::source::writer::TraceWriter;
use item::{Enc, ImageRef, Origin, PULL, PUSH, Rank, STORAGE};
use record::RecordReader;
pub use replay::{ReplayCounts, Tally};
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Items a sort run holds at most, unless `--sort-buffer` says otherwise.
pub const DEFAULT_SORT_BUFFER: usize = 200_000;

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// `aws ecr describe-images` output: tags and images from before the history.
    pub snapshots: Vec<PathBuf>,
    /// Principals whose pulls do not count (ECR's pull-time update exclusions).
    pub exclude_pullers: Vec<String>,
    /// Items a sort run holds at most.
    pub sort_buffer: usize,
    /// Replace the output even if it is not a trace.
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            snapshots: Vec::new(),
            force: false,
            exclude_pullers: Vec::new(),
            sort_buffer: DEFAULT_SORT_BUFFER,
        }
    }
}

/// What an import read, wrote and left out.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: usize,
    pub records: u64,
    pub other_services: u64,
    pub other_calls: BTreeMap<String, u64>,
    /// Items sorted (records of the imported calls, and snapshot facts kept).
    pub items: u64,
    /// Snapshot facts at or after the first ECR record (the history has them).
    pub snapshot_covered: u64,
    /// Sort runs written to disk (0: sorted in memory).
    pub spilled_runs: usize,
    pub sort_buffer: usize,
    pub replay: ReplayCounts,
}

/// Checks `--exclude-puller` values: IAM principal ARNs.
fn check_arns(arns: &[String]) -> Result<HashSet<String>> {
    for a in arns {
        if !a.starts_with("arn:") || a.chars().any(char::is_whitespace) || a.split(':').count() < 6
        {
            return Err(Error::usage(format!(
                "--exclude-puller `{a}`: expected the ARN of an IAM role or user \
                 (arn:aws:iam::123456789012:role/scanner), as on ECR's pull time update \
                 exclusion list"
            )));
        }
    }
    Ok(arns.iter().cloned().collect())
}

/// Imports `inputs` (files and directories) into the trace `out`, written atomically.
pub fn import_cloudtrail(inputs: &[PathBuf], opts: &Options, out: &Path) -> Result<Report> {
    let exclude = check_arns(&opts.exclude_pullers)?;
    let files = list_files(inputs)?;
    let mut all = files.clone();
    all.extend(opts.snapshots.iter().cloned());
    crate::base::claim::check_not_input("--trace-out", out, false, &all)?;
    let mut writer = TraceWriter::create(out, opts.force)?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let stem = out.file_name().unwrap_or_default().to_string_lossy();
    let mut sorter = ExtSorter::new(dir, &stem, opts.sort_buffer);
    let mut reader = RecordReader {
        exclude: &exclude,
        counts: Default::default(),
    };
    let mut items = 0u64;
    for f in &files {
        read_file(f, &mut |src, rec| {
            if let Some(item) = reader.read(src, rec)? {
                items += 1;
                sorter.push(&item)?;
            }
            Ok(())
        })?;
    }
    let counts = reader.counts;
    let (kept, covered) = add_snapshots(&opts.snapshots, counts.first_ecr, &mut sorter)?;
    let mut sorted = sorter.finish()?;
    let spilled_runs = sorted.runs();
    let mut replay = replay::Replay::new(&mut writer);
    while let Some(rec) = sorted.next()? {
        replay.apply(item::decode(rec)?)?;
    }
    replay.flush()?;
    let replay = replay.counts;
    drop(sorted);
    writer.commit()?;
    Ok(Report {
        files: files.len(),
        records: counts.records,
        other_services: counts.other_services,
        other_calls: counts.other_calls,
        items: items + kept,
        snapshot_covered: covered,
        spilled_runs,
        sort_buffer: opts.sort_buffer,
        replay,
    })
}

/// The files to read: files as given, directories walked in name order.
fn list_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            walk(p, &mut files)?;
        } else {
            std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, err)))
        .collect::<Result<_>>()?;
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if p.is_dir() {
            // Digest files prove a trail's integrity; they hold no records.
            if name != "CloudTrail-Digest" {
                walk(&p, files)?;
            }
        } else if name.ends_with(".json") || name.ends_with(".json.gz") {
            files.push(p);
        }
    }
    Ok(())
}

/// The text of a file, gunzipped when it starts with the gzip magic bytes.
fn file_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| {
                Error::input(
                    crate::base::error::Location::file(path),
                    format!("not a valid gzip file: {e}"),
                )
            })?;
        out
    } else {
        bytes
    };
    let mut text = String::from_utf8(bytes).map_err(|e| {
        Error::input(
            crate::base::error::Location::file(path),
            format!(
                "not UTF-8 text (byte {}): expected JSON",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

type OnRecord<'f> = dyn for<'a> FnMut(&Source<'a>, &Obj<'a>) -> Result<()> + 'f;

/// Calls `on_record` for every CloudTrail record of one file.
fn read_file(path: &Path, on_record: &mut OnRecord<'_>) -> Result<()> {
    let text = file_text(path)?;
    let src = Source::new(path, &text);
    for doc in src.documents()? {
        if Source::is_array(&doc) {
            for v in src.array(&doc)? {
                read_document(&src, &v, on_record)?;
            }
        } else {
            read_document(&src, &doc, on_record)?;
        }
    }
    Ok(())
}

/// One log file, lookup-events page or record.
fn read_document<'a>(src: &Source<'a>, v: &Val<'a>, on_record: &mut OnRecord<'_>) -> Result<()> {
    if !Source::is_object(v) {
        return Err(src.error(v, WHAT));
    }
    let o = src.object(v)?;
    if let Some(records) = o.get("Records") {
        for r in src.array(&records)? {
            on_record(src, &src.object(&r)?)?;
        }
    } else if let Some(events) = o.get("Events") {
        for e in src.array(&events)? {
            let ev = src.object(&e)?;
            let cv = ev.get("CloudTrailEvent").ok_or_else(|| {
                ev.missing(
                    src,
                    "CloudTrailEvent",
                    "lookup-events gives each record there",
                )
            })?;
            let text = src.string(&cv)?;
            let inner = src.nested(&cv, &cv.path, &text);
            for doc in inner.documents()? {
                on_record(&inner, &inner.object(&doc)?)?;
            }
        }
    } else if o.has("eventSource") || o.has("eventVersion") {
        on_record(src, &o)?;
    } else {
        return Err(src.error(v, WHAT));
    }
    Ok(())
}

const WHAT: &str = "expected a CloudTrail log file ({\"Records\": [...]}), `aws cloudtrail \
lookup-events` output ({\"Events\": [...]}) or one CloudTrail record";

/// Adds the snapshot facts from before `first` (the first ECR record); returns how many
/// were kept and how many left to the history.
fn add_snapshots(
    paths: &[PathBuf],
    first: Option<i64>,
    sorter: &mut ExtSorter,
) -> Result<(u64, u64)> {
    let mut sink = Sink::default();
    for p in paths {
        let input = Input {
            kind: Kind::EcrImages,
            path: p.clone(),
        };
        crate::import::read_file(&input, &mut sink)?;
    }
    let (mut kept, mut covered) = (0, 0);
    for ((time, _, repo, digest), (kind, tags, supported)) in sink.events {
        if first.is_some_and(|f| time >= f) {
            covered += 1;
            continue;
        }
        let id = ImageRef {
            digest: Some(&digest),
            tag: None,
            hint: None,
        };
        let e = match kind {
            EventKind::Push => {
                let mut e = Enc::new(time, Rank::Push, "", Origin::Snapshot, PUSH);
                e.str(&repo).str(&digest).count(tags.len());
                for t in &tags {
                    e.str(t);
                }
                e.u8(supported as u8);
                e
            }
            EventKind::Pull => {
                let mut e = Enc::new(time, Rank::Pull, "", Origin::Snapshot, PULL);
                e.str(&repo).count(1).image_ref(&id);
                e
            }
            EventKind::Archive | EventKind::Restore => {
                let archive = kind == EventKind::Archive;
                let rank = if archive {
                    Rank::Archive
                } else {
                    Rank::Restore
                };
                let mut e = Enc::new(time, rank, "", Origin::Snapshot, STORAGE);
                e.str(&repo).image_ref(&id).u8(archive as u8);
                e
            }
            // describe-images gives nothing else.
            _ => continue,
        };
        sorter.push(&e.0)?;
        kept += 1;
    }
    Ok((kept, covered))
}

impl Report {
    /// Lines for the user: what was written, read, skipped and left out, and why.
    pub fn summary(&self, out: &Path) -> Vec<String> {
        let r = &self.replay;
        let total: u64 = r.rows.values().sum();
        let kinds: Vec<String> = r.rows.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let mut lines = vec![format!(
            "{}: {total} rows ({}) from {} CloudTrail records in {} file(s){}",
            out.display(),
            if kinds.is_empty() {
                "none".into()
            } else {
                kinds.join(", ")
            },
            self.records,
            self.files,
            if r.snapshot_rows > 0 {
                format!(", {} of them from the snapshot", r.snapshot_rows)
            } else {
                String::new()
            }
        )];
        lines.push(self.skipped_line());
        lines.extend(self.left_out_lines());
        lines.push(format!(
            "sorted {} items {}",
            self.items,
            if self.spilled_runs == 0 {
                "in memory".to_string()
            } else {
                format!(
                    "in {} runs of at most {} items ({} MiB) on disk, merged",
                    self.spilled_runs,
                    self.sort_buffer,
                    RUN_BYTES >> 20
                )
            }
        ));
        lines
    }

    fn skipped_line(&self) -> String {
        let r = &self.replay;
        let calls: u64 = self.other_calls.values().sum();
        let names: Vec<String> = self
            .other_calls
            .iter()
            .map(|(n, c)| format!("{n} {c}"))
            .collect();
        format!(
            "skipped: {} records of other services, {calls} other ECR calls{}, {} failed \
             calls (errorCode), {} pulls by Amazon Inspector, {} pulls by excluded \
             principals, {} duplicates (same eventID)",
            self.other_services,
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            },
            r.failed,
            r.by_inspector,
            r.excluded,
            r.duplicates
        )
    }

    fn left_out_lines(&self) -> Vec<String> {
        let r = &self.replay;
        let mut lines = Vec::new();
        let eg = |t: &Tally| {
            t.example
                .as_ref()
                .map(|e| format!(" (e.g. {e})"))
                .unwrap_or_default()
        };
        if r.unresolved.count > 0 {
            lines.push(format!(
                "warning: {} image id(s) given by a tag that no push before them (nor \
                 --snapshot) resolves{}: left out, not guessed; add the describe-images \
                 output of their repositories with --snapshot",
                r.unresolved.count,
                eg(&r.unresolved)
            ));
        }
        if r.ignored.count > 0 {
            lines.push(format!(
                "left out {} event(s) that `scansim run` would ignore: on images the history \
                 does not show live (pushed before it and not in --snapshot, or deleted), \
                 pulls of archived images, archives of archived and restores of active \
                 images{}",
                r.ignored.count,
                eg(&r.ignored)
            ));
        }
        if r.untagged_only.count > 0 {
            lines.push(format!(
                "{} delete(s) by tag only removed that tag (the image keeps others); a trace \
                 cannot remove a tag, so `scansim run` still sees it{}",
                r.untagged_only.count,
                eg(&r.untagged_only)
            ));
        }
        if r.merged_pushes > 0 || self.snapshot_covered > 0 {
            lines.push(format!(
                "{} PutImage call(s) of an image already pushed in the same second joined \
                 its push row; {} snapshot fact(s) from the time the history covers left \
                 to it",
                r.merged_pushes, self.snapshot_covered
            ));
        }
        lines
    }
}
