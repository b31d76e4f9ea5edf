//! The rules of ECR and Inspector as pure functions of settings and image clocks:
//! repository scan frequency, rules profiles and durations, the window and the enablement
//! look-back, prices and the free trial (docs/behaviour.md says what each does).

pub mod findings;
pub mod lifecycle;

use crate::base::names::filter_matches;
use crate::base::time::DAY;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanType {
    Basic,
    Enhanced,
}

impl ScanType {
    pub fn name(self) -> &'static str {
        match self {
            ScanType::Basic => "BASIC",
            ScanType::Enhanced => "ENHANCED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "BASIC" => Some(ScanType::Basic),
            "ENHANCED" => Some(ScanType::Enhanced),
            _ => None,
        }
    }
}

/// The `scan_frequency` of a registry rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleFrequency {
    ScanOnPush,
    ContinuousScan,
    Manual,
}

impl RuleFrequency {
    pub fn name(self) -> &'static str {
        match self {
            RuleFrequency::ScanOnPush => "SCAN_ON_PUSH",
            RuleFrequency::ContinuousScan => "CONTINUOUS_SCAN",
            RuleFrequency::Manual => "MANUAL",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "SCAN_ON_PUSH" => Some(RuleFrequency::ScanOnPush),
            "CONTINUOUS_SCAN" => Some(RuleFrequency::ContinuousScan),
            "MANUAL" => Some(RuleFrequency::Manual),
            _ => None,
        }
    }
    /// Which rule frequencies a scan type accepts.
    pub fn allowed_under(scan_type: ScanType) -> &'static [RuleFrequency] {
        match scan_type {
            ScanType::Basic => &[RuleFrequency::ScanOnPush, RuleFrequency::Manual],
            ScanType::Enhanced => &[RuleFrequency::ScanOnPush, RuleFrequency::ContinuousScan],
        }
    }
}

/// A repository's effective scan frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Freq {
    Continuous,
    ScanOnPush,
    Off,
}

impl Freq {
    pub const ALL: [Freq; 3] = [Freq::Continuous, Freq::ScanOnPush, Freq::Off];
    /// The name ECR uses (`Off` is shown as MANUAL by the API).
    pub fn name(self) -> &'static str {
        match self {
            Freq::Continuous => "CONTINUOUS_SCAN",
            Freq::ScanOnPush => "SCAN_ON_PUSH",
            Freq::Off => "OFF",
        }
    }
}

/// Reported status of a live image: exactly one per image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Active = 0,
    Expired = 1,
    ScanOnPush = 2,
    NotScanned = 3,
    Unsupported = 4,
    Archived = 5,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Active,
        Status::Expired,
        Status::ScanOnPush,
        Status::NotScanned,
        Status::Unsupported,
        Status::Archived,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::ScanOnPush => "scan_on_push",
            Status::NotScanned => "not_scanned",
            Status::Unsupported => "unsupported",
            Status::Archived => "archived",
        }
    }

    /// The status of an image from its flags and its repository's frequency: the first
    /// that applies of unsupported, archived, (continuous) active or expired,
    /// (scan-on-push) scan_on_push, not_scanned.
    pub fn of(supported: bool, archived: bool, monitored: bool, scanned: bool, freq: Freq) -> Self {
        if !supported {
            Status::Unsupported
        } else if archived {
            Status::Archived
        } else {
            match freq {
                Freq::Continuous if monitored => Status::Active,
                Freq::Continuous => Status::Expired,
                Freq::ScanOnPush if scanned => Status::ScanOnPush,
                _ => Status::NotScanned,
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScanRule {
    pub frequency: RuleFrequency,
    pub filters: Vec<String>,
}

/// The registry scanning configuration of ECR.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistryConfig {
    pub scan_type: ScanType,
    pub rules: Vec<ScanRule>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            scan_type: ScanType::Basic,
            rules: Vec::new(),
        }
    }
}

impl RegistryConfig {
    fn any_filter(&self, freq: RuleFrequency, repo: &str) -> bool {
        self.rules
            .iter()
            .filter(|r| r.frequency == freq)
            .any(|r| r.filters.iter().any(|f| filter_matches(f, repo)))
    }

    /// The configuration in one line: scan type, then each rule with its filters.
    pub fn describe(&self) -> String {
        let mut s = self.scan_type.name().to_string();
        if self.rules.is_empty() {
            s.push_str(", no rules");
        }
        for rule in &self.rules {
            s.push_str(&format!(
                ", {} [{}]",
                rule.frequency.name(),
                rule.filters.join(", ")
            ));
        }
        s
    }

    /// The scan frequency of a repository under this configuration: continuous wins over
    /// scan on push; `ENHANCED` without rules scans everything continuously.
    pub fn frequency(&self, repo: &str) -> Freq {
        match self.scan_type {
            ScanType::Enhanced if self.rules.is_empty() => Freq::Continuous,
            ScanType::Enhanced if self.any_filter(RuleFrequency::ContinuousScan, repo) => {
                Freq::Continuous
            }
            _ if self.any_filter(RuleFrequency::ScanOnPush, repo) => Freq::ScanOnPush,
            _ => Freq::Off,
        }
    }
}

/// The rules profile: which Inspector rules of which year apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    P2022,
    P2024,
    P2025,
}

impl Profile {
    pub const NAMES: &'static str = "2022, 2024, 2025";
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "2022" => Some(Profile::P2022),
            "2024" => Some(Profile::P2024),
            "2025" => Some(Profile::P2025),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Profile::P2022 => "2022",
            Profile::P2024 => "2024",
            Profile::P2025 => "2025",
        }
    }
    pub fn allowed_push(self) -> &'static [Duration] {
        match self {
            Profile::P2022 => &[Duration::Lifetime, Duration::Days(30), Duration::Days(180)],
            Profile::P2024 => &PUSH_2024,
            Profile::P2025 => &ALL_DURATIONS,
        }
    }
    /// Allowed pull durations; empty when the profile has no pull settings.
    pub fn allowed_pull(self) -> &'static [Duration] {
        match self {
            Profile::P2022 => &[],
            Profile::P2024 => &ALL_DURATIONS[3..],
            Profile::P2025 => &ALL_DURATIONS[1..],
        }
    }
    pub fn has_pull_settings(self) -> bool {
        self != Profile::P2022
    }
    pub fn defaults(self) -> InspectorSettings {
        match self {
            Profile::P2022 | Profile::P2024 => InspectorSettings {
                push: Duration::Lifetime,
                pull: None,
                mode: PullMode::LastPullDate,
            },
            Profile::P2025 => InspectorSettings {
                push: Duration::Days(14),
                pull: Some(Duration::Days(14)),
                mode: PullMode::LastInUseAt,
            },
        }
    }
    /// Look-back at enablement: (push seconds, optional pull seconds).
    pub fn lookback(self) -> (i64, Option<i64>) {
        match self {
            Profile::P2022 => (30 * DAY, None),
            Profile::P2024 => (30 * DAY, Some(90 * DAY)),
            Profile::P2025 => (14 * DAY, None),
        }
    }
    /// Whether an unsupported region is an error (else a warning).
    pub fn region_is_error(self) -> bool {
        self != Profile::P2025
    }
}

/// Every duration, shortest first after LIFETIME.
const ALL_DURATIONS: [Duration; 8] = [
    Duration::Lifetime,
    Duration::Days(3),
    Duration::Days(7),
    Duration::Days(14),
    Duration::Days(30),
    Duration::Days(60),
    Duration::Days(90),
    Duration::Days(180),
];

/// Profile 2024: LIFETIME and 14 days or more.
const PUSH_2024: [Duration; 6] = [
    Duration::Lifetime,
    Duration::Days(14),
    Duration::Days(30),
    Duration::Days(60),
    Duration::Days(90),
    Duration::Days(180),
];

/// An Inspector re-scan duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    Lifetime,
    Days(u32),
}

impl Duration {
    pub fn parse(s: &str) -> Option<Self> {
        if s == "LIFETIME" {
            return Some(Duration::Lifetime);
        }
        let n: u32 = s.strip_prefix("DAYS_")?.parse().ok()?;
        [3, 7, 14, 30, 60, 90, 180]
            .contains(&n)
            .then_some(Duration::Days(n))
    }
    /// Seconds, `None` for LIFETIME.
    pub fn seconds(self) -> Option<i64> {
        match self {
            Duration::Lifetime => None,
            Duration::Days(n) => Some(n as i64 * DAY),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duration::Lifetime => f.write_str("LIFETIME"),
            Duration::Days(n) => write!(f, "DAYS_{n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PullMode {
    LastPullDate,
    LastInUseAt,
}

impl PullMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "LAST_PULL_DATE" => Some(PullMode::LastPullDate),
            "LAST_IN_USE_AT" => Some(PullMode::LastInUseAt),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            PullMode::LastPullDate => "LAST_PULL_DATE",
            PullMode::LastInUseAt => "LAST_IN_USE_AT",
        }
    }
}

/// Inspector's ECR re-scan settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InspectorSettings {
    pub push: Duration,
    pub pull: Option<Duration>,
    pub mode: PullMode,
}

impl fmt::Display for InspectorSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "push_duration = {}, pull_duration = ", self.push)?;
        match self.pull {
            Some(d) => write!(f, "{d}")?,
            None => f.write_str("none")?,
        }
        write!(f, ", pull_mode = {}", self.mode.name())
    }
}

/// Absent clock values (never pulled, never restored, ...).
pub const NEVER: i64 = i64::MIN;

/// The clocks of an image that the window and the look-back read.
#[derive(Debug, Clone, Copy)]
pub struct Clocks {
    pub push_clock: i64,
    pub last_pull: i64,
    pub last_in_use: i64,
}

/// Settings in the form the rules evaluate, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub push: Option<i64>,
    pub pull: Option<i64>,
    pub mode: PullMode,
    pub lookback_push: i64,
    pub lookback_pull: Option<i64>,
}

impl Window {
    pub fn new(s: &InspectorSettings, profile: Profile) -> Self {
        let (lookback_push, lookback_pull) = profile.lookback();
        Window {
            push: s.push.seconds(),
            pull: s.pull.and_then(Duration::seconds),
            mode: s.mode,
            lookback_push,
            lookback_pull,
        }
    }

    fn pull_anchor(&self, c: &Clocks) -> i64 {
        match self.mode {
            PullMode::LastPullDate => c.last_pull,
            PullMode::LastInUseAt => c.last_in_use,
        }
    }

    /// Whether the image's push or pull window holds at `t`.
    pub fn holds(&self, c: &Clocks, t: i64) -> bool {
        t <= self.deadline(c)
    }

    /// The last instant at which the window holds (`i64::MAX` for ever).
    pub fn deadline(&self, c: &Clocks) -> i64 {
        let Some(push) = self.push else {
            return i64::MAX;
        };
        let mut d = c.push_clock.saturating_add(push);
        if let Some(pull) = self.pull {
            let anchor = self.pull_anchor(c);
            if anchor != NEVER {
                d = d.max(anchor.saturating_add(pull));
            }
        }
        d
    }

    /// Whether the enablement look-back recognises the image at `t`.
    pub fn recognised(&self, c: &Clocks, t: i64) -> bool {
        t - c.push_clock <= self.lookback_push
            || matches!(self.lookback_pull, Some(lb) if c.last_pull != NEVER && t - c.last_pull <= lb)
    }
}

/// Prices in micro-USD and the free trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pricing {
    pub initial_micro: i64,
    pub rescan_micro: i64,
    pub free_trial_days: u32,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            initial_micro: 90_000,
            rescan_micro: 10_000,
            free_trial_days: 0,
        }
    }
}

/// Prices with the trial start resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Billing {
    pub pricing: Pricing,
    pub trial_start: Option<i64>,
}

impl Billing {
    pub fn is_free(&self, t: i64) -> bool {
        match self.trial_start {
            Some(s) => t >= s && t - s < self.pricing.free_trial_days as i64 * DAY,
            None => false,
        }
    }
    /// Micro-USD of one enhanced scan at `t`.
    pub fn price(&self, initial: bool, t: i64) -> i64 {
        if self.is_free(t) {
            0
        } else if initial {
            self.pricing.initial_micro
        } else {
            self.pricing.rescan_micro
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(scan_type: ScanType, rules: &[(RuleFrequency, &[&str])]) -> RegistryConfig {
        RegistryConfig {
            scan_type,
            rules: rules
                .iter()
                .map(|(f, fl)| ScanRule {
                    frequency: *f,
                    filters: fl.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn frequency_rules() {
        use RuleFrequency::*;
        let e = cfg(ScanType::Enhanced, &[]);
        assert_eq!(e.frequency("anything"), Freq::Continuous);
        // A rule with zero filters still turns off the "no rules" default.
        let e0 = cfg(ScanType::Enhanced, &[(ContinuousScan, &[])]);
        assert_eq!(e0.frequency("anything"), Freq::Off);
        let both = cfg(
            ScanType::Enhanced,
            &[(ScanOnPush, &["prod"]), (ContinuousScan, &["*-repo"])],
        );
        assert_eq!(both.frequency("prod-repo"), Freq::Continuous);
        assert_eq!(both.frequency("repo-prod"), Freq::ScanOnPush);
        assert_eq!(both.frequency("dev/tools"), Freq::Off);
        let b = cfg(ScanType::Basic, &[(ScanOnPush, &["*"]), (Manual, &["x"])]);
        assert_eq!(b.frequency("x"), Freq::ScanOnPush);
        assert_eq!(cfg(ScanType::Basic, &[]).frequency("x"), Freq::Off);
        assert_eq!(
            cfg(ScanType::Basic, &[(Manual, &["*"])]).frequency("x"),
            Freq::Off
        );
    }

    #[test]
    fn window_edges() {
        let w = Window::new(
            &InspectorSettings {
                push: Duration::Days(14),
                pull: Some(Duration::Days(30)),
                mode: PullMode::LastPullDate,
            },
            Profile::P2024,
        );
        let c = Clocks {
            push_clock: 0,
            last_pull: NEVER,
            last_in_use: 5 * DAY * 10,
        };
        assert!(w.holds(&c, 14 * DAY));
        assert!(!w.holds(&c, 14 * DAY + 1));
        let pulled = Clocks {
            last_pull: 20 * DAY,
            ..c
        };
        assert!(w.holds(&pulled, 50 * DAY));
        assert!(!w.holds(&pulled, 50 * DAY + 1));
        assert!(w.recognised(&c, 30 * DAY));
        assert!(!w.recognised(&c, 30 * DAY + 1));
        assert!(w.recognised(&pulled, 110 * DAY));
        assert!(!w.recognised(&pulled, 110 * DAY + 1));
    }

    #[test]
    fn free_trial_is_half_open() {
        let b = Billing {
            pricing: Pricing {
                free_trial_days: 1,
                ..Pricing::default()
            },
            trial_start: Some(100),
        };
        assert_eq!(b.price(true, 99), 90_000);
        assert_eq!(b.price(true, 100), 0);
        assert_eq!(b.price(true, 100 + DAY - 1), 0);
        assert_eq!(b.price(false, 100 + DAY), 10_000);
    }
}
