"""``energywatch batch`` gives the incidents ``ingest`` + ``process`` give, on the demo
corpus written as a JSONL shard: in one process on SQLite, on Ray into PostgreSQL, and on
Ray into Parquet. Ray runs in a child process (the real CLI), as an operator runs it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.cli_support import energywatch_argv
from typer.testing import CliRunner

from energywatch.batch.partitioned import ArticleClaims, link_window, resolve_window, settle_links, windows
from energywatch.batch.run import BatchOptions, read_parquet_incidents, run_single
from energywatch.batch.shards import expand_inputs
from energywatch.cli import app
from energywatch.demo import demo_articles
from energywatch.errors import InputError
from energywatch.ingest import ingest
from energywatch.kb import KnowledgeBase
from energywatch.models import Incident, RawArticle
from energywatch.process import process
from energywatch.readers import read_inputs
from energywatch.settings import Settings
from energywatch.storage import IncidentQuery, Store

SAMPLES = 300


def _demo_shard(folder: Path) -> Path:
    """The demo corpus as one JSONL shard (HTML pages as their extracted text)."""
    shard = folder / "demo.jsonl"
    keys = ("id", "url", "outlet", "title", "published", "text", "language")
    with demo_articles() as paths, shard.open("w", encoding="utf-8") as out:
        for item in read_inputs(paths, max_bytes=10_000_000):
            assert isinstance(item, RawArticle)
            record = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in item.model_dump().items()}
            out.write(json.dumps({k: record[k] for k in keys}) + "\n")
    return shard


def _incidents(store: Store) -> dict[str, Any]:
    found, _ = store.list_incidents(IncidentQuery(limit=100_000))
    return {i.id: i.model_dump(mode="json") for i in found}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("batch")
    shard = _demo_shard(folder)
    settings = Settings(db=str(folder / "reference.db"), impact_samples=SAMPLES)
    with Store.open(settings) as store:
        ingest(store, [shard], settings)
        process(store, kb, impact_samples=SAMPLES)
        return shard, _incidents(store)


def _cli(*args: str, db: str) -> dict[str, Any]:
    argv = energywatch_argv("batch", *args, "--db", db, "--json")
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "ENERGYWATCH_IMPACT_SAMPLES": str(SAMPLES)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_single_process_batch_equals_ingest_and_process(
    reference: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    shard, expected = reference
    settings = Settings(db=str(tmp_path / "batch.db"), impact_samples=SAMPLES)
    report = run_single([shard], settings, BatchOptions(batch_size=16))
    assert (report.articles, report.incidents) == (62, len(expected))
    with Store.open(settings) as store:
        assert _incidents(store) == expected


@pytest.mark.slow
@pytest.mark.postgres
def test_ray_into_postgresql_equals_ingest_and_process(
    reference: tuple[Path, dict[str, Any]], pg_settings: Settings
) -> None:
    shard, expected = reference
    report = _cli(str(shard), "--workers", "2", "--batch-size", "16", db=pg_settings.db)
    assert report["articles"] == 62
    assert len(report["worker_peak_rss_mb"]) == 2  # both workers took batches
    with Store.open(pg_settings) as store:
        assert _incidents(store) == expected


@pytest.mark.slow
def test_ray_into_parquet_equals_ingest_and_process(
    reference: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    shard, expected = reference
    out = tmp_path / "parquet"
    report = _cli(str(shard), "--parquet", str(out), "--batch-size", "16", db=str(tmp_path / "rejections.db"))
    assert report["incidents"] == len(expected)
    got = {i.id: i.model_dump(mode="json") for i in read_parquet_incidents(out)}
    assert got == expected
    assert (out / "links.parquet").is_file()


@pytest.mark.slow
def test_short_windows_put_each_event_in_one_incident(
    reference: tuple[Path, dict[str, Any]], tmp_path: Path, kb: KnowledgeBase
) -> None:
    """With 30-day windows the demo is cut into a dozen: the same incidents come out;
    undated reports may attach elsewhere, but no reported event lands in two incidents."""
    shard, expected = reference
    settings = Settings(db=str(tmp_path / "w.db"), impact_samples=SAMPLES)
    run_single([shard], settings, BatchOptions(batch_size=16))
    with Store.open(settings) as store:
        found = windows(store, 30)
        assert len(found) > 10
        for window in found:
            settle_links(store, link_window(store, window, settings, 30))
        store.clear_incidents()
        claims = ArticleClaims()
        for window in found:
            incidents, published = resolve_window(store, kb, window, SAMPLES)
            store.add_incidents(claims.settle(incidents, published))
        got = [Incident.model_validate(v) for v in _incidents(store).values()]
    seen = [(e.article_id, e.index) for incident in got for e in incident.events]
    assert len(seen) == len(set(seen))
    assert {i.id for i in got} == set(expected)


def test_inputs_are_expanded_and_checked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.jsonl", "a/y.jsonl.gz", "b.parquet", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in expand_inputs([tmp_path / "a", str(tmp_path / "*.parquet")])] == [
        "x.jsonl",
        "y.jsonl.gz",
        "b.parquet",
    ]
    with pytest.raises(InputError, match="shards"):
        expand_inputs([tmp_path / "notes.txt"])
    with pytest.raises(InputError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.ndjson")])


def test_cli_in_one_process(reference: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    shard, expected = reference
    result = CliRunner().invoke(
        app, ["batch", str(shard), "--no-ray", "--db", str(tmp_path / "c.db"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["incidents"] == len(expected)


STORY = (
    "Drones struck the Kropotkinskaya oil pumping station of the Caspian Pipeline Consortium "
    "in the Krasnodar region overnight, the operator said, and pumping was halted while crews "
    "assessed the damage. The station moves Kazakh crude towards the Novorossiysk terminal on "
    "the Black Sea, where tankers load most of the oil Kazakhstan sells abroad. "
)


def test_windows_linked_in_any_order_settle_to_the_same_originals(tmp_path: Path) -> None:
    """Ray links windows in parallel, so they finish in any order; settling them in
    date order must give what linking them one after the other gives. A chain across a
    window edge: B copies A, and C (next window) copies B, with A outside C's lookback.
    Linked alone, C's window can only root C at B; settling moves it to A."""
    shard = tmp_path / "chain.jsonl"
    days = {"a": "2025-02-01", "b": "2025-02-08", "c": "2025-02-13"}
    with shard.open("w", encoding="utf-8") as out:
        for key, day in days.items():
            text = STORY * 3 + ("Officials gave no timeline for repairs." if key != "a" else "")
            record = {"id": key, "outlet": f"outlet-{key}", "title": "Strike on CPC station", "text": text}
            out.write(json.dumps(record | {"published": day, "url": f"https://{key}.example/cpc"}) + "\n")
    settings = Settings(db=str(tmp_path / "a.db"), impact_samples=SAMPLES)
    run_single([shard], settings, BatchOptions(batch_size=2, window_days=10, lookback_days=3))

    def originals(store: Store) -> dict[str, str | None]:
        return {m.article_id: m.near_duplicate_of for m in store.iter_article_meta()}

    with Store.open(settings) as store:
        in_order = originals(store)
        found = windows(store, 10)
        results = {w: link_window(store, w, settings, 3) for w in reversed(found)}
        provisional = [pair for r in results.values() for pair in r.provisional]
        for window in found:
            settle_links(store, results[window])
        assert originals(store) == in_order
    with Store.open(settings) as store:
        ids = {m.outlet: m.article_id for m in store.iter_article_meta()}
    a, b, c = (ids[f"outlet-{k}"] for k in "abc")
    assert provisional == [(c, b)]
    assert in_order == {a: None, b: a, c: a}
