"""Decoding manifest bytes and mapping parsed values back to 1-based source lines.

``tomllib`` and ``json`` give no positions, so names are located in the text: TOML by a bounded
search from the table (and key) that holds them, JSON by walking object members with the
standard decoder's ``raw_decode``. setup.cfg is read by a small configparser-compatible reader
that keeps line numbers and tolerates stray content.
"""

from __future__ import annotations

import codecs
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from detectors.manifests.model import ManifestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with that one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_lenient(data: bytes) -> str:
    """Line-based formats: honour a BOM (PowerShell writes UTF-16), replace undecodable bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def decode_strict(data: bytes, fmt: str) -> str:
    """TOML and JSON must be UTF-8 (a UTF-8 BOM is tolerated); anything else is an error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ManifestError(
            f"invalid {fmt}: not UTF-8 ({exc.reason}: byte 0x{bad} at offset {exc.start})"
        ) from exc


class TextLocator:
    """Offsets to 1-based line numbers over one decoded text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_at(self, offset: int) -> int:
        """The 1-based line holding ``offset``."""
        return bisect_right(self._starts, offset)

    def in_comment(self, offset: int) -> bool:
        """Whether ``offset`` follows a ``#`` that is outside quotes on its line (TOML/YAML)."""
        prefix = self.text[self._starts[self.line_at(offset) - 1] : offset]
        quote = ""
        index = 0
        while index < len(prefix):
            char = prefix[index]
            if quote:
                if char == "\\" and quote == '"':
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char == "#":
                return True
            index += 1
        return False

    def search(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """First match in ``[start, end)`` that is not inside a comment."""
        for match in pattern.finditer(self.text, start, end):
            if not self.in_comment(match.start()):
                return match
        return None


@dataclass(slots=True)
class Cursor:
    """Search state inside one TOML table: where to look next, where the table ends, fallback."""

    pos: int
    end: int
    line: int
    """Line of the table header or key; used when a name cannot be found."""


def _toml_key(key: str) -> str:
    """Regex for a TOML key written bare, double- or single-quoted."""
    escaped = re.escape(key)
    return f"(?:\"{escaped}\"|'{escaped}'|{escaped})"


# A table header alone on its line (optionally commented); array-of-tables headers included.
_ANY_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*[A-Za-z0-9_\"'-][^\n\]]*\]\]?[ \t]*(?:#.*)?$", re.M)
_NAME_TAIL = r"(?![A-Za-z0-9._-])"


class TomlLocator(TextLocator):
    """Finds where TOML tables, keys and requirement strings are written."""

    def _next_header(self, start: int) -> int:
        match = _ANY_HEADER.search(self.text, start)
        return match.start() if match else len(self.text)

    def section(self, table: Sequence[str], key: str | None = None) -> Cursor:
        """A cursor at ``[table]`` (or its closest written parent) and then at ``key =``."""
        cursor = Cursor(0, self._next_header(0), 1)
        remaining = [*table]
        for size in range(len(table), 0, -1):
            parts = r"[ \t]*\.[ \t]*".join(_toml_key(part) for part in table[:size])
            header = re.compile(rf"^[ \t]*\[[ \t]*{parts}[ \t]*\]", re.M)
            match = self.search(header, 0, len(self.text))
            if match is not None:
                end = self._next_header(match.end())
                cursor = Cursor(match.end(), end, self.line_at(match.start()))
                remaining = [*table[size:]]
                break
        if key is not None:
            remaining.append(key)
        for part in remaining:  # dotted or plain keys below the header
            pattern = re.compile(rf"(?:^|(?<=[\s.{{,]))[ \t]*{_toml_key(part)}[ \t]*[=.]", re.M)
            match = self.search(pattern, cursor.pos, cursor.end)
            if match is None:
                break
            cursor.pos = match.end()
            cursor.line = self.line_at(match.end())
        return cursor

    def find_item(self, cursor: Cursor, name: str) -> int:
        """Line of the next string starting with requirement ``name``; advances the cursor."""
        # \n?: a multi-line string's text may start on the line after its opening quotes.
        pattern = re.compile(rf"(?P<q>[\"'])\r?\n?[ \t]*{re.escape(name)}{_NAME_TAIL}")
        match = self.search(pattern, cursor.pos, cursor.end)
        if match is None:
            return cursor.line
        cursor.pos = self._string_end(match.group("q"), match.end())
        return self.line_at(match.end() - 1)

    def _string_end(self, quote: str, pos: int) -> int:
        """Offset just past the string's closing quote, so its markers are not searched again."""
        close = self.text.find(quote, pos)
        while quote == '"' and close > 0 and self.text[close - 1] == "\\":
            close = self.text.find(quote, close + 1)
        return close + 1 if close >= 0 else pos

    def find_key(self, cursor: Cursor, name: str) -> int:
        """Line of the next ``name =`` key (or ``[table.name]`` sub-table); advances the cursor."""
        key = _toml_key(name)
        pattern = re.compile(rf"(?:^|(?<=[{{,]))[ \t]*{key}[ \t]*=", re.M)
        match = self.search(pattern, cursor.pos, cursor.end)
        if match is not None:
            cursor.pos = match.end()
            return self.line_at(match.end())
        subtable = re.compile(rf"^[ \t]*\[[^\]\n]*\.[ \t]*{key}[ \t]*\]", re.M)
        match = self.search(subtable, cursor.pos, len(self.text))
        return self.line_at(match.start()) if match is not None else cursor.line


@dataclass(frozen=True, slots=True)
class JsonMember:
    """One ``"key": value`` pair of a JSON object, with the offset of its key."""

    key: str
    key_pos: int
    value: Any
    value_pos: int


_JSON_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip_ws(text: str, pos: int) -> int:
    match = _JSON_WS.match(text, pos)
    return match.end() if match else pos


def json_members(text: str, pos: int) -> list[JsonMember]:
    """Members of the object at ``pos``, in order (duplicates kept); ``text`` is valid JSON."""
    pos = _skip_ws(text, pos)
    if not text.startswith("{", pos):
        return []
    pos = _skip_ws(text, pos + 1)
    members: list[JsonMember] = []
    while text.startswith('"', pos):
        key, after_key = _DECODER.raw_decode(text, pos)
        value_pos = _skip_ws(text, _skip_ws(text, after_key) + 1)  # past the ':'
        value, after_value = _DECODER.raw_decode(text, value_pos)
        members.append(JsonMember(str(key), pos, value, value_pos))
        pos = _skip_ws(text, after_value)
        if not text.startswith(",", pos):
            break
        pos = _skip_ws(text, pos + 1)
    return members


IniValue = list[tuple[int, str]]
"""An option's value lines: (1-based line, stripped text); the first may be on the key line."""

_INI_SECTION = re.compile(r"\[(?P<name>.+)\]")
_INI_OPTION = re.compile(r"(?P<key>[^=:]+?)\s*[=:]\s*(?P<value>.*)")


def read_ini(text: str) -> dict[str, dict[str, IniValue]]:
    """Sections -> lowercased options -> value lines, following configparser's rules.

    Unlike configparser it never raises: content before the first section and lines that are
    neither headers nor options are skipped; repeated sections merge, later options win.
    """
    sections: dict[str, dict[str, IniValue]] = {}
    current: dict[str, IniValue] | None = None
    value: IniValue | None = None
    indent = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue  # configparser: blank and comment lines neither end nor extend a value
        line_indent = len(line) - len(line.lstrip())
        if value is not None and line_indent > indent:
            value.append((number, stripped))
            continue
        indent = line_indent
        value = None
        header = _INI_SECTION.match(stripped)
        if header is not None:
            current = sections.setdefault(header.group("name").strip().lower(), {})
            continue
        option = _INI_OPTION.fullmatch(stripped)
        if current is None or option is None:
            continue
        first = option.group("value").strip()
        value = [(number, first)] if first else []
        current[option.group("key").strip().lower()] = value
    return sections


class LineCounter:
    """1-based lines of offsets visited in increasing order, for files too big to index.

    Counts the newlines since the previous offset (in C), so the cost is one pass over the text
    however many offsets are asked for; an offset before the previous one restarts the count.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._pos = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        """The 1-based line holding ``offset``."""
        if offset < self._pos:
            self._pos, self._line = 0, 1
        self._line += self.text.count("\n", self._pos, offset)
        self._pos = offset
        return self._line


_BLOCK = 1 << 16


def lines_at(data: bytes, numbers: Iterable[int]) -> dict[int, str]:
    """The text of the given 1-based lines of ``data`` (decoded leniently, without the newline).

    Made for a few lines of a large file: whole blocks without a wanted line are skipped by
    counting their newlines in C, so the file is never split into lines.
    """
    found: dict[int, str] = {}
    pos, line = 0, 1  # ``pos`` is the start of ``line``
    for wanted in sorted(set(numbers)):
        if wanted < line:
            continue
        while wanted > line:
            block_end = min(pos + _BLOCK, len(data))
            count = data.count(b"\n", pos, block_end)
            if line + count < wanted and block_end < len(data):
                pos, line = block_end, line + count
                # ``pos`` may now sit mid-line: step to the next line start below
                continue
            newline = data.find(b"\n", pos)
            if newline < 0:
                break
            pos, line = newline + 1, line + 1
        if wanted != line:
            break  # past the end of the file
        end = data.find(b"\n", pos)
        raw = data[pos : end if end >= 0 else len(data)]
        found[wanted] = raw.decode("utf-8", errors="replace").removesuffix("\r")
    return found


_TOML_HEADER = re.compile(
    r"^(?:\[\[[ \t]*(?P<array>[A-Za-z0-9_.\"' -]+?)[ \t]*\]\]"
    r"|\[[ \t]*(?P<table>[A-Za-z0-9_.\"' -]+?)[ \t]*\])[ \t]*(?:#[^\n]*)?\r?$"
)


def toml_header(line: str) -> tuple[bool, str] | None:
    """(is an array of tables, name) of a TOML table header line; None if it is malformed."""
    match = _TOML_HEADER.match(line)
    if match is None:
        return None
    array = match.group("array")
    return (True, array) if array is not None else (False, match.group("table"))
