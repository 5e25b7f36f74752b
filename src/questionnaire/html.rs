//! The questionnaire as one self-contained HTML page: answer counts per CCM domain as a stacked bar
//! chart (inline SVG), then every question with its answer, evidence and notes. Printable.

use std::fmt::Write as _;

use super::{Answer, Questionnaire};
use crate::report::Report;
use crate::report::html::{escape, metadata_block, page};

fn class(answer: Answer) -> &'static str {
    match answer {
        Answer::NotApplicable => "Not-applicable",
        Answer::NoEvidence => "No-evidence",
        other => other.as_str(),
    }
}

fn color(answer: Answer) -> &'static str {
    match answer {
        Answer::Yes => "var(--yes)",
        Answer::Partial => "var(--partial)",
        Answer::No => "var(--no)",
        Answer::Review => "var(--review)",
        Answer::Unknown => "var(--unknown)",
        Answer::NoEvidence => "var(--noevidence)",
        Answer::Manual => "var(--manual)",
        Answer::NotApplicable => "var(--na)",
    }
}

/// Horizontal stacked bars, one per domain, scaled to the largest domain.
fn chart(q: &Questionnaire) -> String {
    let domains = q.by_domain();
    let label_width = 440.0;
    let bar_width = 520.0;
    let row = 22.0;
    let max = domains
        .iter()
        .map(|(_, c)| c.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let height = row * domains.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Answers per domain\" viewBox=\"0 0 {w} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">\n",
        w = label_width + bar_width + 60.0
    );
    for (i, (domain, counts)) in domains.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            y + 13.0,
            escape(domain)
        );
        let mut x = label_width;
        let mut total = 0;
        for answer in Answer::ALL {
            let n = counts.get(&answer).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            total += n;
            let w = bar_width * n as f64 / max;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"16\" style=\"fill:{}\"><title>{}: {n} {}</title></rect>",
                color(answer),
                escape(domain),
                answer.as_str()
            );
            x += w;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\">{total}</text>",
            x + 6.0,
            y + 13.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

pub fn render(q: &Questionnaire, report: &Report) -> String {
    let title = format!("{} answers", q.framework.key().to_uppercase());
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    body.push_str(&metadata_block(report));
    let totals = q.totals();
    body.push_str("<h2>Summary</h2>\n<p class=\"legend\">");
    for a in Answer::ALL {
        let _ = write!(
            body,
            "<span><i style=\"background:{}\"></i>{} {}</span>",
            color(a),
            a.as_str(),
            totals.get(&a).copied().unwrap_or(0)
        );
    }
    body.push_str("</p>\n");
    body.push_str(&chart(q));
    let mut current = String::new();
    for row in &q.rows {
        if row.domain != current {
            if !current.is_empty() {
                body.push_str("</table>\n");
            }
            current.clone_from(&row.domain);
            let _ = writeln!(
                body,
                "<h2>{}</h2>\n<table>\n<tr><th>Question</th><th>Asks</th><th>Answer</th><th>Evidence</th><th class=\"num\">Pass / Fail / Error</th></tr>",
                escape(&current)
            );
        }
        let mut evidence = String::new();
        if !row.evidence.is_empty() || !row.notes.is_empty() || !row.manual.is_empty() {
            evidence.push_str("<ul class=\"evidence\">");
            for e in &row.evidence {
                let _ = write!(evidence, "<li>{}</li>", escape(e));
            }
            for m in &row.manual {
                let _ = write!(
                    evidence,
                    "<li>manual ({}), {}: {}{}</li>",
                    escape(&m.subject),
                    match m.status {
                        super::PartStatus::Attested => "attested",
                        super::PartStatus::Expired => "attestation does not count",
                        super::PartStatus::Pending => "pending",
                    },
                    escape(&m.text),
                    m.attestation
                        .as_ref()
                        .map(|a| format!(" — {}", escape(a)))
                        .unwrap_or_default()
                );
            }
            for n in &row.notes {
                let _ = write!(evidence, "<li class=\"muted\">{}</li>", escape(n));
            }
            evidence.push_str("</ul>");
        }
        let _ = writeln!(
            body,
            "<tr id=\"{id}\"><td><strong>{id}</strong><br><span class=\"muted\">{control} {title}</span></td><td>{asks}</td><td><span class=\"badge {class}\">{answer}</span><br><span class=\"muted\">{basis}; {kind}</span>{scope}</td><td class=\"long\">{evidence}</td><td class=\"num\">{p} / {f} / {e}</td></tr>",
            id = escape(&row.question_id),
            control = escape(&row.control),
            title = escape(&row.control_title),
            asks = escape(&row.summary),
            class = class(row.answer),
            answer = row.answer.as_str(),
            basis = row.basis.as_str(),
            kind = row.kind.as_str(),
            scope = if row.scope.accounts.is_empty() {
                String::new()
            } else {
                format!(
                    "<br><span class=\"muted\">{}</span>",
                    escape(&row.scope.describe())
                )
            },
            p = row.counts.pass,
            f = row.counts.fail,
            e = row.counts.error,
        );
    }
    if !current.is_empty() {
        body.push_str("</table>\n");
    }
    body.push_str("<p class=\"muted\">Question summaries are attestor's own; the official CAIQ wording belongs to the Cloud Security Alliance.</p>\n");
    page(&title, &body)
}
