"""Manifests and lock files through the engine: direct dependencies are ``package`` (medium),
lock-only ones ``package-transitive`` (low), own names ``provides``; lock files keep the keyword
prefilter in front of the parser and have a size cap of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.base import FileRef, Scope
from detectors.base import Confidence, Signal
from detectors.engine import MB, FileKind, ScanOptions, classify, scan_data, scan_file
from fingerprints.catalog import Catalog, compile_catalog
from fingerprints.schema import FingerprintFile, normalise_package

SCOPE = Scope("code", "example", "example")


def evidence(catalog: Catalog, relpath: str, text: str) -> set[tuple[str, str, str, int | None]]:
    result = scan_data(catalog, SCOPE, relpath, text.encode())
    assert result.skip_reason is None, result.skip_reason
    return {
        (f.product_id, f.signal.value, f.confidence.label, f.location.line) for f in result.findings
    }


POETRY_LOCK = """\
[[package]]
name = "langchain-openai"
version = "0.2.3"

[package.dependencies]
openai = ">=1.52.0"

[[package]]
name = "openai"
version = "1.52.0"
"""


def test_lock_only_packages_are_transitive_and_low(catalog: Catalog) -> None:
    assert evidence(catalog, "poetry.lock", POETRY_LOCK) == {
        ("langchain", "package-transitive", "low", 2),
        ("openai", "package-transitive", "low", 2),  # langchain-openai is OpenAI too
        ("openai", "package-transitive", "low", 9),
    }


def test_what_the_lock_marks_as_the_projects_own_is_direct(catalog: Catalog) -> None:
    text = (
        '[[package]]\nname = "bot"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        'dependencies = [\n    { name = "anthropic" },\n]\n\n'
        '[[package]]\nname = "anthropic"\nversion = "0.40.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    assert evidence(catalog, "uv.lock", text) == {("anthropic", "package", "medium", 10)}


def test_go_mod_indirect_requirement_is_transitive(catalog: Catalog) -> None:
    text = (
        "module example.com/bot\n\nrequire (\n\tgithub.com/tmc/langchaingo v0.1.12\n"
        "\tgithub.com/sashabaranov/go-openai v1.36.0 // indirect\n)\n"
    )
    assert evidence(catalog, "go.mod", text) == {
        ("langchain", "package", "medium", 4),
        ("openai", "package-transitive", "low", 5),
    }


@pytest.mark.parametrize(
    ("relpath", "text", "product", "line"),
    [
        ("go.mod", "// SDK\nmodule github.com/openai/openai-go/v3\n\ngo 1.22\n", "openai", 2),
        (
            "pom.xml",
            "<project>\n  <groupId>com.anthropic</groupId>\n"
            "  <artifactId>anthropic-java</artifactId>\n</project>\n",
            "anthropic",
            3,
        ),
        ("Cargo.toml", '[package]\nversion = "0.23.4"\nname = "async_openai"\n', "openai", 3),
        (
            "ruby-openai.gemspec",
            'Gem::Specification.new do |s|\n  s.name = "ruby-openai"\nend\n',
            "openai",
            2,
        ),
        ("Bot.csproj", "<Project><PropertyGroup/></Project>", None, None),
    ],
)
def test_own_name_provides(
    catalog: Catalog, relpath: str, text: str, product: str | None, line: int | None
) -> None:
    found = {
        (pid, at)
        for pid, signal, confidence, at in evidence(catalog, relpath, text)
        if signal == "provides" and confidence == "high"
    }
    assert found == ({(product, line)} if product else set())


def test_snippet_is_the_evidence_line(catalog: Catalog) -> None:
    text = "GEM\n  specs:\n" + "".join(f"    gem-{i} (1.0)\n" for i in range(5000))
    text += "    ruby-openai (7.0.1)\n\nDEPENDENCIES\n  ruby-openai\n"
    result = scan_data(catalog, SCOPE, "Gemfile.lock", text.encode())
    (finding,) = result.findings
    assert (finding.signal, finding.confidence) == (Signal.PACKAGE, Confidence.MEDIUM)
    assert (finding.location.line, finding.snippet) == (5003, "ruby-openai (7.0.1)")


def test_a_lock_file_without_a_keyword_is_never_parsed(catalog: Catalog) -> None:
    broken = b'{"packages": {"node_modules/left-pad": {"version": "1",,}}}'
    quiet = scan_data(catalog, SCOPE, "package-lock.json", broken)
    assert (quiet.parsed, quiet.skip_reason, quiet.findings) == (False, None, ())
    loud = scan_data(catalog, SCOPE, "package-lock.json", broken.replace(b"left-pad", b"openai"))
    assert loud.parsed is False
    assert loud.skip_reason is not None
    assert loud.skip_reason.startswith("malformed package-lock: invalid JSON")


def test_lock_files_are_manifests_but_go_sum_is_ignored() -> None:
    for name in ("package-lock.json", "yarn.lock", "poetry.lock", "Cargo.lock", "Gemfile.lock"):
        kind = classify(f"app/{name}")
        assert kind is not None and kind[0] is FileKind.MANIFEST, name
    assert classify("go.sum") is None
    assert classify("go.mod") == (FileKind.MANIFEST, "go.mod")


def _write(tmp_path: Path, name: str, data: bytes) -> FileRef:
    (tmp_path / name).write_bytes(data)
    return FileRef(tmp_path, name, len(data))


def test_lock_files_have_a_size_cap_of_their_own(catalog: Catalog, tmp_path: Path) -> None:
    filler = "".join(f'"pkg-{i}@^1.0.0":\n  version "1.0.0"\n\n' for i in range(200_000))
    lock = _write(tmp_path, "yarn.lock", (filler + 'openai@^4:\n  version "4.52.0"\n').encode())
    assert lock.size > 5 * MB  # over the cap for other files
    result = scan_file(catalog, SCOPE, lock)
    assert result.skip_reason is None
    assert {(f.product_id, f.signal) for f in result.findings} == {
        ("openai", Signal.PACKAGE_TRANSITIVE)
    }
    small_cap = scan_file(catalog, SCOPE, lock, ScanOptions(max_lock_file_size=1 * MB))
    assert small_cap.skip_reason is not None and "size cap" in small_cap.skip_reason
    # a manifest that is not a lock keeps the ordinary cap
    requirements = _write(tmp_path, "requirements.txt", b"openai\n" + b"# pad\n" * (1 * MB))
    capped = scan_file(catalog, SCOPE, requirements, ScanOptions(max_file_size=1 * MB))
    assert capped.skip_reason is not None and "size cap" in capped.skip_reason


CANONICAL = {
    "maven": (
        "pom.xml",
        lambda name: (
            "<project><dependencies><dependency><groupId>{}</groupId>"
            "<artifactId>{}</artifactId></dependency></dependencies></project>"
        ).format(*name.split(":")),
    ),
    "go": ("go.mod", lambda name: f"require {name} v1.0.0\n"),
    "nuget": (
        "Bot.csproj",
        lambda name: (
            f'<Project><ItemGroup><PackageReference Include="{name}"/></ItemGroup></Project>'
        ),
    ),
    "rubygems": ("Gemfile", lambda name: f'gem "{name}"\n'),
    "cargo": ("Cargo.toml", lambda name: f'[dependencies]\n{name} = "1"\n'),
    "packagist": ("composer.json", lambda name: f'{{"require": {{"{name}": "^1"}}}}'),
}


def test_every_package_rule_of_the_other_ecosystems_is_found_in_its_manifest(
    catalog: Catalog,
) -> None:
    """Each maven/go/nuget/rubygems/cargo/packagist rule, declared the usual way, passes the
    prefilter, parses, and names its product: the rule and the parser normalise alike."""
    checked = 0
    for fp in catalog.files:
        for product in fp.products:
            for ecosystem, names in product.signals.packages.items():
                if ecosystem not in CANONICAL:
                    continue
                relpath, render = CANONICAL[ecosystem]
                for name in names:
                    result = scan_data(catalog, SCOPE, relpath, render(name).encode())
                    found = {
                        (f.product_id, f.signal)
                        for f in result.findings
                        if f.attributes.get("matched") == normalise_package(ecosystem, name)
                    }
                    assert (product.id, Signal.PACKAGE) in found, (ecosystem, name, result)
                    checked += 1
    assert checked >= 50


def _catalog_with(packages: dict[str, list[str]]) -> Catalog:
    raw = {
        "id": "acme",
        "vendor": "acme",
        "vendor_name": "Acme",
        "products": [
            {
                "id": "acme-ai",
                "name": "Acme AI",
                "category": "llm-api",
                "signals": {"packages": packages},
            }
        ],
    }
    return compile_catalog([FingerprintFile.model_validate(raw)])


@pytest.mark.parametrize(
    ("ecosystem", "rule", "name", "matches"),
    [
        ("maven", "com.acme:acme-ai", "com.acme:acme-ai", True),
        ("maven", "com.acme:acme-ai", "com.acme:acme-ai-extras", False),
        ("maven", "com.acme:acme-ai", "com.Acme:acme-ai", False),  # Maven ids are exact
        ("go", "github.com/acme/ai-go", "github.com/acme/ai-go", True),
        ("go", "github.com/acme/ai-go", "github.com/acme/ai-go/v3", True),  # major version
        ("go", "github.com/acme/ai-go", "github.com/acme/ai-go/sub/module", True),
        ("go", "github.com/acme/ai-go", "github.com/acme/ai-go-extras", False),
        ("go", "github.com/acme/ai-go", "github.com/acme", False),
        ("go", "github.com/acme/ai-go", "github.com/Acme/ai-go", False),
        ("nuget", "Acme.AI", "acme.ai", True),  # NuGet ids ignore case
        ("nuget", "Acme.AI", "ACME.AI", True),
        ("nuget", "Acme.AI", "Acme.AI.Extras", False),
        ("rubygems", "acme-ai", "acme-ai", True),
        ("rubygems", "acme-ai", "acme_ai", False),
        ("cargo", "acme-ai", "acme_ai", True),  # crates.io: "_" and "-" name the same crate
        ("cargo", "acme_ai", "Acme-AI", True),
        ("packagist", "acme/ai-client", "Acme/AI-Client", True),
        ("pypi", "acme-ai", "Acme_AI", True),
        ("npm", "@acme/ai", "@Acme/AI", True),
    ],
)
def test_package_names_compare_per_ecosystem(
    ecosystem: str, rule: str, name: str, matches: bool
) -> None:
    catalog = _catalog_with({ecosystem: [rule]})
    assert catalog.match_package(ecosystem, name) == (("acme-ai",) if matches else ())


@pytest.mark.parametrize(
    ("ecosystem", "name", "message"),
    [
        ("maven", "openai-java", "is not 'group:artifact'"),
        ("maven", "com.openai:openai-java:1.0", "is not 'group:artifact'"),
        ("go", "github.com/acme/ai/", "is not a module path"),
        ("go", "github.com/acme/ai@v1", "is not a module path"),
        ("nuget", "Acme AI", "holds whitespace"),
        ("cargo", "", "empty"),
    ],
)
def test_malformed_package_rules_are_refused(ecosystem: str, name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _catalog_with({ecosystem: [name]})


def test_a_pom_passes_the_prefilter_on_its_artifact_or_group(catalog: Catalog) -> None:
    """pom.xml never writes ``group:artifact``: the maven keyword is the artifact, or the group
    when the artifact is short."""
    pom = "<project><dependencies><dependency><groupId>{}</groupId><artifactId>{}</artifactId>"
    long_artifact = (pom + "</dependency></dependencies></project>").format(
        "software.amazon.awssdk", "bedrockruntime"
    )
    assert catalog.prefilter(long_artifact.encode())
    short = _catalog_with({"maven": ["io.acme.sdk:mcp"], "pypi": ["acme-ai"]})
    assert short.prefilter(b"<groupId>io.acme.sdk</groupId>")
    assert not short.prefilter(b"<artifactId>mcp</artifactId>")
