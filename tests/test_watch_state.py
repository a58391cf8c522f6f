"""The watcher's persisted state on SQLite and PostgreSQL: health, items, the alert
ledger and the outbox, with timezone-aware times coming back as they went in."""

from __future__ import annotations

import datetime as dt

from energywatch.models import Alert, AlertKind, AlertLineage, SourceHealth, WatchedItem
from energywatch.storage import Store

T0 = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _alert(aid: str) -> Alert:
    return Alert(id=aid, kind=AlertKind.new_incident, incident_id="inc-1", created=T0, title="t", rules=["r"])


def test_source_health_round_trip(store: Store) -> None:
    assert store.get_source_health("wire") is None
    health = SourceHealth(
        name="wire",
        kind="feed",
        target="https://example.org/feed",
        etag='"v1"',
        last_success_at=T0,
        breaker_open_until=T0 + dt.timedelta(minutes=10),
        polls=3,
    )
    store.save_source_health(health)
    store.save_source_health(health.model_copy(update={"polls": 4}))
    assert store.get_source_health("wire") == health.model_copy(update={"polls": 4})
    assert [h.name for h in store.source_health()] == ["wire"]


def test_items_are_found_by_key_and_by_link(store: Store) -> None:
    item = WatchedItem(
        source="wire", item_key="guid-1", url="https://e.org/a", url_key="k1", status="ingested"
    )
    store.save_item(item, T0)
    assert store.seen_item("wire", "guid-1", None) == item
    # Another id, same link: the first item is returned (a repeat).
    assert store.seen_item("wire", "guid-2", "k1") == item
    assert store.seen_item("other", "x", "k1") == item
    failed = WatchedItem(source="wire", item_key="guid-3", url_key="k3", status="failed", detail="timeout")
    store.save_item(failed, T0)
    assert store.seen_item("wire", "guid-9", "k3") is None  # a failed item does not block its link
    store.save_item(failed.model_copy(update={"attempts": 2}), T0)
    assert store.seen_item("wire", "guid-3", None) == failed.model_copy(update={"attempts": 2})
    assert store.item_counts() == {"wire": {"failed": 1, "ingested": 1}}
    assert [i.item_key for i in store.item_problems()] == ["guid-3"]
    store.reset_watch_state(sources=True)
    assert store.list_items() == []


def test_ledger_and_outbox_are_written_together_and_delivered_once(store: Store) -> None:
    lineage = AlertLineage(
        lineage="ln-1", incident_id="inc-1", articles=["a"], snapshot={"x": 1}, alerted=True
    )
    store.record_alerts([lineage], [(_alert("al-1"), ["hook", "mail"])], T0)
    # Deciding the same alert again (after a crash before delivery) queues nothing new.
    store.record_alerts([lineage], [(_alert("al-1"), ["hook", "mail"])], T0)
    assert store.alert_lineages() == [lineage]
    due = store.due_deliveries(T0)
    assert [(e.alert.id, e.channel) for e in due] == [("al-1", "hook"), ("al-1", "mail")]
    assert store.next_delivery_due() == T0
    hook, mail = due
    store.save_delivery(hook.model_copy(update={"status": "delivered", "attempts": 1, "delivered_at": T0}))
    later = T0 + dt.timedelta(seconds=5)
    store.save_delivery(mail.model_copy(update={"attempts": 1, "last_error": "x", "next_attempt_at": later}))
    assert store.due_deliveries(T0) == []
    assert [e.channel for e in store.due_deliveries(later)] == ["mail"]
    assert store.outbox_counts() == {"hook": {"delivered": 1}, "mail": {"pending": 1}}
    assert store.has_alert_state()
