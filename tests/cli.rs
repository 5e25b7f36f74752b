//! The `attestor` binary over the shipped fixtures: exit codes, report snapshots, determinism,
//! and located errors for bad input.

use std::io::Write as _;

mod common;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn attestor(args: &[&str]) -> Run {
    let (code, stdout, stderr) = common::attestor(args);
    Run {
        code,
        stdout,
        stderr,
    }
}

fn scan(fixture: &str, extra: &[&str]) -> Run {
    let path = format!("fixtures/{fixture}.snapshot.json");
    let mut args = vec!["scan", "--snapshot", path.as_str()];
    args.extend_from_slice(extra);
    attestor(&args)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", run.stdout, run.stderr))
}

#[test]
fn exit_codes_follow_the_results() {
    assert_eq!(scan("compliant", &[]).code, 0);
    assert_eq!(scan("noncompliant", &[]).code, 1);
    assert_eq!(scan("incomplete", &[]).code, 3);
    // Failures below --fail-on do not fail the run (the key policies are medium severity).
    assert_eq!(
        scan(
            "noncompliant",
            &["--policies", "policies/keys", "--fail-on", "high"]
        )
        .code,
        0
    );
    assert_eq!(
        scan(
            "noncompliant",
            &["--policies", "policies/keys", "--fail-on", "medium"]
        )
        .code,
        1
    );
}

#[test]
fn every_builtin_policy_passes_on_compliant_and_fails_on_noncompliant() {
    // The residency policy allows every region by default; a statement's promise narrows it.
    let eu_only = [
        "--format",
        "json",
        "--set",
        "resources-in-allowed-regions.allowed_regions=[\"eu-west-1\"]",
    ];
    let good = json(&scan("compliant", &eu_only));
    let bad = json(&scan("noncompliant", &eu_only));
    for policy in good["policies"].as_array().unwrap() {
        let id = policy["id"].as_str().unwrap();
        assert!(
            policy["summary"]["pass"].as_u64().unwrap() > 0,
            "{id} never passes on the compliant fixture"
        );
        assert_eq!(
            policy["summary"]["fail"], 0,
            "{id} fails on the compliant fixture"
        );
        assert_eq!(
            policy["summary"]["error"], 0,
            "{id} errors on the compliant fixture"
        );
    }
    for policy in bad["policies"].as_array().unwrap() {
        let id = policy["id"].as_str().unwrap();
        assert!(
            policy["summary"]["fail"].as_u64().unwrap() > 0,
            "{id} never fails on the noncompliant fixture"
        );
    }
}

#[test]
fn json_report_snapshot() {
    let run = scan("noncompliant", &["--format", "json"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("noncompliant_json", run.stdout);
}

#[test]
fn passes_keep_their_evidence_only_with_evidence_all() {
    let summary = json(&scan("noncompliant", &["--format", "json"]));
    let all = json(&scan(
        "noncompliant",
        &["--format", "json", "--evidence", "all"],
    ));
    assert_eq!(summary["evidence"], "summary");
    assert_eq!(all["evidence"], "all");
    let (summary, all) = (
        summary["results"].as_array().unwrap(),
        all["results"].as_array().unwrap(),
    );
    assert_eq!(summary.len(), all.len());
    let mut passes = 0;
    for (s, a) in summary.iter().zip(all) {
        let evidence = |r: &serde_json::Value| r["evidence"].as_array().unwrap().len();
        assert_eq!(s["message"], a["message"], "only the evidence list differs");
        if s["status"] == "pass" {
            passes += 1;
            assert_eq!(evidence(s), 0, "a summarised pass: {s}");
            assert!(
                evidence(a) > 0,
                "--evidence all keeps a pass's evidence: {a}"
            );
            // The message still says what was read.
            assert!(s["message"].as_str().unwrap().contains("expected"), "{s}");
        } else {
            assert_eq!(s["evidence"], a["evidence"], "non-passes keep everything");
        }
    }
    assert!(passes > 0);
}

#[test]
fn table_report_snapshot() {
    let run = scan("noncompliant", &[]);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no colour when piped or with NO_COLOR"
    );
    insta::assert_snapshot!("noncompliant_table", run.stdout);
}

#[test]
fn markdown_report_snapshot() {
    let run = scan("incomplete", &["--format", "markdown"]);
    assert_eq!(run.code, 3);
    insta::assert_snapshot!("incomplete_markdown", run.stdout);
}

#[test]
fn aws_config_snapshot_report() {
    let run = scan("aws-config", &["--format", "json"]);
    let report = json(&run);
    assert_eq!(report["source"]["kind"], "aws-config-snapshot");
    assert_eq!(report["source"]["captured_at"], "2026-10-31T22:00:00Z");
    // Deleted resources are not evaluated.
    assert!(!run.stdout.contains("db-DELETED"));
    let statuses: Vec<(String, String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["policy_id"].as_str().unwrap().to_string(),
                r["resource_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    insta::assert_debug_snapshot!("aws_config_statuses", statuses);
}

#[test]
fn gzipped_aws_config_snapshot_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("snapshot.json.gz");
    let plain = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/aws-config.snapshot.json"
    ))
    .unwrap();
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    encoder.write_all(&plain).unwrap();
    encoder.finish().unwrap();
    let from_gz = json(&attestor(&[
        "scan",
        "--snapshot",
        gz.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let from_plain = json(&scan("aws-config", &["--format", "json"]));
    assert_eq!(from_gz["results"], from_plain["results"]);
    assert_ne!(
        from_gz["source"]["sha256"], from_plain["source"]["sha256"],
        "hash of the file as read"
    );
}

#[test]
fn reports_are_byte_identical_across_runs() {
    for format in ["json", "table", "markdown"] {
        let first = scan(
            "noncompliant",
            &["--format", format, "--as-of", "2026-12-01T00:00:00Z"],
        );
        let second = scan(
            "noncompliant",
            &["--format", format, "--as-of", "2026-12-01T00:00:00Z"],
        );
        assert_eq!(first.stdout, second.stdout, "{format}");
    }
}

#[test]
fn as_of_sets_the_evaluation_time() {
    let report = json(&scan(
        "compliant",
        &["--format", "json", "--as-of", "2027-01-01T00:00:00Z"],
    ));
    assert_eq!(report["evaluated_at"], "2027-01-01T00:00:00Z");
    assert_eq!(report["source"]["captured_at"], "2026-11-01T00:00:00Z");
    let bad = scan("compliant", &["--as-of", "yesterday"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("--as-of `yesterday` is not an RFC 3339 time"),
        "{}",
        bad.stderr
    );
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = scan(
        "compliant",
        &["--format", "json", "--output", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["summary"]["fail"], 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn loosened_parameters_are_flagged_as_not_evidence() {
    let report = json(&scan(
        "noncompliant",
        &[
            "--format",
            "json",
            "--set",
            "secrets-manager-rotation.max_days=180",
        ],
    ));
    let policy = report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "secrets-manager-rotation")
        .unwrap();
    assert_eq!(policy["counts_as_evidence"], false);
    assert_eq!(policy["parameters"]["max_days"], 180);
    assert_eq!(
        policy["summary"]["pass"], 1,
        "the 180-day secret now passes"
    );
}

#[test]
fn bad_overrides_are_usage_errors() {
    let run = scan(
        "compliant",
        &["--set", "secrets-manager-rotation.max_dayz=10"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `max_days`?"),
        "{}",
        run.stderr
    );
    assert_eq!(scan("compliant", &["--set", "nonsense"]).code, 2);
    assert_eq!(scan("compliant", &["--set", "no-such-policy.x=1"]).code, 2);
    assert_eq!(
        scan(
            "compliant",
            &["--set", "secrets-manager-rotation.max_days=soon"]
        )
        .code,
        2
    );
}

fn write_temp(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn malformed_snapshot_json_is_located() {
    let (_dir, path) = write_temp(
        "broken.json",
        "{\n  \"snapshotVersion\": 1,\n  \"metadata\": {,\n}\n",
    );
    let run = attestor(&["scan", "--snapshot", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{path}:3:16")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn mistyped_snapshot_fields_are_located() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/compliant.snapshot.json"
    ))
    .unwrap()
    .replacen("\"accountIds\": [", "\"accountIds\": 7, \"x\": [", 1);
    let (_dir, path) = write_temp("typed.json", &text);
    let run = attestor(&["scan", "--snapshot", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("invalid type: integer `7`, expected a sequence"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("{path}:")), "{}", run.stderr);
}

#[test]
fn unknown_fields_and_non_snapshots_are_rejected() {
    let (_dir, path) = write_temp("other.json", "{\"hello\": \"world\"}");
    let run = attestor(&["scan", "--snapshot", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a snapshot"), "{}", run.stderr);
    let run = attestor(&["scan", "--snapshot", "fixtures/does-not-exist.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read snapshot"),
        "{}",
        run.stderr
    );
    let (_dir, path) = write_temp("binary.json.gz", "\u{1f}\u{8b}garbage");
    assert_eq!(attestor(&["scan", "--snapshot", &path]).code, 2);
}

#[test]
fn invalid_policies_stop_the_scan() {
    let run = scan(
        "compliant",
        &["--policies", "fixtures/lint/unknown-property-path.yaml"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "nothing evaluated");
    assert!(
        run.stderr.contains("unknown-property-path.yaml:7:13"),
        "{}",
        run.stderr
    );
    let (_dir, path) = write_temp("p.yaml", "policies: [\n");
    let run = scan("compliant", &["--policies", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("yaml-syntax"), "{}", run.stderr);
}

#[test]
fn policies_listing() {
    let run = attestor(&["policies", "--format", "json"]);
    assert_eq!(run.code, 0);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 43, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id");
    for id in [
        "iam-console-users-mfa",
        "rds-private-network",
        "elb-listener-tls12",
        "resources-in-allowed-regions",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let table = attestor(&["policies"]);
    assert!(table.stdout.contains("rds-private-network"));
    assert!(table.stdout.contains("caiq-lite-v4: IVS-03.3, IVS-06.1"));
}

#[test]
fn builtin_policies_match_the_policies_directory() {
    let from_files = attestor(&["policies", "--format", "json", "--policies", "policies"]);
    let built_in = attestor(&["policies", "--format", "json"]);
    let strip = |text: &str| -> Vec<serde_json::Value> {
        let mut list: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        for p in &mut list {
            p.as_object_mut().unwrap().remove("file");
        }
        list
    };
    assert_eq!(strip(&from_files.stdout), strip(&built_in.stdout));
}

#[test]
fn schemas_are_printed_and_committed_copies_are_current() {
    let policy = attestor(&["schema", "policy"]);
    assert_eq!(policy.code, 0);
    assert_eq!(policy.stdout, include_str!("../schemas/policy.schema.json"));
    let snapshot = attestor(&["schema", "snapshot"]);
    assert_eq!(
        snapshot.stdout,
        include_str!("../schemas/snapshot.schema.json"),
        "schemas/snapshot.schema.json is stale: run `scripts/generate`"
    );
    let resource = attestor(&["schema", "resource", "AWS::RDS::DBInstance"]);
    assert!(
        resource
            .stdout
            .contains("configuration.storageEncrypted\tboolean")
    );
    let unknown = attestor(&["schema", "resource", "AWS::RDS::DBInstanse"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("did you mean `AWS::RDS::DBInstance`?")
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(attestor(&["scan"]).code, 2);
    assert_eq!(attestor(&["frobnicate"]).code, 2);
    assert_eq!(attestor(&["--help"]).code, 0);
    assert_eq!(attestor(&["--version"]).code, 0);
    let completions = attestor(&["completions", "bash"]);
    assert_eq!(completions.code, 0);
    assert!(completions.stdout.contains("attestor"));
}

/// Runs attestor with standard output piped into a reader that closes the pipe after one line;
/// returns the exit code and standard error.
fn with_reader_closing_after_one_line(args: &[&str]) -> (i32, String) {
    use std::io::{BufRead as _, Read as _};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_attestor"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty(), "no output before the pipe closed");
    // The reader (and the pipe) are dropped here, with most of the output unread.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code().expect("exited normally, no signal"), stderr)
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // A JSON report is over 100 KB: more than a pipe holds, so the write meets the closed pipe.
    for (fixture, code) in [("compliant", 0), ("noncompliant", 1)] {
        let snapshot = format!("fixtures/{fixture}.snapshot.json");
        let (got, stderr) = with_reader_closing_after_one_line(&[
            "scan",
            "--snapshot",
            &snapshot,
            "--format",
            "json",
            "--quiet",
        ]);
        assert_eq!(
            got, code,
            "{fixture}: the results decide the exit code: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{fixture}: {stderr}");
        assert_eq!(stderr, "", "{fixture}");
    }
    let (got, stderr) = with_reader_closing_after_one_line(&["policies"]);
    assert_eq!(got, 0, "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn the_table_shows_a_bounded_number_of_rows_per_policy() {
    let run = |rows: &str| {
        attestor(&[
            "scan",
            "--snapshot",
            "fixtures/noncompliant.snapshot.json",
            "--max-rows",
            rows,
        ])
    };
    let one = run("1");
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert!(
        one.stdout
            .contains("… and 1 more fail (see --format json, or --max-rows all)"),
        "{}",
        one.stdout
    );
    assert!(
        !one.stdout.contains("sg-0wide"),
        "the second failing group is cut"
    );
    let all = run("all");
    assert!(all.stdout.contains("sg-0wide") && !all.stdout.contains("… and"));
    let none = run("0");
    assert!(none.stdout.contains("… and 2 more fail"), "{}", none.stdout);
    let bad = run("lots");
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("not a number of rows or `all`"),
        "{}",
        bad.stderr
    );
}

/// `--output /dev/null` (or a FIFO) is written in place: the atomic rename used for files would
/// replace the device itself.
#[cfg(unix)]
#[test]
fn output_to_a_device_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let run = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/compliant.snapshot.json",
        "--format",
        "json",
        "--output",
        "/dev/null",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "/dev/null is still a device"
    );
}

#[test]
fn every_scan_ends_with_a_summary_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let out = out.to_str().unwrap();
    let scan = |snapshot: &str, extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--snapshot",
            snapshot,
            "--format",
            "json",
            "--output",
            out,
        ];
        args.extend(extra);
        attestor(&args)
    };
    let run = scan("fixtures/noncompliant.snapshot.json", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the report went to the file");
    for needle in [
        "attestor: 69 results: 7 pass, 56 fail, 0 error, 6 not applicable",
        "failing by severity: 6 critical, 15 high, 32 medium, 3 low",
        "1 account(s) (222222222222)",
        &format!("wrote: {out}"),
        "exit 1: results fail at or above severity low (--fail-on)",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    let quiet = scan("fixtures/noncompliant.snapshot.json", &["--quiet"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""));
    // What could not be read is grouped by operation and cause, and exit 3 is explained.
    let run = scan("fixtures/aws-config/one-bad-item.json", &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    for needle in [
        "could not read (2 cause(s)",
        "InvalidConfigurationItem in 1 place(s)",
        "exit 3: nothing fails at or above severity low, but",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
}

#[test]
fn results_name_their_resources_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let run = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/noncompliant.snapshot.json",
        "--format",
        "json,csv,sarif,junit,oscal,markdown,html",
        "--output-dir",
        dir.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    let carol = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource_id"] == "AIDACAROL")
        .unwrap();
    assert_eq!(carol["resource_name"], "carol");
    assert_eq!(carol["arn"], "arn:aws:iam::222222222222:user/carol");
    let csv = read("report.csv");
    assert!(
        csv.starts_with("policy_id,severity,status,resource_type,resource_id,resource_name,arn,")
    );
    assert!(csv.contains("AIDACAROL,carol,arn:aws:iam::222222222222:user/carol,"));
    let sarif = read("report.sarif");
    assert!(sarif.contains(r#""name": "carol (AIDACAROL)""#), "{sarif}");
    assert!(sarif.contains(r#""fullyQualifiedName": "arn:aws:iam::222222222222:user/carol""#));
    assert!(read("report.junit.xml").contains("AWS::IAM::User carol (AIDACAROL)"));
    let oscal = read("assessment-results.oscal.json");
    assert!(oscal.contains(r#""value": "arn:aws:iam::222222222222:user/carol""#));
    assert!(read("report.md").contains("`carol (AIDACAROL)`"));
    assert!(read("report.html").contains("carol (AIDACAROL)"));
}

#[test]
fn explain_says_what_a_policy_checks_and_how_to_fix_it() {
    let run = attestor(&["explain", "iam-root-mfa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "iam-root-mfa — ",
        "severity critical",
        "How to fix a failure:",
        "Answers:",
        "caiq-lite-v4 IAM-",
    ] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
    let typo = attestor(&["explain", "iam-root-mfaa"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `iam-root-mfa`?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn closing_summary_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = attestor(&[
        "scan",
        "--snapshot",
        "fixtures/aws-config/one-bad-item.json",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // The warnings about the bad items come first; the summary is the block that ends the run.
    let summary = &run.stderr[run.stderr.find("attestor: ").unwrap()..];
    insta::assert_snapshot!(
        "closing_summary",
        summary.replace(dir.path().to_str().unwrap(), "OUT")
    );
}

/// A named pipe nobody writes is an empty input (exit 2), never a hang; one with a writer (a
/// shell's process substitution) reads as usual.
#[cfg(unix)]
#[test]
fn a_named_pipe_without_a_writer_is_empty_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("snapshot.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["scan", "--snapshot", fifo],
        vec!["lint", fifo],
        vec!["report", fifo],
        vec![
            "scan",
            "--snapshot",
            "fixtures/compliant.snapshot.json",
            "--baseline",
            fifo,
        ],
        vec![
            "scan",
            "--snapshot",
            "fixtures/compliant.snapshot.json",
            "--waivers",
            fifo,
        ],
    ] {
        let run = attestor(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("snapshot.json"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // With a writer, as a shell's process substitution sets one up before attestor starts: the
    // pipe is read whole.
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} scan --snapshot <(cat fixtures/compliant.snapshot.json) --quiet > /dev/null",
            env!("CARGO_BIN_EXE_attestor")
        ))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
