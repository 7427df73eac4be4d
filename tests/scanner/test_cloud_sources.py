"""Cloud sources in a scan: resources become systems, a broken source never sinks the scan.

The sources here are small in-test connectors that yield fixed resource observations (the real
connectors have their own tests against local stand-ins of the provider APIs); what is under test
is the scanner's handling of any connector.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from connectors.base import (
    CloudResource,
    Coverage,
    Observation,
    ObservationKind,
    Outcome,
    ProgressSink,
    Scope,
)
from inventory_db.store import Store
from reports.diff import diff_json, diff_markdown
from scanner.run import ScanRequest, run_scan

ACCOUNT = Scope("aws", "123456789012", "prod")
ENDPOINT = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-llm"


class FixedSource:
    """Yields the resources it was given for one account, recording the areas as read."""

    name = "aws"

    def __init__(self, resources: list[CloudResource], denied: tuple[str, ...] = ()) -> None:
        self.resources = resources
        self.denied = denied

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        progress.started("aws 123456789012", len(self.resources))
        for area in sorted({r.area for r in self.resources}):
            coverage.record(ACCOUNT, area, Outcome.OK)
        for area in self.denied:
            coverage.record(ACCOUNT, area, Outcome.DENIED, "AccessDenied")
        for res in self.resources:
            progress.advanced("aws 123456789012")
            yield Observation(ACCOUNT, ObservationKind.RESOURCE, res.id, None, res)
        progress.finished("aws 123456789012")


class BrokenSource:
    name = "azure"

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        raise RuntimeError("token endpoint unreachable")
        yield  # pragma: no cover - makes this a generator


def endpoint(**extra: object) -> CloudResource:
    fields: dict[object, object] = {
        "type": "AWS::SageMaker::Endpoint",
        "id": ENDPOINT,
        "name": "churn-llm",
        "area": "sagemaker:eu-west-1",
        "region": "eu-west-1",
        "tags": {"owner": "data-science@example.com"},
    }
    fields.update(extra)
    return CloudResource(**fields)  # type: ignore[arg-type]


def lambda_fn() -> CloudResource:
    return CloudResource(
        type="AWS::Lambda::Function",
        id="arn:aws:lambda:eu-west-1:123456789012:function:triage",
        name="triage",
        area="lambda:eu-west-1",
        standalone=False,
        env_var_names=("OPENAI_API_KEY",),
    )


def test_resources_become_systems_with_owner_suggestions_from_tags(tmp_path: Path) -> None:
    # Arrange
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")

    # Act
    result = run_scan(
        store, ScanRequest(targets=(), clouds=(FixedSource([endpoint(), lambda_fn()]),))
    )

    # Assert
    assert result.scan.status == "succeeded"
    systems = {(s.product, s.instance): s for s in store.systems()}
    assert set(systems) == {("aws-sagemaker", ENDPOINT), ("openai", "")}
    sm = store.system(systems[("aws-sagemaker", ENDPOINT)].id)
    assert sm is not None
    assert sm.instance_name == "churn-llm"
    assert sm.identity_key == f"aws:123456789012:aws-sagemaker:{ENDPOINT}"
    assert [(h.owner, h.source) for h in sm.suggested_owners] == [
        ("data-science@example.com", "tag")
    ]
    openai = store.system(systems[("openai", "")].id)
    assert openai is not None
    assert [e.location for e in openai.evidence] == [
        "arn:aws:lambda:eu-west-1:123456789012:function:triage"
    ]


def test_a_broken_source_is_recorded_and_the_others_still_land(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    request = ScanRequest(targets=(), clouds=(BrokenSource(), FixedSource([endpoint()])))

    result = run_scan(store, request)

    assert result.scan.status == "partial"
    failed = [(a.scope.kind, a.outcome, a.message) for a in result.coverage.failed]
    assert failed == [("azure", Outcome.ERROR, "token endpoint unreachable")]
    assert [s.product for s in store.systems()] == ["aws-sagemaker"]


def test_a_denied_area_makes_its_systems_unknown_not_removed(tmp_path: Path) -> None:
    # Arrange: first scan reads SageMaker in eu-west-1; the second is denied there
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    run_scan(store, ScanRequest(targets=(), clouds=(FixedSource([endpoint()]),)))
    denied = FixedSource([lambda_fn()], denied=("sagemaker:eu-west-1",))

    # Act
    second = run_scan(store, ScanRequest(targets=(), clouds=(denied,)))
    changes = {(c.kind, c.system.product) for c in store.diff(to_scan=second.scan.id).changes}

    # Assert
    assert ("unknown", "aws-sagemaker") in changes
    assert ("removed", "aws-sagemaker") not in changes
    assert ("added", "openai") in changes
    # a resource that is a system of its own is named by the resource in every diff output
    diff = store.diff(to_scan=second.scan.id)
    assert "| unknown | Amazon SageMaker · churn-llm | prod |" in diff_markdown(diff)
    (sm,) = [c for c in diff_json(diff)["changes"] if c["product"] == "aws-sagemaker"]
    assert sm["resource"] == {"id": ENDPOINT, "name": "churn-llm"}
