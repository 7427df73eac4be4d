"""Tree-sitter parsing for the languages the code detector understands.

Grammars and parsers are loaded once and reused: building a ``Parser`` is cheap but loading a
grammar is not, and the scanner parses many thousands of files. Parsers are kept per thread
because a ``tree_sitter.Parser`` must not be used by two threads at once.

Every parse runs under a wall-clock deadline so that a pathological file cannot stall a scan.
py-tree-sitter 0.26 has no ``timeout_micros`` any more; the deadline is enforced through the
``progress_callback`` that the C library calls periodically while parsing. That callback is
only honoured when the source is supplied through a read callback, so the source is handed over
as zero-copy ``memoryview`` slices.

Caution (py-tree-sitter 0.26.1): a tree parsed from a read callback keeps no copy of the source,
and ``Node.text`` on such a tree crashes the interpreter. Callers must slice the source bytes
with ``start_byte``/``end_byte`` instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from types import MappingProxyType

from tree_sitter import Language, Parser, Point, Tree

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "LANGUAGES",
    "LANGUAGE_BY_SUFFIX",
    "ParseTimeoutError",
    "get_language",
    "language_for",
    "parse",
]

DEFAULT_TIMEOUT_S = 20.0
"""Parse deadline; tree-sitter runs at roughly 10 MB/s, so only pathological inputs reach it."""

LANGUAGE_BY_SUFFIX: Mapping[str, str] = MappingProxyType(
    {
        ".py": "python",
        ".pyi": "python",
        ".js": "javascript",
        ".mjs": "javascript",
        ".cjs": "javascript",
        ".jsx": "javascript",
        ".ts": "typescript",
        ".mts": "typescript",
        ".cts": "typescript",
        ".tsx": "tsx",
        ".java": "java",
        ".kt": "kotlin",
        ".kts": "kotlin",
        ".go": "go",
        ".cs": "csharp",
        ".rb": "ruby",
        ".rs": "rust",
        ".php": "php",
    }
)
"""Lower-case file suffix -> language name."""

LANGUAGES: frozenset[str] = frozenset(LANGUAGE_BY_SUFFIX.values())


class ParseTimeoutError(TimeoutError):
    """The parse did not finish before its deadline."""


def language_for(path: str) -> str | None:
    """Return the language of ``path`` from its suffix (case-insensitive), or ``None``."""
    suffix = os.path.splitext(path)[1].lower()
    return LANGUAGE_BY_SUFFIX.get(suffix)


def _load_grammar(language: str) -> object:
    """Import the grammar module lazily so unused grammars cost nothing at start-up."""
    if language == "python":
        import tree_sitter_python

        return tree_sitter_python.language()
    if language == "javascript":
        import tree_sitter_javascript

        return tree_sitter_javascript.language()
    if language == "typescript":
        import tree_sitter_typescript

        return tree_sitter_typescript.language_typescript()
    if language == "tsx":
        import tree_sitter_typescript

        return tree_sitter_typescript.language_tsx()
    if language == "java":
        import tree_sitter_java

        return tree_sitter_java.language()
    if language == "kotlin":
        import tree_sitter_kotlin

        return tree_sitter_kotlin.language()
    if language == "go":
        import tree_sitter_go

        return tree_sitter_go.language()
    if language == "csharp":
        import tree_sitter_c_sharp

        return tree_sitter_c_sharp.language()
    if language == "ruby":
        import tree_sitter_ruby

        return tree_sitter_ruby.language()
    if language == "rust":
        import tree_sitter_rust

        return tree_sitter_rust.language()
    if language == "php":
        import tree_sitter_php

        # The full PHP grammar: text outside ``<?php ... ?>`` is HTML, not code.
        return tree_sitter_php.language_php()
    raise ValueError(f"unsupported language: {language!r}")


_languages: dict[str, Language] = {}
_languages_lock = threading.Lock()
_local = threading.local()


def get_language(language: str) -> Language:
    """Return the cached ``tree_sitter.Language`` for a language name (shared by all threads)."""
    lang = _languages.get(language)
    if lang is None:
        with _languages_lock:
            lang = _languages.get(language)
            if lang is None:
                lang = Language(_load_grammar(language))
                _languages[language] = lang
    return lang


def _get_parser(language: str) -> Parser:
    """Return this thread's parser for ``language``, creating it on first use."""
    parsers: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = {}
        _local.parsers = parsers
    parser = parsers.get(language)
    if parser is None:
        parser = Parser(get_language(language))
        parsers[language] = parser
    return parser


def parse(language: str, source: bytes, *, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> Tree:
    """Parse UTF-8 ``source``; raise ``ParseTimeoutError`` if it takes longer than ``timeout_s``.

    ``timeout_s=None`` disables the deadline. Never use ``Node.text`` on the result (see module
    docstring); slice ``source`` with the node's byte offsets.
    """
    parser = _get_parser(language)
    view = memoryview(source)

    def read(offset: int, _point: Point) -> memoryview:
        return view[offset:]

    try:
        if timeout_s is None:
            return parser.parse(read)
        deadline = time.monotonic() + timeout_s

        def past_deadline(_offset: int, _has_error: bool) -> bool:
            return time.monotonic() > deadline

        return parser.parse(read, progress_callback=past_deadline)
    except ValueError as exc:
        # A cancelled parse would otherwise be resumed by the next call on this parser.
        parser.reset()
        raise ParseTimeoutError(f"{language} parse exceeded {timeout_s} s") from exc
    except BaseException:
        parser.reset()
        raise
