"""Opening a database: engine creation, SQLite pragmas, schema migration.

SQLite is the embedded default (one file, WAL so readers never block the writer,
foreign keys enforced, a generous busy timeout so concurrent writers wait instead of
failing). PostgreSQL is selected by URL. Both get the same Alembic migrations.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from energywatch.errors import ConfigError, StorageError
from energywatch.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # NORMAL is durable across application crashes in WAL mode; only an OS crash
    # can lose the last transactions, which re-running ingest restores.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(settings: Settings) -> Engine:
    """An engine for ``settings.db``; raises ConfigError for URLs we cannot use."""
    url_text = settings.database_url()
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ConfigError(
            f"cannot parse database URL {settings.db!r}",
            "use a file path (energywatch.db) or postgresql://host/dbname",
        ) from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(
                    f"folder {parent} for the SQLite database does not exist",
                    "create it first or pass another --db path",
                )
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(
        f"unsupported database backend {backend!r} in {settings.db!r}",
        "energywatch supports SQLite files and postgresql:// URLs",
    )


def alembic_config() -> Config:
    """Alembic config pointing at the migrations shipped inside the package."""
    cfg = Config()
    location = resources.files("energywatch") / "migrations"
    cfg.set_main_option("script_location", str(location))
    return cfg


# Alembic keeps its migration context in module globals: one migration at a time per process.
_MIGRATION_LOCK = threading.Lock()
# Arbitrary constant naming energywatch's advisory lock on PostgreSQL.
_PG_LOCK_KEY = 0x656E6572


def _lock_database(connection: Connection) -> None:
    """Hold the database's write lock for the migration transaction, so two processes
    opening a new database at once do not both try to create the tables."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a quick no-op when it already is)."""
    cfg = alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    try:
        with engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
        with _MIGRATION_LOCK, engine.begin() as connection:
            _lock_database(connection)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StorageError(
            f"cannot open or migrate the database {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip()}",
            "check the --db path or URL, that the server is running, and that you may write there",
        ) from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"database migration failed: {exc}", "see the message above") from exc


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
