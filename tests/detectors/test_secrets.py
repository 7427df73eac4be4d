"""Committed AI API keys (detectors/secrets.py): formats, placeholders, context rules, and the
rule that a raw key never leaves the detector (not in its own finding, not in any other).

Every key here is built at test time from random characters in the vendor's format: no
key-shaped literal is committed."""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import string
from collections.abc import Callable

import pytest

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.engine import FileKind, ScanOptions, classify, scan_data
from detectors.redact import mask, redact_line
from detectors.secrets import FRAGMENT, is_placeholder, mask_keys
from fingerprints.catalog import Catalog, load_catalog

SCOPE = Scope("code", "example", "example")
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"
BASE64 = ALNUM + "+/"
LOWER_ALNUM = string.ascii_lowercase + string.digits
MARKER = "T3Blbk" + "FJ"  # base64 "OpenAI", in every OpenAI key


def _body(alphabet: str, n: int, rng: random.Random) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


FORMATS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "openai-project-key": (
        "openai-api-key",
        lambda r: "sk-proj-" + _body(URLSAFE, 74, r) + MARKER + _body(URLSAFE, 74, r),
    ),
    "openai-service-account-key": (
        "openai-api-key",
        lambda r: "sk-svcacct-" + _body(URLSAFE, 74, r) + MARKER + _body(URLSAFE, 74, r),
    ),
    "openai-admin-key": (
        "openai-api-key",
        lambda r: "sk-admin-" + _body(URLSAFE, 58, r) + MARKER + _body(URLSAFE, 58, r),
    ),
    "openai-user-key": (
        "openai-api-key",
        lambda r: "sk-" + _body(ALNUM, 20, r) + MARKER + _body(ALNUM, 20, r),
    ),
    "anthropic-api03": (
        "anthropic-api-key",
        lambda r: "sk-ant-api03-" + _body(URLSAFE, 93, r) + "AA",
    ),
    "anthropic-admin01": (
        "anthropic-api-key",
        lambda r: "sk-ant-admin01-" + _body(URLSAFE, 93, r) + "AA",
    ),
    "huggingface-user-token": (
        "huggingface-token",
        lambda r: "hf_" + _body(string.ascii_letters, 34, r),
    ),
    "huggingface-org-token": (
        "huggingface-token",
        lambda r: "api_org_" + _body(string.ascii_letters, 34, r),
    ),
    "google-gemini-api-key": ("google-ai-api-key", lambda r: "AIza" + _body(URLSAFE, 35, r)),
    "groq-api-key": ("groq-api-key", lambda r: "gsk_" + _body(ALNUM, 52, r)),
    "replicate-api-token": ("replicate-api-token", lambda r: "r8_" + _body(ALNUM, 37, r)),
    "xai-api-key": ("xai-api-key", lambda r: "xai-" + _body(ALNUM + "_", 80, r)),
    "perplexity-api-key": ("perplexity-api-key", lambda r: "pplx-" + _body(ALNUM, 48, r)),
    "openrouter-api-key": ("openrouter-api-key", lambda r: "sk-or-v1-" + _body(HEX, 64, r)),
    "azure-openai-api-key": ("azure-openai-api-key", lambda r: _body(HEX, 32, r)),
    "mistral-api-key": ("mistral-api-key", lambda r: _body(ALNUM, 32, r)),
    "cohere-api-key": ("cohere-api-key", lambda r: _body(ALNUM, 40, r)),
    "langsmith-api-key": (
        "langsmith-api-key",
        lambda r: "lsv2_pt_" + _body(HEX, 32, r) + "_" + _body(HEX, 10, r),
    ),
    "pinecone-api-key": (
        "pinecone-api-key",
        lambda r: "pcsk_" + _body(ALNUM, 6, r) + "_" + _body(ALNUM, 63, r),
    ),
    "aws-bedrock-api-key": (
        "aws-bedrock-api-key",
        lambda r: "ABSK" + _body(BASE64, r.randint(109, 269), r) + "=" * r.randint(0, 2),
    ),
    "deepseek-api-key": ("deepseek-api-key", lambda r: "sk-" + _body(LOWER_ALNUM, 32, r)),
    "langfuse-secret-key": (
        "langfuse-secret-key",
        lambda r: "sk-lf-" + "-".join(_body(HEX, n, r) for n in (8, 4, 4, 4, 12)),
    ),
    "elevenlabs-api-key": ("elevenlabs-api-key", lambda r: "sk_" + _body(HEX, 48, r)),
    "elevenlabs-legacy-api-key": ("elevenlabs-api-key", lambda r: _body(HEX, 32, r)),
}
"""Key rule id -> (product, a generator of a random key in the rule's format)."""

CONTEXT = {
    "google-gemini-api-key": "GEMINI_API_KEY",
    "azure-openai-api-key": "AZURE_OPENAI_API_KEY",
    "mistral-api-key": "MISTRAL_API_KEY",
    "cohere-api-key": "CO_API_KEY",
    "deepseek-api-key": "DEEPSEEK_API_KEY",
    "elevenlabs-api-key": "ELEVENLABS_API_KEY",
    "elevenlabs-legacy-api-key": "ELEVENLABS_API_KEY",
}
"""Rules that need a context word: the variable name that gives it in the tests."""

_RNG = random.SystemRandom()


_MIN_ENTROPY = {r.rule.id: r.rule.min_entropy for r in load_catalog().key_rules}


def fake_key(rule: str) -> str:
    """A random key in ``rule``'s format that is not, by chance, placeholder-like."""
    while True:
        key = FORMATS[rule][1](_RNG)  # type: ignore[arg-type]
        if not is_placeholder(key, _MIN_ENTROPY[rule]):
            return key


def key_findings(result_findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    return [f for f in result_findings if f.signal is Signal.KEY]


def fragments(raw: str) -> set[str]:
    return {raw[i : i + FRAGMENT] for i in range(len(raw) - FRAGMENT + 1)}


def assert_no_fragment(text: str, raw: str) -> None:
    leaked = [g for g in fragments(raw) if g in text]
    assert not leaked, f"{leaked[0]!r} of the key is in {text!r}"


def assert_clean(findings: list[Finding] | tuple[Finding, ...], raw: str) -> None:
    for f in findings:
        blob = json.dumps([f.snippet, dict(f.attributes), list(f.models), str(f.location)])
        assert_no_fragment(blob, raw)


def test_every_rule_in_the_catalog_has_a_generator(catalog: Catalog) -> None:
    ids = {r.rule.id: r.product_id for r in catalog.key_rules}
    assert ids == {rule: product for rule, (product, _) in FORMATS.items()}
    for r in catalog.key_rules:
        assert catalog.products[r.product_id].category == "api-key"


WRAPPERS: list[tuple[str, Callable[[str, str], str]]] = [
    (".env", lambda var, k: f"{var}={k}\n"),
    ("config/app.yaml", lambda var, k: f"service:\n  {var.lower()}: '{k}'\n"),
    ("app.py", lambda var, k: f'import os\n\n{var} = "{k}"\n'),
    ("web/client.js", lambda var, k: f"const cfg = {{ {var}: `{k}` }};\n"),
    ("settings.json", lambda var, k: json.dumps({var: k}) + "\n"),
    ("notes.txt", lambda var, k: f"remember: {var} is {k} for now\n"),
]


@pytest.mark.parametrize("rule", sorted(FORMATS))
@pytest.mark.parametrize(("path", "wrap"), WRAPPERS, ids=[w[0] for w in WRAPPERS])
def test_a_key_in_any_text_file_is_one_masked_finding(
    catalog: Catalog, rule: str, path: str, wrap: Callable[[str, str], str]
) -> None:
    raw = fake_key(rule)
    var = CONTEXT.get(rule, "SERVICE_TOKEN")
    text = wrap(var, raw)

    result = scan_data(catalog, SCOPE, path, text.encode())

    keys = key_findings(result.findings)
    assert len(keys) == 1, (path, text, result)
    f = keys[0]
    assert f.product_id == FORMATS[rule][0]
    assert f.category == "api-key"
    assert dict(f.attributes) == {
        "key": mask(raw),
        "key_sha256": hashlib.sha256(raw.encode()).hexdigest(),
        "key_rule": rule,
    }
    assert f.location.locator == path
    assert f.location.line == text[: text.index(raw)].count("\n") + 1
    expected = Confidence.MEDIUM if rule in CONTEXT else Confidence.HIGH
    assert f.confidence is expected
    assert mask(raw) in f.snippet or "***" in f.snippet
    assert_clean(result.findings, raw)


def test_the_same_key_twice_is_evidence_twice(catalog: Catalog) -> None:
    raw = fake_key("groq-api-key")
    text = f"GROQ_API_KEY={raw}\n# again\nBACKUP={raw}\n"
    keys = key_findings(scan_data(catalog, SCOPE, ".env", text.encode()).findings)
    assert [f.location.line for f in keys] == [1, 3]
    assert len({f.attributes["key_sha256"] for f in keys}) == 1


def test_two_keys_on_one_line_are_both_masked(catalog: Catalog) -> None:
    a, b = fake_key("groq-api-key"), fake_key("xai-api-key")
    result = scan_data(catalog, SCOPE, "keys.txt", f"{a} {b}\n".encode())
    assert {f.attributes["key_rule"] for f in key_findings(result.findings)} == {
        "groq-api-key",
        "xai-api-key",
    }
    for raw in (a, b):
        assert_clean(result.findings, raw)


PLACEHOLDERS = [
    ("dots", "OPENAI_API_KEY=sk-..."),
    ("ellipsis", "ANTHROPIC_API_KEY=sk-ant-api03-…AA"),
    ("your key", "OPENAI_API_KEY=your-api-key"),
    ("xxx", "GROQ_API_KEY=xxx"),
    ("angle", "HF_TOKEN=<key>"),
    ("var", "OPENROUTER_API_KEY=${OPENROUTER_API_KEY}"),
    ("repeated", "ANTHROPIC_API_KEY=sk-ant-api03-" + "x" * 93 + "AA"),
    ("repeated upper", "XAI_API_KEY=xai-" + "A" * 80),
    ("sequential", "PERPLEXITY_API_KEY=pplx-" + ("abcdefghijklmnop" * 3)),
    ("digits", "GROQ_API_KEY=gsk_" + ("0123456789" * 6)[:52]),
    ("low entropy", "HF_TOKEN=hf_" + "abab" * 8 + "ab"),
    ("identifier", "from transformers import 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"),
    ("placeholder word", "HF_TOKEN=hf_YourHuggingFaceTokenGoesHereNowPlzz"),
    ("example word", "REPLICATE_API_TOKEN=r8_ExampleTokenDoNotUse0000000000000000"),
    ("zero hex", "OPENROUTER_API_KEY=sk-or-v1-" + "0" * 64),
    ("azure zeros", "AZURE_OPENAI_API_KEY=" + "0" * 32),
    ("bedrock repeated", "AWS_BEARER_TOKEN_BEDROCK=ABSK" + "Q" * 132),
    ("bedrock too short", "AWS_BEARER_TOKEN_BEDROCK=ABSK" + "QmVkcm9ja0FQSUtleS0x" * 5),
    ("deepseek dots", "DEEPSEEK_API_KEY=sk-..."),
    ("langfuse zeros", "LANGFUSE_SECRET_KEY=sk-lf-00000000-0000-0000-0000-000000000000"),
    ("elevenlabs zeros", "ELEVENLABS_API_KEY=sk_" + "0" * 48),
]


@pytest.mark.parametrize("text", [t for _, t in PLACEHOLDERS], ids=[n for n, _ in PLACEHOLDERS])
def test_placeholders_and_dummies_are_not_keys(catalog: Catalog, text: str) -> None:
    result = scan_data(catalog, SCOPE, ".env", (text + "\n").encode())
    assert key_findings(result.findings) == []


@pytest.mark.parametrize(
    ("rule", "lines", "found"),
    [
        ("google-gemini-api-key", ["MAPS_KEY={k}"], False),
        ("google-gemini-api-key", ["GOOGLE_API_KEY={k}"], True),
        ("google-gemini-api-key", ["genai.configure(api_key='{k}')"], True),
        ("google-gemini-api-key", ["# Gemini", "", "key: {k}"], True),
        ("google-gemini-api-key", ["# Gemini", "", "", "key: {k}"], False),
        ("google-gemini-api-key", ["key: {k}", "# gemini below, not above"], False),
        ("azure-openai-api-key", ["BUILD_SHA={k}"], False),
        ("azure-openai-api-key", ["endpoint: https://acme.openai.azure.com/", "key: {k}"], True),
        ("azure-openai-api-key", ["client = AzureOpenAI(api_key='{k}')"], True),
        ("mistral-api-key", ["SESSION_ID={k}"], False),
        ("mistral-api-key", ["MISTRAL_API_KEY={k}"], True),
        ("mistral-api-key", ["client = Mistral(api_key='{k}')"], True),
        ("cohere-api-key", ["COMMIT={k}"], False),
        ("cohere-api-key", ["COHERE_API_KEY={k}"], True),
        ("cohere-api-key", ["co = cohere.ClientV2('{k}')"], True),
        ("deepseek-api-key", ["OTHER_SERVICE_KEY={k}"], False),
        ("deepseek-api-key", ["base_url: https://api.deepseek.com", "api_key: {k}"], True),
        ("elevenlabs-api-key", ["STRIPE_SECRET={k}"], False),
        ("elevenlabs-api-key", ["headers = {{'xi-api-key': '{k}'}}"], True),
        ("elevenlabs-legacy-api-key", ["CACHE_KEY={k}"], False),
        ("elevenlabs-legacy-api-key", ["client = ElevenLabs(api_key='{k}')"], True),
    ],
)
def test_weak_formats_need_context_within_two_lines_before(
    catalog: Catalog, rule: str, lines: list[str], found: bool
) -> None:
    raw = fake_key(rule)
    text = "\n".join(lines).format(k=raw) + "\n"
    keys = key_findings(scan_data(catalog, SCOPE, "settings.yaml", text.encode()).findings)
    assert [f.attributes["key_rule"] for f in keys] == ([rule] if found else [])


def test_the_nearest_context_wins_when_two_rules_claim_a_value(catalog: Catalog) -> None:
    mistral, azure = fake_key("mistral-api-key"), fake_key("azure-openai-api-key")
    text = f"MISTRAL_API_KEY={mistral}\nAZURE_OPENAI_API_KEY={azure}\n"
    keys = key_findings(scan_data(catalog, SCOPE, ".env", text.encode()).findings)
    assert [(f.location.line, f.attributes["key_rule"]) for f in keys] == [
        (1, "mistral-api-key"),
        (2, "azure-openai-api-key"),
    ]


@pytest.mark.parametrize("rule", sorted(FORMATS))
def test_random_keys_of_every_format_pass_the_placeholder_filters(
    catalog: Catalog, rule: str
) -> None:
    rng = random.Random(rule)  # fixed: the rate is a property of the thresholds, not luck
    compiled = next(r for r in catalog.key_rules if r.rule.id == rule)
    keys = [FORMATS[rule][1](rng) for _ in range(2000)]  # type: ignore[arg-type]
    missed = [k for k in keys if is_placeholder(k, compiled.rule.min_entropy)]
    assert len(missed) <= 4, missed[:3]  # at most 0.2% of real keys lost
    assert all(compiled.pattern.search(k) for k in keys)


def test_other_findings_on_a_key_line_are_scrubbed(catalog: Catalog) -> None:
    # A letters-only token behind no secret-like name: the generic snippet redaction misses it.
    raw = fake_key("huggingface-user-token")
    line = f"model: gpt-4o-mini  # pulled with {raw}"
    assert raw in redact_line(line)  # the precondition: only the key pass can catch it

    result = scan_data(catalog, SCOPE, "config/llm.yaml", (line + "\n").encode())

    products = {f.product_id for f in result.findings}
    assert {"openai", "huggingface-token"} <= products
    assert_clean(result.findings, raw)


def test_notebook_findings_are_scrubbed_too(catalog: Catalog) -> None:
    raw = fake_key("huggingface-user-token")
    cell = f'from openai import OpenAI\nclient = OpenAI()  # {raw}\nmodel = "gpt-4o-mini"\n'
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": []}],
    }
    result = scan_data(catalog, SCOPE, "eda.ipynb", json.dumps(nb, indent=1).encode())
    assert key_findings(result.findings)
    assert any(f.product_id == "openai" for f in result.findings)
    assert_clean(result.findings, raw)


def test_a_malformed_manifest_still_reports_its_key(catalog: Catalog) -> None:
    raw = fake_key("anthropic-api03")
    text = '{"name": "x", "dependencies": {"openai": "^4"}, "apiKey": "' + raw + '",,}'
    result = scan_data(catalog, SCOPE, "package.json", text.encode())
    assert result.skip_reason is not None and result.skip_reason.startswith("malformed")
    assert [f.product_id for f in key_findings(result.findings)] == ["anthropic-api-key"]
    assert_clean(result.findings, raw)


def test_binary_files_are_skipped(catalog: Catalog) -> None:
    raw = fake_key("groq-api-key")
    result = scan_data(catalog, SCOPE, "notes.txt", b"\x00\x01" + raw.encode())
    assert result.skip_reason == "binary content" and not result.findings


@pytest.mark.parametrize(
    ("path", "include_docs", "kind"),
    [
        ("notes.txt", False, FileKind.TEXT),
        ("scripts/deploy.sh", False, FileKind.TEXT),
        ("api/requests.http", False, FileKind.TEXT),
        ("Makefile", False, FileKind.TEXT),
        (".npmrc", False, FileKind.TEXT),
        ("README.md", False, None),
        ("README.md", True, FileKind.DOC),
        ("notes.txt", True, FileKind.DOC),
        ("requirements.txt", False, FileKind.MANIFEST),
        ("photo.png", False, None),
    ],
)
def test_which_files_the_key_pass_reads(
    path: str, include_docs: bool, kind: FileKind | None
) -> None:
    got = classify(path, include_docs)
    assert (got[0] if got else None) is kind


def test_text_files_are_read_for_keys_only(catalog: Catalog) -> None:
    raw = fake_key("groq-api-key")
    text = f"We call gpt-4o-mini on api.openai.com with OPENAI_API_KEY.\nGROQ_API_KEY={raw}\n"
    result = scan_data(catalog, SCOPE, "notes.txt", text.encode())
    assert [f.product_id for f in result.findings] == ["groq-api-key"]


def test_keys_in_docs_and_tests_are_low_confidence(catalog: Catalog) -> None:
    raw = fake_key("groq-api-key")
    data = f"GROQ_API_KEY={raw}\n".encode()
    doc = scan_data(catalog, SCOPE, "README.md", data, ScanOptions(include_docs=True))
    assert [f.confidence for f in key_findings(doc.findings)] == [Confidence.LOW]
    assert scan_data(catalog, SCOPE, "README.md", data).findings == ()
    txt = scan_data(catalog, SCOPE, "notes.txt", data, ScanOptions(include_docs=True))
    assert [f.confidence for f in key_findings(txt.findings)] == [Confidence.HIGH]
    test = scan_data(catalog, SCOPE, "tests/fixtures/.env", data)
    (f,) = key_findings(test.findings)
    assert f.confidence is Confidence.LOW and f.attributes["reason"] == "test code"
    assert set(f.attributes) == {"key", "key_sha256", "key_rule", "reason"}


def test_mask_keys_masks_every_key_shape(catalog: Catalog) -> None:
    raws = [fake_key("huggingface-user-token"), fake_key("anthropic-api03")]
    text = f"run --token {raws[0]} --other={raws[1]}"
    masked = mask_keys(catalog, text)
    for raw in raws:
        assert_no_fragment(masked, raw)
        assert mask(raw) in masked


def test_placeholder_filter_itself() -> None:
    assert is_placeholder("hf_" + "x" * 34, 3.0)
    assert is_placeholder("sk-abc123456789", 3.0)  # a sequential run
    assert is_placeholder("hf_" + "".join(secrets.choice("ab") for _ in range(34)), 3.0)
    assert not is_placeholder(fake_key("groq-api-key"), 4.2)
