//! Finding and reading policy files: the built-in set compiled into the binary, or files and
//! directories named on the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::embedded;

use super::PolicySet;
use super::parse::parse_file;

/// Policies compiled into the binary from `policies/`.
pub fn builtin() -> (PolicySet, Vec<Diagnostic>) {
    from_sources(builtin_sources())
}

/// The name that stands for the built-in policies among paths (`--policies builtin --policies
/// policies/`): a team's own policies run beside them. A file or directory of that name wins.
pub const BUILTIN: &str = "builtin";

fn builtin_sources() -> Vec<Arc<SourceFile>> {
    embedded::BUILTIN_POLICY_FILES
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect()
}

/// What a walk of the paths named on the command line found: policy files, policy unit-test
/// files (`*.test.yaml`), and the directories it could not read.
#[derive(Debug, Default)]
pub struct Walk {
    pub policies: Vec<PathBuf>,
    pub tests: Vec<PathBuf>,
    pub errors: Vec<Diagnostic>,
}

/// The one directory walk for policies and their tests: every `.yaml` / `.yml` file below each
/// directory (a file named directly is taken as it is), sorted. An unreadable directory is an
/// error, never a silently smaller policy set.
pub fn walk(paths: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    for path in paths {
        let mut found = Vec::new();
        if path.is_dir() {
            collect_yaml(path, &mut found, &mut walk.errors);
        } else {
            found.push(path.clone());
        }
        for file in found {
            if is_policy_test_file(&file) {
                walk.tests.push(file);
            } else {
                walk.policies.push(file);
            }
        }
    }
    for list in [&mut walk.policies, &mut walk.tests] {
        list.sort();
        list.dedup();
    }
    walk
}

/// Policies from files and directories (searched recursively for `.yaml` / `.yml`; policy
/// unit-test files `*.test.yaml` are not policies).
pub fn from_paths(paths: &[PathBuf]) -> (PolicySet, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        if path.as_os_str() == BUILTIN && !path.exists() {
            files.extend(builtin_sources());
            continue;
        }
        let mut found = Vec::new();
        if path.is_dir() {
            let mut errors = Vec::new();
            collect_yaml(path, &mut found, &mut errors);
            found.retain(|f| !is_policy_test_file(f));
            diagnostics.append(&mut errors);
            if found.is_empty() {
                diagnostics.push(Diagnostic::error(
                    Code::NoPolicies,
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
            match crate::diagnostics::read_input(&file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => files.push(SourceFile::new(file.display().to_string(), text)),
                    Err(_) => diagnostics.push(Diagnostic::error(
                        Code::UnreadableFile,
                        format!("{}: not UTF-8 text", file.display()),
                    )),
                },
                Err(e) => diagnostics.push(Diagnostic::error(
                    Code::UnreadableFile,
                    format!("{}: cannot read policy file: {e}", file.display()),
                )),
            }
        }
    }
    let (set, mut parse_diagnostics) = from_sources(files);
    diagnostics.append(&mut parse_diagnostics);
    (set, diagnostics)
}

/// Policies from files already read (the built-in set, the files named on the command line, a
/// fuzzer's input).
pub fn from_sources(files: Vec<Arc<SourceFile>>) -> (PolicySet, Vec<Diagnostic>) {
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

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let unreadable = |e: std::io::Error| {
        Diagnostic::error(
            Code::UnreadableFile,
            format!("{}: cannot read directory: {e}", dir.display()),
        )
        .with_help("its policy files were not loaded; fix the permissions or leave it out")
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return errors.push(unreadable(e)),
    };
    for entry in entries {
        let path = match entry {
            Ok(entry) => entry.path(),
            Err(e) => {
                errors.push(unreadable(e));
                continue;
            }
        };
        if path.is_dir() {
            collect_yaml(&path, out, errors);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_cannot_be_read_is_an_error_not_a_smaller_set() {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        collect_yaml(
            Path::new("/nonexistent/attestor-policies"),
            &mut found,
            &mut errors,
        );
        assert!(found.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("cannot read directory"),
            "{:?}",
            errors[0]
        );
    }

    #[test]
    fn one_walk_finds_policies_and_their_tests_everywhere() {
        let dir = std::env::temp_dir().join(format!("attestor-walk-{}", std::process::id()));
        let tests = dir.join("tests");
        std::fs::create_dir_all(&tests).unwrap();
        for name in [
            "a.yaml",
            "a.test.yaml",
            "notes.txt",
            "tests/b.yml",
            "tests/b.test.yml",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let walk = walk(std::slice::from_ref(&dir));
        let names = |list: &[PathBuf]| -> Vec<String> {
            list.iter()
                .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names(&walk.policies), ["a.yaml", "tests/b.yml"]);
        assert_eq!(names(&walk.tests), ["a.test.yaml", "tests/b.test.yml"]);
        assert!(walk.errors.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
