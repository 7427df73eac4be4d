"""A GitHub organisation's repositories as a code source.

``aicensus scan github --org acme`` lists the organisation's repositories (``GET
/orgs/{org}/repos``, ``Link`` paging), filters them (name globs, archived, forks), and hands the
scanner one checkout of each default branch at a time: the REST tarball (``GET
/repos/{owner}/{repo}/tarball/{ref}``) extracted into a temporary directory, or a shallow clone
when asked. The scope of a repository is its normalised URL (``github.com/acme/support-bot``), the
same scope a local clone of it gets, so the inventory never holds twins of one repository.

A tarball is outside input and is extracted defensively: absolute paths, ``..`` components,
duplicate entries and archives larger than the limits (download size, extracted size, member
count) make the whole checkout refused; links, devices and FIFOs are never created (a link is
recorded as skipped, as the local walk records it). The token goes only to the API's origin,
never to a redirect target (GitHub redirects tarballs to ``codeload`` with a one-off token in the
URL), and never into a log, message or process listing.
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
import shutil
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from connectors.base import ConnectorError, Coverage, Outcome, ProgressSink, Scope
from connectors.code.git import cloned, normalise_git_url
from connectors.saas.github_admin import github_host, github_scope
from connectors.saas.http import (
    SaasClient,
    SaasError,
    TokenProvider,
    coverage_outcome,
    iter_link_header,
)

logger = logging.getLogger(__name__)

GITHUB_API = "https://api.github.com"
REPOS_PERMISSION = (
    "classic token: repo (private repositories) or none (public); fine-grained token: "
    "Metadata and Contents read on the repositories"
)
"""What the listing and the tarball downloads need, as coverage names it."""
CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RepoFilter:
    """Which of the organisation's repositories are read."""

    include: tuple[str, ...] = ()
    """Globs on the repository name or ``owner/name``; empty means every repository."""
    exclude: tuple[str, ...] = ()
    """Globs on the repository name or ``owner/name``; an excluded repository is never read."""
    include_archived: bool = False
    include_forks: bool = False

    def reason_to_skip(self, repo: Mapping[str, Any]) -> str | None:
        """Why ``repo`` (a ``GET /orgs/{org}/repos`` item) is not read, or None to read it."""
        names = (str(repo.get("name", "")), str(repo.get("full_name", "")))
        if self.include and not any(_glob(n, p) for n in names for p in self.include):
            return "not matched by --repos"
        if any(_glob(n, p) for n in names for p in self.exclude):
            return "excluded by --exclude-repos"
        if repo.get("archived") and not self.include_archived:
            return "archived repository (--include-archived reads it)"
        if repo.get("fork") and not self.include_forks:
            return "fork (--include-forks reads it)"
        if repo.get("disabled"):
            return "disabled repository"
        return None


def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds on one tarball: beyond any of them the checkout is refused (a size bomb)."""

    max_download_bytes: int = 2 * 1024**3
    max_extracted_bytes: int = 8 * 1024**3
    max_members: int = 500_000


class UnsafeArchive(ConnectorError):
    """A tarball that would write outside its directory or beyond the limits: refused whole."""


@dataclass(frozen=True, slots=True)
class Repository:
    """One repository to read, as the listing described it."""

    full_name: str
    default_branch: str
    scope: Scope
    clone_url: str


def repository_scope(repo: Mapping[str, Any], host: str) -> Scope:
    """The scope of a listed repository: its normalised web URL, as a local clone's origin gives.

    ``html_url`` is what GitHub says the repository is; without it, ``host/owner/name``.
    """
    full_name = str(repo.get("full_name") or "")
    url = str(repo.get("html_url") or "")
    scope_id = normalise_git_url(url) if url else f"{host}/{full_name}"
    return Scope("code", scope_id, full_name or scope_id)


class GitHubRepositories:
    """Every repository of one GitHub organisation, as checkouts for the code scan.

    ``client``/``transport`` are injection points for tests and proxies; ``token`` is called
    per request (never stored here in clear beyond the provider the caller built).
    """

    def __init__(
        self,
        org: str,
        *,
        api_url: str = GITHUB_API,
        token: TokenProvider | None = None,
        filters: RepoFilter = RepoFilter(),
        clone: bool = False,
        limits: ExtractLimits = ExtractLimits(),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.org = org
        self.api_url = api_url.rstrip("/")
        self.host = github_host(self.api_url)
        self.filters = filters
        self.clone = clone
        self.limits = limits
        self._token = token
        self._transport = transport
        self.name = f"{self.host}/{org}"
        self.org_scope = github_scope(self.api_url, org)
        """Where listing failures and filtered-out repositories are recorded (the organisation's
        scope, shared with the Copilot and installed-apps reads)."""

    def __repr__(self) -> str:
        return f"GitHubRepositories({self.name!r})"

    def list_repositories(self, coverage: Coverage) -> list[Repository]:
        """The repositories to read, after filtering; a failed listing is recorded, not raised."""
        found: list[Repository] = []
        try:
            with SaasClient(self.api_url, token=self._token, transport=self._transport) as api:
                items = list(
                    iter_link_header(
                        api,
                        f"orgs/{quote(self.org, safe='')}/repos",
                        params={"type": "all", "per_page": 100, "sort": "full_name"},
                        permission=REPOS_PERMISSION,
                    )
                )
        except SaasError as err:
            outcome, message = coverage_outcome(err)
            coverage.record(self.org_scope, "repositories", outcome, message)
            return found
        for item in items:
            full_name = str(item.get("full_name") or "")
            reason = self.filters.reason_to_skip(item)
            if reason is not None:
                coverage.skip(self.org_scope, full_name, reason)
                continue
            found.append(
                Repository(
                    full_name=full_name,
                    default_branch=str(item.get("default_branch") or "HEAD"),
                    scope=repository_scope(item, self.host),
                    clone_url=str(item.get("clone_url") or ""),
                )
            )
        coverage.record(self.org_scope, "repositories", Outcome.OK)
        return found

    def repositories(
        self, coverage: Coverage, progress: ProgressSink
    ) -> Iterator[tuple[Scope, AbstractContextManager[Path]]]:
        """Each repository's scope and a checkout of its default branch, one at a time."""
        task = f"github {self.name} repositories"
        repos = self.list_repositories(coverage)
        progress.started(task, len(repos))
        try:
            for repo in repos:
                checkout = self._cloned(repo) if self.clone else self._tarball(repo, coverage)
                yield repo.scope, checkout
                progress.advanced(task)
        finally:
            progress.finished(task)

    @contextmanager
    def _tarball(self, repo: Repository, coverage: Coverage) -> Iterator[Path]:
        """Download and extract the default branch's tarball; removed when the block ends."""
        tmp = Path(tempfile.mkdtemp(prefix="aicensus-github-"))
        try:
            archive = tmp / "repo.tar.gz"
            self._download(repo, archive)
            root = tmp / "repo"
            root.mkdir()
            for relpath, reason in extract_tarball(archive, root, self.limits):
                coverage.skip(repo.scope, relpath, reason)
            archive.unlink()
            yield root
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _download(self, repo: Repository, dest: Path) -> None:
        """Stream ``GET /repos/{owner}/{repo}/tarball/{ref}`` to ``dest``, bounded in size.

        The token goes to the API origin only: a redirect to another origin (``codeload``) is
        followed without it.
        """
        owner, _, name = repo.full_name.partition("/")
        path = f"repos/{quote(owner, safe='')}/{quote(name, safe='')}/tarball/"
        url = httpx.URL(self.api_url + "/").join(path + quote(repo.default_branch, safe=""))
        api_origin = (url.scheme, url.host, url.port)
        what = f"{repo.full_name}: tarball of {repo.default_branch}"
        with httpx.Client(
            transport=self._transport, timeout=httpx.Timeout(60.0), follow_redirects=False
        ) as client:
            for _ in range(5):
                headers = {"Accept": "application/vnd.github+json"}
                token = self._token() if self._token is not None else ""
                if token and (url.scheme, url.host, url.port) == api_origin:
                    headers["Authorization"] = f"Bearer {token}"
                try:
                    with client.stream("GET", url, headers=headers) as response:
                        if response.is_redirect and "location" in response.headers:
                            url = url.join(response.headers["location"])
                            continue
                        if response.status_code in (401, 403):
                            raise ConnectorError(
                                f"{what}: access denied (HTTP {response.status_code}), needs "
                                f"{REPOS_PERMISSION}"
                            )
                        if response.status_code >= 400:
                            raise ConnectorError(f"{what}: HTTP {response.status_code}")
                        self._save(response, dest, what)
                        return
                except httpx.HTTPError as err:
                    raise ConnectorError(f"{what}: download failed: {type(err).__name__}") from None
        raise ConnectorError(f"{what}: too many redirects")

    def _save(self, response: httpx.Response, dest: Path, what: str) -> None:
        limit = self.limits.max_download_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise UnsafeArchive(f"{what}: {declared} bytes is over the {limit}-byte download limit")
        written = 0
        with open(dest, "wb") as handle:
            for chunk in response.iter_bytes(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise UnsafeArchive(f"{what}: over the {limit}-byte download limit: refused")
                handle.write(chunk)

    @contextmanager
    def _cloned(self, repo: Repository) -> Iterator[Path]:
        """A shallow clone of the default branch; the token travels in git's environment only."""
        if not repo.clone_url:
            raise ConnectorError(f"{repo.full_name}: the listing gave no clone URL")
        token = self._token() if self._token is not None else ""
        with cloned(
            repo.clone_url, branch=repo.default_branch, token=token, label=repo.full_name
        ) as dest:
            yield dest


def extract_tarball(
    archive: Path, root: Path, limits: ExtractLimits = ExtractLimits()
) -> list[tuple[str, str]]:
    """Extract a GitHub tarball's files into ``root``; returns what was not extracted, and why.

    The first path component (``acme-repo-<sha>/``) is dropped. Only directories and regular
    files are written, each to a path checked to stay inside ``root`` (no link is ever created,
    so none can be written through). Raises :class:`UnsafeArchive` for an absolute path, a
    ``..`` component, a duplicate entry or an archive beyond ``limits``, and ``ConnectorError``
    for a corrupt archive; the caller removes whatever was written.
    """
    skipped: list[tuple[str, str]] = []
    total = 0
    members = 0
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                members += 1
                if members > limits.max_members:
                    raise UnsafeArchive(f"tarball has over {limits.max_members} entries: refused")
                relpath = _member_path(member.name)
                if relpath is None:
                    continue  # the top directory itself
                if member.isdir():
                    (root / relpath).mkdir(parents=True, exist_ok=True)
                elif member.isreg():
                    total += member.size
                    if total > limits.max_extracted_bytes:
                        raise UnsafeArchive(
                            f"tarball expands beyond {limits.max_extracted_bytes} bytes: refused"
                        )
                    _write_member(tar, member, root, relpath)
                elif member.issym():
                    skipped.append((relpath, _symlink_reason(relpath, member.linkname)))
                elif member.islnk():
                    skipped.append((relpath, "hard link in the tarball (not extracted)"))
                else:
                    skipped.append((relpath, "not a regular file (device, socket or pipe)"))
    except tarfile.TarError as err:
        raise ConnectorError(f"tarball is corrupt: {err}") from err
    except EOFError as err:
        raise ConnectorError("tarball is truncated") from err
    return skipped


def _member_path(name: str) -> str | None:
    """The member's path below the top directory; refuses any path that could leave ``root``."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"tarball entry {name[:200]!r} is an absolute path: refused")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"tarball entry {name[:200]!r} climbs out with '..': refused")
    if len(parts) <= 1:
        return None
    return "/".join(parts[1:])


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, root: Path, relpath: str) -> None:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    # No link is ever created under root, so a resolved parent outside it means a bug, not input.
    if not target.parent.resolve().is_relative_to(root.resolve()):
        raise UnsafeArchive(f"tarball entry {relpath!r} resolves outside the checkout: refused")
    source = tar.extractfile(member)
    if source is None:
        return
    try:
        with open(target, "xb") as handle:
            shutil.copyfileobj(source, handle, CHUNK)
    except FileExistsError as err:
        raise UnsafeArchive(f"tarball entry {relpath!r} appears twice: refused") from err


def _symlink_reason(relpath: str, linkname: str) -> str:
    """Links are recorded, never created; where one points says whether its target is read."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), linkname))
    if linkname.startswith("/") or resolved == ".." or resolved.startswith("../"):
        return "symlink pointing outside the repository (not extracted)"
    return "symlink into the scanned root (its target is read there)"
