"""The CycloneDX 1.6 BOM: schema-valid (the library's own strict validator), and what it says."""

from __future__ import annotations

import json
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from report_estate import ENDPOINT_ARN, Estate
from typer.testing import CliRunner

from scanner.cli import app

runner = CliRunner()


def bom_text(estate: Estate) -> str:
    result = runner.invoke(app, ["report", "--db", estate.url, "--format", "cyclonedx"])
    assert result.exit_code == 0, result.output
    return result.stdout


def props(item: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("properties", [])}


def test_bom_validates_against_the_cyclonedx_1_6_schema(estate: Estate) -> None:
    text = bom_text(estate)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    assert doc["bomFormat"] == "CycloneDX"
    assert doc["specVersion"] == "1.6"
    assert doc["metadata"]["tools"]["components"][0]["name"] == "aicensus"
    assert props(doc["metadata"])["aicensus:scan"] == str(estate.scans[2])


def test_the_validator_rejects_a_broken_bom(estate: Estate) -> None:
    """The check above has teeth: a component type outside the schema fails validation."""
    doc = json.loads(bom_text(estate))
    doc["components"][0]["type"] = "ai-system"
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    assert error is not None


def test_systems_models_and_services(estate: Estate) -> None:
    doc = json.loads(bom_text(estate))
    components = {c["bom-ref"]: c for c in doc["components"]}
    services = {s["bom-ref"]: s for s in doc["services"]}

    openai = estate.by_product("openai")
    system = components[f"system:{openai.id}"]
    assert system["name"] == "OpenAI API"
    assert system["group"] == "openai"
    assert props(system)["aicensus:status"] == "approved"
    assert props(system)["aicensus:owner"] == "Ann"
    assert props(system)["aicensus:shadow_ai"] == "false"
    occurrences = {(o["location"], o.get("line")) for o in system["evidence"]["occurrences"]}
    assert ("app/bot.py", 4) in occurrences

    # Every model id is a machine-learning-model component with what is known about it.
    for model in ("gpt-4o", "text-embedding-3-small", "claude-sonnet-4-5-20250929"):
        component = components[f"model:{model}"]
        assert component["type"] == "machine-learning-model"
        assert component["name"] == model
    gpt = props(components["model:gpt-4o"])
    assert gpt["aicensus:model:accessed_through"] == "OpenAI API"
    assert gpt["aicensus:model:provider"] == "OpenAI"
    assert gpt["aicensus:model:use_cases"] == "Support"
    bedrock_model = props(components["model:anthropic.claude-3-5-sonnet-20241022-v2:0"])
    assert bedrock_model["aicensus:model:accessed_through"] == "Amazon Bedrock"

    # A model file found on disk is itself a model, with its header's model card facts.
    gguf = components[f"system:{estate.by_product('gguf-model-file').id}"]
    assert gguf["type"] == "machine-learning-model"
    assert props(gguf)["aicensus:model:architecture"] == "llama"
    assert props(gguf)["aicensus:model:format"] == "gguf"

    sagemaker = components[f"system:{estate.by_product('aws-sagemaker').id}"]
    assert sagemaker["type"] == "platform"
    assert props(sagemaker)["aicensus:resource"] == ENDPOINT_ARN

    # Hosted APIs and SaaS are services; frameworks are not.
    assert set(services) == {
        "service:openai",
        "service:anthropic",
        "service:aws-bedrock",
        "service:chatgpt",
    }
    assert services["service:openai"]["provider"]["name"] == "OpenAI"
    assert f"service:{estate.by_product('langchain').product}" not in services


def test_dependencies_tie_systems_to_their_models_and_services(estate: Estate) -> None:
    doc = json.loads(bom_text(estate))
    depends = {d["ref"]: set(d.get("dependsOn", [])) for d in doc["dependencies"]}
    openai = estate.by_product("openai")
    assert depends[f"system:{openai.id}"] == {
        "model:gpt-4o",
        "model:text-embedding-3-small",
        "service:openai",
    }
    langchain = estate.by_product("langchain")
    assert depends[f"system:{langchain.id}"] == set()
    assert f"system:{langchain.id}" in depends["inventory"]
    refs = {c["bom-ref"] for c in doc["components"]} | {s["bom-ref"] for s in doc["services"]}
    assert {r for targets in depends.values() for r in targets} <= refs
