"""Cloud Asset search results and Service Usage services as plain ``CloudResource`` facts.

Pure functions: no client, no network. What a resource *is* (which product) is the catalog's
business; this module only reads the Cloud Asset schema: which project a result belongs to,
which models a Vertex AI endpoint serves, which APIs an API key may call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud import asset_v1, service_usage_v1

from connectors.base import CloudResource

logger = logging.getLogger(__name__)

PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
SERVICE_TYPE = "serviceusage.googleapis.com/Service"
KEY_TYPE = "apikeys.googleapis.com/Key"
ENDPOINT_TYPE = "aiplatform.googleapis.com/Endpoint"
MODEL_TYPE = "aiplatform.googleapis.com/Model"
USE_TYPES = (SERVICE_TYPE, KEY_TYPE)
"""Asset types that are traces of use (evidence of a project-wide system), not AI systems."""
RUN_SUFFIXES = ("Job", "Pipeline")
"""A job or pipeline *run* (``CustomJob``, ``PipelineJob``, ``TrainingPipeline``) is activity:
thousands of runs are one team's use of the product, not thousands of AI systems."""
ASSET_AREA = "asset"
"""Coverage area of everything read through Cloud Asset Inventory, per project."""
SERVICES_AREA = "serviceusage"
"""Coverage area of enabled services read through Service Usage (the fallback)."""
MAX_PROPERTIES = 12
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A project as the asset search or Resource Manager described it."""

    number: str
    project_id: str
    display_name: str = ""


def plain(value: Any) -> Any:
    """A proto-plus ``Struct`` (maps and lists of them) as plain dicts and lists."""
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [plain(v) for v in value]
    return value


def project_number(result: asset_v1.ResourceSearchResult) -> str:
    """The project number a result lives in (``projects/123`` → ``123``), or ``""``."""
    return str(result.project).removeprefix("projects/")


def project_info(result: asset_v1.ResourceSearchResult) -> ProjectInfo:
    """What a ``cloudresourcemanager.googleapis.com/Project`` result says about its project."""
    attrs = plain(result.additional_attributes) or {}
    number = project_number(result) or result.name.rsplit("/", 1)[-1]
    project_id = str(attrs.get("projectId") or number)
    return ProjectInfo(number, project_id, result.display_name or project_id)


def _body(result: asset_v1.ResourceSearchResult) -> dict[str, Any]:
    """The resource's own fields: the additional attributes overlaid by the newest version."""
    body: dict[str, Any] = dict(plain(result.additional_attributes) or {})
    for version in result.versioned_resources:
        content = plain(version.resource)
        if isinstance(content, dict):
            body.update(content)
    return body


def _short(asset_name: str) -> str:
    """``//aiplatform.googleapis.com/projects/..`` → ``projects/..`` (how resources refer)."""
    if asset_name.startswith("//"):
        return asset_name[2:].split("/", 1)[-1]
    return asset_name


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def model_ids(results: Iterable[asset_v1.ResourceSearchResult]) -> dict[str, str]:
    """Vertex AI model resource name → the model id it was made from (Model Garden name).

    An endpoint only names the Model resources it serves (``projects/p/locations/l/models/7``);
    the public model (``publishers/meta/models/llama3_1@...``) is on the Model itself.
    """
    found: dict[str, str] = {}
    for result in results:
        if result.asset_type != MODEL_TYPE:
            continue
        body = _body(result)
        public = _dig(body, "baseModelSource", "modelGardenSource", "publicModelName")
        if isinstance(public, str) and public:
            found[_short(result.name)] = public
    return found


def _deployed_models(body: dict[str, Any], models: Mapping[str, str]) -> tuple[str, ...]:
    names: list[str] = []
    for deployed in body.get("deployedModels") or ():
        if not isinstance(deployed, dict):
            continue
        ref = str(deployed.get("model") or "")
        name = models.get(ref) or str(deployed.get("displayName") or "")
        if name:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _api_targets(body: dict[str, Any]) -> tuple[str, ...]:
    targets = _dig(body, "restrictions", "apiTargets") or ()
    services = [str(t.get("service")) for t in targets if isinstance(t, dict) and t.get("service")]
    return tuple(dict.fromkeys(services))


def to_resource(
    result: asset_v1.ResourceSearchResult, area: str, models: Mapping[str, str]
) -> CloudResource | None:
    """One search result as a resource; None for what is no evidence (a project, a
    disabled service)."""
    rtype = result.asset_type
    if rtype == PROJECT_TYPE:
        return None
    state = str(result.state or "")
    if rtype == SERVICE_TYPE and state.upper() == "DISABLED":
        return None
    body = _body(result)
    properties: dict[str, str] = {}
    if state:
        properties["state"] = state
    if result.description:
        properties["description"] = result.description[:MAX_TEXT]
    number = project_number(result)
    if number:
        properties["project_number"] = number
    attrs = plain(result.additional_attributes) or {}
    for key in sorted(attrs)[:MAX_PROPERTIES]:
        value = attrs[key]
        if isinstance(value, str | int | float | bool) and key not in properties:
            properties[key] = str(value)[:MAX_TEXT]
    kind: str | None = None
    hosts: tuple[str, ...] = ()
    deployed: tuple[str, ...] = ()
    if rtype == SERVICE_TYPE:
        # The service's name is what a fingerprint's kind names (aiplatform.googleapis.com).
        display = result.display_name
        kind = display if "." in display else result.name.rsplit("/", 1)[-1]
    elif rtype == KEY_TYPE:
        # A key restricted to an API can call only that API's host: the host is the evidence.
        hosts = _api_targets(body)
        if hosts:
            properties["api_targets"] = ", ".join(hosts)[:MAX_TEXT]
    elif rtype == ENDPOINT_TYPE:
        deployed = _deployed_models(body, models)
        properties["deployed_models"] = str(len(body.get("deployedModels") or ()))
    elif rtype == MODEL_TYPE:
        own = models.get(_short(result.name))
        deployed = (own,) if own else ()
    else:
        # A tuning job's base model, a batch job's publisher model: the models a run used.
        used = [body.get("baseModel"), body.get("model")]
        deployed = tuple(
            m for m in used if isinstance(m, str) and ("/" not in m or "publishers/" in m) and m
        )
    return CloudResource(
        type=rtype,
        id=result.name,
        name=result.display_name or result.name.rsplit("/", 1)[-1],
        area=area,
        region=result.location,
        kind=kind,
        standalone=is_system(rtype),
        properties=properties,
        tags={str(k): str(v) for k, v in result.labels.items()},
        created=result.create_time or None,
        model_ids=deployed,
        hosts=hosts,
    )


def is_system(asset_type: str) -> bool:
    """Whether a resource of this type is an AI system of its own (else evidence of use)."""
    return asset_type not in USE_TYPES and not asset_type.endswith(RUN_SUFFIXES)


def service_resource(service: service_usage_v1.Service) -> CloudResource:
    """An enabled service from Service Usage, named as Cloud Asset names it."""
    name = service.config.name or service.name.rsplit("/", 1)[-1]
    properties = {"state": service_usage_v1.State(service.state).name}
    if service.config.title:
        properties["title"] = service.config.title[:MAX_TEXT]
    return CloudResource(
        type=SERVICE_TYPE,
        id=f"//serviceusage.googleapis.com/{service.name}",
        name=name,
        area=SERVICES_AREA,
        kind=name,
        standalone=False,
        properties=properties,
    )
