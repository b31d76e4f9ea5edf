//! EventBridge events (`run --events`) and the AWS JSON configuration forms.

use crate::common::{
    WorkDir, assert_success, csv_column, csv_counts, read_bytes, read_text, repo_file, run_scenario,
};
use std::path::Path;

/// `scansim run SCENARIO --out OUT --no-charts --events EVENTS`.
fn run_with_events(sc: &Path, out: &Path, events: &Path) {
    assert_success(&run_scenario(
        sc,
        out,
        &["--no-charts", "--events", events.to_str().unwrap()],
    ));
}

/// Per day of the events file: (frequency-change events, initial-scan events).
fn events_per_day(events: &str, start_days: i64) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for line in events.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        for key in [
            "version",
            "id",
            "detail-type",
            "source",
            "account",
            "time",
            "region",
            "resources",
            "detail",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        let t = scansim::base::time::parse_instant(v["time"].as_str().unwrap()).unwrap();
        let day = (t.div_euclid(86_400) - start_days) as usize;
        let kind = match v["detail-type"].as_str().unwrap() {
            "ECR Scan Resource Change" => {
                assert_eq!(v["source"], "aws.ecr");
                assert_eq!(v["detail"]["action-type"], "SCAN_FREQUENCY_CHANGE");
                0
            }
            "Inspector2 Scan" => {
                assert_eq!(v["source"], "aws.inspector2");
                assert_eq!(v["detail"]["scan-status"], "INITIAL_SCAN_COMPLETE");
                assert!(!v["detail"]["image-digest"].as_str().unwrap().is_empty());
                1
            }
            other => panic!("unexpected detail-type {other}"),
        };
        out.push((day, kind, 1));
    }
    out
}

fn check_events_against_daily(out: &Path, events: &Path, start: &str) {
    let daily = read_text(&out.join("daily.csv"));
    let text = read_text(events);
    let start_days = scansim::base::time::parse_instant(start).unwrap() / 86_400;
    let freq = csv_counts(&daily, "scan_frequency_change_events");
    let init = csv_counts(&daily, "initial_scan_complete_events");
    assert_eq!(init, csv_counts(&daily, "initial_scans"));
    let mut got_freq = vec![0u64; freq.len()];
    let mut got_init = vec![0u64; init.len()];
    for (day, kind, n) in events_per_day(&text, start_days) {
        let v = if kind == 0 {
            &mut got_freq
        } else {
            &mut got_init
        };
        v[day] += n as u64;
    }
    assert_eq!(got_freq, freq, "frequency-change events per day");
    // The consumers' load in summary.json counts the same events, and the finding events
    // the daily findings columns.
    let load = &crate::common::read_json(&out.join("summary.json"))["event_load"];
    let total = |k: &str| load[k]["total"].as_u64().unwrap();
    assert_eq!(total("ECR Scan Resource Change"), freq.iter().sum::<u64>());
    assert_eq!(total("Inspector2 Scan"), init.iter().sum::<u64>());
    let finding_events: u64 = ["findings_created", "findings_updated", "findings_closed"]
        .iter()
        .map(|c| csv_counts(&daily, c).iter().sum::<u64>())
        .sum();
    assert_eq!(total("Inspector2 Finding"), finding_events);
    for k in [
        "ECR Scan Resource Change",
        "Inspector2 Scan",
        "Inspector2 Finding",
    ] {
        let (hour, day) = (&load[k]["busiest_hour"], &load[k]["per_day"]);
        assert!(hour["max"].as_u64() <= day["max"].as_u64(), "{k}");
        assert!(day["p50"].as_u64() <= day["p95"].as_u64(), "{k}");
    }
    assert_eq!(got_init, init, "initial-scan events per day");
    assert!(freq.iter().sum::<u64>() > 0 && init.iter().sum::<u64>() > 0);
    // Ids are unique and reproducible.
    let ids: std::collections::HashSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), text.lines().count());
}

#[test]
fn trace_demo_events_match_the_daily_counts() {
    let root = WorkDir::new("events-demo");
    let sc = repo_file("scenarios/trace-demo/scenario.toml");
    let (out, events) = (root.join("out"), root.join("events.jsonl"));
    run_with_events(&sc, &out, &events);
    let text = read_text(&sc);
    let start = text
        .lines()
        .find_map(|l| l.strip_prefix("start = \""))
        .map(|s| {
            s.trim_end_matches('"')
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .expect("start");
    check_events_against_daily(&out, &events, &start);
    // The same run twice gives the same events file.
    let (again, out2) = (root.join("again.jsonl"), root.join("out2"));
    run_with_events(&sc, &out2, &again);
    assert_eq!(read_bytes(&events), read_bytes(&again));
}

const SYNTHETIC: &str = r#"
[simulation]
start = "2026-01-01"
days = 20
seed = 3
[registry]
scan_type = "BASIC"
[[timeline]]
at = "2026-01-05T12:00:00Z"
registry = { scan_type = "ENHANCED", rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["prod-*"] }, { scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }] }
[[timeline]]
at = "2026-01-12T00:00:00Z"
registry = { scan_type = "ENHANCED", rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["*"] }] }
[synthetic]
history_days = 10
[[synthetic.repositories]]
name = "prod-{i}"
count = 4
pushes_per_day = 2.0
[[synthetic.repositories]]
name = "dev-{i}"
count = 3
pushes_per_day = 1.0
"#;

/// With synthetic traffic the events come from one engine in time order, and the run's
/// daily.csv is the same as without --events.
#[test]
fn synthetic_events_match_the_daily_counts() {
    let root = WorkDir::new("events-synthetic");
    let sc = root.write("s.toml", SYNTHETIC);
    let (out, plain, events) = (root.join("out"), root.join("plain"), root.join("e.jsonl"));
    run_with_events(&sc, &out, &events);
    assert_success(&run_scenario(&sc, &plain, &["--no-charts"]));
    assert_eq!(
        read_bytes(&out.join("daily.csv")),
        read_bytes(&plain.join("daily.csv"))
    );
    check_events_against_daily(&out, &events, "2026-01-01");
    let text = read_text(&events);
    let times: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["time"].to_string())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events in time order"
    );
    // Day 4: BASIC -> ENHANCED: prod-* MANUAL -> CONTINUOUS, dev-* MANUAL -> SCAN_ON_PUSH;
    // day 11: dev-* SCAN_ON_PUSH -> CONTINUOUS.
    let freq: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["detail-type"] == "ECR Scan Resource Change")
        .collect();
    assert_eq!(freq.len(), 2);
    assert_eq!(
        freq[0]["detail"]["repositories"].as_array().unwrap().len(),
        7
    );
    assert_eq!(
        freq[1]["detail"]["repositories"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        freq[1]["detail"]["repositories"][0]["previous-scan-frequency"],
        "SCAN_ON_PUSH"
    );
}

/// Each AWS JSON form resolves to the same simulation as the TOML form.
#[test]
fn aws_json_forms_give_the_toml_results() {
    let root = WorkDir::new("aws-json");
    let trace = "time,event,repository,digest,tags,supported\n\
        2025-12-01T10:00:00Z,push,prod-api,sha256:a,v1,\n\
        2025-12-20T10:00:00Z,push,dev-x,sha256:b,,\n\
        2026-01-01T10:00:00Z,push,prod-api,sha256:c,v2,\n\
        2026-01-02T10:00:00Z,pull,prod-api,sha256:a,,\n\
        2026-01-03T10:00:00Z,push,prod-api,sha256:d,v3,\n\
        2026-01-03T11:00:00Z,push,prod-api,sha256:e,v4,\n";
    let policy = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#;
    let wrapped = serde_json::json!({
        "registryId": "123456789012", "repositoryName": "prod-api",
        "lifecyclePolicyText": policy, "lastEvaluatedAt": 0.0
    })
    .to_string();
    let registry_get = r#"{"registryId":"123456789012","scanningConfiguration":{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"prod-*","filterType":"WILDCARD"}]},{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]}}"#;
    let registry_put_in = r#"{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"prod-*","filterType":"WILDCARD"}]},{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]}"#;
    let registry_put_out = format!(
        r#"{{"registryId":"123456789012","registryScanningConfiguration":{registry_put_in}}}"#
    );
    let inspector = r#"{"ec2Configuration":{"scanModeState":{"scanMode":"EC2_HYBRID","scanModeStatus":"SUCCESS"}},"ecrConfiguration":{"rescanDurationState":{"pullDateRescanDuration":"DAYS_14","pullDateRescanMode":"LAST_PULL_DATE","rescanDuration":"DAYS_30","status":"SUCCESS","updatedAt":"2024-05-14T21:16:20.237000+00:00"}}}"#;
    let head = "[simulation]\nstart = \"2026-01-01\"\ndays = 40\n";
    let toml_form = format!(
        "{head}[registry]\nscan_type = \"ENHANCED\"\nrules = [{{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"prod-*\"] }}, {{ scan_frequency = \"SCAN_ON_PUSH\", filters = [\"*\"] }}]\n\
         [inspector]\npush_duration = \"DAYS_30\"\npull_duration = \"DAYS_14\"\npull_mode = \"LAST_PULL_DATE\"\n\
         [[lifecycle]]\nrepositories = [\"prod-*\"]\npolicy = \"lc.json\"\n[traffic]\ntrace = \"t.csv\"\n"
    );
    root.write_files(&[
        ("t.csv", trace),
        ("lc.json", policy),
        ("lc-get.json", &wrapped),
        ("reg-get.json", registry_get),
        ("reg-put-in.json", registry_put_in),
        ("reg-put-out.json", &registry_put_out),
        ("insp.json", inspector),
        ("toml.toml", &toml_form),
    ]);
    let json_form = |reg: &str, lc: &str| {
        format!(
            "{head}[registry]\naws_json = \"{reg}\"\n[inspector]\naws_json = \"insp.json\"\n\
             [[lifecycle]]\nrepositories = [\"prod-*\"]\npolicy = \"{lc}\"\n[traffic]\ntrace = \"t.csv\"\n"
        )
    };
    let daily = |name: &str| -> String {
        let out = root.join(format!("out-{name}"));
        assert_success(&run_scenario(&root.join(name), &out, &["--no-charts"]));
        read_text(&out.join("daily.csv"))
    };
    let want = daily("toml.toml");
    // The TOML run itself: a (prod-api, history) expires before day 0 (30-day push
    // window); day 0: c initial scan; day 1: the pull revives a (14-day pull window, a
    // rescan); day 2: d and e initial scans, then the lifecycle keeps the two youngest
    // v-tagged images: a and c are deleted at M(2).
    let col = |name: &str| csv_counts(&want, name);
    assert_eq!(&col("initial_scans")[..3], &[1, 0, 2]);
    assert_eq!(&col("rescans")[..3], &[0, 1, 0]);
    assert_eq!(&col("deletes")[..3], &[0, 0, 2]);
    for (i, (reg, lc)) in [
        ("reg-get.json", "lc-get.json"),
        ("reg-put-in.json", "lc.json"),
        ("reg-put-out.json", "lc-get.json"),
    ]
    .iter()
    .enumerate()
    {
        let name = format!("json{i}.toml");
        root.write(&name, json_form(reg, lc));
        assert_eq!(daily(&name), want, "{reg} + {lc}");
    }
}

/// Every JSON path of `v` with the type of its value (array elements under `[]`).
fn shape(v: &serde_json::Value, path: &str, out: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value;
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(a) => {
            for x in a {
                shape(x, &format!("{path}[]"), out);
            }
            "array"
        }
        Value::Object(o) => {
            for (k, x) in o {
                shape(x, &format!("{path}.{k}"), out);
            }
            "object"
        }
    };
    out.insert(format!("{path}: {kind}"));
}

/// An `Inspector2 Scan` event of a run has the keys and value types of AWS's sample, at
/// every path, with `finding-severity-counts` that add up to its TOTAL.
#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn inspector2_scan_events_have_the_shape_of_the_aws_sample() {
    let root = WorkDir::new("events-shape");
    let sc = repo_file("scenarios/trace-demo/scenario.toml");
    let (out, events) = (root.join("out"), root.join("events.jsonl"));
    run_with_events(&sc, &out, &events);
    let sample: serde_json::Value = serde_json::from_str(&read_text(&repo_file(
        "../shared/aws-samples/eventbridge/Inspector2_Scan.INITIAL_SCAN_COMPLETE.ecr-enhanced-page.awsdocs2023.json",
    )))
    .unwrap();
    let mut want = std::collections::BTreeSet::new();
    shape(&sample, "", &mut want);
    let mut seen = 0;
    for line in read_text(&events).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["detail-type"] != "Inspector2 Scan" || v["detail"]["image-tags"][0].is_null() {
            continue;
        }
        let mut got = std::collections::BTreeSet::new();
        shape(&v, "", &mut got);
        assert_eq!(got, want, "{line}");
        let c = &v["detail"]["finding-severity-counts"];
        let part: u64 = ["CRITICAL", "HIGH", "MEDIUM"]
            .iter()
            .map(|k| c[k].as_u64().unwrap())
            .sum();
        assert!(part <= c["TOTAL"].as_u64().unwrap(), "{line}");
        seen += 1;
    }
    assert!(seen > 0, "no tagged Inspector2 Scan event");
}

/// `--finding-events`: one `Inspector2 Finding` event per finding created, updated or
/// closed, as many per day as the daily findings columns count (the day-end closures at
/// the midnight that ends their day), in the shape of AWS's sample, with reproducible ids
/// and a finding's ARN the same when it closes as when it opened.
#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn finding_events_match_the_daily_columns_and_the_aws_sample() {
    let root = WorkDir::new("events-findings");
    // Fewer findings per image than by default keep the file small.
    let synthetic = root.write(
        "s.toml",
        format!("{SYNTHETIC}\n[findings]\nper_image = 12\nper_rescan = 2\n"),
    );
    let sc = repo_file("scenarios/trace-demo/scenario.toml");
    for sc in [&sc, &synthetic] {
        check_finding_events(&root, sc);
    }
    // Without --events the flag is refused.
    let o = run_scenario(&sc, &root.join("out3"), &["--finding-events"]);
    assert!(!o.status.success());
}

fn check_finding_events(root: &WorkDir, sc: &Path) {
    let _ = std::fs::remove_dir_all(root.join("out"));
    let run = |out: &str, ev: &str| {
        let (out, events) = (root.join(out), root.join(ev));
        assert_success(&run_scenario(
            sc,
            &out,
            &[
                "--no-charts",
                "--events",
                events.to_str().unwrap(),
                "--finding-events",
                "--force",
            ],
        ));
        (out, events)
    };
    let (out, events) = run("out", "events.jsonl");
    let daily = read_text(&out.join("daily.csv"));
    let start = scansim::base::time::parse_instant(&csv_column(&daily, "date")[0]).unwrap();
    let want: Vec<u64> = (0..csv_counts(&daily, "findings_created").len())
        .map(|d| {
            ["findings_created", "findings_updated", "findings_closed"]
                .iter()
                .map(|c| csv_counts(&daily, c)[d])
                .sum()
        })
        .collect();
    let sample: serde_json::Value = serde_json::from_str(&read_text(&repo_file(
        "../shared/aws-samples/eventbridge/Inspector2_Finding.ACTIVE.ecr-enhanced-page.awsdocs2023.json",
    )))
    .unwrap();
    let mut allowed = std::collections::BTreeSet::new();
    shape(&sample, "", &mut allowed);
    let text = read_text(&events);
    let mut got = vec![0u64; want.len()];
    let mut status_of: std::collections::HashMap<String, String> = Default::default();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["detail-type"] != "Inspector2 Finding" {
            continue;
        }
        let mut paths = std::collections::BTreeSet::new();
        shape(&v, "", &mut paths);
        let extra: Vec<_> = paths.difference(&allowed).collect();
        assert!(extra.is_empty(), "paths not in the AWS sample: {extra:?}");
        let d = &v["detail"];
        assert!(["ACTIVE", "CLOSED"].contains(&d["status"].as_str().unwrap()));
        assert_eq!(d["updatedAt"], v["time"]);
        let t = scansim::base::time::parse_instant(v["time"].as_str().unwrap()).unwrap();
        // Day-end closures happen at the midnight that ends their day.
        let day = if t.rem_euclid(86_400) == 0 && d["status"] == "CLOSED" {
            (t - start) / 86_400 - 1
        } else {
            (t - start) / 86_400
        };
        got[day as usize] += 1;
        let arn = d["findingArn"].as_str().unwrap().to_string();
        let prev = status_of.insert(arn, d["status"].as_str().unwrap().to_string());
        if d["status"] == "CLOSED" {
            assert_eq!(
                prev.as_deref(),
                Some("ACTIVE"),
                "only an open finding closes"
            );
        }
    }
    assert_eq!(got, want, "finding events per day");
    assert!(want.iter().sum::<u64>() > 0);
    // Ids are unique and the same on a second run.
    let ids: std::collections::HashSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), text.lines().count());
    let (_, again) = run("out2", "again.jsonl");
    assert_eq!(read_bytes(&events), read_bytes(&again));
}
