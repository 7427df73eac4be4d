"""Catalogue integrity: unique ids, real references, and a broken copy refused with reasons."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from governance.catalogue import DATA_DIR, load_catalogue
from governance.errors import CatalogueError
from inventory_db.register import EDITABLE


def test_shipped_catalogue_is_consistent_and_complete() -> None:
    # Arrange / Act
    cat = load_catalogue()

    # Assert: Annex A objectives A.2-A.10 with unique, well-formed control ids under them
    assert cat.problems() == []
    assert [o.id for o in cat.objectives] == [
        "A.2",
        "A.3",
        "A.4",
        "A.5",
        "A.6.1",
        "A.6.2",
        "A.7",
        "A.8",
        "A.9",
        "A.10",
    ]
    every = [c for o in cat.objectives for c in o.controls]
    assert len(every) == len(set(every)) == len(cat.controls) == 38
    assert all(re.fullmatch(r"A\.\d+(\.\d+)+", c) for c in every)
    assert cat.controls["A.6.2.8"].title == "AI system recording of event logs"
    assert cat.controls["A.5.2"].title == "AI system impact assessment process"
    # crosswalk targets exist
    for control in cat.controls.values():
        assert set(control.nist) <= set(cat.nist_categories), control.id
        assert set(control.eu_ai_act) <= set(cat.articles), control.id
    assert set(cat.nist_function_of.values()) == {"GOVERN", "MAP", "MEASURE", "MANAGE"}
    # every gate names real controls and register fields; every mapping a real control
    for gates in cat.gates.values():
        for gate in gates:
            assert set(gate.controls) <= set(cat.controls), gate.id
            assert gate.kind != "field" or gate.field in EDITABLE
    assert {m.control for m in cat.mappings} <= set(cat.controls)
    assert set(cat.required_by_tier) == set(cat.tiers)
    # the questionnaire's Annex III question offers exactly the eight Annex III areas
    [area_question] = [q for q in cat.questions if q.id == "annex_iii_area"]
    assert area_question.choices[0] == "none"
    assert len(area_question.choices) == 9
    assert set(cat.stages) == {
        "inception",
        "design-development",
        "verification-validation",
        "deployment",
        "operation-monitoring",
        "re-evaluation",
        "retirement",
    }
    assert cat.transitions["retirement"] == ()


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_broken_catalogue_is_refused_with_every_reference_problem(tmp_path: Path) -> None:
    # Arrange: five broken references in four files
    data = _copy(tmp_path)
    _edit(data / "lifecycle.yaml", "controls: [A.6.2.6]", "controls: [A.6.2.99]")
    _edit(data / "lifecycle.yaml", "field: owner,", "field: owner_phone,")
    _edit(data / "annex_a.yaml", "eu_ai_act: [art-12, art-26]", "eu_ai_act: [art-999]")
    _edit(data / "annex_a.yaml", "{id: A.4.3, title", "{id: A.4.2, title")
    _edit(data / "evidence.yaml", "control: A.9.2", "control: A.11.1")
    _edit(
        data / "tiers.yaml",
        "tier: prohibited\n    title: social",
        "tier: forbidden\n    title: social",
    )

    # Act
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(data)

    # Assert: each problem named with its file
    errors = "\n".join(refused.value.errors)
    assert (
        "lifecycle.yaml: gate operation-monitoring/monitored: unknown control 'A.6.2.99'" in errors
    )
    assert "unknown register field 'owner_phone'" in errors
    assert "annex_a.yaml: control A.6.2.8: unknown EU AI Act article 'art-999'" in errors
    assert "annex_a.yaml: control A.4.2 appears more than once" in errors
    assert "evidence.yaml: mapping azure-openai-content-filter: unknown control 'A.11.1'" in errors
    assert "tiers.yaml: rule art5-social-scoring: unknown tier 'forbidden'" in errors


def test_a_structurally_wrong_file_names_the_file_and_the_place(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(
        data / "questionnaire.yaml",
        "type: bool\n    text: Do people",
        "type: yesno\n    text: Do people",
    )
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(data)
    assert refused.value.errors == [
        "questionnaire.yaml: questions[0].type: 'yesno' is not one of bool, choice, text"
    ]
