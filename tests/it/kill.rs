//! SIGKILL, SIGINT and SIGTERM at random (seeded) moments of `run`, `sweep`, `generate`
//! and `import`: the output is the old one, the new one or (SIGKILL between the two
//! renames of a commit) none; SIGINT and SIGTERM leave nothing beside it and exit with
//! 130 / 143; after the next run nothing is left beside it either.

use crate::common::{WorkDir, leftovers, tree};
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, Instant};

const SCENARIO: &str = "[simulation]\nstart = 2026-01-01\ndays = 60\nseed = 5\n\
[registry]\nscan_type = \"ENHANCED\"\nrules = [{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"*\"] }]\n\
[synthetic]\nhistory_days = 120\n[[synthetic.repositories]]\nname = \"svc-{i}\"\ncount = 12\n\
pushes_per_day = 3\n";

/// What a path holds: a directory's files, or a file's bytes; `None` if absent.
fn state(p: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    let m = std::fs::symlink_metadata(p).ok()?;
    Some(if m.is_dir() {
        tree(p)
    } else {
        BTreeMap::from([(String::new(), std::fs::read(p).unwrap())])
    })
}

/// A small deterministic generator for the moments (seeded: a failure replays).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    crate::common::bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run scansim")
}

/// describe-images output with `n` images, for an import that takes a moment.
fn describe_images(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"repositoryName": "svc-{}", "imageDigest": "sha256:{i:064x}", "imageTags": ["v{i}"], "imagePushedAt": {}, "lastRecordedPullTime": {}}}"#,
                i % 50,
                1_767_225_600 + i,
                1_767_225_600 + 2 * i
            )
        })
        .collect();
    format!("{{\"imageDetails\": [{}]}}", items.join(",\n"))
}

#[test]
fn signals_at_random_moments_leave_old_new_or_no_output_and_no_staging() {
    let root = WorkDir::new("kill");
    root.write("s.toml", SCENARIO);
    root.write("images.json", describe_images(8_000));
    let commands: [(&str, &[&str]); 4] = [
        ("out", &["run", "../s.toml", "--out", "out", "-q"]),
        (
            "out",
            &[
                "sweep",
                "../s.toml",
                "--out",
                "out",
                "-q",
                "--set",
                "inspector.push_duration=LIFETIME,DAYS_14",
            ],
        ),
        ("t.csv", &["generate", "../s.toml", "--trace-out", "t.csv"]),
        (
            "t.csv",
            &[
                "import",
                "ecr-images",
                "../images.json",
                "--trace-out",
                "t.csv",
            ],
        ),
    ];
    let mut rng = Lcg(11);
    let mut handled = 0;
    for (k, (target, args)) in commands.iter().enumerate() {
        // The new output, and how long the command takes.
        let reference = root.join(format!("ref{k}"));
        std::fs::create_dir(&reference).unwrap();
        let t0 = Instant::now();
        let o = run_in(&reference, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let took = t0.elapsed();
        let new = state(&reference.join(target));
        for (s, signal) in ["KILL", "INT", "TERM"].iter().enumerate() {
            let dir = root.join(format!("c{k}-{s}"));
            std::fs::create_dir(&dir).unwrap();
            // An old output: the same command over other traffic.
            let old_args: Vec<String> = args
                .iter()
                .map(|a| a.replace("../s.toml", "../old.toml"))
                .collect();
            root.write("old.toml", SCENARIO.replace("seed = 5", "seed = 6"));
            let old_refs: Vec<&str> = old_args.iter().map(String::as_str).collect();
            if k < 3 {
                assert!(run_in(&dir, &old_refs).status.success());
            } else {
                std::fs::write(
                    dir.join(target),
                    "time,event,repository,digest,tags,supported\n",
                )
                .unwrap();
            }
            let old = state(&dir.join(target));
            let delay = took.mul_f64(0.2 + 0.8 * rng.next());
            let mut child = crate::common::bin()
                .current_dir(&dir)
                .args(*args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = std::process::Command::new("kill")
                .args(["-s", signal, &child.id().to_string()])
                .status();
            let status = child.wait().unwrap();
            let now = state(&dir.join(target));
            let what = format!("{args:?} {signal} after {delay:?} (of {took:?}): {status:?}");
            assert!(
                now == old || now == new || now.is_none(),
                "{what}: a mixed output"
            );
            match *signal {
                "KILL" => {}
                _ => {
                    let code = if *signal == "INT" { 130 } else { 143 };
                    assert!(
                        status.success()
                            || status.code() == Some(code)
                            || status.signal().is_some(),
                        "{what}"
                    );
                    handled += (status.code() == Some(code)) as u32;
                    assert!(now.is_some(), "{what}: no output");
                    assert_eq!(leftovers(&dir.join(target)), Vec::<String>::new(), "{what}");
                }
            }
            // The next run completes and leaves nothing beside its output.
            let o = run_in(&dir, args);
            assert!(
                o.status.success(),
                "{what}: rerun: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(state(&dir.join(target)), new, "{what}: rerun");
            assert_eq!(
                leftovers(&dir.join(target)),
                Vec::<String>::new(),
                "{what}: rerun"
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(handled > 0, "no signal arrived while a command was running");
}
