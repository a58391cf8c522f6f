"""The store: every read and write of records goes through here.

Writes are idempotent: articles are keyed by their stable id and carry a fingerprint
of their content, so storing the same article twice is a no-op; rejections are keyed
by (origin, reason). Each write is its own short transaction, so a crash loses at
most the article being written and a re-run restores it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from energywatch.errors import NotFoundError, StorageError
from energywatch.models import (
    Article,
    InputFormat,
    Outcome,
    Rejection,
    RejectionReason,
    RemovedSpan,
    Source,
    SourceKind,
    SpanKind,
)
from energywatch.settings import Settings
from energywatch.storage import schema
from energywatch.storage.engine import create_db_engine, migrate
from energywatch.storage.incidents import IncidentStoreMixin
from energywatch.storage.watch_state import WatchStoreMixin
from energywatch.storage.windows import WindowStoreMixin

A = schema.articles


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """What near-duplicate detection needs to know about a stored article."""

    article_id: str
    near_duplicate_of: str | None
    published: str | None
    content_hash: str
    minhash: bytes


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """An article's id, date and copy link, without its text (for resolution)."""

    article_id: str
    published: dt.date | dt.datetime | None
    near_duplicate_of: str | None
    outlet: str


@dataclass(slots=True)
class StoreStatus:
    """Counts shown by ``energywatch status`` and the dashboard."""

    articles: int = 0
    originals: int = 0
    near_duplicates: int = 0
    sources: int = 0
    rejections: int = 0
    rejections_by_reason: dict[str, int] = field(default_factory=dict)
    removed_spans_by_kind: dict[str, int] = field(default_factory=dict)
    articles_by_outlet: dict[str, int] = field(default_factory=dict)
    articles_without_date: int = 0


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Filters for listing articles; all optional, combined with AND."""

    text: str | None = None
    outlet: str | None = None
    duplicates: bool | None = None  # True: only copies, False: only originals
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    limit: int = 50
    offset: int = 0


def fingerprint(article: Article) -> str:
    """Hash of everything an input determines about an article.

    ``retrieved`` and the near-duplicate link are excluded: the first changes on every
    run and the second depends on what else is stored, not on the input.
    """
    payload = article.model_dump(
        mode="json", exclude={"retrieved", "near_duplicate_of", "duplicate_similarity"}
    )
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def article_values(article: Article, minhash: bytes | None, now: dt.datetime) -> dict[str, Any]:
    """An article's ``articles`` row without ``id`` and ``created_at`` (the two columns an
    update keeps); shared by ``Store.save_article`` and the bulk writers in
    ``storage.bulk`` so both store exactly the same values."""
    return {
        "url": article.url,
        "source_name": article.source.name,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "published_date": _published_date(article.published),
        "retrieved": article.retrieved,
        "language": article.language,
        "input_format": article.input_format.value,
        "origin": article.origin,
        "html": article.html,
        "text": article.text,
        "clean_text": article.clean_text,
        "content_hash": article.content_hash,
        "fingerprint": fingerprint(article),
        "near_duplicate_of": article.near_duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "minhash": minhash,
        "updated_at": now,
    }


def span_rows(article_id: str, spans: list[RemovedSpan]) -> list[dict[str, Any]]:
    """``removed_spans`` rows of an article (the serial ``id`` is left to the database)."""
    return [
        {
            "article_id": article_id,
            "start": s.start,
            "end": s.end,
            "kind": s.kind.value,
            "rule": s.rule,
            "text": s.text,
        }
        for s in spans
    ]


def _published_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _parse_published(text: str | None) -> dt.date | dt.datetime | None:
    if not text:
        return None
    if "T" in text or " " in text:
        return dt.datetime.fromisoformat(text)
    return dt.date.fromisoformat(text)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Store(IncidentStoreMixin, WatchStoreMixin, WindowStoreMixin):
    """Typed access to one database (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known_sources: set[str] = set()

    @classmethod
    def open(cls, settings: Settings) -> Store:
        """Open (and create or migrate) the database named by the settings."""
        engine = create_db_engine(settings)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sources

    def ensure_source(self, source: Source) -> None:
        """Insert the outlet if it is new; existing outlet metadata is kept as stored."""
        if source.name in self._known_sources:
            return
        with self._write() as conn:
            _insert_ignore(conn, schema.sources, source.model_dump(mode="json"))
        self._known_sources.add(source.name)

    def list_sources(self) -> list[Source]:
        with self._read() as conn:
            rows = conn.execute(select(schema.sources).order_by(schema.sources.c.name)).all()
        return [
            Source(
                name=r.name,
                domain=r.domain,
                kind=SourceKind(r.kind),
                country=r.country,
                reliability_prior=r.reliability_prior,
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ articles

    def save_article(self, article: Article, minhash: bytes | None = None) -> Outcome:
        """Insert or update an article; report whether anything changed."""
        self.ensure_source(article.source)
        now = dt.datetime.now(dt.UTC)
        values = article_values(article, minhash, now)
        fp = values["fingerprint"]
        with self._write() as conn:
            current = conn.execute(
                select(A.c.fingerprint, A.c.near_duplicate_of).where(A.c.id == article.id)
            ).first()
            if current is None:
                conn.execute(insert(A).values(id=article.id, created_at=now, **values))
                self._write_spans(conn, article.id, article.removed_spans)
                outcome: Outcome = "inserted"
            elif current.fingerprint == fp:
                if current.near_duplicate_of == article.near_duplicate_of:
                    return "unchanged"
                conn.execute(
                    update(A)
                    .where(A.c.id == article.id)
                    .values(
                        near_duplicate_of=article.near_duplicate_of,
                        duplicate_similarity=article.duplicate_similarity,
                        updated_at=now,
                    )
                )
                outcome = "updated"
            else:
                conn.execute(update(A).where(A.c.id == article.id).values(**values))
                conn.execute(
                    delete(schema.removed_spans).where(schema.removed_spans.c.article_id == article.id)
                )
                self._write_spans(conn, article.id, article.removed_spans)
                outcome = "updated"
            # The input now ingests: earlier rejections of the same input are history.
            conn.execute(delete(schema.rejections).where(schema.rejections.c.origin == article.origin))
        return outcome

    @staticmethod
    def _write_spans(conn: Any, article_id: str, spans: list[RemovedSpan]) -> None:
        if spans:
            conn.execute(insert(schema.removed_spans), span_rows(article_id, spans))

    def stored_fingerprint(self, article_id: str) -> str | None:
        """The content fingerprint stored for an id (None when the id is new)."""
        with self._read() as conn:
            found: str | None = conn.execute(
                select(A.c.fingerprint).where(A.c.id == article_id)
            ).scalar_one_or_none()
        return found

    def find_article(self, article_id: str) -> Article | None:
        with self._read() as conn:
            row = conn.execute(
                select(A, schema.sources)
                .join(schema.sources, schema.sources.c.name == A.c.source_name)
                .where(A.c.id == article_id)
            ).first()
            if row is None:
                return None
            spans = conn.execute(
                select(schema.removed_spans)
                .where(schema.removed_spans.c.article_id == article_id)
                .order_by(schema.removed_spans.c.start)
            ).all()
        return self._article_from_row(row, spans)

    def get_article(self, article_id: str) -> Article:
        """The article with this id, or NotFoundError listing close ids."""
        article = self.find_article(article_id)
        if article is not None:
            return article
        with self._read() as conn:
            like = conn.execute(select(A.c.id).where(A.c.id.like(f"{article_id[:6]}%")).limit(200)).scalars()
            candidates = list(like)
        raise NotFoundError("article", article_id, difflib.get_close_matches(article_id, candidates, n=5))

    @staticmethod
    def _article_from_row(row: Row[Any], spans: list[Row[Any]]) -> Article:
        m = row._mapping
        return Article(
            id=m[A.c.id],
            url=m[A.c.url],
            source=Source(
                name=m[schema.sources.c.name],
                domain=m[schema.sources.c.domain],
                kind=SourceKind(m[schema.sources.c.kind]),
                country=m[schema.sources.c.country],
                reliability_prior=m[schema.sources.c.reliability_prior],
            ),
            title=m[A.c.title],
            published=_parse_published(m[A.c.published]),
            retrieved=_aware(m[A.c.retrieved]),
            language=m[A.c.language],
            input_format=InputFormat(m[A.c.input_format]),
            origin=m[A.c.origin],
            html=m[A.c.html],
            text=m[A.c.text],
            clean_text=m[A.c.clean_text],
            content_hash=m[A.c.content_hash],
            near_duplicate_of=m[A.c.near_duplicate_of],
            duplicate_similarity=m[A.c.duplicate_similarity],
            removed_spans=[
                RemovedSpan(start=s.start, end=s.end, kind=SpanKind(s.kind), rule=s.rule, text=s.text)
                for s in spans
            ],
        )

    def list_articles(self, query: ArticleQuery = ArticleQuery()) -> tuple[list[Article], int]:
        """A page of articles (newest first) and the total number matching the filters."""
        conditions = []
        if query.text:
            pattern = f"%{query.text}%"
            conditions.append(or_(A.c.title.ilike(pattern), A.c.clean_text.ilike(pattern)))
        if query.outlet:
            conditions.append(A.c.source_name == query.outlet)
        if query.duplicates is True:
            conditions.append(A.c.near_duplicate_of.is_not(None))
        elif query.duplicates is False:
            conditions.append(A.c.near_duplicate_of.is_(None))
        if query.published_from:
            conditions.append(A.c.published_date >= query.published_from)
        if query.published_to:
            conditions.append(A.c.published_date <= query.published_to)
        where = and_(True, *conditions)
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(A).where(where)).scalar_one()
            ids = (
                conn.execute(
                    select(A.c.id)
                    .where(where)
                    .order_by(A.c.published_date.desc().nulls_last(), A.c.id)
                    .limit(query.limit)
                    .offset(query.offset)
                )
                .scalars()
                .all()
            )
        articles = [a for a in (self.find_article(i) for i in ids) if a is not None]
        return articles, int(total)

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every article in id order, fetched in batches so memory stays flat."""
        last = ""
        while True:
            with self._read() as conn:
                ids = (
                    conn.execute(select(A.c.id).where(A.c.id > last).order_by(A.c.id).limit(batch))
                    .scalars()
                    .all()
                )
            if not ids:
                return
            for article_id in ids:
                article = self.find_article(article_id)
                if article is not None:
                    yield article
            last = ids[-1]

    def iter_article_meta(self) -> Iterator[ArticleMeta]:
        """Id, publication date and copy link of every article, streamed."""
        with self._read() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                select(A.c.id, A.c.published, A.c.near_duplicate_of, A.c.source_name).order_by(A.c.id)
            )
            for row in result:
                yield ArticleMeta(
                    row.id, _parse_published(row.published), row.near_duplicate_of, row.source_name
                )

    def iter_signatures(self) -> Iterator[SignatureRow]:
        """MinHash signatures of every stored article, for the near-duplicate index."""
        with self._read() as conn:
            result = conn.execution_options(yield_per=2000).execute(
                select(A.c.id, A.c.near_duplicate_of, A.c.published, A.c.content_hash, A.c.minhash)
                .where(A.c.minhash.is_not(None))
                .order_by(A.c.id)
            )
            for row in result:
                yield SignatureRow(
                    row.id, row.near_duplicate_of, row.published, row.content_hash, bytes(row.minhash)
                )

    def replace_minhash(self, article_id: str, minhash: bytes) -> None:
        """Store a recomputed signature (after the MinHash parameters changed)."""
        with self._write() as conn:
            conn.execute(update(A).where(A.c.id == article_id).values(minhash=minhash))

    def repoint_duplicates(self, old_root: str, new_root: str, similarity: float | None) -> list[str]:
        """Make ``new_root`` the original of a cluster whose original was ``old_root``.

        Used when a copy arrives before its earlier-published original: the analyst
        expects the first publication to be the original.
        """
        now = dt.datetime.now(dt.UTC)
        with self._write() as conn:
            members = list(conn.execute(select(A.c.id).where(A.c.near_duplicate_of == old_root)).scalars())
            conn.execute(
                update(A)
                .where(A.c.near_duplicate_of == old_root)
                .values(near_duplicate_of=new_root, updated_at=now)
            )
            conn.execute(
                update(A)
                .where(A.c.id == old_root)
                .values(near_duplicate_of=new_root, duplicate_similarity=similarity, updated_at=now)
            )
        return [*members, old_root]

    # ------------------------------------------------------------------ rejections

    def save_rejection(self, rejection: Rejection) -> bool:
        """Store a rejection unless the same input was already rejected for the same reason."""
        with self._write() as conn:
            return _insert_ignore(conn, schema.rejections, rejection.model_dump(mode="python"))

    def list_rejections(
        self, reason: RejectionReason | None = None, limit: int = 100, offset: int = 0
    ) -> list[Rejection]:
        rej = schema.rejections
        stmt = select(rej).order_by(rej.c.rejected_at.desc(), rej.c.id).limit(limit).offset(offset)
        if reason is not None:
            stmt = stmt.where(rej.c.reason == reason.value)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [
            Rejection(
                id=r.id,
                origin=r.origin,
                reason=RejectionReason(r.reason),
                detail=r.detail,
                hint=r.hint,
                article_id=r.article_id,
                rejected_at=_aware(r.rejected_at),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ status

    def status(self) -> StoreStatus:
        rej, spans = schema.rejections, schema.removed_spans
        with self._read() as conn:
            st = StoreStatus()
            st.articles = conn.execute(select(func.count()).select_from(A)).scalar_one()
            st.near_duplicates = conn.execute(
                select(func.count()).select_from(A).where(A.c.near_duplicate_of.is_not(None))
            ).scalar_one()
            st.originals = st.articles - st.near_duplicates
            st.articles_without_date = conn.execute(
                select(func.count()).select_from(A).where(A.c.published.is_(None))
            ).scalar_one()
            st.sources = conn.execute(select(func.count()).select_from(schema.sources)).scalar_one()
            st.rejections_by_reason = dict(
                conn.execute(
                    select(rej.c.reason, func.count()).group_by(rej.c.reason).order_by(rej.c.reason)
                ).all()
            )
            st.rejections = sum(st.rejections_by_reason.values())
            st.removed_spans_by_kind = dict(
                conn.execute(
                    select(spans.c.kind, func.count()).group_by(spans.c.kind).order_by(spans.c.kind)
                ).all()
            )
            st.articles_by_outlet = dict(
                conn.execute(
                    select(A.c.source_name, func.count())
                    .group_by(A.c.source_name)
                    .order_by(func.count().desc(), A.c.source_name)
                ).all()
            )
        return st

    # ------------------------------------------------------------------ plumbing

    def _read(self) -> Any:
        return _Guard(self.engine, write=False)

    def _write(self) -> Any:
        return _Guard(self.engine, write=True)


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its primary key exists; safe against concurrent writers."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt: Any = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported backends reach here
        raise StorageError(f"unsupported dialect {dialect}")
    pk = next(iter(table.primary_key.columns))
    return conn.execute(stmt.returning(pk)).first() is not None


class _Guard:
    """A connection context that turns driver errors into StorageError with a hint."""

    def __init__(self, engine: Engine, *, write: bool) -> None:
        self.engine = engine
        self.write = write
        self._ctx: Any = None

    def __enter__(self) -> Any:
        try:
            self._ctx = self.engine.begin() if self.write else self.engine.connect()
            return self._ctx.__enter__()
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from exc

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self._ctx.__exit__(exc_type, exc, tb)
        except SQLAlchemyError as err:
            raise _storage_error(err) from err
        if isinstance(exc, SQLAlchemyError):
            raise _storage_error(exc) from exc


def _storage_error(exc: SQLAlchemyError) -> StorageError:
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if "locked" in text:
        hint = "another process holds the database; wait for it or use PostgreSQL for many writers"
    elif "readonly" in text or "permission" in text.lower():
        hint = "the database file or its folder is not writable; check permissions or pass another --db"
    else:
        hint = "check the database (--db / ENERGYWATCH_DB) and try again"
    return StorageError(f"database error: {text}", hint)
