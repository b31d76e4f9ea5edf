//! `scansim diff BASE PROPOSED`: what a proposed change costs and covers against the
//! base, for a change review. PROPOSED is a second scenario, or a registry scanning
//! configuration or Inspector configuration in AWS JSON that takes effect at the base's
//! day 0. Both are simulated as the variants of a sweep (common random numbers: the same
//! seeds, traffic generated once), and the result is a Markdown summary fit for a
//! pull-request comment (`diff.md`) and `diff.json`.

use super::sweep::compare::{
    CONTINUOUS, COST, COVERAGE, Comparison, IN_USE, Piece, VariantStats, YEAR_DAYS,
};
use super::sweep::markdown::{est, saving_share, scaled};
use super::sweep::spec;
use super::sweep::stats::Estimate;
use crate::base::error::{Error, Result};
use crate::base::progress::Progress;
use crate::base::time::{format_date, format_instant};
use crate::model::scenario::{Proposal, Scenario, Traffic, proposal_from_file};
use crate::report::human::{plural, thousands};
use crate::rules::{Freq, RegistryConfig};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `scansim diff` was asked to do.
pub struct DiffOptions {
    pub base: PathBuf,
    pub proposed: PathBuf,
    /// Default: 5 for synthetic traffic, 1 for a trace.
    pub replications: Option<u32>,
    /// Fail (exit status 3) when the mean increase of the cost per month exceeds this.
    pub fail_above: Option<f64>,
    pub out: Option<PathBuf>,
    /// Replace `out` even if scansim did not write it.
    pub force: bool,
    pub progress: Option<Arc<dyn Progress + Send>>,
}

/// What a diff found.
pub struct DiffDone {
    pub markdown: String,
    /// The mean change of the cost per month and the limit, when it exceeds the limit.
    pub exceeded: Option<(f64, f64)>,
}

/// The most repositories `diff.md` names per change of scan frequency (`diff.json` has
/// them all).
pub const LIST_CAP: usize = 20;

/// A repository whose scan frequency differs between the base and the proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct FreqChange {
    pub repository: String,
    /// The first instant at which it differs (day 0, or a later configuration change).
    pub at: i64,
    pub from: Freq,
    pub to: Freq,
}

/// The proposed scenario and how it was made.
struct Proposed {
    scenario: Scenario,
    /// `scenario`, or what the AWS JSON file held.
    kind: &'static str,
}

fn proposed(base: &Scenario, file: &Path) -> Result<Proposed> {
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !json {
        return Ok(Proposed {
            scenario: Scenario::load(file)?,
            kind: "scenario",
        });
    }
    let current = base.configuration_at(base.start).inspector;
    let p = proposal_from_file(file, base.profile, current)?;
    let kind = match p {
        Proposal::Registry(_) => "registry scanning configuration",
        Proposal::Inspector(_) => "Inspector configuration",
    };
    let mut scenario = base.with_proposal(&p);
    scenario.file = file.to_path_buf();
    Ok(Proposed { scenario, kind })
}

/// Whether the two scenarios can be compared (same traffic and calendar), and what else
/// differs besides the configuration.
fn comparability(base: &Scenario, prop: &Scenario) -> (bool, Vec<String>) {
    let mut notes = Vec::new();
    let mut ok = true;
    if (base.start, base.days) != (prop.start, prop.days) {
        ok = false;
        notes.push(format!(
            "not comparable: the base reports {} days from {}, the proposal {} days from {}",
            base.days,
            format_date(base.start),
            prop.days,
            format_date(prop.start)
        ));
    }
    let same_traffic = match (&base.traffic, &prop.traffic) {
        (Traffic::Synthetic(a), Traffic::Synthetic(b)) => a == b,
        (Traffic::Trace(a), Traffic::Trace(b)) => {
            let hash = |p: &Path| crate::base::hash::sha256_file(p).ok();
            hash(a).is_some() && hash(a) == hash(b)
        }
        _ => false,
    };
    if !same_traffic {
        ok = false;
        notes.push(
            "not comparable: the traffic differs (another [synthetic] table or trace), so \
             the difference mixes the change with other traffic"
                .into(),
        );
    }
    if base.seed != prop.seed && matches!(prop.traffic, Traffic::Synthetic(_)) {
        notes.push(format!(
            "the proposal's seed {} is replaced by the base's {}, so both see the same traffic",
            prop.seed, base.seed
        ));
    }
    let mut differs = |what: &str, same: bool| {
        if !same {
            notes.push(format!(
                "{what} differ: part of the difference comes from them"
            ));
        }
    };
    differs("the rules profiles", base.profile == prop.profile);
    differs("the prices", base.pricing == prop.pricing);
    differs(
        "the in-use windows",
        base.in_use_window_days == prop.in_use_window_days,
    );
    let lifecycle = |sc: &Scenario| -> Vec<(Vec<String>, crate::rules::lifecycle::Policy)> {
        sc.lifecycle
            .iter()
            .map(|e| (e.filters.clone(), (*e.policy).clone()))
            .collect()
    };
    differs("the lifecycle policies", lifecycle(base) == lifecycle(prop));
    (ok, notes)
}

/// The repositories whose scan frequency differs, at day 0 or from a later configuration
/// change on (the first instant it differs), by name.
pub fn frequency_changes(base: &Scenario, prop: &Scenario, names: &[String]) -> Vec<FreqChange> {
    let horizon = base.horizon().min(prop.horizon());
    let mut instants: Vec<i64> = std::iter::once(base.start)
        .chain(base.timeline.iter().chain(&prop.timeline).map(|e| e.at))
        .filter(|&t| t >= base.start && t < horizon)
        .collect();
    instants.sort_unstable();
    instants.dedup();
    let configs: Vec<(i64, &RegistryConfig, &RegistryConfig)> = instants
        .iter()
        .map(|&t| {
            (
                t,
                base.configuration_at(t).registry,
                prop.configuration_at(t).registry,
            )
        })
        .collect();
    names
        .iter()
        .filter_map(|name| {
            configs.iter().find_map(|(t, a, b)| {
                let (from, to) = (a.frequency(name), b.frequency(name));
                (from != to).then(|| FreqChange {
                    repository: name.clone(),
                    at: *t,
                    from,
                    to,
                })
            })
        })
        .collect()
}

/// Runs the diff; writes `diff.md` and `diff.json` into `out` when given.
pub fn diff(o: &DiffOptions) -> Result<DiffDone> {
    if let Some(l) = o.fail_above
        && !l.is_finite()
    {
        return Err(Error::usage("--fail-above takes a number of USD per month"));
    }
    let text = crate::base::text::read_text(&o.base, crate::base::text::MAX_SCENARIO_BYTES)?;
    let base = Scenario::from_toml(&text, &o.base)?;
    let prop = proposed(&base, &o.proposed)?;
    let (comparable, notes) = comparability(&base, &prop.scenario);
    let trace = matches!(base.traffic, Traffic::Trace(_));
    let replications = o.replications.unwrap_or(if trace { 1 } else { 5 });
    let names: Vec<String> = super::validate::repository_names(&base)?
        .into_iter()
        .collect();
    let changes = frequency_changes(&base, &prop.scenario, &names);
    let spec = spec::of_scenarios(
        &o.base,
        text,
        vec![
            ("base".into(), base.clone()),
            ("proposed".into(), prop.scenario.clone()),
        ],
        replications,
    )?;
    super::sweep::check_sizes(&spec)?;
    let staging = match &o.out {
        Some(out) => Some(super::sweep::claim_out(
            &spec,
            out,
            o.force,
            std::slice::from_ref(&o.proposed),
        )?),
        None => None,
    };
    let (meta, days, detail) = super::sweep::run_all(&spec, o.progress.clone())?;
    let c = Comparison::new(&meta, &days, &detail);
    let increase = c.whole[1].diff[COST].map_or(0.0, |e| e.mean);
    let exceeded = o
        .fail_above
        .filter(|&l| increase > l)
        .map(|l| (increase, l));
    let d = Diff {
        c: &c,
        base: &o.base,
        proposed: &o.proposed,
        kind: prop.kind,
        start: base.start,
        comparable,
        notes: &notes,
        changes: &changes,
        repositories: names.len(),
        fail_above: o.fail_above,
        exceeded,
    };
    let markdown = d.markdown();
    if let Some(staging) = staging {
        super::sweep::output::write_answer(&staging, "diff", &markdown, &d.json())?;
        staging.commit()?;
    }
    Ok(DiffDone { markdown, exceeded })
}

/// Everything the outputs of a diff are written from.
struct Diff<'a> {
    c: &'a Comparison<'a>,
    base: &'a Path,
    proposed: &'a Path,
    kind: &'static str,
    start: i64,
    comparable: bool,
    notes: &'a [String],
    changes: &'a [FreqChange],
    repositories: usize,
    fail_above: Option<f64>,
    exceeded: Option<(f64, f64)>,
}

/// The rows of the summary table: (label, metric, money, scale).
const ROWS: [(&str, usize, bool, f64); 6] = [
    ("cost per month (USD)", COST, true, 1.0),
    ("cost per year (USD)", COST, true, YEAR_DAYS / 30.0),
    ("in-use coverage (%)", IN_USE, false, 1.0),
    ("coverage (%)", COVERAGE, false, 1.0),
    ("continuous coverage (%)", CONTINUOUS, false, 1.0),
    // Counts: whole from 100 on, as money is.
    ("exposed images (mean per day)", 4, true, 1.0),
];

impl Diff<'_> {
    fn verdict(&self) -> String {
        let mut s: String = self
            .c
            .verdict(1)
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Figure(t) => t.clone(),
                Piece::Variant(0) => "the base".into(),
                Piece::Variant(_) => "the proposal".into(),
            })
            .collect();
        if let Some(first) = s.get(..1) {
            let up = first.to_uppercase();
            s.replace_range(..1, &up);
        }
        s
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "### scansim diff: ECR enhanced scanning\n");
        if !self.comparable {
            let _ = writeln!(
                s,
                "> **Not comparable:** {}\n",
                self.notes
                    .iter()
                    .filter(|n| n.starts_with("not comparable"))
                    .map(|n| n.trim_start_matches("not comparable: "))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let _ = writeln!(s, "**{}**\n", self.verdict());
        self.limit_line(&mut s);
        self.table(&mut s);
        self.changes_md(&mut s);
        self.how(&mut s);
        s
    }

    fn limit_line(&self, s: &mut String) {
        let Some(limit) = self.fail_above else { return };
        let inc = self.c.whole[1].diff[COST].map_or(0.0, |e| e.mean);
        let money = |x: f64| crate::report::human::plus_minus(x, None, true, true);
        let _ = match self.exceeded {
            Some(_) => writeln!(
                s,
                "**Above the limit:** the cost per month changes by {} USD, more than \
                 `--fail-above {limit}`.\n",
                money(inc)
            ),
            None => writeln!(
                s,
                "Within the limit: the cost per month changes by {} USD (`--fail-above \
                 {limit}`).\n",
                money(inc)
            ),
        };
    }

    fn table(&self, s: &mut String) {
        let (b, p) = (&self.c.whole[0], &self.c.whole[1]);
        let _ = writeln!(s, "| | base | proposed | change |\n|---|---:|---:|---:|");
        for (label, m, money, k) in ROWS {
            let change = est(&scaled(&p.diff[m], k), money, true);
            let change = match (m, money) {
                (COST, _) if k == 1.0 => format!("{change} ({})", signed_share(self.c, p)),
                (_, false) => format!("{change} points"),
                _ => change,
            };
            let _ = writeln!(
                s,
                "| {label} | {} | {} | {change} |",
                est(&scaled(&b.value[m], k), money, false),
                est(&scaled(&p.value[m], k), money, false),
            );
        }
        s.push('\n');
    }

    fn changes_md(&self, s: &mut String) {
        if self.changes.is_empty() {
            let _ = writeln!(
                s,
                "No repository changes scan frequency (of {}).\n",
                plural(self.repositories as u64, "repository", "repositories")
            );
            return;
        }
        let _ = writeln!(
            s,
            "{} of {} change scan frequency:\n\n| base | proposed | from | repositories |\n\
             |---|---|---|---|",
            thousands(self.changes.len() as u64),
            plural(self.repositories as u64, "repository", "repositories")
        );
        let mut kinds: Vec<(Freq, Freq, i64)> = Vec::new();
        for ch in self.changes {
            if !kinds.contains(&(ch.from, ch.to, ch.at)) {
                kinds.push((ch.from, ch.to, ch.at));
            }
        }
        for (from, to, at) in kinds {
            let names: Vec<&str> = self
                .changes
                .iter()
                .filter(|c| (c.from, c.to, c.at) == (from, to, at))
                .map(|c| c.repository.as_str())
                .collect();
            let shown: Vec<String> = names
                .iter()
                .take(LIST_CAP)
                .map(|n| format!("`{n}`"))
                .collect();
            let more = if names.len() > LIST_CAP {
                format!(", … ({} more in diff.json)", names.len() - LIST_CAP)
            } else {
                String::new()
            };
            let when = if at == self.start {
                "day 0".to_string()
            } else {
                format_instant(at)
            };
            let _ = writeln!(
                s,
                "| {} | {} | {when} | {}: {}{more} |",
                from.name(),
                to.name(),
                thousands(names.len() as u64),
                shown.join(", ")
            );
        }
        s.push('\n');
    }

    fn how(&self, s: &mut String) {
        let c = self.c;
        let n = c.meta.replications;
        let v0 = &c.meta.variants[0];
        let _ = writeln!(s, "<details><summary>How this was computed</summary>\n");
        let effect = if self.kind == "scenario" {
            String::new()
        } else {
            format!(
                ", in effect from {} (day 0; the history before stays as it was)",
                format_date(self.start)
            )
        };
        let _ = writeln!(
            s,
            "- Base: `{}`; proposed: `{}` ({}){effect}.",
            self.base.display(),
            self.proposed.display(),
            self.kind
        );
        let _ = writeln!(
            s,
            "- {} days from {}; {}: both see the same traffic (common random numbers, seeds \
             {}).",
            thousands(v0.days as u64),
            v0.start,
            plural(n as u64, "replication", "replications"),
            v0.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if n > 1 {
            let _ = writeln!(
                s,
                "- `±`: the 95 % confidence interval of the mean over the replications \
                 (Student t); a change is the paired difference, replication by replication."
            );
        }
        if self.comparable {
            let _ = writeln!(s, "- Comparable: the same traffic and calendar.");
        }
        for note in self.notes {
            let _ = writeln!(s, "- Note: {note}.");
        }
        let _ = writeln!(
            s,
            "- Cost per month: the cost of the simulated days × 30 / days. scansim {}.\n\n\
             </details>",
            env!("CARGO_PKG_VERSION")
        );
    }

    fn json(&self) -> Value {
        let c = self.c;
        let figures = |st: &VariantStats, diff: bool| -> Value {
            let pick = |m: usize| if diff { st.diff[m] } else { st.value[m] };
            let keys = [
                ("cost_per_30_days_usd", COST),
                ("total_cost_usd", 1),
                ("mean_coverage_pct", COVERAGE),
                ("mean_in_use_coverage_pct", IN_USE),
                ("mean_exposed", 4),
                ("mean_continuous_coverage_pct", CONTINUOUS),
            ];
            keys.iter()
                .map(|(k, m)| (k.to_string(), estimate_json(&pick(*m))))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let v0 = &c.meta.variants[0];
        json!({
            "base": {"file": self.base.display().to_string(), "figures": figures(&c.whole[0], false)},
            "proposed": {
                "file": self.proposed.display().to_string(),
                "kind": self.kind,
                "figures": figures(&c.whole[1], false),
            },
            "difference": figures(&c.whole[1], true),
            "verdict": self.verdict(),
            "start": v0.start,
            "days": v0.days,
            "replications": c.meta.replications,
            "seeds": v0.seeds,
            "comparable": self.comparable,
            "notes": self.notes,
            "repositories": self.repositories,
            "frequency_changes": self.changes.iter().map(|ch| json!({
                "repository": ch.repository,
                "at": format_instant(ch.at),
                "from": ch.from.name(),
                "to": ch.to.name(),
            })).collect::<Vec<_>>(),
            "fail_above_usd": self.fail_above,
            "exceeded": self.exceeded.is_some(),
        })
    }
}

/// `-6 %`: the change of the cost as a share of the base's.
fn signed_share(c: &Comparison, p: &VariantStats) -> String {
    let s = saving_share(c, p);
    match s.strip_prefix('-') {
        Some(rest) => format!("+{rest}"),
        None if s == "0 %" || s == "–" => s,
        None => format!("-{s}"),
    }
}

/// An estimate in `diff.json`: the mean and the 95 % interval (null ends with one
/// replication).
fn estimate_json(e: &Option<Estimate>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => json!({
            "mean": round4(e.mean),
            "ci95_low": e.half_width.map(|_| round4(e.low())),
            "ci95_high": e.half_width.map(|_| round4(e.high())),
        }),
    }
}

fn round4(x: f64) -> f64 {
    let r = (x * 1e4).round() / 1e4;
    if r == 0.0 { 0.0 } else { r }
}
