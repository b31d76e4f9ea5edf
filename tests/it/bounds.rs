//! Issue 11, "bounded, linear, clear": instants in the years 0000-9999 wherever they come
//! from, duplicate JSON keys, locations in every message, one seed range, checked
//! `--account`, size estimates before simulating.

use crate::common::{ScenarioDir, WorkDir, expect_clean_failure, scansim};

/// A synthetic scenario with `[simulation]` lines `sim` and `[synthetic]` lines `syn`.
fn synthetic(sim: &str, syn: &str) -> String {
    format!(
        "[simulation]\n{sim}\n[synthetic]\n{syn}\n[[synthetic.repositories]]\n\
         name = \"app\"\ncount = 1\npushes_per_day = 1\n"
    )
}

/// `scansim import KIND FILE --trace-out DIR/t.csv`, expected to fail cleanly: the message.
fn import_rejected(d: &WorkDir, kind: &str, file: &std::path::Path) -> String {
    let out = d.join("t.csv");
    let o = scansim(&[
        "import",
        kind,
        file.to_str().unwrap(),
        "--trace-out",
        out.to_str().unwrap(),
    ]);
    expect_clean_failure(&o, &out)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn instants_after_their_offset_stay_in_the_years_0000_to_9999() {
    for (sim, syn, want) in [
        (
            "start = 9999-12-01\ndays = 100",
            "",
            "scenario.toml:3:8: simulation.days: 100 days from 9999-12-01 run past \
             9999-12-31: at most 31 days from this start",
        ),
        (
            "start = 0000-01-05\ndays = 3",
            "history_days = 10",
            "scenario.toml:5:16: synthetic.history_days: 10 history days before 0000-01-05 \
             start before the year 0000",
        ),
    ] {
        let s = ScenarioDir::new("instants", &[("scenario.toml", &synthetic(sim, syn))]);
        let msg = s.reject(&[]);
        assert!(msg.ends_with(want), "{msg}");
        // `generate` wrote `-001-12-29T…` rows before, which `run` then rejected.
        let trace = s.dir.join("t.csv");
        let o = scansim(&["generate", &s.sc(), "--trace-out", trace.to_str().unwrap()]);
        assert!(stderr(&o).contains(want), "{}", stderr(&o));
        assert!(!trace.exists());
    }
    let text = "[simulation]\nstart = 9999-12-01\ndays = 2\n[[timeline]]\n\
                at = 9999-12-31T23:59:59-01:00\nregistry = { scan_type = \"ENHANCED\" }\n\
                [traffic]\ntrace = \"e.csv\"\n";
    let s = ScenarioDir::new(
        "instants-at",
        &[
            ("scenario.toml", text),
            ("e.csv", "time,event,repository,digest\n"),
        ],
    );
    let msg = s.reject(&[]);
    assert!(
        msg.ends_with(
            "scenario.toml:5:6: timeline[0].at: the date-time 9999-12-31T23:59:59-01:00: with \
             its offset, the instant falls outside the years 0000 to 9999 (UTC)"
        ),
        "{msg}"
    );
}

#[test]
fn json_instants_with_offsets_outside_the_years_are_rejected() {
    let d = WorkDir::new("json-instant");
    let f = d.write(
        "i.json",
        r#"{"imageDetails": [{"repositoryName": "app", "imageDigest": "sha256:1",
            "imagePushedAt": "0000-01-01T00:00:00+01:00"}]}"#,
    );
    let msg = import_rejected(&d, "ecr-images", &f);
    assert!(
        msg.contains("$.imageDetails[0].imagePushedAt") && msg.contains("0000 to 9999"),
        "{msg}"
    );
}

#[test]
fn duplicate_json_keys_are_errors_with_their_path() {
    let lc = "{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"untagged\", \
              \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1,\n\
              \"countNumber\": 30}, \"action\": {\"type\": \"expire\"}}]}";
    let reg = "{\"scanType\": \"BASIC\",\n \"scanType\": \"ENHANCED\"}";
    let text = "[simulation]\nstart = 2026-01-01\ndays = 2\n[registry]\naws_json = \"reg.json\"\n\
                [[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n\
                [traffic]\ntrace = \"e.csv\"\n";
    let s = ScenarioDir::new(
        "dup-keys",
        &[
            ("scenario.toml", text),
            ("e.csv", "time,event,repository,digest\n"),
            ("reg.json", reg),
            ("lc.json", lc),
        ],
    );
    let msg = s.reject(&[]);
    assert!(
        msg.ends_with(
            "reg.json:2:11: $.scanType: duplicate key `scanType`: a key appears once in an object"
        ),
        "{msg}"
    );
    s.dir.write("reg.json", "{\"scanType\": \"BASIC\"}");
    let msg = s.reject(&[]);
    assert!(
        msg.contains("lc.json:2:")
            && msg.contains("$.rules[0].selection.countNumber: duplicate key `countNumber`"),
        "{msg}"
    );
    // describe-images pages and CloudTrail records.
    let d = WorkDir::new("dup-import");
    let page = d.write(
        "p.json",
        "{\"imageDetails\": [{\"repositoryName\": \"app\", \"imageDigest\": \"sha256:1\",\n\
         \"imagePushedAt\": 1, \"imagePushedAt\": 2}]}",
    );
    let ct = d.write(
        "ct.json",
        "{\"Records\": [{\"eventSource\": \"ecr.amazonaws.com\", \"eventSource\": \"x\"}]}",
    );
    for (kind, f, path) in [
        ("ecr-images", &page, "$.imageDetails[0].imagePushedAt"),
        ("cloudtrail", &ct, "$.Records[0].eventSource"),
    ] {
        let msg = import_rejected(&d, kind, f);
        assert!(
            msg.contains(&format!("{path}: duplicate key")),
            "{kind}: {msg}"
        );
    }
}

#[test]
fn invalid_utf8_in_a_scenario_names_line_and_column() {
    let s = ScenarioDir::new("utf8", &[]);
    s.dir.write(
        "scenario.toml",
        b"[simulation]\nstart = \"2026-01-01\"\ndays = 2 # \xc3\xa9\xff\n".as_slice(),
    );
    let msg = s.reject(&[]);
    assert_eq!(
        msg,
        format!(
            "{}:3:13: invalid UTF-8: the file must be UTF-8 text",
            s.sc()
        )
    );
}

#[test]
fn strict_errors_on_synthetic_traffic_name_the_scenario_and_the_repository() {
    let text = synthetic("start = 2026-01-01\ndays = 30", "").replace(
        "pushes_per_day = 1",
        "pushes_per_day = 1\nold_pulls_per_day = 50",
    ) + "[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n";
    let lc = r#"{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any",
        "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
        "action": {"type": "expire"}}]}"#;
    let s = ScenarioDir::new("strict-syn", &[("scenario.toml", &text), ("lc.json", lc)]);
    let msg = s.reject(&["--strict"]);
    assert!(
        msg.starts_with(&format!(
            "{}: synthetic traffic of repository app: ignored event: pull of app@sha256:",
            s.sc()
        )),
        "{msg}"
    );
}

#[test]
fn account_and_seed_are_checked_on_the_command_line() {
    let s = ScenarioDir::new(
        "account",
        &[(
            "scenario.toml",
            &synthetic("start = 2026-01-01\ndays = 2", ""),
        )],
    );
    for (flag, value, want) in [
        ("--account", "12345", "an AWS account id is 12 digits"),
        (
            "--account",
            "12345678901x",
            "an AWS account id is 12 digits",
        ),
        (
            "--seed",
            "9223372036854775808",
            "is not in 0..=9223372036854775807",
        ),
    ] {
        let o = s.run(&[flag, value]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&o).contains(want), "{}", stderr(&o));
        assert!(!s.out.exists());
    }
    // The same range as `[simulation] seed`.
    s.dir.write(
        "scenario.toml",
        synthetic(
            "start = 2026-01-01\ndays = 2\nseed = 9223372036854775807",
            "",
        ),
    );
    s.rows(&["--seed", "9223372036854775807"]);
}

#[test]
fn scenarios_too_large_for_the_machine_are_refused_before_simulating() {
    // One repository, 10,000 pushes a day, ten years of history: every key in its range.
    // Before, `run` aborted after 55 s on a failed allocation and `generate` left a 5 GB
    // staging file.
    let text = synthetic("start = 2026-01-01\ndays = 30", "history_days = 3650")
        .replace("pushes_per_day = 1", "pushes_per_day = 10000");
    let s = ScenarioDir::new("too-large", &[("scenario.toml", &text)]);
    let t0 = std::time::Instant::now();
    let msg = s.reject(&[]);
    assert!(
        msg.contains("too large to simulate on this machine class (2 cores, 24 GiB)")
            && msg.contains("live images in repository app (bound 20,000,000")
            && msg.contains("events (bound 5,000,000,000"),
        "{msg}"
    );
    let trace = s.dir.join("t.csv");
    let o = scansim(&["generate", &s.sc(), "--trace-out", trace.to_str().unwrap()]);
    let msg = expect_clean_failure(&o, &trace);
    assert!(msg.contains("an output file of about"), "{msg}");
    assert!(t0.elapsed().as_secs() < 5, "refused up front");
    assert_eq!(
        std::fs::read_dir(&s.dir).unwrap().count(),
        1,
        "nothing written"
    );
    // The same repository with a cleanup job fits.
    s.dir.write(
        "scenario.toml",
        synthetic(
            "start = 2026-01-01\ndays = 3",
            "history_days = 3650\nrescans_per_image_month = 0",
        )
        .replace(
            "pushes_per_day = 1",
            "pushes_per_day = 10\ndelete_after_days = 7",
        ),
    );
    s.rows(&[]);
}

#[test]
fn a_sweep_holds_a_step_of_traffic_not_the_whole_history() {
    // Before, a sweep recorded each repository's whole traffic before simulating it: a
    // `days = 100000` sweep needed gigabytes where `run` needed a few hundred megabytes.
    let text = synthetic(
        "start = 2026-01-01\ndays = 20000",
        "rescans_per_image_month = 0",
    )
    .replace(
        "pushes_per_day = 1",
        "pushes_per_day = 1\ndeploy_pulls_per_day = 20\ndelete_after_days = 30",
    );
    let d = WorkDir::new("sweep-memory");
    d.write("s.toml", &text);
    let out = d.join("out");
    let o = scansim(&[
        "sweep",
        d.join("s.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "-q",
        "--timings",
        "--set",
        "inspector.push_duration=LIFETIME,DAYS_14",
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let held: u64 = err
        .split("at most ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `traffic events held` in {err}"));
    // About 22 events a day for 20,000 days: 440,000 in all; a step is 32 days.
    assert!(held > 0 && held < 5_000, "{held} events held");
}

#[test]
fn value_errors_on_the_sweep_path_name_the_key_and_the_place() {
    let text = synthetic("start = 2026-01-01\ndays = 3", "")
        + "[[sweep.variants]]\nname = \"x\"\nsimulation.days = 99999999999999999999999\n\
           [[sweep.variants]]\nname = \"y\"\nsynthetic.repositories = [{ name = \"cd\", \
           count = 1, pushes_per_day = 1, x.y.z.w = 1 }]\n";
    let d = WorkDir::new("sweep-values");
    d.write("s.toml", &text);
    let s = d.join("s.toml");
    let o = scansim(&[
        "sweep",
        s.to_str().unwrap(),
        "--out",
        d.join("o").to_str().unwrap(),
        "--set",
        "simulation.seed=99999999999999999999999,-1",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for want in [
        "s.toml:12:19: sweep.variants[0].simulation.days: integer out of range",
        "simulation.seed (--set simulation.seed=99999999999999999999999): integer out of range",
        "simulation.seed (--set simulation.seed=-1): must be at least 0 (got -1)",
    ] {
        assert!(err.contains(want), "want {want} in {err}");
    }
}

#[test]
fn import_never_writes_a_line_longer_than_a_trace_line_may_be() {
    let tags: Vec<String> = (0..9000).map(|i| format!("\"t{i:0>119}\"")).collect();
    let d = WorkDir::new("long-line");
    let f = d.write(
        "i.json",
        format!(
            r#"{{"imageDetails": [{{"repositoryName": "app", "imageDigest": "sha256:1",
            "imagePushedAt": 1767225600, "imageTags": [{}]}}]}}"#,
            tags.join(",")
        ),
    );
    let msg = import_rejected(&d, "ecr-images", &f);
    assert!(
        msg.contains("row 1 would be 1089") && msg.contains("more than the 1048576 bytes"),
        "{msg}"
    );
}

#[test]
fn errors_in_long_dotted_keys_point_at_the_key() {
    for (body, want) in [
        (
            "[[timeline]]\nat = 2026-01-01\nregistry.scan_type = \"X\"",
            "scenario.toml:6:22: timeline[0].registry.scan_type: unknown scan_type `X`",
        ),
        (
            "[[timeline]]\nat = 2026-01-01\ninspector.push_duration.x.y.z = 1",
            "scenario.toml:6:11: timeline[0].inspector.push_duration: expected a string, found table",
        ),
        (
            "[synthetic]\nrepositories.a.b.c.d.e.f = 1",
            "scenario.toml:5:1: synthetic.repositories: expected an array, found table",
        ),
    ] {
        let text = format!("[simulation]\nstart = 2026-01-01\ndays = 2\n{body}\n");
        let s = ScenarioDir::new("dotted", &[("scenario.toml", &text)]);
        let msg = s.reject(&[]);
        assert!(msg.ends_with(want) || msg.contains(want), "{msg}");
    }
}
