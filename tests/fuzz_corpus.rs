//! Every input the fuzzers kept (`fuzz/corpus/<target>/`) replayed through
//! the same function the fuzz target calls, in an ordinary build: an input
//! that once crashed verdict stays in the corpus and is checked here on
//! every run. `fuzz/README.md` says how to fuzz further.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::PathBuf;

/// Runs `target` on every file of `fuzz/corpus/<name>` and returns how many
/// there were; a panic names the input that caused it.
fn replay(name: &str, target: fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| target(&data)) {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{} fails the {name} target: {why}", f.display());
        }
    }
    files.len()
}

#[test]
fn suite_corpus_parses_or_gives_diagnostics() {
    assert!(replay("suite", targets::suite) >= 31);
}

#[test]
fn reference_corpus_loads_or_is_refused() {
    assert!(replay("reference", targets::reference) >= 1);
}

#[test]
fn text_source_corpus_reads_or_is_refused() {
    assert!(replay("text_source", targets::text_source) >= 20);
}

/// The seeds are what they claim to be: the shipped suites validate, the
/// seed reference loads, and the seed CSV reads as a table.
#[test]
fn seeds_are_valid_inputs() {
    let suite = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("expectations/features.yml"),
    )
    .unwrap();
    assert!(verdict::spec::parse::parse_str("features.yml", &suite).is_ok());
    let (format, csv, body) = targets::text_source_options(b"\x02a;b\n1;2\n").unwrap();
    assert_eq!(
        (format, csv.delimiter, csv.header, csv.quote, body),
        (
            verdict::spec::Format::Csv,
            Some(b'\t'),
            true,
            b'"',
            &b"a;b\n1;2\n"[..]
        )
    );
}
