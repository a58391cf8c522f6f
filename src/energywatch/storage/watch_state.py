"""Persisting the live monitor's state: source health, seen items, alert lineages, outbox.

Kept apart from ``store.py`` like ``incidents.py``; ``Store`` inherits these methods.

The point of keeping this in the database rather than a side file is crash safety: a
lineage update and the alerts it raises are written in one transaction
(``record_alerts``), so after a crash either both exist (and the outbox delivers what is
still pending) or neither does (and the next cycle raises the alert again). Nothing is
ever raised twice, and a delivery marked done is never repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update

from energywatch.models import Alert, AlertLineage, OutboxEntry, SourceHealth, WatchedItem
from energywatch.storage import schema

WS = schema.watch_sources
WI = schema.watch_items
WL = schema.watch_alert_lineages
WO = schema.watch_outbox

_HEALTH_FIELDS = tuple(c.name for c in WS.columns)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _upsert(
    conn: Connection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Update the row with ``key`` or insert it, adding ``on_insert`` (creation times) then
    (one watcher per store, so no race)."""
    where = and_(*(table.c[k] == v for k, v in key.items()))
    if conn.execute(update(table).where(where).values(**values)).rowcount == 0:
        conn.execute(insert(table).values(**key, **values, **(on_insert or {})))


class WatchStoreMixin:
    """Live-monitoring persistence; mixed into ``energywatch.storage.Store``."""

    if TYPE_CHECKING:  # provided by Store

        def _read(self) -> Any: ...

        def _write(self) -> Any: ...

    # ------------------------------------------------------------------ sources

    def source_health(self) -> list[SourceHealth]:
        with self._read() as conn:
            rows = conn.execute(select(WS).order_by(WS.c.name)).mappings().all()
        return [_health(row) for row in rows]

    def get_source_health(self, name: str) -> SourceHealth | None:
        with self._read() as conn:
            row = conn.execute(select(WS).where(WS.c.name == name)).mappings().first()
        return _health(row) if row is not None else None

    def save_source_health(self, health: SourceHealth) -> None:
        values = health.model_dump()
        name = values.pop("name")
        with self._write() as conn:
            _upsert(conn, WS, {"name": name}, values)

    # ------------------------------------------------------------------ items

    def seen_item(self, source: str, item_key: str, url_key: str | None) -> WatchedItem | None:
        """The stored item with this key, else any final item (any source) with this link:
        a feed that re-lists an old story under a new id, or two feeds carrying one story."""
        with self._read() as conn:
            row = (
                conn.execute(select(WI).where(and_(WI.c.source == source, WI.c.item_key == item_key)))
                .mappings()
                .first()
            )
            if row is None and url_key is not None:
                row = (
                    conn.execute(
                        select(WI)
                        .where(and_(WI.c.url_key == url_key, WI.c.status != "failed"))
                        .order_by(WI.c.first_seen)
                        .limit(1)
                    )
                    .mappings()
                    .first()
                )
        return _item(row) if row is not None else None

    def save_item(self, item: WatchedItem, now: dt.datetime) -> None:
        values = item.model_dump(exclude={"source", "item_key"})
        with self._write() as conn:
            key = and_(WI.c.source == item.source, WI.c.item_key == item.item_key)
            stored = conn.execute(select(WI.c.first_seen).where(key)).first()
            values["updated_at"] = now
            if stored is None:
                conn.execute(
                    insert(WI).values(source=item.source, item_key=item.item_key, first_seen=now, **values)
                )
            else:
                conn.execute(update(WI).where(key).values(**values))

    def item_counts(self) -> dict[str, dict[str, int]]:
        """Items per source and status, for ``status``."""
        with self._read() as conn:
            rows = conn.execute(
                select(WI.c.source, WI.c.status, func.count()).group_by(WI.c.source, WI.c.status)
            )
            counts: dict[str, dict[str, int]] = {}
            for source, status, n in rows:
                counts.setdefault(source, {})[status] = n
        return counts

    def list_items(self, source: str | None = None) -> list[WatchedItem]:
        """Every item seen (of one source), oldest first."""
        query = select(WI).order_by(WI.c.first_seen, WI.c.source, WI.c.item_key)
        if source is not None:
            query = query.where(WI.c.source == source)
        with self._read() as conn:
            return [_item(r) for r in conn.execute(query).mappings().all()]

    def item_problems(self, limit: int = 20) -> list[WatchedItem]:
        """The latest items that failed or were given up on, with their reasons."""
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(WI)
                    .where(WI.c.status.in_(["failed", "rejected"]) | WI.c.detail.like("gave up%"))
                    .order_by(WI.c.updated_at.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        return [_item(r) for r in rows]

    def outbox_counts(self) -> dict[str, dict[str, int]]:
        """Deliveries per channel and status."""
        with self._read() as conn:
            by = (WO.c.channel, WO.c.status)
            counts: dict[str, dict[str, int]] = {}
            for channel, status, n in conn.execute(select(*by, func.count()).group_by(*by)):
                counts.setdefault(channel, {})[status] = n
        return counts

    # ------------------------------------------------------------------ alerts

    def alert_lineages(self) -> list[AlertLineage]:
        with self._read() as conn:
            rows = conn.execute(select(WL).order_by(WL.c.created_at, WL.c.lineage)).mappings().all()
        return [
            AlertLineage(
                lineage=r["lineage"],
                incident_id=r["incident_id"],
                articles=list(r["articles"]),
                snapshot=dict(r["snapshot"]),
                alerted=bool(r["alerted"]),
                alerts=r["alerts"],
            )
            for r in rows
        ]

    def record_alerts(
        self,
        lineages: Sequence[AlertLineage],
        alerts: Iterable[tuple[Alert, Sequence[str]]],
        now: dt.datetime,
    ) -> None:
        """Save lineage changes and queue their alerts (one row per channel) atomically."""
        with self._write() as conn:
            for lineage in lineages:
                values = lineage.model_dump(exclude={"lineage"}) | {"updated_at": now}
                _upsert(conn, WL, {"lineage": lineage.lineage}, values, on_insert={"created_at": now})
            for alert, channels in alerts:
                payload = alert.model_dump(mode="json")
                for channel in channels:
                    exists = conn.execute(
                        select(WO.c.status).where(and_(WO.c.alert_id == alert.id, WO.c.channel == channel))
                    ).first()
                    if exists is None:
                        conn.execute(
                            insert(WO).values(
                                alert_id=alert.id,
                                channel=channel,
                                payload=payload,
                                status="pending",
                                attempts=0,
                                created_at=now,
                                next_attempt_at=now,
                            )
                        )

    def due_deliveries(self, now: dt.datetime, limit: int = 200) -> list[OutboxEntry]:
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(WO)
                    .where(and_(WO.c.status == "pending", WO.c.next_attempt_at <= now))
                    .order_by(WO.c.created_at, WO.c.alert_id, WO.c.channel)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        return [_outbox(r) for r in rows]

    def outbox(self, statuses: Sequence[str] = ("pending", "delivered", "failed")) -> list[OutboxEntry]:
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(WO).where(WO.c.status.in_(list(statuses))).order_by(WO.c.created_at, WO.c.alert_id)
                )
                .mappings()
                .all()
            )
        return [_outbox(r) for r in rows]

    def next_delivery_due(self) -> dt.datetime | None:
        with self._read() as conn:
            value = conn.execute(
                select(func.min(WO.c.next_attempt_at)).where(WO.c.status == "pending")
            ).scalar()
        return _aware(value)

    def save_delivery(self, entry: OutboxEntry) -> None:
        with self._write() as conn:
            conn.execute(
                update(WO)
                .where(and_(WO.c.alert_id == entry.alert.id, WO.c.channel == entry.channel))
                .values(
                    status=entry.status,
                    attempts=entry.attempts,
                    last_error=entry.last_error,
                    next_attempt_at=entry.next_attempt_at,
                    delivered_at=entry.delivered_at,
                )
            )

    def reset_watch_state(self, *, sources: bool = True, alerts: bool = False) -> None:
        """Forget sources' validators, health and items (and, with ``alerts``, the
        alert ledger and outbox): the next watch run starts over."""
        with self._write() as conn:
            if sources:
                conn.execute(delete(WI))
                conn.execute(delete(WS))
            if alerts:
                conn.execute(delete(WO))
                conn.execute(delete(WL))

    def has_alert_state(self) -> bool:
        with self._read() as conn:
            return (
                conn.execute(select(WL.c.lineage).limit(1)).first() is not None
                or conn.execute(select(WS.c.name).where(WS.c.polls > 0).limit(1)).first() is not None
            )


def _health(row: Any) -> SourceHealth:
    values = {name: row[name] for name in _HEALTH_FIELDS}
    for key in ("last_poll_at", "last_success_at", "last_error_at", "breaker_open_until", "next_poll_at"):
        values[key] = _aware(values[key])
    return SourceHealth.model_validate(values)


def _item(row: Any) -> WatchedItem:
    return WatchedItem(
        source=row["source"],
        item_key=row["item_key"],
        url=row["url"],
        url_key=row["url_key"],
        status=row["status"],
        detail=row["detail"],
        article_id=row["article_id"],
        attempts=row["attempts"],
    )


def _outbox(row: Any) -> OutboxEntry:
    return OutboxEntry(
        alert=Alert.model_validate(row["payload"]),
        channel=row["channel"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        next_attempt_at=_aware(row["next_attempt_at"]) or dt.datetime.now(dt.UTC),
        delivered_at=_aware(row["delivered_at"]),
    )
