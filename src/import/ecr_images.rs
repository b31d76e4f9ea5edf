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

fn read_detail<'a>(src: &Source<'a>, d: &Obj<'a>, sink: &mut Sink) -> Result<()> {
    // Repository and digest: required, checked as a trace would check them.
    let repo_val = d
        .get("repositoryName")
        .ok_or_else(|| d.missing(src, "repositoryName", "every image needs its repository"))?;
    let repo = src.string(&repo_val)?;
    check_repository(repo.as_bytes()).map_err(|m| src.error(&repo_val, m))?;
    let digest_val = d
        .get("imageDigest")
        .ok_or_else(|| d.missing(src, "imageDigest", "every image needs its digest"))?;
    let digest = src.string(&digest_val)?;
    check_digest(&digest).map_err(|m| src.error(&digest_val, m))?;

    let pushed_val = d.get("imagePushedAt").ok_or_else(|| {
        d.missing(
            src,
            "imagePushedAt",
            "the push time places the image in the trace",
        )
    })?;
    let pushed_at = src.instant(&pushed_val)?;

    let mut tags: Vec<String> = Vec::new();
    if let Some(tv) = d.get("imageTags") {
        for t in src.array(&tv)? {
            let tag = src.string(&t)?;
            check_tag(tag.as_bytes()).map_err(|m| src.error(&t, m))?;
            tags.push(tag);
        }
    }
    // A set: the same tags in another order are the same push.
    tags.sort();
    tags.dedup();

    let mut supported = true;
    for key in ["imageManifestMediaType", "artifactMediaType"] {
        if let Some(v) = d.get(key) {
            let media = src.string(&v)?;
            if INDEX_MEDIA_TYPES.contains(&media.as_str()) {
                supported = false;
            }
        }
    }

    let last_pull = opt_instant(src, d, "lastRecordedPullTime")?;
    let archived_at = opt_instant(src, d, "lastArchivedAt")?;
    let activated_at = opt_instant(src, d, "lastActivatedAt")?;

    let status = match d.get("imageStatus") {
        None => Status::Active,
        Some(v) => {
            let s = src.string(&v)?;
            match s.as_str() {
                "ACTIVE" => Status::Active,
                "ARCHIVED" => Status::Archived,
                "ACTIVATING" => Status::Activating,
                _ => {
                    return Err(src.error(
                        &v,
                        format!("unknown imageStatus `{s}`; allowed: ACTIVE, ARCHIVED, ACTIVATING"),
                    ));
                }
            }
        }
    };

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
            sink.add(fact(t, EventKind::Archive));
        }
        // An active image that was archived after its last push and restored since:
        // archive and restore, so the restore time becomes the push clock (SPEC §3).
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
