//! `scansim import`: hand-written AWS CLI outputs (`tests/fixtures/import/`) turned into
//! traces, compared byte for byte with hand-written expected traces; errors; and a round
//! trip through `scansim run`.
//!
//! The fixtures: `ecr-web-page1.json` and `ecr-web-page2.json` are two pages of AWS CLI v1
//! output (epoch numbers; page 2 repeats an image of page 1; the pull time
//! `1767657599.9999999` must floor to 23:59:59, where a float would give midnight);
//! `ecr-api-pages.json` is CLI v2 output (ISO 8601 with several offsets) as a JSON array
//! of two pages, with an archived, an activating and a restored image, an OCI index and
//! a manifest list given as `artifactMediaType`; `inspector-coverage.json` is one
//! list-coverage page with ECR images (one named only by its ARN, one archived, one in a
//! repository no describe-images page covers) and other resource types.

use crate::common::{
    ScenarioDir, WorkDir, assert_success, columns, read_text, repo_file, scansim, scansim_ok,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    repo_file("tests/fixtures/import")
        .join(name)
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

fn expected(name: &str) -> String {
    read_text(Path::new(&fixture(name)))
}

/// Runs `scansim import ARGS... --trace-out OUT`, asserts success, returns the trace.
fn import_ok(test: &str, args: &[&str]) -> String {
    let dir = WorkDir::new(test);
    let out = dir.join("trace.csv");
    let mut all: Vec<String> = vec!["import".into()];
    for a in args {
        // Kind words stay as they are; file names are fixtures.
        if ["ecr-images", "inspector-coverage", "auto"].contains(a) {
            all.push(a.to_string());
        } else {
            all.push(fixture(a));
        }
    }
    all.push("--trace-out".into());
    all.push(out.to_str().unwrap().into());
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    scansim_ok(&refs);
    read_text(&out)
}

const ECR: [&str; 4] = [
    "ecr-images",
    "ecr-web-page1.json",
    "ecr-web-page2.json",
    "ecr-api-pages.json",
];

#[test]
fn ecr_images_pages_of_cli_v1_and_v2_give_the_expected_trace() {
    let got = import_ok("import-ecr", &ECR);
    assert_eq!(got, expected("expected-ecr-images.csv"));
}

#[test]
fn ecr_images_and_inspector_coverage_merge_into_one_trace() {
    let mut args = ECR.to_vec();
    args.extend(["inspector-coverage", "inspector-coverage.json"]);
    let got = import_ok("import-all", &args);
    assert_eq!(got, expected("expected-all.csv"));
}

#[test]
fn inspector_coverage_alone_gives_its_pulls_and_in_use_rows() {
    let got = import_ok(
        "import-cov",
        &["inspector-coverage", "inspector-coverage.json"],
    );
    assert_eq!(got, expected("expected-inspector-coverage.csv"));
}

#[test]
fn auto_tells_the_kinds_apart_and_input_order_does_not_matter() {
    let got = import_ok(
        "import-auto",
        &[
            "auto",
            "inspector-coverage.json",
            "ecr-api-pages.json",
            "ecr-web-page2.json",
            "ecr-web-page1.json",
            "ecr-web-page1.json",
        ],
    );
    assert_eq!(got, expected("expected-all.csv"));
}

#[test]
fn malformed_file_names_the_file_and_json_path_and_writes_nothing() {
    let dir = WorkDir::new("import-bad");
    let fresh = dir.join("fresh.csv");
    let existing = dir.join("existing.csv");
    // An earlier trace (which --trace-out may replace) survives a failed import.
    let old = "time,event,repository,digest,tags,supported\nold content\n";
    std::fs::write(&existing, old).unwrap();
    for out in [&fresh, &existing] {
        let o = scansim(&[
            "import",
            "ecr-images",
            &fixture("ecr-web-page1.json"),
            &fixture("malformed-push-time.json"),
            "--trace-out",
            out.to_str().unwrap(),
        ]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("malformed-push-time.json:26:34: $[1].imageDetails[0].imagePushedAt:"),
            "{err}"
        );
        assert!(err.contains("offset is missing"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!fresh.exists(), "no trace is written on an error");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), old);
    let left: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left, [existing], "no temporary file is left behind");
}

#[test]
fn a_file_given_as_the_wrong_kind_or_without_a_kind_is_refused() {
    let dir = WorkDir::new("import-kind");
    let out = dir.arg("t.csv");
    let out = out.as_str();
    let cov = fixture("inspector-coverage.json");
    let o = scansim(&["import", "ecr-images", &cov, "--trace-out", out]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("inspector-coverage.json") && err.contains("given as ecr-images"),
        "{err}"
    );
    let o = scansim(&["import", &cov, "--trace-out", out]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("KIND"), "{err}");
    assert!(!Path::new(out).exists());
}

/// Days 0..9 from 2026-01-01 under ENHANCED with every repository continuous and the
/// 2024 defaults (push window LIFETIME), derived by hand from `expected-all.csv`:
/// - day 2: team/api 5555 archived at 00:00 (ACTIVATING counts as archived), 1111 pulled;
/// - day 3: the in_use of `batch` names no image (ignored), the web index is unsupported;
/// - day 4: the pull of web bbbb at 23:59:59.9999999 is still day 4;
/// - day 5: team/api 1111 archived at 01:00+01:00 = midnight, 2222 pushed, 3333 an index;
/// - day 6: 2222 archived, 4444 an index (artifactMediaType);
/// - day 7: 2222 restored: a rescan, 0.01.
const DAILY: &str = "\
date,day,images,active,expired,scan_on_push,not_scanned,unsupported,archived,pushes,pulls,deletes,initial_scans,rescans,basic_scans,expirations,cost_usd,cumulative_cost_usd,coverage_pct,in_use,in_use_active,in_use_coverage_pct
2026-01-01,0,2,2,0,0,0,0,0,2,0,0,2,0,0,0,0.18,0.18,100.00,0,0,
2026-01-02,1,3,3,0,0,0,0,0,1,0,0,1,0,0,0,0.09,0.27,100.00,0,0,
2026-01-03,2,4,3,0,0,0,0,1,1,1,0,1,0,0,0,0.09,0.36,75.00,1,1,100.00
2026-01-04,3,5,3,0,0,0,1,1,1,0,0,0,0,0,0,0.00,0.36,60.00,1,1,100.00
2026-01-05,4,5,3,0,0,0,1,1,0,1,0,0,0,0,0,0.00,0.36,60.00,2,2,100.00
2026-01-06,5,7,3,0,0,0,2,2,2,0,0,1,0,0,0,0.09,0.45,42.86,1,1,100.00
2026-01-07,6,8,2,0,0,0,3,3,1,0,0,0,0,0,0,0.00,0.45,25.00,1,1,100.00
2026-01-08,7,8,3,0,0,0,3,2,0,1,0,0,1,0,0,0.01,0.46,37.50,1,1,100.00
2026-01-09,8,8,3,0,0,0,3,2,0,1,0,0,0,0,0,0.00,0.46,37.50,2,2,100.00
2026-01-10,9,8,3,0,0,0,3,2,0,0,0,0,0,0,0,0.00,0.46,37.50,2,2,100.00
";

#[test]
fn imported_trace_replays_in_run_with_hand_derived_daily_values() {
    let mut args = ECR.to_vec();
    args.extend(["inspector-coverage", "inspector-coverage.json"]);
    let trace = import_ok("import-run-trace", &args);
    let s = ScenarioDir::new(
        "import-run",
        &[
            ("trace.csv", &trace),
            (
                "scenario.toml",
                "[simulation]\nstart = \"2026-01-01\"\ndays = 10\n\n\
                 [registry]\nscan_type = \"ENHANCED\"\n\n\
                 [traffic]\ntrace = \"trace.csv\"\n",
            ),
        ],
    );
    let o = s.run(&[]);
    assert_success(&o);
    let got = read_text(&s.out.join("daily.csv"));
    let (got, want) = (columns(&got, 22), columns(DAILY, 22));
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "daily.csv line {}", i + 1);
    }
    assert_eq!(got.len(), want.len());
}
