//! Running the (variant, replication) pairs of a sweep, sharing what variants have in
//! common.
//!
//! Synthetic traffic is simulated one repository at a time (repositories never
//! interact), so the unit of work is (replication, repository), run in parallel with
//! rayon. For each unit:
//!
//! 1. **Traffic, once.** The repository's traffic for the replication's seed is generated
//!    once ([`RepoGen::record`]) and replayed to every variant whose traffic is the same
//!    (same `[synthetic]`, seed, start and days). Vulnerability triggers read the engine
//!    state, so each engine draws its own from the same random stream: exactly what
//!    `scansim run` of that variant does.
//! 2. **Equal variants, once.** What a repository's simulation depends on is known
//!    ([`RepoKey`]): its scan frequency and the scan type over time, the Inspector windows
//!    (only if it is ever continuously scanned), prices (only if it can ever get an
//!    enhanced scan), its lifecycle policy, the in-use window and the instants of the
//!    timeline. Variants with equal keys get the same rows from one engine run.
//! 3. **The common past, once.** Before the first instant at which a repository can get an
//!    enhanced scan in any variant, the variants that still differ behave alike (no
//!    enhanced scan means no window and no price matters) if they agree on the rest
//!    ([`agree_before`], [`fork_groups`]). One engine runs that prefix and is forked for each of them
//!    ([`Engine::fork`]), with a copy of the source; variants that cannot share a past
//!    with any other run from the start.
//!
//! Every row is a sum of integers, so the result does not depend on the order of the
//! work or on the number of threads. `--no-sharing` turns all three off (each pair runs as
//! `scansim run` would), which the tests use to check the sharing.

use super::spec::SweepSpec;
use super::traced;
use crate::base::error::Result;
use crate::base::progress::Progress;
use crate::base::time::DAY;
use crate::engine::{DayRow, Engine, RunOptions};
use crate::model::scenario::synthetic::{RepoSpec, SyntheticConfig};
use crate::model::scenario::{Scenario, Traffic};
use crate::rules::lifecycle::Policy;
use crate::rules::{Billing, Freq, InspectorSettings, RegistryConfig, ScanType, Window};
use crate::source::synthetic::{
    Plan, Registry, RepoSource, SharedReader, SharedTraffic, SyntheticGroups,
};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The daily rows of one (variant, replication) run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDays {
    pub variant: u32,
    pub replication: u32,
    pub days: Vec<DayRow>,
    /// Per configuration change: (instant, repositories whose frequency changed).
    pub changes: Vec<(i64, u64)>,
}

/// One run's rows summed over its days, by scan frequency and by group: what the parts
/// of the registry a setting can change cost and cover (figures from sums, see
/// [`Figures::from_total`](crate::report::figures::Figures::from_total)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunParts {
    /// Indexed by `Freq as usize`: a repository's day counts under its frequency at the
    /// day's snapshot.
    pub by_freq: [DayRow; 3],
    /// Repositories with each frequency at the end of the run.
    pub repos_by_freq: [u64; 3],
    /// The groups (in `groups.csv` order) and their sums.
    pub groups: Vec<String>,
    pub by_group: Vec<DayRow>,
}

impl RunParts {
    fn of(r: &crate::engine::RunResult) -> RunParts {
        let mut p = RunParts {
            groups: r.groups.clone(),
            by_group: vec![DayRow::default(); r.groups.len()],
            ..RunParts::default()
        };
        for d in &r.freq_days {
            for (a, b) in p.by_freq.iter_mut().zip(d) {
                a.add(b);
            }
        }
        for d in &r.group_days {
            for (a, b) in p.by_group.iter_mut().zip(d) {
                a.add(b);
            }
        }
        for repo in &r.repos {
            p.repos_by_freq[repo.freq as usize] += 1;
        }
        p
    }

    fn add(&mut self, o: &RunParts) {
        for (a, b) in self.by_freq.iter_mut().zip(&o.by_freq) {
            a.add(b);
        }
        for (a, b) in self.repos_by_freq.iter_mut().zip(&o.repos_by_freq) {
            *a += b;
        }
        if o.groups.len() > self.groups.len() {
            self.groups = o.groups.clone();
            self.by_group.resize(self.groups.len(), DayRow::default());
        }
        for (a, b) in self.by_group.iter_mut().zip(&o.by_group) {
            a.add(b);
        }
    }
}

/// A run's daily rows, its frequency changes and its parts, as summed over repositories.
#[derive(Debug, Clone, Default)]
struct Rows {
    days: Vec<DayRow>,
    changes: Vec<(i64, u64)>,
    parts: RunParts,
}

impl Rows {
    fn of(r: crate::engine::RunResult) -> Rows {
        Rows {
            parts: RunParts::of(&r),
            days: r.days,
            changes: r
                .config_changes
                .iter()
                .copied()
                .zip(r.freq_changes.iter().copied())
                .collect(),
        }
    }

    fn add(&mut self, o: &Rows) {
        if self.days.is_empty() {
            self.days = o.days.clone();
        } else {
            add_days(&mut self.days, &o.days);
        }
        if self.changes.is_empty() {
            self.changes = o.changes.clone();
        } else {
            for (a, b) in self.changes.iter_mut().zip(&o.changes) {
                a.1 += b.1;
            }
        }
        self.parts.add(&o.parts);
    }

    fn into_run(self, variant: u32, replication: u32) -> (RunDays, RunParts) {
        let days = RunDays {
            variant,
            replication,
            days: self.days,
            changes: self.changes,
        };
        (days, self.parts)
    }
}

pub struct ExecOptions {
    /// Share traffic, equal variants and common prefixes (default); off for checking.
    pub sharing: bool,
    pub progress: Option<Arc<dyn Progress + Send>>,
}

/// Where the time went (seconds summed over the worker threads).
#[derive(Debug, Default)]
pub struct Timings {
    pub generation_ns: AtomicU64,
    pub prefix_ns: AtomicU64,
    pub engine_ns: AtomicU64,
    /// (variant, repository) simulations asked for, and engine runs done for them.
    pub repo_runs: AtomicU64,
    pub engine_runs: AtomicU64,
    pub forks: AtomicU64,
    /// The most traffic events one repository's engines held at once.
    pub traffic_held: AtomicU64,
}

impl Timings {
    fn add(c: &AtomicU64, since: Instant) {
        c.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn report(&self) -> String {
        let s = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64 / 1e9;
        format!(
            "timings (seconds summed over worker threads): traffic generation {:.2}, engine \
             shared prefixes {:.2}, engine per variant {:.2}; {} engine runs for {} \
             (variant, replication, repository) simulations, {} of them forked from a \
             shared prefix; at most {} traffic events held for a repository",
            s(&self.generation_ns),
            s(&self.prefix_ns),
            s(&self.engine_ns),
            self.engine_runs.load(Ordering::Relaxed),
            self.repo_runs.load(Ordering::Relaxed),
            self.forks.load(Ordering::Relaxed),
            self.traffic_held.load(Ordering::Relaxed),
        )
    }
}

/// A configuration change as a repository sees it: its instant, the repository's
/// frequency and scan type after it, and the window it sets (`Some(None)`: settings that
/// do not matter to this repository).
type Change = (i64, Option<(Freq, ScanType)>, Option<Option<Window>>);

/// What one repository's simulation depends on in a scenario (beyond its traffic, start
/// and days, which a traffic group shares). Equal keys give equal rows.
#[derive(Debug, PartialEq)]
struct RepoKey<'a> {
    in_use_window_days: u32,
    lifecycle: Option<&'a Policy>,
    /// Only when the repository can get an enhanced scan.
    billing: Option<Billing>,
    initial: (Freq, ScanType),
    /// Only when the repository is ever continuously scanned.
    window: Option<Window>,
    /// Every configuration change.
    timeline: Vec<Change>,
}

fn state(r: &RegistryConfig, repo: &str) -> (Freq, ScanType) {
    (r.frequency(repo), r.scan_type)
}

/// Whether a repository can get an enhanced scan under a configuration.
fn enhanced((f, s): (Freq, ScanType)) -> bool {
    f == Freq::Continuous || (f == Freq::ScanOnPush && s == ScanType::Enhanced)
}

fn lifecycle<'a>(sc: &'a Scenario, repo: &str) -> Option<&'a Policy> {
    sc.lifecycle_for(repo).map(|i| &*sc.lifecycle[i].policy)
}

impl<'a> RepoKey<'a> {
    fn new(sc: &'a Scenario, repo: &str) -> Self {
        let initial = state(&sc.registry, repo);
        let states = || {
            std::iter::once(initial).chain(
                sc.timeline
                    .iter()
                    .filter_map(|e| e.registry.as_ref().map(|r| state(r, repo))),
            )
        };
        let continuous = states().any(|(f, _)| f == Freq::Continuous);
        let scans = states().any(enhanced);
        let window = |s: &InspectorSettings| continuous.then(|| Window::new(s, sc.profile));
        RepoKey {
            in_use_window_days: sc.in_use_window_days,
            lifecycle: lifecycle(sc, repo),
            billing: scans.then(|| sc.billing()),
            initial,
            window: window(&sc.inspector),
            timeline: sc
                .timeline
                .iter()
                .map(|e| {
                    (
                        e.at,
                        e.registry.as_ref().map(|r| state(r, repo)),
                        e.inspector.as_ref().map(window),
                    )
                })
                .collect(),
        }
    }
}

/// The first instant at which a scenario can give a repository an enhanced scan: `None`
/// when it can from the start, `i64::MAX` when it never can.
fn enhanced_from(sc: &Scenario, repo: &str) -> Option<i64> {
    if enhanced(state(&sc.registry, repo)) {
        return None;
    }
    Some(
        sc.timeline
            .iter()
            .find(|e| {
                e.registry
                    .as_ref()
                    .is_some_and(|r| enhanced(state(r, repo)))
            })
            .map_or(i64::MAX, |e| e.at),
    )
}

/// Whether two scenarios simulate a repository alike before `t`, when neither can give it
/// an enhanced scan before `t` (so no window and no price matters yet): same calendar,
/// in-use window and lifecycle policy, and the same configuration changes before `t` with
/// the same frequency and scan type for the repository.
fn agree_before(a: &Scenario, b: &Scenario, repo: &str, t: i64) -> bool {
    let prefix = |sc: &Scenario| {
        sc.timeline
            .iter()
            .take_while(|e| e.at < t)
            .map(|e| (e.at, e.registry.as_ref().map(|r| state(r, repo))))
            .collect::<Vec<_>>()
    };
    a.start == b.start
        && a.days == b.days
        && a.in_use_window_days == b.in_use_window_days
        && lifecycle(a, repo) == lifecycle(b, repo)
        && state(&a.registry, repo) == state(&b.registry, repo)
        && prefix(a) == prefix(b)
}

/// Classes of variants (by their representative scenarios) that can share the
/// simulation of a repository's past, and the instant until which they can: each class
/// joins the first group whose past it shares. (Members of a group agree before the
/// group's instant; a newcomer lowers it to its own at most, so comparing it with the
/// first member suffices.)
fn fork_groups(scs: &[&Scenario], repo: &str) -> Vec<(Vec<usize>, Option<i64>)> {
    let mut groups: Vec<(Vec<usize>, Option<i64>)> = Vec::new();
    for (c, sc) in scs.iter().enumerate() {
        let tc = enhanced_from(sc, repo);
        let joined = tc.is_some_and(|tc| {
            groups.iter_mut().any(|(members, at)| {
                let Some(t) = at.map(|t| t.min(tc)).filter(|&t| t != i64::MAX) else {
                    return false;
                };
                if agree_before(scs[members[0]], sc, repo, t) {
                    members.push(c);
                    *at = Some(t);
                    true
                } else {
                    false
                }
            })
        });
        if !joined {
            groups.push((vec![c], tc));
        }
    }
    groups
}

/// Runs the variants over recorded traces, reading each trace once for all the
/// variants that replay it.
fn run_traced(
    spec: &SweepSpec,
    pairs: &[(u32, u32)],
    timings: &Timings,
    counter: &Counter,
) -> Result<Vec<(RunDays, RunParts)>> {
    let mut by_trace: Vec<(&std::path::Path, Vec<(u32, u32)>)> = Vec::new();
    for &(v, k) in pairs {
        let Some(t) = traced::trace_of(&spec.variants[v as usize].scenario) else {
            continue;
        };
        match by_trace.iter_mut().find(|(p, _)| *p == t) {
            Some((_, members)) => members.push((v, k)),
            None => by_trace.push((t, vec![(v, k)])),
        }
    }
    let mut out = Vec::with_capacity(pairs.len());
    for (trace, members) in by_trace {
        let scs: Vec<&Scenario> = members
            .iter()
            .map(|&(v, _)| &spec.variants[v as usize].scenario)
            .collect();
        let t0 = Instant::now();
        let results = traced::run_shared(trace, &scs)?;
        Timings::add(&timings.engine_ns, t0);
        timings
            .engine_runs
            .fetch_add(members.len() as u64, Ordering::Relaxed);
        counter.advance(RUN_UNITS * members.len() as u64);
        for (&(variant, replication), r) in members.iter().zip(results) {
            out.push(Rows::of(r).into_run(variant, replication));
        }
    }
    Ok(out)
}

/// Variants of one replication that see the same synthetic traffic.
struct TrafficGroup<'a> {
    replication: u32,
    seed: u64,
    cfg: &'a SyntheticConfig,
    start: i64,
    days: u32,
    /// Variant indices.
    members: Vec<usize>,
}

fn add_days(acc: &mut [DayRow], days: &[DayRow]) {
    for (a, d) in acc.iter_mut().zip(days) {
        a.add(d);
    }
}

/// Counts progress in runs from fractions of runs (repository simulations).
struct Counter {
    progress: Option<Arc<dyn Progress + Send>>,
    done: AtomicU64,
}

const RUN_UNITS: u64 = 1 << 20;

impl Counter {
    fn advance(&self, units: u64) {
        if let Some(p) = &self.progress {
            let before = self.done.fetch_add(units, Ordering::Relaxed);
            let whole = (before + units) / RUN_UNITS - before / RUN_UNITS;
            if whole > 0 {
                p.advance(whole);
            }
        }
    }
}

/// Runs the given (variant, replication) pairs; the result is sorted by variant, then
/// replication.
pub fn execute(
    spec: &SweepSpec,
    pairs: &[(u32, u32)],
    opts: &ExecOptions,
    timings: &Timings,
) -> Result<Vec<(RunDays, RunParts)>> {
    let counter = Counter {
        progress: opts.progress.clone(),
        done: AtomicU64::new(0),
    };
    if let Some(p) = &opts.progress {
        p.start(pairs.len() as u64, "runs");
    }

    let mut groups: Vec<TrafficGroup> = Vec::new();
    let mut trace_pairs: Vec<(u32, u32)> = Vec::new();
    for &(v, k) in pairs {
        let sc = &spec.variants[v as usize].scenario;
        let Traffic::Synthetic(cfg) = &sc.traffic else {
            trace_pairs.push((v, k));
            continue;
        };
        let seed = spec.seed(v as usize, k);
        let same = |g: &TrafficGroup| {
            g.replication == k
                && g.seed == seed
                && g.start == sc.start
                && g.days == sc.days
                && *g.cfg == **cfg
        };
        match groups.iter_mut().find(|g| opts.sharing && same(g)) {
            Some(g) => g.members.push(v as usize),
            None => groups.push(TrafficGroup {
                replication: k,
                seed,
                cfg,
                start: sc.start,
                days: sc.days,
                members: vec![v as usize],
            }),
        }
    }

    let synthetic: Vec<Vec<(RunDays, RunParts)>> = groups
        .par_iter()
        .map(|g| run_group(spec, g, opts, timings, &counter))
        .collect::<Result<_>>()?;
    let traced = run_traced(spec, &trace_pairs, timings, &counter)?;
    if let Some(p) = &opts.progress {
        p.finish();
    }
    let mut out: Vec<(RunDays, RunParts)> = synthetic.into_iter().flatten().chain(traced).collect();
    out.sort_by_key(|(r, _)| (r.variant, r.replication));
    Ok(out)
}

fn run_group(
    spec: &SweepSpec,
    g: &TrafficGroup,
    opts: &ExecOptions,
    timings: &Timings,
    counter: &Counter,
) -> Result<Vec<(RunDays, RunParts)>> {
    let scs: Vec<&Scenario> = g
        .members
        .iter()
        .map(|&v| &spec.variants[v].scenario)
        .collect();
    // The seed of replication k, with the rest of the plan from the first member (the
    // members share [synthetic], start and days).
    let Registry {
        plan,
        specs,
        groups: grouping,
    } = Registry::new(g.cfg, g.seed, g.start, g.days);
    let units = (g.members.len() as u64 * RUN_UNITS) / specs.len().max(1) as u64;
    let zero = || vec![Rows::default(); scs.len()];
    let acc = specs
        .par_iter()
        .try_fold(zero, |mut acc, repo| {
            run_repo(
                &plan,
                repo,
                &grouping,
                &scs,
                opts.sharing,
                timings,
                &mut acc,
            )?;
            counter.advance(units);
            Ok::<_, crate::base::error::Error>(acc)
        })
        .try_reduce(zero, |mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                x.add(y);
            }
            Ok(a)
        })?;
    Ok(g.members
        .iter()
        .zip(acc)
        .map(|(&v, rows)| rows.into_run(v as u32, g.replication))
        .collect())
}

/// Without sharing: generates and simulates the repository anew for each member.
fn run_each(
    plan: &Plan,
    repo: &RepoSpec,
    grouping: &SyntheticGroups,
    scs: &[&Scenario],
    timings: &Timings,
    acc: &mut [Rows],
) -> Result<()> {
    for (m, sc) in scs.iter().enumerate() {
        let t0 = Instant::now();
        let mut source = RepoSource::new(plan, repo);
        let r = Engine::new(sc, RunOptions::default(), grouping).run(&mut source)?;
        Timings::add(&timings.engine_ns, t0);
        timings.engine_runs.fetch_add(1, Ordering::Relaxed);
        acc[m].add(&Rows::of(r));
    }
    Ok(())
}

/// Classes of members that simulate repository `name` alike: the class of each member,
/// and the first member of each class.
fn alike_classes(scs: &[&Scenario], name: &str) -> (Vec<usize>, Vec<usize>) {
    let keys: Vec<RepoKey> = scs.iter().map(|sc| RepoKey::new(sc, name)).collect();
    let mut class_of = Vec::with_capacity(scs.len());
    let mut reps: Vec<usize> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        match reps.iter().position(|&r| keys[r] == *k) {
            Some(c) => class_of.push(c),
            None => {
                class_of.push(reps.len());
                reps.push(i);
            }
        }
    }
    (class_of, reps)
}

/// Days of traffic the engines of one repository advance together before the events all
/// of them have read are dropped.
const STEP_DAYS: i64 = 64;

/// An engine over the shared traffic: a common past not yet forked (its classes and the
/// instant it forks at), or one class's own run.
enum Lane<'s, 'p> {
    Prefix {
        engine: Engine<'s>,
        source: RepoSource<'p, SharedReader<'p>>,
        at: i64,
        members: Vec<usize>,
    },
    Own {
        engine: Engine<'s>,
        source: RepoSource<'p, SharedReader<'p>>,
        class: usize,
    },
}

impl<'p> Lane<'_, 'p> {
    fn source(&self) -> &RepoSource<'p, SharedReader<'p>> {
        match self {
            Lane::Prefix { source, .. } | Lane::Own { source, .. } => source,
        }
    }
}

/// Simulates one repository for each class of alike variants (`scs`), every engine
/// reading one generation of the traffic in steps of [`STEP_DAYS`]: the traffic held is
/// a step's worth, not the repository's whole history, so a sweep needs no more memory
/// per worker than the runs it repeats. Classes that share a past run it once and fork.
fn run_lanes<'s>(
    plan: &Plan,
    repo: &RepoSpec,
    grouping: &'s SyntheticGroups,
    scs: &[&'s Scenario],
    timings: &Timings,
) -> Result<Vec<Rows>> {
    let traffic = SharedTraffic::new(plan, repo);
    let source = || RepoSource::shared(plan, repo, traffic.reader());
    let new = |c: usize| Engine::new(scs[c], RunOptions::default(), grouping);
    let mut lanes: Vec<Lane> = Vec::new();
    for (members, at) in fork_groups(scs, &repo.name) {
        match at {
            Some(t) if members.len() > 1 => lanes.push(Lane::Prefix {
                engine: new(members[0]),
                source: source(),
                at: t,
                members,
            }),
            _ => lanes.extend(members.into_iter().map(|c| Lane::Own {
                engine: new(c),
                source: source(),
                class: c,
            })),
        }
    }
    let horizon = scs[0].horizon();
    let mut until = plan.start + plan.first_day * DAY;
    while until < horizon {
        until = (until + STEP_DAYS * DAY).min(horizon);
        traffic.fill_until(until);
        let mut next: Vec<Lane> = Vec::with_capacity(lanes.len());
        for mut lane in lanes {
            if !step(&mut lane, until, scs, grouping, timings, &mut next)? {
                next.push(lane);
            }
        }
        lanes = next;
        timings
            .traffic_held
            .fetch_max(traffic.held() as u64, Ordering::Relaxed);
        if let Some(p) = lanes.iter().map(|l| l.source().position()).min() {
            traffic.trim(p);
        }
    }
    let mut rows: Vec<Rows> = vec![Rows::default(); scs.len()];
    let t0 = Instant::now();
    for lane in lanes {
        if let Lane::Own {
            engine,
            mut source,
            class,
        } = lane
        {
            rows[class] = Rows::of(engine.run(&mut source)?);
        }
    }
    Timings::add(&timings.engine_ns, t0);
    Ok(rows)
}

/// Advances one lane to `until`; a common past that reaches its fork instant forks into
/// its classes (added to `forked`) and is done: returns whether it forked.
fn step<'s, 'p>(
    lane: &mut Lane<'s, 'p>,
    until: i64,
    scs: &[&'s Scenario],
    grouping: &'s SyntheticGroups,
    timings: &Timings,
    forked: &mut Vec<Lane<'s, 'p>>,
) -> Result<bool> {
    let t0 = Instant::now();
    match lane {
        Lane::Own { engine, source, .. } => {
            engine.run_until(source, until)?;
            Timings::add(&timings.engine_ns, t0);
        }
        Lane::Prefix {
            engine,
            source,
            at,
            members,
        } => {
            engine.run_until(source, until.min(*at))?;
            Timings::add(&timings.prefix_ns, t0);
            if until >= *at {
                for &c in members.iter() {
                    forked.push(Lane::Own {
                        engine: engine.fork(scs[c], grouping),
                        source: source.clone(),
                        class: c,
                    });
                }
                timings
                    .forks
                    .fetch_add(members.len() as u64, Ordering::Relaxed);
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Simulates one repository for every member of a traffic group; adds the rows to `acc`.
fn run_repo(
    plan: &Plan,
    repo: &RepoSpec,
    grouping: &SyntheticGroups,
    scs: &[&Scenario],
    sharing: bool,
    timings: &Timings,
    acc: &mut [Rows],
) -> Result<()> {
    timings
        .repo_runs
        .fetch_add(scs.len() as u64, Ordering::Relaxed);
    if !sharing {
        return run_each(plan, repo, grouping, scs, timings, acc);
    }

    let (class_of, reps) = alike_classes(scs, &repo.name);
    let rep_scs: Vec<&Scenario> = reps.iter().map(|&r| scs[r]).collect();
    let rows = run_lanes(plan, repo, grouping, &rep_scs, timings)?;
    timings
        .engine_runs
        .fetch_add(rep_scs.len() as u64, Ordering::Relaxed);
    for (m, &c) in class_of.iter().enumerate() {
        acc[m].add(&rows[c]);
    }
    Ok(())
}
