//! Renders trace rows as the CloudTrail records ECR would have written for them, in the
//! shapes of the AWS documentation samples: the round-trip test imports them back, and
//! the benchmark generator (`examples/gen_cloudtrail.rs`, which includes this file) makes
//! large histories with it.
//!
//! - push → one `PutImage` per tag (docker pushes each tag in its own call; none for an
//!   untagged push); `supported=false` → an image index (`imageManifestMediaType`);
//! - pull → `BatchGetImage`, by the tag `latest` while the image holds it (so the import
//!   must resolve it), else by digest; no response, as CloudTrail records it;
//! - delete → `BatchDeleteImage` by digest; archive / restore → `UpdateImageStorageClass`;
//! - in_use and vulndb_update have no CloudTrail record: nothing.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashMap;

pub const ACCOUNT: &str = "123456789012";
const INDEX: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// One trace row, as text fields.
pub struct Row<'a> {
    pub time: &'a str,
    pub event: &'a str,
    pub repo: &'a str,
    pub digest: &'a str,
    pub tags: Vec<&'a str>,
    pub supported: bool,
}

impl<'a> Row<'a> {
    /// A row of a trace written by scansim (no quoted fields).
    pub fn parse(line: &'a str) -> Row<'a> {
        let f: Vec<&str> = line.split(',').collect();
        Row {
            time: f[0],
            event: f[1],
            repo: f[2],
            digest: f[3],
            tags: f
                .get(4)
                .map(|t| t.split(';').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            supported: f.get(5) != Some(&"false"),
        }
    }
}

/// Gives event ids in order and remembers which image holds `latest`.
#[derive(Default)]
pub struct Renderer {
    seq: u64,
    latest: HashMap<String, String>,
}

fn identity() -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:deploy",
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/deploy/session"),
        "accountId": ACCOUNT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
            "arn": format!("arn:aws:iam::{ACCOUNT}:role/deploy"), "accountId": ACCOUNT,
            "userName": "deploy"}}
    })
}

impl Renderer {
    /// The next eventID: fixed width, so text order is creation order.
    pub fn event_id(&mut self) -> String {
        self.seq += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.seq)
    }

    /// A record of an ECR call.
    pub fn record(
        &mut self,
        time: &str,
        name: &str,
        user: Value,
        req: Value,
        resp: Value,
    ) -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": user,
            "eventTime": time,
            "eventSource": "ecr.amazonaws.com",
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "203.0.113.12",
            "userAgent": "docker/27.3.1",
            "requestParameters": req,
            "responseElements": resp,
            "requestID": format!("req-{}", self.seq),
            "eventID": self.event_id(),
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": ACCOUNT
        })
    }

    /// The records of one row (none for in_use and vulndb_update).
    pub fn render(&mut self, r: &Row<'_>) -> Vec<Value> {
        match r.event {
            "push" => self.push(r),
            "pull" => {
                let id = if self.latest.get(r.repo).map(String::as_str) == Some(r.digest) {
                    json!({"imageTag": "latest"})
                } else {
                    json!({"imageDigest": r.digest})
                };
                let req = json!({"imageIds": [id], "repositoryName": r.repo,
                    "registryId": ACCOUNT, "acceptedMediaTypes": [
                    "application/vnd.docker.distribution.manifest.v2+json"]});
                vec![self.record(r.time, "BatchGetImage", identity(), req, Value::Null)]
            }
            "delete" => {
                if self.latest.get(r.repo).map(String::as_str) == Some(r.digest) {
                    self.latest.remove(r.repo);
                }
                let id = json!({"imageDigest": r.digest});
                let req = json!({"repositoryName": r.repo, "imageIds": [id],
                    "registryId": ACCOUNT});
                let resp = json!({"imageIds": [id], "failures": []});
                vec![self.record(r.time, "BatchDeleteImage", identity(), req, resp)]
            }
            "archive" | "restore" => {
                let target = if r.event == "archive" {
                    "ARCHIVE"
                } else {
                    "STANDARD"
                };
                let req = json!({"repositoryName": r.repo, "imageId": {"imageDigest": r.digest},
                    "targetStorageClass": target, "registryId": ACCOUNT});
                let resp = json!({"repositoryName": r.repo, "registryId": ACCOUNT,
                    "imageId": {"imageDigest": r.digest}});
                vec![self.record(r.time, "UpdateImageStorageClass", identity(), req, resp)]
            }
            _ => Vec::new(),
        }
    }

    fn push(&mut self, r: &Row<'_>) -> Vec<Value> {
        let tags: Vec<Option<&str>> = if r.tags.is_empty() {
            vec![None]
        } else {
            r.tags.iter().map(|t| Some(*t)).collect()
        };
        let mut out = Vec::new();
        for tag in tags {
            let mut req = json!({"repositoryName": r.repo, "registryId": ACCOUNT,
                "imageManifest": "{\"schemaVersion\":2}"});
            let mut id = json!({"imageDigest": r.digest});
            if let Some(t) = tag {
                req["imageTag"] = json!(t);
                id["imageTag"] = json!(t);
            }
            if !r.supported {
                req["imageManifestMediaType"] = json!(INDEX);
            }
            if tag == Some("latest") {
                self.latest.insert(r.repo.to_string(), r.digest.to_string());
            }
            let resp = json!({"image": {"repositoryName": r.repo, "registryId": ACCOUNT,
                "imageId": id}});
            out.push(self.record(r.time, "PutImage", identity(), req, resp));
        }
        out
    }
}

/// A `lookup-events` page holding `records` (each as JSON text in `CloudTrailEvent`).
pub fn lookup_events_page(records: &[Value]) -> Value {
    let events: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({"EventId": r["eventID"], "EventName": r["eventName"],
                "EventTime": r["eventTime"], "EventSource": r["eventSource"],
                "Resources": [], "CloudTrailEvent": r.to_string()})
        })
        .collect();
    json!({ "Events": events })
}
