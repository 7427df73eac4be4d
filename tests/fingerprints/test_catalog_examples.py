"""Every fingerprint example runs through the real engine (prefilter included), one test each,
and the catalog is complete: every declared signal kind has a positive, every product a negative."""

from __future__ import annotations

import pytest

from detectors.examples import completeness_errors, run_example
from fingerprints.catalog import Catalog, ExampleCase, load_catalog
from fingerprints.categories import Category

CASES = list(load_catalog().examples())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_example_holds(case: ExampleCase, catalog: Catalog) -> None:
    outcome = run_example(catalog, case)
    assert outcome.ok, outcome.detail


def test_every_declared_signal_has_a_positive_and_every_product_a_negative(
    catalog: Catalog,
) -> None:
    assert completeness_errors(catalog) == []


def test_the_foundation_products_are_all_there(catalog: Catalog) -> None:
    required = {
        "openai",
        "azure-openai",
        "anthropic",
        "google-gemini",
        "google-vertex-ai",
        "aws-bedrock",
        "mistral",
        "cohere",
        "huggingface-hub",
        "huggingface-transformers",
        "huggingface-inference",
        "ollama",
        "litellm",
        "langchain",
        "llamaindex",
    }
    assert required <= set(catalog.products)


def test_ids_and_categories_are_valid(catalog: Catalog) -> None:
    for fp in catalog.files:
        for product in fp.products:
            assert product.category in set(Category)
    assert len({p.id for p in catalog.products.values()}) == len(catalog.products)


def test_every_model_id_example_passes_the_prefilter(catalog: Catalog) -> None:
    for case in CASES:
        ex = case.example
        if ex.signal.value == "model_id" and ex.expect == "match":
            assert catalog.prefilter(ex.text.encode()), case.name
