"""Stable identifiers. The same input must get the same id on every machine and run,
because exports, evaluation and re-ingestion all key on it (DESIGN §11)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Tracking parameters that do not change which page a URL names.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|ref|cmpid|ocid)$", re.I)
_SPACE = re.compile(r"\s+")


def normalize_url(url: str) -> str:
    """Canonical form of a URL: lower-case scheme and host, no fragment, no tracking
    parameters, no default port, no trailing slash on the path."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or ""
    return urlunsplit((scheme, netloc, path, query, ""))


def normalize_text(text: str) -> str:
    """Whitespace- and case-insensitive form of a text, for content hashes."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode()).hexdigest()


def article_id(*, given: str | None, url: str | None, text: str) -> str:
    """The input's own id when it has one; else a hash of its URL; else of its text.

    Derived ids carry a prefix saying what they were derived from, so nobody mistakes
    ``u-…`` (same URL) for ``t-…`` (same text).
    """
    if given is not None and given.strip():
        return given.strip()
    if url and url.strip():
        return "u-" + hashlib.sha256(normalize_url(url).encode()).hexdigest()[:16]
    return "t-" + content_hash(text)[:16]


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url.strip()).hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return host or None
