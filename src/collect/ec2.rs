//! EC2 networking and storage: VPCs, subnets, route tables, internet gateways, security groups,
//! network ACLs, EBS volumes, the account's EBS default encryption, and flow logs.

use serde_json::{Value, json};

use super::support::{Batch, compact, date, ec2_arn, for_each_page, item, name_tag, op, tags};
use super::{BoxFuture, Ctx, Operation, Service};

const VPCS: Operation = op!("EC2", "DescribeVpcs", "ec2:DescribeVpcs");
const SUBNETS: Operation = op!("EC2", "DescribeSubnets", "ec2:DescribeSubnets");
const ROUTE_TABLES: Operation = op!("EC2", "DescribeRouteTables", "ec2:DescribeRouteTables");
const GATEWAYS: Operation = op!(
    "EC2",
    "DescribeInternetGateways",
    "ec2:DescribeInternetGateways"
);
const GROUPS: Operation = op!(
    "EC2",
    "DescribeSecurityGroups",
    "ec2:DescribeSecurityGroups"
);
const ACLS: Operation = op!("EC2", "DescribeNetworkAcls", "ec2:DescribeNetworkAcls");
const VOLUMES: Operation = op!("EC2", "DescribeVolumes", "ec2:DescribeVolumes");
const EBS_DEFAULT: Operation = op!(
    "EC2",
    "GetEbsEncryptionByDefault",
    "ec2:GetEbsEncryptionByDefault"
);
/// The account's EBS encryption-by-default setting in a region, as one item.
const EBS_DEFAULT_TYPE: &str = "Attestor::EC2::EbsEncryptionByDefault";
const FLOW_LOGS: Operation = op!("EC2", "DescribeFlowLogs", "ec2:DescribeFlowLogs");

pub static SERVICE: Service = Service {
    name: "ec2",
    global: false,
    operations: &[
        VPCS,
        SUBNETS,
        ROUTE_TABLES,
        GATEWAYS,
        GROUPS,
        ACLS,
        VOLUMES,
        EBS_DEFAULT,
        FLOW_LOGS,
    ],
    resource_types: &[
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::Volume",
        EBS_DEFAULT_TYPE,
        "AWS::EC2::FlowLog",
    ],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

fn ec2_tags(list: &[aws_sdk_ec2::types::Tag]) -> Value {
    tags(list.iter().map(|t| (t.key(), t.value())))
}

fn permission(p: &aws_sdk_ec2::types::IpPermission) -> Value {
    compact(json!({
        "ipProtocol": p.ip_protocol(),
        "fromPort": p.from_port(),
        "toPort": p.to_port(),
        "ipv4Ranges": p.ip_ranges().iter().map(|r| json!({"cidrIp": r.cidr_ip(), "description": r.description()})).collect::<Vec<_>>(),
        "ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"cidrIpv6": r.cidr_ipv6(), "description": r.description()})).collect::<Vec<_>>(),
        "userIdGroupPairs": p.user_id_group_pairs().iter().map(|g| json!({"groupId": g.group_id(), "userId": g.user_id()})).collect::<Vec<_>>(),
        "prefixListIds": p.prefix_list_ids().iter().map(|l| json!({"prefixListId": l.prefix_list_id()})).collect::<Vec<_>>(),
    }))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_ec2::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_ec2::Client::from_conf(config);
    // The listings are independent: they run side by side, each page still waiting for a
    // request slot, and their items are joined in this fixed order.
    let parts = tokio::join!(
        vpcs(ctx, &client, region),
        subnets(ctx, &client, region),
        route_tables(ctx, &client, region),
        internet_gateways(ctx, &client, region),
        security_groups(ctx, &client, region),
        network_acls(ctx, &client, region),
        volumes(ctx, &client, region),
        ebs_encryption_by_default(ctx, &client, region),
        flow_logs(ctx, &client, region),
    );
    Batch::concat([
        parts.0, parts.1, parts.2, parts.3, parts.4, parts.5, parts.6, parts.7, parts.8,
    ])
}

async fn vpcs(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        VPCS,
        &["AWS::EC2::VPC"],
        client.describe_vpcs().into_paginator().send(),
        |out| {
            for v in out.vpcs() {
                let configuration = compact(json!({
                    "vpcId": v.vpc_id(),
                    "cidrBlock": v.cidr_block(),
                    "isDefault": v.is_default(),
                    "state": v.state().map(aws_sdk_ec2::types::VpcState::as_str),
                }));
                let tags = ec2_tags(v.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::VPC",
                    region,
                    v.vpc_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "vpc", v.vpc_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn subnets(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        SUBNETS,
        &["AWS::EC2::Subnet"],
        client.describe_subnets().into_paginator().send(),
        |out| {
            for s in out.subnets() {
                let configuration = compact(json!({
                    "subnetId": s.subnet_id(),
                    "subnetArn": s.subnet_arn(),
                    "vpcId": s.vpc_id(),
                    "cidrBlock": s.cidr_block(),
                    "availabilityZone": s.availability_zone(),
                    "mapPublicIpOnLaunch": s.map_public_ip_on_launch(),
                    "assignIpv6AddressOnCreation": s.assign_ipv6_address_on_creation(),
                    "defaultForAz": s.default_for_az(),
                    "state": s.state().map(|v| json!({"value": v.as_str()})),
                }));
                let tags = ec2_tags(s.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::Subnet",
                    region,
                    s.subnet_id().unwrap_or_default(),
                    name.as_deref(),
                    s.subnet_arn(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn route_tables(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        ROUTE_TABLES,
        &["AWS::EC2::RouteTable"],
        client.describe_route_tables().into_paginator().send(),
        |out| {
            for t in out.route_tables() {
                let routes: Vec<Value> = t
                    .routes()
                    .iter()
                    .map(|r| {
                        compact(json!({
                            "destinationCidrBlock": r.destination_cidr_block(),
                            "destinationIpv6CidrBlock": r.destination_ipv6_cidr_block(),
                            "destinationPrefixListId": r.destination_prefix_list_id(),
                            "gatewayId": r.gateway_id(),
                            "natGatewayId": r.nat_gateway_id(),
                            "egressOnlyInternetGatewayId": r.egress_only_internet_gateway_id(),
                            "transitGatewayId": r.transit_gateway_id(),
                            "vpcPeeringConnectionId": r.vpc_peering_connection_id(),
                            "networkInterfaceId": r.network_interface_id(),
                            "instanceId": r.instance_id(),
                            "state": r.state().map(aws_sdk_ec2::types::RouteState::as_str),
                            "origin": r.origin().map(aws_sdk_ec2::types::RouteOrigin::as_str),
                        }))
                    })
                    .collect();
                let associations: Vec<Value> = t
                .associations()
                .iter()
                .map(|a| {
                    compact(json!({
                        "routeTableAssociationId": a.route_table_association_id(),
                        "routeTableId": a.route_table_id(),
                        "subnetId": a.subnet_id(),
                        "gatewayId": a.gateway_id(),
                        "main": a.main(),
                        "associationState": a.association_state().map(|s| json!({"state": s.state().map(aws_sdk_ec2::types::RouteTableAssociationStateCode::as_str)})),
                    }))
                })
                .collect();
                let configuration = compact(json!({
                    "routeTableId": t.route_table_id(),
                    "vpcId": t.vpc_id(),
                    "routes": routes,
                    "associations": associations,
                }));
                let tags = ec2_tags(t.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::RouteTable",
                    region,
                    t.route_table_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "route-table", t.route_table_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn internet_gateways(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        GATEWAYS,
        &["AWS::EC2::InternetGateway"],
        client.describe_internet_gateways().into_paginator().send(),
        |out| {
            for g in out.internet_gateways() {
                let configuration = compact(json!({
                    "internetGatewayId": g.internet_gateway_id(),
                    "attachments": g.attachments().iter().map(|a| json!({"vpcId": a.vpc_id(), "state": a.state().map(aws_sdk_ec2::types::AttachmentStatus::as_str)})).collect::<Vec<_>>(),
                }));
                let tags = ec2_tags(g.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::InternetGateway",
                    region,
                    g.internet_gateway_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "internet-gateway", g.internet_gateway_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn security_groups(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        GROUPS,
        &["AWS::EC2::SecurityGroup"],
        client.describe_security_groups().into_paginator().send(),
        |out| {
            for g in out.security_groups() {
                let configuration = compact(json!({
                    "groupId": g.group_id(),
                    "groupName": g.group_name(),
                    "description": g.description(),
                    "vpcId": g.vpc_id(),
                    "ipPermissions": g.ip_permissions().iter().map(permission).collect::<Vec<_>>(),
                    "ipPermissionsEgress": g.ip_permissions_egress().iter().map(permission).collect::<Vec<_>>(),
                }));
                batch.push(item(
                    ctx,
                    "AWS::EC2::SecurityGroup",
                    region,
                    g.group_id().unwrap_or_default(),
                    g.group_name(),
                    g.security_group_arn(),
                    configuration,
                    Value::Null,
                    ec2_tags(g.tags()),
                ));
            }
        }
    );
    batch
}

async fn network_acls(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        ACLS,
        &["AWS::EC2::NetworkAcl"],
        client.describe_network_acls().into_paginator().send(),
        |out| {
            for acl in out.network_acls() {
                let entries: Vec<Value> = acl
                .entries()
                .iter()
                .map(|e| {
                    compact(json!({
                        "ruleNumber": e.rule_number(),
                        "protocol": e.protocol(),
                        "ruleAction": e.rule_action().map(aws_sdk_ec2::types::RuleAction::as_str),
                        "egress": e.egress(),
                        "cidrBlock": e.cidr_block(),
                        "ipv6CidrBlock": e.ipv6_cidr_block(),
                        "portRange": e.port_range().map(|r| json!({"from": r.from(), "to": r.to()})),
                    }))
                })
                .collect();
                let configuration = compact(json!({
                    "networkAclId": acl.network_acl_id(),
                    "vpcId": acl.vpc_id(),
                    "isDefault": acl.is_default(),
                    "entries": entries,
                    "associations": acl.associations().iter().map(|a| json!({"subnetId": a.subnet_id()})).collect::<Vec<_>>(),
                }));
                let tags = ec2_tags(acl.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::NetworkAcl",
                    region,
                    acl.network_acl_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "network-acl", acl.network_acl_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn volumes(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        VOLUMES,
        &["AWS::EC2::Volume"],
        client.describe_volumes().into_paginator().send(),
        |out| {
            for v in out.volumes() {
                let configuration = compact(json!({
                    "volumeId": v.volume_id(),
                    "encrypted": v.encrypted(),
                    "kmsKeyId": v.kms_key_id(),
                    "size": v.size(),
                    "volumeType": v.volume_type().map(aws_sdk_ec2::types::VolumeType::as_str),
                    "availabilityZone": v.availability_zone(),
                    "state": v.state().map(aws_sdk_ec2::types::VolumeState::as_str),
                    "createTime": date(v.create_time()),
                }));
                let tags = ec2_tags(v.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::Volume",
                    region,
                    v.volume_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "volume", v.volume_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}

async fn ebs_encryption_by_default(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    if batch.skip_unread(ctx, "ec2", region, &EBS_DEFAULT, &[EBS_DEFAULT_TYPE]) {
        return batch;
    }
    let ebs_default = {
        let _permit = ctx.permit().await;
        client.get_ebs_encryption_by_default().send().await
    };
    match ebs_default {
        Ok(out) => {
            let configuration =
                compact(json!({"ebsEncryptionByDefault": out.ebs_encryption_by_default()}));
            let id = format!("{}:{region}", ctx.account_id);
            batch.push(item(
                ctx,
                EBS_DEFAULT_TYPE,
                region,
                id,
                None,
                None,
                configuration,
                Value::Null,
                Value::Null,
            ));
        }
        Err(e) => batch.fail(
            ctx,
            "ec2",
            region,
            &EBS_DEFAULT,
            &[EBS_DEFAULT_TYPE],
            e.into(),
        ),
    }
    batch
}

async fn flow_logs(ctx: &Ctx, client: &aws_sdk_ec2::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    for_each_page!(
        ctx,
        batch,
        "ec2",
        region,
        FLOW_LOGS,
        &["AWS::EC2::FlowLog"],
        client.describe_flow_logs().into_paginator().send(),
        |out| {
            for f in out.flow_logs() {
                let configuration = compact(json!({
                    "flowLogId": f.flow_log_id(),
                    "resourceId": f.resource_id(),
                    "trafficType": f.traffic_type().map(aws_sdk_ec2::types::TrafficType::as_str),
                    "logDestinationType": f.log_destination_type().map(aws_sdk_ec2::types::LogDestinationType::as_str),
                    "logDestination": f.log_destination(),
                    "logGroupName": f.log_group_name(),
                    "flowLogStatus": f.flow_log_status(),
                    "deliverLogsStatus": f.deliver_logs_status(),
                    "deliverLogsErrorMessage": f.deliver_logs_error_message(),
                }));
                let tags = ec2_tags(f.tags());
                // The `Name` tag is the name people know an EC2 resource by.
                let name = name_tag(&tags).map(str::to_string);
                batch.push(item(
                    ctx,
                    "AWS::EC2::FlowLog",
                    region,
                    f.flow_log_id().unwrap_or_default(),
                    name.as_deref(),
                    ec2_arn(ctx, region, "vpc-flow-log", f.flow_log_id()).as_deref(),
                    configuration,
                    Value::Null,
                    tags,
                ));
            }
        }
    );
    batch
}
