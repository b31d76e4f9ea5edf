//! The answer of a run in a few sentences: what it costs, what it covers, where the money
//! goes and how sure the figures are. The same sentences open `report.html` and end
//! `scansim run` in the terminal, so the two never disagree; every number in them is
//! rounded from the value `summary.json` holds.

use super::Report;
use super::breakdown::{FreqPart, by_frequency};
use super::figures::{Figures, cents_value};
use super::human::{mean_count, pct, share as share_text, thousands, to_hundredths, usd_cents};
use crate::base::money::cents;
use crate::base::time::{DAY, format_date};
use crate::engine::RunResult;
use crate::rules::Freq;

/// A headline figure: the figures `summary.json` gives, and the share of the cost that is
/// scan on push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    CostPer30Days,
    TotalCost,
    Coverage,
    InUseCoverage,
    ContinuousCoverage,
    Exposed,
    ScanOnPushShare,
}

impl Headline {
    pub const ALL: [Headline; 7] = [
        Headline::CostPer30Days,
        Headline::TotalCost,
        Headline::Coverage,
        Headline::InUseCoverage,
        Headline::ContinuousCoverage,
        Headline::Exposed,
        Headline::ScanOnPushShare,
    ];

    /// Its name in `summary.json`.
    pub fn key(self) -> &'static str {
        match self {
            Headline::CostPer30Days => "cost_per_30_days_usd",
            Headline::TotalCost => "total_cost_usd",
            Headline::Coverage => "mean_coverage_pct",
            Headline::InUseCoverage => "mean_in_use_coverage_pct",
            Headline::ContinuousCoverage => "mean_continuous_coverage_pct",
            Headline::Exposed => "mean_exposed",
            Headline::ScanOnPushShare => "scan_on_push_cost_share_pct",
        }
    }

    /// The value of a run, unrounded (for statistics over runs); none when undefined.
    pub fn value(self, f: &Figures, parts: &[FreqPart]) -> Option<f64> {
        match self {
            Headline::CostPer30Days => Some(f.cost_per_30_days_usd()),
            Headline::TotalCost => Some(f.total_cost_usd()),
            Headline::Coverage => f.coverage.exact(),
            Headline::InUseCoverage => f.in_use_coverage.exact(),
            Headline::ContinuousCoverage => f.continuous_coverage.exact(),
            Headline::Exposed => Some(f.mean_exposed()),
            Headline::ScanOnPushShare => {
                let total = f.flows.cost_micro;
                let sop = parts[Freq::ScanOnPush as usize].figures.flows.cost_micro;
                (total > 0).then(|| 100.0 * sop as f64 / total as f64)
            }
        }
    }

    /// The value as `summary.json` prints it (2 decimals), in hundredths.
    pub fn hundredths(self, f: &Figures, parts: &[FreqPart]) -> Option<u64> {
        match self {
            Headline::CostPer30Days => Some(f.cost_per_30_days_cents()),
            Headline::TotalCost => Some(cents(f.flows.cost_micro.max(0))),
            Headline::Coverage => f.coverage.hundredths(),
            Headline::InUseCoverage => f.in_use_coverage.hundredths(),
            Headline::ContinuousCoverage => f.continuous_coverage.hundredths(),
            Headline::Exposed => Some(f.mean_exposed_hundredths()),
            Headline::ScanOnPushShare => {
                parts[Freq::ScanOnPush as usize].cost_share(f.flows.cost_micro)
            }
        }
    }

    /// A value in hundredths as people read it.
    pub fn text(self, hundredths: u64) -> String {
        match self {
            Headline::CostPer30Days | Headline::TotalCost => usd_cents(hundredths),
            Headline::Exposed => mean_count(hundredths),
            Headline::ScanOnPushShare => share_text(hundredths),
            _ => pct(hundredths),
        }
    }
}

/// The unrounded headline values of a run, in [`Headline::ALL`] order.
pub fn headline_values(result: &RunResult) -> Vec<Option<f64>> {
    let f = Figures::from_days(&result.days);
    let parts = by_frequency(result);
    Headline::ALL.iter().map(|h| h.value(&f, &parts)).collect()
}

/// A figure over replications: the mean, the 95 % confidence interval of the mean
/// (Student t), and the smallest and largest single run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub min: f64,
    pub max: f64,
}

/// The headline figures over `run --replications N`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replications {
    /// The seed of each replication; replication 0 is the scenario's own.
    pub seeds: Vec<u64>,
    /// In [`Headline::ALL`] order; none when a replication has no value.
    pub figures: Vec<Option<Spread>>,
}

impl Replications {
    pub fn get(&self, h: Headline) -> Option<&Spread> {
        let i = Headline::ALL.iter().position(|x| *x == h)?;
        self.figures.get(i)?.as_ref()
    }
}

/// A piece of a sentence: text, or a figure (its `summary.json` name and its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    Figure(&'static str, String),
}

pub type Sentence = Vec<Seg>;

/// A sentence as plain text.
pub fn plain(s: &[Seg]) -> String {
    s.iter()
        .map(|x| match x {
            Seg::Text(t) | Seg::Figure(_, t) => t.as_str(),
        })
        .collect()
}

fn t(s: impl Into<String>) -> Seg {
    Seg::Text(s.into())
}

/// The answer: cost, coverage, where the money goes (when anything cost), and how sure
/// the figures are.
pub fn answer(report: &Report) -> Vec<Sentence> {
    let a = Ctx::new(report);
    let mut out = vec![a.cost(), a.coverage()];
    out.extend(a.money());
    out.push(a.certainty());
    out
}

/// What the sentences are made of.
struct Ctx<'r> {
    report: &'r Report<'r>,
    parts: Vec<FreqPart>,
}

impl<'r> Ctx<'r> {
    fn new(report: &'r Report<'r>) -> Self {
        Ctx {
            report,
            parts: by_frequency(report.result),
        }
    }

    /// The figure of this run, or the mean over replications, with its text.
    fn figure(&self, h: Headline) -> Option<Seg> {
        let f = &self.report.figures;
        let v = match &self.report.replications {
            Some(r) => Some(to_hundredths(r.get(h)?.mean)),
            None => h.hundredths(f, &self.parts),
        }?;
        Some(Seg::Figure(h.key(), h.text(v)))
    }

    /// ` (95 % interval of the mean A – B)` with replications; nothing without.
    fn interval(&self, h: Headline) -> Vec<Seg> {
        let Some(s) = self.report.replications.as_ref().and_then(|r| r.get(h)) else {
            return Vec::new();
        };
        vec![
            t(" (95 % interval "),
            Seg::Figure("interval", range_text(h, s.low, s.high)),
            t(")"),
        ]
    }

    fn cost(&self) -> Sentence {
        let sc = self.report.scenario;
        let days = self.report.result.days.len() as i64;
        let period = format!(
            "{} days from {} to {}",
            thousands(days as u64),
            format_date(sc.start),
            format_date(sc.start + (days - 1).max(0) * DAY)
        );
        let mut s = vec![t("Enhanced scanning costs ")];
        s.extend(self.figure(Headline::CostPer30Days));
        s.push(t(" per 30 days"));
        if let Some(r) = &self.report.replications {
            s.push(t(format!(
                " on average over {} replications of the traffic",
                r.seeds.len()
            )));
        }
        s.extend(self.interval(Headline::CostPer30Days));
        s.push(t(", "));
        s.extend(self.figure(Headline::TotalCost));
        s.push(t(format!(" over the {period}.")));
        s
    }

    fn coverage(&self) -> Sentence {
        let f = &self.report.figures;
        let window = self.report.scenario.in_use_window_days;
        let mut s = Vec::new();
        if f.continuous_coverage.den == 0 {
            s.push(t("No image is continuously scanned, so none is monitored"));
        } else {
            s.push(t("Continuous scanning monitors "));
            s.extend(self.figure(Headline::ContinuousCoverage));
            s.extend(self.interval(Headline::ContinuousCoverage));
            s.push(t(" of the images it is meant for"));
        }
        if f.in_use_coverage.den == 0 {
            s.push(t(format!(
                "; no image is in use (pulled or seen running within {window} days)."
            )));
            return s;
        }
        s.push(t(if f.continuous_coverage.den == 0 {
            "; "
        } else {
            " and "
        }));
        if f.continuous_coverage.den > 0 {
            s.extend(self.figure(Headline::InUseCoverage));
            s.extend(self.interval(Headline::InUseCoverage));
            s.push(t(" of the images in use; on an average day "));
        } else {
            s.push(t("on an average day "));
        }
        s.extend(self.figure(Headline::Exposed));
        s.extend(self.interval(Headline::Exposed));
        s.push(t(format!(
            " images in use (pulled or seen running within {window} days) are not monitored."
        )));
        s
    }

    /// Which part of the cost is scan on push and which continuous scanning; none when
    /// nothing cost.
    fn money(&self) -> Option<Sentence> {
        let total = self.report.figures.flows.cost_micro;
        let costly: Vec<Freq> = self
            .parts
            .iter()
            .filter(|p| p.figures.flows.cost_micro > 0)
            .map(|p| p.freq)
            .collect();
        let sop = Freq::ScanOnPush;
        let mut s = Vec::new();
        match costly[..] {
            [] if total <= 0 => return None,
            [only] => {
                s.push(t(format!("All of the cost is {}", freq_words(only))));
                if only == sop {
                    s.push(t(SCAN_ON_PUSH_NOTE));
                }
            }
            _ if !costly.contains(&sop) => {
                let words: Vec<&str> = costly.iter().map(|f| freq_words(*f)).collect();
                s.push(t(format!("The cost is {}", words.join(" and "))));
            }
            _ => {
                s.extend(self.figure(Headline::ScanOnPushShare));
                s.extend(self.interval(Headline::ScanOnPushShare));
                s.push(t(format!(
                    " of the cost is {}{SCAN_ON_PUSH_NOTE}",
                    freq_words(sop)
                )));
                let rest: Vec<&str> = costly
                    .iter()
                    .filter(|f| **f != sop)
                    .map(|f| freq_words(*f))
                    .collect();
                s.push(t(format!("; the rest is {}", rest.join(" and "))));
            }
        }
        s.push(t("."));
        Some(s)
    }

    fn certainty(&self) -> Sentence {
        let sc = self.report.scenario;
        match (&self.report.replications, self.report.trace.is_some()) {
            (_, true) => vec![t(
                "The traffic is a recorded trace: the figures have no random spread.",
            )],
            (Some(r), false) => {
                let mut s = vec![t(format!(
                    "Each range is the 95 % confidence interval of the mean over {} \
                     replications (Student t); single runs cost ",
                    r.seeds.len()
                ))];
                if let Some(c) = r.get(Headline::CostPer30Days) {
                    s.push(Seg::Figure(
                        "single_runs",
                        range_text(Headline::CostPer30Days, c.min, c.max),
                    ));
                }
                s.push(t(format!(
                    " per 30 days; the day-by-day files are those of replication 0 (seed {}).",
                    sc.seed
                )));
                s
            }
            (None, false) => vec![t(format!(
                "These figures are one draw of the synthetic traffic (seed {}); run with \
                 --replications 10 for the mean and a 95 % range.",
                sc.seed
            ))],
        }
    }
}

/// `1,670 – 1,884 USD`: two values of a figure, the unit once.
pub fn range_text(h: Headline, low: f64, high: f64) -> String {
    let (a, b) = (h.text(to_hundredths(low)), h.text(to_hundredths(high)));
    for unit in [" USD", " %"] {
        if let (Some(a), true) = (a.strip_suffix(unit), b.ends_with(unit)) {
            return format!("{a} – {b}");
        }
    }
    format!("{a} – {b}")
}

/// What scan on push means for coverage, in a few words.
pub const SCAN_ON_PUSH_NOTE: &str =
    " (each image scanned once at push, never counted as continuously covered)";

/// A scan frequency in words.
pub fn freq_words(f: Freq) -> &'static str {
    match f {
        Freq::Continuous => "continuous scanning",
        Freq::ScanOnPush => "scan on push",
        Freq::Off => "not scanned",
    }
}

/// The `summary.json` value of a spread's numbers: 2 decimals.
pub fn json_value(x: f64) -> f64 {
    cents_value(to_hundredths(x))
}

/// The answer as `scansim run` prints it: the sentences, where the outputs are, then
/// every warning again (they may have scrolled away).
pub fn terminal(report: &Report, out: &std::path::Path, html: bool) -> String {
    let mut s = String::new();
    for sentence in answer(report) {
        s.push_str(&plain(&sentence));
        s.push('\n');
    }
    if html {
        s.push_str(&format!("Open {}\n", out.join("report.html").display()));
    } else {
        s.push_str(&format!("Outputs in {}\n", out.display()));
    }
    for w in &report.warnings {
        s.push_str(&format!("warning: {w}\n"));
    }
    s
}
