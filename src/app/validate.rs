//! `scansim validate`: every check of `run` without simulating, then the resolved
//! settings, how the repositories of the traffic fall into scan frequencies over time,
//! how many repositories each filter matches, and the warnings `run` would give.

use super::checks;
use crate::base::error::{Error, Result};
use crate::base::money::format_usd;
use crate::base::time::{format_date, format_instant};
use crate::model::scenario::{Scenario, Traffic};
use crate::report::html::trial_from;
use crate::rules::{Freq, RegistryConfig};
use crate::source::trace::TraceReader;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

fn count_freqs(r: &RegistryConfig, repos: &BTreeSet<String>) -> String {
    let mut n = [0usize; 3];
    for name in repos {
        n[r.frequency(name) as usize] += 1;
    }
    Freq::ALL
        .iter()
        .map(|f| format!("{} {}", f.name(), n[*f as usize]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many names a filter shows in `validate`.
const EXAMPLES: usize = 3;

/// Checks the scenario and its traffic; returns the report to print.
pub fn validate(sc: &Scenario, trace: Option<&Path>) -> Result<String> {
    let mut repos = BTreeSet::new();
    let mut out = String::new();
    let traffic = read_traffic(sc, trace, &mut repos)?;
    settings_lines(&mut out, sc);
    let _ = writeln!(
        out,
        "traffic: {}, {} repositories seen",
        traffic.text,
        repos.len()
    );
    if let Some(e) = crate::app::estimate::estimate(sc) {
        let _ = writeln!(out, "size: {}", crate::app::estimate::describe(&e));
    }
    let names: Vec<&str> = repos.iter().map(String::as_str).collect();
    lifecycle_lines(&mut out, sc, &repos, &names);
    configuration_lines(&mut out, sc, &repos, &names);
    let rows = traffic
        .trace
        .as_ref()
        .map(|(t, r, a)| (t.as_path(), *r, *a));
    let warnings = checks::traffic_warnings(sc, &names, rows);
    for w in sc.warnings.iter().chain(&warnings) {
        let _ = writeln!(out, "warning: {w}");
    }
    Ok(out)
}

/// The repositories of a scenario's traffic: the synthetic ones, or those its trace names
/// before the horizon (every row of the trace is checked).
pub fn repository_names(sc: &Scenario) -> Result<BTreeSet<String>> {
    let mut repos = BTreeSet::new();
    read_traffic(sc, None, &mut repos)?;
    Ok(repos)
}

/// What `validate` read of the traffic.
struct TrafficRead {
    text: String,
    /// A trace: its path, rows before the horizon and rows at or after it.
    trace: Option<(std::path::PathBuf, u64, u64)>,
}

/// `  `prod/*` matches 60: prod/svc-0, prod/svc-1, prod/svc-10, …` for each filter.
fn filter_lines(out: &mut String, indent: &str, filters: &[String], names: &[&str]) {
    if filters.is_empty() {
        let _ = writeln!(out, "{indent}no filters: matches no repository");
    }
    for f in filters {
        let (n, first) = checks::matches(f, names, EXAMPLES);
        let more = if n > first.len() { ", …" } else { "" };
        let list = if n == 0 {
            String::new()
        } else {
            format!(": {}{more}", first.join(", "))
        };
        let _ = writeln!(out, "{indent}`{f}` matches {n}{list}");
    }
}

/// Reads the traffic (`trace` overrides the scenario's), collecting the repository names
/// into `repos`; returns its description.
fn read_traffic(
    sc: &Scenario,
    trace: Option<&Path>,
    repos: &mut BTreeSet<String>,
) -> Result<TrafficRead> {
    let own_trace = match &sc.traffic {
        Traffic::Trace(t) => Some(t.as_ref()),
        _ => None,
    };
    match (trace.or(own_trace), &sc.traffic) {
        (Some(t), _) => {
            let (rows, after) = read_trace(t, sc.horizon(), repos)?;
            Ok(TrafficRead {
                text: format!(
                    "trace {}: {rows} rows before the horizon, {after} at or after it \
                     (checked, not processed)",
                    t.display()
                ),
                trace: Some((t.to_path_buf(), rows, after)),
            })
        }
        (None, Traffic::Synthetic(s)) => {
            let history = match &s.history {
                Some(h) => {
                    let rows = read_history(h, sc.start, repos)?;
                    format!(
                        "the history {} ({rows} rows before day 0), then ",
                        h.display()
                    )
                }
                None => String::new(),
            };
            let names = s.repository_names();
            let n = names.len();
            repos.extend(names);
            Ok(TrafficRead {
                text: format!("{history}synthetic, {n} repositories"),
                trace: None,
            })
        }
        (None, Traffic::None | Traffic::Trace(_)) => Err(Error::Usage(format!(
            "{}: the scenario has no traffic: add [traffic] or [synthetic], or give --trace FILE",
            sc.file.display()
        ))),
    }
}

/// Checks every row of a `[traffic] history`: all of them come before day 0.
fn read_history(h: &Path, start: i64, repos: &mut BTreeSet<String>) -> Result<u64> {
    let mut r = TraceReader::open(h)?;
    let mut rows = 0;
    while let Some(t) = r.next_time()? {
        let ev = r.take_event();
        if t >= start {
            return Err(crate::source::continued::late_row(h, ev.line, start, t));
        }
        rows += 1;
        if !ev.repo.is_empty() {
            repos.insert(String::from_utf8_lossy(ev.repo).into_owned());
        }
    }
    Ok(rows)
}

/// Checks every row of a trace, collecting the repository names of the rows before the
/// horizon into `repos`; returns the rows before the horizon and at or after it.
fn read_trace(t: &Path, horizon: i64, repos: &mut BTreeSet<String>) -> Result<(u64, u64)> {
    let mut r = TraceReader::open(t)?;
    let (mut rows, mut after) = (0u64, 0u64);
    while let Some(time) = r.next_time()? {
        let ev = r.take_event();
        if time >= horizon {
            after += 1;
            continue;
        }
        rows += 1;
        if !ev.repo.is_empty() && !repos.contains(std::str::from_utf8(ev.repo).unwrap_or("")) {
            repos.insert(String::from_utf8_lossy(ev.repo).into_owned());
        }
    }
    Ok((rows, after))
}

/// The verdict, the simulation settings and the prices.
fn settings_lines(out: &mut String, sc: &Scenario) {
    let _ = writeln!(out, "scenario {}: valid", sc.file.display());
    let _ = writeln!(
        out,
        "simulation: start {}, {} days (inputs from {} on are not processed), rules profile {}, \
         in-use window {} days, seed {}, region {}",
        format_date(sc.start),
        sc.days,
        format_instant(sc.horizon()),
        sc.profile.name(),
        sc.in_use_window_days,
        sc.seed,
        sc.region.as_deref().unwrap_or("(none: no region check)")
    );
    let _ = writeln!(
        out,
        "pricing: initial scan {} USD, rescan {} USD, free trial {} days{}",
        format_usd(sc.pricing.initial_micro),
        format_usd(sc.pricing.rescan_micro),
        sc.pricing.free_trial_days,
        trial_from(sc)
    );
}

/// Each lifecycle policy with the number of repositories it governs and what each of its
/// filters matches.
fn lifecycle_lines(out: &mut String, sc: &Scenario, repos: &BTreeSet<String>, names: &[&str]) {
    for e in &sc.lifecycle {
        let n = repos
            .iter()
            .filter(|r| {
                sc.lifecycle_for(r)
                    .is_some_and(|i| std::ptr::eq(&sc.lifecycle[i], e))
            })
            .count();
        let _ = writeln!(
            out,
            "lifecycle: {} ({} rules) on [{}]: {n} repositories",
            e.file.display(),
            e.policy.rules.len(),
            e.filters.join(", ")
        );
        filter_lines(out, "    ", &e.filters, names);
    }
}

/// Each configuration in effect, how many repositories get each scan frequency, and what
/// each filter of each rule matches.
fn configuration_lines(out: &mut String, sc: &Scenario, repos: &BTreeSet<String>, names: &[&str]) {
    let horizon = sc.horizon();
    let _ = writeln!(out, "configurations in effect:");
    for c in sc.configurations() {
        match c.entry {
            None => {
                let _ = writeln!(out, "  initial");
            }
            Some(e) => {
                let note = if e.at >= horizon {
                    " (at or after the horizon: not applied)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "  from {} (timeline[{}]){note}",
                    format_instant(e.at),
                    e.index
                );
            }
        }
        let _ = writeln!(out, "    registry:  {}", c.registry.describe());
        for (i, rule) in c.registry.rules.iter().enumerate() {
            let _ = writeln!(out, "      rule {} ({}):", i + 1, rule.frequency.name());
            filter_lines(out, "        ", &rule.filters, names);
        }
        let _ = writeln!(out, "    inspector: {}", c.inspector);
        let _ = writeln!(out, "    repositories: {}", count_freqs(c.registry, repos));
    }
}
