//! The cost of each calendar month, stacked by scan frequency: where the money goes, at
//! the scale a budget is written in.

use super::Report;
use super::answer::freq_words;
use super::axis::{TickAxis, month_name};
use super::breakdown::by_month;
use super::charts::{
    CAPTION_SIZE, Chart, DESC_SIZE, DrawResult, FONT, LABEL_SIZE, Swatch, headroom, text_style,
    with_legend, y_label,
};
use super::human::usd_f64;
use crate::rules::Freq;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const MONTHLY_TITLE: &str = "Cost per calendar month, by scan frequency";

/// The colour of a scan frequency (as the statuses it gives in the coverage chart).
pub fn freq_color(f: Freq) -> RGBColor {
    match f {
        Freq::Continuous => RGBColor(44, 160, 44),
        Freq::ScanOnPush => RGBColor(31, 119, 180),
        Freq::Off => RGBColor(199, 199, 199),
    }
}

/// One bar: the month's label and its cost by frequency (`Freq::ALL` order), USD.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthBar {
    /// `Jan 2027`, `Feb`, ...; `*` marks a month the run covers only in part.
    pub label: String,
    pub usd: [f64; 3],
}

/// What the monthly chart plots.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyCost {
    pub bars: Vec<MonthBar>,
}

impl MonthlyCost {
    pub fn from_report(report: &Report) -> MonthlyCost {
        let months = by_month(report);
        let bars = months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (y, mo) = m.month.split_once('-').unwrap_or((&m.month, "1"));
                let mo: u32 = mo.parse().unwrap_or(1);
                let name = month_name(mo);
                let mut label = if i == 0 || mo == 1 {
                    format!("{name} {y}")
                } else {
                    name.to_string()
                };
                if m.partial() {
                    label.push('*');
                }
                MonthBar {
                    label,
                    usd: m.by_freq.map(|f| f.flows.cost_micro as f64 / 1e6),
                }
            })
            .collect();
        MonthlyCost { bars }
    }

    /// The frequencies that cost something, in stacking order (bottom first).
    fn stacked(&self) -> Vec<Freq> {
        Freq::ALL
            .into_iter()
            .filter(|f| self.bars.iter().any(|b| b.usd[*f as usize] > 0.0))
            .collect()
    }

    pub fn legend(&self) -> Vec<(String, Swatch)> {
        self.stacked()
            .into_iter()
            .map(|f| (freq_words(f).to_string(), Swatch::Fill(freq_color(f))))
            .collect()
    }

    fn x_desc(&self) -> &'static str {
        if self.bars.iter().any(|b| b.label.ends_with('*')) {
            "Calendar month (UTC); * the run covers only part of the month"
        } else {
            "Calendar month (UTC)"
        }
    }
}

impl Chart for MonthlyCost {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let plot = with_legend(root, &self.legend())?;
        let m = self.bars.len();
        let total = |b: &MonthBar| b.usd.iter().sum::<f64>();
        let max = self.bars.iter().map(total).fold(0.0, f64::max);
        let top = headroom(max * 1.06, 0.01);
        // At most about 14 month labels, and totals over the bars up to 18 months.
        let every = m.div_ceil(14).max(1);
        let ticks: Vec<f64> = (0..m).step_by(every).map(|i| i as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&plot)
            .caption(MONTHLY_TITLE, (FONT, CAPTION_SIZE))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(TickAxis::new(m.max(1) as f64, ticks), 0f64..top)?;
        let label = |x: &f64| {
            let i = x.floor() as usize;
            self.bars
                .get(i)
                .map(|b| b.label.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_desc(self.x_desc())
            .y_desc("Cost (USD)")
            .x_labels(m + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| y_label(*y, top))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .disable_x_mesh()
            .light_line_style(WHITE)
            .draw()?;
        for (i, b) in self.bars.iter().enumerate() {
            let (x0, x1) = (i as f64 + 0.15, i as f64 + 0.85);
            let mut y = 0.0;
            for f in self.stacked() {
                let v = b.usd[f as usize];
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, y), (x1, y + v)],
                    freq_color(f).filled(),
                )))?;
                y += v;
            }
            if m > 18 {
                continue;
            }
            let text = usd_f64(total(b)).replace(" USD", "");
            chart.draw_series(std::iter::once(
                EmptyElement::at((i as f64 + 0.5, y))
                    + Text::new(
                        text,
                        (0, -4),
                        text_style(LABEL_SIZE - 2).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ),
            ))?;
        }
        Ok(())
    }
}
