"""Tests for tree-sitter fact extraction (``detectors.code.extract``) and ``detectors.code.parser``.

Each table row is one construct; outputs are asserted exactly so that grammar upgrades which
change node shapes are caught here rather than as silent detector misses.
"""

from __future__ import annotations

import pytest

from detectors.code.extract import MAX_STRING_CHARS, _collect, extract
from detectors.code.facts import Call, CodeFacts, Import, StringLiteral
from detectors.code.parser import LANGUAGE_BY_SUFFIX, ParseTimeoutError, language_for, parse

JS_LANGUAGES = ("javascript", "typescript", "tsx")
TS_LANGUAGES = ("typescript", "tsx")
JSX_LANGUAGES = ("javascript", "tsx")


def _facts(language: str, source: str | bytes) -> CodeFacts:
    data = source.encode() if isinstance(source, str) else source
    return extract(language, data)


def _strings(facts: CodeFacts) -> list[tuple[str, int]]:
    return [(s.value, s.line) for s in facts.strings]


# ---------------------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b/c.py", "python"),
        ("stubs/x.pyi", "python"),
        ("X.PY", "python"),
        ("app.js", "javascript"),
        ("app.mjs", "javascript"),
        ("app.cjs", "javascript"),
        ("App.JSX", "javascript"),
        ("index.ts", "typescript"),
        ("index.mts", "typescript"),
        ("index.cts", "typescript"),
        ("types.d.ts", "typescript"),
        ("App.tsx", "tsx"),
        ("Main.java", "java"),
        ("App.kt", "kotlin"),
        ("build.gradle.kts", "kotlin"),
        ("main.go", "go"),
        ("Program.cs", "csharp"),
        ("app.rb", "ruby"),
        ("main.rs", "rust"),
        ("index.php", "php"),
        ("Gemfile", None),
        ("notebook.ipynb", None),
        ("Makefile", None),
        (".py", None),
        ("dir.py/file", None),
    ],
)
def test_language_for(path: str, language: str | None) -> None:
    assert language_for(path) == language


def test_language_by_suffix_table() -> None:
    assert dict(LANGUAGE_BY_SUFFIX) == {
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


@pytest.mark.parametrize(
    ("language", "root_type"),
    [
        ("python", "module"),
        ("javascript", "program"),
        ("typescript", "program"),
        ("tsx", "program"),
        ("java", "program"),
        ("kotlin", "source_file"),
        ("go", "source_file"),
        ("csharp", "compilation_unit"),
        ("ruby", "program"),
        ("rust", "source_file"),
        ("php", "program"),
    ],
)
def test_parse_returns_tree(language: str, root_type: str) -> None:
    tree = parse(language, b"x = 1\n")
    assert tree.root_node.type == root_type
    assert tree.root_node.end_byte == 6


def test_parse_timeout_raises_and_parser_recovers() -> None:
    big = b"x = foo(1, 'a')\n" * 100_000
    with pytest.raises(ParseTimeoutError):
        parse("python", big, timeout_s=0.0)
    # The cancelled parse must not leak into the next one on the same (cached) parser.
    tree = parse("python", b"y = 2\n")
    assert str(tree.root_node) == (
        "(module (expression_statement (assignment left: (identifier) right: (integer))))"
    )


def test_parse_unknown_language() -> None:
    with pytest.raises(ValueError):
        parse("cobol", b"")
    with pytest.raises(ValueError):
        extract("cobol", b"")


# ---------------------------------------------------------------------------- python imports


@pytest.mark.parametrize(
    ("source", "imports"),
    [
        ("import os\n", [Import("os", 1)]),
        ("import a.b\n", [Import("a.b", 1)]),
        ("import a.b as c\n", [Import("a.b", 1)]),
        ("import a, b.c as d\n", [Import("a", 1), Import("b.c", 1)]),
        ("from a.b import c, d\n", [Import("a.b", 1, ("c", "d"))]),
        ("from a.b import c as x, d\n", [Import("a.b", 1, ("c", "d"))]),
        ("from a import (\n    b,\n    c,\n)\n", [Import("a", 1, ("b", "c"))]),
        ("from a import *\n", [Import("a", 1)]),
        ("from __future__ import annotations\n", []),  # a compiler directive, not a dependency
        ("\n\ndef f():\n    import x.y\n", [Import("x.y", 4)]),
        ("from . import x\n", []),
        ("from .m import y\n", []),
        ("from ..pkg.m import z\n", []),
        ('importlib.import_module("x.y")\n', [Import("x.y", 1)]),
        ('import_module("pkg")\n', [Import("pkg", 1)]),
        ('__import__("z")\n', [Import("z", 1)]),
        ('importlib.import_module(".rel", "pkg")\n', []),
        ('importlib.import_module(name, "pkg")\n', []),
        ('importlib.import_module(f"x{y}")\n', []),
        ('other.import_module("x")\n', []),
    ],
)
def test_python_imports(source: str, imports: list[Import]) -> None:
    assert list(_facts("python", source).imports) == imports


def test_python_imports_in_source_order() -> None:
    src = 'import b\nfrom c import d\nimportlib.import_module("e")\nimport a\n'
    assert [i.module for i in _facts("python", src).imports] == ["b", "c", "e", "a"]


# ------------------------------------------------------------------------------ python calls


@pytest.mark.parametrize(
    ("source", "calls"),
    [
        ("OpenAI()\n", [Call("OpenAI", 1)]),
        (
            'boto3.client("s3", region_name="us-east-1", n=1, **kw)\n',
            [Call("boto3.client", 1, ("s3",), {"region_name": "us-east-1"})],
        ),
        (
            'client.chat.completions.create(model="m-1", messages=msgs)\n',
            [Call("client.chat.completions.create", 1, (), {"model": "m-1"})],
        ),
        (
            'x = (client\n    .chat\n    .create)("a", 2, "b")\n',
            [Call("(client.chat.create)", 1, ("a", "b"))],
        ),
        ("foo().bar()\n", [Call("foo().bar", 1), Call("foo", 1)]),
        ('f(g("x"))\n', [Call("f", 1), Call("g", 1, ("x",))]),
        ('f("a" "b", "c")\n', [Call("f", 1, ("ab", "c"))]),
        ('f(\n    "a"\n    "b"\n)\n', [Call("f", 1, ("ab",))]),
        ('f(f"lit", f"{x}", "p" f"{y}")\n', [Call("f", 1, ("lit",))]),
        ("f(r'\\d', b'\\x41', u'\\u00e9')\n", [Call("f", 1, ("\\d", "A", "\u00e9"))]),
        ('f(k="a" "b", j=f"{x}", i=f"plain")\n', [Call("f", 1, (), {"k": "ab", "i": "plain"})]),
        ("f(*args, 'a', **{'k': 'v'})\n", [Call("f", 1, ("a",))]),
        ("f(x for x in 'ab')\n", [Call("f", 1)]),
        ('@app.route("/x")\ndef h():\n    pass\n', [Call("app.route", 1, ("/x",))]),
        ("a[0]('s')\n", [Call("a[0]", 1, ("s",))]),
        ("f(\n  'a',  # comment\n  'b',\n)\n", [Call("f", 1, ("a", "b"))]),
    ],
)
def test_python_calls(source: str, calls: list[Call]) -> None:
    assert list(_facts("python", source).calls) == calls


def test_python_callee_truncated() -> None:
    name = "a" * 300
    (call,) = _facts("python", f"{name}()\n").calls
    assert call.callee == "a" * 200


# ---------------------------------------------------------------------------- python strings


@pytest.mark.parametrize(
    ("source", "strings"),
    [
        ("x = 'a'\n", [("a", 1)]),
        ('x = "a"\n', [("a", 1)]),
        ("x = ''\n", [("", 1)]),
        ('x = """\nmulti\nline"""\n', [("\nmulti\nline", 1)]),
        ("x = '''t'''\n", [("t", 1)]),
        ("x = r'\\n\\d'\n", [("\\n\\d", 1)]),
        ("x = R'\\n'\n", [("\\n", 1)]),
        ("x = b'\\x00ab\\n'\n", [("\x00ab\n", 1)]),
        ("x = rb'\\x'\n", [("\\x", 1)]),
        ("x = Br'\\x'\n", [("\\x", 1)]),
        ("x = u'caf\\u00e9'\n", [("caf\u00e9", 1)]),
        ("x = 'caf\u00e9'\n", [("caf\u00e9", 1)]),
        ("x = '\\N{BULLET} \\U0001F600 \\101 \\q'\n", [("\u2022 \U0001f600 A \\q", 1)]),
        ('x = \'it\\\'s\' "\\"q\\""\n', [('it\'s"q"', 1)]),
        ("x = 'a\\\nb'\n", [("ab", 1)]),
        ("x = f'plain'\n", [("plain", 1)]),
        ("x = f'{{literal}}'\n", [("{literal}", 1)]),
        ("x = f'a{b}c'\n", []),
        ("x = f'{d[\"key\"]}'\n", [("key", 1)]),
        ("x = rf'\\d{{2}}'\n", [("\\d{2}", 1)]),
        ("x = 'a' 'b'\n", [("ab", 1)]),
        ("x = 'a' f'{b}' 'c'\n", [("a", 1), ("c", 1)]),
        ("x = {'k': 'v'}\n", [("k", 1), ("v", 1)]),
        ("def f(x: 'Fwd' = 'd'): pass\n", [("Fwd", 1), ("d", 1)]),
        ("x = 1  # 'not a string'\n# \"nor this\"\n", []),
        ("x = 'a'\ny = 'b'\n\nz = 'c'\n", [("a", 1), ("b", 2), ("c", 4)]),
        (f"x = '{'a' * MAX_STRING_CHARS}'\n", [("a" * MAX_STRING_CHARS, 1)]),
        (f"x = '{'a' * (MAX_STRING_CHARS + 1)}'\n", []),
        (f"x = '{'a' * 300}' '{'b' * 300}'\n", []),
    ],
)
def test_python_strings(source: str, strings: list[tuple[str, int]]) -> None:
    assert _strings(_facts("python", source)) == strings


@pytest.mark.parametrize(
    ("source", "strings"),
    [
        ('"""Module docstring."""\nx = "kept"\n', [("kept", 2)]),
        ("'single-quoted docstring'\n", []),
        ("class A:\n    '''Class doc.'''\n    x = 'kept'\n", [("kept", 3)]),
        ('def f():\n    "doc"\n    return "kept"\n', [("kept", 3)]),
        ('def f():\n    x = 1\n    "bare string later"\n', []),
        ('"""doc""" "concatenated"\nx = 1\n', []),
        ('"""doc"""  # trailing comment\n', []),
        ('"a", "b"\n', [("a", 1), ("b", 1)]),
        ('("parenthesised")\n', [("parenthesised", 1)]),
        ('x = """not a docstring"""\n', [("not a docstring", 1)]),
        ('print("call argument")\n', [("call argument", 1)]),
    ],
)
def test_python_docstrings_excluded(source: str, strings: list[tuple[str, int]]) -> None:
    assert _strings(_facts("python", source)) == strings


@pytest.mark.parametrize(
    ("source", "calls", "strings"),
    [
        ("x = f\"{foo('a')}\"\n", [Call("foo", 1, ("a",))], [("a", 1)]),
        ("f\"{log('x')}\"\n", [Call("log", 1, ("x",))], [("x", 1)]),
        ('x = rf"{foo()}" F"{bar()}"\n', [Call("foo", 1), Call("bar", 1)], []),
        ("x = t'{baz()}'\n", [Call("baz", 1)], []),
        ("x = b'f' + u'{t}'\n", [], [("f", 1), ("{t}", 1)]),
    ],
)
def test_python_code_inside_fstrings(
    source: str, calls: list[Call], strings: list[tuple[str, int]]
) -> None:
    """Replacement fields are code: their calls and strings count, even in a bare f-string."""
    facts = _facts("python", source)
    assert list(facts.calls) == calls
    assert _strings(facts) == strings


def test_python_dynamic_import_specifier_not_a_string() -> None:
    facts = _facts("python", 'importlib.import_module("x")\ny = "s"\n')
    assert _strings(facts) == [("s", 2)]
    assert facts.calls == (Call("importlib.import_module", 1, ("x",)),)


def test_python_full_file() -> None:
    src = '''"""Service module."""
import os
from langchain.chat_models import init_chat_model, ChatX as Y
from .local import helper

API = os.environ.get("API_URL", "https://api.example.com/v1")


class Client:
    """Doc."""

    def __init__(self):
        self.c = SDK(base_url=API, model="model-a")  # "comment"
'''
    assert _facts("python", src) == CodeFacts(
        language="python",
        imports=(
            Import("os", 2),
            Import("langchain.chat_models", 3, ("init_chat_model", "ChatX")),
        ),
        calls=(
            Call("os.environ.get", 6, ("API_URL", "https://api.example.com/v1")),
            Call("SDK", 13, (), {"model": "model-a"}),
        ),
        strings=(
            StringLiteral("API_URL", 6),
            StringLiteral("https://api.example.com/v1", 6),
            StringLiteral("model-a", 13),
        ),
        has_errors=False,
    )


# ----------------------------------------------------------------------------- JS/TS imports


_JS_IMPORT_CASES = [
    ("import x from 'm';", [Import("m", 1)]),
    ('import {a, b as c} from "m";', [Import("m", 1, ("a", "b"))]),
    ("import * as ns from 'm';", [Import("m", 1)]),
    ("import 'side-effect';", [Import("side-effect", 1)]),
    ("import d, {e} from '@scope/pkg/sub';", [Import("@scope/pkg/sub", 1, ("e",))]),
    ("import x from './local.js';", [Import("./local.js", 1)]),
    ("import {\n  a,\n  b,\n} from 'm';", [Import("m", 1, ("a", "b"))]),
    ("export {f, g as h} from 'm';", [Import("m", 1, ("f", "g"))]),
    ("export * from 'm';", [Import("m", 1)]),
    ("export * as ns from 'm';", [Import("m", 1)]),
    ("export const x = 1;", []),
    ("export { y };", []),
    ("const r = require('m');", [Import("m", 1)]),
    ("const r = require(`m`);", [Import("m", 1)]),
    ("const r = require('m', 'extra');", []),
    ("const r = require(name);", []),
    ("const r = require(`m${x}`);", []),
    ("require.resolve('m');", []),
    ("const q = await import('m');", [Import("m", 1)]),
    ("import('m').then(f);", [Import("m", 1)]),
    ("const q = import(name);", []),
    ("\n\nimport x from 'm';", [Import("m", 3)]),
]


@pytest.mark.parametrize("language", JS_LANGUAGES)
@pytest.mark.parametrize(("source", "imports"), _JS_IMPORT_CASES)
def test_js_imports(language: str, source: str, imports: list[Import]) -> None:
    assert list(_facts(language, source).imports) == imports


@pytest.mark.parametrize("language", TS_LANGUAGES)
@pytest.mark.parametrize(
    ("source", "imports"),
    [
        ("import x = require('m');", [Import("m", 1)]),
        ("import type { A } from 'm';", [Import("m", 1, ("A",))]),
        ("import { type B, C } from 'm';", [Import("m", 1, ("B", "C"))]),
        ("export type { D } from 'm';", [Import("m", 1, ("D",))]),
    ],
)
def test_ts_imports(language: str, source: str, imports: list[Import]) -> None:
    assert list(_facts(language, source).imports) == imports


@pytest.mark.parametrize("language", JS_LANGUAGES)
def test_js_import_specifiers_not_strings(language: str) -> None:
    src = (
        "import a from 'm1';\nexport * from 'm2';\nconst b = require('m3');\n"
        "const c = import('m4');\nconst s = 'kept';\n"
    )
    facts = _facts(language, src)
    assert [i.module for i in facts.imports] == ["m1", "m2", "m3", "m4"]
    assert _strings(facts) == [("kept", 5)]


# ------------------------------------------------------------------------------- JS/TS calls

_JS_CALL_CASES = [
    ("foo();", [Call("foo", 1)]),
    ("new OpenAI();", [Call("OpenAI", 1, is_new=True)]),
    ("new Foo;", [Call("Foo", 1, is_new=True)]),
    ("new ns.Client('k');", [Call("ns.Client", 1, ("k",), is_new=True)]),
    (
        "client.chat.completions.create({model: 'm-1', 'max': \"x\", n: 1, [k]: 'c', s, ...o});",
        [Call("client.chat.completions.create", 1, (), {"model": "m-1", "max": "x"})],
    ),
    (
        "f('a', b, \"c\", `d`, `e${x}`, 1);",
        [Call("f", 1, ("a", "c", "d"))],
    ),
    ("f({a: 'x'}, {b: `y`, c: {d: 'nested'}});", [Call("f", 1, (), {"a": "x", "b": "y"})]),
    ("a?.b.c('x');", [Call("a?.b.c", 1, ("x",))]),
    ("foo().bar('x');", [Call("foo().bar", 1, ("x",)), Call("foo", 1)]),
    ("f(g('x'));", [Call("f", 1), Call("g", 1, ("x",))]),
    ("client\n  .chat\n  .create('x');", [Call("client.chat.create", 1, ("x",))]),
    ("gql`query`;", [Call("gql", 1, ("query",))]),
    ("gql`q ${x}`;", [Call("gql", 1)]),
    ("f(...args, 'a');", [Call("f", 1, ("a",))]),
    ("const r = require('m');", [Call("require", 1, ("m",))]),
    ("import('m');", [Call("import", 1, ("m",))]),
    (
        "new Foo('a', new Bar('b'));",
        [Call("Foo", 1, ("a",), is_new=True), Call("Bar", 1, ("b",), is_new=True)],
    ),
    ("\n\nf('x');", [Call("f", 3, ("x",))]),
]


@pytest.mark.parametrize("language", JS_LANGUAGES)
@pytest.mark.parametrize(("source", "calls"), _JS_CALL_CASES)
def test_js_calls(language: str, source: str, calls: list[Call]) -> None:
    assert list(_facts(language, source).calls) == calls


@pytest.mark.parametrize("language", TS_LANGUAGES)
@pytest.mark.parametrize(
    ("source", "calls"),
    [
        ("foo<Bar>('z');", [Call("foo", 1, ("z",))]),
        ("new Foo<string>('a', {m: 'x'});", [Call("Foo", 1, ("a",), {"m": "x"}, is_new=True)]),
        ("(client as Client).create('x');", [Call("(clientasClient).create", 1, ("x",))]),
    ],
)
def test_ts_calls(language: str, source: str, calls: list[Call]) -> None:
    assert list(_facts(language, source).calls) == calls


# ----------------------------------------------------------------------------- JS/TS strings

_JS_STRING_CASES = [
    ("x = 'a';", [("a", 1)]),
    ('x = "a";', [("a", 1)]),
    ("x = '';", [("", 1)]),
    ("x = `tmpl`;", [("tmpl", 1)]),
    ("x = `multi\nline`;", [("multi\nline", 1)]),
    ("x = `a${b}c`;", []),
    ("x = `a${'inner'}c`;", [("inner", 1)]),
    ("x = `\\${not} sub`;", [("${not} sub", 1)]),
    ("x = 'it\\'s';", [("it's", 1)]),
    ("x = '\\n\\t\\x41\\u00e9\\u{1F600}\\q\\\\';", [("\n\tA\u00e9\U0001f600q\\", 1)]),
    ("x = '\\ud83d\\ude00';", [("\U0001f600", 1)]),
    ("x = '\\ud83d';", [("\ufffd", 1)]),
    ("x = 'a\\\nb';", [("ab", 1)]),
    ("x = 'caf\u00e9';", [("caf\u00e9", 1)]),
    ("x = {'k': 'v', n: \"w\"};", [("k", 1), ("v", 1), ("w", 1)]),
    ("'use strict';", [("use strict", 1)]),
    ("x = 1; // 'comment'\n/* \"block\" */\n/** `doc` */", []),
    ("x = 'a';\ny = 'b';\n\nz = `c`;", [("a", 1), ("b", 2), ("c", 4)]),
    (f"x = '{'a' * MAX_STRING_CHARS}';", [("a" * MAX_STRING_CHARS, 1)]),
    (f"x = '{'a' * (MAX_STRING_CHARS + 1)}';", []),
    (f"x = `{'a' * (MAX_STRING_CHARS + 1)}`;", []),
]


@pytest.mark.parametrize("language", JS_LANGUAGES)
@pytest.mark.parametrize(("source", "strings"), _JS_STRING_CASES)
def test_js_strings(language: str, source: str, strings: list[tuple[str, int]]) -> None:
    assert _strings(_facts(language, source)) == strings


@pytest.mark.parametrize("language", TS_LANGUAGES)
def test_ts_type_level_strings(language: str) -> None:
    src = "let s: 'lit' = `v`;\ndeclare module 'mod' {}\n"
    assert _strings(_facts(language, src)) == [("lit", 1), ("v", 1), ("mod", 2)]


@pytest.mark.parametrize("language", JSX_LANGUAGES)
def test_jsx(language: str) -> None:
    src = 'const el = <div className="a\\b" title=\'t\'>{t("key")} text</div>;\n'
    facts = _facts(language, src)
    assert _strings(facts) == [("a\\b", 1), ("t", 1), ("key", 1)]
    assert facts.calls == (Call("t", 1, ("key",)),)


def test_typescript_angle_bracket_assertion() -> None:
    facts = _facts("typescript", "const y = <T>require('m');\n")
    assert facts.imports == (Import("m", 1),)
    assert facts.calls == (Call("require", 1, ("m",)),)


def test_js_full_file() -> None:
    src = """// Service client
import Anthropic from '@anthropic-ai/sdk';
import { ChatX, helper as h } from "some-lib";
const cfg = require('./config');

const client = new Anthropic({ apiKey: process.env.KEY, baseURL: `https://api.example.com` });
await client.messages.create({ model: "model-b", max_tokens: 10 });
"""
    assert _facts("javascript", src) == CodeFacts(
        language="javascript",
        imports=(
            Import("@anthropic-ai/sdk", 2),
            Import("some-lib", 3, ("ChatX", "helper")),
            Import("./config", 4),
        ),
        calls=(
            Call("require", 4, ("./config",)),
            Call("Anthropic", 6, (), {"baseURL": "https://api.example.com"}, is_new=True),
            Call("client.messages.create", 7, (), {"model": "model-b"}),
        ),
        strings=(StringLiteral("https://api.example.com", 6), StringLiteral("model-b", 7)),
        has_errors=False,
    )


# ------------------------------------------------------------------------------ robustness


@pytest.mark.parametrize("language", ["python", *JS_LANGUAGES])
@pytest.mark.parametrize("source", [b"", b"\n\n", b"   ", b"\xef\xbb\xbf"])
def test_empty_files(language: str, source: bytes) -> None:
    assert extract(language, source) == CodeFacts(language=language)


def test_utf8_bom_is_ignored() -> None:
    facts = extract("python", b"\xef\xbb\xbfimport os\nx = 'a'\n")
    assert facts == CodeFacts(
        language="python", imports=(Import("os", 1),), strings=(StringLiteral("a", 2),)
    )


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("python", b"x = 'caf\xff\xfe'\nimport os\nf('\xc3')\n"),
        ("javascript", b"x = 'caf\xff\xfe';\nimport os from 'os';\nf('\xc3');\n"),
        ("typescript", b"x = 'caf\xff\xfe';\nimport os from 'os';\nf('\xc3');\n"),
        ("tsx", b"x = 'caf\xff\xfe';\nimport os from 'os';\nf('\xc3');\n"),
    ],
)
def test_invalid_utf8(language: str, source: bytes) -> None:
    facts = extract(language, source)
    assert [(i.module, i.line) for i in facts.imports] == [("os", 2)]
    assert facts.calls == (Call("f", 3, ("\ufffd",)),)
    assert _strings(facts) == [("caf\ufffd\ufffd", 1), ("\ufffd", 3)]


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("python", "import os\nc = SDK(model='m')\ndef broken(:\n"),
        ("javascript", "import os from 'os';\nc = SDK({model: 'm'});\nfunction broken(( {\n"),
        ("typescript", "import os from 'os';\nc = SDK({model: 'm'});\nfunction broken(( {\n"),
        ("tsx", "import os from 'os';\nc = SDK({model: 'm'});\nfunction broken(( {\n"),
    ],
)
def test_syntax_errors_give_partial_facts(language: str, source: str) -> None:
    facts = _facts(language, source)
    assert facts.has_errors
    assert [(i.module, i.line) for i in facts.imports] == [("os", 1)]
    assert facts.calls == (Call("SDK", 2, (), {"model": "m"}),)
    assert ("m", 2) in _strings(facts)


@pytest.mark.parametrize("language", ["python", *JS_LANGUAGES])
@pytest.mark.parametrize(
    "source",
    [b"(((((", b"'unterminated", b'"""never closed', b"`tmpl", b"\x00\x01\x02", b"}}}{{{)))"],
)
def test_garbage_never_raises(language: str, source: bytes) -> None:
    facts = extract(language, source)
    assert facts.language == language


def test_unterminated_string_best_effort() -> None:
    facts = _facts("python", "x = 'abc\ny = 1\n")
    assert facts.has_errors


def test_minified_3mb_string_does_not_crash() -> None:
    huge = "x" * 3_000_000
    src = f'var a="{huge}",b=`{huge}`;foo("k",{{m:"{huge}",n:"v"}});'.encode()
    facts = extract("javascript", src)
    assert not facts.has_errors
    assert facts.calls == (Call("foo", 1, ("k",), {"n": "v"}),)
    assert _strings(facts) == [("k", 1), ("v", 1)]


def test_minified_single_line_many_calls() -> None:
    src = ";".join(f"f{i}('s{i}')" for i in range(50_000)).encode()
    facts = extract("javascript", src)
    assert len(facts.calls) == 50_000
    assert facts.calls[-1] == Call("f49999", 1, ("s49999",))
    assert len(facts.strings) == 50_000


def test_huge_iife_callee_is_bounded() -> None:
    body = "var a=1;" * 200_000
    src = f"(function(){{{body}}})('arg');".encode()
    (call,) = extract("javascript", src).calls
    assert call.callee.startswith("(function(){var")
    assert len(call.callee) == 200
    assert call.args == ("arg",)


@pytest.mark.parametrize("language", ["python", *JS_LANGUAGES])
def test_deeply_nested_calls(language: str) -> None:
    """Nesting beyond 32767 levels: a tree-sitter query would drop these and take ~75 s."""
    depth = 60_000
    src = ("x = " + "f(" * depth + "'a'" + ")" * depth + "\n").encode()
    facts = extract(language, src)
    assert len(facts.calls) == depth
    assert facts.calls[-1] == Call("f", 1, ("a",))
    assert _strings(facts) == [("a", 1)]


@pytest.mark.parametrize("language", ["python", *JS_LANGUAGES])
def test_very_wide_node(language: str) -> None:
    """A 150k-element literal: the walk is linear (a tree-sitter query is quadratic here)."""
    src = ("x = [" + "'s'," * 150_000 + "]\n").encode()
    facts = extract(language, src)
    assert len(facts.strings) == 150_000
    assert facts.strings[-1] == StringLiteral("s", 1)


def test_unbalanced_braces() -> None:
    """One huge ERROR node: a tree-sitter query needs ~30 s for 200 KB of this."""
    facts = extract("javascript", b"{" * 200_000 + b"f('x')")
    assert facts.has_errors


def test_collect_stops_at_deadline() -> None:
    src = b"x = [" + b"'s'," * 10_000 + b"]\n"
    tree = parse("python", src)
    everything, complete = _collect("python", src, tree.root_node, None)
    assert complete
    assert len(everything["string"]) == 10_000
    partial, complete = _collect("python", src, tree.root_node, 0.0)
    assert not complete
    assert 0 < len(partial["string"]) < 10_000


def test_extract_timeout_yields_empty_partial_facts() -> None:
    src = b"x = foo(1, 'a')\n" * 100_000
    assert extract("python", src, timeout_s=0.0) == CodeFacts(language="python", has_errors=True)
    assert extract("python", b"import os\n") == CodeFacts(
        language="python", imports=(Import("os", 1),)
    )
