//! Building one configuration item from a planned resource: reading its values (known, unset, or
//! known only after apply), naming the planned resources its IDs refer to, the resources joined
//! onto it (a bucket's versioning, a route table's routes), and its account and region.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::plan::{Action, Planned, Resolver, Typed, Val, kind};

/// The account or region of an item the plan does not state. The same placeholder for every
/// such item, so `related` lookups (which stay within one account) still join them; the
/// `accountId` / `awsRegion` paths are listed as unknown, so no policy decides on them.
pub(super) const UNSTATED: &str = "unknown";

/// Which planned resources an attribute may refer to: (Terraform type, the attributes of it that
/// carry the value: `id`, `arn`, `name`…).
pub(super) type Kinds = &'static [(&'static str, &'static [&'static str])];

/// A value that names a resource: a literal ID (of something outside the plan, or known already),
/// or a planned resource, named by its address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ref {
    /// What the item records: the planned resource's address, else the literal.
    pub value: String,
    /// The ID as the plan states it, when it does.
    pub literal: Option<String>,
    /// The planned resource (index into every managed resource change).
    pub target: Option<usize>,
}

/// A resource joined onto another (`aws_s3_bucket_versioning` onto its bucket), by the attribute
/// that names the owner.
pub(super) struct Join {
    pub tf_type: &'static str,
    pub attribute: &'static str,
    pub owners: Kinds,
    /// The owners' types that are items (a route may name a VPC's main route table, which the
    /// plan does not manage).
    pub items: &'static [&'static str],
    /// The owner's property it sets: unknown when the owner cannot be named.
    pub property: &'static str,
    pub aws_type: &'static str,
}

/// Joined resources, by owner.
#[derive(Default)]
pub(super) struct Attached {
    by_owner: HashMap<(usize, &'static str), Vec<usize>>,
    /// Joined resources whose owner is known only after apply and cannot be named: they may
    /// belong to any item of the type, so that property is unknown for all of them.
    pub orphans: Vec<(usize, &'static Join)>,
    /// Joined resources that configure something outside the plan (a literal ID): not evaluated.
    pub outside: Vec<(usize, String)>,
    /// Joined resources whose owner attribute has the wrong type.
    pub problems: Vec<(usize, &'static Join, String)>,
}

impl Attached {
    pub(super) fn new(cx: &Resolver<'_>, all: &[Planned], joins: &'static [Join]) -> Self {
        let mut attached = Attached::default();
        for (i, p) in all.iter().enumerate().filter(|(_, p)| p.mapped) {
            let Some(join) = joins.iter().find(|j| j.tf_type == p.tf_type) else {
                continue;
            };
            match refer_as(cx, p, join.attribute, join.owners, false) {
                Ok(Typed::Known(refs)) if !refs.is_empty() => {
                    let owners: BTreeSet<usize> = refs
                        .iter()
                        .filter_map(|r| r.target)
                        .filter(|&t| join.items.contains(&all[t].tf_type.as_str()))
                        .collect();
                    let mut owners = owners.into_iter();
                    match (owners.next(), owners.next()) {
                        (Some(owner), None) => attached
                            .by_owner
                            .entry((owner, join.tf_type))
                            .or_default()
                            .push(i),
                        // What is deleted matters only for an owner in the plan.
                        _ if p.action == Action::Delete => {}
                        (None, _) => {
                            let what: Vec<String> = refs
                                .iter()
                                .map(|r| match r.target {
                                    Some(t) => format!("{} of {}", join.attribute, all[t].address),
                                    None => r.value.clone(),
                                })
                                .collect();
                            attached.outside.push((i, what.join(", ")));
                        }
                        (Some(_), Some(_)) => attached.orphans.push((i, join)),
                    }
                }
                _ if p.action == Action::Delete => {}
                // Terraform requires these arguments: unset or unknown, the owner cannot be named.
                Ok(_) => attached.orphans.push((i, join)),
                Err(problem) => {
                    attached.problems.push((i, join, problem));
                    attached.orphans.push((i, join));
                }
            }
        }
        attached
    }

    /// The resources of `tf_type` joined onto `owner`, in plan order.
    pub(super) fn of(&self, owner: usize, tf_type: &'static str) -> &[usize] {
        self.by_owner
            .get(&(owner, tf_type))
            .map_or(&[], Vec::as_slice)
    }
}

/// The values an attribute names: literal IDs stay as they are, IDs of planned resources become
/// their addresses (the items' resource IDs), and values known only after apply are named through
/// the configuration's references. `Unknown` when a value cannot be named. A whole list known
/// only after apply (`compact(...)`, a set holding unknown IDs) is named only when every
/// contribution of its expression is a planned resource.
pub(super) fn refer(
    cx: &Resolver<'_>,
    p: &Planned,
    path: &str,
    kinds: Kinds,
) -> Result<Typed<Vec<Ref>>, String> {
    refer_as(cx, p, path, kinds, true)
}

/// [`refer`]; `list`: the attribute is a list (a single value named by references is not).
fn refer_as(
    cx: &Resolver<'_>,
    p: &Planned,
    path: &str,
    kinds: Kinds,
    list: bool,
) -> Result<Typed<Vec<Ref>>, String> {
    let types: Vec<&str> = kinds.iter().map(|(t, _)| *t).collect();
    let literal = |s: &str| -> Ref {
        let target = cx.by_handle(&types, s);
        Ref {
            value: target.map_or_else(|| s.to_string(), |t| cx.planned(t).address.clone()),
            literal: Some(s.to_string()),
            target,
        }
    };
    let mut known: Vec<Ref> = Vec::new();
    match p.get(path) {
        Val::Null => return Ok(Typed::Null),
        Val::Known(Value::String(s)) => {
            if s.is_empty() {
                return Ok(Typed::Null);
            }
            return Ok(Typed::Known(vec![literal(s)]));
        }
        Val::Known(Value::Array(list)) => {
            for (i, element) in list.iter().enumerate() {
                if p.partly_unknown(&format!("{path}.{i}")) {
                    continue;
                }
                match element {
                    Value::String(s) if !s.is_empty() => known.push(literal(s)),
                    Value::Null => {}
                    other => {
                        return Err(format!("`{path}` holds {}, expected strings", kind(other)));
                    }
                }
            }
            if !p.partly_unknown(path) {
                known.sort();
                known.dedup();
                return Ok(Typed::Known(known));
            }
        }
        Val::Known(other) => {
            return Err(format!(
                "`{path}` is {}, expected a string or a list of strings",
                kind(other)
            ));
        }
        Val::Unknown => {}
    }
    // Known only after apply: name it by what the configuration refers to.
    let Some(refs) = cx.expression_refs(p, path) else {
        return Ok(Typed::Unknown);
    };
    // A list whose elements are partly known keeps its constants as known elements and names
    // its unknown ones by the references. A wholly unknown list (`compact([aws_security_group.db.id,
    // "sg-0legacy"])`, or a provider that collapses a set with an unknown element, as the AWS
    // provider does for RDS security groups) does not say what else it holds: the plan's
    // configuration records only references, never the constants beside them, so the list is
    // unknown rather than a guess that could pass.
    let whole_list = list && matches!(p.get(path), Val::Unknown);
    if whole_list && LIST_ATTRIBUTES.contains(&path) {
        return Ok(Typed::Unknown);
    }
    let resolved = cx.resolve(&p.module, &refs, cx.each_value(p), whole_list);
    if !resolved.unresolved.is_empty() || resolved.targets.is_empty() {
        return Ok(Typed::Unknown);
    }
    for target in &resolved.targets {
        let planned = cx.planned(target.index);
        let carries = kinds.iter().any(|(t, attributes)| {
            *t == planned.tf_type
                && target
                    .attribute
                    .as_deref()
                    .is_none_or(|a| attributes.contains(&a))
        });
        // Another attribute (a subnet's `vpc_id` where a subnet ID is expected) or another
        // type: the value is derived in a way this mapping cannot follow.
        if !carries {
            return Ok(Typed::Unknown);
        }
        let literal = match planned.get(target.attribute.as_deref().unwrap_or("id")) {
            Val::Known(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        known.push(Ref {
            value: planned.address.clone(),
            literal,
            target: Some(target.index),
        });
    }
    known.sort();
    known.dedup_by(|a, b| a.value == b.value);
    Ok(Typed::Known(known))
}

/// Attributes that are lists of IDs or CIDR blocks. Terraform (1.3 and later) writes a list
/// with unknown elements element by element; only a function over it (`compact`, `concat`,
/// `distinct`) or a provider that collapses the set makes it wholly unknown, and then its
/// constants are not in the plan at all.
const LIST_ATTRIBUTES: [&str; 7] = [
    "subnet_ids",
    "vpc_security_group_ids",
    "security_group_ids",
    "security_groups",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "route_table_ids",
];

/// [`refer`] for an attribute that names one resource.
pub(super) fn refer_one(
    cx: &Resolver<'_>,
    p: &Planned,
    path: &str,
    kinds: Kinds,
) -> Result<Typed<Ref>, String> {
    Ok(match refer_as(cx, p, path, kinds, false)? {
        Typed::Known(mut refs) if refs.len() == 1 => Typed::Known(refs.remove(0)),
        Typed::Known(refs) if refs.is_empty() => Typed::Null,
        Typed::Known(_) | Typed::Unknown => Typed::Unknown,
        Typed::Null => Typed::Null,
    })
}

/// Everything the mappings share: references, joined resources.
pub(super) struct Ctx<'a> {
    pub resolver: Resolver<'a>,
    pub attached: Attached,
    pub all: &'a [Planned],
}

/// One item being built.
pub(super) struct Builder<'c, 'a> {
    pub cx: &'c Ctx<'a>,
    pub r: &'a Planned,
    /// Index of `r` among every managed resource change.
    pub index: usize,
    /// `configuration`, `supplementaryConfiguration`, `tags`.
    pub doc: Map<String, Value>,
    pub unknown: BTreeSet<String>,
    /// Wrong types: the item is not built, its type gives `error`.
    pub problems: Vec<String>,
    /// Not fatal, reported as warnings (e.g. two versioning resources for one bucket).
    pub warnings: Vec<String>,
    pub name: Option<String>,
}

/// Sets `value` at a dotted path (`configuration.dBSubnetGroup.subnets`), making objects on the way.
fn set_path(doc: &mut Map<String, Value>, path: &str, value: Value) {
    let mut keys = path.split('.');
    let Some(mut key) = keys.next() else {
        return;
    };
    let mut node = doc;
    for next in keys {
        let entry = node
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(map) = entry else {
            return;
        };
        node = map;
        key = next;
    }
    node.insert(key.to_string(), value);
}

impl<'c, 'a> Builder<'c, 'a> {
    pub(super) fn new(cx: &'c Ctx<'a>, index: usize) -> Self {
        Builder {
            cx,
            r: &cx.all[index],
            index,
            doc: Map::new(),
            unknown: BTreeSet::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
            name: None,
        }
    }

    /// A read's value; a wrong type is recorded (naming the resource) and reads as unknown, so
    /// nothing concrete is written from it.
    pub(super) fn read<T>(&mut self, of: &Planned, result: Result<Typed<T>, String>) -> Typed<T> {
        result.unwrap_or_else(|problem| {
            self.problems.push(format!("{}: {problem}", of.address));
            Typed::Unknown
        })
    }

    pub(super) fn put(&mut self, to: &str, value: impl Into<Value>) {
        set_path(&mut self.doc, to, value.into());
    }

    /// Marks a property known only after apply.
    pub(super) fn unknown(&mut self, to: &str) {
        self.unknown.insert(to.to_string());
    }

    /// Writes a value read from the plan: known → written, unknown → marked, unset → `default`
    /// (AWS's or the provider's documented default, where it is certain) or left out.
    pub(super) fn write<T: Into<Value>>(&mut self, to: &str, value: Typed<T>, default: Option<T>) {
        match value {
            Typed::Known(v) => self.put(to, v),
            Typed::Unknown => self.unknown(to),
            Typed::Null => {
                if let Some(d) = default {
                    self.put(to, d);
                }
            }
        }
    }

    pub(super) fn bool(&mut self, from: &str, to: &str, default: Option<bool>) -> Typed<bool> {
        let r = self.r;
        let value = self.read(r, r.bool(from));
        let effective = match (&value, default) {
            (Typed::Null, Some(d)) => Typed::Known(d),
            (v, _) => v.clone(),
        };
        self.write(to, value, default);
        effective
    }

    pub(super) fn int(&mut self, from: &str, to: &str, default: Option<i64>) -> Typed<i64> {
        let r = self.r;
        let value = self.read(r, r.int(from));
        let effective = match (&value, default) {
            (Typed::Null, Some(d)) => Typed::Known(d),
            (v, _) => v.clone(),
        };
        self.write(to, value, default);
        effective
    }

    /// A string (`""` counts as unset, as the provider writes it for unset nested strings).
    pub(super) fn string(&mut self, from: &str, to: &str) -> Typed<String> {
        let r = self.r;
        let value = match self.read(r, r.text(from)) {
            Typed::Known(s) => Typed::Known(s.to_string()),
            Typed::Null => Typed::Null,
            Typed::Unknown => Typed::Unknown,
        };
        self.write(to, value.clone(), None);
        value
    }

    /// The AWS name of the resource (`identifier`, `bucket`, `name`): `resourceName` and `to`.
    pub(super) fn name(&mut self, from: &str, to: &str) -> Typed<String> {
        let value = self.string(from, to);
        if let Typed::Known(name) = &value {
            self.name = Some(name.clone());
        }
        value
    }

    /// One resource an attribute names ([`refer_one`]), written as its value at `to`.
    pub(super) fn reference(&mut self, from: &str, to: &str, kinds: Kinds) -> Typed<Ref> {
        let r = self.r;
        let value = self.read(r, refer_one(&self.cx.resolver, r, from, kinds));
        match &value {
            Typed::Known(v) => self.put(to, v.value.clone()),
            Typed::Unknown => self.unknown(to),
            Typed::Null => {}
        }
        value
    }

    /// The resources a list attribute names ([`refer`]).
    pub(super) fn references(&mut self, of: &Planned, from: &str, kinds: Kinds) -> Typed<Vec<Ref>> {
        let result = refer(&self.cx.resolver, of, from, kinds);
        self.read(of, result)
    }

    /// The resources of `tf_type` joined onto this one: those that exist after apply, and those
    /// the plan deletes (their `values` are what is deleted). A forgotten one (`removed` with
    /// `destroy = false`) still exists in AWS as it is now: it counts as kept, its `values` being
    /// its `before`.
    pub(super) fn joined(&self, tf_type: &'static str) -> (Vec<&'a Planned>, Vec<&'a Planned>) {
        let all = self.cx.all;
        let (kept, gone) = self
            .cx
            .attached
            .of(self.index, tf_type)
            .iter()
            .map(|&i| &all[i])
            .partition(|p| p.action != Action::Delete);
        (kept, gone)
    }

    /// Marks `property` unknown if a joined resource of `tf_type` may belong to this item without
    /// the plan saying so.
    pub(super) fn orphaned(&mut self, tf_type: &str) -> bool {
        let found: Vec<&'static Join> = self
            .cx
            .attached
            .orphans
            .iter()
            .filter(|(_, j)| j.tf_type == tf_type)
            .map(|(_, j)| *j)
            .collect();
        for join in &found {
            self.unknown(join.property);
        }
        !found.is_empty()
    }

    /// Tags: `tags_all` (with the provider's default tags) where the resource has it, else `tags`.
    pub(super) fn tags(&mut self) {
        let r = self.r;
        let all = self.read(r, r.object("tags_all"));
        let value = match all {
            Typed::Null => self.read(r, r.object("tags")),
            other => other,
        };
        match value {
            Typed::Known(map) => {
                if r.partly_unknown("tags_all") || r.partly_unknown("tags") {
                    self.unknown("tags");
                } else {
                    let tags: Map<String, Value> = map
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if !tags.is_empty() {
                        self.put("tags", Value::Object(tags));
                    }
                }
            }
            Typed::Unknown => self.unknown("tags"),
            Typed::Null => {}
        }
    }

    /// The document (without identity fields, which the caller adds).
    pub(super) fn into_parts(self) -> BuiltItem {
        BuiltItem {
            doc: self.doc,
            unknown: self.unknown.into_iter().collect(),
            problems: self.problems,
            warnings: self.warnings,
            name: self.name,
        }
    }
}

/// What a mapping produced for one resource.
pub(super) struct BuiltItem {
    pub doc: Map<String, Value>,
    pub unknown: Vec<String>,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
    pub name: Option<String>,
}

/// Where an item is: its account and region, as far as the plan states them.
pub(super) struct Place {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:…` → (region, account), each when present.
pub(super) fn arn_parts(arn: &str) -> (Option<&str>, Option<&str>) {
    let mut parts = arn.split(':');
    if parts.next() != Some("arn") {
        return (None, None);
    }
    let _partition = parts.next();
    let _service = parts.next();
    let region = parts.next().filter(|s| !s.is_empty());
    let account = parts
        .next()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    (region, account)
}

/// The account and region of planned resources.
pub(super) struct Places<'a> {
    providers: Option<&'a Map<String, Value>>,
    variables: Option<&'a Value>,
    /// The one account the plan states (an `aws_caller_identity`, or every ARN agreeing).
    pub plan_account: Option<String>,
}

impl<'a> Places<'a> {
    pub(super) fn new(
        providers: Option<&'a Map<String, Value>>,
        variables: Option<&'a Value>,
        accounts: &BTreeSet<String>,
    ) -> Self {
        Places {
            providers,
            variables,
            plan_account: (accounts.len() == 1)
                .then(|| accounts.iter().next().cloned())
                .flatten(),
        }
    }

    fn provider(&self, key: &str) -> Option<&'a Value> {
        let providers = self.providers?;
        providers.get(key).or_else(|| {
            // Some Terraform versions key a child module's provider as `module.x:aws`; an
            // inherited one is the root module's.
            let bare = key.rsplit(':').next()?;
            providers.get(bare)
        })
    }

    /// A provider argument the plan states: a constant, or a root module variable (known when
    /// Terraform plans).
    fn provider_value(&self, key: &str, argument: &str) -> Option<&'a Value> {
        let provider = self.provider(key)?;
        let expression = provider.get("expressions")?.get(argument)?;
        if let Some(value) = expression.get("constant_value") {
            return Some(value);
        }
        let in_root = provider
            .get("module_address")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        let refs = expression.get("references")?.as_array()?;
        let vars: BTreeSet<&str> = refs
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|r| r.strip_prefix("var."))
            .map(|r| r.split(['.', '[']).next().unwrap_or(r))
            .collect();
        if !in_root
            || vars.len() != 1
            || refs
                .iter()
                .any(|r| r.as_str().is_some_and(|r| !r.starts_with("var.")))
        {
            return None;
        }
        let name = vars.into_iter().next()?;
        self.variables?.get(name)?.get("value")
    }

    /// Account and region of a resource: its own `region` (AWS provider 6) or ARN, its provider's
    /// `region` and `allowed_account_ids`, then the one account the plan states.
    pub(super) fn of(&self, resolver: &Resolver<'_>, p: &Planned, global: bool) -> Place {
        let key = resolver
            .config
            .resource(p)
            .and_then(|c| c.get("provider_config_key"))
            .and_then(Value::as_str)
            .unwrap_or("aws");
        // The ARN after apply, else the existing object's (a replaced resource keeps its place).
        let arn = match p.get("arn") {
            Val::Known(Value::String(s)) => Some(s.as_str()),
            _ => p.before.get("arn").and_then(Value::as_str),
        };
        let (arn_region, arn_account) = arn.map_or((None, None), arn_parts);
        let own_region = match p.get("region") {
            Val::Known(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let region = if global {
            Some(super::super::coverage::GLOBAL_REGION.to_string())
        } else {
            own_region
                .or_else(|| {
                    self.provider_value(key, "region")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .or_else(|| arn_region.map(str::to_string))
        };
        let allowed = self
            .provider_value(key, "allowed_account_ids")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_string);
        let account = arn_account
            .map(str::to_string)
            .or(allowed)
            .or_else(|| self.plan_account.clone());
        Place { account, region }
    }
}

/// A JSON object from pairs, leaving out nulls (AWS Config omits unset fields).
pub(super) fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}
