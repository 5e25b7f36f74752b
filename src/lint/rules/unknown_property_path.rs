//! `unknown-property-path`: a path the resource type does not have in the resource schema.

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::lint::{Context, visit_conditions};
use crate::policy::{PathContext, Policy, Spanned, Visit};
use crate::resource_schema::PathKind;

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    visit_conditions(policy, &mut |pctx, visit| {
        let path = match visit {
            Visit::Compare(cmp) => &cmp.path,
            Visit::ElementsPath(p) | Visit::LinkPath(p) => p,
            Visit::LinkType(_) => return,
        };
        report(policy, pctx, path, ctx, out);
    });
}

fn report(
    policy: &Policy,
    pctx: &PathContext,
    path: &Spanned<String>,
    ctx: &Context,
    out: &mut Vec<Diagnostic>,
) {
    // Unknown types are reported by their own rule; paths cannot be checked without a schema.
    let Some(schema) = ctx.schema.get(pctx.resource_type) else {
        return;
    };
    let full = pctx.full_path(&path.value);
    if schema.lookup(&full) != PathKind::Unknown {
        return;
    }
    // Suggest in the form the user wrote: relative to the element inside a quantifier.
    let candidates: Vec<&str> = schema
        .all_paths()
        .filter_map(|p| p.strip_prefix(pctx.prefix.as_str()))
        .collect();
    let shown = if pctx.prefix.is_empty() {
        format!("`{}`", path.value)
    } else {
        format!("`{}` (full path `{full}`)", path.value)
    };
    out.push(
        Diagnostic::error(
            Code::UnknownPropertyPath,
            format!("{} has no property {shown}", pctx.resource_type),
        )
        .at(&policy.file, path.span)
        .with_label("unknown property")
        .with_help_opt(did_you_mean(&path.value, candidates)),
    );
}
