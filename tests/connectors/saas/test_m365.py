"""The Microsoft 365 / Entra ID connector against a local Graph stand-in (real HTTP, paging
by ``@odata.nextLink``, a 429 in the path), then through the real detectors."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from connectors.base import CloudResource, Coverage, NullProgress, Outcome
from connectors.saas.http import RetryPolicy, static_token
from connectors.saas.m365 import M365Connector, M365Options, graph_token, is_risky_scope
from detectors.cloud import detect_resource
from examples.standins.saas_admin import (
    COPILOT_SKU,
    SP,
    TENANT,
    FakeSaas,
    graph_denied,
    seed_graph,
)
from fingerprints.catalog import Catalog

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-test-token"


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def graph(httpserver: HTTPServer) -> FakeSaas:
    fake = FakeSaas(httpserver, f"Bearer {TOKEN}")
    seed_graph(fake)
    return fake


def scan(
    fake: FakeSaas, waits: Waits | None = None, **options: Any
) -> tuple[dict[str, CloudResource], Coverage]:
    connector = M365Connector(
        M365Options(
            tenant_id=TENANT,
            token=static_token(TOKEN),
            graph_url=fake.base,
            retry=RetryPolicy(sleep=waits or Waits()),
            **options,
        )
    )
    coverage = Coverage()
    observations = list(connector.observe(coverage, NullProgress()))
    resources = {}
    for obs in observations:
        assert obs.resource is not None
        assert obs.scope.key == f"m365:{TENANT}" and obs.scope.name == "Contoso Ltd"
        resources[obs.resource.name] = obs.resource
    return resources, coverage


def test_the_tenant_is_read_with_consents_folded_into_each_app(graph: FakeSaas) -> None:
    # Arrange: the second page of service principals is throttled once
    graph.throttle("/v1.0/servicePrincipals", "skiptoken=2")
    waits = Waits()

    # Act
    resources, coverage = scan(graph, waits)

    # Assert: every app and licence, in order, with what was granted
    assert list(resources) == [
        "ChatGPT",
        "Microsoft Graph",
        "Otter.ai",
        "Contoso Payroll",
        "DocuSign",
        "Microsoft_365_Copilot",
        "SPE_E5",
    ]
    chatgpt = resources["ChatGPT"]
    assert (chatgpt.type, chatgpt.publisher, chatgpt.app_id, chatgpt.standalone) == (
        "m365:servicePrincipal",
        "OpenAI",
        "e0476654-c1d5-430b-ab80-70cbd947616a",
        False,
    )
    assert chatgpt.hosts == ("auth.openai.com", "chatgpt.com")
    assert dict(chatgpt.properties) == {
        "app_id": "e0476654-c1d5-430b-ab80-70cbd947616a",
        "service_principal_type": "Application",
        "enabled": "yes",
        "verified_publisher": "OpenAI",
        "publisher_name": "OpenAI",
        "consent": "all users",
        "consent_type": "AllPrincipals",
        "delegated_scopes": "User.Read email offline_access openid profile",
        "users_consented": "0",
        "assigned_users": "0",
        "assigned_groups": "1",
        "risky_scopes": "offline_access",
    }
    otter = resources["Otter.ai"]
    assert otter.publisher == "Otter.ai, Inc."
    assert otter.hosts == ("otter.ai",)
    assert otter.properties["consent"] == "individual users"
    assert otter.properties["users_consented"] == "3"
    assert otter.properties["risky_scopes"] == "Calendars.Read OnlineMeetings.Read offline_access"
    assert otter.principals == ()  # personal data minimised: counts only
    docusign = resources["DocuSign"]
    assert docusign.properties["application_permissions"] == "User.Read.All"
    assert docusign.properties["risky_scopes"] == "User.Read.All"
    assert docusign.properties["assigned_users"] == "2"
    assert "consent" not in resources["Contoso Payroll"].properties
    copilot = resources["Microsoft_365_Copilot"]
    assert (copilot.type, copilot.app_id, copilot.id) == (
        "m365:subscribedSku",
        "Microsoft_365_Copilot",
        f"subscribedSkus/{COPILOT_SKU}",
    )
    assert copilot.properties["seats_assigned"] == "45"
    assert copilot.properties["seats_purchased"] == "50"
    assert resources["SPE_E5"].properties["seats_warning"] == "10"
    # Coverage: every area read
    assert sorted((a.area, a.outcome) for a in coverage.areas) == [
        ("graph:appRoleAssignments", Outcome.OK),
        ("graph:oauth2PermissionGrants", Outcome.OK),
        ("graph:organization", Outcome.OK),
        ("graph:servicePrincipals", Outcome.OK),
        ("graph:subscribedSkus", Outcome.OK),
    ]
    # Paging and throttling: 3 pages of apps (one 429 retried after its Retry-After)
    sp_pages = [q for m, p, q in graph.log if p == "/v1.0/servicePrincipals"]
    assert [q.get("$skiptoken") for q in sp_pages] == [None, "2", "2", "4"]
    assert waits.seconds == [1.0]
    # Read-only: GETs only; first-party and home-grown apps' permissions are not read one by one
    assert {m for m, _, _ in graph.log} == {"GET"}
    per_app = {p.split("/")[3] for p in graph.paths() if p.count("/") == 4}
    assert per_app == {SP["chatgpt"], SP["otter"], SP["docusign"]}


def test_principals_are_named_only_when_asked_for(graph: FakeSaas) -> None:
    # Act
    resources, coverage = scan(graph, include_principals=True)

    # Assert
    assert resources["Otter.ai"].principals == (
        "ana@contoso.example",
        "ben@contoso.example",
        "chloe@contoso.example",
    )
    assert resources["DocuSign"].principals == ("dan@contoso.example",)
    assert ("graph:users", Outcome.OK) in [(a.area, a.outcome) for a in coverage.areas]


def test_a_denied_area_is_recorded_with_the_permission_and_the_rest_is_read(
    graph: FakeSaas,
) -> None:
    # Arrange: the app needs Application.Read.All, which it lacks; grants and SKUs are readable
    graph.deny("/v1.0/servicePrincipals", graph_denied())

    # Act
    resources, coverage = scan(graph)

    # Assert
    assert list(resources) == ["Microsoft_365_Copilot", "SPE_E5"]
    outcomes = {a.area: (a.outcome, a.message) for a in coverage.areas}
    assert outcomes["graph:servicePrincipals"] == (
        Outcome.DENIED,
        "GET /v1.0/servicePrincipals: access denied, needs Application.Read.All "
        "(Authorization_RequestDenied: Insufficient privileges to complete the operation.)",
    )
    assert outcomes["graph:subscribedSkus"] == (Outcome.OK, "")
    assert "graph:appRoleAssignments" not in outcomes  # nothing to read them for


def test_the_seeded_tenant_gives_the_expected_ai_products(
    graph: FakeSaas, catalog: Catalog
) -> None:
    # Arrange
    connector = M365Connector(
        M365Options(tenant_id=TENANT, token=static_token(TOKEN), graph_url=graph.base)
    )

    # Act
    findings = [
        f
        for obs in connector.observe(Coverage(), NullProgress())
        for f in detect_resource(catalog, obs)
    ]

    # Assert
    assert sorted((f.product_id, f.location.locator) for f in findings) == [
        ("chatgpt", f"servicePrincipals/{SP['chatgpt']}"),
        ("microsoft-365-copilot", f"subscribedSkus/{COPILOT_SKU}"),
        ("otter-ai", f"servicePrincipals/{SP['otter']}"),
    ]
    assert all(f.category == "saas-ai-feature" and not f.instance for f in findings)


def test_graph_tokens_come_from_an_azure_identity_credential_per_request() -> None:
    # Arrange: the credential interface of azure-identity (get_token(scope) -> AccessToken)
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import ClientAuthenticationError

    asked: list[tuple[str, ...]] = []

    class Credential:
        def __init__(self, fail: bool = False) -> None:
            self.fail = fail

        def get_token(self, *scopes: str) -> AccessToken:
            asked.append(scopes)
            if self.fail:
                raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.")
            return AccessToken(TOKEN, 4102444800)

    # Act
    token = graph_token(Credential(), "https://graph.microsoft.us/")()

    # Assert
    assert token == TOKEN
    assert asked == [("https://graph.microsoft.us/.default",)]
    with pytest.raises(Exception, match="AADSTS7000215") as failed:
        graph_token(Credential(fail=True))()
    assert type(failed.value).__name__ == "SaasConfigError"


@pytest.mark.parametrize(
    ("scope", "risky"),
    [
        ("Mail.Read", True),
        ("Calendars.ReadWrite", True),
        ("Files.Read.All", True),
        ("Sites.Read.All", True),
        ("offline_access", True),
        ("Application.ReadWrite.All", True),
        ("User.Read", False),
        ("openid", False),
        ("profile", False),
    ],
)
def test_risky_scopes_are_those_reaching_content_or_lasting_access(scope: str, risky: bool) -> None:
    assert is_risky_scope(scope) is risky
