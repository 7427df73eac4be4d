"""Detectors: turn observations into findings by applying the compiled fingerprint catalog.

A detector knows nothing of boto3, SQL or the CLI; vendor knowledge lives only in ``fingerprints/``.
"""
