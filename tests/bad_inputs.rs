//! A table of bad inputs, each run through the binary: every one exits 2 (or, for one bad item
//! among good ones, gives its type `error` and exit 3), names the file, says where when the
//! problem has a place, and never panics.

mod common;

/// How an input reaches attestor.
#[derive(Clone, Copy, Debug)]
enum Input {
    Snapshot,
    Policy,
    Waivers,
    Report,
    Baseline,
    Plan,
    Attestations,
}

/// What must happen.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Exit 2, naming the file.
    Invalid,
    /// Exit 2, naming the file with a line and column (`file:3:7`).
    Located,
    /// One bad item among good ones: it is reported at its place and the rest is evaluated
    /// (exit 3: its type is `error`).
    Partial,
}

struct Case {
    name: String,
    input: Input,
    file: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
}

fn case(
    name: &str,
    input: Input,
    file: &'static str,
    bytes: impl Into<Vec<u8>>,
    expect: Expect,
) -> Case {
    Case {
        name: name.to_string(),
        input,
        file,
        bytes: bytes.into(),
        expect,
    }
}

fn args(input: Input, path: &str) -> Vec<String> {
    let scan = |extra: &[&str]| -> Vec<String> {
        ["scan", "--snapshot", "fixtures/compliant.snapshot.json"]
            .iter()
            .chain(extra)
            .map(ToString::to_string)
            .collect()
    };
    match input {
        Input::Snapshot => vec!["scan".into(), "--snapshot".into(), path.into()],
        Input::Policy => vec!["lint".into(), path.into()],
        Input::Waivers => vec!["lint".into(), "--waivers".into(), path.into()],
        Input::Report => vec!["report".into(), path.into()],
        Input::Baseline => scan(&["--baseline", path]),
        Input::Plan => vec!["scan".into(), "--terraform-plan".into(), path.into()],
        Input::Attestations => vec!["lint".into(), "--attestations".into(), path.into()],
    }
}

const GOOD_SNAPSHOT: &str = include_str!("../fixtures/compliant.snapshot.json");

/// The compliant snapshot with one JSON pointer's value replaced.
fn snapshot_with(pointer: &str, value: serde_json::Value) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_str(GOOD_SNAPSHOT).unwrap();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = value;
    serde_json::to_vec_pretty(&doc).unwrap()
}

const GOOD_POLICY: &str = "policies:
  - id: example-encrypted
    title: Volumes are encrypted
    severity: high
    resource: AWS::EC2::Volume
    check: {path: configuration.encrypted, equals: true}
";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn cases() -> Vec<Case> {
    use Expect::{Invalid, Located, Partial};
    use Input::*;
    use serde_json::json;
    let mut cases = vec![
        // Snapshots: not JSON, not a snapshot, broken at the byte level.
        case("empty snapshot", Snapshot, "s.json", "", Invalid),
        case("null at the top", Snapshot, "s.json", "null", Invalid),
        case("array at the top", Snapshot, "s.json", "[]", Invalid),
        case(
            "string at the top",
            Snapshot,
            "s.json",
            "\"snapshot\"",
            Invalid,
        ),
        case("number at the top", Snapshot, "s.json", "42", Invalid),
        case(
            "truncated",
            Snapshot,
            "s.json",
            &GOOD_SNAPSHOT[..GOOD_SNAPSHOT.len() / 2],
            Invalid,
        ),
        case(
            "garbage after the document",
            Snapshot,
            "s.json",
            format!("{GOOD_SNAPSHOT}}}"),
            Invalid,
        ),
        case(
            "invalid UTF-8",
            Snapshot,
            "s.json",
            b"{\"snapshotVersion\": 1, \"metadata\": {\"tool\": \"\xff\xfe\"}}".to_vec(),
            Invalid,
        ),
        case("NUL bytes", Snapshot, "s.json", "{\0}", Invalid),
        case(
            "gzip garbage",
            Snapshot,
            "s.json.gz",
            b"\x1f\x8b\x08\x00garbage, not deflate".to_vec(),
            Invalid,
        ),
        case(
            "gzip of text",
            Snapshot,
            "s.json.gz",
            gzip(b"just some text"),
            Invalid,
        ),
        case(
            "gzip truncated",
            Snapshot,
            "s.json.gz",
            gzip(GOOD_SNAPSHOT.as_bytes())[..200].to_vec(),
            Invalid,
        ),
        case(
            "100,000 levels of arrays",
            Snapshot,
            "s.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            Invalid,
        ),
        case(
            "100,000 levels of objects in metadata",
            Snapshot,
            "s.json",
            format!(
                "{{\"snapshotVersion\": 1, \"metadata\": {}1{}}}",
                "{\"a\":".repeat(100_000),
                "}".repeat(100_000)
            ),
            Invalid,
        ),
        case(
            "a huge version number",
            Snapshot,
            "s.json",
            snapshot_with("/snapshotVersion", json!(1e300)),
            Invalid,
        ),
        case(
            "version as a string",
            Snapshot,
            "s.json",
            snapshot_with("/snapshotVersion", json!("1")),
            Invalid,
        ),
        case(
            "a future version",
            Snapshot,
            "s.json",
            snapshot_with("/snapshotVersion", json!(99)),
            Invalid,
        ),
        case(
            "duplicate top-level key",
            Snapshot,
            "s.json",
            GOOD_SNAPSHOT.replacen(
                "\"snapshotVersion\": 1,",
                "\"snapshotVersion\": 1, \"snapshotVersion\": 1,",
                1,
            ),
            Invalid,
        ),
        case(
            "unknown metadata field",
            Snapshot,
            "s.json",
            GOOD_SNAPSHOT.replacen(
                "\"metadata\": {",
                "\"metadata\": {\"capturedBy\": \"me\",",
                1,
            ),
            Located,
        ),
        case(
            "configurationItems not a list",
            Snapshot,
            "s.json",
            snapshot_with("/configurationItems", json!("items")),
            Invalid,
        ),
        // One bad item among good ones: reported at its place, the rest evaluated.
        case(
            "an item's type is a number",
            Snapshot,
            "s.json",
            snapshot_with("/configurationItems/0/resourceType", json!(5)),
            Partial,
        ),
        case(
            "an item's ID is null",
            Snapshot,
            "s.json",
            snapshot_with("/configurationItems/0/resourceId", json!(null)),
            Partial,
        ),
        case(
            "an item's account is a list",
            Snapshot,
            "s.json",
            snapshot_with("/configurationItems/0/accountId", json!(["111111111111"])),
            Partial,
        ),
        case(
            "an item is a string",
            Snapshot,
            "s.json",
            snapshot_with("/configurationItems/0", json!("item")),
            Partial,
        ),
        // Policies.
        case("empty policy file", Policy, "p.yaml", "", Located),
        case(
            "tab in indentation",
            Policy,
            "p.yaml",
            format!("\t{GOOD_POLICY}"),
            Located,
        ),
        case(
            "duplicate key",
            Policy,
            "p.yaml",
            GOOD_POLICY.replace(
                "    severity: high\n",
                "    severity: high\n    severity: low\n",
            ),
            Located,
        ),
        case(
            "policies is a number",
            Policy,
            "p.yaml",
            "policies: 5\n",
            Located,
        ),
        case(
            "a policy is a number",
            Policy,
            "p.yaml",
            "policies: [5]\n",
            Located,
        ),
        case("a list at the top", Policy, "p.yaml", "- id: x\n", Located),
        case(
            "unknown key",
            Policy,
            "p.yaml",
            GOOD_POLICY.replace("severity:", "severty:"),
            Located,
        ),
        case(
            "a non-string key",
            Policy,
            "p.yaml",
            format!("{GOOD_POLICY}1: x\n"),
            Located,
        ),
        case("alias bomb", Policy, "p.yaml", alias_bomb(), Located),
        case(
            "100,000 levels of lists",
            Policy,
            "p.yaml",
            format!("policies: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
            Located,
        ),
        case(
            "invalid UTF-8 policy",
            Policy,
            "p.yaml",
            b"policies:\n  - id: \xff\n".to_vec(),
            Invalid,
        ),
        case(
            "NUL in a policy",
            Policy,
            "p.yaml",
            "policies:\n  - id: a\0b\n",
            Located,
        ),
        case(
            "a second document",
            Policy,
            "p.yaml",
            format!("{GOOD_POLICY}---\n{GOOD_POLICY}"),
            Located,
        ),
        // Waivers.
        case("empty waivers file", Waivers, "w.yaml", "", Located),
        case(
            "waivers is a string",
            Waivers,
            "w.yaml",
            "waivers: none\n",
            Located,
        ),
        case(
            "waiver without justification",
            Waivers,
            "w.yaml",
            "waivers:\n  - policy: ebs-volume-encrypted\n    resource: vol-1\n    expires: 2026-12-20\n",
            Located,
        ),
        case(
            "waiver with a bad date",
            Waivers,
            "w.yaml",
            "waivers:\n  - policy: ebs-volume-encrypted\n    resource: vol-1\n    justification: j\n    expires: 2026-02-30\n",
            Located,
        ),
        case(
            "waiver expiry as a list",
            Waivers,
            "w.yaml",
            "waivers:\n  - policy: ebs-volume-encrypted\n    resource: vol-1\n    justification: j\n    expires: [2026-12-20]\n",
            Located,
        ),
        case(
            "waiver with an unknown key",
            Waivers,
            "w.yaml",
            "waivers:\n  - policy: ebs-volume-encrypted\n    resource: vol-1\n    justification: j\n    expiry: 2026-12-20\n",
            Located,
        ),
        // Reports and baselines.
        case(
            "report that is not JSON",
            Report,
            "r.json",
            "Tool: attestor",
            Located,
        ),
        case(
            "report that is SARIF",
            Report,
            "r.json",
            "{\"version\": \"2.1.0\", \"runs\": []}",
            Invalid,
        ),
        case(
            "report truncated",
            Report,
            "r.json",
            "{\"schema_version\": 2, \"results\": [",
            Invalid,
        ),
        case("baseline that is a list", Baseline, "b.json", "[]", Invalid),
        case(
            "baseline with results of the wrong type",
            Baseline,
            "b.json",
            "{\"schema_version\": 2, \"results\": {}}",
            Invalid,
        ),
        // Terraform plans.
        case(
            "a state file, not a plan",
            Plan,
            "plan.json",
            "{\"format_version\": \"1.0\", \"terraform_version\": \"1.9.0\", \"values\": {\"root_module\": {}}}",
            Invalid,
        ),
        case(
            "plan format 2.0",
            Plan,
            "plan.json",
            "{\"format_version\": \"2.0\", \"resource_changes\": []}",
            Invalid,
        ),
        case(
            "plan truncated",
            Plan,
            "plan.json",
            "{\"format_version\": \"1.2\", \"resource_changes\": [",
            Invalid,
        ),
        case(
            "resource_changes a string",
            Plan,
            "plan.json",
            "{\"format_version\": \"1.2\", \"planned_values\": {}, \"resource_changes\": \"x\"}",
            Invalid,
        ),
        case(
            "UTF-16 BOM then garbage",
            Plan,
            "plan.json",
            b"\xff\xfe{\x00\xd8\x00".to_vec(),
            Invalid,
        ),
        case("empty plan file", Plan, "plan.json", "", Invalid),
        // Attestations.
        case(
            "empty attestations file",
            Attestations,
            "a.yaml",
            "",
            Located,
        ),
        case(
            "attestation with a bad date",
            Attestations,
            "a.yaml",
            "attestations:\n  - claim: x\n    by: Dana\n    date: soon\n    evidence: e\n    expires: 2027-01-01\n",
            Located,
        ),
    ];
    // Every policy key with a value of the wrong type.
    for (key, value) in [
        ("id", "[1]"),
        ("title", "{a: 1}"),
        ("description", "[x]"),
        ("severity", "5"),
        ("resource", "[AWS::EC2::Volume]"),
        ("level", "everywhere"),
        ("match", "5"),
        ("if-none", "maybe"),
        ("scope", "5"),
        ("check", "5"),
        ("parameters", "[1]"),
        ("controls", "5"),
        ("rationale", "[x]"),
        ("remediation", "{a: 1}"),
        ("references", "5"),
        ("aws-enforced", "[x]"),
        ("message", "[x]"),
    ] {
        let text = format!("{GOOD_POLICY}    {key}: {value}\n");
        // A key the good policy has is replaced rather than repeated.
        let text = match GOOD_POLICY
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key}:")))
        {
            Some(line) => GOOD_POLICY.replace(line, &format!("    {key}: {value}")),
            None => text,
        };
        cases.push(Case {
            name: format!("policy `{key}` of the wrong type"),
            input: Policy,
            file: "p.yaml",
            bytes: text.into_bytes(),
            expect: Located,
        });
    }
    // Every snapshot metadata field with a value of the wrong type.
    for (field, value) in [
        ("capturedAt", json!(5)),
        ("capturedAt", json!("yesterday")),
        ("tool", json!("attestor")),
        ("accountIds", json!("111111111111")),
        ("regions", json!({"eu-west-1": true})),
        ("collectionErrors", json!(1)),
        ("coverage", json!("all")),
    ] {
        cases.push(Case {
            name: format!("metadata `{field}` = {value}"),
            input: Snapshot,
            file: "s.json",
            bytes: snapshot_with(&format!("/metadata/{field}"), value),
            expect: Invalid,
        });
    }
    cases
}

/// A YAML billion-laughs: ten levels of nine aliases each.
fn alias_bomb() -> String {
    let mut text = String::from("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n");
    let mut previous = "a".to_string();
    for level in 1..=10 {
        let aliases = vec![format!("*{previous}"); 9].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
        previous = format!("l{level}");
    }
    text
}

/// `file:LINE:COLUMN` somewhere in the text.
fn located(stderr: &str, file: &str) -> bool {
    stderr.match_indices(file).any(|(i, _)| {
        let rest = &stderr[i + file.len()..];
        let mut parts = rest.splitn(3, ':');
        parts.next() == Some("")
            && parts
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

#[test]
fn every_bad_input_exits_2_naming_the_file_and_never_panics() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let sub = dir.path().join(format!("case{i}"));
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join(c.file);
        std::fs::write(&path, &c.bytes).unwrap();
        let path = path.to_str().unwrap();
        let args = args(c.input, path);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, stderr) = common::attestor(&args);
        let expected_code = if c.expect == Expect::Partial { 3 } else { 2 };
        let mut wrong = Vec::new();
        if code != expected_code {
            wrong.push(format!("exit {code}, expected {expected_code}"));
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            wrong.push("panicked".to_string());
        }
        if !stderr.contains(c.file) {
            wrong.push("does not name the file".to_string());
        }
        if matches!(c.expect, Expect::Located | Expect::Partial) && !located(&stderr, c.file) {
            wrong.push("no line and column".to_string());
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{} ({:?} {}): {}\n{}",
                c.name,
                c.input,
                c.file,
                wrong.join("; "),
                stderr.lines().take(6).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases:\n\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n\n")
    );
}

#[test]
fn a_missing_file_and_a_directory_are_named() {
    for input in [
        Input::Snapshot,
        Input::Policy,
        Input::Waivers,
        Input::Report,
        Input::Baseline,
        Input::Plan,
        Input::Attestations,
    ] {
        for path in ["does/not/exist.json", "fixtures"] {
            if matches!(input, Input::Policy) && path == "fixtures" {
                continue; // a directory of policies is a valid policy path
            }
            let args = args(input, path);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, _, stderr) = common::attestor(&args);
            assert_eq!(code, 2, "{input:?} {path}: {stderr}");
            assert!(stderr.contains(path), "{input:?} {path}: {stderr}");
            assert!(!stderr.contains("panicked"), "{input:?} {path}: {stderr}");
        }
    }
}
