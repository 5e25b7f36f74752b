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
