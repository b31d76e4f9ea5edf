//! `aws ecr describe-images` output: `{"imageDetails": [ImageDetail...], "nextToken"?}`.
//!
//! Fields read (ECR API reference, `ImageDetail`): `repositoryName`, `imageDigest`,
//! `imageTags`, `imagePushedAt`, `lastRecordedPullTime`, `imageStatus`
//! (`ACTIVE | ARCHIVED | ACTIVATING`), `lastArchivedAt`, `lastActivatedAt`,
//! `imageManifestMediaType`, `artifactMediaType`. Every other field is ignored.
//! Timestamps come as epoch seconds (AWS CLI v1) or RFC 3339 strings (v2).

use super::json::{Obj, Source, Val};
use super::{Fact, Sink, check_digest};
use crate::base::error::Result;
use crate::base::names::{check_repository, check_tag};
use crate::model::event::EventKind;

/// Media types of image indexes (multi-platform manifest lists): not scannable themselves;
/// their platform images are listed as images of their own.
pub const INDEX_MEDIA_TYPES: [&str; 2] = [
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
];

/// Reads one page (`$` or `$[i]` of a file) into events.
pub(crate) fn read_page<'a>(src: &Source<'a>, page: &Obj<'a>, sink: &mut Sink) -> Result<()> {
    let Some(details) = page.get("imageDetails") else {
        return Err(page.missing(
            src,
            "imageDetails",
            "expected the output of `aws ecr describe-images` ({\"imageDetails\": [...]})",
        ));
    };
    for item in src.array(&details)? {
        let detail = src.object(&item)?;
        read_detail(src, &detail, sink)?;
        sink.stats.images += 1;
    }
    Ok(())
}

/// One `ImageDetail` as events: its push, last pull, and archive (and restore).
fn read_detail<'a>(src: &Source<'a>, d: &Obj<'a>, sink: &mut Sink) -> Result<()> {
    // Repository and digest: required, checked as a trace would check them.
    let repo = checked_string(
        src,
        d,
        "repositoryName",
        "every image needs its repository",
        |s| check_repository(s.as_bytes()),
    )?;
    let digest = checked_string(
        src,
        d,
        "imageDigest",
        "every image needs its digest",
        check_digest,
    )?;
    let pushed_val = d.get("imagePushedAt").ok_or_else(|| {
        d.missing(
            src,
            "imagePushedAt",
            "the push time places the image in the trace",
        )
    })?;
    let pushed_at = src.instant(&pushed_val)?;
    let tags = image_tags(src, d)?;
    let supported = is_supported(src, d)?;
    let last_pull = opt_instant(src, d, "lastRecordedPullTime")?;
    let archived_at = opt_instant(src, d, "lastArchivedAt")?;
    let activated_at = opt_instant(src, d, "lastActivatedAt")?;
    let status = image_status(src, d)?;

    let fact = |time: i64, kind: EventKind| Fact {
        time,
        kind,
        repo: repo.clone(),
        digest: digest.clone(),
        tags: Vec::new(),
        supported: true,
    };
    sink.add(Fact {
        tags,
        supported,
        ..fact(pushed_at, EventKind::Push)
    });
    if let Some((t, _)) = last_pull {
        sink.add(fact(t, EventKind::Pull));
    }
    match status {
        // An archived image, or one whose restore has not completed yet: archived since
        // its last archive.
        Status::Archived | Status::Activating => {
            let t = archive_time(src, d, archived_at, pushed_at)?;
            sink.add(fact(t, EventKind::Archive));
        }
        // An active image that was archived after its last push and restored since:
        // archive and restore, so the restore time becomes the push clock.
        Status::Active => {
            if let (Some((a, _)), Some((r, _))) = (archived_at, activated_at)
                && pushed_at <= a
                && a < r
            {
                sink.add(fact(a, EventKind::Archive));
                sink.add(fact(r, EventKind::Restore));
            }
        }
    }
    Ok(())
}

/// A required string member, checked by `check`; `why` says what it is needed for.
fn checked_string<'a>(
    src: &Source<'a>,
    d: &Obj<'a>,
    key: &str,
    why: &str,
    check: impl Fn(&str) -> std::result::Result<(), String>,
) -> Result<String> {
    let val = d.get(key).ok_or_else(|| d.missing(src, key, why))?;
    let s = src.string(&val)?;
    check(&s).map_err(|m| src.error(&val, m))?;
    Ok(s)
}

/// `imageTags`, checked, as a set: the same tags in another order are the same push.
fn image_tags<'a>(src: &Source<'a>, d: &Obj<'a>) -> Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    if let Some(tv) = d.get("imageTags") {
        for t in src.array(&tv)? {
            let tag = src.string(&t)?;
            check_tag(tag.as_bytes()).map_err(|m| src.error(&t, m))?;
            tags.push(tag);
        }
    }
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// Whether the image can be scanned: not when a media type says it is an image index.
fn is_supported<'a>(src: &Source<'a>, d: &Obj<'a>) -> Result<bool> {
    let mut supported = true;
    for key in ["imageManifestMediaType", "artifactMediaType"] {
        if let Some(v) = d.get(key) {
            let media = src.string(&v)?;
            if INDEX_MEDIA_TYPES.contains(&media.as_str()) {
                supported = false;
            }
        }
    }
    Ok(supported)
}

/// `imageStatus`, `ACTIVE` when absent.
fn image_status<'a>(src: &Source<'a>, d: &Obj<'a>) -> Result<Status> {
    let Some(v) = d.get("imageStatus") else {
        return Ok(Status::Active);
    };
    let s = src.string(&v)?;
    match s.as_str() {
        "ACTIVE" => Ok(Status::Active),
        "ARCHIVED" => Ok(Status::Archived),
        "ACTIVATING" => Ok(Status::Activating),
        _ => Err(src.error(
            &v,
            format!("unknown imageStatus `{s}`; allowed: ACTIVE, ARCHIVED, ACTIVATING"),
        )),
    }
}

/// When an ARCHIVED or ACTIVATING image was archived: required, and not before its push.
fn archive_time<'a>(
    src: &Source<'a>,
    d: &Obj<'a>,
    archived_at: Option<(i64, Val<'a>)>,
    pushed_at: i64,
) -> Result<i64> {
    let Some((t, v)) = archived_at else {
        return Err(d.missing(
            src,
            "lastArchivedAt",
            "an ARCHIVED or ACTIVATING image needs the time it was archived",
        ));
    };
    if t < pushed_at {
        return Err(src.error(
            &v,
            format!(
                "lastArchivedAt {} is before imagePushedAt {}: an image is archived \
                 after its last push",
                crate::base::time::format_instant(t),
                crate::base::time::format_instant(pushed_at)
            ),
        ));
    }
    Ok(t)
}

/// An optional timestamp member, with its value for messages.
fn opt_instant<'a>(src: &Source<'a>, d: &Obj<'a>, key: &str) -> Result<Option<(i64, Val<'a>)>> {
    match d.get(key) {
        Some(v) => Ok(Some((src.instant(&v)?, v))),
        None => Ok(None),
    }
}

#[derive(Clone, Copy)]
enum Status {
    Active,
    Archived,
    Activating,
}
