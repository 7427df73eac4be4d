"""The hit-guided tree walk finds exactly what a full walk finds, for every detector match."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import Scope
from detectors.code.detector import detect_code
from detectors.code.extract import extract
from detectors.code.parser import language_for
from detectors.textscan import hit_lines
from fingerprints.catalog import Catalog, load_catalog

SCOPE = Scope("code", "t", "t")
ESTATE = Path(__file__).resolve().parents[2] / "examples" / "estate"

SAMPLES: list[tuple[str, str]] = [
    (c.example.file_name(), c.example.text)
    for c in load_catalog().examples()
    if language_for(c.example.file_name())
]
SAMPLES += [
    (str(p.relative_to(ESTATE)), p.read_text())
    for p in sorted(ESTATE.rglob("*"))
    if p.is_file() and language_for(p.name)
]
SAMPLES += [
    (
        "nested.py",
        'class A:\n    """Uses gpt-4o."""\n    def f(self):\n        return dict(\n'
        '            a=[1, 2, {"model": call(model="claude-3-5-haiku-20241022")}],\n        )\n',
    ),
    ("bom.py", "\ufeffimport anthropic\nx = 'o3-mini'\n"),
    ("multi.ts", "const a = 1;\n/* openai */\nexport { x } from '@anthropic-ai/sdk';\n"),
]


def findings(catalog: Catalog, name: str, data: bytes, guided: bool) -> list[tuple[str, ...]]:
    offsets = catalog.keyword_offsets(data)
    language = language_for(name)
    assert language is not None
    facts = extract(language, data, hits=offsets if guided else None)
    lines = data.decode("utf-8", "replace").splitlines()
    return sorted(
        (f.product_id, f.signal.value, str(f.location), f.confidence.label, ",".join(f.models))
        for f in detect_code(catalog, SCOPE, name, facts, lines, hit_lines(data, offsets))
    )


@pytest.mark.parametrize(("name", "text"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_guided_walk_matches_full_walk(catalog: Catalog, name: str, text: str) -> None:
    data = text.encode()
    assert findings(catalog, name, data, guided=True) == findings(catalog, name, data, False)


def test_hit_lines_are_one_based_and_deduplicated() -> None:
    data = b"a\nbb openai openai\n\nopenai"
    assert hit_lines(data, [5, 12, 20]) == [2, 4]
