"""The ingest stage: inputs → articles (cleaned, de-duplicated) → store.

    read_inputs ──► build_article ──► clean ──► near-duplicate link ──► Store
         │
         └──► Rejection (stored and counted, never an exception)

Running it twice on the same inputs changes nothing: ids are stable, the store
compares fingerprints, and the near-duplicate links are computed the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from energywatch import ids
from energywatch.cleaning import clean
from energywatch.dedup import DuplicateMatch, NearDuplicateIndex, Signature, SignatureMismatchError, signature
from energywatch.models import (
    Article,
    IngestReport,
    RawArticle,
    Rejection,
    RejectionReason,
)
from energywatch.outlets import resolve_source
from energywatch.readers import read_inputs
from energywatch.settings import Settings
from energywatch.storage import Store
from energywatch.storage.store import fingerprint

ProgressFn = Callable[[str, str], None]
"""Called after each input with (origin, outcome) so a CLI can show progress."""


def build_article(raw: RawArticle, retrieved: dt.datetime | None = None) -> Article:
    """Turn a raw input into an article: stable id, outlet, cleaned text."""
    body = raw.text or ""
    cleaned = clean(body)
    source = resolve_source(raw.outlet, raw.url)
    return Article(
        id=ids.article_id(given=raw.id, url=raw.url, text=body),
        url=raw.url,
        source=source,
        title=raw.title,
        published=raw.published,
        retrieved=retrieved or dt.datetime.now(dt.UTC),
        language=raw.language,
        input_format=raw.input_format,
        origin=raw.origin,
        html=raw.html,
        text=body,
        clean_text=cleaned.text,
        removed_spans=list(cleaned.removed),
        content_hash=ids.content_hash(cleaned.text),
    )


def _published_key(value: str | dt.date | dt.datetime | None) -> str | None:
    """Sortable form of a publication date; unknown dates sort after known ones."""
    if value is None:
        return None
    text = value if isinstance(value, str) else value.isoformat()
    return text[:10]


@dataclass(frozen=True, slots=True)
class Promotion:
    """An earlier-published article takes over a cluster led by ``old_root``."""

    old_root: str
    similarity: float


@dataclass(slots=True)
class _Member:
    root: str | None
    published: str | None


class Deduplicator:
    """Near-duplicate links across everything stored plus what this run adds.

    The original of a cluster is the earliest-published member (first ingested when
    dates are equal or unknown); every copy points at the original, never at another copy.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.num_perm = settings.dedup_num_perm
        self.index = NearDuplicateIndex(threshold=settings.dedup_threshold, num_perm=self.num_perm)
        self.members: dict[str, _Member] = {}
        self.by_hash: dict[str, str] = {}
        stale: list[str] = []
        for row in store.iter_signatures():
            try:
                self.index.add(row.article_id, Signature.from_bytes(row.minhash, self.num_perm))
            except SignatureMismatchError:
                stale.append(row.article_id)
            self.members[row.article_id] = _Member(row.near_duplicate_of, _published_key(row.published))
            self.by_hash.setdefault(row.content_hash, row.article_id)
        for article_id in stale:
            # Stored with other MinHash settings: recompute from the stored clean text.
            stored = store.get_article(article_id)
            sig = signature(stored.clean_text, self.num_perm)
            store.replace_minhash(article_id, sig.to_bytes())
            self.index.add(article_id, sig)

    def link(self, article: Article) -> tuple[Article, Signature, Promotion | None]:
        """Set ``near_duplicate_of`` on the article.

        Returns, as third item, the cluster this article predates: once the article is
        stored, pass it to ``promote`` to make the article that cluster's original (it
        cannot be done before, the links would dangle).
        """
        sig = signature(article.clean_text, self.num_perm)
        match = self.index.find(sig, exclude=article.id)
        if match is None:
            # Identical cleaned text is a copy however short (MinHash ignores tiny texts).
            twin = self.by_hash.get(article.content_hash)
            if twin is not None and twin != article.id and article.clean_text:
                match = DuplicateMatch(article_id=twin, similarity=1.0)
        published = _published_key(article.published)
        article.near_duplicate_of = None
        article.duplicate_similarity = None
        displaced: Promotion | None = None
        if match is not None:
            root = self.members[match.article_id].root or match.article_id
            if root != article.id:
                root_published = self.members[root].published if root in self.members else None
                similarity = round(match.similarity, 4)
                if published is not None and (root_published is None or published < root_published):
                    displaced = Promotion(root, similarity)
                else:
                    article.near_duplicate_of = root
                    article.duplicate_similarity = similarity
        self.index.add(article.id, sig)
        self.by_hash.setdefault(article.content_hash, article.id)
        self.members[article.id] = _Member(article.near_duplicate_of, published)
        return article, sig, displaced

    def promote(self, article_id: str, displaced: Promotion) -> None:
        """Make a stored article the original of the cluster ``displaced`` led."""
        moved = self.store.repoint_duplicates(displaced.old_root, article_id, displaced.similarity)
        for member in moved:
            if member in self.members:
                self.members[member].root = article_id


def ingest(
    store: Store,
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    stdin: IO[bytes] | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Ingest files, folders and/or ``-`` (JSONL on stdin) into the store."""
    items = read_inputs(paths, max_bytes=settings.max_file_bytes, stdin=stdin)
    return ingest_items(store, items, settings, progress=progress)


def ingest_items(
    store: Store,
    items: Iterable[RawArticle | Rejection],
    settings: Settings,
    *,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Ingest already-read inputs (the seam used by ``ingest`` and by other sources)."""
    report = IngestReport()
    dedup = Deduplicator(store, settings)
    seen_ids: dict[str, str] = {}
    for item in items:
        if isinstance(item, RawArticle):
            article = build_article(item)
            first_origin = seen_ids.get(article.id)
            if first_origin is not None and _document(first_origin) != _document(article.origin):
                item = Rejection.create(
                    article.origin,
                    RejectionReason.id_conflict,
                    f"article id {article.id!r} was already used by {first_origin} in this run",
                    "give each article its own id, or ingest only one of the two inputs",
                    article_id=article.id,
                )
            elif store.stored_fingerprint(article.id) == fingerprint(article):
                # Same content as stored: its near-duplicate link was decided when it
                # first arrived and stays as it is, so re-running changes nothing.
                seen_ids[article.id] = article.origin
                report.unchanged.append(article.id)
                if progress:
                    progress(article.origin, "unchanged")
                continue
            else:
                seen_ids[article.id] = article.origin
                article, sig, displaced = dedup.link(article)
                outcome = store.save_article(article, sig.to_bytes())
                if displaced is not None:
                    dedup.promote(article.id, displaced)
                getattr(report, outcome).append(article.id)
                if article.near_duplicate_of:
                    report.near_duplicates[article.id] = article.near_duplicate_of
                if progress:
                    progress(article.origin, outcome)
                continue
        store.save_rejection(item)
        report.rejections.append(item)
        if progress:
            progress(item.origin, f"rejected: {item.reason.value}")
    return report


def _document(origin: str) -> str:
    """The file part of an origin ("a.jsonl:3" → "a.jsonl", "b.json#2" → "b.json")."""
    for sep in ("#", ":"):
        head, found, tail = origin.rpartition(sep)
        if found and tail.isdigit():
            return head
    return origin
