//! The calibrated scenario as TOML: each fitted value with a comment giving its 95 %
//! interval and the data it came from, and plain words where the trace cannot tell.

use super::fit::{Calibration, GroupFit, RateFit};
use super::stats::Fit;
use crate::base::time::{DAY, format_date};
use std::fmt::Write as _;

/// The first line of every calibrated scenario (an existing `--out` file that starts
/// with it may be replaced).
pub const HEADER: &str = "# Calibrated by scansim calibrate";

/// What the scenario is written from, beside the fit.
pub struct Inputs<'a> {
    pub trace: &'a str,
    pub days: u32,
    /// Continue from the trace's own images (`[traffic] history`) instead of
    /// generating a synthetic past.
    pub history: Option<&'a str>,
}

/// A string as a TOML basic string, quoted and escaped.
pub fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number as TOML: up to 4 decimals, always with a decimal point.
pub fn num(v: f64) -> String {
    let mut s = format!("{v:.4}");
    while s.ends_with('0') && !s.ends_with(".0") {
        s.pop();
    }
    // A value that rounds to zero is written without its sign.
    if s == "-0.0" { "0.0".to_string() } else { s }
}

fn interval(f: &Fit) -> String {
    format!("95 %: {}..{}", num(f.lo), num(f.hi))
}

fn pct(f: &Fit) -> String {
    format!(
        "{:.1} % (95 %: {:.1}..{:.1} %)",
        100.0 * f.value,
        100.0 * f.lo,
        100.0 * f.hi
    )
}

/// The whole scenario.
pub fn scenario(cal: &Calibration, inp: &Inputs) -> String {
    let mut s = String::new();
    let first = cal.first_day * DAY;
    let day0 = cal.day0() * DAY;
    let _ = writeln!(s, "{HEADER} from {}", inp.trace);
    let _ = writeln!(
        s,
        "# {} rows, {} repositories in {} groups, {} .. {} ({} days).",
        cal.rows,
        cal.groups.iter().map(|g| g.count as u64).sum::<u64>(),
        cal.groups.len(),
        format_date(first),
        format_date(day0 - DAY),
        cal.span_days
    );
    let _ = writeln!(
        s,
        "# Day 0 is the day after the trace: the forecast starts where the history ends.\n\
         # Every fitted value has its 95 % interval and the data behind it in a comment.\n"
    );
    if cal.snapshot {
        s.push_str(SNAPSHOT_NOTE);
    }
    simulation(&mut s, cal, inp);
    s.push_str(SETTINGS_NOTE);
    synthetic_header(&mut s, cal, inp);
    for g in &cal.groups {
        group(&mut s, g, cal, inp.history.is_some());
    }
    s
}

const SNAPSHOT_NOTE: &str = "\
# This trace looks like a snapshot (describe-images, list-coverage): no image was pulled
# more than twice or seen in use twice, and nothing was deleted. A snapshot holds one push per image that
# is still there and its last pull; it knows nothing of deleted images nor of older
# pulls. So: push rates count only the images still there (a lower bound when images
# were deleted); no delete_after_days is fitted; deployments and the decay of pulls with
# age keep the generator's defaults (marked \"not fitted\" below). Import CloudTrail
# history (scansim import cloudtrail) for those.

";

const SETTINGS_NOTE: &str = "\
# Not learned from the trace: the registry's scanning configuration and Inspector
# settings. ENHANCED with no rules scans every repository continuously; put your own
# (or aws_json = \"...\") here, and [pricing] if your prices differ.
[registry]
scan_type = \"ENHANCED\"

";

fn simulation(s: &mut String, cal: &Calibration, inp: &Inputs) {
    let _ = writeln!(
        s,
        "[simulation]\nstart = \"{}\"\ndays = {}\nseed = 0\n",
        format_date(cal.day0() * DAY),
        inp.days
    );
    if let Some(h) = inp.history {
        let _ = writeln!(
            s,
            "# The registry's own history up to day 0; the synthetic traffic continues from\n\
             # its live images, tags and clocks.\n[traffic]\nhistory = {}\n",
            quote(h)
        );
    }
}

fn synthetic_header(s: &mut String, cal: &Calibration, inp: &Inputs) {
    s.push_str("[synthetic]\n");
    if inp.history.is_none() {
        let days = cal.span_days.clamp(0, 3650);
        let _ = writeln!(
            s,
            "# The trace's {} days are generated again as history before day 0.\nhistory_days = {days}",
            cal.span_days
        );
    }
    match &cal.rescans {
        Some((f, from)) => {
            let _ = writeln!(s, "# {}; {from}.", interval(f));
            let _ = writeln!(
                s,
                "rescans_per_image_month = {}",
                num(f.value.min(10_000.0))
            );
        }
        None => {
            s.push_str(
                "# Not fitted: the trace has no vulnerability-feed rows and no --usage totals\n\
                 # were given (AWS's own example gives 6 a month; give --usage for yours).\n\
                 rescans_per_image_month = 6.0\n",
            );
        }
    }
    if let Some((per_year, mult, days)) = cal.bursts {
        let _ = writeln!(
            s,
            "# {days} days with a registry-wide vulnerability-feed update in the trace: as burst\n\
             # days, each giving every active image about one trigger.\n\
             burst_days_per_year = {}\nburst_multiplier = {}",
            num(per_year),
            num(mult)
        );
    }
    s.push('\n');
}

/// The name template of a group: its one repository's own name, else `GROUP/repo-{i}`.
pub fn template(g: &GroupFit) -> String {
    match g.names.as_slice() {
        [one] => one.clone(),
        _ => format!("{}/repo-{{i}}", g.name),
    }
}

fn group(s: &mut String, g: &GroupFit, cal: &Calibration, continued: bool) {
    let _ = writeln!(
        s,
        "# Group `{}`: {} repositories, {} pushes of {} images.",
        g.name, g.count, g.pushes, g.images
    );
    if continued {
        // The history's own repositories continue.
        let names: Vec<String> = g.names.iter().map(|n| quote(n)).collect();
        let _ = writeln!(
            s,
            "[[synthetic.repositories]]\ngroup = \"{}\"\nnames = [{}]",
            g.name,
            names.join(", ")
        );
    } else {
        let _ = writeln!(
            s,
            "[[synthetic.repositories]]\nname = \"{}\"\ngroup = \"{}\"\ncount = {}",
            template(g),
            g.name,
            g.count
        );
    }
    push_rate(s, g);
    weekday(s, g);
    match &g.growth {
        Some(f) => {
            let _ = writeln!(
                s,
                "# Pushes by week of the repositories already there, log-linear over {} weeks; {}.\n\
                 growth_per_month = {}",
                g.weeks,
                interval(f),
                num(f.value)
            );
        }
        None => s.push_str("# Not fitted: fewer than 4 weeks of trace; no growth.\n"),
    }
    images(s, g);
    deployments(s, g, cal.snapshot);
    old_pulls(s, g, cal.snapshot);
    match &g.delete_after {
        Some((f, n)) => {
            let _ = writeln!(
                s,
                "# Median age at delete of {n} deleted images (95 %: {}..{} days).\n\
                 delete_after_days = {}",
                num(f.lo),
                num(f.hi),
                num(f.value.clamp(0.01, 36_500.0))
            );
        }
        None => s.push_str("# No deletes in the trace: images stay.\n"),
    }
    if let Some((first, over)) = g.appear.filter(|_| !continued) {
        let _ = writeln!(
            s,
            "# The repositories appear from their first event: the first on {}, spread\n\
             # evenly over {over} days.\nstart = \"{}\"\nappear_over_days = {over}",
            format_date(first * DAY),
            format_date(first * DAY)
        );
    }
    s.push('\n');
}

fn push_rate(s: &mut String, g: &GroupFit) {
    match &g.rate {
        RateFit::Fixed(f) => {
            let _ = writeln!(
                s,
                "# One rate for every repository (the spread across them is no more than chance),\n\
                 # per day at day 0: {}, from {} pushes.\npushes_per_day = {}",
                interval(f),
                g.pushes,
                num(f.value.min(10_000.0))
            );
        }
        RateFit::LogNormal { median, sigma } => {
            let _ = writeln!(
                s,
                "# Log-normal across the {} repositories (rates at day 0, the Poisson noise of each\n\
                 # count taken out of sigma; the median keeps the observed mean): median {},\n\
                 # sigma {}.\n\
                 pushes_per_day = {{ median = {}, sigma = {} }}",
                g.count,
                interval(median),
                interval(sigma),
                num(median.value.min(10_000.0)),
                num(sigma.value.min(10.0))
            );
        }
    }
}

fn weekday(s: &mut String, g: &GroupFit) {
    let (w, chi2) = g.weekday;
    // 12.59: the 95th percentile of chi-square with 6 degrees of freedom.
    if chi2 > 12.59 {
        let list: Vec<String> = w.iter().map(|v| num(*v)).collect();
        let _ = writeln!(
            s,
            "# Pushes by weekday over the days each repository was there (chi-square {chi2:.1}\n\
             # against a flat week, 6 d.f.: not chance).\nweekday_weights = [{}]",
            list.join(", ")
        );
    } else {
        let _ = writeln!(
            s,
            "# Flat week: pushes by weekday differ no more than chance (chi-square {chi2:.1}, 6 d.f.)."
        );
    }
}

fn images(s: &mut String, g: &GroupFit) {
    let platforms = g.platforms.round().clamp(1.0, 16.0) as u32;
    let _ = writeln!(
        s,
        "# {} images per push (mean {:.2}).\nplatforms = {platforms}",
        platforms, g.platforms
    );
    let index = g.image_index.value >= 0.5;
    let _ = writeln!(
        s,
        "# Pushes whose tags went to an unsupported image index: {}.\nimage_index = {index}",
        pct(&g.image_index)
    );
    let _ = writeln!(
        s,
        "# Unsupported images: {} of {} images.\nunsupported_share = {}",
        pct(&g.unsupported),
        g.images,
        num(g.unsupported.value)
    );
    match &g.moving_tag {
        Some((t, f)) => {
            let _ = writeln!(
                s,
                "# `{t}` on {} of the pushes.\nmoving_tag = \"{t}\"",
                pct(f)
            );
        }
        None => {
            s.push_str("# No tag on half the pushes or more: no moving tag.\nmoving_tag = \"\"\n")
        }
    }
    let _ = writeln!(
        s,
        "# Version tags (v12, 1.4.2) on {} of the pushes.\nversion_tags = {}",
        pct(&g.version_tags),
        g.version_tags.value >= 0.5
    );
}

fn deployments(s: &mut String, g: &GroupFit, snapshot: bool) {
    let _ = writeln!(
        s,
        "# {}\nin_use = {}",
        if g.in_use {
            "Images seen in use (ECS/EKS) in the trace."
        } else {
            "No in-use observations in the trace."
        },
        g.in_use
    );
    match (&g.deployed, snapshot) {
        (Some((n, images, f)), _) => {
            let _ = writeln!(
                s,
                "# {} of {images} replaced deployments were in use through {} newer ones.\ndeployed = {n}",
                pct(f),
                n - 1
            );
        }
        (None, true) => {
            s.push_str("# Not fitted (a snapshot): the generator's default.\ndeployed = 1\n")
        }
        (None, false) => s.push_str(
            "# Without in-use observations deployments cannot be told from other pulls: every\n\
             # pull is fitted as a pull of an image decaying with age.\ndeployed = 0\n",
        ),
    }
    if let Some((f, n)) = &g.deploy_lag_hours {
        let _ = writeln!(
            s,
            "# Median hours from push to first use over {n} images ({}).\ndeploy_lag_hours = {}",
            interval(f),
            num(f.value.clamp(0.0, 8760.0))
        );
    }
    if let Some((f, days)) = &g.deploy_pulls {
        let _ = writeln!(
            s,
            "# Pulls per day of a deployed image over {days} image-days in use ({}).\n\
             deploy_pulls_per_day = {}",
            interval(f),
            num(f.value.min(10_000.0))
        );
    }
}

fn old_pulls(s: &mut String, g: &GroupFit, snapshot: bool) {
    match &g.old_pulls {
        Some((r, h, pulls)) => {
            let _ = writeln!(
                s,
                "# Pulls of images not in use, by age, fitted r * 2^(-age/h) (Poisson, {pulls:.0} pulls):\n\
                 # r {}, h {} days.\nold_pulls_per_day = {}\nold_pull_half_life_days = {}",
                interval(r),
                interval(h),
                num(r.value.min(10_000.0)),
                num(h.value.clamp(0.01, 3650.0))
            );
        }
        None if snapshot => s.push_str(
            "# Not fitted (a snapshot has one last pull per image): the generator's defaults.\n\
             old_pulls_per_day = 0.2\nold_pull_half_life_days = 7.0\n",
        ),
        None => s.push_str("# Not fitted: too few pulls by age; the generator's defaults.\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_toml_floats() {
        assert_eq!(num(2.0), "2.0");
        assert_eq!(num(0.12345), "0.1235");
        assert_eq!(num(-0.05), "-0.05");
        assert_eq!(num(10.5), "10.5");
        assert_eq!(num(-0.00001), "0.0");
    }
}
