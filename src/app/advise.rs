//! `scansim advise SCENARIO --target in_use_coverage>=80` (or `--budget USD_PER_MONTH`):
//! the cheapest Inspector settings that meet a coverage target, or the best covered
//! within a budget. Every setting the scenario's rules profile allows (push duration ×
//! pull duration × pull mode, optionally × the scenario's `[[sweep.variants]]`) is
//! simulated as the variants of one sweep: replications with common random numbers,
//! traffic generated once per replication and shared prefixes forked, as `scansim sweep`
//! does. The search is exhaustive, so its answer is the one a sweep of the same grid
//! gives.

use super::sweep::compare::{
    CONTINUOUS, COST, COVERAGE, Comparison, IN_USE, METRICS, VariantStats, YEAR_DAYS, pareto, stats,
};
use super::sweep::markdown::{est, scaled};
use super::sweep::spec::{self, BaselineKind, SweepSpec};
use super::sweep::stats::Estimate;
use crate::base::error::{Error, Result};
use crate::base::progress::Progress;
use crate::model::scenario::Scenario;
use crate::model::scenario::sweep::SetArg;
use crate::report::human::thousands;
use crate::rules::{InspectorSettings, PullMode};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// The coverage figures a target can name: (name in `--target`, metric, words).
pub const TARGETS: [(&str, usize, &str); 3] = [
    ("in_use_coverage", IN_USE, "in-use coverage"),
    ("coverage", COVERAGE, "coverage"),
    ("continuous_coverage", CONTINUOUS, "continuous coverage"),
];

/// `METRIC>=PCT`: the mean of a coverage figure must reach `at_least` percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Index into [`TARGETS`].
    pub which: usize,
    pub at_least: f64,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target> {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.0).collect();
        let bad = |why: String| {
            Error::usage(format!(
                "--target {s}: {why}; give METRIC>=PERCENT with METRIC one of {} (e.g. \
                 in_use_coverage>=80)",
                names.join(", ")
            ))
        };
        let Some((name, value)) = s.split_once(">=") else {
            return Err(bad("no `>=` (a target is a lower bound)".into()));
        };
        let name = name.trim();
        let which = TARGETS
            .iter()
            .position(|t| t.0 == name)
            .ok_or_else(|| bad(format!("unknown figure `{name}`")))?;
        let v = value.trim().trim_end_matches('%').trim();
        let at_least: f64 = v
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad(format!("`{v}` is not a number")))?;
        if !(0.0..=100.0).contains(&at_least) {
            return Err(bad(format!("{v} is not a percentage from 0 to 100")));
        }
        Ok(Target { which, at_least })
    }

    pub fn metric(&self) -> usize {
        TARGETS[self.which].1
    }

    pub fn words(&self) -> &'static str {
        TARGETS[self.which].2
    }
}

/// What `scansim advise` was asked to do.
pub struct AdviseOptions {
    pub scenario: PathBuf,
    pub target: Option<String>,
    /// USD per month.
    pub budget: Option<f64>,
    /// Default 5.
    pub replications: Option<u32>,
    /// Also cross the grid with the scenario's `[[sweep.variants]]`.
    pub sweep_variants: bool,
    /// Coverage of the repositories under continuous scanning only (the part the
    /// settings act on) instead of the whole registry.
    pub continuous_part: bool,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub progress: Option<Arc<dyn Progress + Send>>,
}

/// What advise found.
pub struct AdviseDone {
    pub markdown: String,
    pub warnings: Vec<String>,
}

/// The replications `advise` runs of synthetic traffic unless told (a trace has 1).
pub const DEFAULT_REPLICATIONS: u32 = 5;

/// The `--set` lists of the grid the profile allows; with no pull window the pull mode
/// is the scenario's own (it has no effect), so no setting is simulated twice.
fn grid(sc: &Scenario) -> Result<(Vec<SetArg>, PullMode)> {
    let p = sc.profile;
    let list =
        |key: &str, values: Vec<String>| SetArg::parse(&format!("{key}={}", values.join(",")));
    let mut sets = vec![list(
        "inspector.push_duration",
        p.allowed_push().iter().map(|d| d.to_string()).collect(),
    )?];
    if p.has_pull_settings() {
        let pulls = std::iter::once("none".to_string())
            .chain(p.allowed_pull().iter().map(|d| d.to_string()))
            .collect();
        sets.push(list("inspector.pull_duration", pulls)?);
        sets.push(list(
            "inspector.pull_mode",
            [PullMode::LastPullDate, PullMode::LastInUseAt]
                .iter()
                .map(|m| m.name().to_string())
                .collect(),
        )?);
    }
    Ok((sets, sc.inspector.mode))
}

/// Settings in words: `DAYS_30, pull window DAYS_14 (last pull)`, `LIFETIME, no pull
/// window`.
pub fn setting_words(s: &InspectorSettings, profile_has_pull: bool) -> String {
    match s.pull {
        Some(d) => format!(
            "{}, pull window {d} ({})",
            s.push,
            match s.mode {
                PullMode::LastPullDate => "last pull",
                PullMode::LastInUseAt => "last in use",
            }
        ),
        None if profile_has_pull => format!("{}, no pull window", s.push),
        None => s.push.to_string(),
    }
}

/// The settings ranked: those that meet the target (mean at least `target`) and the
/// budget (mean cost at most `budget`), cheapest first with a target (then the higher
/// coverage, then grid order), else the best covered first (then the cheaper).
/// `pts[v]` is (mean cost per month, mean coverage figure).
pub fn rank(pts: &[(f64, Option<f64>)], target: Option<f64>, budget: Option<f64>) -> Vec<usize> {
    let mut ok: Vec<usize> = (0..pts.len())
        .filter(|&v| {
            let (cost, x) = pts[v];
            x.is_some()
                && target.is_none_or(|t| x.is_some_and(|x| x >= t))
                && budget.is_none_or(|b| cost <= b)
        })
        .collect();
    let by = |a: &usize, b: &usize| {
        let (ca, xa) = (pts[*a].0, pts[*a].1.unwrap_or(0.0));
        let (cb, xb) = (pts[*b].0, pts[*b].1.unwrap_or(0.0));
        let cost = ca.total_cmp(&cb);
        let cov = xb.total_cmp(&xa);
        let first = if target.is_some() {
            cost.then(cov)
        } else {
            cov.then(cost)
        };
        first.then(a.cmp(b))
    };
    ok.sort_by(by);
    ok
}

/// Checks the command line, then runs the grid and writes the advice.
pub fn advise(o: &AdviseOptions) -> Result<AdviseDone> {
    let target = o.target.as_deref().map(Target::parse).transpose()?;
    if let Some(b) = o.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(Error::usage(format!(
            "--budget {b}: give a number of USD per month, 0 or more"
        )));
    }
    if target.is_none() && o.budget.is_none() {
        return Err(Error::usage(
            "give --target METRIC>=PERCENT (e.g. in_use_coverage>=80), --budget USD_PER_MONTH, \
             or both",
        ));
    }
    let sc = Scenario::load(&o.scenario)?;
    let (sets, own_mode) = grid(&sc)?;
    let mode_at = sets.len().checked_sub(1).filter(|_| sets.len() == 3);
    let keep = move |values: &[String]| match mode_at {
        Some(m) => values[1] != "none" || values[m] == own_mode.name(),
        None => true,
    };
    let trace = matches!(sc.traffic, crate::model::scenario::Traffic::Trace(_));
    let replications = o
        .replications
        .unwrap_or(if trace { 1 } else { DEFAULT_REPLICATIONS });
    let spec = spec::build_with(
        &o.scenario,
        sets,
        Some(replications),
        o.sweep_variants,
        &keep,
    )?;
    super::sweep::check_sizes(&spec)?;
    let staging = match &o.out {
        Some(out) => Some(super::sweep::claim_out(&spec, out, o.force, &[])?),
        None => None,
    };
    let (meta, days, detail) = super::sweep::run_all(&spec, o.progress.clone())?;
    let c = Comparison::new(&meta, &days, &detail);
    let a = Advice::new(&c, &spec, target, o.budget, o.continuous_part);
    let markdown = a.markdown();
    if let Some(staging) = staging {
        super::sweep::output::write_into(&staging, &meta, &days, &detail, false)?;
        super::sweep::output::write_answer(&staging, "advise", &markdown, &a.json())?;
        staging.commit()?;
    }
    Ok(AdviseDone {
        markdown,
        warnings: a.warnings(),
    })
}

/// The grid's results and what they answer.
struct Advice<'a> {
    c: &'a Comparison<'a>,
    spec: &'a SweepSpec,
    target: Option<Target>,
    budget: Option<f64>,
    /// The coverage figure ranked on: the target's, else in-use coverage.
    metric: usize,
    /// Whether coverage figures are those of the repositories under continuous scanning.
    part: bool,
    words: &'static str,
    /// Settings meeting the target and budget, best first.
    ranked: Vec<usize>,
    /// Settings with the answer's figures in every replication (the same runs: the
    /// answer's settings change nothing the others would not), and the best of the rest.
    equal: Vec<usize>,
    runner_up: Option<usize>,
    /// The settings no other beats on mean cost and mean `metric`, cheapest first.
    frontier: Vec<usize>,
}

impl<'a> Advice<'a> {
    fn new(
        c: &'a Comparison<'a>,
        spec: &'a SweepSpec,
        target: Option<Target>,
        budget: Option<f64>,
        part: bool,
    ) -> Advice<'a> {
        let (metric, words) =
            target.map_or((IN_USE, "in-use coverage"), |t| (t.metric(), t.words()));
        let cov = if part { &c.continuous } else { &c.whole };
        let pts: Vec<(f64, Option<f64>)> = (0..c.whole.len())
            .map(|v| {
                let cost = c.whole[v].value[COST].map_or(0.0, |e| e.mean);
                (cost, cov[v].value[metric].map(|e| e.mean))
            })
            .collect();
        let ranked = rank(&pts, target.map(|t| t.at_least), budget);
        let eff = pareto(
            &pts.iter()
                .map(|&(cost, x)| Some((cost, x?)))
                .collect::<Vec<_>>(),
        );
        let same = |a: usize, b: usize| {
            c.figs[a] == c.figs[b] && (!part || c.cont_figs[a] == c.cont_figs[b])
        };
        let (equal, rest): (Vec<usize>, Vec<usize>) = match ranked.first() {
            Some(&best) => ranked[1..].iter().partition(|&&v| same(v, best)),
            None => (Vec::new(), Vec::new()),
        };
        let runner_up = rest.first().copied();
        let mut frontier: Vec<usize> = (0..pts.len()).filter(|&v| eff[v]).collect();
        frontier.sort_by(|a, b| pts[*a].0.total_cmp(&pts[*b].0).then(a.cmp(b)));
        Advice {
            c,
            spec,
            target,
            budget,
            metric,
            part,
            words,
            ranked,
            equal,
            runner_up,
            frontier,
        }
    }

    fn name(&self, v: usize) -> String {
        let s = self.setting(v);
        if v == self.c.base() {
            format!("{s} (the scenario's own)")
        } else {
            s
        }
    }

    /// The setting of variant `v` in words.
    fn setting(&self, v: usize) -> String {
        let var = &self.spec.variants[v];
        let s = setting_words(
            &var.scenario.inspector,
            var.scenario.profile.has_pull_settings(),
        );
        match &var.sweep_variant {
            Some(n) => format!("{n}: {s}"),
            None => s,
        }
    }

    /// The statistics coverage figures come from: the whole registry or the part under
    /// continuous scanning (cost is always the whole registry's).
    fn stats_of(&self, m: usize) -> &[VariantStats] {
        if self.part && m != COST {
            &self.c.continuous
        } else {
            &self.c.whole
        }
    }

    fn value(&self, v: usize, m: usize) -> Option<Estimate> {
        self.stats_of(m)[v].value[m]
    }

    fn diff(&self, v: usize, m: usize) -> Option<Estimate> {
        self.stats_of(m)[v].diff[m]
    }

    /// `in-use coverage` or `in-use coverage of the repositories under continuous scanning`.
    fn cov_words(&self) -> String {
        if self.part {
            format!(
                "{} of the repositories under continuous scanning",
                self.words
            )
        } else {
            self.words.to_string()
        }
    }

    /// What was asked, in words.
    fn question(&self) -> String {
        let cov = self.cov_words();
        let target = self
            .target
            .map(|t| format!("a mean {cov} of at least {} %", fmt_num(t.at_least)));
        let budget = self
            .budget
            .map(|b| format!("within {} USD per month", fmt_num(b)));
        match (target, budget) {
            (Some(t), Some(b)) => format!("the cheapest setting with {t} {b}"),
            (Some(t), None) => format!("the cheapest setting with {t}"),
            (None, Some(b)) => format!("the best mean {cov} {b}"),
            (None, None) => String::new(),
        }
    }

    /// `DAYS_30, …: 1,612 ± 329 USD per month (19,618 ± 4,008 per year), in-use coverage
    /// 96.9 ± 0.5 %`.
    fn figures(&self, v: usize) -> String {
        format!(
            "{} USD per month ({} per year), {} {} %",
            est(&self.value(v, COST), true, false),
            est(&scaled(&self.value(v, COST), YEAR_DAYS / 30.0), true, false),
            self.words,
            est(&self.value(v, self.metric), false, false)
        )
    }

    /// The answer, the runner-up and how they compare, or why there is none.
    fn answer(&self, s: &mut String) {
        let Some(&best) = self.ranked.first() else {
            self.no_answer(s);
            return;
        };
        let _ = writeln!(
            s,
            "**Answer: {}**: {}.\n",
            self.name(best),
            self.figures(best)
        );
        if let (Some(t), Some(x)) = (self.target, self.value(best, self.metric))
            && x.low() < t.at_least
        {
            let sure = self.ranked.iter().copied().find(|&v| {
                self.value(v, self.metric)
                    .is_some_and(|x| x.low() >= t.at_least)
            });
            let _ = write!(
                s,
                "Its 95 % interval reaches below the target: in some years of traffic it \
                 would fall short."
            );
            let _ = match sure {
                Some(v) => writeln!(
                    s,
                    " The cheapest setting whose whole interval meets it: {} ({}).\n",
                    self.name(v),
                    self.figures(v)
                ),
                None => writeln!(s, " No setting's whole interval meets it.\n"),
            };
        }
        let b = self.c.base();
        if best != b {
            let _ = writeln!(
                s,
                "Against the scenario's own settings ({}), paired: {}, and {} changes by {} \
                 points.\n",
                self.setting(b),
                money_change(&self.diff(best, COST)),
                self.words,
                est(&self.diff(best, self.metric), false, true),
            );
        }
        if !self.equal.is_empty() {
            let names: Vec<String> = self.equal.iter().map(|&v| self.name(v)).collect();
            let _ = writeln!(
                s,
                "The same figures in every replication (these settings change nothing here \
                 that the answer's do not): {}.\n",
                names.join("; ")
            );
        }
        let Some(next) = self.runner_up else {
            let _ = writeln!(s, "No other setting meets the request.\n");
            return;
        };
        let whole = stats(&self.c.figs, best);
        let cov = if self.part {
            stats(&self.c.cont_figs, best)
        } else {
            whole.clone()
        };
        let _ = writeln!(
            s,
            "**Runner-up: {}**: {}; against the answer, paired: it {}, and {} changes by \
             {} points.\n",
            self.name(next),
            self.figures(next),
            money_change(&whole[next].diff[COST]),
            self.words,
            est(&cov[next].diff[self.metric], false, true),
        );
    }

    /// No setting meets the request: the closest ones.
    fn no_answer(&self, s: &mut String) {
        let all: Vec<usize> = (0..self.c.whole.len()).collect();
        let best_cov = all
            .iter()
            .copied()
            .filter(|&v| self.value(v, self.metric).is_some())
            .max_by(|&a, &b| {
                let x = |v: usize| self.value(v, self.metric).map_or(0.0, |e| e.mean);
                x(a).total_cmp(&x(b)).then(b.cmp(&a))
            });
        let cheapest = all.iter().copied().min_by(|&a, &b| {
            let x = |v: usize| self.value(v, COST).map_or(0.0, |e| e.mean);
            x(a).total_cmp(&x(b)).then(a.cmp(&b))
        });
        let _ = writeln!(s, "**No setting the rules allow meets the request.**\n");
        if let Some(v) = best_cov {
            let _ = writeln!(
                s,
                "Highest mean {}: {} ({}).\n",
                self.cov_words(),
                self.name(v),
                self.figures(v)
            );
        }
        if let Some(v) = cheapest {
            let _ = writeln!(s, "Cheapest: {} ({}).\n", self.name(v), self.figures(v));
        }
        self.part_hint(s);
    }

    /// When the whole registry cannot reach a target because the settings act only on
    /// the repositories under continuous scanning: how far that part gets.
    fn part_hint(&self, s: &mut String) {
        let b = self.c.base();
        let (cont, all) = (self.c.continuous_repos[b], self.c.all_repos[b]);
        if self.part || cont == all {
            return;
        }
        let best = (0..self.c.whole.len())
            .filter_map(|v| self.c.continuous[v].value[self.metric].map(|e| e.mean))
            .reduce(f64::max);
        let _ = write!(
            s,
            "Durations and pull settings act only on the repositories under continuous \
             scanning ({} of {all}); the others are scanned on push or not at all whatever \
             the settings.",
            thousands(cont)
        );
        if let Some(x) = best {
            let _ = write!(
                s,
                " In that part the highest mean {} is {} %: add `--continuous-part` to set \
                 the target there, or change the registry's scan rules (a scenario of its \
                 own, compared with `scansim diff`).",
                self.words,
                crate::report::human::plus_minus(x, None, false, false)
            );
        }
        s.push_str("\n\n");
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let n = self.c.whole.len();
        let r = self.spec.replications;
        let sc = &self.spec.variants[0].scenario;
        let _ = writeln!(s, "# Advice for `{}`\n", self.spec.file.display());
        let how = if r == 1 {
            "one run per setting on the same traffic; a setting meets the request when its \
             figure does"
                .to_string()
        } else {
            format!(
                "{r} replications, each on the same traffic in every setting (common random \
                 numbers). Figures are means ± the half-width of their 95 % interval; a \
                 setting meets the request when its mean does"
            )
        };
        let _ = writeln!(
            s,
            "Asked: {}. Searched all {n} settings the {} rules allow over {} days from {}: \
             {how}.\n",
            self.question(),
            sc.profile.name(),
            sc.days,
            crate::base::time::format_date(sc.start)
        );
        self.answer(&mut s);
        self.frontier_md(&mut s);
        for w in self.warnings() {
            let _ = writeln!(s, "Note: {w}\n");
        }
        s
    }

    fn frontier_md(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "## Frontier\n\nThe settings no other setting beats on both mean cost and mean \
             {}, cheapest first (all {} settings: `sweep.md` and `sweep.csv` with `--out`).\n",
            self.cov_words(),
            self.c.whole.len()
        );
        let _ = writeln!(
            s,
            "| setting | cost per month (USD) | per year (USD) | {} (%) | meets the request |\n\
             |---|---:|---:|---:|---|",
            self.words
        );
        for &v in &self.frontier {
            let meets = match self.ranked.iter().position(|&x| x == v) {
                Some(0) => "yes: the answer",
                _ if self.runner_up == Some(v) => "yes: the runner-up",
                _ if self.equal.contains(&v) => "yes: the same as the answer",
                Some(_) => "yes",
                None => "no",
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {meets} |",
                self.name(v),
                est(&self.value(v, COST), true, false),
                est(&scaled(&self.value(v, COST), YEAR_DAYS / 30.0), true, false),
                est(&self.value(v, self.metric), false, false)
            );
        }
        s.push('\n');
    }

    /// Timeline entries that change the Inspector settings still apply in every setting.
    fn warnings(&self) -> Vec<String> {
        let sc = &self.spec.variants[0].scenario;
        let mut out = Vec::new();
        if sc.timeline.iter().any(|e| e.inspector.is_some()) {
            out.push(
                "the scenario's [[timeline]] changes the Inspector settings: advise varies \
                 [inspector] (the settings before those changes), and the changes still apply \
                 in every setting"
                    .to_string(),
            );
        }
        if self.spec.baseline.kind == BaselineKind::Added {
            out.push(
                "the scenario's own settings are not on the grid (another pull mode without a \
                 pull window, or settings from its timeline): they were added as a setting of \
                 their own"
                    .to_string(),
            );
        }
        out
    }

    fn setting_json(&self, v: usize) -> Value {
        let var = &self.spec.variants[v];
        let i = &var.scenario.inspector;
        let e = |m: usize| est_json(&self.c.whole[v].value[m]);
        json!({
            "variant": var.name,
            "sweep_variant": var.sweep_variant,
            "push_duration": i.push.to_string(),
            "pull_duration": i.pull.map_or("none".to_string(), |d| d.to_string()),
            "pull_mode": i.mode.name(),
            "scenario_own": v == self.c.base(),
            "cost_per_month_usd": e(COST),
            "cost_per_year_usd": est_json(&scaled(&self.value(v, COST), YEAR_DAYS / 30.0)),
            METRICS[IN_USE].name: e(IN_USE),
            METRICS[COVERAGE].name: e(COVERAGE),
            METRICS[CONTINUOUS].name: e(CONTINUOUS),
            "continuous_part": {
                METRICS[IN_USE].name: est_json(&self.c.continuous[v].value[IN_USE]),
                METRICS[COVERAGE].name: est_json(&self.c.continuous[v].value[COVERAGE]),
                METRICS[CONTINUOUS].name: est_json(&self.c.continuous[v].value[CONTINUOUS]),
            },
            "meets_request": self.ranked.contains(&v),
        })
    }

    fn json(&self) -> Value {
        let pick = |v: Option<usize>| v.map(|v| self.setting_json(v));
        json!({
            "scenario": self.spec.file.display().to_string(),
            "target": self.target.map(|t| json!({
                "figure": TARGETS[t.which].0,
                "metric": METRICS[t.metric()].name,
                "at_least_pct": t.at_least,
            })),
            "budget_usd_per_month": self.budget,
            "coverage_of": if self.part { "continuous_part" } else { "registry" },
            "replications": self.spec.replications,
            "settings_searched": self.c.whole.len(),
            "answer": pick(self.ranked.first().copied()),
            "same_as_answer": self.equal.iter().map(|&v| self.setting_json(v)).collect::<Vec<_>>(),
            "runner_up": pick(self.runner_up),
            "frontier": self.frontier.iter().map(|&v| self.setting_json(v)).collect::<Vec<_>>(),
            "settings": (0..self.c.whole.len()).map(|v| self.setting_json(v)).collect::<Vec<_>>(),
            "warnings": self.warnings(),
        })
    }
}

/// `saves 6.42 ± 2.21 USD per month`, `costs 2.70 ± 2.19 USD more per month`.
fn money_change(d: &Option<Estimate>) -> String {
    match d {
        Some(e) if e.mean < 0.0 => format!(
            "saves {} USD per month",
            crate::report::human::plus_minus(-e.mean, e.half_width, true, false)
        ),
        Some(e) => format!(
            "costs {} USD more per month",
            crate::report::human::plus_minus(e.mean, e.half_width, true, false)
        ),
        None => "no cost to compare".into(),
    }
}

fn est_json(e: &Option<Estimate>) -> Value {
    match e {
        Some(e) => json!({ "mean": e.mean, "hw95": e.half_width }),
        None => Value::Null,
    }
}

/// `80`, `80.5`, `1,500`.
fn fmt_num(x: f64) -> String {
    let d = if x.fract() == 0.0 { 0 } else { 2 };
    crate::report::human::number(x, d, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_parsed_and_checked() {
        let t = Target::parse("in_use_coverage>=80").unwrap();
        assert_eq!((t.metric(), t.at_least), (IN_USE, 80.0));
        let t = Target::parse(" coverage >= 12.5 %").unwrap();
        assert_eq!((t.metric(), t.at_least), (COVERAGE, 12.5));
        let t = Target::parse("continuous_coverage>=0").unwrap();
        assert_eq!(t.metric(), CONTINUOUS);
        for (bad, why) in [
            ("in_use_coverage>80", "no `>=`"),
            ("in_use_coverage<=80", "no `>=`"),
            ("cost>=80", "unknown figure `cost`"),
            ("coverage>=lots", "`lots` is not a number"),
            ("coverage>=NaN", "`NaN` is not a number"),
            ("coverage>=101", "101 is not a percentage from 0 to 100"),
            ("coverage>=-1", "-1 is not a percentage"),
        ] {
            let e = Target::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(
                e.contains("in_use_coverage, coverage, continuous_coverage"),
                "{e}"
            );
        }
    }

    #[test]
    fn ranking_by_target_budget_or_both() {
        // (cost, coverage)
        let pts = [
            (100.0, Some(90.0)),
            (60.0, Some(70.0)),
            (80.0, Some(85.0)),
            (80.0, Some(88.0)),
            (50.0, None),
            (70.0, Some(80.0)),
        ];
        // Cheapest first; equal cost: the higher coverage first.
        assert_eq!(rank(&pts, Some(80.0), None), [5, 3, 2, 0]);
        // Best covered first within the budget.
        assert_eq!(rank(&pts, None, Some(80.0)), [3, 2, 5, 1]);
        assert_eq!(rank(&pts, Some(85.0), Some(90.0)), [3, 2]);
        assert!(rank(&pts, Some(95.0), None).is_empty());
        assert!(rank(&pts, None, Some(10.0)).is_empty());
    }

    #[test]
    fn settings_in_words() {
        use crate::rules::Duration;
        let s = |push, pull, mode| InspectorSettings { push, pull, mode };
        assert_eq!(
            setting_words(
                &s(
                    Duration::Days(30),
                    Some(Duration::Days(14)),
                    PullMode::LastInUseAt
                ),
                true
            ),
            "DAYS_30, pull window DAYS_14 (last in use)"
        );
        assert_eq!(
            setting_words(&s(Duration::Lifetime, None, PullMode::LastPullDate), true),
            "LIFETIME, no pull window"
        );
        assert_eq!(
            setting_words(&s(Duration::Days(180), None, PullMode::LastPullDate), false),
            "DAYS_180"
        );
    }
}
