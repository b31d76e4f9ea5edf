//! The test harness shared by every module: temporary work directories that are removed
//! when the test ends, files written into them, runs of the `scansim` binary, and readers
//! for what it writes (CSV, JSON, whole output trees).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------------
// Work directories

/// A fresh, empty directory under the system temporary directory, removed with all it
/// holds when the value is dropped at the end of the test. A test that fails keeps it
/// (its path is printed with the failure) so that what the binary wrote can be read.
///
/// It derefs to its [`Path`]: `dir.join("out")`, `&dir` where a `&Path` is wanted.
/// Bind it to a name for the whole test: `WorkDir::new("x").join("out")` would remove
/// the directory at the end of that statement.
#[must_use]
pub struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// `name` makes the directory easy to find while the test runs; the process id and a
    /// counter make it unique, so tests running in parallel never share one.
    pub fn new(name: &str) -> WorkDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("scansim-it-{}-{n}-{name}", std::process::id()));
        // Left by an earlier, killed process that had the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        WorkDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `rel` inside the directory as a string, as the binary gets it and
    /// prints it in its messages.
    pub fn arg(&self, rel: &str) -> String {
        self.path.join(rel).display().to_string()
    }

    /// Writes `content` to `rel` (creating parent directories); returns its path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path.join(rel);
        write_file(&p, content.as_ref());
        p
    }

    /// Writes files: (relative name, content).
    pub fn write_files(&self, files: &[(&str, &str)]) {
        write_files(&self.path, files);
    }

    /// The text of the file `rel`.
    pub fn read(&self, rel: &str) -> String {
        read_text(&self.path.join(rel))
    }
}

impl Deref for WorkDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for WorkDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "work directory kept for inspection: {}",
                self.path.display()
            );
            return;
        }
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            assert!(
                !self.path.exists(),
                "could not remove the work directory {}: {e}",
                self.path.display()
            );
        }
    }
}

fn write_file(p: &Path, content: &[u8]) {
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    std::fs::write(p, content).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}

/// Writes files into a directory: (relative name, content).
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        write_file(&dir.join(name), content.as_bytes());
    }
}

/// The text of a file; panics naming it.
pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The bytes of a file; panics naming it.
pub fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A file of this checkout (`scenarios/...`, `tests/fixtures/...`).
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

// ---------------------------------------------------------------------------------------
// Running the binary

/// The `scansim` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scansim"))
}

/// Runs `scansim` with arguments; returns the output.
pub fn scansim(args: &[&str]) -> Output {
    bin().args(args).output().expect("run scansim")
}

/// Runs `scansim` with arguments in the working directory `cwd`.
pub fn scansim_in(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run scansim")
}

/// Asserts that a run exited with status 0; shows its stderr otherwise.
pub fn assert_success(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs `scansim` with arguments and asserts success.
pub fn scansim_ok(args: &[&str]) -> Output {
    let o = scansim(args);
    assert!(
        o.status.success(),
        "scansim {args:?}: exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Runs `scansim` with arguments in `cwd` and asserts success.
pub fn scansim_ok_in(cwd: &Path, args: &[&str]) -> Output {
    let o = scansim_in(cwd, args);
    assert!(
        o.status.success(),
        "scansim {args:?}: exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// `scansim run SCENARIO --out OUT EXTRA...`.
pub fn run_scenario(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run scansim")
}

/// A work directory holding `scenario.toml` and its inputs, run into `out/` with
/// `--no-charts`.
pub struct ScenarioDir {
    pub dir: WorkDir,
    pub out: PathBuf,
}

impl ScenarioDir {
    /// Writes `files` (one of them `scenario.toml`) into a new work directory.
    pub fn new(name: &str, files: &[(&str, &str)]) -> ScenarioDir {
        let dir = WorkDir::new(name);
        dir.write_files(files);
        let out = dir.join("out");
        ScenarioDir { dir, out }
    }

    /// Path of a file of the directory as the binary prints it.
    pub fn path(&self, name: &str) -> String {
        self.dir.arg(name)
    }

    /// Path of `scenario.toml` as the binary prints it.
    pub fn sc(&self) -> String {
        self.path("scenario.toml")
    }

    /// `scansim run scenario.toml --out out --no-charts EXTRA...`.
    pub fn run(&self, extra: &[&str]) -> Output {
        self.run_to(&self.out, extra)
    }

    /// The same run into another output directory.
    pub fn run_to(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["--no-charts"];
        args.extend_from_slice(extra);
        run_scenario(&self.dir.join("scenario.toml"), out, &args)
    }

    /// Runs and expects success; the pinned rows of `daily.csv`.
    pub fn rows(&self, extra: &[&str]) -> Vec<String> {
        expect_rows(&self.run(extra), &self.out)
    }

    /// Runs and expects a clean failure; the message after `error: `.
    pub fn reject(&self, extra: &[&str]) -> String {
        expect_clean_failure(&self.run(extra), &self.out)
    }
}

// ---------------------------------------------------------------------------------------
// Reading outputs

/// The pinned header of `daily.csv` (SPEC §8).
pub const PINNED_HEADER: &str = "date,day,images,active,expired,scan_on_push,not_scanned,\
unsupported,archived,pushes,pulls,deletes,initial_scans,rescans,basic_scans,expirations,\
cost_usd,cumulative_cost_usd,coverage_pct,in_use,in_use_active,in_use_coverage_pct";

/// Number of pinned columns of `daily.csv`.
pub const PINNED: usize = 22;

/// The first `n` comma-separated columns of every line.
pub fn columns(text: &str, n: usize) -> Vec<String> {
    text.lines()
        .map(|l| l.split(',').take(n).collect::<Vec<_>>().join(","))
        .collect()
}

/// The data rows of a `daily.csv`, cut to the pinned columns.
pub fn pinned_rows(csv: &str) -> Vec<String> {
    columns(csv, PINNED).into_iter().skip(1).collect()
}

/// The records of a CSV text (RFC 4180 quoting, every row as long as the header) as maps
/// from column name to field.
pub fn csv_records(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().expect("CSV header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("CSV record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .collect()
        })
        .collect()
}

/// The records of a CSV file; see [`csv_records`].
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv_records(&read_text(path))
}

/// The fields of column `name` of a CSV text, top to bottom.
pub fn csv_column(text: &str, name: &str) -> Vec<String> {
    csv_records(text)
        .into_iter()
        .map(|mut r| {
            r.remove(name)
                .unwrap_or_else(|| panic!("no column `{name}`"))
        })
        .collect()
}

/// Column `name` of a CSV text as whole numbers.
pub fn csv_counts(text: &str, name: &str) -> Vec<u64> {
    csv_column(text, name)
        .iter()
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| panic!("{name}: `{s}` is not a count"))
        })
        .collect()
}

/// A JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&read_bytes(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An amount printed with exactly 2 decimals (`12.34`), in cents.
pub fn cents(s: &str) -> i64 {
    let (u, c) = s.split_once('.').expect("2 decimals");
    assert_eq!(c.len(), 2, "{s}: 2 decimals");
    u.parse::<i64>().expect("usd") * 100 + c.parse::<i64>().expect("cents")
}

/// Every file under `dir` (relative name -> bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, read_bytes(&p));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two directories hold the same files with the same bytes.
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "files of {} and {}",
        a.display(),
        b.display()
    );
    for (k, v) in &ta {
        assert!(
            v == &tb[k],
            "{k} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Messages and failed runs

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

/// What scansim puts beside `out` while it writes (`.NAME.scansim-*`: staging, the old
/// output being deleted, sort runs, the lock) and left there.
pub fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().expect("out name").to_string_lossy();
    let prefix = format!(".{name}.scansim-");
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
    assert_success(o);
    pinned_rows(&read_text(&out.join("daily.csv")))
}

// ---------------------------------------------------------------------------------------
// The shared golden cases (`../shared/cases` beside the checkout)

/// Why the tests that read `../shared/cases` are ignored when `build.rs` did not find it.
/// (The attribute takes a literal; this is the same text, for the CI check.)
pub const SHARED_MISSING: &str =
    "../shared/cases not found beside the checkout: the shared golden cases were not run";

/// The shared golden cases folder.
pub fn cases_dir() -> PathBuf {
    repo_file("../shared/cases")
}

/// Whether this run is CI's (`CI` set to anything but empty, `0` or `false`).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A shared case's result: its name, its folder, and the run's `daily.csv` (or what the
/// failed run said).
pub struct SharedCase {
    pub name: String,
    pub dir: PathBuf,
    pub daily: Result<String, String>,
}

/// Runs every shared case through the binary. Fails if the folder is missing or holds no
/// case.
pub fn run_shared_cases(tag: &str) -> Vec<SharedCase> {
    let dir = cases_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: the shared cases are required", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("scenario.toml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case in {}", dir.display());
    let root = WorkDir::new(tag);
    cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let out = root.join(&name);
            let o = run_scenario(&case.join("scenario.toml"), &out, &["--no-charts"]);
            let daily = if o.status.success() {
                Ok(read_text(&out.join("daily.csv")))
            } else {
                Err(format!(
                    "exit {:?}: {}",
                    o.status,
                    String::from_utf8_lossy(&o.stderr)
                ))
            };
            SharedCase {
                name,
                dir: case,
                daily,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Numbers as people read them (terminal, report), written here again from their
// definitions rather than with the library's functions, from the 2-decimal values of
// summary.json.

pub fn hundredths(v: f64) -> u64 {
    (v * 100.0).round() as u64
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn usd(v: f64) -> String {
    let c = hundredths(v);
    if c >= 10_000 {
        format!("{} USD", thousands((c + 50) / 100))
    } else if c == 0 {
        "0 USD".into()
    } else {
        format!("{}.{:02} USD", c / 100, c % 100)
    }
}

pub fn pct(v: f64) -> String {
    let tenths = (hundredths(v) + 5) / 10;
    if tenths == 0 && hundredths(v) > 0 {
        return "< 0.1 %".into();
    }
    format!("{}.{} %", thousands(tenths / 10), tenths % 10)
}

pub fn count(v: f64) -> String {
    let h = hundredths(v);
    if h >= 10_000 {
        thousands((h + 50) / 100)
    } else {
        let t = (h + 5) / 10;
        format!("{}.{}", t / 10, t % 10)
    }
}

pub fn whole_pct(v: f64) -> String {
    let whole = (hundredths(v) + 50) / 100;
    if whole == 0 && hundredths(v) > 0 {
        return "< 1 %".into();
    }
    format!("{whole} %")
}

// ---------------------------------------------------------------------------------------
// Scenarios

/// A scenario that switches enhanced scanning on at `at`: ECR basic scanning on push
/// everywhere before, then continuous scanning for `prod-*` and enhanced scan on push for
/// the rest, with the Inspector settings `inspector` (TOML lines). `simulation` holds the
/// lines of `[simulation]`, `synthetic` the `[synthetic]` table and its groups.
pub fn switch_on_scenario(simulation: &str, inspector: &str, at: &str, synthetic: &str) -> String {
    format!(
        r#"[simulation]
{simulation}

[registry]
scan_type = "BASIC"
rules = [{{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }}]

[inspector]
{inspector}

[[timeline]]
at = "{at}"
registry = {{ scan_type = "ENHANCED", rules = [
    {{ scan_frequency = "CONTINUOUS_SCAN", filters = ["prod-*"] }},
    {{ scan_frequency = "SCAN_ON_PUSH", filters = ["*"] }},
] }}

{synthetic}"#
    )
}
