"""The GCP connector as a library: fallbacks, retries, credentials, paging, against the stand-in.

Real SDK clients over REST on 127.0.0.1; ``AnonymousCredentials`` unless a test is about
credentials.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from google.oauth2 import service_account

from connectors.base import Coverage, NullProgress, Observation, Outcome
from connectors.gcp import GcpAccess, GcpConnector
from examples.standins.gcp_assets import FakeGcp, Project, asset

AI_TYPES = ("aiplatform.googleapis.com/.*", "dialogflow.googleapis.com/Agent")


def access(fake: FakeGcp, **extra: object) -> GcpAccess:
    settings: dict[str, object] = {
        "credentials": AnonymousCredentials(),
        "api_endpoint": fake.url,
        "transport": "rest",
        "retry_deadline": 2.0,
        "retry_initial": 0.01,
        "timeout": 5.0,
    }
    settings.update(extra)
    return GcpAccess(**settings)  # type: ignore[arg-type]


def run(connector: GcpConnector) -> tuple[list[Observation], Coverage]:
    coverage = Coverage()
    return list(connector.observe(coverage, NullProgress())), coverage


def outcomes(coverage: Coverage) -> set[tuple[str, str, Outcome]]:
    return {(a.scope.id, a.area, a.outcome) for a in coverage.areas}


def test_enabled_services_are_read_through_service_usage_where_asset_search_is_denied(
    estate: FakeGcp,
) -> None:
    # Arrange
    estate.denied.add("asset:projects/beta-vertex")
    connector = GcpConnector(
        AI_TYPES, projects=["alpha-gemini", "beta-vertex"], access=access(estate)
    )

    # Act
    observations, coverage = run(connector)

    # Assert
    beta = [o.resource for o in observations if o.scope.id == "beta-vertex" and o.resource]
    assert sorted((r.type, r.kind, r.area, r.standalone) for r in beta) == [
        ("serviceusage.googleapis.com/Service", "aiplatform.googleapis.com", "serviceusage", False),
        ("serviceusage.googleapis.com/Service", "storage.googleapis.com", "serviceusage", False),
    ]
    assert outcomes(coverage) == {
        ("alpha-gemini", "asset", Outcome.OK),
        ("beta-vertex", "asset", Outcome.DENIED),
        ("beta-vertex", "serviceusage", Outcome.OK),
    }
    denied = next(a for a in coverage.areas if a.outcome is Outcome.DENIED)
    assert denied.message.startswith("403 Forbidden: The caller does not have permission")
    # alpha's display name comes from its own project asset
    assert {o.scope.name for o in observations if o.scope.id == "alpha-gemini"} == {"Alpha Gemini"}


def test_throttling_is_retried_with_back_off_until_it_passes(estate: FakeGcp) -> None:
    # Arrange: two 429s, then answers
    estate.throttled["asset:folders/77"] = 2
    connector = GcpConnector(AI_TYPES, folder="77", access=access(estate))

    # Act
    observations, coverage = run(connector)

    # Assert
    searches = [r for r in estate.api_requests() if r.path == "/v1/folders/77:searchAllResources"]
    first_pages = [r for r in searches if "pageToken" not in r.query]
    assert len(first_pages) == 3
    assert {o.scope.id for o in observations} == {"beta-vertex"}
    assert ("beta-vertex", "asset", Outcome.OK) in outcomes(coverage)


def test_throttling_past_the_deadline_is_an_error_recorded_never_raised(estate: FakeGcp) -> None:
    # Arrange: throttled for good, on the project and on its enabled-services fallback
    estate.throttled["asset:projects/gamma-bots"] = 10_000
    estate.throttled["serviceusage:projects/gamma-bots"] = 10_000
    connector = GcpConnector(
        AI_TYPES,
        projects=["gamma-bots", "alpha-gemini"],
        access=access(estate, retry_deadline=0.3),
    )

    # Act
    observations, coverage = run(connector)

    # Assert: the next project is still read
    assert outcomes(coverage) == {
        ("gamma-bots", "asset", Outcome.ERROR),
        ("gamma-bots", "serviceusage", Outcome.ERROR),
        ("alpha-gemini", "asset", Outcome.OK),
    }
    assert {o.scope.id for o in observations} == {"alpha-gemini"}


def test_org_search_pages_stay_o_of_pages_whatever_the_number_of_projects(
    fake: FakeGcp,
) -> None:
    # Arrange: 12 projects of 1 endpoint each; the org search returns 12 projects + 12 endpoints
    for i in range(12):
        fake.add_project(
            Project(
                str(2000 + i),
                f"p{i}",
                f"P{i}",
                "organizations/9",
                resources=[
                    asset(
                        str(2000 + i),
                        "aiplatform.googleapis.com/Endpoint",
                        f"projects/{2000 + i}/locations/europe-west4/endpoints/{i}",
                        f"ep{i}",
                    )
                ],
            )
        )
    connector = GcpConnector(AI_TYPES, organization="organizations/9", access=access(fake))

    # Act
    observations, coverage = run(connector)

    # Assert: 24 results at 2 a page = 12 requests, one scope, no per-project call
    paths = [r.path for r in fake.api_requests()]
    assert paths == ["/v1/organizations/9:searchAllResources"] * 12
    assert len(observations) == 12
    assert {o.scope.id for o in observations} == {f"p{i}" for i in range(12)}
    assert len([a for a in coverage.areas if a.outcome is Outcome.OK]) == 13  # org + 12


def test_impersonation_gets_a_token_for_the_target_and_calls_with_it(
    estate: FakeGcp, sa_key_file: Path
) -> None:
    # Arrange: the base credentials are a service-account key whose token endpoint is the fake
    info = json.loads(sa_key_file.read_text()) | {"token_uri": f"{estate.url}/token"}
    base = service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    target = "scanner@acme-security.iam.gserviceaccount.com"
    connector = GcpConnector(
        AI_TYPES,
        projects=["alpha-gemini"],
        access=access(estate, credentials=base, impersonate=target),
    )

    # Act
    observations, coverage = run(connector)

    # Assert
    token_calls = [r for r in estate.requests if r.path.endswith(":generateAccessToken")]
    assert [r.path for r in token_calls] == [
        f"/v1/projects/-/serviceAccounts/{target}:generateAccessToken"
    ]
    assert token_calls[0].caller == "source"  # asked with the base credentials' token
    assert {r.caller for r in estate.api_requests()} == {f"impersonated:{target}"}
    assert outcomes(coverage) == {("alpha-gemini", "asset", Outcome.OK)}
    assert observations


def test_a_missing_credentials_file_is_recorded_for_the_scope(
    fake: FakeGcp, tmp_path: Path
) -> None:
    connector = GcpConnector(
        AI_TYPES,
        organization="4242",
        access=GcpAccess(credentials_file=tmp_path / "nope.json", api_endpoint=fake.url),
    )

    observations, coverage = run(connector)

    assert observations == []
    assert [(a.scope.id, a.outcome) for a in coverage.areas] == [
        ("organizations/4242", Outcome.ERROR)
    ]
    assert "cannot read credentials file" in coverage.areas[0].message
    assert fake.requests == []


@pytest.mark.parametrize(
    "scope",
    [{}, {"organization": "1", "projects": ["a"]}, {"folder": "2", "organization": "1"}],
    ids=["none", "org-and-projects", "folder-and-org"],
)
def test_exactly_one_scope_is_required(scope: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        GcpConnector(AI_TYPES, **scope)  # type: ignore[arg-type]
