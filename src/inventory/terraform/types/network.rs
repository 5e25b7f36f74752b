//! EC2 networking: VPCs, subnets, internet gateways, route tables with their routes and
//! associations, security groups with their rules, flow logs.

use super::*;

/// A source a rule resource had before: (protocol, from port, to port, list, value), as an item
/// writes them.
type Source = (String, Option<i64>, Option<i64>, &'static str, String);

pub(super) fn vpc(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.vpcId", address);
    b.string("cidr_block", "configuration.cidrBlock");
    b.string("instance_tenancy", "configuration.instanceTenancy");
    // aws_vpc never makes the default VPC.
    b.put("configuration.isDefault", false);
}

pub(super) fn subnet(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.subnetId", address);
    b.reference("vpc_id", "configuration.vpcId", VPC);
    b.string("cidr_block", "configuration.cidrBlock");
    b.string("availability_zone", "configuration.availabilityZone");
    // Provider docs (aws_subnet): map_public_ip_on_launch "Default is false";
    // assign_ipv6_address_on_creation "Default is false".
    b.bool(
        "map_public_ip_on_launch",
        "configuration.mapPublicIpOnLaunch",
        Some(false),
    );
    b.bool(
        "assign_ipv6_address_on_creation",
        "configuration.assignIpv6AddressOnCreation",
        Some(false),
    );
    b.put("configuration.defaultForAz", false);
}

pub(super) fn internet_gateway(b: &mut Builder<'_, '_>) {
    let address = b.r.address.clone();
    b.tags();
    b.put("configuration.internetGatewayId", address);
    let r = b.r;
    let mut part = b.part(r);
    let vpc = part.reference("vpc_id", VPC);
    let unknown = part.unknown;
    let attachments: Vec<Value> = vpc
        .into_iter()
        .map(|v| json!({"vpcId": v.value, "state": "available"}))
        .collect();
    b.finish(
        "configuration.attachments",
        unknown,
        Value::Array(attachments),
    );
}

/// Route target arguments, their AWS Config names, and what they may name.
const ROUTE_TARGETS: &[(&str, &str, Kinds)] = &[
    ("gateway_id", "gatewayId", GATEWAY),
    // AWS records a gateway endpoint route's target as its gatewayId (`vpce-…`).
    ("vpc_endpoint_id", "gatewayId", GATEWAY),
    ("nat_gateway_id", "natGatewayId", NAT_GATEWAY),
    (
        "egress_only_gateway_id",
        "egressOnlyInternetGatewayId",
        NO_KINDS,
    ),
    ("transit_gateway_id", "transitGatewayId", NO_KINDS),
    (
        "vpc_peering_connection_id",
        "vpcPeeringConnectionId",
        NO_KINDS,
    ),
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
    for (tf, aws) in [
        (v4, "destinationCidrBlock"),
        (v6, "destinationIpv6CidrBlock"),
        ("destination_prefix_list_id", "destinationPrefixListId"),
    ] {
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
            Val::Unknown => {
                inline
                    || part
                        .b
                        .cx
                        .resolver
                        .expression_refs(part.of, &format!("{at}{tf}"))
                        .is_some()
            }
        }
    };
    let targets: Vec<&(&str, &str, Kinds)> = ROUTE_TARGETS
        .iter()
        .filter(|(tf, _, _)| configured(tf))
        .collect();
    let targets: Vec<&(&str, &str, Kinds)> = if targets.is_empty() {
        // No target stated: every one the plan leaves unknown may be it.
        ROUTE_TARGETS
            .iter()
            .filter(|(tf, _, _)| !matches!(part.of.get(&format!("{at}{tf}")), Val::Null))
            .collect()
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
        &[
            "cidr_block",
            "ipv6_cidr_block",
            "destination_prefix_list_id",
        ]
    } else {
        &[
            "destination_cidr_block",
            "destination_ipv6_cidr_block",
            "destination_prefix_list_id",
        ]
    };
    keys.iter()
        .find_map(|k| {
            p.before
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .map(str::to_string)
}

pub(super) fn route_table(b: &mut Builder<'_, '_>) {
    let r = b.r;
    let address = r.address.clone();
    b.tags();
    b.put("configuration.routeTableId", address.clone());
    let is_default = r.tf_type == "aws_default_route_table";
    if is_default {
        // The VPC is computed; the table is adopted by the VPC's default route table ID.
        let vpc = match r.get("vpc_id") {
            Val::Known(_) => b.read(r, refer_one(&b.cx.resolver, r, "vpc_id", VPC)),
            _ => b.read(
                r,
                refer_one(
                    &b.cx.resolver,
                    r,
                    "default_route_table_id",
                    VPC_BY_DEFAULT_ROUTE_TABLE,
                ),
            ),
        };
        let target = match vpc {
            Typed::Known(v) => {
                let target = v.target;
                b.put("configuration.vpcId", v.value);
                target
            }
            Typed::Unknown | Typed::Null => {
                b.unknown("configuration.vpcId");
                None
            }
        };
        routes(b);
        associations(b, true, target);
    } else {
        let target = match b.reference("vpc_id", "configuration.vpcId", VPC) {
            Typed::Known(v) => v.target,
            _ => None,
        };
        routes(b);
        associations(b, false, target);
    }
}

/// Whether a main route table association of the plan may be for this VPC (one whose VPC
/// cannot be named may be).
fn main_association_for(b: &Builder<'_, '_>, vpc: usize) -> bool {
    b.cx.all
        .iter()
        .filter(|p| p.tf_type == "aws_main_route_table_association" && p.action.evaluated())
        .any(|p| match refer_one(&b.cx.resolver, p, "vpc_id", VPC) {
            Ok(Typed::Known(r)) => r.target.is_none_or(|t| t == vpc),
            _ => true,
        })
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
                .flat_map(|p| {
                    [
                        before_destination(p, false),
                        p.values
                            .get("destination_cidr_block")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        p.values
                            .get("destination_ipv6_cidr_block")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    ]
                })
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

/// A route table's associations; `vpc`: its VPC when the plan names it.
fn associations(b: &mut Builder<'_, '_>, is_default: bool, vpc: Option<usize>) {
    const ASSOCIATIONS: &str = "configuration.associations";
    let table = b.r.address.clone();
    let (explicit, _) = b.joined("aws_route_table_association");
    let (main, _) = b.joined("aws_main_route_table_association");
    let orphaned =
        b.orphaned("aws_route_table_association") | b.orphaned("aws_main_route_table_association");
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
    // Only in a VPC the plan creates are the plan's associations all there is: in another,
    // subnets and associations made outside the plan may use the table, and which table is main
    // may have been changed outside the plan.
    let new_vpc = vpc.filter(|&v| b.cx.all[v].action.creates());
    if new_vpc.is_none() {
        unknown = true;
    }
    // aws_default_route_table adopts the VPC's main route table: main, unless the plan
    // associates another table as main.
    if is_default && new_vpc.is_some_and(|v| !main_association_for(b, v)) {
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

const INLINE_RULE: RuleKeys = RuleKeys {
    protocol: "protocol",
    v4: "cidr_blocks",
    v6: "ipv6_cidr_blocks",
    prefix_lists: "prefix_list_ids",
    groups: "security_groups",
    this: Some("self"),
};
const RULE: RuleKeys = RuleKeys {
    protocol: "protocol",
    v4: "cidr_blocks",
    v6: "ipv6_cidr_blocks",
    prefix_lists: "prefix_list_ids",
    groups: "source_security_group_id",
    this: Some("self"),
};
const VPC_RULE: RuleKeys = RuleKeys {
    protocol: "ip_protocol",
    v4: "cidr_ipv4",
    v6: "cidr_ipv6",
    prefix_lists: "prefix_list_id",
    groups: "referenced_security_group_id",
    this: None,
};

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

/// Whether a rule resource's source argument is computed rather than set: unknown, and absent
/// from the configuration (aws_security_group_rule computes `source_security_group_id` for a
/// CIDR rule). In-line rules have no expressions to tell (block syntax is not in the plan's
/// configuration), so there an unknown source stays unknown.
fn computed_source(part: &Part<'_, '_, '_>, path: &str, inline: bool) -> bool {
    !inline
        && matches!(part.of.get(path), Val::Unknown)
        && part.b.cx.resolver.config.resource(part.of).is_some()
        && part.b.cx.resolver.expression_refs(part.of, path).is_none()
}

/// One rule in AWS Config's `ipPermissions` shape.
fn permission(part: &mut Part<'_, '_, '_>, at: &str, keys: &RuleKeys, group: &str) -> Value {
    let inline = !at.is_empty();
    let source = |part: &mut Part<'_, '_, '_>, key: &str| -> Vec<String> {
        let path = format!("{at}{key}");
        if computed_source(part, &path, inline) {
            return Vec::new();
        }
        part.strings(&path)
    };
    let protocol = part
        .text(&format!("{at}{}", keys.protocol))
        .map(|p| protocol_name(&p));
    let all = protocol.as_deref() == Some("-1");
    let from = part.int(&format!("{at}from_port"));
    let to = part.int(&format!("{at}to_port"));
    let v4: Vec<Value> = source(part, keys.v4)
        .into_iter()
        .map(|c| json!({ "cidrIp": c }))
        .collect();
    let v6: Vec<Value> = source(part, keys.v6)
        .into_iter()
        .map(|c| json!({ "cidrIpv6": c }))
        .collect();
    let prefixes: Vec<Value> = source(part, keys.prefix_lists)
        .into_iter()
        .map(|p| json!({ "prefixListId": p }))
        .collect();
    let groups_path = format!("{at}{}", keys.groups);
    let mut groups: Vec<Value> = if computed_source(part, &groups_path, inline) {
        Vec::new()
    } else {
        part.references(&groups_path, SECURITY_GROUP)
            .into_iter()
            .map(|g| json!({ "groupId": g.value }))
            .collect()
    };
    if let Some(this) = keys.this
        && part.bool(&format!("{at}{this}")) == Some(true)
    {
        groups.push(json!({ "groupId": group }));
    }
    object(vec![
        ("ipProtocol", protocol.map_or(Value::Null, Value::String)),
        // EC2 reports no ports for "all protocols" (Terraform writes 0 and 0).
        (
            "fromPort",
            if all {
                Value::Null
            } else {
                from.map_or(Value::Null, Value::from)
            },
        ),
        (
            "toPort",
            if all {
                Value::Null
            } else {
                to.map_or(Value::Null, Value::from)
            },
        ),
        ("ipv4Ranges", Value::Array(v4)),
        ("ipv6Ranges", Value::Array(v6)),
        ("prefixListIds", Value::Array(prefixes)),
        ("userIdGroupPairs", Value::Array(groups)),
    ])
}

/// The sources a rule resource had before (protocol, ports, list, value), as an item writes them:
/// the in-line rules of an existing group also report them, and they are the resource's to say.
fn before_sources(b: &Builder<'_, '_>, p: &Planned, keys: &RuleKeys) -> Vec<Source> {
    let before = &p.before;
    let Some(protocol) = before
        .get(keys.protocol)
        .and_then(Value::as_str)
        .map(protocol_name)
    else {
        return Vec::new();
    };
    let all = protocol == "-1";
    let port = |k: &str| {
        if all {
            None
        } else {
            before.get(k).and_then(Value::as_i64)
        }
    };
    let strings = |k: &str| -> Vec<String> {
        match before.get(k) {
            Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    let group_types: Vec<&str> = SECURITY_GROUP.iter().map(|(t, _)| *t).collect();
    let mut out = Vec::new();
    for (k, list) in [
        (keys.v4, "ipv4Ranges"),
        (keys.v6, "ipv6Ranges"),
        (keys.prefix_lists, "prefixListIds"),
        (keys.groups, "userIdGroupPairs"),
    ] {
        for value in strings(k) {
            let value = if list == "userIdGroupPairs" {
                b.cx.resolver
                    .by_handle(&group_types, &value)
                    .map_or(value, |t| b.cx.all[t].address.clone())
            } else {
                value
            };
            out.push((
                protocol.clone(),
                port("from_port"),
                port("to_port"),
                list,
                value,
            ));
        }
    }
    out
}

/// Removes from in-line rules the sources that rule resources own.
fn without_sources(permissions: Vec<Value>, owned: &[Source]) -> Vec<Value> {
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
                permission
                    .get("ipProtocol")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                permission.get("fromPort").and_then(Value::as_i64),
                permission.get("toPort").and_then(Value::as_i64),
            );
            let mut left = 0;
            for list in [
                "ipv4Ranges",
                "ipv6Ranges",
                "prefixListIds",
                "userIdGroupPairs",
            ] {
                if let Some(Value::Array(entries)) = permission.get_mut(list) {
                    entries.retain(|e| {
                        let value = e
                            .get(field(list))
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        !owned.iter().any(|(p, f, t, l, v)| {
                            Some(p) == key.0.as_ref()
                                && *f == key.1
                                && *t == key.2
                                && *l == list
                                && v == value
                        })
                    });
                    left += entries.len();
                }
            }
            (left > 0).then_some(permission)
        })
        .collect()
}

pub(super) fn security_group(b: &mut Builder<'_, '_>) {
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
    let of_direction =
        |p: &&Planned| p.values.get("type").and_then(Value::as_str) == Some(direction);
    let (legacy, legacy_gone) = b.joined("aws_security_group_rule");
    let (vpc_rules, vpc_gone) = b.joined(vpc_rule_type);
    // A rule whose direction is not known may be of either.
    let mut unknown = legacy.iter().any(|p| {
        !matches!(
            p.values.get("type").and_then(Value::as_str),
            Some("ingress" | "egress")
        )
    });
    let legacy: Vec<&Planned> = legacy.into_iter().filter(of_direction).collect();
    let legacy_gone: Vec<&Planned> = legacy_gone.into_iter().filter(of_direction).collect();
    unknown |= b.orphaned(vpc_rule_type);
    // aws_security_group_rule orphans count for ingress (the policies' direction) and egress.
    unknown |= b.orphaned("aws_security_group_rule");
    let managed_separately = !(legacy.is_empty()
        && legacy_gone.is_empty()
        && vpc_rules.is_empty()
        && vpc_gone.is_empty());
    let mut list = Vec::new();
    match r.get(direction) {
        Val::Known(Value::Array(inline)) => {
            let mut part = b.part(r);
            for i in 0..inline.len() {
                list.push(permission(
                    &mut part,
                    &format!("{direction}.{i}."),
                    &INLINE_RULE,
                    &group,
                ));
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

pub(super) fn flow_log(b: &mut Builder<'_, '_>) {
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
    b.write(
        "configuration.logDestinationType",
        destination_type,
        Some("cloud-watch-logs"),
    );
    b.reference(
        "log_destination",
        "configuration.logDestination",
        LOG_DESTINATION,
    );
}
