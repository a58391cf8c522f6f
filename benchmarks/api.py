"""API latency benchmark: the incident list (filtered, paginated) and incident detail
over 10,000 incidents and 50,000 articles in SQLite, served by uvicorn on loopback and
measured by a load client in a second process.

    .venv/bin/python benchmarks/api.py [--db PATH] [--requests 300]

Building the store (skipped when ``--db`` names a store that already has the wanted
counts; about 40 minutes on 2 cores):

1. 50,000 synthetic articles (``energywatch.synthetic``) in ten shards of 5,000, each
   shard with its own seed and its own 1,000-day window (shard k starts 2000-01-01 +
   k·1000 days). One 900-day window per 5,000 articles is the density
   ``benchmarks/verify.py`` uses (~2,000 incidents per shard); one window for all 50,000
   would put ten times the reports on the same 12 assets and days, and resolution would
   merge them into fewer, much larger incidents.
2. Ingested with ``ingest.ingest`` (cleaning, near-duplicate detection, storage).
3. Extracted with ``extract_article`` in a process pool (one worker per core), the
   parent saving each extraction; then every event is resolved into incidents and their
   impact modelled as ``energywatch process`` does (``_resolve``: process itself stops
   on an impact-model error that a few synthetic incidents trigger).
4. Trimmed to exactly 10,000 incidents (a seeded sample of those resolved) with
   ``Store.replace_incidents``; the articles stay (50,000).

Measuring: ``energywatch serve`` (uvicorn, one worker) runs in a child process; a load
client in another child process (httpx, one connection, requests one after another)
times each request. The first incident-detail request is timed on its own (``cold``):
it computes the source scores over the whole store, which the API then caches.
Prints a table; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from energywatch.extract.article import VERSION, extract_article
from energywatch.impact.from_incident import incident_impact
from energywatch.impact.network import load_network
from energywatch.ingest import ingest
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import ArticleExtraction, Incident
from energywatch.resolve import ArticleInfo, resolve
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store
from energywatch.synthetic import SyntheticSpec, generate

SHARD = 5_000
_worker: tuple[Store, KnowledgeBase] | None = None


def _records(articles: int, seed: int) -> Iterator[dict[str, Any]]:
    for shard in range((articles + SHARD - 1) // SHARD):
        count = min(SHARD, articles - shard * SHARD)
        start = dt.date(2000, 1, 1) + dt.timedelta(days=1000 * shard)
        for record in generate(SyntheticSpec(count=count, seed=seed + shard, start=start)):
            yield record | {"id": f"s{shard}-{record['id']}"}


def _init_worker(db: str) -> None:
    global _worker
    _worker = (Store.open(Settings(db=db)), load_knowledge_base())


def _extract(article_id: str) -> ArticleExtraction:
    assert _worker is not None
    store, kb = _worker
    return extract_article(store.get_article(article_id), kb)


def _resolve(store: Store, kb: KnowledgeBase) -> tuple[list[Incident], int]:
    """What ``process`` does after extraction: resolve every stored event into incidents
    and model their impact. ``process`` itself stops at the first incident whose impact
    scenario cannot be built (a reported duration under 12 hours makes the duration
    range (0.5, <0.5) in ``impact.from_incident``); here such an incident keeps no
    impact and is counted."""
    extractions = list(store.iter_extractions())
    infos = {
        m.article_id: ArticleInfo(
            m.published.date() if isinstance(m.published, dt.datetime) else m.published,
            m.near_duplicate_of,
        )
        for m in store.iter_article_meta()
    }
    network = load_network()
    found, failed = [], 0
    for incident in resolve(extractions, infos, kb):
        try:
            impact = incident_impact(incident, network, 2000)
        except ValueError:
            impact, failed = None, failed + 1
        found.append(incident.model_copy(update={"impact": impact}))
    return found, failed


def counts(db: str) -> tuple[int, int]:
    """(articles, incidents) in the store."""
    with Store.open(Settings(db=db)) as store:
        return store.status().articles, sum(store.incident_counts().values())


def build(db: str, articles: int, incidents: int, seed: int, log: Any = sys.stderr) -> dict[str, float]:
    """Fill a fresh SQLite store at ``db``; returns seconds per step."""
    times: dict[str, float] = {}
    settings = Settings(db=db)
    kb = load_knowledge_base()
    with tempfile.TemporaryDirectory() as tmp, Store.open(settings) as store:
        corpus = Path(tmp) / "synthetic.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for record in _records(articles, seed):
                fh.write(json.dumps(record) + "\n")
        started = time.perf_counter()
        report = ingest(store, [corpus], settings)
        times["ingest"] = time.perf_counter() - started
        print(f"ingested {len(report.inserted):,} articles in {times['ingest']:.0f} s", file=log)

        started = time.perf_counter()
        todo = store.articles_to_extract(VERSION)
        with mp.get_context("spawn").Pool(os.cpu_count() or 1, _init_worker, (db,)) as pool:
            for done, extraction in enumerate(pool.imap_unordered(_extract, todo, chunksize=50), 1):
                store.save_extraction(extraction, version=VERSION)
                if done % 5000 == 0:
                    print(f"extracted {done:,}/{len(todo):,}", file=log)
        times["extract"] = time.perf_counter() - started

        started = time.perf_counter()
        resolved, unmodelled = _resolve(store, kb)
        times["resolve"] = time.perf_counter() - started
        print(f"resolved {len(resolved):,} incidents in {times['resolve']:.0f} s", file=log)
        if unmodelled:
            print(f"impact not modelled for {unmodelled} incidents (impact model error)", file=log)
        if len(resolved) < incidents:
            sys.exit(f"only {len(resolved)} incidents resolved; fewer than the {incidents} wanted")
        store.replace_incidents(random.Random(seed).sample(resolved, incidents))
    return times


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _summary(name: str, seconds: list[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in seconds]
    return {
        "endpoint": name,
        "requests": len(ms),
        "p50_ms": _percentile(ms, 50),
        "p95_ms": _percentile(ms, 95),
        "max_ms": max(ms),
        "mean_ms": statistics.fmean(ms),
    }


def load_client(
    base: str, ids: list[str], span: tuple[dt.date, dt.date], requests: int, seed: int, queue: Any
) -> None:
    """The second process: times requests one after another over one connection."""
    import httpx

    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    notes: dict[str, Any] = {}

    def window() -> dict[str, str]:
        start = span[0] + dt.timedelta(days=rng.randrange(0, max(1, (span[1] - span[0]).days - 364)))
        return {"from": start.isoformat(), "to": (start + dt.timedelta(days=364)).isoformat()}

    with httpx.Client(base_url=base, timeout=None) as client:

        def timed(path: str, params: dict[str, Any] | None = None) -> tuple[float, Any]:
            started = time.perf_counter()
            response = client.get(path, params=params)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            return elapsed, response.json()

        for _ in range(10):  # warm-up: connection, caches, SQLite pages
            timed("/api/incidents", {**window(), "type": "drone_strike", "limit": 50})

        times, totals = [], []
        for _ in range(requests):
            params = {**window(), "type": "drone_strike", "limit": 50, "offset": 50 * rng.randrange(0, 4)}
            elapsed, page = timed("/api/incidents", params)
            times.append(elapsed)
            totals.append(page["total"])
        rows.append(_summary("incidents ?from&to (1 year)&type=drone_strike&limit=50&offset", times))
        notes["list_matching_median"] = statistics.median(totals)

        pages = max(1, len(ids) // 50)
        times = []
        for _ in range(requests):
            times.append(timed("/api/incidents", {"limit": 50, "offset": 50 * rng.randrange(pages)})[0])
        rows.append(_summary("incidents ?limit=50&offset (no filter)", times))

        cold, _ = timed(f"/api/incidents/{rng.choice(ids)}")
        notes["detail_cold_s"] = cold
        times = [timed(f"/api/incidents/{rng.choice(ids)}")[0] for _ in range(requests)]
        rows.append(_summary("incidents/{id} (random ids, scores cached)", times))

        times = []
        for _ in range(max(5, requests // 30)):
            params = {**window(), "type": "drone_strike", "status": "contested", "limit": 50}
            times.append(timed("/api/incidents", params)[0])
        rows.append(_summary("incidents ?from&to (1 year)&type=drone_strike&status=contested", times))
    queue.put({"rows": rows, "notes": notes})


def measure(db: str, requests: int, seed: int) -> dict[str, Any]:
    """Serve ``db`` with ``energywatch serve`` (uvicorn) and run the load client."""
    with Store.open(Settings(db=db)) as store:
        ids = store.incident_ids()
        first = store.list_incidents(IncidentQuery(sort="date", limit=1))[0][0].date.start
        last = store.list_incidents(IncidentQuery(sort="-date", limit=1))[0][0].date.start
    assert first is not None
    assert last is not None
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "ENERGYWATCH_API_TOKEN"}
    command = [sys.executable, "-c", "from energywatch.cli import main; main()", "serve", "--db", db]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=log, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base, server)
            ctx = mp.get_context("spawn")
            queue = ctx.Queue()
            client = ctx.Process(target=load_client, args=(base, ids, (first, last), requests, seed, queue))
            client.start()
            result: dict[str, Any] = queue.get()
            client.join()
            with open(f"/proc/{server.pid}/status") as status:
                rss = next(line for line in status if line.startswith("VmHWM"))
            result["notes"]["server_peak_rss_mb"] = int(rss.split()[1]) / 1024
        finally:
            server.terminate()
            server.wait(timeout=30)
    return result


def _wait_for(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("energywatch serve exited before answering")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    sys.exit("energywatch serve did not answer within 2 minutes")


def main() -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    parser.add_argument("--db", help="SQLite file to use; built there when it lacks the wanted counts")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        built: dict[str, float] = {}
        if not Path(db).exists() or counts(db) != (args.articles, args.incidents):
            if Path(db).exists():
                sys.exit(f"{db} exists with other counts {counts(db)}; pass another --db")
            built = build(db, args.articles, args.incidents, args.seed)
        result = measure(db, args.requests, args.seed)
    result |= {"articles": args.articles, "incidents": args.incidents, "build_seconds": built}
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        return
    notes = result["notes"]
    scale = f"{args.incidents:,} incidents, {args.articles:,} articles"
    print(f"API benchmark: {scale}, SQLite, energywatch serve (uvicorn) on loopback")
    print(f"{'request':<68}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for r in result["rows"]:
        print(
            f"{r['endpoint']:<68}{r['requests']:>5}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['max_ms']:>9.1f}"
        )
    print(f"first incident detail (source scores over the whole store): {notes['detail_cold_s']:.1f} s")
    print(f"median incidents matching a filtered list: {notes['list_matching_median']:.0f}")
    print(f"server peak RSS: {notes['server_peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
