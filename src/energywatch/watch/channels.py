"""Alert delivery channels: console, JSON Lines file, signed webhook and email.

A channel either delivers an ``Alert`` or raises ``DeliveryError`` saying whether the
same alert may still get through later (``transient``). Deciding when to try again
across polling rounds belongs to the watch loop; the webhook additionally retries a
few times itself, because HTTP receivers routinely blip for seconds (deploys, rate
limits) and waiting a whole polling round for that would delay every alert.

Delivery is at-least-once: a crash between sending and recording the send can send
an alert again. Every channel therefore carries the stable ``Alert.id`` where the
other side can deduplicate on it (webhook header, email Message-ID), and the JSONL
file skips ids it already holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import random
import smtplib
import socket
import ssl
import string
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Annotated, Any, Literal, Protocol, assert_never
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from energywatch import __version__
from energywatch.errors import ConfigError
from energywatch.models import Alert, AlertKind

log = logging.getLogger("energywatch.watch")

PAYLOAD_SCHEMA = "energywatch.alert/1"
HEADER_ALERT_ID = "X-Energywatch-Alert-Id"
HEADER_TIMESTAMP = "X-Energywatch-Timestamp"
HEADER_SIGNATURE = "X-Energywatch-Signature"

# Neither our backoff nor a receiver's Retry-After may park a delivery for longer than
# this: the watch loop has other alerts to send and its own next round to run.
MAX_RETRY_DELAY_S = 60.0
# Enough of an error response to tell "rate limited" from "bad token" in a log line,
# without letting a misbehaving receiver stream megabytes into memory.
_ERROR_BODY_READ = 4096
_ERROR_BODY_SHOWN = 200

# Headers that carry our protocol; a configured header of the same name would silently
# break signatures or idempotency at the receiver, so configuration may not set them.
_RESERVED_HEADERS = frozenset({"content-type", "content-length", "host", "transfer-encoding"})


class DeliveryError(Exception):
    """An alert did not reach a channel.

    ``transient`` is the caller's retry signal: True when the same alert may get
    through later unchanged (receiver down, timeout, 5xx, 4xx SMTP reply), False when
    someone must change the configuration or the receiver first (4xx HTTP, redirect,
    5xx SMTP reply, refused private address).
    """

    def __init__(self, channel: str, detail: str, *, transient: bool, channel_type: str = "") -> None:
        self.channel = channel
        self.detail = detail
        self.transient = transient
        self.channel_type = channel_type
        label = f"{channel_type} {channel}" if channel_type else channel
        super().__init__(f"{label}: {detail}")


# --------------------------------------------------------------------------- configuration


class ConsoleChannelConfig(BaseModel):
    """Alerts printed for a person watching the terminal (the default channel)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["console"] = "console"
    name: str = Field(default="console", min_length=1)


class JsonlChannelConfig(BaseModel):
    """Alerts appended to a file that other tools tail or load."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["jsonl"]
    name: str = Field(min_length=1)
    path: Path


class WebhookChannelConfig(BaseModel):
    """Alerts POSTed as signed JSON.

    ``secret_env`` names the environment variable holding the HMAC key so that the
    key never sits in a configuration file that gets committed or shared.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"]
    name: str = Field(min_length=1)
    url: str
    secret_env: str | None = Field(default=None, min_length=1)
    timeout_s: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10, description="attempts after the first one")
    backoff_base_s: float = Field(default=0.5, ge=0)
    allow_private: bool = False
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"http", "https"}:
            raise ValueError(f"webhook url must be http:// or https://, not {parts.scheme or 'no scheme'!r}")
        if not parts.hostname:
            raise ValueError("webhook url has no host")
        try:
            _ = parts.port
        except ValueError as exc:
            raise ValueError(f"webhook url has a bad port: {exc}") from None
        return url

    @field_validator("headers")
    @classmethod
    def _no_protocol_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for key, value in headers.items():
            lowered = key.lower()
            if lowered in _RESERVED_HEADERS or lowered.startswith("x-energywatch-"):
                raise ValueError(f"header {key!r} is set by energywatch itself and cannot be configured")
            if any(char in key + value for char in "\r\n"):
                raise ValueError(f"header {key!r} contains a line break")
        return headers


class EmailChannelConfig(BaseModel):
    """Alerts mailed through an SMTP server; the password comes from ``password_env``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["email"]
    name: str = Field(min_length=1)
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str
    recipients: list[str] = Field(min_length=1)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str | None = Field(default=None, min_length=1)
    timeout_s: float = Field(default=15.0, gt=0)
    subject_prefix: str = "[energywatch]"

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        return _mail_address(value)

    @field_validator("recipients")
    @classmethod
    def _recipient_addresses(cls, values: list[str]) -> list[str]:
        return [_mail_address(value) for value in values]

    @model_validator(mode="after")
    def _consistent(self) -> EmailChannelConfig:
        if self.ssl and self.starttls:
            raise ValueError(
                "ssl and starttls are mutually exclusive: ssl wraps the connection from the start "
                "(usually port 465), starttls upgrades a plain one (usually port 587); set starttls: false"
            )
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together: set both to log in, or neither")
        return self


def _mail_address(value: str) -> str:
    _, address = email.utils.parseaddr(value)
    if "@" not in address or any(char in value for char in "\r\n"):
        raise ValueError(f"not an email address: {value!r}")
    return value


ChannelConfig = Annotated[
    ConsoleChannelConfig | JsonlChannelConfig | WebhookChannelConfig | EmailChannelConfig,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- payload and signatures


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON document every machine-readable channel carries.

    The ``schema`` key lets receivers reject or adapt to a future incompatible shape
    instead of misreading it.
    """
    return {"schema": PAYLOAD_SCHEMA, **alert.model_dump(mode="json")}


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Energywatch-Signature`` value.

    The timestamp is inside the MAC so a captured request cannot be replayed later
    with a fresh timestamp header.
    """
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance_s: float = 300,
) -> bool:
    """Whether a received webhook is authentic and fresh; the receiver's half of ``sign``.

    The comparison is constant-time so the signature cannot be guessed byte by byte
    from response timings; timestamps further than ``tolerance_s`` from ``now`` in
    either direction are refused so that recorded requests cannot be replayed.
    """
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


# --------------------------------------------------------------------------- channels


class Channel(Protocol):
    """Somewhere alerts go. ``deliver`` returns once delivered, or already delivered."""

    name: str

    def deliver(self, alert: Alert) -> None: ...

    def close(self) -> None: ...


def _extra(event: str, channel: str, alert: Alert | None = None, **more: Any) -> dict[str, Any]:
    """Structured fields in the shape of the watcher's other log records.

    Per-channel outcomes (``channel_delivered``, ``channel_failed``) go out at DEBUG:
    the watch loop already reports each delivery once (``alert_delivered``,
    ``delivery_failed``) with the ``DeliveryError`` text; what only a channel sees
    (retries, repairs, refused recipients) is logged here at WARNING.
    """
    fields: dict[str, Any] = {"event": event, "channel": channel}
    if alert is not None:
        fields["alert_id"] = alert.id
    fields.update(more)
    return fields


_KIND_LABEL = {AlertKind.new_incident: "NEW INCIDENT", AlertKind.update: "UPDATE"}


def format_console(alert: Alert) -> str:
    """The block a person sees in the terminal: what happened first, ids last."""
    lines = [f"== {_KIND_LABEL.get(alert.kind, str(alert.kind))}: {_one_line(alert.title)}"]
    if alert.summary:
        lines.append(f"   {_one_line(alert.summary)}")
    if alert.changes:
        lines.append("   changes:")
        lines.extend(f"     - {_one_line(change)}" for change in alert.changes)
    rules = f" · rules: {', '.join(alert.rules)}" if alert.rules else ""
    lines.append(f"   incident {alert.incident_id}{rules} · alert {alert.id}")
    return "\n".join(lines) + "\n\n"


class ConsoleChannel:
    """Prints alerts. Never raises: a closed terminal must not stop the other channels."""

    def __init__(self, config: ConsoleChannelConfig, stream: IO[str] | None = None) -> None:
        self.name = config.name
        self._stream = stream

    def deliver(self, alert: Alert) -> None:
        # sys.stdout is looked up per alert so a redirected stdout (tests, daemons) is honoured.
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            stream.write(format_console(alert))
            stream.flush()
        except (OSError, ValueError) as exc:
            log.warning(
                "console channel %s could not print alert %s: %s",
                self.name,
                alert.id,
                exc,
                extra=_extra("console_failed", self.name, alert, detail=str(exc)),
            )
            return
        log.debug("alert %s printed", alert.id, extra=_extra("channel_delivered", self.name, alert))

    def close(self) -> None:
        """Nothing to release: the stream belongs to the caller."""


class JsonlChannel:
    """Appends one JSON line per alert, durably, and never the same alert id twice.

    The ids already in the file are read once at construction, so a restarted watch
    that re-sends its last alerts (it cannot know whether they were written before a
    crash) does not duplicate lines. A crash in the middle of a write leaves a partial
    last line; it is cut off here so the next append does not glue onto it.
    """

    def __init__(self, config: JsonlChannelConfig) -> None:
        self.name = config.name
        self.path = config.path
        self._lock = threading.Lock()
        try:
            self._written = _load_alert_ids(self.path, self.name)
        except OSError as exc:
            raise ConfigError(
                f"jsonl channel {self.name!r} cannot read {self.path}: {_describe(exc)}",
                "check the path and its permissions",
            ) from exc

    def deliver(self, alert: Alert) -> None:
        with self._lock:
            if alert.id in self._written:
                log.info(
                    "alert %s already in %s; skipped",
                    alert.id,
                    self.path,
                    extra=_extra("alert_duplicate", self.name, alert, path=str(self.path)),
                )
                return
            line = (json.dumps(alert_payload(alert)) + "\n").encode("utf-8")
            try:
                _durable_append(self.path, line)
            except OSError as exc:
                raise DeliveryError(
                    self.name,
                    f"cannot write {self.path}: {_describe(exc)}",
                    transient=True,
                    channel_type="jsonl",
                ) from exc
            self._written.add(alert.id)
        log.debug(
            "alert %s written to %s", alert.id, self.path, extra=_extra("channel_delivered", self.name, alert)
        )

    def close(self) -> None:
        """Nothing to release: the file is opened per alert (it may be rotated between them)."""


def _line_alert_id(raw: bytes) -> str | None:
    try:
        record = json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both
        return None
    alert_id = record.get("id") if isinstance(record, dict) else None
    return alert_id if isinstance(alert_id, str) else None


def _load_alert_ids(path: Path, name: str) -> set[str]:
    """Ids already in the file, repairing a torn last line.

    Only the unterminated tail can come from our own interrupted write (each line is
    written with one call that ends in the newline); a bad line anywhere else was put
    there by something else and is left alone.
    """
    ids: set[str] = set()
    try:
        handle = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return ids  # nothing written yet; a path that can never be written fails on delivery
    with handle:
        offset = 0
        tail = b""
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                tail = raw
                break
            offset += len(raw)
            if not raw.strip():
                continue
            alert_id = _line_alert_id(raw)
            if alert_id is None:
                log.warning(
                    "%s line %d is not an alert record; left as it is",
                    path,
                    number,
                    extra=_extra("jsonl_bad_line", name, path=str(path), line=number),
                )
            else:
                ids.add(alert_id)
    if not tail:
        return ids
    complete = _line_alert_id(tail)
    with path.open("r+b") as fh:
        if complete is not None:
            # The write stopped just before its newline: the record itself is whole.
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n")
            ids.add(complete)
            log.warning(
                "%s: last line was missing its newline (interrupted write); completed it",
                path,
                extra=_extra("jsonl_repaired", name, path=str(path), removed_bytes=0),
            )
        else:
            fh.truncate(offset)
            log.warning(
                "%s: removed a partial last line of %d bytes left by an interrupted write",
                path,
                len(tail),
                extra=_extra("jsonl_repaired", name, path=str(path), removed_bytes=len(tail)),
            )
        fh.flush()
        os.fsync(fh.fileno())
    return ids


def _durable_append(path: Path, line: bytes) -> None:
    """Append ``line`` and fsync; on failure, cut back what was partially written."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        start = fh.tell()
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError:
            # A disk-full error can leave half a line; the next append would glue onto it.
            with contextlib.suppress(OSError):  # else the repair at the next start cuts it
                fh.truncate(start)
            raise
    if created:
        _fsync_directory(path.parent)


def _fsync_directory(folder: Path) -> None:
    """Make a newly created file's directory entry durable too (POSIX only)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the data itself is synced
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- webhook


class _BlockedDestinationError(Exception):
    """The webhook URL resolves to an address we will not send alerts to."""


def _blocked_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that reach into our own network unless the config says so.

    Webhook URLs come from configuration that may be edited by more people than run
    the host; without this check a URL is a way to make the watch process POST to
    internal services (cloud metadata endpoints, admin ports on localhost).
    Every resolved address is checked because the client may connect to any of them.
    Raises ``socket.gaierror`` when the name does not resolve.
    """
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if _blocked_address(address):
            raise _BlockedDestinationError(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "set allow_private: true if this receiver is meant to be internal"
            )


@dataclass(frozen=True)
class _Failure:
    detail: str
    retryable: bool
    retry_after: float | None = None


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _header_safe(value: str) -> str:
    """A value that can go into an HTTP header as is; odd characters are percent-encoded."""
    if value.isascii() and value.isprintable():
        return value
    return quote(value, safe="")


def _shown_text(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text if len(text) <= _ERROR_BODY_SHOWN else text[: _ERROR_BODY_SHOWN - 1] + "…"


def _describe(exc: BaseException) -> str:
    """An exception as a short phrase; some (httpx timeouts, OSError) stringify to ""."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _sleep_through(seconds: float) -> bool:
    """Default for callers without a shutdown signal: sleep, never interrupted."""
    time.sleep(seconds)
    return False


class WebhookChannel:
    """POSTs each alert as signed JSON, retrying transient failures with backoff.

    Redirects are not followed: a receiver that moved should be reconfigured, and
    following them would let a redirect send alerts (and signatures) elsewhere.
    """

    def __init__(
        self,
        config: WebhookChannelConfig,
        *,
        secret: bytes | None,
        sleep: Callable[[float], bool],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = config.name
        self.config = config
        self._secret = secret
        self._sleep = sleep
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def _error(self, detail: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(self.name, detail, transient=transient, channel_type="webhook")

    def deliver(self, alert: Alert) -> None:
        body = json.dumps(alert_payload(alert), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            failure = self._attempt(alert, body)
            if failure is None:
                log.debug(
                    "alert %s delivered to %s (attempt %d)",
                    alert.id,
                    self.name,
                    attempt,
                    extra=_extra("channel_delivered", self.name, alert, attempt=attempt),
                )
                return
            tried = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
            if not failure.retryable:
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}", transient=False)
            if attempt == attempts:
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}", transient=True)
            delay = self._delay(attempt, failure.retry_after)
            log.warning(
                "alert %s to %s: %s; retrying in %.1fs",
                alert.id,
                self.name,
                failure.detail,
                delay,
                extra=_extra(
                    "delivery_retry",
                    self.name,
                    alert,
                    attempt=attempt,
                    delay_s=round(delay, 3),
                    detail=failure.detail,
                ),
            )
            if self._sleep(delay):
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}; stopped retrying for shutdown", transient=True)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _log_failure(self, alert: Alert, detail: str, attempt: int) -> None:
        log.debug(
            "alert %s not delivered to %s: %s",
            alert.id,
            self.name,
            detail,
            extra=_extra("channel_failed", self.name, alert, attempt=attempt, detail=detail),
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_DELAY_S)
        backoff = min(self.config.backoff_base_s * 2 ** (attempt - 1), MAX_RETRY_DELAY_S)
        # Jitter keeps many watchers that failed together from retrying in lockstep.
        jittered: float = backoff * random.uniform(0.5, 1.0)
        return jittered

    def _headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        timestamp = str(int(time.time()))  # fresh per attempt, so retries stay within tolerance
        headers = {"User-Agent": f"energywatch/{__version__}", **self.config.headers}
        headers["Content-Type"] = "application/json"
        headers[HEADER_ALERT_ID] = _header_safe(alert.id)
        headers[HEADER_TIMESTAMP] = timestamp
        if self._secret is not None:
            headers[HEADER_SIGNATURE] = sign(self._secret, timestamp, body)
        return headers

    def _attempt(self, alert: Alert, body: bytes) -> _Failure | None:
        """One POST; None when delivered, else what went wrong and whether to retry."""
        url = self.config.url
        try:
            # Checked on every attempt: DNS answers can change between attempts.
            _check_destination(url, allow_private=self.config.allow_private)
        except _BlockedDestinationError as exc:
            return _Failure(f"refused: {exc}", retryable=False)
        except OSError as exc:
            return _Failure(f"cannot resolve {urlsplit(url).hostname}: {exc}", retryable=True)
        try:
            with self._client.stream(
                "POST", url, content=body, headers=self._headers(alert, body)
            ) as response:
                status = response.status_code
                headers = response.headers
                # Read to the end when small (the connection can then be reused); a
                # receiver streaming more gets its connection closed instead.
                shown = b""
                for chunk in response.iter_bytes():
                    shown += chunk
                    if len(shown) >= _ERROR_BODY_READ:
                        break
        except httpx.TimeoutException as exc:
            return _Failure(
                f"timed out ({type(exc).__name__}, limit {self.config.timeout_s:g}s)", retryable=True
            )
        except httpx.TransportError as exc:
            return _Failure(f"connection failed: {_describe(exc)}", retryable=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _Failure(f"request failed: {_describe(exc)}", retryable=False)
        if 200 <= status < 300:
            return None
        detail = f"HTTP {status}"
        text = _shown_text(shown)
        if 300 <= status < 400:
            where = headers.get("Location", "nowhere")
            return _Failure(
                f"{detail} redirect to {where} not followed; configure the final URL", retryable=False
            )
        if text:
            detail += f" ({text})"
        if status in {408, 429} or status >= 500:
            return _Failure(
                detail, retryable=True, retry_after=_retry_after_seconds(headers.get("Retry-After"))
            )
        return _Failure(detail, retryable=False)


# --------------------------------------------------------------------------- email

# Characters a Message-ID may hold unquoted (RFC 5322 atext); dots are left out because
# their placement is restricted, and everything else is percent-encoded so that
# different alert ids never share a Message-ID.
_MESSAGE_ID_SAFE = frozenset(string.ascii_letters + string.digits + "!#$&'*+-/=?^_`{|}~")


def message_id(alert_id: str) -> str:
    """``<alert-id@energywatch>``: the same alert always gets the same Message-ID, so
    mail clients and archives show a re-sent alert once."""
    local = "".join(
        char if char in _MESSAGE_ID_SAFE else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in alert_id
    )
    return f"<{local}@energywatch>"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def email_text(alert: Alert) -> str:
    """The plain-text body: readable on a phone, with the machine-readable part attached."""
    kind = "New incident" if alert.kind == AlertKind.new_incident else "Incident update"
    parts = [f"{kind}: {_one_line(alert.title)}", ""]
    if alert.summary:
        parts += [alert.summary.strip(), ""]
    if alert.changes:
        parts.append("What changed:")
        parts += [f"  - {_one_line(change)}" for change in alert.changes]
        parts.append("")
    parts.append(f"Incident: {alert.incident_id}")
    if alert.rules:
        parts.append(f"Rules: {', '.join(alert.rules)}")
    parts.append(f"Alert: {alert.id} ({alert.kind}), raised {_aware(alert.created).isoformat()}")
    parts += ["", f"The alert as JSON ({PAYLOAD_SCHEMA}) is attached as alert.json."]
    return "\n".join(parts) + "\n"


def build_email(config: EmailChannelConfig, alert: Alert) -> EmailMessage:
    """The message for one alert; Date is when the alert was raised, so a retry is identical."""
    message = EmailMessage()
    message["Subject"] = _one_line(f"{config.subject_prefix} {alert.title}")
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = email.utils.format_datetime(_aware(alert.created))
    message["Message-ID"] = message_id(alert.id)
    message[HEADER_ALERT_ID] = _header_safe(alert.id)
    message.set_content(email_text(alert))
    payload = json.dumps(alert_payload(alert), indent=2, ensure_ascii=False).encode("utf-8")
    message.add_attachment(payload, maintype="application", subtype="json", filename="alert.json")
    return message


def _smtp_code_transient(code: int) -> bool:
    """4xx replies are the server saying "not now"; 5xx say "never like this"."""
    return not 500 <= code < 600


class EmailChannel:
    """Sends each alert as one email, over a fresh SMTP connection per alert.

    Alerts are rare enough that a persistent connection would mostly be a connection
    the server has timed out; a fresh one per alert is simpler and as fast in practice.
    """

    def __init__(self, config: EmailChannelConfig, *, password: str | None) -> None:
        self.name = config.name
        self.config = config
        self._password = password
        if config.username and not (config.ssl or config.starttls):
            log.warning(
                "email channel %s logs in without TLS: the password crosses the network in clear",
                self.name,
                extra=_extra("email_plaintext_login", self.name),
            )

    def close(self) -> None:
        """Nothing to release: connections live only for one alert."""

    def _error(self, detail: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(self.name, detail, transient=transient, channel_type="email")

    def deliver(self, alert: Alert) -> None:
        message = build_email(self.config, alert)
        try:
            refused = self._send(message)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = ", ".join(
                f"{rcpt}: {code} {_smtp_text(text)}" for rcpt, (code, text) in exc.recipients.items()
            )
            transient = any(_smtp_code_transient(code) for code, _ in exc.recipients.values())
            raise self._failed(alert, f"all recipients refused ({replies})", transient) from exc
        except smtplib.SMTPResponseException as exc:
            raise self._failed(
                alert,
                f"SMTP {exc.smtp_code} {_smtp_text(exc.smtp_error)}",
                _smtp_code_transient(exc.smtp_code),
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise self._failed(alert, f"server disconnected: {exc}", True) from exc
        except smtplib.SMTPException as exc:
            # Not a reply code: missing STARTTLS/AUTH support and the like, a configuration matter.
            raise self._failed(alert, f"SMTP: {exc}", False) from exc
        except ssl.SSLCertVerificationError as exc:
            raise self._failed(
                alert, f"TLS certificate rejected: {exc.verify_message or exc}", False
            ) from exc
        except OSError as exc:  # refused, unreachable, timed out, TLS handshake cut
            where = f"{self.config.host}:{self.config.port}"
            raise self._failed(alert, f"cannot talk to {where}: {_describe(exc)}", True) from exc
        if refused:
            # Some recipients got it: retrying would mail them again, so report and move on.
            log.warning(
                "alert %s: SMTP server refused %s",
                alert.id,
                ", ".join(sorted(refused)),
                extra=_extra("email_partly_refused", self.name, alert, refused=sorted(refused)),
            )
        log.debug(
            "alert %s mailed to %d recipients",
            alert.id,
            len(self.config.recipients) - len(refused),
            extra=_extra("channel_delivered", self.name, alert),
        )

    def _failed(self, alert: Alert, detail: str, transient: bool) -> DeliveryError:
        log.debug(
            "alert %s not mailed: %s",
            alert.id,
            detail,
            extra=_extra("channel_failed", self.name, alert, detail=detail),
        )
        return self._error(detail, transient=transient)

    def _send(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        config = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.ssl:
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
        with smtp:
            if config.starttls:
                smtp.starttls(context=context)
            if config.username is not None:
                smtp.login(config.username, self._password or "")
            # The envelope wants bare addresses; display names belong in the headers only.
            sender = email.utils.parseaddr(config.sender)[1]
            recipients = [email.utils.parseaddr(recipient)[1] for recipient in config.recipients]
            return smtp.send_message(message, from_addr=sender, to_addrs=recipients)


def _smtp_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return _one_line(text)


# --------------------------------------------------------------------------- construction


def _from_env(env: Mapping[str, str], variable: str, what: str) -> str:
    value = env.get(variable)
    if not value:
        state = "is empty" if value == "" else "is not set"
        raise ConfigError(
            f"environment variable {variable} {state} ({what})",
            f"export {variable} before starting energywatch, or change the channel configuration",
        )
    return value


def build_channel(
    config: ChannelConfig,
    *,
    env: Mapping[str, str],
    sleep: Callable[[float], bool] | None = None,
    console: IO[str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Channel:
    """A ready channel for ``config``.

    Secrets are looked up in ``env`` now rather than at the first alert, so a missing
    variable stops ``energywatch watch`` at startup instead of hours later.
    ``sleep(seconds)`` waits between webhook retries and returns True when shutdown
    interrupted it.
    """
    if isinstance(config, ConsoleChannelConfig):
        return ConsoleChannel(config, console)
    if isinstance(config, JsonlChannelConfig):
        return JsonlChannel(config)
    if isinstance(config, WebhookChannelConfig):
        secret = None
        if config.secret_env is not None:
            what = f"secret_env of webhook channel {config.name!r}"
            secret = _from_env(env, config.secret_env, what).encode("utf-8")
        return WebhookChannel(config, secret=secret, sleep=sleep or _sleep_through, transport=transport)
    if isinstance(config, EmailChannelConfig):
        password = None
        if config.password_env is not None:
            password = _from_env(env, config.password_env, f"password_env of email channel {config.name!r}")
        return EmailChannel(config, password=password)
    assert_never(config)
