//! The outputs of a sweep, from the runs and their detail alone (so `merge` writes
//! exactly what an unsharded sweep writes): `sweep.csv`, `runs.csv`, `sweep.md`
//! ([`markdown`]), the charts ([`plots`]) with `sweep.html` ([`html`]), and
//! `variants/NAME/daily.csv` of replication 0.

use super::compare::{
    CONTINUOUS, COST, Comparison, FINDINGS, FIRST_BLOCK, IN_USE, METRICS, YEAR_DAYS,
};
use super::detail::Detail;
use super::exec::RunDays;
use super::part::SweepMeta;
use super::stats::Estimate;
use super::{html, markdown, plots};
use crate::base::atomic::Staging;
use crate::base::error::{Error, Result};
use crate::base::time::{DAY, parse_date};
use crate::report::daily;
use std::path::Path;

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

/// The columns of one estimate, prefixed: `P_mean`, `P_hw95` (or `P_diff`, ...).
fn est_header(header: &mut Vec<String>, prefix: &str, diff: bool) {
    let d = if diff { "_diff" } else { "" };
    header.push(format!("{prefix}{d}{}", if diff { "" } else { "_mean" }));
    header.push(format!("{prefix}{d}_hw95"));
}

/// `sweep.csv`: the first columns as they always were; what was added since comes at
/// the end (the baseline and efficient flags, continuous coverage, the part under
/// continuous scanning, the cost per year).
fn sweep_csv(c: &Comparison) -> std::result::Result<Vec<u8>, csv::Error> {
    let meta = c.meta;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<String> = vec!["variant".into()];
    if meta.has_sweep_variants {
        header.push("sweep_variant".into());
    }
    header.extend(meta.keys.iter().cloned());
    header.push("replications".into());
    for diff in [false, true] {
        for m in &METRICS[..FIRST_BLOCK] {
            est_header(&mut header, m.name, diff);
        }
    }
    header.extend(["baseline".into(), "efficient".into()]);
    for diff in [false, true] {
        est_header(&mut header, METRICS[CONTINUOUS].name, diff);
    }
    header.push("continuous_repositories".into());
    for m in [COST, IN_USE] {
        for diff in [false, true] {
            est_header(
                &mut header,
                &format!("continuous_part_{}", METRICS[m].name),
                diff,
            );
        }
    }
    est_header(&mut header, "cost_per_year_usd", false);
    for diff in [false, true] {
        for m in &METRICS[FINDINGS] {
            est_header(&mut header, m.name, diff);
        }
    }
    w.write_record(&header)?;
    let eff = c.efficient();
    for (i, (v, s)) in meta.variants.iter().zip(&c.whole).enumerate() {
        let mut row: Vec<String> = vec![v.name.clone()];
        if meta.has_sweep_variants {
            row.push(v.sweep_variant.clone().unwrap_or_default());
        }
        row.extend(v.values.iter().cloned());
        row.push(meta.replications.to_string());
        for e in s.value[..FIRST_BLOCK].iter().chain(&s.diff[..FIRST_BLOCK]) {
            row.extend(est_cols(e));
        }
        let flag = |b: bool| if b { "1" } else { "0" }.to_string();
        row.extend([flag(i == c.base()), flag(eff[i])]);
        row.extend(est_cols(&s.value[CONTINUOUS]));
        row.extend(est_cols(&s.diff[CONTINUOUS]));
        row.push(c.continuous_repos[i].to_string());
        let cs = &c.continuous[i];
        for m in [COST, IN_USE] {
            row.extend(est_cols(&cs.value[m]));
            row.extend(est_cols(&cs.diff[m]));
        }
        let year = s.value[COST].map(|e| Estimate {
            mean: e.mean * YEAR_DAYS / 30.0,
            half_width: e.half_width.map(|h| h * YEAR_DAYS / 30.0),
            ..e
        });
        row.extend(est_cols(&year));
        for e in s.value[FINDINGS].iter().chain(&s.diff[FINDINGS]) {
            row.extend(est_cols(e));
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One row per run. The variant's number (as in `sweep.md`) comes first and its name
/// after the original figures, so they are easy to cut even though names contain commas;
/// figures added since come after the name.
fn runs_csv(c: &Comparison) -> std::result::Result<Vec<u8>, csv::Error> {
    let meta = c.meta;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["variant_no", "replication", "seed", "cost_micro_usd"];
    header.extend(METRICS[..FIRST_BLOCK].iter().map(|m| m.name));
    header.extend(["initial_scans", "rescans", "expirations", "variant"]);
    header.extend([
        METRICS[CONTINUOUS].name,
        "continuous_part_cost_micro_usd",
        "continuous_part_mean_in_use_coverage_pct",
    ]);
    header.extend(METRICS[FINDINGS].iter().map(|m| m.name));
    w.write_record(&header)?;
    let pct = |x: Option<f64>| x.map(|x| fixed(x, 6)).unwrap_or_default();
    for (i, (v, vf)) in meta.variants.iter().zip(&c.figs).enumerate() {
        for (k, f) in vf.iter().enumerate() {
            let mut row = vec![
                (i + 1).to_string(),
                k.to_string(),
                v.seeds[k].to_string(),
                f.flows.cost_micro.to_string(),
            ];
            row.extend(METRICS[..FIRST_BLOCK].iter().map(|m| pct((m.value)(f))));
            let cf = &c.cont_figs[i][k];
            row.extend([
                f.flows.initial_scans.to_string(),
                f.flows.rescans.to_string(),
                f.flows.expirations.to_string(),
                v.name.clone(),
                pct((METRICS[CONTINUOUS].value)(f)),
                cf.flows.cost_micro.to_string(),
                pct(cf.in_use_coverage.exact()),
            ]);
            row.extend(METRICS[FINDINGS].iter().map(|m| pct((m.value)(f))));
            w.write_record(&row)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Writes every output of a sweep into its staging directory and puts it in place.
/// `runs` and `detail.parts` hold every (variant, replication) pair once, sorted by
/// variant, then replication.
pub fn write(
    meta: &SweepMeta,
    runs: &[RunDays],
    detail: &Detail,
    staging: Staging,
    charts: bool,
) -> Result<()> {
    write_into(&staging, meta, runs, detail, charts)?;
    staging.commit()
}

/// Writes a command's answer as `STEM.md` and `STEM.json` (`diff`, `advise`).
pub fn write_answer(
    staging: &Staging,
    stem: &str,
    markdown: &str,
    json: &serde_json::Value,
) -> Result<()> {
    staging.write_with(&format!("{stem}.md"), |w| w.write_all(markdown.as_bytes()))?;
    staging.write_with(&format!("{stem}.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, json)?;
        w.write_all(b"\n")
    })
}

/// Writes the outputs of a sweep into a staging directory (which a command may add
/// files of its own to before it commits).
pub fn write_into(
    staging: &Staging,
    meta: &SweepMeta,
    runs: &[RunDays],
    detail: &Detail,
    charts: bool,
) -> Result<()> {
    let out = staging.target().to_path_buf();
    let c = Comparison::new(meta, runs, detail);
    let csv_path = out.join("sweep.csv");
    let csv = sweep_csv(&c).map_err(|e| csv_error(&csv_path, e))?;
    staging.write_with("sweep.csv", |w| w.write_all(&csv))?;
    let runs_path = out.join("runs.csv");
    let rcsv = runs_csv(&c).map_err(|e| csv_error(&runs_path, e))?;
    staging.write_with("runs.csv", |w| w.write_all(&rcsv))?;
    let md = markdown::sweep_md(&c, charts);
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
        let drawn = plots::write_charts(&c, runs, staging.path())?;
        let page = html::sweep_html(&c, &drawn);
        staging.write_with("sweep.html", |w| w.write_all(page.as_bytes()))?;
    }
    Ok(())
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
