"""Git URLs as a code source: a shallow clone into a temporary directory, removed afterwards."""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from connectors.base import ConnectorError

logger = logging.getLogger(__name__)

_SCP_LIKE = re.compile(r"^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!//)(.+)$")
_URL = re.compile(r"^(?:https?|git|ssh|file)://", re.IGNORECASE)
_CREDENTIALS = re.compile(r"(?<=://)[^/@]+@")

CLONE_TIMEOUT_S = 600


def is_git_url(target: str) -> bool:
    """True for URLs git can clone (``https://``, ``ssh://``, ``git@host:owner/repo``, ``file://``)."""
    if _URL.match(target):
        return True
    return bool(_SCP_LIKE.match(target)) and not os.path.exists(target) and "/" in target


def redact_url(url: str) -> str:
    """The URL without user:password@ (tokens are often embedded there)."""
    return _CREDENTIALS.sub("", url)


def normalise_git_url(url: str) -> str:
    """A stable scope id for a repository URL: ``host/owner/repo``, no credentials, no ``.git``."""
    url = url.strip()
    m = _SCP_LIKE.match(url) if not _URL.match(url) else None
    if m:
        host, path = m.group(1), m.group(2)
    elif url.lower().startswith("file://"):
        return "file://" + url[7:].rstrip("/").removesuffix(".git")
    else:
        rest = _URL.sub("", redact_url(url))
        host, _, path = rest.partition("/")
        host = host.rsplit("@", 1)[-1].split(":")[0]
    path = path.strip("/").removesuffix(".git")
    return f"{host.lower()}/{path}"


@contextmanager
def cloned(
    url: str,
    timeout: int = CLONE_TIMEOUT_S,
    *,
    branch: str | None = None,
    token: str = "",
    label: str = "",
) -> Iterator[Path]:
    """Clone ``url`` shallowly into a temporary directory for the duration of the block.

    ``token`` (an HTTP(S) access token) is sent as a Basic ``x-access-token`` header to the
    URL's origin only, through git's environment: unlike an argument it is not visible in
    ``ps``, and it never appears in an error. ``label`` names the repository in errors.
    """
    shown = label or redact_url(url)
    tmp = Path(tempfile.mkdtemp(prefix="aicensus-clone-"))
    dest = tmp / "repo"
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/true"}
    parts = urlsplit(url)
    if token and parts.scheme in ("http", "https"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0=f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: Basic {basic}",
        )
    command = ["git", "clone", "--depth", "1", "--quiet", "--no-tags"]
    if branch:
        command += ["--single-branch", "--branch", branch]
    try:
        try:
            proc = subprocess.run(
                [*command, "--", url, str(dest)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except FileNotFoundError as err:
            raise ConnectorError(
                "git is not installed; it is needed to clone repositories"
            ) from err
        except subprocess.TimeoutExpired as err:
            raise ConnectorError(f"{shown}: clone timed out after {timeout}s") from err
        if proc.returncode != 0:
            lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
            fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))] or lines
            detail = redact_url(" ".join(fatal)) or f"git exited with {proc.returncode}"
            if token:
                detail = detail.replace(token, "[redacted]")
            raise ConnectorError(f"{shown}: clone failed: {detail[:300]}")
        yield dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
