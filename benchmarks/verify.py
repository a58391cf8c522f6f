"""Verification benchmark: assess every incident of a store (verdicts, site rates, KB
conflicts, copy edits, timelines, source scores) as ``export`` and briefs do.

    .venv/bin/python benchmarks/verify.py [--count 5000] [--seed 7]

N generated articles are ingested and processed into a fresh SQLite file (not timed);
then, in a child process so its peak memory is its own, ``export.incident_records``
assesses every incident. Prints a table; ``--json`` prints the figures as JSON.
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

from energywatch.export import incident_records
from energywatch.ingest import ingest
from energywatch.kb import load_knowledge_base
from energywatch.process import process
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.synthetic import SyntheticSpec, generate


def _prepare(folder: Path, count: int, seed: int) -> str:
    corpus = folder / "synthetic.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for record in generate(SyntheticSpec(count=count, seed=seed)):
            fh.write(json.dumps(record) + "\n")
    settings = Settings(db=str(folder / "bench.db"))
    with Store.open(settings) as store:
        ingest(store, [corpus], settings)
        process(store, load_knowledge_base())
    return settings.db


def _assess(db: str, queue: Any) -> None:
    kb = load_knowledge_base()
    kb.gazetteer.lookup("Novorossiysk")  # load the gazetteer before the clock starts
    with Store.open(Settings(db=db)) as store:
        started = time.perf_counter()
        records = incident_records(store, kb)
        elapsed = time.perf_counter() - started
    queue.put(
        {
            "seconds": elapsed,
            "incidents": len(records),
            "articles": sum(len(r["articles"]) for r in records),
            "contested": sum(len(r["contradictions"]) for r in records),
            "kb_conflicts": sum(len(r["kb_conflicts"]) for r in records),
            "copy_edits": sum(len(r["copy_edits"]) for r in records),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = _prepare(Path(tmp), args.count, args.seed)
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_assess, args=(db, queue))
        proc.start()
        r: dict[str, Any] = queue.get()
        proc.join()
    if args.json:
        json.dump({"count": args.count, **r}, sys.stdout, indent=2)
        return
    print(f"verification benchmark: {args.count} synthetic articles → {r['incidents']} incidents, 1 process")
    print(f"{'stage':<26}{'seconds':>9}{'incidents/s':>13}{'articles/s':>12}{'peak RSS MB':>13}")
    print(
        f"{'assess every incident':<26}{r['seconds']:>9.1f}{r['incidents'] / r['seconds']:>13.0f}"
        f"{r['articles'] / r['seconds']:>12.0f}{r['peak_rss_mb']:>13.0f}"
    )
    print(
        f"found: {r['contested']} contested attributes, {r['kb_conflicts']} KB conflicts, "
        f"{r['copy_edits']} copy edits"
    )


if __name__ == "__main__":
    main()
