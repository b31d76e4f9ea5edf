//! `scansim import`: turns what AWS says about a real registry into a trace
//! that `scansim run` replays: snapshots (below), or the history in CloudTrail records
//! ([`cloudtrail`]); and reports Inspector's usage totals ([`usage_totals`]).
//!
//! Snapshots are JSON files of two kinds, in any number and mixed:
//! - `ecr-images`: `aws ecr describe-images` output ([`ecr_images`]): a push at
//!   `imagePushedAt` with the image's tags, a pull at `lastRecordedPullTime`, an archive
//!   at `lastArchivedAt` for an `ARCHIVED` image (and for an image still `ACTIVATING`), an
//!   archive and a restore for an `ACTIVE` image archived after its push and restored
//!   since (`lastArchivedAt` < `lastActivatedAt`); image indexes are `supported=false`.
//! - `inspector-coverage`: `aws inspector2 list-coverage` output
//!   ([`inspector_coverage`]): a pull at `imagePulledAt` and an in-use observation at
//!   `lastInUseAt` of every `AWS_ECR_CONTAINER_IMAGE`; other resource types are skipped.
//!
//! A file holds one page (`{"imageDetails": [...], "nextToken": ...}`), a JSON array of
//! pages, or pages written one after the other. Each page's kind is checked against the
//! kind it was given as (or detected from its content with [`Kind::Auto`]).
//!
//! Every record becomes the events it proves; the trace is the union of those events in
//! time order, each distinct event once, so overlapping pages or snapshots taken at
//! different times merge cleanly. At one instant the order is push, restore, pull,
//! in_use, archive, then repository and digest. Pull, in-use, archive and restore events
//! that `scansim run` would ignore (before the image's push, or while it is archived)
//! are dropped with a warning.

pub mod cloudtrail;
pub mod ecr_images;
pub mod inspector_coverage;
mod json;
pub mod usage_totals;

use crate::base::digest::DigestRef;
use crate::base::error::{Error, Result};
use crate::base::time::format_instant;
use crate::model::event::EventKind;
use crate::source::writer::{RowFormat, TraceWriter};
use json::Source;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an input file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `aws ecr describe-images` output.
    EcrImages,
    /// `aws inspector2 list-coverage` output.
    InspectorCoverage,
    /// Either, told apart per page by its content (`imageDetails` or `coveredResources`).
    Auto,
    /// CloudTrail log files, lookup-events output, or directories of them.
    CloudTrail,
    /// `aws inspector2 list-usage-totals` output: a report, no trace.
    UsageTotals,
}

impl Kind {
    pub const WORDS: &'static str =
        "ecr-images, inspector-coverage, auto, cloudtrail, usage-totals";

    pub fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "ecr-images" => Kind::EcrImages,
            "inspector-coverage" => Kind::InspectorCoverage,
            "auto" => Kind::Auto,
            "cloudtrail" => Kind::CloudTrail,
            "usage-totals" => Kind::UsageTotals,
            _ => return None,
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Kind::EcrImages => "ecr-images",
            Kind::InspectorCoverage => "inspector-coverage",
            Kind::Auto => "auto",
            Kind::CloudTrail => "cloudtrail",
            Kind::UsageTotals => "usage-totals",
        }
    }
}

/// What one `scansim import` does, from the kinds of its inputs.
#[derive(Debug, PartialEq, Eq)]
pub enum Job {
    /// describe-images and list-coverage snapshots merged into a trace.
    Snapshots(Vec<Input>),
    /// CloudTrail history into a trace.
    CloudTrail(Vec<PathBuf>),
    /// A usage report.
    UsageTotals(Vec<PathBuf>),
}

/// Tells the job apart: `cloudtrail` and `usage-totals` each stand alone.
pub fn job(inputs: Vec<Input>) -> Result<Job> {
    let alone = |k: Kind| inputs.iter().any(|i| i.kind == k);
    for (k, why) in [
        (
            Kind::CloudTrail,
            "give describe-images output with --snapshot, and import list-coverage output \
             on its own",
        ),
        (
            Kind::UsageTotals,
            "it makes a report, not a trace: import it on its own",
        ),
    ] {
        if alone(k) && inputs.iter().any(|i| i.kind != k) {
            return Err(Error::Usage(format!(
                "`{}` files cannot be mixed with other kinds: {why}",
                k.word()
            )));
        }
    }
    let paths = || inputs.iter().map(|i| i.path.clone()).collect();
    Ok(if alone(Kind::CloudTrail) {
        Job::CloudTrail(paths())
    } else if alone(Kind::UsageTotals) {
        Job::UsageTotals(paths())
    } else {
        Job::Snapshots(inputs)
    })
}

/// One input file and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub kind: Kind,
    pub path: PathBuf,
}

/// Reads the command-line form `KIND FILE... [KIND FILE...]...`: each kind word applies
/// to the files after it. A file named like a kind word can be given as `./ecr-images`.
pub fn parse_inputs<S: AsRef<OsStr>>(args: &[S]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut kind: Option<(Kind, usize)> = None;
    let mut files_of_kind = 0;
    for arg in args {
        let arg = arg.as_ref();
        if let Some(k) = arg.to_str().and_then(Kind::parse) {
            if let Some((prev, _)) = kind
                && files_of_kind == 0
            {
                return Err(no_files(prev));
            }
            kind = Some((k, inputs.len()));
            files_of_kind = 0;
            continue;
        }
        let Some((k, _)) = kind else {
            return Err(Error::Usage(format!(
                "`{}`: say what the files are first: scansim import KIND FILE... with KIND \
                 one of {}",
                arg.to_string_lossy(),
                Kind::WORDS
            )));
        };
        inputs.push(Input {
            kind: k,
            path: PathBuf::from(arg),
        });
        files_of_kind += 1;
    }
    match kind {
        None => Err(Error::Usage(format!(
            "nothing to import: scansim import KIND FILE... with KIND one of {}",
            Kind::WORDS
        ))),
        Some((k, _)) if files_of_kind == 0 => Err(no_files(k)),
        Some(_) => Ok(inputs),
    }
}

fn no_files(k: Kind) -> Error {
    Error::Usage(format!(
        "`{}` is followed by no file: give at least one JSON file after each kind",
        k.word()
    ))
}

/// One row of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    pub time: i64,
    pub event: EventKind,
    pub repository: String,
    pub digest: String,
    /// Push rows only.
    pub tags: Vec<String>,
    /// Push rows only; `false` for image indexes.
    pub supported: bool,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: usize,
    pub pages: usize,
    /// Image records read (ECR image details and Inspector ECR image resources).
    pub images: usize,
    /// Inspector resources of other types than ECR images.
    pub skipped_resources: usize,
    /// Events proven by more than one record, written once.
    pub duplicates: usize,
    /// Rows dropped because `scansim run` would ignore them.
    pub dropped: usize,
    /// Pull and in-use rows naming an image no input pushes.
    pub unpushed: usize,
}

/// The result of an import: the trace rows in order, warnings, counts.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub rows: Vec<TraceRow>,
    pub warnings: Vec<String>,
    pub stats: Stats,
}

impl Imported {
    /// One line for the user: what was read and written.
    pub fn summary(&self, out: &Path) -> String {
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.rows {
            *by_kind.entry(r.event.name()).or_default() += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let s = &self.stats;
        format!(
            "{}: {} rows ({}) from {} image records in {} file(s), {} page(s)",
            out.display(),
            self.rows.len(),
            if kinds.is_empty() {
                "none".to_string()
            } else {
                kinds.join(", ")
            },
            s.images,
            s.files,
            s.pages
        )
    }
}

/// An event proven by one record.
pub(crate) struct Fact {
    pub time: i64,
    pub kind: EventKind,
    pub repo: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub supported: bool,
}

/// Order of events of one instant (push first, archive last).
fn rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Push => 0,
        EventKind::Restore => 1,
        EventKind::Pull => 2,
        EventKind::InUse => 3,
        EventKind::Archive => 4,
        EventKind::Delete => 5,
        EventKind::VulndbUpdate => 6,
    }
}

type Key = (i64, u8, String, String);

/// Collects facts: each distinct event once, in trace order.
#[derive(Default)]
pub(crate) struct Sink {
    events: BTreeMap<Key, (EventKind, Vec<String>, bool)>,
    /// Pushes seen twice with different tags: (repository, digest, time).
    retagged: Vec<(String, String, i64)>,
    pub stats: Stats,
}

impl Sink {
    pub fn add(&mut self, f: Fact) {
        let key = (f.time, rank(f.kind), f.repo, f.digest);
        let value = (f.kind, f.tags, f.supported);
        match self.events.get_mut(&key) {
            None => {
                self.events.insert(key, value);
            }
            Some(old) => {
                self.stats.duplicates += 1;
                if *old != value {
                    // The same push in two snapshots whose tags differ (a tag moved
                    // between them): the later input is the newer snapshot.
                    self.retagged.push((key.2.clone(), key.3.clone(), key.0));
                    *old = value;
                }
            }
        }
    }
}

/// A digest as a trace can carry it.
pub(crate) fn check_digest(d: &str) -> Result<(), String> {
    if d.is_empty() {
        return Err("the digest is empty".into());
    }
    if d.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "invalid digest `{}`: white space or control characters",
            d.escape_debug()
        ));
    }
    Ok(())
}

/// Reads the inputs and merges them into one trace.
pub fn import(inputs: &[Input]) -> Result<Imported> {
    let mut sink = Sink::default();
    for input in inputs {
        read_file(input, &mut sink)?;
    }
    Ok(finish(sink))
}

/// Imports files of either kind, each page told apart by its content.
pub fn import_files(paths: &[PathBuf]) -> Result<Imported> {
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input {
            kind: Kind::Auto,
            path: p.clone(),
        })
        .collect();
    import(&inputs)
}

fn read_file(input: &Input, sink: &mut Sink) -> Result<()> {
    let file = input.path.as_path();
    let text = crate::base::text::read_text(file, crate::base::text::MAX_JSON_BYTES)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let src = Source::new(file, text);
    sink.stats.files += 1;
    for doc in src.documents()? {
        let pages = if Source::is_object(&doc) {
            vec![doc]
        } else if Source::is_array(&doc) {
            src.array(&doc)?
        } else {
            return Err(src.error(
                &doc,
                "expected a JSON object (the output of `aws ecr describe-images` or \
                 `aws inspector2 list-coverage`) or an array of them",
            ));
        };
        for page in pages {
            let page = src.object(&page)?;
            read_page(&src, &page, input.kind, sink)?;
            sink.stats.pages += 1;
        }
    }
    Ok(())
}

fn read_page<'a>(
    src: &Source<'a>,
    page: &json::Obj<'a>,
    kind: Kind,
    sink: &mut Sink,
) -> Result<()> {
    let ecr = page.has("imageDetails");
    let inspector = page.has("coveredResources");
    let what = |k: Kind| match k {
        Kind::EcrImages => "`aws ecr describe-images` output (imageDetails)",
        _ => "`aws inspector2 list-coverage` output (coveredResources)",
    };
    let found = match (ecr, inspector) {
        (true, true) => {
            return Err(src.error(
                &page.val,
                "the page has both imageDetails and coveredResources: give each AWS CLI \
                 output in a file of its own",
            ));
        }
        (true, false) => Some(Kind::EcrImages),
        (false, true) => Some(Kind::InspectorCoverage),
        (false, false) => None,
    };
    let kind = match (kind, found) {
        (Kind::Auto, Some(f)) => f,
        (Kind::Auto, None) => {
            return Err(src.error(
                &page.val,
                "cannot tell what this is: expected `aws ecr describe-images` output \
                 (imageDetails) or `aws inspector2 list-coverage` output (coveredResources)",
            ));
        }
        (k, Some(f)) if k != f => {
            return Err(src.error(
                &page.val,
                format!(
                    "given as {} but this is {}: put the file after `{}` (or after `auto`)",
                    k.word(),
                    what(f),
                    f.word()
                ),
            ));
        }
        (k, _) => k,
    };
    match kind {
        Kind::EcrImages => ecr_images::read_page(src, page, sink),
        Kind::InspectorCoverage => inspector_coverage::read_page(src, page, sink),
        other => Err(src.error(
            &page.val,
            format!("{} input is not read here", other.word()),
        )),
    }
}

fn image_name(repo: &str, digest: &str) -> String {
    format!("{repo}@{digest}")
}

/// Orders the events, drops those `scansim run` would ignore, gathers the warnings.
fn finish(sink: Sink) -> Imported {
    let Sink {
        events,
        retagged,
        mut stats,
    } = sink;
    let (keep, dropped_example, unpushed_example) = keep_events(&events, &mut stats);
    let warnings = import_warnings(&stats, dropped_example, unpushed_example, &retagged);
    let rows = events
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(
            |(((time, _, repository, digest), (event, tags, supported)), _)| TraceRow {
                time,
                event,
                repository,
                digest,
                tags,
                supported,
            },
        )
        .collect();
    Imported {
        rows,
        warnings,
        stats,
    }
}

/// Which events `scansim run` would act on, replaying each image's state as the engine
/// would; counts the dropped and unpushed ones in `stats` and returns an example of each.
fn keep_events(
    events: &BTreeMap<Key, (EventKind, Vec<String>, bool)>,
    stats: &mut Stats,
) -> (Vec<bool>, Option<String>, Option<String>) {
    let pushed: HashSet<(&str, &str)> = events
        .iter()
        .filter(|(_, v)| v.0 == EventKind::Push)
        .map(|(k, _)| (k.2.as_str(), k.3.as_str()))
        .collect();
    // Per image: (live, archived), replayed as the engine would.
    let mut state: HashMap<(&str, &str), (bool, bool)> = HashMap::new();
    let mut keep = vec![true; events.len()];
    let mut dropped_example = None;
    let mut unpushed_example = None;
    for (i, ((time, _, repo, digest), (kind, _, _))) in events.iter().enumerate() {
        let image = (repo.as_str(), digest.as_str());
        let (live, archived) = state.entry(image).or_insert((false, false));
        let ok = match kind {
            EventKind::Push => {
                (*live, *archived) = (true, false);
                true
            }
            EventKind::Archive if *live && !*archived => {
                *archived = true;
                true
            }
            EventKind::Restore if *live && *archived => {
                *archived = false;
                true
            }
            EventKind::Pull | EventKind::InUse if !pushed.contains(&image) => {
                stats.unpushed += 1;
                unpushed_example.get_or_insert_with(|| image_name(repo, digest));
                true
            }
            EventKind::Pull | EventKind::InUse => *live && !*archived,
            _ => false,
        };
        if !ok {
            keep[i] = false;
            stats.dropped += 1;
            dropped_example.get_or_insert_with(|| {
                format!(
                    "{} {} at {}",
                    kind.name(),
                    image_name(repo, digest),
                    format_instant(*time)
                )
            });
        }
    }
    (keep, dropped_example, unpushed_example)
}

/// The warnings of an import: dropped events, images never pushed, retagged pushes.
fn import_warnings(
    stats: &Stats,
    dropped_example: Option<String>,
    unpushed_example: Option<String>,
    retagged: &[(String, String, i64)],
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(ex) = dropped_example {
        warnings.push(format!(
            "left out {} event(s) that `scansim run` would ignore: they come before the \
             image's push or while it is archived (e.g. {ex})",
            stats.dropped
        ));
    }
    if let Some(ex) = unpushed_example {
        warnings.push(format!(
            "{} pull/in_use row(s) name images that no ecr-images input describes (e.g. \
             {ex}): `scansim run` counts them as ignored events (errors with --strict); \
             add the `aws ecr describe-images` output of their repositories",
            stats.unpushed
        ));
    }
    if let Some((repo, digest, t)) = retagged.first() {
        warnings.push(format!(
            "{} push(es) appear in several inputs with different tags (e.g. {} pushed at \
             {}): the tags of the last input were kept",
            retagged.len(),
            image_name(repo, digest),
            format_instant(*t)
        ));
    }
    warnings
}

/// Writes rows as a trace, in the format of every trace scansim writes.
pub fn write_rows(rows: &[TraceRow], out: &mut dyn Write) -> std::io::Result<()> {
    let mut fmt = RowFormat::default();
    out.write_all(RowFormat::header())?;
    for r in rows {
        out.write_all(fmt.row(
            r.time,
            r.event,
            r.repository.as_bytes(),
            Some(DigestRef::parse(r.digest.as_bytes())),
            r.tags.iter().map(|t| t.as_bytes()),
            r.supported,
        ))?;
    }
    Ok(())
}

/// The trace text of `rows`.
pub fn trace_text(rows: &[TraceRow]) -> String {
    let mut buf = Vec::new();
    write_rows(rows, &mut buf).expect("writing to memory");
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes the trace to `path` atomically: into a temporary file beside it, then renamed
/// over it, so `path` is either untouched or complete.
pub fn write_trace(rows: &[TraceRow], mut w: TraceWriter) -> Result<()> {
    for r in rows {
        w.write_row(
            r.time,
            r.event,
            r.repository.as_bytes(),
            Some(DigestRef::parse(r.digest.as_bytes())),
            r.tags.iter().map(|t| t.as_bytes()),
            r.supported,
        )?;
    }
    w.commit().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmp(name: &str) -> crate::base::testing::TempDir {
        crate::base::testing::TempDir::new(&format!("import-{name}"))
    }

    #[test]
    fn kind_words_apply_to_the_files_after_them() {
        let got = parse_inputs(&[
            "ecr-images",
            "a.json",
            "b.json",
            "inspector-coverage",
            "c.json",
        ])
        .unwrap();
        let kinds: Vec<(Kind, &str)> = got
            .iter()
            .map(|i| (i.kind, i.path.to_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                (Kind::EcrImages, "a.json"),
                (Kind::EcrImages, "b.json"),
                (Kind::InspectorCoverage, "c.json")
            ]
        );
        for bad in [
            &["a.json"][..],
            &[][..],
            &["ecr-images"][..],
            &["ecr-images", "auto", "x.json"][..],
        ] {
            assert!(parse_inputs(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_inputs(&["auto", "./ecr-images"]).unwrap()[0].path,
            PathBuf::from("./ecr-images")
        );
    }

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn detail(extra: &str) -> String {
        format!(
            r#"{{"imageDetails": [{{"repositoryName": "app", "imageDigest": "{D1}",
                "imagePushedAt": 1767261600.0{extra}}}]}}"#
        )
    }

    #[test]
    fn conflicting_tags_keep_the_last_input() {
        let d = tmp("retag");
        let a = write(&d, "a.json", &detail(r#", "imageTags": ["latest"]"#));
        let b = write(&d, "b.json", &detail(r#", "imageTags": ["v1"]"#));
        let got = import_files(&[a.clone(), b.clone(), b]).unwrap();
        assert_eq!(got.rows.len(), 1);
        assert_eq!(got.rows[0].tags, ["v1"]);
        assert_eq!(got.stats.duplicates, 2);
        assert!(
            got.warnings[0].contains("different tags"),
            "{:?}",
            got.warnings
        );
        let got = import_files(&[a]).unwrap();
        assert!(got.warnings.is_empty());
        // The same tags in another order are the same push.
        let c = write(&d, "c.json", &detail(r#", "imageTags": ["v1", "a", "v1"]"#));
        let e = write(&d, "e.json", &detail(r#", "imageTags": ["a", "v1"]"#));
        let got = import_files(&[c, e]).unwrap();
        assert_eq!(got.rows[0].tags, ["a", "v1"]);
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    }

    #[test]
    fn pulls_before_the_push_are_left_out() {
        let d = tmp("early");
        let a = write(
            &d,
            "a.json",
            &detail(r#", "lastRecordedPullTime": "2026-01-01T09:59:59Z""#),
        );
        let got = import_files(&[a]).unwrap();
        assert_eq!(got.rows.len(), 1);
        assert_eq!(got.stats.dropped, 1);
        assert!(
            got.warnings[0].contains("pull app@sha256:1111"),
            "{:?}",
            got.warnings
        );
    }

    #[test]
    fn restored_images_get_archive_and_restore() {
        let d = tmp("restored");
        let a = write(
            &d,
            "a.json",
            &detail(
                r#", "imageStatus": "ACTIVE", "lastArchivedAt": "2026-01-02T00:00:00Z",
                   "lastActivatedAt": "2026-01-03T00:00:00Z""#,
            ),
        );
        let got = import_files(&[a]).unwrap();
        let kinds: Vec<&str> = got.rows.iter().map(|r| r.event.name()).collect();
        assert_eq!(kinds, ["push", "archive", "restore"]);
        // Archived again after the restore: the archive only.
        let b = write(
            &d,
            "b.json",
            &detail(
                r#", "imageStatus": "ARCHIVED", "lastArchivedAt": "2026-01-04T00:00:00Z",
                   "lastActivatedAt": "2026-01-03T00:00:00Z""#,
            ),
        );
        let got = import_files(&[b]).unwrap();
        let kinds: Vec<&str> = got.rows.iter().map(|r| r.event.name()).collect();
        assert_eq!(kinds, ["push", "archive"]);
    }

    #[test]
    fn shape_errors_name_the_json_path() {
        let d = tmp("shape");
        for (text, path, what) in [
            (
                detail(r#", "imageTags": "latest""#),
                "$.imageDetails[0].imageTags",
                "expected an array",
            ),
            (
                detail(r#", "imageTags": ["bad tag"]"#),
                "$.imageDetails[0].imageTags[0]",
                "invalid tag",
            ),
            (
                detail(r#", "imageStatus": "GONE""#),
                "$.imageDetails[0].imageStatus",
                "unknown imageStatus",
            ),
            (
                detail(r#", "imageStatus": "ARCHIVED""#),
                "$.imageDetails[0].lastArchivedAt",
                "missing",
            ),
            (
                r#"{"imageDetails": [{"repositoryName": "App", "imageDigest": "x"}]}"#.into(),
                "$.imageDetails[0].repositoryName",
                "invalid repository name",
            ),
            (
                r#"{"imageDetails": [{"repositoryName": "app", "imageDigest": "x"}]}"#.into(),
                "$.imageDetails[0].imagePushedAt",
                "missing",
            ),
            (
                r#"{"imageDetails": {}}"#.into(),
                "$.imageDetails",
                "expected an array",
            ),
            (r#"{"images": []}"#.into(), "$", "cannot tell"),
            (
                r#"[{"coveredResources": [{"resourceType": "AWS_ECR_CONTAINER_IMAGE",
                "resourceId": "arn:aws:ecr:us-east-1:123456789012:repository/app"}]}]"#
                    .into(),
                "$[0].coveredResources[0].resourceId",
                "not an ECR image",
            ),
            ("17".into(), "$", "expected a JSON object"),
        ] {
            let f = write(&d, "bad.json", &text);
            let e = import_files(&[f]).unwrap_err().to_string();
            assert!(e.contains("bad.json:"), "{e}");
            assert!(e.contains(&format!(" {path}: ")), "want {path}: {e}");
            assert!(e.contains(what), "want {what}: {e}");
        }
    }

    #[test]
    fn a_page_of_the_other_kind_is_named() {
        let d = tmp("kind");
        let f = write(&d, "cov.json", r#"{"coveredResources": []}"#);
        let e = import(&[Input {
            kind: Kind::EcrImages,
            path: f,
        }])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("given as ecr-images") && e.contains("inspector-coverage"),
            "{e}"
        );
    }

    #[test]
    fn csv_form() {
        let rows = vec![
            TraceRow {
                time: 1_767_225_600,
                event: EventKind::Push,
                repository: "app".into(),
                digest: "sha256:x,y".into(),
                tags: vec!["a".into(), "b".into()],
                supported: false,
            },
            TraceRow {
                time: 1_767_225_601,
                event: EventKind::Pull,
                repository: "app".into(),
                digest: "d".into(),
                tags: vec!["ignored".into()],
                supported: false,
            },
        ];
        assert_eq!(
            trace_text(&rows),
            "time,event,repository,digest,tags,supported\n\
             2026-01-01T00:00:00Z,push,app,\"sha256:x,y\",a;b,false\n\
             2026-01-01T00:00:01Z,pull,app,d,,\n"
        );
    }

    #[test]
    fn write_is_atomic_and_leaves_no_temporary_file() {
        let d = tmp("atomic");
        let out = d.join("sub/trace.csv");
        write_trace(&[], TraceWriter::create(&out, false).unwrap()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "time,event,repository,digest,tags,supported\n"
        );
        let names: Vec<_> = std::fs::read_dir(d.join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1);
        assert!(TraceWriter::create(&d, false).is_err());
    }
}
