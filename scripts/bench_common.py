"""What the live benchmarks share (scripts/bench-live, bench-org, bench-prowler): a moto server on a
free loopback port, the seeded account, the environment that points a tool at the server, and a
loopback proxy that delays every call and counts them. Benchmarks, not tests: nothing here asserts."""
import contextlib
import http.client
import http.server
import io
import os
import socket
import subprocess
import threading
import time
import urllib.request
import zipfile

import boto3

REGION = "eu-west-1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server():
    """A fresh moto server on 127.0.0.1 (stopped by its pid on exit); yields its URL."""
    port = free_port()
    server = subprocess.Popen([os.path.join(ROOT, ".venv-moto/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait()


def tool_env(url):
    """Environment for a tool under test: the emulator's endpoint and dummy credentials, nothing from
    the machine's AWS configuration."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true"}


def seed(url, n):
    """N resources of every type attestor collects, half of them non-compliant where a flag allows."""
    c = lambda name: boto3.client(name, region_name=REGION, endpoint_url=url,
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
    iam, ec2, rds, kms, sm, logs, s3, ct, ddb, elb, backup, lam = (c(x) for x in (
        "iam", "ec2", "rds", "kms", "secretsmanager", "logs", "s3", "cloudtrail", "dynamodb", "elbv2", "backup", "lambda"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
               for i in range(max(n, 2))]
    rds.create_db_subnet_group(DBSubnetGroupName="g", DBSubnetGroupDescription="g", SubnetIds=subnets[:2])
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("h.py", "def h(e, c):\n    return 1\n")
    s3.create_bucket(Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    for i in range(n):
        iam.create_user(UserName=f"user{i}")
        iam.create_login_profile(UserName=f"user{i}", Password="Correct-Horse-9!")
        ec2.create_security_group(GroupName=f"sg{i}", Description="b", VpcId=vpc)
        ec2.create_volume(AvailabilityZone="eu-west-1a", Size=1, Encrypted=bool(i % 2))
        rds.create_db_instance(DBInstanceIdentifier=f"db{i}", DBInstanceClass="db.t3.micro", Engine="postgres",
                               MasterUsername="u", MasterUserPassword="password123", AllocatedStorage=5,
                               DBSubnetGroupName="g")
        kms.create_key(Description=f"k{i}")
        sm.create_secret(Name=f"s{i}", SecretString="x")
        logs.create_log_group(logGroupName=f"/bench/{i}")
        s3.create_bucket(Bucket=f"bench-{i}", CreateBucketConfiguration={"LocationConstraint": REGION})
        ddb.create_table(TableName=f"t{i}", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        lb = elb.create_load_balancer(Name=f"lb{i}", Subnets=subnets[:2])["LoadBalancers"][0]["LoadBalancerArn"]
        elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
        backup.create_backup_vault(BackupVaultName=f"v{i}")
        lam.create_function(FunctionName=f"f{i}", Runtime="python3.12", Role=role, Handler="h.h",
                            Code={"ZipFile": code.getvalue()})
        if i < 5:
            ct.create_trail(Name=f"trail{i}", S3BucketName="trail-logs")


# Headers that describe one hop, not the message: the proxy sets its own.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class LatencyProxy:
    """A loopback HTTP proxy in front of the emulator that holds every call for `latency` seconds
    before forwarding it (the round trip to a real AWS endpoint, which moto on loopback does not
    have) and counts the calls. Threaded, so concurrent calls wait concurrently, as they would on
    the network; the emulator behind it still answers one at a time."""

    def __init__(self, upstream, latency):
        self.upstream = upstream.removeprefix("http://")
        self.latency = latency
        self.calls = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Small responses must not wait for the client's delayed ACK (Nagle).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def forward(self):
                proxy._count()
                body = self._body()
                time.sleep(proxy.latency)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                status, reason, response_headers, data = proxy._upstream(self.command, self.path, body, headers)
                self.send_response_only(status, reason)
                for k, v in response_headers:
                    if k.lower() not in HOP_BY_HOP and (k.lower() != "content-length" or self.command == "HEAD"):
                        self.send_header(k, v)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                    # Headers and body in one write, as a server on the network sends them.
                    self._headers_buffer.append(b"\r\n" + data)
                    self.flush_headers()
                else:
                    self.end_headers()

            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else None

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward

        class Server(http.server.ThreadingHTTPServer):
            # The default backlog (5) drops connections a concurrent client opens at once, and
            # each dropped SYN costs a second: AWS's endpoints accept them all.
            request_queue_size = 256
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _count(self):
        with self._lock:
            self.calls += 1

    def _upstream(self, method, path, body, headers):
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(self.upstream, timeout=300)
                conn.connect()
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                return response.status, response.reason, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise

    def take_calls(self):
        """The calls counted since the last take."""
        with self._lock:
            calls, self.calls = self.calls, 0
        return calls

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
