//! Every input validation rule of SPEC §4 (scanning configuration), §6 (lifecycle
//! policies), §9 (traces) and §11 (scenario files), checked through the binary: exit code
//! 1, one `error: ` line that names the file, the line and column (or the JSON path) and
//! the key, and says what is allowed; no output directory and no staging directory left
//! behind (SPEC §11: "writes no partial output").
//!
//! Expected messages are the project's own wording (read from `src/`); where that wording
//! or behaviour falls short of SPEC, the test asserts what SPEC asks for.

use crate::common::{ScenarioDir, at, expect_rows, value_at};

/// A valid trace: one push on day 0.
const TRACE: &str = "time,event,repository,digest,tags,supported\n\
                     2026-01-01T10:00:00Z,push,app,a,,\n";
/// A valid `[simulation]` table.
const SIM: &str = "[simulation]\nstart = \"2026-01-01\"\ndays = 2\n";
/// A valid `[traffic]` table.
const TRAFFIC: &str = "[traffic]\ntrace = \"events.csv\"\n";

/// The unsupported regions (SPEC §4.5), as messages list them.
const UNSUPPORTED: &str = "me-central-1, ap-south-2, il-central-1, ap-southeast-4, eu-south-2";

/// A test directory with `scenario.toml`, `events.csv` (TRACE unless given) and more
/// files.
fn setup(name: &str, scenario: &str, files: &[(&str, &str)]) -> ScenarioDir {
    let s = ScenarioDir::new(&format!("val-{name}"), &[("scenario.toml", scenario)]);
    if !files.iter().any(|(n, _)| *n == "events.csv") {
        s.dir.write("events.csv", TRACE);
    }
    s.dir.write_files(files);
    s
}

/// Sets up `scenario` and expects it to be rejected; returns the setup and the message.
fn rejected(name: &str, scenario: &str, files: &[(&str, &str)]) -> (ScenarioDir, String) {
    let s = setup(name, scenario, files);
    let msg = s.reject(&[]);
    (s, msg)
}

// ---------------------------------------------------------------------------------------
// §4.1 registry configuration

/// A scenario with the given `[registry]` body (after the header).
fn with_registry(body: &str) -> String {
    format!("{SIM}[registry]\n{body}\n{TRAFFIC}")
}

#[test]
fn registry_with_three_rules_is_rejected() {
    let text = with_registry(
        "scan_type = \"ENHANCED\"\n\
         rules = [\n  { scan_frequency = \"SCAN_ON_PUSH\", filters = [\"a\"] },\n  \
         { scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"b\"] },\n  \
         { scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"c\"] },\n]",
    );
    let (s, msg) = rejected("three-rules", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.rules: at most 2 rules (got 3); put more filters in a rule instead",
            s.sc(),
            value_at(&text, "rules = ")
        )
    );
}

#[test]
fn registry_with_two_rules_of_one_frequency_is_accepted() {
    // SPEC §11: two rules with the same frequency are allowed (their filters add up).
    let text = with_registry(
        "scan_type = \"BASIC\"\n\
         rules = [{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"x\"] }, \
         { scan_frequency = \"SCAN_ON_PUSH\", filters = [\"app\"] }]",
    );
    let rows = setup("two-rules-same", &text, &[]).rows(&[]);
    // `app` matches the second rule's filter: the push gets a basic scan.
    assert_eq!(
        rows[0],
        "2026-01-01,0,1,0,0,1,0,0,0,1,0,0,0,0,1,0,0.00,0.00,0.00,0,0,"
    );
}

fn filters(n: usize) -> String {
    (0..n)
        .map(|i| format!("\"f{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn registry_rule_with_101_filters_is_rejected() {
    let text = with_registry(&format!(
        "scan_type = \"ENHANCED\"\nrules = [{{ scan_frequency = \"SCAN_ON_PUSH\", filters = [{}] }}]",
        filters(101)
    ));
    let (s, msg) = rejected("101-filters", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.rules[0].filters: at most 100 filters per rule (got 101)",
            s.sc(),
            value_at(&text, "filters = ")
        )
    );
}

#[test]
fn registry_rules_with_0_and_100_filters_are_accepted() {
    // SPEC §4.1: 0..100 filters.  A rule with zero filters still counts as a rule
    // (§4.3), so `app` matches nothing: OFF, not scanned.
    let text = with_registry(&format!(
        "scan_type = \"ENHANCED\"\nrules = [{{ scan_frequency = \"SCAN_ON_PUSH\", filters = [{}] }}, \
         {{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [] }}]",
        filters(100)
    ));
    let rows = setup("100-filters", &text, &[]).rows(&[]);
    assert_eq!(
        rows[0],
        "2026-01-01,0,1,0,0,0,1,0,0,1,0,0,0,0,0,0,0.00,0.00,0.00,0,0,"
    );
}

#[test]
fn registry_filter_syntax_is_checked() {
    // SPEC §4.1: 1..255 chars matching ^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$.
    let long = "a".repeat(256);
    let bad_chars = "is not valid: use lower-case letters, digits and `*`, with single `.`, \
                     `_`, `-` or `/` between them";
    let cases: Vec<(&str, String)> = vec![
        ("Prod", format!("filter `Prod` {bad_chars}")),
        ("-prod", format!("filter `-prod` {bad_chars}")),
        ("a--b", format!("filter `a--b` {bad_chars}")),
        ("a./b", format!("filter `a./b` {bad_chars}")),
        ("a b", format!("filter `a b` {bad_chars}")),
        (
            "prod-",
            "filter `prod-` is not valid: it may not end with a separator".to_string(),
        ),
        (
            "",
            "filter `` must have 1 to 255 characters (has 0)".to_string(),
        ),
        (
            &long,
            format!("filter `{long}` must have 1 to 255 characters (has 256)"),
        ),
    ];
    for (i, (filter, want)) in cases.iter().enumerate() {
        let text = with_registry(&format!(
            "scan_type = \"BASIC\"\nrules = [{{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"ok\", \"{filter}\"] }}]"
        ));
        let (s, msg) = rejected(&format!("filter-syntax-{i}"), &text, &[]);
        assert_eq!(
            msg,
            format!(
                "{}:{}: registry.rules[0].filters[1]: {want}",
                s.sc(),
                value_at(&text, "\"ok\", ")
            ),
            "filter `{filter}`"
        );
    }
}

#[test]
fn registry_filter_of_255_chars_and_wildcards_is_accepted() {
    let text = with_registry(&format!(
        "scan_type = \"BASIC\"\nrules = [{{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"{}\", \"team/app-*\", \"*a*.b_c*\"] }}]",
        "a".repeat(255)
    ));
    setup("filter-255", &text, &[]).rows(&[]);
}

#[test]
fn basic_rejects_continuous_scan_rules() {
    let text = with_registry(
        "scan_type = \"BASIC\"\nrules = [{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"*\"] }]",
    );
    let (s, msg) = rejected("basic-continuous", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.rules[0].scan_frequency: scan_frequency `CONTINUOUS_SCAN` is not \
             valid under scan_type BASIC; allowed: SCAN_ON_PUSH, MANUAL",
            s.sc(),
            value_at(&text, "scan_frequency = ")
        )
    );
}

#[test]
fn enhanced_rejects_manual_rules() {
    let text = with_registry(
        "scan_type = \"ENHANCED\"\nrules = [{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"x\"] }, { scan_frequency = \"MANUAL\", filters = [\"*\"] }]",
    );
    let (s, msg) = rejected("enhanced-manual", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.rules[1].scan_frequency: scan_frequency `MANUAL` is not valid \
             under scan_type ENHANCED; allowed: SCAN_ON_PUSH, CONTINUOUS_SCAN",
            s.sc(),
            value_at(
                &text,
                "scan_frequency = \"SCAN_ON_PUSH\", filters = [\"x\"] }, { scan_frequency = "
            )
        )
    );
}

#[test]
fn basic_accepts_manual_rules() {
    // MANUAL matches nothing to scan: `app` is OFF, not scanned.
    let text = with_registry(
        "scan_type = \"BASIC\"\nrules = [{ scan_frequency = \"MANUAL\", filters = [\"*\"] }]",
    );
    let rows = setup("basic-manual", &text, &[]).rows(&[]);
    assert_eq!(
        rows[0],
        "2026-01-01,0,1,0,0,0,1,0,0,1,0,0,0,0,0,0,0.00,0.00,0.00,0,0,"
    );
}

#[test]
fn unknown_scan_frequency_lists_the_allowed_ones() {
    let text = with_registry(
        "scan_type = \"ENHANCED\"\nrules = [{ scan_frequency = \"DAILY\", filters = [\"*\"] }]",
    );
    let (s, msg) = rejected("unknown-frequency", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.rules[0].scan_frequency: scan_frequency `DAILY` is not valid \
             under scan_type ENHANCED; allowed: SCAN_ON_PUSH, CONTINUOUS_SCAN",
            s.sc(),
            value_at(&text, "scan_frequency = ")
        )
    );
}

#[test]
fn unknown_scan_type_lists_the_allowed_ones() {
    let text = with_registry("scan_type = \"ENHANCED_PLUS\"");
    let (s, msg) = rejected("unknown-scan-type", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry.scan_type: unknown scan_type `ENHANCED_PLUS`; allowed: BASIC, ENHANCED",
            s.sc(),
            value_at(&text, "scan_type = ")
        )
    );
}

#[test]
fn timeline_registry_is_validated_like_the_initial_one() {
    let text = format!(
        "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\n\
         registry = {{ scan_type = \"BASIC\", rules = [{{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"*\"] }}] }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("timeline-registry", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].registry.rules[0].scan_frequency: scan_frequency \
             `CONTINUOUS_SCAN` is not valid under scan_type BASIC; allowed: SCAN_ON_PUSH, MANUAL",
            s.sc(),
            value_at(&text, "scan_frequency = ")
        )
    );
}

#[test]
fn registry_aws_json_is_validated_like_the_toml_form() {
    // The `put-registry-scanning-configuration` input form; the message names the JSON
    // file and the JSON path of the rule.
    let json = r#"{"scanType": "ENHANCED", "rules": [
        {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]},
        {"scanFrequency": "MANUAL", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}"#;
    let text = with_registry("aws_json = \"registry.json\"");
    let (s, msg) = rejected("aws-json-manual", &text, &[("registry.json", json)]);
    assert_eq!(
        msg,
        format!(
            "{}: $.rules[1].scanFrequency: scanFrequency `MANUAL` is not valid under scanType \
             ENHANCED; allowed: SCAN_ON_PUSH, CONTINUOUS_SCAN",
            s.path("registry.json")
        )
    );
    let json = r#"{"registryId": "123456789012", "scanningConfiguration": {"scanType": "BASIC", "rules": [
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "Prod", "filterType": "WILDCARD"}]}]}}"#;
    let (s, msg) = rejected("aws-json-filter", &text, &[("registry.json", json)]);
    assert_eq!(
        msg,
        format!(
            "{}: $.scanningConfiguration.rules[0].repositoryFilters[0].filter: filter `Prod` is \
             not valid: use lower-case letters, digits and `*`, with single `.`, `_`, `-` or `/` \
             between them",
            s.path("registry.json")
        )
    );
}

// ---------------------------------------------------------------------------------------
// §4.4, §4.5 durations and rules profiles

/// A scenario with a rules profile and an `[inspector]` body.
fn with_inspector(profile: &str, body: &str) -> String {
    format!(
        "[simulation]\nstart = \"2026-01-01\"\ndays = 2\nrules = \"{profile}\"\n\
         [registry]\nscan_type = \"ENHANCED\"\n[inspector]\n{body}\n{TRAFFIC}"
    )
}

/// Expects the `[inspector]` body to be rejected with `message` at `key`'s value.
fn inspector_rejects(name: &str, profile: &str, body: &str, key: &str, message: &str) {
    let text = with_inspector(profile, body);
    let (s, msg) = rejected(name, &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: inspector.{key}: {message}",
            s.sc(),
            value_at(&text, &format!("{key} = "))
        )
    );
}

#[test]
fn profile_2022_push_durations() {
    inspector_rejects(
        "p2022-push",
        "2022",
        "push_duration = \"DAYS_14\"",
        "push_duration",
        "push_duration `DAYS_14` is not allowed under rules profile 2022; allowed: LIFETIME, \
         DAYS_30, DAYS_180",
    );
    for ok in ["LIFETIME", "DAYS_30", "DAYS_180"] {
        let text = with_inspector("2022", &format!("push_duration = \"{ok}\""));
        setup(&format!("p2022-push-{ok}"), &text, &[]).rows(&[]);
    }
}

#[test]
fn profile_2024_push_durations() {
    inspector_rejects(
        "p2024-push",
        "2024",
        "push_duration = \"DAYS_7\"",
        "push_duration",
        "push_duration `DAYS_7` is not allowed under rules profile 2024; allowed: LIFETIME, \
         DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180",
    );
}

#[test]
fn profile_2024_pull_durations() {
    inspector_rejects(
        "p2024-pull",
        "2024",
        "pull_duration = \"LIFETIME\"",
        "pull_duration",
        "pull_duration `LIFETIME` is not allowed under rules profile 2024; allowed: DAYS_14, \
         DAYS_30, DAYS_60, DAYS_90, DAYS_180, or \"none\"",
    );
    inspector_rejects(
        "p2024-pull-3",
        "2024",
        "pull_duration = \"DAYS_3\"",
        "pull_duration",
        "pull_duration `DAYS_3` is not allowed under rules profile 2024; allowed: DAYS_14, \
         DAYS_30, DAYS_60, DAYS_90, DAYS_180, or \"none\"",
    );
}

#[test]
fn profile_2025_durations() {
    inspector_rejects(
        "p2025-pull",
        "2025",
        "pull_duration = \"LIFETIME\"",
        "pull_duration",
        "pull_duration `LIFETIME` is not allowed under rules profile 2025; allowed: DAYS_3, \
         DAYS_7, DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180, or \"none\"",
    );
    inspector_rejects(
        "p2025-push",
        "2025",
        "push_duration = \"DAYS_365\"",
        "push_duration",
        "push_duration `DAYS_365` is not allowed under rules profile 2025; allowed: \
         LIFETIME, DAYS_3, DAYS_7, DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180",
    );
    let text = with_inspector(
        "2025",
        "push_duration = \"DAYS_3\"\npull_duration = \"DAYS_3\"\npull_mode = \"LAST_PULL_DATE\"",
    );
    setup("p2025-ok", &text, &[]).rows(&[]);
}

#[test]
fn unknown_pull_mode_lists_the_allowed_ones() {
    inspector_rejects(
        "pull-mode",
        "2024",
        "pull_mode = \"LAST_PUSH_DATE\"",
        "pull_mode",
        "unknown pull_mode `LAST_PUSH_DATE`; allowed: LAST_PULL_DATE, LAST_IN_USE_AT",
    );
}

#[test]
fn profile_2022_rejects_pull_settings_even_none() {
    // SPEC §4.5: under 2022, pull_duration and pull_mode are both errors.
    for value in ["none", "DAYS_30"] {
        inspector_rejects(
            &format!("p2022-pull-{value}"),
            "2022",
            &format!("pull_duration = \"{value}\""),
            "pull_duration",
            "rules profile 2022 has no pull settings: remove pull_duration (or use rules = \
             \"2024\" or \"2025\")",
        );
    }
    inspector_rejects(
        "p2022-mode",
        "2022",
        "pull_mode = \"LAST_PULL_DATE\"",
        "pull_mode",
        "rules profile 2022 has no pull settings: remove pull_mode (or use rules = \"2024\" \
         or \"2025\")",
    );
}

#[test]
fn profile_2022_rejects_pull_settings_in_a_timeline_entry() {
    let text = format!(
        "[simulation]\nstart = \"2026-01-01\"\ndays = 2\nrules = \"2022\"\n\
         [[timeline]]\nat = \"2026-01-01T12:00:00Z\"\ninspector = {{ pull_duration = \"none\" }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("p2022-timeline", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].inspector.pull_duration: rules profile 2022 has no pull \
             settings: remove pull_duration (or use rules = \"2024\" or \"2025\")",
            s.sc(),
            value_at(&text, "pull_duration = ")
        )
    );
}

#[test]
fn timeline_inspector_durations_follow_the_profile() {
    let text = format!(
        "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\ninspector = {{ push_duration = \"DAYS_3\" }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("timeline-push", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].inspector.push_duration: push_duration `DAYS_3` is not allowed \
             under rules profile 2024; allowed: LIFETIME, DAYS_14, DAYS_30, DAYS_60, DAYS_90, \
             DAYS_180",
            s.sc(),
            value_at(&text, "push_duration = ")
        )
    );
}

#[test]
fn unknown_rules_profile_lists_the_allowed_ones() {
    let text =
        format!("[simulation]\nstart = \"2026-01-01\"\ndays = 2\nrules = \"2023\"\n{TRAFFIC}");
    let (s, msg) = rejected("profile-2023", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.rules: unknown rules profile `2023`; allowed: 2022, 2024, 2025",
            s.sc(),
            value_at(&text, "rules = ")
        )
    );
}

// ---------------------------------------------------------------------------------------
// §4.5, §11 region

fn with_region(profile: Option<&str>, region: &str, rest: &str) -> String {
    let rules = profile.map_or(String::new(), |p| format!("rules = \"{p}\"\n"));
    format!(
        "[simulation]\nstart = \"2026-01-01\"\ndays = 2\n{rules}region = \"{region}\"\n{rest}{TRAFFIC}"
    )
}

const ENHANCED: &str = "[registry]\nscan_type = \"ENHANCED\"\n";

#[test]
fn unsupported_region_is_an_error_under_2022() {
    let text = with_region(Some("2022"), "me-central-1", ENHANCED);
    let (s, msg) = rejected("region-2022", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.region: enhanced scanning is not supported in region \
             me-central-1 (unsupported: {UNSUPPORTED}), but `registry.scan_type` enables \
             ENHANCED; under rules profile 2022 this is an error",
            s.sc(),
            value_at(&text, "region = ")
        )
    );
}

#[test]
fn unsupported_region_is_an_error_under_the_default_2024() {
    let text = with_region(None, "il-central-1", ENHANCED);
    let (s, msg) = rejected("region-2024", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.region: enhanced scanning is not supported in region \
             il-central-1 (unsupported: {UNSUPPORTED}), but `registry.scan_type` enables \
             ENHANCED; under rules profile 2024 this is an error",
            s.sc(),
            value_at(&text, "region = ")
        )
    );
}

#[test]
fn unsupported_region_applies_to_enhanced_in_a_timeline_entry() {
    // SPEC §4.5: the region check applies to every ENHANCED configuration in the file.
    let text = with_region(
        Some("2024"),
        "eu-south-2",
        "[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\nregistry = { scan_type = \"ENHANCED\" }\n",
    );
    let (s, msg) = rejected("region-timeline", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.region: enhanced scanning is not supported in region \
             eu-south-2 (unsupported: {UNSUPPORTED}), but `timeline[0].registry.scan_type` \
             enables ENHANCED; under rules profile 2024 this is an error",
            s.sc(),
            value_at(&text, "region = ")
        )
    );
}

#[test]
fn unsupported_region_applies_to_enhanced_from_aws_json() {
    let text = with_region(
        Some("2022"),
        "ap-south-2",
        "[registry]\naws_json = \"registry.json\"\n",
    );
    let (s, msg) = rejected(
        "region-aws-json",
        &text,
        &[("registry.json", r#"{"scanType": "ENHANCED", "rules": []}"#)],
    );
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.region: enhanced scanning is not supported in region \
             ap-south-2 (unsupported: {UNSUPPORTED}), but `registry.aws_json` enables \
             ENHANCED; under rules profile 2022 this is an error",
            s.sc(),
            value_at(&text, "region = ")
        )
    );
}

#[test]
fn unsupported_region_only_warns_under_2025() {
    let text = with_region(Some("2025"), "ap-southeast-4", ENHANCED);
    let s = setup("region-2025", &text, &[]);
    let o = s.run(&[]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(
        stderr,
        format!(
            "warning: {}:{}: simulation.region: enhanced scanning is not supported in region \
             ap-southeast-4 (unsupported: {UNSUPPORTED}), but `registry.scan_type` enables \
             ENHANCED\n",
            s.sc(),
            value_at(&text, "region = ")
        )
    );
    // The run goes on: the push at 10:00 is continuously scanned (2025: push DAYS_14).
    let rows = expect_rows(&o, &s.out);
    assert_eq!(
        rows,
        [
            "2026-01-01,0,1,1,0,0,0,0,0,1,0,0,1,0,0,0,0.09,0.09,100.00,0,0,",
            "2026-01-02,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0.00,0.09,100.00,0,0,",
        ]
    );
}

#[test]
fn unsupported_region_without_enhanced_is_fine() {
    let text = with_region(Some("2024"), "ap-south-2", "");
    let s = setup("region-basic", &text, &[]);
    let o = s.run(&[]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    expect_rows(&o, &s.out);
}

#[test]
fn region_form_is_checked() {
    for (i, region) in ["us-east", "useast-1", "US-east-1", "us-east-1a", "u-east-1"]
        .iter()
        .enumerate()
    {
        let text = with_region(None, region, "");
        let (s, msg) = rejected(&format!("region-form-{i}"), &text, &[]);
        assert_eq!(
            msg,
            format!(
                "{}:{}: simulation.region: invalid region `{region}`: expected the form of \
                 us-east-1 (two letters, dash-separated words, a number)",
                s.sc(),
                value_at(&text, "region = ")
            )
        );
    }
}

// ---------------------------------------------------------------------------------------
// §6 lifecycle policies, through the binary: the message names the policy file and the
// JSON path.

fn lifecycle_scenario() -> String {
    format!("{SIM}[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n{TRAFFIC}")
}

/// Expects the policy to be rejected with `{lc.json}: {path}: {message}`.
fn policy_rejects(name: &str, policy: &str, path: &str, message: &str) {
    let (s, msg) = rejected(
        &format!("lc-{name}"),
        &lifecycle_scenario(),
        &[("lc.json", policy)],
    );
    assert_eq!(msg, format!("{}: {path}: {message}", s.path("lc.json")));
}

/// A policy of one rule.
fn one_rule(selection: &str, action: &str) -> String {
    format!(r#"{{"rules": [{{"rulePriority": 1, "selection": {selection}, "action": {action}}}]}}"#)
}

const EXPIRE: &str = r#"{"type": "expire"}"#;
const TRANSITION: &str = r#"{"type": "transition", "targetStorageClass": "archive"}"#;
const UNTAGGED_COUNT: &str =
    r#"{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}"#;

#[test]
fn lifecycle_duplicate_rule_priority() {
    policy_rejects(
        "dup-priority",
        &format!(
            r#"{{"rules": [{{"rulePriority": 1, "selection": {UNTAGGED_COUNT}, "action": {EXPIRE}}},
                          {{"rulePriority": 1, "selection": {{"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 1}}, "action": {EXPIRE}}}]}}"#
        ),
        "$.rules[1].rulePriority",
        "rulePriority 1 is used by rules[0] too; priorities must be unique",
    );
}

#[test]
fn lifecycle_rule_priority_must_be_positive() {
    policy_rejects(
        "zero-priority",
        &format!(
            r#"{{"rules": [{{"rulePriority": 0, "selection": {UNTAGGED_COUNT}, "action": {EXPIRE}}}]}}"#
        ),
        "$.rules[0].rulePriority",
        "must be an integer >= 1, found 0",
    );
    policy_rejects(
        "missing-priority",
        &format!(r#"{{"rules": [{{"selection": {UNTAGGED_COUNT}, "action": {EXPIRE}}}]}}"#),
        "$.rules[0].rulePriority",
        "missing: every rule needs a positive integer rulePriority",
    );
}

#[test]
fn lifecycle_any_rule_must_have_the_highest_priority_of_its_class() {
    policy_rejects(
        "any-not-last",
        &format!(
            r#"{{"rules": [{{"rulePriority": 1, "selection": {{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}}, "action": {EXPIRE}}},
                          {{"rulePriority": 2, "selection": {UNTAGGED_COUNT}, "action": {EXPIRE}}}]}}"#
        ),
        "$.rules[0].selection.tagStatus",
        "a rule with tagStatus `any` must have the highest rulePriority among the rules of its \
         storage class, but rules[1] has 2 > 1",
    );
}

#[test]
fn lifecycle_any_rule_is_ranked_within_its_storage_class_only() {
    // An `any` rule on archived images may have a lower number than a standard rule.
    let policy = format!(
        r#"{{"rules": [{{"rulePriority": 1, "selection": {{"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 5}}, "action": {EXPIRE}}},
                      {{"rulePriority": 2, "selection": {UNTAGGED_COUNT}, "action": {EXPIRE}}}]}}"#
    );
    setup(
        "lc-any-class",
        &lifecycle_scenario(),
        &[("lc.json", &policy)],
    )
    .rows(&[]);
}

#[test]
fn lifecycle_tag_lists_only_with_tagged() {
    policy_rejects(
        "list-untagged",
        &one_rule(
            r#"{"tagStatus": "untagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection",
        "tagPrefixList and tagPatternList go only with tagStatus `tagged`, not `untagged`",
    );
    policy_rejects(
        "list-any",
        &one_rule(
            r#"{"tagStatus": "any", "tagPatternList": ["v*"], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection",
        "tagPrefixList and tagPatternList go only with tagStatus `tagged`, not `any`",
    );
}

#[test]
fn lifecycle_prefix_and_pattern_lists_not_both() {
    policy_rejects(
        "both-lists",
        &one_rule(
            r#"{"tagStatus": "tagged", "tagPrefixList": ["v"], "tagPatternList": ["v*"], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection",
        "give tagPrefixList or tagPatternList, not both",
    );
}

#[test]
fn lifecycle_tagged_needs_a_non_empty_list() {
    policy_rejects(
        "tagged-no-list",
        &one_rule(
            r#"{"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection",
        "tagStatus `tagged` needs a tagPrefixList or a tagPatternList",
    );
    policy_rejects(
        "empty-prefixes",
        &one_rule(
            r#"{"tagStatus": "tagged", "tagPrefixList": [], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.tagPrefixList",
        "the list is empty; give at least one prefix",
    );
    policy_rejects(
        "empty-patterns",
        &one_rule(
            r#"{"tagStatus": "tagged", "tagPatternList": [], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.tagPatternList",
        "the list is empty; give at least one pattern",
    );
}

#[test]
fn lifecycle_pattern_has_at_most_four_wildcards() {
    policy_rejects(
        "five-stars",
        &one_rule(
            r#"{"tagStatus": "tagged", "tagPatternList": ["v*", "*a*b*c*d*"], "countType": "imageCountMoreThan", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.tagPatternList[1]",
        "pattern `*a*b*c*d*` has more than four `*` wildcards",
    );
    let four = one_rule(
        r#"{"tagStatus": "tagged", "tagPatternList": ["*a*b*c*"], "countType": "imageCountMoreThan", "countNumber": 1}"#,
        EXPIRE,
    );
    setup(
        "lc-four-stars",
        &lifecycle_scenario(),
        &[("lc.json", &four)],
    )
    .rows(&[]);
}

#[test]
fn lifecycle_count_unit_only_with_since_types() {
    policy_rejects(
        "unit-with-count",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countUnit": "days", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countUnit",
        "countUnit `days` goes only with the since* count types, not imageCountMoreThan",
    );
}

#[test]
fn lifecycle_since_types_need_count_unit_days() {
    policy_rejects(
        "since-no-unit",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countUnit",
        "countType `sinceImagePushed` needs countUnit \"days\"",
    );
    policy_rejects(
        "since-hours",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "hours", "countNumber": 1}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countUnit",
        "unknown countUnit `hours`; the only unit is \"days\"",
    );
}

#[test]
fn lifecycle_count_number_at_least_one() {
    policy_rejects(
        "count-zero",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 0}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countNumber",
        "must be an integer >= 1, found 0",
    );
}

#[test]
fn lifecycle_since_image_pulled_only_with_transition() {
    policy_rejects(
        "pulled-expire",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 3}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countType",
        "sinceImagePulled goes only with a `transition` action",
    );
    let ok = one_rule(
        r#"{"tagStatus": "untagged", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 3}"#,
        TRANSITION,
    );
    setup("lc-pulled-ok", &lifecycle_scenario(), &[("lc.json", &ok)]).rows(&[]);
}

#[test]
fn lifecycle_since_image_transitioned_only_with_expire_on_archive() {
    policy_rejects(
        "transitioned-standard",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 3}"#,
            EXPIRE,
        ),
        "$.rules[0].selection.countType",
        "sinceImageTransitioned goes only with an `expire` action on storageClass `archive`",
    );
}

#[test]
fn lifecycle_transition_needs_archive_target() {
    policy_rejects(
        "transition-no-target",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3}"#,
            r#"{"type": "transition"}"#,
        ),
        "$.rules[0].action.targetStorageClass",
        "a `transition` action needs targetStorageClass \"archive\"",
    );
}

#[test]
fn lifecycle_expire_takes_no_target() {
    policy_rejects(
        "expire-target",
        &one_rule(
            r#"{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3}"#,
            r#"{"type": "expire", "targetStorageClass": "archive"}"#,
        ),
        "$.rules[0].action.targetStorageClass",
        "an `expire` action takes no targetStorageClass (got `archive`)",
    );
}

#[test]
fn lifecycle_archived_images_cannot_be_transitioned() {
    policy_rejects(
        "transition-archive",
        &one_rule(
            r#"{"tagStatus": "untagged", "storageClass": "archive", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3}"#,
            TRANSITION,
        ),
        "$.rules[0].action",
        "images of storageClass `archive` cannot be transitioned; use `expire`",
    );
}

fn n_rules(n: usize) -> String {
    let rules: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                r#"{{"rulePriority": {i}, "selection": {{"tagStatus": "tagged", "tagPrefixList": ["v{i}"], "countType": "imageCountMoreThan", "countNumber": 1}}, "action": {EXPIRE}}}"#
            )
        })
        .collect();
    format!(r#"{{"rules": [{}]}}"#, rules.join(", "))
}

#[test]
fn lifecycle_has_1_to_50_rules() {
    policy_rejects(
        "51-rules",
        &n_rules(51),
        "$.rules",
        "a policy has 1 to 50 rules, this one has 51",
    );
    policy_rejects(
        "0-rules",
        r#"{"rules": []}"#,
        "$.rules",
        "a policy has 1 to 50 rules, this one has 0",
    );
    setup(
        "lc-50-rules",
        &lifecycle_scenario(),
        &[("lc.json", &n_rules(50))],
    )
    .rows(&[]);
}

#[test]
fn lifecycle_errors_inside_get_lifecycle_policy_output_name_the_inner_path() {
    let inner = one_rule(
        r#"{"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 0}"#,
        EXPIRE,
    );
    let wrapped = serde_json::json!({
        "registryId": "123456789012",
        "repositoryName": "app",
        "lifecyclePolicyText": inner,
    })
    .to_string();
    policy_rejects(
        "wrapped",
        &wrapped,
        "$.lifecyclePolicyText.rules[0].selection.countNumber",
        "must be an integer >= 1, found 0",
    );
}

#[test]
fn lifecycle_repository_filters_use_the_filter_syntax() {
    let text = format!(
        "{SIM}[[lifecycle]]\nrepositories = [\"app\", \"App-*\"]\npolicy = \"lc.json\"\n{TRAFFIC}"
    );
    let policy = one_rule(UNTAGGED_COUNT, EXPIRE);
    let (s, msg) = rejected("lc-repositories", &text, &[("lc.json", &policy)]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: lifecycle[0].repositories[1]: filter `App-*` is not valid: use lower-case \
             letters, digits and `*`, with single `.`, `_`, `-` or `/` between them",
            s.sc(),
            value_at(&text, "\"app\", ")
        )
    );
}

#[test]
fn lifecycle_policy_file_must_exist() {
    let text = lifecycle_scenario();
    let (s, msg) = rejected("lc-missing", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: lifecycle[0].policy: file `{}` not found (paths are relative to the \
             scenario file)",
            s.sc(),
            value_at(&text, "policy = "),
            s.path("lc.json")
        )
    );
}

// ---------------------------------------------------------------------------------------
// §9 traces

const HEADER: &str = "time,event,repository,digest,tags,supported\n";

/// Expects the trace `csv` to be rejected with `{events.csv}:{where}: {message}`.
fn trace_rejects(name: &str, csv: &str, place: &str, message: &str) {
    let text = format!("{SIM}{TRAFFIC}");
    let (s, msg) = rejected(&format!("trace-{name}"), &text, &[("events.csv", csv)]);
    assert_eq!(msg, format!("{}:{place}: {message}", s.path("events.csv")));
}

const FORMS: &str = "expected an RFC 3339 date-time with an offset (2026-01-01T00:00:00Z, \
2024-05-14T21:16:20.237000+00:00), a date YYYY-MM-DD, or epoch seconds (1767225600 or \
1767225600.0)";

#[test]
fn trace_bad_time() {
    trace_rejects(
        "bad-time",
        &format!("{HEADER}2026-01-01T10:00:00Z,push,app,a,,\nyesterday,push,app,b,,\n"),
        "3:1: column time",
        &format!("invalid instant `yesterday`: not an instant; {FORMS}"),
    );
    trace_rejects(
        "bad-date",
        &format!("{HEADER}2026-02-30T10:00:00Z,push,app,a,,\n"),
        "2:1: column time",
        &format!(
            "invalid instant `2026-02-30T10:00:00Z`: day 30 is not a day of 2026-02 (01..28); \
             {FORMS}"
        ),
    );
}

#[test]
fn trace_second_60() {
    trace_rejects(
        "second-60",
        &format!("{HEADER}2026-01-01T23:59:60Z,push,app,a,,\n"),
        "2:1: column time",
        &format!(
            "invalid instant `2026-01-01T23:59:60Z`: second 60 (a leap second) is not \
             accepted; {FORMS}"
        ),
    );
}

#[test]
fn trace_missing_offset() {
    trace_rejects(
        "no-offset",
        &format!("{HEADER}2026-01-01T10:00:00,push,app,a,,\n"),
        "2:1: column time",
        &format!(
            "invalid instant `2026-01-01T10:00:00`: the offset is missing (add Z for UTC); \
             {FORMS}"
        ),
    );
}

#[test]
fn trace_unknown_event() {
    trace_rejects(
        "unknown-event",
        &format!("{HEADER}2026-01-01T10:00:00Z,pushed,app,a,,\n"),
        "2:2: column event",
        "unknown event `pushed`; allowed: push, pull, in_use, delete, archive, restore, \
         vulndb_update",
    );
}

#[test]
fn trace_bad_repository_name() {
    // Columns are found by name: `repository` is the 4th field here.
    trace_rejects(
        "bad-repo",
        "event,time,digest,repository\npush,2026-01-01T10:00:00Z,a,team//app\n",
        "2:4: column repository",
        "invalid repository name `team//app`: ECR names have 2 to 256 characters: lower-case \
         letters and digits, separated by `.`, `_`, `__` or dashes, in `/`-separated parts",
    );
}

#[test]
fn trace_bad_tag_on_push_only() {
    // The same bad tag on the pull of line 3 is no error: tags are read on pushes only.
    trace_rejects(
        "bad-tag",
        &format!(
            "{HEADER}2026-01-01T10:00:00Z,push,app,a,ok,\n\
             2026-01-01T10:30:00Z,pull,app,a,bad tag!,\n\
             2026-01-01T11:00:00Z,push,app,b,v1;bad tag!,\n"
        ),
        "4:5: column tags",
        "invalid tag `bad tag!`: a tag has 1 to 128 characters from A-Z a-z 0-9 . _ - and \
         starts with a letter, a digit or `_`",
    );
}

#[test]
fn trace_bad_supported_on_push_only() {
    trace_rejects(
        "bad-supported",
        &format!(
            "{HEADER}2026-01-01T10:00:00Z,push,app,a,,TRUE\n\
             2026-01-01T10:30:00Z,in_use,app,a,,maybe\n\
             2026-01-01T11:00:00Z,push,app,b,,maybe\n"
        ),
        "4:6: column supported",
        "supported must be true or false (or empty for true), found `maybe`",
    );
}

#[test]
fn trace_vulndb_update_digest_without_repository() {
    trace_rejects(
        "vulndb-digest",
        &format!(
            "{HEADER}2026-01-01T10:00:00Z,push,app,a,,\n\
             2026-01-01T11:00:00Z,vulndb_update,,a,,\n"
        ),
        "3:3: column repository",
        "a vulndb_update naming a digest must name its repository too",
    );
}

#[test]
fn trace_missing_header_column() {
    trace_rejects(
        "no-digest-column",
        "time,event,repository,tags\n2026-01-01T10:00:00Z,push,app,,\n",
        "1",
        "the header lacks the column(s) digest; a trace has the columns \
         time,event,repository,digest,tags,supported (tags and supported optional, any order)",
    );
}

#[test]
fn trace_rows_out_of_order_suggest_sorting() {
    trace_rejects(
        "order",
        &format!(
            "{HEADER}2026-01-01T10:00:00Z,push,app,a,,\n\
             2026-01-01T12:00:00Z,push,app,b,,\n\
             2026-01-01T11:59:59Z,pull,app,a,,\n"
        ),
        "4",
        "row at 2026-01-01T11:59:59Z is earlier than the row before it \
         (2026-01-01T12:00:00Z): trace rows must be in non-decreasing time order; sort the \
         trace by time (stably, to keep the order of rows at one instant)",
    );
}

#[test]
fn trace_bad_row_after_the_horizon_is_still_an_error() {
    // SPEC §9: bad rows are errors; rows at or after M(days-1) are not *processed*
    // (§11), but the trace is still invalid input.  With days = 2 the horizon is
    // 2026-01-03T00:00:00Z; line 3 is after it and valid, line 4 is malformed.  (The
    // first row after the horizon is validated, so stopping there would make whether a
    // trace is accepted depend on where its bad row sits.)
    trace_rejects(
        "after-horizon",
        &format!(
            "{HEADER}2026-01-01T10:00:00Z,push,app,a,,\n\
             2026-01-05T10:00:00Z,push,app,b,,\n\
             2026-01-06T10:00:00Z,pusj,app,c,,\n"
        ),
        "4:2: column event",
        "unknown event `pusj`; allowed: push, pull, in_use, delete, archive, restore, \
         vulndb_update",
    );
}

#[test]
fn trace_given_with_trace_option_is_validated_too() {
    let s = setup("trace-option", &format!("{SIM}{TRAFFIC}"), &[]);
    s.dir.write(
        "other.csv",
        format!("{HEADER}2026-01-01T10:00:00Z,pusj,app,a,,\n"),
    );
    let other = s.path("other.csv");
    let msg = s.reject(&["--trace", &other]);
    assert_eq!(
        msg,
        format!(
            "{other}:2:2: column event: unknown event `pusj`; allowed: push, pull, in_use, \
             delete, archive, restore, vulndb_update"
        )
    );
}

// ---------------------------------------------------------------------------------------
// §11 scenario file

/// Expects an unknown key `key` (at `path`) with the allowed keys `allowed`; the message
/// points at the key (`key =`, or the table header naming it).
fn unknown_key(name: &str, text: &str, key: &str, path: &str, allowed: &str) {
    let (s, msg) = rejected(&format!("unknown-{name}"), text, &[]);
    let assignment = format!("{key} =");
    let place = if text.contains(&assignment) {
        at(text, &assignment)
    } else {
        at(text, key)
    };
    assert_eq!(
        msg,
        format!(
            "{}:{place}: {path}: unknown key `{key}`; allowed keys here: {allowed}",
            s.sc()
        )
    );
}

#[test]
fn unknown_top_level_table() {
    // The pinned tables of SPEC §11; the project may list its own `sweep` table too.
    let text = format!("{SIM}[pricng]\ninitial_scan_usd = 0.09\n{TRAFFIC}");
    let (s, msg) = rejected("unknown-top", &text, &[]);
    let prefix = format!(
        "{}:{}: pricng: unknown key `pricng`; allowed keys here: simulation, pricing, \
         registry, inspector, timeline, lifecycle, traffic, synthetic",
        s.sc(),
        at(&text, "pricng")
    );
    assert!(
        msg == prefix || msg == format!("{prefix}, sweep, findings"),
        "want `{prefix}[, sweep, findings]`, got `{msg}`"
    );
}

#[test]
fn unknown_key_in_simulation() {
    unknown_key(
        "simulation",
        &format!("{SIM}in_use_window = 7\n{TRAFFIC}"),
        "in_use_window",
        "simulation.in_use_window",
        "start, days, rules, in_use_window_days, region, seed",
    );
}

#[test]
fn unknown_key_in_pricing() {
    unknown_key(
        "pricing",
        &format!("{SIM}[pricing]\nrescan = 0.01\n{TRAFFIC}"),
        "rescan",
        "pricing.rescan",
        "initial_scan_usd, rescan_usd, free_trial_days",
    );
}

#[test]
fn unknown_key_in_registry_and_its_rules() {
    unknown_key(
        "registry",
        &with_registry("scan_type = \"BASIC\"\nfilters = [\"*\"]"),
        "filters",
        "registry.filters",
        "scan_type, rules, aws_json",
    );
    unknown_key(
        "registry-rule",
        &with_registry(
            "scan_type = \"BASIC\"\nrules = [{ scan_frequency = \"SCAN_ON_PUSH\", filter = [\"*\"] }]",
        ),
        "filter",
        "registry.rules[0].filter",
        "scan_frequency, filters",
    );
    unknown_key(
        "registry-subtable",
        &format!("{SIM}[registry]\nscan_type = \"BASIC\"\n[registry.extra]\nx = 1\n{TRAFFIC}"),
        "extra",
        "registry.extra",
        "scan_type, rules, aws_json",
    );
}

#[test]
fn unknown_key_in_inspector() {
    unknown_key(
        "inspector",
        &format!("{SIM}[inspector]\npush_window = \"DAYS_30\"\n{TRAFFIC}"),
        "push_window",
        "inspector.push_window",
        "push_duration, pull_duration, pull_mode, aws_json",
    );
}

#[test]
fn unknown_key_in_timeline_entries() {
    unknown_key(
        "timeline",
        &format!(
            "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\nregistry = {{ scan_type = \"ENHANCED\" }}\nnote = \"x\"\n{TRAFFIC}"
        ),
        "note",
        "timeline[0].note",
        "at, registry, inspector",
    );
    unknown_key(
        "timeline-registry",
        &format!(
            "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\nregistry = {{ scan_type = \"ENHANCED\", rulez = [] }}\n{TRAFFIC}"
        ),
        "rulez",
        "timeline[0].registry.rulez",
        "scan_type, rules, aws_json",
    );
    unknown_key(
        "timeline-inspector",
        &format!(
            "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\ninspector = {{ push = \"DAYS_30\" }}\n{TRAFFIC}"
        ),
        "push",
        "timeline[0].inspector.push",
        "push_duration, pull_duration, pull_mode, aws_json",
    );
}

#[test]
fn unknown_key_in_lifecycle_and_traffic() {
    unknown_key(
        "lifecycle",
        &format!(
            "{SIM}[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\nrepository = \"x\"\n{TRAFFIC}"
        ),
        "repository",
        "lifecycle[0].repository",
        "repositories, policy",
    );
    unknown_key(
        "traffic",
        &format!("{SIM}[traffic]\ntrace = \"events.csv\"\nformat = \"csv\"\n"),
        "format",
        "traffic.format",
        "trace, history",
    );
}

#[test]
fn unknown_keys_in_a_sweep_table_are_errors() {
    // SPEC §11: unknown keys are errors (a typo must not pass silently).  `[sweep]` is
    // accepted at the top level, so what is inside it must be checked too.
    let text = format!("{SIM}[sweep]\nreplicatons = 3\n{TRAFFIC}");
    let (s, msg) = rejected("unknown-sweep", &text, &[]);
    assert!(
        msg.starts_with(&format!("{}:{}: ", s.sc(), at(&text, "replicatons")))
            || msg.starts_with(&format!("{}:{}: ", s.sc(), at(&text, "sweep"))),
        "message must point at the unknown key: {msg}"
    );
    assert!(msg.contains("unknown key"), "{msg}");
}

#[test]
fn registry_without_scan_type() {
    let text = with_registry("rules = []");
    let (s, msg) = rejected("registry-no-scan-type", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: registry: missing key `scan_type` (BASIC or ENHANCED)",
            s.sc(),
            at(&text, "[registry]")
        )
    );
}

#[test]
fn timeline_registry_without_scan_type() {
    let text = format!(
        "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\nregistry = {{ rules = [] }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("timeline-registry-no-scan-type", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].registry: missing key `scan_type` (BASIC or ENHANCED)",
            s.sc(),
            value_at(&text, "registry = ")
        )
    );
}

fn sim_with(start: &str, more: &str) -> String {
    format!("[simulation]\nstart = {start}\ndays = 2\n{more}{TRAFFIC}")
}

#[test]
fn start_must_be_a_date() {
    let cases = [
        (
            "\"2026-02-30\"",
            "invalid date `2026-02-30`: day 30 is not a day of 2026-02 (01..28)",
        ),
        (
            "\"01/01/2026\"",
            "invalid date `01/01/2026`: expected a date YYYY-MM-DD",
        ),
        (
            "2026-01-01T00:00:00Z",
            "expected a date such as 2026-01-01, found the date-time 2026-01-01T00:00:00Z",
        ),
        (
            "20260101",
            "expected a date such as 2026-01-01, found integer",
        ),
    ];
    for (i, (start, want)) in cases.iter().enumerate() {
        let text = sim_with(start, "");
        let (s, msg) = rejected(&format!("start-{i}"), &text, &[]);
        assert_eq!(
            msg,
            format!(
                "{}:{}: simulation.start: {want}",
                s.sc(),
                value_at(&text, "start = ")
            ),
            "start = {start}"
        );
    }
}

#[test]
fn days_must_be_at_least_one() {
    let text =
        "[simulation]\nstart = \"2026-01-01\"\ndays = 0\n[traffic]\ntrace = \"events.csv\"\n";
    let (s, msg) = rejected("days-0", text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.days: must be at least 1 (got 0)",
            s.sc(),
            value_at(text, "days = ")
        )
    );
}

#[test]
fn in_use_window_days_must_be_at_least_one() {
    let text = sim_with("\"2026-01-01\"", "in_use_window_days = 0\n");
    let (s, msg) = rejected("in-use-0", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: simulation.in_use_window_days: must be at least 1 (got 0)",
            s.sc(),
            value_at(&text, "in_use_window_days = ")
        )
    );
}

#[test]
fn timeline_at_without_offset() {
    let text = format!(
        "{SIM}[[timeline]]\nat = 2026-01-01T12:00:00\nregistry = {{ scan_type = \"ENHANCED\" }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("at-local-datetime", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].at: the date-time 2026-01-01T12:00:00 has no offset; add Z for \
             UTC (or +HH:MM)",
            s.sc(),
            value_at(&text, "at = ")
        )
    );
    let text = format!(
        "{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00\"\nregistry = {{ scan_type = \"ENHANCED\" }}\n{TRAFFIC}"
    );
    let (s, msg) = rejected("at-string-no-offset", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0].at: invalid instant `2026-01-01T12:00:00`: the offset is \
             missing (add Z for UTC); expected an RFC 3339 date-time with an offset \
             (\"2026-01-01T00:00:00Z\"), a date (2026-01-01 or \"2026-01-01\") or integer epoch \
             seconds",
            s.sc(),
            value_at(&text, "at = ")
        )
    );
}

fn with_pricing(body: &str) -> String {
    format!("{SIM}[pricing]\n{body}\n{TRAFFIC}")
}

#[test]
fn prices_must_not_be_negative() {
    for (i, (key, value, shown)) in [
        ("initial_scan_usd", "-0.01", "-0.01"),
        ("rescan_usd", "-1", "-1"),
    ]
    .iter()
    .enumerate()
    {
        let text = with_pricing(&format!("{key} = {value}"));
        let (s, msg) = rejected(&format!("price-negative-{i}"), &text, &[]);
        assert_eq!(
            msg,
            format!(
                "{}:{}: pricing.{key}: a price must be between 0 and 1000 USD (got {shown})",
                s.sc(),
                value_at(&text, &format!("{key} = "))
            )
        );
    }
}

#[test]
fn prices_have_at_most_six_fractional_digits() {
    let text = with_pricing("rescan_usd = 0.0100001");
    let (s, msg) = rejected("price-7-digits", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: pricing.rescan_usd: a price has at most 6 fractional digits (micro-USD); \
             `0.0100001` has 7",
            s.sc(),
            value_at(&text, "rescan_usd = ")
        )
    );
    // Six digits are fine: 0.123456 USD is 123456 micro-USD per initial scan.
    let text = with_pricing("initial_scan_usd = 0.123456\nrescan_usd = 0");
    let rows = setup("price-6-digits", &text, &[]).rows(&[]);
    assert_eq!(rows.len(), 2);
}

#[test]
fn traffic_and_synthetic_together() {
    let text = format!("{SIM}{TRAFFIC}[synthetic]\nhistory_days = 30\n");
    let (s, msg) = rejected("traffic-and-synthetic", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: synthetic: a scenario has one traffic source: [traffic] or [synthetic], not \
             both (to continue a trace with synthetic traffic, name it `history`)",
            s.sc(),
            at(&text, "[synthetic]")
        )
    );
}

#[test]
fn missing_trace_file() {
    let text = format!("{SIM}[traffic]\ntrace = \"missing.csv\"\n");
    let (s, msg) = rejected("missing-trace", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: traffic.trace: file `{}` not found (paths are relative to the scenario file)",
            s.sc(),
            value_at(&text, "trace = "),
            s.path("missing.csv")
        )
    );
}

#[test]
fn timeline_entry_with_neither_registry_nor_inspector() {
    let text = format!("{SIM}[[timeline]]\nat = \"2026-01-01T12:00:00Z\"\n{TRAFFIC}");
    let (s, msg) = rejected("timeline-empty", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: timeline[0]: a timeline entry changes something: give `registry` and/or \
             `inspector`",
            s.sc(),
            at(&text, "[[timeline]]")
        )
    );
}

#[test]
fn invalid_toml_names_line_and_column() {
    let text = format!("{SIM}[registry\nscan_type = \"BASIC\"\n{TRAFFIC}");
    let s = setup("bad-toml", &text, &[]);
    let msg = s.reject(&[]);
    let want = format!(
        "{}:{}: invalid TOML: ",
        s.sc(),
        value_at(&text, "[registry")
    );
    assert!(msg.starts_with(&want), "want `{want}...`, got `{msg}`");
}

// ---------------------------------------------------------------------------------------
// The findings model (`[findings]`, a group's `findings = { .. }`)

/// The message for `body` in a `[findings]` table, which must point at `needle`.
fn findings_rejected(name: &str, body: &str, needle: &str, want: &str) {
    let text = format!("{SIM}[findings]\n{body}\n{TRAFFIC}");
    let (s, msg) = rejected(&format!("findings-{name}"), &text, &[]);
    assert_eq!(
        msg,
        format!("{}:{}: {want}", s.sc(), at(&text, needle)),
        "{body}"
    );
}

#[test]
fn findings_keys_are_checked_with_their_ranges() {
    unknown_key(
        "findings",
        &format!("{SIM}[findings]\nper_imag = 3\n{TRAFFIC}"),
        "per_imag",
        "findings.per_imag",
        "per_image, sigma, severity_mix, per_rescan, rescan_severity_mix, updated_share",
    );
    findings_rejected(
        "per-image",
        "per_image = 100001",
        "100001",
        "findings.per_image: must be a number in 0..=100000 (got 100001)",
    );
    findings_rejected(
        "sigma",
        "sigma = -1",
        "-1",
        "findings.sigma: must be a number in 0..=4 (got -1)",
    );
    findings_rejected(
        "share",
        "updated_share = 1.5",
        "1.5",
        "findings.updated_share: must be a number in 0..=1 (got 1.5)",
    );
    findings_rejected(
        "rescan",
        "per_rescan = -0.5",
        "-0.5",
        "findings.per_rescan: must be a number in 0..=100000 (got -0.5)",
    );
    findings_rejected(
        "mix-zero",
        "severity_mix = { critical = 0 }",
        "{ critical",
        "findings.severity_mix: give at least one positive weight among critical, high, \
         medium, low, informational, untriaged",
    );
    findings_rejected(
        "mix-key",
        "rescan_severity_mix = { severe = 1 }",
        "severe",
        "findings.rescan_severity_mix.severe: unknown key `severe`; allowed keys here: \
         critical, high, medium, low, informational, untriaged",
    );
}

#[test]
fn a_group_findings_table_is_checked_and_overrides_the_scenario_table() {
    let group = "[[synthetic.repositories]]\nname = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\n";
    let text = format!("{SIM}[synthetic]\n{group}findings = {{ per_image = -3 }}\n");
    let (s, msg) = rejected("findings-group", &text, &[]);
    assert_eq!(
        msg,
        format!(
            "{}:{}: synthetic.repositories[0].findings.per_image: must be a number in \
             0..=100000 (got -3)",
            s.sc(),
            at(&text, "-3")
        )
    );
    let ok = format!(
        "{SIM}[findings]\nper_image = 5\nsigma = 0\n[synthetic]\n{group}findings = {{ sigma = 0.5 }}\n\
         [[synthetic.repositories]]\nname = \"web\"\ncount = 1\npushes_per_day = 1\n"
    );
    let dir = setup("findings-group-ok", &ok, &[]);
    let sc = scansim::model::scenario::Scenario::load(&dir.dir.join("scenario.toml")).unwrap();
    let (svc, web) = (sc.findings_for("svc-1"), sc.findings_for("web"));
    assert_eq!((svc.per_image, svc.sigma), (5.0, 0.5));
    assert_eq!((web.per_image, web.sigma), (5.0, 0.0));
    assert_eq!(
        sc.findings_for("svc-2").sigma,
        0.0,
        "svc-2 is not in the group"
    );
}
