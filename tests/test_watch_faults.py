"""Every kind of bad source, served by a local server at once: the watcher keeps running,
logs each fault with its reason, records it in the source's health or the item, and
still delivers the alert of the one good source."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from tests.http_support import LocalServer, rss
from tests.watch_support import Newsroom, article_page, story

from energywatch.kb import KnowledgeBase
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.watch.config import parse_config
from energywatch.watch.loop import Watcher

RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _feed_linking(server: LocalServer, path: str, target: str, guid: str | None = None) -> None:
    item = {"id": guid or f"urn:{target}", "link": server.url(target), "title": f"item at {target}"}
    server.route(path, body=rss([item]), headers=RSS)


def _source(name: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "feed", "url": url, "interval": 0.2, "allow_private": True} | extra


@pytest.fixture
def faulty(tmp_path: Path) -> Any:
    with LocalServer() as server:
        yield server


def test_each_fault_is_logged_with_its_reason_and_the_loop_goes_on(
    faulty: LocalServer,
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = faulty
    reports, _ = story()
    newsroom = Newsroom(server)
    newsroom.publish(reports[0])
    # Feeds that are broken themselves.
    server.route("/garbage.xml", body=b"\x00\x01<rss><channel><item><title>half", headers=RSS)
    server.route("/not-a-feed", body=b"<html><body>Sign in</body></html>", headers=HTML)
    server.route(
        "/entities.xml", body=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss/>', headers=RSS
    )
    server.route("/flaky.xml", status=503, body=b"down for maintenance")
    # Feeds whose items lead somewhere bad.
    server.route("/loop-a", status=302, headers={"Location": "/loop-b"})
    server.route("/loop-b", status=302, headers={"Location": "/loop-a"})
    _feed_linking(server, "/loop.xml", "/loop-a")
    server.route("/huge", body=b"<html><body>" + b"<p>energy</p>" * 40_000 + b"</body></html>", headers=HTML)
    _feed_linking(server, "/huge.xml", "/huge")
    server.route("/slow", body=article_page(reports[1]), headers=HTML, delay_s=1.5)
    _feed_linking(server, "/slow.xml", "/slow")
    server.route("/binary.html", body=b"\x00\x00\x00\x01 not text at all \x00", headers=HTML)
    _feed_linking(server, "/binary.xml", "/binary.html")
    server.route("/report.pdf", body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    _feed_linking(server, "/pdf.xml", "/report.pdf")
    server.route(
        "/metadata.xml",
        body=rss([{"id": "m", "link": "http://169.254.169.254/latest/meta-data/"}]),
        headers=RSS,
    )
    server.route("/files.xml", body=rss([{"id": "f", "link": "file:///etc/passwd"}]), headers=RSS)
    # A feed that lists the newsroom's story again under a new id.
    _feed_linking(server, "/repeats.xml", newsroom.page_path(reports[0]), guid="urn:new-id-same-story")

    sources = [
        _source("newsroom", newsroom.feed_url),
        _source("garbage", server.url("/garbage.xml")),
        _source("not-a-feed", server.url("/not-a-feed")),
        _source("entities", server.url("/entities.xml")),
        _source("flaky", server.url("/flaky.xml")),
        _source("loop", server.url("/loop.xml")),
        _source("huge", server.url("/huge.xml"), max_bytes=100_000),
        _source("slow", server.url("/slow.xml"), timeout=0.3),
        _source("binary", server.url("/binary.xml")),
        _source("pdf", server.url("/pdf.xml")),
        _source("metadata", server.url("/metadata.xml")),
        _source("files", server.url("/files.xml")),
        _source("private", server.url("/loop.xml"), allow_private=False),
        _source("repeats", server.url("/repeats.xml")),
        {"name": "gone-folder", "type": "folder", "path": str(tmp_path / "no-such-folder"), "interval": 0.2},
    ]
    config = parse_config(
        {
            "watch": {"min_host_interval": 0, "retries": 0, "breaker_failures": 2, "item_retries": 2},
            "sources": sources,
            "channels": [{"type": "jsonl", "name": "archive", "path": str(tmp_path / "alerts.jsonl")}],
        },
        "test",
    )
    caplog.set_level(logging.INFO, logger="energywatch.watch")
    with Store.open(sqlite_settings) as store:
        watcher = Watcher(config, store, kb, sqlite_settings, console=io.StringIO())
        watcher.start()
        for _ in range(3):
            watcher.cycle(force=True)
        health = {h.name: h for h in store.source_health()}
        items = {(i.source, i.item_key): i for i in store.list_items()}
        watcher.close()

    def reason(source: str) -> str | None:
        return health[source].last_error_reason

    assert reason("garbage") == "malformed"
    assert reason("not-a-feed") == "bad_content_type"
    assert reason("entities") == "malformed"
    assert reason("flaky") == "http_status"
    assert health["flaky"].breaker_open_until is not None
    assert reason("private") == "blocked_url"
    assert reason("gone-folder") == "not_a_folder"
    assert health["newsroom"].last_error is None
    assert health["newsroom"].articles_ingested == 1

    def item_detail(source: str) -> str:
        found = [i for (s, _), i in items.items() if s == source]
        assert len(found) == 1, (source, found)
        return f"{found[0].status} {found[0].detail}"

    assert item_detail("loop").startswith("skipped")
    assert "redirect_loop" in item_detail("loop")
    assert "too_large" in item_detail("huge")
    assert item_detail("slow").startswith("skipped gave up after 2 attempt(s): timeout")
    assert item_detail("binary").startswith("rejected binary_file")
    assert "bad_content_type" in item_detail("pdf")
    assert "blocked_url" in item_detail("metadata")
    # A file: link never reaches the fetcher: the feed parser drops it and says why.
    assert item_detail("files").startswith("rejected empty_text")
    assert any("not an http(s) URL" in r.getMessage() for r in caplog.records if r.event == "source_problem")  # type: ignore[attr-defined]
    assert item_detail("repeats").startswith("skipped repeat of item")

    events = {(r.event, getattr(r, "source", None), getattr(r, "reason", None)) for r in caplog.records}  # type: ignore[attr-defined]
    assert ("breaker_open", "flaky", None) in events
    assert ("poll_failed", "garbage", "malformed") in events
    assert ("item_failed", "loop", "redirect_loop") in events
    assert ("item_repeated", "repeats", None) in events
    # The good source's story made it all the way to an alert.
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [a["kind"] for a in alerts] == ["new_incident"]


def test_breaker_opens_skips_the_source_then_one_probe_closes_it(
    faulty: LocalServer,
    sqlite_settings: Settings,
    kb: KnowledgeBase,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = faulty
    server.route("/flaky.xml", status=503, body=b"down")
    config = parse_config(
        {
            "watch": {"min_host_interval": 0, "retries": 0, "breaker_failures": 2, "breaker_cooldown": "60s"},
            "sources": [_source("flaky", server.url("/flaky.xml"))],
            "channels": [{"type": "jsonl", "name": "archive", "path": str(tmp_path / "alerts.jsonl")}],
        },
        "test",
    )
    now = [dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)]
    caplog.set_level(logging.INFO, logger="energywatch.watch")
    with Store.open(sqlite_settings) as store:
        watcher = Watcher(config, store, kb, sqlite_settings, console=io.StringIO(), clock=lambda: now[0])
        watcher.start()
        for _ in range(2):
            assert watcher.cycle(force=True).failed_sources == {"flaky": "http_status"}
        health = store.get_source_health("flaky")
        assert health is not None
        assert health.breaker_open_until == now[0] + dt.timedelta(seconds=60)
        polls = len(server.requests_for("/flaky.xml"))
        watcher.cycle(force=True)  # breaker open: not even --once polls it
        assert len(server.requests_for("/flaky.xml")) == polls
        assert watcher.seconds_until_due() == pytest.approx(30.0)  # capped idle sleep
        server.route("/flaky.xml", body=rss([]), headers=RSS)
        now[0] += dt.timedelta(seconds=61)
        report = watcher.cycle()
        assert report.polled == ["flaky"]
        health = store.get_source_health("flaky")
        assert health is not None
        assert (health.consecutive_failures, health.breaker_open_until) == (0, None)
        watcher.close()
    assert any(r.event == "breaker_closed" for r in caplog.records)  # type: ignore[attr-defined]
