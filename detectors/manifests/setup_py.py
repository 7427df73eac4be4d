"""``setup.py``: the ``install_requires`` / ``extras_require`` and ``name`` of a setuptools (or
distutils) ``setup(...)`` call, read from the syntax tree and never executed.

Only literals count: a list, tuple or set of strings, one multi-line string (setuptools reads it
one requirement per line), ``+`` of such values, ``dict(...)`` or ``{...}`` of them for
``extras_require``, and a module-level name bound once to one of these (``REQUIRES = [...]``).
A value computed at build time (``open("requirements.txt").read().splitlines()``, a function
call) is skipped: reading it would mean running the file. ``setup_requires`` and
``tests_require`` are build and test tooling, not what the package uses, and are not read.
"""

from __future__ import annotations

import ast
import warnings

from detectors.manifests.model import PYPI, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.requirements import is_valid_name, parse_requirement, strip_comment
from detectors.manifests.source import decode_lenient

_MAX_DEPTH = 16
"""How many names one value may be resolved through (``A = B + C``, ``B = [...]``, ...)."""


class _Module:
    """Module-level names bound by a plain ``NAME = value`` (the last binding wins)."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.names[target.id] = node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                self.names[node.target.id] = node.value

    def resolve(
        self, node: ast.expr, expanding: frozenset[str] = frozenset()
    ) -> tuple[ast.expr | None, frozenset[str]]:
        """``node`` itself, or for a name the value it is bound to at module level, with the
        names expanded on the way. None for an unknown name, a name already being expanded (a
        self-reference such as ``A = A + [...]``) or a chain past the depth limit."""
        while isinstance(node, ast.Name):
            if node.id in expanding or len(expanding) >= _MAX_DEPTH or node.id not in self.names:
                return None, expanding
            expanding = expanding | {node.id}
            node = self.names[node.id]
        return node, expanding

    def strings(
        self, node: ast.expr, expanding: frozenset[str] = frozenset()
    ) -> list[tuple[str, int]]:
        """(requirement text, line) for every literal string a requirement value holds."""
        value, expanding = self.resolve(node, expanding)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return [
                (line, value.lineno + offset)
                for offset, line in enumerate(value.value.split("\n"))
                if line.strip()
            ]
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            found: list[tuple[str, int]] = []
            for element in value.elts:
                item, _ = self.resolve(element, expanding)
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    found.append((item.value, item.lineno))
            return found
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return self.strings(value.left, expanding) + self.strings(value.right, expanding)
        return []

    def mapping_values(self, node: ast.expr) -> list[ast.expr]:
        """The values of a ``{...}`` or ``dict(...)`` literal (``extras_require``)."""
        value, _ = self.resolve(node)
        if isinstance(value, ast.Dict):
            return list(value.values)
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "dict"
            and not value.args
        ):
            return [kw.value for kw in value.keywords if kw.arg is not None]
        return []


def _is_setup_call(node: ast.Call) -> bool:
    """``setup(...)``, ``setuptools.setup(...)``, ``distutils.core.setup(...)``."""
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def parse_setup_py(data: bytes) -> Manifest:
    """Dependencies and own name declared by the ``setup(...)`` calls of a ``setup.py``."""
    text = decode_lenient(data)
    try:
        with warnings.catch_warnings():  # invalid escapes and the like are not our business
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename="setup.py")
    except SyntaxError as exc:
        raise ManifestError(f"invalid setup.py: {exc.msg} (line {exc.lineno})") from exc
    except ValueError as exc:  # NUL bytes in the source
        raise ManifestError(f"invalid setup.py: {exc}") from exc
    module = _Module(tree)
    refs: list[PackageRef] = []
    own_name: str | None = None
    own_line = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _is_setup_call(node):
            continue
        for kw in node.keywords:
            if kw.arg == "install_requires":
                values = [kw.value]
            elif kw.arg == "extras_require":
                values = module.mapping_values(kw.value)
            else:
                if kw.arg == "name" and own_name is None:
                    name, _ = module.resolve(kw.value)
                    if (
                        isinstance(name, ast.Constant)
                        and isinstance(name.value, str)
                        and is_valid_name(name.value)
                    ):
                        own_name, own_line = normalise_name(PYPI, name.value), name.lineno
                continue
            for value in values:
                for written, line in module.strings(value):
                    req = parse_requirement(strip_comment(written))
                    if req is not None:
                        refs.append(
                            PackageRef(PYPI, normalise_name(PYPI, req.name), line, req.spec)
                        )
    refs.sort(key=lambda ref: ref.line)
    return Manifest("setup.py", PYPI, tuple(refs), own_name, PYPI if own_name else None, own_line)
