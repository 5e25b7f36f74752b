#!/usr/bin/env python3
"""Writes fixtures/{compliant,noncompliant,incomplete}.snapshot.json: hand-written accounts in
AWS Config's configuration-item shape (property names from data/resource-schema/), one compliant,
one broken in ways every built-in policy must catch, one with missing data and a collection failure.

Run it after changing the scenarios and commit the JSON; tests never run this script."""
import json
from pathlib import Path

CAPTURED = "2026-11-01T00:00:00Z"
REGION = "eu-west-1"
OUT = Path(__file__).resolve().parent.parent / "fixtures"


def item(t, rid, acct, conf=None, supp=None, region=REGION, **extra):
    d = {"resourceType": t, "resourceId": rid, "accountId": acct, "awsRegion": region}
    d.update(extra)
    if conf is not None:
        d["configuration"] = conf
    if supp is not None:
        d["supplementaryConfiguration"] = supp
    return d


def user(acct, name, console, mfa, devices=(), keys=(), last_used=None, changed=None):
    report = {"passwordEnabled": console}
    if mfa is not None:
        report["mfaActive"] = mfa
    if last_used:
        report["passwordLastUsed"] = last_used
    if changed:
        report["passwordLastChanged"] = changed
    supp = {"CredentialReport": report,
            "AccessKeys": [{"accessKeyId": f"AKIA{name.upper()}{i}", "status": s, "createDate": d} for i, (s, d) in enumerate(keys)]}
    if devices is not None:  # None: the MFA device list was not collected
        supp["MfaDevices"] = [{"serialNumber": f"arn:aws:iam::{acct}:mfa/{name}", "type": t, "enableDate": "2026-01-10T09:00:00Z"} for t in devices]
    arn = f"arn:aws:iam::{acct}:user/{name}"
    return item("AWS::IAM::User", f"AIDA{name.upper()}", acct, {"userName": name, "arn": arn}, supp,
                region="global", resourceName=name, arn=arn)


def summary(acct, mfa, root_keys=0):
    return item("Attestor::IAM::AccountSummary", acct, acct, {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": root_keys, "Users": 2}, region="global")


def account_public_access_block(acct, on):
    return item("Attestor::S3::AccountPublicAccessBlock", acct, acct, public_access_block(on), region="global")


def public_access_block(on):
    return {"blockPublicAcls": on, "ignorePublicAcls": on, "blockPublicPolicy": on, "restrictPublicBuckets": on}


def flow_log(acct, fid, vpc, delivery="SUCCESS"):
    return item("AWS::EC2::FlowLog", fid, acct, {"flowLogId": fid, "resourceId": vpc, "flowLogStatus": "ACTIVE",
                                                "deliverLogsStatus": delivery, "trafficType": "ALL",
                                                "logDestinationType": "cloud-watch-logs", "logGroupName": "/vpc/flow-logs"})


def password_policy(acct, length, strong):
    return item("Attestor::IAM::PasswordPolicy", acct, acct, {
        "minimumPasswordLength": length, "requireSymbols": strong, "requireNumbers": strong,
        "requireUppercaseCharacters": strong, "requireLowercaseCharacters": strong,
        "allowUsersToChangePassword": True, "passwordReusePrevention": 24 if strong else 0}, region="global")


def subnet(acct, sid, vpc, public_ip=False):
    return item("AWS::EC2::Subnet", sid, acct, {"subnetId": sid, "vpcId": vpc, "cidrBlock": "10.0.1.0/24",
                                               "mapPublicIpOnLaunch": public_ip, "availabilityZone": "eu-west-1a"})


def route_table(acct, rid, vpc, routes, subnets=(), main=False):
    assoc = [{"routeTableAssociationId": f"rtbassoc-{s}", "routeTableId": rid, "subnetId": s, "main": False,
              "associationState": {"state": "associated"}} for s in subnets]
    if main:
        assoc.append({"routeTableAssociationId": f"rtbassoc-main-{rid}", "routeTableId": rid, "main": True,
                      "associationState": {"state": "associated"}})
    return item("AWS::EC2::RouteTable", rid, acct, {"routeTableId": rid, "vpcId": vpc, "routes": routes, "associations": assoc})


LOCAL = {"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local", "state": "active"}
NAT = {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0b2", "state": "active"}


def igw4(g):
    return {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": g, "state": "active"}


def igw6(g):
    return {"destinationIpv6CidrBlock": "::/0", "gatewayId": g, "state": "active"}


def security_group(acct, gid, rules):
    return item("AWS::EC2::SecurityGroup", gid, acct, {"groupId": gid, "groupName": gid, "ipPermissions": rules})


def tcp(port, v4=(), v6=(), groups=()):
    return {"ipProtocol": "tcp", "fromPort": port, "toPort": port,
            "ipv4Ranges": [{"cidrIp": c} for c in v4], "ipv6Ranges": [{"cidrIpv6": c} for c in v6],
            "userIdGroupPairs": [{"groupId": g} for g in groups], "prefixListIds": []}


def rds(acct, rid, enc, public, subnets, multi_az=True, retention=14, cluster=None, groups=None):
    conf = {"dBInstanceIdentifier": rid, "engine": "postgres", "storageEncrypted": enc, "publiclyAccessible": public,
            "multiAZ": multi_az, "backupRetentionPeriod": retention,
            "dBSubnetGroup": {"dBSubnetGroupName": f"{rid}-subnets", "subnets": [{"subnetIdentifier": s, "subnetStatus": "Active"} for s in subnets]}}
    if cluster:
        conf["dBClusterIdentifier"] = cluster
    if groups is not None:
        conf["vpcSecurityGroups"] = [{"vpcSecurityGroupId": g, "status": "active"} for g in groups]
    return item("AWS::RDS::DBInstance", rid, acct, conf, arn=f"arn:aws:rds:{REGION}:{acct}:db:{rid}")


def cluster(acct, cid, enc, retention, members):
    return item("AWS::RDS::DBCluster", cid, acct, {
        "dBClusterIdentifier": cid, "engine": "aurora-postgresql", "storageEncrypted": enc, "backupRetentionPeriod": retention,
        "multiAZ": len(members) > 1,
        "dbclusterMembers": [{"dBInstanceIdentifier": f"{cid}-{i}", "isClusterWriter": w} for i, w in enumerate(members)]})


def kms(acct, kid, manager, rotation, period=None, spec="SYMMETRIC_DEFAULT"):
    supp = {"KeyRotationStatus": rotation}
    if period is not None:
        supp["RotationPeriodInDays"] = period
    return item("AWS::KMS::Key", kid, acct, {"keyId": kid, "keyManager": manager, "keyState": "Enabled", "keySpec": spec, "enabled": True}, supp)


def secret(acct, name, enabled, days=None, rotated=None, created=None):
    conf = {"Name": name, "RotationEnabled": enabled}
    if days is not None:
        conf["RotationRules"] = {"AutomaticallyAfterDays": days}
    if rotated:
        conf["LastRotatedDate"] = rotated
    if created:
        conf["CreatedDate"] = created
    return item("AWS::SecretsManager::Secret", f"arn:aws:secretsmanager:{REGION}:{acct}:secret:{name}", acct, conf, resourceName=name)


def log_group(acct, name, retention=None, kms_key=None):
    conf = {"logGroupName": name, "creationTime": 1735689600000}
    if retention is not None:
        conf["retentionInDays"] = retention
    if kms_key:
        conf["kmsKeyId"] = kms_key
    return item("AWS::Logs::LogGroup", name, acct, conf)


def trail(acct, name, multi, logging, validation=True, kms_key=None):
    conf = {"name": name, "isMultiRegionTrail": multi, "logFileValidationEnabled": validation, "homeRegion": REGION}
    if kms_key:
        conf["kmsKeyId"] = kms_key
    supp = {} if logging is None else {"TrailStatus": {"isLogging": logging}}
    return item("AWS::CloudTrail::Trail", name, acct, conf, supp)


def bucket(acct, name, algorithms, tags=None, lifecycle=None, region=REGION, blocked=None, versioning=None):
    supp = {"ServerSideEncryptionConfiguration": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": a}} for a in algorithms]}}
    if lifecycle is not None:
        supp["BucketLifecycleConfiguration"] = {"rules": lifecycle}
    if blocked is not None:
        supp["PublicAccessBlockConfiguration"] = public_access_block(blocked)
    if versioning is not None:
        supp["BucketVersioningConfiguration"] = {"status": versioning}
    extra = {"tags": tags} if tags else {}
    return item("AWS::S3::Bucket", name, acct, {"name": name}, supp, region=region, **extra)


def table(acct, name, kms_enabled, pitr):
    conf = {"tableName": name}
    if kms_enabled:
        conf["ssedescription"] = {"status": "ENABLED", "ssetype": "KMS"}
    supp = {"ContinuousBackupsDescription": {"pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": pitr}}}
    return item("AWS::DynamoDB::Table", name, acct, conf, supp)


def listener(acct, lid, protocol, policy=None, actions=()):
    conf = {"ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:listener/app/web/{lid}", "Protocol": protocol,
            "Port": 443 if protocol == "HTTPS" else 80, "DefaultActions": list(actions)}
    if policy:
        conf["SslPolicy"] = policy
    return item("AWS::ElasticLoadBalancingV2::Listener", lid, acct, conf)


FORWARD = {"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/1"}
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}


# What live collection covers (src/collect/*.rs, one line per collector): global collectors cover
# their types in every region ("*"), regional ones in each region scanned.
GLOBAL_TYPES = ["AWS::IAM::User", "Attestor::IAM::AccountSummary", "Attestor::IAM::PasswordPolicy", "AWS::S3::Bucket",
                "Attestor::S3::AccountPublicAccessBlock"]
REGIONAL_TYPES = [
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::InternetGateway",
    "AWS::EC2::SecurityGroup", "AWS::EC2::NetworkAcl", "AWS::EC2::Volume", "Attestor::EC2::EbsEncryptionByDefault",
    "AWS::EC2::FlowLog", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot", "AWS::KMS::Key", "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup", "AWS::CloudTrail::Trail", "AWS::DynamoDB::Table",
    "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::Backup::BackupVault", "AWS::Lambda::Function",
]


def coverage(acct, regions):
    entries = [{"accountId": acct, "region": "*", "resourceTypes": sorted(GLOBAL_TYPES)}]
    entries += [{"accountId": acct, "region": r, "resourceTypes": sorted(REGIONAL_TYPES)} for r in sorted(regions)]
    return entries


def snapshot(acct, items, errors=(), regions=(REGION,)):
    return {"snapshotVersion": 1,
            "metadata": {"capturedAt": CAPTURED, "tool": {"name": "attestor", "version": "0.1.0"},
                         "accountIds": [acct], "regions": list(regions), "collectionErrors": list(errors),
                         "coverage": coverage(acct, regions)},
            "configurationItems": items}


def compliant():
    a = "111111111111"
    key = f"arn:aws:kms:{REGION}:{a}:key/0b5d7c1e-1111-4a2b-9c3d-000000000001"
    return snapshot(a, [
        user(a, "alice", True, True, devices=["virtual"], last_used="2026-10-28T08:15:00+00:00", changed="2026-02-01T00:00:00+00:00"),
        user(a, "deploy-bot", False, False, keys=[("Active", "2026-10-01T00:00:00Z"), ("Inactive", "2025-01-01T00:00:00Z")]),
        summary(a, 1), password_policy(a, 14, True), account_public_access_block(a, True),
        item("AWS::EC2::VPC", "vpc-0c3", a, {"vpcId": "vpc-0c3", "cidrBlock": "10.0.0.0/16"}),
        flow_log(a, "fl-0c3", "vpc-0c3"),
        subnet(a, "subnet-0pub1", "vpc-0c3", True), subnet(a, "subnet-0priv1", "vpc-0c3"), subnet(a, "subnet-0priv2", "vpc-0c3"),
        route_table(a, "rtb-0public", "vpc-0c3", [LOCAL, igw4("igw-0a1"), igw6("igw-0a1")], ["subnet-0pub1"]),
        route_table(a, "rtb-0private", "vpc-0c3", [LOCAL, NAT], ["subnet-0priv1"]),
        route_table(a, "rtb-0main", "vpc-0c3", [LOCAL, NAT], main=True),
        security_group(a, "sg-0web", [tcp(443, v4=["0.0.0.0/0"], v6=["::/0"])]),
        security_group(a, "sg-0db", [tcp(5432, groups=["sg-0web"])]),
        rds(a, "orders-db", True, False, ["subnet-0priv1", "subnet-0priv2"], groups=["sg-0db"]),
        cluster(a, "analytics", True, 7, [True, False]),
        item("AWS::RDS::DBSnapshot", "orders-db-2026-10-31", a, {"dBSnapshotIdentifier": "orders-db-2026-10-31", "encrypted": True, "snapshotType": "manual", "snapshotCreateTime": "2026-10-31T03:00:00Z"}),
        item("AWS::RDS::DBClusterSnapshot", "analytics-2026-10-31", a, {"dBClusterSnapshotIdentifier": "analytics-2026-10-31", "storageEncrypted": True, "snapshotType": "manual", "snapshotCreateTime": "2026-10-31T03:00:00Z"}),
        bucket(a, "customer-files", ["aws:kms"], tags={"DataRetention": "365d"},
               lifecycle=[{"id": "expire", "status": "Enabled", "expirationInDays": 365}], blocked=True, versioning="Enabled"),
        bucket(a, "static-site", ["AES256"], blocked=True, versioning="Enabled"),
        table(a, "client-registry", True, "ENABLED"),
        item("AWS::EC2::Volume", "vol-0aa", a, {"volumeId": "vol-0aa", "encrypted": True}),
        item("Attestor::EC2::EbsEncryptionByDefault", f"{a}:{REGION}", a, {"ebsEncryptionByDefault": True}),
        item("AWS::Backup::BackupVault", "primary", a, {"BackupVaultName": "primary", "EncryptionKeyArn": key}),
        kms(a, "0b5d7c1e-1111-4a2b-9c3d-000000000001", "CUSTOMER", True, 90),
        kms(a, "0b5d7c1e-1111-4a2b-9c3d-000000000002", "AWS", True),
        kms(a, "0b5d7c1e-1111-4a2b-9c3d-000000000003", "CUSTOMER", False, spec="RSA_2048"),
        secret(a, "prod/orders-db", True, 30, rotated="2026-10-15T00:00:00Z", created="2025-01-10T00:00:00Z"),
        log_group(a, "/app/api", 90, key), log_group(a, "/aws/lambda/ingest", 180, key),
        trail(a, "org-trail", True, True, kms_key=key), trail(a, "eu-only", False, True, kms_key=key),
        listener(a, "https", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", [FORWARD]),
        listener(a, "http", "HTTP", actions=[REDIRECT]),
    ])


def noncompliant():
    b = "222222222222"
    return snapshot(b, [
        user(b, "carol", True, False, keys=[("Active", "2026-09-01T00:00:00Z")], last_used="2026-03-02T10:00:00+00:00", changed="2025-06-01T00:00:00+00:00"),
        user(b, "erin", True, True, devices=["virtual"], keys=[("Active", "2026-01-15T00:00:00Z")], changed="2025-12-01T00:00:00+00:00"),
        summary(b, 0, root_keys=1), password_policy(b, 8, False), account_public_access_block(b, False),
        item("AWS::EC2::VPC", "vpc-0d4", b, {"vpcId": "vpc-0d4", "cidrBlock": "10.0.0.0/16"}),
        flow_log(b, "fl-0d4", "vpc-0d4", delivery="FAILED"),
        subnet(b, "subnet-0pub1", "vpc-0d4", True), subnet(b, "subnet-0pub2", "vpc-0d4", True), subnet(b, "subnet-0priv1", "vpc-0d4", True),
        route_table(b, "rtb-0public", "vpc-0d4", [LOCAL, igw4("igw-0e5")], ["subnet-0pub1"]),
        route_table(b, "rtb-0private", "vpc-0d4", [LOCAL, NAT], ["subnet-0priv1"]),
        route_table(b, "rtb-0main", "vpc-0d4", [LOCAL, igw6("igw-0e5")], main=True),
        security_group(b, "sg-0ssh", [tcp(22, v4=["0.0.0.0/0"])]),
        security_group(b, "sg-0wide", [{"ipProtocol": "-1", "ipv6Ranges": [{"cidrIpv6": "::/0"}]}]),
        rds(b, "legacy-db", False, True, ["subnet-0pub1"], multi_az=False, retention=1, groups=["sg-0ssh"]),
        rds(b, "reports-db", True, False, ["subnet-0priv1", "subnet-0pub2"], groups=["sg-0wide"]),
        cluster(b, "warehouse", False, 1, [True]),
        item("AWS::RDS::DBSnapshot", "legacy-db-manual", b, {"dBSnapshotIdentifier": "legacy-db-manual", "encrypted": False, "snapshotType": "manual", "snapshotCreateTime": "2026-01-10T00:00:00Z"}),
        item("AWS::RDS::DBClusterSnapshot", "warehouse-manual", b, {"dBClusterSnapshotIdentifier": "warehouse-manual", "storageEncrypted": False, "snapshotType": "manual", "snapshotCreateTime": "2025-08-01T00:00:00Z"}),
        bucket(b, "exports", [], tags={"DataRetention": "90d"}, lifecycle=[{"id": "archive", "status": "Enabled", "transitions": [{"days": 30, "storageClass": "GLACIER"}]}],
               blocked=False, versioning="Suspended"),
        bucket(b, "us-marketing", ["AES256"], region="us-east-1", blocked=False, versioning="Off"),
        table(b, "sessions", False, "DISABLED"),
        item("AWS::EC2::Volume", "vol-0bb", b, {"volumeId": "vol-0bb", "encrypted": False}),
        item("Attestor::EC2::EbsEncryptionByDefault", f"{b}:{REGION}", b, {"ebsEncryptionByDefault": False}),
        item("AWS::Backup::BackupVault", "legacy", b, {"BackupVaultName": "legacy"}),
        kms(b, "7f3a9e2d-2222-4b3c-8d4e-000000000001", "CUSTOMER", False),
        kms(b, "7f3a9e2d-2222-4b3c-8d4e-000000000002", "CUSTOMER", True, 365),
        secret(b, "prod/api-token", False, created="2025-06-01T00:00:00Z"),
        # Never rotated (no LastRotatedDate), created long ago: secrets-manager-rotated fails from CreatedDate.
        secret(b, "prod/db-password", True, 180, created="2025-02-01T00:00:00Z"),
        log_group(b, "/app/api"), log_group(b, "/app/worker", 7), log_group(b, "/app/audit", 3653),
        trail(b, "eu-only", False, True), trail(b, "org-trail", True, False, validation=False),
        listener(b, "https", "HTTPS", "ELBSecurityPolicy-2016-08", [FORWARD]),
        listener(b, "http", "HTTP", actions=[FORWARD]),
    ])


def incomplete():
    c = "333333333333"
    denied = {"service": "rds", "region": REGION, "accountId": c, "operation": "DescribeDBInstances",
              "iamAction": "rds:DescribeDBInstances", "errorCode": "AccessDenied",
              "message": "User is not authorized to perform rds:DescribeDBInstances",
              "resourceTypes": ["AWS::RDS::DBInstance"]}
    return snapshot(c, [
        user(c, "frank", True, None, devices=None), user(c, "grace", True, True, devices=["hardware"]),
        kms(c, "9c8b7a6d-3333-4c5d-ae6f-000000000001", "CUSTOMER", True),
        secret(c, "prod/queue", True),
        log_group(c, "/app/api", 120, f"arn:aws:kms:{REGION}:{c}:key/9c8b7a6d-3333-4c5d-ae6f-000000000001"),
        trail(c, "org-trail", True, None, kms_key=f"arn:aws:kms:{REGION}:{c}:key/9c8b7a6d-3333-4c5d-ae6f-000000000001"),
    ], [denied, {"service": "iam", "region": "global", "accountId": c, "operation": "GetAccountPasswordPolicy",
                 "iamAction": "iam:GetAccountPasswordPolicy", "errorCode": "AccessDenied",
                 "message": "User is not authorized to perform iam:GetAccountPasswordPolicy",
                 "resourceTypes": ["Attestor::IAM::PasswordPolicy"]}])


for name, data in [("compliant", compliant()), ("noncompliant", noncompliant()), ("incomplete", incomplete())]:
    (OUT / f"{name}.snapshot.json").write_text(json.dumps(data, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------
# Example packs: one compliant and one broken account per reference statement (examples/*/).

def lambda_fn(acct, name, region):
    return item("AWS::Lambda::Function", name, acct, {"functionName": name, "runtime": "python3.12"}, region=region)


def network(acct, vpc, region=REGION, public_main=False):
    """A VPC with a public subnet (explicit table to an IGW), and two private subnets: one with an
    explicit NAT table, one on the main table (public_main=True makes the main table public)."""
    main_routes = [LOCAL, igw4("igw-0f1")] if public_main else [LOCAL, NAT]
    return [
        item("AWS::EC2::Subnet", "subnet-public", acct, {"subnetId": "subnet-public", "vpcId": vpc, "mapPublicIpOnLaunch": True}, region=region),
        item("AWS::EC2::Subnet", "subnet-data-a", acct, {"subnetId": "subnet-data-a", "vpcId": vpc, "mapPublicIpOnLaunch": False}, region=region),
        item("AWS::EC2::Subnet", "subnet-data-b", acct, {"subnetId": "subnet-data-b", "vpcId": vpc, "mapPublicIpOnLaunch": False}, region=region),
        dict(route_table(acct, "rtb-public", vpc, [LOCAL, igw4("igw-0f1")], ["subnet-public"]), awsRegion=region),
        dict(route_table(acct, "rtb-data", vpc, [LOCAL, NAT], ["subnet-data-a"]), awsRegion=region),
        dict(route_table(acct, "rtb-main", vpc, main_routes, main=True), awsRegion=region),
    ]


def regional(items, region):
    return [dict(i, awsRegion=region) if i["awsRegion"] not in ("global",) else i for i in items]


def pack_a(broken):
    a = "510000000001" if not broken else "510000000002"
    return snapshot(a, [
        user(a, "oncall-admin", True, True, devices=["u2f"]),
        user(a, "support", True, not broken, devices=[] if broken else ["virtual"]),
        summary(a, 1),
        *network(a, "vpc-incidents"),
        security_group(a, "sg-web", [tcp(443, v4=["0.0.0.0/0"], v6=["::/0"])]),
        # Broken: the data layer also admits the whole internet on 5432.
        security_group(a, "sg-data", [tcp(5432, groups=["sg-web"])] + ([tcp(5432, v4=["0.0.0.0/0"])] if broken else [])),
        rds(a, "incidents-db", not broken, False, ["subnet-data-a", "subnet-data-b"], groups=["sg-data"]),
        cluster(a, "timeline", True, 7, [True, False]),
        secret(a, "prod/slack-token-key", True, 90), secret(a, "prod/pagerduty-token-key", True, 180 if broken else 30),
    ])


def pack_b(broken):
    b = "520000000001" if not broken else "520000000002"
    region = "eu-central-1"
    key = f"arn:aws:kms:{region}:{b}:key/registry"
    items = [
        lambda_fn(b, "processor", region),
        # The registry keeps DynamoDB's default encryption (AWS owned key): still encrypted at rest.
        dict(table(b, "client-registry", False, "DISABLED" if broken else "ENABLED"), awsRegion=region),
        dict(log_group(b, "/aws/lambda/processor", None if broken else 90, key), awsRegion=region),
        dict(log_group(b, "/aws/lambda/registry-api", 90, key), awsRegion=region),
    ]
    if broken:
        # A bucket of workspace files (the statement stores none) and a copy of the processor in the US.
        items.append(bucket(b, "workspace-scratch", ["aws:kms"], region=region))
        items.append(lambda_fn(b, "processor-us-copy", "us-east-1"))
    return snapshot(b, items, regions=[region, "us-east-1"])


def pack_c(broken):
    c = "530000000001" if not broken else "530000000002"
    region = "us-east-1"

    def db_snapshot(sid, snap_type, encrypted, created):
        return item("AWS::RDS::DBSnapshot", sid, c, {
            "dBSnapshotIdentifier": sid, "dBInstanceIdentifier": "graphs-db", "encrypted": encrypted,
            "snapshotType": snap_type, "snapshotCreateTime": created})
    items = regional([
        *network(c, "vpc-graphs"),
        security_group(c, "sg-alb", [tcp(443, v4=["0.0.0.0/0"])]),
        security_group(c, "sg-db", [tcp(5432, groups=["sg-alb"])]),
        # Live data in one zone (no Multi-AZ: the statement restores from backups instead).
        rds(c, "graphs-db", True, False, ["subnet-data-a", "subnet-data-b"], multi_az=False, retention=7 if broken else 35, groups=["sg-db"]),
        # Broken: the automated backups stopped ten days ago.
        db_snapshot("rds:graphs-db-2026-10-21" if broken else "rds:graphs-db-2026-10-31", "automated", True,
                    "2026-10-21T04:00:00Z" if broken else "2026-10-31T04:00:00Z"),
        db_snapshot("graphs-db-weekly", "manual", True, "2026-10-28T03:00:00Z"),
        # Broken: an unencrypted export kept far past the 35 days.
        db_snapshot("graphs-db-export", "manual", not broken, "2026-05-01T03:00:00Z" if broken else "2026-10-30T03:00:00Z"),
        item("AWS::Backup::BackupVault", "graphs-vault", c, {"BackupVaultName": "graphs-vault", "EncryptionKeyArn": f"arn:aws:kms:{region}:{c}:key/backup"}),
        # Broken: TLS13-1-2-Ext2 allows TLS 1.2 but also RSA key exchange (no forward secrecy).
        listener(c, "https", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06" if broken else "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", [FORWARD]),
        listener(c, "http", "HTTP", actions=[REDIRECT]),
    ], region)
    return snapshot(c, items, regions=[region])


def pack_d(broken):
    d = "540000000001" if not broken else "540000000002"
    return snapshot(d, [
        user(d, "dev-1", True, True, devices=["virtual"]), user(d, "dev-2", True, True, devices=["hardware"]),
        summary(d, 0 if broken else 1),
        cluster(d, "analytics", True, 1 if broken else 7, [True] if broken else [True, False]),
        *[lambda_fn(d, name, REGION) for name in ("etl", "request", "compute", "message", "pdf")],
    ])


def pack_e(broken):
    e = "550000000001" if not broken else "550000000002"

    def env(i, name):
        return dict(i, tags={"Environment": name})
    db = rds(e, "compaas-prod", True, False, ["subnet-data-a"])
    db["configuration"]["autoMinorVersionUpgrade"] = not broken
    test_db = rds(e, "compaas-test", True, False, ["subnet-data-a"])
    test_db["configuration"]["autoMinorVersionUpgrade"] = True  # the test database patches itself too
    items = [
        env(bucket(e, "customer-files-prod", ["aws:kms"]), "production"),
        env(bucket(e, "customer-files-demo", ["aws:kms"]), "demo"),
        env(db, "production"),
        env(test_db, "test"),
        env(listener(e, "https", "HTTPS", "ELBSecurityPolicy-2016-08" if broken else "ELBSecurityPolicy-TLS13-1-2-2021-06", [FORWARD]), "production"),
        env(listener(e, "http", "HTTP", actions=[FORWARD] if broken else [REDIRECT]), "production"),
    ]
    if broken:
        items.append(bucket(e, "scratch-untagged", ["AES256"]))
    return snapshot(e, items)


PACKS = {
    "a-incident-management": pack_a,
    "b-jira-addon-eu": pack_b,
    "c-bitbucket-addon-us": pack_c,
    "d-analytics-aurora": pack_d,
    "e-compensation-saas": pack_e,
}
EXAMPLES = OUT.parent / "examples"
for pack, build in PACKS.items():
    (EXAMPLES / pack).mkdir(parents=True, exist_ok=True)
    for name, broken in [("compliant", False), ("broken", True)]:
        (EXAMPLES / pack / f"{name}.snapshot.json").write_text(json.dumps(build(broken), indent=2) + "\n")
