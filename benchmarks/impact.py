"""Impact benchmark: Monte Carlo scenarios on the CPC export network, one core.

    .venv/bin/python benchmarks/impact.py [--samples 100000] [--repeat 3]

Each scenario runs in a child process (threads pinned to one) so its peak memory is its
own; the time is the best of ``--repeat`` runs of ``impact.run`` (simulate + summarise).
The first scenario keeps every sample disrupted for the whole year, so all 365 daily
steps run. Prints a table; ``--json`` prints the rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from typing import Any

SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "SPM-2 lost all year, SPM-3 50-100% for 300-365 d": [
        {"asset": "cpc_spm_2", "loss": (1.0, 1.0), "days": (365.0, 365.0)},
        {"asset": "cpc_spm_3", "loss": (0.5, 1.0), "days": (300.0, 365.0)},
    ],
    "Kropotkinskaya 30-40% for 45-60 d": [
        {"asset": "cpc_ps_kropotkinskaya", "loss": (0.3, 0.4), "days": (45.0, 60.0)},
    ],
    "Tengiz 20-60% for 20-40 d, ramp back 10 d": [
        {"asset": "tengiz_field", "loss": (0.2, 0.6), "days": (20.0, 40.0), "ramp": 10.0},
    ],
}


def _run(name: str, samples: int, repeat: int, queue: Any) -> None:
    from energywatch.impact import Disruption, Range, Scenario, load_network, run

    network = load_network()
    disruptions = [
        Disruption(
            asset=d["asset"],
            capacity_loss=Range.of(*d["loss"]),
            duration_days=Range.of(*d["days"]),
            ramp_back_days=d.get("ramp", 0.0),
        )
        for d in SCENARIOS[name]
    ]
    scenario = Scenario(disruptions=disruptions, samples=samples, horizon_days=365, price_usd_per_bbl=70)
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run(scenario, network)
        best = min(best, time.perf_counter() - started)
    assert result is not None
    queue.put(
        {
            "scenario": name,
            "seconds": best,
            "days": result.inputs["days_simulated"],
            "p50_mt": result.lost_mt.p50,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    ctx = mp.get_context("spawn")
    rows = []
    for name in SCENARIOS:
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(name, args.samples, args.repeat, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    if args.json:
        json.dump({"samples": args.samples, "rows": rows}, sys.stdout, indent=2)
        return
    print(f"impact benchmark: {args.samples:,} samples per scenario, 1 core, best of {args.repeat}")
    print(f"{'scenario':<50}{'days':>6}{'seconds':>9}{'ms/day':>8}{'P50 Mt':>8}{'peak RSS MB':>13}")
    for r in rows:
        per_day = 1000 * r["seconds"] / max(r["days"], 1)
        print(
            f"{r['scenario']:<50}{r['days']:>6}{r['seconds']:>9.2f}{per_day:>8.2f}"
            f"{r['p50_mt']:>8.2f}{r['peak_rss_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
