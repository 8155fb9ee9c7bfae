//! `verdict schema`: a source's columns and types, as a table or JSON.

use std::io::{self, Write};

use comfy_table::{presets, Table};

use crate::report::exit;
use crate::report::format::count;
use crate::spec::{Format, SourceSpec};

pub(super) async fn schema(path: &str, format: Option<String>, as_json: bool) -> i32 {
    let format = match format.as_deref().map(|f| (f, Format::parse(f))) {
        None => None,
        Some((_, Some(f))) => Some(f),
        Some((f, None)) => {
            crate::diag!("error: unknown format `{f}`; expected parquet, csv, json or arrow");
            return exit::INVALID;
        }
    };
    let mut spec = match SourceSpec::from_argument("source", path) {
        Ok(s) => s,
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    spec.format = format;
    let ctx = match crate::engine::session_for_source(&spec, &crate::engine::Engine::Embedded) {
        Ok(ctx) => ctx,
        Err(e) => {
            crate::diag!("error: {}", crate::error::text(&e));
            return exit::BROKEN;
        }
    };
    let loaded = match crate::source::register(&ctx, &spec).await {
        Ok(l) => l,
        Err(e) => {
            crate::diag!("error: {}", crate::error::text(&e));
            return exit::BROKEN;
        }
    };
    let fields = loaded.schema.fields();
    let printed = if as_json {
        let cols: Vec<serde_json::Value> = fields
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name(),
                    "type": crate::types::display_type(f.data_type()),
                    "arrow_type": f.data_type().to_string(),
                    "nullable": f.is_nullable(),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "path": spec.path,
            "format": loaded.format,
            "files": loaded.files,
            "partition_columns": loaded.partition_columns,
            "columns": cols,
        });
        serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .map_err(io::Error::other)
    } else {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED).force_no_tty();
        t.set_header(["column", "type", "arrow type", "nullable"]);
        for f in fields.iter() {
            t.add_row(vec![
                f.name().clone(),
                crate::types::display_type(f.data_type()),
                f.data_type().to_string(),
                f.is_nullable().to_string(),
            ]);
        }
        let files = match loaded.files {
            Some(n) => format!(", {}", count(n, "file")),
            None => String::new(),
        };
        Ok(format!(
            "{} · {}{files}, {}\n{t}\n",
            spec.path,
            loaded.format,
            count(fields.len(), "column")
        ))
    };
    match printed.and_then(|s| io::stdout().lock().write_all(s.as_bytes())) {
        Ok(()) => exit::PASS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
        Err(e) => {
            crate::diag!("error: {e}");
            exit::BROKEN
        }
    }
}
