//! The charts of a sweep: the paired differences against the baseline, cost against
//! coverage, and coverage day by day. Every point and line carries its variant's number
//! (as in `sweep.md`); variants that coincide stay visible (nested rings, wider lines
//! under narrower ones).

use super::compare::{COST, Comparison, VariantStats};
use super::exec::RunDays;
use super::stats::Estimate;
use crate::base::error::Result;
use crate::base::time::{DAY, parse_date};
use crate::engine::DayRow;
use crate::report::charts::{self, DayLine, DayLines};
use crate::report::point_chart::{LabelledPoint, PointChart};
use crate::rules::Status;
use std::path::Path;

pub use crate::report::html::Drawn;

/// Legends list at most this many variants (the tables list them all).
const LEGEND_MAX: usize = 16;

fn legend(c: &Comparison) -> Vec<(String, usize)> {
    if c.meta.variants.len() > LEGEND_MAX {
        return Vec::new();
    }
    (0..c.meta.variants.len())
        .map(|v| {
            let base = if v == c.base() { " (baseline)" } else { "" };
            (format!("{}  {}{base}", v + 1, c.label(v)), v)
        })
        .collect()
}

fn ends(e: &Estimate) -> Option<(f64, f64)> {
    e.half_width.map(|_| (e.low(), e.high()))
}

/// The words of the coverage axis: in-use coverage, or coverage.
fn coverage_name(c: &Comparison) -> &'static str {
    if c.coverage_metric() == super::compare::IN_USE {
        "in-use coverage"
    } else {
        "coverage"
    }
}

/// One labelled point per variant from an (x, y) pair of estimates.
fn points(
    c: &Comparison,
    pick: impl Fn(&VariantStats) -> Option<(Estimate, Estimate)>,
) -> Vec<LabelledPoint> {
    c.whole
        .iter()
        .enumerate()
        .filter_map(|(v, s)| {
            let (x, y) = pick(s)?;
            Some(LabelledPoint {
                tag: (v + 1).to_string(),
                x: x.mean,
                y: y.mean,
                x_err: ends(&x),
                y_err: ends(&y),
                color: v,
                marked: v == c.base(),
            })
        })
        .collect()
}

/// Δ cost against Δ coverage, each with its 95 % interval from the paired differences.
pub fn paired_differences(c: &Comparison) -> PointChart {
    let m = c.coverage_metric();
    PointChart {
        title: PAIRED_TITLE.into(),
        x_desc: format!(
            "Change in {} against the baseline (percentage points), mean and 95 % interval",
            coverage_name(c)
        ),
        y_desc: "Change in cost per month (USD), mean and 95 % interval".into(),
        points: points(c, |s| Some((s.diff[m]?, s.diff[COST]?))),
        legend: legend(c),
        zero_lines: true,
    }
}

pub const PAIRED_TITLE: &str = "Each variant against the baseline (paired differences)";
pub const COST_COVERAGE_TITLE: &str = "Cost per month and coverage of each variant";
pub const COVERAGE_TITLE: &str = "Coverage per variant";
pub const IN_USE_TITLE: &str = "In-use coverage per variant";

/// Cost per month against coverage, each with its 95 % interval over the replications.
pub fn cost_coverage(c: &Comparison) -> PointChart {
    let m = c.coverage_metric();
    PointChart {
        title: COST_COVERAGE_TITLE.into(),
        x_desc: format!("Mean {} (%), 95 % interval", coverage_name(c)),
        y_desc: "Cost per month (30 days, USD), mean and 95 % interval".into(),
        points: points(c, |s| Some((s.value[m]?, s.value[COST]?))),
        legend: legend(c),
        zero_lines: false,
    }
}

/// Mean and band over replications of a daily percentage, one line per variant.
fn daily_lines(c: &Comparison, runs: &[RunDays], pct: fn(&DayRow) -> Option<f64>) -> Vec<DayLine> {
    let r = c.meta.replications as usize;
    let labels = legend(c);
    c.meta
        .variants
        .iter()
        .zip(runs.chunks(r))
        .enumerate()
        .map(|(v, (vm, reps))| {
            let days = reps[0].days.len();
            let est: Vec<Option<Estimate>> = (0..days)
                .map(|d| {
                    let xs: Option<Vec<f64>> = reps.iter().map(|run| pct(&run.days[d])).collect();
                    xs.and_then(|xs| Estimate::of(&xs))
                })
                .collect();
            DayLine {
                label: labels.get(v).map_or(vm.name.clone(), |l| l.0.clone()),
                values: est.iter().map(|e| e.map(|e| e.mean)).collect(),
                band: (r > 1).then(|| est.iter().map(|e| e.map(|e| (e.low(), e.high()))).collect()),
                tag: Some((v + 1).to_string()),
            }
        })
        .collect()
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| 100.0 * num as f64 / den as f64)
}

/// Writes the charts into `dir`; returns them for `sweep.html`.
pub fn write_charts(c: &Comparison, runs: &[RunDays], dir: &Path) -> Result<Vec<Drawn>> {
    let mut drawn = vec![
        (
            "paired_differences",
            PAIRED_TITLE,
            charts::write_both(&paired_differences(c), dir, "paired_differences")?,
        ),
        (
            "cost_coverage",
            COST_COVERAGE_TITLE,
            charts::write_both(&cost_coverage(c), dir, "cost_coverage")?,
        ),
    ];
    let meta = c.meta;
    let v0 = &meta.variants[0];
    if !meta
        .variants
        .iter()
        .all(|v| v.start == v0.start && v.days == v0.days)
    {
        // Lines over days need one calendar.
        return Ok(drawn);
    }
    let start = parse_date(&v0.start).map_or(0, |d| d * DAY);
    let band = if meta.replications > 1 {
        ", mean and 95% band"
    } else {
        ""
    };
    let coverage = DayLines {
        title: COVERAGE_TITLE.into(),
        y_desc: format!("Coverage (%){band}"),
        start,
        lines: daily_lines(c, runs, |d| {
            ratio(d.status(Status::Active), d.counts.images)
        }),
    };
    let svg = charts::write_both(&coverage, dir, "coverage")?;
    drawn.push(("coverage", COVERAGE_TITLE, svg));
    let in_use = DayLines {
        title: IN_USE_TITLE.into(),
        y_desc: format!("In-use coverage (%){band}"),
        start,
        lines: daily_lines(c, runs, |d| ratio(d.counts.in_use_active, d.counts.in_use)),
    };
    let svg = charts::write_both(&in_use, dir, "in_use_coverage")?;
    drawn.push(("in_use_coverage", IN_USE_TITLE, svg));
    Ok(drawn)
}
