"""Infrastructure and deployment files through the real engine: one table per format (exact
product, signal, line and models), the config line pass without duplicates, and bad input."""

from __future__ import annotations

import pytest

from connectors.base import Scope
from detectors.base import Confidence, Finding
from detectors.engine import FileKind, FileResult, ScanOptions, classify, scan_data
from fingerprints.catalog import Catalog

SCOPE = Scope("code", "example", "example")

Row = tuple[str, str, int, tuple[str, ...]]
"""(product, signal, line, models) of one finding."""


def scan(catalog: Catalog, name: str, text: str | bytes, **options: int) -> FileResult:
    data = text.encode() if isinstance(text, str) else text
    return scan_data(catalog, SCOPE, name, data, ScanOptions(**options))  # type: ignore[arg-type]


def rows(findings: tuple[Finding, ...] | list[Finding]) -> set[Row]:
    return {(f.product_id, f.signal.value, f.location.line or 0, f.models) for f in findings}


def one(result: FileResult, product: str, signal: str) -> Finding:
    found = [f for f in result.findings if f.product_id == product and f.signal.value == signal]
    assert len(found) == 1, rows(result.findings)
    return found[0]


# --- Terraform --------------------------------------------------------------------------------

AZURE_TF = """\
resource "azurerm_cognitive_account" "oai" {
  name                = "acme-oai"
  location            = var.location
  resource_group_name = azurerm_resource_group.rg.name
  kind                = "OpenAI"
  sku_name            = "S0"
}

resource "azurerm_cognitive_deployment" "chat" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.oai.id
  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-08-06"
  }
  sku {
    name = "GlobalStandard"
  }
}
"""

TERRAFORM_CASES: list[tuple[str, str, set[Row]]] = [
    (
        "azure openai account and a gpt-4o deployment",
        AZURE_TF,
        {("azure-openai", "iac", 1, ()), ("azure-openai", "iac", 9, ("gpt-4o",))},
    ),
    (
        "bedrock agent with its foundation model, and a data source",
        'resource "aws_bedrockagent_agent" "a" {\n'
        '  agent_name       = "support"\n'
        '  foundation_model = "anthropic.claude-3-5-sonnet-20241022-v2:0"\n'
        "}\n"
        'data "aws_bedrock_foundation_model" "titan" {\n'
        '  model_id = "amazon.titan-embed-text-v2:0"\n'
        "}\n",
        {
            ("aws-bedrock", "iac", 1, ("anthropic.claude-3-5-sonnet-20241022-v2:0",)),
            ("aws-bedrock", "iac", 5, ("amazon.titan-embed-text-v2:0",)),
        },
    ),
    (
        "bare identifiers as labels; sagemaker and vertex vector search",
        "resource aws_sagemaker_endpoint churn {\n  name = var.name\n}\n\n"
        'resource "google_vertex_ai_index_endpoint" "docs" {\n  display_name = "docs"\n}\n',
        {("aws-sagemaker", "iac", 1, ()), ("google-vertex-ai", "iac", 5, ())},
    ),
    (
        "azapi_resource is read as the ARM type it names, kind from its body",
        'resource "azapi_resource" "oai" {\n'
        '  type      = "Microsoft.CognitiveServices/accounts@2023-05-01"\n'
        "  parent_id = azurerm_resource_group.rg.id\n"
        "  body = jsonencode({\n"
        '    kind = "OpenAI"\n'
        '    sku  = { name = "S0" }\n'
        "  })\n"
        "}\n",
        {("azure-openai", "iac", 1, ())},
    ),
    (
        "unknown or other kinds are not azure openai; search and ml workspaces are products",
        'resource "azurerm_cognitive_account" "a" {\n  kind = var.kind\n}\n'
        'resource "azurerm_cognitive_account" "b" {\n  kind = "SpeechServices"\n}\n'
        'resource "azurerm_cognitive_account" "c" {\n  kind = "${var.prefix}OpenAI"\n}\n'
        'resource "azurerm_search_service" "s" {\n  name = "acme-search"\n}\n'
        'resource "azurerm_machine_learning_workspace" "w" {\n  name = "ml"\n}\n',
        {("azure-ai-search", "iac", 10, ()), ("azure-machine-learning", "iac", 13, ())},
    ),
    (
        "comments and other providers' resources are nothing",
        '# resource "aws_bedrockagent_agent" "old" {}\n'
        '/* resource "azurerm_cognitive_deployment" "x" {} */\n'
        'resource "aws_s3_bucket" "aws_bedrock_guardrail" {}\n',
        set(),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in TERRAFORM_CASES], ids=[c[0] for c in TERRAFORM_CASES]
)
def test_terraform(catalog: Catalog, text: str, expected: set[Row]) -> None:
    result = scan(catalog, "infra/main.tf", text)
    assert result.skip_reason is None
    assert rows(result.findings) == expected


def test_terraform_deployment_model_is_not_also_an_openai_finding(catalog: Catalog) -> None:
    result = scan(catalog, "main.tf", AZURE_TF)
    assert {f.product_id for f in result.findings} == {"azure-openai"}
    account = [f for f in result.findings if f.location.line == 1][0]
    assert account.attributes["kind"] == "OpenAI"
    assert account.attributes["matched"] == "azurerm_cognitive_account"
    assert account.confidence is Confidence.HIGH
    assert account.snippet.startswith('resource "azurerm_cognitive_account" "oai"')


def test_terraform_syntax_errors_give_a_partial_parse(catalog: Catalog) -> None:
    text = 'resource "aws_bedrockagent_agent" "a" {\n  agent_name = "x"\n}\nresource {{{ "\n'
    result = scan(catalog, "main.tf", text)
    assert ("aws-bedrock", "iac", 1, ()) in rows(result.findings)
    assert "syntax errors: partial parse used" in result.notes


# --- CloudFormation / SAM ---------------------------------------------------------------------

CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ModelId:
    Type: String
Resources:
  SupportAgent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: !Sub "${AWS::StackName}-support"
      AgentResourceRoleArn: !GetAtt AgentRole.Arn
      FoundationModel: anthropic.claude-3-haiku-20240307-v1:0
  KB:
    Type: "AWS::Bedrock::KnowledgeBase"
    Properties:
      Name: !Ref KbName
      KnowledgeBaseConfiguration:
        VectorKnowledgeBaseConfiguration:
          EmbeddingModelArn: !Sub "arn:aws:bedrock:${AWS::Region}::foundation-model/x"
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Search:
    Type: AWS::Kendra::Index
    Properties:
      Name: docs
      Edition: DEVELOPER_EDITION
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          MODEL_ID: !Ref ModelId
"""

CFN_JSON = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Agent": {
      "Type": "AWS::Bedrock::Agent",
      "Properties": {
        "AgentName": {"Fn::Sub": "${AWS::StackName}-agent"},
        "FoundationModel": "amazon.nova-pro-v1:0"
      }
    },
    "Bucket": {"Type": "AWS::S3::Bucket"}
  }
}
"""


def test_cloudformation_yaml_with_custom_tags(catalog: Catalog) -> None:
    result = scan(catalog, "stack/template.yaml", CFN_YAML)
    assert result.skip_reason is None and result.parsed
    assert rows(result.findings) == {
        ("aws-bedrock", "iac", 8, ("anthropic.claude-3-haiku-20240307-v1:0",)),
        ("aws-bedrock", "iac", 14, ()),
        ("aws-sagemaker", "iac", 21, ()),
        ("aws-kendra", "iac", 25, ()),
    }


def test_cloudformation_json(catalog: Catalog) -> None:
    result = scan(catalog, "template.json", CFN_JSON)
    assert rows(result.findings) == {("aws-bedrock", "iac", 5, ("amazon.nova-pro-v1:0",))}


# --- ARM and Bicep ----------------------------------------------------------------------------

ARM = """\
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"kind": {"type": "string"}},
  "resources": [
    {
      "type": "Microsoft.CognitiveServices/accounts",
      "apiVersion": "2023-05-01",
      "name": "[parameters('name')]",
      "kind": "OpenAI",
      "resources": [
        {
          "type": "deployments",
          "apiVersion": "2023-05-01",
          "name": "chat",
          "properties": {"model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "1"}}
        }
      ]
    },
    {
      "type": "Microsoft.CognitiveServices/accounts",
      "apiVersion": "2023-05-01",
      "name": "other",
      "kind": "[parameters('kind')]"
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "nested",
      "properties": {
        "template": {
          "resources": [
            {"type": "Microsoft.Search/searchServices", "apiVersion": "2023-11-01", "name": "s"}
          ]
        }
      }
    }
  ]
}
"""

ARM_SYMBOLIC = """\
{
  "languageVersion": "2.0",
  "resources": {
    "ws": {"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01"},
    "acct": {"type": "Microsoft.CognitiveServices/accounts", "kind": "AIServices"}
  }
}
"""

BICEP = """\
@description('Where to deploy')
param location string = resourceGroup().location
var note = 'resource fake \\'Microsoft.CognitiveServices/accounts@2023-05-01\\' = {'

// resource old 'Microsoft.CognitiveServices/accounts@2023-05-01' = { kind: 'OpenAI' }
resource openai 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  name: 'acme-${uniqueString(resourceGroup().id)}'
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }

  resource chat 'deployments' = {
    name: 'chat'
    properties: {
      model: {
        format: 'OpenAI'
        name: 'gpt-4o'
        version: '2024-08-06'
      }
    }
  }
}

resource emb 'Microsoft.CognitiveServices/accounts/deployments@2023-05-01' = if (withEmb) {
  parent: openai
  name: 'emb'
  properties: { model: { format: 'OpenAI', name: 'text-embedding-3-small' } }
}

resource search 'Microsoft.Search/searchServices@2023-11-01' = [for i in range(0, 2): {
  name: 'search${i}'
}]

resource speech 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  kind: kindParam
}
"""


def test_arm_template(catalog: Catalog) -> None:
    result = scan(catalog, "infra/azuredeploy.json", ARM)
    assert result.skip_reason is None
    assert rows(result.findings) == {
        ("azure-openai", "iac", 7, ()),
        ("azure-openai", "iac", 13, ("gpt-4o-mini",)),  # child type joined to the parent's
        ("azure-ai-search", "iac", 33, ()),  # inside a nested deployment's template
    }


def test_arm_symbolic_resources(catalog: Catalog) -> None:
    result = scan(catalog, "main.json", ARM_SYMBOLIC)
    assert rows(result.findings) == {
        ("azure-machine-learning", "iac", 4, ()),
        ("azure-openai", "iac", 5, ()),
    }


def test_bicep(catalog: Catalog) -> None:
    result = scan(catalog, "infra/main.bicep", BICEP)
    assert rows(result.findings) == {
        ("azure-openai", "iac", 6, ()),
        ("azure-openai", "iac", 12, ("gpt-4o",)),
        ("azure-openai", "iac", 24, ("text-embedding-3-small",)),
        ("azure-ai-search", "iac", 30, ()),
    }


# --- Kubernetes, Helm values, Compose ---------------------------------------------------------

K8S = """\
apiVersion: v1
kind: Service
metadata:
  name: vllm
spec:
  ports: [{port: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    spec:
      initContainers:
        - name: fetch
          image: busybox:1.36
      containers:
        - name: server
          image: "vllm/vllm-openai:v0.6.3"
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
          resources:
            requests:
              nvidia.com/gpu: 2
            limits:
              nvidia.com/gpu: 2
              memory: 32Gi
        - name: sidecar
          image: ghcr.io/huggingface/text-embeddings-inference:1.5
---
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata:
  name: llama3
spec:
  image:
    repository: nvcr.io/nim/meta/llama3-8b-instruct
    tag: "1.0.3"
"""

HELM_VALUES = """\
replicaCount: 1
image:
  repository: vllm/vllm-openai
  tag: v0.6.3
  pullPolicy: IfNotPresent
resources:
  limits:
    nvidia.com/gpu: 1
ollama:
  image:
    registry: docker.io
    repository: ollama/ollama
    tag: 0.5.7
"""

COMPOSE = """\
services:
  ollama:
    image: ollama/ollama:${OLLAMA_TAG:-latest}
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
  tgi:
    image: ghcr.io/huggingface/text-generation-inference:2.4.0
    gpus: all
  app:
    build: .
    environment:
      OLLAMA_HOST: http://ollama:11434
      OPENAI_API_KEY: ${OPENAI_API_KEY}
"""


def test_kubernetes_manifest(catalog: Catalog) -> None:
    result = scan(catalog, "deploy/vllm.yaml", K8S)
    assert result.skip_reason is None
    assert rows(result.findings) == {
        ("vllm", "image", 20, ()),
        ("huggingface-transformers", "model_id", 21, ("meta-llama/Llama-3.1-8B-Instruct",)),
        ("huggingface-tei", "image", 29, ()),
        # A NIM image's repository path names the model it serves (nvidia-serving.yaml).
        ("nvidia-nim", "iac", 32, ("nvcr.io/nim/meta/llama3-8b-instruct",)),
    }
    vllm = one(result, "vllm", "image")
    assert vllm.attributes["gpu"] == "nvidia.com/gpu=2"
    assert vllm.attributes["matched"] == "vllm/vllm-openai:v0.6.3"
    assert "gpu" not in one(result, "huggingface-tei", "image").attributes


def test_helm_values(catalog: Catalog) -> None:
    result = scan(catalog, "charts/llm/values.yaml", HELM_VALUES)
    assert rows(result.findings) == {("vllm", "image", 3, ()), ("ollama", "image", 12, ())}
    assert one(result, "vllm", "image").attributes["gpu"] == "nvidia.com/gpu=1"
    assert one(result, "ollama", "image").attributes["matched"] == "docker.io/ollama/ollama:0.5.7"


def test_compose_file_with_the_config_pass_kept(catalog: Catalog) -> None:
    result = scan(catalog, "docker-compose.yml", COMPOSE)
    assert rows(result.findings) == {
        ("ollama", "image", 3, ()),
        ("huggingface-tgi", "image", 12, ()),
        ("ollama", "env_var", 17, ()),  # the line pass still runs
        ("openai", "env_var", 18, ()),
    }
    assert one(result, "ollama", "image").attributes["gpu"] == "nvidia=all"
    assert one(result, "huggingface-tgi", "image").attributes["gpu"] == "gpus=all"


def test_any_yaml_with_an_image_key(catalog: Catalog) -> None:
    workflow = (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n"
        "      llm:\n        image: ollama/ollama\n"
    )
    result = scan(catalog, ".github/workflows/ci.yml", workflow)
    assert rows(result.findings) == {("ollama", "image", 7, ())}


def test_yaml_without_an_infrastructure_shape_stays_configuration(catalog: Catalog) -> None:
    result = scan(catalog, "settings.yaml", "llm:\n  model: gpt-4o-mini\n  endpoint: [unclosed\n")
    assert result.skip_reason is None and not result.parsed
    assert rows(result.findings) == {("openai", "model_id", 2, ("gpt-4o-mini",))}


# --- Dockerfile -------------------------------------------------------------------------------

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG BASE=vllm/vllm-openai:v0.6.3
FROM --platform=linux/amd64 ${BASE} AS serve

FROM python:3.12-slim AS build
ENV OPENAI_API_KEY=""
RUN pip install --no-cache-dir -r requirements.txt openai==1.40 \\
    "langchain-openai>=0.2" \\
    # a comment inside the instruction
    anthropic && npm install -g @anthropic-ai/sdk@0.30
RUN --mount=type=cache,target=/root/.cache uv pip install --system ollama
COPY --from=ollama/ollama:0.5 /bin/ollama /usr/bin/ollama
COPY --from=build /app /app

FROM serve
FROM $UNKNOWN_BASE
FROM nvcr.io/nvidia/tritonserver:24.08-py3
"""


def test_dockerfile(catalog: Catalog) -> None:
    result = scan(catalog, "Dockerfile", DOCKERFILE)
    assert rows(result.findings) == {
        ("vllm", "image", 3, ()),
        ("openai", "env_var", 6, ()),
        ("openai", "package", 7, ()),
        ("langchain", "package", 8, ()),
        ("openai", "package", 8, ()),  # langchain-openai uses OpenAI
        ("anthropic", "package", 10, ()),
        ("ollama", "package", 11, ()),
        ("ollama", "image", 12, ()),
        ("nvidia-triton", "image", 17, ()),
    }
    line_10 = [f for f in result.findings if f.location.line == 10]
    assert sorted(f.attributes["matched"] for f in line_10) == ["@anthropic-ai/sdk", "anthropic"]
    assert {f.confidence for f in result.findings if f.signal.value == "package"} == {
        Confidence.MEDIUM
    }
    assert one(result, "vllm", "image").confidence is Confidence.HIGH


@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("RUN python3 -m pip install 'mistralai>=1.0'", "mistral"),
        ("RUN apt-get update && pip3 install --upgrade cohere; echo done", "cohere"),
        ("RUN poetry add langchain", "langchain"),
        ("RUN yarn add openai", "openai"),
        ("RUN pnpm add @anthropic-ai/sdk", "anthropic"),
        ("RUN conda install -c conda-forge -y openai", "openai"),
        ("RUN <<EOF\nset -e\npip install anthropic\nEOF", "anthropic"),
    ],
)
def test_dockerfile_installers(catalog: Catalog, line: str, product: str) -> None:
    result = scan(catalog, "app.dockerfile", f"FROM python:3.12\n{line}\n")
    assert product in {f.product_id for f in result.findings if f.signal.value == "package"}


@pytest.mark.parametrize(
    "line",
    [
        "RUN pip install -r openai-requirements.txt",
        "RUN pip install ./openai-fork",
        "RUN pip download openai",
        "RUN echo pip install openai > notes",
        "# RUN pip install openai",
        "RUN pip install $OPENAI_PKG",
    ],
)
def test_dockerfile_non_installs(catalog: Catalog, line: str) -> None:
    result = scan(catalog, "Containerfile", f"FROM python:3.12\n{line}\n")
    assert [f for f in result.findings if f.signal.value == "package"] == []


# --- classification and robustness ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("infra/main.tf", (FileKind.IAC, "terraform")),
        ("infra/main.bicep", (FileKind.IAC, "bicep")),
        ("Dockerfile", (FileKind.IAC, "dockerfile")),
        ("docker/Dockerfile.prod", (FileKind.IAC, "dockerfile")),
        ("Containerfile", (FileKind.IAC, "dockerfile")),
        ("build/api.dockerfile", (FileKind.IAC, "dockerfile")),
        ("docker-compose.yml", (FileKind.CONFIG, ".yml")),  # promoted by content
        ("infra/terraform.tfvars", (FileKind.CONFIG, ".tfvars")),
    ],
)
def test_classification(path: str, expected: tuple[FileKind, str]) -> None:
    assert classify(path) == expected


BAD_INPUTS = [
    ("template.yaml", "Resources:\n  A:\n    Type: AWS::Bedrock::Agent\n   bad: [\n"),
    ("azuredeploy.json", '{"resources": [{"type": "Microsoft.Search/searchServices",}]}'),
    ("template.json", '{"Resources": {"A": {"Type": "AWS::Bedrock::Agent"}}} trailing'),
    ("deploy.yaml", "apiVersion: v1\nkind: Pod\nspec: {containers: [{image: ollama/ollama\n"),
    ("main.tf", 'resource "aws_bedrockagent_agent" "a" { name = "unterminated\n'),
    ("main.bicep", "resource x 'Microsoft.Search/searchServices@2023-11-01' = {\n  name: 'x\n"),
    ("Dockerfile", "FROM ollama/ollama\nRUN pip install \\\n"),
    ("values.yaml", "image: *undefined_alias ollama/ollama\n"),
]


@pytest.mark.parametrize(("name", "text"), BAD_INPUTS, ids=[n for n, _ in BAD_INPUTS])
def test_bad_input_never_raises(catalog: Catalog, name: str, text: str) -> None:
    data = text.encode()
    for cut in range(0, len(data) + 1, 3):  # every truncation too
        scan(catalog, name, data[:cut])
    scan(catalog, name, data.replace(b":", b"\xff"))


def test_invalid_yaml_is_a_skip_reason_and_keeps_the_line_pass(catalog: Catalog) -> None:
    text = (
        "{{- if .Values.enabled }}\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "spec:\n"
        "  containers:\n"
        "    - image: vllm/vllm-openai:{{ .Values.tag }}\n"
        "      env:\n"
        "        - name: OPENAI_API_KEY\n"
        "{{- end }}\n"
    )
    result = scan(catalog, "templates/deployment.yaml", text)
    assert result.skip_reason is not None
    assert result.skip_reason.startswith("malformed YAML: invalid YAML")
    assert "(line pass only)" in result.skip_reason
    found = rows(result.findings)
    assert ("openai", "env_var", 8, ()) in found
    assert ("vllm", "image", 6, ()) in found  # image lines are still read one by one
    assert one(result, "vllm", "image").confidence is Confidence.MEDIUM


def test_invalid_json_is_a_skip_reason(catalog: Catalog) -> None:
    text = '{"resources": [\n  {"type": "Microsoft.Search/searchServices",}\n]}'
    result = scan(catalog, "azuredeploy.json", text)
    assert result.skip_reason is not None
    assert "invalid JSON" in result.skip_reason and "line 2" in result.skip_reason
    assert result.findings == ()


def test_large_files_get_the_line_pass_only(catalog: Catalog) -> None:
    text = AZURE_TF + "# padding\n" * 200
    result = scan(catalog, "main.tf", text, max_parse_size=1000)
    assert not result.parsed
    assert any("line pass only" in note for note in result.notes)
    assert {f.signal.value for f in result.findings} == {"model_id"}


def test_deeply_nested_json_is_an_error_not_a_crash(catalog: Catalog) -> None:
    text = '{"image": "ollama/ollama", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    result = scan(catalog, "deep.json", text)
    assert result.skip_reason is not None and "nested too deeply" in result.skip_reason


def test_yaml_alias_bombs_are_walked_once(catalog: Catalog) -> None:
    lines = ["a0: &a0", "  image: ollama/ollama"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 25)]
    result = scan(catalog, "values.yaml", "\n".join(lines) + "\n")
    assert rows(result.findings) == {("ollama", "image", 2, ())}


def test_noise_paths_lower_infrastructure_evidence(catalog: Catalog) -> None:
    result = scan(catalog, "tests/fixtures/main.tf", AZURE_TF)
    assert {f.confidence for f in result.findings} == {Confidence.LOW}


def test_terraform_runs_containers_too(catalog: Catalog) -> None:
    text = (
        'resource "kubernetes_deployment" "vllm" {\n'
        "  spec {\n"
        "    template {\n"
        "      spec {\n"
        "        container {\n"
        '          image = "vllm/vllm-openai:v0.6.3"\n'
        "        }\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
        'resource "aws_ecs_task_definition" "llm" {\n'
        "  container_definitions = jsonencode([{\n"
        '    name  = "ollama"\n'
        '    image = "ollama/ollama"\n'
        "  }])\n"
        "}\n"
    )
    result = scan(catalog, "main.tf", text)
    assert rows(result.findings) == {("vllm", "image", 6, ()), ("ollama", "image", 15, ())}


def test_json_with_comments_is_read(catalog: Catalog) -> None:
    text = (
        "{\n"
        "  // the development container\n"
        '  "image": "ollama/ollama:latest", /* pinned later */\n'
        '  "remoteEnv": {"OPENAI_API_KEY": "${localEnv:OPENAI_API_KEY}"}\n'
        "}\n"
    )
    result = scan(catalog, ".devcontainer/devcontainer.json", text)
    assert result.skip_reason is None
    assert rows(result.findings) == {("ollama", "image", 3, ()), ("openai", "env_var", 4, ())}
