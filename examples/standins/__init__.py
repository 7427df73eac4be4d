"""Local stand-ins for the cloud and SaaS APIs aicensus reads, served on 127.0.0.1.

One copy serves both the demo (``examples/demo.py``) and the tests (``tests/connectors``), so
what a newcomer sees is what the suite checks. They need the development extras (moto[server],
trustme, pytest-httpserver: ``pip install -e '.[dev]'``), except the Google Cloud stand-in,
which uses only aicensus's own dependencies.

- ``aws_moto``: moto's server behind a gap-filling WSGI layer (AWS).
- ``azure_arm``: HTTPS Resource Manager, Resource Graph and token endpoint (trustme TLS).
- ``gcp_assets``: Cloud Asset, Resource Manager, Service Usage and token endpoints (REST).
- ``saas_admin``: Microsoft Graph, GitHub, Okta and Slack admin APIs (pytest-httpserver).
- ``workspace``: Google Workspace Reports, Directory and Licensing APIs and the OAuth token
  endpoint that checks google-auth's signed JWT-bearer grant (pytest-httpserver).
"""
