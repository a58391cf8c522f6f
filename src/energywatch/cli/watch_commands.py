"""``energywatch watch``: poll feeds, pages and folders; keep incidents current; alert."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Literal

import typer

from energywatch.cli.app import DbOpt, app, edge, err, knowledge_base, out, print_json, settings_for
from energywatch.errors import ConfigError
from energywatch.storage import Store


@app.command()
@edge
def watch(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Sources, channels and rules (TOML or YAML) [env: ENERGYWATCH_WATCH_CONFIG]",
        ),
    ] = None,
    db: DbOpt = None,
    once: Annotated[
        bool, typer.Option("--once", help="Poll every source once, deliver, and exit (for cron).")
    ] = False,
    check: Annotated[bool, typer.Option("--check", help="Only validate the config and exit.")] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text (for a terminal) or json (one object per line).")
    ] = "text",
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "info",
    reset: Annotated[
        bool,
        typer.Option(
            "--reset-sources", help="Forget validators and seen items first (the alert ledger is kept)."
        ),
    ] = False,
) -> None:
    """Watch sources continuously: new reports are ingested, processed and verified as they
    appear, and alerts go out once per new incident and once per material change.
    Stop with Ctrl-C or SIGTERM; a restart resumes where it stopped."""
    from energywatch.watch.config import load_config
    from energywatch.watch.logs import configure_logging
    from energywatch.watch.loop import Watcher

    if log_format not in {"text", "json"}:
        raise ConfigError(f"unknown log format {log_format!r}", "use --log-format text or json")
    if log_level.lower() not in {"debug", "info", "warning", "error"}:
        raise ConfigError(f"unknown log level {log_level!r}", "use debug, info, warning or error")
    settings = settings_for(db)
    path = config or settings.watch_config
    if path is None:
        raise ConfigError(
            "no watch config given", "pass --config sources.toml (docs/watch.md has an example)"
        )
    kb = knowledge_base(settings)
    watch_config = load_config(path, kb)
    if check:
        out.print(
            f"{path}: {len(watch_config.sources)} sources, {len(watch_config.channels)} channels, "
            f"{len(watch_config.effective_rules())} rules — OK",
            highlight=False,
        )
        return
    fmt: Literal["text", "json"] = "json" if log_format == "json" else "text"
    configure_logging(fmt, log_level)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        err.print(
            f"{signal.Signals(signum).name}: finishing the current step, then stopping", highlight=False
        )
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Store.open(settings) as store:
            if reset:
                store.reset_watch_state(sources=True)
            watcher = Watcher(watch_config, store, kb, settings, env=os.environ, stop=stop)
            try:
                report = watcher.run(once=once)
            finally:
                watcher.close()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if once and report is not None:
        print_json(
            {
                "polled": report.polled,
                "failed_sources": report.failed_sources,
                "new_items": report.new_items,
                "ingested": report.ingested,
                "rejected": report.rejected,
                "failed_items": report.failed_items,
                "alerts": report.alerts,
                "delivered": report.delivered,
                "delivery_failures": report.delivery_failures,
            }
        )
