//! Policy unit tests (`attestor test`), in the spirit of cfn-guard's `test`: YAML files named
//! `*.test.yaml` beside the policies, each case giving input resources (or a snapshot) and the
//! status each policy must produce.
//!
//! ```yaml
//! tests:
//!   - name: unencrypted instance fails
//!     as-of: 2026-11-01T00:00:00Z          # optional: the evaluation time
//!     parameters: {rds-backup-retention: {min_days: 14}}   # optional overrides
//!     resources:                           # configuration items (accountId / awsRegion default)
//!       - {resourceType: AWS::RDS::DBInstance, resourceId: db-1, configuration: {storageEncrypted: false}}
//!     collection-errors:                   # optional: simulate what a live scan could not read
//!       - {service: rds, region: us-east-1, operation: DescribeDBInstances,
//!          iamAction: rds:DescribeDBInstances, errorCode: AccessDenied, message: denied,
//!          resourceTypes: [AWS::RDS::DBInstance]}
//!     expect:
//!       rds-storage-encrypted: fail        # every applicable result of the policy has this status
//!       rds-multi-az: {db-1: error}        # or per resource
//!   - name: the broken fixture fails exactly these policies
//!     snapshot: ../fixtures/broken.snapshot.json   # relative to this file
//!     failing: [rds-storage-encrypted, rds-multi-az]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, SourceFile, Span};
use crate::eval::{self, Finding, Overrides, Status};
use crate::inventory::{self, Inventory, SourceInfo, SourceKind};
use crate::policy::decode::Decoder;
use crate::policy::yaml::{Node, NodeKind};
use crate::policy::{PolicySet, Spanned};

pub const TEST_FILE_KEYS: &[&str] = &["tests"];
pub const CASE_KEYS: &[&str] = &[
    "name",
    "as-of",
    "parameters",
    "resources",
    "collection-errors",
    "snapshot",
    "expect",
    "failing",
];

/// Accounts and regions filled into test resources that do not name one.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Debug)]
pub struct TestFile {
    pub file: Arc<SourceFile>,
    pub cases: Vec<TestCase>,
}

#[derive(Debug)]
pub struct TestCase {
    pub name: String,
    pub span: Span,
    pub as_of: Option<jiff::Timestamp>,
    pub overrides: Overrides,
    pub input: Input,
    pub expect: Vec<Expectation>,
    /// When given: exactly these policies have at least one `fail`.
    pub failing: Option<Vec<Spanned<String>>>,
}

#[derive(Debug)]
pub enum Input {
    /// Configuration items, and collection failures to simulate (as a live scan would record them).
    Resources(
        Vec<inventory::ConfigurationItem>,
        Vec<inventory::CollectionError>,
    ),
    Snapshot(PathBuf),
}

#[derive(Debug)]
pub struct Expectation {
    pub policy: Spanned<String>,
    /// `None`: every result of the policy.
    pub resource: Option<String>,
    pub status: Status,
}

pub fn is_test_file(path: &Path) -> bool {
    crate::policy::load::is_policy_test_file(path)
}

/// Parses one test file, reporting every problem with its location.
pub fn parse(file: &Arc<SourceFile>) -> (Option<TestFile>, Vec<Diagnostic>) {
    let mut decoder = Decoder::new(file);
    let root = match crate::policy::decode::parse_yaml(file) {
        Ok(root) => root,
        Err(diag) => return (None, vec![diag]),
    };
    let cases = decoder.test_file(&root);
    let ok = !crate::diagnostics::has_errors(&decoder.diagnostics);
    let test_file = ok.then(|| TestFile {
        file: file.clone(),
        cases,
    });
    (test_file, decoder.diagnostics)
}

const STATUSES: &[(&str, Status)] = &[
    ("pass", Status::Pass),
    ("fail", Status::Fail),
    ("error", Status::Error),
    ("not_applicable", Status::NotApplicable),
    ("waived", Status::Waived),
];

impl Decoder<'_> {
    fn test_file(&mut self, root: &Node) -> Vec<TestCase> {
        let Some(fields) = self.fields(root, "the test file", TEST_FILE_KEYS) else {
            return Vec::new();
        };
        let Some(list) = self.required(&fields, "tests", "the test file") else {
            return Vec::new();
        };
        let NodeKind::Seq(items) = &list.kind else {
            self.wrong_type(list, "`tests`", "a list of test cases");
            return Vec::new();
        };
        items.iter().filter_map(|n| self.test_case(n)).collect()
    }

    fn test_case(&mut self, node: &Node) -> Option<TestCase> {
        let fields = self.fields(node, "a test case", CASE_KEYS)?;
        let name = self
            .required(&fields, "name", "a test case")
            .and_then(|n| self.string(n, "`name`"))?;
        let as_of = match fields.get("as-of") {
            None => None,
            Some(n) => {
                let text = self.string(n, "`as-of`")?;
                match text.value.parse::<jiff::Timestamp>() {
                    Ok(t) => Some(t),
                    Err(e) => {
                        self.error(
                            Code::InvalidValue,
                            n.span,
                            format!("`as-of` is not an RFC 3339 time: {e}"),
                        );
                        return None;
                    }
                }
            }
        };
        let input = match (fields.get("resources"), fields.get("snapshot")) {
            (Some(n), None) => {
                let errors = match fields.get("collection-errors") {
                    Some(e) => self.collection_errors(e)?,
                    None => Vec::new(),
                };
                Input::Resources(self.resources(n)?, errors)
            }
            (None, Some(n)) => {
                let path = self.string(n, "`snapshot`")?;
                let base = Path::new(&self.file.name)
                    .parent()
                    .unwrap_or(Path::new("."));
                Input::Snapshot(base.join(path.value))
            }
            _ => {
                self.error(
                    Code::MissingKey,
                    fields.head(),
                    "a test case needs exactly one of `resources` or `snapshot`",
                );
                return None;
            }
        };
        let overrides = match fields.get("parameters") {
            Some(n) => self.overrides(n)?,
            None => Overrides::new(),
        };
        let expect = match fields.get("expect") {
            Some(n) => self.expectations(n)?,
            None => Vec::new(),
        };
        let failing = match fields.get("failing") {
            Some(n) => {
                let NodeKind::Seq(items) = &n.kind else {
                    self.wrong_type(n, "`failing`", "a list of policy IDs");
                    return None;
                };
                Some(
                    items
                        .iter()
                        .filter_map(|i| self.string(i, "a policy ID"))
                        .collect(),
                )
            }
            None => None,
        };
        if expect.is_empty() && failing.is_none() {
            self.error(
                Code::MissingKey,
                fields.head(),
                "a test case needs `expect` or `failing`",
            );
            return None;
        }
        Some(TestCase {
            name: name.value,
            span: name.span,
            as_of,
            overrides,
            input,
            expect,
            failing,
        })
    }

    fn resources(&mut self, node: &Node) -> Option<Vec<inventory::ConfigurationItem>> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_type(node, "`resources`", "a list of configuration items");
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let mut json = item.to_json();
            let Some(map) = json.as_object_mut() else {
                self.wrong_type(item, "a resource", "a mapping (a configuration item)");
                continue;
            };
            map.entry("accountId")
                .or_insert_with(|| DEFAULT_ACCOUNT.into());
            map.entry("awsRegion")
                .or_insert_with(|| DEFAULT_REGION.into());
            let parsed = inventory::item_from_value(json);
            match parsed {
                Ok(ci) => out.push(ci),
                Err(e) => {
                    self.error(
                        Code::InvalidValue,
                        item.span,
                        format!("not a configuration item: {e}"),
                    );
                }
            }
        }
        Some(out)
    }

    fn collection_errors(&mut self, node: &Node) -> Option<Vec<inventory::CollectionError>> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_type(node, "`collection-errors`", "a list of collection errors");
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let mut json = item.to_json();
            if let Some(map) = json.as_object_mut() {
                map.entry("accountId")
                    .or_insert_with(|| DEFAULT_ACCOUNT.into());
            }
            match serde_json::from_value::<inventory::CollectionError>(json) {
                Ok(e) => out.push(e),
                Err(e) => {
                    self.error(
                        Code::InvalidValue,
                        item.span,
                        format!("not a collection error: {e}"),
                    );
                }
            }
        }
        Some(out)
    }

    fn overrides(&mut self, node: &Node) -> Option<Overrides> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(
                node,
                "`parameters`",
                "a mapping of policy IDs to parameter values",
            );
            return None;
        };
        let mut overrides = Overrides::new();
        for (key, value) in entries {
            let policy = self.string(key, "a policy ID")?;
            let NodeKind::Map(params) = &value.kind else {
                self.wrong_type(
                    value,
                    "parameter values",
                    "a mapping of parameter names to values",
                );
                return None;
            };
            let slot = overrides.entry(policy.value).or_default();
            for (name, v) in params {
                let name = self.string(name, "a parameter name")?;
                slot.insert(name.value, v.to_json());
            }
        }
        Some(overrides)
    }

    fn expectations(&mut self, node: &Node) -> Option<Vec<Expectation>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, "`expect`", "a mapping of policy IDs to statuses");
            return None;
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let policy = self.string(key, "a policy ID")?;
            if let NodeKind::Map(per_resource) = &value.kind {
                for (resource, status) in per_resource {
                    let resource = self.string(resource, "a resource ID")?;
                    let status = self.enum_value(status, "status", STATUSES)?;
                    out.push(Expectation {
                        policy: policy.clone(),
                        resource: Some(resource.value),
                        status,
                    });
                }
            } else {
                let status = self.enum_value(value, "status", STATUSES)?;
                out.push(Expectation {
                    policy,
                    resource: None,
                    status,
                });
            }
        }
        Some(out)
    }
}

/// The outcome of one test case.
#[derive(Debug)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    pub line: usize,
    /// Empty when the case passed.
    pub mismatches: Vec<String>,
}

/// Runs every case of `test` against `set`. Problems that stop a case from running at all (an
/// unknown policy ID, an unreadable snapshot, a bad parameter) are diagnostics.
pub fn run(test: &TestFile, set: &PolicySet) -> (Vec<CaseResult>, Vec<Diagnostic>) {
    let mut results = Vec::new();
    let mut diagnostics = Vec::new();
    let known: BTreeSet<&str> = set.policies.iter().map(|p| p.id.value.as_str()).collect();
    for case in &test.cases {
        let named = case
            .expect
            .iter()
            .map(|e| &e.policy)
            .chain(case.failing.iter().flatten());
        let mut unknown = false;
        for id in named {
            if !known.contains(id.value.as_str()) {
                unknown = true;
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownPolicy,
                        format!("no policy `{}` in the policies under test", id.value),
                    )
                    .at(&test.file, id.span)
                    .with_help_opt(crate::diagnostics::did_you_mean(
                        &id.value,
                        known.iter().copied(),
                    )),
                );
            }
        }
        if unknown {
            continue;
        }
        let inventory = match &case.input {
            Input::Resources(items, errors) => inline_inventory(items.clone(), errors.clone()),
            Input::Snapshot(path) => match inventory::load_snapshot(path) {
                Ok(loaded) => loaded.inventory,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            },
        };
        let options = eval::Options {
            as_of: case.as_of,
            overrides: case.overrides.clone(),
            // A test's expectations may name any result's evidence.
            evidence: eval::EvidenceDetail::All,
            ..Default::default()
        };
        let findings = match eval::evaluate(set, &inventory, &options) {
            Ok(evaluation) => evaluation.findings,
            Err(mut errors) => {
                diagnostics.append(&mut errors);
                continue;
            }
        };
        results.push(CaseResult {
            file: test.file.name.clone(),
            name: case.name.clone(),
            line: test.file.line_col(case.span.start).0,
            mismatches: check(case, &findings),
        });
    }
    (results, diagnostics)
}

fn inline_inventory(
    items: Vec<inventory::ConfigurationItem>,
    errors: Vec<inventory::CollectionError>,
) -> Inventory {
    let (account_ids, regions) = inventory::accounts_and_regions(&items);
    let source = SourceInfo {
        kind: SourceKind::AttestorSnapshot,
        path: None,
        sha256: None,
        captured_at: None,
        account_ids,
        regions,
        notes: Vec::new(),
        files: Vec::new(),
    };
    // A test case states its whole world: what it does not list does not exist.
    Inventory::new(source, items, errors, inventory::Coverage::complete())
}

fn check(case: &TestCase, findings: &[Finding]) -> Vec<String> {
    let mut mismatches = Vec::new();
    let describe = |f: &Finding| {
        format!(
            "{} on {}: {} ({})",
            f.policy_id,
            f.resource_id,
            f.status.as_str(),
            f.message
        )
    };
    for e in &case.expect {
        let of_policy: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.policy_id == e.policy.value)
            .collect();
        match &e.resource {
            None => {
                // "policy: pass" speaks of the resources the policy applies to.
                let of_policy: Vec<&Finding> = of_policy
                    .into_iter()
                    .filter(|f| {
                        e.status == Status::NotApplicable || f.status != Status::NotApplicable
                    })
                    .collect();
                if of_policy.is_empty() {
                    mismatches.push(format!(
                        "{}: expected {}, but it gave no results",
                        e.policy.value,
                        e.status.as_str()
                    ));
                }
                for f in of_policy.iter().filter(|f| f.status != e.status) {
                    mismatches.push(format!(
                        "expected {}, got {}",
                        e.status.as_str(),
                        describe(f)
                    ));
                }
            }
            Some(resource) => match of_policy.iter().find(|f| &f.resource_id == resource) {
                None => mismatches.push(format!(
                    "{} on {resource}: expected {}, but there is no such result",
                    e.policy.value,
                    e.status.as_str()
                )),
                Some(f) if f.status != e.status => {
                    mismatches.push(format!(
                        "expected {}, got {}",
                        e.status.as_str(),
                        describe(f)
                    ));
                }
                Some(_) => {}
            },
        }
    }
    if let Some(expected) = &case.failing {
        let expected: BTreeSet<&str> = expected.iter().map(|s| s.value.as_str()).collect();
        let actual: BTreeMap<&str, &Finding> = findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| (f.policy_id.as_str(), f))
            .collect();
        for id in &expected {
            if !actual.contains_key(id) {
                mismatches.push(format!(
                    "{id}: expected to fail, but it has no failing result"
                ));
            }
        }
        for (id, f) in &actual {
            if !expected.contains(id) {
                mismatches.push(format!(
                    "{id}: fails but is not listed in `failing`: {}",
                    describe(f)
                ));
            }
        }
    }
    mismatches
}
