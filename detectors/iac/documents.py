"""YAML and JSON infrastructure documents: CloudFormation/SAM, ARM templates, Kubernetes
manifests, Helm values, Docker Compose files, and any other YAML that names container images.

Both formats are read into PyYAML's node graph (``compose``, never ``load``): nodes keep their
line, and custom tags (CloudFormation's ``!Ref``, ``!GetAtt``, ``!Sub``) are kept as tags instead
of failing the document. A tagged value is simply not a literal. JSON is read by a small
recursive reader into the same nodes so that one set of walkers serves both.

The walkers are structural and generic:

- CloudFormation: ``Resources.<id>.Type`` (with the resource's ``Properties`` as its values);
- ARM: ``resources[]`` (or the symbolic-name object of language version 2.0) ``.type`` and
  ``.kind``, nested child resources (relative types are joined to the parent's) and nested
  ``Microsoft.Resources/deployments`` templates;
- Kubernetes: each document's ``apiVersion`` group and ``kind`` as the type ``group/Kind``
  (how the catalog names custom resources such as ``apps.nvidia.com/NIMService``);
- images: every mapping with an ``image`` key, either a reference (Kubernetes containers,
  Compose services, CI jobs) or a Helm-style ``{registry, repository, tag}`` mapping; the
  accelerators the same mapping requests (``resources.limits``/``requests``: ``nvidia.com/gpu``
  and the other extended resources; Compose ``deploy.resources.reservations.devices``) become
  the image's ``gpu`` attribute.

Every walk visits each node at most once (aliases may share nodes) and stops after
``MAX_NODES``: the work per file is bounded whatever the input.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator

import yaml

from detectors.iac.model import IacError, IacFacts, Image, Resource, Value

try:  # libyaml when present: the same nodes, several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

MAX_NODES = 400_000
"""Nodes one walk visits at most (a 2 MB document has far fewer)."""
MAX_VALUES = 2_000
"""Literal values kept per resource."""
MAX_JSON_DEPTH = 400

GPU_RESOURCES = (
    "nvidia.com/gpu",
    "nvidia.com/mig-",
    "amd.com/gpu",
    "aws.amazon.com/neuron",
    "habana.ai/gaudi",
    "google.com/tpu",
    "gpu.intel.com/",
)
"""Kubernetes extended resources that are accelerators (fingerprint-facts §7.3)."""


# --- reading ----------------------------------------------------------------------------------


def read_yaml(text: str) -> list[yaml.Node]:
    """Every document of a YAML stream as a node graph; unknown tags are kept, not errors."""
    try:
        return [doc for doc in yaml.compose_all(text, Loader=_Loader) if doc is not None]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise IacError(f"invalid YAML: {err.problem or err.context}{where}") from err
    except (yaml.YAMLError, ValueError) as err:  # ValueError: libyaml on odd input
        raise IacError(f"invalid YAML: {err}") from err


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"true": _BOOL, "false": _BOOL, "null": _NULL}


class _JsonReader:
    """JSON text -> PyYAML nodes with line marks (strict JSON; errors name the line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def mark(self, pos: int) -> yaml.Mark:
        line = bisect_right(self.starts, pos) - 1
        return yaml.Mark("<json>", pos, line, pos - self.starts[line], None, 0)

    def fail(self, message: str, pos: int) -> IacError:
        return IacError(f"invalid JSON: {message} at line {self.mark(pos).line + 1}")

    def ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined,no-any-return]
        except json.JSONDecodeError as err:
            raise self.fail(err.msg, err.pos) from err

    def value(self, pos: int, depth: int) -> tuple[yaml.Node, int]:
        if depth > MAX_JSON_DEPTH:
            raise self.fail("nested too deeply", pos)
        text = self.text
        mark = self.mark(pos)
        char = text[pos : pos + 1]
        if char == "{":
            pairs: list[tuple[yaml.Node, yaml.Node]] = []
            pos = self.ws(pos + 1)
            if text.startswith("}", pos):
                return yaml.MappingNode(_MAP, pairs, mark, mark), pos + 1
            while True:
                if not text.startswith('"', pos):
                    raise self.fail("expected a member name", pos)
                key_mark = self.mark(pos)
                key, pos = self.string(pos)
                pos = self.ws(pos)
                if not text.startswith(":", pos):
                    raise self.fail("expected ':'", pos)
                node, pos = self.value(self.ws(pos + 1), depth + 1)
                pairs.append((yaml.ScalarNode(STR, key, key_mark, key_mark), node))
                pos = self.ws(pos)
                if text.startswith(",", pos):
                    pos = self.ws(pos + 1)
                elif text.startswith("}", pos):
                    return yaml.MappingNode(_MAP, pairs, mark, mark), pos + 1
                else:
                    raise self.fail("expected ',' or '}'", pos)
        if char == "[":
            items: list[yaml.Node] = []
            pos = self.ws(pos + 1)
            if text.startswith("]", pos):
                return yaml.SequenceNode(_SEQ, items, mark, mark), pos + 1
            while True:
                node, pos = self.value(pos, depth + 1)
                items.append(node)
                pos = self.ws(pos)
                if text.startswith(",", pos):
                    pos = self.ws(pos + 1)
                elif text.startswith("]", pos):
                    return yaml.SequenceNode(_SEQ, items, mark, mark), pos + 1
                else:
                    raise self.fail("expected ',' or ']'", pos)
        if char == '"':
            s, end = self.string(pos)
            return yaml.ScalarNode(STR, s, mark, mark), end
        for word, tag in _LITERALS.items():
            if text.startswith(word, pos):
                return yaml.ScalarNode(tag, word, mark, mark), pos + len(word)
        m = _NUMBER.match(text, pos)
        if m is not None and m.end() > pos:
            tag = _INT if m.group().lstrip("-").isdigit() else _FLOAT
            return yaml.ScalarNode(tag, m.group(), mark, mark), m.end()
        raise self.fail("expected a value", pos)


_JSONC = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def _without_comments(text: str) -> str:
    """JSON with ``//`` and ``/* */`` comments (VS Code's JSONC) blanked out, lines kept."""

    def blank(m: re.Match[str]) -> str:
        token = m.group()
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)

    return _JSONC.sub(blank, text)


def read_json(text: str) -> yaml.Node:
    """A JSON document as PyYAML nodes (a UTF-8 BOM and JSONC comments are tolerated)."""
    text = text.removeprefix("\ufeff")
    try:
        return _read_json(text)
    except IacError:
        if "//" not in text and "/*" not in text:
            raise
        stripped = _without_comments(text)
        if stripped == text:
            raise
    return _read_json(stripped)


def _read_json(text: str) -> yaml.Node:
    reader = _JsonReader(text)
    start = reader.ws(0)
    if start == len(text):
        raise IacError("invalid JSON: empty document")
    node, end = reader.value(start, 0)
    if reader.ws(end) != len(text):
        raise reader.fail("extra data after the document", reader.ws(end))
    return node


# --- node helpers -----------------------------------------------------------------------------


def line_of(node: yaml.Node) -> int:
    """1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def get(node: yaml.Node | None, key: str, *, fold: bool = False) -> yaml.Node | None:
    """The value of ``key`` in a mapping node (the last one wins, as in YAML loaders)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    want = key.lower() if fold else key
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and (k.value.lower() if fold else k.value) == want:
            found = v
    return found


def literal(node: yaml.Node | None) -> str | None:
    """A plain string value; None for tagged (``!Ref``), non-string or non-scalar nodes."""
    if isinstance(node, yaml.ScalarNode) and node.tag == STR:
        return str(node.value)
    return None


def scalar_text(node: yaml.Node | None) -> str | None:
    """Any untagged scalar as text (numbers too, e.g. an image tag ``2.0``); None otherwise."""
    if isinstance(node, yaml.ScalarNode) and node.tag.startswith("tag:yaml.org,2002:"):
        return None if node.tag == _NULL else str(node.value)
    return None


def _walk(root: yaml.Node, skip_keys: frozenset[str] = frozenset()) -> Iterator[yaml.Node]:
    """Each node under ``root`` once, depth first, at most ``MAX_NODES``."""
    seen: set[int] = set()
    stack = [root]
    while stack and len(seen) < MAX_NODES:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            for k, v in reversed(node.value):
                if not (isinstance(k, yaml.ScalarNode) and k.value in skip_keys):
                    stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def values(
    node: yaml.Node | None,
    prefix: str = "",
    skip_keys: frozenset[str] = frozenset(),
) -> tuple[Value, ...]:
    """The literal strings under ``node`` with their key paths (sequences add no segment)."""
    if node is None:
        return ()
    found: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(node, prefix)]
    while stack and len(found) < MAX_VALUES and len(seen) < MAX_NODES:
        current, path = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for k, v in reversed(current.value):
                if isinstance(k, yaml.ScalarNode) and k.value not in skip_keys:
                    stack.append((v, f"{path}.{k.value}" if path else str(k.value)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, path) for item in reversed(current.value))
        else:
            text = literal(current)
            if text is not None and text.strip():
                found.append(Value(path, text, line_of(current)))
    return tuple(found)


# --- walkers ----------------------------------------------------------------------------------


def cloudformation(root: yaml.Node, facts: IacFacts) -> None:
    """``Resources.<logical id>.Type`` of a CloudFormation / SAM template."""
    resources = get(root, "Resources")
    if not isinstance(resources, yaml.MappingNode):
        return
    for _, resource in resources.value:
        type_node = get(resource, "Type")
        rtype = literal(type_node)
        if type_node is None or rtype is None or "::" not in rtype:
            continue
        facts.resources.append(
            Resource(rtype, line_of(type_node), None, values(get(resource, "Properties")))
        )


def _arm_literal(node: yaml.Node | None) -> str | None:
    """An ARM string that is not a template expression (``[parameters('x')]``)."""
    text = literal(node)
    if text is None:
        return None
    if text.startswith("[") and text.endswith("]"):
        return text[1:] if text.startswith("[[") else None  # "[[" escapes a literal "["
    return text


def _arm_values(resource: yaml.Node) -> tuple[Value, ...]:
    return tuple(
        v
        for v in values(resource, skip_keys=frozenset({"resources", "template"}))
        if not (v.text.startswith("[") and v.text.endswith("]") and not v.text.startswith("[["))
    )


def arm(root: yaml.Node, facts: IacFacts, parent: str | None = None, depth: int = 0) -> None:
    """``resources[].type`` / ``.kind`` of an ARM template, children and nested templates."""
    if depth > 16:
        return
    container = get(root, "resources")
    if isinstance(container, yaml.SequenceNode):
        items = list(container.value)
    elif isinstance(container, yaml.MappingNode):  # languageVersion 2.0: symbolic names
        items = [v for _, v in container.value]
    else:
        return
    for resource in items:
        type_node = get(resource, "type")
        rtype = _arm_literal(type_node)
        if type_node is None or not rtype:
            continue
        rtype = rtype.split("@", 1)[0]
        if parent is not None and "/" not in rtype:
            rtype = f"{parent}/{rtype}"  # a child resource names its type relative to the parent
        facts.resources.append(
            Resource(
                rtype,
                line_of(type_node),
                _arm_literal(get(resource, "kind")),
                _arm_values(resource),
            )
        )
        arm(resource, facts, rtype, depth + 1)
        if rtype.lower() == "microsoft.resources/deployments":
            template = get(get(resource, "properties"), "template")
            if template is not None:
                arm(template, facts, None, depth + 1)


def kubernetes(root: yaml.Node, facts: IacFacts) -> None:
    """A Kubernetes object as the type ``<group>/<Kind>`` (``Kind`` alone for the core group)."""
    api_version = literal(get(root, "apiVersion"))
    kind_node = get(root, "kind")
    kind = literal(kind_node)
    if not api_version or not kind or kind_node is None:
        return
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    facts.resources.append(
        Resource(
            f"{group}/{kind}" if group else kind,
            line_of(kind_node),
            None,
            values(get(root, "spec")),
        )
    )


def _gpu_requests(container: yaml.MappingNode) -> list[str]:
    found: list[str] = []
    resources = get(container, "resources")
    for section in ("limits", "requests"):
        table = get(resources, section)
        if not isinstance(table, yaml.MappingNode):
            continue
        for k, v in table.value:
            name = scalar_text(k)
            if name and name.lower().startswith(GPU_RESOURCES):
                found.append(f"{name}={scalar_text(v) or '?'}")
    # Docker Compose: deploy.resources.reservations.devices[] with capabilities [gpu]
    devices = get(get(get(get(container, "deploy"), "resources"), "reservations"), "devices")
    if isinstance(devices, yaml.SequenceNode):
        for device in devices.value:
            caps = get(device, "capabilities")
            names = (
                [scalar_text(c) for c in caps.value] if isinstance(caps, yaml.SequenceNode) else []
            )
            if "gpu" in names:
                driver = scalar_text(get(device, "driver")) or "gpu"
                found.append(f"{driver}={scalar_text(get(device, 'count')) or 'all'}")
    gpus = scalar_text(get(container, "gpus"))
    if gpus:
        found.append(f"gpus={gpus}")
    return list(dict.fromkeys(found))


def _image_ref(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return literal(node)
    repository = literal(get(node, "repository"))
    if not repository:
        return None
    registry = literal(get(node, "registry"))
    ref = f"{registry.rstrip('/')}/{repository}" if registry else repository
    tag = scalar_text(get(node, "tag"))
    return f"{ref}:{tag}" if tag and ":" not in ref.rsplit("/", 1)[-1] else ref


def images(root: yaml.Node, facts: IacFacts) -> None:
    """Every ``image`` reference in the document, with the accelerators its mapping requests."""
    for node in _walk(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        image = get(node, "image", fold=True)
        if image is None:
            continue
        ref = _image_ref(image)
        if not ref or any(c.isspace() for c in ref.strip()):
            continue
        where = get(image, "repository") if isinstance(image, yaml.MappingNode) else image
        gpu = _gpu_requests(node)
        facts.images.append(
            Image(ref.strip(), line_of(where or image), ",".join(gpu) if gpu else None)
        )


def analyse(documents: list[yaml.Node], facts: IacFacts) -> None:
    """Run every walker on every document: each looks for its own shape only."""
    for doc in documents:
        if isinstance(doc, yaml.MappingNode):
            cloudformation(doc, facts)
            arm(doc, facts)
            kubernetes(doc, facts)
        images(doc, facts)
