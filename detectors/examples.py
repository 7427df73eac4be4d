"""Running the fingerprints' own examples through the real engine (prefilter included).

Used by ``aicensus fingerprints check`` and the test suite: a fingerprint's examples are its tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import Scope
from detectors.base import Signal
from detectors.engine import scan_data
from fingerprints.catalog import Catalog, ExampleCase
from fingerprints.schema import SIGNAL_FIELD, SignalKind

EXAMPLE_SCOPE = Scope("code", "example", "example")


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    """Whether an example behaved, and what happened instead when it did not."""

    case: ExampleCase
    ok: bool
    detail: str = ""


def run_example(catalog: Catalog, case: ExampleCase) -> ExampleOutcome:
    """Scan the example text as a file and compare with what it expects."""
    ex = case.example
    name = ex.file_name()
    result = scan_data(catalog, EXAMPLE_SCOPE, name, ex.text.encode())
    mine = [f for f in result.findings if f.product_id == case.product_id]
    if ex.expect == "none":
        if mine:
            got = ", ".join(f"{f.signal.value}@{f.location}" for f in mine)
            return ExampleOutcome(case, False, f"expected no finding, got {got}")
        return ExampleOutcome(case, True)
    wanted = Signal(ex.signal.value)
    hits = [f for f in mine if f.signal is wanted]
    if not hits:
        got = ", ".join(f"{f.product_id}:{f.signal.value}" for f in result.findings) or "nothing"
        why = f" ({result.skip_reason})" if result.skip_reason else ""
        return ExampleOutcome(case, False, f"expected {wanted.value} in {name}, got {got}{why}")
    models = {m for f in hits for m in f.models}
    missing = [m for m in ex.models if m not in models]
    if missing:
        return ExampleOutcome(case, False, f"models {missing} not reported (got {sorted(models)})")
    return ExampleOutcome(case, True)


def completeness_errors(catalog: Catalog) -> list[str]:
    """Products missing a positive example for a signal kind they declare, or any negative."""
    errors: list[str] = []
    for fp in catalog.files:
        for product in fp.products:
            positives = {ex.signal for ex in product.examples if ex.expect == "match"}
            for kind in SignalKind:
                declared = getattr(product.signals, SIGNAL_FIELD[kind])
                if declared and kind not in positives:
                    errors.append(f"{fp.id}/{product.id}: no positive example for {kind.value}")
            if not any(ex.expect == "none" for ex in product.examples):
                errors.append(f"{fp.id}/{product.id}: no negative example")
    return errors
