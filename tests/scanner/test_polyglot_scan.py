"""`aicensus scan` over an estate in other languages: a Go service on go-openai, a Spring AI app,
a C# app on Azure OpenAI, and a Jupyter notebook, through the CLI into the inventory JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scanner.cli import app

runner = CliRunner()

MakeTree = Callable[..., Path]

ESTATE: dict[str, str | bytes] = {
    "chat-go/main.go": (
        "package main\n"  # 1
        "\n"
        "import (\n"
        '\t"context"\n'
        '\t"os"\n'  # 5
        "\n"
        '\topenai "github.com/sashabaranov/go-openai"\n'
        ")\n"
        "\n"
        "// Answer asks the model; see docs for gpt-4o pricing.\n"  # 10
        "func Answer(ctx context.Context, q string) (string, error) {\n"
        '\tclient := openai.NewClient(os.Getenv("OPENAI_API_KEY"))\n'
        "\tresp, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{\n"
        '\t\tModel:    "gpt-4o-mini",\n'
        "\t\tMessages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, "
        "Content: q}},\n"  # 15
        "\t})\n"
        "\tif err != nil {\n"
        '\t\treturn "", err\n'
        "\t}\n"
        "\treturn resp.Choices[0].Message.Content, nil\n"  # 20
        "}\n"
    ),
    "chat-go/go.sum": "github.com/sashabaranov/go-openai v1.36.0 h1:abc=\n",
    "spring-assistant/src/main/java/com/acme/assistant/AssistantController.java": (
        "package com.acme.assistant;\n"  # 1
        "\n"
        "import org.springframework.ai.chat.client.ChatClient;\n"
        "import org.springframework.web.bind.annotation.GetMapping;\n"
        "import org.springframework.web.bind.annotation.RestController;\n"  # 5
        "\n"
        "@RestController\n"
        "class AssistantController {\n"
        "    private final ChatClient chat;\n"
        "\n"  # 10
        "    AssistantController(ChatClient.Builder builder) {\n"
        "        this.chat = builder.build();\n"
        "    }\n"
        "\n"
        '    @GetMapping("/ask")\n'  # 15
        "    String ask(String q) {\n"
        "        return chat.prompt().user(q).call().content();\n"
        "    }\n"
        "}\n"
    ),
    "support-dotnet/Program.cs": (
        "using Azure;\n"  # 1
        "using Azure.AI.OpenAI;\n"
        "using OpenAI.Chat;\n"
        "\n"
        "// Azure OpenAI, not api.openai.com\n"  # 5
        'var endpoint = Environment.GetEnvironmentVariable("AZURE_OPENAI_ENDPOINT")!;\n'
        "var client = new AzureOpenAIClient(\n"
        "    new Uri(endpoint),\n"
        "    new AzureKeyCredential("
        'Environment.GetEnvironmentVariable("AZURE_OPENAI_API_KEY")!));\n'
        'ChatClient chat = client.GetChatClient("support-bot");\n'  # 10
        'Console.WriteLine(chat.CompleteChat("Hello").Value.Content[0].Text);\n'
    ),
    # bait: none of these is a use of AI
    "chat-go/openai_test_helpers.txt": "not read\n",
    "spring-assistant/src/main/java/com/acme/assistant/Kernel.java": (
        'package com.acme.assistant;\n\nclass Kernel { String model = "standard"; }\n'
    ),
    "support-dotnet/Models.cs": (
        'namespace Support;\npublic record Agent(string Model = "basic");\n'
    ),
}


def scan(root: Path, db: Path) -> None:
    result = runner.invoke(app, ["scan", str(root), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output


def inventory(db: Path) -> dict[str, Any]:
    result = runner.invoke(
        app, ["inventory", "list", "--db", f"sqlite:///{db}", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def evidence(system: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((e["location"], e["signal"], e["confidence"]) for e in system["evidence"])


def test_go_spring_and_dotnet_services_are_three_systems(
    make_tree: MakeTree, tmp_path: Path
) -> None:
    root = make_tree(ESTATE)
    db = tmp_path / "inv.db"

    scan(root, db)

    systems = {s["product"]: s for s in inventory(db)["systems"]}
    assert set(systems) == {"openai", "spring-ai", "azure-openai"}
    scope = {"kind": "code", "id": str(root.resolve()), "name": "repo"}

    go = systems["openai"]
    assert (go["vendor"], go["category"], go["scope"]) == ("openai", "llm-api", scope)
    assert go["models"] == ["gpt-4o-mini"]
    assert evidence(go) == [
        ("chat-go/main.go:12", "code_call", "high"),
        ("chat-go/main.go:12", "env_var", "medium"),
        ("chat-go/main.go:14", "model_id", "medium"),
        ("chat-go/main.go:7", "code_import", "high"),
    ]

    spring = systems["spring-ai"]
    assert (spring["vendor"], spring["category"]) == ("spring", "agent-framework")
    assert evidence(spring) == [
        (
            "spring-assistant/src/main/java/com/acme/assistant/AssistantController.java:3",
            "code_import",
            "high",
        )
    ]

    azure = systems["azure-openai"]
    assert (azure["vendor"], azure["category"]) == ("microsoft", "cloud-ai-service")
    assert azure["models"] == []
    # `using OpenAI.Chat;` is the library Azure.AI.OpenAI builds on, not a use of OpenAI's API.
    assert evidence(azure) == [
        ("support-dotnet/Program.cs:2", "code_import", "high"),
        ("support-dotnet/Program.cs:6", "env_var", "medium"),
        ("support-dotnet/Program.cs:7", "code_call", "high"),
        ("support-dotnet/Program.cs:9", "env_var", "medium"),
    ]
    snippets = {e["location"]: e["snippet"] for e in azure["evidence"]}
    assert snippets["support-dotnet/Program.cs:7"] == "var client = new AzureOpenAIClient("


NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Evaluating Claude\n"]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "outputs": [],
            "source": ["%pip install -q anthropic\n"],
        },
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 2,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["gpt-4o\n"]}],
            "source": [
                "import anthropic\n",
                "\n",
                "client = anthropic.Anthropic()\n",
                'msg = client.messages.create(model="claude-sonnet-4-5-20250929", max_tokens=64,'
                " messages=[])\n",
            ],
        },
    ],
}


def test_a_notebook_is_evidence_by_cell(make_tree: MakeTree, tmp_path: Path) -> None:
    root = make_tree(
        {
            "notebooks/eval.ipynb": json.dumps(NOTEBOOK, indent=1),
            "notebooks/broken.ipynb": '{"cells": [{"source": "import anthropic"',
            ".github/CODEOWNERS": "* @acme/platform\n*.ipynb @acme/data-science\n",
        }
    )
    db = tmp_path / "inv.db"

    scan(root, db)

    (system,) = inventory(db)["systems"]
    assert system["product"] == "anthropic"
    assert system["models"] == ["claude-sonnet-4-5-20250929"]
    assert evidence(system) == [
        ("notebooks/eval.ipynb#cell-2:1", "package", "medium"),
        ("notebooks/eval.ipynb#cell-3:1", "code_import", "high"),
        ("notebooks/eval.ipynb#cell-3:3", "code_call", "high"),
        ("notebooks/eval.ipynb#cell-3:4", "model_id", "medium"),
    ]
    # Owner hints look at the notebook file, not at its cell locator.
    shown = runner.invoke(
        app, ["inventory", "show", str(system["id"]), "--db", f"sqlite:///{db}", "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    hints = json.loads(shown.stdout)["suggested_owners"]
    assert [h["owner"] for h in hints] == ["@acme/data-science"]
    result = runner.invoke(app, ["scans", "--db", f"sqlite:///{db}", "--show", "1"])
    assert result.exit_code == 0, result.output
    assert "notebooks/broken.ipynb" in result.output
    assert "malformed notebook" in result.output
