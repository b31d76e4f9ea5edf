//! Charts of a run, as PNG files and SVG text, drawn with `plotters`.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (`dejavu` crate; licence in
//! `LICENSES/DejaVu-fonts.txt`), registered with plotters' `ab_glyph` backend, so charts
//! render on a machine without system fonts and the build needs no system library. PNG
//! text goes through [`super::png`], which places glyphs as the font says.
//!
//! A chart is plain data implementing [`Chart`]: what is plotted can be checked in tests
//! without looking at pixels, and the same value renders to PNG ([`write_png`]) or SVG
//! ([`svg_string`], [`write_svg`]). Besides the two charts of a run ([`CoverageSeries`],
//! [`CostSeries`]) there are two generic ones for sweeps: [`DayLines`] (lines over days,
//! each with an optional band) and [`ErrorBarChart`] (x/y points with error bars).

use super::Report;
use super::axis::DayAxis;
use super::figures::Pct;
use crate::base::error::{Error, Result};
use crate::base::time::{DAY, format_date};
use crate::rules::Status;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt;
use std::path::Path;

/// Size of every chart, in pixels.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

/// The font family every text of a chart uses (registered by [`register_fonts`]).
pub(super) const FONT: &str = "sans-serif";
pub(super) const CAPTION_SIZE: i32 = 28;
pub(super) const LABEL_SIZE: i32 = 16;
pub(super) const DESC_SIZE: i32 = 18;
const LEGEND_SIZE: i32 = 17;
const LEGEND_ROW: u32 = 26;

/// The result of drawing onto a backend.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart failed to render (font or backend problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

/// Something that draws itself on a `WIDTH`×`HEIGHT` area of any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Registers the embedded font with plotters, once per process.
pub fn register_fonts() -> std::result::Result<(), ChartError> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError(
            "the embedded DejaVu Sans font is invalid".into(),
        ))
    }
}

/// Renders a chart as SVG text.
pub fn svg_string(chart: &impl Chart) -> std::result::Result<String, ChartError> {
    register_fonts()?;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw(&root).map_err(|e| ChartError(e.to_string()))?;
        root.present().map_err(|e| ChartError(e.to_string()))?;
    }
    Ok(s)
}

/// Renders a chart into an SVG file.
pub fn write_svg(chart: &impl Chart, path: &Path) -> Result<()> {
    let s = svg_string(chart).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    std::fs::write(path, s).map_err(|e| Error::io(path, e))
}

/// Renders a chart into a PNG file.
pub fn write_png(chart: &impl Chart, path: &Path) -> Result<()> {
    let fail = |e: String| Error::io(path, std::io::Error::other(ChartError(e)));
    register_fonts().map_err(|e| fail(e.0))?;
    let root = super::png::Png(BitMapBackend::new(path, (WIDTH, HEIGHT))).into_drawing_area();
    chart.draw(&root).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))
}

/// The charts of a run that were written, with their SVG text for the HTML report.
pub struct RunCharts {
    /// (file stem, title, SVG text), in report order.
    pub charts: Vec<(&'static str, &'static str, String)>,
}

/// Writes `coverage.png/.svg`, `cost.png/.svg`, `cost_by_month.png/.svg` and
/// `findings.png/.svg` into `dir`.
pub fn write_run_charts(report: &Report, dir: &Path) -> Result<RunCharts> {
    use super::month_chart::{MONTHLY_TITLE, MonthlyCost};
    let coverage = CoverageSeries::from_report(report);
    let cost = CostSeries::from_report(report);
    let monthly = MonthlyCost::from_report(report);
    let coverage_svg = write_both(&coverage, dir, "coverage")?;
    let cost_svg = write_both(&cost, dir, "cost")?;
    let monthly_svg = write_both(&monthly, dir, "cost_by_month")?;
    let findings = super::findings_chart::FindingsSeries::from_report(report);
    let findings_svg = write_both(&findings, dir, "findings")?;
    Ok(RunCharts {
        charts: vec![
            ("coverage", COVERAGE_TITLE, coverage_svg),
            ("cost", COST_TITLE, cost_svg),
            ("cost_by_month", MONTHLY_TITLE, monthly_svg),
            (
                "findings",
                super::findings_chart::FINDINGS_TITLE,
                findings_svg,
            ),
        ],
    })
}

/// Writes `dir/STEM.svg` and `dir/STEM.png`; returns the SVG text.
pub fn write_both(chart: &impl Chart, dir: &Path, stem: &str) -> Result<String> {
    let p = dir.join(format!("{stem}.svg"));
    let svg = svg_string(chart).map_err(|e| Error::io(&p, std::io::Error::other(e)))?;
    std::fs::write(&p, &svg).map_err(|e| Error::io(&p, e))?;
    write_png(chart, &dir.join(format!("{stem}.png")))?;
    Ok(svg)
}

// ---------------------------------------------------------------------------------------
// Colours and shared drawing helpers

/// Categorical colours (Tableau 10), opaque.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The fill colour of a status in the coverage chart.
pub fn status_color(s: Status) -> RGBColor {
    match s {
        Status::Active => RGBColor(44, 160, 44),
        Status::Expired => RGBColor(214, 39, 40),
        Status::ScanOnPush => RGBColor(31, 119, 180),
        Status::NotScanned => RGBColor(199, 199, 199),
        Status::Unsupported => RGBColor(148, 103, 189),
        Status::Archived => RGBColor(140, 86, 75),
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    Fill(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    Point(RGBColor),
}

pub(super) fn text_style(size: i32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&BLACK)
}

/// Splits off a legend strip at the bottom of `root` and draws the entries in rows,
/// centred; returns the area left for the plot.
pub(super) fn with_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let style = text_style(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let (w, h) = root.dim_in_pixel();
    let (swatch, gap, spacing) = (28i32, 8i32, 28i32);
    let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut row_w = 0i32;
    for (i, (label, _)) in entries.iter().enumerate() {
        let (tw, _) = root.estimate_text_size(label, &style)?;
        let ew = swatch + gap + tw as i32;
        if row_w > 0 && row_w + spacing + ew > w as i32 - 40 {
            rows.push(Vec::new());
            row_w = 0;
        }
        let row = rows.last_mut().expect("a row");
        row_w += if row.is_empty() { ew } else { spacing + ew };
        row.push((i, ew));
    }
    let strip = LEGEND_ROW * rows.len() as u32 + 14;
    let (plot, legend) = root.split_vertically(h.saturating_sub(strip));
    for (r, row) in rows.iter().enumerate() {
        let total: i32 =
            row.iter().map(|(_, ew)| ew).sum::<i32>() + spacing * (row.len() as i32 - 1);
        let mut x = (w as i32 - total).max(0) / 2;
        let y = 6 + (r as i32) * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        for &(i, ew) in row {
            let (label, sw) = &entries[i];
            match *sw {
                Swatch::Fill(c) => legend.draw(&Rectangle::new(
                    [(x + 4, y - 8), (x + swatch - 4, y + 8)],
                    c.filled(),
                ))?,
                Swatch::Line(c) => legend.draw(&PathElement::new(
                    vec![(x, y), (x + swatch, y)],
                    c.stroke_width(3),
                ))?,
                Swatch::Dashed(c) => {
                    for k in 0..3 {
                        let x0 = x + k * 10;
                        legend.draw(&PathElement::new(
                            vec![(x0, y), (x0 + 6, y)],
                            c.stroke_width(3),
                        ))?;
                    }
                }
                Swatch::Point(c) => {
                    legend.draw(&Circle::new((x + swatch / 2, y), 5, c.filled()))?
                }
            }
            legend.draw(&Text::new(
                label.clone(),
                (x + swatch + gap, y),
                style.clone(),
            ))?;
            x += ew + spacing;
        }
    }
    Ok(plot)
}

/// A y-axis maximum that leaves headroom above `max` (and is positive).
pub(super) fn headroom(max: f64, min_top: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        min_top
    }
}

/// Number formatting for axis labels: no noise digits.
fn num_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        let n = super::human::thousands(a.round() as u64);
        if v < 0.0 { format!("-{n}") } else { n }
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        let s = format!("{v:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').to_string()
    }
}

/// A y label for an axis up to `top`: thousands separators, decimals only for small
/// ranges.
pub(super) fn y_label(v: f64, top: f64) -> String {
    super::human::axis_number(v, top / 10.0)
}

/// A polyline without repeated points or middle points on a straight stretch: plotters'
/// thick-line rasteriser bends flat stretches at such joins, and the SVG gets smaller.
pub fn simplify(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let (ux, uy) = (b.0 - a.0, b.1 - a.1);
            let (vx, vy) = (p.0 - b.0, p.1 - b.1);
            let cross = ux * vy - uy * vx;
            let scale = (ux * ux + uy * uy).sqrt() * (vx * vx + vy * vy).sqrt();
            if cross.abs() <= 1e-12 * scale && ux * vx + uy * vy > 0.0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// How many y labels to ask for on a count axis up to `top`, so small ranges get whole
/// numbers only.
pub(super) fn count_labels(top: f64) -> usize {
    (top.floor() as usize + 1).clamp(2, 10)
}

/// A count-axis label: whole numbers only, with thousands separators.
pub(super) fn count_label(v: f64) -> String {
    if (v - v.round()).abs() > 1e-9 || v < 0.0 {
        String::new()
    } else {
        super::human::thousands(v.round() as u64)
    }
}

/// The mesh of a chart of counts over days: the date axis below, a count axis on the
/// left up to `y_top`.
pub(super) fn day_count_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<super::axis::TickAxis, plotters::coord::types::RangedCoordf64>,
    >,
    axis: &DayAxis,
    x_desc: &str,
    y_desc: &str,
    y_top: f64,
) -> DrawResult<DB> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(axis.ticks().len() + 1)
        .y_labels(count_labels(y_top))
        .x_label_formatter(&|x| axis.label(*x))
        .y_label_formatter(&|y| count_label(*y))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .light_line_style(WHITE)
        .draw()
}

/// Cumulative tops of stacked daily series: layer k is the sum of series 0..=k.
pub(super) fn stack<'a>(series: impl Iterator<Item = &'a [u64]>) -> Vec<Vec<u64>> {
    let mut tops: Vec<Vec<u64>> = Vec::new();
    for counts in series {
        let below = tops.last();
        let top = counts
            .iter()
            .enumerate()
            .map(|(d, c)| c + below.map_or(0, |b| b[d]))
            .collect();
        tops.push(top);
    }
    tops
}

/// A daily series as steps: each day's value held from its start to its end.
pub(super) fn day_steps(values: &[u64]) -> Vec<(f64, f64)> {
    simplify(
        values
            .iter()
            .enumerate()
            .flat_map(|(d, &v)| [(d as f64, v as f64), (d as f64 + 1.0, v as f64)]),
    )
}

/// Contiguous runs of `Some` values, as lists of indexes.
fn runs<T>(values: &[Option<T>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, v) in values.iter().enumerate() {
        match (v.is_some(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..values.len());
    }
    out
}

// ---------------------------------------------------------------------------------------
// Coverage chart

pub const COVERAGE_TITLE: &str = "Images by scan status per day, with in-use coverage";
/// The legend label of the in-use coverage line.
pub const IN_USE_LABEL: &str = "images in use that are monitored (%, right axis)";

/// A status in words, for legends and tables.
pub fn status_words(s: Status) -> &'static str {
    match s {
        Status::Active => "monitored (active)",
        Status::Expired => "expired: re-scan window closed",
        Status::ScanOnPush => "scanned on push only",
        Status::NotScanned => "not scanned",
        Status::Unsupported => "not supported by Inspector",
        Status::Archived => "archived",
    }
}

/// What the coverage chart plots: the status counts at each day's snapshot, stacked in
/// `Status::ALL` order from the bottom (active) up, and the in-use coverage line.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageSeries {
    /// Instant of day 0.
    pub start: i64,
    /// One series per status that occurs on some day, in `Status::ALL` order; one count
    /// per reported day.
    pub status: Vec<(Status, Vec<u64>)>,
    /// `100 × in_use_active / in_use` per day; none when no image is in use.
    pub in_use_pct: Vec<Option<f64>>,
}

impl CoverageSeries {
    pub fn from_report(report: &Report) -> CoverageSeries {
        let days = &report.result.days;
        CoverageSeries {
            start: report.scenario.start,
            status: Status::ALL
                .iter()
                .map(|&s| (s, days.iter().map(|d| d.status(s)).collect::<Vec<u64>>()))
                .filter(|(_, counts)| counts.iter().any(|&c| c > 0))
                .collect(),
            in_use_pct: days
                .iter()
                .map(|d| {
                    Pct {
                        num: d.counts.in_use_active,
                        den: d.counts.in_use,
                    }
                    .exact()
                })
                .collect(),
        }
    }

    pub fn days(&self) -> usize {
        self.in_use_pct.len()
    }

    /// The legend, in drawing order of the SVG: the statuses in words, then the line
    /// (when some image is in use).
    pub fn legend(&self) -> Vec<(String, Swatch)> {
        let mut v: Vec<(String, Swatch)> = self
            .status
            .iter()
            .map(|(s, _)| (status_words(*s).to_string(), Swatch::Fill(status_color(*s))))
            .collect();
        if self.in_use_pct.iter().any(Option::is_some) {
            v.push((IN_USE_LABEL.to_string(), Swatch::Line(BLACK)));
        }
        v
    }
}

impl Chart for CoverageSeries {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let n = self.days();
        let tops = stack(self.status.iter().map(|(_, c)| c.as_slice()));
        let max = tops
            .last()
            .and_then(|t| t.iter().max())
            .copied()
            .unwrap_or(0) as f64;
        let y_top = headroom(max, 1.0);
        let axis = DayAxis::new(self.start, n);
        let x_desc = format!(
            "Date (UTC, {}); each day shows its end-of-day snapshot",
            axis.tick_words()
        );
        let mut chart = ChartBuilder::on(&plot)
            .caption(COVERAGE_TITLE, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .right_y_label_area_size(84)
            .build_cartesian_2d(axis.coord(), 0f64..y_top)?
            .set_secondary_coord(axis.coord(), 0f64..105f64);
        day_count_mesh(&mut chart, &axis, &x_desc, "Images (count)", y_top)?;
        chart
            .configure_secondary_axes()
            .y_desc("Images in use that are monitored (%)")
            .y_labels(8)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()?;
        // Top-down, opaque: each layer hides the part of the one above it that is not its own.
        for (k, top) in tops.iter().enumerate().rev() {
            let color = status_color(self.status[k].0);
            chart.draw_series(AreaSeries::new(day_steps(top), 0.0, color.filled()))?;
        }
        for r in runs(&self.in_use_pct) {
            let steps = simplify(r.flat_map(|d| {
                let p = self.in_use_pct[d].unwrap_or(0.0);
                [(d as f64, p), (d as f64 + 1.0, p)]
            }));
            chart.draw_secondary_series(LineSeries::new(steps, BLACK.stroke_width(3)))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Cost chart

pub const COST_TITLE: &str =
    "Enhanced scanning cost per day, cumulative cost and configuration changes";
pub const DAILY_COST_LABEL: &str = "daily cost (USD, left axis)";
pub const CUMULATIVE_COST_LABEL: &str = "cumulative cost (USD, right axis)";
pub const CHANGE_LABEL: &str = "configuration change";
const COST_COLOR: RGBColor = RGBColor(107, 174, 214);
const CUMULATIVE_COLOR: RGBColor = RGBColor(230, 85, 13);
const CHANGE_COLOR: RGBColor = RGBColor(120, 20, 120);

/// What the cost chart plots.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSeries {
    pub start: i64,
    /// Cost of each reported day, USD.
    pub daily_usd: Vec<f64>,
    /// Running total through the end of each day, USD (exact sums of micro-USD).
    pub cumulative_usd: Vec<f64>,
    /// Positions (days since `start`, fractional) of the configuration changes applied
    /// during the reported days.
    pub changes: Vec<f64>,
}

impl CostSeries {
    pub fn from_report(report: &Report) -> CostSeries {
        let start = report.scenario.start;
        let days = &report.result.days;
        let mut cum = 0i64;
        let end = start + days.len() as i64 * DAY;
        CostSeries {
            start,
            daily_usd: days
                .iter()
                .map(|d| d.flows.cost_micro as f64 / 1e6)
                .collect(),
            cumulative_usd: days
                .iter()
                .map(|d| {
                    cum += d.flows.cost_micro;
                    cum as f64 / 1e6
                })
                .collect(),
            changes: report
                .result
                .config_changes
                .iter()
                .filter(|&&t| t >= start && t < end)
                .map(|&t| (t - start) as f64 / DAY as f64)
                .collect(),
        }
    }

    /// The legend; the marker only when a change falls in the reported days.
    pub fn legend(&self) -> Vec<(String, Swatch)> {
        let mut v = vec![
            (DAILY_COST_LABEL.into(), Swatch::Fill(COST_COLOR)),
            (CUMULATIVE_COST_LABEL.into(), Swatch::Line(CUMULATIVE_COLOR)),
        ];
        if !self.changes.is_empty() {
            v.push((CHANGE_LABEL.into(), Swatch::Dashed(CHANGE_COLOR)));
        }
        v
    }

    /// The most expensive day (the first of equals) and its cost, if any day cost.
    pub fn tallest(&self) -> Option<(usize, f64)> {
        self.daily_usd
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, v)| *v > 0.0)
            .fold(None, |best: Option<(usize, f64)>, (d, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((d, v)),
            })
    }

    /// The note on the tallest bar: `303 USD on 2027-01-01`.
    pub fn tallest_note(&self) -> Option<String> {
        let (d, v) = self.tallest()?;
        Some(format!(
            "{} on {}",
            super::human::usd_f64(v),
            format_date(self.start + d as i64 * DAY)
        ))
    }
}

impl CostSeries {
    /// The note beside the tallest bar, on the side with more room.
    fn draw_tallest_note<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
        &self,
        chart: &mut ChartContext<DB, CT>,
        n: usize,
    ) -> DrawResult<DB> {
        let (Some((d, v)), Some(note)) = (self.tallest(), self.tallest_note()) else {
            return Ok(());
        };
        let (dx, pos) = if (d as f64) < n as f64 * 0.6 {
            (8, Pos::new(HPos::Left, VPos::Center))
        } else {
            (-8, Pos::new(HPos::Right, VPos::Center))
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((d as f64 + 0.5, v))
                + Text::new(note, (dx, 0), text_style(LABEL_SIZE).pos(pos)),
        ))?;
        Ok(())
    }
}

impl Chart for CostSeries {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let n = self.daily_usd.len();
        let max = self.daily_usd.iter().copied().fold(0.0, f64::max);
        let cmax = self.cumulative_usd.iter().copied().fold(0.0, f64::max);
        // Room above the tallest bar for its note.
        let top = headroom(max * 1.08, 0.01);
        let ctop = headroom(cmax, 0.01);
        let axis = DayAxis::new(self.start, n);
        let mut chart = ChartBuilder::on(&plot)
            .caption(COST_TITLE, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .right_y_label_area_size(96)
            .build_cartesian_2d(axis.coord(), 0f64..top)?
            .set_secondary_coord(axis.coord(), 0f64..ctop);
        chart
            .configure_mesh()
            .x_desc(format!("Date (UTC, {})", axis.tick_words()))
            .y_desc("Daily cost (USD)")
            .x_labels(axis.ticks().len() + 1)
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|y| y_label(*y, top))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_desc("Cumulative cost (USD)")
            .y_label_formatter(&|y| y_label(*y, ctop))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()?;
        // Markers first: the bars are drawn over them, so no bar is ever hidden.
        for &x in &self.changes {
            chart.draw_series(DashedLineSeries::new(
                vec![(x, 0.0), (x, top)],
                8,
                5,
                CHANGE_COLOR.stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, top))
                    + Polygon::new(vec![(-7, 0), (7, 0), (0, 10)], CHANGE_COLOR.filled()),
            ))?;
        }
        chart.draw_series(
            self.daily_usd
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .map(|(d, &v)| {
                    Rectangle::new([(d as f64, 0.0), (d as f64 + 1.0, v)], COST_COLOR.filled())
                }),
        )?;
        self.draw_tallest_note(&mut chart, n)?;
        // The running total at each day end: from 0 at the start of day 0.
        let cum = simplify(
            std::iter::once((0.0, 0.0)).chain(
                self.cumulative_usd
                    .iter()
                    .enumerate()
                    .map(|(d, &c)| (d as f64 + 1.0, c)),
            ),
        );
        chart.draw_secondary_series(LineSeries::new(cum, CUMULATIVE_COLOR.stroke_width(3)))?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Generic charts for sweeps

/// One line over days, with an optional band (e.g. the range or an interval over runs).
#[derive(Debug, Clone, PartialEq)]
pub struct DayLine {
    pub label: String,
    /// One value per day; none leaves a gap.
    pub values: Vec<Option<f64>>,
    /// Per day `(low, high)`; none leaves a gap.
    pub band: Option<Vec<Option<(f64, f64)>>>,
    /// A short tag drawn at the line's end (a variant's number).
    pub tag: Option<String>,
}

/// Lines over days, each with an optional band; colours from [`PALETTE`] in order.
#[derive(Debug, Clone, PartialEq)]
pub struct DayLines {
    pub title: String,
    pub y_desc: String,
    /// Instant of day 0 (for the dates on the x axis).
    pub start: i64,
    pub lines: Vec<DayLine>,
}

/// A legend entry per label, coloured from [`PALETTE`] in order.
fn palette_legend<'a>(
    labels: impl Iterator<Item = &'a String>,
    swatch: fn(RGBColor) -> Swatch,
) -> Vec<(String, Swatch)> {
    labels
        .enumerate()
        .map(|(i, l)| (l.clone(), swatch(PALETTE[i % PALETTE.len()])))
        .collect()
}

impl DayLines {
    pub fn legend(&self) -> Vec<(String, Swatch)> {
        palette_legend(self.lines.iter().map(|l| &l.label), Swatch::Line)
    }
}

impl Chart for DayLines {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let n = self.lines.iter().map(|l| l.values.len()).max().unwrap_or(0);
        let all = self.lines.iter().flat_map(|l| {
            l.values
                .iter()
                .flatten()
                .copied()
                .chain(l.band.iter().flatten().flatten().flat_map(|&(a, b)| [a, b]))
        });
        let (lo, hi) = all
            .filter(|v| v.is_finite())
            .fold((0.0f64, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let axis = DayAxis::new(self.start, n);
        let tagged = self.lines.iter().any(|l| l.tag.is_some());
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, CAPTION_SIZE))
            .margin(14)
            // Room for half of the last date label, which is centred on the right edge.
            .margin_right(if tagged { 80 } else { 48 })
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(axis.coord(), lo..headroom(hi, 1.0))?;
        chart
            .configure_mesh()
            .x_desc(format!("Date (UTC, {})", axis.tick_words()))
            .y_desc(&self.y_desc)
            .x_labels(axis.ticks().len() + 1)
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|y| num_label(*y))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        let at = |d: usize| d as f64 + 0.5;
        for (i, l) in self.lines.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            if let Some(band) = &l.band {
                for r in runs(band) {
                    let upper = r.clone().map(|d| (at(d), band[d].map_or(0.0, |b| b.1)));
                    let lower = r.rev().map(|d| (at(d), band[d].map_or(0.0, |b| b.0)));
                    let poly = simplify(upper.chain(lower));
                    chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))?;
                }
            }
        }
        // A line that (nearly) coincides with later ones is drawn wider, so each of them
        // shows as a band of its own colour around the next.
        let tol = (headroom(hi, 1.0) - lo) * 0.005;
        let close = |a: &DayLine, b: &DayLine| {
            a.values.len() == b.values.len()
                && a.values.iter().zip(&b.values).all(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => (x - y).abs() <= tol,
                    (x, y) => x.is_none() && y.is_none(),
                })
        };
        let widths: Vec<u32> = (0..self.lines.len())
            .map(|i| {
                let same = self.lines[i + 1..]
                    .iter()
                    .filter(|o| close(o, &self.lines[i]))
                    .count();
                2 + 4 * same as u32
            })
            .collect();
        for (i, l) in self.lines.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            for r in runs(&l.values) {
                let pts: Vec<(f64, f64)> = r.map(|d| (at(d), l.values[d].unwrap_or(0.0))).collect();
                if pts.len() == 1 {
                    chart.draw_series(std::iter::once(Circle::new(pts[0], 4, c.filled())))?;
                }
                chart.draw_series(LineSeries::new(pts, c.stroke_width(widths[i])))?;
            }
        }
        self.draw_tags(&mut chart, n)
    }
}

impl DayLines {
    /// Each line's tag at its last value, lines ending close together sharing one.
    fn draw_tags<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
        &self,
        chart: &mut ChartContext<DB, CT>,
        n: usize,
    ) -> DrawResult<DB> {
        let ends: Vec<(usize, f64)> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.tag.is_some())
            .filter_map(|(i, l)| Some((i, l.values.iter().rev().flatten().next().copied()?)))
            .collect();
        let span = ends.iter().map(|e| e.1.abs()).fold(1.0, f64::max);
        let mut done = vec![false; ends.len()];
        for a in 0..ends.len() {
            if done[a] {
                continue;
            }
            let group: Vec<usize> = (a..ends.len())
                .filter(|&b| !done[b] && (ends[b].1 - ends[a].1).abs() <= span * 0.015)
                .collect();
            let text = group
                .iter()
                .map(|&b| self.lines[ends[b].0].tag.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ");
            for b in group {
                done[b] = true;
            }
            chart.draw_series(std::iter::once(
                EmptyElement::at((n as f64, ends[a].1))
                    + Text::new(
                        text,
                        (6, 0),
                        text_style(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))?;
        }
        Ok(())
    }
}

/// A point with an optional error bar `(low, high)` (absolute values, not offsets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorPoint {
    pub x: f64,
    pub y: f64,
    pub err: Option<(f64, f64)>,
}

/// Points of one series, joined by a thin line in x order.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSeries {
    pub label: String,
    pub points: Vec<ErrorPoint>,
}

/// x/y points with error bars; colours from [`PALETTE`] in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBarChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub series: Vec<PointSeries>,
}

impl ErrorBarChart {
    pub fn legend(&self) -> Vec<(String, Swatch)> {
        palette_legend(self.series.iter().map(|s| &s.label), Swatch::Point)
    }
}

impl Chart for ErrorBarChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let pts = || self.series.iter().flat_map(|s| s.points.iter());
        let fin = |v: &f64| v.is_finite();
        let (xlo, xhi) = pts()
            .map(|p| p.x)
            .filter(fin)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (ylo, yhi) = pts()
            .flat_map(|p| {
                let (a, b) = p.err.unwrap_or((p.y, p.y));
                [p.y, a, b]
            })
            .filter(fin)
            .fold((0.0f64, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (xlo, xhi) = if xlo.is_finite() {
            (xlo, xhi)
        } else {
            (0.0, 1.0)
        };
        let pad = if xhi > xlo { (xhi - xlo) * 0.05 } else { 0.5 };
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d((xlo - pad)..(xhi + pad), ylo..headroom(yhi, 1.0))?;
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&|x| num_label(*x))
            .y_label_formatter(&|y| num_label(*y))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        for (i, s) in self.series.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            let mut sorted = s.points.clone();
            sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
            chart.draw_series(LineSeries::new(
                sorted.iter().map(|p| (p.x, p.y)),
                c.stroke_width(1),
            ))?;
            for p in &sorted {
                if let Some((lo, hi)) = p.err {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(p.x, lo), (p.x, hi)],
                        c.stroke_width(2),
                    )))?;
                    for y in [lo, hi] {
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((p.x, y))
                                + PathElement::new(vec![(-6, 0), (6, 0)], c.stroke_width(2)),
                        ))?;
                    }
                }
                chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 5, c.filled())))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of an SVG, in document order.
    pub(crate) fn svg_texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }

    #[test]
    fn simplify_drops_repeats_and_straight_middles_only() {
        let steps = [
            (0.0, 1.0),
            (1.0, 1.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (2.0, 3.0),
            (3.0, 3.0),
        ];
        assert_eq!(
            simplify(steps),
            vec![(0.0, 1.0), (2.0, 1.0), (2.0, 3.0), (3.0, 3.0)]
        );
        // A turn back is not a straight stretch.
        assert_eq!(simplify([(0.0, 0.0), (2.0, 0.0), (1.0, 0.0)]).len(), 3);
        assert_eq!(count_label(2.0), "2");
        assert_eq!(count_label(0.5), "");
    }

    #[test]
    fn runs_split_at_gaps() {
        let v = [Some(1), None, Some(2), Some(3), None];
        assert_eq!(runs(&v), vec![0..1, 2..4]);
        assert_eq!(runs::<i32>(&[]), Vec::<std::ops::Range<usize>>::new());
    }

    #[test]
    fn day_lines_render_with_bands_and_legend_in_order() {
        let c = DayLines {
            title: "Coverage over runs".into(),
            y_desc: "Coverage (%)".into(),
            start: crate::base::time::parse_date("2026-01-01").unwrap() * DAY,
            lines: vec![
                DayLine {
                    label: "DAYS_14".into(),
                    values: vec![Some(10.0), Some(20.0), None, Some(30.0)],
                    band: Some(vec![Some((5.0, 15.0)), Some((15.0, 25.0)), None, None]),
                    tag: Some("1".into()),
                },
                DayLine {
                    label: "LIFETIME".into(),
                    values: vec![Some(50.0); 4],
                    band: None,
                    tag: Some("2".into()),
                },
            ],
        };
        let svg = svg_string(&c).unwrap();
        let texts = svg_texts(&svg);
        let pos = |t: &str| texts.iter().position(|x| x == t).expect(t);
        assert!(pos("DAYS_14") < pos("LIFETIME"));
        assert!(texts.iter().any(|t| t == "Coverage (%)"));
        assert!(texts.iter().any(|t| t == "2026-01-02"));
        // The band is a translucent polygon.
        assert!(svg.contains("<polygon"), "band drawn");
    }

    #[test]
    fn error_bars_render() {
        let c = ErrorBarChart {
            title: "Cost per 30 days".into(),
            x_desc: "rescans per image and month".into(),
            y_desc: "Cost per 30 days (USD)".into(),
            series: vec![PointSeries {
                label: "2024".into(),
                points: vec![
                    ErrorPoint {
                        x: 2.0,
                        y: 10.0,
                        err: Some((8.0, 12.0)),
                    },
                    ErrorPoint {
                        x: 6.0,
                        y: 20.0,
                        err: None,
                    },
                ],
            }],
        };
        let svg = svg_string(&c).unwrap();
        let texts = svg_texts(&svg);
        for t in [
            "2024",
            "rescans per image and month",
            "Cost per 30 days (USD)",
        ] {
            assert!(texts.iter().any(|x| x == t), "{t} in {texts:?}");
        }
        // Two points: two filled circles besides the legend's one.
        assert_eq!(svg.matches("<circle").count(), 3);
    }
}
