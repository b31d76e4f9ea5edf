//! `daily.csv`: the columns every implementation shares, then the project's own
//! (docs/behaviour.md, "daily.csv columns").

use super::{Exporter, Report};
use crate::base::money::{push_pct, push_usd};
use crate::base::time::{DAY, push_date};
use crate::engine::DayRow;
use crate::rules::Status;
use std::io::Write;

pub const PINNED_COLUMNS: &str = "date,day,images,active,expired,scan_on_push,not_scanned,\
unsupported,archived,pushes,pulls,deletes,initial_scans,rescans,basic_scans,expirations,\
cost_usd,cumulative_cost_usd,coverage_pct,in_use,in_use_active,in_use_coverage_pct";

/// Columns after the pinned ones: coverage among continuously scanned images, and the
/// EventBridge events of the day (see `report::events`).
pub const EXTRA_COLUMNS: &str = "continuous_coverage_pct,scan_frequency_change_events,initial_scan_complete_events,\
findings_open,findings_open_critical,findings_open_high,findings_open_medium,findings_open_low,\
findings_open_informational,findings_open_untriaged,findings_created,findings_updated,\
findings_closed,findings_closed_in_use";

pub struct Daily;

/// Appends one formatted row (no newline).
pub fn push_row(
    s: &mut String,
    start: i64,
    day: usize,
    row: &DayRow,
    cumulative_micro: i64,
    freq_events: u64,
) {
    use std::fmt::Write as _;
    let c = &row.counts;
    let f = &row.flows;
    let st = |x: Status| c.status[x as usize];
    push_date(s, start + day as i64 * DAY);
    let _ = write!(
        s,
        ",{day},{},{},{},{},{},{},{},{},{},{},{},{},{},{},",
        c.images,
        st(Status::Active),
        st(Status::Expired),
        st(Status::ScanOnPush),
        st(Status::NotScanned),
        st(Status::Unsupported),
        st(Status::Archived),
        f.pushes,
        f.pulls,
        f.deletes,
        f.initial_scans,
        f.rescans,
        f.basic_scans,
        f.expirations,
    );
    push_usd(s, f.cost_micro);
    s.push(',');
    push_usd(s, cumulative_micro);
    s.push(',');
    push_pct(s, st(Status::Active), c.images);
    let _ = write!(s, ",{},{},", c.in_use, c.in_use_active);
    push_pct(s, c.in_use_active, c.in_use);
    s.push(',');
    push_pct(
        s,
        st(Status::Active),
        st(Status::Active) + st(Status::Expired),
    );
    let _ = write!(s, ",{freq_events},{}", f.initial_scans);
    push_findings(s, row);
}

/// The findings columns: open in total and per severity, then the day's flows.
fn push_findings(s: &mut String, row: &DayRow) {
    use std::fmt::Write as _;
    let (c, f) = (&row.counts, &row.flows.findings);
    let _ = write!(s, ",{}", c.findings_open_total());
    for n in c.findings_open {
        let _ = write!(s, ",{n}");
    }
    let _ = write!(
        s,
        ",{},{},{},{}",
        f.created_total(),
        f.updated,
        f.closed_total(),
        f.closed_in_use
    );
}

/// Frequency-change events per reported day of a run.
pub fn frequency_events_per_day(report: &Report) -> Vec<u64> {
    let r = report.result;
    let changes: Vec<(i64, u64)> = r
        .config_changes
        .iter()
        .copied()
        .zip(r.freq_changes.iter().copied())
        .collect();
    frequency_events(report.scenario.start, r.days.len(), &changes)
}

/// Frequency-change events per day from (instant, repositories changed) per change.
pub fn frequency_events(start: i64, days: usize, changes: &[(i64, u64)]) -> Vec<u64> {
    let mut per_day = vec![0u64; days];
    for &(t, n) in changes {
        let d = (t - start).div_euclid(DAY);
        if let Some(x) = usize::try_from(d).ok().and_then(|d| per_day.get_mut(d)) {
            *x += crate::report::events::frequency_change_events(n);
        }
    }
    per_day
}

impl Exporter for Daily {
    fn file_name(&self) -> &'static str {
        "daily.csv"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{PINNED_COLUMNS},{EXTRA_COLUMNS}")?;
        let mut cumulative = 0i64;
        let mut line = String::with_capacity(256);
        let freq = frequency_events_per_day(report);
        for (d, row) in report.result.days.iter().enumerate() {
            cumulative += row.flows.cost_micro;
            line.clear();
            push_row(
                &mut line,
                report.scenario.start,
                d,
                row,
                cumulative,
                freq[d],
            );
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}
