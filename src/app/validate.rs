//! `scansim validate`: every check of `run` without simulating, then the resolved
//! settings and how the repositories of the traffic fall into scan frequencies over time.

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

/// Checks the scenario and its traffic; returns the report to print.
pub fn validate(sc: &Scenario, trace: Option<&Path>) -> Result<String> {
    let mut repos = BTreeSet::new();
    let mut out = String::new();
    let traffic = read_traffic(sc, trace, &mut repos)?;
    settings_lines(&mut out, sc);
    let _ = writeln!(out, "traffic: {traffic}, {} repositories seen", repos.len());
    if let Some(e) = crate::app::estimate::estimate(sc) {
        let _ = writeln!(out, "size: {}", crate::app::estimate::describe(&e));
    }
    lifecycle_lines(&mut out, sc, &repos);
    configuration_lines(&mut out, sc, &repos);
    for w in &sc.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    Ok(out)
}

/// Reads the traffic (`trace` overrides the scenario's), collecting the repository names
/// into `repos`; returns its description.
fn read_traffic(
    sc: &Scenario,
    trace: Option<&Path>,
    repos: &mut BTreeSet<String>,
) -> Result<String> {
    let own_trace = match &sc.traffic {
        Traffic::Trace(t) => Some(t.as_ref()),
        _ => None,
    };
    match (trace.or(own_trace), &sc.traffic) {
        (Some(t), _) => read_trace(t, sc.horizon(), repos),
        (None, Traffic::Synthetic(s)) => {
            repos.extend(s.repository_names());
            Ok(format!("synthetic, {} repositories", repos.len()))
        }
        (None, Traffic::None | Traffic::Trace(_)) => Err(Error::Usage(format!(
            "{}: the scenario has no traffic: add [traffic] or [synthetic], or give --trace FILE",
            sc.file.display()
        ))),
    }
}

/// Checks every row of a trace, collecting the repository names of the rows before the
/// horizon into `repos`; returns its description.
fn read_trace(t: &Path, horizon: i64, repos: &mut BTreeSet<String>) -> Result<String> {
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
    Ok(format!(
        "trace {}: {rows} rows before the horizon, {after} at or after it (checked, \
         not processed)",
        t.display()
    ))
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

/// Each lifecycle policy with the number of repositories it governs.
fn lifecycle_lines(out: &mut String, sc: &Scenario, repos: &BTreeSet<String>) {
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
    }
}

/// Each configuration in effect and how many repositories get each scan frequency.
fn configuration_lines(out: &mut String, sc: &Scenario, repos: &BTreeSet<String>) {
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
        let _ = writeln!(out, "    inspector: {}", c.inspector);
        let _ = writeln!(out, "    repositories: {}", count_freqs(c.registry, repos));
    }
}
