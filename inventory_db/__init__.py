"""The inventory: deduplicated AI systems with their evidence per scan, in SQLite or PostgreSQL.

Exceptions::

    StoreError              the database could not be opened, read or written
"""
