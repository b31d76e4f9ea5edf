//! A chart of labelled points with error bars in x and y, for comparing settings: every
//! point carries its tag (the variant's number), points that fall on one another are
//! drawn as nested rings with one label naming them all, and a reference point (the
//! baseline) is ringed in black. Optional dashed lines through zero make a chart of
//! differences read at a glance.

use super::charts::{
    CAPTION_SIZE, Chart, DESC_SIZE, DrawResult, FONT, LABEL_SIZE, PALETTE, Swatch, text_style,
    with_legend,
};
use super::human::axis_number;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One point: its tag, position, 95 % intervals (absolute ends) and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPoint {
    pub tag: String,
    pub x: f64,
    pub y: f64,
    pub x_err: Option<(f64, f64)>,
    pub y_err: Option<(f64, f64)>,
    /// Index into [`PALETTE`].
    pub color: usize,
    /// The reference point: ringed in black.
    pub marked: bool,
}

/// Labelled points; the legend says what each tag stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct PointChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub points: Vec<LabelledPoint>,
    /// (text, palette index) per entry; none drawn when empty.
    pub legend: Vec<(String, usize)>,
    /// Dashed lines through x = 0 and y = 0 (both axes then include 0).
    pub zero_lines: bool,
}

/// Points closer than this share of both axis ranges are drawn as one cluster.
const COINCIDENT: f64 = 0.012;

impl PointChart {
    /// The axis ranges: every point and interval end (and 0 with zero lines), padded.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let mut xs: Vec<f64> = Vec::new();
        let mut ys: Vec<f64> = Vec::new();
        for p in &self.points {
            xs.push(p.x);
            ys.push(p.y);
            xs.extend(p.x_err.iter().flat_map(|&(a, b)| [a, b]));
            ys.extend(p.y_err.iter().flat_map(|&(a, b)| [a, b]));
        }
        if self.zero_lines {
            xs.push(0.0);
            ys.push(0.0);
        }
        (padded(&xs), padded(&ys))
    }

    /// Points grouped where they fall on one another: indexes, in point order.
    pub fn clusters(&self) -> Vec<Vec<usize>> {
        let ((x0, x1), (y0, y1)) = self.ranges();
        let norm = |p: &LabelledPoint| ((p.x - x0) / (x1 - x0), (p.y - y0) / (y1 - y0));
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            let (a, b) = norm(p);
            let near = out.iter_mut().find(|c| {
                let (ca, cb) = norm(&self.points[c[0]]);
                (ca - a).abs() < COINCIDENT && (cb - b).abs() < COINCIDENT
            });
            match near {
                Some(c) => c.push(i),
                None => out.push(vec![i]),
            }
        }
        out
    }

    /// The label of each cluster and the corner it is drawn at (`dx`, `dy` signs): the
    /// corner farthest from the other clusters.
    fn labels(&self, clusters: &[Vec<usize>]) -> Vec<(String, (i32, i32))> {
        let ((x0, x1), (y0, y1)) = self.ranges();
        let at = |i: usize| {
            let p = &self.points[i];
            ((p.x - x0) / (x1 - x0), (p.y - y0) / (y1 - y0))
        };
        clusters
            .iter()
            .map(|c| {
                let text = c
                    .iter()
                    .map(|&i| self.points[i].tag.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let (a, b) = at(c[0]);
                let room = |(sx, sy): (i32, i32)| {
                    let (la, lb) = (a + 0.04 * sx as f64, b - 0.04 * sy as f64);
                    clusters
                        .iter()
                        .filter(|o| o[0] != c[0])
                        .map(|o| {
                            let (oa, ob) = at(o[0]);
                            (oa - la).powi(2) + (ob - lb).powi(2)
                        })
                        .fold(f64::INFINITY, f64::min)
                        - if (0.0..1.0).contains(&(la)) { 0.0 } else { 1.0 }
                };
                let corner = [(1, -1), (1, 1), (-1, -1), (-1, 1)]
                    .into_iter()
                    .fold(((1, -1), f64::NEG_INFINITY), |best, k| {
                        let r = room(k);
                        if r > best.1 + 1e-12 { (k, r) } else { best }
                    })
                    .0;
                (text, corner)
            })
            .collect()
    }
}

/// A padded range around values (±1 around a single value).
fn padded(vs: &[f64]) -> (f64, f64) {
    let fin = vs.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = fin.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

impl Chart for PointChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let entries: Vec<(String, Swatch)> = self
            .legend
            .iter()
            .map(|(s, c)| (s.clone(), Swatch::Point(PALETTE[c % PALETTE.len()])))
            .collect();
        let plot = if entries.is_empty() {
            root.clone()
        } else {
            with_legend(root, &entries)?
        };
        let ((x0, x1), (y0, y1)) = self.ranges();
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(96)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let (xs, ys) = ((x1 - x0) / 10.0, (y1 - y0) / 10.0);
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&|x| axis_number(*x, xs))
            .y_label_formatter(&|y| axis_number(*y, ys))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        if self.zero_lines {
            let grey = RGBColor(110, 110, 110).stroke_width(1);
            chart.draw_series(DashedLineSeries::new([(0.0, y0), (0.0, y1)], 6, 4, grey))?;
            chart.draw_series(DashedLineSeries::new([(x0, 0.0), (x1, 0.0)], 6, 4, grey))?;
        }
        for p in &self.points {
            error_bars(&mut chart, p)?;
        }
        let clusters = self.clusters();
        for (c, (text, (sx, sy))) in clusters.iter().zip(self.labels(&clusters)) {
            let first = &self.points[c[0]];
            let at = (first.x, first.y);
            // Nested: the first point filled, each further one a wider ring under it.
            for (j, &i) in c.iter().enumerate().rev() {
                let col = PALETTE[self.points[i].color % PALETTE.len()];
                let r = 6 + 5 * j as i32;
                let style = if j == 0 {
                    col.filled()
                } else {
                    col.stroke_width(3)
                };
                chart.draw_series([EmptyElement::at(at) + Circle::new((0, 0), r, style)])?;
            }
            let outer = 6 + 5 * (c.len() as i32 - 1);
            if c.iter().any(|&i| self.points[i].marked) {
                chart
                    .draw_series([EmptyElement::at(at)
                        + Circle::new((0, 0), outer + 5, BLACK.stroke_width(2))])?;
            }
            let pos = Pos::new(
                if sx > 0 { HPos::Left } else { HPos::Right },
                if sy < 0 { VPos::Bottom } else { VPos::Top },
            );
            let off = outer + 6;
            chart.draw_series([EmptyElement::at(at)
                + Text::new(
                    text,
                    (sx * off, sy * off),
                    text_style(LABEL_SIZE + 2).pos(pos),
                )])?;
        }
        Ok(())
    }
}

type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A point's error bars, with end caps, in its colour.
fn error_bars<DB: DrawingBackend>(chart: &mut Plane<'_, DB>, p: &LabelledPoint) -> DrawResult<DB> {
    let c = PALETTE[p.color % PALETTE.len()].stroke_width(2);
    let bar = |a: (f64, f64), b: (f64, f64)| PathElement::new(vec![a, b], c);
    if let Some((lo, hi)) = p.y_err {
        chart.draw_series([bar((p.x, lo), (p.x, hi))])?;
        for y in [lo, hi] {
            chart.draw_series([
                EmptyElement::at((p.x, y)) + PathElement::new(vec![(-6, 0), (6, 0)], c)
            ])?;
        }
    }
    if let Some((lo, hi)) = p.x_err {
        chart.draw_series([bar((lo, p.y), (hi, p.y))])?;
        for x in [lo, hi] {
            chart.draw_series([
                EmptyElement::at((x, p.y)) + PathElement::new(vec![(0, -6), (0, 6)], c)
            ])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::svg_string;

    fn point(tag: &str, x: f64, y: f64) -> LabelledPoint {
        LabelledPoint {
            tag: tag.into(),
            x,
            y,
            x_err: Some((x - 1.0, x + 1.0)),
            y_err: Some((y - 10.0, y + 10.0)),
            color: tag.len(),
            marked: tag == "1",
        }
    }

    #[test]
    fn coincident_points_share_one_label_and_every_point_is_drawn() {
        let c = PointChart {
            title: "Differences".into(),
            x_desc: "Δ in-use coverage (points)".into(),
            y_desc: "Δ cost per month (USD)".into(),
            points: vec![
                point("1", 0.0, 0.0),
                point("2", 0.0, 0.1),
                point("3", -4.2, -320.0),
            ],
            legend: vec![("1  baseline".into(), 0), ("3  DAYS_30".into(), 2)],
            zero_lines: true,
        };
        assert_eq!(c.clusters(), vec![vec![0, 1], vec![2]]);
        let svg = svg_string(&c).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect();
        for want in ["1, 2", "3", "1  baseline", "Δ cost per month (USD)"] {
            assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
        }
        // Three points (one of them a ring around the other), the baseline's black
        // ring, and two legend swatches.
        assert_eq!(svg.matches("<circle").count(), 6, "{svg}");
    }
}
