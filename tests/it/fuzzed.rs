//! The inputs that made a fuzz target (`fuzz/`) panic, abort or hang, and inputs near
//! them, replayed through the same code as the targets (`fuzz/fuzz_targets/bodies.rs`):
//! `tests/fixtures/fuzz/TARGET/*`. A new reproducer is a file dropped there.

#[path = "../../fuzz/fuzz_targets/bodies.rs"]
mod bodies;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let t0 = std::time::Instant::now();
        body(&data);
        assert!(
            t0.elapsed().as_secs() < 5,
            "{} took {:?}",
            f.display(),
            t0.elapsed()
        );
    }
}

#[test]
fn trace_inputs() {
    replay("trace", bodies::trace);
}

#[test]
fn scenario_inputs() {
    replay("scenario", bodies::scenario);
}

#[test]
fn lifecycle_inputs() {
    replay("lifecycle", bodies::lifecycle);
}

#[test]
fn import_inputs() {
    replay("import", bodies::import_files);
}

#[test]
fn part_inputs() {
    replay("part", bodies::part);
}
