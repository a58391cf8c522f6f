"""Reading and writing the store one publication-date window at a time.

``energywatch batch`` links near-duplicates and resolves incidents window by window so
that no step holds the whole archive (issue 8). These queries are what it needs: the
signatures and the extractions of the articles published in a date range (undated
articles on request), the date range of the archive, bulk updates of copy links, and
adding a window's incidents to the table. ``Store`` inherits them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, insert, or_, select, update

from energywatch.models import ArticleExtraction, Incident
from energywatch.storage import schema
from energywatch.storage.incidents import (
    IncidentStoreMixin,
    _build_extraction,
    _chunks,
    _incident_payload,
    _incident_values,
)

A = schema.articles
E = schema.extractions
C = schema.claims
I = schema.incidents  # noqa: E741 - the table alias used across the storage modules
IA = schema.incident_articles
IS = schema.incident_assets


def _published_in(start: dt.date | None, end: dt.date | None, undated: bool) -> ColumnElement[bool]:
    """Articles published in [start, end) (either bound open), plus undated ones if asked."""
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(A.c.published_date >= start)
    if end is not None:
        conditions.append(A.c.published_date < end)
    dated = and_(A.c.published_date.is_not(None), *conditions)
    return or_(dated, A.c.published_date.is_(None)) if undated else dated


class WindowStoreMixin:
    """Window queries for the partitioned batch steps; mixed into ``Store``."""

    if TYPE_CHECKING:  # provided by Store

        def _read(self) -> Any: ...

        def _write(self) -> Any: ...

    def published_range(self) -> tuple[dt.date | None, dt.date | None, int]:
        """(first, last publication date, number of undated articles)."""
        with self._read() as conn:
            first, last = conn.execute(
                select(func.min(A.c.published_date), func.max(A.c.published_date))
            ).one()
            undated = conn.execute(select(func.count()).where(A.c.published_date.is_(None))).scalar_one()
        return first, last, int(undated)

    def window_signatures(
        self, start: dt.date | None, end: dt.date | None, *, undated: bool = False
    ) -> list[tuple[str, dt.date | None, str, bytes]]:
        """(id, published date, content hash, MinHash) of the window's articles, ordered
        by publication date then id: the order in which originals are decided."""
        stmt = (
            select(A.c.id, A.c.published_date, A.c.content_hash, A.c.minhash)
            .where(_published_in(start, end, undated), A.c.minhash.is_not(None))
            .order_by(A.c.published_date.is_(None), A.c.published_date, A.c.id)
        )
        with self._read() as conn:
            return [(r.id, r.published_date, r.content_hash, bytes(r.minhash)) for r in conn.execute(stmt)]

    def duplicate_originals(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The stored original of each of these articles that is a copy."""
        found: dict[str, str] = {}
        with self._read() as conn:
            for chunk in _chunks(list(article_ids)):
                rows = conn.execute(
                    select(A.c.id, A.c.near_duplicate_of).where(
                        A.c.id.in_(chunk), A.c.near_duplicate_of.is_not(None)
                    )
                )
                found |= {r.id: r.near_duplicate_of for r in rows}
        return found

    def move_duplicate_links(self, moves: Sequence[tuple[str, str]]) -> int:
        """Point copies at another original (article id → new original), keeping the
        similarity they were linked with."""
        return self._update_articles([{"aid": a, "root": r} for a, r in moves], near_duplicate_of="root")

    def set_duplicate_links(self, links: Sequence[tuple[str, str | None, float | None]]) -> int:
        """Set (article id → original, similarity) for many articles in one transaction."""
        rows = [{"aid": a, "root": r, "sim": s} for a, r, s in links]
        return self._update_articles(rows, near_duplicate_of="root", duplicate_similarity="sim")

    def _update_articles(self, rows: list[dict[str, Any]], **columns: str) -> int:
        """One UPDATE per row in one transaction: each row's ``aid`` picks the article;
        ``columns`` maps an article column to the row key holding its new value."""
        if not rows:
            return 0
        values: dict[str, Any] = {column: bindparam(key) for column, key in columns.items()}
        values["updated_at"] = dt.datetime.now(dt.UTC)
        stmt = update(A).where(A.c.id == bindparam("aid")).values(**values)
        with self._write() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def window_extractions(
        self, start: dt.date | None, end: dt.date | None, *, undated: bool = False
    ) -> tuple[list[ArticleExtraction], dict[str, tuple[dt.date | None, str | None]]]:
        """The extractions of the window's articles with their claims, and for each of
        those articles (publication date, original it copies)."""
        where = _published_in(start, end, undated)
        with self._read() as conn:
            meta = {
                r.id: (r.published_date, r.near_duplicate_of)
                for r in conn.execute(select(A.c.id, A.c.published_date, A.c.near_duplicate_of).where(where))
            }
            rows = conn.execute(
                select(E)
                .select_from(E.join(A, A.c.id == E.c.article_id))
                .where(where)
                .order_by(E.c.article_id)
            ).all()
            claims: dict[str, list[Any]] = defaultdict(list)
            ids = [r.article_id for r in rows]
            for chunk in _chunks(ids):
                for c in conn.execute(
                    select(C).where(C.c.article_id.in_(chunk)).order_by(C.c.article_id, C.c.id)
                ):
                    claims[c.article_id].append(c)
        return [_build_extraction(r, claims.get(r.article_id, [])) for r in rows], meta

    def clear_incidents(self) -> None:
        """Drop every incident (batch resolution rebuilds the table window by window)."""
        with self._write() as conn:
            conn.execute(delete(IA))
            conn.execute(delete(IS))
            conn.execute(delete(I))

    def add_incidents(self, incidents: Iterable[Incident]) -> int:
        """Insert incidents whose id is not stored yet; returns how many were added."""
        wanted = {i.id: i for i in incidents}
        if not wanted:
            return 0
        now = dt.datetime.now(dt.UTC)
        with self._write() as conn:
            stored: set[str] = set()
            for chunk in _chunks(list(wanted)):
                stored |= set(conn.execute(select(I.c.id).where(I.c.id.in_(chunk))).scalars())
            new = [wanted[i] for i in wanted if i not in stored]
            if new:
                conn.execute(
                    insert(I), [{"id": i.id, **_incident_values(i, _incident_payload(i), now)} for i in new]
                )
                IncidentStoreMixin._write_links(conn, new)
        return len(new)
