"""``classify`` with the start of a file: extension-less scripts with a Python or Node.js shebang
are source; every other file is classified by its name alone, as before."""

from __future__ import annotations

import pytest

from connectors.base import Scope
from detectors.base import Signal
from detectors.engine import FileKind, classify, scan_data
from fingerprints.catalog import Catalog

SCOPE = Scope("code", "example", "example")


@pytest.mark.parametrize(
    ("relpath", "head", "expected"),
    [
        ("bin/gpt4", b"#!/usr/bin/env python3\nimport openai\n", (FileKind.SOURCE, "python")),
        ("bin/gpt3", b"#!/usr/bin/env python\n", (FileKind.SOURCE, "python")),
        ("scripts/tool", b"#!/usr/bin/python3.11 -u\n", (FileKind.SOURCE, "python")),
        ("scripts/tool", b"#! /usr/local/bin/python3\r\n", (FileKind.SOURCE, "python")),
        ("bin/cli", b"#!/usr/bin/env node\n'use strict';\n", (FileKind.SOURCE, "javascript")),
        ("bin/cli", b"#!/usr/bin/env -S node --no-warnings\n", (FileKind.SOURCE, "javascript")),
        ("bin/cli", b"#!/usr/bin/env NODE_ENV=production node\n", (FileKind.SOURCE, "javascript")),
        ("bin/cli", b"#!/usr/bin/nodejs\n", (FileKind.SOURCE, "javascript")),
        # Other interpreters, no shebang, a shebang later in the file, an empty one.
        ("bin/run", b"#!/bin/bash\npython3 -c 'import openai'\n", None),
        ("bin/run", b"#!/usr/bin/env ruby\n", None),
        ("bin/run", b"#!/usr/bin/env python-config\n", None),
        ("bin/run", b"import openai\n", None),
        ("bin/run", b"\n#!/usr/bin/env python3\n", None),
        ("bin/run", b"#!\n", None),
        ("bin/run", b"", None),
        # A suffix or a name of its own decides, whatever the first line says.
        ("deploy.sh", b"#!/usr/bin/env python3\n", (FileKind.TEXT, ".sh")),
        ("LICENSE", b"Copyright (c) 2026 Acme\n", None),
        ("Makefile", b"#!/usr/bin/env python3\n", (FileKind.TEXT, "makefile")),
        ("Dockerfile", b"#!/usr/bin/env python3\n", (FileKind.IAC, "dockerfile")),
        ("tool.py", b"#!/usr/bin/env node\n", (FileKind.SOURCE, "python")),
    ],
)
def test_shebang_scripts_are_source(
    relpath: str, head: bytes, expected: tuple[FileKind, str] | None
) -> None:
    assert classify(relpath, head=head) == expected


def test_without_the_head_an_extension_less_file_is_ignored() -> None:
    assert classify("bin/gpt4") is None


SCRIPT = b"""#!/usr/bin/env python3
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
reply = client.chat.completions.create(model="gpt-3.5-turbo", messages=[])
"""


def test_a_python_script_is_parsed_as_python(catalog: Catalog) -> None:
    result = scan_data(catalog, SCOPE, "bin/gpt3", SCRIPT, kind=classify("bin/gpt3", head=SCRIPT))
    assert result.parsed
    got = {(f.product_id, f.signal, f.location.line) for f in result.findings}
    assert ("openai", Signal.CODE_IMPORT, 3) in got
    assert ("openai", Signal.CODE_CALL, 5) in got
    models = {m for f in result.findings for m in f.models}
    assert "gpt-3.5-turbo" in models


def test_a_script_without_a_keyword_is_never_parsed(catalog: Catalog) -> None:
    data = b"#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n"
    result = scan_data(catalog, SCOPE, "bin/echo", data, kind=classify("bin/echo", head=data))
    assert not result.parsed
    assert result.findings == ()
