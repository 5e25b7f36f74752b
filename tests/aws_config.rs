//! AWS Config data as AWS writes it (fixtures/aws-config*.json, from scripts/aws-config-fixtures.py):
//! every shape read right, absence judged against what AWS Config records, history files, and one
//! bad item that never hides the rest.

mod common;

use std::collections::BTreeSet;

use attestor::eval::compile::{Compiled, IndexKeys, compile};
use attestor::resource_schema::ResourceSchema;
use serde_json::Value;

fn scan(path: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["scan", "--snapshot", path, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = common::attestor(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}{stderr}"));
    (code, report, stderr)
}

/// (policy, resource, status, message) of every result.
fn results(report: &Value) -> Vec<(String, String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("policy_id"), s("resource_id"), s("status"), s("message"))
        })
        .collect()
}

fn status_of(report: &Value, policy: &str, resource: &str) -> String {
    results(report)
        .into_iter()
        .find(|(p, r, _, _)| p == policy && r == resource)
        .map_or_else(
            || panic!("no result for {policy} on {resource}"),
            |(_, _, status, _)| status,
        )
}

#[test]
fn an_older_security_group_shape_with_ssh_open_to_the_world_fails() {
    let (_, report, _) = scan("fixtures/aws-config.snapshot.json", &[]);
    // `ipRanges: ["0.0.0.0/0"]` only, as AWS Config recorded groups before 2017.
    assert_eq!(
        status_of(
            &report,
            "security-group-no-public-admin-ports",
            "sg-0legacy"
        ),
        "fail"
    );
    assert_eq!(
        status_of(&report, "security-group-no-public-admin-ports", "sg-0web"),
        "pass"
    );
    // A key recorded before `keySpec` existed is judged, not skipped or undecided.
    assert_eq!(
        status_of(
            &report,
            "kms-key-rotation",
            "5678efab-12ab-34cd-56ef-1234567890ab"
        ),
        "fail"
    );
}

/// The policies whose verdict needs data only attestor collects (its own types, or its fields on
/// AWS types): on AWS Config data they can never fail, only be undecided.
fn policies_needing_attestor_data() -> BTreeSet<String> {
    let (set, diagnostics) = attestor::policy::load::builtin();
    assert!(diagnostics.is_empty());
    let schema = ResourceSchema::builtin();
    set.policies
        .iter()
        .filter(|policy| {
            // A policy waiting for a stated parameter does not run, so it cannot fail either.
            let Compiled::Ready(compiled) =
                compile(policy, &Default::default(), &mut IndexKeys::default()).unwrap()
            else {
                return false;
            };
            let Some(t) = schema.get(&compiled.resource_type) else {
                return false;
            };
            (t.attestor_defined && compiled.resource_type != "*")
                || compiled.reads.iter().any(|p| t.is_attestor_only(p))
        })
        .map(|p| p.id.value.clone())
        .collect()
}

#[test]
fn no_builtin_policy_fails_on_an_aws_config_snapshot_for_data_aws_config_does_not_record() {
    // The broken account, delivered the way AWS Config would: no attestor types, no attestor
    // fields, AWS Config's field names.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/noncompliant.snapshot.json"
    ))
    .unwrap();
    let snapshot: Value = serde_json::from_str(&text).unwrap();
    let schema = ResourceSchema::builtin();
    let mut items = Vec::new();
    for item in snapshot["configurationItems"].as_array().unwrap() {
        let t = item["resourceType"].as_str().unwrap();
        let Some(type_schema) = schema.get(t) else {
            continue;
        };
        if type_schema.attestor_defined {
            continue;
        }
        let mut item = item.clone();
        let map = item.as_object_mut().unwrap();
        let account = map.remove("accountId").unwrap();
        map.insert("awsAccountId".into(), account);
        map.insert("configurationItemStatus".into(), "OK".into());
        if let Some(Value::Object(supplementary)) = map.get_mut("supplementaryConfiguration") {
            supplementary.retain(|k, _| {
                !type_schema.is_attestor_only(&format!("supplementaryConfiguration.{k}"))
            });
        }
        items.push(item);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let file = serde_json::json!({"fileVersion": "1.0", "configurationItems": items});
    std::fs::write(&path, file.to_string()).unwrap();

    let needing = policies_needing_attestor_data();
    for expected in [
        "iam-password-policy",
        "iam-root-mfa",
        "ebs-encryption-by-default",
        "cloudtrail-multi-region-logging",
        "iam-console-users-mfa",
        "iam-access-keys-rotated",
        "cloudwatch-log-retention",
    ] {
        assert!(needing.contains(expected), "{expected}: {needing:?}");
    }
    let (_, report, _) = scan(path.to_str().unwrap(), &[]);
    let all = results(&report);
    for id in &needing {
        let mine: Vec<&Value> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["policy_id"] == id.as_str())
            .collect();
        assert!(
            !mine.is_empty(),
            "{id} gave no result at all on AWS Config data"
        );
        for result in mine {
            let (resource, status, message) = (
                &result["resource_id"],
                result["status"].as_str().unwrap(),
                result["message"].as_str().unwrap(),
            );
            let t = result["resource_type"].as_str().unwrap();
            let own_type =
                schema.get(t).is_some_and(|s| s.attestor_defined) || t == "AWS::::Account";
            // A verdict may come only from data AWS Config records (KeyRotationStatus, say),
            // never from the absence of what it does not record.
            let from_unrecorded = result["evidence"].as_array().unwrap().iter().any(|e| {
                let path: String = e["path"]
                    .as_str()
                    .unwrap()
                    .split(['[', ']'])
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 0)
                    .map(|(_, s)| s)
                    .collect();
                schema.get(t).is_some_and(|s| s.is_attestor_only(&path))
            });
            if status == "fail" || status == "pass" {
                assert!(
                    !own_type && !from_unrecorded,
                    "{id} on {resource} gave {status} from data AWS Config does not record: {message}"
                );
            }
            if status == "error" {
                assert!(
                    message.contains("AWS Config") || message.contains("could not be read"),
                    "{id} on {resource}: the message must say why: {message}"
                );
            }
        }
    }
    // Everything AWS Config does record still fails where the account is broken.
    let failing: BTreeSet<&str> = all
        .iter()
        .filter(|(_, _, s, _)| s == "fail")
        .map(|(p, ..)| p.as_str())
        .collect();
    for id in [
        "rds-storage-encrypted",
        "security-group-no-public-admin-ports",
        "s3-default-encryption",
        "cloudtrail-log-file-validation",
    ] {
        assert!(failing.contains(id), "{id} should still fail: {failing:?}");
    }
}

#[test]
fn absence_is_an_error_naming_the_cause_where_aws_config_may_not_record_the_type() {
    let (code, report, _) = scan("fixtures/aws-config.snapshot.json", &[]);
    assert_eq!(code, 1);
    let all = results(&report);
    let message = |policy: &str| {
        all.iter()
            .find(|(p, ..)| p == policy)
            .map(|(_, r, s, m)| (r.clone(), s.clone(), m.clone()))
            .unwrap()
    };
    let (resource, status, text) = message("iam-password-policy");
    assert_eq!(
        (resource.as_str(), status.as_str()),
        ("444444444444", "error")
    );
    assert!(
        text.starts_with("AWS Config does not record the IAM account password policy")
            && text.contains("scan with --live or from an attestor snapshot"),
        "{text}"
    );
    let (_, status, text) = message("ebs-encryption-by-default");
    assert_eq!(status, "error", "{text}");
    let (resource, status, text) = message("elb-listener-tls12");
    assert_eq!((resource.as_str(), status.as_str()), ("*", "error"));
    assert!(text.contains("recorder may not record"), "{text}");
    // A resource AWS Config discovered but did not record is never skipped silently.
    let (resource, status, text) = message("ebs-volume-encrypted");
    assert_eq!((resource.as_str(), status.as_str()), ("*", "error"));
    assert!(
        text.contains("vol-0notrecorded") && text.contains("ResourceNotRecorded"),
        "{text}"
    );
    // A trail exists, but whether it is logging is not in AWS Config's item.
    let (_, status, text) = message("cloudtrail-multi-region-logging");
    assert_eq!(status, "error");
    assert!(
        text.contains("TrailStatus.isLogging` is not recorded by AWS Config"),
        "{text}"
    );
    // Deleted resources are not evaluated; the report says so.
    assert!(!all.iter().any(|(_, r, ..)| r == "db-DELETED00000000"));
    let notes = report["source"]["notes"].to_string();
    assert!(
        notes.contains("1 resource(s) whose newest item says they were deleted"),
        "{notes}"
    );
}

#[test]
fn recorded_types_make_absence_evidence_but_never_for_attestor_data() {
    let (_, report, _) = scan(
        "fixtures/aws-config.snapshot.json",
        &["--recorded-types", "all"],
    );
    let all = results(&report);
    assert!(
        !all.iter()
            .any(|(_, _, _, m)| m.contains("recorder may not record")),
        "with the recorder's types declared, absent types are evidence of none"
    );
    assert!(!all.iter().any(|(p, ..)| p == "elb-listener-tls12"));
    assert_eq!(
        status_of(&report, "iam-password-policy", "444444444444"),
        "error"
    );
    let (code, _, stderr) = common::attestor(&[
        "scan",
        "--snapshot",
        "fixtures/aws-config.snapshot.json",
        "--recorded-types",
        "Attestor::IAM::PasswordPolicy",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("attestor's own data"), "{stderr}");
}

#[test]
fn a_history_file_is_read_by_its_keys_and_the_newest_item_of_each_resource_wins() {
    // The item data holds the text "snapshotVersion" (a tag): the format is decided by the
    // file's top-level keys, not by searching its bytes. Capture times are epoch seconds.
    let (code, report, stderr) = scan("fixtures/aws-config/history.json", &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(report["source"]["kind"], "aws-config-snapshot");
    assert_eq!(report["source"]["captured_at"], "2025-10-31T00:00:00.25Z");
    // The newest state of db-BILLING is encrypted and private; its 2017 state was neither.
    assert_eq!(
        status_of(&report, "rds-storage-encrypted", "db-BILLING"),
        "pass"
    );
    // db-SCRATCH was deleted last: not a resource any more.
    assert!(!results(&report).iter().any(|(_, r, ..)| r == "db-SCRATCH"));
    let notes = report["source"]["notes"].to_string();
    assert!(notes.contains("2 older configuration item(s)"), "{notes}");
}

#[test]
fn api_output_a_byte_order_mark_and_base_items_load() {
    let (code, report, stderr) = scan("fixtures/aws-config/base-items.json", &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        status_of(&report, "rds-storage-encrypted", "db-BILLING"),
        "fail"
    );
    let (code, report, stderr) = scan("fixtures/aws-config/bom.json", &[]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(report["source"]["captured_at"], "2026-10-31T22:00:00Z");
}

#[test]
fn one_bad_item_never_hides_the_rest() {
    let (code, report, stderr) = scan("fixtures/aws-config/one-bad-item.json", &[]);
    assert_eq!(code, 3, "{stderr}");
    // Each bad item is reported with file, line and column, and what is wrong.
    // (miette wraps long lines, so the checks use short phrases.)
    for needle in [
        "configurationItems[4] cannot be read",
        "is missing `awsRegion`",
        "one-bad-item.json:175:5",
        "configurationItems[5] cannot be read",
        "integer `12345`",
        "one-bad-item.json:204:25",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!stderr.contains("panicked"));
    // The good items are evaluated; the bad ones make their types' policies `error`.
    assert_eq!(
        status_of(&report, "private-subnet-no-public-ip", "subnet-1priv"),
        "pass"
    );
    assert_eq!(
        status_of(&report, "private-subnet-no-public-ip", "*"),
        "error"
    );
    assert_eq!(status_of(&report, "rds-storage-encrypted", "*"), "error");
    assert_eq!(report["collection_errors"].as_array().unwrap().len(), 2);
}

#[test]
fn files_that_are_not_snapshots_are_still_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, needle) in [
        ("array.json", "[1, 2]", "not a snapshot"),
        ("other.json", r#"{"Reservations": []}"#, "not a snapshot"),
        (
            "broken.json",
            "{\"configurationItems\": [",
            "invalid snapshot",
        ),
        (
            "not-a-list.json",
            "{\"fileVersion\": \"1.0\", \"configurationItems\": 5}",
            "`configurationItems` must be a list",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, _, stderr) = common::attestor(&["scan", "--snapshot", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
    }
}
