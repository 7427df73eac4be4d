"""Infrastructure files -> findings: declared cloud resources, container images, installed
packages; plus the configuration line pass, minus what the structural read already reported.

Which reader runs is decided by :func:`detectors.iac.iac_kind` (file name) or
:func:`detectors.iac.sniff_iac` (the bytes of a YAML/JSON file, after the prefilter). The
readers are generic; the catalog (``match_iac``, ``match_image``, ``match_package``) decides what
is an AI product.

Model ids of a resource are its literal values under a model key (``model.name`` of an Azure
deployment, ``FoundationModel`` / ``foundation_model`` of a Bedrock agent, ...) and any literal
value that is a catalog model id. They belong to the resource's product: ``gpt-4o`` deployed on
an Azure OpenAI account is Azure OpenAI evidence, so the line pass's OpenAI model-id finding for
the same value on the same line is dropped. Likewise a line-pass finding for the product that a
structural finding already reports on that line is dropped: one piece of evidence, one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.config import detect_lines, make_finding
from detectors.iac.bicep import read_bicep
from detectors.iac.dockerfile import read_dockerfile
from detectors.iac.documents import analyse, read_json, read_yaml
from detectors.iac.model import IacError, IacFacts, Image, Resource
from detectors.iac.terraform import read_terraform
from detectors.textscan import model_candidates
from fingerprints.catalog import Catalog

MODEL_KEYS = frozenset(
    {
        "foundationmodel",
        "basemodelidentifier",
        "modelid",
        "modelarn",
        "embeddingmodelarn",
        "publishermodelname",
    }
)
"""Last key-path segments (lower case, ``_``/``-`` removed) whose literal value is a model id;
``model.name`` (Azure deployments) is one too. User-chosen names (``ModelName`` of a SageMaker
model) are not."""

KIND_LABELS = {
    "terraform": "Terraform",
    "bicep": "Bicep",
    "dockerfile": "Dockerfile",
    "yaml": "YAML",
    "json": "JSON",
}

_IMAGE_LINE = re.compile(
    r"""^\s*(?:-\s+)?["']?image["']?\s*:\s*["']?([^\s"'#{}]+)""", re.IGNORECASE
)


@dataclass(slots=True)
class IacResult:
    """What the infrastructure pass produced for one file."""

    findings: list[Finding] = field(default_factory=list)
    parsed: bool = False
    notes: list[str] = field(default_factory=list)
    skip_reason: str | None = None


def _is_model_key(path: str) -> bool:
    segments = path.lower().replace("_", "").replace("-", "").split(".")
    if segments[-1] in MODEL_KEYS:
        return True
    return len(segments) >= 2 and segments[-2] == "model" and segments[-1] == "name"


def resource_models(catalog: Catalog, resource: Resource) -> list[tuple[str, int]]:
    """(model id, line) for every place a resource names a model id, in order, no repeats."""
    found: dict[tuple[str, int], None] = {}
    for value in resource.values:
        text = value.text.strip()
        if not text or len(text) > 200 or any(c.isspace() for c in text):
            continue
        if _is_model_key(value.path):
            found[(text, value.line)] = None
            continue
        for candidate in model_candidates(text):
            if catalog.match_model(candidate):
                found[(candidate, value.line)] = None
                break
    return list(found)


def _read(kind: str, data: bytes, text: str, facts: IacFacts) -> None:
    if kind == "terraform":
        read_terraform(data, facts)
    elif kind == "bicep":
        read_bicep(text, facts)
    elif kind == "dockerfile":
        read_dockerfile(text, facts)
    elif kind == "json":
        analyse([read_json(text)], facts)
    else:
        analyse(read_yaml(text), facts)


def _fallback_images(lines: list[str], hits: Iterable[int]) -> list[Image]:
    """``image:`` lines of a YAML file that does not parse (Helm templates, for one)."""
    found = []
    for number in hits:
        if number <= len(lines):
            m = _IMAGE_LINE.match(lines[number - 1])
            if m:
                found.append(Image(m.group(1), number))
    return found


_DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}$]*)\}")


def clean_image_ref(ref: str) -> str:
    """An image reference with Compose-style ``${VAR:-default}`` resolved to the default, and a
    tag that still holds a variable (``ollama/ollama:${TAG}``) dropped."""
    ref = _DEFAULTED.sub(lambda m: m.group(1), ref.strip())
    head, slash, last = ref.rpartition("/")
    if "$" in last and ":" in last:
        name = last.split(":", 1)[0]
        if "$" not in name:
            ref = f"{head}{slash}{name}"
    return ref


class _Claims:
    """What the structural findings reported, to drop the line pass's copies of it."""

    def __init__(self) -> None:
        self.products: set[tuple[int, str]] = set()
        self.models: dict[int, list[str]] = {}

    def covers(self, f: Finding) -> bool:
        line = f.location.line or 0
        if (line, f.product_id) in self.products:
            return True
        if f.signal is Signal.MODEL_ID:
            matched = f.attributes.get("matched", "")
            return any(matched and matched in model for model in self.models.get(line, ()))
        return False


def detect_iac(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    kind: str,
    data: bytes,
    hits: list[int],
    max_parse_size: int,
) -> IacResult:
    """Findings of one infrastructure file (``kind``: terraform, bicep, dockerfile, yaml, json)."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    result = IacResult()
    line_pass = list(detect_lines(catalog, scope, relpath, lines, hits, Confidence.MEDIUM))
    label = KIND_LABELS.get(kind, kind)
    facts = IacFacts()
    fallback = Confidence.HIGH
    if len(data) > max_parse_size:
        result.notes.append(f"not parsed: larger than {max_parse_size} bytes; line pass only")
        result.findings.extend(line_pass)
        return result
    try:
        _read(kind, data, text, facts)
        result.parsed = True
    except IacError as err:
        result.skip_reason = f"malformed {label}: {err} (line pass only)"
        facts = IacFacts()
        if kind == "yaml":
            facts.images.extend(_fallback_images(lines, hits))
            fallback = Confidence.MEDIUM
    result.notes.extend(facts.notes)

    claims = _Claims()

    def snippet(line: int) -> str:
        return lines[line - 1] if 0 < line <= len(lines) else ""

    for resource in facts.resources:
        properties = {v.path: v.text for v in resource.values}
        pids = catalog.match_iac(resource.type, resource.kind, properties)
        if not pids:
            continue
        models = resource_models(catalog, resource)
        names = tuple(dict.fromkeys(m for m, _ in models))
        for model, line_no in models:
            claims.models.setdefault(line_no, []).append(model)
        for pid in pids:
            finding = make_finding(
                catalog.products[pid],
                scope,
                relpath,
                resource.line,
                Signal.IAC,
                Confidence.HIGH,
                resource.type,
                snippet(resource.line),
                names,
            )
            if resource.kind:
                finding = replace(finding, attributes={**finding.attributes, "kind": resource.kind})
            result.findings.append(finding)
            claims.products.add((resource.line, pid))
            claims.products.update((line, pid) for _, line in models)

    for image in facts.images:
        for pid in catalog.match_image(clean_image_ref(image.ref)):
            finding = make_finding(
                catalog.products[pid],
                scope,
                relpath,
                image.line,
                Signal.IMAGE,
                fallback,
                image.ref,
                snippet(image.line),
            )
            if image.gpu:
                finding = replace(finding, attributes={**finding.attributes, "gpu": image.gpu})
            result.findings.append(finding)
            claims.products.add((image.line, pid))

    for package in facts.packages:
        for pid in catalog.match_package(package.ecosystem, package.name):
            result.findings.append(
                make_finding(
                    catalog.products[pid],
                    scope,
                    relpath,
                    package.line,
                    Signal.PACKAGE,
                    Confidence.MEDIUM,
                    package.name,
                    snippet(package.line),
                )
            )
            claims.products.add((package.line, pid))

    result.findings.extend(f for f in line_pass if not claims.covers(f))
    return result
