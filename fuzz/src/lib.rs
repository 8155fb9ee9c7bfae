//! What each fuzz target does with one input. The same functions replay
//! the committed corpus in `tests/fuzz_corpus.rs`, so every input a
//! fuzzer kept is checked by the ordinary test run too. Each returns
//! normally for any input; a panic, an abort or a hang is a finding.

use verdict::drift::reference::SavedReference;
use verdict::spec::{CsvOptions, DriftMethod, Format, SourceSpec};

/// Suite text → a suite, or diagnostics that render: `verdict validate`.
pub fn suite(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match verdict::spec::parse::parse_str("fuzz.yaml", text) {
        Ok(suite) => {
            // A suite that validates is one a run can describe.
            let _ = format!("{suite:?}");
        }
        Err(e) => {
            let rendered = e.render();
            assert!(!e.diags.is_empty(), "an error without a diagnostic");
            assert!(
                rendered.contains("nothing was evaluated"),
                "diagnostics render without their summary: {rendered}"
            );
        }
    }
}

/// A saved drift reference file (`--save-reference`) as `drift:` reads it:
/// refused with a message, or every column's reference side is built.
pub fn reference(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(saved) = SavedReference::from_text("fuzz.json", text) else {
        return;
    };
    for c in &saved.columns {
        for method in [DriftMethod::Numeric, DriftMethod::Categorical] {
            let _ = saved.column(&c.name, method, saved.bins);
        }
    }
}

/// The first byte of a text-source input chooses the reader: CSV or
/// NDJSON, the delimiter, the quote and whether there is a header line.
/// The rest is the file.
pub fn text_source_options(data: &[u8]) -> Option<(Format, CsvOptions, &[u8])> {
    let (&choice, body) = data.split_first()?;
    let format = if choice & 1 == 0 {
        Format::Csv
    } else {
        Format::Json
    };
    let csv = CsvOptions {
        delimiter: Some([b',', b'\t', b';', b'|'][usize::from(choice >> 1 & 3)]),
        header: choice & 8 == 0,
        quote: if choice & 16 == 0 { b'"' } else { b'\'' },
    };
    Some((format, csv, body))
}

/// A CSV or NDJSON file registered as a source (its text checked, its
/// header read, its schema inferred from every row) and read in full:
/// a table, or an error that says why, never a crash.
pub fn text_source(data: &[u8]) {
    let Some((format, csv, body)) = text_source_options(data) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(match format {
        Format::Csv => "input.csv",
        _ => "input.json",
    });
    std::fs::write(&path, body).expect("the input written");
    let mut spec = SourceSpec::file("t", &path.to_string_lossy(), Some(format));
    spec.csv = csv;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let ctx = verdict::engine::session_for_source(&spec, &verdict::engine::Engine::Embedded)
            .expect("a session");
        if verdict::source::register(&ctx, &spec).await.is_err() {
            return;
        }
        if let Ok(df) = ctx.sql("SELECT * FROM t").await {
            let _ = df.collect().await;
        }
    });
}
