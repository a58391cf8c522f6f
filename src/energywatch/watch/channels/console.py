"""The console channel: alerts printed for a person watching the terminal."""

from __future__ import annotations

import sys
from typing import IO

from energywatch.models import Alert, AlertKind
from energywatch.watch.channels.base import _extra, _one_line, log
from energywatch.watch.channels.config import ConsoleChannelConfig

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
