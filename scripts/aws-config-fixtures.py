#!/usr/bin/env python3
"""Writes fixtures/aws-config.snapshot.json and fixtures/aws-config/*.json: AWS Config data in the
shapes AWS writes them, one file per delivery channel or variant (see the AWS Config developer
guide: "Components of a configuration item", example snapshot, history and notification files;
the Config API's ConfigurationItem and BaseConfigurationItem):

- delivered snapshot (S3): configurationItemVersion, awsAccountId, ARN, configurationStateId as a
  number, explicit nulls, supplementary values as JSON text, items of every era (an older security
  group with `ipRanges` strings only, a KMS key with `customerMasterKeySpec` only);
- history file: several items per resource (the newest wins; one ends ResourceDeleted), item data
  that happens to contain the text "snapshotVersion";
- Config API output (GetResourceConfigHistory / BatchGetResourceConfig): accountId, arn, version,
  `configuration` as a JSON string, capture times as epoch seconds, `baseConfigurationItems`;
- a UTF-8 byte-order mark; one unreadable item among good ones.

Run it after changing the scenarios and commit the JSON; tests never run this script."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
ACCT = "444444444444"
REGION = "us-east-1"
T = "2026-10-31T22:00:00.000Z"


def delivered(rtype, rid, conf, supp=None, name=None, arn=None, region=REGION, status="OK", t=T, tags=None, az="Multiple Availability Zones"):
    """A configuration item as delivered to S3 and SNS (the notification shape)."""
    return {
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": t,
        "configurationStateId": 1730412000000,
        "awsAccountId": ACCT,
        "configurationItemStatus": status,
        "resourceType": rtype,
        "resourceId": rid,
        "resourceName": name if name is not None else rid,
        "ARN": arn or f"arn:aws:ec2:{region}:{ACCT}:{rid}",
        "awsRegion": region,
        "availabilityZone": az,
        "configurationStateMd5Hash": "",
        "tags": tags or {},
        "relatedEvents": [],
        "relationships": [],
        "configuration": conf,
        "supplementaryConfiguration": supp or {},
    }


def route(dest, gw=None, nat=None, v6=None):
    return {"destinationCidrBlock": dest, "destinationIpv6CidrBlock": v6, "destinationPrefixListId": None,
            "egressOnlyInternetGatewayId": None, "gatewayId": gw, "instanceId": None, "natGatewayId": nat,
            "networkInterfaceId": None, "origin": "CreateRoute", "state": "active", "vpcPeeringConnectionId": None}


def snapshot_items():
    rds_subnets = lambda ids: {"dBSubnetGroupName": "data", "vpcId": "vpc-1a2", "subnetGroupStatus": "Complete",
                               "subnets": [{"subnetIdentifier": s, "subnetAvailabilityZone": {"name": "us-east-1a"}, "subnetStatus": "Active"} for s in ids]}
    rds = lambda rid, name, enc, public, subnets, multi_az, retention: delivered(
        "AWS::RDS::DBInstance", rid,
        {"dBInstanceIdentifier": name, "dBInstanceClass": "db.t3.medium", "engine": "postgres", "backupRetentionPeriod": retention,
         "multiAZ": multi_az, "publiclyAccessible": public, "dBClusterIdentifier": None, "storageEncrypted": enc,
         "kmsKeyId": None if not enc else f"arn:aws:kms:{REGION}:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
         "dBSubnetGroup": rds_subnets(subnets)},
        name=name, arn=f"arn:aws:rds:{REGION}:{ACCT}:db:{name}")
    return [
        delivered("AWS::EC2::Subnet", "subnet-1pub", {"subnetId": "subnet-1pub", "vpcId": "vpc-1a2", "cidrBlock": "10.1.0.0/24", "mapPublicIpOnLaunch": True, "defaultForAz": False, "state": "available", "ipv6CidrBlockAssociationSet": []}),
        delivered("AWS::EC2::Subnet", "subnet-1priv", {"subnetId": "subnet-1priv", "vpcId": "vpc-1a2", "cidrBlock": "10.1.1.0/24", "mapPublicIpOnLaunch": False, "defaultForAz": False, "state": "available", "ipv6CidrBlockAssociationSet": []}),
        delivered("AWS::EC2::RouteTable", "rtb-1pub", {"routeTableId": "rtb-1pub", "vpcId": "vpc-1a2",
            "associations": [{"main": False, "routeTableAssociationId": "rtbassoc-1", "routeTableId": "rtb-1pub", "subnetId": "subnet-1pub"}],
            "routes": [route("10.1.0.0/16", gw="local"), route("0.0.0.0/0", gw="igw-1a2")]}),
        delivered("AWS::EC2::RouteTable", "rtb-1main", {"routeTableId": "rtb-1main", "vpcId": "vpc-1a2",
            "associations": [{"main": True, "routeTableAssociationId": "rtbassoc-2", "routeTableId": "rtb-1main", "subnetId": None}],
            "routes": [route("10.1.0.0/16", gw="local"), route("0.0.0.0/0", nat="nat-1a2")]}),
        # Recorded in 2016 and never changed since: the older shape, `ipRanges` as strings only.
        delivered("AWS::EC2::SecurityGroup", "sg-0legacy", {"ownerId": ACCT, "groupName": "legacy-bastion", "groupId": "sg-0legacy", "description": "bastion", "vpcId": "vpc-1a2",
            "ipPermissions": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "userIdGroupPairs": [], "ipRanges": ["0.0.0.0/0"], "prefixListIds": []}],
            "ipPermissionsEgress": [{"ipProtocol": "-1", "fromPort": None, "toPort": None, "userIdGroupPairs": [], "ipRanges": ["0.0.0.0/0"], "prefixListIds": []}],
            "tags": []}, name="legacy-bastion", t="2016-12-04T10:21:17.000Z"),
        # The current shape: both forms side by side; `-1` rules carry no ports.
        delivered("AWS::EC2::SecurityGroup", "sg-0web", {"ownerId": ACCT, "groupName": "web", "groupId": "sg-0web", "description": "web", "vpcId": "vpc-1a2",
            "ipPermissions": [{"fromPort": 443, "ipProtocol": "tcp", "ipv6Ranges": [{"cidrIpv6": "::/0"}], "prefixListIds": [], "toPort": 443, "userIdGroupPairs": [], "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}], "ipRanges": ["0.0.0.0/0"]},
                              {"fromPort": 5432, "ipProtocol": "tcp", "ipv6Ranges": [], "prefixListIds": [], "toPort": 5432, "userIdGroupPairs": [{"groupId": "sg-0app", "userId": ACCT}], "ipv4Ranges": [], "ipRanges": []}],
            "ipPermissionsEgress": [{"ipProtocol": "-1", "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": [], "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}], "ipRanges": ["0.0.0.0/0"]}],
            "tags": []}, name="web"),
        rds("db-ABCDEF1234567890", "orders", True, False, ["subnet-1priv"], True, 14),
        rds("db-0123456789ABCDEF", "legacy-reports", False, True, ["subnet-1pub", "subnet-1priv"], False, 1),
        delivered("AWS::RDS::DBInstance", "db-DELETED00000000", None, name="old-db", status="ResourceDeleted", arn=f"arn:aws:rds:{REGION}:{ACCT}:db:old-db"),
        # KeyRotationStatus is a JSON string in delivered files, as every supplementary value.
        delivered("AWS::KMS::Key", "1234abcd-12ab-34cd-56ef-1234567890ab", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "keyManager": "CUSTOMER", "keyState": "Enabled", "keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT", "enabled": True},
                  {"KeyRotationStatus": "true"}, arn=f"arn:aws:kms:{REGION}:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        # Recorded before KMS renamed the field: customerMasterKeySpec only.
        delivered("AWS::KMS::Key", "5678efab-12ab-34cd-56ef-1234567890ab", {"keyId": "5678efab-12ab-34cd-56ef-1234567890ab", "keyManager": "CUSTOMER", "keyState": "Enabled", "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT", "enabled": True, "awsaccountId": ACCT},
                  {"KeyRotationStatus": "false"}, arn=f"arn:aws:kms:{REGION}:{ACCT}:key/5678efab-12ab-34cd-56ef-1234567890ab", t="2021-05-03T12:00:00.000Z"),
        delivered("AWS::SecretsManager::Secret", f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:app-AbCdEf", {"ARN": f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:app-AbCdEf", "Name": "app", "RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 30}},
                  name="app", arn=f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:app-AbCdEf"),
        # Never set up to rotate: DescribeSecret (and Config after it) gives RotationEnabled null.
        delivered("AWS::SecretsManager::Secret", f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:legacy-GhIjKl", {"ARN": f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:legacy-GhIjKl", "Name": "legacy", "RotationEnabled": None},
                  name="legacy", arn=f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:legacy-GhIjKl"),
        # Trail status (GetTrailStatus) is not part of a Config item.
        delivered("AWS::CloudTrail::Trail", "management", {"name": "management", "s3BucketName": "trail-logs", "isMultiRegionTrail": True, "homeRegion": REGION, "logFileValidationEnabled": True, "kmsKeyId": None, "isOrganizationTrail": False},
                  arn=f"arn:aws:cloudtrail:{REGION}:{ACCT}:trail/management"),
        delivered("AWS::S3::Bucket", "trail-logs", {"name": "trail-logs", "owner": {"displayName": None, "id": "c0ffee"}, "creationDate": "2019-01-30T10:00:00.000Z"},
                  {"ServerSideEncryptionConfiguration": json.dumps({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyID": f"arn:aws:kms:{REGION}:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]}),
                   "BucketVersioningConfiguration": json.dumps({"status": "Enabled", "isMfaDeleteEnabled": None}), "IsRequesterPaysEnabled": "false"},
                  arn="arn:aws:s3:::trail-logs"),
        # Recorded in 2020 with no default encryption rule: Config omits the key. S3 has applied
        # SSE-S3 to every bucket since January 2023, so this record is stale, not a failure.
        delivered("AWS::S3::Bucket", "exports-2020", {"name": "exports-2020", "owner": {"displayName": None, "id": "c0ffee"}, "creationDate": "2020-01-30T10:00:00.000Z"},
                  {"BucketVersioningConfiguration": json.dumps({"status": "Off", "isMfaDeleteEnabled": None}), "IsRequesterPaysEnabled": "false"},
                  arn="arn:aws:s3:::exports-2020", t="2020-01-30T10:05:00.000Z"),
        delivered("AWS::DynamoDB::Table", "orders", {"tableName": "orders", "tableStatus": "ACTIVE", "ssedescription": {"status": "ENABLED", "ssetype": "KMS", "kmsmasterKeyArn": f"arn:aws:kms:{REGION}:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
                  {"ContinuousBackupsDescription": {"continuousBackupsStatus": "ENABLED", "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"}}},
                  arn=f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders"),
        # The recorder saw this volume but does not record its type.
        delivered("AWS::EC2::Volume", "vol-0notrecorded", None, status="ResourceNotRecorded"),
        delivered("AWS::IAM::User", "AIDAEXAMPLEUSER00001", {"path": "/", "userName": "deploy", "userId": "AIDAEXAMPLEUSER00001", "arn": f"arn:aws:iam::{ACCT}:user/deploy", "createDate": "2024-02-01T00:00:00.000Z", "groupList": [], "userPolicyList": [], "attachedManagedPolicies": [], "permissionsBoundary": None, "tags": []},
                  name="deploy", arn=f"arn:aws:iam::{ACCT}:user/deploy", region="global", az="Not Applicable"),
    ]


def api_item(rtype, rid, conf, t, status="OK", name=None, supp=None, tags=None):
    """GetResourceConfigHistory's shape: configuration as JSON text, capture time in epoch seconds."""
    return {"version": "1.3", "accountId": ACCT, "configurationItemCaptureTime": t, "configurationItemStatus": status,
            "configurationStateId": str(int(float(t) * 1000)), "configurationItemMD5Hash": "", "arn": f"arn:aws:rds:{REGION}:{ACCT}:db:{name or rid}",
            "resourceType": rtype, "resourceId": rid, "resourceName": name or rid, "awsRegion": REGION, "availabilityZone": "us-east-1a",
            "resourceCreationTime": 1502510000.5, "tags": tags or {}, "relatedEvents": [], "relationships": [],
            "configuration": json.dumps(conf) if conf is not None else None,
            "supplementaryConfiguration": supp or {}}


def history():
    db = lambda enc, public: {"dBInstanceIdentifier": "billing", "storageEncrypted": enc, "publiclyAccessible": public, "multiAZ": True,
                              "backupRetentionPeriod": 7, "dBClusterIdentifier": None, "engine": "mysql",
                              "dBSubnetGroup": {"subnets": [{"subnetIdentifier": "subnet-1priv"}]}}
    return {"configurationItems": [
        # Newest first, as GetResourceConfigHistory returns them: the encrypted state wins.
        api_item("AWS::RDS::DBInstance", "db-BILLING", db(True, False), 1761868800.25, name="billing",
                 tags={"backup": "daily", "snapshotVersion": "2"}),
        api_item("AWS::RDS::DBInstance", "db-BILLING", db(False, True), 1502510556.116, status="ResourceDiscovered", name="billing"),
        # Created unencrypted, then deleted: not part of the account any more.
        api_item("AWS::RDS::DBInstance", "db-SCRATCH", db(False, True), 1700000000, status="ResourceDiscovered", name="scratch"),
        api_item("AWS::RDS::DBInstance", "db-SCRATCH", None, 1700086400, status="ResourceDeleted", name="scratch"),
    ]}


def base_items():
    """BatchGetResourceConfig's shape: no tags, no relationships."""
    item = api_item("AWS::RDS::DBInstance", "db-BILLING", {"dBInstanceIdentifier": "billing", "storageEncrypted": False}, "1761868800.25", name="billing")
    for key in ("tags", "relatedEvents", "relationships", "configurationItemMD5Hash"):
        item.pop(key)
    return {"baseConfigurationItems": [item], "unprocessedResourceKeys": []}


def one_bad_item():
    items = snapshot_items()[:4]
    bad = delivered("AWS::EC2::Subnet", "subnet-1bad", {"subnetId": "subnet-1bad", "vpcId": "vpc-1a2", "mapPublicIpOnLaunch": True})
    del bad["awsRegion"]
    wrong = delivered("AWS::RDS::DBInstance", "db-WRONGTYPE", {"storageEncrypted": True})
    wrong["resourceId"] = 12345
    return {"fileVersion": "1.0", "configSnapshotId": "4f1d2a3b-0000-4000-8000-000000000003", "configurationItems": items + [bad, wrong]}


def write(path, data, bom=False):
    text = json.dumps(data, indent=2) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())


write(ROOT / "aws-config.snapshot.json", {"fileVersion": "1.0", "configSnapshotId": "4f1d2a3b-0000-4000-8000-000000000001", "configurationItems": snapshot_items()})
write(ROOT / "aws-config" / "history.json", history())
write(ROOT / "aws-config" / "base-items.json", base_items())
write(ROOT / "aws-config" / "bom.json", {"fileVersion": "1.0", "configurationItems": snapshot_items()[:2]}, bom=True)
write(ROOT / "aws-config" / "one-bad-item.json", one_bad_item())
