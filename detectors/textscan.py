"""Line-level matching shared by the config and code detectors: which lines hold a keyword,
and which identifiers, hostnames and model-id-like values stand on them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HOSTNAME = re.compile(
    r"(?<![A-Za-z0-9._-])([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+)"
)
VALUE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]*[A-Za-z0-9]")
URL_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)")


def line_starts(data: bytes) -> list[int]:
    """Byte offsets at which each line starts (line 1 starts at 0)."""
    starts = [0]
    find = data.find
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    return starts


def lines_of(offsets: list[int], starts: list[int]) -> list[int]:
    """1-based line numbers of byte offsets, deduplicated and sorted."""
    return sorted({bisect_right(starts, off) for off in offsets})


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
