//! `--explain`: the history of one image in words, with the cause of each change.

use crate::base::digest::{Digest, DigestRef};
use crate::base::names::{check_repository, check_tag};
use crate::base::time::format_instant;
use crate::rules::{Freq, PullMode};
use rustc_hash::FxHashMap;

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

/// The image `--explain` asks about: `REPOSITORY@DIGEST`, or `REPOSITORY:TAG` for the
/// image holding the tag at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainTarget {
    pub repository: String,
    pub which: Which,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Digest(String),
    Tag(String),
}

impl ExplainTarget {
    /// Reads `REPOSITORY@DIGEST` or `REPOSITORY:TAG` (a repository name holds neither
    /// `@` nor `:`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let (repo, which) = if let Some((r, d)) = s.split_once('@') {
            if d.trim().is_empty() {
                return Err(format!("`{s}` names no digest after `@`"));
            }
            (r, Which::Digest(d.to_string()))
        } else if let Some((r, t)) = s.split_once(':') {
            check_tag(t.as_bytes()).map_err(|e| format!("`{s}`: {e}"))?;
            (r, Which::Tag(t.to_string()))
        } else {
            return Err(format!(
                "`{s}` names no image: give REPOSITORY@DIGEST (prod/web@sha256:…) or \
                 REPOSITORY:TAG (prod/web:latest)"
            ));
        };
        check_repository(repo.as_bytes()).map_err(|e| format!("`{s}`: {e}"))?;
        Ok(ExplainTarget {
            repository: repo.to_string(),
            which,
        })
    }
}

impl std::fmt::Display for ExplainTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.which {
            Which::Digest(d) => write!(f, "{}@{d}", self.repository),
            Which::Tag(t) => write!(f, "{}:{t}", self.repository),
        }
    }
}

/// What `--explain` found in the repository it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainOutcome {
    /// The history of the image, one line per change.
    Lines(Vec<String>),
    /// No event touched the digest, or no live image holds the tag at the end: the
    /// number of live images at the end and the closest digests (or the tags held).
    Missing { live: u64, closest: Vec<String> },
}

/// The history of the images of a repository that `--explain` follows: the image of a
/// digest (across deletes and re-pushes), or every image while it is not known which
/// one will hold a tag at the end.
#[derive(Debug, Clone)]
pub struct Explain {
    target: Target,
    /// Lines of the followed live images, by slot.
    live: FxHashMap<u32, Vec<String>>,
    /// Digest: the lines of its earlier lives, which come first.
    past: Vec<String>,
}

#[derive(Debug, Clone)]
enum Target {
    Digest(Digest),
    Tag(Box<[u8]>),
}

impl Explain {
    /// Follows `which`; `slot` is the live image of the digest, if any.
    pub fn new(which: &Which, slot: Option<u32>) -> Self {
        let target = match which {
            Which::Digest(d) => Target::Digest(DigestRef::parse(d.as_bytes()).to_owned()),
            Which::Tag(t) => Target::Tag(t.as_bytes().into()),
        };
        let mut live = FxHashMap::default();
        if let Some(slot) = slot {
            live.insert(slot, Vec::new());
        }
        Explain {
            target,
            live,
            past: Vec::new(),
        }
    }

    #[inline]
    pub fn is(&self, slot: u32) -> bool {
        self.live.contains_key(&slot)
    }

    /// The slots of the followed live images.
    pub fn slots(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.live.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// Records a line about the image in `slot` if it is followed.
    #[inline]
    pub fn note(&mut self, slot: u32, t: i64, msg: impl FnOnce() -> String) {
        if let Some(lines) = self.live.get_mut(&slot) {
            lines.push(format!("{}  {}", format_instant(t), msg()));
        }
    }

    /// An image was created: followed if it is the digest, or any image for a tag.
    pub fn created(&mut self, slot: u32, digest: DigestRef) {
        let follow = match &self.target {
            Target::Digest(d) => d.as_ref() == digest,
            Target::Tag(_) => true,
        };
        if follow {
            self.live.insert(slot, Vec::new());
        }
    }

    /// An image was deleted: a digest's lines are kept for its next life, if any.
    pub fn removed(&mut self, slot: u32) {
        if let Some(lines) = self.live.remove(&slot)
            && matches!(self.target, Target::Digest(_))
        {
            self.past.extend(lines);
        }
    }

    /// The tag a `REPOSITORY:TAG` target names.
    pub fn tag(&self) -> Option<&[u8]> {
        match &self.target {
            Target::Tag(t) => Some(t),
            Target::Digest(_) => None,
        }
    }

    /// The digest a `REPOSITORY@DIGEST` target names.
    pub fn digest(&self) -> Option<DigestRef<'_>> {
        match &self.target {
            Target::Digest(d) => Some(d.as_ref()),
            Target::Tag(_) => None,
        }
    }

    /// The lines of the image in `holder` (a tag's owner at the end), or of the digest.
    pub fn finish(mut self, holder: Option<u32>) -> Vec<String> {
        match self.target {
            Target::Digest(_) => {
                let mut lines = std::mem::take(&mut self.past);
                lines.extend(self.live.into_values().flatten());
                lines
            }
            Target::Tag(_) => holder
                .and_then(|s| self.live.remove(&s))
                .unwrap_or_default(),
        }
    }
}

/// Up to `n` of `candidates` closest to `wanted`: the longest common prefix first (a
/// shortened or mistyped digest), then the smallest edit distance, then by text.
pub fn closest(wanted: &str, candidates: impl Iterator<Item = String>, n: usize) -> Vec<String> {
    let norm = |s: &str| s.strip_prefix("sha256:").unwrap_or(s).to_string();
    let w = norm(wanted);
    let mut scored: Vec<(usize, usize, String)> = candidates
        .map(|c| {
            let t = norm(&c);
            let prefix = w.bytes().zip(t.bytes()).take_while(|(a, b)| a == b).count();
            (usize::MAX - prefix, edit_distance(&w, &t), c)
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

/// Levenshtein distance over bytes, bounded to the first 128 bytes of each text.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (
        &a.as_bytes()[..a.len().min(128)],
        &b.as_bytes()[..b.len().min(128)],
    );
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (x != y) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
