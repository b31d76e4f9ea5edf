//! The EventBridge events scanning would emit (`run --events FILE.jsonl`), one JSON
//! object per line in the EventBridge envelope, in the order they happen:
//!
//! - `ECR Scan Resource Change` (source `aws.ecr`, action-type `SCAN_FREQUENCY_CHANGE`)
//!   at a configuration change, listing every existing repository whose scan frequency
//!   changed (`MANUAL` stands for "off"), at most [`REPOSITORIES_PER_EVENT`] per event;
//!   sent when the registry is or was `ENHANCED`.
//! - `Inspector2 Scan` (source `aws.inspector2`, scan-status `INITIAL_SCAN_COMPLETE`)
//!   for every initial enhanced scan, with the `finding-severity-counts` the scan opened
//!   (CRITICAL, HIGH, MEDIUM as in AWS's events, and a TOTAL over every severity).
//!
//! - `Inspector2 Finding` (source `aws.inspector2`) with `--finding-events`: one per
//!   finding created (status `ACTIVE`), updated (`ACTIVE`) or closed (`CLOSED`), with the
//!   image in `resources[].details.awsEcrContainerImage`. A finding is numbered within its
//!   image and severity, so its `findingArn` is the same when it is reopened or closed.
//!
//! Ids are UUID-shaped and derived from the event's content, so runs are reproducible.

use crate::base::atomic::AtomicFile;
use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::base::time::format_instant;
use crate::engine::Observer;
use crate::engine::findings::{FindingRecord, Findings};
use crate::rules::findings::{SEVERITIES, Sev};
use crate::rules::{Freq, ScanType};
use serde_json::json;

/// ECR lists changed repositories in one event; we cap a list to keep events well under
/// EventBridge's 256 KB limit.
pub const REPOSITORIES_PER_EVENT: usize = 500;

/// How many events a frequency change of `n` repositories makes.
pub fn frequency_change_events(n: u64) -> u64 {
    n.div_ceil(REPOSITORIES_PER_EVENT as u64)
}

fn ecr_name(f: Freq) -> &'static str {
    match f {
        Freq::Continuous => "CONTINUOUS_SCAN",
        Freq::ScanOnPush => "SCAN_ON_PUSH",
        Freq::Off => "MANUAL",
    }
}

/// The image of a change of findings, as every finding event of it shows it.
struct ImageParts {
    time: String,
    image: String,
    digest: String,
    tags: Vec<String>,
    pushed_at: String,
}

/// The id of finding `ordinal` of severity `s` of the image with `key`: 32 hex digits.
fn finding_id(key: u64, s: usize, ordinal: u32) -> String {
    use crate::base::hash::splitmix;
    let a = splitmix(key ^ ((s as u64) << 32 | ordinal as u64));
    let b = splitmix(a ^ key.rotate_left(23));
    format!("{a:016x}{b:016x}")
}

/// The (severity, ordinal) of the `i`-th finding of an image with `counts`, in severity
/// order.
fn nth_finding(counts: &Sev, mut i: u32) -> (usize, u32) {
    for (s, &c) in counts.iter().enumerate() {
        if i < c {
            return (s, i);
        }
        i -= c;
    }
    (5, 0)
}

/// Tags as text, sorted (an image's tags have no order).
fn sorted_tags<'a>(tags: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    let mut v: Vec<String> = tags
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    v.sort();
    v
}

/// A UUID-shaped id from the event's identity.
fn event_id(parts: &[&[u8]]) -> String {
    let mut h = crate::base::hash::stable_hash(b"scansim-event");
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        for p in parts {
            h ^= crate::base::hash::stable_hash(p).wrapping_add(i as u64);
            h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        *w = h;
    }
    let x = ((words[0] as u128) << 64) | words[1] as u128;
    let hex = format!("{x:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Writes events as JSON lines into a file its caller commits once every output of the
/// run is in place.
pub struct EventWriter<'f> {
    file: &'f mut AtomicFile,
    account: String,
    region: String,
    line: Vec<u8>,
    /// Whether to write `Inspector2 Finding` events.
    findings: bool,
    /// Finding events written: part of their ids (two feed updates at one instant update
    /// the same findings twice, in two events).
    finding_seq: u64,
}

/// Whether an existing file starts like the events scansim writes (so `--events` may
/// replace it).
pub fn is_events_file(head: &[u8]) -> bool {
    head.starts_with(b"{\"account\":")
}

impl<'f> EventWriter<'f> {
    pub fn new(file: &'f mut AtomicFile, account: &str, region: &str) -> EventWriter<'f> {
        EventWriter {
            file,
            account: account.to_string(),
            region: region.to_string(),
            line: Vec::with_capacity(512),
            findings: false,
            finding_seq: 0,
        }
    }

    /// Also writes one `Inspector2 Finding` event per finding created, updated or closed.
    pub fn with_findings(mut self, on: bool) -> Self {
        self.findings = on;
        self
    }

    /// What the finding events of one change of an image share, made once for them all.
    fn image_parts(&self, repo: &str, rec: &FindingRecord) -> ImageParts {
        let digest = rec.digest.as_ref().to_text();
        ImageParts {
            time: format_instant(rec.t),
            image: format!("{}/{digest}", self.arn(repo)),
            digest,
            tags: sorted_tags(rec.tags.iter().map(|t| &t[..])),
            pushed_at: format_instant(rec.pushed_at),
        }
    }

    /// One `Inspector2 Finding` event: finding `ordinal` of severity `s` of the image.
    fn finding(
        &mut self,
        repo: &str,
        key: u64,
        p: &ImageParts,
        (s, ordinal): (usize, u32),
        status: &str,
    ) -> Result<()> {
        let ImageParts {
            time,
            image,
            digest,
            tags,
            pushed_at,
        } = p;
        let id = finding_id(key, s, ordinal);
        let arn = format!(
            "arn:aws:inspector2:{}:{}:finding/{id}",
            self.region, self.account
        );
        let v = json!({
            "version": "0",
            "id": event_id(&[
                b"finding",
                status.as_bytes(),
                time.as_bytes(),
                arn.as_bytes(),
                &self.finding_seq.to_le_bytes(),
            ]),
            "detail-type": "Inspector2 Finding",
            "source": "aws.inspector2",
            "account": self.account,
            "time": time,
            "region": self.region,
            "resources": [image],
            "detail": {
                "awsAccountId": self.account,
                "findingArn": arn,
                "resources": [{
                    "details": {
                        "awsEcrContainerImage": {
                            "imageHash": digest,
                            "imageTags": tags,
                            "pushedAt": pushed_at,
                            "registry": self.account,
                            "repositoryName": repo,
                        }
                    },
                    "id": image,
                    "partition": "aws",
                    "region": self.region,
                    "type": "AWS_ECR_CONTAINER_IMAGE",
                }],
                "severity": SEVERITIES[s],
                "status": status,
                "type": "PACKAGE_VULNERABILITY",
                "updatedAt": time,
            }
        });
        self.finding_seq += 1;
        self.emit(v)
    }

    fn arn(&self, repo: &str) -> String {
        format!(
            "arn:aws:ecr:{}:{}:repository/{repo}",
            self.region, self.account
        )
    }

    fn emit(&mut self, v: serde_json::Value) -> Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &v).expect("JSON to memory");
        self.line.push(b'\n');
        self.file.write_all(&self.line)
    }
}

impl Observer for EventWriter<'_> {
    fn frequency_change(
        &mut self,
        t: i64,
        scan_type: ScanType,
        changes: &[(String, Freq, Freq)],
    ) -> Result<()> {
        for (k, chunk) in changes.chunks(REPOSITORIES_PER_EVENT).enumerate() {
            let repos: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(name, f0, f1)| {
                    json!({
                        "repository-name": name,
                        "repository-arn": self.arn(name),
                        "scan-frequency": ecr_name(*f1),
                        "previous-scan-frequency": ecr_name(*f0),
                    })
                })
                .collect();
            let time = format_instant(t);
            let id = event_id(&[b"frequency", time.as_bytes(), &k.to_le_bytes()]);
            let v = json!({
                "version": "0",
                "id": id,
                "detail-type": "ECR Scan Resource Change",
                "source": "aws.ecr",
                "account": self.account,
                "time": time,
                "region": self.region,
                "resources": [],
                "detail": {
                    "action-type": "SCAN_FREQUENCY_CHANGE",
                    "repositories": repos,
                    "resource-type": "REPOSITORY",
                    "scan-type": scan_type.name(),
                }
            });
            self.emit(v)?;
        }
        Ok(())
    }

    fn initial_scan(
        &mut self,
        t: i64,
        repo: &str,
        digest: DigestRef,
        tags: &[&[u8]],
        findings: &Sev,
    ) -> Result<()> {
        let time = format_instant(t);
        let digest = digest.to_text();
        let arn = self.arn(repo);
        let id = event_id(&[
            b"initial",
            time.as_bytes(),
            repo.as_bytes(),
            digest.as_bytes(),
        ]);
        let tags = sorted_tags(tags.iter().copied());
        let v = json!({
            "version": "0",
            "id": id,
            "detail-type": "Inspector2 Scan",
            "source": "aws.inspector2",
            "account": self.account,
            "time": time,
            "region": self.region,
            "resources": [arn],
            "detail": {
                "scan-status": "INITIAL_SCAN_COMPLETE",
                "repository-name": arn,
                "finding-severity-counts": {
                    "CRITICAL": findings[0],
                    "HIGH": findings[1],
                    "MEDIUM": findings[2],
                    "TOTAL": findings.iter().map(|&x| x as u64).sum::<u64>(),
                },
                "image-digest": digest,
                "image-tags": tags,
            }
        });
        self.emit(v)
    }

    fn wants_findings(&self) -> bool {
        self.findings
    }

    fn findings(&mut self, repo: &str, rec: &FindingRecord) -> Result<()> {
        let parts = self.image_parts(repo, rec);
        let (from, n, status) = match &rec.which {
            Findings::Created { from, n } => (*from, *n, "ACTIVE"),
            Findings::Closed { n } => ([0; 6], *n, "CLOSED"),
            Findings::Updated { counts, start, n } => {
                let total: u32 = counts.iter().sum();
                for j in 0..*n {
                    let which = nth_finding(counts, (start + j) % total.max(1));
                    self.finding(repo, rec.key, &parts, which, "ACTIVE")?;
                }
                return Ok(());
            }
        };
        for s in 0..6 {
            for k in from[s]..from[s] + n[s] {
                self.finding(repo, rec.key, &parts, (s, k), status)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_stable() {
        let a = event_id(&[b"x", b"y"]);
        assert_eq!(a, event_id(&[b"x", b"y"]));
        assert_ne!(a, event_id(&[b"x", b"z"]));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(frequency_change_events(0), 0);
        assert_eq!(frequency_change_events(1), 1);
        assert_eq!(frequency_change_events(500), 1);
        assert_eq!(frequency_change_events(501), 2);
    }
}
