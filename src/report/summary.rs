//! `summary.json`: the summary figures, totals, the cost and scans by scan frequency, the
//! last day's statuses, the warnings, the figures over replications (`run
//! --replications`), and what the result came from (scenario and file hashes, profile,
//! seed, version, command line).

use super::answer::{Headline, json_value};
use super::breakdown::by_frequency;
use super::figures::cents_value;
use super::{Exporter, Report};
use crate::base::time::{DAY, format_date, format_instant};
use crate::rules::Status;
use crate::rules::findings::SEVERITIES;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct FileHash {
    path: String,
    sha256: String,
}

#[derive(Serialize)]
struct Source {
    scenario: FileHash,
    files: Vec<FileHash>,
    rules_profile: &'static str,
    seed: u64,
    program: String,
    command: Vec<String>,
}

#[derive(Serialize)]
struct Figures8b {
    cost_per_30_days_usd: f64,
    mean_coverage_pct: Option<f64>,
    mean_in_use_coverage_pct: Option<f64>,
    mean_continuous_coverage_pct: Option<f64>,
    mean_exposed: f64,
}

#[derive(Serialize)]
struct Totals {
    cost_usd: f64,
    initial_scans: u64,
    rescans: u64,
    basic_scans: u64,
    pushes: u64,
    pulls: u64,
    deletes: u64,
    expirations: u64,
    ignored_events: u64,
    inputs_processed: u64,
    events_after_horizon: u64,
}

/// Findings over the reported days (docs/findings.md).
#[derive(Serialize)]
struct FindingsJson {
    open_at_end: BTreeMap<&'static str, u64>,
    open_at_end_total: u64,
    mean_open: f64,
    created: u64,
    created_by_severity: BTreeMap<&'static str, u64>,
    updated: u64,
    closed: u64,
    closed_by_severity: BTreeMap<&'static str, u64>,
    closed_in_use: u64,
}

fn by_severity(a: &[u64; 6]) -> BTreeMap<&'static str, u64> {
    SEVERITIES.iter().copied().zip(a.iter().copied()).collect()
}

fn findings(f: &super::figures::Figures) -> FindingsJson {
    let fl = &f.flows.findings;
    FindingsJson {
        open_at_end: by_severity(&f.findings_open_last),
        open_at_end_total: f.findings_open_last.iter().sum(),
        mean_open: cents_value(f.mean_open_findings_hundredths()),
        created: fl.created_total(),
        created_by_severity: by_severity(&fl.created),
        updated: fl.updated,
        closed: fl.closed_total(),
        closed_by_severity: by_severity(&fl.closed),
        closed_in_use: fl.closed_in_use,
    }
}

#[derive(Serialize)]
struct SpreadOfDays {
    p50: u64,
    p95: u64,
    max: u64,
}

/// The load one kind of event puts on its consumers.
#[derive(Serialize)]
struct KindLoadJson {
    total: u64,
    per_day: SpreadOfDays,
    busiest_hour: SpreadOfDays,
    /// Start of the busiest hour of the run (the day end: the midnight).
    busiest_hour_at: Option<String>,
}

fn event_load(report: &Report) -> BTreeMap<&'static str, KindLoadJson> {
    use super::consumers::{Spread, hour_text, loads};
    let spread = |v: &[u64]| {
        let s = Spread::of(v);
        SpreadOfDays {
            p50: s.p50,
            p95: s.p95,
            max: s.max,
        }
    };
    loads(report)
        .into_iter()
        .map(|l| {
            let j = KindLoadJson {
                total: l.per_day.iter().sum(),
                per_day: spread(&l.per_day),
                busiest_hour: spread(&l.busiest_hour),
                busiest_hour_at: l.peak.map(|(d, h)| hour_text(report.scenario.start, d, h)),
            };
            (l.kind, j)
        })
        .collect()
}

/// The repositories of one scan frequency (at each day's end), over the reported days.
#[derive(Serialize)]
struct FreqSummary {
    repositories_at_end: u64,
    cost_usd: f64,
    cost_share_pct: Option<f64>,
    initial_scans: u64,
    rescans: u64,
    basic_scans: u64,
    mean_images: f64,
    mean_coverage_pct: Option<f64>,
}

/// A headline figure over replications (2 decimals).
#[derive(Serialize)]
struct SpreadJson {
    mean: f64,
    ci95_low: f64,
    ci95_high: f64,
    min: f64,
    max: f64,
}

#[derive(Serialize)]
struct ReplicationsJson {
    count: usize,
    interval: &'static str,
    seeds: Vec<u64>,
    figures: BTreeMap<&'static str, Option<SpreadJson>>,
}

#[derive(Serialize)]
struct LastDay {
    date: String,
    images: u64,
    statuses: BTreeMap<&'static str, u64>,
    in_use: u64,
    in_use_active: u64,
}

#[derive(Serialize)]
struct Summary {
    start: String,
    days: u32,
    figures: Figures8b,
    totals: Totals,
    by_scan_frequency: BTreeMap<&'static str, FreqSummary>,
    findings: FindingsJson,
    event_load: BTreeMap<&'static str, KindLoadJson>,
    replications: Option<ReplicationsJson>,
    last_day: Option<LastDay>,
    configuration_changes: Vec<String>,
    warnings: Vec<String>,
    source: Source,
}

fn by_scan_frequency(report: &Report) -> BTreeMap<&'static str, FreqSummary> {
    let total = report.figures.flows.cost_micro;
    by_frequency(report.result)
        .into_iter()
        .map(|p| {
            let f = &p.figures;
            let mean_images = if f.days == 0 {
                0
            } else {
                (2 * f.coverage.den as u128 * 100 + f.days as u128) / (2 * f.days as u128)
            };
            let summary = FreqSummary {
                repositories_at_end: p.repos_at_end,
                cost_usd: cents_value(crate::base::money::cents(f.flows.cost_micro.max(0))),
                cost_share_pct: p.cost_share(total).map(cents_value),
                initial_scans: f.flows.initial_scans,
                rescans: f.flows.rescans,
                basic_scans: f.flows.basic_scans,
                mean_images: cents_value(mean_images as u64),
                mean_coverage_pct: f.coverage.rounded(),
            };
            (p.freq.name(), summary)
        })
        .collect()
}

fn replications(report: &Report) -> Option<ReplicationsJson> {
    let r = report.replications.as_ref()?;
    Some(ReplicationsJson {
        count: r.seeds.len(),
        interval: "95 % confidence interval of the mean over the replications (Student t, \
                   n - 1 degrees of freedom); min and max are the extreme single runs",
        seeds: r.seeds.clone(),
        figures: Headline::ALL
            .iter()
            .map(|&h| {
                let s = r.get(h).map(|s| SpreadJson {
                    mean: json_value(s.mean),
                    ci95_low: json_value(s.low),
                    ci95_high: json_value(s.high),
                    min: json_value(s.min),
                    max: json_value(s.max),
                });
                (h.key(), s)
            })
            .collect(),
    })
}

pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let sc = report.scenario;
        let r = report.result;
        let f = &report.figures;
        let last_day = r.days.last().map(|d| LastDay {
            date: format_date(sc.start + (r.days.len() as i64 - 1) * DAY),
            images: d.counts.images,
            statuses: Status::ALL
                .iter()
                .map(|s| (s.name(), d.status(*s)))
                .collect(),
            in_use: d.counts.in_use,
            in_use_active: d.counts.in_use_active,
        });
        let hash = |(p, h): &(std::path::PathBuf, String)| FileHash {
            path: p.display().to_string(),
            sha256: h.clone(),
        };
        let summary = Summary {
            start: format_date(sc.start),
            days: sc.days,
            figures: Figures8b {
                cost_per_30_days_usd: cents_value(f.cost_per_30_days_cents()),
                mean_coverage_pct: f.coverage.rounded(),
                mean_in_use_coverage_pct: f.in_use_coverage.rounded(),
                mean_continuous_coverage_pct: f.continuous_coverage.rounded(),
                mean_exposed: cents_value(f.mean_exposed_hundredths()),
            },
            totals: Totals {
                cost_usd: cents_value(crate::base::money::cents(f.flows.cost_micro.max(0))),
                initial_scans: f.flows.initial_scans,
                rescans: f.flows.rescans,
                basic_scans: f.flows.basic_scans,
                pushes: f.flows.pushes,
                pulls: f.flows.pulls,
                deletes: f.flows.deletes,
                expirations: f.flows.expirations,
                ignored_events: r.ignored_events,
                inputs_processed: r.inputs_processed(),
                events_after_horizon: r.events_after_horizon,
            },
            by_scan_frequency: by_scan_frequency(report),
            findings: findings(f),
            event_load: event_load(report),
            replications: replications(report),
            last_day,
            configuration_changes: r
                .config_changes
                .iter()
                .map(|&t| format_instant(t))
                .collect(),
            warnings: report.warnings.clone(),
            source: Source {
                scenario: hash(&report.provenance.scenario),
                files: report.provenance.files.iter().map(hash).collect(),
                rules_profile: sc.profile.name(),
                seed: sc.seed,
                program: format!("scansim {}", env!("CARGO_PKG_VERSION")),
                command: report.command.to_vec(),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &summary)?;
        writeln!(out)
    }
}
