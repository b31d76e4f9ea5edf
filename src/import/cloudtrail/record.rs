//! One CloudTrail record → one item (see [`super::item`]), or nothing for records of
//! other services and ECR calls that change no image.
//!
//! Fields read (ECR API reference and the CloudTrail record format):
//! - every record: `eventSource`, `eventName`, `eventTime`, `eventID`, `errorCode`;
//! - `PutImage`: `requestParameters.repositoryName`, `.imageTag`,
//!   `.imageManifestMediaType`, `.imageManifest` (its `mediaType` or `manifests`), and
//!   the digest from `responseElements.image.imageId.imageDigest` (else
//!   `requestParameters.imageDigest`);
//! - `BatchGetImage`, `BatchDeleteImage`: `requestParameters.repositoryName` and
//!   `.imageIds[]` (`imageDigest` and/or `imageTag`); the digests the response gives
//!   for tags (`responseElements.images[].imageId`, `responseElements.imageIds[]`);
//!   for pulls, `userIdentity` (`type`, `invokedBy`, `arn`,
//!   `sessionContext.sessionIssuer.arn` / `.userName`);
//! - `DeleteRepository`: `requestParameters.repositoryName`;
//! - `PolicyExecutionEvent`: `serviceEventDetails.repositoryName`,
//!   `.lifecycleEventImageActions[].lifecycleEventImage.digest` and `.rulePriority`, and
//!   the action (`expire` or `transition`) of that rule in
//!   `.lifecycleEventPolicy.lifecycleEventRules[]`;
//! - `UpdateImageStorageClass`: `requestParameters.repositoryName`, `.imageId`,
//!   `.targetStorageClass` (`ARCHIVE` or `STANDARD`), `responseElements.imageId`.

use super::item::{
    DELETE, DELETE_REPOSITORY, Enc, ImageRef, LIFECYCLE, Origin, PULL, PUSH, Rank, SKIPPED,
    STORAGE, Skip,
};
use crate::base::error::Result;
use crate::base::names::{check_repository, check_tag};
use crate::import::check_digest;
use crate::import::ecr_images::INDEX_MEDIA_TYPES;
use crate::import::json::{Obj, Source, Val};
use std::collections::{BTreeMap, HashSet};

pub(super) const ECR_SOURCE: &str = "ecr.amazonaws.com";

/// The calls that change images; every other ECR call is counted and skipped.
pub(super) const CALLS: [&str; 6] = [
    "PutImage",
    "BatchGetImage",
    "BatchDeleteImage",
    "DeleteRepository",
    "PolicyExecutionEvent",
    "UpdateImageStorageClass",
];

/// Amazon Inspector's service principal and service-linked role.
const INSPECTOR_PRINCIPAL: &str = "inspector2.amazonaws.com";
const INSPECTOR_ROLE: &str = "AWSServiceRoleForAmazonInspector2";

/// At most this many distinct names of other ECR calls are counted one by one.
const MAX_CALL_NAMES: usize = 64;

/// What reading the records found besides the items.
#[derive(Debug, Default, Clone)]
pub(super) struct ReadCounts {
    pub records: u64,
    pub other_services: u64,
    /// Other ECR calls by name (`(other names)` past [`MAX_CALL_NAMES`]).
    pub other_calls: BTreeMap<String, u64>,
    /// The earliest instant of an ECR record: the history starts there.
    pub first_ecr: Option<i64>,
}

/// Reads records into items.
pub(super) struct RecordReader<'o> {
    pub exclude: &'o HashSet<String>,
    pub counts: ReadCounts,
}

type Res<T> = Result<T>;

impl RecordReader<'_> {
    /// The item of one record, `None` when it is not one of [`CALLS`].
    pub fn read<'a>(&mut self, src: &Source<'a>, rec: &Obj<'a>) -> Res<Option<Vec<u8>>> {
        self.counts.records += 1;
        let source = required_string(src, rec, "eventSource", "every record names its service")?;
        if source != ECR_SOURCE {
            self.counts.other_services += 1;
            return Ok(None);
        }
        let name = required_string(src, rec, "eventName", "every record names its call")?;
        let time_val = rec
            .get("eventTime")
            .ok_or_else(|| rec.missing(src, "eventTime", "every record has its time"))?;
        let time = src.instant(&time_val)?;
        let first = self.counts.first_ecr.get_or_insert(time);
        *first = (*first).min(time);
        if !CALLS.contains(&name.as_str()) {
            self.count_other_call(name);
            return Ok(None);
        }
        let id = required_string(
            src,
            rec,
            "eventID",
            "duplicates are told apart by the eventID of every record",
        )?;
        let skip = |why: Skip| {
            let mut e = Enc::new(time, Rank::Skipped, &id, Origin::CloudTrail, SKIPPED);
            e.u8(why as u8);
            Ok(Some(e.0))
        };
        if rec.get("errorCode").is_some() {
            return skip(Skip::Failed);
        }
        let c = Call {
            src,
            rec,
            time,
            id: &id,
        };
        let item = match name.as_str() {
            "PutImage" => c.put_image()?,
            "BatchGetImage" => {
                if let Some(why) = puller_skip(src, rec, self.exclude)? {
                    return skip(why);
                }
                c.image_ids(Rank::Pull, PULL, "images")?
            }
            "BatchDeleteImage" => c.image_ids(Rank::Delete, DELETE, "imageIds")?,
            "DeleteRepository" => {
                let repo = c.repo(&c.request()?)?;
                let mut e = c.enc(Rank::DeleteRepository, DELETE_REPOSITORY);
                e.str(&repo);
                e.0
            }
            "PolicyExecutionEvent" => c.lifecycle()?,
            _ => c.storage_class()?,
        };
        Ok(Some(item))
    }

    fn count_other_call(&mut self, name: String) {
        let calls = &mut self.counts.other_calls;
        let key = if calls.contains_key(&name) || calls.len() < MAX_CALL_NAMES {
            name
        } else {
            "(other names)".to_string()
        };
        *calls.entry(key).or_default() += 1;
    }
}

fn required_string<'a>(src: &Source<'a>, o: &Obj<'a>, key: &str, why: &str) -> Res<String> {
    let v = o.get(key).ok_or_else(|| o.missing(src, key, why))?;
    src.string(&v)
}

/// A checked string member, `None` when absent.
fn checked<'a>(
    src: &Source<'a>,
    o: &Obj<'a>,
    key: &str,
    check: impl Fn(&[u8]) -> std::result::Result<(), String>,
) -> Res<Option<String>> {
    let Some(v) = o.get(key) else {
        return Ok(None);
    };
    let s = src.string(&v)?;
    check(s.as_bytes()).map_err(|m| src.error(&v, m))?;
    Ok(Some(s))
}

fn digest_check(d: &[u8]) -> std::result::Result<(), String> {
    check_digest(&String::from_utf8_lossy(d))
}

/// The object at `path` below `o`, `None` when a member on the way is absent or null.
fn dig<'a>(src: &Source<'a>, o: &Obj<'a>, path: &[&str]) -> Res<Option<Obj<'a>>> {
    let mut cur: Option<Obj<'a>> = None;
    for key in path {
        let parent = cur.as_ref().unwrap_or(o);
        let Some(v) = parent.get(key) else {
            return Ok(None);
        };
        cur = Some(src.object(&v)?);
    }
    Ok(cur)
}

/// Whether the record is a pull made by Amazon Inspector, or by an excluded principal.
fn puller_skip<'a>(
    src: &Source<'a>,
    rec: &Obj<'a>,
    exclude: &HashSet<String>,
) -> Res<Option<Skip>> {
    let Some(ui) = dig(src, rec, &["userIdentity"])? else {
        return Ok(None);
    };
    let text = |o: &Obj<'a>, key: &str| -> Res<Option<String>> {
        o.get(key).map(|v| src.string(&v)).transpose()
    };
    let issuer = dig(src, &ui, &["sessionContext", "sessionIssuer"])?;
    let mut names = vec![text(&ui, "arn")?];
    if let Some(i) = &issuer {
        names.push(text(i, "arn")?);
        names.push(text(i, "userName")?);
    }
    let invoked_by = text(&ui, "invokedBy")?;
    let by_inspector = invoked_by.as_deref() == Some(INSPECTOR_PRINCIPAL)
        || names.iter().flatten().any(|n| n.contains(INSPECTOR_ROLE));
    if by_inspector {
        return Ok(Some(Skip::Inspector));
    }
    if names.iter().flatten().any(|n| exclude.contains(n)) {
        return Ok(Some(Skip::Excluded));
    }
    Ok(None)
}

/// One record of an imported call, being read.
struct Call<'s, 'a> {
    src: &'s Source<'a>,
    rec: &'s Obj<'a>,
    time: i64,
    id: &'s str,
}

impl<'a> Call<'_, 'a> {
    fn enc(&self, rank: Rank, action: u8) -> Enc {
        Enc::new(self.time, rank, self.id, Origin::CloudTrail, action)
    }

    fn request(&self) -> Res<Obj<'a>> {
        dig(self.src, self.rec, &["requestParameters"])?.ok_or_else(|| {
            self.rec.missing(
                self.src,
                "requestParameters",
                "a successful call of this kind records its request",
            )
        })
    }

    fn repo(&self, o: &Obj<'a>) -> Res<String> {
        checked(self.src, o, "repositoryName", check_repository)?.ok_or_else(|| {
            o.missing(
                self.src,
                "repositoryName",
                "every call names its repository",
            )
        })
    }

    /// `PutImage`: a push of one digest with at most one tag.
    fn put_image(&self) -> Res<Vec<u8>> {
        let (src, req) = (self.src, self.request()?);
        let repo = self.repo(&req)?;
        let image = dig(src, self.rec, &["responseElements", "image"])?;
        let image_id = match &image {
            Some(i) => dig(src, i, &["imageId"])?,
            None => None,
        };
        let digest = match &image_id {
            Some(id) => checked(src, id, "imageDigest", digest_check)?,
            None => None,
        };
        let digest = match digest {
            Some(d) => d,
            None => checked(src, &req, "imageDigest", digest_check)?.ok_or_else(|| {
                self.rec.missing(
                    src,
                    "responseElements",
                    "a successful PutImage gives the pushed digest in \
                     responseElements.image.imageId.imageDigest (or requestParameters.imageDigest)",
                )
            })?,
        };
        let mut tag = checked(src, &req, "imageTag", check_tag)?;
        if let (None, Some(id)) = (&tag, &image_id) {
            tag = checked(src, id, "imageTag", check_tag)?;
        }
        let supported = !is_index(src, &req, image.as_ref())?;
        let mut e = self.enc(Rank::Push, PUSH);
        e.str(&repo).str(&digest).count(tag.is_some() as usize);
        if let Some(t) = &tag {
            e.str(t);
        }
        e.u8(supported as u8);
        Ok(e.0)
    }

    /// `BatchGetImage` / `BatchDeleteImage`: the images named in `imageIds`, with the
    /// digests the response gives for tags (in `responseElements.<answer>`).
    fn image_ids(&self, rank: Rank, action: u8, answer: &str) -> Res<Vec<u8>> {
        let (src, req) = (self.src, self.request()?);
        let repo = self.repo(&req)?;
        let list = req
            .get("imageIds")
            .ok_or_else(|| req.missing(src, "imageIds", "the call names the images it asks for"))?;
        let hints = self.response_hints(answer)?;
        let mut e = self.enc(rank, action);
        let items = src.array(&list)?;
        e.str(&repo).count(items.len());
        for item in &items {
            let (digest, tag) = image_id(src, item)?;
            let hint = match (&digest, &tag) {
                (None, Some(t)) => hints
                    .iter()
                    .find(|(ht, _)| ht == t)
                    .map(|(_, d)| d.as_str()),
                _ => None,
            };
            e.image_ref(&ImageRef {
                digest: digest.as_deref(),
                tag: tag.as_deref(),
                hint,
            });
        }
        Ok(e.0)
    }

    /// (tag, digest) pairs that `responseElements.<answer>[]` (image ids, or images with
    /// an `imageId`) gives.
    fn response_hints(&self, answer: &str) -> Res<Vec<(String, String)>> {
        let src = self.src;
        let Some(resp) = dig(src, self.rec, &["responseElements"])? else {
            return Ok(Vec::new());
        };
        let Some(list) = resp.get(answer) else {
            return Ok(Vec::new());
        };
        let mut hints = Vec::new();
        for v in src.array(&list)? {
            let o = src.object(&v)?;
            let id = match dig(src, &o, &["imageId"])? {
                Some(id) => id,
                None => o,
            };
            if let (Some(t), Some(d)) = (
                checked(src, &id, "imageTag", check_tag)?,
                checked(src, &id, "imageDigest", digest_check)?,
            ) {
                hints.push((t, d));
            }
        }
        Ok(hints)
    }

    /// `PolicyExecutionEvent`: the expiries and transitions of one lifecycle run (or of
    /// one part of it: ECR splits a run that acts on many images over several records).
    fn lifecycle(&self) -> Res<Vec<u8>> {
        let src = self.src;
        let details = dig(src, self.rec, &["serviceEventDetails"])?.ok_or_else(|| {
            self.rec.missing(
                src,
                "serviceEventDetails",
                "a lifecycle record lists its actions there",
            )
        })?;
        let repo = self.repo(&details)?;
        let rules = lifecycle_rules(src, &details)?;
        let list = details.get("lifecycleEventImageActions").ok_or_else(|| {
            details.missing(src, "lifecycleEventImageActions", "the images acted on")
        })?;
        let acts = src.array(&list)?;
        let mut e = self.enc(Rank::Delete, LIFECYCLE);
        e.str(&repo).count(acts.len());
        for v in &acts {
            let act = src.object(v)?;
            let image = dig(src, &act, &["lifecycleEventImage"])?
                .ok_or_else(|| act.missing(src, "lifecycleEventImage", "the image acted on"))?;
            let digest = checked(src, &image, "digest", digest_check)?
                .ok_or_else(|| image.missing(src, "digest", "the image acted on"))?;
            let pv = act
                .get("rulePriority")
                .ok_or_else(|| act.missing(src, "rulePriority", "the rule says what was done"))?;
            let priority = src.integer(&pv)?;
            let archive = *rules.get(&priority).ok_or_else(|| {
                src.error(
                    &pv,
                    format!(
                        "no rule with rulePriority {priority} in \
                         serviceEventDetails.lifecycleEventPolicy.lifecycleEventRules: the \
                         action (expire or transition) comes from that rule"
                    ),
                )
            })?;
            e.str(&digest).u8(archive as u8);
        }
        Ok(e.0)
    }

    /// `UpdateImageStorageClass`: an archive (`ARCHIVE`) or a restore (`STANDARD`).
    fn storage_class(&self) -> Res<Vec<u8>> {
        let (src, req) = (self.src, self.request()?);
        let repo = self.repo(&req)?;
        let target = req
            .get("targetStorageClass")
            .ok_or_else(|| req.missing(src, "targetStorageClass", "ARCHIVE or STANDARD"))?;
        let archive = match src.string(&target)?.as_str() {
            "ARCHIVE" => true,
            "STANDARD" => false,
            other => {
                return Err(src.error(
                    &target,
                    format!("unknown targetStorageClass `{other}`; allowed: ARCHIVE, STANDARD"),
                ));
            }
        };
        let id = req
            .get("imageId")
            .ok_or_else(|| req.missing(src, "imageId", "the image to move"))?;
        let (digest, tag) = image_id(src, &id)?;
        let hint = match dig(src, self.rec, &["responseElements", "imageId"])? {
            Some(r) if digest.is_none() => checked(src, &r, "imageDigest", digest_check)?,
            _ => None,
        };
        let rank = if archive {
            Rank::Archive
        } else {
            Rank::Restore
        };
        let mut e = self.enc(rank, STORAGE);
        e.str(&repo)
            .image_ref(&ImageRef {
                digest: digest.as_deref(),
                tag: tag.as_deref(),
                hint: hint.as_deref(),
            })
            .u8(archive as u8);
        Ok(e.0)
    }
}

/// An `ImageIdentifier`: `imageDigest` and/or `imageTag`, at least one.
fn image_id<'a>(src: &Source<'a>, v: &Val<'a>) -> Res<(Option<String>, Option<String>)> {
    let o = src.object(v)?;
    let digest = checked(src, &o, "imageDigest", digest_check)?;
    let tag = checked(src, &o, "imageTag", check_tag)?;
    if digest.is_none() && tag.is_none() {
        return Err(src.error(v, "an image id needs imageDigest or imageTag (or both)"));
    }
    Ok((digest, tag))
}

/// rulePriority → whether the rule archives (`transition`) rather than expires.
fn lifecycle_rules<'a>(src: &Source<'a>, details: &Obj<'a>) -> Res<BTreeMap<i64, bool>> {
    let mut rules = BTreeMap::new();
    let Some(policy) = dig(src, details, &["lifecycleEventPolicy"])? else {
        return Ok(rules);
    };
    let Some(list) = policy.get("lifecycleEventRules") else {
        return Ok(rules);
    };
    for v in src.array(&list)? {
        let rule = src.object(&v)?;
        let pv = rule
            .get("rulePriority")
            .ok_or_else(|| rule.missing(src, "rulePriority", "each rule has its priority"))?;
        let av = rule
            .get("action")
            .ok_or_else(|| rule.missing(src, "action", "expire or transition"))?;
        let archive = match src.string(&av)?.to_ascii_lowercase().as_str() {
            "expire" => false,
            "transition" => true,
            other => {
                return Err(src.error(
                    &av,
                    format!("unknown lifecycle action `{other}`; allowed: expire, transition"),
                ));
            }
        };
        rules.insert(src.integer(&pv)?, archive);
    }
    Ok(rules)
}

/// Whether a pushed manifest is an image index (manifest list): by
/// `imageManifestMediaType`, else by the manifest's own `mediaType` or `manifests`.
fn is_index<'a>(src: &Source<'a>, req: &Obj<'a>, image: Option<&Obj<'a>>) -> Res<bool> {
    if let Some(v) = req.get("imageManifestMediaType") {
        return Ok(INDEX_MEDIA_TYPES.contains(&src.string(&v)?.as_str()));
    }
    let manifest = match (
        req.get("imageManifest"),
        image.and_then(|i| i.get("imageManifest")),
    ) {
        (Some(v), _) | (None, Some(v)) => src.string(&v)?,
        (None, None) => return Ok(false),
    };
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde::de::IgnoredAny>,
    }
    // A manifest that is not JSON is not an index (ECR validated it; nothing to guess).
    Ok(match serde_json::from_str::<Manifest>(&manifest) {
        Ok(m) => {
            m.manifests.is_some()
                || m.media_type
                    .is_some_and(|t| INDEX_MEDIA_TYPES.contains(&t.as_str()))
        }
        Err(_) => false,
    })
}
