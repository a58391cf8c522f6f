"""Tables and summaries the commands print (the ``--json`` output comes from ``views``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from energywatch.cli.app import out
from energywatch.process import ProcessReport


def print_process(report: ProcessReport) -> None:
    reasons = ", ".join(f"{n} {r}" for r, n in sorted(report.not_reports.items())) or "none"
    out.print(
        f"extracted [bold]{report.extracted}[/] articles; {report.incident_reports} incident reports "
        f"(not reports: {reasons}); [bold]{report.incidents}[/] incidents "
        f"({report.incidents_inserted} new, {report.incidents_updated} changed, "
        f"{report.incidents_deleted} gone)",
        highlight=False,
    )


def print_incidents(rows: list[dict[str, Any]], total: int) -> None:
    """Incidents one per line; assets name the place better than a gazetteer name does."""
    table = Table(title=f"{total} incidents", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("assets, else place")
    table.add_column("reports", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(
            r["id"],
            r["date"] or "unknown",
            r["type"],
            " ".join(r["assets"]) or r["location"] or "",
            f"{r['articles']}"
            + (f" (+{r['copies']} copy)" if r["copies"] == 1 else "")
            + (f" (+{r['copies']} copies)" if r["copies"] > 1 else ""),
        )
    out.print(table)


def _when(value: str | None) -> str:
    return value[:19].replace("T", " ") if value else "never"


def print_watch_status(data: dict[str, Any]) -> None:
    """Per-source health: is it being polled, when did it last work, what went wrong."""
    table = Table(title="watched sources", title_justify="left")
    for column in ("source", "kind", "state", "last success", "last error", "polls", "items", "articles"):
        table.add_column(column, justify="right" if column in {"polls", "items", "articles"} else "left")
    for s in data["sources"]:
        if s["breaker_open_until"]:
            state = f"[red]breaker open until {_when(s['breaker_open_until'])}[/]"
        elif s["consecutive_failures"]:
            state = f"[yellow]failing ({s['consecutive_failures']} in a row)[/]"
        else:
            state = "[green]ok[/]" if s["last_success_at"] else "not polled yet"
        error = (
            f"{_when(s['last_error_at'])} {s['last_error_reason']}: {s['last_error']}"
            if s["last_error"]
            else ""
        )
        table.add_row(
            s["name"],
            s["kind"],
            state,
            _when(s["last_success_at"]),
            error,
            str(s["polls"]),
            f"{s['items_seen']} seen, {s['items_new']} new",
            str(s["articles_ingested"]),
        )
    out.print(table)
    for channel, counts in sorted(data["deliveries"].items()):
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.print(f"alerts on {channel}: {parts}", highlight=False)
    if data["item_problems"]:
        out.print("[bold]recent item problems[/]")
        for item in data["item_problems"]:
            out.print(
                f"  {item['source']} {item['url'] or item['item_key']}: {item['detail']}", highlight=False
            )
