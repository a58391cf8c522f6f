"""What a feed or a listing page offers: entries with stable keys, and article links.

The watcher decides what is new by key, so a key must survive a feed being
re-rendered: the entry's own id when it has one, else its normalised link, else a
hash of its title and text (an entry with none of id, link or text is skipped).
Feeds in the wild are often broken; an entry we can still read is worth more than a
strict refusal, so recoverable damage becomes a ``problem`` on the result, and only
a body with nothing usable in it is a ``FeedError``.

feedparser only ever sees bytes wrapped in a stream: given a string it may open a URL
or a local file by that name, and a feed body must never make us do either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import time
import xml.sax
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from energywatch import ids

FEED_TYPES: frozenset[str] = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
)

# Links on a listing page that lead to files, not articles.
ASSET_EXTENSIONS = (
    ".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".pdf", ".zip",
    ".mp3", ".mp4",
)  # fmt: skip

# An entity declaration is how "billion laughs" documents multiply a few bytes into
# gigabytes. Feeds have no use for them, so their mere presence (in any of the
# encodings XML may come in) is a refusal; cheaper and surer than trusting a parser.
_ENTITY_MARKERS = (
    re.compile(rb"<!ENTITY", re.IGNORECASE),
    re.compile(re.escape("<!ENTITY".encode("utf-16-le"))),
    re.compile(re.escape("<!ENTITY".encode("utf-16-be"))),
)
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_FEED_SNIFF = re.compile(r"<(?:rss|feed|rdf:rdf|channel)[\s>]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "figure",
    "figcaption", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "address",
})  # fmt: skip


class FeedError(Exception):
    """A body that yields no feed: ``malformed`` (a feed too broken to read, or one
    declaring XML entities), ``not_a_feed`` (an HTML page, anything else), ``empty``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FeedItem:
    key: str
    url: str | None
    title: str | None
    published: dt.datetime | None
    summary: str | None
    content: str | None


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_feed(
    content: bytes, *, base_url: str, content_type: str | None = None, charset: str | None = None
) -> ParsedFeed:
    """Entries of an RSS, Atom or RDF feed, in feed order, links absolute.

    ``charset`` (from the HTTP header) wins over the document's own declaration, as
    the XML media type rules say; ``content_type`` only helps tell an HTML page from a
    broken feed.
    """
    if not content.strip():
        raise FeedError("empty", "the response body is empty")
    if any(marker.search(content) for marker in _ENTITY_MARKERS):
        raise FeedError("malformed", "feed declares XML entities; refused")
    # Decoding follows the charset when there is one, else the document's declaration.
    # (Saying text/xml here would make feedparser assume US-ASCII, as RFC 3023 once did.)
    headers = {
        "content-type": "application/xml" + (f"; charset={charset}" if charset else ""),
        "content-location": base_url,
    }
    parsed = feedparser.parse(
        io.BytesIO(content), response_headers=headers, resolve_relative_uris=True, sanitize_html=True
    )
    entries: list[Any] = list(parsed.get("entries") or [])
    version = parsed.get("version") or ""
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    broken_xml = isinstance(error, xml.sax.SAXException)
    if not entries and (broken_xml or not version):
        _refuse(content, content_type, version, error)
    feed = ParsedFeed(title=_line(parsed.feed.get("title")))
    if broken_xml:
        feed.problems.append(f"feed is not well-formed XML: {error}; {len(entries)} entries recovered")
    elif error is not None:
        feed.problems.append(f"feed read with a warning: {error}")
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        item = _item(entry, base_url)
        link = entry.get("link")
        if isinstance(link, str) and link.strip() and (item is None or item.url is None):
            # Never passed on: a javascript: or file: link has no business in an
            # article record (or in an alert someone clicks).
            feed.problems.append(
                f"entry {number} links to {link.strip()[:100]!r}, not an http(s) URL; ignored"
            )
        if item is None:
            feed.problems.append(f"entry {number} has no id, link or text; skipped")
        elif item.key in seen:
            feed.problems.append(f"entry {number} repeats the key of an earlier entry ({item.key}); skipped")
        else:
            seen.add(item.key)
            feed.items.append(item)
    if broken_xml and not feed.items:
        # Fragments of a broken document (a stray title) are not entries worth keeping.
        raise FeedError(
            "malformed", f"the feed is unreadable (not well-formed XML: {error}); no usable entries"
        )
    return feed


def _refuse(content: bytes, content_type: str | None, version: str, error: object) -> None:
    """Raise the FeedError that says best what this body is."""
    head = content[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if content_type in ("text/html", "application/xhtml+xml") or (
        _HTML_SNIFF.search(head) and not _FEED_SNIFF.search(head)
    ):
        served = f" (served as {content_type})" if content_type else ""
        raise FeedError("not_a_feed", f"the body is an HTML page, not a feed{served}")
    if version or _FEED_SNIFF.search(head):
        reason = f"not well-formed XML: {error}" if error is not None else "no entries could be read"
        raise FeedError("malformed", f"the feed is unreadable ({reason}); no entries recovered")
    raise FeedError("not_a_feed", "neither RSS, Atom nor RDF" + (f" ({error})" if error else ""))


def _item(entry: Any, base_url: str) -> FeedItem | None:
    raw_id = _line(entry.get("id"))
    url = _absolute(entry.get("link"), base_url)
    title = _detail_text(entry.get("title"), entry.get("title_detail"), single_line=True)
    summary = _detail_text(entry.get("summary"), entry.get("summary_detail"))
    content = _content_text(entry.get("content") or [])
    if raw_id:
        key = raw_id
    elif url:
        key = ids.normalize_url(url)
    elif summary or content:
        # Nothing but text to know it by; a title alone is no entry (and, in a broken
        # document, usually a fragment).
        digest = hashlib.sha256(f"{title or ''}\n{summary or content or ''}".encode()).hexdigest()
        key = "h:" + digest[:32]
    else:
        return None
    return FeedItem(
        key=key, url=url, title=title, published=_published(entry), summary=summary, content=content
    )


def _absolute(link: object, base_url: str) -> str | None:
    """An http(s) link made absolute, without fragment; None for anything else
    (``javascript:``, ``mailto:``, nothing)."""
    if not isinstance(link, str) or not link.strip():
        return None
    absolute, _ = urldefrag(urljoin(base_url, link.strip()))
    parts = urlsplit(absolute)
    return absolute if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _published(entry: Any) -> dt.datetime | None:
    """feedparser normalises dates to UTC ``struct_time``; the first one present."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if isinstance(value, time.struct_time):
            try:
                return dt.datetime(*value[:6], tzinfo=dt.UTC)
            except ValueError:
                continue
    return None


def _detail_text(value: object, detail: Any, *, single_line: bool = False) -> str | None:
    if not isinstance(value, str):
        return None
    kind = (detail or {}).get("type") or "text/html"
    text = _html_text(value) if "html" in kind else _tidy(value)
    if single_line and text:
        text = " ".join(text.split())
    return text or None


def _content_text(contents: Iterable[Any]) -> str | None:
    """The fullest of an entry's content blocks, as text."""
    texts = [_detail_text(block.get("value"), block) for block in contents]
    return max((t for t in texts if t), key=len, default=None)


def _line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _html_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, scripts and styles with their
    content, paragraphs kept apart by a blank line and ``<br>`` as a line break,
    other whitespace collapsed as a browser would."""
    markup = _CONTROL.sub("", markup)
    if "<" not in markup and "&" not in markup:
        return _tidy(_SPACE.sub(" ", markup))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(_SPACE.sub(" ", markup))
    for unwanted in root.xpath(".//script | .//style | .//template | .//noscript"):
        unwanted.drop_tree()
    for element in root.iter():
        element.text = _SPACE.sub(" ", element.text) if element.text else element.text
        element.tail = _SPACE.sub(" ", element.tail) if element.tail else element.tail
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return _tidy(str(root.text_content()))


def _tidy(text: str) -> str:
    """Paragraphs (blank-line separated) of single-spaced lines."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- listing pages


def listing_links(
    html: bytes | str, *, base_url: str, pattern: str | None = None, same_host: bool = True, limit: int = 200
) -> list[str]:
    """Article links on a listing page, in page order, at most ``limit``.

    Absolute (against ``<base href>`` when the page has one), http(s), without
    fragment, each once (by normalised URL, so tracking parameters do not make a link
    new). ``same_host`` keeps links on the page's own host, ``www.`` or not;
    ``pattern`` (a regular expression, searched in the absolute URL) narrows them to
    the site's article URLs. Assets, ``mailto:``/``javascript:`` links and the page
    itself are skipped.
    """
    root = _html_root(html)
    if root is None:
        return []
    base = base_url
    for element in root.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
            break
    wanted = re.compile(pattern) if pattern else None
    own_host = _bare_host(base_url)
    page_key = ids.normalize_url(base_url)
    seen: set[str] = set()
    links: list[str] = []
    for anchor in root.iter("a"):
        url = _absolute(anchor.get("href"), base)
        if url is None:
            continue
        key = ids.normalize_url(url)
        if key in seen or key == page_key:
            continue
        if same_host and _bare_host(url) != own_host:
            continue
        if urlsplit(url).path.lower().endswith(ASSET_EXTENSIONS):
            continue
        if wanted is not None and not wanted.search(url):
            continue
        seen.add(key)
        links.append(url)
        if len(links) >= limit:
            break
    return links


def _html_root(html: bytes | str) -> Any:
    """The parsed page, or None when there is nothing to parse. Bytes that are valid
    UTF-8 are read as UTF-8 (lxml would otherwise assume Latin-1 without a meta
    charset); other bytes are left to lxml's own detection."""
    if isinstance(html, str):
        data, encoding = html.encode("utf-8", errors="replace"), "utf-8"
    else:
        data = html
        try:
            html.decode("utf-8")
        except UnicodeDecodeError:
            encoding = None
        else:
            encoding = "utf-8"
    if not data.strip():
        return None
    parser = lxml.html.HTMLParser(encoding=encoding) if encoding else lxml.html.HTMLParser()
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")
