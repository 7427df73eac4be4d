"""Fixtures: the seeded governance estate on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # gov_estate, beside the tests

from gov_estate import AGENT_ARN, AOAI_ID, ENDPOINT_ARN, SEED, Seeded, record  # noqa: E402

from detectors.base import Confidence  # noqa: E402
from inventory_db.store import Store  # noqa: E402


@pytest.fixture
def seeded(db_url: str) -> Iterator[Seeded]:
    store = Store(db_url, upgrade=True)
    record(store, SEED)
    by_instance = {s.instance or s.product: s.id for s in store.systems(Confidence.LOW)}
    ids = {
        "endpoint": by_instance[ENDPOINT_ARN],
        "agent": by_instance[AGENT_ARN],
        "aoai": by_instance[AOAI_ID],
        "assistant": by_instance["openai"],
        "key": by_instance["openai-api-key"],
    }
    yield Seeded(db_url, store, ids)
    store.close()
