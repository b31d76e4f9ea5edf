//! The images of one repository: a slot table with a digest index, the tags and who
//! holds each tag, the list of active images, and the deadline heaps of the day ends.
//! No scanning rule lives here; `repo.rs` applies the rules through this store.

use crate::base::digest::{Digest, DigestRef};
use crate::rules::{Clocks, NEVER, Status};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::BuildHasher;

/// One image. `repr(C)` with the fields a lookup and a pull touch first: an event
/// usually needs only the first cache line. Tags live beside the images (few events
/// read them).
#[derive(Debug, Clone)]
#[repr(C)]
pub struct Image {
    pub generation: u32,
    pub(super) active_pos: u32,
    pub digest: Digest,
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
    /// Lifecycle rules selecting this image, as last accounted.
    pub(super) lifecycle_mask: u64,
    /// What the counters hold for this image.
    pub(super) counted: Status,
    pub(super) counted_in_use: bool,
    pub pushed_at: i64,
    pub activated_at: i64,
    pub last_pull: i64,
    pub last_in_use: i64,
    pub archived_at: i64,
    pub last_basic_scan: i64,
    pub created_seq: u64,
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
            counted: Status::NotScanned,
            counted_in_use: false,
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

fn hash(d: DigestRef) -> u64 {
    FxBuildHasher.hash_one(d)
}

const RECENT: usize = 8;

/// The image slots of a repository. A deleted image's slot is reused with a new
/// generation, so queued deadlines of the old image are recognised and skipped.
#[derive(Clone, Default)]
pub struct ImageStore {
    images: Vec<Image>,
    tags: Vec<Vec<Box<[u8]>>>,
    free: Vec<u32>,
    /// Slots by digest; the digest itself lives in the image.
    by_digest: HashTable<u32>,
    /// The last images looked up, (hash, slot): traffic names recent images far more
    /// often than old ones, and these hit in cache where the table misses.
    recent: std::cell::Cell<[(u32, u32); RECENT]>,
    recent_next: std::cell::Cell<u8>,
    tag_owner: FxHashMap<Box<[u8]>, u32>,
    /// Slots of the images whose counted status is `active`.
    active: Vec<u32>,
}

impl ImageStore {
    pub fn new() -> Self {
        ImageStore {
            recent: std::cell::Cell::new([(0, u32::MAX); RECENT]),
            ..ImageStore::default()
        }
    }

    /// The live image with this digest.
    pub fn lookup(&self, digest: DigestRef) -> Option<u32> {
        let h = hash(digest);
        let images = &self.images;
        let is = |s: u32| {
            let i = &images[s as usize];
            i.live && i.digest.as_ref() == digest
        };
        let mut recent = self.recent.get();
        if let Some(&(_, s)) = recent
            .iter()
            .find(|&&(rh, s)| rh == h as u32 && s != u32::MAX && is(s))
        {
            return Some(s);
        }
        let found = self.by_digest.find(h, |&s| is(s)).copied();
        if let Some(s) = found {
            let k = self.recent_next.get();
            recent[k as usize] = (h as u32, s);
            self.recent.set(recent);
            self.recent_next.set((k + 1) % RECENT as u8);
        }
        found
    }

    pub fn image(&self, slot: u32) -> &Image {
        &self.images[slot as usize]
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

    pub fn tags(&self, slot: u32) -> &[Box<[u8]>] {
        &self.tags[slot as usize]
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
                self.tags.push(Vec::new());
                (self.images.len() - 1) as u32
            }
        };
        let images = &self.images;
        self.by_digest.insert_unique(hash(digest), slot, |&s| {
            hash(images[s as usize].digest.as_ref())
        });
        slot
    }

    /// Removes a live image: its tags, its digest entry; the slot is reused later.
    pub fn remove(&mut self, slot: u32) {
        for tag in std::mem::take(&mut self.tags[slot as usize]) {
            self.tag_owner.remove(&tag);
        }
        let img = &mut self.images[slot as usize];
        let h = hash(img.digest.as_ref());
        img.digest = Digest::Text(Box::default());
        img.live = false;
        img.monitored = false;
        img.generation = img.generation.wrapping_add(1);
        if let Ok(e) = self.by_digest.find_entry(h, |&s| s == slot) {
            e.remove();
        }
        self.free.push(slot);
    }

    /// Gives `tag` to the image in `slot`; returns the image it was taken from.
    pub fn move_tag(&mut self, slot: u32, tag: &[u8]) -> Option<u32> {
        let from = match self.tag_owner.get_mut(tag) {
            Some(owner) if *owner == slot => return None,
            Some(owner) => {
                let from = std::mem::replace(owner, slot);
                let tags = &mut self.tags[from as usize];
                if let Some(p) = tags.iter().position(|x| **x == *tag) {
                    tags.swap_remove(p);
                }
                Some(from)
            }
            None => {
                self.tag_owner.insert(tag.into(), slot);
                None
            }
        };
        self.tags[slot as usize].push(tag.into());
        from
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

/// A min-heap of (instant, slot, generation) with lazy deletion: entries of images
/// deleted since (their slot's generation moved on) are skipped when they surface, and
/// entries made stale by a later clock are re-queued by the caller.
#[derive(Debug, Clone, Default)]
pub struct DeadlineHeap(BinaryHeap<Reverse<(i64, u32, u32)>>);

impl DeadlineHeap {
    pub fn push(&mut self, at: i64, slot: u32, generation: u32) {
        self.0.push(Reverse((at, slot, generation)));
    }

    /// The next entry before `before` whose image is still the one queued.
    pub fn pop_before(&mut self, before: i64, store: &ImageStore) -> Option<(i64, u32, u32)> {
        while let Some(&Reverse((at, slot, generation))) = self.0.peek() {
            if at >= before {
                return None;
            }
            self.0.pop();
            let img = store.image(slot);
            if img.generation == generation && img.live {
                return Some((at, slot, generation));
            }
        }
        None
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn peek_at(&self) -> Option<i64> {
        self.0.peek().map(|Reverse((at, _, _))| *at)
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
    fn a_tag_has_one_owner() {
        let mut s = ImageStore::new();
        let a = s.create(0, d(1), true, 1);
        let b = s.create(0, d(2), true, 2);
        assert_eq!(s.move_tag(a, b"latest"), None);
        assert_eq!(s.move_tag(a, b"latest"), None, "already the owner");
        assert_eq!(s.tags(a).len(), 1);
        assert_eq!(s.move_tag(b, b"latest"), Some(a));
        assert!(s.tags(a).is_empty());
        s.remove(b);
        assert_eq!(s.move_tag(a, b"latest"), None, "the deleted owner let go");
    }

    #[test]
    fn the_heap_skips_deleted_images() {
        let mut s = ImageStore::new();
        let a = s.create(0, d(1), true, 1);
        let b = s.create(0, d(2), true, 2);
        let mut h = DeadlineHeap::default();
        h.push(10, a, 0);
        h.push(20, b, 0);
        s.remove(a);
        assert_eq!(h.pop_before(100, &s), Some((20, b, 0)));
        assert_eq!(h.pop_before(100, &s), None);
    }
}
