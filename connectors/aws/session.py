"""Credentials, accounts and regions: where an AWS scan reads, and with which session.

Sessions come from a factory (``boto3.Session`` by default) so that every client the scan makes is
built the same way: base credentials from the default chain or a profile, then an assumed role
per account. Each call goes through :class:`Reader`, which turns AWS errors into a coverage outcome
instead of an exception.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from connectors.base import CloudResource, Outcome

logger = logging.getLogger(__name__)

SessionFactory = Callable[..., Any]
"""Builds a ``boto3.Session`` from the keyword arguments ``boto3.Session`` takes."""

SERVICES: tuple[str, ...] = (
    "bedrock",
    "sagemaker",
    "comprehend",
    "lex",
    "kendra",
    "qbusiness",
    "rekognition",
    "transcribe",
    "translate",
    "personalize",
    "textract",
    "lambda",
    "ecs",
    "ec2",
    "cloudtrail",
    "secrets",
    "iam",
    "cost",
)
"""Names ``--services`` accepts; each is one coverage area per region (``iam`` and ``cost`` are
account-wide: area ``iam:global``)."""

GLOBAL_SERVICES = frozenset({"iam", "cost"})

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "AuthorizationError",
        "InvalidClientTokenId",
        "OptInRequired",
        "SubscriptionRequiredException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "UnrecognizedClientException",
    }
)
"""Error codes that mean "not allowed here", not "broken": recorded as ``denied``."""

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
    }
)


@dataclass(frozen=True)
class AwsOptions:
    """What an AWS scan reads and how; every field has a CLI option."""

    profile: str | None = None
    role_arn: str | None = None
    """A role to assume first, from the base credentials (single-account scans)."""
    role_name: str = "OrganizationAccountAccessRole"
    """The role assumed in every other account (``--org`` or ``accounts``)."""
    external_id: str | None = None
    org: bool = False
    accounts: tuple[str, ...] = ()
    """Account ids to scan (with ``org``: a filter on the organisation's accounts)."""
    regions: tuple[str, ...] = ()
    """Empty: every region enabled for each account."""
    services: tuple[str, ...] = SERVICES
    max_workers: int = 16
    retry_mode: str = "adaptive"
    max_attempts: int = 8
    cloudtrail_days: int = 7
    cloudtrail_max_events: int = 5000
    cost_days: int = 30
    training_days: int = 30
    session_name: str = "aicensus"


@dataclass
class Account:
    """One account the scan reads, with the session that reaches it (None: unreachable)."""

    id: str
    name: str
    session: Any
    partition: str = "aws"
    lock: threading.Lock = field(default_factory=threading.Lock)
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str, config: Config) -> Any:
        """A client for ``service`` in ``region``; sessions are not thread-safe, clients are."""
        with self.lock:
            key = (service, region)
            if key not in self.clients:
                self.clients[key] = self.session.client(service, region_name=region, config=config)
            return self.clients[key]


def client_config(options: AwsOptions) -> Config:
    """Retries in botocore's standard/adaptive mode: throttling backs off instead of failing."""
    return Config(
        retries={"mode": options.retry_mode, "max_attempts": options.max_attempts},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=max(10, options.max_workers),
        user_agent_extra="aicensus",
    )


def describe_error(err: Exception) -> tuple[Outcome, str]:
    """The coverage outcome and message of a failed call."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", ""))
        if code in DENIED_CODES:
            return Outcome.DENIED, f"{code}: {message}"
        if code in THROTTLING_CODES:
            return Outcome.ERROR, f"throttled after retries ({code})"
        return Outcome.ERROR, f"{code}: {message}"
    return Outcome.ERROR, f"{type(err).__name__}: {err}"


class Reader:
    """Calls for one coverage area: a failed call is noted and the area carries on.

    The area's outcome is the worst of its calls, so a partly read area is never taken as a
    complete one (its systems turn ``unknown`` rather than ``removed`` in a diff).
    """

    def __init__(self, account: Account, region: str, service: str, config: Config) -> None:
        self.account = account
        self.region = region
        self.service = service
        self.config = config
        self.client_region = "us-east-1" if region == "global" else region
        self.area = f"{service}:{region}"
        self.failures: list[tuple[Outcome, str]] = []
        self.now = datetime.now(UTC)

    def client(self, service: str) -> Any:
        """The boto3 client of ``service`` in this area's region."""
        return self.account.client(service, self.client_region, self.config)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any] | None:
        """One call; None (and a noted failure) when it fails."""
        try:
            result: dict[str, Any] = getattr(self.client(service), operation)(**params)
        except (ClientError, BotoCoreError) as err:
            self.note_failure(service, operation, err)
            return None
        return result

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item of a (paginated) list call; empty (and a noted failure) when it fails."""
        client = self.client(service)
        items: list[Any] = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    items.extend(page.get(key) or [])
            else:
                items.extend(getattr(client, operation)(**params).get(key) or [])
        except (ClientError, BotoCoreError) as err:
            self.note_failure(service, operation, err)
        return items

    def note_failure(self, service: str, operation: str, err: Exception) -> None:
        """Note a failed call: the area's outcome is no longer ok."""
        outcome, message = describe_error(err)
        logger.info(
            "aws %s %s %s.%s: %s", self.account.id, self.region, service, operation, message
        )
        self.failures.append((outcome, f"{service}.{operation}: {message}"))

    def outcome(self) -> tuple[Outcome, str]:
        """The area's outcome: ok, or the worst failure with every failure's message."""
        if not self.failures:
            return Outcome.OK, ""
        worst = (
            Outcome.DENIED if all(o is Outcome.DENIED for o, _ in self.failures) else Outcome.ERROR
        )
        return worst, "; ".join(dict.fromkeys(m for _, m in self.failures))

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        """An ARN in this account (for APIs that return only ids)."""
        reg = self.client_region if region is None else region
        return f"arn:{self.account.partition}:{service}:{reg}:{self.account.id}:{resource}"

    def resource(self, type: str, id: str, **fields: Any) -> CloudResource:  # noqa: A002
        """A resource read in this area."""
        region = "" if self.region == "global" else self.region
        return CloudResource(type=type, id=id, area=self.area, region=region, **fields)


def assume(
    factory: SessionFactory,
    base: Any,
    role_arn: str,
    options: AwsOptions,
    region: str,
) -> Any:
    """A session holding the temporary credentials of ``role_arn`` (raises on failure)."""
    sts = base.client("sts", region_name=region, config=client_config(options))
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": options.session_name}
    if options.external_id:
        params["ExternalId"] = options.external_id
    creds = sts.assume_role(**params)["Credentials"]
    session = factory(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )
    share_models(base, session)
    return session


def share_models(source: Any, target: Any) -> None:
    """Let ``target`` reuse the service models ``source`` already parsed.

    Building a client mostly parses botocore's JSON models, and each session parses its own;
    across dozens of accounts that dominated the scan's CPU time. The data loader is read-only
    after loading, so sessions can share it.
    """
    core_source = getattr(source, "_session", None)
    core_target = getattr(target, "_session", None)
    if core_source is not None and core_target is not None:
        core_target.register_component("data_loader", core_source.get_component("data_loader"))


def tag_map(tags: Any) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` or ``{k: v}`` as a plain mapping."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    if isinstance(tags, list):
        out: dict[str, str] = {}
        for tag in tags:
            if isinstance(tag, dict):
                key = tag.get("Key", tag.get("key"))
                if key is not None:
                    out[str(key)] = str(tag.get("Value", tag.get("value", "")))
        return out
    return {}


def when(value: Any) -> datetime | None:
    """A timestamp from an API response (datetime or ISO string), or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def model_id(reference: str) -> str:
    """The model id in a Bedrock model ARN (``.../foundation-model/<id>``), else the reference."""
    for marker in ("foundation-model/", "inference-profile/"):
        if marker in reference:
            return reference.split(marker, 1)[1]
    return reference


def compact(values: Iterator[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Non-empty values, first occurrence kept."""
    return tuple(dict.fromkeys(v for v in values if v))
