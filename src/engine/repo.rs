//! The state of one repository and the scanning rules applied to it: push, pull and
//! in-use (with revival), delete, archive, restore, vulnerability-database rescans,
//! configuration changes, and the day end (lifecycle, expiry, in-use window).
//! Repositories never interact, so the engine can hold many (a trace) or one per thread
//! (synthetic traffic).
//!
//! Status counts are kept incrementally: every change to an image goes through `sync`,
//! which re-derives its status and in-use contribution and adjusts the counters. Expiry
//! and the in-use window use day-bucket queues so a day end touches only images whose
//! deadline has passed; lifecycle count rules read their candidates off an order kept
//! as images change.

use super::explain::{Cause, Explain, ExplainOutcome, Which, closest};
use super::findings::{Book, FindingRecord, Findings, ScanChange};
use super::result::{Counts, DAY_END_HOUR, Flows, Hourly, RepoTotals};
use super::store::{Deadline, DeadlineQueue, Image, ImageStore};
use crate::base::digest::DigestRef;
use crate::base::money::format_usd;
use crate::base::prefetch::prefetch;
use crate::base::time::DAY;
use crate::rules::lifecycle::{Action, CountKey, CountOrder, Decision, LcImage, Policy};
use crate::rules::{Billing, Freq, NEVER, PullMode, ScanType, Status, Window};
use std::sync::Arc;

/// How many deadlines ahead a day end starts loading the image of one (most are only
/// checked, which takes little time, so the distance is long).
const PREFETCH: usize = 16;

/// The steps of loading ahead what an event will touch.
#[derive(Debug, Clone, Copy)]
pub enum Prefetch {
    /// The repository's own state (its tables' addresses, counters).
    Repo,
    /// The digest's entry in the index.
    Entry,
    /// The image the entry names.
    Image,
}

/// Settings every operation reads; the engine builds one per configuration.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub window: Window,
    pub scan_type: ScanType,
    pub billing: Billing,
    pub in_use_window: i64,
}

#[derive(Clone)]
pub struct RepoState {
    pub name: Box<str>,
    pub freq: Freq,
    pub group: u32,
    policy: Option<Arc<Policy>>,
    store: ImageStore,
    expiry: DeadlineQueue,
    in_use: DeadlineQueue,
    /// Scratch kept to reuse its memory: the deadlines a day end takes from a queue,
    /// the images a push took tags from, the lifecycle's decisions.
    due: Vec<Deadline>,
    tags_from: Vec<u32>,
    decisions: Vec<Decision>,
    /// The live images each count rule selects, oldest first.
    lifecycle_order: CountOrder,
    /// No `since*` rule can act before this instant (a lower bound kept on every change).
    lifecycle_next: i64,
    pub counts: Counts,
    pub flows: Flows,
    pub totals: RepoTotals,
    pub explain: Option<Box<Explain>>,
    /// When an observer listens: the initial scans (instant, slot) since the last drain.
    pub initial_scans: Option<Vec<(i64, u32)>>,
    /// The findings of the images (counts per severity).
    pub findings: Book,
    /// The day's events by hour.
    pub hourly: Hourly,
    /// When an observer wants them: the changes of findings since the last drain.
    pub finding_log: Option<Vec<FindingRecord>>,
}

impl RepoState {
    pub fn new(name: &str, freq: Freq, policy: Option<Arc<Policy>>, group: u32) -> Self {
        assert!(policy.as_ref().is_none_or(|p| p.rules.len() <= 64));
        RepoState {
            name: name.into(),
            freq,
            group,
            store: ImageStore::new(),
            expiry: DeadlineQueue::default(),
            in_use: DeadlineQueue::default(),
            due: Vec::new(),
            tags_from: Vec::new(),
            decisions: Vec::new(),
            lifecycle_order: policy
                .as_deref()
                .map_or_else(CountOrder::default, CountOrder::new),
            lifecycle_next: i64::MAX,
            counts: Counts::default(),
            flows: Flows::default(),
            totals: RepoTotals::default(),
            explain: None,
            initial_scans: None,
            findings: Book::default(),
            hourly: Hourly::default(),
            finding_log: None,
            policy,
        }
    }

    pub fn active_count(&self) -> usize {
        self.store.active_count()
    }

    /// The digest of the `k`-th active image (for drawing vulnerability triggers).
    pub fn active_digest(&self, k: usize) -> DigestRef<'_> {
        self.store.image(self.store.active_slot(k)).digest.as_ref()
    }

    /// Tags of a live image.
    pub fn tags(&self, slot: u32) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        self.store.tags(slot)
    }

    pub fn lookup(&self, digest: DigestRef) -> Option<u32> {
        self.store.lookup(digest)
    }

    /// Starts loading what an event naming a digest with hash `h` will read, one step
    /// of [`Prefetch`].
    #[inline]
    pub fn prefetch(&self, h: u64, step: Prefetch) {
        match step {
            Prefetch::Repo => {
                prefetch(&self.store);
                prefetch(&self.counts);
                prefetch(&self.flows);
            }
            Prefetch::Entry => self.store.prefetch_entry(h),
            Prefetch::Image => self.store.prefetch_image(h),
        }
    }

    pub fn image(&self, slot: u32) -> &Image {
        self.store.image(slot)
    }

    fn img(&mut self, slot: u32) -> &mut Image {
        self.store.image_mut(slot)
    }

    pub fn set_explain(&mut self, which: &Which) {
        let slot = match which {
            Which::Digest(d) => self.lookup(DigestRef::parse(d.as_bytes())),
            Which::Tag(_) => None,
        };
        self.explain = Some(Box::new(Explain::new(which, slot)));
    }

    /// What `--explain` found here, once the run is over.
    pub fn explain_outcome(&mut self) -> Option<ExplainOutcome> {
        let e = self.explain.take()?;
        let live = self.store.images().iter().filter(|i| i.live);
        let live_count = live.clone().count() as u64;
        if let Some(tag) = e.tag() {
            let holder = self.store.tag_owner(tag);
            if holder.is_some() {
                return Some(ExplainOutcome::Lines(e.finish(holder)));
            }
            let mut tags: Vec<String> = (0..self.store.slots())
                .filter(|&s| self.store.images()[s as usize].live)
                .flat_map(|s| {
                    self.store
                        .tags(s)
                        .map(|t| String::from_utf8_lossy(t).into_owned())
                })
                .collect();
            tags.sort_unstable();
            let wanted = String::from_utf8_lossy(tag).into_owned();
            let closest = closest(&wanted, tags.into_iter(), 5);
            return Some(ExplainOutcome::Missing {
                live: live_count,
                closest,
            });
        }
        let wanted = e.digest().map(|d| d.to_text()).unwrap_or_default();
        let lines = e.finish(None);
        if !lines.is_empty() {
            return Some(ExplainOutcome::Lines(lines));
        }
        let closest = closest(&wanted, live.map(|i| i.digest.as_ref().to_text()), 3);
        Some(ExplainOutcome::Missing {
            live: live_count,
            closest,
        })
    }

    #[inline]
    fn note(&mut self, slot: u32, t: i64, msg: impl FnOnce() -> String) {
        if let Some(e) = self.explain.as_mut() {
            e.note(slot, t, msg);
        }
    }

    /// Re-derives an image's status and in-use contribution and updates the counters.
    fn sync(&mut self, slot: u32, t: i64, cause: Cause) {
        let freq = self.freq;
        let img = self.img(slot);
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
                self.store.remove_active(slot);
            } else if status == Status::Active {
                self.store.add_active(slot);
            }
            self.note(slot, t, || {
                format!("status {} -> {} ({cause})", old.name(), status.name())
            });
        }
    }

    /// Starts counting a new image once the rules of its creating push have run.
    fn count_new(&mut self, slot: u32, t: i64) {
        let freq = self.freq;
        let img = self.img(slot);
        let status = img.status(freq);
        img.counted = status;
        self.counts.images += 1;
        self.counts.status[status as usize] += 1;
        if status == Status::Active {
            self.store.add_active(slot);
        }
        self.note(slot, t, || format!("status {}", status.name()));
    }

    fn create(&mut self, t: i64, digest: DigestRef, supported: bool, seq: u64) -> u32 {
        let slot = self.store.create(t, digest, supported, seq);
        let d: &[u8] = match &digest {
            DigestRef::Sha256(b) => b,
            DigestRef::Text(t) => t,
        };
        self.findings.created(slot, self.name.as_bytes(), d);
        if let Some(e) = self.explain.as_mut() {
            e.created(slot, digest);
        }
        slot
    }

    /// Removes an image at `t` (`day_end`: by lifecycle at the midnight `t`).
    fn remove(&mut self, slot: u32, t: i64, day_end: bool) {
        self.close_findings(slot, false, t, day_end);
        let img = self.store.image(slot);
        let (status, in_use) = (img.counted, img.counted_in_use);
        self.counts.images -= 1;
        self.counts.status[status as usize] -= 1;
        if in_use {
            self.counts.in_use -= 1;
            self.counts.in_use_active -= (status == Status::Active) as u64;
        }
        if status == Status::Active {
            self.store.remove_active(slot);
        }
        self.store.remove(slot);
        self.lifecycle_refresh(slot);
        if let Some(e) = self.explain.as_mut() {
            e.removed(slot);
        }
    }

    fn enhanced_scan(&mut self, slot: u32, t: i64, ctx: &Ctx, why: Cause) {
        let img = self.img(slot);
        let initial = !img.enhanced_scanned;
        img.scanned = true;
        img.enhanced_scanned = true;
        let price = ctx.billing.price(initial, t);
        let before = self.flows.findings.events();
        let change =
            self.findings
                .scan(slot, t, initial, &mut self.counts, &mut self.flows.findings);
        self.finding_events_at(Some(t), before);
        self.log_scan(slot, t, &change);
        if initial {
            self.flows.initial_scans += 1;
            self.hourly.scans[(t.rem_euclid(DAY) / 3600) as usize] += 1;
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
                    format!("{} USD", format_usd(price))
                }
            )
        });
    }

    fn basic_scan(&mut self, slot: u32, t: i64) {
        let img = self.img(slot);
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
        let img = self.store.image_mut(slot);
        img.monitored = true;
        if !img.in_expiry_heap {
            let d = ctx.window.deadline(&img.clocks());
            if d != i64::MAX {
                img.in_expiry_heap = true;
                self.expiry.push(d, slot, img.generation);
            }
        }
    }

    /// The scan-on-push / continuous rules shared by push and restore.
    fn on_push_scan(&mut self, slot: u32, t: i64, ctx: &Ctx, cause: Cause) {
        if !self.image(slot).supported {
            return;
        }
        match self.freq {
            Freq::Continuous => {
                if !self.image(slot).monitored {
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

    /// A push: creates the image, or re-pushes (and restores) a live one; moves the
    /// tags; then the scan-on-push / continuous rules.
    pub fn push<'t>(
        &mut self,
        t: i64,
        digest: DigestRef,
        tags: impl Iterator<Item = &'t [u8]>,
        supported: bool,
        seq: u64,
        ctx: &Ctx,
    ) {
        let (slot, created) = match self.lookup(digest) {
            Some(slot) => {
                self.repush(slot, t);
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
        // The images tags were taken from are re-accounted once each, after all moves:
        // a push of many tags stays linear in their number.
        let mut from = std::mem::take(&mut self.tags_from);
        from.clear();
        for tag in tags {
            if let Some(f) = self.move_tag(slot, tag, t) {
                from.push(f);
            }
        }
        from.sort_unstable();
        from.dedup();
        for &f in &from {
            self.lifecycle_refresh(f);
        }
        self.tags_from = from;
        self.flows.pushes += 1;
        self.lifecycle_refresh(slot);
        self.on_push_scan(slot, t, ctx, Cause::Push);
        if created {
            self.count_new(slot, t);
        } else {
            self.sync(slot, t, Cause::Push);
        }
    }

    fn repush(&mut self, slot: u32, t: i64) {
        let img = self.img(slot);
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
    }

    /// Gives `tag` to `slot`; returns the image it was taken from.
    fn move_tag(&mut self, slot: u32, tag: &[u8], t: i64) -> Option<u32> {
        let from = self.store.move_tag(slot, tag)?;
        self.note(from, t, || {
            format!(
                "tag `{}` moved to another image",
                String::from_utf8_lossy(tag)
            )
        });
        Some(from)
    }

    fn mark_use(&mut self, slot: u32, t: i64) {
        let img = self.store.image_mut(slot);
        img.recent_use = true;
        if !img.in_use_heap {
            img.in_use_heap = true;
            self.in_use.push(t, slot, img.generation);
        }
    }

    fn revival(&mut self, slot: u32, t: i64, kind: PullMode, ctx: &Ctx) {
        let img = self.image(slot);
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
    pub fn observe(&mut self, t: i64, digest: DigestRef, kind: PullMode, ctx: &Ctx) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        if self.image(slot).archived {
            self.note(slot, t, || {
                "ignored: pull/in-use of an archived image".into()
            });
            return false;
        }
        let cause = match kind {
            PullMode::LastPullDate => {
                self.img(slot).last_pull = t;
                self.flows.pulls += 1;
                Cause::Pull
            }
            PullMode::LastInUseAt => {
                self.img(slot).last_in_use = t;
                Cause::InUse
            }
        };
        self.note(slot, t, || format!("{cause}"));
        self.mark_use(slot, t);
        self.revival(slot, t, kind, ctx);
        self.sync(slot, t, Cause::Revival(kind));
        true
    }

    pub fn delete(&mut self, t: i64, digest: DigestRef) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        self.note(slot, t, || "deleted".into());
        self.remove(slot, t, false);
        self.flows.deletes += 1;
        true
    }

    fn archive_slot(&mut self, slot: u32, t: i64, cause: Cause) {
        let day_end = matches!(cause, Cause::Lifecycle(_));
        self.close_findings(slot, false, t, day_end);
        let img = self.img(slot);
        img.archived = true;
        img.archived_at = t;
        img.monitored = false;
        self.lifecycle_refresh(slot);
        self.note(slot, t, || format!("archived ({cause})"));
        self.sync(slot, t, cause);
    }

    pub fn archive(&mut self, t: i64, digest: DigestRef) -> bool {
        match self.lookup(digest) {
            Some(slot) if !self.image(slot).archived => {
                self.archive_slot(slot, t, Cause::Archive);
                true
            }
            _ => false,
        }
    }

    pub fn restore(&mut self, t: i64, digest: DigestRef, ctx: &Ctx) -> bool {
        match self.lookup(digest) {
            Some(slot) if self.image(slot).archived => {
                let img = self.img(slot);
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
        let n = self.store.active_count() as u64;
        let price = ctx.billing.price(false, t);
        self.flows.rescans += n;
        self.flows.cost_micro += n as i64 * price;
        let before = self.flows.findings.events();
        for k in 0..self.store.active_count() {
            let slot = self.store.active_slot(k);
            let change =
                self.findings
                    .scan(slot, t, false, &mut self.counts, &mut self.flows.findings);
            self.log_scan(slot, t, &change);
        }
        self.finding_events_at(Some(t), before);
        let followed = self.explain.as_ref().map(|e| e.slots()).unwrap_or_default();
        for slot in followed {
            if self.image(slot).counted() == Status::Active {
                self.note(slot, t, || {
                    format!(
                        "enhanced scan billed as a rescan ({} USD) [{}]",
                        format_usd(price),
                        Cause::Vulndb
                    )
                });
            }
        }
    }

    /// Rescans one image if active; false when the digest is not a live image.
    pub fn vulndb_one(&mut self, t: i64, digest: DigestRef, ctx: &Ctx) -> bool {
        let Some(slot) = self.lookup(digest) else {
            return false;
        };
        if self.image(slot).counted() == Status::Active {
            self.enhanced_scan(slot, t, ctx, Cause::Vulndb);
        }
        true
    }

    /// A configuration change at `t`; `ctx` holds the new settings and `f1` the new
    /// frequency. Returns the previous frequency.
    pub fn reconfigure(&mut self, t: i64, f1: Freq, ctx: &Ctx) -> Freq {
        let f0 = self.freq;
        self.freq = f1;
        for slot in 0..self.store.slots() {
            let img = self.image(slot);
            if !img.live {
                continue;
            }
            let cause = if !img.supported || img.archived {
                Cause::Frequency(f0, f1)
            } else if f1 == Freq::Continuous && f0 != Freq::Continuous {
                self.enable(slot, t, ctx)
            } else {
                if f1 != Freq::Continuous {
                    self.img(slot).monitored = false;
                }
                Cause::Frequency(f0, f1)
            };
            if !self.keeps_findings(slot, f0, ctx) {
                self.close_findings(slot, true, t, false);
            }
            self.sync(slot, t, cause);
        }
        self.rebuild_expiry(ctx);
        f0
    }

    /// A repository starts continuous scanning: the image is scanned if the enablement
    /// look-back recognises it and the window holds, else it starts expired.
    fn enable(&mut self, slot: u32, t: i64, ctx: &Ctx) -> Cause {
        let c = self.image(slot).clocks();
        let recognised = ctx.window.recognised(&c, t);
        let window = ctx.window.holds(&c, t);
        let cause = Cause::Enablement { recognised, window };
        if recognised && window {
            self.enhanced_scan(slot, t, ctx, cause);
            self.img(slot).monitored = true;
        } else {
            self.img(slot).monitored = false;
        }
        cause
    }

    /// Whether an image keeps its open findings after a configuration change from `f0`:
    /// while continuously monitored, or scanned on push and still scanned on push by
    /// enhanced scanning.
    fn keeps_findings(&self, slot: u32, f0: Freq, ctx: &Ctx) -> bool {
        let img = self.image(slot);
        !img.archived
            && match self.freq {
                Freq::Continuous => img.monitored,
                Freq::ScanOnPush => f0 == Freq::ScanOnPush && ctx.scan_type == ScanType::Enhanced,
                Freq::Off => false,
            }
    }

    /// Closes the open findings of an image. When monitoring stops (`exposure`) of an
    /// image in use (as last counted, or used since), they count as closed in use: the
    /// image still runs, unwatched. A deleted or archived image is not in the registry's
    /// use any more.
    fn close_findings(&mut self, slot: u32, exposure: bool, t: i64, day_end: bool) {
        let img = self.store.image(slot);
        let in_use = exposure && img.recent_use && !img.archived;
        let before = self.flows.findings.events();
        let n = self
            .findings
            .close(slot, in_use, &mut self.counts, &mut self.flows.findings);
        self.finding_events_at((!day_end).then_some(t), before);
        if n != [0; 6] {
            self.log_finding(slot, t, day_end, Findings::Closed { n });
        }
    }

    /// Deadlines depend on the settings: recompute them all.
    fn rebuild_expiry(&mut self, ctx: &Ctx) {
        self.expiry.clear();
        for slot in 0..self.store.slots() {
            let img = self.store.image_mut(slot);
            img.in_expiry_heap = false;
            if img.live && img.monitored {
                let d = ctx.window.deadline(&img.clocks());
                if d != i64::MAX {
                    img.in_expiry_heap = true;
                    self.expiry.push(d, slot, img.generation);
                }
            }
        }
    }

    /// Day end at midnight `m`: lifecycle, expiry, and the in-use window. The in-use
    /// window is applied at every day end, reported or not: the images in use at a
    /// snapshot are the same either way (those used since its cutoff), and the queue
    /// holds no more than the window.
    pub fn day_end(&mut self, m: i64, ctx: &Ctx) {
        if self.lifecycle_due(m) {
            self.run_lifecycle(m);
        }
        self.expire(m, ctx);
        self.age_in_use(m - ctx.in_use_window, m);
    }

    /// Takes the deadlines of a queue due before `before`, in order, without those of
    /// images deleted since (loading each image a few deadlines ahead).
    fn take_due(&mut self, in_use: bool, before: i64) -> Vec<Deadline> {
        let mut due = std::mem::take(&mut self.due);
        let queue = if in_use {
            &mut self.in_use
        } else {
            &mut self.expiry
        };
        queue.take_before(before, &mut due);
        // Most repositories have a few deadlines a day: start loading the first ones
        // before looking at any.
        for &(_, slot, _) in due.iter().take(PREFETCH) {
            self.store.prefetch_slot(slot);
        }
        let mut kept = 0;
        for i in 0..due.len() {
            if let Some(&(_, ahead, _)) = due.get(i + PREFETCH) {
                self.store.prefetch_slot(ahead);
            }
            let (_, slot, generation) = due[i];
            if self.store.is_current(slot, generation) {
                due[kept] = due[i];
                kept += 1;
            }
        }
        due.truncate(kept);
        due
    }

    fn expire(&mut self, m: i64, ctx: &Ctx) {
        let due = self.take_due(false, m);
        for &(_, slot, generation) in &due {
            let img = self.store.image_mut(slot);
            img.in_expiry_heap = false;
            if !img.monitored {
                continue;
            }
            let d = ctx.window.deadline(&img.clocks());
            if d < m {
                img.monitored = false;
                self.flows.expirations += 1;
                self.close_findings(slot, true, m, true);
                self.sync(slot, m, Cause::WindowExpiry);
            } else if d != i64::MAX {
                img.in_expiry_heap = true;
                self.expiry.push(d, slot, generation);
            }
        }
        self.due = due;
    }

    /// Images last used before `cutoff` leave the in-use count.
    fn age_in_use(&mut self, cutoff: i64, m: i64) {
        let due = self.take_due(true, cutoff);
        for &(_, slot, generation) in &due {
            let img = self.store.image_mut(slot);
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
        self.due = due;
    }

    fn lifecycle_view(&self, slot: u32) -> LcImage {
        let i = self.image(slot);
        LcImage {
            id: slot,
            pushed_at: i.pushed_at,
            created_seq: i.created_seq,
            archived: i.archived,
            archived_at: i.archived_at,
            last_pull: i.last_pull,
            activated_at: i.activated_at,
            selected: i.lifecycle_mask,
        }
    }

    /// The live images as the `since*` rules read them.
    fn live_views(&self) -> Vec<LcImage> {
        (0..self.store.slots())
            .filter(|&s| self.image(s).live)
            .map(|s| self.lifecycle_view(s))
            .collect()
    }

    /// Evaluates the policy at `m` and applies what it decides. The `since*` rules are
    /// looked at only once one of them may act (`lifecycle_next`); count rules read their
    /// candidates off the kept order.
    fn run_lifecycle(&mut self, m: i64) {
        let Some(policy) = self.policy.clone() else {
            return;
        };
        let since = (m >= self.lifecycle_next).then(|| self.live_views());
        let mut decisions = std::mem::take(&mut self.decisions);
        let store = &self.store;
        policy.evaluate(
            &self.lifecycle_order,
            |id| store.image(id).lifecycle_mask,
            since.as_deref(),
            m,
            &mut decisions,
        );
        for d in &decisions {
            let priority = policy.rules[d.rule].priority;
            match d.action {
                Action::Expire => {
                    self.note(d.id, m, || {
                        format!("expired by lifecycle rule with rulePriority {priority}")
                    });
                    self.remove(d.id, m, true);
                    self.flows.deletes += 1;
                }
                Action::Transition => self.archive_slot(d.id, m, Cause::Lifecycle(priority)),
            }
        }
        if since.is_some() {
            // The exact next deadline of the state after the actions.
            self.lifecycle_next = policy.next_possible_action(&self.live_views());
        }
        self.decisions = decisions;
    }

    /// Re-accounts an image's lifecycle selection after a change to its tags, storage
    /// class or clocks (or its removal).
    fn lifecycle_refresh(&mut self, slot: u32) {
        let Some(policy) = self.policy.as_deref() else {
            return;
        };
        let (mut mask, mut next) = (0u64, self.lifecycle_next);
        let img = self.store.image(slot);
        if img.live {
            mask = policy.selection(img.archived, self.store.tags(slot));
            let view = self.lifecycle_view(slot);
            for (r, rule) in policy.rules.iter().enumerate() {
                if mask & 1 << r != 0
                    && let Some(t) = rule.earliest_action(&view)
                {
                    next = next.min(t);
                }
            }
        }
        self.lifecycle_next = next;
        let img = self.store.image_mut(slot);
        let old = CountKey {
            selected: img.lifecycle_mask,
            pushed_at: img.lifecycle_pushed_at,
        };
        let new = CountKey {
            selected: mask,
            pushed_at: img.pushed_at,
        };
        img.lifecycle_mask = mask;
        img.lifecycle_pushed_at = img.pushed_at;
        let seq = img.created_seq;
        self.lifecycle_order.update(policy, slot, seq, old, new);
    }

    /// Whether the policy could act at `m`: a count rule above its limit or a `since*`
    /// deadline passed. Otherwise evaluating it would find nothing.
    fn lifecycle_due(&self, m: i64) -> bool {
        let Some(policy) = self.policy.as_deref() else {
            return false;
        };
        m >= self.lifecycle_next || self.lifecycle_order.over_limit(policy)
    }

    /// The first instant at which a day end could change this repository (an expiry
    /// deadline passed, or a lifecycle rule able to act): day ends before it are no-ops
    /// unless an event comes first.
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

    /// Adds this day's figures to the repository totals and clears the day's flows.
    pub fn close_day(&mut self, reported: bool) {
        if reported {
            self.totals.flows.add(&self.flows);
            self.totals.sum_active += self.counts.status[Status::Active as usize];
            self.totals.sum_images += self.counts.images;
        }
        self.flows = Flows::default();
        self.hourly = Hourly::default();
    }

    /// Records a change of an image's findings while an observer wants them.
    fn log_finding(&mut self, slot: u32, t: i64, day_end: bool, which: Findings) {
        if self.finding_log.is_none() {
            return;
        }
        let img = self.store.image(slot);
        let rec = FindingRecord {
            t,
            day_end,
            key: self.findings.key(slot),
            digest: img.digest.clone(),
            tags: self.store.tags(slot).map(Box::from).collect(),
            pushed_at: img.pushed_at,
            which,
        };
        if let Some(log) = self.finding_log.as_mut() {
            log.push(rec);
        }
    }

    fn log_scan(&mut self, slot: u32, t: i64, c: &ScanChange) {
        if self.finding_log.is_none() {
            return;
        }
        if c.n != [0; 6] {
            self.log_finding(
                slot,
                t,
                false,
                Findings::Created {
                    from: c.from,
                    n: c.n,
                },
            );
        }
        if c.updated > 0 {
            let which = Findings::Updated {
                counts: c.counts,
                start: c.updated_start,
                n: c.updated,
            };
            self.log_finding(slot, t, false, which);
        }
    }

    /// Counts the finding events since `before` (the day's finding events then) in the
    /// hour of `t` (`None`: the day end).
    fn finding_events_at(&mut self, t: Option<i64>, before: u64) {
        let h = t.map_or(DAY_END_HOUR, |t| (t.rem_euclid(DAY) / 3600) as usize);
        self.hourly.findings[h] += self.flows.findings.events() - before;
    }
}
