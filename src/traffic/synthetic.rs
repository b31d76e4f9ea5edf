//! Synthetic traffic (SPEC §10): repository groups with name templates, per-repository
//! push processes, moving and version tags, platforms, deployments that pull the newest
//! images every day, decaying pulls of older images, deletes, history before day 0, and
//! vulnerability-feed triggers.
//!
//! Every random draw comes from a ChaCha8 stream keyed by (seed, purpose, repository
//! name), so a repository's traffic does not depend on thread count or on the other
//! groups. Triggers are drawn lazily for active images only (SPEC §10 allows it): a
//! trigger on an inactive image does nothing, and the superposition of the per-image
//! Poisson processes of the `n` active images is one Poisson process of rate `n × r`
//! that picks an active image uniformly.

use crate::error::Result;
use crate::names::{check_repository, check_tag};
use crate::scenario::node::{Node, Table};
use crate::time::DAY;
use crate::traffic::{Event, EventKind, Source, State};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io::Write as _;

/// A group's push rate per repository and day.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    /// The same Poisson rate for every repository.
    Fixed(f64),
    /// Rates log-normal across the group's repositories (heavy-tailed).
    LogNormal { median: f64, sigma: f64 },
}

/// A group of repositories with one traffic profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Name template; `{i}` is the index 0..count-1.
    pub template: String,
    /// Label in `groups.csv`.
    pub label: String,
    pub count: u32,
    pub rate: Rate,
    /// Relative push rate Monday..Sunday, mean 1.
    pub weekday: [f64; 7],
    /// Push rate growth per 30 days (0.05 = +5 %).
    pub growth_per_month: f64,
    /// Images per push: each platform is an image.
    pub platforms: u32,
    /// Whether a multi-platform push also stores an (unsupported) image index.
    pub image_index: bool,
    /// Probability that an image is unsupported by Inspector.
    pub unsupported_share: f64,
    /// A tag every push moves, such as `latest`.
    pub moving_tag: Option<String>,
    /// Whether each push gets a version tag `v<n>`.
    pub version_tags: bool,
    /// How many of the newest pushes are deployed (pulled and in use daily).
    pub deployed: u32,
    pub deploy_lag: i64,
    pub deploy_pulls_per_day: f64,
    pub in_use: bool,
    /// Pull intensity of an image at age 0 (pulls per day), halving every half-life.
    pub old_pulls_per_day: f64,
    pub old_pull_half_life_days: f64,
    /// The traffic deletes images this long after their push (a cleanup job).
    pub delete_after: Option<i64>,
    /// When the group's first repository appears; default the start of history.
    pub start: Option<i64>,
    /// Repositories appear evenly spread over this many days from `start`.
    pub appear_over_days: u32,
}

/// Days on which vulnerability-feed triggers are more frequent.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    pub start: i64,
    pub days: u32,
    pub multiplier: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticConfig {
    pub history_days: u32,
    pub rescans_per_image_month: f64,
    pub burst_days_per_year: f64,
    pub burst_multiplier: f64,
    pub bursts: Vec<Burst>,
    pub groups: Vec<Group>,
}

/// One repository of the synthetic registry.
#[derive(Debug, Clone)]
pub struct RepoSpec {
    pub name: String,
    pub group: u32,
    pub index: u32,
    /// Stable key of the name: selects the random streams.
    pub key: u64,
}

const GROUP_KEYS: &[&str] = &[
    "name",
    "count",
    "pushes_per_day",
    "group",
    "weekday_weights",
    "growth_per_month",
    "platforms",
    "image_index",
    "unsupported_share",
    "moving_tag",
    "version_tags",
    "deployed",
    "deploy_lag_hours",
    "deploy_pulls_per_day",
    "in_use",
    "old_pulls_per_day",
    "old_pull_half_life_days",
    "delete_after_days",
    "start",
    "appear_over_days",
];

fn num(n: &Node, min: f64, max: f64) -> Result<f64> {
    let v = n.f64()?;
    if !v.is_finite() || v < min || v > max {
        return Err(n.error(format!("must be a number in {min}..={max} (got {v})")));
    }
    Ok(v)
}

fn opt_num(t: &Table, key: &str, min: f64, max: f64, default: f64) -> Result<f64> {
    t.get(key).map_or(Ok(default), |n| num(&n, min, max))
}

fn opt_bool(t: &Table, key: &str, default: bool) -> Result<bool> {
    t.get(key).map_or(Ok(default), |n| n.bool())
}

fn opt_int(t: &Table, key: &str, min: i64, max: i64, default: i64) -> Result<i64> {
    t.get(key).map_or(Ok(default), |n| n.int_in(min, max))
}

/// FNV-1a: a stable hash (std's hasher is randomly keyed).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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

impl SyntheticConfig {
    pub fn from_toml(node: &Node) -> Result<Self> {
        let t = node.table()?;
        t.allow(&[
            "history_days",
            "rescans_per_image_month",
            "burst_days_per_year",
            "burst_multiplier",
            "bursts",
            "repositories",
        ])?;
        let history_days = opt_int(&t, "history_days", 0, 3650, 0)? as u32;
        let rescans_per_image_month = opt_num(&t, "rescans_per_image_month", 0.0, 10_000.0, 6.0)?;
        let burst_days_per_year = opt_num(&t, "burst_days_per_year", 0.0, 365.0, 0.0)?;
        let burst_multiplier = opt_num(&t, "burst_multiplier", 0.0, 1000.0, 5.0)?;
        let mut bursts = Vec::new();
        if let Some(b) = t.get("bursts") {
            for e in b.elements()? {
                let bt = e.table()?;
                bt.allow(&["start", "days", "multiplier"])?;
                let start = bt
                    .get("start")
                    .ok_or_else(|| bt.error("missing key `start` (the first burst day)"))?
                    .date()?;
                bursts.push(Burst {
                    start,
                    days: opt_int(&bt, "days", 1, 3650, 1)? as u32,
                    multiplier: opt_num(&bt, "multiplier", 0.0, 1000.0, burst_multiplier)?,
                });
            }
        }
        let groups_node = t.get("repositories").ok_or_else(|| {
            t.error("missing [[synthetic.repositories]]: give at least one repository group")
        })?;
        let mut groups = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for e in groups_node.elements()? {
            let g = parse_group(&e)?;
            for i in [0, g.count - 1] {
                let name = g.template.replace("{i}", &i.to_string());
                check_repository(name.as_bytes())
                    .map_err(|m| e.error(format!("name template `{}` gives {m}", g.template)))?;
            }
            for i in 0..g.count {
                let name = g.template.replace("{i}", &i.to_string());
                if let Some(other) = names.insert(name.clone(), g.template.clone()) {
                    return Err(e.error(format!(
                        "repository `{name}` is produced twice (by `{other}` and `{}`): \
                         use `{{i}}` in the name and distinct templates",
                        g.template
                    )));
                }
            }
            groups.push(g);
        }
        if groups.is_empty() {
            return Err(groups_node.error("give at least one repository group"));
        }
        Ok(SyntheticConfig {
            history_days,
            rescans_per_image_month,
            burst_days_per_year,
            burst_multiplier,
            bursts,
            groups,
        })
    }

    pub fn repositories(&self) -> Vec<RepoSpec> {
        let mut out = Vec::new();
        for (gi, g) in self.groups.iter().enumerate() {
            for i in 0..g.count {
                let name = g.template.replace("{i}", &i.to_string());
                out.push(RepoSpec {
                    key: stable_hash(name.as_bytes()),
                    name,
                    group: gi as u32,
                    index: i,
                });
            }
        }
        out
    }

    pub fn repository_names(&self) -> Vec<String> {
        self.repositories().into_iter().map(|r| r.name).collect()
    }
}

fn parse_group(e: &Node) -> Result<Group> {
    let t = e.table()?;
    t.allow(GROUP_KEYS)?;
    let name_node = t
        .get("name")
        .ok_or_else(|| t.error("missing key `name` (a template such as \"svc-{i}\")"))?;
    let template = name_node.str()?.to_string();
    let count = t
        .get("count")
        .ok_or_else(|| t.error("missing key `count` (number of repositories)"))?
        .int_in(1, 1_000_000)? as u32;
    if count > 1 && !template.contains("{i}") {
        return Err(name_node.error(format!(
            "`{template}` has no `{{i}}` but count is {count}: every repository needs its own name"
        )));
    }
    let rate_node = t.get("pushes_per_day").ok_or_else(|| {
        t.error("missing key `pushes_per_day` (a number, or { median = .., sigma = .. })")
    })?;
    let rate = match rate_node.table() {
        Ok(rt) => {
            rt.allow(&["median", "sigma"])?;
            let median = num(
                &rt.get("median")
                    .ok_or_else(|| rt.error("missing key `median` (pushes per day)"))?,
                0.0,
                10_000.0,
            )?;
            let sigma = opt_num(&rt, "sigma", 0.0, 10.0, 1.0)?;
            Rate::LogNormal { median, sigma }
        }
        Err(_) => Rate::Fixed(num(&rate_node, 0.0, 10_000.0)?),
    };
    let label = match t.get("group") {
        Some(n) => {
            let s = n.str()?;
            if s.is_empty() || s.contains([',', '"', '\n']) {
                return Err(n.error("a group label is non-empty, without commas or quotes"));
            }
            s.to_string()
        }
        None => template.replace("{i}", "*"),
    };
    let mut weekday = [1.0; 7];
    if let Some(n) = t.get("weekday_weights") {
        let els = n.elements()?;
        if els.len() != 7 {
            return Err(n.error("give 7 weights, Monday to Sunday"));
        }
        for (w, el) in weekday.iter_mut().zip(&els) {
            *w = num(el, 0.0, 1000.0)?;
        }
        let mean: f64 = weekday.iter().sum::<f64>() / 7.0;
        if mean <= 0.0 {
            return Err(n.error("at least one weight must be positive"));
        }
        for w in &mut weekday {
            *w /= mean;
        }
    }
    let moving_tag = match t.get("moving_tag") {
        None => Some("latest".to_string()),
        Some(n) => {
            let s = n.str()?;
            if s.is_empty() {
                None
            } else {
                check_tag(s.as_bytes()).map_err(|m| n.error(m))?;
                Some(s.to_string())
            }
        }
    };
    let start = match t.get("start") {
        Some(n) => Some(n.date()?),
        None => None,
    };
    Ok(Group {
        template,
        label,
        count,
        rate,
        weekday,
        growth_per_month: opt_num(&t, "growth_per_month", -0.99, 100.0, 0.0)?,
        platforms: opt_int(&t, "platforms", 1, 16, 1)? as u32,
        image_index: opt_bool(&t, "image_index", false)?,
        unsupported_share: opt_num(&t, "unsupported_share", 0.0, 1.0, 0.0)?,
        moving_tag,
        version_tags: opt_bool(&t, "version_tags", true)?,
        deployed: opt_int(&t, "deployed", 0, 100, 1)? as u32,
        deploy_lag: (opt_num(&t, "deploy_lag_hours", 0.0, 24.0 * 365.0, 1.0)? * 3600.0) as i64,
        deploy_pulls_per_day: opt_num(&t, "deploy_pulls_per_day", 0.0, 10_000.0, 4.0)?,
        in_use: opt_bool(&t, "in_use", true)?,
        old_pulls_per_day: opt_num(&t, "old_pulls_per_day", 0.0, 10_000.0, 0.2)?,
        old_pull_half_life_days: opt_num(&t, "old_pull_half_life_days", 0.01, 3650.0, 7.0)?,
        delete_after: match t.get("delete_after_days") {
            Some(n) => Some((num(&n, 0.01, 36_500.0)? * DAY as f64) as i64),
            None => None,
        },
        start,
        appear_over_days: opt_int(&t, "appear_over_days", 0, 36_500, 0)? as u32,
    })
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

/// A repository's generated traffic in time order: live from a [`RepoGen`], or replayed
/// from a recording ([`Replay`]) so several engines can share one generation.
pub trait GenStream {
    /// The next event, generating it if needed; `None` at the end.
    fn peek(&mut self) -> Option<&GenEvent>;
    /// Moves past the event `peek` returned.
    fn advance(&mut self);
    /// The digest of an image when it is already rendered.
    fn digest(&self, _image: u32) -> Option<&[u8]> {
        None
    }
}

/// Length of a rendered digest: `sha256:` and 64 hex digits.
const DIGEST_LEN: usize = 71;

/// The traffic of one repository generated once ([`RepoGen::record`]), with the digest
/// of every image rendered once, to be replayed by several engines
/// ([`RepoSource::replay`]).
#[derive(Debug, Clone, Default)]
pub struct Recording {
    pub events: Vec<GenEvent>,
    /// `DIGEST_LEN` bytes per image, in image order.
    digests: Vec<u8>,
}

/// Replays a [`Recording`].
#[derive(Clone)]
pub struct Replay<'e> {
    rec: &'e Recording,
    pos: usize,
}

impl<'e> Replay<'e> {
    pub fn new(rec: &'e Recording) -> Self {
        Replay { rec, pos: 0 }
    }
}

impl GenStream for Replay<'_> {
    fn peek(&mut self) -> Option<&GenEvent> {
        self.rec.events.get(self.pos)
    }
    fn advance(&mut self) {
        self.pos += 1;
    }
    fn digest(&self, image: u32) -> Option<&[u8]> {
        let at = image as usize * DIGEST_LEN;
        self.rec.digests.get(at..at + DIGEST_LEN)
    }
}

impl GenStream for RepoGen<'_> {
    fn peek(&mut self) -> Option<&GenEvent> {
        RepoGen::peek(self)
    }
    fn advance(&mut self) {
        self.pos += 1;
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
    key: u64,
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
            key: spec.key,
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
        }
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

    fn generate_day(&mut self, d: i64) {
        self.buf.clear();
        self.pos = 0;
        let ds = self.plan.start + d * DAY;
        let de = ds + DAY;
        let g = self.g;

        // Pushes.
        if de > self.appear {
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
                let t = self.times[k];
                self.pushes += 1;
                let push_no = self.pushes;
                let first = self.next_image;
                let delete_at = g.delete_after.map_or(i64::MAX, |a| t + a);
                for p in 0..g.platforms {
                    let image = first + p;
                    let supported = !(g.unsupported_share > 0.0
                        && self.push_rng.random::<f64>() < g.unsupported_share);
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
        }

        // Deployments: the newest `deployed` pushes are pulled and in use every day.
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

        // Pulls of older images, decaying with age.
        while let Some(&Reverse((t, image, c, pushed_at, delete_at))) = self.decay.peek() {
            if t >= de {
                break;
            }
            self.decay.pop();
            self.emit(t.max(ds), EventKind::Pull, image, 0, true);
            self.schedule_old_pull(image, pushed_at, delete_at, f64::from_bits(c));
        }

        // Deletes by the traffic's own cleanup.
        while let Some(&(t, image)) = self.deletes.front() {
            if t >= de {
                break;
            }
            self.deletes.pop_front();
            self.emit(t.max(ds), EventKind::Delete, image, 0, true);
        }

        self.buf.sort_unstable_by_key(|e| (e.time, e.seq));
    }

    /// Generates the whole traffic of the repository (what a [`RepoSource`] would read
    /// from this generator), to replay it with [`RepoSource::replay`].
    pub fn record(mut self) -> Recording {
        let mut events = Vec::new();
        while self.peek().is_some() {
            events.extend_from_slice(&self.buf[self.pos..]);
            self.pos = self.buf.len();
        }
        let mut digests = Vec::with_capacity(self.next_image as usize * DIGEST_LEN);
        let mut one = Vec::with_capacity(DIGEST_LEN);
        for image in 0..self.next_image {
            render_digest(&mut one, self.plan.seed, self.key, image);
            digests.extend_from_slice(&one);
        }
        Recording { events, digests }
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

/// Writes `sha256:` and 64 hex digits derived from (seed, repository, image).
fn render_digest(out: &mut Vec<u8>, seed: u64, key: u64, image: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.clear();
    out.extend_from_slice(b"sha256:");
    let mut x = seed ^ key.rotate_left(17) ^ (image as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4 {
        x = splitmix(x);
        for i in (0..16).rev() {
            out.push(HEX[((x >> (i * 4)) & 15) as usize]);
        }
    }
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
    digest: Vec<u8>,
    tags: Vec<u8>,
}

impl<'p> RepoSource<'p> {
    pub fn new(plan: &'p Plan<'p>, spec: &RepoSpec) -> Self {
        RepoSource::with_traffic(plan, spec, RepoGen::new(plan, spec))
    }
}

impl<'p, 'e> RepoSource<'p, Replay<'e>> {
    /// Replays traffic recorded with [`RepoGen::record`] for the same plan and
    /// repository; triggers are drawn afresh, from the engine that reads this source, as
    /// in [`RepoSource::new`] (so the events are the same).
    pub fn replay(plan: &'p Plan<'p>, spec: &RepoSpec, rec: &'e Recording) -> Self {
        RepoSource::with_traffic(plan, spec, Replay::new(rec))
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
            digest: Vec::with_capacity(71),
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
}

impl<G: GenStream> Source for RepoSource<'_, G> {
    fn peek(&mut self, state: &dyn State) -> Result<Option<i64>> {
        let n = state.repo(&self.name).map_or(0, |r| r.active_count());
        let now = state.now();
        let rate = if n > 0 {
            n as f64 * self.per_image_per_sec * self.plan.burst_at(now)
        } else {
            0.0
        };
        // The process is memoryless: a new draw is needed only when the rate changes.
        if rate != self.rate {
            self.rate = rate;
            if rate > 0.0 {
                self.redraw(now);
            } else {
                self.trig_next = i64::MAX;
            }
        }
        let traffic = self.gen_.peek().map(|e| e.time);
        let (next, t) = match traffic {
            Some(t) if t <= self.trig_next => (Next::Traffic, Some(t)),
            _ if self.trig_next != i64::MAX => (Next::Trigger, Some(self.trig_next)),
            _ => (Next::None, None),
        };
        self.next = next;
        Ok(t)
    }

    fn take(&mut self, state: &dyn State) -> Event<'_> {
        match self.next {
            Next::Traffic => {
                let e = *self.gen_.peek().expect("peeked traffic");
                self.gen_.advance();
                let digest = match self.gen_.digest(e.image) {
                    Some(d) => d,
                    None => {
                        render_digest(&mut self.digest, self.plan.seed, self.key, e.image);
                        &self.digest
                    }
                };
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
                    digest,
                    tags: &self.tags,
                    supported: e.supported,
                    line: 0,
                    repo_column: 0,
                }
            }
            Next::Trigger | Next::None => {
                let t = self.trig_next;
                let repo = state
                    .repo(&self.name)
                    .expect("a trigger needs active images");
                let k = self.trig_rng.random_range(0..repo.active_count());
                self.digest.clear();
                repo.active_digest(k, &mut self.digest);
                self.redraw(t);
                self.tags.clear();
                Event {
                    time: t,
                    kind: EventKind::VulndbUpdate,
                    repo: &self.name,
                    digest: &self.digest,
                    tags: &self.tags,
                    supported: true,
                    line: 0,
                    repo_column: 0,
                }
            }
        }
    }
}

/// All repositories merged in time order, for `generate` (one engine sees everything).
/// A repository is asked again only after its own event or a global change (a day end or
/// a configuration change), so its random draws are the same as when it runs alone.
pub struct MergedSource<'p> {
    repos: Vec<RepoSource<'p>>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    epoch: Option<u64>,
    last: Option<usize>,
}

impl<'p> MergedSource<'p> {
    pub fn new(plan: &'p Plan<'p>, specs: &[RepoSpec]) -> Self {
        MergedSource {
            repos: specs.iter().map(|s| RepoSource::new(plan, s)).collect(),
            heap: BinaryHeap::new(),
            epoch: None,
            last: None,
        }
    }
}

impl Source for MergedSource<'_> {
    fn peek(&mut self, state: &dyn State) -> Result<Option<i64>> {
        if self.epoch != Some(state.global_epoch()) {
            self.epoch = Some(state.global_epoch());
            self.heap.clear();
            self.last = None;
            for (i, r) in self.repos.iter_mut().enumerate() {
                if let Some(t) = r.peek(state)? {
                    self.heap.push(Reverse((t, i)));
                }
            }
        } else if let Some(i) = self.last.take()
            && let Some(t) = self.repos[i].peek(state)?
        {
            self.heap.push(Reverse((t, i)));
        }
        Ok(self.heap.peek().map(|Reverse((t, _))| *t))
    }

    fn take(&mut self, state: &dyn State) -> Event<'_> {
        let Reverse((_, i)) = self.heap.pop().expect("take after peek");
        self.last = Some(i);
        self.repos[i].take(state)
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

impl crate::engine::Grouping for SyntheticGroups {
    fn group_of(&self, repo: &str) -> Option<u32> {
        Some(self.of.get(repo).copied().unwrap_or(0))
    }
    fn names(&self) -> Vec<String> {
        self.labels.clone()
    }
}
