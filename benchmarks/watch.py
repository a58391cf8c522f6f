"""Live-monitoring latency: from a new item appearing in a feed to its alert arriving at
a webhook, over 50 items with a 1-second poll interval.

    PYTHONPATH=. .venv/bin/python benchmarks/watch.py [--items 50] [--interval 1] [--json]

A local feed server and a webhook receiver run in this process (``tests/http_support``,
``tests/webhook_support``); ``energywatch watch`` runs as a child process on a fresh
SQLite store, exactly as an operator would start it. Items are published one at a time:
each is a short report of a distinct incident (another site or another day), so each
must raise one new-incident alert. After each alert arrives the next item is published
after a random pause of 0–1 s, so publication falls at a random point of the poll
cycle. Latency = the webhook's arrival time minus the publication time, both on this
process's monotonic clock. Everything each item goes through is included: the poll,
the page fetch, ingest, extraction, resolution of every stored incident, impact model,
verification, alert decision and the signed POST.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.cli_support import energywatch_argv
from tests.http_support import LocalServer
from tests.watch_support import Newsroom, Report
from tests.webhook_support import WebhookReceiver

# Sites the knowledge base knows under these names, with the town the report places them in.
SITES = [
    ("the Kropotkinskaya oil pumping station", "Kropotkin"),
    ("the Tuapse refinery", "Tuapse"),
    ("the Ilsky refinery", "Ilsky"),
    ("the Afipsky refinery", "Afipsky"),
    ("the Orenburg gas processing plant", "Orenburg"),
    ("the Kavkazskaya oil transfer station", "Kavkazskaya"),
]
OUTLETS = ["Harbour Wire", "Steppe Energy Daily", "Black Sea Bulletin", "Caspian Ledger"]

CONFIG = """
[watch]
min_host_interval = 0
retries = 0

[[sources]]
name = "bench-feed"
type = "feed"
url = "{feed}"
interval = "{interval}s"
allow_private = true

[[channels]]
type = "webhook"
name = "hook"
url = "{hook}"
secret_env = "EW_BENCH_SECRET"
allow_private = true
"""


_SYLLABLES = ["ka", "ro", "vel", "min", "ta", "sor", "bek", "lu", "dan", "ser", "gal", "ostr", "ni", "pol"]
_OPENERS = [
    "{name}, who lives in {place}, told reporters that",
    "According to {name} of {place},",
    "Speaking by phone from {place}, {name} recalled how",
    "In {place}, {name} described how",
    "{name}, a {job} near {place}, wrote online that",
    "Residents such as {name} in {place} reported that",
]
_CLAUSES = [
    "windows rattled at {hh}:{mm} before sirens started",
    "the {unit} lost power for {n} hours",
    "smoke was visible over {place} until {hh}:{mm}",
    "traffic on the {place} highway was stopped for {n} hours",
    "{n} families were moved to a school in {place}",
    "a second blast followed roughly {n} minutes later",
    "emergency crews from {place} arrived within {n} minutes",
    "the glow could be seen from {n} kilometres away",
]
_JOBS = ["farmer", "teacher", "taxi driver", "mechanic", "shopkeeper", "retired engineer", "nurse"]
_UNITS = ["pump house", "valve yard", "tank park", "substation", "metering unit", "control room"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _witness(rng: random.Random) -> str:
    """A sentence of invented local detail drawn from independent parts, so that no two
    reports are near-duplicates (templated texts alone would be linked as copies and
    folded into one incident)."""
    slots = {
        "name": f"{_name(rng)} {_name(rng)}",
        "place": _name(rng),
        "job": rng.choice(_JOBS),
        "unit": rng.choice(_UNITS),
        "hh": f"{rng.randint(0, 5):02d}",
        "mm": f"{rng.randint(0, 59):02d}",
        "n": rng.randint(2, 90),
    }
    return f"{rng.choice(_OPENERS)} {rng.choice(_CLAUSES)}.".format(**slots)


def report(i: int) -> Report:
    """Item ``i``: a drone strike on one of the sites, on its own day (a week apart, so
    resolution never merges two of them)."""
    rng = random.Random(i)
    site, town = SITES[i % len(SITES)]
    day = dt.date(2024, 1, 3) + dt.timedelta(days=7 * i)
    outlet = OUTLETS[i % len(OUTLETS)]
    when = f"{day.day} {day:%B %Y}"
    return Report(
        slug=f"bench-{i:03d}",
        outlet=outlet,
        published=dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC),
        title=f"Drone strike hits {site.removeprefix('the ')} near {town}",
        paragraphs=(
            f"A drone struck {site} near {town} on {when}, the regional governor said.",
            " ".join(_witness(rng) for _ in range(3)),
            " ".join(_witness(rng) for _ in range(3)),
        ),
    )


def run(items: int, interval: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    latencies: list[float] = []
    with LocalServer() as server, WebhookReceiver() as hook, tempfile.TemporaryDirectory() as tmp:
        newsroom = Newsroom(server)
        config = Path(tmp) / "watch.toml"
        config.write_text(CONFIG.format(feed=newsroom.feed_url, hook=hook.url, interval=interval))
        env = {**os.environ, "EW_BENCH_SECRET": "benchmark-secret"}
        log = open(Path(tmp) / "watch.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            energywatch_argv(
                "watch", "--config", str(config), "--db", str(Path(tmp) / "bench.db"), "--log-format", "json"
            ),
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
        )
        try:
            # Ready once the watcher has polled the (empty) feed at least twice.
            deadline = time.monotonic() + 60
            while len(server.requests_for(newsroom.feed_path)) < 2:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the watcher did not start; see its log")
                time.sleep(0.05)
            for i in range(items):
                time.sleep(rng.uniform(0.0, interval))
                published = time.monotonic()
                newsroom.publish(report(i))
                if not hook.wait_for(i + 1, timeout=60):
                    raise SystemExit(f"no alert for item {i} within 60 s")
                arrived = hook.requests[i].arrived
                body = json.loads(hook.requests[i].body)
                if body["kind"] != "new_incident":
                    raise SystemExit(f"item {i}: unexpected alert {body['kind']}")
                latencies.append(arrived - published)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    ordered = sorted(latencies)
    return {
        "items": items,
        "poll_interval_s": interval,
        "p50_s": statistics.median(ordered),
        "p95_s": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "min_s": ordered[0],
        "max_s": ordered[-1],
        "mean_s": statistics.fmean(ordered),
        "first_10_mean_s": statistics.fmean(latencies[:10]),
        "last_10_mean_s": statistics.fmean(latencies[-10:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval, seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.items, args.interval, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"watch latency: item published in a local feed → alert at a local webhook ({args.items} items)")
    print(f"{'measure':<28}{'seconds':>10}")
    for key in ("p50_s", "p95_s", "min_s", "max_s", "mean_s", "first_10_mean_s", "last_10_mean_s"):
        print(f"{key.removesuffix('_s').replace('_', ' '):<28}{result[key]:>10.3f}")
    print(f"{'poll interval':<28}{result['poll_interval_s']:>10.3f}")


if __name__ == "__main__":
    main()
