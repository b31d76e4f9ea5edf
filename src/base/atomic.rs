//! Files and directories that appear whole or not at all: written beside the target, renamed into place
//! on success, removed on failure or drop.

use crate::base::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: BufWriter<std::fs::File>,
    done: bool,
}

impl AtomicFile {
    /// `what` names the option for messages (`--trace-out`, `--events`).
    pub fn create(target: &Path, what: &str) -> Result<AtomicFile> {
        if target.is_dir() {
            return Err(Error::Usage(format!(
                "{what} {}: is a directory; give a file name",
                target.display()
            )));
        }
        let name = target
            .file_name()
            .ok_or_else(|| Error::Usage(format!("{what} {}: not a file name", target.display())))?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(1 << 20, f),
            done: false,
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

    /// Flushes and renames into place.
    pub fn commit(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A directory being written; becomes `target` on [`Staging::commit`], vanishes if dropped.
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    done: bool,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging> {
        let name = target
            .file_name()
            .ok_or_else(|| {
                Error::Usage(format!("--out {}: not a directory name", target.display()))
            })?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if target.exists() && !target.is_dir() {
            return Err(Error::Usage(format!(
                "--out {}: exists and is not a directory; give a directory (it is replaced \
                 as a whole)",
                target.display()
            )));
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            done: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.tmp
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

    /// Replaces the target directory with the staged one.
    pub fn commit(mut self) -> Result<()> {
        let old = self.tmp.with_file_name(format!(
            "{}.old",
            self.tmp.file_name().unwrap_or_default().to_string_lossy()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.done = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
