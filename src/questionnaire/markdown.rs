//! The questionnaire as Markdown: a summary per domain, then one row per question.

use std::fmt::Write as _;

use super::{Answer, PartStatus, Questionnaire, Row};
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
    out.push_str("\n## By domain\n\n| Domain |");
    for a in Answer::ALL {
        let _ = write!(out, " {} |", a.as_str());
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(Answer::ALL.len()));
    out.push('\n');
    for (domain, counts) in q.by_domain() {
        let _ = write!(out, "| {} |", cell(&domain));
        for a in Answer::ALL {
            let _ = write!(out, " {} |", counts.get(&a).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    out.push_str("\n## Questions\n\n| Question | Control | Asks | Answer | Evidence | Manual part | Notes |\n|---|---|---|---|---|---|---|\n");
    for row in &q.rows {
        let mut answer = format!(
            "**{}**<br>{}; {}",
            row.answer.as_str(),
            row.basis.as_str(),
            row.kind.as_str()
        );
        if !row.scope.accounts.is_empty() {
            answer.push_str(&format!("<br>{}", cell(&row.scope.describe())));
        }
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} | {} | {} | {} |",
            row.question_id,
            row.control,
            cell(&row.control_title),
            cell(&row.summary),
            answer,
            cell(&row.evidence.join("\n")),
            cell(&manual_lines(row).join("\n")),
            cell(&row.notes.join("\n")),
        );
    }
    out
}

/// "claim b-jwt-validated: attested by … (evidence: …; expires …)", one per manual part.
pub(crate) fn manual_lines(row: &Row) -> Vec<String> {
    row.manual
        .iter()
        .map(|m| {
            let status = match m.status {
                PartStatus::Attested => "attested",
                PartStatus::Expired => "attestation does not count",
                PartStatus::Pending => "pending",
            };
            match &m.attestation {
                Some(a) => format!("{} ({status}): {a}", m.subject),
                None => format!("{} ({status}): {}", m.subject, m.text),
            }
        })
        .collect()
}
