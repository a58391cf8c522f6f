"""Commands over the asset knowledge base: assets list and show."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from energywatch.cli.app import (
    JsonOpt,
    assets_app,
    edge,
    out,
    print_json,
    settings_for,
)
from energywatch.kb import load_knowledge_base
from energywatch.views import (
    asset_detail,
    asset_row,
)


@assets_app.command("list")
@edge
def assets_list(
    asset_type: Annotated[str | None, typer.Option("--type", help="e.g. pumping_station, terminal.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO-2 country code, e.g. KZ.")] = None,
    search: Annotated[str | None, typer.Option(help="Match id, name or alias.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the assets of the knowledge base."""
    kb = load_knowledge_base(settings_for(None).kb_path)
    assets = kb.search(search) if search else list(kb.assets.values())
    if asset_type:
        assets = [a for a in assets if a.type.value == asset_type]
    if country:
        assets = [a for a in assets if country.upper() in a.country]
    rows = [asset_row(a) for a in assets]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "type", "country", "name", "lat, lon", "coords", title=f"{len(rows)} assets")
    for r in rows:
        where = f"{r['lat']:.3f}, {r['lon']:.3f}" if r["lat"] is not None else "—"
        table.add_row(r["id"], r["type"], ",".join(r["country"]), r["name"], where, r["coord_quality"])
    out.print(table)


@assets_app.command("show")
@edge
def assets_show(asset_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False) -> None:
    """Show one asset with its capacities, links, history and sources."""
    kb = load_knowledge_base(settings_for(None).kb_path)
    data = asset_detail(kb.get(asset_id))
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]{data['name']}[/] [dim]({data['id']}, {data['type']})[/]", highlight=False)
    for key in ("operator", "region", "lat", "lon", "coord_quality", "coord_note", "verification"):
        if data.get(key) is not None:
            out.print(f"[dim]{key}:[/] {data[key]}", highlight=False)
    out.print(f"[dim]country:[/] {', '.join(data['country'])}", highlight=False)
    for key in ("aliases", "upstream", "downstream"):
        if data.get(key):
            out.print(f"[dim]{key}:[/] {', '.join(data[key])}", highlight=False)
    for cap in data.get("capacity", []):
        out.print(
            f"[dim]capacity:[/] {cap['value']} {cap['unit']} — {cap.get('basis') or ''}", highlight=False
        )
    for src in data.get("sources", []):
        note = f" ({src['note']})" if src.get("note") else ""
        out.print(f"[dim]source {src['id']}:[/] {src['url']}{note}", highlight=False)
