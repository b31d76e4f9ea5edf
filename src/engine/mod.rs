//! The engine: owns the clock, orders inputs (SPEC §5.3), runs day ends (§5.4) and takes
//! the daily snapshots (§8). The only place where time advances.

pub mod repo;

use crate::error::{Error, Location, Result};
use crate::rules::{Billing, Freq, PullMode, RegistryConfig, ScanType, Window};
use crate::scenario::Scenario;
use crate::time::DAY;
use crate::traffic::{Event, EventKind, Source, State};
use rayon::prelude::*;
use repo::Ctx;
pub use repo::{Counts, Flows, RepoState, RepoTotals, Status};
use rustc_hash::FxHashMap;

/// One row of `daily.csv` before formatting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayRow {
    pub counts: Counts,
    pub flows: Flows,
}

impl DayRow {
    pub fn add(&mut self, o: &DayRow) {
        let (c, oc) = (&mut self.counts, &o.counts);
        c.images += oc.images;
        for (a, b) in c.status.iter_mut().zip(oc.status) {
            *a += b;
        }
        c.in_use += oc.in_use;
        c.in_use_active += oc.in_use_active;
        self.flows.add(&o.flows);
    }
    pub fn status(&self, s: Status) -> u64 {
        self.counts.status[s as usize]
    }
}

/// Run options that are not part of the scenario.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Ignored events are errors.
    pub strict: bool,
    /// `REPOSITORY@DIGEST` whose history to record.
    pub explain: Option<(String, String)>,
    /// Where to report simulated days; `None` reports nothing.
    pub progress: Option<std::sync::Arc<dyn crate::progress::Progress + Send>>,
}

impl RunResult {
    /// Inputs processed: traffic events and configuration changes.
    pub fn inputs_processed(&self) -> u64 {
        self.traffic_events + self.config_changes.len() as u64
    }

    /// Adds the result of a run over other repositories of the same scenario (sums are
    /// integers, so the order of merging does not matter).
    pub fn merge(mut self, o: RunResult) -> RunResult {
        if self.days.is_empty() {
            self.days = o.days;
            self.group_days = o.group_days;
            self.config_changes = o.config_changes;
            self.freq_changes = o.freq_changes;
        } else {
            for (a, b) in self.freq_changes.iter_mut().zip(&o.freq_changes) {
                *a += b;
            }
            for (a, b) in self.days.iter_mut().zip(&o.days) {
                a.add(b);
            }
            for (ga, gb) in self.group_days.iter_mut().zip(&o.group_days) {
                if ga.len() < gb.len() {
                    ga.resize(gb.len(), DayRow::default());
                }
                for (a, b) in ga.iter_mut().zip(gb) {
                    a.add(b);
                }
            }
        }
        if o.groups.len() > self.groups.len() {
            self.groups = o.groups;
        }
        self.repos.extend(o.repos);
        self.traffic_events += o.traffic_events;
        self.ignored_events += o.ignored_events;
        self.events_after_horizon += o.events_after_horizon;
        self.explain.extend(o.explain);
        self
    }
}

/// What a run produces, before any formatting.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// One row per reported day.
    pub days: Vec<DayRow>,
    /// Per repository: name, group, frequency at the end, images at the end, totals.
    pub repos: Vec<RepoSummary>,
    /// Per reported day and group (groups in `groups` order).
    pub group_days: Vec<Vec<DayRow>>,
    pub groups: Vec<String>,
    /// Traffic events processed (before the horizon), ignored ones included.
    pub traffic_events: u64,
    pub ignored_events: u64,
    /// Trace rows at or after the horizon: checked, not processed.
    pub events_after_horizon: u64,
    /// Instants of the configuration changes that were applied.
    pub config_changes: Vec<i64>,
    /// Per configuration change: existing repositories whose frequency changed (while
    /// the registry was or became ENHANCED).
    pub freq_changes: Vec<u64>,
    pub explain: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub name: String,
    pub group: u32,
    pub freq: Freq,
    pub images: u64,
    pub totals: RepoTotals,
}

/// How repositories are put into groups for `groups.csv`.
pub trait Grouping: Sync {
    /// The group of a repository; `None`: by the first segment of its name, in order of
    /// first appearance (the engine keeps that list).
    fn group_of(&self, repo: &str) -> Option<u32>;
    /// Names of the fixed groups (empty for grouping by name).
    fn names(&self) -> Vec<String>;
}

/// Groups by the first path segment of the repository name (traces).
#[derive(Default)]
pub struct PathGroups;

impl Grouping for PathGroups {
    fn group_of(&self, _: &str) -> Option<u32> {
        None
    }
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

pub struct Engine<'s> {
    sc: &'s Scenario,
    events: Option<Box<dyn crate::report::events::EventSink + 's>>,
    registry: RegistryConfig,
    ctx: Ctx,
    pub repos: Vec<RepoState>,
    repo_ids: FxHashMap<Box<[u8]>, u32>,
    next_midnight: Option<i64>,
    skip_idle: bool,
    now: i64,
    epoch: u64,
    seq: u64,
    /// Index of the next timeline entry to apply.
    next_config: usize,
    opts: RunOptions,
    grouping: &'s dyn Grouping,
    path_groups: Vec<String>,
    result: RunResult,
}

impl<'s> Engine<'s> {
    pub fn new(sc: &'s Scenario, opts: RunOptions, grouping: &'s dyn Grouping) -> Self {
        let billing: Billing = sc.billing();
        Engine {
            sc,
            events: None,
            registry: sc.registry.clone(),
            ctx: Ctx {
                window: Window::new(&sc.inspector, sc.profile),
                scan_type: sc.registry.scan_type,
                billing,
                in_use_window: sc.in_use_window_days as i64 * DAY,
            },
            repos: Vec::new(),
            repo_ids: FxHashMap::default(),
            next_midnight: None,
            skip_idle: false,
            now: i64::MIN,
            epoch: 0,
            seq: 0,
            next_config: 0,
            opts,
            grouping,
            path_groups: Vec::new(),
            result: RunResult::default(),
        }
    }

    pub fn scenario(&self) -> &Scenario {
        self.sc
    }

    /// Lets the engine skip, before day 0, the midnights at which nothing can happen
    /// (a trace far older than `start`). Not for synthetic traffic, whose triggers are
    /// redrawn at midnights.
    pub fn skip_idle_history(mut self) -> Self {
        self.skip_idle = true;
        self
    }

    /// After the day end at `m`, the next midnight to process before an input at `t`:
    /// midnights before day 0 at which no repository has anything due are skipped.
    fn next_midnight_before(&self, m: i64, t: i64) -> i64 {
        let next = m + DAY;
        if !self.skip_idle || next >= self.sc.midnight(0) || t < next + DAY {
            return next;
        }
        let due = self
            .repos
            .iter()
            .map(RepoState::next_due)
            .min()
            .unwrap_or(i64::MAX);
        // The last midnight <= t, never past M(0), and not past the first due instant.
        let last_before_t = m + (t - m).div_euclid(DAY) * DAY;
        let first_due = if due <= next {
            next
        } else if due > self.sc.midnight(0) {
            i64::MAX
        } else {
            m + (due - m + DAY - 1).div_euclid(DAY) * DAY
        };
        last_before_t
            .min(self.sc.midnight(0))
            .min(first_due)
            .max(next)
    }

    fn path_group(groups: &mut Vec<String>, repo: &str) -> u32 {
        let first = repo.split('/').next().unwrap_or(repo);
        match groups.iter().position(|n| n == first) {
            Some(i) => i as u32,
            None => {
                groups.push(first.to_string());
                (groups.len() - 1) as u32
            }
        }
    }

    /// Writes the EventBridge events of the run into `sink`.
    pub fn with_events(mut self, sink: Box<dyn crate::report::events::EventSink + 's>) -> Self {
        self.events = Some(sink);
        self
    }

    /// Hands the initial scans a repository recorded to the event sink.
    fn drain_initial_scans(&mut self, id: usize) -> Result<()> {
        let Some(sink) = self.events.as_mut() else {
            return Ok(());
        };
        let r = &mut self.repos[id];
        let Some(list) = r.initial_scans.as_mut() else {
            return Ok(());
        };
        let list = std::mem::take(list);
        let mut digest = Vec::new();
        for &(t, slot) in list.iter().filter(|(t, _)| *t >= self.sc.start) {
            digest.clear();
            r.image(slot).digest.write_text(&mut digest);
            sink.initial_scan(t, &r.name, &digest, r.tags(slot))?;
        }
        if let Some(l) = r.initial_scans.as_mut() {
            *l = list;
            l.clear();
        }
        Ok(())
    }

    /// The repository id of a name, creating the repository on first sight (and checking
    /// the name then: an error names the event's line and column).
    pub fn repo_id(&mut self, ev: &Event, file: Option<&std::path::Path>) -> Result<u32> {
        let name = ev.repo;
        if let Some(&id) = self.repo_ids.get(name) {
            return Ok(id);
        }
        crate::names::check_repository(name).map_err(|m| {
            let loc = match file {
                Some(f) => Location::file(f)
                    .line(ev.line)
                    .column(ev.repo_column as u64)
                    .key("column repository"),
                None => Location::default(),
            };
            Error::input(loc, m)
        })?;
        let s = std::str::from_utf8(name).unwrap_or("");
        let id = self.repos.len() as u32;
        let policy = self
            .sc
            .lifecycle_for(s)
            .map(|i| self.sc.lifecycle[i].policy.clone());
        let mut r = RepoState::new(
            s,
            self.registry.frequency(s),
            policy,
            self.grouping
                .group_of(s)
                .unwrap_or_else(|| Self::path_group(&mut self.path_groups, s)),
        );
        if let Some((repo, digest)) = &self.opts.explain
            && repo == s
        {
            r.set_explain(digest.as_bytes());
        }
        if self.events.is_some() {
            r.initial_scans = Some(Vec::new());
        }
        self.repos.push(r);
        self.repo_ids.insert(name.into(), id);
        Ok(id)
    }

    /// Day ends start at the earlier of `M(0)` and the first midnight after the earliest
    /// input (SPEC §5.3).
    fn init_clock(&mut self, first_input: i64) {
        if self.next_midnight.is_none() {
            let s = self.sc.start;
            let after = s + ((first_input - s).div_euclid(DAY) + 1) * DAY;
            self.next_midnight = Some(after.min(self.sc.midnight(0)));
        }
    }

    /// The next midnight to process, if it is at or before `t`.
    fn due_midnight(&self, t: i64) -> Option<i64> {
        self.next_midnight.filter(|&m| m <= t)
    }

    fn day_end(&mut self, m: i64) {
        let d = (m - self.sc.start) / DAY - 1;
        let reported = d >= 0 && d < self.sc.days as i64;
        let ctx = self.ctx;
        // Sequential: a day end touches only what is due, less than a thread wake-up costs.
        for r in &mut self.repos {
            r.day_end(m, &ctx, reported);
        }
        if reported && let Some(p) = &self.opts.progress {
            if d == 0 {
                p.start(self.sc.days as u64, "days");
            }
            p.advance(1);
        }
        if reported {
            let ngroups = self.result.group_days.last().map_or(0, Vec::len);
            let mut row = DayRow::default();
            let mut groups = vec![DayRow::default(); ngroups];
            for r in &self.repos {
                let rr = DayRow {
                    counts: r.counts,
                    flows: r.flows,
                };
                row.add(&rr);
                let g = r.group as usize;
                if g >= groups.len() {
                    groups.resize(g + 1, DayRow::default());
                }
                groups[g].add(&rr);
            }
            self.result.days.push(row);
            self.result.group_days.push(groups);
        }
        for r in &mut self.repos {
            r.close_day(reported);
        }
        self.next_midnight = Some(m + DAY);
        self.now = m;
        self.epoch += 1;
    }

    fn configure(&mut self, idx: usize) -> Result<()> {
        let e = &self.sc.timeline[idx];
        let old_type = self.ctx.scan_type;
        if let Some(reg) = &e.registry {
            self.registry = reg.clone();
            self.ctx.scan_type = reg.scan_type;
        }
        if let Some(s) = &e.inspector {
            self.ctx.window = Window::new(s, self.sc.profile);
        }
        let (t, ctx, registry) = (e.at, self.ctx, &self.registry);
        let old: Vec<Freq> = self
            .repos
            .par_iter_mut()
            .map(|r| {
                let f1 = registry.frequency(&r.name);
                r.reconfigure(t, f1, &ctx)
            })
            .collect();
        // ECR reports frequency changes while enhanced scanning is (or was) on.
        let enhanced = old_type == ScanType::Enhanced || ctx.scan_type == ScanType::Enhanced;
        let changes: Vec<(String, Freq, Freq)> = if enhanced {
            self.repos
                .iter()
                .zip(&old)
                .filter(|(r, f0)| r.freq != **f0)
                .map(|(r, f0)| (r.name.to_string(), *f0, r.freq))
                .collect()
        } else {
            Vec::new()
        };
        self.result.config_changes.push(t);
        self.result.freq_changes.push(changes.len() as u64);
        if let Some(sink) = self.events.as_mut()
            && !changes.is_empty()
            && t >= self.sc.start
        {
            sink.frequency_change(t, ctx.scan_type, &changes)?;
        }
        for id in 0..self.repos.len() {
            self.drain_initial_scans(id)?;
        }
        self.now = t;
        self.epoch += 1;
        Ok(())
    }

    fn ignored(&mut self, ev: &Event, file: Option<&std::path::Path>) -> Result<()> {
        self.result.ignored_events += 1;
        if self.opts.strict {
            let what = format!(
                "ignored event: {} of {}@{} at {}, which is not a live image{} (--strict)",
                ev.kind.name(),
                String::from_utf8_lossy(ev.repo),
                String::from_utf8_lossy(ev.digest),
                crate::time::format_instant(ev.time),
                match ev.kind {
                    EventKind::Pull | EventKind::InUse => " (or is archived)",
                    EventKind::Archive => " (or is archived already)",
                    EventKind::Restore => " (or is not archived)",
                    _ => "",
                }
            );
            let loc = match file {
                Some(f) => Location::file(f).line(ev.line),
                None => Location::default(),
            };
            return Err(Error::input(loc, what));
        }
        Ok(())
    }

    /// Applies one traffic event (SPEC §5.2).
    pub fn apply(&mut self, ev: &Event, file: Option<&std::path::Path>) -> Result<()> {
        self.result.traffic_events += 1;
        let ctx = self.ctx;
        let t = ev.time;
        self.now = t;
        let mut touched = None;
        let applied = match ev.kind {
            EventKind::VulndbUpdate if ev.repo.is_empty() => {
                for r in &mut self.repos {
                    r.vulndb_all(t, &ctx);
                }
                true
            }
            kind => {
                let id = self.repo_id(ev, file)? as usize;
                touched = Some(id);
                let r = &mut self.repos[id];
                match kind {
                    EventKind::Push => {
                        self.seq += 1;
                        r.push(t, ev.digest, ev.tags(), ev.supported, self.seq, &ctx);
                        true
                    }
                    EventKind::Pull => r.observe(t, ev.digest, PullMode::LastPullDate, &ctx),
                    EventKind::InUse => r.observe(t, ev.digest, PullMode::LastInUseAt, &ctx),
                    EventKind::Delete => r.delete(t, ev.digest),
                    EventKind::Archive => r.archive(t, ev.digest),
                    EventKind::Restore => r.restore(t, ev.digest, &ctx),
                    EventKind::VulndbUpdate if ev.digest.is_empty() => {
                        r.vulndb_all(t, &ctx);
                        true
                    }
                    EventKind::VulndbUpdate => r.vulndb_one(t, ev.digest, &ctx),
                }
            }
        };
        if !applied {
            self.ignored(ev, file)?;
        }
        if let Some(id) = touched
            && self.events.is_some()
        {
            self.drain_initial_scans(id)?;
        }
        Ok(())
    }

    /// Runs the scenario over a source to the end (SPEC §5.3).
    pub fn run<S: Source>(mut self, source: &mut S) -> Result<RunResult> {
        self.run_until(source, i64::MAX)?;
        let horizon = self.sc.horizon();
        self.init_clock(horizon);
        while let Some(m) = self.due_midnight(horizon) {
            self.day_end(m);
        }
        self.result.events_after_horizon = source.drain()?;
        if let Some(sink) = self.events.as_mut() {
            sink.finish()?;
        }
        if let Some(p) = &self.opts.progress {
            p.finish();
        }
        Ok(self.finish())
    }

    /// Processes the inputs (and the day ends between them) that come before `until` and
    /// before the horizon; stops at the first one at or after it. [`Engine::run`] goes on
    /// from there with the same source.
    pub fn run_until<S: Source>(&mut self, source: &mut S, until: i64) -> Result<()> {
        let horizon = self.sc.horizon();
        let file = source.file().map(std::path::Path::to_path_buf);
        loop {
            let ts = source.peek(self)?;
            let tc = self.sc.timeline.get(self.next_config).map(|e| e.at);
            let t = match (ts, tc) {
                (None, None) => break,
                (Some(a), None) | (None, Some(a)) => a,
                (Some(a), Some(b)) => a.min(b),
            };
            if t >= horizon || t >= until {
                break;
            }
            self.init_clock(t);
            if let Some(m) = self.due_midnight(t) {
                self.day_end(m);
                self.next_midnight = Some(self.next_midnight_before(m, t));
                continue;
            }
            if tc == Some(t) {
                self.configure(self.next_config)?;
                self.next_config += 1;
            } else {
                let ev = source.take(self);
                self.apply(&ev, file.as_deref())?;
            }
        }
        Ok(())
    }

    /// A copy of this engine that goes on under another scenario `sc` (used by sweeps to
    /// simulate the part that variants share only once). The registry configuration and
    /// Inspector settings in effect become those of `sc` after the timeline entries
    /// applied so far, and prices those of `sc`. The copy is what a run of `sc` would hold
    /// only if `sc` agrees with this engine's scenario on everything that has had an
    /// effect so far (same traffic, calendar, lifecycle, in-use window and timeline
    /// instants, and no enhanced scanning yet); the caller checks that.
    pub fn fork<'t>(&self, sc: &'t Scenario, grouping: &'t dyn Grouping) -> Engine<'t> {
        let applied = &sc.timeline[..self.next_config.min(sc.timeline.len())];
        let registry = applied
            .iter()
            .rev()
            .find_map(|e| e.registry.clone())
            .unwrap_or_else(|| sc.registry.clone());
        let inspector = applied
            .iter()
            .rev()
            .find_map(|e| e.inspector)
            .unwrap_or(sc.inspector);
        Engine {
            sc,
            events: None,
            skip_idle: self.skip_idle,
            ctx: Ctx {
                window: Window::new(&inspector, sc.profile),
                scan_type: registry.scan_type,
                billing: sc.billing(),
                in_use_window: sc.in_use_window_days as i64 * DAY,
            },
            registry,
            repos: self.repos.clone(),
            repo_ids: self.repo_ids.clone(),
            next_midnight: self.next_midnight,
            now: self.now,
            epoch: self.epoch,
            seq: self.seq,
            next_config: self.next_config,
            opts: self.opts.clone(),
            grouping,
            path_groups: self.path_groups.clone(),
            result: self.result.clone(),
        }
    }

    fn finish(mut self) -> RunResult {
        let mut names = self.grouping.names();
        names.extend(std::mem::take(&mut self.path_groups));
        for g in &mut self.result.group_days {
            g.resize(names.len(), DayRow::default());
        }
        self.result.groups = names;
        self.result.repos = self
            .repos
            .iter()
            .map(|r| RepoSummary {
                name: r.name.to_string(),
                group: r.group,
                freq: r.freq,
                images: r.counts.images,
                totals: r.totals,
            })
            .collect();
        self.result.explain = self
            .repos
            .iter_mut()
            .filter_map(|r| r.explain.take())
            .flat_map(|e| e.lines)
            .collect();
        self.result
    }
}

impl State for Engine<'_> {
    fn now(&self) -> i64 {
        self.now
    }
    fn global_epoch(&self) -> u64 {
        self.epoch
    }
    fn repo(&self, name: &[u8]) -> Option<&RepoState> {
        self.repo_ids.get(name).map(|&i| &self.repos[i as usize])
    }
}
