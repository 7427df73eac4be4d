"""The shared SaaS HTTP layer through ``httpx.MockTransport``: paging edge cases, throttling,
denials and token hygiene. The connectors' end-to-end tests use a real local server instead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from connectors.base import Coverage, Outcome, Scope
from connectors.saas.http import (
    PagingLoop,
    RetryPolicy,
    SaasAccessDenied,
    SaasClient,
    SaasConfigError,
    SaasRateLimited,
    SaasRequestError,
    env_token,
    iter_cursor,
    iter_link_header,
    iter_odata,
    iter_page_token,
    read_area,
    static_token,
)

TOKEN = "sekrit-token-0123456789abcdef"
Handler = Callable[[httpx.Request], httpx.Response]


class Waits:
    """Records the waits the client asked for instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def client_for(
    handler: Handler,
    base: str = "https://api.example.test/v1",
    retry: RetryPolicy | None = None,
    **kw: Any,
) -> tuple[SaasClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = SaasClient(
        base, token=static_token(TOKEN), transport=httpx.MockTransport(record), retry=retry, **kw
    )
    return client, seen


def test_odata_paging_follows_next_links_and_sends_params_once() -> None:
    # Arrange: three pages; the next links carry their own query, as Graph's do
    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("$skiptoken", "0"))
        body: dict[str, Any] = {"value": [{"n": skip}, {"n": skip + 1}]}
        if skip < 4:
            body["@odata.nextLink"] = (
                f"https://api.example.test/v1/things?$top=2&$skiptoken={skip + 2}"
            )
        return httpx.Response(200, json=body)

    client, seen = client_for(handler)

    # Act
    items = list(iter_odata(client, "things", params={"$top": 2, "$select": "n"}))

    # Assert
    assert [i["n"] for i in items] == [0, 1, 2, 3, 4, 5]
    assert [r.url.params.get("$select") for r in seen] == ["n", None, None]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in seen)
    assert {r.method for r in seen} == {"GET"}


def test_link_header_paging_reads_lists_and_keyed_objects() -> None:
    # Arrange: GitHub-style Link headers; page 2 is the last
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        headers = {}
        if page == 1:
            url = "https://api.example.test/v1/orgs/acme/installations?per_page=1&page=2"
            headers["Link"] = f'<{url}>; rel="next", <{url}>; rel="last"'
        return httpx.Response(
            200, headers=headers, json={"total_count": 2, "installations": [{"id": page}]}
        )

    client, seen = client_for(handler)

    # Act
    items = list(iter_link_header(client, "orgs/acme/installations", items_key="installations"))

    # Assert
    assert [i["id"] for i in items] == [1, 2]
    assert len(seen) == 2


def test_a_repeated_next_link_is_a_paging_loop_not_an_endless_scan() -> None:
    # Arrange: the server answers every page with the same next link
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"value": [{"x": 1}], "@odata.nextLink": "https://api.example.test/v1/a?p=2"},
        )

    client, seen = client_for(handler)

    # Act / Assert
    with pytest.raises(PagingLoop, match="repeated"):
        list(iter_odata(client, "a"))
    assert len(seen) == 2


def test_a_next_link_to_another_host_is_refused_so_the_token_stays_home() -> None:
    # Arrange
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"value": [], "@odata.nextLink": "https://evil.example.net/v1/a?p=2"}
        )

    client, seen = client_for(handler)

    # Act / Assert
    with pytest.raises(PagingLoop, match="evil.example.net"):
        list(iter_odata(client, "a"))
    assert [r.url.host for r in seen] == ["api.example.test"]


def test_slack_cursor_paging_and_errors_in_a_200_body() -> None:
    # Arrange: two pages by cursor, then a missing scope on another method
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("admin.apps.approved.list"):
            cursor = request.url.params.get("cursor", "")
            nxt = "" if cursor else "dXNlcjpVMDYx"
            return httpx.Response(
                200,
                json={
                    "ok": True,
                    "approved_apps": [{"app": {"id": "A2" if cursor else "A1"}}],
                    "response_metadata": {"next_cursor": nxt},
                },
            )
        return httpx.Response(
            200, json={"ok": False, "error": "missing_scope", "needed": "admin.apps:read"}
        )

    client, seen = client_for(handler, base="https://slack.example.test/api")

    # Act
    apps = list(iter_cursor(client, "admin.apps.approved.list", items_key="approved_apps"))
    with pytest.raises(SaasAccessDenied) as denied:
        list(iter_cursor(client, "admin.apps.restricted.list", items_key="restricted_apps"))

    # Assert
    assert [a["app"]["id"] for a in apps] == ["A1", "A2"]
    assert seen[1].url.params["cursor"] == "dXNlcjpVMDYx"
    assert denied.value.permission == "admin.apps:read"
    assert denied.value.detail == "missing_scope"


def test_google_page_tokens_are_passed_until_none_is_left() -> None:
    # Arrange
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("pageToken", "")
        body: dict[str, Any] = {"items": [{"t": token or "first"}]}
        if token != "p3":
            body["nextPageToken"] = {"": "p2", "p2": "p3"}[token]
        return httpx.Response(200, json=body)

    client, seen = client_for(handler, base="https://admin.example.test")

    # Act
    items = list(iter_page_token(client, "reports/v1/activity", items_key="items"))

    # Assert
    assert [i["t"] for i in items] == ["first", "p2", "p3"]
    assert [r.url.params.get("pageToken") for r in seen] == [None, "p2", "p3"]


def test_429_and_503_are_retried_after_their_retry_after() -> None:
    # Arrange: a 429 with seconds, a 503 with an HTTP date, then success
    answers = [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(
            503,
            headers={
                "Retry-After": format_datetime(datetime.now(UTC) + timedelta(seconds=30), True)
            },
        ),
        httpx.Response(200, json={"ok": 1}),
    ]
    waits = Waits()
    client, seen = client_for(lambda r: answers.pop(0), retry=RetryPolicy(sleep=waits))

    # Act
    body = client.get_json("x")

    # Assert
    assert body == {"ok": 1}
    assert len(seen) == 3
    assert waits.seconds[0] == 2.0
    assert 25 < waits.seconds[1] <= 30
    assert client.waited == sum(waits.seconds)


def test_github_403_with_exhausted_rate_limit_is_throttling_not_denial() -> None:
    # Arrange
    answers = [
        httpx.Response(
            403,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"},
            json={"message": "API rate limit exceeded"},
        ),
        httpx.Response(200, json=[]),
    ]
    waits = Waits()
    client, _ = client_for(lambda r: answers.pop(0), retry=RetryPolicy(sleep=waits))

    # Act / Assert
    assert client.get_json("orgs/acme/installations") == []
    assert waits.seconds == [0.0]


def test_throttling_beyond_the_total_wait_budget_fails_the_call() -> None:
    # Arrange: the API keeps asking for 40 s; the client may wait 60 s in all
    waits = Waits()
    client, seen = client_for(
        lambda r: httpx.Response(429, headers={"Retry-After": "40"}),
        retry=RetryPolicy(max_total_wait=60, sleep=waits),
    )

    # Act / Assert
    with pytest.raises(SaasRateLimited, match="still throttled"):
        client.get("x")
    assert waits.seconds == [40.0]
    assert len(seen) == 2


def test_a_denial_names_the_permission_and_never_the_token() -> None:
    # Arrange: an API that echoes the Authorization header into its error (worst case)
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403,
            json={
                "error": {
                    "code": "Authorization_RequestDenied",
                    "message": f"Insufficient privileges for {request.headers['authorization']}",
                }
            },
        )

    client, _ = client_for(handler)

    # Act
    with pytest.raises(SaasAccessDenied) as caught:
        client.get("servicePrincipals", params={"$top": 5}, permission="Application.Read.All")

    # Assert
    err = caught.value
    assert err.permission == "Application.Read.All"
    assert err.status == 403
    assert str(err).startswith(
        "GET /v1/servicePrincipals: access denied, needs Application.Read.All"
    )
    assert "Authorization_RequestDenied" in str(err)
    assert TOKEN not in str(err) and TOKEN not in repr(client)


def test_other_http_errors_and_transport_failures_are_request_errors() -> None:
    # Arrange
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gone"):
            return httpx.Response(404, json={"message": "Not Found"})
        if request.url.path.endswith("/html"):
            return httpx.Response(200, text="<html>")
        raise httpx.ConnectError("connection refused", request=request)

    client, _ = client_for(handler)

    # Act / Assert
    with pytest.raises(SaasRequestError) as gone:
        client.get("gone")
    assert (gone.value.status, gone.value.detail) == (404, "Not Found")
    with pytest.raises(SaasRequestError, match="not JSON"):
        client.get_json("html")
    with pytest.raises(SaasRequestError, match="ConnectError"):
        client.get("down")


def test_env_token_reads_at_request_time_and_names_a_missing_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Arrange
    monkeypatch.delenv("AICENSUS_TEST_TOKEN", raising=False)
    provider = env_token("AICENSUS_TEST_TOKEN")

    # Act / Assert
    with pytest.raises(SaasConfigError, match="AICENSUS_TEST_TOKEN is not set"):
        provider()
    monkeypatch.setenv("AICENSUS_TEST_TOKEN", TOKEN)
    assert provider() == TOKEN


def test_read_area_records_ok_denied_and_error_and_returns_none_on_failure() -> None:
    # Arrange
    coverage = Coverage()
    scope = Scope("okta", "acme.okta.com")

    def denied() -> list[int]:
        raise SaasAccessDenied("GET /api/v1/apps", 403, "okta.apps.read")

    def broken() -> list[int]:
        raise SaasRequestError("GET /api/v1/apps", 500, "boom")

    # Act
    results = [
        read_area(coverage, scope, "okta:apps", lambda: [1]),
        read_area(coverage, scope, "okta:apps", denied),
        read_area(coverage, scope, "okta:apps", broken),
    ]

    # Assert
    assert results == [[1], None, None]
    assert [(a.outcome, a.message) for a in coverage.areas] == [
        (Outcome.OK, ""),
        (Outcome.DENIED, "GET /api/v1/apps: access denied, needs okta.apps.read"),
        (Outcome.ERROR, "GET /api/v1/apps: HTTP 500: boom"),
    ]


def test_the_token_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    # Arrange
    answers = [httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(401)]
    client, _ = client_for(lambda r: answers.pop(0), retry=RetryPolicy(sleep=Waits()))

    # Act
    with caplog.at_level(logging.DEBUG), pytest.raises(SaasAccessDenied):
        client.get("me")

    # Assert
    assert caplog.records, "the client logs its requests at debug level"
    assert TOKEN not in caplog.text
