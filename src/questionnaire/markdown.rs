//! The questionnaire as Markdown: a summary per domain, then one row per question.

use std::fmt::Write as _;

use super::{Answer, Questionnaire};
use crate::report::{Report, provenance};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

pub fn render(q: &Questionnaire, report: &Report) -> String {
    let mut out = format!("# {} answers\n\n", q.framework.key().to_uppercase());
    for (key, value) in provenance(report) {
        let _ = writeln!(out, "- **{key}:** {}", cell(&value));
    }
    let totals = q.totals();
    out.push_str("\n| Answer | Questions |\n|---|---:|\n");
    for a in Answer::ALL {
        let _ = writeln!(
            out,
            "| {} | {} |",
            a.as_str(),
            totals.get(&a).copied().unwrap_or(0)
        );
    }
    out.push_str("\n## By domain\n\n| Domain | Yes | No | Unknown | Manual | Not applicable |\n|---|---:|---:|---:|---:|---:|\n");
    for (domain, counts) in q.by_domain() {
        let n = |a| counts.get(&a).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&domain),
            n(Answer::Yes),
            n(Answer::No),
            n(Answer::Unknown),
            n(Answer::Manual),
            n(Answer::NotApplicable)
        );
    }
    out.push_str("\n## Questions\n\n| Question | Control | Asks | Answer | Evidence | Notes |\n|---|---|---|---|---|---|\n");
    for row in &q.rows {
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | **{}** | {} | {} |",
            row.question_id,
            row.control,
            cell(&row.control_title),
            cell(&row.summary),
            row.answer.as_str(),
            cell(&row.evidence.join("\n")),
            cell(&row.notes.join("\n")),
        );
    }
    out
}
