"""PLOVER-style JSONL: incidents as event objects with actor, recipient and context.

PLOVER is the event ontology of political-event data streams; one JSON object per line,
with the event type, mode and context from the taxonomy crosswalk, the firmly named
perpetrator as actor and what was hit as recipient, lets event-data pipelines read
energywatch incidents. Types PLOVER has no event or context for are skipped by default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from energywatch.extract.taxonomy import lookup
from energywatch.interchange.countries import PERPETRATOR_COUNTRY, country
from energywatch.interchange.record import (
    FIRM_STATUSES,
    admin_levels,
    asset_names,
    attribute_of,
    independent_count,
    location_asset,
    taxonomy_row,
)
from energywatch.kb.models import Asset


def _plover_responses(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Reactions reported with the incident; one per (type, speaker, article), since an
    article repeating a statement is still one statement."""
    seen: set[tuple[str, str, str]] = set()
    for response in record.get("responses") or []:
        key = (str(response.get("type")), str(response.get("speaker")), str(response.get("article")))
        if key in seen:
            continue
        seen.add(key)
        try:
            row = lookup(str(response.get("type")))
        except KeyError:
            continue
        yield {
            "event_type": row.plover_event,
            "energywatch_type": row.key,
            "speaker": response.get("speaker"),
            "article": response.get("article"),
            "hedge": response.get("hedge"),
        }


def plover_event(record: Mapping[str, Any], *, assets: Mapping[str, Asset] | None = None) -> dict[str, Any]:
    """One incident as a PLOVER-style event object.

    ``actor`` is the firmly named perpetrator (a country, with its ISO-3 in
    ``actor_country``); ``recipient`` is what was hit: the asset names and operators,
    in the country of the location.
    """
    row = taxonomy_row(record)
    loc = record.get("location") or {}
    where = country(loc.get("country"))
    date = record.get("date") or {}
    perpetrator, status = attribute_of(record, "perpetrator")
    actor_code = PERPETRATOR_COUNTRY.get(perpetrator) if isinstance(perpetrator, str) else None
    actor_country = country(actor_code) if status in FIRM_STATUSES else None
    operators = sorted(
        {a.operator for i in record.get("assets") or [] if assets and (a := assets.get(i)) and a.operator}
    )
    asset = location_asset(record, assets)
    admin1 = loc.get("admin1") or (
        admin_levels(asset.region)[0] if asset is not None and len(asset.country) == 1 else ""
    )
    context = [row.plover_context] if row is not None and row.plover_context else []
    return {
        "id": record["id"],
        "date": date.get("start"),
        "date_end": date.get("end"),
        "date_precision": date.get("precision"),
        "event_type": row.plover_event if row is not None else None,
        "mode": row.plover_mode if row is not None else None,
        "context": context,
        "actor": actor_country.name if actor_country is not None else None,
        "actor_country": actor_country.iso3 if actor_country is not None else None,
        "actor_status": status,
        "recipient": asset_names(record, assets) or None,
        "recipient_operators": operators,
        "recipient_country": where.iso3 if where is not None else None,
        "location": {
            "name": loc.get("name"),
            "admin1": admin1 or None,
            "country": where.iso3 if where is not None else loc.get("country"),
            "lat": loc.get("lat"),
            "lon": loc.get("lon"),
            "relation": loc.get("relation"),
        },
        "source_articles": list(record.get("articles") or []),
        "copies": list(record.get("copies") or []),
        "independent_sources": independent_count(record),
        "energywatch_type": f"{record.get('category')}.{record.get('type')}",
        "attributes": {
            k: {"value": v.get("value"), "status": v.get("status")}
            for k, v in sorted((record.get("attributes") or {}).items())
            if isinstance(v, Mapping)
        },
        "responses": list(_plover_responses(record)),
    }


def write_plover_jsonl(
    incidents: Iterable[Mapping[str, Any]],
    out: TextIO,
    *,
    assets: Mapping[str, Asset] | None = None,
    include_unmapped: bool = False,
) -> int:
    """Write one PLOVER-style JSON object per line; returns the lines written.

    Incidents whose type has neither a PLOVER event nor a PLOVER context (operations,
    official statements) are skipped unless ``include_unmapped`` is set; accidents are
    written with ``event_type`` null and context ``disaster``, as the taxonomy maps them.
    """
    count = 0
    for record in incidents:
        row = taxonomy_row(record)
        mapped = row is not None and (row.plover_event is not None or row.plover_context is not None)
        if not mapped and not include_unmapped:
            continue
        out.write(json.dumps(plover_event(record, assets=assets), ensure_ascii=False) + "\n")
        count += 1
    return count
