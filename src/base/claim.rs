//! Claiming an output path: its name checked, missing parent directories made, a lock
//! file beside it (`.NAME.scansim-lock`) held for the whole command so that two scansim
//! processes never write one output at once, and the leftovers of a killed earlier run
//! removed.
//!
//! Everything scansim puts beside an output is named `.NAME.scansim-KIND-PID…`:
//! `staging` (the new output being written), `trash` (the old output being deleted),
//! `sort` (runs of the CloudTrail import). Under the lock, entries of those kinds whose
//! process is gone are removed, and an old output that a killed commit had already
//! moved to `trash` is put back first.

use crate::base::cleanup::{self, Kind};
use crate::base::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Component, Path, PathBuf};

const KINDS: [&str; 3] = ["staging", "trash", "sort"];

/// The file name of an output path, refusing `.`, `..` and `/`.
pub fn output_name(target: &Path, what: &str) -> Result<String> {
    match target.components().next_back() {
        Some(Component::Normal(n)) => Ok(n.to_string_lossy().into_owned()),
        _ => Err(Error::usage(format!(
            "{what} {}: give a name (not `.`, `..` or `/`): scansim writes the output \
             beside it and renames it into place",
            target.display()
        ))),
    }
}

/// The directory an output path is in.
pub fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `.NAME.scansim-WHAT` beside `target`.
pub fn beside(target: &Path, what: &str) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    parent_of(target).join(format!(".{name}.scansim-{what}"))
}

/// Whether process `pid` is alive on this machine (without /proc: assumed gone, the lock
/// being the guard).
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// An output path held by this process.
pub struct Claim {
    target: PathBuf,
    lock: PathBuf,
    /// Holds the lock while open.
    _file: File,
    lock_id: u64,
    /// Parent directories made for the output, deepest first, and their ids.
    made: Vec<(PathBuf, u64)>,
    kept: bool,
}

impl Claim {
    /// Claims `target` (`what` names the option in messages): makes missing parents,
    /// takes the lock or fails with "another scansim is writing", cleans up leftovers.
    pub fn acquire(target: &Path, what: &str) -> Result<Claim> {
        output_name(target, what)?;
        let made = make_parents(&parent_of(target))?;
        let mut claim = Claim {
            target: target.to_path_buf(),
            lock: beside(target, "lock"),
            _file: lock_file(target, what)?,
            lock_id: 0,
            made,
            kept: false,
        };
        claim.lock_id = cleanup::register(&claim.lock, Kind::Lock);
        sweep_stale(target)?;
        Ok(claim)
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The output is in place: parent directories made for it stay.
    pub fn keep_parents(&mut self) {
        self.kept = true;
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Removed while still held: a process that opens the path next gets a new file.
        let _ = std::fs::remove_file(&self.lock);
        cleanup::unregister(self.lock_id);
        for (dir, id) in &self.made {
            if !self.kept {
                let _ = std::fs::remove_dir(dir);
            }
            cleanup::unregister(*id);
        }
    }
}

/// Makes the missing directories of `dir`; returns those made, deepest first.
fn make_parents(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    let mut missing = Vec::new();
    let mut d = dir.to_path_buf();
    while !d.as_os_str().is_empty() && !d.exists() {
        missing.push(d.clone());
        match d.parent() {
            Some(p) => d = p.to_path_buf(),
            None => break,
        }
    }
    let mut made = Vec::new();
    for d in missing.iter().rev() {
        let id = cleanup::register(d, Kind::MadeDir);
        if let Err(e) = std::fs::create_dir(d) {
            cleanup::unregister(id);
            for (m, mid) in made.iter().rev() {
                let _ = std::fs::remove_dir(m);
                cleanup::unregister(*mid);
            }
            return Err(Error::io(d, e));
        }
        made.push((d.clone(), id));
    }
    made.reverse();
    Ok(made)
}

/// Opens and locks `.NAME.scansim-lock`, checking that the file locked is the one at
/// that path (a process finishing removes it).
fn lock_file(target: &Path, what: &str) -> Result<File> {
    let path = beside(target, "lock");
    loop {
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                Error::usage(format!(
                    "{what} {}: cannot write beside it ({}: {e})",
                    target.display(),
                    path.display()
                ))
            })?;
        // flock(2) through rustix: `File::try_lock` needs Rust 1.89, the crate 1.88.
        use rustix::fs::{FlockOperation, flock};
        match flock(&f, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                return Err(Error::usage(format!(
                    "another scansim is writing {} (it holds {}): wait for it to finish",
                    target.display(),
                    path.display()
                )));
            }
            Err(e) => return Err(Error::io(&path, e.into())),
        }
        if same_file(&f, &path) {
            return Ok(f);
        }
    }
}

fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `(kind, pid)` of a name `.NAME.scansim-KIND-PID[-N]` beside `target`.
fn leftover(target: &Path, file_name: &str) -> Option<(&'static str, u32)> {
    let name = target.file_name()?.to_string_lossy();
    let rest = file_name.strip_prefix(&format!(".{name}.scansim-"))?;
    KINDS.iter().find_map(|&k| {
        let pid = rest.strip_prefix(k)?.strip_prefix('-')?;
        let pid = pid.split('-').next()?.parse().ok()?;
        Some((k, pid))
    })
}

/// Removes what killed runs left beside `target` (the caller holds its lock); an old
/// output a killed commit moved to `trash` goes back to `target` if nothing replaced it.
fn sweep_stale(target: &Path) -> Result<()> {
    let parent = parent_of(target);
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return Ok(());
    };
    let mut stale: Vec<(&str, PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some((kind, pid)) = leftover(target, &n)
            && !alive(pid)
        {
            stale.push((kind, e.path()));
        }
    }
    for (kind, path) in stale {
        if kind == "trash" && std::fs::symlink_metadata(target).is_err() {
            std::fs::rename(&path, target).map_err(|e| Error::io(target, e))?;
            continue;
        }
        let dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        cleanup::remove(&path, if dir { Kind::Dir } else { Kind::File });
    }
    Ok(())
}

/// `p` made absolute with the symbolic links of its existing part resolved (the rest,
/// not yet made, taken as written).
pub fn resolve(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut base = abs.as_path();
    loop {
        if let Ok(c) = base.canonicalize() {
            let mut out = c;
            for r in rest.iter().rev() {
                match r.to_str() {
                    Some("..") => {
                        out.pop();
                    }
                    Some(".") => {}
                    _ => out.push(r),
                }
            }
            return out;
        }
        match (base.file_name(), base.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                base = parent;
            }
            _ => return abs,
        }
    }
}

/// An output (`what` and its path) must not be, nor (a directory) hold, an input of the
/// same command: it would be overwritten or deleted before the command is done with it.
pub fn check_not_input(what: &str, out: &Path, dir: bool, inputs: &[PathBuf]) -> Result<()> {
    output_name(out, what)?;
    let o = resolve(out);
    for i in inputs {
        let r = resolve(i);
        let clash = if dir { r.starts_with(&o) } else { r == o };
        if clash {
            let how = if r == o { "is" } else { "holds" };
            return Err(Error::usage(format!(
                "{what} {} {how} {}, an input of this command: writing it would destroy the \
                 input; give another output path",
                out.display(),
                i.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_leftovers() {
        let t = Path::new("some/out");
        assert_eq!(beside(t, "lock"), Path::new("some/.out.scansim-lock"));
        assert_eq!(
            leftover(t, ".out.scansim-staging-12"),
            Some(("staging", 12))
        );
        assert_eq!(leftover(t, ".out.scansim-sort-12-3"), Some(("sort", 12)));
        assert_eq!(leftover(t, ".out.scansim-trash-7"), Some(("trash", 7)));
        assert_eq!(leftover(t, ".out.scansim-lock"), None);
        assert_eq!(leftover(t, ".outx.scansim-staging-12"), None);
        assert_eq!(leftover(t, ".out.scansim-staging-x"), None);
        for bad in [".", "..", "/", "a/.."] {
            assert!(output_name(Path::new(bad), "--out").is_err(), "{bad}");
        }
        assert_eq!(output_name(Path::new("a/b/"), "--out").unwrap(), "b");
    }

    #[test]
    fn a_second_claim_is_refused_and_stale_staging_removed() {
        let d = crate::base::testing::TempDir::new("claim");
        let t = d.join("new/out");
        let c = Claim::acquire(&t, "--out").unwrap();
        let e = Claim::acquire(&t, "--out").err().unwrap().to_string();
        assert!(e.starts_with("another scansim is writing"), "{e}");
        drop(c);
        assert!(!d.join("new").exists(), "made parent removed");
        std::fs::create_dir_all(d.join("new/.out.scansim-staging-999999999")).unwrap();
        std::fs::create_dir_all(d.join("new/.out.scansim-trash-999999998/x")).unwrap();
        let mut c = Claim::acquire(&t, "--out").unwrap();
        assert!(t.join("x").is_dir(), "the old output moved back");
        assert!(!d.join("new/.out.scansim-staging-999999999").exists());
        c.keep_parents();
        drop(c);
        let names: Vec<_> = std::fs::read_dir(d.join("new"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);
    }
}
