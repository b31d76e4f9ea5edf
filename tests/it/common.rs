//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scansim"))
}

/// Runs `scansim` with arguments; returns the output.
pub fn scansim(args: &[&str]) -> Output {
    bin().args(args).output().expect("run scansim")
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scansim-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Writes files into a directory: (relative name, content).
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
    }
}

/// The shared golden cases folder.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases")
}

/// The first `n` comma-separated columns of every line.
pub fn columns(text: &str, n: usize) -> Vec<String> {
    text.lines()
        .map(|l| l.split(',').take(n).collect::<Vec<_>>().join(","))
        .collect()
}

/// The pinned header of `daily.csv` (SPEC §8).
pub const PINNED_HEADER: &str = "date,day,images,active,expired,scan_on_push,not_scanned,\
unsupported,archived,pushes,pulls,deletes,initial_scans,rescans,basic_scans,expirations,\
cost_usd,cumulative_cost_usd,coverage_pct,in_use,in_use_active,in_use_coverage_pct";

/// Number of pinned columns of `daily.csv`.
pub const PINNED: usize = 22;

/// Runs `scansim` with arguments in the working directory `cwd`.
pub fn scansim_in(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run scansim")
}

/// `LINE:COLUMN` (1-based, characters) of the first occurrence of `needle` in `text`:
/// where a message about the TOML value or key `needle` must point.
pub fn at(text: &str, needle: &str) -> String {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the test input"));
    line_col(text, offset)
}

/// `LINE:COLUMN` of what follows the first occurrence of `prefix` (such as `days = `):
/// where a message about that key's value must point.
pub fn value_at(text: &str, prefix: &str) -> String {
    let offset = text
        .find(prefix)
        .unwrap_or_else(|| panic!("`{prefix}` not in the test input"));
    line_col(text, offset + prefix.len())
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before[line_start..].chars().count() + 1;
    format!("{line}:{col}")
}

/// The data rows of a `daily.csv`, cut to the pinned columns.
pub fn pinned_rows(csv: &str) -> Vec<String> {
    columns(csv, PINNED).into_iter().skip(1).collect()
}

/// Staging or backup directories `.NAME.tmp-*` left beside `out`.
pub fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().expect("out name").to_string_lossy();
    let prefix = format!(".{name}.tmp-");
    let parent = out.parent().expect("out parent");
    match std::fs::read_dir(parent) {
        Ok(rd) => rd
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.starts_with(&prefix))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Asserts a run failed as SPEC §11 requires for invalid input: exit code 1, one
/// `error: ` line on stderr, no panic, and no output directory (nor staging directory)
/// at `out`. Returns the message after `error: `.
pub fn expect_clean_failure(o: &Output, out: &Path) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "exit code; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no `error: ` line on stderr:\n{stderr}"));
    assert!(
        !out.exists(),
        "{} must not exist after a failed run",
        out.display()
    );
    assert_eq!(
        leftovers(out),
        Vec::<String>::new(),
        "staging directories left behind"
    );
    line["error: ".len()..].to_string()
}

/// Asserts success and returns the pinned rows of `out/daily.csv`.
pub fn expect_rows(o: &Output, out: &Path) -> Vec<String> {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(out.join("daily.csv")).expect("daily.csv");
    pinned_rows(&text)
}

/// Runs every shared case through the binary: (name, case folder, the run's daily.csv or
/// its stderr). Fails if the folder is missing or holds no case.
pub fn run_shared_cases(tag: &str) -> Vec<(String, PathBuf, Result<String, String>)> {
    let dir = cases_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: the shared cases are required", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("scenario.toml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case in {}", dir.display());
    let root = temp_dir(tag);
    cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let out = root.join(&name);
            let o = scansim(&[
                "run",
                case.join("scenario.toml").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-charts",
            ]);
            let daily = if o.status.success() {
                Ok(std::fs::read_to_string(out.join("daily.csv")).expect("daily.csv"))
            } else {
                Err(format!(
                    "exit {:?}: {}",
                    o.status,
                    String::from_utf8_lossy(&o.stderr)
                ))
            };
            (name, case, daily)
        })
        .collect()
}
