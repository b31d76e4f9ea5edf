//! `calibrate TRACE --holdout DAYS --out DIR`: fit on all but the trace's last DAYS
//! days, forecast them from the history with replications, and compare with what the
//! trace did in those days (replayed under the same settings).

use super::collect::Collector;
use super::groups::GroupRules;
use super::render::{self, quote};
use super::{Request, calibrated_text, fit, inputs};
use crate::app::simulate::simulate;
use crate::app::sweep::spec::replication_seed;
use crate::app::sweep::stats::Estimate;
use crate::base::atomic::Staging;
use crate::base::claim::check_not_input;
use crate::base::error::{Error, Location, Result};
use crate::base::time::{DAY, format_date};
use crate::engine::{RunOptions, RunResult};
use crate::model::scenario::Scenario;
use crate::report::charts::{self, DayLine, DayLines};
use crate::rules::Status;
use crate::source::trace::TraceReader;
use crate::source::writer::RowFormat;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

/// The most forecast replications.
pub const MAX_REPLICATIONS: u32 = 1000;

/// A figure over the hold-out: what the trace did and what the forecasts gave.
pub struct Compared {
    pub name: &'static str,
    pub actual: f64,
    pub mean: f64,
    /// The 95 % range a new draw of the forecast falls in.
    pub lo: f64,
    pub hi: f64,
}

impl Compared {
    pub fn error_pct(&self) -> Option<f64> {
        (self.actual != 0.0).then(|| 100.0 * (self.mean - self.actual) / self.actual)
    }
    pub fn inside(&self) -> bool {
        self.lo <= self.actual && self.actual <= self.hi
    }
}

/// A figure of one run.
type Figure = fn(&RunResult) -> f64;

/// The figures compared, from one run's days.
const FIGURES: [(&str, Figure); 4] = [
    ("pushes", |r| {
        r.days.iter().map(|d| d.flows.pushes as f64).sum()
    }),
    ("mean active images", |r| {
        let n = r.days.len().max(1) as f64;
        r.days
            .iter()
            .map(|d| d.status(Status::Active) as f64)
            .sum::<f64>()
            / n
    }),
    ("in-use coverage %", |r| {
        let (a, n) = r.days.iter().fold((0u64, 0u64), |(a, n), d| {
            (a + d.counts.in_use_active, n + d.counts.in_use)
        });
        if n == 0 {
            0.0
        } else {
            100.0 * a as f64 / n as f64
        }
    }),
    ("cost USD", |r| {
        r.days
            .iter()
            .map(|d| d.flows.cost_micro as f64)
            .sum::<f64>()
            / 1e6
    }),
];

/// Mean and 95 % prediction range (a new draw) of replicated values.
fn predict(xs: &[f64]) -> (f64, f64, f64) {
    let Some(e) = Estimate::of(xs) else {
        return (f64::NAN, f64::NAN, f64::NAN);
    };
    let h = e.prediction_half_width().unwrap_or(0.0);
    (e.mean, e.mean - h, e.mean + h)
}

/// The back-test; returns the comparison written.
pub fn backtest(req: &Request, holdout: u32, replications: u32) -> Result<Vec<Compared>> {
    if !(2..=MAX_REPLICATIONS).contains(&replications) {
        return Err(Error::usage(format!(
            "--replications is 2 to {MAX_REPLICATIONS} for a back-test (got {replications})"
        )));
    }
    check_not_input("--out", req.out, true, &inputs(req))?;
    let rules = match req.groups {
        Some(p) => GroupRules::load(p)?,
        None => GroupRules::default(),
    };
    let last = last_instant(req.trace)?;
    let cut = (last.div_euclid(DAY) + 1 - holdout as i64) * DAY;
    let staging = Staging::new(req.out, req.force)?;
    let c = history(req.trace, &rules, cut, staging.path())?;
    if c.span_days() < 14 {
        return Err(Error::usage(format!(
            "--holdout {holdout} leaves {} days of {} to fit on: keep at least 14",
            c.span_days().max(0),
            req.trace.display()
        )));
    }
    let cal = fit::fit(&c, super::usage_rescans(req.usage)?);
    let sc_path = staging.path().join("scenario.toml");
    let text = calibrated_text(
        &cal,
        &render::Inputs {
            trace: &req.trace.display().to_string(),
            days: holdout,
            history: Some("history.csv"),
        },
        &sc_path,
    )?;
    staging.write_with("scenario.toml", |w| w.write_all(text.as_bytes()))?;
    let forecast = Scenario::load(&sc_path)?;
    let actual_text = actual_scenario(req.trace, cut, holdout);
    staging.write_with("actual.toml", |w| w.write_all(actual_text.as_bytes()))?;
    let actual = simulate(
        &Scenario::load(&staging.path().join("actual.toml"))?,
        None,
        RunOptions::default(),
    )?
    .result;
    let runs: Vec<RunResult> = (0..replications)
        .into_par_iter()
        .map(|k| {
            let mut sc = forecast.clone();
            sc.seed = replication_seed(0, k);
            simulate(&sc, None, RunOptions::default()).map(|r| r.result)
        })
        .collect::<Result<_>>()?;
    let compared: Vec<Compared> = FIGURES
        .iter()
        .map(|&(name, f)| {
            let xs: Vec<f64> = runs.iter().map(f).collect();
            let (mean, lo, hi) = predict(&xs);
            Compared {
                name,
                actual: f(&actual),
                mean,
                lo,
                hi,
            }
        })
        .collect();
    write_outputs(&staging, &compared, &actual, &runs, cut, req, holdout)?;
    staging.commit()?;
    Ok(compared)
}

/// The last instant of the trace (a whole pass, which also checks every row).
fn last_instant(trace: &Path) -> Result<i64> {
    let mut r = TraceReader::open(trace)?;
    let mut last = None;
    while let Some(t) = r.next_time()? {
        r.take_event();
        last = Some(t);
    }
    last.ok_or_else(|| {
        Error::input(
            Location::file(trace),
            "the trace has no rows: there is nothing to calibrate from",
        )
    })
}

/// Reads the rows before `cut` into a collector and writes them to `dir/history.csv`.
fn history<'r>(trace: &Path, rules: &'r GroupRules, cut: i64, dir: &Path) -> Result<Collector<'r>> {
    let path = dir.join("history.csv");
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let io = |e| Error::io(&path, e);
    w.write_all(RowFormat::header()).map_err(io)?;
    let mut fmt = RowFormat::default();
    let mut reader = TraceReader::open(trace)?;
    let mut c = Collector::new(rules);
    while let Some(t) = reader.next_time()? {
        if t >= cut {
            break;
        }
        let ev = reader.take_event();
        c.add(&ev)?;
        w.write_all(fmt.event(&ev)).map_err(io)?;
    }
    w.flush().map_err(io)?;
    if c.rows == 0 {
        return Err(Error::usage(format!(
            "{}: no rows before the hold-out ({}): give fewer --holdout days",
            trace.display(),
            format_date(cut)
        )));
    }
    c.finish();
    Ok(c)
}

/// What the trace did in the hold-out, under the settings of the forecast.
fn actual_scenario(trace: &Path, cut: i64, days: u32) -> String {
    let abs = std::path::absolute(trace).unwrap_or_else(|_| trace.to_path_buf());
    format!(
        "# What the trace did in the hold-out: the whole trace replayed under the settings\n\
         # of scenario.toml.\n[simulation]\nstart = \"{}\"\ndays = {days}\n\n\
         [registry]\nscan_type = \"ENHANCED\"\n\n[traffic]\ntrace = {}\n",
        format_date(cut),
        quote(&abs.display().to_string())
    )
}

/// `backtest.csv`, `daily.csv`, `backtest.md` and the charts.
fn write_outputs(
    staging: &Staging,
    compared: &[Compared],
    actual: &RunResult,
    runs: &[RunResult],
    cut: i64,
    req: &Request,
    holdout: u32,
) -> Result<()> {
    let mut csv =
        String::from("figure,actual,forecast_mean,forecast_low,forecast_high,error_pct,inside\n");
    for c in compared {
        let err = c.error_pct().map_or(String::new(), |e| format!("{e:.2}"));
        csv.push_str(&format!(
            "{},{:.2},{:.2},{:.2},{:.2},{err},{}\n",
            c.name,
            c.actual,
            c.mean,
            c.lo,
            c.hi,
            c.inside()
        ));
    }
    staging.write_with("backtest.csv", |w| w.write_all(csv.as_bytes()))?;
    let daily = daily_series(actual, runs);
    let mut d = String::from(
        "date,actual_cost_usd,forecast_cost_usd,forecast_cost_low,forecast_cost_high,\
         actual_active,forecast_active,forecast_active_low,forecast_active_high\n",
    );
    for (i, (cost, active)) in daily.iter().enumerate() {
        d.push_str(&format!(
            "{},{:.2},{:.2},{:.2},{:.2},{:.0},{:.1},{:.1},{:.1}\n",
            format_date(cut + i as i64 * DAY),
            cost.0,
            cost.1,
            cost.2,
            cost.3,
            active.0,
            active.1,
            active.2,
            active.3
        ));
    }
    staging.write_with("daily.csv", |w| w.write_all(d.as_bytes()))?;
    let md = report_md(compared, req, cut, holdout, runs.len());
    staging.write_with("backtest.md", |w| w.write_all(md.as_bytes()))?;
    let chart = |title: &str, y: &str, pick: fn(&(Day, Day)) -> Day| DayLines {
        title: title.into(),
        y_desc: y.into(),
        start: cut,
        lines: vec![
            DayLine {
                label: format!("forecast: mean and 95 % range of {} draws", runs.len()),
                values: daily.iter().map(|x| Some(pick(x).1)).collect(),
                band: Some(daily.iter().map(|x| Some((pick(x).2, pick(x).3))).collect()),
                tag: None,
            },
            DayLine {
                label: "actual (the trace replayed)".into(),
                values: daily.iter().map(|x| Some(pick(x).0)).collect(),
                band: None,
                tag: None,
            },
        ],
    };
    let dir = staging.path();
    charts::write_both(
        &chart(
            "Daily cost: forecast against actual",
            "Cost per day (USD)",
            |x| x.0,
        ),
        dir,
        "cost",
    )?;
    charts::write_both(
        &chart(
            "Active images: forecast against actual",
            "Active images",
            |x| x.1,
        ),
        dir,
        "active",
    )?;
    Ok(())
}

/// (actual, forecast mean, low, high) of one day's figure.
type Day = (f64, f64, f64, f64);

/// Per day: cost and active images, actual and forecast.
fn daily_series(actual: &RunResult, runs: &[RunResult]) -> Vec<(Day, Day)> {
    let day = |i: usize, f: fn(&crate::engine::result::DayRow) -> f64| -> Day {
        let xs: Vec<f64> = runs.iter().map(|r| f(&r.days[i])).collect();
        let (m, lo, hi) = predict(&xs);
        (f(&actual.days[i]), m, lo.max(0.0), hi)
    };
    (0..actual.days.len())
        .map(|i| {
            (
                day(i, |d| d.flows.cost_micro as f64 / 1e6),
                day(i, |d| d.status(Status::Active) as f64),
            )
        })
        .collect()
}

fn report_md(compared: &[Compared], req: &Request, cut: i64, holdout: u32, n: usize) -> String {
    let mut s = format!(
        "# Back-test of {}\n\nFitted on the trace before {}; forecast the last {holdout} days \
         ({} .. {}) from the registry as it was then, {n} draws of the fitted traffic; \
         compared with the trace replayed over the same days under the same settings \
         (scenario.toml, actual.toml).\n\n\
         | figure | actual | forecast (mean) | 95 % range | error | actual in range |\n\
         |---|---:|---:|---:|---:|---|\n",
        req.trace.display(),
        format_date(cut),
        format_date(cut),
        format_date(cut + (holdout as i64 - 1) * DAY)
    );
    for c in compared {
        let err = c
            .error_pct()
            .map_or("–".to_string(), |e| format!("{e:+.1} %"));
        s.push_str(&format!(
            "| {} | {:.2} | {:.2} | {:.2} .. {:.2} | {err} | {} |\n",
            c.name,
            c.actual,
            c.mean,
            c.lo,
            c.hi,
            if c.inside() { "yes" } else { "no" }
        ));
    }
    s.push_str(
        "\nThe range is where a new draw of the forecast falls 95 % of the time (the spread \
         of the draws); it leaves out the uncertainty of the fitted values themselves, \
         which scenario.toml gives key by key.\n\n![Daily cost](cost.png)\n\n![Active images](active.png)\n",
    );
    s
}
