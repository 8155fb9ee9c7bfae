//! The GitHub Action (`action.yml`): its run step is executed here with
//! the environment a runner gives it (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
//! RUNNER_TEMP, the inputs as env), against the binary the tests built, so
//! the outputs a workflow reads are the ones asserted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use saphyr::{LoadableYamlNode, Yaml};

fn action() -> Yaml<'static> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml at the repository root");
    let text: &'static str = Box::leak(text.into_boxed_str());
    Yaml::load_from_str(text).expect("valid YAML").remove(0)
}

/// The shell script of the step with this id.
fn step_script(id: &str) -> String {
    let a = action();
    let steps = a["runs"]["steps"].as_sequence().expect("steps");
    let step = steps
        .iter()
        .find(|s| s.as_mapping_get("id").and_then(|v| v.as_str()) == Some(id))
        .unwrap_or_else(|| panic!("a step with id {id}"));
    step["run"].as_str().expect("a run script").to_string()
}

struct Ran {
    code: i32,
    outputs: BTreeMap<String, String>,
    summary: String,
    stderr: String,
}

/// Runs the action's `run` step for `suites` with the given inputs.
fn run_action(suites: &str, fail_on_gate: &str) -> (tempfile::TempDir, Ran) {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("verdict/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_verdict"), bin.join("verdict")).unwrap();
    let output = tmp.path().join("github_output");
    let summary = tmp.path().join("step_summary");
    let report_dir = tmp.path().join("reports");
    let out = Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            &step_script("run"),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUNNER_TEMP", tmp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("SUITES", suites)
        .env("ARGS", "--now 2026-11-25T12:00:00Z")
        .env("DIR", &report_dir)
        .env("SUMMARY", "true")
        .env("FAIL", fail_on_gate)
        .output()
        .expect("bash runs");
    let outputs = std::fs::read_to_string(&output)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ran = Ran {
        code: out.status.code().unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (tmp, ran)
}

#[test]
fn passing_example_sets_every_output() {
    let (tmp, r) = run_action("expectations/features.yml\n", "true");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.outputs["verdict"], "pass");
    assert_eq!(r.outputs["exit-code"], "0");
    let dir = tmp.path().join("reports");
    for (key, file) in [
        ("json", "verdict.json"),
        ("junit", "verdict.xml"),
        ("markdown", "verdict.md"),
        ("html", "verdict.html"),
    ] {
        assert_eq!(r.outputs[key], dir.join(file).display().to_string());
        assert!(
            dir.join(file).metadata().unwrap().len() > 0,
            "{file} written"
        );
    }
    assert!(r.summary.contains("PASS"), "{}", r.summary);
}

#[test]
fn failing_gate_fails_the_step_unless_told_not_to() {
    let (_t, r) = run_action("fixtures/suites/release/diff_gates.yml", "true");
    assert_eq!(r.code, 1);
    assert_eq!(r.outputs["verdict"], "fail");
    assert_eq!(r.outputs["exit-code"], "1");
    assert!(r.summary.contains("FAIL"), "{}", r.summary);

    let (_t, r) = run_action("fixtures/suites/release/diff_gates.yml", "false");
    assert_eq!(
        r.code, 0,
        "fail-on-gate: false leaves the decision to the workflow"
    );
    assert_eq!(r.outputs["exit-code"], "1");
}

#[test]
fn rejected_suite_is_invalid() {
    let (_t, r) = run_action("fixtures/suites/invalid/unknown_check.yml", "true");
    assert_eq!(r.code, 2);
    assert_eq!(r.outputs["verdict"], "invalid");
    assert_eq!(r.outputs["exit-code"], "2");
    assert!(r.stderr.contains("unknown check"), "{}", r.stderr);
}

#[test]
fn example_workflow_uses_the_action_on_the_bundled_suites() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/example.yml"),
    )
    .unwrap();
    assert!(text.contains("uses: ./\n"));
    for suite in ["expectations/features.yml", "expectations/release.yml"] {
        assert!(text.contains(suite), "{suite}");
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(suite).exists());
    }
}
