//! RDS: instances, Aurora clusters and their instances, DB subnet groups.

use super::*;

pub(super) fn db_instance(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("identifier", "configuration.dBInstanceIdentifier");
    b.string("engine", "configuration.engine");
    b.string("engine_version", "configuration.engineVersion");
    b.string("instance_class", "configuration.dBInstanceClass");
    // Provider docs (aws_db_instance): storage_encrypted "The default is false if not specified".
    // An instance restored from a snapshot, a point in time or S3, or made as a replica, takes its
    // source's encryption: then nothing is certain.
    let from_source = [
        "snapshot_identifier",
        "replicate_source_db",
        "restore_to_point_in_time",
        "s3_import",
    ]
    .iter()
    .any(|a| is_set(r, a));
    b.bool(
        "storage_encrypted",
        "configuration.storageEncrypted",
        (!from_source).then_some(false),
    );
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    // Provider docs: publicly_accessible "Default is false".
    b.bool(
        "publicly_accessible",
        "configuration.publiclyAccessible",
        Some(false),
    );
    b.bool("multi_az", "configuration.multiAZ", None);
    b.int(
        "backup_retention_period",
        "configuration.backupRetentionPeriod",
        None,
    );
    subnet_group(b, r, "configuration.dBSubnetGroup");
    security_groups(b, r, "configuration.vpcSecurityGroups");
}

/// An Aurora (or Multi-AZ cluster) instance: AWS Config records it as a DB instance whose storage,
/// subnets and security groups are its cluster's.
pub(super) fn cluster_instance(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("identifier", "configuration.dBInstanceIdentifier");
    b.string("engine", "configuration.engine");
    b.string("instance_class", "configuration.dBInstanceClass");
    // Provider docs (aws_rds_cluster_instance): publicly_accessible "Default false".
    b.bool(
        "publicly_accessible",
        "configuration.publiclyAccessible",
        Some(false),
    );
    let cluster = b.reference(
        "cluster_identifier",
        "configuration.dBClusterIdentifier",
        DB_CLUSTER,
    );
    let all = b.cx.all;
    let cluster = match cluster {
        Typed::Known(Ref {
            target: Some(t), ..
        }) => &all[t],
        Typed::Known(_) | Typed::Null => return,
        Typed::Unknown => {
            for p in [
                "configuration.storageEncrypted",
                "configuration.dBSubnetGroup",
                "configuration.vpcSecurityGroups",
            ] {
                b.unknown(p);
            }
            return;
        }
    };
    if let Val::Known(Value::String(id)) = cluster.get("cluster_identifier") {
        b.put("configuration.dBClusterIdentifier", id.clone());
    }
    cluster_encryption(b, cluster, "configuration.storageEncrypted");
    // RDS requires an instance's DB subnet group to be its cluster's, so the cluster's stands in
    // where the instance does not name one.
    let own = b.read(
        r,
        refer_one(&b.cx.resolver, r, "db_subnet_group_name", DB_SUBNET_GROUP),
    );
    let group_of = if matches!(own, Typed::Known(_)) {
        r
    } else {
        cluster
    };
    subnet_group(b, group_of, "configuration.dBSubnetGroup");
    security_groups(b, cluster, "configuration.vpcSecurityGroups");
}

pub(super) fn db_cluster(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("cluster_identifier", "configuration.dBClusterIdentifier");
    b.string("engine", "configuration.engine");
    b.string("engine_mode", "configuration.engineMode");
    cluster_encryption(b, r, "configuration.storageEncrypted");
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    // Provider docs (aws_rds_cluster): backup_retention_period "Default 1".
    b.int(
        "backup_retention_period",
        "configuration.backupRetentionPeriod",
        Some(1),
    );
    b.reference(
        "db_subnet_group_name",
        "configuration.dbsubnetGroup",
        DB_SUBNET_GROUP,
    );
    security_groups(b, r, "configuration.vpcSecurityGroups");
    cluster_members(b);
}

/// A cluster's storage encryption, for the cluster and each of its instances.
fn cluster_encryption(b: &mut Builder<'_, '_>, cluster: &Planned, to: &str) {
    let value = b.read(cluster, cluster.bool("storage_encrypted"));
    if !matches!(value, Typed::Null) {
        b.write(to, value, None);
        return;
    }
    // Provider docs (aws_rds_cluster): storage_encrypted "The default is false for provisioned
    // engine_mode and true for serverless engine_mode"; engine_mode "Defaults to: provisioned".
    // A cluster restored or replicated from a source, or joined to a global cluster, takes the
    // source's encryption: then nothing is certain.
    let from_source = [
        "snapshot_identifier",
        "replication_source_identifier",
        "restore_to_point_in_time",
        "s3_import",
        "global_cluster_identifier",
    ]
    .iter()
    .any(|a| is_set(cluster, a));
    if from_source {
        return;
    }
    match b.read(cluster, cluster.text("engine_mode")) {
        Typed::Known("serverless") => b.put(to, true),
        Typed::Known("provisioned") | Typed::Null => b.put(to, false),
        Typed::Known(_) => {}
        Typed::Unknown => b.unknown(to),
    }
}

/// The cluster's instances, with which one writes where the plan knows it.
fn cluster_members(b: &mut Builder<'_, '_>) {
    const MEMBERS: &str = "configuration.dbclusterMembers";
    let (instances, _gone) = b.joined("aws_rds_cluster_instance");
    if b.orphaned("aws_rds_cluster_instance") || b.stale(&instances, MEMBERS) {
        return;
    }
    // An existing cluster may have instances made outside the plan: the plan cannot list them.
    if instances.is_empty() && !b.r.action.creates() {
        return;
    }
    let mut unknown = false;
    let mut members = Vec::new();
    let only_one_new = instances.len() == 1 && b.r.action.creates();
    for instance in &instances {
        let id = match instance.get("identifier") {
            Val::Known(Value::String(s)) => s.clone(),
            _ => instance.address.clone(),
        };
        // The instance of a new cluster with one instance is its writer; otherwise which one RDS
        // makes the writer is known once they exist (the provider's `writer` attribute).
        let writer = match b.read(instance, instance.bool("writer")) {
            Typed::Known(w) if !instance.action.creates() => Some(w),
            _ if only_one_new => Some(true),
            _ => None,
        };
        if writer.is_none() {
            unknown = true;
        }
        members.push(object(vec![
            ("dBInstanceIdentifier", id.into()),
            ("isClusterWriter", writer.map_or(Value::Null, Value::Bool)),
        ]));
    }
    b.put(MEMBERS, members);
    if unknown {
        b.unknown(MEMBERS);
    }
}

pub(super) fn db_subnet_group(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.dBSubnetGroupName");
    b.string("description", "configuration.dBSubnetGroupDescription");
    let subnets = b.references(r, "subnet_ids", SUBNET);
    write_subnets(b, subnets, "configuration.subnets");
}

fn write_subnets(b: &mut Builder<'_, '_>, subnets: Typed<Vec<Ref>>, to: &str) {
    match subnets {
        Typed::Known(list) => {
            let subnets: Vec<Value> = list
                .into_iter()
                .map(|s| json!({"subnetIdentifier": s.value, "subnetStatus": "Active"}))
                .collect();
            b.put(to, subnets);
        }
        // `subnet_ids` is required: unset reads as not known.
        Typed::Unknown | Typed::Null => b.unknown(to),
    }
}

/// `dBSubnetGroup` of a DB instance: the group's name and, for a group in the plan, its subnets.
fn subnet_group(b: &mut Builder<'_, '_>, of: &Planned, to: &str) {
    let group = b.read(
        of,
        refer_one(&b.cx.resolver, of, "db_subnet_group_name", DB_SUBNET_GROUP),
    );
    match group {
        Typed::Known(Ref {
            target: Some(t),
            value,
            ..
        }) => {
            let all = b.cx.all;
            let planned = &all[t];
            let name = match planned.get("name") {
                Val::Known(Value::String(s)) => s.clone(),
                _ => value,
            };
            b.put(&format!("{to}.dBSubnetGroupName"), name);
            let subnets = b.references(planned, "subnet_ids", SUBNET);
            write_subnets(b, subnets, &format!("{to}.subnets"));
        }
        // A group outside the plan: its subnets are not known here (a policy reading them errs).
        Typed::Known(Ref { value, .. }) => b.put(&format!("{to}.dBSubnetGroupName"), value),
        Typed::Unknown => b.unknown(to),
        // The account's default DB subnet group, outside the plan.
        Typed::Null => {}
    }
}

/// `vpcSecurityGroups` from `vpc_security_group_ids`. Unset means the VPC's default security
/// group, which the plan does not show.
fn security_groups(b: &mut Builder<'_, '_>, of: &Planned, to: &str) {
    match b.references(of, "vpc_security_group_ids", SECURITY_GROUP) {
        Typed::Known(list) => {
            let groups: Vec<Value> = list
                .into_iter()
                .map(|g| json!({"vpcSecurityGroupId": g.value, "status": "active"}))
                .collect();
            b.put(to, groups);
        }
        Typed::Unknown => b.unknown(to),
        Typed::Null => {}
    }
}
