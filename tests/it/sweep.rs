//! `scansim sweep` and `scansim merge` (issue 6): determinism, shards, common random
//! numbers, exact price scaling, the half-width formula, replication 0 = `scansim run`,
//! invalid combinations, and sharing that changes nothing. Small synthetic scenarios
//! keep the whole module to a few seconds.

use crate::common::{
    WorkDir, assert_same_tree, expect_clean_failure, read_bytes, read_csv, read_json, repo_file,
    tree,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

/// A small registry: BASIC before 2026-01-05, then continuous scanning for `prod-*` and
/// enhanced scan-on-push for the rest; a lifecycle policy; triggers with burst days.
const SMALL: &str = r#"[simulation]
start = "2026-01-01"
days = 45
seed = 11
{rules}
[registry]
scan_type = "BASIC"
rules = [{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }]

[inspector]
push_duration = "{push}"
{pull}
{pricing}
[[timeline]]
at = "2026-01-05T00:00:00Z"
registry = { scan_type = "ENHANCED", rules = [
    { scan_frequency = "CONTINUOUS_SCAN", filters = ["prod-*"] },
    { scan_frequency = "SCAN_ON_PUSH", filters = ["*"] },
] }

[[lifecycle]]
repositories = ["*"]
policy = "lc.json"

[synthetic]
history_days = 40
burst_days_per_year = 20
[[synthetic.repositories]]
name = "prod-{i}"
count = 5
pushes_per_day = { median = 0.5, sigma = 0.5 }
old_pulls_per_day = 0.3
[[synthetic.repositories]]
name = "dev-{i}"
count = 5
pushes_per_day = 1.5
"#;

const LIFECYCLE: &str = r#"{"rules": [
  {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
   "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}},
  {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
   "countNumber": 30}, "action": {"type": "expire"}}
]}"#;

/// The small scenario with `push_duration`, and optional extra lines.
fn small(push: &str, rules: &str, pull: &str, pricing: &str) -> String {
    SMALL
        .replace("{push}", push)
        .replace("{rules}", rules)
        .replace("{pull}", pull)
        .replace("{pricing}", pricing)
}

fn base() -> String {
    small("DAYS_30", "", "", "")
}

/// A directory with `scenario.toml` (the given text) and the lifecycle policy.
fn setup(name: &str, scenario: &str) -> WorkDir {
    let dir = WorkDir::new(&format!("sweep-{name}"));
    dir.write_files(&[("scenario.toml", scenario), ("lc.json", LIFECYCLE)]);
    dir
}

/// Runs scansim in `dir` with environment variables.
fn scansim_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = crate::common::bin();
    c.current_dir(dir).args(args);
    for k in [
        "AWS_BATCH_JOB_ARRAY_INDEX",
        "AWS_BATCH_JOB_ARRAY_SIZE",
        "JOB_COMPLETION_INDEX",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
    ] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run scansim")
}

fn run_ok(dir: &Path, args: &[&str]) -> Output {
    let o = scansim_env(dir, args, &[]);
    assert!(
        o.status.success(),
        "scansim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

/// Costs of `runs.csv` in micro-USD by (variant name, replication).
fn run_costs(out: &Path) -> BTreeMap<(String, u32), i64> {
    read_csv(&out.join("runs.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["variant"].clone(), r["replication"].parse().unwrap()),
                r["cost_micro_usd"].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = setup("threads", &base());
    let args = |out: &'static str| {
        vec![
            "sweep",
            "scenario.toml",
            "--out",
            out,
            "--set",
            "inspector.push_duration=LIFETIME,DAYS_14",
            "--set",
            "pricing.rescan_usd=0.01,0.02",
            "--replications",
            "3",
            "--quiet",
        ]
    };
    for (threads, out) in [("1", "one"), ("2", "two")] {
        let o = scansim_env(&dir, &args(out), &[("RAYON_NUM_THREADS", threads)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Everything, charts included.
    assert!(dir.join("one/cost_coverage.png").is_file());
    assert_same_tree(&dir.join("one"), &dir.join("two"));
}

#[test]
fn shards_merged_equal_the_unsharded_sweep() {
    let dir = setup("shards", &base());
    let common = [
        "sweep",
        "scenario.toml",
        "--set",
        "inspector.push_duration=LIFETIME,DAYS_30,DAYS_14",
        "--set",
        "inspector.pull_duration=none,DAYS_14",
        "--replications",
        "2",
        "--quiet",
    ];
    let with = |extra: &[&'static str]| {
        let mut a: Vec<&str> = common.to_vec();
        a.extend_from_slice(extra);
        a
    };
    run_ok(&dir, &with(&["--out", "whole"]));
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = format!("part{k}");
        let mut a = with(&["--shard"]);
        a.push(&shard);
        a.extend(["--out", &out]);
        run_ok(&dir, &a);
        assert_eq!(
            tree(&dir.join(&out)).keys().collect::<Vec<_>>(),
            vec![".scansim-output", "detail.json", "part.json"],
            "a shard writes only its part and its detail (and the marker)"
        );
    }
    run_ok(
        &dir,
        &["merge", "--out", "merged", "part1", "part2", "part3"],
    );
    assert_same_tree(&dir.join("whole"), &dir.join("merged"));
    // The order of the parts does not matter.
    run_ok(
        &dir,
        &["merge", "--out", "merged2", "part3", "part1", "part2"],
    );
    assert_same_tree(&dir.join("whole"), &dir.join("merged2"));

    // --shard auto from AWS Batch (0-based index) is shard 2/3.
    let a = with(&["--shard", "auto", "--out", "auto2"]);
    let o = scansim_env(
        &dir,
        &a,
        &[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_tree(&dir.join("part2"), &dir.join("auto2"));

    // A missing shard.
    let o = scansim_env(&dir, &["merge", "--out", "bad", "part1", "part3"], &[]);
    let msg = expect_clean_failure(&o, &dir.join("bad"));
    assert!(msg.contains("missing shard 2/3"), "{msg}");
    // A shard twice.
    let o = scansim_env(
        &dir,
        &["merge", "--out", "bad", "part1", "part2", "part2", "part3"],
        &[],
    );
    let msg = expect_clean_failure(&o, &dir.join("bad"));
    assert!(msg.contains("shard 2/3 is given twice"), "{msg}");
    // A part of another sweep (other values), in place of shard 2.
    let mut a: Vec<&str> = common.to_vec();
    a[3] = "inspector.push_duration=LIFETIME,DAYS_30,DAYS_90";
    a.extend(["--shard", "2/3", "--out", "other2"]);
    run_ok(&dir, &a);
    let o = scansim_env(
        &dir,
        &["merge", "--out", "bad", "part1", "other2", "part3"],
        &[],
    );
    let msg = expect_clean_failure(&o, &dir.join("bad"));
    assert!(msg.contains("another sweep"), "{msg}");
    // Not a part at all.
    let o = scansim_env(&dir, &["merge", "--out", "bad", "part1", "whole"], &[]);
    let msg = expect_clean_failure(&o, &dir.join("bad"));
    assert!(msg.contains("no part.json"), "{msg}");
}

#[test]
fn a_setting_without_effect_gives_a_paired_difference_of_exactly_zero() {
    // Without a pull window, pull_mode cannot matter: the variants run separately (their
    // windows differ) on the same traffic, so every paired difference is exactly 0.
    let dir = setup("crn", &small("DAYS_14", "", "pull_duration = \"none\"", ""));
    run_ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            "inspector.pull_mode=LAST_PULL_DATE,LAST_IN_USE_AT",
            "--replications",
            "3",
            "--no-charts",
            "--quiet",
        ],
    );
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows.len(), 2);
    let mut diffs = 0;
    for (k, v) in &rows[1] {
        if k.contains("_diff") {
            assert_eq!(v, "0.0000", "{k}");
            diffs += 1;
        }
    }
    assert_eq!(
        diffs, 20,
        "5 figures, continuous coverage, 2 findings figures and 2 figures of the \
         continuous part, each with a difference and its half-width"
    );
    // The replications themselves differ: the zero is the pairing, not a lack of noise.
    assert_ne!(rows[1]["cost_per_30_days_usd_hw95"], "0.0000");
    assert!(num(&rows[1]["mean_in_use_coverage_pct_hw95"]) > 0.0);
}

#[test]
fn scaling_both_prices_by_k_scales_every_cost_by_exactly_k() {
    let text = format!(
        "{}\n[[sweep.variants]]\nname = \"list\"\npricing = {{ initial_scan_usd = 0.09, \
         rescan_usd = 0.01 }}\n\n[[sweep.variants]]\nname = \"x3\"\npricing = {{ \
         initial_scan_usd = 0.27, rescan_usd = 0.03 }}\n",
        base()
    );
    let dir = setup("scale", &text);
    run_ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--replications",
            "3",
            "--no-charts",
            "--quiet",
        ],
    );
    let costs = run_costs(&dir.join("out"));
    for k in 0..3 {
        let list = costs[&("list".to_string(), k)];
        let x3 = costs[&("x3".to_string(), k)];
        assert!(list > 0, "replication {k} costs something");
        assert_eq!(x3, 3 * list, "replication {k}");
    }
    // Every daily cost (in cents; prices are whole cents here) of replication 0.
    let cents = |name: &str| -> Vec<(i64, i64)> {
        read_csv(&dir.join(format!("out/variants/{name}/daily.csv")))
            .iter()
            .map(|r| {
                let c = |s: &str| (num(s) * 100.0).round() as i64;
                (c(&r["cost_usd"]), c(&r["cumulative_cost_usd"]))
            })
            .collect()
    };
    let (a, b) = (cents("list"), cents("x3"));
    assert_eq!(a.len(), 45);
    for (d, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!((3 * x.0, 3 * x.1), *y, "day {d}");
    }
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert_eq!(rows[0]["sweep_variant"], "list");
    // Means and half-widths scale too (up to the 4 printed decimals).
    for col in [
        "total_cost_usd_mean",
        "total_cost_usd_hw95",
        "cost_per_30_days_usd_mean",
    ] {
        let (m1, m3) = (num(&rows[0][col]), num(&rows[1][col]));
        assert!(
            m1 > 0.0 && (m3 - 3.0 * m1).abs() <= 2e-4,
            "{col}: {m3} vs 3 × {m1}"
        );
    }
}

#[test]
fn the_half_width_follows_the_student_t_formula() {
    let dir = setup("halfwidth", &base());
    run_ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--replications",
            "4",
            "--no-charts",
            "--quiet",
        ],
    );
    // Cost per 30 days of each replication, from the exact micro-USD.
    let xs: Vec<f64> = run_costs(&dir.join("out"))
        .values()
        .map(|&m| m as f64 * 30.0 / 45.0 / 1e6)
        .collect();
    assert_eq!(xs.len(), 4);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let s = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(s > 0.0, "replications differ");
    // t(0.975, 3) from the table.
    let hw = 3.182_446_305 * s / n.sqrt();
    let rows = read_csv(&dir.join("out/sweep.csv"));
    let got_mean = num(&rows[0]["cost_per_30_days_usd_mean"]);
    let got_hw = num(&rows[0]["cost_per_30_days_usd_hw95"]);
    assert!((got_mean - mean).abs() < 6e-5, "mean {got_mean} vs {mean}");
    assert!((got_hw - hw).abs() < 6e-5, "half-width {got_hw} vs {hw}");

    // One replication: no half-width.
    run_ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "one",
            "--no-charts",
            "--quiet",
        ],
    );
    let rows = read_csv(&dir.join("one/sweep.csv"));
    assert_eq!(rows[0]["cost_per_30_days_usd_hw95"], "");
    assert_eq!(rows[0]["replications"], "1");
}

#[test]
fn replication_zero_of_each_variant_is_scansim_run_of_that_variant() {
    let dir = setup("rep0", &base());
    run_ok(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            "simulation.rules=2024,2025",
            "--set",
            "inspector.push_duration=DAYS_30,LIFETIME",
            "--set",
            "pricing.rescan_usd=0.01,0.02",
            "--replications",
            "2",
            "--no-charts",
            "--quiet",
        ],
    );
    let runs = read_csv(&dir.join("out/runs.csv"));
    let mut checked = 0;
    for rules in ["2024", "2025"] {
        for push in ["DAYS_30", "LIFETIME"] {
            for rescan in ["0.01", "0.02"] {
                let name = format!("rules={rules},push_duration={push},rescan_usd={rescan}");
                let text = small(
                    push,
                    &format!("rules = \"{rules}\""),
                    "",
                    &format!("[pricing]\nrescan_usd = {rescan}\n"),
                );
                let file = format!("v{checked}.toml");
                dir.write(&file, &text);
                let out = format!("run{checked}");
                run_ok(
                    &dir,
                    &["run", &file, "--out", &out, "--no-charts", "--quiet"],
                );
                let run = read_bytes(&dir.join(&out).join("daily.csv"));
                let swept = read_bytes(&dir.join(format!("out/variants/{name}/daily.csv")));
                assert!(run == swept, "daily.csv of {name}");
                // Replication 1 is `scansim run --seed SEED`.
                let r1 = runs
                    .iter()
                    .find(|r| r["variant"] == name && r["replication"] == "1")
                    .expect("replication 1");
                let out1 = format!("seed{checked}");
                run_ok(
                    &dir,
                    &[
                        "run",
                        &file,
                        "--seed",
                        &r1["seed"],
                        "--out",
                        &out1,
                        "--no-charts",
                        "-q",
                    ],
                );
                let summary = read_json(&dir.join(&out1).join("summary.json"));
                let usd = summary["totals"]["cost_usd"].as_f64().unwrap();
                let micro: f64 = num(&r1["cost_micro_usd"]);
                assert!(
                    (usd - micro / 1e6).abs() < 0.005,
                    "{name}: {usd} vs {micro}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 8);
}

#[test]
fn invalid_combinations_stop_the_sweep_before_any_run() {
    let dir = setup("invalid", &base());
    let o = scansim_env(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            "simulation.rules=2022,2024,2025",
            "--set",
            "inspector.pull_duration=DAYS_14,DAYS_3",
            "--replications",
            "2",
        ],
        &[],
    );
    let msg = expect_clean_failure(&o, &dir.join("out"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.starts_with("3 of 6 variants are invalid; nothing was run:"),
        "{msg}"
    );
    // Every invalid variant, with the --set that makes it so.
    for (name, why) in [
        (
            "rules=2022,pull_duration=DAYS_14",
            "rules profile 2022 has no pull settings",
        ),
        (
            "rules=2022,pull_duration=DAYS_3",
            "rules profile 2022 has no pull settings",
        ),
        (
            "rules=2024,pull_duration=DAYS_3",
            "`DAYS_3` is not allowed under rules profile 2024",
        ),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("variant {name}:")))
            .unwrap_or_else(|| panic!("{name} not listed:\n{stderr}"));
        assert!(line.contains(why), "{line}");
        assert!(line.contains("--set inspector.pull_duration="), "{line}");
    }
    for valid in [
        "rules=2024,pull_duration=DAYS_14",
        "rules=2025,pull_duration=DAYS_3",
    ] {
        assert!(!stderr.contains(&format!("variant {valid}:")), "{stderr}");
    }
    // A problem in the scenario file itself points at its line.
    let text = base().replace("push_duration = \"DAYS_30\"", "push_duration = \"DAYS_90\"");
    dir.write("scenario.toml", &text);
    let o = scansim_env(
        &dir,
        &[
            "sweep",
            "scenario.toml",
            "--out",
            "out",
            "--set",
            "simulation.rules=2022,2024",
        ],
        &[],
    );
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(msg.starts_with("1 of 2 variants are invalid"), "{msg}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let at = crate::common::value_at(&text, "push_duration = ");
    assert!(
        stderr.contains(&format!(
            "variant rules=2022: scenario.toml:{at}: inspector.push_duration: push_duration \
             `DAYS_90` is not allowed under rules profile 2022"
        )),
        "{stderr}"
    );
}

#[test]
fn sharing_work_between_variants_changes_nothing() {
    // Variants that differ in windows, prices, the trial, the in-use window, the rules
    // profile, their past (`later` stops basic scanning on day 2) and when (and how)
    // enhanced scanning starts: shared traffic, shared prefixes and shared equal runs
    // must give what independent runs give.
    let text = format!(
        "{}\n[[sweep.variants]]\nname = \"day4\"\n\n[[sweep.variants]]\nname = \"later\"\n\
         timeline = [\n  {{ at = 2026-01-03, registry = {{ scan_type = \"BASIC\", rules = [] }}, \
         inspector = {{ push_duration = \"DAYS_14\" }} }},\n  \
         {{ at = 2026-01-20T12:00:00Z, registry = {{ scan_type = \"ENHANCED\", rules = [] }} }},\n]\n",
        base()
    );
    let dir = setup("sharing", &text);
    let args = |out: &'static str, extra: &'static str| {
        vec![
            "sweep",
            "scenario.toml",
            "--out",
            out,
            "--set",
            "inspector.push_duration=DAYS_30,LIFETIME",
            "--set",
            "simulation.in_use_window_days=30,7",
            "--set",
            "pricing.free_trial_days=0,10",
            "--set",
            "simulation.rules=2024,2025",
            "--replications",
            "2",
            "--no-charts",
            "--quiet",
            extra,
        ]
    };
    let o = run_ok(&dir, &args("shared", "--timings"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The sharing is exercised: fewer engine runs than simulations, some forked.
    let t = stderr
        .lines()
        .find(|l| l.starts_with("timings"))
        .expect("timings");
    let nums: Vec<u64> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect::<Vec<_>>();
    // ... "; R engine runs for S (variant, ...) simulations, F of them forked ...; at
    // most H traffic events held ..."
    let (runs, sims, forks) = (
        nums[nums.len() - 4],
        nums[nums.len() - 3],
        nums[nums.len() - 2],
    );
    assert_eq!(sims, 32 * 2 * 10, "{t}");
    assert!(runs < sims, "{t}");
    assert!(forks > 0, "{t}");
    run_ok(&dir, &args("alone", "--no-sharing"));
    assert_same_tree(&dir.join("shared"), &dir.join("alone"));
}

#[test]
fn run_ignores_the_sweep_table_but_checks_it() {
    let with = format!(
        "{}\n[sweep]\nreplications = 3\n[[sweep.variants]]\nname = \"a\"\n\
         inspector = {{ push_duration = \"DAYS_14\" }}\n",
        base()
    );
    let dir = setup("table", &base());
    dir.write("with.toml", &with);
    run_ok(
        &dir,
        &[
            "run",
            "scenario.toml",
            "--out",
            "plain",
            "--no-charts",
            "-q",
        ],
    );
    run_ok(
        &dir,
        &["run", "with.toml", "--out", "with", "--no-charts", "-q"],
    );
    assert_eq!(
        read_bytes(&dir.join("plain/daily.csv")),
        read_bytes(&dir.join("with/daily.csv"))
    );
    // [sweep] replications is the default of --replications.
    run_ok(
        &dir,
        &["sweep", "with.toml", "--out", "sw", "--no-charts", "-q"],
    );
    let rows = read_csv(&dir.join("sw/sweep.csv"));
    assert_eq!((rows.len(), rows[0]["replications"].as_str()), (2, "3"));
    // No [[sweep.variants]] entry has the scenario's own settings: the scenario as it is
    // is added as the baseline.
    assert_eq!(rows[0]["variant"], "scenario");
    assert_eq!(rows[0]["baseline"], "1");
    assert_eq!(rows[1]["variant"], "a");
    // An unknown key in a variant is an error for run too, at its line.
    let bad = with.replace("name = \"a\"", "name = \"a\"\ninspektor = {}");
    dir.write("bad.toml", &bad);
    let o = scansim_env(&dir, &["run", "bad.toml", "--out", "badout"], &[]);
    let msg = expect_clean_failure(&o, &dir.join("badout"));
    let at = crate::common::at(&bad, "inspektor");
    assert!(
        msg.starts_with(&format!(
            "bad.toml:{at}: sweep.variants[0].inspektor: unknown key"
        )),
        "{msg}"
    );
}

#[test]
fn a_trace_driven_scenario_has_one_replication() {
    let demo = repo_file("scenarios/trace-demo/scenario.toml");
    let demo = demo.to_str().unwrap();
    let dir = WorkDir::new("sweep-trace");
    let o = scansim_env(
        &dir,
        &["sweep", demo, "--out", "out", "--replications", "2"],
        &[],
    );
    let msg = expect_clean_failure(&o, &dir.join("out"));
    assert!(
        msg.contains("a trace-driven scenario has one replication"),
        "{msg}"
    );
    run_ok(
        &dir,
        &[
            "sweep",
            demo,
            "--out",
            "out",
            "--set",
            "pricing.free_trial_days=0,15",
            "--no-charts",
            "-q",
        ],
    );
    run_ok(&dir, &["run", demo, "--out", "run", "--no-charts", "-q"]);
    assert_eq!(
        read_bytes(&dir.join("run/daily.csv")),
        read_bytes(&dir.join("out/variants/free_trial_days=0/daily.csv"))
    );
    let rows = read_csv(&dir.join("out/sweep.csv"));
    assert!(
        num(&rows[1]["cost_per_30_days_usd_diff"]) < 0.0,
        "the trial saves money"
    );
}
