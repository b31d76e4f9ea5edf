//! `scansim import cloudtrail` and `scansim import usage-totals` through the binary.
//!
//! The fixtures (`tests/fixtures/cloudtrail/`) are one small history of three
//! repositories, in the shapes CloudTrail delivers (see `expected-history.csv` for the
//! rows it must give):
//! - `s3/AWSLogs/.../CloudTrail/...`: three log files whose records are out of time
//!   order within and across files (`a.json` holds a lifecycle record of Jan 3 among
//!   records of Jan 1); the test gzips `b.json` as CloudTrail delivers it; a
//!   `CloudTrail-Digest` file that must be passed over;
//! - `lookup-events-page1.json`, `-page2.json`: two lookup-events pages, newest first,
//!   records as JSON text in `CloudTrailEvent`; page 2 repeats eventID `e-05` of `a.json`
//!   (a duplicate);
//! - `describe-images-old.json`: the `--snapshot` of repository `old`, whose images
//!   predate the history (and one pull inside it, which the history covers).
//!
//! The history: `web:latest` and `web:v1` pushed in one second (one row), pulled by tag
//! before and after `latest` moves to another image; pulls by Inspector (as an
//! `AWSService`, and through its service-linked role), by an excluded principal, and by an
//! unknown tag; a failed PutImage; an image index and a platform image; an archive and a
//! restore by tag; a lifecycle run split over two records (a transition and an expiry);
//! deletes by tag (the last tag: the image goes; not the last: only the tag goes); a
//! repository deleted with its images; a record of another service and another ECR call.

use crate::common::{WorkDir, scansim, write_files};
use crate::ct_render::{Renderer, Row, lookup_events_page};
use serde_json::json;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudtrail")
}

/// A folder of `../shared` (AWS documentation samples): required by these tests.
fn shared_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(name);
    assert!(
        d.is_dir(),
        "{}: missing; these tests read the AWS documentation samples from ../shared/{name}",
        d.display()
    );
    d
}

const SCANNER: &str = "arn:aws:iam::123456789012:role/scanner";

fn gzip(path: &Path) {
    let data = std::fs::read(path).unwrap();
    let out = std::fs::File::create(format!("{}.gz", path.display())).unwrap();
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    gz.write_all(&data).unwrap();
    gz.finish().unwrap();
    std::fs::remove_file(path).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let q = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &q);
        } else {
            std::fs::copy(&p, &q).unwrap();
        }
    }
}

/// The fixture's S3 folder in `dir`, with `b.json` gzipped; returns its path.
fn s3_copy(dir: &Path) -> PathBuf {
    let s3 = dir.join("s3");
    copy_dir(&fixtures().join("s3"), &s3);
    let day1 = s3.join("AWSLogs/123456789012/CloudTrail/eu-west-1/2026/01/01");
    gzip(&day1.join("123456789012_CloudTrail_eu-west-1_20260101T0905Z_b.json"));
    s3
}

/// The fixture history, its S3 folder copied into `dir`: (S3 folder, lookup-events
/// page 1, page 2, snapshot).
fn history(dir: &Path) -> [PathBuf; 4] {
    let f = fixtures();
    [
        s3_copy(dir),
        f.join("lookup-events-page1.json"),
        f.join("lookup-events-page2.json"),
        f.join("describe-images-old.json"),
    ]
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

/// `scansim import cloudtrail ARGS --trace-out DIR/NAME`; the trace and stderr.
fn import(dir: &Path, name: &str, args: &[&str]) -> (String, String) {
    let out = dir.join(name);
    let mut all = vec!["import", "cloudtrail"];
    all.extend_from_slice(args);
    all.extend(["--trace-out", out.to_str().unwrap()]);
    let err = ok(&scansim(&all));
    (std::fs::read_to_string(&out).unwrap(), err)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn history_fixtures_give_the_expected_trace_and_summary() {
    let dir = WorkDir::new("ct-history");
    let [s3, p1, p2, snap] = history(&dir);
    let (trace, err) = import(
        &dir,
        "history.csv",
        &[
            s(&s3),
            s(&p1),
            s(&p2),
            "--snapshot",
            s(&snap),
            "--exclude-puller",
            SCANNER,
        ],
    );
    let want = std::fs::read_to_string(fixtures().join("expected-history.csv")).unwrap();
    assert_eq!(trace, want);
    for part in [
        "18 rows (2 archive, 3 delete, 5 pull, 7 push, 1 restore) from 25 CloudTrail records \
         in 5 file(s), 3 of them from the snapshot",
        "skipped: 1 records of other services, 1 other ECR calls (GetAuthorizationToken 1), 1 \
         failed calls (errorCode), 2 pulls by Amazon Inspector, 1 pulls by excluded \
         principals, 1 duplicates (same eventID)",
        "warning: 1 image id(s) given by a tag",
        "web:nightly at 2026-01-01T15:30:00Z",
        "1 delete(s) by tag only removed that tag",
        "1 PutImage call(s) of an image already pushed in the same second joined its push \
         row; 1 snapshot fact(s)",
    ] {
        assert!(err.contains(part), "want `{part}` in:\n{err}");
    }
    // Without the exclusion the scanner's pull counts; without the snapshot, the pull of
    // old:stable cannot be resolved and `old` has no image.
    let (trace, _) = import(&dir, "no-excl.csv", &[s(&s3), s(&p1), s(&p2)]);
    assert!(
        trace.contains("2026-01-01T14:00:00Z,pull,web,sha256:bbbb"),
        "{trace}"
    );
    assert!(!trace.contains(",old,"), "{trace}");
}

#[test]
fn file_order_and_sort_runs_do_not_change_the_trace() {
    let dir = WorkDir::new("ct-order");
    let [s3, p1, p2, snap] = history(&dir);
    let mut files: Vec<PathBuf> = Vec::new();
    collect(&s3, &mut files);
    files.extend([p1, p2]);
    let excl = ["--snapshot", s(&snap), "--exclude-puller", SCANNER];
    let mut args: Vec<&str> = files.iter().map(|p| s(p)).collect();
    args.extend(excl);
    let (first, _) = import(&dir, "a.csv", &args);
    let mut rev: Vec<&str> = files.iter().rev().map(|p| s(p)).collect();
    rev.extend(excl);
    for (buffer, name) in [("1", "b.csv"), ("3", "c.csv"), ("1000", "d.csv")] {
        let mut a = rev.clone();
        a.extend(["--sort-buffer", buffer]);
        let (trace, err) = import(&dir, name, &a);
        assert_eq!(trace, first, "--sort-buffer {buffer}");
        if buffer != "1000" {
            assert!(err.contains("runs of at most"), "{err}");
        }
    }
    // Only the traces are left: no sort run, no staging file.
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["a.csv", "b.csv", "c.csv", "d.csv", "s3"]);
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("CloudTrail-Digest") {
                collect(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

#[test]
fn imported_history_replays_in_run_with_strict() {
    let dir = WorkDir::new("ct-run");
    let [s3, p1, p2, snap] = history(&dir);
    import(
        &dir,
        "trace.csv",
        &[s(&s3), s(&p1), s(&p2), "--snapshot", s(&snap)],
    );
    write_files(
        &dir,
        &[(
            "scenario.toml",
            "[simulation]\nstart = \"2026-01-01\"\ndays = 5\n\n[registry]\n\
             scan_type = \"ENHANCED\"\n\n[traffic]\ntrace = \"trace.csv\"\n",
        )],
    );
    let out = dir.join("out");
    let o = scansim(&[
        "run",
        s(&dir.join("scenario.toml")),
        "--out",
        s(&out),
        "--no-charts",
        "--strict",
    ]);
    ok(&o);
    let daily = std::fs::read_to_string(out.join("daily.csv")).unwrap();
    // Day 0: old's two images (history), web's two pushes; day 3: web deleted.
    let rows: Vec<Vec<&str>> = daily
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0][2], "4", "images on day 0: {daily}");
    assert_eq!(rows[3][2], "3", "images on day 3 (old 2, api 1): {daily}");
}

/// The JSON after `Output::` in an AWS CLI example page (`.rst`), unindented.
fn rst_json(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let after = text.split("Output::").nth(1).expect("an Output:: block");
    let mut json = String::new();
    for line in after.lines() {
        if !line.trim().is_empty() && !line.starts_with(' ') {
            break;
        }
        json.push_str(line);
        json.push('\n');
    }
    json
}

/// The JSON of an AWS CLI example page, written to `dir/name`.
fn rst_file(rst: &Path, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, rst_json(rst)).unwrap();
    p
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/aws-samples not found beside the checkout: the AWS sample tests were not run"
)]
fn aws_cloudtrail_samples_import_to_the_expected_rows() {
    let ct = shared_dir("aws-samples/cloudtrail");
    let dir = WorkDir::new("ct-samples");
    let lookup = rst_file(
        &ct.join("awscli_cloudtrail_lookup-events.rst"),
        &dir,
        "lookup-events.json",
    );
    let put = ct.join("ecr-PutImage.awsdocs.json");
    let get = ct.join("ecr-BatchGetImage.awsdocs.json");
    let create = ct.join("ecr-CreateRepository.awsdocs.json");
    let (trace, err) = import(&dir, "t.csv", &[s(&get), s(&create), s(&lookup), s(&put)]);
    // The pull names `latest`, which the PutImage 38 minutes earlier gave that digest.
    let d = "sha256:98c8b060c21d9adbb6b8c41b916e95e6307102786973ab93a41e8b86d1fc6d3e";
    assert_eq!(
        trace,
        format!(
            "time,event,repository,digest,tags,supported\n\
             2019-04-15T16:45:00Z,push,testrepo,{d},latest,true\n\
             2019-04-15T17:23:20Z,pull,testrepo,{d},,\n"
        )
    );
    assert!(
        err.contains("from 4 CloudTrail records in 4 file(s)")
            && err.contains("1 records of other services")
            && err.contains("1 other ECR calls (CreateRepository 1)"),
        "{err}"
    );
    // The lifecycle sample expires two images pushed (pushedAt, milliseconds) before it:
    // a snapshot of them makes them live, and the record deletes both.
    let snap = dir.join("snap.json");
    std::fs::write(
        &snap,
        r#"{"imageDetails": [
  {"repositoryName": "testrepo", "imageTags": ["alpine"], "imagePushedAt": 1584042813.0,
   "imageDigest": "sha256:ddba4d27a7ffc3f86dd6c2f92041af252a1f23a8e742c90e6e1297bfa1bc0c45"},
  {"repositoryName": "testrepo", "imageTags": ["centos"], "imagePushedAt": 1584042842.0,
   "imageDigest": "sha256:6ab380c5a5acf71c1b6660d645d2cd79cc8ce91b38e0352cbf9561e050427baf"}]}"#,
    )
    .unwrap();
    let lc = ct.join("ecr-PolicyExecutionEvent-lifecycle-expire.awsdocs.json");
    let (trace, _) = import(&dir, "lc.csv", &[s(&lc), "--snapshot", s(&snap)]);
    let (a, c) = (
        "sha256:ddba4d27a7ffc3f86dd6c2f92041af252a1f23a8e742c90e6e1297bfa1bc0c45",
        "sha256:6ab380c5a5acf71c1b6660d645d2cd79cc8ce91b38e0352cbf9561e050427baf",
    );
    assert_eq!(
        trace,
        format!(
            "time,event,repository,digest,tags,supported\n\
             2020-03-12T19:53:33Z,push,testrepo,{a},alpine,true\n\
             2020-03-12T19:54:02Z,push,testrepo,{c},centos,true\n\
             2020-03-12T20:22:12Z,delete,testrepo,{a},,\n\
             2020-03-12T20:22:12Z,delete,testrepo,{c},,\n"
        )
    );
}

/// A CloudTrail record of an ECR call, with a response taken from an AWS CLI example.
fn cli_record(id: &str, time: &str, name: &str, req: serde_json::Value, resp: &str) -> String {
    let resp: serde_json::Value = if resp.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(resp).expect("CLI example output")
    };
    json!({
        "eventVersion": "1.08", "eventTime": time, "eventSource": "ecr.amazonaws.com",
        "eventName": name, "eventID": id, "requestParameters": req, "responseElements": resp,
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/Mary_Major"}
    })
    .to_string()
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/aws-samples not found beside the checkout: the AWS sample tests were not run"
)]
fn aws_cli_samples_serve_as_snapshot_and_responses() {
    let cli = shared_dir("aws-samples/cli");
    let dir = WorkDir::new("ct-cli");
    let snap = rst_file(
        &cli.join("ecr_describe-images.rst"),
        &dir,
        "describe-images.json",
    );
    let (ca, hw, ub) = (
        "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5",
        "sha256:8ece96b74f87652876199d83bd107d0435a196133af383ac54cb82b6cc5283ae",
        "sha256:19665f1e6d1e504117a1743c0a3d3753086354a38375961f2e665416ef4b1b2f",
    );
    let cli_out = |page: &str| rst_json(&cli.join(page));
    let pushed_ub = json!({"image": {"imageId": {"imageDigest": ub, "imageTag": "precise"}}});
    // (time, call, request, response: an AWS CLI example's output where there is one)
    let calls = [
        (
            "10:00",
            "BatchGetImage",
            json!({"repositoryName": "cluster-autoscaler", "imageIds": [{"imageTag": "v1.13.6"}]}),
            cli_out("ecr_batch-get-image.rst"),
        ),
        (
            "11:00",
            "PutImage",
            json!({"repositoryName": "hello-world", "imageTag": "2019.08"}),
            cli_out("ecr_put-image.rst"),
        ),
        (
            "11:30",
            "PutImage",
            json!({"repositoryName": "ubuntu", "imageTag": "precise"}),
            pushed_ub.to_string(),
        ),
        (
            "12:00",
            "BatchDeleteImage",
            json!({"repositoryName": "ubuntu", "imageIds": [{"imageTag": "precise"}]}),
            cli_out("ecr_batch-delete-image.rst"),
        ),
        (
            "13:00",
            "DeleteRepository",
            json!({"repositoryName": "hello-world", "force": true}),
            cli_out("ecr_delete-repository.rst"),
        ),
    ];
    let records: Vec<String> = calls
        .into_iter()
        .enumerate()
        .map(|(i, (hm, name, req, resp))| {
            let time = format!("2019-08-07T{hm}:00Z");
            cli_record(&format!("cli-{i}"), &time, name, req, &resp)
        })
        .collect();
    let log = dir.join("log.json");
    std::fs::write(&log, format!("{{\"Records\": [{}]}}", records.join(",\n"))).unwrap();
    let (trace, _) = import(&dir, "t.csv", &[s(&log), "--snapshot", s(&snap)]);
    assert_eq!(
        trace,
        format!(
            "time,event,repository,digest,tags,supported\n\
             2019-08-06T21:51:15Z,push,cluster-autoscaler,{ca},v1.13.6,true\n\
             2019-08-07T10:00:00Z,pull,cluster-autoscaler,{ca},,\n\
             2019-08-07T11:00:00Z,push,hello-world,{hw},2019.08,true\n\
             2019-08-07T11:30:00Z,push,ubuntu,{ub},precise,true\n\
             2019-08-07T12:00:00Z,delete,ubuntu,{ub},,\n\
             2019-08-07T13:00:00Z,delete,hello-world,{hw},,\n"
        )
    );
}

#[test]
fn a_malformed_record_names_file_place_and_path_and_leaves_nothing() {
    let dir = WorkDir::new("ct-bad");
    let out = dir.join("t.csv");
    let good = fixtures().join("lookup-events-page2.json");
    for (name, text, want) in [
        (
            "year.json",
            "{\"Records\": [\n  {\"eventSource\": \"ecr.amazonaws.com\", \"eventName\": \
             \"PutImage\",\n   \"eventTime\": \"10000-01-01T00:00:00Z\"}]}",
            "year.json:3:17: $.Records[0].eventTime: invalid instant",
        ),
        (
            "page.json",
            "{\"Events\": [{\"CloudTrailEvent\": \"{\\\"eventSource\\\": \
             \\\"ecr.amazonaws.com\\\", \\\"eventName\\\": \\\"BatchGetImage\\\", \
             \\\"eventTime\\\": \\\"2026-01-01T00:00:00Z\\\", \\\"eventID\\\": \\\"x\\\", \
             \\\"requestParameters\\\": {\\\"repositoryName\\\": \\\"Web\\\"}}\"}]}",
            "page.json:1:33: $.Events[0].CloudTrailEvent.requestParameters.repositoryName: \
             invalid repository name `Web`",
        ),
    ] {
        let bad = dir.join(name);
        std::fs::write(&bad, text).unwrap();
        let o = scansim(&[
            "import",
            "cloudtrail",
            s(&good),
            s(&bad),
            "--sort-buffer",
            "1",
            "--trace-out",
            s(&out),
        ]);
        let err = crate::common::expect_clean_failure(&o, &out);
        assert!(err.contains(want), "want `{want}` in: {err}");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "sort runs or staging left: {left:?}");
        std::fs::remove_file(&bad).unwrap();
    }
}

fn usage(args: &[&str]) -> String {
    let mut all = vec!["import", "usage-totals"];
    all.extend_from_slice(args);
    let o = scansim(&all);
    ok(&o);
    String::from_utf8(o.stdout).unwrap()
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "../shared/aws-samples not found beside the checkout: the AWS sample tests were not run"
)]
fn usage_totals_of_the_cli_sample_and_a_run_imply_a_rescan_rate() {
    let cli = shared_dir("aws-samples/cli");
    let dir = WorkDir::new("ct-usage");
    let file = rst_file(
        &cli.join("inspector2_list-usage-totals.rst"),
        &dir,
        "usage.json",
    );
    let got = usage(&[s(&file)]);
    assert!(
        got.contains("123456789012")
            && got.contains("1 (0.09 USD)")
            && got.contains("6 (0.06 USD)"),
        "{got}"
    );
    // A run of 40 days; the usage is compared with its last 30.
    write_files(
        &dir,
        &[(
            "s.toml",
            "[simulation]\nstart = \"2026-01-01\"\ndays = 40\nseed = 3\n\
             [registry]\nscan_type = \"ENHANCED\"\n\
             [synthetic]\nhistory_days = 10\n\
             [[synthetic.repositories]]\nname = \"svc-{i}\"\ncount = 2\npushes_per_day = 0.5\n",
        )],
    );
    let out = dir.join("run");
    ok(&scansim(&[
        "run",
        s(&dir.join("s.toml")),
        "--out",
        s(&out),
        "--no-charts",
    ]));
    let daily = std::fs::read_to_string(out.join("daily.csv")).unwrap();
    let rows: Vec<Vec<String>> = daily
        .lines()
        .skip(11)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 30);
    let sum = |i: usize| -> u64 { rows.iter().map(|r| r[i].parse::<u64>().unwrap()).sum() };
    let mean_active = sum(3) as f64 / 30.0;
    let got = usage(&[s(&file), "--run", s(&out)]);
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let got: Vec<String> = got.lines().map(words).collect();
    for part in [
        format!("the last 30 day(s), {} to {}", rows[0][0], rows[29][0]),
        format!("initial scans {} 1", sum(12)),
        format!("rescans {} 6", sum(13)),
        format!("mean active images {mean_active:.2}"),
        format!("rescans_per_image_month = {:.2} ", 6.0 / mean_active),
    ] {
        assert!(
            got.iter().any(|l| l.contains(&part)),
            "want `{part}` in:\n{got:#?}"
        );
    }
}

#[test]
fn usage_totals_of_several_accounts_add_up_and_bad_input_is_named() {
    let dir = WorkDir::new("ct-usage2");
    let u = |acct: &str, n: &str, cost: &str| {
        format!(
            r#"{{"accountId": "{acct}", "usage": [
              {{"currency": "USD", "estimatedMonthlyCost": {cost}, "total": {n}, "type": "ECR_RESCAN"}},
              {{"currency": "USD", "estimatedMonthlyCost": 3.5, "total": 10.0, "type": "EC2_INSTANCE_HOURS"}}]}}"#
        )
    };
    write_files(
        &dir,
        &[
            (
                "a.json",
                &format!("{{\"totals\": [{}]}}", u("111111111111", "100.0", "1.0")),
            ),
            (
                "b.json",
                &format!("{{\"totals\": [{}]}}", u("222222222222", "25", "0.25")),
            ),
            (
                "dup.json",
                &format!("{{\"totals\": [{}]}}", u("111111111111", "1", "0.01")),
            ),
            (
                "neg.json",
                &format!("{{\"totals\": [{}]}}", u("333333333333", "-1", "0")),
            ),
            ("none.json", "{\"usage\": []}"),
        ],
    );
    let got = usage(&[s(&dir.join("a.json")), s(&dir.join("b.json"))]);
    assert!(got.contains("(2 account(s))"), "{got}");
    let total = got.lines().find(|l| l.starts_with("total")).expect(&got);
    assert!(
        total.contains("0 (0.00 USD)") && total.contains("125 (1.25 USD)"),
        "{got}"
    );
    for (file, want) in [
        (
            "dup.json",
            "dup.json:1:27: $.totals[0].accountId: account 111111111111 appears twice",
        ),
        (
            "neg.json",
            "neg.json:2:71: $.totals[0].usage[0].total: `-1` is negative",
        ),
        ("none.json", "none.json:1:1: $.totals: missing"),
    ] {
        let o = scansim(&[
            "import",
            "usage-totals",
            s(&dir.join("a.json")),
            s(&dir.join(file)),
        ]);
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "want `{want}` in: {err}");
    }
    // A directory that is not a run.
    let o = scansim(&[
        "import",
        "usage-totals",
        s(&dir.join("a.json")),
        "--run",
        s(&dir),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no summary.json"));
}

/// Renders trace rows as CloudTrail records, in reverse order, spread over an S3 folder
/// (`a.json`, and `b.json.gz` gzipped) and two lookup-events pages in one file; returns
/// (the folder, the pages' file).
fn render_history(rows: &[&str], dir: &Path) -> (PathBuf, PathBuf) {
    let mut r = Renderer::default();
    let mut records: Vec<serde_json::Value> = Vec::new();
    for line in rows {
        records.extend(r.render(&Row::parse(line)));
    }
    assert!(
        records.len() > 200,
        "a history worth the name: {}",
        records.len()
    );
    records.reverse();
    let mut groups: [Vec<serde_json::Value>; 3] = Default::default();
    for (i, rec) in records.into_iter().enumerate() {
        groups[i % 3].push(rec);
    }
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let log = |g: &[serde_json::Value]| json!({ "Records": g }).to_string();
    std::fs::write(logs.join("a.json"), log(&groups[0])).unwrap();
    std::fs::write(logs.join("b.json"), log(&groups[1])).unwrap();
    gzip(&logs.join("b.json"));
    let half = groups[2].len() / 2;
    let pages = format!(
        "{}\n{}",
        lookup_events_page(&groups[2][..half]),
        lookup_events_page(&groups[2][half..])
    );
    std::fs::write(dir.join("lookup.json"), pages).unwrap();
    (logs, dir.join("lookup.json"))
}

/// A small synthetic registry (deletes, image indexes, moving `latest`).
const ROUND_TRIP: &str = r#"[simulation]
start = "2026-01-01"
days = 20
seed = 7
[registry]
scan_type = "ENHANCED"
[synthetic]
history_days = 30
[[synthetic.repositories]]
name = "svc-{i}"
count = 3
pushes_per_day = 1.5
delete_after_days = 10
[[synthetic.repositories]]
name = "multi/app-{i}"
count = 2
pushes_per_day = 0.5
platforms = 2
image_index = true
"#;

/// `generate`'s history rendered as CloudTrail (S3 log files, one gzipped, and
/// lookup-events pages, records in reverse order) and imported back gives the same rows,
/// except in_use and vulndb_update rows, which no CloudTrail record carries (ECS/EKS
/// report in-use times to Inspector; vulnerability-database updates are Inspector's
/// own): they are left out of the comparison. Rows are compared as sorted lists (the
/// import orders the rows of one instant by kind and eventID), and both traces replay
/// to the same daily.csv.
#[test]
fn a_generated_history_round_trips_through_cloudtrail() {
    let dir = WorkDir::new("ct-round");
    write_files(&dir, &[("s.toml", ROUND_TRIP)]);
    let scenario = dir.join("s.toml");
    let gen_path = dir.join("gen.csv");
    ok(&scansim(&[
        "generate",
        s(&scenario),
        "--trace-out",
        s(&gen_path),
    ]));
    let generated = std::fs::read_to_string(&gen_path).unwrap();
    let (header, body) = generated.split_once('\n').unwrap();
    let kept: Vec<&str> = body
        .lines()
        .filter(|l| !l.contains(",in_use,") && !l.contains(",vulndb_update,"))
        .collect();
    let (logs, lookup) = render_history(&kept, &dir);
    let (imported, err) = import(
        &dir,
        "imported.csv",
        &[s(&logs), s(&lookup), "--sort-buffer", "100"],
    );
    assert!(!err.contains("warning"), "{err}");
    let mut want: Vec<&str> = kept.clone();
    let (ih, ibody) = imported.split_once('\n').unwrap();
    let mut got: Vec<&str> = ibody.lines().collect();
    assert_eq!(ih, header);
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    // Both replay alike.
    let filtered = dir.join("filtered.csv");
    std::fs::write(&filtered, format!("{header}\n{}\n", kept.join("\n"))).unwrap();
    let daily = |trace: &Path, name: &str| {
        let out = dir.join(name);
        ok(&scansim(&[
            "run",
            s(&scenario),
            "--trace",
            s(trace),
            "--out",
            s(&out),
            "--no-charts",
            "--strict",
        ]));
        std::fs::read_to_string(out.join("daily.csv")).unwrap()
    };
    assert_eq!(
        daily(&dir.join("imported.csv"), "run-imported"),
        daily(&filtered, "run-generated")
    );
}

#[test]
fn kinds_and_options_that_do_not_go_together_are_refused() {
    let dir = WorkDir::new("ct-usage-cli");
    let f = fixtures();
    let page = f.join("lookup-events-page1.json");
    let snap = f.join("describe-images-old.json");
    let out = dir.join("t.csv");
    for (args, want) in [
        (
            vec![
                "cloudtrail",
                s(&page),
                "ecr-images",
                s(&snap),
                "--trace-out",
                s(&out),
            ],
            "`cloudtrail` files cannot be mixed with other kinds: give describe-images output \
             with --snapshot",
        ),
        (
            vec!["usage-totals", s(&page), "--trace-out", s(&out)],
            "usage-totals writes no trace",
        ),
        (
            vec![
                "ecr-images",
                s(&snap),
                "--snapshot",
                s(&snap),
                "--trace-out",
                s(&out),
            ],
            "--snapshot, --exclude-puller and --sort-buffer is only for `cloudtrail` inputs",
        ),
        (
            vec![
                "cloudtrail",
                s(&page),
                "--run",
                s(&dir),
                "--trace-out",
                s(&out),
            ],
            "--run is only for `usage-totals` inputs",
        ),
        (vec!["cloudtrail", s(&page)], "--trace-out FILE is required"),
        (
            vec![
                "cloudtrail",
                s(&page),
                "--sort-buffer",
                "0",
                "--trace-out",
                s(&out),
            ],
            "--sort-buffer",
        ),
    ] {
        let mut all = vec!["import"];
        all.extend(args);
        let o = scansim(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(want),
            "want `{want}` in: {err}"
        );
        assert!(!out.exists());
    }
}
