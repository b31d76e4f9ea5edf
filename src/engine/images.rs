//! `run --images`: what each image cost, kept beside the image slots only when asked
//! for, and the table of the images live at the end of a run.

use crate::rules::Status;

/// Scans and cost of one image during the reported days (from day 0 on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub enhanced: u32,
    pub basic: u32,
    pub cost_micro: i64,
}

/// The tallies of a repository's images, by slot.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    /// Instant of day 0: scans before it are history.
    start: i64,
    by_slot: Vec<Tally>,
}

impl Tallies {
    pub fn new(start: i64) -> Self {
        Tallies {
            start,
            by_slot: Vec::new(),
        }
    }

    /// A new image in `slot` starts from nothing.
    pub fn created(&mut self, slot: u32) {
        let s = slot as usize;
        if self.by_slot.len() <= s {
            self.by_slot.resize(s + 1, Tally::default());
        }
        self.by_slot[s] = Tally::default();
    }

    pub fn enhanced(&mut self, slot: u32, t: i64, price_micro: i64) {
        if let Some(x) = self.by_slot.get_mut(slot as usize)
            && t >= self.start
        {
            x.enhanced += 1;
            x.cost_micro += price_micro;
        }
    }

    pub fn basic(&mut self, slot: u32, t: i64) {
        if let Some(x) = self.by_slot.get_mut(slot as usize)
            && t >= self.start
        {
            x.basic += 1;
        }
    }

    pub fn get(&self, slot: u32) -> Tally {
        self.by_slot.get(slot as usize).copied().unwrap_or_default()
    }
}

/// One image live at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub repository: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub status: Status,
    pub pushed_at: i64,
    /// `None`: never pulled, never seen in use, never restored.
    pub last_pull: Option<i64>,
    pub last_in_use: Option<i64>,
    pub activated_at: Option<i64>,
    pub tally: Tally,
    pub open_findings: u64,
}
