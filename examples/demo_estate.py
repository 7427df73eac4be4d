"""What the demo's stand-ins hold, and the change made between the demo's two scans.

A small fictional company, Acme: one AWS account, one Azure subscription, one Google Cloud
project, a Microsoft 365 tenant, a GitHub organisation, Okta and Slack. Each part is small on
purpose (the demo must finish in well under two minutes on a laptop), yet it shows every kind of
finding: managed AI resources (a SageMaker endpoint, a Bedrock agent, an Azure OpenAI account,
a Vertex AI endpoint), traces of use (a Lambda and a function app whose settings *name* an
OpenAI key, an enabled Gemini API) and SaaS grants (ChatGPT, Otter.ai, Copilot, Claude).

The change between the scans is what a week in a real estate brings: a developer adds an
Anthropic client to a repository that had no AI, a team deploys a new Bedrock agent and
retires a SageMaker endpoint, and an Azure OpenAI account gets a second model deployment.
The functions that seed or change AWS and Azure import their stand-in's packages, so this
module imports nothing beyond aicensus's own dependencies at load time.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from examples.standins.azure_arm import ArmState
    from examples.standins.gcp_assets import FakeGcp

AWS_ACCOUNT = "123456789012"
"""moto's default account: what the dummy access key ``testing`` maps to."""
AWS_REGIONS = ("us-east-1", "eu-west-1")
CLAUDE = "anthropic.claude-3-5-sonnet-20241022-v2:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
TGI_IMAGE = (
    "763104351884.dkr.ecr.eu-west-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
SKLEARN_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
LAMBDA_KEY_VALUE = "demo-value-that-must-never-be-stored"
"""The Lambda's ``OPENAI_API_KEY`` value: the scan keeps the name and drops this."""
RETIRED_ENDPOINT = "churn-scorer"
NEW_AGENT = "invoice-helper"

AZURE_TENANT = "72f988bf-0000-0000-0000-00000000acme"
AZURE_CLIENT_ID = "0d3c7a55-aaaa-bbbb-cccc-00000000acme"
AZURE_SUBSCRIPTION = "11111111-1111-1111-1111-11111111acme"
AZURE_OPENAI = "acme-aoai"

GCP_ORGANIZATION = "4242"
GCP_PROJECT = ("1001", "acme-ml", "Acme ML")
"""Project number, id and display name."""

GITHUB_ORG = "acme"

NEW_FILE = "billing-service/billing/assistant.py"
"""The file the change adds to the code estate (relative to the estate root)."""
NEW_FILE_SOURCE = '''"""Explain an invoice line in plain words for the support team."""

import anthropic

client = anthropic.Anthropic()


def explain(line: str) -> str:
    reply = client.messages.create(
        model="claude-3-5-haiku-20241022",
        max_tokens=300,
        messages=[{"role": "user", "content": f"Explain this invoice line: {line}"}],
    )
    return reply.content[0].text
'''


# --- AWS (moto) -------------------------------------------------------------------------------


def _aws(url: str, service: str, region: str = "us-east-1") -> Any:
    """A boto3 client for the stand-in: explicit dummy credentials, so no profile leaks in."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "max_attempts": 2}),
    )


def _sagemaker_endpoint(url: str, name: str, image: str, env: dict[str, str], team: str) -> None:
    sm = _aws(url, "sagemaker", "eu-west-1")
    sm.create_model(
        ModelName=f"{name}-model",
        PrimaryContainer={"Image": image, "Environment": env},
        ExecutionRoleArn=f"arn:aws:iam::{AWS_ACCOUNT}:role/sagemaker",
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.g4dn.2xlarge",
            }
        ],
    )
    sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=f"{name}-config",
        Tags=[{"Key": "team", "Value": team}],
    )


def _bedrock_agent(url: str, name: str, model: str, owner: str) -> None:
    _aws(url, "bedrock-agent").create_agent(
        agentName=name,
        foundationModel=model,
        agentResourceRoleArn=f"arn:aws:iam::{AWS_ACCOUNT}:role/bedrock-agent",
        tags={"owner": owner},
    )


def seed_aws(url: str) -> None:
    """Acme's account: a Llama endpoint (TGI) the recruiting team uses to screen applications
    and a churn model on SageMaker in eu-west-1; a Bedrock support agent and a Lambda whose
    environment names ``OPENAI_API_KEY`` in us-east-1. The recruiting tag is what makes
    governance suggest the endpoint is high-risk (EU AI Act Annex III, employment).

    The connector drops the Lambda's environment values on arrival: only the variable's *name*
    reaches the inventory (the demo's test checks that ``LAMBDA_KEY_VALUE`` is stored nowhere).
    """
    _sagemaker_endpoint(
        url, "chat-llm", TGI_IMAGE, {"HF_MODEL_ID": LLAMA, "SM_NUM_GPUS": "1"}, "recruiting"
    )
    _sagemaker_endpoint(url, RETIRED_ENDPOINT, SKLEARN_IMAGE, {}, "growth")
    _bedrock_agent(url, "support-agent", CLAUDE, "support-team@acme.example")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = _aws(url, "iam").create_role(RoleName="ticket-triage", AssumeRolePolicyDocument=trust)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    _aws(url, "lambda").create_function(
        FunctionName="ticket-triage",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"OPENAI_API_KEY": LAMBDA_KEY_VALUE, "LOG_LEVEL": "info"}},
    )


def change_aws(url: str) -> list[str]:
    """Deploy a new Bedrock agent and retire the churn endpoint; returns what changed."""
    _bedrock_agent(url, NEW_AGENT, HAIKU, "finance@acme.example")
    _aws(url, "sagemaker", "eu-west-1").delete_endpoint(EndpointName=RETIRED_ENDPOINT)
    return [
        f"AWS: Bedrock agent {NEW_AGENT} ({HAIKU}) created in us-east-1",
        f"AWS: SageMaker endpoint {RETIRED_ENDPOINT} deleted in eu-west-1",
    ]


# --- Azure (HTTPS ARM stand-in) ---------------------------------------------------------------


def azure_state(client_secret: str) -> ArmState:
    """One subscription: an Azure OpenAI account with a gpt-4o deployment and logging on, and a
    function app whose slot-sticky settings name ``OPENAI_API_KEY`` (direct OpenAI use)."""
    from examples.standins.azure_arm import ArmState, account, deployment, diagnostic, tracked

    aoai = account(
        AZURE_SUBSCRIPTION, "rg-ai", AZURE_OPENAI, "OpenAI", tags={"owner": "ai-team@acme.example"}
    )
    app = tracked(
        AZURE_SUBSCRIPTION,
        "rg-apps",
        "Microsoft.Web/sites",
        ("invoice-mailer",),
        kind="functionapp,linux",
        properties={"siteConfig": {"appSettings": None}, "state": "Running"},
    )
    return ArmState(
        tenant=AZURE_TENANT,
        client_id=AZURE_CLIENT_ID,
        client_secret=client_secret,
        subscriptions={AZURE_SUBSCRIPTION: "Acme Production"},
        resources=[aoai, app],
        children={
            (aoai["id"].lower(), "deployments"): [
                deployment(aoai["id"], "chat", "gpt-4o", "2024-08-06", sku="GlobalStandard"),
            ],
        },
        diagnostics={aoai["id"].lower(): [diagnostic(aoai["id"], "to-central-law", True)]},
        slot_config_names={app["id"].lower(): ["OPENAI_API_KEY", "SMTP_HOST"]},
        page_size=100,
    )


def change_azure(state: ArmState) -> list[str]:
    """Add a gpt-4o-mini deployment to the Azure OpenAI account; returns what changed."""
    from examples.standins.azure_arm import deployment

    (aoai,) = (r for r in state.resources if r["name"] == AZURE_OPENAI)
    state.children[(aoai["id"].lower(), "deployments")].append(
        deployment(aoai["id"], "mini", "gpt-4o-mini", "2024-07-18")
    )
    return [f"Azure: deployment gpt-4o-mini added to {AZURE_OPENAI}"]


# --- Google Cloud (Cloud Asset stand-in) ------------------------------------------------------


def seed_gcp(fake: FakeGcp) -> None:
    """Organisation 4242, project acme-ml: a Vertex AI endpoint serving Llama from Model
    Garden, and the Gemini API enabled with a key restricted to it."""
    from examples.standins.gcp_assets import Project, api_key, vertex_endpoint, vertex_model

    number, project_id, name = GCP_PROJECT
    fake.add_project(
        Project(
            number,
            project_id,
            name,
            f"organizations/{GCP_ORGANIZATION}",
            services=["aiplatform.googleapis.com", "generativelanguage.googleapis.com"],
            resources=[
                vertex_endpoint(
                    number, "europe-west4", "4711", "llama-chat", [("5551", "llama-3-1-8b")]
                ),
                vertex_model(
                    number,
                    "europe-west4",
                    "5551",
                    "llama-3-1-8b",
                    "publishers/meta/models/llama3_1@llama-3.1-8b-instruct",
                ),
                api_key(number, "k1", "gemini-key", ["generativelanguage.googleapis.com"]),
            ],
        )
    )


# --- code ---------------------------------------------------------------------------------------


def change_code(estate: Path) -> list[str]:
    """Add an Anthropic client to billing-service, the repository that had no AI."""
    path = estate / NEW_FILE
    path.write_text(NEW_FILE_SOURCE, encoding="utf-8")
    return [f"code: {NEW_FILE} added (imports anthropic)"]
