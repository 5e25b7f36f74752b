//! `type-mismatch`: a comparison whose value can never match the property's declared type, e.g.
//! `equals: "true"` on a boolean, `gte: 7` on a string, `within: 90d` on a boolean.

use serde_json::Value;

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::lint::{Context, visit_conditions};
use crate::policy::{Compare, Op, Operand, ParamType, Policy, Visit};
use crate::resource_schema::{PathKind, PropertyType};

/// The kinds of value a literal or parameter can be, for matching against property types.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Boolean,
    Number,
    Text,
    /// Lists, objects, null: not checked.
    Other,
}

fn literal_kind(value: &Value) -> Kind {
    match value {
        Value::Bool(_) => Kind::Boolean,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::Text,
        _ => Kind::Other,
    }
}

fn accepts(property: PropertyType, kind: Kind) -> bool {
    match kind {
        Kind::Boolean => property == PropertyType::Boolean,
        Kind::Number => property.is_numeric(),
        Kind::Text => property.is_textual(),
        Kind::Other => true,
    }
}

pub fn check(policy: &Policy, ctx: &Context, out: &mut Vec<Diagnostic>) {
    visit_conditions(policy, &mut |pctx, visit| {
        let Visit::Compare(cmp) = visit else { return };
        let Some(schema) = ctx.schema.get(pctx.resource_type) else {
            return;
        };
        let full = pctx.full_path(&cmp.path.value);
        match schema.lookup(&full) {
            PathKind::Leaf(property) => check_leaf(policy, cmp, &full, property, out),
            PathKind::Object => {
                if matches!(
                    cmp.op,
                    Op::Gt(_)
                        | Op::Gte(_)
                        | Op::Lt(_)
                        | Op::Lte(_)
                        | Op::Matches(_)
                        | Op::Within(_)
                        | Op::OlderThan(_)
                ) {
                    out.push(mismatch(
                        policy,
                        cmp,
                        &format!("`{full}` is an object or list, not a single value"),
                        cmp.path.span,
                    ));
                }
            }
            PathKind::FreeForm | PathKind::Unknown => {}
        }
    });
}

fn check_leaf(
    policy: &Policy,
    cmp: &Compare,
    full: &str,
    property: PropertyType,
    out: &mut Vec<Diagnostic>,
) {
    let operand_kinds = |operand: &Operand| -> Vec<(Kind, crate::diagnostics::Span)> {
        match operand {
            Operand::Literal(v) => match &v.value {
                Value::Array(items) if matches!(cmp.op, Op::In(_) | Op::NotIn(_)) => {
                    items.iter().map(|i| (literal_kind(i), v.span)).collect()
                }
                other => vec![(literal_kind(other), v.span)],
            },
            Operand::Param(name) => {
                let kind = match policy.parameter(&name.value).map(|p| p.kind) {
                    Some(ParamType::Boolean) => Kind::Boolean,
                    Some(ParamType::Integer | ParamType::Number) => Kind::Number,
                    Some(ParamType::String) => Kind::Text,
                    _ => Kind::Other,
                };
                vec![(kind, name.span)]
            }
        }
    };
    let wrong = match &cmp.op {
        Op::Equals(o) | Op::NotEquals(o) | Op::Contains(o) | Op::In(o) | Op::NotIn(o) => {
            operand_kinds(o)
                .into_iter()
                .find(|(kind, _)| !accepts(property, *kind))
                .map(|(kind, span)| {
                    let word = match kind {
                        Kind::Boolean => "a boolean",
                        Kind::Number => "a number",
                        _ => "a string",
                    };
                    (
                        format!(
                            "`{full}` is {}, but the policy compares it with {word}",
                            property.name()
                        ),
                        span,
                    )
                })
        }
        Op::Gt(_) | Op::Gte(_) | Op::Lt(_) | Op::Lte(_) if !property.is_numeric() => Some((
            format!(
                "`{}` compares numbers, but `{full}` is {}",
                cmp.op.keyword(),
                property.name()
            ),
            cmp.path.span,
        )),
        Op::Matches(_) if !property.is_textual() => Some((
            format!(
                "`matches` applies to strings, but `{full}` is {}",
                property.name()
            ),
            cmp.path.span,
        )),
        Op::Within(_) | Op::OlderThan(_)
            if !matches!(
                property,
                PropertyType::Date | PropertyType::String | PropertyType::Integer
            ) =>
        {
            Some((
                format!(
                    "`{}` measures the age of a date, but `{full}` is {}",
                    cmp.op.keyword(),
                    property.name()
                ),
                cmp.path.span,
            ))
        }
        _ => None,
    };
    if let Some((message, span)) = wrong {
        out.push(mismatch(policy, cmp, &message, span));
    }
}

fn mismatch(
    policy: &Policy,
    _cmp: &Compare,
    message: &str,
    span: crate::diagnostics::Span,
) -> Diagnostic {
    Diagnostic::error(Code::TypeMismatch, message.to_string())
        .at(&policy.file, span)
        .with_label("can never match")
        .with_help("the property types come from the AWS Config resource schema (`attestor schema resource TYPE`)")
}
