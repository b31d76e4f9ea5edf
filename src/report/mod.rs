//! Outputs of a run. Each file is an [`Exporter`]; all are written into a staging
//! directory beside the target, which then replaces the target as a whole.

pub mod charts;
pub mod daily;
pub mod events;
pub mod figures;
pub mod html;
pub mod summary;
pub mod tables;

use crate::engine::RunResult;
use crate::error::{Error, Result};
use crate::provenance::Provenance;
use crate::scenario::Scenario;
use figures::Figures;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Everything an exporter may read.
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    pub provenance: &'a Provenance,
    /// The command line that produced the result.
    pub command: &'a [String],
    /// The §8b figures over all reported days.
    pub figures: Figures,
}

impl<'a> Report<'a> {
    pub fn new(
        scenario: &'a Scenario,
        result: &'a RunResult,
        provenance: &'a Provenance,
        command: &'a [String],
    ) -> Self {
        Report {
            scenario,
            result,
            provenance,
            command,
            figures: Figures::from_days(&result.days),
        }
    }
}

/// The data files every run writes.
pub fn data_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(daily::Daily),
        Box::new(summary::SummaryJson),
        Box::new(tables::Monthly),
        Box::new(tables::Repositories),
        Box::new(tables::Groups),
    ]
}

/// One output file.
pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn write(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()>;
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

    pub fn export(&self, report: &Report, exporter: &dyn Exporter) -> Result<()> {
        self.write_with(exporter.file_name(), |w| exporter.write(report, w))
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
