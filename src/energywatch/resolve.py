"""Resolution: events from many articles → one record per real-world incident.

An event joins an incident when three things are compatible (DESIGN §7 style, typed):

- *where*: the same knowledge-base site; else locations within ``SAME_PLACE_KM``; else,
  when neither names a site, the same container asset (the CPC) and facility kind.
  Two different sites are never merged, however close: a refinery and a pumping station
  hit the same night are two incidents.
- *what*: incidents are typed by their physical events (attack, accident, policy,
  operations). Follow-ups and reactions (restoration, statements, protests...) join the
  incident they follow rather than starting their own.
- *when*: a physical event within ``SAME_EVENT_DAYS`` of the incident; a follow-up from
  the day before up to ``FOLLOW_UP_DAYS`` after. Unknown dates (undated articles that
  never name a year) do not block a match, they only weaken it.

A lone report that dates the event weeks before its own publication, where an incident of
the same kind at the same place happened just before it, joins that incident with its
wrong date (``_rehome_misdated``).

Copies (near-duplicates) join the incident of their original and are marked as copies.
Resolution is a pure function of the stored extractions: re-running it changes nothing,
and a new article joins an existing incident or starts one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from energywatch.extract.places import haversine_km
from energywatch.kb import KnowledgeBase
from energywatch.models import ArticleExtraction, DateRange, ExtractedEvent, Incident, Location

SAME_PLACE_KM = 50.0
SAME_SITE_KM = 3.0
"""Different KB sites this close are one place (a terminal and its moorings); farther
apart they stay separate incidents (Kropotkinskaya and Kavkazskaya are 15 km apart)."""
SAME_EVENT_DAYS = 3
FOLLOW_UP_DAYS = 120
FOLLOW_UP_TYPES = frozenset(
    {
        "restoration",
        "flow_reduction",
        "suspension",
        "maintenance",
        "statement",
        "diplomatic_protest",
        "request_explanation",
        "talks",
    }
)
# Which event names the incident when several types meet: the physical cause wins.
_TYPE_RANK = ("attack", "accident", "policy", "operations", "response")


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What resolution needs to know about an article besides its extraction."""

    published: dt.date | None
    near_duplicate_of: str | None


@dataclass(slots=True)
class _Cluster:
    seq: int = 0
    events: list[ExtractedEvent] = field(default_factory=list)
    sites: set[str] = field(default_factory=set)
    containers: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    when: dt.date | None = None
    physical: bool = False
    point: tuple[float, float] | None = None

    def add(self, event: ExtractedEvent, sites: set[str], containers: set[str], when: dt.date | None) -> None:
        self.events.append(event)
        self.sites |= sites
        self.containers |= containers
        self.kinds |= {f.kind for f in event.facilities}
        is_physical = event.type not in FOLLOW_UP_TYPES
        if when is not None:
            # A physical event dates the incident (the earliest one does); until one
            # arrives, the follow-up's date stands in.
            earlier = self.when is None or when < self.when
            if (is_physical and (not self.physical or earlier)) or (not self.physical and self.when is None):
                self.when = when
        self.physical = self.physical or is_physical
        if self.point is None and event.location and event.location.lat is not None:
            self.point = (event.location.lat, event.location.lon or 0.0)


class _TimeIndex:
    """Clusters by date, so an event is compared only with clusters its time window
    allows (plus the undated ones) instead of with every cluster so far."""

    WINDOW_BEFORE = FOLLOW_UP_DAYS
    WINDOW_AFTER = SAME_EVENT_DAYS

    def __init__(self) -> None:
        self._dated: list[tuple[int, int]] = []  # (date ordinal, cluster seq), sorted
        self._undated: set[int] = set()

    def place(self, cluster: _Cluster, before: dt.date | None) -> None:
        """Record the cluster under its current date (it may have just gained one)."""
        if before is not None:
            if before == cluster.when:
                return
            self._dated.pop(bisect.bisect_left(self._dated, (before.toordinal(), cluster.seq)))
        else:
            self._undated.discard(cluster.seq)
        if cluster.when is None:
            self._undated.add(cluster.seq)
        else:
            bisect.insort(self._dated, (cluster.when.toordinal(), cluster.seq))

    def candidates(self, when: dt.date | None, clusters: list[_Cluster]) -> list[_Cluster]:
        if when is None:
            return clusters
        low = bisect.bisect_left(self._dated, (when.toordinal() - self.WINDOW_BEFORE, -1))
        high = bisect.bisect_right(self._dated, (when.toordinal() + self.WINDOW_AFTER, len(clusters)))
        seqs = sorted({seq for _, seq in self._dated[low:high]} | self._undated)
        return [clusters[seq] for seq in seqs]


def _split_assets(event: ExtractedEvent, kb: KnowledgeBase) -> tuple[set[str], set[str]]:
    """Sites (assets with a position) and containers (pipelines, the consortium)."""
    sites, containers = set(), set()
    for asset_id in event.assets:
        asset = kb.assets.get(asset_id)
        if asset is not None and asset.lat is not None and asset.type.value not in {"pipeline", "field"}:
            sites.add(asset_id)
        else:
            containers.add(asset_id)
    return sites, containers


def _when(event: ExtractedEvent, info: ArticleInfo | None) -> dt.date | None:
    if event.date.start is not None:
        return event.date.start
    return info.published if info else None


def _near(a: set[str], b: set[str], kb: KnowledgeBase) -> bool:
    points_a = [_point(kb, x) for x in a]
    points_b = [_point(kb, y) for y in b]
    return any(
        pa is not None and pb is not None and haversine_km(pa[0], pa[1], pb[0], pb[1]) <= SAME_SITE_KM
        for pa in points_a
        for pb in points_b
    )


def _contains(containers: set[str], sites: set[str], kb: KnowledgeBase) -> bool:
    """A container (the CPC pipeline) names every site among its components."""
    for container in containers:
        asset = kb.assets.get(container)
        if asset is not None and sites & set(asset.components):
            return True
    return False


def _point(kb: KnowledgeBase, asset_id: str) -> tuple[float, float] | None:
    asset = kb.assets.get(asset_id)
    if asset is None or asset.lat is None or asset.lon is None:
        return None
    return asset.lat, asset.lon


def _where_score(
    cluster: _Cluster, event: ExtractedEvent, sites: set[str], containers: set[str], kb: KnowledgeBase
) -> float | None:
    """How well the places agree (None: incompatible)."""
    if sites and cluster.sites:
        if sites & cluster.sites:
            return 3.0
        return 2.5 if _near(sites, cluster.sites, kb) else None
    point = (
        (event.location.lat, event.location.lon)
        if event.location and event.location.lat is not None
        else None
    )
    # A reaction happens somewhere else (a ministry in Astana, a protest in Kyiv): only
    # what it is about (its assets) ties it to an incident, not where it was made.
    if event.category == "response":
        point = None
    if point and cluster.point and point[1] is not None:
        distance = haversine_km(point[0], point[1], cluster.point[0], cluster.point[1])
        return 2.0 if distance <= SAME_PLACE_KM else None
    kinds = {f.kind for f in event.facilities}
    if kinds and cluster.kinds and not kinds & cluster.kinds:
        return None
    if containers & (cluster.containers | cluster.sites) or sites & cluster.containers:
        return 1.0
    if _contains(containers, cluster.sites, kb) or _contains(cluster.containers, sites, kb):
        return 1.0
    return None


def _when_score(cluster: _Cluster, event: ExtractedEvent, when: dt.date | None) -> float | None:
    if when is None or cluster.when is None:
        return 0.0
    delta = (when - cluster.when).days
    if event.type in FOLLOW_UP_TYPES:
        return 1.0 - delta / FOLLOW_UP_DAYS if -1 <= delta <= FOLLOW_UP_DAYS else None
    if not cluster.physical:
        return 0.5 if -FOLLOW_UP_DAYS <= delta <= 1 else None
    return 1.0 - abs(delta) / (SAME_EVENT_DAYS + 1) if abs(delta) <= SAME_EVENT_DAYS else None


def _order_key(event: ExtractedEvent, when: dt.date | None) -> tuple[int, dt.date, str, int]:
    return (int(event.type in FOLLOW_UP_TYPES), when or dt.date.max, event.article_id, event.index)


def resolve(
    extractions: Iterable[ArticleExtraction], articles: Mapping[str, ArticleInfo], kb: KnowledgeBase
) -> list[Incident]:
    """Cluster every extracted event into incidents (see the module docstring)."""
    events = [e for x in extractions if x.is_incident_report for e in x.events]
    is_copy = {aid for aid, info in articles.items() if info.near_duplicate_of is not None}
    originals = [e for e in events if e.article_id not in is_copy]
    copies = [e for e in events if e.article_id in is_copy]
    clusters: list[_Cluster] = []
    index = _TimeIndex()
    home: dict[tuple[str, int], _Cluster] = {}
    for event in sorted(originals, key=lambda e: _order_key(e, _when(e, articles.get(e.article_id)))):
        when = _when(event, articles.get(event.article_id))
        sites, containers = _split_assets(event, kb)
        best, best_score = None, -1.0
        for cluster in index.candidates(when, clusters):
            where = _where_score(cluster, event, sites, containers, kb)
            timing = _when_score(cluster, event, when) if where is not None else None
            if where is None or timing is None:
                continue
            if where + timing > best_score:
                best, best_score = cluster, where + timing
        if best is None:
            best = _Cluster(seq=len(clusters))
            clusters.append(best)
        before = best.when
        best.add(event, sites, containers, when)
        index.place(best, before)
        home[(event.article_id, event.index)] = best
    clusters = _rehome_misdated(clusters, articles, kb, home)
    for event in sorted(copies, key=lambda e: (e.article_id, e.index)):
        original = articles[event.article_id].near_duplicate_of or ""
        target = home.get((original, event.index)) or home.get((original, 0))
        if target is None:
            target = _Cluster(seq=len(clusters))
            clusters.append(target)
        sites, containers = _split_assets(event, kb)
        target.add(event, sites, containers, _when(event, articles.get(event.article_id)))
    return sorted((_incident(c, articles, kb) for c in clusters), key=lambda i: i.id)


def _rehome_misdated(
    clusters: list[_Cluster],
    articles: Mapping[str, ArticleInfo],
    kb: KnowledgeBase,
    home: dict[tuple[str, int], _Cluster],
) -> list[_Cluster]:
    """Move a lone, misdated report into the incident it is about.

    An article that reports a physical event as news but dates it more than
    ``SAME_EVENT_DAYS`` before its own publication, where no other report gives that
    date at that place (the event is alone in its cluster), while exactly one incident
    of the same category at the same place happened in the ``SAME_EVENT_DAYS`` before
    publication, got the date wrong ("September 19th" in a piece on the 19 October
    strike). It joins that incident, where verification shows its date as contested.
    """
    kept = []
    for cluster in clusters:
        target = _misdated_target(cluster, clusters, articles, kb)
        if target is None:
            kept.append(cluster)
            continue
        for event in cluster.events:
            sites, containers = _split_assets(event, kb)
            target.add(event, sites, containers, None)
            home[(event.article_id, event.index)] = target
    for seq, cluster in enumerate(kept):
        cluster.seq = seq
    return kept


def _misdated_target(
    cluster: _Cluster, clusters: list[_Cluster], articles: Mapping[str, ArticleInfo], kb: KnowledgeBase
) -> _Cluster | None:
    if len(cluster.events) != 1 or not cluster.physical or cluster.when is None:
        return None
    event = cluster.events[0]
    info = articles.get(event.article_id)
    if info is None or info.published is None or (info.published - cluster.when).days <= SAME_EVENT_DAYS:
        return None
    sites, containers = _split_assets(event, kb)
    found = [
        other
        for other in clusters
        if other is not cluster
        and other.physical
        and other.when is not None
        and 0 <= (info.published - other.when).days <= SAME_EVENT_DAYS
        and any(e.category == event.category for e in other.events)
        and _where_score(other, event, sites, containers, kb) is not None
    ]
    return found[0] if len(found) == 1 else None


def _narrowed(event: ExtractedEvent, cluster: _Cluster, kb: KnowledgeBase) -> ExtractedEvent:
    """What resolution adds to an article's event: an event that named only a container
    ("a CPC pumping station") gets the sites the other reports of its incident named."""
    update: dict[str, object] = {}
    sites, _ = _split_assets(event, kb)
    if not sites and cluster.sites:
        update["assets"] = sorted(cluster.sites)
    # Likewise an undated report of the strike itself happened on the incident's day.
    if event.date.start is None and event.type not in FOLLOW_UP_TYPES and cluster.when is not None:
        update["date"] = DateRange(start=cluster.when, end=cluster.when, precision="day")
    return event.model_copy(update=update) if update else event


def _incident(cluster: _Cluster, articles: Mapping[str, ArticleInfo], kb: KnowledgeBase) -> Incident:
    events = sorted(
        (_narrowed(e, cluster, kb) for e in cluster.events),
        key=lambda e: (e.type in FOLLOW_UP_TYPES, e.article_id, e.index),
    )
    lead = min(
        events,
        key=lambda e: (
            _TYPE_RANK.index(e.category) if e.category in _TYPE_RANK else 9,
            e.article_id,
            e.index,
        ),
    )
    first = events[0]
    digest = hashlib.sha256(f"{first.article_id}#{first.index}".encode()).hexdigest()[:12]
    dated = [e.date for e in events if e.type not in FOLLOW_UP_TYPES and e.date.start is not None]
    dated = dated or [e.date for e in events if e.date.start is not None]
    date = _consensus_date(dated) if dated else _undated(events)
    located = [e.location for e in events if e.location is not None and e.location.lat is not None]
    # The site's own location first: a report may be located at a neighbouring asset it
    # mentions (the Kavkazskaya story's "near the Kropotkinskaya station").
    located.sort(key=lambda loc: loc.asset_id not in cluster.sites)
    location: Location | None = (
        located[0] if located else next((e.location for e in events if e.location), None)
    )
    members = sorted({e.article_id for e in events})
    return Incident(
        id=f"inc-{digest}",
        category=lead.category,
        type=lead.type,
        date=date,
        assets=sorted(cluster.sites or cluster.containers),
        location=location,
        articles=members,
        copies=[a for a in members if articles.get(a) and articles[a].near_duplicate_of],
        events=events,
    )


def _consensus_date(dated: list[DateRange]) -> DateRange:
    """The date most reports give (one outlet's wrong day must not date the incident);
    ties go to the more precise, then the earlier."""
    counts: dict[dt.date | None, int] = {}
    for d in dated:
        counts[d.start] = counts.get(d.start, 0) + 1
    return min(dated, key=lambda d: (-counts[d.start], d.precision != "day", d.start or dt.date.max))


def _undated(events: list[ExtractedEvent]) -> DateRange:
    """No year anywhere: keep the month and day the text gave, never invent a year."""
    for event in events:
        if event.date.month_day is not None:
            return event.date
    return DateRange()
