"""Manifests of the other ecosystems (Go, Maven, Gradle, NuGet, RubyGems, Cargo, Composer):
exact (name, line, direct) results for every format and quirk, own names, and the promise that
malformed input yields ManifestError, never another error."""

from __future__ import annotations

import pytest

from detectors.manifests import Manifest, ManifestError, parse_manifest

Rows = list[tuple[str, int, bool]]


def rows(manifest: Manifest) -> Rows:
    """(name, line, direct) per reference, in manifest order."""
    return [(ref.name, ref.line, ref.direct) for ref in manifest.packages]


def parse_text(relpath: str, text: str) -> Manifest:
    return parse_manifest(relpath, text.encode())


# --- go.mod -----------------------------------------------------------------------------------

GO_MOD = """\
// The service.
module github.com/acme/support-bot

go 1.22

toolchain go1.22.4

require github.com/openai/openai-go/v3 v3.1.0

require (
\tgithub.com/anthropics/anthropic-sdk-go v1.2.0
\t"github.com/sashabaranov/go-openai" v1.36.0 // pinned
\tgithub.com/google/uuid v1.6.0 // indirect
\tgolang.org/x/net v0.30.0 // indirect; needed by grpc
\tgithub.com/tmc/langchaingo v0.1.12 // indirectly useful
\t// github.com/commented/out v1.0.0
\tnot-a-path!! v1
\tgithub.com/missing/version
)

replace github.com/openai/openai-go/v3 => ../openai-go

exclude github.com/bad/mod v0.1.0

retract (
\tv1.0.0
)

tool golang.org/x/tools/cmd/stringer
"""


def test_go_mod() -> None:
    manifest = parse_text("go.mod", GO_MOD)
    assert rows(manifest) == [
        ("github.com/openai/openai-go/v3", 8, True),
        ("github.com/anthropics/anthropic-sdk-go", 11, True),
        ("github.com/sashabaranov/go-openai", 12, True),
        ("github.com/google/uuid", 13, False),
        ("golang.org/x/net", 14, False),
        ("github.com/tmc/langchaingo", 15, True),
    ]
    assert [r.spec for r in manifest.packages][:2] == ["v3.1.0", "v1.2.0"]
    assert (manifest.kind, manifest.ecosystem) == ("go.mod", "go")
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "github.com/acme/support-bot",
        "go",
        2,
    )


@pytest.mark.parametrize(
    ("text", "expected", "own"),
    [
        ("module `example.com/quoted`\n", [], "example.com/quoted"),
        ('module "example.com/m" // comment\n', [], "example.com/m"),
        ("require (\n)\n", [], None),
        ("require(\nexample.com/a v1\n)\n", [("example.com/a", 2, True)], None),
        ("require example.com/a v1.0.0 //indirect\n", [("example.com/a", 1, False)], None),
        ("require example.com/Upper v1.0.0\r\n", [("example.com/Upper", 1, True)], None),
        (
            "require (\n  example.com/a v1 // indirect\n)\nrequire example.com/b v2\n",
            [("example.com/a", 2, False), ("example.com/b", 4, True)],
            None,
        ),
        ("", [], None),
    ],
)
def test_go_mod_shapes(text: str, expected: Rows, own: str | None) -> None:
    manifest = parse_text("go.mod", text)
    assert rows(manifest) == expected
    assert manifest.own_name == own


# --- pom.xml ----------------------------------------------------------------------------------

POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.0</version>
  </parent>
  <artifactId>support-bot</artifactId>
  <properties>
    <openai.version>0.8.0</openai.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.springframework.ai</groupId>
        <artifactId>spring-ai-bom</artifactId>
        <version>1.0.0</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>com.commented</groupId><artifactId>out</artifactId></dependency> -->
    <dependency>
      <groupId>com.openai</groupId>
      <artifactId>openai-java</artifactId>
      <version>${openai.version}</version>
    </dependency>
    <dependency>
      <groupId>org.springframework.ai</groupId>
      <artifactId>spring-ai-starter-model-anthropic</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>sibling</artifactId>
    </dependency>
    <dependency><artifactId>no-group</artifactId></dependency>
  </dependencies>
  <profiles>
    <profile>
      <id>bedrock</id>
      <dependencies>
        <dependency>
          <groupId>software.amazon.awssdk</groupId>
          <artifactId>bedrockruntime</artifactId>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <dependencies>
          <dependency>
            <groupId>org.plugin</groupId>
            <artifactId>plugin-dep</artifactId>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
</project>
"""


def test_pom() -> None:
    manifest = parse_text("pom.xml", POM)
    assert rows(manifest) == [
        ("org.springframework.ai:spring-ai-bom", 18, True),
        ("com.openai:openai-java", 29, True),
        ("org.springframework.ai:spring-ai-starter-model-anthropic", 34, True),
        ("software.amazon.awssdk:bedrockruntime", 48, True),
    ]
    assert [r.spec for r in manifest.packages] == ["1.0.0", "${openai.version}", "", ""]
    assert (manifest.kind, manifest.ecosystem) == ("pom", "maven")
    # the groupId is inherited from <parent> when the project does not set its own
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "org.springframework.boot:support-bot",
        "maven",
        10,
    )


@pytest.mark.parametrize(
    ("text", "expected", "own"),
    [
        ("<project/>", [], None),
        (
            "<project><groupId>g.h</groupId><artifactId>a</artifactId></project>",
            [],
            "g.h:a",
        ),
        (
            "<m:project xmlns:m='x'><m:dependencies><m:dependency><m:groupId>g</m:groupId>"
            "<m:artifactId>a</m:artifactId></m:dependency></m:dependencies></m:project>",
            [("g:a", 1, True)],
            None,
        ),
        (
            "<project><dependencies>\n<dependency>\n<groupId> g </groupId>\n"
            "<artifactId>a&amp;b</artifactId></dependency></dependencies></project>",
            [],
            None,
        ),
        (
            '<!DOCTYPE project SYSTEM "http://127.0.0.1:9/never-fetched.dtd">\n'
            "<project><dependencies><dependency><groupId>g</groupId>\n"
            "<artifactId>a</artifactId></dependency></dependencies></project>",
            [("g:a", 3, True)],
            None,
        ),
    ],
)
def test_pom_shapes(text: str, expected: Rows, own: str | None) -> None:
    manifest = parse_text("pom.xml", text)
    assert rows(manifest) == expected
    assert manifest.own_name == own


# --- Gradle -----------------------------------------------------------------------------------

BUILD_GRADLE = """\
plugins {
    id 'java'
    id("org.springframework.boot") version "3.3.0"
}

// implementation 'com.commented:out:1.0'
/* implementation "com.block:comment:1.0"
   more */
def url = "https://repo.example.com/maven2" // "com.after:url:1"

dependencies {
    implementation 'com.openai:openai-java:0.8.0'
    implementation("com.anthropic:anthropic-java:1.0.0") { exclude group: 'x' }
    api platform("software.amazon.awssdk:bom:2.25.0")
    implementation(enforcedPlatform('org.springframework.ai:spring-ai-bom:1.0.0'))
    implementation "software.amazon.awssdk:bedrockruntime"
    testImplementation group: 'org.junit.jupiter', name: 'junit-jupiter', version: '5.10.0'
    implementation(group = "com.google.genai", name = "google-genai", version = "1.0.0")
    runtimeOnly "junit:junit:4.13.2@jar"
    implementation "com.acme:lib:$libVersion"
    implementation "${group}:interp:1.0"
    dependsOn("app:build")
    implementation project(':core')
    classpath "com.android.tools.build:gradle:8.0.0"
}
"""


def test_gradle() -> None:
    manifest = parse_text("build.gradle", BUILD_GRADLE)
    assert rows(manifest) == [
        ("com.openai:openai-java", 12, True),
        ("com.anthropic:anthropic-java", 13, True),
        ("software.amazon.awssdk:bom", 14, True),
        ("org.springframework.ai:spring-ai-bom", 15, True),
        ("software.amazon.awssdk:bedrockruntime", 16, True),
        ("org.junit.jupiter:junit-jupiter", 17, True),
        ("com.google.genai:google-genai", 18, True),
        ("junit:junit", 19, True),
        ("com.acme:lib", 20, True),
        ("com.android.tools.build:gradle", 24, True),
    ]
    assert [r.spec for r in manifest.packages][:5] == ["0.8.0", "1.0.0", "2.25.0", "1.0.0", ""]
    assert (manifest.kind, manifest.ecosystem, manifest.own_name) == ("gradle", "maven", None)


def test_gradle_kts_is_read_the_same() -> None:
    text = 'dependencies {\n    implementation("com.openai:openai-java:0.8.0")\n}\n'
    assert rows(parse_text("app/build.gradle.kts", text)) == [("com.openai:openai-java", 2, True)]


@pytest.mark.parametrize(
    "text",
    [
        'implementation "com.openai:openai-java:1.0',  # unterminated string
        "/* implementation 'com.openai:openai-java:1' ",  # unterminated comment
        "def s = '''\nimplementation 'com.openai:openai-java:1'\n'''\n",  # inside a string
    ],
)
def test_gradle_odd_text_is_not_a_dependency(text: str) -> None:
    assert rows(parse_text("build.gradle", text)) == []


VERSION_CATALOG = """\
[versions]
openai = "0.8.0"

[libraries]
openai = { module = "com.openai:openai-java", version.ref = "openai" }
anthropic = "com.anthropic:anthropic-java:1.0.0"
"genai" = { group = "com.google.genai", name = "google-genai", version = "1.0.0" }
broken = { version = "1" }
short = "not-a-coordinate"

[plugins]
spring = { id = "org.springframework.boot", version = "3.3.0" }
"""


def test_gradle_version_catalog() -> None:
    manifest = parse_text("gradle/libs.versions.toml", VERSION_CATALOG)
    assert rows(manifest) == [
        ("com.openai:openai-java", 5, True),
        ("com.anthropic:anthropic-java", 6, True),
        ("com.google.genai:google-genai", 7, True),
    ]
    assert manifest.kind == "gradle-catalog"


# --- .NET -------------------------------------------------------------------------------------

CSPROJ = """\
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Azure.AI.OpenAI" Version="2.1.0" />
    <PackageReference Include="Anthropic">
      <Version>1.0.0</Version>
    </PackageReference>
    <packagereference include="OllamaSharp" version="4.0" />
    <PackageReference Update="Newtonsoft.Json" Version="13.0.3" />
    <PackageReference Include="$(SharedPackage)" />
    <PackageReference Include="A.One;B.Two" />
    <ProjectReference Include="..\\Lib\\Lib.csproj" />
  </ItemGroup>
  <Choose>
    <When Condition="'$(Cloud)' == 'aws'">
      <ItemGroup>
        <PackageReference Include="AWSSDK.BedrockRuntime" Version="3.7.0" />
      </ItemGroup>
    </When>
  </Choose>
</Project>
"""


def test_csproj() -> None:
    manifest = parse_text("Bot.csproj", CSPROJ)
    assert rows(manifest) == [
        ("azure.ai.openai", 6, True),
        ("anthropic", 7, True),
        ("ollamasharp", 10, True),
        ("a.one", 13, True),
        ("b.two", 13, True),
        ("awssdk.bedrockruntime", 19, True),
    ]
    assert [r.spec for r in manifest.packages] == ["2.1.0", "1.0.0", "4.0", "", "", "3.7.0"]
    assert (manifest.kind, manifest.ecosystem) == ("msbuild", "nuget")


def test_directory_packages_props() -> None:
    text = (
        "<Project>\n  <ItemGroup>\n"
        '    <PackageVersion Include="OpenAI" Version="2.1.0" />\n'
        '    <GlobalPackageReference Include="Microsoft.SourceLink.GitHub" Version="8.0.0" />\n'
        "  </ItemGroup>\n</Project>\n"
    )
    assert rows(parse_text("Directory.Packages.props", text)) == [
        ("openai", 3, True),
        ("microsoft.sourcelink.github", 4, True),
    ]


def test_old_style_csproj_with_namespace() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">\n'
        '  <ItemGroup><PackageReference Include="OpenAI" Version="2.1.0" /></ItemGroup>\n'
        "</Project>\n"
    )
    assert rows(parse_text("Legacy.csproj", text)) == [("openai", 3, True)]


def test_packages_config() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n<packages>\n'
        '  <package id="OpenAI" version="2.1.0" targetFramework="net48" />\n'
        '  <package id="Newtonsoft.Json" version="13.0.3" developmentDependency="true" />\n'
        '  <package version="1.0" />\n</packages>\n'
    )
    manifest = parse_text("packages.config", text)
    assert rows(manifest) == [("openai", 3, True), ("newtonsoft.json", 4, True)]
    assert [r.spec for r in manifest.packages] == ["2.1.0", "13.0.3"]


# --- Ruby -------------------------------------------------------------------------------------

GEMFILE = """\
source "https://rubygems.org"
ruby "3.3.0"

gem "rails", "~> 7.1"
gem 'ruby-openai', '~> 7.0', require: "openai"
gem("anthropic")
# gem "commented-out"
group :development, :test do
  gem "rspec-rails"
end
=begin
gem "in-block-comment"
=end
gemspec
gem "bad name"
gemstone "not-a-gem"
"""


def test_gemfile() -> None:
    manifest = parse_text("Gemfile", GEMFILE)
    assert rows(manifest) == [
        ("rails", 4, True),
        ("ruby-openai", 5, True),
        ("anthropic", 6, True),
        ("rspec-rails", 9, True),
    ]
    assert [r.spec for r in manifest.packages] == ["~> 7.1", "~> 7.0", "", ""]
    assert (manifest.kind, manifest.ecosystem, manifest.own_name) == ("gemfile", "rubygems", None)


def test_gemspec() -> None:
    text = (
        "Gem::Specification.new do |spec|\n"
        '  spec.name          = "acme-bot"\n'
        '  spec.version       = "0.1.0"\n'
        '  spec.add_dependency "ruby-openai", ">= 6"\n'
        '  spec.add_runtime_dependency("faraday")\n'
        "  spec.add_development_dependency 'rspec', '~> 3.0'\n"
        "end\n"
    )
    manifest = parse_text("acme-bot.gemspec", text)
    assert rows(manifest) == [("ruby-openai", 4, True), ("faraday", 5, True), ("rspec", 6, True)]
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "acme-bot",
        "rubygems",
        2,
    )


# --- Cargo.toml -------------------------------------------------------------------------------

CARGO_TOML = """\
[package]
name = "acme_bot"
version = "0.1.0"

[dependencies]
async-openai = "0.23"
serde = { version = "1", features = ["derive"] }
oai = { package = "async_openai", version = "0.23" }
local = { path = "../local" }

[dependencies.tokio]
version = "1"

[dev-dependencies]
mockito = "1"

[target.'cfg(unix)'.dependencies]
nix = "0.28"

[build-dependencies]
cc = "1"

[workspace.dependencies]
aws-sdk-bedrockruntime = "1.40"
"""


def test_cargo_toml() -> None:
    manifest = parse_text("Cargo.toml", CARGO_TOML)
    assert rows(manifest) == [
        ("async-openai", 6, True),
        ("serde", 7, True),
        ("async-openai", 8, True),  # renamed: the crate is what `package` names
        ("local", 9, True),
        ("tokio", 11, True),
        ("mockito", 15, True),
        ("nix", 18, True),
        ("cc", 21, True),
        ("aws-sdk-bedrockruntime", 24, True),
    ]
    assert [r.spec for r in manifest.packages][:4] == ["0.23", "1", "0.23", ""]
    assert (manifest.kind, manifest.ecosystem) == ("cargo", "cargo")
    # crate names compare case-insensitively with "_" equal to "-"
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "acme-bot",
        "cargo",
        2,
    )


def test_cargo_workspace_without_package() -> None:
    manifest = parse_text("Cargo.toml", '[workspace]\nmembers = ["a"]\n')
    assert (rows(manifest), manifest.own_name) == ([], None)


# --- composer.json ----------------------------------------------------------------------------

COMPOSER_JSON = """\
{
    "name": "Acme/Support-Bot",
    "require": {
        "php": "^8.2",
        "ext-json": "*",
        "openai-php/client": "^0.10",
        "Guzzlehttp/Guzzle": "^7.8"
    },
    "require-dev": {
        "phpunit/phpunit": "^11"
    },
    "autoload": {"psr-4": {"Acme\\\\": "src/"}}
}
"""


def test_composer_json() -> None:
    manifest = parse_text("composer.json", COMPOSER_JSON)
    assert rows(manifest) == [
        ("openai-php/client", 6, True),
        ("guzzlehttp/guzzle", 7, True),
        ("phpunit/phpunit", 10, True),
    ]
    assert [r.spec for r in manifest.packages] == ["^0.10", "^7.8", "^11"]
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "acme/support-bot",
        "packagist",
        2,
    )


def test_composer_json_repeated_section_wins() -> None:
    text = '{"require": {"a/b": "1"},\n "require": {"c/d": "2"}, "name": 5}'
    manifest = parse_text("composer.json", text)
    assert (rows(manifest), manifest.own_name) == ([("c/d", 2, True)], None)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "data", "message"),
    [
        ("go.mod", b"require (\n  example.com/a v1\n", r"line 1: 'require \(' block is never"),
        ("go.mod", b"module (\n", r"line 1: 'module' takes no block"),
        ("go.mod", b"require (\n  a v1 (\n)\n", r"line 2: unexpected parenthesis"),
        ("go.mod", b"module caf\xe9\n", r"not UTF-8"),
        ("pom.xml", b"<project><dependencies></project>", r"invalid XML: mismatched tag"),
        ("pom.xml", b"", r"invalid XML: no element found"),
        ("pom.xml", b"<settings/>", r"top level is <settings>, not <project>"),
        ("pom.xml", b"<project>&nbsp;</project>", r"invalid XML: undefined entity"),
        ("pom.xml", b'<?xml version="1.0" encoding="UF-8"?><project/>', r"unknown encoding"),
        ("pom.xml", b'<?xml version="1.0" encoding="Shift_JIS"?><project/>', r"invalid XML"),
        (
            "pom.xml",
            b'<!DOCTYPE p [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><project>&b;</project>',
            r"refused XML: entity declarations are not allowed",
        ),
        (
            "pom.xml",
            b'<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><project>&x;</project>',
            r"refused XML: entity declarations are not allowed",
        ),
        ("pom.xml", b"<project>" * 300 + b"</project>" * 300, r"nested deeper than"),
        ("Bot.csproj", b"<Project><ItemGroup></Project>", r"invalid XML"),
        ("Bot.csproj", b"<project/>", r"top level is <project>, not <Project>"),
        ("packages.config", b"<Project/>", r"top level is <Project>, not <packages>"),
        ("gradle/libs.versions.toml", b"[libraries\n", r"invalid TOML"),
        ("Cargo.toml", b"[dependencies]\nserde = \n", r"invalid TOML"),
        ("Cargo.toml", b"[package]\nname = 'caf\xe9'\n", r"invalid TOML: not UTF-8"),
        ("composer.json", b'{"require": {"a/b": "1",}}', r"invalid JSON: .*line 1"),
        ("composer.json", b"", r"invalid JSON: Expecting value \(line 1, column 1\)"),
        ("composer.json", b"[1]", r"top level is not an object"),
        ("composer.json", b'{"name": "a/b"} x', r"invalid JSON: Extra data"),
        ("composer.json", b"{" * 100_000, r"invalid (JSON|composer)"),
    ],
)
def test_unparseable_files_raise_manifest_error(relpath: str, data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(relpath, data)


@pytest.mark.parametrize(
    ("relpath", "text", "expected"),
    [
        ("Cargo.toml", 'dependencies = 5\n[dev-dependencies]\na = "1"\n', [("a", 3, True)]),
        (
            "Cargo.toml",
            'target = 1\n[dependencies]\n"bad crate" = "1"\nok = "1"\n',
            [("ok", 4, True)],
        ),
        ("composer.json", '{"require": ["a/b"], "require-dev": {"c/d": 1}}', [("c/d", 1, True)]),
        ("gradle/libs.versions.toml", 'libraries = "x"\n', []),
        ("Gemfile", "\xff\xfe garbage\ngem 'ok'\n", [("ok", 2, True)]),
    ],
)
def test_bad_sections_are_skipped(relpath: str, text: str, expected: Rows) -> None:
    assert rows(parse_text(relpath, text)) == expected


SAMPLES = {
    "go.mod": GO_MOD,
    "pom.xml": POM,
    "build.gradle": BUILD_GRADLE,
    "gradle/libs.versions.toml": VERSION_CATALOG,
    "Bot.csproj": CSPROJ,
    "Gemfile": GEMFILE,
    "Cargo.toml": CARGO_TOML,
    "composer.json": COMPOSER_JSON,
}


@pytest.mark.parametrize("relpath", sorted(SAMPLES))
def test_mutated_input_only_raises_manifest_error(relpath: str, mutation_check) -> None:
    """Random byte edits of real samples must give a Manifest or ManifestError, nothing else."""
    mutation_check(
        f"ecosystems:{relpath}",
        relpath,
        SAMPLES[relpath],
        b"\x00\xff\xe9[]{}()<>\"'`=:,#;/-\\\n @*&!~$",
    )
