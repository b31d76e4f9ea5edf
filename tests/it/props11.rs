//! Issue 11's properties over random traces and scenarios (the cases of `properties`):
//! `LIFETIME` never expires an image; widening every window never lowers `active`;
//! permuting same-instant events of different repositories changes nothing; outputs are
//! the same for 1, 2 and 7 threads.

use crate::common::{WorkDir, tree};
use crate::properties::{Case, KINDS, PULL, PUSH, case, write_case};
use proptest::prelude::*;
use scansim::engine::{DayRow, RunOptions};
use scansim::model::scenario::Scenario;
use scansim::rules::Status;
use std::path::Path;

fn days_of(c: &Case, name: &str) -> Vec<DayRow> {
    let dir = WorkDir::new(name);
    write_case(&dir, c);
    let sc = Scenario::load(&dir.join("s.toml")).expect("scenario");
    scansim::app::simulate::simulate(&sc, None, RunOptions::default())
        .expect("run")
        .result
        .days
}

fn index(list: &[&str], name: &str) -> usize {
    list.iter().position(|x| *x == name).expect("known setting")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn lifetime_never_expires_an_image(mut c in case()) {
        c.push = index(&PUSH, "LIFETIME");
        c.pull = index(&PULL, "none");
        for e in &mut c.timeline {
            e.2 = c.push;
        }
        for (d, row) in days_of(&c, "prop-lifetime").iter().enumerate() {
            prop_assert_eq!(row.flows.expirations, 0, "day {}", d);
            prop_assert_eq!(row.status(Status::Expired), 0, "day {}", d);
        }
    }

    #[test]
    fn widening_every_window_never_lowers_active(c in case()) {
        let mut wide = c.clone();
        wide.push = index(&PUSH, "LIFETIME");
        wide.pull = index(&PULL, "DAYS_30");
        for e in &mut wide.timeline {
            e.2 = wide.push;
        }
        let (narrow, wide) = (days_of(&c, "prop-narrow"), days_of(&wide, "prop-wide"));
        for (d, (n, w)) in narrow.iter().zip(&wide).enumerate() {
            prop_assert!(
                w.status(Status::Active) >= n.status(Status::Active),
                "day {}: {} active with wider windows, {} with {}/{}",
                d, w.status(Status::Active), n.status(Status::Active), PUSH[c.push], PULL[c.pull]
            );
        }
    }

    #[test]
    fn same_instant_events_of_different_repositories_commute(
        c in case(),
        order in Just(()).prop_perturb(|_, mut rng| {
            let mut v = vec![0usize, 1, 2];
            for i in (1..v.len()).rev() {
                v.swap(i, rng.random_range(0..=i));
            }
            v
        }),
    ) {
        // Within each instant without a registry-wide vulndb_update, the rows of each
        // repository keep their order; the repositories come in `order`.
        let mut p = c.clone();
        let registry_wide = |e: &crate::properties::Ev| {
            KINDS[e.kind] == "vulndb_update" && e.digest.is_multiple_of(3)
        };
        let mut i = 0;
        while i < p.events.len() {
            let t = p.events[i].t;
            let j = i + p.events[i..].iter().take_while(|e| e.t == t).count();
            if !p.events[i..j].iter().any(registry_wide) {
                p.events[i..j].sort_by_key(|e| order[e.repo]);
            }
            i = j;
        }
        prop_assert_eq!(days_of(&c, "prop-orig"), days_of(&p, "prop-perm"));
    }
}

/// A small synthetic scenario from the drawn parameters.
fn synthetic(seed: u64, count: u32, rate: f64, history: u32) -> String {
    format!(
        "[simulation]\nstart = 2026-01-01\ndays = 20\nseed = {seed}\n\
         [registry]\nscan_type = \"ENHANCED\"\n\
         rules = [{{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"prod-*\"] }}, \
         {{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"*\"] }}]\n\
         [inspector]\npush_duration = \"DAYS_14\"\npull_duration = \"DAYS_14\"\n\
         [synthetic]\nhistory_days = {history}\n\
         [[synthetic.repositories]]\nname = \"prod-{{i}}\"\ncount = {count}\n\
         pushes_per_day = {{ median = {rate}, sigma = 1.0 }}\n\
         [[synthetic.repositories]]\nname = \"dev-{{i}}\"\ncount = {count}\npushes_per_day = {rate}\n"
    )
}

fn run_with_threads(dir: &Path, threads: usize, args: &[&str]) {
    let o = crate::common::bin()
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .args(args)
        .output()
        .expect("run scansim");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, .. ProptestConfig::default() })]

    #[test]
    fn outputs_are_the_same_for_1_2_and_7_threads(
        seed in 0u64..1_000_000,
        count in 1u32..12,
        rate in 0.1f64..3.0,
        history in 0u32..60,
    ) {
        let d = WorkDir::new("prop-threads");
        d.write("s.toml", synthetic(seed, count, (rate * 10.0).round() / 10.0, history));
        for threads in [1usize, 2, 7] {
            let t = d.join(format!("t{threads}"));
            std::fs::create_dir(&t).unwrap();
            run_with_threads(&t, threads, &["run", "../s.toml", "--out", "run", "-q"]);
            run_with_threads(&t, threads, &["run", "../s.toml", "--out", "ev", "-q", "--no-charts", "--events", "ev/e.jsonl"]);
            run_with_threads(&t, threads, &["sweep", "../s.toml", "--out", "sweep", "-q", "--replications", "2", "--set", "inspector.push_duration=DAYS_14,LIFETIME"]);
        }
        let one = tree(&d.join("t1"));
        prop_assert!(one.len() > 20, "{} files", one.len());
        for threads in [2, 7] {
            let other = tree(&d.join(format!("t{threads}")));
            prop_assert_eq!(one.keys().collect::<Vec<_>>(), other.keys().collect::<Vec<_>>());
            for (k, v) in &one {
                prop_assert!(v == &other[k], "{} differs with {} threads", k, threads);
            }
        }
    }
}
