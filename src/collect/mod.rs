//! Live collection: read an AWS account through the SDK into an [`Inventory`] of configuration items
//! with AWS Config's property names. One file per service; [`SERVICES`] is the registry.
//!
//! Collection never evaluates. Every failed call becomes a [`CollectionError`] naming the service,
//! region, API operation, IAM action and error code, so policies over the affected resource types
//! give `error` — never a pass, never silently nothing.

mod backup;
mod cloudtrail;
mod dynamodb;
mod ec2;
mod elbv2;
mod iam;
mod kms;
mod lambda;
mod logs;
pub mod organization;
pub mod plan;
mod rds;
mod s3;
mod s3control;
mod secretsmanager;
mod support;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::inventory::coverage::{ANY_REGION, Basis, Coverage};
use crate::inventory::{CollectionError, ConfigurationItem, Inventory, SourceInfo, SourceKind};

pub use plan::Plan;
pub use support::Batch;

/// An API operation a collector calls, and the IAM action it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Operation {
    /// The SDK's service name as the interceptor reports it (e.g. `RDS`, `Lambda`).
    pub sdk_service: &'static str,
    pub name: &'static str,
    pub iam_action: &'static str,
}

/// A service collector: what it reads, and the function that reads it for one region.
pub struct Service {
    /// Short name used in collection errors and progress (`rds`, `ec2`, …).
    pub name: &'static str,
    /// Global services (IAM, S3 bucket listing) are collected once, under region `global`.
    pub global: bool,
    pub operations: &'static [Operation],
    pub resource_types: &'static [&'static str],
    pub collect: for<'a> fn(&'a Ctx, &'a str) -> BoxFuture<'a, Batch>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Every collector, in a stable order. `attestor permissions` prints their IAM actions.
pub static SERVICES: &[&Service] = &[
    &iam::SERVICE,
    &ec2::SERVICE,
    &rds::SERVICE,
    &kms::SERVICE,
    &secretsmanager::SERVICE,
    &logs::SERVICE,
    &s3::SERVICE,
    &s3control::SERVICE,
    &cloudtrail::SERVICE,
    &dynamodb::SERVICE,
    &elbv2::SERVICE,
    &backup::SERVICE,
    &lambda::SERVICE,
];

/// Calls made outside any collector: who am I, and which regions are enabled.
pub static SETUP_OPERATIONS: &[Operation] = &[
    Operation {
        sdk_service: "STS",
        name: "GetCallerIdentity",
        iam_action: "sts:GetCallerIdentity",
    },
    Operation {
        sdk_service: "EC2",
        name: "DescribeRegions",
        iam_action: "ec2:DescribeRegions",
    },
];

/// Every operation attestor may call.
pub fn all_operations() -> Vec<Operation> {
    let mut ops: Vec<Operation> = SERVICES
        .iter()
        .flat_map(|s| s.operations.iter().copied())
        .chain(SETUP_OPERATIONS.iter().copied())
        .collect();
    ops.sort();
    ops.dedup();
    ops
}

/// The minimal read-only IAM policy for exactly the operations the collectors call.
pub fn permissions_policy() -> String {
    let actions: BTreeSet<&str> = all_operations().iter().map(|o| o.iam_action).collect();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AttestorReadOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    });
    crate::json::pretty_value(&policy)
}

#[derive(Clone)]
pub struct Options {
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub all_regions: bool,
    /// Requests in flight at once, across all services and regions.
    pub max_concurrency: usize,
    /// Whole-operation timeout including retries.
    pub operation_timeout: Duration,
    /// Per-attempt timeout.
    pub attempt_timeout: Duration,
    pub max_attempts: u32,
    /// Requests in flight at once in one account: one account's throttling slows that account,
    /// never the others.
    pub max_concurrency_per_account: usize,
    /// Which accounts to read (the caller's, an organisation's, or named roles').
    pub targets: organization::Targets,
    /// What to read: everything, or what the loaded policies read.
    pub plan: Plan,
    /// Report progress (services × regions done, resources found).
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: None,
            regions: Vec::new(),
            all_regions: false,
            max_concurrency: 16,
            operation_timeout: Duration::from_secs(60),
            attempt_timeout: Duration::from_secs(20),
            max_attempts: 5,
            max_concurrency_per_account: 8,
            targets: organization::Targets::default(),
            plan: Plan::everything(),
            progress: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub service: &'static str,
    pub account_id: String,
    pub region: String,
    pub resources: usize,
    pub errors: usize,
    pub done: usize,
    pub total: usize,
    /// Accounts whose every service and region is done, of all accounts read.
    pub accounts_done: usize,
    pub accounts_total: usize,
}

/// Shared state of one collection run.
pub struct Ctx {
    pub sdk: SdkConfig,
    pub account_id: String,
    pub calls: Arc<CallRecorder>,
    /// What the run reads: a collector asks before each call whose answer may not be needed.
    pub plan: Arc<Plan>,
    /// Request slots shared by every account.
    global: Arc<tokio::sync::Semaphore>,
    /// This account's own slots, taken first: an account stalled by throttling holds at most
    /// these of the global slots.
    account: tokio::sync::Semaphore,
}

/// A request slot: one of the account's, then one of the run's.
pub struct Permit<'a> {
    _account: tokio::sync::SemaphorePermit<'a>,
    _global: tokio::sync::SemaphorePermit<'a>,
}

/// Records every API operation the SDK executes (for the permissions test and benchmarks).
#[derive(Debug, Default)]
pub struct CallRecorder {
    calls: Mutex<Vec<(String, String)>>,
    /// Calls per (service, region), for `--verbose`.
    per_region: Mutex<std::collections::BTreeMap<(String, String), usize>>,
    /// HTTP attempts, retries included.
    attempts: std::sync::atomic::AtomicUsize,
}

impl CallRecorder {
    /// (service, operation) pairs, in call order.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Calls per (service, region).
    pub fn per_region(&self) -> std::collections::BTreeMap<(String, String), usize> {
        self.per_region
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

/// The API calls a collection made: each (service, operation) in call order, and the count per
/// (service, region).
#[derive(Debug, Default)]
pub struct CallLog {
    pub calls: Vec<(String, String)>,
    pub per_region: std::collections::BTreeMap<(String, String), usize>,
}

#[derive(Debug)]
struct RecordingInterceptor(Arc<CallRecorder>);

impl Intercept for RecordingInterceptor {
    fn name(&self) -> &'static str {
        "AttestorCallRecorder"
    }

    // Not `read_before_execution`: client interceptors run that before the operation's metadata
    // is in the config bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            if let Ok(mut calls) = self.0.calls.lock() {
                calls.push((meta.service().to_string(), meta.name().to_string()));
            }
            let region = cfg
                .load::<Region>()
                .map_or_else(|| GLOBAL.to_string(), ToString::to_string);
            if let Ok(mut per_region) = self.0.per_region.lock() {
                *per_region
                    .entry((meta.service().to_string(), region))
                    .or_default() += 1;
            }
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.0
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

impl Ctx {
    /// The shared SDK configuration for `region`, with the call recorder attached by each client.
    pub fn config(&self, region: &str) -> SdkConfig {
        let region = if region == GLOBAL {
            self.sdk.region().cloned()
        } else {
            Some(Region::new(region.to_string()))
        };
        let mut builder = self.sdk.to_builder();
        builder.set_region(region);
        builder.build()
    }

    pub fn interceptor(&self) -> impl Intercept + 'static {
        RecordingInterceptor(self.calls.clone())
    }

    /// Waits for a request slot: at most `max_concurrency` requests are in flight, and at most
    /// `max_concurrency_per_account` in this account.
    pub async fn permit(&self) -> Permit<'_> {
        // The semaphores are never closed, so acquire cannot fail.
        let account = self.account.acquire().await.expect("semaphore open");
        let global = self.global.acquire().await.expect("semaphore open");
        Permit {
            _account: account,
            _global: global,
        }
    }
}

pub const GLOBAL: &str = "global";

/// Reads the accounts (the caller's, or those `options.targets` names): every service in every
/// region of each, concurrently under one global and one per-account limit, into one inventory.
pub async fn collect(options: &Options) -> Result<(Inventory, CallLog), Diagnostic> {
    let calls = Arc::new(CallRecorder::default());
    let sdk = load_sdk_config(options).await;
    let (caller, caller_arn) = caller_account(&sdk, &calls).await?;
    let several = options.targets.several();
    let accounts = if several {
        let partition = organization::partition_of(caller_arn.as_deref());
        organization::accounts(&sdk, &caller, &partition, &options.targets, &calls).await?
    } else {
        vec![organization::Account {
            id: caller,
            name: None,
            access: Ok(sdk),
        }]
    };
    if accounts.is_empty() {
        return Err(Diagnostic::error(
            Code::InvalidArgument,
            "no accounts to read: --accounts, --exclude-accounts and --ou leave none",
        ));
    }
    let global = Arc::new(tokio::sync::Semaphore::new(options.max_concurrency.max(1)));
    let plan = Arc::new(options.plan.clone());
    let mut readable: Vec<(Ctx, Vec<String>)> = Vec::new();
    let mut unreadable: Vec<(String, organization::Unreadable)> = Vec::new();
    for account in accounts {
        let sdk = match account.access {
            Ok(sdk) => sdk,
            Err(why) => {
                unreadable.push((account.id, why));
                continue;
            }
        };
        match regions(&sdk, options, &calls).await {
            Ok(regions) => readable.push((
                Ctx {
                    sdk,
                    account_id: account.id,
                    calls: calls.clone(),
                    plan: plan.clone(),
                    global: global.clone(),
                    account: tokio::sync::Semaphore::new(
                        options.max_concurrency_per_account.max(1),
                    ),
                },
                regions,
            )),
            // One account alone: its regions are the run's; without them nothing can be read.
            Err(diagnostic) if !several => return Err(diagnostic),
            Err(diagnostic) => unreadable.push((
                account.id,
                organization::Unreadable {
                    operation: SETUP_OPERATIONS[1],
                    error_code: "DescribeRegionsFailed".into(),
                    message: diagnostic.message,
                },
            )),
        }
    }
    let mut jobs: Vec<(usize, &'static Service, String)> = Vec::new();
    // A service none of whose types any policy reads is not called at all; what it would have
    // listed is recorded as not collected, so a later scan reading it gives `error`.
    let skipped: Vec<&'static Service> = SERVICES
        .iter()
        .copied()
        .filter(|s| !plan.wants_any(s.resource_types))
        .collect();
    let mut errors: Vec<CollectionError> = Vec::new();
    let mut coverage = Coverage::new(Basis::Attestor);
    for (ctx, _) in &readable {
        for service in &skipped {
            errors.push(service_unread(
                service,
                &ctx.account_id,
                &service.operations[0],
                crate::inventory::NOT_COLLECTED,
                "no policy of the run reads these types",
                &mut coverage,
            ));
        }
    }
    for (index, (_, regions)) in readable.iter().enumerate() {
        for service in SERVICES {
            if skipped.iter().any(|s| std::ptr::eq(*s, *service)) {
                continue;
            }
            if service.global {
                jobs.push((index, service, GLOBAL.to_string()));
            } else {
                jobs.extend(regions.iter().map(|r| (index, *service, r.clone())));
            }
        }
    }
    let total = jobs.len();
    let accounts_total = readable.len() + unreadable.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let accounts_done = std::sync::atomic::AtomicUsize::new(unreadable.len());
    let left: Vec<std::sync::atomic::AtomicUsize> = (0..readable.len())
        .map(|i| std::sync::atomic::AtomicUsize::new(jobs.iter().filter(|j| j.0 == i).count()))
        .collect();
    let batches = join_all(jobs.iter().map(|(index, service, region)| {
        let ctx = &readable[*index].0;
        let (done, accounts_done, left) = (&done, &accounts_done, &left);
        async move {
            use std::sync::atomic::Ordering::SeqCst;
            let batch = (service.collect)(ctx, region).await;
            let finished_account = left[*index].fetch_sub(1, SeqCst) == 1;
            let accounts_done = if finished_account {
                accounts_done.fetch_add(1, SeqCst) + 1
            } else {
                accounts_done.load(SeqCst)
            };
            if let Some(progress) = &options.progress {
                progress(Progress {
                    service: service.name,
                    account_id: ctx.account_id.clone(),
                    region: region.clone(),
                    resources: batch.items.len(),
                    // Reads the plan skipped are choices, not failures: not counted here.
                    errors: batch
                        .errors
                        .iter()
                        .filter(|e| !e.is_not_collected())
                        .count(),
                    done: done.fetch_add(1, SeqCst) + 1,
                    total,
                    accounts_done,
                    accounts_total,
                });
            }
            batch
        }
    }))
    .await;
    let mut items: Vec<ConfigurationItem> = Vec::new();
    for batch in batches {
        items.extend(batch.items);
        errors.extend(batch.errors);
    }
    // Deterministic order whatever the network did.
    items.sort_by(|a, b| {
        (&a.account_id, &a.resource_type, &a.region, &a.resource_id).cmp(&(
            &b.account_id,
            &b.resource_type,
            &b.region,
            &b.resource_id,
        ))
    });
    // Two items claiming one identity would double-count; keep the first and say so.
    let mut unique: Vec<ConfigurationItem> = Vec::with_capacity(items.len());
    for item in items {
        match unique.last() {
            Some(last)
                if last.account_id == item.account_id
                    && last.resource_type == item.resource_type
                    && last.region == item.region
                    && last.resource_id == item.resource_id =>
            {
                errors.push(CollectionError {
                    service: "attestor".into(),
                    region: item.region.to_string(),
                    account_id: item.account_id.to_string(),
                    operation: "(collection)".into(),
                    iam_action: crate::inventory::NO_IAM_ACTION.into(),
                    error_code: "DuplicateResource".into(),
                    message: format!(
                        "two {} resources share the ID {}; only the first is evaluated",
                        item.resource_type, item.resource_id
                    ),
                    resource_types: vec![item.resource_type.to_string()],
                    properties: Vec::new(),
                    resources: Vec::new(),
                });
            }
            _ => unique.push(item),
        }
    }
    let items = unique;
    let mut all_regions: BTreeSet<String> = BTreeSet::new();
    all_regions.insert(GLOBAL.to_string());
    // What the collectors read: a global collector (IAM, the S3 bucket list) covers its types in
    // every region; failures are collection errors, which name their cause themselves.
    for (index, service, region) in &jobs {
        let account = &readable[*index].0.account_id;
        let region = if service.global { ANY_REGION } else { region };
        for resource_type in service.resource_types {
            coverage.add(account, region, resource_type);
        }
    }
    for (_, regions) in &readable {
        all_regions.extend(regions.iter().cloned());
    }
    // An account that could not be read at all: every type is an error there, naming why.
    for (account, why) in &unreadable {
        for service in SERVICES {
            errors.push(service_unread(
                service,
                account,
                &why.operation,
                &why.error_code,
                &why.message,
                &mut coverage,
            ));
        }
    }
    let mut account_ids: Vec<String> = readable
        .iter()
        .map(|(ctx, _)| ctx.account_id.clone())
        .chain(unreadable.iter().map(|(a, _)| a.clone()))
        .collect();
    account_ids.sort();
    let source = SourceInfo {
        kind: SourceKind::Live,
        path: None,
        sha256: None,
        captured_at: Some(jiff::Timestamp::now()),
        account_ids,
        regions: all_regions.into_iter().collect(),
        notes: if plan.is_everything() {
            Vec::new()
        } else {
            vec!["read only what the loaded policies read: the calls not made are recorded as not collected (error code NotCollected), so other policies reading that data give `error`; `attestor snapshot` without --policies reads everything".to_string()]
        },
        files: Vec::new(),
    };
    Ok((
        Inventory::new(source, items, errors, coverage),
        CallLog {
            calls: calls.calls(),
            per_region: calls.per_region(),
        },
    ))
}

/// Runs futures concurrently on the current task and returns their outputs in order.
pub(crate) async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// The collection error for every type of `service` in every region of `account`, which the run
/// did not read (`operation` failed, or no policy needed it), and those types as covered: a policy
/// over them gives `error` for the account, never a verdict on an empty list.
fn service_unread(
    service: &Service,
    account: &str,
    operation: &Operation,
    error_code: &str,
    message: &str,
    coverage: &mut Coverage,
) -> CollectionError {
    for resource_type in service.resource_types {
        coverage.add(account, ANY_REGION, resource_type);
    }
    CollectionError {
        service: service.name.to_string(),
        region: ANY_REGION.to_string(),
        account_id: account.to_string(),
        operation: operation.name.to_string(),
        iam_action: operation.iam_action.to_string(),
        error_code: error_code.to_string(),
        message: message.to_string(),
        resource_types: service
            .resource_types
            .iter()
            .map(ToString::to_string)
            .collect(),
        properties: Vec::new(),
        resources: Vec::new(),
    }
}

async fn load_sdk_config(options: &Options) -> SdkConfig {
    use aws_smithy_types::retry::RetryConfig;
    use aws_smithy_types::timeout::TimeoutConfig;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(options.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(options.operation_timeout)
                .operation_attempt_timeout(options.attempt_timeout)
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(first) = options.regions.first() {
        loader = loader.region(Region::new(first.clone()));
    }
    loader.load().await
}

/// The caller's account, and its ARN (whose partition names the organisation's roles).
async fn caller_account(
    sdk: &SdkConfig,
    calls: &Arc<CallRecorder>,
) -> Result<(String, Option<String>), Diagnostic> {
    let config = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(RecordingInterceptor(calls.clone()))
        .build();
    let client = aws_sdk_sts::Client::from_conf(config);
    let out = client.get_caller_identity().send().await.map_err(|e| {
        let (code, message) = support::error_code(&e);
        let endpoint = sdk.endpoint_url().map_or_else(
            || "AWS STS".to_string(),
            |url| format!("the endpoint {url}"),
        );
        caller_failure(&code, &message, &endpoint)
    })?;
    let account = out.account().map(str::to_string).ok_or_else(|| {
        Diagnostic::error(
            Code::AwsCredentials,
            "sts:GetCallerIdentity returned no account",
        )
    })?;
    Ok((account, out.arn().map(str::to_string)))
}

/// The first call failed: one line naming the cause, and the next step for it.
fn caller_failure(code: &str, message: &str, endpoint: &str) -> Diagnostic {
    let (diagnostic_code, what, help) = match code {
        "ConnectionRefused" | "DnsFailure" | "TlsFailure" | "ConnectionError" | "Timeout" => (
            Code::AwsUnreachable,
            format!("cannot reach {endpoint}: {message}"),
            "check AWS_ENDPOINT_URL (unset it for AWS itself), the network, and HTTPS_PROXY; \
             --call-timeout and --max-attempts bound how long attestor waits",
        ),
        "NoCredentials" => (
            Code::AwsCredentials,
            message.to_string(),
            "set AWS_PROFILE (or --profile), run `aws sso login`, or set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY",
        ),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => (
            Code::AwsCredentials,
            format!("the AWS credentials have expired ({code}: {message})"),
            "refresh them: `aws sso login`, or new temporary credentials from your identity provider",
        ),
        "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "AuthFailure"
        | "IncompleteSignature" => (
            Code::AwsCredentials,
            format!("AWS rejected the credentials ({code}: {message})"),
            "check the access key and secret (or the profile) belong to an active IAM user or role; \
             a region the account has not enabled also rejects them",
        ),
        "OptInRequired" => (
            Code::AwsRegion,
            format!("the region is not enabled for this account ({code}: {message})"),
            "enable the region (Account → AWS Regions) or choose another with --region",
        ),
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => (
            Code::AwsAccessDenied,
            format!("the credentials may not call sts:GetCallerIdentity ({code}: {message})"),
            "a service control policy or permissions boundary denies it: ask your administrator",
        ),
        _ => (
            Code::AwsCredentials,
            format!(
                "cannot identify the AWS account: sts:GetCallerIdentity failed with {code}: {message}"
            ),
            "check credentials: AWS_PROFILE / --profile, `aws sso login`, or AWS_ACCESS_KEY_ID",
        ),
    };
    Diagnostic::error(diagnostic_code, what).with_help(help)
}

async fn regions(
    sdk: &SdkConfig,
    options: &Options,
    calls: &Arc<CallRecorder>,
) -> Result<Vec<String>, Diagnostic> {
    if !options.all_regions {
        let mut regions = options.regions.clone();
        if regions.is_empty() {
            match sdk.region() {
                Some(r) => regions.push(r.to_string()),
                None => {
                    return Err(
                        Diagnostic::error(Code::AwsRegion, "no AWS region configured").with_help(
                            "pass --region REGION (repeatable) or --all-regions, or set AWS_REGION",
                        ),
                    );
                }
            }
        }
        regions.sort();
        regions.dedup();
        return Ok(regions);
    }
    let config = aws_sdk_ec2::config::Builder::from(sdk)
        .interceptor(RecordingInterceptor(calls.clone()))
        .build();
    let client = aws_sdk_ec2::Client::from_conf(config);
    let out = client.describe_regions().send().await.map_err(|e| {
        let (code, message) = support::error_code(&e);
        Diagnostic::error(
            Code::AwsRegion,
            format!("--all-regions: ec2:DescribeRegions failed with {code}: {message}"),
        )
    })?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// scripts/fixtures.py writes the coverage a live scan records into the fixture snapshots;
    /// it must say what the collectors really read.
    #[test]
    fn fixture_coverage_matches_the_collectors() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/compliant.snapshot.json"
        ))
        .unwrap();
        let snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut fixture: Vec<(String, String)> = Vec::new();
        for entry in snapshot["metadata"]["coverage"].as_array().unwrap() {
            let region = entry["region"].as_str().unwrap();
            let scope = if region == ANY_REGION {
                "global"
            } else {
                "regional"
            };
            for t in entry["resourceTypes"].as_array().unwrap() {
                fixture.push((scope.to_string(), t.as_str().unwrap().to_string()));
            }
        }
        let mut collectors: Vec<(String, String)> = SERVICES
            .iter()
            .flat_map(|s| {
                let scope = if s.global { "global" } else { "regional" };
                s.resource_types
                    .iter()
                    .map(move |t| (scope.to_string(), t.to_string()))
            })
            .collect();
        fixture.sort();
        collectors.sort();
        assert_eq!(
            fixture, collectors,
            "update GLOBAL_TYPES / REGIONAL_TYPES in scripts/fixtures.py and rerun it"
        );
    }
}
