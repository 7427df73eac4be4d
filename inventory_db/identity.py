"""Deterministic identity keys: the same AI system found tomorrow is the same row.

A key never holds a line number, a path inside the scope, or a timestamp.
"""

from __future__ import annotations

from connectors.base import Scope


def identity_key(scope: Scope, product_id: str) -> str:
    """``kind:scope-id:product``, normalised (kind and product are lowercase slugs)."""
    return f"{scope.kind.lower()}:{scope.id.strip()}:{product_id.lower()}"
