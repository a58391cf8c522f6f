"""PostgreSQL for tests: a schema of its own in the ``test`` database at 127.0.0.1:5432.

When the server is not reachable a test using it skips locally, but fails in CI
(``CI=true``), where the server is part of the contract. ``conftest.pg_schema_url``
(one schema per test session) and module fixtures that need a store nobody else
truncates (``tests/test_api.py``) both use ``new_pg_schema``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from energywatch.settings import Settings

PG_BASE = os.environ.get("ENERGYWATCH_TEST_PG", "postgresql://127.0.0.1:5432/test")


def pg_engine_url(schema: str | None = None) -> str:
    url = Settings(db=PG_BASE).database_url()
    if schema:
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    return url


@contextmanager
def new_pg_schema() -> Iterator[str]:
    """A fresh schema, dropped afterwards; yields its --db URL (skips or fails when the
    server is missing, see the module docstring)."""
    schema = f"ew_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_engine_url())
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # server missing or refusing
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_BASE} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_BASE}: {exc}")
    try:
        yield PG_BASE + ("&" if "?" in PG_BASE else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
