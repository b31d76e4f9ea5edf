//! Tells the tests whether the shared golden cases and AWS samples are beside the checkout.
//!
//! The tests that read `../shared/cases` are ignored, with the reason, when the folder is
//! missing (`cfg(shared_missing)`): a fresh clone without it still gets a green run of
//! everything else and a line per test saying what was not run and why. Under CI
//! (`CI=true`) the test `cases::shared_cases_are_present_under_ci` turns a missing folder
//! into a failure.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_missing)");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let shared = Path::new(&manifest).join("../shared");
    if shared.join("cases").is_dir() && shared.join("aws-samples").is_dir() {
        // A change below it (or its removal) decides again.
        println!("cargo::rerun-if-changed=../shared");
    } else {
        // Cargo takes a missing `rerun-if-changed` path as changed on every build, which
        // would rebuild the crate each time; so only a change of this script decides
        // again, and `cases::shared_cases_are_present_under_ci` says when the folder has
        // appeared since (`touch build.rs` then).
        if shared.is_dir() {
            println!("cargo::rerun-if-changed=../shared");
        } else {
            println!("cargo::rerun-if-changed=build.rs");
        }
        println!("cargo::rustc-cfg=shared_missing");
        println!(
            "cargo::warning=../shared/cases or ../shared/aws-samples not found beside the \
             checkout: the tests that read them will be ignored"
        );
    }
}
