"""``energywatch simulate``: the impact model from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from energywatch.cli.app import JsonOpt, app, edge, err, out
from energywatch.impact import load_network, run
from energywatch.impact.chart import write_chart
from energywatch.impact.result import ImpactResult
from energywatch.impact.scenario import build_scenario
from energywatch.models import Quantiles


@app.command()
@edge
def simulate(
    asset: Annotated[str | None, typer.Option(help="Network asset to disrupt (see --list-assets).")] = None,
    capacity_loss: Annotated[
        str, typer.Option(help="Share of its capacity lost, percent: 30-40 or 35.")
    ] = "100",
    duration: Annotated[
        str | None, typer.Option(help="How long: 45-60d, 6w, 1.5-2m (or give --end).")
    ] = None,
    start: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day.")] = None,
    end: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day.")] = None,
    ramp_back: Annotated[str, typer.Option(help="Linear recovery after the outage: 0d, 7d, 2w.")] = "0d",
    out_of_service: Annotated[
        list[str] | None,
        typer.Option("--out-of-service", help="Asset already out for the whole horizon (repeatable)."),
    ] = None,
    kazakh_rate: Annotated[
        float | None, typer.Option(help="Kazakh CPC intake to assume, Mt/yr (default: 2025 baseline).")
    ] = None,
    price: Annotated[float | None, typer.Option(help="USD per barrel, to value the loss.")] = None,
    samples: Annotated[int, typer.Option(help="Monte Carlo samples.")] = 10_000,
    horizon: Annotated[int, typer.Option(help="Days simulated from the start.")] = 365,
    seed: Annotated[int, typer.Option(help="Random seed (results repeat for a seed).")] = 0,
    chart: Annotated[Path | None, typer.Option(help="Write a PNG of the daily loss with its band.")] = None,
    list_assets: Annotated[bool, typer.Option(help="List the assets the network models.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export volume at risk when an asset loses capacity: P10/P50/P90 with inputs and assumptions."""
    network = load_network()
    if list_assets:
        for node in network.node_ids:
            out.print(node, highlight=False)
        return
    if asset is None:
        raise typer.BadParameter("give --asset (or --list-assets)", param_hint="--asset")
    scenario = build_scenario(
        asset,
        capacity_loss=capacity_loss,
        duration=duration,
        start=start.date() if start else None,
        end=end.date() if end else None,
        ramp_back=ramp_back,
        out_of_service=out_of_service,
        kazakh_rate=kazakh_rate,
        price=price,
        samples=samples,
        horizon=horizon,
        seed=seed,
    )
    result = run(scenario, network)
    if chart is not None:
        write_chart(result, chart, f"{asset}: capacity loss {capacity_loss}%, {duration or 'start..end'}")
        err.print(f"wrote the chart to {chart}")
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), indent=2) + "\n")
        return
    _print(result, asset)


def _fmt(q: Quantiles, scale: float = 1.0, digits: int = 2) -> tuple[str, str, str]:
    return tuple(f"{v * scale:,.{digits}f}" for v in (q.p10, q.p50, q.p90))  # type: ignore[return-value]


def _print(result: ImpactResult, asset: str) -> None:
    table = Table(title=f"Lost exports of {result.exporter}: {asset}", title_justify="left")
    for name in ("measure", "P10", "P50", "P90"):
        table.add_column(name, justify="left" if name == "measure" else "right")
    table.add_row("crude exports lost, Mt", *_fmt(result.lost_mt, 1, 3))
    table.add_row("barrels lost, million", *_fmt(result.lost_bbl, 1e-6, 2))
    table.add_row("barrels per day over the outage", *_fmt(result.lost_bpd, 1, 0))
    table.add_row("share of yearly exports, %", *_fmt(result.share_of_exports, 100, 2))
    if result.value_usd is not None:
        table.add_row("value, USD million", *_fmt(result.value_usd, 1e-6, 1))
    table.add_row("CPC loadings lost, all shippers, Mt", *_fmt(result.lost_cpc_all_shippers_mt, 1, 3))
    table.add_row("taken by alternative routes, Mt", *_fmt(result.absorbed_by_alternatives_mt, 1, 3))
    out.print(table)
    inputs = result.inputs
    out.print(
        f"inputs: {json.dumps(inputs['disruptions'], ensure_ascii=False)}; {inputs['samples']} samples, "
        f"seed {inputs['seed']}, {inputs['days_simulated']} of {inputs['horizon_days']} days simulated; "
        f"baseline {inputs['baseline_year']}: Kazakh CPC {inputs['kazakh_cpc_flow_mt_yr']} Mt/yr of "
        f"{inputs['cpc_flow_mt_yr']}, exports {inputs['exporter_exports_mt']} Mt",
        highlight=False,
    )
    for note in result.notes:
        out.print(note, highlight=False)
    out.print("assumptions:", highlight=False)
    for line in result.assumptions:
        out.print(f"  - {line}", highlight=False)
    out.print("sources: " + ", ".join(f"{k} {v}" for k, v in result.sources.items()), highlight=False)
