//! The `[synthetic]` parameters of each group, fitted to what one pass over the trace
//! collected. Each estimator inverts what `source::synthetic` does with the key.

use super::collect::{Collector, GroupStats, MAX_AGE, RepoStats, weekday};
use super::stats::{Fit, median, poisson_loglinear, rate, share};
use crate::base::time::DAY;
use std::f64::consts::LN_2;

/// A group's push rate per repository.
#[derive(Debug, Clone)]
pub enum RateFit {
    Fixed(Fit),
    LogNormal { median: Fit, sigma: Fit },
}

/// A group's fitted parameters; `None` where the data cannot tell (the scenario then
/// keeps the generator's default and says so).
#[derive(Debug, Clone)]
pub struct GroupFit {
    pub name: String,
    /// Its repositories' names, in order of first appearance.
    pub names: Vec<String>,
    pub count: u32,
    pub pushes: u64,
    pub rate: RateFit,
    /// Weights Monday..Sunday (mean 1) and the chi-square of a flat week (6 d.f.).
    pub weekday: ([f64; 7], f64),
    pub growth: Option<Fit>,
    pub weeks: usize,
    pub platforms: f64,
    pub image_index: Fit,
    pub unsupported: Fit,
    pub images: u64,
    pub moving_tag: Option<(String, Fit)>,
    pub version_tags: Fit,
    pub in_use: bool,
    pub deployed: Option<(u32, u64, Fit)>,
    pub deploy_lag_hours: Option<(Fit, usize)>,
    pub deploy_pulls: Option<(Fit, u64)>,
    /// Pulls per day at age 0 and the half-life in days.
    pub old_pulls: Option<(Fit, Fit, f64)>,
    pub delete_after: Option<(Fit, u64)>,
    /// First day (epoch days) and the days the repositories appear over.
    pub appear: Option<(i64, u32)>,
}

/// What the whole trace gives.
pub struct Calibration {
    pub groups: Vec<GroupFit>,
    /// The first day of the trace, in days since the epoch, and its length in days.
    pub first_day: i64,
    pub span_days: i64,
    pub rows: u64,
    /// The trace looks like a snapshot: no image pulled three times or seen in use twice,
    /// no delete.
    pub snapshot: bool,
    /// Rescans per active image and month, and where it came from.
    pub rescans: Option<(Fit, String)>,
    /// Registry-wide vulnerability-feed updates as bursts: days per year, the
    /// multiplier that gives each active image about one trigger on such a day, and the
    /// days seen.
    pub bursts: Option<(f64, f64, u64)>,
}

/// The day after the trace: day 0 of the forecast.
impl Calibration {
    pub fn day0(&self) -> i64 {
        self.first_day + self.span_days
    }
}

/// Fits every group; `usage_rescans` is the ECR_RESCAN count of the 30 days that end
/// with the trace.
pub fn fit(c: &Collector, usage_rescans: Option<f64>) -> Calibration {
    let snapshot =
        c.repeat_pulls == 0 && c.repeat_in_use == 0 && c.groups.iter().all(|g| g.deletes == 0);
    let ctx = Ctx {
        c,
        day0: c.first_day() + c.span_days(),
        snapshot,
    };
    Calibration {
        groups: c.groups.iter().map(|g| ctx.group(g)).collect(),
        first_day: c.first_day(),
        span_days: c.span_days(),
        rows: c.rows,
        snapshot,
        rescans: rescans(c, usage_rescans),
        bursts: bursts(c, usage_rescans.is_some()),
    }
}

/// Days with a registry-wide update, as burst days: on such a day every active image is
/// rescanned once, so the multiplier makes the day's triggers about one per image. Not
/// with usage totals, whose count holds those rescans already.
fn bursts(c: &Collector, usage: bool) -> Option<(f64, f64, u64)> {
    if usage || c.registry_wide_days == 0 {
        return None;
    }
    let per_year = (c.registry_wide_days as f64 * 365.0 / c.span_days().max(1) as f64).min(365.0);
    let base = rescans(c, None).map_or(0.0, |(f, _)| f.value);
    let multiplier = if base > 0.0 {
        (1.0 + 30.0 / base).min(1000.0)
    } else {
        1000.0
    };
    Some((per_year, multiplier, c.registry_wide_days))
}

struct Ctx<'c, 'r> {
    c: &'c Collector<'r>,
    day0: i64,
    snapshot: bool,
}

impl Ctx<'_, '_> {
    fn group(&self, g: &GroupStats) -> GroupFit {
        let repos: Vec<&RepoStats> = g.repos.iter().map(|&r| &self.c.repos[r as usize]).collect();
        let from_start = present_from_start(self.c, &repos);
        let (growth, weeks) = self.growth(&repos);
        let g_month = growth.map_or(0.0, |f| f.value);
        let weekday = self.weekday(g, &repos, from_start);
        let rate = self.push_rate(&repos, from_start, g_month, &weekday.0);
        let deployed_pulls = self.deploy(g);
        let old_pulls = if self.snapshot {
            None
        } else {
            old_pulls(g, self.c.span_days())
        };
        let deploy_pulls = deploy_pulls(g, old_pulls.as_ref(), deployed_pulls.is_some());
        let images = g.images.max(1);
        GroupFit {
            name: g.name.clone(),
            names: repos.iter().map(|r| r.name.clone()).collect(),
            count: repos.len() as u32,
            pushes: g.pushes,
            rate,
            weekday,
            growth,
            weeks,
            platforms: g.images as f64 / g.pushes.max(1) as f64,
            image_index: share(g.index_pushes, g.pushes),
            unsupported: share(g.unsupported, images),
            images: g.images,
            moving_tag: moving_tag(g),
            version_tags: share(g.version_tagged, g.pushes),
            in_use: g.in_use_rows > 0,
            deployed: deployed_pulls,
            // A snapshot's in-use time is the last one, not the deployment.
            deploy_lag_hours: {
                let mut v = if self.snapshot {
                    Vec::new()
                } else {
                    g.deploy_lags.clone()
                };
                median(&mut v).map(|m| (scale(m, 1.0 / 3600.0), v.len()))
            },
            deploy_pulls,
            old_pulls,
            delete_after: {
                let mut v = g.delete_ages.clone();
                median(&mut v).map(|m| (scale(m, 1.0 / DAY as f64), g.deletes))
            },
            appear: (!from_start).then(|| appearance(self.c, &repos)),
        }
    }

    /// Growth per 30 days: pushes by week of the repositories already there the week
    /// before, fitted log-linear in time.
    fn growth(&self, repos: &[&RepoStats]) -> (Option<Fit>, usize) {
        let span = self.c.span_days();
        let weeks = (span as usize).div_ceil(7);
        if span < 28 {
            return (None, weeks);
        }
        let (mut y, mut e, mut x) = (vec![0.0; weeks], vec![0.0; weeks], vec![0.0; weeks]);
        for (w, xw) in x.iter_mut().enumerate() {
            *xw = (w * 7) as f64 + 3.5;
        }
        for r in repos {
            let first_week = (r.first_time.div_euclid(DAY) - self.c.first_day()) as usize / 7;
            for w in (first_week + 1)..weeks {
                let days = (span as usize - w * 7).min(7) as f64;
                e[w] += days;
                y[w] += r.weekly.get(w).copied().unwrap_or(0) as f64;
            }
        }
        let Some((_, b, _, se_b)) = poisson_loglinear(&y, &e, &x) else {
            return (None, weeks);
        };
        let m = |b: f64| (30.0 * b).exp() - 1.0;
        let fit = Fit {
            value: m(b).clamp(-0.99, 100.0),
            lo: m(b - 1.96 * se_b).clamp(-0.99, 100.0),
            hi: m(b + 1.96 * se_b).clamp(-0.99, 100.0),
        };
        (Some(fit), weeks)
    }

    /// Weights by weekday: pushes over the days each repository was there, the days
    /// weighted by its rate (a busy repository's week counts more).
    fn weekday(&self, g: &GroupStats, repos: &[&RepoStats], from_start: bool) -> ([f64; 7], f64) {
        let last = self.day0 - 1;
        let mut exposure = [0.0; 7];
        for r in repos {
            let first = if from_start {
                self.c.first_day()
            } else {
                r.first_time.div_euclid(DAY)
            };
            let days = (last - first + 1).max(1);
            let rate = r.pushes as f64 / days as f64;
            for k in 0..7 {
                // Days of weekday (first + k) in first..=last.
                let n = (days - k as i64 + 6).div_euclid(7).max(0);
                exposure[weekday(first + k as i64)] += rate * n as f64;
            }
        }
        let total_e: f64 = exposure.iter().sum();
        let total_y: f64 = g.by_weekday.iter().sum::<u64>() as f64;
        if total_e <= 0.0 || total_y <= 0.0 {
            return ([1.0; 7], 0.0);
        }
        let mut w = [1.0; 7];
        let mut chi2 = 0.0;
        for k in 0..7 {
            let expected = exposure[k] * total_y / total_e;
            if expected > 0.0 {
                w[k] = g.by_weekday[k] as f64 / expected;
                chi2 += (g.by_weekday[k] as f64 - expected).powi(2) / expected;
            }
        }
        let mean = w.iter().sum::<f64>() / 7.0;
        (w.map(|v| v / mean), chi2)
    }

    /// The mean pushes a repository of base rate 1 would have had over the days it was
    /// there (weekday and growth included, as the generator draws them).
    fn exposure(&self, from: i64, growth: f64, weekday_w: &[f64; 7]) -> f64 {
        let first_day = from.div_euclid(DAY);
        let mut e = 0.0;
        for day in first_day..self.day0 {
            let part = if day == first_day {
                ((day + 1) * DAY - from) as f64 / DAY as f64
            } else {
                1.0
            };
            let d = (day - self.day0) as f64;
            e += part * weekday_w[weekday(day)] * (1.0 + growth).powf(d / 30.0);
        }
        e
    }

    /// Base rates at day 0 across repositories: log-normal (median and sigma of the log
    /// rates, less the Poisson noise of each count), or one rate when the spread is
    /// indistinguishable from noise.
    fn push_rate(
        &self,
        repos: &[&RepoStats],
        from_start: bool,
        growth: f64,
        w: &[f64; 7],
    ) -> RateFit {
        let mut logs = Vec::with_capacity(repos.len());
        let mut noise = 0.0;
        let (mut total_n, mut total_e) = (0.0, 0.0);
        for r in repos {
            let (n, from) = if from_start {
                (r.pushes as f64, self.c.first_time)
            } else {
                (r.pushes.saturating_sub(1) as f64, r.first_time)
            };
            let e = self.exposure(from, growth, w).max(1e-9);
            total_n += n;
            total_e += e;
            let n_eff = n.max(0.5);
            logs.push((n_eff / e).ln() + 1.0 / (2.0 * n_eff));
            noise += 1.0 / n_eff;
        }
        let k = logs.len() as f64;
        let pooled = rate(total_n, total_e);
        if logs.len() < 3 {
            return RateFit::Fixed(pooled);
        }
        let mu = logs.iter().sum::<f64>() / k;
        let var = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / (k - 1.0);
        let sigma2 = (var - noise / k).max(0.0);
        let sigma = sigma2.sqrt();
        let se_sigma = var / (sigma.max(1e-6) * (2.0 * (k - 1.0)).sqrt());
        if sigma - 1.96 * se_sigma < 0.05 {
            return RateFit::Fixed(pooled);
        }
        // The median keeps the group's expected pushes at the observed total (a
        // log-normal's mean is median · e^(σ²/2)): heavier tails than log-normal (a few
        // busy repositories) do not lose pushes.
        let se_mu = (var / k).sqrt();
        let m = (pooled.value / (sigma2 / 2.0).exp()).max(1e-12).ln();
        RateFit::LogNormal {
            median: Fit {
                value: m.exp(),
                lo: (m - 1.96 * se_mu).exp(),
                hi: (m + 1.96 * se_mu).exp(),
            },
            sigma: Fit {
                value: sigma,
                lo: (sigma - 1.96 * se_sigma).max(0.0),
                hi: sigma + 1.96 * se_sigma,
            },
        }
    }

    /// How many of the newest pushes stay deployed: one more than the deployments a
    /// replaced image outlived (the most frequent count), with the images counted and
    /// the share that showed it.
    fn deploy(&self, g: &GroupStats) -> Option<(u32, u64, Fit)> {
        if g.in_use_rows == 0 || self.snapshot {
            return None;
        }
        let total: u64 = g.outlived.iter().sum();
        let (mode, &n) = g
            .outlived
            .iter()
            .enumerate()
            .max_by_key(|&(i, n)| (*n, usize::MAX - i))?;
        Some(((mode as u32 + 1).min(100), total, share(n, total)))
    }
}

fn scale(f: Fit, s: f64) -> Fit {
    Fit {
        value: f.value * s,
        lo: f.lo * s,
        hi: f.hi * s,
    }
}

/// Whether the group's repositories were all there when the trace starts: each one's
/// wait for its first push, in units of its mean wait, averages about 1 then.
fn present_from_start(c: &Collector, repos: &[&RepoStats]) -> bool {
    let span = c.span_days().max(1) as f64;
    let waits: f64 = repos
        .iter()
        .map(|r| (r.first_time - c.first_time) as f64 / DAY as f64 * r.pushes.max(1) as f64 / span)
        .sum();
    waits / (repos.len().max(1) as f64) < 3.0
}

/// The first day repositories appear and the days over which they keep appearing
/// (evenly spread, as the generator places them).
fn appearance(c: &Collector, repos: &[&RepoStats]) -> (i64, u32) {
    let days: Vec<i64> = repos.iter().map(|r| r.first_time.div_euclid(DAY)).collect();
    let first = days.iter().copied().min().unwrap_or(c.first_day());
    let last = days.iter().copied().max().unwrap_or(first);
    let n = repos.len() as i64;
    let over = if n > 1 {
        (last - first) * n / (n - 1)
    } else {
        0
    };
    (first, over.clamp(0, 36_500) as u32)
}

/// A tag on at least half the pushes that is not a version.
fn moving_tag(g: &GroupStats) -> Option<(String, Fit)> {
    let (tag, &n) = g
        .tags
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
    let s = share(n, g.pushes);
    (s.value >= 0.5).then(|| (String::from_utf8_lossy(tag).into_owned(), s))
}

/// Pulls on days an image was not in use, by age: `r · 2^(-age/h)` per image and day.
fn old_pulls(g: &GroupStats, span: i64) -> Option<(Fit, Fit, f64)> {
    let ages = (span as usize + 1).min(MAX_AGE);
    let at = |v: &Vec<f64>, a: usize| v.get(a).copied().unwrap_or(0.0);
    let y: Vec<f64> = (0..ages).map(|a| at(&g.old_pulls_by_age, a)).collect();
    let e: Vec<f64> = (0..ages)
        .map(|a| (at(&g.alive_by_age, a) - at(&g.deploy_days_by_age, a)).max(0.0))
        .collect();
    let pulls: f64 = y.iter().sum();
    if pulls == 0.0 {
        let days: f64 = e.iter().sum();
        return (days > 0.0).then(|| (Fit::exact(0.0), Fit::exact(7.0), days));
    }
    let x: Vec<f64> = (0..ages).map(|a| a as f64 + 0.5).collect();
    let (a, b, se_a, se_b) = poisson_loglinear(&y, &e, &x)?;
    let hl = |b: f64| {
        if b < 0.0 {
            (-LN_2 / b).min(3650.0)
        } else {
            3650.0
        }
    };
    let r = Fit {
        value: a.exp(),
        lo: (a - 1.96 * se_a).exp(),
        hi: (a + 1.96 * se_a).exp(),
    };
    let h = Fit {
        value: hl(b).max(0.01),
        lo: hl(b - 1.96 * se_b).max(0.01),
        hi: hl(b + 1.96 * se_b).max(0.01),
    };
    Some((r, h, pulls))
}

/// Pulls per day of a deployed image: pulls on its days in use, less the pull at each
/// deployment and the old-image pulls those days have anyway, over the days deployed
/// (the first and last day of a deployment count half a day each: it starts and ends
/// at some time of those days).
fn deploy_pulls(
    g: &GroupStats,
    old: Option<&(Fit, Fit, f64)>,
    deployed: bool,
) -> Option<(Fit, u64)> {
    if !deployed || g.deployed_images == 0 {
        return None;
    }
    let background: f64 = old.map_or(0.0, |(r, h, _)| {
        g.deploy_days_by_age
            .iter()
            .enumerate()
            .map(|(a, d)| d * r.value * (-(a as f64 + 0.5) / h.value * LN_2).exp())
            .sum()
    });
    let pulls = (g.deploy_pulls as f64 - g.deployed_images as f64 - background).max(0.0);
    let days = g.deploy_days as f64 - g.deployed_images as f64;
    (days > 0.0).then(|| (rate(pulls, days), g.deploy_days))
}

/// Rescans per image and month: from the usage totals over the live supported images
/// of the trace's last 30 days, else from the trace's own vulnerability-feed rows.
fn rescans(c: &Collector, usage: Option<f64>) -> Option<(Fit, String)> {
    let live = &c.live_supported_by_day;
    if let Some(count) = usage {
        let tail = &live[live.len().saturating_sub(30)..];
        let mean = tail.iter().sum::<i64>() as f64 / tail.len().max(1) as f64;
        let f = rate(count, mean.max(1e-9));
        return (mean > 0.0).then(|| {
            (
                f,
                format!(
                    "{count:.0} ECR_RESCAN in the usage totals over {mean:.1} live supported images \
                     (mean of the trace's last {} days)",
                    tail.len()
                ),
            )
        });
    }
    let named: u64 = c.triggers_by_day.iter().sum();
    let triggers = named + c.repo_wide_triggers;
    if triggers == 0 {
        return None;
    }
    let image_days: i64 = live.iter().sum();
    let f = scale(rate(triggers as f64, image_days as f64), 30.0);
    Some((
        f,
        format!(
            "{named} vulndb_update rows naming an image and {} images of repository-wide ones \
             over {image_days} live supported image-days",
            c.repo_wide_triggers
        ),
    ))
}
