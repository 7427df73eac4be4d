"""``aicensus scan --config``: one configured scan of code, AWS (moto), Azure, Google Cloud and
the SaaS admin APIs (Graph, GitHub, Google Workspace, Okta, Slack), all on their local
stand-ins, read concurrently into one scan row, with reports written, the fail-on policy
applied and the per-source outcome printed.

The stand-ins and what they hold are the demo's (``examples.standins``, ``examples.demo_estate``),
so the suite scans what a newcomer sees.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from examples import demo_estate
from examples.standins.aws_moto import MotoStack
from examples.standins.azure_arm import FakeArm
from examples.standins.gcp_assets import FakeGcp
from examples.standins.saas_admin import (
    ORG,
    TENANT,
    FakeSaas,
    json_response,
    seed_github,
    seed_graph,
    seed_okta,
    seed_slack,
)
from examples.standins.workspace import (
    ADMIN,
    CHATGPT,
    CUSTOMER,
    DOMAIN,
    FakeGoogle,
    activity,
    write_service_account_key,
)
from inventory_db.store import Store
from scanner.cli import app

runner = CliRunner()
_rng = random.Random(9)
_URLSAFE = string.ascii_letters + string.digits + "_-"
COMMITTED_KEY = (
    "sk-proj-"
    + "".join(_rng.choice(_URLSAFE) for _ in range(74))
    + "T3Blbk"
    + "FJ"
    + "".join(_rng.choice(_URLSAFE) for _ in range(74))
)


@dataclass
class Estate:
    """Every stand-in, running, and what the configuration needs to reach them."""

    moto: MotoStack
    arm: FakeArm
    azure_secret: str
    gcp: FakeGcp
    gcp_key: Path
    saas: dict[str, FakeSaas]
    tokens: dict[str, str]
    google: FakeGoogle
    workspace_key: Path


def _gcp_key(path: Path, token_uri: str) -> Path:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    info = {
        "type": "service_account",
        "project_id": "acme-security",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "aicensus-reader@acme-security.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    """Acme's cloud and SaaS estate on 127.0.0.1, started once for this module."""
    workdir = tmp_path_factory.mktemp("standins")
    moto = MotoStack().start()
    demo_estate.seed_aws(moto.url)
    azure_secret = secrets.token_urlsafe(24)
    arm = FakeArm(workdir, demo_estate.azure_state(azure_secret))
    gcp = FakeGcp(page_size=100).start()
    demo_estate.seed_gcp(gcp)
    tokens = {api: secrets.token_urlsafe(24) for api in ("graph", "github", "okta", "slack")}
    servers: list[HTTPServer] = []

    def serve(auth: str) -> FakeSaas:
        server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        server.start()
        servers.append(server)
        return FakeSaas(server, auth, retry_after="0")

    saas = {
        "graph": serve(f"Bearer {tokens['graph']}"),
        "github": serve(f"Bearer {tokens['github']}"),
        "okta": serve(f"SSWS {tokens['okta']}"),
        "slack": serve(f"Bearer {tokens['slack']}"),
    }
    seed_graph(saas["graph"])
    seed_github(saas["github"])
    saas["github"].route(f"/orgs/{ORG}/repos", lambda r: json_response([]))
    seed_okta(saas["okta"])
    seed_slack(saas["slack"])
    # Google Workspace: ChatGPT authorised by two users with Drive scopes. The key file's own
    # token endpoint is a closed port, so reaching the stand-in proves the configured override.
    workspace_key = workdir / "workspace-key.json"
    workspace_server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    workspace_server.start()
    servers.append(workspace_server)
    google = FakeGoogle(workspace_server, write_service_account_key(workspace_key))
    google.activities = [
        activity("ann@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.readonly", ago=2),
        activity("bob@acme.example", "authorize", CHATGPT, "ChatGPT", "drive", ago=4),
    ]
    try:
        yield Estate(
            moto=moto,
            arm=arm,
            azure_secret=azure_secret,
            gcp=gcp,
            gcp_key=_gcp_key(workdir / "gcp-key.json", f"{gcp.url}/token"),
            saas=saas,
            tokens=tokens,
            google=google,
            workspace_key=workspace_key,
        )
    finally:
        for server in servers:
            server.stop()
        gcp.stop()
        arm.close()
        moto.stop()


@pytest.fixture
def environment(estate: Estate, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials for the stand-ins, by environment variable; nothing of the developer's own
    cloud settings can leak in."""
    for var in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "CLOUDSDK_CONFIG",
        "AICENSUS_DB",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate.moto.url)
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", estate.arm.ca_path)
    monkeypatch.setenv("ACME_AZURE_SECRET", estate.azure_secret)
    monkeypatch.setenv("ACME_ARM_URL", estate.arm.base_url)
    for api, token in estate.tokens.items():
        monkeypatch.setenv(f"ACME_{api.upper()}_TOKEN", token)


def write_config(tmp_path: Path, estate: Estate) -> Path:
    """The whole estate in one aicensus.yaml, relative paths and ``${...}`` included."""
    repo = tmp_path / "support-bot"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "bot.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI()\n", encoding="utf-8"
    )
    (repo / "deploy.sh").write_text(f"export OPENAI_API_KEY={COMMITTED_KEY}\n", encoding="utf-8")
    (tmp_path / "keys").mkdir()
    estate.gcp_key.replace(tmp_path / "keys" / "gcp.json")
    estate.gcp_key = tmp_path / "keys" / "gcp.json"
    estate.workspace_key.replace(tmp_path / "keys" / "workspace.json")
    estate.workspace_key = tmp_path / "keys" / "workspace.json"
    path = tmp_path / "aicensus.yaml"
    path.write_text(
        f"""\
version: 1
database: sqlite:///inventory.db
cache: false
concurrency: 4
code:
  targets: [support-bot]
  jobs: 1
github:
  - org: {ORG}
    url: {estate.saas["github"].base}
    token_env: ACME_GITHUB_TOKEN
aws:
  - regions: [{", ".join(demo_estate.AWS_REGIONS)}]
    services: [bedrock, sagemaker, lambda]
    max_attempts: 2
azure:
  - credential: secret
    tenant: {demo_estate.AZURE_TENANT}
    client_id: {demo_estate.AZURE_CLIENT_ID}
    secret_env: ACME_AZURE_SECRET
    arm_endpoint: ${{ACME_ARM_URL}}
    authority_host: ${{ACME_ARM_URL}}
    retries: 0
gcp:
  - organization: "{demo_estate.GCP_ORGANIZATION}"
    api_endpoint: {estate.gcp.url}
    transport: rest
    credentials_file: keys/gcp.json
m365:
  - tenant: {TENANT}
    token_env: ACME_GRAPH_TOKEN
    graph_url: {estate.saas["graph"].base}
google_workspace:
  - key_file: keys/workspace.json
    admin: {ADMIN}
    customer_id: {CUSTOMER}
    domain: {DOMAIN}
    api_url: {estate.google.url()}
    licensing_url: {estate.google.url()}
    token_uri: {estate.google.url("/token")}
okta:
  - url: {estate.saas["okta"].base}
    token_env: ACME_OKTA_TOKEN
slack:
  - url: {estate.saas["slack"].base}/api
    token_env: ACME_SLACK_TOKEN
outputs:
  - format: json
    path: reports/inventory.json
  - format: csv
    path: reports/systems.csv
fail_on: [api-key, high-risk]
""",
        encoding="utf-8",
    )
    return path


def test_one_configured_scan_reads_every_source_into_one_scan(
    estate: Estate, environment: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: run from elsewhere, so relative paths must resolve against the file's folder
    base = tmp_path / "estate"
    base.mkdir()
    config = write_config(base, estate)
    monkeypatch.chdir(tmp_path)

    # Act
    result = runner.invoke(app, ["scan", "--config", str(config), "--lock"])

    # Assert: the committed key and a suggested high-risk system meet the policy: exit 4
    assert result.exit_code == 4, result.output
    assert "fail-on: committed AI API keys (1): OpenAI API key in support-bot" in result.output
    # the recruiting team's LLM endpoint (EU AI Act Annex III, employment), suggested high-risk
    flat = " ".join(result.output.split())
    assert "fail-on: high-risk AI (" in flat
    assert "Amazon SageMaker · chat-llm in 123456789012 (high-risk, suggested)" in flat
    # one scan row, its coverage and its systems spanning every source
    db = base / "inventory.db"
    store = Store(f"sqlite:///{db}")
    (scan,) = store.scans()
    assert scan.status == "succeeded"
    sources = ("github", "aws", "azure", "gcp", "m365", "google-workspace", "okta", "slack")
    assert set(sources) <= set(scan.targets)
    assert str(base / "support-bot") in scan.targets
    with sqlite3.connect(db) as conn:
        covered = set(conn.execute("SELECT DISTINCT scan_id, scope_kind FROM scan_coverage"))
    everything = {"code", *sources}
    assert covered == {(scan.id, kind) for kind in everything}
    kinds = {s.scope_kind for s in store.systems() if s.last_scan_id == scan.id}
    assert kinds == everything
    # the configured outputs, written after the scan (relative to the file, not the cwd)
    report: dict[str, Any] = json.loads((base / "reports" / "inventory.json").read_text())
    assert {s["scope"]["kind"] for s in report["systems"]} == everything
    assert (base / "reports" / "systems.csv").read_text().startswith("id,")
    # a line per source in the summary, each with its outcome
    summary = result.stdout[result.stdout.index("Sources") :]
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in summary.splitlines()
        if line.startswith("│") and line.split("│")[2].strip()
    }
    assert {rows[name] for name in sources} == {"ok"}
    assert "2 files" in summary
    # Google Workspace: the app the two users authorised, through the configured token endpoint
    workspace = {s.identity_key for s in store.systems() if s.scope_kind == "google-workspace"}
    assert workspace == {f"google-workspace:{CUSTOMER}:chatgpt"}
    assert estate.google.issued
    # no credential anywhere in what was printed or stored
    shown = result.output + (base / "reports" / "inventory.json").read_text()
    private_key = json.loads(estate.workspace_key.read_text())["private_key"]
    workspace_secrets = (private_key.splitlines()[1], *estate.google.issued)
    for secret in (estate.azure_secret, COMMITTED_KEY, *estate.tokens.values(), *workspace_secrets):
        assert secret not in shown
        assert secret.encode() not in db.read_bytes()
