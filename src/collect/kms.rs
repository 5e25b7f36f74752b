//! KMS: keys with their metadata, and rotation status (with the period) for customer-managed keys.
//! ListKeys returns only IDs, so DescribeKey and GetKeyRotationStatus are per key. A key has no
//! name of its own: people know it by its alias (ListAliases), which reports show.

use serde_json::{Value, json};

use super::support::{Batch, Failure, compact, date, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service, join_all};
use crate::inventory::ConfigurationItem;

const LIST: Operation = op!("KMS", "ListKeys", "kms:ListKeys");
const DESCRIBE: Operation = op!("KMS", "DescribeKey", "kms:DescribeKey");
const ROTATION: Operation = op!("KMS", "GetKeyRotationStatus", "kms:GetKeyRotationStatus");
const ALIASES: Operation = op!("KMS", "ListAliases", "kms:ListAliases");
const KEY: &str = "AWS::KMS::Key";

pub static SERVICE: Service = Service {
    name: "kms",
    global: false,
    operations: &[LIST, DESCRIBE, ROTATION, ALIASES],
    resource_types: &[KEY],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_kms::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_kms::Client::from_conf(config);
    let mut ids = Vec::new();
    let mut listed = Batch::default();
    let mut named = Batch::default();
    // The keys and their aliases are listed side by side.
    let (_, aliases) = tokio::join!(
        async {
            for_each_page!(
                ctx,
                listed,
                "kms",
                region,
                LIST,
                &[KEY],
                client.list_keys().into_paginator().send(),
                |out| {
                    ids.extend(
                        out.keys()
                            .iter()
                            .filter_map(|k| k.key_id().map(str::to_string)),
                    );
                }
            )
        },
        aliases(ctx, &client, region, &mut named),
    );
    let mut batch = Batch::concat([listed, named]);
    let rotation_wanted = ctx.plan.wants(KEY, ROTATION_PROPERTIES);
    if !rotation_wanted {
        batch.not_collected(ctx, "kms", region, &ROTATION, &[KEY], ROTATION_PROPERTIES);
    }
    // DescribeKey and GetKeyRotationStatus are per key: the keys are read side by side.
    let keys = join_all(
        ids.iter()
            .map(|id| key(ctx, &client, region, id, &aliases, rotation_wanted)),
    )
    .await;
    for (id, found) in ids.iter().zip(keys) {
        match found {
            Key::Read(found) => batch.push(*found),
            Key::Gone => {}
            Key::Failed(e) => batch.fail(ctx, "kms", region, &DESCRIBE, &[KEY], e),
            Key::RotationFailed(found, e) => {
                batch.push(*found);
                batch.fail_properties(
                    ctx,
                    "kms",
                    region,
                    &ROTATION,
                    &[KEY],
                    ROTATION_PROPERTIES,
                    e,
                );
                batch.for_resource(id);
            }
        }
    }
    batch
}

/// What the properties GetKeyRotationStatus fills.
const ROTATION_PROPERTIES: &[&str] = &[
    "supplementaryConfiguration.KeyRotationStatus",
    "supplementaryConfiguration.RotationPeriodInDays",
    "supplementaryConfiguration.NextRotationDate",
];

/// One key as read.
enum Key {
    Read(Box<ConfigurationItem>),
    /// DescribeKey answered without metadata: nothing to record.
    Gone,
    Failed(Failure),
    /// The key, without its rotation settings.
    RotationFailed(Box<ConfigurationItem>, Failure),
}

async fn key(
    ctx: &Ctx,
    client: &aws_sdk_kms::Client,
    region: &str,
    id: &str,
    aliases: &std::collections::BTreeMap<String, String>,
    rotation_wanted: bool,
) -> Key {
    let described = {
        let _permit = ctx.permit().await;
        client.describe_key().key_id(id).send().await
    };
    let meta = match described {
        Ok(out) => match out.key_metadata() {
            Some(m) => m.clone(),
            None => return Key::Gone,
        },
        Err(e) => return Key::Failed(e.into()),
    };
    let customer = meta.key_manager().is_some_and(|m| m.as_str() == "CUSTOMER");
    let symmetric = meta
        .key_spec()
        .is_some_and(|s| s.as_str() == "SYMMETRIC_DEFAULT");
    let enabled = meta.key_state().is_some_and(|s| s.as_str() == "Enabled");
    let mut supplementary = serde_json::Map::new();
    let mut rotation_failed = None;
    // Rotation applies to enabled symmetric customer keys; asking about others only errors.
    if rotation_wanted && customer && symmetric && enabled {
        let rotation = {
            let _permit = ctx.permit().await;
            client.get_key_rotation_status().key_id(id).send().await
        };
        match rotation {
            Ok(r) => {
                supplementary.insert("KeyRotationStatus".into(), r.key_rotation_enabled().into());
                if let Some(days) = r.rotation_period_in_days() {
                    supplementary.insert("RotationPeriodInDays".into(), days.into());
                }
                let next = date(r.next_rotation_date());
                if !next.is_null() {
                    supplementary.insert("NextRotationDate".into(), next);
                }
            }
            Err(e) => rotation_failed = Some(Failure::from(e)),
        }
    }
    let configuration = compact(json!({
        "keyId": meta.key_id(),
        "arn": meta.arn(),
        "keyManager": meta.key_manager().map(aws_sdk_kms::types::KeyManagerType::as_str),
        "keyState": meta.key_state().map(aws_sdk_kms::types::KeyState::as_str),
        "keySpec": meta.key_spec().map(aws_sdk_kms::types::KeySpec::as_str),
        "keyUsage": meta.key_usage().map(aws_sdk_kms::types::KeyUsageType::as_str),
        "enabled": meta.enabled(),
        "origin": meta.origin().map(aws_sdk_kms::types::OriginType::as_str),
        "multiRegion": meta.multi_region(),
        "creationDate": date(meta.creation_date()),
        "description": meta.description(),
    }));
    let found = Box::new(item(
        ctx,
        KEY,
        region,
        meta.key_id(),
        aliases.get(meta.key_id()).map(String::as_str),
        meta.arn(),
        configuration,
        Value::Object(supplementary),
        Value::Null,
    ));
    match rotation_failed {
        Some(e) => Key::RotationFailed(found, e),
        None => Key::Read(found),
    }
}

/// Each key's alias (the first by name, when it has several), by key ID. The alias only names the
/// key in reports: a failure leaves keys unnamed and is recorded against `resourceName` alone, so
/// no check is affected.
async fn aliases(
    ctx: &Ctx,
    client: &aws_sdk_kms::Client,
    region: &str,
    batch: &mut Batch,
) -> std::collections::BTreeMap<String, String> {
    let mut names: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for_each_page!(
        ctx,
        batch,
        "kms",
        region,
        ALIASES,
        &[KEY],
        properties: &["resourceName"],
        client.list_aliases().into_paginator().send(),
        |out| {
            for alias in out.aliases() {
                if let (Some(key), Some(name)) = (alias.target_key_id(), alias.alias_name()) {
                    let entry = names
                        .entry(key.to_string())
                        .or_insert_with(|| name.to_string());
                    if name < entry.as_str() {
                        *entry = name.to_string();
                    }
                }
            }
        }
    );
    names
}
