//! Every transition of the scanning rules (docs/behaviour.md) on one repository state, derived by hand: each test drives
//! a `RepoState` directly (no engine, no clock) and checks the image's flags, the status
//! counters (re-counted from the images as well) and the day's flows.

use super::repo::{Ctx, RepoState};
use super::result::{Counts, Flows};
use crate::base::digest::DigestRef;
use crate::base::time::DAY;
use crate::rules::{
    Billing, Duration, Freq, InspectorSettings, NEVER, Pricing, Profile, PullMode, ScanType,
    Status, Window,
};

/// 2026-01-01T00:00:00Z: a midnight, so `S + k*DAY` are the day ends.
pub(super) const S: i64 = 1_767_225_600;
const INITIAL: i64 = 90_000;
const RESCAN: i64 = 10_000;
const LAST_PULL: PullMode = PullMode::LastPullDate;
const LAST_IN_USE: PullMode = PullMode::LastInUseAt;

/// Status counter order: [active, expired, scan_on_push, not_scanned, unsupported, archived].
const ACTIVE: [u64; 6] = [1, 0, 0, 0, 0, 0];
const EXPIRED: [u64; 6] = [0, 1, 0, 0, 0, 0];
const SCAN_ON_PUSH: [u64; 6] = [0, 0, 1, 0, 0, 0];
const NOT_SCANNED: [u64; 6] = [0, 0, 0, 1, 0, 0];
const UNSUPPORTED: [u64; 6] = [0, 0, 0, 0, 1, 0];
const ARCHIVED: [u64; 6] = [0, 0, 0, 0, 0, 1];

/// Settings of profile 2024 (look-back: pushed within 30 days or pulled within 90),
/// default prices, no free trial, a 30-day in-use window.
pub(super) fn ctx(
    scan_type: ScanType,
    push: Duration,
    pull: Option<Duration>,
    mode: PullMode,
) -> Ctx {
    let s = InspectorSettings { push, pull, mode };
    Ctx {
        window: Window::new(&s, Profile::P2024),
        scan_type,
        billing: Billing {
            pricing: Pricing::default(),
            trial_start: None,
        },
        in_use_window: 30 * DAY,
    }
}

/// ENHANCED, push LIFETIME, no pull window.
pub(super) fn lifetime() -> Ctx {
    ctx(ScanType::Enhanced, Duration::Lifetime, None, LAST_PULL)
}

/// ENHANCED, push DAYS_14, no pull window.
pub(super) fn days14() -> Ctx {
    ctx(ScanType::Enhanced, Duration::Days(14), None, LAST_PULL)
}

/// ENHANCED, push DAYS_14, pull DAYS_30 in `mode`.
pub(super) fn days14_pull30(mode: PullMode) -> Ctx {
    ctx(
        ScanType::Enhanced,
        Duration::Days(14),
        Some(Duration::Days(30)),
        mode,
    )
}

fn basic() -> Ctx {
    ctx(ScanType::Basic, Duration::Lifetime, None, LAST_PULL)
}

/// Digest number `n` (1..=32 are the ones `recount` looks at).
pub(super) fn d(n: u32) -> DigestRef<'static> {
    let mut b = [0u8; 32];
    b[..4].copy_from_slice(&n.to_be_bytes());
    DigestRef::Sha256(b)
}

pub(super) fn repo(freq: Freq) -> RepoState {
    RepoState::new("app", freq, None, 0)
}

/// Pushes digest `n` (supported) with `tags`; returns its slot.
pub(super) fn push(r: &mut RepoState, t: i64, n: u32, tags: &[&str], c: &Ctx) -> u32 {
    push_as(r, t, n, tags, true, c)
}

pub(super) fn push_as(
    r: &mut RepoState,
    t: i64,
    n: u32,
    tags: &[&str],
    supported: bool,
    c: &Ctx,
) -> u32 {
    r.push(
        t,
        d(n),
        tags.iter().map(|s| s.as_bytes()),
        supported,
        n as u64,
        c,
    );
    r.lookup(d(n)).expect("pushed image is live")
}

pub(super) fn pull(r: &mut RepoState, t: i64, n: u32, c: &Ctx) -> bool {
    r.observe(t, d(n), LAST_PULL, c)
}

pub(super) fn in_use(r: &mut RepoState, t: i64, n: u32, c: &Ctx) -> bool {
    r.observe(t, d(n), LAST_IN_USE, c)
}

/// The day's flows so far, findings left out (`findings_tests.rs` checks them); clears
/// them (as the engine does after a snapshot).
fn take(r: &mut RepoState) -> Flows {
    let mut f = r.flows;
    f.findings = Default::default();
    r.close_day(false);
    f
}

fn status(r: &RepoState, n: u32) -> Status {
    r.image(r.lookup(d(n)).expect("live")).counted()
}

fn tags(r: &RepoState, n: u32) -> Vec<String> {
    let mut v: Vec<String> = r
        .tags(r.lookup(d(n)).expect("live"))
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    v.sort();
    v
}

/// Asserts the counters, and that they agree with the statuses re-derived from the
/// flags of the live images (digests 1..=32).
fn assert_counts(r: &RepoState, images: u64, status: [u64; 6], in_use: u64, in_use_active: u64) {
    assert_eq!(
        r.counts,
        Counts {
            images,
            status,
            in_use,
            in_use_active,
            findings_open: r.counts.findings_open,
        }
    );
    let mut recount = [0u64; 6];
    for n in 1..=32 {
        if let Some(slot) = r.lookup(d(n)) {
            let img = r.image(slot);
            assert_eq!(img.counted(), img.status(r.freq), "digest {n}");
            recount[img.status(r.freq) as usize] += 1;
        }
    }
    assert_eq!(recount, status, "re-derived statuses");
    assert_eq!(r.active_count() as u64, status[0], "active list");
}

// ---------------------------------------------------------------- push

#[test]
fn push_under_continuous_is_an_initial_scan_and_active() {
    // CONTINUOUS, not monitored yet: enhanced scan (first one: initial, 0.09), monitored.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    let i = r.image(s);
    assert!(i.monitored && i.scanned && i.enhanced_scanned && !i.archived && i.supported);
    assert_eq!(
        (i.pushed_at, i.activated_at, i.counted()),
        (S, NEVER, Status::Active)
    );
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

#[test]
fn push_under_scan_on_push_enhanced_scans_every_push() {
    // SCAN_ON_PUSH + ENHANCED: each push is an enhanced scan, no 24 h limit: 0.09 + 0.01.
    let c = lifetime();
    let mut r = repo(Freq::ScanOnPush);
    let s = push(&mut r, S, 1, &[], &c);
    assert!(!r.image(s).monitored && r.image(s).enhanced_scanned);
    assert_eq!(r.image(s).counted(), Status::ScanOnPush);
    push(&mut r, S + 10, 1, &[], &c);
    assert_counts(&r, 1, SCAN_ON_PUSH, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 2,
            initial_scans: 1,
            rescans: 1,
            cost_micro: INITIAL + RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn push_under_scan_on_push_basic_is_one_basic_scan_per_24_hours() {
    // BASIC: push at S scans; S+86 399 (t - last < 86 400) is skipped and does not move
    // the clock; S+86 400 (t - last == 86 400) scans again. Basic scans are free.
    let c = basic();
    let mut r = repo(Freq::ScanOnPush);
    let s = push(&mut r, S, 1, &[], &c);
    let i = r.image(s);
    assert!(i.scanned && !i.enhanced_scanned && !i.monitored);
    assert_eq!(i.last_basic_scan, S);
    push(&mut r, S + DAY - 1, 1, &[], &c);
    assert_eq!(r.image(s).last_basic_scan, S);
    assert_eq!(r.flows.basic_scans, 1);
    push(&mut r, S + DAY, 1, &[], &c);
    assert_eq!(r.image(s).last_basic_scan, S + DAY);
    assert_counts(&r, 1, SCAN_ON_PUSH, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 3,
            basic_scans: 2,
            ..Flows::default()
        }
    );
}

#[test]
fn push_under_off_is_not_scanned() {
    // OFF: nothing happens but the push.
    let mut r = repo(Freq::Off);
    let s = push(&mut r, S, 1, &[], &lifetime());
    let i = r.image(s);
    assert!(!i.scanned && !i.enhanced_scanned && !i.monitored);
    assert_counts(&r, 1, NOT_SCANNED, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            ..Flows::default()
        }
    );
}

#[test]
fn unsupported_image_is_never_scanned() {
    // Not supported: no scan under any frequency, status unsupported; a later push
    // claiming `supported` does not change it (fixed at creation).
    for freq in Freq::ALL {
        let c = lifetime();
        let mut r = repo(freq);
        let s = push_as(&mut r, S, 1, &[], false, &c);
        push_as(&mut r, S + DAY, 1, &[], true, &c);
        let i = r.image(s);
        assert!(!i.supported && !i.scanned && !i.monitored, "{freq:?}");
        assert_counts(&r, 1, UNSUPPORTED, 0, 0);
        assert_eq!(
            take(&mut r),
            Flows {
                pushes: 2,
                ..Flows::default()
            }
        );
    }
}

#[test]
fn unsupported_image_is_never_scanned_under_basic_scan_on_push() {
    let mut r = repo(Freq::ScanOnPush);
    push_as(&mut r, S, 1, &[], false, &basic());
    assert_counts(&r, 1, UNSUPPORTED, 0, 0);
    assert_eq!(r.flows.basic_scans, 0);
}

#[test]
fn tags_move_from_another_image_which_keeps_its_other_tags() {
    // A: {latest, v1}; B pushed with latest takes it: A {v1}, B {latest}. B re-pushed with
    // v2 keeps latest; A re-pushed with v1 (its own tag) changes nothing.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &["latest", "v1"], &c);
    push(&mut r, S + 1, 2, &["latest"], &c);
    assert_eq!(tags(&r, 1), ["v1"]);
    assert_eq!(tags(&r, 2), ["latest"]);
    push(&mut r, S + 2, 2, &["v2"], &c);
    assert_eq!(tags(&r, 2), ["latest", "v2"]);
    push(&mut r, S + 3, 1, &["v1", "v1"], &c);
    assert_eq!(tags(&r, 1), ["v1"]);
    assert_eq!(tags(&r, 2), ["latest", "v2"]);
    assert_counts(&r, 2, [2, 0, 0, 0, 0, 0], 0, 0);
}

// ---------------------------------------------------------------- re-push

#[test]
fn repush_moves_pushed_at_and_does_not_rescan_a_monitored_image() {
    // Monitored already: no scan. DAYS_14 window now runs from the re-push at S+10d, so
    // the day end at S+24d keeps it (M - c == 14d; the queued S+14d deadline is stale)
    // and S+25d expires it (15d > 14d).
    let c = days14();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    push(&mut r, S + 10 * DAY, 1, &[], &c);
    assert_eq!(r.image(s).pushed_at, S + 10 * DAY);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 2,
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
    r.day_end(S + 24 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    r.day_end(S + 25 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
}

#[test]
fn repush_revives_an_expired_image_billed_as_a_rescan() {
    // DAYS_14: pushed at S, expired at the S+15d day end; re-push at S+16d: not monitored
    // -> enhanced scan, already enhanced-scanned -> rescan (0.01).
    let c = days14();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    take(&mut r);
    push(&mut r, S + 16 * DAY, 1, &[], &c);
    assert!(r.image(s).monitored);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn repush_restores_an_archived_image() {
    // Archived at S+1d (monitored = false); re-push at S+2d: archived = false,
    // activated_at = pushed_at = S+2d, continuous rules: rescan. It counts as a push.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &["v1"], &c);
    assert!(r.archive(S + DAY, d(1)));
    take(&mut r);
    push(&mut r, S + 2 * DAY, 1, &[], &c);
    let i = r.image(s);
    assert!(!i.archived && i.monitored);
    assert_eq!((i.pushed_at, i.activated_at), (S + 2 * DAY, S + 2 * DAY));
    assert_eq!(tags(&r, 1), ["v1"]);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

// ---------------------------------------------------------------- pull / in use

/// DAYS_14 push, DAYS_30 pull in `mode`: pushed at S, expired at the S+15d day end, flows
/// cleared.
fn expired_image(mode: PullMode) -> (RepoState, Ctx) {
    let c = days14_pull30(mode);
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
    (r, c)
}

#[test]
fn pull_revives_under_last_pull_date() {
    // Pull at t: last_pull = t, so the pull window holds (0 <= 30d): rescan, active.
    let (mut r, c) = expired_image(LAST_PULL);
    let t = S + 15 * DAY + 100;
    assert!(pull(&mut r, t, 1, &c));
    let i = r.image(r.lookup(d(1)).unwrap());
    assert!(i.monitored);
    assert_eq!((i.last_pull, i.last_in_use), (t, NEVER));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(
        take(&mut r),
        Flows {
            pulls: 1,
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn in_use_does_not_revive_under_last_pull_date() {
    // Kind in_use does not match mode LAST_PULL_DATE: stays expired; in use, not a pull.
    let (mut r, c) = expired_image(LAST_PULL);
    let t = S + 15 * DAY + 100;
    assert!(in_use(&mut r, t, 1, &c));
    let i = r.image(r.lookup(d(1)).unwrap());
    assert!(!i.monitored);
    assert_eq!((i.last_pull, i.last_in_use), (NEVER, t));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn in_use_revives_under_last_in_use_at() {
    let (mut r, c) = expired_image(LAST_IN_USE);
    assert!(in_use(&mut r, S + 20 * DAY, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn pull_does_not_revive_under_last_in_use_at() {
    let (mut r, c) = expired_image(LAST_IN_USE);
    assert!(pull(&mut r, S + 20 * DAY, 1, &c));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pulls: 1,
            ..Flows::default()
        }
    );
}

#[test]
fn no_revival_without_a_pull_window() {
    // DAYS_14, pull_duration none: neither a pull nor an in-use observation revives.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.day_end(S + 15 * DAY, &c);
    take(&mut r);
    assert!(pull(&mut r, S + 16 * DAY, 1, &c));
    assert!(in_use(&mut r, S + 16 * DAY, 1, &c));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pulls: 1,
            ..Flows::default()
        }
    );
}

#[test]
fn no_revival_when_the_window_does_not_hold() {
    // A matching event sets its own anchor to t (t - t = 0 <= pull), so with a pull window
    // the window always holds for it: the condition can fail only together with the kind.
    // The window itself: pulled at S+20d, DAYS_30: holds at S+50d, not at S+50d+1.
    let c = days14_pull30(LAST_PULL);
    let clocks = crate::rules::Clocks {
        push_clock: S,
        last_pull: S + 20 * DAY,
        last_in_use: NEVER,
    };
    assert!(c.window.holds(&clocks, S + 50 * DAY));
    assert!(!c.window.holds(&clocks, S + 50 * DAY + 1));
    // Pulled (revived) at S+20d, expired at the S+51d day end (deadline S+50d); an
    // in-use observation at S+60d: window over (40d > 30d) and kind mismatched: expired.
    let (mut r, c) = expired_image(LAST_PULL);
    assert!(pull(&mut r, S + 20 * DAY, 1, &c));
    assert_eq!(take(&mut r).rescans, 1);
    r.day_end(S + 51 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    take(&mut r);
    assert!(in_use(&mut r, S + 60 * DAY, 1, &c));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn pull_does_not_revive_under_last_in_use_at_even_while_the_in_use_window_holds() {
    // Profile 2024, mode LAST_IN_USE_AT, DAYS_14 push and pull. Pushed at S, in use at
    // S+39d, never pulled; enabled at S+40d: not recognised (40d > 30d, no pull) although
    // the window holds (1d since in use): expired. A pull at S+41d is the wrong kind
    // (window holds); an in-use observation at S+42d revives (initial: never scanned).
    let c = ctx(
        ScanType::Enhanced,
        Duration::Days(14),
        Some(Duration::Days(14)),
        LAST_IN_USE,
    );
    let mut r = repo(Freq::Off);
    push(&mut r, S, 1, &[], &c);
    in_use(&mut r, S + 39 * DAY, 1, &c);
    r.reconfigure(S + 40 * DAY, Freq::Continuous, &c);
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert!(pull(&mut r, S + 41 * DAY, 1, &c));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert!(in_use(&mut r, S + 42 * DAY, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            pulls: 1,
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

#[test]
fn in_use_does_not_revive_under_last_pull_date_even_while_the_pull_window_holds() {
    // Profile 2024, LAST_PULL_DATE, DAYS_14 push, DAYS_180 pull. Pushed at S, pulled at
    // S+1d; enabled at S+101d: not recognised (push 101d > 30d, pull 100d > 90d) but the
    // window holds (100d <= 180d): expired. In use at S+102d: wrong kind, stays expired.
    let c = ctx(
        ScanType::Enhanced,
        Duration::Days(14),
        Some(Duration::Days(180)),
        LAST_PULL,
    );
    let mut r = repo(Freq::Off);
    push(&mut r, S, 1, &[], &c);
    pull(&mut r, S + DAY, 1, &c);
    r.reconfigure(S + 101 * DAY, Freq::Continuous, &c);
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert!(in_use(&mut r, S + 102 * DAY, 1, &c));
    assert_counts(&r, 1, EXPIRED, 1, 0);
    assert!(pull(&mut r, S + 103 * DAY, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
}

#[test]
fn pulls_are_counted_in_use_observations_are_not() {
    // Two pulls and three in-use observations of an active image: pulls = 2, no scans;
    // in use (30d window) and active.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    for k in 1..=3 {
        assert!(in_use(&mut r, S + k, 1, &c));
    }
    assert!(pull(&mut r, S + 10, 1, &c));
    assert!(pull(&mut r, S + 11, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(
        take(&mut r),
        Flows {
            pulls: 2,
            ..Flows::default()
        }
    );
    assert!(!pull(&mut r, S + 12, 2, &c), "unknown digest: ignored");
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn a_pull_revives_an_image_never_enhanced_scanned_at_the_initial_price() {
    // OFF repo, pushed at S; enabled at S+40d: not recognised (40d > 30d, never pulled),
    // so expired without a scan. Pull window set: a pull at S+41d revives it, and as the
    // image was never enhanced-scanned the scan is initial (0.09).
    let c = ctx(
        ScanType::Enhanced,
        Duration::Lifetime,
        Some(Duration::Days(14)),
        LAST_PULL,
    );
    let mut r = repo(Freq::Off);
    push(&mut r, S, 1, &[], &c);
    r.reconfigure(S + 40 * DAY, Freq::Continuous, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    take(&mut r);
    assert!(pull(&mut r, S + 41 * DAY, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(
        take(&mut r),
        Flows {
            pulls: 1,
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

// ---------------------------------------------------------------- archive / restore

#[test]
fn archive_stops_monitoring_and_a_second_archive_is_ignored() {
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    assert!(pull(&mut r, S + 1, 1, &c));
    assert_counts(&r, 1, ACTIVE, 1, 1);
    take(&mut r);
    assert!(r.archive(S + DAY, d(1)));
    let i = r.image(s);
    assert!(i.archived && !i.monitored && i.scanned);
    assert_eq!(i.archived_at, S + DAY);
    // Archived images are live (counted in images) but not in use.
    assert_counts(&r, 1, ARCHIVED, 0, 0);
    assert!(!r.archive(S + 2 * DAY, d(1)), "already archived: ignored");
    assert_eq!(r.image(s).archived_at, S + DAY);
    assert!(!r.archive(S + 2 * DAY, d(9)), "unknown digest");
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn restore_applies_the_push_rules_but_is_not_a_push() {
    // Restore at S+2d: archived = false, activated_at = S+2d, pushed_at and tags kept;
    // continuous rule: not monitored -> rescan (0.01). pushes stays 0.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &["v1"], &c);
    r.archive(S + DAY, d(1));
    take(&mut r);
    assert!(r.restore(S + 2 * DAY, d(1), &c));
    let i = r.image(s);
    assert!(!i.archived && i.monitored);
    assert_eq!((i.pushed_at, i.activated_at), (S, S + 2 * DAY));
    assert_eq!(tags(&r, 1), ["v1"]);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn restore_sets_the_push_clock() {
    // DAYS_14; pushed at S, archived at S+1d, restored at S+100d: push_clock = S+100d, so
    // the S+114d day end keeps it (14d) and S+115d expires it.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.archive(S + DAY, d(1));
    r.day_end(S + 50 * DAY, &c);
    assert_counts(&r, 1, ARCHIVED, 0, 0);
    r.restore(S + 100 * DAY, d(1), &c);
    r.day_end(S + 114 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    r.day_end(S + 115 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            initial_scans: 1,
            rescans: 1,
            expirations: 1,
            cost_micro: INITIAL + RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn restore_under_basic_scan_on_push_is_a_basic_scan() {
    // BASIC SCAN_ON_PUSH: restore at S+2d >= 24 h after the push scan: basic scan.
    let c = basic();
    let mut r = repo(Freq::ScanOnPush);
    push(&mut r, S, 1, &[], &c);
    r.archive(S + DAY, d(1));
    assert!(r.restore(S + 2 * DAY, d(1), &c));
    assert_counts(&r, 1, SCAN_ON_PUSH, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            basic_scans: 2,
            ..Flows::default()
        }
    );
}

#[test]
fn restore_of_an_image_that_is_not_archived_is_ignored() {
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    take(&mut r);
    assert!(!r.restore(S + DAY, d(1), &c));
    assert!(!r.restore(S + DAY, d(2), &c), "unknown digest");
    assert_eq!(r.image(s).activated_at, NEVER);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn pull_and_in_use_of_an_archived_image_are_ignored() {
    // Ignored: no clock moves, no pull counted, no revival, not in use.
    let c = days14_pull30(LAST_PULL);
    let mut r = repo(Freq::Continuous);
    let s = push(&mut r, S, 1, &[], &c);
    r.archive(S + DAY, d(1));
    take(&mut r);
    assert!(!pull(&mut r, S + 2 * DAY, 1, &c));
    assert!(!in_use(&mut r, S + 2 * DAY, 1, &c));
    let i = r.image(s);
    assert_eq!((i.last_pull, i.last_in_use), (NEVER, NEVER));
    assert_counts(&r, 1, ARCHIVED, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_drops_the_counts_and_a_repush_is_a_new_image() {
    // Delete an active, in-use image: images 1 -> 0, in_use 1 -> 0. Pushing the digest
    // again creates a new image: enhanced_scanned is per image, so an initial scan again.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &["latest"], &c);
    pull(&mut r, S + 1, 1, &c);
    assert_counts(&r, 1, ACTIVE, 1, 1);
    take(&mut r);
    assert!(r.delete(S + DAY, d(1)));
    assert_eq!(r.lookup(d(1)), None);
    assert_counts(&r, 0, [0; 6], 0, 0);
    assert!(!r.delete(S + DAY, d(1)), "gone: ignored");
    assert_eq!(
        take(&mut r),
        Flows {
            deletes: 1,
            ..Flows::default()
        }
    );
    let s = push(&mut r, S + 2 * DAY, 1, &[], &c);
    let i = r.image(s);
    assert_eq!((i.pushed_at, i.last_pull), (S + 2 * DAY, NEVER));
    assert!(
        tags(&r, 1).is_empty(),
        "the deleted image's tags went with it"
    );
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

#[test]
fn a_deleted_images_deadlines_do_not_touch_its_successor() {
    // DAYS_14: image 1 pushed at S (deadline S+14d) and deleted; image 2 reuses the slot,
    // pushed at S+10d (deadline S+24d): the S+15d day end expires nothing.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.delete(S + DAY, d(1));
    push(&mut r, S + 10 * DAY, 2, &[], &c);
    r.day_end(S + 24 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    r.day_end(S + 25 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
}

// ---------------------------------------------------------------- configuration change

#[test]
fn enable_continuous_recognised_and_window_holds_scans() {
    // OFF -> CONTINUOUS at S+30d: pushed 30d ago <= look-back 30d, LIFETIME window:
    // enhanced scan (initial), active. reconfigure returns f0.
    let c = lifetime();
    let mut r = repo(Freq::Off);
    let s = push(&mut r, S, 1, &[], &c);
    take(&mut r);
    assert_eq!(r.reconfigure(S + 30 * DAY, Freq::Continuous, &c), Freq::Off);
    assert!(r.image(s).monitored);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

#[test]
fn enable_continuous_not_recognised_starts_expired() {
    // OFF -> CONTINUOUS at S+30d+1: 30d+1 > look-back, never pulled: expired, no scan.
    let c = lifetime();
    let mut r = repo(Freq::Off);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    r.reconfigure(S + 30 * DAY + 1, Freq::Continuous, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn enable_continuous_recognised_by_a_pull_within_90_days() {
    // Profile 2024: pushed 100d ago (> 30d) but pulled 50d ago (<= 90d): recognised.
    let c = lifetime();
    let mut r = repo(Freq::Off);
    push(&mut r, S, 1, &[], &c);
    pull(&mut r, S + 50 * DAY, 1, &c);
    take(&mut r);
    r.reconfigure(S + 100 * DAY, Freq::Continuous, &c);
    assert_counts(&r, 1, ACTIVE, 1, 1);
    assert_eq!(r.flows.initial_scans, 1);
}

#[test]
fn enable_continuous_recognised_but_outside_the_window_starts_expired() {
    // DAYS_14: at S+20d the look-back holds (20d <= 30d) but the window does not
    // (20d > 14d): expired, no scan.
    let c = days14();
    let mut r = repo(Freq::ScanOnPush);
    push(&mut r, S, 1, &[], &basic());
    take(&mut r);
    r.reconfigure(S + 20 * DAY, Freq::Continuous, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn a_basic_scan_does_not_make_the_first_enhanced_scan_a_rescan() {
    // BASIC scan on push at S (scanned, not enhanced_scanned); ENHANCED continuous at
    // S+1d: recognised, LIFETIME: the enhanced scan is an initial scan (0.09).
    let mut r = repo(Freq::ScanOnPush);
    let s = push(&mut r, S, 1, &[], &basic());
    assert!(r.image(s).scanned && !r.image(s).enhanced_scanned);
    take(&mut r);
    r.reconfigure(S + DAY, Freq::Continuous, &lifetime());
    assert!(r.image(s).enhanced_scanned);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            initial_scans: 1,
            cost_micro: INITIAL,
            ..Flows::default()
        }
    );
}

#[test]
fn returning_to_continuous_is_an_enablement_billed_as_a_rescan() {
    // C (scan at S) -> SCAN_ON_PUSH at S+1d (monitored = false) -> C at S+2d: recognised,
    // LIFETIME: scan again, a rescan as the image was enhanced-scanned.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.reconfigure(S + DAY, Freq::ScanOnPush, &c);
    take(&mut r);
    assert_eq!(
        r.reconfigure(S + 2 * DAY, Freq::Continuous, &c),
        Freq::ScanOnPush
    );
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn continuous_to_continuous_does_nothing_now_and_a_shorter_window_acts_at_day_end() {
    // LIFETIME, pushed at S; at S+20d the settings become DAYS_14 (C -> C): still active,
    // no scan; the next day end (S+21d) expires it (21d > 14d).
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &lifetime());
    take(&mut r);
    let c = days14();
    assert_eq!(
        r.reconfigure(S + 20 * DAY, Freq::Continuous, &c),
        Freq::Continuous
    );
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
    r.day_end(S + 21 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            expirations: 1,
            ..Flows::default()
        }
    );
}

#[test]
fn continuous_to_continuous_longer_window_does_not_revive() {
    // DAYS_14, expired at S+15d; LIFETIME from S+16d: "inactive images remain inactive".
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.day_end(S + 15 * DAY, &c);
    take(&mut r);
    let c = lifetime();
    r.reconfigure(S + 16 * DAY, Freq::Continuous, &c);
    r.day_end(S + 17 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn continuous_to_scan_on_push_or_off_stops_monitoring() {
    // Active (scanned) image: -> SCAN_ON_PUSH: scan_on_push; -> OFF: not_scanned.
    let c = lifetime();
    for (f1, want) in [(Freq::ScanOnPush, SCAN_ON_PUSH), (Freq::Off, NOT_SCANNED)] {
        let mut r = repo(Freq::Continuous);
        let s = push(&mut r, S, 1, &[], &c);
        take(&mut r);
        r.reconfigure(S + DAY, f1, &c);
        assert!(!r.image(s).monitored);
        assert_counts(&r, 1, want, 0, 0);
        assert_eq!(take(&mut r), Flows::default());
    }
}

#[test]
fn an_image_that_stopped_monitoring_does_not_expire_later() {
    // C -> SCAN_ON_PUSH at S+1d under DAYS_14: the S+15d day end counts no expiration.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.reconfigure(S + DAY, Freq::ScanOnPush, &c);
    take(&mut r);
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 1, SCAN_ON_PUSH, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn configuration_changes_leave_archived_and_unsupported_images_alone() {
    // Image 1 unsupported, image 2 archived: OFF -> C -> SCAN_ON_PUSH -> C, no scan, and
    // they keep their statuses; image 3 (pushed at S under OFF) is enabled twice.
    let c = lifetime();
    let mut r = repo(Freq::Off);
    push_as(&mut r, S, 1, &[], false, &c);
    push(&mut r, S, 2, &[], &c);
    push(&mut r, S, 3, &[], &c);
    r.archive(S + 1, d(2));
    take(&mut r);
    for (k, f1) in [Freq::Continuous, Freq::ScanOnPush, Freq::Continuous]
        .into_iter()
        .enumerate()
    {
        r.reconfigure(S + DAY + k as i64, f1, &c);
        assert_eq!(status(&r, 1), Status::Unsupported);
        assert_eq!(status(&r, 2), Status::Archived);
        assert!(!r.image(r.lookup(d(2)).unwrap()).scanned);
    }
    assert_counts(&r, 3, [1, 0, 0, 0, 1, 1], 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            initial_scans: 1,
            rescans: 1,
            cost_micro: INITIAL + RESCAN,
            ..Flows::default()
        }
    );
}

// ---------------------------------------------------------------- vulnerability database

#[test]
fn vulndb_all_rescans_exactly_the_active_images() {
    // DAYS_14: images 1, 2 pushed at S+10d (active at S+15d), image 3 pushed at S
    // (expired at S+15d), image 4 archived, image 5 unsupported: 2 rescans, 2 x 0.01.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 3, &[], &c);
    push(&mut r, S, 4, &[], &c);
    push_as(&mut r, S, 5, &[], false, &c);
    push(&mut r, S + 10 * DAY, 1, &[], &c);
    push(&mut r, S + 10 * DAY, 2, &[], &c);
    r.archive(S + 10 * DAY, d(4));
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 5, [2, 1, 0, 0, 1, 1], 0, 0);
    take(&mut r);
    r.vulndb_all(S + 15 * DAY + 5, &c);
    assert_counts(&r, 5, [2, 1, 0, 0, 1, 1], 0, 0);
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 2,
            cost_micro: 2 * RESCAN,
            ..Flows::default()
        }
    );
}

#[test]
fn vulndb_all_of_a_scan_on_push_repository_rescans_nothing() {
    let c = lifetime();
    let mut r = repo(Freq::ScanOnPush);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    r.vulndb_all(S + 1, &c);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn vulndb_one_rescans_an_active_image_only() {
    // Image 1 active: rescan (true). Image 2 expired: live, so true, but no scan.
    // Unknown digest 3: false. Deleted digest 1 afterwards: false.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 2, &[], &c);
    push(&mut r, S + 10 * DAY, 1, &[], &c);
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 2, [1, 1, 0, 0, 0, 0], 0, 0);
    take(&mut r);
    assert!(r.vulndb_one(S + 16 * DAY, d(1), &c));
    assert!(r.vulndb_one(S + 16 * DAY, d(2), &c));
    assert!(!r.vulndb_one(S + 16 * DAY, d(3), &c));
    r.delete(S + 16 * DAY, d(1));
    assert!(!r.vulndb_one(S + 16 * DAY, d(1), &c));
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 1,
            deletes: 1,
            cost_micro: RESCAN,
            ..Flows::default()
        }
    );
}

// ---------------------------------------------------------------- day end

#[test]
fn expiry_at_the_exact_boundary_is_still_within() {
    // DAYS_14, pushed at S: at M = S+14d, M - c == D: within, stays active. Next day end
    // S+15d: 15d > 14d: expires (one expiration).
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    r.day_end(S + 14 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
    r.day_end(S + 16 * DAY, &c);
    assert_eq!(take(&mut r).expirations, 0, "expires once");
}

#[test]
fn expiry_one_second_past_the_boundary() {
    // DAYS_14, pushed at S-1: at M = S+14d, M - c = D + 1: expires at that midnight.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S - 1, 1, &[], &c);
    r.day_end(S + 13 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 0, 0);
    r.day_end(S + 14 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
}

#[test]
fn lifetime_never_expires() {
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    take(&mut r);
    for k in [1, 30, 365, 10_000] {
        r.day_end(S + k * DAY, &c);
    }
    assert_counts(&r, 1, ACTIVE, 0, 0);
    assert_eq!(take(&mut r), Flows::default());
}

#[test]
fn a_pull_extends_the_deadline() {
    // DAYS_14 push, DAYS_30 pull (LAST_PULL_DATE): pushed at S, pulled at S+10d:
    // deadline = max(S+14d, S+40d): active at the S+40d day end, expired at S+41d.
    let c = days14_pull30(LAST_PULL);
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    pull(&mut r, S + 10 * DAY, 1, &c);
    r.day_end(S + 15 * DAY, &c);
    r.day_end(S + 40 * DAY, &c);
    assert_counts(&r, 1, ACTIVE, 1, 1);
    r.day_end(S + 41 * DAY, &c);
    // 41d - 10d = 31d > 30d in-use window too.
    assert_counts(&r, 1, EXPIRED, 0, 0);
    assert_eq!(take(&mut r).expirations, 1);
}

#[test]
fn in_use_window_ages_at_day_end() {
    // in_use_window 7d: image 1 in use at S-5 and pulled at S: at M = S+7d, M - last
    // use == 7d: in use; at S+8d it is not. Image 2, seen in use at S+3d, stays in use
    // at S+8d and leaves at S+11d.
    let mut c = lifetime();
    c.in_use_window = 7 * DAY;
    let mut r = repo(Freq::Continuous);
    push(&mut r, S - 10, 1, &[], &c);
    push(&mut r, S, 2, &[], &c);
    in_use(&mut r, S - 5, 1, &c);
    pull(&mut r, S, 1, &c);
    in_use(&mut r, S + 3 * DAY, 2, &c);
    assert_counts(&r, 2, [2, 0, 0, 0, 0, 0], 2, 2);
    r.day_end(S + 7 * DAY, &c);
    assert_counts(&r, 2, [2, 0, 0, 0, 0, 0], 2, 2);
    r.day_end(S + 8 * DAY, &c);
    assert_counts(&r, 2, [2, 0, 0, 0, 0, 0], 1, 1);
    r.day_end(S + 11 * DAY, &c);
    assert_counts(&r, 2, [2, 0, 0, 0, 0, 0], 0, 0);
}

#[test]
fn in_use_active_drops_when_an_in_use_image_expires() {
    // DAYS_14, no pull window; in use at S+10d (30d in-use window): at S+15d the image
    // expires but is still in use: in_use 1, in_use_active 0.
    let c = days14();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    in_use(&mut r, S + 10 * DAY, 1, &c);
    assert_counts(&r, 1, ACTIVE, 1, 1);
    r.day_end(S + 15 * DAY, &c);
    assert_counts(&r, 1, EXPIRED, 1, 0);
}

#[test]
fn close_day_adds_reported_days_to_the_totals() {
    // Day 1 reported (1 push, 1 initial scan, 1 active image), day 2 not: totals hold
    // day 1 only; flows are cleared either way.
    let c = lifetime();
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.close_day(true);
    assert_eq!(r.flows, Flows::default());
    push(&mut r, S + DAY, 2, &[], &c);
    r.close_day(false);
    assert_eq!(r.flows, Flows::default());
    assert_eq!(
        r.totals.flows,
        Flows {
            pushes: 1,
            initial_scans: 1,
            cost_micro: INITIAL,
            findings: r.totals.flows.findings,
            ..Flows::default()
        }
    );
    assert_eq!((r.totals.sum_active, r.totals.sum_images), (1, 1));
}

// ---------------------------------------------------------------- billing

#[test]
fn free_trial_window_is_half_open() {
    // Trial from S for 1 day: scans at S-1 and S+1d are billed, at S and S+1d-1 free
    // (still counted as initial scans).
    let mut c = lifetime();
    c.billing.trial_start = Some(S);
    c.billing.pricing.free_trial_days = 1;
    let mut r = repo(Freq::Continuous);
    for (n, t) in [(1, S - 1), (2, S), (3, S + DAY - 1), (4, S + DAY)] {
        push(&mut r, t, n, &[], &c);
    }
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 4,
            initial_scans: 4,
            cost_micro: 2 * INITIAL,
            ..Flows::default()
        }
    );
    // vulndb rescans inside the trial are counted and free too.
    r.vulndb_all(S + DAY - 1, &c);
    assert_eq!(
        take(&mut r),
        Flows {
            rescans: 4,
            ..Flows::default()
        }
    );
}

#[test]
fn initial_and_rescan_prices() {
    // Prices 2.01 and 0.000007: push (initial 2 010 000), archive + restore (rescan 7),
    // vulndb_one (rescan 7): 2 010 014 micro-USD.
    let mut c = lifetime();
    c.billing.pricing.initial_micro = 2_010_000;
    c.billing.pricing.rescan_micro = 7;
    let mut r = repo(Freq::Continuous);
    push(&mut r, S, 1, &[], &c);
    r.archive(S + 1, d(1));
    r.restore(S + 2, d(1), &c);
    r.vulndb_one(S + 3, d(1), &c);
    assert_eq!(
        take(&mut r),
        Flows {
            pushes: 1,
            initial_scans: 1,
            rescans: 2,
            cost_micro: 2_010_014,
            ..Flows::default()
        }
    );
}
