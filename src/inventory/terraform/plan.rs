//! What the mappings read from a plan: each planned resource's values and which of them are known
//! only after apply, and the configuration's references, which name the resources behind IDs that
//! do not exist yet.
//!
//! Terraform's plan JSON (`terraform show -json`, format 1.x) gives, per resource instance,
//! `change.after` (the planned values, `null` where unknown) and `change.after_unknown` (the same
//! structure with `true` wherever a value is known only after apply). The configuration gives each
//! argument's expression with its `references` (`aws_subnet.a.id`, `var.x`, `module.m.out`),
//! relative to the module that declares it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

/// What a plan does to one resource instance (`change.actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    NoOp,
    Create,
    Update,
    /// Delete and create again (either order): evaluated as the new object.
    Replace,
    Read,
    Delete,
    /// `removed { lifecycle { destroy = false } }`: the object stays in AWS, unmanaged.
    Forget,
}

impl Action {
    pub(super) fn parse(actions: &[&str]) -> Option<Action> {
        Some(match actions {
            ["no-op"] => Action::NoOp,
            ["create"] => Action::Create,
            ["update"] => Action::Update,
            ["read"] => Action::Read,
            ["delete"] => Action::Delete,
            ["forget"] => Action::Forget,
            ["create", "delete"] | ["delete", "create"] => Action::Replace,
            _ => return None,
        })
    }

    /// Whether the resource exists once the plan is applied (and so is evaluated).
    pub(super) fn evaluated(self) -> bool {
        !matches!(self, Action::Delete | Action::Forget)
    }

    /// Whether apply makes a new object: AWS's defaults for new resources then hold for what the
    /// plan leaves unset, and nothing made outside the plan can be attached to it yet.
    pub(super) fn creates(self) -> bool {
        matches!(self, Action::Create | Action::Replace)
    }
}

/// One managed resource instance from `resource_changes`.
#[derive(Debug)]
pub(super) struct Planned {
    pub address: String,
    /// The module instance (`module.a["x"].module.b`), empty at the root.
    pub module: String,
    /// The module in the configuration (`module.a.module.b`): `module` without instance keys.
    pub config_module: String,
    pub tf_type: String,
    pub name: String,
    /// An AWS resource of a type attestor maps (others are only followed by references).
    pub mapped: bool,
    pub action: Action,
    /// `change.after`; for deletions, `change.before` (what is deleted, to follow its references).
    pub values: Value,
    /// `change.after_unknown` (`false` where the plan has none).
    pub unknown: Value,
    /// `change.before`: the object as it is now (null for a creation).
    pub before: Value,
    /// `["create", "delete"]` (create_before_destroy): the old object is deleted last.
    pub create_first: bool,
    /// An account setting the plan deletes (or deletes last): `values` are the account's state
    /// after the deletion, and it is evaluated.
    pub reset: bool,
    /// Byte offset of the entry in the plan text, and its index in `resource_changes`.
    pub offset: usize,
    pub index: usize,
}

/// A value of a planned resource.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    /// Known, though a list or object may still hold unknown parts ([`Planned::partly_unknown`]).
    Known(&'a Value),
    /// Null or absent: the argument is not set (the provider's or AWS's default applies).
    Null,
    /// Known only after apply.
    Unknown,
}

/// A typed value of a planned resource.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Typed<T> {
    Known(T),
    Null,
    Unknown,
}

fn step<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(list) => key.parse::<usize>().ok().and_then(|i| list.get(i)),
        _ => None,
    }
}

/// Whether an `after_unknown` structure marks anything unknown.
fn any_unknown(marks: &Value) -> bool {
    match marks {
        Value::Bool(b) => *b,
        Value::Array(list) => list.iter().any(any_unknown),
        Value::Object(map) => map.values().any(any_unknown),
        _ => false,
    }
}

/// A JSON value's kind, for messages about wrong types.
pub(super) use crate::json::type_word as kind;

impl Planned {
    /// The value at `path` (attribute names and list indices joined by `.`).
    pub(super) fn get(&self, path: &str) -> Val<'_> {
        let mut value = Some(&self.values);
        let mut marks = Some(&self.unknown);
        for key in path.split('.') {
            if matches!(marks, Some(Value::Bool(true))) {
                return Val::Unknown;
            }
            value = value.and_then(|v| step(v, key));
            marks = marks.and_then(|m| step(m, key));
        }
        if matches!(marks, Some(Value::Bool(true))) {
            return Val::Unknown;
        }
        match value {
            None | Some(Value::Null) => Val::Null,
            Some(v) => Val::Known(v),
        }
    }

    /// Whether any part of the value at `path` is known only after apply.
    pub(super) fn partly_unknown(&self, path: &str) -> bool {
        let mut marks = &self.unknown;
        for key in path.split('.') {
            match marks {
                Value::Bool(true) => return true,
                _ => match step(marks, key) {
                    Some(m) => marks = m,
                    None => return false,
                },
            }
        }
        any_unknown(marks)
    }

    fn typed<'s, T>(
        &'s self,
        path: &str,
        what: &str,
        read: impl Fn(&'s Value) -> Option<T>,
    ) -> Result<Typed<T>, String> {
        match self.get(path) {
            Val::Null => Ok(Typed::Null),
            Val::Unknown => Ok(Typed::Unknown),
            Val::Known(v) => read(v)
                .map(Typed::Known)
                .ok_or_else(|| format!("`{path}` is {}, expected {what}", kind(v))),
        }
    }

    pub(super) fn bool(&self, path: &str) -> Result<Typed<bool>, String> {
        self.typed(path, "a boolean", Value::as_bool)
    }

    /// An integer; a number with no fraction written as `7.0` counts.
    pub(super) fn int(&self, path: &str) -> Result<Typed<i64>, String> {
        self.typed(path, "an integer", |v| {
            v.as_i64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
        })
    }

    pub(super) fn str(&self, path: &str) -> Result<Typed<&str>, String> {
        self.typed(path, "a string", Value::as_str)
    }

    /// A list (or set); its elements may still be partly unknown.
    pub(super) fn list(&self, path: &str) -> Result<Typed<&Vec<Value>>, String> {
        self.typed(path, "a list", Value::as_array)
    }

    /// An object (a map such as tags).
    pub(super) fn object(
        &self,
        path: &str,
    ) -> Result<Typed<&serde_json::Map<String, Value>>, String> {
        self.typed(path, "an object", Value::as_object)
    }

    /// A string that is set: the provider writes `""` for unset strings inside nested blocks.
    pub(super) fn text(&self, path: &str) -> Result<Typed<&str>, String> {
        Ok(match self.str(path)? {
            Typed::Known("") => Typed::Null,
            other => other,
        })
    }

    /// The number of elements of a nested block or list (0 when unset); `None` when unknown.
    pub(super) fn count(&self, path: &str) -> Result<Option<usize>, String> {
        Ok(match self.list(path)? {
            Typed::Known(list) => Some(list.len()),
            Typed::Null => Some(0),
            Typed::Unknown => None,
        })
    }
}

/// One step of a Terraform address or reference: `module`, `aws_subnet`, `a[0]` (name and key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Step {
    pub name: String,
    /// The instance key as written, brackets excluded: `0`, `"eu"`.
    pub key: Option<String>,
}

/// Splits `module.a["x.y"].aws_s3_bucket.b[0].id` at the dots outside instance keys.
pub(super) fn split_address(text: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '.' || c == '[' {
                break;
            }
            name.push(c);
            chars.next();
        }
        let mut key = None;
        if chars.peek() == Some(&'[') {
            chars.next();
            let mut inside = String::new();
            let mut quoted = false;
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' if quoted => {
                        inside.push(c);
                        inside.push(chars.next()?);
                    }
                    '"' => {
                        quoted = !quoted;
                        inside.push(c);
                    }
                    ']' if !quoted => {
                        closed = true;
                        break;
                    }
                    _ => inside.push(c),
                }
            }
            if !closed {
                return None;
            }
            key = Some(inside);
        }
        if name.is_empty() {
            return None;
        }
        steps.push(Step { name, key });
        match chars.next() {
            None => return Some(steps),
            Some('.') => {}
            // A second key (`a[0][1]`) is an index into a value, not part of an address.
            Some('[') => return Some(steps),
            Some(_) => return None,
        }
    }
}

fn join_steps(steps: &[Step], keys: bool) -> String {
    let mut out = String::new();
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&s.name);
        if keys && let Some(k) = &s.key {
            out.push('[');
            out.push_str(k);
            out.push(']');
        }
    }
    out
}

/// A resource address's parts: module instance, module in the configuration, type, name.
pub(super) struct AddressParts {
    pub module: String,
    pub config_module: String,
    pub tf_type: String,
    pub name: String,
    /// The address without the resource's own instance key (`aws_subnet.a` for `aws_subnet.a[0]`).
    pub base: String,
}

pub(super) fn address_parts(address: &str) -> Option<AddressParts> {
    let steps = split_address(address)?;
    let mut i = 0;
    while i + 1 < steps.len() && steps[i].name == "module" && steps[i].key.is_none() {
        i += 2;
    }
    let module_steps = &steps[..i];
    let rest = &steps[i..];
    let (tf_type, name) = match rest {
        [t, n] if t.key.is_none() => (t.name.clone(), n.name.clone()),
        [d, t, n] if d.name == "data" && d.key.is_none() && t.key.is_none() => {
            (t.name.clone(), n.name.clone())
        }
        _ => return None,
    };
    let module = join_steps(module_steps, true);
    let prefix = if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    };
    let data = if rest.len() == 3 { "data." } else { "" };
    Some(AddressParts {
        config_module: join_steps(module_steps, false),
        base: format!("{prefix}{data}{tf_type}.{name}"),
        module,
        tf_type,
        name,
    })
}

/// The parent of a module instance and the call's name and key: `module.a.module.b["x"]` →
/// (`module.a`, `b`, `Some("x")`).
fn parent_module(module: &str) -> Option<(String, String)> {
    let steps = split_address(module)?;
    if steps.len() < 2 {
        return None;
    }
    let (parent, last) = steps.split_at(steps.len() - 2);
    Some((join_steps(parent, true), last[1].name.clone()))
}

fn without_keys(module: &str) -> String {
    split_address(module).map_or_else(String::new, |s| join_steps(&s, false))
}

fn child(module: &str, call: &str) -> String {
    if module.is_empty() {
        format!("module.{call}")
    } else {
        format!("{module}.module.{call}")
    }
}

/// One module of the configuration: its resources' expressions, calls and outputs.
#[derive(Default)]
struct ConfigModule<'a> {
    /// `aws_subnet.a` → the resource's configuration (expressions, provider_config_key).
    resources: HashMap<String, &'a Value>,
    /// Call name → the call (`expressions`, `module`).
    calls: HashMap<String, &'a Value>,
    /// Output name → its `expression`.
    outputs: HashMap<String, &'a Value>,
}

/// The plan's `configuration`, indexed by module path (`module.a.module.b`, `` for the root).
#[derive(Default)]
pub(super) struct Config<'a> {
    modules: HashMap<String, ConfigModule<'a>>,
    /// `configuration.provider_config`.
    pub providers: Option<&'a serde_json::Map<String, Value>>,
}

impl<'a> Config<'a> {
    pub(super) fn new(configuration: Option<&'a Value>) -> Self {
        let mut config = Config {
            modules: HashMap::new(),
            providers: configuration
                .and_then(|c| c.get("provider_config"))
                .and_then(Value::as_object),
        };
        if let Some(root) = configuration.and_then(|c| c.get("root_module")) {
            config.add(String::new(), root, 0);
        }
        config
    }

    fn add(&mut self, path: String, module: &'a Value, depth: usize) {
        // Terraform forbids module cycles; the limit only guards against a hand-made file.
        if depth > 64 {
            return;
        }
        let mut index = ConfigModule::default();
        for r in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mode = r.get("mode").and_then(Value::as_str).unwrap_or("managed");
            if let (Some(t), Some(n)) = (
                r.get("type").and_then(Value::as_str),
                r.get("name").and_then(Value::as_str),
            ) {
                let key = if mode == "data" {
                    format!("data.{t}.{n}")
                } else {
                    format!("{t}.{n}")
                };
                index.resources.insert(key, r);
            }
        }
        if let Some(outputs) = module.get("outputs").and_then(Value::as_object) {
            for (name, output) in outputs {
                if let Some(e) = output.get("expression") {
                    index.outputs.insert(name.clone(), e);
                }
            }
        }
        let mut children = Vec::new();
        if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
            for (name, call) in calls {
                index.calls.insert(name.clone(), call);
                if let Some(m) = call.get("module") {
                    children.push((child(&path, name), m));
                }
            }
        }
        self.modules.insert(path, index);
        for (path, m) in children {
            self.add(path, m, depth + 1);
        }
    }

    /// The configuration of a resource (by its module in the configuration, type and name).
    pub(super) fn resource(&self, planned: &Planned) -> Option<&'a Value> {
        self.modules
            .get(&planned.config_module)?
            .resources
            .get(&format!("{}.{}", planned.tf_type, planned.name))
            .copied()
    }
}

/// The references of an expression structure: an expression (`{constant_value, references}`),
/// a nested block's expressions (an object of them), or a list of blocks.
fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Array(list) => list.iter().for_each(|n| collect_refs(n, out)),
        Value::Object(map) => {
            if let Some(refs) = map.get("references").and_then(Value::as_array) {
                out.extend(refs.iter().filter_map(Value::as_str).map(str::to_string));
            }
            for (key, value) in map {
                if key != "references" && key != "constant_value" {
                    collect_refs(value, out);
                }
            }
        }
        _ => {}
    }
}

fn is_expression(node: &Value) -> bool {
    node.as_object().is_some_and(|m| {
        m.is_empty() || m.contains_key("references") || m.contains_key("constant_value")
    })
}

/// Collects the references of the expression at `keys` under `node` (an expression, a nested
/// block's expressions, or a list of blocks: each block is followed); whether one was found.
fn walk_expressions(node: &Value, keys: &[&str], out: &mut Vec<String>) -> bool {
    // An attribute set whole (`route = [...]`): its references cover every part of it.
    if is_expression(node) {
        collect_refs(node, out);
        return true;
    }
    let Some((key, rest)) = keys.split_first() else {
        collect_refs(node, out);
        return true;
    };
    match node {
        Value::Array(blocks) => {
            let mut found = false;
            for block in blocks {
                if let Some(inner) = block.get(key) {
                    found |= walk_expressions(inner, rest, out);
                }
            }
            found
        }
        _ => node
            .get(key)
            .is_some_and(|inner| walk_expressions(inner, rest, out)),
    }
}

/// Drops references that a longer one in the list refines: Terraform lists `aws_subnet.a.id` and
/// `aws_subnet.a` for one use.
fn most_specific(refs: Vec<String>) -> Vec<String> {
    let refines = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && {
            let next = long.as_bytes()[short.len()];
            next == b'.' || next == b'['
        }
    };
    let mut kept: Vec<String> = refs
        .iter()
        .filter(|r| !refs.iter().any(|o| refines(o, r)))
        .cloned()
        .collect();
    kept.sort();
    kept.dedup();
    kept
}

/// A planned resource a reference leads to, and which of its attributes (`id`, `arn`; `None` for
/// the whole object).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Target {
    pub index: usize,
    pub attribute: Option<String>,
}

/// Where references lead.
#[derive(Debug, Default)]
pub(super) struct Resolved {
    pub targets: BTreeSet<Target>,
    /// A reference that may carry an unknown value and leads to no planned resource (a data
    /// source, a local value, a resource outside the plan): the value cannot be named.
    pub unresolved: Vec<String>,
}

/// The most references one resolution follows: a hand-made configuration whose module outputs
/// and inputs fan out (or loop) could otherwise take exponential time. Past it the value is
/// unknown.
pub(super) const RESOLUTION_BUDGET: usize = 100_000;

/// One resolution's state.
struct Walk {
    /// The value is a whole list known only after apply: every contribution must be a planned
    /// resource, since one that is not (a variable, a constant) may add elements that cannot be
    /// named.
    list: bool,
    /// References followed so far ([`RESOLUTION_BUDGET`]).
    steps: usize,
    /// (module instance, reference, `each.value`) already followed.
    visited: HashSet<(String, String, Option<usize>)>,
}

/// Follows references to planned resources, through module inputs and outputs.
pub(super) struct Resolver<'a> {
    /// Resolutions that ran out of their budget, for a warning.
    exhausted: std::cell::Cell<usize>,
    /// The most references one resolution follows ([`RESOLUTION_BUDGET`]).
    budget: usize,
    pub config: Config<'a>,
    planned: &'a [Planned],
    /// Address without the instance key → the planned instances.
    by_base: HashMap<String, Vec<usize>>,
    /// Module in the configuration → its instances in the plan.
    instances: HashMap<String, BTreeSet<String>>,
    /// (type, a known ID, ARN or name) → the planned resource that has it, `None` if several do.
    handles: HashMap<(String, String), Option<usize>>,
}

/// Attributes that identify a resource and that other resources refer to it by.
const HANDLES: &[&str] = &[
    "id",
    "arn",
    "name",
    "bucket",
    "identifier",
    "cluster_identifier",
    "key_id",
];

impl<'a> Resolver<'a> {
    /// `planned`: every managed resource that exists after apply (deleted ones are no targets).
    pub(super) fn new(config: Config<'a>, planned: &'a [Planned]) -> Self {
        let mut by_base: HashMap<String, Vec<usize>> = HashMap::new();
        let mut instances: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut handles: HashMap<(String, String), Option<usize>> = HashMap::new();
        for (i, p) in planned.iter().enumerate() {
            if !p.action.evaluated() {
                continue;
            }
            if let Some(parts) = address_parts(&p.address) {
                by_base.entry(parts.base).or_default().push(i);
            }
            // Every enclosing module instance, so calls without a resource of their own expand.
            let mut module = p.module.clone();
            while !module.is_empty() {
                instances
                    .entry(without_keys(&module))
                    .or_default()
                    .insert(module.clone());
                module = parent_module(&module).map_or_else(String::new, |(parent, _)| parent);
            }
            for attribute in HANDLES {
                if let Val::Known(Value::String(handle)) = p.get(attribute)
                    && !handle.is_empty()
                {
                    handles
                        .entry((p.tf_type.clone(), handle.clone()))
                        .and_modify(|owner| {
                            if *owner != Some(i) {
                                *owner = None;
                            }
                        })
                        .or_insert(Some(i));
                }
            }
        }
        Resolver {
            exhausted: std::cell::Cell::new(0),
            budget: RESOLUTION_BUDGET,
            config,
            planned,
            by_base,
            instances,
            handles,
        }
    }

    pub(super) fn planned(&self, index: usize) -> &'a Planned {
        &self.planned[index]
    }

    /// The planned resource of one of `types` that has this ID, ARN or name.
    pub(super) fn by_handle(&self, types: &[&str], handle: &str) -> Option<usize> {
        let mut found = None;
        for t in types {
            match self.handles.get(&(t.to_string(), handle.to_string())) {
                Some(Some(i)) if found.is_none() => found = Some(*i),
                Some(_) => return None,
                None => {}
            }
        }
        found
    }

    /// The references of the expression that sets `path` of a resource (attribute names; list
    /// indices are skipped: blocks of a set do not keep their order, so every block's references
    /// count). `None` when the configuration does not set it.
    pub(super) fn expression_refs(&self, planned: &Planned, path: &str) -> Option<Vec<String>> {
        let expressions = self.config.resource(planned)?.get("expressions")?;
        let keys: Vec<&str> = path
            .split('.')
            .filter(|k| k.parse::<usize>().is_err())
            .collect();
        let mut refs = Vec::new();
        walk_expressions(expressions, &keys, &mut refs).then_some(refs)
    }

    /// The planned resource `each.value` stands for in a resource whose `for_each` is another
    /// resource (`for_each = aws_s3_bucket.logs`, `bucket = each.value.id`): its instance with
    /// the same key.
    pub(super) fn each_value(&self, planned: &Planned) -> Option<usize> {
        let expression = self.config.resource(planned)?.get("for_each_expression")?;
        let mut refs = Vec::new();
        collect_refs(expression, &mut refs);
        let [only] = most_specific(refs).try_into().ok()?;
        let steps = split_address(&only)?;
        let [tf_type, name] = steps.as_slice() else {
            return None;
        };
        if tf_type.key.is_some()
            || name.key.is_some()
            || matches!(tf_type.name.as_str(), "var" | "local" | "module" | "data")
        {
            return None;
        }
        let key = split_address(&planned.address)?.last()?.key.clone()?;
        let prefix = if planned.module.is_empty() {
            String::new()
        } else {
            format!("{}.", planned.module)
        };
        let address = format!("{prefix}{}.{}[{key}]", tf_type.name, name.name);
        self.by_base
            .get(&format!("{prefix}{}.{}", tf_type.name, name.name))?
            .iter()
            .copied()
            .find(|&i| self.planned[i].address == address)
    }

    /// Where the references of an expression in `module` (a module instance) lead; `each` is
    /// what `each.value` stands for ([`Resolver::each_value`]). `list`: the expression makes a
    /// whole list whose every element must be named ([`Walk::list`]).
    pub(super) fn resolve(
        &self,
        module: &str,
        refs: &[String],
        each: Option<usize>,
        list: bool,
    ) -> Resolved {
        let mut out = Resolved::default();
        let mut walk = Walk {
            list,
            steps: 0,
            visited: HashSet::new(),
        };
        self.resolve_into(module, refs, each, &mut out, &mut walk, 0);
        out
    }

    /// How many resolutions ran out of their budget ([`RESOLUTION_BUDGET`]).
    pub(super) fn exhausted(&self) -> usize {
        self.exhausted.get()
    }

    /// A contribution to the value that is not a planned resource (a constant, a variable, an
    /// instance key): fine for one value (a reference names it or the value is known), but a
    /// list built from it holds something the resolution cannot name.
    fn constant(walk: &Walk, out: &mut Resolved, reference: &str) {
        if walk.list {
            out.unresolved.push(reference.to_string());
        }
    }

    fn resolve_into(
        &self,
        module: &str,
        refs: &[String],
        each: Option<usize>,
        out: &mut Resolved,
        walk: &mut Walk,
        depth: usize,
    ) {
        if depth > 32 {
            out.unresolved.push("(references nested too deeply)".into());
            return;
        }
        for reference in most_specific(refs.to_vec()) {
            if walk.steps >= self.budget {
                if walk.steps == self.budget {
                    self.exhausted.set(self.exhausted.get() + 1);
                    walk.steps += 1;
                }
                out.unresolved
                    .push("(reference resolution exceeded its budget)".into());
                return;
            }
            walk.steps += 1;
            // The same reference from the same module instance adds nothing new (what it leads
            // to is a set): a configuration cycle or a diamond is followed once.
            if !walk
                .visited
                .insert((module.to_string(), reference.clone(), each))
            {
                continue;
            }
            let Some(steps) = split_address(&reference) else {
                out.unresolved.push(reference);
                continue;
            };
            let Some(first) = steps.first() else {
                out.unresolved.push(reference);
                continue;
            };
            match first.name.as_str() {
                // Known when Terraform plans: instance keys, paths, the workspace.
                "count" | "path" | "terraform" => Self::constant(walk, out, &reference),
                "each" if steps.get(1).is_some_and(|s| s.name == "key") => {
                    Self::constant(walk, out, &reference);
                }
                "each" if steps.get(1).is_some_and(|s| s.name == "value") && each.is_some() => {
                    if let Some(index) = each {
                        out.targets.insert(Target {
                            index,
                            attribute: steps.get(2).map(|s| s.name.clone()),
                        });
                    }
                }
                // `each.value` of anything else may hold anything, unknown values included.
                "each" | "self" | "local" | "data" => out.unresolved.push(reference),
                "var" => {
                    // A root module's variables are known when Terraform plans.
                    if module.is_empty() {
                        Self::constant(walk, out, &reference);
                        continue;
                    }
                    let Some(name) = steps.get(1).map(|s| s.name.as_str()) else {
                        out.unresolved.push(reference);
                        continue;
                    };
                    let Some((parent, call)) = parent_module(module) else {
                        out.unresolved.push(reference);
                        continue;
                    };
                    let expression = self
                        .config
                        .modules
                        .get(&without_keys(&parent))
                        .and_then(|m| m.calls.get(&call))
                        .and_then(|c| c.get("expressions"))
                        .and_then(|e| e.get(name));
                    // No argument in the call: the variable's default, a constant.
                    match expression {
                        Some(expression) => {
                            let mut inner = Vec::new();
                            collect_refs(expression, &mut inner);
                            if inner.is_empty() {
                                Self::constant(walk, out, &reference);
                            }
                            self.resolve_into(&parent, &inner, None, out, walk, depth + 1);
                        }
                        None => Self::constant(walk, out, &reference),
                    }
                }
                "module" => {
                    let (Some(call), Some(output)) = (steps.get(1), steps.get(2)) else {
                        out.unresolved.push(reference);
                        continue;
                    };
                    let config_path = without_keys(&child(module, &call.name));
                    let expression = self
                        .config
                        .modules
                        .get(&config_path)
                        .and_then(|m| m.outputs.get(&output.name));
                    let Some(expression) = expression else {
                        out.unresolved.push(reference);
                        continue;
                    };
                    let mut inner = Vec::new();
                    collect_refs(expression, &mut inner);
                    if inner.is_empty() {
                        Self::constant(walk, out, &reference);
                    }
                    let exact = child(module, &call.name);
                    let instances: Vec<String> = match &call.key {
                        Some(key) => vec![format!("{exact}[{key}]")],
                        None => self.instances.get(&config_path).map_or_else(
                            || vec![exact.clone()],
                            |set| set.iter().cloned().collect(),
                        ),
                    };
                    for instance in instances {
                        // Only the instances of this call from this module instance.
                        if instance == exact || instance.starts_with(&format!("{exact}[")) {
                            self.resolve_into(&instance, &inner, None, out, walk, depth + 1);
                        }
                    }
                }
                // A resource of this module. Without an instance key (`aws_subnet.a`, or
                // `aws_subnet.a[count.index]`, which Terraform records as `aws_subnet.a` and
                // `count.index`) it stands for every instance: a single-valued argument then names
                // none of them for sure, and stays unknown.
                _ => {
                    let (Some(tf_type), Some(name)) = (steps.first(), steps.get(1)) else {
                        out.unresolved.push(reference);
                        continue;
                    };
                    let prefix = if module.is_empty() {
                        String::new()
                    } else {
                        format!("{module}.")
                    };
                    let base = format!("{prefix}{}.{}", tf_type.name, name.name);
                    let attribute = steps.get(2).map(|s| s.name.clone());
                    let found: Vec<usize> = self
                        .by_base
                        .get(&base)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&i| match &name.key {
                            Some(key) => self.planned[i].address == format!("{base}[{key}]"),
                            None => true,
                        })
                        .collect();
                    if found.is_empty() {
                        out.unresolved.push(reference);
                    }
                    for index in found {
                        out.targets.insert(Target {
                            index,
                            attribute: attribute.clone(),
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_outside_instance_keys() {
        let parts = address_parts(r#"module.a["x.y"].module.b.aws_s3_bucket.logs["eu"]"#)
            .expect("an address");
        assert_eq!(parts.module, r#"module.a["x.y"].module.b"#);
        assert_eq!(parts.config_module, "module.a.module.b");
        assert_eq!(parts.tf_type, "aws_s3_bucket");
        assert_eq!(parts.base, r#"module.a["x.y"].module.b.aws_s3_bucket.logs"#);
        let root = address_parts("aws_subnet.private[0]").expect("an address");
        assert_eq!(root.module, "");
        assert_eq!(root.base, "aws_subnet.private");
        assert!(address_parts("module.a").is_none());
        assert!(address_parts("aws_subnet.a[0").is_none());
        assert_eq!(
            parent_module(r#"module.a.module.b["k"]"#),
            Some(("module.a".to_string(), "b".to_string()))
        );
    }

    #[test]
    fn a_resolution_past_its_budget_is_unknown() {
        let configuration = serde_json::json!({"root_module": {"module_calls": {"m": {
            "expressions": {"x": {"references": ["module.m.a", "module.m.b"]}},
            "module": {"outputs": {
                "a": {"expression": {"references": ["var.x"]}},
                "b": {"expression": {"references": ["var.x", "module.n.c"]}}},
                "module_calls": {"n": {"expressions": {}, "module": {"outputs": {
                    "c": {"expression": {"references": ["var.y"]}}}}}}}}}}});
        let mut resolver = Resolver::new(Config::new(Some(&configuration)), &[]);
        let refs = vec!["module.m.a".to_string()];
        // The cycle through `m` is followed once.
        let full = resolver.resolve("", &refs, None, false);
        assert!(full.targets.is_empty());
        assert!(full.unresolved.is_empty(), "{:?}", full.unresolved);
        assert_eq!(resolver.exhausted(), 0);
        resolver.budget = 3;
        let cut = resolver.resolve("", &refs, None, false);
        assert!(
            cut.unresolved.iter().any(|u| u.contains("budget")),
            "{:?}",
            cut.unresolved
        );
        assert_eq!(resolver.exhausted(), 1);
    }

    #[test]
    fn longer_references_refine_shorter_ones() {
        let refs = most_specific(vec![
            "aws_subnet.a.id".into(),
            "aws_subnet.a".into(),
            "aws_subnet.ab".into(),
            "aws_subnet.b[0]".into(),
            "aws_subnet.b".into(),
        ]);
        assert_eq!(
            refs,
            ["aws_subnet.a.id", "aws_subnet.ab", "aws_subnet.b[0]"]
        );
    }
}
