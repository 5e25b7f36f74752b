//! `unknown-control`: a control or question ID that is not in the framework's CSA catalog.

use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::lint::Context;
use crate::policy::Policy;

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for control in &policy.controls {
        let catalog = ctx.catalog(control.framework);
        if catalog.contains(&control.id.value) {
            continue;
        }
        out.push(
            Diagnostic::error(
                "unknown-control",
                format!(
                    "`{}` is not a {} ID",
                    control.id.value,
                    control.framework.key()
                ),
            )
            .at(&policy.file, control.id.span)
            .with_label("not in the catalog")
            .with_help_opt(did_you_mean(&control.id.value, catalog.ids()).or_else(|| {
                Some(format!(
                    "`attestor controls --framework {}` lists the IDs",
                    control.framework.key()
                ))
            })),
        );
    }
}
