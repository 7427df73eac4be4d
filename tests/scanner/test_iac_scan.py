"""`aicensus scan` of an infrastructure estate: Terraform, Compose, CloudFormation and Kubernetes
become exact systems with their models and file:line evidence."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from inventory_db.store import Store
from scanner.cli import app

runner = CliRunner()

ESTATE: dict[str, str | bytes] = {
    "infra/azure/main.tf": (
        'resource "azurerm_resource_group" "rg" {\n'
        '  name     = "acme-ai"\n'
        "  location = var.location\n"
        "}\n"
        "\n"
        'resource "azurerm_cognitive_account" "oai" {\n'
        '  name                = "acme-oai"\n'
        "  location            = azurerm_resource_group.rg.location\n"
        "  resource_group_name = azurerm_resource_group.rg.name\n"
        '  kind                = "OpenAI"\n'
        '  sku_name            = "S0"\n'
        "}\n"
        "\n"
        'resource "azurerm_cognitive_deployment" "chat" {\n'
        '  name                 = "chat"\n'
        "  cognitive_account_id = azurerm_cognitive_account.oai.id\n"
        "  model {\n"
        '    format  = "OpenAI"\n'
        '    name    = "gpt-4o"\n'
        '    version = "2024-08-06"\n'
        "  }\n"
        "  sku {\n"
        '    name = "GlobalStandard"\n'
        "  }\n"
        "}\n"
    ),
    "docker-compose.yml": (
        "services:\n"
        "  ollama:\n"
        "    image: ollama/ollama:0.5.7\n"
        "    ports:\n"
        '      - "11434:11434"\n'
        "  web:\n"
        "    image: nginx:1.27\n"
    ),
    "infra/aws/template.yaml": (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Resources:\n"
        "  AgentRole:\n"
        "    Type: AWS::IAM::Role\n"
        "  SupportAgent:\n"
        "    Type: AWS::Bedrock::Agent\n"
        "    Properties:\n"
        '      AgentName: !Sub "${AWS::StackName}-support"\n'
        "      AgentResourceRoleArn: !GetAtt AgentRole.Arn\n"
        "      FoundationModel: anthropic.claude-3-5-sonnet-20241022-v2:0\n"
    ),
    "k8s/vllm.yaml": (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: vllm\n"
        "spec:\n"
        "  replicas: 1\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: server\n"
        "          image: vllm/vllm-openai:v0.6.3\n"
        "          resources:\n"
        "            limits:\n"
        "              nvidia.com/gpu: 1\n"
    ),
    # bait: infrastructure that is not AI
    "infra/aws/network.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    "k8s/web.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx\n",
}


def test_infrastructure_estate_inventory(make_tree, tmp_path: Path) -> None:
    root = make_tree(ESTATE)
    db = tmp_path / "inv.db"

    result = runner.invoke(app, ["scan", str(root), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output

    listing = runner.invoke(
        app, ["inventory", "list", "--db", f"sqlite:///{db}", "--format", "json"]
    )
    assert listing.exit_code == 0, listing.output
    systems = {s["product"]: s for s in json.loads(listing.stdout)["systems"]}
    assert set(systems) == {"azure-openai", "ollama", "aws-bedrock", "vllm"}

    def evidence(product: str) -> set[tuple[str, str, tuple[str, ...]]]:
        return {
            (e["location"], e["signal"], tuple(e["models"])) for e in systems[product]["evidence"]
        }

    azure = systems["azure-openai"]
    assert (azure["vendor"], azure["category"]) == ("microsoft", "cloud-ai-service")
    assert azure["models"] == ["gpt-4o"]
    assert evidence("azure-openai") == {
        ("infra/azure/main.tf:6", "iac", ()),
        ("infra/azure/main.tf:14", "iac", ("gpt-4o",)),
    }

    assert systems["ollama"]["category"] == "model-server"
    assert systems["ollama"]["models"] == []
    assert evidence("ollama") == {("docker-compose.yml:3", "image", ())}

    bedrock = systems["aws-bedrock"]
    assert bedrock["models"] == ["anthropic.claude-3-5-sonnet-20241022-v2:0"]
    assert evidence("aws-bedrock") == {
        ("infra/aws/template.yaml:6", "iac", ("anthropic.claude-3-5-sonnet-20241022-v2:0",))
    }

    assert evidence("vllm") == {("k8s/vllm.yaml:11", "image", ())}
    assert {s["confidence"] for s in systems.values()} == {"high"}

    # the accelerator request is kept on the image evidence
    store = Store(f"sqlite:///{db}")
    try:
        vllm = next(s for s in store.systems(with_evidence=True) if s.product == "vllm")
        assert [e.attributes.get("gpu") for e in vllm.evidence] == ["nvidia.com/gpu=1"]
        assert store.skips(1) == []  # every file read whole: no parse note, no skip
    finally:
        store.close()
