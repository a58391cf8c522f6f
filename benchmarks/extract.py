"""Extraction + resolution benchmark: the demo corpus replicated to N articles.

    .venv/bin/python benchmarks/extract.py [--count 5000]

Each replica gets its own id and a publication date shifted by a multiple of 45 days,
so relative dates ("on Monday") land on different days and resolution sees many
distinct incidents rather than thousands of copies of a dozen. Articles are read and
cleaned once (not timed), then extraction runs on every one (one process, one core)
and resolution runs over all extractions. Runs in a child process so the peak RSS is
the benchmark's own. Prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import time
from typing import Any

from energywatch.demo import demo_articles
from energywatch.extract.article import extract_article
from energywatch.ingest import build_article
from energywatch.kb import load_knowledge_base
from energywatch.models import Article, RawArticle
from energywatch.readers import read_inputs
from energywatch.resolve import ArticleInfo, resolve


def _replicas(count: int) -> list[Article]:
    with demo_articles() as files:
        raws = [r for r in read_inputs(files, max_bytes=10 * 1024 * 1024) if isinstance(r, RawArticle)]
    base = [build_article(r) for r in raws]
    out: list[Article] = []
    for n in range(count):
        article = base[n % len(base)]
        shift = dt.timedelta(days=45 * (n // len(base)))
        published = article.published + shift if article.published else None
        out.append(article.model_copy(update={"id": f"{article.id}~{n}", "published": published}))
    return out


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _run(count: int, queue: Any) -> None:
    articles = _replicas(count)
    started = time.perf_counter()
    kb = load_knowledge_base()
    extractions = [extract_article(a, kb) for a in articles]
    extracted = time.perf_counter()
    infos = {a.id: ArticleInfo(_day(a.published), None) for a in articles}
    incidents = resolve(extractions, infos, kb)
    resolved = time.perf_counter()
    queue.put(
        {
            "articles": len(articles),
            "reports": sum(x.is_incident_report for x in extractions),
            "events": sum(len(x.events) for x in extractions),
            "claims": sum(len(e.claims) for x in extractions for e in x.events),
            "incidents": len(incidents),
            "extract_s": extracted - started,
            "resolve_s": resolved - extracted,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(args.count, queue))
    proc.start()
    r = queue.get()
    proc.join()
    total = r["extract_s"] + r["resolve_s"]
    print(f"extract + resolve benchmark: demo corpus replicated to {r['articles']} articles, 1 process")
    print(f"{'stage':<22}{'seconds':>9}{'articles/s':>12}")
    print(f"{'extract (incl. KB load)':<22}{r['extract_s']:>9.1f}{r['articles'] / r['extract_s']:>12.0f}")
    print(f"{'resolve':<22}{r['resolve_s']:>9.1f}{r['articles'] / r['resolve_s']:>12.0f}")
    print(f"{'total':<22}{total:>9.1f}{r['articles'] / total:>12.0f}")
    print(
        f"incident reports {r['reports']}, events {r['events']}, claims {r['claims']}, "
        f"incidents {r['incidents']}; peak RSS {r['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
