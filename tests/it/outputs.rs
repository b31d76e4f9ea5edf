//! Issue 11, "outputs never destroy anything": the marker file and `--force`, inputs that
//! an output would hold, checks before any work, staging names and their cleanup, locks,
//! and `merge` reading part files as untrusted input.

use crate::common::{WorkDir, scansim_in};
use scansim::app::sweep::part::Part;
use std::path::Path;

const SCENARIO: &str = "[simulation]\nstart = 2026-01-01\ndays = 5\nseed = 3\n\
[registry]\nscan_type = \"ENHANCED\"\nrules = [{ scan_frequency = \"CONTINUOUS_SCAN\", filters = [\"*\"] }]\n\
[synthetic]\nhistory_days = 10\n[[synthetic.repositories]]\nname = \"app-{i}\"\ncount = 3\n\
pushes_per_day = 2\n";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok_in(dir: &Path, args: &[&str]) {
    let o = scansim_in(dir, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

/// Rewrites `DIR/part.json` with `edit` applied, its checksum made to match.
fn tamper(part_dir: &Path, edit: impl Fn(&mut Part)) {
    let file = part_dir.join("part.json");
    let mut p: Part = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    edit(&mut p);
    p.checksum = p.content_hash();
    std::fs::write(&file, serde_json::to_vec(&p).unwrap()).unwrap();
}

#[test]
fn merge_reads_parts_as_untrusted_input() {
    let d = WorkDir::new("merge-untrusted");
    d.write("scenario.toml", SCENARIO);
    let sweep = |k: &str, out: &str| {
        ok_in(
            &d,
            &[
                "sweep",
                "scenario.toml",
                "--replications",
                "2",
                "--shard",
                k,
                "--out",
                out,
                "-q",
            ],
        )
    };
    let fresh = || {
        sweep("1/2", "p1");
        sweep("2/2", "p2");
    };
    let merge_err = || {
        let o = scansim_in(&d, &["merge", "--out", "sub/merged", "p1", "p2"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!d.join("sub/merged").exists() && !d.join("x").exists());
        stderr(&o)
    };
    // Before: merge wrote `variants/../../x/daily.csv`, outside --out.
    fresh();
    tamper(&d.join("p1"), |p| {
        p.sweep.variants[0].dir = "../../x".into()
    });
    tamper(&d.join("p2"), |p| {
        p.sweep.variants[0].dir = "../../x".into()
    });
    let e = merge_err();
    assert!(
        e.contains("variant directory `../../x` is not a plain name"),
        "{e}"
    );
    // Numbers against their meaning.
    fresh();
    tamper(&d.join("p1"), |p| {
        p.runs[0].days[0][1] = p.runs[0].days[0][0] + 1
    });
    let e = merge_err();
    assert!(e.contains("day 0: the statuses add up to"), "{e}");
    fresh();
    tamper(&d.join("p1"), |p| {
        let extra = p.runs[0].days[0];
        p.runs[0].days.push(extra)
    });
    let e = merge_err();
    assert!(e.contains("has 6 day rows; its variant has 5 days"), "{e}");
    fresh();
    tamper(&d.join("p1"), |p| {
        p.runs[0].findings.pop();
    });
    let e = merge_err();
    assert!(e.contains("has 4 findings rows for 5 days"), "{e}");
    fresh();
    tamper(&d.join("p1"), |p| p.runs[0].findings[1][3] = -1);
    let e = merge_err();
    assert!(e.contains("day 1: findings field 4 is negative"), "{e}");
    // The checksum covers the content: a changed count without a new checksum.
    fresh();
    let file = d.join("p2/part.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut p: Part = serde_json::from_str(&text).unwrap();
    p.runs[0].days[4][9] += 1;
    std::fs::write(&file, serde_json::to_vec(&p).unwrap()).unwrap();
    let e = merge_err();
    assert!(
        e.contains("the part was changed after `scansim sweep` wrote it"),
        "{e}"
    );
    fresh();
    ok_in(&d, &["merge", "--out", "merged", "p1", "p2"]);
}

/// A project directory: `scenario.toml` with a trace and a lifecycle policy it reads.
fn project(name: &str) -> WorkDir {
    let d = WorkDir::new(name);
    d.write(
        "proj/scenario.toml",
        "[simulation]\nstart = 2026-01-01\ndays = 2\n[[lifecycle]]\nrepositories = [\"*\"]\n\
         policy = \"lc.json\"\n[traffic]\ntrace = \"events.csv\"\n",
    );
    d.write(
        "proj/events.csv",
        "time,event,repository,digest,tags,supported\n2026-01-01T10:00:00Z,push,app,a,,\n",
    );
    d.write(
        "proj/lc.json",
        r#"{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged",
        "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}"#,
    );
    d.write("proj/notes.txt", "mine");
    d
}

fn fails(dir: &Path, args: &[&str], want: &str) {
    let o = scansim_in(dir, args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert!(
        stderr(&o).contains(want),
        "{args:?}: want `{want}` in {}",
        stderr(&o)
    );
}

/// A command line's words.
fn words(line: &str) -> Vec<&str> {
    line.split(' ').collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_output_never_holds_or_overwrites_an_input() {
    let d = project("holds-input");
    let before = crate::common::tree(&d.join("proj"));
    // Before: this deleted the scenario, its trace and the user's notes, and exited 0.
    for force in [false, true] {
        let mut args = vec!["run", "proj/scenario.toml", "--out", "proj"];
        if force {
            args.push("--force");
        }
        fails(
            &d,
            &args,
            "--out proj holds proj/scenario.toml, an input of this command",
        );
    }
    d.write("syn.toml", SCENARIO);
    let cases: [(&str, &str); 8] = [
        (
            "run proj/scenario.toml --out o --events proj/events.csv",
            "--events proj/events.csv is proj/events.csv, an input",
        ),
        (
            "run proj/scenario.toml --out o --events proj/lc.json --force",
            "--events proj/lc.json is proj/lc.json, an input",
        ),
        (
            "run proj/scenario.toml --out . --force",
            "--out .: give a name (not `.`, `..` or `/`)",
        ),
        (
            "sweep proj/scenario.toml --out proj",
            "--out proj holds proj/scenario.toml",
        ),
        (
            "diff proj/scenario.toml syn.toml --out proj --force",
            "--out proj holds proj/scenario.toml",
        ),
        (
            "advise proj/scenario.toml --target coverage>=0 --out proj --force",
            "--out proj holds proj/scenario.toml",
        ),
        (
            "generate syn.toml --trace-out syn.toml --force",
            "--trace-out syn.toml is syn.toml, an input",
        ),
        (
            "import ecr-images proj/lc.json --trace-out proj/lc.json --force",
            "--trace-out proj/lc.json is proj/lc.json, an input",
        ),
    ];
    for (args, want) in cases {
        let args: Vec<&str> = args.split(' ').collect();
        fails(&d, &args, want);
    }
    assert_eq!(
        crate::common::tree(&d.join("proj")),
        before,
        "inputs untouched"
    );
    assert_eq!(names(&d), ["proj", "syn.toml"], "nothing written");
}

#[test]
fn a_directory_scansim_did_not_write_is_replaced_only_with_force() {
    let d = project("force");
    d.write("out/mine.txt", "keep");
    let run = ["run", "proj/scenario.toml", "--out", "out", "--no-charts"];
    fails(
        &d,
        &run,
        "--out out: exists, is not empty and was not written by scansim (it has no .scansim-output file)",
    );
    fails(&d, &run, "or --force to replace it");
    assert_eq!(names(&d.join("out")), ["mine.txt"]);
    // An empty directory, an earlier output, or --force.
    let mut forced = run.to_vec();
    forced.push("--force");
    ok_in(&d, &forced);
    assert!(d.join("out/.scansim-output").is_file() && !d.join("out/mine.txt").exists());
    d.write("out/stray.txt", "x");
    ok_in(&d, &run);
    assert!(!d.join("out/stray.txt").exists());
    std::fs::create_dir(d.join("empty")).unwrap();
    ok_in(
        &d,
        &["run", "proj/scenario.toml", "--out", "empty", "--no-charts"],
    );
    // Files: a trace is replaced by a trace, anything else only with --force.
    d.write("syn.toml", SCENARIO);
    d.write("t.csv", "not a trace");
    fails(
        &d,
        &["generate", "syn.toml", "--trace-out", "t.csv"],
        "the file exists and is not a scansim output of this kind",
    );
    assert_eq!(d.read("t.csv"), "not a trace");
    ok_in(
        &d,
        &["generate", "syn.toml", "--trace-out", "t.csv", "--force"],
    );
    ok_in(&d, &["generate", "syn.toml", "--trace-out", "t.csv"]);
    d.write("ev.jsonl", "my notes");
    fails(
        &d,
        &["run", "syn.toml", "--out", "o2", "--events", "ev.jsonl"],
        "--events ev.jsonl: the file exists",
    );
    assert!(!d.join("o2").exists());
    // Every directory scansim writes holds the marker.
    ok_in(
        &d,
        &["sweep", "syn.toml", "--out", "sw", "--no-charts", "-q"],
    );
    ok_in(
        &d,
        &["sweep", "syn.toml", "--out", "p1", "--shard", "1/1", "-q"],
    );
    ok_in(&d, &["merge", "--out", "m", "p1", "--no-charts"]);
    ok_in(&d, &["diff", "syn.toml", "syn.toml", "--out", "df", "-q"]);
    let advise = [
        "advise",
        "syn.toml",
        "--target",
        "coverage>=0",
        "--out",
        "ad",
        "-q",
    ];
    ok_in(&d, &advise);
    d.write("ad2/mine.txt", "keep");
    let mut other = advise.to_vec();
    other[5] = "ad2";
    fails(
        &d,
        &other,
        "--out ad2: exists, is not empty and was not written by scansim",
    );
    other.push("--force");
    ok_in(&d, &other);
    for dir in ["out", "empty", "sw", "p1", "m", "df", "ad", "ad2"] {
        assert!(d.join(dir).join(".scansim-output").is_file(), "{dir}");
    }
}

#[test]
fn the_files_a_run_writes_are_known_to_the_events_check() {
    let d = project("run-files");
    ok_in(&d, &words("run proj/scenario.toml --out o -q"));
    for f in names(&d.join("o")) {
        assert!(
            scansim::app::simulate::RUN_FILES.contains(&f.as_str()),
            "{f} is missing from RUN_FILES"
        );
    }
}

#[test]
fn command_line_checks_run_before_anything_is_written() {
    let d = project("checks-first");
    d.write("file", "a file");
    // Before: the run failed on --out only after writing its --events file.
    fails(
        &d,
        &words("run proj/scenario.toml --out file --events ev.jsonl"),
        "--out file: exists and is not a directory",
    );
    assert_eq!(names(&d), ["file", "proj"], "no events file, nothing else");
    // --events inside --out becomes part of the new output (before: silently lost).
    ok_in(
        &d,
        &words("run proj/scenario.toml --out o --events o/sub/ev.jsonl --no-charts"),
    );
    assert!(d.join("o/sub/ev.jsonl").is_file());
    fails(
        &d,
        &words("run proj/scenario.toml --out o --events o/daily.csv"),
        "--events o/daily.csv would take the place of the run's daily.csv",
    );
    assert_eq!(names(&d), ["file", "o", "proj"]);
    // A run failing mid-way removes the staging directory, the lock and the parent
    // directories it made for --out.
    d.write(
        "bad.csv",
        "time,event,repository,digest\n2026-01-01T10:00:00Z,push,app,a\n2026-01-01T11:00:00Z,pusj,app,a\n",
    );
    fails(
        &d,
        &words("run proj/scenario.toml --out new/deep/out --trace bad.csv"),
        "unknown event `pusj`",
    );
    assert_eq!(names(&d), ["bad.csv", "file", "o", "proj"]);
}

/// A read-only directory, also for root (which writes through permissions): immutable.
fn make_read_only(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(dir.join(".probe"), "").is_err() {
        return true;
    }
    let _ = std::fs::remove_file(dir.join(".probe"));
    std::process::Command::new("chattr")
        .arg("+i")
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(dir)
        .status();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_read_only_old_output_is_refused_before_anything_is_replaced() {
    let d = project("read-only");
    let run = ["run", "proj/scenario.toml", "--out", "out", "--no-charts"];
    ok_in(&d, &run);
    std::fs::create_dir(d.join("out/sub")).unwrap();
    d.write("out/sub/x", "x");
    let before = crate::common::tree(&d.join("out"));
    if !make_read_only(&d.join("out/sub")) {
        eprintln!("cannot make a directory read-only here");
        return;
    }
    // Before: the new output was put in place, then the run exited 1.
    let o = scansim_in(&d, &run);
    make_writable(&d.join("out/sub"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the old output cannot be replaced"),
        "{}",
        stderr(&o)
    );
    assert_eq!(crate::common::tree(&d.join("out")), before);
    assert_eq!(
        crate::common::leftovers(&d.join("out")),
        Vec::<String>::new()
    );
    // A read-only parent: refused, nothing made.
    std::fs::create_dir(d.join("ro")).unwrap();
    if make_read_only(&d.join("ro")) {
        let o = scansim_in(&d, &["run", "proj/scenario.toml", "--out", "ro/out"]);
        make_writable(&d.join("ro"));
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("--out ro/out: cannot write beside it"),
            "{}",
            stderr(&o)
        );
        assert_eq!(names(&d.join("ro")), Vec::<String>::new());
    }
}

#[test]
fn a_second_writer_of_the_same_output_stops_with_a_message() {
    let d = project("locked");
    let lock = std::fs::File::create(d.join(".out.scansim-lock")).unwrap();
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).unwrap();
    fails(
        &d,
        &["run", "proj/scenario.toml", "--out", "out"],
        "another scansim is writing out (it holds ./.out.scansim-lock): wait for it to finish",
    );
    assert_eq!(
        names(&d),
        [".out.scansim-lock", "proj"],
        "no stray directory"
    );
    drop(lock);
    ok_in(
        &d,
        &["run", "proj/scenario.toml", "--out", "out", "--no-charts"],
    );
    assert_eq!(names(&d), ["out", "proj"], "the lock file is gone");
}

#[test]
fn leftovers_of_a_killed_run_are_cleaned_up_by_the_next_one() {
    let d = project("stale");
    let run = ["run", "proj/scenario.toml", "--out", "out", "--no-charts"];
    ok_in(&d, &run);
    let old = crate::common::tree(&d.join("out"));
    // A commit killed between its renames: the old output in trash, new staging beside.
    std::fs::rename(d.join("out"), d.join(".out.scansim-trash-999999999")).unwrap();
    d.write(".out.scansim-staging-999999999/daily.csv", "half");
    d.write(".out.scansim-sort-999999998-1", "run");
    d.write(".other.scansim-staging-999999999", "not ours");
    // The live process (this one) owns its own: left alone.
    let mine = format!(".out.scansim-staging-{}", std::process::id());
    d.write(&mine, "live");
    ok_in(&d, &["validate", "proj/scenario.toml"]);
    assert!(
        d.join(".out.scansim-trash-999999999").exists(),
        "validate writes nothing"
    );
    // The next claim puts the old output back first, then replaces it.
    let o = scansim_in(
        &d,
        &words("run proj/scenario.toml --out out --no-charts --trace proj/nope.csv"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        crate::common::tree(&d.join("out")),
        old,
        "old output restored"
    );
    ok_in(&d, &run);
    assert_eq!(
        names(&d),
        [
            ".other.scansim-staging-999999999",
            mine.as_str(),
            "out",
            "proj"
        ]
    );
}
