"""Webhook notifications against a local HTTP server: payloads, retries, failures, secrecy."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner, Result
from werkzeug import Request, Response

from inventory_db.diff import Change, SystemRef
from reports import notify
from scanner.cli import app

runner = CliRunner()
SECRET_PATH = "/services/T0001/B0002/s3cr3tW3bh00kT0ken"
SECRET = "s3cr3tW3bh00kT0ken"


def change(system_id: int, name: str, status: str = "discovered", kind: str = "added") -> Change:
    return Change(
        SystemRef(
            id=system_id,
            identity_key=f"code:/src/app:{name.lower()}",
            vendor=name.lower(),
            product=name.lower(),
            product_name=name,
            category="llm-api",
            scope_kind="code",
            scope_id="/src/app",
            scope_name="app",
            status=status,
            confidence=3,
        ),
        kind,
    )


NOTICE = notify.Notice(
    "new-shadow-ai", 7, 6, (change(3, "Anthropic API"), change(4, "Evil <!channel> & co"))
)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def hook(server: HTTPServer, fmt: str = "json") -> notify.Webhook:
    return notify.Webhook("AICENSUS_HOOK", server.url_for(SECRET_PATH), fmt)


def bodies(server: HTTPServer) -> list[dict[str, object]]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def test_shadow_notice_keeps_only_unregistered_additions() -> None:
    changes = [
        change(1, "OpenAI API", status="approved"),
        change(2, "Anthropic API"),
        change(3, "Mistral", kind="changed"),
    ]
    notice = notify.shadow_notice(changes, 9, 8)
    assert notice is not None
    assert [c.system.id for c in notice.systems] == [2]
    assert notice.title == "aicensus scan 9: 1 new shadow AI system"
    assert notify.shadow_notice(changes[:1], 9, 8) is None


def test_slack_payload_is_text_and_blocks_with_mrkdwn_escaped() -> None:
    payload = notify.slack_payload(NOTICE)
    assert payload["text"] == "aicensus scan 7: 2 new shadow AI systems"
    blocks = payload["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "context"]
    body = blocks[1]["text"]["text"]
    assert "#3 Anthropic API (llm-api) in app" in body
    assert "Evil &lt;!channel&gt; &amp; co" in body  # no @channel ping from a scanned name
    assert "<!channel>" not in json.dumps(payload)


def test_teams_payload_is_an_adaptive_card() -> None:
    payload = notify.teams_payload(NOTICE)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert facts[0] == {"title": "#3", "value": "Anthropic API (llm-api) in app"}


def test_json_payload_lists_systems() -> None:
    payload = notify.json_payload(NOTICE)
    assert payload["schema"] == "aicensus.notification/1"
    assert payload["event"] == "new-shadow-ai"
    assert (payload["scan"], payload["from_scan"]) == (7, 6)
    systems = payload["systems"]
    assert isinstance(systems, list)
    assert [s["id"] for s in systems] == [3, 4]
    assert systems[0]["scope"] == {"kind": "code", "id": "/src/app", "name": "app"}


def test_a_failing_endpoint_is_retried_then_delivered(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(SECRET_PATH, method="POST").respond_with_data(
        "down", status=500
    )
    httpserver.expect_ordered_request(SECRET_PATH, method="POST").respond_with_data("ok")
    sleeps = Sleeps()
    (delivery,) = notify.notify([hook(httpserver, "slack")], NOTICE, sleep=sleeps)
    assert delivery == notify.Delivery("AICENSUS_HOOK", True, 2, 200)
    assert sleeps.waits == [0.5]
    sent = bodies(httpserver)
    assert len(sent) == 2 and sent[0] == sent[1] == notify.slack_payload(NOTICE)
    request, _ = httpserver.log[0]
    assert request.headers["Content-Type"] == "application/json"


def test_retry_after_is_honoured_and_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "2"})
    )
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "3600"})
    )
    httpserver.expect_ordered_request(SECRET_PATH).respond_with_data("ok")
    sleeps = Sleeps()
    (delivery,) = notify.notify([hook(httpserver)], NOTICE, sleep=sleeps)
    assert delivery.ok and delivery.attempts == 3
    assert sleeps.waits == [2.0, notify.MAX_BACKOFF]


def test_a_permanent_failure_is_bounded_and_returned(httpserver: HTTPServer) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("down", status=503)
    sleeps = Sleeps()
    (delivery,) = notify.notify([hook(httpserver)], NOTICE, retries=2, sleep=sleeps)
    assert delivery == notify.Delivery("AICENSUS_HOOK", False, 3, 503, "HTTP 503")
    assert sleeps.waits == [0.5, 1.0]
    assert len(httpserver.log) == 3


def test_client_errors_are_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request(SECRET_PATH).respond_with_data("gone", status=404)
    second = notify.Webhook("OTHER_HOOK", httpserver.url_for("/other"), "json")
    httpserver.expect_request("/other").respond_with_data("ok")
    sleeps = Sleeps()
    first, ok = notify.notify([hook(httpserver), second], NOTICE, sleep=sleeps)
    assert (first.ok, first.attempts, first.status) == (False, 1, 404)
    assert (ok.ok, ok.webhook) == (True, "OTHER_HOOK")  # one dead webhook does not stop others
    assert sleeps.waits == []


def test_connection_errors_never_show_the_url(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}{SECRET_PATH}?token={SECRET}"
    webhook = notify.Webhook("AICENSUS_HOOK", url, "teams")
    caplog.set_level(logging.DEBUG)
    (delivery,) = notify.notify([webhook], NOTICE, retries=1, sleep=Sleeps())
    assert not delivery.ok and delivery.attempts == 2 and delivery.status is None
    assert "ConnectError" in delivery.error
    for text in (delivery.error, caplog.text, repr(webhook), repr(delivery)):
        assert SECRET not in text
    assert "webhook AICENSUS_HOOK failed after 2 attempt(s)" in caplog.text
    assert notify.mask_url(url) == "http://127.0.0.1/***"
    assert notify.redact(f"POST {url} failed", url) == "POST http://127.0.0.1/*** failed"


def test_webhooks_come_from_environment_variable_names() -> None:
    env = {"GOOD": "https://hooks.example/x/y", "NOT_URL": "s3cr3t-value", "EMPTY": ""}
    hooks, problems = notify.webhooks_from_env(
        ["GOOD", "NOT_URL", "EMPTY", "MISSING", "bad name"], "slack", env
    )
    assert hooks == [notify.Webhook("GOOD", "https://hooks.example/x/y", "slack")]
    assert [(p.webhook, p.error) for p in problems] == [
        ("NOT_URL", "NOT_URL does not hold an http(s) URL"),
        ("EMPTY", "environment variable EMPTY is unset"),
        ("MISSING", "environment variable MISSING is unset"),
        ("bad name", "not an environment variable name"),
    ]
    assert "s3cr3t-value" not in repr(problems)


# -- wired into `aicensus scan` --------------------------------------------------------------

CODE: dict[str, str | bytes] = {"app.py": "import anthropic\n\nclient = anthropic.Anthropic()\n"}


def scan(db: str, repo: Path, *args: str, verbose: bool = False) -> Result:
    """``aicensus [-v] scan REPO``; ``-v`` logs debug detail (where a careless URL would show)."""
    flags = ["-v"] if verbose else []
    return runner.invoke(app, [*flags, "scan", str(repo), "--db", db, "--no-cache", *args])


@pytest.fixture
def repo(make_tree: Callable[..., Path]) -> Path:
    return make_tree(CODE)


def test_scan_notifies_after_a_failure_then_success_and_keeps_its_exit_code(
    httpserver: HTTPServer, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICENSUS_HOOK", httpserver.url_for(SECRET_PATH))
    httpserver.expect_ordered_request(SECRET_PATH, method="POST").respond_with_data(
        "down", status=500
    )
    httpserver.expect_ordered_request(SECRET_PATH, method="POST").respond_with_data("ok")
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    result = scan(
        db,
        repo,
        "--fail-on",
        "new-shadow-ai",
        "--notify-webhook-env",
        "AICENSUS_HOOK",
        "--notify-format",
        "json",
        verbose=True,
    )
    assert result.exit_code == 4, result.output  # the policy's exit code, unchanged
    assert "notified AICENSUS_HOOK (attempts: 2)" in result.output
    assert SECRET not in result.output
    sent = bodies(httpserver)
    assert len(sent) == 2
    assert sent[1]["event"] == "new-shadow-ai"
    systems = sent[1]["systems"]
    assert isinstance(systems, list)
    assert [s["product"] for s in systems] == ["anthropic"]

    # Nothing new the second time: no notification at all.
    httpserver.clear_log()
    again = scan(db, repo, "--notify-webhook-env", "AICENSUS_HOOK", "--notify-format", "json")
    assert again.exit_code == 0, again.output
    assert httpserver.log == []
    assert "notified" not in again.output


def test_scan_records_a_permanently_failing_webhook_without_failing(
    httpserver: HTTPServer, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICENSUS_HOOK", httpserver.url_for(SECRET_PATH))
    httpserver.expect_request(SECRET_PATH).respond_with_data("down", status=500)
    seen: list[str] = []

    def record(request: Request) -> Response:
        seen.append(request.get_data(as_text=True))
        return Response("ok")

    httpserver.expect_request("/teams").respond_with_handler(record)
    monkeypatch.setenv("TEAMS_HOOK", httpserver.url_for("/teams"))
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    result = scan(
        db,
        repo,
        "--notify-webhook-env",
        "AICENSUS_HOOK",
        "--notify-webhook-env",
        "TEAMS_HOOK",
        "--notify-webhook-env",
        "UNSET_HOOK",
        "--notify-format",
        "teams",
        "--notify-retries",
        "1",
    )
    assert result.exit_code == 0, result.output  # no --fail-on: success, whatever the webhook
    output = " ".join(result.output.split())
    assert "notification to AICENSUS_HOOK failed after 2 attempt(s): HTTP 500" in output
    assert "notification to UNSET_HOOK failed after 0 attempt(s)" in output
    assert "notified TEAMS_HOOK (attempts: 1)" in output
    assert SECRET not in result.output
    assert len([r for r, _ in httpserver.log if r.path == SECRET_PATH]) == 2
    assert json.loads(seen[0])["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_scan_refuses_an_unknown_notify_format(repo: Path, tmp_path: Path) -> None:
    result = scan(f"sqlite:///{tmp_path / 'inv.db'}", repo, "--notify-format", "discord")
    assert result.exit_code == 2
    assert "unknown --notify-format 'discord'" in result.output
