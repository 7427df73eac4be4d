"""The diff report: JSON (``aicensus.diff/1``) for tools, Markdown for tickets and chat."""

from __future__ import annotations

from typing import Any, Protocol

from inventory_db.diff import Change, Diff
from inventory_db.register import GOVERNED

DIFF_SCHEMA = "aicensus.diff/1"
KINDS = ("added", "removed", "changed", "unknown")


class _Named(Protocol):
    @property
    def product_name(self) -> str: ...
    @property
    def instance(self) -> str: ...
    @property
    def instance_name(self) -> str: ...


def system_label(s: _Named) -> str:
    """A system as people name it: the product, and the resource when it is one of its own
    (``Amazon SageMaker · churn-scorer``)."""
    return f"{s.product_name} · {s.instance_name or s.instance}" if s.instance else s.product_name


def is_shadow(change: Change) -> bool:
    """An added system nobody has registered, approved or rejected."""
    return change.kind == "added" and change.system.status not in GOVERNED


def change_json(change: Change) -> dict[str, Any]:
    """One change in the public shape."""
    s = change.system
    doc: dict[str, Any] = {
        "kind": change.kind,
        "id": s.id,
        "identity_key": s.identity_key,
        "vendor": s.vendor,
        "product": s.product,
        "product_name": s.product_name,
        "category": s.category,
        "scope": {"kind": s.scope_kind, "id": s.scope_id, "name": s.scope_name},
        "resource": {"id": s.instance, "name": s.instance_name} if s.instance else None,
        "status": s.status,
        "shadow": is_shadow(change),
    }
    if change.kind == "changed":
        doc.update(
            models_added=list(change.models_added),
            models_removed=list(change.models_removed),
            locations_added=list(change.locations_added),
            locations_removed=list(change.locations_removed),
            category_from=change.category_from,
        )
    if change.reason:
        doc["reason"] = change.reason
    return doc


def diff_json(diff: Diff) -> dict[str, Any]:
    """The whole diff as ``aicensus.diff/1``."""
    return {
        "schema": DIFF_SCHEMA,
        "from_scan": diff.from_scan,
        "to_scan": diff.to_scan,
        "summary": {kind: len(diff.of_kind(kind)) for kind in KINDS}
        | {"new_shadow_ai": sum(1 for c in diff.changes if is_shadow(c))},
        "changes": [change_json(c) for c in diff.changes],
    }


def _md(text: str) -> str:
    """Escape text for a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _detail(change: Change) -> str:
    parts = []
    if change.models_added:
        parts.append("models + " + ", ".join(f"`{m}`" for m in change.models_added))
    if change.models_removed:
        parts.append("models − " + ", ".join(f"`{m}`" for m in change.models_removed))
    if change.locations_added:
        shown = ", ".join(f"`{_md(loc)}`" for loc in change.locations_added[:5])
        more = len(change.locations_added) - 5
        parts.append("new in " + shown + (f" and {more} more" if more > 0 else ""))
    if change.category_from:
        parts.append(f"category {change.category_from} → {change.system.category}")
    if change.reason:
        parts.append(_md(change.reason))
    if is_shadow(change):
        parts.append("**shadow AI: not in the register**")
    return "; ".join(parts)


def diff_markdown(diff: Diff) -> str:
    """A report a person can paste into a ticket."""
    base = f"scan {diff.from_scan}" if diff.from_scan is not None else "an empty inventory"
    lines = [f"## AI inventory changes: scan {diff.to_scan} compared with {base}", ""]
    counts = ", ".join(f"{len(diff.of_kind(k))} {k}" for k in KINDS)
    shadow = sum(1 for c in diff.changes if is_shadow(c))
    lines += [f"{counts}; **{shadow} new shadow AI**.", ""]
    if not diff.changes:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    lines += ["| Change | System | Scope | Status | Detail |", "|---|---|---|---|---|"]
    for c in diff.changes:
        s = c.system
        lines.append(
            f"| {c.kind} | {_md(system_label(s))} | {_md(s.scope_name or s.scope_id)} "
            f"| {s.status} | {_detail(c)} |"
        )
    return "\n".join(lines) + "\n"
