//! End-to-end behaviour of `scansim run` (SPEC §8, §11): what a successful run writes, how
//! the output directory is replaced as a whole, what a failed run leaves, how paths are
//! resolved, and that runs are deterministic.

use crate::common::{
    PINNED_HEADER, ScenarioDir, WorkDir, cases_dir, expect_clean_failure, expect_rows, leftovers,
    pinned_rows, read_text, run_scenario, scansim_in, tree,
};

const HEADER: &str = "time,event,repository,digest,tags,supported\n";

/// BASIC with scan on push for every repository, 2 days from 2026-01-01.
const SCENARIO: &str = r#"[simulation]
start = "2026-01-01"
days = 2
[registry]
scan_type = "BASIC"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }]
[traffic]
trace = "events.csv"
"#;

/// Two pushes on day 0 (two basic scans), one pull on day 1.
const EVENTS: &str = "2026-01-01T10:00:00Z,push,app,a,latest,\n\
                      2026-01-01T11:00:00Z,push,app,b,,\n\
                      2026-01-02T09:00:00Z,pull,app,a,,\n";

/// The pinned rows of SCENARIO over EVENTS: day 0 two images scanned on push (basic,
/// free), day 1 a pulled (in use, not active).
const ROWS: [&str; 2] = [
    "2026-01-01,0,2,0,0,2,0,0,0,2,0,0,0,0,2,0,0.00,0.00,0.00,0,0,",
    "2026-01-02,1,2,0,0,2,0,0,0,0,1,0,0,0,0,0,0.00,0.00,0.00,1,0,0.00",
];

/// A work directory with SCENARIO and EVENTS.
fn setup(name: &str) -> ScenarioDir {
    ScenarioDir::new(
        &format!("cli-{name}"),
        &[
            ("scenario.toml", SCENARIO),
            ("events.csv", &format!("{HEADER}{EVENTS}")),
        ],
    )
}

#[test]
fn success_writes_daily_csv_with_the_pinned_header_and_lf_lines() {
    let s = setup("success");
    let o = s.run(&[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "",
        "no warning expected"
    );
    let text = read_text(&s.out.join("daily.csv"));
    let header = text.lines().next().expect("header");
    assert!(
        header == PINNED_HEADER || header.starts_with(&format!("{PINNED_HEADER},")),
        "header must start with the pinned columns: {header}"
    );
    assert!(text.ends_with('\n'), "the file ends with a newline");
    assert!(!text.contains('\r'), "lines end with LF");
    assert_eq!(text.lines().count(), 3, "header and one row per day");
    assert_eq!(pinned_rows(&text), ROWS);
    assert_eq!(leftovers(&s.out), Vec::<String>::new());
}

#[test]
fn rerun_replaces_the_output_directory_as_a_whole() {
    let s = setup("replace");
    let out = &s.out;
    // An earlier output (with its marker) that collected stray files.
    s.dir.write_files(&[
        ("out/.scansim-output", "written by scansim\n"),
        ("out/stray.txt", "left over"),
        ("out/daily.csv", "old content\n"),
        ("out/sub/old.csv", "x"),
    ]);
    assert_eq!(s.rows(&[]), ROWS);
    assert!(!out.join("stray.txt").exists(), "stray file survived");
    assert!(!out.join("sub").exists(), "stray directory survived");
    assert_eq!(
        leftovers(out),
        Vec::<String>::new(),
        "staging or backup left"
    );
    // And again over the output of the first run.
    assert_eq!(s.rows(&[]), ROWS);
    assert_eq!(leftovers(out), Vec::<String>::new());
}

#[test]
fn failed_run_leaves_an_existing_output_directory_untouched() {
    let s = setup("fail-existing");
    let out = &s.out;
    s.dir.write_files(&[
        ("out/.scansim-output", "written by scansim\n"),
        ("out/stray.txt", "keep me"),
        ("out/daily.csv", "old content\n"),
    ]);
    let before = tree(out);
    // A bad row on line 4 of the trace: the error is found mid-run.
    s.dir.write(
        "events.csv",
        format!("{HEADER}{EVENTS}2026-01-02T10:00:00Z,pusj,app,c,,\n"),
    );
    let o = s.run(&[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: {}:5:2: column event: unknown event `pusj`",
            s.path("events.csv")
        )),
        "{stderr}"
    );
    assert_eq!(tree(out), before, "the old output must be untouched");
    assert_eq!(leftovers(out), Vec::<String>::new());
}

#[test]
fn failed_run_creates_no_output_directory() {
    let s = setup("fail-absent");
    s.dir
        .write("scenario.toml", SCENARIO.replace("days = 2", "days = 0"));
    s.reject(&[]);
    // Nor any parent of it.
    let nested = s.dir.join("new").join("out");
    expect_clean_failure(&s.run_to(&nested, &[]), &nested);
    assert!(
        !s.dir.join("new").exists(),
        "parent of --out created by a failed run"
    );
}

#[test]
fn out_naming_a_regular_file_is_refused_without_side_effects() {
    // SPEC §11: a failing run writes no partial output.  `--out` naming an existing file
    // (not a directory) must fail before anything is written: the file keeps its
    // content, no directory appears in its place, nothing is left beside it.
    let s = setup("out-is-file");
    let out = s.dir.write("out", "not a directory\n");
    let o = s.run(&[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(&out.display().to_string()),
        "the message names --out: {stderr}"
    );
    assert!(out.is_file(), "the file was replaced");
    assert_eq!(read_text(&out), "not a directory\n");
    assert_eq!(leftovers(&out), Vec::<String>::new(), "left beside --out");
}

#[test]
fn trace_option_is_relative_to_the_current_directory() {
    // `t.csv` exists beside the scenario (3 images) and in the working directory
    // (1 image): --trace t.csv must read the working directory's.
    let cwd = WorkDir::new("cli-trace-cwd");
    cwd.write_files(&[
        ("scen/scenario.toml", SCENARIO),
        ("scen/events.csv", &format!("{HEADER}{EVENTS}")),
        (
            "scen/t.csv",
            &format!(
                "{HEADER}2026-01-01T10:00:00Z,push,app,x,,\n2026-01-01T10:00:00Z,push,app,y,,\n2026-01-01T10:00:00Z,push,app,z,,\n"
            ),
        ),
        (
            "t.csv",
            &format!("{HEADER}2026-01-01T12:00:00Z,push,web,w,,\n"),
        ),
    ]);
    let o = scansim_in(
        &cwd,
        &[
            "run",
            "scen/scenario.toml",
            "--out",
            "out",
            "--trace",
            "t.csv",
            "--no-charts",
        ],
    );
    // --out is relative to the working directory as well.
    let rows = expect_rows(&o, &cwd.join("out"));
    assert_eq!(
        rows,
        [
            "2026-01-01,0,1,0,0,1,0,0,0,1,0,0,0,0,1,0,0.00,0.00,0.00,0,0,",
            "2026-01-02,1,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0.00,0.00,0.00,0,0,",
        ]
    );
}

#[test]
fn scenario_paths_are_relative_to_the_scenario_file() {
    // SPEC §11: relative paths in a scenario are relative to the scenario file, not to
    // the working directory (which holds a different events.csv).
    let cwd = WorkDir::new("cli-scenario-relative");
    cwd.write_files(&[
        ("sub/scenario.toml", SCENARIO),
        ("sub/events.csv", &format!("{HEADER}{EVENTS}")),
        (
            "events.csv",
            &format!("{HEADER}2026-01-01T12:00:00Z,push,web,w,,\n"),
        ),
    ]);
    let o = scansim_in(
        &cwd,
        &["run", "sub/scenario.toml", "--out", "out", "--no-charts"],
    );
    assert_eq!(expect_rows(&o, &cwd.join("out")), ROWS);
}

#[test]
fn missing_scenario_file_names_the_file() {
    let dir = WorkDir::new("cli-missing-scenario");
    let sc = dir.join("nope.toml");
    let out = dir.join("out");
    let o = run_scenario(&sc, &out, &["--no-charts"]);
    let msg = expect_clean_failure(&o, &out);
    // The operating system's reason, once: "PATH: No such file or directory (os error 2)".
    let reason = std::fs::read(&sc).unwrap_err().to_string();
    assert_eq!(msg, format!("{}: {reason}", sc.display()));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!("error: {msg}\n"),
        "one line on stderr"
    );
}

#[test]
fn missing_trace_option_file_names_the_file() {
    let s = setup("missing-trace-option");
    let missing = s.dir.join("missing.csv");
    let msg = s.reject(&["--trace", missing.to_str().unwrap()]);
    let reason = std::fs::read(&missing).unwrap_err().to_string();
    assert_eq!(msg, format!("{}: {reason}", missing.display()));
}

#[test]
fn scenario_without_traffic_needs_the_trace_option() {
    let s = setup("no-traffic");
    let text = SCENARIO.replace("[traffic]\ntrace = \"events.csv\"\n", "");
    s.dir.write("scenario.toml", &text);
    let msg = s.reject(&[]);
    assert_eq!(
        msg,
        format!(
            "{}: the scenario has no traffic: add [traffic] trace = \"events.csv\" or \
             [synthetic], or give --trace FILE",
            s.sc()
        )
    );
    let trace = s.path("events.csv");
    assert_eq!(s.rows(&["--trace", &trace]), ROWS);
}

/// Runs `scenario` twice into two directories and asserts byte-identical outputs (the
/// command line recorded in summary.json aside).
fn assert_two_runs_identical(root: &WorkDir, name: &str, sc: &std::path::Path) {
    let outs: Vec<_> = (0..2).map(|i| root.join(format!("{name}-{i}"))).collect();
    for out in &outs {
        let o = run_scenario(sc, out, &["--no-charts"]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (a, b) = (tree(&outs[0]), tree(&outs[1]));
    assert!(a.contains_key("daily.csv"), "{name}: daily.csv");
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{name}: files"
    );
    for (file, bytes) in &a {
        if file == "summary.json" {
            // The command line (with its --out) is recorded; all else must match.
            let strip = |b: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(b).expect("json");
                v["source"]["command"] = serde_json::Value::Null;
                v
            };
            assert_eq!(
                strip(bytes),
                strip(&b[file]),
                "{name}: summary.json differs"
            );
            continue;
        }
        assert!(bytes == &b[file], "{name}: {file} differs between runs");
    }
}

#[test]
fn same_scenario_twice_gives_byte_identical_outputs() {
    // The small scenario of this module, into two directories, then into the same
    // directory twice.
    let s = setup("determinism");
    assert_two_runs_identical(&s.dir, "small", &s.dir.join("scenario.toml"));
    expect_rows(&s.run(&[]), &s.out);
    let first = tree(&s.out);
    expect_rows(&s.run(&[]), &s.out);
    assert_eq!(tree(&s.out), first);
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/cases not found beside the checkout: the shared golden cases were not run"
)]
fn same_shared_case_twice_gives_byte_identical_outputs() {
    // The largest shared cases exercise many repositories (parallel day ends).
    let cases = cases_dir();
    let root = WorkDir::new("cli-determinism");
    let mut checked = 0;
    for name in [
        "generated-medium-21",
        "generated-medium-22",
        "lifecycle-governing",
    ] {
        let sc = cases.join(name).join("scenario.toml");
        if !sc.is_file() {
            continue;
        }
        assert_two_runs_identical(&root, name, &sc);
        checked += 1;
    }
    assert!(
        checked > 0,
        "no shared case found for the determinism check"
    );
}
