//! `--explain`: the history of one image in words, with the cause of each change.

use crate::base::digest::{Digest, DigestRef};
use crate::base::time::format_instant;
use crate::rules::{Freq, PullMode};

/// Why an image changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Push,
    Restore,
    Archive,
    Pull,
    InUse,
    Revival(PullMode),
    WindowExpiry,
    Enablement { recognised: bool, window: bool },
    Frequency(Freq, Freq),
    Lifecycle(u64),
    Vulndb,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Push => f.write_str("push"),
            Cause::Restore => f.write_str("restore from archive"),
            Cause::Archive => f.write_str("archive"),
            Cause::Pull => f.write_str("pull"),
            Cause::InUse => f.write_str("in-use observation"),
            Cause::Revival(m) => write!(
                f,
                "revival by {} within the pull window",
                match m {
                    PullMode::LastPullDate => "a pull (mode LAST_PULL_DATE)",
                    PullMode::LastInUseAt => "an in-use observation (mode LAST_IN_USE_AT)",
                }
            ),
            Cause::WindowExpiry => f.write_str("window expiry: neither push nor pull window holds"),
            Cause::Enablement { recognised, window } => f.write_str(match (recognised, window) {
                (true, true) => "continuous scanning enabled: within the look-back and the window",
                (false, _) => "continuous scanning enabled: outside the enablement look-back",
                (true, false) => "continuous scanning enabled: outside the re-scan window",
            }),
            Cause::Frequency(a, b) => {
                write!(f, "scan frequency change {} -> {}", a.name(), b.name())
            }
            Cause::Lifecycle(p) => write!(f, "lifecycle rule with rulePriority {p}"),
            Cause::Vulndb => f.write_str("vulnerability database update"),
        }
    }
}

/// The history of one image of a repository.
#[derive(Debug, Clone)]
pub struct Explain {
    pub digest: Digest,
    /// The slot of the image while it is live.
    pub slot: Option<u32>,
    pub lines: Vec<String>,
}

impl Explain {
    pub fn new(digest: DigestRef, slot: Option<u32>) -> Self {
        Explain {
            digest: digest.to_owned(),
            slot,
            lines: Vec::new(),
        }
    }

    #[inline]
    pub fn is(&self, slot: u32) -> bool {
        self.slot == Some(slot)
    }

    /// Records a line about the image in `slot` if it is the one explained.
    #[inline]
    pub fn note(&mut self, slot: u32, t: i64, msg: impl FnOnce() -> String) {
        if self.is(slot) {
            self.lines.push(format!("{}  {}", format_instant(t), msg()));
        }
    }

    /// An image was created: it is the explained one if the digest matches.
    pub fn created(&mut self, slot: u32, digest: DigestRef) {
        if self.digest.as_ref() == digest {
            self.slot = Some(slot);
        }
    }

    /// An image was deleted.
    pub fn removed(&mut self, slot: u32) {
        if self.is(slot) {
            self.slot = None;
        }
    }
}
