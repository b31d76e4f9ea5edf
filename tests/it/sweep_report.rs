//! Sweep results for people (issue 14): the baseline is the scenario's own settings,
//! `sweep.md` and `sweep.html` say what each variant saves and loses against it with
//! intervals from the paired differences, the part under continuous scanning is figured
//! apart, and every point of the charts is labelled.

use crate::common::{WorkDir, read_csv, read_text, scansim_in, scansim_ok_in, switch_on_scenario};
use crate::report::{chromium_run, element, file_url, measure_page, text_of};
use std::collections::BTreeMap;

/// Continuous scanning for `prod-*` from day 3, scan on push for the rest.
fn scenario() -> String {
    switch_on_scenario(
        r#"start = "2026-01-01"
days = 40
seed = 3"#,
        r#"push_duration = "DAYS_30"
pull_duration = "DAYS_14""#,
        "2026-01-03T00:00:00Z",
        r#"[synthetic]
history_days = 60
[[synthetic.repositories]]
name = "prod-{i}"
group = "prod"
count = 6
pushes_per_day = { median = 0.4, sigma = 0.5 }
old_pulls_per_day = 0.3
[[synthetic.repositories]]
name = "dev-{i}"
group = "dev"
count = 6
pushes_per_day = 1.2
"#,
    )
}

fn ok(dir: &WorkDir, args: &[&str]) {
    scansim_ok_in(dir, args);
}

fn setup(name: &str) -> WorkDir {
    let dir = WorkDir::new(&format!("sweep-report-{name}"));
    dir.write("scenario.toml", scenario());
    dir
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

fn sweep(dir: &WorkDir, out: &str, sets: &[&str], extra: &[&str]) {
    let mut a = vec![
        "sweep",
        "scenario.toml",
        "--out",
        out,
        "--replications",
        "3",
        "-q",
    ];
    for s in sets {
        a.extend(["--set", s]);
    }
    a.extend_from_slice(extra);
    ok(dir, &a);
}

#[test]
fn the_scenarios_own_settings_are_the_baseline_wherever_they_are() {
    let dir = setup("baseline");
    // DAYS_30 (the scenario's) is the second value: variant 2 is the baseline.
    sweep(
        &dir,
        "own",
        &["inspector.push_duration=LIFETIME,DAYS_30,DAYS_14"],
        &["--no-charts"],
    );
    let rows = read_csv(&dir.join("own/sweep.csv"));
    let flags: Vec<&str> = rows.iter().map(|r| r["baseline"].as_str()).collect();
    assert_eq!(flags, ["0", "1", "0"]);
    // The differences are against it, replication by replication (runs.csv).
    let runs = read_csv(&dir.join("own/runs.csv"));
    let cost = |v: &str, k: &str| -> f64 {
        runs.iter()
            .find(|r| r["variant_no"] == v && r["replication"] == k)
            .map(|r| num(&r["cost_per_30_days_usd"]))
            .unwrap()
    };
    let d: f64 = ["0", "1", "2"]
        .iter()
        .map(|k| cost("1", k) - cost("2", k))
        .sum::<f64>()
        / 3.0;
    assert!(
        (num(&rows[0]["cost_per_30_days_usd_diff"]) - d).abs() < 1e-3,
        "{d} vs {}",
        rows[0]["cost_per_30_days_usd_diff"]
    );
    assert_eq!(rows[1]["cost_per_30_days_usd_diff"], "0.0000");
    let md = read_text(&dir.join("own/sweep.md"));
    assert!(
        md.contains(
            "**Baseline:** variant 2, DAYS_30 (`push_duration=DAYS_30`), which has the \
             scenario's own settings."
        ),
        "{md}"
    );

    // Not among the values: the scenario as it is comes first, named by its values.
    sweep(
        &dir,
        "added",
        &["inspector.push_duration=LIFETIME,DAYS_14"],
        &["--no-charts"],
    );
    let rows = read_csv(&dir.join("added/sweep.csv"));
    let names: Vec<&str> = rows.iter().map(|r| r["variant"].as_str()).collect();
    assert_eq!(
        names,
        [
            "push_duration=DAYS_30",
            "push_duration=LIFETIME",
            "push_duration=DAYS_14"
        ]
    );
    assert_eq!(rows[0]["baseline"], "1");
    assert_eq!(rows[0]["inspector.push_duration"], "DAYS_30");
    let md = read_text(&dir.join("added/sweep.md"));
    assert!(
        md.contains("**Baseline:** variant 1, the scenario's own settings"),
        "{md}"
    );
    // Its replication 0 is `scansim run` of the scenario.
    ok(
        &dir,
        &["run", "scenario.toml", "--out", "run", "--no-charts", "-q"],
    );
    assert_eq!(
        read_text(&dir.join("run/daily.csv")),
        read_text(&dir.join("added/variants/push_duration=DAYS_30/daily.csv"))
    );
}

#[test]
fn the_continuous_part_is_the_sum_of_the_continuous_repositories() {
    let dir = setup("part");
    sweep(
        &dir,
        "out",
        &["inspector.push_duration=DAYS_30,DAYS_14"],
        &["--no-charts"],
    );
    let runs = read_csv(&dir.join("out/runs.csv"));
    // Replication 0 of the DAYS_14 variant, against `scansim run` of it: the cost of the
    // repositories that end the run under continuous scanning (none changes frequency
    // after day 3).
    dir.write(
        "short.toml",
        scenario().replace("push_duration = \"DAYS_30\"", "push_duration = \"DAYS_14\""),
    );
    ok(
        &dir,
        &["run", "short.toml", "--out", "run", "--no-charts", "-q"],
    );
    let repos = read_csv(&dir.join("run/repositories.csv"));
    let by_freq = |f: &str| -> f64 {
        repos
            .iter()
            .filter(|r| r["scan_frequency"] == f)
            .map(|r| num(&r["cost_usd"]))
            .sum()
    };
    let r0 = runs
        .iter()
        .find(|r| r["variant_no"] == "2" && r["replication"] == "0")
        .unwrap();
    let part = num(&r0["continuous_part_cost_micro_usd"]) / 1e6;
    assert!(part > 0.0);
    assert!(
        (part - by_freq("CONTINUOUS_SCAN")).abs() < 0.01,
        "{part} vs {}",
        by_freq("CONTINUOUS_SCAN")
    );
    // The rest of the registry costs the same in both variants: the part holds the
    // whole difference.
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows[0]["continuous_repositories"], "6");
    let (whole, part) = (
        num(&rows[1]["cost_per_30_days_usd_diff"]),
        num(&rows[1]["continuous_part_cost_per_30_days_usd_diff"]),
    );
    assert!(
        whole < 0.0 && (whole - part).abs() < 1e-3,
        "{whole} vs {part}"
    );
    let md = read_text(&dir.join("out/sweep.md"));
    assert!(
        md.contains("6 of 12 repositories in the baseline")
            && md.contains("in every variant, to the micro-dollar"),
        "{md}"
    );
    // By group: prod and dev.
    assert!(md.contains("| # | variant | prod | dev |"), "{md}");
}

/// The texts of an SVG file.
fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let svg = read_text(path);
    let doc = roxmltree::Document::parse(&svg).expect("SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn every_point_is_labelled_and_coincident_variants_share_a_label() {
    let dir = setup("charts");
    // Without a pull window, the pull mode changes nothing: variants 2 and 3 coincide.
    sweep(
        &dir,
        "out",
        &[
            "inspector.push_duration=DAYS_30,DAYS_14",
            "inspector.pull_duration=DAYS_14,none",
            "inspector.pull_mode=LAST_PULL_DATE,LAST_IN_USE_AT",
        ],
        &[],
    );
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows.len(), 8);
    let texts = svg_texts(&dir.join("out/paired_differences.svg"));
    let tags: Vec<&String> = texts
        .iter()
        .filter(|t| {
            t.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
        })
        .filter(|t| !t.is_empty())
        .collect();
    // Variants 3 and 4 (DAYS_30 without a pull window, either mode) are one point.
    assert!(texts.iter().any(|t| t.contains("3, 4")), "{texts:?}");
    let mut named: Vec<u32> = tags
        .iter()
        .flat_map(|t| t.split(", ").filter_map(|n| n.trim().parse().ok()))
        .filter(|n| (1..=8).contains(n))
        .collect();
    named.sort();
    named.dedup();
    assert_eq!(named, (1..=8).collect::<Vec<_>>(), "{texts:?}");
    // The legend names each variant with its number.
    assert!(
        texts
            .iter()
            .any(|t| t == "4  DAYS_30 without a pull window, pull mode LAST_IN_USE_AT"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("1  DAYS_30 with a 14-day pull window"))
    );
    for f in ["cost_coverage.svg", "coverage.svg", "in_use_coverage.svg"] {
        let texts = svg_texts(&dir.join("out").join(f));
        assert!(texts.iter().any(|t| t.contains("3, 4")), "{f}: {texts:?}");
    }
    // --no-charts: no charts and no page.
    sweep(
        &dir,
        "plain",
        &["inspector.push_duration=DAYS_30,DAYS_14"],
        &["--no-charts"],
    );
    assert!(!dir.join("plain/sweep.html").exists());
    assert!(!dir.join("plain/paired_differences.svg").exists());
}

#[test]
fn sweep_md_and_sweep_html_give_the_same_answer() {
    let dir = setup("answer");
    sweep(
        &dir,
        "out",
        &["inspector.push_duration=LIFETIME,DAYS_30,DAYS_14"],
        &[],
    );
    let md = read_text(&dir.join("out/sweep.md"));
    let html = read_text(&dir.join("out/sweep.html"));
    let answer: Vec<&str> = md
        .split("## The answer\n\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .take_while(|p| !p.starts_with("**Baseline"))
        .collect();
    assert!(!answer.is_empty());
    let xml = html.replace("<!DOCTYPE html>", "");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let paras: Vec<String> = element(&doc, "id", "recommendation")
        .children()
        .filter(|n| n.has_tag_name("p"))
        .map(text_of)
        .collect();
    for (m, h) in answer.iter().zip(&paras) {
        assert_eq!(m.replace("**", ""), *h);
    }
    // The variants table: one row per variant, the baseline marked.
    let table = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("variants"))
        .expect("the variants table");
    let rows: Vec<_> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.attribute("data-variant").is_some())
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[1].attribute("class") == Some("baseline"),
        "DAYS_30 is the scenario's"
    );
    // Self-contained: no script, nothing loaded from elsewhere.
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    let saved: BTreeMap<String, String> = read_csv(&dir.join("out/sweep.csv"))
        .into_iter()
        .map(|r| (r["variant"].clone(), r["efficient"].clone()))
        .collect();
    assert_eq!(saved.len(), 3);
}

/// Measures the laid-out sweep page and puts the result in the title.
const MEASURE: &str = r#"<script>
var r = {width: document.documentElement.scrollWidth, view: window.innerWidth};
var a = document.getElementById('recommendation');
r.recommendation = a ? a.innerText : '';
r.rows = document.querySelectorAll('#variants tr[data-variant]').length;
var f = document.querySelector('#chart-paired_differences svg');
r.chart = f ? [f.getBoundingClientRect().width, f.getBoundingClientRect().height,
  f.querySelectorAll('circle').length] : [0, 0, 0];
r.wide = Array.prototype.filter.call(document.querySelectorAll('table, figure, p, section'),
  function (e) { return e.getBoundingClientRect().right > window.innerWidth + 0.5; })
  .map(function (e) { return e.id || e.tagName; });
document.title = 'MEASURED:' + JSON.stringify(r);
</script>"#;

#[test]
#[ignore = "needs chromium (installed by .ci/run)"]
fn sweep_html_renders_in_headless_chromium() {
    let dir = setup("chromium");
    sweep(
        &dir,
        "out",
        &[
            "inspector.push_duration=LIFETIME,DAYS_30,DAYS_14",
            "inspector.pull_duration=none,DAYS_14",
        ],
        &[],
    );
    let page = dir.join("out/sweep.html");
    let shot = dir.join("shot.png");
    chromium_run(
        &dir,
        &file_url(&page),
        &[format!("--screenshot={}", shot.display())],
        &dir.join("shot.out"),
    );
    assert!(std::fs::metadata(&shot).expect("screenshot").len() > 10_000);
    let m = measure_page(&dir, &page, MEASURE);
    let text = m["recommendation"].as_str().unwrap();
    assert!(
        text.contains("USD per month") && text.contains("Baseline:"),
        "the recommendation: {m}"
    );
    // DAYS_30 with a 14-day pull window is the scenario's own: 6 variants.
    assert_eq!(m["rows"], 6, "one row per variant: {m}");
    let chart = m["chart"].as_array().unwrap();
    assert!(
        chart[0].as_f64().unwrap() > 400.0 && chart[1].as_f64().unwrap() > 200.0,
        "the paired-difference chart is drawn: {m}"
    );
    assert!(chart[2].as_u64().unwrap() >= 6, "its points: {m}");
    assert!(
        m["width"].as_f64().unwrap() <= 900.0,
        "wider than 900 px: {m}"
    );
    assert_eq!(m["wide"], serde_json::json!([]), "too wide: {m}");
}

#[test]
fn merge_needs_the_detail_of_each_part() {
    let dir = setup("detail");
    for k in ["1", "2"] {
        let shard = format!("{k}/2");
        let out = format!("part{k}");
        sweep(
            &dir,
            &out,
            &["inspector.push_duration=LIFETIME,DAYS_14"],
            &["--shard", &shard, "--no-charts"],
        );
    }
    // A detail copied from another shard does not belong to the part.
    std::fs::copy(dir.join("part1/detail.json"), dir.join("part2/detail.json")).unwrap();
    let o = scansim_in(&dir, &["merge", "--out", "merged", "part1", "part2"]);
    let msg = crate::common::expect_clean_failure(&o, &dir.join("merged"));
    assert!(msg.contains("detail.json does not belong to"), "{msg}");
    std::fs::remove_file(dir.join("part2/detail.json")).unwrap();
    let o = scansim_in(&dir, &["merge", "--out", "merged", "part1", "part2"]);
    let msg = crate::common::expect_clean_failure(&o, &dir.join("merged"));
    assert!(msg.contains("no detail.json beside the part"), "{msg}");
}
