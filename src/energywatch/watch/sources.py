"""Polling one source: what it lists now, and turning a listed item into a raw article.

    feed    conditional GET of the feed → entries → (article page, or the feed's own text)
    page    conditional GET of a listing page → article links → article pages
    folder  files that appeared or changed since the last poll → the ingest readers

Nothing here touches the store: the watcher (``watch.loop``) decides which items are new
and records what became of them. Failures are ``FetchError`` (network, HTTP, safety),
``FeedError`` (the feed itself is broken) or ``RefusedError`` (a page that is not an
article); each carries a reason the watcher logs and keeps in the source's health.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from energywatch import ids
from energywatch.decoding import RefusedError
from energywatch.models import InputFormat, RawArticle, Rejection
from energywatch.models import RejectionReason as Reason
from energywatch.readers import read_html_page, read_inputs
from energywatch.watch.config import SourceConfig, WatchOptions
from energywatch.watch.feeds import FEED_TYPES, listing_links, parse_feed
from energywatch.watch.fetch import Fetcher, FetchPolicy, Validators

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A file younger than this may still be being written by whoever drops it in the folder.
FOLDER_SETTLE_S = 1.0
# Feed text shorter than this is a teaser, not an article: fetch the page instead.
MIN_FEED_TEXT = 400


class FolderError(Exception):
    """A source that cannot be polled for a reason of its own (a folder that is gone)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(slots=True)
class Candidate:
    """An item a source lists. ``key`` identifies it within the source; ``url_key``
    (hash of the normalised link) across sources and re-listings."""

    key: str
    url: str | None = None
    title: str | None = None
    published: dt.datetime | None = None
    feed_text: str | None = None
    path: Path | None = None
    attempts: int = 0  # earlier failed attempts at this item (set by the watcher)

    @property
    def url_key(self) -> str | None:
        return url_key(self.url) if self.url else None


@dataclass(slots=True)
class Listing:
    """What one poll of a source found."""

    not_modified: bool = False
    validators: Validators | None = None
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def url_key(url: str) -> str:
    return hashlib.sha256(ids.normalize_url(url).encode()).hexdigest()[:32]


def _item_key(raw: str) -> str:
    """Keys go into a 64-character column; long guids are hashed (stably)."""
    return raw if len(raw) <= 64 else "h-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def fetch_policy(source: SourceConfig, options: WatchOptions) -> FetchPolicy:
    return FetchPolicy(
        timeout_s=source.timeout or options.timeout,
        max_bytes=source.max_bytes or options.max_bytes,
        max_redirects=options.max_redirects,
        allow_private=source.allow_private,
        user_agent=options.user_agent,
        min_host_interval_s=options.min_host_interval,
        retries=options.retries,
        respect_robots=source.respect_robots,
    )


def poll(
    source: SourceConfig, fetcher: Fetcher, policy: FetchPolicy, validators: Validators | None
) -> Listing:
    """List what a feed or page offers now (``not_modified`` when the server says so)."""
    if source.type == "folder":
        return poll_folder(source)
    assert source.url is not None  # the config guarantees it
    accept = FEED_TYPES if source.type == "feed" else PAGE_TYPES
    result = fetcher.fetch(source.url, policy=policy, validators=validators, accept=accept)
    listing = Listing(validators=result.validators)
    if result.not_modified:
        listing.not_modified = True
        return listing
    if source.type == "feed":
        feed = parse_feed(
            result.content, base_url=result.url, content_type=result.content_type, charset=result.charset
        )
        listing.problems.extend(feed.problems)
        for item in feed.items:
            text = item.content or item.summary
            listing.candidates.append(
                Candidate(
                    key=_item_key(item.key),
                    url=item.url,
                    title=item.title,
                    published=item.published,
                    feed_text=text,
                )
            )
        return listing
    links = listing_links(
        result.content, base_url=result.url, pattern=source.link_pattern, same_host=source.same_host
    )
    if not links:
        listing.problems.append("the listing page has no article links (check link_pattern)")
    listing.candidates = [Candidate(key=_item_key(url_key(link)), url=link) for link in links]
    return listing


def poll_folder(source: SourceConfig, now: float | None = None) -> Listing:
    """Files under the folder, keyed by path, size and modification time, so an edited
    file is read again and an untouched one never is."""
    assert source.path is not None
    root = source.path.expanduser()
    if not root.is_dir():
        raise FolderError("not_a_folder", f"{root} is not a folder (or is not readable)")
    now = time.time() if now is None else now
    listing = Listing()
    for path in sorted(_files(root)):
        try:
            info = path.stat()
        except OSError as exc:
            listing.problems.append(f"{path}: {exc.strerror or exc}")
            continue
        if now - info.st_mtime < FOLDER_SETTLE_S:
            continue  # still being written, most likely; next poll
        raw = f"{path.relative_to(root)}:{info.st_size}:{info.st_mtime_ns}"
        listing.candidates.append(Candidate(key=_item_key(raw), path=path))
    return listing


def _files(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                yield Path(folder) / name


def read_candidate(
    source: SourceConfig,
    candidate: Candidate,
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    max_file_bytes: int,
    use_feed_text: bool = False,
) -> list[RawArticle | Rejection]:
    """The raw article(s) behind an item. A folder file may hold many (JSONL); a page
    that is not an article comes back as a Rejection. ``use_feed_text`` takes the feed
    entry's own text instead of its page (a feed without pages, or a page that keeps
    failing)."""
    if candidate.path is not None:
        return list(read_inputs([candidate.path], max_bytes=max_file_bytes))
    origin = candidate.url or f"{source.name}#{candidate.key}"
    from_feed = bool(candidate.feed_text) and (
        use_feed_text or not source.fetch_articles or candidate.url is None
    )
    if from_feed:
        raw = RawArticle(
            origin=origin,
            input_format=InputFormat.text,
            url=candidate.url,
            title=candidate.title,
            text=candidate.feed_text,
        )
    elif candidate.url is None:
        return [
            Rejection.create(
                origin,
                Reason.empty_text,
                "the feed entry has neither a link nor any text",
                "nothing to do: the feed publishes empty entries",
            )
        ]
    else:
        result = fetcher.fetch(candidate.url, policy=policy, accept=PAGE_TYPES)
        try:
            raw = read_html_page(result.content, origin, charset=result.charset)
        except RefusedError as refused:
            return [refused.at(origin)]
        raw = raw.model_copy(update={"url": candidate.url})
    update: dict[str, object] = {}
    if source.outlet is not None:
        update["outlet"] = source.outlet.name
    if source.language is not None:
        update["language"] = source.language
    if candidate.published is not None:
        update["published"] = candidate.published
    if candidate.title and not raw.title:
        update["title"] = candidate.title
    return [raw.model_copy(update=update) if update else raw]
