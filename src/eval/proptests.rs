//! Property tests: missing or mistyped data never decides a result.
//!
//! With the default `on-missing` (error) and without `exists` / `absent`, the evaluator is monotone
//! in Kleene's information order: taking information out of an item (deleting an object key at any
//! depth, nulling a value, replacing a scalar with a value no comparison accepts) keeps each
//! outcome or turns it into `error`. Pass never becomes fail or the reverse, and error never
//! becomes a decision (except when a retyped scalar becomes what a comparison wants: that adds
//! information).

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use serde_json::{Map, Value, json};

use super::*;
use crate::diagnostics::SourceFile;
use crate::inventory::{Coverage, SourceInfo};
use crate::policy::parse::parse_file;
use crate::policy::{Condition, OnMissing, Op, PathContext};

/// 256 cases per property (`PROPTEST_CASES=20000` searches deeper), shrinking on, and no
/// regression files written into the source tree: minimised failures are kept as plain tests.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

fn source() -> SourceInfo {
    SourceInfo::for_tests("111122223333", "eu-west-1")
}

/// A one-policy set over resource type `T` whose check is `check` (JSON, which is YAML flow).
fn policy_set(check: &str) -> PolicySet {
    let yaml = format!(
        "policies:\n  - id: p\n    title: t\n    severity: low\n    resource: T\n    check: {check}\n"
    );
    let file = SourceFile::new("prop.yaml", yaml);
    let (contents, diagnostics) = parse_file(&file);
    assert!(diagnostics.is_empty(), "{check}: {diagnostics:?}");
    PolicySet {
        policies: contents.policies,
        manual: contents.manual,
        files: vec![file],
    }
}

/// The status of the one policy in `set` on one resource whose whole document is `doc`.
fn status(set: &PolicySet, doc: &Value) -> Status {
    status_with_unknown(set, doc, Vec::new())
}

/// [`status`] with `unknown` paths known only after apply.
fn status_with_unknown(set: &PolicySet, doc: &Value, unknown: Vec<String>) -> Status {
    let item = ConfigurationItem {
        resource_type: "T".into(),
        resource_id: "r1".into(),
        account_id: "111122223333".into(),
        region: "eu-west-1".into(),
        resource_name: None,
        arn: None,
        doc: doc.clone(),
        unknown,
    };
    let inventory = Inventory::new(source(), vec![item], Vec::new(), Coverage::complete());
    let evaluation = evaluate(set, &inventory, &Options::default()).unwrap();
    assert_eq!(evaluation.findings.len(), 1);
    evaluation.findings[0].status
}

fn document(configuration: &Value) -> Value {
    json!({"resourceType": "T", "resourceId": "r1", "configuration": configuration})
}

/// Whether `after` is `before` with at most information lost: the same status, or `error`.
fn refines(before: Status, after: Status) -> bool {
    after == before || after == Status::Error
}

/// JSON with a space after `:` and `,`, so it reads as YAML flow style too.
fn flow(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), flow(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<String, Value>>(),
    )
}

/// JSON-pointer tokens need `~` and `/` escaped; the generated keys have neither.
fn pointer(parent: &str, token: &str) -> String {
    format!("{parent}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Every object key at or under `pointer` (as JSON pointers to the keyed value).
fn keys(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = pointer(at, k);
                out.push(child.clone());
                keys(v, &child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                keys(v, &pointer(at, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

/// Every non-null value at or under `at`, with its pointer.
fn nodes<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
    if !value.is_null() {
        out.push((at.to_string(), value));
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                nodes(v, &pointer(at, k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                nodes(v, &pointer(at, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn delete(doc: &Value, at: &str) -> Value {
    let mut doc = doc.clone();
    let (parent, token) = at.rsplit_once('/').unwrap();
    let key = token.replace("~1", "/").replace("~0", "~");
    let removed = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|m| m.shift_remove(&key));
    assert!(removed.is_some(), "no key at {at}");
    doc
}

fn replace(doc: &Value, at: &str, with: Value) -> Value {
    let mut doc = doc.clone();
    *doc.pointer_mut(at).unwrap() = with;
    doc
}

// ---------------------------------------------------------------------------------------------
// Property 1: generated conditions × generated documents

/// Where a generated condition is evaluated: the paths it may read there.
#[derive(Clone, Copy, Debug)]
enum Ctx {
    /// The whole item.
    Top,
    /// An element of `configuration.list`.
    Element,
    /// An element of an element's `sub` list.
    SubElement,
    /// An element of a list of scalars (`configuration.tags`).
    Scalar,
}

/// The type a field usually holds (the generated data strays from it now and then, and
/// comparisons mostly, not always, respect it), so that many conditions are decided.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Number,
    String,
    Boolean,
    /// A list of strings.
    Strings,
}

impl Ctx {
    /// Paths compared directly. Some cross arrays (`configuration.list.x`): every element's value
    /// is tested, and an element without the field is missing, not skipped.
    fn compared(self) -> &'static [(&'static str, Kind)] {
        match self {
            Ctx::Top => &[
                ("configuration.a", Kind::Number),
                ("configuration.b", Kind::String),
                ("configuration.obj.a", Kind::Boolean),
                ("configuration.obj.b", Kind::String),
                ("configuration.list.x", Kind::Number),
                ("configuration.list.y", Kind::String),
                ("configuration.list.sub.x", Kind::Number),
                ("configuration.tags", Kind::Strings),
            ],
            Ctx::Element => &[
                ("x", Kind::Number),
                ("y", Kind::String),
                ("sub.x", Kind::Number),
            ],
            Ctx::SubElement => &[("x", Kind::Number), ("y", Kind::String)],
            Ctx::Scalar => &[("@", Kind::String)],
        }
    }

    /// Paths an element quantifier may range over, and where its inner condition is evaluated.
    /// `configuration.list.sub` crosses an array; `configuration.a` and `x` are lists only when
    /// the data strays.
    fn lists(self) -> &'static [(&'static str, Ctx)] {
        match self {
            Ctx::Top => &[
                ("configuration.list", Ctx::Element),
                ("configuration.list.sub", Ctx::SubElement),
                ("configuration.tags", Ctx::Scalar),
                ("configuration.a", Ctx::Scalar),
            ],
            Ctx::Element => &[("sub", Ctx::SubElement), ("x", Ctx::Scalar)],
            Ctx::SubElement | Ctx::Scalar => &[],
        }
    }
}

const STRINGS: &[&str] = &["s0", "s1", "s2", "s12", ""];
const REGEXES: &[&str] = &["^s[01]$", "1", "^$", "s", "^s1"];

fn number() -> BoxedStrategy<Value> {
    prop_oneof![4 => (0..3i64).prop_map(Value::from), 1 => Just(json!(1.5))].boxed()
}

fn string() -> BoxedStrategy<Value> {
    select(STRINGS).prop_map(Value::from).boxed()
}

fn boolean() -> BoxedStrategy<Value> {
    any::<bool>().prop_map(Value::from).boxed()
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![number(), string(), boolean()].boxed()
}

fn strings() -> BoxedStrategy<Value> {
    prop::collection::vec(string(), 0..4)
        .prop_map(Value::Array)
        .boxed()
}

/// A literal operand of `kind`'s type (a string for a list of strings). Never `null`:
/// `equals: null` is a presence test in disguise.
fn literal(kind: Kind) -> BoxedStrategy<Value> {
    match kind {
        Kind::Number => number(),
        Kind::String | Kind::Strings => string(),
        Kind::Boolean => boolean(),
    }
}

/// An `in` / `not-in` list of one type (a mixed list accepts two types, a different question).
fn homogeneous_list(kind: Kind) -> BoxedStrategy<Value> {
    prop::collection::vec(literal(kind), 0..3)
        .prop_map(Value::Array)
        .boxed()
}

/// One operator and its operand, meant for `kind`: no `exists`, `absent` or `on-missing`.
/// `contains` only when asked: see `contains_over_a_list_with_a_null_element_is_unknown`.
fn typed_operator(kind: Kind, contains: bool) -> BoxedStrategy<(&'static str, Value)> {
    let mut options = vec![
        literal(kind).prop_map(|v| ("equals", v)).boxed(),
        literal(kind).prop_map(|v| ("not-equals", v)).boxed(),
        homogeneous_list(kind).prop_map(|v| ("in", v)).boxed(),
        homogeneous_list(kind).prop_map(|v| ("not-in", v)).boxed(),
    ];
    match kind {
        Kind::Number => options.push((select(&["gt", "gte", "lt", "lte"][..]), number()).boxed()),
        Kind::String => options.push(select(REGEXES).prop_map(|r| ("matches", json!(r))).boxed()),
        Kind::Boolean | Kind::Strings => {}
    }
    if contains && matches!(kind, Kind::String | Kind::Strings) {
        options.push(string().prop_map(|v| ("contains", v)).boxed());
    }
    Union::new(options).boxed()
}

/// Mostly an operator meant for `kind`, sometimes one for another type (a type error).
fn operator(kind: Kind, contains: bool) -> BoxedStrategy<(&'static str, Value)> {
    const KINDS: &[Kind] = &[Kind::Number, Kind::String, Kind::Boolean, Kind::Strings];
    prop_oneof![
        5 => typed_operator(kind, contains),
        1 => select(KINDS).prop_flat_map(move |k| typed_operator(k, contains)),
    ]
    .boxed()
}

fn comparison(paths: &'static [(&'static str, Kind)], contains: bool) -> BoxedStrategy<Value> {
    select(paths)
        .prop_flat_map(move |(path, kind)| (Just(path), operator(kind, contains)))
        .prop_map(|(path, (op, operand))| object(vec![("path", json!(path)), (op, operand)]))
        .boxed()
}

/// A condition tree of at most `depth` levels of combinators and element quantifiers.
fn condition(ctx: Ctx, depth: u32, contains: bool) -> BoxedStrategy<Value> {
    let leaf = comparison(ctx.compared(), contains);
    if depth == 0 {
        return leaf;
    }
    let sub = || condition(ctx, depth - 1, contains);
    let some = || prop::collection::vec(sub(), 1..=3).prop_map(Value::Array);
    let mut options: Vec<(u32, BoxedStrategy<Value>)> = vec![
        (4, leaf),
        (1, some().prop_map(|v| json!({"all": v})).boxed()),
        (1, some().prop_map(|v| json!({"any": v})).boxed()),
        (1, some().prop_map(|v| json!({"none": v})).boxed()),
        (1, sub().prop_map(|c| json!({"not": c})).boxed()),
    ];
    for &(path, inner) in ctx.lists() {
        let quantified = (
            select(&["any", "all", "none"][..]),
            condition(inner, depth - 1, contains),
        )
            .prop_map(move |(q, c)| object(vec![("path", json!(path)), (q, c)]));
        options.push((2, quantified.boxed()));
    }
    Union::new_weighted(options).boxed()
}

/// An object with each of `fields` present nine times in ten.
fn record(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
    let (names, values): (Vec<&'static str>, Vec<_>) = fields
        .into_iter()
        .map(|(name, strategy)| (name, prop::option::weighted(0.9, strategy)))
        .unzip();
    values
        .prop_map(move |values| {
            object(
                names
                    .iter()
                    .zip(values)
                    .filter_map(|(name, value)| value.map(|v| (*name, v)))
                    .collect(),
            )
        })
        .boxed()
}

/// A field's value: mostly of `kind`, sometimes another scalar, a list of scalars, or `null`.
fn field(kind: Kind) -> BoxedStrategy<Value> {
    let typed = match kind {
        Kind::Strings => strings(),
        other => literal(other),
    };
    prop_oneof![
        16 => typed,
        2 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::Array),
        1 => Just(Value::Null),
    ]
    .boxed()
}

fn sub_element() -> BoxedStrategy<Value> {
    prop_oneof![
        12 => record(vec![("x", field(Kind::Number)), ("y", field(Kind::String))]),
        1 => scalar(),
    ]
    .boxed()
}

fn element() -> BoxedStrategy<Value> {
    let sub = prop::collection::vec(sub_element(), 0..3)
        .prop_map(Value::Array)
        .boxed();
    prop_oneof![
        12 => record(vec![
            ("x", field(Kind::Number)),
            ("y", field(Kind::String)),
            ("sub", sub),
        ]),
        1 => scalar(),
    ]
    .boxed()
}

fn configuration() -> BoxedStrategy<Value> {
    let obj = record(vec![
        ("a", field(Kind::Boolean)),
        ("b", field(Kind::String)),
    ]);
    record(vec![
        ("a", field(Kind::Number)),
        ("b", field(Kind::String)),
        ("obj", prop_oneof![8 => obj, 1 => scalar()].boxed()),
        (
            "list",
            prop_oneof![
                8 => prop::collection::vec(element(), 0..4).prop_map(Value::Array),
                1 => scalar(),
            ]
            .boxed(),
        ),
        ("tags", field(Kind::Strings)),
    ])
}

/// A way of taking information out of a document, and how strictly the outcome must follow.
#[derive(Debug)]
struct Mutation {
    what: String,
    doc: Value,
    /// True: the outcome stays or becomes `error`. False (a scalar retyped to another scalar
    /// type): the new value may be what a comparison wants where the old one was a type error,
    /// so an `error` may become a decision; a decision still only stays or becomes `error`.
    strict: bool,
}

/// Every single mutation of `doc` under `/configuration`: each key deleted; each value nulled
/// (`null` counts as missing everywhere, so this reaches list elements without removing them);
/// each scalar replaced by `{}` (which no comparison accepts) and by each other scalar type. Not
/// by a list: `contains` reads a string and a list differently, so that changes the data.
fn mutations(doc: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    let mut found = Vec::new();
    keys(doc, "", &mut found);
    for at in found
        .into_iter()
        .filter(|p| p.starts_with("/configuration"))
    {
        out.push(Mutation {
            what: format!("delete {at}"),
            doc: delete(doc, &at),
            strict: true,
        });
    }
    let mut found = Vec::new();
    nodes(&doc["configuration"], "/configuration", &mut found);
    for (at, value) in found {
        let mut with = vec![(Value::Null, true)];
        if !(value.is_array() || value.is_object()) {
            with.push((json!({}), true));
            for other in [json!(true), json!(1), json!("s1")] {
                if std::mem::discriminant(&other) != std::mem::discriminant(value) {
                    with.push((other, false));
                }
            }
        }
        for (new, strict) in with {
            out.push(Mutation {
                what: format!("replace {at} ({value}) with {new}"),
                doc: replace(doc, &at, new),
                strict,
            });
        }
    }
    out
}

/// Checks every mutation of `configuration` against `check`; the first violation, if any.
fn monotone_under_mutation(check: &Value, configuration: &Value) -> Result<(), String> {
    let text = flow(check);
    let set = policy_set(&text);
    let doc = document(configuration);
    let before = status(&set, &doc);
    for m in mutations(&doc) {
        let after = status(&set, &m.doc);
        let ok = refines(before, after) || (!m.strict && before == Status::Error);
        if !ok {
            return Err(format!(
                "check: {text}\nconfiguration: {}\n{}: {} -> {}\nmutated: {}",
                flow(configuration),
                m.what,
                before.as_str(),
                after.as_str(),
                flow(&m.doc["configuration"]),
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Property 1: any generated condition, any generated document, any single deletion or
    /// retyping: the outcome stays or becomes `error`. `contains` is exercised by the twin below.
    #[test]
    fn removing_information_only_ever_gives_error(
        check in condition(Ctx::Top, 3, false),
        configuration in configuration(),
    ) {
        if let Err(message) = monotone_under_mutation(&check, &configuration) {
            prop_assert!(false, "{}", message);
        }
    }

    /// Property 1 with `contains` as well.
    #[test]
    fn removing_information_only_ever_gives_error_with_contains(
        check in condition(Ctx::Top, 3, true),
        configuration in configuration(),
    ) {
        if let Err(message) = monotone_under_mutation(&check, &configuration) {
            prop_assert!(false, "{}", message);
        }
    }
}

/// Every property path of `value` under `prefix` (list elements share their list's path).
fn property_paths(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = format!("{prefix}.{key}");
                property_paths(&path, inner, out);
                out.push(path);
            }
        }
        Value::Array(items) => {
            for inner in items {
                property_paths(prefix, inner, out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(config())]

    /// Property 1 for plans: marking any one property (or the whole configuration) as known only
    /// after apply leaves the outcome as it was or makes it `error`, never another verdict.
    #[test]
    fn a_value_known_only_after_apply_only_ever_gives_error(
        check in condition(Ctx::Top, 3, true),
        configuration in configuration(),
    ) {
        let text = flow(&check);
        let set = policy_set(&text);
        let doc = document(&configuration);
        let before = status(&set, &doc);
        let mut paths = vec!["configuration".to_string()];
        property_paths("configuration", &configuration, &mut paths);
        paths.sort();
        paths.dedup();
        for path in paths {
            let after = status_with_unknown(&set, &doc, vec![path.clone()]);
            prop_assert!(
                refines(before, after),
                "check: {}\nconfiguration: {}\n{} unknown: {} -> {}",
                text, flow(&configuration), path, before.as_str(), after.as_str()
            );
        }
    }
}

/// Minimised from `removing_information_only_ever_gives_error_with_contains`: `contains` on a list
/// once took a null or mistyped element as "not equal", so a list whose only candidate is unknown
/// decided `fail`, and `not` made that a `pass`. Like the element quantifier saying the same thing
/// (`any: {path: '@', equals: s1}`), it gives `error` now.
#[test]
fn contains_over_a_list_with_a_null_element_is_unknown() {
    let contains = policy_set(r#"{"path": "configuration.tags", "contains": "s1"}"#);
    let negated = policy_set(r#"{"not": {"path": "configuration.tags", "contains": "s1"}}"#);
    let quantified =
        policy_set(r#"{"path": "configuration.tags", "any": {"path": "@", "equals": "s1"}}"#);
    let known = document(&json!({"tags": ["s1"]}));
    let nulled = document(&json!({"tags": [null]}));
    let retyped = document(&json!({"tags": [1]}));
    assert_eq!(status(&contains, &known), Status::Pass);
    assert_eq!(status(&negated, &known), Status::Fail);
    assert_eq!(status(&quantified, &nulled), Status::Error);
    assert_eq!(status(&contains, &nulled), Status::Error);
    assert_eq!(status(&negated, &nulled), Status::Error);
    assert_eq!(status(&contains, &retyped), Status::Error);
}

// ---------------------------------------------------------------------------------------------
// Property 2: a missing field never passes a negation

/// A condition on `path` only: a comparison, its negation, or two of them combined.
fn reading(path: &'static str) -> BoxedStrategy<Value> {
    let paths: &'static [(&'static str, Kind)] = match path {
        "x" => &[("x", Kind::Number)],
        _ => &[("configuration.list.x", Kind::Number)],
    };
    let cmp = || comparison(paths, true);
    prop_oneof![
        3 => cmp(),
        1 => cmp().prop_map(|c| json!({"not": c})),
        1 => (cmp(), cmp()).prop_map(|(a, b)| json!({"any": [a, b]})),
        1 => (cmp(), cmp()).prop_map(|(a, b)| json!({"all": [a, b]})),
    ]
    .boxed()
}

/// Negations over a list whose elements' `x` is read: `none` (element quantifier and
/// combinator), `not`, and both around `any` / `all`.
fn negation() -> BoxedStrategy<Value> {
    let on_element = || reading("x");
    let flat = || reading("configuration.list.x");
    prop_oneof![
        on_element().prop_map(|c| json!({"path": "configuration.list", "none": c})),
        flat().prop_map(|c| json!({"not": c})),
        flat().prop_map(|c| json!({"none": [c]})),
        on_element().prop_map(|c| json!({"not": {"path": "configuration.list", "any": c}})),
        on_element().prop_map(|c| json!({"not": {"path": "configuration.list", "all": c}})),
        on_element().prop_map(|c| json!({"path": "configuration.list", "all": {"not": c}})),
        on_element().prop_map(|c| json!({"path": "configuration.list", "any": {"not": c}})),
    ]
    .boxed()
}

fn list_of(elements: Vec<Value>) -> Value {
    document(&json!({"list": elements}))
}

proptest! {
    #![proptest_config(config())]

    /// Property 2: removing the inner field from some elements never turns a fail into a pass
    /// (nor a pass into a fail), and removing it from every element gives `error`.
    #[test]
    fn a_missing_field_never_passes_a_negation(
        check in negation(),
        elements in prop::collection::vec((field(Kind::Number), scalar(), any::<bool>()), 1..5),
    ) {
        let text = flow(&check);
        let set = policy_set(&text);
        let full: Vec<Value> = elements
            .iter()
            .map(|(x, y, _)| json!({"x": x, "y": y}))
            .collect();
        let some: Vec<Value> = elements
            .iter()
            .map(|(x, y, keep)| if *keep { json!({"x": x, "y": y}) } else { json!({"y": y}) })
            .collect();
        let none: Vec<Value> = elements.iter().map(|(_, y, _)| json!({"y": y})).collect();
        let with_all = status(&set, &list_of(full.clone()));
        let with_some = status(&set, &list_of(some.clone()));
        let with_none = status(&set, &list_of(none.clone()));
        let shown = |l: &[Value]| flow(&Value::Array(l.to_vec()));
        prop_assert!(
            refines(with_all, with_some),
            "check: {}\nlist: {} -> {}\nsome x removed: {} -> {}",
            text, shown(&full), with_all.as_str(), shown(&some), with_some.as_str()
        );
        prop_assert_eq!(
            with_none,
            Status::Error,
            "check: {}\nevery x removed: {}",
            text,
            shown(&none)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Property 3: the built-in policies on the fixtures

/// A path some policy reads with `exists` / `absent` / an explicit `on-missing`, where missing
/// data is meant to decide: (policy, resource type the path belongs to, full path).
type Exempt = (String, String, String);

/// The paths each policy tests for presence.
fn presence_tests(set: &PolicySet) -> Vec<Exempt> {
    fn walk(condition: &Condition, ctx: &PathContext, policy: &str, out: &mut Vec<Exempt>) {
        let mut add = |ctx: &PathContext, path: &str| {
            out.push((
                policy.to_string(),
                ctx.resource_type.to_string(),
                ctx.full_path(path),
            ));
        };
        match condition {
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|c| walk(c, ctx, policy, out));
            }
            Condition::Not(not) => walk(&not.condition, ctx, policy, out),
            Condition::Compare(cmp) => {
                if matches!(cmp.op, Op::Exists | Op::Absent) || cmp.on_missing != OnMissing::Error {
                    add(ctx, &cmp.path.value);
                }
            }
            Condition::Elements(el) => {
                if el.on_missing != OnMissing::Error {
                    add(ctx, &el.path.value);
                }
                let inner = PathContext {
                    resource_type: ctx.resource_type,
                    prefix: format!("{}.", ctx.full_path(&el.path.value)),
                };
                walk(&el.condition, &inner, policy, out);
            }
            Condition::Related(rel) => {
                if rel.on_missing != OnMissing::Error {
                    add(ctx, &rel.link.from.value);
                }
                let target = PathContext {
                    resource_type: &rel.link.resource_type.value,
                    prefix: String::new(),
                };
                if let Some(filter) = rel.link.fallback.as_ref().and_then(|f| f.filter.as_ref()) {
                    walk(filter, &target, policy, out);
                }
                walk(&rel.condition, &target, policy, out);
            }
        }
    }
    let mut out = Vec::new();
    for policy in &set.policies {
        let root = PathContext {
            resource_type: &policy.resource_type.value,
            prefix: String::new(),
        };
        for c in policy.scope.iter().chain(std::iter::once(&policy.check)) {
            walk(c, &root, &policy.id.value, &mut out);
        }
    }
    out
}

/// A JSON pointer as a property path without array indices: `/configuration/routes/1/gatewayId`
/// is `configuration.routes.gatewayId`.
fn property_path(at: &str) -> String {
    at.split('/')
        .skip(1)
        .filter(|t| t.parse::<usize>().is_err())
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether deleting `path` of a `resource_type` item may legitimately decide `policy`: the
/// policy tests that path (or one under it) for presence.
fn exempt(exempts: &[Exempt], policy: &str, resource_type: &str, path: &str) -> bool {
    exempts.iter().any(|(p, t, e)| {
        p == policy
            && (t == resource_type || t == crate::resource_schema::ANY_TYPE)
            && (e == path || e.strip_prefix(path).is_some_and(|r| r.starts_with('.')))
    })
}

fn findings(set: &PolicySet, inventory: &Inventory) -> Vec<Finding> {
    evaluate(set, inventory, &Options::default())
        .unwrap()
        .findings
}

/// Deletes every key under each item's `configuration` / `supplementaryConfiguration` in turn
/// and re-evaluates every built-in policy; returns the violations found in `fixture`.
fn builtin_violations(fixture: &str) -> Vec<String> {
    let (set, diagnostics) = crate::policy::load::builtin();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let exempts = presence_tests(&set);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    let bytes = std::fs::read(&path).unwrap();
    let loaded = crate::inventory::parse_snapshot(fixture, &bytes).unwrap();
    let base = loaded.inventory;
    let baseline = findings(&set, &base);
    let key = |f: &Finding| {
        (
            f.policy_id.clone(),
            f.resource_type.clone(),
            f.resource_id.clone(),
            f.account_id.clone(),
            f.region.clone(),
        )
    };
    let mut violations = Vec::new();
    let mut deletions = 0;
    for (i, item) in base.items.iter().enumerate() {
        let mut found = Vec::new();
        keys(&item.doc, "", &mut found);
        let found = found.into_iter().filter(|p| {
            p.starts_with("/configuration/") || p.starts_with("/supplementaryConfiguration/")
        });
        for at in found {
            deletions += 1;
            let mut items = base.items.clone();
            items[i].doc = delete(&item.doc, &at);
            let mutated = Inventory::new(
                base.source.clone(),
                items,
                base.collection_errors.clone(),
                base.coverage.clone(),
            );
            let after = findings(&set, &mutated);
            assert_eq!(baseline.len(), after.len());
            let path = property_path(&at);
            for (b, a) in baseline.iter().zip(&after) {
                assert_eq!(key(b), key(a));
                if refines(b.status, a.status)
                    || exempt(&exempts, &b.policy_id, &item.resource_type, &path)
                {
                    continue;
                }
                violations.push(format!(
                    "{fixture}: deleting {at} from {} {}: {} on {} {}: {} -> {} ({})",
                    item.resource_type,
                    item.resource_id,
                    b.policy_id,
                    b.resource_type,
                    b.resource_id,
                    b.status.as_str(),
                    a.status.as_str(),
                    a.message,
                ));
            }
        }
    }
    assert!(
        deletions > 100,
        "{fixture}: only {deletions} keys to delete"
    );
    violations
}

/// Property 3, exhaustively: for every built-in policy and every item of both fixtures, deleting
/// any one key of its configuration keeps every finding's status (of every policy on every
/// resource, related ones included) or makes it `error`, except where the policy tests that
/// path's presence. `related` lookup keys included.
#[test]
fn builtin_policies_never_decide_on_less_data() {
    let mut violations = builtin_violations("fixtures/compliant.snapshot.json");
    violations.extend(builtin_violations("fixtures/noncompliant.snapshot.json"));
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// Minimised from `builtin_policies_never_decide_on_less_data` with `related` lookup keys, on the
/// built-in `rds-private-network`: a route table whose association lacks `subnetId` was left out
/// of the relation index, so the subnet seemed to have no explicit route table and the fallback
/// picked the VPC's (private) main route table, turning the database's `fail` into a `pass`. A
/// candidate with such a gap now keeps the fallback from applying.
#[test]
fn related_lookup_skips_a_resource_missing_its_key() {
    let (mut set, _) = crate::policy::load::builtin();
    set.policies.retain(|p| p.id.value == "rds-private-network");
    assert_eq!(set.policies.len(), 1);
    let item = |resource_type: &str, id: &str, configuration: Value| ConfigurationItem {
        resource_type: resource_type.into(),
        resource_id: id.into(),
        account_id: "111122223333".into(),
        region: "eu-west-1".into(),
        resource_name: None,
        arn: None,
        doc: json!({"resourceType": resource_type, "resourceId": id, "configuration": configuration}),
        unknown: Vec::new(),
    };
    let items = |association: Value| {
        vec![
            item(
                "AWS::RDS::DBInstance",
                "db",
                json!({"publiclyAccessible": false,
                       "dBSubnetGroup": {"subnets": [{"subnetIdentifier": "subnet-a"}]}}),
            ),
            item("AWS::EC2::Subnet", "subnet-a", json!({"vpcId": "vpc-1"})),
            item(
                "AWS::EC2::RouteTable",
                "rtb-public",
                json!({"vpcId": "vpc-1",
                       "routes": [{"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}],
                       "associations": [association]}),
            ),
            item(
                "AWS::EC2::RouteTable",
                "rtb-main",
                json!({"vpcId": "vpc-1",
                       "routes": [{"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local"}],
                       "associations": [{"main": true}]}),
            ),
        ]
    };
    let db = |association: Value| {
        let inventory = Inventory::new(
            source(),
            items(association),
            Vec::new(),
            Coverage::complete(),
        );
        findings(&set, &inventory)[0].status
    };
    assert_eq!(
        db(json!({"subnetId": "subnet-a", "main": false})),
        Status::Fail
    );
    assert_eq!(db(json!({"main": false})), Status::Error);
}

#[test]
fn helpers_find_every_key_and_strip_indices() {
    let doc = json!({"configuration": {"l": [{"x": 1}, {"y": {"z": 2}}], "a/b": 3}});
    let mut found = Vec::new();
    keys(&doc, "", &mut found);
    assert_eq!(
        found,
        [
            "/configuration",
            "/configuration/l",
            "/configuration/l/0/x",
            "/configuration/l/1/y",
            "/configuration/l/1/y/z",
            "/configuration/a~1b",
        ]
    );
    assert_eq!(
        property_path("/configuration/l/1/y/z"),
        "configuration.l.y.z"
    );
    assert_eq!(
        delete(&doc, "/configuration/l/1/y")["configuration"]["l"][1],
        json!({})
    );
    let (set, _) = crate::policy::load::builtin();
    let without = presence_tests(&set);
    let lookup_key = (
        "rds-private-network".to_string(),
        "AWS::EC2::RouteTable".to_string(),
        "configuration.associations.subnetId".to_string(),
    );
    assert!(!without.contains(&lookup_key));
    assert!(without.contains(&(
        "rds-private-network".to_string(),
        "AWS::EC2::RouteTable".to_string(),
        "configuration.routes.gatewayId".to_string(),
    )));
    let exempts = vec![(
        "p".to_string(),
        "T".to_string(),
        "configuration.l.y.z".to_string(),
    )];
    assert!(exempt(&exempts, "p", "T", "configuration.l.y"));
    assert!(exempt(&exempts, "p", "T", "configuration.l.y.z"));
    assert!(!exempt(&exempts, "p", "T", "configuration.l.x"));
    assert!(!exempt(&exempts, "q", "T", "configuration.l.y"));
}
