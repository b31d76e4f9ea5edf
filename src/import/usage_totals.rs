//! `scansim import usage-totals`: what Inspector billed for ECR scans, from
//! `aws inspector2 list-usage-totals` output (`{"totals": [{"accountId", "usage":
//! [{"type", "total", "estimatedMonthlyCost", "currency"}]}], "nextToken"?}`), and, given
//! a run, the rescan rate it implies.
//!
//! The usage totals cover the 30 days before the call. A run is compared over its last
//! 30 daily rows (all of them if it has fewer): end the run on the day the totals were
//! fetched. Several accounts are added up, as one registry replayed from all of them.

use super::json::{Obj, Source, Val};
use crate::base::error::{Error, Location, Result};
use crate::base::money::{format_usd, parse_decimal_micro};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The usage types read; every other type (EC2, Lambda, code) is left aside.
pub const INITIAL: &str = "ECR_INITIAL_SCAN";
pub const RESCAN: &str = "ECR_RESCAN";

/// Days list-usage-totals covers.
pub const PERIOD_DAYS: usize = 30;

/// A count and its estimated cost, both × 10^6 (read exactly from the decimal text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount {
    pub total_micro: i64,
    pub cost_micro: i64,
}

impl Amount {
    fn add(&mut self, o: Amount) {
        self.total_micro += o.total_micro;
        self.cost_micro += o.cost_micro;
    }

    /// The count as text: whole numbers without decimals.
    pub fn count_text(&self) -> String {
        let m = self.total_micro;
        if m % 1_000_000 == 0 {
            (m / 1_000_000).to_string()
        } else {
            format!("{:.6}", m as f64 / 1e6)
        }
    }
}

/// The ECR scan usage of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountUsage {
    pub account: String,
    pub initial: Amount,
    pub rescan: Amount,
}

/// Every account read, in the order first seen, and their sum.
#[derive(Debug, Clone, Default)]
pub struct UsageTotals {
    pub accounts: Vec<AccountUsage>,
    pub currency: Option<String>,
}

impl UsageTotals {
    pub fn total(&self) -> AccountUsage {
        let mut t = AccountUsage {
            account: "total".into(),
            ..Default::default()
        };
        for a in &self.accounts {
            t.initial.add(a.initial);
            t.rescan.add(a.rescan);
        }
        t
    }
}

/// Reads list-usage-totals output: pages, arrays of pages or pages one after another.
pub fn read_usage_totals(paths: &[PathBuf]) -> Result<UsageTotals> {
    let mut out = UsageTotals::default();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in paths {
        let text = crate::base::text::read_text(path, crate::base::text::MAX_JSON_BYTES)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let src = Source::new(path, text);
        for doc in src.documents()? {
            let pages = if Source::is_array(&doc) {
                src.array(&doc)?
            } else {
                vec![doc]
            };
            for page in pages {
                read_page(&src, &src.object(&page)?, &mut out, &mut seen)?;
            }
        }
    }
    Ok(out)
}

fn read_page<'a>(
    src: &Source<'a>,
    page: &Obj<'a>,
    out: &mut UsageTotals,
    seen: &mut BTreeMap<String, PathBuf>,
) -> Result<()> {
    let totals = page.get("totals").ok_or_else(|| {
        page.missing(
            src,
            "totals",
            "expected the output of `aws inspector2 list-usage-totals` ({\"totals\": [...]})",
        )
    })?;
    for v in src.array(&totals)? {
        let acct = src.object(&v)?;
        let idv = acct
            .get("accountId")
            .ok_or_else(|| acct.missing(src, "accountId", "each total names its account"))?;
        let account = src.string(&idv)?;
        if let Some(first) = seen.insert(account.clone(), src.file.to_path_buf()) {
            return Err(src.error(
                &idv,
                format!(
                    "account {account} appears twice (also in {}): give each account's \
                     totals once",
                    first.display()
                ),
            ));
        }
        let mut usage = AccountUsage {
            account,
            ..Default::default()
        };
        if let Some(list) = acct.get("usage") {
            for u in src.array(&list)? {
                read_usage(src, &src.object(&u)?, &mut usage, &mut out.currency)?;
            }
        }
        out.accounts.push(usage);
    }
    Ok(())
}

fn read_usage<'a>(
    src: &Source<'a>,
    u: &Obj<'a>,
    usage: &mut AccountUsage,
    currency: &mut Option<String>,
) -> Result<()> {
    let tv = u
        .get("type")
        .ok_or_else(|| u.missing(src, "type", "each usage names its type"))?;
    let slot = match src.string(&tv)?.as_str() {
        INITIAL => &mut usage.initial,
        RESCAN => &mut usage.rescan,
        _ => return Ok(()),
    };
    let number = |key: &str| -> Result<i64> {
        match u.get(key) {
            Some(v) => decimal(src, &v),
            None => Ok(0),
        }
    };
    slot.add(Amount {
        total_micro: number("total")?,
        cost_micro: number("estimatedMonthlyCost")?,
    });
    if let Some(cv) = u.get("currency") {
        let c = src.string(&cv)?;
        match currency {
            Some(prev) if *prev != c => {
                return Err(src.error(
                    &cv,
                    format!("currency {c} differs from {prev} of an earlier total"),
                ));
            }
            _ => *currency = Some(c),
        }
    }
    Ok(())
}

fn decimal<'a>(src: &Source<'a>, v: &Val<'a>) -> Result<i64> {
    let text = v.raw_text();
    let n = parse_decimal_micro(text).map_err(|m| src.error(v, m))?;
    if n < 0 {
        return Err(src.error(v, format!("`{text}` is negative: expected a total >= 0")));
    }
    Ok(n)
}

/// The part of a run compared with the usage totals: its last [`PERIOD_DAYS`] rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunPeriod {
    pub first_date: String,
    pub last_date: String,
    pub days: usize,
    /// Σ active over the days (mean = sum / days).
    pub active_sum: u64,
    pub initial_scans: u64,
    pub rescans: u64,
    /// Σ cost_usd (cents) of the days.
    pub cost_cents: u64,
}

/// Reads `DIR/summary.json` (to check what DIR is) and the last rows of `DIR/daily.csv`.
pub fn read_run(dir: &Path) -> Result<RunPeriod> {
    let summary = dir.join("summary.json");
    if !summary.is_file() {
        return Err(Error::usage(format!(
            "--run {}: no summary.json: give the --out directory of a `scansim run`",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&summary).map_err(|e| Error::io(&summary, e))?;
    let src = Source::new(&summary, &text);
    let doc = src.object(&src.documents()?[0])?;
    let days_val = doc
        .get("days")
        .ok_or_else(|| doc.missing(&src, "days", "a run's summary gives its number of days"))?;
    let days = src.integer(&days_val)?;
    let daily = dir.join("daily.csv");
    let rows = read_daily(&daily)?;
    if rows.len() as i64 != days {
        return Err(Error::input(
            Location::file(&daily),
            format!(
                "{} rows, but summary.json says {days} days: the directory is not one run's \
                 output",
                rows.len()
            ),
        ));
    }
    Ok(last_period(&rows))
}

/// (date, active, initial_scans, rescans, cost cents) of every row.
type DailyRow = (String, u64, u64, u64, u64);

fn read_daily(path: &Path) -> Result<Vec<DailyRow>> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| csv_error(path, e))?;
    let headers = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::input(
                Location::file(path).line(1),
                format!("no column `{name}`: expected the daily.csv of a scansim run"),
            )
        })
    };
    let cols = [
        col("date")?,
        col("active")?,
        col("initial_scans")?,
        col("rescans")?,
        col("cost_usd")?,
    ];
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(cols[i]).unwrap_or("");
        let num = |i: usize| -> Result<u64> {
            field(i).parse().map_err(|_| {
                Error::input(
                    Location::file(path).line(line).column(cols[i] as u64 + 1),
                    format!("`{}` is not a count", field(i)),
                )
            })
        };
        let cost = parse_decimal_micro(field(4)).map_err(|m| {
            Error::input(
                Location::file(path).line(line).column(cols[4] as u64 + 1),
                m,
            )
        })?;
        rows.push((
            field(0).to_string(),
            num(1)?,
            num(2)?,
            num(3)?,
            (cost.max(0) as u64 + 5_000) / 10_000,
        ));
    }
    Ok(rows)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let mut loc = Location::file(path);
    if let Some(p) = e.position() {
        loc = loc.line(p.line());
    }
    Error::input(loc, format!("not a readable daily.csv: {e}"))
}

fn last_period(rows: &[DailyRow]) -> RunPeriod {
    let tail = &rows[rows.len().saturating_sub(PERIOD_DAYS)..];
    let mut p = RunPeriod {
        days: tail.len(),
        ..Default::default()
    };
    if let (Some(first), Some(last)) = (tail.first(), tail.last()) {
        p.first_date = first.0.clone();
        p.last_date = last.0.clone();
    }
    for (_, active, initial, rescans, cents) in tail {
        p.active_sum += active;
        p.initial_scans += initial;
        p.rescans += rescans;
        p.cost_cents += cents;
    }
    p
}

/// The report: usage per account and in total; with a run, simulated against billed
/// and the implied `rescans_per_image_month`.
pub fn report(usage: &UsageTotals, run: Option<(&Path, &RunPeriod)>) -> Vec<String> {
    let cur = usage.currency.as_deref().unwrap_or("USD");
    let mut lines = vec![format!(
        "Amazon Inspector ECR usage over the last {PERIOD_DAYS} days ({} account(s)):",
        usage.accounts.len()
    )];
    lines.push(format!("{:<14} {:>24} {:>24}", "account", INITIAL, RESCAN));
    let cell = |a: &Amount| format!("{} ({} {cur})", a.count_text(), format_usd(a.cost_micro));
    let total = usage.total();
    let mut rows: Vec<&AccountUsage> = usage.accounts.iter().collect();
    if usage.accounts.len() > 1 {
        rows.push(&total);
    }
    for a in rows {
        lines.push(format!(
            "{:<14} {:>24} {:>24}",
            a.account,
            cell(&a.initial),
            cell(&a.rescan)
        ));
    }
    if let Some((dir, p)) = run {
        lines.extend(compare(dir, p, &total, cur));
    }
    lines
}

fn compare(dir: &Path, p: &RunPeriod, billed: &AccountUsage, cur: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "run {}: the last {} day(s), {} to {}",
        dir.display(),
        p.days,
        p.first_date,
        p.last_date
    )];
    if p.days < PERIOD_DAYS {
        lines.push(format!(
            "warning: the run has only {} day(s); the usage totals cover {PERIOD_DAYS}: \
             the counts are not comparable, the rate below uses the days there are",
            p.days
        ));
    }
    lines.push(format!("{:<22} {:>12} {:>12}", "", "simulated", "billed"));
    let billed_cost = billed.initial.cost_micro + billed.rescan.cost_micro;
    for (what, sim, bill) in [
        (
            "initial scans",
            p.initial_scans.to_string(),
            billed.initial.count_text(),
        ),
        ("rescans", p.rescans.to_string(), billed.rescan.count_text()),
        (
            &format!("cost ({cur})") as &str,
            format!("{}.{:02}", p.cost_cents / 100, p.cost_cents % 100),
            format_usd(billed_cost),
        ),
    ] {
        lines.push(format!("{what:<22} {sim:>12} {bill:>12}"));
    }
    let mean_active = p.active_sum as f64 / p.days.max(1) as f64;
    lines.push(format!("{:<22} {mean_active:>12.2}", "mean active images"));
    if p.active_sum == 0 {
        lines.push(
            "rescans_per_image_month: cannot be implied: no image is active in these days of \
             the run"
                .into(),
        );
    } else {
        let rescans = billed.rescan.total_micro as f64 / 1e6;
        let rate = rescans / mean_active * 30.0 / PERIOD_DAYS as f64;
        lines.push(format!(
            "rescans_per_image_month = {rate:.2}  (billed {RESCAN} {} / mean active images \
             {mean_active:.2}, per 30 days)",
            billed.rescan.count_text()
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> crate::base::testing::TempDir {
        crate::base::testing::TempDir::new(&format!("usage-{name}"))
    }

    const HEADER: &str = "date,day,images,active,initial_scans,rescans,cost_usd";

    fn run_dir(name: &str, days: u32, daily: &str) -> crate::base::testing::TempDir {
        let d = tmp(name);
        std::fs::write(
            d.join("summary.json"),
            format!("{{\"start\": \"2026-01-01\", \"days\": {days}}}"),
        )
        .unwrap();
        std::fs::write(d.join("daily.csv"), daily).unwrap();
        d
    }

    #[test]
    fn a_run_is_read_over_its_last_30_days() {
        let mut daily = format!("{HEADER}\n");
        for d in 0..40 {
            daily.push_str(&format!(
                "2026-01-{:02},{d},5,{},1,2,0.03\n",
                d % 28 + 1,
                d % 4
            ));
        }
        let p = read_run(&run_dir("ok", 40, &daily)).unwrap();
        assert_eq!(
            (p.days, p.initial_scans, p.rescans, p.cost_cents),
            (30, 30, 60, 90)
        );
        // days 10..39: active 2,3,0,1 repeating from day 10.
        assert_eq!(p.active_sum, (10..40).map(|d| d % 4).sum::<u64>());
    }

    #[test]
    fn run_directories_that_are_not_one_run_are_named() {
        let e = read_run(&tmp("empty")).unwrap_err().to_string();
        assert!(e.contains("no summary.json"), "{e}");
        let e = read_run(&run_dir(
            "count",
            2,
            &format!("{HEADER}\n2026-01-01,0,1,1,0,0,0.00\n"),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("daily.csv: 1 rows, but summary.json says 2 days"),
            "{e}"
        );
        let e = read_run(&run_dir("col", 1, "date,day\n2026-01-01,0\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("daily.csv:1: no column `active`"), "{e}");
        let e = read_run(&run_dir(
            "num",
            1,
            &format!("{HEADER}\n2026-01-01,0,1,x,0,0,0.00\n"),
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("daily.csv:2:4: `x` is not a count"), "{e}");
    }

    #[test]
    fn totals_need_one_currency_and_numbers() {
        let d = tmp("cur");
        let u = |cur: &str, total: &str| {
            format!(
                r#"{{"totals": [{{"accountId": "{cur}", "usage": [{{"type": "ECR_RESCAN",
                "total": {total}, "estimatedMonthlyCost": 0.01, "currency": "{cur}"}}]}}]}}"#
            )
        };
        std::fs::write(d.join("a.json"), u("USD", "1")).unwrap();
        std::fs::write(d.join("b.json"), u("EUR", "1")).unwrap();
        std::fs::write(d.join("c.json"), u("X", "\"many\"")).unwrap();
        let e = read_usage_totals(&[d.join("a.json"), d.join("b.json")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("$.totals[0].usage[0].currency: currency EUR differs"),
            "{e}"
        );
        let e = read_usage_totals(&[d.join("c.json")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("$.totals[0].usage[0].total: `\"many\"` is not a decimal"),
            "{e}"
        );
        let ok = read_usage_totals(&[d.join("a.json")]).unwrap();
        assert_eq!(ok.total().rescan.total_micro, 1_000_000);
    }
}
