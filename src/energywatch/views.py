"""Plain-dict views of records for the CLI's ``--json`` output (and later the API).

Kept apart from the records so that what scripts see is decided in one place and can
stay stable while the records evolve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from energywatch.models import Article, Incident, IngestReport, Rejection
from energywatch.process import ProcessReport
from energywatch.storage import Store, StoreStatus

if TYPE_CHECKING:
    from energywatch.kb import Asset


def article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "published": article.published.isoformat() if article.published else None,
        "outlet": article.source.name,
        "title": article.title,
        "url": article.url,
        "near_duplicate_of": article.near_duplicate_of,
        "removed_spans": len(article.removed_spans),
    }


def article_detail(article: Article, *, include_raw: bool = False) -> dict[str, Any]:
    data = article_row(article) | {
        "source": article.source.model_dump(mode="json"),
        "retrieved": article.retrieved.isoformat(),
        "language": article.language,
        "input_format": article.input_format.value,
        "origin": article.origin,
        "duplicate_similarity": article.duplicate_similarity,
        "clean_text": article.clean_text,
        "removed_spans": [s.model_dump(mode="json") for s in article.removed_spans],
    }
    if include_raw:
        data["text"] = article.text
        data["html"] = article.html
    return data


def rejection_row(rejection: Rejection) -> dict[str, Any]:
    return rejection.model_dump(mode="json")


def ingest_summary(report: IngestReport) -> dict[str, Any]:
    return {
        "inserted": len(report.inserted),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "near_duplicates": report.near_duplicates,
        "rejected": [rejection_row(r) for r in report.rejections],
        "article_ids": report.inserted + report.updated + report.unchanged,
    }


def status_dict(status: StoreStatus) -> dict[str, Any]:
    return {
        "articles": status.articles,
        "originals": status.originals,
        "near_duplicates": status.near_duplicates,
        "articles_without_date": status.articles_without_date,
        "sources": status.sources,
        "rejections": status.rejections,
        "rejections_by_reason": status.rejections_by_reason,
        "removed_spans_by_kind": status.removed_spans_by_kind,
        "articles_by_outlet": status.articles_by_outlet,
    }


def watch_status_dict(store: Store) -> dict[str, Any]:
    """Per-source health, items per status, deliveries per channel, recent item problems."""
    counts = store.item_counts()
    return {
        "sources": [
            h.model_dump(mode="json") | {"items_by_status": counts.get(h.name, {})}
            for h in store.source_health()
        ],
        "deliveries": store.outbox_counts(),
        "item_problems": [i.model_dump(mode="json") for i in store.item_problems()],
    }


def asset_row(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "type": asset.type.value,
        "country": list(asset.country),
        "name": asset.name,
        "lat": asset.lat,
        "lon": asset.lon,
        "coord_quality": asset.coord_quality,
    }


def asset_detail(asset: Asset) -> dict[str, Any]:
    return asset.model_dump(mode="json")


def incident_row(incident: Incident) -> dict[str, Any]:
    date = incident.date
    if date.start is not None:
        when = date.start.isoformat() if date.start == date.end else f"{date.start}..{date.end}"
    elif date.month_day is not None:
        when = f"????-{date.month_day[0]:02d}-{date.month_day[1]:02d}"
    else:
        when = None
    return {
        "id": incident.id,
        "date": when,
        "precision": date.precision,
        "category": incident.category,
        "type": incident.type,
        "assets": incident.assets,
        "location": incident.location.name if incident.location else None,
        "articles": len(incident.articles),
        "copies": len(incident.copies),
    }


def process_summary(report: ProcessReport) -> dict[str, Any]:
    return {
        "extracted": report.extracted,
        "incident_reports": report.incident_reports,
        "not_incident_reports": report.not_reports,
        "incidents": report.incidents,
        "incidents_inserted": report.incidents_inserted,
        "incidents_updated": report.incidents_updated,
        "incidents_deleted": report.incidents_deleted,
    }
