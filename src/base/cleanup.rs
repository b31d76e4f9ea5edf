//! What must not outlive the process: staging files and directories, an old output being
//! deleted, lock files, parent directories made for an output. Each is registered while
//! it exists; SIGINT and SIGTERM remove every registered path, then exit with 130 / 143.
//!
//! A commit (two renames) runs under the registry's lock ([`atomically`]), so a signal
//! never sees it half done: the handler waits, and then removes what is left (the new
//! output is in place by then, the old one registered for removal).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A staging file or a sort run.
    File,
    /// A staging directory or an old output being deleted.
    Dir,
    /// A directory made for an output: removed only if empty, after the rest.
    MadeDir,
    /// A lock file: removed last.
    Lock,
}

struct Entry {
    id: u64,
    path: PathBuf,
    kind: Kind,
}

/// The registered paths; `next` numbers them.
pub struct Registry {
    next: u64,
    entries: Vec<Entry>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 1,
    entries: Vec::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    pub fn add(&mut self, path: &Path, kind: Kind) -> u64 {
        let id = self.next;
        self.next += 1;
        self.entries.push(Entry {
            id,
            path: path.to_path_buf(),
            kind,
        });
        id
    }

    pub fn remove(&mut self, id: u64) {
        self.entries.retain(|e| e.id != id);
    }
}

/// Registers `path` for removal if the process is stopped; returns its id.
pub fn register(path: &Path, kind: Kind) -> u64 {
    registry().add(path, kind)
}

/// `path` is committed or removed: nothing to do for it any more.
pub fn unregister(id: u64) {
    registry().remove(id);
}

/// Runs `f` (renames, and the registrations that go with them) with signals held off.
pub fn atomically<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    f(&mut registry())
}

/// Removes a path of any kind; a directory that gains entries while it is removed (a
/// worker thread still writing) is tried again.
pub fn remove(path: &Path, kind: Kind) {
    match kind {
        Kind::File | Kind::Lock => {
            let _ = std::fs::remove_file(path);
        }
        Kind::MadeDir => {
            let _ = std::fs::remove_dir(path);
        }
        Kind::Dir => {
            for _ in 0..10 {
                match std::fs::remove_dir_all(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
                    _ => break,
                }
            }
        }
    }
}

/// Removes everything registered (staging first, then made directories, deepest first,
/// then locks) and exits with `code`. The registry stays locked: nothing is committed or
/// registered after this starts.
pub fn remove_all_and_exit(code: i32) -> ! {
    let reg = registry();
    for kind in [Kind::File, Kind::Dir, Kind::MadeDir, Kind::Lock] {
        for e in reg.entries.iter().rev().filter(|e| e.kind == kind) {
            remove(&e.path, e.kind);
        }
    }
    std::process::exit(code)
}

/// SIGINT and SIGTERM: remove every registered path, then exit with 128 + the signal
/// (130, 143), as a shell reports a process those signals stopped.
pub fn install_signal_handlers() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("scansim-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_all_and_exit(128 + sig);
            }
        })?;
    Ok(())
}
