"""Briefs: incidents written up for an analyst, as Markdown, HTML or PDF (DESIGN §9).

    records = export.incident_records(store, kb, ids)
    articles = {a: BriefArticle.from_article(store.get_article(a)) for r in records for a in r["articles"]}
    brief = build_brief(records, articles, kb, title="…")
    render_markdown(brief) / render_html(brief) / render_pdf(brief, path)

``build_brief`` decides what is said (every key point cites its sources); the renderers
only lay it out and escape article-derived text.
"""

import datetime as dt

from energywatch.brief.content import (
    ArticleLike,
    Brief,
    BriefArticle,
    build_brief,
    format_value,
)
from energywatch.brief.html import render_html
from energywatch.brief.markdown import render_markdown
from energywatch.brief.pdf import PdfUnavailableError, pdf_available, render_pdf
from energywatch.export import incident_records
from energywatch.kb import KnowledgeBase
from energywatch.storage import IncidentQuery, Store


def brief_from_store(
    store: Store,
    kb: KnowledgeBase,
    *,
    incident_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Brief:
    """A brief for one incident, or for every incident dated within ``since``..``until``."""
    if incident_id is not None:
        records = incident_records(store, kb, [store.get_incident(incident_id).id])
        title = f"Incident brief: {records[0]['type'].replace('_', ' ')}"
    else:
        found, _ = store.list_incidents(IncidentQuery(date_from=since, date_to=until, limit=1000))
        records = incident_records(store, kb, [i.id for i in found])
        title = f"Incident brief: {since or '…'} to {until or '…'}"
    articles = {a: BriefArticle.from_article(store.get_article(a)) for r in records for a in r["articles"]}
    assets = {a for r in records for a in r["assets"]}
    related = [
        r
        for r in incident_records(store, kb)
        if r["id"] not in {x["id"] for x in records} and assets & set(r["assets"])
    ]
    # A period brief covers the period asked for, even when few (or no) incidents fill it.
    period = None if incident_id is not None else f"{since or '…'} to {until or '…'}"
    return build_brief(records, articles, kb, title=title, related=related, period=period)


__all__ = [
    "ArticleLike",
    "Brief",
    "BriefArticle",
    "PdfUnavailableError",
    "brief_from_store",
    "build_brief",
    "format_value",
    "pdf_available",
    "render_html",
    "render_markdown",
    "render_pdf",
]
