"""Jupyter notebooks: cells, cell-relative locations, ``%pip install``, kernels, bad input."""

from __future__ import annotations

import json

import pytest

from connectors.base import Scope
from detectors.base import Confidence
from detectors.code.notebook import (
    NotebookCell,
    NotebookError,
    cell_locator,
    notebook_path,
    parse_notebook,
    pip_install_packages,
)
from detectors.engine import FileKind, FileResult, classify, scan_data
from fingerprints.catalog import Catalog

SCOPE = Scope("code", "t", "t")


def notebook(*cells: object, metadata: object = None, nbformat: int = 4) -> bytes:
    """A notebook document: a str or list cell is a code cell, a (type, source) pair any cell,
    a dict is taken as is."""
    raw = []
    for cell in cells:
        if isinstance(cell, (str, list)):
            raw.append({"cell_type": "code", "source": cell, "outputs": []})
        elif isinstance(cell, tuple):
            raw.append({"cell_type": cell[0], "source": cell[1]})
        else:
            raw.append(cell)
    doc: dict[str, object] = {"nbformat": nbformat, "nbformat_minor": 5, "cells": raw}
    doc["metadata"] = metadata if metadata is not None else {}
    return json.dumps(doc, indent=1).encode()


def scan(catalog: Catalog, data: bytes, name: str = "nb/eda.ipynb") -> FileResult:
    return scan_data(catalog, SCOPE, name, data)


def rows(result: FileResult) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f.product_id, f.signal.value, str(f.location), f.confidence.label) for f in result.findings
    )


# ------------------------------------------------------------------------------- reading


def test_code_cells_are_numbered_among_all_cells() -> None:
    data = notebook(
        ("markdown", "# Title"),
        ["import os\n", "x = 1\n"],
        ("raw", "import openai"),
        "",
        "   \n",
        "print(x)",
    )
    nb = parse_notebook(data)
    assert nb.kernel_language == "python"
    assert nb.cells == (
        NotebookCell(2, "python", "import os\nx = 1\n"),
        NotebookCell(6, "python", "print(x)"),
    )


@pytest.mark.parametrize(
    ("metadata", "language"),
    [
        ({}, "python"),
        ({"kernelspec": {"name": "python3", "language": "python"}}, "python"),
        ({"language_info": {"name": "R"}}, "r"),
        ({"kernelspec": {"language": "C#"}, "language_info": {"name": "csharp"}}, "c#"),
        ({"kernelspec": "broken", "language_info": ["broken"]}, "python"),
    ],
)
def test_kernel_language(metadata: object, language: str) -> None:
    assert parse_notebook(notebook("x", metadata=metadata)).kernel_language == language


def test_polyglot_cells_name_their_own_language() -> None:
    data = notebook(
        {
            "cell_type": "code",
            "source": "x",
            "metadata": {"polyglot_notebook": {"kernelName": "csharp"}},
        },
        {
            "cell_type": "code",
            "source": "x",
            "metadata": {"dotnet_interactive": {"language": "fsharp"}},
        },
        {"cell_type": "code", "source": "x", "metadata": {"vscode": {"languageId": "javascript"}}},
        "x",
        metadata={"kernelspec": {"language": "python"}},
    )
    assert [c.language for c in parse_notebook(data).cells] == [
        "csharp",
        "fsharp",
        "javascript",
        "python",
    ]


def test_nbformat_3_worksheets() -> None:
    doc = {
        "nbformat": 3,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": ["import openai\n"], "language": "python"}]},
            {
                "cells": [
                    {"cell_type": "markdown", "source": "x"},
                    {"cell_type": "code", "input": "y"},
                ]
            },
        ],
    }
    cells = parse_notebook(json.dumps(doc).encode()).cells
    assert [(c.index, c.source) for c in cells] == [(1, "import openai\n"), (3, "y")]


@pytest.mark.parametrize(
    "data",
    [
        b'{"cells": [',
        b"\xff\xfe not utf-8 {",
        b"[1, 2]",
        b'{"cells": {"a": 1}}',
        b'{"metadata": {}}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_not_a_notebook(data: bytes) -> None:
    with pytest.raises(NotebookError):
        parse_notebook(data)


def test_locators() -> None:
    assert cell_locator("a/nb.ipynb", 3) == "a/nb.ipynb#cell-3"
    assert notebook_path("a/nb.ipynb#cell-3") == "a/nb.ipynb"
    assert notebook_path("a/C#/Program.cs") == "a/C#/Program.cs"
    assert notebook_path("a/nb.py#cell-3") == "a/nb.py#cell-3"


def test_classify() -> None:
    assert classify("notebooks/EDA.IPYNB") == (FileKind.NOTEBOOK, "ipynb")


# ----------------------------------------------------------------------------------- pip


@pytest.mark.parametrize(
    ("line", "shell", "names"),
    [
        ("%pip install openai", False, ["openai"]),
        (
            "!pip install -q openai==1.40 'anthropic>=0.30' langchain-openai[all]",
            False,
            [
                "openai",
                "anthropic",
                "langchain-openai",
            ],
        ),
        ("!pip3 install --upgrade openai", False, ["openai"]),
        ("!python -m pip install openai", False, ["openai"]),
        ("!python3.11 -m pip install openai", False, ["openai"]),
        ("%uv pip install openai", False, ["openai"]),
        ("  !pip install openai  # the SDK", False, ["openai"]),
        ("!pip install -r requirements.txt openai", False, ["openai"]),
        ("!pip install --index-url https://x/simple openai", False, ["openai"]),
        ("!pip install --index-url=https://x/simple openai", False, ["openai"]),
        ("!pip install -e . ./pkg git+https://github.com/x/openai.git", False, []),
        ("!pip install openai-1.0-py3-none-any.whl $PKG {pkg}", False, []),
        ("!pip install openai > /dev/null 2>&1", False, ["openai"]),
        ("!pip install openai && pip install anthropic", False, ["openai"]),
        ("!pip install 'openai", False, ["openai"]),  # unbalanced quote: split on spaces
        ("pip install openai", False, []),
        ("pip install openai", True, ["openai"]),
        ("!pip uninstall openai", False, []),
        ("!pip show openai", False, []),
        ("# !pip install openai", False, []),
    ],
)
def test_pip_install_packages(line: str, shell: bool, names: list[str]) -> None:
    assert pip_install_packages(line, shell) == names


# ------------------------------------------------------------------------------ scanning


def test_cells_report_cell_relative_locations(catalog: Catalog) -> None:
    data = notebook(
        ("markdown", "Uses **OpenAI**."),
        ["%pip install -q openai 'anthropic>=0.30'\n"],
        (
            "import openai\n"
            "files = !ls\n"
            "client = openai.OpenAI()\n"
            'client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
        ),
    )
    result = scan(catalog, data)
    assert result.skip_reason is None
    assert result.parsed
    assert result.notes == ()
    assert rows(result) == [
        ("anthropic", "package", "nb/eda.ipynb#cell-2:1", "medium"),
        ("openai", "code_call", "nb/eda.ipynb#cell-3:3", "high"),
        ("openai", "code_import", "nb/eda.ipynb#cell-3:1", "high"),
        ("openai", "model_id", "nb/eda.ipynb#cell-3:4", "medium"),
        ("openai", "package", "nb/eda.ipynb#cell-2:1", "medium"),
    ]
    (model,) = [f for f in result.findings if f.signal.value == "model_id"]
    assert model.models == ("gpt-4o-mini",)
    assert model.snippet.startswith("client.chat.completions.create(")


def test_magics_do_not_break_the_parse(catalog: Catalog) -> None:
    cells = [
        "%matplotlib inline\nimport anthropic\n!echo hi\nx = %time f()\n",
        "%%time\nimport openai\n",
        "%%capture out\nimport openai\n",
        "%%writefile app.py\nimport openai\n",
        "%%writefile notes.txt\nimport openai\n",
        "%%html\n<p>import openai</p>\n",
        "%%bash\npip install anthropic\nimport openai\n",
    ]
    result = scan(catalog, notebook(*cells))
    assert result.notes == ()
    assert rows(result) == [
        ("anthropic", "code_import", "nb/eda.ipynb#cell-1:2", "high"),
        ("anthropic", "package", "nb/eda.ipynb#cell-7:2", "medium"),
        ("openai", "code_import", "nb/eda.ipynb#cell-2:2", "high"),
        ("openai", "code_import", "nb/eda.ipynb#cell-3:2", "high"),
        ("openai", "code_import", "nb/eda.ipynb#cell-4:2", "high"),
    ]


def test_syntax_errors_are_noted(catalog: Catalog) -> None:
    result = scan(catalog, notebook("import openai\ndef broken(:\n", "x = 1", "import anthropic\n"))
    assert result.notes == ("syntax errors in cell 1: partial parse used",)
    assert ("openai", "code_import", "nb/eda.ipynb#cell-1:1", "high") in rows(result)


def test_comments_and_docstrings_in_cells_are_not_evidence(catalog: Catalog) -> None:
    result = scan(catalog, notebook('# model="gpt-4o"\n"""Uses gpt-4o."""\nx = 1\n'))
    assert rows(result) == []


def test_other_kernel_languages(catalog: Catalog) -> None:
    r_notebook = notebook("library(openai)\n", metadata={"kernelspec": {"language": "R"}})
    result = scan(catalog, r_notebook)
    assert rows(result) == []
    assert result.notes == ("cells in r not parsed: cell 1",)

    csharp = notebook(
        "using Azure.AI.OpenAI;\nvar c = new AzureOpenAIClient(new Uri(e), k);\n",
        '#r "nuget: Azure.AI.OpenAI"\n',
        metadata={"kernelspec": {"language": "C#"}},
    )
    assert rows(scan(catalog, csharp)) == [
        ("azure-openai", "code_call", "nb/eda.ipynb#cell-1:2", "high"),
        ("azure-openai", "code_import", "nb/eda.ipynb#cell-1:1", "high"),
    ]

    # `%pip` belongs to IPython: in another kernel it is not read as a package.
    go = notebook(
        'import "github.com/sashabaranov/go-openai"\n%pip install openai\n',
        metadata={"kernelspec": {"language": "go"}},
    )
    assert [r[1] for r in rows(scan(catalog, go))] == ["code_import"]


def test_invalid_json_is_a_recorded_skip(catalog: Catalog) -> None:
    result = scan(catalog, b'{"cells": [{"cell_type": "code", "source": "import openai\n')
    assert result.findings == ()
    assert result.skip_reason is not None
    assert result.skip_reason.startswith("malformed notebook: invalid JSON")


def test_not_a_notebook_is_a_recorded_skip(catalog: Catalog) -> None:
    result = scan(catalog, b'{"name": "openai", "version": 1}')
    assert result.skip_reason == "malformed notebook: not a Jupyter notebook (no cells)"


def test_the_prefilter_runs_first(catalog: Catalog) -> None:
    result = scan(catalog, b"{ this is not even JSON }")
    assert result.skip_reason is None
    assert not result.parsed


def test_outputs_are_not_read(catalog: Catalog) -> None:
    cell = {
        "cell_type": "code",
        "source": "print(1)\n",
        "outputs": [{"output_type": "stream", "text": ["import openai\n", "gpt-4o-mini\n"]}],
    }
    result = scan(catalog, notebook(cell))
    assert result.findings == ()


def test_notebooks_under_tests_are_noise(catalog: Catalog) -> None:
    result = scan(catalog, notebook("import openai\n"), name="tests/fixtures/demo.ipynb")
    assert [f.confidence for f in result.findings] == [Confidence.LOW]


def test_a_cell_larger_than_the_parse_cap_is_noted(catalog: Catalog) -> None:
    from detectors.engine import ScanOptions

    big = "import openai\n" + "x = 1\n" * 400
    result = scan_data(
        catalog,
        SCOPE,
        "nb.ipynb",
        notebook(big, "import anthropic\n"),
        ScanOptions(max_parse_size=1000),
    )
    assert result.notes == ("cell 1 not parsed: larger than 1000 bytes",)
    assert rows(result) == [("anthropic", "code_import", "nb.ipynb#cell-2:1", "high")]
