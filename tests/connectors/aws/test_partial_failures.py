"""Throttling, opt-in regions and refused calls end up in coverage, and the scan carries on."""

from __future__ import annotations

import boto3
from botocore.config import Config

from connectors.aws import AwsConnector, AwsOptions
from connectors.base import Coverage, NullProgress, Outcome
from examples.standins.aws_moto import MotoStack

CFG = Config(retries={"mode": "standard", "max_attempts": 2})


def endpoint(region: str = "eu-west-1") -> None:
    sm = boto3.client("sagemaker", region_name=region, config=CFG)
    sm.create_model(
        ModelName="m",
        PrimaryContainer={"Image": "123.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[{"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.large"}],
    )
    sm.create_endpoint(EndpointName="churn", EndpointConfigName="c")


def run(**options: object) -> tuple[list[str], Coverage]:
    connector = AwsConnector(
        AwsOptions(retry_mode="standard", max_attempts=2, **options)  # type: ignore[arg-type]
    )
    coverage = Coverage()
    names = [o.resource.name for o in connector.observe(coverage, NullProgress()) if o.resource]
    return names, coverage


def areas(coverage: Coverage) -> dict[str, tuple[Outcome, str]]:
    return {a.area: (a.outcome, a.message) for a in coverage.areas}


def test_a_throttled_call_is_retried_and_the_area_is_read(aws: MotoStack) -> None:
    endpoint()
    aws.state.throttled["ListEndpoints"] = 1

    names, coverage = run(regions=("eu-west-1",), services=("sagemaker",))

    assert names == ["churn"]
    assert areas(coverage) == {"sagemaker:eu-west-1": (Outcome.OK, "")}
    assert aws.state.throttled["ListEndpoints"] == 0


def test_a_throttling_storm_fails_one_area_and_the_others_are_read(aws: MotoStack) -> None:
    endpoint()
    aws.state.throttled["ListEndpoints"] = -1

    names, coverage = run(regions=("eu-west-1",), services=("sagemaker", "secrets"))

    got = areas(coverage)
    assert got["sagemaker:eu-west-1"][0] is Outcome.ERROR
    assert "sagemaker.list_endpoints: throttled after retries" in got["sagemaker:eu-west-1"][1]
    assert got["secrets:eu-west-1"] == (Outcome.OK, "")
    assert names == []  # the endpoint list never came back


def test_an_opt_in_region_that_is_not_enabled_is_recorded_not_read(aws: MotoStack) -> None:
    endpoint("us-east-1")

    names, coverage = run(regions=("us-east-1", "ap-east-1"), services=("sagemaker",))

    assert names == ["churn"]
    assert areas(coverage) == {
        "sagemaker:ap-east-1": (
            Outcome.DENIED,
            "region ap-east-1 is not enabled for this account (opt-in)",
        ),
        "sagemaker:us-east-1": (Outcome.OK, ""),
    }


def test_a_refused_service_is_denied_in_coverage_with_the_operation(aws: MotoStack) -> None:
    aws.state.denied.append((None, "eu-west-1", "bedrock"))

    _, coverage = run(regions=("eu-west-1", "us-east-1"), services=("bedrock",))

    got = areas(coverage)
    assert got["bedrock:us-east-1"] == (Outcome.OK, "")
    outcome, message = got["bedrock:eu-west-1"]
    assert outcome is Outcome.DENIED
    assert "bedrock.list_custom_models: AccessDeniedException" in message


def test_bad_credentials_are_one_recorded_failure_not_a_crash(aws: MotoStack) -> None:
    names, coverage = run(profile="no-such-profile", services=("sagemaker",))

    assert names == []
    [area] = coverage.areas
    assert (area.scope.id, area.area, area.outcome) == ("*", "*", Outcome.ERROR)
    assert "no-such-profile" in area.message
