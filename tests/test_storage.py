"""The store on SQLite and PostgreSQL: round trips, idempotency, migrations, errors."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from energywatch.errors import ConfigError, NotFoundError, StorageError
from energywatch.models import (
    Article,
    InputFormat,
    Rejection,
    RejectionReason,
    RemovedSpan,
    Source,
    SourceKind,
    SpanKind,
)
from energywatch.settings import Settings
from energywatch.storage import ArticleQuery, Store
from energywatch.storage.schema import metadata

NOW = dt.datetime(2025, 2, 18, 9, 30, tzinfo=dt.UTC)


def make_article(article_id: str = "a1", **overrides: object) -> Article:
    text_body = "Drones struck the Kropotkinskaya pumping station overnight. Subscribe now!"
    fields: dict[str, object] = {
        "id": article_id,
        "url": f"https://example.test/{article_id}",
        "source": Source(name="Test Wire", domain="example.test", kind=SourceKind.wire, country="GB"),
        "title": "Pumping station hit — «Кропоткинская»",
        "published": dt.date(2025, 2, 17),
        "retrieved": NOW,
        "input_format": InputFormat.json,
        "origin": f"/data/{article_id}.json",
        "text": text_body,
        "clean_text": text_body[:59],
        "removed_spans": [
            RemovedSpan(
                start=60,
                end=len(text_body),
                kind=SpanKind.navigation,
                text="Subscribe now!",
                rule="subscribe",
            )
        ],
        "content_hash": "h-" + article_id,
    }
    fields.update(overrides)
    return Article.model_validate(fields)


def test_migrated_schema_matches_table_definitions(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_round_trip_keeps_every_field(store: Store) -> None:
    article = make_article(published=dt.datetime(2025, 2, 17, 23, 5, tzinfo=dt.UTC))
    assert store.save_article(article, minhash=b"\x01\x02") == "inserted"
    loaded = store.get_article("a1")
    assert loaded == article
    assert [s.kind for s in loaded.removed_spans] == [SpanKind.navigation]


def test_saving_the_same_article_twice_changes_nothing(store: Store) -> None:
    article = make_article()
    assert store.save_article(article) == "inserted"
    before = store.status()
    assert (
        store.save_article(article.model_copy(update={"retrieved": NOW + dt.timedelta(days=1)}))
        == "unchanged"
    )
    assert store.status() == before


def test_changed_content_updates_and_replaces_spans(store: Store) -> None:
    store.save_article(make_article())
    changed = make_article(clean_text="New body.", removed_spans=[], content_hash="other")
    assert store.save_article(changed) == "updated"
    loaded = store.get_article("a1")
    assert loaded.clean_text == "New body."
    assert loaded.removed_spans == []
    assert store.status().removed_spans_by_kind == {}


def test_link_only_change_is_an_update(store: Store) -> None:
    store.save_article(make_article("orig"))
    store.save_article(make_article("copy"))
    relinked = make_article("copy", near_duplicate_of="orig", duplicate_similarity=0.9)
    assert store.save_article(relinked) == "updated"
    assert store.get_article("copy").near_duplicate_of == "orig"
    assert store.status().near_duplicates == 1


def test_repoint_duplicates_moves_the_whole_cluster(store: Store) -> None:
    store.save_article(make_article("r"))
    store.save_article(make_article("c1", near_duplicate_of="r"))
    store.save_article(make_article("c2", near_duplicate_of="r"))
    store.save_article(make_article("new"))
    moved = store.repoint_duplicates("r", "new", 0.8)
    assert sorted(moved) == ["c1", "c2", "r"]
    assert {store.get_article(i).near_duplicate_of for i in ("c1", "c2", "r")} == {"new"}


def test_rejections_are_stored_once_and_cleared_when_the_input_ingests(store: Store) -> None:
    rej = Rejection.create("/data/a1.json", RejectionReason.invalid_json, "line 1", "fix it")
    assert store.save_rejection(rej) is True
    assert (
        store.save_rejection(Rejection.create("/data/a1.json", RejectionReason.invalid_json, "x", "y"))
        is False
    )
    assert store.status().rejections_by_reason == {"invalid_json": 1}
    store.save_article(make_article("a1"))  # origin /data/a1.json now ingests
    assert store.status().rejections == 0


def test_list_search_and_filters(store: Store) -> None:
    for i in range(12):
        store.save_article(
            make_article(
                f"n{i:02d}",
                published=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                title=f"Story {i}",
                clean_text="Tengiz output steady" if i % 2 else "Port strike at Novorossiysk",
            )
        )
    store.save_article(make_article("undated", published=None))
    page, total = store.list_articles(ArticleQuery(limit=5))
    assert total == 13
    assert [a.id for a in page] == ["n11", "n10", "n09", "n08", "n07"]
    found, n = store.list_articles(ArticleQuery(text="novorossiysk"))
    assert n == 6
    assert all("Novorossiysk" in a.clean_text for a in found)
    _window, n = store.list_articles(
        ArticleQuery(published_from=dt.date(2025, 1, 3), published_to=dt.date(2025, 1, 5))
    )
    assert n == 3
    last, _ = store.list_articles(ArticleQuery(limit=5, offset=10))
    assert [a.id for a in last] == ["n01", "n00", "undated"]
    assert len(list(store.iter_articles(batch=4))) == 13


def test_get_unknown_article_suggests_close_ids(store: Store) -> None:
    store.save_article(make_article("demo-101"))
    with pytest.raises(NotFoundError) as info:
        store.get_article("demo-10l")
    assert info.value.suggestions == ["demo-101"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_settings: Settings) -> None:
    with Store.open(sqlite_settings) as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_reopening_a_database_keeps_its_content(sqlite_settings: Settings) -> None:
    with Store.open(sqlite_settings) as store:
        store.save_article(make_article())
    with Store.open(sqlite_settings) as store:
        assert store.get_article("a1").title == make_article().title


def test_concurrent_writers_on_one_sqlite_file(sqlite_settings: Settings) -> None:
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with Store.open(sqlite_settings) as store:
                for i in range(40):
                    store.save_article(make_article(f"{prefix}{i}"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("x", "y", "z")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(sqlite_settings) as store:
        assert store.status().articles == 120


def test_unusable_database_settings_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Store.open(Settings(db=str(tmp_path / "missing" / "ew.db")))
    with pytest.raises(ConfigError, match="unsupported database backend"):
        Store.open(Settings(db="mysql://localhost/x"))
    with pytest.raises(StorageError, match="cannot open or migrate"):
        Store.open(Settings(db="postgresql://127.0.0.1:1/nothing?connect_timeout=2"))
