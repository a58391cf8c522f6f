"""A webhook receiver on loopback, for tests, end-to-end runs and benchmarks.

Standard library only and free of pytest, so a benchmark script can import it too.
It records every request, answers 200 by default, and can be told to fail the next
few requests or to answer slowly, which is what the retry and timeout paths of the
webhook channel need to be exercised against a real HTTP server.

    with WebhookReceiver() as receiver:
        receiver.fail_next(2, status=500)
        ...post to receiver.url...
        assert len(receiver.requests) == 3
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from tests.loopback_support import LoopbackHandler, LoopbackServer


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    arrived: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"


class _Handler(LoopbackHandler["WebhookReceiver"]):
    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        reply, delay = self.owner._arrived(request)
        if delay > 0 and self.owner._stopping.wait(delay):
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test); nothing to answer

    do_POST = _handle  # noqa: N815 (the name http.server dispatches to)
    do_PUT = _handle  # noqa: N815


class WebhookReceiver(LoopbackServer):
    """An HTTP server on 127.0.0.1 (a free port) that records requests.

    Thread-safe: the server answers on its own threads while the test reads
    ``requests``. Always close it (or use it as a context manager) so its threads and
    sockets are released.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, path: str = "/hook") -> None:
        self._requests: list[ReceivedRequest] = []
        self._queued: deque[Reply] = deque()
        self._default = Reply()
        self._delay = 0.0
        self.path = path
        super().__init__(_Handler, host, port)
        self._arrival = threading.Condition(self._lock)

    # ---- where and what

    @property
    def url(self) -> str:
        return self.base_url + self.path

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` requests arrived; False on timeout."""
        with self._arrival:
            return self._arrival.wait_for(lambda: len(self._requests) >= count, timeout)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    # ---- behaviour

    def fail_next(
        self,
        count: int,
        status: int = 500,
        headers: dict[str, str] | None = None,
        body: bytes = b"failing on purpose",
    ) -> None:
        """Answer the next ``count`` requests with ``status`` instead of the usual reply."""
        with self._lock:
            self._queued.extend(Reply(status, dict(headers or {}), body) for _ in range(count))

    def respond(self, status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"ok") -> None:
        """The reply for every request not covered by ``fail_next``."""
        with self._lock:
            self._default = Reply(status, dict(headers or {}), body)

    def set_delay(self, seconds: float) -> None:
        """Wait this long before answering (cut short when the receiver closes)."""
        with self._lock:
            self._delay = seconds

    # ---- called from handler threads

    def _arrived(self, request: ReceivedRequest) -> tuple[Reply, float]:
        with self._arrival:
            self._requests.append(request)
            self._arrival.notify_all()
            reply = self._queued.popleft() if self._queued else self._default
            return reply, self._delay
