//! `attestor lint` over one broken policy per rule (fixtures/lint/RULE.yaml): the rule fires with
//! the expected message at the expected line and column, and the exit code is 2 for errors.
//! fixtures/lint/many-mistakes.yaml holds many mistakes at once, all reported in one run.

use assert_cmd::Command;
use serde_json::Value;

fn lint_json(args: &[&str]) -> (i32, Value) {
    let output = Command::cargo_bin("attestor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("lint")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "lint --format json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), json)
}

/// (rule, line, column, message) for each fixture.
const EXPECTED: &[(&str, usize, usize, &str)] = &[
    (
        "yaml-syntax",
        4,
        13,
        "invalid YAML: illegal placement of ':' indicator",
    ),
    ("unknown-key", 4, 5, "unknown key `severty` in a policy"),
    (
        "duplicate-key",
        4,
        5,
        "invalid YAML: duplicated key in mapping",
    ),
    (
        "missing-key",
        2,
        5,
        "a policy is missing required key `title`",
    ),
    (
        "wrong-type",
        10,
        15,
        "`controls.ccm-v4` must be a list of control IDs, found a string",
    ),
    ("invalid-value", 4, 15, "`urgent` is not a valid severity"),
    (
        "invalid-condition",
        9,
        7,
        "a comparison has exactly one operator",
    ),
    (
        "invalid-duration",
        8,
        15,
        "`within`: `90 days` is not a whole number of units (e.g. `90d`)",
    ),
    (
        "invalid-regex",
        8,
        16,
        "invalid regular expression: unclosed group",
    ),
    (
        "unknown-resource-type",
        5,
        15,
        "unknown resource type `AWS::RDS::DBInstanse`",
    ),
    (
        "unknown-property-path",
        7,
        13,
        "AWS::RDS::DBInstance has no property `configuration.storageEncrypt`",
    ),
    (
        "type-mismatch",
        8,
        15,
        "`configuration.storageEncrypted` is boolean, but the policy compares it with a string",
    ),
    (
        "negated-on-missing",
        10,
        19,
        "a missing `configuration.ipPermissions.ipv4Ranges` passes the check: `on-missing: fail` under `none` (line 8) becomes a pass",
    ),
    (
        "unknown-parameter",
        10,
        20,
        "policy `rds-encrypted` has no parameter `min_dayz`",
    ),
    (
        "unused-parameter",
        7,
        7,
        "parameter `min_days` is never used",
    ),
    ("unknown-control", 10, 16, "`CEK-33` is not a ccm-v4 ID"),
    (
        "loosened-default",
        7,
        42,
        "default of parameter `max_days`: 180 is looser than the guardrail maximum 90",
    ),
    (
        "unmapped-policy",
        2,
        9,
        "policy `rds-encrypted` is mapped to no control",
    ),
    (
        "duplicate-policy-id",
        11,
        9,
        "policy id `rds-encrypted` is used twice",
    ),
];

#[test]
fn each_rule_reports_its_fixture_with_location() {
    for (rule, line, column, message) in EXPECTED {
        let path = format!("fixtures/lint/{rule}.yaml");
        let (code, json) = lint_json(&[&path]);
        let found = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == *rule)
            .unwrap_or_else(|| panic!("{rule}: not reported: {json:#}"));
        assert_eq!(found["message"], *message, "{rule}");
        assert_eq!(
            (
                found["line"].as_u64().unwrap() as usize,
                found["column"].as_u64().unwrap() as usize
            ),
            (*line, *column),
            "{rule}"
        );
        assert_eq!(found["file"], path.as_str());
        let expected_exit = if found["level"] == "error" { 2 } else { 0 };
        assert_eq!(code, expected_exit, "{rule}: exit code");
    }
}

#[test]
fn every_registered_rule_has_a_fixture() {
    for rule in attestor::lint::RULES {
        assert!(
            EXPECTED.iter().any(|(code, ..)| rule.code == *code),
            "rule `{}` has no fixture in fixtures/lint and no expectation here",
            rule.code
        );
    }
}

#[test]
fn all_problems_in_one_run() {
    let (code, json) = lint_json(&["fixtures/lint"]);
    assert_eq!(code, 2);
    assert!(json["errors"].as_u64().unwrap() >= 15, "{json:#}");
}

/// One policy with a misspelt severity, parameter type and operator, an unknown resource type and an
/// unknown control, and one whose `all:` list has a bad item beside one with an unknown path: one
/// run reports every mistake once, and nothing the broken parts would make up (the parameter whose
/// type failed is not "unknown", neither policy's parameter is "unused").
#[test]
fn one_run_reports_every_mistake_of_a_policy() {
    let path = "fixtures/lint/many-mistakes.yaml";
    let (code, json) = lint_json(&[path]);
    let found: Vec<(usize, usize, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["file"], path);
            (
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize,
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (4, 15, "invalid-value"),
            (5, 15, "unknown-resource-type"),
            (7, 24, "invalid-value"),
            (11, 50, "unknown-key"),
            (13, 24, "unknown-control"),
            (22, 18, "unknown-property-path"),
            (23, 49, "invalid-regex"),
            (24, 72, "invalid-value"),
        ],
        "{json:#}"
    );
    assert_eq!(code, 2);
}

#[test]
fn suggestions_name_the_closest_key() {
    let (_, json) = lint_json(&["fixtures/lint/unknown-key.yaml"]);
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-key")
        .unwrap();
    assert_eq!(d["help"], "did you mean `severity`?");
}

#[test]
fn human_output_shows_file_line_and_snippet() {
    let output = Command::cargo_bin("attestor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(["lint", "fixtures/lint/unknown-property-path.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("fixtures/lint/unknown-property-path.yaml:7:13"),
        "{stderr}"
    );
    assert!(
        stderr.contains("path: configuration.storageEncrypt"),
        "snippet: {stderr}"
    );
    assert!(
        stderr.contains("did you mean `configuration.storageEncrypted`?"),
        "{stderr}"
    );
}

#[test]
fn negated_on_missing_points_at_the_negation_and_says_what_to_do() {
    let (_, json) = lint_json(&["fixtures/lint/negated-on-missing.yaml"]);
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "negated-on-missing")
        .unwrap();
    assert_eq!(d["level"], "warning");
    assert_eq!(
        d["help"],
        "remove `on-missing` so missing data is an error, or state the absence positively outside the negation, e.g. `any: [{path: ipv4Ranges, absent: true}, ...]`"
    );
    let output = Command::cargo_bin("attestor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(["lint", "fixtures/lint/negated-on-missing.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("missing data passes here"), "{stderr}");
    assert!(stderr.contains("negated here"), "{stderr}");
}

#[test]
fn builtin_policies_lint_clean_without_warnings() {
    let (code, json) = lint_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(json["errors"], 0, "{json:#}");
    assert_eq!(json["warnings"], 0, "{json:#}");
    let (code, json) = lint_json(&["policies"]);
    assert_eq!((code, &json["warnings"]), (0, &Value::from(0)), "{json:#}");
}

/// Every code in the output is one of the typed codes, at the level the table declares for it.
#[test]
fn every_diagnostic_has_its_codes_declared_level() {
    let (_, json) = lint_json(&["fixtures/lint"]);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        let text = d["code"].as_str().unwrap();
        let code = attestor::diagnostics::Code::ALL
            .iter()
            .find(|c| c.as_str() == text)
            .unwrap_or_else(|| panic!("`{text}` is not a declared code"));
        let level = match code.level() {
            attestor::diagnostics::Level::Error => "error",
            attestor::diagnostics::Level::Warning => "warning",
        };
        assert_eq!(d["level"], level, "{d}");
    }
}

/// A failure message may use only the documented placeholders; a misspelt one is an error at the
/// message, with a suggestion.
#[test]
fn a_message_with_an_unknown_placeholder_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.yaml");
    std::fs::write(
        &path,
        "policies:\n  - id: bucket-check\n    title: Buckets are fine\n    message: \"{resorce} is not fine\"\n    severity: low\n    resource: AWS::S3::Bucket\n    check:\n      path: configuration.name\n      exists: true\n",
    )
    .unwrap();
    let (code, json) = lint_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{json:#}");
    let text = json.to_string();
    assert!(
        text.contains("`{resorce}`, which is not a placeholder"),
        "{json:#}"
    );
    assert!(text.contains("did you mean `resource`?"), "{json:#}");
    assert!(text.contains("\"line\":4"), "{json:#}");
}
