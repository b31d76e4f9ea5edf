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

/// A progress bar on stderr (units done/total, rate, ETA). Draws nothing when stderr is
/// not a terminal (indicatif's stderr target checks), so redirected runs and output files
/// never see it; `quiet` hides it everywhere.
pub struct Bar {
    bar: indicatif::ProgressBar,
    quiet: bool,
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        Bar {
            bar: indicatif::ProgressBar::hidden(),
            quiet,
        }
    }

    /// Whether anything can be drawn (false when quiet or stderr is not a terminal).
    pub fn is_visible(&self) -> bool {
        !self.quiet && !indicatif::ProgressDrawTarget::stderr().is_hidden()
    }
}

impl Progress for Bar {
    fn start(&self, total: u64, unit: &'static str) {
        let style = indicatif::ProgressStyle::with_template(
            "[{bar:40}] {human_pos}/{human_len} {msg} | {rate} | ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            },
        )
        .progress_chars("=> ");
        // Configured while hidden, then shown: no frame with the default style or length.
        self.bar
            .set_draw_target(indicatif::ProgressDrawTarget::hidden());
        self.bar.set_style(style);
        self.bar.set_length(total);
        self.bar.reset();
        self.bar.set_message(unit);
        if !self.quiet {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_bar_is_hidden_and_counts_anyway() {
        let b = Bar::new(true);
        assert!(!b.is_visible());
        b.start(10, "days");
        b.advance(3);
        assert_eq!(b.bar.position(), 3);
        assert_eq!(b.bar.length(), Some(10));
        b.finish();
    }
}
