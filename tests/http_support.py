"""A scriptable HTTP server on loopback, for the fetcher and feed tests, end-to-end
watch runs and benchmarks.

Standard library only and free of pytest, so a benchmark script can import it. Each
path answers what its ``Route`` says: a fixed or computed body, a status, headers, a
delay, ETag / Last-Modified validation, or a handler with full control. Every request
is recorded, so tests can assert what a client actually sent and when.

    with LocalServer() as server:
        server.route("/feed.xml", body=rss(items), headers={"Content-Type": "application/rss+xml"})
        ...fetch server.url("/feed.xml")...
        assert len(server.requests_for("/feed.xml")) == 1
"""

from __future__ import annotations

import datetime as dt
import email.utils
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from tests.loopback_support import LoopbackHandler, LoopbackHTTPServer, LoopbackServer


class Headers(dict[str, str]):
    """Request headers whose lookups ignore case, as HTTP header names do; keys are
    stored lower-cased."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        super().__init__()
        for key, value in (items or {}).items():
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class RequestRecord:
    """One request as it arrived (``time`` is ``time.monotonic()`` on arrival)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float


Handler = Callable[[RequestRecord], tuple[int, dict[str, str], bytes]]


@dataclass
class Route:
    """What the server answers for one path.

    ``chunked`` sends the body with ``Transfer-Encoding: chunked`` and no
    Content-Length, so a client cannot know the size up front.
    """

    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    handler: Handler | None = None
    chunked: bool = False


class _Server(LoopbackHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a size cap, a timeout, an unread error body) is
        routine here, not worth a traceback on stderr."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(LoopbackHandler["LocalServer"]):
    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = RequestRecord(
            method=self.command,
            path=self.path,
            headers=Headers(dict(self.headers.items())),
            body=body,
            time=time.monotonic(),
        )
        route = self.owner._arrived(record)
        try:
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found\n", chunked=False)
                return
            if route.delay_s > 0 and self.owner._stopping.wait(route.delay_s):
                self.close_connection = True
                return
            status, headers, payload = _answer(route, record)
            self._send(status, headers, payload, chunked=route.chunked and status != 304)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (too large, timed out)

    def _send(self, status: int, headers: dict[str, str], payload: bytes, *, chunked: bool) -> None:
        self.send_response(status)
        names = {key.lower() for key in headers}
        for key, value in headers.items():
            self.send_header(key, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in names:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD" or status == 304:
            return
        if not chunked:
            self.wfile.write(payload)
            return
        for start in range(0, len(payload), 16_384):
            piece = payload[start : start + 16_384]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")

    do_GET = _serve  # noqa: N815 (the names http.server dispatches to)
    do_HEAD = _serve  # noqa: N815
    do_POST = _serve  # noqa: N815


def _answer(route: Route, record: RequestRecord) -> tuple[int, dict[str, str], bytes]:
    if route.handler is not None:
        return route.handler(record)
    headers = dict(route.headers)
    if route.etag is not None:
        headers.setdefault("ETag", route.etag)
    if route.last_modified is not None:
        headers.setdefault("Last-Modified", route.last_modified)
    if route.status == 200 and _not_modified(route, record.headers):
        return 304, headers, b""
    body = route.body() if callable(route.body) else route.body
    return route.status, headers, body


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if route.etag is not None and (match := headers.get("If-None-Match")):
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    if route.last_modified is not None:
        return headers.get("If-Modified-Since") == route.last_modified
    return False


class LocalServer(LoopbackServer):
    """An HTTP server on 127.0.0.1 (a free port) answering from a table of routes.

    Thread-safe: requests are served on their own threads while a test changes routes
    and reads ``requests``. Stop it (or use it as a context manager) so its threads
    and sockets are released; stopping also cuts short any delayed answer.
    """

    server_class = _Server

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._requests: list[RequestRecord] = []
        super().__init__(_Handler)

    # ---- where

    def url(self, path: str) -> str:
        return self.base_url + path

    # ---- what it answers

    def route(
        self,
        path: str,
        *,
        body: bytes | Callable[[], bytes] = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay_s: float = 0.0,
        etag: str | None = None,
        last_modified: str | None = None,
        handler: Handler | None = None,
        chunked: bool = False,
    ) -> Route:
        """Set (or replace) what ``path`` answers; unknown paths answer 404."""
        route = Route(
            body=body,
            status=status,
            headers=dict(headers or {}),
            delay_s=delay_s,
            etag=etag,
            last_modified=last_modified,
            handler=handler,
            chunked=chunked,
        )
        with self._lock:
            self._routes[path] = route
        return route

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    # ---- what it saw

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RequestRecord]:
        """Requests for ``path`` (with or without a query string)."""
        return [r for r in self.requests if r.path == path or r.path.split("?", 1)[0] == path]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    # ---- called from handler threads

    def _arrived(self, record: RequestRecord) -> Route | None:
        with self._lock:
            self._requests.append(record)
            route = self._routes.get(record.path)
            if route is None:
                route = self._routes.get(record.path.split("?", 1)[0])
            return route


# --------------------------------------------------------------------------- feeds


def rss(
    items: list[dict[str, Any]],
    *,
    title: str = "Test feed",
    link: str = "http://127.0.0.1/",
    encoding: str = "utf-8",
) -> bytes:
    """An RSS 2.0 document; each item may have id (→ guid), link, title, published
    (aware datetime), summary (→ description, HTML allowed) and content (→ content:encoded)."""
    entries = []
    for item in items:
        parts = []
        if item.get("title") is not None:
            parts.append(f"<title>{escape(item['title'])}</title>")
        if item.get("link") is not None:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if item.get("id") is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item["id"])}</guid>')
        if item.get("published") is not None:
            parts.append(f"<pubDate>{email.utils.format_datetime(_aware(item['published']))}</pubDate>")
        if item.get("summary") is not None:
            parts.append(f"<description>{escape(item['summary'])}</description>")
        if item.get("content") is not None:
            parts.append(f"<content:encoded>{escape(item['content'])}</content:encoded>")
        entries.append("<item>" + "".join(parts) + "</item>")
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>"
        "<description>Items for tests</description>\n" + "\n".join(entries) + "\n</channel></rss>\n"
    )
    return document.encode(encoding)


def atom(
    items: list[dict[str, Any]],
    *,
    title: str = "Test feed",
    feed_id: str = "urn:test:feed",
    encoding: str = "utf-8",
) -> bytes:
    """An Atom document from the same item dicts as ``rss`` (summary and content are
    HTML; an item without ``published`` gets a fixed ``updated``, which Atom requires)."""
    entries = []
    for item in items:
        parts = []
        if item.get("id") is not None:
            parts.append(f"<id>{escape(item['id'])}</id>")
        parts.append(f'<title type="text">{escape(item.get("title") or "")}</title>')
        if item.get("link") is not None:
            parts.append(f'<link rel="alternate" type="text/html" href="{escape(item["link"], _QUOTE)}"/>')
        when = _aware(item.get("published") or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)).isoformat()
        parts.append(f"<updated>{when}</updated>")
        if item.get("published") is not None:
            parts.append(f"<published>{when}</published>")
        if item.get("summary") is not None:
            parts.append(f'<summary type="html">{escape(item["summary"])}</summary>')
        if item.get("content") is not None:
            parts.append(f'<content type="html">{escape(item["content"])}</content>')
        entries.append("<entry>" + "".join(parts) + "</entry>")
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>{escape(title)}</title><id>{escape(feed_id)}</id>"
        "<updated>2025-01-01T00:00:00+00:00</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    )
    return document.encode(encoding)


_QUOTE = {'"': "&quot;"}


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
