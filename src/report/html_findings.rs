//! The findings section of `report.html`: what scanning opened and closed, the chart of
//! open findings by severity, and the load each kind of event puts on its consumers.

use super::Report;
use super::consumers::{Spread, hour_text, loads};
use super::html::{Drawn, chart_figure, header, row_of};
use super::human::thousands;
use std::fmt::Write as _;

/// The findings: what is open at the end, what scanning created and closed, the chart,
/// and the events per day and in the busiest hour.
pub fn findings_section(o: &mut String, report: &Report, chart: Option<&Drawn>) {
    let f = &report.figures;
    let fl = &f.flows.findings;
    let _ = writeln!(
        o,
        "<h2 id=\"findings\">Findings</h2>\n<p>Scanning opened <strong>{}</strong> findings \
         over the run (first scans, rescans after vulnerability-feed updates, and findings \
         reopened when an image was scanned again), updated <strong>{}</strong> and closed \
         <strong>{}</strong>; <strong>{}</strong> of the closed findings belonged to images \
         still in use when monitoring stopped. At the end <strong>{}</strong> findings are \
         open.</p>",
        thousands(fl.created_total()),
        thousands(fl.updated),
        thousands(fl.closed_total()),
        thousands(fl.closed_in_use),
        thousands(f.findings_open_last.iter().sum()),
    );
    if let Some(c) = chart {
        chart_figure(o, c);
    }
    event_load(o, report);
}

/// Per event kind: events per day and in the busiest hour (median, 95th percentile,
/// maximum over the days), and when the busiest hour of the run was.
fn event_load(o: &mut String, report: &Report) {
    o.push_str(
        "<h3 id=\"event-load\">Sizing the event consumers</h3>\n<p>The EventBridge events \
         scanning sends, per kind: per day and in each day's busiest hour (median, 95th \
         percentile and maximum over the days). Expirations and lifecycle actions run at \
         midnight and count as an hour of their own at the end of their day. Size a queue by \
         the busiest hour, a Lambda concurrency limit by its events per second.</p>\n<table>\n",
    );
    header(
        o,
        &[
            "event",
            "total",
            "per day p50",
            "p95",
            "max",
            "busiest hour p50",
            "p95",
            "max",
            "busiest hour of the run",
        ],
    );
    for l in loads(report) {
        let (d, h) = (Spread::of(&l.per_day), Spread::of(&l.busiest_hour));
        let mut cells = vec![l.kind.to_string(), thousands(l.per_day.iter().sum())];
        cells.extend([d.p50, d.p95, d.max, h.p50, h.p95, h.max].map(thousands));
        cells.push(
            l.peak
                .map(|(day, b)| hour_text(report.scenario.start, day, b))
                .unwrap_or_else(|| "–".into()),
        );
        row_of(o, &cells, |i| (1..8).contains(&i));
    }
    o.push_str("</table>\n");
}
