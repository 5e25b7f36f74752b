//! Reading plans: encodings, what is not a plan, module addresses, references between planned
//! resources, values known only after apply, defaults, deletions and unreadable resources.

use serde_json::{Value, json};

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/terraform");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("a fixture")
}

fn load(name: &str) -> Loaded {
    parse_terraform_plan(name, &fixture(name)).unwrap_or_else(|d| panic!("{}", d.message))
}

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

#[test]
fn every_encoding_terraform_and_shells_write_reads_the_same() {
    let utf8 = fixture("delete.plan.json");
    let text = String::from_utf8(utf8.clone()).expect("UTF-8");
    let with_bom = [b"\xef\xbb\xbf".as_slice(), &utf8].concat();
    let le: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let ids = |bytes: &[u8]| -> Vec<String> {
        let loaded = parse_terraform_plan("plan.json", bytes).expect("a plan");
        loaded
            .inventory
            .items
            .iter()
            .map(|i| i.resource_id.clone())
            .collect()
    };
    let expected = ids(&utf8);
    assert!(!expected.is_empty());
    for bytes in [&with_bom, &le, &be] {
        assert_eq!(ids(bytes), expected);
    }
    // The digest is of the bytes as read.
    let loaded = parse_terraform_plan("plan.json", &le).expect("a plan");
    let sha = loaded.inventory.source.sha256.expect("a digest");
    assert_ne!(
        Some(sha),
        parse_terraform_plan("plan.json", &utf8)
            .expect("a plan")
            .inventory
            .source
            .sha256
    );

    let odd = [&le[..], &[0x00]].concat();
    let e = parse_terraform_plan("odd.json", &odd).expect_err("odd UTF-16");
    assert!(e.message.contains("odd number of bytes"), "{}", e.message);
    let e = parse_terraform_plan("latin1.json", b"{\"a\": \"\xe9\"}").expect_err("not UTF-8");
    assert!(e.message.contains("not UTF-8 or UTF-16"), "{}", e.message);
}

#[test]
fn malformed_json_is_located() {
    let e = parse_terraform_plan(
        "broken.json",
        b"{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n}\n",
    )
    .expect_err("malformed");
    assert_eq!(e.code, Code::InvalidInput);
    let (file, line, _) = e.location().expect("located");
    assert_eq!(file, "broken.json");
    assert_eq!(line, 4);
    // A resource_changes of the wrong type is located too.
    let e = parse_terraform_plan(
        "typed.json",
        b"{\"format_version\": \"1.2\",\n \"resource_changes\": {\"a\": 1}}",
    )
    .expect_err("wrong type");
    assert!(
        e.message.contains("`resource_changes` is an object"),
        "{}",
        e.message
    );
    assert_eq!(e.location().map(|(_, l, _)| l), Some(2));
}

#[test]
fn files_that_are_not_plans_say_what_they_are_and_what_to_run() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}"#,
            "Terraform state",
        ),
        (
            r#"{"snapshotVersion": 1, "configurationItems": []}"#,
            "attestor snapshot",
        ),
        (
            r#"{"fileVersion": "1.0", "configurationItems": []}"#,
            "AWS Config data",
        ),
        ("[1, 2]", "not an object"),
        (r#"{"hello": "world"}"#, "no `format_version`"),
    ];
    for (text, what) in cases {
        let e = parse_terraform_plan("x.json", text.as_bytes()).expect_err(what);
        assert!(e.message.contains("not a Terraform plan"), "{}", e.message);
        assert!(e.message.contains(what), "{what}: {}", e.message);
        assert!(
            e.help.as_deref().is_some_and(|h| h.contains(HOW_TO)),
            "{:?}",
            e.help
        );
    }
    for version in ["0.2", "2.0", "1", "1.x"] {
        let text = format!(r#"{{"format_version": "{version}", "planned_values": {{}}}}"#);
        let e = parse_terraform_plan("v.json", text.as_bytes()).expect_err(version);
        assert!(
            e.message
                .contains(&format!("format_version {version} is not supported")),
            "{}",
            e.message
        );
    }
    // Every 1.x reads, and an empty plan is a plan.
    for version in ["1.0", "1.2", "1.17"] {
        let text = format!(
            r#"{{"format_version": "{version}", "planned_values": {{"root_module": {{}}}}}}"#
        );
        let loaded = parse_terraform_plan("v.json", text.as_bytes()).expect(version);
        assert!(loaded.inventory.items.is_empty());
    }
}

#[test]
fn resources_at_every_module_depth_are_named_by_their_addresses() {
    let loaded = load("compliant.plan.json");
    let source = &loaded.inventory.source;
    assert_eq!(source.kind, SourceKind::TerraformPlan);
    assert_eq!(
        source.account_ids,
        ["111111111111"],
        "from aws_caller_identity"
    );
    assert_eq!(source.regions, ["eu-west-1", "global"]);
    assert_eq!(
        source.captured_at,
        Some("2026-11-01T00:00:00Z".parse().expect("a time"))
    );
    let db = item(&loaded, "module.data.module.db.aws_db_instance.main");
    assert_eq!(&*db.resource_type, "AWS::RDS::DBInstance");
    assert_eq!(db.resource_name.as_deref(), Some("orders-db"));
    assert_eq!(&*db.region, "eu-west-1");
    assert_eq!(
        at(db, "resourceId"),
        "module.data.module.db.aws_db_instance.main"
    );
    item(&loaded, r#"module.network.aws_subnet.private["a"]"#);
    item(&loaded, "module.network.aws_subnet.public[0]");
    let user = item(&loaded, "aws_iam_user.alice");
    assert_eq!(&*user.region, "global");
    assert_eq!(
        user.arn.as_deref(),
        Some("arn:aws:iam::111111111111:user/alice")
    );
    assert!(
        source
            .notes
            .iter()
            .any(|n| n.contains("of types no policy reads were skipped: aws_eip ×1")),
        "{:?}",
        source.notes
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.inventory.collection_errors.is_empty());
}

#[test]
fn ids_known_only_after_apply_are_named_through_references() {
    let loaded = load("compliant.plan.json");
    let db = item(&loaded, "module.data.module.db.aws_db_instance.main");
    // Through two module inputs and a module output, to the subnets of another module.
    assert_eq!(
        at(db, "configuration.dBSubnetGroup.subnets"),
        &json!([
            {"subnetIdentifier": "module.network.aws_subnet.private[\"a\"]", "subnetStatus": "Active"},
            {"subnetIdentifier": "module.network.aws_subnet.private[\"b\"]", "subnetStatus": "Active"}
        ])
    );
    assert_eq!(
        at(db, "configuration.vpcSecurityGroups.0.vpcSecurityGroupId"),
        "module.data.aws_security_group.db"
    );
    assert_eq!(at(db, "configuration.kmsKeyId"), "aws_kms_key.main");
    assert!(db.unknown.is_empty(), "{:?}", db.unknown);
    let flow_log = item(&loaded, "module.network.aws_flow_log.main");
    assert_eq!(
        at(flow_log, "configuration.resourceId"),
        "module.network.aws_vpc.main"
    );
    // `for_each = aws_s3_bucket.logs` with `bucket = each.value.id`.
    let logs = item(&loaded, r#"aws_s3_bucket.logs["audit"]"#);
    assert_eq!(
        at(
            logs,
            "supplementaryConfiguration.BucketVersioningConfiguration.status"
        ),
        "Enabled"
    );
    // Existing resources join by their literal IDs and names.
    let aurora = item(&loaded, "module.data.aws_rds_cluster_instance.analytics[0]");
    assert_eq!(
        at(
            aurora,
            "configuration.vpcSecurityGroups.0.vpcSecurityGroupId"
        ),
        "module.data.aws_security_group.analytics"
    );
    let cluster = item(&loaded, "module.data.aws_rds_cluster.analytics");
    assert_eq!(
        at(cluster, "configuration.dbclusterMembers"),
        &json!([
            {"dBInstanceIdentifier": "analytics-0", "isClusterWriter": true},
            {"dBInstanceIdentifier": "analytics-1", "isClusterWriter": false}
        ])
    );
    // A rule resource of a new group, from another group.
    let app = item(&loaded, "aws_security_group.app");
    assert_eq!(
        at(app, "configuration.ipPermissions"),
        &json!([{"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "ipv4Ranges": [],
            "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": [{"groupId": "aws_security_group.web"}]}])
    );
}

#[test]
fn values_known_only_after_apply_are_listed_and_never_written() {
    let loaded = load("unknown.plan.json");
    let db = item(&loaded, "aws_db_instance.main");
    assert!(
        db.unknown
            .contains(&"configuration.storageEncrypted".to_string()),
        "{:?}",
        db.unknown
    );
    assert!(at(db, "configuration.storageEncrypted").is_null());
    // A subnet group whose subnets come from a data source read at apply.
    assert!(
        db.unknown
            .contains(&"configuration.dBSubnetGroup.subnets".to_string()),
        "{:?}",
        db.unknown
    );
    let group = item(&loaded, "aws_security_group.db");
    assert_eq!(
        group.unknown,
        [
            "accountId",
            "configuration.ipPermissions",
            "configuration.ipPermissionsEgress"
        ]
    );
    // `aws_subnet.app[count.index]` names no one subnet: the association's subnet is unknown.
    let table = item(&loaded, "aws_route_table.app");
    assert!(
        table
            .unknown
            .contains(&"configuration.associations".to_string())
    );
    assert!(at(table, "configuration.associations.0.subnetId").is_null());
    // A bucket setting naming its bucket through a local value may be any bucket's.
    let bucket = item(&loaded, "aws_s3_bucket.uploads");
    assert!(
        bucket
            .unknown
            .contains(&"supplementaryConfiguration.BucketVersioningConfiguration".to_string())
    );
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("aws_s3_bucket_versioning.uploads")
                && w.location().is_some()),
        "{:?}",
        loaded.warnings
    );
    // No account anywhere in the plan: the placeholder, listed as unknown.
    assert_eq!(&*db.account_id, UNSTATED);
    assert!(db.unknown.contains(&"accountId".to_string()));
}

#[test]
fn unset_arguments_take_only_certain_defaults() {
    let loaded = load("noncompliant.plan.json");
    // storage_encrypted unset: false (the provider's documented default).
    let legacy = item(&loaded, "module.data.module.db.aws_db_instance.legacy");
    assert_eq!(at(legacy, "configuration.storageEncrypted"), false);
    let cluster = item(&loaded, "module.data.aws_rds_cluster.warehouse");
    assert_eq!(at(cluster, "configuration.storageEncrypted"), false);
    // The one instance of a new cluster is its writer.
    assert_eq!(
        at(cluster, "configuration.dbclusterMembers"),
        &json!([{"dBInstanceIdentifier": "warehouse-0", "isClusterWriter": true}])
    );
    // Retention 0 is "never expire": AWS reports no retention.
    let logs = item(&loaded, "aws_cloudwatch_log_group.app");
    assert!(at(logs, "configuration.retentionInDays").is_null());
    // The account from allowed_account_ids, the region from a root variable.
    assert_eq!(&*legacy.account_id, "222222222222");
    assert_eq!(&*legacy.region, "eu-west-1");
    // An existing bucket's own Block Public Access settings are not in the plan: left out.
    let reports = item(&loaded, "aws_s3_bucket.legacy_reports");
    assert!(
        at(
            reports,
            "supplementaryConfiguration.PublicAccessBlockConfiguration"
        )
        .is_null()
    );
    assert!(
        !reports
            .unknown
            .iter()
            .any(|u| u.contains("PublicAccessBlock"))
    );
    // In-line rules of AWS provider 3: a prefix-limited expiry.
    assert_eq!(
        at(
            reports,
            "supplementaryConfiguration.BucketLifecycleConfiguration.rules.0.filter.predicate"
        ),
        &json!({"type": "LifecyclePrefixPredicate", "prefix": "tmp/"})
    );
    // A new bucket blocks public access unless a resource says otherwise (AWS since 2023).
    let uploads = load("unknown.plan.json");
    let bucket = item(&uploads, "aws_s3_bucket.uploads");
    assert_eq!(
        at(
            bucket,
            "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls"
        ),
        true
    );
}

#[test]
fn deleted_resources_are_noted_and_not_evaluated() {
    let loaded = load("delete.plan.json");
    let ids: Vec<&str> = loaded
        .inventory
        .items
        .iter()
        .map(|i| i.resource_id.as_str())
        .collect();
    assert_eq!(ids, ["aws_db_instance.reports", "aws_s3_bucket.archive"]);
    assert!(
        loaded
            .inventory
            .source
            .notes
            .iter()
            .any(|n| n.contains("deletes are not evaluated: aws_db_instance.legacy")),
        "{:?}",
        loaded.inventory.source.notes
    );
    // A replacement is evaluated as what apply makes; its account comes from the old ARN.
    let reports = item(&loaded, "aws_db_instance.reports");
    assert_eq!(at(reports, "configuration.storageEncrypted"), true);
    assert_eq!(&*reports.account_id, "333333333333");
    // What a deleted bucket setting leaves depends on the bucket's history.
    let archive = item(&loaded, "aws_s3_bucket.archive");
    assert!(
        archive
            .unknown
            .contains(&"supplementaryConfiguration.BucketVersioningConfiguration".to_string())
    );
}

/// Every value of a plan replaced by values of other types, one at a time: never a panic.
#[test]
fn no_input_makes_the_reader_panic() {
    let base: Value = serde_json::from_slice(&fixture("unknown.plan.json")).expect("JSON");
    fn paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    at.push(k.clone());
                    paths(v, at, out);
                    at.pop();
                }
            }
            Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    at.push(i.to_string());
                    paths(v, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(&base, &mut Vec::new(), &mut all);
    let replacements = [
        json!(null),
        json!("x"),
        json!(7),
        json!([true]),
        json!({"a": {}}),
    ];
    let mut tried = 0;
    for (n, path) in all.iter().enumerate() {
        let mut value = base.clone();
        let mut node = &mut value;
        for key in path {
            node = match node {
                Value::Object(map) => map.get_mut(key).expect("a key"),
                Value::Array(list) => &mut list[key.parse::<usize>().expect("an index")],
                _ => unreachable!(),
            };
        }
        *node = replacements[n % replacements.len()].clone();
        let bytes = serde_json::to_vec(&value).expect("JSON");
        let _ = parse_terraform_plan("fuzz.json", &bytes);
        tried += 1;
    }
    assert!(tried > 500, "{tried}");
}
