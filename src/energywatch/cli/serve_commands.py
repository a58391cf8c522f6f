"""``energywatch serve``: the HTTP API and the dashboard, on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from energywatch.cli.app import DbOpt, app, edge, err, settings_for


@app.command()
@edge
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API (/api, OpenAPI at /docs) and the analyst dashboard (/)."""
    import uvicorn

    from energywatch.api import create_app

    settings = settings_for(db)
    mode = "read-only" if settings.api_token is None else "writes need the API token"
    err.print(f"serving {settings.db} on http://{host}:{port}/ ({mode})", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
