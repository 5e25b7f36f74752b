//! `loosened-default` (warning): a parameter whose default is already looser than its guardrail
//! makes every result of the policy ineligible as evidence; either the default or the guardrail is
//! wrong. (Values set with `--set` are flagged in the report instead.)

use crate::diagnostics::Diagnostic;
use crate::duration::Duration;
use crate::lint::Context;
use crate::policy::{ParamType, Policy};

pub fn check(policy: &Policy, _: &Context, out: &mut Vec<Diagnostic>) {
    for param in &policy.parameters {
        let Some(guardrail) = &param.guardrail else {
            continue;
        };
        let number = match param.kind {
            ParamType::Duration => param
                .default
                .value
                .as_str()
                .and_then(|s| Duration::parse(s).ok())
                .map(|d| d.seconds as f64),
            _ => param.default.value.as_f64(),
        };
        let Some(number) = number else { continue };
        let show = |n: f64| match param.kind {
            ParamType::Duration => Duration { seconds: n as i64 }.to_string(),
            _ => crate::eval::compile::format_number(n),
        };
        if let Some(why) = guardrail.violation(number, show) {
            out.push(
                Diagnostic::warning(
                    "loosened-default",
                    format!("default of parameter `{}`: {why}", param.name.value),
                )
                .at(&policy.file, param.default.span)
                .with_help("results of this policy cannot count as evidence for its controls"),
            );
        }
    }
}
