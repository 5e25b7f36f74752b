//! Report formats and questionnaires: every format renders, identical inputs give byte-identical
//! files, SARIF and OSCAL pass their reference validators, JUnit parses, and questionnaire answers
//! follow the evidence.

mod common;

use common::attestor;
use std::path::Path;
use std::process::Command as Process;

#[cfg(feature = "validator-tests")]
use std::path::PathBuf;

#[cfg(feature = "validator-tests")]
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ALL_FORMATS: &str = "table,json,markdown,html,sarif,junit,oscal,csv,jsonl";

/// Scans `fixture` into `dir` in `formats` (comma-separated); returns the exit code.
fn scan_into(fixture: &str, dir: &Path, formats: &str, extra: &[&str]) -> i32 {
    let snapshot = format!("fixtures/{fixture}.snapshot.json");
    let mut args = vec![
        "scan",
        "--snapshot",
        snapshot.as_str(),
        "--format",
        formats,
        "--output-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    attestor(&args).0
}

/// Scans a fixture into `dir` in every format plus the CAIQ-Lite v4 questionnaire.
fn scan_all(fixture: &str, dir: &Path, extra: &[&str]) -> i32 {
    let mut args = vec!["--questionnaire", "caiq-lite-v4"];
    args.extend_from_slice(extra);
    scan_into(fixture, dir, ALL_FORMATS, &args)
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_format_is_written_and_byte_identical_across_runs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(
        scan_all(
            "noncompliant",
            a.path(),
            &["--as-of", "2026-11-02T00:00:00Z"]
        ),
        1
    );
    assert_eq!(
        scan_all(
            "noncompliant",
            b.path(),
            &["--as-of", "2026-11-02T00:00:00Z"]
        ),
        1
    );
    let (fa, fb) = (files(a.path()), files(b.path()));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "assessment-results.oscal.json",
            "questionnaire-caiq-lite-v4.csv",
            "questionnaire-caiq-lite-v4.html",
            "questionnaire-caiq-lite-v4.md",
            "report.csv",
            "report.html",
            "report.json",
            "report.junit.xml",
            "report.md",
            "report.sarif",
            "report.txt",
            "results.jsonl",
        ]
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between identical runs");
    }
}

#[test]
fn several_formats_need_an_output_directory() {
    let (code, _, stderr) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/compliant.snapshot.json",
        "--format",
        "json,sarif",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--output-dir"), "{stderr}");
}

#[test]
fn saved_reports_re_render_without_rescanning() {
    let dir = tempfile::tempdir().unwrap();
    scan_all("noncompliant", dir.path(), &[]);
    let saved = dir.path().join("report.json");
    for (format, file) in [
        ("table", "report.txt"),
        ("sarif", "report.sarif"),
        ("markdown", "report.md"),
        ("oscal", "assessment-results.oscal.json"),
    ] {
        let (code, out, err) = attestor(&["report", saved.to_str().unwrap(), "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out,
            std::fs::read_to_string(dir.path().join(file)).unwrap(),
            "{format}"
        );
    }
    let (code, out, _) = attestor(&["report", saved.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string(&saved).unwrap(),
        "a JSON report round-trips exactly"
    );
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"schema_version\": 1,\n \"tool\": 5}").unwrap();
    let (code, _, err) = attestor(&["report", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid report") && err.contains("broken.json:2:10"),
        "{err}"
    );
}

#[test]
fn junit_parses_with_failures_and_errors_distinct() {
    let dir = tempfile::tempdir().unwrap();
    scan_all("incomplete", dir.path(), &[]);
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
print(root.get("tests"), len(cases), len(root.findall(".//failure")), len(root.findall(".//error")), len(root.findall(".//skipped")), root.get("errors"))
"#;
    let out = Process::new("python3")
        .args([
            "-c",
            script,
            dir.path().join("report.junit.xml").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fields: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let (tests, cases, failures, errors, _skipped, declared_errors) = (
        fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
    );
    assert_eq!(tests, cases);
    assert_eq!(failures, 0, "the incomplete fixture has no failures");
    assert!(errors > 0);
    assert_eq!(errors, declared_errors);
}

fn questionnaire(fixture: &str, framework: &str, extra: &[&str]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let report = json_report(fixture, dir.path(), extra);
    let (code, csv, err) = attestor(&[
        "questionnaire",
        "--report",
        &report,
        "--framework",
        framework,
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    parse_csv(&csv)
}

/// Parses CSV with Python's csv module (a reference reader, as a spreadsheet would).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.csv");
    std::fs::write(&path, text).unwrap();
    let out = Process::new("python3")
        .args(["-c", "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='')))))", path.to_str().unwrap()])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn row<'a>(rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// The value of column `name` (by the header) in the row of question `id`.
fn cell<'a>(rows: &'a [Vec<String>], id: &str, name: &str) -> &'a str {
    let column = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row(rows, id)[column]
}

#[test]
fn questionnaire_answers_follow_the_evidence() {
    let good = questionnaire("compliant", "caiq-lite-v4", &[]);
    assert_eq!(good.len(), 125, "header + 124 questions");
    assert_eq!(good[1][0], "A&A-02.1", "framework order");
    // Encryption at rest passes everywhere, but CEK-03.1 is a mixed question: the part about
    // certified libraries needs a person, so the answer waits at Partial.
    assert_eq!(cell(&good, "CEK-03.1", "question_kind"), "mixed");
    assert_eq!(cell(&good, "CEK-03.1", "answer"), "Partial");
    assert_eq!(cell(&good, "CEK-03.1", "basis"), "verified");
    assert!(cell(&good, "CEK-03.1", "evidence").contains(
        "decides: 1 of 1 AWS::RDS::DBInstance pass: RDS instances encrypt storage at rest (rds-storage-encrypted)"
    ));
    assert!(
        cell(&good, "CEK-03.1", "evidence")
            .contains("its passes are not evidence on their own: AWS enforces this setting")
    );
    assert!(cell(&good, "CEK-03.1", "scope_accounts").len() == 12);
    assert_eq!(cell(&good, "HRS-03.1", "answer"), "Manual");
    // No regions stated: the residency check does not run and the question goes to a person.
    assert_eq!(cell(&good, "DSP-19.1", "answer"), "Manual");
    assert!(cell(&good, "DSP-19.1", "evidence").contains("did not run"));
    let bad = questionnaire("noncompliant", "caiq-lite-v4", &[]);
    assert_eq!(cell(&bad, "CEK-03.1", "answer"), "No");
    assert!(
        cell(&bad, "CEK-03.1", "evidence").contains("failing: legacy-db"),
        "{}",
        cell(&bad, "CEK-03.1", "evidence")
    );
    let unknown = questionnaire("incomplete", "caiq-lite-v4", &[]);
    assert_eq!(cell(&unknown, "IAM-14.1", "answer"), "Unknown");
    let v3 = questionnaire("compliant", "caiq-lite-v3", &[]);
    assert_eq!(v3.len(), 72);
    assert_eq!(cell(&v3, "EKM-03.1", "question_kind"), "technical");
    assert_eq!(cell(&v3, "EKM-03.1", "answer"), "Yes");
    assert!(
        good.iter()
            .chain(&v3)
            .all(|r| r[0] == "question_id" || !r.contains(&"Not applicable".to_string()))
    );
    // Every row carries the evidence metadata.
    let header = &good[0];
    let sha = header.iter().position(|h| h == "source_sha256").unwrap();
    assert!(good[1..].iter().all(|r| r[sha].len() == 64));
}

#[test]
fn loosened_parameters_never_support_a_yes() {
    let rows = questionnaire(
        "compliant",
        "caiq-lite-v4",
        &[
            "--set",
            "secrets-manager-rotation.max_days=365",
            "--set",
            "kms-key-rotation.max_days=365",
        ],
    );
    assert_eq!(cell(&rows, "CEK-12.1", "answer"), "Unknown");
    assert!(
        cell(&rows, "CEK-12.1", "evidence").contains("not evidence: parameter `max_days`"),
        "{}",
        cell(&rows, "CEK-12.1", "evidence")
    );
}

/// Scans `fixture` to a JSON report in `dir` and returns its path.
fn json_report(fixture: &str, dir: &Path, extra: &[&str]) -> String {
    scan_into(fixture, dir, "json", extra);
    dir.join("report.json").to_str().unwrap().to_string()
}

#[test]
fn attestations_and_scoping_complete_answers_and_typos_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = json_report("compliant", dir.path(), &[]);
    let attestations = dir.path().join("attestations.yaml");
    std::fs::write(
        &attestations,
        "attestations:
  - question: CEK-03.1
    framework: caiq-lite-v4
    by: Dana Smith, Head of Security
    date: 2026-10-01
    evidence: docs/crypto-libraries.md
    expires: 2027-10-01
  - question: A&A-02.1
    framework: caiq-lite-v4
    by: Dana Smith, Head of Security
    date: 2025-10-01
    evidence: audits/2025-soc2.pdf
    expires: 2026-10-01
",
    )
    .unwrap();
    let scoping = dir.path().join("scoping.yaml");
    std::fs::write(
        &scoping,
        "not-applicable:
  - question: DCS-03.1
    framework: caiq-lite-v4
    justification: We run no offices or facilities; everyone works remotely.
",
    )
    .unwrap();
    let (code, csv, err) = attestor(&[
        "questionnaire",
        "--report",
        &report,
        "--framework",
        "caiq-lite-v4",
        "--format",
        "csv",
        "--attestations",
        attestations.to_str().unwrap(),
        "--scoping",
        scoping.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // The fixture was captured on 2026-11-01: the audit attestation had expired by then.
    assert!(err.contains("expired on 2026-10-01"), "{err}");
    let rows = parse_csv(&csv);
    assert_eq!(cell(&rows, "CEK-03.1", "answer"), "Yes");
    assert_eq!(cell(&rows, "CEK-03.1", "basis"), "mixed");
    assert!(cell(&rows, "CEK-03.1", "manual").contains("docs/crypto-libraries.md"));
    assert_eq!(cell(&rows, "A&A-02.1", "answer"), "Manual");
    assert!(cell(&rows, "A&A-02.1", "notes").contains("does not count"));
    assert_eq!(cell(&rows, "DCS-03.1", "answer"), "Not applicable");
    assert_eq!(cell(&rows, "DCS-03.1", "basis"), "scoped");

    // A typo in a claim ID is exit 2, located, before anything is scanned.
    let typo = dir.path().join("typo.yaml");
    std::fs::write(
        &typo,
        "attestations:\n  - {claim: c-pen-test, by: D, date: 2026-10-01, evidence: e, expires: 2027-10-01}\n",
    )
    .unwrap();
    let (code, _, err) = attestor(&[
        "scan",
        "--snapshot",
        "examples/c-bitbucket-addon-us/compliant.snapshot.json",
        "--policies",
        "examples/c-bitbucket-addon-us",
        "--format",
        "json",
        "--output-dir",
        dir.path().join("c").to_str().unwrap(),
        "--questionnaire",
        "caiq-lite-v4",
        "--attestations",
        typo.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown manual claim `c-pen-test`"), "{err}");
    assert!(err.contains("typo.yaml:2:"), "{err}");
    assert!(!dir.path().join("c").exists(), "nothing written");

    // Attestations without a questionnaire would be ignored: that is an error, not silence.
    let (code, _, err) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/compliant.snapshot.json",
        "--attestations",
        attestations.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--questionnaire"), "{err}");
}

#[test]
fn questionnaires_refuse_reports_that_lack_roles() {
    let dir = tempfile::tempdir().unwrap();
    let report = json_report("compliant", dir.path(), &[]);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    json["schema_version"] = 1.into();
    let old = dir.path().join("old.json");
    std::fs::write(&old, json.to_string()).unwrap();
    let (code, _, err) = attestor(&[
        "questionnaire",
        "--report",
        old.to_str().unwrap(),
        "--framework",
        "caiq-lite-v4",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("re-run"), "{err}");
}

#[test]
fn oscal_findings_follow_the_answer_model() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, err) = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/compliant.snapshot.json",
        "--format",
        "oscal",
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(dir.path().join("assessment-results.oscal.json"))
        .unwrap_or_else(|e| panic!("{e}: {err}"));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let findings = doc["assessment-results"]["results"][0]["findings"]
        .as_array()
        .unwrap();
    let state = |control: &str| -> (String, String) {
        let f = findings
            .iter()
            .find(|f| f["title"] == format!("CCM {control}"))
            .unwrap_or_else(|| panic!("no finding for {control}"));
        (
            f["target"]["status"]["state"].as_str().unwrap().to_string(),
            f["description"].as_str().unwrap().to_string(),
        )
    };
    // Residency was not configured: never satisfied.
    let (dsp19, why) = state("DSP-19");
    assert_eq!(dsp19, "not-satisfied", "{why}");
    assert!(why.contains("no deciding check that can fail ran"), "{why}");
    // Encryption at rest is decided by checks that can fail, and they pass.
    assert_eq!(state("CEK-03").0, "satisfied");
}

#[test]
fn html_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    scan_all("noncompliant", dir.path(), &[]);
    for name in ["questionnaire-caiq-lite-v4.html", "report.html"] {
        let html = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
            assert!(!html.contains(forbidden), "{name} contains {forbidden}");
        }
    }
    let q = std::fs::read_to_string(dir.path().join("questionnaire-caiq-lite-v4.html")).unwrap();
    assert!(q.contains("<svg") && q.contains("Cryptography, Encryption &amp; Key Management"));
}

#[cfg(feature = "validator-tests")]
fn tool(path: &str) -> PathBuf {
    let p = Path::new(ROOT).join(path);
    assert!(
        p.exists(),
        "{} is missing: run scripts/test, which installs the validators",
        p.display()
    );
    p
}

/// The CI gate's options for a scan into `dir`: the waivers fixture (applied, expired and
/// unmatched waivers) and a baseline of the IAM policies' results (so results are new and
/// existing, and waived results carry suppressions).
#[cfg(feature = "validator-tests")]
fn gate_options(dir: &Path) -> Vec<String> {
    let baseline = common::write_iam_baseline(dir);
    [
        "--waivers",
        "fixtures/waivers/noncompliant.waivers.yaml",
        "--baseline",
        baseline.to_str().unwrap(),
    ]
    .map(str::to_string)
    .to_vec()
}

#[cfg(feature = "validator-tests")]
#[test]
fn sarif_passes_the_sarif_multitool_validator() {
    for gate in [false, true] {
        sarif_validates(gate);
    }
}

#[cfg(feature = "validator-tests")]
fn sarif_validates(gate: bool) {
    let dir = tempfile::tempdir().unwrap();
    let options = if gate {
        gate_options(dir.path())
    } else {
        Vec::new()
    };
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    scan_all("noncompliant", dir.path(), &options);
    let out_file = dir.path().join("validation.sarif");
    let status = Process::new(tool(".tools/node_modules/.bin/sarif-multitool"))
        .args([
            "validate",
            "--output",
            out_file.to_str().unwrap(),
            dir.path().join("report.sarif").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    let validation: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap();
    let errors: Vec<&serde_json::Value> = validation["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "SARIF validation errors: {errors:#?}");
}

#[cfg(feature = "validator-tests")]
#[test]
fn oscal_passes_the_trestle_models() {
    for (fixture, gate) in [
        ("compliant", false),
        ("noncompliant", false),
        ("incomplete", false),
        ("noncompliant", true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let options = if gate {
            gate_options(dir.path())
        } else {
            Vec::new()
        };
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        scan_all(fixture, dir.path(), &options);
        let script = "import json, sys\nfrom trestle.oscal.assessment_results import AssessmentResults\nd = json.load(open(sys.argv[1]))\nAssessmentResults.parse_obj(d['assessment-results'])\nprint('valid')";
        let out = Process::new(tool(".venv-tools/bin/python"))
            .args([
                "-c",
                script,
                dir.path()
                    .join("assessment-results.oscal.json")
                    .to_str()
                    .unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{fixture}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn json_lines_carry_the_json_reports_results_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    scan_all("noncompliant", dir.path(), &[]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let lines = std::fs::read_to_string(dir.path().join("results.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&rows, report["results"].as_array().unwrap());
    assert!(lines.ends_with('\n') && !lines.contains("\n\n"));
}

/// Both HTML outputs (report and questionnaire), rendered in headless Chromium at 1280 px: no
/// header or short cell broken inside a word, nothing overflowing, the page no wider than the
/// window, and no request made (scripts/browser-check.cjs says what it checks).
#[cfg(feature = "validator-tests")]
#[test]
fn html_reports_lay_out_in_chromium_without_requests() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: run scripts/test, which installs Debian's chromium"
    );
    tool(".tools/node_modules/playwright-core/package.json");
    let mut pages = Vec::new();
    let dirs: Vec<tempfile::TempDir> = ["noncompliant", "compliant"]
        .iter()
        .map(|fixture| {
            let dir = tempfile::tempdir().unwrap();
            scan_all(fixture, dir.path(), &[]);
            for name in ["report.html", "questionnaire-caiq-lite-v4.html"] {
                let page = dir.path().join(name);
                assert!(page.exists(), "{}", page.display());
                pages.push(page);
            }
            dir
        })
        .collect();
    let out = Process::new("node")
        .arg(Path::new(ROOT).join("scripts/browser-check.cjs"))
        .args(&pages)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(dirs);
}
