//! Elastic Load Balancing v2: load balancers and their listeners (protocol, TLS policy, default
//! actions). Listeners are listed per load balancer.

use serde_json::{Value, json};

use super::support::{Batch, compact, for_each_page, item, op};
use super::{BoxFuture, Ctx, Operation, Service, join_all};

const BALANCERS: Operation = op!(
    "Elastic Load Balancing v2",
    "DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancers"
);
const LISTENERS: Operation = op!(
    "Elastic Load Balancing v2",
    "DescribeListeners",
    "elasticloadbalancing:DescribeListeners"
);
const BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";

pub static SERVICE: Service = Service {
    name: "elbv2",
    global: false,
    operations: &[BALANCERS, LISTENERS],
    resource_types: &[BALANCER, LISTENER],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_elasticloadbalancingv2::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_elasticloadbalancingv2::Client::from_conf(config);
    let mut batch = Batch::default();
    let mut arns: Vec<String> = Vec::new();
    // Without the balancer list, listeners are unknown too.
    for_each_page!(
        ctx,
        batch,
        "elbv2",
        region,
        BALANCERS,
        &[BALANCER, LISTENER],
        client.describe_load_balancers().into_paginator().send(),
        |out| {
            for lb in out.load_balancers() {
                let configuration = compact(json!({
                    "LoadBalancerArn": lb.load_balancer_arn(),
                    "LoadBalancerName": lb.load_balancer_name(),
                    "Scheme": lb.scheme().map(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::as_str),
                    "Type": lb.r#type().map(aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum::as_str),
                    "VpcId": lb.vpc_id(),
                    "SecurityGroups": lb.security_groups(),
                }));
                let arn = lb.load_balancer_arn().unwrap_or_default();
                arns.push(arn.to_string());
                batch.push(item(
                    ctx,
                    BALANCER,
                    region,
                    arn,
                    lb.load_balancer_name(),
                    Some(arn),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    // Listeners are their own type: listed only when some policy reads them.
    if batch.skip_unread(ctx, "elbv2", region, &LISTENERS, &[LISTENER]) {
        arns.clear();
    }
    // DescribeListeners is per load balancer: the balancers are read side by side.
    let listeners = join_all(arns.iter().map(|arn| listeners(ctx, &client, region, arn))).await;
    Batch::concat(std::iter::once(batch).chain(listeners))
}

async fn listeners(
    ctx: &Ctx,
    client: &aws_sdk_elasticloadbalancingv2::Client,
    region: &str,
    arn: &str,
) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "elbv2",
        region,
        LISTENERS,
        &[LISTENER],
        client
            .describe_listeners()
            .load_balancer_arn(arn)
            .into_paginator()
            .send(),
        |out| {
            for l in out.listeners() {
                let actions: Vec<Value> = l
                    .default_actions()
                    .iter()
                    .map(|a| {
                        compact(json!({
                            "Type": a.r#type().map(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::as_str),
                            "Order": a.order(),
                            "TargetGroupArn": a.target_group_arn(),
                            "RedirectConfig": a.redirect_config().map(|r| json!({
                                "Protocol": r.protocol(),
                                "Port": r.port(),
                                "Host": r.host(),
                                "StatusCode": r.status_code().map(aws_sdk_elasticloadbalancingv2::types::RedirectActionStatusCodeEnum::as_str),
                            })),
                        }))
                    })
                    .collect();
                let configuration = compact(json!({
                    "ListenerArn": l.listener_arn(),
                    "LoadBalancerArn": l.load_balancer_arn(),
                    "Port": l.port(),
                    "Protocol": l.protocol().map(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::as_str),
                    "SslPolicy": l.ssl_policy(),
                    "DefaultActions": actions,
                }));
                let listener_arn = l.listener_arn().unwrap_or_default();
                batch.push(item(
                    ctx,
                    LISTENER,
                    region,
                    listener_arn,
                    None,
                    Some(listener_arn),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    batch
}
