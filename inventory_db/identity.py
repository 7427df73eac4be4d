"""Deterministic identity keys: the same AI system found tomorrow is the same row.

A key never holds a line number, a path inside the scope, or a timestamp.
"""

from __future__ import annotations

import hashlib

from connectors.base import Scope

MAX_KEY = 700
"""The identity column's width; a longer key keeps its head and a hash of the whole."""


def identity_key(scope: Scope, product_id: str, instance: str = "") -> str:
    """``kind:scope-id:product``, normalised (kind and product are lowercase slugs).

    A managed resource that is a system of its own appends its stable id (ARN, ARM id):
    ``aws:123456789012:aws-sagemaker:arn:aws:sagemaker:...:endpoint/churn``.
    """
    key = f"{scope.kind.lower()}:{scope.id.strip()}:{product_id.lower()}"
    if instance.strip():
        key = f"{key}:{instance.strip()}"
    if len(key) > MAX_KEY:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"{key[: MAX_KEY - 72]}:sha256:{digest}"
    return key
