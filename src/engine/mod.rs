//! The engine: owns the clock, orders inputs (configuration changes before traffic at
//! one instant), runs day ends and takes the daily snapshots. The only place where
//! time advances.
//!
//! - [`store`]: the images of a repository (slots, digests, tags, deadline heaps);
//! - [`repo`]: the scanning rules applied to one repository;
//! - [`explain`]: the history of one image in words;
//! - [`observer`]: the trait through which the engine reports what happens;
//! - [`result`]: the integer figures a run produces.

pub mod explain;
pub mod findings;
#[cfg(test)]
mod findings_tests;
pub mod observer;
pub mod repo;
pub mod result;
pub mod store;
#[cfg(test)]
mod transitions_tests;

use crate::base::digest::DigestRef;
use crate::base::error::{Error, Location, Result};
use crate::base::time::DAY;
use crate::model::event::{Change, Event, EventKind, SimView, Source};
use crate::model::groups::Grouping;
use crate::model::scenario::Scenario;
use crate::rules::{Freq, PullMode, RegistryConfig, ScanType, Window};
pub use observer::Observer;
use rayon::prelude::*;
use repo::{Ctx, Prefetch, RepoState};
pub use result::{Counts, DayRow, Flows, Hourly, RepoSummary, RepoTotals, RunResult};
use rustc_hash::FxHashMap;
use std::path::Path;

/// Run options that are not part of the scenario.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Ignored events are errors.
    pub strict: bool,
    /// The image whose history to record.
    pub explain: Option<explain::ExplainTarget>,
    /// Where to report simulated days; `None` reports nothing.
    pub progress: Option<std::sync::Arc<dyn crate::base::progress::Progress + Send>>,
    /// Do not free the engine's tables at the end of the run: for a command that exits
    /// soon after, where the operating system takes the memory back at once (freeing a
    /// million images one by one takes a noticeable part of a run). Never for a library
    /// caller that goes on (sweeps, tests).
    pub leave_tables: bool,
}

pub struct Engine<'s> {
    sc: &'s Scenario,
    observer: Option<Box<dyn Observer + Send + 's>>,
    registry: RegistryConfig,
    ctx: Ctx,
    repos: Vec<RepoState>,
    repo_ids: FxHashMap<Box<[u8]>, u32>,
    /// Repository by the source's number for it ([`Event::repo_id`]); `u32::MAX` where
    /// not seen yet.
    by_source_id: Vec<u32>,
    /// The repository a [`SimView`] call named last (sources ask about one repeatedly).
    last_viewed: std::cell::Cell<u32>,
    next_midnight: Option<i64>,
    skip_idle: bool,
    now: i64,
    /// Pushes applied so far: orders images created at one instant.
    seq: u64,
    /// Index of the next timeline entry to apply.
    next_config: usize,
    opts: RunOptions,
    grouping: &'s dyn Grouping,
    path_groups: Vec<String>,
    result: RunResult,
}

fn ctx_of(sc: &Scenario, registry: &RegistryConfig, window: Window) -> Ctx {
    Ctx {
        window,
        scan_type: registry.scan_type,
        billing: sc.billing(),
        in_use_window: sc.in_use_window_days as i64 * DAY,
    }
}

impl<'s> Engine<'s> {
    pub fn new(sc: &'s Scenario, opts: RunOptions, grouping: &'s dyn Grouping) -> Self {
        Engine {
            sc,
            observer: None,
            registry: sc.registry.clone(),
            ctx: ctx_of(sc, &sc.registry, Window::new(&sc.inspector, sc.profile)),
            repos: Vec::new(),
            repo_ids: FxHashMap::default(),
            by_source_id: Vec::new(),
            last_viewed: std::cell::Cell::new(u32::MAX),
            next_midnight: None,
            skip_idle: false,
            now: i64::MIN,
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

    /// Reports what happens to `observer` (from day 0 on).
    pub fn with_observer(mut self, observer: Box<dyn Observer + Send + 's>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The repository state of a name, if the repository has been seen.
    pub fn repo(&self, name: &[u8]) -> Option<&RepoState> {
        if let Some(r) = self.repos.get(self.last_viewed.get() as usize)
            && r.name.as_bytes() == name
        {
            return Some(r);
        }
        let &i = self.repo_ids.get(name)?;
        self.last_viewed.set(i);
        Some(&self.repos[i as usize])
    }

    /// The repository of an event: by the source's number for it when it has one (an
    /// index, no hashing of the name), else by name; created on first sight.
    #[inline]
    fn repo_of(&mut self, ev: &Event) -> usize {
        if let Some(&i) = self.by_source_id.get(ev.repo_id as usize)
            && i != u32::MAX
        {
            return i as usize;
        }
        let i = self.repo_id(ev.repo);
        if ev.repo_id != Event::NO_REPO_ID {
            let k = ev.repo_id as usize;
            if k >= self.by_source_id.len() {
                self.by_source_id.resize(k + 1, u32::MAX);
            }
            self.by_source_id[k] = i;
        }
        i as usize
    }

    /// Starts loading what the events a little ahead will touch (see
    /// [`Source::ahead`]), in three steps each a few events after the one before: the
    /// repository's state 24 events ahead, the digest's index entry 16 ahead, the image
    /// 8 ahead (its entry, loaded 8 events before, tells which).
    #[inline]
    fn prefetch<S: Source>(&self, source: &S) {
        for (k, step) in [
            (24, Prefetch::Repo),
            (16, Prefetch::Entry),
            (8, Prefetch::Image),
        ] {
            if let Some((id, h)) = source.ahead(k)
                && let Some(&i) = self.by_source_id.get(id as usize)
                && let Some(r) = self.repos.get(i as usize)
            {
                r.prefetch(h, step);
            }
        }
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

    /// Hands the initial scans a repository recorded to the observer.
    fn drain_initial_scans(&mut self, id: usize) -> Result<()> {
        let Some(obs) = self.observer.as_mut() else {
            return Ok(());
        };
        let r = &mut self.repos[id];
        let Some(mut list) = r.initial_scans.take() else {
            return Ok(());
        };
        for &(t, slot) in list.iter().filter(|(t, _)| *t >= self.sc.start) {
            let tags: Vec<&[u8]> = r.tags(slot).collect();
            let findings = r.findings.open(slot);
            obs.initial_scan(t, &r.name, r.image(slot).digest.as_ref(), &tags, &findings)?;
        }
        list.clear();
        r.initial_scans = Some(list);
        let Some(mut log) = r.finding_log.take() else {
            return Ok(());
        };
        // A day-end record at M(-1) = S belongs to day -1.
        for rec in log
            .iter()
            .filter(|x| x.t - x.day_end as i64 >= self.sc.start)
        {
            obs.findings(&r.name, rec)?;
        }
        log.clear();
        r.finding_log = Some(log);
        Ok(())
    }

    /// The repository id of a name, creating the repository on first sight. Sources
    /// hand out only checked names.
    fn repo_id(&mut self, name: &[u8]) -> u32 {
        if let Some(&id) = self.repo_ids.get(name) {
            return id;
        }
        let s = std::str::from_utf8(name).unwrap_or("");
        let id = self.repos.len() as u32;
        let policy = self
            .sc
            .lifecycle_for(s)
            .map(|i| self.sc.lifecycle[i].policy.clone());
        let group = self
            .grouping
            .group_of(s)
            .unwrap_or_else(|| Self::path_group(&mut self.path_groups, s));
        let mut r = RepoState::new(s, self.registry.frequency(s), policy, group);
        r.findings = findings::Book::new(self.sc.findings_for(s), self.sc.seed);
        if let Some(target) = &self.opts.explain
            && target.repository == s
        {
            r.set_explain(&target.which);
        }
        if let Some(obs) = &self.observer {
            r.initial_scans = Some(Vec::new());
            if obs.wants_findings() {
                r.finding_log = Some(Vec::new());
            }
        }
        self.repos.push(r);
        self.repo_ids.insert(name.into(), id);
        id
    }

    /// Day ends start at the earlier of `M(0)` and the first midnight after the earliest
    /// input.
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
            r.day_end(m, &ctx);
        }
        if reported {
            if let Some(p) = &self.opts.progress {
                if d == 0 {
                    p.start(self.sc.days as u64, "days");
                }
                p.advance(1);
            }
            self.snapshot();
        }
        for r in &mut self.repos {
            r.close_day(reported);
        }
        self.next_midnight = Some(m + DAY);
        self.now = m;
    }

    /// The row of the day that just ended, in total, per group and per scan frequency.
    fn snapshot(&mut self) {
        if self.result.days.is_empty() {
            // The rows of every reported day, without regrowing (and copying) them.
            let n = self.sc.days as usize;
            self.result.days.reserve_exact(n);
            self.result.freq_days.reserve_exact(n);
            self.result.group_days.reserve_exact(n);
            self.result.hourly.reserve_exact(n);
        }
        let ngroups = self.result.group_days.last().map_or(0, Vec::len);
        let mut row = DayRow::default();
        let mut groups = vec![DayRow::default(); ngroups];
        let mut freqs = [DayRow::default(); 3];
        let mut hourly = Hourly::default();
        for r in &self.repos {
            hourly.add(&r.hourly);
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
            freqs[r.freq as usize].add(&rr);
        }
        self.result.days.push(row);
        self.result.hourly.push(hourly);
        self.result.freq_days.push(freqs);
        self.result.group_days.push(groups);
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
        if let Some(obs) = self.observer.as_mut()
            && !changes.is_empty()
            && t >= self.sc.start
        {
            obs.frequency_change(t, ctx.scan_type, &changes)?;
        }
        for id in 0..self.repos.len() {
            self.drain_initial_scans(id)?;
        }
        self.now = t;
        Ok(())
    }

    fn ignored(&mut self, ev: &Event, file: Option<&Path>) -> Result<()> {
        self.result.ignored_events += 1;
        if !self.opts.strict {
            return Ok(());
        }
        let what = format!(
            "ignored event: {} of {}@{} at {}, which is not a live image{} (--strict)",
            ev.kind.name(),
            String::from_utf8_lossy(ev.repo),
            ev.digest_text(),
            crate::base::time::format_instant(ev.time),
            match ev.kind {
                EventKind::Pull | EventKind::InUse => " (or is archived)",
                EventKind::Archive => " (or is archived already)",
                EventKind::Restore => " (or is not archived)",
                _ => "",
            }
        );
        let loc = match file {
            Some(f) => Location::file(f).line(ev.line),
            // Synthetic traffic has no trace line: name the scenario and the repository.
            None => Location::file(&self.sc.file).key(format!(
                "synthetic traffic of repository {}",
                String::from_utf8_lossy(ev.repo)
            )),
        };
        Err(Error::input(loc, what))
    }

    /// Applies one traffic event; returns what changed.
    pub fn apply(&mut self, ev: &Event, file: Option<&Path>) -> Result<Change> {
        self.result.traffic_events += 1;
        self.now = ev.time;
        let (applied, touched) = match ev.digest {
            _ if ev.repo.is_empty() => {
                for r in &mut self.repos {
                    r.vulndb_all(ev.time, &self.ctx);
                }
                (true, None)
            }
            Some(d) => {
                let id = self.repo_of(ev);
                (self.apply_to(id, ev, d), Some(id))
            }
            None => {
                let id = self.repo_of(ev);
                self.repos[id].vulndb_all(ev.time, &self.ctx);
                (true, Some(id))
            }
        };
        if !applied {
            self.ignored(ev, file)?;
        }
        match touched {
            Some(id) => {
                if self.observer.is_some() {
                    self.drain_initial_scans(id)?;
                }
                Ok(Change::Taken)
            }
            None => {
                self.drain_all()?;
                Ok(Change::Everything)
            }
        }
    }

    /// Hands what every repository recorded to the observer (after a change that may
    /// touch all of them: a day end, a rescan of every repository).
    fn drain_all(&mut self) -> Result<()> {
        if self.observer.is_some() {
            for id in 0..self.repos.len() {
                self.drain_initial_scans(id)?;
            }
        }
        Ok(())
    }

    /// An event naming an image of repository `id`; false when ignored.
    fn apply_to(&mut self, id: usize, ev: &Event, d: DigestRef) -> bool {
        let (t, ctx) = (ev.time, &self.ctx);
        let r = &mut self.repos[id];
        match ev.kind {
            EventKind::Push => {
                self.seq += 1;
                r.push(t, d, ev.tags(), ev.supported, self.seq, ctx);
                true
            }
            EventKind::Pull => r.observe(t, d, PullMode::LastPullDate, ctx),
            EventKind::InUse => r.observe(t, d, PullMode::LastInUseAt, ctx),
            EventKind::Delete => r.delete(t, d),
            EventKind::Archive => r.archive(t, d),
            EventKind::Restore => r.restore(t, d, ctx),
            EventKind::VulndbUpdate => r.vulndb_one(t, d, ctx),
        }
    }

    /// Runs the scenario over a source to the end.
    pub fn run<S: Source>(mut self, source: &mut S) -> Result<RunResult> {
        self.run_until(source, i64::MAX)?;
        let horizon = self.sc.horizon();
        self.init_clock(horizon);
        while let Some(m) = self.due_midnight(horizon) {
            self.day_end(m);
            self.drain_all()?;
        }
        self.result.events_after_horizon = source.drain()?;
        if let Some(obs) = self.observer.as_mut() {
            obs.finish()?;
        }
        if let Some(p) = &self.opts.progress {
            p.finish();
        }
        Ok(self.finish())
    }

    /// Processes the inputs and the day ends between them up to the horizon. With
    /// `until` before the horizon it stops at the first input at or after `until`, and
    /// [`Engine::run`] (of this engine or of a [`fork`](Engine::fork)) goes on from there
    /// with the same source.
    ///
    /// Day ends run up to the next input, and up to the horizon when no input comes
    /// before it: the source is told after each one, and may then have an earlier event
    /// (a vulnerability trigger drawn at a higher rate).
    pub fn run_until<S: Source>(&mut self, source: &mut S, until: i64) -> Result<()> {
        let horizon = self.sc.horizon();
        let file = source.file().map(Path::to_path_buf);
        loop {
            let ts = source.peek()?;
            let tc = self.sc.timeline.get(self.next_config).map(|e| e.at);
            let t = ts.unwrap_or(i64::MAX).min(tc.unwrap_or(i64::MAX));
            if t >= until && until <= horizon {
                break;
            }
            let clock_to = t.min(horizon);
            self.init_clock(clock_to);
            if let Some(m) = self.due_midnight(clock_to) {
                self.day_end(m);
                self.drain_all()?;
                self.next_midnight = Some(self.next_midnight_before(m, clock_to));
                source.changed(self, Change::Everything);
                continue;
            }
            if t >= horizon {
                break;
            }
            if tc == Some(t) {
                self.configure(self.next_config)?;
                self.next_config += 1;
                source.changed(self, Change::Everything);
            } else {
                self.prefetch(source);
                let ev = source.take(self);
                let change = self.apply(&ev, file.as_deref())?;
                source.changed(self, change);
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
        let cfg = sc.configuration_after(self.next_config);
        let mut repos = self.repos.clone();
        for r in &mut repos {
            r.findings.set_model(sc.findings_for(&r.name), sc.seed);
        }
        Engine {
            sc,
            observer: None,
            skip_idle: self.skip_idle,
            ctx: ctx_of(sc, cfg.registry, Window::new(&cfg.inspector, sc.profile)),
            registry: cfg.registry.clone(),
            repos,
            repo_ids: self.repo_ids.clone(),
            by_source_id: self.by_source_id.clone(),
            last_viewed: std::cell::Cell::new(u32::MAX),
            next_midnight: self.next_midnight,
            now: self.now,
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
        self.result.explain = self.repos.iter_mut().find_map(|r| r.explain_outcome());
        if self.opts.leave_tables {
            std::mem::forget(std::mem::take(&mut self.repos));
        }
        self.result
    }
}

impl SimView for Engine<'_> {
    fn now(&self) -> i64 {
        self.now
    }

    fn active_count(&self, repo: &[u8]) -> usize {
        self.repo(repo).map_or(0, RepoState::active_count)
    }

    fn active_digest(&self, repo: &[u8], k: usize) -> DigestRef<'_> {
        self.repo(repo)
            .expect("active_digest of a repository with active images")
            .active_digest(k)
    }
}
