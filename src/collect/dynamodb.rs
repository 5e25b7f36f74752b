//! DynamoDB: tables (encryption) and their continuous backups. ListTables returns names only, so
//! DescribeTable and DescribeContinuousBackups are per table, run concurrently.

use serde_json::{Value, json};

use super::support::{Batch, Failure, compact, date, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service, join_all};

const LIST: Operation = op!("DynamoDB", "ListTables", "dynamodb:ListTables");
const DESCRIBE: Operation = op!("DynamoDB", "DescribeTable", "dynamodb:DescribeTable");
const BACKUPS: Operation = op!(
    "DynamoDB",
    "DescribeContinuousBackups",
    "dynamodb:DescribeContinuousBackups"
);
const TABLE: &str = "AWS::DynamoDB::Table";

pub static SERVICE: Service = Service {
    name: "dynamodb",
    global: false,
    operations: &[LIST, DESCRIBE, BACKUPS],
    resource_types: &[TABLE],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

/// What DescribeContinuousBackups fills.
const BACKUPS_PROPERTY: &[&str] = &["supplementaryConfiguration.ContinuousBackupsDescription"];

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_dynamodb::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let mut batch = Batch::default();
    let mut names: Vec<String> = Vec::new();
    for_each_page!(
        ctx,
        batch,
        "dynamodb",
        region,
        LIST,
        &[TABLE],
        client.list_tables().into_paginator().send(),
        |out| {
            names.extend(out.table_names().iter().cloned());
        }
    );
    let backups_wanted = ctx.plan.wants(TABLE, BACKUPS_PROPERTY);
    if !backups_wanted {
        batch.not_collected(
            ctx,
            "dynamodb",
            region,
            &BACKUPS,
            &[TABLE],
            BACKUPS_PROPERTY,
        );
    }
    let tables = join_all(
        names
            .iter()
            .map(|name| table(ctx, &client, region, name, backups_wanted)),
    )
    .await;
    for (found, failures) in tables {
        batch.items.extend(found);
        for (op, failure) in failures {
            // Without DescribeTable the table is unknown; without backups, only its backup settings.
            let properties: &[&str] = if op.name == BACKUPS.name {
                BACKUPS_PROPERTY
            } else {
                &[]
            };
            batch.fail_properties(ctx, "dynamodb", region, op, &[TABLE], properties, failure);
        }
    }
    batch
}

async fn table(
    ctx: &Ctx,
    client: &aws_sdk_dynamodb::Client,
    region: &str,
    name: &str,
    backups_wanted: bool,
) -> (
    Option<crate::inventory::ConfigurationItem>,
    Vec<(&'static Operation, Failure)>,
) {
    let mut failures = Vec::new();
    let described = {
        let _permit = ctx.permit().await;
        client.describe_table().table_name(name).send().await
    };
    let table = match described {
        Ok(out) => match out.table() {
            Some(t) => t.clone(),
            None => return (None, failures),
        },
        Err(e) => {
            failures.push((&DESCRIBE, e.into()));
            return (None, failures);
        }
    };
    let backups = if backups_wanted {
        let _permit = ctx.permit().await;
        Some(
            client
                .describe_continuous_backups()
                .table_name(name)
                .send()
                .await,
        )
    } else {
        None
    };
    let supplementary = match backups {
        None => Value::Object(Default::default()),
        Some(Ok(out)) => compact(
            json!({"ContinuousBackupsDescription": out.continuous_backups_description().map(|d| json!({
                "continuousBackupsStatus": d.continuous_backups_status().as_str(),
                "pointInTimeRecoveryDescription": d.point_in_time_recovery_description().map(|p| json!({
                    "pointInTimeRecoveryStatus": p.point_in_time_recovery_status().map(aws_sdk_dynamodb::types::PointInTimeRecoveryStatus::as_str),
                    "earliestRestorableDateTime": date(p.earliest_restorable_date_time()),
                })),
            }))}),
        ),
        Some(Err(e)) => {
            failures.push((&BACKUPS, e.into()));
            Value::Object(Default::default())
        }
    };
    // An absent SSE description means the default AWS owned key; AWS Config leaves it absent too.
    let configuration = compact(json!({
        "tableName": table.table_name(),
        "tableArn": table.table_arn(),
        "tableStatus": table.table_status().map(aws_sdk_dynamodb::types::TableStatus::as_str),
        "ssedescription": table.sse_description().map(|s| json!({
            "status": s.status().map(aws_sdk_dynamodb::types::SseStatus::as_str),
            "ssetype": s.sse_type().map(aws_sdk_dynamodb::types::SseType::as_str),
            "kmsmasterKeyArn": s.kms_master_key_arn(),
        })),
    }));
    let found = item(
        ctx,
        TABLE,
        region,
        name,
        Some(name),
        table.table_arn(),
        configuration,
        supplementary,
        Value::Null,
    );
    (Some(found), failures)
}
