//! Helpers shared by the CLI test files.

use assert_cmd::Command;

/// Runs the attestor binary from the repository root without colour; returns (exit code, stdout,
/// stderr).
pub fn attestor(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("attestor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("exited normally, no signal"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes the baseline the gate tests compare with into `dir`: the non-compliant fixture's JSON
/// report under the IAM policies only, as a team that adopted the gate with those. Returns its
/// path.
#[allow(dead_code)] // Not every test file compares with a baseline.
pub fn write_iam_baseline(dir: &std::path::Path) -> std::path::PathBuf {
    let baseline = dir.join("baseline.json");
    let (code, _, stderr) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/noncompliant.snapshot.json",
        "--policies",
        "policies/iam",
        "--format",
        "json",
        "--output",
        baseline.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 1, "{stderr}");
    baseline
}
