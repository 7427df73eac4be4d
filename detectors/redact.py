"""Masking of secrets: the only code that looks at a raw secret value, and it never returns one.

Snippets of evidence lines are stored and printed, so every snippet passes through
:func:`redact_line` first: values assigned to secret-looking names are masked, and so is any long
high-entropy token, whatever name it hides behind.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter

_SECRET_NAME = re.compile(
    r"(?i)([A-Za-z0-9_.-]{0,40}(?:key|token|secret|password|passwd|pwd|credential|auth)"
    r"[A-Za-z0-9_.-]{0,40}[\"']?[ \t]{0,3}(?:=|:|=>)[ \t]{0,3}[\"']?)([^\s\"',;}]+)"
)
_SECRET_WORDS = ("key", "token", "secret", "passw", "pwd", "credential", "auth")
_TOKEN = re.compile(r"[A-Za-z0-9_+/=-]{24,}")
_ENTROPY_THRESHOLD = 4.0
_PLACEHOLDER = re.compile(r"^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^>]*>|x+|\*+|\.\.\.)$")
_MASKED = re.compile(r"^[^\s…]{0,4}…[^\s…]{0,2}$")
"""A value :func:`mask` already masked (``sk-a…AA``): left as it is."""
_EXPRESSION = re.compile(r"[(\[]|^\$|^[a-z_]+$|^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_]")
"""A value that is code (``os.environ[...]``, ``settings.KEY``, ``key``), not a literal secret."""


def mask(secret: str) -> str:
    """Keep a few characters at each end so a person can recognise the key; hide the rest."""
    if len(secret) <= 12:
        return "*" * len(secret)
    return f"{secret[:4]}…{secret[-2:]}"


def digest(secret: str) -> str:
    """SHA-256 of the secret, to match the same key across scans without storing it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def shannon_entropy(value: str) -> float:
    """Bits per character; random keys score above 4, words and ids well below."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _mask_value(match: re.Match[str]) -> str:
    value = match.group(2)
    if _PLACEHOLDER.match(value) or _EXPRESSION.search(value) or _MASKED.match(value):
        return match.group(0)
    return match.group(1) + mask(value)


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if shannon_entropy(token) >= _ENTROPY_THRESHOLD and any(ch.isdigit() for ch in token):
        return mask(token)
    return token


def redact_line(line: str, limit: int = 160) -> str:
    """A snippet safe to store and print: trimmed, secrets masked, at most ``limit`` characters."""
    # Work on a bounded window (long minified lines are common), but wider than the result, so
    # no secret cut by the window can survive the final trim unmasked.
    text = line.strip()[: limit * 3]
    lowered = text.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        text = _SECRET_NAME.sub(_mask_value, text)
    text = _TOKEN.sub(_mask_token, text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


_FLAG_NAME = re.compile(r"^-{1,2}([A-Za-z0-9_.-]+)$")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)(?:[^/?#@]*@)?([^?#]*)(\?[^#]*)?(#.*)?$")


def _secret_named(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact_url(url: str) -> str:
    """A URL safe to store: credentials dropped, query values masked, long tokens masked."""
    m = _URL.match(url.strip())
    if m is None:
        return redact_line(url)
    scheme, rest, query, _fragment = m.groups()
    shown = scheme + _TOKEN.sub(_mask_token, rest)
    if query:
        params = []
        for pair in query[1:].split("&"):
            name, eq, value = pair.partition("=")
            params.append(f"{name}{eq}{mask(value)}" if eq and value else pair)
        shown += "?" + "&".join(params)
    return shown


def redact_command(parts: list[str]) -> str:
    """A command line (program and arguments) safe to store.

    The value of a secret-named flag (``--api-key X``, ``--token=X``, ``-e GITHUB_TOKEN=X``) is
    masked, URLs lose credentials and query values, and long high-entropy tokens are masked.
    """
    shown: list[str] = []
    secret_next = False
    for part in parts:
        if secret_next:
            shown.append(mask(part))
            secret_next = False
            continue
        flag = _FLAG_NAME.match(part)
        if flag is not None:
            secret_next = _secret_named(flag.group(1))
            shown.append(part)
            continue
        name, eq, value = part.partition("=")
        if eq and value and _secret_named(name):
            shown.append(f"{name}={mask(value)}")
        elif "://" in part:
            shown.append(redact_url(part))
        else:
            shown.append(redact_line(part, limit=200))
    return " ".join(shown)
