//! Every shape AWS has written for the same data, presented to policies in one shape.
//!
//! AWS Config's item schema changed over the years and differs from the EC2 API that live
//! collection reads. Policies are written against the current AWS Config shape; this module adds
//! that shape wherever an item carries only an older one, so a policy never misses data because
//! it sits in another field. Nothing is removed: the original fields stay, so evidence can be
//! traced to the file. Each normalisation only ever adds what the item itself states.

use serde_json::{Map, Value};

use super::ConfigurationItem;

/// Brings one item's known variant shapes to the current shape, in place. Idempotent.
pub fn normalize(item: &mut ConfigurationItem) {
    let Some(configuration) = item
        .doc
        .get_mut("configuration")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    match &*item.resource_type {
        "AWS::EC2::SecurityGroup" => {
            for key in ["ipPermissions", "ipPermissionsEgress"] {
                if let Some(Value::Array(rules)) = configuration.get_mut(key) {
                    rules
                        .iter_mut()
                        .filter_map(Value::as_object_mut)
                        .for_each(security_group_rule);
                }
            }
        }
        // Items recorded before KMS renamed the field (2022) carry only `customerMasterKeySpec`.
        "AWS::KMS::Key" => {
            if configuration.get("keySpec").is_none_or(Value::is_null)
                && let Some(spec) = configuration
                    .get("customerMasterKeySpec")
                    .filter(|v| v.is_string())
                    .cloned()
            {
                configuration.insert("keySpec".into(), spec);
            }
        }
        _ => {}
    }
}

/// The fields of a security-group rule that name where traffic may come from (or go to).
const RULE_SOURCES: &[&str] = &[
    "ipv4Ranges",
    "ipRanges",
    "ipv6Ranges",
    "prefixListIds",
    "userIdGroupPairs",
];

/// A security-group rule's CIDRs, in every shape AWS Config has written:
/// - current: `ipv4Ranges: [{cidrIp}]`, `ipv6Ranges: [{cidrIpv6}]` (and `ipRanges: ["cidr"]` beside);
/// - older: only `ipRanges: ["0.0.0.0/0"]`, and `ipv6Ranges: ["::/0"]` as plain strings;
/// - the EC2 API (live collection): the same names with objects.
///
/// After this, `ipv4Ranges` holds every IPv4 range as `{cidrIp}` and `ipv6Ranges` every IPv6 range
/// as `{cidrIpv6}`. When a rule states its sources in any known field (a rule that only allows a
/// prefix list or another security group), the range lists it does not carry are empty lists: such
/// a rule opens no CIDR. A rule that names no known source field is left alone, so a policy reading
/// its ranges finds them missing and says it cannot decide.
fn security_group_rule(rule: &mut Map<String, Value>) {
    if !RULE_SOURCES.iter().any(|k| rule.contains_key(*k)) {
        return;
    }
    let mut v4: Vec<Value> = match rule.get("ipv4Ranges") {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    };
    if let Some(Value::Array(list)) = rule.get("ipRanges") {
        for entry in list {
            let cidr = match entry {
                Value::String(s) => Some(s.clone()),
                // The EC2 API's own name for the list of `{CidrIp}` objects.
                Value::Object(o) => o
                    .get("cidrIp")
                    .or_else(|| o.get("CidrIp"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            };
            match cidr {
                Some(cidr) => {
                    let present = v4
                        .iter()
                        .any(|r| r.get("cidrIp").and_then(Value::as_str) == Some(&cidr));
                    if !present {
                        v4.push(Value::Object(Map::from_iter([(
                            "cidrIp".to_string(),
                            Value::String(cidr),
                        )])));
                    }
                }
                // Unrecognised entries are kept as they are: a policy reading them says so.
                None => v4.push(entry.clone()),
            }
        }
    }
    let v6: Vec<Value> = match rule.get("ipv6Ranges") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|entry| match entry {
                Value::String(s) => Value::Object(Map::from_iter([(
                    "cidrIpv6".to_string(),
                    Value::String(s.clone()),
                )])),
                other => other.clone(),
            })
            .collect(),
        Some(other) if !other.is_null() => {
            // A shape nobody documented: leave it, so reading it is an error, not "no ranges".
            return;
        }
        _ => Vec::new(),
    };
    if matches!(rule.get("ipv4Ranges"), Some(v) if !v.is_array() && !v.is_null()) {
        return;
    }
    rule.insert("ipv4Ranges".into(), Value::Array(v4));
    rule.insert("ipv6Ranges".into(), Value::Array(v6));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sg(permissions: Value) -> ConfigurationItem {
        ConfigurationItem {
            resource_type: "AWS::EC2::SecurityGroup".into(),
            resource_id: "sg-1".into(),
            account_id: "1".into(),
            region: "eu-west-1".into(),
            resource_name: None,
            arn: None,
            doc: json!({"configuration": {"ipPermissions": permissions}}),
            unknown: Vec::new(),
        }
    }

    fn rules(item: &ConfigurationItem) -> &Value {
        &item.doc["configuration"]["ipPermissions"]
    }

    #[test]
    fn older_plain_string_ranges_gain_the_current_shape() {
        let mut item = sg(json!([{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
            "ipRanges": ["0.0.0.0/0"], "ipv6Ranges": ["::/0"]}]));
        normalize(&mut item);
        let rule = &rules(&item)[0];
        assert_eq!(rule["ipv4Ranges"], json!([{"cidrIp": "0.0.0.0/0"}]));
        assert_eq!(rule["ipv6Ranges"], json!([{"cidrIpv6": "::/0"}]));
        assert_eq!(rule["ipRanges"], json!(["0.0.0.0/0"]), "the original stays");
    }

    #[test]
    fn current_shape_with_both_lists_is_merged_without_duplicates() {
        let mut item = sg(json!([{"ipRanges": ["0.0.0.0/0", "10.0.0.0/8"],
            "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}], "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": []}]));
        normalize(&mut item);
        assert_eq!(
            rules(&item)[0]["ipv4Ranges"],
            json!([{"cidrIp": "0.0.0.0/0"}, {"cidrIp": "10.0.0.0/8"}])
        );
        let again = item.doc.clone();
        normalize(&mut item);
        assert_eq!(item.doc, again, "idempotent");
    }

    #[test]
    fn group_only_rules_open_no_cidr_and_unknown_rules_stay_unknown() {
        let mut item = sg(json!([
            {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "userIdGroupPairs": [{"groupId": "sg-app"}]},
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "sources": ["0.0.0.0/0"]}
        ]));
        normalize(&mut item);
        assert_eq!(rules(&item)[0]["ipv4Ranges"], json!([]));
        assert_eq!(rules(&item)[0]["ipv6Ranges"], json!([]));
        assert!(rules(&item)[1].get("ipv4Ranges").is_none());
    }

    #[test]
    fn older_kms_items_gain_key_spec() {
        let mut item = ConfigurationItem {
            resource_type: "AWS::KMS::Key".into(),
            resource_id: "k".into(),
            account_id: "1".into(),
            region: "eu-west-1".into(),
            resource_name: None,
            arn: None,
            doc: json!({"configuration": {"customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keyManager": "CUSTOMER"}}),
            unknown: Vec::new(),
        };
        normalize(&mut item);
        assert_eq!(item.doc["configuration"]["keySpec"], "SYMMETRIC_DEFAULT");
    }

    #[test]
    fn api_shaped_objects_in_ip_ranges_are_read() {
        let mut item = sg(json!([{"ipRanges": [{"cidrIp": "0.0.0.0/0"}]}]));
        normalize(&mut item);
        assert_eq!(
            rules(&item)[0]["ipv4Ranges"],
            json!([{"cidrIp": "0.0.0.0/0"}])
        );
    }
}
