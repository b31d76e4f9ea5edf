//! Size estimates before simulating: a scenario whose traffic would take longer, need more
//! memory or write more than this machine class handles is refused up front, with the
//! estimate and the bound, instead of aborting hours later on a failed allocation.
//!
//! The estimates are upper bounds computed from the `[synthetic]` parameters (the push
//! rate each repository draws, weekdays and growth averaged out): pushes and the images
//! they make, the pulls and in-use observations of deployments, decaying pulls of older
//! images, deletes, and vulnerability triggers as if every live image were active. Live
//! images are capped by `delete_after_days` and by lifecycle rules that expire any image
//! by count or age. Traces are streamed and not estimated.

use crate::base::error::{Error, Location, Result};
use crate::base::time::DAY;
use crate::model::scenario::synthetic::{Group, SyntheticConfig};
use crate::model::scenario::{Scenario, Traffic};
use crate::rules::lifecycle::{Action, Count, Policy, StorageClass, TagSelect};
use crate::source::synthetic::{Plan, RepoGen};

/// Events one run may process: about 10 minutes of one core of this machine class
/// (2 cores, 24 GiB) at the measured 5-10 million events per second.
pub const MAX_EVENTS: f64 = 5e9;
/// Live images one engine may hold: about 360 bytes each, so 20 million take about
/// 7 GiB, leaving room for a second worker and the outputs on a 24 GiB machine.
pub const MAX_LIVE_IMAGES: f64 = 20e6;
/// Bytes one file written by a run may have (a trace from `generate`, the events of
/// `run --events`, `groups.csv`).
pub const MAX_OUTPUT_BYTES: f64 = 20.0 * (1u64 << 30) as f64;

/// Bytes per trace row and per EventBridge event, roughly (a sha256 digest, tags).
const TRACE_ROW_BYTES: f64 = 150.0;
const EVENT_BYTES: f64 = 700.0;
/// An `Inspector2 Finding` event is larger: the image is described inside (measured on the
/// trace demo: about 1,040 bytes).
const FINDING_EVENT_BYTES: f64 = 1100.0;

/// How the traffic is simulated: repositories one at a time in parallel (`run`, `sweep`),
/// or all in one engine (`run --events`, `generate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    PerRepository,
    AllAtOnce,
    /// `generate`: all at once, writing every event as a trace row.
    Trace,
}

/// What a run of the scenario would take at most.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimate {
    pub events: f64,
    /// Pushed images over the reported days (initial scans at most).
    pub reported_images: f64,
    /// Live images of the largest repository, and of all repositories, at most.
    pub repo_live: f64,
    pub repo_live_name: String,
    pub total_live: f64,
}

/// `1234567` as `1,234,567`; large values as `2.1e12`.
fn count(x: f64) -> String {
    if x >= 1e15 || !x.is_finite() {
        return format!("{x:.1e}");
    }
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn gib(x: f64) -> String {
    format!("{:.1} GiB", x / (1u64 << 30) as f64)
}

/// Σ q^d over `d0..d1`, the growth factor of each day summed.
fn growth_sum(q: f64, d0: i64, d1: i64) -> f64 {
    let n = (d1 - d0).max(0) as f64;
    if q == 1.0 || n == 0.0 {
        return n;
    }
    let v = (q.powf(d1 as f64) - q.powf(d0 as f64)) / (q - 1.0);
    if v.is_finite() { v } else { f64::INFINITY }
}

/// Images a lifecycle policy keeps at most, given the pushes of a day and images per push.
fn lifecycle_cap(policy: Option<&Policy>, daily: f64) -> f64 {
    let Some(p) = policy else {
        return f64::INFINITY;
    };
    p.rules
        .iter()
        .filter(|r| {
            r.tags == TagSelect::Any
                && r.class == StorageClass::Standard
                && r.action == Action::Expire
        })
        .map(|r| match r.count {
            Count::MoreThan(n) => n as f64 + daily,
            Count::SincePushed(n) => daily * (n as f64 + 2.0),
            _ => f64::INFINITY,
        })
        .fold(f64::INFINITY, f64::min)
}

/// One repository: (events, images pushed over the reported days, live images at most).
fn repo_estimate(
    sc: &Scenario,
    cfg: &SyntheticConfig,
    g: &Group,
    plan: &Plan,
    gen_: &RepoGen,
    name: &str,
) -> (f64, f64, f64) {
    let (base, appear) = gen_.rate_and_appearance();
    let d0 = plan.first_day.max((appear - plan.start).div_euclid(DAY));
    let d1 = plan.end_day;
    let n = (d1 - d0).max(0) as f64;
    let q = (1.0 + g.growth_per_month).powf(1.0 / 30.0);
    // No pushes at all whatever the growth (0 × ∞ would be NaN).
    let grown = |from: i64| {
        if base > 0.0 {
            base * growth_sum(q, from, d1)
        } else {
            0.0
        }
    };
    let pushes = grown(d0);
    let reported = grown(d0.max(0));
    let per_push = g.platforms as f64 + g.image_index as u8 as f64;
    let images = pushes * per_push;
    let daily_max = base
        * q.powf(d1 as f64).max(q.powf(d0 as f64))
        * g.weekday.iter().cloned().fold(0.0, f64::max)
        * per_push;
    let mut cap = lifecycle_cap(
        sc.lifecycle_for(name).map(|i| &*sc.lifecycle[i].policy),
        daily_max,
    );
    if let Some(a) = g.delete_after {
        cap = cap.min(daily_max * (a as f64 / DAY as f64 + 1.0));
    }
    let live = images.min(cap);
    // Σ over days of the live images: growing to the cap, then flat.
    let rate = if n > 0.0 { images / n } else { 0.0 };
    let t = if rate > 0.0 { (cap / rate).min(n) } else { n };
    let live_days = rate * t * t / 2.0 + live * (n - t).max(0.0);
    let burst = 1.0
        + cfg.burst_days_per_year / 365.0 * (cfg.burst_multiplier - 1.0).max(0.0)
        + cfg
            .bursts
            .iter()
            .map(|b| b.days as f64 * (b.multiplier - 1.0).max(0.0))
            .sum::<f64>()
            / n.max(1.0);
    let triggers = cfg.rescans_per_image_month / 30.0 * burst * live_days;
    let deployed = if pushes > 0.0 {
        (g.deployed as f64).min(pushes) * g.platforms as f64
    } else {
        0.0
    };
    let deploy = n * deployed * (g.deploy_pulls_per_day + g.in_use as u8 as f64);
    let old = pushes * g.platforms as f64 * g.old_pulls_per_day * g.old_pull_half_life_days
        / std::f64::consts::LN_2;
    let deletes = if g.delete_after.is_some() {
        images
    } else {
        0.0
    };
    (
        images + triggers + deploy + old + deletes,
        reported * per_push,
        live,
    )
}

/// The estimate of a scenario's synthetic traffic (`None` for a trace).
pub fn estimate(sc: &Scenario) -> Option<Estimate> {
    let Traffic::Synthetic(cfg) = &sc.traffic else {
        return None;
    };
    let plan = Plan::new(cfg, sc.seed, sc.start, sc.days);
    let mut e = Estimate::default();
    for spec in cfg.repositories() {
        let g = &cfg.groups[spec.group as usize];
        let gen_ = RepoGen::new(&plan, &spec);
        let (events, reported, live) = repo_estimate(sc, cfg, g, &plan, &gen_, &spec.name);
        e.events += events;
        e.reported_images += reported;
        e.total_live += live;
        if live > e.repo_live {
            e.repo_live = live;
            e.repo_live_name = spec.name.clone();
        }
    }
    Some(e)
}

/// One line for `validate`: the estimate and the bounds.
pub fn describe(e: &Estimate) -> String {
    format!(
        "at most about {} events (bound {}), {} live images in the largest repository \
         ({}), {} in all (bound {} in one engine)",
        count(e.events),
        count(MAX_EVENTS),
        count(e.repo_live),
        e.repo_live_name,
        count(e.total_live),
        count(MAX_LIVE_IMAGES)
    )
}

/// Whether an estimate exceeds its bound (an estimate that is not a number does).
fn above(x: f64, bound: f64) -> bool {
    x.is_nan() || x > bound
}

/// Which events `run --events` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Events {
    None,
    /// Frequency changes and initial scans.
    Scans,
    /// Those and one `Inspector2 Finding` event per finding created, updated or closed.
    Findings,
}

/// Bytes of events per image pushed: its initial scan, and with findings each finding
/// opened at the first scan and by the rescans over the run, and closed (the largest
/// means of the scenario's findings models).
fn event_bytes_per_image(sc: &Scenario, events: Events) -> f64 {
    match events {
        Events::None => 0.0,
        Events::Scans => EVENT_BYTES,
        Events::Findings => {
            let mut models = vec![sc.findings.clone()];
            let mut rescans = 0.0;
            if let Traffic::Synthetic(cfg) = &sc.traffic {
                models.extend(cfg.groups.iter().map(|g| g.findings.clone()));
                rescans = cfg.rescans_per_image_month * sc.days as f64 / 30.0;
            }
            let per_image = models
                .iter()
                .map(|m| m.per_image + m.per_rescan * rescans)
                .fold(0.0, f64::max);
            EVENT_BYTES + FINDING_EVENT_BYTES * 2.0 * per_image
        }
    }
}

/// Refuses a scenario whose estimate exceeds a bound; says which, by how much, and what
/// to change.
pub fn check(sc: &Scenario, mode: Mode, events: Events) -> Result<()> {
    let Some(e) = estimate(sc) else {
        return Ok(());
    };
    let mut over: Vec<String> = Vec::new();
    if above(e.events, MAX_EVENTS) {
        over.push(format!(
            "about {} events (bound {}, about 10 minutes of simulation)",
            count(e.events),
            count(MAX_EVENTS)
        ));
    }
    let (live, whose) = match mode {
        Mode::PerRepository => (e.repo_live, format!("in repository {}", e.repo_live_name)),
        _ => (
            e.total_live,
            "in all repositories (simulated together)".to_string(),
        ),
    };
    if above(live, MAX_LIVE_IMAGES) {
        over.push(format!(
            "up to {} live images {whose} (bound {}, about {} of memory)",
            count(live),
            count(MAX_LIVE_IMAGES),
            gib(MAX_LIVE_IMAGES * 360.0)
        ));
    }
    let bytes = match mode {
        Mode::Trace => e.events * TRACE_ROW_BYTES,
        _ => e.reported_images * event_bytes_per_image(sc, events),
    };
    if above(bytes, MAX_OUTPUT_BYTES) {
        over.push(format!(
            "an output file of about {} (bound {})",
            gib(bytes),
            gib(MAX_OUTPUT_BYTES)
        ));
    }
    if over.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        Location::file(&sc.file),
        format!(
            "too large to simulate on this machine class (2 cores, 24 GiB): {}; lower \
             pushes_per_day, count, history_days, days or rescans_per_image_month, or add \
             delete_after_days or a lifecycle policy{}",
            over.join(", "),
            if events == Events::Findings {
                ", or leave out --finding-events (the daily findings columns count them)"
            } else {
                ""
            }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_pushes_stay_no_pushes_whatever_the_growth() {
        let text = "[simulation]\nstart = 2026-01-01\ndays = 100000\n[synthetic]\n\
                    [[synthetic.repositories]]\nname = \"ab\"\ncount = 1\n\
                    pushes_per_day = 0\ngrowth_per_month = 100\ndeployed = 0\n";
        let sc = Scenario::from_toml(text, std::path::Path::new("s.toml")).unwrap();
        let e = estimate(&sc).unwrap();
        assert_eq!(e.events, 0.0, "{e:?}");
        check(&sc, Mode::PerRepository, Events::None).unwrap();
        // Growth that overflows is refused, not let through as NaN.
        let sc = Scenario::from_toml(
            &text.replace("pushes_per_day = 0", "pushes_per_day = 1"),
            std::path::Path::new("s.toml"),
        )
        .unwrap();
        assert!(check(&sc, Mode::PerRepository, Events::None).is_err());
    }

    #[test]
    fn finding_events_are_bounded_with_the_findings_per_image() {
        // 100 repositories × 20 pushes a day × 365 days: 730,000 images, about 0.5 GiB
        // of scan events, about 250 GiB with one event per finding opened and closed.
        let text = "[simulation]\nstart = 2026-01-01\ndays = 365\n[synthetic]\n\
                    [[synthetic.repositories]]\nname = \"a{i}\"\ncount = 100\n\
                    pushes_per_day = 20\n";
        let sc = Scenario::from_toml(text, std::path::Path::new("s.toml")).unwrap();
        check(&sc, Mode::AllAtOnce, Events::Scans).unwrap();
        let e = check(&sc, Mode::AllAtOnce, Events::Findings).unwrap_err();
        assert!(e.to_string().contains("leave out --finding-events"), "{e}");
        // Fewer findings per image fit.
        let few = text.to_string() + "[findings]\nper_image = 0.1\nper_rescan = 0\n";
        let sc = Scenario::from_toml(&few, std::path::Path::new("s.toml")).unwrap();
        check(&sc, Mode::AllAtOnce, Events::Findings).unwrap();
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(36_500_000.0), "36,500,000");
        assert_eq!(count(f64::INFINITY), "inf");
        assert_eq!(growth_sum(1.0, -5, 5), 10.0);
        assert!((growth_sum(2.0, 0, 3) - 7.0).abs() < 1e-9);
    }
}
