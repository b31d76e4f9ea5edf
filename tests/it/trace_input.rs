//! Reading traces as a user hands them over: many tags on one push, and what the reader
//! bounds.

use crate::common::*;
use std::time::{Duration, Instant};

/// Runs `scansim ARGS` and waits at most `limit`; `None` if it had to be stopped.
fn run_within(args: &[&str], limit: Duration) -> Option<std::process::Output> {
    let mut child = bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run scansim");
    let start = Instant::now();
    while child.try_wait().expect("wait for scansim").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().expect("collect the output"))
}

const ENHANCED: &str = "[simulation]\nstart = \"2026-01-01\"\ndays = 2\n\
    [registry]\nscan_type = \"ENHANCED\"\n\
    rules = [{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"*\"] }]\n\
    [traffic]\ntrace = \"events.csv\"\n";

/// Eight pushes of eight images sharing the same 100,000 tags: each push takes every tag
/// from the image before. Tag moves used to scan the losing image's tags once per tag
/// (and re-check its lifecycle selection once per tag): 7 s for two such pushes, hours
/// for eight with this policy. The deadline is a guard far above the linear cost.
#[test]
fn pushes_sharing_100000_tags_move_them_in_linear_time() {
    let tags: Vec<String> = (0..100_000).map(|i| format!("t{i}")).collect();
    let tags = tags.join(";");
    let mut csv = String::from("time,event,repository,digest,tags,supported\n");
    for i in 0..8 {
        csv += &format!("2026-01-01T00:00:0{i}Z,push,app,d{i},{tags},true\n");
    }
    // The untagged images (all but the last) are kept two at most; the pattern matches
    // no tag, so checking it reads every tag of an image.
    let policy = r#"{"rules":[
        {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["zz*"],
         "countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
        {"rulePriority":2,"selection":{"tagStatus":"untagged",
         "countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#;
    let scenario =
        format!("{ENHANCED}[[lifecycle]]\nrepositories = [\"*\"]\npolicy = \"lc.json\"\n");
    let d = ScenarioDir::new(
        "many-tags",
        &[
            ("scenario.toml", &scenario),
            ("events.csv", &csv),
            ("lc.json", policy),
        ],
    );
    let out = d.out.display().to_string();
    let args = ["run", &d.sc(), "--out", &out, "--no-charts", "-q"];
    let o = run_within(&args, Duration::from_secs(60))
        .expect("8 pushes x 100,000 tags did not finish in 60 s: tag moves are quadratic");
    assert_success(&o);
    let daily = read_csv(&d.out.join("daily.csv"));
    assert_eq!(daily[0]["pushes"], "8");
    assert_eq!(daily[0]["initial_scans"], "8");
    // Seven images lost every tag; the policy keeps two of them.
    assert_eq!(daily[0]["deletes"], "5");
    assert_eq!(daily[0]["images"], "3");
}

/// The trace demo run from its own file, for comparing other ways of reading it.
fn demo(name: &str) -> (WorkDir, std::path::PathBuf, String) {
    let dir = WorkDir::new(name);
    let trace = repo_file("scenarios/trace-demo/events.csv");
    let out = dir.join("plain");
    let o = run_scenario(
        &repo_file("scenarios/trace-demo/scenario.toml"),
        &out,
        &["--no-charts", "-q"],
    );
    assert_success(&o);
    let daily = read_text(&out.join("daily.csv"));
    (dir, trace, daily)
}

/// The SHA-256 the summary records for the trace (the last file of its inputs).
fn trace_hash(out: &std::path::Path) -> String {
    let s = read_json(&out.join("summary.json"));
    let files = s["source"]["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no input files in {s}"));
    files.last().expect("the trace")["sha256"]
        .as_str()
        .expect("a hash")
        .to_string()
}

#[test]
fn gzip_and_zstd_traces_replay_like_the_plain_file() {
    use std::io::Write;
    let (dir, trace, daily) = demo("compressed");
    let text = read_bytes(&trace);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let zst =
        ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest);
    // Told apart by their content, not by the name.
    for (name, bytes) in [
        ("events.gz", gz),
        ("events.zst", zst),
        ("events.data", text),
    ] {
        let file = dir.write(name, &bytes);
        let out = dir.join(format!("out-{name}"));
        let sc = repo_file("scenarios/trace-demo/scenario.toml");
        let file_arg = file.display().to_string();
        let o = run_scenario(&sc, &out, &["--no-charts", "-q", "--trace", &file_arg]);
        assert_success(&o);
        assert_eq!(read_text(&out.join("daily.csv")), daily, "{name}");
        // The hash is of the file as stored.
        assert_eq!(
            trace_hash(&out),
            scansim::base::hash::sha256_bytes(&bytes),
            "{name}"
        );
    }
}

#[test]
fn a_trace_on_standard_input_replays_like_the_file() {
    use std::io::Write;
    let (dir, trace, daily) = demo("stdin");
    let out = dir.join("stdin");
    let mut child = bin()
        .args(["run"])
        .arg(repo_file("scenarios/trace-demo/scenario.toml"))
        .args(["--trace", "-", "--no-charts", "-q", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run scansim");
    let text = read_bytes(&trace);
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_success(&o);
    assert_eq!(read_text(&out.join("daily.csv")), daily);
    assert_eq!(trace_hash(&out), scansim::base::hash::sha256_bytes(&text));
}

/// A bad row far into a trace (after many batches) is reported at its line with its
/// message, whether rows are read on a thread of their own or not; so are the outputs.
#[test]
fn one_thread_and_two_read_a_trace_alike() {
    let mut csv = String::from("time,event,repository,digest,tags,supported\n");
    for i in 0..20_000 {
        let repo = ["a/x", "b/y", "c/z"][i % 3];
        let (h, m, s) = (i / 3600, i / 60 % 60, i % 60);
        csv += &format!("2026-01-01T{h:02}:{m:02}:{s:02}Z,push,{repo},d{i},v{i},\n");
    }
    let good = csv.clone();
    csv += "2026-01-02T00:00:00Z,push,Bad/Name,d,,\n";
    let d = ScenarioDir::new(
        "threads",
        &[("scenario.toml", ENHANCED), ("events.csv", &good)],
    );
    d.dir.write("bad.csv", &csv);
    let bad = d.path("bad.csv");
    for threads in ["1", "2"] {
        let out = d.dir.join(format!("out{threads}"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("run")
            .arg(d.sc())
            .args(["--no-charts", "-q", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_success(&o);
        assert_eq!(
            read_text(&out.join("daily.csv"))
                .lines()
                .nth(1)
                .unwrap()
                .split(',')
                .nth(2),
            Some("20000")
        );
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "run",
                &d.sc(),
                "--no-charts",
                "-q",
                "--trace",
                &bad,
                "--out",
            ])
            .arg(d.dir.join("bad-out"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("bad.csv:20002:3: column repository: invalid repository name"),
            "{threads} thread(s): {err}"
        );
    }
    assert_eq!(
        read_bytes(&d.dir.join("out1/daily.csv")),
        read_bytes(&d.dir.join("out2/daily.csv"))
    );
}

/// Rows are bounded: a row over 1 MiB is an error naming the file, the line and the
/// bound (reading `/dev/zero` used to abort on a 2 GiB allocation).
#[test]
fn a_row_over_one_mib_is_an_error_naming_the_line_and_the_bound() {
    let long = format!(
        "time,event,repository,digest,tags,supported\n\
         2026-01-01T00:00:00Z,push,app,d1,,\n\
         2026-01-01T00:00:01Z,push,app,d2,{},\n",
        "t".repeat(1 << 20)
    );
    let d = ScenarioDir::new(
        "long-row",
        &[("scenario.toml", ENHANCED), ("events.csv", &long)],
    );
    let e = d.reject(&[]);
    assert!(
        e.starts_with(&format!(
            "{}:3: the row is longer than 1048576 bytes (1 MiB)",
            d.path("events.csv")
        )),
        "{e}"
    );
    if std::path::Path::new("/dev/zero").exists() {
        let e = d.reject(&["--trace", "/dev/zero"]);
        assert!(
            e.starts_with("/dev/zero:1: the row is longer than 1048576 bytes"),
            "{e}"
        );
    }
}

/// CR-only line ends (classic Mac OS) are refused; they used to be read as one header
/// line, and the run succeeded with no events at all.
#[test]
fn cr_only_line_ends_are_refused() {
    let csv = "time,event,repository,digest,tags,supported\r\
               2026-01-01T00:00:00Z,push,app,d1,,\r";
    let d = ScenarioDir::new(
        "cr-only",
        &[("scenario.toml", ENHANCED), ("events.csv", csv)],
    );
    let e = d.reject(&[]);
    assert!(
        e.starts_with(&format!("{}:1: ", d.path("events.csv"))),
        "{e}"
    );
    assert!(e.contains("CR-only line ends"), "{e}");
    // CRLF is read as before.
    let crlf = csv.replace('\r', "\r\n");
    let d = ScenarioDir::new(
        "crlf",
        &[("scenario.toml", ENHANCED), ("events.csv", &crlf)],
    );
    assert_success(&d.run(&[]));
    assert_eq!(read_csv(&d.out.join("daily.csv"))[0]["pushes"], "1");
}
