"""Extract language-neutral ``CodeFacts`` (imports, calls, string literals) from source code.

The detector matches facts, not syntax, so this module (Python, JavaScript, TypeScript) and
``polyglot`` (Java, Kotlin, Go, C#, Ruby, Rust, PHP) are the only places that know grammar node
names. They are deliberately generic: they know nothing about AI vendors or SDKs.

Approach: one iterative ``TreeCursor`` walk per file picks out the few node kinds of interest
(imports, calls, strings) by integer kind id; the extractors then look only at those nodes. String
values are decoded from the node's source bytes rather than by visiting their child nodes, and
the walk does not descend into string literals. ``_collect`` explains why this is not a
``tree_sitter.Query``.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from tree_sitter import Language, Node

from detectors.code.facts import Call, CodeFacts, Import, StringLiteral
from detectors.code.parser import (
    DEFAULT_TIMEOUT_S,
    LANGUAGES,
    ParseTimeoutError,
    get_language,
    parse,
)

__all__ = ["MAX_CALLEE_CHARS", "MAX_STRING_CHARS", "extract"]

MAX_STRING_CHARS = 500
"""Longer string literals are dropped: they are prose or data, not identifiers worth matching."""

MAX_CALLEE_CHARS = 200
"""Callee text is truncated to this length (e.g. an immediately-invoked function expression)."""

# A literal of MAX_STRING_CHARS characters can be at most ~10 source bytes per character
# (``\U0001F600``) plus prefix and quotes; anything longer is rejected before decoding.
_MAX_STRING_BYTES = MAX_STRING_CHARS * 10 + 16
# Whitespace is removed from the callee, so read somewhat more than MAX_CALLEE_CHARS bytes.
_MAX_CALLEE_BYTES = MAX_CALLEE_CHARS * 4

_BOM = b"\xef\xbb\xbf"

# Node selection: one ``TreeCursor`` walk collects the nodes of interest by kind into
# ``{capture name: [nodes in document order]}``. Two kinds are markers, not collected:
# ``expression_statement`` (to recognise docstrings) and ``jsx_attribute`` (JSX values).
_PYTHON_KINDS = {
    "import_statement": "import",
    "import_from_statement": "import_from",
    "call": "call",
    "string": "string",
    "concatenated_string": "concat",
    "expression_statement": "statement",
}
_JS_KINDS = {
    "import_statement": "import",
    "export_statement": "export",
    "call_expression": "call",
    "new_expression": "new",
    "string": "string",
    "template_string": "template",
}
_WALK_KINDS = {
    "python": _PYTHON_KINDS,
    "javascript": {**_JS_KINDS, "jsx_attribute": "jsx_attribute"},
    "typescript": _JS_KINDS,
    "tsx": {**_JS_KINDS, "jsx_attribute": "jsx_attribute"},
}

# The walk checks its deadline once per this many collected nodes. It is linear in the tree size,
# so inputs that collect nothing (e.g. 1 MB of ``{``) still finish in about the parse time.
_CHECK_DEADLINE_EVERY = 256

# A Python literal that may hold replacement fields (``f"..."``, ``rf'...'``, ``t"..."``).
_FT_PREFIX_RE = re.compile(rb"[A-Za-z]?[fFtT]")

_DYNAMIC_IMPORT_CALLEES = frozenset({"importlib.import_module", "import_module", "__import__"})

_kind_maps: dict[str, dict[int, str]] = {}
_kind_maps_lock = threading.Lock()


def _kind_map(language: str) -> dict[int, str]:
    """Map the grammar's numeric kind ids (aliases included) to capture names.

    Comparing ints is cheaper than building ``Node.type`` strings for every node; only named
    kinds are mapped so that e.g. TypeScript's ``string`` keyword token is not a string literal.
    """
    kinds = _kind_maps.get(language)
    if kinds is None:
        lang = get_language(language)
        names = _walk_kinds(language)
        kinds = {
            kind_id: names[lang.node_kind_for_id(kind_id) or ""]
            for kind_id in range(lang.node_kind_count)
            if lang.node_kind_is_named(kind_id) and lang.node_kind_for_id(kind_id) in names
        }
        with _kind_maps_lock:
            _kind_maps[language] = kinds
    return kinds


def _walk_kinds(language: str) -> dict[str, str]:
    """Node kinds the walk collects for ``language``, by capture name."""
    kinds = _WALK_KINDS.get(language)
    if kinds is None:
        # The other languages' extractors build on this module, hence the deferred import.
        from detectors.code import polyglot

        kinds = polyglot.WALK_KINDS[language]
    return kinds


def _collect(
    language: str,
    source: bytes,
    root: Node,
    deadline: float | None,
    hits: Sequence[int] | None = None,
) -> tuple[dict[str, list[Node]], bool]:
    """Collect the nodes the extractors need in one pre-order ``TreeCursor`` walk.

    Returns the nodes by capture name, and whether the walk finished before ``deadline``.

    Why a walk and not a ``tree_sitter.Query``: on real code a query selects these nodes ~30%
    faster (0-8% of the whole ``extract``), but tree-sitter's query engine is quadratic in a
    node's child count (a 2 MB array literal takes ~4 s, against 0.5 s walked; 200 KB of ``{``
    takes 30 s), silently drops matches nested deeper than 32767 levels (and takes 75 s on
    240 KB of ``f(f(...))``), and cannot be interrupted (py-tree-sitter 0.26.1 crashes when a
    query has a ``progress_callback``). The walk is linear and stops at ``deadline``, keeping
    what it found.

    Docstrings are strings whose range is exactly that of the ``expression_statement`` visited
    just before them (pre-order), i.e. strings that are a whole statement by themselves.

    With ``hits`` (sorted byte offsets of prefilter keywords), subtrees that hold no hit are
    skipped: every fact a detector can match contains a catalog keyword, so the walk visits only
    the spine down to the hits, not the whole tree.
    """
    kinds = _kind_map(language).get
    python = language == "python"
    captures: dict[str, list[Node]] = {}
    statement_start = statement_end = -1
    cursor = root.walk()
    goto_first_child = cursor.goto_first_child
    goto_next_sibling = cursor.goto_next_sibling
    goto_parent = cursor.goto_parent
    countdown = _CHECK_DEADLINE_EVERY
    while True:
        node = cursor.node
        if node is None:
            break
        if hits is not None:
            i = bisect_left(hits, node.start_byte)
            if i == len(hits) or hits[i] >= node.end_byte:
                while not goto_next_sibling():
                    if not goto_parent():
                        return captures, True
                continue
        name = kinds(node.kind_id)
        if name is not None:
            if name == "statement":
                statement_start = node.start_byte
                statement_end = node.end_byte
            elif name == "jsx_attribute":
                captures.setdefault("jsx_string", []).extend(
                    child for child in node.named_children if child.type == "string"
                )
            else:
                captures.setdefault(name, []).append(node)
                countdown -= 1
                if not countdown:
                    countdown = _CHECK_DEADLINE_EVERY
                    if deadline is not None and time.monotonic() > deadline:
                        return captures, False
                if name == "string" or name == "concat":
                    start = node.start_byte
                    if start == statement_start and node.end_byte == statement_end:
                        captures.setdefault("doc", []).append(node)
                    # Nothing of interest inside a literal but f-/t-string replacement fields:
                    # skip its children.
                    if name == "string" and not (python and _FT_PREFIX_RE.match(source, start)):
                        while not goto_next_sibling():
                            if not goto_parent():
                                return captures, True
                        continue
        if goto_first_child():
            continue
        while not goto_next_sibling():
            if not goto_parent():
                return captures, True
    return captures, True


def extract(
    language: str,
    source: bytes,
    *,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    hits: Sequence[int] | None = None,
) -> CodeFacts:
    """Return the imports, calls and string literals of one file.

    Never raises on bad input (invalid UTF-8, syntax errors, empty files): a partial parse still
    yields facts and sets ``has_errors``. ``timeout_s`` bounds the parse (which then yields no
    facts) and the tree walk (which then yields the facts found so far); either way
    ``has_errors`` is set. ``hits``: sorted byte offsets in ``source`` of the prefilter's keyword
    matches; when given, only facts overlapping a hit are extracted (much faster).
    Raises ``ValueError`` only for an unsupported ``language``.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    if source.startswith(_BOM):
        source = source[len(_BOM) :]
        if hits is not None:
            hits = [h - len(_BOM) for h in hits]
    try:
        tree = parse(language, source, timeout_s=timeout_s)
    except ParseTimeoutError:
        return CodeFacts(language=language, has_errors=True)
    root = tree.root_node
    captures, complete = _collect(language, source, root, deadline, hits)
    if language == "python":
        extractor: _Extractor = _PythonExtractor(source, get_language(language))
    elif language in _WALK_KINDS:
        extractor = _JsExtractor(source, get_language(language))
    else:
        from detectors.code import polyglot

        extractor = polyglot.EXTRACTORS[language](source, get_language(language))
    extractor.run(captures)
    return CodeFacts(
        language=language,
        imports=tuple(imp for _, imp in sorted(extractor.imports, key=_first)),
        calls=tuple(call for _, call in sorted(extractor.calls, key=_first)),
        strings=tuple(lit for _, lit in sorted(extractor.strings, key=_first)),
        has_errors=root.has_error or not complete,
    )


def _first(item: tuple[tuple[int, int], object]) -> tuple[int, int]:
    """Sort key of a fact: its node's ``_position``."""
    return item[0]


def _position(node: Node) -> tuple[int, int]:
    """Source order, outer node first (``f().g()`` before ``f()``).

    Facts of one kind come from several node lists (``call`` and ``new``, ``string`` and
    ``template``...), so they are merged by this key.
    """
    return (node.start_byte, -node.end_byte)


# --------------------------------------------------------------------------- string decoding

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _fix_surrogates(value: str) -> str:
    """Join escaped surrogate pairs (``\\ud83d\\ude00``) and replace lone surrogates.

    Lone surrogates cannot be encoded as UTF-8, so they would break any later serialisation.
    """
    if _SURROGATE_RE.search(value) is None:
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


_PY_ESCAPE_RE = re.compile(
    r"\\(\r\n|N\{[^}\n]*\}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|[0-7]{1,3}|[\s\S])"
)
_PY_SIMPLE_ESCAPES = {
    "\n": "",
    "\r\n": "",
    "\r": "",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


def _py_unescape(body: str, is_bytes: bool) -> str:
    """Apply Python escape sequences; unknown or invalid ones stay verbatim, as in Python."""

    def replace(match: re.Match[str]) -> str:
        esc = match.group(1)
        simple = _PY_SIMPLE_ESCAPES.get(esc)
        if simple is not None:
            return simple
        kind = esc[0]
        if len(esc) > 1 and kind in "xuU":
            if kind != "x" and is_bytes:
                return match.group(0)
            code = int(esc[1:], 16)
        elif kind == "N" and len(esc) > 1 and not is_bytes:
            try:
                return unicodedata.lookup(esc[2:-1])
            except KeyError:
                return match.group(0)
        elif kind in "01234567":
            code = int(esc, 8)
        else:
            return match.group(0)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _fix_surrogates(_PY_ESCAPE_RE.sub(replace, body))


_JS_ESCAPE_RE = re.compile(
    r"\\(\r\n|u\{[0-9A-Fa-f]{1,8}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0-7]{1,3}|[\s\S])"
)
_JS_SIMPLE_ESCAPES = {
    "\n": "",
    "\r\n": "",
    "\r": "",
    "\u2028": "",
    "\u2029": "",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


def _js_unescape(body: str) -> str:
    """Apply JavaScript escape sequences; ``\\q`` for any other character means ``q``."""

    def replace(match: re.Match[str]) -> str:
        esc = match.group(1)
        simple = _JS_SIMPLE_ESCAPES.get(esc)
        if simple is not None:
            return simple
        kind = esc[0]
        if len(esc) > 1 and kind in "xu":
            code = int(esc[2:-1] if esc[1] == "{" else esc[1:], 16)
        elif kind in "01234567":
            code = int(esc, 8)
        else:
            return esc
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _fix_surrogates(_JS_ESCAPE_RE.sub(replace, body))


_PY_STRING_OPEN_RE = re.compile(r"([A-Za-z]*)('''|\"\"\"|'|\")")


# ------------------------------------------------------------------------------- extractors


def _field_id(language: Language, name: str) -> int:
    """Resolve a grammar field once; integer ids make ``child_by_field_id`` cheap."""
    field = language.field_id_for_name(name)
    if field is None:
        raise LookupError(f"grammar has no field {name!r}")
    return field


class _Extractor(ABC):
    """Shared state and helpers; subclasses turn one language's collected nodes into facts."""

    def __init__(self, source: bytes, language: Language) -> None:
        self.source = source
        self.imports: list[tuple[tuple[int, int], Import]] = []
        self.calls: list[tuple[tuple[int, int], Call]] = []
        self.strings: list[tuple[tuple[int, int], StringLiteral]] = []
        # Start offsets of string nodes that must not be reported as strings
        # (docstrings, parts of an already-reported concatenation, import specifiers).
        self.skip: set[int] = set()
        # Decoded literal values by start offset: call arguments are also reported as strings.
        self.values: dict[int, str | None] = {}

    def common_fields(self, language: Language) -> None:
        """Resolve the fields the Python and JavaScript grammars share."""
        self.field_name = _field_id(language, "name")
        self.field_value = _field_id(language, "value")
        self.field_arguments = _field_id(language, "arguments")
        self.field_function = _field_id(language, "function")

    @abstractmethod
    def run(self, captures: dict[str, list[Node]]) -> None:
        """Fill ``imports``, ``calls`` and ``strings`` from the nodes ``_collect`` found."""

    def text(self, node: Node) -> str:
        """Return the node's source text (never ``Node.text``, see ``parser``)."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def compact(self, node: Node) -> str:
        """Return the node's text without whitespace, bounded so huge callees stay cheap."""
        start = node.start_byte
        end = node.end_byte
        if end - start > _MAX_CALLEE_BYTES:
            end = start + _MAX_CALLEE_BYTES
        raw = self.source[start:end].decode("utf-8", "replace")
        return "".join(raw.split())[:MAX_CALLEE_CHARS]

    def add_string(self, node: Node, value: str | None) -> None:
        """Record a string literal unless it was not a plain literal."""
        if value is not None:
            literal = StringLiteral(value, node.start_point.row + 1)
            self.strings.append((_position(node), literal))

    def add_import(self, node: Node, module: str, names: Iterable[str] = ()) -> None:
        """Record an import at the node's position; empty module names are dropped."""
        module = "".join(module.split())
        if module:
            imp = Import(module, node.start_point.row + 1, tuple(names))
            self.imports.append((_position(node), imp))


class _PythonExtractor(_Extractor):
    """Facts from a tree-sitter-python tree."""

    def __init__(self, source: bytes, language: Language) -> None:
        super().__init__(source, language)
        self.common_fields(language)
        self.field_module_name = _field_id(language, "module_name")

    def run(self, captures: dict[str, list[Node]]) -> None:
        skip = self.skip
        skip_concat: set[int] = set()
        for node in captures.get("doc", ()):
            if node.type == "concatenated_string":
                skip_concat.add(node.start_byte)
                skip.update(part.start_byte for part in node.named_children)
            else:
                skip.add(node.start_byte)
        for node in captures.get("import", ()):
            self.import_statement(node)
        for node in captures.get("import_from", ()):
            self.import_from_statement(node)
        for node in captures.get("call", ()):
            self.call(node)
        for node in captures.get("concat", ()):
            if node.start_byte not in skip_concat:
                self.concatenated_string(node)
        for node in captures.get("string", ()):
            if node.start_byte not in skip:
                self.add_string(node, self.string_value(node))

    def dotted(self, node: Node | None) -> str:
        """Return a ``dotted_name`` (or the name inside an ``aliased_import``) as text."""
        if node is None:
            return ""
        if node.type == "aliased_import":
            return self.dotted(node.child_by_field_id(self.field_name))
        return "".join(self.text(node).split())

    def import_statement(self, node: Node) -> None:
        """``import a.b, c as d``: one Import per module."""
        for child in node.children_by_field_id(self.field_name):
            self.add_import(node, self.dotted(child))

    def import_from_statement(self, node: Node) -> None:
        """``from a.b import c, d as e``; relative imports are local code and are ignored."""
        module = node.child_by_field_id(self.field_module_name)
        if module is None or module.type != "dotted_name":
            return
        names = [self.dotted(child) for child in node.children_by_field_id(self.field_name)]
        self.add_import(node, self.dotted(module), [name for name in names if name])

    def call(self, node: Node) -> None:
        """A call: callee text, string-literal positional and keyword arguments."""
        function = node.child_by_field_id(self.field_function)
        if function is None:
            return
        callee = self.compact(function)
        args: list[str] = []
        kwargs: dict[str, str] = {}
        first: Node | None = None
        arguments = node.child_by_field_id(self.field_arguments)
        if arguments is not None and arguments.type == "argument_list":
            for arg in arguments.named_children:
                kind = arg.type
                if kind == "comment":
                    continue
                if first is None:
                    first = arg
                if kind == "string" or kind == "concatenated_string":
                    value = self.literal_value(arg)
                    if value is not None:
                        args.append(value)
                elif kind == "keyword_argument":
                    self.keyword_argument(arg, kwargs)
        if callee in _DYNAMIC_IMPORT_CALLEES and first is not None and first.type == "string":
            module = self.string_value(first)
            if module and not module.startswith("."):
                self.add_import(node, module)
                self.skip.add(first.start_byte)
        self.calls.append(
            (_position(node), Call(callee, node.start_point.row + 1, tuple(args), kwargs))
        )

    def keyword_argument(self, node: Node, kwargs: dict[str, str]) -> None:
        """``name="literal"`` -> ``kwargs[name]``."""
        name = node.child_by_field_id(self.field_name)
        value = node.child_by_field_id(self.field_value)
        if name is None or value is None or value.type not in ("string", "concatenated_string"):
            return
        literal = self.literal_value(value)
        if literal is not None:
            kwargs[self.text(name)] = literal

    def literal_value(self, node: Node) -> str | None:
        """Value of a ``string`` or ``concatenated_string`` node, if fully literal."""
        if node.type == "string":
            return self.string_value(node)
        parts = [self.string_value(part) for part in node.named_children if part.type == "string"]
        if not parts or any(part is None for part in parts):
            return None
        value = "".join(part for part in parts if part is not None)
        return value if len(value) <= MAX_STRING_CHARS else None

    def concatenated_string(self, node: Node) -> None:
        """``"a" "b"`` is one literal; if a part is interpolated, the plain parts stand alone."""
        parts = [part for part in node.named_children if part.type == "string"]
        values = [self.string_value(part) for part in parts]
        if None in values:
            pairs = zip(parts, values, strict=True)
            if all(value is not None or self.interpolated(part) for part, value in pairs):
                return  # interpolated: the plain parts are reported on their own
            values = []  # a part is too long, hence the whole literal: report nothing
        self.skip.update(part.start_byte for part in parts)
        value = "".join(value for value in values if value is not None)
        if values and len(value) <= MAX_STRING_CHARS:
            self.add_string(node, value)

    def interpolated(self, node: Node) -> bool:
        """Whether a string node is an f-/t-string with a replacement field."""
        return any(child.type == "interpolation" for child in node.named_children)

    def string_value(self, node: Node) -> str | None:
        """Decode one Python string literal; ``None`` if interpolated or too long."""
        start = node.start_byte
        if start in self.values:
            return self.values[start]
        value = self.decode_string(start, node.end_byte)
        self.values[start] = value
        return value

    def decode_string(self, start: int, end: int) -> str | None:
        """Decode the Python string literal at ``source[start:end]``."""
        if end - start > _MAX_STRING_BYTES:
            return None
        text = self.source[start:end].decode("utf-8", "replace")
        match = _PY_STRING_OPEN_RE.match(text)
        if match is None:
            return None
        prefix = match.group(1).lower()
        quote = match.group(2)
        body_start = match.end()
        body_end = len(text) - len(quote)
        if body_end < body_start or not text.endswith(quote):
            body_end = len(text)  # unterminated literal in a broken file
        body = text[body_start:body_end]
        if "f" in prefix or "t" in prefix:
            if "{" in body.replace("{{", "").replace("}}", ""):
                return None
            body = body.replace("{{", "{").replace("}}", "}")
        if "\\" in body and "r" not in prefix:
            body = _py_unescape(body, "b" in prefix)
        return body if len(body) <= MAX_STRING_CHARS else None


class _JsExtractor(_Extractor):
    """Facts from a tree-sitter-javascript / typescript / tsx tree."""

    def __init__(self, source: bytes, language: Language) -> None:
        super().__init__(source, language)
        self.common_fields(language)
        self.field_source = _field_id(language, "source")
        self.field_constructor = _field_id(language, "constructor")
        self.field_key = _field_id(language, "key")

    def run(self, captures: dict[str, list[Node]]) -> None:
        for node in captures.get("import", ()):
            self.import_statement(node)
        for node in captures.get("export", ()):
            self.export_statement(node)
        for node in captures.get("call", ()):
            self.call(node, node.child_by_field_id(self.field_function), is_new=False)
        for node in captures.get("new", ()):
            self.call(node, node.child_by_field_id(self.field_constructor), is_new=True)
        skip = self.skip
        jsx = captures.get("jsx_string", ())
        for node in jsx:
            if node.start_byte not in skip:
                skip.add(node.start_byte)
                self.add_string(node, self.string_value(node, jsx=True))
        for node in captures.get("string", ()):
            if node.start_byte not in skip:
                self.add_string(node, self.string_value(node))
        for node in captures.get("template", ()):
            if node.start_byte not in skip:
                self.add_string(node, self.template_value(node))

    def module_source(self, node: Node | None) -> str | None:
        """The module specifier string of an import/export/require; excluded from strings."""
        if node is None:
            return None
        self.skip.add(node.start_byte)
        if node.type == "string":
            return self.string_value(node)
        if node.type == "template_string":
            return self.template_value(node)
        return None

    def import_statement(self, node: Node) -> None:
        """``import x, {a, b as c} from 'm'``, ``import 'm'``, TS ``import x = require('m')``."""
        source = node.child_by_field_id(self.field_source)
        names: list[str] = []
        for child in node.named_children:
            kind = child.type
            if kind == "import_clause":
                for part in child.named_children:
                    if part.type == "named_imports":
                        names.extend(self.specifier_names(part))
            elif kind == "import_require_clause":
                source = child.child_by_field_id(self.field_source)
        module = self.module_source(source)
        if module:
            self.add_import(node, module, names)

    def export_statement(self, node: Node) -> None:
        """``export {a} from 'm'``, ``export * from 'm'``, ``export * as ns from 'm'``."""
        source = node.child_by_field_id(self.field_source)
        if source is None:
            return  # a local export, not a re-export
        names: list[str] = []
        for child in node.named_children:
            if child.type == "export_clause":
                names.extend(self.specifier_names(child))
        module = self.module_source(source)
        if module:
            self.add_import(node, module, names)

    def specifier_names(self, node: Node) -> list[str]:
        """Original (not alias) names of ``import_specifier`` / ``export_specifier`` children."""
        names = []
        for spec in node.named_children:
            name = spec.child_by_field_id(self.field_name)
            if name is None:
                continue
            value = self.string_value(name) if name.type == "string" else self.text(name)
            if value:
                names.append(value)
        return names

    def call(self, node: Node, function: Node | None, is_new: bool) -> None:
        """A call or ``new``: callee, string-literal args, object-literal string properties."""
        if function is None:
            return
        callee = self.compact(function)
        args: list[str] = []
        kwargs: dict[str, str] = {}
        first: Node | None = None
        first_kind = ""
        count = 0
        arguments = node.child_by_field_id(self.field_arguments)
        if arguments is not None:
            kind = arguments.type
            if kind == "arguments":
                arg_nodes = arguments.named_children if arguments.named_child_count else []
            elif kind == "template_string":  # tagged template: tag`...`
                arg_nodes = [arguments]
            else:
                arg_nodes = []
            for arg in arg_nodes:
                kind = arg.type
                if kind == "comment":
                    continue
                count += 1
                if first is None:
                    first = arg
                    first_kind = kind
                if kind == "string":
                    value = self.string_value(arg)
                elif kind == "template_string":
                    value = self.template_value(arg)
                else:
                    if kind == "object":
                        self.object_properties(arg, kwargs)
                    continue
                if value is not None:
                    args.append(value)
        if (
            first is not None
            and not is_new
            and (first_kind == "string" or first_kind == "template_string")
            and ((callee == "require" and count == 1) or function.type == "import")
        ):
            module = self.module_source(first)
            if module:
                self.add_import(node, module)
        self.calls.append(
            (_position(node), Call(callee, node.start_point.row + 1, tuple(args), kwargs, is_new))
        )

    def object_properties(self, node: Node, kwargs: dict[str, str]) -> None:
        """``{key: 'value', 'k2': "v2"}`` -> kwargs; computed keys and non-strings skipped."""
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = pair.child_by_field_id(self.field_key)
            value = pair.child_by_field_id(self.field_value)
            if key is None or value is None:
                continue
            key_kind = key.type
            if key_kind == "property_identifier":
                name: str | None = self.text(key)
            elif key_kind == "string":
                name = self.string_value(key)
            else:
                continue
            value_kind = value.type
            if value_kind == "string":
                literal = self.string_value(value)
            elif value_kind == "template_string":
                literal = self.template_value(value)
            else:
                continue
            if name is not None and literal is not None:
                kwargs[name] = literal

    def string_value(self, node: Node, jsx: bool = False) -> str | None:
        """Decode a ``'...'`` / ``"..."`` literal; ``None`` if too long."""
        start = node.start_byte
        if start in self.values:
            return self.values[start]
        value = self.decode_string(start, node.end_byte, jsx)
        self.values[start] = value
        return value

    def decode_string(self, start: int, end: int, jsx: bool) -> str | None:
        """Decode the JavaScript string literal at ``source[start:end]``."""
        if end - start > _MAX_STRING_BYTES:
            return None
        text = self.source[start:end].decode("utf-8", "replace")
        if not text:
            return None
        quote = text[0]
        if quote not in "'\"":
            return None
        body = text[1:-1] if len(text) > 1 and text[-1] == quote else text[1:]
        if "\\" in body and not jsx:
            body = _js_unescape(body)
        return body if len(body) <= MAX_STRING_CHARS else None

    def template_value(self, node: Node) -> str | None:
        """Decode a template string; ``None`` if it has ``${...}`` substitutions or is too long."""
        start = node.start_byte
        if start in self.values:
            return self.values[start]
        value = self.decode_template(node)
        self.values[start] = value
        return value

    def decode_template(self, node: Node) -> str | None:
        """Decode a template string node (its children tell whether it has substitutions)."""
        start = node.start_byte
        end = node.end_byte
        if end - start > _MAX_STRING_BYTES:
            return None
        text = self.source[start:end].decode("utf-8", "replace")
        if not text.startswith("`"):
            return None
        body = text[1:-1] if len(text) > 1 and text.endswith("`") else text[1:]
        if "${" in body and any(
            child.type == "template_substitution" for child in node.named_children
        ):
            return None
        if "\\" in body:
            body = _js_unescape(body)
        return body if len(body) <= MAX_STRING_CHARS else None
