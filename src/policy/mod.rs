//! Policies: the validated model of a policy file, with source spans kept for the linter.
//!
//! `parse` turns YAML (via [`yaml`]) into this model and collects every problem it meets;
//! `load` reads policy files and the built-in policies compiled into the binary; `schema` describes the file format for editors.

pub(crate) mod decode;
pub mod load;
pub mod parse;
pub mod schema;
pub mod yaml;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::controls::{Framework, Role};
pub use crate::diagnostics::Spanned;
use crate::diagnostics::{SourceFile, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Whether a policy gives one result per resource or one per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Resource,
    /// One result per account: "at least one multi-region trail is logging", "root has MFA".
    Account,
}

/// For account-level policies: how many of the account's resources must satisfy the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountMatch {
    /// At least one resource passes.
    Any,
    /// Every resource passes.
    All,
    /// No resource passes (the check describes something forbidden).
    None,
}

/// The status an account-level policy gives when the account has no resource of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfNone {
    Pass,
    Fail,
    Error,
    NotApplicable,
}

/// What a comparison gives when the property is missing (absent or null) from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnMissing {
    /// The default: missing data can never pass or fail a check silently.
    #[default]
    Error,
    Pass,
    Fail,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub id: Spanned<String>,
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub resource_type: Spanned<String>,
    pub level: Level,
    pub account_match: AccountMatch,
    pub if_none: IfNone,
    pub scope: Option<Condition>,
    pub check: Condition,
    pub parameters: Vec<Parameter>,
    pub controls: Vec<ControlRef>,
    pub rationale: Option<String>,
    pub remediation: Option<String>,
    pub references: Vec<String>,
    /// What a failure means in words, with `{placeholders}` ([`MESSAGE_PLACEHOLDERS`]), e.g.
    /// "{resource} has no MFA device". Human reports show it for failing results.
    pub message: Option<String>,
    /// Why the checked setting is one AWS enforces anyway (so the check cannot fail and its passes
    /// are no evidence on their own), when it is.
    pub aws_enforced: Option<String>,
    pub file: Arc<SourceFile>,
    /// The policy's whole mapping in its file.
    pub span: Span,
}

impl Policy {
    /// Every property path the policy reads (scope and check), with the resource type it is read
    /// on (its own, or a `related` one) and whether its value is read whole (a comparison, a
    /// lookup key) or it is a list crossed to its elements.
    pub fn read_paths(&self, mut f: impl FnMut(&str, String, bool)) {
        let root = PathContext {
            resource_type: &self.resource_type.value,
            prefix: String::new(),
        };
        let mut visit = |ctx: &PathContext, visit: Visit| {
            let (path, whole) = match visit {
                Visit::Compare(cmp) => (&cmp.path, true),
                Visit::LinkPath(p) => (p, true),
                Visit::ElementsPath(p) => (p, false),
                Visit::LinkType(_) => return,
            };
            f(ctx.resource_type, ctx.full_path(&path.value), whole);
        };
        for condition in self.scope.iter().chain(std::iter::once(&self.check)) {
            condition.walk(&root, &mut visit);
        }
    }

    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name.value == name)
    }

    /// Control IDs per framework, for listings and reports.
    pub fn controls_by_framework(&self) -> BTreeMap<Framework, Vec<String>> {
        let mut map: BTreeMap<Framework, Vec<String>> = BTreeMap::new();
        for c in &self.controls {
            map.entry(c.framework).or_default().push(c.id.value.clone());
        }
        map
    }
}

/// The placeholders a policy's `message` may use: the resource as a person finds it (name and
/// ID), its account and region, and the first value the check found.
pub const MESSAGE_PLACEHOLDERS: [&str; 4] = ["resource", "account", "region", "value"];

/// The `{name}` placeholders in a message template, in order.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// A message template with its placeholders filled by `value_of` (unknown ones are left as
/// written; the parser rejects them in policy files).
pub fn fill_message(template: &str, value_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some((name, tail)) = after.split_once('}') {
            if let Some(value) = value_of(name) {
                out.push_str(&value);
            } else {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            rest = tail;
        } else {
            out.push_str(&rest[open..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// A claim from a security statement that no AWS API can show (training, background checks…),
/// mapped to the controls it answers so a questionnaire can mark them for manual evidence.
#[derive(Debug, Clone)]
pub struct ManualClaim {
    pub id: Spanned<String>,
    pub claim: String,
    pub controls: Vec<ControlRef>,
    pub file: Arc<SourceFile>,
}

#[derive(Debug, Clone)]
pub struct ControlRef {
    pub framework: Framework,
    pub id: Spanned<String>,
    /// Whether the check alone can make the answer No, or is context for a person.
    pub role: Role,
    /// Why the check answers (or supports) this question, from the policy file.
    pub reason: Option<String>,
}

// The schema describes it from this definition too (`schema.rs`), so the two cannot drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Integer,
    Number,
    Duration,
    String,
    Boolean,
    List,
}

impl ParamType {
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Duration => "duration",
            ParamType::String => "string",
            ParamType::Boolean => "boolean",
            ParamType::List => "list",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: Spanned<String>,
    pub kind: ParamType,
    /// None: the user must state a value (`--set`) before the policy runs; until then the report
    /// lists the policy as not configured. A default that makes a check unable to fail is worse
    /// than none.
    pub default: Option<Spanned<serde_json::Value>>,
    pub description: Option<String>,
    /// The loosest value a control accepts. Looser values still evaluate but are not evidence.
    pub guardrail: Option<Guardrail>,
}

/// How a parameter value sits against its guardrail.
#[derive(Debug, Clone, PartialEq)]
pub enum GuardrailProblem {
    /// Looser than a mapped control accepts: results evaluate but are not evidence.
    Loosened(String),
    /// The check cannot fail with this value: its passes are no evidence.
    Vacuous(String),
}

impl Parameter {
    /// The one guardrail check, used by compilation (values in effect) and the linter (defaults).
    pub fn guardrail_problem(&self, value: &serde_json::Value) -> Option<GuardrailProblem> {
        let guardrail = self.guardrail.as_ref()?;
        if let Some(why) = guardrail.vacuous(value) {
            return Some(GuardrailProblem::Vacuous(format!(
                "parameter `{}`: {why}",
                self.name.value
            )));
        }
        let number = match self.kind {
            ParamType::Duration => value
                .as_str()
                .and_then(|s| crate::duration::Duration::parse(s).ok())
                .map(|d| d.seconds as f64),
            _ => value.as_f64(),
        }?;
        let show = |n: f64| match self.kind {
            ParamType::Duration => crate::duration::Duration { seconds: n as i64 }.to_string(),
            _ => format_number(n),
        };
        guardrail.violation(number, show).map(|why| {
            GuardrailProblem::Loosened(format!("parameter `{}`: {why}", self.name.value))
        })
    }
}

/// `90`, not `90.0`; fractions as they are.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Bounds on a numeric or duration parameter (durations in seconds), or for a list parameter the
/// values that, all listed together, leave nothing the check could reject.
#[derive(Debug, Clone, PartialEq)]
pub struct Guardrail {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub vacuous_if_all_of: Option<Vec<serde_json::Value>>,
}

impl Guardrail {
    /// Why `value` is outside the guardrail, if it is.
    /// Why a list value leaves the check unable to fail, if it does: it holds every value of
    /// `vacuous-if-all-of`.
    pub fn vacuous(&self, value: &serde_json::Value) -> Option<String> {
        let all = self.vacuous_if_all_of.as_ref()?;
        let items = value.as_array()?;
        let covered = all.iter().all(|v| items.contains(v));
        covered.then(|| {
            format!(
                "it lists all {} values of its guardrail's `vacuous-if-all-of`, so the check cannot fail",
                all.len()
            )
        })
    }

    pub fn violation(&self, value: f64, show: impl Fn(f64) -> String) -> Option<String> {
        if let Some(max) = self.max
            && value > max
        {
            return Some(format!(
                "{} is looser than the guardrail maximum {}",
                show(value),
                show(max)
            ));
        }
        if let Some(min) = self.min
            && value < min
        {
            return Some(format!(
                "{} is looser than the guardrail minimum {}",
                show(value),
                show(min)
            ));
        }
        None
    }
}

/// A literal from the policy file or a reference to one of the policy's parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Spanned<serde_json::Value>),
    Param(Spanned<String>),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Literal(v) => v.span,
            Operand::Param(p) => p.span,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Negation),
    Compare(Compare),
    Elements(Elements),
    Related(Related),
}

/// `not: C`, or `none: [C...]` (kept as `not: {any: [C...]}`), with the key as written so
/// diagnostics can name and point at the negation.
#[derive(Debug, Clone)]
pub struct Negation {
    pub condition: Box<Condition>,
    /// `not` or `none`, at the key's position.
    pub keyword: Spanned<&'static str>,
}

/// `path` + one operator: `{path: configuration.storageEncrypted, equals: true}`.
#[derive(Debug, Clone)]
pub struct Compare {
    pub path: Spanned<String>,
    pub op: Op,
    pub on_missing: OnMissing,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Op {
    Equals(Operand),
    NotEquals(Operand),
    In(Operand),
    NotIn(Operand),
    Gt(Operand),
    Gte(Operand),
    Lt(Operand),
    Lte(Operand),
    Exists,
    Absent,
    Matches(Spanned<String>),
    Contains(Operand),
    /// The date at the path is no older than the duration (relative to the evaluation time).
    Within(Operand),
    /// The date at the path is older than the duration.
    OlderThan(Operand),
}

/// The keyword of every comparison operator, in the order README lists them: the one list the
/// parser's key tables, its suggestions and the schema test derive from.
pub const OPERATOR_KEYWORDS: [&str; 14] = [
    "equals",
    "not-equals",
    "in",
    "not-in",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
    "absent",
    "matches",
    "contains",
    "within",
    "older-than",
];

impl Op {
    /// The keyword this operator is written with (one of [`OPERATOR_KEYWORDS`]).
    pub fn keyword(&self) -> &'static str {
        match self {
            Op::Equals(_) => "equals",
            Op::NotEquals(_) => "not-equals",
            Op::In(_) => "in",
            Op::NotIn(_) => "not-in",
            Op::Gt(_) => "gt",
            Op::Gte(_) => "gte",
            Op::Lt(_) => "lt",
            Op::Lte(_) => "lte",
            Op::Exists => "exists",
            Op::Absent => "absent",
            Op::Matches(_) => "matches",
            Op::Contains(_) => "contains",
            Op::Within(_) => "within",
            Op::OlderThan(_) => "older-than",
        }
    }

    pub fn operand(&self) -> Option<&Operand> {
        match self {
            Op::Equals(o)
            | Op::NotEquals(o)
            | Op::In(o)
            | Op::NotIn(o)
            | Op::Gt(o)
            | Op::Gte(o)
            | Op::Lt(o)
            | Op::Lte(o)
            | Op::Contains(o)
            | Op::Within(o)
            | Op::OlderThan(o) => Some(o),
            Op::Exists | Op::Absent | Op::Matches(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
    None,
}

impl Quantifier {
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::None => "none",
        }
    }
}

/// `{path: configuration.routes, any: {...}}`: a condition over each element of an array; paths
/// inside are relative to the element (`@` is the element itself).
#[derive(Debug, Clone)]
pub struct Elements {
    pub path: Spanned<String>,
    pub quantifier: Quantifier,
    /// Where the quantifier's key (`any`/`all`/`none`) is written.
    pub quantifier_span: Span,
    pub condition: Box<Condition>,
    pub on_missing: OnMissing,
    pub span: Span,
}

/// `{related: {resource: AWS::EC2::Subnet, from: ..., to: ...}, all: {...}}`: a condition over the
/// resources this one refers to; paths inside are relative to the related resource.
#[derive(Debug, Clone)]
pub struct Related {
    pub link: Link,
    pub quantifier: Quantifier,
    /// Where the quantifier's key (`any`/`all`/`none`) is written.
    pub quantifier_span: Span,
    pub condition: Box<Condition>,
    pub on_missing: OnMissing,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub resource_type: Spanned<String>,
    /// Values in the current resource that identify related resources.
    pub from: Spanned<String>,
    /// The property of the related resource those values are matched against.
    pub to: Spanned<String>,
    /// Used when `from`/`to` find nothing: e.g. a subnet without an explicit route table association
    /// uses its VPC's main route table.
    pub fallback: Option<Fallback>,
}

#[derive(Debug, Clone)]
pub struct Fallback {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub filter: Option<Box<Condition>>,
}

/// Where a condition is evaluated: which resource type, and the path prefix inside element
/// quantifiers. Used by the linter to resolve relative paths against the resource schema.
#[derive(Debug, Clone)]
pub struct PathContext<'a> {
    pub resource_type: &'a str,
    pub prefix: String,
}

impl PathContext<'_> {
    /// The full schema path of a (possibly relative) path written in the policy.
    pub fn full_path(&self, path: &str) -> String {
        if path == "@" {
            return self.prefix.trim_end_matches('.').to_string();
        }
        format!("{}{}", self.prefix, path)
    }
}

/// Visits every comparison and path-bearing node, with its context.
pub enum Visit<'c> {
    Compare(&'c Compare),
    ElementsPath(&'c Spanned<String>),
    /// A link's `from`/`to`/fallback path, with the resource type it belongs to.
    LinkPath(&'c Spanned<String>),
    LinkType(&'c Spanned<String>),
}

impl Condition {
    pub fn walk<'c>(
        &'c self,
        ctx: &PathContext<'c>,
        f: &mut dyn FnMut(&PathContext<'c>, Visit<'c>),
    ) {
        match self {
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|c| c.walk(ctx, f));
            }
            Condition::Not(not) => not.condition.walk(ctx, f),
            Condition::Compare(cmp) => f(ctx, Visit::Compare(cmp)),
            Condition::Elements(el) => {
                f(ctx, Visit::ElementsPath(&el.path));
                let inner = PathContext {
                    resource_type: ctx.resource_type,
                    prefix: format!("{}.", ctx.full_path(&el.path.value)),
                };
                el.condition.walk(&inner, f);
            }
            Condition::Related(rel) => {
                f(ctx, Visit::LinkPath(&rel.link.from));
                f(ctx, Visit::LinkType(&rel.link.resource_type));
                let target = PathContext {
                    resource_type: &rel.link.resource_type.value,
                    prefix: String::new(),
                };
                f(&target, Visit::LinkPath(&rel.link.to));
                if let Some(fallback) = &rel.link.fallback {
                    f(ctx, Visit::LinkPath(&fallback.from));
                    f(&target, Visit::LinkPath(&fallback.to));
                    if let Some(filter) = &fallback.filter {
                        filter.walk(&target, f);
                    }
                }
                rel.condition.walk(&target, f);
            }
        }
    }
}

/// An invalid policy or manual claim as far as it could be read, for the linter only: never
/// evaluated, counted or listed. Fields that failed to parse hold placeholders (severity `low`,
/// an empty `check`, parameters and control mappings left out…); [`Gaps`] says which of those the
/// lint rules must not judge.
#[derive(Debug, Clone)]
pub struct Partial<T> {
    pub value: T,
    pub gaps: Gaps,
}

/// What the partial view of an invalid policy or claim lacks. Each problem here was already
/// reported while parsing; rules skip what a gap would make them misjudge, so one mistake is
/// never reported twice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gaps {
    /// `id` is missing or not a string; the placeholder is empty.
    pub id: bool,
    /// `resource` is missing or not a string; the placeholder is empty (no schema has it).
    pub resource_type: bool,
    /// Part of `scope` or `check` could not be read and is left out (a missing `check` is empty).
    pub conditions: bool,
    /// Part of `controls` could not be read and is left out.
    pub controls: bool,
    /// Parameters defined but unreadable, left out of `parameters`.
    pub broken_parameters: Vec<String>,
    /// `parameters` as a whole could not be read.
    pub parameters_unreadable: bool,
}

impl Gaps {
    /// A valid policy lacks nothing.
    pub const NONE: Gaps = Gaps {
        id: false,
        resource_type: false,
        conditions: false,
        controls: false,
        broken_parameters: Vec::new(),
        parameters_unreadable: false,
    };

    /// Whether a `{param: NAME}` reference may name a parameter that failed to parse.
    pub fn may_define_parameter(&self, name: &str) -> bool {
        self.parameters_unreadable || self.broken_parameters.iter().any(|p| p == name)
    }
}

/// Policies loaded from one or more files (or built in), in a stable order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    /// Claims no API can show, kept so questionnaires can list them as manual.
    pub manual: Vec<ManualClaim>,
    /// The files the policies came from: (name, text), for the policy-set digest.
    pub files: Vec<Arc<SourceFile>>,
}

impl PolicySet {
    /// SHA-256 over the names and contents of the policy files, in order: identifies exactly which
    /// policies produced a report.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut files: Vec<&Arc<SourceFile>> = self.files.iter().collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        let mut hasher = Sha256::new();
        for file in files {
            hasher.update(file.name.as_bytes());
            hasher.update([0]);
            hasher.update(file.text.as_bytes());
            hasher.update([0]);
        }
        hex::encode(hasher.finalize())
    }
}

#[cfg(test)]
mod message_tests {
    #[test]
    fn placeholders_are_filled_and_unknown_ones_left_as_written() {
        let names: Vec<&str> = super::placeholders("{resource} in {region} {x").collect();
        assert_eq!(names, ["resource", "region"]);
        let filled = super::fill_message("{resource} in {region}: {other} {", |name| {
            (name != "other").then(|| name.to_uppercase())
        });
        assert_eq!(filled, "RESOURCE in REGION: {other} {");
    }

    #[test]
    fn every_built_in_policy_says_what_a_failure_means() {
        let (set, _) = super::load::builtin();
        let missing: Vec<&str> = set
            .policies
            .iter()
            .filter(|p| p.message.as_deref().is_none_or(str::is_empty))
            .map(|p| p.id.value.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "policies without a message: {missing:?}"
        );
    }
}
