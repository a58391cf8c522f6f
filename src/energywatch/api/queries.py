"""Incident listings and incident records for the API and the dashboard, with what a
list row needs to be drawn (place, point, verdict summary, impact) and the verdict filter.

The verdict filter (``status``) is computed, not stored: verdicts depend on every
report of an incident and change whenever one arrives. It assesses the incidents that
match the other filters exactly as the detail view does (copies set aside, site-rate
claims included), so it costs a few milliseconds per matching incident.

Incident records (the detail view, briefs) carry each outlet's source score, which is
scored from its record across *every* incident of the store: assessing all of them
takes minutes on a large store (``docs/performance.md``). ``Assessor`` does that once,
keeps only the scores, and assesses just the incident asked for on each request. When
the store changes (article or incident counts, incident ids) the scores are recomputed
in the background while the previous ones keep being served; only the very first
request of a server waits for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from energywatch.assessment import Context
from energywatch.brief import Brief, BriefArticle, build_brief
from energywatch.export import incident_record
from energywatch.kb import KnowledgeBase, load_knowledge_base
from energywatch.models import Article, Incident
from energywatch.reliability import SourceRecord
from energywatch.storage import IncidentQuery, Store
from energywatch.views import incident_row

Sort = Literal["date", "-date", "articles", "-articles"]
_ALL = 1_000_000
log = logging.getLogger(__name__)


def incident_summary(incident: Incident, statuses: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A list row: ``views.incident_row`` plus the point, the country and the impact."""
    loc = incident.location
    impact = incident.impact
    return incident_row(incident) | {
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "country": loc.country if loc else None,
        "impact_p50_mt": impact.lost_mt.p50 if impact and impact.lost_mt else None,
        "statuses": dict(statuses) if statuses is not None else None,
    }


@functools.cache
def _bundled_kb() -> KnowledgeBase:
    return load_knowledge_base()


def incident_page(
    store: Store,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    asset: str | None = None,
    country: str | None = None,
    category: str | None = None,
    type: str | None = None,
    status: str | None = None,
    sort: Sort = "-date",
    limit: int = 50,
    offset: int = 0,
    kb: KnowledgeBase | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of rows). With ``status``, rows carry every verdict of
    the incident (``statuses``, frame fields date/type/location included) and only
    incidents with at least one verdict of that status match; ``kb`` is the knowledge
    base the site-rate checks use (default: the bundled one)."""
    query = IncidentQuery(
        type=type, category=category, asset=asset, country=country, date_from=date_from,
        date_to=date_to, limit=limit, offset=offset, sort=sort,
    )  # fmt: skip
    if status is None:
        found, total = store.list_incidents(query)
        return total, [incident_summary(i) for i in found]
    everything, _ = store.list_incidents(dataclasses.replace(query, limit=_ALL, offset=0))
    matching = []
    for incident in everything:
        ctx = Context.for_incidents(store, kb or _bundled_kb(), [incident])
        verdicts = {k: v.status for k, v in ctx.verdicts(incident).items()}
        if status in verdicts.values():
            matching.append((incident, verdicts))
    page = matching[offset : offset + limit]
    return len(matching), [incident_summary(i, v) for i, v in page]


class Assessor:
    """Assessed incident records without assessing the whole store on every request.

    ``scores()`` are the source scores over every incident (``Context.from_store``),
    computed on first use and kept while the store's state (article and copy counts,
    incidents per type, incident ids; checked at most every ``recheck_seconds``) is
    unchanged. A change starts a recomputation in a background thread; until it ends,
    the previous scores are served. ``invalidate()`` makes the next call check at once.
    """

    def __init__(
        self,
        store: Store,
        kb: KnowledgeBase,
        *,
        recheck_seconds: float = 30.0,
        background: bool = True,
    ) -> None:
        self.store = store
        self.kb = kb
        self.recheck_seconds = recheck_seconds
        self.background = background
        self._lock = threading.Lock()
        self._computing = threading.Lock()
        self._scores: Mapping[str, SourceRecord] | None = None
        self._state: tuple[Any, ...] | None = None
        self._checked = -float("inf")
        self._refreshing = False
        self._thread: threading.Thread | None = None

    def _store_state(self) -> tuple[Any, ...]:
        status = self.store.status()
        counts = self.store.incident_counts()
        return (
            status.articles,
            status.near_duplicates,
            tuple(sorted(counts.items())),
            hash(tuple(self.store.incident_ids())),
        )

    def _compute(self, state: tuple[Any, ...]) -> None:
        everything = [self.store.get_incident(i) for i in self.store.incident_ids()]
        scores = Context.from_store(self.store, self.kb, everything).scores
        with self._lock:
            self._scores, self._state = scores, state

    def _refresh(self, state: tuple[Any, ...]) -> None:
        try:
            with self._computing:
                self._compute(state)
        except Exception:  # the previous scores stay; the next check retries
            log.exception("recomputing source scores failed")
        finally:
            with self._lock:
                self._refreshing = False

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background recomputation, if one is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def invalidate(self) -> None:
        with self._lock:
            self._checked = -float("inf")

    def scores(self) -> Mapping[str, SourceRecord]:
        now = time.monotonic()
        with self._lock:
            if self._scores is not None and now - self._checked < self.recheck_seconds:
                return self._scores
            self._checked = now
        state = self._store_state()
        with self._lock:
            current = self._scores
            if current is not None and (state == self._state or self._refreshing):
                return current
            if current is not None and self.background:
                self._refreshing = True
                self._thread = threading.Thread(target=self._refresh, args=(state,), daemon=True)
                self._thread.start()
                return current
        with self._computing:  # first use (or no background): compute, once for all waiters
            with self._lock:
                if self._scores is not None and self._state == state:
                    return self._scores
            self._compute(state)
        with self._lock:
            assert self._scores is not None
            return self._scores

    def context(self, incidents: Iterable[Incident]) -> Context:
        return Context.for_incidents(self.store, self.kb, incidents, self.scores())

    def record(self, incident_id: str) -> dict[str, Any]:
        """The DESIGN §11 record of one incident, as ``export.incident_records`` gives it."""
        incident = self.store.get_incident(incident_id)
        return incident_record(incident, self.context([incident]))

    def brief(self, incident_id: str) -> Brief:
        """The brief ``brief.brief_from_store(incident_id=...)`` builds, without assessing
        the other incidents: those on the same assets are needed only for their id,
        type, date and assets ("recent incidents on the same route")."""
        incident = self.store.get_incident(incident_id)
        ctx = self.context([incident])
        record = incident_record(incident, ctx)
        read: Callable[[str], Article] = ctx.article
        articles = {a: BriefArticle.from_article(read(a)) for a in record["articles"]}
        related: dict[str, dict[str, Any]] = {}
        for asset in incident.assets:
            others, _ = self.store.list_incidents(IncidentQuery(asset=asset, limit=_ALL))
            for other in others:
                if other.id != incident.id:
                    related[other.id] = _related_record(other)
        title = f"Incident brief: {record['type'].replace('_', ' ')}"
        return build_brief(
            [record], articles, self.kb, title=title, related=[related[k] for k in sorted(related)]
        )


def _related_record(incident: Incident) -> dict[str, Any]:
    """The fields of an incident record a brief reads from a related incident."""
    start = incident.date.start
    return {
        "id": incident.id,
        "type": incident.type,
        "category": incident.category,
        "assets": incident.assets,
        "date": {"start": start.isoformat() if start else None},
    }


_ASSESSOR_LOCK = threading.Lock()


def assessor(state: Any, store: Store, kb: KnowledgeBase) -> Assessor:
    """The app's ``Assessor`` (kept on ``state``, e.g. ``request.app.state``), made on first use."""
    with _ASSESSOR_LOCK:
        found: Assessor | None = getattr(state, "assessor", None)
        if found is None or found.store is not store:
            found = Assessor(store, kb)
            state.assessor = found
        return found
