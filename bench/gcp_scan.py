"""GCP scan speed and request count on the local stand-in: 5,000 AI resources over 20 projects.

Usage: python bench/gcp_scan.py [--resources N] [--projects N] [--page-size N]

Seeds the Cloud Asset / Resource Manager / Service Usage stand-in of the tests
(examples/standins/gcp_assets.py) with an organisation of N projects holding Vertex AI
endpoints (each serving a Model Garden model), models, datasets and custom jobs, then runs
``aicensus scan gcp`` (real SDK clients over REST, detection, SQLite write) twice:
  org:      the organisation-level search is allowed (one paged search for everything)
  fallback: it is denied, so projects are listed through Resource Manager and searched one by one
and prints wall time, requests made, search pages and systems for each.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

from google.auth.credentials import AnonymousCredentials

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from connectors.gcp import GcpAccess, GcpConnector  # noqa: E402
from examples.standins import gcp_assets as gcp_fake  # noqa: E402
from inventory_db.store import Store  # noqa: E402
from scanner.run import ScanRequest, run_scan  # noqa: E402

ORG = "organizations/4242"
TYPES = (
    "aiplatform.googleapis.com/Endpoint",
    "aiplatform.googleapis.com/Model",
    "aiplatform.googleapis.com/Dataset",
    "aiplatform.googleapis.com/CustomJob",
)


def seed(fake: object, resources: int, projects: int) -> None:
    per = math.ceil(resources / projects)
    made = 0
    for p in range(projects):
        number = str(10_000 + p)
        res = []
        for i in range(per):
            if made == resources:
                break
            made += 1
            kind = i % 4
            if kind == 0:
                res.append(
                    gcp_fake.vertex_endpoint(
                        number, "us-central1", str(i), f"ep-{i}", [(str(i + 1), f"m-{i}")]
                    )
                )
            elif kind == 1:
                res.append(
                    gcp_fake.vertex_model(
                        number, "us-central1", str(i), f"m-{i}", "publishers/google/models/gemma3"
                    )
                )
            else:
                rtype = TYPES[kind]
                res.append(
                    gcp_fake.asset(
                        number,
                        rtype,
                        f"projects/{number}/locations/us-central1/{rtype.rsplit('/', 1)[-1]}s/{i}",
                        f"r-{i}",
                    )
                )
        fake.add_project(  # type: ignore[attr-defined]
            gcp_fake.Project(
                number,
                f"proj-{p:02d}",
                f"Project {p:02d}",
                ORG,
                services=["aiplatform.googleapis.com", "storage.googleapis.com"],
                resources=res,
            )
        )


def measure(fake: object, label: str, page_size: int) -> None:
    access = GcpAccess(
        credentials=AnonymousCredentials(),
        api_endpoint=fake.url,  # type: ignore[attr-defined]
        transport="rest",
        retry_initial=0.05,
        retry_deadline=5.0,
    )
    connector = GcpConnector(TYPES, organization=ORG, access=access, page_size=page_size)
    fake.requests.clear()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        start = time.perf_counter()
        result = run_scan(store, ScanRequest(targets=(), clouds=(connector,)))
        wall = time.perf_counter() - start
        systems = len(store.systems())
    api = fake.api_requests()  # type: ignore[attr-defined]
    searches = sum(1 for r in api if r.path.endswith(":searchAllResources"))
    print(
        f"{label:9s} wall {wall:6.2f} s  requests {len(api):4d}  search pages {searches:4d}  "
        f"systems {systems:5d}  findings {len(result.findings):5d}  status {result.scan.status}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()
    fake = gcp_fake.FakeGcp(page_size=args.page_size).start()
    try:
        seed(fake, args.resources, args.projects)
        print(
            f"{args.resources} resources over {args.projects} projects, page size {args.page_size}"
        )
        measure(fake, "org", args.page_size)
        fake.denied.add(f"asset:{ORG}")
        measure(fake, "fallback", args.page_size)
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
