//! A condition walk that knows, for each node, which negations enclose it.
//!
//! [`crate::policy::Condition::walk`] flattens `not`/`none` away; rules that care about polarity
//! (what a verdict becomes once inverted) walk with this instead.

use crate::diagnostics::Span;
use crate::policy::{Compare, Condition, Elements, PathContext, Policy, Quantifier, Related};

/// Which condition of a policy a node belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Scope,
    Check,
}

/// A negation between the root of the condition and a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negation {
    /// As written: `not` or `none` (a `none` combination, element or related quantifier).
    pub keyword: &'static str,
    /// The key in the policy file.
    pub span: Span,
}

/// A node that can carry `on-missing`.
#[derive(Clone, Copy)]
pub(crate) enum Site<'p> {
    Compare(&'p Compare),
    /// An element quantifier; its negations exclude its own `none`, which applies to the elements.
    Elements(&'p Elements),
    /// A related quantifier; likewise outside its own `none`.
    Related(&'p Related),
}

/// What [`visit_sites`] calls for each site.
pub(crate) type SiteVisitor<'f, 'p> = dyn FnMut(Part, &PathContext<'p>, Site<'p>, &[Negation]) + 'f;

/// Calls `f` for every comparison, element quantifier and related quantifier of the policy's scope
/// and check, with its path context and the negations enclosing it, outermost first. A `related`
/// link's `fallback.where` filter is not visited: it selects resources, it gives no verdict.
pub(crate) fn visit_sites<'p>(policy: &'p Policy, f: &mut SiteVisitor<'_, 'p>) {
    let root = PathContext {
        resource_type: &policy.resource_type.value,
        prefix: String::new(),
    };
    let parts = [
        (Part::Scope, policy.scope.as_ref()),
        (Part::Check, Some(&policy.check)),
    ];
    for (part, condition) in parts {
        let Some(condition) = condition else { continue };
        let mut negations = Vec::new();
        walk(
            condition,
            &root,
            &mut negations,
            &mut |ctx, site, negations| f(part, ctx, site, negations),
        );
    }
}

fn walk<'p>(
    condition: &'p Condition,
    ctx: &PathContext<'p>,
    negations: &mut Vec<Negation>,
    f: &mut dyn FnMut(&PathContext<'p>, Site<'p>, &[Negation]),
) {
    match condition {
        Condition::All(items) | Condition::Any(items) => {
            items.iter().for_each(|c| walk(c, ctx, negations, f));
        }
        Condition::Not(not) => {
            negations.push(Negation {
                keyword: not.keyword.value,
                span: not.keyword.span,
            });
            walk(&not.condition, ctx, negations, f);
            negations.pop();
        }
        Condition::Compare(cmp) => f(ctx, Site::Compare(cmp), negations),
        Condition::Elements(el) => {
            f(ctx, Site::Elements(el), negations);
            let inner = PathContext {
                resource_type: ctx.resource_type,
                prefix: format!("{}.", ctx.full_path(&el.path.value)),
            };
            quantified(
                el.quantifier,
                el.quantifier_span,
                &el.condition,
                &inner,
                negations,
                f,
            );
        }
        Condition::Related(rel) => {
            f(ctx, Site::Related(rel), negations);
            let target = PathContext {
                resource_type: &rel.link.resource_type.value,
                prefix: String::new(),
            };
            quantified(
                rel.quantifier,
                rel.quantifier_span,
                &rel.condition,
                &target,
                negations,
                f,
            );
        }
    }
}

/// The condition under an element or related quantifier; `none` negates it.
fn quantified<'p>(
    quantifier: Quantifier,
    span: Span,
    condition: &'p Condition,
    ctx: &PathContext<'p>,
    negations: &mut Vec<Negation>,
    f: &mut dyn FnMut(&PathContext<'p>, Site<'p>, &[Negation]),
) {
    if quantifier != Quantifier::None {
        return walk(condition, ctx, negations, f);
    }
    negations.push(Negation {
        keyword: "none",
        span,
    });
    walk(condition, ctx, negations, f);
    negations.pop();
}
