"""Connectors: read a source (code, cloud, SaaS, logs) and yield observations with provenance.

A connector knows nothing of fingerprints, detectors or storage. Its only side effect is
reporting what it covered, skipped or failed to reach in a :class:`connectors.base.Coverage`.
"""
