//! The findings of one repository's images: counts per severity only (no per-finding
//! records), kept beside the image slots so the image records stay as they are. The
//! repository calls in here where a scan opens findings and where an image stops being
//! monitored, is archived or deleted; the draws are `rules::findings`.

use super::result::{Counts, FindingFlows};
use crate::base::digest::Digest;
use crate::base::hash::splitmix;
use crate::rules::findings::{FindingsModel, RescanLaws, Sev, image_key, repo_key};
use std::sync::Arc;

/// Which findings of an image changed: per severity, ordinals `from[s]..from[s] + n[s]`
/// (created or closed), or `n` findings from the `start`-th open one in severity order
/// (updated; `counts` are the image's findings then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Findings {
    Created { from: Sev, n: Sev },
    Updated { counts: Sev, start: u32, n: u32 },
    Closed { n: Sev },
}

/// A change of an image's findings, with what an event needs of the image (recorded
/// only while an observer listens).
#[derive(Debug, Clone)]
pub struct FindingRecord {
    pub t: i64,
    /// At the day end at midnight `t`: part of the day before `t`.
    pub day_end: bool,
    pub key: u64,
    pub digest: Digest,
    pub tags: Vec<Box<[u8]>>,
    pub pushed_at: i64,
    pub which: Findings,
}

/// What a scan did to an image's findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanChange {
    /// Findings opened (first scan, reopened, new): ordinals `from..from + n`.
    pub from: Sev,
    pub n: Sev,
    /// Findings updated, from the `updated_start`-th open one, and the counts then.
    pub updated: u32,
    pub updated_start: u32,
    pub counts: Sev,
}

#[derive(Debug, Clone, Copy, Default)]
struct ImageFindings {
    /// Stable key of (seed, repository, digest): selects the image's random streams.
    key: u64,
    /// The image's findings per severity: open when `open`, else closed (and reopened
    /// as they are when the image is scanned again).
    counts: Sev,
    open: bool,
}

/// Findings of the images of one repository, by image slot.
#[derive(Debug, Clone)]
pub struct Book {
    model: Arc<FindingsModel>,
    laws: RescanLaws,
    seed: u64,
    /// The key of the repository's name, once an image was created.
    repo_key: Option<u64>,
    images: Vec<ImageFindings>,
}

impl Default for Book {
    fn default() -> Self {
        Book::new(Arc::new(FindingsModel::default()), 0)
    }
}

fn total(s: &Sev) -> u32 {
    s.iter().fold(0u32, |a, &b| a.saturating_add(b))
}

fn add(open: &mut [u64; 6], created: &mut [u64; 6], s: &Sev) {
    for i in 0..6 {
        open[i] += s[i] as u64;
        created[i] += s[i] as u64;
    }
}

impl Book {
    pub fn new(model: Arc<FindingsModel>, seed: u64) -> Self {
        Book {
            laws: model.rescan_laws(),
            model,
            seed,
            repo_key: None,
            images: Vec::new(),
        }
    }

    /// The model and seed of another scenario (a sweep variant); images keep theirs.
    pub fn set_model(&mut self, model: Arc<FindingsModel>, seed: u64) {
        self.laws = model.rescan_laws();
        self.model = model;
        self.seed = seed;
    }

    /// A new image in `slot`: no findings yet.
    pub fn created(&mut self, slot: u32, repo: &[u8], digest: &[u8]) {
        let s = slot as usize;
        if self.images.len() <= s {
            self.images.resize(s + 1, ImageFindings::default());
        }
        let rk = *self.repo_key.get_or_insert_with(|| repo_key(repo));
        self.images[s] = ImageFindings {
            key: image_key(self.seed, rk, digest),
            counts: [0; 6],
            open: false,
        };
    }

    /// Open findings of the image in `slot`, per severity (zero when closed).
    pub fn open(&self, slot: u32) -> Sev {
        match self.images.get(slot as usize) {
            Some(e) if e.open => e.counts,
            _ => [0; 6],
        }
    }

    /// An enhanced scan at `t`: the first opens the image's findings; a later one
    /// reopens closed findings, then adds and updates by the rescan draw.
    pub fn scan(
        &mut self,
        slot: u32,
        t: i64,
        first: bool,
        c: &mut Counts,
        f: &mut FindingFlows,
    ) -> ScanChange {
        let Some(e) = self.images.get_mut(slot as usize) else {
            return ScanChange::default();
        };
        if first {
            e.counts = self.model.first_scan(e.key);
            e.open = true;
            add(&mut c.findings_open, &mut f.created, &e.counts);
            return ScanChange {
                n: e.counts,
                counts: e.counts,
                ..ScanChange::default()
            };
        }
        let mut from = e.counts;
        if !e.open {
            e.open = true;
            add(&mut c.findings_open, &mut f.created, &e.counts);
            from = [0; 6];
        }
        let before = total(&e.counts);
        let d = self.model.rescan(&self.laws, e.key, t, before);
        for (x, y) in e.counts.iter_mut().zip(d.created) {
            *x = x.saturating_add(y);
        }
        add(&mut c.findings_open, &mut f.created, &d.created);
        f.updated += d.updated as u64;
        let mut n = [0u32; 6];
        for s in 0..6 {
            n[s] = e.counts[s] - from[s];
        }
        ScanChange {
            from,
            n,
            updated: d.updated,
            // Which open findings a feed update touches: a stable position per scan.
            updated_start: (splitmix(e.key ^ t as u64) % before.max(1) as u64) as u32,
            counts: e.counts,
        }
    }

    /// The image stops being monitored, is archived or deleted: its open findings close.
    /// Returns them.
    pub fn close(&mut self, slot: u32, in_use: bool, c: &mut Counts, f: &mut FindingFlows) -> Sev {
        let Some(e) = self.images.get_mut(slot as usize) else {
            return [0; 6];
        };
        if !e.open {
            return [0; 6];
        }
        e.open = false;
        for i in 0..6 {
            c.findings_open[i] -= e.counts[i] as u64;
            f.closed[i] += e.counts[i] as u64;
        }
        if in_use {
            f.closed_in_use += total(&e.counts) as u64;
        }
        e.counts
    }

    /// The stable key of the image in `slot`.
    pub fn key(&self, slot: u32) -> u64 {
        self.images.get(slot as usize).map_or(0, |e| e.key)
    }
}
