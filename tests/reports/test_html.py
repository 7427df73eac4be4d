"""The HTML report: escaped, self-contained, data-driven sections, and working in Chromium.

The Chromium test renders the real report in headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it and sets ``AICENSUS_REQUIRE_CHROMIUM=1``, so there a missing browser fails the test
instead of skipping it), types into the search box through the page's ``?q=`` parameter, and
reads the DOM after the script ran and the browser's console log.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_estate import HOSTILE, Estate
from typer.testing import CliRunner

from reports.html import bars, to_html
from reports.inventory import GovernanceView, governance_view, load_report, parse_governance
from scanner.cli import app

runner = CliRunner()
REQUIRE_CHROMIUM = os.environ.get("AICENSUS_REQUIRE_CHROMIUM") == "1"
"""CI sets this: there a missing Chromium fails the browser tests instead of skipping them."""


def html(estate: Estate, *args: str) -> str:
    result = runner.invoke(app, ["report", "--db", estate.url, "--format", "html", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


class Page(HTMLParser):
    """Tags, attributes and text of a page, for assertions without a DOM library."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def rows(self, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == "tr" and a.get("class") == cls]


def test_untrusted_snippets_are_escaped(estate: Estate) -> None:
    text = html(estate)
    assert '<script>alert("owned")</script>' not in text
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in text
    page = Page(text)
    assert len(page.scripts) == 1  # only the report's own filter script
    assert HOSTILE in "".join(page.text)  # shown to the reader as text


def test_the_page_is_self_contained(estate: Estate) -> None:
    text = html(estate)
    page = Page(text)
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img"), tag
        for name in ("src", "href", "action", "srcset", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"^\s*(https?:|//|file:)", value, re.I), (tag, name, value)
            if name == "href" and name in attrs:
                assert value.startswith("#"), value  # only in-page anchors
    assert "@import" not in text and "url(" not in text
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None and "default-src 'none'" in csp


def test_sections_summary_shadow_systems_evidence_and_diff(estate: Estate) -> None:
    text = html(estate)
    page = Page(text)
    shown = estate.store.systems()
    assert len(page.rows("system-row")) == len(shown)
    shadow = {a["data-system"] for a in page.rows("shadow-row")}
    expected = {
        str(estate.by_product(p).id) for p in ("anthropic", "openai-api-key", "gguf-model-file")
    }
    assert shadow == expected  # OpenAI was approved and is only "changed"
    kinds = [a["data-kind"] for a in page.rows("change-row")]
    assert sorted(kinds) == ["added", "added", "added", "changed"]
    assert f'<div class="n" data-count="systems">{len(shown)}</div>' in text
    assert '<div class="n" data-count="shadow">3</div>' in text
    for s in shown:
        assert f'<details id="system-{s.id}">' in text
    assert "Systems by category and vendor" in text
    assert "<svg" in text and "<rect" in text


def test_governance_sections_appear_only_with_governance_data(estate: Estate) -> None:
    data = load_report(estate.store, governance=False)
    assert data.governance is None
    bare = to_html(data)
    assert 'id="risk-tiers"' not in bare and 'id="control-gaps"' not in bare
    sagemaker = estate.by_product("aws-sagemaker")
    view = parse_governance(
        {
            "risk_tiers": [
                {
                    "system_id": sagemaker.id,
                    "tier": "high-risk",
                    "confirmed": False,
                    "rationale": "tag recruiting <b>",
                },
                {"tier": "minimal"},  # malformed: no system id, skipped
            ],
            "control_gaps": [
                {"system_id": sagemaker.id, "control": "A.6.2.6", "title": "Operation"},
            ],
        }
    )
    assert view == GovernanceView(view.risk_tiers, view.control_gaps)
    assert len(view.risk_tiers) == 1
    text = to_html(replace(data, governance=view))
    page = Page(text)
    assert 'id="risk-tiers"' in text and 'id="control-gaps"' in text
    joined = " ".join(" ".join(page.text).split())
    assert "high-risk suggested tag recruiting <b>" in joined
    assert "tag recruiting &lt;b&gt;" in text
    assert "A.6.2.6 Operation" in joined


def test_the_governance_package_when_installed_fills_the_sections(estate: Estate) -> None:
    view = governance_view(estate.store)
    if importlib.util.find_spec("governance") is None:
        assert view is None  # not installed: the report simply has no governance sections
        assert 'id="risk-tiers"' not in html(estate)
        return
    assert view is not None
    tiers = {r.system_id: r for r in view.risk_tiers}
    assert set(tiers) == {s.id for s in estate.store.systems()}
    # The SageMaker endpoint named recruiting-llm is suggested high-risk (Annex III employment).
    recruiting = tiers[estate.by_product("aws-sagemaker").id]
    assert (recruiting.tier, recruiting.confirmed) == ("high-risk", False)
    assert "recruiting" in recruiting.rationale
    text = html(estate)
    assert 'id="risk-tiers"' in text
    assert ("control-gaps" in text) == bool(view.control_gaps)


def test_a_governance_package_hook_lights_the_sections_up(
    estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract a governance package meets: ``governance.report_view(store)``."""
    package = tmp_path / "hook" / "governance"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "def report_view(store):\n"
        "    system = next(s for s in store.systems() if s.product == 'aws-sagemaker')\n"
        "    return {'risk_tiers': [{'system_id': system.id, 'tier': 'high-risk',\n"
        "                            'confirmed': True, 'rationale': 'recruiting'}]}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(package.parent))
    saved = sys.modules.pop("governance", None)
    try:
        text = html(estate)
    finally:
        sys.modules.pop("governance", None)
        if saved is not None:
            sys.modules["governance"] = saved
    assert 'id="risk-tiers"' in text
    assert 'id="control-gaps"' not in text  # no gaps reported: no section
    joined = " ".join(" ".join(Page(text).text).split())
    assert "high-risk confirmed recruiting" in joined


def test_chart_bars_are_ranked_and_the_tail_summed() -> None:
    from collections import Counter

    result = bars(Counter({"a": 5, "b": 1, "c": 3, "d": 1}), top=2)
    assert [(b.label, b.count, b.width) for b in result] == [
        ("a", 5, 100.0),
        ("c", 3, 60.0),
        ("other (2)", 2, 40.0),
    ]


# -- in a browser ---------------------------------------------------------------------------

CONSOLE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if REQUIRE_CHROMIUM:
            pytest.fail(message)
        pytest.skip(message)
    return path


def render_in_browser(page: Path, query: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and every console message the page logged."""
    proc = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri() + query,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]
    return proc.stdout, console


def test_console_check_sees_page_errors(tmp_path: Path) -> None:
    """The console check below has teeth: an uncaught error and a blocked fetch are seen."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none';"
        " script-src 'unsafe-inline'\"><img src='http://127.0.0.1:9/x.png'>"
        "<script>undefinedFunction();</script>",
        encoding="utf-8",
    )
    _, console = render_in_browser(page, "", tmp_path / "profile")
    assert any("undefinedFunction" in line for line in console), console
    assert any("Content Security Policy" in line for line in console), console


def test_report_renders_and_searches_in_chromium(estate: Estate, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html(estate), encoding="utf-8")
    total = len(estate.store.systems())

    dom, console = render_in_browser(page, "", tmp_path / "profile")
    assert console == []
    rendered = Page(dom)
    assert len(rendered.rows("system-row")) == total
    assert not [a for a in rendered.rows("system-row") if "hidden" in a]
    assert f"{total} of {total} shown" in dom
    assert '&lt;script&gt;alert("owned")&lt;/script&gt;' in dom  # still text after rendering

    dom, console = render_in_browser(page, "?q=anthropic%20support", tmp_path / "profile")
    assert console == []
    rows = Page(dom).rows("system-row")
    visible = [a["data-system"] for a in rows if "hidden" not in a]
    assert visible == [str(estate.by_product("anthropic").id)]
    assert f"1 of {total} shown" in dom

    dom, _ = render_in_browser(page, "?q=no-such-system", tmp_path / "profile")
    assert f"0 of {total} shown" in dom
