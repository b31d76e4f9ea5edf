//! Charts, report.html and progress output: what a planner opens after a run.

use crate::common::{
    ScenarioDir, WorkDir, assert_success, bin, count, csv_column, pct, read_json, read_text,
    repo_file, run_scenario, thousands, usd, whole_pct,
};
use scansim::engine::RunOptions;
use scansim::model::scenario::Scenario;
use scansim::report::Report;
use scansim::report::charts::{self, CostSeries, CoverageSeries};
use scansim::report::findings_chart::{
    CLOSED_IN_USE_LABEL, CLOSED_LABEL, FINDINGS_TITLE, FindingsSeries,
};
use scansim::rules::Status;
use std::path::Path;
use std::process::Stdio;

/// One image pushed under ENHANCED with a 3-day push window on day 0 (10:00), so it is
/// active on days 0-2 and expired from day 3's day end on; an unsupported image on day 1;
/// a pull of the first image on day 1 (in use from then on); an Inspector change on day 2
/// that changes nothing but is a configuration change.
const TINY_SCENARIO: &str = r#"
[simulation]
start = "2026-01-01"
days = 6
rules = "2025"

[registry]
scan_type = "ENHANCED"

[inspector]
push_duration = "DAYS_3"
pull_duration = "none"

[[timeline]]
at = "2026-01-03T00:00:00Z"
inspector = { push_duration = "DAYS_3" }

[traffic]
trace = "events.csv"
"#;

const TINY_TRACE: &str = "time,event,repository,digest,tags,supported
2026-01-01T10:00:00Z,push,team/app,sha256:a,latest,true
2026-01-02T08:00:00Z,pull,team/app,sha256:a,,
2026-01-02T12:00:00Z,push,team/app,sha256:b,,false
";

fn tiny(name: &str) -> ScenarioDir {
    ScenarioDir::new(
        name,
        &[("scenario.toml", TINY_SCENARIO), ("events.csv", TINY_TRACE)],
    )
}

/// Simulates a scenario in-process and writes all outputs into `out`.
fn run_in_process(scenario: &Path, out: &Path) {
    let sc = Scenario::load(scenario).expect("scenario");
    let run = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).expect("simulate");
    let command = vec![
        "scansim".to_string(),
        "run".to_string(),
        "--note=<b>&amp;\"quoted\"</b>".to_string(),
    ];
    scansim::app::simulate::write_outputs(&sc, &run, &command, out, true).expect("write outputs");
}

fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("open png"));
    let reader = decoder.read_info().expect("PNG decodes");
    let info = reader.info();
    (info.width, info.height)
}

/// The texts of an SVG in document order; panics unless it is well-formed XML.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn position(texts: &[String], t: &str) -> usize {
    texts
        .iter()
        .position(|x| x == t)
        .unwrap_or_else(|| panic!("`{t}` not among the SVG texts {texts:?}"))
}

#[test]
fn run_writes_png_and_svg_charts_with_legend_and_axes() {
    let t = tiny("charts-files");
    let out = &t.out;
    assert_success(&run_scenario(&t.dir.join("scenario.toml"), out, &[]));
    for stem in ["coverage", "cost", "cost_by_month", "findings"] {
        assert_eq!(
            png_size(&out.join(format!("{stem}.png"))),
            (charts::WIDTH, charts::HEIGHT)
        );
        assert_eq!((charts::WIDTH, charts::HEIGHT), (1200, 700));
    }
    let cov = svg_texts(&read_text(&out.join("coverage.svg")));
    for t in [
        charts::COVERAGE_TITLE,
        "Images (count)",
        "Images in use that are monitored (%)",
        "monitored (active)",
        "expired: re-scan window closed",
        "not supported by Inspector",
        charts::IN_USE_LABEL,
        "2026-01-01",
    ] {
        position(&cov, t);
    }
    // States that never occur are left out.
    for t in ["archived", "not scanned", "scanned on push only"] {
        assert!(!cov.iter().any(|x| x == t), "`{t}` in {cov:?}");
    }
    assert!(
        cov.iter().any(|t| t.starts_with("Date (UTC")),
        "x axis title in {cov:?}"
    );
    let cost = svg_texts(&read_text(&out.join("cost.svg")));
    for t in [
        charts::COST_TITLE,
        "Daily cost (USD)",
        "Cumulative cost (USD)",
        charts::DAILY_COST_LABEL,
        charts::CUMULATIVE_COST_LABEL,
        charts::CHANGE_LABEL,
        "2026-01-03",
    ] {
        position(&cost, t);
    }
    assert!(out.join("report.html").is_file());
}

/// The findings chart plots the findings columns of daily.csv: open per severity (only
/// those that occur), closed, closed while in use; its legend and axes are in the SVG.
#[test]
fn findings_chart_plots_the_daily_findings_columns() {
    let t = tiny("charts-findings");
    let sc = Scenario::load(&t.dir.join("scenario.toml")).unwrap();
    let run = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).unwrap();
    let rep = Report::new(&sc, &run.result, &run.provenance, &[]);
    let s = FindingsSeries::from_report(&rep);
    run_in_process(&t.dir.join("scenario.toml"), &t.out);
    let daily = read_text(&t.out.join("daily.csv"));
    let col = |name: &str| -> Vec<u64> {
        csv_column(&daily, name)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    assert!(!s.open.is_empty(), "the tiny scenario opens findings");
    for (sev, values) in &s.open {
        let name = scansim::rules::findings::SEVERITIES[*sev].to_lowercase();
        assert_eq!(values, &col(&format!("findings_open_{name}")), "{name}");
    }
    assert_eq!(s.closed, col("findings_closed"));
    assert_eq!(s.closed_in_use, col("findings_closed_in_use"));
    let texts = svg_texts(&charts::svg_string(&s).unwrap());
    for t in [
        FINDINGS_TITLE,
        "Open findings (count)",
        "Findings closed per day (count)",
        CLOSED_LABEL,
        CLOSED_IN_USE_LABEL,
    ] {
        position(&texts, t);
    }
}

#[test]
fn coverage_chart_plots_the_tiny_scenario_in_stack_order() {
    let t = tiny("charts-coverage");
    let sc = Scenario::load(&t.dir.join("scenario.toml")).unwrap();
    let run = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).unwrap();
    let rep = Report::new(&sc, &run.result, &run.provenance, &[]);
    let s = CoverageSeries::from_report(&rep);
    let order: Vec<Status> = s.status.iter().map(|(st, _)| *st).collect();
    assert_eq!(
        order,
        [Status::Active, Status::Expired, Status::Unsupported],
        "stacked bottom-up in status order, only the statuses that occur"
    );
    let get = |st: Status| &s.status.iter().find(|(x, _)| *x == st).unwrap().1;
    assert_eq!(get(Status::Active), &vec![1, 1, 1, 0, 0, 0]);
    assert_eq!(get(Status::Expired), &vec![0, 0, 0, 1, 1, 1]);
    assert_eq!(get(Status::Unsupported), &vec![0, 1, 1, 1, 1, 1]);
    assert_eq!(
        s.in_use_pct,
        vec![
            None,
            Some(100.0),
            Some(100.0),
            Some(0.0),
            Some(0.0),
            Some(0.0)
        ]
    );
    // The legend in the SVG lists the layers bottom-up, then the line.
    let texts = svg_texts(&charts::svg_string(&s).unwrap());
    let mut last = 0;
    for (label, _) in s.legend() {
        let p = position(&texts, &label);
        assert!(p >= last, "legend `{label}` out of order in {texts:?}");
        last = p;
    }
    assert_eq!(
        s.legend()
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>(),
        [
            "monitored (active)",
            "expired: re-scan window closed",
            "not supported by Inspector",
            charts::IN_USE_LABEL
        ]
    );
}

#[test]
fn cost_chart_plots_daily_and_cumulative_cost_and_the_change() {
    let t = tiny("charts-cost");
    let sc = Scenario::load(&t.dir.join("scenario.toml")).unwrap();
    let run = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).unwrap();
    let rep = Report::new(&sc, &run.result, &run.provenance, &[]);
    let s = CostSeries::from_report(&rep);
    assert_eq!(s.daily_usd, vec![0.09, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(s.cumulative_usd, vec![0.09; 6]);
    assert_eq!(
        s.changes,
        vec![2.0],
        "the timeline entry at day 2's midnight"
    );
    let svg = charts::svg_string(&s).unwrap();
    let texts = svg_texts(&svg);
    let (a, b, c) = (
        position(&texts, charts::DAILY_COST_LABEL),
        position(&texts, charts::CUMULATIVE_COST_LABEL),
        position(&texts, charts::CHANGE_LABEL),
    );
    assert!(a < b && b < c, "legend order in {texts:?}");
    // One bar for the one day with a cost, with its note.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#6BAED6"))
        .collect();
    assert_eq!(bars.len(), 2, "one daily bar and the legend swatch");
    position(&texts, "0.09 USD on 2026-01-01");
}

/// The tallest bar is drawn over a configuration-change marker at the same instant (the
/// default scenario's day 0: enablement, 303 USD), never under it.
#[test]
fn the_tallest_cost_bar_is_drawn_over_the_change_marker() {
    let s = CostSeries {
        start: 0,
        daily_usd: vec![303.0, 60.0, 70.0, 0.0, 65.0],
        cumulative_usd: vec![303.0, 363.0, 433.0, 433.0, 498.0],
        changes: vec![0.0],
    };
    assert_eq!(s.tallest(), Some((0, 303.0)));
    let svg = charts::svg_string(&s).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let nodes: Vec<_> = doc.descendants().collect();
    let marker = nodes
        .iter()
        .position(|n| n.attribute("stroke") == Some("#781478"))
        .expect("the marker");
    let bar = nodes
        .iter()
        .rposition(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#6BAED6"))
        .expect("a bar");
    assert!(marker < bar, "the marker is drawn first, the bars over it");
    position(&svg_texts(&svg), "303 USD on 1970-01-01");
    // A chart without a change has no marker in the legend.
    let quiet = CostSeries {
        changes: vec![],
        ..s
    };
    assert!(
        !quiet
            .legend()
            .iter()
            .any(|(l, _)| l == charts::CHANGE_LABEL)
    );
}

/// The value of `"key": value` in summary.json, as a number.
fn json_number(v: &serde_json::Value, path: &[&str]) -> Option<f64> {
    let mut x = v;
    for p in path {
        x = x.get(p)?;
    }
    x.as_f64()
}

/// The element carrying `attr="key"` in the report.
pub(crate) fn element<'a>(
    doc: &'a roxmltree::Document<'a>,
    attr: &str,
    key: &str,
) -> roxmltree::Node<'a, 'a> {
    doc.descendants()
        .find(|n| n.attribute(attr) == Some(key))
        .unwrap_or_else(|| panic!("no element with {attr}=\"{key}\" in report.html"))
}

/// All the text inside a node.
pub(crate) fn text_of(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// The figures and totals are those of summary.json: the value in `data-value`, for
/// people in the text.
fn check_figures(doc: &roxmltree::Document, summary: &serde_json::Value) {
    for (key, people) in [
        ("cost_per_30_days_usd", usd as fn(f64) -> String),
        ("mean_coverage_pct", pct),
        ("mean_in_use_coverage_pct", pct),
        ("mean_continuous_coverage_pct", pct),
        ("mean_exposed", count),
    ] {
        let (raw, text) = match json_number(summary, &["figures", key]) {
            Some(v) => (format!("{v:.2}"), people(v)),
            None => ("n/a".to_string(), "n/a".to_string()),
        };
        let node = element(doc, "data-figure", key);
        assert_eq!(
            node.attribute("data-value"),
            Some(raw.as_str()),
            "figure {key}"
        );
        assert_eq!(node.text(), Some(text.as_str()), "figure {key}");
    }
    for key in [
        "initial_scans",
        "rescans",
        "basic_scans",
        "pushes",
        "pulls",
        "deletes",
        "expirations",
        "ignored_events",
        "inputs_processed",
    ] {
        let n = summary["totals"][key].as_u64().expect(key);
        let node = element(doc, "data-total", key);
        assert_eq!(
            node.attribute("data-value"),
            Some(n.to_string().as_str()),
            "{key}"
        );
        assert_eq!(node.text(), Some(thousands(n).as_str()), "total {key}");
    }
    let cost = json_number(summary, &["totals", "cost_usd"]).unwrap();
    assert_eq!(
        element(doc, "data-total", "cost_usd").attribute("data-value"),
        Some(format!("{cost:.2}").as_str())
    );
}

/// The answer opens the page: the cost per 30 days and the coverage of what runs, as in
/// summary.json, and whether the figures are one draw.
fn check_answer(doc: &roxmltree::Document, summary: &serde_json::Value) {
    let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
    let first = body
        .children()
        .filter(|n| n.is_element())
        .find(|n| !n.has_tag_name("h1") && !n.has_tag_name("p"))
        .unwrap();
    assert_eq!(
        first.attribute("id"),
        Some("answer"),
        "the answer comes first"
    );
    let answer = text_of(first);
    let cost = usd(json_number(summary, &["figures", "cost_per_30_days_usd"]).unwrap());
    assert!(
        answer.contains(&format!("About {cost} a month"))
            && answer.contains(&format!("Enhanced scanning costs {cost} per 30 days")),
        "{answer}"
    );
    if let Some(v) = json_number(summary, &["figures", "mean_in_use_coverage_pct"]) {
        assert!(
            answer.contains(&format!("{} of the images in use", pct(v))),
            "{answer}"
        );
    }
}

/// Where the money goes: one row per scan frequency that occurs, with the cost and share
/// of summary.json, and the scan-on-push explanation.
fn check_breakdown(doc: &roxmltree::Document, summary: &serde_json::Value) {
    let table = element(doc, "id", "by-frequency-table");
    let rows: Vec<_> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.attribute("data-frequency").is_some())
        .collect();
    assert!(!rows.is_empty(), "rows by scan frequency");
    for r in rows {
        let f = r.attribute("data-frequency").unwrap();
        let cells: Vec<String> = r
            .children()
            .filter(|n| n.has_tag_name("td"))
            .map(text_of)
            .collect();
        let cost = json_number(summary, &["by_scan_frequency", f, "cost_usd"]).unwrap();
        assert_eq!(
            cells[5],
            usd(cost).trim_end_matches(" USD"),
            "cost of {f} in {cells:?}"
        );
        if let Some(s) = json_number(summary, &["by_scan_frequency", f, "cost_share_pct"]) {
            assert_eq!(cells[6], whole_pct(s), "share of {f}");
        }
    }
    let money = text_of(element(doc, "id", "money").parent().unwrap());
    assert!(
        money.contains("never counted as continuously covered"),
        "scan on push explained"
    );
}

fn check_report(out: &Path) {
    let html = read_text(&out.join("report.html"));
    // Self-contained: no external reference, no script.
    let lower = html.to_ascii_lowercase();
    for bad in [
        "http://", "https://", "<script", "src=", "url(", "@import", "<link",
    ] {
        assert!(!lower.contains(bad), "report.html contains `{bad}`");
    }
    // Well-formed (XHTML-compatible markup), with the two charts inline.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc =
        roxmltree::Document::parse_with_options(&html, opts).expect("report.html is well-formed");
    assert_eq!(doc.root_element().tag_name().name(), "html");
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg"))
        .collect();
    assert_eq!(svgs.len(), 4, "four inline SVG charts, in page order");
    for (svg, title) in svgs.iter().zip([
        scansim::report::month_chart::MONTHLY_TITLE,
        charts::COVERAGE_TITLE,
        charts::COST_TITLE,
        FINDINGS_TITLE,
    ]) {
        assert!(
            svg.descendants()
                .any(|n| n.text().map(str::trim) == Some(title)),
            "inline chart `{title}`"
        );
    }
    let summary = read_json(&out.join("summary.json"));
    check_figures(&doc, &summary);
    check_answer(&doc, &summary);
    check_breakdown(&doc, &summary);
    // The modelling assumptions, in order, as text.
    let items: Vec<String> = element(&doc, "id", "assumptions-list")
        .children()
        .filter(|n| n.has_tag_name("li"))
        .map(text_of)
        .collect();
    let want: Vec<String> = scansim::report::html::ASSUMPTIONS
        .iter()
        .map(|a| a.replace('`', ""))
        .collect();
    assert_eq!(items, want);
}

#[test]
fn report_is_self_contained_well_formed_and_agrees_with_summary() {
    // Markup characters in the path and the command line must be escaped.
    let t = tiny("report-<tiny>&'\"");
    run_in_process(&t.dir.join("scenario.toml"), &t.out);
    check_report(&t.out);
    let html = read_text(&t.out.join("report.html"));
    for t in [
        "team/app",
        "DAYS_3",
        "2026-01-03T00:00:00Z",
        "Modelling assumptions",
    ] {
        assert!(html.contains(t), "`{t}` in the report");
    }
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn report_of_a_shared_case_agrees_with_summary() {
    let case = crate::common::cases_dir().join("generated-medium-22/scenario.toml");
    let dir = WorkDir::new("report-medium");
    let out = dir.join("out");
    run_in_process(&case, &out);
    check_report(&out);
    // Top 20 repositories at most, most expensive first (as in repositories.csv).
    let html = read_text(&out.join("report.html"));
    let csv = read_text(&out.join("repositories.csv"));
    let names: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut last = 0;
    for n in names.iter().take(20) {
        let cell = format!("<td class=\"w\">{n}</td>");
        let p = html[last..]
            .find(&cell)
            .unwrap_or_else(|| panic!("{n} after position {last}"));
        last += p;
    }
}

/// The Chromium on the PATH; panics when there is none: the test that needs it runs only
/// when asked for (`cargo test --release -- --ignored`, as `.ci/run` does after
/// installing it).
fn chromium() -> &'static str {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect("no chromium on the PATH: install it (`apt-get install chromium`, as .ci/run does)")
}

/// Runs headless Chromium on `url` with `args` in a window 900 pixels wide (the width
/// the report's tables must fit), its standard output into `stdout`; panics when it does
/// not finish within 120 s.
pub(crate) fn chromium_run(dir: &Path, url: &str, args: &[String], stdout: &Path) {
    let profile = dir.join("profile");
    let mut child = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=900,3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).expect("chromium output file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait chromium").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&profile);
}

pub(crate) fn file_url(p: &Path) -> String {
    format!("file://{}", std::fs::canonicalize(p).unwrap().display())
}

/// Lays out a copy of `page` with `script` added before `</body>` (the page itself has
/// none) in headless Chromium; the script puts its measurements, as JSON after
/// `MEASURED:`, in the title.
pub(crate) fn measure_page(dir: &Path, page: &Path, script: &str) -> serde_json::Value {
    let measured = dir.join("measured.html");
    std::fs::write(
        &measured,
        read_text(page).replace("</body>", &format!("{script}</body>")),
    )
    .unwrap();
    let dom = dir.join("dom.html");
    chromium_run(dir, &file_url(&measured), &["--dump-dom".into()], &dom);
    let dom = read_text(&dom);
    let title = dom
        .split("<title>MEASURED:")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| {
            panic!(
                "the measuring script did not run: {}",
                &dom[..dom.len().min(400)]
            )
        });
    let title = title
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&title).expect("measurements")
}

/// Measures the laid-out report and puts the result in the title.
const MEASURE: &str = r#"<script>
var r = {width: document.documentElement.scrollWidth, view: window.innerWidth};
var a = document.getElementById('answer');
r.answer = a ? a.innerText : '';
r.answerTop = a ? a.getBoundingClientRect().top : -1;
r.answerHeight = a ? a.getBoundingClientRect().height : 0;
r.frequencies = Array.prototype.map.call(
  document.querySelectorAll('#by-frequency-table tr[data-frequency]'),
  function (t) { return [t.getAttribute('data-frequency'), t.getBoundingClientRect().height, t.innerText]; });
r.wide = Array.prototype.filter.call(document.querySelectorAll('table, figure, p, section'),
  function (e) { return e.getBoundingClientRect().right > window.innerWidth + 0.5; })
  .map(function (e) { return e.id || e.tagName; });
document.title = 'MEASURED:' + JSON.stringify(r);
</script>"#;

#[test]
#[ignore = "needs chromium (installed by .ci/run)"]
fn report_renders_in_headless_chromium() {
    // The trace demo: continuous scanning for prod, scan on push for the rest.
    let dir = WorkDir::new("report-chromium");
    let out = dir.join("out");
    run_in_process(&repo_file("scenarios/trace-demo/scenario.toml"), &out);
    let shot = dir.join("shot.png");
    let report = out.join("report.html");
    chromium_run(
        &dir,
        &file_url(&report),
        &[format!("--screenshot={}", shot.display())],
        &dir.join("shot.out"),
    );
    check_screenshot(&shot);
    // The layout: the answer on the first screen, the breakdown rows drawn, nothing wider
    // than the window.
    let m = measure_page(&dir, &report, MEASURE);
    assert_eq!(m["view"], 900, "{m}");
    assert!(
        m["width"].as_f64().unwrap() <= 900.0,
        "the page is wider than 900 px: {m}"
    );
    assert_eq!(
        m["wide"],
        serde_json::json!([]),
        "elements wider than the window: {m}"
    );
    let answer = m["answer"].as_str().unwrap();
    assert!(
        answer.contains("a month")
            && answer.contains("per 30 days")
            && answer.contains("of the cost is scan on push"),
        "the answer: {answer:?}"
    );
    let top = m["answerTop"].as_f64().unwrap();
    let height = m["answerHeight"].as_f64().unwrap();
    assert!(
        top >= 0.0 && top + height < 900.0,
        "the answer is on the first screen: {m}"
    );
    let freqs: Vec<&str> = m["frequencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[1].as_f64().unwrap() > 0.0 && !r[2].as_str().unwrap().is_empty())
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(
        freqs,
        ["CONTINUOUS_SCAN", "SCAN_ON_PUSH"],
        "breakdown rows drawn: {m}"
    );
}

/// A screenshot that is not blank and shows the chart colours.
fn check_screenshot(shot: &Path) {
    let decoder = png::Decoder::new(std::fs::File::open(shot).expect("screenshot written"));
    let mut reader = decoder.read_info().expect("screenshot decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let px = info.color_type.samples();
    let data = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut non_white = 0usize;
    for p in data.chunks(px) {
        let rgb = (p[0], p[1], p[2]);
        colours.insert(rgb);
        if rgb != (255, 255, 255) {
            non_white += 1;
        }
    }
    let total = data.len() / px;
    assert!(
        colours.len() > 20,
        "screenshot has {} colours: blank?",
        colours.len()
    );
    assert!(
        non_white * 50 > total,
        "only {non_white} of {total} pixels are not white"
    );
    // The colours of continuous scanning (monthly bars) and scan on push are on the page.
    assert!(
        colours.contains(&(44, 160, 44)),
        "continuous scanning visible"
    );
    assert!(colours.contains(&(31, 119, 180)), "scan on push visible");
}

#[test]
fn no_charts_writes_only_the_data_files() {
    let t = tiny("no-charts");
    assert_success(&t.run(&[]));
    let mut names: Vec<String> = std::fs::read_dir(&t.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".scansim-output",
            "daily.csv",
            "groups.csv",
            "monthly.csv",
            "repositories.csv",
            "summary.json"
        ]
    );
}

/// Marks of a drawn progress bar.
fn has_progress(text: &str) -> bool {
    text.contains("days |") || text.contains("ETA") || text.contains('\r') || text.contains("\x1b[")
}

#[test]
fn progress_never_reaches_redirected_stderr_or_output_files() {
    let t = tiny("progress");
    let out = &t.out;
    let o = bin()
        .arg("run")
        .arg(t.dir.join("scenario.toml"))
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !has_progress(&stderr),
        "progress in captured stderr: {stderr:?}"
    );
    assert!(!has_progress(&String::from_utf8_lossy(&o.stdout)));
    for f in [
        "daily.csv",
        "monthly.csv",
        "repositories.csv",
        "summary.json",
        "report.html",
    ] {
        let text = read_text(&out.join(f));
        assert!(!has_progress(&text), "progress in {f}");
    }
}

/// Runs a shell command on a pseudo-terminal with `script` (util-linux); returns what the
/// terminal showed. Panics when `script` is missing or fails.
fn on_terminal(args: &str) -> String {
    let o = std::process::Command::new("script")
        .args(["-qec", args, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `script`: {e}: install it (`apt-get install bsdutils`)")
        });
    assert!(
        o.status.success(),
        "script -qec {args:?}: exit {:?}: {}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
#[ignore = "needs script, for a pseudo-terminal (installed by .ci/run)"]
fn progress_shows_on_a_terminal_unless_quiet() {
    let t = tiny("progress-tty");
    let exe = env!("CARGO_BIN_EXE_scansim");
    let cmd = format!(
        "{exe} run {} --out {} --no-charts",
        t.dir.join("scenario.toml").display(),
        t.out.display()
    );
    let shown = on_terminal(&cmd);
    assert!(shown.contains("/6 days"), "bar on a terminal: {shown:?}");
    let quiet = on_terminal(&format!("{cmd} --quiet"));
    assert!(!has_progress(&quiet), "--quiet drew: {quiet:?}");
}
