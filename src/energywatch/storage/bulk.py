"""Batch writers for the parallel pipeline (issue 8): one batch, one transaction.

A worker of the scale-out pipeline cleans, signs and extracts a batch of articles and
hands the results to ``write_batch``. Storing them one ``save_article`` +
``save_extraction`` at a time costs a dozen round trips per article; here a batch
costs a fixed number of statements. On PostgreSQL the rows travel by ``COPY … FROM
STDIN``; on SQLite (the embedded default, one writer at a time anyway) by
``executemany``, so the same pipeline code runs on both.

What gets written is what ``Store.save_article(article, minhash)`` followed by
``Store.save_extraction(extraction, version=...)`` would write for each item: the same
row builders (``store.article_values``, ``incidents.extraction_rows``) make the rows,
and the same comparisons decide what to touch:

* an article whose id is new is inserted; one whose fingerprint differs from the stored
  one is rewritten (``created_at`` kept, removed spans replaced); one with the same
  fingerprint but another near-duplicate link gets only its link updated; the rest are
  left alone. Earlier rejections of a written article's input are deleted.
* an extraction is written, its claims replaced, unless the stored one was made by the
  same extractor version, from the same article fingerprint, with the same content.

So re-running a batch writes nothing, and a batch overlapping stored articles does not
fail. The new/changed/unchanged decision is made from one read of the batch's stored
fingerprints (and stored extractions) just before the writes, because only Python can
make the extraction comparison exactly as ``save_extraction`` does. The writes
themselves are upserts (PostgreSQL: COPY into a temporary staging table, then
``INSERT … SELECT … ON CONFLICT DO UPDATE``), so when a concurrent writer stores one of
the ids between the read and the write, this batch's row overwrites it instead of
failing, as a later ``save_article`` of other content would. Spans and claims are
deleted after that upsert has waited for any such writer, then written again, so they
are never doubled. Rows are written in id order, so two batches sharing ids lock them
in the same order and one waits for the other instead of deadlocking.

Near-duplicate links are not decided here: ``near_duplicate_of`` is stored as the
article carries it (normally None); a later, partitioned step links the copies.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import JSON, Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from energywatch.errors import StorageError
from energywatch.models import Article, ArticleExtraction, Source
from energywatch.storage import schema
from energywatch.storage.incidents import (
    ExtractionRows,
    extraction_rows,
    extraction_values,
    stored_content,
)
from energywatch.storage.store import Store, _insert_ignore, article_values, span_rows

A = schema.articles
S = schema.removed_spans
E = schema.extractions
C = schema.claims

# Bound parameters per IN (...) list: well below SQLite's and PostgreSQL's limits.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Processed:
    """One article after cleaning, signing and extraction, as a pipeline worker makes it."""

    article: Article
    minhash: bytes
    extraction: ArticleExtraction
    version: str  # extractor version (``energywatch.extract.article.VERSION``)


@dataclass(frozen=True, slots=True)
class BulkReport:
    """Rows one ``write_batch`` wrote; all zero but ``unchanged`` when it re-ran a batch."""

    articles: int = 0  # article rows inserted or rewritten (link-only updates included)
    spans: int = 0
    extractions: int = 0
    claims: int = 0
    unchanged: int = 0  # articles (distinct ids) for which nothing at all was written
    seconds: float = 0.0


@dataclass(slots=True)
class _Rows:
    """A batch as table rows, keyed by article id in batch order."""

    sources: dict[str, Source] = field(default_factory=dict)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    spans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extractions: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, ExtractionRows] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which ids of a batch need which writes."""

    # Each sorted by id (see write_batch on lock order).
    articles: list[str]  # new or changed content: whole row, spans replaced
    relinks: list[str]  # same content, another near-duplicate link
    extractions: list[str]  # new, stale or changed extraction: row and claims replaced


def write_batch(store: Store, batch: Sequence[Processed]) -> BulkReport:
    """Store a batch of processed articles in one transaction (see the module docstring);
    an article id given twice keeps its last item, as saving them in order would.

    Raises ValueError for a batch that could not be stored as given (an extraction of
    another article, misnumbered events) before touching the database, and
    StorageError when the database refuses the batch, which is then rolled back.
    """
    started = time.perf_counter()
    if not batch:
        return BulkReport()
    rows = _rows(batch, dt.datetime.now(dt.UTC))
    # Sorted, like every write below, so that concurrent batches sharing rows lock them in
    # the same order and wait for each other instead of deadlocking.
    new_sources = [s for name, s in sorted(rows.sources.items()) if name not in store._known_sources]
    with store._write() as conn:
        for source in new_sources:
            _insert_ignore(conn, schema.sources, source.model_dump(mode="json"))
        plan = _plan(conn, rows)
        if conn.dialect.name == "postgresql":
            spans, claims = _write_copy(conn, rows, plan)
        else:
            spans, claims = _write_executemany(conn, rows, plan)
    store._known_sources.update(s.name for s in new_sources)
    touched = {*plan.articles, *plan.relinks, *plan.extractions}
    return BulkReport(
        articles=len(plan.articles) + len(plan.relinks),
        spans=spans,
        extractions=len(plan.extractions),
        claims=claims,
        unchanged=len(rows.articles) - len(touched),
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------- rows and plan


def _rows(batch: Sequence[Processed], now: dt.datetime) -> _Rows:
    rows = _Rows()
    # An id given twice (a record repeated in a shard) keeps its last item: the content
    # that saving the items in order would leave stored.
    for item in batch:
        article, extraction = item.article, item.extraction
        if extraction.article_id != article.id:
            raise ValueError(f"the extraction of article {article.id!r} is of {extraction.article_id!r}")
        values = article_values(article, item.minhash, now)
        content = extraction_rows(extraction)
        rows.sources.setdefault(article.source.name, article.source)
        rows.articles[article.id] = {"id": article.id, "created_at": now, **values}
        rows.spans[article.id] = span_rows(article.id, article.removed_spans)
        rows.contents[article.id] = content
        rows.extractions[article.id] = {
            "article_id": article.id,
            **extraction_values(
                extraction, content, version=item.version, fingerprint=values["fingerprint"], now=now
            ),
        }
    return rows


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _plan(conn: Connection, rows: _Rows) -> _Plan:
    """Decide, as save_article and save_extraction would, what each item must write.

    The extraction's article fingerprint is the batch's own: after this batch the
    stored article has it whether it was written or already matched.
    """
    ids = list(rows.articles)
    stored: dict[str, Any] = {}
    for chunk in _chunks(ids):
        for r in conn.execute(
            select(A.c.id, A.c.fingerprint, A.c.near_duplicate_of).where(A.c.id.in_(chunk))
        ):
            stored[r.id] = r
    articles, relinks = [], []
    for article_id in sorted(ids):
        row, current = rows.articles[article_id], stored.get(article_id)
        if current is None or current.fingerprint != row["fingerprint"]:
            articles.append(article_id)
        elif current.near_duplicate_of != row["near_duplicate_of"]:
            relinks.append(article_id)

    # Only extractions of the same version and fingerprint can be unchanged; their
    # content is compared with what is stored, claims included.
    same: dict[str, Any] = {}
    for chunk in _chunks(ids):
        for r in conn.execute(select(E).where(E.c.article_id.in_(chunk))):
            wanted = rows.extractions[r.article_id]
            if (r.version, r.article_fingerprint) == (wanted["version"], wanted["article_fingerprint"]):
                same[r.article_id] = r
    stored_claims: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(list(same)):
        for c in conn.execute(select(C).where(C.c.article_id.in_(chunk)).order_by(C.c.article_id, C.c.id)):
            stored_claims[c.article_id].append(c)
    extractions = [
        article_id
        for article_id in sorted(ids)
        if article_id not in same
        or stored_content(same[article_id], stored_claims[article_id]) != rows.contents[article_id].content
    ]
    return _Plan(articles, relinks, extractions)


def _relink_rows(rows: _Rows, ids: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {
            "b_id": i,
            "b_link": rows.articles[i]["near_duplicate_of"],
            "b_similarity": rows.articles[i]["duplicate_similarity"],
            "b_now": rows.articles[i]["updated_at"],
        }
        for i in ids
    ]


_RELINK = (
    update(A)
    .where(A.c.id == bindparam("b_id"))
    .values(
        near_duplicate_of=bindparam("b_link"),
        duplicate_similarity=bindparam("b_similarity"),
        updated_at=bindparam("b_now"),
    )
)


def _written_origins(rows: _Rows, plan: _Plan) -> list[str]:
    """Inputs whose earlier rejections are history now (save_article's rule)."""
    return sorted({rows.articles[i]["origin"] for i in [*plan.articles, *plan.relinks]})


# ---------------------------------------------------------------------- SQLite (and any other)


def _upsert(conn: Connection, table: Table, keep: set[str]) -> Any:
    """INSERT that rewrites every column but ``keep`` when the primary key exists."""
    ins: Any = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    return ins.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={c.name: ins.excluded[c.name] for c in table.columns if c.name not in keep},
    )


def _write_executemany(conn: Connection, rows: _Rows, plan: _Plan) -> tuple[int, int]:
    spans = [s for i in plan.articles for s in rows.spans[i]]
    if plan.articles:
        conn.execute(_upsert(conn, A, {"id", "created_at"}), [rows.articles[i] for i in plan.articles])
        for chunk in _chunks(plan.articles):
            conn.execute(delete(S).where(S.c.article_id.in_(chunk)))
        if spans:
            conn.execute(insert(S), spans)
    if plan.relinks:
        conn.execute(_RELINK, _relink_rows(rows, plan.relinks))
    for chunk in _chunks(_written_origins(rows, plan)):
        conn.execute(delete(schema.rejections).where(schema.rejections.c.origin.in_(chunk)))
    claims = [c for i in plan.extractions for c in rows.contents[i].claims]
    if plan.extractions:
        conn.execute(_upsert(conn, E, {"article_id"}), [rows.extractions[i] for i in plan.extractions])
        for chunk in _chunks(plan.extractions):
            conn.execute(delete(C).where(C.c.article_id.in_(chunk)))
        if claims:
            conn.execute(insert(C), claims)
    return len(spans), len(claims)


# ---------------------------------------------------------------------- PostgreSQL


def _copy(cur: psycopg.Cursor[Any], table: Table, target: str, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows of ``table`` (text format) into ``target``; returns how many.

    Serial ids are left to the database. JSON values go as the text SQLAlchemy would
    send (``json.dumps``), so both writers store the same documents (None as JSON null).
    """
    columns = [c for c in table.columns if c.autoincrement is not True]
    as_json = [isinstance(c.type, JSON) for c in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target), sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    )
    written = 0
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c.name]) if j else row[c.name] for c, j in zip(columns, as_json, strict=True)]
            )
            written += 1
    return written


def _stage_and_upsert(
    cur: psycopg.Cursor[Any], table: Table, rows: Iterable[dict[str, Any]], keep: set[str]
) -> None:
    """COPY rows into a temporary copy of ``table``, then upsert them from there: COPY
    itself cannot skip or update rows whose key exists."""
    stage = f"ew_stage_{table.name}"
    cur.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
            sql.Identifier(stage), sql.Identifier(table.name)
        )
    )
    _copy(cur, table, stage, rows)
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    key = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.primary_key.columns)
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c.name))
        for c in table.columns
        if c.name not in keep
    )
    cur.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY {} ON CONFLICT ({}) DO UPDATE SET {}").format(
            sql.Identifier(table.name), columns, columns, sql.Identifier(stage), key, key, updates
        )
    )


def _write_copy(conn: Connection, rows: _Rows, plan: _Plan) -> tuple[int, int]:
    raw = conn.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):  # pragma: no cover - the psycopg dialect is configured
        raise StorageError(f"bulk writes on PostgreSQL need psycopg 3, not {type(raw).__name__}")
    spans = claims = 0
    try:
        with raw.cursor() as cur:
            if plan.articles:
                _stage_and_upsert(cur, A, (rows.articles[i] for i in plan.articles), {"id", "created_at"})
                # After the upsert, which waited for any concurrent writer of these ids.
                cur.execute("DELETE FROM removed_spans WHERE article_id = ANY(%s)", (plan.articles,))
                spans = _copy(cur, S, S.name, (s for i in plan.articles for s in rows.spans[i]))
            if plan.relinks:
                conn.execute(_RELINK, _relink_rows(rows, plan.relinks))
            origins = _written_origins(rows, plan)
            if origins:
                cur.execute("DELETE FROM rejections WHERE origin = ANY(%s)", (origins,))
            if plan.extractions:
                _stage_and_upsert(cur, E, (rows.extractions[i] for i in plan.extractions), {"article_id"})
                cur.execute("DELETE FROM claims WHERE article_id = ANY(%s)", (plan.extractions,))
                claims = _copy(cur, C, C.name, (c for i in plan.extractions for c in rows.contents[i].claims))
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StorageError(
            f"database error while bulk writing: {first}",
            "the batch was rolled back; fix the cause and re-run it",
        ) from exc
    return spans, claims
