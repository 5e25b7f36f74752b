//! Secrets Manager: rotation settings and dates from ListSecrets alone. Never reads secret values.

use serde_json::{Value, json};

use super::support::{Batch, compact, date, for_each_page, item, op, tags};
use super::{BoxFuture, Ctx, Operation, Service};

const LIST: Operation = op!(
    "Secrets Manager",
    "ListSecrets",
    "secretsmanager:ListSecrets"
);
const SECRET: &str = "AWS::SecretsManager::Secret";

pub static SERVICE: Service = Service {
    name: "secretsmanager",
    global: false,
    operations: &[LIST],
    resource_types: &[SECRET],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_secretsmanager::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_secretsmanager::Client::from_conf(config);
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "secretsmanager",
        region,
        LIST,
        &[SECRET],
        client.list_secrets().into_paginator().send(),
        |out| {
            for s in out.secret_list() {
                let configuration = compact(json!({
                    "ARN": s.arn(),
                    "Name": s.name(),
                    "Description": s.description(),
                    "KMSKeyId": s.kms_key_id(),
                    "RotationEnabled": s.rotation_enabled().unwrap_or(false),
                    "RotationLambdaARN": s.rotation_lambda_arn(),
                    "RotationRules": s.rotation_rules().map(|r| json!({
                        "AutomaticallyAfterDays": r.automatically_after_days(),
                        "ScheduleExpression": r.schedule_expression(),
                        "Duration": r.duration(),
                    })),
                    "LastRotatedDate": date(s.last_rotated_date()),
                    "LastChangedDate": date(s.last_changed_date()),
                    "NextRotationDate": date(s.next_rotation_date()),
                    "CreatedDate": date(s.created_date()),
                }));
                let arn = s.arn().unwrap_or_default();
                batch.push(item(
                    ctx,
                    SECRET,
                    region,
                    arn,
                    s.name(),
                    s.arn(),
                    configuration,
                    Value::Null,
                    tags(s.tags().iter().map(|t| (t.key(), t.value()))),
                ));
            }
        }
    );
    batch
}
