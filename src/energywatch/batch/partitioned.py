"""Near-duplicate links and incident resolution, one publication-date window at a time.

``ingest`` and ``process`` hold every signature and every extraction of the store at
once. For an archive of millions of articles the batch path instead cuts the timeline
into windows of ``window_days`` and treats each window with a margin around it:

    near-duplicates   window k's articles, plus the ``lookback`` days before it, in
                      (publication date, id) order. The earliest-published article of a
                      cluster is its original (as in ``ingest``; ties go to the lower id
                      here rather than to the first ingested). Articles of the lookback
                      keep the link an earlier window gave them, so chains stay rooted
                      at the true original. Windows run in date order.
    resolution        window k's articles plus ``FOLLOW_UP_DAYS + SAME_EVENT_DAYS``
                      before and after it (every undated article too) are resolved with
                      the ordinary ``resolve``; an incident is kept by the window that
                      holds its first report's publication date (the last window when
                      none of its reports is dated). Windows are independent, so they
                      can run in parallel.

What this gives up: a copy published more than ``lookback`` days after its original is
treated as an original, and an incident whose reports span more than the resolution
margin is split at a window edge. Both are measured in docs/performance.md; on the
demo corpus the result equals ``ingest`` + ``process`` (tests/test_batch.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from energywatch.dedup import DuplicateMatch, NearDuplicateIndex, Signature
from energywatch.impact.from_incident import incident_impact
from energywatch.impact.network import load_network
from energywatch.kb import KnowledgeBase
from energywatch.models import Incident
from energywatch.resolve import FOLLOW_UP_DAYS, SAME_EVENT_DAYS, ArticleInfo, resolve
from energywatch.settings import Settings
from energywatch.storage import Store

DEFAULT_WINDOW_DAYS = 365
DEFAULT_LOOKBACK_DAYS = 30
RESOLVE_MARGIN_DAYS = FOLLOW_UP_DAYS + SAME_EVENT_DAYS


@dataclass(frozen=True, slots=True)
class Window:
    """Publication dates [start, end); ``last`` also owns what has no date at all."""

    start: dt.date | None
    end: dt.date | None
    last: bool

    def holds(self, day: dt.date | None) -> bool:
        if day is None:
            return self.last
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)


def windows(store: Store, window_days: int) -> list[Window]:
    """The windows covering the store's publication dates (one when nothing is dated)."""
    first, last, _undated = store.published_range()
    if first is None or last is None:
        return [Window(None, None, last=True)]
    cuts: list[dt.date] = []
    day = first
    while day <= last:
        cuts.append(day)
        day += dt.timedelta(days=window_days)
    found = [Window(a, b, last=False) for a, b in itertools.pairwise(cuts)]
    found.append(Window(cuts[-1], None, last=True))
    # The first window also takes anything published before the first cut (none today,
    # but an open start keeps the tiling total).
    found[0] = Window(None, found[0].end, last=found[0].last)
    return found


def _minus(day: dt.date | None, days: int) -> dt.date | None:
    return None if day is None else day - dt.timedelta(days=days)


def _plus(day: dt.date | None, days: int) -> dt.date | None:
    return None if day is None else day + dt.timedelta(days=days)


# --------------------------------------------------------------------------- near-duplicates


@dataclass(frozen=True, slots=True)
class WindowLinks:
    """What linking one window gave: how many of its articles are copies, and the
    copies it could only root at an article of its lookback (article, that article)."""

    copies: int
    provisional: list[tuple[str, str]]


def link_window(store: Store, window: Window, settings: Settings, lookback_days: int) -> WindowLinks:
    """Decide and store the copy links of the window's articles.

    A match in the lookback is taken as the original for now: whether that article is
    itself a copy is the previous window's decision, which may not be made yet when
    windows are linked in parallel. ``settle_links`` corrects those links once it is."""
    rows = store.window_signatures(_minus(window.start, lookback_days), window.end, undated=window.last)
    index = NearDuplicateIndex(threshold=settings.dedup_threshold, num_perm=settings.dedup_num_perm)
    roots: dict[str, str | None] = {}
    lookback: set[str] = set()
    by_hash: dict[str, str] = {}
    links: list[tuple[str, str | None, float | None]] = []
    for article_id, published, content_hash, minhash in rows:
        sig = Signature.from_bytes(minhash, settings.dedup_num_perm)
        if not window.holds(published):
            lookback.add(article_id)  # linked by an earlier window; here only a match
        else:
            match = index.find(sig, exclude=article_id)
            twin = by_hash.get(content_hash)
            if match is None and twin is not None:
                match = DuplicateMatch(article_id=twin, similarity=1.0)
            root = (roots.get(match.article_id) or match.article_id) if match is not None else None
            similarity = round(match.similarity, 4) if match is not None and root is not None else None
            roots[article_id] = root
            links.append((article_id, root, similarity))
        index.add(article_id, sig)
        by_hash.setdefault(content_hash, article_id)
    store.set_duplicate_links(links)
    provisional = [(article, root) for article, root, _ in links if root in lookback]
    return WindowLinks(sum(1 for _, root, _ in links if root is not None), provisional)


def settle_links(store: Store, links: WindowLinks) -> None:
    """Re-root a window's provisional links at the original of the lookback article
    they point to. Windows must be settled in date order: the previous window's links
    are then final, so the stored original of a lookback article is its root, and the
    result is what linking the windows one after the other would store."""
    originals = store.duplicate_originals([match for _, match in links.provisional])
    store.move_duplicate_links(
        [(article, originals[match]) for article, match in links.provisional if match in originals]
    )


# --------------------------------------------------------------------------- resolution


def resolve_window(
    store: Store, kb: KnowledgeBase, window: Window, impact_samples: int
) -> tuple[list[Incident], dict[str, dt.date | None]]:
    """The incidents this window owns, with their modelled impact, and the publication
    date of every article it loaded (for ``ArticleClaims``)."""
    extractions, meta = store.window_extractions(
        _minus(window.start, RESOLVE_MARGIN_DAYS), _plus(window.end, RESOLVE_MARGIN_DAYS), undated=True
    )
    infos = {aid: ArticleInfo(published, root) for aid, (published, root) in meta.items()}
    network = load_network()
    owned = []
    for incident in resolve(extractions, infos, kb):
        if window.holds(_anchor(incident, infos)):
            impact = incident_impact(incident, network, impact_samples)
            owned.append(incident.model_copy(update={"impact": impact}))
    return owned, {aid: info.published for aid, info in infos.items()}


def _anchor(incident: Incident, infos: dict[str, ArticleInfo]) -> dt.date | None:
    """The day that decides which window owns an incident: its first report's
    publication. (Not the incident's own date: a report may date an event years back,
    and the window of that year never loads it.)"""
    published = (infos[a].published for a in incident.articles if a in infos)
    return min((p for p in published if p is not None), default=None)


class ArticleClaims:
    """Windows overlap (each loads a margin around its own dates), so two windows may
    each put one article into an incident they own: an undated report (loaded by every
    window), or a report near a window edge that the two windows cluster differently.
    The first window, in date order, keeps it (within one window an article may be in
    several incidents, one per event it reports, as in ``resolve``); later incidents lose that article's
    events (and are dropped when nothing else is left). Claims older than any window
    still to come can load are forgotten, so memory follows the window, not the
    archive; undated claims are kept to the end."""

    def __init__(self) -> None:
        self.claimed: dict[str, dt.date | None] = {}

    def settle(self, incidents: list[Incident], published: dict[str, dt.date | None]) -> list[Incident]:
        kept = []
        earlier = self.claimed  # one window may put an article in several incidents (one per event)
        self.claimed = dict(earlier)
        for incident in incidents:
            taken = {a for a in incident.articles if a in earlier}
            if taken:
                events = [e for e in incident.events if e.article_id not in taken]
                if not events:
                    continue
                incident = incident.model_copy(
                    update={
                        "events": events,
                        "articles": [a for a in incident.articles if a not in taken],
                        "copies": [a for a in incident.copies if a not in taken],
                    }
                )
            for article in incident.articles:
                self.claimed[article] = published.get(article)
            kept.append(incident)
        return kept

    def forget_before(self, day: dt.date | None) -> None:
        """Drop dated claims no later window can load (those published before ``day``)."""
        if day is not None:
            self.claimed = {a: p for a, p in self.claimed.items() if p is None or p >= day}
