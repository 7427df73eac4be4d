"""The pure interpretation steps: IAM grants, and secret names that look like AI API keys."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from connectors.aws.traces import invoke_grants
from detectors.base import Confidence
from detectors.cloud import env_name_products
from fingerprints.catalog import Catalog


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "arn:m"}, ["arn:m"]),
        ({"Effect": "Allow", "Action": ["bedrock:Invoke*"], "Resource": ["a", "b"]}, ["a", "b"]),
        ({"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}, ["*"]),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, None),  # admin says nothing of AI
        ({"Effect": "Deny", "Action": "bedrock:InvokeModel", "Resource": "*"}, None),
        ({"Effect": "Allow", "Action": "bedrock:ListCustomModels", "Resource": "*"}, None),
    ],
)
def test_invoke_grants(statement: dict[str, object], expected: list[str] | None) -> None:
    assert invoke_grants({"Version": "2012-10-17", "Statement": [statement]}) == expected


def test_url_encoded_policy_documents_are_read() -> None:
    statement = {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "r"}
    doc = quote(json.dumps({"Statement": [statement]}))
    assert invoke_grants(doc) == ["r"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OPENAI_API_KEY", [("openai", Confidence.HIGH)]),
        ("prod/openai-api-key", [("openai", Confidence.MEDIUM)]),
        ("/app/prod/anthropic_api_key", [("anthropic", Confidence.MEDIUM)]),
        ("prod/anthropic/key", [("anthropic", Confidence.LOW)]),
        ("prod/db-password", []),
        ("openai-docs-bucket", []),  # a vendor word without a credential word is not a key
    ],
)
def test_secret_names_that_look_like_ai_keys(
    catalog: Catalog, name: str, expected: list[tuple[str, Confidence]]
) -> None:
    assert env_name_products(catalog, name) == expected
