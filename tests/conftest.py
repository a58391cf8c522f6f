"""Shared fixtures: a store over a temporary SQLite file, and one over PostgreSQL.

PostgreSQL tests use a schema of their own per test session (dropped at the end), in
the ``test`` database at 127.0.0.1:5432. When the server is not reachable they skip
locally, but fail in CI (``CI=true``), where the server is part of the contract.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from energywatch.settings import Settings
from energywatch.storage import Store

PG_BASE = os.environ.get("ENERGYWATCH_TEST_PG", "postgresql://127.0.0.1:5432/test")


def _pg_engine_url(schema: str | None = None) -> str:
    url = Settings(db=PG_BASE).database_url()
    if schema:
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    return url


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this test session; yields its --db URL."""
    schema = f"ew_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_engine_url())
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


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "ew.db"))


@pytest.fixture
def pg_settings(pg_schema_url: str) -> Settings:
    """Settings on the session schema, emptied before each test."""
    settings = Settings(db=pg_schema_url)
    with Store.open(settings) as store, store.engine.begin() as conn:
        conn.execute(text("TRUNCATE incidents, removed_spans, rejections, articles, sources CASCADE"))
    return settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_settings(request: pytest.FixtureRequest) -> Settings:
    """Run a test once on SQLite and once on PostgreSQL."""
    name = "sqlite_settings" if request.param == "sqlite" else "pg_settings"
    settings: Settings = request.getfixturevalue(name)
    return settings


@pytest.fixture
def store(any_settings: Settings) -> Iterator[Store]:
    with Store.open(any_settings) as opened:
        yield opened
