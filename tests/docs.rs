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
