"""Governance of the inventory: EU AI Act tiers, impact assessments, lifecycle, ISO/IEC 42001
controls and the Statement of Applicability, with catalogues kept as data (``governance/data``).

Exceptions::

    GovernanceError          root of everything governance raises
      CatalogueError         a shipped or given catalogue file is invalid
      InputError             an answers / SoA file or a request is invalid; ``errors`` lists
                             every problem with its file and row, and nothing was applied
      GateRefused            a lifecycle move was refused; ``unmet`` lists every gate
"""
