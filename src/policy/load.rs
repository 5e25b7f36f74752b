//! Finding and reading policy files: the built-in set compiled into the binary, or files and
//! directories named on the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::embedded;

use super::PolicySet;
use super::parse::parse_file;

/// Policies compiled into the binary from `policies/`.
pub fn builtin() -> (PolicySet, Vec<Diagnostic>) {
    let files = embedded::BUILTIN_POLICY_FILES
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect();
    from_sources(files)
}

/// Policies from files and directories (searched recursively for `.yaml` / `.yml`, skipping policy
/// unit-test files `*.test.yaml` and `tests/` directories).
pub fn from_paths(paths: &[PathBuf]) -> (PolicySet, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        let mut found = Vec::new();
        if path.is_dir() {
            collect_yaml(path, &mut found);
            if found.is_empty() {
                diagnostics.push(Diagnostic::error(
                    "no-policies",
                    format!(
                        "{}: no policy files (.yaml, .yml) in this directory",
                        path.display()
                    ),
                ));
            }
        } else {
            found.push(path.clone());
        }
        found.sort();
        for file in found {
            match std::fs::read(&file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => files.push(SourceFile::new(file.display().to_string(), text)),
                    Err(_) => diagnostics.push(Diagnostic::error(
                        "unreadable-file",
                        format!("{}: not UTF-8 text", file.display()),
                    )),
                },
                Err(e) => diagnostics.push(Diagnostic::error(
                    "unreadable-file",
                    format!("{}: cannot read policy file: {e}", file.display()),
                )),
            }
        }
    }
    let (set, mut parse_diagnostics) = from_sources(files);
    diagnostics.append(&mut parse_diagnostics);
    (set, diagnostics)
}

fn from_sources(files: Vec<Arc<SourceFile>>) -> (PolicySet, Vec<Diagnostic>) {
    let mut set = PolicySet::default();
    let mut diagnostics = Vec::new();
    for file in files {
        let (mut contents, mut diags) = parse_file(&file);
        set.policies.append(&mut contents.policies);
        set.manual.append(&mut contents.manual);
        diagnostics.append(&mut diags);
        set.files.push(file);
    }
    (set, diagnostics)
}

pub fn is_policy_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                collect_yaml(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && !is_policy_test_file(&path)
        {
            out.push(path);
        }
    }
}
