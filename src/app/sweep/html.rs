//! `sweep.html`: the comparison of a sweep as one self-contained page (inline SVG, no
//! script, nothing from the network), in the style of `report.html`: the recommendation
//! in words first, the baseline, every variant against it, the paired-difference chart,
//! the part under continuous scanning, the groups, the daily charts and the variants.

use super::compare::{Comparison, Piece, Sentence};
use super::markdown::{
    Table, baseline_words, continuous_table, continuous_words, group_tables, reading_note,
    rest_words, variants_table,
};
use super::plots::Drawn;
use crate::report::html::{STYLE, chart_figure, escape, escape_code, header, row_of};
use crate::report::human::{plural, thousands};
use std::fmt::Write as _;

/// Tables of many numbers: smaller type so they fit a 900-pixel window.
const EXTRA_STYLE: &str = "
table.numbers { font-size: 0.78em; }
table.numbers td.n { white-space: normal; }
tr.baseline td { background: #f3f8fc; font-weight: bold; }
";

/// A sentence of the recommendation: variants in bold with their number.
fn sentence_html(c: &Comparison, s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Piece::Text(t) => escape(t),
            Piece::Figure(t) => format!("<strong>{}</strong>", escape(t)),
            Piece::Variant(v) => format!(
                "<strong data-variant=\"{}\">{}</strong> (#{})",
                v + 1,
                escape(&c.label(*v)),
                v + 1
            ),
        })
        .collect()
}

/// The whole page.
pub fn sweep_html(c: &Comparison, charts: &[Drawn]) -> String {
    let chart = |stem: &str| charts.iter().find(|d| d.0 == stem);
    let mut o = String::new();
    head(&mut o, c);
    recommendation(&mut o, c);
    o.push_str(
        "<nav class=\"muted\">On this page: <a href=\"#every-variant\">every variant</a> \
         <a href=\"#differences\">paired differences</a> <a href=\"#continuous\">continuous \
         scanning</a> <a href=\"#groups\">groups</a> <a href=\"#day-by-day\">day by day</a> \
         <a href=\"#variant-list\">variants</a></nav>\n",
    );
    variants_section(&mut o, c);
    if let Some(d) = chart("paired_differences") {
        o.push_str(
            "<h2 id=\"differences\">Paired differences</h2>\n<p>Each variant's change in \
             cost per month against its change in coverage, measured replication by \
             replication on the same traffic, with 95 % intervals; the baseline sits at 0, \
             0 (ringed in black). Down is cheaper, right is better covered. Variants that \
             coincide are drawn as rings around one another and share one label.</p>\n",
        );
        chart_figure(&mut o, d);
    }
    if let Some(d) = chart("cost_coverage") {
        o.push_str(
            "<p>The same variants by their own figures. The intervals here include how much \
             one year of traffic differs from another, so they overlap even where the paired \
             differences above are clear.</p>\n",
        );
        chart_figure(&mut o, d);
    }
    continuous_section(&mut o, c);
    groups(&mut o, c);
    day_by_day(&mut o, chart("coverage"), chart("in_use_coverage"));
    variant_list(&mut o, c);
    o.push_str("</body>\n</html>\n");
    o
}

fn head(o: &mut String, c: &Comparison) {
    let meta = c.meta;
    let v0 = &meta.variants[0];
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>scansim sweep: {}</title>\n<style>{STYLE}{EXTRA_STYLE}</style>\n</head>\n\
         <body>\n<h1>Comparing settings: what each costs and covers</h1>\n<p \
         class=\"muted\">Sweep of <code>{}</code>: {} × {}, {} days from {}; replication k \
         uses the same traffic in every variant (common random numbers). Written by \
         scansim {}.</p>",
        escape(&meta.scenario),
        escape(&meta.scenario),
        plural(meta.variants.len() as u64, "variant", "variants"),
        plural(meta.replications as u64, "replication", "replications"),
        thousands(v0.days as u64),
        escape(&v0.start),
        env!("CARGO_PKG_VERSION")
    );
}

fn recommendation(o: &mut String, c: &Comparison) {
    o.push_str("<section id=\"recommendation\" class=\"answer\">\n");
    for s in c.recommendation() {
        let _ = writeln!(o, "<p>{}</p>", sentence_html(c, &s));
    }
    let _ = writeln!(
        o,
        "<p id=\"baseline\"><strong>Baseline:</strong> {}.</p>\n</section>\n<p>{}</p>",
        escape_code(&baseline_words(c)),
        escape_code(&reading_note(c))
    );
}

/// A table of the comparison; the baseline's row marked.
fn table_html(o: &mut String, c: &Comparison, t: &Table) {
    let _ = writeln!(o, "<table id=\"{}\" class=\"numbers\">", t.id);
    let head: Vec<&str> = t.head.iter().map(String::as_str).collect();
    header(o, &head);
    for (v, cells) in t.rows.iter().enumerate() {
        let mut r = String::new();
        row_of(&mut r, cells, |i| i != 1);
        let class = if v == c.base() {
            " class=\"baseline\""
        } else {
            ""
        };
        o.push_str(&r.replacen(
            "<tr>",
            &format!("<tr data-variant=\"{}\"{class}>", v + 1),
            1,
        ));
    }
    o.push_str("</table>\n");
}

fn variants_section(o: &mut String, c: &Comparison) {
    o.push_str("<h2 id=\"every-variant\">Every variant against the baseline</h2>\n");
    table_html(o, c, &variants_table(c));
    o.push_str(
        "<p class=\"muted\">Cost per month: the cost of the reported days × 30 / days; per \
         year: × 365 / 30. Saving: the baseline's cost minus the variant's (negative: it \
         costs more). Coverage: of all images; in-use coverage: of the images in use. Changes \
         are in percentage points. Efficient: no other variant is both cheaper (or as cheap) \
         and better (or as well) covered.</p>\n",
    );
}

fn continuous_section(o: &mut String, c: &Comparison) {
    let _ = writeln!(
        o,
        "<h2 id=\"continuous\">Where the settings act: continuous scanning</h2>\n<p>{}</p>",
        escape(&continuous_words(c))
    );
    table_html(o, c, &continuous_table(c));
    let _ = writeln!(o, "<p>{}</p>", escape(&rest_words(c)));
}

fn groups(o: &mut String, c: &Comparison) {
    let tables = group_tables(c);
    if tables.is_empty() {
        return;
    }
    o.push_str("<h2 id=\"groups\">By group</h2>\n");
    for (title, t) in tables {
        let _ = writeln!(o, "<h3>{title}</h3>");
        table_html(o, c, &t);
    }
}

fn day_by_day(o: &mut String, coverage: Option<&Drawn>, in_use: Option<&Drawn>) {
    if coverage.is_none() && in_use.is_none() {
        return;
    }
    o.push_str(
        "<h2 id=\"day-by-day\">Day by day</h2>\n<p>Each variant's coverage per day, the mean \
         over the replications with a 95 % band; each line ends with its variant's \
         number.</p>\n",
    );
    for d in [coverage, in_use].into_iter().flatten() {
        chart_figure(o, d);
    }
}

fn variant_list(o: &mut String, c: &Comparison) {
    o.push_str("<h2 id=\"variant-list\">Variants</h2>\n<ol>\n");
    for (v, vm) in c.meta.variants.iter().enumerate() {
        let seeds: Vec<String> = vm.seeds.iter().map(u64::to_string).collect();
        let _ = writeln!(
            o,
            "<li><code>{}</code>: {}; <code>variants/{}/daily.csv</code>; seeds {}</li>",
            escape(&vm.name),
            escape(&c.label(v)),
            escape(&vm.dir),
            seeds.join(", ")
        );
    }
    o.push_str("</ol>\n");
}
