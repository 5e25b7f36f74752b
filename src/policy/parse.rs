//! Stage two of policy parsing: the span-carrying YAML tree → validated [`Policy`] values.
//!
//! Every problem becomes a [`Diagnostic`] and decoding carries on, so one run reports all of a file's
//! mistakes. A policy with any error is left out of the result; the others still load. For the
//! linter, an invalid policy is also kept as far as it could be read ([`Partial`]): fields that
//! failed hold placeholders, and sub-conditions that failed are left out, so the semantic rules still
//! judge everything else in that run.

use std::sync::Arc;

use crate::controls::{Framework, Role};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::duration::Duration;
use crate::policy::decode::{Decoder, Fields, article};
use crate::policy::yaml::{Node, NodeKind};

use super::{
    AccountMatch, Compare, Condition, ControlRef, Elements, Fallback, Gaps, Guardrail, IfNone,
    Level, Link, ManualClaim, Negation, OnMissing, Op, Operand, ParamType, Parameter, Partial,
    Policy, Quantifier, Related, Severity, Spanned,
};

/// Keys of a policy file's top level.
pub const FILE_KEYS: &[&str] = &["policies", "manual"];
/// Keys of a manual (not machine-checkable) claim.
pub const MANUAL_KEYS: &[&str] = &["id", "claim", "controls"];
/// Keys of one policy.
pub const POLICY_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "severity",
    "resource",
    "level",
    "match",
    "if-none",
    "scope",
    "check",
    "parameters",
    "controls",
    "rationale",
    "remediation",
    "references",
    "aws-enforced",
    "message",
];
/// Keys of one control mapping written as a mapping (a plain ID decides, without a reason).
pub const MAPPING_KEYS: &[&str] = &["id", "role", "reason"];
/// Keys of one manual claim's control mapping: a claim has no role, it is the manual part.
pub const CLAIM_MAPPING_KEYS: &[&str] = &["id", "reason"];
pub const PARAMETER_KEYS: &[&str] = &["type", "default", "description", "guardrail"];
pub const GUARDRAIL_KEYS: &[&str] = &["min", "max", "vacuous-if-all-of"];
/// Operators of a comparison (`path` + exactly one of these).
pub const OPERATOR_KEYS: &[&str] = &super::OPERATOR_KEYWORDS;
/// The keys a condition has besides an operator.
const STRUCTURE_KEYS: [&str; 7] = ["all", "any", "not", "none", "path", "related", "on-missing"];
/// Every key a condition mapping may have: the structure keys, then every operator.
pub const CONDITION_KEYS: &[&str] = &{
    let mut keys = [""; STRUCTURE_KEYS.len() + super::OPERATOR_KEYWORDS.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = if i < STRUCTURE_KEYS.len() {
            STRUCTURE_KEYS[i]
        } else {
            super::OPERATOR_KEYWORDS[i - STRUCTURE_KEYS.len()]
        };
        i += 1;
    }
    keys
};
pub const RELATED_KEYS: &[&str] = &["resource", "from", "to", "fallback"];
pub const FALLBACK_KEYS: &[&str] = &["from", "to", "where"];
pub const PARAM_REF_KEYS: &[&str] = &["param"];

/// Policy IDs are used in file names, CLI flags and report keys.
fn valid_policy_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// What one policy file declares.
#[derive(Debug, Default)]
pub struct FileContents {
    pub policies: Vec<Policy>,
    pub manual: Vec<ManualClaim>,
    /// Policies with errors, as far as they could be read: for the linter only, never evaluated.
    pub partial: Vec<Partial<Policy>>,
    /// Manual claims with errors, as far as they could be read: for the linter only.
    pub partial_manual: Vec<Partial<ManualClaim>>,
}

/// One policy or claim: valid, or (its errors already reported) as far as it could be read.
enum Read<T> {
    Valid(T),
    Partial(Partial<T>),
}

/// Stands in for fields that failed to parse, for the partial view, and remembers that it did.
#[derive(Default)]
struct Filler {
    used: bool,
}

impl Filler {
    fn take<T>(&mut self, value: Option<T>, placeholder: T) -> T {
        value.unwrap_or_else(|| {
            self.used = true;
            placeholder
        })
    }
}

/// Parses one policy file. Returns the policies and claims without errors, partial views of those
/// with errors (for the linter), and every diagnostic.
pub fn parse_file(file: &Arc<SourceFile>) -> (FileContents, Vec<Diagnostic>) {
    let mut decoder = Decoder::new(file);
    let root = match super::decode::parse_yaml(file) {
        Ok(root) => root,
        Err(diag) => return (FileContents::default(), vec![diag]),
    };
    let contents = decoder.file_root(&root);
    (contents, decoder.diagnostics)
}

impl Decoder<'_> {
    /// The policy's failure message, its `{placeholders}` checked against
    /// [`super::MESSAGE_PLACEHOLDERS`] (an unknown one is an error at the message).
    fn message_template(&mut self, fields: &Fields) -> Option<String> {
        let node = fields.get("message")?;
        let text = self.string(node, "`message`")?;
        for name in super::placeholders(&text.value) {
            if !super::MESSAGE_PLACEHOLDERS.contains(&name) {
                let known = super::MESSAGE_PLACEHOLDERS
                    .map(|p| format!("{{{p}}}"))
                    .join(", ");
                let suggestion = crate::diagnostics::did_you_mean(
                    name,
                    super::MESSAGE_PLACEHOLDERS.iter().copied(),
                );
                self.error(
                    Code::InvalidValue,
                    text.span,
                    format!("`message` uses `{{{name}}}`, which is not a placeholder; the placeholders are {known}"),
                )
                .help = suggestion;
            }
        }
        Some(text.value)
    }

    fn file_root(&mut self, root: &Node) -> FileContents {
        let mut contents = FileContents::default();
        if root.kind == NodeKind::Null {
            self.error(Code::MissingKey, root.span, "the policy file is empty")
                .help = Some("a policy file is a mapping with a `policies:` list".into());
            return contents;
        }
        let Some(fields) = self.fields(root, "the policy file", FILE_KEYS) else {
            return contents;
        };
        let policies = if fields.has("manual") {
            fields.get("policies")
        } else {
            self.required(&fields, "policies", "the policy file")
        };
        if let Some(list) = policies {
            self.read_list(
                list,
                "`policies`",
                "a list of policies",
                Self::policy,
                (&mut contents.policies, &mut contents.partial),
            );
        }
        if let Some(list) = fields.get("manual") {
            self.read_list(
                list,
                "`manual`",
                "a list of claims",
                Self::manual_claim,
                (&mut contents.manual, &mut contents.partial_manual),
            );
        }
        contents
    }

    /// Reads each item of a list, sorting what could be read into valid values and the partial
    /// views of invalid ones.
    fn read_list<T>(
        &mut self,
        list: &Node,
        what: &str,
        expected: &str,
        mut read: impl FnMut(&mut Self, &Node) -> Option<Read<T>>,
        (valid, partial): (&mut Vec<T>, &mut Vec<Partial<T>>),
    ) {
        let NodeKind::Seq(items) = &list.kind else {
            return self.wrong_type(list, what, expected);
        };
        for item in items {
            match read(self, item) {
                Some(Read::Valid(value)) => valid.push(value),
                Some(Read::Partial(view)) => partial.push(view),
                None => {}
            }
        }
    }

    /// None when the item is not even a mapping; otherwise the claim, partial if it has errors.
    fn manual_claim(&mut self, node: &Node) -> Option<Read<ManualClaim>> {
        let errors_before = self.error_count();
        let fields = self.fields(node, "a manual claim", MANUAL_KEYS)?;
        let id = self
            .required(&fields, "id", "a manual claim")
            .and_then(|n| self.string(n, "`id`"));
        let claim = self
            .required(&fields, "claim", "a manual claim")
            .and_then(|n| self.string(n, "`claim`"));
        let controls_before = self.error_count();
        let controls = self
            .required(&fields, "controls", "a manual claim")
            .map(|n| self.controls(n, CLAIM_MAPPING_KEYS))
            .unwrap_or_default();
        let gaps = Gaps {
            id: id.is_none(),
            controls: self.error_count() > controls_before,
            ..Gaps::default()
        };
        let mut filler = Filler::default();
        let claim = ManualClaim {
            id: filler.take(id, Spanned::new(String::new(), fields.span)),
            claim: filler.take(claim.map(|c| c.value), String::new()),
            controls,
            file: self.file.clone(),
        };
        if self.error_count() > errors_before || filler.used {
            return Some(Read::Partial(Partial { value: claim, gaps }));
        }
        Some(Read::Valid(claim))
    }

    /// None when the item is not even a mapping; otherwise the policy, partial if it has errors.
    fn policy(&mut self, node: &Node) -> Option<Read<Policy>> {
        let errors_before = self.error_count();
        let fields = self.fields(node, "a policy", POLICY_KEYS)?;
        let id = self
            .required(&fields, "id", "a policy")
            .and_then(|n| self.string(n, "`id`"));
        if let Some(id) = &id
            && !valid_policy_id(&id.value)
        {
            self.error(
                Code::InvalidValue,
                id.span,
                format!("policy id `{}` is not valid", id.value),
            )
            .help = Some(
                "use lowercase letters, digits and dashes, e.g. `rds-storage-encrypted`".into(),
            );
        }
        let title = self
            .required(&fields, "title", "a policy")
            .and_then(|n| self.string(n, "`title`"));
        let severity = self
            .required(&fields, "severity", "a policy")
            .and_then(|n| {
                let options: Vec<(&str, Severity)> =
                    Severity::ALL.iter().map(|s| (s.as_str(), *s)).collect();
                self.enum_value(n, "severity", &options)
            });
        let resource_type = self
            .required(&fields, "resource", "a policy")
            .and_then(|n| self.string(n, "`resource`"));
        let level = match fields.get("level") {
            Some(n) => self.enum_value(
                n,
                "level",
                &[("resource", Level::Resource), ("account", Level::Account)],
            ),
            None => Some(Level::Resource),
        };
        let account_match = match fields.get("match") {
            Some(n) => {
                if level == Some(Level::Resource) {
                    self.error(
                        Code::InvalidValue,
                        n.span,
                        "`match` applies only to `level: account` policies",
                    );
                }
                self.enum_value(
                    n,
                    "match",
                    &[
                        ("any", AccountMatch::Any),
                        ("all", AccountMatch::All),
                        ("none", AccountMatch::None),
                    ],
                )
            }
            None => Some(AccountMatch::Any),
        };
        let if_none = match fields.get("if-none") {
            Some(n) => self.enum_value(
                n,
                "if-none",
                &[
                    ("pass", IfNone::Pass),
                    ("fail", IfNone::Fail),
                    ("error", IfNone::Error),
                    ("not_applicable", IfNone::NotApplicable),
                ],
            ),
            None => Some(match account_match {
                // "At least one trail": none at all is a failure of the claim.
                Some(AccountMatch::Any) | None => IfNone::Fail,
                Some(AccountMatch::All) => IfNone::NotApplicable,
                Some(AccountMatch::None) => IfNone::Pass,
            }),
        };
        let mut gaps = Gaps {
            id: id.is_none(),
            resource_type: resource_type.is_none(),
            ..Gaps::default()
        };
        let conditions_before = self.error_count();
        let scope = fields.get("scope").map(|n| self.condition(n));
        let check = self
            .required(&fields, "check", "a policy")
            .map(|n| self.condition(n));
        gaps.conditions = self.error_count() > conditions_before;
        let parameters = fields
            .get("parameters")
            .map(|n| self.parameters(n, &mut gaps))
            .unwrap_or_default();
        let controls_before = self.error_count();
        let controls = fields
            .get("controls")
            .map(|n| self.controls(n, MAPPING_KEYS))
            .unwrap_or_default();
        gaps.controls = self.error_count() > controls_before;
        let aws_enforced = self.opt_string(&fields, "aws-enforced");
        let references = match fields.get("references") {
            Some(n) => self.string_list(n, "`references`"),
            None => Vec::new(),
        };
        let description = self.opt_string(&fields, "description");
        let rationale = self.opt_string(&fields, "rationale");
        let remediation = self.opt_string(&fields, "remediation");
        let message = self.message_template(&fields);
        // Placeholders, for the partial view only: nothing walks an empty `check`.
        let mut filler = Filler::default();
        let scope = match scope {
            Some(scope) => filler.take(scope.map(Some), None),
            None => None,
        };
        let policy = Policy {
            id: filler.take(id, Spanned::new(String::new(), fields.span)),
            title: filler.take(title.map(|t| t.value), String::new()),
            description,
            severity: filler.take(severity, Severity::Low),
            resource_type: filler.take(resource_type, Spanned::new(String::new(), fields.span)),
            level: filler.take(level, Level::Resource),
            account_match: filler.take(account_match, AccountMatch::Any),
            if_none: filler.take(if_none, IfNone::Fail),
            scope,
            check: filler.take(check.flatten(), Condition::All(Vec::new())),
            parameters,
            controls,
            rationale,
            remediation,
            references,
            aws_enforced,
            message,
            file: self.file.clone(),
            span: fields.span,
        };
        if self.error_count() > errors_before || filler.used {
            return Some(Read::Partial(Partial {
                value: policy,
                gaps,
            }));
        }
        Some(Read::Valid(policy))
    }

    fn controls(&mut self, node: &Node, mapping_keys: &[&str]) -> Vec<ControlRef> {
        let keys: Vec<&str> = Framework::ALL.iter().map(|f| f.key()).collect();
        let Some(fields) = self.fields(node, "`controls`", &keys) else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        for (key, _, value) in &fields.entries {
            let Some(framework) = Framework::from_key(key) else {
                continue;
            };
            let NodeKind::Seq(items) = &value.kind else {
                self.wrong_type(value, &format!("`controls.{key}`"), "a list of control IDs");
                continue;
            };
            for item in items {
                if let Some(mapping) = self.mapping(framework, item, mapping_keys) {
                    refs.push(mapping);
                }
            }
        }
        refs
    }

    /// `CEK-03.1` (decides), or `{id: CEK-03.1, role: supports, reason: ...}`.
    fn mapping(&mut self, framework: Framework, node: &Node, keys: &[&str]) -> Option<ControlRef> {
        if let NodeKind::Str(_) = node.kind {
            return Some(ControlRef {
                framework,
                id: self.string(node, "a control ID")?,
                role: Role::Decides,
                reason: None,
            });
        }
        if !matches!(node.kind, NodeKind::Map(_)) {
            self.wrong_type(
                node,
                "a control mapping",
                "a control ID or a mapping with `id`",
            );
            return None;
        }
        let fields = self.fields(node, "a control mapping", keys)?;
        let id = self
            .required(&fields, "id", "a control mapping")
            .and_then(|n| self.string(n, "`id`"));
        // A bad role leaves the ID to check (the policy is invalid all the same).
        let role = match fields.get("role") {
            Some(n) => self
                .enum_value(
                    n,
                    "role",
                    &[("decides", Role::Decides), ("supports", Role::Supports)],
                )
                .unwrap_or(Role::Decides),
            None => Role::Decides,
        };
        let reason = self.opt_string(&fields, "reason");
        Some(ControlRef {
            framework,
            id: id?,
            role,
            reason,
        })
    }

    /// The readable parameters; the names of unreadable ones go into `gaps`.
    fn parameters(&mut self, node: &Node, gaps: &mut Gaps) -> Vec<Parameter> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(
                node,
                "`parameters`",
                "a mapping of parameter names to definitions",
            );
            gaps.parameters_unreadable = true;
            return Vec::new();
        };
        let mut params: Vec<Parameter> = Vec::new();
        for (key, value) in entries {
            let Some(name) = self.string(key, "a parameter name") else {
                gaps.parameters_unreadable = true;
                continue;
            };
            if params.iter().any(|p| p.name.value == name.value) {
                self.error(
                    Code::DuplicateKey,
                    key.span,
                    format!("parameter `{}` is defined twice", name.value),
                );
                continue;
            }
            let text = name.value.clone();
            match self.parameter(name, value) {
                Some(param) => params.push(param),
                None => gaps.broken_parameters.push(text),
            }
        }
        params
    }

    fn parameter(&mut self, name: Spanned<String>, node: &Node) -> Option<Parameter> {
        let what = format!("parameter `{}`", name.value);
        let fields = self.fields(node, &what, PARAMETER_KEYS)?;
        let kind = self.required(&fields, "type", &what).and_then(|n| {
            self.enum_value(
                n,
                "parameter type",
                &[
                    ("integer", ParamType::Integer),
                    ("number", ParamType::Number),
                    ("duration", ParamType::Duration),
                    ("string", ParamType::String),
                    ("boolean", ParamType::Boolean),
                    ("list", ParamType::List),
                ],
            )
        })?;
        // No default: the user states the value, and the policy does not run until they do. A
        // default or guardrail that fails is left out and the policy is invalid; the parameter
        // stays, with its type, for the linter's view of the rest.
        let default = fields.get("default").and_then(|n| {
            let value = self.param_value(kind, n, &format!("the default of {what}"))?;
            Some(Spanned::new(value, n.span))
        });
        let guardrail = fields
            .get("guardrail")
            .and_then(|n| self.guardrail(kind, n, &what));
        Some(Parameter {
            name,
            kind,
            default,
            description: self.opt_string(&fields, "description"),
            guardrail,
        })
    }

    /// Checks a parameter value against its declared type.
    fn param_value(
        &mut self,
        kind: ParamType,
        node: &Node,
        what: &str,
    ) -> Option<serde_json::Value> {
        let ok = match (kind, &node.kind) {
            (ParamType::Integer, NodeKind::Int(_))
            | (ParamType::Number, NodeKind::Int(_) | NodeKind::Float(_))
            | (ParamType::String, NodeKind::Str(_))
            | (ParamType::Boolean, NodeKind::Bool(_))
            | (ParamType::List, NodeKind::Seq(_)) => true,
            (ParamType::Duration, NodeKind::Str(s)) => {
                if let Err(e) = Duration::parse(s) {
                    self.error(Code::InvalidDuration, node.span, format!("{what}: {e}"));
                    return None;
                }
                true
            }
            _ => false,
        };
        if !ok {
            let expected = match kind {
                ParamType::Duration => "a duration such as `90d`".to_string(),
                other => article(other.name()),
            };
            self.wrong_type(node, what, &expected);
            return None;
        }
        Some(node.to_json())
    }

    fn guardrail(&mut self, kind: ParamType, node: &Node, what: &str) -> Option<Guardrail> {
        let fields = self.fields(node, &format!("the guardrail of {what}"), GUARDRAIL_KEYS)?;
        if kind == ParamType::List {
            let mut bounds = false;
            for key in ["min", "max"] {
                if let Some(n) = fields.get(key) {
                    self.error(
                        Code::InvalidValue,
                        n.span,
                        format!("guardrail `{key}` applies to numeric and duration parameters, not lists"),
                    );
                    bounds = true;
                }
            }
            if bounds {
                return None;
            }
            let Some(n) = fields.get("vacuous-if-all-of") else {
                self.error(
                    Code::MissingKey,
                    fields.head(),
                    "the guardrail of a list parameter needs `vacuous-if-all-of`",
                );
                return None;
            };
            let NodeKind::Seq(items) = &n.kind else {
                self.wrong_type(n, "guardrail `vacuous-if-all-of`", "a list");
                return None;
            };
            return Some(Guardrail {
                min: None,
                max: None,
                vacuous_if_all_of: Some(items.iter().map(Node::to_json).collect()),
            });
        }
        if let Some(n) = fields.get("vacuous-if-all-of") {
            self.error(
                Code::InvalidValue,
                n.span,
                format!(
                    "guardrail `vacuous-if-all-of` applies to list parameters, not {}",
                    kind.name()
                ),
            );
            return None;
        }
        let mut bound = |key: &str| -> Option<Option<f64>> {
            let Some(n) = fields.get(key) else {
                return Some(None);
            };
            let value = match (kind, &n.kind) {
                (ParamType::Integer | ParamType::Number, NodeKind::Int(i)) => *i as f64,
                (ParamType::Integer | ParamType::Number, NodeKind::Float(f)) => *f,
                (ParamType::Duration, NodeKind::Str(s)) => match Duration::parse(s) {
                    Ok(d) => d.seconds as f64,
                    Err(e) => {
                        self.error(
                            Code::InvalidDuration,
                            n.span,
                            format!("guardrail `{key}`: {e}"),
                        );
                        return None;
                    }
                },
                (ParamType::Integer | ParamType::Number | ParamType::Duration, _) => {
                    let expected = if kind == ParamType::Duration {
                        "a duration"
                    } else {
                        "a number"
                    };
                    self.wrong_type(n, &format!("guardrail `{key}`"), expected);
                    return None;
                }
                _ => {
                    self.error(
                        Code::InvalidValue,
                        n.span,
                        format!(
                            "guardrails apply to numeric and duration parameters, not {}",
                            kind.name()
                        ),
                    );
                    return None;
                }
            };
            Some(Some(value))
        };
        let min = bound("min");
        let max = bound("max");
        Some(Guardrail {
            min: min?,
            max: max?,
            vacuous_if_all_of: None,
        })
    }

    /// The condition, or None when it is unreadable. Inside a condition with errors, the parts
    /// that could be read are kept and the rest left out: only the linter's partial view of an
    /// invalid policy ever holds such a condition.
    fn condition(&mut self, node: &Node) -> Option<Condition> {
        if let NodeKind::Seq(items) = &node.kind {
            // A bare list means "all of these", which reads naturally in policies.
            return self.condition_list(node, items).map(Condition::All);
        }
        let fields = self.fields(node, "a condition", CONDITION_KEYS)?;
        let quantifier = self.quantifier_key(&fields);
        if fields.has("path") {
            return match quantifier {
                Some(q) => self.elements(&fields, q).map(Condition::Elements),
                None => self.compare(node, &fields).map(Condition::Compare),
            };
        }
        if fields.has("related") {
            let Some(q) = quantifier else {
                self.error(
                    Code::MissingKey,
                    fields.head(),
                    "`related` needs one of `any`, `all` or `none`",
                )
                .help = Some("e.g. `related: {...}` with `all: {path: ..., equals: ...}`".into());
                return None;
            };
            return self.related(&fields, q).map(Condition::Related);
        }
        let present: Vec<&str> = ["all", "any", "not", "none"]
            .into_iter()
            .filter(|k| fields.has(k))
            .collect();
        let stray: Vec<&str> = fields
            .entries
            .iter()
            .map(|(k, _, _)| *k)
            .filter(|k| !present.contains(k))
            .collect();
        if present.len() != 1 || !stray.is_empty() {
            let message = if present.is_empty() && stray.iter().any(|k| OPERATOR_KEYS.contains(k)) {
                "a comparison needs a `path`".to_string()
            } else if present.is_empty() {
                "a condition needs `all`, `any`, `not`, a `path` comparison or `related`"
                    .to_string()
            } else {
                format!(
                    "a condition has exactly one of `all`, `any`, `not`; found {}",
                    fields
                        .entries
                        .iter()
                        .map(|(k, _, _)| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.error(Code::InvalidCondition, fields.head(), message);
            // Read each combination all the same, so mistakes inside are reported in this run.
            let parts: Vec<Condition> = present
                .iter()
                .filter_map(|key| self.combination(&fields, key))
                .collect();
            return (!parts.is_empty()).then_some(Condition::All(parts));
        }
        self.combination(&fields, present[0])
    }

    /// `all`, `any`, `not` or `none` (`key`) of a condition mapping.
    fn combination(&mut self, fields: &Fields, key: &str) -> Option<Condition> {
        let value = fields.get(key)?;
        let negation = |keyword: &'static str, condition: Condition| {
            Condition::Not(Negation {
                condition: Box::new(condition),
                keyword: Spanned::new(keyword, fields.key_span(keyword).unwrap_or(fields.span)),
            })
        };
        match key {
            "not" => Some(negation("not", self.condition(value)?)),
            "none" => {
                // `none: [a, b]` = neither a nor b.
                let items = self.list_of_conditions(value, "`none`")?;
                Some(negation("none", Condition::Any(items)))
            }
            "all" => self.list_of_conditions(value, "`all`").map(Condition::All),
            _ => self.list_of_conditions(value, "`any`").map(Condition::Any),
        }
    }

    fn list_of_conditions(&mut self, node: &Node, what: &str) -> Option<Vec<Condition>> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_type(node, what, "a list of conditions");
            return None;
        };
        self.condition_list(node, items)
    }

    fn condition_list(&mut self, node: &Node, items: &[Node]) -> Option<Vec<Condition>> {
        if items.is_empty() {
            self.error(
                Code::InvalidCondition,
                node.span,
                "an empty list of conditions decides nothing",
            );
            return None;
        }
        // Every item is read, so each one's mistakes are reported; unreadable ones are left out
        // (their errors make the policy invalid).
        Some(items.iter().filter_map(|n| self.condition(n)).collect())
    }

    /// The element/related quantifier when a `path` or `related` condition has one.
    fn quantifier_key(&mut self, fields: &Fields) -> Option<Quantifier> {
        if !(fields.has("path") || fields.has("related")) {
            return None;
        }
        let found: Vec<Quantifier> = [Quantifier::Any, Quantifier::All, Quantifier::None]
            .into_iter()
            .filter(|q| fields.has(q.keyword()))
            .collect();
        if found.len() > 1 {
            self.error(
                Code::InvalidCondition,
                fields.head(),
                "use only one of `any`, `all`, `none` here",
            );
        }
        found.first().copied()
    }

    fn on_missing(&mut self, fields: &Fields) -> Option<OnMissing> {
        match fields.get("on-missing") {
            None => Some(OnMissing::Error),
            Some(n) => self.enum_value(
                n,
                "on-missing",
                &[
                    ("error", OnMissing::Error),
                    ("pass", OnMissing::Pass),
                    ("fail", OnMissing::Fail),
                ],
            ),
        }
    }

    fn path(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let path = self.string(node, what)?;
        let bad = path.value.is_empty()
            || (path.value != "@" && path.value.split('.').any(str::is_empty));
        if bad {
            self.error(
                Code::InvalidValue,
                path.span,
                format!("`{}` is not a property path", path.value),
            )
            .help =
                Some("write dotted property names, e.g. `configuration.storageEncrypted`".into());
            return None;
        }
        Some(path)
    }

    fn compare(&mut self, node: &Node, fields: &Fields) -> Option<Compare> {
        let path = self.path(fields.get("path")?, "`path`");
        let on_missing = self.on_missing(fields);
        let operators: Vec<(&str, &Node)> = fields
            .entries
            .iter()
            .filter(|(k, _, _)| OPERATOR_KEYS.contains(k))
            .map(|(k, _, v)| (*k, *v))
            .collect();
        let stray: Vec<&str> = fields
            .entries
            .iter()
            .map(|(k, _, _)| *k)
            .filter(|k| !OPERATOR_KEYS.contains(k) && *k != "path" && *k != "on-missing")
            .collect();
        if let Some(k) = stray.first() {
            let span = fields.key_span(k).unwrap_or(fields.span);
            self.error(
                Code::InvalidCondition,
                span,
                format!("`{k}` cannot be combined with `path` and an operator"),
            )
            .help = Some("combine conditions with `all:` or `any:`".into());
        }
        let (key, value) = match operators.as_slice() {
            [one] => *one,
            // A misspelt operator is an unknown key, already reported with a suggestion; a stray
            // key was reported just above. Either is the mistake: no second diagnostic for it.
            [] if !stray.is_empty() || misspelt_operator(node) => return None,
            [] => {
                self.error(
                    Code::MissingKey,
                    fields.head(),
                    "a comparison needs an operator",
                )
                .help = Some(format!("one of: {}", OPERATOR_KEYS.join(", ")));
                return None;
            }
            [_, second, ..] => {
                let span = fields.key_span(second.0).unwrap_or(fields.span);
                self.error(
                    Code::InvalidCondition,
                    span,
                    "a comparison has exactly one operator",
                )
                .help = Some("combine several comparisons with `all:`".into());
                return None;
            }
        };
        let op = self.operator(key, value)?;
        Some(Compare {
            path: path?,
            op,
            on_missing: on_missing.unwrap_or_default(),
            span: fields.span,
        })
    }

    fn operator(&mut self, key: &str, value: &Node) -> Option<Op> {
        let what = format!("`{key}`");
        Some(match key {
            "equals" => Op::Equals(self.operand(value, &what, Shape::Any)?),
            "not-equals" => Op::NotEquals(self.operand(value, &what, Shape::Any)?),
            "contains" => Op::Contains(self.operand(value, &what, Shape::Scalar)?),
            "in" => Op::In(self.operand(value, &what, Shape::List)?),
            "not-in" => Op::NotIn(self.operand(value, &what, Shape::List)?),
            "gt" => Op::Gt(self.operand(value, &what, Shape::Number)?),
            "gte" => Op::Gte(self.operand(value, &what, Shape::Number)?),
            "lt" => Op::Lt(self.operand(value, &what, Shape::Number)?),
            "lte" => Op::Lte(self.operand(value, &what, Shape::Number)?),
            "within" => Op::Within(self.operand(value, &what, Shape::Duration)?),
            "older-than" => Op::OlderThan(self.operand(value, &what, Shape::Duration)?),
            "exists" | "absent" => {
                let NodeKind::Bool(flag) = value.kind else {
                    self.wrong_type(value, &what, "`true` or `false`");
                    return None;
                };
                if flag == (key == "exists") {
                    Op::Exists
                } else {
                    Op::Absent
                }
            }
            "matches" => {
                let pattern = self.string(value, &what)?;
                if let Err(e) = regex::Regex::new(&pattern.value) {
                    self.error(
                        Code::InvalidRegex,
                        pattern.span,
                        format!(
                            "invalid regular expression: {}",
                            first_line(&e.to_string()).trim_start_matches("error: ")
                        ),
                    )
                    .label = Some("this pattern".into());
                    return None;
                }
                Op::Matches(pattern)
            }
            _ => unreachable!("operator keys are checked by the caller"),
        })
    }

    fn operand(&mut self, node: &Node, what: &str, shape: Shape) -> Option<Operand> {
        if let NodeKind::Map(entries) = &node.kind
            && entries.iter().any(|(k, _)| k.as_str() == Some("param"))
        {
            let fields = self.fields(node, "a parameter reference", PARAM_REF_KEYS)?;
            let name = self.string(fields.get("param")?, "`param`")?;
            return Some(Operand::Param(name));
        }
        let ok = match (shape, &node.kind) {
            (Shape::Any, _) => true,
            (
                Shape::Scalar,
                NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_),
            ) => true,
            (Shape::List, NodeKind::Seq(_)) => true,
            (Shape::Number, NodeKind::Int(_) | NodeKind::Float(_)) => true,
            (Shape::Duration, NodeKind::Str(s)) => {
                if let Err(e) = Duration::parse(s) {
                    self.error(Code::InvalidDuration, node.span, format!("{what}: {e}"));
                    return None;
                }
                true
            }
            _ => false,
        };
        if !ok {
            let expected = match shape {
                Shape::Any => "a value",
                Shape::Scalar => "a string, number or boolean",
                Shape::List => "a list",
                Shape::Number => "a number",
                Shape::Duration => "a duration such as `90d`",
            };
            self.wrong_type(node, what, &format!("{expected} (or `{{param: NAME}}`)"));
            return None;
        }
        Some(Operand::Literal(Spanned::new(node.to_json(), node.span)))
    }

    fn elements(&mut self, fields: &Fields, quantifier: Quantifier) -> Option<Elements> {
        // A second quantifier was reported by `quantifier_key`.
        let stray = fields
            .entries
            .iter()
            .find(|(k, _, _)| !matches!(*k, "path" | "on-missing" | "any" | "all" | "none"));
        if let Some((k, key, _)) = stray {
            self.error(
                Code::InvalidCondition,
                key.span,
                format!(
                    "`{k}` cannot be combined with the element quantifier `{}`",
                    quantifier.keyword()
                ),
            );
        }
        let path = self.path(fields.get("path")?, "`path`");
        let on_missing = self.on_missing(fields);
        let condition = self.condition(fields.get(quantifier.keyword())?);
        Some(Elements {
            path: path?,
            quantifier,
            quantifier_span: fields.key_span(quantifier.keyword()).unwrap_or(fields.span),
            condition: Box::new(condition.unwrap_or(Condition::All(Vec::new()))),
            on_missing: on_missing.unwrap_or_default(),
            span: fields.span,
        })
    }

    fn related(&mut self, fields: &Fields, quantifier: Quantifier) -> Option<Related> {
        // A second quantifier was reported by `quantifier_key`.
        let stray = fields
            .entries
            .iter()
            .find(|(k, _, _)| !matches!(*k, "related" | "on-missing" | "any" | "all" | "none"));
        if let Some((k, key, _)) = stray {
            self.error(
                Code::InvalidCondition,
                key.span,
                format!("`{k}` cannot be combined with `related`"),
            );
        }
        let link = self.link(fields.get("related")?);
        let on_missing = self.on_missing(fields);
        let condition = self.condition(fields.get(quantifier.keyword())?);
        Some(Related {
            link: link?,
            quantifier,
            quantifier_span: fields.key_span(quantifier.keyword()).unwrap_or(fields.span),
            condition: Box::new(condition.unwrap_or(Condition::All(Vec::new()))),
            on_missing: on_missing.unwrap_or_default(),
            span: fields.span,
        })
    }

    fn link(&mut self, node: &Node) -> Option<Link> {
        let fields = self.fields(node, "`related`", RELATED_KEYS)?;
        let resource_type = self
            .required(&fields, "resource", "`related`")
            .and_then(|n| self.string(n, "`resource`"));
        let from = self
            .required(&fields, "from", "`related`")
            .and_then(|n| self.path(n, "`from`"));
        let to = match fields.get("to") {
            Some(n) => self.path(n, "`to`"),
            None => Some(Spanned::new("resourceId".to_string(), fields.span)),
        };
        let fallback = fields.get("fallback").and_then(|n| self.fallback(n));
        Some(Link {
            resource_type: resource_type?,
            from: from?,
            to: to?,
            fallback,
        })
    }

    fn fallback(&mut self, node: &Node) -> Option<Fallback> {
        let fields = self.fields(node, "`fallback`", FALLBACK_KEYS)?;
        let from = self
            .required(&fields, "from", "`fallback`")
            .and_then(|n| self.path(n, "`from`"));
        let to = self
            .required(&fields, "to", "`fallback`")
            .and_then(|n| self.path(n, "`to`"));
        let filter = fields
            .get("where")
            .and_then(|n| self.condition(n))
            .map(Box::new);
        Some(Fallback {
            from: from?,
            to: to?,
            filter,
        })
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Any,
    Scalar,
    List,
    Number,
    Duration,
}

/// Whether a condition mapping has an unknown key whose suggestion is an operator (`equal`): its
/// `unknown-key` diagnostic already says which operator was meant.
fn misspelt_operator(node: &Node) -> bool {
    use crate::diagnostics::did_you_mean;
    let NodeKind::Map(entries) = &node.kind else {
        return false;
    };
    entries
        .iter()
        .filter_map(|(key, _)| key.as_str())
        .filter(|key| !CONDITION_KEYS.contains(key))
        .any(|key| {
            let suggestion = did_you_mean(key, CONDITION_KEYS.iter().copied());
            suggestion.is_some() && suggestion == did_you_mean(key, OPERATOR_KEYS.iter().copied())
        })
}

fn first_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Policy>, Vec<Diagnostic>) {
        let (contents, diagnostics) = parse_file(&SourceFile::new("test.yaml", text));
        (contents.policies, diagnostics)
    }

    #[test]
    fn every_operator_keyword_parses_to_the_operator_it_names() {
        for keyword in OPERATOR_KEYS {
            let operand = match *keyword {
                "exists" | "absent" => "true",
                "in" | "not-in" => "[a]",
                "gt" | "gte" | "lt" | "lte" => "1",
                "within" | "older-than" => "90d",
                _ => "a",
            };
            let (policies, diags) = parse(&format!(
                "policies:\n  - {{id: p, title: t, severity: low, resource: T, check: {{path: x, {keyword}: {operand}}}}}\n"
            ));
            assert!(diags.is_empty(), "{keyword}: {diags:?}");
            let Condition::Compare(cmp) = &policies[0].check else {
                panic!("{keyword}: not a comparison");
            };
            assert_eq!(cmp.op.keyword(), *keyword);
        }
        assert_eq!(CONDITION_KEYS.len(), OPERATOR_KEYS.len() + 7);
    }

    #[test]
    fn a_misspelt_required_key_is_reported_once() {
        let (policies, diags) = parse(
            "policies:\n  - id: p\n    title: t\n    severty: high\n    resource: AWS::S3::Bucket\n    check: {path: a, exists: true}\n",
        );
        assert!(policies.is_empty());
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["unknown-key"], "{diags:?}");
        assert!(diags[0].help.as_deref().unwrap().contains("`severity`"));
    }

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text).1.iter().map(|d| d.code.as_str()).collect()
    }

    const MINIMAL: &str = "policies:
  - id: rds-encrypted
    title: RDS encrypted
    severity: high
    resource: AWS::RDS::DBInstance
    check: {path: configuration.storageEncrypted, equals: true}
";

    #[test]
    fn minimal_policy_parses() {
        let (policies, diags) = parse(MINIMAL);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(policies[0].id.value, "rds-encrypted");
        assert!(matches!(policies[0].check, Condition::Compare(_)));
    }

    #[test]
    fn every_problem_in_a_file_is_reported() {
        let text = "policies:
  - id: Bad_ID
    titel: x
    severity: urgent
    resource: AWS::RDS::DBInstance
    check: {path: a, within: ninety}
";
        let found = codes(text);
        assert!(found.contains(&"invalid-value"), "{found:?}");
        assert!(found.contains(&"unknown-key"), "{found:?}");
        // `titel` is reported once, as the unknown key it is, not again as a missing `title`.
        assert!(!found.contains(&"missing-key"), "{found:?}");
        assert!(found.contains(&"invalid-duration"), "{found:?}");
    }

    #[test]
    fn unknown_key_suggests_the_right_one() {
        let (_, diags) = parse(&MINIMAL.replace("severity", "severty"));
        let unknown = diags.iter().find(|d| d.code == "unknown-key").unwrap();
        assert_eq!(unknown.help.as_deref(), Some("did you mean `severity`?"));
        assert_eq!(unknown.location().unwrap().1, 4);
    }

    #[test]
    fn quantifiers_related_and_params_parse() {
        let text = "policies:
  - id: p
    title: t
    severity: low
    resource: AWS::EC2::Subnet
    parameters:
      days: {type: integer, default: 90, guardrail: {max: 90}}
    check:
      related:
        resource: AWS::EC2::RouteTable
        from: resourceId
        to: configuration.associations.subnetId
        fallback: {from: configuration.vpcId, to: configuration.vpcId, where: {path: configuration.associations, any: {path: main, equals: true}}}
      all:
        path: configuration.routes
        none:
          - {path: destinationCidrBlock, equals: 0.0.0.0/0}
          - {path: gatewayId, matches: '^igw-', on-missing: fail}
";
        let (policies, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let Condition::Related(rel) = &policies[0].check else {
            panic!()
        };
        assert!(rel.link.fallback.is_some());
        assert_eq!(
            policies[0].parameters[0].guardrail.as_ref().unwrap().max,
            Some(90.0)
        );
    }

    #[test]
    fn bad_regex_and_wrong_types_are_located() {
        let text = MINIMAL.replace("equals: true", "matches: '[a-'");
        let (_, diags) = parse(&text);
        assert_eq!(diags[0].code, "invalid-regex");
        let text = MINIMAL.replace("equals: true", "gte: seven");
        let (_, diags) = parse(&text);
        assert_eq!(diags[0].code, "wrong-type");
        assert_eq!(diags[0].location().unwrap().1, 6);
    }

    #[test]
    fn syntax_error_is_one_diagnostic() {
        let found = codes("policies: [\n  - id: x\n");
        assert_eq!(found, ["yaml-syntax"]);
    }

    #[test]
    fn an_invalid_policy_is_read_for_the_linter_only() {
        let text = "policies:
  - id: p
    title: t
    severity: hihg
    resource: AWS::RDS::DBInstanse
    parameters:
      days: {type: integr, default: 7}
      count: {type: integer, default: seven}
    check:
      - {path: a, equal: true}
      - {path: b, gte: {param: days}}
    controls:
      ccm-v4: [CEK-33, {id: CEK-03, role: decide}]
";
        let (contents, diagnostics) = parse_file(&SourceFile::new("test.yaml", text));
        assert!(contents.policies.is_empty());
        assert_eq!(diagnostics.len(), 5, "{diagnostics:?}");
        let [partial] = contents.partial.as_slice() else {
            panic!("{:?}", contents.partial)
        };
        let policy = &partial.value;
        assert_eq!(policy.resource_type.value, "AWS::RDS::DBInstanse");
        let ids: Vec<&str> = policy
            .controls
            .iter()
            .map(|c| c.id.value.as_str())
            .collect();
        assert_eq!(ids, ["CEK-33", "CEK-03"]);
        // The readable comparison is kept, the broken one left out.
        let Condition::All(items) = &policy.check else {
            panic!("{:?}", policy.check)
        };
        assert!(matches!(&items[..], [Condition::Compare(c)] if c.path.value == "b"));
        // `count` keeps its type (its default failed); `days` is unreadable.
        let names: Vec<&str> = policy
            .parameters
            .iter()
            .map(|p| p.name.value.as_str())
            .collect();
        assert_eq!(names, ["count"]);
        let gaps = &partial.gaps;
        assert_eq!(
            (gaps.id, gaps.resource_type, gaps.conditions, gaps.controls),
            (false, false, true, true)
        );
        assert_eq!(gaps.broken_parameters, ["days"]);
    }

    #[test]
    fn a_misspelt_operator_is_one_diagnostic() {
        let text = MINIMAL.replace("equals: true", "equal: true");
        assert_eq!(codes(&text), ["unknown-key"]);
        // An unknown key that is no operator leaves the operator missing.
        let text = MINIMAL.replace("equals: true", "on-misisng: fail");
        assert_eq!(codes(&text), ["unknown-key", "missing-key"]);
    }

    #[test]
    fn mistakes_beside_a_bad_combination_are_reported() {
        let text = MINIMAL.replace(
            "{path: configuration.storageEncrypted, equals: true}",
            "{not: {path: a, within: ninety}, on-missing: fail}",
        );
        assert_eq!(codes(&text), ["invalid-condition", "invalid-duration"]);
        let text = MINIMAL.replace(
            "check:",
            "parameters:\n      days: {type: duration, default: 7d, guardrail: {min: x, max: y}}\n    check:",
        );
        assert_eq!(codes(&text), ["invalid-duration", "invalid-duration"]);
    }

    #[test]
    fn comparisons_need_exactly_one_operator() {
        let text = MINIMAL.replace("equals: true", "equals: true, exists: true");
        assert_eq!(codes(&text), ["invalid-condition"]);
        let text = MINIMAL.replace(
            "path: configuration.storageEncrypted, equals: true",
            "path: x",
        );
        assert_eq!(codes(&text), ["missing-key"]);
    }
}
