//! `--select`, `--exclude` and `--check` with `tags:`, and `--annotations
//! github`: what runs, what the report says was selected, and every
//! selection that picks nothing is an error (exit 2), never a vacuous pass.

mod common;

use common::{json, temp_suite, verdict};

const SUITE: &str = "version: 1
sources:
  f: { path: fixtures/features.parquet, tags: [core] }
  legacy: { path: fixtures/hive }
checks:
  f:
    columns:
      price:
        - null_count: { max: 0, tags: [critical] }
        - max: { max: 100 }
      category:
        - in_set: { values: [a, b], severity: warn, tags: critical }
  legacy:
    table:
      - row_count: { min: 1, tags: [critical, pii] }
drift:
  f:
    reference: legacy
    columns: [price]
";

fn run(suite: &std::path::Path, args: &[&str]) -> common::Out {
    let mut a = vec!["run", suite.to_str().unwrap()];
    a.extend_from_slice(args);
    verdict(&a)
}

/// The names of the checks a JSON report holds, source by source, and
/// whether it has a drift section.
fn ran(o: &common::Out) -> (Vec<String>, bool) {
    let r = json(o);
    let suite = &r["suites"][0];
    let mut names = Vec::new();
    for s in suite["sources"].as_array().unwrap() {
        for c in s["checks"].as_array().unwrap() {
            names.push(format!(
                "{}.{}",
                s["name"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            ));
        }
    }
    (
        names,
        suite["drift"].as_array().is_some_and(|d| !d.is_empty()),
    )
}

#[test]
fn selectors_pick_checks_and_sections() {
    let (_d, path) = temp_suite(SUITE);
    for (args, names, drift) in [
        (
            vec!["--select", "tag:critical"],
            vec![
                "f.price.null_count",
                "f.category.in_set",
                "legacy.row_count",
            ],
            false,
        ),
        (
            vec!["--select", "tag:critical", "--exclude", "source:legacy"],
            vec!["f.price.null_count", "f.category.in_set"],
            false,
        ),
        // A source's tags are its checks' and its drift's.
        (
            vec!["--select", "tag:core"],
            vec!["f.price.null_count", "f.price.max", "f.category.in_set"],
            true,
        ),
        (vec!["--check", "price.max"], vec!["f.price.max"], false),
        (
            vec!["--select", "check:legacy.row_count,drift"],
            vec!["legacy.row_count"],
            true,
        ),
        (
            vec!["--exclude", "tag:critical,drift"],
            vec!["f.price.max"],
            false,
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json", "--now", "2026-11-25T12:00:00Z"]);
        let o = run(&path, &a);
        assert!(o.code < 2, "{args:?}: {}", o.stderr);
        let (got, has_drift) = ran(&o);
        assert_eq!(got, names, "{args:?}");
        assert_eq!(has_drift, drift, "{args:?}");
    }
    let o = run(
        &path,
        &[
            "--select",
            "tag:critical",
            "--exclude",
            "source:legacy",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        json(&o)["selection"],
        serde_json::json!({"select": ["tag:critical"], "exclude": ["source:legacy"]})
    );
    let (md, html) = (path.with_file_name("r.md"), path.with_file_name("r.html"));
    let o = run(
        &path,
        &[
            "--check",
            "price.max",
            "--markdown",
            md.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(
        md.contains(" · selected: `--select check:price.max`\n"),
        "{md}"
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains(" · selected: <code>--select check:price.max</code>"),
        "no selection in the HTML"
    );
    assert!(
        o.stdout
            .contains("\nselected: --select check:price.max\nverdict: PASS — 1 check: 1 passed"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_selection_that_picks_nothing_is_an_error() {
    let (_d, path) = temp_suite(SUITE);
    let p = path.display().to_string();
    for (args, message) in [
        (
            vec!["--select", "tag:critcal"],
            format!("`--select tag:critcal` matches nothing in `{p}` (did you mean `critical`? its tags: `core`, `critical`, `pii`)"),
        ),
        (
            vec!["--select", "tag:critical", "--exclude", "source:legacyy"],
            format!("`--exclude source:legacyy` matches nothing in `{p}` (did you mean `legacy`? its sources: `f`, `legacy`)"),
        ),
        (
            vec!["--check", "nope"],
            format!("`--select check:nope` matches nothing in `{p}` (its checks: `price.null_count`, `price.max`, `category.in_set`, `row_count`)"),
        ),
        (
            vec!["--select", "diff"],
            format!("`--select diff` matches nothing in `{p}` (it has no such section)"),
        ),
        (
            vec!["--select", "tag:core", "--exclude", "tag:core"],
            "`--select tag:core --exclude tag:core` leaves nothing to run".to_string(),
        ),
        (
            vec!["--select", "sorce:f"],
            "--select: `sorce:` is not a kind of selector; did you mean `source:`?".to_string(),
        ),
        (
            vec!["--select", "critical"],
            "--select: `critical` is not a selector: write `tag:NAME`, `source:NAME`, `check:NAME`, or `diff`, `drift`, `bench`, `compare`".to_string(),
        ),
        (
            vec!["--select", "tag:"],
            "--select: `tag:` names nothing after `tag:`".to_string(),
        ),
    ] {
        let o = run(&path, &args);
        assert_eq!(o.code, 2, "{args:?}");
        assert_eq!(o.stdout, "", "{args:?}");
        assert_eq!(o.stderr, format!("error: {message}\n"), "{args:?}");
    }
}

#[test]
fn tags_that_are_not_words_are_suite_errors() {
    let (_d, path) = temp_suite(
        "version: 1\nsources:\n  f: { path: fixtures/features.parquet, tags: [\"two words\"] }\nchecks:\n  f:\n    table:\n      - row_count: { min: 1, tags: [ok, 3] }\n",
    );
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: tag \"two words\" is not a word: a tag is letters, digits, `_`, `-`, `.` and `/` (so that `--select tag:…` can name it)\n"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("error: a tag must be a string, found an integer"),
        "{}",
        o.stderr
    );
}

#[test]
fn github_annotations_point_at_the_suite_line_of_each_failed_check() {
    let (_d, path) = temp_suite(SUITE);
    let p = path.display().to_string();
    let o = run(
        &path,
        &[
            "--select",
            "source:f",
            "--annotations",
            "github",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    // stdout stays the JSON report; the commands go to stderr.
    json(&o);
    let lines: Vec<&str> = o.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        lines,
        [
            format!("::error file={p},line=9,col=11,title=verdict%3A f · price.null_count::price.null_count failed: 5 (expected <= 0); above the maximum"),
            format!("::warning file={p},line=12,col=11,title=verdict%3A f · category.in_set::category.in_set failed: 321 outside the set (expected in {{\"a\", \"b\"}}); 321 of 1000 non-null values are outside the set"),
        ]
    );
    // The JSON report carries each check's position too.
    let r = json(&o);
    assert_eq!(
        r["suites"][0]["sources"][0]["checks"][0]["at"],
        serde_json::json!({"line": 9, "col": 11})
    );
    // Under --strict a failed warning fails the gate: an error.
    let o = run(
        &path,
        &[
            "--select",
            "source:f",
            "--annotations",
            "github",
            "--strict",
        ],
    );
    assert!(
        o.stderr
            .contains(&format!("::error file={p},line=12,col=11,")),
        "{}",
        o.stderr
    );
    // A passing run annotates nothing.
    let o = run(&path, &["--check", "price.max", "--annotations", "github"]);
    assert_eq!(o.code, 0);
    assert!(!o.stderr.contains("::"), "{}", o.stderr);
}
