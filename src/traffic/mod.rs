//! Event sources: a trace file (SPEC §9) and synthetic traffic (§10). Both yield the same
//! borrowed events, in time order, to the engine.

pub mod records;
pub mod synthetic;
pub mod trace;
pub mod writer;

use crate::error::Result;

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

/// One traffic event, borrowing its text from the source's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub time: i64,
    pub kind: EventKind,
    /// Empty only for a registry-wide `vulndb_update`.
    pub repo: &'a [u8],
    /// Empty only for a repository-wide `vulndb_update`.
    pub digest: &'a [u8],
    /// `;`-separated tags as given (validated on push); see [`Event::tags`].
    pub tags: &'a [u8],
    pub supported: bool,
    /// Line in the trace file, 0 when the event does not come from a file.
    pub line: u64,
    /// 1-based field number of the repository in that line, for messages.
    pub repo_column: u32,
}

impl<'a> Event<'a> {
    /// The tags of a push: empty `;` segments dropped.
    pub fn tags(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.tags.split(|&c| c == b';').filter(|t| !t.is_empty())
    }
}

/// What a source may read of the simulation: synthetic vulnerability triggers are drawn
/// only for images that are active (SPEC §10 allows drawing them lazily).
pub trait State {
    /// The instant of the last input or day end processed.
    fn now(&self) -> i64;
    /// Counts configuration changes and day ends processed so far.
    fn global_epoch(&self) -> u64;
    fn repo(&self, name: &[u8]) -> Option<&crate::engine::RepoState>;
}

/// A time-ordered stream of events.
pub trait Source {
    /// The instant of the next event, reading it if needed; `None` at the end.
    fn peek(&mut self, state: &dyn State) -> Result<Option<i64>>;
    /// The event `peek` announced. Only called right after `peek` returned `Some`.
    fn take(&mut self, state: &dyn State) -> Event<'_>;
    /// The file events come from, for messages.
    fn file(&self) -> Option<&std::path::Path> {
        None
    }
    /// Reads and checks what is left after the horizon (a bad row anywhere in a trace is
    /// an error); returns how many events were left.
    fn drain(&mut self) -> Result<u64> {
        Ok(0)
    }
}
