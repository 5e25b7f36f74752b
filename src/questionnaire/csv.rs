//! The questionnaire as CSV: one row per question, in the framework's order, with the evidence
//! metadata in trailing columns.

use super::Questionnaire;
use crate::report::csv::line;
use crate::report::{Report, metadata_fields};

pub fn render(q: &Questionnaire, report: &Report) -> String {
    let meta = metadata_fields(report);
    let mut header = vec![
        "question_id",
        "control",
        "control_title",
        "domain",
        "question_summary",
        "question_kind",
        "answer",
        "basis",
        "scope_accounts",
        "scope_regions",
        "scope_resource_types",
        "evidence",
        "manual",
        "policies",
        "pass",
        "fail",
        "error",
        "not_applicable",
        "notes",
    ];
    header.extend(meta.iter().map(|(k, _)| *k));
    let mut out = line(header);
    for row in &q.rows {
        let mut fields = vec![
            row.question_id.clone(),
            row.control.clone(),
            row.control_title.clone(),
            row.domain.clone(),
            row.summary.clone(),
            row.kind.as_str().to_string(),
            row.answer.as_str().to_string(),
            row.basis.as_str().to_string(),
            row.scope.accounts.join(" "),
            row.scope.regions.join(" "),
            row.scope.resource_types.join(" "),
            row.evidence.join("\n"),
            super::markdown::manual_lines(row).join("\n"),
            row.policies.join(" "),
            row.counts.pass.to_string(),
            row.counts.fail.to_string(),
            row.counts.error.to_string(),
            row.counts.not_applicable.to_string(),
            row.notes.join("\n"),
        ];
        fields.extend(meta.iter().map(|(_, v)| v.clone()));
        out.push_str(&line(fields));
    }
    out
}
