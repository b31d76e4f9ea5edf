//! The images of one repository: a slot table with a digest index, the tags (interned to
//! small numbers) and who holds each, the list of active images, and the day-bucket
//! queues of the day ends. No scanning rule lives here; `repo.rs` applies the rules
//! through this store.

use crate::base::digest::{Digest, DigestRef};
use crate::base::prefetch::{prefetch, prefetch_all};
use crate::base::time::DAY;
use crate::rules::{Clocks, NEVER, Status};
use hashbrown::HashTable;
use smallvec::SmallVec;
use std::collections::VecDeque;

/// One image. `repr(C)` with the fields a lookup and a pull touch first, so that an event
/// mostly needs the first two cache lines.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct Image {
    pub digest: Digest,
    pub generation: u32,
    pub(super) active_pos: u32,
    pub live: bool,
    pub supported: bool,
    pub archived: bool,
    pub monitored: bool,
    pub scanned: bool,
    pub enhanced_scanned: bool,
    /// Last use within the in-use window as of the last check.
    pub(super) recent_use: bool,
    pub(super) in_expiry_heap: bool,
    pub(super) in_use_heap: bool,
    /// What the counters hold for this image.
    pub(super) counted: Status,
    pub(super) counted_in_use: bool,
    pub last_pull: i64,
    pub last_in_use: i64,
    pub pushed_at: i64,
    pub activated_at: i64,
    pub archived_at: i64,
    pub last_basic_scan: i64,
    pub created_seq: u64,
    /// Lifecycle rules selecting this image, and its push time, as last accounted.
    pub(super) lifecycle_mask: u64,
    pub(super) lifecycle_pushed_at: i64,
    /// The image's tags (numbers of the store's tag table), in the order they came.
    tags: SmallVec<[u32; 4]>,
}

impl Image {
    fn new(t: i64, digest: Digest, supported: bool, seq: u64, generation: u32) -> Self {
        Image {
            digest,
            pushed_at: t,
            activated_at: NEVER,
            last_pull: NEVER,
            last_in_use: NEVER,
            archived_at: NEVER,
            last_basic_scan: NEVER,
            created_seq: seq,
            generation,
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
            lifecycle_pushed_at: t,
            counted: Status::NotScanned,
            counted_in_use: false,
            tags: SmallVec::new(),
        }
    }

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

    pub fn last_use(&self) -> i64 {
        self.last_pull.max(self.last_in_use)
    }

    /// The status the image has under its repository's frequency.
    pub fn status(&self, freq: crate::rules::Freq) -> Status {
        Status::of(
            self.supported,
            self.archived,
            self.monitored,
            self.scanned,
            freq,
        )
    }

    /// The status the counters hold for it.
    pub fn counted(&self) -> Status {
        self.counted
    }
}

/// Live slots by digest hash ([`DigestRef::hash64`]): open addressing with linear
/// probing; an entry is the hash's low 32 bits and the slot, so most mismatches are told
/// apart without reading an image, entries move (growth, removal) without reading one,
/// and the entry of an upcoming event can be prefetched.
#[derive(Debug, Clone, Default)]
struct DigestIndex {
    entries: Vec<u64>,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

impl DigestIndex {
    #[inline]
    fn mask(&self) -> usize {
        self.entries.len().wrapping_sub(1)
    }

    #[inline]
    fn entry(h: u64, slot: u32) -> u64 {
        (h as u32 as u64) << 32 | slot as u64
    }

    /// The position an entry hashes to.
    #[inline]
    fn home(&self, e: u64) -> usize {
        (e >> 32) as usize & self.mask()
    }

    /// The first entry with this hash's tag from its home position, as `(position,
    /// slot)`, for which `is(slot)` holds.
    #[inline]
    fn find(&self, h: u64, is: impl Fn(u32) -> bool) -> Option<(usize, u32)> {
        if self.entries.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut pos = h as usize & mask;
        loop {
            let e = self.entries[pos];
            if e == EMPTY {
                return None;
            }
            if e >> 32 == h as u32 as u64 && is(e as u32) {
                return Some((pos, e as u32));
            }
            pos = (pos + 1) & mask;
        }
    }

    fn insert(&mut self, h: u64, slot: u32) {
        if (self.len + 1) * 4 > self.entries.len() * 3 {
            self.grow();
        }
        let mask = self.mask();
        let mut pos = h as usize & mask;
        while self.entries[pos] != EMPTY {
            pos = (pos + 1) & mask;
        }
        self.entries[pos] = Self::entry(h, slot);
        self.len += 1;
    }

    fn grow(&mut self) {
        let size = (self.entries.len() * 2).max(16);
        let old = std::mem::replace(&mut self.entries, vec![EMPTY; size]);
        let mask = self.mask();
        for e in old.into_iter().filter(|&e| e != EMPTY) {
            let mut pos = self.home(e);
            while self.entries[pos] != EMPTY {
                pos = (pos + 1) & mask;
            }
            self.entries[pos] = e;
        }
    }

    /// Removes the entry at `pos`, shifting later entries of the run back so that no
    /// probe sequence is broken (no tombstones).
    fn remove_at(&mut self, mut pos: usize) {
        let mask = self.mask();
        let mut next = (pos + 1) & mask;
        loop {
            let e = self.entries[next];
            if e == EMPTY {
                break;
            }
            let h = self.home(e);
            // Move `e` into the hole unless its home lies cyclically in (pos, next].
            let stays = if pos <= next {
                pos < h && h <= next
            } else {
                pos < h || h <= next
            };
            if !stays {
                self.entries[pos] = e;
                pos = next;
            }
            next = (next + 1) & mask;
        }
        self.entries[pos] = EMPTY;
        self.len -= 1;
    }
}

/// A tag's text: short ones (nearly all) inline, without an allocation of their own.
#[derive(Debug, Clone)]
enum TagName {
    Inline(u8, [u8; 22]),
    Heap(Box<[u8]>),
}

impl TagName {
    fn new(b: &[u8]) -> Self {
        if b.len() <= 22 {
            let mut a = [0; 22];
            a[..b.len()].copy_from_slice(b);
            TagName::Inline(b.len() as u8, a)
        } else {
            TagName::Heap(b.into())
        }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            TagName::Inline(n, a) => &a[..*n as usize],
            TagName::Heap(b) => b,
        }
    }
}

fn tag_hash(b: &[u8]) -> u64 {
    DigestRef::Text(b).hash64()
}

/// The tags of a repository's live images, interned: a tag is a number while an image
/// holds it; the number and its text are freed when its image goes.
#[derive(Debug, Clone, Default)]
struct Tags {
    by_name: HashTable<u32>,
    names: Vec<TagName>,
    /// The slot holding each tag, and the tag's place in that image's list.
    owner: Vec<u32>,
    pos: Vec<u32>,
    free: Vec<u32>,
    /// The tag a push named last, with its text: most pushes move the same tag
    /// (`latest`) as the push before, and this finds it without touching the tables.
    recent: Option<(u32, TagName)>,
}

impl Tags {
    fn find(&self, name: &[u8]) -> Option<u32> {
        if let Some((id, n)) = &self.recent
            && n.bytes() == name
        {
            return Some(*id);
        }
        let names = &self.names;
        self.by_name
            .find(tag_hash(name), |&id| names[id as usize].bytes() == name)
            .copied()
    }

    fn add(&mut self, name: &[u8], owner: u32, pos: u32) -> u32 {
        let id = match self.free.pop() {
            Some(id) => {
                self.names[id as usize] = TagName::new(name);
                self.owner[id as usize] = owner;
                self.pos[id as usize] = pos;
                id
            }
            None => {
                self.names.push(TagName::new(name));
                self.owner.push(owner);
                self.pos.push(pos);
                (self.names.len() - 1) as u32
            }
        };
        let names = &self.names;
        self.by_name
            .insert_unique(tag_hash(name), id, |&i| tag_hash(names[i as usize].bytes()));
        id
    }

    /// Remembers the tag a push named (short tags only: they are copied).
    fn remember(&mut self, id: u32, name: &[u8]) {
        if name.len() <= 22 {
            self.recent = Some((id, TagName::new(name)));
        }
    }

    fn release(&mut self, id: u32) {
        if self.recent.as_ref().is_some_and(|(r, _)| *r == id) {
            self.recent = None;
        }
        let h = tag_hash(self.names[id as usize].bytes());
        if let Ok(e) = self.by_name.find_entry(h, |&i| i == id) {
            e.remove();
        }
        self.names[id as usize] = TagName::Inline(0, [0; 22]);
        self.owner[id as usize] = u32::MAX;
        self.free.push(id);
    }
}

/// The image slots of a repository. A deleted image's slot is reused with a new
/// generation, so queued deadlines of the old image are recognised and skipped.
#[derive(Clone, Default)]
pub struct ImageStore {
    images: Vec<Image>,
    free: Vec<u32>,
    index: DigestIndex,
    tags: Tags,
    /// Slots of the images whose counted status is `active`.
    active: Vec<u32>,
}

impl ImageStore {
    pub fn new() -> Self {
        ImageStore::default()
    }

    /// The live image with this digest.
    #[inline]
    pub fn lookup(&self, digest: DigestRef) -> Option<u32> {
        self.lookup_hashed(digest, digest.hash64())
    }

    /// The live image with this digest, given its [`DigestRef::hash64`].
    #[inline]
    pub fn lookup_hashed(&self, digest: DigestRef, h: u64) -> Option<u32> {
        let images = &self.images;
        self.index
            .find(h, |s| images[s as usize].digest.as_ref() == digest)
            .map(|(_, s)| s)
    }

    /// Starts loading the index entry of a digest hash (a first step, well ahead).
    #[inline]
    pub fn prefetch_entry(&self, h: u64) {
        if let Some(e) = self.index.entries.get(h as usize & self.index.mask()) {
            prefetch(e);
        }
    }

    /// Starts loading the image a digest hash probably names (a second step, once its
    /// index entry is in cache).
    #[inline]
    pub fn prefetch_image(&self, h: u64) {
        if let Some((_, s)) = self.index.find(h, |_| true) {
            prefetch_all(&self.images[s as usize]);
        }
    }

    pub fn image(&self, slot: u32) -> &Image {
        &self.images[slot as usize]
    }

    /// Whether `slot` still holds the image a deadline was queued for.
    #[inline]
    pub fn is_current(&self, slot: u32, generation: u32) -> bool {
        let img = &self.images[slot as usize];
        img.generation == generation && img.live
    }

    /// Starts loading an image (a day end prefetches the images of its deadlines).
    #[inline]
    pub fn prefetch_slot(&self, slot: u32) {
        if let Some(img) = self.images.get(slot as usize) {
            prefetch_all(img);
        }
    }

    pub fn image_mut(&mut self, slot: u32) -> &mut Image {
        &mut self.images[slot as usize]
    }

    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// Slots ever used (live or free).
    pub fn slots(&self) -> u32 {
        self.images.len() as u32
    }

    /// The tags of a live image.
    pub fn tags(&self, slot: u32) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        self.images[slot as usize]
            .tags
            .iter()
            .map(|&id| self.tags.names[id as usize].bytes())
    }

    /// The live image holding `tag`, if any.
    pub fn tag_owner(&self, tag: &[u8]) -> Option<u32> {
        self.tags.find(tag).map(|id| self.tags.owner[id as usize])
    }

    /// A new live image; returns its slot.
    pub fn create(&mut self, t: i64, digest: DigestRef, supported: bool, seq: u64) -> u32 {
        let slot = match self.free.pop() {
            Some(s) => {
                let generation = self.images[s as usize].generation;
                self.images[s as usize] =
                    Image::new(t, digest.to_owned(), supported, seq, generation);
                s
            }
            None => {
                self.images
                    .push(Image::new(t, digest.to_owned(), supported, seq, 0));
                (self.images.len() - 1) as u32
            }
        };
        self.index.insert(digest.hash64(), slot);
        slot
    }

    /// Removes a live image: its tags, its digest entry; the slot is reused later.
    pub fn remove(&mut self, slot: u32) {
        for id in std::mem::take(&mut self.images[slot as usize].tags) {
            self.tags.release(id);
        }
        let img = &mut self.images[slot as usize];
        let h = img.digest.as_ref().hash64();
        img.digest = Digest::Text(Box::default());
        img.live = false;
        img.monitored = false;
        img.generation = img.generation.wrapping_add(1);
        if let Some((pos, _)) = self.index.find(h, |s| s == slot) {
            self.index.remove_at(pos);
        }
        self.free.push(slot);
    }

    /// Gives `tag` to the image in `slot`; returns the image it was taken from. Constant
    /// time whatever the number of tags of either image.
    pub fn move_tag(&mut self, slot: u32, tag: &[u8]) -> Option<u32> {
        let to_pos = self.images[slot as usize].tags.len() as u32;
        let Some(id) = self.tags.find(tag) else {
            let id = self.tags.add(tag, slot, to_pos);
            self.images[slot as usize].tags.push(id);
            return None;
        };
        self.tags.remember(id, tag);
        let from = self.tags.owner[id as usize];
        if from == slot {
            return None;
        }
        let list = &mut self.images[from as usize].tags;
        let p = self.tags.pos[id as usize] as usize;
        list.swap_remove(p);
        if let Some(&moved) = list.get(p) {
            self.tags.pos[moved as usize] = p as u32;
        }
        self.tags.owner[id as usize] = slot;
        self.tags.pos[id as usize] = to_pos;
        self.images[slot as usize].tags.push(id);
        Some(from)
    }

    pub fn active_count(&self) -> usize {
        self.active.len()
    }

    /// The slot of the `k`-th active image.
    pub fn active_slot(&self, k: usize) -> u32 {
        self.active[k]
    }

    pub fn add_active(&mut self, slot: u32) {
        self.images[slot as usize].active_pos = self.active.len() as u32;
        self.active.push(slot);
    }

    pub fn remove_active(&mut self, slot: u32) {
        let pos = self.images[slot as usize].active_pos as usize;
        self.active.swap_remove(pos);
        if let Some(&moved) = self.active.get(pos) {
            self.images[moved as usize].active_pos = pos as u32;
        }
    }
}

/// A queued deadline: (instant, slot, generation of the image when queued).
pub type Deadline = (i64, u32, u32);

/// Deadlines in day buckets: they act only at midnights, so a push is an append to its
/// day's bucket and a day end takes whole buckets. Entries of images deleted since (their
/// slot's generation moved on) are skipped by the caller ([`ImageStore::is_current`]);
/// entries made stale by a later clock are re-queued by the caller.
#[derive(Debug, Clone, Default)]
pub struct DeadlineQueue {
    /// `days[k]` holds the entries of day `first + k`.
    first: i64,
    days: VecDeque<Vec<Deadline>>,
    /// Entries of days already taken (queued late, as after a change of settings): all
    /// due at the next take.
    overdue: Vec<Deadline>,
    /// Entries far before `first` (deadlines of old images after a change of settings),
    /// looked through at every take; nearly always empty.
    early: Vec<Deadline>,
    /// The day of the last take.
    taken: i64,
    /// A few emptied buckets, to reuse their memory (a bucket a day per repository
    /// would otherwise be allocated and grown anew).
    spare: Vec<Vec<Deadline>>,
}

/// Emptied buckets kept for reuse, at most.
const SPARE: usize = 4;

/// How far before its first bucket the ring is extended for an entry.
const EXTEND: i64 = 64;

impl DeadlineQueue {
    pub fn push(&mut self, at: i64, slot: u32, generation: u32) {
        let day = at.div_euclid(DAY);
        if day < self.taken {
            self.overdue.push((at, slot, generation));
            return;
        }
        if self.days.is_empty() {
            self.first = day;
        }
        if day + EXTEND < self.first {
            self.early.push((at, slot, generation));
            return;
        }
        while day < self.first {
            let v = self.spare.pop().unwrap_or_default();
            self.days.push_front(v);
            self.first -= 1;
        }
        let k = (day - self.first) as usize;
        while self.days.len() <= k {
            let v = self.spare.pop().unwrap_or_default();
            self.days.push_back(v);
        }
        self.days[k].push((at, slot, generation));
    }

    /// Takes every entry before `before` (stale ones included) into `out`, in (instant,
    /// slot, generation) order. `before` never decreases from one call to the next.
    pub fn take_before(&mut self, before: i64, out: &mut Vec<Deadline>) {
        out.clear();
        out.append(&mut self.overdue);
        if !self.early.is_empty() {
            out.extend(self.early.iter().filter(|e| e.0 < before));
            self.early.retain(|e| e.0 >= before);
        }
        let last_day = (before - 1).div_euclid(DAY);
        while self.first <= last_day
            && let Some(bucket) = self.days.front_mut()
        {
            if self.first == last_day && bucket.iter().any(|e| e.0 >= before) {
                // The day of `before` itself, when `before` is not a midnight of UTC.
                out.extend(bucket.iter().filter(|e| e.0 < before));
                bucket.retain(|e| e.0 >= before);
                break;
            }
            out.append(bucket);
            if let Some(v) = self.days.pop_front()
                && self.spare.len() < SPARE
            {
                self.spare.push(v);
            }
            self.first += 1;
        }
        self.taken = self.taken.max(last_day);
        out.sort_unstable();
    }

    pub fn clear(&mut self) {
        self.overdue.clear();
        self.early.clear();
        self.days.clear();
    }

    /// The earliest instant queued (stale entries included).
    pub fn peek_at(&self) -> Option<i64> {
        let first_day = self.days.iter().find(|v| !v.is_empty());
        self.overdue
            .iter()
            .chain(&self.early)
            .chain(first_day.into_iter().flatten())
            .map(|e| e.0)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> DigestRef<'static> {
        DigestRef::Sha256([n; 32])
    }

    #[test]
    fn slots_are_reused_with_a_new_generation() {
        let mut s = ImageStore::new();
        let a = s.create(0, d(1), true, 1);
        let b = s.create(0, DigestRef::Text(b"x"), true, 2);
        assert_eq!(s.lookup(d(1)), Some(a));
        assert_eq!(s.lookup(DigestRef::Text(b"x")), Some(b));
        s.remove(a);
        assert_eq!(s.lookup(d(1)), None);
        let c = s.create(5, d(3), true, 3);
        assert_eq!(c, a, "the freed slot is reused");
        assert_eq!(s.image(c).generation, 1);
        assert_eq!(s.lookup(d(3)), Some(c));
    }

    #[test]
    fn the_index_survives_growth_and_removals_in_colliding_runs() {
        let mut s = ImageStore::new();
        // Digests whose hashes share their low bits probe the same run of entries.
        let digests: Vec<[u8; 32]> = (0..2000u32)
            .map(|i| {
                let mut b = [0u8; 32];
                b[..4].copy_from_slice(&i.to_be_bytes());
                b
            })
            .collect();
        let mut slots = Vec::new();
        for (i, b) in digests.iter().enumerate() {
            slots.push(s.create(0, DigestRef::Sha256(*b), true, i as u64));
        }
        for (i, b) in digests.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
            s.remove(slots[i]);
            assert_eq!(s.lookup(DigestRef::Sha256(*b)), None);
        }
        for (i, b) in digests.iter().enumerate() {
            let want = (i % 3 != 0).then_some(slots[i]);
            assert_eq!(s.lookup(DigestRef::Sha256(*b)), want, "digest {i}");
        }
    }

    #[test]
    fn a_tag_has_one_owner() {
        let mut s = ImageStore::new();
        let a = s.create(0, d(1), true, 1);
        let b = s.create(0, d(2), true, 2);
        assert_eq!(s.move_tag(a, b"latest"), None);
        assert_eq!(s.move_tag(a, b"latest"), None, "already the owner");
        assert_eq!(s.tags(a).count(), 1);
        assert_eq!(s.move_tag(b, b"latest"), Some(a));
        assert_eq!(s.tags(a).count(), 0);
        s.remove(b);
        assert_eq!(s.move_tag(a, b"latest"), None, "the deleted owner let go");
    }

    #[test]
    fn tags_keep_their_order_when_others_move_away() {
        let mut s = ImageStore::new();
        let a = s.create(0, d(1), true, 1);
        let b = s.create(0, d(2), true, 2);
        let long = [b'x'; 40];
        for t in [&b"t1"[..], b"t2", &long, b"t4"] {
            s.move_tag(a, t);
        }
        assert_eq!(s.move_tag(b, b"t2"), Some(a));
        // As a swap-remove leaves them: the last tag takes the place of the one gone.
        let left: Vec<&[u8]> = s.tags(a).collect();
        assert_eq!(left, vec![&b"t1"[..], b"t4", &long]);
        assert_eq!(s.move_tag(b, &long), Some(a));
        assert_eq!(s.tags(a).collect::<Vec<_>>(), vec![&b"t1"[..], b"t4"]);
        assert_eq!(s.tags(b).collect::<Vec<_>>(), vec![&b"t2"[..], &long]);
    }

    #[test]
    fn the_queue_takes_due_entries_in_order() {
        let mut q = DeadlineQueue::default();
        q.push(DAY + 20, 2, 0);
        q.push(DAY + 10, 1, 0);
        q.push(-5 * DAY, 2, 0);
        q.push(3 * DAY, 1, 0);
        assert_eq!(q.peek_at(), Some(-5 * DAY));
        let mut out = Vec::new();
        q.take_before(2 * DAY, &mut out);
        assert_eq!(
            out,
            vec![(-5 * DAY, 2, 0), (DAY + 10, 1, 0), (DAY + 20, 2, 0)]
        );
        assert_eq!(q.peek_at(), Some(3 * DAY));
        // Queued late (a day already taken): due at the next take.
        q.push(DAY / 2, 3, 0);
        q.push(2 * DAY + 30, 2, 0);
        q.take_before(2 * DAY + 30, &mut out);
        assert_eq!(out, vec![(DAY / 2, 3, 0)], "not before the instant itself");
        q.take_before(2 * DAY + 31, &mut out);
        assert_eq!(out, vec![(2 * DAY + 30, 2, 0)]);
        // Far before the first bucket, and far after it.
        q.push(400 * DAY, 4, 0);
        q.push(300 * DAY, 5, 0);
        q.push(100 * DAY, 6, 0);
        assert_eq!(q.peek_at(), Some(3 * DAY));
        q.take_before(301 * DAY, &mut out);
        let want = [(3 * DAY, 1, 0), (100 * DAY, 6, 0), (300 * DAY, 5, 0)];
        assert_eq!(out, want);
        assert_eq!(q.peek_at(), Some(400 * DAY));
        q.clear();
        assert_eq!(q.peek_at(), None);
    }
}
