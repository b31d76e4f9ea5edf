//! `images.csv` (`run --images`): one row per image live at the end of the run, so that
//! any image, synthetic ones too, can be looked up and explained.

use super::{Exporter, Report};
use crate::base::money::format_usd;
use crate::base::time::format_instant;
use crate::engine::images::ImageRow;
use std::io::Write;

pub const HEADER: &str = "repository,digest,tags,status,pushed_at,last_activated_at,last_pull,\
last_in_use,enhanced_scans,basic_scans,cost_usd,open_findings";

pub struct Images;

impl Exporter for Images {
    fn file_name(&self) -> &'static str {
        "images.csv"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{HEADER}")?;
        let mut rows: Vec<&ImageRow> = report.result.images.iter().flatten().collect();
        // Repositories run apart: a fixed order makes the file the same every time.
        rows.sort_unstable_by(|a, b| (&a.repository, &a.digest).cmp(&(&b.repository, &b.digest)));
        let when = |t: Option<i64>| t.map(format_instant).unwrap_or_default();
        for r in rows {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                r.repository,
                digest_field(&r.digest),
                r.tags.join(";"),
                r.status.name(),
                format_instant(r.pushed_at),
                when(r.activated_at),
                when(r.last_pull),
                when(r.last_in_use),
                r.tally.enhanced,
                r.tally.basic,
                format_usd(r.tally.cost_micro),
                r.open_findings
            )?;
        }
        Ok(())
    }
}

/// A digest from a trace may hold any text: quoted as a trace row quotes it.
fn digest_field(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    crate::base::text::push_csv_field(&mut out, s.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}
