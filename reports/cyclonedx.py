"""The inventory as a CycloneDX 1.6 BOM (an AI bill of materials), built with cyclonedx-python-lib.

- Every AI system is a component (``system:<id>``): a framework, library, platform or
  application by its category; a model file found on disk is a ``machine-learning-model``.
- Every model id the evidence names is a ``machine-learning-model`` component (``model:<id>``).
- Every hosted API or SaaS product the systems use is a service (``service:<product>``), with
  the hosts the evidence saw as endpoints.
- Dependencies tie each system to the models it names and the service it calls.

cyclonedx-python-lib 11 has no model card object yet (``Component.model_card``, in the schema
since CycloneDX 1.5, is still open in the library), so the model card facts aicensus knows are
properties in the ``aicensus:model:`` namespace; everything else about a system is in the
``aicensus:`` namespace.
"""

from __future__ import annotations

import re
from collections import defaultdict

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.service import Service
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion

from inventory_db.store import SystemRecord
from reports.inventory import ReportData, iso
from scanner import __version__

SCHEMA_VERSION = SchemaVersion.V1_6
HOSTED = frozenset({"llm-api", "cloud-ai-service", "saas-ai-feature", "ai-web-app"})
"""Categories whose product is a service someone else runs (reached over the network)."""
COMPONENT_TYPES = {
    "agent-framework": ComponentType.FRAMEWORK,
    "ml-framework": ComponentType.FRAMEWORK,
    "vector-db": ComponentType.LIBRARY,
    "mcp": ComponentType.APPLICATION,
    "model-server": ComponentType.APPLICATION,
    "model-file": ComponentType.MACHINE_LEARNING_MODEL,
    "ml-platform": ComponentType.PLATFORM,
    "cloud-ai-service": ComponentType.PLATFORM,
    "saas-ai-feature": ComponentType.APPLICATION,
    "ai-web-app": ComponentType.APPLICATION,
    "llm-api": ComponentType.APPLICATION,
    "api-key": ComponentType.DATA,
}
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?$")
_LOCATION = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")
MODEL_FILE_FACTS = (
    "format",
    "model_name",
    "architecture",
    "size_label",
    "size_bytes",
    "tensors",
    "dtypes",
    "producer",
    "description",
    "author",
)
"""Model file attributes that are model card facts (carried as ``aicensus:model:<fact>``)."""


def _props(pairs: list[tuple[str, str]]) -> list[Property]:
    return [Property(name=name, value=value) for name, value in pairs if value]


def _occurrences(system: SystemRecord) -> list[Occurrence]:
    result = []
    for e in system.evidence:
        match = _LOCATION.match(e.location)
        if match:
            result.append(Occurrence(location=match["path"], line=int(match["line"])))
        else:
            result.append(Occurrence(location=e.location))
    return result


def _system_component(system: SystemRecord, shadow: bool) -> Component:
    facts = [
        ("aicensus:identity_key", system.identity_key),
        ("aicensus:product", system.product),
        ("aicensus:category", system.category),
        ("aicensus:scope", f"{system.scope_kind}:{system.scope_id}"),
        ("aicensus:scope_name", system.scope_name),
        ("aicensus:resource", system.instance),
        ("aicensus:status", system.status),
        ("aicensus:shadow_ai", "true" if shadow else "false"),
        ("aicensus:confidence", system.confidence),
        ("aicensus:owner", system.owner),
        ("aicensus:owner_email", system.owner_email),
        ("aicensus:team", system.team),
        ("aicensus:business_purpose", system.business_purpose),
        ("aicensus:first_seen", iso(system.first_seen) or ""),
        ("aicensus:last_seen", iso(system.last_seen) or ""),
        ("aicensus:evidence_count", str(system.evidence_count)),
    ]
    if system.category == "model-file":
        attributes: dict[str, str] = {}
        for e in system.evidence:
            attributes.update(e.attributes)
        facts += [(f"aicensus:model:{k}", attributes.get(k, "")) for k in MODEL_FILE_FACTS]
    where = system.instance_name or system.scope_name or system.scope_id
    occurrences = _occurrences(system)
    return Component(
        bom_ref=f"system:{system.id}",
        type=COMPONENT_TYPES.get(system.category, ComponentType.APPLICATION),
        name=system.product_name,
        group=system.vendor,
        description=f"{system.product_name} ({system.vendor_name}) in {where}",
        properties=_props(facts),
        tags=sorted({system.category, system.vendor}),
        evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
    )


def _model_component(model: str, users: list[SystemRecord]) -> Component:
    via = sorted({u.product_name for u in users})
    vendors = sorted({u.vendor_name for u in users})
    return Component(
        bom_ref=f"model:{model}",
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=model,
        description=f"Model {model}, used through {', '.join(via)}",
        properties=_props(
            [
                ("aicensus:model:id", model),
                ("aicensus:model:accessed_through", ", ".join(via)),
                ("aicensus:model:provider", ", ".join(vendors)),
                (
                    "aicensus:model:use_cases",
                    "; ".join(sorted({u.business_purpose for u in users if u.business_purpose})),
                ),
                ("aicensus:model:systems", ", ".join(str(u.id) for u in users)),
            ]
        ),
        tags=["ai-model"],
    )


def _endpoints(users: list[SystemRecord]) -> list[XsUri]:
    hosts = sorted(
        {
            e.attributes.get("matched", "").lower()
            for u in users
            for e in u.evidence
            if e.signal == "host"
        }
    )
    return [XsUri(f"https://{h}") for h in hosts if h and _HOST.match(h)]


def _service(users: list[SystemRecord]) -> Service:
    first = users[0]
    return Service(
        bom_ref=f"service:{first.product}",
        name=first.product_name,
        group=first.vendor,
        provider=OrganizationalEntity(name=first.vendor_name),
        description=f"{first.product_name}, a hosted {first.category} of {first.vendor_name}",
        endpoints=_endpoints(users),
        properties=_props(
            [
                ("aicensus:product", first.product),
                ("aicensus:category", first.category),
                ("aicensus:systems", ", ".join(str(u.id) for u in users)),
            ]
        ),
    )


def build_bom(data: ReportData) -> Bom:
    """The BOM object for a report's systems (serialise it with :func:`to_cyclonedx`)."""
    shadow = {s.id for s in data.shadow}
    tool = Component(type=ComponentType.APPLICATION, name="aicensus", version=__version__)
    subject = Component(
        bom_ref="inventory",
        type=ComponentType.APPLICATION,
        name="AI inventory",
        description=(
            f"AI systems found by aicensus scan {data.scan.id}"
            if data.scan is not None
            else "AI systems found by aicensus (no finished scan yet)"
        ),
    )
    metadata = BomMetaData(component=subject, timestamp=data.generated_at)
    metadata.tools.components.add(tool)
    if data.scan is not None:
        metadata.properties.add(Property(name="aicensus:scan", value=str(data.scan.id)))
        metadata.properties.add(Property(name="aicensus:scan_status", value=data.scan.status))
    bom = Bom(metadata=metadata)

    systems = {s.id: _system_component(s, s.id in shadow) for s in data.systems}
    model_users: dict[str, list[SystemRecord]] = defaultdict(list)
    service_users: dict[str, list[SystemRecord]] = defaultdict(list)
    for s in data.systems:
        for model in s.models:
            model_users[model].append(s)
        if s.category in HOSTED:
            service_users[s.product].append(s)
    models = {m: _model_component(m, users) for m, users in sorted(model_users.items())}
    services = {p: _service(users) for p, users in sorted(service_users.items())}

    for component in [*systems.values(), *models.values()]:
        bom.components.add(component)
    for service in services.values():
        bom.services.add(service)
    bom.register_dependency(subject, list(systems.values()))
    for s in data.systems:
        needs: list[Component | Service] = [models[m] for m in s.models]
        if s.product in services:
            needs.append(services[s.product])
        bom.register_dependency(systems[s.id], needs)
    for component in models.values():
        bom.register_dependency(component, [])
    for service in services.values():
        bom.register_dependency(service, [])
    return bom


def to_cyclonedx(data: ReportData) -> str:
    """The BOM as CycloneDX 1.6 JSON."""
    return JsonV1Dot6(build_bom(data)).output_as_string(indent=2)
