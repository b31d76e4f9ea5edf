//! The committed demo scenarios run, and show what their comments say they show.

use crate::common::{scansim, temp_dir};
use std::path::Path;

/// `daily.csv` as rows of named fields.
fn daily(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn trace_demo_shows_enablement_expiry_and_lifecycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/trace-demo");
    let out = temp_dir("trace-demo");
    let o = scansim(&[
        "run",
        root.join("scenario.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "--strict",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("daily.csv")).expect("daily.csv");
    let rows = daily(&text);
    assert_eq!(rows.len(), 60);
    let n = |day: usize, col: &str| -> u64 { rows[day][col].parse().expect(col) };
    // BASIC before day 10: basic scans only, nothing billed.
    assert!((0..10).all(|d| n(d, "active") == 0 && n(d, "initial_scans") == 0));
    assert!((0..10).map(|d| n(d, "basic_scans")).sum::<u64>() > 0);
    // Day 10: 21 prod images recognised by the look-back + 2 pushes; one not recognised.
    assert_eq!(n(10, "initial_scans"), 23);
    assert_eq!(n(10, "expired"), 1);
    // Day 40: the 30-day push window ends monitoring of 10 prod images.
    assert_eq!((0..40).map(|d| n(d, "expirations")).sum::<u64>(), 0);
    assert_eq!(n(40, "expirations"), 10);
    // The lifecycle policy deletes most days (explicit deletes are only 4).
    assert!((0..60).map(|d| n(d, "deletes")).sum::<u64>() > 60);
    // Archive on days 20 and 22, restore on day 30, re-push on day 35.
    assert_eq!([20, 22, 30, 35].map(|d| n(d, "archived")), [1, 2, 1, 0]);
}
