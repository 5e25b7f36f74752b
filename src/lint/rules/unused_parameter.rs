//! `unused-parameter` (warning): a parameter that no condition refers to has no effect when set.
//! Not judged when part of the policy's conditions failed to parse: the reference may be there.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::{Context, visit_conditions};
use crate::policy::{Operand, Policy, Visit};

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.gaps.conditions {
        return;
    }
    let mut used: Vec<&str> = Vec::new();
    visit_conditions(policy, &mut |_, visit| {
        if let Visit::Compare(cmp) = visit
            && let Some(Operand::Param(name)) = cmp.op.operand()
        {
            used.push(&name.value);
        }
    });
    for param in &policy.parameters {
        if !used.contains(&param.name.value.as_str()) {
            out.push(
                Diagnostic::warning(
                    Code::UnusedParameter,
                    format!("parameter `{}` is never used", param.name.value),
                )
                .at(&policy.file, param.name.span)
                .with_help("refer to it in a condition as `{param: NAME}` or remove it"),
            );
        }
    }
}
