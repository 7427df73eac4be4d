"""Walking a large JSON document member by member, with the offset of every key.

Lock files (``package-lock.json``, ``composer.lock``, ...) can be tens of megabytes: loading one
whole builds hundreds of megabytes of objects. :class:`JsonReader` decodes only the values a
parser asks for; everything else is skipped by the standard library's C decoder, which still
checks it, so a malformed document is always an error, wherever the damage is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from detectors.manifests.model import ManifestError
from detectors.manifests.source import LineCounter, decode_strict

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonReader:
    """Cursor-free iteration over one JSON text; positions are offsets into ``text``.

    After :meth:`members` (or :meth:`items`) yields a value's position, the caller may decode it
    (:meth:`value`), iterate into it, or ignore it; the walk resumes after it either way, without
    decoding twice what the caller consumed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineCounter(text)
        self._consumed = (-1, -1)  # (start, end) of the value read last

    def _ws(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _fail(self, message: str, pos: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, pos)

    def root(self) -> int:
        """Offset of the top-level value; call :meth:`finish` with the value's end."""
        return self._ws(0)

    def finish(self, start: int) -> None:
        """Check that nothing but whitespace follows the top-level value that began at ``start``."""
        end = self._end_of(start)
        if self._ws(end) != len(self.text):
            raise self._fail("Extra data", self._ws(end))

    def _end_of(self, pos: int) -> int:
        if self._consumed[0] == pos:
            return self._consumed[1]
        _, end = _DECODER.raw_decode(self.text, pos)
        return end

    def value(self, pos: int) -> Any:
        """Decode the value at ``pos``."""
        result, end = _DECODER.raw_decode(self.text, pos)
        self._consumed = (pos, end)
        return result

    def skip(self, pos: int) -> None:
        """Step over the value at ``pos`` one child at a time, so that a large object or array
        is checked without ever being built whole."""
        if self.is_object(pos):
            for _ in self.members(pos):
                pass
        elif self.is_array(pos):
            for _ in self.items(pos):
                pass
        else:
            self.value(pos)

    def is_object(self, pos: int) -> bool:
        """Whether the value at ``pos`` is an object."""
        return self.text.startswith("{", pos)

    def is_array(self, pos: int) -> bool:
        """Whether the value at ``pos`` is an array."""
        return self.text.startswith("[", pos)

    def members(self, pos: int) -> Iterator[tuple[str, int, int]]:
        """(key, key offset, value offset) of each member of the object at ``pos``, in order."""
        text = self.text
        start = pos
        if not text.startswith("{", pos):
            raise self._fail("Expecting object", pos)
        pos = self._ws(pos + 1)
        if text.startswith("}", pos):
            self._consumed = (start, pos + 1)
            return
        while True:
            if not text.startswith('"', pos):
                raise self._fail("Expecting property name enclosed in double quotes", pos)
            key, after = _DECODER.raw_decode(text, pos)
            colon = self._ws(after)
            if not text.startswith(":", colon):
                raise self._fail("Expecting ':' delimiter", colon)
            value_pos = self._ws(colon + 1)
            yield key, pos, value_pos
            pos = self._ws(self._end_of(value_pos))
            if text.startswith(",", pos):
                pos = self._ws(pos + 1)
            elif text.startswith("}", pos):
                self._consumed = (start, pos + 1)
                return
            else:
                raise self._fail("Expecting ',' delimiter", pos)

    def items(self, pos: int) -> Iterator[int]:
        """The offset of each item of the array at ``pos``, in order."""
        text = self.text
        start = pos
        if not text.startswith("[", pos):
            raise self._fail("Expecting array", pos)
        pos = self._ws(pos + 1)
        if text.startswith("]", pos):
            self._consumed = (start, pos + 1)
            return
        while True:
            yield pos
            pos = self._ws(self._end_of(pos))
            if text.startswith(",", pos):
                pos = self._ws(pos + 1)
            elif text.startswith("]", pos):
                self._consumed = (start, pos + 1)
                return
            else:
                raise self._fail("Expecting ',' delimiter", pos)


def open_json(data: bytes, kind: str) -> tuple[JsonReader, int]:
    """A reader over ``data`` and the offset of its top-level object (else ManifestError)."""
    reader = JsonReader(decode_strict(data, "JSON"))
    root = reader.root()
    if not reader.is_object(root):
        if root == len(reader.text):
            raise ManifestError("invalid JSON: Expecting value (line 1, column 1)")
        raise ManifestError(f"invalid {kind}: top level is not an object")
    return reader, root


def json_error(exc: json.JSONDecodeError) -> ManifestError:
    """The ManifestError for a decoding error, with its line and column."""
    return ManifestError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
