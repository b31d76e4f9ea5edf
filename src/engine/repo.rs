//! The state of one repository and the rules of SPEC §5 applied to it. Repositories never
//! interact, so the engine can hold many (a trace) or one per thread (synthetic traffic).
//!
//! Status counts are kept incrementally: every change to an image goes through `sync`,
//! which re-derives its status and in-use contribution and adjusts the counters. Expiry
//! and the in-use window use lazy min-heaps so a day end touches only images whose
//! deadline has passed.

use crate::rules::lifecycle::{Action, LcImage, Policy};
use crate::rules::{Billing, Clocks, Freq, NEVER, PullMode, ScanType, Window};
use crate::time::{DAY, format_instant};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Reported status of a live image (SPEC §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Active = 0,
    Expired = 1,
    ScanOnPush = 2,
    NotScanned = 3,
    Unsupported = 4,
    Archived = 5,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Active,
        Status::Expired,
        Status::ScanOnPush,
        Status::NotScanned,
        Status::Unsupported,
        Status::Archived,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::ScanOnPush => "scan_on_push",
            Status::NotScanned => "not_scanned",
            Status::Unsupported => "unsupported",
            Status::Archived => "archived",
        }
    }
}

/// Settings every operation reads; the engine builds one per configuration.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub window: Window,
    pub scan_type: ScanType,
    pub billing: Billing,
    pub in_use_window: i64,
}

/// Status counts of a repository at a snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub images: u64,
    pub status: [u64; 6],
    pub in_use: u64,
    pub in_use_active: u64,
}

/// What happened during a day, day end included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flows {
    pub pushes: u64,
    pub pulls: u64,
    pub deletes: u64,
    pub initial_scans: u64,
    pub rescans: u64,
    pub basic_scans: u64,
    pub expirations: u64,
    pub cost_micro: i64,
}

impl Flows {
    pub fn add(&mut self, o: &Flows) {
        self.pushes += o.pushes;
        self.pulls += o.pulls;
        self.deletes += o.deletes;
        self.initial_scans += o.initial_scans;
        self.rescans += o.rescans;
        self.basic_scans += o.basic_scans;
        self.expirations += o.expirations;
        self.cost_micro += o.cost_micro;
    }
}

/// Why an image changed, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Push,
    Restore,
    Archive,
    Pull,
    InUse,
    Revival(PullMode),
    WindowExpiry,
    Enablement { recognised: bool, window: bool },
    Frequency(Freq, Freq),
    Lifecycle(u64),
    Vulndb,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Push => f.write_str("push"),
            Cause::Restore => f.write_str("restore from archive"),
            Cause::Archive => f.write_str("archive"),
            Cause::Pull => f.write_str("pull"),
            Cause::InUse => f.write_str("in-use observation"),
            Cause::Revival(m) => write!(
                f,
                "revival by {} within the window",
                match m {
                    PullMode::LastPullDate => "a pull (mode LAST_PULL_DATE)",
                    PullMode::LastInUseAt => "an in-use observation (mode LAST_IN_USE_AT)",
                }
            ),
            Cause::WindowExpiry => f.write_str("window expiry: neither push nor pull window holds"),
            Cause::Enablement { recognised, window } => match (recognised, window) {
                (true, true) => {
                    f.write_str("continuous scanning enabled: within the look-back and the window")
                }
                (false, _) => {
                    f.write_str("continuous scanning enabled: outside the enablement look-back")
                }
                (true, false) => {
                    f.write_str("continuous scanning enabled: outside the re-scan window")
                }
            },
            Cause::Frequency(a, b) => {
                write!(f, "scan frequency change {} -> {}", a.name(), b.name())
            }
            Cause::Lifecycle(p) => write!(f, "lifecycle rule with rulePriority {p}"),
            Cause::Vulndb => f.write_str("vulnerability database update"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Image {
    pub digest: Box<[u8]>,
    pub tags: Vec<Box<[u8]>>,
    pub pushed_at: i64,
    pub activated_at: i64,
    pub last_pull: i64,
    pub last_in_use: i64,
    pub archived_at: i64,
    pub last_basic_scan: i64,
    pub created_seq: u64,
    pub generation: u32,
    active_pos: u32,
    pub live: bool,
    pub supported: bool,
    pub archived: bool,
    pub monitored: bool,
    pub scanned: bool,
    pub enhanced_scanned: bool,
    /// Last use within the in-use window as of the last check.
    recent_use: bool,
    in_expiry_heap: bool,
    in_use_heap: bool,
    /// What the counters hold for this image.
    counted: Status,
    counted_in_use: bool,
}

impl Image {
    pub fn clocks(&self) -> Clocks {
        Clocks {
            push_clock: self.push_clock(),
            last_pull: self.last_pull,
            last_in_use: self.last_in_use,
        }
    }
    pub fn push_clock(&self) -> i64 {
        self.pushed_at.max(self.activated_at)
    }
    fn last_use(&self) -> i64 {
        self.last_pull.max(self.last_in_use)
    }
    fn status(&self, freq: Freq) -> Status {
        if !self.supported {
            Status::Unsupported
        } else if self.archived {
            Status::Archived
        } else {
            match freq {
                Freq::Continuous if self.monitored => Status::Active,
                Freq::Continuous => Status::Expired,
                Freq::ScanOnPush if self.scanned => Status::ScanOnPush,
                _ => Status::NotScanned,
            }
        }
    }
}

/// The history of one image, for `--explain`.
#[derive(Debug, Clone, Default)]
pub struct Explain {
    pub digest: Box<[u8]>,
    slot: Option<u32>,
    pub lines: Vec<String>,
}

/// Per-repository totals over the reported days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepoTotals {
    pub flows: Flows,
    pub sum_active: u64,
    pub sum_images: u64,
}

type Heap = BinaryHeap<Reverse<(i64, u32, u32)>>;

fn digest_hash(d: &[u8]) -> u64 {
    FxBuildHasher.hash_one(d)
}

#[derive(Clone)]
pub struct RepoState {
    pub name: Box<str>,
    pub freq: Freq,
    pub group: u32,
    policy: Option<Arc<Policy>>,
    images: Vec<Image>,
    free: Vec<u32>,
    /// Slots by digest; the digest itself lives in the image (one allocation per image).
    by_digest: HashTable<u32>,
    tag_owner: FxHashMap<Box<[u8]>, u32>,
    /// Slots of the images whose status is `active`.
    active: Vec<u32>,
    expiry: Heap,
    in_use: Heap,
    lifecycle_dirty: bool,
    lifecycle_next: i64,
    pub counts: Counts,
    pub flows: Flows,
    pub totals: RepoTotals,
    pub explain: Option<Box<Explain>>,
}

impl RepoState {
    pub fn new(name: &str, freq: Freq, policy: Option<Arc<Policy>>, group: u32) -> Self {
        RepoState {
            name: name.into(),
            freq,
            group,
            policy,
            images: Vec::new(),
            free: Vec::new(),
            by_digest: HashTable::new(),
            tag_owner: FxHashMap::default(),
            active: Vec::new(),
            expiry: BinaryHeap::new(),
            in_use: BinaryHeap::new(),
            lifecycle_dirty: false,
            lifecycle_next: i64::MAX,
            counts: Counts::default(),
            flows: Flows::default(),
            totals: RepoTotals::default(),
            explain: None,
        }
    }

    pub fn active_count(&self) -> usize {
        self.active.len()
    }

    /// Digest of the `k`-th active image (for drawing vulnerability triggers).
    pub fn active_digest(&self, k: usize) -> &[u8] {
        &self.images[self.active[k] as usize].digest
    }

    pub fn live_images(&self) -> impl Iterator<Item = &Image> {
        self.images.iter().filter(|i| i.live)
    }

    pub fn lookup(&self, digest: &[u8]) -> Option<u32> {
        let images = &self.images;
        self.by_digest
            .find(digest_hash(digest), |&s| {
                *images[s as usize].digest == *digest
            })
            .copied()
    }

    pub fn image(&self, slot: u32) -> &Image {
        &self.images[slot as usize]
    }

    pub fn set_explain(&mut self, digest: &[u8]) {
        self.explain = Some(Box::new(Explain {
            digest: digest.into(),
            slot: self.lookup(digest),
            lines: Vec::new(),
        }));
    }

    #[inline]
    fn explaining(&self, slot: u32) -> bool {
        matches!(&self.explain, Some(e) if e.slot == Some(slot))
    }

    fn note(&mut self, slot: u32, t: i64, msg: impl FnOnce() -> String) {
        if self.explaining(slot)
            && let Some(e) = self.explain.as_mut()
        {
            e.lines.push(format!("{}  {}", format_instant(t), msg()));
        }
    }

    /// Re-derives an image's status and in-use contribution and updates the counters.
    fn sync(&mut self, slot: u32, t: i64, cause: Cause) {
        let freq = self.freq;
        let img = &mut self.images[slot as usize];
        let status = img.status(freq);
        let in_use = img.recent_use && !img.archived;
        let (old, old_in_use) = (img.counted, img.counted_in_use);
        if status == old && in_use == old_in_use {
            return;
        }
        img.counted = status;
        img.counted_in_use = in_use;
        let c = &mut self.counts;
        c.status[old as usize] -= 1;
        c.status[status as usize] += 1;
        if old_in_use {
            c.in_use -= 1;
            c.in_use_active -= (old == Status::Active) as u64;
        }
        if in_use {
            c.in_use += 1;
            c.in_use_active += (status == Status::Active) as u64;
        }
        if old != status {
            if old == Status::Active {
                self.remove_active(slot);
            } else if status == Status::Active {
                let img = &mut self.images[slot as usize];
                img.active_pos = self.active.len() as u32;
                self.active.push(slot);
            }
            self.note(slot, t, || {
                format!("status {} -> {} ({cause})", old.name(), status.name())
            });
        }
    }

    fn remove_active(&mut self, slot: u32) {
        let pos = self.images[slot as usize].active_pos as usize;
        self.active.swap_remove(pos);
        if let Some(&moved) = self.active.get(pos) {
            self.images[moved as usize].active_pos = pos as u32;
        }
    }

    fn create(&mut self, t: i64, digest: &[u8], supported: bool, seq: u64) -> u32 {
        let img = Image {
            digest: digest.into(),
            tags: Vec::new(),
            pushed_at: t,
            activated_at: NEVER,
            last_pull: NEVER,
            last_in_use: NEVER,
            archived_at: NEVER,
            last_basic_scan: NEVER,
            created_seq: seq,
            generation: 0,
            active_pos: 0,
            live: true,
            supported,
            archived: false,
            monitored: false,
            scanned: false,
            enhanced_scanned: false,
            recent_use: false,
            in_expiry_heap: false,
            in_use_heap: false,
            counted: Status::NotScanned,
            counted_in_use: false,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                let generation = self.images[s as usize].generation;
                self.images[s as usize] = Image { generation, ..img };
                s
            }
            None => {
                self.images.push(img);
                (self.images.len() - 1) as u32
            }
        };
        let images = &self.images;
        self.by_digest
            .insert_unique(digest_hash(digest), slot, |&s| {
                digest_hash(&images[s as usize].digest)
            });
        if let Some(e) = self.explain.as_mut()
            && *e.digest == *digest
        {
            e.slot = Some(slot);
        }
        slot
    }

    /// Starts counting a new image once the rules of its creating push have run.
    fn count_new(&mut self, slot: u32, t: i64) {
        let freq = self.freq;
        let img = &mut self.images[slot as usize];
        let status = img.status(freq);
        img.counted = status;
        self.counts.images += 1;
        self.counts.status[status as usize] += 1;
        if status == Status::Active {
            img.active_pos = self.active.len() as u32;
            self.active.push(slot);
        }
        self.note(slot, t, || format!("status {}", status.name()));
    }

    fn remove(&mut self, slot: u32) {
        let img = &self.images[slot as usize];
        let (status, in_use) = (img.counted, img.counted_in_use);
        self.counts.images -= 1;
        self.counts.status[status as usize] -= 1;
        if in_use {
            self.counts.in_use -= 1;
            self.counts.in_use_active -= (status == Status::Active) as u64;
        }
        if status == Status::Active {
            self.remove_active(slot);
        }
        let img = &mut self.images[slot as usize];
        for tag in std::mem::take(&mut img.tags) {
            self.tag_owner.remove(&tag);
        }
        let h = digest_hash(&img.digest);
        img.digest = Box::default();
        img.live = false;
        img.monitored = false;
        img.generation = img.generation.wrapping_add(1);
        if let Ok(e) = self.by_digest.find_entry(h, |&s| s == slot) {
            e.remove();
        }
        self.free.push(slot);
        if let Some(e) = self.explain.as_mut()
            && e.slot == Some(slot)
        {
            e.slot = None;
        }
        self.lifecycle_dirty = true;
    }

    fn enhanced_scan(&mut self, slot: u32, t: i64, ctx: &Ctx, why: Cause) {
        let img = &mut self.images[slot as usize];
        let initial = !img.enhanced_scanned;
        img.scanned = true;
        img.enhanced_scanned = true;
        let price = ctx.billing.price(initial, t);
        if initial {
            self.flows.initial_scans += 1;
        } else {
            self.flows.rescans += 1;
        }
        self.flows.cost_micro += price;
        self.note(slot, t, || {
            format!(
                "enhanced scan billed as {} ({}) [{why}]",
                if initial {
                    "an initial scan"
                } else {
                    "a rescan"
                },
                if price == 0 && ctx.billing.is_free(t) {
                    "free trial".to_string()
                } else {
                    format!("{} USD", crate::rules::format_usd(price))
                }
            )
        });
    }

    fn basic_scan(&mut self, slot: u32, t: i64) {
        let img = &mut self.images[slot as usize];
        if img.last_basic_scan != NEVER && t - img.last_basic_scan < DAY {
            self.note(slot, t, || {
                "basic scan skipped: one per image per 24 h".into()
            });
            return;
        }
        img.scanned = true;
        img.last_basic_scan = t;
        self.flows.basic_scans += 1;
        self.note(slot, t, || "basic scan (free)".into());
    }

    fn start_monitoring(&mut self, slot: u32, ctx: &Ctx) {
        let img = &mut self.images[slot as usize];
        img.monitored = true;
        if !img.in_expiry_heap {
            let d = ctx.window.deadline(&img.clocks());
            if d != i64::MAX {
                img.in_expiry_heap = true;
                self.expiry.push(Reverse((d, slot, img.generation)));
            }
        }
    }

    /// The scan-on-push / continuous rules shared by push and restore (SPEC §5.2).
    fn on_push_scan(&mut self, slot: u32, t: i64, ctx: &Ctx, cause: Cause) {
        if !self.images[slot as usize].supported {
            return;
        }
        match self.freq {
            Freq::Continuous => {
                if !self.images[slot as usize].monitored {
                    self.enhanced_scan(slot, t, ctx, cause);
                    self.start_monitoring(slot, ctx);
                }
            }
            Freq::ScanOnPush => match ctx.scan_type {
                ScanType::Enhanced => self.enhanced_scan(slot, t, ctx, cause),
                ScanType::Basic => self.basic_scan(slot, t),
            },
            Freq::Off => {}
        }
    }

    pub fn push<'t>(
        &mut self,
        t: i64,
        digest: &[u8],
        tags: impl Iterator<Item = &'t [u8]>,
        supported: bool,
        seq: u64,
        ctx: &Ctx,
    ) {
        let (slot, created) = match self.lookup(digest) {
            Some(slot) => {
                let img = &mut self.images[slot as usize];
                img.pushed_at = t;
                let restored = img.archived;
                if restored {
                    img.archived = false;
                    img.activated_at = t;
                }
                self.note(slot, t, || {
                    if restored {
                        "re-push of an archived image: restored".into()
                    } else {
                        "re-push".into()
                    }
                });
                (slot, false)
            }
            None => {
                let slot = self.create(t, digest, supported, seq);
                self.note(slot, t, || {
                    format!("push creates the image (supported = {supported})")
                });
                (slot, true)
            }
        };
        for tag in tags {
            self.move_tag(slot, tag, t);
        }
        self.flows.pushes += 1;
        self.lifecycle_dirty = true;
        self.on_push_scan(slot, t, ctx, Cause::Push);
        if created {
            self.count_new(slot, t);
        } else {
            self.sync(slot, t, Cause::Push);
        }
    }

    fn move_tag(&mut self, slot: u32, tag: &[u8], t: i64) {
        match self.tag_owner.get_mut(tag) {
            Some(owner) if *owner == slot => return,
            Some(owner) => {
                let from = std::mem::replace(owner, slot);
                let tags = &mut self.images[from as usize].tags;
                if let Some(p) = tags.iter().position(|x| **x == *tag) {
                    tags.swap_remove(p);
                }
                self.note(from, t, || {
                    format!(
                        "tag `{}` moved to another image",
                        String::from_utf8_lossy(tag)
                    )
                });
            }
            None => {
                self.tag_owner.insert(tag.into(), slot);
            }
        }
        self.images[slot as usize].tags.push(tag.into());
    }

    fn mark_use(&mut self, slot: u32, t: i64) {
        let img = &mut self.images[slot as usize];
        img.recent_use = true;
        if !img.in_use_heap {
            img.in_use_heap = true;
            self.in_use.push(Reverse((t, slot, img.generation)));
        }
    }

    fn revival(&mut self, slot: u32, t: i64, kind: PullMode, ctx: &Ctx) {
        let img = &self.images[slot as usize];
        if self.freq == Freq::Continuous
            && img.supported
            && !img.archived
            && !img.monitored
            && ctx.window.pull.is_some()
            && ctx.window.mode == kind
            && ctx.window.holds(&img.clocks(), t)
        {
            self.enhanced_scan(slot, t, ctx, Cause::Revival(kind));
            self.start_monitoring(slot, ctx);
        }
    }

    /// A pull or an in-use observation; false when ignored.
    pub fn observe(&mut self, t: i64, digest: &[u8], kind: PullMode, ctx: &Ctx) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        if self.images[slot as usize].archived {
            self.note(slot, t, || {
                "ignored: pull/in-use of an archived image".into()
            });
            return false;
        }
        let cause = match kind {
            PullMode::LastPullDate => {
                self.images[slot as usize].last_pull = t;
                self.flows.pulls += 1;
                Cause::Pull
            }
            PullMode::LastInUseAt => {
                self.images[slot as usize].last_in_use = t;
                Cause::InUse
            }
        };
        self.note(slot, t, || format!("{cause}"));
        self.mark_use(slot, t);
        self.revival(slot, t, kind, ctx);
        self.sync(slot, t, Cause::Revival(kind));
        true
    }

    pub fn delete(&mut self, t: i64, digest: &[u8]) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        self.note(slot, t, || "deleted".into());
        self.remove(slot);
        self.flows.deletes += 1;
        true
    }

    fn archive_slot(&mut self, slot: u32, t: i64, cause: Cause) {
        let img = &mut self.images[slot as usize];
        img.archived = true;
        img.archived_at = t;
        img.monitored = false;
        self.lifecycle_dirty = true;
        self.note(slot, t, || format!("archived ({cause})"));
        self.sync(slot, t, cause);
    }

    pub fn archive(&mut self, t: i64, digest: &[u8]) -> bool {
        match self.lookup(digest) {
            Some(slot) if !self.images[slot as usize].archived => {
                self.archive_slot(slot, t, Cause::Archive);
                true
            }
            _ => false,
        }
    }

    pub fn restore(&mut self, t: i64, digest: &[u8], ctx: &Ctx) -> bool {
        match self.lookup(digest) {
            Some(slot) if self.images[slot as usize].archived => {
                let img = &mut self.images[slot as usize];
                img.archived = false;
                img.activated_at = t;
                self.lifecycle_dirty = true;
                self.note(slot, t, || "restored from archive".into());
                self.on_push_scan(slot, t, ctx, Cause::Restore);
                self.sync(slot, t, Cause::Restore);
                true
            }
            _ => false,
        }
    }

    /// Rescans every active image of the repository.
    pub fn vulndb_all(&mut self, t: i64, ctx: &Ctx) {
        let n = self.active.len() as u64;
        self.flows.rescans += n;
        self.flows.cost_micro += n as i64 * ctx.billing.price(false, t);
        if let Some(slot) = self.explain.as_ref().and_then(|e| e.slot)
            && self.images[slot as usize].counted == Status::Active
        {
            let price = ctx.billing.price(false, t);
            self.note(slot, t, || {
                format!(
                    "enhanced scan billed as a rescan ({} USD) [{}]",
                    crate::rules::format_usd(price),
                    Cause::Vulndb
                )
            });
        }
    }

    /// Rescans one image if active; false when the digest is not a live image.
    pub fn vulndb_one(&mut self, t: i64, digest: &[u8], ctx: &Ctx) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        if self.images[slot as usize].counted == Status::Active {
            self.enhanced_scan(slot, t, ctx, Cause::Vulndb);
        }
        true
    }

    /// A configuration change at `t` (SPEC §5.2); `ctx` holds the new settings.
    pub fn reconfigure(&mut self, t: i64, f1: Freq, ctx: &Ctx) {
        let f0 = self.freq;
        self.freq = f1;
        for slot in 0..self.images.len() as u32 {
            let img = &self.images[slot as usize];
            if !img.live {
                continue;
            }
            let cause = if img.supported && !img.archived {
                if f1 == Freq::Continuous && f0 != Freq::Continuous {
                    let c = img.clocks();
                    let recognised = ctx.window.recognised(&c, t);
                    let window = ctx.window.holds(&c, t);
                    if recognised && window {
                        self.enhanced_scan(slot, t, ctx, Cause::Enablement { recognised, window });
                        self.images[slot as usize].monitored = true;
                    } else {
                        self.images[slot as usize].monitored = false;
                    }
                    Cause::Enablement { recognised, window }
                } else if f1 != Freq::Continuous {
                    self.images[slot as usize].monitored = false;
                    Cause::Frequency(f0, f1)
                } else {
                    Cause::Frequency(f0, f1)
                }
            } else {
                Cause::Frequency(f0, f1)
            };
            self.sync(slot, t, cause);
        }
        self.rebuild_expiry(ctx);
    }

    /// Deadlines depend on the settings: recompute them all.
    fn rebuild_expiry(&mut self, ctx: &Ctx) {
        self.expiry.clear();
        for (slot, img) in self.images.iter_mut().enumerate() {
            img.in_expiry_heap = false;
            if img.live && img.monitored {
                let d = ctx.window.deadline(&img.clocks());
                if d != i64::MAX {
                    img.in_expiry_heap = true;
                    self.expiry.push(Reverse((d, slot as u32, img.generation)));
                }
            }
        }
    }

    /// Day end at midnight `m` (SPEC §5.4): lifecycle, expiry, and the in-use window
    /// when a snapshot follows.
    pub fn day_end(&mut self, m: i64, ctx: &Ctx, snapshot: bool) {
        if self.policy.is_some() && (self.lifecycle_dirty || m >= self.lifecycle_next) {
            self.run_lifecycle(m);
        }
        while let Some(&Reverse((deadline, slot, generation))) = self.expiry.peek() {
            if deadline >= m {
                break;
            }
            self.expiry.pop();
            let img = &mut self.images[slot as usize];
            if img.generation != generation || !img.live {
                continue;
            }
            img.in_expiry_heap = false;
            if !img.monitored {
                continue;
            }
            let d = ctx.window.deadline(&img.clocks());
            if d < m {
                img.monitored = false;
                self.flows.expirations += 1;
                self.sync(slot, m, Cause::WindowExpiry);
            } else if d != i64::MAX {
                img.in_expiry_heap = true;
                self.expiry.push(Reverse((d, slot, generation)));
            }
        }
        if snapshot {
            let cutoff = m - ctx.in_use_window;
            while let Some(&Reverse((last, slot, generation))) = self.in_use.peek() {
                if last >= cutoff {
                    break;
                }
                self.in_use.pop();
                let img = &mut self.images[slot as usize];
                if img.generation != generation || !img.live {
                    continue;
                }
                img.in_use_heap = false;
                let lu = img.last_use();
                if lu < cutoff {
                    img.recent_use = false;
                    self.sync(slot, m, Cause::InUse);
                } else {
                    img.in_use_heap = true;
                    self.in_use.push(Reverse((lu, slot, generation)));
                }
            }
        }
    }

    fn run_lifecycle(&mut self, m: i64) {
        let Some(policy) = self.policy.clone() else {
            return;
        };
        let mut decisions = Vec::new();
        let next = {
            let view: Vec<LcImage> = self
                .images
                .iter()
                .enumerate()
                .filter(|(_, i)| i.live)
                .map(|(slot, i)| LcImage {
                    id: slot as u32,
                    pushed_at: i.pushed_at,
                    created_seq: i.created_seq,
                    archived: i.archived,
                    archived_at: i.archived_at,
                    last_pull: i.last_pull,
                    activated_at: i.activated_at,
                    tags: &i.tags,
                })
                .collect();
            let mut scratch = Vec::new();
            policy.evaluate(&view, m, &mut scratch, &mut decisions);
            if decisions.is_empty() {
                policy.next_possible_action(&view)
            } else {
                i64::MIN
            }
        };
        for d in &decisions {
            let priority = policy.rules[d.rule].priority;
            match d.action {
                Action::Expire => {
                    self.note(d.id, m, || {
                        format!("expired by lifecycle rule with rulePriority {priority}")
                    });
                    self.remove(d.id);
                    self.flows.deletes += 1;
                }
                Action::Transition => self.archive_slot(d.id, m, Cause::Lifecycle(priority)),
            }
        }
        self.lifecycle_dirty = !decisions.is_empty();
        self.lifecycle_next = next;
    }

    /// Adds this day's figures to the repository totals and clears the day's flows.
    pub fn close_day(&mut self, reported: bool) {
        if reported {
            self.totals.flows.add(&self.flows);
            self.totals.sum_active += self.counts.status[Status::Active as usize];
            self.totals.sum_images += self.counts.images;
        }
        self.flows = Flows::default();
    }
}
