"""Match code facts (imports, calls, string literals) against the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterator

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.code.facts import CodeFacts
from detectors.config import make_finding
from detectors.textscan import host_of, model_candidates
from fingerprints.catalog import JS_LANGUAGES, Catalog

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
"""Keyword arguments (or object properties) whose string value is the model a call uses.

In the other languages a capitalised key (Go struct fields, C# properties: ``Model``,
``ModelId``) counts as well, and so does a builder setter named so (Java/Kotlin/Rust
``.model("gpt-4o")``, ``.modelName(...)``): its first string argument is the model."""

_SCRIPT_LANGUAGES = frozenset({"python", *JS_LANGUAGES})

_JS_ENV = re.compile(r"(?:process\.env|import\.meta\.env)\.([A-Z_][A-Z0-9_]*)")


def detect_code(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    facts: CodeFacts,
    lines: list[str],
    hit_lines: list[int],
) -> Iterator[Finding]:
    """Findings for one parsed source file.

    In languages other than Python and JavaScript, a product that ``supersedes`` another and is
    named anywhere in the file (import or call) drops the other's import evidence of that file.
    """
    products = catalog.products

    def line_text(number: int) -> str:
        return lines[number - 1] if 0 < number <= len(lines) else ""

    imports = [
        (imp, sorted(catalog.match_import(facts.language, imp.module, imp.names)))
        for imp in facts.imports
    ]
    builders = facts.language not in _SCRIPT_LANGUAGES
    superseded: set[str] = set()
    if builders:
        # A namespace import names a library, not the service it talks to: Azure OpenAI for .NET
        # builds on the OpenAI library (``using Azure.AI.OpenAI; using OpenAI.Chat;``). Where a
        # file names a product that supersedes another, the other's imports there are dropped.
        for _, matched in imports:
            for pid in matched:
                superseded.update(catalog.supersedes.get(pid, ()))
        for call in facts.calls:
            for pid in catalog.match_call(facts.language, call.callee, call.args, call.kwargs):
                superseded.update(catalog.supersedes.get(pid, ()))
    reported: set[tuple[str, int]] = set()
    for imp, matched in imports:
        for pid in matched:
            if pid in superseded:
                continue
            if builders:
                # One use tree (``use a::{b, c}``) is several imports on one line: one finding.
                if (pid, imp.line) in reported:
                    continue
                reported.add((pid, imp.line))
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
            if key in MODEL_ARGUMENTS or (
                builders and key[:1].lower() + key[1:] in MODEL_ARGUMENTS
            ):
                model_uses.add(value)
        if builders and call.args and call.callee.rsplit(".", 1)[-1] in MODEL_ARGUMENTS:
            model_uses.add(call.args[0])
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

    if facts.language in JS_LANGUAGES:
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
