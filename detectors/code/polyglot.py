"""Facts from Java, Kotlin, Go, C#, Ruby, Rust and PHP trees; ``extract`` walks, this reads.

The walk (``extract._collect``) is shared by every language: linear, deadline-bounded and
hit-guided. This module names the node kinds it collects per language (``WALK_KINDS``) and turns
them into the same language-neutral facts as the Python and JavaScript extractors. Like those, it
knows nothing about AI vendors.

What the facts look like for these languages (the fingerprint rules are written against this):

- ``Import.module`` keeps the language's own spelling of the imported path, so that a rule is the
  literal text a file holds, which is also its prefilter keyword. Java/Kotlin: the imported name,
  ``com.azure.ai.openai.OpenAIClient``; a wildcard names its package (``com.azure.ai.openai.*`` is
  ``com.azure.ai.openai``); static imports alike. C#: the namespace or type of a ``using``
  (``Azure.AI.OpenAI``; the alias of ``using X = A.B`` and a ``global::`` prefix are dropped). Go:
  the import path (``github.com/sashabaranov/go-openai``; the alias is dropped). Ruby: the name a
  ``require`` loads (``openai``); ``require_relative`` loads local code and is ignored. Rust: the
  full ``use`` path with ``::`` (``async_openai::Client``); a use tree is expanded
  (``use a::{b, c::d}`` is ``a::b`` and ``a::c::d``), ``extern crate x`` is ``x``, and
  ``crate::``/``self::``/``super::`` paths are local code and ignored. PHP: the ``use`` name with
  ``\\`` (``OpenAI\\Client``; group uses expanded, a leading ``\\`` dropped); ``require`` and
  ``include`` load files and are ignored. The catalog compares paths segment-wise on the
  language's separator (``.``, ``/`` for Go and Ruby, ``::`` for Rust, ``\\`` for PHP).
- ``Call.callee`` is dotted whatever the member operator: ``::``, ``->``, ``?->``, ``?.``, ``&.``,
  ``!!.`` and ``\\`` are written ``.``, type arguments are dropped and so is a leading ``\\``
  (Ruby ``OpenAI::Client.new`` is ``OpenAI.Client.new``, Rust ``Client::new()`` is
  ``Client.new``, PHP ``$c->chat()->create`` is ``$c.chat().create``, C#
  ``sp.GetService<IChatClient>`` is ``sp.GetService``). A method chain keeps its receiver
  (``Kernel.CreateBuilder().AddOpenAIChatCompletion``), so a rule naming the last segment
  matches. ``new T(...)`` (Java, C#, PHP) is a call of ``T`` with ``is_new``, and so is a Go
  composite literal ``pkg.T{...}``.
- ``Call.kwargs``: Kotlin, C# and PHP named arguments; Ruby ``key: "v"`` / ``"k" => "v"`` pairs,
  also one hash level down (``chat(parameters: {model: "..."})``); PHP ``['k' => 'v']`` array
  arguments; C# object initialisers (``new T { Key = "v" }``); Go keyed struct fields.
- ``StringLiteral``: every literal form, decoded (escapes applied; Go's ``\\x``/octal escapes
  are read as code points). An interpolated literal (``"$x"``, ``"${x}"``, ``"#{x}"``,
  ``$"{x}"``, PHP ``"$x"``) is not a literal and yields nothing. Comments and doc comments are
  never strings. Not read: Ruby and PHP heredocs, character literals, Ruby symbols.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Language, Node

from detectors.code.extract import (
    _MAX_CALLEE_BYTES,
    _MAX_STRING_BYTES,
    MAX_CALLEE_CHARS,
    MAX_STRING_CHARS,
    _Extractor,
    _fix_surrogates,
    _position,
)
from detectors.code.facts import Call

__all__ = ["EXTRACTORS", "WALK_KINDS"]

WALK_KINDS: dict[str, dict[str, str]] = {
    "java": {
        "import_declaration": "import",
        "method_invocation": "call",
        "object_creation_expression": "new",
        "string_literal": "string",
    },
    "kotlin": {
        "import": "import",
        "call_expression": "call",
        "string_literal": "string",
        "multiline_string_literal": "string",
    },
    "go": {
        "import_spec": "import",
        "call_expression": "call",
        "composite_literal": "composite",
        "interpreted_string_literal": "string",
        "raw_string_literal": "string",
    },
    "csharp": {
        "using_directive": "import",
        "invocation_expression": "call",
        "object_creation_expression": "new",
        "string_literal": "string",
        "verbatim_string_literal": "string",
        "raw_string_literal": "string",
        "interpolated_string_expression": "string",
    },
    "ruby": {
        "call": "call",
        "string": "string",
    },
    "rust": {
        "use_declaration": "import",
        "extern_crate_declaration": "import",
        "call_expression": "call",
        "string_literal": "string",
        "raw_string_literal": "string",
    },
    "php": {
        "namespace_use_declaration": "import",
        "function_call_expression": "call",
        "member_call_expression": "call",
        "nullsafe_member_call_expression": "call",
        "scoped_call_expression": "call",
        "object_creation_expression": "new",
        "string": "string",
        "encapsed_string": "string",
    },
}
"""Node kind -> capture name, per language (see ``extract._collect``)."""

# ------------------------------------------------------------------------------ helpers

_LONE_SPACE_RE = re.compile(r"(?<![\w$]) | (?![\w$])")
"""After whitespace runs become one space: a space not between two name characters (only
``new T`` keeps its space)."""
_MEMBER_OPERATOR_RE = re.compile(r"\?->|->|::|\?\.|&\.|!!\.|\\")
_DOTS_RE = re.compile(r"\.{2,}")


def _drop_type_arguments(text: str) -> str:
    """``a.b<T<U>>.c`` -> ``a.b.c``; ``Vec::<u8>::new`` -> ``Vec::::new``. Unbalanced: unchanged.

    A ``<`` opens type arguments only right after a name character, ``.`` or ``:``.
    """
    out: list[str] = []
    depth = 0
    previous = ""
    for ch in text:
        if ch == "<" and (depth or previous.isalnum() or previous in "_.:>"):
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
        previous = ch
    return "".join(out) if not depth else text


def dotted_callee(text: str) -> str:
    """A callee's compact source text in the dotted form rules are written in (module docstring)."""
    if "<" in text:
        text = _drop_type_arguments(text)
    text = _MEMBER_OPERATOR_RE.sub(".", text)
    if ".." in text:
        text = _DOTS_RE.sub(".", text)
    return text.strip(".")


class _Unescape:
    """Apply one language's backslash escapes; numeric escapes are read as code points."""

    def __init__(self, pattern: str, simple: dict[str, str], unknown_verbatim: bool) -> None:
        self.regex = re.compile(pattern)
        self.simple = simple
        self.verbatim = unknown_verbatim
        """Whether an unknown escape ``\\q`` stays as written (else it means ``q``)."""

    def __call__(self, body: str) -> str:
        if "\\" not in body:
            return body
        return _fix_surrogates(self.regex.sub(self.replace, body))

    def replace(self, match: re.Match[str]) -> str:
        esc = match.group(1)
        simple = self.simple.get(esc)
        if simple is not None:
            return simple
        kind = esc[0]
        digits = ""
        base = 16
        if kind in "uU" and len(esc) > 1:
            digits = esc.lstrip("uU").strip("{}").replace("_", "")
        elif kind == "x" and len(esc) > 1:
            digits = esc[1:]
        elif kind in "01234567":
            digits = esc
            base = 8
        if digits:
            try:
                code = int(digits, base)
            except ValueError:
                code = -1
            if 0 <= code <= 0x10FFFF:
                return chr(code)
            return match.group(0)
        if esc.startswith(("\n", "\r")):
            return ""  # a line continuation
        return match.group(0) if self.verbatim else esc


_C_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}
_java_unescape = _Unescape(
    r"\\(u+[0-9A-Fa-f]{4}|[0-3][0-7]{0,2}|[4-7][0-7]?|\r\n|[\s\S])",
    {**_C_SIMPLE, "s": " ", "a": "\\a", "v": "\\v"},
    unknown_verbatim=True,
)
_kotlin_unescape = _Unescape(
    r"\\(u[0-9A-Fa-f]{4}|[\s\S])", {**_C_SIMPLE, "$": "$"}, unknown_verbatim=True
)
_go_unescape = _Unescape(
    r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{3}|[\s\S])",
    _C_SIMPLE,
    unknown_verbatim=True,
)
_csharp_unescape = _Unescape(
    r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{1,4}|[\s\S])",
    {**_C_SIMPLE, "0": "\0"},
    unknown_verbatim=True,
)
_ruby_unescape = _Unescape(
    r"\\(u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|\r\n|[\s\S])",
    {**_C_SIMPLE, "s": " ", "e": "\x1b"},
    unknown_verbatim=False,
)
_rust_unescape = _Unescape(
    r"\\(x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f_]{1,8}\}|\r?\n[ \t\r\n]*|[\s\S])",
    {**_C_SIMPLE, "0": "\0", "a": "\\a", "b": "\\b", "f": "\\f", "v": "\\v"},
    unknown_verbatim=True,
)
_php_unescape = _Unescape(
    r"\\(u\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|[\s\S])",
    {**_C_SIMPLE, "$": "$", "e": "\x1b", "'": "\\'", "a": "\\a", "b": "\\b"},
    unknown_verbatim=True,
)
_SINGLE_QUOTE_ESCAPE_RE = re.compile(r"\\([\\'])")

_KOTLIN_TEMPLATE_RE = re.compile(r"\\[\s\S]|\$[A-Za-z_{`]")
_KOTLIN_RAW_TEMPLATE_RE = re.compile(r"\$[A-Za-z_{`]")
_RUST_RAW_RE = re.compile(r'^[bc]?r(#*)"([\s\S]*)"\1$')


def _dedent_block(body: str, final_newline: bool) -> str:
    """Java text blocks and C# raw strings: drop the opening line, strip the common indent.

    A closing delimiter on a line of its own ends the text with a newline in Java
    (``final_newline``), not in C#.
    """
    first, newline, rest = body.partition("\n")
    if not newline or first.strip():
        return body
    lines = rest.split("\n")
    indent = min(
        (len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()),
        default=0,
    )
    if lines and not lines[-1].strip():
        indent = min(indent, len(lines[-1]))
    if not final_newline and len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return "\n".join(line[indent:] for line in lines)


# --------------------------------------------------------------------------- extractors


class _PolyExtractor(_Extractor):
    """Shared plumbing: field lookups, dotted callees, cached string decoding, run order."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    STRING_KINDS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, source: bytes, language: Language) -> None:
        super().__init__(source, language)
        self.fields: dict[str, int] = {}
        for name in self.FIELDS:
            field = language.field_id_for_name(name)
            if field is None:
                raise LookupError(f"grammar has no field {name!r}")
            self.fields[name] = field

    def child(self, node: Node, field: str) -> Node | None:
        """The child in ``field`` (a field this extractor declared)."""
        return node.child_by_field_id(self.fields[field])

    def run(self, captures: dict[str, list[Node]]) -> None:
        for node in captures.get("import", ()):
            self.import_node(node)
        for node in captures.get("call", ()):
            self.call_node(node)
        for node in captures.get("new", ()):
            self.new_node(node)
        for node in captures.get("composite", ()):
            self.composite_node(node)
        skip = self.skip
        for node in captures.get("string", ()):
            if node.start_byte not in skip:
                self.add_string(node, self.string_value(node))

    def import_node(self, node: Node) -> None:
        """An import declaration (``import`` captures)."""

    def call_node(self, node: Node) -> None:
        """A call (``call`` captures)."""

    def new_node(self, node: Node) -> None:
        """A constructor call (``new`` captures)."""

    def composite_node(self, node: Node) -> None:
        """A Go composite literal (``composite`` captures)."""

    def callee_text(self, start: int, end: int) -> str:
        """The dotted callee of ``source[start:end]`` (whitespace removed, bounded)."""
        if end - start > _MAX_CALLEE_BYTES:
            end = start + _MAX_CALLEE_BYTES
        text = self.source[start:end].decode("utf-8", "replace")
        if not text.isprintable() or " " in text:  # whitespace (or a control character)
            text = _LONE_SPACE_RE.sub("", " ".join(text.split()))
        return dotted_callee(text)[:MAX_CALLEE_CHARS]

    def add_call(
        self,
        node: Node,
        callee: str,
        args: list[str],
        kwargs: dict[str, str],
        is_new: bool = False,
    ) -> None:
        """Record a call of a non-empty callee."""
        if callee:
            call = Call(callee, node.start_point.row + 1, tuple(args), kwargs, is_new)
            self.calls.append((_position(node), call))

    def is_string(self, node: Node) -> bool:
        """Whether ``node`` is a string literal of this language."""
        return node.type in self.STRING_KINDS

    def string_value(self, node: Node) -> str | None:
        """The decoded value of a string literal; ``None`` if interpolated or too long."""
        start = node.start_byte
        if start in self.values:
            return self.values[start]
        value = None if node.end_byte - start > _MAX_STRING_BYTES else self.decode(node)
        if value is not None and len(value) > MAX_STRING_CHARS:
            value = None
        self.values[start] = value
        return value

    @abstractmethod
    def decode(self, node: Node) -> str | None:
        """Decode one string literal node of this language."""

    def positional(self, node: Node, args: list[str]) -> None:
        """Append the value of a string-literal argument node."""
        if self.is_string(node):
            value = self.string_value(node)
            if value is not None:
                args.append(value)

    def keyed(self, key: str | None, value: Node | None, kwargs: dict[str, str]) -> None:
        """``kwargs[key] = value`` when ``value`` is a plain string literal."""
        if key and value is not None and self.is_string(value):
            literal = self.string_value(value)
            if literal is not None:
                kwargs.setdefault(key, literal)


class _JavaExtractor(_PolyExtractor):
    """Java: ``import``, method invocations, ``new``, string literals and text blocks."""

    FIELDS = ("name", "arguments", "type")
    STRING_KINDS = frozenset({"string_literal"})

    def import_node(self, node: Node) -> None:
        for child in node.named_children:
            if child.type in ("scoped_identifier", "identifier"):
                self.add_import(node, self.text(child))
                return

    def call_node(self, node: Node) -> None:
        name = self.child(node, "name")
        if name is None:
            return
        self.add_call(node, self.callee_text(node.start_byte, name.end_byte), *self.arguments(node))

    def new_node(self, node: Node) -> None:
        kind = self.child(node, "type")
        if kind is None:
            return
        callee = self.callee_text(kind.start_byte, kind.end_byte)
        self.add_call(node, callee, *self.arguments(node), is_new=True)

    def arguments(self, node: Node) -> tuple[list[str], dict[str, str]]:
        args: list[str] = []
        arguments = self.child(node, "arguments")
        if arguments is not None:
            for arg in arguments.named_children:
                self.positional(arg, args)
        return args, {}

    def decode(self, node: Node) -> str | None:
        text = self.text(node)
        if text.startswith('"""'):
            body = text[3:-3] if len(text) >= 6 and text.endswith('"""') else text[3:]
            body = _dedent_block(body, final_newline=True)
        else:
            body = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
        return _java_unescape(body)


class _KotlinExtractor(_PolyExtractor):
    """Kotlin: ``import``, calls (constructor calls included), string templates without
    substitutions. The grammar has few fields, so children are read by kind."""

    STRING_KINDS = frozenset({"string_literal", "multiline_string_literal"})

    def import_node(self, node: Node) -> None:
        for child in node.named_children:
            if child.type in ("qualified_identifier", "identifier"):
                self.add_import(node, self.text(child))
                return

    def call_node(self, node: Node) -> None:
        function = node.named_children[0] if node.named_child_count else None
        if function is None:
            return
        callee = self.callee_text(function.start_byte, function.end_byte)
        args: list[str] = []
        kwargs: dict[str, str] = {}
        for part in node.named_children[1:]:
            if part.type == "value_arguments":
                for arg in part.named_children:
                    if arg.type == "value_argument":
                        self.value_argument(arg, args, kwargs)
        self.add_call(node, callee, args, kwargs)

    def value_argument(self, node: Node, args: list[str], kwargs: dict[str, str]) -> None:
        """``"v"`` or ``name = "v"``."""
        children = node.children
        value = node.named_children[-1] if node.named_child_count else None
        if value is None:
            return
        if len(children) >= 3 and children[1].type == "=" and children[0].type == "identifier":
            self.keyed(self.text(children[0]), value, kwargs)
        elif node.named_child_count == 1:
            self.positional(value, args)

    def decode(self, node: Node) -> str | None:
        text = self.text(node)
        if node.type == "multiline_string_literal":
            body = text[3:-3] if len(text) >= 6 and text.endswith('"""') else text[3:]
            return None if _KOTLIN_RAW_TEMPLATE_RE.search(body) else body
        body = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
        if "$" in body:
            for match in _KOTLIN_TEMPLATE_RE.finditer(body):
                if match.group(0)[0] == "$":
                    return None
        return _kotlin_unescape(body)


class _GoExtractor(_PolyExtractor):
    """Go: import specs, calls, composite literals, interpreted and raw string literals."""

    FIELDS = ("path", "function", "arguments", "type", "body", "key", "value")
    STRING_KINDS = frozenset({"interpreted_string_literal", "raw_string_literal"})

    def import_node(self, node: Node) -> None:
        path = self.child(node, "path")
        if path is None or not self.is_string(path):
            return
        self.skip.add(path.start_byte)
        module = self.string_value(path)
        if module:
            self.add_import(node, module)

    def call_node(self, node: Node) -> None:
        function = self.child(node, "function")
        if function is None:
            return
        callee = self.callee_text(function.start_byte, function.end_byte)
        args: list[str] = []
        arguments = self.child(node, "arguments")
        if arguments is not None:
            for arg in arguments.named_children:
                self.positional(arg, args)
        self.add_call(node, callee, args, {})

    def composite_node(self, node: Node) -> None:
        """``pkg.T{Key: "v"}``: a construction of ``pkg.T`` with keyword arguments."""
        kind = self.child(node, "type")
        if kind is None or kind.type not in ("type_identifier", "qualified_type", "generic_type"):
            return
        kwargs: dict[str, str] = {}
        body = self.child(node, "body")
        if body is not None:
            for element in body.named_children:
                if element.type == "keyed_element":
                    self.keyed_element(element, kwargs)
        self.add_call(node, self.callee_text(kind.start_byte, kind.end_byte), [], kwargs, True)

    def keyed_element(self, node: Node, kwargs: dict[str, str]) -> None:
        key = self.child(node, "key")
        value = self.child(node, "value")
        if key is None or value is None:
            return
        if key.type == "literal_element" and key.named_child_count == 1:
            key = key.named_children[0]
        if value.type == "literal_element" and value.named_child_count == 1:
            value = value.named_children[0]
        if key.type in ("identifier", "field_identifier"):
            self.keyed(self.text(key), value, kwargs)

    def decode(self, node: Node) -> str | None:
        text = self.text(node)
        if node.type == "raw_string_literal":
            body = text[1:-1] if len(text) > 1 and text.endswith("`") else text[1:]
            return body.replace("\r", "")
        body = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
        return _go_unescape(body)


class _CSharpExtractor(_PolyExtractor):
    """C#: ``using`` directives, invocations, ``new`` (with object initialisers), every string
    literal form (regular, verbatim, raw, UTF-8, interpolated without holes)."""

    FIELDS = ("name", "function", "arguments", "type", "initializer", "left", "right")
    STRING_KINDS = frozenset(
        {
            "string_literal",
            "verbatim_string_literal",
            "raw_string_literal",
            "interpolated_string_expression",
        }
    )
    _NAMES = frozenset({"qualified_name", "identifier", "alias_qualified_name", "generic_name"})

    def import_node(self, node: Node) -> None:
        alias = self.child(node, "name")
        alias_start = -1 if alias is None else alias.start_byte
        for child in node.named_children:
            if child.type in self._NAMES and child.start_byte != alias_start:
                module = "".join(self.text(child).split())
                self.add_import(node, module.removeprefix("global::"))
                return

    def call_node(self, node: Node) -> None:
        function = self.child(node, "function")
        if function is None:
            return
        callee = self.callee_text(function.start_byte, function.end_byte)
        args: list[str] = []
        kwargs: dict[str, str] = {}
        self.arguments(node, args, kwargs)
        self.add_call(node, callee, args, kwargs)

    def new_node(self, node: Node) -> None:
        kind = self.child(node, "type")
        if kind is None:
            return
        args: list[str] = []
        kwargs: dict[str, str] = {}
        self.arguments(node, args, kwargs)
        initializer = self.child(node, "initializer")
        if initializer is not None:
            for item in initializer.named_children:
                if item.type == "assignment_expression":
                    left = self.child(item, "left")
                    if left is not None and left.type == "identifier":
                        self.keyed(self.text(left), self.child(item, "right"), kwargs)
        callee = self.callee_text(kind.start_byte, kind.end_byte)
        self.add_call(node, callee, args, kwargs, is_new=True)

    def arguments(self, node: Node, args: list[str], kwargs: dict[str, str]) -> None:
        arguments = self.child(node, "arguments")
        if arguments is None:
            return
        for arg in arguments.named_children:
            if arg.type != "argument" or not arg.named_child_count:
                continue
            value = arg.named_children[-1]
            name = self.child(arg, "name")
            if name is not None and name.start_byte != value.start_byte:
                self.keyed(self.text(name), value, kwargs)
            else:
                self.positional(value, args)

    def decode(self, node: Node) -> str | None:
        kind = node.type
        if kind == "interpolated_string_expression":
            if any(child.type == "interpolation" for child in node.named_children):
                return None
            text = self.text(node)
            prefix = len(text) - len(text.lstrip("$@"))
            body = text[prefix:]
            value = self.decode_text(body, "@" in text[:prefix])
            if value is None or body.startswith('"""'):
                return value  # raw: braces are literal
            return value.replace("{{", "{").replace("}}", "}")
        text = self.text(node)
        return self.decode_text(text.removeprefix("@"), kind == "verbatim_string_literal")

    def decode_text(self, text: str, verbatim: bool) -> str | None:
        """Decode ``"..."`` (or ``\"\"\"...\"\"\"``), after any ``$``/``@`` prefix."""
        if text.endswith(("u8", "U8")):
            text = text[:-2]
        quotes = len(text) - len(text.lstrip('"'))
        if quotes >= 3:
            body = text[quotes:-quotes] if text.endswith('"' * quotes) else text[quotes:]
            return _dedent_block(body, final_newline=False)
        body = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
        if verbatim:
            return body.replace('""', '"')
        return _csharp_unescape(body)


class _RubyExtractor(_PolyExtractor):
    """Ruby: ``require``, method calls (``X.new`` included), keyword pairs, strings."""

    FIELDS = ("receiver", "method", "arguments", "key", "value")
    STRING_KINDS = frozenset({"string"})

    def call_node(self, node: Node) -> None:
        method = self.child(node, "method")
        if method is None:
            return
        receiver = self.child(node, "receiver")
        arguments = self.child(node, "arguments")
        arg_nodes = arguments.named_children if arguments is not None else []
        if receiver is None and len(arg_nodes) == 1 and self.is_string(arg_nodes[0]):
            name = self.text(method)
            if name in ("require", "require_relative"):
                self.skip.add(arg_nodes[0].start_byte)
                module = self.string_value(arg_nodes[0])
                if name == "require" and module and not module.startswith("."):
                    self.add_import(node, module)
                return
        callee = self.callee_text(node.start_byte, method.end_byte)
        args: list[str] = []
        kwargs: dict[str, str] = {}
        for arg in arg_nodes:
            kind = arg.type
            if kind == "pair":
                self.pair(arg, kwargs, nested=True)
            elif kind == "hash":
                self.hash(arg, kwargs, nested=True)
            else:
                self.positional(arg, args)
        self.add_call(node, callee, args, kwargs)

    def hash(self, node: Node, kwargs: dict[str, str], nested: bool) -> None:
        for pair in node.named_children:
            if pair.type == "pair":
                self.pair(pair, kwargs, nested)

    def pair(self, node: Node, kwargs: dict[str, str], nested: bool) -> None:
        """``key: "v"``, ``:key => "v"``, ``"key" => "v"``; a hash value is read one level."""
        key = self.child(node, "key")
        value = self.child(node, "value")
        if key is None or value is None:
            return
        if value.type == "hash":
            if nested:
                self.hash(value, kwargs, nested=False)
            return
        kind = key.type
        if kind == "hash_key_symbol":
            name: str | None = self.text(key)
        elif kind == "simple_symbol":
            name = self.text(key)[1:]
        elif self.is_string(key):
            name = self.string_value(key)
        else:
            return
        self.keyed(name, value, kwargs)

    def decode(self, node: Node) -> str | None:
        children = node.children
        opening = self.text(children[0]) if children else ""
        single = opening == "'" or opening.startswith("%q")
        parts: list[str] = []
        for child in children:
            kind = child.type
            if kind == "string_content":
                text = self.text(child)
                parts.append(_SINGLE_QUOTE_ESCAPE_RE.sub(r"\1", text) if single else text)
            elif kind == "escape_sequence":
                parts.append(_ruby_unescape(self.text(child)))
            elif kind == "interpolation":
                return None
        return "".join(parts)


class _RustExtractor(_PolyExtractor):
    """Rust: ``use`` trees, ``extern crate``, calls, string and raw string literals."""

    FIELDS = ("argument", "name", "path", "list", "function", "arguments")
    STRING_KINDS = frozenset({"string_literal", "raw_string_literal"})
    _MAX_USE_PATHS = 1000
    _LOCAL = frozenset({"crate", "self", "super", "Self"})

    def import_node(self, node: Node) -> None:
        if node.type == "extern_crate_declaration":
            name = self.child(node, "name")
            if name is not None and self.text(name) not in self._LOCAL:
                self.add_import(node, self.text(name))
            return
        argument = self.child(node, "argument")
        if argument is None:
            return
        for count, path in enumerate(self.use_paths(argument, "")):
            if count >= self._MAX_USE_PATHS:
                break
            path = path.lstrip(":").removesuffix("::self")
            if path and path.split("::", 1)[0] not in self._LOCAL:
                self.add_import(node, path)

    def use_paths(self, node: Node, prefix: str) -> Iterator[str]:
        """Expand a use tree into full paths (``a::{b, c::*}`` -> ``a::b``, ``a::c``)."""
        kind = node.type
        if kind == "use_as_clause":
            path = self.child(node, "path")
            if path is not None:
                yield from self.use_paths(path, prefix)
        elif kind == "use_wildcard":
            for child in node.named_children:
                yield prefix + "".join(self.text(child).split())
                return
            if prefix:
                yield prefix.removesuffix("::")
        elif kind == "scoped_use_list":
            path = self.child(node, "path")
            if path is not None:
                prefix = prefix + "".join(self.text(path).split()) + "::"
            listing = self.child(node, "list")
            if listing is not None:
                yield from self.use_paths(listing, prefix)
        elif kind == "use_list":
            for child in node.named_children:
                yield from self.use_paths(child, prefix)
        elif node.is_named and kind not in ("line_comment", "block_comment"):
            yield prefix + "".join(self.text(node).split())

    def call_node(self, node: Node) -> None:
        function = self.child(node, "function")
        if function is None:
            return
        callee = self.callee_text(function.start_byte, function.end_byte)
        args: list[str] = []
        arguments = self.child(node, "arguments")
        if arguments is not None:
            for arg in arguments.named_children:
                self.positional(arg, args)
        self.add_call(node, callee, args, {})

    def decode(self, node: Node) -> str | None:
        text = self.text(node)
        if node.type == "raw_string_literal":
            match = _RUST_RAW_RE.match(text)
            return match.group(2) if match else None
        quote = text.find('"')
        if quote < 0:
            return None
        body = text[quote + 1 : -1] if text.endswith('"') and len(text) > quote + 1 else ""
        return _rust_unescape(body)


class _PhpExtractor(_PolyExtractor):
    """PHP: ``use`` declarations, function/method/static calls, ``new``, both string kinds."""

    FIELDS = ("function", "arguments", "name", "body")
    STRING_KINDS = frozenset({"string", "encapsed_string"})
    _PLAIN_PARTS = frozenset({"string_content", "escape_sequence"})

    def import_node(self, node: Node) -> None:
        prefix = ""
        for child in node.named_children:
            kind = child.type
            if kind == "namespace_name":
                prefix = self.text(child).strip("\\") + "\\"
            elif kind == "namespace_use_clause":
                self.use_clause(node, child, "")
            elif kind == "namespace_use_group":
                for clause in child.named_children:
                    if clause.type == "namespace_use_clause":
                        self.use_clause(node, clause, prefix)

    def use_clause(self, declaration: Node, clause: Node, prefix: str) -> None:
        for part in clause.named_children:
            if part.type in ("qualified_name", "name"):
                name = "".join(self.text(part).split()).strip("\\")
                if name:
                    self.add_import(declaration, prefix + name)
                return

    def call_node(self, node: Node) -> None:
        if node.type == "function_call_expression":
            function = self.child(node, "function")
            end = function.end_byte if function is not None else -1
        else:
            name = self.child(node, "name")
            end = name.end_byte if name is not None else -1
        if end < 0:
            return
        args: list[str] = []
        kwargs: dict[str, str] = {}
        self.arguments(self.child(node, "arguments"), args, kwargs)
        self.add_call(node, self.callee_text(node.start_byte, end), args, kwargs)

    def new_node(self, node: Node) -> None:
        kind: Node | None = None
        arguments: Node | None = None
        for child in node.named_children:
            if child.type in ("name", "qualified_name") and kind is None:
                kind = child
            elif child.type == "arguments":
                arguments = child
        if kind is None:
            return
        args: list[str] = []
        kwargs: dict[str, str] = {}
        self.arguments(arguments, args, kwargs)
        callee = self.callee_text(kind.start_byte, kind.end_byte)
        self.add_call(node, callee, args, kwargs, is_new=True)

    def arguments(self, node: Node | None, args: list[str], kwargs: dict[str, str]) -> None:
        if node is None:
            return
        for arg in node.named_children:
            if arg.type != "argument" or not arg.named_child_count:
                continue
            value = arg.named_children[-1]
            name = self.child(arg, "name")
            if name is not None and name.start_byte != value.start_byte:
                self.keyed(self.text(name), value, kwargs)
            elif value.type == "array_creation_expression":
                self.array(value, kwargs)
            else:
                self.positional(value, args)

    def array(self, node: Node, kwargs: dict[str, str]) -> None:
        """``['model' => 'gpt-4o', ...]`` -> kwargs."""
        for element in node.named_children:
            if element.type == "array_element_initializer" and element.named_child_count == 2:
                key, value = element.named_children
                if self.is_string(key):
                    self.keyed(self.string_value(key), value, kwargs)

    def decode(self, node: Node) -> str | None:
        text = self.text(node)
        if text[:1] in ("b", "B"):
            text = text[1:]
        body = text[1:-1] if len(text) > 1 and text[-1] == text[0] else text[1:]
        if node.type == "string":
            return _SINGLE_QUOTE_ESCAPE_RE.sub(r"\1", body) if "\\" in body else body
        plain = self._PLAIN_PARTS
        if any(child.type not in plain for child in node.named_children):
            return None  # "$x", "{$x}", "${x}": interpolated
        return _php_unescape(body)


EXTRACTORS: dict[str, type[_PolyExtractor]] = {
    "java": _JavaExtractor,
    "kotlin": _KotlinExtractor,
    "go": _GoExtractor,
    "csharp": _CSharpExtractor,
    "ruby": _RubyExtractor,
    "rust": _RustExtractor,
    "php": _PhpExtractor,
}
"""Language -> extractor class."""
