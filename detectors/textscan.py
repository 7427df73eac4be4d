"""Line-level matching shared by the config and code detectors: which lines hold a keyword,
and which identifiers, hostnames and model-id-like values stand on them."""

from __future__ import annotations

import re
from collections.abc import Iterator

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HOSTNAME = re.compile(
    r"(?<![A-Za-z0-9._-])([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+)"
)
VALUE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]*[A-Za-z0-9]")
URL_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)")


def hit_lines(data: bytes, offsets: list[int]) -> list[int]:
    """1-based line numbers of sorted byte ``offsets``, deduplicated, in order.

    Counts newlines between successive offsets in C (``bytes.count``): the cost is one pass over
    the bytes up to the last hit, however many lines the file has.
    """
    lines: list[int] = []
    line = 1
    previous = 0
    for offset in offsets:
        line += data.count(b"\n", previous, offset)
        previous = offset
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def model_candidates(value: str) -> Iterator[str]:
    """The value itself and, for gateway-style ids, the part after a provider prefix.

    ``openai/gpt-4o`` (LiteLLM, OpenRouter, Vercel), ``openai:gpt-4o`` (Pydantic AI) and
    ``models/gemini-2.5-flash`` (Gemini API) all name the model after the separator.
    """
    yield value
    for sep in ("/", ":"):
        head, found, tail = value.partition(sep)
        if found and tail and head.replace("-", "").replace("_", "").isalnum():
            yield tail


def host_of(value: str) -> str | None:
    """The hostname a string names: the host of a URL, or the string itself if it is a hostname."""
    m = URL_HOST.match(value)
    if m:
        return m.group(1).lower()
    if HOSTNAME.fullmatch(value):
        return value.lower()
    return None
