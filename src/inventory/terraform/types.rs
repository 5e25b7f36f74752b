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

use super::build::{Builder, Join, Kinds, Ref, object, refer_one};
use super::plan::{Action, Planned, Typed, Val};

mod network;
mod rds;
mod s3;
mod services;

/// A Terraform type's mapping.
pub(super) struct Mapping {
    pub tf_types: &'static [&'static str],
    pub aws_type: &'static str,
    pub build: fn(&mut Builder<'_, '_>),
}

pub(super) const MAPPINGS: &[Mapping] = &[
    Mapping {
        tf_types: &["aws_db_instance"],
        aws_type: "AWS::RDS::DBInstance",
        build: rds::db_instance,
    },
    Mapping {
        tf_types: &["aws_rds_cluster_instance"],
        aws_type: "AWS::RDS::DBInstance",
        build: rds::cluster_instance,
    },
    Mapping {
        tf_types: &["aws_rds_cluster"],
        aws_type: "AWS::RDS::DBCluster",
        build: rds::db_cluster,
    },
    Mapping {
        tf_types: &["aws_db_subnet_group"],
        aws_type: "AWS::RDS::DBSubnetGroup",
        build: rds::db_subnet_group,
    },
    Mapping {
        tf_types: &["aws_kms_key"],
        aws_type: "AWS::KMS::Key",
        build: services::kms_key,
    },
    Mapping {
        tf_types: &["aws_s3_bucket"],
        aws_type: "AWS::S3::Bucket",
        build: s3::s3_bucket,
    },
    Mapping {
        tf_types: &["aws_s3_account_public_access_block"],
        aws_type: "Attestor::S3::AccountPublicAccessBlock",
        build: s3::s3_account_public_access_block,
    },
    Mapping {
        tf_types: &["aws_cloudwatch_log_group"],
        aws_type: "AWS::Logs::LogGroup",
        build: services::log_group,
    },
    Mapping {
        tf_types: &["aws_secretsmanager_secret"],
        aws_type: "AWS::SecretsManager::Secret",
        build: services::secret,
    },
    Mapping {
        tf_types: &["aws_vpc"],
        aws_type: "AWS::EC2::VPC",
        build: network::vpc,
    },
    Mapping {
        tf_types: &["aws_subnet"],
        aws_type: "AWS::EC2::Subnet",
        build: network::subnet,
    },
    Mapping {
        tf_types: &["aws_route_table", "aws_default_route_table"],
        aws_type: "AWS::EC2::RouteTable",
        build: network::route_table,
    },
    Mapping {
        tf_types: &["aws_internet_gateway"],
        aws_type: "AWS::EC2::InternetGateway",
        build: network::internet_gateway,
    },
    Mapping {
        tf_types: &["aws_security_group", "aws_default_security_group"],
        aws_type: "AWS::EC2::SecurityGroup",
        build: network::security_group,
    },
    Mapping {
        tf_types: &["aws_flow_log"],
        aws_type: "AWS::EC2::FlowLog",
        build: network::flow_log,
    },
    Mapping {
        tf_types: &["aws_cloudtrail"],
        aws_type: "AWS::CloudTrail::Trail",
        build: services::cloudtrail,
    },
    Mapping {
        tf_types: &["aws_dynamodb_table"],
        aws_type: "AWS::DynamoDB::Table",
        build: services::dynamodb_table,
    },
    Mapping {
        tf_types: &["aws_lb_listener", "aws_alb_listener"],
        aws_type: "AWS::ElasticLoadBalancingV2::Listener",
        build: services::listener,
    },
    Mapping {
        tf_types: &["aws_ebs_volume"],
        aws_type: "AWS::EC2::Volume",
        build: services::ebs_volume,
    },
    Mapping {
        tf_types: &["aws_ebs_encryption_by_default"],
        aws_type: "Attestor::EC2::EbsEncryptionByDefault",
        build: services::ebs_encryption_by_default,
    },
    Mapping {
        tf_types: &["aws_iam_user"],
        aws_type: "AWS::IAM::User",
        build: services::iam_user,
    },
    Mapping {
        tf_types: &["aws_iam_account_password_policy"],
        aws_type: "Attestor::IAM::PasswordPolicy",
        build: services::password_policy,
    },
    Mapping {
        tf_types: &["aws_backup_vault"],
        aws_type: "AWS::Backup::BackupVault",
        build: services::backup_vault,
    },
];

/// The mapping of a Terraform type.
pub(super) fn mapping(tf_type: &str) -> Option<&'static Mapping> {
    MAPPINGS.iter().find(|m| m.tf_types.contains(&tf_type))
}

// What attributes may name, as (Terraform type, attributes that carry the value).
const VPC: Kinds = &[("aws_vpc", &["id"]), ("aws_default_vpc", &["id"])];
const SUBNET: Kinds = &[("aws_subnet", &["id"]), ("aws_default_subnet", &["id"])];
const SECURITY_GROUP: Kinds = &[
    ("aws_security_group", &["id"]),
    ("aws_default_security_group", &["id"]),
];
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
    (
        "aws_vpc",
        &["main_route_table_id", "default_route_table_id"],
    ),
];
/// The VPC a default route table belongs to, by the ID it is adopted with.
const VPC_BY_DEFAULT_ROUTE_TABLE: Kinds = &[
    (
        "aws_vpc",
        &["default_route_table_id", "main_route_table_id"],
    ),
    (
        "aws_default_vpc",
        &["default_route_table_id", "main_route_table_id"],
    ),
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
const TARGET_GROUP: Kinds = &[
    ("aws_lb_target_group", &["arn", "id"]),
    ("aws_alb_target_group", &["arn", "id"]),
];
const LOG_DESTINATION: Kinds = &[
    ("aws_cloudwatch_log_group", &["arn"]),
    ("aws_s3_bucket", &["arn"]),
];
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
    Join {
        tf_type: "aws_s3_bucket_server_side_encryption_configuration",
        attribute: "bucket",
        owners: BUCKET,
        items: &["aws_s3_bucket"],
        property: SSE,
        aws_type: "AWS::S3::Bucket",
    },
    Join {
        tf_type: "aws_s3_bucket_public_access_block",
        attribute: "bucket",
        owners: BUCKET,
        items: &["aws_s3_bucket"],
        property: PUBLIC_ACCESS,
        aws_type: "AWS::S3::Bucket",
    },
    Join {
        tf_type: "aws_s3_bucket_versioning",
        attribute: "bucket",
        owners: BUCKET,
        items: &["aws_s3_bucket"],
        property: VERSIONING,
        aws_type: "AWS::S3::Bucket",
    },
    Join {
        tf_type: "aws_s3_bucket_lifecycle_configuration",
        attribute: "bucket",
        owners: BUCKET,
        items: &["aws_s3_bucket"],
        property: LIFECYCLE,
        aws_type: "AWS::S3::Bucket",
    },
    Join {
        tf_type: "aws_secretsmanager_secret_rotation",
        attribute: "secret_id",
        owners: SECRET,
        items: &["aws_secretsmanager_secret"],
        property: "configuration.RotationEnabled",
        aws_type: "AWS::SecretsManager::Secret",
    },
    Join {
        tf_type: "aws_route_table_association",
        attribute: "route_table_id",
        owners: ROUTE_TABLE,
        items: &["aws_route_table", "aws_default_route_table"],
        property: "configuration.associations",
        aws_type: "AWS::EC2::RouteTable",
    },
    Join {
        tf_type: "aws_main_route_table_association",
        attribute: "route_table_id",
        owners: ROUTE_TABLE,
        items: &["aws_route_table", "aws_default_route_table"],
        property: "configuration.associations",
        aws_type: "AWS::EC2::RouteTable",
    },
    Join {
        tf_type: "aws_route",
        attribute: "route_table_id",
        owners: ROUTE_TABLE,
        items: &["aws_route_table", "aws_default_route_table"],
        property: "configuration.routes",
        aws_type: "AWS::EC2::RouteTable",
    },
    Join {
        tf_type: "aws_security_group_rule",
        attribute: "security_group_id",
        owners: SECURITY_GROUP,
        items: &["aws_security_group", "aws_default_security_group"],
        property: INGRESS,
        aws_type: "AWS::EC2::SecurityGroup",
    },
    Join {
        tf_type: "aws_vpc_security_group_ingress_rule",
        attribute: "security_group_id",
        owners: SECURITY_GROUP,
        items: &["aws_security_group", "aws_default_security_group"],
        property: INGRESS,
        aws_type: "AWS::EC2::SecurityGroup",
    },
    Join {
        tf_type: "aws_vpc_security_group_egress_rule",
        attribute: "security_group_id",
        owners: SECURITY_GROUP,
        items: &["aws_security_group", "aws_default_security_group"],
        property: EGRESS,
        aws_type: "AWS::EC2::SecurityGroup",
    },
    Join {
        tf_type: "aws_iam_user_login_profile",
        attribute: "user",
        owners: IAM_USER,
        items: &["aws_iam_user"],
        property: CREDENTIAL_REPORT,
        aws_type: "AWS::IAM::User",
    },
    Join {
        tf_type: "aws_iam_access_key",
        attribute: "user",
        owners: IAM_USER,
        items: &["aws_iam_user"],
        property: ACCESS_KEYS,
        aws_type: "AWS::IAM::User",
    },
    Join {
        tf_type: "aws_rds_cluster_instance",
        attribute: "cluster_identifier",
        owners: DB_CLUSTER,
        items: &["aws_rds_cluster"],
        property: "configuration.dbclusterMembers",
        aws_type: "AWS::RDS::DBCluster",
    },
];

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

impl Part<'_, '_, '_> {
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
        match self
            .b
            .read(self.of, n.map(|n| n.map_or(Typed::Unknown, Typed::Known)))
        {
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
            refer_one(&self.b.cx.resolver, self.of, path, kinds),
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

    /// Whether this resource is replaced while a resource joined onto it by name is left as it
    /// is (no-op, update, forget): Terraform does not apply it again to the new object, so what
    /// it sets is not known after apply; `property` is marked unknown, with a warning.
    fn stale(&mut self, joined: &[&'a Planned], property: &str) -> bool {
        if self.r.action != Action::Replace {
            return false;
        }
        let stale: Vec<&str> = joined
            .iter()
            .filter(|p| !p.action.creates())
            .map(|p| p.address.as_str())
            .collect();
        if stale.is_empty() {
            return false;
        }
        let owner = self.r.address.split('[').next().unwrap_or(&self.r.address);
        self.warnings.push(format!(
            "{} is replaced but {} joined onto it {}: Terraform will not apply {} to the new object again, so {property} is unknown; add `lifecycle {{ replace_triggered_by = [{owner}] }}` to {}",
            self.r.address,
            stale.join(", "),
            if stale.len() == 1 { "is not" } else { "are not" },
            if stale.len() == 1 { "it" } else { "them" },
            if stale.len() == 1 { "it" } else { "each" },
        ));
        self.unknown(property);
        true
    }

    /// The one resource of a single-setting join (a bucket's versioning): `Ok(None)` when there
    /// is none; `Err(())` (the property marked unknown) when what it leaves is not known: one
    /// deleted, several conflicting, or one that may belong here.
    fn single(&mut self, tf_type: &'static str, property: &str) -> Result<Option<&'a Planned>, ()> {
        let (kept, gone) = self.joined(tf_type);
        if self.orphaned(tf_type) {
            return Err(());
        }
        if self.stale(&kept, property) {
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
                let names: Vec<&str> = kept
                    .iter()
                    .chain(&gone)
                    .map(|p| p.address.as_str())
                    .collect();
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
