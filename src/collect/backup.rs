//! AWS Backup: vaults with their encryption key (the listing carries it).

use serde_json::{Value, json};

use super::support::{Batch, compact, date, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service};

const LIST: Operation = op!("Backup", "ListBackupVaults", "backup:ListBackupVaults");
const VAULT: &str = "AWS::Backup::BackupVault";

pub static SERVICE: Service = Service {
    name: "backup",
    global: false,
    operations: &[LIST],
    resource_types: &[VAULT],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_backup::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_backup::Client::from_conf(config);
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "backup",
        region,
        LIST,
        &[VAULT],
        client.list_backup_vaults().into_paginator().send(),
        |out| {
            for v in out.backup_vault_list() {
                let configuration = compact(json!({
                    "BackupVaultName": v.backup_vault_name(),
                    "BackupVaultArn": v.backup_vault_arn(),
                    "EncryptionKeyArn": v.encryption_key_arn(),
                    "CreationDate": date(v.creation_date()),
                    "Locked": v.locked(),
                }));
                let name = v.backup_vault_name().unwrap_or_default();
                batch.push(item(
                    ctx,
                    VAULT,
                    region,
                    name,
                    Some(name),
                    v.backup_vault_arn(),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    batch
}
