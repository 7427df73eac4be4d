"""Fact extraction for Java, Kotlin, Go, C#, Ruby, Rust and PHP (``detectors.code.polyglot``).

Table tests, one construct per row, outputs asserted exactly (as in ``test_extract``): a grammar
upgrade that changes node shapes must fail here, not turn into silent detector misses.
"""

from __future__ import annotations

import pytest

from detectors.code.extract import MAX_STRING_CHARS, extract
from detectors.code.facts import Call, CodeFacts, Import
from detectors.code.polyglot import WALK_KINDS, dotted_callee


def _facts(language: str, source: str) -> CodeFacts:
    return extract(language, source.encode())


def _imports(language: str, source: str) -> list[tuple[str, int]]:
    return [(i.module, i.line) for i in _facts(language, source).imports]


def _strings(language: str, source: str) -> list[tuple[str, int]]:
    return [(s.value, s.line) for s in _facts(language, source).strings]


LANGUAGES = sorted(WALK_KINDS)


# ----------------------------------------------------------------------------------- callees


@pytest.mark.parametrize(
    ("text", "dotted"),
    [
        ("OpenAI::Client.new", "OpenAI.Client.new"),
        ("Client::new", "Client.new"),
        ("$client->chat()->create", "$client.chat().create"),
        ("$c?->x", "$c.x"),
        ("\\OpenAI::client", "OpenAI.client"),
        ("\\OpenAI\\Client", "OpenAI.Client"),
        ("a?.b!!.c", "a.b.c"),
        ("c&.messages", "c.messages"),
        ("sp.GetService<IChatClient>", "sp.GetService"),
        ("x.<String>bar", "x.bar"),
        ("Vec::<Vec<u8>>::new", "Vec.new"),
        ("java.util.ArrayList<String>", "java.util.ArrayList"),
        (
            "Kernel.CreateBuilder().AddOpenAIChatCompletion",
            "Kernel.CreateBuilder().AddOpenAIChatCompletion",
        ),
        ("(a<b).c", "(a<b).c"),  # not type arguments: unbalanced, left alone
    ],
)
def test_dotted_callee(text: str, dotted: str) -> None:
    assert dotted_callee(text) == dotted


# ----------------------------------------------------------------------------------- imports

JAVA_IMPORTS = """package com.example;
import com.azure.ai.openai.OpenAIClient;
import com.azure.ai.openai.*;
import static com.foo.Bar.baz;
import java.util.List;
"""


@pytest.mark.parametrize(
    ("language", "source", "imports"),
    [
        (
            "java",
            JAVA_IMPORTS,
            [
                ("com.azure.ai.openai.OpenAIClient", 2),
                ("com.azure.ai.openai", 3),
                ("com.foo.Bar.baz", 4),
                ("java.util.List", 5),
            ],
        ),
        (
            "java",
            "import com . openai . client . OpenAIClient ;\n",
            [("com.openai.client.OpenAIClient", 1)],
        ),
        (
            "kotlin",
            "import com.openai.client.OpenAIClient\nimport org.springframework.ai.chat.*\n"
            "import foo.Bar as Baz\n",
            [
                ("com.openai.client.OpenAIClient", 1),
                ("org.springframework.ai.chat", 2),
                ("foo.Bar", 3),
            ],
        ),
        (
            "go",
            'package main\n\nimport "fmt"\nimport (\n\topenai "github.com/sashabaranov/go-openai"\n'
            '\t_ "github.com/x/y"\n\t. "github.com/z"\n\t`google.golang.org/genai`\n)\n',
            [
                ("fmt", 3),
                ("github.com/sashabaranov/go-openai", 5),
                ("github.com/x/y", 6),
                ("github.com/z", 7),
                ("google.golang.org/genai", 8),
            ],
        ),
        (
            "csharp",
            "using System;\nusing Azure.AI.OpenAI;\nusing static Foo.Bar;\n"
            "using OAI = OpenAI.Chat;\n"
            "global using Microsoft.SemanticKernel;\nusing global::Anthropic;\nnamespace X;\n",
            [
                ("System", 1),
                ("Azure.AI.OpenAI", 2),
                ("Foo.Bar", 3),
                ("OpenAI.Chat", 4),
                ("Microsoft.SemanticKernel", 5),
                ("Anthropic", 6),
            ],
        ),
        (
            "csharp",
            "class A { void F() { using (var s = Open()) { } using var t = Open(); } }\n",
            [],  # using statements and declarations are not imports
        ),
        (
            "ruby",
            'require "openai"\nrequire(\'anthropic\')\nrequire_relative "lib/openai"\n'
            'require "./local"\nrequire name\nx.require "no"\n',
            [("openai", 1), ("anthropic", 2)],
        ),
        (
            "rust",
            "use async_openai::{Client, config::OpenAIConfig, types::{A, B as C}};\nuse std::env;\n"
            "use foo::*;\nuse bar as baz;\nuse crate::local::x;\nuse self::m::n;\nuse super::p;\n"
            "use ::abs::path;\nuse q::{self, r};\nextern crate openai_api;\n",
            [
                ("async_openai::Client", 1),
                ("async_openai::config::OpenAIConfig", 1),
                ("async_openai::types::A", 1),
                ("async_openai::types::B", 1),
                ("std::env", 2),
                ("foo", 3),
                ("bar", 4),
                ("abs::path", 8),
                ("q", 9),
                ("q::r", 9),
                ("openai_api", 10),
            ],
        ),
        (
            "php",
            "<?php\nrequire 'vendor/autoload.php';\ninclude_once 'x.php';\nuse OpenAI\\Client;\n"
            "use OpenAI\\{Factory, Responses\\Chat as C};\nuse \\Anthropic\\Foo, Bar\\Baz;\n"
            "use function Foo\\bar;\n",
            [
                ("OpenAI\\Client", 4),
                ("OpenAI\\Factory", 5),
                ("OpenAI\\Responses\\Chat", 5),
                ("Anthropic\\Foo", 6),
                ("Bar\\Baz", 6),
                ("Foo\\bar", 7),
            ],
        ),
    ],
)
def test_imports(language: str, source: str, imports: list[tuple[str, int]]) -> None:
    assert _imports(language, source) == imports


def test_import_specifiers_are_not_strings() -> None:
    assert _strings("go", 'package main\nimport "github.com/openai/openai-go"\n') == []
    assert _strings("ruby", 'require "openai"\nrequire_relative "x"\n') == []


# ------------------------------------------------------------------------------------- calls


@pytest.mark.parametrize(
    ("language", "source", "calls"),
    [
        (
            "java",
            "class A { void f() {\n"
            "  OpenAIClient c = new OpenAIClientBuilder().credential(x).buildClient();\n"
            '  foo("a", 1, "b");\n  new java.util.ArrayList<String>();\n} }\n',
            [
                Call("new OpenAIClientBuilder().credential(x).buildClient", 2),
                Call("new OpenAIClientBuilder().credential", 2),
                Call("OpenAIClientBuilder", 2, is_new=True),
                Call("foo", 3, ("a", "b")),
                Call("java.util.ArrayList", 4, is_new=True),
            ],
        ),
        (
            "java",
            'class A { var p = Params.builder()\n    .model("gpt-4o")\n    .build(); }\n',
            [
                Call('Params.builder().model("gpt-4o").build', 1),
                Call("Params.builder().model", 1, ("gpt-4o",)),
                Call("Params.builder", 1),
            ],
        ),
        (
            "kotlin",
            'val m = OpenAIClient(apiKey = "k", model = "gpt-4o-mini", 3)\n'
            'val c = OpenAIOkHttpClient.fromEnv()\nbuilder { model("x") }\n',
            [
                Call("OpenAIClient", 1, (), {"apiKey": "k", "model": "gpt-4o-mini"}),
                Call("OpenAIOkHttpClient.fromEnv", 2),
                Call("builder", 3),
                Call("model", 3, ("x",)),
            ],
        ),
        (
            "go",
            'package main\nfunc main() {\n\tc := openai.NewClient(os.Getenv("K"))\n'
            '\tc.Create(ctx, openai.Request{Model: "gpt-4o", N: 1})\n'
            "\tg, _ := genai.NewClient(ctx, &genai.ClientConfig{APIKey: `x`})\n"
            '\tm := map[string]string{"a": "b"}\n}\n',
            [
                Call("openai.NewClient", 3),
                Call("os.Getenv", 3, ("K",)),
                Call("c.Create", 4),
                Call("openai.Request", 4, (), {"Model": "gpt-4o"}, is_new=True),
                Call("genai.NewClient", 5),
                Call("genai.ClientConfig", 5, (), {"APIKey": "x"}, is_new=True),
            ],
        ),
        (
            "csharp",
            'var c = new AzureOpenAIClient(new Uri("https://x"), key);\n'
            "var b = Kernel.CreateBuilder()"
            '.AddOpenAIChatCompletion(modelId: "gpt-4o", apiKey: key);\n'
            'ChatClient cc = new("gpt-4o", key);\nvar g = sp.GetService<IChatClient>();\n'
            'var o = new ChatOptions { ModelId = "gpt-4o", Temperature = 1 };\n',
            [
                Call("AzureOpenAIClient", 1, is_new=True),
                Call("Uri", 1, ("https://x",), is_new=True),
                Call(
                    "Kernel.CreateBuilder().AddOpenAIChatCompletion", 2, (), {"modelId": "gpt-4o"}
                ),
                Call("Kernel.CreateBuilder", 2),
                Call("sp.GetService", 4),
                Call("ChatOptions", 5, (), {"ModelId": "gpt-4o"}, is_new=True),
            ],
        ),
        (
            "ruby",
            'client = OpenAI::Client.new(access_token: ENV["K"])\n'
            'client.chat(parameters: { model: "gpt-4o", "k" => \'v\', :s => "w",'
            ' n: { deep: "x" } })\n'
            'c&.messages&.create(model: "claude-x")\nputs "a", "b"\n',
            [
                Call("OpenAI.Client.new", 1),
                Call("client.chat", 2, (), {"model": "gpt-4o", "k": "v", "s": "w"}),
                Call("c.messages.create", 3, (), {"model": "claude-x"}),
                Call("c.messages", 3),
                Call("puts", 4, ("a", "b")),
            ],
        ),
        (
            "rust",
            "fn main() {\n    let c = Client::new();\n"
            "    let d = async_openai::Client::with_config(cfg);\n"
            '    let r = Args::default().model("gpt-4o").build()?;\n    let v = Vec::<u8>::new();\n'
            '    let m = format!("{}", "x");\n}\n',
            [
                Call("Client.new", 2),
                Call("async_openai.Client.with_config", 3),
                Call('Args.default().model("gpt-4o").build', 4),
                Call("Args.default().model", 4, ("gpt-4o",)),
                Call("Args.default", 4),
                Call("Vec.new", 5),
            ],
        ),
        (
            "php",
            "<?php\n$client = OpenAI::client(getenv('K'));\n"
            "$r = $client->chat()->create(['model' => 'gpt-4o', 'messages' => [], 3 => 'x']);\n"
            "$n = new \\OpenAI\\Client($t);\n$m = foo(model: 'gpt-4o');\n$o = $c?->x();\n",
            [
                Call("OpenAI.client", 2),
                Call("getenv", 2, ("K",)),
                Call("$client.chat().create", 3, (), {"model": "gpt-4o"}),
                Call("$client.chat", 3),
                Call("OpenAI.Client", 4, is_new=True),
                Call("foo", 5, (), {"model": "gpt-4o"}),
                Call("$c.x", 6),
            ],
        ),
    ],
)
def test_calls(language: str, source: str, calls: list[Call]) -> None:
    assert list(_facts(language, source).calls) == calls


# ----------------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("language", "source", "strings"),
    [
        (
            "java",
            'class A {\n  String a = "x\\n\\u0041\\t\\"q\\"";\n'
            '  String b = """\n      text\n        block""";\n'
            "  char c = 'z';\n}\n",
            [('x\nA\t"q"', 2), ("text\n  block", 3)],
        ),
        (
            "java",
            'class A { String b = """\n    one\n    """; }\n',
            [("one\n", 1)],
        ),
        (
            "kotlin",
            'val a = "esc\\n\\u0041 \\$5"\nval b = "hi $name"\nval c = "x ${y.z}"\n'
            'val d = """raw \\n"""\n'
            'val e = """$raw"""\n',
            [("esc\nA $5", 1), ("raw \\n", 4)],
        ),
        (
            "go",
            "package main\nvar a = \"x\\u0041\\x41\\101\\n\"\nvar b = `raw \\n`\nvar c = 'r'\n",
            [("xAAA\n", 2), ("raw \\n", 3)],
        ),
        (
            "csharp",
            'var a = "a\\u0041\\n";\nvar b = @"verb ""q"" \\n";\nvar c = $"interp {x}";\n'
            'var d = $"no{{hole}}";\nvar e = """raw "q" """;\nvar f = "utf8"u8;\n'
            'var g = """\n    multi\n      line\n    """;\nvar h = $@"v {{x}}";\n',
            [
                ("aA\n", 1),
                ('verb "q" \\n', 2),
                ("no{hole}", 4),
                ('raw "q" ', 5),
                ("utf8", 6),
                ("multi\n  line", 7),
                ("v {x}", 11),
            ],
        ),
        (
            "ruby",
            'a = \'it\\\'s \\\\ \\n\'\nb = "x#{y}"\nc = "x#@y"\nd = %q(q)\ne = %Q(Q\\t)\nf = :sym\n'
            'g = "\\u0041\\e"\nh = ""\n',
            [("it's \\ \\n", 1), ("q", 4), ("Q\t", 5), ("A\x1b", 7), ("", 8)],
        ),
        (
            "rust",
            'fn f() {\n    let a = "a\\u{41}\\n\\\n        cont";\n    let b = r#"raw "q""#;\n'
            '    let c = b"bytes";\n    let d = \'c\';\n    let e = br"\\x";\n}\n',
            [("aA\ncont", 2), ('raw "q"', 4), ("bytes", 5), ("\\x", 7)],
        ),
        (
            "php",
            '<?php\n$a = \'it\\\'s \\n\';\n$b = "esc\\n\\u{41}\\$ \\q";\n$c = "in $x";\n'
            '$d = "{$y}";\n$e = <<<EOT\nheredoc\nEOT;\n?>\n<p>"html"</p>\n',
            [("it's \\n", 2), ("esc\nA$ \\q", 3)],
        ),
    ],
)
def test_strings(language: str, source: str, strings: list[tuple[str, int]]) -> None:
    assert _strings(language, source) == strings


COMMENTED = {
    "java": '// "gpt-4o"\n/* "gpt-4o" */\n/** Uses "gpt-4o". */\nclass A { String m = "real"; }\n',
    "kotlin": '// "gpt-4o"\n/* "gpt-4o" */\n/** KDoc "gpt-4o" */\nval m = "real"\n',
    "go": '// "gpt-4o"\n/* "gpt-4o" */\npackage main\nvar m = "real"\n',
    "csharp": '// "gpt-4o"\n/* "gpt-4o" */\n/// <summary>"gpt-4o"</summary>\nvar m = "real";\n',
    "ruby": '# "gpt-4o"\n=begin\n"gpt-4o"\n=end\nm = "real"\n',
    "rust": '// "gpt-4o"\n/* "gpt-4o" */\n/// doc "gpt-4o"\n//! "gpt-4o"\n'
    'const M: &str = "real";\n',
    "php": '<?php\n// "gpt-4o"\n# "gpt-4o"\n/** "gpt-4o" */\n$m = "real";\n',
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_comments_and_doc_comments_are_not_strings(language: str) -> None:
    assert [value for value, _ in _strings(language, COMMENTED[language])] == ["real"]


BROKEN = {
    "java": 'import com.openai.client.OpenAIClient;\nclass A { void f( { String m = "gpt-4o"; }\n',
    "kotlin": "import com.openai.client.OpenAIClient\n"
    'fun f() {\n  val m = "gpt-4o"\n  val x = = 3\n}\n',
    "go": 'package main\nimport "github.com/openai/openai-go"\nfunc f( { m := "gpt-4o" }\n',
    "csharp": 'using OpenAI;\nclass A { void F( { var m = "gpt-4o"; }\n',
    "ruby": 'require "openai"\ndef f(\n  m = "gpt-4o"\n',
    "rust": 'use async_openai::Client;\nfn f( { let m = "gpt-4o"; }\n',
    "php": '<?php\nuse OpenAI\\Client;\nfunction f( { $m = "gpt-4o"; }\n',
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_syntax_errors_give_partial_facts(language: str) -> None:
    facts = _facts(language, BROKEN[language])
    assert facts.has_errors
    assert len(facts.imports) == 1
    assert "gpt-4o" in [s.value for s in facts.strings]


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_and_binary_input(language: str) -> None:
    assert extract(language, b"") == CodeFacts(language=language)
    facts = extract(language, b"\xff\xfe\x00garbage\x80")
    assert facts.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_strings_are_dropped(language: str) -> None:
    long = "a" * (MAX_STRING_CHARS + 1)
    ok = "b" * MAX_STRING_CHARS
    source = {
        "java": f'class A {{ String x = "{long}"; String y = "{ok}"; }}\n',
        "kotlin": f'val x = "{long}"\nval y = "{ok}"\n',
        "go": f'package main\nvar x = "{long}"\nvar y = "{ok}"\n',
        "csharp": f'var x = "{long}";\nvar y = "{ok}";\n',
        "ruby": f'x = "{long}"\ny = "{ok}"\n',
        "rust": f'const X: &str = "{long}";\nconst Y: &str = "{ok}";\n',
        "php": f'<?php\n$x = "{long}";\n$y = "{ok}";\n',
    }[language]
    assert [value for value, _ in _strings(language, source)] == [ok]


@pytest.mark.parametrize("language", LANGUAGES)
def test_hits_restrict_facts_to_keyword_subtrees(language: str) -> None:
    source = {
        "java": 'class A {\n  void f() { g("one"); }\n  void h() { k("openai"); }\n}\n',
        "kotlin": 'fun f() { g("one") }\nfun h() { k("openai") }\n',
        "go": 'package main\nfunc f() { g("one") }\nfunc h() { k("openai") }\n',
        "csharp": 'class A {\n  void F() { g("one"); }\n  void H() { k("openai"); }\n}\n',
        "ruby": 'def f\n  g("one")\nend\ndef h\n  k("openai")\nend\n',
        "rust": 'fn f() { g("one"); }\nfn h() { k("openai"); }\n',
        "php": '<?php\nfunction f() { g("one"); }\nfunction h() { k("openai"); }\n',
    }[language]
    data = source.encode()
    hit = data.index(b"openai")
    facts = extract(language, data, hits=[hit])
    assert [c.callee for c in facts.calls] == ["k"]
    assert [s.value for s in facts.strings] == ["openai"]
    full = extract(language, data)
    assert [c.callee for c in full.calls] == ["g", "k"]


def test_import_facts_have_no_names() -> None:
    (imp,) = _facts("java", "import com.openai.client.OpenAIClient;\n").imports
    assert imp == Import("com.openai.client.OpenAIClient", 1)
