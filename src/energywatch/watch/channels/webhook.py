"""The webhook channel: each alert POSTed as JSON, HMAC-signed, retried with backoff.

It is the one channel that retries by itself, because HTTP receivers routinely blip for
seconds (deploys, rate limits) and waiting a whole polling round for that would delay
every alert. The receiver's half of the signature scheme, ``verify_signature``, lives
here too, so that sender and receiver cannot drift apart.

Every attempt first passes the URL through ``netguard.check_url``, the same check the
feed fetcher uses: a webhook URL comes from configuration that more people may edit
than run the host, and without the check it is a way to make the watch process POST
into its own network.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import json
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from energywatch import __version__
from energywatch.models import Alert
from energywatch.watch.channels.base import (
    HEADER_ALERT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    DeliveryError,
    _describe,
    _extra,
    _header_safe,
    alert_payload,
    log,
)
from energywatch.watch.channels.config import WebhookChannelConfig
from energywatch.watch.netguard import Resolver, UnsafeURLError, check_url

# Neither our backoff nor a receiver's Retry-After may park a delivery for longer than
# this: the watch loop has other alerts to send and its own next round to run.
MAX_RETRY_DELAY_S = 60.0
# Enough of an error response to tell "rate limited" from "bad token" in a log line,
# without letting a misbehaving receiver stream megabytes into memory.
_ERROR_BODY_READ = 4096
_ERROR_BODY_SHOWN = 200


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Energywatch-Signature`` value.

    The timestamp is inside the MAC so a captured request cannot be replayed later
    with a fresh timestamp header.
    """
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance_s: float = 300,
) -> bool:
    """Whether a received webhook is authentic and fresh; the receiver's half of ``sign``.

    The comparison is constant-time so the signature cannot be guessed byte by byte
    from response timings; timestamps further than ``tolerance_s`` from ``now`` in
    either direction are refused so that recorded requests cannot be replayed.
    """
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


@dataclass(frozen=True)
class _Failure:
    detail: str
    retryable: bool
    retry_after: float | None = None


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _shown_text(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text if len(text) <= _ERROR_BODY_SHOWN else text[: _ERROR_BODY_SHOWN - 1] + "…"


def _sleep_through(seconds: float) -> bool:
    """Default for callers without a shutdown signal: sleep, never interrupted."""
    time.sleep(seconds)
    return False


class WebhookChannel:
    """POSTs each alert as signed JSON, retrying transient failures with backoff.

    Redirects are not followed: a receiver that moved should be reconfigured, and
    following them would let a redirect send alerts (and signatures) elsewhere.
    ``resolver`` is the name lookup behind the address check, replaceable so that a
    test can point a public-looking name anywhere without touching real DNS.
    """

    def __init__(
        self,
        config: WebhookChannelConfig,
        *,
        secret: bytes | None,
        sleep: Callable[[float], bool],
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = socket.getaddrinfo,
    ) -> None:
        self.name = config.name
        self.config = config
        self._secret = secret
        self._sleep = sleep
        self._resolver = resolver
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def _error(self, detail: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(self.name, detail, transient=transient, channel_type="webhook")

    def deliver(self, alert: Alert) -> None:
        body = json.dumps(alert_payload(alert), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            failure = self._attempt(alert, body)
            if failure is None:
                log.debug(
                    "alert %s delivered to %s (attempt %d)",
                    alert.id,
                    self.name,
                    attempt,
                    extra=_extra("channel_delivered", self.name, alert, attempt=attempt),
                )
                return
            tried = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
            if not failure.retryable:
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}", transient=False)
            if attempt == attempts:
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}", transient=True)
            delay = self._delay(attempt, failure.retry_after)
            log.warning(
                "alert %s to %s: %s; retrying in %.1fs",
                alert.id,
                self.name,
                failure.detail,
                delay,
                extra=_extra(
                    "delivery_retry",
                    self.name,
                    alert,
                    attempt=attempt,
                    delay_s=round(delay, 3),
                    detail=failure.detail,
                ),
            )
            if self._sleep(delay):
                self._log_failure(alert, failure.detail, attempt)
                raise self._error(f"{failure.detail} {tried}; stopped retrying for shutdown", transient=True)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _log_failure(self, alert: Alert, detail: str, attempt: int) -> None:
        log.debug(
            "alert %s not delivered to %s: %s",
            alert.id,
            self.name,
            detail,
            extra=_extra("channel_failed", self.name, alert, attempt=attempt, detail=detail),
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_DELAY_S)
        backoff = min(self.config.backoff_base_s * 2 ** (attempt - 1), MAX_RETRY_DELAY_S)
        # Jitter keeps many watchers that failed together from retrying in lockstep.
        jittered: float = backoff * random.uniform(0.5, 1.0)
        return jittered

    def _headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        timestamp = str(int(time.time()))  # fresh per attempt, so retries stay within tolerance
        headers = {"User-Agent": f"energywatch/{__version__}", **self.config.headers}
        headers["Content-Type"] = "application/json"
        headers[HEADER_ALERT_ID] = _header_safe(alert.id)
        headers[HEADER_TIMESTAMP] = timestamp
        if self._secret is not None:
            headers[HEADER_SIGNATURE] = sign(self._secret, timestamp, body)
        return headers

    def _attempt(self, alert: Alert, body: bytes) -> _Failure | None:
        """One POST; None when delivered, else what went wrong and whether to retry."""
        url = self.config.url
        try:
            # Checked on every attempt: DNS answers can change between attempts.
            check_url(url, allow_private=self.config.allow_private, resolver=self._resolver)
        except UnsafeURLError as exc:
            # exc.detail, not str(exc): webhook URLs often carry a token in their path.
            if exc.reason == "resolve_failed":
                return _Failure(exc.detail, retryable=True)  # a DNS hiccup, not a rule
            return _Failure(f"refused ({exc.reason}): {exc.detail}", retryable=False)
        try:
            with self._client.stream(
                "POST", url, content=body, headers=self._headers(alert, body)
            ) as response:
                status = response.status_code
                headers = response.headers
                # Read to the end when small (the connection can then be reused); a
                # receiver streaming more gets its connection closed instead.
                shown = b""
                for chunk in response.iter_bytes():
                    shown += chunk
                    if len(shown) >= _ERROR_BODY_READ:
                        break
        except httpx.TimeoutException as exc:
            return _Failure(
                f"timed out ({type(exc).__name__}, limit {self.config.timeout_s:g}s)", retryable=True
            )
        except httpx.TransportError as exc:
            return _Failure(f"connection failed: {_describe(exc)}", retryable=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _Failure(f"request failed: {_describe(exc)}", retryable=False)
        if 200 <= status < 300:
            return None
        detail = f"HTTP {status}"
        text = _shown_text(shown)
        if 300 <= status < 400:
            where = headers.get("Location", "nowhere")
            return _Failure(
                f"{detail} redirect to {where} not followed; configure the final URL", retryable=False
            )
        if text:
            detail += f" ({text})"
        if status in {408, 429} or status >= 500:
            return _Failure(
                detail, retryable=True, retry_after=_retry_after_seconds(headers.get("Retry-After"))
            )
        return _Failure(detail, retryable=False)
