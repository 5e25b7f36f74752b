//! Reports: the evaluation, with its provenance, in a form every output format renders from.
//! One file per format; [`Format`] is the registry.

pub mod csv;
pub mod evidence;
pub mod html;
pub mod json;
pub mod junit;
pub mod listing;
pub mod markdown;
pub mod oscal;
pub mod policy_tests;
pub mod sarif;
pub mod table;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::controls::Role;
use crate::eval::baseline::{Baseline, Fixed, ResultKey};
use crate::eval::compile::NotConfigured;
use crate::eval::{BaselineState, CompiledPolicy, Evaluation, Finding, Prepared, Status};
use crate::inventory::{CollectionError, Inventory, SourceInfo};
use crate::policy::{Level, Policy, PolicySet, Severity};
use crate::waivers::WaiverInfo;

/// Results evaluated and written at a time when a report is streamed ([`write_streamed`]).
const STREAM_CHUNK: usize = 8192;

/// Counts of results, overall and per policy, as they are produced.
#[derive(Default)]
struct Counts<'b> {
    per_policy: BTreeMap<String, Summary>,
    per_account: BTreeMap<String, Summary>,
    summary: Summary,
    baseline: Option<&'b Baseline>,
    /// Results waived by each waiver (by where it is written).
    waived_by: HashMap<String, usize>,
    /// The baseline's open results seen open again (the rest are fixed).
    seen: HashSet<ResultKey>,
}

impl<'b> Counts<'b> {
    fn new(baseline: Option<&'b Baseline>) -> Self {
        Counts {
            baseline,
            ..Counts::default()
        }
    }

    fn add(&mut self, f: &Finding) {
        match self.per_policy.get_mut(f.policy_id.as_str()) {
            Some(s) => s.add(f),
            None => self
                .per_policy
                .entry(f.policy_id.clone())
                .or_default()
                .add(f),
        }
        self.summary.add(f);
        match self.per_account.get_mut(f.account_id.as_str()) {
            Some(s) => s.add(f),
            None => self
                .per_account
                .entry(f.account_id.clone())
                .or_default()
                .add(f),
        }
        if let Some(w) = &f.waiver {
            *self.waived_by.entry(w.at.clone()).or_default() += 1;
        }
        if let Some(baseline) = self.baseline
            && crate::eval::baseline::is_open(f.status)
        {
            let key = ResultKey::of(f);
            if baseline.contains(&key) {
                self.seen.insert(key);
            }
        }
    }
}

/// Each compiled policy's severity, by ID: every result carries its policy's.
fn severities(policies: &[CompiledPolicy]) -> BTreeMap<&str, Severity> {
    policies
        .iter()
        .map(|p| (p.id.as_str(), p.severity))
        .collect()
}

/// Version of the JSON report layout; bumped on incompatible changes.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub source: SourceInfo,
    /// Calls that failed: the results reading their data are `error`.
    pub collection_errors: Vec<CollectionError>,
    /// Data the live run chose not to read, because no policy of the run reads it (error code
    /// `NotCollected`): no result depends on it, and a later scan reading it gives `error`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_collected: Vec<CollectionError>,
    /// The time ages were measured from (`--as-of`, else the capture time): never the wall clock,
    /// so the same inputs give the same report.
    pub evaluated_at: Option<jiff::Timestamp>,
    /// How much evidence the results carry: `summary` (a pass keeps its message, not its
    /// evidence list) or `all`. Reports written before this field carry all of it.
    #[serde(default)]
    pub evidence: crate::eval::EvidenceDetail,
    pub policy_set: PolicySetInfo,
    pub policies: Vec<PolicyInfo>,
    /// Claims from the policy files that no API can show, for questionnaires.
    #[serde(default)]
    pub manual_claims: Vec<ManualClaimInfo>,
    pub results: Vec<ResultRow>,
    pub summary: Summary,
    /// Every waiver given, with its state (applied, expired, unmatched) and how many results it
    /// waived.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverInfo>,
    /// The comparison with `--baseline`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// Results waived by each waiver (by where it is written), for [`Report::waivers`].
    #[serde(skip)]
    pub waived_by: HashMap<String, usize>,
    /// Per account, when the source spans several (an organisation): the results' counts.
    /// `*` stands for results no one account owns (data a failed call hid everywhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountSummary>,
}

/// One account's results in a report over several accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub account_id: String,
    pub summary: Summary,
}

/// What changed since the baseline report: new and existing failures and errors are counted in
/// `summary` (`new_fail`, `new_error`); the baseline's open results that are gone are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The baseline report's path.
    pub path: String,
    pub new: usize,
    pub existing: usize,
    pub fixed: Vec<Fixed>,
    /// Baseline failures this run did not look at (a policy it did not run, an account it did not
    /// read): neither fixed nor still there.
    #[serde(default)]
    pub not_evaluated: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManualClaimInfo {
    pub id: String,
    pub claim: String,
    pub controls: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicySetInfo {
    /// SHA-256 over the policy files' names and contents.
    pub digest: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub level: Level,
    pub controls: BTreeMap<String, Vec<String>>,
    /// Each control mapping with its role (`decides` / `supports`) and the reason it was made.
    #[serde(default)]
    pub mappings: Vec<MappingInfo>,
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// Parameters set looser than a control allows. When non-empty, `counts_as_evidence` is false.
    pub guardrail_violations: Vec<String>,
    pub counts_as_evidence: bool,
    /// Why the check cannot fail (AWS enforces the setting, or a parameter leaves nothing to
    /// reject): its passes are no evidence on their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vacuous: Option<String>,
    /// Why the policy did not run (a parameter without a default was not set), when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_configured: Option<String>,
    pub rationale: Option<String>,
    pub remediation: Option<String>,
    /// What a failure means in words, with placeholders (see [`PolicyInfo::headline`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingInfo {
    pub framework: String,
    pub id: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultRow {
    pub severity: Severity,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
    pub waived: usize,
    /// With `--baseline`: failures and errors the baseline did not have (the rest of `fail` and
    /// `error` were already there).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub new_fail: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub new_error: usize,
    /// Of `waived`, the results that were `error` (undecided) before their waiver: a waiver
    /// decides nothing, so questionnaires weigh them as undecided, the rest as failures.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived_error: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    fn add(&mut self, f: &Finding) {
        match f.status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Waived => {
                self.waived += 1;
                if f.waiver.as_ref().is_some_and(|w| w.status == Status::Error) {
                    self.waived_error += 1;
                }
            }
        }
        if f.baseline == Some(BaselineState::New) {
            match f.status {
                Status::Fail => self.new_fail += 1,
                Status::Error => self.new_error += 1,
                _ => {}
            }
        }
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.error + self.not_applicable + self.waived
    }
}

impl Report {
    pub fn new(set: &PolicySet, inventory: &Inventory, evaluation: Evaluation) -> Report {
        let mut counts = Counts::new(evaluation.baseline.as_ref());
        for f in &evaluation.findings {
            counts.add(f);
        }
        let severity_of = severities(&evaluation.policies);
        let results = evaluation
            .findings
            .into_iter()
            .map(|finding| ResultRow {
                severity: severity_of
                    .get(finding.policy_id.as_str())
                    .copied()
                    .unwrap_or(Severity::Low),
                finding,
            })
            .collect();
        Report {
            evidence: evaluation.evidence,
            ..Report::build(
                set,
                inventory,
                &evaluation.policies,
                &evaluation.not_configured,
                evaluation.as_of,
                &counts,
                results,
            )
        }
    }

    /// The report with its counts but without its results: everything is evaluated once and
    /// counted. [`write_streamed`] then writes it, evaluating again in order as it writes, so no
    /// list of every result is ever held. `table_rows`: keep the results the table shows (failing
    /// and undecided, at most this many per policy and status; `Some(None)`: all of them).
    pub fn counted(
        set: &PolicySet,
        inventory: &Inventory,
        prepared: &Prepared<'_>,
        table_rows: Option<Option<usize>>,
    ) -> Report {
        let mut counts = Counts::new(prepared.baseline);
        let severity_of = severities(&prepared.policies);
        let mut results = Vec::new();
        let mut shown: BTreeMap<(String, Status), usize> = BTreeMap::new();
        let counted: Result<(), std::convert::Infallible> = prepared.for_each(STREAM_CHUNK, |f| {
            counts.add(&f);
            if let Some(limit) = table_rows
                && matches!(f.status, Status::Fail | Status::Error | Status::Waived)
            {
                let n = shown.entry((f.policy_id.clone(), f.status)).or_default();
                if limit.is_none_or(|limit| *n < limit) {
                    *n += 1;
                    let severity = severity_of.get(f.policy_id.as_str()).copied();
                    results.push(ResultRow {
                        severity: severity.unwrap_or(Severity::Low),
                        finding: f,
                    });
                }
            }
            Ok(())
        });
        let Ok(()) = counted;
        Report {
            evidence: prepared.evidence,
            ..Report::build(
                set,
                inventory,
                &prepared.policies,
                &prepared.not_configured,
                prepared.as_of,
                &counts,
                results,
            )
        }
    }

    fn build(
        set: &PolicySet,
        inventory: &Inventory,
        compiled_policies: &[CompiledPolicy],
        not_configured: &[NotConfigured],
        as_of: Option<jiff::Timestamp>,
        counts: &Counts,
        results: Vec<ResultRow>,
    ) -> Report {
        let per_policy = &counts.per_policy;
        let summary = counts.summary;
        let mut policies: Vec<PolicyInfo> = compiled_policies
            .iter()
            .filter_map(|compiled| {
                let source = set.policies.iter().find(|p| p.id.value == compiled.id)?;
                Some(PolicyInfo {
                    id: compiled.id.clone(),
                    title: compiled.title.clone(),
                    severity: compiled.severity,
                    resource_type: compiled.resource_type.clone(),
                    level: compiled.level,
                    controls: controls_of(source),
                    mappings: mappings_of(source),
                    parameters: compiled.parameters.clone(),
                    guardrail_violations: compiled.guardrail_violations.clone(),
                    counts_as_evidence: compiled.guardrail_violations.is_empty()
                        && compiled.vacuous.is_none(),
                    vacuous: compiled.vacuous.clone(),
                    not_configured: None,
                    rationale: source.rationale.clone(),
                    remediation: source.remediation.clone(),
                    message: source.message.clone(),
                    summary: per_policy
                        .get(compiled.id.as_str())
                        .copied()
                        .unwrap_or_default(),
                })
            })
            .collect();
        policies.extend(not_configured.iter().filter_map(|nc| {
            let source = set.policies.iter().find(|p| p.id.value == nc.id)?;
            Some(PolicyInfo {
                id: nc.id.clone(),
                title: nc.title.clone(),
                severity: nc.severity,
                resource_type: nc.resource_type.clone(),
                level: nc.level,
                controls: controls_of(source),
                mappings: mappings_of(source),
                parameters: BTreeMap::new(),
                guardrail_violations: Vec::new(),
                counts_as_evidence: false,
                vacuous: None,
                not_configured: Some(nc.reason()),
                rationale: source.rationale.clone(),
                remediation: source.remediation.clone(),
                message: source.message.clone(),
                summary: Summary::default(),
            })
        }));
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: Tool {
                name: crate::TOOL_NAME.into(),
                version: crate::TOOL_VERSION.into(),
            },
            source: inventory.source.clone(),
            collection_errors: inventory
                .collection_errors
                .iter()
                .filter(|e| !e.is_not_collected())
                .cloned()
                .collect(),
            not_collected: inventory
                .collection_errors
                .iter()
                .filter(|e| e.is_not_collected())
                .cloned()
                .collect(),
            evaluated_at: as_of,
            evidence: crate::eval::EvidenceDetail::All,
            policy_set: PolicySetInfo {
                digest: set.digest(),
                count: policies.len(),
            },
            policies,
            manual_claims: manual_claims(set),
            results,
            summary,
            waivers: Vec::new(),
            baseline: counts.baseline.map(|b| {
                // Gone from this run is fixed only where this run looked: a policy it ran, in an
                // account it read. The rest of the baseline was not evaluated, not fixed.
                let ran: HashSet<&str> = compiled_policies.iter().map(|p| p.id.as_str()).collect();
                let (fixed, not_evaluated): (Vec<Fixed>, Vec<Fixed>) =
                    b.fixed(&counts.seen).into_iter().partition(|f| {
                        ran.contains(f.key.policy_id.as_str())
                            && inventory.source.account_ids.contains(&f.key.account_id)
                    });
                BaselineSummary {
                    path: b.path.clone(),
                    new: summary.new_fail + summary.new_error,
                    existing: summary.fail + summary.error - summary.new_fail - summary.new_error,
                    fixed,
                    not_evaluated: not_evaluated.len(),
                }
            }),
            waived_by: counts.waived_by.clone(),
            accounts: if inventory.source.account_ids.len() > 1 {
                // Every account read, those without results included: silence is not a pass.
                let mut by: BTreeMap<String, Summary> = inventory
                    .source
                    .account_ids
                    .iter()
                    .map(|a| (a.clone(), Summary::default()))
                    .collect();
                by.extend(counts.per_account.iter().map(|(a, s)| (a.clone(), *s)));
                by.into_iter()
                    .map(|(account_id, summary)| AccountSummary {
                        account_id,
                        summary,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The documented exit code: 1 if anything fails at or above `fail_on`, else 3 if any result is
    /// `error`, else 0. With `only_new` (`--fail-on-new`), only failures and errors the baseline
    /// did not have count.
    pub fn exit_code(&self, fail_on: Severity, only_new: bool) -> i32 {
        // From the policies' counts (every result carries its policy's severity), so a report
        // written as its results were produced decides the same code.
        let fails = |s: &Summary| if only_new { s.new_fail } else { s.fail };
        let errors = if only_new {
            self.summary.new_error
        } else {
            self.summary.error
        };
        let failing = self
            .policies
            .iter()
            .any(|p| fails(&p.summary) > 0 && p.severity >= fail_on);
        if failing {
            1
        } else if errors > 0 {
            3
        } else {
            0
        }
    }
}

fn controls_of(policy: &Policy) -> BTreeMap<String, Vec<String>> {
    policy
        .controls_by_framework()
        .into_iter()
        .map(|(f, ids)| (f.key().to_string(), ids))
        .collect()
}

fn mappings_of(policy: &Policy) -> Vec<MappingInfo> {
    policy
        .controls
        .iter()
        .map(|c| MappingInfo {
            framework: c.framework.key().to_string(),
            id: c.id.value.clone(),
            role: c.role,
            reason: c.reason.clone(),
        })
        .collect()
}

impl PolicyInfo {
    /// A failing result in the policy's own words: its `message` with the resource (name and
    /// ID), account, region and first value found filled in. None for other statuses and for
    /// policies without a message (human formats then show the evaluator's reason).
    pub fn headline(&self, f: &Finding) -> Option<String> {
        self.headline_as(f, f.status)
    }

    /// [`PolicyInfo::headline`] for a result as if its status were `status` (a waived failure
    /// is described as the failure it is).
    pub fn headline_as(&self, f: &Finding, status: Status) -> Option<String> {
        if status != Status::Fail {
            return None;
        }
        let template = self.message.as_deref()?;
        Some(crate::policy::fill_message(template, |name| match name {
            "resource" => Some(f.resource_label()),
            "account" => Some(f.account_id.clone()),
            "region" => Some(f.region.clone()),
            "value" => f.evidence.first().map(|e| match &e.actual {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            _ => None,
        }))
    }

    /// Why this policy's passes are not evidence, in a few words, when they are not.
    pub fn evidence_note(&self) -> Option<String> {
        if let Some(why) = &self.not_configured {
            Some(format!("did not run, {why}"))
        } else if let Some(why) = &self.vacuous {
            Some(format!("passes are not evidence: {why}"))
        } else if !self.counts_as_evidence {
            Some(format!(
                "parameters outside guardrail, not evidence: {}",
                self.guardrail_violations.join("; ")
            ))
        } else {
            None
        }
    }

    /// The role of this policy's mapping to `question` in `framework`, if it maps there.
    pub fn role_for(&self, framework: &str, question: &str) -> Option<Role> {
        self.mappings
            .iter()
            .find(|m| m.framework == framework && m.id == question)
            .map(|m| m.role)
    }
}

fn manual_claims(set: &PolicySet) -> Vec<ManualClaimInfo> {
    let mut claims: Vec<ManualClaimInfo> = set
        .manual
        .iter()
        .map(|m| {
            let mut controls: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for c in &m.controls {
                controls
                    .entry(c.framework.key().to_string())
                    .or_default()
                    .push(c.id.value.clone());
            }
            ManualClaimInfo {
                id: m.id.value.clone(),
                claim: m.claim.clone(),
                controls,
            }
        })
        .collect();
    claims.sort_by(|a, b| a.id.cmp(&b.id));
    claims
}

/// Output formats of `attestor scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Sarif,
    Junit,
    Oscal,
    Csv,
    /// One JSON object per result and line, for pipelines (`jq`, log shippers): the results of
    /// the JSON report, each with its severity, written as they are serialised.
    Jsonl,
}

impl Format {
    /// The file name used with `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "report.txt",
            Format::Json => "report.json",
            Format::Markdown => "report.md",
            Format::Html => "report.html",
            Format::Sarif => "report.sarif",
            Format::Junit => "report.junit.xml",
            Format::Oscal => "assessment-results.oscal.json",
            Format::Csv => "report.csv",
            Format::Jsonl => "results.jsonl",
        }
    }

    /// Whether the format can be written as its results are produced ([`write_streamed`]): the
    /// formats that list results one after another without looking back, and the table, which
    /// shows counts and a bounded number of rows ([`Report::counted`] keeps them).
    pub fn streams(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Jsonl | Format::Csv | Format::Table
        )
    }
}

/// Where a report's results come from: held in the report, or produced in order by evaluation as
/// they are written.
pub enum Results<'r> {
    Held(&'r [ResultRow]),
    Produced {
        prepared: &'r Prepared<'r>,
        severity_of: BTreeMap<&'r str, Severity>,
        /// Results evaluated at a time.
        chunk: usize,
    },
}

impl<'r> Results<'r> {
    /// The results of `prepared`, produced `chunk` at a time.
    pub fn produced(prepared: &'r Prepared<'r>, chunk: usize) -> Self {
        Results::Produced {
            prepared,
            severity_of: severities(&prepared.policies),
            chunk,
        }
    }
}

impl Results<'_> {
    pub fn len(&self) -> usize {
        match self {
            Results::Held(rows) => rows.len(),
            Results::Produced { prepared, .. } => prepared.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every result in report order to `f`; stops at its first error.
    pub fn for_each<E>(&self, mut f: impl FnMut(&ResultRow) -> Result<(), E>) -> Result<(), E> {
        match self {
            Results::Held(rows) => rows.iter().try_for_each(f),
            Results::Produced {
                prepared,
                severity_of,
                chunk,
            } => prepared.for_each(*chunk, |finding| {
                let row = ResultRow {
                    severity: severity_of
                        .get(finding.policy_id.as_str())
                        .copied()
                        .unwrap_or(Severity::Low),
                    finding,
                };
                f(&row)
            }),
        }
    }
}

/// Writes a report made by [`Report::counted`] in a format that [`Format::streams`], evaluating
/// its results again, in order, a chunk at a time as they are written. The bytes are those
/// [`render_to`] writes for the report with every result held.
pub fn write_streamed(
    report: &Report,
    prepared: &Prepared<'_>,
    format: Format,
    options: &RenderOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let results = Results::produced(prepared, STREAM_CHUNK);
    match format {
        Format::Json => json::write_with(report, &results, w),
        Format::Jsonl => json::write_lines(&results, w),
        Format::Csv => csv::write(report, &results, w),
        // The report holds the rows the table shows.
        Format::Table => w.write_all(table::render(report, options).as_bytes()),
        other => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} reports are rendered from held results, not streamed",
                other.file_name()
            ),
        )),
    }
}

pub struct RenderOptions {
    pub color: bool,
    /// The table's failing / undecided rows per policy and status (`None`: all of them). The
    /// other formats always carry every result.
    pub max_rows: Option<usize>,
}

/// Writes the report in `format` to `w`. JSON, CSV, JSON Lines and OSCAL, the formats that grow
/// with every result, stream through the writer; the others are rendered, then written. A report that
/// cannot be serialised is an `InvalidData` error, never a short file.
pub fn render_to(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = match format {
        Format::Json => return json::write(report, w),
        Format::Csv => return csv::write(report, &Results::Held(&report.results), w),
        Format::Jsonl => return json::write_lines(&Results::Held(&report.results), w),
        Format::Oscal => return oscal::write(report, w),
        Format::Table => table::render(report, options),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
    };
    w.write_all(text.as_bytes())
}

/// A JSON report as `attestor scan --format json` wrote it (`attestor report`, `--baseline`
/// readers): malformed JSON is located, and a schema version other than this attestor's is refused.
pub fn parse_json(name: &str, bytes: &[u8]) -> Result<Report, crate::diagnostics::Diagnostic> {
    use crate::diagnostics::{Code, Diagnostic};
    let report: Report = serde_json::from_slice(bytes)
        .map_err(|e| crate::inventory::json_error("report", name, bytes, &e))?;
    if report.schema_version != REPORT_SCHEMA_VERSION {
        return Err(Diagnostic::error(
            Code::InvalidInput,
            format!(
                "{name}: report schema version {} is not supported (this attestor reads {})",
                report.schema_version, REPORT_SCHEMA_VERSION
            ),
        )
        .with_help(
            "re-run `attestor scan --format json` with this attestor (version 2 reports record each control mapping's role and which checks cannot fail)",
        ));
    }
    Ok(report)
}

/// "pass 3, fail 1, error 0, not applicable 2" in one place for every human format.
pub fn summary_line(summary: &Summary) -> String {
    format!(
        "{} pass, {} fail, {} error, {} not applicable, {} waived",
        summary.pass, summary.fail, summary.error, summary.not_applicable, summary.waived
    )
}

/// The provenance lines every human format starts with.
pub fn provenance(report: &Report) -> Vec<(String, String)> {
    let s = &report.source;
    let kind = serde_json::to_value(s.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut rows = vec![
        (
            "Tool".to_string(),
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        (
            "Source".to_string(),
            if s.files.is_empty() {
                format!("{kind} {}", s.path.as_deref().unwrap_or("-"))
            } else {
                format!("{kind}, {} files", s.files.len())
            },
        ),
    ];
    if let Some(sha) = &s.sha256 {
        rows.push(("Source SHA-256".into(), sha.clone()));
    }
    for file in &s.files {
        rows.push((
            "Source file".into(),
            format!(
                "{}: SHA-256 {}, captured {}, accounts {}",
                file.path,
                file.sha256.as_deref().unwrap_or("unknown"),
                file.captured_at.map_or("unknown".into(), |t| t.to_string()),
                join_or_dash(&file.account_ids)
            ),
        ));
    }
    rows.push((
        "Captured at".into(),
        s.captured_at.map_or("unknown".into(), |t| t.to_string()),
    ));
    rows.push((
        "Evaluated at".into(),
        report
            .evaluated_at
            .map_or("unknown".into(), |t| t.to_string()),
    ));
    rows.push(("Accounts".into(), join_or_dash(&s.account_ids)));
    rows.push(("Regions".into(), join_or_dash(&s.regions)));
    rows.push((
        "Policy set".into(),
        format!(
            "{} policies, SHA-256 {}",
            report.policy_set.count, report.policy_set.digest
        ),
    ));
    rows
}

fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// Rows worth a person's attention: failures first, then errors, in report order.
pub fn attention_rows(report: &Report) -> Vec<&ResultRow> {
    let mut rows: Vec<&ResultRow> = report
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.finding.status,
                Status::Fail | Status::Error | Status::Waived
            )
        })
        .collect();
    // Failures, then undecided results, then waived ones; by severity within each.
    rows.sort_by_key(|r| {
        let rank = match r.finding.status {
            Status::Fail => 0,
            Status::Error => 1,
            _ => 2,
        };
        (rank, std::cmp::Reverse(r.severity))
    });
    rows
}

/// A result's status as the human formats show it: `fail (new)` against a baseline.
pub fn status_label(f: &Finding) -> String {
    match f.baseline {
        Some(BaselineState::New) => format!("{} (new)", f.status.as_str()),
        _ => f.status.as_str().to_string(),
    }
}

/// Why a result needs attention, in the policy's words where it has them; a waived result says
/// what it was, until when it is waived, by whom and why.
pub fn attention_reason(policy: Option<&PolicyInfo>, f: &Finding) -> String {
    let words = |status| {
        policy
            .and_then(|p| p.headline_as(f, status))
            .unwrap_or_else(|| f.message.clone())
    };
    match &f.waiver {
        Some(w) => format!(
            "was {}: {} — waived until {}{} ({})",
            w.status.as_str(),
            words(w.status),
            w.expires,
            w.owner
                .as_deref()
                .map(|o| format!(" by {o}"))
                .unwrap_or_default(),
            w.justification
        ),
        None => words(f.status),
    }
}

/// ", N not evaluated by this run" when the baseline has failures this run did not look at.
pub fn not_evaluated_note(b: &BaselineSummary) -> String {
    if b.not_evaluated == 0 {
        String::new()
    } else {
        format!(
            ", {} not evaluated by this run (other policies or accounts)",
            b.not_evaluated
        )
    }
}

/// The baseline comparison and the waivers' states as lines (Markdown and HTML list them).
pub fn gate_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(b) = &report.baseline {
        lines.push(format!(
            "Compared with {}: {} new, {} existing, {} fixed{}",
            b.path,
            b.new,
            b.existing,
            b.fixed.len(),
            not_evaluated_note(b)
        ));
        for f in &b.fixed {
            lines.push(format!(
                "fixed: {} on {} {} ({} {}), was {}",
                f.key.policy_id,
                f.key.resource_type,
                f.key.resource_id,
                f.key.account_id,
                f.key.region,
                f.was.status.as_str()
            ));
        }
    }
    for w in &report.waivers {
        let state = match w.state {
            crate::waivers::WaiverState::Applied => format!("waives {}", w.matched),
            crate::waivers::WaiverState::Expired => "expired, waives nothing".to_string(),
            crate::waivers::WaiverState::Unmatched => "matched nothing".to_string(),
        };
        lines.push(format!(
            "waiver {} ({} on {}, until {}): {state}; {}",
            w.at, w.policy, w.resource, w.expires, w.justification
        ));
    }
    lines
}

/// The evidence metadata as machine-readable key/value pairs (CSV columns, SARIF and OSCAL
/// properties): what produced the results, from what data, when.
pub fn metadata_fields(report: &Report) -> Vec<(&'static str, String)> {
    let s = &report.source;
    let kind = serde_json::to_value(s.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    vec![
        (
            "tool_version",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("policy_set_sha256", report.policy_set.digest.clone()),
        ("source_kind", kind),
        ("source_path", s.paths().unwrap_or_default()),
        ("source_sha256", s.digests().unwrap_or_default()),
        ("account_ids", s.account_ids.join(" ")),
        ("regions", s.regions.join(" ")),
        (
            "captured_at",
            s.captured_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (
            "evaluated_at",
            report
                .evaluated_at
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ),
    ]
}
