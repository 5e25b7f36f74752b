//! `duplicate-policy-id`: policy IDs key reports, waivers and parameter overrides, so they are unique.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::lint::Context;
use crate::policy::Policy;

pub fn check(policies: &[Policy], _: &Context, out: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, &Policy> = BTreeMap::new();
    for policy in policies {
        match first.get(policy.id.value.as_str()) {
            None => {
                first.insert(&policy.id.value, policy);
            }
            Some(original) => {
                let file = &original.file.name;
                let (line, col) = original.file.line_col(original.id.span.start);
                out.push(
                    Diagnostic::error(
                        "duplicate-policy-id",
                        format!("policy id `{}` is used twice", policy.id.value),
                    )
                    .at(&policy.file, policy.id.span)
                    .with_label("second definition")
                    .with_help(format!("first defined at {file}:{line}:{col}")),
                );
            }
        }
    }
}
