"""An incident assessed: per-attribute verdicts, knowledge-base conflicts, source scores
and the story timeline, computed together because each needs the others' inputs.

Source scores depend on which claims were contested or in KB conflict across *all*
incidents, so they are computed once per store (``Context.from_store``) and then shown
next to every claim of every incident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from energywatch.copy_edits import CopyEdit, copy_edits
from energywatch.errors import NotFoundError
from energywatch.kb import KnowledgeBase
from energywatch.models import Article, Claim, Incident
from energywatch.reliability import SourceRecord, claim_key, outlet_key, score_sources
from energywatch.site_rates import site_rate_claims
from energywatch.storage import Store
from energywatch.timeline import TimelineEntry, incident_timeline
from energywatch.verify import WEAK_HEDGES, AttributeVerdict, verify_attributes
from energywatch.verify_kb import KBConflict, Parsed, kb_conflicts

# Fields describing the incident itself: they get verdicts (shown as contradictions when
# contested) but are not listed among the compared attributes.
FRAME_FIELDS = frozenset({"type", "date", "location"})


@dataclass(slots=True)
class Context:
    """What assessing an incident needs beyond the incident itself."""

    kb: KnowledgeBase
    outlet_of: Mapping[str, str]
    article: Callable[[str], Article]
    scores: Mapping[str, SourceRecord] = field(default_factory=dict)
    # Scoring sources needs every incident's verdicts and conflicts, and so does each
    # record afterwards: computed once per incident id.
    _verdicts: dict[str, dict[str, AttributeVerdict]] = field(default_factory=dict)
    _conflicts: dict[str, list[KBConflict]] = field(default_factory=dict)
    _parsed: Parsed = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store, kb: KnowledgeBase, incidents: Iterable[Incident]) -> Context:
        """Build the context and score every outlet from its record across ``incidents``."""
        outlet_of = {m.article_id: outlet_key(m.article_id, m.outlet) for m in store.iter_article_meta()}
        cache: dict[str, Article] = {}

        def article(article_id: str) -> Article:
            if article_id not in cache:
                cache[article_id] = store.get_article(article_id)
            return cache[article_id]

        ctx = cls(kb=kb, outlet_of=outlet_of, article=article)
        incidents = list(incidents)
        conflicts = {claim_key(c.claim) for i in incidents for c in ctx.conflicts(i)}
        # Every claim behind a verdict gets that verdict's status; the claims no verdict
        # judges (context volumes, the list fields) are neither contested nor agreed.
        statuses = {
            claim_key(c): v.status
            for i in incidents
            for v in ctx.verdicts(i).values()
            for c in v.claims
            if not _is_echo(c, v, set(i.copies))
        }
        ctx.scores = score_sources(store.iter_articles(), statuses, conflicts, incidents=incidents)
        return ctx

    @classmethod
    def for_incidents(
        cls,
        store: Store,
        kb: KnowledgeBase,
        incidents: Iterable[Incident],
        scores: Mapping[str, SourceRecord] | None = None,
    ) -> Context:
        """A context for assessing ``incidents`` only: outlets of their own articles,
        articles read once on demand, and the given (whole-store) source scores. Much
        cheaper than ``from_store`` when a few incidents are wanted (one API page, the
        incidents a watcher cycle changed)."""
        cache: dict[str, Article] = {}

        def article(article_id: str) -> Article:
            if article_id not in cache:
                cache[article_id] = store.get_article(article_id)
            return cache[article_id]

        outlet_of = {
            a: outlet_key(a, article(a).source.name)
            for incident in incidents
            for a in (*incident.articles, *incident.copies)
        }
        return cls(kb=kb, outlet_of=outlet_of, article=article, scores=scores or {})

    def verdicts(self, incident: Incident) -> dict[str, AttributeVerdict]:
        if incident.id not in self._verdicts:
            texts = _Texts(self.article, incident.articles)
            rates = site_rate_claims(incident, texts, self.kb)
            found = verify_attributes(incident, self.outlet_of, set(incident.copies), extra=rates)
            self._verdicts[incident.id] = found
        return self._verdicts[incident.id]

    def conflicts(self, incident: Incident) -> list[KBConflict]:
        if incident.id not in self._conflicts:
            texts = _Texts(self.article, incident.articles)
            self._conflicts[incident.id] = kb_conflicts(incident, texts, self.kb, self._parsed)
        return self._conflicts[incident.id]


def _is_echo(claim: Claim, found: AttributeVerdict, copies: set[str]) -> bool:
    """A firm, counted claim outside every group: an outlet's second figure that the
    verdict set aside (``verify._fold_echoes``). It was neither confirmed nor contested,
    so it gets no status for the source scores."""
    if claim.article_id in copies or claim.hedge in WEAK_HEDGES:
        return False
    return not any(claim is c for g in found.groups for c in g)


class _Texts(Mapping[str, str]):
    """Clean texts of an incident's articles, read only when a check asks for one."""

    def __init__(self, article: Callable[[str], Article], ids: list[str]) -> None:
        self._article = article
        self._ids = ids

    def __getitem__(self, key: str) -> str:
        if key not in self._ids:
            raise KeyError(key)
        return self._article(key).clean_text

    def __iter__(self) -> Any:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(slots=True)
class Assessment:
    """Verdicts per attribute, KB conflicts and the story of one incident."""

    verdicts: dict[str, AttributeVerdict]
    conflicts: list[KBConflict]
    timeline: list[TimelineEntry]
    copy_edits: list[CopyEdit] = field(default_factory=list)

    @property
    def contradictions(self) -> list[AttributeVerdict]:
        return [v for v in self.verdicts.values() if v.status == "contested"]


def assess(incident: Incident, ctx: Context) -> Assessment:
    verdicts = ctx.verdicts(incident)
    articles = {a: ctx.article(a) for a in incident.articles}
    return Assessment(
        verdicts=verdicts,
        conflicts=ctx.conflicts(incident),
        timeline=incident_timeline(incident, articles),
        copy_edits=_copy_edits(incident, articles, ctx),
    )


def _copy_edits(incident: Incident, articles: Mapping[str, Article], ctx: Context) -> list[CopyEdit]:
    """Edits each copy made to its original (an original outside the store is skipped)."""
    found: list[CopyEdit] = []
    for copy_id in incident.copies:
        copy = articles.get(copy_id)
        if copy is None or not copy.near_duplicate_of:
            continue
        try:
            original = articles.get(copy.near_duplicate_of) or ctx.article(copy.near_duplicate_of)
        except NotFoundError:
            continue
        found += copy_edits(original.id, original.clean_text, copy.id, copy.clean_text, ctx.kb)
    return found
