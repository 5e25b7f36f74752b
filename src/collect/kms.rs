//! KMS: keys with their metadata, and rotation status (with the period) for customer-managed keys.
//! ListKeys returns only IDs, so DescribeKey and GetKeyRotationStatus are per key. A key has no
//! name of its own: people know it by its alias (ListAliases), which reports show.

use serde_json::{Value, json};

use super::support::{Batch, compact, date, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service};

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
    let mut batch = Batch::default();
    let mut ids = Vec::new();
    for_each_page!(
        ctx,
        batch,
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
    );
    let aliases = aliases(ctx, &client, region, &mut batch).await;
    for id in ids {
        let described = {
            let _permit = ctx.permit().await;
            client.describe_key().key_id(&id).send().await
        };
        let meta = match described {
            Ok(out) => match out.key_metadata() {
                Some(m) => m.clone(),
                None => continue,
            },
            Err(e) => {
                batch.fail(ctx, "kms", region, &DESCRIBE, &[KEY], e.into());
                continue;
            }
        };
        let customer = meta.key_manager().is_some_and(|m| m.as_str() == "CUSTOMER");
        let symmetric = meta
            .key_spec()
            .is_some_and(|s| s.as_str() == "SYMMETRIC_DEFAULT");
        let enabled = meta.key_state().is_some_and(|s| s.as_str() == "Enabled");
        let mut supplementary = serde_json::Map::new();
        // Rotation applies to enabled symmetric customer keys; asking about others only errors.
        if customer && symmetric && enabled {
            let rotation = {
                let _permit = ctx.permit().await;
                client.get_key_rotation_status().key_id(&id).send().await
            };
            match rotation {
                Ok(r) => {
                    supplementary
                        .insert("KeyRotationStatus".into(), r.key_rotation_enabled().into());
                    if let Some(days) = r.rotation_period_in_days() {
                        supplementary.insert("RotationPeriodInDays".into(), days.into());
                    }
                    let next = date(r.next_rotation_date());
                    if !next.is_null() {
                        supplementary.insert("NextRotationDate".into(), next);
                    }
                }
                Err(e) => {
                    batch.fail_properties(
                        ctx,
                        "kms",
                        region,
                        &ROTATION,
                        &[KEY],
                        &[
                            "supplementaryConfiguration.KeyRotationStatus",
                            "supplementaryConfiguration.RotationPeriodInDays",
                        ],
                        e.into(),
                    );
                    batch.for_resource(&id);
                }
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
        batch.push(item(
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
    }
    batch
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
