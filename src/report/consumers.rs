//! The load on event consumers: per event kind, events per day and in the busiest hour of
//! each day (median, 95th percentile and maximum over the reported days), so a team can
//! size a queue or a Lambda concurrency limit. Expirations and lifecycle actions run at
//! midnight and count in the day they end, in an hour of their own (the day end).

use super::Report;
use crate::base::time::{DAY, format_instant};
use crate::engine::Hourly;
use crate::engine::result::DAY_END_HOUR;

/// One event kind's load over the reported days.
#[derive(Debug, Clone, PartialEq)]
pub struct KindLoad {
    /// The EventBridge detail-type.
    pub kind: &'static str,
    pub per_day: Vec<u64>,
    /// Events in the busiest hour of each day.
    pub busiest_hour: Vec<u64>,
    /// (day, hour bucket) of the busiest hour of the run, if any event.
    pub peak: Option<(usize, usize)>,
}

/// Median, 95th percentile (nearest rank) and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spread {
    pub p50: u64,
    pub p95: u64,
    pub max: u64,
}

impl Spread {
    pub fn of(values: &[u64]) -> Spread {
        let mut v = values.to_vec();
        v.sort_unstable();
        let rank = |p: usize| -> u64 {
            if v.is_empty() {
                return 0;
            }
            let k = (p * v.len()).div_ceil(100).max(1);
            v[k - 1]
        };
        Spread {
            p50: rank(50),
            p95: rank(95),
            max: v.last().copied().unwrap_or(0),
        }
    }
}

fn load(kind: &'static str, hours: &[[u64; 25]]) -> KindLoad {
    let mut peak: Option<(usize, usize, u64)> = None;
    for (d, h) in hours.iter().enumerate() {
        for (k, &n) in h.iter().enumerate() {
            if n > 0 && peak.is_none_or(|(_, _, m)| n > m) {
                peak = Some((d, k, n));
            }
        }
    }
    KindLoad {
        kind,
        per_day: hours.iter().map(|h| h.iter().sum()).collect(),
        busiest_hour: hours
            .iter()
            .map(|h| h.iter().copied().max().unwrap_or(0))
            .collect(),
        peak: peak.map(|(d, k, _)| (d, k)),
    }
}

/// The load of each kind of event `run --events` writes or counts.
pub fn loads(report: &Report) -> Vec<KindLoad> {
    let r = report.result;
    let start = report.scenario.start;
    let days = r.days.len();
    let mut changes = vec![[0u64; 25]; days];
    for (&t, &n) in r.config_changes.iter().zip(&r.freq_changes) {
        let d = (t - start).div_euclid(DAY);
        if let Some(h) = usize::try_from(d).ok().and_then(|d| changes.get_mut(d)) {
            h[(t.rem_euclid(DAY) / 3600) as usize] += super::events::frequency_change_events(n);
        }
    }
    let hourly = |f: fn(&Hourly) -> [u64; 25]| -> Vec<[u64; 25]> {
        let mut v: Vec<[u64; 25]> = r.hourly.iter().map(f).collect();
        v.resize(days, [0; 25]);
        v
    };
    vec![
        load("ECR Scan Resource Change", &changes),
        load("Inspector2 Scan", &hourly(|h| h.scans)),
        load("Inspector2 Finding", &hourly(|h| h.findings)),
    ]
}

/// The start of an hour bucket of day `d`, as an instant text (the day end: the
/// midnight that ends the day).
pub fn hour_text(start: i64, d: usize, bucket: usize) -> String {
    let day = start + d as i64 * DAY;
    if bucket == DAY_END_HOUR {
        format_instant(day + DAY)
    } else {
        format_instant(day + bucket as i64 * 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(
            Spread::of(&v),
            Spread {
                p50: 10,
                p95: 19,
                max: 20
            }
        );
        assert_eq!(Spread::of(&[]), Spread::default());
        assert_eq!(
            Spread::of(&[7]),
            Spread {
                p50: 7,
                p95: 7,
                max: 7
            }
        );
    }

    #[test]
    fn the_busiest_hour_is_found_per_day_and_overall() {
        let mut a = [0u64; 25];
        a[3] = 5;
        a[DAY_END_HOUR] = 9;
        let mut b = [0u64; 25];
        b[10] = 9;
        let l = load("x", &[a, b, [0; 25]]);
        assert_eq!(l.per_day, vec![14, 9, 0]);
        assert_eq!(l.busiest_hour, vec![9, 9, 0]);
        assert_eq!(l.peak, Some((0, DAY_END_HOUR)), "the first of equals");
        assert_eq!(hour_text(0, 0, DAY_END_HOUR), "1970-01-02T00:00:00Z");
        assert_eq!(hour_text(0, 1, 10), "1970-01-02T10:00:00Z");
    }
}
