"""Structured logs for the watcher: one JSON object per line (for log shippers) or one
readable line per event (for a terminal), from the same ``log_event`` calls.

Every record has ``event`` (a fixed name such as ``poll_failed``, documented in
docs/watch.md) and the fields that go with it (``source``, ``reason``, ``detail``,
``alert_id`` …), so operators can filter on them instead of parsing prose.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import IO, Any, Literal

LOGGER_NAME = "energywatch.watch"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

logger = logging.getLogger(LOGGER_NAME)


def log_event(event: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log one event with its fields; the message is the event name plus key=value pairs."""
    pairs = " ".join(f"{k}={_short(v)}" for k, v in fields.items() if v is not None)
    logger.log(level, f"{event} {pairs}".strip(), extra={"event": event, **fields})


def _short(value: Any) -> str:
    text = str(value)
    return repr(text) if " " in text else text


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = _fields(record)
        data["event"] = fields.pop("event", None) or "message"
        if "event" not in vars(record):
            data["message"] = record.getMessage()
        data.update(fields)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S")


def configure_logging(
    fmt: Literal["text", "json"] = "text", level: str = "info", stream: IO[str] | None = None
) -> logging.Handler:
    """Attach one handler to the energywatch logger (replacing one set up earlier)."""
    root = logging.getLogger("energywatch")
    for old in list(root.handlers):
        if getattr(old, "_energywatch", False):
            root.removeHandler(old)
    handler: logging.Handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    setattr(handler, "_energywatch", True)  # noqa: B010 - marks the handler we own
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
