"""What every alert channel shares: the failure type, the channel protocol, the JSON
payload and the wire constants, and the small helpers for log records and messages.

Kept apart from the channels themselves so that each channel module depends only on
this one and never on another channel.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import quote

from energywatch.models import Alert

log = logging.getLogger("energywatch.watch")

PAYLOAD_SCHEMA = "energywatch.alert/1"
HEADER_ALERT_ID = "X-Energywatch-Alert-Id"
HEADER_TIMESTAMP = "X-Energywatch-Timestamp"
HEADER_SIGNATURE = "X-Energywatch-Signature"


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


class Channel(Protocol):
    """Somewhere alerts go. ``deliver`` returns once delivered, or already delivered."""

    name: str

    def deliver(self, alert: Alert) -> None: ...

    def close(self) -> None: ...


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON document every machine-readable channel carries.

    The ``schema`` key lets receivers reject or adapt to a future incompatible shape
    instead of misreading it.
    """
    return {"schema": PAYLOAD_SCHEMA, **alert.model_dump(mode="json")}


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


def _describe(exc: BaseException) -> str:
    """An exception as a short phrase; some (httpx timeouts, OSError) stringify to ""."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _header_safe(value: str) -> str:
    """A value that can go into an HTTP header as is; odd characters are percent-encoded."""
    if value.isascii() and value.isprintable():
        return value
    return quote(value, safe="")
