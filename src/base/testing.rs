//! Helpers of the unit tests.

use std::path::PathBuf;

/// A fresh, empty temporary directory named after the test (`module-case`).
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scansim-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temporary directory");
    d
}
