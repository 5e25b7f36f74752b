//! Markdown report: for pull-request comments and wikis.

use std::fmt::Write as _;

use super::{
    Report, attention_reason, attention_rows, gate_lines, provenance, status_label, summary_line,
};

pub fn render(report: &Report) -> String {
    let mut out = String::from("# attestor report\n\n");
    for (key, value) in provenance(report) {
        let _ = writeln!(out, "- **{key}:** {}", escape(&value));
    }
    let _ = writeln!(out, "\n**Summary:** {}\n", summary_line(&report.summary));
    // The waived column appears when something is waived, so reports without waivers keep their
    // shape.
    let waived = report.summary.waived > 0;
    out.push_str(if waived {
        "## Policies\n\n| Policy | Severity | Resource type | Pass | Fail | Error | N/A | Waived |\n|---|---|---|---:|---:|---:|---:|---:|\n"
    } else {
        "## Policies\n\n| Policy | Severity | Resource type | Pass | Fail | Error | N/A |\n|---|---|---|---:|---:|---:|---:|\n"
    });
    for p in &report.policies {
        let s = &p.summary;
        let title = match p.evidence_note() {
            None => escape(&p.title),
            Some(note) => format!("{} ({})", escape(&p.title), escape(&note)),
        };
        let _ = write!(
            out,
            "| `{}` {title} | {} | `{}` | {} | {} | {} | {} |",
            p.id,
            p.severity.as_str(),
            p.resource_type,
            s.pass,
            s.fail,
            s.error,
            s.not_applicable
        );
        if waived {
            let _ = write!(out, " {} |", s.waived);
        }
        out.push('\n');
    }
    if !report.accounts.is_empty() {
        out.push_str("\n## By account\n\n| Account | Pass | Fail | Error | N/A | Waived |\n|---|---:|---:|---:|---:|---:|\n");
        for a in &report.accounts {
            let s = &a.summary;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                a.account_id, s.pass, s.fail, s.error, s.not_applicable, s.waived
            );
        }
    }
    let gate = gate_lines(report);
    if !gate.is_empty() {
        out.push_str("\n## Baseline and waivers\n\n");
        for line in gate {
            let _ = writeln!(out, "- {}", escape(&line));
        }
    }
    let rows = attention_rows(report);
    if rows.is_empty() {
        out.push_str("\nNo failures and no errors.\n");
        return out;
    }
    out.push_str("\n## Failures and errors\n\n| Status | Severity | Policy | Resource | Account | Region | Reason |\n|---|---|---|---|---|---|---|\n");
    let policies: std::collections::BTreeMap<&str, &super::PolicyInfo> =
        report.policies.iter().map(|p| (p.id.as_str(), p)).collect();
    for r in rows {
        let f = &r.finding;
        let policy = policies.get(f.policy_id.as_str());
        let title = policy.map(|p| p.title.as_str()).unwrap_or_default();
        let reason = attention_reason(policy.copied(), f);
        let _ = writeln!(
            out,
            "| {} | {} | `{}` {} | `{}` {} | {} | {} | {} |",
            status_label(f),
            r.severity.as_str(),
            f.policy_id,
            escape(title),
            f.resource_label(),
            escape(&f.resource_type),
            f.account_id,
            f.region,
            escape(&reason)
        );
    }
    out
}

/// Keeps table cells intact: pipes and newlines would break the row.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
