//! The JSON report (`--json FILE`, `--format json`): the [`Report`] model
//! serialised as is, keys in a fixed order, so two runs over the same inputs
//! differ only in timings. The schema is documented in docs/report-json.md.

use std::io::{self, Write};

use super::Report;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    // `io::Error::from` keeps a write error's kind (a closed pipe stays
    // `BrokenPipe`, which ends the run quietly); other errors are `other`.
    serde_json::to_writer_pretty(&mut *w, r).map_err(io::Error::from)?;
    writeln!(w)
}
