"""Alembic migrations of the inventory schema, shipped inside the package."""
