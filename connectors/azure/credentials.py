"""Azure clouds and credentials: which endpoints to call, and who the scanner is.

The default is ``DefaultAzureCredential`` (environment, workload and managed identity, Azure
CLI, ...), the chain an Azure user already has. A service principal (client secret or
certificate), a managed identity or the Azure CLI can be chosen explicitly. The client secret
comes from ``AZURE_CLIENT_SECRET`` (never from the command line, where ``ps`` shows it) and is
never logged, stored or printed: error messages pass through :meth:`AzureOptions.scrub`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from azure.core.credentials import TokenCredential
from azure.identity import (
    AzureCliCredential,
    CertificateCredential,
    ClientSecretCredential,
    DefaultAzureCredential,
    ManagedIdentityCredential,
)

logger = logging.getLogger(__name__)

CredentialKind = Literal["default", "secret", "certificate", "managed-identity", "cli"]
CREDENTIAL_KINDS: tuple[CredentialKind, ...] = (
    "default",
    "secret",
    "certificate",
    "managed-identity",
    "cli",
)


@dataclass(frozen=True, slots=True)
class AzureCloud:
    """One Azure cloud: where ARM and Entra ID live, and the token audience ARM accepts."""

    name: str
    arm_endpoint: str
    authority_host: str
    audience: str
    """The resource the access token is for (``<audience>/.default``)."""


CLOUDS: dict[str, AzureCloud] = {
    "public": AzureCloud(
        "public",
        "https://management.azure.com",
        "https://login.microsoftonline.com",
        "https://management.azure.com",
    ),
    "usgov": AzureCloud(
        "usgov",
        "https://management.usgovcloudapi.net",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net",
    ),
    "china": AzureCloud(
        "china",
        "https://management.chinacloudapi.cn",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn",
    ),
}
"""Presets for ``--azure-cloud``; ``--arm-endpoint`` and ``--authority-host`` override them."""

KNOWN_AUTHORITIES = frozenset(
    c.authority_host.removeprefix("https://").lower() for c in CLOUDS.values()
)
"""Authority hosts MSAL knows; any other (a private or test authority) gets no instance
discovery, which would otherwise call login.microsoftonline.com to validate it."""


class AzureConfigError(ValueError):
    """The Azure options do not make sense together (a secret credential without a tenant)."""


@dataclass(frozen=True, slots=True)
class AzureOptions:
    """Everything the Azure connector needs to know; the CLI and tests fill the same fields."""

    cloud: str = "public"
    arm_endpoint: str | None = None
    """Overrides the cloud's ARM endpoint (private link, sovereign cloud, a local stand-in)."""
    authority_host: str | None = None
    credential: CredentialKind = "default"
    tenant_id: str | None = None
    client_id: str | None = None
    """Service principal, or the user-assigned managed identity's client id."""
    client_secret: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    subscriptions: tuple[str, ...] = ()
    """Subscription ids to scan; empty means every subscription the credential can see."""
    management_group: str | None = None
    connection_verify: str | bool = True
    """CA bundle path (or False); True uses the system store / ``REQUESTS_CA_BUNDLE``."""
    retries: int = 3
    """Retries per request on throttling (429) and transient errors; bounded, with back-off."""
    retry_backoff: float = 0.8
    graph_page_size: int = 1000
    """Rows per Resource Graph page (the service's maximum is 1000)."""
    workers: int = 8
    """Concurrent detail reads (deployments, policies, settings) within a subscription."""
    app_settings: bool = True
    """Read App Service / Functions app setting names (one GET per site)."""
    extra_types: tuple[str, ...] = ()
    """More ARM types to list (the catalog's ``resources`` rules), besides the built-in ones."""

    def __post_init__(self) -> None:
        if self.cloud not in CLOUDS:
            raise AzureConfigError(
                f"unknown Azure cloud {self.cloud!r} (choose {', '.join(CLOUDS)})"
            )
        if self.credential not in CREDENTIAL_KINDS:
            raise AzureConfigError(f"unknown Azure credential {self.credential!r}")
        if self.credential in ("secret", "certificate") and not (self.tenant_id and self.client_id):
            raise AzureConfigError(
                f"the {self.credential} credential needs a tenant id and a client id"
            )
        if self.credential == "secret" and not self.client_secret:
            raise AzureConfigError("the secret credential needs AZURE_CLIENT_SECRET to be set")
        if self.credential == "certificate" and not self.certificate_path:
            raise AzureConfigError("the certificate credential needs a certificate file")

    @property
    def arm_base_url(self) -> str:
        """The ARM endpoint requests go to."""
        return (self.arm_endpoint or CLOUDS[self.cloud].arm_endpoint).rstrip("/")

    @property
    def authority(self) -> str:
        """The Entra ID authority host tokens come from."""
        return (self.authority_host or CLOUDS[self.cloud].authority_host).rstrip("/")

    @property
    def credential_scopes(self) -> list[str]:
        """The token scope ARM of the chosen cloud accepts."""
        return [f"{CLOUDS[self.cloud].audience}/.default"]

    def scrub(self, text: str) -> str:
        """``text`` with the client secret masked, whatever produced the text."""
        if self.client_secret and self.client_secret in text:
            return text.replace(self.client_secret, "***")
        return text


def make_credential(options: AzureOptions) -> TokenCredential:
    """The credential ``options`` ask for, wired to the chosen authority and TLS trust."""
    authority = options.authority
    host = authority.removeprefix("https://").split("/", 1)[0].lower()
    common: dict[str, object] = {"authority": authority}
    if host not in KNOWN_AUTHORITIES:
        common["disable_instance_discovery"] = True
    if options.connection_verify is not True:
        common["connection_verify"] = options.connection_verify
    logger.debug("azure credential %s via %s", options.credential, authority)
    if options.credential == "secret":
        assert options.tenant_id and options.client_id and options.client_secret
        return ClientSecretCredential(
            options.tenant_id, options.client_id, options.client_secret, **common
        )
    if options.credential == "certificate":
        assert options.tenant_id and options.client_id
        return CertificateCredential(
            options.tenant_id,
            options.client_id,
            certificate_path=options.certificate_path,
            **common,
        )
    if options.credential == "managed-identity":
        if options.client_id:
            return ManagedIdentityCredential(client_id=options.client_id)
        return ManagedIdentityCredential()
    if options.credential == "cli":
        return AzureCliCredential(tenant_id=options.tenant_id or "")
    if options.client_id:
        common["managed_identity_client_id"] = options.client_id
    return DefaultAzureCredential(**common)
