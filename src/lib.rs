//! verdict: declarative checks over tables, evaluated with DataFusion, that
//! end in a verdict and an exit code CI can gate on.
//!
//! The flow (docs/architecture.md): `spec` loads and validates a suite,
//! `check::requirements` says which metrics each check needs, `metric::exec`
//! computes them in one aggregate per source, `check::evaluate` judges them
//! (pure), `report` holds the result and renders it.

/// `eprintln!` that never panics: a diagnostic that cannot be written
/// (stderr closed, or a full disk behind `2>file`) is dropped, and the run's
/// outcome and exit code stand.
#[macro_export]
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics; see [`diag!`].
#[macro_export]
macro_rules! diag_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod app;
pub mod bench;
pub mod check;
pub mod cli;
pub mod compare;
pub mod database;
pub mod diff;
pub mod drift;
pub mod engine;
pub mod error;
pub mod features;
pub mod history;
pub mod import;
pub mod metric;
pub mod notify;
pub mod profile;
pub mod progress;
pub mod report;
pub mod run;
pub mod source;
pub mod spec;
pub mod types;
