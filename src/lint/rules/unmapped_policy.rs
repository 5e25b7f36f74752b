//! `unmapped-policy` (warning): results of a policy with no controls never reach a questionnaire.
//! Not judged when `controls` or `id` failed to parse.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::Context;
use crate::policy::Policy;

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if policy.controls.is_empty() && !ctx.gaps.controls && !ctx.gaps.id {
        out.push(
            Diagnostic::warning(Code::UnmappedPolicy, format!("policy `{}` is mapped to no control", policy.id.value))
                .at(&policy.file, policy.id.span)
                .with_help("add `controls:` with ccm-v4 / caiq-lite-v4 / caiq-lite-v3 IDs so results count as evidence"),
        );
    }
}
