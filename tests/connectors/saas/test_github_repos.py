"""A GitHub organisation's repositories as a code source, against a local stand-in of the REST API.

The stand-in serves ``GET /orgs/{org}/repos`` two repositories a page with ``Link`` headers (and a
429 on the way), and redirects ``GET /repos/{owner}/{repo}/tarball/{ref}`` to a second server (a
different origin, as ``codeload.github.com`` is) that serves real tarballs ``git archive`` built
from fixture repositories. The scans are real: the code detectors, the inventory, the result cache.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from connectors.base import ConnectorError, Coverage, NullProgress, Outcome, Scope
from connectors.saas.github_repos import (
    ExtractLimits,
    GitHubRepositories,
    RepoFilter,
    UnsafeArchive,
    extract_tarball,
)
from connectors.saas.http import static_token
from inventory_db.store import Store
from scanner.cli import app
from scanner.run import ScanRequest, ScanResult, run_scan

TOKEN = "ghp_" + "Zq7TestTokenNeverShown" + "0123456789ab"
PAGE = 2
MakeTree = Callable[..., Path]

FIXTURE_REPOS: dict[str, dict[str, str]] = {
    "support-bot": {
        "bot/app.py": "import anthropic\n\nclient = anthropic.Anthropic()\n",
        "README.md": "# support bot\n",
    },
    "website": {"index.html": "<h1>acme</h1>\n", "src/main.py": "print('hello')\n"},
    "old-ml": {"train.py": "import openai\n"},
    "forked-lib": {"lib.py": "import openai\n"},
    "billing": {"svc/llm.py": "from openai import OpenAI\nOpenAI()\n"},
}


def repo_item(name: str, **extra: Any) -> dict[str, Any]:
    """A ``GET /orgs/{org}/repos`` item, as GitHub returns it (fields the scanner reads + some)."""
    return {
        "id": abs(hash(name)) % 10**8,
        "name": name,
        "full_name": f"acme/{name}",
        "private": True,
        "html_url": f"https://github.com/acme/{name}",
        "clone_url": f"https://github.com/acme/{name}.git",
        "fork": False,
        "archived": False,
        "disabled": False,
        "default_branch": "main",
        "visibility": "private",
        **extra,
    }


@dataclass
class FakeGitHub:
    """The REST API on one server and ``codeload`` on another: a different origin."""

    api: HTTPServer
    codeload: HTTPServer
    repos: list[dict[str, Any]] = field(default_factory=list)
    tarballs: dict[str, bytes] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    throttle_page: int | None = 2
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    """(server, path, Authorization header) of every request."""

    @property
    def api_url(self) -> str:
        return self.api.url_for("/api/v3")

    def handle_api(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        self.seen.append(("api", request.full_path, auth))
        if auth != f"Bearer {TOKEN}":
            return Response('{"message": "Bad credentials"}', 401)
        if request.path == "/api/v3/orgs/acme/repos":
            page = int(request.args.get("page", "1"))
            if page == self.throttle_page:
                self.throttle_page = None
                return Response('{"message": "slow down"}', 429, {"Retry-After": "0"})
            items = self.repos[(page - 1) * PAGE : page * PAGE]
            headers = {"Content-Type": "application/json"}
            if page * PAGE < len(self.repos):
                nxt = f"{self.api_url}/orgs/acme/repos?page={page + 1}&per_page={PAGE}"
                headers["Link"] = f'<{nxt}>; rel="next"'
            return Response(json.dumps(items), 200, headers)
        if request.path == "/api/v3/orgs/acme/copilot/billing":  # read by the admin connector
            return Response('{"message": "No Copilot subscription"}', 422)
        if request.path == "/api/v3/orgs/acme/installations":
            return Response('{"total_count": 0, "installations": []}', 200)
        m = re.fullmatch(r"/api/v3/repos/acme/([^/]+)/tarball/([^/]+)", request.path)
        if m:
            name, ref = m.groups()
            if name in self.failing:
                return Response('{"message": "Server Error"}', 502)
            return Response(
                "", 302, {"Location": self.codeload.url_for(f"/acme/{name}/tar.gz/{ref}")}
            )
        return Response('{"message": "Not Found"}', 404)

    def handle_codeload(self, request: Request) -> Response:
        self.seen.append(("codeload", request.path, request.headers.get("Authorization", "")))
        name = request.path.split("/")[2]
        return Response(self.tarballs[name], 200, {"Content-Type": "application/x-gzip"})


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    api = HTTPServer(host="127.0.0.1", port=0)
    codeload = HTTPServer(host="127.0.0.1", port=0)
    api.start()
    codeload.start()
    yield api, codeload
    api.stop()
    codeload.stop()


@pytest.fixture
def fake(servers: tuple[HTTPServer, HTTPServer]) -> FakeGitHub:
    api, codeload = servers
    api.clear()
    codeload.clear()
    gh = FakeGitHub(api, codeload)
    api.expect_request(re.compile(".*")).respond_with_handler(gh.handle_api)
    codeload.expect_request(re.compile(".*")).respond_with_handler(gh.handle_codeload)
    return gh


def git_tarball(root: Path, name: str) -> bytes:
    """What GitHub serves for a default branch: ``git archive`` with a ``owner-repo-sha/`` top."""

    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "initial")
    sha = git("rev-parse", "--short=7", "HEAD").decode().strip()
    return git("archive", "--format=tar.gz", f"--prefix=acme-{name}-{sha}/", "HEAD")


def hostile_tarball(name: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for member, data in ((f"acme-{name}-1/ok.py", b"x = 1\n"), (name, b"import openai\n")):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def org(fake: FakeGitHub, make_tree: MakeTree, tmp_path: Path) -> FakeGitHub:
    """acme: support-bot (imports anthropic), website (no AI), billing (uses OpenAI), old-ml
    (archived) and forked-lib (a fork); five repositories over three pages."""
    for name, files in FIXTURE_REPOS.items():
        root = make_tree(files, tmp_path / "fixtures" / name)
        fake.tarballs[name] = git_tarball(root, name)
    fake.repos = [
        repo_item("billing"),
        repo_item("forked-lib", fork=True),
        repo_item("old-ml", archived=True),
        repo_item("support-bot"),
        repo_item("website"),
    ]
    return fake


def scan(tmp_path: Path, source: GitHubRepositories) -> tuple[Store, ScanResult]:
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    request = ScanRequest(targets=(), repo_sources=(source,), jobs=1, cache_dir=tmp_path / "c")
    return store, run_scan(store, request)


def source(fake: FakeGitHub, **options: Any) -> GitHubRepositories:
    return GitHubRepositories("acme", api_url=fake.api_url, token=static_token(TOKEN), **options)


def inventory(store: Store) -> dict[str, list[str]]:
    """identity key -> evidence locations (file:line), for every system."""
    result: dict[str, list[str]] = {}
    for s in store.systems():
        full = store.system(s.id)
        assert full is not None
        result[s.identity_key] = sorted(e.location for e in full.evidence)
    return result


# --- the organisation scanned through the scanner ---------------------------------------------


def test_every_repository_is_scanned_with_its_url_as_scope(org: FakeGitHub, tmp_path: Path) -> None:
    # Act
    store, result = scan(tmp_path, source(org))

    # Assert
    assert result.scan.status == "succeeded"
    assert inventory(store) == {
        "code:github.com/acme/billing:openai": ["svc/llm.py:1", "svc/llm.py:2"],
        "code:github.com/acme/support-bot:anthropic": ["bot/app.py:1", "bot/app.py:3"],
    }
    covered = {(a.scope.id, a.area, a.outcome) for a in result.coverage.areas}
    assert covered == {
        ("127.0.0.1/acme", "repositories", Outcome.OK),
        ("github.com/acme/billing", "code", Outcome.OK),
        ("github.com/acme/support-bot", "code", Outcome.OK),
        ("github.com/acme/website", "code", Outcome.OK),
    }
    skipped = {
        (s.locator, s.reason) for s in result.coverage.skips if s.scope.id == "127.0.0.1/acme"
    }
    assert skipped == {
        ("acme/old-ml", "archived repository (--include-archived reads it)"),
        ("acme/forked-lib", "fork (--include-forks reads it)"),
    }
    # every page was fetched (after the 429), no filtered repository was downloaded
    pages = [p for server, p, _ in org.seen if server == "api" and "/orgs/acme/repos" in p]
    assert len(pages) == 4
    tarballs = sorted(p.split("/")[2] for server, p, _ in org.seen if server == "codeload")
    assert tarballs == ["billing", "support-bot", "website"]


def test_the_token_goes_to_the_api_only_never_to_the_redirect_target(
    org: FakeGitHub, tmp_path: Path
) -> None:
    scan(tmp_path, source(org))

    assert {auth for server, _, auth in org.seen if server == "api"} == {f"Bearer {TOKEN}"}
    assert {auth for server, _, auth in org.seen if server == "codeload"} == {""}
    assert TOKEN.encode() not in (tmp_path / "inv.db").read_bytes()


def test_filters_choose_repositories_by_glob_archived_and_fork(
    org: FakeGitHub, tmp_path: Path
) -> None:
    filters = RepoFilter(
        include=("acme/*",), exclude=("bill*",), include_archived=True, include_forks=True
    )
    store, result = scan(tmp_path, source(org, filters=filters))

    assert sorted(inventory(store)) == [
        "code:github.com/acme/forked-lib:openai",
        "code:github.com/acme/old-ml:openai",
        "code:github.com/acme/support-bot:anthropic",
    ]
    assert ("acme/billing", "excluded by --exclude-repos") in {
        (s.locator, s.reason) for s in result.coverage.skips
    }


def test_a_failed_fetch_is_an_error_and_its_systems_turn_unknown_not_removed(
    org: FakeGitHub, tmp_path: Path
) -> None:
    # Arrange: a first scan reads billing; then its tarball endpoint fails
    scan(tmp_path, source(org))
    org.failing.add("billing")

    # Act
    store, second = scan(tmp_path, source(org))

    # Assert
    assert second.scan.status == "partial"
    failed = [(a.scope.id, a.area, a.outcome, a.message) for a in second.coverage.failed]
    assert failed == [
        (
            "github.com/acme/billing",
            "code",
            Outcome.ERROR,
            "acme/billing: tarball of main: HTTP 502",
        )
    ]
    changes = {(c.kind, c.system.scope_id) for c in store.diff(to_scan=second.scan.id).changes}
    assert changes == {("unknown", "github.com/acme/billing")}
    assert "code:github.com/acme/support-bot:anthropic" in inventory(store)


def test_a_rescan_of_unchanged_repositories_reuses_the_cached_results(
    org: FakeGitHub, tmp_path: Path
) -> None:
    _, first = scan(tmp_path, source(org))

    _, second = scan(tmp_path, source(org))

    assert first.reused == 0
    assert second.reused >= 2  # the two files that hold AI: read and hashed, not parsed again
    assert sorted(f.product_id for f in second.findings) == sorted(
        f.product_id for f in first.findings
    )


def test_a_hostile_tarball_is_refused_and_recorded_and_writes_nothing_outside(
    org: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: the website tarball climbs out with '..'
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    org.tarballs["website"] = hostile_tarball("acme-website-1/../../../escape.py")

    # Act
    store, result = scan(tmp_path, source(org))

    # Assert
    failed = [(a.scope.id, a.outcome) for a in result.coverage.failed]
    assert failed == [("github.com/acme/website", Outcome.ERROR)]
    assert "climbs out with '..': refused" in result.coverage.failed[0].message
    assert not list(tmp_path.rglob("escape.py"))
    assert list(scratch.iterdir()) == []  # every checkout was removed
    assert "code:github.com/acme/support-bot:anthropic" in inventory(store)


def test_a_denied_listing_names_the_permission_and_scans_nothing(
    org: FakeGitHub, tmp_path: Path
) -> None:
    repos = GitHubRepositories("acme", api_url=org.api_url, token=static_token("ghp_wrong"))

    _, result = scan(tmp_path, repos)

    [area] = result.coverage.areas
    assert (area.scope.id, area.area, area.outcome) == (
        "127.0.0.1/acme",
        "repositories",
        Outcome.DENIED,
    )
    assert "needs classic token: repo" in area.message
    assert result.scan.status == "partial"


def test_clone_mode_checks_out_the_default_branch(
    org: FakeGitHub, tmp_path: Path, make_tree: MakeTree
) -> None:
    # Arrange: the listing's clone URL is a local bare repository
    work = make_tree(FIXTURE_REPOS["support-bot"], tmp_path / "clone-src")
    git_tarball(work, "support-bot")
    bare = tmp_path / "support-bot.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    org.repos = [repo_item("support-bot", clone_url=bare.as_uri())]

    # Act
    store, result = scan(tmp_path, source(org, clone=True))

    # Assert
    assert inventory(store) == {
        "code:github.com/acme/support-bot:anthropic": ["bot/app.py:1", "bot/app.py:3"]
    }
    assert not [s for s, _, _ in org.seen if s == "codeload"]


# --- the tarball extraction on its own --------------------------------------------------------


def make_tar(tmp_path: Path, entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    path = tmp_path / "t.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return path


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize(
    "name, message",
    [
        ("/etc/cron.d/evil", "is an absolute path"),
        ("top/../../evil.py", "climbs out with '..'"),
        ("top\\..\\evil.py", "is an absolute path"),
        ("C:/evil.py", "is an absolute path"),
    ],
    ids=["absolute", "dotdot", "backslash", "drive"],
)
def test_paths_that_could_leave_the_checkout_refuse_the_archive(
    tmp_path: Path, name: str, message: str
) -> None:
    archive = make_tar(tmp_path, [("top/ok.py", b"x"), (name, b"import openai\n")])
    (tmp_path / "out").mkdir()

    with pytest.raises(UnsafeArchive, match=re.escape(message)):
        extract_tarball(archive, tmp_path / "out")


def test_links_are_recorded_never_created(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path,
        [
            link("top/etc", "/etc"),
            ("top/etc/notes.py", b"import anthropic\n"),
            link("top/up", "../../outside"),
            link("top/docs/readme", "../README.md"),
            link("top/hard", "top/README.md", tarfile.LNKTYPE),
            ("top/README.md", b"hello"),
        ],
    )
    root = tmp_path / "out"
    root.mkdir()

    skipped = extract_tarball(archive, root)

    assert skipped == [
        ("etc", "symlink pointing outside the repository (not extracted)"),
        ("up", "symlink pointing outside the repository (not extracted)"),
        ("docs/readme", "symlink into the scanned root (its target is read there)"),
        ("hard", "hard link in the tarball (not extracted)"),
    ]
    assert not any(p.is_symlink() for p in root.rglob("*"))
    assert (root / "etc" / "notes.py").read_bytes() == b"import anthropic\n"  # inside root
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "README.md",
        "etc/notes.py",
    ]


def test_size_bombs_and_duplicates_are_refused(tmp_path: Path) -> None:
    big = make_tar(tmp_path, [("top/a.bin", b"\0" * 4000)])
    with pytest.raises(UnsafeArchive, match="expands beyond 1000 bytes"):
        extract_tarball(big, (tmp_path / "o1"), ExtractLimits(max_extracted_bytes=1000))

    many = make_tar(tmp_path, [(f"top/{i}.py", b"") for i in range(5)])
    (tmp_path / "o2").mkdir()
    with pytest.raises(UnsafeArchive, match="over 3 entries"):
        extract_tarball(many, tmp_path / "o2", ExtractLimits(max_members=3))

    twice = make_tar(tmp_path, [("top/a.py", b"1"), ("top/a.py", b"2")])
    (tmp_path / "o3").mkdir()
    with pytest.raises(UnsafeArchive, match="appears twice"):
        extract_tarball(twice, tmp_path / "o3")


def test_a_corrupt_archive_is_a_connector_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.tar.gz"
    path.write_bytes(b"\x1f\x8bnot really gzip")

    with pytest.raises(ConnectorError, match="corrupt|truncated"):
        extract_tarball(path, tmp_path)


def test_download_over_the_limit_is_refused(org: FakeGitHub, tmp_path: Path) -> None:
    org.repos = [repo_item("support-bot")]
    repos = source(org, limits=ExtractLimits(max_download_bytes=100))
    coverage = Coverage()

    [(scope, checkout)] = list(repos.repositories(coverage, NullProgress()))
    with pytest.raises(UnsafeArchive, match="download limit"), checkout:
        pass

    assert scope == Scope("code", "github.com/acme/support-bot", "acme/support-bot")


# --- the command line --------------------------------------------------------------------------


def test_cli_scan_github_org_inventories_every_repository(
    org: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    caplog.set_level("DEBUG")

    # Act
    result = CliRunner().invoke(
        app,
        [
            "scan",
            "github",
            "--org",
            "acme",
            "--github-url",
            org.api_url,
            "--db",
            db,
            "--exclude-repos",
            "website",
        ],
    )
    listing = CliRunner().invoke(app, ["inventory", "list", "--format", "json", "--db", db])

    # Assert
    assert result.exit_code == 0, result.output
    systems = json.loads(listing.stdout)["systems"]
    assert sorted(
        (s["scope"]["id"], s["product"], sorted(e["location"] for e in s["evidence"]))
        for s in systems
    ) == [
        ("github.com/acme/billing", "openai", ["svc/llm.py:1", "svc/llm.py:2"]),
        ("github.com/acme/support-bot", "anthropic", ["bot/app.py:1", "bot/app.py:3"]),
    ]
    assert TOKEN not in result.output + listing.output + caplog.text
    assert TOKEN.encode() not in (tmp_path / "cli.db").read_bytes()
