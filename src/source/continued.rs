//! `[traffic] history` with `[synthetic]`: the registry's own trace replayed up to day 0,
//! then synthetic traffic that continues from what the history left (its live images,
//! the version tag numbering, the push times its pulls decay from).

use super::synthetic::{Carried, MergedSource, Plan, RepoSource};
use super::trace::TraceReader;
use crate::base::digest::DigestRef;
use crate::base::error::{Error, Location, Result};
use crate::base::time::format_date;
use crate::model::event::{Change, Event, EventKind, SimView, Source};
use crate::model::scenario::synthetic::RepoSpec;
use rustc_hash::FxHashMap;

/// One repository's history as far as read: live canonical images (pushed_at, order of
/// the push row) and the highest version number.
#[derive(Default)]
struct RepoHistory {
    live: FxHashMap<[u8; 32], (i64, u64)>,
    last_version: u64,
}

pub struct Continued<'p> {
    history: TraceReader,
    /// Day 0: history rows must come before it.
    start: i64,
    plan: &'p Plan<'p>,
    specs: &'p [RepoSpec],
    repos: FxHashMap<Box<[u8]>, RepoHistory>,
    rows: u64,
    merged: Option<MergedSource<'p>>,
    /// Repository numbers the history's reader gave out (0..this): the synthetic
    /// sources' numbers are shifted past them.
    id_offset: u32,
}

/// `v<n>`: the version tag numbering the generator continues.
fn version(tag: &[u8]) -> Option<u64> {
    std::str::from_utf8(tag.strip_prefix(b"v")?)
        .ok()?
        .parse()
        .ok()
}

impl<'p> Continued<'p> {
    pub fn new(history: TraceReader, plan: &'p Plan<'p>, specs: &'p [RepoSpec]) -> Self {
        let repos = specs
            .iter()
            .map(|s| (s.name.as_bytes().into(), RepoHistory::default()))
            .collect();
        Continued {
            history,
            start: plan.start,
            plan,
            specs,
            repos,
            rows: 0,
            merged: None,
            id_offset: 0,
        }
    }

    /// What the history left for each synthetic repository, and its traffic from there.
    fn switch(&mut self) {
        let mut sources = Vec::with_capacity(self.specs.len());
        for spec in self.specs {
            let h = self.repos.remove(spec.name.as_bytes()).unwrap_or_default();
            let mut images: Vec<(i64, u64, [u8; 32])> = h
                .live
                .into_iter()
                .map(|(d, (t, seq))| (t, seq, d))
                .collect();
            images.sort_unstable();
            let carried = Carried {
                images: images.into_iter().map(|(t, _, d)| (t, d)).collect(),
                last_version: h.last_version,
            };
            sources.push(RepoSource::continuing(self.plan, spec, &carried));
        }
        self.merged = Some(MergedSource::of(sources));
        self.id_offset = self.history.names().len() as u32;
    }

    /// The next history row's instant, or `None` when the history has ended; a row on or
    /// after day 0 is an error.
    fn next_history(&mut self) -> Result<Option<i64>> {
        let Some(t) = self.history.next_time()? else {
            return Ok(None);
        };
        if t >= self.start {
            let line = self.history.take_event().line;
            return Err(late_row(&self.history_file(), line, self.start, t));
        }
        Ok(Some(t))
    }

    fn history_file(&self) -> std::path::PathBuf {
        Source::file(&self.history)
            .map(|p| p.to_path_buf())
            .unwrap_or_default()
    }
}

/// A history row on or after day 0 (`start`): an error at its line.
pub fn late_row(file: &std::path::Path, line: u64, start: i64, t: i64) -> Error {
    Error::input(
        Location::file(file).line(line),
        format!(
            "a history ends before day 0 ({}): this row is on {}; end the history earlier or \
             start the simulation later",
            format_date(start),
            format_date(t)
        ),
    )
}

/// Follows a history row: pushes and deletes of canonical images, version tags.
fn record(repos: &mut FxHashMap<Box<[u8]>, RepoHistory>, ev: &Event, seq: u64) {
    let Some(h) = repos.get_mut(ev.repo) else {
        return;
    };
    let Some(DigestRef::Sha256(d)) = ev.digest else {
        return;
    };
    match ev.kind {
        EventKind::Push => {
            h.live.insert(d, (ev.time, seq));
            for tag in ev.tags() {
                if let Some(v) = version(tag) {
                    h.last_version = h.last_version.max(v);
                }
            }
        }
        EventKind::Delete => {
            h.live.remove(&d);
        }
        _ => {}
    }
}

impl Source for Continued<'_> {
    fn peek(&mut self) -> Result<Option<i64>> {
        if self.merged.is_none() {
            if let Some(t) = self.next_history()? {
                return Ok(Some(t));
            }
            self.switch();
        }
        self.merged.as_mut().map_or(Ok(None), |m| m.peek())
    }

    fn take(&mut self, view: &dyn SimView) -> Event<'_> {
        let offset = self.id_offset;
        match &mut self.merged {
            // Both the history and the synthetic sources number repositories from 0:
            // shifted, the numbers stay unique and the engine keeps finding
            // repositories by number.
            Some(m) => {
                let ev = m.take(view);
                let repo_id = match ev.repo_id {
                    Event::NO_REPO_ID => Event::NO_REPO_ID,
                    id => id.saturating_add(offset),
                };
                Event { repo_id, ..ev }
            }
            None => {
                self.rows += 1;
                let ev = self.history.take_event();
                record(&mut self.repos, &ev, self.rows);
                ev
            }
        }
    }

    fn changed(&mut self, view: &dyn SimView, what: Change) {
        if let Some(m) = &mut self.merged {
            m.changed(view, what);
        }
    }

    fn file(&self) -> Option<&std::path::Path> {
        match self.merged {
            None => Source::file(&self.history),
            Some(_) => None,
        }
    }

    fn drain(&mut self) -> Result<u64> {
        let mut n = 0;
        if self.merged.is_none() {
            while self.next_history()?.is_some() {
                self.history.take_event();
                n += 1;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn version_numbers() {
        assert_eq!(version(b"v12"), Some(12));
        assert_eq!(version(b"v"), None);
        assert_eq!(version(b"1.2"), None);
        assert_eq!(version(b"latest"), None);
    }
}
