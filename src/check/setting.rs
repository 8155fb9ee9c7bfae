//! Where a suite's checks run, as the stages of `check` see it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::prelude::SessionContext;

use crate::history::store::Row;
use crate::progress::Progress;
use crate::source::Loaded;

/// Where a suite's checks run: its session, every source it registered
/// (an `sql:` check may join any, a `change_vs` check reads its
/// reference), the suite file and the past runs (for `change_vs:
/// history`), and the instant time bounds are relative to.
pub struct Setting<'a> {
    pub ctx: &'a SessionContext,
    pub suite: &'a str,
    pub loaded: &'a HashMap<&'a str, Result<Loaded, String>>,
    pub now: DateTime<Utc>,
    /// Past runs (`--history DIR`); None without it.
    pub history: Option<&'a Result<Arc<Vec<Row>>, String>>,
    pub progress: &'a Progress,
    /// `--failed-rows DIR`: where the rows of failed checks go.
    pub failed_rows: Option<&'a super::failed_rows::Options>,
}
