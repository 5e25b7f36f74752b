//! A condition walk that knows, for each node, which negations enclose it.
//!
//! [`crate::policy::Condition::walk`] flattens `not`/`none` away, and the model keeps no span for
//! them (`none: [a, b]` is stored as `not: {any: [a, b]}`). Rules that care about polarity re-read
//! the policy's YAML tree beside the model to name each negation as written and locate it.

use crate::diagnostics::Span;
use crate::policy::{Compare, Condition, Elements, PathContext, Policy, Quantifier, Related};
use crate::yaml::{self, Node, NodeKind};

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
    /// The key in the policy file, when it could be found.
    pub span: Option<Span>,
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
    let tree = yaml::parse(&policy.file.text).ok();
    let policy_node = tree.as_ref().and_then(|root| find_span(root, policy.span));
    let root = PathContext {
        resource_type: &policy.resource_type.value,
        prefix: String::new(),
    };
    let parts = [
        (Part::Scope, "scope", policy.scope.as_ref()),
        (Part::Check, "check", Some(&policy.check)),
    ];
    for (part, key, condition) in parts {
        let Some(condition) = condition else { continue };
        let node = policy_node
            .and_then(|n| entry(Some(n), key))
            .map(|(_, v)| v);
        let mut walker = Walker {
            negations: Vec::new(),
            f: &mut |ctx: &PathContext<'p>, site: Site<'p>, negations: &[Negation]| {
                f(part, ctx, site, negations)
            },
        };
        walker.walk(condition, node, &root);
    }
}

struct Walker<'f, 'p> {
    negations: Vec<Negation>,
    f: &'f mut dyn FnMut(&PathContext<'p>, Site<'p>, &[Negation]),
}

impl<'p> Walker<'_, 'p> {
    /// `node` is the YAML the condition was parsed from, when it could be matched up.
    fn walk(&mut self, condition: &'p Condition, node: Option<&Node>, ctx: &PathContext<'p>) {
        match condition {
            Condition::All(items) | Condition::Any(items) => {
                let key = if matches!(condition, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                let nodes = list_items(node, key);
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, nodes.and_then(|n| n.get(i)), ctx);
                }
            }
            Condition::Not(inner) => {
                // `none: [..]` is parsed as `not: {any: [..]}`; its list is the inner `any`.
                let (negation, inner_node) =
                    match entry(node, "not").or_else(|| entry(node, "none")) {
                        Some((key, value)) => (
                            Negation {
                                keyword: if key.as_str() == Some("none") {
                                    "none"
                                } else {
                                    "not"
                                },
                                span: Some(key.span),
                            },
                            Some(value),
                        ),
                        None => (
                            Negation {
                                keyword: "not",
                                span: None,
                            },
                            None,
                        ),
                    };
                self.negated(negation, |w| w.walk(inner, inner_node, ctx));
            }
            Condition::Compare(cmp) => (self.f)(ctx, Site::Compare(cmp), &self.negations),
            Condition::Elements(el) => {
                (self.f)(ctx, Site::Elements(el), &self.negations);
                let inner_ctx = PathContext {
                    resource_type: ctx.resource_type,
                    prefix: format!("{}.", ctx.full_path(&el.path.value)),
                };
                self.quantified(el.quantifier, &el.condition, node, el.span, &inner_ctx);
            }
            Condition::Related(rel) => {
                (self.f)(ctx, Site::Related(rel), &self.negations);
                let target = PathContext {
                    resource_type: &rel.link.resource_type.value,
                    prefix: String::new(),
                };
                self.quantified(rel.quantifier, &rel.condition, node, rel.span, &target);
            }
        }
    }

    /// The condition under an element or related quantifier; `none` negates it.
    fn quantified(
        &mut self,
        quantifier: Quantifier,
        condition: &'p Condition,
        node: Option<&Node>,
        span: Span,
        ctx: &PathContext<'p>,
    ) {
        let found = entry(node, quantifier.keyword());
        let inner_node = found.map(|(_, v)| v);
        if quantifier == Quantifier::None {
            let negation = Negation {
                keyword: "none",
                span: Some(found.map_or(span, |(k, _)| k.span)),
            };
            self.negated(negation, |w| w.walk(condition, inner_node, ctx));
        } else {
            self.walk(condition, inner_node, ctx);
        }
    }

    fn negated(&mut self, negation: Negation, inner: impl FnOnce(&mut Self)) {
        self.negations.push(negation);
        inner(self);
        self.negations.pop();
    }
}

/// The key and value of `key` in a mapping node.
fn entry<'n>(node: Option<&'n Node>, key: &str) -> Option<(&'n Node, &'n Node)> {
    let NodeKind::Map(entries) = &node?.kind else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, v)| (k, v))
}

/// The items of a condition list: a bare list, or the list under `key` (`all`/`any`/`none`).
fn list_items<'n>(node: Option<&'n Node>, key: &str) -> Option<&'n [Node]> {
    let list = match &node?.kind {
        NodeKind::Seq(_) => node?,
        NodeKind::Map(_) => entry(node, key)?.1,
        _ => return None,
    };
    match &list.kind {
        NodeKind::Seq(items) => Some(items),
        _ => None,
    }
}

/// The node with exactly this span (a policy's mapping).
fn find_span(node: &Node, span: Span) -> Option<&Node> {
    if node.span == span && matches!(node.kind, NodeKind::Map(_)) {
        return Some(node);
    }
    match &node.kind {
        NodeKind::Seq(items) => items.iter().find_map(|n| find_span(n, span)),
        NodeKind::Map(entries) => entries.iter().find_map(|(_, v)| find_span(v, span)),
        _ => None,
    }
}
