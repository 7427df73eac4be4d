"""XML manifests (``pom.xml``, MSBuild projects, ``packages.config``) read safely, with lines.

The standard library's expat parser is used directly, hardened the way defusedxml hardens it:
any entity declaration (internal or external) is refused, so neither entity expansion ("billion
laughs") nor external entities (XXE: local files, URLs) can happen, and no DTD is ever fetched.
A manifest never needs an entity of its own; the five predefined ones and character references
still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from detectors.manifests.model import ManifestError

MAX_DEPTH = 256
"""Deeper nesting than any manifest has; refusing it keeps the element tree bounded."""


@dataclass(slots=True)
class Element:
    """One element: its local name (namespace prefix dropped), attributes, text and children."""

    tag: str
    attrs: dict[str, str]
    line: int
    """1-based line of the start tag."""
    children: list[Element] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own character data, stripped."""
        return "".join(self._text).strip()

    def child(self, tag: str) -> Element | None:
        """The first child named ``tag``."""
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> Iterator[Element]:
        """Children named ``tag``, in order."""
        return (c for c in self.children if c.tag == tag)

    def child_text(self, tag: str) -> str:
        """The text of the first child named ``tag`` ('' if there is none)."""
        found = self.child(tag)
        return found.text if found is not None else ""

    def attr(self, name: str) -> str | None:
        """An attribute by name, ignoring case (MSBuild reads ``Include`` and ``include`` alike)."""
        value = self.attrs.get(name)
        if value is not None:
            return value
        lowered = name.lower()
        return next((v for k, v in self.attrs.items() if k.lower() == lowered), None)

    def walk(self) -> Iterator[Element]:
        """This element and every descendant, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class _Refused(Exception):
    """The document declares an entity: refused before expat can expand or fetch it."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def parse_xml(data: bytes) -> Element:
    """The root element of ``data``; ManifestError for malformed or unsafe XML."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    roots: list[Element] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} elements")
        element = Element(_local(name), attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1]._text.append(data)

    def refuse_entity(name: str, *_args: object) -> None:
        raise _Refused(f"entity declarations are not allowed (entity {name!r})")

    def refuse_external(*_args: object) -> int:
        raise _Refused("external entities are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise ManifestError(
            f"invalid XML: {reason} (line {exc.lineno}, column {exc.offset + 1})"
        ) from exc
    except (LookupError, ValueError) as exc:  # the XML declaration names an unknown encoding
        raise ManifestError(f"invalid XML: {exc}") from exc
    except _Refused as exc:
        raise ManifestError(f"refused XML: {exc} (line {parser.CurrentLineNumber})") from exc
    if not roots:
        raise ManifestError("invalid XML: no root element")
    return roots[0]
