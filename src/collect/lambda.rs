//! Lambda: functions (where code runs matters for residency claims).

use serde_json::{Value, json};

use super::support::{Batch, compact, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service};

const LIST: Operation = op!("Lambda", "ListFunctions", "lambda:ListFunctions");
const FUNCTION: &str = "AWS::Lambda::Function";

pub static SERVICE: Service = Service {
    name: "lambda",
    global: false,
    operations: &[LIST],
    resource_types: &[FUNCTION],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_lambda::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_lambda::Client::from_conf(config);
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "lambda",
        region,
        LIST,
        &[FUNCTION],
        client.list_functions().into_paginator().send(),
        |out| {
            for f in out.functions() {
                let configuration = compact(json!({
                    "functionName": f.function_name(),
                    "functionArn": f.function_arn(),
                    "runtime": f.runtime().map(aws_sdk_lambda::types::Runtime::as_str),
                    "kmsKeyArn": f.kms_key_arn(),
                    "lastModified": f.last_modified(),
                }));
                let name = f.function_name().unwrap_or_default();
                batch.push(item(
                    ctx,
                    FUNCTION,
                    region,
                    name,
                    Some(name),
                    f.function_arn(),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    batch
}
