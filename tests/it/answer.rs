//! The answer of a run: the sentences `run` prints (figures equal to `summary.json`),
//! `--replications` (mean and 95 % interval, replication 0 unchanged), and the warnings
//! that catch common mistakes in `validate`, `run` and `summary.json`.

use crate::common::{
    ScenarioDir, WorkDir, assert_success, bin, count, expect_clean_failure, pct, read_bytes,
    read_json, run_scenario, usd, whole_pct,
};
use scansim::app::sweep::spec::replication_seed;
use serde_json::Value;
use std::process::Output;

/// Two groups over 40 days from mid-January (so the first month is partial): production
/// continuously scanned, development scanned on push, from day 0.
const SMALL: &str = r#"
[simulation]
start = "2027-01-15"
days = 40
seed = 7

[registry]
scan_type = "BASIC"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }]

[inspector]
push_duration = "DAYS_14"
pull_duration = "DAYS_14"

[[timeline]]
at = "2027-01-15T00:00:00Z"
registry = { scan_type = "ENHANCED", rules = [
    { scan_frequency = "CONTINUOUS_SCAN", filters = ["prod/*"] },
    { scan_frequency = "SCAN_ON_PUSH", filters = ["*"] },
] }

[synthetic]
history_days = 30

[[synthetic.repositories]]
name = "prod/svc-{i}"
group = "prod"
count = 3
pushes_per_day = 0.5
deployed = 1

[[synthetic.repositories]]
name = "dev/svc-{i}"
group = "dev"
count = 3
pushes_per_day = 2.0
deployed = 1
"#;

fn small(name: &str) -> ScenarioDir {
    ScenarioDir::new(name, &[("scenario.toml", SMALL)])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut x = v;
    for p in path {
        x = &x[p];
    }
    x.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number in {v}"))
}

/// The line of `text` that starts with `prefix`.
fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with `{prefix}` in:\n{text}"))
}

#[test]
fn run_prints_the_answer_with_the_figures_of_summary_json() {
    let t = small("answer-terminal");
    let o = run_scenario(&t.dir.join("scenario.toml"), &t.out, &[]);
    assert_success(&o);
    let out = stdout(&o);
    let s = read_json(&t.out.join("summary.json"));
    let lines: Vec<&str> = out.lines().collect();
    assert!((3..=6).contains(&lines.len()), "three to six lines:\n{out}");
    let cost = line(&out, "Enhanced scanning costs ");
    let want = format!(
        "Enhanced scanning costs {} per 30 days, {} over the 40 days from 2027-01-15 to \
         2027-02-23.",
        usd(num(&s, &["figures", "cost_per_30_days_usd"])),
        usd(num(&s, &["totals", "cost_usd"]))
    );
    assert_eq!(cost, want);
    let cov = line(&out, "Continuous scanning monitors ");
    for figure in [
        pct(num(&s, &["figures", "mean_continuous_coverage_pct"])),
        pct(num(&s, &["figures", "mean_in_use_coverage_pct"])),
        count(num(&s, &["figures", "mean_exposed"])),
    ] {
        assert!(
            cov.contains(&format!(" {figure} ")),
            "`{figure}` in {cov:?}"
        );
    }
    let sop = num(&s, &["by_scan_frequency", "SCAN_ON_PUSH", "cost_share_pct"]);
    let cont = num(
        &s,
        &["by_scan_frequency", "CONTINUOUS_SCAN", "cost_share_pct"],
    );
    assert!(sop > 0.0 && cont > 0.0, "both kinds cost something: {s}");
    assert_eq!((sop * 100.0 + cont * 100.0).round(), 10_000.0);
    let money = line(&out, &whole_pct(sop));
    assert!(
        money.contains("of the cost is scan on push")
            && money.contains("never counted as continuously covered")
            && money.ends_with("the rest is continuous scanning."),
        "{money}"
    );
    assert!(line(&out, "These figures are one draw").contains("--replications"));
    assert_eq!(
        lines.last().unwrap(),
        &format!("Open {}", t.out.join("report.html").display())
    );
    assert!(!out.contains("warning"), "no warning here:\n{out}");
}

#[test]
fn quiet_silences_the_answer() {
    let t = small("answer-quiet");
    let o = run_scenario(
        &t.dir.join("scenario.toml"),
        &t.out,
        &["--quiet", "--no-charts"],
    );
    assert_success(&o);
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "");
    // Without charts the answer points to the directory.
    let o = run_scenario(&t.dir.join("scenario.toml"), &t.out, &["--no-charts"]);
    assert_success(&o);
    let out = stdout(&o);
    assert_eq!(
        out.lines().last().unwrap(),
        format!("Outputs in {}", t.out.display())
    );
}

// ---------------------------------------------------------------------------------------
// Replications

/// The unrounded cost per 30 days of a run (prices in whole cents, so the total of
/// summary.json is exact).
fn cost_per_30(s: &Value) -> f64 {
    num(s, &["totals", "cost_usd"]) * 30.0 / num(s, &["days"])
}

#[test]
fn replications_give_the_mean_and_interval_and_keep_replication_0() {
    let t = small("answer-replications");
    let sc = t.dir.join("scenario.toml");
    let single = t.dir.join("single");
    assert_success(&run_scenario(&sc, &single, &["--quiet"]));
    let o = run_scenario(&sc, &t.out, &["--replications", "3"]);
    assert_success(&o);
    // Replication 0 is the run itself: the data files byte for byte, the same figures.
    for f in [
        "daily.csv",
        "monthly.csv",
        "repositories.csv",
        "groups.csv",
        "coverage.svg",
        "cost.svg",
        "cost_by_month.svg",
        "coverage.png",
        "cost.png",
        "cost_by_month.png",
    ] {
        assert_eq!(
            read_bytes(&t.out.join(f)),
            read_bytes(&single.join(f)),
            "{f} of replication 0"
        );
    }
    let (a, b) = (
        read_json(&single.join("summary.json")),
        read_json(&t.out.join("summary.json")),
    );
    for key in [
        "figures",
        "totals",
        "by_scan_frequency",
        "last_day",
        "warnings",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert_eq!(a["replications"], Value::Null);
    // Replication k is the run of the sweep's seed k.
    let reps = &b["replications"];
    let seeds: Vec<u64> = reps["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        seeds,
        (0..3).map(|k| replication_seed(7, k)).collect::<Vec<_>>()
    );
    assert_eq!(seeds[0], 7);
    let costs = costs_of_seeds(&t, &a, &seeds);
    // Mean and Student-t interval (t(0.975, 2) = 4.302652730), by hand.
    let mean = costs.iter().sum::<f64>() / 3.0;
    let sd = (costs.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let hw = 4.302_652_730 * sd / 3f64.sqrt();
    let c = &reps["figures"]["cost_per_30_days_usd"];
    let close = |got: f64, want: f64| (got - want).abs() <= 0.006;
    assert!(close(num(c, &["mean"]), mean), "mean {c} vs {mean}");
    assert!(
        close(num(c, &["ci95_low"]), mean - hw),
        "low {c} vs {}",
        mean - hw
    );
    assert!(close(num(c, &["ci95_high"]), mean + hw), "high {c}");
    let (lo, hi) = costs
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
    assert!(
        close(num(c, &["min"]), lo) && close(num(c, &["max"]), hi),
        "{c}"
    );
    assert!(hw > 0.0, "the seeds give different costs: {costs:?}");
    // The terminal gives the mean and the interval.
    let out = stdout(&o);
    let first = line(&out, "Enhanced scanning costs ");
    let low = usd(num(c, &["ci95_low"]));
    let range = format!(
        "{} – {}",
        low.trim_end_matches(" USD"),
        usd(num(c, &["ci95_high"]))
    );
    assert!(
        first.starts_with(&format!(
            "Enhanced scanning costs {} per 30 days on average over 3 replications",
            usd(num(c, &["mean"]))
        )) && first.contains(&format!("(95 % interval {range})")),
        "{first}"
    );
    assert!(line(&out, "Each range is the 95 % confidence interval").contains("seed 7"));
    // The report gives the mean and the interval of each figure too.
    let html = crate::common::read_text(&t.out.join("report.html"));
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&html, opts).unwrap();
    let cell = doc
        .descendants()
        .find(|n| n.attribute("data-replications") == Some("cost_per_30_days_usd"))
        .expect("the cost over the replications in the report");
    assert_eq!(
        cell.text(),
        Some(format!("{} ({range})", usd(num(c, &["mean"]))).as_str())
    );
}

/// The cost per 30 days of replication 0 (`first`) and of `run --seed` with each further
/// seed.
fn costs_of_seeds(t: &ScenarioDir, first: &Value, seeds: &[u64]) -> Vec<f64> {
    let sc = t.dir.join("scenario.toml");
    let mut costs = vec![cost_per_30(first)];
    for (k, seed) in seeds.iter().enumerate().skip(1) {
        let out = t.dir.join(format!("seed-{k}"));
        assert_success(&run_scenario(
            &sc,
            &out,
            &["--quiet", "--no-charts", "--seed", &seed.to_string()],
        ));
        costs.push(cost_per_30(&read_json(&out.join("summary.json"))));
    }
    costs
}

#[test]
fn replications_do_not_depend_on_the_thread_count() {
    let t = small("answer-threads");
    let sc = t.dir.join("scenario.toml");
    let mut got = Vec::new();
    for threads in ["1", "2"] {
        let o = bin()
            .arg("run")
            .arg(&sc)
            .args(["--out", &t.dir.join(threads).display().to_string()])
            .args(["--replications", "4", "--quiet", "--no-charts"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_success(&o);
        got.push(read_json(&t.dir.join(threads).join("summary.json"))["replications"].clone());
    }
    assert_ne!(got[0], Value::Null);
    assert_eq!(got[0], got[1]);
}

#[test]
fn replications_need_synthetic_traffic_and_two_runs() {
    let t = ScenarioDir::new(
        "answer-replications-trace",
        &[
            ("scenario.toml", trace_scenario("").as_str()),
            (
                "events.csv",
                "time,event,repository,digest\n2026-01-01T10:00:00Z,push,payments/prod-svc-3,sha256:a\n",
            ),
        ],
    );
    let msg = expect_clean_failure(
        &run_scenario(
            &t.dir.join("scenario.toml"),
            &t.out,
            &["--replications", "5"],
        ),
        &t.out,
    );
    assert!(
        msg.contains("--replications needs synthetic traffic") && msg.contains("events.csv"),
        "{msg}"
    );
    // --trace over a synthetic scenario is fixed traffic too.
    let s = small("answer-replications-override");
    let trace = s.dir.join("t.csv");
    std::fs::write(&trace, "time,event,repository,digest\n").unwrap();
    let msg = expect_clean_failure(
        &run_scenario(
            &s.dir.join("scenario.toml"),
            &s.out,
            &[
                "--replications",
                "2",
                "--trace",
                &trace.display().to_string(),
            ],
        ),
        &s.out,
    );
    assert!(
        msg.contains("--replications needs synthetic traffic"),
        "{msg}"
    );
    for n in ["1", "0", "100001"] {
        let msg = expect_clean_failure(
            &run_scenario(&s.dir.join("scenario.toml"), &s.out, &["--replications", n]),
            &s.out,
        );
        assert!(
            msg.contains("--replications must be between 2 and 100000"),
            "{n}: {msg}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Warnings

/// A trace scenario over three repositories; `extra` is added to the TOML.
fn trace_scenario(extra: &str) -> String {
    format!(
        r#"
[simulation]
start = "2026-01-01"
days = 5

[registry]
scan_type = "ENHANCED"
rules = [
    {{ scan_frequency = "CONTINUOUS_SCAN", filters = ["prod-*"] }},
    {{ scan_frequency = "SCAN_ON_PUSH", filters = ["*/dev-*", "staging-*"] }},
]
{extra}
[traffic]
trace = "events.csv"
"#
    )
}

const TRACE: &str = "time,event,repository,digest,tags
2026-01-01T10:00:00Z,push,payments/prod-svc-3,sha256:a,latest
2026-01-01T11:00:00Z,push,payments/dev-svc-1,sha256:b,latest
2026-01-02T11:00:00Z,push,payments/dev-svc-2,sha256:c,latest
";

const LIFECYCLE: &str = r#"{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged",
 "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
 "action": {"type": "expire"}}]}"#;

/// Runs `validate` and `run`; returns validate's stdout, run's stdout and stderr, and
/// the warnings of summary.json.
fn warnings_everywhere(t: &ScenarioDir, extra: &[&str]) -> (String, String, Vec<String>) {
    let sc = t.dir.join("scenario.toml");
    let v = bin().arg("validate").arg(&sc).output().unwrap();
    assert_success(&v);
    let o = run_scenario(&sc, &t.out, extra);
    assert_success(&o);
    let s = read_json(&t.out.join("summary.json"));
    let w = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (stdout(&v), format!("{}{}", stdout(&o), stderr(&o)), w)
}

/// `needle` is in one warning of each: validate, run, summary.json.
fn warned(all: &(String, String, Vec<String>), needle: &str) {
    let (v, r, s) = all;
    for (what, text) in [("validate", v), ("run", r)] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("warning: ") && l.contains(needle)),
            "{what} warns `{needle}`:\n{text}"
        );
    }
    assert!(
        s.iter().any(|w| w.contains(needle)),
        "summary.json warns `{needle}`: {s:?}"
    );
}

#[test]
fn filters_and_rules_that_match_nothing_are_warned_with_a_hint() {
    let extra = "[[lifecycle]]\nrepositories = [\"qa\"]\npolicy = \"lifecycle.json\"\n";
    let t = ScenarioDir::new(
        "warn-filters",
        &[
            ("scenario.toml", trace_scenario(extra).as_str()),
            ("events.csv", TRACE),
            ("lifecycle.json", LIFECYCLE),
        ],
    );
    let all = warnings_everywhere(&t, &[]);
    // A rule whose only filter matches nothing, with the filter that would.
    warned(
        &all,
        "[registry] rule 1 (CONTINUOUS_SCAN) matches none of the 3 repositories seen in the \
         traffic: its filters match nothing: `prod-*` (a filter with * must match the whole \
         name; did you mean `*/prod-*`? (it matches 1 repository))",
    );
    // One filter of a rule that matches otherwise.
    warned(
        &all,
        "[registry] rule 2 (SCAN_ON_PUSH): filter `staging-*` matches none of the 3 \
         repositories seen in the traffic: a filter with * must match the whole name",
    );
    // A lifecycle assignment that matches nothing.
    warned(&all, "lifecycle[0]");
    warned(&all, "no name contains `qa`");
    // The filter that matches is not warned.
    assert!(
        !all.2.iter().any(|w| w.contains("`*/dev-*`")),
        "{:?}",
        all.2
    );
    assert_eq!(all.2.len(), 3, "{:?}", all.2);
    // validate lists what each filter matches, with a few names.
    let v = &all.0;
    for want in [
        "      rule 1 (CONTINUOUS_SCAN):\n        `prod-*` matches 0\n",
        "      rule 2 (SCAN_ON_PUSH):\n        `*/dev-*` matches 2: payments/dev-svc-1, \
         payments/dev-svc-2\n        `staging-*` matches 0\n",
        "    `qa` matches 0\n",
    ] {
        assert!(v.contains(want), "validate shows\n{want}\nin:\n{v}");
    }
}

#[test]
fn a_rule_without_filters_is_warned() {
    // A timeline entry setting the same configuration again is not warned twice; one
    // with another configuration is warned where it is set.
    let extra = "[[timeline]]\nat = \"2026-01-02T00:00:00Z\"\nregistry = { scan_type = \"ENHANCED\", \
                 rules = [{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [] }, \
                 { scan_frequency = \"SCAN_ON_PUSH\", filters = [\"*/dev-*\"] }] }\n\
                 [[timeline]]\nat = \"2026-01-03T00:00:00Z\"\nregistry = { scan_type = \"ENHANCED\", \
                 rules = [{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"dev-*\"] }] }\n";
    let toml = trace_scenario(extra)
        .replace("filters = [\"prod-*\"]", "filters = []")
        .replace(", \"staging-*\"", "");
    let t = ScenarioDir::new(
        "warn-empty-rule",
        &[("scenario.toml", toml.as_str()), ("events.csv", TRACE)],
    );
    let all = warnings_everywhere(&t, &[]);
    warned(
        &all,
        "[registry] rule 1 (CONTINUOUS_SCAN) has no filters, so it matches no repository",
    );
    warned(
        &all,
        "timeline[1].registry rule 1 (SCAN_ON_PUSH) matches none of the 3 repositories",
    );
    assert_eq!(all.2.len(), 2, "{:?}", all.2);
}

#[test]
fn a_timeline_entry_at_or_after_the_horizon_is_warned() {
    let extra = "[[timeline]]\nat = \"2026-01-06T00:00:00Z\"\ninspector = { push_duration = \"DAYS_30\" }\n\
                 [[timeline]]\nat = \"2026-01-05T23:59:59Z\"\ninspector = { push_duration = \"DAYS_14\" }\n";
    let t = ScenarioDir::new(
        "warn-timeline",
        &[
            ("scenario.toml", trace_scenario(extra).as_str()),
            ("events.csv", TRACE),
        ],
    );
    let all = warnings_everywhere(&t, &[]);
    warned(
        &all,
        "timeline[0] at 2026-01-06T00:00:00Z is at or after the end of the simulation \
         (2026-01-06T00:00:00Z, the midnight ending its last day): it is never applied",
    );
    // One second earlier is applied.
    assert!(
        !all.2.iter().any(|w| w.contains("timeline[1]")),
        "{:?}",
        all.2
    );
}

#[test]
fn a_trace_without_rows_is_warned() {
    let t = ScenarioDir::new(
        "warn-empty-trace",
        &[
            ("scenario.toml", trace_scenario("").as_str()),
            ("events.csv", "time,event,repository,digest\n"),
        ],
    );
    let all = warnings_everywhere(&t, &[]);
    warned(&all, "events.csv has a header and no rows: nothing happens");
    // No filter warnings without repositories: the empty trace says it all.
    assert_eq!(all.2.len(), 1, "{:?}", all.2);
}

/// The trace scenario with filters that all match: no warning of its own.
fn clean_trace(name: &str) -> ScenarioDir {
    let toml = trace_scenario("")
        .replace("\"prod-*\"", "\"*/prod-*\"")
        .replace(", \"staging-*\"", "");
    ScenarioDir::new(
        name,
        &[("scenario.toml", toml.as_str()), ("events.csv", TRACE)],
    )
}

#[test]
fn seed_on_a_trace_is_warned() {
    let t = clean_trace("warn-seed");
    let o = run_scenario(&t.dir.join("scenario.toml"), &t.out, &["--seed", "5"]);
    assert_success(&o);
    let s = read_json(&t.out.join("summary.json"));
    let w = s["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    let w = w[0].as_str().unwrap();
    assert!(
        w.starts_with("--seed 5 has no effect: the traffic is the trace ")
            && w.contains("events.csv"),
        "{w}"
    );
    // Repeated at the end of the answer; with --quiet on stderr only.
    assert!(
        stdout(&o).ends_with(&format!("warning: {w}\n")),
        "{}",
        stdout(&o)
    );
    let o = run_scenario(
        &t.dir.join("scenario.toml"),
        &t.out,
        &["--seed", "5", "--quiet"],
    );
    assert_success(&o);
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), format!("warning: {w}\n"));
    // Without --seed: no warning.
    let o = run_scenario(&t.dir.join("scenario.toml"), &t.out, &["--quiet"]);
    assert_eq!(stderr(&o), "");
}

#[test]
fn the_answer_of_a_trace_has_no_replication_note() {
    let t = clean_trace("answer-trace");
    let dir = WorkDir::new("answer-trace-out");
    let o = run_scenario(&t.dir.join("scenario.toml"), &dir.join("out"), &[]);
    assert_success(&o);
    let out = stdout(&o);
    assert!(
        out.contains("The traffic is a recorded trace: the figures have no random spread."),
        "{out}"
    );
    assert!(!out.contains("--replications"), "{out}");
}
