//! The sections of `report.html` that say where the money goes: cost, scans and coverage
//! by scan frequency, by group and by calendar month, and the most expensive
//! repositories, each with what its coverage means.

use super::Report;
use super::answer::freq_words;
use super::axis::month_name;
use super::breakdown::{FreqPart, by_frequency, by_group, by_month};
use super::html::{Drawn, chart_figure, escape, header, row_of};
use super::human::{pct, plural, share, thousands, usd_number};
use super::tables::by_cost;
use crate::base::money::cents;
use crate::rules::Freq;
use std::fmt::Write as _;

/// An amount of money in a table whose header gives the unit: `3,654`, `95.13`.
fn usd(micro: i64) -> String {
    usd_number(cents(micro.max(0)))
}

/// How many repositories the report lists.
pub const TOP_REPOSITORIES: usize = 20;

/// What scan on push means, for the reader of the tables.
const SCAN_ON_PUSH_WORDS: &str = "Scan on push: each image is scanned once, when it is \
pushed, and never counted as continuously covered (it is not rescanned when new \
vulnerabilities are published, and its findings are not kept up to date).";
const CONTINUOUS_WORDS: &str = "Continuous scanning: an image is scanned when pushed (or \
when continuous scanning starts, if it was pushed or pulled recently enough), then rescanned \
after each vulnerability-database update while its push or pull window holds; it is \
monitored (active) until the window closes.";

/// The section: the three breakdowns.
pub fn money_section(o: &mut String, report: &Report, monthly_chart: Option<&Drawn>) {
    o.push_str("<h2 id=\"money\">Where the money goes</h2>\n");
    by_frequency_table(o, report);
    by_group_table(o, report);
    by_month_table(o, report, monthly_chart);
}

/// A part's coverage in words: monitored share for continuous scanning, the share
/// scanned at push for scan on push.
fn coverage_words(p: &FreqPart) -> String {
    match p.freq {
        Freq::Continuous => match p.figures.coverage.hundredths() {
            Some(h) => format!("{} of its images monitored", pct(h)),
            None => "no images".into(),
        },
        Freq::ScanOnPush => match p.scanned_on_push().hundredths() {
            Some(h) => format!(
                "{} of its images scanned at push; none counted as covered",
                pct(h)
            ),
            None => "no images".into(),
        },
        Freq::Off => "not scanned".into(),
    }
}

fn by_frequency_table(o: &mut String, report: &Report) {
    let total = report.figures.flows.cost_micro;
    let _ = writeln!(
        o,
        "<h3 id=\"by-frequency\">By scan frequency</h3>\n<p>{}</p>\n<p>{}</p>\n\
         <table id=\"by-frequency-table\">",
        escape(CONTINUOUS_WORDS),
        escape(SCAN_ON_PUSH_WORDS)
    );
    header(
        o,
        &[
            "scan frequency",
            "repositories (at the end)",
            "images (mean)",
            "initial scans",
            "rescans",
            "cost (USD)",
            "share of the cost",
            "coverage",
        ],
    );
    o.push_str("<tbody>\n");
    for p in by_frequency(report.result).iter().filter(|p| p.occurs()) {
        let f = &p.figures;
        let mean_images = f.coverage.den.checked_div(f.days).unwrap_or(0);
        let cells = [
            freq_words(p.freq).to_string(),
            thousands(p.repos_at_end),
            thousands(mean_images),
            thousands(f.flows.initial_scans),
            thousands(f.flows.rescans),
            usd(f.flows.cost_micro),
            p.cost_share(total).map_or("n/a".into(), share),
            coverage_words(p),
        ];
        let _ = write!(o, "<tr data-frequency=\"{}\">", p.freq.name());
        cells_only(o, &cells, |i| (1..=6).contains(&i));
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
    o.push_str(
        "<p class=\"muted\">A repository counts under the scan frequency it has at the end of \
         each day; one that changes frequency moves on the day of the change.</p>\n",
    );
}

/// The cells of a row, without the `<tr>`.
fn cells_only(o: &mut String, cells: &[String], numeric: impl Fn(usize) -> bool) {
    for (i, c) in cells.iter().enumerate() {
        let class = if numeric(i) { "n" } else { "w" };
        let _ = write!(o, "<td class=\"{class}\">{}</td>", escape(c));
    }
}

fn by_group_table(o: &mut String, report: &Report) {
    let groups = by_group(report);
    if groups.is_empty() {
        return;
    }
    let total = report.figures.flows.cost_micro;
    let what = match &report.trace {
        Some(_) => "the first part of the repository name (before the first /)",
        None => "the groups of the synthetic traffic",
    };
    let _ = writeln!(
        o,
        "<h3 id=\"by-group\">By group</h3>\n<p class=\"muted\">Groups are {what}; as in \
         groups.csv.</p>\n<table id=\"by-group-table\">"
    );
    header(
        o,
        &[
            "group",
            "repositories (scan frequency at the end)",
            "initial scans",
            "rescans",
            "cost (USD)",
            "share of the cost",
            "monitored",
        ],
    );
    o.push_str("<tbody>\n");
    for g in &groups {
        let f = &g.figures;
        let mix: Vec<String> = Freq::ALL
            .iter()
            .filter(|x| g.freq_at_end[**x as usize] > 0)
            .map(|x| format!("{} {}", g.freq_at_end[*x as usize], freq_words(*x)))
            .collect();
        let monitored = if f.coverage.num == 0 && g.freq_at_end[Freq::Continuous as usize] == 0 {
            "none: not continuously scanned".to_string()
        } else {
            f.coverage
                .hundredths()
                .map_or("n/a".into(), |h| format!("{} of its images", pct(h)))
        };
        let cells = [
            g.name.clone(),
            mix.join(", "),
            thousands(f.flows.initial_scans),
            thousands(f.flows.rescans),
            usd(f.flows.cost_micro),
            super::breakdown::share(f.flows.cost_micro, total).map_or("n/a".into(), share),
            monitored,
        ];
        row_of(o, &cells, |i| (2..=5).contains(&i));
    }
    o.push_str("</tbody>\n</table>\n");
}

fn by_month_table(o: &mut String, report: &Report, chart: Option<&Drawn>) {
    let months = by_month(report);
    o.push_str(
        "<h3 id=\"by-month\">By calendar month</h3>\n<p class=\"muted\">Over the simulated \
         days inside each month, as in monthly.csv.</p>\n",
    );
    if let Some(c) = chart {
        chart_figure(o, c);
    }
    o.push_str("<table id=\"by-month-table\">\n");
    header(
        o,
        &[
            "month",
            "days",
            "cost (USD)",
            "of which continuous scanning",
            "of which scan on push",
            "initial scans",
            "rescans",
            "coverage",
            "in-use coverage",
        ],
    );
    o.push_str("<tbody>\n");
    for m in &months {
        let f = &m.figures;
        let days = if m.partial() {
            format!("{} of {}*", f.days, m.calendar_days)
        } else {
            f.days.to_string()
        };
        let cost = |x: Freq| usd(m.by_freq[x as usize].flows.cost_micro);
        let cells = [
            month_words(&m.month),
            days,
            usd(f.flows.cost_micro),
            cost(Freq::Continuous),
            cost(Freq::ScanOnPush),
            thousands(f.flows.initial_scans),
            thousands(f.flows.rescans),
            f.coverage.hundredths().map_or("n/a".into(), pct),
            f.in_use_coverage.hundredths().map_or("n/a".into(), pct),
        ];
        row_of(o, &cells, |i| i > 0);
    }
    o.push_str("</tbody>\n</table>\n");
    if months.iter().any(|m| m.partial()) {
        o.push_str(
            "<p class=\"muted\" id=\"partial-months\">* A partial month: the run covers only \
             these days of it, so its totals are not a whole month's. Compare months by the \
             cost per 30 days instead.</p>\n",
        );
    }
}

/// `2027-01` → `Jan 2027`.
fn month_words(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => format!("{} {y}", month_name(m.parse().unwrap_or(1))),
        None => month.to_string(),
    }
}

/// The coverage of a repository, and what it means for its scan frequency.
fn repo_coverage(freq: Freq, sum_active: u64, sum_images: u64) -> String {
    let monitored = super::figures::Pct {
        num: sum_active,
        den: sum_images,
    };
    match (freq, monitored.hundredths()) {
        (_, None) => "no images".into(),
        (Freq::Continuous, Some(h)) => format!("{} monitored", pct(h)),
        (_, Some(h)) if sum_active > 0 => format!("{} monitored (while continuous)", pct(h)),
        (Freq::ScanOnPush, _) => "scanned at push, not covered".into(),
        (Freq::Off, _) => "not scanned".into(),
    }
}

/// The [`TOP_REPOSITORIES`] most expensive repositories.
pub fn repositories(o: &mut String, report: &Report) {
    let r = report.result;
    let order = by_cost(report);
    let _ = writeln!(
        o,
        "<h2 id=\"repositories\">Most expensive repositories</h2>\n<p class=\"muted\">{} of \
         {}, by cost; all of them are in repositories.csv. Coverage is the share of a \
         repository's images continuously monitored on an average day; a scan-on-push \
         repository pays once per pushed image and is never counted as covered.</p>\n\
         <table id=\"repositories-table\">",
        order.len().min(TOP_REPOSITORIES),
        plural(order.len() as u64, "repository", "repositories")
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
            "cost (USD)",
            "coverage",
        ],
    );
    o.push_str("<tbody>\n");
    for (rank, &i) in order.iter().take(TOP_REPOSITORIES).enumerate() {
        let rep = &r.repos[i];
        let t = &rep.totals;
        let cells = [
            (rank + 1).to_string(),
            rep.name.clone(),
            r.groups
                .get(rep.group as usize)
                .cloned()
                .unwrap_or_default(),
            freq_words(rep.freq).to_string(),
            thousands(rep.images),
            thousands(t.flows.initial_scans),
            thousands(t.flows.rescans),
            usd(t.flows.cost_micro),
            repo_coverage(rep.freq, t.sum_active, t.sum_images),
        ];
        row_of(o, &cells, |i| i == 0 || (4..=7).contains(&i));
    }
    o.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_coverage_says_what_it_means() {
        assert_eq!(
            repo_coverage(Freq::ScanOnPush, 0, 500),
            "scanned at push, not covered"
        );
        assert_eq!(repo_coverage(Freq::Continuous, 1, 4), "25.0 % monitored");
        assert_eq!(
            repo_coverage(Freq::ScanOnPush, 1, 4),
            "25.0 % monitored (while continuous)"
        );
        assert_eq!(repo_coverage(Freq::Off, 0, 4), "not scanned");
        assert_eq!(repo_coverage(Freq::Continuous, 0, 0), "no images");
    }
}
