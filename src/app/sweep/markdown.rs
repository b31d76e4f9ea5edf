//! `sweep.md`: the answer in words first, then every variant against the baseline
//! (cost per month and year, savings and coverage change with their intervals from the
//! paired differences), the part of the registry the settings act on, the groups, the
//! files and the variants. Numbers are formatted for people; `sweep.csv` has them all
//! with 4 decimals.

use super::compare::{
    CONTINUOUS, COST, COVERAGE, Comparison, IN_USE, Piece, Sentence, VariantStats, YEAR_DAYS,
};
use super::spec::BaselineKind;
use super::stats::Estimate;
use crate::report::human::{plural, plus_minus, share, thousands, to_hundredths};
use std::fmt::Write as _;

/// A sentence of the recommendation in Markdown: variants in bold with their number.
pub fn sentence_md(c: &Comparison, s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Piece::Text(t) | Piece::Figure(t) => t.clone(),
            Piece::Variant(v) => format!("**{}** (#{})", md_cell(&c.label(*v)), v + 1),
        })
        .collect()
}

/// Markdown table cell text: `|` escaped.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `2,017 ± 213`; `–` without a value.
pub fn est(e: &Option<Estimate>, money: bool, signed: bool) -> String {
    match e {
        Some(e) => plus_minus(e.mean, e.half_width, money, signed),
        None => "–".into(),
    }
}

/// An estimate scaled (a cost per month as a cost per year).
pub fn scaled(e: &Option<Estimate>, k: f64) -> Option<Estimate> {
    e.map(|e| Estimate {
        mean: e.mean * k,
        half_width: e.half_width.map(|h| h * k.abs()),
        ..e
    })
}

/// The saving against the baseline (the negated cost difference).
pub fn saving(s: &VariantStats) -> Option<Estimate> {
    scaled(&s.diff[COST], -1.0)
}

/// The saving as a share of the baseline's cost per month: `16 %`, `-3 %`.
pub fn saving_share(c: &Comparison, s: &VariantStats) -> String {
    let base = c.whole[c.base()].value[COST].map(|e| e.mean);
    match (saving(s), base) {
        (Some(d), Some(b)) if b > 0.0 => {
            let h = to_hundredths((d.mean / b * 100.0).abs());
            let sign = if d.mean < 0.0 && h >= 50 { "-" } else { "" };
            format!("{sign}{}", share(h))
        }
        _ => "–".into(),
    }
}

/// Cost per month for each point of coverage: `131`.
pub fn cost_per_point(c: &Comparison, v: usize) -> String {
    let s = &c.whole[v];
    match (s.value[COST], s.value[c.coverage_metric()]) {
        (Some(cost), Some(cov)) if cov.mean > 0.0 => super::compare::rate(cost.mean / cov.mean),
        _ => "–".into(),
    }
}

/// What the baseline is and why.
pub fn baseline_words(c: &Comparison) -> String {
    let b = c.base();
    match c.baseline.kind {
        BaselineKind::Added => format!(
            "variant 1, the scenario's own settings (`{}`): no variant of the `--set` lists \
             has them, so the scenario as it is was added and every variant is compared \
             with it",
            c.meta.variants[b].name
        ),
        BaselineKind::Own => format!(
            "variant {}, {} (`{}`), which has the scenario's own settings",
            b + 1,
            c.label(b),
            c.meta.variants[b].name
        ),
    }
}

/// `sweep.md`.
pub fn sweep_md(c: &Comparison, charts: bool) -> String {
    let mut s = String::new();
    intro(&mut s, c);
    let _ = writeln!(s, "## The answer\n");
    for sentence in c.recommendation() {
        let _ = writeln!(s, "{}\n", sentence_md(c, &sentence));
    }
    let _ = writeln!(s, "**Baseline:** {}.\n", baseline_words(c));
    let _ = writeln!(s, "{}\n", reading_note(c));
    table(&mut s, c);
    continuous_part(&mut s, c);
    groups(&mut s, c);
    files(&mut s, charts);
    variants(&mut s, c);
    s
}

fn intro(s: &mut String, c: &Comparison) {
    let meta = c.meta;
    let v0 = &meta.variants[0];
    let n = meta.replications;
    let _ = writeln!(s, "# Sweep of `{}`\n", meta.scenario);
    let same_calendar = meta
        .variants
        .iter()
        .all(|v| v.start == v0.start && v.days == v0.days);
    let _ = write!(
        s,
        "{} × {}",
        plural(meta.variants.len() as u64, "variant", "variants"),
        plural(n as u64, "replication", "replications")
    );
    if same_calendar {
        let _ = write!(s, ", {} days from {}", thousands(v0.days as u64), v0.start);
    }
    let _ = writeln!(
        s,
        ". Replication k uses the same traffic (seed) in every variant, so variants are \
         compared on equal terms (common random numbers).\n"
    );
}

/// How to read `±` and the changes.
pub fn reading_note(c: &Comparison) -> String {
    let n = c.meta.replications;
    if n > 1 {
        format!(
            "Each figure is the mean over the {n} replications ± the half-width of its 95 % \
             confidence interval (Student t). A change is the paired difference against the \
             baseline, replication by replication on the same traffic: far surer than the \
             figures themselves. A change whose interval does not contain 0 is measurable."
        )
    } else {
        "One replication: no intervals. Run with `--replications 5` (or more) to see how \
         much the figures and the changes vary with the traffic."
            .into()
    }
}

/// A table of the comparison, for `sweep.md` and `sweep.html` alike: column 1 is the
/// variant's label, the others are numbers.
pub struct Table {
    pub id: &'static str,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A change against the baseline; the baseline's own row says so.
fn change(c: &Comparison, v: usize, text: String) -> String {
    if v == c.base() {
        "baseline".into()
    } else {
        text
    }
}

/// Every variant against the baseline, whole registry.
pub fn variants_table(c: &Comparison) -> Table {
    let m = c.coverage_metric();
    let cov = if m == IN_USE {
        "in-use coverage"
    } else {
        "coverage"
    };
    let head = [
        "#",
        "variant",
        "cost per month (USD)",
        "per year (USD)",
        "saving per month (USD)",
        "saving",
        &format!("{cov} (%)"),
        "change (points)",
        "coverage (%)",
        "change (points)",
        &format!("USD per month per point of {cov}"),
        "efficient",
    ];
    let eff = c.efficient();
    let rows = c
        .whole
        .iter()
        .enumerate()
        .map(|(v, st)| {
            vec![
                (v + 1).to_string(),
                c.label(v),
                est(&st.value[COST], true, false),
                est(&scaled(&st.value[COST], YEAR_DAYS / 30.0), true, false),
                change(c, v, est(&saving(st), true, true)),
                change(c, v, saving_share(c, st)),
                est(&st.value[m], false, false),
                change(c, v, est(&st.diff[m], false, true)),
                est(&st.value[COVERAGE], false, false),
                change(c, v, est(&st.diff[COVERAGE], false, true)),
                cost_per_point(c, v),
                if eff[v] { "yes" } else { "" }.to_string(),
            ]
        })
        .collect();
    Table {
        id: "variants",
        head: head.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The figures of the repositories under continuous scanning.
pub fn continuous_table(c: &Comparison) -> Table {
    let head = [
        "#",
        "variant",
        "repositories",
        "cost per month (USD)",
        "change (USD)",
        "in-use coverage (%)",
        "change (points)",
        "continuous coverage (%)",
        "change (points)",
    ];
    let rows = c
        .continuous
        .iter()
        .enumerate()
        .map(|(v, st)| {
            vec![
                (v + 1).to_string(),
                c.label(v),
                thousands(c.continuous_repos[v]),
                est(&st.value[COST], true, false),
                change(c, v, est(&st.diff[COST], true, true)),
                est(&st.value[IN_USE], false, false),
                change(c, v, est(&st.diff[IN_USE], false, true)),
                est(&st.value[CONTINUOUS], false, false),
                change(c, v, est(&st.diff[CONTINUOUS], false, true)),
            ]
        })
        .collect();
    Table {
        id: "continuous-table",
        head: head.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// Cost and in-use coverage per group and variant (none with fewer than two groups).
pub fn group_tables(c: &Comparison) -> Vec<(&'static str, Table)> {
    if c.groups.len() < 2 {
        return Vec::new();
    }
    [
        ("Cost per month (USD)", "groups-cost", COST, true),
        ("In-use coverage (%)", "groups-in-use", IN_USE, false),
    ]
    .into_iter()
    .map(|(title, id, metric, money)| {
        let mut head = vec!["#".to_string(), "variant".to_string()];
        head.extend(c.groups.iter().cloned());
        let rows = (0..c.whole.len())
            .map(|v| {
                let mut row = vec![(v + 1).to_string(), c.label(v)];
                row.extend(
                    c.by_group
                        .iter()
                        .map(|g| est(&g[v].value[metric], money, false)),
                );
                row
            })
            .collect();
        (title, Table { id, head, rows })
    })
    .collect()
}

/// A table in Markdown.
fn table_md(s: &mut String, t: &Table) {
    let cells = |r: &[String]| r.iter().map(|x| md_cell(x)).collect::<Vec<_>>().join(" | ");
    let _ = writeln!(s, "| {} |", cells(&t.head));
    let align: Vec<&str> = (0..t.head.len())
        .map(|i| if i == 1 { "---" } else { "---:" })
        .collect();
    let _ = writeln!(s, "|{}|", align.join("|"));
    for r in &t.rows {
        let _ = writeln!(s, "| {} |", cells(r));
    }
}

fn table(s: &mut String, c: &Comparison) {
    let _ = writeln!(s, "## Every variant against the baseline\n");
    table_md(s, &variants_table(c));
    let cov = if c.coverage_metric() == IN_USE {
        "in-use coverage"
    } else {
        "coverage"
    };
    let _ = writeln!(
        s,
        "\n- **cost per month**: the cost of the reported days × 30 / days; **per year**: × \
         365 / 30.\n\
         - **saving**: the baseline's cost minus the variant's (negative: it costs more), \
         from the paired differences.\n\
         - **coverage**: the share of all images continuously monitored on an average day; \
         **in-use coverage**: of the images in use (pulled or seen running within the \
         in-use window). Changes are in percentage points.\n\
         - **efficient**: no other variant has both a lower (or equal) mean cost and a \
         higher (or equal) mean {cov}.\n"
    );
}

/// The repositories under continuous scanning: what durations and pull settings change.
fn continuous_part(s: &mut String, c: &Comparison) {
    let _ = writeln!(s, "## Where the settings act: continuous scanning\n");
    let _ = writeln!(s, "{} The figures of that part:\n", continuous_words(c));
    table_md(s, &continuous_table(c));
    let _ = writeln!(s, "\n{}\n", rest_words(c));
}

/// Which repositories the settings act on.
pub fn continuous_words(c: &Comparison) -> String {
    let b = c.base();
    format!(
        "Re-scan durations and pull settings act only on repositories under continuous \
         scanning: {} of {} in the baseline (at the end of replication 0). Scan on push \
         scans an image once and never counts it as covered, whatever the durations.",
        thousands(c.continuous_repos[b]),
        plural(c.all_repos[b], "repository", "repositories")
    )
}

/// What the rest of the registry costs: the same in every variant, or not.
pub fn rest_words(c: &Comparison) -> String {
    let rest =
        |v: usize, k: usize| c.figs[v][k].flows.cost_micro - c.cont_figs[v][k].flows.cost_micro;
    let r = c.meta.replications as usize;
    let b = c.base();
    let same = (0..c.figs.len()).all(|v| (0..r).all(|k| rest(v, k) == rest(b, k)));
    let per_month: Vec<f64> = (0..r)
        .map(|k| rest(b, k) as f64 / 1e6 * 30.0 / c.figs[b][k].days.max(1) as f64)
        .collect();
    let cost = Estimate::of(&per_month)
        .map(|e| plus_minus(e.mean, e.half_width, true, false))
        .unwrap_or_default();
    if same {
        format!(
            "The other repositories cost {cost} USD per month in every variant, to the \
             micro-dollar: no variant changes them."
        )
    } else {
        format!(
            "The other repositories cost {cost} USD per month in the baseline; some variants \
             change them too (a different registry configuration, prices or rules)."
        )
    }
}

fn groups(s: &mut String, c: &Comparison) {
    let tables = group_tables(c);
    if tables.is_empty() {
        return;
    }
    let _ = writeln!(s, "## By group\n");
    for (title, t) in tables {
        let _ = writeln!(s, "{title}:\n");
        table_md(s, &t);
        s.push('\n');
    }
}

/// The files the sweep writes (the charts and the page only when drawn).
fn files(s: &mut String, charts: bool) {
    let _ = writeln!(s, "## Files\n");
    if charts {
        let _ = writeln!(
            s,
            "- `sweep.html`: this comparison as one page with the charts (no network \
             needed).\n\
             - `paired_differences.png/.svg`: each variant's change in cost against its \
             change in coverage, with 95 % intervals from the paired differences; the \
             baseline at 0, 0.\n\
             - `cost_coverage.png/.svg`: cost per month against coverage, with the 95 % \
             intervals over the replications.\n\
             - `coverage.png/.svg`, `in_use_coverage.png/.svg`: daily coverage per variant, \
             the mean over replications with a 95 % band.\n\
             - Points and lines carry the variant's number; variants that coincide are \
             drawn as rings around one another (lines: wider under narrower)."
        );
    }
    let _ = writeln!(
        s,
        "- `sweep.csv`: these figures with 4 decimals, the settings in columns, `_hw95` \
         half-widths (empty with one replication), the baseline and the part under \
         continuous scanning.\n\
         - `runs.csv`: the figures of every (variant, replication) run and its seed \
         (`scansim run --seed SEED` of the variant's scenario reproduces it).\n\
         - `variants/NAME/daily.csv`: the daily rows of replication 0 of each variant \
         (identical to `scansim run` of that variant)."
    );
}

/// What each variant sets, where its outputs are and its seeds.
fn variants(s: &mut String, c: &Comparison) {
    let meta = c.meta;
    let _ = writeln!(s, "\n## Variants\n");
    for (i, v) in meta.variants.iter().enumerate() {
        let _ = write!(s, "{}. `{}`: ", i + 1, v.name);
        let mut parts: Vec<String> = Vec::new();
        if c.baseline.kind == BaselineKind::Added && i == 0 {
            parts.push("the scenario as it is (the baseline)".into());
        } else {
            if let Some(sv) = &v.sweep_variant {
                parts.push(format!("[[sweep.variants]] `{sv}`"));
            }
            parts.extend(
                meta.keys
                    .iter()
                    .zip(&v.values)
                    .map(|(k, x)| format!("`{k} = {x}`")),
            );
        }
        if parts.is_empty() {
            parts.push("the scenario as it is".into());
        }
        let seeds: Vec<String> = v.seeds.iter().map(|x| x.to_string()).collect();
        let _ = writeln!(
            s,
            "{}; directory `variants/{}`; seed{} {}",
            parts.join(", "),
            v.dir,
            if seeds.len() == 1 { "" } else { "s" },
            seeds.join(", ")
        );
    }
}
