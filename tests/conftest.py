"""Shared fixtures: a store over a temporary SQLite file, and one over PostgreSQL.

PostgreSQL tests use a schema of their own per test session (dropped at the end), in
the ``test`` database at 127.0.0.1:5432 (``tests/pg_support.py``). When the server is
not reachable they skip locally, but fail in CI (``CI=true``), where the server is part
of the contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.http_support import LocalServer
from tests.pg_support import new_pg_schema
from tests.smtp_support import Collecting, smtp_server
from tests.webhook_support import WebhookReceiver

from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this test session; yields its --db URL."""
    with new_pg_schema() as url:
        yield url


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "ew.db"))


@pytest.fixture
def pg_settings(pg_schema_url: str) -> Settings:
    """Settings on the session schema, emptied before each test."""
    settings = Settings(db=pg_schema_url)
    with Store.open(settings) as store, store.engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE incidents, removed_spans, rejections, articles, sources, "
                "watch_sources, watch_items, watch_alert_lineages, watch_outbox CASCADE"
            )
        )
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


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base (validated once per session; read-only)."""
    return load_knowledge_base()


@pytest.fixture
def servers() -> Iterator[tuple[LocalServer, WebhookReceiver, Collecting, int]]:
    """Loopback services for the watch tests: a scriptable HTTP server (feeds, pages),
    a webhook receiver, and an SMTP server with its mailbox and port."""
    mailbox = Collecting()
    with LocalServer() as server, WebhookReceiver() as hook, smtp_server(mailbox) as port:
        yield server, hook, mailbox, port
