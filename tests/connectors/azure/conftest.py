"""One HTTPS stand-in of ARM, Resource Graph and Entra ID for the whole session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the seeded estate, beside the tests

from azure_estate import estate  # noqa: E402

from examples.standins.azure_arm import FakeArm  # noqa: E402


@pytest.fixture(scope="session")
def arm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    server = FakeArm(tmp_path_factory.mktemp("fake-arm"))
    yield server
    server.close()


@pytest.fixture
def arm(arm_server: FakeArm, monkeypatch: pytest.MonkeyPatch) -> FakeArm:
    """The server serving a fresh copy of the seeded estate, with an empty request log; no
    developer's Azure settings can leak in."""
    for var in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_AUTHORITY_HOST",
        "AZURE_CONFIG_DIR",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
    ):
        monkeypatch.delenv(var, raising=False)
    arm_server.reset(estate())
    return arm_server
