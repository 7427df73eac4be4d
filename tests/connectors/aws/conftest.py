"""One moto server (behind the gap-filling layer) per test session, reset before each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the seeded estate, beside the tests

from examples.standins.aws_moto import MotoStack  # noqa: E402


@pytest.fixture(scope="session")
def moto_stack() -> Iterator[MotoStack]:
    stack = MotoStack().start()
    yield stack
    stack.stop()


@pytest.fixture
def aws(moto_stack: MotoStack, monkeypatch: pytest.MonkeyPatch) -> MotoStack:
    """A clean stand-in AWS with dummy credentials; a developer's real profile never leaks in."""
    for key in (
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aicensus-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aicensus-test-credentials")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_stack.url)
    moto_stack.reset()
    return moto_stack
