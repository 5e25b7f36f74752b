//! Several snapshots scanned as one inventory: an organisation's per-account snapshots, written by
//! separate jobs (one CI runner or Kubernetes pod per account), joined into one report.
//!
//! Each file keeps what it says about itself: its coverage (so absence is judged per account
//! against what that file recorded), its collection errors, its notes, and its SHA-256 in the
//! evidence metadata. A resource that two files both describe is refused: the run cannot know
//! which description is true, and evaluating both would count it twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Coverage, Inventory, Keep, Loaded, SourceFileInfo, SourceInfo, SourceKind};
use crate::diagnostics::{Code, Diagnostic};

/// The snapshot files named on the command line: files as given, directories searched
/// recursively for `.json` and `.json.gz` files (an artifact download puts each job's file in
/// a directory of its own), sorted, each once.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files, &mut errors);
            if files.len() == before {
                errors.push(
                    Diagnostic::error(
                        Code::UnreadableInput,
                        format!("{}: no snapshot files (.json, .json.gz) in this directory", path.display()),
                    )
                    .with_help("name the snapshot files, or the directory `attestor snapshot` wrote them to"),
                );
            }
        } else {
            files.push(path.clone());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The order of the command line and of each directory, with repeats dropped.
    let mut seen = BTreeSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Diagnostic::error(
                Code::UnreadableInput,
                format!("{}: cannot read directory: {e}", dir.display()),
            ));
            return;
        }
    };
    let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    found.sort();
    for path in found {
        if path.is_dir() {
            walk(&path, files, errors);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".json") || n.ends_with(".json.gz"))
        {
            files.push(path);
        }
    }
}

/// Loads every file (each problem of every file is reported, not only the first) and joins them.
pub fn load_all(paths: &[PathBuf], keep: &Keep) -> Result<Loaded, Vec<Diagnostic>> {
    let files = expand(paths)?;
    if let [one] = files.as_slice() {
        return super::load_snapshot_keeping(one, keep).map_err(|d| vec![d]);
    }
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match super::load_snapshot_keeping(file, keep) {
            Ok(loaded) => parts.push(loaded),
            Err(diagnostic) => errors.push(diagnostic),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    merge(parts)
}

/// Joins loaded snapshots into one inventory. They must be of one kind: an AWS Config file and
/// an attestor snapshot record different things (AWS Config never records attestor's own data),
/// and one inventory judges absence on one basis.
pub fn merge(parts: Vec<Loaded>) -> Result<Loaded, Vec<Diagnostic>> {
    let name = |l: &Loaded| l.inventory.source.path.clone().unwrap_or_default();
    let Some(first) = parts.first() else {
        return Err(vec![Diagnostic::error(
            Code::UnreadableInput,
            "no snapshot files to scan",
        )]);
    };
    let kind = first.inventory.source.kind;
    let mixed: Vec<String> = parts
        .iter()
        .filter(|l| l.inventory.source.kind != kind)
        .map(|l| format!("{} ({})", name(l), kind_name(l.inventory.source.kind)))
        .collect();
    if !mixed.is_empty() {
        return Err(vec![
            Diagnostic::error(
                Code::InvalidInput,
                format!(
                    "{} is {}, but {} {}: snapshots scanned together must be of one kind",
                    name(first),
                    kind_name(kind),
                    mixed.join(", "),
                    if mixed.len() == 1 { "is not" } else { "are not" },
                ),
            )
            .with_help(
                "scan attestor snapshots and AWS Config files in separate runs: AWS Config never records attestor's own data (credential report, password policy, trail status), so absence is judged differently",
            ),
        ]);
    }
    let duplicates = duplicates(&parts);
    if !duplicates.is_empty() {
        return Err(duplicates);
    }

    let mut files = Vec::with_capacity(parts.len());
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut notes = Vec::new();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    let mut basis = None;
    let mut captured: Vec<jiff::Timestamp> = Vec::new();
    for part in parts {
        let Loaded {
            inventory,
            warnings: mut part_warnings,
        } = part;
        let source = &inventory.source;
        let path = source.path.clone().unwrap_or_default();
        files.push(SourceFileInfo {
            path: path.clone(),
            sha256: source.sha256.clone(),
            captured_at: source.captured_at,
            account_ids: source.account_ids.clone(),
        });
        accounts.extend(source.account_ids.iter().cloned());
        regions.extend(source.regions.iter().cloned());
        captured.extend(source.captured_at);
        notes.extend(source.notes.iter().map(|n| format!("{path}: {n}")));
        basis.get_or_insert(inventory.coverage.basis());
        entries.extend(inventory.coverage.entries());
        errors.extend(inventory.collection_errors);
        items.extend(inventory.items);
        warnings.append(&mut part_warnings);
    }
    captured.sort();
    // Ages are measured from the newest capture: measuring a later file's resources from an
    // earlier time would make its keys and snapshots look younger than they are.
    let captured_at = captured.last().copied();
    if let (Some(oldest), Some(newest)) = (captured.first(), captured.last())
        && oldest != newest
    {
        notes.push(format!(
            "the {} files were captured between {oldest} and {newest}; ages are measured from {newest} unless --as-of says otherwise",
            files.len()
        ));
    }
    let coverage =
        Coverage::from_entries(basis.unwrap_or(super::coverage::Basis::Attestor), &entries);
    let source = SourceInfo {
        kind,
        path: None,
        sha256: None,
        captured_at,
        account_ids: accounts.into_iter().collect(),
        regions: regions.into_iter().collect(),
        notes,
        files,
    };
    Ok(Loaded {
        inventory: Inventory::new(source, items, errors, coverage),
        warnings,
    })
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::AttestorSnapshot => "an attestor snapshot",
        SourceKind::AwsConfigSnapshot => "AWS Config data",
        SourceKind::Live => "a live scan",
        SourceKind::TerraformPlan => "a Terraform plan",
    }
}

/// The resources two or more files describe, each named with the files (at most 20 listed).
fn duplicates(parts: &[Loaded]) -> Vec<Diagnostic> {
    let mut owner: BTreeMap<(&str, &str, &str, &str), usize> = BTreeMap::new();
    let mut clashes: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for (index, part) in parts.iter().enumerate() {
        for item in &part.inventory.items {
            let key = (
                &*item.resource_type,
                &*item.account_id,
                &*item.region,
                item.resource_id.as_str(),
            );
            match owner.get(&key) {
                Some(&first) if first != index => {
                    clashes.entry((first, index)).or_default().push(format!(
                        "{} {} (account {}, {})",
                        item.resource_type, item.resource_id, item.account_id, item.region
                    ));
                }
                Some(_) => {}
                None => {
                    owner.insert(key, index);
                }
            }
        }
    }
    let path = |i: usize| parts[i].inventory.source.path.clone().unwrap_or_default();
    clashes
        .into_iter()
        .map(|((a, b), resources)| {
            let shown: Vec<&str> = resources.iter().take(20).map(String::as_str).collect();
            let more = resources.len().saturating_sub(shown.len());
            Diagnostic::error(
                Code::InvalidInput,
                format!(
                    "{} and {} both describe {} resource{}: {}{}",
                    path(a),
                    path(b),
                    resources.len(),
                    if resources.len() == 1 { "" } else { "s" },
                    shown.join("; "),
                    if more > 0 { format!("; and {more} more") } else { String::new() },
                ),
            )
            .with_help(
                "each resource must come from one file: scan one snapshot per account (the same account snapshotted twice, or an organisation snapshot beside its accounts' own, describes resources twice)",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::parse_snapshot;

    fn snapshot(account: &str, captured: &str, ids: &[&str]) -> Loaded {
        let items: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    r#"{{"resourceType":"AWS::S3::Bucket","resourceId":"{id}","accountId":"{account}","awsRegion":"eu-west-1","configuration":{{}}}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"snapshotVersion":1,"metadata":{{"capturedAt":"{captured}","tool":{{"name":"attestor","version":"0.1.0"}},"collectionErrors":[],"accountIds":["{account}"],"regions":["eu-west-1"],"coverage":[{{"accountId":"{account}","region":"*","resourceTypes":["AWS::S3::Bucket"]}}]}},"configurationItems":[{}]}}"#,
            items.join(",")
        );
        let mut loaded = parse_snapshot(&format!("{account}.json"), text.as_bytes()).unwrap();
        loaded.inventory.source.path = Some(format!("{account}.json"));
        loaded.inventory.source.sha256 = Some(format!("sha-of-{account}"));
        loaded
    }

    #[test]
    fn files_join_with_their_coverage_and_digests() {
        let merged = merge(vec![
            snapshot("111111111111", "2026-11-01T00:00:00Z", &["a", "b"]),
            snapshot("222222222222", "2026-11-03T00:00:00Z", &["a"]),
        ])
        .unwrap()
        .inventory;
        assert_eq!(merged.items.len(), 3);
        assert_eq!(merged.source.account_ids, ["111111111111", "222222222222"]);
        assert_eq!(merged.source.files.len(), 2);
        assert_eq!(
            merged.source.files[1].sha256.as_deref(),
            Some("sha-of-222222222222")
        );
        assert_eq!(merged.source.path, None);
        assert_eq!(
            merged.source.captured_at.unwrap().to_string(),
            "2026-11-03T00:00:00Z",
            "the newest capture"
        );
        assert!(
            merged
                .source
                .notes
                .iter()
                .any(|n| n.contains("captured between"))
        );
        for account in ["111111111111", "222222222222"] {
            assert!(
                merged
                    .coverage
                    .covers("AWS::S3::Bucket", account, Some("eu-west-1"))
            );
        }
        assert!(
            !merged
                .coverage
                .covers("AWS::S3::Bucket", "333333333333", Some("eu-west-1"))
        );
    }

    #[test]
    fn a_resource_in_two_files_is_refused_naming_both() {
        let mut second = snapshot("111111111111", "2026-11-01T00:00:00Z", &["b", "c"]);
        second.inventory.source.path = Some("again.json".into());
        let errors = merge(vec![
            snapshot("111111111111", "2026-11-01T00:00:00Z", &["a", "b"]),
            second,
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        let message = &errors[0].message;
        assert!(
            message.contains("111111111111.json and again.json both describe 1 resource")
                && message.contains("AWS::S3::Bucket b"),
            "{message}"
        );
    }

    #[test]
    fn kinds_are_never_mixed() {
        let mut config = snapshot("222222222222", "2026-11-01T00:00:00Z", &["x"]);
        config.inventory.source.kind = SourceKind::AwsConfigSnapshot;
        let errors = merge(vec![
            snapshot("111111111111", "2026-11-01T00:00:00Z", &["a"]),
            config,
        ])
        .unwrap_err();
        assert!(
            errors[0].message.contains("must be of one kind"),
            "{}",
            errors[0].message
        );
    }
}
