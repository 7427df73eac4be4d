"""Running the fingerprints' own examples through the real engine (prefilter included).

Used by ``aicensus fingerprints check`` and the test suite: a fingerprint's examples are its tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml

from connectors.base import CloudResource, Observation, ObservationKind, Scope
from detectors.base import Finding, Signal
from detectors.cloud import detect_resource
from detectors.engine import scan_data
from fingerprints.catalog import Catalog, ExampleCase
from fingerprints.schema import SIGNAL_FIELD, SignalKind

EXAMPLE_SCOPE = Scope("code", "example", "example")
EXAMPLE_RESOURCE_SCOPE = Scope("cloud", "example", "example")
_TUPLE_FIELDS = ("model_ids", "images", "env_var_names", "hosts", "principals")


def resource_from_example(text: str) -> CloudResource:
    """The resource a ``cloud_resource`` example describes (a YAML mapping); ValueError if bad."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"resource example is not YAML: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ValueError("resource example must be a mapping with a 'type'")
    data.setdefault("id", f"example/{data['type']}")
    for key in _TUPLE_FIELDS:
        data[key] = tuple(str(v) for v in data.get(key) or ())
    for key in ("properties", "tags"):
        data[key] = {str(k): str(v) for k, v in (data.get(key) or {}).items()}
    if isinstance(data.get("created"), str):
        data["created"] = datetime.fromisoformat(data["created"])
    try:
        return CloudResource(**data)
    except TypeError as err:
        raise ValueError(f"resource example: {err}") from err


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    """Whether an example behaved, and what happened instead when it did not."""

    case: ExampleCase
    ok: bool
    detail: str = ""


def run_example(catalog: Catalog, case: ExampleCase) -> ExampleOutcome:
    """Scan the example text as a file and compare with what it expects."""
    ex = case.example
    if ex.signal in (SignalKind.CLOUD_RESOURCE, SignalKind.SAAS_APP):
        try:
            resource = resource_from_example(ex.text)
        except ValueError as err:
            return ExampleOutcome(case, False, str(err))
        name = f"resource {resource.type}"
        obs = Observation(
            EXAMPLE_RESOURCE_SCOPE, ObservationKind.RESOURCE, resource.id, None, resource
        )
        findings: list[Finding] = detect_resource(catalog, obs)
        skip_reason: str | None = None
    else:
        name = ex.file_name()
        result = scan_data(catalog, EXAMPLE_SCOPE, name, ex.text.encode())
        findings, skip_reason = list(result.findings), result.skip_reason
    mine = [f for f in findings if f.product_id == case.product_id]
    if ex.expect == "none":
        if mine:
            got = ", ".join(f"{f.signal.value}@{f.location}" for f in mine)
            return ExampleOutcome(case, False, f"expected no finding, got {got}")
        return ExampleOutcome(case, True)
    wanted = Signal(ex.signal.value)
    hits = [f for f in mine if f.signal is wanted]
    if not hits:
        got = ", ".join(f"{f.product_id}:{f.signal.value}" for f in findings) or "nothing"
        why = f" ({skip_reason})" if skip_reason else ""
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
