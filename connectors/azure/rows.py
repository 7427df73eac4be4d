"""ARM resources as plain rows, and rows as :class:`CloudResource` facts.

Resource Graph, ``resources.list`` and the Cognitive Services SDK each return a resource in a
slightly different shape (Resource Graph lower-cases ``type``; ``resources.list`` has no
``properties``). They are brought to one :data:`Row` here, so the rest of the connector reads one
shape, and turned into the flat facts detectors read. Pure functions: tested on stored payloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import CloudResource

Row = dict[str, Any]
"""``id``, ``name``, ``type`` (canonical casing), ``kind``, ``location``, ``subscriptionId``,
``resourceGroup``, ``sku``, ``properties``, ``tags``, ``createdTime`` (when known)."""

COGNITIVE_ACCOUNT = "Microsoft.CognitiveServices/accounts"
COGNITIVE_PROJECT = "Microsoft.CognitiveServices/accounts/projects"
ML_WORKSPACE = "Microsoft.MachineLearningServices/workspaces"
ML_ONLINE_ENDPOINT = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
ML_ONLINE_DEPLOYMENT = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
ML_SERVERLESS_ENDPOINT = "Microsoft.MachineLearningServices/workspaces/serverlessEndpoints"
ML_BATCH_ENDPOINT = "Microsoft.MachineLearningServices/workspaces/batchEndpoints"
ML_REGISTRY = "Microsoft.MachineLearningServices/registries"
SEARCH_SERVICE = "Microsoft.Search/searchServices"
BOT_SERVICE = "Microsoft.BotService/botServices"
WEB_SITE = "Microsoft.Web/sites"

AI_TYPES: tuple[str, ...] = (
    COGNITIVE_ACCOUNT,
    COGNITIVE_PROJECT,
    ML_WORKSPACE,
    ML_ONLINE_ENDPOINT,
    ML_ONLINE_DEPLOYMENT,
    ML_SERVERLESS_ENDPOINT,
    ML_BATCH_ENDPOINT,
    ML_REGISTRY,
    SEARCH_SERVICE,
    BOT_SERVICE,
    WEB_SITE,
)
"""The ARM types the bulk query asks for: managed AI resources, plus web apps and function apps
whose app setting *names* can show AI use. Whether a type (and kind) is an AI product is the
catalog's call, not this list's."""

CANONICAL = {t.lower(): t for t in AI_TYPES}

DEPLOYMENT_KINDS = frozenset({"openai", "aiservices"})
"""Cognitive Services account kinds that hold model deployments, content-filter (RAI) policies
and, for AIServices, Foundry projects."""
PROJECT_KINDS = frozenset({"aiservices"})

_MODEL_ASSET = re.compile(r"/models/([^/]+)(?:/versions/([^/]+))?", re.IGNORECASE)
_MODEL_SHORT = re.compile(r"^azureml:([^:/]+)(?::([^:/]+))?$", re.IGNORECASE)


def model_id(name: str | None, version: str | None = None) -> str:
    """``name:version`` (or ``name`` when the version is unknown): governance needs both, and a
    version change then shows in the diff as a changed model."""
    if not name:
        return ""
    return f"{name}:{version}" if version else name


def model_from_asset(asset: str | None) -> str:
    """The model an Azure ML asset reference names: ``azureml://registries/r/models/m/versions/3``,
    ``/subscriptions/.../models/m/versions/3`` or ``azureml:m:3`` -> ``m:3``."""
    if not asset:
        return ""
    short = _MODEL_SHORT.match(asset.strip())
    if short:
        return model_id(short.group(1), short.group(2))
    found = _MODEL_ASSET.search(asset)
    return model_id(found.group(1), found.group(2)) if found else ""


def parent_id(arm_id: str, child: str) -> str:
    """The id of the resource ``arm_id`` is a ``child`` of (``/deployments/blue`` -> endpoint)."""
    cut = arm_id.lower().rfind(f"/{child.lower()}/")
    return arm_id[:cut] if cut > 0 else ""


def resource_group(arm_id: str) -> str:
    """The resource group segment of an ARM id."""
    parts = arm_id.split("/")
    return parts[4] if len(parts) > 4 else ""


def from_graph(row: Mapping[str, Any], canonical: Mapping[str, str] = CANONICAL) -> Row:
    """A Resource Graph ``Resources`` row (``objectArray`` format) as a :data:`Row`; ``type``
    gets its canonical casing back from ``canonical`` (lower-case type -> type)."""
    rtype = str(row.get("type") or "")
    return {
        "id": row.get("id") or "",
        "name": row.get("name") or "",
        "type": canonical.get(rtype.lower(), rtype),
        "kind": row.get("kind") or None,
        "location": row.get("location") or "",
        "subscriptionId": row.get("subscriptionId") or "",
        "resourceGroup": row.get("resourceGroup") or resource_group(str(row.get("id") or "")),
        "sku": row.get("sku") if isinstance(row.get("sku"), dict) else None,
        "properties": row.get("properties") if isinstance(row.get("properties"), dict) else {},
        "tags": row.get("tags") if isinstance(row.get("tags"), dict) else {},
        "systemData": row.get("systemData") if isinstance(row.get("systemData"), dict) else {},
    }


def from_arm(item: Mapping[str, Any], canonical: Mapping[str, str] = CANONICAL) -> Row:
    """An ARM JSON resource (``resources.list`` item, SDK model serialised) as a :data:`Row`."""
    row = from_graph(item, canonical)
    arm_id = str(row["id"])
    parts = arm_id.split("/")
    row["subscriptionId"] = parts[2] if len(parts) > 2 else ""
    row["resourceGroup"] = resource_group(arm_id)
    if item.get("createdTime"):
        row["createdTime"] = str(item["createdTime"])
    return row


@dataclass
class Details:
    """What the per-resource reads added to a row (deployments, policies, settings)."""

    models: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    env_var_names: list[str] = field(default_factory=list)


def to_resource(row: Row, details: Details | None = None) -> CloudResource:
    """The facts of one row, with what detail reads found."""
    extra = details or Details()
    rtype = str(row["type"])
    props: Mapping[str, Any] = row.get("properties") or {}
    facts: dict[str, str] = {}
    sku = row.get("sku") or {}
    if sku.get("name"):
        facts["sku"] = str(sku["name"])
    for key in (
        "publicNetworkAccess",
        "disableLocalAuth",
        "endpoint",
        "customSubDomainName",
        "friendlyName",
        "hubResourceId",
        "authMode",
        "scoringUri",
        "semanticSearch",
        "msaAppType",
        "displayName",
        "account",
        "provisioningState",
    ):
        value = props.get(key)
        if value is not None and not isinstance(value, dict | list):
            facts[key] = str(value)
    acls = props.get("networkAcls")
    if isinstance(acls, dict) and acls.get("defaultAction"):
        facts["networkDefaultAction"] = str(acls["defaultAction"])
    if rtype == ML_SERVERLESS_ENDPOINT:
        settings = props.get("modelSettings") or {}
        facts["model"] = str(settings.get("modelId") or "")
    facts.update(extra.properties)
    models = list(extra.models)
    if rtype == ML_SERVERLESS_ENDPOINT:
        models.insert(0, model_from_asset((props.get("modelSettings") or {}).get("modelId")))
    system = row.get("systemData") or {}
    created = _datetime(system.get("createdAt") or row.get("createdTime"))
    name = str(row.get("name") or "").rsplit("/", 1)[-1]
    return CloudResource(
        type=rtype,
        id=str(row["id"]),
        name=name,
        area="appsettings" if rtype == WEB_SITE else "resources",
        region=str(row.get("location") or ""),
        kind=row.get("kind") or None,
        standalone=rtype != WEB_SITE,
        properties={k: v for k, v in facts.items() if v != ""},
        tags={str(k): str(v) for k, v in (row.get("tags") or {}).items()},
        created=created,
        model_ids=tuple(dict.fromkeys(m for m in models if m)),
        env_var_names=tuple(dict.fromkeys(extra.env_var_names)),
        principals=tuple(p for p in (system.get("createdBy"),) if isinstance(p, str) and p),
    )


def setting_names(row: Row) -> list[str]:
    """App setting names a site's own properties carry (``siteConfig.appSettings``); usually
    empty, because ARM leaves values and names out of GET responses."""
    config = (row.get("properties") or {}).get("siteConfig") or {}
    settings = config.get("appSettings") or []
    return [str(s["name"]) for s in settings if isinstance(s, dict) and s.get("name")]


def deployment_summary(
    model: str, sku: str | None, capacity: int | None, extra: Iterable[str] = ()
) -> str:
    """One deployment as a readable attribute value: ``gpt-4o:2024-08-06 GlobalStandard x10``."""
    parts = [model or "?"]
    if sku:
        parts.append(sku if capacity is None else f"{sku} x{capacity}")
    parts.extend(e for e in extra if e)
    return " ".join(parts)


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
