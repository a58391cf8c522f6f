"""The lifecycle shared by the loopback HTTP servers that tests and benchmarks run
against (``tests.http_support.LocalServer``, ``tests.webhook_support.WebhookReceiver``).

Standard library only and free of pytest, so a benchmark script can import it. The
part kept here is the one that is easy to get subtly wrong: stopping must cut the
kept-alive connections, or a handler thread blocked on an idle client holds its socket
open past the test and pytest (warnings as errors) fails on the unclosed socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Generic, Self, TypeVar, cast

OwnerT = TypeVar("OwnerT", bound="LoopbackServer")


class LoopbackHTTPServer(ThreadingHTTPServer):
    """Carries its ``LoopbackServer`` so handlers, which http.server builds itself,
    can reach the shared state."""

    owner: LoopbackServer


class LoopbackHandler(BaseHTTPRequestHandler, Generic[OwnerT]):
    """Base for the request handlers; subclasses add only the ``do_*`` methods."""

    # HTTP/1.1 keeps connections alive, as real servers do; clients reuse them, so
    # benchmarks measure the client rather than TCP handshakes.
    protocol_version = "HTTP/1.1"
    # Backstop for an idle kept-alive connection that stopping failed to cut.
    timeout = 10

    @property
    def owner(self) -> OwnerT:
        return cast(OwnerT, cast(LoopbackHTTPServer, self.server).owner)

    def setup(self) -> None:
        super().setup()
        # http.server writes the status line and headers, then the body, in separate
        # sends; with Nagle's algorithm against the client's delayed ACK that costs
        # ~40 ms a request on loopback, which would swamp any benchmark.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.owner._track(self.connection, opened=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner._track(self.connection, opened=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a test run should not print a line per request."""


class LoopbackServer:
    """An HTTP server on its own thread, bound to a free loopback port by default.

    Stop it (``stop`` or ``close``, or use it as a context manager) so its threads and
    sockets are released; stopping also sets ``_stopping``, which handlers wait on
    so that a deliberately slow answer is cut short instead of delaying the stop.
    """

    server_class: type[LoopbackHTTPServer] = LoopbackHTTPServer

    def __init__(self, handler: type[LoopbackHandler[Self]], host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server = self.server_class((host, port), handler)
        self._server.owner = self
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut kept-alive connections, release the port."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    def close(self) -> None:
        """``stop`` under the name a file-like resource would use."""
        self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # ---- where

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- called from handler threads

    def _track(self, connection: socket.socket, *, opened: bool) -> None:
        with self._lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)
