//! Items in replay order → trace rows. Keeps the live images of every repository with
//! their tags (what the history and the snapshot establish at each instant), resolves
//! tags to digests with it, and writes only rows `scansim run` acts on. Memory: the live
//! images, never the records.

use super::item::{Action, ImageRef, Item, Origin, Skip};
use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::base::time::format_instant;
use crate::model::event::EventKind;
use crate::source::writer::TraceWriter;
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
struct Image {
    tags: Vec<String>,
    archived: bool,
}

#[derive(Default)]
struct Repo {
    images: HashMap<String, Image>,
    /// Tag → digest of the live image holding it.
    tags: HashMap<String, String>,
}

impl Repo {
    fn resolve(&self, id: &ImageRef<'_>) -> Option<String> {
        id.digest
            .or(id.hint)
            .map(str::to_string)
            .or_else(|| id.tag.and_then(|t| self.tags.get(t).cloned()))
    }

    /// Removes an image and frees its tags.
    fn remove(&mut self, digest: &str) -> bool {
        let Some(img) = self.images.remove(digest) else {
            return false;
        };
        for t in &img.tags {
            self.tags.remove(t);
        }
        true
    }
}

/// A count with the first example, for the summary.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub count: u64,
    pub example: Option<String>,
}

impl Tally {
    fn add(&mut self, example: impl FnOnce() -> String) {
        self.count += 1;
        if self.example.is_none() {
            self.example = Some(example());
        }
    }
}

/// What the replay wrote and left out.
#[derive(Debug, Default, Clone)]
pub struct ReplayCounts {
    /// Rows written, by event name.
    pub rows: BTreeMap<&'static str, u64>,
    /// Of those, rows from `--snapshot` facts.
    pub snapshot_rows: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub by_inspector: u64,
    pub excluded: u64,
    /// Image ids given by a tag that neither the response nor the known tags resolve.
    pub unresolved: Tally,
    /// Events on images that are not live (or a pull of an archived image, an archive
    /// of an archived one, a restore of an active one): `scansim run` would ignore them.
    pub ignored: Tally,
    /// Deletes by tag that removed one tag of an image that keeps others.
    pub untagged_only: Tally,
    /// PutImage calls for an image already pushed at the same instant (one row).
    pub merged_pushes: u64,
}

/// One trace row.
struct Row<'r> {
    kind: EventKind,
    repo: &'r str,
    digest: &'r str,
    tags: &'r [String],
    supported: bool,
}

/// A push row of the current instant, written when the instant's pushes are over.
struct PendingPush {
    repo: String,
    digest: String,
    tags: Vec<String>,
    supported: bool,
    snapshot: bool,
}

pub(super) struct Replay<'w> {
    repos: HashMap<String, Repo>,
    out: &'w mut TraceWriter,
    pub counts: ReplayCounts,
    last_key: Vec<u8>,
    pending: Vec<PendingPush>,
    pending_time: i64,
}

impl<'w> Replay<'w> {
    pub fn new(out: &'w mut TraceWriter) -> Self {
        Replay {
            repos: HashMap::new(),
            out,
            counts: ReplayCounts::default(),
            last_key: Vec::new(),
            pending: Vec::new(),
            pending_time: i64::MIN,
        }
    }

    pub fn apply(&mut self, item: Item<'_>) -> Result<()> {
        if item.origin == Origin::CloudTrail {
            // The same eventID at the same instant: the same record read twice.
            if item.key == self.last_key.as_slice() {
                self.counts.duplicates += 1;
                return Ok(());
            }
            self.last_key.clear();
            self.last_key.extend_from_slice(item.key);
        }
        if !matches!(item.action, Action::Push { .. }) || item.time != self.pending_time {
            self.flush()?;
        }
        let (t, snap) = (item.time, item.origin == Origin::Snapshot);
        match item.action {
            Action::Push {
                repo,
                digest,
                tags,
                supported,
            } => self.push(t, repo, digest, &tags, supported, snap),
            Action::Pull { repo, ids } => self.pull(t, repo, &ids, snap)?,
            Action::Delete { repo, ids } => self.delete(t, repo, &ids)?,
            Action::DeleteRepository { repo } => self.delete_repository(t, repo)?,
            Action::Lifecycle { repo, acts } => {
                for (digest, archive) in acts {
                    let id = ImageRef {
                        digest: Some(digest),
                        tag: None,
                        hint: None,
                    };
                    self.storage_or_delete(t, repo, &id, archive.then_some(true), snap)?;
                }
            }
            Action::Storage { repo, id, archive } => {
                self.storage_or_delete(t, repo, &id, Some(archive), snap)?
            }
            Action::Skipped(Skip::Failed) => self.counts.failed += 1,
            Action::Skipped(Skip::Inspector) => self.counts.by_inspector += 1,
            Action::Skipped(Skip::Excluded) => self.counts.excluded += 1,
        }
        Ok(())
    }

    /// Writes the pushes of the instant that is over.
    pub fn flush(&mut self) -> Result<()> {
        for p in std::mem::take(&mut self.pending) {
            let row = Row {
                kind: EventKind::Push,
                repo: &p.repo,
                digest: &p.digest,
                tags: &p.tags,
                supported: p.supported,
            };
            self.write_row(self.pending_time, row, p.snapshot)?;
        }
        Ok(())
    }

    fn write(
        &mut self,
        t: i64,
        kind: EventKind,
        repo: &str,
        digest: &str,
        snap: bool,
    ) -> Result<()> {
        let row = Row {
            kind,
            repo,
            digest,
            tags: &[],
            supported: true,
        };
        self.write_row(t, row, snap)
    }

    fn write_row(&mut self, t: i64, row: Row<'_>, snap: bool) -> Result<()> {
        *self.counts.rows.entry(row.kind.name()).or_default() += 1;
        self.counts.snapshot_rows += snap as u64;
        self.out.write_row(
            t,
            row.kind,
            row.repo.as_bytes(),
            Some(DigestRef::parse(row.digest.as_bytes())),
            row.tags.iter().map(|t| t.as_bytes()),
            row.supported,
        )
    }

    fn push(
        &mut self,
        t: i64,
        repo: &str,
        digest: &str,
        tags: &[&str],
        supported: bool,
        snap: bool,
    ) {
        let r = self.repos.entry(repo.to_string()).or_default();
        let img = r.images.entry(digest.to_string()).or_default();
        // A push of an archived image restores it (as in ECR and `scansim run`).
        img.archived = false;
        for &tag in tags {
            if !img.tags.iter().any(|x| x == tag) {
                img.tags.push(tag.to_string());
            }
        }
        for &tag in tags {
            // Tags move: the tag leaves the image that held it.
            if let Some(old) = r.tags.insert(tag.to_string(), digest.to_string())
                && old != digest
                && let Some(o) = r.images.get_mut(&old)
            {
                o.tags.retain(|x| x != tag);
            }
        }
        self.pending_time = t;
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.repo == repo && p.digest == digest)
        {
            self.counts.merged_pushes += 1;
            for &tag in tags {
                if !p.tags.iter().any(|x| x == tag) {
                    p.tags.push(tag.to_string());
                }
            }
            return;
        }
        self.pending.push(PendingPush {
            repo: repo.to_string(),
            digest: digest.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            supported,
            snapshot: snap,
        });
    }

    fn pull(&mut self, t: i64, repo: &str, ids: &[ImageRef<'_>], snap: bool) -> Result<()> {
        let mut pulled: Vec<String> = Vec::new();
        for id in ids {
            let Some(digest) = self.resolve(t, repo, id) else {
                continue;
            };
            let live = self.repos.get(repo).and_then(|r| r.images.get(&digest));
            if live.is_none_or(|i| i.archived) {
                self.counts
                    .ignored
                    .add(|| format!("pull of {repo}@{digest} at {}", format_instant(t)));
                continue;
            }
            // One request pulls an image once, however many of its tags it names.
            if !pulled.contains(&digest) {
                self.write(t, EventKind::Pull, repo, &digest, snap)?;
                pulled.push(digest);
            }
        }
        Ok(())
    }

    /// The digest an image id names, or `None` (counted) for a tag nothing resolves.
    fn resolve(&mut self, t: i64, repo: &str, id: &ImageRef<'_>) -> Option<String> {
        let d = self.repos.get(repo).and_then(|r| r.resolve(id));
        if d.is_none() {
            self.counts
                .unresolved
                .add(|| format!("{repo}:{} at {}", id.tag.unwrap_or(""), format_instant(t)));
        }
        d
    }

    fn delete(&mut self, t: i64, repo: &str, ids: &[ImageRef<'_>]) -> Result<()> {
        for id in ids {
            let Some(digest) = self.resolve(t, repo, id) else {
                continue;
            };
            let Some(r) = self
                .repos
                .get_mut(repo)
                .filter(|r| r.images.contains_key(&digest))
            else {
                self.counts
                    .ignored
                    .add(|| format!("delete of {repo}@{digest} at {}", format_instant(t)));
                continue;
            };
            // By tag (ECR): the tag is removed, and the image only with its last tag.
            if let (None, Some(tag)) = (id.digest, id.tag) {
                let img = r.images.get_mut(&digest).expect("checked above");
                img.tags.retain(|x| x != tag);
                if r.tags.get(tag) == Some(&digest) {
                    r.tags.remove(tag);
                }
                if !img.tags.is_empty() {
                    self.counts
                        .untagged_only
                        .add(|| format!("{repo}:{tag} (image {digest}) at {}", format_instant(t)));
                    continue;
                }
            }
            r.remove(&digest);
            self.write(t, EventKind::Delete, repo, &digest, false)?;
        }
        Ok(())
    }

    fn delete_repository(&mut self, t: i64, repo: &str) -> Result<()> {
        let Some(r) = self.repos.remove(repo) else {
            return Ok(());
        };
        let mut digests: Vec<String> = r.images.into_keys().collect();
        digests.sort();
        for d in digests {
            self.write(t, EventKind::Delete, repo, &d, false)?;
        }
        Ok(())
    }

    /// An archive (`Some(true)`), a restore (`Some(false)`) or a delete (`None`) of one
    /// image, written when `scansim run` would act on it.
    fn storage_or_delete(
        &mut self,
        t: i64,
        repo: &str,
        id: &ImageRef<'_>,
        archive: Option<bool>,
        snap: bool,
    ) -> Result<()> {
        let Some(digest) = self.resolve(t, repo, id) else {
            return Ok(());
        };
        let img = self
            .repos
            .get_mut(repo)
            .and_then(|r| r.images.get_mut(&digest));
        let kind = match (archive, img) {
            (None, Some(_)) => EventKind::Delete,
            (Some(true), Some(i)) if !i.archived => {
                i.archived = true;
                EventKind::Archive
            }
            (Some(false), Some(i)) if i.archived => {
                i.archived = false;
                EventKind::Restore
            }
            _ => {
                let what = match archive {
                    None => "delete",
                    Some(true) => "archive",
                    Some(false) => "restore",
                };
                self.counts
                    .ignored
                    .add(|| format!("{what} of {repo}@{digest} at {}", format_instant(t)));
                return Ok(());
            }
        };
        if kind == EventKind::Delete
            && let Some(r) = self.repos.get_mut(repo)
        {
            r.remove(&digest);
        }
        self.write(t, kind, repo, &digest, snap)
    }
}
