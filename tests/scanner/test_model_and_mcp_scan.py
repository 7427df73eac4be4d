"""`aicensus scan` end to end on a repository with a GGUF model, an MCP configuration with two
servers and a committed Anthropic key: the exact inventory, the servers visible in
`inventory show`, and the key only ever masked."""

from __future__ import annotations

import hashlib
import json
import random
import string
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detectors.redact import mask
from scanner import cli
from scanner.cli import app

runner = CliRunner()


def gguf_header(name: str) -> bytes:
    def s(value: str) -> bytes:
        return struct.pack("<Q", len(value)) + value.encode()

    kvs = [("general.architecture", "llama"), ("general.name", name)]
    out = b"GGUF" + struct.pack("<IQQ", 3, 201, len(kvs))
    for key, value in kvs:
        out += s(key) + struct.pack("<I", 8) + s(value)
    return out + bytes(4096)


def anthropic_key() -> str:
    """A random key in Anthropic's format, built here: no key literal is committed."""
    rng = random.SystemRandom()
    alphabet = string.ascii_letters + string.digits + "_-"
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(93))
        if "your" not in body.lower() and "xxxx" not in body.lower():
            return "sk-ant-api03-" + body + "AA"


MCP = {
    "mcpServers": {
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"},
        },
        "docs": {"type": "http", "url": "https://mcp.example.com/mcp"},
    }
}


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables as wide as they need: nothing folded or cut."""
    monkeypatch.setattr(cli.out, "width", 1000)
    monkeypatch.setattr(cli.err, "width", 1000)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_model_mcp_and_key_scan_gives_the_exact_inventory(
    make_tree, tmp_path: Path, wide: None
) -> None:
    key = anthropic_key()
    root = make_tree(
        {
            "models/tinyllama.gguf": gguf_header("TinyLlama 1.1B"),
            ".mcp.json": json.dumps(MCP, indent=2) + "\n",
            ".env": f"ANTHROPIC_API_KEY={key}\n",
        }
    )
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    scan_out = run("scan", str(root), "--db", db)
    doc = json.loads(run("inventory", "list", "--db", db, "--format", "json"))

    systems = {s["product"]: s for s in doc["systems"]}
    assert {p: (s["category"], s["vendor"]) for p, s in systems.items()} == {
        "gguf-model-file": ("model-file", "ggml"),
        "mcp-servers": ("mcp", "modelcontextprotocol"),
        "anthropic-api-key": ("api-key", "anthropic"),
        "anthropic": ("llm-api", "anthropic"),  # ANTHROPIC_API_KEY names the SDK's variable
    }
    scope_id = str(root.resolve())
    assert {s["identity_key"] for s in doc["systems"]} == {f"code:{scope_id}:{p}" for p in systems}

    model = systems["gguf-model-file"]
    assert model["models"] == ["TinyLlama 1.1B"]
    (ev,) = model["evidence"]
    assert (ev["location"], ev["signal"], ev["confidence"]) == (
        "models/tinyllama.gguf",
        "file",
        "high",
    )
    assert ev["attributes"] == {
        "format": "gguf",
        "size_bytes": str(len(gguf_header("TinyLlama 1.1B"))),
        "gguf_version": "3",
        "tensors": "201",
        "metadata_entries": "2",
        "architecture": "llama",
        "model_name": "TinyLlama 1.1B",
    }

    mcp = systems["mcp-servers"]
    assert [(e["location"], e["attributes"]["server"]) for e in mcp["evidence"]] == [
        (".mcp.json:3", "github"),
        (".mcp.json:13", "docs"),
    ]
    assert mcp["evidence"][0]["attributes"]["command"] == (
        "npx -y @modelcontextprotocol/server-github"
    )
    assert mcp["evidence"][0]["attributes"]["env"] == "GITHUB_PERSONAL_ACCESS_TOKEN"
    assert mcp["evidence"][1]["attributes"]["url"] == "https://mcp.example.com/mcp"

    api_key = systems["anthropic-api-key"]
    (kev,) = api_key["evidence"]
    assert kev["location"] == ".env:1" and kev["signal"] == "key"
    assert kev["attributes"] == {
        "key": mask(key),
        "key_sha256": hashlib.sha256(key.encode()).hexdigest(),
        "key_rule": "anthropic-api03",
    }
    assert kev["snippet"] == f"ANTHROPIC_API_KEY={mask(key)}"

    # `inventory show` lists the configured servers and shows the key only masked
    show = run("inventory", "show", str(mcp["id"]), "--db", db)
    assert "server=github" in show and "server=docs" in show
    assert "command=npx -y @modelcontextprotocol/server-github" in show
    key_show = run("inventory", "show", str(api_key["id"]), "--db", db)
    assert mask(key) in key_show and hashlib.sha256(key.encode()).hexdigest() in key_show

    table = run("inventory", "list", "--db", db)
    assert "TinyLlama 1.1B" in table
    everything = scan_out + json.dumps(doc) + show + key_show + table
    assert key not in everything and key[13:25] not in everything and key[-14:] not in everything


def test_a_rescan_keeps_the_same_systems(make_tree, tmp_path: Path) -> None:
    root = make_tree(
        {"m.gguf": gguf_header("x"), ".cursor/mcp.json": json.dumps(MCP)},
    )
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    run("scan", str(root), "--db", db)
    first = json.loads(run("inventory", "list", "--db", db, "--format", "json"))
    run("scan", str(root), "--db", db)
    second = json.loads(run("inventory", "list", "--db", db, "--format", "json"))
    assert [s["id"] for s in first["systems"]] == [s["id"] for s in second["systems"]]
    assert {s["product"] for s in second["systems"]} == {"gguf-model-file", "mcp-servers"}
