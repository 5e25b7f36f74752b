//! Helpers several commands share: loading policies, reports and a person's files, and writing
//! reports.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use super::args::{DiagnosticFormat, PersonArgs, ReportOutput};
use super::output;
use crate::diagnostics::Code;
use crate::diagnostics::{self, Diagnostic};
use crate::inventory;
use crate::lint;
use crate::policy::{PolicySet, load};
use crate::report::{self, RenderOptions, Report};

/// Loads policies (built in, or from paths) and lints them; any error stops the command.
pub(super) fn load_policies(
    paths: &[PathBuf],
) -> Result<(PolicySet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (set, parse_diagnostics) = if paths.is_empty() {
        load::builtin()
    } else {
        load::from_paths(paths)
    };
    let diagnostics = lint::lint(&set, parse_diagnostics);
    if diagnostics::has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    Ok((set, diagnostics))
}

/// Renders `report` in every requested format, to standard output, a file, or a directory.
/// Returns the files written (none for standard output).
pub(super) fn write_report(
    report: &Report,
    out: &ReportOutput,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    write_formats(out, |format, options, w| {
        report::render_to(report, format, options, w)
    })
}

/// [`write_report`] for a report whose results are produced as they are written
/// ([`report::write_streamed`]): every format must be one that streams.
pub(super) fn write_report_streamed(
    report: &Report,
    prepared: &crate::eval::Prepared<'_>,
    out: &ReportOutput,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    write_formats(out, |format, options, w| {
        report::write_streamed(report, prepared, format, options, w)
    })
}

/// Writes each requested format with `render`: one file each into `--output-dir`, or the one
/// format to `--output` or standard output.
fn write_formats(
    out: &ReportOutput,
    render: impl Fn(report::Format, &RenderOptions, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let mut formats = out.format.clone();
    formats.dedup();
    if let Some(dir) = &out.output_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            vec![Diagnostic::error(
                Code::WriteFailed,
                format!("cannot create {}: {e}", dir.display()),
            )]
        })?;
        let options = RenderOptions {
            color: false,
            max_rows: out.max_rows.0,
        };
        let mut written = Vec::new();
        for format in formats {
            let path = dir.join(format.file_name());
            output::write_with(Some(&path), |w| render(format, &options, w))?;
            written.push(path);
        }
        return Ok(written);
    }
    let [format] = formats.as_slice() else {
        return Err(vec![Diagnostic::error(
            Code::InvalidArgument,
            "several --format values need --output-dir (one file per format)",
        )]);
    };
    let color = out.output.is_none() && output::color_for(std::io::stdout().is_terminal());
    let options = RenderOptions {
        color,
        max_rows: out.max_rows.0,
    };
    output::write_with(out.output.as_deref(), |w| render(*format, &options, w))?;
    Ok(out.output.iter().cloned().collect())
}

/// Reads a JSON report saved by `attestor scan --format json`, of this attestor's schema version.
pub(super) fn load_report(path: &Path) -> Result<Report, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = crate::diagnostics::read_input(path).map_err(|e| {
        vec![Diagnostic::error(
            Code::UnreadableInput,
            format!("{name}: cannot read report: {e}"),
        )]
    })?;
    report::parse_json(&name, &bytes).map_err(|e| vec![e])
}

/// Loads the attestations and scoping files against the policy set's manual claims: errors stop
/// the run (exit 2) before anything is collected.
pub(super) fn person_input(
    args: &PersonArgs,
    claims: &[&str],
) -> Result<crate::questionnaire::PersonInput, Vec<Diagnostic>> {
    let (person, diagnostics) = crate::questionnaire::PersonInput::load(
        args.attestations.as_deref(),
        args.scoping.as_deref(),
        claims,
    );
    if diagnostics::has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    output::diagnostics(&diagnostics, DiagnosticFormat::Human);
    Ok(person)
}

/// A listing that could not be serialised: a bug, said as one.
pub(super) fn internal_json_error(e: serde_json::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Internal,
        format!("the JSON output could not be written: {e}"),
    )
    .with_help("this is a bug in attestor: please report it with the command you ran")
}

/// A questionnaire answers for an account; a Terraform plan shows only the resources it changes,
/// so answers from it would say Yes about resources nobody looked at.
pub(super) fn refuse_plan_questionnaire(report: &Report) -> Result<(), Vec<Diagnostic>> {
    if report.source.kind == inventory::SourceKind::TerraformPlan {
        return Err(vec![
            Diagnostic::error(
                Code::InvalidInput,
                "a questionnaire cannot be answered from a Terraform plan: the plan shows only the resources it changes, not the account",
            )
            .with_help("answer it from a scan of the account: `attestor scan --live` or `--snapshot`"),
        ]);
    }
    Ok(())
}

/// Reads `--baseline`: the results of a JSON report any attestor version wrote (every schema
/// version has the same result identity fields), keeping their identity, status and message.
pub(super) fn load_baseline(
    path: &Path,
) -> Result<crate::eval::baseline::Baseline, Vec<Diagnostic>> {
    use crate::eval::baseline::{Baseline, Previous, ResultKey};
    #[derive(serde::Deserialize)]
    struct File {
        schema_version: u32,
        results: Vec<Row>,
    }
    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(flatten)]
        key: ResultKey,
        status: crate::eval::Status,
        #[serde(default)]
        resource_name: Option<String>,
        #[serde(default)]
        message: String,
    }
    let name = path.display().to_string();
    let bytes = crate::diagnostics::read_input(path).map_err(|e| {
        vec![
            Diagnostic::error(
                Code::UnreadableInput,
                format!("{name}: cannot read the baseline report: {e}"),
            )
            .with_help("write one with `attestor scan … --format json --output FILE` on the default branch"),
        ]
    })?;
    let file: File = serde_json::from_slice(&bytes)
        .map_err(|e| vec![inventory::json_error("baseline report", &name, &bytes, &e)])?;
    if file.schema_version > report::REPORT_SCHEMA_VERSION {
        return Err(vec![Diagnostic::error(
            Code::InvalidInput,
            format!(
                "{name}: report schema version {} was written by a newer attestor (this one reads up to {})",
                file.schema_version,
                report::REPORT_SCHEMA_VERSION
            ),
        )]);
    }
    Ok(Baseline::new(
        name,
        file.results.into_iter().map(|r| {
            (
                r.key,
                Previous {
                    status: r.status,
                    resource_name: r.resource_name,
                    message: r.message,
                },
            )
        }),
    ))
}
