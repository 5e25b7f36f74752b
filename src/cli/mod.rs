//! Command-line interface: flag definitions and dispatch. Each command is a few lines that call the
//! library (policy → inventory → eval → report) and map outcomes to documented exit codes.

mod live;
mod output;

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::controls::Framework;
use crate::diagnostics::{self, Diagnostic};
use crate::eval::{self, Overrides};
use crate::inventory;
use crate::lint;
use crate::policy::{PolicySet, Severity, load};
use crate::report::{self, Format, RenderOptions, Report};
use crate::resource_schema::ResourceSchema;

/// Exit codes, documented in README.
pub mod exit {
    /// Nothing fails at or above `--fail-on`, and nothing is undecided.
    pub const CLEAN: i32 = 0;
    /// Failing results at or above `--fail-on`.
    pub const FAILURES: i32 = 1;
    /// Bad usage, or an invalid policy or input: nothing was evaluated.
    pub const INVALID: i32 = 2;
    /// No failures, but some results are `error` (could not be decided).
    pub const INCOMPLETE: i32 = 3;
}

#[derive(Parser, Debug)]
#[command(
    name = "attestor",
    version,
    about = "Check security claims against the real state of an AWS account"
)]
#[command(
    after_help = "Exit codes: 0 clean, 1 failing findings at/above --fail-on, 2 bad usage or invalid policy/input, 3 incomplete (some results are error)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
// Parsed once per process: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Evaluate policies against an inventory and write a report.
    Scan(ScanArgs),
    /// Check policy files for mistakes (all problems at once). No path = the built-in policies.
    Lint(LintArgs),
    /// Run policy unit tests (`*.test.yaml`) against the policies beside them. Default: ./policies.
    Test(TestArgs),
    /// Re-render a saved JSON report in other formats, without rescanning.
    Report(ReportArgs),
    /// Answer a CAIQ-Lite questionnaire from a saved JSON report.
    Questionnaire(QuestionnaireArgs),
    /// List policies: id, severity, resource type, controls.
    Policies(PoliciesArgs),
    /// List a framework's controls or questions with the policies that give evidence for each.
    Controls(ControlsArgs),
    /// Print a JSON Schema (policy files, snapshots) or a resource type's properties.
    Schema(SchemaArgs),
    /// Read an AWS account live and save it as a snapshot to scan later.
    Snapshot(SnapshotArgs),
    /// Print the minimal read-only IAM policy for the API calls attestor makes.
    Permissions,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["snapshot", "live"])))]
struct ScanArgs {
    /// Snapshot to scan: attestor's format or an AWS Config snapshot (.json or .json.gz).
    #[arg(long, value_name = "PATH")]
    snapshot: Option<PathBuf>,
    /// Read the account live through the AWS SDK (default credential chain).
    #[arg(long)]
    live: bool,
    #[command(flatten)]
    aws: AwsArgs,
    /// Policy files or directories (repeatable). Default: the built-in policies.
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    #[command(flatten)]
    out: ReportOutput,
    /// Also answer this questionnaire (CSV, Markdown and HTML files in --output-dir).
    #[arg(long, value_enum, value_name = "FRAMEWORK", requires = "output_dir")]
    questionnaire: Option<QuestionnaireFramework>,
    #[command(flatten)]
    person: PersonArgs,
    /// Lowest severity whose failures make the exit code 1.
    #[arg(long, value_enum, default_value_t = SeverityArg::Low)]
    fail_on: SeverityArg,
    /// Measure ages from this time (RFC 3339) instead of the snapshot's capture time.
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Set a policy parameter: POLICY.PARAM=VALUE (repeatable). VALUE is JSON, or a plain string.
    #[arg(long = "set", value_name = "POLICY.PARAM=VALUE")]
    set: Vec<String>,
    /// AWS Config data only: resource types the configuration recorder records (comma-separated,
    /// or `all` for allSupported), so their absence from the file counts as evidence of none.
    #[arg(
        long,
        value_name = "TYPES",
        value_delimiter = ',',
        requires = "snapshot"
    )]
    recorded_types: Vec<String>,
}

/// Report formats and where they go.
#[derive(clap::Args, Debug)]
struct ReportOutput {
    /// Output formats, comma-separated (several need --output-dir).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    format: Vec<Format>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH", conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Write one file per format into this directory (report.json, report.sarif, …).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// A JSON report saved by `attestor scan --format json`.
    report: PathBuf,
    #[command(flatten)]
    out: ReportOutput,
}

/// What a person supplies to a questionnaire.
#[derive(clap::Args, Debug, Default)]
struct PersonArgs {
    /// Attestations (YAML): manual claims and questions a person vouches for, with evidence and
    /// an expiry. See README, "Attestations and scoping".
    #[arg(long, value_name = "FILE")]
    attestations: Option<PathBuf>,
    /// Scoping (YAML): questions a person decided do not apply, each with a justification. The
    /// only source of "Not applicable".
    #[arg(long, value_name = "FILE")]
    scoping: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct QuestionnaireArgs {
    /// A JSON report saved by `attestor scan --format json`.
    #[arg(long, value_name = "PATH")]
    report: PathBuf,
    #[arg(long, value_enum)]
    framework: QuestionnaireFramework,
    #[arg(long, value_enum, default_value_t = QuestionnaireFormat::Markdown)]
    format: QuestionnaireFormat,
    /// Write here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
    #[command(flatten)]
    person: PersonArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum QuestionnaireFramework {
    #[value(name = "caiq-lite-v4")]
    CaiqLiteV4,
    #[value(name = "caiq-lite-v3")]
    CaiqLiteV3,
}

impl From<QuestionnaireFramework> for Framework {
    fn from(f: QuestionnaireFramework) -> Framework {
        match f {
            QuestionnaireFramework::CaiqLiteV4 => Framework::CaiqLiteV4,
            QuestionnaireFramework::CaiqLiteV3 => Framework::CaiqLiteV3,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum QuestionnaireFormat {
    Csv,
    Markdown,
    Html,
}

impl QuestionnaireFormat {
    const ALL: [QuestionnaireFormat; 3] = [
        QuestionnaireFormat::Csv,
        QuestionnaireFormat::Markdown,
        QuestionnaireFormat::Html,
    ];

    fn extension(self) -> &'static str {
        match self {
            QuestionnaireFormat::Csv => "csv",
            QuestionnaireFormat::Markdown => "md",
            QuestionnaireFormat::Html => "html",
        }
    }

    fn render(self, q: &crate::questionnaire::Questionnaire, report: &Report) -> String {
        match self {
            QuestionnaireFormat::Csv => crate::questionnaire::csv::render(q, report),
            QuestionnaireFormat::Markdown => crate::questionnaire::markdown::render(q, report),
            QuestionnaireFormat::Html => crate::questionnaire::html::render(q, report),
        }
    }
}

/// Where and how to read AWS (for `scan --live` and `snapshot`).
#[derive(clap::Args, Debug, Clone)]
struct AwsArgs {
    /// Named profile from the AWS config files (else AWS_PROFILE or the default chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Region to read (repeatable). Default: the configured region.
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Read every region enabled for the account.
    #[arg(long, conflicts_with = "regions")]
    all_regions: bool,
    /// Most AWS requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    max_concurrency: usize,
    /// Seconds one attempt of an AWS call may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    call_timeout: u64,
    /// Attempts per AWS call (with backoff; throttling slows the whole run down adaptively).
    #[arg(long, value_name = "N", default_value_t = 5)]
    max_attempts: u32,
    /// Write the API operations called, as JSON, to this file (for audits and tests).
    #[arg(long, value_name = "PATH", hide = true)]
    calls_log: Option<PathBuf>,
    /// No progress on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Print each service and region as it completes, with what could not be read.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(clap::Args, Debug)]
struct SnapshotArgs {
    /// Where to write the snapshot (attestor's format, JSON).
    #[arg(long, value_name = "PATH")]
    output: PathBuf,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(clap::Args, Debug)]
struct LintArgs {
    /// Policy files or directories. Default: the built-in policies.
    paths: Vec<PathBuf>,
    /// Also check these attestations and scoping files against the policy set.
    #[command(flatten)]
    person: PersonArgs,
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
}

#[derive(clap::Args, Debug)]
struct TestArgs {
    /// Directories or files holding policies and their `*.test.yaml` files.
    paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct PoliciesArgs {
    /// Policy files or directories (repeatable). Default: the built-in policies.
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(clap::Args, Debug)]
struct ControlsArgs {
    #[arg(long, value_enum, default_value_t = FrameworkArg::CcmV4)]
    framework: FrameworkArg,
    /// Policy files or directories (repeatable). Default: the built-in policies.
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// List only the entries CAIQ-Lite asks about (CCM v4 has 197 controls, 91 in CAIQ-Lite).
    #[arg(long)]
    lite: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FrameworkArg {
    #[value(name = "ccm-v4")]
    CcmV4,
    #[value(name = "caiq-lite-v4")]
    CaiqLiteV4,
    #[value(name = "caiq-lite-v3")]
    CaiqLiteV3,
}

impl From<FrameworkArg> for Framework {
    fn from(f: FrameworkArg) -> Framework {
        match f {
            FrameworkArg::CcmV4 => Framework::CcmV4,
            FrameworkArg::CaiqLiteV4 => Framework::CaiqLiteV4,
            FrameworkArg::CaiqLiteV3 => Framework::CaiqLiteV3,
        }
    }
}

#[derive(clap::Args, Debug)]
struct SchemaArgs {
    #[arg(value_enum)]
    what: SchemaKind,
    /// With `resource`: the resource type (omit to list the types).
    resource_type: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SchemaKind {
    /// JSON Schema of policy files.
    Policy,
    /// JSON Schema of attestor snapshot files.
    Snapshot,
    /// Property paths and types of a resource type.
    Resource,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DiagnosticFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INVALID
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(diagnostics) => {
            output::diagnostics(&diagnostics, DiagnosticFormat::Human);
            exit::INVALID
        }
    }
}

type CliResult = Result<i32, Vec<Diagnostic>>;

fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Lint(args) => lint_command(args),
        Command::Test(args) => test_command(args),
        Command::Report(args) => report_command(args),
        Command::Questionnaire(args) => questionnaire_command(args),
        Command::Policies(args) => policies_command(args),
        Command::Controls(args) => controls_command(args),
        Command::Snapshot(args) => snapshot_command(args),
        Command::Permissions => permissions_command(),
        Command::Schema(args) => schema_command(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut cmd, "attestor", &mut buffer);
            output::write(None, &String::from_utf8_lossy(&buffer))
        }
    }
}

/// Loads policies (built in, or from paths) and lints them; any error stops the command.
fn load_policies(paths: &[PathBuf]) -> Result<(PolicySet, Vec<Diagnostic>), Vec<Diagnostic>> {
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

fn scan(args: ScanArgs) -> CliResult {
    let (set, _warnings) = load_policies(&args.policies)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|text| {
            text.parse::<jiff::Timestamp>().map_err(|e| {
                vec![Diagnostic::error(
                    "invalid-argument",
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
                "invalid-argument",
                "--attestations and --scoping apply to questionnaires, and no --questionnaire was given",
            )
            .with_help("add --questionnaire caiq-lite-v4 (or caiq-lite-v3) and --output-dir DIR"),
        ]);
    }
    let claims: Vec<&str> = set.manual.iter().map(|m| m.id.value.as_str()).collect();
    let person = person_input(&args.person, &claims)?;
    let inventory = match &args.snapshot {
        Some(path) => {
            let loaded = inventory::load_snapshot(path).map_err(|d| vec![d])?;
            // One unreadable item is reported and charged to its type; the rest is evaluated.
            output::diagnostics(&loaded.warnings, DiagnosticFormat::Human);
            let mut inventory = loaded.inventory;
            if !args.recorded_types.is_empty() {
                inventory
                    .assume_recorded(&args.recorded_types)
                    .map_err(|d| vec![d])?;
            }
            inventory
        }
        None => live::collect(&args.aws)?,
    };
    let evaluation = eval::evaluate(&set, &inventory, &eval::Options { as_of, overrides })?;
    let report = Report::new(&set, &inventory, evaluation);
    write_report(&report, &args.out)?;
    if let (Some(framework), Some(dir)) = (args.questionnaire, &args.out.output_dir) {
        output::diagnostics(&person.expired(&report), DiagnosticFormat::Human);
        let q = crate::questionnaire::build(&report, framework.into(), &person);
        for format in QuestionnaireFormat::ALL {
            let name = format!(
                "questionnaire-{}.{}",
                Framework::from(framework).key(),
                format.extension()
            );
            output::write(Some(&dir.join(name)), &format.render(&q, &report))?;
        }
    }
    Ok(report.exit_code(args.fail_on.into()))
}

/// Renders `report` in every requested format, to standard output, a file, or a directory.
fn write_report(report: &Report, out: &ReportOutput) -> Result<(), Vec<Diagnostic>> {
    let mut formats = out.format.clone();
    formats.dedup();
    if let Some(dir) = &out.output_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            vec![Diagnostic::error(
                "write-failed",
                format!("cannot create {}: {e}", dir.display()),
            )]
        })?;
        for format in formats {
            let text = report::render(report, format, &RenderOptions { color: false })
                .map_err(|d| vec![d])?;
            output::write(Some(&dir.join(format.file_name())), &text)?;
        }
        return Ok(());
    }
    let [format] = formats.as_slice() else {
        return Err(vec![Diagnostic::error(
            "invalid-argument",
            "several --format values need --output-dir (one file per format)",
        )]);
    };
    let color = out.output.is_none() && output::color_for(std::io::stdout().is_terminal());
    let text = report::render(report, *format, &RenderOptions { color }).map_err(|d| vec![d])?;
    output::write(out.output.as_deref(), &text)?;
    Ok(())
}

fn load_report(path: &std::path::Path) -> Result<Report, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        vec![Diagnostic::error(
            "unreadable-input",
            format!("{name}: cannot read report: {e}"),
        )]
    })?;
    let report: Report = serde_json::from_slice(&bytes)
        .map_err(|e| vec![inventory::json_error("report", &name, &bytes, &e)])?;
    if report.schema_version != report::REPORT_SCHEMA_VERSION {
        return Err(vec![Diagnostic::error(
            "invalid-input",
            format!(
                "{name}: report schema version {} is not supported (this attestor reads {})",
                report.schema_version,
                report::REPORT_SCHEMA_VERSION
            ),
        )
        .with_help(
            "re-run `attestor scan --format json` with this attestor (version 2 reports record each control mapping's role and which checks cannot fail)",
        )]);
    }
    Ok(report)
}

fn report_command(args: ReportArgs) -> CliResult {
    let report = load_report(&args.report)?;
    write_report(&report, &args.out)?;
    Ok(exit::CLEAN)
}

fn questionnaire_command(args: QuestionnaireArgs) -> CliResult {
    let report = load_report(&args.report)?;
    let claims: Vec<&str> = report.manual_claims.iter().map(|c| c.id.as_str()).collect();
    let person = person_input(&args.person, &claims)?;
    output::diagnostics(&person.expired(&report), DiagnosticFormat::Human);
    let q = crate::questionnaire::build(&report, args.framework.into(), &person);
    output::write(args.output.as_deref(), &args.format.render(&q, &report))?;
    Ok(exit::CLEAN)
}

/// Loads the attestations and scoping files against the policy set's manual claims: errors stop
/// the run (exit 2) before anything is collected.
fn person_input(
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
fn internal_json_error(e: serde_json::Error) -> Diagnostic {
    Diagnostic::error(
        "internal",
        format!("the JSON output could not be written: {e}"),
    )
    .with_help("this is a bug in attestor: please report it with the command you ran")
}

fn snapshot_command(args: SnapshotArgs) -> CliResult {
    let inventory = live::collect(&args.aws)?;
    let text = inventory::snapshot::to_json(&inventory);
    output::write(Some(&args.output), &text)?;
    if !args.aws.quiet {
        eprintln!(
            "wrote {} configuration items to {} ({} collection errors)",
            inventory.items.len(),
            args.output.display(),
            inventory.collection_errors.len()
        );
    }
    Ok(if inventory.collection_errors.is_empty() {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}

fn permissions_command() -> CliResult {
    output::write(None, &live::permissions()?)
}

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
                "invalid-argument",
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

fn lint_command(args: LintArgs) -> CliResult {
    let (set, parse_diagnostics) = if args.paths.is_empty() {
        load::builtin()
    } else {
        load::from_paths(&args.paths)
    };
    let mut diagnostics = lint::lint(&set, parse_diagnostics);
    // A person's files are checked against the policy set they will be used with. Expiry is
    // judged on today's date here (a lint is a reminder); questionnaires judge it on the report's.
    if let Some(path) = &args.person.attestations {
        let (attestations, parse) = crate::questionnaire::attestations::load(path);
        diagnostics.extend(parse);
        let claims: Vec<&str> = set.manual.iter().map(|m| m.id.value.as_str()).collect();
        let today = jiff::Zoned::now().date();
        diagnostics.extend(attestations.check(&claims, Some(today)));
    }
    if let Some(path) = &args.person.scoping {
        diagnostics.extend(crate::questionnaire::scoping::load(path).1);
    }
    output::diagnostics(&diagnostics, args.format);
    if matches!(args.format, DiagnosticFormat::Human) {
        let errors = diagnostics
            .iter()
            .filter(|d| d.level == diagnostics::Level::Error)
            .count();
        eprintln!(
            "files: {}, policies: {}, errors: {errors}, warnings: {}",
            set.files.len(),
            set.policies.len(),
            diagnostics.len() - errors
        );
    }
    Ok(if diagnostics::has_errors(&diagnostics) {
        exit::INVALID
    } else {
        exit::CLEAN
    })
}

fn test_command(args: TestArgs) -> CliResult {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let (policy_files, test_files) = crate::policytest::discover(&paths);
    if test_files.is_empty() {
        return Err(vec![Diagnostic::error(
            "no-tests",
            format!(
                "no policy test files (*.test.yaml) under {}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )]);
    }
    let (set, _) = load_policies(&policy_files)?;
    let mut diagnostics = Vec::new();
    let mut results = Vec::new();
    for path in &test_files {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::error(
                "unreadable-file",
                format!("{}: {e}", path.display()),
            )]
        })?;
        let file = crate::diagnostics::SourceFile::new(path.display().to_string(), text);
        let (parsed, mut problems) = crate::policytest::parse(&file);
        diagnostics.append(&mut problems);
        if let Some(test_file) = parsed {
            let (mut ran, mut problems) = crate::policytest::run(&test_file, &set);
            results.append(&mut ran);
            diagnostics.append(&mut problems);
        }
    }
    if diagnostics::has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    let mut out = String::new();
    let mut failed = 0;
    for r in &results {
        if r.mismatches.is_empty() {
            out.push_str(&format!("ok      {}:{} {}\n", r.file, r.line, r.name));
        } else {
            failed += 1;
            out.push_str(&format!("FAILED  {}:{} {}\n", r.file, r.line, r.name));
            for m in &r.mismatches {
                out.push_str(&format!("          {m}\n"));
            }
        }
    }
    out.push_str(&format!(
        "\nattestor test: {} cases in {} files, {} ok, {failed} not ok\n",
        results.len(),
        test_files.len(),
        results.len() - failed
    ));
    output::write(None, &out)?;
    Ok(if failed > 0 {
        exit::FAILURES
    } else {
        exit::CLEAN
    })
}

fn policies_command(args: PoliciesArgs) -> CliResult {
    let (set, _) = load_policies(&args.policies)?;
    let mut policies: Vec<_> = set.policies.iter().collect();
    policies.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let text = match args.format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = policies
                .iter()
                .map(|p| {
                    let controls: BTreeMap<&str, Vec<String>> = p
                        .controls_by_framework()
                        .into_iter()
                        .map(|(f, ids)| (f.key(), ids))
                        .collect();
                    serde_json::json!({
                        "id": p.id.value,
                        "title": p.title,
                        "severity": p.severity,
                        "resource_type": p.resource_type.value,
                        "level": p.level,
                        "controls": controls,
                        "file": p.file.name,
                    })
                })
                .collect();
            crate::json::pretty(&rows).map_err(|e| vec![internal_json_error(e)])?
        }
        ListFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(["Policy", "Severity", "Resource type", "Controls"]);
            for p in &policies {
                let controls: Vec<String> = Framework::ALL
                    .iter()
                    .filter_map(|f| {
                        let ids = p.controls_by_framework().remove(f)?;
                        Some(format!("{}: {}", f.key(), ids.join(", ")))
                    })
                    .collect();
                table.add_row(vec![
                    p.id.value.clone(),
                    p.severity.as_str().to_string(),
                    p.resource_type.value.clone(),
                    controls.join("\n"),
                ]);
            }
            format!("{table}\n{} policies\n", policies.len())
        }
    };
    output::write(None, &text)
}

fn controls_command(args: ControlsArgs) -> CliResult {
    let (set, _) = load_policies(&args.policies)?;
    let framework: Framework = args.framework.into();
    let rows: Vec<_> = crate::questionnaire::coverage::coverage(framework, &set)
        .into_iter()
        .filter(|row| !args.lite || row.entry.lite)
        .collect();
    let text = match args.format {
        ListFormat::Json => crate::json::pretty(&rows).map_err(|e| vec![internal_json_error(e)])?,
        ListFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header([
                "ID",
                "Title",
                "Kind",
                "Evidence",
                "Policies / manual claims",
            ]);
            for row in &rows {
                let evidence = if row.automated() {
                    "automated"
                } else if !row.supporting.is_empty() {
                    "context only"
                } else if !row.manual.is_empty() {
                    "manual"
                } else {
                    "no automated check"
                };
                let mut sources = row.policies.clone();
                sources.extend(row.supporting.iter().map(|p| format!("{p} (supports)")));
                sources.extend(row.manual.iter().map(|m| format!("{m} (manual)")));
                table.add_row(vec![
                    row.entry.id.clone(),
                    row.entry.title.clone(),
                    if framework == Framework::CcmV4 {
                        String::new()
                    } else {
                        row.entry.kind.as_str().to_string()
                    },
                    evidence.to_string(),
                    sources.join("\n"),
                ]);
            }
            let automated = rows.iter().filter(|r| r.automated()).count();
            format!(
                "{table}\n{} of {} {} entries have automated evidence\n",
                automated,
                rows.len(),
                framework.key()
            )
        }
    };
    output::write(None, &text)
}

fn schema_command(args: SchemaArgs) -> CliResult {
    let text = match args.what {
        SchemaKind::Policy => crate::policy::schema::policy_schema_json(),
        SchemaKind::Snapshot => inventory::snapshot::schema_json(),
        SchemaKind::Resource => {
            let schema = ResourceSchema::builtin();
            match args.resource_type {
                None => schema.type_names().map(|t| format!("{t}\n")).collect(),
                Some(name) => {
                    let Some(t) = schema.get(&name) else {
                        let help = diagnostics::did_you_mean(&name, schema.type_names());
                        return Err(vec![
                            Diagnostic::error(
                                "unknown-resource-type",
                                format!("unknown resource type `{name}`"),
                            )
                            .with_help_opt(help),
                        ]);
                    };
                    t.leaves()
                        .map(|(path, ty)| format!("{path}\t{}\n", ty.name()))
                        .collect()
                }
            }
        }
    };
    output::write(None, &text)
}
