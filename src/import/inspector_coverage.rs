//! `aws inspector2 list-coverage` output: `{"coveredResources": [CoveredResource...],
//! "nextToken"?}`.
//!
//! Fields read (Inspector API reference): `CoveredResource.resourceType` (only
//! `AWS_ECR_CONTAINER_IMAGE` is used, other types are skipped), `resourceId` (for an ECR
//! image `arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:HEX`: the digest is the
//! `sha256:` suffix), `resourceMetadata.ecrRepository.name` (`EcrRepositoryMetadata`;
//! the name in the ARN when absent), `resourceMetadata.ecrImage.imagePulledAt` and
//! `.lastInUseAt` (`EcrContainerImageMetadata`). Every other field is ignored.

use super::json::{Obj, Source, Val};
use super::{Fact, Sink, check_digest};
use crate::base::error::Result;
use crate::base::names::check_repository;
use crate::model::event::EventKind;

pub const ECR_IMAGE: &str = "AWS_ECR_CONTAINER_IMAGE";

/// Reads one page (`$` or `$[i]` of a file) into events.
pub(crate) fn read_page<'a>(src: &Source<'a>, page: &Obj<'a>, sink: &mut Sink) -> Result<()> {
    let Some(resources) = page.get("coveredResources") else {
        return Err(page.missing(
            src,
            "coveredResources",
            "expected the output of `aws inspector2 list-coverage` ({\"coveredResources\": [...]})",
        ));
    };
    for item in src.array(&resources)? {
        let r = src.object(&item)?;
        let type_val = r.get("resourceType").ok_or_else(|| {
            r.missing(
                src,
                "resourceType",
                "every covered resource has a resourceType",
            )
        })?;
        if src.string(&type_val)? != ECR_IMAGE {
            sink.stats.skipped_resources += 1;
            continue;
        }
        read_image(src, &r, sink)?;
        sink.stats.images += 1;
    }
    Ok(())
}

/// Splits `arn:...:ecr:REGION:ACCOUNT:repository/NAME/sha256:HEX` into NAME and digest.
pub fn split_image_arn(id: &str) -> Option<(&str, &str)> {
    let (_, rest) = id.split_once(":repository/")?;
    let cut = rest.rfind("/sha256:")?;
    Some((&rest[..cut], &rest[cut + 1..]))
}

fn member<'a>(src: &Source<'a>, o: &Obj<'a>, key: &str) -> Result<Option<Obj<'a>>> {
    o.get(key).map(|v| src.object(&v)).transpose()
}

fn read_image<'a>(src: &Source<'a>, r: &Obj<'a>, sink: &mut Sink) -> Result<()> {
    let id_val = r.get("resourceId").ok_or_else(|| {
        r.missing(
            src,
            "resourceId",
            "an ECR image is named by its resourceId (repository ARN / digest)",
        )
    })?;
    let id = src.string(&id_val)?;
    let Some((arn_repo, digest)) = split_image_arn(&id) else {
        return Err(src.error(
            &id_val,
            format!(
                "resourceId `{id}` is not an ECR image: expected \
                 arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:DIGEST"
            ),
        ));
    };
    check_digest(digest).map_err(|m| src.error(&id_val, m))?;

    let meta = member(src, r, "resourceMetadata")?;
    let repo_meta = match &meta {
        Some(m) => member(src, m, "ecrRepository")?,
        None => None,
    };
    let (repo, repo_at): (String, Val<'a>) = match repo_meta.as_ref().and_then(|m| m.get("name")) {
        Some(v) => (src.string(&v)?, v),
        None => (arn_repo.to_string(), id_val.clone()),
    };
    check_repository(repo.as_bytes()).map_err(|m| src.error(&repo_at, m))?;

    let image_meta = match &meta {
        Some(m) => member(src, m, "ecrImage")?,
        None => None,
    };
    let Some(image) = image_meta else {
        return Ok(());
    };
    for (key, kind) in [
        ("imagePulledAt", EventKind::Pull),
        ("lastInUseAt", EventKind::InUse),
    ] {
        if let Some(v) = image.get(key) {
            sink.add(Fact {
                time: src.instant(&v)?,
                kind,
                repo: repo.clone(),
                digest: digest.to_string(),
                tags: Vec::new(),
                supported: true,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_arns() {
        let d = format!("sha256:{}", "ab".repeat(32));
        let arn = format!("arn:aws:ecr:us-east-1:123456789012:repository/team/api/{d}");
        assert_eq!(split_image_arn(&arn), Some(("team/api", d.as_str())));
        assert_eq!(
            split_image_arn("arn:aws:ecr:us-east-1:123456789012:repository/team/api"),
            None
        );
        assert_eq!(split_image_arn("i-0123456789abcdef0"), None);
    }
}
