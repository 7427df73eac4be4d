"""The exceptions of the governance package (drawn in ``governance/__init__.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class GovernanceError(Exception):
    """Root of the governance exceptions."""


class CatalogueError(GovernanceError):
    """A catalogue file is invalid; ``errors`` lists every problem with its file."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class InputError(GovernanceError):
    """Outside input is invalid; ``errors`` holds ``file: row N: reason`` lines, and nothing
    was applied."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)

    @classmethod
    def of_rows(cls, source: str, problems: Iterable[tuple[int, str]]) -> InputError:
        """``source: row N: reason`` lines in row order (row 0 is the file as a whole)."""
        ordered = sorted(problems, key=lambda p: p[0])
        prefix = f"{source}: " if source else ""
        return cls(
            [f"{prefix}row {row}: {why}" if row else f"{prefix}{why}" for row, why in ordered]
        )


class GateRefused(GovernanceError):
    """A lifecycle transition was refused; ``unmet`` lists every gate it did not pass."""

    def __init__(self, message: str, unmet: Sequence[str]) -> None:
        super().__init__(message + "".join(f"\n  - {u}" for u in unmet))
        self.message = message
        self.unmet = list(unmet)
