"""Committed AI API keys: the key formats of ``fingerprints/keys/`` matched in any text file.

The key pass runs after the keyword prefilter, on every file the engine reads as text (source,
notebooks, manifests, configuration, infrastructure, documentation with ``--include-docs``) and
on the text files no other detector reads (:data:`TEXT_SUFFIXES`, :data:`TEXT_NAMES`: plain
``.txt``, shell scripts, HTTP request files, ...). Markdown and other prose follow the docs rule:
read only with ``--include-docs``, as low confidence.

A rule runs only when one of its keywords is in the file. A rule with ``context`` words (weak
formats: 32 hex characters, 32 or 40 alphanumerics, Google's ``AIza`` keys shared by every Google
API) needs one on the key's line or the two lines before; where several rules claim the same
characters, a distinctive format wins, then the nearest context. Placeholders are not keys:
values with ``example``/``your``/``xxxx``-style words, long runs of one character or of
consecutive characters, CamelCase identifiers, and values below the rule's ``min_entropy``.

This module and :mod:`detectors.redact` are the only code that sees a raw key. A finding holds
the masked key, its SHA-256 and the rule id, and a snippet in which the key is masked; the
snippets of every other finding of the file are scrubbed too (:func:`scan_keys`), so no other
detector's snippet can carry the key out.
"""

from __future__ import annotations

import logging
import posixpath
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import ahocorasick_rs

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.config import make_finding
from detectors.redact import digest, mask, redact_line, shannon_entropy
from fingerprints.catalog import Catalog, CompiledKeyRule

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset(
    {
        ".txt",
        ".text",
        ".sh",
        ".bash",
        ".zsh",
        ".fish",
        ".ksh",
        ".ps1",
        ".psm1",
        ".bat",
        ".cmd",
        ".http",
        ".rest",
        ".xml",
        ".plist",
        ".sql",
        ".example",
        ".sample",
        ".template",
        ".tmpl",
        ".tpl",
        ".j2",
        ".dist",
        ".secrets",
        ".html",
        ".htm",
        ".vue",
        ".svelte",
        ".r",
        ".jl",
        ".lua",
        ".pl",
        ".swift",
        ".dart",
        ".scala",
        ".groovy",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".m",
        ".ex",
        ".exs",
    }
)
"""Suffixes of text files that only the key pass reads (no other detector parses them)."""
TEXT_NAMES = frozenset(
    {
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".bashrc",
        ".zshrc",
        ".profile",
        ".bash_profile",
        "makefile",
        "jenkinsfile",
        "credentials",
        "secrets",
    }
)
"""File names (lower case) that only the key pass reads."""

CONTEXT_LINES = 2
"""A context word counts on the key's line or this many lines before it."""
FRAGMENT = 12
"""A snippet holding this many consecutive characters of a found key is scrubbed."""

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)example|sample|dummy|placeholder|your|fake|redacted|changeme|replace|insert|xxxx"
)
_CAMEL_WORDS = re.compile(r"^[A-Z]?[a-z]+(?:[A-Z][a-z]+)+$")
_SEGMENTS = re.compile(r"[A-Za-z0-9]{16,}")
_RUN = 6
"""A run of this many identical or consecutive characters marks a made-up value."""


def is_key_text(relpath: str) -> bool:
    """Whether the key pass reads this file although no other detector does."""
    name = posixpath.basename(relpath).lower()
    return name in TEXT_NAMES or posixpath.splitext(name)[1] in TEXT_SUFFIXES


def _has_run(value: str) -> bool:
    same = up = down = 1
    for prev, cur in zip(value, value[1:], strict=False):
        step = ord(cur) - ord(prev)
        same = same + 1 if step == 0 else 1
        up = up + 1 if step == 1 else 1
        down = down + 1 if step == -1 else 1
        if max(same, up, down) >= _RUN:
            return True
    return False


def is_placeholder(value: str, min_entropy: float) -> bool:
    """Whether a value that has a key's shape is a placeholder or test dummy, not a key."""
    if _PLACEHOLDER_WORDS.search(value) or _has_run(value):
        return True
    if any(_CAMEL_WORDS.match(seg) for seg in _SEGMENTS.findall(value)):
        return True  # an identifier (``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``)
    return shannon_entropy(value) < min_entropy


@dataclass(frozen=True, slots=True)
class _KeyIndex:
    """The key rules of one catalog, with one automaton over their keywords and context words."""

    rules: tuple[CompiledKeyRule, ...]
    words: tuple[str, ...]
    automaton: ahocorasick_rs.BytesAhoCorasick | None
    gates: tuple[frozenset[int], ...]
    """Per rule: indices into ``words`` of its keywords (any one enables the rule)."""
    contexts: tuple[tuple[str, ...], ...]
    """Per rule: its context words, lower case (empty: the format stands alone)."""


_INDEXES: dict[int, tuple[weakref.ref[Catalog], _KeyIndex]] = {}


def _index(catalog: Catalog) -> _KeyIndex:
    cached = _INDEXES.get(id(catalog))
    if cached is not None and cached[0]() is catalog:
        return cached[1]
    words: dict[str, int] = {}
    gates = [
        frozenset(words.setdefault(k.lower(), len(words)) for k in rule.rule.keywords if k)
        for rule in catalog.key_rules
    ]
    automaton = ahocorasick_rs.BytesAhoCorasick([w.encode() for w in words]) if words else None
    index = _KeyIndex(
        rules=catalog.key_rules,
        words=tuple(words),
        automaton=automaton,
        gates=tuple(gates),
        contexts=tuple(tuple(c.lower() for c in r.rule.context) for r in catalog.key_rules),
    )
    _INDEXES[id(catalog)] = (weakref.ref(catalog), index)
    return index


def _secret(match: re.Match[str]) -> tuple[str, int, int]:
    group = 1 if match.re.groups else 0
    return match.group(group), match.start(group), match.end(group)


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    rank: int
    """-1 for a format that stands alone, else the line distance of the nearest context word."""
    order: int
    rule: CompiledKeyRule


def _context_distance(text: str, start: int, words: Sequence[str]) -> int | None:
    """Lines between ``start`` and the nearest context word at or before it (within reach)."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    begin = text.rfind("\n", 0, start) + 1
    for distance in range(CONTEXT_LINES + 1):
        window = text[begin:line_end].lower()
        if any(word in window for word in words):
            return distance
        if begin == 0:
            return None
        line_end = begin - 1
        begin = text.rfind("\n", 0, line_end) + 1
    return None


def _find(catalog: Catalog, data: bytes) -> tuple[str, list[_Found]]:
    """The decoded text and the keys in it (placeholders dropped, one rule per span)."""
    index = _index(catalog)
    if index.automaton is None:
        return "", []
    present = {i for i, _, _ in index.automaton.find_matches_as_indexes(data.lower(), True)}
    active = [n for n, gate in enumerate(index.gates) if gate & present]
    if not active:
        return "", []
    text = data.decode("utf-8", errors="replace")
    best: dict[tuple[int, int], _Found] = {}
    for n in active:
        rule = index.rules[n]
        for match in rule.pattern.finditer(text):
            value, start, end = _secret(match)
            if not value or is_placeholder(value, rule.rule.min_entropy):
                continue
            rank = -1
            if index.contexts[n]:
                distance = _context_distance(text, start, index.contexts[n])
                if distance is None:
                    continue
                rank = distance
            found = _Found(start, end, rank, n, rule)
            other = best.get((start, end))
            if other is None or (rank, n) < (other.rank, other.order):
                best[(start, end)] = found
    return text, sorted(best.values(), key=lambda f: f.start)


def _line_bounds(text: str, start: int) -> tuple[int, int]:
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return begin, len(text) if end < 0 else end


def mask_keys(catalog: Catalog, text: str) -> str:
    """``text`` with every value that has the shape of a catalog key format masked.

    Context and placeholder checks are skipped: this is for text that is about to be stored
    (an MCP server's command line), where masking too much is the safe error.
    """
    for rule in _index(catalog).rules:
        text = rule.pattern.sub(_mask_match, text)
    return text


def _mask_match(match: re.Match[str]) -> str:
    value, start, end = _secret(match)
    whole = match.group(0)
    offset = match.start(0)
    return whole[: start - offset] + mask(value) + whole[end - offset :]


def scan_keys(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    data: bytes,
    others: Iterable[Finding] = (),
    low: bool = False,
) -> list[Finding]:
    """The other findings of the file (their snippets scrubbed of keys) and its key findings.

    ``low``: the file is documentation; its keys are low-confidence evidence like the rest.
    """
    others = list(others)
    text, found = _find(catalog, data)
    if not found:
        return others
    secrets = [text[f.start : f.end] for f in found]
    lines: dict[int, tuple[int, int]] = {}  # line number -> (begin, end) offsets
    numbers: list[int] = []
    line, pos = 1, 0
    for f in found:
        line += text.count("\n", pos, f.start)
        pos = f.start
        numbers.append(line)
        lines.setdefault(line, _line_bounds(text, f.start))
    masked: dict[int, str] = {}
    for number, (begin, end) in lines.items():
        parts, cursor = [], begin
        for f, at in zip(found, numbers, strict=True):
            if at == number:
                parts.append(text[cursor : f.start])
                parts.append(mask(text[f.start : f.end]))
                cursor = f.end
        parts.append(text[cursor:end])
        masked[number] = "".join(parts)

    products = catalog.products
    keys: list[Finding] = []
    for f, number, secret in zip(found, numbers, secrets, strict=True):
        rule = f.rule
        confidence = Confidence.HIGH if f.rank < 0 else Confidence.MEDIUM
        if low:
            confidence = Confidence.LOW
        finding = make_finding(
            products[rule.product_id],
            scope,
            relpath,
            number,
            Signal.KEY,
            confidence,
            rule.rule.id,
            masked[number],
        )
        keys.append(
            replace(
                finding,
                attributes={
                    "key": mask(secret),
                    "key_sha256": digest(secret),
                    "key_rule": rule.rule.id,
                },
            )
        )
    grams = _fragments(secrets)
    scrubbed = [_scrub(f, relpath, masked, secrets, grams) for f in others]
    return scrubbed + keys


def _fragments(secrets: Sequence[str]) -> frozenset[str]:
    return frozenset(
        s[i : i + FRAGMENT] for s in secrets for i in range(max(len(s) - FRAGMENT + 1, 1))
    )


def _holds(text: str, grams: frozenset[str]) -> bool:
    if len(text) < FRAGMENT:
        return False
    return any(text[i : i + FRAGMENT] in grams for i in range(len(text) - FRAGMENT + 1))


def _clean(text: str, secrets: Sequence[str], grams: frozenset[str]) -> str:
    if not _holds(text, grams):
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    return "[withheld: holds a secret]" if _holds(text, grams) else text


def _scrub(
    finding: Finding,
    relpath: str,
    masked: dict[int, str],
    secrets: Sequence[str],
    grams: frozenset[str],
) -> Finding:
    """A finding of the same file whose snippet, attributes and models hold no found key."""
    snippet = finding.snippet
    loc = finding.location
    if loc.locator == relpath and loc.line is not None and loc.line in masked:
        snippet = redact_line(masked[loc.line])
    snippet = _clean(snippet, secrets, grams)
    attributes = {k: _clean(v, secrets, grams) for k, v in finding.attributes.items()}
    models = tuple(m for m in finding.models if not _holds(m, grams))
    if (
        snippet == finding.snippet
        and attributes == dict(finding.attributes)
        and models == finding.models
    ):
        return finding
    return replace(finding, snippet=snippet, attributes=attributes, models=models)
