//! The date axis of the day-by-day charts: x is days since the start (day `d` spans
//! `[d, d+1)`), with ticks on the first of each month (every second, third ... month on
//! long runs) or, on runs shorter than about two months, on whole days.

use crate::base::time::{DAY, civil_from_days, format_date};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use std::ops::Range;

/// Runs up to this many days get day ticks; longer ones month ticks.
const DAY_TICKS_UP_TO: usize = 62;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A linear axis over `0..end` with ticks (and grid lines) exactly where given.
#[derive(Clone)]
pub struct TickAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickAxis {
    pub fn new(end: f64, ticks: Vec<f64>) -> TickAxis {
        TickAxis {
            inner: (0f64..end).into(),
            ticks,
        }
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// A date axis over `days` days from `start`.
#[derive(Clone)]
pub struct DayAxis {
    coord: TickAxis,
    start: i64,
    monthly: bool,
    yearly: bool,
}

impl DayAxis {
    pub fn new(start: i64, days: usize) -> DayAxis {
        let monthly = days > DAY_TICKS_UP_TO;
        let (ticks, yearly) = if monthly {
            month_ticks(start, days)
        } else {
            (day_ticks(days), false)
        };
        DayAxis {
            coord: TickAxis::new(days.max(1) as f64, ticks),
            start,
            monthly,
            yearly,
        }
    }

    /// The coordinate to build a chart on.
    pub fn coord(&self) -> TickAxis {
        self.coord.clone()
    }

    /// The tick positions (days since the start).
    pub fn ticks(&self) -> &[f64] {
        &self.coord.ticks
    }

    /// The label of a tick: `Jan 2027` (or the year alone when ticks are a year apart)
    /// for the first tick and every January, the month's short name for other months;
    /// the date on day ticks.
    pub fn label(&self, x: f64) -> String {
        let day = self.start.div_euclid(DAY) + x.round() as i64;
        if !self.monthly {
            return format_date(day * DAY);
        }
        let (y, m, _) = civil_from_days(day);
        if self.yearly {
            y.to_string()
        } else if m == 1 || self.ticks().first() == Some(&x) {
            format!("{} {y}", month_name(m))
        } else {
            month_name(m).to_string()
        }
    }

    /// What the ticks mark, for the axis title.
    pub fn tick_words(&self) -> &'static str {
        if self.monthly {
            "ticks on the first of the month"
        } else {
            "ticks at 00:00"
        }
    }
}

/// The short name of month `m` (1-based).
pub fn month_name(m: u32) -> &'static str {
    MONTHS[(m as usize).clamp(1, 12) - 1]
}

/// Whole days, at most about 10 ticks.
fn day_ticks(days: usize) -> Vec<f64> {
    let step = days.div_ceil(10).max(1);
    (0..=days).step_by(step).map(|d| d as f64).collect()
}

/// The first of each month within `[0, days]`, every k-th month so that at most about 13
/// remain (k divides 12, so January is always a tick; beyond 13 years, every n-th
/// January). Returns the ticks and whether they are a year or more apart.
fn month_ticks(start: i64, days: usize) -> (Vec<f64>, bool) {
    let first = start.div_euclid(DAY);
    let starts: Vec<(usize, i64, u32)> = (0..=days)
        .filter_map(|d| {
            let (y, m, md) = civil_from_days(first + d as i64);
            (md == 1).then_some((d, y, m))
        })
        .collect();
    let keep: Box<dyn Fn(i64, u32) -> bool> = match [1, 2, 3, 4, 6, 12]
        .into_iter()
        .find(|k| starts.len().div_ceil(*k) <= 13)
    {
        Some(k) => Box::new(move |_, m| (m as usize - 1).is_multiple_of(k)),
        None => {
            let years = starts.len().div_ceil(13 * 12) as i64;
            Box::new(move |y, m| m == 1 && y.rem_euclid(years) == 0)
        }
    };
    let ticks: Vec<f64> = starts
        .iter()
        .filter(|(_, y, m)| keep(*y, *m))
        .map(|(d, _, _)| *d as f64)
        .collect();
    let yearly = starts.len().div_ceil(6) > 13;
    (ticks, yearly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::parse_date;

    fn at(s: &str) -> i64 {
        parse_date(s).unwrap() * DAY
    }

    #[test]
    fn a_year_has_a_tick_on_each_first_of_the_month() {
        let a = DayAxis::new(at("2027-01-01"), 365);
        // The last tick is the end of the last day.
        let want: Vec<f64> = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
            .map(f64::from)
            .to_vec();
        assert_eq!(a.ticks(), &want[..]);
        assert_eq!(a.label(0.0), "Jan 2027");
        assert_eq!(a.label(31.0), "Feb");
        assert_eq!(a.label(334.0), "Dec");
        assert_eq!(a.label(365.0), "Jan 2028");
    }

    #[test]
    fn a_run_from_mid_month_labels_its_first_tick_with_the_year() {
        let a = DayAxis::new(at("2027-01-15"), 90);
        assert_eq!(a.ticks(), &[17.0, 45.0, 76.0]);
        assert_eq!(a.label(17.0), "Feb 2027");
        assert_eq!(a.label(45.0), "Mar");
    }

    #[test]
    fn long_runs_thin_the_months_and_short_runs_tick_days() {
        let a = DayAxis::new(at("2026-01-01"), 730);
        let labels: Vec<String> = a.ticks().iter().map(|&x| a.label(x)).collect();
        assert_eq!(
            labels,
            [
                "Jan 2026", "Mar", "May", "Jul", "Sep", "Nov", "Jan 2027", "Mar", "May", "Jul",
                "Sep", "Nov", "Jan 2028"
            ]
        );
        let a = DayAxis::new(at("2020-01-01"), 3653);
        let labels: Vec<String> = a.ticks().iter().map(|&x| a.label(x)).collect();
        assert_eq!(
            labels,
            [
                "2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "2028", "2029",
                "2030"
            ]
        );
        let a = DayAxis::new(at("2026-01-01"), 6);
        assert_eq!(a.ticks(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(a.label(2.0), "2026-01-03");
        let a = DayAxis::new(at("2026-01-01"), 30);
        assert_eq!(
            a.ticks(),
            &[0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0, 27.0, 30.0]
        );
    }
}
