"""Shared checks for the manifest parsers."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from detectors.manifests import ManifestError, PackageRef, parse_manifest

MutationCheck = Callable[[str, str, str, bytes], None]


def _check_mutations(seed: str, relpath: str, text: str, alphabet: bytes) -> None:
    """Random byte edits of a real sample must give a Manifest or ManifestError, nothing else."""
    rng = random.Random(seed)
    original = text.encode()
    assert parse_manifest(relpath, original).packages
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(data))
            op = rng.randrange(3)
            if op == 0:
                del data[pos]
            elif op == 1:
                data.insert(pos, rng.choice(alphabet))
            else:
                data[pos] = rng.choice(alphabet)
        try:
            manifest = parse_manifest(relpath, bytes(data))
        except ManifestError:
            continue
        for ref in manifest.packages:
            assert isinstance(ref, PackageRef)
            assert ref.name
            assert ref.line >= 1


@pytest.fixture
def mutation_check() -> MutationCheck:
    """``mutation_check(seed, relpath, text, alphabet)``: the robustness check above."""
    return _check_mutations
