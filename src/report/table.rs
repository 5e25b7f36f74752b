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
    // The waived column appears when something is waived, so reports without waivers keep their
    // shape.
    let show_waived = report.summary.waived > 0;
    let mut header = vec![
        "Policy",
        "Severity",
        "Resource type",
        "Pass",
        "Fail",
        "Error",
        "N/A",
    ];
    if show_waived {
        header.push("Waived");
    }
    policies.set_header(header);
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
        let mut row = vec![
            Cell::new(name),
            Cell::new(p.severity.as_str()),
            Cell::new(&p.resource_type),
            Cell::new(s.pass),
            colored(Cell::new(s.fail), s.fail > 0, Color::Red, options),
            colored(Cell::new(s.error), s.error > 0, Color::Yellow, options),
            Cell::new(s.not_applicable),
        ];
        if show_waived {
            row.push(Cell::new(s.waived));
        }
        policies.add_row(row);
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

    // Each policy's failing, undecided and waived rows, in report order.
    let mut rows: std::collections::BTreeMap<(&str, Status), Vec<&super::ResultRow>> =
        std::collections::BTreeMap::new();
    for r in &report.results {
        if matches!(
            r.finding.status,
            Status::Fail | Status::Error | Status::Waived
        ) {
            rows.entry((r.finding.policy_id.as_str(), r.finding.status))
                .or_default()
                .push(r);
        }
    }
    // Failing groups first, then undecided ones; within each, by severity (highest first), then
    // policy. The groups and their sizes come from the policies' counts: a report counted as it
    // streamed holds only the rows shown.
    let mut groups: Vec<(&super::PolicyInfo, Status, usize)> = Vec::new();
    for status in [Status::Fail, Status::Error, Status::Waived] {
        let mut policies: Vec<&super::PolicyInfo> = report.policies.iter().collect();
        policies.sort_by_key(|p| std::cmp::Reverse(p.severity));
        for p in policies {
            let total = match status {
                Status::Fail => p.summary.fail,
                Status::Error => p.summary.error,
                _ => p.summary.waived,
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
    out.push_str(&accounts_section(report, options));
    out.push_str(&baseline_section(report, options));
    out.push_str(&waivers_section(report));
    out.push_str(&format!("\n{}\n", summary_line(&report.summary)));
    out
}

/// A report over several accounts: each account's counts, so the ones that fail stand out.
fn accounts_section(report: &Report, options: &RenderOptions) -> String {
    if report.accounts.is_empty() {
        return String::new();
    }
    let mut table = new_table(options);
    table.set_header(["Account", "Pass", "Fail", "Error", "N/A", "Waived"]);
    for a in &report.accounts {
        let s = &a.summary;
        table.add_row(vec![
            Cell::new(&a.account_id),
            Cell::new(s.pass),
            colored(Cell::new(s.fail), s.fail > 0, Color::Red, options),
            colored(Cell::new(s.error), s.error > 0, Color::Yellow, options),
            Cell::new(s.not_applicable),
            Cell::new(s.waived),
        ]);
    }
    format!("\nBy account ({}):\n{table}\n", report.accounts.len())
}

/// With `--baseline`: how many failing and undecided results are new, and the baseline's that
/// are fixed (at most `--max-rows` listed).
fn baseline_section(report: &Report, options: &RenderOptions) -> String {
    let Some(b) = &report.baseline else {
        return String::new();
    };
    let mut out = format!(
        "\nCompared with {}: {} new, {} existing, {} fixed{}\n",
        b.path,
        group_count(b.new),
        group_count(b.existing),
        group_count(b.fixed.len()),
        super::not_evaluated_note(b)
    );
    if b.fixed.is_empty() {
        return out;
    }
    let mut fixed = new_table(options);
    fixed.set_header(["Fixed", "Policy", "Resource", "Region"]);
    let limit = options.max_rows.unwrap_or(usize::MAX);
    for f in b.fixed.iter().take(limit) {
        let resource = match &f.was.resource_name {
            Some(name) if *name != f.key.resource_id => format!("{name} ({})", f.key.resource_id),
            _ => f.key.resource_id.clone(),
        };
        fixed.add_row(vec![
            Cell::new(format!("was {}", f.was.status.as_str().to_uppercase())),
            Cell::new(&f.key.policy_id),
            Cell::new(format!("{resource}\n{}", f.key.resource_type)),
            Cell::new(&f.key.region),
        ]);
    }
    out.push_str(&fixed.to_string());
    out.push('\n');
    if b.fixed.len() > limit {
        out.push_str(&format!(
            "… and {} more fixed (see --format json, or --max-rows all)\n",
            group_count(b.fixed.len() - limit)
        ));
    }
    out
}

/// With `--waivers`: each waiver, what it waived, and the ones that no longer apply.
fn waivers_section(report: &Report) -> String {
    if report.waivers.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nWaivers:\n");
    for w in &report.waivers {
        let state = match w.state {
            crate::waivers::WaiverState::Applied => format!("waives {}", w.matched),
            crate::waivers::WaiverState::Expired => {
                format!("EXPIRED on {}, waives nothing", w.expires)
            }
            crate::waivers::WaiverState::Unmatched => "matched nothing".to_string(),
        };
        out.push_str(&format!(
            "  {} {} on {}: {state} (until {}; {})\n",
            w.at, w.policy, w.resource, w.expires, w.justification
        ));
    }
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
    let mut word = f.status.as_str().to_uppercase();
    if f.baseline == Some(crate::eval::BaselineState::New) {
        word.push_str("\nnew");
    }
    let status = Cell::new(word);
    let status = match f.status {
        Status::Fail => colored(status, true, Color::Red, options),
        Status::Waived => status,
        _ => colored(status, true, Color::Yellow, options),
    };
    // The policy's own words for a failure when it has them (the values found stay in JSON); a
    // waived result says what it was, until when it is waived, and why.
    let reason = super::attention_reason(Some(policy), f);
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
        Cell::new(reason),
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
