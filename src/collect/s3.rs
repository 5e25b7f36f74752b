//! S3 (listed once, globally): buckets with their region, default encryption, lifecycle rules,
//! versioning, public access block and tags. A failed per-bucket call leaves only its setting
//! unknown, so only policies reading that setting give `error`. There is no batch API for bucket settings, so the
//! per-bucket calls run concurrently. Never reads object data.

use std::collections::BTreeMap;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Value, json};

use super::support::{Batch, Failure, compact, date, item, op, tags};
use super::{BoxFuture, Ctx, Operation, Service, join_all};

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
    let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    let mut located = Vec::new();
    for b in &buckets {
        let name = b.name().unwrap_or_default().to_string();
        let bucket_region = match b.bucket_region() {
            Some(r) => r.to_string(),
            None => match location(ctx, &client, &name).await {
                Ok(r) => r,
                Err(failure) => {
                    batch.fail(ctx, "s3", region, &LOCATION, &[BUCKET], failure);
                    continue;
                }
            },
        };
        clients
            .entry(bucket_region.clone())
            .or_insert_with(|| client_for(ctx, &bucket_region));
        located.push((b.clone(), bucket_region));
    }
    let results = join_all(located.iter().map(|(b, r)| bucket(ctx, &clients[r], r, b))).await;
    for (found, failures) in results {
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
        }
    }
    batch
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
    R: std::fmt::Debug,
{
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code().is_some_and(|c| codes.contains(&c)) => Ok(None),
        Err(e) => Err(e.into()),
    }
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

    let encryption = {
        let _permit = ctx.permit().await;
        absent_if(
            client.get_bucket_encryption().bucket(name).send().await,
            &["ServerSideEncryptionConfigurationNotFoundError"],
        )
    };
    match encryption {
        Ok(found) => {
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
        Err(f) => failures.push((&ENCRYPTION, f)),
    }

    let lifecycle = {
        let _permit = ctx.permit().await;
        absent_if(
            client
                .get_bucket_lifecycle_configuration()
                .bucket(name)
                .send()
                .await,
            &["NoSuchLifecycleConfiguration"],
        )
    };
    match lifecycle {
        Ok(found) => {
            let rules: Vec<Value> = found
                .as_ref()
                .map(|o| {
                    o.rules()
                        .iter()
                        .map(|r| compact(json!({
                            "id": r.id(),
                            "status": r.status().as_str(),
                            "expirationInDays": r.expiration().and_then(|e| e.days()),
                            "expirationDate": date(r.expiration().and_then(|e| e.date())),
                            "transitions": r.transitions().iter().map(|t| json!({
                                "days": t.days(),
                                "storageClass": t.storage_class().map(|s| s.as_str()),
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
        Err(f) => failures.push((&LIFECYCLE, f)),
    }

    let versioning = {
        let _permit = ctx.permit().await;
        client.get_bucket_versioning().bucket(name).send().await
    };
    match versioning {
        Ok(v) => {
            supplementary.insert(
                "BucketVersioningConfiguration".into(),
                compact(json!({
                    "status": v.status().map(|s| s.as_str()).unwrap_or("Off"),
                    "isMfaDeleteEnabled": v.mfa_delete().map(|m| m.as_str() == "Enabled"),
                })),
            );
        }
        Err(e) => failures.push((&VERSIONING, e.into())),
    }

    let public_access = {
        let _permit = ctx.permit().await;
        absent_if(
            client.get_public_access_block().bucket(name).send().await,
            &["NoSuchPublicAccessBlockConfiguration"],
        )
    };
    match public_access {
        Ok(found) => {
            let block = found
                .as_ref()
                .and_then(|o| o.public_access_block_configuration());
            supplementary.insert(
                "PublicAccessBlockConfiguration".into(),
                json!({
                    "blockPublicAcls": block.and_then(|b| b.block_public_acls()).unwrap_or(false),
                    "ignorePublicAcls": block.and_then(|b| b.ignore_public_acls()).unwrap_or(false),
                    "blockPublicPolicy": block.and_then(|b| b.block_public_policy()).unwrap_or(false),
                    "restrictPublicBuckets": block.and_then(|b| b.restrict_public_buckets()).unwrap_or(false),
                }),
            );
        }
        Err(f) => failures.push((&PUBLIC_ACCESS, f)),
    }

    let tagging = {
        let _permit = ctx.permit().await;
        absent_if(
            client.get_bucket_tagging().bucket(name).send().await,
            &["NoSuchTagSet"],
        )
    };
    match tagging {
        Ok(found) => {
            if let Some(out) = found {
                bucket_tags = tags(
                    out.tag_set()
                        .iter()
                        .map(|t| (Some(t.key()), Some(t.value()))),
                );
            }
        }
        Err(f) => failures.push((&TAGGING, f)),
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
