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
            cal["synthetic"].as_table().unwrap(),
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

/// A small registry: 6 repositories, 40 days, deployments of the 2 newest pushes and a
/// cleanup that deletes images 20 days after their push.
const SMALL: &str = r#"
[simulation]
start = "2026-03-01"
days = 1
seed = 5
[registry]
scan_type = "ENHANCED"
[synthetic]
history_days = 40
[[synthetic.repositories]]
name = "team/svc-{i}"
count = 6
pushes_per_day = 1.0
deployed = 2
delete_after_days = 20.0
"#;

/// The continuation of the small registry's trace from 2026-03-02, for two of its
/// repositories and one new one.
const CONTINUED: &str = r#"
[simulation]
start = "2026-03-02"
days = 10
seed = 9
[registry]
scan_type = "ENHANCED"
[traffic]
history = "history.csv"
[synthetic]
[[synthetic.repositories]]
group = "team"
names = ["team/svc-1", "team/svc-2", "team/new"]
pushes_per_day = 1.0
deployed = 2
delete_after_days = 20.0
"#;

fn rows_of(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn history_then_continuation() {
    let dir = WorkDir::new("cal-continued");
    dir.write("small.toml", SMALL);
    dir.write("scenario.toml", CONTINUED);
    scansim_ok(&[
        "generate",
        &dir.arg("small.toml"),
        "--trace-out",
        &dir.arg("history.csv"),
    ]);
    scansim_ok(&[
        "generate",
        &dir.arg("scenario.toml"),
        "--trace-out",
        &dir.arg("all.csv"),
    ]);
    let history = dir.read("history.csv");
    let all = dir.read("all.csv");
    // The days before 0 are the history, row for row.
    let (before, after): (Vec<&str>, Vec<&str>) = all
        .lines()
        .partition(|l| l.starts_with("time,") || *l < "2026-03-02");
    assert_eq!(before, history.lines().collect::<Vec<_>>());
    let after: Vec<Vec<String>> = after
        .iter()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert!(after.len() > 50, "{} rows after day 0", after.len());

    // Live images carry on: version numbers go on from the history's last one, the
    // newest history push is deployed (pulled after day 0), and the cleanup deletes
    // history images 20 days after their real push.
    let hist = rows_of(&history);
    let pushed: std::collections::BTreeMap<&str, &str> = hist
        .iter()
        .filter(|r| r[1] == "push")
        .map(|r| (r[3].as_str(), r[0].as_str()))
        .collect();
    let last_v = |repo: &str| {
        hist.iter()
            .filter(|r| r[1] == "push" && r[2] == repo)
            .filter_map(|r| {
                r[4].split(';')
                    .find_map(|t| t.strip_prefix('v')?.parse::<u64>().ok())
            })
            .max()
            .unwrap()
    };
    let first_push = after
        .iter()
        .find(|r| r[1] == "push" && r[2] == "team/svc-1")
        .unwrap();
    assert!(
        first_push[4].contains(&format!("v{}", last_v("team/svc-1") + 1)),
        "{first_push:?}"
    );
    let newest = hist
        .iter()
        .rfind(|r| r[1] == "push" && r[2] == "team/svc-2")
        .unwrap();
    assert!(
        after.iter().any(|r| r[1] == "pull" && r[3] == newest[3]),
        "newest image not pulled"
    );
    let new_first = after
        .iter()
        .find(|r| r[1] == "push" && r[2] == "team/new")
        .unwrap();
    assert!(new_first[4].contains("v1"), "{new_first:?}");
    let mut deletes = 0;
    for r in after.iter().filter(|r| r[1] == "delete") {
        if let Some(p) = pushed.get(r[3].as_str()) {
            let secs = |t: &str| scansim::base::time::parse_instant(t).unwrap();
            assert_eq!(secs(&r[0]) - secs(p), 20 * 86400, "{r:?} pushed {p}");
            deletes += 1;
        }
    }
    assert!(deletes > 0, "no history image deleted by the cleanup");

    // The run equals a replay of the trace it generates.
    let a = dir.join("a");
    let b = dir.join("b");
    assert_success(&run_scenario(
        &dir.join("scenario.toml"),
        &a,
        &["--no-charts", "-q"],
    ));
    assert_success(&run_scenario(
        &dir.join("scenario.toml"),
        &b,
        &["--no-charts", "-q", "--trace", &dir.arg("all.csv")],
    ));
    assert_eq!(
        read_text(&a.join("daily.csv")),
        read_text(&b.join("daily.csv"))
    );
}

/// `[traffic] history` and `names`: each rule refuses with the key.
#[test]
fn continuation_keys_are_checked() {
    let sim = "[simulation]\nstart = \"2026-03-02\"\ndays = 2\n";
    let group =
        "[[synthetic.repositories]]\ngroup = \"g\"\nnames = [\"a/b\"]\npushes_per_day = 1.0\n";
    let history =
        "time,event,repository,digest,tags,supported\n2026-03-01T00:00:00Z,push,a/b,d,,\n";
    let late = "time,event,repository,digest,tags,supported\n2026-03-02T00:00:00Z,push,a/b,d,,\n";
    for (i, (body, trace, want)) in [
        (
            "[traffic]\nhistory = \"h.csv\"\n",
            history,
            "traffic.history: a history is continued by synthetic traffic",
        ),
        (
            "[traffic]\ntrace = \"h.csv\"\nhistory = \"h.csv\"\n[synthetic]\n",
            history,
            "traffic.history: give `trace`",
        ),
        (
            "[traffic]\ntrace = \"h.csv\"\n[synthetic]\n",
            history,
            "one traffic source",
        ),
        (
            "[traffic]\nhistory = \"h.csv\"\n[synthetic]\nhistory_days = 5\n",
            history,
            "synthetic.history_days: with [traffic] history",
        ),
        (
            "[traffic]\nhistory = \"nope.csv\"\n[synthetic]\n",
            history,
            "traffic.history: file",
        ),
        (
            "[traffic]\nhistory = \"h.csv\"\n[synthetic]\n",
            late,
            "h.csv:2: a history ends before day 0 (2026-03-02)",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        // Without [synthetic] there is no group either (it would make the table).
        let group = if body.contains("[synthetic]") {
            group
        } else {
            ""
        };
        let s = ScenarioDir::new(
            &format!("cal-keys-{i}"),
            &[
                ("scenario.toml", &format!("{sim}{body}{group}")),
                ("h.csv", trace),
            ],
        );
        let msg = s.reject(&[]);
        assert!(msg.contains(want), "{body}: {msg}");
        // `validate` reads the history too.
        let o = scansim(&["validate", &s.sc()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(want),
            "validate {body}: {err}"
        );
    }
    for (i, (g, want)) in [
        (
            "names = [\"a/b\"]\nname = \"x-{i}\"\ngroup = \"g\"\n",
            "names",
        ),
        (
            "names = [\"a/b\"]\ncount = 1\ngroup = \"g\"\n",
            "count: give either `names`",
        ),
        (
            "names = []\ngroup = \"g\"\n",
            "names: give 1 to 1000000 repository names (got 0)",
        ),
        ("names = [\"A\"]\ngroup = \"g\"\n", "names[0]"),
        ("names = [\"a/b\"]\n", "missing key `group`"),
        (
            "names = [\"a/b\", \"a/b\"]\ngroup = \"g\"\n",
            "repository `a/b` is produced twice",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let text =
            format!("{sim}[synthetic]\n[[synthetic.repositories]]\npushes_per_day = 1.0\n{g}");
        let s = ScenarioDir::new(&format!("cal-names-{i}"), &[("scenario.toml", &text)]);
        let msg = s.reject(&[]);
        assert!(msg.contains(want), "{g}: {msg}");
    }
}

/// The command line is checked before any work, and nothing is replaced that
/// calibrate did not write.
#[test]
fn calibrate_refuses_bad_command_lines() {
    let dir = WorkDir::new("cal-refuse");
    let trace = dir.write(
        "t.csv",
        "time,event,repository,digest,tags,supported\n2026-03-01T00:00:00Z,push,a/b,d,v1,\n",
    );
    let t = trace.display().to_string();
    dir.write("empty.csv", "time,event,repository,digest,tags,supported\n");
    dir.write("mine.toml", "not a calibrated scenario\n");
    dir.write("g.toml", "[[group]]\nname = \"xy\"\n");
    let out = dir.arg("cal.toml");
    for (args, want) in [
        (
            vec!["calibrate", &t, "--out", &out, "--days", "0"],
            "--days is 1 to 3650 (got 0)",
        ),
        (
            vec!["calibrate", &t, "--out", &t],
            "an input of this command",
        ),
        (
            vec!["calibrate", &dir.arg("empty.csv"), "--out", &out],
            "the trace has no rows",
        ),
        (
            vec!["calibrate", &t, "--out", &dir.arg("mine.toml")],
            "--force",
        ),
        (
            vec![
                "calibrate",
                &t,
                "--out",
                &out,
                "--groups",
                &dir.arg("g.toml"),
            ],
            "missing key `filters`",
        ),
    ] {
        let o = scansim(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // The back-test's own rules (clap's refusals exit with 2).
    let bt = dir.arg("bt");
    let long = dir.write(
        "long.csv",
        "time,event,repository,digest,tags,supported\n2026-03-01T00:00:00Z,push,a/b,d,,\n\
         2026-03-20T00:00:00Z,push,a/b,e,,\n",
    );
    let l = long.display().to_string();
    for (args, want) in [
        (
            vec!["calibrate", &t, "--out", &bt, "--holdout", "1"],
            "no rows before the hold-out",
        ),
        (
            vec!["calibrate", &l, "--out", &bt, "--holdout", "10"],
            "keep at least 14",
        ),
        (
            vec!["calibrate", &l, "--out", &bt, "--holdout", "0"],
            "--holdout",
        ),
        (
            vec![
                "calibrate",
                &l,
                "--out",
                &bt,
                "--holdout",
                "2",
                "--replications",
                "1",
            ],
            "--replications is 2 to 1000",
        ),
        (
            vec![
                "calibrate",
                &l,
                "--out",
                &bt,
                "--holdout",
                "2",
                "--continue",
            ],
            "cannot be used with",
        ),
        (
            vec!["calibrate", &l, "--out", &bt, "--replications", "3"],
            "--holdout",
        ),
    ] {
        let o = scansim(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{args:?}: {err}");
        assert!(!dir.join("bt").exists(), "{args:?} left its output");
    }
    assert_eq!(dir.read("mine.toml"), "not a calibrated scenario\n");
    assert!(!dir.join("cal.toml").exists());
    // A calibrated scenario is replaced by the next calibration.
    scansim_ok(&["calibrate", &t, "--out", &out]);
    scansim_ok(&["calibrate", &t, "--out", &out, "--days", "10"]);
    assert!(dir.read("cal.toml").contains("days = 10"));
}

#[test]
fn sweep_refuses_a_history() {
    let dir = WorkDir::new("cal-sweep");
    dir.write(
        "h.csv",
        "time,event,repository,digest,tags,supported\n2026-03-01T00:00:00Z,push,a/b,d,,\n",
    );
    dir.write(
        "s.toml",
        "[simulation]\nstart = \"2026-03-02\"\ndays = 2\n[traffic]\nhistory = \"h.csv\"\n\
         [[synthetic.repositories]]\ngroup = \"g\"\nnames = [\"a/b\"]\npushes_per_day = 1.0\n",
    );
    let o = scansim(&[
        "sweep",
        &dir.arg("s.toml"),
        "--out",
        &dir.arg("o"),
        "--set",
        "pricing.rescan_usd=0.01,0.02",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("does not continue a [traffic] history"),
        "{err}"
    );
}

/// 40 repositories over 90 days (about 95 000 rows); the last 21 days are held out.
const BACKTEST: &str = r#"
[simulation]
start = "2026-04-01"
days = 1
seed = 21
[registry]
scan_type = "ENHANCED"
[synthetic]
history_days = 90
rescans_per_image_month = 6.0
[[synthetic.repositories]]
name = "team/svc-{i}"
count = 40
pushes_per_day = { median = 1.0, sigma = 0.7 }
weekday_weights = [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5]
deployed = 2
deploy_pulls_per_day = 2.0
delete_after_days = 45.0
"#;

#[test]
fn backtest_on_a_generated_registry() {
    let dir = WorkDir::new("cal-backtest");
    dir.write("bt.toml", BACKTEST);
    scansim_ok(&[
        "generate",
        &dir.arg("bt.toml"),
        "--trace-out",
        &dir.arg("t.csv"),
    ]);
    let out = dir.arg("bt");
    scansim_ok(&[
        "calibrate",
        &dir.arg("t.csv"),
        "--holdout",
        "21",
        "--replications",
        "8",
        "--out",
        &out,
    ]);
    let figures = read_csv(&dir.join("bt/backtest.csv"));
    let names: Vec<&str> = figures.iter().map(|r| r["figure"].as_str()).collect();
    assert_eq!(
        names,
        [
            "pushes",
            "mean active images",
            "in-use coverage %",
            "cost USD"
        ]
    );
    let cost = &figures[3];
    let err: f64 = cost["error_pct"].parse().unwrap();
    assert!(err.abs() < 5.0, "forecast cost off by {err} %: {cost:?}");
    assert_eq!(cost["inside"], "true", "{cost:?}");
    for r in &figures {
        let (lo, hi): (f64, f64) = (
            r["forecast_low"].parse().unwrap(),
            r["forecast_high"].parse().unwrap(),
        );
        assert!(lo <= hi, "{r:?}");
    }
    // The daily rows add up to the totals compared, and cover the hold-out.
    let daily = read_csv(&dir.join("bt/daily.csv"));
    assert_eq!(daily.len(), 21);
    assert_eq!(daily[0]["date"], "2026-03-12");
    let sum: f64 = daily
        .iter()
        .map(|r| r["actual_cost_usd"].parse::<f64>().unwrap())
        .sum();
    let actual: f64 = cost["actual"].parse().unwrap();
    assert!((sum - actual).abs() < 0.05, "{sum} vs {actual}");
    // The actual is the trace replayed over the hold-out.
    assert_success(&run_scenario(
        &dir.join("bt/actual.toml"),
        &dir.join("a"),
        &["--no-charts", "-q"],
    ));
    let replayed: i64 = csv_column(&dir.read("a/daily.csv"), "cost_usd")
        .iter()
        .map(|c| cents(c))
        .sum();
    assert!(
        (replayed as f64 / 100.0 - actual).abs() < 0.05,
        "{replayed} vs {actual}"
    );
    let md = dir.read("bt/backtest.md");
    assert!(
        md.contains("| cost USD | ") && md.contains("![Daily cost](cost.png)"),
        "{md}"
    );
    // The fitted scenario continues the history it was fitted on.
    assert!(
        dir.read("bt/scenario.toml")
            .contains("history = \"history.csv\"")
    );
    assert!(dir.read("bt/history.csv").lines().last().unwrap() < "2026-03-12");
}

/// A describe-images and list-coverage export: the scenario says what a snapshot cannot
/// tell and keeps the generator's defaults there.
#[test]
fn a_snapshot_is_called_one() {
    let dir = WorkDir::new("cal-snapshot");
    let trace = repo_file("tests/fixtures/import/expected-all.csv");
    let cal = dir.arg("cal.toml");
    scansim_ok(&["calibrate", &trace.display().to_string(), "--out", &cal]);
    let text = dir.read("cal.toml");
    assert!(text.contains("looks like a snapshot"), "{text}");
    assert!(text.contains("knows nothing of deleted images"), "{text}");
    let t: toml::Table = text.parse().unwrap();
    let web = group(&t, "web");
    assert_eq!(web["deployed"].as_integer(), Some(1));
    assert_eq!(f(web, "old_pulls_per_day"), 0.2);
    assert!(!web.contains_key("deploy_lag_hours") && !web.contains_key("delete_after_days"));
    assert!(text.contains("# Not fitted (a snapshot)"), "{text}");
}

/// `--usage`: ECR_RESCAN over the mean live supported images of the trace's last 30
/// days; `--groups`: groups named by filters, the rest by the first segment.
#[test]
fn usage_totals_and_group_rules() {
    let dir = WorkDir::new("cal-usage");
    let trace = dir.write(
        "t.csv",
        "time,event,repository,digest,tags,supported\n\
         2026-03-01T01:00:00Z,push,api-prod,a,,\n\
         2026-03-01T02:00:00Z,push,web/x,b,,\n\
         2026-03-01T03:00:00Z,push,web/y,c,,false\n",
    );
    dir.write(
        "usage.json",
        r#"{"totals": [{"accountId": "123456789012", "usage": [
            {"type": "ECR_RESCAN", "total": 120.0, "estimatedMonthlyCost": 1.2, "currency": "USD"}]}]}"#,
    );
    dir.write(
        "g.toml",
        "[[group]]\nname = \"prod\"\nfilters = [\"*-prod\"]\n",
    );
    let t = trace.display().to_string();
    let cal = calibrate(
        &dir,
        &t,
        &[
            "--usage",
            &dir.arg("usage.json"),
            "--groups",
            &dir.arg("g.toml"),
        ],
    );
    // 120 rescans over 2 live supported images (the unsupported one does not count).
    near(
        "rescans",
        f(
            cal["synthetic"].as_table().unwrap(),
            "rescans_per_image_month",
        ),
        60.0,
        1e-9,
    );
    assert_eq!(group(&cal, "prod")["name"].as_str(), Some("api-prod"));
    assert_eq!(group(&cal, "web")["count"].as_integer(), Some(2));
    assert!(
        dir.read("cal.toml")
            .contains("ECR_RESCAN in the usage totals")
    );
}

/// A repository-wide update counts as a trigger for each of its live supported images;
/// days with a registry-wide update become burst days.
#[test]
fn feed_updates_give_the_rescan_rate_and_bursts() {
    let dir = WorkDir::new("cal-feed");
    let trace = dir.write(
        "t.csv",
        "time,event,repository,digest,tags,supported\n\
         2026-03-01T01:00:00Z,push,web/x,b,,\n\
         2026-03-01T01:00:01Z,push,api/y,c,,\n\
         2026-03-01T02:00:00Z,vulndb_update,,,,\n\
         2026-03-02T02:00:00Z,vulndb_update,web/x,,,\n",
    );
    let cal = calibrate(&dir, &trace.display().to_string(), &[]);
    let syn = cal["synthetic"].as_table().unwrap();
    // 1 trigger (web/x's one image) over 2 images × 2 days, per 30 days.
    near("rescans", f(syn, "rescans_per_image_month"), 7.5, 1e-9);
    // 1 day in 2 has a registry-wide update; each such day about one trigger per image.
    near("burst days", f(syn, "burst_days_per_year"), 182.5, 1e-9);
    near("burst multiplier", f(syn, "burst_multiplier"), 5.0, 1e-9);
}
