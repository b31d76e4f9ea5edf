//! Findings on one repository state, derived by hand: with a spread of 0 and no rescan
//! findings, an image opens exactly the sample mix (CRITICAL 7, HIGH 61, MEDIUM 62, LOW
//! 24, INFORMATIONAL 2, UNTRIAGED 2 = 158) at its first scan, so every open, created and
//! closed count below follows from the rules alone.

use super::findings::Book;
use super::repo::RepoState;
use super::transitions_tests::{S, d, days14, lifetime, pull, push, repo};
use crate::base::time::DAY;
use crate::rules::Freq;
use crate::rules::findings::FindingsModel;
use std::sync::Arc;

const SAMPLE: [u64; 6] = [7, 61, 62, 24, 2, 2];
const NONE: [u64; 6] = [0; 6];

fn exact(freq: Freq) -> RepoState {
    let mut r = repo(freq);
    let m = FindingsModel {
        sigma: 0.0,
        per_rescan: 0.0,
        updated_share: 0.0,
        ..FindingsModel::default()
    };
    r.findings = Book::new(Arc::new(m), 0);
    r
}

/// (open, created, closed, closed in use) of the day so far; clears the day's flows.
fn take(r: &mut RepoState) -> ([u64; 6], [u64; 6], [u64; 6], u64) {
    let f = r.flows.findings;
    r.close_day(false);
    (r.counts.findings_open, f.created, f.closed, f.closed_in_use)
}

#[test]
fn the_first_scan_opens_the_mix_and_a_rescan_reopens_nothing_twice() {
    let c = lifetime();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    assert_eq!(take(&mut r), (SAMPLE, SAMPLE, NONE, 0));
    assert!(r.vulndb_one(S + 10, d(1), &c));
    assert_eq!(take(&mut r), (SAMPLE, NONE, NONE, 0));
}

#[test]
fn expiry_closes_exactly_the_open_findings_and_a_revival_reopens_them() {
    let c = days14();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    push(&mut r, S + 5 * DAY, 2, &[], &c);
    take(&mut r);
    // Digest 1 expires at the day end 15 (pushed more than 14 days before); 2 stays.
    r.day_end(S + 15 * DAY, &c);
    assert_eq!(r.flows.expirations, 1);
    assert_eq!(take(&mut r), (SAMPLE, NONE, SAMPLE, 0));
    // A re-push revives it: the same findings open again, counted as created.
    push(&mut r, S + 16 * DAY, 1, &[], &c);
    assert_eq!(take(&mut r), (SAMPLE.map(|x| 2 * x), SAMPLE, NONE, 0));
}

#[test]
fn findings_of_an_image_in_use_close_as_exposure() {
    let c = days14();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    assert!(pull(&mut r, S + 3 * DAY, 1, &c));
    take(&mut r);
    r.day_end(S + 15 * DAY, &c);
    assert_eq!(take(&mut r), (NONE, NONE, SAMPLE, 158));
    // Deleting or archiving an image in use is no exposure: it is no longer there to run.
    push(&mut r, S + 16 * DAY, 2, &[], &c);
    push(&mut r, S + 16 * DAY, 3, &[], &c);
    assert!(pull(&mut r, S + 17 * DAY, 2, &c));
    assert!(pull(&mut r, S + 17 * DAY, 3, &c));
    take(&mut r);
    assert!(r.delete(S + 18 * DAY, d(2)));
    assert!(r.archive(S + 18 * DAY, d(3)));
    assert_eq!(take(&mut r), (NONE, NONE, SAMPLE.map(|x| 2 * x), 0));
}

#[test]
fn archive_closes_and_restore_reopens() {
    let c = lifetime();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    assert!(r.archive(S + DAY, d(1)));
    assert_eq!(take(&mut r), (NONE, NONE, SAMPLE, 0));
    assert!(r.restore(S + 2 * DAY, d(1), &c));
    assert_eq!(take(&mut r), (SAMPLE, SAMPLE, NONE, 0));
}

#[test]
fn delete_closes_and_a_new_push_of_the_digest_opens_again() {
    let c = lifetime();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    assert!(r.delete(S + 1, d(1)));
    assert_eq!(take(&mut r), (NONE, SAMPLE, SAMPLE, 0));
    assert!(!r.delete(S + 2, d(1)), "already gone: nothing closes twice");
    assert_eq!(take(&mut r), (NONE, NONE, NONE, 0));
    push(&mut r, S + 3, 1, &[], &c);
    assert_eq!(take(&mut r), (SAMPLE, SAMPLE, NONE, 0));
}

#[test]
fn scan_on_push_keeps_its_findings_until_the_repository_leaves_scan_on_push() {
    let c = lifetime();
    let mut r = exact(Freq::ScanOnPush);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    for k in 1..=40 {
        r.day_end(S + k * DAY, &c);
    }
    assert_eq!(take(&mut r), (SAMPLE, NONE, NONE, 0));
    // A re-push rescans (no new findings in this model) and opens nothing twice.
    push(&mut r, S + 41 * DAY, 1, &[], &c);
    assert_eq!(take(&mut r), (SAMPLE, NONE, NONE, 0));
    r.reconfigure(S + 42 * DAY, Freq::ScanOnPush, &c);
    assert_eq!(take(&mut r), (SAMPLE, NONE, NONE, 0));
    r.reconfigure(S + 43 * DAY, Freq::Off, &c);
    assert_eq!(take(&mut r), (NONE, NONE, SAMPLE, 0));
}

#[test]
fn leaving_continuous_scanning_closes() {
    let c = lifetime();
    let mut r = exact(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    r.reconfigure(S + DAY, Freq::ScanOnPush, &c);
    assert_eq!(take(&mut r), (NONE, NONE, SAMPLE, 0));
}

#[test]
fn a_feed_rescan_of_every_active_image_adds_findings_and_counts_stay_conserved() {
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let model = FindingsModel {
        per_rescan: 20.0,
        updated_share: 0.5,
        ..FindingsModel::default()
    };
    r.findings = Book::new(Arc::new(model), 3);
    for n in 1..=3 {
        push(&mut r, S, n, &[], &c);
    }
    let first: u64 = r.counts.findings_open.iter().sum();
    r.vulndb_all(S + 60, &c);
    let f = r.flows.findings;
    let open: u64 = r.counts.findings_open.iter().sum();
    assert!(open > first, "20 new findings per rescan on average");
    assert_eq!(open, f.created_total() - f.closed_total());
    assert!(f.updated > 0 && f.updated <= first);
    // Deleting every image closes exactly what is open.
    for n in 1..=3 {
        assert!(r.delete(S + 70, d(n)));
    }
    let f = r.flows.findings;
    assert_eq!(r.counts.findings_open, NONE);
    assert_eq!(f.closed, f.created);
}
