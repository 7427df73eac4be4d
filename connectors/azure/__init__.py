"""Azure: managed AI resources, their model deployments and AI use in app settings.

See :mod:`connectors.azure.connector` for what is read and how coverage is recorded, and
:mod:`connectors.azure.credentials` for clouds and credentials.
"""

from connectors.azure.connector import AzureConnector
from connectors.azure.credentials import (
    CLOUDS,
    CREDENTIAL_KINDS,
    AzureConfigError,
    AzureOptions,
    make_credential,
)

__all__ = [
    "CLOUDS",
    "CREDENTIAL_KINDS",
    "AzureConfigError",
    "AzureConnector",
    "AzureOptions",
    "make_credential",
]
