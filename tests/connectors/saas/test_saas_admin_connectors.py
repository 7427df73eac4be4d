"""GitHub (Copilot, installed apps), Okta and Slack connectors against local stand-ins: each
API in its own JSON shape and paging style, with a 429 in the path and denials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from connectors.base import CloudConnector, CloudResource, Coverage, NullProgress, Outcome
from connectors.saas.github_admin import GitHubAdminConnector, GitHubAdminOptions, github_scope
from connectors.saas.http import RetryPolicy, static_token
from connectors.saas.okta import OktaConnector, OktaOptions
from connectors.saas.slack import SlackConnector, SlackOptions
from detectors.cloud import detect_resource
from examples.standins.saas_admin import (
    ORG,
    FakeSaas,
    json_response,
    seed_github,
    seed_okta,
    seed_slack,
    slack_error,
)
from fingerprints.catalog import Catalog

TOKEN = "ghp_0123456789abcdefABCDEF0123456789abcd"
NOW = datetime(2026, 3, 10, tzinfo=UTC)


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def read(connector: CloudConnector) -> tuple[dict[str, CloudResource], Coverage]:
    coverage = Coverage()
    resources: dict[str, CloudResource] = {}
    for obs in connector.observe(coverage, NullProgress()):
        assert obs.resource is not None and obs.locator == obs.resource.id
        resources[obs.resource.name] = obs.resource
    return resources, coverage


def products(catalog: Catalog, connector: CloudConnector) -> list[tuple[str, str]]:
    found = {
        (f.product_id, f.location.locator)
        for obs in connector.observe(Coverage(), NullProgress())
        for f in detect_resource(catalog, obs)
    }
    return sorted(found)


# --- GitHub ---------------------------------------------------------------------------------


@pytest.fixture
def github(httpserver: HTTPServer) -> Iterator[FakeSaas]:
    fake = FakeSaas(httpserver, f"Bearer {TOKEN}")
    seed_github(fake, prefix="/api/v3")
    yield fake


def github_connector(
    fake: FakeSaas, waits: Waits | None = None, **kw: bool
) -> GitHubAdminConnector:
    return GitHubAdminConnector(
        GitHubAdminOptions(
            org=ORG,
            token=static_token(TOKEN),
            api_url=f"{fake.base}/api/v3",  # GitHub Enterprise Server layout
            now=NOW,
            retry=RetryPolicy(sleep=waits or Waits()),
            **kw,
        )
    )


def test_github_copilot_seats_and_installed_apps(github: FakeSaas) -> None:
    # Arrange: the second page of seats is throttled once
    github.throttle(f"/api/v3/orgs/{ORG}/copilot/billing/seats", "page=2")
    waits = Waits()

    # Act
    resources, coverage = read(github_connector(github, waits))

    # Assert
    assert list(resources) == [
        "GitHub Copilot Business",
        "CodeRabbit AI",
        "GitHub Actions",
        "acme-internal-bot",
    ]
    copilot = resources["GitHub Copilot Business"]
    assert (copilot.type, copilot.publisher, copilot.app_id, copilot.standalone) == (
        "github:copilot",
        "GitHub",
        "copilot_business",
        False,
    )
    assert dict(copilot.properties) == {
        "plan": "business",
        "seats_total": "5",
        "seats_listed": "5",
        "seats_active_30d": "2",
        "seats_pending_invitation": "0",
        "seats_pending_cancellation": "0",
        "seat_management_setting": "assign_selected",
        "ide_chat": "enabled",
        "platform_chat": "enabled",
        "cli": "disabled",
        "public_code_suggestions": "block",
        "editors": "JetBrains-IC vscode",
    }
    assert copilot.principals == ()
    rabbit = resources["CodeRabbit AI"]
    assert (rabbit.type, rabbit.app_id, rabbit.publisher, rabbit.hosts) == (
        "github:installation",
        "coderabbitai",
        "coderabbitai",
        ("coderabbit.ai",),
    )
    assert rabbit.properties["write_permissions"] == "checks issues pull_requests"
    assert rabbit.properties["repository_selection"] == "all"
    assert resources["acme-internal-bot"].properties["suspended"] == "yes"
    assert sorted((a.area, a.outcome) for a in coverage.areas) == [
        ("github:copilot", Outcome.OK),
        ("github:installations", Outcome.OK),
    ]
    # an app GitHub does not describe publicly is a recorded skip, not a failure
    assert [s.reason for s in coverage.skips] == [
        "app acme-internal-bot not described: GET /api/v3/apps/acme-internal-bot: HTTP 404: "
        "Not Found"
    ]
    seat_pages = [q.get("page") for _, p, q in github.log if p.endswith("/billing/seats")]
    assert seat_pages == [None, "2", "2", "3"]
    assert waits.seconds == [1.0]
    assert {m for m, _, _ in github.log} == {"GET"}
    assert all(
        obs_scope == github_scope(f"{github.base}/api/v3", ORG)
        for obs_scope in {
            o.scope for o in github_connector(github).observe(Coverage(), NullProgress())
        }
    )


def test_github_seat_logins_only_when_asked(github: FakeSaas) -> None:
    resources, _ = read(github_connector(github, include_principals=True))
    assert resources["GitHub Copilot Business"].principals == (
        "hubot",
        "mona2",
        "monalisa",
        "newbie",
        "octocat",
    )


def test_github_denials_name_the_token_scope_and_no_subscription_is_not_a_failure(
    github: FakeSaas,
) -> None:
    # Arrange: installations refused; Copilot answers 422 (no subscription)
    github.deny(
        f"/api/v3/orgs/{ORG}/installations",
        json_response({"message": "Must have admin rights to Repository."}, 403),
    )
    github.deny(
        f"/api/v3/orgs/{ORG}/copilot/billing",
        json_response({"message": "There is a problem with your Copilot subscription"}, 422),
    )

    # Act
    resources, coverage = read(github_connector(github))

    # Assert
    assert resources == {}
    assert {a.area: (a.outcome, a.message) for a in coverage.areas} == {
        "github:copilot": (Outcome.OK, "no Copilot subscription"),
        "github:installations": (
            Outcome.DENIED,
            f"GET /api/v3/orgs/{ORG}/installations: access denied, needs admin:read "
            "(Must have admin rights to Repository.)",
        ),
    }


def test_github_copilot_denied_names_manage_billing(github: FakeSaas) -> None:
    github.deny(
        f"/api/v3/orgs/{ORG}/copilot/billing",
        json_response({"message": "Resource not accessible by personal access token"}, 403),
    )
    resources, coverage = read(github_connector(github))
    assert "GitHub Copilot Business" not in resources
    copilot = next(a for a in coverage.areas if a.area == "github:copilot")
    assert copilot.outcome is Outcome.DENIED
    assert "needs manage_billing:copilot (or read:org)" in copilot.message


def test_github_org_gives_copilot_and_coderabbit(github: FakeSaas, catalog: Catalog) -> None:
    assert products(catalog, github_connector(github)) == [
        ("coderabbit", f"orgs/{ORG}/installations/1001"),
        ("github-copilot", f"orgs/{ORG}/copilot"),
    ]


# --- Okta -----------------------------------------------------------------------------------

OKTA_TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab"


@pytest.fixture
def okta(httpserver: HTTPServer) -> FakeSaas:
    fake = FakeSaas(httpserver, f"SSWS {OKTA_TOKEN}")
    seed_okta(fake)
    return fake


def okta_connector(fake: FakeSaas, waits: Waits | None = None, **kw: bool) -> OktaConnector:
    return OktaConnector(
        OktaOptions(
            org_url=fake.base,
            token=static_token(OKTA_TOKEN),
            retry=RetryPolicy(sleep=waits or Waits()),
            **kw,
        )
    )


def test_okta_apps_with_assignment_counts(okta: FakeSaas) -> None:
    # Arrange: the second page of apps is throttled once
    okta.throttle("/api/v1/apps", "after=0oa2slack")
    waits = Waits()

    # Act
    resources, coverage = read(okta_connector(okta, waits))

    # Assert
    assert list(resources) == [
        "ChatGPT Enterprise",
        "Slack",
        "Perplexity Enterprise Pro",
        "Workday",
    ]
    chatgpt = resources["ChatGPT Enterprise"]
    assert (chatgpt.type, chatgpt.app_id, chatgpt.hosts, chatgpt.id) == (
        "okta:app",
        "openai_chatgptenterprise",
        ("auth.openai.com",),
        "api/v1/apps/0oa1chatgpt",
    )
    assert dict(chatgpt.properties) == {
        "oin_name": "openai_chatgptenterprise",
        "status": "ACTIVE",
        "sign_on_mode": "SAML_2_0",
        "users_assigned": "3",
        "groups_assigned": "1",
    }
    assert chatgpt.principals == ()
    assert resources["Perplexity Enterprise Pro"].hosts == ("www.perplexity.ai",)
    assert resources["Workday"].properties["status"] == "INACTIVE"
    assert [(a.area, a.outcome) for a in coverage.areas] == [("okta:apps", Outcome.OK)]
    app_pages = [q.get("after") for _, p, q in okta.log if p == "/api/v1/apps"]
    assert app_pages == [None, "0oa2slack", "0oa2slack"]
    user_pages = [q.get("after") for _, p, q in okta.log if p == "/api/v1/apps/0oa1chatgpt/users"]
    assert user_pages == [None, "00u1"]
    assert waits.seconds == [1.0]
    assert {m for m, _, _ in okta.log} == {"GET"}


def test_okta_logins_only_when_asked(okta: FakeSaas) -> None:
    resources, _ = read(okta_connector(okta, include_principals=True))
    assert resources["Perplexity Enterprise Pro"].principals == (
        "dan@acme.example",
        "eve@acme.example",
    )


def test_okta_denied_names_okta_apps_read(okta: FakeSaas) -> None:
    okta.deny(
        "/api/v1/apps",
        json_response(
            {
                "errorCode": "E0000006",
                "errorSummary": "You do not have permission to perform the requested action",
                "errorLink": "E0000006",
                "errorCauses": [],
            },
            403,
        ),
    )
    resources, coverage = read(okta_connector(okta))
    assert resources == {}
    assert [(a.area, a.outcome, a.message) for a in coverage.areas] == [
        (
            "okta:apps",
            Outcome.DENIED,
            "GET /api/v1/apps: access denied, needs okta.apps.read (E0000006: You do not have "
            "permission to perform the requested action)",
        )
    ]


def test_okta_bearer_tokens_for_oauth_service_apps(httpserver: HTTPServer) -> None:
    fake = FakeSaas(httpserver, f"Bearer {OKTA_TOKEN}")
    seed_okta(fake)
    connector = OktaConnector(
        OktaOptions(org_url=fake.base, token=static_token(OKTA_TOKEN), auth="bearer")
    )
    resources, coverage = read(connector)
    assert len(resources) == 4 and coverage.failed == []
    with pytest.raises(ValueError, match="ssws, bearer"):
        OktaOptions(org_url=fake.base, token=static_token(OKTA_TOKEN), auth="basic")


def test_okta_org_gives_chatgpt_and_perplexity(okta: FakeSaas, catalog: Catalog) -> None:
    found = products(catalog, okta_connector(okta))
    assert [pid for pid, _ in found] == ["chatgpt", "perplexity"]
    assert found[0][1] == "api/v1/apps/0oa1chatgpt"


# --- Slack ----------------------------------------------------------------------------------

SLACK_TOKEN = "xoxp-1111111111-2222222222-3333333333-abcdef0123456789"


def slack_connector(fake: FakeSaas, waits: Waits | None = None, **kw: bool) -> SlackConnector:
    return SlackConnector(
        SlackOptions(
            token=static_token(SLACK_TOKEN),
            api_url=f"{fake.base}/api",
            retry=RetryPolicy(sleep=waits or Waits()),
            **kw,
        )
    )


def test_slack_grid_approved_apps_with_scopes(httpserver: HTTPServer) -> None:
    # Arrange
    fake = FakeSaas(httpserver, f"Bearer {SLACK_TOKEN}")
    seed_slack(fake)
    fake.throttle("/api/admin.apps.approved.list", "cursor=c-2")
    waits = Waits()

    # Act
    resources, coverage = read(slack_connector(fake, waits))

    # Assert
    assert list(resources) == ["Claude", "Jira Cloud", "Acme Helpdesk Bot"]
    claude = resources["Claude"]
    assert (claude.type, claude.app_id, claude.id) == (
        "slack:app",
        "A04CLAUDE01",
        "apps/A04CLAUDE01",
    )
    assert claude.hosts == ("claude.ai", "support.anthropic.com", "www.anthropic.com")
    assert dict(claude.properties) == {
        "scopes": "assistant:write channels:history chat:write",
        "sensitive_scopes": "channels:history",
        "ai_assistant": "yes",
        "internal": "no",
        "app_directory_approved": "yes",
        "approved_at": "1740000000",
    }
    assert resources["Jira Cloud"].properties["ai_assistant"] == "no"
    assert resources["Acme Helpdesk Bot"].properties["ai_assistant"] == "yes"
    assert [(a.scope.key, a.area, a.outcome) for a in coverage.areas] == [
        ("slack:E0ACME", "slack:apps", Outcome.OK)
    ]
    cursors = [q.get("cursor") for _, p, q in fake.log if p.endswith("approved.list")]
    assert cursors == [None, "c-2", "c-2"]
    assert waits.seconds == [1.0]
    assert {m for m, _, _ in fake.log} == {"GET"}


def test_slack_without_grid_folds_the_integration_log(httpserver: HTTPServer) -> None:
    # Arrange: a workspace that is not on Enterprise Grid
    fake = FakeSaas(httpserver, f"Bearer {SLACK_TOKEN}")
    seed_slack(fake, grid=False)

    # Act
    resources, coverage = read(slack_connector(fake, include_principals=True))

    # Assert: RSS was removed; Claude was added by two people
    assert list(resources) == ["Jira Cloud", "Claude"]
    claude = resources["Claude"]
    assert dict(claude.properties) == {
        "scopes": "assistant:write channels:history chat:write",
        "ai_assistant": "yes",
        "users_added": "2",
        "integration_type": "app",
    }
    assert claude.principals == ("ana", "chloe")
    area = coverage.areas[0]
    assert (area.area, area.outcome) == ("slack:apps", Outcome.OK)
    assert area.message.startswith("via team.integrationLogs")
    pages = [q.get("page") for _, p, q in fake.log if p.endswith("integrationLogs")]
    assert pages == ["1", "2", "3"]


def test_slack_both_methods_denied_names_both_scopes(httpserver: HTTPServer) -> None:
    fake = FakeSaas(httpserver, f"Bearer {SLACK_TOKEN}")
    seed_slack(fake)
    fake.deny("/api/admin.apps.approved.list", slack_error("missing_scope", "admin.apps:read"))
    fake.deny("/api/team.integrationLogs", slack_error("missing_scope", "admin"))
    resources, coverage = read(slack_connector(fake))
    assert resources == {}
    assert [(a.area, a.outcome, a.message) for a in coverage.areas] == [
        (
            "slack:apps",
            Outcome.DENIED,
            "needs admin.apps:read (Enterprise Grid) or admin (team.integrationLogs): "
            "missing_scope; missing_scope",
        )
    ]


def test_slack_bad_token_is_recorded_not_raised(httpserver: HTTPServer) -> None:
    fake = FakeSaas(httpserver, "Bearer another-token")
    seed_slack(fake)
    resources, coverage = read(slack_connector(fake))
    assert resources == {}
    assert [(a.area, a.outcome) for a in coverage.areas] == [("slack:auth", Outcome.DENIED)]


def test_slack_workspace_gives_claude(httpserver: HTTPServer, catalog: Catalog) -> None:
    fake = FakeSaas(httpserver, f"Bearer {SLACK_TOKEN}")
    seed_slack(fake)
    assert products(catalog, slack_connector(fake)) == [("claude", "apps/A04CLAUDE01")]
