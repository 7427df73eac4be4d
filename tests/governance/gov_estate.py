"""The governance test estate: cloud resources with realistic attributes and a code repository
with a committed key, recorded through the store as a scan would record them."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner, Result

from connectors.base import Coverage, Scope
from detectors.base import Confidence, Finding, Location, Signal
from inventory_db.store import Store
from scanner.cli import app

ACCOUNT = Scope("aws", "123456789012", "acme-prod")
SUBSCRIPTION = Scope("azure", "00000000-0000-0000-0000-000000000001", "acme-sub")
REPO = Scope("code", "github.com/acme/code-assistant", "code-assistant")
ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/screening-v2"
AGENT_ARN = "arn:aws:bedrock:eu-west-1:123456789012:agent/AB12CD34EF"
AOAI_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ai/providers/"
    "Microsoft.CognitiveServices/accounts/acme-aoai"
)


def cloud(
    scope: Scope,
    product: str,
    category: str,
    instance: str,
    name: str,
    attributes: dict[str, str],
    models: tuple[str, ...] = (),
) -> Finding:
    """A managed resource as the cloud detector reports it."""
    return Finding(
        fingerprint_id=product,
        product_id=product,
        product_name=product.replace("-", " ").title(),
        vendor=scope.kind,
        vendor_name=scope.kind.upper(),
        category=category,
        scope=scope,
        location=Location(instance),
        signal=Signal.CLOUD_RESOURCE,
        confidence=Confidence.HIGH,
        attributes={"name": name, **attributes},
        models=models,
        area=f"{product}:eu-west-1",
        instance=instance,
        instance_name=name,
    )


def code(
    product: str,
    category: str,
    path: str,
    attributes: dict[str, str] | None = None,
    signal: Signal = Signal.CODE_IMPORT,
    models: tuple[str, ...] = (),
) -> Finding:
    """Code evidence in the code-assistant repository."""
    return Finding(
        fingerprint_id=product,
        product_id=product,
        product_name=product.title(),
        vendor="openai",
        vendor_name="OpenAI",
        category=category,
        scope=REPO,
        location=Location(path, 3),
        signal=signal,
        confidence=Confidence.HIGH,
        attributes=attributes or {"matched": product},
        models=models,
    )


def endpoint(
    tags: dict[str, str] | None = None,
    models: tuple[str, ...] = ("meta-llama/Llama-3.1-8B-Instruct",),
) -> Finding:
    """The recruiting team's SageMaker endpoint."""
    tag_attrs = {f"tag:{k}": v for k, v in (tags or {"team": "recruiting"}).items()}
    return cloud(
        ACCOUNT,
        "aws-sagemaker",
        "ml-platform",
        ENDPOINT_ARN,
        "screening-v2",
        {"resource_type": "AWS::SageMaker::Endpoint", "region": "eu-west-1", **tag_attrs},
        models,
    )


def agent(logging: str = "off") -> Finding:
    """A Bedrock agent answering customers, in a region whose invocation logging is off."""
    return cloud(
        ACCOUNT,
        "aws-bedrock",
        "cloud-ai-service",
        AGENT_ARN,
        "support-bot",
        {
            "resource_type": "AWS::Bedrock::Agent",
            "region": "eu-west-1",
            "invocation_logging": logging,
            "tag:audience": "customers",
        },
        ("anthropic.claude-3-5-sonnet-20240620-v1:0",),
    )


def azure_openai() -> Finding:
    """An Azure OpenAI account with a content filter policy and diagnostic logging."""
    return cloud(
        SUBSCRIPTION,
        "azure-openai",
        "llm-api",
        AOAI_ID,
        "acme-aoai",
        {
            "resource_type": "Microsoft.CognitiveServices/accounts",
            "kind": "OpenAI",
            "raiPolicies": "strict-filter (Blocking)",
            "logging": "on",
            "tag:team": "platform",
        },
        ("gpt-4o:2024-08-06",),
    )


SEED = [
    endpoint(),
    agent(),
    azure_openai(),
    code("openai", "llm-api", "assistant/complete.py", models=("gpt-4o-mini",)),
    code(
        "openai-api-key",
        "api-key",
        "deploy/.env",
        {"key": "sk-p...Xw6", "key_sha256": "ab" * 32, "key_rule": "openai-project-key"},
        Signal.KEY,
    ),
]


def record(store: Store, findings: list[Finding]) -> int:
    """Record one scan of these findings, as ``run_scan`` does."""
    scan_id = store.begin_scan(["seed"], "test")
    store.complete_scan(scan_id, findings, Coverage(), files_scanned=len(findings))
    return scan_id


@dataclass
class Seeded:
    """The seeded inventory: its URL, the store, and system ids by short name."""

    url: str
    store: Store
    ids: dict[str, int]


runner = CliRunner()


def cli(*args: str, input: str | None = None) -> Result:
    """Run the aicensus CLI."""
    return runner.invoke(app, list(args), input=input)


def ok(*args: str, input: str | None = None) -> Result:
    """Run the CLI and require exit 0."""
    result = cli(*args, input=input)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result
