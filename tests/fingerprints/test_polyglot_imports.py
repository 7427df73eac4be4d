"""Import rules of the other languages: segment-wise prefix matching on each language's
separator, and prefilter keywords that the importing file really holds."""

from __future__ import annotations

import pytest

from detectors.code.extract import extract
from detectors.code.parser import language_for
from fingerprints.catalog import Catalog, compile_catalog
from fingerprints.schema import FingerprintFile


def _catalog(imports: dict[str, list[str]]) -> Catalog:
    return compile_catalog(
        [
            FingerprintFile.model_validate(
                {
                    "id": "tt",
                    "vendor": "tt",
                    "vendor_name": "T",
                    "products": [
                        {
                            "id": "pp",
                            "name": "P",
                            "category": "llm-api",
                            "signals": {"imports": imports},
                        }
                    ],
                }
            )
        ]
    )


RULES = {
    "java": ["com.azure.ai.openai"],
    "csharp": ["Azure.AI.OpenAI"],
    "go": ["github.com/sashabaranov/go-openai"],
    "ruby": ["openai"],
    "rust": ["async_openai"],
    "php": ["OpenAI"],
}


@pytest.mark.parametrize(
    ("language", "module", "matches"),
    [
        ("java", "com.azure.ai.openai", True),
        ("java", "com.azure.ai.openai.OpenAIClient", True),
        ("kotlin", "com.azure.ai.openai.models.ChatRequestUserMessage", True),
        ("java", "com.azure.ai.openaiextras.X", False),
        ("java", "com.azure.ai", False),
        ("csharp", "Azure.AI.OpenAI", True),
        ("csharp", "Azure.AI.OpenAI.Chat", True),
        ("csharp", "Azure.AI.OpenAIExtensions", False),
        ("go", "github.com/sashabaranov/go-openai", True),
        ("go", "github.com/sashabaranov/go-openai/jsonschema", True),
        ("go", "github.com/sashabaranov/go-openai-mock", False),
        ("go", "github.com/sashabaranov", False),
        ("ruby", "openai", True),
        ("ruby", "openai/helpers", True),
        ("ruby", "openai_extras", False),
        ("rust", "async_openai", True),
        ("rust", "async_openai::types::CreateChatCompletionRequest", True),
        ("rust", "async_openai_ext::Client", False),
        ("php", "OpenAI\\Client", True),
        ("php", "OpenAI", True),
        ("php", "OpenAIExtras\\Client", False),
        ("python", "com.azure.ai.openai", False),  # rules are per language
    ],
)
def test_segment_prefix_matching(language: str, module: str, matches: bool) -> None:
    catalog = _catalog(RULES)
    assert catalog.match_import(language, module) == ({"pp"} if matches else set())


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("Main.java", "import com.azure.ai.openai.*;\n"),
        ("App.kt", "import com.azure.ai.openai.OpenAIClient\n"),
        ("Program.cs", "using Azure.AI.OpenAI;\n"),
        (
            "main.go",
            'package main\nimport (\n\toai "github.com/sashabaranov/go-openai/jsonschema"\n)\n',
        ),
        ("app.rb", "require 'openai'\n"),
        ("main.rs", "use async_openai::{Client, types::Role};\n"),
        ("index.php", "<?php\nuse OpenAI\\{Client, Factory};\n"),
    ],
)
def test_every_import_form_passes_the_prefilter_and_matches(name: str, source: str) -> None:
    catalog = _catalog(RULES)
    data = source.encode()
    offsets = catalog.keyword_offsets(data)
    assert offsets, "the prefilter would skip this file"
    language = language_for(name)
    assert language is not None
    facts = extract(language, data, hits=offsets)
    assert any(catalog.match_import(language, imp.module) for imp in facts.imports)


def test_only_python_rules_get_the_from_import_keyword() -> None:
    catalog = _catalog({"python": ["a.b.c"], "java": ["x.y.z"], "go": ["h.io/a/b"]})
    assert set(catalog.keywords) == {"a.b.c", "a.b import c", "x.y.z", "h.io/a/b"}


def test_kotlin_uses_java_rules() -> None:
    catalog = _catalog({"java": ["dev.langchain4j"]})
    assert catalog.match_import("kotlin", "dev.langchain4j.service.AiServices") == {"pp"}
    assert catalog.match_import("java", "dev.langchain4j") == {"pp"}
