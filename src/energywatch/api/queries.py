"""Incident listings for the API and the dashboard, with what a list row needs to be
drawn (place, point, verdict summary, impact) and the verdict filter.

The verdict filter (``status``) is computed, not stored: verdicts depend on every
report of an incident and change whenever one arrives. It assesses the incidents that
match the other filters, so it costs a few milliseconds per matching incident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from energywatch.models import Incident
from energywatch.reliability import outlet_key
from energywatch.storage import IncidentQuery, Store
from energywatch.verify import verify_attributes
from energywatch.views import incident_row

Sort = Literal["date", "-date", "articles", "-articles"]
_ALL = 1_000_000


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
) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of rows)."""
    query = IncidentQuery(
        type=type, category=category, asset=asset, country=country, date_from=date_from,
        date_to=date_to, limit=limit, offset=offset, sort=sort,
    )  # fmt: skip
    if status is None:
        found, total = store.list_incidents(query)
        return total, [incident_summary(i) for i in found]
    everything, _ = store.list_incidents(dataclasses.replace(query, limit=_ALL, offset=0))
    outlet_of = {m.article_id: outlet_key(m.article_id, m.outlet) for m in store.iter_article_meta()}
    matching = []
    for incident in everything:
        verdicts = {k: v.status for k, v in verify_attributes(incident, outlet_of).items()}
        if status in verdicts.values():
            matching.append((incident, verdicts))
    page = matching[offset : offset + limit]
    return len(matching), [incident_summary(i, v) for i, v in page]
