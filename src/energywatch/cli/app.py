"""The Typer application, shared options and the one place library errors become exit codes.

Exit codes: 0 success · 1 some inputs were rejected (or a quality regression) · 2 usage,
configuration or input error · 3 storage error · 4 knowledge-base error · 5 id not found.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from energywatch import __version__
from energywatch.errors import ConfigError, EnergywatchError
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.settings import Settings
from energywatch.storage import Store

app = typer.Typer(
    name="energywatch",
    help="Turn news about energy infrastructure into verified incident records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
articles_app = typer.Typer(help="List, search and show stored articles.", no_args_is_help=True)
assets_app = typer.Typer(help="Browse the asset knowledge base.", no_args_is_help=True)
app.add_typer(articles_app, name="articles")
app.add_typer(assets_app, name="assets")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file or postgresql:// URL [env: ENERGYWATCH_DB; default energywatch.db]"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
DupOpt = Annotated[
    bool | None,
    typer.Option("--duplicates/--originals", help="Only near-duplicates, or only originals."),
]
FromOpt = Annotated[
    dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Published on or after.")
]
ToOpt = Annotated[
    dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Published on or before.")
]
LimitOpt = Annotated[int, typer.Option(min=1, max=1000)]
OffsetOpt = Annotated[int, typer.Option(min=0)]
P = ParamSpec("P")
R = TypeVar("R")


def edge(fn: Callable[P, R]) -> Callable[P, R]:
    """Translate library errors into one red line, a hint and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except EnergywatchError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            if exc.hint:
                err.print(f"[dim]hint:[/] {exc.hint}", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def settings_for(db: str | None) -> Settings:
    try:
        return Settings(db=db) if db else Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid setting: {exc}", "check ENERGYWATCH_* variables") from exc


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    with Store.open(settings_for(db)) as store:
        yield store


def knowledge_base(settings: Settings) -> KnowledgeBase:
    return load_knowledge_base(settings.kb_path)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"energywatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """energywatch: verified, geolocated, quantified incident records from energy news."""
