//! `unknown-resource-type`: the policy (or a `related` link) names a type the resource schema lacks.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::{Context, visit_conditions};
use crate::policy::{Policy, Spanned, Visit};

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A missing `resource` was reported while parsing; its placeholder is no type to judge.
    if !ctx.gaps.resource_type {
        report(policy, &policy.resource_type, ctx, out);
    }
    visit_conditions(policy, &mut |_, visit| {
        if let Visit::LinkType(t) = visit {
            report(policy, t, ctx, out);
        }
    });
}

fn report(policy: &Policy, name: &Spanned<String>, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.schema.has_type(&name.value) {
        return;
    }
    out.push(
        Diagnostic::error(
            Code::UnknownResourceType,
            format!("unknown resource type `{}`", name.value),
        )
        .at(&policy.file, name.span)
        .with_label("not in the resource schema")
        .with_suggestion(
            &name.value,
            ctx.schema.type_names(),
            "types follow AWS Config / CloudFormation names, e.g. `AWS::RDS::DBInstance`",
        ),
    );
}
