//! Files and directories that appear whole or not at all: written beside the target
//! under a claim on it ([`crate::base::claim`]), renamed into place on success, removed on
//! failure, on drop and on SIGINT / SIGTERM ([`crate::base::cleanup`]).
//!
//! Nothing is replaced that scansim did not write: an output directory holds a marker
//! file, [`MARKER`]; an existing directory that is not empty and has none is refused
//! unless `force`. A file output that exists is replaced only if it looks like what
//! scansim writes there, or with `force`.

use crate::base::claim::{Claim, beside, output_name};
use crate::base::cleanup::{self, Kind};
use crate::base::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The marker file of every output directory scansim writes.
pub const MARKER: &str = ".scansim-output";

const MARKER_TEXT: &str = "This directory was written by scansim. scansim replaces it as a \
whole when it is given again as an output directory (--out); without this file, scansim \
refuses to replace a directory that is not empty unless given --force.\n";

/// A file being written: renamed to its target on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    tmp_id: u64,
    out: BufWriter<std::fs::File>,
    done: bool,
    claim: Option<Claim>,
}

/// Whether the start of an existing file shows it is an output of this kind.
pub type Recognise = fn(&[u8]) -> bool;

impl AtomicFile {
    /// `what` names the option for messages (`--trace-out`, `--events`). An existing
    /// target is replaced if empty, `recognised` from its first bytes, or with `force`.
    pub fn create(
        target: &Path,
        what: &str,
        force: bool,
        recognised: Recognise,
    ) -> Result<AtomicFile> {
        output_name(target, what)?;
        check_file_target(target, what, force, recognised)?;
        let claim = Claim::acquire(target, what)?;
        let mut f = AtomicFile::open(target)?;
        f.claim = Some(claim);
        Ok(f)
    }

    /// A file inside a staging directory, which the staging directory's claim covers.
    pub fn inside(target: &Path) -> Result<AtomicFile> {
        AtomicFile::open(target)
    }

    fn open(target: &Path) -> Result<AtomicFile> {
        let tmp = beside(target, &format!("staging-{}", std::process::id()));
        let tmp_id = cleanup::register(&tmp, Kind::File);
        let f = std::fs::File::create(&tmp).map_err(|e| {
            cleanup::unregister(tmp_id);
            Error::io(&tmp, e)
        })?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            tmp_id,
            out: BufWriter::with_capacity(1 << 20, f),
            done: false,
            claim: None,
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.tmp, e))
    }

    /// The buffered writer, for formatters that take `impl Write`.
    pub fn writer(&mut self) -> &mut BufWriter<std::fs::File> {
        &mut self.out
    }

    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.tmp, e))
    }

    /// Flushes and renames into place.
    pub fn commit(mut self) -> Result<()> {
        self.flush()?;
        cleanup::atomically(|reg| {
            std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
            reg.remove(self.tmp_id);
            Ok::<_, Error>(())
        })?;
        self.done = true;
        if let Some(c) = self.claim.as_mut() {
            c.keep_parents();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
            cleanup::unregister(self.tmp_id);
        }
    }
}

/// An existing file output is replaced only if scansim wrote it (or `force`).
fn check_file_target(target: &Path, what: &str, force: bool, recognised: Recognise) -> Result<()> {
    let Ok(meta) = std::fs::metadata(target) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err(Error::usage(format!(
            "{what} {}: is a directory; give a file name",
            target.display()
        )));
    }
    if force || meta.len() == 0 {
        return Ok(());
    }
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(target)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| Error::io(target, e))?;
    if recognised(&head[..n]) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "{what} {}: the file exists and is not a scansim output of this kind; scansim does \
         not overwrite files it did not write: give another name, or --force to replace it",
        target.display()
    )))
}

/// A directory being written; becomes `target` on [`Staging::commit`], vanishes if dropped.
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    tmp_id: u64,
    done: bool,
    claim: Claim,
}

impl Staging {
    /// Checks `--out` (see [`check_out_dir`]), claims it, and makes the staging directory
    /// with the marker file in it.
    pub fn new(target: &Path, force: bool) -> Result<Staging> {
        check_out_dir(target, force)?;
        let claim = Claim::acquire(target, "--out")?;
        let tmp = beside(target, &format!("staging-{}", std::process::id()));
        let tmp_id = cleanup::register(&tmp, Kind::Dir);
        let staging = Staging {
            target: target.to_path_buf(),
            tmp,
            tmp_id,
            done: false,
            claim,
        };
        std::fs::create_dir(&staging.tmp).map_err(|e| Error::io(&staging.tmp, e))?;
        staging.write_with(MARKER, |w| w.write_all(MARKER_TEXT.as_bytes()))?;
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.tmp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file into the staging directory through a buffer.
    pub fn write_with(
        &self,
        name: &str,
        f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let p = self.tmp.join(name);
        let file = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        let mut w = std::io::BufWriter::new(file);
        f(&mut w)
            .and_then(|_| w.flush())
            .map_err(|e| Error::io(&p, e))
    }

    /// Replaces the target directory with the staged one: the old output is renamed to
    /// `trash`, the new one into place (both under the signal lock), then the trash is
    /// deleted. A crash between the renames leaves the old output in `trash`, which the
    /// next claim puts back.
    pub fn commit(mut self) -> Result<()> {
        let trash = beside(&self.target, &format!("trash-{}", std::process::id()));
        let had_old = std::fs::symlink_metadata(&self.target).is_ok();
        let trash_id = cleanup::atomically(|reg| -> Result<Option<u64>> {
            let trash_id = if had_old {
                std::fs::rename(&self.target, &trash).map_err(|e| Error::io(&self.target, e))?;
                Some(reg.add(&trash, Kind::Dir))
            } else {
                None
            };
            if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
                if let Some(id) = trash_id {
                    let _ = std::fs::rename(&trash, &self.target);
                    reg.remove(id);
                }
                return Err(Error::io(&self.target, e));
            }
            reg.remove(self.tmp_id);
            Ok(trash_id)
        })?;
        self.done = true;
        self.claim.keep_parents();
        if let Some(id) = trash_id {
            let r = std::fs::remove_dir_all(&trash);
            cleanup::unregister(id);
            r.map_err(|e| Error::io(&trash, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            cleanup::remove(&self.tmp, Kind::Dir);
            cleanup::unregister(self.tmp_id);
        }
    }
}

/// Whether scansim may replace `target` as a whole: absent, an empty directory, an
/// earlier output (with the marker), or any directory with `force`; never a file, a
/// symbolic link, the current directory or one holding it, or a tree scansim could not
/// delete (a read-only directory in it), which is refused before anything is replaced.
pub fn check_out_dir(target: &Path, force: bool) -> Result<()> {
    output_name(target, "--out")?;
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    let shown = target.display();
    if meta.file_type().is_symlink() {
        return Err(Error::usage(format!(
            "--out {shown}: is a symbolic link; give the directory itself (it is replaced \
             as a whole)"
        )));
    }
    if !meta.is_dir() {
        return Err(Error::usage(format!(
            "--out {shown}: exists and is not a directory; give a directory (it is replaced \
             as a whole)"
        )));
    }
    if let (Ok(t), Ok(cwd)) = (target.canonicalize(), std::env::current_dir())
        && cwd.starts_with(&t)
    {
        return Err(Error::usage(format!(
            "--out {shown}: is the current directory or holds it; give a directory of its own"
        )));
    }
    let empty = std::fs::read_dir(target)
        .map_err(|e| Error::io(target, e))?
        .next()
        .is_none();
    if !empty && !force && !target.join(MARKER).is_file() {
        return Err(Error::usage(format!(
            "--out {shown}: exists, is not empty and was not written by scansim (it has no \
             {MARKER} file); scansim replaces --out as a whole and does not delete files it \
             did not write: give a new or empty directory, or --force to replace it"
        )));
    }
    removable(target)
}

/// Every directory of the tree can be emptied by this process.
fn removable(dir: &Path) -> Result<()> {
    use rustix::fs::{Access, access};
    if let Err(e) = access(dir, Access::READ_OK | Access::WRITE_OK | Access::EXEC_OK) {
        return Err(Error::usage(format!(
            "--out: the old output cannot be replaced: {} is not writable ({e}); nothing was \
             changed",
            dir.display()
        )));
    }
    for e in std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
    {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            removable(&e.path())?;
        }
    }
    Ok(())
}
