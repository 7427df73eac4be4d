"""SaaS admin-API connectors: AI apps granted access, AI features licensed, AI tools installed.

Each module reads one tenant's admin API through ``connectors.saas.http`` (read-only GETs,
paging in the API's own style, bounded throttling waits, denials naming the permission) and
yields ``CloudResource`` observations that the catalogue's ``signals.apps`` rules match.
"""
