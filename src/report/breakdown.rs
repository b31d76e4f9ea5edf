//! Where the money goes: cost, scans and coverage by scan frequency, by group and by
//! calendar month, from the daily rows the engine splits by frequency and group.
//!
//! A repository's day counts under the frequency it has at that day's snapshot (end of
//! day), so a repository that changes frequency moves from one part to the other on the
//! day of the change.

use super::Report;
use super::figures::{Figures, Pct};
use super::tables::months;
use crate::base::time::{DAY, civil_from_days, days_from_civil};
use crate::engine::RunResult;
use crate::rules::{Freq, Status};

/// The figures of the repositories that had one scan frequency, day by day.
#[derive(Debug, Clone)]
pub struct FreqPart {
    pub freq: Freq,
    pub figures: Figures,
    /// Repositories with this frequency at the end of the run.
    pub repos_at_end: u64,
    /// Σ images scanned on push (status `scan_on_push`) over the days.
    pub scanned_on_push_sum: u64,
}

impl FreqPart {
    /// The share of the run's cost, in hundredths of a percent (none when nothing cost).
    pub fn cost_share(&self, total_micro: i64) -> Option<u64> {
        share(self.figures.flows.cost_micro, total_micro)
    }

    /// Of this part's images, the share scanned at push (for scan-on-push repositories).
    pub fn scanned_on_push(&self) -> Pct {
        Pct {
            num: self.scanned_on_push_sum,
            den: self.figures.coverage.den,
        }
    }

    /// Whether anything at all happened in this part (images, scans or repositories).
    pub fn occurs(&self) -> bool {
        self.figures.coverage.den > 0
            || self.repos_at_end > 0
            || self.figures.flows.cost_micro != 0
            || self.figures.flows.initial_scans + self.figures.flows.rescans > 0
    }
}

/// `part / total` in hundredths of a percent, rounded half up; none when `total <= 0`.
pub fn share(part: i64, total: i64) -> Option<u64> {
    (total > 0).then(|| {
        let (p, t) = (part.max(0) as u128, total as u128);
        ((20_000 * p + t) / (2 * t)) as u64
    })
}

/// The three frequencies, in `Freq::ALL` order.
pub fn by_frequency(r: &RunResult) -> Vec<FreqPart> {
    Freq::ALL
        .iter()
        .map(|&f| FreqPart {
            freq: f,
            figures: Figures::from_days(r.freq_days.iter().map(|d| &d[f as usize])),
            repos_at_end: r.repos.iter().filter(|x| x.freq == f).count() as u64,
            scanned_on_push_sum: r
                .freq_days
                .iter()
                .map(|d| d[f as usize].status(Status::ScanOnPush))
                .sum(),
        })
        .collect()
}

/// The figures of one repository group.
#[derive(Debug, Clone)]
pub struct GroupPart {
    pub name: String,
    pub repos: u64,
    /// Its repositories by scan frequency at the end, in `Freq::ALL` order.
    pub freq_at_end: [u64; 3],
    pub figures: Figures,
}

/// Every group that has a repository, in the order of `groups.csv`.
pub fn by_group(report: &Report) -> Vec<GroupPart> {
    let r = report.result;
    r.groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let mut freq_at_end = [0u64; 3];
            for rep in r.repos.iter().filter(|x| x.group as usize == g) {
                freq_at_end[rep.freq as usize] += 1;
            }
            GroupPart {
                name: name.clone(),
                repos: freq_at_end.iter().sum(),
                freq_at_end,
                figures: Figures::from_days(r.group_days.iter().filter_map(|d| d.get(g))),
            }
        })
        .filter(|g| g.repos > 0)
        .collect()
}

/// One calendar month, in total and by scan frequency.
#[derive(Debug, Clone)]
pub struct MonthPart {
    /// `YYYY-MM`.
    pub month: String,
    /// Days of the calendar month (the month is partial when the run covers fewer).
    pub calendar_days: u64,
    pub figures: Figures,
    /// By scan frequency, in `Freq::ALL` order.
    pub by_freq: [Figures; 3],
}

impl MonthPart {
    pub fn partial(&self) -> bool {
        self.figures.days < self.calendar_days
    }
}

/// The reported days by calendar month.
pub fn by_month(report: &Report) -> Vec<MonthPart> {
    let r = report.result;
    months(report)
        .into_iter()
        .map(|m| {
            let range = m.first_day..m.first_day + m.figures.days as usize;
            let fd =
                &r.freq_days[range.start.min(r.freq_days.len())..range.end.min(r.freq_days.len())];
            let by_freq = Freq::ALL.map(|f| Figures::from_days(fd.iter().map(|d| &d[f as usize])));
            let day = report.scenario.start / DAY + m.first_day as i64;
            MonthPart {
                calendar_days: days_in_month(day),
                month: m.month,
                figures: m.figures,
                by_freq,
            }
        })
        .collect()
}

/// The number of days of the calendar month holding `day` (days since the epoch).
fn days_in_month(day: i64) -> u64 {
    let (y, m, _) = civil_from_days(day);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::parse_date;

    #[test]
    fn month_lengths() {
        let d = |s: &str| parse_date(s).unwrap();
        assert_eq!(days_in_month(d("2027-01-15")), 31);
        assert_eq!(days_in_month(d("2027-02-01")), 28);
        assert_eq!(days_in_month(d("2028-02-29")), 29);
        assert_eq!(days_in_month(d("2027-04-30")), 30);
        assert_eq!(days_in_month(d("2000-02-10")), 29);
        assert_eq!(days_in_month(d("1900-02-10")), 28);
    }

    #[test]
    fn shares_round_half_up_and_need_a_cost() {
        assert_eq!(share(1, 3), Some(3333));
        assert_eq!(share(2, 3), Some(6667));
        assert_eq!(share(5, 5), Some(10_000));
        assert_eq!(share(0, 0), None);
        assert_eq!(share(1, 8), Some(1250));
    }
}
