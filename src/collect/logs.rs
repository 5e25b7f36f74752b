//! CloudWatch Logs: log groups with retention and KMS key, from one paginated listing.

use serde_json::{Value, json};

use super::support::{Batch, compact, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service};

const LIST: Operation = op!(
    "CloudWatch Logs",
    "DescribeLogGroups",
    "logs:DescribeLogGroups"
);
const GROUP: &str = "AWS::Logs::LogGroup";

pub static SERVICE: Service = Service {
    name: "logs",
    global: false,
    operations: &[LIST],
    resource_types: &[GROUP],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_cloudwatchlogs::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(config);
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "logs",
        region,
        LIST,
        &[GROUP],
        client.describe_log_groups().into_paginator().send(),
        |out| {
            for g in out.log_groups() {
                // Absent retentionInDays means "never expire": kept absent, as the API reports it.
                let configuration = compact(json!({
                    "logGroupName": g.log_group_name(),
                    "arn": g.arn(),
                    "retentionInDays": g.retention_in_days(),
                    "kmsKeyId": g.kms_key_id(),
                    "creationTime": g.creation_time(),
                    "storedBytes": g.stored_bytes(),
                    "logGroupClass": g.log_group_class().map(aws_sdk_cloudwatchlogs::types::LogGroupClass::as_str),
                }));
                let name = g.log_group_name().unwrap_or_default();
                batch.push(item(
                    ctx,
                    GROUP,
                    region,
                    name,
                    Some(name),
                    g.arn(),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    batch
}
