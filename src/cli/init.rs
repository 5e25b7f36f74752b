//! `attestor init`: scaffolds a repository for the CI gate: a policy of the team's own with its
//! unit tests, a waivers file, and a GitHub Actions workflow that scans Terraform plans. The
//! templates live in `init/` beside this file; tests/init.rs runs `attestor lint`, `attestor test`
//! and actionlint on what this writes, so they cannot go stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{CliResult, exit, output};
use crate::diagnostics::{Code, Diagnostic};

#[derive(clap::Args, Debug)]
pub(crate) struct InitArgs {
    /// The repository to scaffold.
    #[arg(default_value = ".")]
    pub(crate) dir: std::path::PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub(crate) force: bool,
}

/// A file `init` writes: where in the repository, what it holds, and what it is for.
struct Template {
    path: &'static str,
    text: &'static str,
    what: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        path: "policies/s3-bucket-owner-tags.yaml",
        text: include_str!("init/s3-bucket-owner-tags.yaml"),
        what: "a policy of your own to adapt: bucket owner and data class",
    },
    Template {
        path: "policies/s3-bucket-owner-tags.test.yaml",
        text: include_str!("init/s3-bucket-owner-tags.test.yaml"),
        what: "its unit tests: a pass, a fail, an error",
    },
    Template {
        path: ".attestor/waivers.yaml",
        text: include_str!("init/waivers.yaml"),
        what: "waivers: decisions not to fix, each expiring (none yet)",
    },
    Template {
        path: ".github/workflows/attestor.yml",
        text: include_str!("init/attestor.yml"),
        what: "the CI gate: Terraform plan, scan, code scanning",
    },
];

pub(super) fn run(args: InitArgs) -> CliResult {
    let targets: Vec<(&Template, PathBuf)> = TEMPLATES
        .iter()
        .map(|t| (t, args.dir.join(t.path)))
        .collect();
    // `symlink_metadata`: a dangling symlink is a file too, and writing would replace it.
    let exists = |path: &Path| path.symlink_metadata().is_ok();
    let existing: Vec<&PathBuf> = targets
        .iter()
        .map(|(_, path)| path)
        .filter(|path| exists(path))
        .collect();
    // All or nothing: a half-scaffolded repository is worse than none.
    if !existing.is_empty() && !args.force {
        let last = existing.len() - 1;
        return Err(existing
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let diag = Diagnostic::error(
                    Code::WriteFailed,
                    format!("{} already exists", path.display()),
                );
                if i == last {
                    diag.with_help(
                        "nothing was written: move these files aside, or pass --force to overwrite them",
                    )
                } else {
                    diag
                }
            })
            .collect());
    }
    let mut lines = String::new();
    let width = TEMPLATES.iter().map(|t| t.path.len()).max().unwrap_or(0);
    for (template, path) in &targets {
        let verb = if exists(path) { "replaced" } else { "wrote" };
        write_file(path, template.text)?;
        let _ = writeln!(
            lines,
            "  {verb:<8} {:<width$}  {}",
            template.path, template.what
        );
    }
    output::write(None, &summary(&args.dir, &lines))?;
    Ok(exit::CLEAN)
}

/// Creates the file's directories, then writes it atomically (as every output is written).
fn write_file(path: &Path, text: &str) -> Result<(), Vec<Diagnostic>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            vec![Diagnostic::error(
                Code::WriteFailed,
                format!("cannot create {}: {e}", parent.display()),
            )]
        })?;
    }
    output::write(Some(path), text).map(|_| ())
}

/// What was written and what to do next.
fn summary(dir: &Path, written: &str) -> String {
    let policies = if dir == Path::new(".") {
        PathBuf::from("policies")
    } else {
        dir.join("policies")
    };
    let policies = policies.display();
    format!(
        "attestor init: scaffolded {dir} for the CI gate\n\
         {written}\n\
         Next steps:\n\
         \x20 1. Check the example policy, then make it yours (tag keys, classes, or a claim of\n\
         \x20    your own; keep its tests in step):\n\
         \x20      attestor lint {policies} && attestor test {policies}\n\
         \x20 2. In .github/workflows/attestor.yml set TERRAFORM_DIR to your Terraform root module.\n\
         \x20    In the repository's Actions variables set ATTESTOR_GIT_URL and ATTESTOR_GIT_REV\n\
         \x20    (where attestor is built from) and AWS_ROLE_ARN and AWS_REGION (the role\n\
         \x20    `terraform plan` runs as).\n\
         \x20 3. Commit and open a pull request. After the first run on the default branch, commit\n\
         \x20    report.json from its attestor-out artifact as .attestor/baseline.json: from then on\n\
         \x20    only new findings fail the check.\n\
         \x20 4. Optionally, check policies and waivers before every commit with the pre-commit\n\
         \x20    hooks attestor-lint, attestor-test and attestor-waivers (attestor's\n\
         \x20    .pre-commit-hooks.yaml).\n",
        dir = dir.display(),
    )
}
