"""``energywatch archive``: write a synthetic archive with its gold, for benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from energywatch.cli.app import JsonOpt, app, edge, out, print_json


@app.command()
@edge
def archive(
    count: Annotated[int, typer.Option("--count", help="How many articles to write (up to millions).")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the shards, gold.jsonl and manifest.json.")
    ],
    shards: Annotated[int, typer.Option(help="Number of contiguous shard files.")] = 1,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl, jsonl.gz or parquet (ingest and eval read the first two).")
    ] = "jsonl",
    seed: Annotated[int, typer.Option(help="Same seed, same archive byte for byte.")] = 7,
    days: Annotated[int | None, typer.Option(help="Days the archive spans (default: count / 5.5).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an archive already in --out.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic news archive (incident reports, copies, other energy news) with its
    gold, in shards, streaming: benchmarks can score the pipeline at any size."""
    from energywatch.archive import ArchiveSpec, write_archive

    manifest = write_archive(
        ArchiveSpec(count=count, seed=seed, days=days), out_dir, shards, fmt, force=force
    )
    if as_json:
        print_json(manifest.to_dict())
        return
    s = manifest.stats
    rate = manifest.spec.count / manifest.seconds if manifest.seconds > 0 else float("inf")
    out.print(
        f"wrote {manifest.spec.count:,} articles to {out_dir} in {len(manifest.shards)} {manifest.format} "
        f"shard(s), {manifest.seconds:.1f} s ({rate:,.0f} articles/s)",
        highlight=False,
    )
    out.print(
        f"  {s.reports:,} reports of {s.incidents:,} incidents · {s.copies:,} copies · {s.noise:,} other news"
        + (f" · {s.crowded:,} incidents crowded at their site" if s.crowded else ""),
        highlight=False,
    )
    out.print(
        f"  gold: {out_dir / manifest.gold.file} · manifest: {out_dir / 'manifest.json'}", highlight=False
    )
    if manifest.format != "parquet":
        files = " ".join(f"--articles {out_dir / f.file}" for f in manifest.shards[:3])
        more = " …" if len(manifest.shards) > 3 else ""
        out.print(
            f"  score it: energywatch eval --gold {out_dir / 'gold.jsonl'} {files}{more}", highlight=False
        )
