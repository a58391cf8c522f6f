"""Exports in the DESIGN §11 contract. Evaluation reads these files, so field names and
ids are part of the public interface; ``tests/test_export.py`` pins the shape.

The JSON export is streamed article by article so a large store never has to fit in
memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from energywatch import __version__
from energywatch.assessment import FRAME_FIELDS, Context, assess
from energywatch.errors import ConfigError
from energywatch.kb import KnowledgeBase
from energywatch.models import Article, Claim, DateRange, ExtractedEvent, Hedge, Incident, Location
from energywatch.storage import Store

# Fields that describe the incident itself rather than attributes to compare.
_FRAME_FIELDS = frozenset({"type", "date", "location", "assets", "facility", "response"})
_WEAK = frozenset({Hedge.alleged, Hedge.speculative, Hedge.denied})


def _facilities(incident: Incident) -> list[dict[str, Any]]:
    """Affected facilities the knowledge base does not know, as the reports describe them."""
    seen: dict[tuple[str, str | None], dict[str, Any]] = {}
    for event in incident.events:
        for facility in event.facilities:
            entry = seen.setdefault(
                (facility.kind, facility.place),
                {"kind": facility.kind, "place": facility.place, "in_kb": False, "articles": []},
            )
            if event.article_id not in entry["articles"]:
                entry["articles"].append(event.article_id)
    return list(seen.values())


def _responses(incident: Incident) -> list[dict[str, Any]]:
    """Reactions to the incident (requests for explanation, protests, talks, statements)."""
    found = []
    for event in incident.events:
        for claim in event.claims:
            if claim.field == "response":
                found.append(
                    {
                        "article": claim.article_id,
                        "type": claim.value,
                        "speaker": claim.speaker,
                        "hedge": claim.hedge.value,
                        "span": [claim.start, claim.end],
                        "sentence": [claim.sentence_start, claim.sentence_end],
                    }
                )
    return found


def incident_records(store: Store, kb: KnowledgeBase, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Records for ``ids`` (default: every incident), assessed against the whole store:
    source scores come from each outlet's record across all incidents."""
    everything = [store.get_incident(i) for i in store.incident_ids()]
    ctx = Context.from_store(store, kb, everything)
    wanted = set(ids) if ids is not None else None
    return [incident_record(i, ctx) for i in everything if wanted is None or i.id in wanted]


def _claim_record(claim: Claim, copies: set[str], ctx: Context) -> dict[str, Any]:
    outlet = ctx.outlet_of.get(claim.article_id)
    score = ctx.scores.get(outlet) if outlet else None
    return {
        "article": claim.article_id,
        "outlet": outlet,
        "source_score": round(score.score, 3) if score else None,
        "value": claim.value,
        "span": [claim.start, claim.end],
        "sentence": [claim.sentence_start, claim.sentence_end],
        "speaker": claim.speaker,
        "hedge": claim.hedge.value,
        "copy": claim.article_id in copies,
    }


def incident_record(incident: Incident, ctx: Context) -> dict[str, Any]:
    """One incident in the DESIGN §11 export shape, assessed (verdicts with their reason
    and claims, contradictions, KB conflicts, source scores, timeline)."""
    found = assess(incident, ctx)
    copies = set(incident.copies)
    attributes = {
        name: {
            "value": v.value,
            "status": v.status,
            "reason": v.reason,
            "claims": [_claim_record(c, copies, ctx) for c in v.claims],
        }
        for name, v in sorted(found.verdicts.items())
        if name not in FRAME_FIELDS
    }
    return {
        "id": incident.id,
        "category": incident.category,
        "type": incident.type,
        "date": _date_record(incident.date),
        "assets": incident.assets,
        "location": _location_record(incident.location),
        "articles": incident.articles,
        "copies": incident.copies,
        "facilities": _facilities(incident),
        "responses": _responses(incident),
        "attributes": attributes,
        "contradictions": [
            {
                "field": v.field,
                "reason": v.reason,
                "versions": [
                    {"value": g[0].value, "claims": [_claim_record(c, copies, ctx) for c in g]}
                    for g in v.groups
                ],
            }
            for v in found.contradictions
        ],
        "copy_edits": [
            {
                "kind": e.kind,
                "article": e.copy,
                "original": e.original,
                "before": e.before,
                "after": e.after,
                "span": [e.start, e.end],
                "sentence": [e.sentence_start, e.sentence_end],
                "reason": e.reason,
            }
            for e in found.copy_edits
        ],
        "kb_conflicts": [
            {
                "asset_id": c.asset_id,
                "field": c.claim.field,
                "article": c.claim.article_id,
                "span": [c.claim.start, c.claim.end],
                "text": c.claim.raw,
                "fact": c.fact,
                "source": c.source,
                "reason": c.reason,
            }
            for c in found.conflicts
        ],
        "timeline": [
            {
                "date": e.date.isoformat() if e.date else None,
                "date_basis": e.date_basis,
                "kind": e.kind,
                "type": e.type,
                "article": e.article_id,
                "outlet": e.outlet,
                "summary": e.summary,
                "speaker": e.speaker,
            }
            for e in found.timeline
        ],
        "impact": incident.impact.model_dump(mode="json") if incident.impact else None,
    }


def _date_record(date: DateRange) -> dict[str, Any]:
    return {
        "start": date.start.isoformat() if date.start else None,
        "end": date.end.isoformat() if date.end else None,
        "precision": date.precision,
        "month_day": list(date.month_day) if date.month_day else None,
    }


def _location_record(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "name": location.name,
        "lat": location.lat,
        "lon": location.lon,
        "country": location.country,
        "relation": location.relation,
    }


def event_record(event: ExtractedEvent, incident_id: str | None) -> dict[str, Any]:
    """What one article itself says about an incident it reports.

    An incident has one type and date, but a follow-up article reports a restoration
    and a reaction article a statement; evaluation and analysts both need the article's
    own view next to the incident it was resolved into. Attribute values are the
    article's firmest claim for each field.
    """
    values: dict[str, Any] = {}
    for claim in sorted(event.claims, key=lambda c: (c.hedge in _WEAK, c.start)):
        if claim.field not in _FRAME_FIELDS:
            values.setdefault(claim.field, {"value": claim.value})
    return {
        "incident_id": incident_id,
        "type": event.type,
        "category": event.category,
        "date": _date_record(event.date),
        "assets": event.assets,
        "location": _location_record(event.location),
        "attributes": values,
    }


def article_record(
    article: Article,
    *,
    is_incident_report: bool | None = None,
    incident_ids: list[str] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One article as evaluation and downstream tools see it.

    ``is_incident_report`` is null until the extraction stage has assessed the article:
    "not assessed" and "assessed, not an incident" must not look the same.
    """
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.source.name,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "is_incident_report": is_incident_report,
        "near_duplicate_of": article.near_duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "incident_ids": incident_ids or [],
        "events": events or [],
        "removed_spans": [
            {"start": s.start, "end": s.end, "kind": s.kind.value} for s in article.removed_spans
        ],
    }


def write_json(store: Store, kb: KnowledgeBase, out: TextIO) -> int:
    """Write the whole export to ``out``; returns the number of articles written.

    Articles are streamed; incidents are loaded once (they are few next to articles) to
    know which incident each article's event was resolved into.
    """
    meta = {
        "generator": f"energywatch {__version__}",
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    incidents = [store.get_incident(i) for i in store.incident_ids()]
    ctx = Context.from_store(store, kb, incidents)
    home = {(e.article_id, e.index): i.id for i in incidents for e in i.events}
    # Resolved copies of the events (resolution may have named the sites for them).
    resolved = {(e.article_id, e.index): e for i in incidents for e in i.events}
    out.write('{"meta": ' + json.dumps(meta) + ',\n "articles": [')
    count = 0
    for article in store.iter_articles():
        extraction = store.get_extraction(article.id)
        record = article_record(
            article,
            is_incident_report=extraction.is_incident_report if extraction else None,
            incident_ids=store.incident_ids_for_article(article.id),
            events=[
                event_record(resolved.get((article.id, e.index), e), home.get((article.id, e.index)))
                for e in extraction.events
            ]
            if extraction
            else [],
        )
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write('\n ],\n "incidents": [')
    for n, incident in enumerate(incidents):
        record = incident_record(incident, ctx)
        out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
    sources = [r.as_dict() for r in sorted(ctx.scores.values(), key=lambda r: r.outlet)]
    out.write('\n ],\n "sources": ' + json.dumps(sources, ensure_ascii=False) + "\n}\n")
    return count


FORMATS = ("json", "acled-csv", "geojson", "plover-jsonl")
"""Export formats: the DESIGN §11 JSON, and the interchange formats of docs/exports.md."""


def write_export(store: Store, kb: KnowledgeBase, fmt: str, out: TextIO) -> str:
    """Write one export format to ``out``; returns what was written, for the user."""
    from energywatch import interchange  # only needed for the interchange formats

    if fmt == "json":
        return f"{write_json(store, kb, out)} articles"
    incidents = [store.get_incident(i) for i in store.incident_ids()]
    ctx = Context.from_store(store, kb, incidents)
    records = (incident_record(i, ctx) for i in incidents)
    if fmt == "acled-csv":
        rows = interchange.write_acled_csv(
            records, out, outlets_of=interchange.outlets_from_store(store.get_article), assets=kb.assets
        )
        return f"{rows} ACLED rows"
    if fmt == "geojson":
        interchange.write_geojson(records, kb.assets.values(), out)
        return "a GeoJSON FeatureCollection"
    if fmt == "plover-jsonl":
        return f"{interchange.write_plover_jsonl(records, out, assets=kb.assets)} PLOVER events"
    raise ConfigError(f"unknown export format {fmt!r}", "available formats: " + ", ".join(FORMATS))
