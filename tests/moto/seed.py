"""Seeds a moto server with a live-scan scenario: for every collected type, a compliant resource
and a non-compliant one, in eu-west-1. The expected results are asserted by tests/live.rs.

Usage: python seed.py ENDPOINT_URL"""
import io
import json
import sys
import urllib.request
import zipfile

import boto3

ENDPOINT = sys.argv[1]
REGION = "eu-west-1"


def client(name, region=REGION):
    return boto3.client(name, region_name=region, endpoint_url=ENDPOINT,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


iam = client("iam")
iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                   RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                   PasswordReusePrevention=24)
for name in ("alice", "bob", "svc"):
    iam.create_user(UserName=name)
for name in ("alice", "bob"):
    iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
iam.enable_mfa_device(UserName="alice", SerialNumber=device["SerialNumber"],
                      AuthenticationCode1="123456", AuthenticationCode2="654321")
iam.create_access_key(UserName="svc")

ec2 = client("ec2")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
private_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
private_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="eu-west-1b")["Subnet"]["SubnetId"]
ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
# A private subnet that still hands out public addresses: fails private-subnet-no-public-ip.
ec2.modify_subnet_attribute(SubnetId=private_b, MapPublicIpOnLaunch={"Value": True})
public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
# The private subnets use the VPC's main route table (local only): the fallback path.
web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
ssh = ec2.create_security_group(GroupName="ssh-open", Description="ssh", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
# Databases admit only the web tier's group (passes rds-security-groups-admit-only-groups), or a
# CIDR (the ssh-open group: fails it).
db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=db_sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}])
ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8, Encrypted=True, TagSpecifications=[
    {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "encrypted"}]}])
ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8, Encrypted=False, TagSpecifications=[
    {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "plain"}]}])
ec2.enable_ebs_encryption_by_default()

rds = client("rds")
rds.create_db_subnet_group(DBSubnetGroupName="private", DBSubnetGroupDescription="private",
                           SubnetIds=[private_a, private_b])
rds.create_db_subnet_group(DBSubnetGroupName="public", DBSubnetGroupDescription="public", SubnetIds=[public])
rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres",
                       MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20,
                       StorageEncrypted=True, PubliclyAccessible=False, MultiAZ=True,
                       BackupRetentionPeriod=14, DBSubnetGroupName="private", VpcSecurityGroupIds=[db_sg])
rds.create_db_instance(DBInstanceIdentifier="legacy", DBInstanceClass="db.t3.micro", Engine="mysql",
                       MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20,
                       StorageEncrypted=False, PubliclyAccessible=True, MultiAZ=False,
                       BackupRetentionPeriod=1, DBSubnetGroupName="public", VpcSecurityGroupIds=[ssh])
rds.create_db_snapshot(DBSnapshotIdentifier="orders-manual", DBInstanceIdentifier="orders")
rds.create_db_snapshot(DBSnapshotIdentifier="legacy-manual", DBInstanceIdentifier="legacy")

kms = client("kms")
rotating = kms.create_key(Description="rotating")["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName="alias/app-data", TargetKeyId=rotating)
kms.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
kms.create_key(Description="static")

role = iam.create_role(RoleName="lambda", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
lambda_client = client("lambda")
lambda_client.create_function(FunctionName="processor", Runtime="python3.12", Role=role,
                                 Handler="handler.handler", Code={"ZipFile": code.getvalue()})
rotate_fn = lambda_client.create_function(FunctionName="rotate", Runtime="python3.12", Role=role,
                                         Handler="handler.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]

secrets = client("secretsmanager")
secrets.create_secret(Name="prod/static", SecretString="not-read-by-attestor")
rotated = secrets.create_secret(Name="prod/rotated", SecretString="not-read-by-attestor")["ARN"]
secrets.rotate_secret(SecretId=rotated, RotationLambdaARN=rotate_fn,
                      RotationRules={"AutomaticallyAfterDays": 30})

logs = client("logs")
logs.create_log_group(logGroupName="/app/api")
logs.put_retention_policy(logGroupName="/app/api", retentionInDays=90)
logs.create_log_group(logGroupName="/app/forever")

# Flow logs: the seeded VPC delivers to an existing log group (passes vpc-flow-logs-enabled); moto's
# default VPC delivers to a log group that does not exist, so its delivery status is FAILED (fails).
default_vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault"))
for vpc_id, group in ((vpc, "/app/api"), (default_vpc, "/missing/flow-logs")):
    ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc_id], TrafficType="ALL",
                         LogDestinationType="cloud-watch-logs", LogGroupName=group,
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs")

s3 = client("s3")
for name in ("customer-files", "scratch", "audit-logs"):
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
for name, state in (("customer-files", "Enabled"), ("scratch", "Suspended"), ("audit-logs", "Suspended")):
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": state})
s3.put_bucket_encryption(Bucket="customer-files", ServerSideEncryptionConfiguration={
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
s3.put_bucket_tagging(Bucket="customer-files", Tagging={"TagSet": [{"Key": "DataRetention", "Value": "365d"}]})
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
s3.put_public_access_block(Bucket="customer-files", PublicAccessBlockConfiguration=BLOCK_ALL)
# One setting off: fails s3-bucket-public-access-block (the other buckets have no configuration: fail too).
s3.put_public_access_block(Bucket="scratch", PublicAccessBlockConfiguration=dict(BLOCK_ALL, RestrictPublicBuckets=False))

# The account-level setting (S3 Control PutPublicAccessBlock). boto3 would put the account ID in
# front of the endpoint's host (123456789012.127.0.0.1), a name that sends a DNS query off the
# machine; send the request to the loopback endpoint directly instead. moto routes it by path and
# reads the account from x-amz-account-id; it does not check signatures.
urllib.request.urlopen(urllib.request.Request(
    f"{ENDPOINT}/v20180820/configuration/publicAccessBlock", method="PUT",
    headers={"x-amz-account-id": "123456789012", "Content-Type": "application/xml",
             "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/s3/aws4_request, "
                              "SignedHeaders=host, Signature=0"},
    data=(b'<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">'
          b"<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
          b"<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
          b"</PublicAccessBlockConfiguration>"))).read()
s3.put_bucket_lifecycle_configuration(Bucket="customer-files", LifecycleConfiguration={"Rules": [
    {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]})
# Buckets with data to delete whose expiring rules cover only part of the bucket fail
# s3-lifecycle-expiration; an empty filter covers every object and passes. (moto drops
# ObjectSize* filters, so size-limited rules are not seeded.)
partial_rules = {
    "purge-tagged": [
        {"ID": "purge", "Status": "Enabled", "Filter": {"Tag": {"Key": "ACTION", "Value": "PURGE"}},
         "Expiration": {"Days": 1}}],
    "docs-archive": [
        {"ID": "docs", "Status": "Enabled", "Filter": {"Prefix": "docs/"}, "Expiration": {"Days": 30}},
        {"ID": "tagged-logs", "Status": "Enabled",
         "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "ACTION", "Value": "PURGE"}]}},
         "Expiration": {"Days": 30}},
        # Whole-bucket, but expires nothing.
        {"ID": "archive", "Status": "Enabled", "Filter": {},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}],
    # The deprecated top-level Prefix instead of a Filter.
    "legacy-prefixed": [
        {"ID": "old", "Status": "Enabled", "Prefix": "old/", "Expiration": {"Days": 30}}],
    "all-objects": [
        {"ID": "all", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30}}],
}
for name, rules in partial_rules.items():
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "DataRetention", "Value": "30d"}]})
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})

trail = client("cloudtrail")
trail.create_trail(Name="org-trail", S3BucketName="audit-logs", IsMultiRegionTrail=True,
                   EnableLogFileValidation=True)
trail.start_logging(Name="org-trail")

ddb = client("dynamodb")
for name in ("registry", "sessions"):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     **({"SSESpecification": {"Enabled": True, "SSEType": "KMS"}} if name == "registry" else {}))
ddb.update_continuous_backups(TableName="registry",
                              PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

cert = client("acm").request_certificate(DomainName="app.example.com")["CertificateArn"]
elb = client("elbv2")
lb = elb.create_load_balancer(Name="web", Subnets=[public, private_a], SecurityGroups=[web])["LoadBalancers"][0]["LoadBalancerArn"]
tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
elb.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                    Certificates=[{"CertificateArn": cert}],
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
    {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
old = elb.create_load_balancer(Name="legacy", Subnets=[public, private_a], SecurityGroups=[web])["LoadBalancers"][0]["LoadBalancerArn"]
elb.create_listener(LoadBalancerArn=old, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-2016-08",
                    Certificates=[{"CertificateArn": cert}],
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
elb.create_listener(LoadBalancerArn=old, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])

backup = client("backup")
backup.create_backup_vault(BackupVaultName="primary",
                           EncryptionKeyArn=f"arn:aws:kms:{REGION}:123456789012:key/{rotating}")

print("seeded")
