//! `--failed-rows DIR`: the rows that break each failed check of single
//! rows, written to Parquet with the source's key and sample columns and
//! without its excluded ones; at most the limit; the same rows every run;
//! a directory that cannot be written leaves the verdict as it is.

mod common;

use common::{check_named, json, run, temp_suite};

const CHECKS: &str = "checks:
  f:
    table:
      - row_count: { max: 10 }
      - expression: \"qty * 2 > price\"
      - unique: [country, category]
    columns:
      price:
        - not_null
        - range: { between: [12, 19] }
        - max: { max: 100 }
      category:
        - in_set: [a, b]
      email:
        - regex: '^x'
";

fn suite() -> (tempfile::TempDir, std::path::PathBuf) {
    temp_suite(&format!(
        "version: 1\nsources:\n  f: {{ path: fixtures/features.parquet, key: id, sample_columns: [country], exclude_columns: [email] }}\n{CHECKS}"
    ))
}

fn read(path: &str) -> (Vec<String>, usize, Vec<String>) {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let r = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let meta = r.metadata();
    let cols = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = meta.file_metadata().num_rows() as usize;
    let first: Vec<String> = r
        .get_row_iter(None)
        .unwrap()
        .take(2)
        .map(|row| row.unwrap().to_string())
        .collect();
    (cols, rows, first)
}

#[test]
fn each_failed_row_check_writes_its_rows() {
    let (d, path) = suite();
    let out = d.path().join("failed");
    let o = run(&[
        path.to_str().unwrap(),
        "--failed-rows",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let dir = out.join("suite").join("f");
    // Key first, then the check's columns, then the sample columns; the
    // excluded e-mail never.
    for (name, file, columns, first) in [
        (
            // pandas: the first rows where not (qty * 2 > price).
            "expression(qty * 2 > price)",
            "expression_qty___2___price_.parquet",
            vec!["id", "price", "qty", "country"],
            serde_json::json!([
                [4, 16.65, 5, "IT"],
                [10, 14.31, 4, "IT"],
                [12, 13.58, 5, "DE"],
                [15, 18.25, 2, "IT"],
                [18, 15.31, 5, "DE"]
            ]),
        ),
        (
            "price.not_null",
            "price.not_null.parquet",
            vec!["id", "price", "country"],
            serde_json::json!([
                [8, null, "FR"],
                [208, null, "ES"],
                [408, null, "FR"],
                [608, null, "NL"],
                [808, null, "IT"]
            ]),
        ),
        (
            "email.regex",
            "email.regex.parquet",
            vec!["id", "country"],
            serde_json::json!([[1, "IT"], [2, "FR"], [3, "NL"], [4, "IT"], [5, "ES"]]),
        ),
    ] {
        let c = check_named(&r, name);
        let f = &c["failed_rows"];
        let want_path = dir.join(file).display().to_string();
        assert_eq!(f["path"], want_path.as_str(), "{name}");
        assert_eq!(f["columns"], serde_json::json!(columns), "{name}");
        assert_eq!(f["first"], first, "{name}");
        let (cols, rows, _) = read(&want_path);
        assert_eq!(cols, columns, "{name}");
        assert_eq!(f["rows"], rows, "{name}");
    }
    // At most 100 rows (312 prices lie outside the range); every
    // duplicated (country, category) pair's rows; 5 null prices.
    assert_eq!(check_named(&r, "price.range")["failed_rows"]["rows"], 100);
    assert_eq!(
        check_named(&r, "unique(country, category)")["failed_rows"]["rows"],
        100
    );
    assert_eq!(check_named(&r, "price.not_null")["failed_rows"]["rows"], 5);
    let (_, _, first) = read(&dir.join("category.in_set.parquet").display().to_string());
    assert_eq!(first[0], "{id: 2, category: \"c\", country: \"FR\"}");
    // Checks that are not about single rows, or that passed, write none.
    for name in ["row_count", "price.max"] {
        assert!(check_named(&r, name).get("failed_rows").is_none(), "{name}");
    }
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(written, 6);
    // Every format says where they are.
    let o = run(&[
        path.to_str().unwrap(),
        "--failed-rows",
        out.to_str().unwrap(),
        "--failed-rows-limit",
        "2",
        "--markdown",
        d.path().join("r.md").to_str().unwrap(),
        "--html",
        d.path().join("r.html").to_str().unwrap(),
    ]);
    assert!(
        o.stdout.contains(&format!(
            "  price.not_null: 2 failing rows in {}\n",
            dir.join("price.not_null.parquet").display()
        )),
        "{}",
        o.stdout
    );
    let md = std::fs::read_to_string(d.path().join("r.md")).unwrap();
    assert!(
        md.contains(
            "| id | price | country |\n|---|---|---|\n| 8 | null | FR |\n| 208 | null | ES |\n"
        ),
        "{md}"
    );
    let html = std::fs::read_to_string(d.path().join("r.html")).unwrap();
    assert!(
        html.contains(&format!(
            "<details><summary>price.not_null: 2 failing rows in {}</summary>",
            dir.join("price.not_null.parquet").display()
        )),
        "no failed rows in the HTML"
    );
    assert!(
        html.contains("<td>208</td><td>null</td><td>ES</td>"),
        "no first rows in the HTML"
    );
}

#[test]
fn the_same_rows_are_written_every_run() {
    let (d, path) = suite();
    let firsts: Vec<serde_json::Value> = (0..3)
        .map(|i| {
            let out = d.path().join(format!("run{i}"));
            let o = run(&[
                path.to_str().unwrap(),
                "--failed-rows",
                out.to_str().unwrap(),
                "--format",
                "json",
            ]);
            check_named(&json(&o), "price.range")["failed_rows"]["first"].clone()
        })
        .collect();
    assert_eq!(firsts[0], firsts[1]);
    assert_eq!(firsts[1], firsts[2]);
}

#[test]
fn an_unwritable_directory_leaves_the_verdict_and_says_why() {
    let (d, path) = suite();
    // A file where the directory should be: not writable even as root.
    let blocker = d.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let out = blocker.join("failed");
    let o = run(&[
        path.to_str().unwrap(),
        "--failed-rows",
        out.to_str().unwrap(),
        "--check",
        "price.not_null",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "the gate's verdict stands: {}", o.stderr);
    let file = out
        .join("suite/f/price.not_null.parquet")
        .display()
        .to_string();
    assert_eq!(
        o.stderr,
        format!("error: cannot write the failing rows of `price.not_null` to {file}: Not a directory (os error 20)\n")
    );
    let c = check_named(&json(&o), "price.not_null");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["failed_rows"]["error"], "Not a directory (os error 20)");
    assert_eq!(c["failed_rows"]["rows"], 0);
}

#[test]
fn a_limit_of_zero_is_refused() {
    let (d, path) = suite();
    let o = run(&[
        path.to_str().unwrap(),
        "--failed-rows",
        d.path().to_str().unwrap(),
        "--failed-rows-limit",
        "0",
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stderr, "error: --failed-rows-limit must be at least 1\n");
}
