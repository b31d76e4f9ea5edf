//! Progress of long work (simulated days, sweep runs). The library reports through this
//! trait; the command line decides whether anything is shown.

/// Receives progress; must be cheap, it is called from worker threads.
pub trait Progress: Sync {
    /// Starts a phase of `total` units (`unit` is "days", "repositories", "runs").
    fn start(&self, _total: u64, _unit: &'static str) {}
    /// `n` more units done.
    fn advance(&self, _n: u64) {}
    /// The phase is over.
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {}
