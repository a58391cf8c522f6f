"""The JSON Lines channel: one alert per line in a file that other tools tail or load.

Delivery is at-least-once, so this file is where duplicates would pile up; the channel
remembers the ids the file already holds and repairs the torn last line an interrupted
write can leave.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from energywatch.errors import ConfigError
from energywatch.models import Alert
from energywatch.watch.channels.base import DeliveryError, _describe, _extra, alert_payload, log
from energywatch.watch.channels.config import JsonlChannelConfig


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
