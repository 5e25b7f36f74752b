//! The example packs (examples/*): each lints clean and its tests assert exactly which policies
//! fail on its compliant and broken snapshots.

mod common;

fn packs() -> Vec<std::path::PathBuf> {
    let mut packs: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    packs.sort();
    packs
}

fn run(args: &[&str]) -> (i32, String) {
    let (code, stdout, stderr) = common::attestor(args);
    (code, format!("{stdout}{stderr}"))
}

#[test]
fn there_are_five_packs() {
    assert_eq!(packs().len(), 5);
}

#[test]
fn every_pack_lints_clean_and_passes_its_tests() {
    for pack in packs() {
        let path = pack.to_str().unwrap();
        let (code, out) = run(&["lint", "--format", "json", path]);
        assert_eq!(code, 0, "{out}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["warnings"], 0, "{path}: {out}");
        let (code, out) = run(&["test", path]);
        assert_eq!(code, 0, "{path}: {out}");
        assert!(out.contains("2 cases in 1 files, 2 ok"), "{path}: {out}");
    }
}

#[test]
fn every_pack_lists_manual_claims_for_the_questionnaire() {
    for pack in packs() {
        let path = pack.to_str().unwrap();
        let (code, out) = run(&[
            "controls",
            "--framework",
            "ccm-v4",
            "--format",
            "json",
            "--policies",
            path,
        ]);
        assert_eq!(code, 0, "{out}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        assert!(
            rows.iter()
                .any(|r| !r["manual"].as_array().unwrap().is_empty()),
            "{path} has no manual claims"
        );
    }
}

/// Each pack's CAIQ-Lite v4 questionnaire on its compliant account, with its example attestations:
/// the answers a reader of the pack would get, reviewed question by question when they change.
#[test]
fn golden_questionnaires() {
    let dir = tempfile::tempdir().unwrap();
    for pack in packs() {
        let name = pack.file_name().unwrap().to_str().unwrap().to_string();
        // Relative to the repository root (where the binary runs), so the report names the same
        // source path on every machine.
        let path = format!("examples/{name}");
        let report = dir.path().join(format!("{name}.json"));
        let snapshot = format!("{path}/compliant.snapshot.json");
        let policies = format!("{path}/policies.yaml");
        let (code, stdout, stderr) = common::attestor(&[
            "scan",
            "--snapshot",
            &snapshot,
            "--policies",
            &policies,
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{name}: {stdout}{stderr}");
        let attestations = format!("{path}/attestations.yaml.example");
        let (code, markdown, stderr) = common::attestor(&[
            "questionnaire",
            "--report",
            report.to_str().unwrap(),
            "--framework",
            "caiq-lite-v4",
            "--format",
            "markdown",
            "--attestations",
            &attestations,
        ]);
        assert_eq!(code, 0, "{name}: {stderr}");
        insta::assert_snapshot!(format!("questionnaire_{name}"), markdown);
    }
}
