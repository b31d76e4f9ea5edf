//! Warnings that catch the common mistakes: filters and rules that match none of the
//! repositories of the traffic, timeline entries the run never reaches, a trace without
//! rows, `--seed` on trace traffic. `validate` and `run` give the same ones, and `run`
//! writes them into `summary.json`.

use crate::base::names::{check_filter, filter_matches};
use crate::base::time::format_instant;
use crate::model::scenario::Scenario;
use crate::rules::RegistryConfig;
use std::path::Path;

/// How many names `filter` matches, with the first `examples` of them.
pub fn matches<'a>(filter: &str, repos: &[&'a str], examples: usize) -> (usize, Vec<&'a str>) {
    let mut n = 0;
    let mut first = Vec::new();
    for r in repos.iter().filter(|r| filter_matches(filter, r)) {
        n += 1;
        if first.len() < examples {
            first.push(*r);
        }
    }
    (n, first)
}

/// Why a filter matches nothing, and a filter that would match, when one is near.
pub fn hint(filter: &str, repos: &[&str]) -> String {
    if !filter.contains('*') {
        return format!(
            "a filter without * matches the names that contain it, and no name contains `{filter}`"
        );
    }
    let mut out = "a filter with * must match the whole name".to_string();
    let starts = filter.starts_with('*');
    let ends = filter.ends_with('*');
    let candidates = [
        (!starts).then(|| format!("*/{filter}")),
        (!starts).then(|| format!("*{filter}")),
        (!ends).then(|| format!("{filter}*")),
        (!starts && !ends).then(|| format!("*{filter}*")),
    ];
    for c in candidates.into_iter().flatten() {
        if check_filter(&c).is_err() {
            continue;
        }
        let (n, _) = matches(&c, repos, 0);
        if n > 0 {
            out.push_str(&format!(
                "; did you mean `{c}`? (it matches {n} {})",
                if n == 1 { "repository" } else { "repositories" }
            ));
            break;
        }
    }
    out
}

/// The registry configurations a scenario sets before the horizon, each with where it is
/// first set (a configuration repeated later is checked once).
fn registries(sc: &Scenario) -> Vec<(String, &RegistryConfig)> {
    let horizon = sc.horizon();
    let mut out = vec![("[registry]".to_string(), &sc.registry)];
    for e in sc.timeline.iter().filter(|e| e.at < horizon) {
        if let Some(r) = &e.registry
            && !out.iter().any(|(_, seen)| *seen == r)
        {
            out.push((format!("timeline[{}].registry", e.index), r));
        }
    }
    out
}

/// One warning per rule whose filters all match nothing (or that has none), one per
/// other filter that matches nothing; the same for lifecycle assignments.
pub fn filter_warnings(sc: &Scenario, repos: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if repos.is_empty() {
        return out;
    }
    let seen = format!(
        "none of the {} {} seen in the traffic",
        repos.len(),
        if repos.len() == 1 {
            "repository"
        } else {
            "repositories"
        }
    );
    for (place, reg) in registries(sc) {
        for (i, rule) in reg.rules.iter().enumerate() {
            let what = format!("{place} rule {} ({})", i + 1, rule.frequency.name());
            filter_list_warnings(&mut out, &what, &rule.filters, repos, &seen);
        }
    }
    for (k, e) in sc.lifecycle.iter().enumerate() {
        let what = format!("lifecycle[{k}] ({})", e.file.display());
        filter_list_warnings(&mut out, &what, &e.filters, repos, &seen);
    }
    out
}

fn filter_list_warnings(
    out: &mut Vec<String>,
    what: &str,
    filters: &[String],
    repos: &[&str],
    seen: &str,
) {
    if filters.is_empty() {
        out.push(format!(
            "{what} has no filters, so it matches no repository"
        ));
        return;
    }
    let unmatched: Vec<&String> = filters
        .iter()
        .filter(|f| matches(f, repos, 0).0 == 0)
        .collect();
    if unmatched.len() == filters.len() {
        let each: Vec<String> = unmatched
            .iter()
            .map(|f| format!("`{f}` ({})", hint(f, repos)))
            .collect();
        out.push(format!(
            "{what} matches {seen}: its filters match nothing: {}",
            each.join("; ")
        ));
        return;
    }
    for f in unmatched {
        out.push(format!(
            "{what}: filter `{f}` matches {seen}: {}",
            hint(f, repos)
        ));
    }
}

/// Timeline entries at or after the horizon: never applied.
pub fn timeline_warnings(sc: &Scenario) -> Vec<String> {
    let horizon = sc.horizon();
    sc.timeline
        .iter()
        .filter(|e| e.at >= horizon)
        .map(|e| {
            format!(
                "timeline[{}] at {} is at or after the end of the simulation ({}, the \
                 midnight ending its last day): it is never applied; move it earlier or \
                 make [simulation] days longer",
                e.index,
                format_instant(e.at),
                format_instant(horizon)
            )
        })
        .collect()
}

/// A trace without rows, or with rows only at or after the horizon.
pub fn trace_warning(trace: &Path, rows: u64, after_horizon: u64) -> Option<String> {
    match (rows, after_horizon) {
        (0, 0) => Some(format!(
            "trace {} has a header and no rows: nothing happens, every figure is 0",
            trace.display()
        )),
        (0, n) => Some(format!(
            "every row of trace {} ({n}) is at or after the end of the simulation: nothing \
             happens, every figure is 0",
            trace.display()
        )),
        _ => None,
    }
}

/// `--seed` when the traffic is a trace.
pub fn seed_warning(seed: Option<u64>, trace: Option<&Path>) -> Option<String> {
    let (seed, trace) = (seed?, trace?);
    Some(format!(
        "--seed {seed} has no effect: the traffic is the trace {} (a seed drives synthetic \
         traffic only)",
        trace.display()
    ))
}

/// Every warning that needs the traffic: filters, the trace's rows.
pub fn traffic_warnings(
    sc: &Scenario,
    repos: &[&str],
    trace: Option<(&Path, u64, u64)>,
) -> Vec<String> {
    let mut out = timeline_warnings(sc);
    if let Some((t, rows, after)) = trace {
        out.extend(trace_warning(t, rows, after));
    }
    out.extend(filter_warnings(sc, repos));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_suggest_a_filter_that_matches() {
        let repos = ["payments/prod-svc-3", "payments/dev-svc-1"];
        assert_eq!(
            hint("prod-*", &repos),
            "a filter with * must match the whole name; did you mean `*/prod-*`? (it \
             matches 1 repository)"
        );
        assert_eq!(
            hint("*svc", &repos),
            "a filter with * must match the whole name; did you mean `*svc*`? (it matches 2 \
             repositories)"
        );
        assert_eq!(
            hint("*zzz*", &repos),
            "a filter with * must match the whole name"
        );
        assert!(hint("qa", &repos).contains("no name contains `qa`"));
    }

    #[test]
    fn matches_counts_and_keeps_the_first_names() {
        let repos = ["a/x", "a/y", "b/x"];
        assert_eq!(matches("a/*", &repos, 1), (2, vec!["a/x"]));
        assert_eq!(matches("x", &repos, 5), (2, vec!["a/x", "b/x"]));
        assert_eq!(matches("c*", &repos, 5), (0, vec![]));
    }

    #[test]
    fn an_empty_or_late_trace_warns() {
        let p = Path::new("t.csv");
        assert!(
            trace_warning(p, 0, 0)
                .unwrap()
                .contains("header and no rows")
        );
        assert!(trace_warning(p, 0, 3).unwrap().contains("every row"));
        assert_eq!(trace_warning(p, 1, 3), None);
        assert_eq!(seed_warning(Some(1), None), None);
        assert!(
            seed_warning(Some(1), Some(p))
                .unwrap()
                .contains("--seed 1 has no effect")
        );
    }
}
