"""Google Cloud connector: Cloud Asset Inventory search, with per-project fallbacks."""

from connectors.gcp.access import GcpAccess
from connectors.gcp.connector import GcpConnector

__all__ = ["GcpAccess", "GcpConnector"]
