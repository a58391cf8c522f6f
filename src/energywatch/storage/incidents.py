"""Storing what extraction and resolution produce: extractions, claims, incidents.

Kept apart from ``store.py`` so each module stays readable; ``Store`` inherits these
methods from ``IncidentStoreMixin``, so callers see one store.

Extractions are keyed by article: saving one replaces the previous extraction and its
claims in one transaction, and ``articles_to_extract`` finds articles whose extraction
is missing, was made by another extractor version, or predates a change of the article.
Claims get a row each (so they can be filtered by field); the events themselves are a
JSON list without their claims.

Incidents are recomputed from scratch by resolution, so ``replace_incidents`` takes the
whole set and makes the table equal to it, touching only rows that changed; that keeps
re-runs cheap and their counts honest (an identical run reports ``(0, 0, 0)``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from energywatch.errors import NotFoundError
from energywatch.models import ArticleExtraction, Claim, ExtractedEvent, Incident, Outcome
from energywatch.storage import schema

A = schema.articles
E = schema.extractions
C = schema.claims
I = schema.incidents  # noqa: E741 - mirrors A = schema.articles in store.py
IA = schema.incident_articles
IS = schema.incident_assets

# ``incident_articles.event_index`` for an article the incident lists (``articles`` or
# ``copies``) without carrying an event of it, e.g. a copy folded into its original.
NO_EVENT = -1

# Keeps IN (...) lists well below the bound-parameter limits of SQLite and PostgreSQL.
_CHUNK = 500

_CLAIM_FIELDS = (
    "field",
    "value",
    "raw",
    "start",
    "end",
    "sentence_start",
    "sentence_end",
    "speaker",
    "hedge",
    "confidence",
)


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    """Filters for listing incidents; all optional, combined with AND.

    ``date_from``/``date_to`` select incidents whose date range overlaps the window
    (undated incidents never match a date filter); ``asset`` and ``article`` match
    incidents involving that asset or reported by that article.
    """

    type: str | None = None
    category: str | None = None
    asset: str | None = None
    country: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    article: str | None = None
    limit: int = 50
    offset: int = 0
    sort: Literal["date", "-date", "articles", "-articles"] = "-date"


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


# ---------------------------------------------------------------------- conversions


def _claim_row(article_id: str, event_index: int, claim: Claim) -> dict[str, Any]:
    dumped = claim.model_dump(mode="json", exclude={"article_id"})
    return {"article_id": article_id, "event_index": event_index, **dumped}


def _claim_json(row: Any) -> dict[str, Any]:
    """A claims row in the same JSON shape as ``Claim.model_dump(mode="json")``."""
    m = row._mapping
    return {name: m[C.c[name]] for name in _CLAIM_FIELDS}


def _validated(extraction: ArticleExtraction) -> None:
    """Claims are stored under the extraction's article and their event's position,
    so records that disagree with that could not be read back as they were saved."""
    for position, event in enumerate(extraction.events):
        if event.index != position:
            raise ValueError(
                f"event {position} of article {extraction.article_id!r} has index {event.index}; "
                "events must be numbered 0, 1, 2… in order"
            )
        owners = {event.article_id, *(c.article_id for c in event.claims)}
        if owners != {extraction.article_id}:
            raise ValueError(
                f"event {position} of article {extraction.article_id!r} carries events or claims "
                f"of other articles: {sorted(owners - {extraction.article_id})}"
            )


def _content(
    is_incident_report: bool, reason: str, events: list[dict[str, Any]], claims: list[tuple[int, Any]]
) -> dict[str, Any]:
    """What decides whether a stored extraction is unchanged, in JSON shape."""
    return {"report": is_incident_report, "reason": reason, "events": events, "claims": claims}


@dataclass(frozen=True, slots=True)
class ExtractionRows:
    """An extraction as the store writes it, built once so ``save_extraction`` and the
    bulk writers (``storage.bulk``) store, and compare, exactly the same values."""

    events: list[dict[str, Any]]  # the ``events`` JSON: events without their claims
    claims: list[dict[str, Any]]  # ``claims`` rows (the serial ``id`` is left to the database)
    content: dict[str, Any]  # compared with ``stored_content`` to tell an unchanged extraction


def extraction_rows(extraction: ArticleExtraction) -> ExtractionRows:
    """Rows of a valid extraction; raises ValueError for one that could not be read back."""
    _validated(extraction)
    article_id = extraction.article_id
    events = [e.model_dump(mode="json", exclude={"claims"}) for e in extraction.events]
    claim_rows = [
        _claim_row(article_id, position, claim)
        for position, event in enumerate(extraction.events)
        for claim in event.claims
    ]
    content = _content(
        extraction.is_incident_report,
        extraction.reason,
        events,
        [(r["event_index"], {k: r[k] for k in _CLAIM_FIELDS}) for r in claim_rows],
    )
    return ExtractionRows(events, claim_rows, content)


def extraction_values(
    extraction: ArticleExtraction, rows: ExtractionRows, *, version: str, fingerprint: str, now: dt.datetime
) -> dict[str, Any]:
    """The ``extractions`` row without ``article_id``."""
    return {
        "is_incident_report": extraction.is_incident_report,
        "reason": extraction.reason,
        "version": version,
        "article_fingerprint": fingerprint,
        "events": rows.events,
        "extracted_at": now,
    }


def stored_content(row: Any, claim_rows: Iterable[Any]) -> dict[str, Any]:
    """``ExtractionRows.content`` of a stored extraction row and its claims (in id order)."""
    return _content(
        row.is_incident_report,
        row.reason,
        row.events,
        [(c.event_index, _claim_json(c)) for c in claim_rows],
    )


def _build_extraction(row: Any, claim_rows: Iterable[Any]) -> ArticleExtraction:
    by_event: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in claim_rows:
        by_event[c.event_index].append({"article_id": row.article_id, **_claim_json(c)})
    events = [
        ExtractedEvent.model_validate({**event, "claims": by_event.get(position, [])})
        for position, event in enumerate(row.events)
    ]
    return ArticleExtraction(
        article_id=row.article_id,
        is_incident_report=row.is_incident_report,
        reason=row.reason,
        events=events,
    )


def _incident_payload(incident: Incident) -> dict[str, Any]:
    payload: dict[str, Any] = incident.model_dump(mode="json", exclude={"events"})
    payload["events"] = [e.model_dump(mode="json", exclude={"claims"}) for e in incident.events]
    return payload


def _incident_values(incident: Incident, payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "category": incident.category,
        "type": incident.type,
        "date_start": incident.date.start,
        "date_end": incident.date.end,
        "precision": incident.date.precision,
        "country": incident.location.country if incident.location else None,
        "payload": payload,
        "updated_at": now,
    }


def _link_rows(incident: Incident) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """incident_articles and incident_assets rows of an incident, without duplicates."""
    copies = set(incident.copies)
    keys: dict[tuple[str, int], None] = {(e.article_id, e.index): None for e in incident.events}
    with_events = {article for article, _ in keys}
    for article in [*incident.articles, *incident.copies]:
        if article not in with_events:
            keys[(article, NO_EVENT)] = None
    articles = [
        {"incident_id": incident.id, "article_id": a, "event_index": i, "is_copy": a in copies}
        for a, i in keys
    ]
    assets = [{"incident_id": incident.id, "asset_id": a} for a in dict.fromkeys(incident.assets)]
    return articles, assets


class IncidentStoreMixin:
    """Extraction and incident persistence; mixed into ``energywatch.storage.Store``."""

    if TYPE_CHECKING:  # provided by Store

        def _read(self) -> Any: ...

        def _write(self) -> Any: ...

    # ------------------------------------------------------------------ extractions

    def save_extraction(self, extraction: ArticleExtraction, *, version: str) -> Outcome:
        """Store an article's extraction, replacing the previous one and its claims.

        ``version`` names the extractor; together with the article's current
        fingerprint (recorded here) it lets ``articles_to_extract`` find stale results.
        Returns "unchanged" when version, article fingerprint and content all match
        what is stored, so re-running extraction writes nothing.
        """
        rows = extraction_rows(extraction)
        article_id = extraction.article_id
        now = dt.datetime.now(dt.UTC)
        with self._write() as conn:
            fingerprint = conn.execute(
                select(A.c.fingerprint).where(A.c.id == article_id)
            ).scalar_one_or_none()
            if fingerprint is None:
                raise NotFoundError("article", article_id)
            values = extraction_values(extraction, rows, version=version, fingerprint=fingerprint, now=now)
            current = conn.execute(select(E).where(E.c.article_id == article_id)).first()
            if current is None:
                conn.execute(insert(E).values(article_id=article_id, **values))
                outcome: Outcome = "inserted"
            else:
                if current.version == version and current.article_fingerprint == fingerprint:
                    stored_claims = conn.execute(
                        select(C).where(C.c.article_id == article_id).order_by(C.c.id)
                    ).all()
                    if stored_content(current, stored_claims) == rows.content:
                        return "unchanged"
                conn.execute(update(E).where(E.c.article_id == article_id).values(**values))
                conn.execute(delete(C).where(C.c.article_id == article_id))
                outcome = "updated"
            if rows.claims:
                conn.execute(insert(C), rows.claims)
        return outcome

    def get_extraction(self, article_id: str) -> ArticleExtraction | None:
        """The stored extraction of an article with its claims, or None if never extracted."""
        with self._read() as conn:
            row = conn.execute(select(E).where(E.c.article_id == article_id)).first()
            if row is None:
                return None
            claims = conn.execute(select(C).where(C.c.article_id == article_id).order_by(C.c.id)).all()
        return _build_extraction(row, claims)

    def iter_extractions(self, batch: int = 500) -> Iterator[ArticleExtraction]:
        """Every stored extraction with its claims, in article id order.

        Reads ``batch`` extractions (and their claims) per query and holds no
        connection while the caller works, so memory and locks stay bounded.
        """
        last = ""
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    select(E).where(E.c.article_id > last).order_by(E.c.article_id).limit(batch)
                ).all()
                if not rows:
                    return
                ids = [r.article_id for r in rows]
                claims = conn.execute(
                    select(C).where(C.c.article_id.in_(ids)).order_by(C.c.article_id, C.c.id)
                ).all()
            by_article: dict[str, list[Any]] = defaultdict(list)
            for c in claims:
                by_article[c.article_id].append(c)
            for row in rows:
                yield _build_extraction(row, by_article.get(row.article_id, []))
            last = ids[-1]

    def articles_to_extract(self, version: str) -> list[str]:
        """Ids (sorted) of articles never extracted, extracted by another version,
        or changed since they were extracted."""
        stmt = (
            select(A.c.id)
            .select_from(A.outerjoin(E, E.c.article_id == A.c.id))
            .where(
                or_(
                    E.c.article_id.is_(None),
                    E.c.version != version,
                    E.c.article_fingerprint != A.c.fingerprint,
                )
            )
            .order_by(A.c.id)
        )
        with self._read() as conn:
            return list(conn.execute(stmt).scalars())

    # ------------------------------------------------------------------ incidents

    def replace_incidents(self, incidents: list[Incident]) -> tuple[int, int, int]:
        """Make the stored incidents exactly ``incidents``, in one transaction.

        Resolution recomputes all incidents deterministically, so this inserts new ids,
        rewrites incidents whose payload changed, deletes ids no longer produced, and
        leaves the rest alone. Returns (inserted, updated, deleted).
        """
        wanted: dict[str, Incident] = {}
        for incident in incidents:
            if incident.id in wanted:
                raise ValueError(f"incident id {incident.id!r} appears twice")
            wanted[incident.id] = incident
        payloads = {i: _incident_payload(inc) for i, inc in wanted.items()}
        now = dt.datetime.now(dt.UTC)
        with self._write() as conn:
            stored = {r.id: r.payload for r in conn.execute(select(I.c.id, I.c.payload))}
            new = [i for i in wanted if i not in stored]
            changed = [i for i in wanted if i in stored and stored[i] != payloads[i]]
            vanished = sorted(set(stored) - set(wanted))
            for chunk in _chunks(vanished):
                conn.execute(delete(I).where(I.c.id.in_(chunk)))
            for chunk in _chunks(changed):
                conn.execute(delete(IA).where(IA.c.incident_id.in_(chunk)))
                conn.execute(delete(IS).where(IS.c.incident_id.in_(chunk)))
            for incident_id in changed:
                values = _incident_values(wanted[incident_id], payloads[incident_id], now)
                conn.execute(update(I).where(I.c.id == incident_id).values(**values))
            if new:
                conn.execute(
                    insert(I),
                    [{"id": i, **_incident_values(wanted[i], payloads[i], now)} for i in new],
                )
            self._write_links(conn, [wanted[i] for i in [*new, *changed]])
        return len(new), len(changed), len(vanished)

    @staticmethod
    def _write_links(conn: Connection, incidents: list[Incident]) -> None:
        article_rows: list[dict[str, Any]] = []
        asset_rows: list[dict[str, Any]] = []
        for incident in incidents:
            articles, assets = _link_rows(incident)
            article_rows += articles
            asset_rows += assets
        if article_rows:
            conn.execute(insert(IA), article_rows)
        if asset_rows:
            conn.execute(insert(IS), asset_rows)

    def list_incidents(self, query: IncidentQuery = IncidentQuery()) -> tuple[list[Incident], int]:
        """A page of incidents (by ``query.sort``: latest first by default, undated last,
        then by id) and the total number matching the filters."""
        conditions: list[Any] = []
        if query.type:
            conditions.append(I.c.type == query.type)
        if query.category:
            conditions.append(I.c.category == query.category)
        if query.country:
            conditions.append(I.c.country == query.country)
        if query.asset:
            conditions.append(exists().where(IS.c.incident_id == I.c.id, IS.c.asset_id == query.asset))
        if query.article:
            conditions.append(exists().where(IA.c.incident_id == I.c.id, IA.c.article_id == query.article))
        if query.date_from:
            conditions.append(func.coalesce(I.c.date_end, I.c.date_start) >= query.date_from)
        if query.date_to:
            conditions.append(I.c.date_start <= query.date_to)
        where = and_(True, *conditions)
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(I).where(where)).scalar_one()
            reports = select(func.count()).where(IA.c.incident_id == I.c.id).scalar_subquery()
            order = {
                "-date": (I.c.date_start.desc().nulls_last(), I.c.id),
                "date": (I.c.date_start.asc().nulls_last(), I.c.id),
                "-articles": (reports.desc(), I.c.id),
                "articles": (reports.asc(), I.c.id),
            }[query.sort]
            rows = conn.execute(
                select(I.c.id, I.c.payload)
                .where(where)
                .order_by(*order)
                .limit(query.limit)
                .offset(query.offset)
            ).all()
            claims = self._incident_claims(conn, [r.id for r in rows])
        return [_build_incident(r.payload, claims) for r in rows], int(total)

    def get_incident(self, incident_id: str) -> Incident:
        """The incident with its events and their claims, or NotFoundError with close ids."""
        with self._read() as conn:
            payload = conn.execute(select(I.c.payload).where(I.c.id == incident_id)).scalar_one_or_none()
            if payload is not None:
                return _build_incident(payload, self._incident_claims(conn, [incident_id]))
            prefix = incident_id[: max(1, min(4, len(incident_id)))]
            candidates = list(
                conn.execute(select(I.c.id).where(I.c.id.like(f"{prefix}%")).limit(2000)).scalars()
            )
        raise NotFoundError("incident", incident_id, difflib.get_close_matches(incident_id, candidates, n=5))

    @staticmethod
    def _incident_claims(conn: Connection, incident_ids: list[str]) -> dict[tuple[str, int], list[Any]]:
        """Current claims of every event of these incidents, keyed by (article, event index)."""
        found: dict[tuple[str, int], list[Any]] = defaultdict(list)
        seen: set[int] = set()
        for chunk in _chunks(incident_ids):
            pairs = (
                select(IA.c.article_id, IA.c.event_index)
                .where(IA.c.incident_id.in_(chunk), IA.c.event_index != NO_EVENT)
                .distinct()
                .subquery()
            )
            rows = conn.execute(
                select(C)
                .join(
                    pairs, and_(C.c.article_id == pairs.c.article_id, C.c.event_index == pairs.c.event_index)
                )
                .order_by(C.c.id)
            ).all()
            for c in rows:
                if c.id not in seen:  # a pair can occur in two chunks
                    seen.add(c.id)
                    found[(c.article_id, c.event_index)].append(c)
        return found

    def incident_ids(self) -> list[str]:
        """Every stored incident id, sorted: exports walk them one ``get_incident`` at a time."""
        with self._read() as conn:
            return list(conn.execute(select(I.c.id).order_by(I.c.id)).scalars())

    def incident_ids_for_article(self, article_id: str) -> list[str]:
        """Ids (sorted) of the incidents an article reports, copies included."""
        with self._read() as conn:
            return list(
                conn.execute(
                    select(IA.c.incident_id)
                    .where(IA.c.article_id == article_id)
                    .distinct()
                    .order_by(IA.c.incident_id)
                ).scalars()
            )

    def incident_counts(self) -> dict[str, int]:
        """Number of stored incidents per type, for ``energywatch status``."""
        with self._read() as conn:
            rows = conn.execute(select(I.c.type, func.count()).group_by(I.c.type).order_by(I.c.type)).all()
        return {t: int(n) for t, n in rows}


def _build_incident(payload: dict[str, Any], claims: dict[tuple[str, int], list[Any]]) -> Incident:
    events = [
        {
            **event,
            "claims": [
                {"article_id": event["article_id"], **_claim_json(c)}
                for c in claims.get((event["article_id"], event["index"]), [])
            ],
        }
        for event in payload.get("events", [])
    ]
    return Incident.model_validate({**payload, "events": events})
