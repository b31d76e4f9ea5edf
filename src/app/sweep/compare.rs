//! The variants of a sweep compared as people read them: each figure's mean and 95 %
//! interval and its paired difference against the baseline, for the whole registry, for
//! the repositories under continuous scanning (the part durations and pull settings can
//! change) and for each group; which variants are efficient; and the recommendation in
//! words. `sweep.md`, `sweep.html`, `scansim diff` and `scansim advise` all read it.

use super::detail::Detail;
use super::exec::RunDays;
use super::part::SweepMeta;
use super::spec::{Baseline, BaselineKind};
use super::stats::Estimate;
use crate::report::figures::Figures;
use crate::report::human::{number, plural, plus_minus, share, thousands, to_hundredths};
use crate::rules::Freq;

/// A summary figure compared across variants.
pub struct Metric {
    /// Column name (as in `summary.json`).
    pub name: &'static str,
    pub value: fn(&Figures) -> Option<f64>,
}

/// The figures of `sweep.csv`: the first [`FIRST_BLOCK`] in its first columns, the
/// others in columns at the end (added later, so the earlier columns keep their places).
pub const METRICS: [Metric; 8] = [
    Metric {
        name: "cost_per_30_days_usd",
        value: |f| Some(f.cost_per_30_days_usd()),
    },
    Metric {
        name: "total_cost_usd",
        value: |f| Some(f.total_cost_usd()),
    },
    Metric {
        name: "mean_coverage_pct",
        value: |f| f.coverage.exact(),
    },
    Metric {
        name: "mean_in_use_coverage_pct",
        value: |f| f.in_use_coverage.exact(),
    },
    Metric {
        name: "mean_exposed",
        value: |f| Some(f.mean_exposed()),
    },
    Metric {
        name: "mean_continuous_coverage_pct",
        value: |f| f.continuous_coverage.exact(),
    },
    Metric {
        name: "mean_open_findings",
        value: |f| Some(f.findings_open_sum as f64 / f.days.max(1) as f64),
    },
    Metric {
        name: "findings_closed_in_use",
        value: |f| Some(f.flows.findings.closed_in_use as f64),
    },
];

/// The findings figures, last in `sweep.csv` and `runs.csv`.
pub const FINDINGS: std::ops::Range<usize> = 6..8;
pub const FIRST_BLOCK: usize = 5;

pub const COST: usize = 0;
pub const COVERAGE: usize = 2;
pub const IN_USE: usize = 3;
pub const CONTINUOUS: usize = 5;

/// Days in the "per year" figures.
pub const YEAR_DAYS: f64 = 365.0;

/// Statistics of one variant over its replications.
#[derive(Debug, Clone)]
pub struct VariantStats {
    /// Per metric: the mean, and the paired difference against the baseline (none when
    /// a replication has no value).
    pub value: Vec<Option<Estimate>>,
    pub diff: Vec<Option<Estimate>>,
}

fn values(figs: &[Figures], m: &Metric) -> Option<Vec<f64>> {
    figs.iter().map(|f| (m.value)(f)).collect()
}

/// Means and paired differences against variant `base`, `figs[variant][replication]`.
pub fn stats(figs: &[Vec<Figures>], base: usize) -> Vec<VariantStats> {
    figs.iter()
        .map(|v| VariantStats {
            value: METRICS
                .iter()
                .map(|m| values(v, m).and_then(|xs| Estimate::of(&xs)))
                .collect(),
            diff: METRICS
                .iter()
                .map(|m| {
                    let (a, b) = (values(v, m)?, values(&figs[base], m)?);
                    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
                    Estimate::of(&d)
                })
                .collect(),
        })
        .collect()
}

/// A sweep's variants compared.
pub struct Comparison<'a> {
    pub meta: &'a SweepMeta,
    pub baseline: Baseline,
    /// Whole registry: `[variant][replication]` and the statistics.
    pub figs: Vec<Vec<Figures>>,
    pub whole: Vec<VariantStats>,
    /// The repositories under continuous scanning (a repository's day counts under its
    /// frequency at the day's end).
    pub cont_figs: Vec<Vec<Figures>>,
    pub continuous: Vec<VariantStats>,
    /// Per variant, replication 0: repositories under continuous scanning at the end, and
    /// all repositories.
    pub continuous_repos: Vec<u64>,
    pub all_repos: Vec<u64>,
    /// Group names and `[group][variant]` statistics.
    pub groups: Vec<String>,
    pub by_group: Vec<Vec<VariantStats>>,
}

impl<'a> Comparison<'a> {
    /// `runs` and `detail.parts` hold every (variant, replication) once, sorted by
    /// variant, then replication.
    pub fn new(meta: &'a SweepMeta, runs: &[RunDays], detail: &Detail) -> Comparison<'a> {
        let r = meta.replications as usize;
        let base = detail.baseline.variant as usize;
        let whole_of = |run: &RunDays| Figures::from_days(&run.days);
        let figs: Vec<Vec<Figures>> = runs
            .chunks(r)
            .map(|c| c.iter().map(whole_of).collect())
            .collect();
        let days = |i: usize| runs[i].days.len() as u64;
        let part_figs = |pick: &dyn Fn(&super::exec::RunParts) -> crate::engine::DayRow| {
            (0..meta.variants.len())
                .map(|v| {
                    (0..r)
                        .map(|k| {
                            let i = v * r + k;
                            Figures::from_total(&pick(&detail.parts[i]), days(i))
                        })
                        .collect::<Vec<Figures>>()
                })
                .collect::<Vec<_>>()
        };
        let cont_figs = part_figs(&|p| p.by_freq[Freq::Continuous as usize]);
        let groups: Vec<String> = detail
            .parts
            .first()
            .map(|p| p.groups.clone())
            .unwrap_or_default();
        let by_group = groups
            .iter()
            .map(|g| {
                let f = part_figs(&|p| {
                    p.groups
                        .iter()
                        .position(|x| x == g)
                        .map(|i| p.by_group[i])
                        .unwrap_or_default()
                });
                stats(&f, base)
            })
            .collect();
        let rep0 = |v: usize| &detail.parts[v * r];
        Comparison {
            meta,
            baseline: detail.baseline,
            whole: stats(&figs, base),
            continuous: stats(&cont_figs, base),
            continuous_repos: (0..meta.variants.len())
                .map(|v| rep0(v).repos_by_freq[Freq::Continuous as usize])
                .collect(),
            all_repos: (0..meta.variants.len())
                .map(|v| rep0(v).repos_by_freq.iter().sum())
                .collect(),
            figs,
            cont_figs,
            groups,
            by_group,
        }
    }

    pub fn base(&self) -> usize {
        self.baseline.variant as usize
    }

    /// The coverage figure the comparison is about: in-use coverage, or coverage when no
    /// image is ever in use.
    pub fn coverage_metric(&self) -> usize {
        if self.whole.iter().all(|s| s.value[IN_USE].is_some()) {
            IN_USE
        } else {
            COVERAGE
        }
    }

    fn mean(&self, v: usize, m: usize) -> Option<f64> {
        self.whole[v].value[m].map(|e| e.mean)
    }

    /// Whether each variant is efficient on mean cost and mean coverage ([`pareto`]).
    pub fn efficient(&self) -> Vec<bool> {
        let m = self.coverage_metric();
        let pts: Vec<Option<(f64, f64)>> = (0..self.whole.len())
            .map(|v| Some((self.mean(v, COST)?, self.mean(v, m)?)))
            .collect();
        pareto(&pts)
    }

    /// A variant in words: `DAYS_30 with a 14-day pull window`, `prod-only, rescan_usd=0.02`.
    pub fn label(&self, v: usize) -> String {
        let vm = &self.meta.variants[v];
        if self.baseline.kind == BaselineKind::Added && v == 0 {
            return "the scenario's own settings".into();
        }
        let mut parts: Vec<String> = vm.sweep_variant.iter().cloned().collect();
        let (mut push, mut pull, mut mode) = (None, None, None);
        for (k, val) in self.meta.keys.iter().zip(&vm.values) {
            match k.rsplit('.').next().unwrap_or(k) {
                "push_duration" => push = Some(val.as_str()),
                "pull_duration" => pull = Some(val.as_str()),
                "pull_mode" => mode = Some(val.as_str()),
                short => parts.push(format!("{short}={val}")),
            }
        }
        if let Some(w) = window_words(push, pull, mode) {
            parts.insert(vm.sweep_variant.is_some() as usize, w);
        }
        if parts.is_empty() {
            return "the scenario as it is".into();
        }
        parts.join(", ")
    }
}

/// Whether each (cost, value) point is efficient: no other point has a lower or equal
/// cost and a higher or equal value with one of them strictly better (of equal points,
/// the first is efficient; a point without figures is not).
pub fn pareto(pts: &[Option<(f64, f64)>]) -> Vec<bool> {
    (0..pts.len())
        .map(|v| {
            let Some((c, x)) = pts[v] else { return false };
            !pts.iter().enumerate().any(|(w, p)| match p {
                Some((cw, xw)) if w != v => *cw <= c && *xw >= x && (*cw < c || *xw > x || w < v),
                _ => false,
            })
        })
        .collect()
}

/// Inspector windows in words: `DAYS_30 with a 14-day pull window (by last pull)`.
fn window_words(push: Option<&str>, pull: Option<&str>, mode: Option<&str>) -> Option<String> {
    let days = |d: &str| d.strip_prefix("DAYS_").map(str::to_string);
    let pull_words = pull.map(|p| match days(p) {
        Some(n) => format!("a {n}-day pull window"),
        None if p == "none" => "no pull window".into(),
        None => format!("pull window {p}"),
    });
    let mode_words = mode.map(|m| match m {
        "LAST_IN_USE_AT" => "counted from the last in-use time".to_string(),
        "LAST_PULL_DATE" => "counted from the last pull".to_string(),
        m => format!("pull mode {m}"),
    });
    let s = match (push, pull_words) {
        (Some(p), Some(w)) if w == "no pull window" => format!("{p} without a pull window"),
        (Some(p), Some(w)) => format!("{p} with {w}"),
        (Some(p), None) => p.to_string(),
        (None, Some(w)) => w,
        (None, None) => return mode_words,
    };
    Some(match (mode_words, mode) {
        (Some(_), Some(m)) if pull == Some("none") => format!("{s}, pull mode {m}"),
        (Some(w), _) => format!("{s}, {w}"),
        _ => s,
    })
}

/// A piece of a sentence of the recommendation.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    /// A variant (its index), shown with its label and number.
    Variant(usize),
    /// A number or a range.
    Figure(String),
}

pub type Sentence = Vec<Piece>;

fn t(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn fig(s: impl Into<String>) -> Piece {
    Piece::Figure(s.into())
}

/// Whether an estimate is below (above) zero: its whole 95 % interval, or its value when
/// there is one replication.
fn below(e: &Estimate) -> bool {
    e.high() < 0.0
}

fn above(e: &Estimate) -> bool {
    e.low() > 0.0
}

/// A change of coverage too small to show with one decimal: its whole 95 % interval
/// within ±0.1 points.
fn tiny(e: &Estimate) -> bool {
    e.low() > -0.1 && e.high() < 0.1
}

/// A rate of money per point: whole dollars from 10 on, cents below.
pub fn rate(x: f64) -> String {
    number(x, if x.abs() >= 10.0 { 0 } else { 2 }, false)
}

/// `-320 ± 30` as `320 ± 30` (the sign goes into the words).
fn magnitude(e: &Estimate, money: bool) -> String {
    plus_minus(e.mean.abs(), e.half_width, money, false)
}

impl Comparison<'_> {
    fn diffs(&self, v: usize) -> Option<(Estimate, Estimate)> {
        let s = &self.whole[v];
        Some((s.diff[COST]?, s.diff[self.coverage_metric()]?))
    }

    fn coverage_words(&self) -> &'static str {
        if self.coverage_metric() == IN_USE {
            "in-use coverage"
        } else {
            "coverage"
        }
    }

    /// `(16 %)`: a saving as a share of the baseline's cost.
    fn saving_share(&self, d: &Estimate) -> String {
        match self.mean(self.base(), COST) {
            Some(b) if b > 0.0 => format!(" ({})", share(to_hundredths(-d.mean / b * 100.0))),
            _ => String::new(),
        }
    }

    /// ` (in the 60 repositories under continuous scanning: 54.1 % → 39.8 %)`.
    fn continuous_words(&self, v: usize) -> String {
        let m = self.coverage_metric();
        let b = self.base();
        let (Some(x), Some(y)) = (
            self.continuous[b].value[m].map(|e| e.mean),
            self.continuous[v].value[m].map(|e| e.mean),
        ) else {
            return String::new();
        };
        if self.continuous_repos[v] == self.all_repos[v] {
            return String::new();
        }
        if self.continuous_repos[v] != self.continuous_repos[b] {
            return format!(
                " (repositories under continuous scanning: {} → {})",
                thousands(self.continuous_repos[b]),
                thousands(self.continuous_repos[v])
            );
        }
        format!(
            " (in the {} under continuous scanning: {} % → {} %)",
            plural(self.continuous_repos[v], "repository", "repositories"),
            plus_minus(x, None, false, false),
            plus_minus(y, None, false, false)
        )
    }

    /// The first variant that `keep` accepts with the largest `score`.
    fn best(
        &self,
        keep: impl Fn(usize, &Estimate, &Estimate) -> bool,
        score: impl Fn(&Estimate, &Estimate) -> f64,
    ) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for v in (0..self.whole.len()).filter(|&v| v != self.base()) {
            let Some((dc, dv)) = self.diffs(v) else {
                continue;
            };
            if !keep(v, &dc, &dv) {
                continue;
            }
            let s = score(&dc, &dv);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((v, s));
            }
        }
        best.map(|(v, _)| v)
    }

    /// What the sweep says, in a few sentences: the largest saving that costs no
    /// coverage, the best trade-off of money against coverage, the cheapest gain of
    /// coverage, and the cheapest and best covered variants.
    pub fn recommendation(&self) -> Vec<Sentence> {
        let mut out = Vec::new();
        if self.whole.len() < 2 {
            out.extend(self.extremes());
            return out;
        }
        let eff = self.efficient();
        let free = self.best(|_, dc, dv| below(dc) && !below(dv), |dc, _| -dc.mean);
        if let Some(v) = free {
            out.push(self.saving_sentence(v));
        }
        let trade = self.best(
            |v, dc, dv| below(dc) && below(dv) && eff[v],
            |dc, dv| dc.mean / dv.mean,
        );
        if let Some(v) = trade {
            out.push(self.saving_sentence(v));
        }
        let cheapest_cut = self.best(|_, dc, _| below(dc), |dc, _| -dc.mean);
        if let Some(v) = cheapest_cut.filter(|v| Some(*v) != trade && Some(*v) != free) {
            out.push(self.saving_sentence(v));
        }
        let waste = self.best(|_, dc, dv| above(dc) && !above(dv), |dc, _| dc.mean);
        if let Some(v) = waste {
            out.push(self.waste_sentence(v));
        }
        let gain = self.best(
            |v, _, dv| above(dv) && eff[v],
            |dc, dv| -(dc.mean.max(0.0) / dv.mean),
        );
        if let Some(v) = gain {
            out.push(self.gain_sentence(v));
        }
        if out.is_empty() {
            out.push(vec![t(format!(
                "No variant differs measurably from the baseline in cost or {}: every paired \
                 difference's 95 % interval contains 0.",
                self.coverage_words()
            ))]);
        }
        out.extend(self.extremes());
        out
    }

    /// What variant `v` does against the baseline, in one sentence: what it saves or
    /// costs more, and what it gains or loses in coverage.
    pub fn verdict(&self, v: usize) -> Sentence {
        let Some((dc, dv)) = self.diffs(v) else {
            return vec![Piece::Variant(v), t(" has no figures to compare.")];
        };
        if below(&dc) {
            return self.saving_sentence(v);
        }
        if above(&dv) {
            return self.gain_sentence(v);
        }
        if above(&dc) {
            return self.waste_sentence(v);
        }
        let words = self.coverage_words();
        let mut s = vec![Piece::Variant(v)];
        if below(&dv) {
            s.push(t(" loses "));
            s.push(fig(format!("{} points", magnitude(&dv, false))));
            s.push(t(format!(" of {words} for no measurable saving (")));
        } else {
            s.push(t(format!(
                " changes neither the cost nor the {words} measurably ("
            )));
            s.push(fig(format!(
                "{} points",
                plus_minus(dv.mean, dv.half_width, false, true)
            )));
            s.push(t(", "));
        }
        s.push(fig(format!(
            "{} USD per month",
            plus_minus(dc.mean, dc.half_width, true, true)
        )));
        s.push(t(")."));
        s
    }

    /// `V saves A ± B USD per month (P %) and loses C ± D points of in-use coverage: …`.
    fn saving_sentence(&self, v: usize) -> Sentence {
        let Some((dc, dv)) = self.diffs(v) else {
            return Vec::new();
        };
        let mut s = vec![
            Piece::Variant(v),
            t(" saves "),
            fig(format!("{} USD per month", magnitude(&dc, true))),
            t(self.saving_share(&dc)),
        ];
        let words = self.coverage_words();
        if below(&dv) && tiny(&dv) {
            // Measurable but below what one decimal shows: no rate per point, which
            // would be huge and mean nothing.
            s.push(t(" and loses "));
            s.push(fig("less than 0.1 points"));
            s.push(t(format!(" of {words}")));
        } else if below(&dv) {
            s.push(t(" and loses "));
            s.push(fig(format!("{} points", magnitude(&dv, false))));
            s.push(t(format!(" of {words}")));
            if dv.mean < 0.0 {
                s.push(t(": about "));
                s.push(fig(format!("{} USD per month", rate(dc.mean / dv.mean))));
                s.push(t(" for each point given up"));
            }
        } else {
            s.push(t(format!(" with no measurable change in {words} (")));
            s.push(fig(format!(
                "{} points",
                plus_minus(dv.mean, dv.half_width, false, true)
            )));
            s.push(t(")"));
        }
        s.push(t(format!("{}.", self.continuous_words(v))));
        s
    }

    /// `V costs A ± B USD more per month (P %) with no measurable gain in coverage.`
    fn waste_sentence(&self, v: usize) -> Sentence {
        let Some((dc, dv)) = self.diffs(v) else {
            return Vec::new();
        };
        let base_cost = self.mean(self.base(), COST).unwrap_or(0.0);
        let more = if base_cost > 0.0 {
            format!(
                " ({} more)",
                share(to_hundredths(dc.mean / base_cost * 100.0))
            )
        } else {
            String::new()
        };
        vec![
            Piece::Variant(v),
            t(" costs "),
            fig(format!("{} USD more per month", magnitude(&dc, true))),
            t(format!(
                "{more} with no measurable gain in {} (",
                self.coverage_words()
            )),
            fig(format!(
                "{} points",
                plus_minus(dv.mean, dv.half_width, false, true)
            )),
            t(")."),
        ]
    }

    /// `V adds C ± D points of in-use coverage for A ± B USD more per month.`
    fn gain_sentence(&self, v: usize) -> Sentence {
        let Some((dc, dv)) = self.diffs(v) else {
            return Vec::new();
        };
        let mut s = vec![
            Piece::Variant(v),
            t(" adds "),
            fig(format!("{} points", magnitude(&dv, false))),
            t(format!(" of {}", self.coverage_words())),
        ];
        if above(&dc) {
            s.push(t(" for "));
            s.push(fig(format!("{} USD more per month", magnitude(&dc, true))));
            s.push(t(": about "));
            s.push(fig(format!("{} USD per month", rate(dc.mean / dv.mean))));
            s.push(t(" for each point"));
        } else {
            s.push(t(" at no measurable extra cost ("));
            s.push(fig(format!(
                "{} USD per month",
                plus_minus(dc.mean, dc.half_width, true, true)
            )));
            s.push(t(")"));
        }
        s.push(t(format!("{}.", self.continuous_words(v))));
        s
    }

    /// The variants with the lowest mean cost and the highest mean coverage (all of
    /// them when several are equal).
    fn extremes(&self) -> Vec<Sentence> {
        let m = self.coverage_metric();
        let list = |pick: &dyn Fn(f64, f64) -> bool, metric: usize| -> Vec<usize> {
            let means: Vec<Option<f64>> = (0..self.whole.len())
                .map(|v| self.mean(v, metric))
                .collect();
            let Some(best) = means
                .iter()
                .flatten()
                .copied()
                .reduce(|a, b| if pick(b, a) { b } else { a })
            else {
                return Vec::new();
            };
            (0..means.len())
                .filter(|&v| means[v].is_some_and(|x| (x - best).abs() < 0.005))
                .collect()
        };
        let cheap = list(&|a, b| a < b, COST);
        let covered = list(&|a, b| a > b, m);
        let mut s: Sentence = Vec::new();
        let names = |vs: &[usize], s: &mut Sentence| {
            for (i, &v) in vs.iter().enumerate() {
                if i > 0 {
                    s.push(t(if i + 1 == vs.len() { " and " } else { ", " }));
                }
                s.push(Piece::Variant(v));
            }
        };
        let (Some(&c), Some(&b)) = (cheap.first(), covered.first()) else {
            return Vec::new();
        };
        s.push(t(if cheap.len() > 1 {
            "Lowest mean cost (equal): "
        } else {
            "Lowest mean cost: "
        }));
        names(&cheap, &mut s);
        s.push(t(", "));
        s.push(fig(format!(
            "{} USD per month",
            plus_minus(self.mean(c, COST).unwrap_or(0.0), None, true, false)
        )));
        s.push(t(format!(
            "; highest mean {}{}: ",
            self.coverage_words(),
            if covered.len() > 1 { " (equal)" } else { "" }
        )));
        names(&covered, &mut s);
        s.push(t(", "));
        s.push(fig(format!(
            "{} %",
            plus_minus(self.mean(b, m).unwrap_or(0.0), None, false, false)
        )));
        s.push(t("."));
        vec![s]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sweep::part::VariantMeta;

    fn meta(values: &[(&str, &str)]) -> SweepMeta {
        SweepMeta {
            scenario: "s.toml".into(),
            replications: 5,
            keys: vec![
                "inspector.push_duration".into(),
                "inspector.pull_duration".into(),
            ],
            has_sweep_variants: false,
            variants: values
                .iter()
                .map(|(push, pull)| VariantMeta {
                    name: format!("push_duration={push},pull_duration={pull}"),
                    dir: String::new(),
                    sweep_variant: None,
                    values: vec![push.to_string(), pull.to_string()],
                    start: "2027-01-01".into(),
                    days: 365,
                    seeds: vec![0; 5],
                })
                .collect(),
        }
    }

    fn e(mean: f64, hw: f64) -> Option<Estimate> {
        Some(Estimate {
            n: 5,
            mean,
            half_width: Some(hw),
        })
    }

    /// Variants by (cost, Δ cost, in-use coverage, Δ coverage), each with a half-width.
    fn comparison<'a>(meta: &'a SweepMeta, v: &[[(f64, f64); 4]]) -> Comparison<'a> {
        let whole: Vec<VariantStats> = v
            .iter()
            .map(|x| {
                let mut value = vec![None; METRICS.len()];
                let mut diff = vec![None; METRICS.len()];
                value[COST] = e(x[0].0, x[0].1);
                diff[COST] = e(x[1].0, x[1].1);
                value[IN_USE] = e(x[2].0, x[2].1);
                diff[IN_USE] = e(x[3].0, x[3].1);
                VariantStats { value, diff }
            })
            .collect();
        let n = whole.len();
        Comparison {
            meta,
            baseline: Baseline {
                variant: 0,
                kind: BaselineKind::Own,
            },
            figs: Vec::new(),
            continuous: whole.clone(),
            whole,
            cont_figs: Vec::new(),
            continuous_repos: vec![60; n],
            all_repos: vec![60; n],
            groups: Vec::new(),
            by_group: Vec::new(),
        }
    }

    fn plain(c: &Comparison) -> Vec<String> {
        c.recommendation()
            .iter()
            .map(|s| {
                s.iter()
                    .map(|p| match p {
                        Piece::Text(t) | Piece::Figure(t) => t.clone(),
                        Piece::Variant(v) => format!("[{}]", c.label(*v)),
                    })
                    .collect()
            })
            .collect()
    }

    /// The sweep of the issue: LIFETIME without a pull window is the baseline and the
    /// most expensive variant; the trade-off is DAYS_30 with a 14-day pull window.
    #[test]
    fn the_recommendation_is_a_trade_off_and_names_the_cheapest_rightly() {
        let m = meta(&[
            ("LIFETIME", "none"),
            ("LIFETIME", "DAYS_14"),
            ("DAYS_30", "none"),
            ("DAYS_30", "DAYS_14"),
            ("DAYS_14", "none"),
            ("DAYS_14", "DAYS_14"),
        ]);
        let c = comparison(
            &m,
            &[
                [(2017.20, 212.92), (0.0, 0.0), (15.41, 3.43), (0.0, 0.0)],
                [(2017.30, 212.82), (0.10, 0.19), (15.41, 3.43), (0.0, 0.0)],
                [
                    (1674.54, 236.62),
                    (-342.66, 32.01),
                    (8.88, 1.93),
                    (-6.53, 1.53),
                ],
                [
                    (1697.51, 234.06),
                    (-319.69, 30.43),
                    (11.25, 2.48),
                    (-4.16, 0.96),
                ],
                [
                    (1637.65, 239.49),
                    (-379.55, 33.35),
                    (4.14, 0.90),
                    (-11.27, 2.54),
                ],
                [
                    (1683.57, 235.17),
                    (-333.64, 30.78),
                    (9.06, 1.98),
                    (-6.35, 1.45),
                ],
            ],
        );
        assert_eq!(c.efficient(), [true, false, true, true, true, true]);
        let r = plain(&c);
        assert!(
            r[0].starts_with(
                "[DAYS_30 with a 14-day pull window] saves 320 ± 30 USD per month (16 %) \
                 and loses 4.2 ± 1.0 points of in-use coverage: about 77 USD per month for \
                 each point given up"
            ),
            "{r:?}"
        );
        assert!(
            r[1].starts_with("[DAYS_14 without a pull window] saves 380 ± 33 USD per month (19 %)"),
            "{r:?}"
        );
        let last = r.last().unwrap();
        assert!(
            last.starts_with(
                "Lowest mean cost: [DAYS_14 without a pull window], 1,638 USD per month; \
                 highest mean in-use coverage (equal): [LIFETIME without a pull window] and \
                 [LIFETIME with a 14-day pull window], 15.4 %."
            ),
            "{last}"
        );
        assert!(
            !r.iter().any(|s| s.contains("Lowest mean cost: [LIFETIME")),
            "{r:?}"
        );
    }

    #[test]
    fn a_loss_too_small_to_show_has_no_rate_per_point() {
        let m = meta(&[("DAYS_90", "DAYS_30"), ("DAYS_30", "DAYS_30")]);
        let c = comparison(
            &m,
            &[
                [(1699.0, 311.0), (0.0, 0.0), (16.7, 7.1), (0.0, 0.0)],
                [(1612.0, 329.0), (-86.15, 22.52), (16.7, 7.1), (-0.02, 0.01)],
            ],
        );
        let r = plain(&c);
        assert!(
            r[0].starts_with(
                "[DAYS_30 with a 30-day pull window] saves 86.15 ± 22.52 USD per month (5 %) \
                 and loses less than 0.1 points of in-use coverage."
            ),
            "{r:?}"
        );
    }

    #[test]
    fn no_measurable_difference_is_said_so() {
        let m = meta(&[("DAYS_30", "none"), ("DAYS_30", "DAYS_14")]);
        let c = comparison(
            &m,
            &[
                [(100.0, 10.0), (0.0, 0.0), (50.0, 5.0), (0.0, 0.0)],
                [(100.5, 10.0), (0.5, 0.7), (50.1, 5.0), (0.1, 0.2)],
            ],
        );
        let r = plain(&c);
        assert!(r[0].starts_with("No variant differs measurably"), "{r:?}");
    }

    #[test]
    fn a_gain_and_a_saving_without_loss() {
        let m = meta(&[
            ("DAYS_30", "none"),
            ("DAYS_90", "none"),
            ("DAYS_60", "DAYS_30"),
        ]);
        let c = comparison(
            &m,
            &[
                [(100.0, 10.0), (0.0, 0.0), (50.0, 5.0), (0.0, 0.0)],
                [(140.0, 10.0), (40.0, 4.0), (60.0, 5.0), (10.0, 1.0)],
                [(90.0, 10.0), (-10.0, 2.0), (50.2, 5.0), (0.2, 0.3)],
            ],
        );
        let r = plain(&c);
        assert!(
            r[0].starts_with(
                "[DAYS_60 with a 30-day pull window] saves 10.00 ± 2.00 USD per month (10 %) \
                 with no measurable change in in-use coverage (+0.2 ± 0.3 points)"
            ),
            "{r:?}"
        );
        assert!(
            r.iter().any(|s| s.starts_with(
                "[DAYS_90 without a pull window] adds 10.0 ± 1.0 points of in-use coverage \
                 for 40.00 ± 4.00 USD more per month: about 4.00 USD per month for each point"
            )),
            "{r:?}"
        );
    }

    #[test]
    fn windows_in_words() {
        let w = |a, b, c| window_words(a, b, c).unwrap_or_default();
        assert_eq!(
            w(Some("DAYS_30"), Some("DAYS_14"), None),
            "DAYS_30 with a 14-day pull window"
        );
        assert_eq!(
            w(Some("LIFETIME"), Some("none"), Some("LAST_IN_USE_AT")),
            "LIFETIME without a pull window, pull mode LAST_IN_USE_AT"
        );
        assert_eq!(
            w(None, Some("DAYS_30"), Some("LAST_IN_USE_AT")),
            "a 30-day pull window, counted from the last in-use time"
        );
        assert_eq!(w(Some("DAYS_90"), None, None), "DAYS_90");
        assert_eq!(window_words(None, None, None), None);
    }
}
