//! `attestor explain POLICY-ID`: what a policy checks, why, how to fix a failure, and which
//! questions and controls it answers.

use super::args::ExplainArgs;
use super::common::load_policies;
use super::{CliResult, exit, output};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::report::listing;

pub(super) fn run(args: ExplainArgs) -> CliResult {
    let (set, _) = load_policies(&args.policies)?;
    let Some(policy) = set.policies.iter().find(|p| p.id.value == args.policy) else {
        let ids = set.policies.iter().map(|p| p.id.value.as_str());
        return Err(vec![
            Diagnostic::error(
                Code::UnknownPolicy,
                format!("no policy `{}` in the policy set", args.policy),
            )
            .with_help(match did_you_mean(&args.policy, ids) {
                Some(suggestion) => format!("{suggestion} (`attestor policies` lists them all)"),
                None => "`attestor policies` lists them all".into(),
            }),
        ]);
    };
    output::write(None, &listing::explain(policy))?;
    Ok(exit::CLEAN)
}
