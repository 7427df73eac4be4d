"""The seeded estate: an organisation of three accounts over three regions, built with boto3.

- management account (``123456789012``, "master"), us-east-1: a Lambda whose environment holds
  ``OPENAI_API_KEY`` (value a fake key), an IAM role allowed ``bedrock:InvokeModel`` on Claude,
  CloudTrail ``InvokeModel`` events by that role (Bedrock used on demand: no Bedrock resource),
  Cost Explorer spend on Bedrock; eu-west-1: a SageMaker endpoint serving a TGI container and
  one serving a scikit-learn model.
- "workloads" member, reached by ``sts.assume_role``: us-east-1 a Bedrock agent on Claude with an
  action group, a knowledge base on Pinecone, a guardrail, a secret named like an Anthropic key;
  eu-west-1 a Lex bot, a Kendra index; ap-southeast-2 a p4d (GPU) instance.
- "sandbox" member whose role cannot be assumed.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from botocore.config import Config

from examples.standins.aws_moto import MotoStack

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
MGMT = "123456789012"
OPENAI_VALUE = "sk-proj-" + "Zq7" * 16
HF_TOKEN_VALUE = "hf_" + "Xy9" * 12
CLAUDE = "anthropic.claude-3-5-sonnet-20241022-v2:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
TITAN_EMBED = "amazon.titan-embed-text-v2:0"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
TGI_IMAGE = (
    "763104351884.dkr.ecr.eu-west-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
SKLEARN_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CFG = Config(retries={"mode": "standard", "max_attempts": 2})


@dataclass(frozen=True)
class Estate:
    """Ids the assertions need."""

    workloads: str
    sandbox: str
    agent_arn: str
    kb_arn: str
    endpoint_tgi: str
    endpoint_sklearn: str
    lambda_arn: str
    app_role: str


def member_session(account: str, region: str = "us-east-1") -> Any:
    creds = boto3.client("sts", config=CFG).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="seed",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def sagemaker_endpoint(
    sm: Any, name: str, image: str, env: dict[str, str], tags: dict[str, str]
) -> str:
    sm.create_model(
        ModelName=f"{name}-model",
        PrimaryContainer={"Image": image, "Environment": env},
        ExecutionRoleArn=f"arn:aws:iam::{MGMT}:role/sagemaker",
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
    return str(
        sm.create_endpoint(
            EndpointName=name,
            EndpointConfigName=f"{name}-config",
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["EndpointArn"]
    )


def seed(stack: MotoStack) -> Estate:
    """Build the estate; returns the generated ids."""
    org = boto3.client("organizations", config=CFG)
    org.create_organization(FeatureSet="ALL")
    workloads = org.create_account(Email="w@example.com", AccountName="workloads")
    sandbox = org.create_account(Email="s@example.com", AccountName="sandbox")
    wl = str(workloads["CreateAccountStatus"]["AccountId"])
    sb = str(sandbox["CreateAccountStatus"]["AccountId"])
    stack.state.denied_roles.add(f"arn:aws:iam::{sb}:role/OrganizationAccountAccessRole")

    # management account: on-demand Bedrock (CloudTrail + IAM), OpenAI key name in a Lambda
    iam = boto3.client("iam", config=CFG)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    app_role = iam.create_role(RoleName="app-backend", AssumeRolePolicyDocument=trust)["Role"][
        "Arn"
    ]
    iam.put_role_policy(
        RoleName="app-backend",
        PolicyName="invoke-claude",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                        "Resource": f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}",
                    }
                ],
            }
        ),
    )
    iam.create_role(RoleName="s3-reader", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="s3-reader",
        PolicyName="s3",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    fn = boto3.client("lambda", config=CFG).create_function(
        FunctionName="ticket-triage",
        Runtime="python3.12",
        Role=app_role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"OPENAI_API_KEY": OPENAI_VALUE, "LOG_LEVEL": "info"}},
    )
    now = time.time()
    events = [
        {
            "EventId": f"ev-{i}",
            "EventName": name,
            "EventTime": now - 3600 * (i + 1),
            "EventSource": "bedrock.amazonaws.com",
            "Username": "app-backend",
            "CloudTrailEvent": json.dumps(
                {
                    "eventName": name,
                    "userIdentity": {
                        "type": "AssumedRole",
                        "arn": f"arn:aws:sts::{MGMT}:assumed-role/app-backend/i-1",
                    },
                    "requestParameters": {"modelId": model} if model else None,
                }
            ),
        }
        for i, (name, model) in enumerate(
            [
                ("InvokeModel", HAIKU),
                ("InvokeModel", HAIKU),
                ("Converse", HAIKU),
                ("ListCustomModels", None),
            ]
        )
    ]
    stack.state.add(MGMT, "us-east-1", "cloudtrail", "LookupEvents", *events)
    requests.post(
        f"{stack.url}/moto-api/static/ce/cost-and-usage-results",
        json={
            "results": [
                {
                    "ResultsByTime": [
                        {
                            "TimePeriod": {"Start": "2026-10-28", "End": "2026-11-27"},
                            "Groups": [
                                {
                                    "Keys": ["Amazon Bedrock"],
                                    "Metrics": {
                                        "UnblendedCost": {"Amount": "12.34", "Unit": "USD"}
                                    },
                                },
                                {
                                    "Keys": ["Amazon Simple Storage Service"],
                                    "Metrics": {"UnblendedCost": {"Amount": "3.10", "Unit": "USD"}},
                                },
                            ],
                        }
                    ]
                }
            ]
        },
        timeout=10,
    ).raise_for_status()
    sm = boto3.client("sagemaker", region_name="eu-west-1", config=CFG)
    tgi = sagemaker_endpoint(
        sm,
        "chat-llm",
        TGI_IMAGE,
        {"HF_MODEL_ID": LLAMA, "HF_TOKEN": HF_TOKEN_VALUE, "SM_NUM_GPUS": "1"},
        {"owner": "ml-platform@example.com"},
    )
    sklearn = sagemaker_endpoint(
        sm, "churn", SKLEARN_IMAGE, {"SAGEMAKER_PROGRAM": "serve.py"}, {"team": "growth"}
    )

    # workloads member account
    member = member_session(wl)
    agent_client = member.client("bedrock-agent", config=CFG)
    agent = agent_client.create_agent(
        agentName="support-agent",
        foundationModel=CLAUDE,
        agentResourceRoleArn=f"arn:aws:iam::{wl}:role/agent",
        tags={"owner": "support-team@example.com"},
    )["agent"]
    stack.state.add(
        wl,
        "us-east-1",
        "bedrock-agent",
        "ListAgentActionGroups",
        {
            "actionGroupId": "AG1",
            "actionGroupName": "lookup-order",
            "actionGroupState": "ENABLED",
            "updatedAt": now,
        },
    )
    kb = agent_client.create_knowledge_base(
        name="product-docs",
        roleArn=f"arn:aws:iam::{wl}:role/kb",
        knowledgeBaseConfiguration={
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {
                "embeddingModelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{TITAN_EMBED}"
            },
        },
        storageConfiguration={
            "type": "PINECONE",
            "pineconeConfiguration": {
                "connectionString": "https://product-docs-abc123.svc.aped-4627-b74a.pinecone.io",
                "credentialsSecretArn": f"arn:aws:secretsmanager:us-east-1:{wl}:secret:pinecone",
                "fieldMapping": {"textField": "text", "metadataField": "meta"},
            },
        },
    )["knowledgeBase"]
    stack.state.add(
        wl,
        "us-east-1",
        "bedrock",
        "ListGuardrails",
        {
            "id": "gr1",
            "arn": f"arn:aws:bedrock:us-east-1:{wl}:guardrail/gr1",
            "status": "READY",
            "name": "pii-filter",
            "version": "DRAFT",
            "createdAt": now,
            "updatedAt": now,
        },
    )
    member.client("secretsmanager", config=CFG).create_secret(
        Name="prod/anthropic-api-key", SecretString="sk-ant-api03-" + "Q" * 40
    )
    member.client("secretsmanager", config=CFG).create_secret(
        Name="prod/db-password", SecretString="x" * 12
    )
    lex = member.client("lexv2-models", region_name="eu-west-1", config=CFG)
    lex.create_bot(
        botName="booking-bot",
        roleArn=f"arn:aws:iam::{wl}:role/lex",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
    stack.state.add(
        wl,
        "eu-west-1",
        "kendra",
        "ListIndices",
        {
            "Name": "policies",
            "Id": "0a1b2c3d-kendra",
            "Edition": "DEVELOPER_EDITION",
            "CreatedAt": now,
            "UpdatedAt": now,
            "Status": "ACTIVE",
        },
    )
    ec2 = member.client("ec2", region_name="ap-southeast-2", config=CFG)
    ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        InstanceType="p4d.24xlarge",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "trainer"}]}
        ],
    )
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    return Estate(
        workloads=wl,
        sandbox=sb,
        agent_arn=str(agent["agentArn"]),
        kb_arn=str(kb["knowledgeBaseArn"]),
        endpoint_tgi=tgi,
        endpoint_sklearn=sklearn,
        lambda_arn=str(fn["FunctionArn"]),
        app_role=str(app_role),
    )
