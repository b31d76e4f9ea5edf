//! `report.html`: one self-contained page a planner can read or send on: the §8b
//! figures, the charts as inline SVG, the monthly table, the most expensive repositories,
//! the resolved settings and the modelling assumptions. No script, no style sheet or image
//! from elsewhere; the markup is also well-formed XML, so it can be checked by a parser.

use super::figures::{Figures, hundredths_text};
use super::tables::{by_cost, months};
use super::{Exporter, Report};
use crate::base::money::format_usd;
use crate::base::time::{DAY, format_date, format_instant};
use crate::model::scenario::{Scenario, Traffic};
use crate::rules::Status;
use std::fmt::Write as _;
use std::io::Write;

/// The modelling assumptions of SPEC.md (choices where AWS is silent or inconsistent),
/// for the report and the README. `code` is marked with backticks.
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
    "Profile `2024` follows the seed document: `LIFETIME` by default. AWS's Inspector pages \
     of 2024 gave new accounts 90 days push + 90 days pull; set those explicitly to model \
     such an account. The look-back windows also differ between AWS pages (14 days; 30 \
     days; 30 days push or 90 days pull): each profile takes one of them.",
    "A re-push of an identical digest updates `pushed_at` (whether ECR does is not \
     documented).",
    "Not modelled: findings and their retention (scan-on-push results do not expire here), \
     multi-arch image indexes (each platform image is an image; last-in-use tracking is not \
     supported by AWS for them), scan latency, the delay before pull and in-use times are \
     refreshed (up to 24-36 h), who pulled (pulls by other scanners refresh the pull clock, \
     Inspector's own do not: leave those out of a trace), regional prices (set them), and \
     flat-rate plans such as the Security Hub essentials plan, under which durations are no \
     cost lever.",
];

/// How many repositories the report lists.
pub const TOP_REPOSITORIES: usize = 20;

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
fn escape_code(s: &str) -> String {
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
fn price(micro: i64) -> String {
    let neg = micro < 0;
    let m = micro.unsigned_abs();
    let mut frac = format!("{:06}", m % 1_000_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{}{}.{frac}", if neg { "-" } else { "" }, m / 1_000_000)
}

fn or_na(s: String) -> String {
    if s.is_empty() { "n/a".into() } else { s }
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; margin: 2em auto; max-width: 1240px;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f2f2f2; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; }
.figures td.n { font-size: 1.15em; font-weight: bold; }
.muted { color: #666; font-size: 0.9em; }
code { background: #f4f4f4; padding: 0 0.2em; }
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

fn row(out: &mut String, cells: &[(bool, &str)]) {
    out.push_str("<tr>");
    for (numeric, c) in cells {
        if *numeric {
            let _ = write!(out, "<td class=\"n\">{}</td>", escape(c));
        } else {
            let _ = write!(out, "<td>{}</td>", escape(c));
        }
    }
    out.push_str("</tr>\n");
}

fn header(out: &mut String, cells: &[&str]) {
    out.push_str("<thead><tr>");
    for c in cells {
        let _ = write!(out, "<th>{}</th>", escape(c));
    }
    out.push_str("</tr></thead>\n");
}

/// A row of owned cells; `numeric(i)` says whether cell `i` holds a number.
fn row_of(out: &mut String, cells: &[String], numeric: impl Fn(usize) -> bool) {
    let cells: Vec<(bool, &str)> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| (numeric(i), c.as_str()))
        .collect();
    row(out, &cells);
}

/// The whole page.
pub fn render(report: &Report, charts: &[(&'static str, &'static str, String)]) -> String {
    let mut o = String::new();
    page_head(&mut o, report.scenario);
    summary_figures(&mut o, &report.figures);
    totals(&mut o, report);
    last_day(&mut o, report);
    charts_section(&mut o, charts);
    monthly(&mut o, report);
    repositories(&mut o, report);
    settings(&mut o, report);
    assumptions(&mut o);
    provenance(&mut o, report);
    o.push_str("</body>\n</html>\n");
    o
}

/// The document head and the title block with what was simulated.
fn page_head(o: &mut String, sc: &Scenario) {
    let scenario_name = sc.file.display().to_string();
    let last = sc.start + (sc.days as i64 - 1) * DAY;
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>scansim report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&scenario_name)
    );
    let _ = writeln!(
        o,
        "<h1>ECR enhanced scanning: coverage and cost</h1>\n<p class=\"muted\">Scenario \
         <code>{}</code>, {} days from {} to {} (UTC), rules profile {}. Written by scansim {}.</p>",
        escape(&scenario_name),
        sc.days,
        format_date(sc.start),
        format_date(last),
        sc.profile.name(),
        env!("CARGO_PKG_VERSION")
    );
}

/// The §8b figures, each with its definition.
fn summary_figures(o: &mut String, f: &Figures) {
    o.push_str("<h2 id=\"figures\">Summary figures</h2>\n<table class=\"figures\">\n");
    let figures = [
        (
            "cost_per_30_days_usd",
            "Cost per 30 days (USD)",
            hundredths_text(f.cost_per_30_days_cents()),
            "total cost of the reported days × 30 / days",
        ),
        (
            "mean_coverage_pct",
            "Mean coverage (%)",
            or_na(f.coverage.text()),
            "100 × Σ active / Σ images over the days",
        ),
        (
            "mean_in_use_coverage_pct",
            "Mean in-use coverage (%)",
            or_na(f.in_use_coverage.text()),
            "100 × Σ in-use active / Σ in use",
        ),
        (
            "mean_continuous_coverage_pct",
            "Mean continuous coverage (%)",
            or_na(f.continuous_coverage.text()),
            "100 × Σ active / Σ (active + expired)",
        ),
        (
            "mean_exposed",
            "Mean exposed images",
            hundredths_text(f.mean_exposed_hundredths()),
            "mean of images in use but not continuously monitored",
        ),
    ];
    for (key, name, value, def) in figures {
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td class=\"n\" data-figure=\"{key}\">{}</td><td class=\"muted\">{}</td></tr>",
            escape(name),
            escape(&value),
            escape(def)
        );
    }
    o.push_str("</table>\n");
}

/// The flows summed over the reported days.
fn totals(o: &mut String, report: &Report) {
    let (f, r) = (&report.figures, report.result);
    o.push_str("<h3>Totals over the reported days</h3>\n<table>\n");
    let totals: [(&str, &str, String); 10] = [
        ("cost_usd", "Cost (USD)", format_usd(f.flows.cost_micro)),
        (
            "initial_scans",
            "Initial scans",
            f.flows.initial_scans.to_string(),
        ),
        ("rescans", "Rescans", f.flows.rescans.to_string()),
        (
            "basic_scans",
            "Basic scans",
            f.flows.basic_scans.to_string(),
        ),
        ("pushes", "Pushes", f.flows.pushes.to_string()),
        ("pulls", "Pulls", f.flows.pulls.to_string()),
        ("deletes", "Deletes", f.flows.deletes.to_string()),
        (
            "expirations",
            "Expirations",
            f.flows.expirations.to_string(),
        ),
        (
            "ignored_events",
            "Ignored events",
            r.ignored_events.to_string(),
        ),
        (
            "inputs_processed",
            "Inputs processed",
            r.inputs_processed().to_string(),
        ),
    ];
    for (key, name, value) in totals {
        let _ = writeln!(
            o,
            "<tr><th>{}</th><td class=\"n\" data-total=\"{key}\">{}</td></tr>",
            escape(name),
            escape(&value)
        );
    }
    o.push_str("</table>\n");
}

/// The image counts by status on the last reported day, if any.
fn last_day(o: &mut String, report: &Report) {
    let (sc, r) = (report.scenario, report.result);
    let Some(d) = r.days.last() else { return };
    let _ = writeln!(
        o,
        "<h3>Last day ({})</h3>\n<table>",
        format_date(sc.start + (r.days.len() as i64 - 1) * DAY)
    );
    let mut head = vec!["images"];
    head.extend(Status::ALL.iter().map(|s| s.name()));
    head.extend(["in_use", "in_use_active"]);
    header(o, &head);
    let mut cells = vec![d.counts.images.to_string()];
    cells.extend(Status::ALL.iter().map(|s| d.status(*s).to_string()));
    cells.extend([
        d.counts.in_use.to_string(),
        d.counts.in_use_active.to_string(),
    ]);
    row_of(o, &cells, |_| true);
    o.push_str("</table>\n");
}

/// The charts as inline SVG (nothing when charts are off).
fn charts_section(o: &mut String, charts: &[(&'static str, &'static str, String)]) {
    if charts.is_empty() {
        return;
    }
    o.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for (stem, title, svg) in charts {
        let _ = writeln!(
            o,
            "<figure id=\"chart-{stem}\">\n{}<figcaption>{} (also in {stem}.png and {stem}.svg)</figcaption>\n</figure>",
            inline_svg(svg),
            escape(title)
        );
    }
}

/// The figures of each calendar month, as in monthly.csv.
fn monthly(o: &mut String, report: &Report) {
    o.push_str(
        "<h2 id=\"monthly\">By calendar month</h2>\n<p class=\"muted\">Over the reported days \
         inside each month (as in monthly.csv).</p>\n<table>\n",
    );
    header(
        o,
        &[
            "month",
            "days",
            "pushes",
            "initial scans",
            "rescans",
            "basic scans",
            "expirations",
            "cost (USD)",
            "mean coverage (%)",
            "mean in-use coverage (%)",
        ],
    );
    o.push_str("<tbody>\n");
    for m in months(report) {
        let mf = &m.figures;
        let cells = [
            m.month.clone(),
            mf.days.to_string(),
            mf.flows.pushes.to_string(),
            mf.flows.initial_scans.to_string(),
            mf.flows.rescans.to_string(),
            mf.flows.basic_scans.to_string(),
            mf.flows.expirations.to_string(),
            format_usd(mf.flows.cost_micro),
            or_na(mf.coverage.text()),
            or_na(mf.in_use_coverage.text()),
        ];
        row_of(o, &cells, |i| i > 0);
    }
    o.push_str("</tbody>\n</table>\n");
}

/// The [`TOP_REPOSITORIES`] most expensive repositories.
fn repositories(o: &mut String, report: &Report) {
    let r = report.result;
    let order = by_cost(report);
    let _ = writeln!(
        o,
        "<h2 id=\"repositories\">Most expensive repositories</h2>\n<p class=\"muted\">{} of {} \
         repositories, by cost; all of them are in repositories.csv.</p>\n<table>",
        order.len().min(TOP_REPOSITORIES),
        order.len()
    );
    header(
        o,
        &[
            "#",
            "repository",
            "group",
            "scan frequency (at the end)",
            "images (at the end)",
            "initial scans",
            "rescans",
            "basic scans",
            "cost (USD)",
            "mean coverage (%)",
        ],
    );
    o.push_str("<tbody>\n");
    for (rank, &i) in order.iter().take(TOP_REPOSITORIES).enumerate() {
        let rep = &r.repos[i];
        let t = &rep.totals;
        let cov = super::figures::Pct {
            num: t.sum_active,
            den: t.sum_images,
        };
        let cells = [
            (true, (rank + 1).to_string()),
            (false, rep.name.clone()),
            (
                false,
                r.groups
                    .get(rep.group as usize)
                    .cloned()
                    .unwrap_or_default(),
            ),
            (false, rep.freq.name().to_string()),
            (true, rep.images.to_string()),
            (true, t.flows.initial_scans.to_string()),
            (true, t.flows.rescans.to_string()),
            (true, t.flows.basic_scans.to_string()),
            (true, format_usd(t.flows.cost_micro)),
            (true, or_na(cov.text())),
        ];
        let cells: Vec<(bool, &str)> = cells.iter().map(|(n, c)| (*n, c.as_str())).collect();
        row(o, &cells);
    }
    o.push_str("</tbody>\n</table>\n");
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
    settings_table(o, sc);
    timeline(o, sc);
}

/// One table of the settings the run used, defaults filled in.
fn settings_table(o: &mut String, sc: &Scenario) {
    o.push_str("<h2 id=\"settings\">Resolved scenario settings</h2>\n<table>\n");
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
        match &sc.traffic {
            Traffic::Trace(t) => format!("trace {}", t.display()),
            Traffic::Synthetic(_) => "synthetic".into(),
            Traffic::None => "none in the scenario (given with --trace)".into(),
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
    for w in &sc.warnings {
        item("warning", w.clone());
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
