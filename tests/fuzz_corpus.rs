//! Replays every committed fuzz input (`fuzz/corpus/TARGET/`, minimised by `scripts/fuzz`, and
//! `fuzz/regressions/TARGET/`, the inputs of crashes it found and that were fixed) through the
//! same harness the fuzz targets run (`fuzz/harness.rs`), so CI keeps every fix without nightly
//! Rust or libFuzzer. A panic names the input.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            found.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    found.sort();
    found
}

fn replay(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(
        !inputs.is_empty(),
        "fuzz/corpus/{target} is empty: run scripts/fuzz {target}"
    );
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!(
                "{} panicked: reproduce with `cargo +nightly fuzz run {target} {}`",
                input.display(),
                input.display()
            );
        }
    }
}

#[test]
fn policy_corpus() {
    replay("policy", harness::policy);
}

#[test]
fn snapshot_corpus() {
    replay("snapshot", harness::snapshot);
}

#[test]
fn aws_config_corpus() {
    replay("aws_config", harness::snapshot);
}

#[test]
fn snapshot_file_corpus() {
    replay("snapshot_file", harness::snapshot_file);
}

#[test]
fn terraform_plan_corpus() {
    replay("terraform_plan", harness::terraform_plan);
}

#[test]
fn waivers_corpus() {
    replay("waivers", harness::waivers);
}

#[test]
fn attestations_corpus() {
    replay("attestations", harness::attestations);
}

#[test]
fn report_corpus() {
    replay("report", harness::report);
}
