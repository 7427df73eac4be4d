"""The hit-guided tree walk finds exactly what a full walk finds, for every detector match."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import Scope
from detectors.code.detector import detect_code
from detectors.code.extract import extract
from detectors.code.parser import language_for
from detectors.textscan import hit_lines
from fingerprints.catalog import Catalog, load_catalog

SCOPE = Scope("code", "t", "t")
ESTATE = Path(__file__).resolve().parents[2] / "examples" / "estate"

SAMPLES: list[tuple[str, str]] = [
    (c.example.file_name(), c.example.text)
    for c in load_catalog().examples()
    if language_for(c.example.file_name())
]
SAMPLES += [
    (str(p.relative_to(ESTATE)), p.read_text())
    for p in sorted(ESTATE.rglob("*"))
    if p.is_file() and language_for(p.name)
]
SAMPLES += [
    (
        "nested.py",
        'class A:\n    """Uses gpt-4o."""\n    def f(self):\n        return dict(\n'
        '            a=[1, 2, {"model": call(model="claude-3-5-haiku-20241022")}],\n        )\n',
    ),
    ("bom.py", "\ufeffimport anthropic\nx = 'o3-mini'\n"),
    ("multi.ts", "const a = 1;\n/* openai */\nexport { x } from '@anthropic-ai/sdk';\n"),
    # The other languages: keywords deep inside nested constructs, in builder chains, in keyword
    # arguments one hash level down, in struct literals, in comments (never facts), after BOMs.
    (
        "Bot.java",
        "package a;\nimport com.openai.client.okhttp.OpenAIOkHttpClient;\n/** gpt-4o */\n"
        "class Bot {\n  void run() {\n    if (x) { for (;;) { var p = Params.builder()\n"
        '        .model("gpt-4o-mini").messages(List.of(new Msg("claude-3-5-haiku-20241022")))'
        ".build(); } }\n    var c = OpenAIOkHttpClient.fromEnv();\n  }\n}\n",
    ),
    (
        "App.kt",
        "import dev.langchain4j.model.openai.OpenAiChatModel\nfun main() {\n"
        '    val m = OpenAiChatModel.builder().modelName("gpt-4o").apiKey(System.getenv('
        '"OPENAI_API_KEY")).build()\n    val t = "${x} gpt-4o"\n}\n',
    ),
    (
        "main.go",
        'package main\n\nimport (\n\t"fmt"\n\topenai "github.com/sashabaranov/go-openai"\n)\n\n'
        'func main() {\n\tc := openai.NewClient(os.Getenv("OPENAI_API_KEY"))\n'
        "\tr, _ := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{\n"
        '\t\tModel: "gpt-4o",\n'
        '\t\tMessages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},\n\t})\n'
        "\tfmt.Println(r)\n}\n",
    ),
    (
        "Program.cs",
        "using Azure.AI.OpenAI;\nusing OpenAI.Chat;\n// gpt-4o\nvar client = new AzureOpenAIClient("
        'new Uri(Environment.GetEnvironmentVariable("AZURE_OPENAI_ENDPOINT")!), cred);\n'
        'ChatClient chat = client.GetChatClient("gpt-4o");\n'
        "var k = Kernel.CreateBuilder()"
        '.AddOpenAIChatCompletion(modelId: "gpt-4o-mini", apiKey: k);\n',
    ),
    (
        "app.rb",
        "\ufeffrequire 'openai'\n# gpt-4o\nclass Bot\n  def run\n    client = OpenAI::Client.new(\n"
        '      access_token: ENV.fetch("OPENAI_API_KEY"))\n    client.chat(parameters: '
        '{ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })\n  end\nend\n',
    ),
    (
        "main.rs",
        "use async_openai::{Client, types::{CreateChatCompletionRequestArgs as Args}};\n"
        "/// gpt-4o\nfn main() {\n    let client = Client::new();\n"
        '    let req = Args::default().model("gpt-4o-mini").build().unwrap();\n'
        '    let key = std::env::var("OPENAI_API_KEY");\n}\n',
    ),
    (
        "index.php",
        "<?php\nuse OpenAI\\Client;\n// gpt-4o\n"
        "$client = OpenAI::client(getenv('OPENAI_API_KEY'));\n"
        "$r = $client->chat()->create(['model' => 'gpt-4o-mini',"
        " 'messages' => [['role' => 'user']]]);"
        "\n?>\n<p>gpt-4o</p>\n",
    ),
]


def findings(catalog: Catalog, name: str, data: bytes, guided: bool) -> list[tuple[str, ...]]:
    offsets = catalog.keyword_offsets(data)
    language = language_for(name)
    assert language is not None
    facts = extract(language, data, hits=offsets if guided else None)
    lines = data.decode("utf-8", "replace").splitlines()
    return sorted(
        (f.product_id, f.signal.value, str(f.location), f.confidence.label, ",".join(f.models))
        for f in detect_code(catalog, SCOPE, name, facts, lines, hit_lines(data, offsets))
    )


@pytest.mark.parametrize(("name", "text"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_guided_walk_matches_full_walk(catalog: Catalog, name: str, text: str) -> None:
    data = text.encode()
    assert findings(catalog, name, data, guided=True) == findings(catalog, name, data, False)


def test_hit_lines_are_one_based_and_deduplicated() -> None:
    data = b"a\nbb openai openai\n\nopenai"
    assert hit_lines(data, [5, 12, 20]) == [2, 4]


def test_line_numbers_survive_unicode_line_separators(catalog: Catalog) -> None:
    from detectors.engine import scan_data

    data = "# note\u2028more\x1cstill line one\nOPENAI_API_KEY=\n".encode()
    result = scan_data(catalog, SCOPE, "settings.env", data)
    assert [str(f.location) for f in result.findings] == ["settings.env:2"]
