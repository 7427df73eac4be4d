"""The AWS scan is read-only, provably: every API call a full organisation scan makes is a
List/Describe/Get/Lookup/Search/BatchGet operation, and each is granted by the shipped policy
(docs/aws-iam-policy.json) — which grants nothing the scan does not call.

The hook is botocore's own ``before-call`` event, registered on every session the scan builds.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
from estate import REGIONS, seed

from connectors.aws import AwsConnector, AwsOptions
from examples.standins.aws_moto import MotoStack
from inventory_db.store import Store
from scanner.run import ScanRequest, run_scan

POLICY = Path(__file__).resolve().parents[3] / "docs" / "aws-iam-policy.json"
READ_VERBS = ("List", "Describe", "Get", "Lookup", "Search", "BatchGet")
CREDENTIALS = {"sts:AssumeRole"}
"""Not a read of anything: how the scan reaches the other accounts."""
CONDITIONAL = {
    "iam:ListAccountAliases",  # an account's display name outside --org (Organizations names it)
    "lambda:GetFunction",  # only for container-image functions (their image)
    "ecs:DescribeTaskDefinition",  # one per task definition family
    "sagemaker:ListUserProfiles",  # only where a Studio domain exists
}
"""Granted calls this estate gives no occasion for."""
IAM_PREFIX = {"tagging": "tag"}
"""Where the IAM action prefix differs from botocore's signing name."""


def policy_actions() -> set[str]:
    doc = json.loads(POLICY.read_text())
    return {a for st in doc["Statement"] if st["Effect"] == "Allow" for a in st["Action"]}


def test_a_full_scan_calls_only_reads_and_exactly_the_shipped_policy(
    aws: MotoStack, tmp_path: Path
) -> None:
    # Arrange: every session the scan builds reports each call it is about to make
    seed(aws)
    calls: Counter[str] = Counter()

    def hook(model: Any, **_: Any) -> None:
        signing = model.service_model.signing_name
        prefix = IAM_PREFIX.get(signing, signing)
        calls[f"{prefix}:{model.name}"] += 1

    def sessions(**kwargs: Any) -> Any:
        session = boto3.Session(**kwargs)
        session.events.register("before-call", hook)
        return session

    connector = AwsConnector(
        AwsOptions(org=True, regions=REGIONS, retry_mode="standard", max_attempts=2),
        session_factory=sessions,
    )

    # Act
    result = run_scan(
        Store(f"sqlite:///{tmp_path / 'inv.db'}"), ScanRequest((), clouds=(connector,))
    )

    # Assert
    assert result.scan.status == "partial"  # the sandbox role is refused, nothing else fails
    made = set(calls)
    not_reads = sorted(a for a in made - CREDENTIALS if not a.split(":")[1].startswith(READ_VERBS))
    assert not_reads == []
    assert sorted(made - policy_actions()) == []
    assert sorted(policy_actions() - made) == sorted(CONDITIONAL)
    assert calls["sts:AssumeRole"] == 2  # workloads and the refused sandbox; never the caller's own
