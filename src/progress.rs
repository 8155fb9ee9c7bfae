//! What a long run is doing, shown on stderr while it does it: a spinner
//! with the elapsed time and the current step ("features: scanning 20
//! columns", "bench: candidate run 3 of 5"). Only on a terminal, never with
//! `--quiet`: CI logs and pipes get no control characters, and stdout (the
//! report) is never touched.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A handle to the progress line; cheap to clone and to pass to blocking
/// tasks. Hidden, every call is a no-op.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// No progress display at all.
    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    /// A spinner on stderr when stderr is a terminal and `quiet` is off.
    pub fn for_stderr(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}")
            .expect("a valid template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    /// Says what the run is doing now.
    pub fn step(&self, what: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.into());
        }
    }

    /// Removes the line, so the report that follows starts on a clean one.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_or_not_a_terminal_is_hidden() {
        assert!(!Progress::for_stderr(true).is_visible());
        // Test harnesses capture stderr, so it is not a terminal here.
        assert_eq!(
            Progress::for_stderr(false).is_visible(),
            std::io::stderr().is_terminal()
        );
        let p = Progress::hidden();
        p.step("nothing is drawn");
        p.finish();
    }
}
