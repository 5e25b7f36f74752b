//! RDS: DB instances, clusters, subnet groups and snapshots (list calls carry everything).

use serde_json::{Value, json};

use super::support::{Batch, compact, date, for_each_page, item, op, tags};
use super::{BoxFuture, Ctx, Operation, Service};

const INSTANCES: Operation = op!("RDS", "DescribeDBInstances", "rds:DescribeDBInstances");
const CLUSTERS: Operation = op!("RDS", "DescribeDBClusters", "rds:DescribeDBClusters");
const SUBNET_GROUPS: Operation = op!(
    "RDS",
    "DescribeDBSubnetGroups",
    "rds:DescribeDBSubnetGroups"
);
const SNAPSHOTS: Operation = op!("RDS", "DescribeDBSnapshots", "rds:DescribeDBSnapshots");
const CLUSTER_SNAPSHOTS: Operation = op!(
    "RDS",
    "DescribeDBClusterSnapshots",
    "rds:DescribeDBClusterSnapshots"
);

pub static SERVICE: Service = Service {
    name: "rds",
    global: false,
    operations: &[
        INSTANCES,
        CLUSTERS,
        SUBNET_GROUPS,
        SNAPSHOTS,
        CLUSTER_SNAPSHOTS,
    ],
    resource_types: &[
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBSubnetGroup",
        "AWS::RDS::DBSnapshot",
        "AWS::RDS::DBClusterSnapshot",
    ],
    collect: run,
};

fn run<'a>(ctx: &'a Ctx, region: &'a str) -> BoxFuture<'a, Batch> {
    Box::pin(collect(ctx, region))
}

fn rds_tags(list: &[aws_sdk_rds::types::Tag]) -> Value {
    tags(list.iter().map(|t| (t.key(), t.value())))
}

async fn collect(ctx: &Ctx, region: &str) -> Batch {
    let config = aws_sdk_rds::config::Builder::from(&ctx.config(region))
        .interceptor(ctx.interceptor())
        .build();
    let client = aws_sdk_rds::Client::from_conf(config);
    // The listings are independent: they run side by side, each page still waiting for a
    // request slot, and their items are joined in this fixed order.
    let parts = tokio::join!(
        db_instances(ctx, &client, region),
        db_clusters(ctx, &client, region),
        db_subnet_groups(ctx, &client, region),
        db_snapshots(ctx, &client, region),
        db_cluster_snapshots(ctx, &client, region),
    );
    Batch::concat([parts.0, parts.1, parts.2, parts.3, parts.4])
}

async fn db_instances(ctx: &Ctx, client: &aws_sdk_rds::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    let pages = client.describe_db_instances().into_paginator().send();
    for_each_page!(
        ctx,
        batch,
        "rds",
        region,
        INSTANCES,
        &["AWS::RDS::DBInstance"],
        pages,
        |out| {
            for db in out.db_instances() {
                let subnets: Vec<Value> = db
                    .db_subnet_group()
                    .map(|g| {
                        g.subnets()
                            .iter()
                            .map(|s| json!({"subnetIdentifier": s.subnet_identifier(), "subnetStatus": s.subnet_status()}))
                            .collect()
                    })
                    .unwrap_or_default();
                let configuration = compact(json!({
                    "dBInstanceIdentifier": db.db_instance_identifier(),
                    "dBInstanceArn": db.db_instance_arn(),
                    "engine": db.engine(),
                    "engineVersion": db.engine_version(),
                    "dBInstanceStatus": db.db_instance_status(),
                    "dBInstanceClass": db.db_instance_class(),
                    "storageEncrypted": db.storage_encrypted(),
                    "kmsKeyId": db.kms_key_id(),
                    "publiclyAccessible": db.publicly_accessible(),
                    "multiAZ": db.multi_az(),
                    "backupRetentionPeriod": db.backup_retention_period(),
                    "autoMinorVersionUpgrade": db.auto_minor_version_upgrade(),
                    "dBClusterIdentifier": db.db_cluster_identifier(),
                    "availabilityZone": db.availability_zone(),
                    "dbiResourceId": db.dbi_resource_id(),
                    "dBSubnetGroup": db.db_subnet_group().map(|g| json!({
                        "dBSubnetGroupName": g.db_subnet_group_name(),
                        "vpcId": g.vpc_id(),
                        "subnets": subnets,
                    })),
                    "vpcSecurityGroups": db.vpc_security_groups().iter().map(|g| json!({
                        "vpcSecurityGroupId": g.vpc_security_group_id(), "status": g.status()
                    })).collect::<Vec<_>>(),
                }));
                // The identifier is unique per account and region by definition; AWS Config's DbiResourceId
                // is kept in the configuration.
                let id = db.db_instance_identifier().unwrap_or_default();
                batch.push(item(
                    ctx,
                    "AWS::RDS::DBInstance",
                    region,
                    id,
                    db.db_instance_identifier(),
                    db.db_instance_arn(),
                    configuration,
                    Value::Null,
                    rds_tags(db.tag_list()),
                ));
            }
        }
    );
    batch
}

async fn db_clusters(ctx: &Ctx, client: &aws_sdk_rds::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    let pages = client.describe_db_clusters().into_paginator().send();
    for_each_page!(
        ctx,
        batch,
        "rds",
        region,
        CLUSTERS,
        &["AWS::RDS::DBCluster"],
        pages,
        |out| {
            for c in out.db_clusters() {
                let configuration = compact(json!({
                    "dBClusterIdentifier": c.db_cluster_identifier(),
                    "dBClusterArn": c.db_cluster_arn(),
                    "engine": c.engine(),
                    "storageEncrypted": c.storage_encrypted(),
                    "kmsKeyId": c.kms_key_id(),
                    "multiAZ": c.multi_az(),
                    "backupRetentionPeriod": c.backup_retention_period(),
                    "availabilityZones": c.availability_zones(),
                    "dbClusterResourceId": c.db_cluster_resource_id(),
                    "dbclusterMembers": c.db_cluster_members().iter().map(|m| json!({
                        "dBInstanceIdentifier": m.db_instance_identifier(),
                        "isClusterWriter": m.is_cluster_writer(),
                    })).collect::<Vec<_>>(),
                }));
                let id = c.db_cluster_identifier().unwrap_or_default();
                batch.push(item(
                    ctx,
                    "AWS::RDS::DBCluster",
                    region,
                    id,
                    c.db_cluster_identifier(),
                    c.db_cluster_arn(),
                    configuration,
                    Value::Null,
                    rds_tags(c.tag_list()),
                ));
            }
        }
    );
    batch
}

async fn db_subnet_groups(ctx: &Ctx, client: &aws_sdk_rds::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    let pages = client.describe_db_subnet_groups().into_paginator().send();
    for_each_page!(
        ctx,
        batch,
        "rds",
        region,
        SUBNET_GROUPS,
        &["AWS::RDS::DBSubnetGroup"],
        pages,
        |out| {
            for g in out.db_subnet_groups() {
                let configuration = compact(json!({
                    "dBSubnetGroupName": g.db_subnet_group_name(),
                    "vpcId": g.vpc_id(),
                    "subnets": g.subnets().iter().map(|s| json!({"subnetIdentifier": s.subnet_identifier()})).collect::<Vec<_>>(),
                }));
                batch.push(item(
                    ctx,
                    "AWS::RDS::DBSubnetGroup",
                    region,
                    g.db_subnet_group_name().unwrap_or_default(),
                    g.db_subnet_group_name(),
                    g.db_subnet_group_arn(),
                    configuration,
                    Value::Null,
                    Value::Null,
                ));
            }
        }
    );
    batch
}

async fn db_snapshots(ctx: &Ctx, client: &aws_sdk_rds::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    let pages = client.describe_db_snapshots().into_paginator().send();
    for_each_page!(
        ctx,
        batch,
        "rds",
        region,
        SNAPSHOTS,
        &["AWS::RDS::DBSnapshot"],
        pages,
        |out| {
            for s in out.db_snapshots() {
                let configuration = compact(json!({
                    "dBSnapshotIdentifier": s.db_snapshot_identifier(),
                    "dBInstanceIdentifier": s.db_instance_identifier(),
                    "encrypted": s.encrypted(),
                    "kmsKeyId": s.kms_key_id(),
                    "snapshotType": s.snapshot_type(),
                    "snapshotCreateTime": date(s.snapshot_create_time()),
                }));
                batch.push(item(
                    ctx,
                    "AWS::RDS::DBSnapshot",
                    region,
                    s.db_snapshot_identifier().unwrap_or_default(),
                    s.db_snapshot_identifier(),
                    s.db_snapshot_arn(),
                    configuration,
                    Value::Null,
                    rds_tags(s.tag_list()),
                ));
            }
        }
    );
    batch
}

async fn db_cluster_snapshots(ctx: &Ctx, client: &aws_sdk_rds::Client, region: &str) -> Batch {
    let mut batch = Batch::default();
    let pages = client
        .describe_db_cluster_snapshots()
        .into_paginator()
        .send();
    for_each_page!(
        ctx,
        batch,
        "rds",
        region,
        CLUSTER_SNAPSHOTS,
        &["AWS::RDS::DBClusterSnapshot"],
        pages,
        |out| {
            for s in out.db_cluster_snapshots() {
                let configuration = compact(json!({
                    "dBClusterSnapshotIdentifier": s.db_cluster_snapshot_identifier(),
                    "dBClusterIdentifier": s.db_cluster_identifier(),
                    "storageEncrypted": s.storage_encrypted(),
                    "kmsKeyId": s.kms_key_id(),
                    "snapshotType": s.snapshot_type(),
                    "snapshotCreateTime": date(s.snapshot_create_time()),
                }));
                batch.push(item(
                    ctx,
                    "AWS::RDS::DBClusterSnapshot",
                    region,
                    s.db_cluster_snapshot_identifier().unwrap_or_default(),
                    s.db_cluster_snapshot_identifier(),
                    s.db_cluster_snapshot_arn(),
                    configuration,
                    Value::Null,
                    rds_tags(s.tag_list()),
                ));
            }
        }
    );
    batch
}
