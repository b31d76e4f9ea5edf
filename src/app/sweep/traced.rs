//! Variants over a recorded trace: the trace is read and parsed once, and every
//! variant's engine replays it in step with the others (in parallel), instead of each
//! variant reading the file anew.

use crate::base::error::Result;
use crate::engine::{Engine, RunOptions, RunResult};
use crate::model::groups::PathGroups;
use crate::model::scenario::{Scenario, Traffic};
use crate::source::shared_trace::{Cursor, STEP_ROWS, SharedTrace};
use rayon::prelude::*;
use std::path::Path;

/// Simulates every scenario over `trace`, reading it once; results in the order given.
pub fn run_shared(trace: &Path, scs: &[&Scenario]) -> Result<Vec<RunResult>> {
    run_stepped(trace, scs, STEP_ROWS)
}

/// [`run_shared`], the engines stepping every `step` rows read.
fn run_stepped(trace: &Path, scs: &[&Scenario], step: usize) -> Result<Vec<RunResult>> {
    let grouping = PathGroups;
    let mut shared = SharedTrace::open(trace, step)?;
    let mut lanes: Vec<(Engine, Cursor)> = scs
        .iter()
        .map(|sc| {
            let e = Engine::new(sc, RunOptions::default(), &grouping).skip_idle_history();
            (e, Cursor::default())
        })
        .collect();
    let horizon = scs.iter().map(|s| s.horizon()).max().unwrap_or(i64::MIN);
    // The window ends with the last row read: each engine stops before that instant,
    // so that it never takes the end of the window for the end of the trace (and runs
    // day ends past rows still to come).
    while let Some(last) = shared.fill()? {
        let until = last.min(horizon);
        let w = shared.window();
        lanes
            .par_iter_mut()
            .try_for_each(|(e, c)| e.run_until(&mut w.view(c), until))?;
        if let Some(earliest) = lanes.iter().map(|(_, c)| *c).min_by_key(|c| c.key()) {
            shared.trim(earliest);
        }
        if last >= horizon {
            shared.count_rest()?;
            break;
        }
    }
    let w = shared.window();
    lanes
        .into_par_iter()
        .map(|(e, mut c)| e.run(&mut w.view(&mut c)))
        .collect()
}

/// The trace of a variant's scenario.
pub fn trace_of(sc: &Scenario) -> Option<&Path> {
    match &sc.traffic {
        Traffic::Trace(t) => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::simulate::simulate;
    use crate::base::testing::TempDir;
    use std::fmt::Write as _;

    /// A trace over 40 days of three repositories, with 6,000 rows at one instant (they
    /// straddle batches) and rows past every horizon.
    fn trace() -> String {
        let mut t = String::from("time,event,repository,digest,tags,supported\n");
        let base = 1_767_225_600; // 2026-01-01
        for i in 0..12_000u64 {
            let at = base + (i as i64) * 280;
            let repo = ["prod/a", "prod/b", "dev/c"][(i % 3) as usize];
            let (kind, d) = match i % 5 {
                0 | 1 => ("push", i),
                2 | 3 => ("pull", i.saturating_sub(3)),
                _ => ("delete", i.saturating_sub(40)),
            };
            let tags = if kind == "push" { "latest" } else { "" };
            writeln!(t, "{at},{kind},{repo},sha256:{d:064x},{tags},").unwrap();
        }
        let burst = base + 12_000 * 280;
        for i in 0..6_000u64 {
            writeln!(t, "{burst},pull,prod/a,sha256:{:064x},,", (i % 200) * 3).unwrap();
        }
        writeln!(t, "{},push,prod/a,sha256:{:064x},,", burst + 90 * 86_400, 1).unwrap();
        t
    }

    fn scenario(dir: &Path, name: &str, days: u32, extra: &str) -> Scenario {
        let text = format!(
            "[simulation]\nstart = \"2026-01-03\"\ndays = {days}\n\
             [registry]\nscan_type = \"ENHANCED\"\nrules = [{{ scan_frequency = \
             \"CONTINUOUS_SCAN\", filters = [\"prod*\"] }}]\n{extra}\
             [traffic]\ntrace = \"t.csv\"\n"
        );
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        Scenario::load(&f).unwrap()
    }

    /// Every variant's result equals its own replay, however often the engines step.
    #[test]
    fn shared_reading_gives_each_variant_its_own_replay() {
        let dir = TempDir::new("traced");
        std::fs::write(dir.join("t.csv"), trace()).unwrap();
        let scs = [
            scenario(&dir, "a.toml", 30, ""),
            // A change at the instant of the burst: it comes before the burst's rows.
            scenario(
                &dir,
                "b.toml",
                45,
                "[inspector]\npush_duration = \"DAYS_14\"\npull_duration = \"DAYS_14\"\n\
                 [[timeline]]\nat = 1770585600\nregistry = { scan_type = \"BASIC\" }\n",
            ),
            scenario(
                &dir,
                "c.toml",
                2,
                "[inspector]\npull_duration = \"DAYS_14\"\n",
            ),
        ];
        let refs: Vec<&Scenario> = scs.iter().collect();
        let own: Vec<RunResult> = scs
            .iter()
            .map(|sc| simulate(sc, None, RunOptions::default()).unwrap().result)
            .collect();
        assert!(own[1].days.iter().any(|d| d.flows.initial_scans > 0));
        assert!(own[1].days.iter().any(|d| d.flows.expirations > 0));
        for step in [1, 5_000, STEP_ROWS] {
            let shared = run_stepped(&dir.join("t.csv"), &refs, step).unwrap();
            for (s, o) in shared.iter().zip(&own) {
                assert_eq!(s.days, o.days, "step {step}");
                assert_eq!(
                    s.events_after_horizon, o.events_after_horizon,
                    "step {step}"
                );
                assert_eq!(s.ignored_events, o.ignored_events, "step {step}");
            }
        }
    }

    /// A bad row stops every variant with the message a single replay gives.
    #[test]
    fn a_bad_row_is_the_error_of_the_sweep() {
        let dir = TempDir::new("traced-bad");
        let mut t = trace();
        t.push_str("2030-01-01T00:00:00Z,pushed,prod/a,sha256:1,,\n");
        std::fs::write(dir.join("t.csv"), t).unwrap();
        let sc = scenario(&dir, "a.toml", 30, "");
        let own = simulate(&sc, None, RunOptions::default())
            .err()
            .unwrap()
            .to_string();
        let shared = run_stepped(&dir.join("t.csv"), &[&sc, &sc], 1000)
            .err()
            .unwrap();
        assert_eq!(shared.to_string(), own);
        assert!(own.contains("unknown event `pushed`"), "{own}");
    }
}
