"""Path-based noise control: evidence under tests, docs or vendored code is kept but lowered.

Example and sample apps are real usage and stay as they are.
"""

from __future__ import annotations

import re

_TEST = re.compile(
    r"(^|/)(tests?|__tests__|testing|spec|__mocks__|fixtures?|testdata)(/|$)"
    r"|(^|/)test_[^/]*\.py$|_tests?\.py$|(^|/)conftest\.py$|\.(test|spec)\.[cm]?[jt]sx?$"
)
_DOCS = re.compile(r"(^|/)(docs?|documentation|site-docs)(/|$)")
_VENDORED = re.compile(r"(^|/)(vendor|vendored|third_party|third-party|_vendor|external)(/|$)")


def noise_reason(relpath: str) -> str | None:
    """Why evidence at this path should be low confidence, or None when it is real usage."""
    path = relpath.lower()
    if _VENDORED.search(path):
        return "vendored code"
    if _TEST.search(path):
        return "test code"
    if _DOCS.search(path):
        return "documentation"
    return None
