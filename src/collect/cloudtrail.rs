//! CloudTrail: trails whose home is this region (shadow copies of multi-region trails are skipped,
//! so each trail appears once) with their logging status.

use serde_json::{Value, json};

use super::support::{Batch, compact, date, item, op};
use super::{BoxFuture, Ctx, Operation, Service, join_all};

const DESCRIBE: Operation = op!("CloudTrail", "DescribeTrails", "cloudtrail:DescribeTrails");
const STATUS: Operation = op!("CloudTrail", "GetTrailStatus", "cloudtrail:GetTrailStatus");
const TRAIL: &str = "AWS::CloudTrail::Trail";

pub static SERVICE: Service = Service {
    name: "cloudtrail",
    global: false,
    operations: &[DESCRIBE, STATUS],
    resource_types: &[TRAIL],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

/// What GetTrailStatus fills.
const STATUS_PROPERTY: &[&str] = &["supplementaryConfiguration.TrailStatus"];

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_cloudtrail::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_cloudtrail::Client::from_conf(config);
    let mut batch = Batch::default();
    let described = {
        let _permit = ctx.permit().await;
        client
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await
    };
    let trails = match described {
        Ok(out) => out.trail_list().to_vec(),
        Err(e) => {
            batch.fail(ctx, "cloudtrail", region, &DESCRIBE, &[TRAIL], e.into());
            return batch;
        }
    };
    let status_wanted = ctx.plan.wants(TRAIL, STATUS_PROPERTY);
    if !status_wanted {
        batch.not_collected(
            ctx,
            "cloudtrail",
            region,
            &STATUS,
            &[TRAIL],
            STATUS_PROPERTY,
        );
    }
    // GetTrailStatus is per trail: the trails are read side by side.
    let statuses = join_all(trails.iter().map(|t| async {
        if !status_wanted {
            return None;
        }
        let _permit = ctx.permit().await;
        let name = t.trail_arn().or(t.name()).unwrap_or_default();
        Some(client.get_trail_status().name(name).send().await)
    }))
    .await;
    for (t, status) in trails.into_iter().zip(statuses) {
        let name = t.name().unwrap_or_default().to_string();
        let supplementary = match status {
            None => Value::Object(Default::default()),
            Some(Ok(s)) => compact(json!({"TrailStatus": {
                "isLogging": s.is_logging(),
                "latestDeliveryTime": date(s.latest_delivery_time()),
                "startLoggingTime": date(s.start_logging_time()),
                "stopLoggingTime": date(s.stop_logging_time()),
            }})),
            Some(Err(e)) => {
                batch.fail_properties(
                    ctx,
                    "cloudtrail",
                    region,
                    &STATUS,
                    &[TRAIL],
                    STATUS_PROPERTY,
                    e.into(),
                );
                batch.for_resource(&name);
                Value::Object(Default::default())
            }
        };
        let configuration = compact(json!({
            "name": t.name(),
            "trailARN": t.trail_arn(),
            "homeRegion": t.home_region(),
            "isMultiRegionTrail": t.is_multi_region_trail(),
            "isOrganizationTrail": t.is_organization_trail(),
            "includeGlobalServiceEvents": t.include_global_service_events(),
            "logFileValidationEnabled": t.log_file_validation_enabled(),
            "kmsKeyId": t.kms_key_id(),
            "s3BucketName": t.s3_bucket_name(),
            "cloudWatchLogsLogGroupArn": t.cloud_watch_logs_log_group_arn(),
        }));
        batch.push(item(
            ctx,
            TRAIL,
            region,
            name.clone(),
            Some(&name),
            t.trail_arn(),
            configuration,
            supplementary,
            Value::Null,
        ));
    }
    batch
}
