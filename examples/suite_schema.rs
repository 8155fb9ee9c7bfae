//! Prints the JSON Schema of suite files, which editors use for completion
//! and checking (see README). The committed copy is kept in sync by
//! tests/json_schema.rs:
//!
//!     cargo run --release --example suite_schema > schema/verdict-suite.schema.json
//!
//! With a path argument, writes that file instead of stdout.

use std::io::Write;

fn main() -> std::io::Result<()> {
    let text = verdict::spec::json_schema::suite_schema_text();
    match std::env::args_os().nth(1) {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().lock().write_all(text.as_bytes()),
    }
}
