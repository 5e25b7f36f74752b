//! S3 (listed once, globally): buckets with their region, default encryption, lifecycle rules,
//! versioning, public access block and tags. A failed per-bucket call leaves only its setting
//! unknown, so only policies reading that setting give `error`. There is no batch API for bucket settings, so the
//! per-bucket calls run concurrently. Never reads object data.

use std::collections::BTreeMap;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Value, json};

use super::support::{Batch, Failure, compact, date, item, op, tags};
use super::{BoxFuture, Ctx, Operation, Service, join_all};
use crate::inventory::coverage::ANY_REGION;

const LIST: Operation = op!("S3", "ListBuckets", "s3:ListAllMyBuckets");
const LOCATION: Operation = op!("S3", "GetBucketLocation", "s3:GetBucketLocation");
const ENCRYPTION: Operation = op!("S3", "GetBucketEncryption", "s3:GetEncryptionConfiguration");
const LIFECYCLE: Operation = op!(
    "S3",
    "GetBucketLifecycleConfiguration",
    "s3:GetLifecycleConfiguration"
);
const VERSIONING: Operation = op!("S3", "GetBucketVersioning", "s3:GetBucketVersioning");
const PUBLIC_ACCESS: Operation = op!(
    "S3",
    "GetPublicAccessBlock",
    "s3:GetBucketPublicAccessBlock"
);
const TAGGING: Operation = op!("S3", "GetBucketTagging", "s3:GetBucketTagging");
const BUCKET: &str = "AWS::S3::Bucket";

pub static SERVICE: Service = Service {
    name: "s3",
    global: true,
    operations: &[
        LIST,
        LOCATION,
        ENCRYPTION,
        LIFECYCLE,
        VERSIONING,
        PUBLIC_ACCESS,
        TAGGING,
    ],
    resource_types: &[BUCKET],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

fn client_for(ctx: &Ctx, region: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        // Path-style requests keep the host fixed (no bucket-name DNS), which also suits emulators.
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let client = client_for(ctx, region);
    let mut batch = Batch::default();
    let listed = {
        let _permit = ctx.permit().await;
        client.list_buckets().send().await
    };
    let buckets = match listed {
        Ok(out) => out.buckets().to_vec(),
        Err(e) => {
            batch.fail(ctx, "s3", region, &LIST, &[BUCKET], e.into());
            return batch;
        }
    };
    // ListBuckets names each bucket's region; where it does not, GetBucketLocation does, one
    // bucket at a time, so those calls run side by side.
    let regions = join_all(buckets.iter().map(|b| async {
        match b.bucket_region() {
            Some(r) => Ok(r.to_string()),
            None => location(ctx, &client, b.name().unwrap_or_default()).await,
        }
    }))
    .await;
    let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    let mut located = Vec::new();
    for (b, bucket_region) in buckets.iter().zip(regions) {
        let bucket_region = match bucket_region {
            Ok(r) => r,
            Err(failure) => {
                batch.fail(ctx, "s3", region, &LOCATION, &[BUCKET], failure);
                continue;
            }
        };
        clients
            .entry(bucket_region.clone())
            .or_insert_with(|| client_for(ctx, &bucket_region));
        located.push((b.clone(), bucket_region));
    }
    // Settings no loaded policy reads are not asked for, for any bucket.
    for op in SETTINGS {
        if !wanted(ctx, op) {
            batch.not_collected(ctx, "s3", ANY_REGION, op, &[BUCKET], &[property_of(op)]);
        }
    }
    let results = join_all(located.iter().map(|(b, r)| bucket(ctx, &clients[r], r, b))).await;
    for (found, failures) in results {
        let bucket_name = found.0.resource_id.clone();
        batch.push(found.0);
        for (op, failure) in failures {
            batch.fail_properties(
                ctx,
                "s3",
                &found.1,
                op,
                &[BUCKET],
                &[property_of(op)],
                failure,
            );
            batch.for_resource(&bucket_name);
        }
    }
    batch
}

/// The per-bucket calls, each filling one setting.
const SETTINGS: [&Operation; 5] = [
    &ENCRYPTION,
    &LIFECYCLE,
    &VERSIONING,
    &PUBLIC_ACCESS,
    &TAGGING,
];

/// Whether some loaded policy reads the setting `op` fills.
fn wanted(ctx: &Ctx, op: &Operation) -> bool {
    ctx.plan.wants(BUCKET, &[property_of(op)])
}

/// Runs one per-bucket call when its setting is wanted, in a request slot.
async fn setting<T>(
    ctx: &Ctx,
    op: &Operation,
    call: impl std::future::Future<Output = Result<Option<T>, Failure>>,
) -> Option<Result<Option<T>, Failure>> {
    if !wanted(ctx, op) {
        return None;
    }
    let _permit = ctx.permit().await;
    Some(call.await)
}

/// The configuration-item property each per-bucket call fills.
fn property_of(op: &Operation) -> &'static str {
    match op.name {
        "GetBucketEncryption" => "supplementaryConfiguration.ServerSideEncryptionConfiguration",
        "GetBucketLifecycleConfiguration" => {
            "supplementaryConfiguration.BucketLifecycleConfiguration"
        }
        "GetBucketVersioning" => "supplementaryConfiguration.BucketVersioningConfiguration",
        "GetPublicAccessBlock" => "supplementaryConfiguration.PublicAccessBlockConfiguration",
        _ => "tags",
    }
}

async fn location(ctx: &Ctx, client: &aws_sdk_s3::Client, name: &str) -> Result<String, Failure> {
    let out = {
        let _permit = ctx.permit().await;
        client.get_bucket_location().bucket(name).send().await
    }?;
    // An empty location constraint is us-east-1 (the API's historical quirk).
    Ok(out
        .location_constraint()
        .map(|c| c.as_str().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "us-east-1".to_string()))
}

/// `Ok(None)` for the "not configured" error codes, which are answers, not failures.
fn absent_if<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    codes: &[&str],
) -> Result<Option<T>, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code().is_some_and(|c| codes.contains(&c)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The rule-level `Prefix`, which S3 deprecated for `Filter` but still returns for rules written
/// that way; AWS Config records it as `prefix`.
#[allow(deprecated)]
fn legacy_prefix(rule: &aws_sdk_s3::types::LifecycleRule) -> Option<&str> {
    rule.prefix()
}

/// A lifecycle rule's filter as AWS Config records it (`filter.predicate`), so policies can tell a
/// rule that covers the whole bucket from one limited to a prefix, tag or object size; without it a
/// narrowed expiring rule would read as whole-bucket. No predicate (`null`, dropped by `compact`)
/// for an empty filter, which covers the whole bucket.
fn lifecycle_predicate(filter: &aws_sdk_s3::types::LifecycleRuleFilter) -> Value {
    let mut operands = lifecycle_operands(
        filter.prefix(),
        filter.tag().into_iter(),
        filter.object_size_greater_than(),
        filter.object_size_less_than(),
    );
    let and = filter.and().map(|a| {
        lifecycle_operands(
            a.prefix(),
            a.tags().iter(),
            a.object_size_greater_than(),
            a.object_size_less_than(),
        )
    });
    match and {
        // A single condition is that predicate; an `And` (or, defensively, several conditions set
        // side by side) is AWS Config's `LifecycleAndOperator`.
        None if operands.len() <= 1 => operands.pop().unwrap_or(Value::Null),
        and => {
            operands.extend(and.into_iter().flatten());
            json!({"type": "LifecycleAndOperator", "operands": operands})
        }
    }
}

/// The predicates of one filter level, in AWS Config's shape.
fn lifecycle_operands<'a>(
    prefix: Option<&str>,
    tags: impl Iterator<Item = &'a aws_sdk_s3::types::Tag>,
    greater_than: Option<i64>,
    less_than: Option<i64>,
) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(p) = prefix {
        out.push(json!({"type": "LifecyclePrefixPredicate", "prefix": p}));
    }
    for t in tags {
        out.push(json!({
            "type": "LifecycleTagPredicate",
            "tag": {"key": t.key(), "value": t.value()},
        }));
    }
    if let Some(n) = greater_than {
        out.push(json!({
            "type": "LifecycleObjectSizeGreaterThanPredicate",
            "objectSizeGreaterThan": n,
        }));
    }
    if let Some(n) = less_than {
        out.push(json!({
            "type": "LifecycleObjectSizeLessThanPredicate",
            "objectSizeLessThan": n,
        }));
    }
    out
}

type BucketResult = (
    (crate::inventory::ConfigurationItem, String),
    Vec<(&'static Operation, Failure)>,
);

async fn bucket(
    ctx: &Ctx,
    client: &aws_sdk_s3::Client,
    region: &str,
    b: &aws_sdk_s3::types::Bucket,
) -> BucketResult {
    let name = b.name().unwrap_or_default();
    let mut failures = Vec::new();
    let mut supplementary = serde_json::Map::new();
    let mut bucket_tags = Value::Object(Default::default());

    // The five settings are independent: asked for side by side, each in its own slot.
    let (encryption, lifecycle, versioning, public_access, tagging) = tokio::join!(
        setting(ctx, &ENCRYPTION, async {
            absent_if(
                client.get_bucket_encryption().bucket(name).send().await,
                &["ServerSideEncryptionConfigurationNotFoundError"],
            )
        }),
        setting(ctx, &LIFECYCLE, async {
            absent_if(
                client
                    .get_bucket_lifecycle_configuration()
                    .bucket(name)
                    .send()
                    .await,
                &["NoSuchLifecycleConfiguration"],
            )
        }),
        setting(ctx, &VERSIONING, async {
            absent_if(
                client.get_bucket_versioning().bucket(name).send().await,
                &[],
            )
        }),
        setting(ctx, &PUBLIC_ACCESS, async {
            absent_if(
                client.get_public_access_block().bucket(name).send().await,
                &["NoSuchPublicAccessBlockConfiguration"],
            )
        }),
        setting(ctx, &TAGGING, async {
            absent_if(
                client.get_bucket_tagging().bucket(name).send().await,
                &["NoSuchTagSet"],
            )
        }),
    );

    match encryption {
        None => {}
        Some(Ok(found)) => {
            let rules: Vec<Value> = found
                .as_ref()
                .and_then(|o| o.server_side_encryption_configuration())
                .map(|c| {
                    c.rules()
                        .iter()
                        .map(|r| compact(json!({
                            "applyServerSideEncryptionByDefault": r.apply_server_side_encryption_by_default().map(|d| json!({
                                "sseAlgorithm": d.sse_algorithm().as_str(),
                                "kmsMasterKeyID": d.kms_master_key_id(),
                            })),
                            "bucketKeyEnabled": r.bucket_key_enabled(),
                        })))
                        .collect()
                })
                .unwrap_or_default();
            supplementary.insert(
                "ServerSideEncryptionConfiguration".into(),
                json!({"rules": rules}),
            );
        }
        Some(Err(f)) => failures.push((&ENCRYPTION, f)),
    }

    match lifecycle {
        None => {}
        Some(Ok(found)) => {
            let rules: Vec<Value> = found
                .as_ref()
                .map(|o| {
                    o.rules()
                        .iter()
                        .map(|r| compact(json!({
                            "id": r.id(),
                            "prefix": legacy_prefix(r),
                            "filter": r.filter().map(|f| json!({"predicate": lifecycle_predicate(f)})),
                            "status": r.status().as_str(),
                            "expirationInDays": r.expiration().and_then(aws_sdk_s3::types::LifecycleExpiration::days),
                            "expirationDate": date(r.expiration().and_then(|e| e.date())),
                            "transitions": r.transitions().iter().map(|t| json!({
                                "days": t.days(),
                                "storageClass": t.storage_class().map(aws_sdk_s3::types::TransitionStorageClass::as_str),
                            })).collect::<Vec<_>>(),
                            "noncurrentVersionExpiration": r.noncurrent_version_expiration().map(|n| json!({"noncurrentDays": n.noncurrent_days()})),
                        })))
                        .collect()
                })
                .unwrap_or_default();
            supplementary.insert(
                "BucketLifecycleConfiguration".into(),
                json!({"rules": rules}),
            );
        }
        Some(Err(f)) => failures.push((&LIFECYCLE, f)),
    }

    match versioning {
        // No "not configured" code is passed, so an answer is always there.
        None | Some(Ok(None)) => {}
        Some(Ok(Some(v))) => {
            supplementary.insert(
                "BucketVersioningConfiguration".into(),
                compact(json!({
                    "status": v.status().map_or("Off", aws_sdk_s3::types::BucketVersioningStatus::as_str),
                    "isMfaDeleteEnabled": v.mfa_delete().map(|m| m.as_str() == "Enabled"),
                })),
            );
        }
        Some(Err(f)) => failures.push((&VERSIONING, f)),
    }

    match public_access {
        None => {}
        Some(Ok(found)) => {
            let block = found
                .as_ref()
                .and_then(|o| o.public_access_block_configuration());
            supplementary.insert(
                "PublicAccessBlockConfiguration".into(),
                json!({
                    "blockPublicAcls": block.and_then(aws_sdk_s3::types::PublicAccessBlockConfiguration::block_public_acls).unwrap_or(false),
                    "ignorePublicAcls": block.and_then(aws_sdk_s3::types::PublicAccessBlockConfiguration::ignore_public_acls).unwrap_or(false),
                    "blockPublicPolicy": block.and_then(aws_sdk_s3::types::PublicAccessBlockConfiguration::block_public_policy).unwrap_or(false),
                    "restrictPublicBuckets": block.and_then(aws_sdk_s3::types::PublicAccessBlockConfiguration::restrict_public_buckets).unwrap_or(false),
                }),
            );
        }
        Some(Err(f)) => failures.push((&PUBLIC_ACCESS, f)),
    }

    match tagging {
        None => bucket_tags = Value::Null,
        Some(Ok(found)) => {
            if let Some(out) = found {
                bucket_tags = tags(
                    out.tag_set()
                        .iter()
                        .map(|t| (Some(t.key()), Some(t.value()))),
                );
            }
        }
        Some(Err(f)) => failures.push((&TAGGING, f)),
    }

    let arn = format!("arn:aws:s3:::{name}");
    let configuration = compact(json!({"name": name, "creationDate": date(b.creation_date())}));
    let found = item(
        ctx,
        BUCKET,
        region,
        name,
        Some(name),
        Some(&arn),
        configuration,
        Value::Object(supplementary),
        bucket_tags,
    );
    ((found, region.to_string()), failures)
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::types::{LifecycleRuleAndOperator, LifecycleRuleFilter, Tag};
    use serde_json::json;

    use super::lifecycle_predicate;

    fn tag(key: &str, value: &str) -> Tag {
        Tag::builder().key(key).value(value).build().unwrap()
    }

    // moto drops size filters, so these shapes are checked here rather than in tests/live.rs.
    #[test]
    fn lifecycle_filters_take_aws_configs_shape() {
        let f = LifecycleRuleFilter::builder();
        assert_eq!(
            lifecycle_predicate(&f.clone().prefix("").build()),
            json!({"type": "LifecyclePrefixPredicate", "prefix": ""})
        );
        assert_eq!(lifecycle_predicate(&f.clone().build()), json!(null));
        assert_eq!(
            lifecycle_predicate(&f.clone().tag(tag("ACTION", "PURGE")).build()),
            json!({"type": "LifecycleTagPredicate", "tag": {"key": "ACTION", "value": "PURGE"}})
        );
        assert_eq!(
            lifecycle_predicate(&f.clone().object_size_greater_than(1024).build()),
            json!({"type": "LifecycleObjectSizeGreaterThanPredicate", "objectSizeGreaterThan": 1024})
        );
        assert_eq!(
            lifecycle_predicate(&f.clone().object_size_less_than(10).build()),
            json!({"type": "LifecycleObjectSizeLessThanPredicate", "objectSizeLessThan": 10})
        );
        let and = LifecycleRuleAndOperator::builder()
            .prefix("logs/")
            .tags(tag("a", "b"))
            .object_size_greater_than(1)
            .object_size_less_than(100)
            .build();
        assert_eq!(
            lifecycle_predicate(&f.and(and).build()),
            json!({"type": "LifecycleAndOperator", "operands": [
                {"type": "LifecyclePrefixPredicate", "prefix": "logs/"},
                {"type": "LifecycleTagPredicate", "tag": {"key": "a", "value": "b"}},
                {"type": "LifecycleObjectSizeGreaterThanPredicate", "objectSizeGreaterThan": 1},
                {"type": "LifecycleObjectSizeLessThanPredicate", "objectSizeLessThan": 100},
            ]})
        );
    }
}
