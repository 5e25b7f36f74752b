//! The terminal table: counts per policy, then what failed or errored and why.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::{RenderOptions, Report, provenance, summary_line};
use crate::eval::Status;

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    for (key, value) in provenance(report) {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out.push('\n');

    let mut policies = new_table(options);
    policies.set_header([
        "Policy",
        "Severity",
        "Resource type",
        "Pass",
        "Fail",
        "Error",
        "N/A",
    ]);
    for p in &report.policies {
        let s = &p.summary;
        let mut name = p.id.clone();
        if p.not_configured.is_some() {
            name.push_str(" (not configured)");
        } else if p.vacuous.is_some() {
            name.push_str(" (passes are not evidence)");
        } else if !p.counts_as_evidence {
            name.push_str(" (not evidence: guardrail)");
        }
        policies.add_row(vec![
            Cell::new(name),
            Cell::new(p.severity.as_str()),
            Cell::new(&p.resource_type),
            Cell::new(s.pass),
            colored(Cell::new(s.fail), s.fail > 0, Color::Red, options),
            colored(Cell::new(s.error), s.error > 0, Color::Yellow, options),
            Cell::new(s.not_applicable),
        ]);
    }
    out.push_str(&policies.to_string());
    out.push('\n');
    for p in report
        .policies
        .iter()
        .filter(|p| p.not_configured.is_some())
    {
        out.push_str(&format!(
            "{} did not run: {}\n",
            p.id,
            p.not_configured.as_deref().unwrap_or_default()
        ));
    }

    // Each policy's failing and undecided rows, in report order.
    let mut rows: std::collections::BTreeMap<(&str, Status), Vec<&super::ResultRow>> =
        std::collections::BTreeMap::new();
    for r in &report.results {
        if matches!(r.finding.status, Status::Fail | Status::Error) {
            rows.entry((r.finding.policy_id.as_str(), r.finding.status))
                .or_default()
                .push(r);
        }
    }
    // Failing groups first, then undecided ones; within each, by severity (highest first), then
    // policy. The groups and their sizes come from the policies' counts: a report counted as it
    // streamed holds only the rows shown.
    let mut groups: Vec<(&super::PolicyInfo, Status, usize)> = Vec::new();
    for status in [Status::Fail, Status::Error] {
        let mut policies: Vec<&super::PolicyInfo> = report.policies.iter().collect();
        policies.sort_by_key(|p| std::cmp::Reverse(p.severity));
        for p in policies {
            let total = match status {
                Status::Fail => p.summary.fail,
                _ => p.summary.error,
            };
            if total > 0 {
                groups.push((p, status, total));
            }
        }
    }
    if !groups.is_empty() {
        let mut details = new_table(options);
        details.set_header(["Status", "Policy", "Resource", "Region", "Reason"]);
        let limit = options.max_rows.unwrap_or(usize::MAX);
        for (policy, status, total) in groups {
            let shown = rows
                .get(&(policy.id.as_str(), status))
                .into_iter()
                .flatten()
                .take(limit);
            for r in shown {
                details.add_row(detail_row(r, policy, options));
            }
            if total > limit {
                details.add_row(vec![
                    Cell::new(""),
                    Cell::new(format!("{} ({})", policy.id, policy.severity.as_str())),
                    Cell::new(format!(
                        "… and {} more {} (see --format json, or --max-rows all)",
                        group_count(total - limit),
                        status.as_str()
                    )),
                    Cell::new(""),
                    Cell::new(""),
                ]);
            }
        }
        out.push('\n');
        out.push_str(&details.to_string());
        out.push('\n');
    }
    out.push_str(&format!("\n{}\n", summary_line(&report.summary)));
    out
}

/// One failing or undecided result: the policy with its title (what is wrong, in words), the
/// resource by name, and what is wrong: the policy's message, else the evaluator's reason.
fn detail_row(
    r: &super::ResultRow,
    policy: &super::PolicyInfo,
    options: &RenderOptions,
) -> Vec<Cell> {
    let f = &r.finding;
    let status = Cell::new(f.status.as_str().to_uppercase());
    let status = match f.status {
        Status::Fail => colored(status, true, Color::Red, options),
        _ => colored(status, true, Color::Yellow, options),
    };
    vec![
        status,
        Cell::new(format!(
            "{} ({})\n{}",
            f.policy_id,
            r.severity.as_str(),
            policy.title
        )),
        Cell::new(format!("{}\n{}", f.resource_label(), f.resource_type)),
        Cell::new(&f.region),
        // The policy's own words for a failure when it has them; the values found stay in JSON.
        Cell::new(policy.headline(f).unwrap_or_else(|| f.message.clone())),
    ]
}

/// 41337 → "41,337": counts as people read them (the table, the CLI's closing summary).
pub fn group_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn new_table(options: &RenderOptions) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    if options.color {
        table.enforce_styling();
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        // Piped output: no wrapping, so it is stable in CI logs and greps one finding per line.
        table.force_no_tty();
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    table
}

fn colored(cell: Cell, when: bool, color: Color, options: &RenderOptions) -> Cell {
    if options.color && when {
        cell.fg(color)
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    /// The table of a report counted as it streamed (only the rows shown kept) is the table of
    /// the report with every result held, at any row limit.
    #[test]
    fn a_counted_report_gives_the_held_reports_table() {
        use crate::report::{RenderOptions, Report};
        for (path, set) in crate::testing::fixture_cases() {
            let inventory = crate::inventory::load_snapshot(&path).unwrap().inventory;
            let options = crate::eval::Options::default();
            let held = Report::new(
                &set,
                &inventory,
                crate::eval::evaluate(&set, &inventory, &options).unwrap(),
            );
            let prepared = crate::eval::prepare(&set, &inventory, &options).unwrap();
            for max_rows in [Some(0), Some(1), Some(3), None] {
                let counted = Report::counted(&set, &inventory, &prepared, Some(max_rows));
                let options = RenderOptions {
                    color: false,
                    max_rows,
                };
                assert_eq!(
                    super::render(&counted, &options),
                    super::render(&held, &options),
                    "{}: {max_rows:?}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::group_count(7), "7");
        assert_eq!(super::group_count(41_337), "41,337");
        assert_eq!(super::group_count(1_000_000), "1,000,000");
    }
}
