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
