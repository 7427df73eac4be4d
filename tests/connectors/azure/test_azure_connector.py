"""The Azure connector on its own: Resource Graph fallback, throttling, partial detail reads,
management groups, and the pure row transforms."""

from __future__ import annotations

import pytest
from azure_estate import AOAI, CLIENT_ID, CLIENT_SECRET, SUB_A, SUB_B, SUB_C, TENANT, TRIAGE_APP

from connectors.azure import AzureConfigError, AzureConnector, AzureOptions
from connectors.azure.rows import from_graph, model_from_asset, to_resource
from connectors.base import Coverage, NullProgress, Observation, Outcome
from examples.standins.azure_arm import FakeArm


def options(arm: FakeArm, **extra: object) -> AzureOptions:
    fields: dict[str, object] = {
        "arm_endpoint": arm.base_url,
        "authority_host": arm.base_url,
        "credential": "secret",
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "connection_verify": arm.ca_path,
        "retries": 0,
    }
    fields.update(extra)
    return AzureOptions(**fields)  # type: ignore[arg-type]


def observe(arm: FakeArm, **extra: object) -> tuple[list[Observation], Coverage]:
    coverage = Coverage()
    found = list(AzureConnector(options(arm, **extra)).observe(coverage, NullProgress()))
    return found, coverage


def areas(coverage: Coverage, outcome: Outcome) -> set[tuple[str, str]]:
    return {(a.scope.id, a.area) for a in coverage.areas if a.outcome is outcome}


def test_resource_graph_denied_falls_back_to_listing_each_subscription(arm: FakeArm) -> None:
    # Arrange
    via_graph, _ = observe(arm)
    arm.reset(arm.state)
    arm.state.graph_denied = True

    # Act
    listed, coverage = observe(arm)

    # Assert: the same resources and models, read with resources.list, and nothing failed
    def facts(found: list[Observation]) -> set[tuple[str, str | None, tuple[str, ...]]]:
        return {(o.locator, o.resource.kind, o.resource.model_ids) for o in found if o.resource}

    assert facts(listed) == facts(via_graph)
    assert coverage.failed == []
    assert areas(coverage, Outcome.SKIPPED) == {
        (SUB_A, "resourcegraph"),
        (SUB_B, "resourcegraph"),
        (SUB_C, "resourcegraph"),
    }
    paths = [r.path for r in arm.requests()]
    assert sum(p.startswith(f"/subscriptions/{SUB_A}/resources?") for p in paths) >= 2  # paged
    aoai = next(o.resource for o in listed if o.locator == AOAI["id"] and o.resource)
    assert aoai.properties["publicNetworkAccess"] == "Enabled"  # from the accounts listing


def test_a_throttled_query_is_retried_within_the_bound(arm: FakeArm) -> None:
    arm.state.throttle_graph = 1

    found, coverage = observe(arm, retries=1, retry_backoff=0.0)

    assert coverage.failed == [] and areas(coverage, Outcome.SKIPPED) == set()
    assert len(found) == 11
    graph = [r for r in arm.requests() if r.path.startswith("/providers/Microsoft.ResourceGraph")]
    assert len(graph) == 7  # six pages, the first one twice


def test_throttling_beyond_the_bound_falls_back_instead_of_failing(arm: FakeArm) -> None:
    arm.state.throttle_graph = 5

    found, coverage = observe(arm, retries=1, retry_backoff=0.0)

    assert len(found) == 11 and coverage.failed == []
    assert any("RateLimiting" in a.message for a in coverage.areas if a.area == "resourcegraph")


def test_a_denied_detail_read_keeps_the_account_and_marks_its_area(arm: FakeArm) -> None:
    # Arrange: diagnostic settings of one account are not readable
    arm.state.denied_paths = {"accounts/contoso-aoai/providers/microsoft.insights"}

    # Act
    found, coverage = observe(arm)

    # Assert
    aoai = next(o.resource for o in found if o.locator == AOAI["id"] and o.resource)
    assert aoai.model_ids == ("gpt-4o:2024-08-06", "text-embedding-3-large:1")
    assert aoai.properties["logging"] == "unknown"
    assert areas(coverage, Outcome.DENIED) == {(SUB_A, "diagnostics")}
    failed = next(a for a in coverage.failed)
    assert failed.message.startswith("contoso-aoai: AuthorizationFailed")
    assert (SUB_A, "resources") in areas(coverage, Outcome.OK)


def test_a_management_group_selects_its_subscriptions(arm: FakeArm) -> None:
    found, coverage = observe(arm, management_group="contoso-root")

    assert {o.scope.id for o in found} == {SUB_A, SUB_B}
    assert {s for s, area in areas(coverage, Outcome.OK) if area == "resources"} == {SUB_A, SUB_B}
    assert not any(r.path.startswith("/subscriptions?") for r in arm.requests())


def test_site_setting_names_are_read_by_get_and_never_values(arm: FakeArm) -> None:
    found, _ = observe(arm)

    site = next(o.resource for o in found if o.locator == TRIAGE_APP["id"] and o.resource)
    assert site.standalone is False and site.area == "appsettings"
    assert site.env_var_names == ("OPENAI_API_KEY", "TICKET_QUEUE")
    assert not any("appsettings/list" in r.path.lower() for r in arm.requests())

    arm.reset(arm.state)
    found, _ = observe(arm, app_settings=False)
    assert not any("slotConfigNames" in r.path for r in arm.requests())


@pytest.mark.parametrize(
    ("asset", "model"),
    [
        (
            "azureml://registries/azureml-meta/models/Llama-2-7b-chat/versions/24",
            "Llama-2-7b-chat:24",
        ),
        (
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/"
            "workspaces/w/models/churn/versions/3",
            "churn:3",
        ),
        ("azureml:churn-model:5", "churn-model:5"),
        ("azureml://registries/azureml/models/Phi-3-mini-4k-instruct", "Phi-3-mini-4k-instruct"),
        ("not a model reference", ""),
        (None, ""),
    ],
)
def test_model_references_become_name_and_version(asset: str | None, model: str) -> None:
    assert model_from_asset(asset) == model


def test_a_graph_row_gets_its_canonical_type_and_flat_facts() -> None:
    row = from_graph(
        {
            "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/"
            "workspaces/w/serverlessEndpoints/llama",
            "name": "w/llama",
            "type": "microsoft.machinelearningservices/workspaces/serverlessendpoints",
            "location": "eastus",
            "subscriptionId": "s",
            "properties": {
                "modelSettings": {
                    "modelId": "azureml://registries/azureml-meta/models/Meta-Llama-3.1-8B-Instruct"
                },
                "authMode": "Key",
            },
            "tags": None,
        }
    )

    res = to_resource(row)

    assert res.type == "Microsoft.MachineLearningServices/workspaces/serverlessEndpoints"
    assert (res.name, res.region, res.area, res.standalone) == (
        "llama",
        "eastus",
        "resources",
        True,
    )
    assert res.model_ids == ("Meta-Llama-3.1-8B-Instruct",)
    assert res.properties["authMode"] == "Key"


def test_options_validate_and_choose_the_sovereign_cloud() -> None:
    gov = AzureOptions(cloud="usgov")
    assert gov.arm_base_url == "https://management.usgovcloudapi.net"
    assert gov.authority == "https://login.microsoftonline.us"
    assert gov.credential_scopes == ["https://management.usgovcloudapi.net/.default"]
    assert AzureOptions(cloud="china", arm_endpoint="https://arm.example/").arm_base_url == (
        "https://arm.example"
    )
    with pytest.raises(AzureConfigError, match="unknown Azure cloud"):
        AzureOptions(cloud="mars")
    with pytest.raises(AzureConfigError, match="AZURE_CLIENT_SECRET"):
        AzureOptions(credential="secret", tenant_id="t", client_id="c")
    secret = AzureOptions(credential="secret", tenant_id="t", client_id="c", client_secret="s3cr3t")
    assert "s3cr3t" not in repr(secret)
    assert secret.scrub("bad secret s3cr3t here") == "bad secret *** here"
