//! Operator-level tests: every operator on matching, non-matching, missing and mistyped data.

use serde_json::{Value, json};

use super::*;
use crate::diagnostics::SourceFile;
use crate::inventory::Coverage;
use crate::inventory::SourceInfo;
use crate::policy::parse::parse_file;

const ACCOUNT: &str = "111122223333";

fn item(resource_type: &str, id: &str, configuration: Value) -> ConfigurationItem {
    ConfigurationItem {
        resource_type: resource_type.into(),
        resource_id: id.into(),
        account_id: ACCOUNT.into(),
        region: "eu-west-1".into(),
        resource_name: None,
        arn: None,
        doc: json!({"resourceType": resource_type, "resourceId": id, "configuration": configuration}),
        unknown: Vec::new(),
    }
}

fn inventory(items: Vec<ConfigurationItem>) -> Inventory {
    let source = SourceInfo::for_tests(ACCOUNT, "eu-west-1");
    Inventory::new(source, items, Vec::new(), Coverage::complete())
}

fn policies(yaml: &str) -> PolicySet {
    let file = SourceFile::new("test.yaml", yaml);
    let (contents, diagnostics) = parse_file(&file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    PolicySet {
        policies: contents.policies,
        manual: contents.manual,
        files: vec![file],
    }
}

/// Evaluates `check` (YAML flow mapping) on one resource whose configuration is `configuration`.
fn run(check: &str, configuration: Value) -> Finding {
    let yaml = format!(
        "policies:\n  - id: p\n    title: t\n    severity: low\n    resource: T\n    parameters:\n      n: {{type: integer, default: 5}}\n    check: {check}\n"
    );
    let set = policies(&yaml);
    let inv = inventory(vec![item("T", "r1", configuration)]);
    let mut evaluation = evaluate(&set, &inv, &Options::default()).unwrap();
    evaluation.findings.remove(0)
}

fn status(check: &str, configuration: Value) -> Status {
    run(check, configuration).status
}

#[test]
fn equals_and_not_equals() {
    let c = "{path: configuration.a, equals: true}";
    assert_eq!(status(c, json!({"a": true})), Status::Pass);
    assert_eq!(status(c, json!({"a": false})), Status::Fail);
    assert_eq!(status(c, json!({})), Status::Error);
    assert_eq!(status(c, json!({"a": null})), Status::Error);
    assert_eq!(
        status(c, json!({"a": "true"})),
        Status::Error,
        "a string is not a boolean"
    );
    let c = "{path: configuration.a, not-equals: x}";
    assert_eq!(status(c, json!({"a": "y"})), Status::Pass);
    assert_eq!(status(c, json!({"a": "x"})), Status::Fail);
    assert_eq!(status(c, json!({"a": 1})), Status::Error);
    assert_eq!(
        status("{path: configuration.n, equals: 5}", json!({"n": 5.0})),
        Status::Pass
    );
}

#[test]
fn in_and_not_in() {
    let c = "{path: configuration.a, in: [x, y]}";
    assert_eq!(status(c, json!({"a": "y"})), Status::Pass);
    assert_eq!(status(c, json!({"a": "z"})), Status::Fail);
    assert_eq!(status(c, json!({"a": 3})), Status::Error);
    assert_eq!(status(c, json!({})), Status::Error);
    let c = "{path: configuration.a, not-in: [x, y]}";
    assert_eq!(status(c, json!({"a": "z"})), Status::Pass);
    assert_eq!(status(c, json!({"a": "x"})), Status::Fail);
}

#[test]
fn numeric_comparisons() {
    for (op, value, expected) in [
        ("gt", 5, Status::Fail),
        ("gt", 6, Status::Pass),
        ("gte", 5, Status::Pass),
        ("lt", 5, Status::Fail),
        ("lt", 4, Status::Pass),
        ("lte", 5, Status::Pass),
        ("lte", 6, Status::Fail),
    ] {
        let c = format!("{{path: configuration.n, {op}: 5}}");
        assert_eq!(status(&c, json!({"n": value})), expected, "{op} {value}");
    }
    assert_eq!(
        status("{path: configuration.n, gte: 5}", json!({"n": "7"})),
        Status::Error
    );
    assert_eq!(
        status("{path: configuration.n, gte: 5}", json!({})),
        Status::Error
    );
    assert_eq!(
        status("{path: configuration.n, lte: {param: n}}", json!({"n": 5})),
        Status::Pass
    );
}

#[test]
fn exists_and_absent() {
    assert_eq!(
        status("{path: configuration.k, exists: true}", json!({"k": "x"})),
        Status::Pass
    );
    assert_eq!(
        status("{path: configuration.k, exists: true}", json!({})),
        Status::Fail
    );
    assert_eq!(
        status("{path: configuration.k, absent: true}", json!({})),
        Status::Pass
    );
    assert_eq!(
        status("{path: configuration.k, absent: true}", json!({"k": null})),
        Status::Pass
    );
    assert_eq!(
        status("{path: configuration.k, exists: false}", json!({"k": 1})),
        Status::Fail
    );
}

#[test]
fn matches_and_contains() {
    let c = "{path: configuration.s, matches: '^igw-'}";
    assert_eq!(status(c, json!({"s": "igw-1"})), Status::Pass);
    assert_eq!(status(c, json!({"s": "nat-1"})), Status::Fail);
    assert_eq!(status(c, json!({"s": 1})), Status::Error);
    let c = "{path: configuration.l, contains: b}";
    assert_eq!(status(c, json!({"l": ["a", "b"]})), Status::Pass);
    assert_eq!(status(c, json!({"l": ["a"]})), Status::Fail);
    assert_eq!(status(c, json!({"l": "abc"})), Status::Pass);
    assert_eq!(status(c, json!({"l": true})), Status::Error);
}

#[test]
fn age_windows_use_the_capture_time() {
    let c = "{path: configuration.d, within: 90d}";
    assert_eq!(
        status(c, json!({"d": "2026-09-01T00:00:00Z"})),
        Status::Pass
    );
    assert_eq!(
        status(c, json!({"d": "2026-08-01T00:00:00Z"})),
        Status::Fail
    );
    assert_eq!(status(c, json!({"d": "no_information"})), Status::Error);
    assert_eq!(status(c, json!({"d": true})), Status::Error);
    assert_eq!(status(c, json!({})), Status::Error);
    let c = "{path: configuration.d, older-than: 90d}";
    assert_eq!(
        status(c, json!({"d": "2026-08-01T00:00:00Z"})),
        Status::Pass
    );
    // Epoch milliseconds, as CloudWatch Logs reports creationTime.
    assert_eq!(status(c, json!({"d": 1_735_689_600_000_i64})), Status::Pass);
    let finding = run(
        "{path: configuration.d, within: 90d}",
        json!({"d": "2026-08-01T00:00:00Z"}),
    );
    assert_eq!(
        finding.evidence[0].expected,
        "within 90d (on or after 2026-08-03T00:00:00Z)"
    );
}

#[test]
fn as_of_overrides_capture_time() {
    let set = policies(
        "policies:\n  - {id: p, title: t, severity: low, resource: T, check: {path: configuration.d, within: 1d}}\n",
    );
    let inv = inventory(vec![item("T", "r", json!({"d": "2026-11-01T00:00:00Z"}))]);
    let options = Options {
        as_of: Some("2026-11-05T00:00:00Z".parse().unwrap()),
        ..Options::default()
    };
    let evaluation = evaluate(&set, &inv, &options).unwrap();
    assert_eq!(evaluation.findings[0].status, Status::Fail);
}

#[test]
fn on_missing_choices() {
    assert_eq!(
        status(
            "{path: configuration.x, equals: 1, on-missing: pass}",
            json!({})
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            "{path: configuration.x, equals: 1, on-missing: fail}",
            json!({})
        ),
        Status::Fail
    );
    assert_eq!(
        status(
            "{path: configuration.x, equals: 1, on-missing: error}",
            json!({})
        ),
        Status::Error
    );
}

#[test]
fn combinators_are_three_valued() {
    let missing = "{path: configuration.missing, equals: 1}";
    let yes = "{path: configuration.a, equals: 1}";
    let no = "{path: configuration.a, equals: 2}";
    let data = json!({"a": 1});
    assert_eq!(
        status(&format!("{{all: [{yes}, {missing}]}}"), data.clone()),
        Status::Error
    );
    assert_eq!(
        status(&format!("{{all: [{no}, {missing}]}}"), data.clone()),
        Status::Fail
    );
    assert_eq!(
        status(&format!("{{any: [{yes}, {missing}]}}"), data.clone()),
        Status::Pass
    );
    assert_eq!(
        status(&format!("{{any: [{no}, {missing}]}}"), data.clone()),
        Status::Error
    );
    assert_eq!(
        status(&format!("{{not: {missing}}}"), data.clone()),
        Status::Error
    );
    assert_eq!(
        status(&format!("{{not: {no}}}"), data.clone()),
        Status::Pass
    );
    assert_eq!(
        status(&format!("{{none: [{no}]}}"), data.clone()),
        Status::Pass
    );
    assert_eq!(status(&format!("[{yes}, {yes}]"), data), Status::Pass);
}

#[test]
fn element_quantifiers() {
    let data = json!({"l": [{"v": 1}, {"v": 2}]});
    assert_eq!(
        status(
            "{path: configuration.l, any: {path: v, equals: 2}}",
            data.clone()
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            "{path: configuration.l, all: {path: v, equals: 2}}",
            data.clone()
        ),
        Status::Fail
    );
    assert_eq!(
        status(
            "{path: configuration.l, none: {path: v, equals: 3}}",
            data.clone()
        ),
        Status::Pass
    );
    assert_eq!(
        status("{path: configuration.l, none: {path: v, equals: 2}}", data),
        Status::Fail
    );
    let empty = json!({"l": []});
    assert_eq!(
        status(
            "{path: configuration.l, any: {path: v, equals: 2}}",
            empty.clone()
        ),
        Status::Fail
    );
    assert_eq!(
        status("{path: configuration.l, all: {path: v, equals: 2}}", empty),
        Status::Pass
    );
    assert_eq!(
        status(
            "{path: configuration.l, all: {path: v, equals: 2}}",
            json!({})
        ),
        Status::Error
    );
    assert_eq!(
        status(
            "{path: configuration.l, all: {path: v, equals: 2}}",
            json!({"l": 3})
        ),
        Status::Error
    );
    let scalars = json!({"l": ["a", "b"]});
    assert_eq!(
        status(
            "{path: configuration.l, all: {path: '@', matches: '^[ab]$'}}",
            scalars
        ),
        Status::Pass
    );
    let with_gap = json!({"l": [{"v": 2}, {}]});
    assert_eq!(
        status(
            "{path: configuration.l, all: {path: v, equals: 2}}",
            with_gap
        ),
        Status::Error
    );
    let finding = run(
        "{path: configuration.l, all: {path: v, equals: 1}}",
        json!({"l": [{"v": 1}, {"v": 2}]}),
    );
    assert_eq!(finding.evidence[1].path, "configuration.l[1].v");
}

#[test]
fn paths_through_arrays_must_hold_for_every_value() {
    let data = json!({"l": [{"v": 1}, {"v": 1}]});
    assert_eq!(
        status("{path: configuration.l.v, equals: 1}", data),
        Status::Pass
    );
    let data = json!({"l": [{"v": 1}, {"v": 2}]});
    assert_eq!(
        status("{path: configuration.l.v, equals: 1}", data),
        Status::Fail
    );
}

const SUBNET_ROUTES: &str = "policies:
  - id: private
    title: t
    severity: low
    resource: AWS::EC2::Subnet
    check:
      related:
        resource: AWS::EC2::RouteTable
        from: resourceId
        to: configuration.associations.subnetId
        fallback:
          from: configuration.vpcId
          to: configuration.vpcId
          where: {path: configuration.associations, any: {path: main, equals: true}}
      all:
        path: configuration.routes
        none: {path: gatewayId, matches: '^igw-', on-missing: fail}
";

fn route_table(
    id: &str,
    vpc: &str,
    subnets: &[&str],
    main: bool,
    gateway: &str,
) -> ConfigurationItem {
    let mut associations: Vec<Value> = subnets
        .iter()
        .map(|s| json!({"subnetId": s, "main": false}))
        .collect();
    if main {
        associations.push(json!({"main": true}));
    }
    item(
        "AWS::EC2::RouteTable",
        id,
        json!({"vpcId": vpc, "associations": associations, "routes": [{"gatewayId": "local"}, {"gatewayId": gateway}]}),
    )
}

fn subnet_statuses(items: Vec<ConfigurationItem>) -> Vec<(String, Status)> {
    let set = policies(SUBNET_ROUTES);
    let evaluation = evaluate(&set, &inventory(items), &Options::default()).unwrap();
    evaluation
        .findings
        .into_iter()
        .map(|f| (f.resource_id, f.status))
        .collect()
}

#[test]
fn related_resources_with_main_route_table_fallback() {
    let statuses = subnet_statuses(vec![
        item(
            "AWS::EC2::Subnet",
            "subnet-explicit",
            json!({"vpcId": "vpc-1"}),
        ),
        item("AWS::EC2::Subnet", "subnet-main", json!({"vpcId": "vpc-1"})),
        item(
            "AWS::EC2::Subnet",
            "subnet-orphan",
            json!({"vpcId": "vpc-2"}),
        ),
        route_table("rtb-private", "vpc-1", &["subnet-explicit"], false, "nat-1"),
        route_table("rtb-main", "vpc-1", &[], true, "igw-1"),
    ]);
    assert_eq!(
        statuses,
        [
            ("subnet-explicit".to_string(), Status::Pass),
            ("subnet-main".to_string(), Status::Fail),
            ("subnet-orphan".to_string(), Status::Error),
        ]
    );
}

#[test]
fn related_lookups_stay_in_the_account() {
    let mut other = route_table("rtb-other-account", "vpc-1", &["subnet-a"], false, "nat-1");
    other.account_id = "999999999999".into();
    let statuses = subnet_statuses(vec![
        item("AWS::EC2::Subnet", "subnet-a", json!({"vpcId": "vpc-9"})),
        other,
    ]);
    assert_eq!(statuses, [("subnet-a".to_string(), Status::Error)]);
}

#[test]
fn scope_failures_are_not_applicable_and_scope_errors_are_errors() {
    let yaml = "policies:\n  - {id: p, title: t, severity: low, resource: T, scope: {path: configuration.s, equals: true}, check: {path: configuration.c, equals: true}}\n";
    let set = policies(yaml);
    let inv = inventory(vec![
        item("T", "in", json!({"s": true, "c": true})),
        item("T", "out", json!({"s": false})),
        item("T", "unknown", json!({})),
    ]);
    let findings = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    let got: Vec<(&str, Status)> = findings
        .iter()
        .map(|f| (f.resource_id.as_str(), f.status))
        .collect();
    assert_eq!(
        got,
        [
            ("in", Status::Pass),
            ("out", Status::NotApplicable),
            ("unknown", Status::Error)
        ]
    );
}

#[test]
fn account_level_policies() {
    let yaml = "policies:
  - {id: any-trail, title: t, severity: low, resource: T, level: account, check: {path: configuration.on, equals: true}}
  - {id: all-trails, title: t, severity: low, resource: T, level: account, match: all, check: {path: configuration.on, equals: true}}
  - {id: no-trail, title: t, severity: low, resource: T, level: account, match: none, check: {path: configuration.on, equals: true}}
  - {id: missing-type, title: t, severity: low, resource: U, level: account, if-none: error, check: {path: configuration.on, equals: true}}
";
    let set = policies(yaml);
    let inv = inventory(vec![
        item("T", "a", json!({"on": true})),
        item("T", "b", json!({"on": false})),
    ]);
    let findings = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    let got: Vec<(&str, Status)> = findings
        .iter()
        .map(|f| (f.policy_id.as_str(), f.status))
        .collect();
    assert_eq!(
        got,
        [
            ("all-trails", Status::Fail),
            ("any-trail", Status::Pass),
            ("missing-type", Status::Error),
            ("no-trail", Status::Fail),
        ]
    );
    assert!(
        findings
            .iter()
            .all(|f| f.resource_type == ACCOUNT_RESOURCE_TYPE && f.resource_id == ACCOUNT)
    );
}

#[test]
fn collection_errors_make_errors_never_passes() {
    let yaml = "policies:
  - {id: per-resource, title: t, severity: low, resource: T, check: {path: configuration.on, equals: true}}
  - {id: per-account, title: t, severity: low, resource: T, level: account, match: all, check: {path: configuration.on, equals: true}}
";
    let set = policies(yaml);
    let mut inv = inventory(vec![item("T", "a", json!({"on": true}))]);
    inv.collection_errors
        .push(crate::inventory::CollectionError {
            service: "svc".into(),
            region: "eu-west-1".into(),
            account_id: ACCOUNT.into(),
            operation: "ListThings".into(),
            iam_action: "svc:ListThings".into(),
            error_code: "AccessDenied".into(),
            message: "denied".into(),
            resource_types: vec!["T".into()],
            properties: Vec::new(),
            resources: Vec::new(),
        });
    let findings = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    let got: Vec<(&str, &str, Status)> = findings
        .iter()
        .map(|f| (f.policy_id.as_str(), f.resource_id.as_str(), f.status))
        .collect();
    assert_eq!(
        got,
        [
            ("per-account", ACCOUNT, Status::Error),
            ("per-resource", "*", Status::Error),
            ("per-resource", "a", Status::Pass),
        ]
    );
    assert!(
        findings[1]
            .message
            .contains("ListThings (svc:ListThings) failed with AccessDenied")
    );
}

#[test]
fn parameter_overrides_and_guardrails() {
    let yaml = "policies:
  - id: p
    title: t
    severity: low
    resource: T
    parameters:
      max: {type: integer, default: 90, guardrail: {max: 90}}
    check: {path: configuration.days, lte: {param: max}}
";
    let set = policies(yaml);
    let inv = inventory(vec![item("T", "r", json!({"days": 180}))]);
    let mut options = Options::default();
    let evaluation = evaluate(&set, &inv, &options).unwrap();
    assert_eq!(evaluation.findings[0].status, Status::Fail);
    assert!(evaluation.policies[0].guardrail_violations.is_empty());
    options
        .overrides
        .entry("p".into())
        .or_default()
        .insert("max".into(), json!(180));
    let evaluation = evaluate(&set, &inv, &options).unwrap();
    assert_eq!(evaluation.findings[0].status, Status::Pass);
    assert_eq!(
        evaluation.policies[0].guardrail_violations,
        ["parameter `max`: 180 is looser than the guardrail maximum 90"]
    );
    options
        .overrides
        .entry("p".into())
        .or_default()
        .insert("max".into(), json!("lots"));
    assert!(evaluate(&set, &inv, &options).is_err());
    let mut unknown = Options::default();
    unknown
        .overrides
        .entry("p".into())
        .or_default()
        .insert("maxx".into(), json!(1));
    let err = evaluate(&set, &inv, &unknown).unwrap_err();
    assert_eq!(err[0].help.as_deref(), Some("did you mean `max`?"));
}

/// Live collection plans only for policies that will run: `is_configured` must agree with what
/// evaluation does, or a policy would run on data that was never collected.
#[test]
fn is_configured_agrees_with_evaluation() {
    let yaml = "policies:
  - id: waits
    title: t
    severity: low
    resource: T
    parameters:
      regions: {type: list}
      n: {type: integer, default: 1}
    check: {path: configuration.region, in: {param: regions}}
  - id: runs
    title: t
    severity: low
    resource: T
    parameters:
      n: {type: integer, default: 1}
    check: {path: configuration.n, lte: {param: n}}
";
    let set = policies(yaml);
    let inv = inventory(vec![item("T", "r", json!({"region": "a", "n": 1}))]);
    let mut options = Options::default();
    for set_regions in [false, true] {
        if set_regions {
            options
                .overrides
                .entry("waits".into())
                .or_default()
                .insert("regions".into(), json!(["a"]));
        }
        let evaluation = evaluate(&set, &inv, &options).unwrap();
        let waiting: Vec<&str> = evaluation
            .not_configured
            .iter()
            .map(|n| n.id.as_str())
            .collect();
        for policy in &set.policies {
            assert_eq!(
                compile::is_configured(policy, &options.overrides),
                !waiting.contains(&policy.id.value.as_str()),
                "{} with regions set: {set_regions}",
                policy.id.value
            );
        }
        assert_eq!(waiting.is_empty(), set_regions);
    }
}

#[test]
fn findings_are_sorted_whatever_the_input_order() {
    let yaml = "policies:\n  - {id: p, title: t, severity: low, resource: T, check: {path: configuration.a, equals: 1}}\n";
    let set = policies(yaml);
    let ids = |items: Vec<ConfigurationItem>| -> Vec<String> {
        evaluate(&set, &inventory(items), &Options::default())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.resource_id)
            .collect()
    };
    let forward = ids((0..50)
        .map(|i| item("T", &format!("r{i:02}"), json!({"a": 1})))
        .collect());
    let backward = ids((0..50)
        .rev()
        .map(|i| item("T", &format!("r{i:02}"), json!({"a": 1})))
        .collect());
    assert_eq!(forward, backward);
}

#[test]
fn property_scoped_collection_errors_affect_only_policies_reading_them() {
    let yaml = "policies:
  - {id: reads-versioning, title: t, severity: low, resource: T, check: {path: supplementaryConfiguration.Versioning.status, equals: Enabled}}
  - {id: reads-encryption, title: t, severity: low, resource: T, check: {path: configuration.encrypted, equals: true}}
";
    let set = policies(yaml);
    let mut inv = inventory(vec![item("T", "b", json!({"encrypted": true}))]);
    inv.collection_errors
        .push(crate::inventory::CollectionError {
            service: "s3".into(),
            region: "eu-west-1".into(),
            account_id: ACCOUNT.into(),
            operation: "GetBucketVersioning".into(),
            iam_action: "s3:GetBucketVersioning".into(),
            error_code: "AccessDenied".into(),
            message: "denied".into(),
            resource_types: vec!["T".into()],
            properties: vec!["supplementaryConfiguration.Versioning".into()],
            resources: Vec::new(),
        });
    let findings = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    let got: Vec<(&str, &str, Status)> = findings
        .iter()
        .map(|f| (f.policy_id.as_str(), f.resource_id.as_str(), f.status))
        .collect();
    assert_eq!(
        got,
        [
            ("reads-encryption", "b", Status::Pass),
            ("reads-versioning", "*", Status::Error),
            ("reads-versioning", "b", Status::Error),
        ]
    );
}

#[test]
fn account_level_policies_over_every_type_never_conclude_from_absence() {
    // A pack that promises "no buckets, volumes or databases" as one `*` policy: the source
    // records only some types, so "none found" is not evidence. A positive finding still decides.
    let set = policies(
        "policies:\n  - {id: no-files, title: t, severity: low, resource: \"*\", level: account, match: none, check: {path: resourceType, in: [AWS::S3::Bucket, AWS::EC2::Volume]}}\n",
    );
    let mut coverage = Coverage::new(crate::inventory::coverage::Basis::Attestor);
    coverage.add(ACCOUNT, "eu-west-1", "AWS::DynamoDB::Table");
    let source = |items: Vec<ConfigurationItem>, coverage: Coverage| {
        let mut inv = inventory(Vec::new());
        inv = Inventory::new(inv.source.clone(), items, Vec::new(), coverage);
        inv
    };
    let table = item("AWS::DynamoDB::Table", "registry", json!({}));
    let inv = source(vec![table.clone()], coverage.clone());
    let f = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    assert_eq!(f[0].status, Status::Error, "{}", f[0].message);
    assert!(
        f[0].message.contains("every AWS resource type"),
        "{}",
        f[0].message
    );
    let bucket = item("AWS::S3::Bucket", "files", json!({}));
    let inv = source(vec![table.clone(), bucket], coverage);
    let f = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    assert_eq!(f[0].status, Status::Fail, "{}", f[0].message);
    // A complete source (an `attestor test` case) may conclude.
    let inv = source(vec![table], Coverage::complete());
    let f = evaluate(&set, &inv, &Options::default()).unwrap().findings;
    assert_eq!(f[0].status, Status::Pass, "{}", f[0].message);
}

#[test]
fn a_related_resource_that_is_not_there_is_absent_only_where_the_source_records_its_type() {
    let set = policies(
        "policies:\n  - {id: logged, title: t, severity: low, resource: AWS::EC2::VPC, check: {related: {resource: AWS::EC2::FlowLog, from: resourceId, to: configuration.resourceId}, on-missing: fail, any: {path: configuration.flowLogStatus, equals: ACTIVE}}}\n",
    );
    let vpc = item("AWS::EC2::VPC", "vpc-1", json!({}));
    let with = |coverage: Coverage, errors: Vec<crate::inventory::CollectionError>| {
        let base = inventory(Vec::new());
        Inventory::new(base.source.clone(), vec![vpc.clone()], errors, coverage)
    };
    let status =
        |inv: &Inventory| evaluate(&set, inv, &Options::default()).unwrap().findings[0].clone();
    // Recorded and absent: the policy's on-missing decides.
    let mut covered = Coverage::new(crate::inventory::coverage::Basis::Attestor);
    covered.add(ACCOUNT, "eu-west-1", "AWS::EC2::VPC");
    covered.add(ACCOUNT, "eu-west-1", "AWS::EC2::FlowLog");
    assert_eq!(
        status(&with(covered.clone(), Vec::new())).status,
        Status::Fail
    );
    // Not recorded by the source: unknown, never a fail by accident.
    let mut uncovered = Coverage::new(crate::inventory::coverage::Basis::Attestor);
    uncovered.add(ACCOUNT, "eu-west-1", "AWS::EC2::VPC");
    assert_eq!(status(&with(uncovered, Vec::new())).status, Status::Error);
    // Recorded, but the listing failed: unknown.
    let denied = crate::inventory::CollectionError {
        service: "ec2".into(),
        region: "eu-west-1".into(),
        operation: "DescribeFlowLogs".into(),
        iam_action: "ec2:DescribeFlowLogs".into(),
        error_code: "UnauthorizedOperation".into(),
        message: "denied".into(),
        account_id: ACCOUNT.into(),
        resource_types: vec!["AWS::EC2::FlowLog".into()],
        properties: Vec::new(),
        resources: Vec::new(),
    };
    let f = status(&with(covered, vec![denied]));
    assert_eq!(f.status, Status::Error, "{}", f.message);
    assert!(f.message.contains("DescribeFlowLogs"), "{}", f.message);
}

/// Keeping only what the policies read changes no result, no message and no evidence, on every
/// fixture and example pack.
#[test]
fn pruned_items_give_identical_results() {
    let cases = crate::testing::fixture_cases();
    for (path, set) in cases {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let whole = crate::inventory::parse_snapshot(&name, &bytes)
            .unwrap()
            .inventory;
        let pruned = crate::inventory::parse_snapshot_keeping(&name, &bytes, &keep_for(&set))
            .unwrap()
            .inventory;
        let run = |inv: &Inventory| {
            let evaluation = evaluate(&set, inv, &Options::default()).unwrap();
            serde_json::to_string(&evaluation.findings).unwrap()
        };
        assert_eq!(run(&whole), run(&pruned), "{name}");
        // Items straddling chunks, spread over many batches and workers: the same findings.
        for (chunk, batch) in [(1, 1), (7, 300), (4096, 2048)] {
            let streamed =
                crate::inventory::parse_in_chunks(&name, &bytes, &keep_for(&set), chunk, batch)
                    .unwrap()
                    .inventory;
            assert_eq!(
                run(&streamed),
                run(&pruned),
                "{name}: chunks of {chunk}, batches of {batch}"
            );
        }
        let size =
            |inv: &Inventory| -> usize { inv.items.iter().map(|i| i.doc.to_string().len()).sum() };
        assert!(size(&pruned) <= size(&whole), "{name}");
    }
}

#[test]
fn aws_config_files_read_the_same_whatever_the_chunks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws-config");
    let (set, _) = crate::policy::load::builtin();
    let mut files = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let describe = |loaded: crate::inventory::Loaded| {
            let evaluation = evaluate(&set, &loaded.inventory, &Options::default()).unwrap();
            let warnings: Vec<String> = loaded
                .warnings
                .iter()
                .map(|w| format!("{} {:?}", w.message, w.location()))
                .collect();
            (
                serde_json::to_string(&evaluation.findings).unwrap(),
                warnings,
                loaded.inventory.source.notes,
                loaded.inventory.collection_errors,
            )
        };
        let reference = describe(crate::inventory::parse_snapshot(&name, &bytes).unwrap());
        for (chunk, batch) in [(1, 1), (5, 700), (1000, 100)] {
            let keep = crate::inventory::Keep::everything();
            let streamed = crate::inventory::parse_in_chunks(&name, &bytes, &keep, chunk, batch);
            assert!(
                describe(streamed.unwrap()) == reference,
                "{name}: chunks of {chunk}, batches of {batch}"
            );
        }
    }
    assert!(files >= 4, "{files}");
}

/// Evaluates `check` on one resource whose `unknown` paths are known only after apply.
fn run_unknown(check: &str, configuration: Value, unknown: &[&str]) -> Finding {
    let yaml = format!(
        "policies:\n  - id: p\n    title: t\n    severity: low\n    resource: T\n    check: {check}\n"
    );
    let set = policies(&yaml);
    let mut resource = item("T", "r1", configuration);
    resource.unknown = unknown.iter().map(ToString::to_string).collect();
    let mut evaluation = evaluate(&set, &inventory(vec![resource]), &Options::default()).unwrap();
    evaluation.findings.remove(0)
}

#[test]
fn values_known_only_after_apply_decide_nothing() {
    // Whatever the policy says a missing value means, an unknown one is not missing.
    for on_missing in ["pass", "fail", "error"] {
        let check = format!("{{path: configuration.a, equals: true, on-missing: {on_missing}}}");
        let f = run_unknown(&check, json!({}), &["configuration.a"]);
        assert_eq!(f.status, Status::Error, "on-missing: {on_missing}");
        assert!(
            f.message.contains("known only after apply"),
            "{}",
            f.message
        );
    }
    // `absent` and `exists` cannot conclude either, nor can `not`.
    for check in [
        "{path: configuration.a, absent: true}",
        "{path: configuration.a, exists: true}",
        "{not: {path: configuration.a, equals: true}}",
    ] {
        assert_eq!(
            run_unknown(check, json!({}), &["configuration.a"]).status,
            Status::Error,
            "{check}"
        );
    }
    // A whole block unknown makes what is inside it unknown, and a field inside an unknown
    // list element makes the list unknown.
    let quantified = "{path: configuration.l, all: {path: v, equals: 1}}";
    let data = json!({"l": [{"v": 1}]});
    assert_eq!(
        run_unknown(quantified, data.clone(), &["configuration.l"]).status,
        Status::Error
    );
    assert_eq!(
        run_unknown(quantified, data.clone(), &["configuration.l.v"]).status,
        Status::Error
    );
    assert_eq!(
        run_unknown(
            "{path: configuration.l.v, equals: 1}",
            data.clone(),
            &["configuration.l"]
        )
        .status,
        Status::Error
    );
    // Unknown elsewhere changes nothing; a decisive known part still decides (Kleene logic).
    assert_eq!(
        run_unknown(
            "{path: configuration.l.v, equals: 1, on-missing: pass}",
            json!({"l": [{}]}),
            &["configuration.l[0].v"]
        )
        .status,
        Status::Error,
        "an element's unknown field, named with its index"
    );
    assert_eq!(
        run_unknown(quantified, data.clone(), &["configuration.other"]).status,
        Status::Pass
    );
    assert_eq!(
        run_unknown(quantified, data.clone(), &["configuration.lx"]).status,
        Status::Pass,
        "a path that merely starts with the same letters is another path"
    );
    let all =
        "{all: [{path: configuration.b, equals: true}, {path: configuration.a, equals: true}]}";
    assert_eq!(
        run_unknown(all, json!({"b": false}), &["configuration.a"]).status,
        Status::Fail
    );
    assert_eq!(
        run_unknown(all, json!({"b": true}), &["configuration.a"]).status,
        Status::Error
    );
}

#[test]
fn a_related_resource_with_an_unknown_value_decides_nothing() {
    let subnet = item("AWS::EC2::Subnet", "subnet-1", json!({"vpcId": "vpc-1"}));
    let mut table = route_table("rtb-1", "vpc-1", &["subnet-1"], false, "local");
    table.unknown = vec!["configuration.routes".into()];
    let statuses = subnet_statuses(vec![subnet, table]);
    assert_eq!(statuses, vec![("subnet-1".to_string(), Status::Error)]);
}

#[test]
fn a_plan_decides_only_what_it_manages() {
    use crate::inventory::coverage::Basis;
    let yaml = "policies:
  - {id: each, title: t, severity: low, resource: T, check: {path: configuration.on, equals: true}}
  - {id: elsewhere, title: t, severity: low, resource: U, check: {path: configuration.on, equals: true}}
  - {id: any-on, title: t, severity: low, resource: T, level: account, check: {path: configuration.on, equals: true}}
  - {id: all-on, title: t, severity: low, resource: T, level: account, match: all, check: {path: configuration.on, equals: true}}
  - {id: any-u, title: t, severity: low, resource: U, level: account, if-none: fail, check: {path: configuration.on, equals: true}}
";
    let set = policies(yaml);
    let statuses = |items: Vec<ConfigurationItem>| -> Vec<(String, String, Status)> {
        let source = SourceInfo::for_tests(ACCOUNT, "eu-west-1");
        let inv = Inventory::new(
            source,
            items,
            Vec::new(),
            Coverage::new(Basis::TerraformPlan),
        );
        evaluate(&set, &inv, &Options::default())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.policy_id, f.resource_id, f.status))
            .collect()
    };
    let got = statuses(vec![
        item("T", "aws_thing.a", json!({"on": true})),
        item("T", "aws_thing.b", json!({"on": true})),
    ]);
    let status_of = |got: &[(String, String, Status)], policy: &str, id: &str| {
        got.iter()
            .find(|(p, r, _)| p == policy && r == id)
            .map(|(_, _, s)| *s)
    };
    // What the plan manages is judged; what lies outside it is not applicable, never a pass,
    // and never a failure from absence.
    assert_eq!(status_of(&got, "each", "aws_thing.a"), Some(Status::Pass));
    assert_eq!(status_of(&got, "each", "*"), Some(Status::NotApplicable));
    assert_eq!(
        status_of(&got, "elsewhere", "*"),
        Some(Status::NotApplicable)
    );
    assert_eq!(status_of(&got, "any-on", ACCOUNT), Some(Status::Pass));
    assert_eq!(
        status_of(&got, "all-on", ACCOUNT),
        Some(Status::NotApplicable),
        "every planned one passes, but the account may hold others"
    );
    assert_eq!(
        status_of(&got, "any-u", ACCOUNT),
        Some(Status::NotApplicable),
        "if-none cannot apply to what a plan does not show"
    );
    let got = statuses(vec![item("T", "aws_thing.a", json!({"on": false}))]);
    assert_eq!(status_of(&got, "all-on", ACCOUNT), Some(Status::Fail));
    assert_eq!(
        status_of(&got, "any-on", ACCOUNT),
        Some(Status::NotApplicable)
    );
    assert!(got.iter().all(|(_, _, s)| *s != Status::Pass));
}

#[test]
fn a_property_a_call_failed_to_read_is_never_judged_missing() {
    // `on-missing: fail` and `absent` would decide from absence; a failed GetBucketTagging for
    // bucket b1 must make them `error` for b1 only, naming the call.
    let yaml = "policies:
  - {id: tagged, title: t, severity: low, resource: T, check: {path: tags.owner, exists: true}}
  - {id: untagged-ok, title: t, severity: low, resource: T, check: {path: tags.owner, equals: x, on-missing: pass}}
  - {id: other, title: t, severity: low, resource: T, check: {path: configuration.a, equals: 1}}
";
    let set = policies(yaml);
    let error = |resources: Vec<String>| crate::inventory::CollectionError {
        service: "s3".into(),
        region: "eu-west-1".into(),
        account_id: ACCOUNT.into(),
        operation: "GetBucketTagging".into(),
        iam_action: "s3:GetBucketTagging".into(),
        error_code: "AccessDenied".into(),
        message: "denied".into(),
        resource_types: vec!["T".into()],
        properties: vec!["tags".into()],
        resources,
    };
    let run = |resources: Vec<String>| -> Vec<(String, String, Status)> {
        let mut inv = inventory(vec![
            item("T", "b1", json!({"a": 1})),
            item("T", "b2", json!({"a": 1})),
        ]);
        inv.collection_errors.push(error(resources));
        let set = &set;
        evaluate(set, &inv, &Options::default())
            .unwrap()
            .findings
            .into_iter()
            .filter(|f| f.resource_id != "*")
            .map(|f| (f.policy_id, f.resource_id, f.status))
            .collect()
    };
    let got = run(vec!["b1".into()]);
    let status = |got: &[(String, String, Status)], p: &str, r: &str| {
        got.iter().find(|(a, b, _)| a == p && b == r).unwrap().2
    };
    assert_eq!(status(&got, "tagged", "b1"), Status::Error);
    assert_eq!(status(&got, "untagged-ok", "b1"), Status::Error);
    assert_eq!(
        status(&got, "tagged", "b2"),
        Status::Fail,
        "b2's tags were read"
    );
    assert_eq!(status(&got, "untagged-ok", "b2"), Status::Pass);
    assert_eq!(
        status(&got, "other", "b1"),
        Status::Pass,
        "other properties are unaffected"
    );
    // The failure for every resource of the type in the place.
    let got = run(Vec::new());
    assert_eq!(status(&got, "tagged", "b2"), Status::Error);
    assert_eq!(status(&got, "untagged-ok", "b2"), Status::Error);
}

#[test]
fn a_path_through_a_value_of_another_type_is_unknown_not_missing() {
    // `configuration.tags` is a string: `tags.owner` is not missing, the data has another shape.
    for check in [
        "{path: configuration.tags.owner, exists: true}",
        "{path: configuration.tags.owner, absent: true}",
        "{path: configuration.tags.owner, equals: x, on-missing: fail}",
        "{path: configuration.tags.owner, equals: x, on-missing: pass}",
        "{path: configuration.tags.owner, all: {path: '@', equals: x}, on-missing: pass}",
    ] {
        let f = run(check, json!({"tags": "x"}));
        assert_eq!(f.status, Status::Error, "{check}");
        assert!(
            f.message
                .contains("is a string, not an object with `owner`"),
            "{check}: {}",
            f.message
        );
    }
    // One element of another shape among known ones: a known failure still decides.
    let data = json!({"l": [{"v": 2}, 7]});
    assert_eq!(
        status("{path: configuration.l.v, equals: 1}", data.clone()),
        Status::Fail
    );
    assert_eq!(
        status("{path: configuration.l.v, equals: 2}", data),
        Status::Error
    );
}

/// Data a run chose not to read (`NotCollected`): a setting left out leaves the resources listed,
/// so a lookup that finds none still decides, but a check reading that setting is `error` saying
/// it was not collected; a type left out is never absent, only unknown.
#[test]
fn what_a_run_did_not_collect_is_never_judged() {
    let set = policies(
        "policies:
  - {id: logged, title: t, severity: low, resource: AWS::EC2::VPC, check: {related: {resource: AWS::EC2::FlowLog, from: resourceId, to: configuration.resourceId}, on-missing: fail, any: {path: configuration.flowLogStatus, equals: ACTIVE}}}
  - {id: tagged, title: t, severity: low, resource: AWS::EC2::FlowLog, check: {path: tags.owner, exists: true}}
",
    );
    let vpc = item("AWS::EC2::VPC", "vpc-1", json!({}));
    let flow_log = item(
        "AWS::EC2::FlowLog",
        "fl-1",
        json!({"resourceId": "vpc-2", "flowLogStatus": "ACTIVE"}),
    );
    let mut covered = Coverage::new(crate::inventory::coverage::Basis::Attestor);
    covered.add(ACCOUNT, "eu-west-1", "AWS::EC2::VPC");
    covered.add(ACCOUNT, "eu-west-1", "AWS::EC2::FlowLog");
    let skipped = |properties: Vec<String>| crate::inventory::CollectionError {
        service: "ec2".into(),
        region: "eu-west-1".into(),
        operation: "DescribeFlowLogs".into(),
        iam_action: "ec2:DescribeFlowLogs".into(),
        error_code: crate::inventory::NOT_COLLECTED.into(),
        message: "no policy of the run reads it".into(),
        account_id: ACCOUNT.into(),
        resource_types: vec!["AWS::EC2::FlowLog".into()],
        properties,
        resources: Vec::new(),
    };
    let run = |errors| {
        let base = inventory(Vec::new());
        let inv = Inventory::new(
            base.source.clone(),
            vec![vpc.clone(), flow_log.clone()],
            errors,
            covered.clone(),
        );
        evaluate(&set, &inv, &Options::default()).unwrap().findings
    };
    // The tags were not read: the lookup still decides (no flow log for vpc-1: fail), the tag
    // check is `error` naming why, for the resource and as a cause of its own.
    let f = run(vec![skipped(vec!["tags".into()])]);
    let logged: Vec<_> = f.iter().filter(|f| f.policy_id == "logged").collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].status, Status::Fail, "{}", logged[0].message);
    let tagged: Vec<_> = f.iter().filter(|f| f.policy_id == "tagged").collect();
    assert!(!tagged.is_empty());
    for t in tagged {
        assert_eq!(t.status, Status::Error, "{}", t.message);
        assert!(t.message.contains("was not collected"), "{}", t.message);
        assert!(t.message.contains("DescribeFlowLogs"), "{}", t.message);
    }
    // The flow logs were not listed at all: the lookup is unknown, never a fail by accident.
    let f = run(vec![skipped(Vec::new())]);
    let logged: Vec<_> = f
        .iter()
        .filter(|f| f.policy_id == "logged" && f.resource_id == "vpc-1")
        .collect();
    assert_eq!(logged[0].status, Status::Error, "{}", logged[0].message);
    assert!(f.iter().all(|f| f.status != Status::Pass), "{f:?}");
}
