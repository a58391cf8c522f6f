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
