//! Interrupting a run (a real SIGINT or SIGTERM, as Ctrl-C and `kill` send) while it writes a
//! large report: the process exits 130, and no report — whole, half-written or temporary — is
//! left in the output directory.

#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A generated AWS Config snapshot large enough that writing its reports takes a while.
fn large_snapshot(dir: &Path) -> std::path::PathBuf {
    let snapshot = dir.join("aws-config-20000.json");
    let generated = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-aws-config"))
        .args(["20000", snapshot.to_str().unwrap()])
        .output()
        .expect("python3 runs the generator");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    snapshot
}

fn interrupted_while_writing(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = large_snapshot(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_attestor"))
        .args([
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json,csv,jsonl,sarif",
            "--evidence",
            "all",
            "--output-dir",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .spawn()
        .unwrap();
    // Wait until a report is being written (its temporary file exists), then interrupt.
    let start = Instant::now();
    let writing = loop {
        let temp = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"));
        if temp {
            break true;
        }
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(120) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(writing, "the scan ended before a report was being written");
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{signal}: {status:?}");
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // Reports finished before the signal are whole (each is renamed into place complete); none is
    // half-written, and no temporary file is left.
    assert!(
        left.iter().all(|f| !f.ends_with(".tmp")),
        "{signal}: {left:?}"
    );
    for name in &left {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        if name.ends_with(".json") || name.ends_with(".sarif") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{signal}: {name} is not whole: {e}"));
        }
    }
}

#[test]
fn ctrl_c_while_writing_leaves_no_partial_report_and_exits_130() {
    interrupted_while_writing("-INT");
}

#[test]
fn sigterm_while_writing_leaves_no_partial_report_and_exits_130() {
    interrupted_while_writing("-TERM");
}
