"""One GCP stand-in per test session, reset before each test, and the seeded estate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from examples.standins import gcp_assets as gcp_fake

SA_EMAIL = "aicensus-reader@acme-security.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def _server() -> Iterator[gcp_fake.FakeGcp]:
    fake = gcp_fake.FakeGcp(page_size=2).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(_server: gcp_fake.FakeGcp, monkeypatch: pytest.MonkeyPatch) -> gcp_fake.FakeGcp:
    """The stand-in, emptied; Google's own credential discovery can never leave the machine."""
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    _server.reset()
    return _server


@pytest.fixture
def estate(fake: gcp_fake.FakeGcp) -> gcp_fake.FakeGcp:
    """Organisation 4242: alpha-gemini (only the Gemini API enabled, plus a Gemini-restricted
    key), beta-vertex in folder 77 (a Vertex endpoint serving Llama from Model Garden) and
    gamma-bots (a Dialogflow agent)."""
    fake.folders["folders/77"] = "organizations/4242"
    fake.add_project(
        gcp_fake.Project(
            "1001",
            "alpha-gemini",
            "Alpha Gemini",
            "organizations/4242",
            services=["generativelanguage.googleapis.com"],
            resources=[
                gcp_fake.api_key("1001", "k1", "gemini-key", ["generativelanguage.googleapis.com"]),
                gcp_fake.api_key("1001", "k2", "maps-key", ["maps-backend.googleapis.com"]),
                gcp_fake.asset(
                    "1001",
                    "compute.googleapis.com/Instance",
                    "projects/alpha-gemini/zones/a/instances/vm",
                    "vm",
                ),
            ],
        )
    )
    fake.add_project(
        gcp_fake.Project(
            "1002",
            "beta-vertex",
            "Beta Vertex",
            "folders/77",
            services=["aiplatform.googleapis.com", "storage.googleapis.com"],
            resources=[
                gcp_fake.vertex_endpoint(
                    "1002", "us-central1", "4711", "llama-chat", [("5551", "llama-3.1-8b-instruct")]
                ),
                gcp_fake.vertex_model(
                    "1002",
                    "us-central1",
                    "5551",
                    "llama-3.1-8b-instruct",
                    "publishers/meta/models/llama3_1@llama-3.1-8b-instruct",
                ),
                gcp_fake.asset(
                    "1002",
                    "aiplatform.googleapis.com/CustomJob",
                    "projects/1002/locations/us-central1/customJobs/31",
                    "nightly-finetune",
                ),
                gcp_fake.asset(
                    "1002", "storage.googleapis.com/Bucket", "beta-vertex-data", "beta-vertex-data"
                ),
            ],
        )
    )
    fake.add_project(
        gcp_fake.Project(
            "1003",
            "gamma-bots",
            "Gamma Bots",
            "organizations/4242",
            services=["dialogflow.googleapis.com"],
            resources=[
                gcp_fake.asset(
                    "1003",
                    "dialogflow.googleapis.com/Agent",
                    "projects/gamma-bots/locations/global/agent",
                    "support-bot",
                    location="global",
                )
            ],
        )
    )
    return fake


@pytest.fixture(scope="session")
def sa_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key file with a fresh RSA key (no real account behind it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path_factory.mktemp("gcp-key") / "sa.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "acme-security",
                "private_key_id": "0123456789abcdef",
                "private_key": pem,
                "client_email": SA_EMAIL,
                "client_id": "1234567890",
                "token_uri": "http://127.0.0.1:9/token",
            }
        )
    )
    return path
