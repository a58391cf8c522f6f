"""Alembic environment. energywatch runs migrations itself (``storage.engine.migrate``)
and hands the open connection over in ``config.attributes["connection"]``; running
``alembic`` by hand works too with ``-x db=URL``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from energywatch.storage.schema import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("pass the database with: alembic -x db=sqlite:///energywatch.db upgrade head")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
