"""Python core metadata (PKG-INFO, *.dist-info/METADATA) and setup.py as manifests: their own
name is what the package *provides*, their dependencies what it uses; setup.py is read from its
syntax tree and never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import Scope
from detectors.base import Signal
from detectors.engine import FileKind, classify, scan_data
from detectors.manifests import Manifest, ManifestError, manifest_kind, parse_manifest
from fingerprints.catalog import Catalog

SCOPE = Scope("code", "example", "example")
Pairs = list[tuple[str, int]]


def pairs(manifest: Manifest) -> Pairs:
    return [(ref.name, ref.line) for ref in manifest.packages]


def parse(relpath: str, text: str) -> Manifest:
    return parse_manifest(relpath, text.encode())


@pytest.mark.parametrize(
    ("relpath", "kind"),
    [
        ("PKG-INFO", "core-metadata"),
        ("gpt_cli.egg-info/PKG-INFO", "core-metadata"),
        ("langfuse-5.0.4.dist-info/METADATA", "core-metadata"),
        ("site-packages/openai-1.52.0.dist-info/METADATA", "core-metadata"),
        ("setup.py", "setup.py"),
        ("pkg/setup.py", "setup.py"),
        # METADATA means core metadata only inside a .dist-info directory.
        ("METADATA", None),
        ("docs/METADATA", None),
        ("langfuse-5.0.4.dist-info/RECORD", None),
        ("setup.py.orig", None),
        ("my_setup.py", None),
    ],
)
def test_manifest_kind(relpath: str, kind: str | None) -> None:
    assert manifest_kind(relpath) == kind


def test_classify_reads_them_as_manifests_not_source() -> None:
    assert classify("setup.py") == (FileKind.MANIFEST, "setup.py")
    assert classify("x-1.0.dist-info/METADATA") == (FileKind.MANIFEST, "core-metadata")
    assert classify("tools/build.py") == (FileKind.SOURCE, "python")


# --- core metadata ----------------------------------------------------------------------------

WHEEL_METADATA = """\
Metadata-Version: 2.4
Name: Langfuse
Version: 5.0.4
Summary: A client library for accessing langfuse
License-Expression: MIT
Requires-Python: <4.0,>=3.10
Classifier: Programming Language :: Python :: 3
Provides-Extra: openai
Requires-Dist: httpx<1.0,>=0.15.4
Requires-Dist: openai>=0.27.8; extra == "openai"
Requires-Dist: langchain (>=0.0.309) ; extra == 'langchain'
Requires-Dist: ./local/path
Requires: anthropic
Description-Content-Type: text/markdown

# Langfuse

Requires-Dist: cohere
Install with `pip install langfuse[openai]`.
"""


def test_core_metadata_name_and_requires_dist() -> None:
    manifest = parse("langfuse-5.0.4.dist-info/METADATA", WHEEL_METADATA)
    assert (manifest.kind, manifest.ecosystem) == ("core-metadata", "pypi")
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "langfuse",
        "pypi",
        2,
    )
    # Requires (metadata 1.1, module names), paths and the description body are not read.
    assert pairs(manifest) == [("httpx", 9), ("openai", 10), ("langchain", 11)]
    assert [r.spec for r in manifest.packages] == ["<1.0,>=0.15.4", ">=0.27.8", ">=0.0.309"]


def test_old_pkg_info_continuation_lines_are_skipped() -> None:
    text = (
        "Metadata-Version: 1.2\nName: old-pkg\nVersion: 1\n"
        "Description: An old package.\n"
        "        Requires-Dist: anthropic\n"
        "        |Requires-Dist: cohere\n"
        "Requires-Dist: openai\n"
    )
    manifest = parse("PKG-INFO", text)
    assert pairs(manifest) == [("openai", 7)]
    assert manifest.own_name == "old-pkg"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header fields"),
        ("\n\n\n", "no header fields"),
        ("# PKG-INFO is not always metadata\nName: x\n", "the first line is not a field"),
        ("Version: 1.0\nName: x\n", "the first field is 'Version'"),
    ],
)
def test_a_file_of_that_name_that_is_not_metadata(text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse("PKG-INFO", text)


def test_a_metadata_name_that_is_not_a_project_name_is_no_own_name() -> None:
    manifest = parse("PKG-INFO", "Metadata-Version: 2.1\nName: not a name!\nRequires-Dist: a\n")
    assert manifest.own_name is None and manifest.own_ecosystem is None
    assert pairs(manifest) == [("a", 3)]


# --- setup.py ---------------------------------------------------------------------------------

SETUP_PY = """\
import glob
import setuptools
from setuptools import setup

NAME = "My_Tool"
BASE = [
    "requests>=2",
    "openai>=1.34.0",  # a comment
]
EXTRA_VISION = ["pillow"]
LOCAL = "anthropic"

with open("README.md") as fh:
    long_description = fh.read()

setup(
    name=NAME,
    version="1.0",
    scripts=glob.glob("bin/*"),
    setup_requires=["setuptools_scm"],
    tests_require=["pytest"],
    install_requires=BASE + [LOCAL, 'tiktoken; python_version >= "3.8"'],
    extras_require={
        "vision": EXTRA_VISION,
        "all": '''
            cohere>=5
            # a comment line
            mistralai
        ''',
    },
)
"""


def test_setup_py_literals_and_names_resolved() -> None:
    manifest = parse("setup.py", SETUP_PY)
    assert (manifest.kind, manifest.ecosystem) == ("setup.py", "pypi")
    assert (manifest.own_name, manifest.own_ecosystem, manifest.own_line) == (
        "my-tool",
        "pypi",
        5,
    )
    assert pairs(manifest) == [
        ("requests", 7),
        ("openai", 8),
        ("pillow", 10),
        ("anthropic", 11),
        ("tiktoken", 22),
        ("cohere", 26),
        ("mistralai", 28),
    ]
    assert [r.spec for r in manifest.packages][:2] == [">=2", ">=1.34.0"]


@pytest.mark.parametrize(
    ("text", "expected", "own"),
    [
        (
            "import setuptools\nsetuptools.setup(name='a', install_requires=('b', 'c'))\n",
            [("b", 2), ("c", 2)],
            "a",
        ),
        ("from distutils.core import setup\nsetup(install_requires={'b'})\n", [("b", 2)], None),
        # extras_require through dict(...)
        ("setup(extras_require=dict(x=['b'], y='c'))\n", [("b", 1), ("c", 1)], None),
        # computed at build time: skipped, never evaluated
        ("setup(install_requires=open('requirements.txt').read().splitlines())\n", [], None),
        ("setup(install_requires=[dep for dep in DEPS])\n", [], None),
        ("setup(install_requires=UNKNOWN, name=compute())\n", [], None),
        ("setup(**config)\n", [], None),
        # a name bound to itself (or in a cycle) is expanded once and does not loop
        ("A = A + ['b']\nsetup(install_requires=A)\n", [("b", 1)], None),
        ("A = B\nB = A\nsetup(install_requires=A)\n", [], None),
        # non-strings and garbage entries are skipped
        ("setup(install_requires=['b', 3, None, './path', 'c>=1'])\n", [("b", 1), ("c", 1)], None),
        # a call to something else named like it
        ("def configure():\n    pass\nconfigure(install_requires=['b'])\n", [], None),
        # a setup() inside the usual main guard still counts
        ("if __name__ == '__main__':\n    setup(install_requires=['b'])\n", [("b", 2)], None),
        ("", [], None),
    ],
)
def test_setup_py_shapes(text: str, expected: Pairs, own: str | None) -> None:
    manifest = parse("setup.py", text)
    assert pairs(manifest) == expected
    assert manifest.own_name == own


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"open({str(marker)!r}, 'w').write('x')\nsetup(install_requires=['b'])\n"
    assert pairs(parse("setup.py", text)) == [("b", 2)]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"print 'python 2'\nsetup(install_requires=['b'])\n", r"invalid setup.py: .*line 1"),
        (b"setup(install_requires=['b'\n", r"invalid setup.py"),
        (b"setup()\x00\n", r"invalid setup.py"),
    ],
)
def test_unparseable_setup_py_is_a_manifest_error(data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest("setup.py", data)


@pytest.mark.parametrize(
    ("relpath", "text"),
    [("setup.py", SETUP_PY), ("x-1.0.dist-info/METADATA", WHEEL_METADATA)],
)
def test_mutated_input_only_raises_manifest_error(relpath: str, text: str, mutation_check) -> None:
    mutation_check(f"manifests:{relpath}", relpath, text, b"\x00\xff\xe9[]{}()\"'=:,#;-\\\n +")


# --- through the engine -----------------------------------------------------------------------


def findings(catalog: Catalog, relpath: str, text: str) -> set[tuple[str, str, int | None]]:
    result = scan_data(catalog, SCOPE, relpath, text.encode())
    assert result.skip_reason is None, result.skip_reason
    return {(f.product_id, f.signal.value, f.location.line) for f in result.findings}


def test_an_installed_sdk_provides_its_product(catalog: Catalog) -> None:
    text = "Metadata-Version: 2.3\nName: openai\nVersion: 1.52.0\nRequires-Dist: httpx\n"
    got = findings(catalog, "openai-1.52.0.dist-info/METADATA", text)
    assert got == {("openai", Signal.PROVIDES.value, 2)}


def test_a_wheel_provides_itself_and_declares_what_it_uses(catalog: Catalog) -> None:
    got = findings(catalog, "langfuse-5.0.4.dist-info/METADATA", WHEEL_METADATA)
    assert got == {
        ("langfuse", Signal.PROVIDES.value, 2),
        ("openai", Signal.PACKAGE.value, 10),
        ("langchain", Signal.PACKAGE.value, 11),
    }


def test_setup_py_dependencies_and_own_name(catalog: Catalog) -> None:
    text = "from setuptools import setup\nsetup(name='langchain-openai', install_requires=[])\n"
    assert ("openai", Signal.PROVIDES.value, 2) in findings(catalog, "setup.py", text)
    got = findings(catalog, "setup.py", SETUP_PY)
    assert {("openai", "package", 8), ("anthropic", "package", 11)} <= got


def test_a_setup_py_without_a_keyword_is_never_parsed(catalog: Catalog) -> None:
    # Not valid Python: had it been parsed, the scan would record a malformed manifest.
    result = scan_data(catalog, SCOPE, "setup.py", b"setup(install_requires=['requests'\n")
    assert result.skip_reason is None and not result.parsed and result.findings == ()
