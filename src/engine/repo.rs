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
                "revival by {} within the pull window",
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

/// An image digest. A canonical `sha256:` + 64 lower-case hex digest is kept as its 32
/// bytes (half the memory, so more images stay in cache); anything else as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DigestBuf {
    Sha256([u8; 32]),
    Other(Box<[u8]>),
}

/// A digest as looked up, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestKey<'a> {
    Sha256([u8; 32]),
    Other(&'a [u8]),
}

impl<'a> DigestKey<'a> {
    pub fn of(d: &'a [u8]) -> Self {
        #[inline]
        fn nibble(c: u8) -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            }
        }
        if d.len() == 71 && d.starts_with(b"sha256:") {
            let mut out = [0u8; 32];
            let hex = &d[7..];
            let mut ok = true;
            for (i, o) in out.iter_mut().enumerate() {
                match (nibble(hex[2 * i]), nibble(hex[2 * i + 1])) {
                    (Some(h), Some(l)) => *o = h << 4 | l,
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return DigestKey::Sha256(out);
            }
        }
        DigestKey::Other(d)
    }

    fn hash(&self) -> u64 {
        FxBuildHasher.hash_one(self)
    }
}

impl DigestBuf {
    pub fn new(d: &[u8]) -> Self {
        match DigestKey::of(d) {
            DigestKey::Sha256(b) => DigestBuf::Sha256(b),
            DigestKey::Other(o) => DigestBuf::Other(o.into()),
        }
    }
    fn key(&self) -> DigestKey<'_> {
        match self {
            DigestBuf::Sha256(b) => DigestKey::Sha256(*b),
            DigestBuf::Other(o) => DigestKey::Other(o),
        }
    }
    /// Appends the digest as text.
    pub fn write_text(&self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        match self {
            DigestBuf::Sha256(b) => {
                out.extend_from_slice(b"sha256:");
                for x in b {
                    out.push(HEX[(x >> 4) as usize]);
                    out.push(HEX[(x & 15) as usize]);
                }
            }
            DigestBuf::Other(o) => out.extend_from_slice(o),
        }
    }
}

/// One image. `repr(C)` with the fields a lookup and a pull touch first: the struct is
/// two cache lines, and an event usually needs only the first. Tags live beside the
/// images (`RepoState::tags`): few events read them.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct Image {
    pub generation: u32,
    active_pos: u32,
    pub digest: DigestBuf,
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
    /// Lifecycle rules selecting this image, as last accounted.
    lifecycle_mask: u64,
    /// What the counters hold for this image.
    counted: Status,
    counted_in_use: bool,
    pub pushed_at: i64,
    pub activated_at: i64,
    pub last_pull: i64,
    pub last_in_use: i64,
    pub archived_at: i64,
    pub last_basic_scan: i64,
    pub created_seq: u64,
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
#[derive(Debug, Default, Clone)]
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

/// A min-heap of (instant, slot, generation) with lazy deletion: entries of images
/// deleted since (their slot's generation moved on) are skipped when they surface, and
/// entries made stale by a later clock are re-queued by the caller.
#[derive(Debug, Clone, Default)]
struct Heap(BinaryHeap<Reverse<(i64, u32, u32)>>);

impl Heap {
    fn push(&mut self, at: i64, slot: u32, generation: u32) {
        self.0.push(Reverse((at, slot, generation)));
    }

    /// The next entry before `before` whose image is still the one queued.
    fn pop_before(&mut self, before: i64, images: &[Image]) -> Option<(i64, u32, u32)> {
        while let Some(&Reverse((at, slot, generation))) = self.0.peek() {
            if at >= before {
                return None;
            }
            self.0.pop();
            let img = &images[slot as usize];
            if img.generation == generation && img.live {
                return Some((at, slot, generation));
            }
        }
        None
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn peek_at(&self) -> Option<i64> {
        self.0.peek().map(|Reverse((at, _, _))| *at)
    }
}

const RECENT: usize = 8;

#[derive(Clone)]
pub struct RepoState {
    pub name: Box<str>,
    pub freq: Freq,
    pub group: u32,
    policy: Option<Arc<Policy>>,
    images: Vec<Image>,
    /// Tags of each image slot.
    tags: Vec<Vec<Box<[u8]>>>,
    free: Vec<u32>,
    /// Slots by digest; the digest itself lives in the image (one allocation per image).
    by_digest: HashTable<u32>,
    /// The last images looked up, (hash, slot): traffic names recent images far more
    /// often than old ones, and these hit in cache where the table misses.
    recent: std::cell::Cell<[(u32, u32); RECENT]>,
    recent_next: std::cell::Cell<u8>,
    tag_owner: FxHashMap<Box<[u8]>, u32>,
    /// Slots of the images whose status is `active`.
    active: Vec<u32>,
    expiry: Heap,
    in_use: Heap,
    /// Per policy rule: live images it selects (a count rule can act only above its n).
    lifecycle_counts: Vec<u32>,
    /// No `since*` rule can act before this instant (a lower bound kept on every change).
    lifecycle_next: i64,
    pub counts: Counts,
    pub flows: Flows,
    pub totals: RepoTotals,
    pub explain: Option<Box<Explain>>,
    /// When events are written: the initial scans (instant, slot) since the last drain.
    pub initial_scans: Option<Vec<(i64, u32)>>,
}

impl RepoState {
    pub fn new(name: &str, freq: Freq, policy: Option<Arc<Policy>>, group: u32) -> Self {
        assert!(policy.as_ref().is_none_or(|p| p.rules.len() <= 64));
        RepoState {
            name: name.into(),
            freq,
            group,
            images: Vec::new(),
            tags: Vec::new(),
            free: Vec::new(),
            by_digest: HashTable::new(),
            recent: std::cell::Cell::new([(0, u32::MAX); RECENT]),
            recent_next: std::cell::Cell::new(0),
            tag_owner: FxHashMap::default(),
            active: Vec::new(),
            expiry: Heap::default(),
            in_use: Heap::default(),
            lifecycle_counts: policy
                .as_ref()
                .map_or(Vec::new(), |p| vec![0; p.rules.len()]),
            lifecycle_next: i64::MAX,
            counts: Counts::default(),
            flows: Flows::default(),
            totals: RepoTotals::default(),
            explain: None,
            initial_scans: None,
            policy,
        }
    }

    pub fn active_count(&self) -> usize {
        self.active.len()
    }

    /// Appends the digest of the `k`-th active image (for drawing vulnerability triggers).
    pub fn active_digest(&self, k: usize, out: &mut Vec<u8>) {
        self.images[self.active[k] as usize].digest.write_text(out)
    }

    /// Tags of a live image.
    pub fn tags(&self, slot: u32) -> &[Box<[u8]>] {
        &self.tags[slot as usize]
    }

    pub fn lookup(&self, digest: &[u8]) -> Option<u32> {
        let key = DigestKey::of(digest);
        let hash = key.hash();
        let images = &self.images;
        let is = |s: u32| {
            let i = &images[s as usize];
            i.live && i.digest.key() == key
        };
        let mut recent = self.recent.get();
        if let Some(&(_, s)) = recent
            .iter()
            .find(|&&(h, s)| h == hash as u32 && s != u32::MAX && is(s))
        {
            return Some(s);
        }
        let found = self.by_digest.find(hash, |&s| is(s)).copied();
        if let Some(s) = found {
            let k = self.recent_next.get();
            recent[k as usize] = (hash as u32, s);
            self.recent.set(recent);
            self.recent_next.set((k + 1) % RECENT as u8);
        }
        found
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
            digest: DigestBuf::new(digest),
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
            lifecycle_mask: 0,
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
                self.tags.push(Vec::new());
                (self.images.len() - 1) as u32
            }
        };
        let images = &self.images;
        self.by_digest
            .insert_unique(DigestKey::of(digest).hash(), slot, |&s| {
                images[s as usize].digest.key().hash()
            });
        if let Some(e) = self.explain.as_mut()
            && *e.digest == *digest
        {
            e.slot = Some(slot);
        }
        slot
    }

    fn lifecycle_view(&self, slot: u32) -> LcImage<'_> {
        let i = &self.images[slot as usize];
        LcImage {
            id: slot,
            pushed_at: i.pushed_at,
            created_seq: i.created_seq,
            archived: i.archived,
            archived_at: i.archived_at,
            last_pull: i.last_pull,
            activated_at: i.activated_at,
            tags: &self.tags[slot as usize],
            selected: i.lifecycle_mask,
        }
    }

    /// Re-accounts an image's lifecycle selection after a change to its tags, storage
    /// class or clocks (or its removal, `live == false`).
    fn lifecycle_refresh(&mut self, slot: u32) {
        let Some(policy) = self.policy.as_deref() else {
            return;
        };
        let live = self.images[slot as usize].live;
        let (mut mask, mut next) = (0u64, self.lifecycle_next);
        if live {
            let view = self.lifecycle_view(slot);
            for (r, rule) in policy.rules.iter().enumerate() {
                if rule.selects(&view) {
                    mask |= 1 << r;
                    if let Some(t) = rule.earliest_action(&view) {
                        next = next.min(t);
                    }
                }
            }
        }
        self.lifecycle_next = next;
        let old = std::mem::replace(&mut self.images[slot as usize].lifecycle_mask, mask);
        let mut changed = old ^ mask;
        while changed != 0 {
            let r = changed.trailing_zeros() as usize;
            changed &= changed - 1;
            if mask & (1 << r) != 0 {
                self.lifecycle_counts[r] += 1;
            } else {
                self.lifecycle_counts[r] -= 1;
            }
        }
    }

    /// Whether the policy could act at `m`: a count rule above its limit or a `since*`
    /// deadline passed. Otherwise evaluating it would find nothing.
    fn lifecycle_due(&self, m: i64) -> bool {
        let Some(policy) = self.policy.as_deref() else {
            return false;
        };
        m >= self.lifecycle_next
            || policy.rules.iter().zip(&self.lifecycle_counts).any(
                |(r, &n)| matches!(r.count, crate::rules::lifecycle::Count::MoreThan(k) if n > k),
            )
    }

    /// The first midnight-independent instant at which a day end could change this
    /// repository (an expiry deadline passed, or a lifecycle rule able to act):
    /// day ends before it are no-ops unless an event comes first.
    pub fn next_due(&self) -> i64 {
        let mut due = self
            .expiry
            .peek_at()
            .map_or(i64::MAX, |deadline| deadline.saturating_add(1));
        if self.policy.is_some() {
            due = if self.lifecycle_due(i64::MIN) {
                i64::MIN
            } else {
                due.min(self.lifecycle_next)
            };
        }
        due
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
        for tag in std::mem::take(&mut self.tags[slot as usize]) {
            self.tag_owner.remove(&tag);
        }
        let h = img.digest.key().hash();
        img.digest = DigestBuf::Other(Box::default());
        img.live = false;
        img.monitored = false;
        img.generation = img.generation.wrapping_add(1);
        if let Ok(e) = self.by_digest.find_entry(h, |&s| s == slot) {
            e.remove();
        }
        self.lifecycle_refresh(slot);
        self.free.push(slot);
        if let Some(e) = self.explain.as_mut()
            && e.slot == Some(slot)
        {
            e.slot = None;
        }
    }

    fn enhanced_scan(&mut self, slot: u32, t: i64, ctx: &Ctx, why: Cause) {
        let img = &mut self.images[slot as usize];
        let initial = !img.enhanced_scanned;
        img.scanned = true;
        img.enhanced_scanned = true;
        let price = ctx.billing.price(initial, t);
        if initial {
            self.flows.initial_scans += 1;
            if let Some(list) = self.initial_scans.as_mut() {
                list.push((t, slot));
            }
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
                self.expiry.push(d, slot, img.generation);
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
        self.lifecycle_refresh(slot);
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
                let tags = &mut self.tags[from as usize];
                if let Some(p) = tags.iter().position(|x| **x == *tag) {
                    tags.swap_remove(p);
                }
                self.lifecycle_refresh(from);
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
        self.tags[slot as usize].push(tag.into());
    }

    fn mark_use(&mut self, slot: u32, t: i64) {
        let img = &mut self.images[slot as usize];
        img.recent_use = true;
        if !img.in_use_heap {
            img.in_use_heap = true;
            self.in_use.push(t, slot, img.generation);
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
        self.lifecycle_refresh(slot);
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
                self.lifecycle_refresh(slot);
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
    /// Returns the previous frequency.
    pub fn reconfigure(&mut self, t: i64, f1: Freq, ctx: &Ctx) -> Freq {
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
        f0
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
                    self.expiry.push(d, slot as u32, img.generation);
                }
            }
        }
    }

    /// Day end at midnight `m` (SPEC §5.4): lifecycle, expiry, and the in-use window
    /// when a snapshot follows.
    pub fn day_end(&mut self, m: i64, ctx: &Ctx, snapshot: bool) {
        if self.lifecycle_due(m) {
            self.run_lifecycle(m);
        }
        while let Some((_, slot, generation)) = self.expiry.pop_before(m, &self.images) {
            let img = &mut self.images[slot as usize];
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
                self.expiry.push(d, slot, generation);
            }
        }
        if snapshot {
            let cutoff = m - ctx.in_use_window;
            while let Some((_, slot, generation)) = self.in_use.pop_before(cutoff, &self.images) {
                let img = &mut self.images[slot as usize];
                img.in_use_heap = false;
                let lu = img.last_use();
                if lu < cutoff {
                    img.recent_use = false;
                    self.sync(slot, m, Cause::InUse);
                } else {
                    img.in_use_heap = true;
                    self.in_use.push(lu, slot, generation);
                }
            }
        }
    }

    fn run_lifecycle(&mut self, m: i64) {
        let Some(policy) = self.policy.clone() else {
            return;
        };
        let live: Vec<u32> = (0..self.images.len() as u32)
            .filter(|&s| self.images[s as usize].live)
            .collect();
        let mut decisions = Vec::new();
        {
            let view: Vec<LcImage> = live.iter().map(|&s| self.lifecycle_view(s)).collect();
            let mut scratch = Vec::new();
            policy.evaluate(&view, m, &mut scratch, &mut decisions);
        }
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
        // The exact next deadline of the state after the actions.
        let view: Vec<LcImage> = live
            .iter()
            .filter(|&&s| self.images[s as usize].live)
            .map(|&s| self.lifecycle_view(s))
            .collect();
        self.lifecycle_next = policy.next_possible_action(&view);
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
