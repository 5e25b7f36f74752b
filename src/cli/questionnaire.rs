//! `attestor questionnaire`: answer a CAIQ-Lite questionnaire from a saved JSON report.

use super::args::{DiagnosticFormat, QuestionnaireArgs};
use super::common::{load_report, person_input};
use super::{CliResult, exit, output};

pub(super) fn run(args: QuestionnaireArgs) -> CliResult {
    let report = load_report(&args.report)?;
    super::common::refuse_plan_questionnaire(&report)?;
    let claims: Vec<&str> = report.manual_claims.iter().map(|c| c.id.as_str()).collect();
    let person = person_input(&args.person, &claims)?;
    output::diagnostics(&person.expired(&report), DiagnosticFormat::Human);
    let q = crate::questionnaire::build(&report, args.framework.into(), &person);
    output::write(args.output.as_deref(), &args.format.render(&q, &report))?;
    Ok(exit::CLEAN)
}
