//! `attestor test`: the built-in policies' own unit tests pass, every built-in policy is proven
//! pass / fail / error, and the runner reports wrong expectations and bad test files.

mod common;

use common::attestor;
use std::collections::{BTreeMap, BTreeSet};

use attestor::eval::Status;

#[test]
fn builtin_policy_tests_pass() {
    let (code, stdout, stderr) = attestor(&["test", "policies"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(" 0 not ok"), "{stdout}");
}

#[test]
fn every_builtin_policy_is_proven_pass_fail_and_error() {
    let walk =
        attestor::policy::load::walk(&[concat!(env!("CARGO_MANIFEST_DIR"), "/policies").into()]);
    assert!(walk.errors.is_empty() && !walk.policies.is_empty());
    let tests = walk.tests;
    let mut seen: BTreeMap<String, BTreeSet<Status>> = BTreeMap::new();
    for path in tests {
        let file = attestor::diagnostics::SourceFile::new(
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        );
        let (parsed, diagnostics) = attestor::policytest::parse(&file);
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:?}",
            path.display()
        );
        for case in parsed.unwrap().cases {
            for e in case.expect {
                seen.entry(e.policy.value).or_default().insert(e.status);
            }
        }
    }
    let (set, _) = attestor::policy::load::builtin();
    for policy in &set.policies {
        let statuses = seen.get(&policy.id.value).cloned().unwrap_or_default();
        for needed in [Status::Pass, Status::Fail] {
            assert!(
                statuses.contains(&needed),
                "{} has no test case expecting {needed:?}",
                policy.id.value
            );
        }
        assert!(
            statuses.contains(&Status::Error),
            "{} has no missing-data case expecting error",
            policy.id.value
        );
    }
}

#[test]
fn wrong_expectations_are_reported_with_the_actual_result() {
    let (code, stdout, _) = attestor(&[
        "test",
        "fixtures/policy-tests/policy.yaml",
        "fixtures/policy-tests/wrong-expectation.test.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "ok      fixtures/policy-tests/wrong-expectation.test.yaml:2 this case is right"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED  fixtures/policy-tests/wrong-expectation.test.yaml:6 this case expects the wrong status"), "{stdout}");
    assert!(
        stdout.contains("expected pass, got volume-encrypted on vol-2: fail"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 cases in 1 files, 1 ok, 1 not ok"),
        "{stdout}"
    );
}

#[test]
fn invalid_test_files_are_located_and_exit_2() {
    let (code, _, stderr) = attestor(&["test", "fixtures/policy-tests/invalid"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("fixtures/policy-tests/invalid/bad.test.yaml:3:5"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `resources`?"), "{stderr}");
}

#[test]
fn controls_lists_coverage_and_manual_gaps() {
    let (code, stdout, _) = attestor(&[
        "controls",
        "--framework",
        "caiq-lite-v4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 124, "every CAIQ-Lite v4 question, in order");
    assert_eq!(rows[0]["id"], "A&A-02.1");
    let cek03 = rows.iter().find(|r| r["id"] == "CEK-03.1").unwrap();
    assert!(
        cek03["policies"]
            .as_array()
            .unwrap()
            .contains(&"rds-storage-encrypted".into())
    );
    let hrs = rows
        .iter()
        .find(|r| r["id"].as_str().unwrap().starts_with("HRS-"))
        .unwrap();
    assert!(
        hrs["policies"].as_array().unwrap().is_empty(),
        "no API shows background checks"
    );
    let (_, table, _) = attestor(&["controls", "--lite"]);
    assert!(table.contains("no automated check"));
    assert!(
        table.contains("of 91 ccm-v4 entries have automated evidence"),
        "{table}"
    );
}
