"""How the GCP connector reaches Google Cloud: credentials, endpoints, transport and retries.

Credentials are the ones users already have: Application Default Credentials by default, a
credentials file (service-account key, authorized user, workload identity federation) or
service-account impersonation by option. Every client is built here, so production and tests
take the same path; only the endpoint, the transport and the credentials object differ.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.auth
from google.api_core import exceptions as gexc
from google.api_core import retry as gretry
from google.api_core.client_options import ClientOptions
from google.auth import impersonated_credentials
from google.auth.credentials import Credentials
from google.cloud import asset_v1, resourcemanager_v3, service_usage_v1
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from connectors.base import ConnectorError

logger = logging.getLogger(__name__)

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
"""The only OAuth scope asked for; what is readable is decided by the principal's IAM roles."""
TRANSPORTS = ("grpc", "rest")


def default_retry(deadline: float = 120.0, initial: float = 1.0) -> gretry.Retry:
    """Bounded exponential back-off on throttling and transient server errors only.

    A denial or a bad request is never retried: it is recorded as coverage at once.
    """
    return gretry.Retry(
        predicate=gretry.if_exception_type(
            gexc.TooManyRequests,  # 429; ResourceExhausted is its gRPC twin (a subclass)
            gexc.InternalServerError,
            gexc.BadGateway,
            gexc.ServiceUnavailable,
            gexc.GatewayTimeout,
        ),
        initial=initial,
        maximum=min(30.0, deadline),
        multiplier=2.0,
        timeout=deadline,
    )


@dataclass(frozen=True)
class GcpAccess:
    """Credential, endpoint, transport and retry settings shared by every client."""

    credentials_file: Path | None = None
    """A Google credentials JSON file; Application Default Credentials when unset."""
    impersonate: str | None = None
    """Service account e-mail to impersonate with the base credentials
    (needs roles/iam.serviceAccountTokenCreator on it)."""
    api_endpoint: str | None = None
    """Endpoint override (Private Service Connect, a proxy, a stand-in). ``{service}`` is
    replaced by the API's short name (``cloudasset``, ``cloudresourcemanager``,
    ``serviceusage``, ``iamcredentials``), e.g. ``https://{service}-corp.p.googleapis.com``;
    without it one endpoint serves every API. An ``http://`` scheme is kept (REST only)."""
    transport: str = "grpc"
    """``grpc`` (the SDK's default) or ``rest``."""
    credentials: Credentials | None = field(default=None, repr=False)
    """Ready-made credentials (a library caller's own); bypasses the file and ADC."""
    retry_deadline: float = 120.0
    """Seconds one call may spend retrying throttling and transient errors."""
    retry_initial: float = 1.0
    timeout: float = 60.0
    """Seconds per request."""

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}")

    def endpoint(self, service: str) -> str | None:
        """The endpoint of one API, or None for Google's default."""
        if not self.api_endpoint:
            return None
        url = self.api_endpoint.replace("{service}", service).rstrip("/")
        if self.transport == "grpc":
            # gRPC takes host:port; an https:// prefix is a natural thing to write.
            url = url.removeprefix("https://")
        return url

    def retry(self) -> gretry.Retry:
        """The retry policy every call gets."""
        return default_retry(self.retry_deadline, self.retry_initial)


def _from_file(path: Path) -> Credentials:
    """Credentials of a JSON file of a known type; others go through ADC's own checks.

    Only service-account keys and authorized-user files are loaded from a named file (the
    generic loader would accept any credential configuration, including ones that run
    programs); anything else is refused with the way to use it.
    """
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConnectorError(f"cannot read credentials file {path}: {err}") from err
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "service_account":
        return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return,no-untyped-call]
            info, scopes=[CLOUD_PLATFORM]
        )
    if kind == "authorized_user":
        return user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call,no-any-return]
            info, scopes=[CLOUD_PLATFORM]
        )
    raise ConnectorError(
        f"{path}: credentials type {kind!r} is not loaded from --credentials-file; "
        "set GOOGLE_APPLICATION_CREDENTIALS to it to use Application Default Credentials"
    )


def resolve_credentials(access: GcpAccess) -> Credentials:
    """The credentials to call with; raises ``GoogleAuthError`` or ``ConnectorError``.

    Nothing is fetched here: tokens are obtained lazily by the first call, so a failure to
    get one shows up as that call's error (and is recorded as coverage).
    """
    if access.credentials is not None:
        base: Credentials = access.credentials
    elif access.credentials_file is not None:
        base = _from_file(access.credentials_file)
    else:
        base, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
    if not access.impersonate:
        return base
    override = None
    if access.api_endpoint:
        iam = access.api_endpoint.replace("{service}", "iamcredentials").rstrip("/")
        if "://" not in iam:
            iam = f"https://{iam}"
        override = f"{iam}/v1/projects/-/serviceAccounts/{access.impersonate}:generateAccessToken"
    return impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
        source_credentials=base,
        target_principal=access.impersonate,
        target_scopes=[CLOUD_PLATFORM],
        iam_endpoint_override=override,
    )


@dataclass(frozen=True)
class GcpClients:
    """The read-only API clients the connector uses."""

    assets: asset_v1.AssetServiceClient
    projects: resourcemanager_v3.ProjectsClient
    folders: resourcemanager_v3.FoldersClient
    services: service_usage_v1.ServiceUsageClient


def make_clients(access: GcpAccess) -> GcpClients:
    """Build every client from one set of credentials; raises as ``resolve_credentials``."""
    credentials = resolve_credentials(access)

    def kwargs(service: str) -> dict[str, Any]:
        endpoint = access.endpoint(service)
        options = ClientOptions(api_endpoint=endpoint) if endpoint else None
        return {
            "credentials": credentials,
            "transport": access.transport,
            "client_options": options,
        }

    return GcpClients(
        assets=asset_v1.AssetServiceClient(**kwargs("cloudasset")),
        projects=resourcemanager_v3.ProjectsClient(**kwargs("cloudresourcemanager")),
        folders=resourcemanager_v3.FoldersClient(**kwargs("cloudresourcemanager")),
        services=service_usage_v1.ServiceUsageClient(**kwargs("serviceusage")),
    )
