//! What unit tests in several modules share (compiled for tests only).

use crate::policy::PolicySet;

/// Every fixture snapshot with the built-in pack, and every example pack with its compliant and
/// broken snapshots: the inputs tests compare two ways of doing one thing on (pruned against whole
/// items, streamed against held reports).
pub(crate) fn fixture_cases() -> Vec<(std::path::PathBuf, PolicySet)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (builtin, _) = crate::policy::load::builtin();
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(root.join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".snapshot.json") {
            cases.push((path, builtin.clone()));
        }
    }
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let pack = entry.unwrap().path();
        if pack.is_dir() {
            let (set, _) = crate::policy::load::from_paths(std::slice::from_ref(&pack));
            for name in ["compliant.snapshot.json", "broken.snapshot.json"] {
                cases.push((pack.join(name), set.clone()));
            }
        }
    }
    assert!(cases.len() >= 13, "{}", cases.len());
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}
