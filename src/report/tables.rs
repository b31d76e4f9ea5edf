//! `monthly.csv` (the figures a budget is written in) and `repositories.csv` (where the
//! money goes).

use super::figures::Figures;
use super::{Exporter, Report};
use crate::base::money::push_usd;
use crate::base::time::{DAY, civil_from_days};
use std::io::Write;

/// One calendar month of reported days.
#[derive(Debug, Clone)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Index of its first reported day.
    pub first_day: usize,
    pub figures: Figures,
}

/// The reported days grouped by calendar month, in order.
pub fn months(report: &Report) -> Vec<Month> {
    let mut out: Vec<Month> = Vec::new();
    let days = &report.result.days;
    let mut d = 0;
    while d < days.len() {
        let (y, m, _) = civil_from_days(report.scenario.start / DAY + d as i64);
        let mut end = d;
        while end < days.len() {
            let (y2, m2, _) = civil_from_days(report.scenario.start / DAY + end as i64);
            if (y2, m2) != (y, m) {
                break;
            }
            end += 1;
        }
        out.push(Month {
            month: format!("{y:04}-{m:02}"),
            first_day: d,
            figures: Figures::from_days(&days[d..end]),
        });
        d = end;
    }
    out
}

pub struct Monthly;

impl Exporter for Monthly {
    fn file_name(&self) -> &'static str {
        "monthly.csv"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "month,days,pushes,initial_scans,rescans,basic_scans,expirations,cost_usd,\
             mean_coverage_pct,mean_in_use_coverage_pct,findings_created,findings_updated,\
             findings_closed,findings_closed_in_use,findings_open_at_end"
        )?;
        for m in months(report) {
            let f = &m.figures;
            let mut cost = String::new();
            push_usd(&mut cost, f.flows.cost_micro);
            let fi = &f.flows.findings;
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                m.month,
                f.days,
                f.flows.pushes,
                f.flows.initial_scans,
                f.flows.rescans,
                f.flows.basic_scans,
                f.flows.expirations,
                cost,
                f.coverage.text(),
                f.in_use_coverage.text(),
                fi.created_total(),
                fi.updated,
                fi.closed_total(),
                fi.closed_in_use,
                f.findings_open_last.iter().sum::<u64>()
            )?;
        }
        Ok(())
    }
}

pub struct Repositories;

/// Repository indexes, most expensive first, ties by name.
pub fn by_cost(report: &Report) -> Vec<usize> {
    let repos = &report.result.repos;
    let mut idx: Vec<usize> = (0..repos.len()).collect();
    idx.sort_by(|&a, &b| {
        let (a, b) = (&repos[a], &repos[b]);
        b.totals
            .flows
            .cost_micro
            .cmp(&a.totals.flows.cost_micro)
            .then_with(|| a.name.cmp(&b.name))
    });
    idx
}

impl Exporter for Repositories {
    fn file_name(&self) -> &'static str {
        "repositories.csv"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "repository,group,scan_frequency,images,initial_scans,rescans,basic_scans,cost_usd,\
             mean_coverage_pct"
        )?;
        let groups = &report.result.groups;
        for i in by_cost(report) {
            let r = &report.result.repos[i];
            let t = &r.totals;
            let mut cost = String::new();
            push_usd(&mut cost, t.flows.cost_micro);
            let cov = super::figures::Pct {
                num: t.sum_active,
                den: t.sum_images,
            };
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                r.name,
                groups.get(r.group as usize).map_or("", String::as_str),
                r.freq.name(),
                r.images,
                t.flows.initial_scans,
                t.flows.rescans,
                t.flows.basic_scans,
                cost,
                cov.text()
            )?;
        }
        Ok(())
    }
}

pub struct Groups;

impl Exporter for Groups {
    fn file_name(&self) -> &'static str {
        "groups.csv"
    }

    /// Per day and repository group (synthetic groups; for traces the first path segment
    /// of the repository name).
    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "date,day,group,images,active,initial_scans,rescans,cost_usd,coverage_pct"
        )?;
        let r = report.result;
        let mut line = String::new();
        for (d, groups) in r.group_days.iter().enumerate() {
            for (g, row) in groups.iter().enumerate() {
                use std::fmt::Write as _;
                line.clear();
                crate::base::time::push_date(&mut line, report.scenario.start + d as i64 * DAY);
                let active = row.status(crate::rules::Status::Active);
                let _ = write!(
                    line,
                    ",{d},{},{},{active},{},{},",
                    r.groups.get(g).map_or("", String::as_str),
                    row.counts.images,
                    row.flows.initial_scans,
                    row.flows.rescans
                );
                push_usd(&mut line, row.flows.cost_micro);
                line.push(',');
                crate::base::money::push_pct(&mut line, active, row.counts.images);
                line.push('\n');
                out.write_all(line.as_bytes())?;
            }
        }
        Ok(())
    }
}
