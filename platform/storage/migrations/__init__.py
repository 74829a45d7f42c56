"""Alembic migration scripts of the hub database (package data for alembic's script directory)."""
