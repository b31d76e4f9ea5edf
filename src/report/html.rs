//! `report.html`: one self-contained page a planner can read or send on. It opens with
//! the answer in a few sentences (cost per month, its range, the coverage of what
//! matters), then says what each figure means in words, where the money goes (by scan
//! frequency, group and month: `html_money.rs`), the charts as inline SVG, the totals,
//! the most expensive repositories, the resolved settings and the modelling assumptions.
//! No script, no style sheet or image from elsewhere; the markup is also well-formed XML,
//! so it can be checked by a parser. Tables fit a 900-pixel window.

use super::answer::{Headline, Seg, answer, range_text};
use super::charts::status_words;
use super::html_money as money;
use super::human::{pct, plural, thousands, to_hundredths, usd_cents, usd_micro};
use super::{Exporter, Report};
use crate::base::money::format_usd;
use crate::base::time::{DAY, format_date, format_instant};
use crate::model::scenario::{Scenario, Traffic};
use crate::rules::Status;
use std::fmt::Write as _;
use std::io::Write;

/// The modelling assumptions (choices where AWS is silent or inconsistent), for the report
/// and the README. `code` is marked with backticks.
pub const ASSUMPTIONS: &[&str] = &[
    "Expiry and lifecycle run once a day at midnight UTC; AWS says \"within 24 hours\".",
    "A push or a qualifying pull/in-use revives an expired image (AWS coverage docs: \"push \
     or pull the image to resume scanning\"); a longer window alone does not (\"inactive \
     images remain inactive\").",
    "A repository that starts matching a continuous filter, or returns to `ENHANCED` after \
     `BASIC`, treats its existing images like first enablement (look-back and window); AWS \
     documents the look-back only for the first enablement.",
    "The revival scan of a previously scanned image is billed as a rescan (AWS: \"a rescan \
     is any scan done on an ECR image that Inspector has previously scanned\"); since expiry \
     closes the findings, a full initial-scan price is possible: use a sweep over \
     `rescan_usd` to see the difference.",
    "Rescans are driven by vulnerability-database updates; AWS publishes no per-image rate. \
     The default of 6 per image per month is weak evidence: calibrate it from an account's \
     own `ECR_RESCAN` usage divided by its mean active images.",
    "Profile `2024` keeps the original push window, `LIFETIME`, by default. AWS's Inspector pages \
     of 2024 gave new accounts 90 days push + 90 days pull; set those explicitly to model \
     such an account. The look-back windows also differ between AWS pages (14 days; 30 \
     days; 30 days push or 90 days pull): each profile takes one of them.",
    "A re-push of an identical digest updates `pushed_at` (whether ECR does is not \
     documented).",
    "Not modelled: individual findings and their retention (findings are counts per image \
     and severity from a model of scansim's own, with defaults from AWS's sample scan event \
     and a 2023 industry study; scan-on-push findings stay open until the image is deleted \
     or archived or its repository leaves scan on push), multi-arch image indexes (each platform image is an image; last-in-use tracking is not \
     supported by AWS for them), scan latency, the delay before pull and in-use times are \
     refreshed (up to 24-36 h), who pulled (pulls by other scanners refresh the pull clock, \
     Inspector's own do not: leave those out of a trace), regional prices (set them), and \
     flat-rate plans such as the Security Hub essentials plan, under which durations are no \
     cost lever.",
];

pub use super::html_money::TOP_REPOSITORIES;

/// Escapes text for HTML/XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `backtick` spans into `<code>`.
pub fn escape_code(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

/// An SVG document made fit to sit inside HTML: no XML declaration, no namespace URL
/// (the HTML parser puts `<svg>` in the SVG namespace by itself).
pub fn inline_svg(svg: &str) -> String {
    let s = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    s.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// A price in micro-USD with as many decimals as it has (at least 2).
pub fn price(micro: i64) -> String {
    let neg = micro < 0;
    let m = micro.unsigned_abs();
    let mut frac = format!("{:06}", m % 1_000_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{}{}.{frac}", if neg { "-" } else { "" }, m / 1_000_000)
}

/// The style sheet of scansim's pages.
pub const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; margin: 1.5em auto; max-width: 60em;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.08em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.w { overflow-wrap: break-word; }
#by-month-table td:first-child, #by-frequency-table td:first-child { white-space: nowrap; }
figure { margin: 1em 0; }
figure svg { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; }
.answer { background: #f3f8fc; border-left: 6px solid #1f77b4; padding: 0.6em 1.1em; margin: 1em 0; }
.answer p { margin: 0.45em 0; }
.answer .headline { font-size: 1.45em; margin-top: 0.2em; }
.warnings { background: #fff6e5; border-left: 6px solid #e69500; padding: 0.4em 1.1em; margin: 1em 0; }
.figures td.v { font-weight: bold; white-space: nowrap; text-align: right; }
.muted { color: #666; font-size: 0.9em; }
code { background: #f4f4f4; padding: 0 0.2em; overflow-wrap: anywhere; }
nav a { margin-right: 0.8em; }
";

/// `report.html`, with the charts' SVG text (stem, title, SVG) to inline.
pub struct HtmlReport<'c> {
    pub charts: &'c [(&'static str, &'static str, String)],
}

impl Exporter for HtmlReport<'_> {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(render(report, self.charts).as_bytes())
    }
}

pub fn row(out: &mut String, cells: &[(bool, &str)]) {
    out.push_str("<tr>");
    for (numeric, c) in cells {
        if *numeric {
            let _ = write!(out, "<td class=\"n\">{}</td>", escape(c));
        } else {
            let _ = write!(out, "<td class=\"w\">{}</td>", escape(c));
        }
    }
    out.push_str("</tr>\n");
}

pub fn header(out: &mut String, cells: &[&str]) {
    out.push_str("<thead><tr>");
    for c in cells {
        let _ = write!(out, "<th>{}</th>", escape(c));
    }
    out.push_str("</tr></thead>\n");
}

/// A row of owned cells; `numeric(i)` says whether cell `i` holds a number.
pub fn row_of(out: &mut String, cells: &[String], numeric: impl Fn(usize) -> bool) {
    let cells: Vec<(bool, &str)> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| (numeric(i), c.as_str()))
        .collect();
    row(out, &cells);
}

/// The whole page.
pub fn render(report: &Report, charts: &[(&'static str, &'static str, String)]) -> String {
    let chart = |stem: &str| charts.iter().find(|c| c.0 == stem);
    let mut o = String::new();
    page_head(&mut o, report);
    answer_section(&mut o, report);
    warnings(&mut o, report);
    contents(&mut o);
    figure_meanings(&mut o, report);
    money::money_section(&mut o, report, chart("cost_by_month"));
    day_by_day(&mut o, chart("coverage"), chart("cost"));
    super::html_findings::findings_section(&mut o, report, chart("findings"));
    totals(&mut o, report);
    last_day(&mut o, report);
    money::repositories(&mut o, report);
    settings(&mut o, report);
    assumptions(&mut o);
    provenance(&mut o, report);
    o.push_str("</body>\n</html>\n");
    o
}

/// The document head and the title block with what was simulated.
fn page_head(o: &mut String, report: &Report) {
    let sc = report.scenario;
    let scenario_name = sc.file.display().to_string();
    let last = sc.start + (sc.days as i64 - 1) * DAY;
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>scansim report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&scenario_name)
    );
    let traffic = match &report.trace {
        Some(t) => format!("traffic replayed from the trace {}", t.display()),
        None => format!("synthetic traffic drawn from seed {}", sc.seed),
    };
    let _ = writeln!(
        o,
        "<h1>ECR enhanced scanning: what it costs and covers</h1>\n<p class=\"muted\">Scenario \
         <code>{}</code>: {} days from {} to {} (UTC), rules profile {}, {}. Written by \
         scansim {}.</p>",
        escape(&scenario_name),
        thousands(u64::from(sc.days)),
        format_date(sc.start),
        format_date(last),
        sc.profile.name(),
        escape(&traffic),
        env!("CARGO_PKG_VERSION")
    );
}

/// A sentence of the answer as HTML: figures in bold, marked with their name.
fn sentence_html(s: &[Seg]) -> String {
    s.iter()
        .map(|x| match x {
            Seg::Text(t) => escape(t),
            Seg::Figure(key, t) => format!("<strong data-answer=\"{key}\">{}</strong>", escape(t)),
        })
        .collect()
}

/// The answer: a headline (cost per month and the coverage of what runs), then the
/// sentences the terminal prints.
fn answer_section(o: &mut String, report: &Report) {
    let reps = report.replications.as_ref();
    let value = |h: Headline, own: Option<u64>| match reps {
        Some(r) => r.get(h).map(|s| to_hundredths(s.mean)),
        None => own,
    };
    let f = &report.figures;
    let cost = value(Headline::CostPer30Days, Some(f.cost_per_30_days_cents())).unwrap_or(0);
    let range = reps
        .and_then(|r| r.get(Headline::CostPer30Days))
        .map(|s| {
            format!(
                " (95 % interval {})",
                range_text(Headline::CostPer30Days, s.low, s.high)
            )
        })
        .unwrap_or_default();
    let covered = match value(Headline::InUseCoverage, f.in_use_coverage.hundredths()) {
        Some(h) => format!(
            ", with <strong data-headline=\"in_use\">{}</strong> of the images in use \
             continuously monitored",
            escape(&pct(h))
        ),
        None => String::new(),
    };
    let _ = writeln!(
        o,
        "<section id=\"answer\" class=\"answer\">\n<p class=\"headline\">About <strong \
         data-headline=\"cost\">{} a month</strong>{} for enhanced scanning{covered}.</p>",
        escape(&usd_cents(cost)),
        escape(&range)
    );
    for s in answer(report) {
        let _ = writeln!(o, "<p>{}</p>", sentence_html(&s));
    }
    o.push_str("</section>\n");
}

/// The warnings of the scenario and of the run, if any.
fn warnings(o: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"warnings\" class=\"warnings\">\n<p><strong>{}</strong> (check these \
         before trusting the figures):</p>\n<ul>",
        plural(report.warnings.len() as u64, "warning", "warnings")
    );
    for w in &report.warnings {
        let _ = writeln!(o, "<li>{}</li>", escape_code(w));
    }
    o.push_str("</ul>\n</section>\n");
}

fn contents(o: &mut String) {
    o.push_str(
        "<nav class=\"muted\">On this page: <a href=\"#figures\">what the figures mean</a> \
         <a href=\"#money\">where the money goes</a> <a href=\"#day-by-day\">day by day</a> <a href=\"#findings\">findings</a> \
         <a href=\"#totals\">totals</a> <a href=\"#repositories\">repositories</a> \
         <a href=\"#settings\">settings</a> <a href=\"#assumptions\">assumptions</a></nav>\n",
    );
}

/// Each headline figure: its value as people read it (the value of summary.json in
/// `data-value`), over replications when there are, and what it means in words.
fn figure_meanings(o: &mut String, report: &Report) {
    let f = &report.figures;
    let window = report.scenario.in_use_window_days;
    o.push_str("<h2 id=\"figures\">What the figures mean</h2>\n");
    o.push_str(&draw_note(report));
    o.push_str("<table class=\"figures\">\n");
    let reps = report.replications.as_ref();
    let mut head = vec!["figure", "this run"];
    if reps.is_some() {
        head.push("over the replications: mean (95 % interval)");
    }
    head.push("what it means");
    header(o, &head);
    let parts = super::breakdown::by_frequency(report.result);
    for (h, name, meaning) in meanings(window) {
        let key = h.key();
        let (text, raw) = match h.hundredths(f, &parts) {
            Some(v) => (h.text(v), format!("{}.{:02}", v / 100, v % 100)),
            None => ("n/a".to_string(), "n/a".to_string()),
        };
        let _ = write!(
            o,
            "<tr><th>{}</th><td class=\"v\" data-figure=\"{key}\" data-value=\"{raw}\">{}</td>",
            escape(name),
            escape(&text)
        );
        if let Some(r) = reps {
            let cell = r
                .get(h)
                .map(|s| {
                    format!(
                        "{} ({})",
                        h.text(to_hundredths(s.mean)),
                        range_text(h, s.low, s.high)
                    )
                })
                .unwrap_or_else(|| "n/a".into());
            let _ = write!(
                o,
                "<td class=\"n\" data-replications=\"{key}\">{}</td>",
                escape(&cell)
            );
        }
        let _ = writeln!(o, "<td>{}</td></tr>", escape(&meaning));
    }
    o.push_str("</table>\n");
}

/// The headline figures of the report, their names and what they mean, in words.
fn meanings(window: u32) -> [(Headline, &'static str, String); 5] {
    [
        (
            Headline::CostPer30Days,
            "Cost per 30 days",
            "What enhanced scanning costs in an average 30 days of the simulated period: \
             the cost of all simulated days, scaled to 30 days. Scans before the first \
             simulated day are history and cost nothing here."
                .into(),
        ),
        (
            Headline::Coverage,
            "Coverage",
            "Of all images in the registry, whatever their status, the share continuously \
             monitored (status active) on an average day. Images scanned on push only, \
             unsupported and archived images count as not covered."
                .into(),
        ),
        (
            Headline::InUseCoverage,
            "In-use coverage",
            format!(
                "Of the images in use (pulled or seen running within the last {window} \
                 days), the share continuously monitored on an average day: the coverage \
                 of what actually runs."
            ),
        ),
        (
            Headline::ContinuousCoverage,
            "Continuous coverage",
            "Of the images in repositories set to continuous scanning, the share still \
             monitored on an average day; the others expired because neither their push \
             window nor their pull window holds any more."
                .into(),
        ),
        (
            Headline::Exposed,
            "Exposed images",
            "Images in use that are not continuously monitored, on an average day.".into(),
        ),
    ]
}

/// Whether the figures are one draw, the mean of replications, or a trace's.
fn draw_note(report: &Report) -> String {
    let sc = report.scenario;
    let text = match (&report.replications, &report.trace) {
        (_, Some(_)) => "The traffic is a recorded trace, so these figures have no random \
                         spread: they are what this history gives under these settings."
            .to_string(),
        (Some(r), None) => format!(
            "The traffic was drawn {} times (replications, seeds in summary.json); each \
             range is the 95 % confidence interval of the mean (Student t). The charts and \
             tables below show replication 0 (seed {}), the run written to the data files.",
            r.seeds.len(),
            sc.seed
        ),
        (None, None) => format!(
            "The synthetic traffic is random: these figures are one draw (seed {}). Another \
             seed gives other figures; run the same command with <code>--replications \
             10</code> added for the mean and a 95 % range.",
            sc.seed
        ),
    };
    let text = if text.contains("<code>") {
        text
    } else {
        escape(&text)
    };
    format!("<p id=\"draw\">{text}</p>\n")
}

/// The coverage and cost charts, day by day.
fn day_by_day(o: &mut String, coverage: Option<&Drawn>, cost: Option<&Drawn>) {
    if coverage.is_none() && cost.is_none() {
        return;
    }
    o.push_str(
        "<h2 id=\"day-by-day\">Day by day</h2>\n<p>Each day's images by status at the end \
         of the day, with the share of the images in use that are monitored; then what each \
         day cost, the running total and the configuration changes.</p>\n",
    );
    for c in [coverage, cost].into_iter().flatten() {
        chart_figure(o, c);
    }
}

/// A chart as an inline SVG figure.
pub fn chart_figure(o: &mut String, (stem, title, svg): &Drawn) {
    let _ = writeln!(
        o,
        "<figure id=\"chart-{stem}\">\n{}<figcaption>{} (also in {stem}.png and \
         {stem}.svg)</figcaption>\n</figure>",
        inline_svg(svg),
        escape(title)
    );
}

/// A chart written for the report: (file stem, title, SVG text).
pub type Drawn = (&'static str, &'static str, String);

/// The flows summed over the reported days.
fn totals(o: &mut String, report: &Report) {
    let (f, r) = (&report.figures, report.result);
    o.push_str(
        "<h2 id=\"totals\">Totals</h2>\n<p class=\"muted\">Over the simulated days.</p>\n\
         <table>\n",
    );
    let cost = (
        "cost_usd",
        "Cost",
        usd_micro(f.flows.cost_micro),
        format_usd(f.flows.cost_micro),
    );
    let counts = [
        (
            "initial_scans",
            "Initial scans (first enhanced scan of an image)",
            f.flows.initial_scans,
        ),
        (
            "rescans",
            "Rescans (an image scanned before, scanned again)",
            f.flows.rescans,
        ),
        ("basic_scans", "Basic scans (free)", f.flows.basic_scans),
        ("pushes", "Pushes", f.flows.pushes),
        ("pulls", "Pulls", f.flows.pulls),
        (
            "deletes",
            "Deletes (by the traffic and by lifecycle policies)",
            f.flows.deletes,
        ),
        (
            "expirations",
            "Expirations (monitored images whose window closed)",
            f.flows.expirations,
        ),
        (
            "ignored_events",
            "Ignored events (naming no live image)",
            r.ignored_events,
        ),
        (
            "inputs_processed",
            "Inputs processed (events and configuration changes)",
            r.inputs_processed(),
        ),
    ];
    let counts = counts
        .into_iter()
        .map(|(k, name, n)| (k, name, thousands(n), n.to_string()));
    for (key, name, text, raw) in std::iter::once(cost).chain(counts) {
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td class=\"n\" data-total=\"{key}\" data-value=\"{raw}\">{}</td></tr>",
            escape(name),
            escape(&text)
        );
    }
    o.push_str("</table>\n");
}

/// The images by status on the last reported day (the statuses that occur), in words.
fn last_day(o: &mut String, report: &Report) {
    let (sc, r) = (report.scenario, report.result);
    let Some(d) = r.days.last() else { return };
    let _ = writeln!(
        o,
        "<h3>The last day ({})</h3>\n<table>",
        format_date(sc.start + (r.days.len() as i64 - 1) * DAY)
    );
    header(o, &["images", "count"]);
    let mut rows = vec![("all images".to_string(), d.counts.images)];
    rows.extend(
        Status::ALL
            .iter()
            .filter(|s| d.status(**s) > 0)
            .map(|s| (status_words(*s).to_string(), d.status(*s))),
    );
    rows.push((
        format!(
            "in use (pulled or seen running within {} days)",
            sc.in_use_window_days
        ),
        d.counts.in_use,
    ));
    rows.push(("in use and monitored".into(), d.counts.in_use_active));
    for (name, n) in rows {
        row(o, &[(false, &name), (true, &thousands(n))]);
    }
    o.push_str("</table>\n");
}

/// The modelling assumptions, as a numbered list.
fn assumptions(o: &mut String) {
    o.push_str(
        "<h2 id=\"assumptions\">Modelling assumptions</h2>\n<p class=\"muted\">Choices where \
         AWS is silent or inconsistent.</p>\n<ol id=\"assumptions-list\">\n",
    );
    for a in ASSUMPTIONS {
        let _ = writeln!(o, "<li>{}</li>", escape_code(a));
    }
    o.push_str("</ol>\n");
}

/// The input files with their hashes, and the command line.
fn provenance(o: &mut String, report: &Report) {
    o.push_str("<h2 id=\"provenance\">Where this comes from</h2>\n<table>\n");
    header(o, &["file", "sha256"]);
    let p = report.provenance;
    for (path, hash) in std::iter::once(&p.scenario).chain(&p.files) {
        row(o, &[(false, &path.display().to_string()), (false, hash)]);
    }
    let _ = writeln!(
        o,
        "</table>\n<p class=\"muted\">Command: <code>{}</code></p>",
        escape(&report.command.join(" "))
    );
}

/// The resolved scenario settings, then the configuration timeline.
fn settings(o: &mut String, report: &Report) {
    let sc = report.scenario;
    settings_table(o, sc, report.trace.as_deref());
    timeline(o, sc);
}

/// One table of the settings the run used, defaults filled in.
fn settings_table(o: &mut String, sc: &Scenario, trace: Option<&std::path::Path>) {
    o.push_str(
        "<h2 id=\"settings\">Scenario settings</h2>\n<p class=\"muted\">As the run used \
         them, defaults filled in.</p>\n<table>\n",
    );
    let mut item = |k: &str, v: String| {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    };
    item("scenario file", sc.file.display().to_string());
    item(
        "simulation",
        format!(
            "start {}, {} days (inputs from {} on are not processed)",
            format_date(sc.start),
            sc.days,
            format_instant(sc.horizon())
        ),
    );
    item("rules profile", sc.profile.name().to_string());
    item("in-use window", format!("{} days", sc.in_use_window_days));
    item(
        "region",
        sc.region
            .clone()
            .unwrap_or_else(|| "(none: no region check)".into()),
    );
    item("seed", sc.seed.to_string());
    item("pricing", pricing_text(sc));
    item("initial registry configuration", sc.registry.describe());
    item("initial Inspector settings", sc.inspector.to_string());
    item(
        "traffic",
        match (trace, &sc.traffic) {
            (Some(t), Traffic::Trace(_)) => format!("trace {}", t.display()),
            (Some(t), _) => format!("trace {} (given with --trace)", t.display()),
            (None, _) => format!("synthetic, seed {}", sc.seed),
        },
    );
    for e in &sc.lifecycle {
        item(
            "lifecycle policy",
            format!(
                "{} ({} rules) on repositories matching [{}]",
                e.file.display(),
                e.policy.rules.len(),
                e.filters.join(", ")
            ),
        );
    }
    o.push_str("</table>\n");
}

/// The prices and the free trial, with its start when there is one.
fn pricing_text(sc: &Scenario) -> String {
    format!(
        "initial scan {} USD, rescan {} USD, free trial {} days{}",
        price(sc.pricing.initial_micro),
        price(sc.pricing.rescan_micro),
        sc.pricing.free_trial_days,
        trial_from(sc)
    )
}

/// ` from INSTANT`: when the free trial starts, if there is one; else nothing.
pub fn trial_from(sc: &Scenario) -> String {
    match sc.billing().trial_start {
        Some(t) if sc.pricing.free_trial_days > 0 => format!(" from {}", format_instant(t)),
        _ => String::new(),
    }
}

/// The configuration after each timeline entry, and whether it was applied.
fn timeline(o: &mut String, sc: &Scenario) {
    let horizon = sc.horizon();
    o.push_str("<h3>Configuration timeline</h3>\n");
    if sc.timeline.is_empty() {
        o.push_str("<p>No configuration change: the initial configuration holds throughout.</p>\n");
        return;
    }
    o.push_str("<table>\n");
    header(
        o,
        &[
            "at (UTC)",
            "entry",
            "registry configuration after",
            "Inspector settings after",
            "applied",
        ],
    );
    o.push_str("<tbody>\n");
    for c in sc.configurations().into_iter().skip(1) {
        let Some(e) = c.entry else { continue };
        let (registry, inspector) = (c.registry, c.inspector);
        let applied = if e.at >= horizon {
            "no: at or after the horizon"
        } else {
            "yes"
        };
        let cells = [
            format_instant(e.at),
            format!("timeline[{}]", e.index),
            format!(
                "{}{}",
                registry.describe(),
                if e.registry.is_some() {
                    ""
                } else {
                    " (unchanged)"
                }
            ),
            format!(
                "{}{}",
                inspector,
                if e.inspector.is_some() {
                    ""
                } else {
                    " (unchanged)"
                }
            ),
            applied.to_string(),
        ];
        row_of(o, &cells, |_| false);
    }
    o.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1}b"), "a\u{FFFD}b");
        assert_eq!(
            escape_code("use `a<b` here"),
            "use <code>a&lt;b</code> here"
        );
    }

    #[test]
    fn prices_keep_their_decimals() {
        assert_eq!(price(90_000), "0.09");
        assert_eq!(price(2_010_000), "2.01");
        assert_eq!(price(123), "0.000123");
        assert_eq!(price(0), "0.00");
    }

    #[test]
    fn inline_svg_drops_the_namespace_url() {
        let s = "<?xml version=\"1.0\"?>\n<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>";
        assert_eq!(inline_svg(s), "<svg width=\"1\">\n</svg>");
    }

    #[test]
    fn assumptions_are_the_eight_of_the_spec() {
        assert_eq!(ASSUMPTIONS.len(), 8);
        assert!(ASSUMPTIONS[0].starts_with("Expiry and lifecycle run once a day"));
        assert!(ASSUMPTIONS[7].starts_with("Not modelled:"));
    }
}
