//! `--set` and the AWS JSON forms (issue 14): a `--set` (or a `[[sweep.variants]]`
//! entry) overrides what `aws_json` supplies, a key a named variant also sets is an error,
//! and a value given twice in one `--set` is refused.

use crate::common::{
    WorkDir, expect_clean_failure, read_bytes, read_csv, scansim_in, scansim_ok_in,
};

/// A small synthetic registry whose settings come from AWS JSON files.
const SCENARIO: &str = r#"[simulation]
start = "2026-01-01"
days = 30
seed = 5

[registry]
{registry}

[inspector]
{inspector}

[synthetic]
history_days = 30
[[synthetic.repositories]]
name = "prod/svc-{i}"
count = 4
pushes_per_day = 0.6
old_pulls_per_day = 0.3
[[synthetic.repositories]]
name = "dev/svc-{i}"
count = 4
pushes_per_day = 1.0
"#;

const INSPECTOR_JSON: &str = r#"{"ecrConfiguration": {"rescanDurationState": {
  "rescanDuration": "DAYS_30", "pullDateRescanDuration": "DAYS_14",
  "pullDateRescanMode": "LAST_PULL_DATE", "status": "SUCCESS"}}}"#;

const REGISTRY_JSON: &str = r#"{"registryId": "123456789012", "scanningConfiguration": {
  "scanType": "ENHANCED", "rules": [
    {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod/*", "filterType": "WILDCARD"}]},
    {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}}"#;

fn scenario(registry: &str, inspector: &str) -> String {
    SCENARIO
        .replace("{registry}", registry)
        .replace("{inspector}", inspector)
}

fn setup(name: &str, text: &str) -> WorkDir {
    let dir = WorkDir::new(&format!("sets-{name}"));
    dir.write_files(&[
        ("scenario.toml", text),
        ("inspector.json", INSPECTOR_JSON),
        ("registry.json", REGISTRY_JSON),
    ]);
    dir
}

fn ok(dir: &WorkDir, args: &[&str]) {
    scansim_ok_in(dir, args);
}

/// Runs and expects a clean failure; the message.
fn refused(dir: &WorkDir, args: &[&str]) -> String {
    let o = scansim_in(dir, args);
    let out = args
        .iter()
        .position(|a| *a == "--out")
        .map_or("out", |i| args[i + 1]);
    expect_clean_failure(&o, &dir.join(out))
}

const JSON_BOTH: (&str, &str) = (
    "aws_json = \"registry.json\"",
    "aws_json = \"inspector.json\"",
);

#[test]
fn a_set_duration_overrides_what_aws_json_supplies() {
    // The README's what-if: both configurations from AWS JSON, durations from --set.
    let dir = setup("override", &scenario(JSON_BOTH.0, JSON_BOTH.1));
    ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            "inspector.push_duration=LIFETIME,DAYS_14",
            "--no-charts",
            "-q",
        ],
    );
    // Each variant is the scenario with the push duration replaced and the rest of the
    // JSON (a 14-day pull window) kept: the same rows as the keys written out.
    for push in ["LIFETIME", "DAYS_14"] {
        let explicit = scenario(
            JSON_BOTH.0,
            &format!(
                "push_duration = \"{push}\"\npull_duration = \"DAYS_14\"\npull_mode = \"LAST_PULL_DATE\""
            ),
        );
        let file = format!("{push}.toml");
        dir.write(&file, &explicit);
        let out = format!("run-{push}");
        ok(&dir, &["run", &file, "--out", &out, "--no-charts", "-q"]);
        assert_eq!(
            read_bytes(&dir.join(&out).join("daily.csv")),
            read_bytes(&dir.join(format!("out/variants/push_duration={push}/daily.csv"))),
            "{push}"
        );
    }
    // The scenario's own settings (DAYS_30 from the JSON) are not among the values: the
    // scenario as it is is the baseline, named after its values.
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows[0]["variant"], "push_duration=DAYS_30");
    assert_eq!(rows[0]["baseline"], "1");
    assert_eq!(rows.len(), 3);
}

#[test]
fn aws_json_and_duration_keys_in_the_file_itself_are_still_an_error() {
    let text = scenario(
        JSON_BOTH.0,
        "aws_json = \"inspector.json\"\npush_duration = \"DAYS_30\"",
    );
    let dir = setup("both", &text);
    let msg = refused(&dir, &["run", "scenario.toml", "--out", "out"]);
    let at = crate::common::at(&text, "\"inspector.json\"");
    assert!(
        msg.starts_with(&format!(
            "scenario.toml:{at}: inspector.aws_json: give either aws_json or the duration \
             keys, not both (a --set or a [[sweep.variants]] entry may override"
        )),
        "{msg}"
    );
}

#[test]
fn a_named_variant_may_override_aws_json_too() {
    let text = format!(
        "{}\n[[sweep.variants]]\nname = \"as-is\"\n\n[[sweep.variants]]\nname = \"short\"\n\
         inspector = {{ push_duration = \"DAYS_14\", pull_duration = \"none\" }}\n",
        scenario(JSON_BOTH.0, JSON_BOTH.1)
    );
    let dir = setup("variant", &text);
    ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--no-charts",
            "-q",
        ],
    );
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows.len(), 2, "as-is is the scenario itself: nothing added");
    assert_eq!(rows[0]["baseline"], "1");
    let cost = |r: usize| rows[r]["cost_per_30_days_usd_mean"].parse::<f64>().unwrap();
    assert!(cost(1) < cost(0), "a shorter window costs less");
}

#[test]
fn a_set_registry_key_overrides_the_registry_json_and_keeps_the_rest() {
    let dir = setup("registry", &scenario(JSON_BOTH.0, JSON_BOTH.1));
    // The rules: the JSON's own (in TOML), and scan on push for everything; the scan
    // type (ENHANCED) stays the JSON's.
    let own = "[{scan_frequency=\"CONTINUOUS_SCAN\",filters=[\"prod/*\"]},\
               {scan_frequency=\"SCAN_ON_PUSH\",filters=[\"*\"]}]";
    let push = "[{scan_frequency=\"SCAN_ON_PUSH\",filters=[\"*\"]}]";
    let set = format!("registry.rules={own},{push}");
    ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            &set,
            "--no-charts",
            "-q",
        ],
    );
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(
        rows.len(),
        2,
        "the JSON's own rules are the scenario: nothing added"
    );
    assert_eq!(rows[0]["baseline"], "1");
    assert_eq!(rows[0]["continuous_repositories"], "4");
    assert_eq!(rows[1]["continuous_repositories"], "0");
    let cost = |r: usize| rows[r]["cost_per_30_days_usd_mean"].parse::<f64>().unwrap();
    assert!(
        cost(1) > 0.0 && cost(1) < cost(0),
        "scan on push only is billed, for less"
    );
    // BASIC with the JSON's CONTINUOUS_SCAN rule is no configuration ECR accepts.
    let msg = refused(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out2",
            "--set",
            "registry.scan_type=BASIC",
        ],
    );
    assert!(
        msg.contains(
            "registry.scan_type (--set registry.scan_type=BASIC): scan_type BASIC does not \
             allow the CONTINUOUS_SCAN rule of aws_json"
        ),
        "{msg}"
    );
}

#[test]
fn a_set_key_that_a_named_variant_also_sets_is_an_error() {
    let text = format!(
        "{}\n[[sweep.variants]]\nname = \"base\"\n\n[[sweep.variants]]\nname = \"short\"\n\
         inspector = {{ push_duration = \"DAYS_14\" }}\n",
        scenario(
            JSON_BOTH.0,
            "push_duration = \"DAYS_30\"\npull_duration = \"DAYS_14\""
        )
    );
    let dir = setup("overlap", &text);
    let args = |key: &'static str| {
        vec![
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            key,
            "--no-charts",
        ]
    };
    let msg = refused(&dir, &args("inspector.push_duration=LIFETIME,DAYS_30"));
    // The line of the entry's header.
    let header = text.rfind("[[sweep.variants]]").unwrap();
    let line = text[..header].matches('\n').count() + 1;
    assert!(
        msg.starts_with(
            "--set inspector.push_duration: the [[sweep.variants]] entry `short` (scenario.toml:"
        ) && msg.contains(&format!(":{line}:"))
            && msg.contains("give a setting in one place"),
        "{msg}"
    );
    // Keys no entry sets are fine.
    ok(&dir, &args("inspector.pull_duration=none,DAYS_14"));
}

#[test]
fn a_value_given_twice_in_one_set_is_refused() {
    let dir = setup("twice", &scenario(JSON_BOTH.0, JSON_BOTH.1));
    for (set, which) in [
        (
            "inspector.push_duration=DAYS_30,DAYS_14,DAYS_30",
            "values 1 and 3",
        ),
        ("pricing.rescan_usd=0.01,0.010", "values 1 and 2"),
        ("simulation.in_use_window_days=30,7,30.0", "values 1 and 3"),
        ("inspector.pull_duration=none,\"none\"", "values 1 and 2"),
    ] {
        let msg = refused(
            &dir,
            &["sweep", "scenario.toml", "--out", "out", "--set", set],
        );
        assert!(
            msg.starts_with(&format!("--set {set}: {which} are the same setting")),
            "{msg}"
        );
    }
}
