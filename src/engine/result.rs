//! What a run produces before any formatting: daily rows, per-repository totals and
//! counts of what was processed. Every figure is an integer, so results of runs over
//! disjoint sets of repositories add up in any order.

use crate::rules::{Freq, Status};

/// Status counts at a snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub images: u64,
    pub status: [u64; 6],
    pub in_use: u64,
    pub in_use_active: u64,
    /// Open findings per severity (`rules::findings::SEVERITIES` order).
    pub findings_open: [u64; 6],
}

impl Counts {
    pub fn findings_open_total(&self) -> u64 {
        self.findings_open.iter().sum()
    }
}

/// Findings opened, updated and closed during a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingFlows {
    /// Opened per severity (first scans, rescans, and reopened on revival).
    pub created: [u64; 6],
    pub updated: u64,
    pub closed: [u64; 6],
    /// Closed while the image was in use (pulled or seen in use within the window).
    pub closed_in_use: u64,
}

impl FindingFlows {
    pub fn add(&mut self, o: &FindingFlows) {
        add6(&mut self.created, &o.created);
        add6(&mut self.closed, &o.closed);
        self.updated += o.updated;
        self.closed_in_use += o.closed_in_use;
    }

    pub fn created_total(&self) -> u64 {
        self.created.iter().sum()
    }

    pub fn closed_total(&self) -> u64 {
        self.closed.iter().sum()
    }

    /// `Inspector2 Finding` events: one per finding created, updated or closed.
    pub fn events(&self) -> u64 {
        self.created_total() + self.updated + self.closed_total()
    }
}

pub fn add6(a: &mut [u64; 6], b: &[u64; 6]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// What happened during a day, day end included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flows {
    pub pushes: u64,
    pub pulls: u64,
    pub deletes: u64,
    pub initial_scans: u64,
    pub rescans: u64,
    pub basic_scans: u64,
    pub expirations: u64,
    pub cost_micro: i64,
    pub findings: FindingFlows,
}

impl Flows {
    pub fn add(&mut self, o: &Flows) {
        self.pushes += o.pushes;
        self.pulls += o.pulls;
        self.deletes += o.deletes;
        self.initial_scans += o.initial_scans;
        self.rescans += o.rescans;
        self.basic_scans += o.basic_scans;
        self.expirations += o.expirations;
        self.cost_micro += o.cost_micro;
        self.findings.add(&o.findings);
    }
}

/// Events of a day by hour (0-23 by their instant; 24: the day end at midnight, whose
/// expirations and lifecycle actions count in the day, as in `daily.csv`): what an
/// event consumer must absorb at its busiest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hourly {
    /// `Inspector2 Scan` events (initial scans).
    pub scans: [u64; 25],
    /// `Inspector2 Finding` events (findings created, updated, closed).
    pub findings: [u64; 25],
}

/// The bucket of the day end in [`Hourly`].
pub const DAY_END_HOUR: usize = 24;

impl Hourly {
    pub fn add(&mut self, o: &Hourly) {
        for (a, b) in self.scans.iter_mut().zip(&o.scans) {
            *a += b;
        }
        for (a, b) in self.findings.iter_mut().zip(&o.findings) {
            *a += b;
        }
    }
}

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
        add6(&mut c.findings_open, &oc.findings_open);
        self.flows.add(&o.flows);
    }

    pub fn status(&self, s: Status) -> u64 {
        self.counts.status[s as usize]
    }
}

/// Per-repository totals over the reported days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepoTotals {
    pub flows: Flows,
    pub sum_active: u64,
    pub sum_images: u64,
}

#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub name: String,
    pub group: u32,
    pub freq: Freq,
    pub images: u64,
    pub totals: RepoTotals,
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
    /// Per reported day, the rows of the repositories by their scan frequency at the
    /// day's snapshot (indexed by `Freq as usize`): where the cost of a day goes.
    pub freq_days: Vec<[DayRow; 3]>,
    pub groups: Vec<String>,
    /// Per reported day, events by hour (in total).
    pub hourly: Vec<Hourly>,
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
    /// What `--explain` found; `None` when it was not asked or its repository had no
    /// event.
    pub explain: Option<super::explain::ExplainOutcome>,
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
            self.freq_days = o.freq_days;
            self.hourly = o.hourly;
            self.config_changes = o.config_changes;
            self.freq_changes = o.freq_changes;
        } else {
            for (a, b) in self.freq_changes.iter_mut().zip(&o.freq_changes) {
                *a += b;
            }
            for (a, b) in self.days.iter_mut().zip(&o.days) {
                a.add(b);
            }
            for (a, b) in self.hourly.iter_mut().zip(&o.hourly) {
                a.add(b);
            }
            for (fa, fb) in self.freq_days.iter_mut().zip(&o.freq_days) {
                for (a, b) in fa.iter_mut().zip(fb) {
                    a.add(b);
                }
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
        self.explain = self.explain.or(o.explain);
        self
    }
}
