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
