"""Configuration and text files: environment variable names, API hosts and model ids.

Only lines that hold a catalog keyword are examined; values are never stored, only the name
or host that matched and a redacted snippet.
"""

from __future__ import annotations

from collections.abc import Iterator

from connectors.base import Scope
from detectors.base import Confidence, Finding, Location, Signal
from detectors.redact import redact_line
from detectors.textscan import HOSTNAME, IDENTIFIER, VALUE_TOKEN, model_candidates
from fingerprints.catalog import Catalog, ProductInfo

MAX_LINE = 4096
"""Characters of one line that are examined."""


def make_finding(
    product: ProductInfo,
    scope: Scope,
    relpath: str,
    line: int | None,
    signal: Signal,
    confidence: Confidence,
    matched: str,
    snippet: str,
    models: tuple[str, ...] = (),
) -> Finding:
    """Build a finding with the product's catalog facts and a redacted snippet."""
    return Finding(
        fingerprint_id=product.fingerprint_id,
        product_id=product.id,
        product_name=product.name,
        vendor=product.vendor,
        vendor_name=product.vendor_name,
        category=product.category,
        scope=scope,
        location=Location(relpath, line),
        signal=signal,
        confidence=confidence,
        attributes={"matched": matched},
        models=models,
        snippet=redact_line(snippet),
    )


def detect_lines(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    lines: list[str],
    hit_lines: list[int],
    confidence: Confidence = Confidence.MEDIUM,
) -> Iterator[Finding]:
    """Findings on the given 1-based lines of a configuration or text file."""
    products = catalog.products
    for number in hit_lines:
        if number > len(lines):
            continue
        # Data blobs (minified JSON) can put megabytes on one line: look at its start only.
        line = lines[number - 1][:MAX_LINE]
        # (product, signal, matched) -> models; a dict keeps first-seen order and drops repeats
        matches: dict[tuple[str, Signal, str], tuple[str, ...]] = {}
        for m in IDENTIFIER.finditer(line):
            for pid in catalog.env_vars.get(m.group(0), ()):
                matches.setdefault((pid, Signal.ENV_VAR, m.group(0)), ())
        for m in HOSTNAME.finditer(line):
            host = m.group(1).lower()
            for pid in catalog.match_host(host):
                matches.setdefault((pid, Signal.HOST, host), ())
        for m in VALUE_TOKEN.finditer(line):
            for candidate in model_candidates(m.group(0)):
                pids = catalog.match_model(candidate)
                for pid in pids:
                    matches.setdefault((pid, Signal.MODEL_ID, candidate), (candidate,))
                if pids:
                    break
        for (pid, signal, matched), models in matches.items():
            yield make_finding(
                products[pid], scope, relpath, number, signal, confidence, matched, line, models
            )
