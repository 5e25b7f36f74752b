//! JUnit XML for CI systems: a test suite per policy, a test case per resource; failures and errors
//! stay distinct, not-applicable results are skipped.

use std::fmt::Write as _;

use super::{Report, metadata_fields};
use crate::eval::Status;

/// XML text: HTML's escaping (valid XML too) minus the control characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\n' | '\r' | '\t'))
        .collect();
    super::html::escape(&allowed)
}

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"attestor\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        s.total(),
        s.fail,
        s.error,
        s.not_applicable + s.waived
    );
    let meta = metadata_fields(report);
    for policy in &report.policies {
        let results: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.finding.policy_id == policy.id)
            .collect();
        let p = &policy.summary;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            xml(&policy.id),
            results.len(),
            p.fail,
            p.error,
            p.not_applicable + p.waived
        );
        out.push_str("    <properties>\n");
        let _ = writeln!(
            out,
            "      <property name=\"title\" value=\"{}\"/>",
            xml(&policy.title)
        );
        let _ = writeln!(
            out,
            "      <property name=\"severity\" value=\"{}\"/>",
            policy.severity.as_str()
        );
        for (k, v) in &meta {
            let _ = writeln!(out, "      <property name=\"{k}\" value=\"{}\"/>", xml(v));
        }
        out.push_str("    </properties>\n");
        for r in results {
            let f = &r.finding;
            let name = format!(
                "{} {} ({} {})",
                f.resource_type,
                f.resource_label(),
                f.account_id,
                f.region
            );
            let detail = f.evidence.iter().fold(String::new(), |mut out, e| {
                let _ = writeln!(out, "{} = {} (expected {})", e.path, e.actual, e.expected);
                out
            });
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml(&name),
                xml(&f.policy_id)
            );
            match f.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml(&f.message),
                        r.severity.as_str(),
                        xml(&detail)
                    );
                }
                Status::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{}\" type=\"undecided\">{}</error>\n    </testcase>",
                        xml(&f.message),
                        xml(&detail)
                    );
                }
                Status::Waived => {
                    // Skipped with the waiver's reason: CI shows it, and it does not fail.
                    let reason = f.waiver.as_ref().map_or_else(
                        || f.message.clone(),
                        |w| {
                            format!(
                                "waived ({} until {}; {}): {}",
                                w.status.as_str(),
                                w.expires,
                                w.at,
                                w.justification
                            )
                        },
                    );
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\">{}</skipped>\n    </testcase>",
                        xml(&reason),
                        xml(&f.message)
                    );
                }
                Status::NotApplicable => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                        f.status.as_str(),
                        xml(&f.message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
