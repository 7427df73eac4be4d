"""AWS connector benchmark: 2,000 resources over 3 accounts x 4 regions on moto.

Runs moto (behind the test suite's gap-filling layer) in a subprocess, seeds an organisation
with boto3, then scans it with the real connector twice: concurrently (``--workers``) and
sequentially (one worker). Reports wall time, API calls (botocore ``before-call``), calls per
resource and the concurrency ratio. Run on demand: ``.venv/bin/python bench/aws_scan.py``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
PER_CELL = {"endpoints": 50, "agents": 50, "lambdas": 35, "secrets": 32}
"""Resources per (account, region): 167 x 12 cells = 2,004."""


def start_moto(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    code = (
        "import sys, time; sys.path.insert(0, '.');"
        "import logging; logging.disable(logging.CRITICAL);"
        "from examples.standins.aws_moto import MotoStack;"
        "s = MotoStack().start(); print(s.url, flush=True);"
        "sys.stdin.readline(); s.state.latency = float(sys.argv[1]) / 1000;"
        "time.sleep(10**6)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(latency_ms)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def seed_cell(session: Any, region: str, cell: int) -> int:
    from botocore.config import Config

    cfg = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=20)
    sm = session.client("sagemaker", region_name=region, config=cfg)
    sm.create_model(
        ModelName="tgi",
        PrimaryContainer={
            "Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
            "huggingface-pytorch-tgi-inference:2.4.0"
        },
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
    )
    sm.create_endpoint_config(
        EndpointConfigName="tgi",
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "tgi", "InstanceType": "ml.g4dn.xlarge"}
        ],
    )
    for i in range(PER_CELL["endpoints"]):
        sm.create_endpoint(EndpointName=f"ep-{cell}-{i}", EndpointConfigName="tgi")
    agents = session.client("bedrock-agent", region_name=region, config=cfg)
    for i in range(PER_CELL["agents"]):
        agents.create_agent(
            agentName=f"agent-{cell}-{i}",
            foundationModel="anthropic.claude-3-5-sonnet-20241022-v2:0",
            agentResourceRoleArn="arn:aws:iam::123456789012:role/agent",
        )
    iam = session.client("iam", config=cfg)
    role = f"fn-{cell}"
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    lam = session.client("lambda", region_name=region, config=cfg)
    for i in range(PER_CELL["lambdas"]):
        lam.create_function(
            FunctionName=f"fn-{cell}-{i}",
            Runtime="python3.12",
            Role=arn,
            Handler="app.handler",
            Code={"ZipFile": archive.getvalue()},
            Environment={"Variables": {"OPENAI_API_KEY": "x", "STAGE": "prod"}},
        )
    secrets = session.client("secretsmanager", region_name=region, config=cfg)
    for i in range(PER_CELL["secrets"]):
        secrets.create_secret(Name=f"app-{cell}/anthropic-api-key-{i}", SecretString="x")
    return sum(PER_CELL.values())


def seed() -> int:
    import boto3

    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [
        org.create_account(Email=f"a{i}@example.com", AccountName=f"acct-{i}")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(2)
    ]
    sessions = [boto3.Session()]
    for account in ids:
        creds = boto3.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="seed",
        )["Credentials"]
        sessions.append(
            boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        )
    cells = [(s, r) for s in sessions for r in REGIONS]
    with ThreadPoolExecutor(6) as pool:
        return sum(pool.map(lambda c: seed_cell(c[1][0], c[1][1], c[0]), enumerate(cells)))


def scan(workers: int) -> tuple[float, int, Counter[str], int]:
    import boto3

    from connectors.aws import AwsConnector, AwsOptions
    from connectors.base import Coverage, NullProgress

    calls: Counter[str] = Counter()

    def sessions(**kwargs: Any) -> Any:
        session = boto3.Session(**kwargs)
        session.events.register(
            "before-call",
            lambda model, **_: calls.update([f"{model.service_model.signing_name}:{model.name}"]),
        )
        return session

    options = AwsOptions(
        org=True, regions=REGIONS, max_workers=workers, retry_mode="standard", max_attempts=3
    )
    coverage = Coverage()
    start = time.perf_counter()
    observed = sum(1 for _ in AwsConnector(options, sessions).observe(coverage, NullProgress()))
    wall = time.perf_counter() - start
    failed = len(coverage.failed)
    return wall, observed, calls, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=40.0,
        help="added to every API answer once seeding is done (AWS answers in tens of ms)",
    )
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
    )
    os.environ.pop("AWS_PROFILE", None)
    proc, url = start_moto(args.latency_ms)
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        t = time.perf_counter()
        seeded = seed()
        print(f"seeded {seeded} resources in {time.perf_counter() - t:.1f} s", flush=True)
        assert proc.stdin is not None
        proc.stdin.write("go\n")  # seeding done: from now on every answer takes --latency-ms
        proc.stdin.flush()
        time.sleep(0.5)
        results = {}
        for label, workers in (("concurrent", args.workers), ("sequential", 1)):
            wall, observed, calls, failed = scan(workers)
            total = sum(calls.values())
            results[label] = wall
            print(
                json.dumps(
                    {
                        "run": label,
                        "workers": workers,
                        "wall_s": round(wall, 2),
                        "observations": observed,
                        "api_calls": total,
                        "calls_per_resource": round(total / max(observed, 1), 2),
                        "failed_areas": failed,
                        "top_calls": calls.most_common(6),
                    }
                ),
                flush=True,
            )
        ratio = results["sequential"] / results["concurrent"]
        print(f"concurrency ratio (sequential / concurrent): {ratio:.2f}x")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
