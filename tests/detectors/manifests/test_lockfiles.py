"""Lock files: exact (name, line, direct) for every format and version, the root's own
dependencies marked direct where the lock records them, malformed input as ManifestError, and
the speed of a 20,000-package package-lock.json (measured and printed, not asserted)."""

from __future__ import annotations

import json
import random
import time

import pytest

from detectors.manifests import LOCK_KINDS, Manifest, ManifestError, parse_manifest

Rows = list[tuple[str, int, bool]]


def rows(manifest: Manifest) -> Rows:
    return [(ref.name, ref.line, ref.direct) for ref in manifest.packages]


def specs(manifest: Manifest) -> list[str]:
    return [ref.spec for ref in manifest.packages]


def parse_text(relpath: str, text: str) -> Manifest:
    return parse_manifest(relpath, text.encode())


def test_every_lock_kind_is_a_manifest_kind() -> None:
    assert {
        "package-lock",
        "pnpm-lock",
        "yarn.lock",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "composer.lock",
        "cargo.lock",
        "gemfile.lock",
        "nuget-lock",
        "gradle.lockfile",
    } == LOCK_KINDS


# --- package-lock.json ------------------------------------------------------------------------

PACKAGE_LOCK_V3 = """\
{
  "name": "web",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "web",
      "version": "1.0.0",
      "workspaces": ["packages/*"],
      "dependencies": {
        "@langchain/openai": "^0.3.0",
        "oai": "npm:openai@^4.0.0"
      },
      "devDependencies": {
        "typescript": "^5.4.0"
      }
    },
    "node_modules/@langchain/openai": {
      "version": "0.3.11",
      "dependencies": {"openai": "^4.68.0"}
    },
    "node_modules/@langchain/openai/node_modules/openai": {
      "version": "4.68.0"
    },
    "node_modules/oai": {
      "name": "openai",
      "version": "4.52.0"
    },
    "node_modules/typescript": {
      "version": "5.4.5",
      "dev": true
    },
    "node_modules/ws-lib": {
      "resolved": "packages/ws-lib",
      "link": true
    },
    "node_modules/@anthropic-ai/sdk": {
      "version": "0.30.0"
    },
    "node_modules/left-pad": {
      "version": "1.3.0"
    },
    "packages/ws-lib": {
      "name": "ws-lib",
      "dependencies": {"@anthropic-ai/sdk": "^0.30.0", "zod": "^3"}
    },
    "packages/ws-lib/node_modules/zod": {
      "version": "3.23.0"
    }
  },
  "dependencies": {
    "ignored-v1-section": {"version": "1.0.0"}
  }
}
"""


def test_package_lock_v3() -> None:
    manifest = parse_text("package-lock.json", PACKAGE_LOCK_V3)
    assert rows(manifest) == [
        ("@langchain/openai", 19, True),
        # nested under @langchain/openai at line 23 (transitive), but the root's alias
        # "oai" installs it too: direct, at the alias's entry
        ("openai", 26, True),
        ("typescript", 30, True),
        ("@anthropic-ai/sdk", 38, True),  # declared by the workspace, hoisted to the root
        ("left-pad", 41, False),
        ("zod", 48, True),
    ]
    assert specs(manifest) == ["0.3.11", "4.52.0", "5.4.5", "0.30.0", "1.3.0", "3.23.0"]
    assert (manifest.kind, manifest.ecosystem, manifest.own_name) == ("package-lock", "npm", None)


def test_package_lock_v2_reads_packages_not_the_legacy_tree() -> None:
    text = (
        '{"lockfileVersion": 2,\n "packages": {"": {"dependencies": {"a": "1"}},\n'
        '  "node_modules/a": {"version": "1.0.0"},\n  "node_modules/b": {"version": "2.0.0"}},\n'
        ' "dependencies": {"a": {"version": "1.0.0"}, "legacy-only": {"version": "1"}}}'
    )
    assert rows(parse_text("package-lock.json", text)) == [("a", 3, True), ("b", 4, False)]


PACKAGE_LOCK_V1 = """\
{
  "name": "old",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "openai": {
      "version": "3.3.0",
      "requires": {"axios": "^0.26.0"},
      "dependencies": {
        "axios": {
          "version": "0.26.1"
        }
      }
    },
    "alias": {
      "version": "npm:@anthropic-ai/sdk@0.20.0"
    },
    "axios": {
      "version": "1.6.0"
    }
  }
}
"""


def test_package_lock_v1_has_no_direct_dependencies() -> None:
    manifest = parse_text("npm-shrinkwrap.json", PACKAGE_LOCK_V1)
    assert rows(manifest) == [
        ("openai", 6, False),
        ("axios", 10, False),
        ("@anthropic-ai/sdk", 15, False),
    ]
    assert specs(manifest) == ["3.3.0", "0.26.1", "0.20.0"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{}", []),
        ('{"packages": {}}', []),
        ('{"packages": []}', []),
        ('{"packages": {"node_modules/a": 5, "node_modules/b": {}}}', [("b", 1, False)]),
        ('{"packages": {"node_modules/Bad Name!": {}}}', []),
        ('{"packages": {"": {"dependencies": ["a"]}, "node_modules/a": {}}}', [("a", 1, False)]),
        ('{"dependencies": {"a": {"dependencies": 3}}}', [("a", 1, False)]),
    ],
)
def test_package_lock_shapes(text: str, expected: Rows) -> None:
    assert rows(parse_text("package-lock.json", text)) == expected


# --- pnpm-lock.yaml ---------------------------------------------------------------------------

PNPM_V9 = """\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@langchain/openai':
        specifier: ^0.3.0
        version: 0.3.11(@langchain/core@0.3.0)
      openai:
        specifier: ^4.52.0
        version: 4.52.0
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

  packages/ws-lib:
    dependencies:
      '@anthropic-ai/sdk':
        specifier: ^0.30.0
        version: 0.30.0
      web:
        specifier: workspace:*
        version: link:../..

packages:

  '@anthropic-ai/sdk@0.30.0':
    resolution: {integrity: sha512-abc}

  '@langchain/core@0.3.0':
    resolution: {integrity: sha512-abc}

  '@langchain/openai@0.3.11':
    resolution: {integrity: sha512-abc}
    peerDependencies:
      '@langchain/core': '>=0.3.0'

  openai@4.52.0:
    resolution: {integrity: sha512-abc}
    hasBin: true

  typescript@5.4.5:
    resolution: {integrity: sha512-abc}

snapshots:

  '@langchain/openai@0.3.11(@langchain/core@0.3.0)':
    dependencies:
      openai: 4.52.0

  zz-only-in-snapshots@1.0.0: {}
"""

PNPM_V6 = """\
lockfileVersion: '6.0'

dependencies:
  openai:
    specifier: ^4.0.0
    version: 4.52.0
  local-thing:
    specifier: link:../local
    version: link:../local

devDependencies:
  typescript:
    specifier: ^5.0.0
    version: 5.4.5

packages:

  /openai@4.52.0:
    resolution: {integrity: sha512-abc}
    dependencies:
      node-fetch: 2.7.0
    dev: false

  /node-fetch@2.7.0(encoding@0.1.13):
    resolution: {integrity: sha512-abc}

  /@types/node@20.0.0:
    resolution: {integrity: sha512-abc}

  /typescript@5.4.5:
    resolution: {integrity: sha512-abc}
"""

PNPM_V5 = """\
lockfileVersion: 5.4

specifiers:
  openai: ^3.0.0

dependencies:
  openai: 3.3.0
  local: link:../local

packages:

  /openai/3.3.0:
    resolution: {integrity: sha512-abc}
    dependencies:
      axios: 0.26.1

  /axios/0.26.1_debug@4.3.4:
    resolution: {integrity: sha512-abc}

  /@anthropic-ai/sdk/0.9.0:
    resolution: {integrity: sha512-abc}

  registry.example.com/private-pkg/1.0.0:
    resolution: {tarball: x}
"""


@pytest.mark.parametrize(
    ("text", "expected", "versions"),
    [
        (
            PNPM_V9,
            [
                ("@langchain/openai", 11, True),
                ("openai", 14, True),
                ("typescript", 18, True),
                ("@anthropic-ai/sdk", 24, True),
                ("@langchain/core", 36, False),
            ],
            ["0.3.11", "4.52.0", "5.4.5", "0.30.0", "0.3.0"],
        ),
        (
            PNPM_V6,
            [
                ("openai", 4, True),
                ("typescript", 12, True),
                ("node-fetch", 24, False),
                ("@types/node", 27, False),
            ],
            ["4.52.0", "5.4.5", "2.7.0", "20.0.0"],
        ),
        (
            PNPM_V5,
            [
                ("openai", 7, True),
                ("axios", 17, False),
                ("@anthropic-ai/sdk", 20, False),
                ("private-pkg", 23, False),
            ],
            ["3.3.0", "0.26.1", "0.9.0", "1.0.0"],
        ),
    ],
    ids=["v9", "v6", "v5"],
)
def test_pnpm_lock(text: str, expected: Rows, versions: list[str]) -> None:
    manifest = parse_text("pnpm-lock.yaml", text)
    assert rows(manifest) == expected
    assert specs(manifest) == versions
    assert (manifest.kind, manifest.ecosystem) == ("pnpm-lock", "npm")


def test_pnpm_lock_with_a_document_marker_and_crlf() -> None:
    text = "---\r\nlockfileVersion: '9.0'\r\n\r\npackages:\r\n\r\n  openai@4.0.0:\r\n    x: 1\r\n"
    assert rows(parse_text("pnpm-lock.yaml", text)) == [("openai", 6, False)]


# --- yarn.lock --------------------------------------------------------------------------------

YARN_V1 = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@anthropic-ai/sdk@^0.30.0":
  version "0.30.0"
  resolved "https://registry.yarnpkg.com/@anthropic-ai/sdk/-/sdk-0.30.0.tgz#abc"
  integrity sha512-abc
  dependencies:
    "@types/node" "^18.11.18"

"@types/node@^18.11.18", "@types/node@^18.0.0":
  version "18.19.0"

oai@npm:openai@^4.0.0:
  version "4.52.0"

openai@^4.0.0, openai@^4.52.0:
  version "4.52.0"
  resolved "https://registry.yarnpkg.com/openai/-/openai-4.52.0.tgz"
"""

YARN_BERRY = """\
# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@langchain/openai@npm:^0.3.0":
  version: 0.3.11
  resolution: "@langchain/openai@npm:0.3.11"
  dependencies:
    openai: "npm:^4.68.0"
  languageName: node
  linkType: hard

"openai@npm:^4.68.0, openai@npm:^4.52.0":
  version: 4.68.0
  resolution: "openai@npm:4.68.0"
  languageName: node
  linkType: hard

"typescript@patch:typescript@npm%3A^5.4.0#optional!builtin<compat/typescript>":
  version: 5.4.5
  resolution: "typescript@patch:typescript@npm%3A5.4.5#optional!builtin<compat/typescript>"
  languageName: node
  linkType: hard

"web@workspace:.":
  version: 0.0.0-use.local
  resolution: "web@workspace:."
  dependencies:
    "@langchain/openai": "npm:^0.3.0"
    typescript: "npm:^5.4.0"
    zz-local: "link:./zz"
  peerDependencies:
    react: "*"
  languageName: unknown
  linkType: soft

"zz-local@link:./zz::locator=web%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "zz-local@link:./zz::locator=web%40workspace%3A."
  languageName: node
  linkType: soft
"""


def test_yarn_v1_has_no_direct_dependencies() -> None:
    manifest = parse_text("yarn.lock", YARN_V1)
    assert rows(manifest) == [
        ("@anthropic-ai/sdk", 5, False),
        ("@types/node", 12, False),
        ("openai", 15, False),  # the alias oai@npm:openai@^4 installs openai
    ]
    assert specs(manifest) == ["0.30.0", "18.19.0", "4.52.0"]


def test_yarn_berry_workspace_dependencies_are_direct() -> None:
    manifest = parse_text("yarn.lock", YARN_BERRY)
    assert rows(manifest) == [
        ("@langchain/openai", 8, True),
        ("openai", 16, False),
        ("typescript", 22, True),
    ]
    assert specs(manifest) == ["0.3.11", "4.68.0", "5.4.5"]
    assert (manifest.kind, manifest.ecosystem) == ("yarn.lock", "npm")


# --- Python -----------------------------------------------------------------------------------

POETRY_LOCK = """\
# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

[[package]]
name = "langchain-openai"
version = "0.2.3"
description = "An integration package connecting OpenAI and LangChain"
optional = false
python-versions = "<4.0,>=3.9"
files = [
    {file = "langchain_openai-0.2.3-py3-none-any.whl", hash = "sha256:abc"},
]

[package.dependencies]
langchain-core = ">=0.3.12,<0.4.0"
openai = ">=1.52.0,<2.0.0"
name = "not-a-package"

[[package]]
name = "Openai"
version = "1.52.0"
description = "The official Python library for the openai API"

[package.extras]
datalib = ["numpy (>=1)"]

[[package]]
name = "openai"
version = "1.0.0"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "abc"
"""


def test_poetry_lock_has_no_direct_dependencies() -> None:
    manifest = parse_text("poetry.lock", POETRY_LOCK)
    assert rows(manifest) == [("langchain-openai", 4, False), ("openai", 19, False)]
    assert specs(manifest) == ["0.2.3", "1.52.0"]
    assert (manifest.kind, manifest.ecosystem) == ("poetry.lock", "pypi")


UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[manifest]
members = ["acme-bot", "acme-lib"]

[[package]]
name = "acme-bot"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "langchain-openai" },
    { name = "acme-lib" },
]

[package.optional-dependencies]
anthropic = [
    { name = "anthropic" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [
    { name = "langchain-openai", specifier = ">=0.2" },
    { name = "metadata-only", specifier = ">=1" },
]

[[package]]
name = "acme-lib"
version = "0.1.0"
source = { virtual = "libs/acme-lib" }
dependencies = [{ name = "httpx" }]

[[package]]
name = "anthropic"
version = "0.40.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/anthropic-0.40.0.tar.gz", hash = "sha256:abc" }

[[package]]
name = "httpx"
version = "0.27.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "langchain-openai"
version = "0.2.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "openai" },
]

[[package]]
name = "metadata-only"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "openai"
version = "1.52.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.0"
source = { registry = "https://pypi.org/simple" }
"""


def test_uv_lock_dependencies_of_the_project_are_direct() -> None:
    manifest = parse_text("uv.lock", UV_LOCK)
    assert rows(manifest) == [
        ("anthropic", 39, True),  # an optional dependency of the project
        ("httpx", 45, True),  # a dependency of a workspace member
        ("langchain-openai", 50, True),
        ("metadata-only", 58, False),  # named only in [package.metadata]
        ("openai", 63, False),
        ("pytest", 68, True),  # a development dependency
    ]
    assert specs(manifest)[:2] == ["0.40.0", "0.27.0"]


PIPFILE_LOCK = """\
{
    "_meta": {
        "hash": {"sha256": "abc"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.11"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]
    },
    "default": {
        "openai": {
            "hashes": ["sha256:abc"],
            "index": "pypi",
            "version": "==1.52.0"
        },
        "Langchain_Core": {"version": "==0.3.12"},
        "not a name": {"version": "==1"}
    },
    "develop": {
        "pytest": {"version": "==8.3.0"},
        "openai": {"version": "==1.52.0"}
    }
}
"""


def test_pipfile_lock_has_no_direct_dependencies() -> None:
    manifest = parse_text("Pipfile.lock", PIPFILE_LOCK)
    assert rows(manifest) == [
        ("openai", 9, False),
        ("langchain-core", 14, False),
        ("pytest", 18, False),
    ]
    assert specs(manifest) == ["==1.52.0", "==0.3.12", "==8.3.0"]


# --- Cargo.lock, Gemfile.lock, composer.lock, packages.lock.json, gradle.lockfile ------------

CARGO_LOCK = """\
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 3

[[package]]
name = "acme_bot"
version = "0.1.0"
dependencies = [
 "async-openai",
 "serde 1.0.200",
 "local",
]

[[package]]
name = "async-openai"
version = "0.23.4"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "abc"
dependencies = [
 "reqwest",
 "serde 1.0.200 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "local"
version = "0.1.0"
dependencies = ["reqwest"]

[[package]]
name = "reqwest"
version = "0.12.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde"
version = "0.9.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "untouched"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum foo" = "x"
"""


def test_cargo_lock_dependencies_of_the_workspace_crates_are_direct() -> None:
    manifest = parse_text("Cargo.lock", CARGO_LOCK)
    assert rows(manifest) == [
        ("async-openai", 15, True),
        ("reqwest", 30, True),  # a dependency of a path crate (no source): first-party
        ("serde", 35, True),
        ("untouched", 45, False),
    ]
    assert specs(manifest) == ["0.23.4", "0.12.0", "1.0.200", "1.0.0"]


GEMFILE_LOCK = """\
PATH
  remote: .
  specs:
    acme-bot (0.1.0)
      ruby-openai (>= 6)

GEM
  remote: https://rubygems.org/
  specs:
    event_stream_parser (1.0.0)
    faraday (2.9.0)
      faraday-net_http (>= 2.0)
    nokogiri (1.16.0-x86_64-linux)
    nokogiri (1.16.0-arm64-darwin)
    ruby-openai (7.0.1)
      event_stream_parser (>= 0.3.0, < 2.0.0)
      faraday (>= 1)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  acme-bot!
  nokogiri
  ruby-openai (~> 7.0)

CHECKSUMS
  faraday (2.9.0) sha256=abc

BUNDLED WITH
   2.5.6
"""


def test_gemfile_lock_dependencies_section_marks_direct() -> None:
    manifest = parse_text("Gemfile.lock", GEMFILE_LOCK)
    assert rows(manifest) == [
        ("event_stream_parser", 10, False),
        ("faraday", 11, False),
        ("nokogiri", 13, True),
        ("ruby-openai", 15, True),
    ]
    assert specs(manifest) == ["1.0.0", "2.9.0", "1.16.0-x86_64-linux", "7.0.1"]


COMPOSER_LOCK = """\
{
    "_readme": [
        "This file locks the dependencies of your project to a known state"
    ],
    "content-hash": "abc",
    "packages": [
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.8.1",
            "require": {
                "php": "^7.2.5 || ^8.0"
            }
        },
        {
            "version": "v0.10.1",
            "name": "openai-php/client",
            "source": {"type": "git"}
        },
        "not an object"
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "11.0.0"
        }
    ],
    "aliases": [],
    "platform": {"php": "^8.2"}
}
"""


def test_composer_lock_has_no_direct_dependencies() -> None:
    manifest = parse_text("composer.lock", COMPOSER_LOCK)
    assert rows(manifest) == [
        ("guzzlehttp/guzzle", 8, False),
        ("openai-php/client", 16, False),
        ("phpunit/phpunit", 23, False),
    ]
    assert specs(manifest) == ["7.8.1", "v0.10.1", "11.0.0"]


NUGET_LOCK = """\
{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "Azure.AI.OpenAI": {
        "type": "Direct",
        "requested": "[2.1.0, )",
        "resolved": "2.1.0",
        "contentHash": "abc",
        "dependencies": {
          "OpenAI": "2.1.0"
        }
      },
      "OpenAI": {
        "type": "Transitive",
        "resolved": "2.1.0",
        "contentHash": "def"
      },
      "System.ClientModel": {
        "type": "CentralTransitive",
        "resolved": "1.1.0"
      },
      "Lib": {
        "type": "Project"
      }
    },
    "net9.0": {
      "OpenAI": {
        "type": "Direct",
        "requested": "[2.1.0, )",
        "resolved": "2.1.0"
      }
    }
  }
}
"""


def test_nuget_lock_types() -> None:
    manifest = parse_text("packages.lock.json", NUGET_LOCK)
    assert rows(manifest) == [
        ("azure.ai.openai", 5, True),
        ("system.clientmodel", 19, False),
        ("openai", 28, True),  # transitive for net8.0, direct for net9.0: direct wins
    ]
    assert (manifest.kind, manifest.ecosystem) == ("nuget-lock", "nuget")


def test_gradle_lockfile() -> None:
    text = (
        "# This is a Gradle generated file for dependency locking.\n"
        "com.openai:openai-java:0.8.0=compileClasspath,runtimeClasspath\n"
        "com.squareup.okhttp3:okhttp:4.12.0=runtimeClasspath\n"
        "empty=annotationProcessor\n"
    )
    manifest = parse_text("gradle.lockfile", text)
    assert rows(manifest) == [
        ("com.openai:openai-java", 2, False),
        ("com.squareup.okhttp3:okhttp", 3, False),
    ]
    assert specs(manifest) == ["0.8.0", "4.12.0"]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "data", "message"),
    [
        ("package-lock.json", b"", r"invalid JSON: Expecting value \(line 1, column 1\)"),
        ("package-lock.json", b"[]", r"top level is not an object"),
        (
            "package-lock.json",
            b'{"packages": {\n"node_modules/a": {"version": "1",}\n}}',
            r"invalid JSON: .*line 2",
        ),
        # damage in a part that is skipped, not decoded, is still found
        ("package-lock.json", b'{"name": "x", "other": [1, 2,, 3]}', r"invalid JSON: .*column"),
        ("package-lock.json", b'{"packages": {}} {}', r"invalid JSON: Extra data"),
        ("package-lock.json", b'{"packages": {"a" 1}}', r"Expecting ':' delimiter"),
        ("package-lock.json", b'{"packages": {"a": 1 "b": 2}}', r"Expecting ',' delimiter"),
        ("package-lock.json", b'{"name": "caf\xe9"}', r"invalid JSON: not UTF-8"),
        ("package-lock.json", b'{"dependencies": ' * 50_000, r"invalid (JSON|package-lock)"),
        ("Pipfile.lock", b'{"default": {"a": }}', r"invalid JSON"),
        ("composer.lock", b'{"packages": [{"name": "a/b"},]}', r"invalid JSON"),
        ("packages.lock.json", b'{"dependencies": {"net8.0": {"A": {]}}}', r"invalid JSON"),
        ("pnpm-lock.yaml", b"packages:\n  a@1.0.0:\n", r"no lockfileVersion"),
        ("pnpm-lock.yaml", b"lockfileVersion: nine\n", r"lockfileVersion 'nine' is not a number"),
        ("pnpm-lock.yaml", b"lockfileVersion: 9\n- item\n", r"line 2: expected a top-level key"),
        ("yarn.lock", b"openai@^4:\n  version 4\nstray line\n", r"line 3: expected an entry"),
        ("poetry.lock", b'[[package]\nname = "a"\n', r"line 1: malformed table header"),
        ("uv.lock", b'version = 1\n[[package]]\nname = "a"\n[package\n', r"line 4: malformed"),
        ("Cargo.lock", b'[[package]]\nname = "a"\n[[pack age]] x\n', r"line 3: malformed"),
    ],
)
def test_unparseable_lock_files_raise_manifest_error(
    relpath: str, data: bytes, message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(relpath, data)


SAMPLES = {
    "package-lock.json": PACKAGE_LOCK_V3,
    "npm-shrinkwrap.json": PACKAGE_LOCK_V1,
    "pnpm-lock.yaml": PNPM_V9,
    "yarn.lock": YARN_BERRY,
    "poetry.lock": POETRY_LOCK,
    "uv.lock": UV_LOCK,
    "Pipfile.lock": PIPFILE_LOCK,
    "Cargo.lock": CARGO_LOCK,
    "Gemfile.lock": GEMFILE_LOCK,
    "composer.lock": COMPOSER_LOCK,
    "packages.lock.json": NUGET_LOCK,
}


@pytest.mark.parametrize("relpath", sorted(SAMPLES))
def test_mutated_input_only_raises_manifest_error(relpath: str, mutation_check) -> None:
    """Random byte edits of real samples must give a Manifest or ManifestError, nothing else."""
    mutation_check(
        f"lockfiles:{relpath}",
        relpath,
        SAMPLES[relpath],
        b"\x00\xff\xe9[]{}()\"'=:,#;/@-\\\n\r\t @*&!~",
    )


# --- a large lock ----------------------------------------------------------------------------


def big_package_lock(count: int) -> bytes:
    """A lockfile-v3 document shaped like npm's (two-space indent) with ``count`` packages,
    every seventh nested under another, and the root depending on a few of them."""
    rng = random.Random(20_000)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
    root = {"name": "big", "version": "1.0.0", "dependencies": {"pkg-1": "^1", "openai": "^4"}}
    packages: dict[str, object] = {"": root}
    for i in range(count):
        name = f"pkg-{i}" if i % 10 else f"@scope{i % 97}/pkg-{i}"
        path = f"node_modules/{name}" if i % 7 else f"node_modules/pkg-{i - 1}/node_modules/{name}"
        packages[path] = {
            "version": f"1.{i % 30}.{i % 7}",
            "resolved": f"https://registry.npmjs.org/{name}/-/pkg-{i}-1.0.0.tgz",
            "integrity": "sha512-" + "".join(rng.choice(alphabet) for _ in range(86)) + "==",
            "license": "MIT",
            "dependencies": {f"pkg-{rng.randrange(count)}": "^1.0.0" for _ in range(4)},
            "engines": {"node": ">=18"},
        }
    packages["node_modules/openai"] = {"version": "4.52.0"}
    return json.dumps(
        {"name": "big", "lockfileVersion": 3, "packages": packages}, indent=2
    ).encode()


def test_a_20k_package_lock_parses_quickly() -> None:
    data = big_package_lock(20_000)
    start = time.perf_counter()
    manifest = parse_manifest("package-lock.json", data)
    elapsed = time.perf_counter() - start
    print(f"\n20,000-package package-lock.json, {len(data) / 1e6:.1f} MB: {elapsed * 1000:.0f} ms")
    assert len(manifest.packages) == 20_001
    assert {ref.name for ref in manifest.packages if ref.direct} == {"pkg-1", "openai"}
