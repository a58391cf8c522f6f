"""End to end: a local feed publishes three reports of one incident, then a follow-up
with a new casualty figure. Every channel — console, JSONL file, signed webhook, SMTP —
must get exactly one new-incident alert and one update alert, including when the
watcher is stopped and started again in the middle (in-process here; with SIGKILL on
a real ``energywatch watch`` process in ``test_watch_kill.py``)."""

from __future__ import annotations

import io
import json
from email import message_from_bytes
from pathlib import Path
from typing import Any

from tests.http_support import LocalServer
from tests.smtp_support import Collecting
from tests.watch_support import Newsroom, story
from tests.webhook_support import WebhookReceiver

from energywatch.kb import KnowledgeBase
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.watch.channels import verify_signature
from energywatch.watch.config import WatchConfig, parse_config
from energywatch.watch.loop import Watcher

SECRET = "s3cret-for-tests-only"


def watch_config(feed_url: str, hook_url: str, smtp_port: int, jsonl: Path, **watch: Any) -> WatchConfig:
    data: dict[str, Any] = {
        "watch": {"min_host_interval": 0, "retries": 0, "timeout": 5} | watch,
        "sources": [
            {"name": "newsroom", "type": "feed", "url": feed_url, "interval": 0.2, "allow_private": True}
        ],
        "channels": [
            {"type": "console"},
            {"type": "jsonl", "name": "archive", "path": str(jsonl)},
            {
                "type": "webhook",
                "name": "ops",
                "url": hook_url,
                "secret_env": "EW_HOOK_SECRET",
                "allow_private": True,
                "retries": 0,
            },
            {
                "type": "email",
                "name": "desk",
                "host": "127.0.0.1",
                "port": smtp_port,
                "starttls": False,
                "sender": "energywatch@example.org",
                "recipients": ["desk@example.org"],
            },
        ],
        "rules": [
            {
                "name": "cpc-attacks",
                "categories": ["attack"],
                "channels": ["console", "archive", "ops", "desk"],
            }
        ],
    }
    return parse_config(data, "test")


def test_three_reports_and_a_follow_up_alert_twice_on_every_channel(
    servers: tuple[LocalServer, WebhookReceiver, Collecting, int],
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
) -> None:
    server, hook, mailbox, smtp_port = servers
    reports, follow_up = story()
    newsroom = Newsroom(server)
    jsonl = tmp_path / "alerts.jsonl"
    config = watch_config(newsroom.feed_url, hook.url, smtp_port, jsonl)
    console = io.StringIO()
    env = {"EW_HOOK_SECRET": SECRET}

    def watcher(store: Store) -> Watcher:
        return Watcher(config, store, kb, sqlite_settings, env=env, console=console)

    with Store.open(sqlite_settings) as store:
        first = watcher(store)
        first.start()
        newsroom.publish(reports[0])
        report = first.cycle(force=True)
        assert report.ingested == 1
        assert len(report.alerts) == 1
        assert report.delivered == 4
        newsroom.publish(reports[1])
        report = first.cycle(force=True)
        assert report.ingested == 1
        assert report.alerts == []
        # Stopped here (not even closed, as after a crash); a new watcher takes over.
    with Store.open(sqlite_settings) as store:
        second = watcher(store)
        second.start()
        assert second.cycle(force=True).new_items == 0  # nothing re-fetched
        newsroom.publish(reports[2])
        report = second.cycle(force=True)
        assert report.ingested == 1
        assert report.alerts == []
        newsroom.publish(follow_up)
        report = second.cycle(force=True)
        assert report.ingested == 1
        assert len(report.alerts) == 1
        assert report.delivered == 4
        assert second.cycle(force=True).alerts == []
        second.close()
        first.close()  # only now: the second watcher ran with the first one's sockets still open
        incidents, total = store.list_incidents()
        assert total == 1
        assert len(incidents[0].articles) == 4
        health = store.get_source_health("newsroom")
        assert health is not None
        assert health.articles_ingested == 4
        assert health.last_error is None

    # Webhook: two signed posts, a new-incident alert then an update naming the change.
    assert len(hook.requests) == 2
    bodies = [json.loads(r.body) for r in hook.requests]
    assert [b["kind"] for b in bodies] == ["new_incident", "update"]
    assert bodies[1]["changes"] == ["injured is now contested between sources", "injured: 2 → 2–3"]
    assert bodies[0]["incident"]["assets"] == ["cpc_r_city_office_novorossiysk"]
    for request in hook.requests:
        headers = request.headers
        assert verify_signature(
            SECRET.encode(),
            headers["x-energywatch-timestamp"],
            request.body,
            headers["x-energywatch-signature"],
        )
    assert [r.headers["x-energywatch-alert-id"] for r in hook.requests] == [b["id"] for b in bodies]
    # JSONL, e-mail and console: the same two alerts.
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["id"] for line in lines] == [b["id"] for b in bodies]
    messages = [message_from_bytes(e.original_content) for e in mailbox.envelopes]
    assert [m["Message-ID"] for m in messages] == [f"<{b['id']}@energywatch>" for b in bodies]
    assert "New incident: drone strike" in str(messages[0]["Subject"])
    assert console.getvalue().count(bodies[0]["id"]) == 1
    assert console.getvalue().count(bodies[1]["id"]) == 1


def test_conditional_get_and_a_quiet_feed(
    servers: tuple[LocalServer, WebhookReceiver, Collecting, int],
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
) -> None:
    server, hook, _mailbox, smtp_port = servers
    reports, _ = story()
    newsroom = Newsroom(server)
    newsroom.publish(reports[0])
    config = watch_config(newsroom.feed_url, hook.url, smtp_port, tmp_path / "a.jsonl")
    with Store.open(sqlite_settings) as store:
        watcher = Watcher(
            config, store, kb, sqlite_settings, env={"EW_HOOK_SECRET": SECRET}, console=io.StringIO()
        )
        watcher.start()
        assert watcher.cycle(force=True).ingested == 1
        before = len(server.requests_for(newsroom.feed_path))
        assert watcher.cycle(force=True).new_items == 0
        feed_requests = server.requests_for(newsroom.feed_path)[before:]
        assert feed_requests
        assert all(r.headers.get("If-None-Match") == '"feed-v1"' for r in feed_requests)
        watcher.close()


def test_first_start_on_a_filled_store_announces_nothing_old(
    servers: tuple[LocalServer, WebhookReceiver, Collecting, int],
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
) -> None:
    from energywatch.demo import demo_articles
    from energywatch.ingest import ingest
    from energywatch.process import process

    server, hook, _mailbox, smtp_port = servers
    with Store.open(sqlite_settings) as store, demo_articles() as paths:
        ingest(store, paths, sqlite_settings)
        process(store, kb, impact_samples=200)
        newsroom = Newsroom(server)
        config = watch_config(newsroom.feed_url, hook.url, smtp_port, tmp_path / "a.jsonl")
        watcher = Watcher(
            config, store, kb, sqlite_settings, env={"EW_HOOK_SECRET": SECRET}, console=io.StringIO()
        )
        watcher.start()
        assert watcher.cycle(force=True).alerts == []
        assert len(store.alert_lineages()) == sum(store.incident_counts().values()) > 5
        watcher.close()
    assert hook.requests == []


def test_a_listing_page_source_follows_its_article_links(
    servers: tuple[LocalServer, WebhookReceiver, Collecting, int],
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
) -> None:
    from tests.watch_support import article_page

    server = servers[0]
    reports, _ = story()

    def listing(slugs: list[str]) -> bytes:
        links = "".join(f'<li><a href="/press/2025/{s}.html?utm_source=home">{s}</a></li>' for s in slugs)
        return f'<html><body><a href="/about">About</a><ul>{links}</ul></body></html>'.encode()

    for report in reports[:2]:
        server.route(
            f"/press/2025/{report.slug}.html",
            body=article_page(report),
            headers={"Content-Type": "text/html"},
        )
    server.route("/press/", body=listing([reports[0].slug]), headers={"Content-Type": "text/html"})
    config = parse_config(
        {
            "watch": {"min_host_interval": 0},
            "sources": [
                {
                    "name": "press",
                    "type": "page",
                    "url": server.url("/press/"),
                    "link_pattern": r"/press/\d{4}/",
                    "allow_private": True,
                }
            ],
            "channels": [{"type": "jsonl", "name": "archive", "path": str(tmp_path / "a.jsonl")}],
        },
        "test",
    )
    with Store.open(sqlite_settings) as store:
        watcher = Watcher(config, store, kb, sqlite_settings, console=io.StringIO())
        watcher.start()
        assert watcher.cycle(force=True).ingested == 1
        server.route(
            "/press/", body=listing([reports[1].slug, reports[0].slug]), headers={"Content-Type": "text/html"}
        )
        second = watcher.cycle(force=True)
        assert (second.new_items, second.ingested) == (1, 1)
        watcher.close()
        assert server.requests_for("/about") == []
        articles, _ = store.list_articles()
        assert {a.source.name for a in articles} == {"Harbour Wire", "Steppe Energy Daily"}
