"""Azure scan speed and request count on the local ARM stand-in.

Usage: python bench/azure_scan.py [--subscriptions 20] [--per-subscription 250] [--page-size 1000]

Seeds the HTTPS stand-in of the tests (examples/standins/azure_arm.py) with N
subscriptions of M resources each (AI accounts with deployments, ML workspaces with endpoints,
search services, bots, web apps, and non-AI storage accounts), then runs a full scan (connector,
detectors, SQLite inventory) through the real SDK clients and the real client-secret flow, once
with Resource Graph and once with Resource Graph denied (per-subscription fallback). Prints wall
time, systems found and requests made, split into bulk listing and per-resource detail reads.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.azure import AzureConnector, AzureOptions  # noqa: E402
from examples.standins.azure_arm import (  # noqa: E402
    ArmState,
    FakeArm,
    account,
    deployment,
    diagnostic,
    rai_policy,
    tracked,
)
from inventory_db.store import Store  # noqa: E402
from scanner.run import ScanRequest, run_scan  # noqa: E402

TENANT, CLIENT, SECRET = "bench-tenant", "bench-client", "bench-secret"


def estate(subs: int, per_sub: int, page_size: int) -> ArmState:
    """``subs`` subscriptions of ``per_sub`` resources; a tenth are model-hosting accounts."""
    state = ArmState(tenant=TENANT, client_secret=SECRET, page_size=page_size)
    unit = per_sub // 10
    for s in range(subs):
        sub = f"{s:08d}-0000-0000-0000-000000000000"
        state.subscriptions[sub] = f"bench {s}"
        for i in range(unit):
            acct = account(sub, "rg-ai", f"aoai-{s}-{i}", "OpenAI")
            state.resources.append(acct)
            key = acct["id"].lower()
            state.children[(key, "deployments")] = [
                deployment(acct["id"], "chat", "gpt-4o", "2024-08-06", sku="GlobalStandard"),
                deployment(acct["id"], "embed", "text-embedding-3-large", "1"),
            ]
            state.children[(key, "raiPolicies")] = [rai_policy(acct["id"], "strict")]
            state.diagnostics[key] = [diagnostic(acct["id"], "law", True)]
            state.resources.append(account(sub, "rg-lang", f"lang-{s}-{i}", "TextAnalytics"))
            ws = (f"ws-{i}",)
            state.resources.append(
                tracked(sub, "rg-ml", "Microsoft.MachineLearningServices/workspaces", ws)
            )
            state.resources.append(
                tracked(
                    sub,
                    "rg-ml",
                    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                    (*ws, "ep"),
                )
            )
            state.resources.append(
                tracked(
                    sub,
                    "rg-ml",
                    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
                    (*ws, "ep", "blue"),
                    sku={"name": "Default", "capacity": 1},
                    properties={"model": "azureml:churn:3", "instanceType": "Standard_DS3_v2"},
                )
            )
            state.resources.append(
                tracked(sub, "rg-ai", "Microsoft.Search/searchServices", (f"search-{i}",))
            )
            state.resources.append(
                tracked(
                    sub,
                    "rg-bot",
                    "Microsoft.BotService/botServices",
                    (f"bot-{i}",),
                    kind="azurebot",
                )
            )
            site = tracked(sub, "rg-web", "Microsoft.Web/sites", (f"app-{i}",), kind="app")
            state.resources.append(site)
            state.slot_config_names[site["id"].lower()] = ["OPENAI_API_KEY"]
            for j in range(per_sub // unit - 8):
                state.resources.append(
                    tracked(sub, "rg-data", "Microsoft.Storage/storageAccounts", (f"st{i}x{j}",))
                )
    return state


def run(fake: FakeArm, state: ArmState, graph: bool) -> dict[str, object]:
    """One full scan; wall time, systems and the request log's shape."""
    state.graph_denied = not graph
    fake.reset(state)
    options = AzureOptions(
        arm_endpoint=fake.base_url,
        authority_host=fake.base_url,
        credential="secret",
        tenant_id=TENANT,
        client_id=CLIENT,
        client_secret=SECRET,
        connection_verify=fake.ca_path,
        retries=0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        start = time.perf_counter()
        result = run_scan(store, ScanRequest(targets=(), clouds=(AzureConnector(options),)))
        wall = time.perf_counter() - start
        systems = len(store.systems())
    kinds: Counter[str] = Counter()
    for r in fake.requests():
        path = r.path.split("?")[0].lower()
        if "oauth2" in path or "openid" in path:
            kinds["token"] += 1
        elif "resourcegraph" in path:
            kinds["resource graph pages"] += 1
        elif path == "/subscriptions" or path.endswith("/resourcegroups"):
            kinds["subscriptions + probes"] += 1
        elif path.endswith("/resources") or path.endswith("/accounts"):
            kinds["per-subscription listing pages"] += 1
        else:
            kinds["detail reads"] += 1
    return {
        "mode": "Resource Graph" if graph else "fallback (resources.list)",
        "wall": wall,
        "status": result.scan.status,
        "observations": result.scan.files_scanned,
        "systems": systems,
        "requests": sum(kinds.values()),
        **kinds,
    }


def main() -> None:
    """Seed, scan twice, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--per-subscription", type=int, default=250)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    state = estate(args.subscriptions, args.per_subscription, args.page_size)
    print(f"{len(state.resources)} resources in {len(state.subscriptions)} subscriptions")
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeArm(Path(tmp), state)
        try:
            rows = [run(fake, state, graph=True), run(fake, state, graph=False)]
        finally:
            fake.close()
    columns = [
        "mode",
        "wall",
        "status",
        "observations",
        "systems",
        "requests",
        "token",
        "subscriptions + probes",
        "resource graph pages",
        "per-subscription listing pages",
        "detail reads",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{row.get(c, 0):.1f} s" if c == "wall" else str(row.get(c, 0)) for c in columns]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
