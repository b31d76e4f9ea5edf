//! Synthetic traffic (SPEC §10): its statistics, determinism across thread counts, the
//! equivalence of `generate` + `run --trace` with a synthetic run, the independence of
//! groups, and the validation of `[synthetic]`.

use crate::common::{
    WorkDir, assert_success, bin, csv_counts, read_bytes, read_json, read_text, run_scenario,
    scansim_ok, tree,
};
use scansim::engine::RunOptions;
use scansim::model::scenario::Scenario;
use scansim::rules::Status;
use std::path::{Path, PathBuf};

/// `scenarios/default.toml` in miniature: the same kinds of groups, tags, deployments,
/// pulls, in-use reports, bursts, growth, appearing repositories and lifecycle policy, with
/// 16 repositories over 30 days instead of 280 over a year. Enhanced scanning starts on
/// day 2 rather than 0, so that basic scans show too, and the windows change mid-way.
/// The full-size runs of the tests below are `benches/full-size-checks.sh`.
const SMALL_DEFAULT: &str = r#"
[simulation]
start = "2027-01-01"
days = 30
rules = "2024"
in_use_window_days = 30
region = "us-east-1"
seed = 42

[pricing]
initial_scan_usd = 0.09
rescan_usd = 0.01
free_trial_days = 0

[registry]
scan_type = "BASIC"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }]

[inspector]
push_duration = "DAYS_90"
pull_duration = "DAYS_30"
pull_mode = "LAST_PULL_DATE"

[[timeline]]
at = "2027-01-03T00:00:00Z"
registry = { scan_type = "ENHANCED", rules = [
    { scan_frequency = "CONTINUOUS_SCAN", filters = ["prod/*"] },
    { scan_frequency = "SCAN_ON_PUSH", filters = ["*"] },
] }

[[timeline]]
at = "2027-01-16T00:00:00Z"
inspector = { push_duration = "DAYS_14", pull_duration = "DAYS_14" }

[[lifecycle]]
repositories = ["*"]
policy = "lifecycle.json"

[synthetic]
history_days = 120
rescans_per_image_month = 6.0
burst_days_per_year = 30
burst_multiplier = 5.0

[[synthetic.repositories]]
name = "prod/svc-{i}"
group = "prod"
count = 4
pushes_per_day = { median = 0.4, sigma = 0.8 }
weekday_weights = [1.2, 1.2, 1.2, 1.1, 0.9, 0.2, 0.2]
growth_per_month = 0.01
unsupported_share = 0.03
moving_tag = "latest"
version_tags = true
deployed = 1
deploy_lag_hours = 2
deploy_pulls_per_day = 12
in_use = true
old_pulls_per_day = 0.1
old_pull_half_life_days = 14

[[synthetic.repositories]]
name = "staging/svc-{i}"
group = "staging"
count = 4
pushes_per_day = { median = 1.0, sigma = 0.8 }
unsupported_share = 0.03
deployed = 1
deploy_lag_hours = 1
deploy_pulls_per_day = 4
old_pulls_per_day = 0.05
old_pull_half_life_days = 7
platforms = 2

[[synthetic.repositories]]
name = "dev/svc-{i}"
group = "dev"
count = 5
pushes_per_day = { median = 2.0, sigma = 1.0 }
weekday_weights = [1.2, 1.3, 1.3, 1.2, 1.0, 0.0, 0.0]
growth_per_month = 0.02
version_tags = false
deployed = 1
deploy_lag_hours = 0.5
deploy_pulls_per_day = 3
old_pulls_per_day = 0.05
old_pull_half_life_days = 3

[[synthetic.repositories]]
name = "sandbox/exp-{i}"
group = "sandbox"
count = 3
pushes_per_day = { median = 0.3, sigma = 1.5 }
appear_over_days = 150
deployed = 0
old_pulls_per_day = 0.2
old_pull_half_life_days = 2
"#;

/// The default's policy, with a count limit the small registry reaches.
const SMALL_LIFECYCLE: &str = r#"{"rules": [
  {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
   "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}},
  {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
   "countNumber": 40}, "action": {"type": "expire"}}
]}"#;

/// Writes the small default scenario into `dir`; returns the scenario's path.
fn small_default(dir: &WorkDir) -> PathBuf {
    dir.write("lifecycle.json", SMALL_LIFECYCLE);
    dir.write("small-default.toml", SMALL_DEFAULT)
}

/// A stationary group: N repositories pushing λ images a day, every repository
/// continuously scanned with a push window of D days and no pull window, images only
/// pushed (no deployments, no pulls), 6 rescans per image and month.
fn stationary(seed: u64, n: u32, lambda: f64, d: u32, days: u32) -> String {
    format!(
        r#"
[simulation]
start = "2026-01-01"
days = {days}
seed = {seed}
[registry]
scan_type = "ENHANCED"
[inspector]
push_duration = "DAYS_{d}"
[synthetic]
history_days = {history}
rescans_per_image_month = 6.0
[[synthetic.repositories]]
name = "svc-{{i}}"
count = {n}
pushes_per_day = {lambda}
deployed = 0
old_pulls_per_day = 0
"#,
        history = 2 * d
    )
}

fn simulate(text: &str) -> scansim::engine::RunResult {
    let sc = Scenario::from_toml(text, Path::new("stationary.toml")).expect("scenario");
    scansim::app::simulate::simulate(&sc, None, RunOptions::default())
        .expect("run")
        .result
}

/// N = 200, λ = 2, D = 30, 90 days, seeds 1..20. Expected: active = N·λ·D = 12,000
/// (Poisson, sd 110 a day; the 90-day mean has about 3 independent windows, sd ≈ 63 =
/// 0.5 %), initial scans = N·λ = 400 a day (sd of the mean ≈ 2.1 = 0.5 %), rescans =
/// active × 6/30 = 2,400 a day. Rescans run about (D + ½)/D − 1 = 1.7 % above that:
/// during a day, images pushed that day are active too and expiry runs only at
/// midnight. Bounds: 2 %, 2 % and 3 %, each more than 3 standard deviations away.
#[test]
fn stationary_group_matches_the_expected_means_for_seeds_1_to_20() {
    let (n, lambda, d, days) = (200u32, 2.0f64, 30u32, 90u32);
    let want_active = n as f64 * lambda * d as f64;
    let want_initial = n as f64 * lambda;
    let mut worst = [0f64; 3];
    for seed in 1..=20 {
        let r = simulate(&stationary(seed, n, lambda, d, days));
        assert_eq!(r.days.len(), days as usize);
        let mean = |f: &dyn Fn(&scansim::engine::DayRow) -> u64| {
            r.days.iter().map(|x| f(x) as f64).sum::<f64>() / r.days.len() as f64
        };
        let active = mean(&|x| x.status(Status::Active));
        let initial = mean(&|x| x.flows.initial_scans);
        let rescans = mean(&|x| x.flows.rescans);
        let want_rescans = active * 6.0 / 30.0;
        let rel = |got: f64, want: f64| (got - want).abs() / want;
        worst[0] = worst[0].max(rel(active, want_active));
        worst[1] = worst[1].max(rel(initial, want_initial));
        worst[2] = worst[2].max(rel(rescans, want_rescans));
        assert!(
            rel(active, want_active) < 0.02,
            "seed {seed}: mean active {active:.1}, want {want_active} ± 2 %"
        );
        assert!(
            rel(initial, want_initial) < 0.02,
            "seed {seed}: mean initial scans {initial:.1}, want {want_initial} ± 2 %"
        );
        assert!(
            rel(rescans, want_rescans) < 0.03,
            "seed {seed}: mean rescans {rescans:.1}, want {want_rescans:.1} ± 3 %"
        );
        // Nothing else happens in this group.
        assert!(
            r.days
                .iter()
                .all(|x| x.counts.images == x.status(Status::Active) + x.status(Status::Expired))
        );
    }
    eprintln!(
        "largest deviations over 20 seeds: active {:.2} %, initial scans {:.2} %, rescans {:.2} %",
        100.0 * worst[0],
        100.0 * worst[1],
        100.0 * worst[2]
    );
}

/// The seed changes the traffic; the same seed gives the same result.
#[test]
fn the_seed_selects_the_traffic() {
    let a = simulate(&stationary(1, 20, 1.0, 14, 20));
    let b = simulate(&stationary(1, 20, 1.0, 14, 20));
    let c = simulate(&stationary(2, 20, 1.0, 14, 20));
    assert_eq!(a.days, b.days);
    assert_ne!(a.days, c.days);
}

/// The small default gives identical bytes, charts included, with 1 and 2 threads.
#[test]
fn small_default_is_identical_with_one_and_two_threads() {
    let root = WorkDir::new("threads");
    let sc = small_default(&root);
    // The same --out both times: the command line is recorded in the outputs.
    let out = root.join("out");
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("run")
            .arg(&sc)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run");
        assert_success(&o);
        runs.push(tree(&out));
    }
    assert!(
        runs[0].len() >= 10,
        "daily, summary, tables, charts, report"
    );
    assert_eq!(
        runs[0].keys().collect::<Vec<_>>(),
        runs[1].keys().collect::<Vec<_>>()
    );
    for (name, a) in &runs[0] {
        assert!(
            a == &runs[1][name],
            "{name} differs between 1 and 2 threads"
        );
    }
}

/// `generate` then `run --trace` gives the synthetic run's daily.csv, byte for byte.
#[test]
fn generated_trace_replays_to_the_same_daily_csv() {
    let root = WorkDir::new("replay");
    let sc = small_default(&root);
    let trace = root.join("small.csv");
    scansim_ok(&[
        "generate",
        sc.to_str().unwrap(),
        "--trace-out",
        trace.to_str().unwrap(),
    ]);
    let synthetic = root.join("synthetic");
    let replay = root.join("replay");
    assert_success(&run_scenario(&sc, &synthetic, &["--no-charts"]));
    assert_success(&run_scenario(
        &sc,
        &replay,
        &["--no-charts", "--trace", trace.to_str().unwrap()],
    ));
    let a = read_bytes(&synthetic.join("daily.csv"));
    let b = read_bytes(&replay.join("daily.csv"));
    assert!(a.len() > 30 * 50);
    assert!(a == b, "replayed daily.csv differs from the synthetic run");
    let sa = read_json(&synthetic.join("summary.json"));
    let sb = read_json(&replay.join("summary.json"));
    assert_eq!(sa["totals"], sb["totals"]);
    // The trace carries every kind of synthetic event, and the run does what the
    // default does: scans of each kind, lifecycle deletes, window expiries.
    let kinds: std::collections::BTreeSet<String> = read_text(&trace)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("event").to_string())
        .collect();
    assert_eq!(
        kinds.iter().map(String::as_str).collect::<Vec<_>>(),
        ["in_use", "pull", "push", "vulndb_update"]
    );
    let daily = read_text(&synthetic.join("daily.csv"));
    for col in [
        "pushes",
        "pulls",
        "deletes",
        "initial_scans",
        "rescans",
        "basic_scans",
        "expirations",
    ] {
        let total: u64 = csv_counts(&daily, col).iter().sum();
        assert!(total > 0, "no {col} in the small default's 30 days");
    }
}

const TWO_GROUPS: &str = r#"
[simulation]
start = "2026-01-01"
days = 30
seed = 5
[registry]
scan_type = "ENHANCED"
rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["prod-*"] }]
[inspector]
push_duration = "DAYS_14"
pull_duration = "DAYS_14"
[synthetic]
history_days = 30
[[synthetic.repositories]]
name = "prod-{i}"
group = "prod"
count = 10
pushes_per_day = { median = 1.0, sigma = 0.5 }
[[synthetic.repositories]]
name = "dev-{i}"
group = "dev"
count = 10
pushes_per_day = 3.0
"#;

const THIRD_GROUP: &str = r#"
[[synthetic.repositories]]
name = "batch-{i}"
group = "batch"
count = 5
pushes_per_day = 4.0
platforms = 2
"#;

/// Adding a group leaves the other groups' rows of groups.csv unchanged.
#[test]
fn adding_a_group_does_not_change_the_others() {
    let root = WorkDir::new("groups");
    let rows = |text: &str, name: &str| -> Vec<String> {
        let sc = root.write(&format!("{name}/s.toml"), text);
        let out = root.join(name).join("out");
        assert_success(&run_scenario(&sc, &out, &["--no-charts"]));
        read_text(&out.join("groups.csv"))
            .lines()
            .skip(1)
            .map(String::from)
            .collect()
    };
    let two = rows(TWO_GROUPS, "two");
    let three = rows(&format!("{TWO_GROUPS}{THIRD_GROUP}"), "three");
    let keep = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| l.split(',').nth(2) != Some("batch"))
            .cloned()
            .collect()
    };
    assert_eq!(two.len(), 30 * 2);
    assert_eq!(three.len(), 30 * 3);
    assert_eq!(keep(&two), keep(&three));
    assert!(
        three
            .iter()
            .any(|l| l.contains(",batch,") && !l.contains(",batch,0,"))
    );
}

fn rejected(text: &str) -> String {
    let e = Scenario::from_toml(text, Path::new("s.toml")).expect_err("should be rejected");
    e.to_string()
}

const BASE: &str = "[simulation]\nstart = \"2026-01-01\"\ndays = 5\n[synthetic]\n";

#[test]
fn synthetic_settings_are_validated() {
    let group = |body: &str| format!("{BASE}[[synthetic.repositories]]\n{body}");
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                "{BASE}history_dayz = 3\n[[synthetic.repositories]]\nname = \"a-{{i}}\"\ncount = 1\npushes_per_day = 1\n"
            ),
            "s.toml:5:1: synthetic.history_dayz: unknown key `history_dayz`",
        ),
        (BASE.to_string(), "missing [[synthetic.repositories]]"),
        (
            group("name = \"svc\"\ncount = 2\npushes_per_day = 1\n"),
            "has no `{i}` but count is 2",
        ),
        (
            group("name = \"Svc-{i}\"\ncount = 2\npushes_per_day = 1\n"),
            "invalid repository name `Svc-0`",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 0\npushes_per_day = 1\n"),
            "synthetic.repositories[0].count: must be at least 1 (got 0)",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = -1\n"),
            "synthetic.repositories[0].pushes_per_day: must be a number in 0..=10000",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = { median = 1, sigm = 1 }\n"),
            "unknown key `sigm`",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\nweekday_weights = [1, 1]\n"),
            "give 7 weights, Monday to Sunday",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\nplatforms = 0\n"),
            "platforms: must be at least 1",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\nunsupported_share = 1.5\n"),
            "unsupported_share: must be a number in 0..=1",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\nmoving_tag = \"-x\"\n"),
            "invalid tag `-x`",
        ),
        (
            group("name = \"svc-{i}\"\ncount = 2\npushes_per_day = 1\nflavour = 3\n"),
            "unknown key `flavour`",
        ),
        (
            format!(
                "{BASE}[[synthetic.repositories]]\nname = \"svc-{{i}}\"\ncount = 2\npushes_per_day = 1\n\
                 [[synthetic.repositories]]\nname = \"svc-{{i}}\"\ncount = 3\npushes_per_day = 1\n"
            ),
            "repository `svc-0` is produced twice",
        ),
    ];
    for (text, want) in cases {
        let e = rejected(&text);
        assert!(e.contains(want), "want `{want}` in `{e}`");
        assert!(e.starts_with("s.toml:"), "{e}");
    }
}

/// Synthetic traffic writes a valid trace whose rows are in time order, with realistic
/// digests and tags, and `--seed` overrides the scenario's seed.
#[test]
fn generate_writes_a_valid_sorted_trace() {
    let root = WorkDir::new("generate");
    let sc = root.write("s.toml", TWO_GROUPS);
    let trace = |seed: &str, name: &str| -> String {
        let out = root.join(name);
        scansim_ok(&[
            "generate",
            sc.to_str().unwrap(),
            "--trace-out",
            out.to_str().unwrap(),
            "--seed",
            seed,
        ]);
        read_text(&out)
    };
    let a = trace("5", "a.csv");
    let b = trace("6", "b.csv");
    assert_ne!(a, b);
    assert!(a.starts_with("time,event,repository,digest,tags,supported\n"));
    let mut last = String::new();
    let mut kinds = std::collections::BTreeSet::new();
    for line in a.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        assert!(f[0] >= last.as_str(), "not sorted at {line}");
        last = f[0].to_string();
        assert!(f[3].starts_with("sha256:") && f[3].len() == 71, "{line}");
        kinds.insert(f[1].to_string());
    }
    for k in ["push", "pull", "in_use", "vulndb_update"] {
        assert!(kinds.contains(k), "no {k} in the trace");
    }
    assert!(a.contains(",latest;v1,"));
    // The default seed of the scenario is 5: same as --seed 5.
    let out = root.join("c.csv");
    scansim_ok(&[
        "generate",
        sc.to_str().unwrap(),
        "--trace-out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(read_text(&out), a);
}
