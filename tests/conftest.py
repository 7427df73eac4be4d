"""Shared fixtures: the real catalog and small on-disk repositories."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fingerprints.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # The stand-ins (examples.standins) live in the source tree, not in the installed wheel.
    sys.path.append(str(ROOT))


@pytest.fixture(autouse=True)
def _own_result_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets an empty result cache: CLI scans never share remembered results."""
    directory = tmp_path_factory.mktemp("result-cache")
    monkeypatch.setenv("AICENSUS_CACHE_DIR", str(directory))
    return directory


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write a tree of files: ``{"app/main.py": "import openai"}`` -> the root path."""

    def make(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        base = root or tmp_path / "repo"
        for rel, content in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        base.mkdir(parents=True, exist_ok=True)
        return base

    return make


def run_git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity; returns stdout."""
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def git() -> Callable[..., str]:
    """``git(cwd, *args)``: run git in a test repository."""
    return run_git


POSTGRES_URL = os.environ.get(
    "AICENSUS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("AICENSUS_REQUIRE_POSTGRES") == "1"
"""CI sets this: there a missing PostgreSQL fails the suite instead of skipping its tests."""


def _postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        message = (
            f"PostgreSQL is not reachable at {url.render_as_string()} ({err}). Start it, or point "
            "AICENSUS_TEST_POSTGRES at a server; CI sets AICENSUS_REQUIRE_POSTGRES=1."
        )
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False
            )
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on the embedded default and on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'inventory.db'}"
    else:
        yield from _postgres_schema()
