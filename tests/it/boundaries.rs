//! Hand-derived boundary cases (scenario and trace written here), each with the rows of
//! `daily.csv` derived from SPEC in a comment, and property checks over the outputs of
//! every shared case.
//!
//! Rows list the pinned columns of SPEC §8:
//! `date,day,images,active,expired,scan_on_push,not_scanned,unsupported,archived,pushes,
//! pulls,deletes,initial_scans,rescans,basic_scans,expirations,cost_usd,
//! cumulative_cost_usd,coverage_pct,in_use,in_use_active,in_use_coverage_pct`.
//! Every case starts on S = 2026-03-01 (day d is 2026-03-(d+1)); M(d) = S + (d+1) days.

use crate::common::{PINNED_HEADER, ScenarioDir, cents, columns, read_text, run_shared_cases};
use std::path::Path;

const HEADER: &str = "time,event,repository,digest,tags,supported\n";

/// A case directory: `scenario.toml`, `events.csv` (`events` after the header) and more
/// files.
fn case_dir(name: &str, scenario: &str, events: &str, more: &[(&str, &str)]) -> ScenarioDir {
    let s = ScenarioDir::new(
        &format!("bnd-{name}"),
        &[
            ("scenario.toml", scenario),
            ("events.csv", &format!("{HEADER}{events}")),
        ],
    );
    s.dir.write_files(more);
    s
}

/// `date,day,` of day `d` of March 2026.
fn day(d: usize) -> String {
    assert!(d < 31);
    format!("2026-03-{:02},{d}", d + 1)
}

/// Rows `from..=to` with the same pinned values `rest` (after `date,day`).
fn same_rows(from: usize, to: usize, rest: &str) -> Vec<String> {
    (from..=to).map(|d| format!("{},{rest}", day(d))).collect()
}

fn assert_rows(got: &[String], want: &[String]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "row of day {i}");
    }
    assert_eq!(got.len(), want.len(), "number of rows");
}

// ---------------------------------------------------------------------------------------

/// SPEC §5.3: an event exactly at midnight belongs to the new day, and a configuration
/// change at that same instant is applied before it (and after the day end).
///
/// Initial ENHANCED with one SCAN_ON_PUSH rule `*`: `app` is SCAN_ON_PUSH.  At M(0) =
/// 2026-03-02T00:00:00Z (written with a +09:00 offset) the registry becomes ENHANCED with
/// no rules: every repository CONTINUOUS_SCAN.
/// - 03-01T12:00 push a: SCAN_ON_PUSH under ENHANCED = enhanced scan, initial 0.09;
///   status scan_on_push (scanned, not monitored).
/// - 03-01T23:59:59.9Z pull a: floored to 23:59:59, day 0: pulls 1.
/// - Day end M(0) runs first: day 0 = images 1, scan_on_push 1, pushes 1, pulls 1,
///   initial 1, 0.09; coverage 0/1 = 0.00; in use: a pulled 1 s ago, not active: 1, 0,
///   0.00.
/// - Then the configuration change at M(0): a SOP -> CONT, recognised (pushed 12 h ago <=
///   30 d, profile 2024), window LIFETIME: enhanced scan, a *rescan* (a had an enhanced
///   scan) 0.01, monitored.
/// - Then push b at 2026-03-01T19:00:00-05:00 = M(0): CONT, not monitored: initial 0.09.
///   (Pushed before the change it would be scanned on push, initial 0.09, then rescanned
///   0.01 by the change: rescans 2, 0.11.)
/// - Day 1: images 2, active 2, pushes 1, initial 1, rescans 1, 0.10, cum 0.19, 100.00;
///   in use: a (pull 1 day ago, active): 1, 1, 100.00.
#[test]
fn midnight_event_belongs_to_the_new_day_after_a_change_at_that_instant() {
    let scenario = r#"[simulation]
start = "2026-03-01"
days = 2
[registry]
scan_type = "ENHANCED"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }]
[[timeline]]
at = "2026-03-02T09:00:00+09:00"
registry = { scan_type = "ENHANCED" }
[traffic]
trace = "events.csv"
"#;
    let events = "2026-03-01T12:00:00Z,push,app,a,,\n\
                  2026-03-01T23:59:59.9Z,pull,app,a,,\n\
                  2026-03-01T19:00:00-05:00,push,app,b,,\n";
    let rows = case_dir("midnight", scenario, events, &[]).rows(&[]);
    assert_rows(
        &rows,
        &[
            "2026-03-01,0,1,0,0,1,0,0,0,1,1,0,1,0,0,0,0.09,0.09,0.00,1,0,0.00".into(),
            "2026-03-02,1,2,2,0,0,0,0,0,1,0,0,1,1,0,0,0.10,0.19,100.00,1,1,100.00".into(),
        ],
    );
}

/// SPEC §2, §5.4: `window` holds iff `t - push_clock <= D`.  Profile 2025, push DAYS_3,
/// no pull window, initial ENHANCED (all CONTINUOUS).
/// - c pushed 03-01T01:00 (initial 0.09), archived 02:00 (status archived).
/// - b pushed 03-01T23:59:59 = M(0) - 1 s (initial 0.09).
///   Day 0: images 2 (b active, c archived), pushes 2, initial 2, 0.18, 50.00.
/// - a pushed at M(0) exactly (day 1, initial 0.09); c restored at M(0): push_clock =
///   activated_at = M(0); not monitored -> enhanced scan, a rescan 0.01 (a restore is not
///   a push).  Day 1: images 3, active 3, pushes 1, initial 1, rescans 1, 0.10, cum 0.28.
/// - M(3) - M(0) = 3 days == D: a and c stay active; b: 3 days + 1 s > D: expires at the
///   day end of day 3: active 2, expired 1, expirations 1, 66.67.
/// - M(4): a and c at 4 days expire: expirations 2, active 0, expired 3.
#[test]
fn window_of_exactly_d_at_a_day_end_holds_one_second_more_expires() {
    let scenario = r#"[simulation]
start = "2026-03-01"
days = 6
rules = "2025"
[registry]
scan_type = "ENHANCED"
[inspector]
push_duration = "DAYS_3"
pull_duration = "none"
[traffic]
trace = "events.csv"
"#;
    let events = "2026-03-01T01:00:00Z,push,app,c,,\n\
                  2026-03-01T02:00:00Z,archive,app,c,,\n\
                  2026-03-01T23:59:59Z,push,app,b,,\n\
                  2026-03-02T00:00:00Z,push,app,a,,\n\
                  2026-03-02T00:00:00Z,restore,app,c,,\n";
    let rows = case_dir("expiry", scenario, events, &[]).rows(&[]);
    let mut want = vec![
        "2026-03-01,0,2,1,0,0,0,0,1,2,0,0,2,0,0,0,0.18,0.18,50.00,0,0,".to_string(),
        "2026-03-02,1,3,3,0,0,0,0,0,1,0,0,1,1,0,0,0.10,0.28,100.00,0,0,".to_string(),
        "2026-03-03,2,3,3,0,0,0,0,0,0,0,0,0,0,0,0,0.00,0.28,100.00,0,0,".to_string(),
        "2026-03-04,3,3,2,1,0,0,0,0,0,0,0,0,0,0,1,0.00,0.28,66.67,0,0,".to_string(),
        "2026-03-05,4,3,0,3,0,0,0,0,0,0,0,0,0,0,2,0.00,0.28,0.00,0,0,".to_string(),
    ];
    want.extend(same_rows(
        5,
        5,
        "3,0,3,0,0,0,0,0,0,0,0,0,0,0,0.00,0.28,0.00,0,0,",
    ));
    assert_rows(&rows, &want);
}

/// SPEC §5.2 revival check: only the event kind matching `pull_mode` revives, and only
/// with a pull window.  Profile 2025, initial ENHANCED, push DAYS_3, pull DAYS_7.
/// - x, y, z pushed 03-01T12:00: 3 initial scans, 0.27.
/// - Expiry: M(d) - push = (d+1) days - 12 h <= 3 days iff d <= 2; at M(3) all three
///   expire (expirations 3, day 3).
/// - Day 5, 03-06T08:00: pull x, in_use y, in_use z (all three then in use: 3 in
///   `in_use`).
///   * LAST_PULL_DATE: the pull revives x (rescan 0.01); in_use does not match.  Day 5:
///     active 1, expired 2, pulls 1, rescans 1, 0.01, cum 0.28, 33.33; in use 3, 1,
///     33.33.  x's pull window: 03-06T08:00 + 7 d = 03-13T08:00 = S + 12 d 8 h; M(11) =
///     S + 12 d holds, M(12) = S + 13 d does not: x expires at day 12.
///   * LAST_IN_USE_AT: y and z revived (rescans 2, 0.02, cum 0.29), the pull does not
///     revive x: active 2, expired 1, 66.67; in use 3, 2, 66.67; y and z expire at day 12.
///   * LAST_PULL_DATE without a pull window (`none`): nothing is revived.
#[test]
fn revival_only_by_the_event_kind_of_the_pull_mode() {
    let events = "2026-03-01T12:00:00Z,push,app,x,,\n\
                  2026-03-01T12:00:00Z,push,app,y,,\n\
                  2026-03-01T12:00:00Z,push,app,z,,\n\
                  2026-03-06T08:00:00Z,pull,app,x,,\n\
                  2026-03-06T08:00:00Z,in_use,app,y,,\n\
                  2026-03-06T08:00:00Z,in_use,app,z,,\n";
    let scenario = |pull: &str, mode: &str| {
        format!(
            "[simulation]\nstart = \"2026-03-01\"\ndays = 13\nrules = \"2025\"\n\
             [registry]\nscan_type = \"ENHANCED\"\n\
             [inspector]\npush_duration = \"DAYS_3\"\npull_duration = \"{pull}\"\npull_mode = \"{mode}\"\n\
             [traffic]\ntrace = \"events.csv\"\n"
        )
    };
    // Rows common to all three settings, days 0..=4.
    let head = || {
        let mut v =
            vec!["2026-03-01,0,3,3,0,0,0,0,0,3,0,0,3,0,0,0,0.27,0.27,100.00,0,0,".to_string()];
        v.extend(same_rows(
            1,
            2,
            "3,3,0,0,0,0,0,0,0,0,0,0,0,0,0.00,0.27,100.00,0,0,",
        ));
        v.push("2026-03-04,3,3,0,3,0,0,0,0,0,0,0,0,0,0,3,0.00,0.27,0.00,0,0,".into());
        v.push("2026-03-05,4,3,0,3,0,0,0,0,0,0,0,0,0,0,0,0.00,0.27,0.00,0,0,".into());
        v
    };

    let rows = case_dir(
        "revival-pull",
        &scenario("DAYS_7", "LAST_PULL_DATE"),
        events,
        &[],
    )
    .rows(&[]);
    let mut want = head();
    want.push("2026-03-06,5,3,1,2,0,0,0,0,0,1,0,0,1,0,0,0.01,0.28,33.33,3,1,33.33".into());
    want.extend(same_rows(
        6,
        11,
        "3,1,2,0,0,0,0,0,0,0,0,0,0,0,0.00,0.28,33.33,3,1,33.33",
    ));
    want.push("2026-03-13,12,3,0,3,0,0,0,0,0,0,0,0,0,0,1,0.00,0.28,0.00,3,0,0.00".into());
    assert_rows(&rows, &want);

    let rows = case_dir(
        "revival-in-use",
        &scenario("DAYS_7", "LAST_IN_USE_AT"),
        events,
        &[],
    )
    .rows(&[]);
    let mut want = head();
    want.push("2026-03-06,5,3,2,1,0,0,0,0,0,1,0,0,2,0,0,0.02,0.29,66.67,3,2,66.67".into());
    want.extend(same_rows(
        6,
        11,
        "3,2,1,0,0,0,0,0,0,0,0,0,0,0,0.00,0.29,66.67,3,2,66.67",
    ));
    want.push("2026-03-13,12,3,0,3,0,0,0,0,0,0,0,0,0,0,2,0.00,0.29,0.00,3,0,0.00".into());
    assert_rows(&rows, &want);

    let rows = case_dir(
        "revival-none",
        &scenario("none", "LAST_PULL_DATE"),
        events,
        &[],
    )
    .rows(&[]);
    let mut want = head();
    want.push("2026-03-06,5,3,0,3,0,0,0,0,0,1,0,0,0,0,0,0.00,0.27,0.00,3,0,0.00".into());
    want.extend(same_rows(
        6,
        12,
        "3,0,3,0,0,0,0,0,0,0,0,0,0,0,0.00,0.27,0.00,3,0,0.00",
    ));
    assert_rows(&rows, &want);
}

/// SPEC §5: a basic scan is skipped when `t - last_basic_scan < 86400`.  BASIC,
/// SCAN_ON_PUSH filter `web*`: `web-api` is SCAN_ON_PUSH, `db` is OFF.
/// - Day 0: push web-api d1 06:00 -> basic scan; push db d2 06:00 -> nothing.
///   images 2: scan_on_push 1, not_scanned 1; pushes 2, basic 1.
/// - Day 1: re-push d1 03-02T05:59:59 (86399 s) -> skipped (last_basic_scan unchanged);
///   re-push d1 03-02T06:00:00 (86400 s) -> scanned.  pushes 2, basic 1.
/// - Day 2: re-push d1 03-03T05:59:59 (86399 s after 03-02T06:00) -> skipped; push
///   web-api d3 06:00 -> basic scan (its own clock).  images 3, scan_on_push 2, pushes 2,
///   basic 1.
#[test]
fn basic_scan_limit_is_one_per_86400_seconds() {
    let scenario = r#"[simulation]
start = "2026-03-01"
days = 3
[registry]
scan_type = "BASIC"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["web*"] }]
[traffic]
trace = "events.csv"
"#;
    let events = "2026-03-01T06:00:00Z,push,web-api,d1,,\n\
                  2026-03-01T06:00:00Z,push,db,d2,,\n\
                  2026-03-02T05:59:59Z,push,web-api,d1,,\n\
                  2026-03-02T06:00:00Z,push,web-api,d1,,\n\
                  2026-03-03T05:59:59Z,push,web-api,d1,,\n\
                  2026-03-03T06:00:00Z,push,web-api,d3,,\n";
    let rows = case_dir("basic-24h", scenario, events, &[]).rows(&[]);
    assert_rows(
        &rows,
        &[
            "2026-03-01,0,2,0,0,1,1,0,0,2,0,0,0,0,1,0,0.00,0.00,0.00,0,0,".into(),
            "2026-03-02,1,2,0,0,1,1,0,0,2,0,0,0,0,1,0,0.00,0.00,0.00,0,0,".into(),
            "2026-03-03,2,3,0,0,2,1,0,0,2,0,0,0,0,1,0,0.00,0.00,0.00,0,0,".into(),
        ],
    );
}

/// SPEC §3 (tags move) and §6 (imageCountMoreThan over *all* selected images, acting
/// only on the images a rule governs).  BASIC, no rules: `svc` is OFF, every image
/// not_scanned.  Policy: rule 1 untagged, imageCountMoreThan 1, expire; rule 2 any,
/// imageCountMoreThan 2, expire.
/// - Day 0: a[latest] 01:00, b[latest] 02:00 (a untagged), c[latest] 03:00 (b untagged),
///   d[v1] 04:00.  M(0): rule 1 selects a, b: keeps b, a is a candidate and governed by
///   rule 1 -> expired.  Rule 2 selects a, b, c, d: candidates b, a (all but d, c), both
///   governed by rule 1 -> not acted on.  images 3, pushes 4, deletes 1.
///   (Without moving tags no image is untagged and rule 2 expires a and b.)
/// - Day 1: e[latest] 03-02T01:00: c loses `latest`, untagged.  M(1): rule 1 selects b,
///   c: keeps c (younger), expires b.  Rule 2 selects b, c, d, e: candidates c, b, both
///   governed by rule 1 -> nothing more.  images 3 (c, d, e), pushes 1, deletes 1.
/// - Day 2: re-push c (no tags) 03-03T00:30: pushed_at moves, c stays untagged; f[v2]
///   01:00.  M(2): rule 1 selects c alone: nothing.  Rule 2 selects c, d, e, f; by
///   pushed_at: f, c, e, d: candidates e, d, both governed by rule 2 -> expired.  images 2,
///   pushes 2, deletes 2.  (Counting only the images rule 2 governs -- d, e, f -- would
///   expire d alone.)
#[test]
fn lifecycle_count_rule_with_moving_latest_tag() {
    let scenario = r#"[simulation]
start = "2026-03-01"
days = 3
[[lifecycle]]
repositories = ["svc"]
policy = "lc.json"
[traffic]
trace = "events.csv"
"#;
    let policy = r#"{"rules": [
  {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}},
  {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2}, "action": {"type": "expire"}}
]}"#;
    let events = "2026-03-01T01:00:00Z,push,svc,a,latest,\n\
                  2026-03-01T02:00:00Z,push,svc,b,latest,\n\
                  2026-03-01T03:00:00Z,push,svc,c,latest,\n\
                  2026-03-01T04:00:00Z,push,svc,d,v1,\n\
                  2026-03-02T01:00:00Z,push,svc,e,latest,\n\
                  2026-03-03T00:30:00Z,push,svc,c,,\n\
                  2026-03-03T01:00:00Z,push,svc,f,v2,\n";
    let rows = case_dir("lc-moving", scenario, events, &[("lc.json", policy)]).rows(&[]);
    assert_rows(
        &rows,
        &[
            "2026-03-01,0,3,0,0,0,3,0,0,4,0,1,0,0,0,0,0.00,0.00,0.00,0,0,".into(),
            "2026-03-02,1,3,0,0,0,3,0,0,1,0,1,0,0,0,0,0.00,0.00,0.00,0,0,".into(),
            "2026-03-03,2,2,0,0,0,2,0,0,2,0,2,0,0,0,0,0.00,0.00,0.00,0,0,".into(),
        ],
    );
}

/// SPEC §7: with the initial configuration ENHANCED the trial starts at S; a scan at t is
/// free iff 0 <= t - S < free_trial_days * 86400 (half-open).  free_trial_days = 2,
/// initial 0.50, rescan 0.125.
/// - 03-01T00:00:00 push a: t - S = 0 -> free initial.  Day 0: 1 active, initial 1, 0.00.
/// - 03-02T23:59:59 push b (t - S = 172799) -> free initial; vulndb_update (all) at the
///   same instant rescans a and b -> free.  Day 1: initial 1, rescans 2, 0.00.
/// - 03-03T00:00:00 = S + 172800 push c -> billed 0.50; vulndb_update of `app` -> a, b, c
///   rescanned, 3 x 0.125 = 0.375.  Day 2: 0.875 -> 0.88 (half up), cum 0.88.
///   (A closed interval would make day 2 free.)
#[test]
fn free_trial_from_start_is_half_open() {
    let scenario = r#"[simulation]
start = "2026-03-01"
days = 3
[pricing]
initial_scan_usd = 0.5
rescan_usd = 0.125
free_trial_days = 2
[registry]
scan_type = "ENHANCED"
[traffic]
trace = "events.csv"
"#;
    let events = "2026-03-01T00:00:00Z,push,app,a,,\n\
                  2026-03-02T23:59:59Z,push,app,b,,\n\
                  2026-03-02T23:59:59Z,vulndb_update,,,,\n\
                  2026-03-03T00:00:00Z,push,app,c,,\n\
                  2026-03-03T00:00:00Z,vulndb_update,app,,,\n";
    let rows = case_dir("trial", scenario, events, &[]).rows(&[]);
    assert_rows(
        &rows,
        &[
            "2026-03-01,0,1,1,0,0,0,0,0,1,0,0,1,0,0,0,0.00,0.00,100.00,0,0,".into(),
            "2026-03-02,1,2,2,0,0,0,0,0,1,0,0,1,2,0,0,0.00,0.00,100.00,0,0,".into(),
            "2026-03-03,2,3,3,0,0,0,0,0,1,0,0,1,3,0,0,0.88,0.88,100.00,0,0,".into(),
        ],
    );
}

const STRICT_SCENARIO: &str = "[simulation]\nstart = \"2026-03-01\"\ndays = 1\n\
                               [traffic]\ntrace = \"events.csv\"\n";

/// SPEC §5.2: an event naming no live image is ignored and counted nowhere; `--strict`
/// turns it into an error naming the trace file and line.
/// BASIC, no rules (OFF).  push a 10:00; restore a 11:00 (a is not archived: ignored,
/// line 3); pull a 12:00.  Day 0: images 1, not_scanned 1, pushes 1, pulls 1; in use 1,
/// 0, 0.00.
#[test]
fn strict_turns_an_ignored_restore_into_an_error() {
    let events = "2026-03-01T10:00:00Z,push,app,a,,\n\
                  2026-03-01T11:00:00Z,restore,app,a,,\n\
                  2026-03-01T12:00:00Z,pull,app,a,,\n";
    let case = case_dir("strict-restore", STRICT_SCENARIO, events, &[]);
    assert_rows(
        &case.rows(&[]),
        &["2026-03-01,0,1,0,0,0,1,0,0,1,1,0,0,0,0,0,0.00,0.00,0.00,1,0,0.00".into()],
    );
    std::fs::remove_dir_all(&case.out).expect("remove out");
    let msg = case.reject(&["--strict"]);
    assert_eq!(
        msg,
        format!(
            "{}:3: ignored event: restore of app@a at 2026-03-01T11:00:00Z, which is not a \
             live image (or is not archived) (--strict)",
            case.path("events.csv")
        )
    );
}

/// A pull of a deleted image is ignored (pulls 0); under `--strict` line 4 is an error.
#[test]
fn strict_turns_a_pull_of_a_deleted_image_into_an_error() {
    let events = "2026-03-01T10:00:00Z,push,app,a,,\n\
                  2026-03-01T11:00:00Z,delete,app,a,,\n\
                  2026-03-01T12:00:00Z,pull,app,a,,\n";
    let case = case_dir("strict-pull", STRICT_SCENARIO, events, &[]);
    assert_rows(
        &case.rows(&[]),
        &["2026-03-01,0,0,0,0,0,0,0,0,1,0,1,0,0,0,0,0.00,0.00,,0,0,".into()],
    );
    std::fs::remove_dir_all(&case.out).expect("remove out");
    let msg = case.reject(&["--strict"]);
    assert_eq!(
        msg,
        format!(
            "{}:4: ignored event: pull of app@a at 2026-03-01T12:00:00Z, which is not a live \
             image (or is archived) (--strict)",
            case.path("events.csv")
        )
    );
}

/// SPEC §11: `--trace FILE` replaces the scenario's traffic.  The scenario's own trace
/// pushes a and b; `other.csv` pushes c and pulls it.  BASIC, no rules (OFF).
/// Own trace: images 2, not_scanned 2, pushes 2.  With --trace: images 1, pushes 1,
/// pulls 1, in use 1, 0, 0.00.
#[test]
fn trace_option_replaces_the_scenario_traffic() {
    let events = "2026-03-01T10:00:00Z,push,app,a,,\n2026-03-01T11:00:00Z,push,app,b,,\n";
    let other =
        format!("{HEADER}2026-03-01T10:00:00Z,push,web,c,,\n2026-03-01T12:00:00Z,pull,web,c,,\n");
    let case = case_dir(
        "trace-option",
        STRICT_SCENARIO,
        events,
        &[("other.csv", &other)],
    );
    assert_rows(
        &case.rows(&[]),
        &["2026-03-01,0,2,0,0,0,2,0,0,2,0,0,0,0,0,0,0.00,0.00,0.00,0,0,".into()],
    );
    let other = case.path("other.csv");
    assert_rows(
        &case.rows(&["--trace", &other]),
        &["2026-03-01,0,1,0,0,0,1,0,0,1,1,0,0,0,0,0,0.00,0.00,0.00,1,0,0.00".into()],
    );
}

/// SPEC §8: every day has a row, with or without events.  A trace with a header only:
/// three rows of zeros; coverage and in-use coverage empty (no images).
#[test]
fn empty_trace_still_gives_every_day_a_row() {
    let scenario =
        "[simulation]\nstart = \"2026-03-01\"\ndays = 3\n[traffic]\ntrace = \"events.csv\"\n";
    let rows = case_dir("empty-trace", scenario, "", &[]).rows(&[]);
    assert_rows(
        &rows,
        &same_rows(0, 2, "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.00,0.00,,0,0,"),
    );
}

/// SPEC §3: a deleted image is gone; pushing its digest again creates a new image, which
/// has never had an enhanced scan.  Initial ENHANCED (all CONTINUOUS), LIFETIME.
/// push a 10:00 (initial 0.09), delete a 11:00, push a 12:00: a new image, initial
/// again 0.09 (not a rescan).  Day 0: images 1, active 1, pushes 2, deletes 1, initial 2,
/// 0.18.
#[test]
fn push_after_delete_creates_a_new_image() {
    let scenario = "[simulation]\nstart = \"2026-03-01\"\ndays = 1\n\
                    [registry]\nscan_type = \"ENHANCED\"\n[traffic]\ntrace = \"events.csv\"\n";
    let events = "2026-03-01T10:00:00Z,push,app,a,,\n\
                  2026-03-01T11:00:00Z,delete,app,a,,\n\
                  2026-03-01T12:00:00Z,push,app,a,,\n";
    let rows = case_dir("repush-deleted", scenario, events, &[]).rows(&[]);
    assert_rows(
        &rows,
        &["2026-03-01,0,1,1,0,0,0,0,0,2,0,1,2,0,0,0,0.18,0.18,100.00,0,0,".into()],
    );
}

// ---------------------------------------------------------------------------------------
// Properties over every shared case's output.

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day_number(date: &str) -> i64 {
    let p: Vec<i64> = date.split('-').map(|x| x.parse().expect("date")).collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Checks the SPEC §8 invariants of one `daily.csv`; returns the violations.
fn check_daily(name: &str, text: &str, start: &str, days: usize) -> Vec<String> {
    let mut bad = Vec::new();
    let lines = columns(text, 22);
    if lines.first().map(String::as_str) != Some(PINNED_HEADER) {
        bad.push(format!("{name}: header"));
    }
    let rows = &lines[1..];
    if rows.len() != days {
        bad.push(format!("{name}: {} rows for days = {days}", rows.len()));
    }
    let mut prev_cum = 0;
    for (d, row) in rows.iter().enumerate() {
        let f: Vec<&str> = row.split(',').collect();
        let n = |i: usize| -> u64 { f[i].parse().unwrap_or_else(|_| panic!("{name}: {row}")) };
        if day_number(f[0]) != day_number(start) + d as i64 || f[1] != d.to_string() {
            bad.push(format!("{name}: day {d}: date/day {} {}", f[0], f[1]));
        }
        let statuses: u64 = (3..=8).map(n).sum();
        if statuses != n(2) {
            bad.push(format!(
                "{name}: day {d}: statuses sum to {statuses}, images {}",
                n(2)
            ));
        }
        let (cost, cum) = (cents(f[16]), cents(f[17]));
        if cum < prev_cum {
            bad.push(format!("{name}: day {d}: cumulative {cum} < {prev_cum}"));
        }
        // Both are the exact sums rounded to the cent: they differ by at most one cent.
        if (cum - prev_cum - cost).abs() > 1 {
            bad.push(format!(
                "{name}: day {d}: cumulative step {} vs cost {cost}",
                cum - prev_cum
            ));
        }
        if n(12) + n(13) == 0 && cost != 0 {
            bad.push(format!(
                "{name}: day {d}: cost {cost} without enhanced scans"
            ));
        }
        let pct = |num: u64, den: u64| {
            if den == 0 {
                String::new()
            } else {
                let h = (20_000 * num + den) / (2 * den);
                format!("{}.{:02}", h / 100, h % 100)
            }
        };
        if f[18] != pct(n(3), n(2)) {
            bad.push(format!("{name}: day {d}: coverage {}", f[18]));
        }
        if n(20) > n(19) || n(19) > n(2) - n(8) || f[21] != pct(n(20), n(19)) {
            bad.push(format!(
                "{name}: day {d}: in_use {} {} {}",
                f[19], f[20], f[21]
            ));
        }
        prev_cum = cum;
    }
    bad
}

/// `start` and `days` of a shared case's scenario.
fn start_and_days(scenario: &Path) -> (String, usize) {
    let text = read_text(scenario);
    let value = |key: &str| -> String {
        text.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(key)
                    .map(|v| v.trim().trim_matches('"').to_string())
            })
            .unwrap_or_else(|| panic!("{}: no {key}", scenario.display()))
    };
    (value("start ="), value("days =").parse().expect("days"))
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn shared_case_outputs_satisfy_the_daily_invariants() {
    let cases = run_shared_cases("bnd-properties");
    assert!(cases.len() >= 10, "shared cases missing");
    let mut bad = Vec::new();
    for case in &cases {
        match &case.daily {
            Ok(text) => {
                let (start, days) = start_and_days(&case.dir.join("scenario.toml"));
                bad.extend(check_daily(&case.name, text, &start, days));
            }
            Err(e) => bad.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_invariant_check_catches_a_broken_row() {
    // The property check itself must be able to fail.
    let good =
        format!("{PINNED_HEADER}\n2026-03-01,0,2,1,0,0,0,0,1,2,0,0,2,0,0,0,0.18,0.18,50.00,0,0,\n");
    assert_eq!(
        check_daily("good", &good, "2026-03-01", 1),
        Vec::<String>::new()
    );
    let bad_sum = good.replace("2,1,0,0,0,0,1,2", "2,1,0,0,0,0,0,2");
    let errs = check_daily("sum", &bad_sum, "2026-03-01", 1);
    assert_eq!(errs, ["sum: day 0: statuses sum to 1, images 2"]);
    let bad_cum = format!("{good}2026-03-02,1,2,1,0,0,0,0,1,0,0,0,0,0,0,0,0.00,0.10,50.00,0,0,\n");
    let errs = check_daily("cum", &bad_cum, "2026-03-01", 2);
    assert_eq!(
        errs,
        [
            "cum: day 1: cumulative 10 < 18",
            "cum: day 1: cumulative step -8 vs cost 0"
        ]
    );
}
