"""Terraform (``.tf``): ``resource`` and ``data`` blocks read with tree-sitter-hcl.

A block ``resource "TYPE" "NAME" { ... }`` is a resource of type ``TYPE`` on the block's line,
with its ``kind`` attribute when that is a literal string and every literal string beneath it
(attributes, nested blocks such as ``model { name = "gpt-4o" }``, object elements) as values with
their key paths. Anything that is not a literal (``var.x``, ``local.y``, interpolations, function
calls) is simply unknown. ``azapi_resource`` names an ARM type in its ``type`` attribute
(``"Microsoft.CognitiveServices/accounts@2023-05-01"``) and its ``kind`` inside ``body``: it is
read as that ARM type. A literal ``image`` attribute anywhere in a block (a container that
Terraform runs: ``kubernetes_deployment``, ``docker_container``, ECS definitions) is an image.

tree-sitter recovers from syntax errors, so a damaged file still yields the blocks it can; the
parse runs under a deadline (the same mechanism as the source parser).
"""

from __future__ import annotations

import threading
import time

from tree_sitter import Language, Node, Parser, Point

from detectors.iac.model import IacError, IacFacts, Image, Resource, Value

PARSE_TIMEOUT_S = 10.0
MAX_VALUES = 2_000
MAX_DEPTH = 64
AZAPI_TYPES = frozenset({"azapi_resource", "azapi_update_resource"})

_language: Language | None = None
_lock = threading.Lock()
_local = threading.local()


def _parser() -> Parser:
    global _language
    parser: Parser | None = getattr(_local, "parser", None)
    if parser is None:
        with _lock:
            if _language is None:
                import tree_sitter_hcl

                _language = Language(tree_sitter_hcl.language())
        parser = Parser(_language)
        _local.parser = parser
    return parser


def _parse(source: bytes, timeout_s: float) -> Node:
    parser = _parser()
    view = memoryview(source)
    deadline = time.monotonic() + timeout_s

    def read(offset: int, _point: Point) -> memoryview:
        return view[offset:]

    def past_deadline(_offset: int, _has_error: bool) -> bool:
        return time.monotonic() > deadline

    try:
        return parser.parse(read, progress_callback=past_deadline).root_node
    except ValueError as err:
        parser.reset()
        raise IacError(f"HCL parse exceeded {timeout_s} s") from err
    except BaseException:
        parser.reset()
        raise


class _Reader:
    """Slices node text from the source (never ``Node.text``: see detectors.code.parser)."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def label(self, node: Node) -> str | None:
        """A block label: ``"TYPE"`` or a bare identifier."""
        if node.type == "identifier":
            return self.text(node)
        if node.type == "string_lit":
            return self.string(node)
        return None

    def string(self, node: Node) -> str | None:
        """A string literal without interpolation; None for templates and anything else."""
        if node.type != "string_lit":
            return None
        parts = [
            c
            for c in node.children
            if c.type not in ("quoted_template_start", "quoted_template_end")
        ]
        if any(c.type != "template_literal" for c in parts):
            return None
        return "".join(self.text(c) for c in parts)

    def literal(self, expression: Node | None) -> str | None:
        """The literal string an ``expression`` node holds, else None."""
        if (
            expression is None
            or expression.type != "expression"
            or expression.named_child_count != 1
        ):
            return None
        inner = expression.named_children[0]
        if inner.type == "literal_value" and inner.named_child_count == 1:
            return self.string(inner.named_children[0])
        return None

    def key(self, elem_key: Node) -> str | None:
        """An object element key: ``name = ...`` or ``"name" = ...``."""
        node = elem_key
        while node.type == "expression" and node.named_child_count == 1:
            node = node.named_children[0]
        if node.type == "variable_expr" and node.named_child_count == 1:
            return self.text(node.named_children[0])
        if node.type == "literal_value" and node.named_child_count == 1:
            return self.string(node.named_children[0])
        return None

    def collect(self, node: Node, path: str, out: list[Value], depth: int = 0) -> None:
        """Literal strings under ``node`` (a body, block, attribute or expression)."""
        if depth > MAX_DEPTH or len(out) >= MAX_VALUES:
            return
        kind = node.type
        if kind == "body":
            for child in node.named_children:
                self.collect(child, path, out, depth + 1)
        elif kind == "attribute":
            name = self.text(node.named_children[0]) if node.named_child_count else ""
            value = node.child_by_field_name("val") or (
                node.named_children[-1] if node.named_child_count > 1 else None
            )
            if value is not None:
                self.collect(value, f"{path}.{name}" if path else name, out, depth + 1)
        elif kind == "block":
            name = self.text(node.named_children[0]) if node.named_child_count else ""
            sub = f"{path}.{name}" if path else name
            for child in node.named_children:
                if child.type == "body":
                    self.collect(child, sub, out, depth + 1)
        elif kind == "expression":
            text = self.literal(node)
            if text is not None:
                if text.strip():
                    out.append(Value(path, text, node.start_point[0] + 1))
                return
            for child in node.named_children:
                self.collect(child, path, out, depth + 1)
        elif kind == "object_elem":
            keys = [c for c in node.named_children if c.type == "expression"]
            if len(keys) == 2:
                key = self.key(keys[0])
                if key is not None:
                    self.collect(keys[1], f"{path}.{key}" if path else key, out, depth + 1)
        else:  # collection values, tuples, function calls (jsonencode({...})), conditionals
            for child in node.named_children:
                self.collect(child, path, out, depth + 1)


def read_terraform(source: bytes, facts: IacFacts, timeout_s: float = PARSE_TIMEOUT_S) -> None:
    """Add the resources and data sources of a ``.tf`` file to ``facts``."""
    root = _parse(source, timeout_s)
    if root.has_error:
        facts.notes.append("syntax errors: partial parse used")
    reader = _Reader(source)
    for body in (c for c in root.named_children if c.type == "body"):
        for block in body.named_children:
            if block.type != "block" or block.named_child_count < 3:
                continue
            children = block.named_children
            if reader.text(children[0]) not in ("resource", "data"):
                continue
            rtype = reader.label(children[1])
            if not rtype:
                continue
            found: list[Value] = []
            for child in children:
                if child.type == "body":
                    reader.collect(child, "", found)
            kind = next((v.text for v in found if v.path == "kind"), None)
            if rtype in AZAPI_TYPES:
                arm_type = next((v.text for v in found if v.path == "type"), None)
                if not arm_type:
                    continue
                rtype = arm_type.split("@", 1)[0]
                kind = next((v.text for v in found if v.path == "body.kind"), None)
            facts.resources.append(Resource(rtype, block.start_point[0] + 1, kind, tuple(found)))
            # Containers Terraform runs itself (kubernetes_deployment, docker_container, ECS
            # container definitions written with jsonencode): any literal ``image`` value.
            facts.images.extend(
                Image(v.text, v.line) for v in found if v.path.rsplit(".", 1)[-1] == "image"
            )
