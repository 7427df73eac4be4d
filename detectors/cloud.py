"""Findings from cloud and SaaS resource observations.

A connector reports plain facts about a resource (type, kind, model ids, images, environment
variable names, hosts); this module asks the catalog what they mean. A managed resource whose
type is a product becomes an AI system of its own (``Finding.instance``); everything else a
resource names (an OpenAI key's variable name in a function, a model id in an audit event) is
evidence of the scope-wide system of that product, located at the resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from connectors.base import CloudResource, Observation
from detectors.base import Confidence, Finding, Location, Signal
from fingerprints.catalog import Catalog

MAX_ATTRIBUTES = 24
"""Properties kept per finding: enough to read, bounded for huge resources."""
MAX_VALUE = 256


def detect_resource(catalog: Catalog, observation: Observation) -> list[Finding]:
    """Every finding one resource observation holds; empty when it names nothing AI."""
    res = observation.resource
    if res is None:
        return []
    models = tuple(dict.fromkeys(m for m in res.model_ids if m))
    attributes = _attributes(res)
    location = Location(observation.locator)
    findings: list[Finding] = []

    def add(
        product_id: str,
        signal: Signal,
        matched: str,
        *,
        own: bool,
        confidence: Confidence = Confidence.HIGH,
        names: tuple[str, ...] = models,
    ) -> None:
        info = catalog.products[product_id]
        findings.append(
            Finding(
                fingerprint_id=info.fingerprint_id,
                product_id=info.id,
                product_name=info.name,
                vendor=info.vendor,
                vendor_name=info.vendor_name,
                category=info.category,
                scope=observation.scope,
                location=location,
                signal=signal,
                confidence=confidence,
                attributes={**attributes, "matched": matched[:MAX_VALUE]},
                models=names,
                snippet=f"{res.type} {res.name or res.id}"[:200],
                area=res.area or observation.scope.kind,
                instance=res.id if own else "",
                instance_name=res.name if own else "",
            )
        )

    typed = catalog.match_resource(res.type, res.kind, res.properties)
    for pid in typed:
        add(pid, Signal.CLOUD_RESOURCE, res.type, own=res.standalone)
    claimed = set(typed)

    def secondary(
        pid: str,
        signal: Signal,
        matched: str,
        names: tuple[str, ...] = (),
        confidence: Confidence = Confidence.HIGH,
    ) -> None:
        if pid not in claimed:
            claimed.add(pid)
            add(pid, signal, matched, own=False, names=names, confidence=confidence)

    for model in models:
        for pid in catalog.match_model(model):
            secondary(pid, Signal.MODEL_ID, model, _models_of(catalog, pid, models))
    for image in res.images:
        for pid in catalog.match_image(image):
            secondary(pid, Signal.IMAGE, image)
    for var in res.env_var_names:
        for pid, confidence in env_name_products(catalog, var):
            secondary(pid, Signal.ENV_VAR, var, confidence=confidence)
    for host in res.hosts:
        for pid in catalog.match_host(host):
            secondary(pid, Signal.HOST, host)
    if res.publisher or res.app_id:  # only SaaS applications carry these
        strength = {"id": Confidence.HIGH, "name": Confidence.HIGH}
        apps = catalog.match_app(res.name, res.publisher, res.app_id, res.hosts)
        for pid, how in apps.items():
            matched = {"id": res.app_id, "publisher": res.publisher}.get(how, res.name)
            if how == "domain":
                matched = ", ".join(res.hosts)
            claimed.discard(pid)  # an app match outranks a hostname match of the same product
            findings[:] = [f for f in findings if f.product_id != pid]
            secondary(
                pid,
                Signal.SAAS_APP,
                f"{how}: {matched}",
                confidence=strength.get(how, Confidence.MEDIUM),
            )
    return findings


_NAME_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
KEY_SUFFIXES = ("API_KEY", "APIKEY", "KEY", "TOKEN", "SECRET", "ACCESS_KEY")
"""Last words of a secret's or parameter's name that say it holds a credential."""


def env_name_products(catalog: Catalog, name: str) -> list[tuple[str, Confidence]]:
    """Products an environment variable, secret or parameter *name* points at.

    An exact variable name (``OPENAI_API_KEY``) is high confidence. A secret store's entry name
    (``prod/openai-api-key``, ``/app/anthropic_api_key``) is normalised (last path segment, upper
    case, ``_`` separators) and matched again (medium). Failing that, a name ending in a
    credential word whose other words hold the stem of a catalog key variable (``OPENAI`` of
    ``OPENAI_API_KEY``: ``prod/openai/key``) is a low-confidence hint.
    """
    exact = catalog.env_vars.get(name)
    if exact:
        return [(pid, Confidence.HIGH) for pid in exact]
    last = re.split(r"[/:]", name.strip("/"))[-1] if name.strip("/") else name
    normal = _NAME_SEPARATORS.sub("_", last).strip("_").upper()
    whole = _NAME_SEPARATORS.sub("_", name).strip("_").upper()
    for candidate in (normal, whole):
        found = catalog.env_vars.get(candidate)
        if found:
            return [(pid, Confidence.MEDIUM) for pid in found]
    suffix = next((s for s in KEY_SUFFIXES if whole.endswith("_" + s) or whole == s), None)
    if suffix is None:
        return []
    words = whole[: -len(suffix)].strip("_").split("_")
    stems = catalog.key_stems
    hits: list[tuple[str, Confidence]] = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            for pid in stems.get("_".join(words[start : start + size]), ()):
                if all(pid != p for p, _ in hits):
                    hits.append((pid, Confidence.LOW))
        if hits:
            return hits
    return hits


def _models_of(catalog: Catalog, product_id: str, models: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(m for m in models if product_id in catalog.match_model(m))


def _attributes(res: CloudResource) -> dict[str, str]:
    """Flat, bounded facts: where, what, since when, and the resource's own properties."""
    attrs: dict[str, str] = {"resource_type": res.type}
    if res.kind:
        attrs["kind"] = res.kind
    if res.region:
        attrs["region"] = res.region
    if res.name:
        attrs["name"] = res.name[:MAX_VALUE]
    if res.created is not None:
        attrs["created"] = res.created.isoformat()
    if res.principals:
        attrs["principals"] = ", ".join(res.principals[:10])[:MAX_VALUE]
    for prefix, mapping in (("", res.properties), ("tag:", res.tags)):
        for key, value in _bounded(mapping, MAX_ATTRIBUTES - len(attrs)):
            attrs[f"{prefix}{key}"] = value
    return attrs


def _bounded(mapping: Mapping[str, str], room: int) -> list[tuple[str, str]]:
    items = sorted(mapping.items())[: max(room, 0)]
    return [(str(k)[:64], str(v)[:MAX_VALUE]) for k, v in items]
