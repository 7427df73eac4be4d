"""Manifest parsing: exact (name, line) results for every supported format and quirk, and the
promise that malformed input yields ManifestError (or a skipped section), never another error."""

from __future__ import annotations

import codecs

import pytest

from detectors.manifests import (
    Manifest,
    ManifestError,
    manifest_kind,
    normalise_name,
    parse_manifest,
)

Pairs = list[tuple[str, int]]


def pairs(manifest: Manifest) -> Pairs:
    """(name, line) per reference, in manifest order."""
    return [(ref.name, ref.line) for ref in manifest.packages]


def parse_text(relpath: str, text: str) -> Manifest:
    return parse_manifest(relpath, text.encode())


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("app/requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("requirements_test.txt", "requirements"),
        ("dev-requirements.txt", "requirements"),
        ("Requirements.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("src/requirements/prod.txt", "requirements"),
        ("constraints.txt", "requirements"),
        ("constraints-py311.txt", "requirements"),
        ("requirements.in", "requirements"),
        ("requirements/dev.in", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("pkg/pyproject.toml", "pyproject"),
        ("setup.cfg", "setup.cfg"),
        ("Pipfile", "pipfile"),
        ("environment.yml", "conda"),
        ("envs/environment.yaml", "conda"),
        ("package.json", "package.json"),
        ("web/package.json", "package.json"),
        ("notes.txt", None),
        ("requirements.md", None),
        ("requirements", None),
        ("requirements/README.md", None),
        ("my-constraints.txt", None),
        ("go.mod", "go.mod"),
        ("svc/go.mod", "go.mod"),
        ("pom.xml", "pom"),
        ("build.gradle", "gradle"),
        ("app/build.gradle.kts", "gradle"),
        ("settings.gradle.kts", "gradle"),
        ("gradle/libs.versions.toml", "gradle-catalog"),
        ("gradle.lockfile", "gradle.lockfile"),
        ("gradle/dependency-locks/compileClasspath.lockfile", "gradle.lockfile"),
        ("Api.csproj", "msbuild"),
        ("src/Lib.fsproj", "msbuild"),
        ("Legacy.vbproj", "msbuild"),
        ("Directory.Packages.props", "msbuild"),
        ("Directory.Build.props", "msbuild"),
        ("packages.config", "packages.config"),
        ("packages.lock.json", "nuget-lock"),
        ("Gemfile", "gemfile"),
        ("gems.rb", "gemfile"),
        ("acme.gemspec", "gemspec"),
        ("Gemfile.lock", "gemfile.lock"),
        ("gems.locked", "gemfile.lock"),
        ("Cargo.toml", "cargo"),
        ("Cargo.lock", "cargo.lock"),
        ("composer.json", "composer"),
        ("composer.lock", "composer.lock"),
        ("Pipfile.lock", "pipfile.lock"),
        ("poetry.lock", "poetry.lock"),
        ("uv.lock", "uv.lock"),
        ("package-lock.json", "package-lock"),
        ("npm-shrinkwrap.json", "package-lock"),
        ("pnpm-lock.yaml", "pnpm-lock"),
        ("web/yarn.lock", "yarn.lock"),
        ("go.sum", None),
        (".csproj", None),
        ("pom.xml.bak", None),
        ("build.gradle.orig", None),
        ("other.lockfile", None),
        ("setup.py", "setup.py"),
        ("environment.json", None),
        ("pyproject.toml.bak", None),
        ("", None),
    ],
)
def test_manifest_kind(relpath: str, kind: str | None) -> None:
    assert manifest_kind(relpath) == kind


def test_unknown_file_name_is_a_manifest_error() -> None:
    with pytest.raises(ManifestError, match="not a recognised manifest"):
        parse_manifest("README.md", b"requests\n")


@pytest.mark.parametrize(
    ("ecosystem", "name", "expected"),
    [
        ("pypi", "Foo_Bar", "foo-bar"),
        ("pypi", "foo.__.bar", "foo-bar"),
        ("pypi", "FOO--bar..baz", "foo-bar-baz"),
        ("conda", "Py_Torch", "py-torch"),
        ("npm", "@Scope/Some_Pkg", "@scope/some_pkg"),
        ("npm", " left-pad ", "left-pad"),
    ],
)
def test_normalise_name(ecosystem: str, name: str, expected: str) -> None:
    assert normalise_name(ecosystem, name) == expected


# --- requirements.txt -------------------------------------------------------------------------

REQUIREMENTS: list[tuple[str, str, Pairs]] = [
    ("plain", "requests\nnumpy\n", [("requests", 1), ("numpy", 2)]),
    (
        "blank-and-comments",
        "\n# header\nrequests  # trailing\n\n   # indented\nflask\n",
        [("requests", 3), ("flask", 6)],
    ),
    ("hash-not-comment", "foo#bar\nbaz\n", [("baz", 2)]),
    ("pep503-normalised", "Foo_Bar.Baz==1\n", [("foo-bar-baz", 1)]),
    (
        "specs",
        "a==1\nb>=1,<2\nc~=1.4\nd!=2\ne===3\nf<4\ng>5\n",
        [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6), ("g", 7)],
    ),
    ("spaces-around-spec", "  pkg   >=  1.0  \n", [("pkg", 1)]),
    ("extras", "pkg[extra1,extra2]>=1\nother [x]\n", [("pkg", 1), ("other", 2)]),
    (
        "markers",
        'pkg; python_version < "3.12"\nother>=1 ; sys_platform == "win32"\n',
        [("pkg", 1), ("other", 2)],
    ),
    ("parenthesised", "pkg (>=1.0)\n", [("pkg", 1)]),
    (
        "options-skipped",
        "-r base.txt\n--requirement other.txt\n-c constraints.txt\n-i https://pypi.example/simple\n"
        "--index-url https://pypi.example/simple\n--extra-index-url https://x\n--pre\n"
        "-f ./wheels\n--no-binary :all:\n--trusted-host example.com\nreal\n",
        [("real", 11)],
    ),
    ("trailing-hash-options", "pkg==1.0 --hash=sha256:abc --hash=sha256:def\n", [("pkg", 1)]),
    (
        "continuation-with-hashes",
        "pkg==1.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nnext==2\n",
        [("pkg", 1), ("next", 4)],
    ),
    ("continuation-splits-name-line", "pkg\\\n>=1.0\nafter\n", [("pkg", 1), ("after", 3)]),
    ("comment-line-ends-continuation", "pkg==1 \\\n# note\nother\n", [("pkg", 1), ("other", 3)]),
    ("comment-with-backslash-does-not-continue", "# note \\\npkg\n", [("pkg", 2)]),
    ("continuation-at-eof", "pkg==1 \\", [("pkg", 1)]),
    (
        "direct-url",
        "name @ https://example.com/name-1.0.tar.gz\nother@file:///tmp/x.whl\n",
        [("name", 1), ("other", 2)],
    ),
    ("direct-url-with-marker", 'name @ https://h/p.whl ; python_version >= "3.8"\n', [("name", 1)]),
    (
        "bare-urls-and-paths-skipped",
        "https://example.com/pkg-1.0.tar.gz\n./local/pkg\n../sibling\n/abs/path\n.\n"
        "pkg-1.0-py3-none-any.whl\ndist/pkg-1.0.tar.gz\nC:\\wheels\\pkg.whl\n~/src/pkg\nreal\n",
        [("real", 10)],
    ),
    (
        "egg-fragments",
        "-e git+https://github.com/org/repo.git#egg=Editable_Pkg\n"
        "--editable=git+https://h/r.git@v1#egg=two&subdirectory=sub\n"
        "-egit+https://h/r.git#egg=three\n"
        "git+https://h/r.git#egg=four\n"
        "-e 'git+https://h/r.git#egg=five'\n",
        [("editable-pkg", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5)],
    ),
    ("editable-paths-skipped", "-e .\n-e ./sub\n-e src\n-e file:///x/y\n-e\nreal\n", [("real", 6)]),
    ("editable-direct-reference", "-e name @ git+https://h/r.git\n", [("name", 1)]),
    ("env-vars-and-junk-skipped", "${REQS}\n!!!\n[section]\npkg 1.0\npkg,other\nok\n", [("ok", 6)]),
    ("names-must-end-alphanumeric", "pkg-\n_pkg\nok_\nfine\n", [("fine", 4)]),
    ("unclosed-extras-skipped", "pkg[extra\nok\n", [("ok", 2)]),
    ("unbalanced-paren-skipped", "pkg (>=1\nok\n", [("ok", 2)]),
    (
        "duplicates-kept",
        "pkg==1; python_version<'3.12'\npkg==2; python_version>='3.12'\n",
        [("pkg", 1), ("pkg", 2)],
    ),
    ("crlf", "a\r\n# c\r\nb \\\r\n  >=1\r\nc\r\n", [("a", 1), ("b", 3), ("c", 5)]),
    ("no-trailing-newline", "a\nb", [("a", 1), ("b", 2)]),
    ("empty", "", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in REQUIREMENTS], ids=[c[0] for c in REQUIREMENTS]
)
def test_requirements(text: str, expected: Pairs) -> None:
    manifest = parse_text("requirements.txt", text)
    assert pairs(manifest) == expected
    assert manifest.kind == "requirements"
    assert manifest.ecosystem == "pypi"
    assert manifest.own_name is None
    assert manifest.own_ecosystem is None
    assert all(ref.ecosystem == "pypi" and ref.direct for ref in manifest.packages)


@pytest.mark.parametrize(
    ("line", "spec"),
    [
        ("pkg", ""),
        ("pkg>=1.2", ">=1.2"),
        ("pkg >= 1.2, < 2", ">= 1.2, < 2"),
        ("pkg[extra]>=1.2", ">=1.2"),
        ('pkg>=1.2; python_version < "3.12"', ">=1.2"),
        ("pkg (>=1.2,<2)", ">=1.2,<2"),
        ("pkg==1.0 --hash=sha256:abc", "==1.0"),
        ("pkg @ https://h/pkg.whl ; os_name == 'nt'", "@ https://h/pkg.whl"),
        ("pkg@https://h/a;b.whl", "@ https://h/a;b.whl"),
        ("-e git+https://h/r.git#egg=pkg", "@ git+https://h/r.git#egg=pkg"),
    ],
)
def test_requirement_spec(line: str, spec: str) -> None:
    (ref,) = parse_text("requirements.txt", line + "\n").packages
    assert (ref.name, ref.spec) == ("pkg", spec)


def test_requirements_other_file_names_parse_the_same() -> None:
    for relpath in ("requirements/dev.txt", "dev-requirements.txt", "constraints.txt"):
        assert pairs(parse_text(relpath, "a\nb\n")) == [("a", 1), ("b", 2)]


def test_requirements_invalid_utf8_is_replaced() -> None:
    data = b"# caf\xe9 \xff\xfe\nrequests\npkg\xff\nnumpy\n"
    assert pairs(parse_manifest("requirements.txt", data)) == [("requests", 2), ("numpy", 4)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_requirements_with_bom(encoding: str) -> None:
    text = "requests==2\nnumpy\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # these codecs write no BOM themselves
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    assert pairs(parse_manifest("requirements.txt", data)) == [("requests", 1), ("numpy", 2)]


# --- pyproject.toml ---------------------------------------------------------------------------

PEP621 = """\
[build-system]
requires = ["hatchling"]

[project]
name = "My_Project"
version = "1.0"
dependencies = [
    # "commented" is not a dependency
    "requests>=2",  # "numpy" in a comment
    'Django[bcrypt] (>=4) ; python_version < "3.12"',
    "numpy @ https://example.com/numpy.whl",
    "requests[socks]; extra == 'x'",
    "not a requirement!",
    42,
]

[project.optional-dependencies]
dev = ["pytest>=8", "requests"]
"docs" = [
    "sphinx",
]

[dependency-groups]
test = ["pytest", {include-group = "lint"}, "coverage[toml]"]
lint = [
  "ruff",
]
"""

POETRY = """\
[tool.poetry]
name = "poetry-proj"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
Flask = "^3.0"
"quoted.name" = "*"
rich = { version = ">=13", extras = ["jupyter"] }
gitdep = { git = "https://example.com/x.git" }
multi = [{ version = "<2", python = "<3.9" }, { version = ">=2", python = ">=3.9" }]
"bad name!" = "1"

[tool.poetry.dependencies.subtable]
version = "^1"

[tool.poetry.group.dev.dependencies]
pytest = "^8"
Flask = "*"

[tool.poetry.group."docs".dependencies]
sphinx = "^7"

[tool.poetry.dev-dependencies]
black = "^24"
"""

PYPROJECT: list[tuple[str, str, Pairs]] = [
    (
        "pep621",
        PEP621,
        [
            ("requests", 9),
            ("django", 10),
            ("numpy", 11),
            ("requests", 12),
            ("pytest", 18),
            ("requests", 18),
            ("sphinx", 20),
            ("pytest", 24),
            ("coverage", 24),
            ("ruff", 26),
        ],
    ),
    (
        "inline-optional-dependencies",
        '[project]\noptional-dependencies = { inline = ["x"], other = ["y", "x"] }\n'
        'dependencies = ["b"]\n',
        [("b", 3), ("x", 2), ("y", 2), ("x", 2)],
    ),
    (
        "poetry",
        POETRY,
        [
            ("flask", 7),
            ("quoted-name", 8),
            ("rich", 9),
            ("gitdep", 10),
            ("multi", 11),
            ("subtable", 14),
            ("black", 25),
            ("pytest", 18),
            ("flask", 19),
            ("sphinx", 22),
        ],
    ),
    (
        "dotted-keys",
        'project.name = "dotted"\nproject.dependencies = ["alpha"]\n\n[tool]\n'
        'poetry.dependencies = { beta = "^1" }\n',
        [("alpha", 2), ("beta", 5)],
    ),
    (
        "inline-and-multiline-strings",
        '[project]\ndependencies = ["a>=1", """\nb""", \'c\']\n',
        [("a", 2), ("b", 3), ("c", 3)],
    ),
    (
        "name-inside-an-earlier-marker",
        "[project]\ndependencies = [\n  \"a; extra == 'b'\",\n  'b',\n"
        '  "c; extra == \\"d\\"",\n  "d",\n]\n',
        [("a", 3), ("b", 4), ("c", 5), ("d", 6)],
    ),
    (
        "same-name-as-key-elsewhere",
        '[project]\nname = "requests"\ndescription = "uses requests"\n'
        'dependencies = [\n  "requests",\n]\n',
        [("requests", 5)],
    ),
    (
        "uv-and-pdm-dev",
        '[tool.uv]\ndev-dependencies = ["pytest"]\n\n[tool.pdm.dev-dependencies]\n'
        'test = ["-e file:///${PROJECT_ROOT}/sub#egg=sub", "hypothesis"]\nlint = ["ruff"]\n',
        [("pytest", 2), ("sub", 5), ("hypothesis", 5), ("ruff", 6)],
    ),
    ("no-dependencies", '[project]\nname = "x"\ndynamic = ["dependencies"]\n', []),
    ("empty", "", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in PYPROJECT], ids=[c[0] for c in PYPROJECT]
)
def test_pyproject(text: str, expected: Pairs) -> None:
    manifest = parse_text("pyproject.toml", text)
    assert pairs(manifest) == expected
    assert (manifest.kind, manifest.ecosystem) == ("pyproject", "pypi")


def test_pyproject_specs() -> None:
    specs = [(r.name, r.spec) for r in parse_text("pyproject.toml", POETRY).packages]
    assert specs[:5] == [
        ("flask", "^3.0"),
        ("quoted-name", "*"),
        ("rich", ">=13"),
        ("gitdep", ""),
        ("multi", ""),
    ]
    pep621 = [(r.name, r.spec) for r in parse_text("pyproject.toml", PEP621).packages]
    assert pep621[:3] == [
        ("requests", ">=2"),
        ("django", ">=4"),
        ("numpy", "@ https://example.com/numpy.whl"),
    ]


@pytest.mark.parametrize(
    ("text", "own"),
    [
        (PEP621, "my-project"),
        (POETRY, "poetry-proj"),
        ('[project]\nname = "Pep621.Name"\n[tool.poetry]\nname = "other"\n', "pep621-name"),
        ('[project]\nname = 5\n[tool.poetry]\nname = "Fallback_Name"\n', "fallback-name"),
        ('[project]\nname = ""\n', None),
        ('[project]\nversion = "1"\n', None),
        ("", None),
    ],
)
def test_pyproject_own_name(text: str, own: str | None) -> None:
    manifest = parse_text("pyproject.toml", text)
    assert manifest.own_name == own
    assert manifest.own_ecosystem == ("pypi" if own else None)


# --- setup.cfg --------------------------------------------------------------------------------

SETUP_CFG = """\
stray line before any section
[metadata]
name = My.Package
version = 1.0

[options]
packages = find:
install_requires =
    requests>=2  # pinned for a reason
    # a comment line inside the value
    ; another comment style

    Django[bcrypt] (>=4); python_version < "3.12"
    numpy @ https://example.com/numpy.whl
    not a requirement!
python_requires = >=3.8
this line is neither an option nor a header

[options.extras_require]
dev =
    pytest
    ruff
docs = sphinx>=7; python_version >= "3.9"
split = alpha; beta
empty =

[options.entry_points]
console_scripts =
    tool = pkg.cli:main
"""

SETUP_CFG_CASES: list[tuple[str, str, Pairs]] = [
    (
        "full",
        SETUP_CFG,
        [
            ("requests", 9),
            ("django", 13),
            ("numpy", 14),
            ("pytest", 21),
            ("ruff", 22),
            ("sphinx", 23),
            ("alpha", 24),
            ("beta", 24),
        ],
    ),
    ("single-line", "[options]\ninstall_requires = requests\n", [("requests", 2)]),
    ("colon-delimiter", "[options]\ninstall_requires:\n  a\n  b\n", [("a", 3), ("b", 4)]),
    ("uppercase-key", "[options]\nINSTALL_REQUIRES =\n  a\n", [("a", 3)]),
    ("file-directive-skipped", "[options]\ninstall_requires = file: requirements.txt\n", []),
    (
        "repeated-section-merges",
        "[options]\ninstall_requires = a\n[metadata]\nname=x\n[options]\nzip_safe = False\n",
        [("a", 2)],
    ),
    ("later-option-wins", "[options]\ninstall_requires = a\ninstall_requires = b\n", [("b", 3)]),
    ("no-sections", "install_requires = a\n", []),
    ("empty", "", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SETUP_CFG_CASES], ids=[c[0] for c in SETUP_CFG_CASES]
)
def test_setup_cfg(text: str, expected: Pairs) -> None:
    manifest = parse_text("setup.cfg", text)
    assert pairs(manifest) == expected
    assert (manifest.kind, manifest.ecosystem) == ("setup.cfg", "pypi")


def test_setup_cfg_own_name_and_specs() -> None:
    manifest = parse_text("setup.cfg", SETUP_CFG)
    assert (manifest.own_name, manifest.own_ecosystem) == ("my-package", "pypi")
    assert [r.spec for r in manifest.packages][:3] == [
        ">=2",
        ">=4",
        "@ https://example.com/numpy.whl",
    ]
    assert parse_text("setup.cfg", "[metadata]\nversion = 1\n").own_name is None


def test_setup_cfg_invalid_utf8_is_replaced() -> None:
    data = b"[metadata]\nauthor = Ren\xe9\n[options]\ninstall_requires =\n  a\xff\n  b\n"
    assert pairs(parse_manifest("setup.cfg", data)) == [("b", 6)]


# --- Pipfile ----------------------------------------------------------------------------------

PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
name = "pypi"

[packages]
requests = "*"
"Django" = ">=4"
rich = {version = ">=13", extras = ["jupyter"]}
local = {path = ".", editable = true}

[dev-packages]
pytest = "*"
requests = ">=2"

[requires]
python_version = "3.11"
"""


def test_pipfile() -> None:
    manifest = parse_text("Pipfile", PIPFILE)
    assert pairs(manifest) == [
        ("requests", 6),
        ("django", 7),
        ("rich", 8),
        ("local", 9),
        ("pytest", 12),
        ("requests", 13),
    ]
    assert [r.spec for r in manifest.packages] == ["*", ">=4", ">=13", "", "*", ">=2"]
    assert (manifest.kind, manifest.ecosystem, manifest.own_name) == ("pipfile", "pypi", None)


# --- conda environment.yml --------------------------------------------------------------------

ENVIRONMENT = """\
name: research
channels:
  - conda-forge
dependencies:
  - python=3.11
  - numpy>=1.26
  - conda-forge::PyTorch=2.1=py3.11_cuda
  - conda-forge/label/dev::scipy
  - pandas 2.1.*
  - "quoted_name"
  - 5
  - null
  - [nested, list]
  - pip
  - pip:
      - -r requirements.txt
      - --index-url https://example.com/simple
      - transformers==4.40  # comment
      - -e .
      - -e git+https://example.com/x.git#egg=Editable_Thing
      - git+https://example.com/y.git
      - Some_Pkg[extra]>=1
  - other_mapping:
      - ignored
"""


def test_conda() -> None:
    manifest = parse_text("environment.yml", ENVIRONMENT)
    assert [(r.ecosystem, r.name, r.line) for r in manifest.packages] == [
        ("conda", "python", 5),
        ("conda", "numpy", 6),
        ("conda", "pytorch", 7),
        ("conda", "scipy", 8),
        ("conda", "pandas", 9),
        ("conda", "quoted-name", 10),
        ("conda", "pip", 14),
        ("pypi", "transformers", 18),
        ("pypi", "editable-thing", 20),
        ("pypi", "some-pkg", 22),
    ]
    assert [r.spec for r in manifest.packages][:5] == [
        "=3.11",
        ">=1.26",
        "=2.1=py3.11_cuda",
        "",
        "2.1.*",
    ]
    assert (manifest.kind, manifest.ecosystem) == ("conda", "conda")
    assert (manifest.own_name, manifest.own_ecosystem) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dependencies: [numpy, 'scipy=1']\n", [("numpy", 1), ("scipy", 1)]),
        ("name: x\n", []),
        ("dependencies:\n", []),
        ("dependencies: numpy\n", []),
        ("dependencies: {numpy: 1}\n", []),
        ("dependencies:\n  - pip: numpy\n  - ok\n", [("ok", 3)]),
        ("dependencies: [a]\ndependencies: [b]\n", [("b", 2)]),
        ("", []),
        ("# only a comment\n", []),
        ("dependencies:\n  - !!python/object/apply:os.system [echo]\n  - ok\n", [("ok", 3)]),
        ("dependencies: [a]\n---\ndependencies: [b]\n", [("a", 1)]),
        ("base: &deps [a, b]\ndependencies: *deps\n", [("a", 1), ("b", 1)]),
    ],
)
def test_conda_shapes(text: str, expected: Pairs) -> None:
    assert pairs(parse_text("environment.yaml", text)) == expected


def test_conda_invalid_utf8_is_replaced() -> None:
    data = b"name: caf\xe9\ndependencies:\n  - numpy\n"
    assert pairs(parse_manifest("environment.yml", data)) == [("numpy", 3)]


# --- package.json -----------------------------------------------------------------------------

PACKAGE_JSON = """\
{
  "name": "@Acme/Web-App",
  "version": "1.0.0",
  "scripts": {"dependencies": "echo not a section"},
  "dependencies": {
    "React": "^18.2.0",
    "@scope/pkg": "~1.2.3",
    "alias": "npm:@real/thing@^2.0.0",
    "plain-alias": "npm:other",
    "git-dep": "github:user/repo",
    "object-value": {"not": "a string"},
    "": "1"
  },
  "devDependencies": {"typescript": "5.4.0", "react": "*"},
  "peerDependencies": {
    "peer": ">=1"
  },
  "optionalDependencies": {"opt": "1"},
  "bundledDependencies": ["bundled"],
  "resolutions": {"resolved": "1"}
}
"""


def test_package_json() -> None:
    manifest = parse_text("package.json", PACKAGE_JSON)
    assert pairs(manifest) == [
        ("react", 6),
        ("@scope/pkg", 7),
        ("@real/thing", 8),
        ("other", 9),
        ("git-dep", 10),
        ("object-value", 11),
        ("typescript", 14),
        ("react", 14),
        ("peer", 16),
        ("opt", 18),
    ]
    assert [r.spec for r in manifest.packages] == [
        "^18.2.0",
        "~1.2.3",
        "^2.0.0",
        "",
        "github:user/repo",
        "",
        "5.4.0",
        "*",
        ">=1",
        "1",
    ]
    assert all(r.ecosystem == "npm" for r in manifest.packages)
    assert (manifest.kind, manifest.ecosystem) == ("package.json", "npm")
    assert (manifest.own_name, manifest.own_ecosystem) == ("@acme/web-app", "npm")


@pytest.mark.parametrize(
    ("text", "expected", "own"),
    [
        ('{"dependencies": {"a": "1", "b": "2"}}', [("a", 1), ("b", 1)], None),
        ('{"dependencies": 5, "devDependencies": {"a": "1"}}', [("a", 1)], None),
        ('{"dependencies": ["a"], "peerDependencies": null}', [], None),
        ('{"dependencies": {"a": "1"},\n "dependencies": {"b": "2"}}', [("b", 2)], None),
        ('{"dependencies": {"\\u0061bc": "1"}}', [("abc", 1)], None),
        ('{"name": 5}', [], None),
        ('{"name": "  "}', [], None),
        ("{}", [], None),
        ('\n\n  {"name": "x",\n"dependencies":\n{\n"a"\n:\n"1"\n}\n}\n', [("a", 6)], "x"),
    ],
)
def test_package_json_shapes(text: str, expected: Pairs, own: str | None) -> None:
    manifest = parse_text("package.json", text)
    assert pairs(manifest) == expected
    assert manifest.own_name == own


def test_package_json_with_utf8_bom() -> None:
    data = codecs.BOM_UTF8 + b'{"dependencies": {"a": "1"}}'
    assert pairs(parse_manifest("package.json", data)) == [("a", 1)]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "data", "message"),
    [
        ("pyproject.toml", b'[project]\nname = "x"\ndependencies [\n', r"invalid TOML: .*line 3"),
        ("pyproject.toml", b"[project]\n[project]\n", r"invalid TOML"),
        ("pyproject.toml", b'[project]\nname = "caf\xe9"\n', r"invalid TOML: not UTF-8.*0xe9"),
        ("Pipfile", b"[packages\n", r"invalid TOML"),
        ("Pipfile", b"\xff\xfe[packages]\n", r"invalid TOML: not UTF-8"),
        ("package.json", b"", r"invalid JSON: .*line 1, column 1"),
        ("package.json", b'{"dependencies": {"a": "1",}}', r"invalid JSON: .*line 1"),
        ("package.json", b'{\n  "name": "x"\n  "version": "1"\n}', r"invalid JSON: .*line 3"),
        ("package.json", b'{"name": "caf\xe9"}', r"invalid JSON: not UTF-8"),
        ("package.json", b'["dependencies"]', r"top level is not an object"),
        ("package.json", b'"just a string"', r"top level is not an object"),
        ("package.json", b"[" * 100_000, r"invalid (JSON|package\.json)"),
        ("environment.yml", b"dependencies: [a\n", r"invalid YAML: .*line"),
        ("environment.yml", b"dependencies:\n  - a\n - b\n", r"invalid YAML: .*line 3"),
        ("environment.yml", b"- numpy\n- scipy\n", r"top level is not a mapping"),
        ("environment.yml", b"just text\n", r"top level is not a mapping"),
        ("environment.yml", b"dependencies: [\x00]\n", r"invalid YAML"),
    ],
)
def test_unparseable_files_raise_manifest_error(relpath: str, data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(relpath, data)


@pytest.mark.parametrize(
    ("relpath", "text", "expected"),
    [
        ("pyproject.toml", 'project = 5\n[tool.poetry.dependencies]\na = "1"\n', [("a", 3)]),
        (
            "pyproject.toml",
            '[project]\ndependencies = "requests"\n[project.optional-dependencies]\nx = ["b"]\n',
            [("b", 4)],
        ),
        (
            "pyproject.toml",
            '[project]\noptional-dependencies = ["a"]\ndependencies = ["b"]\n',
            [("b", 3)],
        ),
        ("pyproject.toml", '[project.optional-dependencies]\nx = "a"\ny = ["b"]\n', [("b", 3)]),
        ("pyproject.toml", 'dependency-groups = 3\n[project]\ndependencies = ["a"]\n', [("a", 3)]),
        ("pyproject.toml", '[tool]\npoetry = "x"\n[project]\ndependencies = ["a"]\n', [("a", 4)]),
        ("pyproject.toml", '[tool.poetry]\ndependencies = ["a"]\ngroup = 1\n', []),
        (
            "pyproject.toml",
            "[tool.poetry.group.dev]\ndependencies = 1\n"
            '[tool.poetry.group.ok.dependencies]\nb = "1"\n',
            [("b", 4)],
        ),
        ("pyproject.toml", "[tool.poetry.dependencies]\na = 1\nb = true\n", [("a", 2), ("b", 3)]),
        ("Pipfile", 'packages = ["a"]\n[dev-packages]\nb = "*"\n', [("b", 3)]),
        ("package.json", '{"dependencies": "a", "devDependencies": {"b": 1}}', [("b", 1)]),
    ],
)
def test_bad_sections_are_skipped(relpath: str, text: str, expected: Pairs) -> None:
    assert pairs(parse_text(relpath, text)) == expected


def test_binary_garbage_in_lenient_formats_yields_nothing() -> None:
    data = bytes(range(256)) * 4
    for relpath in ("requirements.txt", "setup.cfg"):
        assert parse_manifest(relpath, data).packages == ()


SAMPLES = {
    "requirements.txt": "\n".join(c[1] for c in REQUIREMENTS),
    "pyproject.toml": PEP621 + POETRY.replace('[tool.poetry]\nname = "poetry-proj"\n', ""),
    "setup.cfg": SETUP_CFG,
    "Pipfile": PIPFILE,
    "environment.yml": ENVIRONMENT,
    "package.json": PACKAGE_JSON,
}


@pytest.mark.parametrize("relpath", sorted(SAMPLES))
def test_mutated_input_only_raises_manifest_error(relpath: str, mutation_check) -> None:
    """Random byte edits of real samples must give a Manifest or ManifestError, nothing else."""
    mutation_check(
        f"manifests:{relpath}", relpath, SAMPLES[relpath], b"\x00\xff\xe9[]{}\"'=:,#;-\\\n @*&!<>~"
    )
