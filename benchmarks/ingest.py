"""Ingest benchmark: read + clean + near-duplicate + store N generated articles into a
fresh SQLite file, single process, then the same again (the idempotent re-run).

    .venv/bin/python benchmarks/ingest.py [--count 10000] [--seed 7]

Each phase runs in a child process so its peak memory (max RSS) is its own. Prints a
table; ``--json`` prints the rows as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from energywatch.ingest import ingest
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.synthetic import SyntheticSpec, generate


def _write_corpus(folder: Path, count: int, seed: int) -> Path:
    path = folder / "synthetic.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for record in generate(SyntheticSpec(count=count, seed=seed)):
            fh.write(json.dumps(record) + "\n")
    return path


def _phase(db: str, corpus: str, queue: Any) -> None:
    settings = Settings(db=db)
    started = time.perf_counter()
    with Store.open(settings) as store:
        report = ingest(store, [corpus], settings)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "seconds": elapsed,
            "inserted": len(report.inserted),
            "unchanged": len(report.unchanged),
            "near_duplicates": len(report.near_duplicates),
            "rejected": len(report.rejections),
            "peak_rss_mb": peak_kb / 1024,
        }
    )


def run_phase(db: str, corpus: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_phase, args=(db, str(corpus), queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = _write_corpus(folder, args.count, args.seed)
        db = str(folder / "bench.db")
        rows = []
        for name in ("first ingest", "re-ingest (no change)"):
            result = run_phase(db, corpus)
            result["phase"] = name
            result["articles_per_s"] = args.count / result["seconds"]
            rows.append(result)
        db_mb = sum(p.stat().st_size for p in folder.glob("bench.db*")) / 2**20
        corpus_mb = corpus.stat().st_size / 2**20
    if any(r["rejected"] for r in rows):
        sys.exit(f"benchmark invalid: {rows[0]['rejected']} inputs were rejected")
    if args.json:
        json.dump({"count": args.count, "rows": rows, "db_mb": db_mb}, sys.stdout, indent=2)
        return
    print(f"ingest benchmark: {args.count} synthetic articles ({corpus_mb:.1f} MB JSONL) → SQLite, 1 process")
    header = (
        ("seconds", 9),
        ("articles/s", 12),
        ("peak RSS MB", 13),
        ("new", 8),
        ("same", 8),
        ("near-dup", 10),
    )
    print(f"{'phase':<24}" + "".join(f"{name:>{width}}" for name, width in header))
    for r in rows:
        print(
            f"{r['phase']:<24}{r['seconds']:>9.1f}{r['articles_per_s']:>12.0f}{r['peak_rss_mb']:>13.0f}"
            f"{r['inserted']:>8}{r['unchanged']:>8}{r['near_duplicates']:>10}"
        )
    print(f"database size after both phases: {db_mb:.1f} MB")


if __name__ == "__main__":
    main()
