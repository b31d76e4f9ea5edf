//! The examples of the README and of `docs/` run: every `scansim` command of their `sh`
//! blocks that works on the bundled files (`scenarios/`), and every `$ scansim ...`
//! transcript of their `text` blocks, whose lines must appear in the output in that order
//! (`…` or `...` stands for lines left out). An example that breaks, or whose output has
//! changed, fails here.
//!
//! Sweeps and `--replications` of the full-size default scenario take about ten seconds
//! of CPU; they run in the test that CI runs with `--ignored`.

use crate::common::{WorkDir, repo_file};
use std::path::Path;

/// One command of the documentation, with the output it shows (empty for `sh` blocks).
#[derive(Debug, Clone, PartialEq)]
struct Example {
    /// `file:line` of the command.
    place: String,
    args: Vec<String>,
    shown: Vec<String>,
}

impl Example {
    fn heavy(&self) -> bool {
        // advise and diff of synthetic traffic run 5 replications of every setting.
        let synthetic = !self.args.iter().any(|a| a.contains("trace-demo"));
        self.args
            .first()
            .is_some_and(|a| a == "sweep" || (synthetic && (a == "advise" || a == "diff")))
            || self.args.iter().any(|a| a == "--replications")
    }
}

/// The documents whose examples are checked.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_string()];
    let mut more: Vec<String> = std::fs::read_dir(repo_file("docs"))
        .expect("docs/")
        .map(|e| format!("docs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// Lines joined at a trailing `\`, each with its 1-based line number.
fn logical_lines<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, l) in lines {
        let (text, cont) = match l.trim_end().strip_suffix('\\') {
            Some(t) => (t.trim_end().to_string(), true),
            None => (l.trim_end().to_string(), false),
        };
        match out.last_mut() {
            Some(last) if open => {
                last.1.push(' ');
                last.1.push_str(text.trim_start());
            }
            _ => out.push((n, text)),
        }
        open = cont;
    }
    out
}

/// The arguments of a `scansim` (or `cargo run --release --`) command line; none when
/// it is not one or needs a shell (variables, globs, pipes, quotes).
fn scansim_args(line: &str) -> Option<Vec<String>> {
    let line = line.split(" #").next().unwrap_or(line).trim();
    let rest = line
        .strip_prefix("scansim ")
        .or_else(|| line.strip_prefix("cargo run --release -- "))?;
    // Words in single quotes are taken as they are (`--target 'coverage>=30'`); outside
    // them, anything a shell would expand or redirect makes the line one for a shell.
    let mut args: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in rest.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if quoted => word.get_or_insert_with(String::new).push(c),
            '$' | '*' | '|' | '>' | '<' | '"' | '`' | ';' | '&' => return None,
            c if c.is_whitespace() => args.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quoted {
        return None;
    }
    args.extend(word);
    Some(args)
}

/// Whether a command works on bundled files only: every input path it names exists in
/// the checkout (outputs are written into the test's own directory).
fn on_bundled_files(args: &[String]) -> bool {
    let mut inputs = 0;
    let mut prev = "";
    for a in args {
        let output = matches!(prev, "--out" | "--trace-out" | "--events");
        let pathlike = a.contains('/') || a.ends_with(".toml") || a.ends_with(".csv");
        if pathlike && !output && !a.starts_with("--") && !a.contains('@') {
            if !repo_file(a).exists() {
                return false;
            }
            inputs += 1;
        }
        prev = a;
    }
    inputs > 0
}

/// The examples of one document.
fn examples(name: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(repo_file(name)).expect(name);
    let mut out = Vec::new();
    let mut block: Option<(String, Vec<(usize, &str)>)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut block, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => block = Some((info.trim().to_string(), Vec::new())),
            (Some((info, lines)), Some(_)) => {
                out.extend(block_examples(name, info, std::mem::take(lines)));
                block = None;
            }
            (Some((_, lines)), None) => lines.push((i + 1, line)),
            (None, None) => {}
        }
    }
    out
}

fn block_examples(name: &str, info: &str, lines: Vec<(usize, &str)>) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let logical = logical_lines(lines.into_iter());
    match info {
        "sh" => {
            for (n, l) in logical {
                if let Some(args) = scansim_args(&l) {
                    out.push(Example {
                        place: format!("{name}:{n}"),
                        args,
                        shown: Vec::new(),
                    });
                }
            }
        }
        "text" => {
            for (n, l) in logical {
                match l.strip_prefix("$ ").map(scansim_args) {
                    Some(Some(args)) => out.push(Example {
                        place: format!("{name}:{n}"),
                        args,
                        shown: Vec::new(),
                    }),
                    Some(None) => {}
                    None => {
                        if let Some(e) = out.last_mut() {
                            e.shown.push(l);
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Runs one example in `dir` (which holds a copy of `scenarios/`); returns what failed.
fn run(dir: &Path, e: &Example) -> Option<String> {
    let o = crate::common::bin()
        .current_dir(dir)
        .args(&e.args)
        .output()
        .expect("run scansim");
    let stdout = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() {
        return Some(format!(
            "{}: scansim {} failed: {}",
            e.place,
            e.args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let mut got = stdout.lines();
    for want in e
        .shown
        .iter()
        .filter(|l| !matches!(l.trim(), "…" | "..." | ""))
    {
        if !got.any(|g| g.trim_end() == want.trim_end()) {
            return Some(format!(
                "{}: scansim {}: the line\n  {want}\nis not in the output (in this order):\n{stdout}",
                e.place,
                e.args.join(" ")
            ));
        }
    }
    None
}

/// Copies `scenarios/` into `dir`, so that examples write their outputs there.
fn copy_scenarios(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let t = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), &t).unwrap();
            }
        }
    }
    copy(&repo_file("scenarios"), &dir.join("scenarios"));
}

/// The runnable examples of every document, the same command once (with every
/// transcript shown for it).
fn runnable() -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    for d in documents() {
        for e in examples(&d)
            .into_iter()
            .filter(|e| on_bundled_files(&e.args))
        {
            match out.iter_mut().find(|x| x.args == e.args) {
                Some(x) if x.shown.is_empty() => x.shown = e.shown,
                Some(_) if e.shown.is_empty() => {}
                _ => out.push(e),
            }
        }
    }
    out
}

fn run_all(heavy: bool) -> usize {
    let all = runnable();
    let chosen: Vec<&Example> = all.iter().filter(|e| e.heavy() == heavy).collect();
    let dir = WorkDir::new(if heavy { "readme-heavy" } else { "readme" });
    copy_scenarios(&dir);
    let failures: Vec<String> = chosen.iter().filter_map(|e| run(&dir, e)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    chosen.len()
}

#[test]
fn the_documented_examples_run_and_print_what_they_show() {
    let n = run_all(false);
    // The default run, the --explain and validate transcripts at least.
    assert!(
        n >= 3,
        "only {n} runnable examples found: {:#?}",
        runnable()
    );
}

#[test]
#[ignore = "runs the documented sweeps and replications at full size (about 10 s of CPU); CI runs it with --ignored"]
fn the_documented_sweeps_and_replications_run() {
    let n = run_all(true);
    assert!(n >= 2, "only {n} heavy examples found: {:#?}", runnable());
}

#[test]
fn examples_are_found_in_blocks_and_transcripts() {
    let lines = [
        (1, "scansim run scenarios/default.toml \\"),
        (2, "    --out output/x   # a comment"),
        (3, "aws ecr describe-images > x.json"),
    ];
    let ex = block_examples("R.md", "sh", lines.to_vec());
    assert_eq!(ex.len(), 1);
    assert_eq!(
        ex[0].args,
        ["run", "scenarios/default.toml", "--out", "output/x"]
    );
    assert_eq!(ex[0].place, "R.md:1");
    assert!(on_bundled_files(&ex[0].args));
    assert!(!on_bundled_files(&["run".into(), "what-if.toml".into()]));
    let t = block_examples(
        "R.md",
        "text",
        vec![
            (5, "$ scansim validate scenarios/default.toml"),
            (6, "line"),
            (7, "…"),
        ],
    );
    assert_eq!(t[0].shown, ["line", "…"]);
    assert_eq!(scansim_args("scansim import x \"$R\""), None);
    assert_eq!(
        scansim_args("scansim advise s.toml --target 'coverage>=30' -q").unwrap(),
        ["advise", "s.toml", "--target", "coverage>=30", "-q"]
    );
    assert_eq!(
        scansim_args("scansim advise s.toml --target coverage>=30"),
        None
    );
    assert_eq!(
        scansim_args("scansim advise s.toml --target 'coverage>=30"),
        None
    );
}
