"""MCP client configuration files (detectors/mcp.py): one finding per configured server, on its
entry's line, with names and redacted values only; env values never kept."""

from __future__ import annotations

import json
import random
import string

import pytest

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.engine import scan_data
from detectors.mcp import strip_jsonc
from detectors.redact import mask
from fingerprints.catalog import Catalog

SCOPE = Scope("code", "example", "example")
_RNG = random.SystemRandom()


def token(prefix: str = "", n: int = 36, alphabet: str = string.ascii_letters) -> str:
    """A random secret-like value, generated here (never a committed literal)."""
    return prefix + "".join(_RNG.choice(alphabet) for _ in range(n))


def servers(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.product_id == "mcp-servers"]


TWO = """\
{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}
    },
    "linear": {
      "type": "http",
      "url": "https://mcp.linear.app/mcp",
      "headers": {"Authorization": "Bearer ${LINEAR_TOKEN}"}
    }
  }
}
"""


@pytest.mark.parametrize(
    "path",
    [
        ".mcp.json",
        ".cursor/mcp.json",
        "mcp.json",
        "claude_desktop_config.json",
        "configs/mcp_config.json",
        ".gemini/settings.json",
    ],
)
def test_each_configured_server_is_one_finding_on_its_line(catalog: Catalog, path: str) -> None:
    result = scan_data(catalog, SCOPE, path, TWO.encode())

    found = servers(result.findings)
    assert [(f.attributes["server"], f.location.line) for f in found] == [
        ("github", 3),
        ("linear", 8),
    ]
    github, linear = found
    assert github.signal is Signal.FILE and github.confidence is Confidence.HIGH
    assert github.category == "mcp"
    assert dict(github.attributes) == {
        "matched": "github",
        "server": "github",
        "section": "mcpServers",
        "transport": "stdio",
        "command": "npx -y @modelcontextprotocol/server-github",
        "env": "GITHUB_PERSONAL_ACCESS_TOKEN",
    }
    assert github.snippet == "github: npx -y @modelcontextprotocol/server-github"
    assert dict(linear.attributes) == {
        "matched": "linear",
        "server": "linear",
        "section": "mcpServers",
        "transport": "http",
        "url": "https://mcp.linear.app/mcp",
        "headers": "Authorization",
    }


def test_vscode_servers_with_comments_and_trailing_commas(catalog: Catalog) -> None:
    text = """\
{
  // Servers for this workspace: see https://code.visualstudio.com/docs
  "inputs": [{"type": "promptString", "id": "key", "password": true}],
  "servers": {
    /* the fetch server */
    "fetch": {"type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"],},
    "remote": {"type": "sse", "url": "https://example.com/sse"},
  },
}
"""
    found = servers(scan_data(catalog, SCOPE, ".vscode/mcp.json", text.encode()).findings)
    assert [(f.attributes["server"], f.attributes["section"], f.location.line) for f in found] == [
        ("fetch", "servers", 6),
        ("remote", "servers", 7),
    ]
    assert found[1].attributes["url"] == "https://example.com/sse"


def test_servers_key_counts_only_in_vscode_style_mcp_json(catalog: Catalog) -> None:
    text = b'{"servers": {"fetch": {"command": "uvx"}}}'
    assert servers(scan_data(catalog, SCOPE, "claude_desktop_config.json", text).findings) == []
    assert servers(scan_data(catalog, SCOPE, "config/servers.json", text).findings) == []
    assert len(servers(scan_data(catalog, SCOPE, ".vscode/mcp.json", text).findings)) == 1


def test_env_values_are_never_kept_and_secrets_in_args_are_masked(catalog: Catalog) -> None:
    env_secret = token("ghp_")
    db_password = token(n=20)
    flag_secret = token(n=40, alphabet=string.ascii_letters + string.digits)
    inline_secret = token(n=30, alphabet=string.ascii_letters + string.digits)
    hf = token("hf_", 34)  # letters only: only the catalog key shapes catch it
    query_secret = token(n=24)
    user_pass = token(n=16)
    config = {
        "mcpServers": {
            "tools": {
                "command": "docker",
                "args": [
                    "run",
                    "-e",
                    f"API_TOKEN={inline_secret}",
                    "--api-key",
                    flag_secret,
                    "ghcr.io/acme/tools:latest",
                    hf,
                ],
                "env": {
                    "GITHUB_TOKEN": env_secret,
                    "DATABASE_URL": f"postgres://app:{db_password}@db/app",
                },
            },
            "remote": {
                "url": f"https://bot:{user_pass}@mcp.example.com/mcp?api_key={query_secret}&v=2",
            },
        }
    }
    text = json.dumps(config, indent=2)

    result = scan_data(catalog, SCOPE, ".mcp.json", text.encode())

    found = servers(result.findings)
    tools, remote = found
    assert tools.attributes["env"] == "GITHUB_TOKEN,DATABASE_URL"
    assert tools.attributes["command"] == (
        f"docker run -e API_TOKEN={mask(inline_secret)} --api-key {mask(flag_secret)} "
        f"ghcr.io/acme/tools:latest {mask(hf)}"
    )
    assert remote.attributes["url"] == (
        f"https://mcp.example.com/mcp?api_key={mask(query_secret)}&v=*"
    )
    stored = json.dumps([[f.snippet, dict(f.attributes)] for f in found])
    for secret in (env_secret, db_password, flag_secret, inline_secret, hf, query_secret):
        assert secret[2:14] not in stored and secret[-12:] not in stored
    assert user_pass not in stored
    # the key pass reads the same file: the token is an api-key finding, masked
    keys = [f for f in result.findings if f.signal is Signal.KEY]
    assert [f.attributes["key"] for f in keys] == [mask(hf)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"mcpServers": {"a": {"command": "npx",}', "invalid JSON: Expecting"),
        (b"", "empty"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"mcpServers": {}} trailing', "invalid JSON: Extra data"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_malformed_configurations_are_skip_reasons(
    catalog: Catalog, text: bytes, reason: str
) -> None:
    result = scan_data(catalog, SCOPE, ".mcp.json", text)
    assert servers(result.findings) == []
    assert result.skip_reason is not None
    assert result.skip_reason.startswith("malformed MCP configuration")
    assert reason in result.skip_reason


def test_files_without_servers_give_nothing(catalog: Catalog) -> None:
    for text in (b'{"theme": "dark"}', b'{"mcpServers": {}}', b'{"mcpServers": []}'):
        result = scan_data(catalog, SCOPE, ".gemini/settings.json", text)
        assert servers(result.findings) == [] and result.skip_reason is None


def test_mcp_configs_under_tests_are_low_confidence(catalog: Catalog) -> None:
    found = servers(scan_data(catalog, SCOPE, "tests/fixtures/.mcp.json", TWO.encode()).findings)
    assert len(found) == 2
    for f in found:
        assert f.confidence is Confidence.LOW and f.attributes["reason"] == "test code"


def test_strip_jsonc_keeps_offsets_and_strings() -> None:
    text = '{"u": "https://x//y", /* c */ "a": [1,], // end\n "s": "/* no */",}'
    plain = strip_jsonc(text)
    assert len(plain) == len(text)
    assert json.loads(plain) == {"u": "https://x//y", "a": [1], "s": "/* no */"}
    assert plain.index('"s"') == text.index('"s"')
