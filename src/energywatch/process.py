"""The process stage: extract what is new or changed, then resolve incidents.

    stored articles ──► extract_article (only new/changed ones) ──► extractions + claims
    all extractions ──► resolve ──► incidents (replaced as a set; unchanged ones untouched)

Extraction is per article and versioned (``extract.article.VERSION``), so a re-run
only redoes articles whose text or extractor changed. Resolution is a pure function of
all stored extractions, so re-running ``process`` on an unchanged store changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from energywatch.extract.article import VERSION, extract_article
from energywatch.impact.from_incident import incident_impact
from energywatch.impact.network import load_network
from energywatch.kb import KnowledgeBase
from energywatch.resolve import ArticleInfo, resolve
from energywatch.storage import Store

ProgressFn = Callable[[str, str], None]
"""Called after each article with (article id, outcome)."""


@dataclass(slots=True)
class ProcessReport:
    """What a process run did."""

    extracted: int = 0
    incident_reports: int = 0
    not_reports: dict[str, int] = field(default_factory=dict)
    incidents: int = 0
    incidents_inserted: int = 0
    incidents_updated: int = 0
    incidents_deleted: int = 0


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def process(
    store: Store,
    kb: KnowledgeBase,
    *,
    progress: ProgressFn | None = None,
    impact_samples: int = 2000,
) -> ProcessReport:
    """Extract new or changed articles, re-resolve all incidents and model the export
    impact of those on the flow network (``impact.from_incident``)."""
    report = ProcessReport()
    for article_id in store.articles_to_extract(VERSION):
        extraction = extract_article(store.get_article(article_id), kb)
        store.save_extraction(extraction, version=VERSION)
        report.extracted += 1
        if progress:
            progress(article_id, "incident report" if extraction.is_incident_report else extraction.reason)
    infos: dict[str, ArticleInfo] = {}
    extractions = []
    for extraction in store.iter_extractions():
        extractions.append(extraction)
        if extraction.is_incident_report:
            report.incident_reports += 1
        else:
            report.not_reports[extraction.reason] = report.not_reports.get(extraction.reason, 0) + 1
    for meta in store.iter_article_meta():
        infos[meta.article_id] = ArticleInfo(_day(meta.published), meta.near_duplicate_of)
    incidents = resolve(extractions, infos, kb)
    network = load_network()
    incidents = [
        i.model_copy(update={"impact": incident_impact(i, network, impact_samples)}) for i in incidents
    ]
    report.incidents = len(incidents)
    (
        report.incidents_inserted,
        report.incidents_updated,
        report.incidents_deleted,
    ) = store.replace_incidents(incidents)
    return report
