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

/// The `key=value` lines a step wrote to GITHUB_OUTPUT.
fn read_outputs(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The step with this id as a runner runs it: bash without profiles,
/// `-eo pipefail`.
fn step(id: &str) -> Command {
    let mut c = Command::new("bash");
    c.args([
        "--noprofile",
        "--norc",
        "-eo",
        "pipefail",
        "-c",
        &step_script(id),
    ]);
    c
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
    let out = step("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUNNER_TEMP", tmp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("SUITES", suites)
        .env("ARGS", "--now 2026-11-25T12:00:00Z")
        .env("DIR", &report_dir)
        .env("SUMMARY", "true")
        .env("FAIL", fail_on_gate)
        .env("ANNOTATIONS", "true")
        .output()
        .expect("bash runs");
    let outputs = read_outputs(&output);
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
    // Annotations on, by default: a diff gate has no line of its own and
    // is annotated on its suite file.
    assert!(
        r.stderr.contains(
            "::error file=fixtures/suites/release/diff_gates.yml,title=verdict%3A diff · "
        ),
        "{}",
        r.stderr
    );

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

/// Runs the action's `install` step for `version` on a Linux x64 runner
/// whose releases are served from `releases` (a `file://` URL).
fn run_install(version: &str, releases: &Path, arch: &str) -> (tempfile::TempDir, Ran, String) {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("github_output");
    let path_file = tmp.path().join("github_path");
    let out = step("install")
        .env("RUNNER_TEMP", tmp.path())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", arch)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", &path_file)
        .env("VERSION", version)
        .env("REPOSITORY", "owner/verdict")
        .env(
            "VERDICT_RELEASES_URL",
            format!("file://{}", releases.display()),
        )
        .output()
        .expect("bash runs");
    let outputs = read_outputs(&output);
    let ran = Ran {
        code: out.status.code().unwrap(),
        outputs,
        summary: std::fs::read_to_string(&path_file).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (tmp, ran, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A release `version` as release/build.sh lays it out: the archive of
/// the binary the tests built, and its SHA-256 (or `sha` when given).
fn release(dir: &Path, version: &str, sha: Option<&str>) {
    let name = format!("verdict-{version}-x86_64-unknown-linux-gnu");
    let stage = dir.join("stage").join(&name);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_verdict"), stage.join("verdict")).unwrap();
    let at = dir.join(version);
    std::fs::create_dir_all(&at).unwrap();
    let archive = at.join(format!("{name}.tar.gz"));
    let tar = Command::new("tar")
        .arg("-C")
        .arg(dir.join("stage"))
        .arg("-czf")
        .arg(&archive)
        .arg(&name)
        .status()
        .unwrap();
    assert!(tar.success());
    let line = match sha {
        Some(s) => format!("{s}  {name}.tar.gz\n"),
        None => {
            let out = Command::new("sha256sum")
                .arg(format!("{name}.tar.gz"))
                .current_dir(&at)
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        }
    };
    std::fs::write(at.join(format!("{name}.tar.gz.sha256")), line).unwrap();
}

#[test]
fn a_release_tag_installs_the_checked_archive() {
    let releases = tempfile::tempdir().unwrap();
    release(releases.path(), "v9.9.9", None);
    let (tmp, r, stdout) = run_install("v9.9.9", releases.path(), "X64");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.outputs["build"], "release");
    let bin = tmp.path().join("verdict/bin");
    assert_eq!(r.summary, format!("{}\n", bin.display()), "GITHUB_PATH");
    assert_eq!(
        stdout,
        format!("verdict {}\n", verdict::features::long_version())
    );
    let installed = Command::new(bin.join("verdict"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(installed.stdout, stdout.as_bytes());
}

#[test]
fn an_archive_that_fails_its_checksum_is_not_installed() {
    let releases = tempfile::tempdir().unwrap();
    let wrong = "0".repeat(64);
    release(releases.path(), "v9.9.9", Some(&wrong));
    let (tmp, r, stdout) = run_install("v9.9.9", releases.path(), "X64");
    assert_eq!(r.code, 1);
    let actual = stdout
        .rsplit_once("got ")
        .map(|(_, s)| s.trim_end_matches(")\n").to_string())
        .unwrap_or_default();
    assert_eq!(actual.len(), 64, "{stdout}");
    assert_eq!(
        stdout,
        format!("::error::verdict: verdict-v9.9.9-x86_64-unknown-linux-gnu.tar.gz does not match its checksum (expected {wrong}, got {actual})\n")
    );
    assert!(!tmp.path().join("verdict/bin/verdict").exists());
    assert_eq!(r.summary, "", "nothing added to PATH");
}

#[test]
fn a_tag_without_a_release_fails_naming_the_download() {
    let releases = tempfile::tempdir().unwrap();
    let (_t, r, stdout) = run_install("v0.0.0", releases.path(), "X64");
    assert_eq!(r.code, 1);
    assert_eq!(
        stdout,
        format!(
            "::error::verdict: cannot download file://{}/v0.0.0/verdict-v0.0.0-x86_64-unknown-linux-gnu.tar.gz (is v0.0.0 a release of owner/verdict?)\n",
            releases.path().display()
        )
    );
}

#[test]
fn branches_local_actions_and_source_build_from_source() {
    let releases = tempfile::tempdir().unwrap();
    for (version, notice) in [
        ("source", ""),
        ("main", "::notice::verdict: `main` is not a release tag; building verdict from source\n"),
        ("", "::notice::verdict: `the local action` is not a release tag; building verdict from source\n"),
    ] {
        let (_t, r, stdout) = run_install(version, releases.path(), "X64");
        assert_eq!(r.code, 0, "{version}: {}", r.stderr);
        assert_eq!(r.outputs["build"], "source", "{version}");
        assert_eq!(stdout, notice, "{version}");
    }
}

#[test]
fn a_runner_without_a_release_binary_is_told_to_build() {
    let releases = tempfile::tempdir().unwrap();
    let (_t, r, stdout) = run_install("v9.9.9", releases.path(), "ARM");
    assert_eq!(r.code, 1);
    assert_eq!(
        stdout,
        "::error::verdict: no release binary for Linux on ARM; use version: source\n"
    );
}

#[test]
fn the_build_steps_run_only_for_a_source_build() {
    let a = action();
    let steps = a["runs"]["steps"].as_sequence().expect("steps");
    let conditions: Vec<Option<&str>> = steps
        .iter()
        .map(|s| s.as_mapping_get("if").and_then(|v| v.as_str()))
        .collect();
    assert_eq!(
        conditions,
        [
            None,
            Some("steps.install.outputs.build == 'source'"),
            Some("steps.install.outputs.build == 'source'"),
            None
        ]
    );
    assert_eq!(
        a["inputs"]["version"]["default"].as_str(),
        Some("${{ github.action_ref }}")
    );
}
