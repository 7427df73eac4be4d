"""Match code facts (imports, calls, string literals) against the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterator

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.code.facts import CodeFacts
from detectors.config import make_finding
from detectors.textscan import host_of, model_candidates
from fingerprints.catalog import Catalog

MODEL_ARGUMENTS = frozenset(
    {
        "model",
        "model_id",
        "modelId",
        "model_name",
        "modelName",
        "engine",
        "deployment_name",
        "azure_deployment",
        "deployment",
        "llm",
        "model_path",
        "repo_id",
        "pretrained_model_name_or_path",
    }
)
"""Keyword arguments (or object properties) whose string value is the model a call uses."""

_JS_ENV = re.compile(r"(?:process\.env|import\.meta\.env)\.([A-Z_][A-Z0-9_]*)")


def detect_code(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    facts: CodeFacts,
    lines: list[str],
    hit_lines: list[int],
) -> Iterator[Finding]:
    """Findings for one parsed source file."""
    products = catalog.products

    def line_text(number: int) -> str:
        return lines[number - 1] if 0 < number <= len(lines) else ""

    for imp in facts.imports:
        for pid in sorted(catalog.match_import(facts.language, imp.module, imp.names)):
            yield make_finding(
                products[pid],
                scope,
                relpath,
                imp.line,
                Signal.CODE_IMPORT,
                Confidence.HIGH,
                imp.module,
                line_text(imp.line),
            )

    model_uses: set[str] = set()
    for call in facts.calls:
        for key, value in call.kwargs.items():
            if key in MODEL_ARGUMENTS:
                model_uses.add(value)
        for pid in sorted(catalog.match_call(facts.language, call.callee, call.args, call.kwargs)):
            yield make_finding(
                products[pid],
                scope,
                relpath,
                call.line,
                Signal.CODE_CALL,
                Confidence.HIGH,
                call.callee,
                line_text(call.line),
            )

    for lit in facts.strings:
        value = lit.value
        if not value or len(value) > 300:
            continue
        for pid in catalog.env_vars.get(value, ()):
            yield make_finding(
                products[pid],
                scope,
                relpath,
                lit.line,
                Signal.ENV_VAR,
                Confidence.MEDIUM,
                value,
                line_text(lit.line),
            )
        host = host_of(value)
        if host is not None:
            for pid in catalog.match_host(host):
                yield make_finding(
                    products[pid],
                    scope,
                    relpath,
                    lit.line,
                    Signal.HOST,
                    Confidence.MEDIUM,
                    host,
                    line_text(lit.line),
                )
        for candidate in model_candidates(value):
            pids = catalog.match_model(candidate)
            if not pids:
                continue
            confidence = Confidence.MEDIUM if value in model_uses else Confidence.LOW
            for pid in pids:
                yield make_finding(
                    products[pid],
                    scope,
                    relpath,
                    lit.line,
                    Signal.MODEL_ID,
                    confidence,
                    candidate,
                    line_text(lit.line),
                    (candidate,),
                )
            break

    if facts.language != "python":
        for number in hit_lines:
            text = line_text(number)
            stripped = text.lstrip()
            if stripped.startswith(("//", "*", "/*")):
                continue
            for m in _JS_ENV.finditer(text):
                for pid in catalog.env_vars.get(m.group(1), ()):
                    yield make_finding(
                        products[pid],
                        scope,
                        relpath,
                        number,
                        Signal.ENV_VAR,
                        Confidence.MEDIUM,
                        m.group(1),
                        text,
                    )
