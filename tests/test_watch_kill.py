"""A real ``energywatch watch`` process, killed with SIGKILL in the middle of a story and
started again: every channel still gets exactly one new-incident and one update alert,
and SIGTERM then stops it cleanly (exit 0)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from tests.cli_support import energywatch_argv
from tests.http_support import LocalServer
from tests.smtp_support import Collecting
from tests.watch_support import Newsroom, story
from tests.webhook_support import WebhookReceiver

pytestmark = pytest.mark.slow

CONFIG = """
[watch]
min_host_interval = 0
retries = 0
timeout = "5s"

[[sources]]
name = "newsroom"
type = "feed"
url = "{feed}"
interval = "300ms"
allow_private = true

[[channels]]
type = "console"

[[channels]]
type = "jsonl"
name = "archive"
path = "{jsonl}"

[[channels]]
type = "webhook"
name = "ops"
url = "{hook}"
secret_env = "EW_HOOK_SECRET"
allow_private = true

[[channels]]
type = "email"
name = "desk"
host = "127.0.0.1"
port = {smtp}
starttls = false
sender = "energywatch@example.org"
recipients = ["desk@example.org"]

[[rules]]
name = "attacks"
categories = ["attack"]
channels = ["console", "archive", "ops", "desk"]
"""


class Watching:
    """One ``energywatch watch`` process with its JSON log lines collected as they come."""

    def __init__(self, config: Path, db: Path) -> None:
        env = {**os.environ, "EW_HOOK_SECRET": "kill-test-secret", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            energywatch_argv("watch", "--config", str(config), "--db", str(db), "--log-format", "json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.events: list[dict[str, Any]] = []
        self.stdout: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stderr, True), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stdout, False), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str] | None, logs: bool) -> None:
        assert stream is not None
        for line in stream:
            if not logs:
                self.stdout.append(line)
                continue
            try:
                self.events.append(json.loads(line))
            except json.JSONDecodeError:
                self.events.append({"event": "unparsed", "line": line})

    def count(self, event: str, **fields: Any) -> int:
        return sum(
            1
            for e in list(self.events)
            if e.get("event") == event and all(e.get(k) == v for k, v in fields.items())
        )

    def finish(self) -> None:
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_mid_story_then_restart_sends_no_duplicates(
    servers: tuple[LocalServer, WebhookReceiver, Collecting, int], tmp_path: Path
) -> None:
    server, hook, mailbox, smtp_port = servers
    reports, follow_up = story()
    newsroom = Newsroom(server)
    jsonl = tmp_path / "alerts.jsonl"
    config = tmp_path / "watch.toml"
    config.write_text(CONFIG.format(feed=newsroom.feed_url, jsonl=jsonl, hook=hook.url, smtp=smtp_port))
    db = tmp_path / "watch.db"

    def jsonl_ids() -> list[str]:
        return [json.loads(line)["id"] for line in jsonl.read_text().splitlines()] if jsonl.exists() else []

    first = Watching(config, db)
    try:
        wait_until(lambda: first.count("watcher_started") == 1, "the first watcher to start")
        newsroom.publish(reports[0])
        wait_until(lambda: first.count("alert_delivered") == 4, "the new-incident alert on 4 channels")
        newsroom.publish(reports[1])
        wait_until(lambda: first.count("ingested", new=1) == 2, "the second report to be ingested")
    finally:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        first.finish()
    assert first.proc.returncode == -signal.SIGKILL

    newsroom.publish(reports[2])  # published while nobody watches
    second = Watching(config, db)
    try:
        wait_until(lambda: second.count("ingested", new=1) == 1, "the third report after the restart")
        newsroom.publish(follow_up)
        wait_until(lambda: second.count("alert_delivered") == 4, "the update alert on 4 channels")
        polls = len(server.requests_for(newsroom.feed_path))
        wait_until(lambda: len(server.requests_for(newsroom.feed_path)) >= polls + 3, "three more polls")
        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(timeout=20) == 0
    finally:
        if second.proc.poll() is None:
            second.proc.kill()
        second.finish()
    assert second.count("watcher_stopped", reason="signal") == 1

    ids = [r.headers["x-energywatch-alert-id"] for r in hook.requests]
    kinds = [json.loads(r.body)["kind"] for r in hook.requests]
    assert kinds == ["new_incident", "update"]
    assert len(set(ids)) == 2
    assert jsonl_ids() == ids
    assert [
        e.original_content.count(f"<{i}@energywatch>".encode())
        for e, i in zip(mailbox.envelopes, ids, strict=True)
    ] == [1, 1]
    console = "".join(first.stdout + second.stdout)
    assert [console.count(i) for i in ids] == [1, 1]
    # The first report was fetched once, across both processes.
    assert len(server.requests_for(newsroom.page_path(reports[0]))) == 1
