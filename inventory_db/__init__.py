"""The inventory: deduplicated AI systems with their evidence per scan, in SQLite or PostgreSQL.

Exceptions::

    StoreError              the database could not be opened, read or written
      LockedError           another scan holds the scan lock
      RequestError          the request is wrong (unknown id, invalid value), not the database
"""
