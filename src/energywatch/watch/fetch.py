"""The watcher's HTTP client: safe, polite, bounded, and with one kind of failure.

The watcher fetches URLs it did not choose (feed entries, redirect targets) on a
schedule, unattended, for days. So the fetcher

* checks every URL, the first and each redirect target, with ``netguard.check_url``
  (redirects are followed here, one hop at a time, for exactly that reason);
* never waits or reads without bound: a timeout per request, a body cap counted on the
  decoded bytes while streaming (a small gzip body cannot grow past it), a cap on
  redirects, and an overall budget of ``TOTAL_TIME_FACTOR`` × ``timeout_s`` per
  request so a server trickling one byte at a time cannot hold the watcher;
* is polite: one request start per ``min_host_interval_s`` per host (or the site's
  Crawl-delay, when larger), robots.txt honoured, conditional GETs so an unchanged
  feed costs a 304;
* retries only what may pass (timeouts, connection errors, 5xx, 429), with jittered
  exponential backoff or the server's Retry-After;
* fails with ``FetchError`` and nothing else, whose ``reason`` the watcher records and
  whose ``transient`` flag says whether trying again later makes sense.

Every wait goes through the injected ``sleep``, which returns True when the process is
shutting down; the fetch then ends with ``FetchError(cancelled)`` at once.

Known limitation: the address check resolves the host name and the HTTP client
resolves it again to connect. A name whose answer changes in between (DNS rebinding)
can reach an address the check would have refused. Proxies from the environment are
not used (``trust_env=False``) since through a proxy the check would be meaningless.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import random
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from energywatch.watch.netguard import Resolver, UnsafeURLError, check_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500_000
ROBOTS_TTL_S = 3600.0
# A robots.txt we could not read is retried this soon rather than an hour later.
ROBOTS_RETRY_S = 60.0
# A Crawl-delay above this is read as this: the watcher has one thread for all sources.
MAX_CRAWL_DELAY_S = 60.0
TOTAL_TIME_FACTOR = 4.0

_NEVER = threading.Event()


def _uninterrupted_sleep(seconds: float) -> bool:
    return _NEVER.wait(seconds)


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = "energywatch/0.1 (+https://github.com/energywatch)"
    min_host_interval_s: float = 1.0
    retries: int = 2
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said identifies this version of a resource, sent back on the
    next fetch so an unchanged resource costs a 304 instead of its body."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(slots=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    content_type: str | None
    charset: str | None
    validators: Validators
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1
    elapsed_s: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchFailure(StrEnum):
    blocked_url = "blocked_url"
    robots_disallowed = "robots_disallowed"
    timeout = "timeout"
    connection = "connection"
    http_status = "http_status"
    too_large = "too_large"
    redirect_loop = "redirect_loop"
    too_many_redirects = "too_many_redirects"
    bad_content_type = "bad_content_type"
    cancelled = "cancelled"


class FetchError(Exception):
    """Why a fetch failed. ``transient``: the same request may succeed later.
    ``retry_after_s`` is the delay the server asked for (uncapped), when it did.
    ``attempts`` is how many times the fetch was tried."""

    def __init__(
        self,
        reason: FetchFailure,
        url: str,
        detail: str,
        *,
        transient: bool = False,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(f"{reason.value}: {url}: {detail}")
        self.reason = reason
        self.url = url
        self.detail = detail
        self.transient = transient
        self.status = status
        self.retry_after_s = retry_after_s
        self.attempts = 1


@dataclass(slots=True)
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    expires: float
    crawl_delay_s: float = 0.0


class Fetcher:
    """Fetches URLs under a ``FetchPolicy`` (per call, or the one given here).

    Holds a connection pool, the robots.txt cache and each host's last request time,
    so one Fetcher should serve the whole watcher. Thread-safe.
    """

    def __init__(
        self,
        policy: FetchPolicy = FetchPolicy(),
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = socket.getaddrinfo,
    ) -> None:
        self.policy = policy
        self._client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
        self._sleep = sleep or _uninterrupted_sleep
        self._clock = clock
        self._resolver = resolver
        self._lock = threading.Lock()
        self._last_start: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._random = random.Random()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ public

    def fetch(
        self,
        url: str,
        *,
        policy: FetchPolicy | None = None,
        validators: Validators | None = None,
        accept: Collection[str] | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects, retrying transient failures.

        ``validators`` make it conditional (a 304 comes back as ``not_modified``);
        ``accept`` lists the media types wanted — anything else is refused before its
        body is read. A response without a Content-Type is let through: the parser
        downstream judges it better than a guess here.
        """
        policy = policy or self.policy
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self._chain(
                    url,
                    policy,
                    validators=validators,
                    accept=accept,
                    max_bytes=policy.max_bytes,
                    check_robots=policy.respect_robots,
                )
            except FetchError as exc:
                exc.attempts = attempt
                if not exc.transient or attempt > policy.retries:
                    raise
                self._wait(url, self._backoff(attempt - 1, policy, exc.retry_after_s), "a retry")
                continue
            result.attempts = attempt
            result.elapsed_s = time.monotonic() - started
            return result

    # ------------------------------------------------------------------ one try

    def _chain(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        validators: Validators | None,
        accept: Collection[str] | None,
        max_bytes: int,
        check_robots: bool,
    ) -> FetchResult:
        """One request per hop until a non-redirect answer."""
        current = url
        seen = {_without_fragment(url)}
        redirects: list[str] = []
        while True:
            self._guard(current, policy)
            crawl_delay = self._robots_gate(current, policy) if check_robots else 0.0
            self._polite(current, max(policy.min_host_interval_s, crawl_delay))
            outcome = self._send(current, policy, validators=validators, accept=accept, max_bytes=max_bytes)
            if isinstance(outcome, FetchResult):
                outcome.redirects = redirects
                return outcome
            target = _without_fragment(outcome)
            if target in seen:
                raise FetchError(
                    FetchFailure.redirect_loop, url, f"{current} redirects back to {target}, seen before"
                )
            if len(redirects) >= policy.max_redirects:
                raise FetchError(
                    FetchFailure.too_many_redirects,
                    url,
                    f"more than {policy.max_redirects} redirects (the last to {target})",
                )
            seen.add(target)
            redirects.append(target)
            current = target

    def _guard(self, url: str, policy: FetchPolicy) -> None:
        """``check_url`` on the URL, and on the host the client will really connect to.

        The two can differ: international names are encoded by the client with IDNA
        2008, by the system resolver with IDNA 2003 (``faß.de`` is two different
        hosts), and URL parsers disagree on odd netlocs. So the client's own ASCII
        form of the URL is checked too, and a host the parsers read differently is
        refused rather than argued about.
        """
        self._check(url, url, policy)
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(FetchFailure.blocked_url, url, f"the URL is not valid: {exc}") from None
        ours = (urlsplit(url).hostname or "").lower()
        wire = parsed.raw_host.decode("ascii", errors="replace").lower()
        if ours not in (wire, parsed.host.lower()):
            detail = f"the URL's host is ambiguous ({ours!r} or {parsed.host!r})"
            raise FetchError(FetchFailure.blocked_url, url, detail)
        if ours != wire:
            self._check(str(parsed), url, policy)

    def _check(self, candidate: str, url: str, policy: FetchPolicy) -> None:
        try:
            check_url(candidate, allow_private=policy.allow_private, resolver=self._resolver)
        except UnsafeURLError as exc:
            if exc.reason == "resolve_failed":
                # The name does not resolve right now: a network fault, not a rule.
                raise FetchError(FetchFailure.connection, url, exc.detail, transient=True) from None
            raise FetchError(FetchFailure.blocked_url, url, exc.detail) from None

    def _send(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        validators: Validators | None,
        accept: Collection[str] | None,
        max_bytes: int,
    ) -> FetchResult | str:
        """One GET: the result, or the redirect target."""
        headers = {"User-Agent": _header_safe(policy.user_agent) or "energywatch"}
        headers["Accept"] = ", ".join([*sorted(accept), "*/*;q=0.1"]) if accept else "*/*"
        if validators and (etag := _header_safe(validators.etag)):
            headers["If-None-Match"] = etag
        if validators and (modified := _header_safe(validators.last_modified)):
            headers["If-Modified-Since"] = modified
        deadline = time.monotonic() + policy.timeout_s * TOTAL_TIME_FACTOR
        try:
            with self._client.stream(
                "GET", url, headers=headers, timeout=httpx.Timeout(policy.timeout_s)
            ) as response:
                return self._receive(
                    url,
                    response,
                    policy,
                    validators=validators,
                    accept=accept,
                    max_bytes=max_bytes,
                    deadline=deadline,
                )
        except httpx.ConnectTimeout:
            detail = f"could not connect within {policy.timeout_s} s"
            raise FetchError(FetchFailure.timeout, url, detail, transient=True) from None
        except httpx.TimeoutException:
            detail = f"no response within {policy.timeout_s} s"
            raise FetchError(FetchFailure.timeout, url, detail, transient=True) from None
        except httpx.DecodingError as exc:
            detail = f"the body cannot be decoded as its Content-Encoding says: {exc}"
            raise FetchError(FetchFailure.connection, url, detail) from None
        except httpx.TransportError as exc:
            detail = str(exc) or type(exc).__name__
            raise FetchError(FetchFailure.connection, url, detail, transient=True) from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise FetchError(FetchFailure.connection, url, detail) from None

    def _receive(
        self,
        url: str,
        response: httpx.Response,
        policy: FetchPolicy,
        *,
        validators: Validators | None,
        accept: Collection[str] | None,
        max_bytes: int,
        deadline: float,
    ) -> FetchResult | str:
        status = response.status_code
        content_type, charset = _content_type(response.headers.get("content-type"))
        sent = validators or Validators()
        returned = Validators(
            etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
        )
        if status in REDIRECT_STATUSES:
            location = (response.headers.get("location") or "").strip()
            if not location:
                raise FetchError(
                    FetchFailure.http_status, url, f"HTTP {status} without a Location", status=status
                )
            return urljoin(url, str(location))
        if status == 304 and sent:
            kept = Validators(
                etag=returned.etag or sent.etag, last_modified=returned.last_modified or sent.last_modified
            )
            return FetchResult(url, 304, b"", content_type, charset, kept)
        if status == 429 or status >= 500:
            wait = _retry_after(response.headers.get("retry-after"))
            raise FetchError(
                FetchFailure.http_status,
                url,
                _status_line(response),
                transient=True,
                status=status,
                retry_after_s=wait,
            )
        if not 200 <= status < 300:
            raise FetchError(FetchFailure.http_status, url, _status_line(response), status=status)
        if accept is not None and content_type is not None and content_type not in accept:
            raise FetchError(
                FetchFailure.bad_content_type,
                url,
                f"the server sent {content_type}, not one of {', '.join(sorted(accept))}",
            )
        announced = _int_or_none(response.headers.get("content-length"))
        if announced is not None and announced > max_bytes:
            raise FetchError(
                FetchFailure.too_large, url, f"the server announces {announced} bytes, over {max_bytes}"
            )
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(FetchFailure.too_large, url, f"the body exceeds {max_bytes} bytes")
            if time.monotonic() > deadline:
                detail = f"the body did not arrive within {policy.timeout_s * TOTAL_TIME_FACTOR:g} s"
                raise FetchError(FetchFailure.timeout, url, detail, transient=True)
        return FetchResult(url, status, bytes(body), content_type, charset, returned)

    # ------------------------------------------------------------------ waiting

    def _wait(self, url: str, seconds: float, purpose: str) -> None:
        if seconds > 0 and self._sleep(seconds):
            raise FetchError(FetchFailure.cancelled, url, f"shutting down while waiting for {purpose}")

    def _backoff(self, retry: int, policy: FetchPolicy, retry_after: float | None) -> float:
        """Full jitter (a random wait up to the exponential ceiling) keeps many
        watchers that failed together from coming back together."""
        if retry_after is not None:
            return min(retry_after, policy.backoff_max_s)
        ceiling = min(policy.backoff_max_s, policy.backoff_base_s * 2**retry)
        return self._random.uniform(0.0, ceiling)

    def _polite(self, url: str, interval: float) -> None:
        """Reserve this request's start slot on its host, then wait for it. Reserving
        under the lock keeps threads sharing a host from starting together."""
        key = _host_key(url)
        with self._lock:
            now = self._clock()
            last = self._last_start.get(key)
            start = now if last is None else max(now, last + interval)
            self._last_start[key] = start
        self._wait(url, start - now, f"the interval between requests to {key}")

    # ------------------------------------------------------------------ robots.txt

    def _robots_gate(self, url: str, policy: FetchPolicy) -> float:
        """Refuse what robots.txt disallows for our product token; the site's Crawl-delay."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        entry = self._robots_for(origin, policy)
        agent = _product_token(policy.user_agent)
        if entry.parser is not None and not entry.parser.can_fetch(agent, url):
            raise FetchError(
                FetchFailure.robots_disallowed, url, f"{origin}/robots.txt disallows it for {agent}"
            )
        return entry.crawl_delay_s

    def _robots_for(self, origin: str, policy: FetchPolicy) -> _Robots:
        with self._lock:
            cached = self._robots.get(origin)
        now = self._clock()
        if cached is not None and now < cached.expires:
            return cached
        quiet = dataclasses.replace(policy, retries=0, respect_robots=False)
        try:
            result = self._chain(
                origin + "/robots.txt",
                quiet,
                validators=None,
                accept=None,
                max_bytes=min(policy.max_bytes, ROBOTS_MAX_BYTES),
                check_robots=False,
            )
        except FetchError as exc:
            if exc.reason is FetchFailure.cancelled:
                raise
            missing = exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
            # No robots.txt (4xx) means no rules; one we could not read (5xx, network,
            # too large, redirected somewhere refused) is read as none for now.
            entry = _Robots(None, now + (ROBOTS_TTL_S if missing else ROBOTS_RETRY_S))
        else:
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
            delay = parser.crawl_delay(_product_token(policy.user_agent))
            crawl_delay = min(float(delay), MAX_CRAWL_DELAY_S) if delay is not None else 0.0
            entry = _Robots(parser, now + ROBOTS_TTL_S, crawl_delay)
        with self._lock:
            self._robots[origin] = entry
        return entry


# --------------------------------------------------------------------------- helpers


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def _product_token(user_agent: str) -> str:
    """``energywatch/0.1 (+url)`` → ``energywatch``: what robots.txt groups name."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "energywatch"


def _header_safe(value: str | None) -> str | None:
    """A value we may put in a request header (ASCII, no line breaks); None otherwise.
    Validators come from servers, so they are checked before being sent back."""
    if value is None or not value.isascii() or any(c in value for c in "\r\n\x00"):
        return None
    return value.strip() or None


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type (lower-case) and charset of a Content-Type header."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _status_line(response: httpx.Response) -> str:
    phrase = response.reason_phrase
    return f"HTTP {response.status_code}" + (f" {phrase}" if phrase else "")
