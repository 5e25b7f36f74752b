//! The CI gate over the shipped fixtures: waivers (applied, expired, unmatched, in every format),
//! baselines (new, existing, fixed) and `--fail-on-new`'s exit codes.

mod common;

use common::attestor;
use serde_json::Value;

const WAIVERS: &str = "fixtures/waivers/noncompliant.waivers.yaml";

fn json_scan(fixture: &str, extra: &[&str]) -> (i32, Value, String) {
    let snapshot = format!("fixtures/{fixture}.snapshot.json");
    let mut args = vec!["scan", "--snapshot", &snapshot, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = attestor(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}{stderr}"));
    (code, report, stderr)
}

fn results<'r>(report: &'r Value, policy: &str) -> Vec<&'r Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["policy_id"] == policy)
        .collect()
}

#[test]
fn waivers_waive_what_they_match_until_they_expire() {
    let (_, plain, _) = json_scan("noncompliant", &[]);
    let (code, waived, stderr) = json_scan("noncompliant", &["--waivers", WAIVERS]);
    assert_eq!(code, 1, "other failures still fail the gate");
    // A glob over names: every /app/* log group's retention failure is waived, and says why.
    let logs = results(&waived, "cloudwatch-log-retention");
    assert_eq!(logs.len(), 3);
    for r in &logs {
        assert_eq!(r["status"], "waived", "{r}");
        assert_eq!(r["waiver"]["status"], "fail");
        assert_eq!(r["waiver"]["owner"], "platform-team@example.com");
        assert!(
            r["waiver"]["justification"]
                .as_str()
                .unwrap()
                .contains("SEC-118")
        );
        assert!(
            r["waiver"]["at"]
                .as_str()
                .unwrap()
                .ends_with("waivers.yaml:4:5")
        );
        assert!(
            !r["evidence"].as_array().unwrap().is_empty(),
            "evidence kept"
        );
    }
    // By ARN.
    let carol: Vec<&Value> = results(&waived, "iam-console-users-mfa")
        .into_iter()
        .filter(|r| r["resource_name"] == "carol")
        .collect();
    assert_eq!(carol[0]["status"], "waived");
    // Expired on 2026-10-31, before the capture (2026-11-01): it waives nothing.
    let volume = results(&waived, "ebs-volume-encrypted");
    assert!(
        volume
            .iter()
            .any(|r| r["resource_id"] == "vol-0bb" && r["status"] == "fail")
    );
    assert!(stderr.contains("expired on 2026-10-31"), "{stderr}");
    assert!(
        stderr.contains("matched no failing or undecided result"),
        "{stderr}"
    );
    // Counted apart; nothing disappears.
    assert_eq!(waived["summary"]["waived"], 4);
    assert_eq!(
        waived["results"].as_array().unwrap().len(),
        plain["results"].as_array().unwrap().len()
    );
    assert_eq!(
        waived["summary"]["fail"].as_u64().unwrap() + 4,
        plain["summary"]["fail"].as_u64().unwrap()
    );
    let states: Vec<(&str, &str, u64)> = waived["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["policy"].as_str().unwrap(),
                w["state"].as_str().unwrap(),
                w["matched"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("cloudwatch-log-retention", "applied", 3),
            ("iam-console-users-mfa", "applied", 1),
            ("ebs-volume-encrypted", "expired", 0),
            ("dynamodb-kms-encryption", "unmatched", 0),
        ]
    );
}

#[test]
fn an_expired_waiver_fails_the_gate_and_a_current_one_passes_it() {
    let policy = "policies/encryption/ebs-volume-encrypted.yaml";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("waivers.yaml");
    let write = |expires: &str| {
        std::fs::write(
            &file,
            format!(
                "waivers:\n  - policy: ebs-volume-encrypted\n    resource: vol-*\n    justification: scratch volumes (SEC-1)\n    expires: {expires}\n"
            ),
        )
        .unwrap();
    };
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--snapshot",
            "fixtures/noncompliant.snapshot.json",
            "--policies",
            policy,
            "--waivers",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        attestor(&args)
    };
    // Judged on the evaluation date: the capture time, or --as-of.
    write("2026-11-30");
    let (code, stdout, _) = scan(&[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("WAIVED"), "{stdout}");
    let (code, _, stderr) = scan(&["--as-of", "2026-12-01T00:00:00Z"]);
    assert_eq!(code, 1, "expired the day after its expiry");
    assert!(stderr.contains("expired-waiver"), "{stderr}");
    // A waiver more than a year ahead needs --allow-long-waivers (judged on today's date).
    write("2099-01-01");
    let (code, _, stderr) = scan(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("more than a year"), "{stderr}");
    assert_eq!(scan(&["--allow-long-waivers"]).0, 0);
}

#[test]
fn waiver_files_are_checked_by_lint_and_stop_a_scan_when_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("waivers.yaml");
    std::fs::write(
        &file,
        "waivers:\n  - policy: ebs-volume-encryptd\n    resource: vol-1\n    expires: 2026-13-01\n",
    )
    .unwrap();
    let (code, _, stderr) = attestor(&["lint", "--waivers", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    for expected in ["justification", "date like", "waivers.yaml:4"] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    let (code, _, stderr) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/noncompliant.snapshot.json",
        "--waivers",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    // An unknown policy is an error for lint (the whole set), a warning for a scan of part of it.
    std::fs::write(
        &file,
        "waivers:\n  - policy: ebs-volume-encryptd\n    resource: vol-1\n    justification: x\n    expires: 2026-12-20\n",
    )
    .unwrap();
    let (code, _, stderr) = attestor(&["lint", "--waivers", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("ebs-volume-encrypted"),
        "a suggestion: {stderr}"
    );
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--snapshot",
            "fixtures/noncompliant.snapshot.json",
            "--waivers",
            file.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        attestor(&args)
    };
    let (code, _, stderr) = scan(&[]);
    assert_eq!(code, 2, "the whole built-in set: a typo: {stderr}");
    let (code, _, stderr) = scan(&["--policies", "policies/iam"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("does not evaluate"), "{stderr}");
}

#[test]
fn a_baseline_splits_failures_into_new_existing_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    // The baseline: the IAM policies only, as a team that adopted the gate earlier.
    let baseline = common::write_iam_baseline(dir.path());
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let base_open =
        base["summary"]["fail"].as_u64().unwrap() + base["summary"]["error"].as_u64().unwrap();
    let b = baseline.to_str().unwrap();
    let (code, report, _) = json_scan("noncompliant", &["--baseline", b]);
    assert_eq!(code, 1);
    for r in report["results"].as_array().unwrap() {
        let open = r["status"] == "fail" || r["status"] == "error";
        let iam = r["policy_id"].as_str().unwrap().starts_with("iam-");
        match (open, iam) {
            (true, true) => assert_eq!(r["baseline"], "existing", "{r}"),
            (true, false) => assert_eq!(r["baseline"], "new", "{r}"),
            (false, _) => assert!(r.get("baseline").is_none(), "{r}"),
        }
    }
    assert_eq!(report["baseline"]["existing"].as_u64().unwrap(), base_open);
    assert!(report["baseline"]["fixed"].as_array().unwrap().is_empty());
    assert_eq!(code, 1);
    // --fail-on-new: the same failures fail the gate only when new.
    assert_eq!(
        json_scan("noncompliant", &["--baseline", b, "--fail-on-new"]).0,
        1
    );
    let only_iam = [
        "--policies",
        "policies/iam",
        "--baseline",
        b,
        "--fail-on-new",
    ];
    let (code, report, _) = json_scan("noncompliant", &only_iam);
    assert_eq!(code, 0, "nothing new: {}", report["baseline"]);
    // Another account's baseline: nothing there was looked at, so nothing is "fixed".
    let (code, report, _) = json_scan("compliant", &["--baseline", b, "--fail-on-new"]);
    assert_eq!(code, 0);
    assert!(report["baseline"]["fixed"].as_array().unwrap().is_empty());
    assert_eq!(
        report["baseline"]["not_evaluated"].as_u64().unwrap(),
        base_open
    );
    // A failure whose resource is gone, and one of a policy this run does not evaluate.
    let mut edited = base.clone();
    let results = edited["results"].as_array_mut().unwrap();
    let failing = results
        .iter()
        .find(|r| r["status"] == "fail")
        .unwrap()
        .clone();
    let mut gone = failing.clone();
    gone["resource_id"] = "AIDAGONE".into();
    gone["resource_name"] = "gone".into();
    let mut elsewhere = failing;
    elsewhere["policy_id"] = "a-policy-not-run".into();
    results.extend([gone, elsewhere]);
    std::fs::write(&baseline, serde_json::to_string(&edited).unwrap()).unwrap();
    let (code, report, _) = json_scan("noncompliant", &only_iam);
    assert_eq!(code, 0);
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(fixed[0]["resource_id"], "AIDAGONE");
    assert_eq!(fixed[0]["was"]["status"], "fail");
    assert_eq!(fixed[0]["was"]["resource_name"], "gone");
    assert_eq!(report["baseline"]["not_evaluated"], 1);
}

#[test]
fn a_baseline_matches_by_identity_whatever_the_order_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut base, _) = json_scan("noncompliant", &[]);
    // Reordered, pretty-printed differently, and marked as the first schema version.
    base["results"].as_array_mut().unwrap().reverse();
    base["schema_version"] = 1.into();
    let path = dir.path().join("base.json");
    std::fs::write(&path, serde_json::to_string(&base).unwrap()).unwrap();
    let (code, report, _) = json_scan(
        "noncompliant",
        &["--baseline", path.to_str().unwrap(), "--fail-on-new"],
    );
    assert_eq!(code, 0, "{}", report["baseline"]);
    assert_eq!(report["baseline"]["new"], 0);
    // A report from a newer attestor, or a file that is not a report, is refused.
    base["schema_version"] = 99.into();
    std::fs::write(&path, serde_json::to_string(&base).unwrap()).unwrap();
    let args = [
        "scan",
        "--snapshot",
        "fixtures/noncompliant.snapshot.json",
        "--baseline",
        path.to_str().unwrap(),
    ];
    let (code, _, stderr) = attestor(&args);
    assert_eq!(code, 2);
    assert!(stderr.contains("newer attestor"), "{stderr}");
    std::fs::write(&path, "{\"version\": \"2.1.0\", \"runs\": []}").unwrap();
    let (code, _, stderr) = attestor(&args);
    assert_eq!(code, 2);
    assert!(stderr.contains("base.json"), "{stderr}");
    assert_eq!(
        attestor(&[
            "scan",
            "--snapshot",
            "fixtures/noncompliant.snapshot.json",
            "--fail-on-new"
        ])
        .0,
        2,
        "--fail-on-new needs --baseline"
    );
}

#[test]
fn waived_and_new_results_show_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = common::write_iam_baseline(dir.path());
    let out = dir.path().join("out");
    let (code, _, stderr) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/noncompliant.snapshot.json",
        "--waivers",
        WAIVERS,
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "table,json,markdown,html,sarif,junit,oscal,csv,jsonl",
        "--output-dir",
        out.to_str().unwrap(),
        "--questionnaire",
        "caiq-lite-v4",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let table = read("report.txt");
    assert!(
        table.contains("WAIVED") && table.contains("SEC-118"),
        "{table}"
    );
    assert!(table.contains("new"), "{table}");
    assert!(table.contains("Compared with"), "{table}");
    let markdown = read("report.md");
    assert!(
        markdown.contains("| waived |") && markdown.contains("fail (new)"),
        "{markdown}"
    );
    assert!(markdown.contains("## Baseline and waivers"), "{markdown}");
    assert!(read("report.html").contains("waived until 2027-01-31"));
    let sarif: Value = serde_json::from_str(&read("report.sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 4);
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    assert!(results.iter().any(|r| r["baselineState"] == "new"));
    assert!(results.iter().any(|r| r["baselineState"] == "unchanged"));
    let junit = read("report.junit.xml");
    assert!(
        junit.contains("<skipped message=\"waived (fail until 2027-01-31"),
        "{junit}"
    );
    let oscal: Value = serde_json::from_str(&read("assessment-results.oscal.json")).unwrap();
    let risks = oscal["assessment-results"]["results"][0]["risks"]
        .as_array()
        .unwrap();
    assert_eq!(risks.len(), 4);
    assert!(risks.iter().all(|r| r["status"] == "deviation-approved"));
    let csv = read("report.csv");
    assert!(
        csv.lines().next().unwrap().contains(",baseline,waiver,"),
        "{csv}"
    );
    assert!(csv.contains("fail waived until 2027-01-31"), "{csv}");
    let jsonl = read("results.jsonl");
    assert_eq!(
        jsonl
            .lines()
            .filter(|l| l.contains("\"status\":\"waived\""))
            .count(),
        4
    );
    // Waived results never make a Yes: the log-retention question is No, naming the waiver.
    let q = read("questionnaire-caiq-lite-v4.csv");
    let waived_rows: Vec<&str> = q.lines().filter(|l| l.contains("waived:")).collect();
    assert!(!waived_rows.is_empty(), "{q}");
    assert!(
        waived_rows.iter().all(|l| !l.contains(",Yes,")),
        "{waived_rows:?}"
    );
}

#[test]
fn a_failure_is_existing_only_if_the_baseline_had_it_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baseline.json");
    // The baseline waived four failures; their waivers lapse: they fail the gate again.
    let (_, waived, _) = json_scan("noncompliant", &["--waivers", WAIVERS]);
    std::fs::write(&path, serde_json::to_string(&waived).unwrap()).unwrap();
    let b = path.to_str().unwrap();
    let (code, report, _) = json_scan("noncompliant", &["--baseline", b, "--fail-on-new"]);
    assert_eq!(code, 1, "{}", report["baseline"]);
    assert_eq!(report["baseline"]["new"], 4);
    // An `error` in the baseline (the data could not be read then) that is a `fail` now is new.
    let (_, mut base, _) = json_scan("noncompliant", &[]);
    let first_fail = base["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["status"] == "fail")
        .unwrap();
    first_fail["status"] = "error".into();
    let policy = first_fail["policy_id"].clone();
    std::fs::write(&path, serde_json::to_string(&base).unwrap()).unwrap();
    let (code, report, _) = json_scan("noncompliant", &["--baseline", b, "--fail-on-new"]);
    assert_eq!(code, 1);
    let new: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["baseline"] == "new")
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["policy_id"], policy);
}

#[test]
fn a_teams_own_policies_run_beside_the_builtin_ones() {
    let own = "src/cli/init/s3-bucket-owner-tags.yaml";
    let (_, builtin, _) = json_scan("compliant", &[]);
    let (_, both, _) = json_scan("compliant", &["--policies", "builtin", "--policies", own]);
    let (_, alone, _) = json_scan("compliant", &["--policies", own]);
    let count = |r: &Value| r["policies"].as_array().unwrap().len();
    assert_eq!(count(&alone), 1);
    assert_eq!(count(&both), count(&builtin) + 1);
    // Twice the built-in set is a duplicate ID, an error like any other.
    let (code, _, stderr) = attestor(&["lint", "builtin", "builtin"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("duplicate-policy-id"), "{stderr}");
}
