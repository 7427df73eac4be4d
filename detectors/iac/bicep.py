"""Bicep (``.bicep``): ``resource`` declarations read by a small tokenizer and object reader.

``resource sym 'Microsoft.CognitiveServices/accounts@2023-05-01' = { kind: 'OpenAI' ... }`` is a
resource of that ARM type (the API version dropped) on the declaration's line. The body is read
as an object: a literal string value is known, anything else (parameters, function calls,
interpolated strings, ternaries) is skipped as an expression. Child resources declared inside a
parent (``resource dep 'deployments' = {...}``) get the parent's type prefixed, as in ARM.
Conditional (``= if (cond) {``) and looped (``= [for x in xs: {``) declarations are read too.

Linear in the file size; an unterminated construct ends the read of that resource only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detectors.iac.model import IacFacts, Resource, Value

MAX_VALUES = 2_000
MAX_DEPTH = 64

_TOKEN = re.compile(
    r"""
    (?P<nl>\r?\n)
  | (?P<ws>[ \t\r]+)
  | (?P<comment>//[^\n]*)
  | (?P<block>/\*.*?(?:\*/|\Z))
  | (?P<multi>'''.*?(?:'''|\Z))
  | (?P<str>'(?:[^'\\\n]|\\.)*'?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # nl, str, ident, punct
    text: str
    line: int
    value: str | None = None  # a string's literal value (None when interpolated)


def _string_value(raw: str) -> str | None:
    body = raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else raw[1:]
    if "${" in body:
        return None
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), body)


def tokenize(text: str) -> list[_Tok]:
    """Tokens with 1-based lines; comments dropped, newlines kept (they end statements)."""
    tokens: list[_Tok] = []
    line = 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        raw = m.group()
        if kind == "nl":
            tokens.append(_Tok("nl", "\n", line))
        elif kind == "str":
            tokens.append(_Tok("str", raw, line, _string_value(raw)))
        elif kind == "multi":
            body = raw[3:-3] if raw.endswith("'''") and len(raw) >= 6 else raw[3:]
            tokens.append(_Tok("str", raw, line, body))
        elif kind in ("ident", "punct"):
            tokens.append(_Tok(kind, raw, line))
        line += raw.count("\n") if kind != "nl" else 1
    return tokens


_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = frozenset("}])")


class _Reader:
    def __init__(self, tokens: list[_Tok], facts: IacFacts) -> None:
        self.toks = tokens
        self.pos = 0
        self.facts = facts

    def peek(self, ahead: int = 0) -> _Tok | None:
        i = self.pos + ahead
        return self.toks[i] if i < len(self.toks) else None

    def skip_newlines(self) -> None:
        while (t := self.peek()) is not None and (t.kind == "nl" or t.text == ","):
            self.pos += 1

    def skip_balanced(self) -> None:
        """Step over one bracketed group starting at the current token."""
        depth = 0
        while (t := self.peek()) is not None:
            self.pos += 1
            if t.text in _OPEN and t.kind == "punct":
                depth += 1
            elif t.text in _CLOSE and t.kind == "punct":
                depth -= 1
                if depth <= 0:
                    return

    def skip_expression(self) -> None:
        """Step over an expression up to the end of its line, a ',' or a closing bracket."""
        while (t := self.peek()) is not None:
            if t.kind == "nl" or (t.kind == "punct" and (t.text in _CLOSE or t.text == ",")):
                return
            if t.kind == "punct" and t.text in _OPEN:
                self.skip_balanced()
            else:
                self.pos += 1

    def is_resource_decl(self) -> bool:
        a, b, c = self.peek(), self.peek(1), self.peek(2)
        return (
            a is not None
            and a.kind == "ident"
            and a.text == "resource"
            and b is not None
            and b.kind == "ident"
            and c is not None
            and c.kind == "str"
        )

    def value(self, path: str, out: list[Value], parent: str | None, depth: int) -> None:
        """Read one value: an object, an array, a literal string, or a skipped expression."""
        t = self.peek()
        if t is None or depth > MAX_DEPTH:
            self.skip_expression()
            return
        if t.kind == "punct" and t.text == "{":
            self.pos += 1
            self.object(path, out, parent, depth + 1)
            return
        if t.kind == "punct" and t.text == "[":
            self.pos += 1
            self.array(path, out, parent, depth + 1)
            return
        after = self.peek(1)
        if t.kind == "str" and (
            after is None
            or after.kind == "nl"
            or (after.kind == "punct" and (after.text in _CLOSE or after.text == ","))
        ):
            self.pos += 1
            if t.value is not None and t.value.strip() and len(out) < MAX_VALUES:
                out.append(Value(path, t.value, t.line))
            return
        self.skip_expression()

    def object(self, path: str, out: list[Value], parent: str | None, depth: int) -> None:
        """Members up to the closing ``}``; nested ``resource`` declarations are children."""
        while True:
            self.skip_newlines()
            t = self.peek()
            if t is None:
                return
            if t.kind == "punct" and t.text == "}":
                self.pos += 1
                return
            if self.is_resource_decl():
                self.resource(parent, depth)
                continue
            colon = self.peek(1)
            if t.kind in ("ident", "str") and colon is not None and colon.text == ":":
                key = t.text if t.kind == "ident" else (t.value or "")
                self.pos += 2
                self.value(f"{path}.{key}" if path else key, out, parent, depth)
                continue
            if t.kind == "punct" and t.text in _CLOSE:
                self.pos += 1  # a stray closer: leave this object
                return
            self.skip_expression()
            if self.peek() is t:
                self.pos += 1

    def array(self, path: str, out: list[Value], parent: str | None, depth: int) -> None:
        """Items up to the closing ``]``; ``[for x in xs: value]`` reads the value."""
        t = self.peek()
        if t is not None and t.kind == "ident" and t.text == "for":
            while (t := self.peek()) is not None and not (t.kind == "punct" and t.text == ":"):
                if t.kind == "punct" and t.text in _OPEN:
                    self.skip_balanced()
                elif t.kind == "punct" and t.text == "]":
                    self.pos += 1
                    return
                else:
                    self.pos += 1
            self.pos += 1
            self.skip_newlines()
            t = self.peek()
            if t is not None and t.kind == "ident" and t.text == "if":
                self.pos += 1
                self.skip_balanced()
        while True:
            self.skip_newlines()
            t = self.peek()
            if t is None:
                return
            if t.kind == "punct" and t.text == "]":
                self.pos += 1
                return
            if t.kind == "punct" and t.text in _CLOSE:
                self.pos += 1
                return
            before = self.pos
            self.value(path, out, parent, depth)
            if self.pos == before:
                self.pos += 1

    def resource(self, parent: str | None, depth: int = 0) -> None:
        """``resource sym 'type@version' [existing] = [if (...)] {...}`` at the current token."""
        keyword, type_tok = self.toks[self.pos], self.toks[self.pos + 2]
        self.pos += 3
        rtype = (type_tok.value or "").split("@", 1)[0]
        if parent is not None and rtype and "/" not in rtype:
            rtype = f"{parent}/{rtype}"
        t = self.peek()
        if t is not None and t.kind == "ident" and t.text == "existing":
            self.pos += 1
        t = self.peek()
        if t is None or t.text != "=":
            return
        self.pos += 1
        t = self.peek()
        if t is not None and t.kind == "ident" and t.text == "if":
            self.pos += 1
            self.skip_balanced()
        found: list[Value] = []
        index = len(self.facts.resources)
        self.value("", found, rtype or None, depth + 1)
        if not rtype:
            return
        kind = next((v.text for v in found if v.path == "kind"), None)
        self.facts.resources.insert(index, Resource(rtype, keyword.line, kind, tuple(found)))

    def top_level(self) -> None:
        at_start = True
        while (t := self.peek()) is not None:
            if t.kind == "nl":
                at_start = True
                self.pos += 1
            elif at_start and self.is_resource_decl():
                self.resource(None)
            elif t.kind == "punct" and t.text in _OPEN:
                self.skip_balanced()
                at_start = False
            else:
                at_start = False
                self.pos += 1


def read_bicep(text: str, facts: IacFacts) -> None:
    """Add the resources a Bicep file declares to ``facts``."""
    _Reader(tokenize(text), facts).top_level()
