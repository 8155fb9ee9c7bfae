//! The JSON report (`--json FILE`, `--format json`): the [`Report`] model
//! serialised as is, keys in a fixed order, so two runs over the same inputs
//! differ only in timings. The schema is documented in docs/report-json.md.

use std::io::{self, Write};

use super::Report;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, r).map_err(io::Error::other)?;
    writeln!(w)
}
