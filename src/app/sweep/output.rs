//! The outputs of a sweep, from the runs alone (so `merge` writes exactly what an
//! unsharded sweep writes): `sweep.csv`, `sweep.md`, `runs.csv`, the charts and
//! `variants/NAME/daily.csv` of replication 0.

use super::exec::RunDays;
use super::part::SweepMeta;
use super::stats::Estimate;
use crate::base::atomic::Staging;
use crate::base::error::{Error, Result};
use crate::base::time::{DAY, parse_date};
use crate::engine::DayRow;
use crate::report::charts::{self, DayLine, DayLines, ErrorBarChart, ErrorPoint, PointSeries};
use crate::report::daily;
use crate::report::figures::Figures;
use std::fmt::Write as _;
use std::path::Path;

/// A summary figure compared across variants.
pub struct Metric {
    /// Column name (as in `summary.json`).
    pub name: &'static str,
    /// Heading in `sweep.md`.
    pub label: &'static str,
    pub value: fn(&Figures) -> Option<f64>,
}

/// The metrics before the findings ones: `sweep.csv` and `runs.csv` keep their columns
/// in place and the findings metrics come after them.
const BASE: usize = 5;

pub const METRICS: [Metric; 7] = [
    Metric {
        name: "cost_per_30_days_usd",
        label: "cost / 30 days (USD)",
        value: |f| Some(f.cost_per_30_days_usd()),
    },
    Metric {
        name: "total_cost_usd",
        label: "total cost (USD)",
        value: |f| Some(f.total_cost_usd()),
    },
    Metric {
        name: "mean_coverage_pct",
        label: "coverage (%)",
        value: |f| f.coverage.exact(),
    },
    Metric {
        name: "mean_in_use_coverage_pct",
        label: "in-use coverage (%)",
        value: |f| f.in_use_coverage.exact(),
    },
    Metric {
        name: "mean_exposed",
        label: "exposed (images)",
        value: |f| Some(f.mean_exposed()),
    },
    Metric {
        name: "mean_open_findings",
        label: "open findings (mean)",
        value: |f| Some(f.findings_open_sum as f64 / f.days.max(1) as f64),
    },
    Metric {
        name: "findings_closed_in_use",
        label: "findings closed in use",
        value: |f| Some(f.flows.findings.closed_in_use as f64),
    },
];

const COST: usize = 0;
const IN_USE: usize = 3;

/// Statistics of one variant.
pub struct VariantStats {
    /// Per metric: the mean over replications, and the paired difference against the
    /// baseline (none when a replication has no value).
    pub value: Vec<Option<Estimate>>,
    pub diff: Vec<Option<Estimate>>,
}

/// The figures of every run, `[variant][replication]`.
pub fn figures(meta: &SweepMeta, runs: &[RunDays]) -> Vec<Vec<Figures>> {
    let r = meta.replications as usize;
    runs.chunks(r)
        .map(|c| c.iter().map(|run| Figures::from_days(&run.days)).collect())
        .collect()
}

fn values(figs: &[Figures], m: &Metric) -> Option<Vec<f64>> {
    figs.iter().map(|f| (m.value)(f)).collect()
}

pub fn stats(figs: &[Vec<Figures>]) -> Vec<VariantStats> {
    figs.iter()
        .map(|v| VariantStats {
            value: METRICS
                .iter()
                .map(|m| values(v, m).and_then(|xs| Estimate::of(&xs)))
                .collect(),
            diff: METRICS
                .iter()
                .map(|m| {
                    let (a, b) = (values(v, m)?, values(&figs[0], m)?);
                    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
                    Estimate::of(&d)
                })
                .collect(),
        })
        .collect()
}

/// Fixed decimals, never `-0.00…`.
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn est_cols(e: &Option<Estimate>) -> [String; 2] {
    match e {
        Some(e) => [
            fixed(e.mean, 4),
            e.half_width.map(|h| fixed(h, 4)).unwrap_or_default(),
        ],
        None => [String::new(), String::new()],
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::io(path, std::io::Error::other(e))
}

fn sweep_csv(meta: &SweepMeta, stats: &[VariantStats]) -> std::result::Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<String> = vec!["variant".into()];
    if meta.has_sweep_variants {
        header.push("sweep_variant".into());
    }
    header.extend(meta.keys.iter().cloned());
    header.push("replications".into());
    for part in [&METRICS[..BASE], &METRICS[BASE..]] {
        for m in part {
            header.push(format!("{}_mean", m.name));
            header.push(format!("{}_hw95", m.name));
        }
        for m in part {
            header.push(format!("{}_diff", m.name));
            header.push(format!("{}_diff_hw95", m.name));
        }
    }
    w.write_record(&header)?;
    for (v, s) in meta.variants.iter().zip(stats) {
        let mut row: Vec<String> = vec![v.name.clone()];
        if meta.has_sweep_variants {
            row.push(v.sweep_variant.clone().unwrap_or_default());
        }
        row.extend(v.values.iter().cloned());
        row.push(meta.replications.to_string());
        for part in [0..BASE, BASE..METRICS.len()] {
            for e in &s.value[part.clone()] {
                row.extend(est_cols(e));
            }
            for e in &s.diff[part] {
                row.extend(est_cols(e));
            }
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One row per run. The variant's number (as in `sweep.md`) comes first and its name
/// last, so the numeric columns are easy to cut even though names contain commas.
fn runs_csv(meta: &SweepMeta, figs: &[Vec<Figures>]) -> std::result::Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["variant_no", "replication", "seed", "cost_micro_usd"];
    header.extend(METRICS[..BASE].iter().map(|m| m.name));
    header.extend(["initial_scans", "rescans", "expirations"]);
    header.extend(METRICS[BASE..].iter().map(|m| m.name));
    header.push("variant");
    w.write_record(&header)?;
    for (i, (v, vf)) in meta.variants.iter().zip(figs).enumerate() {
        for (k, f) in vf.iter().enumerate() {
            let mut row = vec![
                (i + 1).to_string(),
                k.to_string(),
                v.seeds[k].to_string(),
                f.flows.cost_micro.to_string(),
            ];
            let metric = |m: &Metric| (m.value)(f).map(|x| fixed(x, 6)).unwrap_or_default();
            row.extend(METRICS[..BASE].iter().map(metric));
            row.extend([
                f.flows.initial_scans.to_string(),
                f.flows.rescans.to_string(),
                f.flows.expirations.to_string(),
            ]);
            row.extend(METRICS[BASE..].iter().map(metric));
            row.push(v.name.clone());
            w.write_record(&row)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `12.34 ± 0.56`, `12.34` for one replication, `–` without a value.
fn md_est(e: &Option<Estimate>, signed: bool) -> String {
    match e {
        None => "–".into(),
        Some(e) => {
            let mut s = fixed(e.mean, 2);
            if signed && !s.starts_with('-') && s != "0.00" {
                s.insert(0, '+');
            }
            if let Some(h) = e.half_width {
                s.push_str(" ± ");
                s.push_str(&fixed(h, 2));
            }
            s
        }
    }
}

/// Markdown table cell text: `|` escaped.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The plain-language line: the cheapest variant within 1 point of the best in-use
/// coverage.
pub fn recommendation(meta: &SweepMeta, stats: &[VariantStats]) -> String {
    let mean = |v: usize, m: usize| stats[v].value[m].map(|e| e.mean);
    let with: Vec<usize> = (0..stats.len())
        .filter(|&v| mean(v, IN_USE).is_some())
        .collect();
    let Some(&best) = with.iter().max_by(|&&a, &&b| {
        // The first of equal coverages wins: compare reversed indices on ties.
        mean(a, IN_USE)
            .partial_cmp(&mean(b, IN_USE))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.cmp(&a))
    }) else {
        return "No variant has images in use, so in-use coverage cannot be compared.".into();
    };
    let best_cov = mean(best, IN_USE).unwrap_or(0.0);
    let pick = with
        .iter()
        .copied()
        .filter(|&v| mean(v, IN_USE).unwrap_or(0.0) >= best_cov - 1.0)
        .min_by(|&a, &b| {
            mean(a, COST)
                .partial_cmp(&mean(b, COST))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        })
        .unwrap_or(best);
    let name = |v: usize| format!("`{}`", meta.variants[v].name);
    let cost = |v: usize| md_est(&stats[v].value[COST], false);
    let cov = |v: usize| md_est(&stats[v].value[IN_USE], false);
    let mut s = format!(
        "**Cheapest within 1 point of the best in-use coverage:** {} at {} USD per 30 days, \
         with {} % of the images in use continuously scanned",
        name(pick),
        cost(pick),
        cov(pick)
    );
    if pick == best {
        s.push_str(" (the best in-use coverage of all variants).");
    } else {
        let _ = write!(
            s,
            " (best: {} with {} %, at {} USD per 30 days).",
            name(best),
            fixed(best_cov, 2),
            cost(best)
        );
    }
    if pick != 0
        && let Some(d) = &stats[pick].diff[COST]
    {
        let _ = write!(
            s,
            " Against the baseline {} it costs {} USD per 30 days",
            name(0),
            md_est(&Some(*d), true)
        );
        if let Some(dc) = &stats[pick].diff[IN_USE] {
            let _ = write!(
                s,
                " and changes in-use coverage by {} points",
                md_est(&Some(*dc), true)
            );
        }
        s.push('.');
    }
    s
}

/// `sweep.md`: what was swept, the recommendation, the table, the files and the variants.
fn sweep_md(meta: &SweepMeta, stats: &[VariantStats], charts: bool) -> String {
    let mut s = String::new();
    md_intro(&mut s, meta);
    let _ = writeln!(s, "{}\n", recommendation(meta, stats));
    md_table(&mut s, meta, stats);
    md_findings(&mut s, meta, stats);
    md_files(&mut s, charts);
    md_variants(&mut s, meta);
    s
}

/// The title, the size of the sweep and how to read its figures.
fn md_intro(s: &mut String, meta: &SweepMeta) {
    let n = meta.replications;
    let v0 = &meta.variants[0];
    let _ = writeln!(s, "# Sweep of `{}`\n", meta.scenario);
    let same_calendar = meta
        .variants
        .iter()
        .all(|v| v.start == v0.start && v.days == v0.days);
    let _ = write!(
        s,
        "{} variant{} × {n} replication{}",
        meta.variants.len(),
        if meta.variants.len() == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" }
    );
    if same_calendar {
        let _ = write!(s, ", {} days from {}", v0.days, v0.start);
    }
    let _ = writeln!(
        s,
        ". Replication k uses the same traffic (seed) in every variant, so variants are \
         compared on equal terms (common random numbers).\n"
    );
    if n > 1 {
        let _ = writeln!(
            s,
            "Each figure is the mean over the replications ± the half-width of its 95% \
             confidence interval (Student t, n − 1 degrees of freedom). Δ is the paired \
             difference against the baseline (variant 1), replication by replication: it is \
             often much surer than the figures themselves, because the traffic is the same.\n"
        );
    } else {
        let _ = writeln!(
            s,
            "With one replication there are no confidence intervals: use `--replications N` \
             (N ≥ 2) to see how much the figures vary with the traffic. Δ is the difference \
             against the baseline (variant 1).\n"
        );
    }
}

/// The figures of every variant, with the differences against the baseline, and their
/// definitions.
fn md_table(s: &mut String, meta: &SweepMeta, stats: &[VariantStats]) {
    let _ = writeln!(
        s,
        "| # | variant | {} | Δ cost / 30 days | {} | {} | {} | Δ in-use coverage (points) | {} | Δ exposed |",
        METRICS[0].label, METRICS[1].label, METRICS[2].label, METRICS[3].label, METRICS[4].label
    );
    let _ = writeln!(s, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, (v, st)) in meta.variants.iter().zip(stats).enumerate() {
        let base = if i == 0 { " (baseline)" } else { "" };
        let d = |m: usize| {
            if i == 0 {
                "–".to_string()
            } else {
                md_est(&st.diff[m], true)
            }
        };
        let _ = writeln!(
            s,
            "| {} | {}{base} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            md_cell(&v.name),
            md_est(&st.value[0], false),
            d(0),
            md_est(&st.value[1], false),
            md_est(&st.value[2], false),
            md_est(&st.value[3], false),
            d(3),
            md_est(&st.value[4], false),
            d(4),
        );
    }
    let _ = writeln!(
        s,
        "\n- **cost / 30 days**: total cost of the reported days × 30 / days; **total \
         cost**: over all reported days.\n\
         - **coverage**: 100 × Σ active / Σ images over the days; **in-use coverage**: the \
         same over the images in use (pulled or seen running within the in-use window).\n\
         - **exposed**: mean number of images in use that are not continuously scanned.\n\
         - Δ in-use coverage is in percentage points.\n"
    );
}

/// The findings of every variant, with the differences against the baseline.
fn md_findings(s: &mut String, meta: &SweepMeta, stats: &[VariantStats]) {
    let (a, b) = (BASE, BASE + 1);
    let _ = writeln!(
        s,
        "### Findings\n\n| # | variant | {} | Δ | {} | Δ |\n|---:|---|---:|---:|---:|---:|",
        METRICS[a].label, METRICS[b].label
    );
    for (i, (v, st)) in meta.variants.iter().zip(stats).enumerate() {
        let d = |m: usize| match i {
            0 => "–".to_string(),
            _ => md_est(&st.diff[m], true),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            md_cell(&v.name),
            md_est(&st.value[a], false),
            d(a),
            md_est(&st.value[b], false),
            d(b),
        );
    }
    let _ = writeln!(
        s,
        "\n- **open findings**: mean over the days of the findings open at the day's end; \
         **findings closed in use**: findings closed over the run because monitoring stopped \
         on an image still in use (the exposure a short re-scan window creates).\n"
    );
}

/// The files the sweep writes (the charts only when drawn).
fn md_files(s: &mut String, charts: bool) {
    let _ = writeln!(s, "## Files\n");
    let _ = writeln!(
        s,
        "- `sweep.csv`: these figures with 4 decimals, the settings in columns, and \
         `_hw95` half-widths (empty with one replication).\n\
         - `runs.csv`: the figures of every (variant, replication) run and its seed \
         (`scansim run --seed SEED` of the variant's scenario reproduces it).\n\
         - `variants/NAME/daily.csv`: the daily rows of replication 0 of each variant \
         (identical to `scansim run` of that variant)."
    );
    if charts {
        let _ = writeln!(
            s,
            "- `cost_coverage.png/.svg`: cost per 30 days against in-use coverage, one point \
             per variant with the 95% interval of the cost.\n\
             - `coverage.png/.svg`, `in_use_coverage.png/.svg`: daily coverage per variant, \
             the mean over replications with a 95% band."
        );
    }
}

/// What each variant sets, where its outputs are and its seeds.
fn md_variants(s: &mut String, meta: &SweepMeta) {
    let _ = writeln!(s, "\n## Variants\n");
    for (i, v) in meta.variants.iter().enumerate() {
        let _ = write!(s, "{}. `{}`: ", i + 1, v.name);
        let mut parts: Vec<String> = Vec::new();
        if let Some(sv) = &v.sweep_variant {
            parts.push(format!("[[sweep.variants]] `{sv}`"));
        }
        parts.extend(
            meta.keys
                .iter()
                .zip(&v.values)
                .map(|(k, x)| format!("`{k} = {x}`")),
        );
        if parts.is_empty() {
            parts.push("the scenario as it is".into());
        }
        let seeds: Vec<String> = v.seeds.iter().map(|x| x.to_string()).collect();
        let _ = writeln!(
            s,
            "{}; directory `variants/{}`; seed{} {}",
            parts.join(", "),
            v.dir,
            if seeds.len() == 1 { "" } else { "s" },
            seeds.join(", ")
        );
    }
}

/// Mean and band over replications of a daily percentage.
fn daily_lines(
    meta: &SweepMeta,
    runs: &[RunDays],
    pct: fn(&DayRow) -> Option<f64>,
) -> Vec<DayLine> {
    let r = meta.replications as usize;
    meta.variants
        .iter()
        .zip(runs.chunks(r))
        .map(|(v, reps)| {
            let days = reps[0].days.len();
            let est: Vec<Option<Estimate>> = (0..days)
                .map(|d| {
                    let xs: Option<Vec<f64>> = reps.iter().map(|run| pct(&run.days[d])).collect();
                    xs.and_then(|xs| Estimate::of(&xs))
                })
                .collect();
            DayLine {
                label: v.name.clone(),
                values: est.iter().map(|e| e.map(|e| e.mean)).collect(),
                band: (r > 1).then(|| est.iter().map(|e| e.map(|e| (e.low(), e.high()))).collect()),
            }
        })
        .collect()
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| 100.0 * num as f64 / den as f64)
}

fn write_charts(
    meta: &SweepMeta,
    runs: &[RunDays],
    stats: &[VariantStats],
    dir: &Path,
) -> Result<()> {
    let cost_cov = ErrorBarChart {
        title: "Cost and in-use coverage per variant".into(),
        x_desc: "Mean in-use coverage (%)".into(),
        y_desc: "Cost per 30 days (USD), mean and 95% interval".into(),
        series: meta
            .variants
            .iter()
            .zip(stats)
            .map(|(v, s)| PointSeries {
                label: v.name.clone(),
                points: match (s.value[IN_USE], s.value[COST]) {
                    (Some(x), Some(y)) => vec![ErrorPoint {
                        x: x.mean,
                        y: y.mean,
                        err: y.half_width.map(|_| (y.low(), y.high())),
                    }],
                    _ => Vec::new(),
                },
            })
            .collect(),
    };
    charts::write_both(&cost_cov, dir, "cost_coverage")?;
    let v0 = &meta.variants[0];
    if !meta
        .variants
        .iter()
        .all(|v| v.start == v0.start && v.days == v0.days)
    {
        // Lines over days need one calendar.
        return Ok(());
    }
    let start = parse_date(&v0.start).map_or(0, |d| d * DAY);
    let band = if meta.replications > 1 {
        ", mean and 95% band"
    } else {
        ""
    };
    let coverage = DayLines {
        title: "Coverage per variant".into(),
        y_desc: format!("Coverage (%){band}"),
        start,
        lines: daily_lines(meta, runs, |d| {
            ratio(d.status(crate::rules::Status::Active), d.counts.images)
        }),
    };
    charts::write_both(&coverage, dir, "coverage")?;
    let in_use = DayLines {
        title: "In-use coverage per variant".into(),
        y_desc: format!("In-use coverage (%){band}"),
        start,
        lines: daily_lines(meta, runs, |d| {
            ratio(d.counts.in_use_active, d.counts.in_use)
        }),
    };
    charts::write_both(&in_use, dir, "in_use_coverage")?;
    Ok(())
}

/// Writes every output of a sweep into `out` (replaced as a whole). `runs` holds every
/// (variant, replication) pair once, sorted by variant, then replication.
pub fn write(meta: &SweepMeta, runs: &[RunDays], staging: Staging, charts: bool) -> Result<()> {
    let out = staging.target().to_path_buf();
    let figs = figures(meta, runs);
    let stats = stats(&figs);
    let csv_path = out.join("sweep.csv");
    let csv = sweep_csv(meta, &stats).map_err(|e| csv_error(&csv_path, e))?;
    staging.write_with("sweep.csv", |w| w.write_all(&csv))?;
    let runs_path = out.join("runs.csv");
    let rcsv = runs_csv(meta, &figs).map_err(|e| csv_error(&runs_path, e))?;
    staging.write_with("runs.csv", |w| w.write_all(&rcsv))?;
    let md = sweep_md(meta, &stats, charts);
    staging.write_with("sweep.md", |w| w.write_all(md.as_bytes()))?;
    let r = meta.replications as usize;
    // One level at a time (not create_dir_all): after an interrupt removed the staging
    // directory, nothing here may make it again.
    let variants = staging.path().join("variants");
    std::fs::create_dir(&variants).map_err(|e| Error::io(&variants, e))?;
    for (v, reps) in meta.variants.iter().zip(runs.chunks(r)) {
        let dir = variants.join(&v.dir);
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let start = parse_date(&v.start).map_or(0, |d| d * DAY);
        staging.write_with(&format!("variants/{}/daily.csv", v.dir), |w| {
            writeln!(w, "{},{}", daily::PINNED_COLUMNS, daily::EXTRA_COLUMNS)?;
            let mut cumulative = 0i64;
            let mut line = String::with_capacity(256);
            let freq = daily::frequency_events(start, reps[0].days.len(), &reps[0].changes);
            for (d, row) in reps[0].days.iter().enumerate() {
                cumulative += row.flows.cost_micro;
                line.clear();
                daily::push_row(&mut line, start, d, row, cumulative, freq[d]);
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
            Ok(())
        })?;
    }
    if charts {
        write_charts(meta, runs, &stats, staging.path())?;
    }
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(-0.0, 4), "0.0000");
        assert_eq!(fixed(-0.00001, 4), "0.0000");
        assert_eq!(fixed(-0.5, 2), "-0.50");
        assert_eq!(fixed(1608.876, 2), "1608.88");
    }
}
