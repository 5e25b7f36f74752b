//! One mapping per Terraform resource type: the AWS Config type it becomes and how its arguments
//! become that type's properties, in the shapes the built-in policies read (the items of
//! fixtures/*.snapshot.json). Resources that only configure another one (a bucket's versioning, a
//! route table's routes, a security group's rules) are [`JOINS`]: they are folded into their
//! owner's item.
//!
//! Every default written for an argument the plan leaves unset is AWS's or the AWS provider's
//! documented default and is certain for the case it is applied to; the source is named beside
//! it. Where the outcome is not certain the property is left out (a policy reading it then says
//! the data is missing), and where the plan says "known after apply" it is listed as unknown.
//! Self IDs (`vpcId` of a VPC, `groupId` of a security group) are the resource's address, the same
//! value every reference to it is written as.

use serde_json::{Map, Value, json};

use super::build::{Builder, Join, Kinds, Ref, object};
use super::plan::{Planned, Typed, Val};

/// A Terraform type's mapping.
pub(super) struct Mapping {
    pub tf_types: &'static [&'static str],
    pub aws_type: &'static str,
    pub build: fn(&mut Builder<'_, '_>),
}

pub(super) const MAPPINGS: &[Mapping] = &[
    Mapping { tf_types: &["aws_db_instance"], aws_type: "AWS::RDS::DBInstance", build: db_instance },
    Mapping { tf_types: &["aws_rds_cluster_instance"], aws_type: "AWS::RDS::DBInstance", build: cluster_instance },
    Mapping { tf_types: &["aws_rds_cluster"], aws_type: "AWS::RDS::DBCluster", build: db_cluster },
    Mapping { tf_types: &["aws_db_subnet_group"], aws_type: "AWS::RDS::DBSubnetGroup", build: db_subnet_group },
    Mapping { tf_types: &["aws_kms_key"], aws_type: "AWS::KMS::Key", build: kms_key },
    Mapping { tf_types: &["aws_s3_bucket"], aws_type: "AWS::S3::Bucket", build: s3_bucket },
    Mapping { tf_types: &["aws_s3_account_public_access_block"], aws_type: "Attestor::S3::AccountPublicAccessBlock", build: s3_account_public_access_block },
    Mapping { tf_types: &["aws_cloudwatch_log_group"], aws_type: "AWS::Logs::LogGroup", build: log_group },
    Mapping { tf_types: &["aws_secretsmanager_secret"], aws_type: "AWS::SecretsManager::Secret", build: secret },
    Mapping { tf_types: &["aws_vpc"], aws_type: "AWS::EC2::VPC", build: vpc },
    Mapping { tf_types: &["aws_subnet"], aws_type: "AWS::EC2::Subnet", build: subnet },
    Mapping { tf_types: &["aws_route_table", "aws_default_route_table"], aws_type: "AWS::EC2::RouteTable", build: route_table },
    Mapping { tf_types: &["aws_internet_gateway"], aws_type: "AWS::EC2::InternetGateway", build: internet_gateway },
    Mapping { tf_types: &["aws_security_group", "aws_default_security_group"], aws_type: "AWS::EC2::SecurityGroup", build: security_group },
    Mapping { tf_types: &["aws_flow_log"], aws_type: "AWS::EC2::FlowLog", build: flow_log },
    Mapping { tf_types: &["aws_cloudtrail"], aws_type: "AWS::CloudTrail::Trail", build: cloudtrail },
    Mapping { tf_types: &["aws_dynamodb_table"], aws_type: "AWS::DynamoDB::Table", build: dynamodb_table },
    Mapping { tf_types: &["aws_lb_listener", "aws_alb_listener"], aws_type: "AWS::ElasticLoadBalancingV2::Listener", build: listener },
    Mapping { tf_types: &["aws_ebs_volume"], aws_type: "AWS::EC2::Volume", build: ebs_volume },
    Mapping { tf_types: &["aws_ebs_encryption_by_default"], aws_type: "Attestor::EC2::EbsEncryptionByDefault", build: ebs_encryption_by_default },
    Mapping { tf_types: &["aws_iam_user"], aws_type: "AWS::IAM::User", build: iam_user },
    Mapping { tf_types: &["aws_iam_account_password_policy"], aws_type: "Attestor::IAM::PasswordPolicy", build: password_policy },
    Mapping { tf_types: &["aws_backup_vault"], aws_type: "AWS::Backup::BackupVault", build: backup_vault },
];

/// The mapping of a Terraform type.
pub(super) fn mapping(tf_type: &str) -> Option<&'static Mapping> {
    MAPPINGS.iter().find(|m| m.tf_types.contains(&tf_type))
}

// What attributes may name, as (Terraform type, attributes that carry the value).
const VPC: Kinds = &[("aws_vpc", &["id"]), ("aws_default_vpc", &["id"])];
const SUBNET: Kinds = &[("aws_subnet", &["id"]), ("aws_default_subnet", &["id"])];
const SECURITY_GROUP: Kinds =
    &[("aws_security_group", &["id"]), ("aws_default_security_group", &["id"])];
const KMS_KEY: Kinds = &[
    ("aws_kms_key", &["arn", "id", "key_id"]),
    ("aws_kms_alias", &["arn", "name", "id"]),
    ("aws_kms_replica_key", &["arn", "id", "key_id"]),
];
const BUCKET: Kinds = &[("aws_s3_bucket", &["id", "bucket", "arn"])];
const DB_SUBNET_GROUP: Kinds = &[("aws_db_subnet_group", &["name", "id"])];
const DB_CLUSTER: Kinds = &[("aws_rds_cluster", &["id", "cluster_identifier", "arn"])];
const ROUTE_TABLE: Kinds = &[
    ("aws_route_table", &["id"]),
    ("aws_default_route_table", &["id"]),
    // The VPC's main route table, which AWS makes: not a resource of the plan.
    ("aws_vpc", &["main_route_table_id", "default_route_table_id"]),
];
/// The VPC a default route table belongs to, by the ID it is adopted with.
const VPC_BY_DEFAULT_ROUTE_TABLE: Kinds = &[
    ("aws_vpc", &["default_route_table_id", "main_route_table_id"]),
    ("aws_default_vpc", &["default_route_table_id", "main_route_table_id"]),
];
const INTERNET_GATEWAY: &str = "aws_internet_gateway";
const GATEWAY: Kinds = &[
    (INTERNET_GATEWAY, &["id"]),
    ("aws_vpn_gateway", &["id"]),
    ("aws_vpc_endpoint", &["id"]),
];
const NAT_GATEWAY: Kinds = &[("aws_nat_gateway", &["id"])];
const SECRET: Kinds = &[("aws_secretsmanager_secret", &["id", "arn"])];
const IAM_USER: Kinds = &[("aws_iam_user", &["name", "id"])];
const TARGET_GROUP: Kinds = &[("aws_lb_target_group", &["arn", "id"]), ("aws_alb_target_group", &["arn", "id"])];
const LOG_DESTINATION: Kinds = &[("aws_cloudwatch_log_group", &["arn"]), ("aws_s3_bucket", &["arn"])];
const NO_KINDS: Kinds = &[];

const SSE: &str = "supplementaryConfiguration.ServerSideEncryptionConfiguration";
const PUBLIC_ACCESS: &str = "supplementaryConfiguration.PublicAccessBlockConfiguration";
const VERSIONING: &str = "supplementaryConfiguration.BucketVersioningConfiguration";
const LIFECYCLE: &str = "supplementaryConfiguration.BucketLifecycleConfiguration";
const CREDENTIAL_REPORT: &str = "supplementaryConfiguration.CredentialReport";
const ACCESS_KEYS: &str = "supplementaryConfiguration.AccessKeys";
const INGRESS: &str = "configuration.ipPermissions";
const EGRESS: &str = "configuration.ipPermissionsEgress";

/// Resources folded into another resource's item, by the attribute that names it.
pub(super) const JOINS: &[Join] = &[
    Join { tf_type: "aws_s3_bucket_server_side_encryption_configuration", attribute: "bucket", owners: BUCKET, items: &["aws_s3_bucket"], property: SSE, aws_type: "AWS::S3::Bucket" },
    Join { tf_type: "aws_s3_bucket_public_access_block", attribute: "bucket", owners: BUCKET, items: &["aws_s3_bucket"], property: PUBLIC_ACCESS, aws_type: "AWS::S3::Bucket" },
    Join { tf_type: "aws_s3_bucket_versioning", attribute: "bucket", owners: BUCKET, items: &["aws_s3_bucket"], property: VERSIONING, aws_type: "AWS::S3::Bucket" },
    Join { tf_type: "aws_s3_bucket_lifecycle_configuration", attribute: "bucket", owners: BUCKET, items: &["aws_s3_bucket"], property: LIFECYCLE, aws_type: "AWS::S3::Bucket" },
    Join { tf_type: "aws_secretsmanager_secret_rotation", attribute: "secret_id", owners: SECRET, items: &["aws_secretsmanager_secret"], property: "configuration.RotationEnabled", aws_type: "AWS::SecretsManager::Secret" },
    Join { tf_type: "aws_route_table_association", attribute: "route_table_id", owners: ROUTE_TABLE, items: &["aws_route_table", "aws_default_route_table"], property: "configuration.associations", aws_type: "AWS::EC2::RouteTable" },
    Join { tf_type: "aws_main_route_table_association", attribute: "route_table_id", owners: ROUTE_TABLE, items: &["aws_route_table", "aws_default_route_table"], property: "configuration.associations", aws_type: "AWS::EC2::RouteTable" },
    Join { tf_type: "aws_route", attribute: "route_table_id", owners: ROUTE_TABLE, items: &["aws_route_table", "aws_default_route_table"], property: "configuration.routes", aws_type: "AWS::EC2::RouteTable" },
    Join { tf_type: "aws_security_group_rule", attribute: "security_group_id", owners: SECURITY_GROUP, items: &["aws_security_group", "aws_default_security_group"], property: INGRESS, aws_type: "AWS::EC2::SecurityGroup" },
    Join { tf_type: "aws_vpc_security_group_ingress_rule", attribute: "security_group_id", owners: SECURITY_GROUP, items: &["aws_security_group", "aws_default_security_group"], property: INGRESS, aws_type: "AWS::EC2::SecurityGroup" },
    Join { tf_type: "aws_vpc_security_group_egress_rule", attribute: "security_group_id", owners: SECURITY_GROUP, items: &["aws_security_group", "aws_default_security_group"], property: EGRESS, aws_type: "AWS::EC2::SecurityGroup" },
    Join { tf_type: "aws_iam_user_login_profile", attribute: "user", owners: IAM_USER, items: &["aws_iam_user"], property: CREDENTIAL_REPORT, aws_type: "AWS::IAM::User" },
    Join { tf_type: "aws_iam_access_key", attribute: "user", owners: IAM_USER, items: &["aws_iam_user"], property: ACCESS_KEYS, aws_type: "AWS::IAM::User" },
    Join { tf_type: "aws_rds_cluster_instance", attribute: "cluster_identifier", owners: DB_CLUSTER, items: &["aws_rds_cluster"], property: "configuration.dbclusterMembers", aws_type: "AWS::RDS::DBCluster" },
];

/// Whether a Terraform type is only folded into other items.
pub(super) fn joined_only(tf_type: &str) -> bool {
    mapping(tf_type).is_none() && JOINS.iter().any(|j| j.tf_type == tf_type)
}

/// Whether an argument is set at all (a non-empty value, or one known only after apply).
fn is_set(r: &Planned, path: &str) -> bool {
    match r.get(path) {
        Val::Null => false,
        Val::Unknown => true,
        Val::Known(Value::Array(list)) => !list.is_empty(),
        Val::Known(Value::String(s)) => !s.is_empty(),
        Val::Known(_) => true,
    }
}

/// Reads the parts of one property assembled from several plan values (a bucket's lifecycle
/// rules): any part known only after apply makes the whole property unknown, which is coarser
/// than the plan but never wrong.
struct Part<'b, 'c, 'a> {
    b: &'b mut Builder<'c, 'a>,
    of: &'a Planned,
    unknown: bool,
}

impl<'a> Part<'_, '_, 'a> {
    fn take<T>(&mut self, value: Typed<T>) -> Option<T> {
        match value {
            Typed::Known(v) => Some(v),
            Typed::Null => None,
            Typed::Unknown => {
                self.unknown = true;
                None
            }
        }
    }

    fn bool(&mut self, path: &str) -> Option<bool> {
        let v = self.b.read(self.of, self.of.bool(path));
        self.take(v)
    }

    fn int(&mut self, path: &str) -> Option<i64> {
        let v = self.b.read(self.of, self.of.int(path));
        self.take(v)
    }

    fn text(&mut self, path: &str) -> Option<String> {
        let v = self.b.read(self.of, self.of.text(path));
        self.take(v).map(str::to_string)
    }

    /// Elements of a nested block or list (0 when unset).
    fn count(&mut self, path: &str) -> usize {
        let n = self.of.count(path);
        match self.b.read(self.of, n.map(|n| n.map_or(Typed::Unknown, Typed::Known))) {
            Typed::Known(n) => n,
            Typed::Null => 0,
            Typed::Unknown => {
                self.unknown = true;
                0
            }
        }
    }

    /// Strings of an argument that is one string or a list of them.
    fn strings(&mut self, path: &str) -> Vec<String> {
        let refs = self.b.references(self.of, path, NO_KINDS);
        self.take(refs)
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.value)
            .collect()
    }

    fn reference(&mut self, path: &str, kinds: Kinds) -> Option<Ref> {
        let r = self.b.read(
            self.of,
            super::build::refer_one(&self.b.cx.resolver, self.of, path, kinds),
        );
        self.take(r)
    }

    fn references(&mut self, path: &str, kinds: Kinds) -> Vec<Ref> {
        let refs = self.b.references(self.of, path, kinds);
        self.take(refs).unwrap_or_default()
    }
}

impl<'c, 'a> Builder<'c, 'a> {
    fn part<'b>(&'b mut self, of: &'a Planned) -> Part<'b, 'c, 'a> {
        Part {
            b: self,
            of,
            unknown: false,
        }
    }

    /// Writes an assembled property, or marks it unknown.
    fn finish(&mut self, to: &str, unknown: bool, value: Value) {
        if unknown {
            self.unknown(to);
        } else {
            self.put(to, value);
        }
    }

    /// The one resource of a single-setting join (a bucket's versioning): `Ok(None)` when there
    /// is none; `Err(())` (the property marked unknown) when what it leaves is not known: one
    /// deleted, several conflicting, or one that may belong here.
    fn single(&mut self, tf_type: &'static str, property: &str) -> Result<Option<&'a Planned>, ()> {
        let (kept, gone) = self.joined(tf_type);
        if self.orphaned(tf_type) {
            return Err(());
        }
        match (kept.as_slice(), gone.is_empty()) {
            ([], true) => Ok(None),
            ([one], true) => Ok(Some(*one)),
            ([], false) => {
                self.unknown(property);
                Err(())
            }
            (_, _) => {
                let names: Vec<&str> =
                    kept.iter().chain(&gone).map(|p| p.address.as_str()).collect();
                self.warnings.push(format!(
                    "{} is configured by several {tf_type} resources ({}): which one wins is not known, so {property} is unknown",
                    self.r.address,
                    names.join(", ")
                ));
                self.unknown(property);
                Err(())
            }
        }
    }
}

// ---- RDS -------------------------------------------------------------------------------------

fn db_instance(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("identifier", "configuration.dBInstanceIdentifier");
    b.string("engine", "configuration.engine");
    b.string("engine_version", "configuration.engineVersion");
    b.string("instance_class", "configuration.dBInstanceClass");
    // Provider docs (aws_db_instance): storage_encrypted "The default is false if not specified".
    // An instance restored from a snapshot, a point in time or S3, or made as a replica, takes its
    // source's encryption: then nothing is certain.
    let from_source = ["snapshot_identifier", "replicate_source_db", "restore_to_point_in_time", "s3_import"]
        .iter()
        .any(|a| is_set(r, a));
    b.bool("storage_encrypted", "configuration.storageEncrypted", (!from_source).then_some(false));
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    // Provider docs: publicly_accessible "Default is false".
    b.bool("publicly_accessible", "configuration.publiclyAccessible", Some(false));
    b.bool("multi_az", "configuration.multiAZ", None);
    b.int("backup_retention_period", "configuration.backupRetentionPeriod", None);
    subnet_group(b, r, "configuration.dBSubnetGroup");
    security_groups(b, r, "configuration.vpcSecurityGroups");
}

/// An Aurora (or Multi-AZ cluster) instance: AWS Config records it as a DB instance whose storage,
/// subnets and security groups are its cluster's.
fn cluster_instance(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("identifier", "configuration.dBInstanceIdentifier");
    b.string("engine", "configuration.engine");
    b.string("instance_class", "configuration.dBInstanceClass");
    // Provider docs (aws_rds_cluster_instance): publicly_accessible "Default false".
    b.bool("publicly_accessible", "configuration.publiclyAccessible", Some(false));
    let cluster = b.reference("cluster_identifier", "configuration.dBClusterIdentifier", DB_CLUSTER);
    let all = b.cx.all;
    let cluster = match cluster {
        Typed::Known(Ref { target: Some(t), .. }) => &all[t],
        Typed::Known(_) | Typed::Null => return,
        Typed::Unknown => {
            for p in ["configuration.storageEncrypted", "configuration.dBSubnetGroup", "configuration.vpcSecurityGroups"] {
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
    let own = b.read(r, super::build::refer_one(&b.cx.resolver, r, "db_subnet_group_name", DB_SUBNET_GROUP));
    let group_of = if matches!(own, Typed::Known(_)) { r } else { cluster };
    subnet_group(b, group_of, "configuration.dBSubnetGroup");
    security_groups(b, cluster, "configuration.vpcSecurityGroups");
}

fn db_cluster(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("cluster_identifier", "configuration.dBClusterIdentifier");
    b.string("engine", "configuration.engine");
    b.string("engine_mode", "configuration.engineMode");
    cluster_encryption(b, r, "configuration.storageEncrypted");
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    // Provider docs (aws_rds_cluster): backup_retention_period "Default 1".
    b.int("backup_retention_period", "configuration.backupRetentionPeriod", Some(1));
    b.reference("db_subnet_group_name", "configuration.dbsubnetGroup", DB_SUBNET_GROUP);
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
    if b.orphaned("aws_rds_cluster_instance") {
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

fn db_subnet_group(b: &mut Builder<'_, '_>) {
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
    let group = b.read(of, super::build::refer_one(&b.cx.resolver, of, "db_subnet_group_name", DB_SUBNET_GROUP));
    match group {
        Typed::Known(Ref { target: Some(t), value, .. }) => {
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

// ---- KMS, logs, secrets, backup -------------------------------------------------------------

fn kms_key(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.keyId", address);
    b.string("description", "configuration.description");
    // aws_kms_key always makes a customer managed key.
    b.put("configuration.keyManager", "CUSTOMER");
    // Provider docs (aws_kms_key): is_enabled "Defaults to true"; customer_master_key_spec
    // "Defaults to SYMMETRIC_DEFAULT"; key_usage "Defaults to ENCRYPT_DECRYPT";
    // enable_key_rotation "Defaults to false".
    let enabled = b.bool("is_enabled", "configuration.enabled", Some(true));
    b.write(
        "configuration.keyState",
        match enabled {
            Typed::Known(true) => Typed::Known("Enabled"),
            Typed::Known(false) => Typed::Known("Disabled"),
            Typed::Null => Typed::Null,
            Typed::Unknown => Typed::Unknown,
        },
        None,
    );
    let r = b.r;
    let spec = b.read(r, r.text("customer_master_key_spec"));
    b.write("configuration.keySpec", spec, Some("SYMMETRIC_DEFAULT"));
    let usage = b.read(r, r.text("key_usage"));
    b.write("configuration.keyUsage", usage, Some("ENCRYPT_DECRYPT"));
    let rotation = b.bool("enable_key_rotation", "supplementaryConfiguration.KeyRotationStatus", Some(false));
    // A key that does not rotate has no rotation period in AWS; one that does gets the plan's
    // period, or AWS's when the plan leaves it to AWS (known after apply).
    if !matches!(rotation, Typed::Known(false)) {
        b.int("rotation_period_in_days", "supplementaryConfiguration.RotationPeriodInDays", None);
    }
}

fn log_group(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.logGroupName");
    // Provider docs (aws_cloudwatch_log_group): retention_in_days "defaults to 0 … log events
    // in the group never expire"; AWS then reports no retentionInDays.
    match b.read(r, r.int("retention_in_days")) {
        Typed::Known(0) | Typed::Null => {}
        other => b.write("configuration.retentionInDays", other, None),
    }
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
}

fn secret(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.Name");
    b.string("description", "configuration.Description");
    b.reference("kms_key_id", "configuration.KmsKeyId", KMS_KEY);
    const ENABLED: &str = "configuration.RotationEnabled";
    const DAYS: &str = "configuration.RotationRules.AutomaticallyAfterDays";
    match b.single("aws_secretsmanager_secret_rotation", ENABLED) {
        Ok(Some(rotation)) => {
            b.put(ENABLED, true);
            let mut part = b.part(rotation);
            let days = part.int("rotation_rules.0.automatically_after_days");
            // `rate(N days)` is the same schedule as AutomaticallyAfterDays = N; a cron schedule
            // or an hourly rate has no day count (a policy reading it says it is missing).
            let days = match days {
                Some(days) => Some(days),
                None => part.text("rotation_rules.0.schedule_expression").and_then(|schedule| {
                    let inner = schedule.strip_prefix("rate(")?.strip_suffix(')')?;
                    let (n, unit) = inner.trim().split_once(' ')?;
                    matches!(unit, "day" | "days").then(|| n.parse::<i64>().ok()).flatten()
                }),
            };
            let unknown = part.unknown;
            if unknown {
                b.unknown(DAYS);
            } else if let Some(days) = days {
                b.put(DAYS, days);
            }
        }
        Ok(None) => {
            // The older inline arguments (AWS provider 4 and earlier).
            let inline = b.read(r, r.bool("rotation_enabled"));
            if !matches!(inline, Typed::Null) {
                b.write(ENABLED, inline, None);
                b.int("rotation_rules.0.automatically_after_days", DAYS, None);
            } else if r.action.creates() {
                // A new secret does not rotate until rotation is configured.
                b.put(ENABLED, false);
            }
        }
        Err(()) => {}
    }
    // When a secret was made and last rotated is known once it exists.
    if r.action.creates() {
        b.unknown("configuration.CreatedDate");
        b.unknown("configuration.LastRotatedDate");
    }
}

fn backup_vault(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("name", "configuration.BackupVaultName");
    // Unset, AWS uses its managed key for AWS Backup, whose ARN is known after apply.
    b.reference("kms_key_arn", "configuration.EncryptionKeyArn", KMS_KEY);
}

// ---- S3 --------------------------------------------------------------------------------------

fn s3_bucket(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("bucket", "configuration.name");
    bucket_encryption(b);
    bucket_versioning(b);
    bucket_public_access(b);
    bucket_lifecycle(b);
}

/// Server-side encryption rules at `base` (`rule.N.apply_server_side_encryption_by_default.0…`).
fn sse_rules(part: &mut Part<'_, '_, '_>, base: &str) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..part.count(&format!("{base}rule")) {
        let at = format!("{base}rule.{i}.");
        let default = format!("{at}apply_server_side_encryption_by_default.0.");
        let algorithm = part.text(&format!("{default}sse_algorithm"));
        let key = part.reference(&format!("{default}kms_master_key_id"), KMS_KEY);
        let bucket_key = part.bool(&format!("{at}bucket_key_enabled"));
        rules.push(object(vec![
            (
                "applyServerSideEncryptionByDefault",
                object(vec![
                    ("sseAlgorithm", algorithm.map_or(Value::Null, Value::String)),
                    ("kmsMasterKeyID", key.map_or(Value::Null, |k| Value::String(k.value))),
                ]),
            ),
            ("bucketKeyEnabled", bucket_key.map_or(Value::Null, Value::Bool)),
        ]));
    }
    rules
}

fn bucket_encryption(b: &mut Builder<'_, '_>) {
    let r = b.r;
    let (of, base) = match b.single("aws_s3_bucket_server_side_encryption_configuration", SSE) {
        Ok(Some(config)) => (config, String::new()),
        Ok(None) => {
            // The older inline block (deprecated in AWS provider 4).
            match r.get("server_side_encryption_configuration") {
                Val::Unknown => return b.unknown(SSE),
                Val::Known(Value::Array(list)) if !list.is_empty() => {
                    (r, "server_side_encryption_configuration.0.".to_string())
                }
                // S3 docs: since 5 January 2023 every bucket without another default encryption
                // has SSE-S3 (AES256), so a bucket with none configured has exactly that.
                _ => {
                    b.put(SSE, json!({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}));
                    return;
                }
            }
        }
        Err(()) => return,
    };
    let mut part = b.part(of);
    let rules = sse_rules(&mut part, &base);
    let unknown = part.unknown;
    b.finish(SSE, unknown, json!({ "rules": rules }));
}

fn bucket_versioning(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_versioning", VERSIONING) {
        Ok(Some(config)) => {
            let mut part = b.part(config);
            let status = part.text("versioning_configuration.0.status");
            let unknown = part.unknown;
            // Computed when unset; only a known value is written (no policy reads it).
            let mfa = match config.get("versioning_configuration.0.mfa_delete") {
                Val::Known(Value::String(m)) if !m.is_empty() => Some(m.clone()),
                _ => None,
            };
            // Provider docs: `Disabled` "should only be used when creating or importing resources
            // that correspond to unversioned S3 buckets": S3 calls that state Off.
            let status = status.map(|s| if s == "Disabled" { "Off".to_string() } else { s });
            b.finish(
                VERSIONING,
                unknown,
                object(vec![
                    ("status", status.map_or(Value::Null, Value::String)),
                    ("isMfaDeleteEnabled", mfa.map_or(Value::Null, |m| Value::Bool(m == "Enabled"))),
                ]),
            );
        }
        Ok(None) => match b.read(r, r.bool("versioning.0.enabled")) {
            Typed::Known(true) => b.put(VERSIONING, json!({"status": "Enabled"})),
            // The provider reports Suspended and never-enabled alike as `enabled = false`; a new
            // bucket's is Off. Neither is Enabled, which is what the policies read.
            Typed::Known(false) => {
                let status = if r.action.creates() { "Off" } else { "Suspended" };
                b.put(VERSIONING, json!({ "status": status }));
            }
            Typed::Unknown => b.unknown(VERSIONING),
            // S3 docs: a new bucket is unversioned until versioning is enabled.
            Typed::Null if r.action.creates() && !r.partly_unknown("versioning") => {
                b.put(VERSIONING, json!({"status": "Off"}));
            }
            Typed::Null => {
                if r.partly_unknown("versioning") {
                    b.unknown(VERSIONING);
                }
            }
        },
        Err(()) => {}
    }
}

fn bucket_public_access(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_public_access_block", PUBLIC_ACCESS) {
        Ok(Some(config)) => {
            // Provider docs (aws_s3_bucket_public_access_block): each setting "Defaults to false".
            let mut part = b.part(config);
            let mut block = Map::new();
            for (tf, aws) in [
                ("block_public_acls", "blockPublicAcls"),
                ("ignore_public_acls", "ignorePublicAcls"),
                ("block_public_policy", "blockPublicPolicy"),
                ("restrict_public_buckets", "restrictPublicBuckets"),
            ] {
                block.insert(aws.into(), Value::Bool(part.bool(tf).unwrap_or(false)));
            }
            let unknown = part.unknown;
            b.finish(PUBLIC_ACCESS, unknown, Value::Object(block));
        }
        // S3 docs: since April 2023 new buckets have all four Block Public Access settings on.
        // An existing bucket's settings are not in the plan: left out.
        Ok(None) if r.action.creates() => b.put(
            PUBLIC_ACCESS,
            json!({"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": true, "restrictPublicBuckets": true}),
        ),
        Ok(None) | Err(()) => {}
    }
}

fn bucket_lifecycle(b: &mut Builder<'_, '_>) {
    let r = b.r;
    match b.single("aws_s3_bucket_lifecycle_configuration", LIFECYCLE) {
        Ok(Some(config)) => {
            let mut part = b.part(config);
            let rules = lifecycle_rules(&mut part);
            let unknown = part.unknown;
            b.finish(LIFECYCLE, unknown, json!({ "rules": rules }));
        }
        Ok(None) => match r.get("lifecycle_rule") {
            // The older inline rules (deprecated in AWS provider 4).
            Val::Known(Value::Array(list)) if !list.is_empty() => {
                let mut part = b.part(r);
                let rules = inline_lifecycle_rules(&mut part, list.len());
                let unknown = part.unknown;
                b.finish(LIFECYCLE, unknown, json!({ "rules": rules }));
            }
            Val::Unknown => b.unknown(LIFECYCLE),
            // A new bucket has no lifecycle rules; an existing one's without either form is not
            // in the plan.
            _ if r.action.creates() || matches!(r.get("lifecycle_rule"), Val::Known(_)) => {
                b.put(LIFECYCLE, json!({"rules": []}));
            }
            _ => {}
        },
        Err(()) => {}
    }
}

/// A rule filter's predicates, as AWS Config writes them (`LifecyclePrefixPredicate`…).
fn predicates(part: &mut Part<'_, '_, '_>, at: &str, tags_key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(prefix) = part.text(&format!("{at}prefix")).or_else(|| {
        // `prefix = ""` is a predicate too (every key starts with it).
        matches!(part.of.get(&format!("{at}prefix")), Val::Known(Value::String(_))).then(String::new)
    }) {
        out.push(json!({"type": "LifecyclePrefixPredicate", "prefix": prefix}));
    }
    // One `tag` block, or a `tags` map (inside `and`).
    if tags_key == "tag" {
        for i in 0..part.count(&format!("{at}tag")) {
            let key = part.text(&format!("{at}tag.{i}.key"));
            let value = part.text(&format!("{at}tag.{i}.value"));
            out.push(json!({"type": "LifecycleTagPredicate", "tag": {"key": key, "value": value}}));
        }
    } else {
        match part.of.get(&format!("{at}{tags_key}")) {
            Val::Known(Value::Object(map)) => {
                for (k, v) in map {
                    out.push(json!({"type": "LifecycleTagPredicate", "tag": {"key": k, "value": v}}));
                }
            }
            Val::Unknown => part.unknown = true,
            _ => {}
        }
    }
    // The provider writes 0 for an unset size bound; S3 has no use for a bound of 0.
    for (tf, aws) in [
        ("object_size_greater_than", "LifecycleObjectSizeGreaterThanPredicate"),
        ("object_size_less_than", "LifecycleObjectSizeLessThanPredicate"),
    ] {
        let path = format!("{at}{tf}");
        let size = match part.of.get(&path) {
            Val::Known(Value::String(s)) => s.parse::<i64>().ok(),
            _ => part.int(&path),
        };
        if let Some(n) = size.filter(|n| *n > 0) {
            let field = if tf == "object_size_greater_than" { "objectSizeGreaterThan" } else { "objectSizeLessThan" };
            out.push(json!({"type": aws, field: n}));
        }
    }
    out
}

/// Rules of `aws_s3_bucket_lifecycle_configuration`.
fn lifecycle_rules(part: &mut Part<'_, '_, '_>) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..part.count("rule") {
        let at = format!("rule.{i}.");
        let mut operands = Vec::new();
        let filters = part.count(&format!("{at}filter"));
        if filters > 0 {
            let filter = format!("{at}filter.0.");
            operands = predicates(part, &filter, "tag");
            if part.count(&format!("{filter}and")) > 0 {
                operands.extend(predicates(part, &format!("{filter}and.0."), "tags"));
                // An `and` with its operands: AWS Config's LifecycleAndOperator even for one.
                operands = vec![json!({"type": "LifecycleAndOperator", "operands": operands})];
            }
        }
        let predicate = match operands.len() {
            0 => Value::Null,
            1 => operands.remove(0),
            _ => json!({"type": "LifecycleAndOperator", "operands": operands}),
        };
        let days = part.int(&format!("{at}expiration.0.days")).filter(|d| *d > 0);
        rules.push(object(vec![
            ("id", part.text(&format!("{at}id")).map_or(Value::Null, Value::String)),
            ("status", part.text(&format!("{at}status")).map_or(Value::Null, Value::String)),
            ("prefix", part.text(&format!("{at}prefix")).map_or(Value::Null, Value::String)),
            ("filter", if predicate.is_null() { Value::Null } else { json!({ "predicate": predicate }) }),
            ("expirationInDays", days.map_or(Value::Null, Value::from)),
            ("expirationDate", part.text(&format!("{at}expiration.0.date")).map_or(Value::Null, Value::String)),
            (
                "noncurrentVersionExpiration",
                part.int(&format!("{at}noncurrent_version_expiration.0.noncurrent_days"))
                    .map_or(Value::Null, |d| json!({ "noncurrentDays": d })),
            ),
        ]));
    }
    rules
}

/// The older inline `lifecycle_rule` blocks of aws_s3_bucket.
fn inline_lifecycle_rules(part: &mut Part<'_, '_, '_>, count: usize) -> Vec<Value> {
    let mut rules = Vec::new();
    for i in 0..count {
        let at = format!("lifecycle_rule.{i}.");
        let enabled = part.bool(&format!("{at}enabled"));
        let mut operands = predicates(part, &at, "tags");
        let predicate = match operands.len() {
            0 => Value::Null,
            1 => operands.remove(0),
            _ => json!({"type": "LifecycleAndOperator", "operands": operands}),
        };
        let days = part.int(&format!("{at}expiration.0.days")).filter(|d| *d > 0);
        rules.push(object(vec![
            ("id", part.text(&format!("{at}id")).map_or(Value::Null, Value::String)),
            ("status", enabled.map_or(Value::Null, |e| Value::from(if e { "Enabled" } else { "Disabled" }))),
            ("filter", if predicate.is_null() { Value::Null } else { json!({ "predicate": predicate }) }),
            ("expirationInDays", days.map_or(Value::Null, Value::from)),
        ]));
    }
    rules
}

fn s3_account_public_access_block(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_s3_account_public_access_block): each setting "Defaults to false".
    for (tf, aws) in [
        ("block_public_acls", "blockPublicAcls"),
        ("ignore_public_acls", "ignorePublicAcls"),
        ("block_public_policy", "blockPublicPolicy"),
        ("restrict_public_buckets", "restrictPublicBuckets"),
    ] {
        b.bool(tf, &format!("configuration.{aws}"), Some(false));
    }
}

// ---- EC2 networking --------------------------------------------------------------------------

fn vpc(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.vpcId", address);
    b.string("cidr_block", "configuration.cidrBlock");
    b.string("instance_tenancy", "configuration.instanceTenancy");
    // aws_vpc never makes the default VPC.
    b.put("configuration.isDefault", false);
}

fn subnet(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.subnetId", address);
    b.reference("vpc_id", "configuration.vpcId", VPC);
    b.string("cidr_block", "configuration.cidrBlock");
    b.string("availability_zone", "configuration.availabilityZone");
    // Provider docs (aws_subnet): map_public_ip_on_launch "Default is false";
    // assign_ipv6_address_on_creation "Default is false".
    b.bool("map_public_ip_on_launch", "configuration.mapPublicIpOnLaunch", Some(false));
    b.bool("assign_ipv6_address_on_creation", "configuration.assignIpv6AddressOnCreation", Some(false));
    b.put("configuration.defaultForAz", false);
}

fn internet_gateway(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.internetGatewayId", address);
    let r = b.r;
    let mut part = b.part(r);
    let vpc = part.reference("vpc_id", VPC);
    let unknown = part.unknown;
    let attachments: Vec<Value> =
        vpc.into_iter().map(|v| json!({"vpcId": v.value, "state": "available"})).collect();
    b.finish("configuration.attachments", unknown, Value::Array(attachments));
}

/// Route target arguments, their AWS Config names, and what they may name.
const ROUTE_TARGETS: &[(&str, &str, Kinds)] = &[
    ("gateway_id", "gatewayId", GATEWAY),
    // AWS records a gateway endpoint route's target as its gatewayId (`vpce-…`).
    ("vpc_endpoint_id", "gatewayId", GATEWAY),
    ("nat_gateway_id", "natGatewayId", NAT_GATEWAY),
    ("egress_only_gateway_id", "egressOnlyInternetGatewayId", NO_KINDS),
    ("transit_gateway_id", "transitGatewayId", NO_KINDS),
    ("vpc_peering_connection_id", "vpcPeeringConnectionId", NO_KINDS),
    ("network_interface_id", "networkInterfaceId", NO_KINDS),
    ("carrier_gateway_id", "carrierGatewayId", NO_KINDS),
    ("local_gateway_id", "localGatewayId", NO_KINDS),
    ("instance_id", "instanceId", NO_KINDS),
];

/// One route (an inline `route` element at `at`, or an aws_route with `at` empty), in AWS
/// Config's shape; its destination, for matching routes one resource replaces.
fn route(part: &mut Part<'_, '_, '_>, at: &str, inline: bool) -> (Value, Option<String>) {
    let (v4, v6) = if inline {
        ("cidr_block", "ipv6_cidr_block")
    } else {
        ("destination_cidr_block", "destination_ipv6_cidr_block")
    };
    let mut route = Map::new();
    let mut destination = None;
    for (tf, aws) in [(v4, "destinationCidrBlock"), (v6, "destinationIpv6CidrBlock"), ("destination_prefix_list_id", "destinationPrefixListId")] {
        if let Some(d) = part.text(&format!("{at}{tf}")) {
            destination = Some(d.clone());
            route.insert(aws.into(), d.into());
        }
    }
    // aws_route computes the target arguments it is not given (`instance_id`,
    // `network_interface_id`): unknown but unset in the configuration, they are not the route's
    // target when another argument is. A route has exactly one target.
    let configured = |tf: &str| -> bool {
        match part.of.get(&format!("{at}{tf}")) {
            Val::Null => false,
            Val::Known(Value::String(s)) => !s.is_empty(),
            Val::Known(_) => true,
            Val::Unknown => inline || part.b.cx.resolver.expression_refs(part.of, &format!("{at}{tf}")).is_some(),
        }
    };
    let targets: Vec<&(&str, &str, Kinds)> = ROUTE_TARGETS.iter().filter(|(tf, _, _)| configured(tf)).collect();
    let targets: Vec<&(&str, &str, Kinds)> = if targets.is_empty() {
        // No target stated: every one the plan leaves unknown may be it.
        ROUTE_TARGETS.iter().filter(|(tf, _, _)| !matches!(part.of.get(&format!("{at}{tf}")), Val::Null)).collect()
    } else {
        targets
    };
    for (tf, aws, kinds) in targets {
        let path = format!("{at}{tf}");
        let Some(target) = part.reference(&path, kinds) else {
            continue;
        };
        // A route's target is recorded by its AWS ID, whose prefix says what it is (policies
        // test `igw-`): a known ID stays; an internet gateway made by this plan is written
        // `igw-(ADDRESS)`, the prefix its ID will have and the address it will come from.
        let planned_igw = target
            .target
            .is_some_and(|t| part.b.cx.all[t].tf_type == INTERNET_GATEWAY);
        let value = match (&target.literal, planned_igw) {
            (Some(literal), _) => literal.clone(),
            (None, true) => format!("igw-({})", target.value),
            (None, false) => target.value,
        };
        route.insert((*aws).into(), value.into());
    }
    route.insert("state".into(), "active".into());
    (Value::Object(route), destination)
}

/// A route's destination as the plan had it before (to drop what a route resource replaces).
fn before_destination(p: &Planned, inline_keys: bool) -> Option<String> {
    let keys: &[&str] = if inline_keys {
        &["cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"]
    } else {
        &["destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"]
    };
    keys.iter()
        .find_map(|k| p.before.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
        .map(str::to_string)
}

fn route_table(b: &mut Builder<'_, '_>) {
    let r = b.r;
    let address = r.address.clone();
    b.tags();
    b.put("configuration.routeTableId", address.clone());
    let is_default = r.tf_type == "aws_default_route_table";
    if is_default {
        // The VPC is computed; the table is adopted by the VPC's default route table ID.
        let vpc = match r.get("vpc_id") {
            Val::Known(_) => b.read(r, super::build::refer_one(&b.cx.resolver, r, "vpc_id", VPC)),
            _ => b.read(r, super::build::refer_one(&b.cx.resolver, r, "default_route_table_id", VPC_BY_DEFAULT_ROUTE_TABLE)),
        };
        match vpc {
            Typed::Known(v) => b.put("configuration.vpcId", v.value),
            Typed::Unknown | Typed::Null => b.unknown("configuration.vpcId"),
        }
    } else {
        b.reference("vpc_id", "configuration.vpcId", VPC);
    }
    routes(b);
    associations(b, is_default);
}

fn routes(b: &mut Builder<'_, '_>) {
    const ROUTES: &str = "configuration.routes";
    let r = b.r;
    let (separate, gone) = b.joined("aws_route");
    if b.orphaned("aws_route") {
        return;
    }
    let mut list = Vec::new();
    let mut unknown = false;
    // Provider docs: a route table's in-line routes cannot be used together with aws_route
    // resources; with aws_route resources the in-line `route` attribute only reports them.
    let managed_separately = !separate.is_empty() || !gone.is_empty();
    match r.get("route") {
        Val::Known(Value::Array(inline)) => {
            // What the route resources replace or delete is theirs to say.
            let owned: Vec<String> = separate
                .iter()
                .flat_map(|p| [before_destination(p, false), p.values.get("destination_cidr_block").and_then(Value::as_str).map(str::to_string), p.values.get("destination_ipv6_cidr_block").and_then(Value::as_str).map(str::to_string)])
                .chain(gone.iter().map(|p| before_destination(p, false)))
                .flatten()
                .collect();
            let mut part = b.part(r);
            for i in 0..inline.len() {
                let (route, destination) = route(&mut part, &format!("route.{i}."), true);
                if destination.as_ref().is_none_or(|d| !owned.contains(d)) {
                    list.push(route);
                }
            }
            unknown |= part.unknown;
        }
        Val::Known(_) => {
            let problem = format!("{}: `route` is not a list", r.address);
            b.problems.push(problem);
        }
        Val::Unknown if managed_separately && r.action.creates() => {}
        Val::Unknown => unknown = true,
        Val::Null => {}
    }
    for p in &separate {
        let mut part = b.part(p);
        let (route, _) = route(&mut part, "", false);
        unknown |= part.unknown;
        list.push(route);
    }
    b.finish(ROUTES, unknown, Value::Array(list));
}

fn associations(b: &mut Builder<'_, '_>, is_default: bool) {
    const ASSOCIATIONS: &str = "configuration.associations";
    let table = b.r.address.clone();
    let (explicit, _) = b.joined("aws_route_table_association");
    let (main, _) = b.joined("aws_main_route_table_association");
    let orphaned = b.orphaned("aws_route_table_association") | b.orphaned("aws_main_route_table_association");
    let mut list = Vec::new();
    let mut unknown = orphaned;
    for a in &explicit {
        let mut part = b.part(a);
        let subnet = part.reference("subnet_id", SUBNET);
        let gateway = part.reference("gateway_id", GATEWAY);
        unknown |= part.unknown;
        // An association whose subnet is known only after apply keeps no `subnetId`: a lookup
        // by subnet then cannot rule it out.
        list.push(object(vec![
            ("routeTableAssociationId", a.address.clone().into()),
            ("routeTableId", table.clone().into()),
            ("subnetId", subnet.map_or(Value::Null, |s| s.value.into())),
            ("gatewayId", gateway.map_or(Value::Null, |g| g.value.into())),
            ("main", false.into()),
            ("associationState", json!({"state": "associated"})),
        ]));
    }
    for a in &main {
        list.push(json!({"routeTableAssociationId": a.address, "routeTableId": table, "main": true, "associationState": {"state": "associated"}}));
    }
    // aws_default_route_table adopts the VPC's main route table.
    if is_default {
        list.push(json!({"routeTableAssociationId": format!("{table} (main)"), "routeTableId": table, "main": true, "associationState": {"state": "associated"}}));
    }
    b.put(ASSOCIATIONS, list);
    if unknown {
        b.unknown(ASSOCIATIONS);
    }
}

/// Where a security group rule's arguments are, per resource form.
struct RuleKeys {
    protocol: &'static str,
    v4: &'static str,
    v6: &'static str,
    prefix_lists: &'static str,
    groups: &'static str,
    /// `self = true`: the group itself is a source.
    this: Option<&'static str>,
}

const INLINE_RULE: RuleKeys = RuleKeys { protocol: "protocol", v4: "cidr_blocks", v6: "ipv6_cidr_blocks", prefix_lists: "prefix_list_ids", groups: "security_groups", this: Some("self") };
const RULE: RuleKeys = RuleKeys { protocol: "protocol", v4: "cidr_blocks", v6: "ipv6_cidr_blocks", prefix_lists: "prefix_list_ids", groups: "source_security_group_id", this: Some("self") };
const VPC_RULE: RuleKeys = RuleKeys { protocol: "ip_protocol", v4: "cidr_ipv4", v6: "cidr_ipv6", prefix_lists: "prefix_list_id", groups: "referenced_security_group_id", this: None };

/// EC2 reports protocols by name where they have one, and `-1` for all.
fn protocol_name(protocol: &str) -> String {
    match protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.into(),
    }
}

/// One rule in AWS Config's `ipPermissions` shape.
fn permission(part: &mut Part<'_, '_, '_>, at: &str, keys: &RuleKeys, group: &str) -> Value {
    let protocol = part.text(&format!("{at}{}", keys.protocol)).map(|p| protocol_name(&p));
    let all = protocol.as_deref() == Some("-1");
    let from = part.int(&format!("{at}from_port"));
    let to = part.int(&format!("{at}to_port"));
    let v4: Vec<Value> = part.strings(&format!("{at}{}", keys.v4)).into_iter().map(|c| json!({ "cidrIp": c })).collect();
    let v6: Vec<Value> = part.strings(&format!("{at}{}", keys.v6)).into_iter().map(|c| json!({ "cidrIpv6": c })).collect();
    let prefixes: Vec<Value> = part
        .strings(&format!("{at}{}", keys.prefix_lists))
        .into_iter()
        .map(|p| json!({ "prefixListId": p }))
        .collect();
    let mut groups: Vec<Value> = part
        .references(&format!("{at}{}", keys.groups), SECURITY_GROUP)
        .into_iter()
        .map(|g| json!({ "groupId": g.value }))
        .collect();
    if let Some(this) = keys.this
        && part.bool(&format!("{at}{this}")) == Some(true)
    {
        groups.push(json!({ "groupId": group }));
    }
    object(vec![
        ("ipProtocol", protocol.map_or(Value::Null, Value::String)),
        // EC2 reports no ports for "all protocols" (Terraform writes 0 and 0).
        ("fromPort", if all { Value::Null } else { from.map_or(Value::Null, Value::from) }),
        ("toPort", if all { Value::Null } else { to.map_or(Value::Null, Value::from) }),
        ("ipv4Ranges", Value::Array(v4)),
        ("ipv6Ranges", Value::Array(v6)),
        ("prefixListIds", Value::Array(prefixes)),
        ("userIdGroupPairs", Value::Array(groups)),
    ])
}

/// The sources a rule resource had before (protocol, ports, list, value), as an item writes them:
/// the in-line rules of an existing group also report them, and they are the resource's to say.
fn before_sources(b: &Builder<'_, '_>, p: &Planned, keys: &RuleKeys) -> Vec<(String, Option<i64>, Option<i64>, &'static str, String)> {
    let before = &p.before;
    let Some(protocol) = before.get(keys.protocol).and_then(Value::as_str).map(protocol_name) else {
        return Vec::new();
    };
    let all = protocol == "-1";
    let port = |k: &str| if all { None } else { before.get(k).and_then(Value::as_i64) };
    let strings = |k: &str| -> Vec<String> {
        match before.get(k) {
            Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    let group_types: Vec<&str> = SECURITY_GROUP.iter().map(|(t, _)| *t).collect();
    let mut out = Vec::new();
    for (k, list) in [(keys.v4, "ipv4Ranges"), (keys.v6, "ipv6Ranges"), (keys.prefix_lists, "prefixListIds"), (keys.groups, "userIdGroupPairs")] {
        for value in strings(k) {
            let value = if list == "userIdGroupPairs" {
                b.cx.resolver.by_handle(&group_types, &value).map_or(value, |t| b.cx.all[t].address.clone())
            } else {
                value
            };
            out.push((protocol.clone(), port("from_port"), port("to_port"), list, value));
        }
    }
    out
}

/// Removes from in-line rules the sources that rule resources own.
fn without_sources(permissions: Vec<Value>, owned: &[(String, Option<i64>, Option<i64>, &'static str, String)]) -> Vec<Value> {
    let field = |list: &str| match list {
        "ipv4Ranges" => "cidrIp",
        "ipv6Ranges" => "cidrIpv6",
        "prefixListIds" => "prefixListId",
        _ => "groupId",
    };
    permissions
        .into_iter()
        .filter_map(|mut permission| {
            let key = (
                permission.get("ipProtocol").and_then(Value::as_str).map(str::to_string),
                permission.get("fromPort").and_then(Value::as_i64),
                permission.get("toPort").and_then(Value::as_i64),
            );
            let mut left = 0;
            for list in ["ipv4Ranges", "ipv6Ranges", "prefixListIds", "userIdGroupPairs"] {
                if let Some(Value::Array(entries)) = permission.get_mut(list) {
                    entries.retain(|e| {
                        let value = e.get(field(list)).and_then(Value::as_str).unwrap_or_default();
                        !owned.iter().any(|(p, f, t, l, v)| {
                            Some(p) == key.0.as_ref() && *f == key.1 && *t == key.2 && *l == list && v == value
                        })
                    });
                    left += entries.len();
                }
            }
            (left > 0).then_some(permission)
        })
        .collect()
}

fn security_group(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.groupId", address);
    b.name("name", "configuration.groupName");
    b.string("description", "configuration.description");
    b.reference("vpc_id", "configuration.vpcId", VPC);
    rules(b, "ingress", INGRESS, "aws_vpc_security_group_ingress_rule");
    rules(b, "egress", EGRESS, "aws_vpc_security_group_egress_rule");
}

/// In-line rules of one direction and the rule resources that add to them.
fn rules(b: &mut Builder<'_, '_>, direction: &str, to: &str, vpc_rule_type: &'static str) {
    let r = b.r;
    let group = r.address.clone();
    let of_direction = |p: &&Planned| p.values.get("type").and_then(Value::as_str) == Some(direction);
    let (legacy, legacy_gone) = b.joined("aws_security_group_rule");
    let (vpc_rules, vpc_gone) = b.joined(vpc_rule_type);
    // A rule whose direction is not known may be of either.
    let mut unknown = legacy.iter().any(|p| {
        !matches!(p.values.get("type").and_then(Value::as_str), Some("ingress" | "egress"))
    });
    let legacy: Vec<&Planned> = legacy.into_iter().filter(of_direction).collect();
    let legacy_gone: Vec<&Planned> = legacy_gone.into_iter().filter(of_direction).collect();
    unknown |= b.orphaned(vpc_rule_type);
    // aws_security_group_rule orphans count for ingress (the policies' direction) and egress.
    unknown |= b.orphaned("aws_security_group_rule");
    let managed_separately = !(legacy.is_empty() && legacy_gone.is_empty() && vpc_rules.is_empty() && vpc_gone.is_empty());
    let mut list = Vec::new();
    match r.get(direction) {
        Val::Known(Value::Array(inline)) => {
            let mut part = b.part(r);
            for i in 0..inline.len() {
                list.push(permission(&mut part, &format!("{direction}.{i}."), &INLINE_RULE, &group));
            }
            unknown |= part.unknown;
            if managed_separately {
                let mut owned = Vec::new();
                for p in legacy.iter().chain(&legacy_gone) {
                    owned.extend(before_sources(b, p, &RULE));
                }
                for p in vpc_rules.iter().chain(&vpc_gone) {
                    owned.extend(before_sources(b, p, &VPC_RULE));
                }
                list = without_sources(list, &owned);
            }
        }
        Val::Known(_) => {
            let problem = format!("{}: `{direction}` is not a list", r.address);
            b.problems.push(problem);
        }
        // Provider docs: in-line rules cannot be used together with rule resources, so a new
        // group whose rules are resources has only those. Otherwise known after apply.
        Val::Unknown if managed_separately && r.action.creates() => {}
        Val::Unknown => unknown = true,
        Val::Null => {}
    }
    for p in &legacy {
        let mut part = b.part(p);
        list.push(permission(&mut part, "", &RULE, &group));
        unknown |= part.unknown;
    }
    for p in &vpc_rules {
        let mut part = b.part(p);
        list.push(permission(&mut part, "", &VPC_RULE, &group));
        unknown |= part.unknown;
    }
    b.finish(to, unknown, Value::Array(list));
}

fn flow_log(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.flowLogId", address);
    // The flow log's resource: one of these is set.
    const RESOURCE: &[(&str, Kinds)] = &[
        ("vpc_id", VPC),
        ("subnet_id", SUBNET),
        ("eni_id", NO_KINDS),
        ("transit_gateway_id", NO_KINDS),
        ("transit_gateway_attachment_id", NO_KINDS),
    ];
    for (tf, kinds) in RESOURCE {
        if !matches!(b.r.get(tf), Val::Null) {
            b.reference(tf, "configuration.resourceId", kinds);
            break;
        }
    }
    // EC2 API reference (FlowLog): FlowLogStatus "The status of the flow log (ACTIVE)", its only
    // value. Whether delivery works (deliverLogsStatus) is known only once logs flow: left out,
    // as the policy expects of sources that do not record it.
    b.put("configuration.flowLogStatus", "ACTIVE");
    b.string("traffic_type", "configuration.trafficType");
    // Provider docs (aws_flow_log): log_destination_type "Default: cloud-watch-logs".
    let r = b.r;
    let destination_type = b.read(r, r.text("log_destination_type"));
    b.write("configuration.logDestinationType", destination_type, Some("cloud-watch-logs"));
    b.reference("log_destination", "configuration.logDestination", LOG_DESTINATION);
}

fn ebs_volume(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.volumeId", address);
    // Computed when unset (the account's encryption-by-default decides), so known after apply.
    b.bool("encrypted", "configuration.encrypted", None);
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    b.int("size", "configuration.size", None);
    b.string("type", "configuration.volumeType");
    b.string("availability_zone", "configuration.availabilityZone");
}

fn ebs_encryption_by_default(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_ebs_encryption_by_default): enabled "Defaults to true".
    b.bool("enabled", "configuration.ebsEncryptionByDefault", Some(true));
}

// ---- CloudTrail, DynamoDB, load balancers ----------------------------------------------------

fn cloudtrail(b: &mut Builder<'_, '_>) {
    b.tags();
    b.name("name", "configuration.name");
    // Provider docs (aws_cloudtrail): is_multi_region_trail, enable_log_file_validation and
    // is_organization_trail "Defaults to false"; include_global_service_events and
    // enable_logging "Defaults to true". The provider starts or stops logging to match
    // enable_logging, so it is the trail's status after apply.
    b.bool("is_multi_region_trail", "configuration.isMultiRegionTrail", Some(false));
    b.bool("enable_log_file_validation", "configuration.logFileValidationEnabled", Some(false));
    b.bool("include_global_service_events", "configuration.includeGlobalServiceEvents", Some(true));
    b.bool("is_organization_trail", "configuration.isOrganizationTrail", Some(false));
    b.reference("kms_key_id", "configuration.kmsKeyId", KMS_KEY);
    b.reference("s3_bucket_name", "configuration.s3BucketName", BUCKET);
    b.bool("enable_logging", "supplementaryConfiguration.TrailStatus.isLogging", Some(true));
}

fn dynamodb_table(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.tableName");
    const SSE_DESCRIPTION: &str = "configuration.ssedescription";
    // DynamoDB docs: without server_side_encryption enabled a table uses an AWS owned key, and
    // DescribeTable then returns no SSEDescription.
    match r.get("server_side_encryption") {
        Val::Unknown => b.unknown(SSE_DESCRIPTION),
        Val::Known(Value::Array(list)) if !list.is_empty() => {
            let mut part = b.part(r);
            let enabled = part.bool("server_side_encryption.0.enabled");
            let key = part.reference("server_side_encryption.0.kms_key_arn", KMS_KEY);
            let unknown = part.unknown;
            if enabled == Some(true) || unknown {
                let sse = object(vec![
                    ("status", "ENABLED".into()),
                    ("ssetype", "KMS".into()),
                    ("kmsmasterKeyArn", key.map_or(Value::Null, |k| k.value.into())),
                ]);
                b.finish(SSE_DESCRIPTION, unknown, sse);
            }
        }
        _ => {}
    }
    const PITR: &str = "supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus";
    // DynamoDB docs: point-in-time recovery is off unless enabled.
    match b.read(r, r.bool("point_in_time_recovery.0.enabled")) {
        Typed::Known(true) => b.put(PITR, "ENABLED"),
        Typed::Known(false) => b.put(PITR, "DISABLED"),
        Typed::Unknown => b.unknown(PITR),
        Typed::Null if r.partly_unknown("point_in_time_recovery") => b.unknown(PITR),
        Typed::Null => b.put(PITR, "DISABLED"),
    }
}

fn listener(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.string("arn", "configuration.ListenerArn");
    b.string("protocol", "configuration.Protocol");
    b.int("port", "configuration.Port", None);
    b.string("ssl_policy", "configuration.SslPolicy");
    let mut part = b.part(r);
    let mut actions = Vec::new();
    for i in 0..part.count("default_action") {
        let at = format!("default_action.{i}.");
        let redirect = (part.count(&format!("{at}redirect")) > 0).then(|| {
            let r = format!("{at}redirect.0.");
            object(vec![
                ("Protocol", part.text(&format!("{r}protocol")).map_or(Value::Null, Value::String)),
                ("Port", part.text(&format!("{r}port")).map_or(Value::Null, Value::String)),
                ("Host", part.text(&format!("{r}host")).map_or(Value::Null, Value::String)),
                ("Path", part.text(&format!("{r}path")).map_or(Value::Null, Value::String)),
                ("Query", part.text(&format!("{r}query")).map_or(Value::Null, Value::String)),
                ("StatusCode", part.text(&format!("{r}status_code")).map_or(Value::Null, Value::String)),
            ])
        });
        let fixed = (part.count(&format!("{at}fixed_response")) > 0).then(|| {
            let f = format!("{at}fixed_response.0.");
            object(vec![
                ("ContentType", part.text(&format!("{f}content_type")).map_or(Value::Null, Value::String)),
                ("StatusCode", part.text(&format!("{f}status_code")).map_or(Value::Null, Value::String)),
            ])
        });
        let target_group = if matches!(r.get(&format!("{at}target_group_arn")), Val::Null) {
            None
        } else {
            part.reference(&format!("{at}target_group_arn"), TARGET_GROUP)
        };
        actions.push(object(vec![
            ("Type", part.text(&format!("{at}type")).map_or(Value::Null, Value::String)),
            ("TargetGroupArn", target_group.map_or(Value::Null, |t| t.value.into())),
            ("RedirectConfig", redirect.unwrap_or(Value::Null)),
            ("FixedResponseConfig", fixed.unwrap_or(Value::Null)),
        ]));
    }
    let unknown = part.unknown;
    b.finish("configuration.DefaultActions", unknown, Value::Array(actions));
}

// ---- IAM -------------------------------------------------------------------------------------

fn iam_user(b: &mut Builder<'_, '_>) {
    let r = b.r;
    b.tags();
    b.name("name", "configuration.userName");
    b.string("arn", "configuration.arn");
    let new_user = r.action.creates();
    let (profiles, profiles_gone) = b.joined("aws_iam_user_login_profile");
    let password = if b.orphaned("aws_iam_user_login_profile") {
        None
    } else if !profiles.is_empty() {
        Some(true)
    } else if new_user || !profiles_gone.is_empty() {
        // A new user has no console password until a login profile is made; deleting the
        // login profile removes it.
        Some(false)
    } else {
        // Whether an existing user has a password made outside the plan is not in the plan.
        None
    };
    if let Some(enabled) = password {
        b.put(&format!("{CREDENTIAL_REPORT}.passwordEnabled"), enabled);
    }
    if password == Some(true) {
        // MFA devices are enrolled by the user, outside Terraform: not known from a plan.
        b.unknown(&format!("{CREDENTIAL_REPORT}.mfaActive"));
        b.unknown("supplementaryConfiguration.MfaDevices");
        // A password set by this plan is set at apply (and never used yet); an existing one's
        // dates are not in the plan.
        if profiles.iter().any(|p| p.action.creates()) {
            b.unknown(&format!("{CREDENTIAL_REPORT}.passwordLastChanged"));
        }
    }
    access_keys(b, new_user);
}

fn access_keys(b: &mut Builder<'_, '_>, new_user: bool) {
    let (keys, _gone) = b.joined("aws_iam_access_key");
    if b.orphaned("aws_iam_access_key") {
        return;
    }
    // The access keys of an existing user without key resources are not in the plan.
    if keys.is_empty() && !new_user {
        return;
    }
    let mut unknown = false;
    let mut list = Vec::new();
    for key in keys {
        let mut part = b.part(key);
        let id = part.text("id");
        // Provider docs (aws_iam_access_key): status "Defaults to Active".
        let status = part.text("status").unwrap_or_else(|| "Active".into());
        let created = part.text("create_date");
        unknown |= part.unknown;
        list.push(object(vec![
            ("accessKeyId", id.map_or(Value::Null, Value::String)),
            ("status", status.into()),
            ("createDate", created.map_or(Value::Null, Value::String)),
        ]));
    }
    b.finish(ACCESS_KEYS, unknown, Value::Array(list));
}

fn password_policy(b: &mut Builder<'_, '_>) {
    // Provider docs (aws_iam_account_password_policy): minimum_password_length "Defaults to 6";
    // require_lowercase_characters, require_numbers, require_symbols,
    // require_uppercase_characters "Defaults to false"; allow_users_to_change_password
    // "Defaults to true". No reuse prevention unless set: AWS then reports none.
    b.int("minimum_password_length", "configuration.minimumPasswordLength", Some(6));
    for (tf, aws) in [
        ("require_symbols", "requireSymbols"),
        ("require_numbers", "requireNumbers"),
        ("require_uppercase_characters", "requireUppercaseCharacters"),
        ("require_lowercase_characters", "requireLowercaseCharacters"),
    ] {
        b.bool(tf, &format!("configuration.{aws}"), Some(false));
    }
    b.bool("allow_users_to_change_password", "configuration.allowUsersToChangePassword", Some(true));
    b.int("password_reuse_prevention", "configuration.passwordReusePrevention", None);
    b.int("max_password_age", "configuration.maxPasswordAge", None);
    b.bool("hard_expiry", "configuration.hardExpiry", None);
}
