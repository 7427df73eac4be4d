"""Language-neutral facts extracted from one source file; the detector matches these, not syntax."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Import:
    """An import, require or dynamic import of a module."""

    module: str
    """The module as written: ``openai``, ``langchain_openai.chat``, ``@anthropic-ai/sdk``."""
    line: int
    names: tuple[str, ...] = ()
    """Names imported from the module (``from m import a, b`` / ``import {a, b} from 'm'``)."""


@dataclass(frozen=True, slots=True)
class Call:
    """A call or ``new`` expression."""

    callee: str
    """Dotted text of the called expression: ``boto3.client``, ``OpenAI``, ``c.chat.create``."""
    line: int
    args: tuple[str, ...] = ()
    """String-literal positional arguments, in order (non-literals are skipped)."""
    kwargs: Mapping[str, str] = field(default_factory=dict)
    """String-literal keyword arguments (Python) or object-literal properties (JS/TS)."""
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A string literal used by code (docstrings and comments are not included)."""

    value: str
    line: int


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """Everything the code detector needs from one file."""

    language: str
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    strings: tuple[StringLiteral, ...] = ()
    has_errors: bool = False
    """The parse was partial (syntax errors); the facts are best effort."""
