//! What became of a report after the run: the webhooks it was posted to
//! (`crate::notify`) and the history file it was recorded in
//! (`crate::history`). Both are parts of the JSON report; neither changes
//! the verdict but through `Report::record_history`.

use serde::Serialize;

use crate::spec::NotifyOn;

/// What became of one notification, as recorded in the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Redacted: scheme, host and port only.
    pub url: String,
    pub from: String,
    pub on: NotifyOn,
    pub status: Delivery,
    pub attempts: u32,
    /// The HTTP status of the last answer, if there was one.
    pub http_status: Option<u16>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Delivered,
    Failed,
}

/// What `--history DIR` recorded for this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    pub run_id: String,
    /// The file written, or None when writing failed.
    pub file: Option<String>,
    pub rows: usize,
    pub error: Option<String>,
}
