"""Malformed fingerprint files fail loading with the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from fingerprints.catalog import CatalogError, compile_catalog, load_files

GOOD = """\
id: acme
vendor: acme
vendor_name: Acme AI
products:
  - id: acme-llm
    name: Acme LLM
    category: llm-api
    signals:
      imports: {python: [acme_llm]}
"""


def load(tmp_path: Path, name: str, text: str) -> None:
    folder = tmp_path / "extra"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    compile_catalog(load_files([folder]))


def test_a_good_extra_file_is_compiled_with_the_bundled_ones(tmp_path: Path) -> None:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "acme.yaml").write_text(GOOD)
    catalog = compile_catalog(load_files([folder]))
    assert catalog.match_import("python", "acme_llm.chat") == {"acme-llm"}
    assert "openai" in catalog.products


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("acme.yaml", GOOD.replace("id: acme\n", "id: other\n"), "id: 'other' != file stem 'acme'"),
        (
            "acme.yaml",
            GOOD + "    colour: blue\n",
            "products.0.colour: Extra inputs are not permitted",
        ),
        ("acme.yaml", GOOD.replace("llm-api", "chatbot"), "products.0.category: Input should be"),
        ("acme.yaml", GOOD.replace("acme-llm", "Acme_LLM"), "products.0.id: String should match"),
        ("acme.yaml", "id: [unclosed", "invalid YAML"),
        ("acme.yaml", "- just\n- a list\n", "expected a mapping"),
        (
            "acme.yaml",
            GOOD + "      model_ids: ['acme-(unclosed']\n",
            "products.0.signals.model_ids: Value error, model id pattern 'acme-(unclosed'",
        ),
        ("acme.yaml", GOOD + "      model_ids: ['acme-\\\\w+']\n", "use [0-9] / explicit classes"),
        ("acme.yaml", GOOD + "      hosts: ['API.Acme.com/v1']\n", "is not a lowercase hostname"),
        ("acme.yaml", GOOD + "      env_vars: [acme_key]\n", "is not an upper-case environment"),
        (
            "acme.yaml",
            GOOD.replace(
                "    category: llm-api\n", "    category: llm-api\n    supersedes: [nope]\n"
            ),
            "supersedes unknown products",
        ),
        (
            "acme.yaml",
            GOOD.replace("id: acme-llm", "id: openai"),
            "product id 'openai' is already defined by openai",
        ),
    ],
)
def test_malformed_file_names_file_key_and_reason(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(CatalogError) as info:
        load(tmp_path, name, text)
    assert message in str(info.value)
    assert "acme.yaml" in str(info.value) or "acme" in str(info.value)
