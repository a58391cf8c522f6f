"""``energywatch batch``: an archive of shards through the pipeline on Ray (docs/batch.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from energywatch.cli.app import DbOpt, JsonOpt, app, edge, err, out, print_json, settings_for
from energywatch.errors import ConfigError


@app.command()
@edge
def batch(
    inputs: Annotated[
        list[str], typer.Argument(help="Shards: .jsonl, .jsonl.gz, .parquet files, folders or globs.")
    ],
    db: DbOpt = None,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", help="Write Parquet parts to this folder instead of the store."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local Ray CPUs (ignored with RAY_ADDRESS).")] = 2,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Articles per worker batch.")] = 200,
    window_days: Annotated[
        int, typer.Option(min=7, help="Publication-date window for links and resolution.")
    ] = 365,
    lookback_days: Annotated[int, typer.Option(min=0, help="How far back a copy's original is sought.")] = 30,
    no_ray: Annotated[
        bool, typer.Option("--no-ray", help="Run in this process only (same code, no Ray).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Process an archive of sharded files in parallel on Ray (local, or the cluster at
    RAY_ADDRESS): extract every article, link copies and resolve incidents window by
    window, writing to the store (use PostgreSQL for many workers) or to Parquet."""
    try:
        from energywatch.batch.run import BatchOptions, report_dict, run_batch, run_single

        if not no_ray:
            import ray  # noqa: F401 - fail here, with a hint, rather than mid-run
    except ImportError as exc:
        raise ConfigError(
            f"batch needs an optional dependency that is not installed ({exc.name})",
            "pip install 'energywatch[batch]' (Ray and pyarrow)",
        ) from None

    settings = settings_for(db)
    if parquet is not None and parquet.exists() and any(parquet.glob("articles/*.parquet")):
        raise ConfigError(
            f"{parquet} already holds Parquet parts", "write to a new folder, or remove the old parts first"
        )
    options = BatchOptions(
        workers=workers,
        batch_size=batch_size,
        window_days=window_days,
        lookback_days=lookback_days,
        parquet_dir=parquet,
    )
    report = (run_single if no_ray else run_batch)(inputs, settings, options)
    data = report_dict(report)
    if as_json:
        print_json(data)
        return
    target = str(parquet) if parquet else settings.db
    out.print(
        f"[bold]{report.articles}[/] articles from {report.files} shard(s) into {target}: "
        f"{report.rejections} rejected, {report.near_duplicates} copies linked, "
        f"{report.incidents} incidents over {report.windows} window(s); "
        f"{report.articles_per_second:.1f} articles/s",
        highlight=False,
    )
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    err.print(f"[dim]{stages}[/]", highlight=False)
