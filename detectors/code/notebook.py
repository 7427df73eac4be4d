"""Jupyter notebooks (``.ipynb``): code cells read as source, ``%pip install`` lines as packages.

A notebook is JSON (nbformat 4, or 3 with ``worksheets``). Its code cells are parsed one by one in
the kernel's language (``metadata.kernelspec.language``, else ``metadata.language_info.name``,
else Python), or in a cell's own language where a polyglot notebook names one (.NET Interactive /
Polyglot Notebooks, VS Code). Cells of a language aicensus does not parse are skipped with a
note. Markdown and raw cells, and cell outputs, are not read.

Locations are cell-relative: the locator is ``<path>#cell-<N>``, N being the 1-based index of the
cell among all the notebook's cells (markdown included, as a notebook editor lists them), and the
line is the line within that cell. Evidence at line 2 of the third cell of ``eda.ipynb`` reads
``eda.ipynb#cell-3:2``; :func:`notebook_path` recovers the file from such a locator.

IPython syntax is not Python: a line magic or shell escape (``%time x``, ``!ls``) is blanked to a
comment before parsing and an assigned one (``files = !ls``) to ``0`` (same length, so positions
hold), and a cell magic other than the few that
run Python (``%%time``, ``%%capture``, ``%%writefile x.py``...) makes the cell not Python. A
``pip install`` line (``%pip``, ``!pip``, ``!python -m pip``, ``!uv pip``, or plain ``pip`` in a
``%%bash``/``%%sh`` cell) names packages: each catalog ``pypi`` package it installs is ``package``
evidence, like a requirements file line.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.code.detector import detect_code
from detectors.code.extract import extract
from detectors.config import make_finding
from detectors.textscan import hit_lines
from fingerprints.catalog import Catalog

__all__ = [
    "Notebook",
    "NotebookCell",
    "NotebookError",
    "NotebookResult",
    "cell_locator",
    "detect_notebook",
    "kernel_language",
    "notebook_path",
    "parse_notebook",
    "pip_install_packages",
]

KERNEL_LANGUAGES = {
    "python": "python",
    "python2": "python",
    "python3": "python",
    "ipython": "python",
    "ipython3": "python",
    "javascript": "javascript",
    "js": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "java": "java",
    "kotlin": "kotlin",
    "go": "go",
    "golang": "go",
    "c#": "csharp",
    "csharp": "csharp",
    "ruby": "ruby",
    "rust": "rust",
    "php": "php",
}
"""Kernel or cell language names (lower-case) -> the language aicensus parses them as."""

_LOCATOR_RE = re.compile(r"(\.ipynb)#cell-[0-9]+$", re.IGNORECASE)

# A cell magic whose body is still Python (IPython built-ins and common extensions).
_PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "skip", "cache"}
)
_MAGIC_ASSIGNMENT_RE = re.compile(r"^(\s*[A-Za-z_][\w., ]*=\s*)([!%].*)$")
_SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script", "system"})

_PIP_LINE_RE = re.compile(
    r"^\s*(?P<escape>[!%])?\s*(?:(?:python[0-9.]*|py)\s+-m\s+)?(?:uv\s+)?pip[0-9.]*\s+install\b"
    r"(?P<args>.*)$"
)
# pip options that take a value (the next word, unless written --opt=value).
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--src",
        "--upgrade-strategy",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--cache-dir",
        "--log",
        "--proxy",
        "--timeout",
        "--retries",
        "--trusted-host",
        "--no-binary",
        "--only-binary",
        "--progress-bar",
        "-C",
        "--config-settings",
        "--global-option",
        "--python",
        "-p",
    }
)
_SHELL_STOP = frozenset({"&&", "||", ";", "|", ">", ">>", "2>&1", "&", "2>", "1>"})
_REQUIREMENT_NAME_RE = re.compile(
    r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?=$|[\[<>=!~;@ ,])"
)


class NotebookError(ValueError):
    """The file is not a readable notebook (invalid JSON, or JSON of another shape)."""


@dataclass(frozen=True, slots=True)
class NotebookCell:
    """One code cell."""

    index: int
    """1-based position among all cells of the notebook."""
    language: str
    """The cell's language as the notebook names it (lower-case)."""
    source: str


@dataclass(frozen=True, slots=True)
class Notebook:
    """The code cells of a notebook and its kernel language."""

    kernel_language: str
    """As the metadata names it (lower-case); ``python`` when it names none."""
    cells: tuple[NotebookCell, ...]


@dataclass(slots=True)
class NotebookResult:
    """What scanning one notebook produced."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cell_locator(relpath: str, index: int) -> str:
    """The locator of evidence in cell ``index`` (1-based) of the notebook ``relpath``."""
    return f"{relpath}#cell-{index}"


def notebook_path(locator: str) -> str:
    """The file a locator names: ``a/nb.ipynb#cell-3`` -> ``a/nb.ipynb``; others unchanged."""
    return _LOCATOR_RE.sub(r"\1", locator)


def kernel_language(name: str) -> str | None:
    """The language aicensus parses a kernel/cell language as, or ``None``."""
    return KERNEL_LANGUAGES.get(name.strip().lower())


def _text(value: object) -> str | None:
    """A notebook multiline string: a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    return None


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _name(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _cell_language(metadata: dict[str, object]) -> str:
    """A polyglot notebook's per-cell language, or ``""``."""
    for key, inner in (
        ("polyglot_notebook", "kernelName"),
        ("dotnet_interactive", "language"),
        ("vscode", "languageId"),
    ):
        name = _name(_mapping(metadata.get(key)).get(inner))
        if name:
            return name
    return ""


def parse_notebook(data: bytes) -> Notebook:
    """The code cells of a notebook; raises ``NotebookError`` for anything that is not one."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError
        raise NotebookError(f"invalid JSON: {err}") from err
    if not isinstance(document, dict):
        raise NotebookError("not a Jupyter notebook (no cells)")
    metadata = _mapping(document.get("metadata"))
    kernel = (
        _name(_mapping(metadata.get("kernelspec")).get("language"))
        or _name(_mapping(metadata.get("language_info")).get("name"))
        or "python"
    )
    raw_cells = document.get("cells")
    source_key = "source"
    if raw_cells is None and isinstance(document.get("worksheets"), list):  # nbformat 3
        raw_cells = [
            cell
            for sheet in document["worksheets"]
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list)
            for cell in sheet["cells"]
        ]
        source_key = "input"
    if not isinstance(raw_cells, list):
        raise NotebookError("not a Jupyter notebook (no cells)")
    cells: list[NotebookCell] = []
    for index, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _text(cell.get(source_key))
        if not source or not source.strip():
            continue
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escaped in the JSON (``"\ud800"``)
            source = source.encode("utf-8", "replace").decode("utf-8")
        language = (
            _cell_language(_mapping(cell.get("metadata"))) or _name(cell.get("language")) or kernel
        )
        cells.append(NotebookCell(index, language, source))
    return Notebook(kernel, tuple(cells))


def pip_install_packages(line: str, shell: bool = False) -> list[str]:
    """Package names a ``pip install`` line installs (requirements files, paths, URLs and
    variables skipped). Without ``shell`` the line must be an IPython ``%``/``!`` escape."""
    match = _PIP_LINE_RE.match(line)
    if match is None or (match.group("escape") is None and not shell):
        return []
    args = match.group("args")
    try:
        words = shlex.split(args, comments=True)
    except ValueError:  # an unbalanced quote
        words = [word.strip("'\"") for word in args.split("#", 1)[0].split()]
    names: list[str] = []
    take_value = False
    for word in words:
        if take_value:
            take_value = False
            continue
        if word in _SHELL_STOP or word.startswith(("|", ">", ";", "&")):
            break
        if word.startswith("-"):
            take_value = "=" not in word and word in _PIP_VALUE_OPTIONS
            continue
        if "/" in word or "\\" in word or "$" in word or "{" in word or "://" in word:
            continue
        name = _REQUIREMENT_NAME_RE.match(word)
        if name is not None and not name.group(1).lower().endswith((".whl", ".zip", ".gz")):
            names.append(name.group(1))
    return names


def _ipython_to_python(source: str) -> tuple[str | None, bool]:
    """The cell as Python for the parser (``None`` if it is not Python), and whether its lines
    are shell (a ``%%bash``-like cell)."""
    first = source.lstrip().split("\n", 1)[0]
    if first.startswith("%%"):
        parts = first[2:].split()
        magic = parts[0] if parts else ""
        if magic in _SHELL_CELL_MAGICS:
            return None, True
        python_file = magic == "writefile" and parts[-1].endswith(".py")
        if magic not in _PYTHON_CELL_MAGICS and not python_file:
            return None, False
    if "%" not in source and "!" not in source:
        return source, False
    lines = source.split("\n")
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            indent = len(line) - len(stripped)
            lines[number] = line[:indent] + "#" + stripped[1:]
        elif "=" in line:
            assigned = _MAGIC_ASSIGNMENT_RE.match(line)
            if assigned is not None:  # files = !ls  ->  files = 0
                start = assigned.start(2)
                lines[number] = line[:start] + "0" + " " * (len(line) - start - 1)
    return "\n".join(lines), False


def detect_notebook(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    data: bytes,
    max_parse_size: int,
) -> NotebookResult:
    """Findings for one notebook's bytes; raises ``NotebookError`` if it is not a notebook."""
    notebook = parse_notebook(data)
    result = NotebookResult()
    unparsed: dict[str, list[int]] = {}
    partial: list[int] = []
    for cell in notebook.cells:
        language = kernel_language(cell.language)
        if language is None:
            unparsed.setdefault(cell.language, []).append(cell.index)
            continue
        locator = cell_locator(relpath, cell.index)
        lines = cell.source.splitlines()
        code: str | None = cell.source
        shell = False
        if language == "python":
            code, shell = _ipython_to_python(cell.source)
            result.findings.extend(_pip_findings(catalog, scope, locator, lines, shell))
        if code is None:
            continue
        source = code.encode("utf-8")
        if len(source) > max_parse_size:
            result.notes.append(f"cell {cell.index} not parsed: larger than {max_parse_size} bytes")
            continue
        offsets = catalog.keyword_offsets(source)
        if not offsets:
            continue
        facts = extract(language, source, hits=offsets)
        if facts.has_errors:
            partial.append(cell.index)
        result.findings.extend(
            detect_code(catalog, scope, locator, facts, lines, hit_lines(source, offsets))
        )
    for name, indexes in unparsed.items():
        result.notes.append(
            f"cells in {name or 'an unnamed language'} not parsed: {_cells(indexes)}"
        )
    if partial:
        result.notes.append(f"syntax errors in {_cells(partial)}: partial parse used")
    return result


def _cells(indexes: list[int]) -> str:
    shown = ", ".join(str(i) for i in indexes[:10])
    more = f" and {len(indexes) - 10} more" if len(indexes) > 10 else ""
    return f"cell{'s' if len(indexes) > 1 else ''} {shown}{more}"


def _pip_findings(
    catalog: Catalog, scope: Scope, locator: str, lines: list[str], shell: bool
) -> Iterator[Finding]:
    """``package`` findings for the catalog packages a cell's ``pip install`` lines install."""
    for number, line in enumerate(lines, start=1):
        if "install" not in line:
            continue
        for name in pip_install_packages(line, shell):
            for pid in catalog.match_package("pypi", name):
                yield make_finding(
                    catalog.products[pid],
                    scope,
                    locator,
                    number,
                    Signal.PACKAGE,
                    Confidence.MEDIUM,
                    name,
                    line,
                )
