//! Self-contained HTML: one file, inline CSS and SVG, no scripts and no network requests, printable.
//! The page shell and escaping here are shared with the questionnaire's HTML.

use std::fmt::Write as _;

use super::{
    Report, attention_reason, attention_rows, gate_lines, provenance, status_label, summary_line,
};

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { --yes: #1a7f37; --partial: #4ac26b; --no: #cf222e; --review: #bc4c00; --unknown: #bf8700; --noevidence: #8c959f; --manual: #6e7781; --na: #afb8c1; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #d8dee4; overflow-wrap: break-word; }
th { background: #f6f8fa; font-weight: 600; }
th, td.num, td.word { white-space: nowrap; }
td.long { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; font-size: 12px; color: #57606a; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; word-break: break-all; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; color: #fff; font-weight: 600; font-size: 12px; white-space: nowrap; }
.Yes, .pass { background: var(--yes); } .No, .fail { background: var(--no); } .Unknown, .error { background: var(--unknown); }
.Partial { background: var(--partial); color: #1f2328; } .Review { background: var(--review); } .No-evidence { background: var(--noevidence); }
.Manual { background: var(--manual); } .Not-applicable, .not_applicable, .waived { background: var(--na); color: #1f2328; }
.legend span { margin-right: 1rem; font-size: 12px; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
ul.evidence { margin: 0; padding-left: 1rem; } .muted { color: #57606a; font-size: 12px; }
svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
";

/// A complete HTML document around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// The provenance block shown at the top of every HTML output.
pub fn metadata_block(report: &Report) -> String {
    let mut out = String::from("<dl class=\"meta\">\n");
    for (key, value) in provenance(report) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(&key), escape(&value));
    }
    out.push_str("</dl>\n");
    out
}

pub fn render(report: &Report) -> String {
    let mut body = String::from("<h1>attestor report</h1>\n");
    body.push_str(&metadata_block(report));
    let _ = writeln!(
        body,
        "<p><strong>{}</strong></p>",
        escape(&summary_line(&report.summary))
    );
    // The waived column appears when something is waived.
    let waived = report.summary.waived > 0;
    body.push_str("<h2>Policies</h2>\n<table>\n<tr><th>Policy</th><th>Severity</th><th>Resource type</th><th class=\"num\">Pass</th><th class=\"num\">Fail</th><th class=\"num\">Error</th><th class=\"num\">N/A</th>");
    body.push_str(if waived {
        "<th class=\"num\">Waived</th></tr>\n"
    } else {
        "</tr>\n"
    });
    for p in &report.policies {
        let s = &p.summary;
        let note = p
            .evidence_note()
            .map(|n| format!(" <span class=\"muted\">({})</span>", escape(&n)))
            .unwrap_or_default();
        let waived_cell = if waived {
            format!("<td class=\"num\">{}</td>", s.waived)
        } else {
            String::new()
        };
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code> {}{note}</td><td class=\"word\">{}</td><td class=\"long\"><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{waived_cell}</tr>",
            escape(&p.id),
            escape(&p.title),
            p.severity.as_str(),
            escape(&p.resource_type),
            s.pass,
            s.fail,
            s.error,
            s.not_applicable
        );
    }
    body.push_str("</table>\n");
    if !report.accounts.is_empty() {
        body.push_str("<h2>By account</h2>\n<table>\n<tr><th>Account</th><th class=\"num\">Pass</th><th class=\"num\">Fail</th><th class=\"num\">Error</th><th class=\"num\">N/A</th><th class=\"num\">Waived</th></tr>\n");
        for a in &report.accounts {
            let s = &a.summary;
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&a.account_id),
                s.pass,
                s.fail,
                s.error,
                s.not_applicable,
                s.waived
            );
        }
        body.push_str("</table>\n");
    }
    let gate = gate_lines(report);
    if !gate.is_empty() {
        body.push_str("<h2>Baseline and waivers</h2>\n<ul>\n");
        for line in gate {
            let _ = writeln!(body, "<li>{}</li>", escape(&line));
        }
        body.push_str("</ul>\n");
    }
    let rows = attention_rows(report);
    if !rows.is_empty() {
        body.push_str("<h2>Failures and errors</h2>\n<table>\n<tr><th>Status</th><th>Policy</th><th>Resource</th><th>Region</th><th>Reason</th></tr>\n");
        let policies: std::collections::BTreeMap<&str, &super::PolicyInfo> =
            report.policies.iter().map(|p| (p.id.as_str(), p)).collect();
        for r in rows {
            let f = &r.finding;
            let reason = attention_reason(policies.get(f.policy_id.as_str()).copied(), f);
            let _ = writeln!(
                body,
                "<tr><td class=\"word\"><span class=\"badge {}\">{}</span></td><td><code>{}</code> ({})</td><td class=\"long\"><code>{}</code><br><span class=\"muted\">{} · {}</span></td><td class=\"word\">{}</td><td class=\"long\">{}</td></tr>",
                f.status.as_str(),
                escape(&status_label(f)),
                escape(&f.policy_id),
                r.severity.as_str(),
                escape(&f.resource_label()),
                escape(&f.resource_type),
                escape(&f.account_id),
                escape(&f.region),
                escape(&reason)
            );
        }
        body.push_str("</table>\n");
    }
    page("attestor report", &body)
}
