//! `unknown-control`: a control or question ID that is not in the framework's CSA catalog, in a
//! policy or a manual claim.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::Context;
use crate::lint::Subjects;
use crate::policy::ControlRef;

pub fn check(set: &Subjects, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mapped = set
        .policies
        .iter()
        .map(|(p, _)| (&p.file, &p.controls))
        .chain(set.manual.iter().map(|(m, _)| (&m.file, &m.controls)));
    for (file, controls) in mapped {
        for control in controls {
            if let Some(d) = unknown(control, ctx) {
                out.push(d.at(file, control.id.span));
            }
        }
    }
}

fn unknown(control: &ControlRef, ctx: &Context) -> Option<Diagnostic> {
    let catalog = ctx.catalog(control.framework);
    if catalog.contains(&control.id.value) {
        return None;
    }
    Some(
        Diagnostic::error(
            Code::UnknownControl,
            format!(
                "`{}` is not a {} ID",
                control.id.value,
                control.framework.key()
            ),
        )
        .with_label("not in the catalog")
        .with_suggestion(
            &control.id.value,
            catalog.ids(),
            format!(
                "`attestor controls --framework {}` lists the IDs",
                control.framework.key()
            ),
        ),
    )
}
