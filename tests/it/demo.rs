//! The committed demo scenarios run, and show what their comments say they show.

use crate::common::{WorkDir, csv_records, read_text, repo_file, run_scenario};

#[test]
fn trace_demo_shows_enablement_expiry_and_lifecycle() {
    let dir = WorkDir::new("trace-demo");
    let out = dir.join("out");
    let o = run_scenario(
        &repo_file("scenarios/trace-demo/scenario.toml"),
        &out,
        &["--no-charts", "--strict"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_records(&read_text(&out.join("daily.csv")));
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
