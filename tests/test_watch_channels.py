"""Alert channels against real servers on loopback: an HTTP receiver, an SMTP server
(aiosmtpd) and real files. Nothing in httpx or smtplib is mocked, so the tests pin what
a receiver actually sees on the wire."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import logging
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import TypeAdapter, ValidationError
from tests.smtp_support import Collecting, closed_port, smtp_server
from tests.webhook_support import WebhookReceiver

from energywatch import __version__
from energywatch.errors import ConfigError
from energywatch.models import Alert, AlertKind
from energywatch.watch.channels import (
    Channel,
    ChannelConfig,
    ConsoleChannelConfig,
    DeliveryError,
    EmailChannelConfig,
    JsonlChannelConfig,
    WebhookChannelConfig,
    alert_payload,
    build_channel,
    sign,
    verify_signature,
)

SECRET = "s3cret-key-for-tests"
ENV = {"HOOK_SECRET": SECRET, "SMTP_PASSWORD": "pw"}

channel_config: TypeAdapter[Any] = TypeAdapter(ChannelConfig)


def make_alert(alert_id: str = "inc-42.new.1", **changes: Any) -> Alert:
    fields: dict[str, Any] = {
        "id": alert_id,
        "kind": AlertKind.update,
        "incident_id": "inc-42",
        "rules": ["baltic-gas"],
        "created": dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC),
        "title": "Balticconnector pipeline damaged — flows halted",
        "summary": "Gas flows between Finland and Estonia stopped after a pressure drop.",
        "changes": ["status: suspected → confirmed", "outage now 4–5 months"],
        "incident": {"id": "inc-42", "asset": "balticconnector", "started": "2023-10-08"},
    }
    fields.update(changes)
    return Alert(**fields)


class Sleeps:
    """An injected sleep that records the delays and can simulate a shutdown."""

    def __init__(self, interrupt: bool = False) -> None:
        self.delays: list[float] = []
        self.interrupt = interrupt

    def __call__(self, seconds: float) -> bool:
        self.delays.append(seconds)
        return self.interrupt


# --------------------------------------------------------------------------- webhook


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def webhook(url: str, **fields: Any) -> WebhookChannelConfig:
    values: dict[str, Any] = {"type": "webhook", "name": "ops-hook", "url": url, "allow_private": True}
    values.update(fields)
    return WebhookChannelConfig(**values)


def deliver_once(config: WebhookChannelConfig, alert: Alert, sleeps: Sleeps | None = None) -> None:
    channel = build_channel(config, env=ENV, sleep=sleeps or Sleeps())
    try:
        channel.deliver(alert)
    finally:
        channel.close()


def test_webhook_body_is_the_payload_and_the_signature_verifies(receiver: WebhookReceiver) -> None:
    alert = make_alert()
    config = webhook(receiver.url, secret_env="HOOK_SECRET", headers={"X-Team": "grid-ops"})
    deliver_once(config, alert)

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hook"
    assert json.loads(request.body) == alert_payload(alert)
    assert json.loads(request.body)["schema"] == "energywatch.alert/1"
    assert b"\xe2\x80\x94" in request.body  # UTF-8 on the wire, not \u escapes
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == f"energywatch/{__version__}"
    assert headers["x-energywatch-alert-id"] == alert.id
    assert headers["x-team"] == "grid-ops"
    timestamp = headers["x-energywatch-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert verify_signature(SECRET.encode(), timestamp, request.body, headers["x-energywatch-signature"])


def test_signature_refuses_tampering_wrong_secret_and_stale_timestamps() -> None:
    body = b'{"id":"a"}'
    now = 1_700_000_000.0
    stamp = str(int(now))
    good = sign(b"key", stamp, body)
    assert good.startswith("sha256=")
    assert verify_signature(b"key", stamp, body, good, now=now)
    assert not verify_signature(b"key", stamp, b'{"id":"b"}', good, now=now)
    assert not verify_signature(b"other", stamp, body, good, now=now)
    assert not verify_signature(b"key", stamp, body, good, now=now + 301)
    assert not verify_signature(b"key", stamp, body, good, now=now - 301)
    assert verify_signature(b"key", stamp, body, good, now=now + 299)
    # The timestamp is under the MAC: a replay with a fresh timestamp header fails.
    assert not verify_signature(b"key", str(int(now) + 1000), body, good, now=now + 1000)
    assert not verify_signature(b"key", "nan", body, good, now=now)
    assert not verify_signature(b"key", stamp, body, "sha256=ünicode", now=now)


def test_webhook_retries_server_errors_then_delivers_once(receiver: WebhookReceiver) -> None:
    receiver.fail_next(2, status=500)
    sleeps = Sleeps()
    deliver_once(webhook(receiver.url, backoff_base_s=0.5), make_alert(), sleeps)

    requests = receiver.requests
    assert len(requests) == 3
    assert {r.headers["x-energywatch-alert-id"] for r in requests} == {"inc-42.new.1"}
    assert len(sleeps.delays) == 2
    # exponential with jitter: 0.5 s then 1 s, each scaled by a factor in [0.5, 1]
    assert 0.25 <= sleeps.delays[0] <= 0.5
    assert 0.5 <= sleeps.delays[1] <= 1.0


def test_webhook_gives_up_after_the_configured_retries(receiver: WebhookReceiver) -> None:
    receiver.respond(503, body=b"maintenance")
    sleeps = Sleeps()
    with pytest.raises(DeliveryError) as caught:
        deliver_once(webhook(receiver.url, retries=2), make_alert(), sleeps)
    assert caught.value.transient
    assert caught.value.channel == "ops-hook"
    assert str(caught.value) == "webhook ops-hook: HTTP 503 (maintenance) after 3 attempts"
    assert len(receiver.requests) == 3
    assert len(sleeps.delays) == 2


def test_webhook_honours_retry_after_within_a_cap(receiver: WebhookReceiver) -> None:
    receiver.fail_next(1, status=429, headers={"Retry-After": "7"})
    receiver.fail_next(1, status=429, headers={"Retry-After": "86400"})
    sleeps = Sleeps()
    deliver_once(webhook(receiver.url), make_alert(), sleeps)
    assert sleeps.delays == [7.0, 60.0]
    assert len(receiver.requests) == 3


def test_webhook_stops_retrying_when_shutdown_interrupts_the_wait(receiver: WebhookReceiver) -> None:
    receiver.respond(500)
    with pytest.raises(DeliveryError, match="shutdown") as caught:
        deliver_once(webhook(receiver.url), make_alert(), Sleeps(interrupt=True))
    assert caught.value.transient
    assert len(receiver.requests) == 1


def test_webhook_client_error_fails_at_once(receiver: WebhookReceiver) -> None:
    receiver.respond(400, body=b'{"error": "unknown field"}')
    sleeps = Sleeps()
    with pytest.raises(DeliveryError) as caught:
        deliver_once(webhook(receiver.url), make_alert(), sleeps)
    assert not caught.value.transient
    assert "HTTP 400" in str(caught.value)
    assert "unknown field" in str(caught.value)
    assert len(receiver.requests) == 1
    assert sleeps.delays == []


def test_webhook_request_timeout_is_retried(receiver: WebhookReceiver) -> None:
    receiver.fail_next(1, status=408)
    deliver_once(webhook(receiver.url), make_alert())
    assert len(receiver.requests) == 2


def test_webhook_receiver_down_is_transient() -> None:
    sleeps = Sleeps()
    with pytest.raises(DeliveryError, match="connection failed") as caught:
        deliver_once(webhook(f"http://127.0.0.1:{closed_port()}/hook", retries=1), make_alert(), sleeps)
    assert caught.value.transient
    assert len(sleeps.delays) == 1


def test_webhook_does_not_follow_redirects(receiver: WebhookReceiver) -> None:
    receiver.respond(302, headers={"Location": receiver.base_url + "/elsewhere"})
    with pytest.raises(DeliveryError, match="not followed") as caught:
        deliver_once(webhook(receiver.url), make_alert())
    assert not caught.value.transient
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_webhook_slow_receiver_times_out_as_transient(receiver: WebhookReceiver) -> None:
    receiver.set_delay(5)
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="timed out") as caught:
        deliver_once(webhook(receiver.url, timeout_s=0.2, retries=0), make_alert())
    assert caught.value.transient
    assert time.monotonic() - started < 2


def test_webhook_refuses_loopback_unless_allowed(receiver: WebhookReceiver) -> None:
    for url in (receiver.url, f"http://localhost:{receiver.port}/hook", "http://[::ffff:127.0.0.1]/hook"):
        with pytest.raises(DeliveryError, match="allow_private") as caught:
            deliver_once(webhook(url, allow_private=False), make_alert())
        assert not caught.value.transient
    assert receiver.requests == []


def test_webhook_missing_secret_variable_is_a_config_error() -> None:
    config = webhook("https://hooks.example.org/x", secret_env="NOT_SET_ANYWHERE")
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE"):
        build_channel(config, env={})
    with pytest.raises(ConfigError, match="empty"):
        build_channel(config, env={"NOT_SET_ANYWHERE": ""})


def test_webhook_logs_retries_and_delivery(
    receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.fail_next(1, status=502)
    with caplog.at_level(logging.DEBUG, logger="energywatch.watch"):
        deliver_once(webhook(receiver.url), make_alert())
    records = [r for r in caplog.records if r.name == "energywatch.watch"]
    events = [(r.levelname, r.event, r.channel, r.alert_id) for r in records]  # type: ignore[attr-defined]
    assert events == [
        ("WARNING", "delivery_retry", "ops-hook", "inc-42.new.1"),
        ("DEBUG", "channel_delivered", "ops-hook", "inc-42.new.1"),
    ]
    assert records[0].detail.startswith("HTTP 502")  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- email


class Rejecting:
    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        return self.reply


class RefusingRecipients(Collecting):
    """Accepts mail but refuses the recipients in ``refused`` at RCPT time."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def mail(port: int, **fields: Any) -> EmailChannelConfig:
    values: dict[str, Any] = {
        "type": "email",
        "name": "ops-mail",
        "host": "127.0.0.1",
        "port": port,
        "sender": "energywatch@example.org",
        "recipients": ["ops@example.org", "Duty Desk <duty@example.org>"],
        "starttls": False,
        "timeout_s": 5,
    }
    values.update(fields)
    return EmailChannelConfig(**values)


def test_email_arrives_with_subject_message_id_recipients_and_body() -> None:
    handler = Collecting()
    alert = make_alert()
    with smtp_server(handler) as port:
        channel = build_channel(mail(port), env=ENV)
        channel.deliver(alert)
        channel.close()

    [envelope] = handler.envelopes
    assert envelope.mail_from == "energywatch@example.org"
    assert envelope.rcpt_tos == ["ops@example.org", "duty@example.org"]
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "[energywatch] Balticconnector pipeline damaged — flows halted"
    assert message["Message-ID"] == "<inc-42%2Enew%2E1@energywatch>"
    assert message["X-Energywatch-Alert-Id"] == alert.id
    assert message["To"] == "ops@example.org, Duty Desk <duty@example.org>"
    assert message["Date"] == "Fri, 01 Mar 2024 12:30:00 +0000"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Balticconnector pipeline damaged" in text
    assert "status: suspected → confirmed" in text
    assert "Incident: inc-42" in text
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "alert.json"
    assert json.loads(attachment.get_content()) == alert_payload(alert)


def test_email_message_id_is_stable_and_distinct_per_alert() -> None:
    handler = Collecting()
    with smtp_server(handler) as port:
        channel = build_channel(mail(port), env=ENV)
        for alert_id in ("a.1", "a.1", "a%2E1", "x y@z"):
            channel.deliver(make_alert(alert_id))
        channel.close()
    ids = [email.message_from_bytes(e.content)["Message-ID"] for e in handler.envelopes]  # type: ignore[arg-type]
    assert ids[0] == ids[1]
    assert len(set(ids)) == 3
    assert all(" " not in i and i.count("@") == 1 for i in ids)


def test_email_permanent_rejection_is_not_transient() -> None:
    with smtp_server(Rejecting("550 5.7.1 message refused by policy")) as port:
        channel = build_channel(mail(port), env=ENV)
        with pytest.raises(DeliveryError, match="550") as caught:
            channel.deliver(make_alert())
    assert not caught.value.transient
    assert caught.value.channel == "ops-mail"


def test_email_temporary_rejection_is_transient() -> None:
    with smtp_server(Rejecting("451 4.3.0 try again later")) as port:
        channel = build_channel(mail(port), env=ENV)
        with pytest.raises(DeliveryError, match="451") as caught:
            channel.deliver(make_alert())
    assert caught.value.transient


def test_email_partly_refused_recipients_still_count_as_delivered(caplog: pytest.LogCaptureFixture) -> None:
    handler = RefusingRecipients({"duty@example.org"})
    with smtp_server(handler) as port, caplog.at_level(logging.WARNING, logger="energywatch.watch"):
        build_channel(mail(port), env=ENV).deliver(make_alert())
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["ops@example.org"]
    assert "refused duty@example.org" in caplog.text


def test_email_all_recipients_refused_is_not_transient() -> None:
    with smtp_server(RefusingRecipients({"ops@example.org", "duty@example.org"})) as port:
        channel = build_channel(mail(port), env=ENV)
        with pytest.raises(DeliveryError, match="all recipients refused") as caught:
            channel.deliver(make_alert())
    assert not caught.value.transient


def test_email_server_down_is_transient() -> None:
    channel = build_channel(mail(closed_port()), env=ENV)
    with pytest.raises(DeliveryError) as caught:
        channel.deliver(make_alert())
    assert caught.value.transient
    assert str(caught.value).startswith("email ops-mail: cannot talk to 127.0.0.1:")


def test_email_missing_password_variable_is_a_config_error() -> None:
    config = mail(25, username="watch", password_env="NO_SUCH_PASSWORD")
    with pytest.raises(ConfigError, match="NO_SUCH_PASSWORD"):
        build_channel(config, env={})


# --------------------------------------------------------------------------- jsonl


def jsonl(path: Path) -> Channel:
    return build_channel(JsonlChannelConfig(type="jsonl", name="archive", path=path), env={})


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_writes_each_alert_once_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "alerts.jsonl"
    first, second = make_alert("a-1"), make_alert("a-2")
    channel = jsonl(path)
    channel.deliver(first)
    channel.deliver(first)
    assert [record["id"] for record in read_lines(path)] == ["a-1"]
    assert read_lines(path)[0] == alert_payload(first)

    restarted = jsonl(path)
    restarted.deliver(first)
    restarted.deliver(second)
    assert [record["id"] for record in read_lines(path)] == ["a-1", "a-2"]


def test_jsonl_repairs_a_partial_last_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "alerts.jsonl"
    good = json.dumps(alert_payload(make_alert("a-1"))) + "\n"
    torn = json.dumps(alert_payload(make_alert("a-2")))[:57]
    path.write_text(good + torn, encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="energywatch.watch"):
        channel = jsonl(path)
    assert "partial last line" in caplog.text
    assert path.read_text(encoding="utf-8") == good

    channel.deliver(make_alert("a-1"))  # already there: skipped
    channel.deliver(make_alert("a-2"))  # was torn: written again, whole
    assert [record["id"] for record in read_lines(path)] == ["a-1", "a-2"]


def test_jsonl_completes_a_last_line_that_only_lost_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_text(json.dumps(alert_payload(make_alert("a-1"))), encoding="utf-8")
    channel = jsonl(path)
    channel.deliver(make_alert("a-1"))
    channel.deliver(make_alert("a-2"))
    assert [record["id"] for record in read_lines(path)] == ["a-1", "a-2"]


def test_jsonl_unwritable_path_is_a_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    channel = jsonl(blocker / "alerts.jsonl")
    with pytest.raises(DeliveryError) as caught:
        channel.deliver(make_alert())
    assert caught.value.transient
    assert str(blocker / "alerts.jsonl") in str(caught.value)


# --------------------------------------------------------------------------- console


def test_console_shows_title_changes_and_incident() -> None:
    stream = io.StringIO()
    channel = build_channel(ConsoleChannelConfig(), env={}, console=stream)
    channel.deliver(make_alert())
    out = stream.getvalue()
    assert "UPDATE: Balticconnector pipeline damaged — flows halted" in out
    assert "- status: suspected → confirmed" in out
    assert "- outage now 4–5 months" in out
    assert "incident inc-42" in out


def test_console_survives_a_closed_stream() -> None:
    stream = io.StringIO()
    channel = build_channel(ConsoleChannelConfig(), env={}, console=stream)
    stream.close()
    channel.deliver(make_alert())  # no exception


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"type": "console", "colour": True}, "Extra inputs"),
        ({"type": "webhook", "name": "h", "url": "https://x.example/h", "retry": 2}, "Extra inputs"),
        ({"type": "webhook", "name": "h", "url": "ftp://x.example/h"}, "http:// or https://"),
        ({"type": "webhook", "name": "h", "url": "x.example/h"}, "http:// or https://"),
        ({"type": "webhook", "name": "h", "url": "https://x.example/h", "retries": 11}, "less than or equal"),
        (
            {
                "type": "webhook",
                "name": "h",
                "url": "https://x.example/h",
                "headers": {"X-Energywatch-Signature": "x"},
            },
            "set by energywatch",
        ),
        (
            {
                "type": "email",
                "name": "m",
                "host": "smtp",
                "sender": "a@b.c",
                "recipients": ["d@e.f"],
                "ssl": True,
            },
            "mutually exclusive",
        ),
        ({"type": "email", "name": "m", "host": "smtp", "sender": "a@b.c", "recipients": []}, "at least 1"),
        (
            {"type": "email", "name": "m", "host": "smtp", "sender": "a@b.c", "recipients": ["nobody"]},
            "not an email address",
        ),
        (
            {
                "type": "email",
                "name": "m",
                "host": "smtp",
                "sender": "a@b.c",
                "recipients": ["d@e.f"],
                "username": "u",
            },
            "go together",
        ),
        ({"type": "pager", "name": "p"}, "does not match any of the expected tags"),
    ],
)
def test_config_rejects(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        channel_config.validate_python(raw)


def test_config_accepts_each_channel_type(tmp_path: Path) -> None:
    parsed = [
        channel_config.validate_python(raw)
        for raw in (
            {"type": "console"},
            {"type": "jsonl", "name": "j", "path": str(tmp_path / "a.jsonl")},
            {
                "type": "webhook",
                "name": "h",
                "url": "https://hooks.example.org/x",
                "secret_env": "HOOK_SECRET",
            },
            {
                "type": "email",
                "name": "m",
                "host": "smtp.example.org",
                "port": 465,
                "ssl": True,
                "starttls": False,
                "sender": "a@b.c",
                "recipients": ["d@e.f"],
            },
        )
    ]
    assert [type(config).__name__ for config in parsed] == [
        "ConsoleChannelConfig",
        "JsonlChannelConfig",
        "WebhookChannelConfig",
        "EmailChannelConfig",
    ]
