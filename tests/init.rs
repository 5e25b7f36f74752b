//! `attestor init` and the pre-commit hooks: what init writes (and refuses to overwrite), that the
//! scaffold's policy lints clean and passes its own tests, that its waivers file loads, that its
//! workflow passes actionlint, and that the hooks in .pre-commit-hooks.yaml pass on the scaffold
//! and fail on broken files under real pre-commit.
//!
//! actionlint and pre-commit come from .venv-tools (scripts/test installs them). Where one is
//! missing its test prints a note and passes, except in CI (CI=true), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ATTESTOR: &str = env!("CARGO_BIN_EXE_attestor");

/// Every file init writes, with the template it must hold byte for byte.
const SCAFFOLD: &[(&str, &str)] = &[
    (
        "policies/s3-bucket-owner-tags.yaml",
        include_str!("../src/cli/init/s3-bucket-owner-tags.yaml"),
    ),
    (
        "policies/s3-bucket-owner-tags.test.yaml",
        include_str!("../src/cli/init/s3-bucket-owner-tags.test.yaml"),
    ),
    (
        ".attestor/waivers.yaml",
        include_str!("../src/cli/init/waivers.yaml"),
    ),
    (
        ".github/workflows/attestor.yml",
        include_str!("../src/cli/init/attestor.yml"),
    ),
];

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

/// The attestor binary under test, without colour, in `cwd`.
fn attestor(cwd: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(ATTESTOR);
    command.current_dir(cwd).env("NO_COLOR", "1").args(args);
    run(command)
}

/// A fresh directory scaffolded by `attestor init`.
fn scaffold() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = attestor(dir.path(), &["init", "."]);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    dir
}

/// A tool scripts/test installs into .venv-tools. Missing: a failure in CI, else a note and None.
fn venv_tool(name: &str) -> Option<PathBuf> {
    let path = Path::new(ROOT).join(".venv-tools/bin").join(name);
    if path.exists() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{} is missing: scripts/test installs it (CI is set, so this fails instead of skipping)",
        path.display()
    );
    eprintln!(
        "note: skipped: {} is missing (scripts/test installs it)",
        path.display()
    );
    None
}

#[test]
fn init_writes_the_scaffold_and_says_what_to_do_next() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("infra");
    let init = attestor(dir.path(), &["init", target.to_str().unwrap()]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(init.stderr.is_empty(), "{}", init.stderr);
    for (path, template) in SCAFFOLD {
        let written = std::fs::read_to_string(target.join(path)).unwrap();
        assert_eq!(&written, template, "{path}");
    }
    let shown = init
        .stdout
        .replace(&dir.path().display().to_string(), "[TMP]");
    insta::assert_snapshot!("init_stdout", shown);
}

#[test]
fn init_defaults_to_the_current_directory() {
    let dir = scaffold();
    for (path, _) in SCAFFOLD {
        assert!(dir.path().join(path).is_file(), "{path}");
    }
}

#[test]
fn init_overwrites_nothing_without_force_and_lists_every_file_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let mine = "waivers: []  # ours\n";
    for path in [".attestor/waivers.yaml", ".github/workflows/attestor.yml"] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, mine).unwrap();
    }
    let refused = attestor(dir.path(), &["init"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    for path in [".attestor/waivers.yaml", ".github/workflows/attestor.yml"] {
        assert!(
            refused.stderr.contains(&format!("{path} already exists")),
            "{}",
            refused.stderr
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(path)).unwrap(),
            mine
        );
    }
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    // All or nothing: the files that were free were not written either.
    assert!(!dir.path().join("policies").exists());

    let forced = attestor(dir.path(), &["init", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        forced.stdout.contains("replaced .attestor/waivers.yaml"),
        "{}",
        forced.stdout
    );
    assert!(
        forced
            .stdout
            .contains("wrote    policies/s3-bucket-owner-tags.yaml"),
        "{}",
        forced.stdout
    );
    for (path, template) in SCAFFOLD {
        assert_eq!(
            &std::fs::read_to_string(dir.path().join(path)).unwrap(),
            template,
            "{path}"
        );
    }
}

/// The scaffold's policy is linted and tested the way a team's CI would, so the template can
/// never go stale against the policy format or the engine.
#[test]
fn scaffold_policies_lint_clean_and_pass_their_tests() {
    let dir = scaffold();
    let lint = attestor(dir.path(), &["lint", "policies", "--format", "json"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    let report: serde_json::Value = serde_json::from_str(&lint.stdout).unwrap();
    assert_eq!(report["errors"], 0, "{}", lint.stdout);
    assert_eq!(report["warnings"], 0, "{}", lint.stdout);

    let test = attestor(dir.path(), &["test", "policies"]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(test.stdout.contains(" 0 not ok"), "{}", test.stdout);
    // Every status a policy test should prove is proven.
    for status in [": pass", ": fail", ": error"] {
        assert!(
            SCAFFOLD[1].1.contains(status),
            "the scaffold's tests never expect{status}"
        );
    }
}

#[test]
fn scaffold_waivers_file_loads_and_its_commented_example_is_valid() {
    let dir = scaffold();
    let lint = attestor(dir.path(), &["lint", "--waivers", ".attestor/waivers.yaml"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);

    let template = SCAFFOLD[2].1;
    let file = attestor::diagnostics::SourceFile::new("waivers.yaml", template);
    let (waivers, diagnostics) = attestor::waivers::parse(&file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(waivers.items.is_empty());

    // The commented entry, uncommented as the file says, is a complete waiver for a real policy.
    let entry: String = template
        .lines()
        .filter_map(|l| {
            l.strip_prefix("  # - ")
                .map(|rest| format!("  - {rest}\n"))
                .or_else(|| l.strip_prefix("  #   ").map(|rest| format!("    {rest}\n")))
        })
        .collect();
    let file = attestor::diagnostics::SourceFile::new("waivers.yaml", format!("waivers:\n{entry}"));
    let (waivers, diagnostics) = attestor::waivers::parse(&file);
    assert!(diagnostics.is_empty(), "{entry}\n{diagnostics:?}");
    let [waiver] = waivers.items.as_slice() else {
        panic!("one waiver expected from\n{entry}");
    };
    assert_eq!(waiver.resource, "module.legacy.aws_s3_bucket.*");
    assert!(waiver.owner.is_some() && !waiver.justification.is_empty());
    let (set, _) = attestor::policy::load::builtin();
    assert!(
        set.policies.iter().any(|p| p.id.value == waiver.policy),
        "the example waives `{}`, which is not a built-in policy",
        waiver.policy
    );
}

/// The workflow's scan step uses only flags `attestor scan` has.
#[test]
fn workflow_scan_step_uses_existing_scan_flags() {
    let workflow = SCAFFOLD[3].1;
    let step = workflow
        .split("- name: ")
        .find(|s| s.starts_with("attestor scan\n"))
        .expect("a step named `attestor scan`");
    let flags: Vec<&str> = step
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| w.starts_with("--"))
        .collect();
    for expected in [
        "--terraform-plan",
        "--waivers",
        "--baseline",
        "--fail-on-new",
        "--format",
        "--output-dir",
    ] {
        assert!(flags.contains(&expected), "{expected} not in {flags:?}");
    }
    let help = attestor(Path::new(ROOT), &["scan", "--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    for flag in flags {
        assert!(
            help.stdout.contains(&format!("{flag} ")) || help.stdout.contains(&format!("{flag}\n")),
            "`attestor scan` has no {flag}"
        );
    }
}

#[test]
fn scaffold_workflow_passes_actionlint() {
    let Some(actionlint) = venv_tool("actionlint") else {
        return;
    };
    let dir = scaffold();
    let mut command = Command::new(actionlint);
    command
        .current_dir(dir.path())
        .args(["-no-color", ".github/workflows/attestor.yml"]);
    let lint = run(command);
    assert_eq!(
        lint.code, 0,
        "actionlint findings:\n{}{}",
        lint.stdout, lint.stderr
    );
    assert!(lint.stdout.trim().is_empty(), "{}", lint.stdout);
}

#[test]
fn pre_commit_manifest_is_valid() {
    let Some(pre_commit) = venv_tool("pre-commit") else {
        return;
    };
    let mut command = Command::new(pre_commit);
    command
        .current_dir(ROOT)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"]);
    let check = run(command);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// `git` in `dir`, with an identity of its own, never the caller's configuration's.
fn git(dir: &Path, args: &[&str]) -> String {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=attestor tests",
            "-c",
            "user.email=tests@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args);
    let out = run(command);
    assert_eq!(out.code, 0, "git {args:?}: {}{}", out.stdout, out.stderr);
    out.stdout
}

/// A scratch project with this repository's hooks: a hooks repository holding a copy of
/// .pre-commit-hooks.yaml (so the test sees the working tree's manifest, committed or not), and
/// a project scaffolded by `attestor init` whose .pre-commit-config.yaml uses the
/// `language: system` hooks.
struct Project {
    _root: tempfile::TempDir,
    dir: PathBuf,
    home: PathBuf,
    pre_commit: PathBuf,
}

impl Project {
    fn new(pre_commit: PathBuf) -> Self {
        let root = tempfile::tempdir().unwrap();
        let hooks = root.path().join("hooks");
        std::fs::create_dir(&hooks).unwrap();
        git(&hooks, &["init", "--quiet"]);
        std::fs::copy(
            Path::new(ROOT).join(".pre-commit-hooks.yaml"),
            hooks.join(".pre-commit-hooks.yaml"),
        )
        .unwrap();
        git(&hooks, &["add", ".pre-commit-hooks.yaml"]);
        git(&hooks, &["commit", "--quiet", "-m", "hooks"]);
        let rev = git(&hooks, &["rev-parse", "HEAD"]).trim().to_string();

        let dir = root.path().join("project");
        std::fs::create_dir(&dir).unwrap();
        git(&dir, &["init", "--quiet"]);
        let init = attestor(&dir, &["init"]);
        assert_eq!(init.code, 0, "{}", init.stderr);
        let config = format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: attestor-lint\n      - id: attestor-test\n      - id: attestor-waivers\n",
            hooks.display()
        );
        std::fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
        let home = root.path().join("pre-commit-home");
        Project {
            _root: root,
            dir,
            home,
            pre_commit,
        }
    }

    /// `pre-commit run HOOK --all-files` over what is in the working tree, with the attestor
    /// under test first on PATH.
    fn run_hook(&self, hook: &str) -> Run {
        git(&self.dir, &["add", "--all"]);
        let bin = Path::new(ATTESTOR).parent().unwrap();
        let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut command = Command::new(&self.pre_commit);
        command
            .current_dir(&self.dir)
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args(["run", hook, "--all-files", "--color", "never"]);
        run(command)
    }
}

#[test]
fn pre_commit_hooks_pass_on_the_scaffold_and_fail_on_broken_files() {
    let Some(pre_commit) = venv_tool("pre-commit") else {
        return;
    };
    let project = Project::new(pre_commit);
    for (hook, name) in [
        ("attestor-lint", "attestor lint (policy files)"),
        ("attestor-test", "attestor test (policy unit tests)"),
        ("attestor-waivers", "attestor waivers"),
    ] {
        let out = project.run_hook(hook);
        assert_eq!(out.code, 0, "{hook}:\n{}{}", out.stdout, out.stderr);
        // Passed, not skipped: the hook's `files` pattern matches the scaffold's files.
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{hook}:\n{}", out.stdout));
        assert!(line.ends_with("Passed"), "{hook}:\n{}", out.stdout);
    }

    // A policy with a key the format does not define fails the lint hook, with the problem
    // shown, and the test hook (nothing is tested against an invalid policy set).
    let broken = project.dir.join("policies/broken.yaml");
    let policy = std::fs::read_to_string(project.dir.join("policies/s3-bucket-owner-tags.yaml"))
        .unwrap()
        .replace(
            "id: s3-bucket-owner-tags",
            "id: broken-policy\n    severty: high",
        );
    std::fs::write(&broken, policy).unwrap();
    let lint = project.run_hook("attestor-lint");
    assert_ne!(lint.code, 0, "{}", lint.stdout);
    assert!(lint.stdout.contains("unknown-key"), "{}", lint.stdout);
    assert!(lint.stdout.contains("severty"), "{}", lint.stdout);
    let test = project.run_hook("attestor-test");
    assert_ne!(test.code, 0, "{}", test.stdout);
    std::fs::remove_file(&broken).unwrap();

    // A policy test that expects the wrong status fails the test hook.
    let tests = project.dir.join("policies/s3-bucket-owner-tags.test.yaml");
    let right = std::fs::read_to_string(&tests).unwrap();
    let wrong = right.replacen(
        "expect: {s3-bucket-owner-tags: pass}",
        "expect: {s3-bucket-owner-tags: fail}",
        1,
    );
    assert_ne!(wrong, right);
    std::fs::write(&tests, wrong).unwrap();
    let test = project.run_hook("attestor-test");
    assert_ne!(test.code, 0, "{}", test.stdout);
    assert!(test.stdout.contains("FAILED"), "{}", test.stdout);
    std::fs::write(&tests, right).unwrap();

    // A waiver without a justification fails the waivers hook.
    std::fs::write(
        project.dir.join(".attestor/waivers.yaml"),
        "waivers:\n  - policy: s3-bucket-versioning\n    resource: legacy-exports\n    expires: 2020-01-01\n",
    )
    .unwrap();
    let waivers = project.run_hook("attestor-waivers");
    assert_ne!(waivers.code, 0, "{}", waivers.stdout);
    assert!(
        waivers.stdout.contains("justification"),
        "{}",
        waivers.stdout
    );
}
