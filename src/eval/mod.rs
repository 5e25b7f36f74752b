//! Evaluation: policies × inventory → findings. No I/O happens here; the same inputs and evaluation
//! time always give the same findings, in the same order.

pub mod baseline;
pub mod compile;
pub mod condition;
pub mod path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use compile::{CompiledPolicy, Overrides};
use condition::{Env, RelationIndexes, Verdict};
pub use condition::{Evidence, Outcome};

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::inventory::coverage::Gap;
use crate::inventory::{ConfigurationItem, Inventory};
use crate::policy::{AccountMatch, IfNone, Level, PolicySet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be decided: data missing, unreadable or of the wrong type. Never a pass or a fail.
    Error,
    NotApplicable,
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::NotApplicable => "not_applicable",
            Status::Waived => "waived",
        }
    }
}

/// The result of one policy on one resource (or one account).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub policy_id: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The resource's name as its source gives it (AWS Config's `resourceName`: the user name,
    /// bucket, DB identifier, log group, trail, …), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// The resource's ARN, when the source records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub account_id: String,
    pub region: String,
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The waiver that made this result `waived`, with the status it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waived>,
    /// A `fail` or `error` compared with `--baseline`: `new`, or `existing` in the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

/// What a `waived` result was, and the waiver that waived it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waived {
    /// The status before the waiver: `fail` or `error`.
    pub status: Status,
    pub justification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub expires: jiff::civil::Date,
    /// Where the waiver is written (`.attestor/waivers.yaml:7`).
    pub at: String,
}

/// Whether a failing or undecided result was already in the baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    New,
    Existing,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Existing => "existing",
        }
    }
}

impl Finding {
    /// How a person finds the resource: its name with the ID where they differ (`alice
    /// (AIDAEXAMPLE)`), else the ID.
    pub fn resource_label(&self) -> String {
        match &self.resource_name {
            Some(name) if *name != self.resource_id && !name.is_empty() => {
                format!("{name} ({})", self.resource_id)
            }
            _ => self.resource_id.clone(),
        }
    }
}

/// The resource type account-level findings are reported under (AWS Config's name for an account).
pub const ACCOUNT_RESOURCE_TYPE: &str = "AWS::::Account";
/// The resource ID of a finding that stands for every resource a collection failure hid.
pub const UNCOLLECTED_RESOURCE_ID: &str = "*";

#[derive(Debug, Default)]
pub struct Options {
    /// The time ages are measured from; defaults to the inventory's capture time.
    pub as_of: Option<jiff::Timestamp>,
    pub overrides: Overrides,
    pub evidence: EvidenceDetail,
    /// Waivers in force: a `fail` or `error` they match is `waived`.
    pub waivers: crate::waivers::ActiveWaivers,
    /// An earlier report's open results: each `fail` and `error` is marked `new` or `existing`.
    pub baseline: Option<baseline::Baseline>,
}

/// How much evidence results carry. A `pass` states what was read in its message either way; the
/// values behind every result are kept with [`EvidenceDetail::All`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceDetail {
    /// Every result's evidence (the only kind reports before this field was added have).
    #[default]
    All,
    /// Failing and undecided results keep their evidence; a `pass` keeps its message, which
    /// states the values it read, and drops the list (a large scan's report is mostly passes).
    Summary,
}

impl EvidenceDetail {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceDetail::All => "all",
            EvidenceDetail::Summary => "summary",
        }
    }
}

#[derive(Debug)]
pub struct Evaluation {
    pub policies: Vec<CompiledPolicy>,
    /// Policies that did not run because a parameter without a default was not set.
    pub not_configured: Vec<compile::NotConfigured>,
    pub findings: Vec<Finding>,
    pub as_of: Option<jiff::Timestamp>,
    pub evidence: EvidenceDetail,
    /// The baseline the findings were compared with, for the report's list of fixed results.
    pub baseline: Option<baseline::Baseline>,
}

/// What of each configuration item the policies of `set` read: their own type's paths, their
/// `related` lookups' keys and conditions on the linked types, and every type's paths for policies
/// over `*`. Loading keeps only these, so a large account fits in memory ([`Keep`]).
pub fn keep_for(set: &PolicySet) -> crate::inventory::Keep {
    let mut keep = crate::inventory::Keep::only_read();
    for policy in &set.policies {
        // A compared value and a lookup key are kept whole (evidence shows them as they are); a
        // list quantified over keeps, of each element, what the inner conditions read.
        policy.read_paths(|resource_type, path, whole| keep.add(resource_type, &path, whole));
    }
    keep
}

/// Evaluates every policy against every resource of its type, in parallel.
pub fn evaluate(
    set: &PolicySet,
    inventory: &Inventory,
    options: &Options,
) -> Result<Evaluation, Vec<Diagnostic>> {
    let prepared = prepare(set, inventory, options)?;
    let findings = prepared.findings(0..prepared.len());
    Ok(Evaluation {
        findings,
        as_of: prepared.as_of,
        evidence: prepared.evidence,
        baseline: prepared.baseline.cloned(),
        policies: prepared.policies,
        not_configured: prepared.not_configured,
    })
}

/// Policies compiled, lookups indexed and every (policy, resource) task laid out in report order,
/// ready to give findings in order, a range at a time: a report can be written as its results
/// are produced, and no list of every finding is ever held ([`Prepared::findings`]).
pub struct Prepared<'a> {
    pub policies: Vec<CompiledPolicy>,
    /// Policies that did not run because a parameter without a default was not set.
    pub not_configured: Vec<compile::NotConfigured>,
    pub as_of: Option<jiff::Timestamp>,
    pub evidence: EvidenceDetail,
    pub waivers: &'a crate::waivers::ActiveWaivers,
    pub baseline: Option<&'a baseline::Baseline>,
    inventory: &'a Inventory,
    /// The inventory's accounts, which account-level tasks index.
    accounts: Vec<String>,
    indexes: RelationIndexes,
    /// In report order: by policy, account, region, resource type and ID (ties in the order the
    /// tasks were made).
    tasks: Vec<(usize, Task)>,
}

/// Compiles the policies (binding parameters) and lays out the tasks; errors in parameters or
/// `--set` stop here, before anything is evaluated.
pub fn prepare<'a>(
    set: &PolicySet,
    inventory: &'a Inventory,
    options: &'a Options,
) -> Result<Prepared<'a>, Vec<Diagnostic>> {
    let mut keys = compile::IndexKeys::default();
    let mut policies = Vec::with_capacity(set.policies.len());
    let mut not_configured = Vec::new();
    let mut errors = Vec::new();
    for policy in &set.policies {
        match compile::compile(policy, &options.overrides, &mut keys) {
            Ok(compile::Compiled::Ready(p)) => policies.push(*p),
            Ok(compile::Compiled::NotConfigured(p)) => not_configured.push(p),
            Err(e) => errors.push(e),
        }
    }
    for id in options.overrides.keys() {
        if !set.policies.iter().any(|p| &p.id.value == id) {
            errors.push(Diagnostic::error(
                Code::UnknownPolicy,
                format!("--set names policy `{id}`, which is not in the policy set"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let indexes = RelationIndexes::build(inventory, &keys.keys);
    let as_of = options.as_of.or(inventory.source.captured_at);
    let env = Env {
        inventory,
        indexes: &indexes,
        as_of,
    };
    let accounts = inventory.accounts();
    // One task per (policy, resource) or (policy, account): rayon balances uneven policy sizes.
    let mut tasks: Vec<(usize, Task)> = policies
        .iter()
        .enumerate()
        .flat_map(|(p, policy)| -> Vec<(usize, Task)> {
            match policy.level {
                Level::Resource => inventory
                    .of_type(&policy.resource_type)
                    .iter()
                    .map(|&i| (p, Task::Resource(i)))
                    .chain(
                        inventory
                            .collection_errors
                            .iter()
                            .enumerate()
                            .filter(|(_, e)| {
                                e.affects_type(&policy.resource_type) && e.affects(&policy.reads)
                            })
                            .map(|(e, _)| (p, Task::Uncollected(e))),
                    )
                    .chain(
                        // A resource-level `*` policy concludes nothing from absence.
                        if policy.resource_type == crate::resource_schema::ANY_TYPE {
                            Vec::new()
                        } else {
                            env.gaps(policy, &accounts)
                        }
                        .into_iter()
                        .map(|(account, gap)| (p, Task::Uncovered(Box::new((account, gap))))),
                    )
                    .collect(),
                Level::Account => (0..accounts.len()).map(|a| (p, Task::Account(a))).collect(),
            }
        })
        .collect();
    // The order of the report, decided before anything is evaluated (a stable sort: the order
    // is the same whether findings are produced all at once or a range at a time). Policies and
    // items are ranked once, so the sort of every (policy, resource) task compares integers;
    // only tasks that are not about one item compare strings.
    let policy_rank = dense_rank(policies.len(), |a, b| policies[a].id.cmp(&policies[b].id));
    let item_rank = dense_rank(inventory.items.len(), |a, b| {
        let (a, b) = (&inventory.items[a], &inventory.items[b]);
        (&a.account_id, &a.region, &a.resource_type, &a.resource_id).cmp(&(
            &b.account_id,
            &b.region,
            &b.resource_type,
            &b.resource_id,
        ))
    });
    tasks.par_sort_by(|a, b| {
        policy_rank[a.0]
            .cmp(&policy_rank[b.0])
            .then_with(|| match (&a.1, &b.1) {
                (Task::Resource(i), Task::Resource(j)) => item_rank[*i].cmp(&item_rank[*j]),
                _ => task_key(&policies, inventory, &accounts, a)
                    .cmp(&task_key(&policies, inventory, &accounts, b)),
            })
    });
    Ok(Prepared {
        policies,
        not_configured,
        as_of,
        evidence: options.evidence,
        waivers: &options.waivers,
        baseline: options.baseline.as_ref(),
        inventory,
        accounts,
        indexes,
        tasks,
    })
}

/// Each of `0..len`'s position in the order `cmp` gives, equal elements sharing a rank (so
/// comparing ranks is exactly comparing by `cmp`).
fn dense_rank(len: usize, cmp: impl Fn(usize, usize) -> std::cmp::Ordering + Sync) -> Vec<u32> {
    let mut order: Vec<usize> = (0..len).collect();
    order.par_sort_unstable_by(|&a, &b| cmp(a, b));
    let mut rank = vec![0u32; len];
    let mut current = 0u32;
    for (position, &i) in order.iter().enumerate() {
        if position > 0 && cmp(order[position - 1], i) != std::cmp::Ordering::Equal {
            current += 1;
        }
        rank[i] = current;
    }
    rank
}

/// What a task's finding is sorted by: policy, account, region, resource type, resource ID.
fn task_key<'t>(
    policies: &'t [CompiledPolicy],
    inventory: &'t Inventory,
    accounts: &'t [String],
    (p, task): &'t (usize, Task),
) -> (&'t str, &'t str, &'t str, &'t str, &'t str) {
    let policy = &policies[*p];
    match task {
        Task::Resource(i) => {
            let item = &inventory.items[*i];
            (
                &policy.id,
                &item.account_id,
                &item.region,
                &item.resource_type,
                &item.resource_id,
            )
        }
        Task::Uncollected(e) => {
            let error = &inventory.collection_errors[*e];
            (
                &policy.id,
                &error.account_id,
                &error.region,
                &policy.resource_type,
                UNCOLLECTED_RESOURCE_ID,
            )
        }
        Task::Account(a) => (
            &policy.id,
            &accounts[*a],
            "global",
            ACCOUNT_RESOURCE_TYPE,
            &accounts[*a],
        ),
        Task::Uncovered(uncovered) => (
            &policy.id,
            &uncovered.0,
            &uncovered.1.region,
            &policy.resource_type,
            UNCOLLECTED_RESOURCE_ID,
        ),
    }
}

impl Prepared<'_> {
    /// How many findings the evaluation gives.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// The findings of a range of tasks, in report order, evaluated in parallel.
    pub fn findings(&self, range: std::ops::Range<usize>) -> Vec<Finding> {
        let env = Env {
            inventory: self.inventory,
            indexes: &self.indexes,
            as_of: self.as_of,
        };
        self.tasks[range]
            .par_iter()
            .map(|(p, task)| {
                let policy = &self.policies[*p];
                let mut finding = match task {
                    Task::Resource(i) => env.resource_finding(policy, &self.inventory.items[*i]),
                    Task::Uncollected(e) => {
                        uncollected_finding(policy, &self.inventory.collection_errors[*e])
                    }
                    Task::Account(a) => env.account_finding(policy, &self.accounts[*a]),
                    Task::Uncovered(uncovered) => {
                        uncovered_finding(policy, &uncovered.0, &uncovered.1, self.plan())
                    }
                };
                if self.evidence == EvidenceDetail::Summary && finding.status == Status::Pass {
                    finding.evidence = Vec::new();
                }
                self.judge(&mut finding);
                finding
            })
            .collect()
    }

    /// Whether the source is a Terraform plan: what depends on resources outside it is
    /// `not_applicable` rather than `error` (a plan is not an inventory of the account).
    fn plan(&self) -> bool {
        self.inventory.coverage.basis() == crate::inventory::coverage::Basis::TerraformPlan
    }

    /// Applies waivers and the baseline to a finding: a waived failure keeps what it was and why
    /// it is waived; a failure or error not waived is `new` or `existing` against the baseline.
    fn judge(&self, finding: &mut Finding) {
        if !matches!(finding.status, Status::Fail | Status::Error) {
            return;
        }
        let names = [
            Some(finding.resource_id.as_str()),
            finding.arn.as_deref(),
            finding.resource_name.as_deref(),
        ];
        if let Some(w) = self.waivers.find(
            &finding.policy_id,
            &names,
            &finding.account_id,
            &finding.region,
        ) {
            finding.waiver = Some(Waived {
                status: finding.status,
                justification: w.justification.clone(),
                owner: w.owner.clone(),
                expires: w.expires,
                at: w.at.clone(),
            });
            finding.status = Status::Waived;
            return;
        }
        if let Some(baseline) = self.baseline {
            finding.baseline = baseline.state_of(finding);
        }
    }

    /// Every finding in report order, `chunk` at a time (each chunk evaluated in parallel), to
    /// `sink`; stops at the sink's first error.
    pub fn for_each<E>(
        &self,
        chunk: usize,
        mut sink: impl FnMut(Finding) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut start = 0;
        while start < self.len() {
            let end = (start + chunk.max(1)).min(self.len());
            for finding in self.findings(start..end) {
                sink(finding)?;
            }
            start = end;
        }
        Ok(())
    }
}

/// Kept small (16 bytes): there is one per result, a million and more on a large estate, and the
/// rare kinds are boxed.
enum Task {
    Resource(usize),
    Uncollected(usize),
    /// An index into [`Prepared`]'s accounts.
    Account(usize),
    /// An account and region where the source does not record the policy's resource type.
    Uncovered(Box<(String, Gap)>),
}

const _: () = assert!(std::mem::size_of::<Task>() == 16);

/// The evidence of a result that the source's coverage decided.
fn coverage_evidence(policy: &CompiledPolicy) -> Vec<Evidence> {
    vec![Evidence {
        path: "source coverage".into(),
        actual: Value::String(format!("{} not recorded", policy.resource_type)),
        expected: format!("a source that records {}", policy.resource_type),
        summary: false,
    }]
}

/// The `error` result that stands for every resource a source could not have recorded: absence
/// there is not evidence that nothing fails.
/// A place where the source does not record the policy's type: `error` (absence is not
/// evidence), or `not_applicable` for a Terraform plan, which speaks only for what it manages.
fn uncovered_finding(policy: &CompiledPolicy, account: &str, gap: &Gap, plan: bool) -> Finding {
    Finding {
        policy_id: policy.id.clone(),
        resource_type: policy.resource_type.clone(),
        resource_id: UNCOLLECTED_RESOURCE_ID.into(),
        resource_name: None,
        arn: None,
        account_id: account.to_string(),
        region: gap.region.clone(),
        status: if plan {
            Status::NotApplicable
        } else {
            Status::Error
        },
        message: gap.reason.clone(),
        evidence: coverage_evidence(policy),
        waiver: None,
        baseline: None,
    }
}

fn uncollected_finding(
    policy: &CompiledPolicy,
    error: &crate::inventory::CollectionError,
) -> Finding {
    Finding {
        policy_id: policy.id.clone(),
        resource_type: policy.resource_type.clone(),
        resource_id: UNCOLLECTED_RESOURCE_ID.into(),
        resource_name: None,
        arn: None,
        account_id: error.account_id.clone(),
        region: error.region.clone(),
        status: Status::Error,
        message: error.describe(),
        evidence: vec![Evidence {
            path: format!("{}:{}", error.service, error.operation),
            actual: Value::String(error.error_code.clone()),
            expected: format!(
                "a successful {} call (IAM action {})",
                error.operation, error.iam_action
            ),
            summary: false,
        }],
        waiver: None,
        baseline: None,
    }
}

impl Env<'_> {
    /// The one rule for absence: where the source does not record the policy's resource type
    /// (and no collection failure already explains it), absence is not evidence. Used by
    /// resource-level policies (an `error` per uncovered place) and account-level ones.
    fn gaps(&self, policy: &CompiledPolicy, accounts: &[String]) -> Vec<(String, Gap)> {
        let coverage = &self.inventory.coverage;
        accounts
            .iter()
            .flat_map(|account| {
                coverage
                    .gaps(
                        &policy.resource_type,
                        account,
                        &self.inventory.source.regions,
                    )
                    .into_iter()
                    .filter(|gap| {
                        let region = (gap.region != crate::inventory::coverage::ANY_REGION)
                            .then_some(gap.region.as_str());
                        self.inventory
                            .collection_errors_for(&policy.resource_type, account, region)
                            .next()
                            .is_none()
                    })
                    .map(|gap| (account.clone(), gap))
            })
            .collect()
    }

    fn resource_finding(&self, policy: &CompiledPolicy, item: &ConfigurationItem) -> Finding {
        let (status, message, evidence) = match self.decide(policy, item) {
            Decision::OutOfScope(v) => (
                Status::NotApplicable,
                format!("out of scope: {}", explain(&v)),
                v.evidence,
            ),
            Decision::Checked(v) => {
                let status = match v.outcome {
                    Outcome::Pass => Status::Pass,
                    Outcome::Fail => Status::Fail,
                    Outcome::Error(_) => Status::Error,
                };
                (status, explain(&v), v.evidence)
            }
        };
        Finding {
            policy_id: policy.id.clone(),
            resource_type: item.resource_type.to_string(),
            resource_id: item.resource_id.clone(),
            resource_name: item.name().map(str::to_string),
            arn: item.arn().map(str::to_string),
            account_id: item.account_id.to_string(),
            region: item.region.to_string(),
            status,
            message,
            evidence,
            waiver: None,
            baseline: None,
        }
    }

    fn decide(&self, policy: &CompiledPolicy, item: &ConfigurationItem) -> Decision {
        if let Some(scope) = &policy.scope {
            let v = self.eval(scope, &item.doc, item, "");
            match v.outcome {
                Outcome::Fail => return Decision::OutOfScope(v),
                Outcome::Error(reason) => {
                    return Decision::Checked(Verdict {
                        outcome: Outcome::Error(format!(
                            "cannot tell whether the policy applies: {reason}"
                        )),
                        evidence: v.evidence,
                    });
                }
                Outcome::Pass => {}
            }
        }
        Decision::Checked(self.eval(&policy.check, &item.doc, item, ""))
    }

    fn account_finding(&self, policy: &CompiledPolicy, account: &str) -> Finding {
        let mut passes = 0;
        let mut fails = 0;
        let mut errors: Vec<String> = Vec::new();
        let mut evidence = Vec::new();
        let mut deciding: Vec<Evidence> = Vec::new();
        let mut first_fail: Option<String> = None;
        for &i in self.inventory.of_type(&policy.resource_type) {
            let item = &self.inventory.items[i];
            if *item.account_id != *account {
                continue;
            }
            let (label, verdict) = match self.decide(policy, item) {
                Decision::OutOfScope(_) => continue,
                Decision::Checked(v) => (format!("{} {}", item.resource_type, item.resource_id), v),
            };
            let word = match &verdict.outcome {
                Outcome::Pass => {
                    passes += 1;
                    if policy.account_match != AccountMatch::All && deciding.is_empty() {
                        deciding.clone_from(&verdict.evidence);
                    }
                    "pass".to_string()
                }
                Outcome::Fail => {
                    fails += 1;
                    if first_fail.is_none() {
                        first_fail = Some(format!("{label}: {}", explain(&verdict)));
                    }
                    if policy.account_match == AccountMatch::All && deciding.is_empty() {
                        deciding.clone_from(&verdict.evidence);
                    }
                    format!("fail: {}", explain(&verdict))
                }
                Outcome::Error(reason) => {
                    errors.push(format!("{label}: {reason}"));
                    format!("error: {reason}")
                }
            };
            evidence.push(Evidence {
                path: label,
                actual: Value::String(word),
                expected: "the policy check".into(),
                summary: true,
            });
        }
        let resources = passes + fails + errors.len();
        for e in self
            .inventory
            .collection_errors_for(&policy.resource_type, account, None)
            .filter(|e| e.affects(&policy.reads))
        {
            errors.push(e.describe());
        }
        // Where the source does not record the type, "none there" is unknown: it can neither
        // make `if-none` apply nor let "none fails" / "none passes" conclude for the account.
        let gaps: Vec<String> = self
            .gaps(policy, &[account.to_string()])
            .into_iter()
            .map(|(_, gap)| gap.reason)
            .collect();
        let examined = passes + fails + errors.len();
        let plan =
            self.inventory.coverage.basis() == crate::inventory::coverage::Basis::TerraformPlan;
        if examined == 0 && !gaps.is_empty() {
            let mut reasons = gaps;
            reasons.dedup();
            return Finding {
                policy_id: policy.id.clone(),
                resource_type: ACCOUNT_RESOURCE_TYPE.into(),
                resource_id: account.to_string(),
                resource_name: None,
                arn: None,
                account_id: account.to_string(),
                region: "global".into(),
                status: if plan {
                    Status::NotApplicable
                } else {
                    Status::Error
                },
                message: reasons.join("; "),
                evidence: coverage_evidence(policy),
                waiver: None,
                baseline: None,
            };
        }
        // A plan's gaps alone (nothing unreadable) leave the account's answer to resources the
        // plan does not show: not applicable to the plan, never a guess.
        let only_gaps = plan && errors.is_empty() && !gaps.is_empty();
        errors.extend(gaps);
        let (status, message) = if examined == 0 {
            let status = match policy.if_none {
                IfNone::Pass => Status::Pass,
                IfNone::Fail => Status::Fail,
                IfNone::Error => Status::Error,
                IfNone::NotApplicable => Status::NotApplicable,
            };
            (
                status,
                format!("no {} in account {account}", policy.resource_type),
            )
        } else {
            let counts = format!(
                "{passes} of {resources} {} satisfy the check",
                policy.resource_type
            );
            match policy.account_match {
                AccountMatch::Any if passes > 0 => (Status::Pass, counts),
                AccountMatch::All if fails > 0 => (
                    Status::Fail,
                    format!("{counts}; {}", first_fail.clone().unwrap_or_default()),
                ),
                AccountMatch::None if passes > 0 => (Status::Fail, counts),
                _ if only_gaps => (
                    Status::NotApplicable,
                    format!("{counts}; {}", errors.join("; ")),
                ),
                _ if !errors.is_empty() => (
                    Status::Error,
                    format!(
                        "{counts}; {} undecided: {}",
                        errors.len(),
                        errors.join("; ")
                    ),
                ),
                AccountMatch::Any => (
                    Status::Fail,
                    match &first_fail {
                        Some(reason) => format!("{counts}; {reason}"),
                        None => counts,
                    },
                ),
                _ => (Status::Pass, counts),
            }
        };
        evidence.extend(deciding);
        Finding {
            policy_id: policy.id.clone(),
            resource_type: ACCOUNT_RESOURCE_TYPE.into(),
            resource_id: account.to_string(),
            resource_name: None,
            arn: None,
            account_id: account.to_string(),
            region: "global".into(),
            status,
            message,
            evidence,
            waiver: None,
            baseline: None,
        }
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

enum Decision {
    OutOfScope(Verdict),
    Checked(Verdict),
}

/// One line saying why: the error's reason, or the first piece of evidence.
fn explain(verdict: &Verdict) -> String {
    if let Outcome::Error(reason) = &verdict.outcome {
        return reason.clone();
    }
    let Some(first) = verdict.evidence.first() else {
        return "no evidence".into();
    };
    if !first.summary {
        return format!(
            "{} is {} (expected {})",
            first.path,
            display_value(&first.actual),
            first.expected
        );
    }
    // A count line says how many; the first value read from the data says what was found.
    let mut message = format!(
        "{}: {} (expected {})",
        first.path,
        display_value(&first.actual),
        first.expected
    );
    if let Some(leaf) = verdict.evidence.iter().find(|e| !e.summary) {
        message.push_str(&format!(
            "; found {} = {}",
            leaf.path,
            display_value(&leaf.actual)
        ));
    }
    message
}

fn display_value(value: &Value) -> String {
    match value {
        Value::Null => "missing".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
