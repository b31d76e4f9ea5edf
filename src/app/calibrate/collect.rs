//! One pass over a trace into per-group and per-repository accumulators: nothing holds
//! the rows, only counts, histograms by image age and a few numbers per live image (so
//! memory follows the live images, not the trace length).

use super::groups::GroupRules;
use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::base::hash::stable_hash;
use crate::base::time::DAY;
use crate::model::event::{Event, EventKind};
use rustc_hash::FxHashMap;

/// Ages (days since push) the pull histograms keep; older pulls are not counted.
pub const MAX_AGE: usize = 3660;

/// Samples kept for medians (deploy lags, ages at delete): the first ones seen.
const MAX_SAMPLES: usize = 1 << 20;

/// Distinct non-version tags counted per group (the moving tag is among the first).
const MAX_TAGS: usize = 4096;

/// What a group's traffic showed.
#[derive(Debug, Clone)]
pub struct GroupStats {
    pub name: String,
    pub repos: Vec<u32>,
    /// Pushes (one per push instant of a repository, whatever its platforms) by day
    /// since the first day of the trace.
    pub daily_pushes: Vec<u64>,
    pub pushes: u64,
    /// Pushes by weekday, Monday first.
    pub by_weekday: [u64; 7],
    /// Images of all pushes, image indexes excluded.
    pub images: u64,
    pub unsupported: u64,
    /// Pushes whose tags went to an unsupported last image (an image index).
    pub index_pushes: u64,
    pub version_tagged: u64,
    pub tags: FxHashMap<Box<[u8]>, u64>,
    pub in_use_rows: u64,
    pub pull_rows: u64,
    /// Images seen in use at least once (deployed).
    pub deployed_images: u64,
    /// Push to first in-use observation, seconds.
    pub deploy_lags: Vec<i64>,
    /// Deployed images by how many newer deployments they outlived.
    pub outlived: Vec<u64>,
    /// Pulls on days an image was also seen in use, and those days.
    pub deploy_pulls: u64,
    pub deploy_days: u64,
    pub deploy_days_by_age: Vec<f64>,
    /// Pulls on other days, by age, and the days images were alive, by age.
    pub old_pulls_by_age: Vec<f64>,
    pub alive_by_age: Vec<f64>,
    /// Age at delete, seconds.
    pub delete_ages: Vec<i64>,
    pub deletes: u64,
}

impl GroupStats {
    fn new(name: String) -> Self {
        GroupStats {
            name,
            repos: Vec::new(),
            daily_pushes: Vec::new(),
            pushes: 0,
            by_weekday: [0; 7],
            images: 0,
            unsupported: 0,
            index_pushes: 0,
            version_tagged: 0,
            tags: FxHashMap::default(),
            in_use_rows: 0,
            pull_rows: 0,
            deployed_images: 0,
            deploy_lags: Vec::new(),
            outlived: Vec::new(),
            deploy_pulls: 0,
            deploy_days: 0,
            deploy_days_by_age: Vec::new(),
            old_pulls_by_age: Vec::new(),
            alive_by_age: Vec::new(),
            delete_ages: Vec::new(),
            deletes: 0,
        }
    }
}

/// One repository.
#[derive(Debug, Clone)]
pub struct RepoStats {
    pub name: String,
    pub group: u32,
    pub first_time: i64,
    pub pushes: u64,
    /// Pushes by week since the first day of the trace.
    pub weekly: Vec<u64>,
    /// Live supported images now.
    live_supported: i64,
    /// The push being read (rows at one instant are one push of several platforms).
    push_at: i64,
    push_images: u32,
    push_tagged: bool,
    last_image: u128,
    last_tagged_unsupported: bool,
    /// Instants of deployments (first in-use of an image), in order.
    deploys: Vec<i64>,
    /// (first in-use, last in-use) of its images that are gone or finished.
    deployed: Vec<(i64, i64)>,
}

/// One live image.
#[derive(Debug, Clone, Copy)]
struct Image {
    pushed_at: i64,
    first_in_use: i64,
    last_in_use: i64,
    /// The day (since the epoch) being counted, its pulls and whether it was in use.
    day: i64,
    day_pulls: u32,
    day_in_use: bool,
    supported: bool,
    index: bool,
    pulls: u32,
}

const NONE: i64 = i64::MIN;

/// Everything one pass over a trace learns.
pub struct Collector<'r> {
    rules: &'r GroupRules,
    pub groups: Vec<GroupStats>,
    group_of: FxHashMap<String, u32>,
    pub repos: Vec<RepoStats>,
    repo_of: FxHashMap<Box<[u8]>, u32>,
    /// Repository by the source's number for it (`Event::repo_id`), `u32::MAX` unknown.
    by_source_id: Vec<u32>,
    images: FxHashMap<(u32, u128), Image>,
    pub rows: u64,
    pub first_time: i64,
    pub last_time: i64,
    /// Images pulled three times or more, and in-use observations after an image's
    /// first: a snapshot (describe-images, list-coverage: at most one pull from each)
    /// has none of them, nor deletes.
    pub repeat_pulls: u64,
    pub repeat_in_use: u64,
    /// Vulnerability-feed rows naming an image, and live supported images at each day's
    /// end, by day since the first day.
    pub triggers_by_day: Vec<u64>,
    /// Repository-wide vulndb_update rows, counted as a trigger for each live
    /// supported image of the repository.
    pub repo_wide_triggers: u64,
    /// Days with a registry-wide vulndb_update row (every active image rescanned).
    pub registry_wide_days: u64,
    last_registry_wide_day: i64,
    pub live_supported_by_day: Vec<i64>,
    live_supported: i64,
}

/// A digest as 128 bits: canonical digests are already random bytes.
fn digest_key(d: Option<DigestRef>) -> u128 {
    match d {
        Some(DigestRef::Sha256(b)) => u128::from_le_bytes(b[..16].try_into().unwrap_or([0; 16])),
        Some(DigestRef::Text(t)) => {
            let mut rev = t.to_vec();
            rev.reverse();
            (stable_hash(t) as u128) << 64 | stable_hash(&rev) as u128
        }
        None => 0,
    }
}

fn bump(v: &mut Vec<u64>, i: usize, n: u64) {
    if v.len() <= i {
        v.resize(i + 1, 0);
    }
    v[i] += n;
}

fn sample(v: &mut Vec<i64>, x: i64) {
    if v.len() < MAX_SAMPLES {
        v.push(x);
    }
}

impl<'r> Collector<'r> {
    pub fn new(rules: &'r GroupRules) -> Self {
        Collector {
            rules,
            groups: Vec::new(),
            group_of: FxHashMap::default(),
            repos: Vec::new(),
            repo_of: FxHashMap::default(),
            by_source_id: Vec::new(),
            images: FxHashMap::default(),
            rows: 0,
            first_time: NONE,
            last_time: NONE,
            repeat_pulls: 0,
            repeat_in_use: 0,
            triggers_by_day: Vec::new(),
            repo_wide_triggers: 0,
            registry_wide_days: 0,
            last_registry_wide_day: NONE,
            live_supported_by_day: Vec::new(),
            live_supported: 0,
        }
    }

    /// The first day of the trace (a day index since the epoch).
    pub fn first_day(&self) -> i64 {
        self.first_time.div_euclid(DAY)
    }

    /// Days from the first to the last day of the trace.
    pub fn span_days(&self) -> i64 {
        if self.rows == 0 {
            0
        } else {
            self.last_time.div_euclid(DAY) - self.first_day() + 1
        }
    }

    fn day_index(&self, t: i64) -> usize {
        (t.div_euclid(DAY) - self.first_day()).max(0) as usize
    }

    fn repo(&mut self, name: &[u8], t: i64) -> u32 {
        if let Some(&r) = self.repo_of.get(name) {
            return r;
        }
        let text = String::from_utf8_lossy(name).into_owned();
        let gname = self.rules.group_of(&text);
        let g = match self.group_of.get(&gname) {
            Some(&g) => g,
            None => {
                let g = self.groups.len() as u32;
                self.groups.push(GroupStats::new(gname.clone()));
                self.group_of.insert(gname, g);
                g
            }
        };
        let r = self.repos.len() as u32;
        self.groups[g as usize].repos.push(r);
        self.repos.push(RepoStats {
            name: text,
            group: g,
            first_time: t,
            pushes: 0,
            weekly: Vec::new(),
            live_supported: 0,
            push_at: NONE,
            push_images: 0,
            push_tagged: false,
            last_image: 0,
            last_tagged_unsupported: false,
            deploys: Vec::new(),
            deployed: Vec::new(),
        });
        self.repo_of.insert(name.into(), r);
        r
    }

    /// Reads one event of the trace (in time order).
    pub fn add(&mut self, ev: &Event) -> Result<()> {
        if self.rows == 0 {
            self.first_time = ev.time;
        }
        self.rows += 1;
        self.end_days_before(ev.time);
        self.last_time = ev.time;
        if ev.repo.is_empty() {
            // Only a registry-wide vulndb_update names no repository.
            let day = ev.time.div_euclid(DAY);
            if ev.kind == EventKind::VulndbUpdate && day != self.last_registry_wide_day {
                self.last_registry_wide_day = day;
                self.registry_wide_days += 1;
            }
            return Ok(());
        }
        let r = match self.by_source_id.get(ev.repo_id as usize) {
            Some(&r) if r != u32::MAX => r,
            _ => {
                let r = self.repo(ev.repo, ev.time);
                if ev.repo_id != Event::NO_REPO_ID {
                    let k = ev.repo_id as usize;
                    if k >= self.by_source_id.len() {
                        self.by_source_id.resize(k + 1, u32::MAX);
                    }
                    self.by_source_id[k] = r;
                }
                r
            }
        };
        let key = (r, digest_key(ev.digest));
        match ev.kind {
            EventKind::Push => self.push(r, key, ev),
            EventKind::Pull => self.pull(key, ev.time),
            EventKind::InUse => self.in_use(key, ev.time),
            EventKind::Delete => self.delete(key, ev.time),
            EventKind::VulndbUpdate if ev.digest.is_some() => {
                let d = self.day_index(ev.time);
                bump(&mut self.triggers_by_day, d, 1);
            }
            EventKind::VulndbUpdate => {
                self.repo_wide_triggers += self.repos[r as usize].live_supported.max(0) as u64;
            }
            _ => {}
        }
        Ok(())
    }

    /// Records the live supported images at the end of every day before `t`'s.
    fn end_days_before(&mut self, t: i64) {
        let d = self.day_index(t);
        while self.live_supported_by_day.len() < d {
            self.live_supported_by_day.push(self.live_supported);
        }
    }

    fn push(&mut self, r: u32, key: (u32, u128), ev: &Event) {
        let t = ev.time;
        let repo = &mut self.repos[r as usize];
        if repo.push_at != t {
            self.finish_push(r);
        }
        let repo = &mut self.repos[r as usize];
        repo.push_at = t;
        repo.push_images += 1;
        repo.last_image = key.1;
        repo.last_tagged_unsupported = !ev.supported && ev.tags().next().is_some();
        let g = &mut self.groups[repo.group as usize];
        g.images += 1;
        if !ev.supported {
            g.unsupported += 1;
        }
        // One image of a push carries its tags (the first platform, or the index).
        if !repo.push_tagged && ev.tags().next().is_some() {
            repo.push_tagged = true;
            for tag in ev.tags() {
                count_tag(g, tag);
            }
        }
        if let Some(old) = self.images.remove(&key) {
            self.finish_image(key, old, t);
        }
        if ev.supported {
            self.live_supported += 1;
            self.repos[r as usize].live_supported += 1;
        }
        self.images.insert(
            key,
            Image {
                pushed_at: t,
                first_in_use: NONE,
                last_in_use: NONE,
                day: t.div_euclid(DAY),
                day_pulls: 0,
                day_in_use: false,
                supported: ev.supported,
                index: false,
                pulls: 0,
            },
        );
    }

    /// Ends the push being read of repository `r`: one push, its platforms, and whether
    /// its tags went to an image index (an unsupported last image).
    fn finish_push(&mut self, r: u32) {
        let d = self.day_index(self.repos[r as usize].push_at);
        let repo = &mut self.repos[r as usize];
        if repo.push_images == 0 {
            return;
        }
        let g = &mut self.groups[repo.group as usize];
        repo.pushes += 1;
        g.pushes += 1;
        bump(&mut g.daily_pushes, d, 1);
        bump(&mut repo.weekly, d / 7, 1);
        g.by_weekday[weekday(repo.push_at.div_euclid(DAY))] += 1;
        if repo.push_images > 1 && repo.last_tagged_unsupported {
            g.index_pushes += 1;
            g.images -= 1;
            g.unsupported -= 1;
            if let Some(img) = self.images.get_mut(&(r, repo.last_image)) {
                img.index = true;
            }
        }
        repo.push_images = 0;
        repo.push_tagged = false;
    }

    /// Moves an image's pulls of the day being counted into the histograms, by the
    /// image's age at the middle of that day. Days are calendar days because
    /// deployments are observed in use once a calendar day.
    fn flush_day(g: &mut GroupStats, img: &mut Image) {
        let mid = img.day * DAY + DAY / 2;
        let a = ((mid - img.pushed_at).div_euclid(DAY)).max(0) as usize;
        if img.day_in_use {
            g.deploy_pulls += img.day_pulls as u64;
            g.deploy_days += 1;
            if a < MAX_AGE {
                add_at(&mut g.deploy_days_by_age, a, 1.0);
            }
        } else if a < MAX_AGE {
            add_at(&mut g.old_pulls_by_age, a, img.day_pulls as f64);
        }
        img.day_pulls = 0;
        img.day_in_use = false;
    }

    /// The image of `key` with its day moved on to `t`'s.
    fn at_day<'a>(
        groups: &mut [GroupStats],
        repos: &[RepoStats],
        images: &'a mut FxHashMap<(u32, u128), Image>,
        key: (u32, u128),
        t: i64,
    ) -> Option<&'a mut Image> {
        let img = images.get_mut(&key)?;
        let day = t.div_euclid(DAY);
        if day != img.day {
            Self::flush_day(&mut groups[repos[key.0 as usize].group as usize], img);
            img.day = day;
        }
        Some(img)
    }

    fn pull(&mut self, key: (u32, u128), t: i64) {
        let g = self.repos[key.0 as usize].group as usize;
        self.groups[g].pull_rows += 1;
        if let Some(img) = Self::at_day(&mut self.groups, &self.repos, &mut self.images, key, t) {
            img.day_pulls += 1;
            img.pulls += 1;
            if img.pulls == 3 {
                self.repeat_pulls += 1;
            }
        }
    }

    fn in_use(&mut self, key: (u32, u128), t: i64) {
        let g = self.repos[key.0 as usize].group as usize;
        self.groups[g].in_use_rows += 1;
        let Some(img) = Self::at_day(&mut self.groups, &self.repos, &mut self.images, key, t)
        else {
            return;
        };
        img.day_in_use = true;
        img.last_in_use = t;
        if img.first_in_use == NONE {
            img.first_in_use = t;
            let (pushed_at, index) = (img.pushed_at, img.index);
            let repo = &mut self.repos[key.0 as usize];
            // The platform images of one push are one deployment.
            if repo.deploys.last() != Some(&t) {
                repo.deploys.push(t);
            }
            if !index {
                let g = &mut self.groups[repo.group as usize];
                g.deployed_images += 1;
                sample(&mut g.deploy_lags, t - pushed_at);
            }
        } else {
            self.repeat_in_use += 1;
        }
    }

    fn delete(&mut self, key: (u32, u128), t: i64) {
        if let Some(img) = self.images.remove(&key) {
            let g = &mut self.groups[self.repos[key.0 as usize].group as usize];
            g.deletes += 1;
            sample(&mut g.delete_ages, t - img.pushed_at);
            self.finish_image(key, img, t);
        }
    }

    /// An image gone at `end` (deleted, pushed again, or the end of the trace): its last
    /// age-day, the days it was alive, its deployment.
    fn finish_image(&mut self, key: (u32, u128), mut img: Image, end: i64) {
        let repo = &mut self.repos[key.0 as usize];
        let g = &mut self.groups[repo.group as usize];
        if img.supported && !img.index {
            self.live_supported -= 1;
            repo.live_supported -= 1;
        }
        if img.index {
            return;
        }
        Self::flush_day(g, &mut img);
        let alive = (end - img.pushed_at).max(0) as f64 / DAY as f64;
        let full = (alive.floor() as usize).min(MAX_AGE);
        // Prefix sums later: +1 at age 0, -1 at the first age not fully alive.
        add_at(&mut g.alive_by_age, 0, 1.0);
        add_at(&mut g.alive_by_age, full, -1.0);
        if full < MAX_AGE {
            add_fraction(g, full, alive - alive.floor());
        }
        if img.first_in_use != NONE {
            repo.deployed.push((img.first_in_use, img.last_in_use));
        }
    }

    /// Ends the trace: every push and image still open is finished at the last instant,
    /// and each deployed image's outlived deployments are counted.
    pub fn finish(&mut self) {
        for r in 0..self.repos.len() {
            self.finish_push(r as u32);
        }
        let end = self.last_time;
        // The last day's live images, before they are finished below.
        self.end_days_before(end + DAY);
        let mut keys: Vec<(u32, u128)> = self.images.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            if let Some(img) = self.images.remove(&key) {
                self.finish_image(key, img, end);
            }
        }
        for g in &mut self.groups {
            let mut acc = 0.0;
            for v in &mut g.alive_by_age {
                acc += *v;
                *v = acc;
            }
        }
        self.count_outlived(end);
    }

    /// For each deployed image that a later deployment replaced, how many newer
    /// deployments it was still in use after: with `n` images deployed at once that is
    /// `n - 1`.
    fn count_outlived(&mut self, end: i64) {
        for repo in &mut self.repos {
            let g = &mut self.groups[repo.group as usize];
            for &(first, last) in &repo.deployed {
                if last >= end - DAY {
                    continue; // still in use when the trace ends
                }
                let after_first = repo.deploys.partition_point(|&d| d <= first);
                let to_last = repo.deploys.partition_point(|&d| d <= last);
                if to_last == repo.deploys.len() {
                    continue; // never replaced
                }
                bump(&mut g.outlived, to_last - after_first, 1);
            }
            repo.deployed = Vec::new();
            repo.deploys = Vec::new();
        }
    }
}

/// Monday = 0 of an epoch day (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Adds `x` at `i`, growing the histogram as far as the ages seen (a group of young
/// images keeps a short one).
fn add_at(v: &mut Vec<f64>, i: usize, x: f64) {
    if v.len() <= i {
        v.resize(i + 1, 0.0);
    }
    v[i] += x;
}

/// The part of a day an image was alive at age `a`, after the whole days before it.
fn add_fraction(g: &mut GroupStats, a: usize, f: f64) {
    add_at(&mut g.alive_by_age, a, f);
    add_at(&mut g.alive_by_age, a + 1, -f);
}

fn count_tag(g: &mut GroupStats, tag: &[u8]) {
    if is_version_tag(tag) {
        g.version_tagged += 1;
    } else if let Some(n) = g.tags.get_mut(tag) {
        *n += 1;
    } else if g.tags.len() < MAX_TAGS {
        g.tags.insert(tag.into(), 1);
    }
}

/// `v` and digits (`v12`), or a semantic version (`1.4.2`, `v2.0`).
pub fn is_version_tag(tag: &[u8]) -> bool {
    let t = tag.strip_prefix(b"v").unwrap_or(tag);
    !t.is_empty()
        && t[0].is_ascii_digit()
        && t.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && (tag[0] == b'v' || t.contains(&b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_tags() {
        for t in ["v1", "v12", "1.2.3", "v2.0"] {
            assert!(is_version_tag(t.as_bytes()), "{t}");
        }
        for t in ["latest", "v", "12", "va", "main-3", "1.x"] {
            assert!(!is_version_tag(t.as_bytes()), "{t}");
        }
    }
}
