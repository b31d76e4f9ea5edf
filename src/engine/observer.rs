//! What the engine tells the outside while it runs. The engine owns this trait; sinks
//! (the EventBridge events writer) implement it.

use super::findings::FindingRecord;
use crate::base::digest::DigestRef;
use crate::base::error::Result;
use crate::rules::findings::Sev;
use crate::rules::{Freq, ScanType};

/// Receives what happens during a run, in time order, from day 0 on.
pub trait Observer {
    /// A configuration change at `t` changed the scan frequency of existing repositories
    /// (name, before, after); called only while the registry is or was `ENHANCED`.
    fn frequency_change(
        &mut self,
        t: i64,
        scan_type: ScanType,
        changes: &[(String, Freq, Freq)],
    ) -> Result<()>;
    /// An image got its initial enhanced scan at `t`, which opened `findings` (per
    /// severity, `rules::findings::SEVERITIES` order).
    fn initial_scan(
        &mut self,
        t: i64,
        repo: &str,
        digest: DigestRef,
        tags: &[&[u8]],
        findings: &Sev,
    ) -> Result<()>;
    /// Whether [`Observer::findings`] should be called (recording the changes costs).
    fn wants_findings(&self) -> bool {
        false
    }
    /// The findings of an image in repository `repo` changed.
    fn findings(&mut self, _repo: &str, _change: &FindingRecord) -> Result<()> {
        Ok(())
    }
    /// The run is complete.
    fn finish(&mut self) -> Result<()>;
}
