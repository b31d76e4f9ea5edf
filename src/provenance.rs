//! What a result came from: SHA-256 of the scenario and of every file it read.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut r = HashingReader::new(&mut f);
    std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    Ok(r.finish())
}

/// Hashes every byte read through it, so a trace is hashed in the same pass that
/// parses it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Reads what is left and returns the hash of the whole input.
    pub fn drain_and_finish(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(self.finish())
    }

    pub fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

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
        scenario: &crate::scenario::Scenario,
        trace: Option<(PathBuf, String)>,
    ) -> Result<Provenance> {
        let own_trace = match &scenario.traffic {
            crate::scenario::Traffic::Trace(p) => Some(p),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        let mut r = HashingReader::new(&b"abc"[..]);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(
            r.finish(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
