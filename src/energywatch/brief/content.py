"""What a brief says, independent of how it is rendered.

``build_brief`` turns incident records (the DESIGN §11 shape from
``energywatch.export.incident_record``), the articles that report them and the
knowledge base into a ``Brief``: key points that each cite their sources, the consensus,
the disagreements, knowledge-base conflicts, impact, and an analysis of the asset's role
computed from the knowledge base (share of exports, alternatives and their spare
capacity, recent incidents on the same route).

This module assembles the brief; the parts live beside it: ``brief.model`` (the records),
``brief.findings`` (what the sources say about an incident), ``brief.analysis`` (the
asset's role from the KB), ``brief.citations`` and ``brief.formatting``. The records and
``format_value`` are re-exported here, where callers have always imported them.

Citations are of two kinds: article numbers (``[1]`` → the first entry of
``Brief.sources``) and knowledge-base source ids (``S135``), listed in
``Brief.kb_sources`` with their URLs. Nothing here is rendered or escaped; every text
that comes from an article stays plain text and the renderers escape it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from energywatch.brief.analysis import analysis_sections
from energywatch.brief.citations import Citations, dedupe
from energywatch.brief.findings import (
    find_claim_points,
    find_consensus,
    find_disagreements,
    impact_points,
    verification_points,
)
from energywatch.brief.formatting import as_day, asset_name, date_text, format_value, parse_day, type_label
from energywatch.brief.model import (
    NONE_RECORDED,
    Alternative,
    AnalysisSection,
    ArticleLike,
    Brief,
    BriefArticle,
    ClaimPoint,
    Disagreement,
    IncidentSection,
    KBSource,
    Point,
    RouteEvent,
    SourceEntry,
    TimelineRow,
    Version,
)
from energywatch.kb import KnowledgeBase

__all__ = [
    "NONE_RECORDED",
    "Alternative",
    "AnalysisSection",
    "ArticleLike",
    "Brief",
    "BriefArticle",
    "ClaimPoint",
    "Disagreement",
    "IncidentSection",
    "KBSource",
    "Point",
    "RouteEvent",
    "SourceEntry",
    "TimelineRow",
    "Version",
    "build_brief",
    "format_value",
]


def _section(
    record: Mapping[str, Any],
    kb: KnowledgeBase,
    cites: Citations,
    others: Sequence[Mapping[str, Any]],
) -> IncidentSection:
    cites.copies |= set(record.get("copies") or [])
    consensus = find_consensus(record, kb, cites)
    location = record.get("location") or {}
    return IncidentSection(
        id=str(record.get("id")),
        type=str(record.get("type")),
        type_label=type_label(str(record.get("type"))),
        category=str(record.get("category", "")),
        date=date_text(record.get("date")),
        date_start=parse_day((record.get("date") or {}).get("start")),
        location=location.get("name"),
        assets=list(record.get("assets") or []),
        asset_names=[asset_name(kb, a) for a in record.get("assets") or []],
        consensus=consensus,
        disagreements=find_disagreements(record, cites),
        contradictions=verification_points(
            [*(record.get("contradictions") or []), *(record.get("copy_edits") or [])], cites, kb
        ),
        kb_conflicts=verification_points(record.get("kb_conflicts"), cites, kb),
        impact=impact_points(record.get("impact")),
        analysis=analysis_sections(record, kb, cites, others),
        claim_points=find_claim_points(record, cites),
        cites=cites.cite(record.get("articles") or []),
    )


def _key_points(sections: list[IncidentSection]) -> list[Point]:
    points: list[Point] = []
    for section in sections:
        points.append(section.consensus[0])
        for dis in section.disagreements:
            versions = "; ".join(
                f"{v.value} ({', '.join(v.outlets)}"
                + (f", citing {', '.join(v.speakers)}" if v.speakers else "")
                + ")"
                for v in dis.versions
            )
            points.append(
                Point(
                    text=f"Sources disagree on the {dis.label}: {versions}.",
                    cites=sorted({c for v in dis.versions for c in v.cites}),
                )
            )
        for point in section.kb_conflicts:
            points.append(
                Point(
                    text=f"Knowledge-base conflict: {point.text}", cites=point.cites, kb_cites=point.kb_cites
                )
            )
        for analysis in section.analysis:
            share = next((p for p in analysis.role if p.text.startswith("CPC carries")), None)
            if share is not None:
                points.append(share)
            if analysis.alternatives_summary is not None:
                points.append(analysis.alternatives_summary)
        if section.impact:
            points.append(Point(text="Impact model: " + section.impact[0].text, cites=section.cites))
    # Every bullet cites something: fall back to the incident's articles.
    return [
        p if p.cites or p.kb_cites else Point(text=p.text, cites=sections[0].cites) for p in dedupe(points)
    ]


def _timeline(
    records: Sequence[Mapping[str, Any]], sections: list[IncidentSection], cites: Citations
) -> list[TimelineRow]:
    rows = []
    for record, section in zip(records, sections, strict=True):
        reports: list[tuple[dt.date, str]] = []
        for article_id in record.get("articles") or []:
            article = cites.articles.get(article_id)
            day = as_day(article.published) if article is not None else None
            if day is not None:
                reports.append((day, cites.outlet(article_id)))
        where = ", ".join(section.asset_names) or section.location or "unnamed site"
        rows.append(
            TimelineRow(
                label=f"{section.type_label} — {where}", date=section.date_start, reports=sorted(reports)
            )
        )
    return rows


def build_brief(
    incidents: list[dict[str, Any]],
    articles: Mapping[str, ArticleLike],
    kb: KnowledgeBase,
    *,
    title: str,
    related: Sequence[Mapping[str, Any]] = (),
    generated: dt.date | None = None,
    period: str | None = None,
) -> Brief:
    """Build a brief over incident records (``export.incident_record`` shape).

    ``articles`` maps article id → outlet, title, url, published (and optionally the
    clean ``text``); ``related`` are further incident records (e.g. earlier incidents on
    the same assets from the store) used only for "recent incidents on the same route";
    ``period`` is the period the reader asked for (default: the span of the incidents).
    """
    cites = Citations(articles)
    ordered = sorted(incidents, key=lambda r: ((r.get("date") or {}).get("start") or "", str(r.get("id"))))
    others = [*ordered, *related]
    sections = [_section(r, kb, cites, others) for r in ordered]
    days = [s.date_start for s in sections if s.date_start]
    spanned = f"{min(days)} to {max(days)}" if days else "undated"
    if days and min(days) == max(days):
        spanned = str(min(days))
    return Brief(
        title=title,
        generated=generated or dt.date.today(),
        period=period or spanned,
        key_points=_key_points(sections) if sections else [],
        incidents=sections,
        timeline=_timeline(ordered, sections, cites),
        sources=cites.entries(),
        kb_sources=sorted(
            cites.kb.values(), key=lambda s: (s.id[0], int(re.sub(r"\D", "", s.id) or 0), s.id)
        ),
    )
