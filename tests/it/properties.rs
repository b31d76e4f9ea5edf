//! Properties over random scenarios and event streams (proptest), and `--explain`.

use crate::common::{
    WorkDir, assert_success, cents, csv_column, read_bytes, read_text, run_scenario, write_files,
};
use proptest::prelude::*;
use scansim::engine::RunOptions;
use scansim::model::scenario::Scenario;
use scansim::rules::Status;
use std::path::Path;

pub(crate) const REPOS: [&str; 3] = ["prod-api", "dev-web", "tools"];
pub(crate) const KINDS: [&str; 7] = [
    "push",
    "pull",
    "in_use",
    "delete",
    "archive",
    "restore",
    "vulndb_update",
];
pub(crate) const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub(crate) const DAYS: i64 = 20;

#[derive(Debug, Clone)]
pub(crate) struct Ev {
    pub(crate) t: i64,
    pub(crate) kind: usize,
    pub(crate) repo: usize,
    pub(crate) digest: usize,
    pub(crate) tags: usize,
    pub(crate) supported: bool,
}

fn event() -> impl Strategy<Value = Ev> {
    (
        -3 * 86_400..DAYS * 86_400,
        prop::sample::select(vec![0usize, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6]),
        0..REPOS.len(),
        0..6usize,
        0..4usize,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(t, kind, repo, digest, tags, supported)| Ev {
            t: START + t,
            kind,
            repo,
            digest,
            tags,
            supported,
        })
}

#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) events: Vec<Ev>,
    pub(crate) registry: usize,
    pub(crate) timeline: Vec<(i64, usize, usize)>,
    pub(crate) push: usize,
    pub(crate) pull: usize,
    pub(crate) lifecycle: bool,
    pub(crate) initial_micro: u32,
    pub(crate) rescan_micro: u32,
    pub(crate) trial_days: u32,
}

const REGISTRIES: [&str; 5] = [
    r#"{ scan_type = "BASIC" }"#,
    r#"{ scan_type = "BASIC", rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }] }"#,
    r#"{ scan_type = "ENHANCED" }"#,
    r#"{ scan_type = "ENHANCED", rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["prod"] }, { scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }] }"#,
    r#"{ scan_type = "ENHANCED", rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["*-web", "tools"] }] }"#,
];
pub(crate) const PUSH: [&str; 4] = ["LIFETIME", "DAYS_14", "DAYS_30", "DAYS_60"];
pub(crate) const PULL: [&str; 3] = ["none", "DAYS_14", "DAYS_30"];
const TAGS: [&str; 4] = ["", "latest", "v1;latest", "v2"];

pub(crate) fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(event(), 0..120),
        0..REGISTRIES.len(),
        prop::collection::vec((0..DAYS * 86_400, 0..REGISTRIES.len(), 0..PUSH.len()), 0..3),
        (0..PUSH.len(), 0..PULL.len(), any::<bool>()),
        (0u32..200_000, 0u32..50_000, 0u32..4),
    )
        .prop_map(
            |(mut events, registry, timeline, (push, pull, lifecycle), (im, rm, trial))| {
                events.sort_by_key(|e| e.t);
                Case {
                    events,
                    registry,
                    timeline: timeline
                        .into_iter()
                        .map(|(t, r, p)| (START + t, r, p))
                        .collect(),
                    push,
                    pull,
                    lifecycle,
                    initial_micro: im,
                    rescan_micro: rm,
                    trial_days: trial,
                }
            },
        )
}

fn usd(micro: u32) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

pub(crate) fn write_case(dir: &Path, c: &Case) {
    let mut trace = String::from("time,event,repository,digest,tags,supported\n");
    for e in &c.events {
        let kind = KINDS[e.kind];
        let (repo, digest) = if kind == "vulndb_update" {
            match e.digest % 3 {
                0 => ("", String::new()),
                1 => (REPOS[e.repo], String::new()),
                _ => (REPOS[e.repo], format!("sha256:{}", e.digest)),
            }
        } else {
            (REPOS[e.repo], format!("sha256:{}", e.digest))
        };
        trace.push_str(&format!(
            "{},{kind},{repo},{digest},{},{}\n",
            scansim::base::time::format_instant(e.t),
            TAGS[e.tags],
            e.supported
        ));
    }
    let mut sc = format!(
        "[simulation]\nstart = \"2026-01-01\"\ndays = {DAYS}\nin_use_window_days = 7\n\
         [pricing]\ninitial_scan_usd = {}\nrescan_usd = {}\nfree_trial_days = {}\n\
         [registry]\n{}\
         [inspector]\npush_duration = \"{}\"\npull_duration = \"{}\"\n",
        usd(c.initial_micro),
        usd(c.rescan_micro),
        c.trial_days,
        REGISTRIES[c.registry]
            .trim_start_matches("{ ")
            .trim_end_matches(" }")
            .replace(", rules", "\nrules")
            + "\n",
        PUSH[c.push],
        PULL[c.pull],
    );
    for (t, r, p) in &c.timeline {
        sc.push_str(&format!(
            "[[timeline]]\nat = {t}\nregistry = {}\ninspector = {{ push_duration = \"{}\" }}\n",
            REGISTRIES[*r], PUSH[*p]
        ));
    }
    if c.lifecycle {
        sc.push_str("[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n");
    }
    sc.push_str("[traffic]\ntrace = \"t.csv\"\n");
    let lc = r#"{"rules":[
      {"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":2},"action":{"type":"transition","targetStorageClass":"archive"}},
      {"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},
      {"rulePriority":3,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#;
    write_files(dir, &[("s.toml", &sc), ("t.csv", &trace), ("lc.json", lc)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn daily_rows_hold_their_invariants(c in case()) {
        let dir = WorkDir::new("prop");
        write_case(&dir, &c);
        let sc = Scenario::load(&dir.join("s.toml")).expect("scenario");
        let run = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).expect("run");
        let days = &run.result.days;
        prop_assert_eq!(days.len(), DAYS as usize);
        let billing = sc.billing();
        for (d, row) in days.iter().enumerate() {
            // Status counts sum to images.
            let sum: u64 = Status::ALL.iter().map(|s| row.status(*s)).sum();
            prop_assert_eq!(sum, row.counts.images, "day {}", d);
            prop_assert!(row.counts.in_use_active <= row.counts.in_use);
            prop_assert!(row.counts.in_use_active <= row.status(Status::Active));
            // Outside the free trial: cost = initial scans × price + rescans × price.
            let day_start = START + d as i64 * 86_400;
            let trial_free = billing.trial_start.is_some_and(|s| {
                day_start + 86_400 > s && day_start < s + c.trial_days as i64 * 86_400
            });
            if !trial_free {
                prop_assert_eq!(
                    row.flows.cost_micro,
                    row.flows.initial_scans as i64 * c.initial_micro as i64
                        + row.flows.rescans as i64 * c.rescan_micro as i64,
                    "day {}", d
                );
            } else {
                prop_assert!(row.flows.cost_micro
                    <= row.flows.initial_scans as i64 * c.initial_micro as i64
                        + row.flows.rescans as i64 * c.rescan_micro as i64);
            }
        }
        check_findings_conservation(days)?;
        check_hourly(&run.result)?;
        // Outputs: cumulative never decreases; monthly and repository totals add up to
        // the daily totals exactly; two runs give identical bytes.
        let out = dir.join("out");
        scansim::app::simulate::write_outputs(&sc, &run, &[], &out, false).expect("outputs");
        let daily = read_text(&out.join("daily.csv"));
        let cum: Vec<i64> = csv_column(&daily, "cumulative_cost_usd").iter().map(|s| cents(s)).collect();
        prop_assert!(cum.windows(2).all(|w| w[0] <= w[1]));
        let total = |col: &str, text: &str| -> i64 {
            csv_column(text, col).iter().map(|s| s.parse::<i64>().unwrap()).sum()
        };
        let monthly = read_text(&out.join("monthly.csv"));
        let repos = read_text(&out.join("repositories.csv"));
        for col in ["initial_scans", "rescans", "basic_scans"] {
            prop_assert_eq!(total(col, &monthly), total(col, &daily), "monthly {}", col);
            prop_assert_eq!(total(col, &repos), total(col, &daily), "repositories {}", col);
        }
        for col in ["findings_created", "findings_updated", "findings_closed", "findings_closed_in_use"] {
            prop_assert_eq!(total(col, &monthly), total(col, &daily), "monthly {}", col);
        }
        let micro: i64 = days.iter().map(|d| d.flows.cost_micro).sum();
        let repo_micro: i64 = run.result.repos.iter().map(|r| r.totals.flows.cost_micro).sum();
        prop_assert_eq!(repo_micro, micro);
        let run2 = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).expect("run");
        let out2 = dir.join("out2");
        scansim::app::simulate::write_outputs(&sc, &run2, &[], &out2, false).expect("outputs");
        for f in ["daily.csv", "monthly.csv", "repositories.csv", "groups.csv", "summary.json"] {
            prop_assert_eq!(read_bytes(&out.join(f)), read_bytes(&out2.join(f)));
        }
    }
}

/// The events by hour add up to the day's initial scans and finding events.
fn check_hourly(r: &scansim::engine::RunResult) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.hourly.len(), r.days.len());
    for (d, (h, row)) in r.hourly.iter().zip(&r.days).enumerate() {
        prop_assert_eq!(
            h.scans.iter().sum::<u64>(),
            row.flows.initial_scans,
            "day {}",
            d
        );
        prop_assert_eq!(
            h.findings.iter().sum::<u64>(),
            row.flows.findings.events(),
            "day {}",
            d
        );
    }
    Ok(())
}

/// Open findings per severity carry over: open(d) = open(d-1) + created(d) - closed(d);
/// exposure is part of the closures.
fn check_findings_conservation(days: &[scansim::engine::DayRow]) -> Result<(), TestCaseError> {
    for d in 1..days.len() {
        let (prev, row) = (&days[d - 1], &days[d]);
        let f = &row.flows.findings;
        for s in 0..6 {
            prop_assert_eq!(
                row.counts.findings_open[s] + f.closed[s],
                prev.counts.findings_open[s] + f.created[s],
                "day {}, severity {}",
                d,
                s
            );
        }
        prop_assert!(f.closed_in_use <= f.closed_total());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Findings draw from their own streams: another findings model changes the findings
    /// and nothing else.
    #[test]
    fn findings_change_no_other_figure(c in case()) {
        let dir = WorkDir::new("prop-findings");
        write_case(&dir, &c);
        let mut sc = Scenario::load(&dir.join("s.toml")).expect("scenario");
        let a = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).expect("run");
        sc.findings = std::sync::Arc::new(scansim::rules::findings::FindingsModel {
            per_image: 3.0,
            sigma: 2.0,
            per_rescan: 40.0,
            updated_share: 0.9,
            ..Default::default()
        });
        let b = scansim::app::simulate::simulate(&sc, None, RunOptions::default()).expect("run");
        check_findings_conservation(&b.result.days)?;
        check_hourly(&b.result)?;
        let strip = |days: &[scansim::engine::DayRow]| -> Vec<scansim::engine::DayRow> {
            days.iter().map(|d| {
                let mut d = *d;
                d.counts.findings_open = [0; 6];
                d.flows.findings = Default::default();
                d
            }).collect()
        };
        prop_assert_eq!(strip(&a.result.days), strip(&b.result.days));
    }
}

/// `--explain` on a hand-built trace prints the reasons in order.
#[test]
fn explain_prints_the_history_of_one_image() {
    let dir = WorkDir::new("explain");
    dir.write_files(&[
            (
                "s.toml",
                "[simulation]\nstart = \"2026-01-01\"\ndays = 30\n\
                 [inspector]\npush_duration = \"DAYS_14\"\npull_duration = \"DAYS_14\"\n\
                 [[timeline]]\nat = \"2026-01-03T12:00:00Z\"\nregistry = { scan_type = \"ENHANCED\" }\n\
                 [[timeline]]\nat = \"2026-01-20T00:00:00Z\"\nregistry = { scan_type = \"ENHANCED\", rules = [{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"*\"] }] }\n\
                 [[lifecycle]]\nrepositories = [\"app\"]\npolicy = \"lc.json\"\n\
                 [traffic]\ntrace = \"t.csv\"\n",
            ),
            (
                "lc.json",
                r#"{"rules":[{"rulePriority":7,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":20},"action":{"type":"expire"}}]}"#,
            ),
            (
                "t.csv",
                "time,event,repository,digest,tags,supported\n\
                 2026-01-01T10:00:00Z,push,app,sha256:a,latest,\n\
                 2026-01-05T10:00:00Z,vulndb_update,app,,,\n\
                 2026-01-10T10:00:00Z,push,app,sha256:b,latest,\n\
                 2026-01-18T08:00:00Z,pull,app,sha256:a,,\n\
                 2026-01-22T09:00:00Z,pull,app,sha256:zz,,\n",
            ),
        ],
    );
    let o = run_scenario(
        &dir.join("s.toml"),
        &dir.join("out"),
        &["--no-charts", "--quiet", "--explain", "app@sha256:a"],
    );
    assert_success(&o);
    let got = String::from_utf8_lossy(&o.stdout);
    // Pushed under BASIC without rules: not scanned. Enabled at 01-03 12:00 (recognised,
    // window holds): initial scan. A repository-wide update rescans it. b takes the tag.
    // At M(14) = 01-16 the 14-day window is over: expired. The pull on 01-18 revives it
    // (pull window, mode LAST_PULL_DATE). 01-20: the repository becomes SCAN_ON_PUSH.
    // At M(20) = 01-22 it is untagged and pushed 20 d 14 h ago (> 20 d): rule 7 deletes it.
    let want = [
        "2026-01-01T10:00:00Z  push creates the image (supported = true)",
        "2026-01-01T10:00:00Z  status not_scanned",
        "2026-01-03T12:00:00Z  enhanced scan billed as an initial scan (0.09 USD) [continuous scanning enabled: within the look-back and the window]",
        "2026-01-03T12:00:00Z  status not_scanned -> active (continuous scanning enabled: within the look-back and the window)",
        "2026-01-05T10:00:00Z  enhanced scan billed as a rescan (0.01 USD) [vulnerability database update]",
        "2026-01-10T10:00:00Z  tag `latest` moved to another image",
        "2026-01-16T00:00:00Z  status active -> expired (window expiry: neither push nor pull window holds)",
        "2026-01-18T08:00:00Z  pull",
        "2026-01-18T08:00:00Z  enhanced scan billed as a rescan (0.01 USD) [revival by a pull (mode LAST_PULL_DATE) within the pull window]",
        "2026-01-18T08:00:00Z  status expired -> active (revival by a pull (mode LAST_PULL_DATE) within the pull window)",
        "2026-01-20T00:00:00Z  status active -> scan_on_push (scan frequency change CONTINUOUS_SCAN -> SCAN_ON_PUSH)",
        "2026-01-22T00:00:00Z  expired by lifecycle rule with rulePriority 7",
    ];
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
}

/// `--explain REPOSITORY:TAG` follows the image holding the tag at the end; a target the
/// run never saw is an error with the closest names, and nothing is written.
#[test]
fn explain_by_tag_and_the_errors_that_help() {
    let dir = WorkDir::new("explain-tag");
    dir.write_files(&[
        (
            "s.toml",
            "[simulation]\nstart = \"2026-01-01\"\ndays = 5\n\
             [registry]\nscan_type = \"ENHANCED\"\n[traffic]\ntrace = \"t.csv\"\n",
        ),
        (
            "t.csv",
            "time,event,repository,digest,tags,supported\n\
             2026-01-01T10:00:00Z,push,app,sha256:a,latest;v1,\n\
             2026-01-02T10:00:00Z,push,app,sha256:b,latest,\n\
             2026-01-03T10:00:00Z,pull,app,sha256:b,,\n\
             2026-01-03T11:00:00Z,push,api,sha256:c,,\n",
        ),
    ]);
    let out = dir.join("out");
    let explain = |what: &str| {
        run_scenario(
            &dir.join("s.toml"),
            &out,
            &["--no-charts", "--quiet", "--explain", what],
        )
    };
    let o = explain("app:latest");
    assert_success(&o);
    let got = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        got.lines().collect::<Vec<_>>(),
        [
            "2026-01-02T10:00:00Z  push creates the image (supported = true)",
            "2026-01-02T10:00:00Z  enhanced scan billed as an initial scan (0.09 USD) [push]",
            "2026-01-02T10:00:00Z  status active",
            "2026-01-03T10:00:00Z  pull",
        ]
    );
    // v1 stayed with sha256:a.
    let o = explain("app:v1");
    assert_success(&o);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("2026-01-01T10:00:00Z  push"));
    std::fs::remove_dir_all(&out).unwrap();
    let cases = [
        (
            "app@sha256:bb",
            "no event touched digest `sha256:bb` in `app` (2 live images at the end); the \
             closest digests: sha256:b, sha256:a",
        ),
        (
            "app:lates",
            "no live image of `app` holds tag `lates` at the end of the run (2 live images); \
             the closest tags they hold: latest, v1",
        ),
        (
            "apps@sha256:a",
            "repository `apps` had no event in this run (it saw 2 repositories); the closest \
             names: app, api",
        ),
        ("app", "`app` names no image: give REPOSITORY@DIGEST"),
        ("app@", "`app@` names no digest after `@`"),
        ("App:latest", "invalid repository name `App`"),
        ("app:-x", "invalid tag `-x`"),
    ];
    for (what, want) in cases {
        let o = explain(what);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{what}");
        assert!(err.contains(want), "{what}: {err}");
        assert!(!out.exists(), "{what}: no output on an --explain error");
    }
}

/// No input makes the program panic: arbitrary trace bytes and scenario texts give a
/// result or an error.
mod no_panic {
    use super::*;

    const HEAD: &str = "[simulation]\nstart = \"2026-01-01\"\ndays = 3\n[registry]\nscan_type = \"ENHANCED\"\n[traffic]\ntrace = \"t.csv\"\n";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

        #[test]
        fn arbitrary_traces(
            rows in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        Just("2026-01-01T10:00:00Z".to_string()),
                        Just("push".to_string()),
                        Just("pull".to_string()),
                        Just("vulndb_update".to_string()),
                        Just("app".to_string()),
                        Just("sha256:a".to_string()),
                        Just("".to_string()),
                        Just("\"q,\"\"x\"\"\"".to_string()),
                        "[ -~\\n\\r\"]{0,12}",
                    ],
                    0..8,
                ),
                0..12,
            ),
            header in prop::sample::select(vec![
                "time,event,repository,digest,tags,supported",
                "\u{feff}event,time,digest,repository",
                "time,event",
                "",
            ]),
        ) {
            let dir = WorkDir::new("nopanic-trace");
            let mut text = format!("{header}\n");
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            dir.write_files(&[("s.toml", HEAD), ("t.csv", &text)]);
            let sc = Scenario::load(&dir.join("s.toml")).expect("scenario");
            let _ = scansim::app::simulate::simulate(&sc, None, RunOptions { strict: true, ..RunOptions::default() });
            let _ = scansim::app::simulate::simulate(&sc, None, RunOptions::default());
        }

        #[test]
        fn arbitrary_scenarios(
            lines in prop::collection::vec(
                prop_oneof![
                    Just("[simulation]".to_string()),
                    Just("start = \"2026-01-01\"".to_string()),
                    Just("start = 2026-01-01T10:00:00".to_string()),
                    Just("days = 0".to_string()),
                    Just("days = 9999999999999".to_string()),
                    Just("[pricing]".to_string()),
                    Just("initial_scan_usd = 1e308".to_string()),
                    Just("rescan_usd = -0.0".to_string()),
                    Just("[[timeline]]".to_string()),
                    Just("at = -9223372036854775808".to_string()),
                    Just("registry = { scan_type = \"ENHANCED\", rules = [] }".to_string()),
                    Just("inspector = { pull_duration = \"none\" }".to_string()),
                    Just("[synthetic]".to_string()),
                    Just("[[synthetic.repositories]]".to_string()),
                    Just("name = \"a-{i}\"".to_string()),
                    Just("count = 1000000".to_string()),
                    Just("pushes_per_day = { median = 1e4, sigma = 10 }".to_string()),
                    "[ -~]{0,20}",
                ],
                0..14,
            )
        ) {
            let text = lines.join("\n");
            let _ = Scenario::from_toml(&text, Path::new("s.toml"));
        }
    }
}

/// A trace reaching back to year 0000 does not make the engine walk 739,000 idle
/// midnights one by one, and gives the same rows as if history started recently.
#[test]
fn history_from_year_0000_is_skipped_through_where_nothing_is_due() {
    let dir = WorkDir::new("year-0");
    dir.write_files(&[
            (
                "s.toml",
                "[simulation]\nstart = \"2026-01-01\"\ndays = 3\n[registry]\nscan_type = \"ENHANCED\"\n\
                 [inspector]\npush_duration = \"DAYS_14\"\n[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n\
                 [traffic]\ntrace = \"t.csv\"\n",
            ),
            (
                "lc.json",
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#,
            ),
            (
                "t.csv",
                "time,event,repository,digest,tags\n\
                 0000-01-01T00:00:00Z,push,app,sha256:old,v1\n\
                 -62167219200,push,app,sha256:older,\n\
                 1970-01-01T00:00:00Z,push,app,sha256:epoch,\n\
                 2026-01-02T10:00:00Z,push,app,sha256:new,\n\
                 9999-12-31T23:59:59Z,push,app,sha256:future,\n",
            ),
        ],
    );
    assert_success(&run_scenario(
        &dir.join("s.toml"),
        &dir.join("out"),
        &["--no-charts"],
    ));
    let daily = dir.read("out/daily.csv");
    // old: archived by the policy a day after its push; older and epoch: scanned at push,
    // expired 14 days later; new: day 1, active. The year-9999 row is after the horizon.
    let rows: Vec<String> = crate::common::columns(&daily, 16)
        .into_iter()
        .skip(1)
        .collect();
    assert_eq!(
        rows,
        [
            "2026-01-01,0,3,0,2,0,0,0,1,0,0,0,0,0,0,0",
            "2026-01-02,1,4,1,2,0,0,0,1,1,0,0,1,0,0,0",
            "2026-01-03,2,4,1,2,0,0,0,1,0,0,0,0,0,0,0",
        ]
    );
}
