//! Binds a policy's parameters and compiles its conditions into a form that evaluates without
//! re-parsing paths, durations or regexes for each resource.

use std::collections::BTreeMap;

use serde_json::Value;

use super::path::PropertyPath;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::duration::Duration;
use crate::policy::{
    AccountMatch, Compare, Condition, GuardrailProblem, IfNone, Level, Link, OnMissing, Op,
    Operand, ParamType, PathContext, Policy, Quantifier, Severity,
};

#[derive(Debug)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Compare {
        path: PropertyPath,
        test: Test,
        on_missing: OnMissing,
        /// The full schema path, when only attestor collects it (AWS Config never records it).
        attestor_only: Option<Box<str>>,
    },
    Elements {
        path: PropertyPath,
        quantifier: Quantifier,
        cond: Box<Cond>,
        on_missing: OnMissing,
        attestor_only: Option<Box<str>>,
    },
    Related {
        link: CompiledLink,
        quantifier: Quantifier,
        cond: Box<Cond>,
        on_missing: OnMissing,
    },
}

#[derive(Debug)]
pub enum Test {
    Equals(Value),
    NotEquals(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Gt(f64),
    Gte(f64),
    Lt(f64),
    Lte(f64),
    Exists,
    Absent,
    Matches(regex::Regex),
    Contains(Value),
    Within(Duration),
    OlderThan(Duration),
}

#[derive(Debug)]
pub struct CompiledLink {
    pub resource_type: String,
    pub from: PropertyPath,
    /// Index into the relation indexes built before evaluation.
    pub index: usize,
    pub fallback: Option<CompiledFallback>,
}

#[derive(Debug)]
pub struct CompiledFallback {
    pub from: PropertyPath,
    pub index: usize,
    pub filter: Option<Box<Cond>>,
}

/// A policy ready to evaluate, with its parameters bound.
#[derive(Debug)]
pub struct CompiledPolicy {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub level: Level,
    pub account_match: AccountMatch,
    pub if_none: IfNone,
    pub scope: Option<Cond>,
    pub check: Cond,
    /// Effective parameter values (defaults with overrides applied).
    pub parameters: BTreeMap<String, Value>,
    /// Parameters set looser than a guardrail; results then cannot count as evidence for controls.
    pub guardrail_violations: Vec<String>,
    /// Why the check cannot fail (AWS enforces the setting, or a parameter leaves nothing to
    /// reject), when it cannot: its passes are then no evidence.
    pub vacuous: Option<String>,
    /// The property paths of the policy's own resource type that its conditions read, so a
    /// collection failure of other properties does not make its results `error`.
    pub reads: Vec<String>,
}

/// The (resource type, key path) pairs that `related` conditions look resources up by.
#[derive(Debug, Default)]
pub struct IndexKeys {
    pub keys: Vec<(String, PropertyPath)>,
}

impl IndexKeys {
    fn id(&mut self, resource_type: &str, path: &str) -> usize {
        if let Some(i) = self
            .keys
            .iter()
            .position(|(t, p)| t == resource_type && &*p.text == path)
        {
            return i;
        }
        self.keys
            .push((resource_type.to_string(), PropertyPath::new(path)));
        self.keys.len() - 1
    }
}

/// Parameter overrides from the command line: policy id → parameter name → value.
pub type Overrides = BTreeMap<String, BTreeMap<String, Value>>;

/// A policy ready to run, or one waiting for the user to state a parameter.
#[derive(Debug)]
pub enum Compiled {
    Ready(Box<CompiledPolicy>),
    NotConfigured(NotConfigured),
}

/// A policy with a parameter that has no default and was not set: it does not run, and reports
/// list it so the user can state the value.
#[derive(Debug, Clone)]
pub struct NotConfigured {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub level: Level,
    /// The parameters without a value.
    pub missing: Vec<String>,
}

impl NotConfigured {
    /// What to do about it, with the exact flag.
    pub fn reason(&self) -> String {
        let sets: Vec<String> = self
            .missing
            .iter()
            .map(|p| format!("--set '{}.{p}=...'", self.id))
            .collect();
        format!(
            "not configured: {} {} no default; state {} with {}",
            self.missing
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if self.missing.len() == 1 {
                "has"
            } else {
                "have"
            },
            if self.missing.len() == 1 {
                "it"
            } else {
                "them"
            },
            sets.join(" ")
        )
    }
}

/// Whether `policy` runs with `overrides`: each of its parameters has a default or a value set
/// (otherwise [`compile`] gives [`Compiled::NotConfigured`]).
pub fn is_configured(policy: &Policy, overrides: &Overrides) -> bool {
    let set = overrides.get(&policy.id.value);
    policy.parameters.iter().all(|param| {
        param.default.is_some() || set.is_some_and(|values| values.contains_key(&param.name.value))
    })
}

pub fn compile(
    policy: &Policy,
    overrides: &Overrides,
    keys: &mut IndexKeys,
) -> Result<Compiled, Diagnostic> {
    let id = &policy.id.value;
    let mut parameters = BTreeMap::new();
    let mut guardrail_violations = Vec::new();
    let empty = BTreeMap::new();
    let policy_overrides = overrides.get(id).unwrap_or(&empty);
    for name in policy_overrides.keys() {
        if policy.parameter(name).is_none() {
            let known: Vec<&str> = policy
                .parameters
                .iter()
                .map(|p| p.name.value.as_str())
                .collect();
            return Err(Diagnostic::error(
                Code::UnknownParameter,
                format!("policy `{id}` has no parameter `{name}`"),
            )
            .with_suggestion(
                name,
                known.iter().copied(),
                if known.is_empty() {
                    "this policy has no parameters".to_string()
                } else {
                    format!("its parameters: {}", known.join(", "))
                },
            ));
        }
    }
    let mut vacuous = policy
        .aws_enforced
        .as_ref()
        .map(|why| format!("AWS enforces this setting: {why}"));
    // Parameters without a default that were not set: the policy waits for them.
    let mut missing = Vec::new();
    for param in &policy.parameters {
        let value = if let Some(v) = policy_overrides.get(&param.name.value) {
            coerce(param.kind, v).ok_or_else(|| {
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "parameter `{id}.{}` must be {} , got {v}",
                        param.name.value,
                        param.kind.name()
                    ),
                )
            })?
        } else if let Some(default) = &param.default {
            default.value.clone()
        } else {
            missing.push(param.name.value.clone());
            continue;
        };
        match param.guardrail_problem(&value) {
            Some(GuardrailProblem::Loosened(why)) => guardrail_violations.push(why),
            Some(GuardrailProblem::Vacuous(why)) => vacuous = vacuous.or(Some(why)),
            None => {}
        }
        parameters.insert(param.name.value.clone(), value);
    }
    if !missing.is_empty() {
        return Ok(Compiled::NotConfigured(NotConfigured {
            id: id.clone(),
            title: policy.title.clone(),
            severity: policy.severity,
            resource_type: policy.resource_type.value.clone(),
            level: policy.level,
            missing,
        }));
    }
    let reads = paths_read(policy);
    let mut compiler = Compiler {
        policy,
        parameters: &parameters,
        keys,
    };
    let root = PathContext {
        resource_type: &policy.resource_type.value,
        prefix: String::new(),
    };
    let scope = policy
        .scope
        .as_ref()
        .map(|c| compiler.cond(c, &root))
        .transpose()?;
    let check = compiler.cond(&policy.check, &root)?;
    Ok(Compiled::Ready(Box::new(CompiledPolicy {
        id: id.clone(),
        title: policy.title.clone(),
        severity: policy.severity,
        resource_type: policy.resource_type.value.clone(),
        level: policy.level,
        account_match: policy.account_match,
        if_none: policy.if_none,
        scope,
        check,
        parameters,
        guardrail_violations,
        vacuous,
        reads,
    })))
}

fn paths_read(policy: &Policy) -> Vec<String> {
    let own = policy.resource_type.value.as_str();
    let mut reads = Vec::new();
    policy.read_paths(|resource_type, path, _| {
        if resource_type == own {
            reads.push(path);
        }
    });
    reads.sort();
    reads.dedup();
    reads
}

/// Converts a command-line value to the parameter's type, if it fits.
fn coerce(kind: ParamType, value: &Value) -> Option<Value> {
    match (kind, value) {
        (ParamType::Integer, Value::Number(n)) if n.is_i64() => Some(value.clone()),
        (ParamType::Number, Value::Number(_)) => Some(value.clone()),
        (ParamType::Boolean, Value::Bool(_)) => Some(value.clone()),
        (ParamType::List, Value::Array(_)) => Some(value.clone()),
        (ParamType::String, Value::String(_)) => Some(value.clone()),
        (ParamType::Duration, Value::String(s)) => Duration::parse(s).ok().map(|_| value.clone()),
        _ => None,
    }
}

pub use crate::policy::format_number;

/// The full path of `path` in `ctx`, if only attestor collects what it names.
fn attestor_only(ctx: &PathContext, path: &str) -> Option<Box<str>> {
    let full = ctx.full_path(path);
    crate::resource_schema::ResourceSchema::builtin()
        .get(ctx.resource_type)
        .is_some_and(|t| t.is_attestor_only(&full))
        .then(|| full.into())
}

struct Compiler<'a> {
    policy: &'a Policy,
    parameters: &'a BTreeMap<String, Value>,
    keys: &'a mut IndexKeys,
}

impl Compiler<'_> {
    fn cond(&mut self, condition: &Condition, ctx: &PathContext) -> Result<Cond, Diagnostic> {
        Ok(match condition {
            Condition::All(items) => Cond::All(
                items
                    .iter()
                    .map(|c| self.cond(c, ctx))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Any(items) => Cond::Any(
                items
                    .iter()
                    .map(|c| self.cond(c, ctx))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Not(not) => Cond::Not(Box::new(self.cond(&not.condition, ctx)?)),
            Condition::Compare(cmp) => Cond::Compare {
                path: PropertyPath::new(&cmp.path.value),
                test: self.test(cmp)?,
                on_missing: cmp.on_missing,
                attestor_only: attestor_only(ctx, &cmp.path.value),
            },
            Condition::Elements(el) => {
                let inner = PathContext {
                    resource_type: ctx.resource_type,
                    prefix: format!("{}.", ctx.full_path(&el.path.value)),
                };
                Cond::Elements {
                    path: PropertyPath::new(&el.path.value),
                    quantifier: el.quantifier,
                    cond: Box::new(self.cond(&el.condition, &inner)?),
                    on_missing: el.on_missing,
                    attestor_only: attestor_only(ctx, &el.path.value),
                }
            }
            Condition::Related(rel) => {
                let target = PathContext {
                    resource_type: &rel.link.resource_type.value,
                    prefix: String::new(),
                };
                Cond::Related {
                    link: self.link(&rel.link)?,
                    quantifier: rel.quantifier,
                    cond: Box::new(self.cond(&rel.condition, &target)?),
                    on_missing: rel.on_missing,
                }
            }
        })
    }

    fn link(&mut self, link: &Link) -> Result<CompiledLink, Diagnostic> {
        let target = &link.resource_type.value;
        let target_ctx = PathContext {
            resource_type: target,
            prefix: String::new(),
        };
        let fallback = match &link.fallback {
            Some(f) => Some(CompiledFallback {
                from: PropertyPath::new(&f.from.value),
                index: self.keys.id(target, &f.to.value),
                filter: f
                    .filter
                    .as_ref()
                    .map(|c| self.cond(c, &target_ctx))
                    .transpose()?
                    .map(Box::new),
            }),
            None => None,
        };
        Ok(CompiledLink {
            resource_type: target.clone(),
            from: PropertyPath::new(&link.from.value),
            index: self.keys.id(target, &link.to.value),
            fallback,
        })
    }

    fn value(&self, operand: &Operand) -> Result<Value, Diagnostic> {
        match operand {
            Operand::Literal(v) => Ok(v.value.clone()),
            Operand::Param(name) => self.parameters.get(&name.value).cloned().ok_or_else(|| {
                Diagnostic::error(
                    Code::UnknownParameter,
                    format!(
                        "policy `{}` refers to undefined parameter `{}`",
                        self.policy.id.value, name.value
                    ),
                )
                .at(&self.policy.file, name.span)
            }),
        }
    }

    fn mistyped(&self, cmp: &Compare, operand: &Operand, expected: &str) -> Diagnostic {
        Diagnostic::error(
            Code::WrongType,
            format!(
                "policy `{}`: `{}` needs {expected}",
                self.policy.id.value,
                cmp.op.keyword()
            ),
        )
        .at(&self.policy.file, operand.span())
    }

    fn test(&self, cmp: &Compare) -> Result<Test, Diagnostic> {
        let number = |operand: &Operand| -> Result<f64, Diagnostic> {
            self.value(operand)?
                .as_f64()
                .ok_or_else(|| self.mistyped(cmp, operand, "a number"))
        };
        let list = |operand: &Operand| -> Result<Vec<Value>, Diagnostic> {
            match self.value(operand)? {
                Value::Array(items) => Ok(items),
                _ => Err(self.mistyped(cmp, operand, "a list")),
            }
        };
        let duration = |operand: &Operand| -> Result<Duration, Diagnostic> {
            self.value(operand)?
                .as_str()
                .and_then(|s| Duration::parse(s).ok())
                .ok_or_else(|| self.mistyped(cmp, operand, "a duration such as `90d`"))
        };
        Ok(match &cmp.op {
            Op::Equals(o) => Test::Equals(self.value(o)?),
            Op::NotEquals(o) => Test::NotEquals(self.value(o)?),
            Op::Contains(o) => Test::Contains(self.value(o)?),
            Op::In(o) => Test::In(list(o)?),
            Op::NotIn(o) => Test::NotIn(list(o)?),
            Op::Gt(o) => Test::Gt(number(o)?),
            Op::Gte(o) => Test::Gte(number(o)?),
            Op::Lt(o) => Test::Lt(number(o)?),
            Op::Lte(o) => Test::Lte(number(o)?),
            Op::Within(o) => Test::Within(duration(o)?),
            Op::OlderThan(o) => Test::OlderThan(duration(o)?),
            Op::Exists => Test::Exists,
            Op::Absent => Test::Absent,
            Op::Matches(pattern) => {
                Test::Matches(regex::Regex::new(&pattern.value).map_err(|e| {
                    Diagnostic::error(Code::InvalidRegex, e.to_string())
                        .at(&self.policy.file, pattern.span)
                })?)
            }
        })
    }
}

impl Cond {
    /// Visits every `related` link (used to build relation indexes and by tests).
    pub fn links(&self, f: &mut dyn FnMut(&CompiledLink)) {
        match self {
            Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| c.links(f)),
            Cond::Not(inner) => inner.links(f),
            Cond::Compare { .. } => {}
            Cond::Elements { cond, .. } => cond.links(f),
            Cond::Related { link, cond, .. } => {
                f(link);
                if let Some(filter) = link.fallback.as_ref().and_then(|fb| fb.filter.as_ref()) {
                    filter.links(f);
                }
                cond.links(f);
            }
        }
    }
}
