//! verdict: declarative checks over tables, evaluated with DataFusion, that
//! end in a verdict and an exit code CI can gate on.
//!
//! The flow (docs/architecture.md): `spec` loads and validates a suite,
//! `check::requirements` says which metrics each check needs, `metric::exec`
//! computes them in one aggregate per source, `check::evaluate` judges them
//! (pure), `report` holds the result and renders it.

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
pub mod history;
pub mod metric;
pub mod notify;
pub mod profile;
pub mod progress;
pub mod report;
pub mod run;
pub mod source;
pub mod spec;
pub mod types;
