//! The closing summary every `scan` ends with: what was found, what was covered, what could not
//! be read, where the reports went and what the exit code means — so a run whose report went to a
//! file (or a CI log) never ends in silence.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::policy::Severity;
use crate::report::Report;

use crate::report::table::group_count as thousands;

/// At most `limit` names, then "and N more".
fn some_of(names: &[String], limit: usize) -> String {
    if names.len() <= limit {
        names.join(", ")
    } else {
        format!(
            "{}, and {} more",
            names[..limit].join(", "),
            names.len() - limit
        )
    }
}

/// The summary block, one fact a line. `written`: the files written (none when the report went
/// to standard output).
pub(super) fn render(
    report: &Report,
    written: &[PathBuf],
    exit_code: i32,
    fail_on: Severity,
    only_new: bool,
) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "attestor: {} results: {} pass, {} fail, {} error, {} not applicable{}",
        thousands(s.total()),
        thousands(s.pass),
        thousands(s.fail),
        thousands(s.error),
        thousands(s.not_applicable),
        if s.waived > 0 {
            format!(", {} waived", thousands(s.waived))
        } else {
            String::new()
        }
    );
    if s.fail > 0 {
        // From the policies' counts: a streamed report holds no results.
        let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for p in report.policies.iter().filter(|p| p.summary.fail > 0) {
            *by_severity
                .entry(std::cmp::Reverse(p.severity))
                .or_default() += p.summary.fail;
        }
        let counts: Vec<String> = by_severity
            .iter()
            .map(|(severity, n)| format!("{} {}", thousands(*n), severity.0.as_str()))
            .collect();
        let _ = writeln!(out, "  failing by severity: {}", counts.join(", "));
    }
    let source = &report.source;
    let what = match source.kind {
        crate::inventory::SourceKind::AttestorSnapshot => "attestor snapshot",
        crate::inventory::SourceKind::TerraformPlan => "Terraform plan",
        crate::inventory::SourceKind::AwsConfigSnapshot => "AWS Config data",
        crate::inventory::SourceKind::Live => "live AWS",
    };
    let place = source
        .path
        .as_deref()
        .map_or_else(String::new, |p| format!(" {p}"));
    let _ = writeln!(
        out,
        "  covered: {what}{place}; {} account(s) ({}), {} region(s) ({})",
        source.account_ids.len(),
        some_of(&source.account_ids, 3),
        source.regions.len(),
        some_of(&source.regions, 4),
    );
    if !report.not_collected.is_empty() {
        let operations: std::collections::BTreeSet<String> = report
            .not_collected
            .iter()
            .map(|e| e.operation.clone())
            .collect();
        let operations: Vec<String> = operations.into_iter().collect();
        let _ = writeln!(
            out,
            "  not read (no policy of the run reads it): {} operation(s) ({})",
            operations.len(),
            some_of(&operations, 4)
        );
    }
    if !report.collection_errors.is_empty() {
        // One line per operation and cause, however many places it happened in.
        let mut causes: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
        for e in &report.collection_errors {
            let operation = if e.iam_action == crate::inventory::NO_IAM_ACTION {
                format!("reading {}", e.resource_types.join(", "))
            } else {
                format!("{} ({})", e.operation, e.iam_action)
            };
            causes
                .entry((operation, e.error_code.clone(), e.service.clone()))
                .or_default()
                .push(format!("{}/{}", e.account_id, e.region));
        }
        let _ = writeln!(
            out,
            "  could not read ({} cause(s); the affected results are `error`):",
            causes.len()
        );
        for ((operation, code, _), places) in &causes {
            let _ = writeln!(
                out,
                "    {operation}: {code} in {} place(s) ({})",
                places.len(),
                some_of(places, 3)
            );
        }
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "  compared with {}: {} new, {} existing, {} fixed{}",
            b.path,
            thousands(b.new),
            thousands(b.existing),
            thousands(b.fixed.len()),
            crate::report::not_evaluated_note(b)
        );
    }
    if !report.waivers.is_empty() {
        use crate::waivers::WaiverState;
        let count = |state| report.waivers.iter().filter(|w| w.state == state).count();
        let _ = writeln!(
            out,
            "  waivers: {} applied, {} expired (no longer waive anything), {} matched nothing",
            count(WaiverState::Applied),
            count(WaiverState::Expired),
            count(WaiverState::Unmatched)
        );
    }
    if !written.is_empty() {
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(out, "  wrote: {}", files.join(", "));
    }
    // With --fail-on-new only what the baseline did not have decides the code.
    let new = if only_new { "new " } else { "" };
    let meaning = match exit_code {
        1 => format!(
            "exit 1: {new}results fail at or above severity {} (--fail-on{})",
            fail_on.as_str(),
            if only_new { ", --fail-on-new" } else { "" }
        ),
        3 => format!(
            "exit 3: nothing {new}fails at or above severity {}, but {} {new}result(s) could not be decided (error): \
             see each one's message",
            fail_on.as_str(),
            thousands(if only_new { s.new_error } else { s.error })
        ),
        _ if only_new => format!(
            "exit {exit_code}: nothing new fails at or above severity {}, and every new result was decided (--fail-on-new)",
            fail_on.as_str()
        ),
        _ => format!(
            "exit {exit_code}: nothing fails at or above severity {}, and every result was decided",
            fail_on.as_str()
        ),
    };
    let _ = writeln!(out, "  {meaning}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        let names: Vec<String> = (1..=5).map(|i| format!("r{i}")).collect();
        assert_eq!(some_of(&names[..2], 3), "r1, r2");
        assert_eq!(some_of(&names, 3), "r1, r2, r3, and 2 more");
    }
}
