"""Code findings as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run, one rule per product (``aicensus/<product>``: the fingerprint's product id, stable
across releases), one result per piece of code evidence with its file and line relative to the
scanned repository. Cloud and SaaS evidence has no file, so it is left out. Levels follow
confidence (high: ``warning``, medium: ``note``, low: ``none``); a committed API key is an
``error``. Each result carries a ``partialFingerprints`` entry without the line number, so an
alert survives code moving within its file (GitHub asks for one when uploading through its API).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from detectors.code.notebook import notebook_path
from inventory_db.store import EvidenceRecord, SystemRecord
from reports.inventory import ReportData
from scanner import __version__

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_PREFIX = "aicensus/"
FINGERPRINT_KEY = "aicensusEvidence/v1"
MAX_RESULTS = 25_000
"""GitHub code scanning accepts at most 25,000 results per run."""
LEVELS = {"high": "warning", "medium": "note", "low": "none"}
_LOCATION = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?$")


def _message_text(text: str) -> str:
    """Plain SARIF message text: brackets escaped so a snippet is never read as a link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def split_location(location: str) -> tuple[str, int | None]:
    """``app/bot.py:5`` -> (``app/bot.py``, 5); a notebook cell's line is not a file line."""
    match = _LOCATION.match(location)
    assert match is not None  # the pattern matches any non-empty string
    path, line = match["path"], match["line"]
    file = notebook_path(path)
    if file != path:
        return file, None
    return path, int(line) if line else None


def _rule(system: SystemRecord) -> dict[str, Any]:
    name = system.product_name
    text = (
        f"{name} ({system.vendor_name}, {system.category}) is used here. aicensus records it in "
        "the AI inventory; register it (aicensus inventory set-status) so it is not shadow AI."
    )
    return {
        "id": RULE_PREFIX + system.product,
        "name": re.sub(r"[^A-Za-z0-9]", "", name.title()) or system.product,
        "shortDescription": {"text": f"AI in use: {name}"},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": "note"},
        "properties": {
            "tags": ["ai-inventory", system.category, system.vendor],
            "precision": "high",
            "problem.severity": "recommendation",
        },
    }


def _level(evidence: EvidenceRecord) -> str:
    if evidence.signal == "key":
        return "error"
    return LEVELS.get(evidence.confidence, "note")


def _result(system: SystemRecord, evidence: EvidenceRecord, rule_index: int) -> dict[str, Any]:
    path, line = split_location(evidence.location)
    what = evidence.snippet or evidence.attributes.get("matched", "")
    message = f"{system.product_name} ({evidence.signal.replace('_', ' ')})"
    if evidence.signal == "key":
        message = f"A {system.product_name} API key is committed here (masked: {what})"
    elif what:
        message += f": {what}"
    location: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/")}}
    if line is not None and line >= 1:
        location["region"] = {"startLine": line}
    digest = hashlib.sha256(
        "\0".join((system.product, path, evidence.signal, evidence.snippet)).encode()
    ).hexdigest()
    properties: dict[str, Any] = {
        "system": system.id,
        "identityKey": system.identity_key,
        "status": system.status,
        "confidence": evidence.confidence,
        "signal": evidence.signal,
    }
    if evidence.models:
        properties["models"] = list(evidence.models)
    return {
        "ruleId": RULE_PREFIX + system.product,
        "ruleIndex": rule_index,
        "level": _level(evidence),
        "message": {"text": _message_text(message)},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_KEY: digest[:32]},
        "properties": properties,
    }


def build_sarif(data: ReportData) -> dict[str, Any]:
    """The SARIF log of a report's code evidence (every code scope in one run)."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for system in data.systems:
        if system.scope_kind != "code":
            continue
        for evidence in system.evidence:
            if system.product not in index:
                index[system.product] = len(rules)
                rules.append(_rule(system))
            results.append(_result(system, evidence, index[system.product]))
    truncated = len(results) > MAX_RESULTS
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "aicensus",
                "semanticVersion": __version__,
                "version": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": "aicensus/"},
        "columnKind": "unicodeCodePoints",
        "results": results[:MAX_RESULTS],
        "properties": {
            "scan": data.scan.id if data.scan is not None else None,
            "scopes": sorted({s.scope_id for s in data.systems if s.scope_kind == "code"}),
            "truncated": truncated,
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def to_sarif(data: ReportData) -> str:
    """The SARIF log as JSON text."""
    return json.dumps(build_sarif(data), indent=2) + "\n"
