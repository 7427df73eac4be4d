"""``go.mod``: the module's own path and the modules it requires.

A requirement marked ``// indirect`` is one the go command recorded for the build's sake (a
dependency of a dependency), so it is not direct. ``replace``/``exclude``/``retract``/``tool``
and unknown directives are skipped (the required module still appears under ``require``).
"""

from __future__ import annotations

import re

from detectors.manifests.model import GO, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.source import decode_strict

# go.mod tokens: "//" comments, "double-quoted" (Go escapes) or `back-quoted` strings, parentheses,
# and bare words (a single "/" belongs to a word: module paths are full of them).
_LEX = re.compile(
    r'(?P<comment>//.*)|(?P<token>"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|[()]|(?:[^\s"`/()]|/(?!/))+|["`])'
)
_MODULE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+/-]*")
_BLOCK_DIRECTIVES = frozenset(
    {"require", "replace", "exclude", "retract", "tool", "godebug", "ignore"}
)


def _lex(line: str) -> tuple[list[str], str]:
    """(tokens, comment text) of one line."""
    tokens: list[str] = []
    for match in _LEX.finditer(line):
        if match.group("comment") is not None:
            return tokens, match.group("comment")[2:].strip()
        tokens.append(match.group("token"))
    return tokens, ""


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in '"`':
        return token[1:-1].replace('\\"', '"') if token[0] == '"' else token[1:-1]
    return token


def _is_indirect(comment: str) -> bool:
    """The go command's rule: the comment is ``indirect``, or starts with ``indirect;``."""
    return comment == "indirect" or comment.startswith("indirect;")


def parse_go_mod(data: bytes) -> Manifest:
    """Requirements of a ``go.mod`` with their lines; the ``module`` path is the own name."""
    text = decode_strict(data, "go.mod")
    refs: list[PackageRef] = []
    own_name: str | None = None
    own_line = 0
    block: str | None = None  # the directive whose "( ... )" block we are in
    block_line = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        tokens, comment = _lex(raw)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            if "(" in tokens or ")" in tokens:
                raise ManifestError(f"invalid go.mod: line {number}: unexpected parenthesis")
            args = tokens
            directive = block
        else:
            directive, args = tokens[0], tokens[1:]
            if args == ["("]:
                if directive not in _BLOCK_DIRECTIVES:
                    raise ManifestError(
                        f"invalid go.mod: line {number}: {directive!r} takes no block"
                    )
                block, block_line = directive, number
                continue
        if directive == "module" and args and own_name is None:
            path = _unquote(args[0])
            if _MODULE_PATH.fullmatch(path):
                own_name, own_line = normalise_name(GO, path), number
        elif directive == "require" and len(args) >= 2:
            path = _unquote(args[0])
            if _MODULE_PATH.fullmatch(path):
                name = normalise_name(GO, path)
                refs.append(PackageRef(GO, name, number, args[1], not _is_indirect(comment)))
    if block is not None:
        raise ManifestError(f"invalid go.mod: line {block_line}: '{block} (' block is never closed")
    return Manifest("go.mod", GO, tuple(refs), own_name, GO if own_name else None, own_line)
