"""What the inventory says about one system, in the terms governance rules match on.

Only names, tags, a few resource attributes, resource types, model ids, signals and the register
fields are read: never snippets or file contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inventory_db.store import SystemRecord

DESCRIPTIVE = ("name", "description", "title", "kind")
"""Evidence attributes whose words describe the system (besides its tags)."""
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def words(text: str) -> tuple[str, ...]:
    """Lowercase words of a name: ``RecruitingEndpoint-v2`` -> ``recruiting endpoint v2``."""
    return tuple(w for w in _SPLIT.split(_CAMEL.sub(r"\1 \2", text).lower()) if w)


def phrase_in(phrase: str, tokens: tuple[str, ...]) -> bool:
    """Whether the words of ``phrase`` occur consecutively in ``tokens``."""
    wanted = words(phrase)
    n = len(wanted)
    return n > 0 and any(tokens[i : i + n] == wanted for i in range(len(tokens) - n + 1))


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of text about a system and where it came from (``tag team=recruiting``)."""

    source: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    """The matchable facts of one system, from its latest scan and its register fields."""

    system_id: int
    texts: tuple[Text, ...]
    resource_types: frozenset[str]
    models: frozenset[str]
    signals: frozenset[str]
    category: str
    attributes: tuple[dict[str, str], ...]
    vendor: str
    scope: str
    instance: str

    def find(self, keywords: tuple[str, ...]) -> tuple[str, str] | None:
        """The first (source, keyword) where a keyword occurs, or None."""
        for text in self.texts:
            for keyword in keywords:
                if phrase_in(keyword, text.tokens):
                    return text.source, keyword
        return None


def facts_of(system: SystemRecord) -> Facts:
    """Collect a system's facts (its evidence must have been read with it)."""
    texts: list[Text] = []

    def add(source: str, value: str) -> None:
        tokens = words(value)
        if tokens:
            texts.append(Text(source, tokens))

    add(f"name {system.scope_name}", system.scope_name)
    add(f"scope {system.scope_id}", system.scope_id)
    if system.instance:
        add(f"resource {system.instance_name or system.instance}", system.instance_name)
        add(f"resource id {system.instance}", system.instance)
    add("register team", system.team)
    add("register business purpose", system.business_purpose)
    seen: set[tuple[str, str]] = set()
    for ev in system.evidence:
        for key, value in ev.attributes.items():
            if (key, value) in seen:
                continue
            seen.add((key, value))
            if key.startswith("tag:"):
                add(f"tag {key[4:]}={value}", f"{key[4:]} {value}")
            elif key in DESCRIPTIVE:
                add(f"{key} {value}", value)
    return Facts(
        system_id=system.id,
        texts=tuple(texts),
        resource_types=frozenset(
            ev.attributes["resource_type"]
            for ev in system.evidence
            if "resource_type" in ev.attributes
        ),
        models=frozenset(system.models) | {m for ev in system.evidence for m in ev.models},
        signals=frozenset(ev.signal for ev in system.evidence),
        category=system.category,
        attributes=tuple(dict(ev.attributes) for ev in system.evidence),
        vendor=system.vendor,
        scope=f"{system.scope_kind}:{system.scope_id}",
        instance=system.instance,
    )
