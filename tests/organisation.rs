//! An organisation's per-account snapshots scanned as one inventory (`--snapshot` with several
//! files or directories): one report with every file's digest and each account's counts, a
//! questionnaire whose No answers name the accounts behind them, and refusals for a resource in
//! two files or snapshots of different kinds.

mod common;

use common::attestor;
use serde_json::Value;
use sha2::{Digest, Sha256};

const COMPLIANT: &str = "fixtures/compliant.snapshot.json";
const NONCOMPLIANT: &str = "fixtures/noncompliant.snapshot.json";

fn scan(snapshots: &[&str], extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["scan", "--snapshot"];
    args.extend_from_slice(snapshots);
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = attestor(&args);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

fn sha256(path: &str) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// (policy, account, resource) → status, for comparing reports.
fn statuses(report: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["policy_id"].as_str().unwrap().to_string(),
                r["account_id"].as_str().unwrap().to_string(),
                r["resource_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn several_snapshots_are_one_report_with_each_file_and_account() {
    let (code, report, stderr) = scan(&[COMPLIANT, NONCOMPLIANT], &[]);
    assert_eq!(code, 1, "{stderr}");
    let source = &report["source"];
    assert_eq!(
        source["account_ids"],
        serde_json::json!(["111111111111", "222222222222"])
    );
    assert!(
        source["path"].is_null() && source["sha256"].is_null(),
        "{source}"
    );
    let files = source["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for (file, path) in files.iter().zip([COMPLIANT, NONCOMPLIANT]) {
        assert_eq!(file["path"], path);
        assert_eq!(file["sha256"], sha256(path), "each file's digest, as read");
    }
    // Each account's results are those of its own file scanned alone.
    let (_, alone_compliant, _) = scan(&[COMPLIANT], &[]);
    let (_, alone_noncompliant, _) = scan(&[NONCOMPLIANT], &[]);
    let mut both = statuses(&alone_compliant);
    both.extend(statuses(&alone_noncompliant));
    both.sort();
    assert_eq!(statuses(&report), both);
    // Per account counts, the failing account standing out.
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["account_id"], "111111111111");
    assert_eq!(accounts[0]["summary"]["fail"], 0);
    assert!(accounts[1]["summary"]["fail"].as_u64().unwrap() > 0);
    // A single-file report has no per-account section (its shape is unchanged).
    assert!(alone_compliant.get("accounts").is_none());
    assert!(alone_compliant["source"].get("files").is_none());
}

#[test]
fn directories_are_searched_like_an_artifact_download() {
    // actions/download-artifact puts each job's artifact in a directory of its own.
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in [
        ("snapshot-111111111111", COMPLIANT),
        ("snapshot-222222222222", NONCOMPLIANT),
    ] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::copy(path, dir.path().join(name).join("snapshot.json")).unwrap();
    }
    std::fs::write(dir.path().join("README.txt"), "not a snapshot").unwrap();
    let (code, report, stderr) = scan(&[dir.path().to_str().unwrap()], &[]);
    assert_eq!(code, 1, "{stderr}");
    let (_, listed, _) = scan(&[COMPLIANT, NONCOMPLIANT], &[]);
    assert_eq!(statuses(&report), statuses(&listed));
    assert_eq!(report["source"]["files"].as_array().unwrap().len(), 2);

    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = scan(&[empty.path().to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no snapshot files"), "{stderr}");
}

#[test]
fn a_resource_in_two_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("again.json");
    std::fs::copy(NONCOMPLIANT, &again).unwrap();
    let (code, _, stderr) = scan(&[NONCOMPLIANT, again.to_str().unwrap()], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("both describe 37 resources"), "{stderr}");
    assert!(stderr.contains("one file"), "says what to do: {stderr}");
}

#[test]
fn snapshots_of_different_kinds_are_refused() {
    let (code, _, stderr) = scan(&[COMPLIANT, "fixtures/aws-config.snapshot.json"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("must be of one kind"), "{stderr}");
}

#[test]
fn a_questionnaire_answer_names_the_accounts_that_made_it_no() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _, stderr) = attestor(&[
        "scan",
        "--snapshot",
        COMPLIANT,
        NONCOMPLIANT,
        "--format",
        "json",
        "--output-dir",
        out,
        "--questionnaire",
        "caiq-lite-v4",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let markdown = std::fs::read_to_string(dir.path().join("questionnaire.md"))
        .or_else(|_| {
            let name = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.extension().is_some_and(|e| e == "md")
                        && p.to_string_lossy().contains("questionnaire")
                })
                .expect("a questionnaire in Markdown");
            std::fs::read_to_string(name)
        })
        .unwrap();
    assert!(
        markdown.contains("No because of 1 of 2 accounts: 222222222222"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("accounts: 111111111111"),
        "the compliant account never makes a No"
    );
}
