//! Generated documentation stays current: README's lint-rule table comes from `lint::RULES`.

#[test]
fn readme_lint_rules_table_is_current() {
    let readme = include_str!("../README.md");
    let start = "<!-- lint-rules:start -->\n";
    let end = "<!-- lint-rules:end -->";
    let from = readme.find(start).expect("start marker") + start.len();
    let to = readme.find(end).expect("end marker");
    let expected = attestor::lint::rules_markdown();
    if readme[from..to] != expected {
        // `scripts/generate` asks for the regenerated README at a path of its choosing.
        if let Some(path) = std::env::var_os("ATTESTOR_BLESS_README") {
            let updated = format!("{}{expected}{}", &readme[..from], &readme[to..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!("README.md's lint rule table is stale: run `scripts/generate`\n{expected}");
    }
}

/// CHANGELOG.md follows Keep a Changelog: Unreleased first, then released versions with a date,
/// each with only Added / Changed / Fixed / Removed / Deprecated / Security sections.
#[test]
fn changelog_follows_keep_a_changelog() {
    let text = include_str!("../CHANGELOG.md");
    let versions: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(versions.first(), Some(&"## [Unreleased]"), "{versions:?}");
    for v in &versions[1..] {
        let (name, date) = v
            .trim_start_matches("## [")
            .split_once("] - ")
            .unwrap_or_else(|| panic!("`{v}` is not `## [x.y.z] - YYYY-MM-DD`"));
        assert!(name.split('.').count() == 3, "{v}");
        assert!(date.parse::<jiff::civil::Date>().is_ok(), "{v}");
    }
    for section in text.lines().filter(|l| l.starts_with("### ")) {
        assert!(
            [
                "### Added",
                "### Changed",
                "### Deprecated",
                "### Removed",
                "### Fixed",
                "### Security"
            ]
            .contains(&section),
            "{section}"
        );
    }
}

/// README's Layout section names every module under src/, so a newcomer can find each.
#[test]
fn readme_layout_lists_every_module() {
    let readme = include_str!("../README.md");
    let start = readme.find("## Layout").expect("a Layout section");
    let layout = &readme[start..];
    let layout = &layout[..layout[3..].find("\n## ").map_or(layout.len(), |i| i + 3)];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if matches!(name.as_str(), "mod.rs" | "tests.rs" | "proptests.rs") {
                    continue;
                }
                if !layout.contains(&name) {
                    missing.push(path.strip_prefix(&src).unwrap().display().to_string());
                }
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "README's Layout section does not name: {missing:?}"
    );
}
