#![allow(dead_code)]
//! A work directory per fuzzing process, and the fuzz input cut into files.

use std::path::{Path, PathBuf};

/// `/tmp/scansim-fuzz-NAME-PID`, emptied of what the last input wrote.
pub fn work_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scansim-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("fuzz work directory");
    d
}

/// Cuts the input at NUL bytes into at most `n` parts (the last part keeps the rest).
pub fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |&b| b == 0).collect()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fuzz file");
    p
}
