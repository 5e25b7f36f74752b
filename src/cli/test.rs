//! `attestor test`: run policy unit tests (`*.test.yaml`) against the policies beside them.

use std::path::PathBuf;

use super::args::TestArgs;
use super::common::load_policies;
use super::{CliResult, exit, output};
use crate::diagnostics::Code;
use crate::diagnostics::{self, Diagnostic};
use crate::report;

pub(super) fn run(args: TestArgs) -> CliResult {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let walk = crate::policy::load::walk(&paths);
    // A directory that could not be read would quietly drop its policies and tests.
    if !walk.errors.is_empty() {
        return Err(walk.errors);
    }
    let (policy_files, test_files) = (walk.policies, walk.tests);
    if test_files.is_empty() {
        return Err(vec![Diagnostic::error(
            Code::NoTests,
            format!(
                "no policy test files (*.test.yaml) under {}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]);
    }
    let (set, _) = load_policies(&policy_files)?;
    let mut diagnostics = Vec::new();
    let mut results = Vec::new();
    for path in &test_files {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::error(
                Code::UnreadableFile,
                format!("{}: {e}", path.display()),
            )]
        })?;
        let file = crate::diagnostics::SourceFile::new(path.display().to_string(), text);
        let (parsed, mut problems) = crate::policytest::parse(&file);
        diagnostics.append(&mut problems);
        if let Some(test_file) = parsed {
            let (mut ran, mut problems) = crate::policytest::run(&test_file, &set);
            results.append(&mut ran);
            diagnostics.append(&mut problems);
        }
    }
    if diagnostics::has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    output::write(
        None,
        &report::policy_tests::render(&results, test_files.len()),
    )?;
    Ok(if results.iter().any(report::policy_tests::failed) {
        exit::FAILURES
    } else {
        exit::CLEAN
    })
}
