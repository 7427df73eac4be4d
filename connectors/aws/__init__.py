"""The AWS connector: managed AI resources and traces of model use, read-only, across accounts.

``AwsConnector(AwsOptions(...)).observe(coverage, progress)`` yields one resource observation per
thing it read; every (account, service:region) it tried is in ``coverage`` with its outcome.
"""

from connectors.aws.connector import AwsConnector
from connectors.aws.session import SERVICES, AwsOptions

__all__ = ["SERVICES", "AwsConnector", "AwsOptions"]
