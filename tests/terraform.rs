//! `attestor scan --terraform-plan`: the built-in policies over the planned AWS resources of
//! fixtures/terraform/*.plan.json (compliant, noncompliant, values known only after apply, a
//! deletion), exit codes, results named by Terraform address, and inputs that are not plans; and,
//! through the library, joins between resources one plan creates and unreadable resources.

mod common;

use std::collections::BTreeSet;

use attestor::eval::{Finding, Options, Status, evaluate};
use attestor::inventory::terraform::parse_terraform_plan;
use attestor::inventory::{ConfigurationItem, Loaded};
use serde_json::{Value, json};

fn plan(name: &str) -> String {
    format!("fixtures/terraform/{name}.plan.json")
}

/// Scans a plan file with `--format json`: (exit code, report, stderr).
fn scan(path: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["scan", "--terraform-plan", path, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = common::attestor(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}{stderr}"));
    (code, report, stderr)
}

/// (policy, resource, status, message) of every result.
fn results(report: &Value) -> Vec<(String, String, String, String)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect(k).to_string();
            (s("policy_id"), s("resource_id"), s("status"), s("message"))
        })
        .collect()
}

fn with_status(report: &Value, status: &str) -> BTreeSet<(String, String)> {
    results(report)
        .into_iter()
        .filter(|(_, _, s, _)| s == status)
        .map(|(p, r, _, _)| (p, r))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(p, r)| (p.to_string(), r.to_string()))
        .collect()
}

#[test]
fn a_compliant_plan_fails_nothing_and_errs_only_where_a_plan_cannot_know() {
    let (code, report, stderr) = scan(&plan("compliant"), &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        with_status(&report, "fail").is_empty(),
        "{:?}",
        with_status(&report, "fail")
    );
    // MFA is enrolled by the user, a password's use and a secret's rotations happen after apply;
    // the AWS provider writes a new database's security groups wholly unknown.
    assert_eq!(
        with_status(&report, "error"),
        pairs(&[
            ("iam-console-users-mfa", "aws_iam_user.alice"),
            ("iam-unused-console-passwords", "aws_iam_user.alice"),
            (
                "rds-security-groups-admit-only-groups",
                "module.data.module.db.aws_db_instance.main"
            ),
            (
                "secrets-manager-rotated",
                "module.data.aws_secretsmanager_secret.db"
            ),
        ])
    );
    // Every policy over a mapped type passes on some planned resource.
    let passed: BTreeSet<String> = with_status(&report, "pass")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for policy in [
        "backup-vault-encrypted",
        "cloudtrail-kms-encryption",
        "cloudtrail-log-file-validation",
        "cloudtrail-multi-region-logging",
        "cloudwatch-log-group-kms",
        "cloudwatch-log-retention",
        "dynamodb-kms-encryption",
        "dynamodb-point-in-time-recovery",
        "ebs-encryption-by-default",
        "ebs-volume-encrypted",
        "elb-http-redirects-to-https",
        "elb-listener-forward-secrecy",
        "elb-listener-tls12",
        "iam-access-keys-rotated",
        "iam-password-policy",
        "kms-key-rotation",
        "private-subnet-no-public-ip",
        "rds-backup-retention",
        "rds-cluster-backup-retention",
        "rds-cluster-multi-az",
        "rds-cluster-storage-encrypted",
        "rds-multi-az",
        "rds-private-network",
        "rds-security-groups-admit-only-groups",
        "rds-storage-encrypted",
        "s3-account-public-access-block",
        "s3-bucket-public-access-block",
        "s3-bucket-versioning",
        "s3-default-encryption",
        "s3-lifecycle-expiration",
        "secrets-manager-rotation",
        "security-group-no-public-admin-ports",
        "vpc-flow-logs-enabled",
    ] {
        assert!(passed.contains(policy), "{policy} passes nowhere");
    }
    let source = &report["source"];
    assert_eq!(source["kind"], "terraform-plan");
    assert_eq!(source["captured_at"], "2026-11-01T00:00:00Z");
    assert_eq!(source["account_ids"], serde_json::json!(["111111111111"]));
}

#[test]
fn a_plan_whose_every_result_passes_exits_0() {
    let (code, report, stderr) = scan(&plan("compliant"), &["--policies", "policies/encryption"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!with_status(&report, "pass").is_empty());
}

#[test]
fn a_noncompliant_plan_fails_naming_terraform_addresses() {
    let (code, report, stderr) = scan(&plan("noncompliant"), &[]);
    assert_eq!(code, 1, "{stderr}");
    let failing = with_status(&report, "fail");
    for expected in [
        (
            "rds-storage-encrypted",
            "module.data.module.db.aws_db_instance.legacy",
        ),
        (
            "rds-storage-encrypted",
            "module.data.aws_rds_cluster_instance.warehouse",
        ),
        // Private by its own settings, public by the route table of its subnet: a join over
        // four resources made by the plan, through two module levels.
        (
            "rds-private-network",
            "module.data.module.db.aws_db_instance.reports",
        ),
        (
            "security-group-no-public-admin-ports",
            "aws_security_group.ssh",
        ),
        (
            "security-group-no-public-admin-ports",
            "module.data.aws_security_group.db",
        ),
        (
            "private-subnet-no-public-ip",
            "module.network.aws_subnet.internal",
        ),
        // No association of its own: the VPC's main route table, made so by the plan, decides.
        (
            "private-subnet-no-public-ip",
            "module.network.aws_subnet.batch",
        ),
        (
            "rds-cluster-multi-az",
            "module.data.aws_rds_cluster.warehouse",
        ),
        ("s3-bucket-versioning", "aws_s3_bucket.exports"),
        ("s3-lifecycle-expiration", "aws_s3_bucket.legacy_reports"),
        (
            "secrets-manager-rotation",
            "module.data.aws_secretsmanager_secret.db_password",
        ),
        ("elb-http-redirects-to-https", "aws_lb_listener.http"),
        ("iam-access-keys-rotated", "aws_iam_user.erin"),
        (
            "ebs-encryption-by-default",
            "aws_ebs_encryption_by_default.this",
        ),
    ] {
        assert!(
            failing.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} does not fail: {failing:#?}"
        );
    }
    let (_, _, _, message) = results(&report)
        .into_iter()
        .find(|(p, r, _, _)| p == "rds-private-network" && r.ends_with("aws_db_instance.reports"))
        .expect("a result");
    assert!(
        message.contains("module.network.aws_route_table.public"),
        "{message}"
    );
    assert_eq!(
        report["source"]["account_ids"],
        serde_json::json!(["222222222222"])
    );
}

#[test]
fn noncompliant_plan_table() {
    let (code, stdout, stderr) =
        common::attestor(&["scan", "--terraform-plan", &plan("noncompliant")]);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("noncompliant_plan_table", stdout);
}

#[test]
fn values_known_only_after_apply_are_errors_never_passes() {
    let (code, report, stderr) = scan(&plan("unknown"), &[]);
    assert_eq!(code, 3, "{stderr}");
    for (policy, resource) in [
        ("rds-storage-encrypted", "aws_db_instance.main"),
        (
            "security-group-no-public-admin-ports",
            "aws_security_group.db",
        ),
        ("rds-private-network", "aws_db_instance.main"),
    ] {
        let (_, _, status, message) = results(&report)
            .into_iter()
            .find(|(p, r, _, _)| p == policy && r == resource)
            .unwrap_or_else(|| panic!("no {policy} result for {resource}"));
        assert_eq!(status, "error", "{policy}: {message}");
        assert!(
            message.contains("known only after apply"),
            "{policy}: {message}"
        );
    }
    // The bucket setting that names no bucket of the plan is reported where it is.
    assert!(
        stderr.contains("aws_s3_bucket_versioning.uploads"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown.plan.json:"), "{stderr}");
}

#[test]
fn a_deleted_database_is_not_evaluated() {
    let (_, report, _) = scan(&plan("delete"), &[]);
    assert!(
        results(&report)
            .iter()
            .all(|(_, r, _, _)| r != "aws_db_instance.legacy"),
        "a deleted resource has no results"
    );
    let notes = report["source"]["notes"].to_string();
    assert!(
        notes.contains("deletes are not evaluated: aws_db_instance.legacy"),
        "{notes}"
    );
    assert!(with_status(&report, "pass").contains(&(
        "rds-storage-encrypted".to_string(),
        "aws_db_instance.reports".to_string()
    )));
}

#[test]
fn a_utf16_plan_written_by_powershell_reads_like_its_utf8_original() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = std::fs::read_to_string(plan("noncompliant")).expect("the fixture");
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, utf16).expect("written");
    let (code, report, stderr) = scan(path.to_str().expect("a UTF-8 path"), &[]);
    let (original_code, original, _) = scan(&plan("noncompliant"), &[]);
    assert_eq!(code, original_code, "{stderr}");
    assert_eq!(results(&report), results(&original));
    assert_ne!(report["source"]["sha256"], original["source"]["sha256"]);
}

#[test]
fn inputs_that_are_not_plans_exit_2_saying_what_to_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cases = [
        (
            "broken.json",
            "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n}\n",
            "broken.json:4:",
        ),
        (
            "state.json",
            r#"{"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}"#,
            "it is a Terraform state",
        ),
        (
            "v2.json",
            r#"{"format_version": "2.0", "planned_values": {}}"#,
            "format_version 2.0 is not supported",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        let (code, stdout, stderr) =
            common::attestor(&["scan", "--terraform-plan", path.to_str().expect("UTF-8")]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        if name == "state.json" {
            // What to run instead (miette may wrap the help line).
            assert!(stderr.contains("plan.tfplan"), "{stderr}");
        }
    }
    // An AWS Config snapshot given as a plan.
    let (code, _, stderr) = common::attestor(&[
        "scan",
        "--terraform-plan",
        "fixtures/aws-config.snapshot.json",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("it is AWS Config data"), "{stderr}");
}

// ---- The loader and the built-in policies, through the library ---------------------------------

fn item<'l>(loaded: &'l Loaded, address: &str) -> &'l ConfigurationItem {
    loaded
        .inventory
        .items
        .iter()
        .find(|i| i.resource_id == address)
        .unwrap_or_else(|| panic!("no item {address}"))
}

/// A value of an item's document at a dotted path.
fn at<'v>(item: &'v ConfigurationItem, path: &str) -> &'v Value {
    path.split('.')
        .fold(&item.doc, |v, k| match k.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[k],
        })
}

fn findings(loaded: &Loaded) -> Vec<Finding> {
    let (set, diagnostics) = attestor::policy::load::builtin();
    assert!(diagnostics.is_empty());
    evaluate(&set, &loaded.inventory, &Options::default())
        .expect("evaluates")
        .findings
}

fn status(findings: &[Finding], policy: &str, resource: &str) -> (Status, String) {
    findings
        .iter()
        .find(|f| f.policy_id == policy && f.resource_id == resource)
        .map_or_else(
            || panic!("no {policy} result for {resource}"),
            |f| (f.status, f.message.clone()),
        )
}

/// A minimal root-module plan: (address, after, after_unknown, expressions) per created resource.
fn plan_of(resources: &[(&str, Value, Value, Value)]) -> Vec<u8> {
    let changes: Vec<Value> = resources
        .iter()
        .map(|(address, after, unknown, _)| {
            let (tf_type, name) = address.split_once('.').expect("TYPE.NAME");
            json!({
                "address": address, "mode": "managed", "type": tf_type, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown}
            })
        })
        .collect();
    let mut config: Vec<Value> = Vec::new();
    for (address, _, _, expressions) in resources {
        let (tf_type, name) = address.split_once('.').expect("TYPE.NAME");
        if config.iter().all(|c| c["address"] != *address) {
            config.push(
                json!({"address": address, "mode": "managed", "type": tf_type,
                "name": name, "provider_config_key": "aws", "expressions": expressions}),
            );
        }
    }
    serde_json::to_vec(&json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                "expressions": {"region": {"constant_value": "eu-west-1"}, "allowed_account_ids": {"constant_value": ["123456789012"]}}}},
            "root_module": {"resources": config}
        },
        "timestamp": "2026-11-01T00:00:00Z"
    }))
    .expect("JSON")
}

fn refs(list: &[&str]) -> Value {
    json!({ "references": list })
}

/// A database in a subnet group whose subnet is associated with a route table, all created by
/// one plan; `igw_route` adds a 0.0.0.0/0 route to an internet gateway made by the same plan.
fn network_plan(igw_route: bool) -> Vec<u8> {
    let mut resources = vec![
        (
            "aws_vpc.main",
            json!({"cidr_block": "10.0.0.0/16"}),
            json!({"id": true}),
            json!({}),
        ),
        (
            "aws_subnet.db",
            json!({"cidr_block": "10.0.1.0/24", "map_public_ip_on_launch": false}),
            json!({"id": true, "vpc_id": true}),
            json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}),
        ),
        (
            "aws_internet_gateway.main",
            json!({}),
            json!({"id": true, "vpc_id": true}),
            json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}),
        ),
        (
            "aws_route_table.db",
            json!({}),
            json!({"id": true, "vpc_id": true, "route": true}),
            json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}),
        ),
        (
            "aws_route_table_association.db",
            json!({}),
            json!({"id": true, "subnet_id": true, "route_table_id": true}),
            json!({"subnet_id": refs(&["aws_subnet.db.id", "aws_subnet.db"]),
                   "route_table_id": refs(&["aws_route_table.db.id", "aws_route_table.db"])}),
        ),
        (
            "aws_db_subnet_group.db",
            // A list with an unknown element, as Terraform 1.3 and later write it.
            json!({"name": "db", "subnet_ids": [null]}),
            json!({"id": true, "subnet_ids": [true]}),
            json!({"subnet_ids": refs(&["aws_subnet.db.id", "aws_subnet.db"])}),
        ),
        (
            "aws_db_instance.main",
            json!({"identifier": "main", "storage_encrypted": true, "publicly_accessible": false,
                   "multi_az": true, "backup_retention_period": 7, "vpc_security_group_ids": []}),
            json!({"id": true, "db_subnet_group_name": true}),
            json!({"db_subnet_group_name": refs(&["aws_db_subnet_group.db.name", "aws_db_subnet_group.db"])}),
        ),
    ];
    if igw_route {
        resources.push((
            "aws_route.internet",
            json!({"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": null}),
            json!({"id": true, "route_table_id": true, "gateway_id": true, "instance_id": true, "network_interface_id": true}),
            json!({"destination_cidr_block": {"constant_value": "0.0.0.0/0"},
                   "route_table_id": refs(&["aws_route_table.db.id", "aws_route_table.db"]),
                   "gateway_id": refs(&["aws_internet_gateway.main.id", "aws_internet_gateway.main"])}),
        ));
    } else {
        resources.push((
            "aws_route.nat",
            json!({"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-0123456789abcdef0"}),
            json!({"id": true, "route_table_id": true, "instance_id": true, "network_interface_id": true}),
            json!({"destination_cidr_block": {"constant_value": "0.0.0.0/0"},
                   "route_table_id": refs(&["aws_route_table.db.id", "aws_route_table.db"]),
                   "nat_gateway_id": {"constant_value": "nat-0123456789abcdef0"}}),
        ));
    }
    plan_of(&resources)
}

#[test]
fn a_database_behind_an_internet_gateway_route_made_by_the_same_plan_fails() {
    let public = parse_terraform_plan("public.json", &network_plan(true)).expect("a plan");
    let db = item(&public, "aws_db_instance.main");
    assert_eq!(
        at(db, "configuration.dBSubnetGroup.subnets.0.subnetIdentifier"),
        "aws_subnet.db"
    );
    let table = item(&public, "aws_route_table.db");
    assert_eq!(
        at(table, "configuration.associations.0.subnetId"),
        "aws_subnet.db"
    );
    assert_eq!(
        at(table, "configuration.routes.0.gatewayId"),
        "igw-(aws_internet_gateway.main)"
    );
    let (s, message) = status(
        &findings(&public),
        "rds-private-network",
        "aws_db_instance.main",
    );
    assert_eq!(s, Status::Fail, "{message}");
    assert!(message.contains("aws_route_table.db"), "{message}");

    let private = parse_terraform_plan("private.json", &network_plan(false)).expect("a plan");
    let (s, message) = status(
        &findings(&private),
        "rds-private-network",
        "aws_db_instance.main",
    );
    assert_eq!(s, Status::Pass, "{message}");
}

#[test]
fn a_resource_that_cannot_be_read_makes_its_type_an_error_and_the_rest_is_evaluated() {
    let bytes = plan_of(&[
        (
            "aws_db_instance.bad",
            json!({"identifier": "bad", "storage_encrypted": "yes", "publicly_accessible": false}),
            json!({"id": true}),
            json!({}),
        ),
        (
            "aws_kms_key.ok",
            json!({"enable_key_rotation": true, "rotation_period_in_days": 90}),
            json!({"id": true}),
            json!({}),
        ),
    ]);
    let loaded = parse_terraform_plan("typed.json", &bytes).expect("the rest reads");
    assert!(
        loaded
            .inventory
            .items
            .iter()
            .all(|i| i.resource_id != "aws_db_instance.bad")
    );
    item(&loaded, "aws_kms_key.ok");
    let [error] = loaded.inventory.collection_errors.as_slice() else {
        panic!("{:?}", loaded.inventory.collection_errors);
    };
    assert_eq!(error.resource_types, ["AWS::RDS::DBInstance"]);
    assert_eq!(error.account_id, "123456789012");
    assert!(
        error.message.contains("aws_db_instance.bad"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("`storage_encrypted` is a string"),
        "{}",
        error.message
    );
    let [warning] = loaded.warnings.as_slice() else {
        panic!("{:?}", loaded.warnings);
    };
    assert!(warning.location().is_some());
    let found = findings(&loaded);
    let db: Vec<&Finding> = found
        .iter()
        .filter(|f| f.policy_id == "rds-storage-encrypted")
        .collect();
    assert!(
        !db.is_empty() && db.iter().all(|f| f.status == Status::Error),
        "{db:?}"
    );
    assert_eq!(
        status(&found, "kms-key-rotation", "aws_kms_key.ok").0,
        Status::Pass
    );

    // An entry that is not even an object.
    let mut value: Value = serde_json::from_slice(&bytes).expect("JSON");
    value["resource_changes"][1] = json!(["not", "a", "change"]);
    let loaded = parse_terraform_plan("entry.json", &serde_json::to_vec(&value).expect("JSON"))
        .expect("reads");
    assert!(
        loaded
            .inventory
            .collection_errors
            .iter()
            .any(|e| e.resource_types == [attestor::resource_schema::ANY_TYPE])
    );
}

#[test]
fn an_unstated_region_is_a_placeholder_no_policy_decides_on() {
    let mut value: Value = serde_json::from_slice(&plan_of(&[(
        "aws_s3_bucket.data",
        json!({"bucket": "data"}),
        json!({"id": true}),
        json!({}),
    )]))
    .expect("JSON");
    value["configuration"]["provider_config"]["aws"]["expressions"] = json!({});
    let loaded =
        parse_terraform_plan("r.json", &serde_json::to_vec(&value).expect("JSON")).expect("a plan");
    let bucket = item(&loaded, "aws_s3_bucket.data");
    assert_eq!(&*bucket.region, "unknown");
    assert_eq!(bucket.unknown, ["accountId", "awsRegion"]);
    assert!(
        loaded
            .inventory
            .source
            .notes
            .iter()
            .any(|n| n.contains("does not state the region"))
    );
}

/// A root-module plan of changes with their actions: (address, actions, before, after).
fn plan_of_changes(changes: &[(&str, &[&str], Value, Value)]) -> Vec<u8> {
    let entries: Vec<Value> = changes
        .iter()
        .map(|(address, actions, before, after)| {
            let (tf_type, name) = address.split_once('.').expect("TYPE.NAME");
            json!({
                "address": address, "mode": "managed", "type": tf_type, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": actions, "before": before, "after": after,
                    "after_unknown": if after.is_null() { json!(false) } else { json!({"id": true}) }}
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": entries,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                "expressions": {"region": {"constant_value": "eu-west-1"}, "allowed_account_ids": {"constant_value": ["123456789012"]}}}},
            "root_module": {}
        },
        "timestamp": "2026-11-01T00:00:00Z"
    }))
    .expect("JSON")
}

fn statuses_of(findings: &[Finding], policy: &str) -> Vec<Status> {
    findings
        .iter()
        .filter(|f| f.policy_id == policy)
        .map(|f| f.status)
        .collect()
}

#[test]
fn deleting_an_account_setting_is_judged_as_the_account_it_leaves() {
    let block = json!({"block_public_acls": true, "ignore_public_acls": true,
        "block_public_policy": true, "restrict_public_buckets": true});
    let strong = json!({"minimum_password_length": 14, "require_symbols": true,
        "require_numbers": true, "require_uppercase_characters": true,
        "require_lowercase_characters": true, "password_reuse_prevention": 24});
    let bytes = plan_of_changes(&[
        (
            "aws_s3_account_public_access_block.this",
            &["delete"],
            block,
            Value::Null,
        ),
        (
            "aws_iam_account_password_policy.this",
            &["delete"],
            strong,
            Value::Null,
        ),
        // create_before_destroy: the old setting's deletion comes last.
        (
            "aws_ebs_encryption_by_default.this",
            &["create", "delete"],
            json!({"enabled": true}),
            json!({"enabled": true}),
        ),
    ]);
    let loaded = parse_terraform_plan("reset.json", &bytes).expect("a plan");
    let pab = item(&loaded, "aws_s3_account_public_access_block.this");
    assert_eq!(at(pab, "configuration.blockPublicAcls"), false);
    let ebs = item(&loaded, "aws_ebs_encryption_by_default.this");
    assert_eq!(at(ebs, "configuration.ebsEncryptionByDefault"), false);
    let found = findings(&loaded);
    for policy in [
        "s3-account-public-access-block",
        "ebs-encryption-by-default",
        "iam-password-policy",
    ] {
        let statuses = statuses_of(&found, policy);
        assert!(
            !statuses.is_empty() && statuses.iter().all(|s| *s == Status::Fail),
            "{policy}: {statuses:?}"
        );
    }
}
