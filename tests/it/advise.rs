//! `scansim advise` (issue 14): its answer is the one an exhaustive sweep of the same
//! grid gives, with a target, a budget or both; the runner-up and the frontier; and
//! every validation rule of its command line.

use crate::common::{
    WorkDir, expect_clean_failure, read_csv, read_json, read_text, scansim_in, switch_on_scenario,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// BASIC before day 0; continuous scanning for `prod-*` from day 0, scan on push for the
/// rest. The prod images are deployed (pulled and in use daily), older ones pulled less.
fn scenario() -> String {
    switch_on_scenario(
        r#"start = "2026-03-01"
days = 40
seed = 11"#,
        r#"push_duration = "DAYS_90"
pull_duration = "DAYS_30""#,
        "2026-03-01T00:00:00Z",
        r#"[synthetic]
history_days = 200
[[synthetic.repositories]]
name = "prod-{i}"
count = 6
pushes_per_day = 0.3
deployed = 1
deploy_pulls_per_day = 3
in_use = true
old_pulls_per_day = 0.2
old_pull_half_life_days = 20
[[synthetic.repositories]]
name = "team-{i}"
count = 6
pushes_per_day = 0.5
deployed = 1
"#,
    )
}

fn setup(name: &str) -> WorkDir {
    let dir = WorkDir::new(&format!("advise-{name}"));
    dir.write("s.toml", scenario());
    dir
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn ok(dir: &WorkDir, args: &[&str]) -> String {
    let o = scansim_in(dir, args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "scansim {args:?}: {err}");
    String::from_utf8(o.stdout).unwrap()
}

/// `scansim advise SCENARIO ARGS --out OUT -q`: what it printed (the same as
/// `advise.md`) and `advise.json`.
fn advise(dir: &WorkDir, scenario: &str, out: &str, args: &[&str]) -> (String, Value) {
    let mut a = vec!["advise", scenario, "--out", out, "-q"];
    a.extend_from_slice(args);
    let md = ok(dir, &a);
    assert_eq!(md, read_text(&dir.join(out).join("advise.md")));
    (md, read_json(&dir.join(out).join("advise.json")))
}

/// The rows of an exhaustive sweep of the 2024 grid (3 replications).
fn exhaustive(dir: &WorkDir) -> Vec<BTreeMap<String, String>> {
    ok(
        dir,
        &[
            "sweep",
            "s.toml",
            "--out",
            "sweep",
            "--no-charts",
            "-q",
            "--replications",
            "3",
            "--set",
            "inspector.push_duration=LIFETIME,DAYS_14,DAYS_30,DAYS_60,DAYS_90,DAYS_180",
            "--set",
            "inspector.pull_duration=none,DAYS_14,DAYS_30,DAYS_60,DAYS_90,DAYS_180",
            "--set",
            "inspector.pull_mode=LAST_PULL_DATE,LAST_IN_USE_AT",
        ],
    );
    read_csv(&dir.join("sweep/sweep.csv"))
}

fn f(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {}", row[col]))
}

/// The same setting: push and pull durations, and the pull mode when there is a pull
/// window (without one the mode does nothing).
fn same_setting(row: &BTreeMap<String, String>, s: &Value) -> bool {
    row["inspector.push_duration"] == s["push_duration"].as_str().unwrap()
        && row["inspector.pull_duration"] == s["pull_duration"].as_str().unwrap()
        && (row["inspector.pull_duration"] == "none"
            || row["inspector.pull_mode"] == s["pull_mode"].as_str().unwrap())
}

/// A target between two distinct mean in-use coverages of the grid, so no mean sits on it.
fn middle_target(rows: &[BTreeMap<String, String>], col: &str) -> f64 {
    let mut xs: Vec<f64> = rows.iter().map(|r| f(r, col)).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    assert!(xs.len() >= 4, "the grid must separate settings: {xs:?}");
    let i = xs.len() / 2;
    ((xs[i - 1] + xs[i]) / 2.0 * 100.0).round() / 100.0
}

#[test]
fn the_answer_is_the_cheapest_of_an_exhaustive_sweep_that_meets_the_target() {
    let dir = setup("exhaustive");
    let rows = exhaustive(&dir);
    assert_eq!(rows.len(), 72);
    let col = "mean_in_use_coverage_pct_mean";
    let target = middle_target(&rows, col);
    let t = format!("in_use_coverage>={target}");
    let (md, j) = advise(
        &dir,
        "s.toml",
        "a",
        &["--target", &t, "--replications", "3"],
    );
    // 6 push × (no pull window + 5 pull windows × 2 modes) = 66 distinct settings.
    assert_eq!(j["settings_searched"], 66);
    let cost = "cost_per_30_days_usd_mean";
    let mut meeting: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| f(r, col) >= target).collect();
    meeting.sort_by(|a, b| {
        f(a, cost)
            .total_cmp(&f(b, cost))
            .then(f(b, col).total_cmp(&f(a, col)))
    });
    let best = &j["answer"];
    assert!(same_setting(meeting[0], best), "{:?} vs {best}", meeting[0]);
    assert!((num(&best["cost_per_month_usd"]["mean"]) - f(meeting[0], cost)).abs() < 1e-3);
    assert!((num(&best["mean_in_use_coverage_pct"]["mean"]) - f(meeting[0], col)).abs() < 1e-3);
    assert!(
        (num(&best["cost_per_month_usd"]["hw95"]) - f(meeting[0], "cost_per_30_days_usd_hw95"))
            .abs()
            < 1e-3
    );
    // The runner-up is the next setting of the sweep's ranking with other figures (those
    // with the answer's are listed as the same).
    let figures = |r: &BTreeMap<String, String>| (f(r, cost), f(r, col));
    let next = meeting
        .iter()
        .find(|r| {
            (figures(r).0 - f(meeting[0], cost)).abs() > 1e-3
                || (figures(r).1 - f(meeting[0], col)).abs() > 1e-3
        })
        .expect("a runner-up");
    let same = j["same_as_answer"].as_array().unwrap();
    for s in same {
        assert_eq!(s["cost_per_month_usd"], best["cost_per_month_usd"]);
    }
    assert_eq!(
        md.contains("The same figures in every replication"),
        !same.is_empty(),
        "{md}"
    );
    assert!((num(&j["runner_up"]["cost_per_month_usd"]["mean"]) - f(next, cost)).abs() < 1e-3);
    // The frontier: every setting no other beats on both figures (of equal ones, one).
    let settings = j["settings"].as_array().unwrap();
    let frontier = j["frontier"].as_array().unwrap();
    let pt = |s: &Value| {
        (
            num(&s["cost_per_month_usd"]["mean"]),
            num(&s["mean_in_use_coverage_pct"]["mean"]),
        )
    };
    for s in settings {
        let (c, x) = pt(s);
        let dominated = settings.iter().any(|o| {
            let (oc, ox) = pt(o);
            oc <= c && ox >= x && (oc < c || ox > x)
        });
        let equal_in_frontier = frontier.iter().any(|fr| pt(fr) == (c, x));
        assert_eq!(equal_in_frontier, !dominated, "{s}");
    }
    assert!(md.contains("**Answer: "), "{md}");
    assert!(md.contains("**Runner-up: "), "{md}");
    assert!(md.contains("## Frontier"), "{md}");
    // The sweep behind the advice is written beside it.
    assert_eq!(read_csv(&dir.join("a/sweep.csv")).len(), 66);
}

#[test]
fn a_budget_gives_the_best_covered_setting_within_it_and_both_give_the_cheapest() {
    let dir = setup("budget");
    let rows = exhaustive(&dir);
    let cost = "cost_per_30_days_usd_mean";
    let col = "mean_in_use_coverage_pct_mean";
    let budget = middle_target(&rows, cost);
    let b = budget.to_string();
    let (_, j) = advise(
        &dir,
        "s.toml",
        "b",
        &["--budget", &b, "--replications", "3"],
    );
    let mut within: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| f(r, cost) <= budget).collect();
    within.sort_by(|a, b| {
        f(b, col)
            .total_cmp(&f(a, col))
            .then(f(a, cost).total_cmp(&f(b, cost)))
    });
    assert!(
        same_setting(within[0], &j["answer"]),
        "{:?} vs {}",
        within[0],
        j["answer"]
    );
    assert!(num(&j["answer"]["cost_per_month_usd"]["mean"]) <= budget);
    // A target and the budget: the cheapest that meets both.
    let target = f(within[0], col) - 0.005;
    let t = format!("in_use_coverage>={target}");
    let (_, k) = advise(
        &dir,
        "s.toml",
        "c",
        &["--budget", &b, "--target", &t, "--replications", "3"],
    );
    let mut both: Vec<&BTreeMap<String, String>> = rows
        .iter()
        .filter(|r| f(r, cost) <= budget && f(r, col) >= target)
        .collect();
    both.sort_by(|a, b| {
        f(a, cost)
            .total_cmp(&f(b, cost))
            .then(f(b, col).total_cmp(&f(a, col)))
    });
    assert!(
        same_setting(both[0], &k["answer"]),
        "{:?} vs {}",
        both[0],
        k["answer"]
    );
}

#[test]
fn an_unreachable_target_says_how_far_the_continuous_part_gets() {
    let dir = setup("unreachable");
    let (md, _) = advise(
        &dir,
        "s.toml",
        "u",
        &["--target", "in_use_coverage>=99.9", "--replications", "2"],
    );
    assert!(
        md.contains("**No setting the rules allow meets the request.**"),
        "{md}"
    );
    assert!(
        md.contains("act only on the repositories under continuous scanning (6 of 12)"),
        "{md}"
    );
    assert!(md.contains("`--continuous-part`"), "{md}");
    // Coverage in the continuous part only.
    let (md, j) = advise(
        &dir,
        "s.toml",
        "p",
        &[
            "--target",
            "coverage>=0",
            "--continuous-part",
            "--replications",
            "2",
        ],
    );
    assert!(
        md.contains("coverage of the repositories under continuous scanning"),
        "{md}"
    );
    assert_eq!(j["coverage_of"], "continuous_part");
    // The cheapest of all settings meets a target of 0.
    let costs: Vec<f64> = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| num(&s["cost_per_month_usd"]["mean"]))
        .collect();
    let min = costs.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(num(&j["answer"]["cost_per_month_usd"]["mean"]), min);
}

#[test]
fn the_2022_rules_have_push_durations_only() {
    let dir = setup("2022");
    dir.write(
        "old.toml",
        scenario()
            .replace("seed = 11", "seed = 11\nrules = \"2022\"")
            .replace(
                "push_duration = \"DAYS_90\"\npull_duration = \"DAYS_30\"",
                "push_duration = \"DAYS_180\"",
            ),
    );
    let (_, j) = advise(
        &dir,
        "old.toml",
        "o",
        &["--target", "coverage>=0", "--replications", "2"],
    );
    assert_eq!(j["settings_searched"], 3);
    let pushes: Vec<&str> = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["push_duration"].as_str().unwrap())
        .collect();
    assert_eq!(pushes, ["LIFETIME", "DAYS_30", "DAYS_180"]);
}

#[test]
fn bad_command_lines_are_refused_before_any_work() {
    let dir = setup("bad");
    dir.write("keep/mine.txt", "not scansim's");
    let out = dir.join("o");
    for (args, want) in [
        (vec![], "give --target METRIC>=PERCENT"),
        (vec!["--target", "in_use_coverage>80"], "no `>=`"),
        (vec!["--target", "cost>=80"], "unknown figure `cost`"),
        (vec!["--target", "coverage>=x"], "`x` is not a number"),
        (
            vec!["--target", "coverage>=120"],
            "120 is not a percentage from 0 to 100",
        ),
        (
            vec!["--budget", "-5"],
            "--budget -5: give a number of USD per month, 0 or more",
        ),
        (vec!["--budget", "inf"], "give a number of USD per month"),
        (
            vec!["--target", "coverage>=1", "--replications", "0"],
            "--replications must be between 1 and",
        ),
    ] {
        let mut a = vec!["advise", "s.toml", "--out", "o", "-q"];
        a.extend(args.iter().copied());
        let e = expect_clean_failure(&scansim_in(&dir, &a), &out);
        assert!(e.contains(want), "{args:?}: {e}");
    }
    // An output directory scansim did not write is kept, and so is the scenario.
    for (keep, why) in [
        ("keep", "was not written by scansim"),
        (".", "give a name (not `.`"),
        ("s.toml", "an input of this command"),
    ] {
        let a = [
            "advise",
            "s.toml",
            "--target",
            "coverage>=1",
            "--out",
            keep,
            "-q",
        ];
        let o = scansim_in(&dir, &a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(why), "--out {keep}: {err}");
    }
    assert_eq!(dir.read("keep/mine.txt"), "not scansim's");
    // A trace has one replication; more is refused with the reason.
    dir.write(
        "t.csv",
        "time,event,repository,digest\n2026-03-01T01:00:00Z,push,prod-a,sha256:1\n",
    );
    dir.write(
        "t.toml",
        scenario().split("[synthetic]").next().unwrap().to_string()
            + "[traffic]\ntrace = \"t.csv\"\n",
    );
    let e = expect_clean_failure(
        &scansim_in(
            &dir,
            &[
                "advise",
                "t.toml",
                "--target",
                "coverage>=1",
                "--replications",
                "2",
                "--out",
                "o",
                "-q",
            ],
        ),
        &out,
    );
    assert!(
        e.contains("a trace-driven scenario has one replication"),
        "{e}"
    );
    ok(&dir, &["advise", "t.toml", "--target", "coverage>=1", "-q"]);
}

#[test]
fn an_answer_whose_interval_reaches_below_the_target_is_said_so() {
    let dir = setup("interval");
    let (_, j) = advise(
        &dir,
        "s.toml",
        "a",
        &["--target", "in_use_coverage>=30", "--replications", "3"],
    );
    let a = &j["answer"]["mean_in_use_coverage_pct"];
    assert!(num(&a["hw95"]) > 0.01, "{a}");
    // Just below the answer's mean: its interval reaches below the target.
    let t = format!("in_use_coverage>={}", num(&a["mean"]) - 0.001);
    let (md, k) = advise(
        &dir,
        "s.toml",
        "b",
        &["--target", &t, "--replications", "3"],
    );
    let b = &k["answer"]["mean_in_use_coverage_pct"];
    assert!(num(&b["mean"]) - num(&b["hw95"]) < num(&a["mean"]) - 0.001);
    assert!(
        md.contains("Its 95 % interval reaches below the target"),
        "{md}"
    );
}

#[test]
fn sweep_variants_multiply_the_grid_and_may_not_set_what_advise_varies() {
    let dir = setup("variants");
    let all = "[[sweep.variants]]\nname = \"prod-only\"\n\n[[sweep.variants]]\n\
               name = \"all-continuous\"\ntimeline = [{ at = \"2026-03-01T00:00:00Z\", \
               registry = { scan_type = \"ENHANCED\", rules = [] } }]\n";
    dir.write("v.toml", scenario() + all);
    let (_, j) = advise(
        &dir,
        "v.toml",
        "o",
        &[
            "--target",
            "in_use_coverage>=60",
            "--sweep-variants",
            "--replications",
            "2",
        ],
    );
    assert_eq!(j["settings_searched"], 132);
    let named: Vec<&str> = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sweep_variant"].as_str().unwrap())
        .collect();
    assert_eq!(named.iter().filter(|n| **n == "all-continuous").count(), 66);
    // Only continuous scanning everywhere reaches 60 % of the images in use.
    assert_eq!(
        j["answer"]["sweep_variant"], "all-continuous",
        "{}",
        j["answer"]
    );
    // Without --sweep-variants the entries are left out.
    let (_, k) = advise(
        &dir,
        "v.toml",
        "p",
        &["--target", "coverage>=0", "--replications", "2"],
    );
    assert_eq!(k["settings_searched"], 66);
    // An entry that sets a key advise varies is an error naming it.
    dir.write(
        "bad.toml",
        scenario()
            + "[[sweep.variants]]\nname = \"x\"\ninspector = { push_duration = \"DAYS_30\" }\n",
    );
    let out = dir.join("q");
    let e = expect_clean_failure(
        &scansim_in(
            &dir,
            &[
                "advise",
                "bad.toml",
                "--target",
                "coverage>=0",
                "--sweep-variants",
                "--out",
                "q",
            ],
        ),
        &out,
    );
    assert!(e.contains("inspector.push_duration"), "{e}");
    // Without --sweep-variants that entry is left out, and so is the clash.
    advise(
        &dir,
        "bad.toml",
        "r",
        &["--target", "coverage>=0", "--replications", "2"],
    );
}
