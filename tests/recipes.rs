//! The organisation fan-out recipes in docs/recipes (see docs/organisations.md): the GitHub Actions
//! workflow passes actionlint and the Kubernetes manifest passes kubernetes-validate (which must
//! reject a broken copy), every shell script in them and in the guide parses, they call attestor
//! only with flags it has, and their scripts run here on the fixture snapshots: the final scan
//! joins the accounts, keeps the reports whatever the exit code, and fails naming an account whose
//! snapshot is missing.
//!
//! actionlint and kubernetes-validate come from .venv-tools (scripts/test installs them); jq,
//! which the recipes' account checks use, is the machine's. Where one is missing its test prints a
//! note and passes, except in CI (CI=true), where it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ATTESTOR: &str = env!("CARGO_BIN_EXE_attestor");
const WORKFLOW_PATH: &str = "docs/recipes/github-actions-organisation.yml";
const MANIFEST_PATH: &str = "docs/recipes/kubernetes-indexed-job.yaml";
const WORKFLOW: &str = include_str!("../docs/recipes/github-actions-organisation.yml");
const MANIFEST: &str = include_str!("../docs/recipes/kubernetes-indexed-job.yaml");
const GUIDE: &str = include_str!("../docs/organisations.md");
/// Account 111111111111, nothing failing.
const COMPLIANT: &str = "fixtures/compliant.snapshot.json";
/// Account 222222222222, failing findings.
const NONCOMPLIANT: &str = "fixtures/noncompliant.snapshot.json";
/// The oldest Kubernetes the manifest supports (backoffLimitPerIndex is GA from 1.33) and the
/// newest kubernetes-validate knows.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.33.0", "1.37.0"];
/// GitHub's runners run a `run:` script without `shell:` as `bash -e {0}`.
const ACTIONS_SHELL: [&str; 2] = ["bash", "-e"];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut command: Command) -> Run {
    let out: Output = command.output().unwrap();
    Run {
        code: out.status.code().expect("exited normally, no signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A tool the tests need is missing: a failure in CI, else a note.
fn missing(what: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{what} is missing (CI is set, so this fails instead of skipping)"
    );
    eprintln!("note: skipped: {what} is missing");
}

/// A tool scripts/test installs into .venv-tools. Missing: a failure in CI, else a note and None.
fn venv_tool(name: &str) -> Option<PathBuf> {
    let path = Path::new(ROOT).join(".venv-tools/bin").join(name);
    if path.exists() {
        return Some(path);
    }
    missing(&format!("{} (scripts/test installs it)", path.display()));
    None
}

/// jq, which the recipes' account checks run (Debian's package here, preinstalled on GitHub's
/// runners). Missing: a failure in CI, else a note and false.
fn have_jq() -> bool {
    let found = Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        missing("jq (Debian's package jq)");
    }
    found
}

fn yaml(text: &str) -> Value {
    attestor::policy::yaml::parse(text)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .to_json()
}

fn workflow() -> Value {
    yaml(WORKFLOW)
}

/// The manifest's documents, split at `---` lines (the comments before the first are skipped).
fn manifest() -> Vec<Value> {
    MANIFEST
        .split("\n---\n")
        .map(yaml)
        .filter(|doc| !doc.is_null())
        .collect()
}

fn resource<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {MANIFEST_PATH}"))
}

fn steps<'a>(workflow: &'a Value, job: &str) -> &'a [Value] {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no job {job} with steps"))
}

fn step<'a>(workflow: &'a Value, job: &str, name: &str) -> &'a Value {
    steps(workflow, job)
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step `{name}` in job {job}"))
}

/// The job's steps that use `action` (any version).
fn using<'a>(workflow: &'a Value, job: &str, action: &str) -> Vec<&'a Value> {
    steps(workflow, job)
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with(&format!("{action}@")))
        })
        .collect()
}

/// Every `run:` script of the workflow, named `job/step`.
fn workflow_scripts(workflow: &Value) -> Vec<(String, String)> {
    let mut scripts = Vec::new();
    for (job, spec) in workflow["jobs"].as_object().unwrap() {
        for (i, step) in spec["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(script) = step["run"].as_str() {
                let name = step["name"].as_str().map_or(i.to_string(), str::to_owned);
                scripts.push((format!("{job}/{name}"), script.to_owned()));
            }
        }
    }
    scripts
}

/// A container of a Job in the manifest: its command (the interpreter) and its script.
struct Container {
    name: String,
    command: Vec<String>,
    script: String,
    env: Vec<(String, String)>,
}

fn containers(docs: &[Value]) -> Vec<Container> {
    let mut out = Vec::new();
    for job in docs.iter().filter(|d| d["kind"] == "Job") {
        for c in job["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
        {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            let args = strings(&c["args"]);
            assert_eq!(args.len(), 1, "one script in args: {c}");
            out.push(Container {
                name: format!(
                    "{}/{}",
                    job["metadata"]["name"].as_str().unwrap(),
                    c["name"].as_str().unwrap()
                ),
                command: strings(&c["command"]),
                script: args[0].clone(),
                env: c["env"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|e| {
                                (
                                    e["name"].as_str().unwrap().to_owned(),
                                    e["value"].as_str().unwrap().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}

fn container<'a>(all: &'a [Container], name: &str) -> &'a Container {
    all.iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

/// The shell code blocks (```sh) of the guide.
fn guide_blocks(language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    GUIDE
        .split(&fence)
        .skip(1)
        .map(|rest| rest[..rest.find("```").expect("a closed code block")].to_owned())
        .collect()
}

/// A scratch directory for running the recipes' scripts: `work` is the current directory,
/// `bin` is first on PATH (attestor, or a stand-in), `runner` holds GitHub's output files.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["work", "bin", "runner"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::os::unix::fs::symlink(ATTESTOR, dir.path().join("bin/attestor")).unwrap();
        Sandbox { dir }
    }

    /// Replaces attestor with a stand-in that records its arguments, writes `{}` to its
    /// `--output` when FAKE_WRITE is set, and exits with FAKE_EXIT: for the snapshot scripts,
    /// which would otherwise need AWS.
    fn fake_attestor(self) -> Sandbox {
        let source = self.path("runner/fake-attestor");
        std::fs::write(
            &source,
            "#!/bin/sh\n\
             printf '%s\\n' \"$@\" > \"$FAKE_ARGS\"\n\
             out=\n\
             while [ $# -gt 0 ]; do\n\
             if [ \"$1\" = --output ]; then out=$2; shift; fi\n\
             shift\n\
             done\n\
             if [ -n \"${FAKE_WRITE:-}\" ]; then printf '{}' > \"$out\"; fi\n\
             exit \"$FAKE_EXIT\"\n",
        )
        .unwrap();
        // Installed by a child process: a file this process wrote and then executes can fail
        // with "text file busy" while another test thread forks.
        let target = self.path("bin/attestor");
        std::fs::remove_file(&target).unwrap();
        let mut install = Command::new("install");
        install.args(["-m", "755"]).arg(&source).arg(&target);
        let installed = run(install);
        assert_eq!(installed.code, 0, "{}", installed.stderr);
        self
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The stand-in attestor's arguments, if it was called.
    fn fake_args(&self) -> Option<Vec<String>> {
        std::fs::read_to_string(self.path("runner/args"))
            .ok()
            .map(|s| s.lines().map(str::to_owned).collect())
    }

    /// Runs `script` with `interpreter` in `work`, with a clean environment: PATH (bin first),
    /// HOME, NO_COLOR and `env`.
    fn run(&self, interpreter: &[&str], script: &str, env: &[(String, String)]) -> Run {
        let file = self.path("runner/script");
        std::fs::write(&file, script).unwrap();
        let mut command = Command::new(interpreter[0]);
        command
            .args(&interpreter[1..])
            .arg(&file)
            .current_dir(self.path("work"))
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    self.path("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("HOME", self.path("work"))
            .env("NO_COLOR", "1")
            .env("FAKE_ARGS", self.path("runner/args"))
            .envs(env.iter().map(|(k, v)| (k, v)));
        run(command)
    }

    /// Runs a workflow step's `run:` script as a Linux runner does, with the step's `env:`: each
    /// `${{ … }}` there must be one of `values`. Returns the run and the step's outputs.
    fn run_step(
        &self,
        step: &Value,
        values: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> (Run, Vec<(String, String)>) {
        let output = self.path("runner/output");
        std::fs::write(&output, "").unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("GITHUB_OUTPUT".into(), output.display().to_string()),
            (
                "GITHUB_STEP_SUMMARY".into(),
                self.path("runner/summary").display().to_string(),
            ),
            (
                "RUNNER_TEMP".into(),
                self.path("runner").display().to_string(),
            ),
        ];
        if let Some(map) = step["env"].as_object() {
            for (name, value) in map {
                let value = value.as_str().unwrap();
                let value = if value.contains("${{") {
                    values
                        .iter()
                        .find(|(expression, _)| *expression == value)
                        .unwrap_or_else(|| panic!("no test value for {value}"))
                        .1
                } else {
                    value
                };
                env.push((name.clone(), value.to_owned()));
            }
        }
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let script = step["run"].as_str().expect("a run: step");
        let run = self.run(&ACTIONS_SHELL, script, &env);
        let outputs = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| {
                let (k, v) = l.split_once('=').expect("name=value");
                (k.to_owned(), v.to_owned())
            })
            .collect();
        (run, outputs)
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("runner/summary")).unwrap_or_default()
    }

    fn put(&self, relative: &str, fixture: &str) {
        let to = self.path(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(ROOT).join(fixture), to).unwrap();
    }
}

// --- The GitHub Actions workflow ---

#[test]
fn workflow_passes_actionlint() {
    let Some(actionlint) = venv_tool("actionlint") else {
        return;
    };
    let mut command = Command::new(actionlint);
    command.current_dir(ROOT).args(["-no-color", WORKFLOW_PATH]);
    let lint = run(command);
    assert_eq!(
        lint.code, 0,
        "actionlint findings:\n{}{}",
        lint.stdout, lint.stderr
    );
    assert!(lint.stdout.trim().is_empty(), "{}", lint.stdout);
}

#[test]
fn workflow_snapshots_each_account_in_its_own_job_and_scans_them_together() {
    let wf = workflow();
    // One job per account, from a JSON list; one failing account cancels none of the others.
    let snapshot = &wf["jobs"]["snapshot"];
    let strategy = &snapshot["strategy"];
    assert_eq!(strategy["fail-fast"], false, "{strategy}");
    assert!(strategy["max-parallel"].as_u64().is_some_and(|n| n > 0));
    assert!(
        strategy["matrix"]["account"]
            .as_str()
            .is_some_and(|m| m.contains("fromJSON(")),
        "{strategy}"
    );
    assert_eq!(snapshot["permissions"]["id-token"], "write");
    let [credentials] = using(&wf, "snapshot", "aws-actions/configure-aws-credentials")[..] else {
        panic!("one credentials step in the snapshot job");
    };
    assert_eq!(
        credentials["with"]["role-to-assume"],
        "arn:aws:iam::${{ matrix.account }}:role/attestor-read"
    );
    assert_eq!(
        credentials["with"]["allowed-account-ids"],
        "${{ matrix.account }}"
    );
    let take = step(&wf, "snapshot", "attestor snapshot");
    assert_eq!(take["env"]["ACCOUNT"], "${{ matrix.account }}");
    assert!(
        take["run"]
            .as_str()
            .unwrap()
            .contains("attestor snapshot --all-regions --output \"snapshot-$ACCOUNT.json\""),
        "{take}"
    );
    let [upload] = using(&wf, "snapshot", "actions/upload-artifact")[..] else {
        panic!("one upload in the snapshot job");
    };
    assert_eq!(upload["with"]["name"], "snapshot-${{ matrix.account }}");
    assert_eq!(
        upload["with"]["path"],
        "snapshot-${{ matrix.account }}.json"
    );
    assert_eq!(upload["with"]["if-no-files-found"], "error");

    // The final job runs after all of them, also when some failed, and downloads every snapshot.
    let report = &wf["jobs"]["report"];
    assert!(
        report["needs"]
            .as_array()
            .unwrap()
            .contains(&"snapshot".into()),
        "{report}"
    );
    let condition = report["if"].as_str().unwrap();
    assert!(
        condition.contains("!cancelled()") || condition.contains("always()"),
        "{condition}"
    );
    let downloads = using(&wf, "report", "actions/download-artifact");
    let snapshots = downloads
        .iter()
        .find(|s| s["with"]["pattern"] == "snapshot-*")
        .expect("a download of every snapshot-* artifact");
    assert_eq!(snapshots["with"]["path"], "snapshots/");
    assert!(
        snapshots["with"]["merge-multiple"].is_null(),
        "each artifact in its own directory"
    );
    let scan = step(&wf, "report", "attestor scan")["run"]
        .as_str()
        .unwrap();
    for part in [
        "attestor scan",
        "--snapshot snapshots/",
        "--format json --format sarif --format markdown",
        "--output-dir out --questionnaire caiq-lite-v4",
    ] {
        assert!(scan.contains(part), "`{part}` not in\n{scan}");
    }
    let summary = step(&wf, "report", "Job summary")["run"].as_str().unwrap();
    assert!(
        summary.contains("out/report.md") && summary.contains("$GITHUB_STEP_SUMMARY"),
        "{summary}"
    );
    let [out] = using(&wf, "report", "actions/upload-artifact")[..] else {
        panic!("one upload in the report job");
    };
    assert_eq!(out["with"]["path"], "out/");
    // Whatever the scan's exit code, the account check, summary and upload run first.
    for name in [
        "attestor scan",
        "Every account is in the report",
        "Job summary",
        "Exit policy",
    ] {
        let condition = step(&wf, "report", name)["if"].as_str().unwrap_or_default();
        assert!(condition.contains("!cancelled()"), "{name}: {condition}");
    }
    assert!(out["if"].as_str().unwrap().contains("!cancelled()"));
    // The matrix's artifacts are what the final job downloads: `snapshot-ACCOUNT` matches
    // `snapshot-*`, and the binary shared by `prepare` does not.
    let shared = using(&wf, "prepare", "actions/upload-artifact");
    assert!(
        shared
            .iter()
            .all(|s| !s["with"]["name"].as_str().unwrap().starts_with("snapshot-"))
    );
}

#[test]
fn workflow_account_list_must_be_account_ids_as_strings() {
    if !have_jq() {
        return;
    }
    let wf = workflow();
    let list = step(&wf, "prepare", "Account list");
    let expression = "${{ inputs.accounts || vars.ATTESTOR_ACCOUNTS }}";
    let sandbox = Sandbox::new();
    let (ok, outputs) = sandbox.run_step(
        list,
        &[(expression, "[\"111111111111\", \"022222222222\"]")],
        &[],
    );
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert_eq!(
        outputs,
        [(
            "accounts".to_owned(),
            "[\"111111111111\",\"022222222222\"]".to_owned()
        )]
    );
    for bad in [
        "",
        "[]",
        "111111111111",
        "[111111111111]",
        "[\"11111111111\"]",
        "[\"111111111111\",\"111111111111\"]",
        "[\"111111111111\"",
    ] {
        let (run, outputs) = sandbox.run_step(list, &[(expression, bad)], &[]);
        assert_eq!(run.code, 1, "{bad}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("::error::"), "{bad}: {}", run.stdout);
        assert!(outputs.is_empty(), "{bad}");
    }
}

#[test]
fn workflow_snapshot_step_keeps_a_partial_snapshot_and_fails_without_one() {
    let wf = workflow();
    let take = step(&wf, "snapshot", "attestor snapshot");
    let account = [("${{ matrix.account }}", "222222222222")];
    let uploaded = using(&wf, "snapshot", "actions/upload-artifact")[0]["with"]["path"]
        .as_str()
        .unwrap()
        .replace("${{ matrix.account }}", "222222222222");
    for (exit, write, code, says) in [
        ("0", "1", 0, ""),
        ("3", "1", 0, "::warning::222222222222"),
        (
            "1",
            "",
            1,
            "::error::attestor snapshot failed for 222222222222",
        ),
        (
            "2",
            "",
            2,
            "::error::attestor snapshot failed for 222222222222",
        ),
    ] {
        let sandbox = Sandbox::new().fake_attestor();
        let (run, _) = sandbox.run_step(
            take,
            &account,
            &[("FAKE_EXIT", exit), ("FAKE_WRITE", write)],
        );
        assert_eq!(run.code, code, "exit {exit}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(says), "exit {exit}: {}", run.stdout);
        assert_eq!(
            sandbox.fake_args().unwrap(),
            ["snapshot", "--all-regions", "--output", uploaded.as_str()]
        );
        assert_eq!(sandbox.path("work").join(&uploaded).exists(), code == 0);
    }
}

/// What the report job's steps did, run here in order on the given snapshots.
struct ReportJob {
    scan_exit: String,
    check: Run,
    policy: Run,
    summary: String,
    sandbox: Sandbox,
}

/// Runs the report job's scan, account check, summary and exit policy steps, with `snapshots`
/// (account, fixture) laid out as the artifact download does and `expected` as the account list.
fn report_job(snapshots: &[(&str, &str)], expected: &str) -> ReportJob {
    let wf = workflow();
    let sandbox = Sandbox::new();
    for (account, fixture) in snapshots {
        sandbox.put(
            &format!("work/snapshots/snapshot-{account}/snapshot-{account}.json"),
            fixture,
        );
    }
    let (scan, outputs) = sandbox.run_step(step(&wf, "report", "attestor scan"), &[], &[]);
    assert_eq!(
        scan.code, 0,
        "the scan step always passes on its code: {}",
        scan.stderr
    );
    let [(name, scan_exit)] = &outputs[..] else {
        panic!("one output: {outputs:?}");
    };
    assert_eq!(name, "exit-code");
    let (check, _) = sandbox.run_step(
        step(&wf, "report", "Every account is in the report"),
        &[("${{ needs.prepare.outputs.accounts }}", expected)],
        &[],
    );
    // The summary step runs when report.md exists (its `hashFiles` condition).
    if sandbox.path("work/out/report.md").exists() {
        let (summary, _) = sandbox.run_step(step(&wf, "report", "Job summary"), &[], &[]);
        assert_eq!(summary.code, 0, "{}", summary.stderr);
    }
    let (policy, _) = sandbox.run_step(
        step(&wf, "report", "Exit policy"),
        &[("${{ steps.scan.outputs.exit-code }}", scan_exit)],
        &[],
    );
    ReportJob {
        scan_exit: scan_exit.clone(),
        check,
        policy,
        summary: sandbox.summary(),
        sandbox,
    }
}

#[test]
fn workflow_report_job_scans_every_snapshot_as_one_report() {
    if !have_jq() {
        return;
    }
    let job = report_job(
        &[("111111111111", COMPLIANT), ("222222222222", NONCOMPLIANT)],
        "[\"111111111111\",\"222222222222\"]",
    );
    assert_eq!(job.scan_exit, "1", "failing findings in 222222222222");
    assert_eq!(job.check.code, 0, "{}", job.check.stdout);
    assert!(
        job.check
            .stdout
            .contains("all 2 expected accounts are in the report")
    );
    let out = job.sandbox.path("work/out");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        report["source"]["account_ids"],
        serde_json::json!(["111111111111", "222222222222"])
    );
    assert_eq!(report["source"]["files"].as_array().unwrap().len(), 2);
    for file in ["report.sarif", "report.md"] {
        assert!(out.join(file).exists(), "{file}");
    }
    let questionnaire = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("questionnaire"))
        .count();
    assert!(questionnaire > 0, "the CAIQ-Lite questionnaire is written");
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(job.summary.contains(markdown.trim()), "{}", job.summary);
    // The reports are kept, then the findings fail the job.
    assert_eq!(job.policy.code, 1, "{}", job.policy.stdout);
    assert!(
        job.policy
            .stdout
            .contains("::error::attestor: failing findings")
    );
}

#[test]
fn workflow_report_job_fails_naming_an_account_without_a_snapshot() {
    if !have_jq() {
        return;
    }
    let job = report_job(
        &[("111111111111", COMPLIANT), ("222222222222", NONCOMPLIANT)],
        "[\"111111111111\",\"222222222222\",\"333333333333\"]",
    );
    assert_eq!(
        job.check.code, 1,
        "{}{}",
        job.check.stdout, job.check.stderr
    );
    assert!(
        job.check
            .stdout
            .contains("::error::account 333333333333 is missing from the report"),
        "{}",
        job.check.stdout
    );
    assert!(!job.check.stdout.contains("account 111111111111"));
    assert!(
        job.summary
            .starts_with("## Accounts missing from this report\n"),
        "{}",
        job.summary
    );
    assert!(
        job.summary.contains("\n- 333333333333\n"),
        "{}",
        job.summary
    );
    // The report of the others is still written and in the summary.
    assert!(job.sandbox.path("work/out/report.json").exists());
    assert!(job.summary.contains("222222222222"));

    // A clean scan with a missing account still fails: the account check is its own step.
    let job = report_job(
        &[("111111111111", COMPLIANT)],
        "[\"111111111111\",\"222222222222\"]",
    );
    assert_eq!(job.scan_exit, "0");
    assert_eq!(job.check.code, 1, "{}", job.check.stdout);
    assert!(job.check.stdout.contains("account 222222222222 is missing"));
    assert_eq!(job.policy.code, 0, "{}", job.policy.stdout);
}

#[test]
fn workflow_report_job_exit_policy_follows_the_scan() {
    if !have_jq() {
        return;
    }
    // Clean.
    let job = report_job(&[("111111111111", COMPLIANT)], "[\"111111111111\"]");
    assert_eq!(job.scan_exit, "0");
    assert_eq!(job.check.code, 0, "{}", job.check.stdout);
    assert_eq!(job.policy.code, 0, "{}", job.policy.stdout);
    // Every snapshot job failed: nothing to scan (exit 2), no report, every check fails.
    let job = report_job(&[], "[\"111111111111\"]");
    assert_eq!(job.scan_exit, "2");
    assert_eq!(job.check.code, 1);
    assert!(
        job.check.stdout.contains("no out/report.json"),
        "{}",
        job.check.stdout
    );
    assert_eq!(job.policy.code, 2, "{}", job.policy.stdout);
    assert!(job.summary.is_empty(), "{}", job.summary);
    // The same account's snapshot twice (e.g. a rerun's beside the first): refused, exit 2.
    let job = report_job(
        &[
            ("222222222222", NONCOMPLIANT),
            ("222222222222-again", NONCOMPLIANT),
        ],
        "[\"222222222222\"]",
    );
    assert_eq!(job.scan_exit, "2");
    assert_eq!(job.policy.code, 2);
    // The step did not run at all (a failed download step before it, say).
    let wf = workflow();
    let (policy, _) = Sandbox::new().run_step(
        step(&wf, "report", "Exit policy"),
        &[("${{ steps.scan.outputs.exit-code }}", "")],
        &[],
    );
    assert_eq!(policy.code, 1, "{}", policy.stdout);
}

// --- The Kubernetes manifest ---

#[test]
fn manifest_passes_kubernetes_validate() {
    let Some(validate) = venv_tool("kubernetes-validate") else {
        return;
    };
    let mut command = Command::new(validate);
    command.current_dir(ROOT).arg("--strict");
    for version in KUBERNETES_VERSIONS {
        command.args(["-k", version]);
    }
    command.arg(MANIFEST_PATH);
    let check = run(command);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // A kind or apiVersion it has no schema for only warns and passes: none may be left unchecked.
    assert!(
        !check.stdout.contains("WARN") && !check.stdout.contains("ERROR"),
        "{}",
        check.stdout
    );
    let docs = manifest();
    assert_eq!(docs.len(), 5);
    for doc in &docs {
        let id = format!(
            "{}/{}",
            doc["kind"].as_str().unwrap().to_lowercase(),
            doc["metadata"]["name"].as_str().unwrap()
        );
        for version in KUBERNETES_VERSIONS {
            let minor = &version[..version.rfind('.').unwrap()];
            let line = format!("passed for resource {id} against version {minor}");
            assert!(
                check.stdout.contains(&line),
                "`{line}` not in\n{}",
                check.stdout
            );
        }
    }
}

#[test]
fn kubernetes_validate_rejects_a_broken_manifest() {
    let Some(validate) = venv_tool("kubernetes-validate") else {
        return;
    };
    // Each breaks the snapshot Job once. (The schemas do not list completionMode's values, so
    // `completionMode: Sometimes` would pass; the structure test below checks that value.)
    for (from, to, error) in [
        (
            "  completions: 3 #",
            "  completions: three #",
            "spec.completions: 'three' is not of type 'integer'",
        ),
        (
            "  parallelism: 2 #",
            "  paralelism: 2 #",
            "'paralelism' was unexpected",
        ),
        (
            "  activeDeadlineSeconds: 14400 #",
            "  activeDeadlineSeconds: 4h #",
            "spec.activeDeadlineSeconds: '4h' is not of type 'integer'",
        ),
    ] {
        assert_eq!(MANIFEST.matches(from).count(), 1, "{from}");
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.yaml");
        std::fs::write(&broken, MANIFEST.replace(from, to)).unwrap();
        let mut command = Command::new(&validate);
        command
            .args(["--strict", "-k", KUBERNETES_VERSIONS[0]])
            .arg(&broken);
        let check = run(command);
        assert_eq!(
            check.code, 1,
            "accepted `{to}`:\n{}{}",
            check.stdout, check.stderr
        );
        assert!(
            check
                .stdout
                .contains("did not validate for resource job/attestor-snapshot")
                && check.stdout.contains(error),
            "`{error}` not in\n{}",
            check.stdout
        );
    }
}

#[test]
fn manifest_runs_one_pod_per_account_then_one_scan() {
    let docs = manifest();
    let account = resource(&docs, "ServiceAccount", "attestor");
    assert!(
        account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
            .as_str()
            .is_some_and(
                |arn| arn.starts_with("arn:aws:iam::") && arn.ends_with(":role/attestor-hub")
            ),
        "{account}"
    );
    let accounts = resource(&docs, "ConfigMap", "attestor-accounts")["data"]["accounts.txt"]
        .as_str()
        .unwrap();
    let ids: Vec<&str> = accounts.lines().collect();
    assert!(
        ids.iter()
            .all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())),
        "{ids:?}"
    );
    let claim = resource(&docs, "PersistentVolumeClaim", "attestor-data");
    assert_eq!(
        claim["spec"]["accessModes"],
        serde_json::json!(["ReadWriteMany"])
    );

    let snapshot = &resource(&docs, "Job", "attestor-snapshot")["spec"];
    assert_eq!(snapshot["completionMode"], "Indexed");
    assert_eq!(
        snapshot["completions"],
        ids.len(),
        "one completion per account"
    );
    assert!(snapshot["parallelism"].as_u64().is_some_and(|p| p >= 1));
    assert!(snapshot["backoffLimitPerIndex"].as_u64().is_some());
    assert_eq!(
        snapshot["template"]["spec"]["serviceAccountName"],
        "attestor"
    );
    let scan = &resource(&docs, "Job", "attestor-scan")["spec"];
    assert_eq!(scan["suspend"], true, "waits until the snapshots are taken");
    assert_eq!(scan["backoffLimit"], 0);
    for job in [snapshot, scan] {
        let pod = &job["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        let volumes = pod["volumes"].as_array().unwrap();
        assert!(
            volumes
                .iter()
                .any(|v| v["persistentVolumeClaim"]["claimName"] == "attestor-data")
        );
        assert!(
            volumes
                .iter()
                .any(|v| v["configMap"]["name"] == "attestor-accounts")
        );
        for c in pod["containers"].as_array().unwrap() {
            for bound in ["requests", "limits"] {
                for what in ["cpu", "memory"] {
                    assert!(
                        c["resources"][bound][what].is_string(),
                        "{bound}.{what}: {c}"
                    );
                }
            }
        }
    }
    // Both read and write the same directory; the reports go beside it, not into it (the scan
    // searches it for .json files, and report.json is not a snapshot).
    let all = containers(&docs);
    let env = |c: &Container, name: &str| {
        c.env
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{}: no {name}", c.name))
            .1
            .clone()
    };
    let taker = container(&all, "attestor-snapshot/snapshot");
    let scanner = container(&all, "attestor-scan/scan");
    let snapshots = env(taker, "SNAPSHOTS");
    assert_eq!(env(scanner, "SNAPSHOTS"), snapshots);
    assert!(!env(scanner, "OUT").starts_with(&format!("{snapshots}/")));
    assert!(taker.script.contains("JOB_COMPLETION_INDEX"));
    assert!(scanner.script.contains("--questionnaire caiq-lite-v4"));
}

/// The snapshot pod's environment, with the paths in a sandbox and what EKS injects.
fn snapshot_pod_env(sandbox: &Sandbox, index: &str) -> Vec<(String, String)> {
    let docs = manifest();
    let all = containers(&docs);
    let taker = container(&all, "attestor-snapshot/snapshot");
    let accounts = resource(&docs, "ConfigMap", "attestor-accounts")["data"]["accounts.txt"]
        .as_str()
        .unwrap();
    std::fs::write(sandbox.path("accounts.txt"), accounts).unwrap();
    let mut env: Vec<(String, String)> = taker.env.clone();
    for (name, value) in &mut env {
        match name.as_str() {
            "ACCOUNTS_FILE" => *value = sandbox.path("accounts.txt").display().to_string(),
            "SNAPSHOTS" => *value = sandbox.path("data/snapshots").display().to_string(),
            "AWS_CONFIG_FILE" => *value = sandbox.path("tmp/aws/config").display().to_string(),
            _ => {}
        }
    }
    for (name, value) in [
        ("JOB_COMPLETION_INDEX", index),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::999999999999:role/attestor-hub",
        ),
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        ),
        ("AWS_REGION", "eu-west-1"),
    ] {
        env.push((name.into(), value.into()));
    }
    env
}

fn run_snapshot_pod(sandbox: &Sandbox, index: &str, exit: &str, write: bool) -> Run {
    let all = containers(&manifest());
    let taker = container(&all, "attestor-snapshot/snapshot");
    let mut env = snapshot_pod_env(sandbox, index);
    env.push(("FAKE_EXIT".into(), exit.into()));
    env.push(("FAKE_WRITE".into(), if write { "1" } else { "" }.into()));
    let interpreter = [taker.command[0].as_str(), taker.command[1].as_str()];
    assert_eq!(interpreter, ["/bin/sh", "-c"]);
    // The script is given to `sh` as a file here; in the pod, `sh -c` gets it as an argument.
    sandbox.run(&["/bin/sh"], &taker.script, &env)
}

#[test]
fn snapshot_pod_reads_its_own_account_through_the_hub_role() {
    let sandbox = Sandbox::new().fake_attestor();
    let pod = run_snapshot_pod(&sandbox, "1", "0", true);
    assert_eq!(pod.code, 0, "{}{}", pod.stdout, pod.stderr);
    let snapshot = sandbox.path("data/snapshots/222222222222.json");
    assert!(snapshot.exists(), "line 2 of accounts.txt for index 1");
    assert_eq!(
        sandbox.fake_args().unwrap(),
        [
            "snapshot",
            "--profile",
            "member",
            "--all-regions",
            "--output",
            snapshot.to_str().unwrap()
        ]
    );
    // The AWS SDK assumes the member role from the hub role's web identity, by these profiles.
    let config = std::fs::read_to_string(sandbox.path("tmp/aws/config")).unwrap();
    assert_eq!(
        config,
        "[profile hub]\n\
         role_arn = arn:aws:iam::999999999999:role/attestor-hub\n\
         web_identity_token_file = /var/run/secrets/eks.amazonaws.com/serviceaccount/token\n\
         \n\
         [profile member]\n\
         source_profile = hub\n\
         role_arn = arn:aws:iam::222222222222:role/attestor-read\n\
         role_session_name = attestor-222222222222\n\
         region = eu-west-1\n"
    );

    // Some calls failed: the snapshot is kept and the pod succeeds.
    let sandbox = Sandbox::new().fake_attestor();
    let pod = run_snapshot_pod(&sandbox, "0", "3", true);
    assert_eq!(pod.code, 0, "{}{}", pod.stdout, pod.stderr);
    assert!(pod.stderr.contains("some AWS calls failed in 111111111111"));
    assert!(sandbox.path("data/snapshots/111111111111.json").exists());
}

#[test]
fn snapshot_pod_never_leaves_an_old_snapshot_for_a_failed_account() {
    let sandbox = Sandbox::new().fake_attestor();
    sandbox.put("data/snapshots/333333333333.json", COMPLIANT);
    let pod = run_snapshot_pod(&sandbox, "2", "1", false);
    assert_eq!(pod.code, 1, "{}{}", pod.stdout, pod.stderr);
    assert!(!sandbox.path("data/snapshots/333333333333.json").exists());

    // An index past the list (completions larger than the account list): no retry, no call.
    let sandbox = Sandbox::new().fake_attestor();
    let pod = run_snapshot_pod(&sandbox, "3", "0", true);
    assert_eq!(pod.code, 2, "{}{}", pod.stdout, pod.stderr);
    assert!(pod.stderr.contains("line 4 of"), "{}", pod.stderr);
    assert!(sandbox.fake_args().is_none());
    let docs = manifest();
    let rules = &resource(&docs, "Job", "attestor-snapshot")["spec"]["podFailurePolicy"]["rules"];
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "FailIndex"
                && r["onExitCodes"]["values"] == serde_json::json!([2])),
        "exit 2 fails the index at once: {rules}"
    );
}

/// Runs the scan Job's script in `sandbox` on `snapshots` (account, fixture), which replace any
/// there, with `accounts` as the ConfigMap's list.
fn run_scan_pod_in(sandbox: &Sandbox, snapshots: &[(&str, &str)], accounts: &str) -> Run {
    let all = containers(&manifest());
    let scanner = container(&all, "attestor-scan/scan");
    let _ = std::fs::remove_dir_all(sandbox.path("data/snapshots"));
    std::fs::create_dir_all(sandbox.path("data/snapshots")).unwrap();
    for (account, fixture) in snapshots {
        sandbox.put(&format!("data/snapshots/{account}.json"), fixture);
    }
    std::fs::write(sandbox.path("accounts.txt"), accounts).unwrap();
    let mut env = scanner.env.clone();
    for (name, value) in &mut env {
        match name.as_str() {
            "ACCOUNTS_FILE" => *value = sandbox.path("accounts.txt").display().to_string(),
            "SNAPSHOTS" => *value = sandbox.path("data/snapshots").display().to_string(),
            "OUT" => *value = sandbox.path("data/out").display().to_string(),
            _ => {}
        }
    }
    assert_eq!(scanner.command, ["/bin/sh", "-c"]);
    sandbox.run(&["/bin/sh"], &scanner.script, &env)
}

fn run_scan_pod(snapshots: &[(&str, &str)], accounts: &str) -> (Run, Sandbox) {
    let sandbox = Sandbox::new();
    let run = run_scan_pod_in(&sandbox, snapshots, accounts);
    (run, sandbox)
}

#[test]
fn scan_pod_reports_every_account_and_fails_naming_a_missing_one() {
    if !have_jq() {
        return;
    }
    let both = [("111111111111", COMPLIANT), ("222222222222", NONCOMPLIANT)];
    let (pod, sandbox) = run_scan_pod(&both, "111111111111\n222222222222\n");
    assert_eq!(
        pod.code, 1,
        "failing findings: {}{}",
        pod.stdout, pod.stderr
    );
    assert!(!pod.stderr.contains("missing"), "{}", pod.stderr);
    for file in ["report.json", "report.sarif", "report.md"] {
        assert!(sandbox.path("data/out").join(file).exists(), "{file}");
    }

    let (pod, sandbox) = run_scan_pod(&both, "111111111111\n222222222222\n333333333333\n");
    assert_eq!(pod.code, 1, "{}{}", pod.stdout, pod.stderr);
    assert!(
        pod.stderr
            .contains("account 333333333333 is missing from the report"),
        "{}",
        pod.stderr
    );
    assert!(
        sandbox.path("data/out/report.json").exists(),
        "the report is kept"
    );

    // Clean, and clean but for a missing account.
    let (pod, _) = run_scan_pod(&[("111111111111", COMPLIANT)], "111111111111\n");
    assert_eq!(pod.code, 0, "{}{}", pod.stdout, pod.stderr);
    let (pod, _) = run_scan_pod(
        &[("111111111111", COMPLIANT)],
        "111111111111\n222222222222\n",
    );
    assert_eq!(pod.code, 1, "{}{}", pod.stdout, pod.stderr);
    assert!(pod.stderr.contains("account 222222222222 is missing"));

    // No snapshots at all, and a report of an earlier run in the output directory: it is not
    // taken for this run's.
    let sandbox = Sandbox::new();
    let earlier = run_scan_pod_in(&sandbox, &[("111111111111", COMPLIANT)], "111111111111\n");
    assert_eq!(earlier.code, 0, "{}", earlier.stderr);
    assert!(sandbox.path("data/out/report.json").exists());
    let pod = run_scan_pod_in(&sandbox, &[], "111111111111\n");
    assert_eq!(pod.code, 2, "{}{}", pod.stdout, pod.stderr);
    assert!(pod.stderr.contains("no report"), "{}", pod.stderr);
    assert!(!sandbox.path("data/out/report.json").exists());
}

// --- Both recipes and the guide ---

#[test]
fn every_script_in_the_recipes_and_the_guide_parses() {
    let mut checked = 0;
    let syntax = |interpreter: &[&str], name: &str, script: &str| {
        let sandbox = Sandbox::new();
        let mut args = interpreter.to_vec();
        args.push("-n");
        let check = sandbox.run(&args, script, &[]);
        assert_eq!(
            check.code, 0,
            "{name} does not parse with {interpreter:?}:\n{}\n{script}",
            check.stderr
        );
    };
    for (name, script) in workflow_scripts(&workflow()) {
        // Expressions reach the scripts through env: only, so no value is pasted into code (and
        // the scripts run here as they are).
        assert!(
            !script.contains("${{"),
            "{name}: pass expressions through env:"
        );
        syntax(&["bash"], &name, &script);
        checked += 1;
    }
    for c in containers(&manifest()) {
        assert_eq!(c.command, ["/bin/sh", "-c"], "{}", c.name);
        // POSIX sh (the image may have no bash), checked by dash and by bash in POSIX mode.
        syntax(&["sh"], &c.name, &c.script);
        syntax(&["bash", "--posix"], &c.name, &c.script);
        checked += 1;
    }
    for (i, block) in guide_blocks("sh").iter().enumerate() {
        syntax(
            &["bash"],
            &format!("docs/organisations.md sh block {i}"),
            block,
        );
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} scripts found");
}

/// Flags of the attestor command in `script`: `--` words on lines that are not another tool's
/// (jq, cargo), backslash continuations joined.
fn attestor_flags(script: &str) -> Vec<String> {
    script
        .replace("\\\n", " ")
        .lines()
        .filter(|l| !l.contains("jq ") && !l.contains("cargo "))
        .flat_map(|l| {
            l.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .filter(|w| w.starts_with("--"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn recipes_call_attestor_only_with_flags_it_has() {
    let mut scripts = workflow_scripts(&workflow());
    scripts.extend(
        containers(&manifest())
            .into_iter()
            .map(|c| (c.name, c.script)),
    );
    let mut seen = BTreeSet::new();
    for sub in ["scan", "snapshot"] {
        let mut command = Command::new(ATTESTOR);
        command.env("NO_COLOR", "1").args([sub, "--help"]);
        let help = run(command);
        assert_eq!(help.code, 0, "{}", help.stderr);
        let call = format!("attestor {sub} ");
        for (name, script) in scripts.iter().filter(|(_, s)| s.contains(&call)) {
            for flag in attestor_flags(script) {
                assert!(
                    help.stdout.contains(&format!("{flag} "))
                        || help.stdout.contains(&format!("{flag}\n")),
                    "{name}: `attestor {sub}` has no {flag}"
                );
                seen.insert(format!("{sub} {flag}"));
            }
        }
    }
    for expected in [
        "scan --snapshot",
        "scan --format",
        "scan --output-dir",
        "scan --questionnaire",
        "snapshot --all-regions",
        "snapshot --output",
        "snapshot --profile",
    ] {
        assert!(seen.contains(expected), "{expected} not in {seen:?}");
    }
}

#[test]
fn guide_links_the_recipes_and_its_policies_parse() {
    for link in [
        "recipes/github-actions-organisation.yml",
        "recipes/kubernetes-indexed-job.yaml",
        "iam-policy.json",
    ] {
        assert!(GUIDE.contains(&format!("]({link})")), "no link to {link}");
        assert!(Path::new(ROOT).join("docs").join(link).exists(), "{link}");
    }
    assert!(GUIDE.contains("`attestor scan --live --org-role NAME`"));
    let policies = guide_blocks("json");
    assert_eq!(policies.len(), 4, "the trust and permission policies");
    for block in &policies {
        let policy: Value = serde_json::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        assert_eq!(policy["Version"], "2012-10-17", "{block}");
    }
    // The Kubernetes trust policy names the manifest's ServiceAccount, and the member trust
    // names the role the workflow and the pods assume.
    let docs = manifest();
    let account = &resource(&docs, "ServiceAccount", "attestor")["metadata"];
    let subject = format!(
        "system:serviceaccount:{}:{}",
        account["namespace"].as_str().unwrap(),
        account["name"].as_str().unwrap()
    );
    assert!(GUIDE.contains(&subject), "{subject}");
    assert!(GUIDE.contains("arn:aws:iam::*:role/attestor-read"));
}
