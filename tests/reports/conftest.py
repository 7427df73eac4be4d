"""The report tests' seeded inventory (see report_estate.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # report_estate, beside the tests

from report_estate import Estate, seed  # noqa: E402


@pytest.fixture
def estate(tmp_path: Path) -> Iterator[Estate]:
    """A fresh seeded inventory per test (two real code scans and one cloud/SaaS scan)."""
    built = seed(tmp_path)
    yield built
    built.store.close()
