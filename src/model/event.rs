//! Traffic events and the source trait: a trace file and synthetic traffic both yield
//! the same borrowed events, in time order, to the engine.

use crate::base::digest::DigestRef;
use crate::base::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Push,
    Pull,
    InUse,
    Delete,
    Archive,
    Restore,
    VulndbUpdate,
}

impl EventKind {
    pub const NAMES: &'static str = "push, pull, in_use, delete, archive, restore, vulndb_update";

    pub fn parse(b: &[u8]) -> Option<Self> {
        Some(match b {
            b"push" => EventKind::Push,
            b"pull" => EventKind::Pull,
            b"in_use" => EventKind::InUse,
            b"delete" => EventKind::Delete,
            b"archive" => EventKind::Archive,
            b"restore" => EventKind::Restore,
            b"vulndb_update" => EventKind::VulndbUpdate,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Push => "push",
            EventKind::Pull => "pull",
            EventKind::InUse => "in_use",
            EventKind::Delete => "delete",
            EventKind::Archive => "archive",
            EventKind::Restore => "restore",
            EventKind::VulndbUpdate => "vulndb_update",
        }
    }
}

/// One traffic event, borrowing its text from the source.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub time: i64,
    pub kind: EventKind,
    /// Empty only for a registry-wide `vulndb_update`.
    pub repo: &'a [u8],
    /// The source's number for `repo`: the same for every event of the repository while
    /// the source lives, small and dense, so that the engine finds the repository by
    /// index instead of by name. [`Event::NO_REPO_ID`] when the source has none.
    pub repo_id: u32,
    /// `None` only for a repository- or registry-wide `vulndb_update`.
    pub digest: Option<DigestRef<'a>>,
    /// `;`-separated tags as given (validated on push); see [`Event::tags`].
    pub tags: &'a [u8],
    pub supported: bool,
    /// Line in the trace file, 0 when the event does not come from a file.
    pub line: u64,
}

impl<'a> Event<'a> {
    pub const NO_REPO_ID: u32 = u32::MAX;

    /// The tags of a push: empty `;` segments dropped.
    pub fn tags(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.tags.split(|&c| c == b';').filter(|t| !t.is_empty())
    }

    /// The digest as text, for messages.
    pub fn digest_text(&self) -> String {
        self.digest.map_or(String::new(), |d| d.to_text())
    }
}

/// What a source may read of the simulation. Synthetic vulnerability triggers are drawn
/// only for images that are active (drawing them lazily gives the same result as drawing
/// one process per image and dropping those that find the image inactive).
pub trait SimView {
    /// The instant of the last input or day end processed.
    fn now(&self) -> i64;
    /// How many images of the repository are `active` (0 for an unknown repository).
    fn active_count(&self, repo: &[u8]) -> usize;
    /// The digest of the `k`-th active image of the repository, `k < active_count`. The
    /// order is the engine's and is deterministic.
    fn active_digest(&self, repo: &[u8], k: usize) -> DigestRef<'_>;
}

/// What changed in the simulated state since a source was last told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The event the source handed out last was applied (or ignored): its repository
    /// may have changed.
    Taken,
    /// A day end, a configuration change or a registry-wide event: any repository may
    /// have changed.
    Everything,
}

/// A time-ordered stream of traffic events.
///
/// The engine drives a source with three calls: `peek` for the instant of the next
/// event, `take` for that event, and `changed` after every change of the simulated state
/// (each applied event, each day end, each configuration change). A source whose events
/// depend on the state re-reads it in `changed`, never in `peek`, so what it produces does
/// not depend on how often the engine peeks.
pub trait Source {
    /// The instant of the next event, reading it if needed; `None` at the end.
    fn peek(&mut self) -> Result<Option<i64>>;
    /// The event `peek` announced. Only called right after `peek` returned `Some`.
    fn take(&mut self, view: &dyn SimView) -> Event<'_>;
    /// The simulated state changed (see the trait documentation).
    fn changed(&mut self, _view: &dyn SimView, _what: Change) {}
    /// The file events come from, for messages.
    fn file(&self) -> Option<&std::path::Path> {
        None
    }
    /// Reads and checks what is left after the horizon (a bad row anywhere in a trace is
    /// an error); returns how many events were left.
    fn drain(&mut self) -> Result<u64> {
        Ok(0)
    }
    /// A hint for prefetching: the repository id and [`DigestRef::hash64`] of the event
    /// `k` places after the next one, if the source has already read it and it names an
    /// image. The event may still come later than others the engine has to process
    /// first (a configuration change, a day end); a wrong hint costs only a wasted load.
    fn ahead(&self, _k: usize) -> Option<(u32, u64)> {
        None
    }
}
