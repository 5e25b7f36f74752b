//! A memory regression test: a scan of a generated 50,000-item AWS Config snapshot stays under a
//! fixed peak RSS. Not a timing test (times live in BENCHMARKS.md): the ceiling is generous enough
//! never to flake, and low enough that losing the pruned loading (804 MiB here before it, 346 MiB
//! after, in a debug build) fails it.

use std::path::Path;
use std::process::Command;

/// Peak resident memory allowed for the scan, in MiB.
const CEILING_MIB: u64 = 600;

#[test]
fn a_50k_item_snapshot_scans_under_the_memory_ceiling() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("aws-config-50000.json");
    let generated = Command::new("python3")
        .arg(root.join("scripts/gen-aws-config"))
        .args(["50000", snapshot.to_str().unwrap()])
        .output()
        .expect("python3 runs the generator");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    // The child's own peak RSS, as the kernel counts it (os.wait4's ru_maxrss, in KiB).
    let measure = r"
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(p.pid, 0)
sys.stderr.write(p.stderr.read().decode()[-2000:])
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
";
    let out = Command::new("python3")
        .args(["-c", measure])
        .arg(env!("CARGO_BIN_EXE_attestor"))
        .args([
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(["--output", dir.path().join("report.json").to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let code: i32 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(-1);
    let max_kib: u64 = fields
        .next()
        .and_then(|f| f.parse().ok())
        .unwrap_or(u64::MAX);
    assert_eq!(
        code,
        1,
        "the generated account has failures: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mib = max_kib / 1024;
    assert!(
        mib <= CEILING_MIB,
        "scanning 50,000 items peaked at {mib} MiB, over the {CEILING_MIB} MiB ceiling"
    );
    let report = std::fs::metadata(dir.path().join("report.json")).unwrap();
    assert!(report.len() > 10_000_000, "a full report was written");
}
