//! The summary figures (docs/behaviour.md, "Summary figures"), computed once from the daily rows and used by every
//! output (summary, monthly table, report, sweeps), so they cannot disagree.

use crate::engine::{DayRow, Flows};
use crate::rules::Status;

/// Integer division rounded half up (non-negative numerator, positive denominator).
fn div_half_up(num: u128, den: u128) -> u128 {
    (2 * num + den) / (2 * den)
}

/// `100 × num / den` shown with 2 decimals, computed in integers; none when `den == 0`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pct {
    pub num: u64,
    pub den: u64,
}

impl Pct {
    pub fn hundredths(&self) -> Option<u64> {
        (self.den > 0).then(|| div_half_up(10_000 * self.num as u128, self.den as u128) as u64)
    }
    /// The 2-decimal value (as printed).
    pub fn rounded(&self) -> Option<f64> {
        self.hundredths().map(|h| h as f64 / 100.0)
    }
    /// The exact ratio in percent, for statistics over runs.
    pub fn exact(&self) -> Option<f64> {
        (self.den > 0).then(|| 100.0 * self.num as f64 / self.den as f64)
    }
    pub fn text(&self) -> String {
        self.hundredths()
            .map(|h| format!("{}.{:02}", h / 100, h % 100))
            .unwrap_or_default()
    }
}

/// Totals and means over a run of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub days: u64,
    pub flows: Flows,
    pub coverage: Pct,
    pub in_use_coverage: Pct,
    pub continuous_coverage: Pct,
    /// Σ (in_use − in_use_active) over the days.
    pub exposed_sum: u64,
    /// Open findings per severity on the last day.
    pub findings_open_last: [u64; 6],
    /// Σ open findings over the days.
    pub findings_open_sum: u64,
}

impl Figures {
    pub fn from_days<'a>(days: impl IntoIterator<Item = &'a DayRow>) -> Figures {
        let mut f = Figures::default();
        for d in days {
            let active = d.status(Status::Active);
            f.days += 1;
            f.flows.add(&d.flows);
            f.coverage.num += active;
            f.coverage.den += d.counts.images;
            f.in_use_coverage.num += d.counts.in_use_active;
            f.in_use_coverage.den += d.counts.in_use;
            f.continuous_coverage.num += active;
            f.continuous_coverage.den += active + d.status(Status::Expired);
            f.exposed_sum += d.counts.in_use - d.counts.in_use_active;
            f.findings_open_last = d.counts.findings_open;
            f.findings_open_sum += d.counts.findings_open_total();
        }
        f
    }

    /// The figures of `days` days from the sum of their rows: every figure is a ratio or
    /// a mean of sums, so the sum holds all a run's figures need.
    pub fn from_total(total: &DayRow, days: u64) -> Figures {
        Figures {
            days,
            ..Figures::from_days(std::iter::once(total))
        }
    }

    pub fn total_cost_usd(&self) -> f64 {
        self.flows.cost_micro as f64 / 1e6
    }

    /// Total cost × 30 / days in cents, rounded half up.
    pub fn cost_per_30_days_cents(&self) -> u64 {
        if self.days == 0 {
            return 0;
        }
        div_half_up(
            self.flows.cost_micro.max(0) as u128 * 30,
            self.days as u128 * 10_000,
        ) as u64
    }

    /// Total cost × 30 / days in USD, unrounded (for statistics over runs).
    pub fn cost_per_30_days_usd(&self) -> f64 {
        if self.days == 0 {
            return 0.0;
        }
        self.flows.cost_micro as f64 * 30.0 / self.days as f64 / 1e6
    }

    /// Mean of `in_use − in_use_active` in hundredths, rounded half up.
    pub fn mean_exposed_hundredths(&self) -> u64 {
        if self.days == 0 {
            return 0;
        }
        div_half_up(self.exposed_sum as u128 * 100, self.days as u128) as u64
    }

    /// Mean open findings per day in hundredths, rounded half up.
    pub fn mean_open_findings_hundredths(&self) -> u64 {
        if self.days == 0 {
            return 0;
        }
        div_half_up(self.findings_open_sum as u128 * 100, self.days as u128) as u64
    }

    pub fn mean_exposed(&self) -> f64 {
        if self.days == 0 {
            return 0.0;
        }
        self.exposed_sum as f64 / self.days as f64
    }
}

/// Hundredths (cents, or a mean in hundredths) as a JSON-friendly number with 2 decimals.
pub fn cents_value(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// Hundredths as text with 2 decimals.
pub fn hundredths_text(h: u64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(images: u64, active: u64, in_use: u64, in_use_active: u64, cost: i64) -> DayRow {
        let mut d = DayRow::default();
        d.counts.images = images;
        d.counts.status[Status::Active as usize] = active;
        d.counts.status[Status::NotScanned as usize] = images - active;
        d.counts.in_use = in_use;
        d.counts.in_use_active = in_use_active;
        d.flows.cost_micro = cost;
        d
    }

    #[test]
    fn figures_follow_the_definitions() {
        let days = [
            day(0, 0, 0, 0, 0),
            day(3, 1, 2, 1, 90_000),
            day(4, 3, 1, 1, 15_000),
        ];
        let f = Figures::from_days(&days);
        assert_eq!(f.coverage, Pct { num: 4, den: 7 });
        assert_eq!(f.coverage.text(), "57.14");
        assert_eq!(f.in_use_coverage.text(), "66.67");
        // 105000 µUSD × 30 / 3 days = 1.05 USD
        assert_eq!(f.cost_per_30_days_cents(), 105);
        assert_eq!(f.exposed_sum, 1);
        assert_eq!(f.mean_exposed_hundredths(), 33);
        assert_eq!(Pct::default().text(), "");
        // The same figures from the sum of the rows.
        let mut total = DayRow::default();
        for d in &days {
            total.add(d);
        }
        assert_eq!(Figures::from_total(&total, 3), f);
    }
}
