"""No committed key ever leaves the scanner in clear.

A fixture repository holds a key of every supported format in a ``.env`` file, YAML, Python,
JavaScript, JSON and a plain text file. The keys are random characters in the vendor's format,
generated when the test runs: no key-shaped literal is committed. After two scans, every
output is searched for every key and for every 12-character piece of one: the SQLite database
file and its WAL, ``inventory list`` / ``show`` (table and JSON), ``diff`` (JSON, Markdown,
table), ``register export`` (YAML, CSV), ``scans``, ``inventory vendors`` and the scan's own
output. Each key system must show the masked key and its SHA-256. The JSON outputs (and every
stored row) are checked on PostgreSQL as well.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from detectors.redact import mask
from detectors.secrets import FRAGMENT, is_placeholder
from fingerprints.catalog import load_catalog
from inventory_db.models import Base
from scanner import cli
from scanner.cli import app

runner = CliRunner()

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"
MARKER = "T3Blbk" + "FJ"


def _r(alphabet: str, n: int, rng: random.Random) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# rule id -> (product, variable name that names it, generator)
KEYS: dict[str, tuple[str, str, Callable[[random.Random], str]]] = {
    "openai-project-key": (
        "openai-api-key",
        "OPENAI_API_KEY",
        lambda r: "sk-proj-" + _r(URLSAFE, 74, r) + MARKER + _r(URLSAFE, 74, r),
    ),
    "openai-service-account-key": (
        "openai-api-key",
        "OPENAI_SVC_KEY",
        lambda r: "sk-svcacct-" + _r(URLSAFE, 74, r) + MARKER + _r(URLSAFE, 74, r),
    ),
    "openai-admin-key": (
        "openai-api-key",
        "OPENAI_ADMIN_KEY",
        lambda r: "sk-admin-" + _r(URLSAFE, 58, r) + MARKER + _r(URLSAFE, 58, r),
    ),
    "openai-user-key": (
        "openai-api-key",
        "LEGACY_OPENAI",
        lambda r: "sk-" + _r(ALNUM, 20, r) + MARKER + _r(ALNUM, 20, r),
    ),
    "anthropic-api03": (
        "anthropic-api-key",
        "ANTHROPIC_API_KEY",
        lambda r: "sk-ant-api03-" + _r(URLSAFE, 93, r) + "AA",
    ),
    "anthropic-admin01": (
        "anthropic-api-key",
        "ANTHROPIC_ADMIN",
        lambda r: "sk-ant-admin01-" + _r(URLSAFE, 93, r) + "AA",
    ),
    "huggingface-user-token": (
        "huggingface-token",
        "HF_TOKEN",
        lambda r: "hf_" + _r(string.ascii_letters, 34, r),
    ),
    "huggingface-org-token": (
        "huggingface-token",
        "HUB_ORG",
        lambda r: "api_org_" + _r(string.ascii_letters, 34, r),
    ),
    "google-gemini-api-key": (
        "google-ai-api-key",
        "GEMINI_API_KEY",
        lambda r: "AIza" + _r(URLSAFE, 35, r),
    ),
    "groq-api-key": ("groq-api-key", "GROQ_API_KEY", lambda r: "gsk_" + _r(ALNUM, 52, r)),
    "replicate-api-token": (
        "replicate-api-token",
        "REPLICATE_API_TOKEN",
        lambda r: "r8_" + _r(ALNUM, 37, r),
    ),
    "xai-api-key": ("xai-api-key", "XAI_API_KEY", lambda r: "xai-" + _r(ALNUM + "_", 80, r)),
    "perplexity-api-key": (
        "perplexity-api-key",
        "PPLX_API_KEY",
        lambda r: "pplx-" + _r(ALNUM, 48, r),
    ),
    "openrouter-api-key": (
        "openrouter-api-key",
        "OPENROUTER_API_KEY",
        lambda r: "sk-or-v1-" + _r(HEX, 64, r),
    ),
    "azure-openai-api-key": (
        "azure-openai-api-key",
        "AZURE_OPENAI_API_KEY",
        lambda r: _r(HEX, 32, r),
    ),
    "mistral-api-key": ("mistral-api-key", "MISTRAL_API_KEY", lambda r: _r(ALNUM, 32, r)),
    "cohere-api-key": ("cohere-api-key", "CO_API_KEY", lambda r: _r(ALNUM, 40, r)),
    "langsmith-api-key": (
        "langsmith-api-key",
        "LANGCHAIN_API_KEY",
        lambda r: "lsv2_sk_" + _r(HEX, 32, r) + "_" + _r(HEX, 10, r),
    ),
    "pinecone-api-key": (
        "pinecone-api-key",
        "PINECONE_API_KEY",
        lambda r: "pcsk_" + _r(ALNUM, 5, r) + "_" + _r(ALNUM, 63, r),
    ),
}


def make_keys() -> dict[str, str]:
    """A fresh random key per rule (retried in the rare case one looks like a placeholder)."""
    rng = random.SystemRandom()
    entropy = {r.rule.id: r.rule.min_entropy for r in load_catalog().key_rules}
    keys = {}
    for rule, (_, _, generate) in KEYS.items():
        key = generate(rng)  # type: ignore[arg-type]
        while is_placeholder(key, entropy[rule]):
            key = generate(rng)  # type: ignore[arg-type]
        keys[rule] = key
    return keys


def repo_files(keys: dict[str, str]) -> dict[str, str | bytes]:
    """Every key in every file kind, some on lines that other detectors report too."""
    pairs = [(KEYS[rule][1], key) for rule, key in keys.items()]
    openai_key = keys["openai-project-key"]
    hf = keys["huggingface-user-token"]
    return {
        ".env": "".join(f"{var}={key}\n" for var, key in pairs),
        "config/services.yaml": "llm:\n  model: gpt-4o-mini\n"
        + "".join(f"  {var.lower()}: '{key}'\n" for var, key in pairs)
        + f"  hub: https://api.openai.com  # {hf}\n",
        "app/clients.py": "import os\nfrom openai import OpenAI\n\n"
        f'client = OpenAI(api_key="{openai_key}")  # gpt-4o-mini\n'
        + "".join(f'{var} = "{key}"\n' for var, key in pairs),
        "web/client.js": "import Anthropic from '@anthropic-ai/sdk';\n"
        f"const anthropic = new Anthropic({{ apiKey: '{keys['anthropic-api03']}' }});\n"
        + "".join(f"const {var} = '{key}';\n" for var, key in pairs),
        "settings.json": json.dumps(dict(pairs), indent=2) + "\n",
        "docs-notes.txt": "Keys we used during the spike:\n"
        + "".join(f"{var} was {key} until rotation\n" for var, key in pairs)
        + f"and the hub token {hf} pulled the weights\n",
    }


def fragments(key: str) -> set[str]:
    return {key[i : i + FRAGMENT] for i in range(len(key) - FRAGMENT + 1)}


def assert_no_key(label: str, blob: str | bytes, keys: dict[str, str]) -> None:
    for rule, key in keys.items():
        for piece in fragments(key):
            needle: str | bytes = piece.encode() if isinstance(blob, bytes) else piece
            assert needle not in blob, f"{label}: {piece!r} of the {rule} key is in clear"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.output


def assert_key_systems(doc: dict, keys: dict[str, str]) -> None:
    """Every key is evidence of its product's api-key system, shown masked with its SHA-256."""
    systems = {s["product"]: s for s in doc["systems"] if s["category"] == "api-key"}
    assert set(systems) == {product for product, _, _ in KEYS.values()}
    for rule, key in keys.items():
        system = systems[KEYS[rule][0]]
        digest = hashlib.sha256(key.encode()).hexdigest()
        shown = [e for e in system["evidence"] if e["attributes"].get("key_sha256") == digest]
        assert shown, rule
        for e in shown:
            assert e["signal"] == "key"
            assert e["attributes"] == {"key": mask(key), "key_sha256": digest, "key_rule": rule}
        files = {e["location"].split(":")[0] for e in shown}
        assert files >= {
            ".env",
            "config/services.yaml",
            "app/clients.py",
            "web/client.js",
            "settings.json",
            "docs-notes.txt",
        }, rule


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables as wide as they need: nothing is folded or cut, so nothing hides a key."""
    monkeypatch.setattr(cli.out, "width", 1000)
    monkeypatch.setattr(cli.err, "width", 1000)


def test_no_key_in_clear_anywhere_sqlite(
    make_tree, tmp_path: Path, wide: None, _own_result_cache: Path
) -> None:
    keys = make_keys()
    root = make_tree(repo_files(keys))
    db_path = tmp_path / "inventory.db"
    db = f"sqlite:///{db_path}"
    outputs: dict[str, str] = {}

    outputs["scan 1"] = invoke("scan", str(root), "--db", db, "--all")
    # a second scan with one more file, so the diff has something to say
    more = make_keys()
    (root / "later.env").write_text("".join(f"{KEYS[r][1]}={k}\n" for r, k in more.items()))
    outputs["scan 2"] = invoke("scan", str(root), "--db", db, "--all")
    every = {**keys, **{f"{r} (2nd)": k for r, k in more.items()}}

    doc = json.loads(invoke("inventory", "list", "--db", db, "--format", "json", "--all"))
    outputs["list json"] = json.dumps(doc)
    outputs["list json default"] = invoke("inventory", "list", "--db", db, "--format", "json")
    outputs["list table"] = invoke("inventory", "list", "--db", db, "--all")
    outputs["list table default"] = invoke("inventory", "list", "--db", db)
    for s in doc["systems"]:
        sid = str(s["id"])
        outputs[f"show {sid}"] = invoke("inventory", "show", sid, "--db", db)
        outputs[f"show {sid} json"] = invoke("inventory", "show", sid, "--db", db, "-f", "json")
        outputs[f"show {sid} scan 1"] = invoke("inventory", "show", sid, "--db", db, "--scan", "1")
        outputs[f"history {sid}"] = invoke("inventory", "history", sid, "--db", db)
    for fmt in ("json", "markdown", "table"):
        outputs[f"diff {fmt}"] = invoke("diff", "--db", db, "--format", fmt, "--all")
        outputs[f"diff {fmt} from empty"] = invoke(
            "diff", "--db", db, "--to", "1", "--format", fmt, "--all"
        )
    for fmt in ("yaml", "csv"):
        outputs[f"register {fmt}"] = invoke("register", "export", "-", "--db", db, "-f", fmt)
    outputs["scans"] = invoke("scans", "--db", db)
    outputs["scans show"] = invoke("scans", "--db", db, "--show", "2")
    outputs["vendors"] = invoke("inventory", "vendors", "--db", db)
    outputs["vendors json"] = invoke("inventory", "vendors", "--db", db, "--format", "json")

    for label, text in outputs.items():
        assert_no_key(label, text, every)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("inventory.db")]
    assert db_path in files
    for path in files:  # the database, its -wal and -shm
        assert_no_key(path.name, path.read_bytes(), every)
    cached = [p for p in _own_result_cache.iterdir() if p.is_file()]
    assert any(p.name.endswith(".sqlite") for p in cached)  # the scans did remember results
    for path in cached:  # the result cache, its -wal and -shm
        assert_no_key(f"cache {path.name}", path.read_bytes(), every)

    assert_key_systems(doc, keys)
    ids = {s["product"]: s["id"] for s in doc["systems"]}
    for rule, key in keys.items():  # the table shows the mask too
        show = outputs[f"show {ids[KEYS[rule][0]]}"]
        assert mask(key) in show
        assert hashlib.sha256(key.encode()).hexdigest() in show
    # the other detectors still report what the key lines say
    products = {s["product"] for s in doc["systems"]}
    assert {"openai", "anthropic", "huggingface-hub"} & products


def test_json_outputs_and_stored_rows_hold_no_key(make_tree, db_url: str) -> None:
    keys = make_keys()
    root = make_tree(repo_files(keys))
    if not db_url.startswith("sqlite"):
        invoke("db", "upgrade", "--db", db_url)

    invoke("scan", str(root), "--db", db_url)
    (root / "app" / "more.py").write_text(f'KEY = "{keys["groq-api-key"]}"\n')
    invoke("scan", str(root), "--db", db_url)

    doc = json.loads(invoke("inventory", "list", "--db", db_url, "--format", "json", "--all"))
    outputs = {"list json": json.dumps(doc)}
    for s in doc["systems"]:
        sid = str(s["id"])
        outputs[f"show {sid}"] = invoke("inventory", "show", sid, "--db", db_url, "-f", "json")
    outputs["diff json"] = invoke("diff", "--db", db_url, "--format", "json", "--all")
    outputs["diff markdown"] = invoke("diff", "--db", db_url, "--format", "markdown", "--all")
    outputs["vendors json"] = invoke("inventory", "vendors", "--db", db_url, "-f", "json")
    for fmt in ("yaml", "csv"):
        outputs[f"register {fmt}"] = invoke("register", "export", "-", "--db", db_url, "-f", fmt)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                rows = conn.execute(select(table)).all()
                outputs[f"table {table.name}"] = json.dumps(
                    [list(r) for r in rows], default=str, ensure_ascii=False
                )
    finally:
        engine.dispose()

    for label, text in outputs.items():
        assert_no_key(label, text, keys)
    assert_key_systems(doc, keys)
