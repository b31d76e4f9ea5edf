//! The EventBridge events scanning would emit (`run --events FILE.jsonl`), one JSON
//! object per line in the EventBridge envelope, in the order they happen:
//!
//! - `ECR Scan Resource Change` (source `aws.ecr`, action-type `SCAN_FREQUENCY_CHANGE`)
//!   at a configuration change, listing every existing repository whose scan frequency
//!   changed (`MANUAL` stands for "off"), at most [`REPOSITORIES_PER_EVENT`] per event;
//!   sent when the registry is or was `ENHANCED`.
//! - `Inspector2 Scan` (source `aws.inspector2`, scan-status `INITIAL_SCAN_COMPLETE`)
//!   for every initial enhanced scan. Findings are not modelled, so the event carries no
//!   `finding-severity-counts`.
//!
//! Ids are UUID-shaped and derived from the event's content, so runs are reproducible.

use crate::base::atomic::AtomicFile;
use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::base::time::format_instant;
use crate::engine::Observer;
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
        }
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
        let mut tags: Vec<String> = tags
            .iter()
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect();
        tags.sort();
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
                "image-digest": digest,
                "image-tags": tags,
            }
        });
        self.emit(v)
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
