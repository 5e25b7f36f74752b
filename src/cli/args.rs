//! Flags and arguments: every clap type. Their doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::controls::Framework;
use crate::policy::Severity;
use crate::report::{Format, Report};

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
    pub(super) command: Command,
}

#[derive(Subcommand, Debug)]
// Parsed once per process: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub(super) enum Command {
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
    /// Explain a policy: what it checks, why, how to fix a failure, what it answers.
    Explain(ExplainArgs),
    /// List a framework's controls or questions with the policies that give evidence for each.
    Controls(ControlsArgs),
    /// Print a JSON Schema (policy files, snapshots) or a resource type's properties.
    Schema(SchemaArgs),
    /// Read an AWS account live and save it as a snapshot to scan later.
    Snapshot(SnapshotArgs),
    /// Print the minimal read-only IAM policy for the API calls attestor makes.
    Permissions(PermissionsArgs),
    /// Scaffold a repository for the CI gate: a policies directory with an example policy and its
    /// test, a waivers file and a GitHub Actions workflow (never overwriting without --force).
    Init(super::init::InitArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["snapshot", "live", "terraform_plan"])))]
pub(super) struct ScanArgs {
    /// Snapshots to scan: attestor's format or AWS Config data (.json or .json.gz). Several
    /// files, or directories (searched for .json and .json.gz files), are scanned as one
    /// inventory: an organisation's per-account snapshots give one report.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub(super) snapshot: Vec<PathBuf>,
    /// A Terraform plan as `terraform show -json PLAN` writes it: the planned AWS resources are
    /// checked before apply.
    #[arg(long, value_name = "PLAN.json")]
    pub(super) terraform_plan: Option<PathBuf>,
    /// Read the account live through the AWS SDK (default credential chain).
    #[arg(long)]
    pub(super) live: bool,
    #[command(flatten)]
    pub(super) aws: AwsArgs,
    /// Policy files or directories (repeatable); `builtin` names the built-in policies, so
    /// `--policies builtin --policies policies/` runs a team's own beside them. Default: built-in.
    #[arg(long = "policies", value_name = "PATH")]
    pub(super) policies: Vec<PathBuf>,
    /// With --live: read every setting of every type, not only what the policies read.
    #[arg(long, requires = "live")]
    pub(super) collect_all: bool,
    #[command(flatten)]
    pub(super) out: ReportOutput,
    /// Also answer this questionnaire (CSV, Markdown and HTML files in --output-dir). Not from a
    /// Terraform plan: a plan shows only the resources it changes, never a whole account.
    #[arg(
        long,
        value_enum,
        value_name = "FRAMEWORK",
        requires = "output_dir",
        conflicts_with = "terraform_plan"
    )]
    pub(super) questionnaire: Option<QuestionnaireFramework>,
    #[command(flatten)]
    pub(super) person: PersonArgs,
    /// Lowest severity whose failures make the exit code 1.
    #[arg(long, value_enum, default_value_t = SeverityArg::Low)]
    pub(super) fail_on: SeverityArg,
    /// Measure ages from this time (RFC 3339) instead of the snapshot's capture time.
    #[arg(long, value_name = "TIME")]
    pub(super) as_of: Option<String>,
    /// Waivers (YAML): documented, time-limited decisions not to fix a finding. A `fail` or
    /// `error` a waiver in force matches is `waived`, with its justification, in every format.
    #[arg(long, value_name = "FILE")]
    pub(super) waivers: Option<PathBuf>,
    /// Accept waivers that expire more than a year ahead.
    #[arg(long, requires = "waivers")]
    pub(super) allow_long_waivers: bool,
    /// An earlier JSON report (`--format json`): each `fail` and `error` is marked `new` or
    /// `existing`, and the baseline's that are gone are listed as fixed.
    #[arg(long, value_name = "REPORT.json")]
    pub(super) baseline: Option<PathBuf>,
    /// With --baseline: exit 1 (or 3) only for new failures (or new errors).
    #[arg(long, requires = "baseline")]
    pub(super) fail_on_new: bool,
    /// Evidence in the report: `summary` keeps every failing and undecided result's evidence and
    /// each pass's message (which states the values read); `all` keeps each pass's evidence too.
    /// Default: `all` with --questionnaire or OSCAL (answers keep the values behind a Yes),
    /// otherwise `summary`.
    #[arg(long, value_enum)]
    pub(super) evidence: Option<EvidenceArg>,
    /// Set a policy parameter: POLICY.PARAM=VALUE (repeatable). VALUE is JSON, or a plain string.
    #[arg(long = "set", value_name = "POLICY.PARAM=VALUE")]
    pub(super) set: Vec<String>,
    /// AWS Config data only: resource types the configuration recorder records (comma-separated,
    /// or `all` for allSupported), so their absence from the file counts as evidence of none.
    #[arg(
        long,
        value_name = "TYPES",
        value_delimiter = ',',
        requires = "snapshot"
    )]
    pub(super) recorded_types: Vec<String>,
}

/// Report formats and where they go.
#[derive(clap::Args, Debug)]
pub(super) struct ReportOutput {
    /// Output formats, comma-separated (several need --output-dir).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub(super) format: Vec<Format>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH", conflicts_with = "output_dir")]
    pub(super) output: Option<PathBuf>,
    /// Write one file per format into this directory (report.json, report.sarif, …).
    #[arg(long, value_name = "DIR")]
    pub(super) output_dir: Option<PathBuf>,
    /// The table's failing and undecided rows per policy and status: a number, or `all`. The
    /// other formats always carry every result.
    #[arg(long, value_name = "N|all", default_value = "10", value_parser = parse_max_rows)]
    pub(super) max_rows: MaxRows,
}

/// `--max-rows`: a limit, or every row.
#[derive(Debug, Clone, Copy)]
pub(super) struct MaxRows(pub(super) Option<usize>);

fn parse_max_rows(text: &str) -> Result<MaxRows, String> {
    if text == "all" {
        return Ok(MaxRows(None));
    }
    text.parse::<usize>()
        .map(|n| MaxRows(Some(n)))
        .map_err(|_| format!("`{text}` is not a number of rows or `all`"))
}

#[derive(clap::Args, Debug)]
pub(super) struct ReportArgs {
    /// A JSON report saved by `attestor scan --format json`.
    pub(super) report: PathBuf,
    #[command(flatten)]
    pub(super) out: ReportOutput,
}

/// What a person supplies to a questionnaire.
#[derive(clap::Args, Debug, Default)]
pub(super) struct PersonArgs {
    /// Attestations (YAML): manual claims and questions a person vouches for, with evidence and
    /// an expiry. See README, "Attestations and scoping".
    #[arg(long, value_name = "FILE")]
    pub(super) attestations: Option<PathBuf>,
    /// Scoping (YAML): questions a person decided do not apply, each with a justification. The
    /// only source of "Not applicable".
    #[arg(long, value_name = "FILE")]
    pub(super) scoping: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub(super) struct QuestionnaireArgs {
    /// A JSON report saved by `attestor scan --format json`.
    #[arg(long, value_name = "PATH")]
    pub(super) report: PathBuf,
    #[arg(long, value_enum)]
    pub(super) framework: QuestionnaireFramework,
    #[arg(long, value_enum, default_value_t = QuestionnaireFormat::Markdown)]
    pub(super) format: QuestionnaireFormat,
    /// Write here (atomically) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub(super) output: Option<PathBuf>,
    #[command(flatten)]
    pub(super) person: PersonArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum QuestionnaireFramework {
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
pub(super) enum QuestionnaireFormat {
    Csv,
    Markdown,
    Html,
}

impl QuestionnaireFormat {
    pub(super) const ALL: [QuestionnaireFormat; 3] = [
        QuestionnaireFormat::Csv,
        QuestionnaireFormat::Markdown,
        QuestionnaireFormat::Html,
    ];

    pub(super) fn extension(self) -> &'static str {
        match self {
            QuestionnaireFormat::Csv => "csv",
            QuestionnaireFormat::Markdown => "md",
            QuestionnaireFormat::Html => "html",
        }
    }

    pub(super) fn render(self, q: &crate::questionnaire::Questionnaire, report: &Report) -> String {
        match self {
            QuestionnaireFormat::Csv => crate::questionnaire::csv::render(q, report),
            QuestionnaireFormat::Markdown => crate::questionnaire::markdown::render(q, report),
            QuestionnaireFormat::Html => crate::questionnaire::html::render(q, report),
        }
    }
}

/// Where and how to read AWS (for `scan --live` and `snapshot`).
#[derive(clap::Args, Debug, Clone)]
pub(super) struct AwsArgs {
    /// Named profile from the AWS config files (else AWS_PROFILE or the default chain).
    #[arg(long, value_name = "NAME")]
    pub(super) profile: Option<String>,
    /// Region to read (repeatable). Default: the configured region.
    #[arg(long = "region", value_name = "REGION")]
    pub(super) regions: Vec<String>,
    /// Read every region enabled for the account.
    #[arg(long, conflicts_with = "regions")]
    pub(super) all_regions: bool,
    /// Most AWS requests in flight at once, across every account.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub(super) max_concurrency: usize,
    /// Most AWS requests in flight at once in one account, so one account's throttling never
    /// starves the others. Default: 8 with several accounts; with one, --max-concurrency.
    #[arg(long, value_name = "N")]
    pub(super) max_concurrency_per_account: Option<usize>,
    /// Read every active account of the AWS Organization through the role of this name in each
    /// (arn:aws:iam::ACCOUNT:role/NAME); the caller's own account with its own credentials.
    #[arg(long, value_name = "NAME")]
    pub(super) org_role: Option<String>,
    /// Read the account of this role, assuming it (repeatable): several accounts without
    /// Organizations.
    #[arg(long = "role-arn", value_name = "ARN")]
    pub(super) role_arns: Vec<String>,
    /// With --org-role or --role-arn: only these accounts (comma-separated IDs).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub(super) accounts: Vec<String>,
    /// With --org-role or --role-arn: not these accounts (comma-separated IDs).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub(super) exclude_accounts: Vec<String>,
    /// With --org-role: only the accounts in this organisational unit and the units below it.
    #[arg(long, value_name = "OU-ID", requires = "org_role")]
    pub(super) ou: Option<String>,
    /// The external ID the member roles' trust policies require.
    #[arg(long, value_name = "ID")]
    pub(super) external_id: Option<String>,
    /// The session name of the assumed roles (shows in the member accounts' CloudTrail).
    #[arg(long, value_name = "NAME", default_value = "attestor")]
    pub(super) role_session_name: String,
    /// Seconds each assumed-role session lasts; the credentials are renewed before they expire.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(super) role_session_duration: u64,
    /// Seconds one attempt of an AWS call may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub(super) call_timeout: u64,
    /// Attempts per AWS call (with backoff; throttling slows the whole run down adaptively).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(super) max_attempts: u32,
    /// Write the API operations called, as JSON, to this file (for audits and tests).
    #[arg(long, value_name = "PATH", hide = true)]
    pub(super) calls_log: Option<PathBuf>,
    /// No progress and no closing summary on standard error.
    #[arg(long, short)]
    pub(super) quiet: bool,
    /// Print each service and region as it completes, then the API calls made (per service and
    /// region, and per operation) and what could not be read, one line per cause.
    #[arg(long, short)]
    pub(super) verbose: bool,
}

#[derive(clap::Args, Debug)]
pub(super) struct PermissionsArgs {
    /// Print what organisation mode (--org-role) needs, as one JSON document: the hub's policy
    /// (list the accounts, assume the member roles), and each member role's trust policy and
    /// permissions policy.
    #[arg(long)]
    pub(super) organization: bool,
}

#[derive(clap::Args, Debug)]
pub(super) struct SnapshotArgs {
    /// Where to write the snapshot (attestor's format, JSON).
    #[arg(long, value_name = "PATH")]
    pub(super) output: PathBuf,
    /// Read only what these policies read (files or directories, repeatable; `builtin` names the
    /// built-in ones). What they do not read is recorded as not collected, so a later scan with
    /// other policies gives `error` for it. Default: read everything.
    #[arg(long = "policies", value_name = "PATH")]
    pub(super) policies: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) aws: AwsArgs,
}

#[derive(clap::Args, Debug)]
pub(super) struct LintArgs {
    /// Policy files or directories. Default: the built-in policies.
    pub(super) paths: Vec<PathBuf>,
    /// Also check these attestations and scoping files against the policy set.
    #[command(flatten)]
    pub(super) person: PersonArgs,
    /// Also check waiver files (one or more) against the policy set: unknown policies, bad
    /// dates, missing justifications, expiries more than a year ahead (errors), and waivers
    /// expired or expiring within 14 days (warnings).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(super) waivers: Vec<PathBuf>,
    /// Accept waivers that expire more than a year ahead.
    #[arg(long)]
    pub(super) allow_long_waivers: bool,
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub(super) format: DiagnosticFormat,
}

#[derive(clap::Args, Debug)]
pub(super) struct TestArgs {
    /// Directories or files holding policies and their `*.test.yaml` files.
    pub(super) paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub(super) struct PoliciesArgs {
    /// Policy files or directories (repeatable); `builtin` names the built-in policies, so
    /// `--policies builtin --policies policies/` runs a team's own beside them. Default: built-in.
    #[arg(long = "policies", value_name = "PATH")]
    pub(super) policies: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(super) format: ListFormat,
}

#[derive(clap::Args, Debug)]
pub(super) struct ExplainArgs {
    /// The policy's ID, e.g. `iam-root-mfa` (`attestor policies` lists them).
    pub(super) policy: String,
    /// Policy files or directories (repeatable); `builtin` names the built-in policies, so
    /// `--policies builtin --policies policies/` runs a team's own beside them. Default: built-in.
    #[arg(long = "policies", value_name = "PATH")]
    pub(super) policies: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub(super) struct ControlsArgs {
    #[arg(long, value_enum, default_value_t = FrameworkArg::CcmV4)]
    pub(super) framework: FrameworkArg,
    /// Policy files or directories (repeatable); `builtin` names the built-in policies, so
    /// `--policies builtin --policies policies/` runs a team's own beside them. Default: built-in.
    #[arg(long = "policies", value_name = "PATH")]
    pub(super) policies: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(super) format: ListFormat,
    /// List only the entries CAIQ-Lite asks about (CCM v4 has 197 controls, 91 in CAIQ-Lite).
    #[arg(long)]
    pub(super) lite: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum FrameworkArg {
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
pub(super) struct SchemaArgs {
    #[arg(value_enum)]
    pub(super) what: SchemaKind,
    /// With `resource`: the resource type (omit to list the types).
    pub(super) resource_type: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum SchemaKind {
    /// JSON Schema of policy files.
    Policy,
    /// JSON Schema of attestor snapshot files.
    Snapshot,
    /// JSON Schema of waiver files.
    Waivers,
    /// Property paths and types of a resource type.
    Resource,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum DiagnosticFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum SeverityArg {
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

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum EvidenceArg {
    Summary,
    All,
}

impl From<EvidenceArg> for crate::eval::EvidenceDetail {
    fn from(e: EvidenceArg) -> Self {
        match e {
            EvidenceArg::Summary => crate::eval::EvidenceDetail::Summary,
            EvidenceArg::All => crate::eval::EvidenceDetail::All,
        }
    }
}
