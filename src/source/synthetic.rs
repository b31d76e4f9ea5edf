//! Synthetic traffic: repository groups with name templates, per-repository
//! push processes, moving and version tags, platforms, deployments that pull the newest
//! images every day, decaying pulls of older images, deletes, history before day 0, and
//! vulnerability-feed triggers.
//!
//! Every random draw comes from a ChaCha8 stream keyed by (seed, purpose, repository
//! name), so a repository's traffic does not depend on thread count or on the other
//! groups. Triggers are drawn lazily for active images only (the result is the same): a
//! trigger on an inactive image does nothing, and the superposition of the per-image
//! Poisson processes of the `n` active images is one Poisson process of rate `n × r`
//! that picks an active image uniformly.

use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::base::hash::splitmix;
use crate::base::time::DAY;
use crate::model::event::{Change, Event, EventKind, SimView, Source};
use crate::model::groups::Grouping;
use crate::model::scenario::synthetic::{Group, Rate, RepoSpec, SyntheticConfig};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io::Write as _;
use std::rc::Rc;

/// What a random stream is for.
#[derive(Clone, Copy)]
enum Purpose {
    Rate = 1,
    Push = 2,
    Pull = 3,
    Deploy = 4,
    Trigger = 5,
    Burst = 6,
}

fn stream(seed: u64, purpose: Purpose, key: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(splitmix(
        seed ^ (purpose as u64).wrapping_mul(0xA24B_AED4_963E_E407),
    ));
    r.set_stream(key);
    r
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    match Poisson::new(mean) {
        Ok(p) => p.sample(rng) as u64,
        Err(_) => 0,
    }
}

/// What every repository generator shares: the configuration, the calendar and the
/// burst multiplier of each day.
pub struct Plan<'c> {
    pub cfg: &'c SyntheticConfig,
    pub seed: u64,
    /// Instant of day 0.
    pub start: i64,
    /// First day generated (negative: history).
    pub first_day: i64,
    /// Days `first_day..end_day` are generated.
    pub end_day: i64,
    burst: Vec<f64>,
}

impl<'c> Plan<'c> {
    pub fn new(cfg: &'c SyntheticConfig, seed: u64, start: i64, days: u32) -> Self {
        let mut first_day = -(cfg.history_days as i64);
        for g in &cfg.groups {
            if let Some(s) = g.start {
                first_day = first_day.min((s - start).div_euclid(DAY));
            }
        }
        if cfg.history.is_some() {
            // The past is the registry's own history, replayed.
            first_day = 0;
        }
        let end_day = days as i64;
        let mut burst = vec![1.0; (end_day - first_day) as usize];
        if cfg.burst_days_per_year > 0.0 {
            let p = cfg.burst_days_per_year / 365.0;
            let mut rng = stream(seed, Purpose::Burst, 0);
            for b in &mut burst {
                if rng.random::<f64>() < p {
                    *b *= cfg.burst_multiplier;
                }
            }
        }
        for b in &cfg.bursts {
            let d0 = (b.start - start).div_euclid(DAY);
            for d in d0..d0 + b.days as i64 {
                if d >= first_day && d < end_day {
                    burst[(d - first_day) as usize] *= b.multiplier;
                }
            }
        }
        Plan {
            cfg,
            seed,
            start,
            first_day,
            end_day,
            burst,
        }
    }

    /// Trigger multiplier of the day containing `t`.
    pub fn burst_at(&self, t: i64) -> f64 {
        let d = (t - self.start).div_euclid(DAY);
        if d < self.first_day || d >= self.end_day {
            1.0
        } else {
            self.burst[(d - self.first_day) as usize]
        }
    }
}

/// One generated traffic event of a repository (its digest and tags are rendered when
/// the event is taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenEvent {
    pub time: i64,
    pub seq: u32,
    pub kind: EventKind,
    pub image: u32,
    /// Push number for tags; 0 = untagged.
    pub push_no: u64,
    pub supported: bool,
}

/// A repository's generated traffic in time order: live from a [`RepoGen`], or read from
/// a window shared by several engines ([`SharedTraffic`]).
pub trait GenStream {
    /// The next event, generating it if needed; `None` at the end.
    fn peek(&mut self) -> Option<GenEvent>;
    /// Moves past the event `peek` returned.
    fn advance(&mut self);
    /// The digest of the image of the event `peek` returned, when already made.
    fn digest(&self) -> Option<[u8; 32]> {
        None
    }
}

impl GenStream for RepoGen<'_> {
    fn peek(&mut self) -> Option<GenEvent> {
        RepoGen::peek(self).copied()
    }
    fn advance(&mut self) {
        self.pos += 1;
    }
    fn digest(&self) -> Option<[u8; 32]> {
        let e = self.buf.get(self.pos)?;
        self.known.get(e.image as usize).copied()
    }
}

/// What a repository's replayed history leaves for its synthetic traffic to continue
/// ([`RepoGen::continuing`]).
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// Live images with a canonical digest, by push time (the images of one push are
    /// consecutive): (pushed_at, digest).
    pub images: Vec<(i64, [u8; 32])>,
    /// The highest version tag number (`v<n>`) pushed.
    pub last_version: u64,
}

/// The traffic of one repository generated once for several engines that read it in
/// step (a sweep's variants): an event is generated when the reader furthest ahead needs
/// it and dropped by [`SharedTraffic::trim`] once every reader has passed it, so memory
/// holds the stretch between the slowest and the fastest reader, not the whole history.
pub struct SharedTraffic<'p> {
    window: Rc<RefCell<Window<'p>>>,
}

struct Window<'p> {
    gen_: RepoGen<'p>,
    /// Each event with its image's digest, made once for every reader.
    events: VecDeque<(GenEvent, [u8; 32])>,
    /// Position of `events[0]` in the repository's traffic.
    base: usize,
    seed: u64,
    key: u64,
}

impl Window<'_> {
    fn get(&mut self, pos: usize) -> Option<(GenEvent, [u8; 32])> {
        while pos >= self.base + self.events.len() {
            let e = *self.gen_.peek()?;
            let d = GenStream::digest(&self.gen_)
                .unwrap_or_else(|| image_digest(self.seed, self.key, e.image));
            self.gen_.pos += 1;
            self.events.push_back((e, d));
        }
        self.events.get(pos - self.base).copied()
    }
}

/// One engine's place in a [`SharedTraffic`]; cloned with the engine when it forks.
#[derive(Clone)]
pub struct SharedReader<'p> {
    window: Rc<RefCell<Window<'p>>>,
    pos: usize,
    /// The event at `pos`, once read.
    cur: Option<(GenEvent, [u8; 32])>,
}

impl<'p> SharedTraffic<'p> {
    pub fn new(plan: &'p Plan<'p>, spec: &RepoSpec) -> Self {
        SharedTraffic {
            window: Rc::new(RefCell::new(Window {
                gen_: RepoGen::new(plan, spec),
                events: VecDeque::new(),
                base: 0,
                seed: plan.seed,
                key: spec.key,
            })),
        }
    }

    /// A reader from the first event.
    pub fn reader(&self) -> SharedReader<'p> {
        SharedReader {
            window: self.window.clone(),
            pos: 0,
            cur: None,
        }
    }

    /// Generates the events before `t` (and the first one after) in one go: readers then
    /// find them made, and generation runs in a tight loop of its own.
    pub fn fill_until(&self, t: i64) {
        let mut w = self.window.borrow_mut();
        while w.events.back().is_none_or(|(e, _)| e.time < t) {
            let pos = w.base + w.events.len();
            if w.get(pos).is_none() {
                break;
            }
        }
    }

    /// Drops the events before `pos` (every reader is at or past it).
    pub fn trim(&self, pos: usize) {
        let mut w = self.window.borrow_mut();
        while w.base < pos && w.events.pop_front().is_some() {
            w.base += 1;
        }
    }

    /// Events held now.
    pub fn held(&self) -> usize {
        self.window.borrow().events.len()
    }
}

impl SharedReader<'_> {
    /// How far this reader has read.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl GenStream for SharedReader<'_> {
    fn peek(&mut self) -> Option<GenEvent> {
        if self.cur.is_none() {
            self.cur = self.window.borrow_mut().get(self.pos);
        }
        self.cur.map(|(e, _)| e)
    }
    fn advance(&mut self) {
        self.pos += 1;
        self.cur = None;
    }
    fn digest(&self) -> Option<[u8; 32]> {
        self.cur.map(|(_, d)| d)
    }
}

/// The next pull of an older image: (time, image, cumulative intensity as f64 bits,
/// pushed_at, delete_at).
type OldPull = (i64, u32, u64, i64, i64);

#[derive(Debug, Clone, Copy)]
struct Deploy {
    act: i64,
    first_image: u32,
    images: u32,
    delete_at: i64,
}

/// The traffic of one repository, generated a day at a time.
#[derive(Clone)]
pub struct RepoGen<'p> {
    plan: &'p Plan<'p>,
    g: &'p Group,
    base_rate: f64,
    appear: i64,
    push_rng: ChaCha8Rng,
    pull_rng: ChaCha8Rng,
    deploy_rng: ChaCha8Rng,
    day: i64,
    buf: Vec<GenEvent>,
    pos: usize,
    next_image: u32,
    pushes: u64,
    pending_deploys: VecDeque<Deploy>,
    deployed: VecDeque<(Deploy, i64)>,
    decay: BinaryHeap<Reverse<OldPull>>,
    deletes: VecDeque<(i64, u32)>,
    times: Vec<i64>,
    /// The digests of the images a replayed history left (images `0..known.len()`).
    known: Vec<[u8; 32]>,
}

impl<'p> RepoGen<'p> {
    pub fn new(plan: &'p Plan<'p>, spec: &RepoSpec) -> Self {
        let g = &plan.cfg.groups[spec.group as usize];
        let mut rate_rng = stream(plan.seed, Purpose::Rate, spec.key);
        let base_rate = match g.rate {
            Rate::Fixed(r) => r,
            Rate::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(&mut rate_rng);
                median * (sigma * z).exp()
            }
        };
        let group_start = g
            .start
            .unwrap_or(plan.start - plan.cfg.history_days as i64 * DAY);
        let appear = group_start
            + (spec.index as i64 * g.appear_over_days as i64 * DAY) / g.count.max(1) as i64;
        RepoGen {
            plan,
            g,
            base_rate,
            appear,
            push_rng: stream(plan.seed, Purpose::Push, spec.key),
            pull_rng: stream(plan.seed, Purpose::Pull, spec.key),
            deploy_rng: stream(plan.seed, Purpose::Deploy, spec.key),
            day: plan.first_day,
            buf: Vec::new(),
            pos: 0,
            next_image: 0,
            pushes: 0,
            pending_deploys: VecDeque::new(),
            deployed: VecDeque::new(),
            decay: BinaryHeap::new(),
            deletes: VecDeque::new(),
            times: Vec::new(),
            known: Vec::new(),
        }
    }

    /// Continues a repository from what its replayed history left at day 0: its live
    /// images (the newest pushes deployed, pulls of older images decaying from their
    /// real push times, deletes by the group's cleanup still to come) and its version
    /// tag numbering. An image older than the cleanup's age is kept: the history shows
    /// it was.
    pub fn continuing(plan: &'p Plan<'p>, spec: &RepoSpec, carried: &Carried) -> Self {
        let mut gen_ = RepoGen::new(plan, spec);
        let g = gen_.g;
        gen_.appear = gen_.appear.min(plan.start);
        gen_.pushes = carried.last_version;
        gen_.known = carried.images.iter().map(|&(_, d)| d).collect();
        gen_.next_image = carried.images.len() as u32;
        let total = g.old_pulls_per_day * g.old_pull_half_life_days / std::f64::consts::LN_2;
        let mut pushes: Vec<(i64, u32, u32)> = Vec::new();
        for (i, &(pushed_at, _)) in carried.images.iter().enumerate() {
            let i = i as u32;
            let delete_at = match g.delete_after {
                Some(a) if pushed_at + a >= plan.start => {
                    gen_.deletes.push_back((pushed_at + a, i));
                    pushed_at + a
                }
                _ => i64::MAX,
            };
            let age = (plan.start - pushed_at).max(0) as f64 / DAY as f64;
            let done = total * (1.0 - (-age / g.old_pull_half_life_days).exp2());
            gen_.schedule_old_pull(i, pushed_at, delete_at, done);
            match pushes.last_mut() {
                Some(p) if p.0 == pushed_at => p.2 += 1,
                _ => pushes.push((pushed_at, i, 1)),
            }
        }
        let newest = pushes.len().saturating_sub(g.deployed as usize);
        for &(pushed_at, first_image, images) in &pushes[newest..] {
            let delete_at = g.delete_after.map_or(i64::MAX, |a| pushed_at + a);
            let dep = Deploy {
                act: pushed_at + g.deploy_lag,
                first_image,
                images,
                delete_at: if delete_at >= plan.start {
                    delete_at
                } else {
                    i64::MAX
                },
            };
            gen_.deployed.push_back((dep, plan.start));
        }
        gen_
    }

    /// The repository's base push rate (per day, before weekday and growth) and the
    /// instant it appears: what a size estimate needs.
    pub fn rate_and_appearance(&self) -> (f64, i64) {
        (self.base_rate, self.appear)
    }

    /// The push rate of day `d` (per day).
    fn rate(&self, d: i64) -> f64 {
        let weekday = (self.plan.start / DAY + d + 3).rem_euclid(7) as usize;
        let growth = if self.g.growth_per_month == 0.0 {
            1.0
        } else {
            (1.0 + self.g.growth_per_month).powf(d as f64 / 30.0)
        };
        self.base_rate * self.g.weekday[weekday] * growth
    }

    fn schedule_old_pull(&mut self, image: u32, pushed_at: i64, delete_at: i64, done: f64) {
        let g = self.g;
        if g.old_pulls_per_day <= 0.0 {
            return;
        }
        // Intensity r·2^(−a/h) per day of age a: Λ(a) = r·h/ln2·(1 − 2^(−a/h)).
        let total = g.old_pulls_per_day * g.old_pull_half_life_days / std::f64::consts::LN_2;
        let e: f64 = Exp1.sample(&mut self.pull_rng);
        let c = done + e;
        if c >= total {
            return;
        }
        let age_days = -g.old_pull_half_life_days * (1.0 - c / total).log2();
        let t = pushed_at + (age_days * DAY as f64) as i64;
        if t < delete_at {
            self.decay
                .push(Reverse((t, image, c.to_bits(), pushed_at, delete_at)));
        }
    }

    fn emit(&mut self, time: i64, kind: EventKind, image: u32, push_no: u64, supported: bool) {
        let seq = self.buf.len() as u32;
        self.buf.push(GenEvent {
            time,
            seq,
            kind,
            image,
            push_no,
            supported,
        });
    }

    fn uniform(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
        if to <= from {
            from
        } else {
            rng.random_range(from..to)
        }
    }

    /// Fills `buf` with the events of day `d`, sorted. The phases run in a fixed order:
    /// the outputs depend on the exact sequence of random draws.
    fn generate_day(&mut self, d: i64) {
        self.buf.clear();
        self.pos = 0;
        let ds = self.plan.start + d * DAY;
        let de = ds + DAY;
        if de > self.appear {
            self.day_pushes(d, ds, de);
        }
        let intervals = self.start_deploys(ds, de);
        self.deploy_pulls(intervals);
        self.day_old_pulls(ds, de);
        self.day_deletes(ds, de);
        self.buf.sort_unstable_by_key(|e| (e.time, e.seq));
    }

    /// The pushes of the day `[ds, de)`, from the repository's appearance on.
    fn day_pushes(&mut self, d: i64, ds: i64, de: i64) {
        let rate = self.rate(d);
        let n = poisson(&mut self.push_rng, rate);
        let lo = ds.max(self.appear);
        self.times.clear();
        for _ in 0..n {
            let t = Self::uniform(&mut self.push_rng, lo, de);
            self.times.push(t);
        }
        self.times.sort_unstable();
        for k in 0..self.times.len() {
            self.emit_push(self.times[k]);
        }
    }

    /// One push at `t`: its platform images (and index), their old pulls, delete and
    /// deployment.
    fn emit_push(&mut self, t: i64) {
        let g = self.g;
        self.pushes += 1;
        let push_no = self.pushes;
        let first = self.next_image;
        let delete_at = g.delete_after.map_or(i64::MAX, |a| t + a);
        for p in 0..g.platforms {
            let image = first + p;
            let supported =
                !(g.unsupported_share > 0.0 && self.push_rng.random::<f64>() < g.unsupported_share);
            let tagged = !g.image_index && p == 0;
            self.emit(
                t,
                EventKind::Push,
                image,
                if tagged { push_no } else { 0 },
                supported,
            );
            self.schedule_old_pull(image, t, delete_at, 0.0);
            if delete_at != i64::MAX {
                self.deletes.push_back((delete_at, image));
            }
        }
        if g.image_index {
            let image = first + g.platforms;
            self.emit(t, EventKind::Push, image, push_no, false);
            if delete_at != i64::MAX {
                self.deletes.push_back((delete_at, image));
            }
        }
        self.next_image += g.platforms + g.image_index as u32;
        if g.deployed > 0 {
            self.pending_deploys.push_back(Deploy {
                act: t + g.deploy_lag,
                first_image: first,
                images: g.platforms,
                delete_at,
            });
        }
    }

    /// Deploys the pushes due in `[ds, de)`, the newest `deployed` staying deployed:
    /// pulls (and in-use) at deployment, and each deployment's interval of the day.
    fn start_deploys(&mut self, ds: i64, de: i64) -> Vec<(Deploy, i64, i64)> {
        let g = self.g;
        for dep in &mut self.deployed {
            dep.1 = ds;
        }
        let mut intervals: Vec<(Deploy, i64, i64)> = Vec::new();
        while let Some(&dep) = self.pending_deploys.front() {
            if dep.act >= de {
                break;
            }
            self.pending_deploys.pop_front();
            let at = dep.act.max(ds);
            if self.deployed.len() as u32 == g.deployed
                && let Some((old, from)) = self.deployed.pop_front()
            {
                intervals.push((old, from, at));
            }
            for i in 0..dep.images {
                if at < dep.delete_at {
                    self.emit(at, EventKind::Pull, dep.first_image + i, 0, true);
                    if g.in_use {
                        self.emit(at, EventKind::InUse, dep.first_image + i, 0, true);
                    }
                }
            }
            self.deployed.push_back((dep, at));
        }
        intervals.extend(self.deployed.iter().map(|&(dep, from)| (dep, from, de)));
        intervals
    }

    /// The pulls (and in-use) of deployed images over their intervals of the day.
    fn deploy_pulls(&mut self, intervals: Vec<(Deploy, i64, i64)>) {
        let g = self.g;
        for (dep, from, to) in intervals {
            let to = to.min(dep.delete_at);
            if to <= from {
                continue;
            }
            let share = (to - from) as f64 / DAY as f64;
            for i in 0..dep.images {
                let image = dep.first_image + i;
                let n = poisson(&mut self.deploy_rng, g.deploy_pulls_per_day * share);
                for _ in 0..n {
                    let t = Self::uniform(&mut self.deploy_rng, from, to);
                    self.emit(t, EventKind::Pull, image, 0, true);
                }
                if g.in_use {
                    let t = Self::uniform(&mut self.deploy_rng, from, to);
                    self.emit(t, EventKind::InUse, image, 0, true);
                }
            }
        }
    }

    /// Pulls of older images before `de`, decaying with age; each schedules the next.
    fn day_old_pulls(&mut self, ds: i64, de: i64) {
        while let Some(&Reverse((t, image, c, pushed_at, delete_at))) = self.decay.peek() {
            if t >= de {
                break;
            }
            self.decay.pop();
            self.emit(t.max(ds), EventKind::Pull, image, 0, true);
            self.schedule_old_pull(image, pushed_at, delete_at, f64::from_bits(c));
        }
    }

    /// Deletes before `de` by the traffic's own cleanup.
    fn day_deletes(&mut self, ds: i64, de: i64) {
        while let Some(&(t, image)) = self.deletes.front() {
            if t >= de {
                break;
            }
            self.deletes.pop_front();
            self.emit(t.max(ds), EventKind::Delete, image, 0, true);
        }
    }

    /// The time of the next event, generating days as needed.
    fn peek(&mut self) -> Option<&GenEvent> {
        while self.pos >= self.buf.len() {
            if self.day >= self.plan.end_day {
                return None;
            }
            let d = self.day;
            self.day += 1;
            self.generate_day(d);
        }
        self.buf.get(self.pos)
    }
}

/// The 32 digest bytes of an image, derived from (seed, repository, image).
fn image_digest(seed: u64, key: u64, image: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut x = seed ^ key.rotate_left(17) ^ (image as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for chunk in out.chunks_exact_mut(8) {
        x = splitmix(x);
        chunk.copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    None,
    Traffic,
    Trigger,
}

/// The synthetic events of one repository: its traffic (generated live, or replayed
/// from a recording) and its vulnerability triggers.
#[derive(Clone)]
pub struct RepoSource<'p, G = RepoGen<'p>> {
    gen_: G,
    plan: &'p Plan<'p>,
    g: &'p Group,
    name: Box<[u8]>,
    key: u64,
    trig_rng: ChaCha8Rng,
    per_image_per_sec: f64,
    rate: f64,
    trig_next: i64,
    next: Next,
    /// The digest of the event handed out last.
    digest: [u8; 32],
    /// An active image's digest that is not canonical (only in a replayed history).
    digest_text: Vec<u8>,
    tags: Vec<u8>,
}

impl<'p> RepoSource<'p> {
    pub fn new(plan: &'p Plan<'p>, spec: &RepoSpec) -> Self {
        RepoSource::with_traffic(plan, spec, RepoGen::new(plan, spec))
    }

    /// A repository continuing from its replayed history ([`RepoGen::continuing`]).
    pub fn continuing(plan: &'p Plan<'p>, spec: &RepoSpec, carried: &Carried) -> Self {
        RepoSource::with_traffic(plan, spec, RepoGen::continuing(plan, spec, carried))
    }
}

impl<'p> RepoSource<'p, SharedReader<'p>> {
    /// Reads traffic shared with other engines ([`SharedTraffic`]) of the same plan and
    /// repository; triggers are drawn afresh, from the engine that reads this source, as
    /// in [`RepoSource::new`] (so the events are the same).
    pub fn shared(plan: &'p Plan<'p>, spec: &RepoSpec, reader: SharedReader<'p>) -> Self {
        RepoSource::with_traffic(plan, spec, reader)
    }

    /// How far its traffic has been read.
    pub fn position(&self) -> usize {
        self.gen_.position()
    }
}

impl<'p, G: GenStream> RepoSource<'p, G> {
    fn with_traffic(plan: &'p Plan<'p>, spec: &RepoSpec, gen_: G) -> Self {
        RepoSource {
            gen_,
            plan,
            g: &plan.cfg.groups[spec.group as usize],
            name: spec.name.as_bytes().into(),
            key: spec.key,
            trig_rng: stream(plan.seed, Purpose::Trigger, spec.key),
            per_image_per_sec: plan.cfg.rescans_per_image_month / 30.0 / DAY as f64,
            rate: 0.0,
            trig_next: i64::MAX,
            next: Next::None,
            digest: [0; 32],
            digest_text: Vec::new(),
            tags: Vec::with_capacity(32),
        }
    }

    fn redraw(&mut self, now: i64) {
        let e: f64 = Exp1.sample(&mut self.trig_rng);
        let wait = (e / self.rate).ceil();
        self.trig_next = if wait < 1e15 {
            now + (wait as i64).max(1)
        } else {
            i64::MAX
        };
    }

    /// The traffic event `peek` announced.
    fn take_traffic(&mut self) -> Event<'_> {
        let e = self.gen_.peek().expect("peeked traffic");
        self.digest = self
            .gen_
            .digest()
            .unwrap_or_else(|| image_digest(self.plan.seed, self.key, e.image));
        self.gen_.advance();
        self.tags.clear();
        if e.push_no > 0 {
            if let Some(m) = &self.g.moving_tag {
                self.tags.extend_from_slice(m.as_bytes());
            }
            if self.g.version_tags {
                if !self.tags.is_empty() {
                    self.tags.push(b';');
                }
                let _ = write!(self.tags, "v{}", e.push_no);
            }
        }
        Event {
            time: e.time,
            kind: e.kind,
            repo: &self.name,
            repo_id: 0,
            digest: Some(DigestRef::Sha256(self.digest)),
            tags: &self.tags,
            supported: e.supported,
            line: 0,
        }
    }

    /// A vulnerability trigger: a uniformly chosen active image.
    fn take_trigger(&mut self, view: &dyn SimView) -> Event<'_> {
        let t = self.trig_next;
        let k = self
            .trig_rng
            .random_range(0..view.active_count(&self.name).max(1));
        let canonical = match view.active_digest(&self.name, k) {
            DigestRef::Sha256(b) => {
                self.digest = b;
                true
            }
            DigestRef::Text(text) => {
                self.digest_text.clear();
                self.digest_text.extend_from_slice(text);
                false
            }
        };
        self.redraw(t);
        self.tags.clear();
        let digest = if canonical {
            DigestRef::Sha256(self.digest)
        } else {
            DigestRef::Text(&self.digest_text)
        };
        Event {
            time: t,
            kind: EventKind::VulndbUpdate,
            repo: &self.name,
            repo_id: 0,
            digest: Some(digest),
            tags: &self.tags,
            supported: true,
            line: 0,
        }
    }
}

impl<G: GenStream> Source for RepoSource<'_, G> {
    fn peek(&mut self) -> Result<Option<i64>> {
        let traffic = self.gen_.peek().map(|e| e.time);
        let (next, t) = match traffic {
            Some(t) if t <= self.trig_next => (Next::Traffic, Some(t)),
            _ if self.trig_next != i64::MAX => (Next::Trigger, Some(self.trig_next)),
            _ => (Next::None, None),
        };
        self.next = next;
        Ok(t)
    }

    fn take(&mut self, view: &dyn SimView) -> Event<'_> {
        match self.next {
            Next::Traffic => self.take_traffic(),
            Next::Trigger | Next::None => self.take_trigger(view),
        }
    }

    /// The trigger rate follows the number of active images (and the burst multiplier
    /// of the day); the process is memoryless, so a new draw is needed only when the
    /// rate changes.
    fn changed(&mut self, view: &dyn SimView, _: Change) {
        let n = view.active_count(&self.name);
        let now = view.now();
        let rate = if n > 0 {
            n as f64 * self.per_image_per_sec * self.plan.burst_at(now)
        } else {
            0.0
        };
        if rate != self.rate {
            self.rate = rate;
            if rate > 0.0 {
                self.redraw(now);
            } else {
                self.trig_next = i64::MAX;
            }
        }
    }
}

/// All repositories merged in time order, for `generate` and `run --events` (one
/// engine sees everything). A repository is told of a change only when it may concern
/// it (its own event, a day end, a configuration change), exactly as when it runs
/// alone, so its random draws are the same.
pub struct MergedSource<'p> {
    repos: Vec<RepoSource<'p>>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    /// The heap must be rebuilt from every repository.
    rebuild: bool,
    /// The repository whose next instant must be put back into the heap.
    stale: Option<usize>,
    last: Option<usize>,
}

impl<'p> MergedSource<'p> {
    pub fn new(plan: &'p Plan<'p>, specs: &[RepoSpec]) -> Self {
        MergedSource::of(specs.iter().map(|s| RepoSource::new(plan, s)).collect())
    }

    /// These repositories merged.
    pub fn of(repos: Vec<RepoSource<'p>>) -> Self {
        MergedSource {
            repos,
            heap: BinaryHeap::new(),
            rebuild: true,
            stale: None,
            last: None,
        }
    }
}

impl Source for MergedSource<'_> {
    fn peek(&mut self) -> Result<Option<i64>> {
        if self.rebuild {
            self.rebuild = false;
            self.stale = None;
            self.heap.clear();
            for (i, r) in self.repos.iter_mut().enumerate() {
                if let Some(t) = r.peek()? {
                    self.heap.push(Reverse((t, i)));
                }
            }
        } else if let Some(i) = self.stale.take()
            && let Some(t) = self.repos[i].peek()?
        {
            self.heap.push(Reverse((t, i)));
        }
        Ok(self.heap.peek().map(|Reverse((t, _))| *t))
    }

    fn take(&mut self, view: &dyn SimView) -> Event<'_> {
        let Reverse((_, i)) = self.heap.pop().expect("take after peek");
        self.last = Some(i);
        Event {
            repo_id: i as u32,
            ..self.repos[i].take(view)
        }
    }

    fn changed(&mut self, view: &dyn SimView, what: Change) {
        match (what, self.last.take()) {
            (Change::Taken, Some(i)) => {
                self.repos[i].changed(view, what);
                self.stale = Some(i);
            }
            _ => {
                for r in &mut self.repos {
                    r.changed(view, Change::Everything);
                }
                self.rebuild = true;
            }
        }
    }
}

/// Everything a run over synthetic traffic needs: the plan, the repositories and their
/// groups (built once, shared by every engine of the run).
pub struct Registry<'c> {
    pub plan: Plan<'c>,
    pub specs: Vec<RepoSpec>,
    pub groups: SyntheticGroups,
}

impl<'c> Registry<'c> {
    pub fn new(cfg: &'c SyntheticConfig, seed: u64, start: i64, days: u32) -> Self {
        let specs = cfg.repositories();
        Registry {
            plan: Plan::new(cfg, seed, start, days),
            groups: SyntheticGroups::new(cfg, &specs),
            specs,
        }
    }

    /// All repositories merged into one time-ordered source.
    pub fn merged(&self) -> MergedSource<'_> {
        MergedSource::new(&self.plan, &self.specs)
    }
}

/// Groups for `groups.csv`: the synthetic groups.
pub struct SyntheticGroups {
    labels: Vec<String>,
    of: HashMap<String, u32>,
}

impl SyntheticGroups {
    pub fn new(cfg: &SyntheticConfig, specs: &[RepoSpec]) -> Self {
        let mut labels: Vec<String> = Vec::new();
        let mut group_of_label = Vec::new();
        for g in &cfg.groups {
            let idx = match labels.iter().position(|l| *l == g.label) {
                Some(i) => i,
                None => {
                    labels.push(g.label.clone());
                    labels.len() - 1
                }
            };
            group_of_label.push(idx as u32);
        }
        SyntheticGroups {
            of: specs
                .iter()
                .map(|s| (s.name.clone(), group_of_label[s.group as usize]))
                .collect(),
            labels,
        }
    }
}

impl Grouping for SyntheticGroups {
    fn group_of(&self, repo: &str) -> Option<u32> {
        Some(self.of.get(repo).copied().unwrap_or(0))
    }
    fn names(&self) -> Vec<String> {
        self.labels.clone()
    }
}
