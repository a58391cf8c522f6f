"""``energywatch batch``: an archive of sharded files through the pipeline, on Ray.

    shards (JSONL, JSONL.gz, Parquet; paths and globs)
      │  Ray Data: read_text / read_parquet
      ▼
    map_batches(process_records)      parse → clean → MinHash → extract → bulk write,
      │                               in parallel; each worker process loads the
      │                               knowledge base and opens the store once
      ▼
    near-duplicate links per window   (partitioned.link_window, Ray tasks in parallel,
      │                               then settled in date order)
      ▼
    resolution + impact per window    (partitioned.resolve_window, Ray tasks in parallel)
      ▼
    incidents written window by window

``process_records`` is the one per-article code path: ``run_batch`` maps it with Ray,
``run_single`` calls it in this process over the same batches, which is what the
scale benchmark compares. Without ``RAY_ADDRESS`` Ray starts locally with ``workers``
CPUs; with it, the run joins that cluster (docs/batch.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from energywatch.batch.partitioned import (
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_WINDOW_DAYS,
    RESOLVE_MARGIN_DAYS,
    ArticleClaims,
    Window,
    WindowLinks,
    link_window,
    resolve_window,
    settle_links,
    windows,
)
from energywatch.batch.shards import expand_inputs, iter_blocks, ray_dataset
from energywatch.dedup import signature
from energywatch.extract.article import VERSION, extract_article
from energywatch.ingest import build_article
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import Incident, RawArticle
from energywatch.readers import read_jsonl_line
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store
from energywatch.storage.bulk import Processed, write_batch
from energywatch.storage.parquet_out import ParquetSink, read_parquet_batches

T = TypeVar("T")

BLOCK_BYTES = 16 * 1024 * 1024
OBJECT_STORE_BYTES = 512 * 1024 * 1024  # local runs only; a cluster sets its own


@dataclass(frozen=True, slots=True)
class BatchOptions:
    workers: int = max(1, os.cpu_count() or 1)
    batch_size: int = 200
    window_days: int = DEFAULT_WINDOW_DAYS
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    parquet_dir: Path | None = None  # write Parquet instead of the store (see _finish_parquet)


@dataclass(slots=True)
class BatchReport:
    """What a batch run did, with the time of each stage."""

    files: int = 0
    articles: int = 0
    rejections: int = 0
    near_duplicates: int = 0
    windows: int = 0
    incidents: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    write_seconds: float = 0.0  # summed over workers: time spent in the bulk writes
    busy_seconds: float = 0.0  # summed over workers: time spent processing batches
    worker_peak_rss_mb: dict[int, float] = field(default_factory=dict)

    @property
    def articles_per_second(self) -> float:
        total = sum(self.seconds.values())
        return self.articles / total if total else 0.0

    @property
    def worker_busy(self) -> float:
        """Share of the extract stage's worker time spent on batches: what is left is
        start-up, scheduling and the wait for the last shard (1.0 is perfect)."""
        span = self.seconds.get("extract_and_write", 0.0) * max(1, len(self.worker_peak_rss_mb))
        return self.busy_seconds / span if span else 0.0

    def count(self, row: dict[str, Any]) -> None:
        """Add one batch's row of counts (from ``process_records``)."""
        self.articles += int(row["articles"])
        self.rejections += int(row["rejections"])
        self.write_seconds += float(row["write_seconds"])
        self.busy_seconds += float(row["seconds"])
        pid = int(row["pid"])
        self.worker_peak_rss_mb[pid] = max(self.worker_peak_rss_mb.get(pid, 0.0), float(row["rss_mb"]))


# --------------------------------------------------------------------------- per article


@functools.cache
def _worker_state(settings_json: str) -> tuple[Settings, KnowledgeBase, Store]:
    """Once per worker process: the knowledge base and a store connection."""
    settings = Settings.model_validate_json(settings_json)
    return settings, load_knowledge_base(settings.kb_path), Store.open(settings)


@functools.cache
def _sink(parquet_dir: str) -> ParquetSink:
    """Once per worker process: its own Parquet writer (parts named by a random id)."""
    return ParquetSink(parquet_dir)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_records(batch: Any, settings_json: str, parquet_dir: str | None = None) -> dict[str, list[Any]]:
    """Parse, clean, sign, extract and store one block of lines (in the store, or as
    Parquet parts under ``parquet_dir``; rejections always go to the store).

    ``batch`` is a block of ``shards`` (columns ``line``, ``path``, ``number``), as a
    dict of lists or, from Ray Data, a pyarrow table. Returns one row of counts, so
    the driver can sum them without ever holding articles.
    """
    started = time.perf_counter()
    settings, kb, store = _worker_state(settings_json)
    columns = batch.to_pydict() if hasattr(batch, "to_pydict") else batch
    processed: list[Processed] = []
    rejections = 0
    for raw, path, number in zip(columns["line"], columns["path"], columns["number"], strict=True):
        item = read_jsonl_line(raw, f"{path}:{number}", settings.max_file_bytes, number)
        if item is None:
            continue
        if not isinstance(item, RawArticle):
            store.save_rejection(item)
            rejections += 1
            continue
        article = build_article(item)
        minhash = signature(article.clean_text, settings.dedup_num_perm).to_bytes()
        processed.append(Processed(article, minhash, extract_article(article, kb), VERSION))
    writing = time.perf_counter()
    if processed and parquet_dir is not None:
        _sink(parquet_dir).write(processed)
    elif processed:
        write_batch(store, processed)
    done = time.perf_counter()
    return {
        "pid": [os.getpid()],
        "articles": [len(processed)],
        "rejections": [rejections],
        "seconds": [done - started],
        "write_seconds": [done - writing],
        "rss_mb": [_peak_rss_mb()],
    }


# --------------------------------------------------------------------------- stages


def _link_and_resolve(
    store: Store, settings: Settings, options: BatchOptions, report: BatchReport, *, parallel: bool
) -> None:
    found = windows(store, options.window_days)
    report.windows = len(found)
    payload = settings.model_dump_json()
    lookback = options.lookback_days
    started = time.perf_counter()
    links = (
        _ray_in_order(_link_task, [(payload, w, lookback) for w in found])
        if parallel
        else (link_window(store, w, settings, lookback) for w in found)
    )
    for window_links in links:
        report.near_duplicates += window_links.copies
        settle_links(store, window_links)
    report.seconds["near_duplicates"] = time.perf_counter() - started
    started = time.perf_counter()
    store.clear_incidents()
    claims = ArticleClaims()
    resolved: Iterator[tuple[list[Incident], dict[str, dt.date | None]]]
    if parallel:
        shipped = _ray_in_order(_resolve_task, [(payload, w) for w in found])
        resolved = (([Incident.model_validate_json(d) for d in dumped], day) for dumped, day in shipped)
    else:
        kb = load_knowledge_base(settings.kb_path)
        resolved = (resolve_window(store, kb, w, settings.impact_samples) for w in found)
    for window, (incidents, published) in zip(found, resolved, strict=True):
        report.incidents += store.add_incidents(claims.settle(incidents, published))
        if window.end is not None:
            # The next window loads from its start minus the margin; nothing older returns.
            claims.forget_before(window.end - dt.timedelta(days=RESOLVE_MARGIN_DAYS))
    report.seconds["resolve"] = time.perf_counter() - started


def _ray_in_order(task: Callable[..., T], calls: list[tuple[Any, ...]]) -> Iterator[T]:
    """``task(*args)`` for each call as Ray tasks, results in call order. A few are in
    flight, not all: results wait in the object store until the driver takes them in
    order, so submitting everything at once would hold the whole archive's results."""
    import ray

    remote = ray.remote(task)
    cpus = ray.cluster_resources().get("CPU", 2)  # type: ignore[no-untyped-call]
    ahead = max(2, 2 * int(cpus))
    pending: deque[Any] = deque()
    queue = iter(calls)
    for args in itertools.islice(queue, ahead):
        pending.append(remote.remote(*args))
    while pending:
        result: T = ray.get(pending.popleft())
        following = next(queue, None)
        if following is not None:
            pending.append(remote.remote(*following))
        yield result


def _link_task(settings_json: str, window: Window, lookback_days: int) -> WindowLinks:
    """``link_window`` in a Ray worker, on the worker's own store connection."""
    settings, _kb, store = _worker_state(settings_json)
    return link_window(store, window, settings, lookback_days)


def _resolve_task(settings_json: str, window: Window) -> tuple[list[str], dict[str, dt.date | None]]:
    """``resolve_window`` in a Ray worker; the incidents travel back as JSON."""
    settings, kb, store = _worker_state(settings_json)
    incidents, published = resolve_window(store, kb, window, settings.impact_samples)
    return [i.model_dump_json() for i in incidents], published


def run_single(paths: Sequence[str | Path], settings: Settings, options: BatchOptions) -> BatchReport:
    """The same work in this process only: the baseline Ray is measured against."""
    files = expand_inputs(paths)
    report = BatchReport(files=len(files))
    payload = settings.model_dump_json()
    started = time.perf_counter()
    out = str(options.parquet_dir) if options.parquet_dir else None
    for batch in iter_blocks(files, options.batch_size, settings.max_file_bytes):
        report.count({key: values[0] for key, values in process_records(batch, payload, out).items()})
    report.seconds["extract_and_write"] = time.perf_counter() - started
    _finish(settings, options, report, parallel=False)
    return report


def _finish(settings: Settings, options: BatchOptions, report: BatchReport, *, parallel: bool) -> None:
    if options.parquet_dir is None:
        with Store.open(settings) as store:
            _link_and_resolve(store, settings, options, report, parallel=parallel)
    else:
        _finish_parquet(options.parquet_dir, settings, options, report)


def _finish_parquet(out_dir: Path, settings: Settings, options: BatchOptions, report: BatchReport) -> None:
    """Links and incidents for a Parquet output. The window queries run on a scratch
    SQLite file loaded part by part (on disk, so memory stays at one part and one
    window); the results are written next to the parts as ``links.parquet`` and
    ``incidents/part-NNNNN.parquet`` (one incident as JSON per row), and the scratch
    file is removed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    scratch_path = out_dir / "_scratch.sqlite"
    scratch_path.unlink(missing_ok=True)
    scratch = settings.model_copy(update={"db": str(scratch_path)})
    started = time.perf_counter()
    with Store.open(scratch) as store:
        for batch in read_parquet_batches(out_dir):
            write_batch(store, batch)
        report.seconds["parquet_load"] = time.perf_counter() - started
        _link_and_resolve(store, scratch, options, report, parallel=False)
        links = [
            (m.article_id, m.near_duplicate_of) for m in store.iter_article_meta() if m.near_duplicate_of
        ]
        pq.write_table(
            pa.table({"article_id": [a for a, _ in links], "near_duplicate_of": [r for _, r in links]}),
            out_dir / "links.parquet",
        )
        folder = out_dir / "incidents"
        folder.mkdir(exist_ok=True)
        for old in folder.glob("part-*.parquet"):
            old.unlink()
        offset, part, page = 0, 0, 5000
        while True:
            incidents, _ = store.list_incidents(IncidentQuery(limit=page, offset=offset, sort="date"))
            if not incidents:
                break
            table = pa.table(
                {"id": [i.id for i in incidents], "incident": [i.model_dump_json() for i in incidents]}
            )
            pq.write_table(table, folder / f"part-{part:05d}.parquet")
            offset, part = offset + page, part + 1
    for leftover in out_dir.glob("_scratch.sqlite*"):
        leftover.unlink()


def read_parquet_incidents(out_dir: Path) -> Iterator[Incident]:
    """The incidents a Parquet batch run wrote, part by part."""
    import pyarrow.parquet as pq

    for path in sorted((out_dir / "incidents").glob("part-*.parquet")):
        for text in pq.read_table(path, columns=["incident"]).column("incident").to_pylist():
            yield Incident.model_validate_json(text)


def run_batch(paths: Sequence[str | Path], settings: Settings, options: BatchOptions) -> BatchReport:
    """Run on Ray: locally with ``options.workers`` CPUs, or on ``RAY_ADDRESS``."""
    import ray

    files = expand_inputs(paths)
    report = BatchReport(files=len(files))
    with Store.open(settings):
        pass  # create or migrate the schema once, before workers connect concurrently
    started = time.perf_counter()
    owns_ray = not ray.is_initialized()
    if owns_ray:
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a private local instance
        if os.environ.get("RAY_ADDRESS"):
            ray.init(address=os.environ["RAY_ADDRESS"], logging_level=logging.ERROR, log_to_driver=False)
        else:
            ray.init(
                num_cpus=options.workers,
                # Ray's default is 30% of RAM. The workers touch its shared pages as
                # they go (counted in their RSS), so a cap keeps a long run's memory
                # fixed; batches and their counts are far smaller than this.
                object_store_memory=OBJECT_STORE_BYTES,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
    try:
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        # On a small machine every CPU is a worker: Ray Data's own bookkeeping (stats
        # collection and logging) would otherwise take a visible share of it.
        context.enable_auto_log_stats = False
        context.enable_get_object_locations_for_metrics = False
        # Each map task would poll its own memory use (smaps) from a thread once a
        # second, beside the article work on the same core; the workers report their
        # peak RSS themselves.
        context.memory_usage_poll_interval_s = None
        # A read task merges the blocks it yields up to this size before the map tasks
        # get them (Ray Data does not fuse a read with a map that has a batch_size): a
        # bound per worker that does not grow with the shard or the archive.
        context.target_max_block_size = BLOCK_BYTES
        report.seconds["ray_start"] = time.perf_counter() - started
        started = time.perf_counter()
        counts = ray_dataset(files, options.batch_size, settings.max_file_bytes).map_batches(
            process_records,
            batch_size=options.batch_size,
            batch_format="pyarrow",
            fn_kwargs={
                "settings_json": settings.model_dump_json(),
                "parquet_dir": str(options.parquet_dir) if options.parquet_dir else None,
            },
        )
        for row in counts.iter_rows():
            report.count(row)
        report.seconds["extract_and_write"] = time.perf_counter() - started
        _finish(settings, options, report, parallel=True)
    finally:
        if owns_ray:
            ray.shutdown()
    return report


def report_dict(report: BatchReport) -> dict[str, Any]:
    return {
        "files": report.files,
        "articles": report.articles,
        "rejections": report.rejections,
        "near_duplicates": report.near_duplicates,
        "windows": report.windows,
        "incidents": report.incidents,
        "seconds": {k: round(v, 3) for k, v in report.seconds.items()},
        "write_seconds": round(report.write_seconds, 3),
        "worker_busy": round(report.worker_busy, 3),
        "articles_per_second": round(report.articles_per_second, 1),
        "worker_peak_rss_mb": {str(k): round(v, 1) for k, v in sorted(report.worker_peak_rss_mb.items())},
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
