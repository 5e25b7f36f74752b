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
    // The AWS provider writes an RDS instance's security groups wholly unknown while one is
    // being created: its constants could be anything, so the list is unknown.
    assert_eq!(
        db.unknown,
        ["configuration.vpcSecurityGroups"],
        "{:?}",
        db.unknown
    );
    assert_eq!(at(db, "configuration.kmsKeyId"), "aws_kms_key.main");
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

// ---- Hand-written plans --------------------------------------------------------------------------

/// One `resource_changes` entry of the root module.
fn change(address: &str, actions: &[&str], before: Value, after: Value, unknown: Value) -> Value {
    let (tf_type, name) = address.split_once('.').expect("TYPE.NAME");
    let name = name.split('[').next().unwrap_or(name);
    json!({
        "address": address, "mode": "managed", "type": tf_type, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown}
    })
}

/// A root module resource's configuration.
fn config(address: &str, expressions: Value) -> Value {
    let (tf_type, name) = address.split_once('.').expect("TYPE.NAME");
    json!({"address": address, "mode": "managed", "type": tf_type, "name": name,
        "provider_config_key": "aws", "expressions": expressions})
}

/// A plan of these changes and root module (account and region stated by the provider).
fn hand_plan(changes: Vec<Value>, root_module: Value) -> Loaded {
    let plan = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws",
                "expressions": {"region": {"constant_value": "eu-west-1"},
                    "allowed_account_ids": {"constant_value": ["123456789012"]}}}},
            "root_module": root_module
        },
        "timestamp": "2026-11-01T00:00:00Z"
    });
    parse_terraform_plan("hand.json", &serde_json::to_vec(&plan).expect("JSON"))
        .unwrap_or_else(|d| panic!("{}", d.message))
}

fn refs(list: &[&str]) -> Value {
    json!({ "references": list })
}

#[test]
fn a_forgotten_joined_resource_still_exists() {
    let open_ssh = json!({"type": "ingress", "security_group_id": "sg-1", "protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]});
    let group = json!({"id": "sg-1", "name": "db", "ingress": [{"protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
        "prefix_list_ids": [], "security_groups": [], "self": false}], "egress": []});
    let user = json!({"id": "alice", "name": "alice"});
    let loaded = hand_plan(
        vec![
            change(
                "aws_security_group.db",
                &["no-op"],
                group.clone(),
                group,
                json!({}),
            ),
            change(
                "aws_security_group_rule.ssh",
                &["forget"],
                open_ssh,
                Value::Null,
                json!(false),
            ),
            change(
                "aws_iam_user.alice",
                &["no-op"],
                user.clone(),
                user,
                json!({}),
            ),
            change(
                "aws_iam_user_login_profile.alice",
                &["forget"],
                json!({"user": "alice"}),
                Value::Null,
                json!(false),
            ),
            change(
                "aws_route_table.public",
                &["no-op"],
                json!({"id": "rtb-1", "vpc_id": "vpc-1", "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]}),
                json!({"id": "rtb-1", "vpc_id": "vpc-1", "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]}),
                json!({}),
            ),
            change(
                "aws_route.internet",
                &["forget"],
                json!({"route_table_id": "rtb-1", "destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}),
                Value::Null,
                json!(false),
            ),
        ],
        json!({}),
    );
    // The rule still admits SSH from anywhere.
    let group = item(&loaded, "aws_security_group.db");
    assert!(
        !group
            .unknown
            .contains(&"configuration.ipPermissions".into())
    );
    assert_eq!(
        at(group, "configuration.ipPermissions.0.ipv4Ranges"),
        &json!([{"cidrIp": "0.0.0.0/0"}]),
        "{}",
        group.doc
    );
    assert_eq!(at(group, "configuration.ipPermissions.0.fromPort"), 22);
    // The login profile still gives a console password.
    let user = item(&loaded, "aws_iam_user.alice");
    assert_eq!(
        at(
            user,
            "supplementaryConfiguration.CredentialReport.passwordEnabled"
        ),
        true
    );
    // The route is still there.
    let table = item(&loaded, "aws_route_table.public");
    assert_eq!(
        at(table, "configuration.routes"),
        &json!([{"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1", "state": "active"}])
    );
}

#[test]
fn a_wholly_unknown_list_with_a_contribution_that_names_no_resource_is_unknown() {
    let unknown = json!({"id": true, "vpc_security_group_ids": true});
    let db = |name: &str| {
        change(
            &format!("aws_db_instance.{name}"),
            &["create"],
            Value::Null,
            json!({"identifier": name, "storage_encrypted": true}),
            unknown.clone(),
        )
    };
    let loaded = hand_plan(
        vec![
            change(
                "aws_security_group.db",
                &["create"],
                Value::Null,
                json!({"name": "db"}),
                json!({"id": true, "ingress": true, "egress": true}),
            ),
            db("refs"),
            db("mixed"),
        ],
        json!({"resources": [
            config("aws_db_instance.refs", json!({"vpc_security_group_ids":
                refs(&["aws_security_group.db.id", "aws_security_group.db"])})),
            // `distinct(concat(var.extra, [aws_security_group.db.id]))`
            config("aws_db_instance.mixed", json!({"vpc_security_group_ids":
                refs(&["var.extra", "aws_security_group.db.id", "aws_security_group.db"])})),
        ]}),
    );
    // `compact([aws_security_group.db.id, "sg-0legacy"])` records only its reference: whether
    // the references name everything or not, a wholly unknown list is unknown.
    for address in ["aws_db_instance.refs", "aws_db_instance.mixed"] {
        let db = item(&loaded, address);
        assert!(
            db.unknown
                .iter()
                .any(|u| u.starts_with("configuration.vpcSecurityGroups")),
            "{address}: {:?} {}",
            db.unknown,
            db.doc
        );
    }
}

#[test]
fn a_cyclic_fanning_out_configuration_resolves_quickly_to_unknown() {
    // Module `m`'s outputs are its inputs and its inputs are its outputs (Terraform forbids the
    // cycle; a hand-made file need not): each step fans out in two, 2^32 paths without a limit.
    let module = json!({"resources": [], "outputs": {
        "a": {"expression": refs(&["var.x", "var.y"])},
        "b": {"expression": refs(&["var.y", "var.x"])}}});
    let call = json!({"source": "./m", "module": module, "expressions": {
        "x": refs(&["module.m.a", "module.m.b"]),
        "y": refs(&["module.m.b", "module.m.a"])}});
    let started = std::time::Instant::now();
    let loaded = hand_plan(
        vec![change(
            "aws_db_subnet_group.main",
            &["create"],
            Value::Null,
            json!({"name": "main"}),
            json!({"id": true, "subnet_ids": true}),
        )],
        json!({"resources": [config("aws_db_subnet_group.main",
            json!({"subnet_ids": refs(&["module.m.a"])}))],
            "module_calls": {"m": call}}),
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let group = item(&loaded, "aws_db_subnet_group.main");
    assert!(
        group.unknown.contains(&"configuration.subnets".into()),
        "{:?}",
        group.unknown
    );
}

#[test]
fn a_setting_joined_by_name_to_a_replaced_owner_is_not_applied_again() {
    let bucket = json!({"id": "data", "bucket": "data"});
    let user = json!({"id": "bob", "name": "bob"});
    let loaded = hand_plan(
        vec![
            change(
                "aws_s3_bucket.data",
                &["delete", "create"],
                bucket.clone(),
                json!({"bucket": "data"}),
                json!({"id": true, "arn": true}),
            ),
            change(
                "aws_s3_bucket_versioning.data",
                &["no-op"],
                json!({"bucket": "data", "versioning_configuration": [{"status": "Enabled"}]}),
                json!({"bucket": "data", "versioning_configuration": [{"status": "Enabled"}]}),
                json!({}),
            ),
            change(
                "aws_iam_user.bob",
                &["delete", "create"],
                user.clone(),
                json!({"name": "bob"}),
                json!({"id": true, "arn": true}),
            ),
            change(
                "aws_iam_user_login_profile.bob",
                &["no-op"],
                json!({"user": "bob"}),
                json!({"user": "bob"}),
                json!({}),
            ),
        ],
        json!({}),
    );
    let bucket = item(&loaded, "aws_s3_bucket.data");
    assert!(
        bucket
            .unknown
            .contains(&"supplementaryConfiguration.BucketVersioningConfiguration".into()),
        "{:?} {}",
        bucket.unknown,
        bucket.doc
    );
    assert!(
        at(
            bucket,
            "supplementaryConfiguration.BucketVersioningConfiguration"
        )
        .is_null()
    );
    let user = item(&loaded, "aws_iam_user.bob");
    assert!(
        user.unknown
            .contains(&"supplementaryConfiguration.CredentialReport".into()),
        "{:?}",
        user.unknown
    );
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("replace_triggered_by")
                && w.message.contains("aws_s3_bucket_versioning.data")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn the_main_route_table_is_claimed_only_where_the_plan_makes_the_vpc() {
    let vpc_ref = || refs(&["aws_vpc.main.default_route_table_id", "aws_vpc.main"]);
    let changes = |main_elsewhere: bool| {
        let mut list = vec![
            change(
                "aws_vpc.main",
                &["create"],
                Value::Null,
                json!({"cidr_block": "10.0.0.0/16"}),
                json!({"id": true, "default_route_table_id": true, "main_route_table_id": true}),
            ),
            change(
                "aws_default_route_table.main",
                &["create"],
                Value::Null,
                json!({}),
                json!({"id": true, "vpc_id": true, "default_route_table_id": true, "route": true}),
            ),
            change(
                "aws_route_table.old",
                &["no-op"],
                json!({"id": "rtb-1", "vpc_id": "vpc-1", "route": []}),
                json!({"id": "rtb-1", "vpc_id": "vpc-1", "route": []}),
                json!({}),
            ),
        ];
        let mut config = vec![config(
            "aws_default_route_table.main",
            json!({"default_route_table_id": vpc_ref()}),
        )];
        if main_elsewhere {
            list.push(change(
                "aws_route_table.other",
                &["create"],
                Value::Null,
                json!({}),
                json!({"id": true, "vpc_id": true, "route": true}),
            ));
            list.push(change(
                "aws_main_route_table_association.other",
                &["create"],
                Value::Null,
                json!({}),
                json!({"id": true, "vpc_id": true, "route_table_id": true}),
            ));
            config.push(config_of(
                "aws_route_table.other",
                json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}),
            ));
            config.push(config_of(
                "aws_main_route_table_association.other",
                json!({"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"]),
                    "route_table_id": refs(&["aws_route_table.other.id", "aws_route_table.other"])}),
            ));
        }
        (list, json!({ "resources": config }))
    };
    fn config_of(address: &str, expressions: Value) -> Value {
        config(address, expressions)
    }
    let (list, root) = changes(false);
    let loaded = hand_plan(list, root);
    let default = item(&loaded, "aws_default_route_table.main");
    assert_eq!(at(default, "configuration.vpcId"), "aws_vpc.main");
    assert_eq!(at(default, "configuration.associations.0.main"), true);
    assert!(
        !default
            .unknown
            .contains(&"configuration.associations".into()),
        "{:?}",
        default.unknown
    );
    // A table of a VPC made outside the plan may have associations made outside it.
    let old = item(&loaded, "aws_route_table.old");
    assert!(
        old.unknown.contains(&"configuration.associations".into()),
        "{:?}",
        old.unknown
    );

    let (list, root) = changes(true);
    let loaded = hand_plan(list, root);
    let default = item(&loaded, "aws_default_route_table.main");
    assert_eq!(at(default, "configuration.associations"), &json!([]));
    let other = item(&loaded, "aws_route_table.other");
    assert_eq!(at(other, "configuration.associations.0.main"), true);
}

#[test]
fn a_rotating_key_of_a_provider_without_a_rotation_period_rotates_yearly() {
    let loaded = hand_plan(
        vec![
            change(
                "aws_kms_key.old_provider",
                &["create"],
                Value::Null,
                json!({"enable_key_rotation": true}),
                json!({"id": true, "arn": true}),
            ),
            change(
                "aws_kms_key.null_period",
                &["create"],
                Value::Null,
                json!({"enable_key_rotation": true, "rotation_period_in_days": null}),
                json!({"id": true, "arn": true}),
            ),
        ],
        json!({}),
    );
    let old = item(&loaded, "aws_kms_key.old_provider");
    assert_eq!(
        at(old, "supplementaryConfiguration.RotationPeriodInDays"),
        365
    );
    let null = item(&loaded, "aws_kms_key.null_period");
    assert!(at(null, "supplementaryConfiguration.RotationPeriodInDays").is_null());
}

#[test]
fn replicated_tables_and_secrets_are_not_judged_by_their_primary_region() {
    let loaded = hand_plan(
        vec![
            change(
                "aws_dynamodb_table.global",
                &["create"],
                Value::Null,
                json!({"name": "global", "point_in_time_recovery": [{"enabled": true}],
                    "server_side_encryption": [{"enabled": true, "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k"}],
                    "replica": [{"region_name": "us-east-1", "point_in_time_recovery": false}]}),
                json!({"id": true, "arn": true}),
            ),
            change(
                "aws_secretsmanager_secret.global",
                &["create"],
                Value::Null,
                json!({"name": "global", "replica": [{"region": "us-east-1"}]}),
                json!({"id": true, "arn": true}),
            ),
            change(
                "aws_dynamodb_table.local",
                &["create"],
                Value::Null,
                json!({"name": "local", "point_in_time_recovery": [{"enabled": true}], "replica": []}),
                json!({"id": true, "arn": true}),
            ),
        ],
        json!({}),
    );
    let table = item(&loaded, "aws_dynamodb_table.global");
    for path in [
        "awsRegion",
        "configuration.ssedescription",
        "supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus",
    ] {
        assert!(
            table.unknown.contains(&path.into()),
            "{path}: {:?}",
            table.unknown
        );
    }
    let secret = item(&loaded, "aws_secretsmanager_secret.global");
    assert!(secret.unknown.contains(&"awsRegion".into()));
    let local = item(&loaded, "aws_dynamodb_table.local");
    assert!(!local.unknown.contains(&"awsRegion".into()));
}
