"""Inventory at scale: 10,000 systems, 200,000 evidence rows, 30 scans; SQLite and PostgreSQL.

Usage: python bench/inventory_scale.py [--postgres URL] [--skip-postgres]

Times, per engine: building the history (30 scans), one more scan write of 10,000 findings,
`inventory list` (the store call behind it), `diff` between the last two scans, and `vendors`.
Targets: each read under 1 s on SQLite; writing a scan of 10,000 findings under 5 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.base import Coverage, Outcome, Scope  # noqa: E402
from detectors.base import Confidence, Finding, Location, Signal  # noqa: E402
from inventory_db.store import Store  # noqa: E402

PRODUCTS = [
    ("openai", "llm-api"),
    ("anthropic", "llm-api"),
    ("langchain", "agent-framework"),
    ("aws-bedrock", "cloud-ai-service"),
    ("huggingface-transformers", "ml-framework"),
]
SYSTEMS = 10_000
SCANS = 30
EVIDENCE_TOTAL = 200_000


def scope(i: int) -> Scope:
    return Scope("code", f"github.com/acme/repo-{i:05d}", f"repo-{i:05d}")


def findings_for(system_ids: range, scan: int, per_system: int) -> tuple[list[Finding], Coverage]:
    out: list[Finding] = []
    coverage = Coverage()
    scopes = set()
    for sid in system_ids:
        repo, product_index = divmod(sid, len(PRODUCTS))
        product, category = PRODUCTS[product_index]
        sc = scope(repo)
        scopes.add(sc)
        out.extend(
            Finding(
                fingerprint_id=product,
                product_id=product,
                product_name=product,
                vendor=product.split("-")[0],
                vendor_name=product,
                category=category,
                scope=sc,
                location=Location(f"src/m{k}.py", 3 + scan % 5),
                signal=Signal.CODE_IMPORT,
                confidence=Confidence.HIGH,
                attributes={"matched": product},
                models=(f"model-{scan % 3}",),
                snippet=f"import {product}",
            )
            for k in range(per_system)
        )
    for sc in scopes:
        coverage.record(sc, "code", Outcome.OK)
    return out, coverage


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(url: str) -> dict[str, float]:
    store = Store(url, upgrade=True)
    per_scan = EVIDENCE_TOTAL // SCANS  # ~6,667 evidence rows a scan
    window = per_scan // 2  # two evidence rows a system: ~3,333 systems a scan, sliding
    step = (SYSTEMS - window) // (SCANS - 1)
    start = time.perf_counter()
    for n in range(SCANS):
        first = min(n * step, SYSTEMS - window)
        fs, cov = findings_for(range(first, first + window), n, 2)
        scan_id = store.begin_scan(["bench"], "bench")
        store.complete_scan(scan_id, fs, cov, files_scanned=len(fs))
    history = time.perf_counter() - start
    fs, cov = findings_for(range(SYSTEMS), SCANS, 1)  # a scan of 10,000 findings
    scan_id = store.begin_scan(["bench"], "bench")
    write, _ = timed(store.complete_scan, scan_id, fs, cov, len(fs))
    listing, systems = timed(store.systems)
    diff, d = timed(store.diff)
    vendors, _ = timed(store.vendors)
    store.close()
    return {
        "systems": len(systems),
        "history_30_scans_s": round(history, 2),
        "write_scan_10k_findings_s": round(write, 2),
        "inventory_list_s": round(listing, 3),
        "diff_last_two_s": round(diff, 3),
        "diff_changes": len(d.changes),
        "vendors_s": round(vendors, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.db")
    if not args.skip_postgres:
        import psycopg
        from sqlalchemy.engine import make_url

        base = make_url(args.postgres)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
            try:
                url = base.update_query_dict({"options": f"-csearch_path={schema}"})
                results["postgresql"] = run(url.render_as_string(hide_password=False))
            finally:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
