//! `unknown-parameter`: `{param: NAME}` refers to a parameter the policy does not define. A name
//! whose definition failed to parse is not reported again.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::{Context, visit_conditions};
use crate::policy::{Operand, Policy, Visit};

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = policy
        .parameters
        .iter()
        .map(|p| p.name.value.as_str())
        .collect();
    visit_conditions(policy, &mut |_, visit| {
        let Visit::Compare(cmp) = visit else { return };
        let Some(Operand::Param(name)) = cmp.op.operand() else {
            return;
        };
        if names.contains(&name.value.as_str()) || ctx.gaps.may_define_parameter(&name.value) {
            return;
        }
        let subject = if ctx.gaps.id {
            "this policy".to_string()
        } else {
            format!("policy `{}`", policy.id.value)
        };
        out.push(
            Diagnostic::error(
                Code::UnknownParameter,
                format!("{subject} has no parameter `{}`", name.value),
            )
            .at(&policy.file, name.span)
            .with_label("undefined parameter")
            .with_suggestion(
                &name.value,
                names.iter().copied(),
                "define it under `parameters:` with a type and a default",
            ),
        );
    });
}
