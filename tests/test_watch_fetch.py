"""The watcher's fetcher against a real HTTP server on loopback, and the URL guard.

Only name resolution is faked (so "public" hosts can be tested without the internet),
and, where a test needs a public-looking first hop, a transport that delivers the
request to the local server anyway. Waits go through a fake clock, so backoff and
politeness are asserted exactly rather than timed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from tests.http_support import LocalServer, RequestRecord

from energywatch.watch.fetch import Fetcher, FetchError, FetchFailure, FetchPolicy, Validators
from energywatch.watch.netguard import UnsafeURLError, check_url

# Loopback allowed, no politeness gap, no robots.txt, no retries, short timeouts: each
# test turns on what it is about.
FAST = FetchPolicy(
    allow_private=True,
    min_host_interval_s=0.0,
    timeout_s=2.0,
    retries=0,
    backoff_base_s=0.01,
    respect_robots=False,
)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


class FakeTime:
    """A clock that moves only when slept on; records every wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []
        self.interrupt = False

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return self.interrupt


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fetcher(fake_time: FakeTime) -> Iterator[Fetcher]:
    with Fetcher(FAST, sleep=fake_time.sleep, clock=fake_time.clock) as f:
        yield f


def resolver(table: dict[str, list[str]]) -> Any:
    """A getaddrinfo stand-in answering from ``table``; unknown names do not resolve."""

    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    return resolve


class ToLoopback(httpx.BaseTransport):
    """Delivers every request to the local server, whatever host its URL names: the
    network a "public" host would be reached over."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def failure(call: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------- check_url


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://example.com/", "javascript:alert(1)"],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=True)
    assert caught.value.reason == "scheme"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/feed",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://2130706433/",  # 127.0.0.1 as one integer
        "http://0177.0.0.1/",  # octal
        "http://0x7f.1/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",  # carrier-grade NAT: not public either
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    nothing = resolver({})  # literal addresses never reach the resolver
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=False, resolver=nothing)
    assert caught.value.reason == "private_address"
    check_url(url, allow_private=True, resolver=nothing)  # the per-source opt-in


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::]/",
        "http://[fe80::1%25eth0]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_metadata_and_link_local_addresses_are_refused_even_when_private_is_allowed(url: str) -> None:
    names = resolver({"metadata.google.internal": ["169.254.169.254"]})
    for allow_private in (False, True):
        with pytest.raises(UnsafeURLError) as caught:
            check_url(url, allow_private=allow_private, resolver=names)
        assert caught.value.reason == "private_address"


def test_names_are_judged_by_every_address_they_resolve_to() -> None:
    names = resolver(
        {
            "localhost": ["127.0.0.1", "::1"],
            "news.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
            "split.example": ["93.184.216.34", "10.0.0.7"],
        }
    )
    check_url("https://news.example/feed.xml", allow_private=False, resolver=names)
    for url in ("http://localhost:8000/", "http://split.example/"):
        with pytest.raises(UnsafeURLError) as caught:
            check_url(url, allow_private=False, resolver=names)
        assert caught.value.reason == "private_address"
        assert "set allow_private" in str(caught.value)
    with pytest.raises(UnsafeURLError) as caught:
        check_url("http://nowhere.example/", allow_private=False, resolver=names)
    assert caught.value.reason == "resolve_failed"
    check_url("http://localhost/", allow_private=True, resolver=names)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@news.example/",
        "http://news.example\\@127.0.0.1/",
        "http:///feed.xml",
        "http://[::1/",
        "http://news.example:99999/",
    ],
)
def test_credentials_and_malformed_hosts_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=True, resolver=resolver({"news.example": ["93.184.216.34"]}))
    assert caught.value.reason == "host"


# --------------------------------------------------------------------------- basics


def test_a_feed_with_its_type_charset_and_validators(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route(
        "/feed.xml", body=b"<rss/>", headers=RSS, etag='"v1"', last_modified="Mon, 01 Sep 2025 10:00:00 GMT"
    )
    result = fetcher.fetch(local_server.url("/feed.xml"), accept={"application/rss+xml"})
    assert (result.status, result.content, result.not_modified) == (200, b"<rss/>", False)
    assert (result.content_type, result.charset) == ("application/rss+xml", "utf-8")
    assert result.validators == Validators(etag='"v1"', last_modified="Mon, 01 Sep 2025 10:00:00 GMT")
    assert result.url == local_server.url("/feed.xml")
    assert result.redirects == []
    assert result.attempts == 1
    (request,) = local_server.requests_for("/feed.xml")
    assert request.headers["user-agent"].startswith("energywatch/")
    assert "application/rss+xml" in request.headers["Accept"]


def test_conditional_get_by_etag_and_by_date(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/tagged", body=b"<rss/>", headers=RSS, etag='"v7"')
    local_server.route("/dated", body=b"<rss/>", headers=RSS, last_modified="Tue, 02 Sep 2025 08:00:00 GMT")
    for path in ("/tagged", "/dated"):
        first = fetcher.fetch(local_server.url(path))
        again = fetcher.fetch(local_server.url(path), validators=first.validators)
        assert again.status == 304
        assert again.not_modified
        assert again.content == b""
        assert again.validators == first.validators  # kept for the next conditional GET
    assert local_server.requests_for("/tagged")[1].headers["If-None-Match"] == '"v7"'
    assert (
        local_server.requests_for("/dated")[1].headers["If-Modified-Since"] == "Tue, 02 Sep 2025 08:00:00 GMT"
    )
    # A changed resource answers in full.
    local_server.route("/tagged", body=b"<rss>new</rss>", headers=RSS, etag='"v8"')
    changed = fetcher.fetch(local_server.url("/tagged"), validators=Validators(etag='"v7"'))
    assert changed.status == 200
    assert changed.validators.etag == '"v8"'


def test_a_blocked_url_is_never_requested(local_server: LocalServer) -> None:
    with Fetcher(replace(FAST, allow_private=False)) as fetcher:
        error = failure(lambda: fetcher.fetch(local_server.url("/feed.xml")))
    assert error.reason is FetchFailure.blocked_url
    assert not error.transient
    assert "loopback" in error.detail
    assert local_server.requests == []
    # The per-source opt-in never reaches the cloud metadata service.
    with Fetcher(FAST) as fetcher:
        error = failure(lambda: fetcher.fetch("http://169.254.169.254/latest/meta-data/"))
    assert error.reason is FetchFailure.blocked_url


def test_error_messages_name_reason_url_and_detail(local_server: LocalServer) -> None:
    local_server.route("/slow", body=b"late", delay_s=2.0)
    with Fetcher(replace(FAST, timeout_s=0.2)) as fetcher:
        error = failure(lambda: fetcher.fetch(local_server.url("/slow")))
    assert str(error) == f"timeout: {local_server.url('/slow')}: no response within 0.2 s"
    assert error.transient
    assert error.reason is FetchFailure.timeout


# --------------------------------------------------------------------------- redirects


def redirect(target: str, status: int = 302) -> dict[str, Any]:
    return {"status": status, "headers": {"Location": target}}


def test_a_redirect_chain_is_followed_and_recorded(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/old", **redirect(local_server.url("/moved"), 301))
    local_server.route("/moved", **redirect("final#top"))  # relative, with a fragment
    local_server.route("/final", body=b"here", headers={"Content-Type": "text/html"})
    result = fetcher.fetch(local_server.url("/old"))
    assert result.content == b"here"
    assert result.url == local_server.url("/final")
    assert result.redirects == [local_server.url("/moved"), local_server.url("/final")]


def test_redirect_loops_and_long_chains_end(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/a", **redirect("/b"))
    local_server.route("/b", **redirect("/a"))
    error = failure(lambda: fetcher.fetch(local_server.url("/a")))
    assert error.reason is FetchFailure.redirect_loop
    assert not error.transient
    for n in range(4):
        local_server.route(f"/hop{n}", **redirect(f"/hop{n + 1}"))
    local_server.route("/hop4", body=b"end")
    assert fetcher.fetch(local_server.url("/hop0")).content == b"end"  # 4 redirects ≤ 5
    error = failure(lambda: fetcher.fetch(local_server.url("/hop0"), policy=replace(FAST, max_redirects=3)))
    assert error.reason is FetchFailure.too_many_redirects
    assert len(local_server.requests_for("/hop3")) == 2
    assert len(local_server.requests_for("/hop4")) == 1


def test_redirect_targets_pass_the_same_guard(local_server: LocalServer) -> None:
    """The first hop is a public host; where it redirects to is checked again."""
    names = resolver({"news.example": ["93.184.216.34"], "metadata.example": ["169.254.169.254"]})
    policy = replace(FAST, allow_private=False, respect_robots=False)
    secret = local_server.url("/secret")
    local_server.route("/secret", body=b"internal")
    local_server.route("/to-loopback", **redirect(secret))
    local_server.route("/to-metadata", **redirect("http://metadata.example/latest/meta-data/"))
    local_server.route("/to-file", **redirect("file:///etc/passwd"))
    local_server.route("/fine", body=b"public")
    with Fetcher(policy, transport=ToLoopback(local_server.port), resolver=names) as fetcher:
        assert fetcher.fetch("http://news.example/fine").content == b"public"
        for path, expected in [
            ("/to-loopback", "loopback"),
            ("/to-metadata", "link-local"),
            ("/to-file", "file"),
        ]:
            error = failure(lambda path=path: fetcher.fetch(f"http://news.example{path}"))
            assert error.reason is FetchFailure.blocked_url
            assert not error.transient
            assert expected in error.detail
    assert local_server.requests_for("/secret") == []


# --------------------------------------------------------------------------- limits


def test_too_large_bodies_are_refused_with_or_without_a_length(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    big = b"x" * 50_000
    local_server.route("/announced", body=big)
    local_server.route("/chunked", body=big, chunked=True)
    local_server.route("/gzip", body=gzip.compress(big), headers={"Content-Encoding": "gzip"})
    small = replace(FAST, max_bytes=10_000)
    errors = {
        path: failure(lambda path=path: fetcher.fetch(local_server.url(path), policy=small))
        for path in ("/announced", "/chunked", "/gzip")
    }
    assert {e.reason for e in errors.values()} == {FetchFailure.too_large}
    assert not any(e.transient for e in errors.values())
    assert "announces 50000 bytes" in errors["/announced"].detail  # refused before reading
    assert "exceeds 10000 bytes" in errors["/chunked"].detail  # counted while streaming
    assert "exceeds 10000 bytes" in errors["/gzip"].detail  # decoded bytes count, not wire bytes
    # Under the cap, the same bodies come through (decoded).
    assert fetcher.fetch(local_server.url("/chunked")).content == big
    assert fetcher.fetch(local_server.url("/gzip")).content == big


def test_a_slow_server_times_out(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/slow", body=b"late", delay_s=3.0)
    started = time.monotonic()
    error = failure(lambda: fetcher.fetch(local_server.url("/slow"), policy=replace(FAST, timeout_s=0.3)))
    assert error.reason is FetchFailure.timeout
    assert error.transient
    assert time.monotonic() - started < 2.0


# --------------------------------------------------------------------------- retries


def counting(*answers: tuple[int, dict[str, str], bytes]) -> Any:
    """A route handler giving ``answers`` in turn, then repeating the last."""
    calls: list[RequestRecord] = []

    def handle(record: RequestRecord) -> tuple[int, dict[str, str], bytes]:
        calls.append(record)
        return answers[min(len(calls), len(answers)) - 1]

    return handle


def test_a_transient_failure_is_retried_with_backoff(
    local_server: LocalServer, fetcher: Fetcher, fake_time: FakeTime
) -> None:
    local_server.route("/flaky", handler=counting((503, {}, b"busy"), (200, {}, b"ok")))
    policy = replace(FAST, retries=2, backoff_base_s=0.5)
    result = fetcher.fetch(local_server.url("/flaky"), policy=policy)
    assert result.content == b"ok"
    assert result.attempts == 2
    assert len(fake_time.waits) == 1
    assert 0.0 <= fake_time.waits[0] <= 0.5


def test_retries_give_up_after_the_policy_s_count(
    local_server: LocalServer, fetcher: Fetcher, fake_time: FakeTime
) -> None:
    local_server.route("/down", status=500, body=b"broken")
    policy = replace(FAST, retries=3, backoff_base_s=1.0, backoff_max_s=3.0)
    error = failure(lambda: fetcher.fetch(local_server.url("/down"), policy=policy))
    assert error.reason is FetchFailure.http_status
    assert error.status == 500
    assert error.transient
    assert error.attempts == 4
    assert len(local_server.requests_for("/down")) == 4
    ceilings = [1.0, 2.0, 3.0]  # base·2ⁿ, capped
    assert all(0.0 <= w <= c for w, c in zip(fake_time.waits, ceilings, strict=True))


def test_a_client_error_is_not_retried(
    local_server: LocalServer, fetcher: Fetcher, fake_time: FakeTime
) -> None:
    policy = replace(FAST, retries=3)
    error = failure(lambda: fetcher.fetch(local_server.url("/missing"), policy=policy))
    assert error.reason is FetchFailure.http_status
    assert error.status == 404
    assert not error.transient
    assert "HTTP 404" in error.detail
    assert len(local_server.requests_for("/missing")) == 1
    assert fake_time.waits == []


def test_retry_after_is_honoured_and_capped(
    local_server: LocalServer, fetcher: Fetcher, fake_time: FakeTime
) -> None:
    soon = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20), usegmt=True)
    local_server.route("/seconds", handler=counting((429, {"Retry-After": "7"}, b""), (200, {}, b"ok")))
    local_server.route("/date", handler=counting((503, {"Retry-After": soon}, b""), (200, {}, b"ok")))
    local_server.route("/long", handler=counting((429, {"Retry-After": "3600"}, b""), (200, {}, b"ok")))
    policy = replace(FAST, retries=1, backoff_max_s=30.0)
    for path in ("/seconds", "/date", "/long"):
        assert fetcher.fetch(local_server.url(path), policy=policy).attempts == 2
    assert fake_time.waits[0] == 7.0
    assert 15.0 <= fake_time.waits[1] <= 20.0
    assert fake_time.waits[2] == 30.0
    # The server's own figure stays on the error, for scheduling the next poll.
    local_server.route("/busy", status=429, headers={"Retry-After": "3600"})
    error = failure(lambda: fetcher.fetch(local_server.url("/busy")))
    assert error.transient
    assert error.retry_after_s == 3600.0


def test_connection_refused_is_a_transient_connection_failure(fake_time: FakeTime) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Fetcher(replace(FAST, retries=1), sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        error = failure(lambda: fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml"))
    assert error.reason is FetchFailure.connection
    assert error.transient
    assert error.attempts == 2


def test_an_unresolvable_host_is_a_connection_failure_not_a_block() -> None:
    with Fetcher(replace(FAST, allow_private=False), resolver=resolver({})) as fetcher:
        error = failure(lambda: fetcher.fetch("http://gone.example/feed.xml"))
    assert error.reason is FetchFailure.connection
    assert error.transient
    assert "does not resolve" in error.detail


class RawServer:
    """Answers every connection with fixed bytes, then hangs up: what no proper HTTP
    server would send."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            with connection, contextlib.suppress(OSError):
                connection.settimeout(2)
                connection.recv(65536)
                connection.sendall(self.reply)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize(
    ("reply", "transient"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", True),  # not HTTP at all
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a few bytes", True),  # cut short
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnot gzip", False),
    ],
    ids=["not-http", "cut-short", "bad-gzip"],
)
def test_protocol_failures_are_connection_failures(reply: bytes, transient: bool) -> None:
    server = RawServer(reply)
    try:
        with Fetcher(FAST) as fetcher:
            error = failure(lambda: fetcher.fetch(f"http://127.0.0.1:{server.port}/feed.xml"))
    finally:
        server.close()
    assert error.reason is FetchFailure.connection
    assert error.transient is transient
    assert error.detail


# --------------------------------------------------------------------------- content type


def test_content_types_outside_accept_are_refused(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/page", body=b"<html></html>", headers={"Content-Type": "text/html; charset=utf-8"})
    local_server.route("/untyped", body=b"<rss/>", headers={"Content-Type": ""})
    feeds = {"application/rss+xml", "application/atom+xml"}
    error = failure(lambda: fetcher.fetch(local_server.url("/page"), accept=feeds))
    assert error.reason is FetchFailure.bad_content_type
    assert not error.transient
    assert "text/html" in error.detail
    assert fetcher.fetch(local_server.url("/page"), accept={"text/html"}).charset == "utf-8"
    assert fetcher.fetch(local_server.url("/untyped"), accept=feeds).content_type is None


# --------------------------------------------------------------------------- robots.txt


def test_robots_txt_is_honoured_and_fetched_once(local_server: LocalServer, fake_time: FakeTime) -> None:
    local_server.route(
        "/robots.txt",
        body=b"User-agent: *\nDisallow: /drafts/\n\nUser-agent: energywatch\nDisallow: /private/\n",
        headers={"Content-Type": "text/plain"},
    )
    local_server.route("/news/1", body=b"one")
    local_server.route("/drafts/1", body=b"draft")
    local_server.route("/private/1", body=b"secret")
    policy = replace(FAST, respect_robots=True)
    with Fetcher(policy, sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        assert fetcher.fetch(local_server.url("/news/1")).content == b"one"
        # Our own group replaces the * group, so /drafts/ is not ours to avoid.
        assert fetcher.fetch(local_server.url("/drafts/1")).content == b"draft"
        error = failure(lambda: fetcher.fetch(local_server.url("/private/1")))
        assert error.reason is FetchFailure.robots_disallowed
        assert not error.transient
        assert len(local_server.requests_for("/robots.txt")) == 1
        assert local_server.requests_for("/private/1") == []
        fake_time.now += 3601  # the cache lasts an hour
        fetcher.fetch(local_server.url("/news/1"))
        assert len(local_server.requests_for("/robots.txt")) == 2
        # Ignored when the policy says so.
        unbound = replace(policy, respect_robots=False)
        assert fetcher.fetch(local_server.url("/private/1"), policy=unbound).content == b"secret"


def test_a_missing_robots_txt_allows_everything(local_server: LocalServer, fake_time: FakeTime) -> None:
    local_server.route("/news/1", body=b"one")
    with Fetcher(replace(FAST, respect_robots=True), sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        for _ in range(3):
            assert fetcher.fetch(local_server.url("/news/1")).content == b"one"
    assert len(local_server.requests_for("/robots.txt")) == 1  # the 404 is cached too


def test_an_unreadable_robots_txt_allows_but_is_asked_again_soon(
    local_server: LocalServer, fake_time: FakeTime
) -> None:
    local_server.route("/robots.txt", status=503, body=b"busy")
    local_server.route("/news/1", body=b"one")
    with Fetcher(
        replace(FAST, respect_robots=True, retries=2), sleep=fake_time.sleep, clock=fake_time.clock
    ) as fetcher:
        assert fetcher.fetch(local_server.url("/news/1")).content == b"one"
        assert len(local_server.requests_for("/robots.txt")) == 1  # not retried on its own
        fetcher.fetch(local_server.url("/news/1"))
        assert len(local_server.requests_for("/robots.txt")) == 1
        fake_time.now += 61
        local_server.route("/robots.txt", body=b"User-agent: *\nDisallow: /news/\n")
        error = failure(lambda: fetcher.fetch(local_server.url("/news/1")))
        assert error.reason is FetchFailure.robots_disallowed


def test_crawl_delay_widens_the_interval(local_server: LocalServer, fake_time: FakeTime) -> None:
    local_server.route("/robots.txt", body=b"User-agent: *\nCrawl-delay: 5\n")
    local_server.route("/news/1", body=b"one")
    policy = replace(FAST, respect_robots=True, min_host_interval_s=1.0)
    with Fetcher(policy, sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        fetcher.fetch(local_server.url("/news/1"))
        fetcher.fetch(local_server.url("/news/1"))
    # robots.txt first; each page then 5 s after the previous request, not 1 s.
    assert fake_time.waits == [5.0, 5.0]


# --------------------------------------------------------------------------- politeness


def test_requests_to_one_host_are_spaced(local_server: LocalServer, fake_time: FakeTime) -> None:
    local_server.route("/a", body=b"a")
    local_server.route("/b", body=b"b")
    policy = replace(FAST, min_host_interval_s=0.3)
    with LocalServer() as other, Fetcher(policy, sleep=fake_time.sleep, clock=fake_time.clock) as fetcher:
        other.route("/c", body=b"c")
        started: list[float] = []
        for url in (local_server.url("/a"), local_server.url("/b"), other.url("/c")):
            fetcher.fetch(url)
            started.append(fake_time.now)
        assert started[1] - started[0] == pytest.approx(0.3)  # same host:port
        assert started[2] == started[1]  # another host:port is not held back
        fake_time.now += 10  # long idle: no wait at all
        fetcher.fetch(local_server.url("/a"))
    assert fake_time.waits == [pytest.approx(0.3)]


def test_a_real_gap_between_requests(local_server: LocalServer) -> None:
    """The default sleep really waits (one short real-time check)."""
    local_server.route("/a", body=b"a")
    with Fetcher(replace(FAST, min_host_interval_s=0.2)) as fetcher:
        fetcher.fetch(local_server.url("/a"))
        fetcher.fetch(local_server.url("/a"))
    first, second = local_server.requests_for("/a")
    assert second.time - first.time >= 0.19


# --------------------------------------------------------------------------- shutdown


def test_an_interrupted_wait_cancels_the_fetch(local_server: LocalServer, fake_time: FakeTime) -> None:
    local_server.route("/a", body=b"a")
    local_server.route("/down", status=503)
    with Fetcher(
        replace(FAST, min_host_interval_s=5.0, retries=3), sleep=fake_time.sleep, clock=fake_time.clock
    ) as fetcher:
        fetcher.fetch(local_server.url("/a"))
        fake_time.interrupt = True
        error = failure(lambda: fetcher.fetch(local_server.url("/a")))  # waiting for the host
        assert error.reason is FetchFailure.cancelled
        assert not error.transient
        assert len(local_server.requests_for("/a")) == 1
        fake_time.interrupt = False
        fake_time.now += 100
        with_backoff = replace(FAST, retries=3)
        fake_time.interrupt = True
        error = failure(lambda: fetcher.fetch(local_server.url("/down"), policy=with_backoff))
        assert error.reason is FetchFailure.cancelled
        assert len(local_server.requests_for("/down")) == 1
