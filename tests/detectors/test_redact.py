"""Secrets never leave the detector in clear: snippets are masked, keys become mask + hash."""

from __future__ import annotations

import pytest

from detectors.redact import digest, mask, redact_line

KEY = "sk-proj-Zx81QmT4vR2nP0aLk9WcYd3FbH6sJuE7gXo5iVt"


@pytest.mark.parametrize(
    ("line", "must_not_contain", "expected"),
    [
        (f"OPENAI_API_KEY={KEY}", KEY[6:], "OPENAI_API_KEY=sk-p…Vt"),
        (f'client = OpenAI(api_key="{KEY}")', KEY[6:], 'client = OpenAI(api_key="sk-p…Vt")'),
        (f"headers: {{'x-api-key': '{KEY}'}}", KEY[6:], None),
        (f"url = 'https://h/?q=1&blob={KEY}'", KEY[6:], None),  # no name: caught by entropy
        ('password="Tr0ub4dor&3"', "Tr0ub4dor", 'password="***********"'),
    ],
)
def test_secrets_are_masked(line: str, must_not_contain: str, expected: str | None) -> None:
    out = redact_line(line)
    assert must_not_contain not in out
    if expected is not None:
        assert out == expected


@pytest.mark.parametrize(
    "line",
    [
        'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
        "api_key = settings.OPENAI_KEY",
        "OPENAI_API_KEY=${VAULT_OPENAI}",
        'model = "anthropic.claude-3-5-sonnet-20241022-v2:0"',
        "from langchain_openai import AzureChatOpenAI",
    ],
)
def test_code_and_placeholders_are_left_readable(line: str) -> None:
    assert redact_line(line) == line


def test_long_lines_are_trimmed_after_masking() -> None:
    line = "x = 1; " * 100 + f"token = '{KEY}'"
    out = redact_line(line)
    assert len(out) <= 160 and KEY[6:] not in out


def test_mask_and_digest() -> None:
    assert mask(KEY) == "sk-p…Vt"
    assert mask("short") == "*****"
    assert digest(KEY) == digest(KEY) and len(digest(KEY)) == 64 and KEY not in digest(KEY)
