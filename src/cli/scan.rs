//! `attestor scan`: evaluate policies against a snapshot or a live account and write a report.

use std::collections::BTreeMap;

use super::args::{DiagnosticFormat, QuestionnaireFormat, ScanArgs};
use super::common::{load_policies, person_input, write_report, write_report_streamed};
use super::{CliResult, live, output};
use crate::controls::Framework;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::eval::{self, Overrides};
use crate::inventory;
use crate::report::Report;

pub(super) fn run(args: ScanArgs) -> CliResult {
    let (set, _warnings) = load_policies(&args.policies)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|text| {
            text.parse::<jiff::Timestamp>().map_err(|e| {
                vec![Diagnostic::error(
                    Code::InvalidArgument,
                    format!(
                        "--as-of `{text}` is not an RFC 3339 time (e.g. 2026-11-01T00:00:00Z): {e}"
                    ),
                )]
            })
        })
        .transpose()?;
    let overrides = parse_overrides(&args.set)?;
    if args.questionnaire.is_none()
        && (args.person.attestations.is_some() || args.person.scoping.is_some())
    {
        return Err(vec![
            Diagnostic::error(
                Code::InvalidArgument,
                "--attestations and --scoping apply to questionnaires, and no --questionnaire was given",
            )
            .with_help("add --questionnaire caiq-lite-v4 (or caiq-lite-v3) and --output-dir DIR"),
        ]);
    }
    let claims: Vec<&str> = set.manual.iter().map(|m| m.id.value.as_str()).collect();
    let person = person_input(&args.person, &claims)?;
    // Waivers and the baseline are read before anything is collected: a mistake in either stops
    // the run (exit 2) rather than waiving too little or comparing with nothing.
    let waivers = match &args.waivers {
        Some(path) => Some(load_waivers(
            path,
            &set,
            args.allow_long_waivers,
            !args.policies.is_empty(),
        )?),
        None => None,
    };
    let baseline = args
        .baseline
        .as_deref()
        .map(super::common::load_baseline)
        .transpose()?;
    // Only what the policies read is kept of each item, whatever the source: a large account
    // fits in memory, and live items go through the same seam as a file's.
    let keep = eval::keep_for(&set);
    let inventory = if !args.snapshot.is_empty() {
        let loaded = inventory::merge::load_all(&args.snapshot, &keep)?;
        // One unreadable item is reported and charged to its type; the rest is evaluated.
        output::diagnostics(&loaded.warnings, DiagnosticFormat::Human);
        let mut inventory = loaded.inventory;
        if !args.recorded_types.is_empty() {
            inventory
                .assume_recorded(&args.recorded_types)
                .map_err(|d| vec![d])?;
        }
        inventory
    } else if let Some(path) = &args.terraform_plan {
        let loaded = inventory::terraform::load_terraform_plan(path).map_err(|d| vec![d])?;
        output::diagnostics(&loaded.warnings, DiagnosticFormat::Human);
        let mut inventory = loaded.inventory;
        inventory.keep_only(&keep);
        inventory
    } else {
        // Only what the policies that will run read is asked for, unless --collect-all: a policy
        // waiting for a parameter (not configured) gives no result, so it reads nothing.
        let planned: Vec<&crate::policy::Policy> = set
            .policies
            .iter()
            .filter(|p| eval::compile::is_configured(p, &overrides))
            .collect();
        let mut inventory =
            live::collect(&args.aws, (!args.collect_all).then_some(planned.as_slice()))?;
        inventory.keep_only(&keep);
        inventory
    };
    // Waivers are judged on the evaluation date (--as-of, else the capture time), else today.
    let day = as_of.or(inventory.source.captured_at).map_or_else(
        || jiff::Zoned::now().date(),
        |t| t.to_zoned(jiff::tz::TimeZone::UTC).date(),
    );
    let options = eval::Options {
        as_of,
        overrides,
        // Answers and OSCAL assessments keep the values behind each pass.
        evidence: args
            .evidence
            .unwrap_or(
                if args.questionnaire.is_some()
                    || args.out.format.contains(&crate::report::Format::Oscal)
                {
                    super::args::EvidenceArg::All
                } else {
                    super::args::EvidenceArg::Summary
                },
            )
            .into(),
        waivers: waivers.as_ref().map(|w| w.active(day)).unwrap_or_default(),
        baseline,
    };
    // The waivers' states go into the report before it is written; what the run learnt about
    // them (expired, expiring, matching nothing) is said once the results are counted.
    let with_waivers = |mut report: Report| {
        if let Some(w) = &waivers {
            report.waivers = w.states(day, &report.waived_by);
            output::diagnostics(
                &w.run_diagnostics(day, &report.waived_by),
                DiagnosticFormat::Human,
            );
        }
        report
    };
    let streams = args.questionnaire.is_none() && args.out.format.iter().all(|f| f.streams());
    let (report, mut written) = if streams {
        // JSON, JSON Lines and CSV are written as results are produced: everything is evaluated
        // once to count (keeping the table's bounded rows), then again, in order, a chunk at a
        // time as it is written. No list of every result is held.
        let prepared = eval::prepare(&set, &inventory, &options)?;
        // The table's rows are kept while counting: at most --max-rows per policy and status.
        let table_rows = args
            .out
            .format
            .contains(&crate::report::Format::Table)
            .then_some(args.out.max_rows.0);
        let report = with_waivers(Report::counted(&set, &inventory, &prepared, table_rows));
        let written = write_report_streamed(&report, &prepared, &args.out)?;
        (report, written)
    } else {
        let report = with_waivers(Report::new(
            &set,
            &inventory,
            eval::evaluate(&set, &inventory, &options)?,
        ));
        // The items are no longer needed: free them before the reports are written.
        drop(inventory);
        let written = write_report(&report, &args.out)?;
        (report, written)
    };
    if let (Some(framework), Some(dir)) = (args.questionnaire, &args.out.output_dir) {
        output::diagnostics(&person.expired(&report), DiagnosticFormat::Human);
        let q = crate::questionnaire::build(&report, framework.into(), &person);
        for format in QuestionnaireFormat::ALL {
            let name = format!(
                "questionnaire-{}.{}",
                Framework::from(framework).key(),
                format.extension()
            );
            let path = dir.join(name);
            output::write(Some(&path), &format.render(&q, &report))?;
            written.push(path);
        }
    }
    let code = report.exit_code(args.fail_on.into(), args.fail_on_new);
    if !args.aws.quiet {
        // After the table on standard output, the summary follows it there; after any other
        // report (a file, or JSON on standard output), it goes to standard error.
        let text = super::summary::render(
            &report,
            &written,
            code,
            args.fail_on.into(),
            args.fail_on_new,
        );
        let table_on_stdout = args.out.output.is_none()
            && args.out.output_dir.is_none()
            && args.out.format.as_slice() == [crate::report::Format::Table];
        if table_on_stdout {
            output::write(None, &format!("\n{text}"))?;
        } else {
            output::note(format_args!("{}", text.trim_end()));
        }
    }
    Ok(code)
}

/// Parses `--set POLICY.PARAM=VALUE` items; a value that is not JSON is a plain string.
fn parse_overrides(items: &[String]) -> Result<Overrides, Vec<Diagnostic>> {
    let mut overrides: Overrides = BTreeMap::new();
    let mut errors = Vec::new();
    for item in items {
        let parsed = item.split_once('=').and_then(|(key, value)| {
            key.split_once('.')
                .map(|(policy, param)| (policy, param, value))
        });
        match parsed {
            Some((policy, param, value)) if !policy.is_empty() && !param.is_empty() => {
                let value = serde_json::from_str(value)
                    .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
                overrides
                    .entry(policy.to_string())
                    .or_default()
                    .insert(param.to_string(), value);
            }
            _ => errors.push(Diagnostic::error(
                Code::InvalidArgument,
                format!(
                    "--set `{item}`: expected POLICY.PARAM=VALUE, e.g. kms-key-rotation.max_days=90"
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(overrides)
    } else {
        Err(errors)
    }
}

/// Reads `--waivers` and checks it against the policy set; errors (an unknown policy, an expiry
/// more than a year ahead) stop the run. Expiry warnings come after evaluation, on its date.
fn load_waivers(
    path: &std::path::Path,
    set: &crate::policy::PolicySet,
    allow_long: bool,
    partial_set: bool,
) -> Result<crate::waivers::Waivers, Vec<Diagnostic>> {
    let (waivers, mut diagnostics) = crate::waivers::load(path);
    let ids: Vec<&str> = set.policies.iter().map(|p| p.id.value.as_str()).collect();
    let today = jiff::Zoned::now().date();
    for mut d in waivers.check(&ids, today, allow_long) {
        match (d.level, d.code) {
            // A waivers file shared by runs over parts of the policy set names policies a run
            // does not have: such a waiver waives nothing, so it is said, not fatal (`attestor
            // lint --waivers` makes it an error against the whole set).
            (_, Code::UnknownPolicy) if partial_set => {
                d.level = crate::diagnostics::Level::Warning;
                d.message
                    .push_str(", which this run does not evaluate: it waives nothing");
                diagnostics.push(d);
            }
            (crate::diagnostics::Level::Error, _) => diagnostics.push(d),
            // Expiry warnings are said after evaluation, on the evaluation date.
            _ => {}
        }
    }
    if crate::diagnostics::has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    output::diagnostics(&diagnostics, DiagnosticFormat::Human);
    Ok(waivers)
}
