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
