//! `loosened-default` (warning): a parameter whose default is already looser than its guardrail
//! makes every result of the policy ineligible as evidence; either the default or the guardrail is
//! wrong. (Values set with `--set` are flagged in the report instead.)

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::Context;
use crate::policy::{GuardrailProblem, Policy};

pub fn check(policy: &Policy, _: &Context, out: &mut Vec<Diagnostic>) {
    for param in &policy.parameters {
        let Some(default) = &param.default else {
            continue;
        };
        let (why, help) = match param.guardrail_problem(&default.value) {
            Some(GuardrailProblem::Loosened(why)) => (
                why,
                "results of this policy cannot count as evidence for its controls",
            ),
            Some(GuardrailProblem::Vacuous(why)) => (
                why,
                "a check that cannot fail is no evidence: remove the default so users state the value",
            ),
            None => continue,
        };
        out.push(
            Diagnostic::warning(Code::LoosenedDefault, format!("default of {why}"))
                .at(&policy.file, default.span)
                .with_help(help),
        );
    }
}
