//! The policy linter: parse-stage checks (in `policy::parse`) plus semantic rules, one file each in
//! `rules/`, listed in [`RULES`] — the one registry that `attestor lint`, its docs and tests read.
//!
//! The semantic rules judge invalid policies too, as far as they could be read
//! ([`crate::policy::Partial`]), so one run reports every problem: a misspelt severity does not
//! hide an unknown resource type. What a partial policy lacks ([`Gaps`]) was reported while
//! parsing; rules skip what those gaps would make them misjudge.

mod polarity;
mod rules;

use crate::controls::{Catalog, Framework};
use crate::diagnostics::{self, Code, Diagnostic, Level};
use crate::policy::parse::parse_file;
use crate::policy::{Gaps, ManualClaim, Partial, PathContext, Policy, PolicySet, Visit};
use crate::resource_schema::ResourceSchema;

/// What a rule needs besides the policies.
pub struct Context<'a> {
    pub schema: &'a ResourceSchema,
    /// For a [`Check::Policy`] rule: what the policy at hand lacks because it failed to parse
    /// ([`Gaps::NONE`] for a valid policy, and for [`Check::Set`] rules, which see each policy's
    /// gaps in [`Subjects`]).
    pub gaps: &'a Gaps,
}

/// A valid policy lacks nothing.
pub static NO_GAPS: Gaps = Gaps::NONE;

/// What the rules judge: the set's valid policies and claims, then the readable part of invalid
/// ones, each with what it lacks.
pub struct Subjects<'a> {
    pub policies: Vec<(&'a Policy, &'a Gaps)>,
    pub manual: Vec<(&'a ManualClaim, &'a Gaps)>,
}

impl Context<'_> {
    pub fn catalog(&self, framework: Framework) -> &'static Catalog {
        Catalog::get(framework)
    }
}

pub enum Check {
    /// Reported while parsing (syntax, keys, value types); listed here for documentation.
    Parse,
    /// Looks at one policy at a time.
    Policy(fn(&Policy, &Context, &mut Vec<Diagnostic>)),
    /// Looks at the whole set (e.g. duplicate IDs).
    Set(fn(&Subjects, &Context, &mut Vec<Diagnostic>)),
}

pub struct Rule {
    /// The code it reports, with its level and summary ([`Code`]).
    pub code: Code,
    pub check: Check,
}

pub const RULES: &[Rule] = &[
    Rule {
        code: Code::YamlSyntax,
        check: Check::Parse,
    },
    Rule {
        code: Code::UnknownKey,
        check: Check::Parse,
    },
    Rule {
        code: Code::DuplicateKey,
        check: Check::Parse,
    },
    Rule {
        code: Code::MissingKey,
        check: Check::Parse,
    },
    Rule {
        code: Code::WrongType,
        check: Check::Parse,
    },
    Rule {
        code: Code::InvalidValue,
        check: Check::Parse,
    },
    Rule {
        code: Code::InvalidCondition,
        check: Check::Parse,
    },
    Rule {
        code: Code::InvalidDuration,
        check: Check::Parse,
    },
    Rule {
        code: Code::InvalidRegex,
        check: Check::Parse,
    },
    Rule {
        code: Code::UnknownResourceType,
        check: Check::Policy(rules::unknown_resource_type::check),
    },
    Rule {
        code: Code::UnknownPropertyPath,
        check: Check::Policy(rules::unknown_property_path::check),
    },
    Rule {
        code: Code::TypeMismatch,
        check: Check::Policy(rules::type_mismatch::check),
    },
    Rule {
        code: Code::NegatedOnMissing,
        check: Check::Policy(rules::negated_on_missing::check),
    },
    Rule {
        code: Code::UnknownParameter,
        check: Check::Policy(rules::unknown_parameter::check),
    },
    Rule {
        code: Code::UnusedParameter,
        check: Check::Policy(rules::unused_parameter::check),
    },
    Rule {
        code: Code::UnknownControl,
        check: Check::Set(rules::unknown_control::check),
    },
    Rule {
        code: Code::LoosenedDefault,
        check: Check::Policy(rules::loosened_default::check),
    },
    Rule {
        code: Code::UnmappedPolicy,
        check: Check::Policy(rules::unmapped_policy::check),
    },
    Rule {
        code: Code::DuplicatePolicyId,
        check: Check::Set(rules::duplicate_policy_id::check),
    },
];

/// Runs every semantic rule over the parsed policies (and, when parsing found errors, over what
/// could be read of the invalid ones) and returns all diagnostics, sorted.
pub fn lint(set: &PolicySet, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // A `PolicySet` holds only valid policies: it is what gets evaluated. The partial views of the
    // invalid ones come from reading their files again; the diagnostics are those already given.
    let reread: Vec<_> = if diagnostics::has_errors(&diagnostics) {
        set.files.iter().map(|file| parse_file(file).0).collect()
    } else {
        Vec::new()
    };
    // The valid values, then the partial views, each with what it lacks.
    fn with_gaps<'a, T>(
        valid: &'a [T],
        partial: impl Iterator<Item = &'a Partial<T>>,
    ) -> Vec<(&'a T, &'a Gaps)> {
        (valid.iter().map(|v| (v, &NO_GAPS)))
            .chain(partial.map(|p| (&p.value, &p.gaps)))
            .collect()
    }
    let subjects = Subjects {
        policies: with_gaps(&set.policies, reread.iter().flat_map(|c| &c.partial)),
        manual: with_gaps(&set.manual, reread.iter().flat_map(|c| &c.partial_manual)),
    };
    let schema = ResourceSchema::builtin();
    for rule in RULES {
        match rule.check {
            Check::Parse => {}
            Check::Policy(check) => {
                for (policy, gaps) in &subjects.policies {
                    check(policy, &Context { schema, gaps }, &mut diagnostics);
                }
            }
            Check::Set(check) => check(
                &subjects,
                &Context {
                    schema,
                    gaps: &NO_GAPS,
                },
                &mut diagnostics,
            ),
        }
    }
    diagnostics::sort(&mut diagnostics);
    diagnostics
}

/// Visits every condition node of a policy (scope and check) with its path context.
pub(crate) fn visit_conditions<'p>(
    policy: &'p Policy,
    f: &mut dyn FnMut(&PathContext<'p>, Visit<'p>),
) {
    let root = PathContext {
        resource_type: &policy.resource_type.value,
        prefix: String::new(),
    };
    if let Some(scope) = &policy.scope {
        scope.walk(&root, f);
    }
    policy.check.walk(&root, f);
}

/// The rule list as Markdown, for the policy reference in README.
pub fn rules_markdown() -> String {
    let mut out = String::from("| code | level | what it finds |\n|---|---|---|\n");
    for rule in RULES {
        let level = match rule.code.level() {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        out.push_str(&format!(
            "| `{}` | {level} | {} |\n",
            rule.code,
            rule.code.summary()
        ));
    }
    out
}
