"""MCP client configuration files: the MCP servers an AI assistant in the repository is wired to.

A file is an MCP configuration when a catalog ``mcp`` product names it in its ``files`` rules
(``.mcp.json``, ``.cursor/mcp.json``, ``.vscode/mcp.json``, ``claude_desktop_config.json``, ...;
see ``fingerprints/frameworks/mcp.yaml``). It is chosen by name, so it is read even when it holds
no catalog keyword (``{"servers": {...}}``). JSON with comments and trailing commas (VS Code's
JSONC) is accepted; anything else that does not parse is a skip reason.

The servers are the members of the top-level ``mcpServers`` object or, in a file named
``mcp.json`` (VS Code), ``servers``. Each server is one finding on the line of its entry, with
attributes ``server`` (the name), ``transport``, ``command`` (program and arguments) or ``url``,
and the *names* of its ``env`` variables and ``headers``. Environment and header values are never
kept; the command line and URL are redacted (secret-named flags, credentials, query values,
high-entropy tokens and anything shaped like a catalog key are masked). The snippet is built
from those redacted attributes, never from the raw line, which may carry an ``env`` value.
"""

from __future__ import annotations

import json
import logging
import posixpath
from dataclasses import dataclass, replace
from typing import Any

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.config import make_finding
from detectors.manifests.jsonscan import JsonReader
from detectors.redact import redact_command, redact_url
from detectors.secrets import mask_keys
from fingerprints.catalog import Catalog, ProductInfo

logger = logging.getLogger(__name__)

SECTIONS = ("mcpServers",)
"""Top-level keys that hold the servers in every MCP configuration file."""
VSCODE_SECTION = "servers"
"""VS Code's key (``.vscode/mcp.json``): read in files named ``mcp.json``."""
MAX_SERVERS = 500
_MAX_VALUE = 300
_URL_KEYS = ("url", "serverUrl", "httpUrl")


@dataclass(frozen=True, slots=True)
class McpResult:
    """What reading one MCP configuration file gave."""

    findings: tuple[Finding, ...] = ()
    skip_reason: str | None = None


def config_product(catalog: Catalog, relpath: str) -> ProductInfo | None:
    """The ``mcp`` product whose file rules name ``relpath`` as an MCP configuration, or None."""
    for pid in catalog.match_file(relpath):
        product = catalog.products[pid]
        if product.category == "mcp":
            return product
    return None


def strip_jsonc(text: str) -> str:
    """JSON with ``//`` and ``/* */`` comments and trailing commas made plain JSON; every
    character keeps its offset (comments and trailing commas become spaces, newlines stay)."""
    out = list(text)
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [c if c == "\n" else " " for c in text[i:end]]
            i = end
            continue
        i += 1
    plain = "".join(out)
    out = list(plain)
    in_string = False
    i = 0
    while i < n:
        ch = plain[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ",":
            j = i + 1
            while j < n and plain[j] in " \t\r\n":
                j += 1
            if j < n and plain[j] in "}]":
                out[i] = " "
        i += 1
    return "".join(out)


def _clip(value: str) -> str:
    value = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    return value if len(value) <= _MAX_VALUE else value[: _MAX_VALUE - 1] + "…"


def _names(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return ",".join(_clip(str(k)) for k in value)


def server_attributes(catalog: Catalog, name: str, config: Any, section: str) -> dict[str, str]:
    """The attributes of one configured server: names and redacted values only."""
    attrs = {"server": _clip(name), "section": section}
    if not isinstance(config, dict):
        return attrs
    command = config.get("command")
    args = config.get("args")
    url = next((config[k] for k in _URL_KEYS if isinstance(config.get(k), str)), None)
    declared = config.get("type", config.get("transport"))
    if isinstance(declared, str) and declared.strip():
        attrs["transport"] = _clip(declared)
    elif isinstance(command, str):
        attrs["transport"] = "stdio"
    elif url is not None:
        attrs["transport"] = "sse" if url.rstrip("/").endswith("/sse") else "http"
    if isinstance(command, str) and command.strip():
        parts = [command]
        if isinstance(args, list):
            parts.extend(a if isinstance(a, str) else json.dumps(a) for a in args)
        attrs["command"] = _clip(mask_keys(catalog, redact_command(parts)))
    if url is not None:
        attrs["url"] = _clip(mask_keys(catalog, redact_url(url)))
    if env := _names(config.get("env")):
        attrs["env"] = env
    if headers := _names(config.get("headers")):
        attrs["headers"] = headers
    if config.get("disabled") is True:
        attrs["disabled"] = "true"
    return attrs


def detect_mcp_config(
    catalog: Catalog, scope: Scope, relpath: str, data: bytes
) -> McpResult | None:
    """The servers of an MCP configuration file; None when ``relpath`` is not one."""
    product = config_product(catalog, relpath)
    if product is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return McpResult(skip_reason="malformed MCP configuration: not UTF-8")
    reader = JsonReader(strip_jsonc(text))
    sections: tuple[str, ...] = SECTIONS
    if posixpath.basename(relpath).lower() == "mcp.json":
        sections = (*SECTIONS, VSCODE_SECTION)
    findings: list[Finding] = []
    try:
        root = reader.root()
        if not reader.is_object(root):
            if root == len(reader.text):
                return McpResult(skip_reason="malformed MCP configuration: empty")
            return McpResult(skip_reason="malformed MCP configuration: not a JSON object")
        for key, _, value_pos in reader.members(root):
            if key not in sections or not reader.is_object(value_pos):
                continue
            for name, name_pos, config_pos in reader.members(value_pos):
                if len(findings) >= MAX_SERVERS:
                    break
                config = reader.value(config_pos)
                attrs = server_attributes(catalog, name, config, key)
                line = reader.lines.line_at(name_pos)
                shown = attrs.get("command") or attrs.get("url") or attrs.get("transport", "")
                finding = make_finding(
                    product,
                    scope,
                    relpath,
                    line,
                    Signal.FILE,
                    Confidence.HIGH,
                    attrs["server"],
                    f"{attrs['server']}: {shown}",
                )
                findings.append(_with(finding, attrs))
        reader.finish(root)
    except json.JSONDecodeError as err:
        return McpResult(
            skip_reason=f"malformed MCP configuration: invalid JSON: {err.msg} "
            f"(line {err.lineno}, column {err.colno})"
        )
    return McpResult(tuple(findings))


def _with(finding: Finding, attrs: dict[str, str]) -> Finding:
    return replace(finding, attributes={"matched": attrs["server"], **attrs})
