"""Bulk writers on SQLite and PostgreSQL: ``write_batch`` stores what ``save_article`` +
``save_extraction`` store, re-runs are no-ops, and Parquet parts round-trip."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from energywatch.dedup import signature
from energywatch.demo import demo_articles
from energywatch.errors import StorageError
from energywatch.extract.article import VERSION, extract_article
from energywatch.ingest import build_article
from energywatch.kb import KnowledgeBase
from energywatch.models import Rejection, RejectionReason
from energywatch.readers import read_inputs
from energywatch.settings import Settings
from energywatch.storage import Store, schema
from energywatch.storage.bulk import BulkReport, Processed, write_batch
from energywatch.storage.parquet_out import (
    ParquetSink,
    parquet_parts,
    read_parquet_batches,
    read_parquet_store,
)

RETRIEVED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
# Columns that record when a row was written, not what it holds.
WRITE_TIMES = {"created_at", "updated_at", "extracted_at"}


@pytest.fixture(scope="module")
def processed(kb: KnowledgeBase) -> list[Processed]:
    """The demo corpus as a pipeline worker hands it over."""
    with demo_articles() as paths:
        raws = list(read_inputs(paths, max_bytes=10_000_000))
    items = []
    for raw in raws:
        assert not isinstance(raw, Rejection)
        article = build_article(raw, retrieved=RETRIEVED)
        minhash = signature(article.clean_text, Settings().dedup_num_perm).to_bytes()
        items.append(Processed(article, minhash, extract_article(article, kb), VERSION))
    return items


def save_one_by_one(store: Store, batch: Sequence[Processed]) -> None:
    for item in batch:
        store.save_article(item.article, item.minhash)
        store.save_extraction(item.extraction, version=item.version)


def rows(store: Store, *, times: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every stored row of the tables a batch writes, in a stable order; serial ids and
    (unless ``times``) write times left out, since they differ between two writers."""
    tables = {
        "sources": (schema.sources, ["name"]),
        "articles": (schema.articles, ["id"]),
        "removed_spans": (schema.removed_spans, ["article_id", "id"]),
        "rejections": (schema.rejections, ["id"]),
        "extractions": (schema.extractions, ["article_id"]),
        "claims": (schema.claims, ["article_id", "id"]),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for name, (table, order) in tables.items():
            result = conn.execute(select(table).order_by(*(table.c[o] for o in order)))
            found[name] = [
                {
                    k: v
                    for k, v in row._mapping.items()
                    if not (k == "id" and name in {"removed_spans", "claims"})
                    and (times or k not in WRITE_TIMES)
                }
                for row in result
            ]
    return found


def records(store: Store, ids: Sequence[str]) -> dict[str, Any]:
    """What readers of the store get back, as JSON."""
    unique = sorted(set(ids))
    return {
        "articles": [store.get_article(i).model_dump(mode="json") for i in unique],
        "extractions": [e.model_dump(mode="json") for e in store.iter_extractions(batch=7)],
        "one": [store.get_extraction(i).model_dump(mode="json") for i in unique],  # type: ignore[union-attr]
        "stale": store.articles_to_extract(VERSION),
    }


def wipe(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in ("claims", "extractions", "removed_spans", "rejections", "articles", "sources"):
            conn.execute(schema.metadata.tables[table].delete())


@pytest.fixture
def reference(any_settings: Settings) -> Iterator[Store]:
    """A second store on the same database, for the one-by-one writes to compare with."""
    with Store.open(any_settings) as opened:
        yield opened


def one_by_one_result(store: Store, batches: Sequence[Sequence[Processed]]) -> tuple[Any, Any]:
    """Rows and records after wiping the database and saving ``batches`` one by one."""
    wipe(store)
    for batch in batches:
        save_one_by_one(store, batch)
    ids = [p.article.id for batch in batches for p in batch]
    return rows(store), records(store, ids)


def changed(item: Processed, kb: KnowledgeBase, text: str) -> Processed:
    """The item with new body text, signed and extracted again."""
    article = item.article.model_copy(update={"text": text, "clean_text": text})
    minhash = signature(text, Settings().dedup_num_perm).to_bytes()
    return Processed(article, minhash, extract_article(article, kb), item.version)


# ---------------------------------------------------------------------- write_batch


def test_batch_stores_what_saving_one_by_one_stores(
    store: Store, reference: Store, processed: list[Processed]
) -> None:
    report = write_batch(store, processed)
    assert report == BulkReport(
        articles=len(processed),
        spans=sum(len(p.article.removed_spans) for p in processed),
        extractions=len(processed),
        claims=sum(len(e.claims) for p in processed for e in p.extraction.events),
        unchanged=0,
        seconds=report.seconds,
    )
    assert report.spans > 0
    assert report.claims > 0
    bulk = rows(store), records(store, [p.article.id for p in processed])
    assert one_by_one_result(reference, [processed]) == bulk
    assert bulk[1]["stale"] == []


def test_rerunning_a_batch_writes_nothing(store: Store, processed: list[Processed]) -> None:
    write_batch(store, processed)
    before = rows(store, times=True)
    report = write_batch(store, processed)
    assert (report.articles, report.spans, report.extractions, report.claims) == (0, 0, 0, 0)
    assert report.unchanged == len(processed)
    assert rows(store, times=True) == before


def test_changes_update_like_saving_one_by_one(
    store: Store, reference: Store, processed: list[Processed], kb: KnowledgeBase
) -> None:
    first = processed[:20]
    edited = changed(
        first[0], kb, first[0].article.text + "\n\nPipeline operators said repairs would take weeks."
    )
    relinked = Processed(
        first[1].article.model_copy(
            update={"near_duplicate_of": first[2].article.id, "duplicate_similarity": 0.9}
        ),
        first[1].minhash,
        first[1].extraction,
        first[1].version,
    )
    reextracted = Processed(first[3].article, first[3].minhash, first[3].extraction, "next-version")
    second = [edited, relinked, reextracted, *first[4:], *processed[20:30]]

    write_batch(store, first)
    with store.engine.connect() as conn:
        created = conn.execute(
            select(schema.articles.c.created_at).where(schema.articles.c.id == edited.article.id)
        ).scalar_one()
    report = write_batch(store, second)
    assert report.articles == 2 + 10  # edited and relinked, plus the new ones
    assert report.extractions == 2 + 10  # edited and reextracted, plus the new ones
    assert report.unchanged == len(first) - 4
    assert store.get_article(edited.article.id) == edited.article
    assert store.get_extraction(edited.article.id) == edited.extraction
    assert store.get_article(relinked.article.id).near_duplicate_of == first[2].article.id
    with store.engine.connect() as conn:
        assert (
            conn.execute(
                select(schema.articles.c.created_at).where(schema.articles.c.id == edited.article.id)
            ).scalar_one()
            == created
        )

    bulk = rows(store), records(store, [p.article.id for p in [*first, *processed[20:30]]])
    assert one_by_one_result(reference, [first, second]) == bulk
    assert bulk[1]["stale"] == [first[3].article.id]  # extracted by another version


def test_batch_overlapping_stored_articles_does_not_fail(store: Store, processed: list[Processed]) -> None:
    assert write_batch(store, processed[:30]).articles == 30
    report = write_batch(store, processed[20:])
    assert report.articles == len(processed) - 30
    assert report.unchanged == 10
    assert store.status().articles == len(processed)


def test_written_inputs_clear_their_rejections(store: Store, processed: list[Processed]) -> None:
    item = processed[0]
    store.save_rejection(
        Rejection.create(item.article.origin, RejectionReason.too_large, "too big then", "split it")
    )
    store.save_rejection(
        Rejection.create("/elsewhere.json", RejectionReason.too_large, "too big", "split it")
    )
    write_batch(store, processed[:3])
    assert [r.origin for r in store.list_rejections()] == ["/elsewhere.json"]


def test_empty_batch(store: Store) -> None:
    assert write_batch(store, []) == BulkReport()


def test_an_id_given_twice_keeps_its_last_item(
    store: Store, reference: Store, processed: list[Processed], kb: KnowledgeBase
) -> None:
    edited = changed(processed[0], kb, processed[0].article.text + "\n\nExports resumed on Friday.")
    batch = [processed[0], processed[1], edited, processed[1]]
    report = write_batch(store, batch)
    assert (report.articles, report.extractions, report.unchanged) == (2, 2, 0)
    assert store.get_article(edited.article.id) == edited.article
    bulk = rows(store), records(store, [p.article.id for p in batch])
    assert one_by_one_result(reference, [batch]) == bulk


def test_batches_that_cannot_be_stored_as_given_are_refused(store: Store, processed: list[Processed]) -> None:
    mixed = Processed(processed[0].article, processed[0].minhash, processed[1].extraction, VERSION)
    with pytest.raises(ValueError, match="extraction of article"):
        write_batch(store, [mixed])
    assert store.status().articles == 0


def test_a_failing_batch_is_rolled_back_whole(store: Store, processed: list[Processed]) -> None:
    orphan = processed[5].article.model_copy(update={"near_duplicate_of": "no-such-article"})
    batch = [*processed[:5], Processed(orphan, processed[5].minhash, processed[5].extraction, VERSION)]
    with pytest.raises(StorageError):
        write_batch(store, batch)
    assert rows(store)["articles"] == []
    assert rows(store)["claims"] == []
    assert write_batch(store, processed[:5]).articles == 5  # the connection is usable again


def test_two_writers_of_one_batch_at_once(
    any_settings: Settings, store: Store, reference: Store, processed: list[Processed]
) -> None:
    """Both see every id as new (their outlets are stored already, so nothing makes one
    wait before reading): the upserts turn the second into a rewrite, spans and claims
    are replaced rather than doubled, and the two lock rows in the same order whatever
    the order of their batches, so neither deadlocks."""
    for item in processed:
        store.ensure_source(item.article.source)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(batch: list[Processed]) -> None:
        try:
            with Store.open(any_settings) as own:
                start.wait()
                write_batch(own, batch)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(b,)) for b in (processed, processed[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    bulk = rows(store)
    assert one_by_one_result(reference, [processed])[0] == bulk


# ---------------------------------------------------------------------- Parquet


def test_parquet_round_trip_equals_the_input(tmp_path: Path, processed: list[Processed]) -> None:
    sink = ParquetSink(tmp_path / "out", writer_id="w1")
    batches = [processed[:25], processed[25:50], processed[50:]]
    names = [sink.write(b) for b in batches]
    assert names == ["part-w1-00000", "part-w1-00001", "part-w1-00002"]
    assert sink.write([]) is None
    assert list(read_parquet_batches(tmp_path / "out")) == batches
    assert list(read_parquet_store(tmp_path / "out")) == processed
    # Reopened with the same id, a writer continues after its earlier parts.
    assert ParquetSink(tmp_path / "out", writer_id="w1").write(processed[:1]) == "part-w1-00003"


def test_two_sinks_in_one_folder_do_not_clash(tmp_path: Path, processed: list[Processed]) -> None:
    one, two = ParquetSink(tmp_path), ParquetSink(tmp_path)
    assert one.writer_id != two.writer_id
    for i in range(0, len(processed), 10):
        (one if i % 20 else two).write(processed[i : i + 10])
    assert len(parquet_parts(tmp_path)) == 7
    assert sorted(read_parquet_store(tmp_path), key=lambda p: p.article.id) == sorted(
        processed, key=lambda p: p.article.id
    )


def test_incomplete_parts_are_not_read(tmp_path: Path, processed: list[Processed]) -> None:
    sink = ParquetSink(tmp_path, writer_id="w")
    sink.write(processed[:3])
    name = sink.write(processed[3:6])
    (tmp_path / "articles" / f"{name}.parquet").unlink()  # as if killed before publishing
    (tmp_path / "articles" / ".part-w-00009.parquet.tmp").write_bytes(b"half")
    assert list(read_parquet_store(tmp_path)) == processed[:3]


def test_parquet_parts_load_into_a_store_as_written_directly(
    store: Store, reference: Store, tmp_path: Path, processed: list[Processed]
) -> None:
    sink = ParquetSink(tmp_path)
    for i in range(0, len(processed), 16):
        sink.write(processed[i : i + 16])
    for batch in read_parquet_batches(tmp_path):
        write_batch(store, batch)
    loaded = rows(store), records(store, [p.article.id for p in processed])
    assert one_by_one_result(reference, [processed]) == loaded
