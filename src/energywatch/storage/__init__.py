"""Persistence: one schema for SQLite and PostgreSQL, migrated with Alembic."""

from energywatch.storage.store import ArticleQuery, SignatureRow, Store, StoreStatus

__all__ = ["ArticleQuery", "SignatureRow", "Store", "StoreStatus"]
