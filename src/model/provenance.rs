//! What a result came from: SHA-256 of the scenario and of every file it read.

use crate::base::error::Result;
use crate::base::hash::sha256_file;
use std::path::PathBuf;

/// Hashes of the inputs of a run.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    pub scenario: (PathBuf, String),
    pub files: Vec<(PathBuf, String)>,
}

impl Provenance {
    /// Hashes the scenario and its referenced files; `trace` is an already hashed trace
    /// given on the command line.
    pub fn collect(
        scenario: &crate::model::scenario::Scenario,
        trace: Option<(PathBuf, String)>,
    ) -> Result<Provenance> {
        let own_trace = match &scenario.traffic {
            crate::model::scenario::Traffic::Trace(p) => Some(p),
            _ => None,
        };
        let mut files = Vec::new();
        for f in &scenario.referenced_files {
            // The trace is hashed while it is read; an overridden one is not used.
            if own_trace == Some(f) {
                continue;
            }
            files.push((f.clone(), sha256_file(f)?));
        }
        files.extend(trace);
        Ok(Provenance {
            scenario: (scenario.file.clone(), scenario.sha256.clone()),
            files,
        })
    }
}
