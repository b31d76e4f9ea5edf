//! `scansim diff BASE PROPOSED` (issue 14): the difference is the paired difference a
//! sweep of the same two settings gives, an AWS JSON proposal takes effect at day 0,
//! repositories whose scan frequency changes are listed, `--fail-above` sets exit
//! status 3, and scenarios that cannot be compared are said to be so.

use crate::common::{
    WorkDir, expect_clean_failure, read_csv, read_json, read_text, scansim_in, scansim_ok_in,
    switch_on_scenario,
};
use serde_json::Value;

/// BASIC before day 0; continuous scanning for `prod-*` from day 0 (the usual switch-on).
fn base() -> String {
    switch_on_scenario(
        r#"start = "2026-03-01"
days = 30
seed = 8"#,
        r#"push_duration = "DAYS_90"
pull_duration = "DAYS_30""#,
        "2026-03-01T00:00:00Z",
        r#"[synthetic]
history_days = 60
[[synthetic.repositories]]
name = "prod-{i}"
count = 5
pushes_per_day = 0.5
old_pulls_per_day = 0.3
[[synthetic.repositories]]
name = "team-{i}"
count = 25
pushes_per_day = 0.8
"#,
    )
}

/// `put-registry-scanning-configuration` input: `team-*` continuous too.
const REGISTRY: &str = r#"{"scanType": "ENHANCED", "rules": [
  {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [
    {"filter": "prod-*", "filterType": "WILDCARD"}, {"filter": "team-*", "filterType": "WILDCARD"}]},
  {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}"#;

/// `aws inspector2 get-configuration` output: a 14-day push window, no pull window field.
const INSPECTOR: &str = r#"{"ec2Configuration": {}, "ecrConfiguration": {"rescanDurationState": {
  "rescanDuration": "DAYS_14", "status": "SUCCESS", "updatedAt": "2026-02-01T00:00:00Z"}}}"#;

fn setup(name: &str) -> WorkDir {
    let dir = WorkDir::new(&format!("diff-{name}"));
    dir.write_files(&[
        ("base.toml", &base()),
        ("registry.json", REGISTRY),
        ("inspector.json", INSPECTOR),
    ]);
    dir
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn diff(dir: &WorkDir, proposed: &str, out: &str, extra: &[&str]) -> (String, Value) {
    let mut a = vec!["diff", "base.toml", proposed, "--out", out, "-q"];
    a.extend_from_slice(extra);
    let o = scansim_ok_in(dir, &a);
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout, read_text(&dir.join(out).join("diff.md")));
    (stdout, read_json(&dir.join(out).join("diff.json")))
}

#[test]
fn the_difference_is_the_paired_difference_of_a_sweep() {
    let dir = setup("sweep");
    // The proposal as a scenario: the base with a 14-day push window.
    dir.write(
        "proposed.toml",
        base().replace("push_duration = \"DAYS_90\"", "push_duration = \"DAYS_14\""),
    );
    let (md, j) = diff(&dir, "proposed.toml", "out", &["--replications", "3"]);
    scansim_ok_in(
        &dir,
        &[
            "sweep",
            "base.toml",
            "--out",
            "sweep",
            "--set",
            "inspector.push_duration=DAYS_90,DAYS_14",
            "--replications",
            "3",
            "--no-charts",
            "-q",
        ],
    );
    let rows = read_csv(&dir.join("sweep/sweep.csv"));
    for (key, col) in [
        ("cost_per_30_days_usd", "cost_per_30_days_usd_diff"),
        ("mean_in_use_coverage_pct", "mean_in_use_coverage_pct_diff"),
    ] {
        let d = num(&j["difference"][key]["mean"]);
        let s: f64 = rows[1][col].parse().unwrap();
        assert!((d - s).abs() < 1e-3, "{key}: {d} vs {s}");
    }
    // The Inspector settings in AWS JSON, in effect from day 0 (the day scanning starts):
    // the same runs, so the same figures (its pull window stays the base's 30 days).
    let (_, k) = diff(&dir, "inspector.json", "json", &["--replications", "3"]);
    assert_eq!(k["difference"], j["difference"]);
    assert_eq!(k["proposed"]["kind"], "Inspector configuration");
    assert!(num(&j["difference"]["cost_per_30_days_usd"]["mean"]) < 0.0);
    assert!(
        md.starts_with("### scansim diff: ECR enhanced scanning\n\n**The proposal saves "),
        "{md}"
    );
    assert!(md.contains("| cost per month (USD) |"), "{md}");
    assert!(md.contains("No repository changes scan frequency (of 30 repositories)."));
    assert_eq!(j["comparable"], true);
    assert_eq!(j["replications"], 3);
}

#[test]
fn a_registry_proposal_lists_the_repositories_whose_frequency_changes() {
    let dir = setup("registry");
    let (md, j) = diff(&dir, "registry.json", "out", &["--replications", "2"]);
    let changes = j["frequency_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 25, "every team-* repository");
    assert!(changes.iter().all(|c| c["from"] == "SCAN_ON_PUSH"
        && c["to"] == "CONTINUOUS_SCAN"
        && c["at"] == "2026-03-01T00:00:00Z"));
    // diff.md names 20 of them and counts the rest.
    let row = md
        .lines()
        .find(|l| l.starts_with("| SCAN_ON_PUSH | CONTINUOUS_SCAN | day 0 | 25: "))
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(row.matches("`team-").count(), 20, "{row}");
    assert!(row.ends_with(", … (5 more in diff.json) |"), "{row}");
    assert!(
        md.contains("25 of 30 repositories change scan frequency"),
        "{md}"
    );
    // The same as a scenario with that registry configuration on day 0.
    let written = base().replace(
        "{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"prod-*\"] }",
        "{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"prod-*\", \"team-*\"] }",
    );
    dir.write("written.toml", &written);
    let (_, w) = diff(&dir, "written.toml", "written", &["--replications", "2"]);
    assert_eq!(w["difference"], j["difference"]);
    assert!(num(&j["difference"]["mean_in_use_coverage_pct"]["mean"]) > 0.0);
}

#[test]
fn a_proposal_that_changes_nothing_changes_nothing() {
    let dir = setup("same");
    // The base's own day-0 configuration, as put-registry-scanning-configuration input.
    dir.write(
        "same.json",
        REGISTRY.replace(
            ", {\"filter\": \"team-*\", \"filterType\": \"WILDCARD\"}",
            "",
        ),
    );
    let (md, j) = diff(&dir, "same.json", "out", &["--replications", "2"]);
    for (k, v) in j["difference"].as_object().unwrap() {
        assert_eq!(v["mean"], 0.0, "{k}");
    }
    assert!(
        md.contains("**The proposal changes neither the cost nor the in-use coverage measurably"),
        "{md}"
    );
}

#[test]
fn fail_above_sets_exit_status_3() {
    let dir = setup("limit");
    let run = |limit: &str, out: &str| {
        scansim_in(
            &dir,
            &[
                "diff",
                "base.toml",
                "registry.json",
                "--replications",
                "2",
                "--fail-above",
                limit,
                "--out",
                out,
                "-q",
            ],
        )
    };
    // Continuous scanning of 25 more repositories costs more than 0.01 USD a month.
    let o = run("0.01", "above");
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("more than --fail-above 0.01") && !stderr.contains("error"),
        "{stderr}"
    );
    let j = read_json(&dir.join("above/diff.json"));
    assert_eq!(
        (j["exceeded"].clone(), j["fail_above_usd"].clone()),
        (true.into(), 0.01.into())
    );
    assert!(read_text(&dir.join("above/diff.md")).contains("**Above the limit:**"));
    let o = run("100000", "within");
    assert_eq!(o.status.code(), Some(0));
    assert!(read_text(&dir.join("within/diff.md")).contains("Within the limit:"));
    // A negative limit: fails unless the change saves at least that much.
    let o = run("-100000", "saving");
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn scenarios_that_cannot_be_compared_are_said_to_be_so() {
    let dir = setup("apart");
    dir.write("longer.toml", base().replace("days = 30", "days = 31"));
    let (md, j) = diff(&dir, "longer.toml", "days", &["--replications", "2"]);
    assert_eq!(j["comparable"], false);
    assert!(
        md.contains(
            "> **Not comparable:** the base reports 30 days from 2026-03-01, the proposal 31 \
             days from 2026-03-01"
        ),
        "{md}"
    );
    // Another seed: the base's is used, so both see the same traffic.
    dir.write("seed.toml", base().replace("seed = 8", "seed = 9"));
    let (md, j) = diff(&dir, "seed.toml", "seed", &["--replications", "2"]);
    assert_eq!(j["comparable"], true);
    assert!(
        md.contains("the proposal's seed 9 is replaced by the base's 8"),
        "{md}"
    );
    for (k, v) in j["difference"].as_object().unwrap() {
        assert_eq!(v["mean"], 0.0, "{k}: the same scenario on the same traffic");
    }
}

#[test]
fn bad_proposals_and_options_are_refused() {
    let dir = setup("bad");
    dir.write("broken.json", "{\"scanType\": ");
    let o = scansim_in(&dir, &["diff", "base.toml", "broken.json", "--out", "out"]);
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(msg.starts_with("broken.json:1:"), "{msg}");
    dir.write("odd.json", "{\"scanType\": \"FULL\"}");
    let o = scansim_in(&dir, &["diff", "base.toml", "odd.json", "--out", "out"]);
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(msg.contains("$.scanType: unknown scanType `FULL`"), "{msg}");
    let o = scansim_in(
        &dir,
        &[
            "diff",
            "base.toml",
            "registry.json",
            "--fail-above",
            "NaN",
            "--out",
            "out",
        ],
    );
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(msg.contains("--fail-above takes a number"), "{msg}");
    // A trace is fixed traffic: one replication.
    let demo = crate::common::repo_file("scenarios/trace-demo/scenario.toml");
    let o = scansim_in(
        &dir,
        &[
            "diff",
            demo.to_str().unwrap(),
            "registry.json",
            "--replications",
            "2",
            "--out",
            "out",
        ],
    );
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(
        msg.contains("a trace-driven scenario has one replication"),
        "{msg}"
    );
}
