//! Evaluates compiled conditions against one resource, in three-valued logic: a condition passes,
//! fails, or cannot be decided (`Error`, with the reason). Unknowns never become a pass or a fail:
//! `all` fails if any part fails, else is unknown if any part is; `any` passes if any part passes,
//! else is unknown if any part is.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::compile::{Cond, Test};
use super::path::{Found, PropertyPath};
use crate::duration::Duration;
use crate::inventory::{ConfigurationItem, Inventory};
use crate::json::type_word;
use crate::policy::{OnMissing, Quantifier};

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Fail,
    Error(String),
}

/// One piece of evidence: what was looked at, what it held, what the policy wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub path: String,
    pub actual: Value,
    pub expected: String,
    /// A quantifier's count line rather than a value read from the data (shapes the message only).
    #[serde(skip)]
    pub summary: bool,
}

#[derive(Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    fn new(outcome: Outcome, evidence: Vec<Evidence>) -> Self {
        Verdict { outcome, evidence }
    }
}

/// Lookup tables for `related` conditions: one map per (resource type, key path), from key value to
/// item indices. Built once before evaluation so each lookup is a hash probe, not a scan.
#[derive(Debug, Default)]
pub struct RelationIndexes {
    pub maps: Vec<HashMap<String, Vec<usize>>>,
    /// Per map: the items with a gap in the key path (an element without the field), each with
    /// the first gap. Such an item might refer to any key, so it can never be ruled out silently.
    pub unkeyed: Vec<HashMap<usize, String>>,
    /// The collection errors that left properties unread (per resource, or for every resource
    /// of a type in a place): a condition reading one is `error`, never judged as missing.
    pub unread: Vec<usize>,
}

impl RelationIndexes {
    pub fn build(inventory: &Inventory, keys: &[(String, PropertyPath)]) -> Self {
        let mut maps = Vec::with_capacity(keys.len());
        let mut unkeyed = Vec::with_capacity(keys.len());
        for (resource_type, path) in keys {
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            let mut gaps: HashMap<usize, String> = HashMap::new();
            for &i in inventory.of_type(resource_type) {
                // A key known only after apply might be any key: never ruled out silently.
                if let Some(Verdict {
                    outcome: Outcome::Error(reason),
                    ..
                }) = unknown(&inventory.items[i], "", &path.text)
                {
                    gaps.insert(i, reason);
                    continue;
                }
                let resolved = path.resolve_every(&inventory.items[i].doc, "");
                for found in &resolved.found {
                    for key in scalar_keys(found.value) {
                        let entry = map.entry(key).or_default();
                        if entry.last() != Some(&i) {
                            entry.push(i);
                        }
                    }
                }
                if let Some(hole) = resolved
                    .holes
                    .into_iter()
                    .next()
                    .or_else(|| resolved.mistyped.into_iter().next().map(|(at, _)| at))
                {
                    gaps.insert(i, hole);
                }
            }
            maps.push(map);
            unkeyed.push(gaps);
        }
        let unread = inventory
            .collection_errors
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.properties.is_empty())
            .map(|(i, _)| i)
            .collect();
        RelationIndexes {
            maps,
            unkeyed,
            unread,
        }
    }
}

/// The lookup keys a value provides: a scalar, or each scalar of an array.
fn scalar_keys(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(items) => items.iter().flat_map(scalar_keys).collect(),
        _ => Vec::new(),
    }
}

/// What evaluation needs besides the condition: the inventory (for related resources) and the time.
pub struct Env<'a> {
    pub inventory: &'a Inventory,
    pub indexes: &'a RelationIndexes,
    pub as_of: Option<jiff::Timestamp>,
}

/// What a missing list means for an element quantifier.
#[derive(Clone, Copy)]
struct Missing<'a> {
    on_missing: OnMissing,
    attestor_only: Option<&'a str>,
}

/// At most this many decisive sub-results are kept as evidence for one quantifier.
const MAX_QUANTIFIER_EVIDENCE: usize = 5;

impl Env<'_> {
    /// Evaluates `cond` on `value` (a whole item's document, an array element, or a related item's
    /// document) belonging to `item`; `prefix` is the concrete location of `value` for evidence.
    pub fn eval(
        &self,
        cond: &Cond,
        value: &Value,
        item: &ConfigurationItem,
        prefix: &str,
    ) -> Verdict {
        // A value the source does not know yet (a plan's "known after apply") decides nothing,
        // whatever the policy says missing values mean.
        let read = match cond {
            Cond::Compare { path, .. } | Cond::Elements { path, .. } => Some(&path.text),
            Cond::Related { link, .. } => Some(&link.from.text),
            Cond::All(_) | Cond::Any(_) | Cond::Not(_) => None,
        };
        if let Some(path) = read
            && let Some(verdict) =
                unknown(item, prefix, path).or_else(|| self.unread(item, prefix, path))
        {
            return verdict;
        }
        match cond {
            Cond::All(items) => self.combine(items, Outcome::Fail, value, item, prefix),
            Cond::Any(items) => self.combine(items, Outcome::Pass, value, item, prefix),
            Cond::Not(inner) => {
                let v = self.eval(inner, value, item, prefix);
                let outcome = match v.outcome {
                    Outcome::Pass => Outcome::Fail,
                    Outcome::Fail => Outcome::Pass,
                    e @ Outcome::Error(_) => e,
                };
                let evidence = v
                    .evidence
                    .into_iter()
                    .map(|mut e| {
                        e.expected = format!("not ({})", e.expected);
                        e
                    })
                    .collect();
                Verdict::new(outcome, evidence)
            }
            Cond::Compare {
                path,
                test,
                on_missing,
                attestor_only,
            } => self.compare(
                path,
                test,
                *on_missing,
                attestor_only.as_deref(),
                value,
                prefix,
            ),
            Cond::Elements {
                path,
                quantifier,
                cond,
                on_missing,
                attestor_only,
            } => {
                let missing = Missing {
                    on_missing: *on_missing,
                    attestor_only: attestor_only.as_deref(),
                };
                self.elements(path, *quantifier, cond, missing, value, item, prefix)
            }
            Cond::Related {
                link,
                quantifier,
                cond,
                on_missing,
            } => {
                let (related, mut problems, mut only_unmatched) =
                    self.related(link, value, item, prefix);
                // A resource of the target type without the key might be the one referred to.
                if related.is_empty() && only_unmatched && !problems.is_empty() {
                    let mut unkeyed: Vec<(&String, &String)> = self.indexes.unkeyed[link.index]
                        .iter()
                        .filter(|(i, _)| self.inventory.items[**i].account_id == item.account_id)
                        .map(|(i, hole)| (&self.inventory.items[*i].resource_id, hole))
                        .collect();
                    unkeyed.sort();
                    for (id, hole) in unkeyed {
                        only_unmatched = false;
                        problems.push(format!(
                            "{} {id}: {hole} is missing from the data, so it may be the related resource",
                            link.resource_type
                        ));
                    }
                }
                // Nothing to follow, or references that match nothing where the source records
                // every resource of the target type: "none related" is a fact `on-missing` may
                // judge. Anywhere else it is unknown.
                let absence_is_evidence = related.is_empty()
                    && (problems.is_empty()
                        || *on_missing != OnMissing::Error
                            && only_unmatched
                            && self.records_all_of(&link.resource_type, item));
                if absence_is_evidence {
                    let what = format!(
                        "related {} via {}",
                        link.resource_type,
                        join_location(prefix, &link.from.text)
                    );
                    return missing(*on_missing, what, "at least one related resource".into());
                }
                let mut parts: Vec<Verdict> = related
                    .into_iter()
                    .map(|i| {
                        let other = &self.inventory.items[i];
                        let location = format!("{} {}: ", other.resource_type, other.resource_id);
                        self.eval(cond, &other.doc, other, &location)
                    })
                    .collect();
                parts.extend(
                    problems
                        .drain(..)
                        .map(|p| Verdict::new(Outcome::Error(p), Vec::new())),
                );
                let summary = format!("related {}", link.resource_type);
                quantify(
                    *quantifier,
                    parts,
                    &join_location(prefix, &link.from.text),
                    &summary,
                )
            }
        }
    }

    /// `all` and `any` in Kleene logic: `decisive` (fail for `all`, pass for `any`) settles the
    /// result at once; otherwise an error wins over the remaining outcome, whose evidence is merged.
    fn combine(
        &self,
        items: &[Cond],
        decisive: Outcome,
        value: &Value,
        item: &ConfigurationItem,
        prefix: &str,
    ) -> Verdict {
        let mut evidence = Vec::new();
        let mut first_error: Option<Verdict> = None;
        for cond in items {
            let v = self.eval(cond, value, item, prefix);
            match v.outcome {
                Outcome::Error(_) => {
                    if first_error.is_none() {
                        first_error = Some(v);
                    }
                }
                ref o if *o == decisive => return v,
                _ => evidence.extend(v.evidence),
            }
        }
        let otherwise = if decisive == Outcome::Fail {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        first_error.unwrap_or(Verdict::new(otherwise, evidence))
    }

    fn compare(
        &self,
        path: &PropertyPath,
        test: &Test,
        on_missing: OnMissing,
        attestor_only: Option<&str>,
        value: &Value,
        prefix: &str,
    ) -> Verdict {
        let resolved = path.resolve_with_holes(value, prefix);
        let expected = self.describe(test);
        if resolved.found.is_empty()
            && let Some((location, reason)) = resolved.mistyped.first()
        {
            return Verdict::new(
                Outcome::Error(reason.clone()),
                vec![evidence(location.clone(), &Value::Null, expected)],
            );
        }
        if resolved.found.is_empty() {
            let location = join_location(prefix, &path.text);
            // Data the source never records is unknown, whatever the policy says missing means.
            if let Some(reason) = self.field_gap(attestor_only) {
                return Verdict::new(
                    Outcome::Error(reason),
                    vec![evidence(location, &Value::Null, expected)],
                );
            }
            return match test {
                Test::Exists => Verdict::new(
                    Outcome::Fail,
                    vec![evidence(location, &Value::Null, expected)],
                ),
                Test::Absent => Verdict::new(
                    Outcome::Pass,
                    vec![evidence(location, &Value::Null, expected)],
                ),
                _ => missing(on_missing, location, expected),
            };
        }
        // A path that crosses arrays yields several values; each must satisfy the test.
        let mut outcome = Outcome::Pass;
        let mut kept = Vec::new();
        for Found { value, location } in resolved.found {
            let result = self.test(test, value);
            let ev = evidence(location.clone(), value, expected.clone());
            match (&outcome, result) {
                (_, Outcome::Fail) => {
                    return Verdict::new(Outcome::Fail, vec![ev]);
                }
                (Outcome::Pass, Outcome::Error(reason)) => {
                    outcome = Outcome::Error(format!("{location}: {reason}"));
                    kept = vec![ev];
                }
                (Outcome::Pass, Outcome::Pass) => kept.push(ev),
                _ => {}
            }
        }
        // Elements that lack the field are missing values, never skipped; elements of another
        // shape are unknown.
        let mistyped = resolved.mistyped.into_iter().map(|(location, reason)| {
            Verdict::new(
                Outcome::Error(reason),
                vec![evidence(location, &Value::Null, expected.clone())],
            )
        });
        let holes = resolved.holes.into_iter().map(|location| match test {
            Test::Exists => Verdict::new(
                Outcome::Fail,
                vec![evidence(location, &Value::Null, expected.clone())],
            ),
            _ => missing(on_missing, location, expected.clone()),
        });
        for verdict in holes.chain(mistyped) {
            match verdict.outcome {
                Outcome::Fail => return verdict,
                Outcome::Error(_) if outcome == Outcome::Pass => {
                    outcome = verdict.outcome;
                    kept = verdict.evidence;
                }
                _ => {}
            }
        }
        Verdict::new(outcome, kept)
    }

    /// `error` when a collection failure left `path` (under `prefix`) unread for this item: its
    /// absence from the data says nothing, whatever `on-missing` says.
    fn unread(&self, item: &ConfigurationItem, prefix: &str, path: &str) -> Option<Verdict> {
        if self.indexes.unread.is_empty() {
            return None;
        }
        let location = location_in_item(prefix, path);
        let names = [Some(item.resource_id.as_str()), item.name(), item.arn()];
        let error = self
            .indexes
            .unread
            .iter()
            .map(|&i| &self.inventory.collection_errors[i])
            .find(|e| {
                e.covers(&item.resource_type, &item.account_id, Some(&item.region))
                    && (e.resources.is_empty()
                        || e.resources
                            .iter()
                            .any(|r| names.contains(&Some(r.as_str()))))
                    && e.affects(std::slice::from_ref(&location))
            })?;
        let shown = join_location(prefix, path);
        let (message, actual) = if error.is_not_collected() {
            (
                format!("{shown}: {}", error.describe()),
                format!("(not collected: {} was not called)", error.operation),
            )
        } else {
            (
                format!("{shown} could not be read: {}", error.describe()),
                format!("(not read: {} failed)", error.operation),
            )
        };
        Some(Verdict::new(
            Outcome::Error(message),
            vec![Evidence {
                path: shown,
                actual: Value::String(actual),
                expected: format!(
                    "a successful {} call (IAM action {})",
                    error.operation, error.iam_action
                ),
                summary: false,
            }],
        ))
    }

    /// Why a missing attestor-only field cannot be judged, when the source never records it.
    fn field_gap(&self, attestor_only: Option<&str>) -> Option<String> {
        attestor_only.and_then(|full| self.inventory.coverage.field_gap(full))
    }

    #[allow(clippy::too_many_arguments)]
    fn elements(
        &self,
        path: &PropertyPath,
        quantifier: Quantifier,
        cond: &Cond,
        when_missing: Missing,
        value: &Value,
        item: &ConfigurationItem,
        prefix: &str,
    ) -> Verdict {
        let resolved = path.resolve_with_holes(value, prefix);
        let location = join_location(prefix, &path.text);
        let expected = format!("a list whose elements satisfy `{}`", quantifier.keyword());
        if resolved.found.is_empty()
            && let Some((at, reason)) = resolved.mistyped.first()
        {
            return Verdict::new(
                Outcome::Error(reason.clone()),
                vec![evidence(at.clone(), &Value::Null, expected)],
            );
        }
        if resolved.found.is_empty() {
            if let Some(reason) = self.field_gap(when_missing.attestor_only) {
                return Verdict::new(
                    Outcome::Error(reason),
                    vec![evidence(location, &Value::Null, expected)],
                );
            }
            return missing(when_missing.on_missing, location, expected);
        }
        let mut parts: Vec<Verdict> = resolved
            .holes
            .into_iter()
            .map(|hole| missing(when_missing.on_missing, hole, expected.clone()))
            .chain(resolved.mistyped.into_iter().map(|(at, reason)| {
                Verdict::new(
                    Outcome::Error(reason),
                    vec![evidence(at, &Value::Null, expected.clone())],
                )
            }))
            .collect();
        for Found { value, location } in &resolved.found {
            match value {
                Value::Array(elements) => {
                    for (i, element) in elements.iter().enumerate() {
                        parts.push(self.eval(cond, element, item, &format!("{location}[{i}].")));
                    }
                }
                other => parts.push(Verdict::new(
                    Outcome::Error(format!("{location} is {}, not a list", type_word(other))),
                    vec![evidence(location.clone(), other, "a list".into())],
                )),
            }
        }
        quantify(quantifier, parts, &location, "elements")
    }

    /// Whether the source records every `resource_type` in the item's account and region (and
    /// read them without errors), so a resource of that type that is not there does not exist.
    fn records_all_of(&self, resource_type: &str, item: &ConfigurationItem) -> bool {
        self.inventory
            .coverage
            .covers(resource_type, &item.account_id, Some(&item.region))
            && self
                .inventory
                .listing_errors_for(resource_type, &item.account_id, Some(&item.region))
                .next()
                .is_none()
    }

    /// The items `link` points to from `value`, the problems following it, and whether every
    /// problem is a reference that matched nothing (no missing keys, no uncertain fallback).
    fn related(
        &self,
        link: &super::compile::CompiledLink,
        value: &Value,
        item: &ConfigurationItem,
        prefix: &str,
    ) -> (Vec<usize>, Vec<String>, bool) {
        let lookup = |index: usize, keys: &[String]| -> (Vec<usize>, Vec<String>) {
            let mut hits = Vec::new();
            let mut misses = Vec::new();
            for key in keys {
                let same_account: Vec<usize> = self.indexes.maps[index]
                    .get(key)
                    .map(|v| {
                        v.iter()
                            .copied()
                            .filter(|&i| self.inventory.items[i].account_id == item.account_id)
                            .collect()
                    })
                    .unwrap_or_default();
                if same_account.is_empty() {
                    misses.push(key.clone());
                }
                hits.extend(same_account);
            }
            hits.sort_unstable();
            hits.dedup();
            (hits, misses)
        };
        let from = link.from.resolve_with_holes(value, prefix);
        let keys: Vec<String> = from
            .found
            .iter()
            .flat_map(|f| scalar_keys(f.value))
            .collect();
        // A reference some elements lack is a resource we cannot follow: never skipped.
        let holes: Vec<String> = from
            .holes
            .iter()
            .map(|hole| format!("{hole} is missing from the data"))
            .chain(from.mistyped.iter().map(|(_, reason)| reason.clone()))
            .collect();
        let (mut hits, mut misses) = lookup(link.index, &keys);
        if hits.is_empty()
            && let Some(fallback) = &link.fallback
        {
            // The fallback's own reference may be unknown (after apply) or unread.
            if let Some(Verdict {
                outcome: Outcome::Error(reason),
                ..
            }) = unknown(item, prefix, &fallback.from.text)
                .or_else(|| self.unread(item, prefix, &fallback.from.text))
            {
                let problems = std::iter::once(reason).chain(holes).collect();
                return (Vec::new(), problems, false);
            }
            let fallback_keys: Vec<String> = fallback
                .from
                .resolve(value, prefix)
                .iter()
                .flat_map(|f| scalar_keys(f.value))
                .collect();
            if fallback_keys.is_empty() && !misses.is_empty() {
                // Nothing to fall back on: the direct references that matched nothing stand,
                // and absence is not concluded from them.
                let problems = misses
                    .iter()
                    .map(|key| {
                        format!(
                            "{} `{key}` (from {}) is not in the inventory, and {} is missing from the data for the fallback",
                            link.resource_type,
                            link.from.text,
                            join_location(prefix, &fallback.from.text)
                        )
                    })
                    .chain(holes)
                    .collect();
                return (hits, self.explain_missing(link, item, problems), false);
            }
            let (candidates, _) = lookup(fallback.index, &fallback_keys);
            misses.clear();
            let mut uncertain = Vec::new();
            for i in candidates {
                let other = &self.inventory.items[i];
                let keep = match &fallback.filter {
                    None => Outcome::Pass,
                    Some(filter) => self.eval(filter, &other.doc, other, "").outcome,
                };
                match keep {
                    Outcome::Pass => hits.push(i),
                    // A candidate the fallback does not take, with an element lacking the key
                    // (a route-table association without `subnetId`), might be the resource's
                    // direct reference: the fallback cannot stand in for it.
                    Outcome::Fail => {
                        if let Some(hole) = self.indexes.unkeyed[link.index].get(&i) {
                            uncertain.push(format!(
                                "{} {}: {hole} is missing from the data, so it may refer to {}",
                                other.resource_type,
                                other.resource_id,
                                keys.join(", ")
                            ));
                        }
                    }
                    // Neither ruled in nor out: the fallback's choice would be a guess.
                    Outcome::Error(reason) => uncertain.push(format!(
                        "{} {}: {reason}",
                        other.resource_type, other.resource_id
                    )),
                }
            }
            if !uncertain.is_empty() {
                // The resource may have a direct reference after all: the fallback does not apply.
                hits.clear();
                misses = uncertain;
            }
            if hits.is_empty() && misses.is_empty() && !fallback_keys.is_empty() {
                misses.push(format!(
                    "no {} matches the fallback for {}",
                    link.resource_type,
                    fallback_keys.join(", ")
                ));
            }
            let mut problems = misses;
            problems.extend(holes);
            return (hits, self.explain_missing(link, item, problems), false);
        }
        let only_unmatched = holes.is_empty();
        let problems: Vec<String> = misses
            .into_iter()
            .map(|key| {
                format!(
                    "{} `{key}` (from {}) is not in the inventory",
                    link.resource_type, link.from.text
                )
            })
            .chain(holes)
            .collect();
        (
            hits,
            self.explain_missing(link, item, problems),
            only_unmatched,
        )
    }

    /// Names the collection failure behind missing related resources, when there is one.
    fn explain_missing(
        &self,
        link: &super::compile::CompiledLink,
        item: &ConfigurationItem,
        problems: Vec<String>,
    ) -> Vec<String> {
        if problems.is_empty() {
            return problems;
        }
        let causes: Vec<String> = self
            .inventory
            .listing_errors_for(&link.resource_type, &item.account_id, None)
            .map(super::super::inventory::CollectionError::describe)
            .collect();
        if causes.is_empty() {
            return problems;
        }
        problems
            .into_iter()
            .map(|p| format!("{p}; {}", causes.join("; ")))
            .collect()
    }

    fn test(&self, test: &Test, value: &Value) -> Outcome {
        let decided = |b: bool| if b { Outcome::Pass } else { Outcome::Fail };
        match test {
            Test::Exists => Outcome::Pass,
            Test::Absent => Outcome::Fail,
            Test::Equals(expected) => match json_eq(value, expected) {
                Some(b) => decided(b),
                None => mismatch(value, expected),
            },
            Test::NotEquals(expected) => match json_eq(value, expected) {
                Some(b) => decided(!b),
                None => mismatch(value, expected),
            },
            Test::In(options) | Test::NotIn(options) => {
                let results: Vec<Option<bool>> =
                    options.iter().map(|o| json_eq(value, o)).collect();
                let found = results.contains(&Some(true));
                if !found && results.iter().all(Option::is_none) && !options.is_empty() {
                    return mismatch(value, &options[0]);
                }
                decided(found == matches!(test, Test::In(_)))
            }
            Test::Gt(n) | Test::Gte(n) | Test::Lt(n) | Test::Lte(n) => match value.as_f64() {
                Some(actual) => decided(match test {
                    Test::Gt(_) => actual > *n,
                    Test::Gte(_) => actual >= *n,
                    Test::Lt(_) => actual < *n,
                    _ => actual <= *n,
                }),
                None => Outcome::Error(format!("expected a number, found {}", type_word(value))),
            },
            Test::Matches(re) => match value {
                Value::String(s) => decided(re.is_match(s)),
                other => Outcome::Error(format!(
                    "expected a string to match, found {}",
                    type_word(other)
                )),
            },
            Test::Contains(needle) => match (value, needle) {
                (Value::Array(items), _) => {
                    // An element that is null or of another type might be the one sought:
                    // unknown, unless another element already matches.
                    let results: Vec<Option<bool>> = items
                        .iter()
                        .map(|i| {
                            if i.is_null() {
                                None
                            } else {
                                json_eq(i, needle)
                            }
                        })
                        .collect();
                    if results.contains(&Some(true)) {
                        Outcome::Pass
                    } else if let Some(i) = results.iter().position(Option::is_none) {
                        Outcome::Error(format!(
                            "element [{i}] is {}, which cannot be compared with {needle}",
                            type_word(&items[i])
                        ))
                    } else {
                        Outcome::Fail
                    }
                }
                (Value::String(s), Value::String(n)) => decided(s.contains(n.as_str())),
                (other, _) => Outcome::Error(format!(
                    "expected a list or string, found {}",
                    type_word(other)
                )),
            },
            Test::Within(window) | Test::OlderThan(window) => {
                let Some(as_of) = self.as_of else {
                    return Outcome::Error(
                        "no evaluation time to measure ages from: give --as-of or use a snapshot with a capture time"
                            .into(),
                    );
                };
                match parse_time(value) {
                    Ok(time) => {
                        let age = as_of.as_second() - time.as_second();
                        decided(if matches!(test, Test::Within(_)) {
                            age <= window.seconds
                        } else {
                            age > window.seconds
                        })
                    }
                    Err(reason) => Outcome::Error(reason),
                }
            }
        }
    }

    fn describe(&self, test: &Test) -> String {
        let cutoff = |d: &Duration| {
            self.as_of
                .and_then(|t| {
                    t.checked_sub(jiff::SignedDuration::from_secs(d.seconds))
                        .ok()
                })
                .map(|t| t.to_string())
        };
        match test {
            Test::Equals(v) => format!("equals {v}"),
            Test::NotEquals(v) => format!("not equal to {v}"),
            Test::In(v) => format!("one of {}", Value::Array(v.clone())),
            Test::NotIn(v) => format!("none of {}", Value::Array(v.clone())),
            Test::Gt(n) => format!("> {}", super::compile::format_number(*n)),
            Test::Gte(n) => format!(">= {}", super::compile::format_number(*n)),
            Test::Lt(n) => format!("< {}", super::compile::format_number(*n)),
            Test::Lte(n) => format!("<= {}", super::compile::format_number(*n)),
            Test::Exists => "present".into(),
            Test::Absent => "absent".into(),
            Test::Matches(re) => format!("matches /{}/", re.as_str()),
            Test::Contains(v) => format!("contains {v}"),
            Test::Within(d) => match cutoff(d) {
                Some(t) => format!("within {d} (on or after {t})"),
                None => format!("within {d}"),
            },
            Test::OlderThan(d) => match cutoff(d) {
                Some(t) => format!("older than {d} (before {t})"),
                None => format!("older than {d}"),
            },
        }
    }
}

/// Combines per-element (or per-related-resource) verdicts under a quantifier.
fn quantify(quantifier: Quantifier, parts: Vec<Verdict>, location: &str, noun: &str) -> Verdict {
    let total = parts.len();
    let count = |o: fn(&Outcome) -> bool| parts.iter().filter(|p| o(&p.outcome)).count();
    let passes = count(|o| *o == Outcome::Pass);
    let fails = count(|o| *o == Outcome::Fail);
    let first_error = parts.iter().find_map(|p| match &p.outcome {
        Outcome::Error(reason) => Some(reason.clone()),
        _ => None,
    });
    let (outcome, decisive): (Outcome, fn(&Outcome) -> bool) = match quantifier {
        Quantifier::Any if passes > 0 => (Outcome::Pass, |o| *o == Outcome::Pass),
        Quantifier::All if fails > 0 => (Outcome::Fail, |o| *o == Outcome::Fail),
        Quantifier::None if passes > 0 => (Outcome::Fail, |o| *o == Outcome::Pass),
        _ => match first_error {
            Some(reason) => (Outcome::Error(reason), |o| matches!(o, Outcome::Error(_))),
            None if quantifier == Quantifier::Any => (Outcome::Fail, |o| *o == Outcome::Fail),
            None => (Outcome::Pass, |o| *o == Outcome::Pass),
        },
    };
    let summary = Evidence {
        path: location.to_string(),
        actual: Value::String(format!("{total} {noun}: {passes} match, {fails} do not")),
        expected: match quantifier {
            Quantifier::Any => "at least one matches".into(),
            Quantifier::All => "all match".into(),
            Quantifier::None => "none matches".into(),
        },
        summary: true,
    };
    let mut evidence = vec![summary];
    let details = parts.into_iter().filter(|p| decisive(&p.outcome));
    // For a negated match ("none"), the matching element's evidence shows what was found.
    for part in details.take(MAX_QUANTIFIER_EVIDENCE) {
        evidence.extend(part.evidence);
    }
    Verdict::new(outcome, evidence)
}

/// `error` when `path` (under `prefix`) is, or is inside or above, a property `item`'s source
/// does not know yet.
fn unknown(item: &ConfigurationItem, prefix: &str, path: &str) -> Option<Verdict> {
    if item.unknown.is_empty() {
        return None;
    }
    let bare = location_in_item(prefix, path);
    // A source may name an element (`configuration.l[0].v`): any element's is the list's.
    let hit = item
        .unknown
        .iter()
        .find(|u| crate::inventory::paths_overlap(&without_indices(u), &bare))?;
    let shown = join_location(prefix, path);
    Some(Verdict::new(
        Outcome::Error(format!(
            "{shown} is known only after apply ({hit} is not in the plan's values), so the plan cannot decide this; \
             set it in the configuration, or check after apply with --live"
        )),
        vec![Evidence {
            path: shown,
            actual: Value::String("(known after apply)".into()),
            expected: "a value the plan shows".into(),
            summary: false,
        }],
    ))
}

/// The path `path` (under `prefix`) reads inside its item's own document, without list indices:
/// a related item's location starts with its type and ID ("AWS::EC2::RouteTable rtb-1: ").
fn location_in_item(prefix: &str, path: &str) -> String {
    let within = prefix.rsplit(": ").next().unwrap_or(prefix);
    without_indices(&join_location(within, path))
}

/// `a.b[0].c[*].d` → `a.b.c.d`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_end_matches('.').to_string()
}

fn missing(on_missing: OnMissing, location: String, expected: String) -> Verdict {
    let ev = vec![evidence(location.clone(), &Value::Null, expected)];
    match on_missing {
        OnMissing::Error => Verdict::new(
            Outcome::Error(format!("{location} is missing from the data")),
            ev,
        ),
        OnMissing::Pass => Verdict::new(Outcome::Pass, ev),
        OnMissing::Fail => Verdict::new(Outcome::Fail, ev),
    }
}

fn join_location(prefix: &str, path: &str) -> String {
    if path == "@" {
        return prefix.trim_end_matches('.').to_string();
    }
    format!("{prefix}{path}")
}

/// Large values are summarised in evidence so reports stay readable.
fn evidence(path: String, actual: &Value, expected: String) -> Evidence {
    let actual = match actual {
        Value::Array(items) if items.len() > 20 => {
            Value::String(format!("[list of {} items]", items.len()))
        }
        Value::Object(map) if map.len() > 20 => {
            Value::String(format!("{{object with {} keys}}", map.len()))
        }
        other => other.clone(),
    };
    Evidence {
        path,
        actual,
        expected,
        summary: false,
    }
}

/// Equality across JSON types: `None` when the types cannot be compared (a data-shape problem that
/// must surface as an error, not as a silent mismatch).
fn json_eq(actual: &Value, expected: &Value) -> Option<bool> {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => Some(a.as_f64() == b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a == b),
        (Value::Bool(a), Value::Bool(b)) => Some(a == b),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            Some(actual == expected)
        }
        (_, Value::Null) => Some(false),
        _ => None,
    }
}

fn mismatch(actual: &Value, expected: &Value) -> Outcome {
    Outcome::Error(format!(
        "type mismatch: the data holds {} ({}), the policy compares with {}",
        type_word(actual),
        actual,
        type_word(expected)
    ))
}

/// Dates in the data: RFC 3339 or epoch-second strings, or epoch numbers (milliseconds when large,
/// as CloudWatch Logs reports `creationTime`; seconds otherwise).
fn parse_time(value: &Value) -> Result<jiff::Timestamp, String> {
    match value {
        // The same spellings the loader reads capture times in.
        Value::String(_) => crate::inventory::time_value(value),
        Value::Number(n) => {
            let Some(raw) = n.as_f64().filter(|f| f.is_finite()) else {
                return Err(format!("{n} is not an epoch time"));
            };
            // Fractional seconds (`1502510556.116`) as the AWS APIs write them.
            let seconds = if raw.abs() > 100_000_000_000.0 {
                raw / 1000.0
            } else {
                raw
            };
            crate::inventory::time_value(&Value::from(seconds))
                .map_err(|e| format!("{n} is not an epoch time: {e}"))
        }
        other => Err(format!("expected a date, found {}", type_word(other))),
    }
}
