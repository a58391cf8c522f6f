"""Scale-out: one process against Ray with 2 workers, both writing to PostgreSQL, at
10,000 and 100,000 articles of the synthetic archive.

    .venv/bin/python benchmarks/scale.py [--counts 10000 100000] [--modes single ray] [--json]

For each count the archive (``energywatch.archive``, seed 7: reports of planned
incidents by several outlets, copies and noise) is written once to 8 JSONL.gz shards
under ``--cache`` and reused. Each (count, mode) then runs ``energywatch batch`` as a
child process (``--no-ray`` for the single process, ``--workers 2`` for Ray) into a
fresh PostgreSQL schema at 127.0.0.1:5432/test, exactly as an operator would run it.

Reported: wall time of the child; articles/s over the whole run; the time of each
stage (extract and write, near-duplicate links, resolution with impact); the peak RSS
of every process that extracted (from the workers' own reports) and of the driver; the
PostgreSQL write rate (articles per second of time spent inside the bulk writes, summed
over workers); the workers' busy share of the extract stage; across counts, how each
stage grows (time ratio for the count ratio: the same ratio is linear); and the run ten
times larger than the largest measured, projected stage by stage from that growth.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from sqlalchemy import create_engine, text

from energywatch.archive import ArchiveSpec, generate

PG = os.environ.get("ENERGYWATCH_TEST_PG", "postgresql://127.0.0.1:5432/test")
SHARDS = 8
BATCH = int(os.environ.get("SCALE_BATCH", "200"))  # the CLI default


def archive(count: int, cache: Path) -> Path:
    """The archive's shard folder, written once (streamed, round-robin over shards)."""
    folder = cache / f"archive-{count}"
    done = folder / "done"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        shards: list[IO[str]] = [
            stack.enter_context(gzip.open(folder / f"part-{i:05d}.jsonl.gz", "wt", encoding="utf-8"))
            for i in range(SHARDS)
        ]
        for n, item in enumerate(generate(ArchiveSpec(count=count, seed=7))):
            shards[n % SHARDS].write(json.dumps(item.record) + "\n")
    done.write_text("ok")
    return folder


def _schema() -> tuple[str, str]:
    name = "scale_" + uuid.uuid4().hex[:8]
    engine = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    return name, PG + ("&" if "?" in PG else "?") + f"options=-csearch_path%3D{name}"


def _drop(name: str) -> None:
    engine = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    engine.dispose()


def run(count: int, mode: str, folder: Path) -> dict[str, Any]:
    schema, db = _schema()
    args = [sys.executable, "-c", "from energywatch.cli import main; main()", "batch", str(folder)]
    args += ["--db", db, "--json", "--batch-size", str(BATCH)]
    args += ["--no-ray"] if mode == "single" else ["--workers", "2"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{mode} {count} failed:\n{done.stderr[-4000:]}")
        report: dict[str, Any] = json.loads(done.stdout)
    finally:
        _drop(schema)
    driver_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stages = report["seconds"]
    return {
        "count": count,
        "mode": mode,
        "wall_s": wall,
        "articles": report["articles"],
        "incidents": report["incidents"],
        "articles_per_s": report["articles"] / wall,
        "extract_and_write_s": stages["extract_and_write"],
        "near_duplicates_s": stages["near_duplicates"],
        "resolve_s": stages["resolve"],
        "ray_start_s": stages.get("ray_start", 0.0),
        "pg_write_articles_per_s": report["articles"] / report["write_seconds"]
        if report["write_seconds"]
        else 0,
        "worker_busy": report["worker_busy"],
        "worker_peak_rss_mb": max(report["worker_peak_rss_mb"].values()),
        "workers": len(report["worker_peak_rss_mb"]),
        "driver_peak_rss_mb": max(before, driver_rss) / 1024,
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'articles':>9} {'mode':<7} {'wall s':>8} {'art/s':>7} {'extract+write s':>15} {'links s':>8} "
        f"{'resolve s':>9} {'busy':>5} {'PG art/s':>9} {'worker MB':>9} {'driver MB':>9} {'incidents':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['count']:>9,} {r['mode']:<7} {r['wall_s']:>8.1f} {r['articles_per_s']:>7.1f} "
            f"{r['extract_and_write_s']:>15.1f} {r['near_duplicates_s']:>8.1f} {r['resolve_s']:>9.1f} "
            f"{r['worker_busy']:>5.0%} "
            f"{r['pg_write_articles_per_s']:>9.0f} {r['worker_peak_rss_mb']:>9.0f} "
            f"{r['driver_peak_rss_mb']:>9.0f} {r['incidents']:>9,}"
        )
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_mode.setdefault(r["mode"], []).append(r)
    for mode, runs in by_mode.items():
        runs.sort(key=lambda r: r["count"])
        for small, big in itertools.pairwise(runs):
            n = big["count"] / small["count"]
            growth = ", ".join(
                f"{key.removesuffix('_s')} x{big[key] / small[key]:.1f}"
                for key in ("wall_s", "extract_and_write_s", "near_duplicates_s", "resolve_s")
                if small[key] > 0
            )
            lines.append(f"growth {mode} {small['count']:,} → {big['count']:,} (x{n:.0f} articles): {growth}")
        if len(runs) >= 2:
            lines.append(_projection(mode, runs[-2], runs[-1]))
    singles = {r["count"]: r for r in rows if r["mode"] == "single"}
    for r in rows:
        if r["mode"] == "ray" and r["count"] in singles:
            speedup = r["articles_per_s"] / singles[r["count"]]["articles_per_s"]
            extract = singles[r["count"]]["extract_and_write_s"] / r["extract_and_write_s"]
            lines.append(
                f"speed-up at {r['count']:,}: x{speedup:.2f} over the whole run, "
                f"x{extract:.2f} on extract+write"
            )
    return "\n".join(lines)


STAGES = ("extract_and_write_s", "near_duplicates_s", "resolve_s", "ray_start_s")


def _projection(mode: str, small: dict[str, Any], big: dict[str, Any]) -> str:
    """Each stage carried ten times further on the power law its last two points give
    (t ∝ N^k), plus what the wall time holds outside the stages (start-up, imports)."""
    target = big["count"] * 10
    total = 0.0
    for key in STAGES:
        if small[key] > 0 and big[key] > 0:
            k = math.log(big[key] / small[key]) / math.log(big["count"] / small["count"])
            total += big[key] * 10**k
    total += max(0.0, big["wall_s"] - sum(big[key] for key in STAGES))
    return (
        f"projected {mode} at {target:,}: {total:,.0f} s ({total / 3600:.1f} h), "
        f"{target / total:.1f} articles/s, if each stage keeps its measured growth"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--modes", nargs="+", default=["single", "ray"], choices=["single", "ray"])
    parser.add_argument("--cache", type=Path, default=Path(".bench-cache"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for count in args.counts:
        folder = archive(count, args.cache)
        for mode in args.modes:
            rows.append(run(count, mode, folder))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(json.dumps(rows, indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
