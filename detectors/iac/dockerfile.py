"""Dockerfiles and Containerfiles: base images and the packages build steps install.

- ``FROM [--platform=...] IMAGE [AS name]``: an image, unless it names an earlier stage or
  ``scratch``; ``$VAR``/``${VAR}`` (and ``${VAR:-default}``) are resolved from ``ARG``
  defaults seen before, an unresolvable reference is skipped.
- ``COPY``/``ADD --from=IMAGE``: an image when it is not a stage name or index.
- ``RUN``: shell commands split at ``&&``, ``||``, ``;`` and ``|``; ``pip install`` (``pip3``,
  ``python -m pip``, ``uv pip install``, ``uv add``, ``poetry add``, ``pipx install``),
  ``conda``/``mamba``/``micromamba install``, ``npm install|i|add``, ``yarn add``,
  ``pnpm add|install``, ``bun add``: each named package, on the physical line it is written on.
  Heredoc bodies (``RUN <<EOF``) are read as shell lines too.

Line continuations (``\\``, or the ``# escape=`` character) are joined; comment lines inside an
instruction are dropped, as Docker does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detectors.iac.model import IacFacts, Image, Package
from detectors.manifests.requirements import parse_requirement

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*([\\`])\s*$", re.IGNORECASE)
_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+|$)(.*)$", re.DOTALL)
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_WORD = re.compile(
    r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"']+(?:(?:\"(?:[^\"\\]|\\.)*\"|'[^']*')[^\s\"']*)*"
)
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})

_PIP_OPTIONS_WITH_VALUE = """
    -r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f
    --find-links -t --target --prefix --root --platform --python-version --implementation --abi
    --trusted-host --cache-dir --src --upgrade-strategy --progress-bar --log --proxy --timeout
    --retries --python -p --index --default-index --group -C --config-settings --only-binary
    --no-binary --exists-action --report --root-user-action --source --extra --optional --with
    -n --name --channel --file
"""
_PIP_VALUE_OPTIONS = frozenset(_PIP_OPTIONS_WITH_VALUE.split())
"""pip / uv / poetry / conda options that take a value as the next word."""
_NPM_VALUE_OPTIONS = frozenset(
    {"--registry", "--prefix", "--cache", "--tag", "-w", "--workspace", "--filter", "--userconfig"}
)
_NPM_COMMANDS = {
    "npm": frozenset({"install", "i", "add", "in", "isntall"}),
    "yarn": frozenset({"add"}),
    "pnpm": frozenset({"add", "install", "i"}),
    "bun": frozenset({"add", "install", "i"}),
}
_CONDA = frozenset({"conda", "mamba", "micromamba"})


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    line: int


def _unquote(word: str) -> str:
    out = []
    for part in re.finditer(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([^\"']+)", word):
        if part.group(1) is not None:
            out.append(re.sub(r"\\(.)", r"\1", part.group(1)))
        else:
            out.append(part.group(2) if part.group(2) is not None else part.group(3))
    return "".join(out)


def _substitute(text: str, variables: dict[str, str]) -> str | None:
    """``$VAR``/``${VAR}``/``${VAR:-default}`` from ARG defaults; None if one is unknown."""
    unknown = False

    def repl(m: re.Match[str]) -> str:
        nonlocal unknown
        name = m.group(1) or m.group(3)
        value = variables.get(name)
        if value:
            return value
        if m.group(2) is not None and not m.group(0).startswith("${" + name + ":+"):
            return m.group(2)
        unknown = True
        return ""

    result = _VAR.sub(repl, text)
    return None if unknown else result


_Part = tuple[int, str, bool]
"""One physical line of an instruction: (1-based line, text, whether it is a heredoc line)."""


def _instructions(text: str) -> list[tuple[str, list[_Part]]]:
    """(keyword, physical lines) for every instruction."""
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:  # parser directives come first
        m = _DIRECTIVE.match(raw.strip())
        if m:
            escape = m.group(1)
            break
        if raw.strip() and not raw.strip().startswith("#"):
            break
    result: list[tuple[str, list[_Part]]] = []
    current: list[_Part] | None = None
    heredocs: list[str] = []
    for number, raw in enumerate(lines, start=1):
        if heredocs and current is not None:
            current.append((number, raw, True))
            if raw.strip() == heredocs[0]:
                heredocs.pop(0)
                if not heredocs:
                    current = None
            continue
        stripped = raw.strip()
        if current is None:
            if not stripped or stripped.startswith("#"):
                continue
            m = _INSTRUCTION.match(raw)
            if m is None:
                continue
            current = [(number, m.group(2), False)]
            result.append((m.group(1).upper(), current))
        elif stripped.startswith("#"):
            continue  # a comment line inside a continued instruction
        else:
            current.append((number, raw, False))
        body = current[-1][1].rstrip()
        if body.endswith(escape):
            current[-1] = (current[-1][0], body[: -len(escape)], False)
            continue
        joined = " ".join(t for _, t, _ in current)
        heredocs = _HEREDOC.findall(joined) if result[-1][0] == "RUN" else []
        if not heredocs:
            current = None
    return result


def _words(parts: list[_Part]) -> list[_Word]:
    words: list[_Word] = []
    for line, text, heredoc in parts:
        if not heredoc:
            text = _HEREDOC.sub(" ; ", text)
        for m in _WORD.finditer(text):
            raw = m.group()
            # split trailing/leading shell separators glued to words: "openai;" "&&pip"
            pieces = re.split(r"(&&|\|\||;|\||&)", raw)
            words.extend(_Word(piece, line) for piece in pieces if piece)
        if heredoc:
            words.append(_Word(";", line))  # each heredoc line is a command of its own
    return words


def _commands(words: list[_Word]) -> list[list[_Word]]:
    commands: list[list[_Word]] = [[]]
    for w in words:
        if w.text in _SEPARATORS:
            if commands[-1]:
                commands.append([])
        else:
            commands[-1].append(w)
    return [c for c in commands if c]


def _strip_prefix(cmd: list[_Word]) -> list[_Word]:
    """Drop leading ``sudo``, ``env``, ``VAR=value`` and ``RUN --mount=...`` flags."""
    i = 0
    while i < len(cmd):
        t = cmd[i].text
        if (
            t in ("sudo", "env", "exec", "time", "nohup")
            or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t)
            or t.startswith("--mount=")
            or t.startswith("--network=")
            or t.startswith("--security=")
        ):
            i += 1
            continue
        break
    return cmd[i:]


def _installer(cmd: list[_Word]) -> tuple[str, int] | None:
    """(ecosystem, index of the first argument) when ``cmd`` installs packages."""
    names = [posix_base(w.text) for w in cmd]
    n = len(names)
    for i in range(n):
        name = names[i]
        nxt = names[i + 1] if i + 1 < n else ""
        if re.fullmatch(r"pip[0-9.]*", name) and nxt == "install":
            return "pypi", i + 2
        if (
            re.fullmatch(r"python[0-9.]*", name)
            and nxt == "-m"
            and i + 3 < n
            and names[i + 2] in ("pip", "uv")
            and names[i + 3] == "install"
        ):
            return "pypi", i + 4
        if name == "uv" and nxt == "pip" and i + 2 < n and names[i + 2] == "install":
            return "pypi", i + 3
        if (name in ("uv", "poetry") and nxt == "add") or (name == "pipx" and nxt == "install"):
            return "pypi", i + 2
        if name in _CONDA and nxt == "install":
            return "conda", i + 2
        if name in _NPM_COMMANDS and nxt in _NPM_COMMANDS[name]:
            return "npm", i + 2
        if i == 0 and name not in ("python", "python3"):
            break  # only look past the command word for ``python -m pip``
    return None


def posix_base(word: str) -> str:
    return _unquote(word).rsplit("/", 1)[-1]


def _npm_name(spec: str) -> str | None:
    if spec.startswith(
        ("./", "../", "/", "file:", "git+", "git:", "http:", "https:", "github:")
    ) or spec.endswith((".tgz", ".tar.gz")):
        return None
    if spec.startswith("@"):
        scope, _, rest = spec.partition("/")
        name = rest.split("@", 1)[0]
        return f"{scope}/{name}" if name and len(scope) > 1 else None
    name = spec.split("@", 1)[0]
    return name if name and "/" not in name and ":" not in name else None


def _packages(cmd: list[_Word], facts: IacFacts) -> None:
    found = _installer(cmd)
    if found is None:
        return
    ecosystem, start = found
    value_options = _NPM_VALUE_OPTIONS if ecosystem == "npm" else _PIP_VALUE_OPTIONS
    i = start
    while i < len(cmd):
        word = _unquote(cmd[i].text)
        i += 1
        if word.startswith("-"):
            if "=" not in word and word in value_options:
                i += 1
            continue
        if "$" in word or not word:
            continue
        if ecosystem == "npm":
            name = _npm_name(word)
        else:
            if "://" in word or word.startswith((".", "/")):
                continue
            spec = word.split("::", 1)[-1]  # conda channel::name
            if ecosystem == "conda":
                spec = re.split(r"[=<>!~ ]", spec, maxsplit=1)[0]
            req = parse_requirement(spec)
            name = req.name if req is not None else None
        if name:
            facts.packages.append(
                Package("pypi" if ecosystem == "conda" else ecosystem, name, cmd[i - 1].line)
            )


def read_dockerfile(text: str, facts: IacFacts) -> None:
    """Add the images and installed packages of a Dockerfile to ``facts``."""
    variables: dict[str, str] = {}
    stages: set[str] = set()
    for keyword, parts in _instructions(text):
        line = parts[0][0]
        args = " ".join(t.strip() for _, t, heredoc in parts if t.strip() and not heredoc)
        if keyword == "ARG":
            for word in _WORD.findall(args):
                name, eq, default = _unquote(word).partition("=")
                if eq and name not in variables:
                    variables[name] = default
        elif keyword == "FROM":
            words = [_unquote(w) for w in _WORD.findall(args) if not w.startswith("--")]
            if not words:
                continue
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
            ref = _substitute(words[0], variables)
            if ref and ref.lower() not in stages and ref.lower() != "scratch":
                facts.images.append(Image(ref, line))
        elif keyword in ("COPY", "ADD"):
            for word in _WORD.findall(args):
                if word.startswith("--from="):
                    ref = _substitute(_unquote(word[len("--from=") :]), variables)
                    if ref and ref.lower() not in stages and not ref.isdigit():
                        facts.images.append(Image(ref, line))
        elif keyword == "RUN":
            for cmd in _commands(_words(parts)):
                cmd = _strip_prefix(cmd)
                if cmd:
                    _packages(cmd, facts)
