//! Open findings per day stacked by severity, with the findings closed each day and those
//! closed while their image was still in use: the downstream work scanning creates and
//! what a short re-scan window takes away.

use super::Report;
use super::axis::DayAxis;
use super::charts::{
    CAPTION_SIZE, Chart, DESC_SIZE, DrawResult, FONT, LABEL_SIZE, Swatch, count_label,
    count_labels, day_count_mesh, day_steps, headroom, stack, with_legend,
};
use crate::rules::findings::SEVERITIES;
use plotters::coord::Shift;
use plotters::prelude::*;

pub const FINDINGS_TITLE: &str = "Open findings by severity per day, with the findings closed";
pub const CLOSED_LABEL: &str = "closed that day (right axis)";
pub const CLOSED_IN_USE_LABEL: &str = "closed while the image was in use (right axis)";
const CLOSED_COLOR: RGBColor = RGBColor(0, 0, 0);
const IN_USE_COLOR: RGBColor = RGBColor(120, 20, 120);

/// The colour of a severity, most severe darkest red.
pub fn severity_color(s: usize) -> RGBColor {
    [
        RGBColor(103, 0, 13),
        RGBColor(203, 24, 29),
        RGBColor(251, 106, 74),
        RGBColor(252, 187, 161),
        RGBColor(158, 202, 225),
        RGBColor(199, 199, 199),
    ][s.min(5)]
}

/// What the chart plots, one value per reported day.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingsSeries {
    pub start: i64,
    /// Per severity that is open on some day (`SEVERITIES` index, counts).
    pub open: Vec<(usize, Vec<u64>)>,
    pub closed: Vec<u64>,
    pub closed_in_use: Vec<u64>,
}

impl FindingsSeries {
    pub fn from_report(report: &Report) -> FindingsSeries {
        let days = &report.result.days;
        FindingsSeries {
            start: report.scenario.start,
            open: (0..6)
                .map(|s| (s, days.iter().map(|d| d.counts.findings_open[s]).collect()))
                .filter(|(_, v): &(usize, Vec<u64>)| v.iter().any(|&x| x > 0))
                .collect(),
            closed: days
                .iter()
                .map(|d| d.flows.findings.closed_total())
                .collect(),
            closed_in_use: days
                .iter()
                .map(|d| d.flows.findings.closed_in_use)
                .collect(),
        }
    }

    pub fn legend(&self) -> Vec<(String, Swatch)> {
        let mut v: Vec<(String, Swatch)> = self
            .open
            .iter()
            .map(|(s, _)| {
                (
                    SEVERITIES[*s].to_lowercase(),
                    Swatch::Fill(severity_color(*s)),
                )
            })
            .collect();
        v.push((CLOSED_LABEL.into(), Swatch::Line(CLOSED_COLOR)));
        v.push((CLOSED_IN_USE_LABEL.into(), Swatch::Line(IN_USE_COLOR)));
        v
    }
}

impl Chart for FindingsSeries {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let n = self.closed.len();
        let tops = stack(self.open.iter().map(|(_, v)| v.as_slice()));
        let max = |v: Option<&Vec<u64>>| v.and_then(|t| t.iter().max()).copied().unwrap_or(0);
        let y_top = headroom(max(tops.last()) as f64, 1.0);
        let y2_top = headroom(max(Some(&self.closed)) as f64, 1.0);
        let axis = DayAxis::new(self.start, n);
        let x_desc = format!("Date (UTC, {}); open at each day's end", axis.tick_words());
        let mut chart = ChartBuilder::on(&plot)
            .caption(FINDINGS_TITLE, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(96)
            .right_y_label_area_size(96)
            .build_cartesian_2d(axis.coord(), 0f64..y_top)?
            .set_secondary_coord(axis.coord(), 0f64..y2_top);
        day_count_mesh(&mut chart, &axis, &x_desc, "Open findings (count)", y_top)?;
        chart
            .configure_secondary_axes()
            .y_desc("Findings closed per day (count)")
            .y_labels(count_labels(y2_top))
            .y_label_formatter(&|y| count_label(*y))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()?;
        for (k, top) in tops.iter().enumerate().rev() {
            let color = severity_color(self.open[k].0);
            chart.draw_series(AreaSeries::new(day_steps(top), 0.0, color.filled()))?;
        }
        for (v, color) in [
            (&self.closed, CLOSED_COLOR),
            (&self.closed_in_use, IN_USE_COLOR),
        ] {
            chart.draw_secondary_series(LineSeries::new(day_steps(v), color.stroke_width(2)))?;
        }
        Ok(())
    }
}
