//! `scansim calibrate`: traffic generated from known parameters, calibrated, gives the
//! parameters back within stated tolerances; the calibrated scenario runs; bad command
//! lines and inputs are refused.

use crate::common::*;

/// Known parameters: 80 repositories over 150 days of history (about 12 000 pushes and
/// 300 000 rows), a group without in-use observations using image indexes, and a group
/// whose repositories appear over 60 days.
const KNOWN: &str = r#"
[simulation]
start = "2026-06-01"
days = 1
seed = 11
[registry]
scan_type = "ENHANCED"
[synthetic]
history_days = 150
rescans_per_image_month = 4.0
[[synthetic.repositories]]
name = "team/svc-{i}"
count = 80
pushes_per_day = { median = 1.0, sigma = 0.8 }
weekday_weights = [1.3, 1.3, 1.2, 1.2, 1.0, 0.5, 0.5]
growth_per_month = 0.05
platforms = 2
unsupported_share = 0.1
deployed = 2
deploy_lag_hours = 3.0
deploy_pulls_per_day = 3.0
old_pulls_per_day = 0.5
old_pull_half_life_days = 10.0
delete_after_days = 60.0
[[synthetic.repositories]]
name = "edge/svc-{i}"
count = 20
pushes_per_day = 0.5
platforms = 2
image_index = true
moving_tag = "stable"
version_tags = false
in_use = false
deployed = 0
old_pulls_per_day = 0.3
old_pull_half_life_days = 5.0
[[synthetic.repositories]]
name = "new/svc-{i}"
count = 30
pushes_per_day = 1.0
start = "2026-02-01"
appear_over_days = 60
"#;

/// The calibrated scenario as TOML.
fn calibrate(dir: &WorkDir, trace: &str, extra: &[&str]) -> toml::Table {
    let mut args = vec!["calibrate", trace, "--out"];
    let out = dir.arg("cal.toml");
    args.push(&out);
    args.extend_from_slice(extra);
    scansim_ok(&args);
    dir.read("cal.toml")
        .parse()
        .expect("calibrated scenario is TOML")
}

fn group<'t>(cal: &'t toml::Table, name: &str) -> &'t toml::Table {
    cal["synthetic"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_table().unwrap())
        .find(|g| g["group"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no group {name}"))
}

fn f(t: &toml::Table, key: &str) -> f64 {
    match &t[key] {
        toml::Value::Float(v) => *v,
        toml::Value::Integer(v) => *v as f64,
        v => panic!("{key} = {v}"),
    }
}

fn near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

#[test]
fn round_trip_gives_back_the_parameters() {
    let dir = WorkDir::new("cal-round-trip");
    dir.write("known.toml", KNOWN);
    scansim_ok(&[
        "generate",
        &dir.arg("known.toml"),
        "--trace-out",
        &dir.arg("t.csv"),
    ]);
    let cal = calibrate(&dir, &dir.arg("t.csv"), &[]);
    assert_eq!(
        cal["simulation"]["start"].as_str(),
        Some("2026-06-02"),
        "the day after the trace"
    );
    near(
        "rescans",
        f(
            &cal["synthetic"].as_table().unwrap(),
            "rescans_per_image_month",
        ),
        4.0,
        0.2,
    );

    let team = group(&cal, "team");
    assert_eq!(team["count"].as_integer(), Some(80));
    let rate = team["pushes_per_day"].as_table().expect("log-normal rates");
    near("median", f(rate, "median"), 1.0, 0.2);
    near("sigma", f(rate, "sigma"), 0.8, 0.15);
    let want = [1.3, 1.3, 1.2, 1.2, 1.0, 0.5, 0.5];
    for (w, want) in team["weekday_weights"].as_array().unwrap().iter().zip(want) {
        near("weekday weight", w.as_float().unwrap(), want, 0.1);
    }
    near("growth", f(team, "growth_per_month"), 0.05, 0.02);
    assert_eq!(team["platforms"].as_integer(), Some(2));
    assert_eq!(team["image_index"].as_bool(), Some(false));
    near("unsupported", f(team, "unsupported_share"), 0.1, 0.02);
    assert_eq!(team["moving_tag"].as_str(), Some("latest"));
    assert_eq!(team["version_tags"].as_bool(), Some(true));
    assert_eq!(team["in_use"].as_bool(), Some(true));
    assert_eq!(team["deployed"].as_integer(), Some(2));
    near("deploy lag", f(team, "deploy_lag_hours"), 3.0, 0.1);
    near("deploy pulls", f(team, "deploy_pulls_per_day"), 3.0, 0.3);
    near("old pulls", f(team, "old_pulls_per_day"), 0.5, 0.075);
    near("half-life", f(team, "old_pull_half_life_days"), 10.0, 1.5);
    near("delete after", f(team, "delete_after_days"), 60.0, 0.1);
    assert!(!team.contains_key("appear_over_days"), "{team:?}");

    let edge = group(&cal, "edge");
    near("fixed rate", f(edge, "pushes_per_day"), 0.5, 0.05);
    assert_eq!(edge["image_index"].as_bool(), Some(true));
    assert_eq!(edge["platforms"].as_integer(), Some(2));
    assert_eq!(edge["moving_tag"].as_str(), Some("stable"));
    assert_eq!(edge["version_tags"].as_bool(), Some(false));
    assert_eq!(edge["in_use"].as_bool(), Some(false));
    assert_eq!(edge["deployed"].as_integer(), Some(0));
    near("edge old pulls", f(edge, "old_pulls_per_day"), 0.3, 0.06);
    near(
        "edge half-life",
        f(edge, "old_pull_half_life_days"),
        5.0,
        1.0,
    );
    assert!(!edge.contains_key("weekday_weights") && !edge.contains_key("delete_after_days"));

    let new = group(&cal, "new");
    near("new rate", f(new, "pushes_per_day"), 1.0, 0.15);
    let start = new["start"].as_str().unwrap();
    assert!(
        ("2026-02-01".."2026-02-04").contains(&start),
        "start {start}"
    );
    near("appear over", f(new, "appear_over_days"), 60.0, 6.0);

    // The calibrated scenario runs as it is.
    let o = run_scenario(
        &dir.join("cal.toml"),
        &dir.join("out"),
        &["--no-charts", "-q"],
    );
    assert_success(&o);
}
