"""An SMTP server on loopback (aiosmtpd) that keeps what it receives, for channel tests,
end-to-end runs and benchmarks. Free of pytest so scripts can import it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def closed_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Collecting:
    """Accepts every message and keeps its envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK queued"


@contextmanager
def smtp_server(handler: object) -> Iterator[int]:
    """Run ``handler`` on 127.0.0.1; yields the port. aiosmtpd 1.4's Controller cannot
    bind port 0 and report it, so a free port is picked first."""
    port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
