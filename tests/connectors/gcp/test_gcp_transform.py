"""Cloud Asset results to resource facts: what is a system, what is evidence, which models."""

from __future__ import annotations

from connectors.gcp.transform import model_ids, to_resource
from examples.standins.gcp_assets import api_key, asset, vertex_endpoint, vertex_model

LLAMA = "publishers/meta/models/llama3_1@llama-3.1-8b-instruct"


def test_an_endpoint_names_the_model_garden_model_it_serves_else_the_deployed_name() -> None:
    # Arrange: model 1 came from Model Garden, model 2 is a custom upload
    endpoint = vertex_endpoint(
        "7", "us-central1", "9", "chat", [("1", "llama"), ("2", "churn-xgb")]
    )
    garden = vertex_model("7", "us-central1", "1", "llama", LLAMA)
    custom = vertex_model("7", "us-central1", "2", "churn-xgb", None)

    # Act
    models = model_ids([endpoint, garden, custom])
    res = to_resource(endpoint, "asset", models)

    # Assert
    assert res is not None
    assert res.model_ids == (LLAMA, "churn-xgb")
    assert res.standalone is True
    assert (res.region, res.tags, res.properties["deployed_models"]) == (
        "us-central1",
        {"team": "ml-platform"},
        "2",
    )
    assert res.created is not None and res.created.year == 2024


def test_a_key_restricted_to_an_api_names_that_api_as_its_host_and_is_evidence_only() -> None:
    restricted = to_resource(
        api_key("7", "k", "gemini", ["generativelanguage.googleapis.com"]), "asset", {}
    )
    unrestricted = to_resource(api_key("7", "k2", "any", []), "asset", {})

    assert restricted is not None and unrestricted is not None
    assert (restricted.hosts, restricted.standalone) == (
        ("generativelanguage.googleapis.com",),
        False,
    )
    assert unrestricted.hosts == ()


def test_job_runs_are_evidence_with_their_base_model_and_projects_are_not_resources() -> None:
    job = asset(
        "7",
        "aiplatform.googleapis.com/TuningJob",
        "projects/7/locations/us-central1/tuningJobs/1",
        "tune",
        versioned_resources=[{"version": "v1", "resource": {"baseModel": "gemini-2.0-flash-001"}}],
    )
    project = asset("7", "cloudresourcemanager.googleapis.com/Project", "projects/7", "p")
    disabled = asset(
        "7",
        "serviceusage.googleapis.com/Service",
        "projects/7/services/x",
        "x.googleapis.com",
        state="DISABLED",
    )

    res = to_resource(job, "asset", {})

    assert res is not None
    assert (res.standalone, res.model_ids) == (False, ("gemini-2.0-flash-001",))
    assert to_resource(project, "asset", {}) is None
    assert to_resource(disabled, "asset", {}) is None
