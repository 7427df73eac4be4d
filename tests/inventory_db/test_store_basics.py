"""The store: one system per (scope, product), evidence per scan, atomic writes, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import Coverage, Outcome, Scope
from detectors.base import Confidence, Finding, Location, Signal
from inventory_db.identity import identity_key
from inventory_db.store import Store, StoreError

REPO = Scope("code", "github.com/acme/bot", "bot")
OTHER = Scope("code", "github.com/acme/web", "web")


def finding(
    scope: Scope = REPO,
    product: str = "openai",
    path: str = "app.py",
    line: int = 1,
    models: tuple[str, ...] = (),
    confidence: Confidence = Confidence.HIGH,
    attributes: dict[str, str] | None = None,
) -> Finding:
    return Finding(
        fingerprint_id=product,
        product_id=product,
        product_name=product.title(),
        vendor=product,
        vendor_name=product.title(),
        category="llm-api",
        scope=scope,
        location=Location(path, line),
        signal=Signal.CODE_IMPORT,
        confidence=confidence,
        attributes=attributes or {"matched": product},
        models=models,
        snippet=f"import {product}",
    )


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(db_url, upgrade=True)
    yield store
    store.close()


def record(store: Store, findings: list[Finding], coverage: Coverage | None = None) -> int:
    scan_id = store.begin_scan(["t"], "test")
    store.complete_scan(scan_id, findings, coverage or Coverage(), files_scanned=len(findings))
    return scan_id


def test_forty_files_importing_one_sdk_are_one_system_with_forty_evidence(store: Store) -> None:
    findings = [
        finding(path=f"m{i}.py", models=("gpt-4o",) if i % 2 else ("o3-mini",)) for i in range(40)
    ]
    record(store, findings)
    [system] = store.systems(with_evidence=True)
    assert system.evidence_count == 40
    assert system.models == ("gpt-4o", "o3-mini")
    assert system.identity_key == identity_key(REPO, "openai") == "code:github.com/acme/bot:openai"


def test_rescan_updates_the_same_rows_and_advances_last_seen(store: Store) -> None:
    first = record(store, [finding(), finding(product="anthropic")])
    before = {s.identity_key: s for s in store.systems()}
    second = record(store, [finding(line=7), finding(product="anthropic", line=3)])
    after = {s.identity_key: s for s in store.systems()}
    assert set(before) == set(after)
    for key, system in after.items():
        assert system.id == before[key].id
        assert system.first_seen == before[key].first_seen
        assert system.last_seen > before[key].last_seen
        assert system.last_scan_id == second
    # evidence is kept per scan: the first scan still shows line 1
    openai_id = after["code:github.com/acme/bot:openai"].id
    then = store.system(openai_id, scan_id=first)
    assert then is not None and [e.location for e in then.evidence] == ["app.py:1"]


def test_same_product_in_two_scopes_is_two_systems(store: Store) -> None:
    record(store, [finding(), finding(scope=OTHER)])
    assert sorted(s.scope_id for s in store.systems()) == [
        "github.com/acme/bot",
        "github.com/acme/web",
    ]


def test_low_confidence_systems_are_hidden_by_default(store: Store) -> None:
    record(store, [finding(confidence=Confidence.LOW, path="tests/t.py")])
    assert store.systems() == []
    [low] = store.systems(Confidence.LOW)
    assert low.confidence == "low"


def test_models_named_only_in_noise_paths_do_not_describe_the_system(store: Store) -> None:
    record(
        store,
        [
            finding(models=("gpt-4o",)),
            finding(
                path="tests/t.py",
                models=("gpt-3.5-turbo",),
                confidence=Confidence.LOW,
                attributes={"reason": "test code"},
            ),
        ],
    )
    [system] = store.systems()
    assert system.models == ("gpt-4o",)


def test_failed_source_makes_the_scan_partial_with_coverage(store: Store) -> None:
    coverage = Coverage()
    coverage.record(REPO, "code", Outcome.OK)
    coverage.record(OTHER, "code", Outcome.ERROR, "clone failed")
    coverage.skip(REPO, "big.bin", "larger than the size cap")
    scan_id = record(store, [finding()], coverage)
    scan = store.scan(scan_id)
    assert scan is not None and scan.status == "partial"
    assert "clone failed" in scan.message
    assert store.skips(scan_id) == [
        ("code:github.com/acme/bot", "big.bin", "larger than the size cap")
    ]


def test_an_unfinished_scan_leaves_the_inventory_untouched(store: Store) -> None:
    record(store, [finding()])
    before = store.systems(with_evidence=True)
    scan_id = store.begin_scan(["t"], "test")
    store.fail_scan(scan_id, "interrupted")
    assert store.systems(with_evidence=True) == before
    assert store.scan(scan_id).status == "failed"  # type: ignore[union-attr]


def test_a_write_that_fails_midway_is_rolled_back(store: Store) -> None:
    record(store, [finding()])
    before = store.systems(with_evidence=True)
    scan_id = store.begin_scan(["t"], "test")
    bad = finding(product="anthropic")
    object.__setattr__(bad, "snippet", object())  # not storable: the insert fails
    with pytest.raises(StoreError):
        store.complete_scan(scan_id, [finding(line=9), bad], Coverage(), 2)
    assert store.systems(with_evidence=True) == before


def test_bad_url_and_unwritable_path_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store("no-such-scheme")
    with pytest.raises(StoreError, match="cannot open"):
        Store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(StoreError, match="cannot open"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
