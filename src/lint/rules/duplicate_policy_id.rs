//! `duplicate-policy-id`: policy IDs key reports, waivers and parameter overrides, and manual claim
//! IDs key questionnaire rows, so all of them are unique across the set.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, SourceFile};
use crate::lint::{Context, Subjects};
use crate::policy::Spanned;

pub fn check(set: &Subjects, _: &Context, out: &mut Vec<Diagnostic>) {
    // A missing ID (reported while parsing) has an empty placeholder, which duplicates nothing.
    let ids: Vec<(&Arc<SourceFile>, &Spanned<String>)> = set
        .policies
        .iter()
        .filter(|(_, gaps)| !gaps.id)
        .map(|(p, _)| (&p.file, &p.id))
        .chain(
            set.manual
                .iter()
                .filter(|(_, gaps)| !gaps.id)
                .map(|(m, _)| (&m.file, &m.id)),
        )
        .collect();
    let mut first: BTreeMap<&str, (&Arc<SourceFile>, &Spanned<String>)> = BTreeMap::new();
    for (file, id) in ids {
        match first.get(id.value.as_str()) {
            None => {
                first.insert(&id.value, (file, id));
            }
            Some((original_file, original)) => {
                let (line, col) = original_file.line_col(original.span.start);
                let mut diag = Diagnostic::error(
                    Code::DuplicatePolicyId,
                    format!("policy id `{}` is used twice", id.value),
                )
                .at(file, id.span)
                .with_label("second definition")
                .with_help(format!(
                    "first defined at {}:{line}:{col}",
                    original_file.name
                ));
                // In the same file, point at the first one too.
                if Arc::ptr_eq(file, original_file) {
                    diag = diag.with_secondary_label(original.span, "first defined here");
                }
                out.push(diag);
            }
        }
    }
}
