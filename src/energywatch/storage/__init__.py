"""Persistence: one schema for SQLite and PostgreSQL, migrated with Alembic."""

from energywatch.storage.incidents import IncidentQuery
from energywatch.storage.store import ArticleMeta, ArticleQuery, SignatureRow, Store, StoreStatus

__all__ = ["ArticleMeta", "ArticleQuery", "IncidentQuery", "SignatureRow", "Store", "StoreStatus"]
