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
