"""Reading a DESIGN §11 incident record the way every interchange format needs it.

The ACLED, GeoJSON and PLOVER writers all ask the same questions of a record: an
attribute's value and status, how many articles are independent, the point and which
asset it is, the admin regions, the asset names and the taxonomy row of the type. The
answers are here once so the three exports cannot read one record differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from energywatch.extract.taxonomy import EventType, lookup
from energywatch.kb.models import Asset

# Attribute statuses at which the exports take a value as reported (the perpetrator as
# actor, the killed count as fatalities); see docs/exports.md.
FIRM_STATUSES = frozenset({"agreed", "single-source", "contested"})


def attribute_of(record: Mapping[str, Any], name: str) -> tuple[Any, str | None]:
    """(value, status) of an incident attribute, (None, None) when no article gave it."""
    entry = record.get("attributes", {}).get(name)
    if not isinstance(entry, Mapping):
        return None, None
    return entry.get("value"), entry.get("status")


def independent_count(record: Mapping[str, Any]) -> int:
    copies = set(record.get("copies") or [])
    return len([a for a in record.get("articles") or [] if a not in copies])


def point_of(record: Mapping[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of the incident when its location has both and they are in range."""
    loc = record.get("location") or {}
    lat, lon = loc.get("lat"), loc.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return float(lat), float(lon)


def location_asset(record: Mapping[str, Any], assets: Mapping[str, Asset] | None) -> Asset | None:
    """The incident asset whose point the location is, if any.

    The §11 location does not say where its coordinates came from; an asset of the
    incident at the same point is the source, and its ``coord_quality`` and ``region``
    then say how precise the point is and which region it lies in.
    """
    point = point_of(record)
    if assets is None or point is None:
        return None
    for asset_id in record.get("assets") or []:
        asset = assets.get(asset_id)
        if (
            asset is not None
            and asset.lat is not None
            and asset.lon is not None
            and abs(asset.lat - point[0]) < 1e-4
            and abs(asset.lon - point[1]) < 1e-4
        ):
            return asset
    return None


_ADMIN1 = re.compile(r"\b(?:Oblast|Krai|Province|Okrug|Republic)\b|^Republic of ")
_ADMIN2 = re.compile(r"\bdistrict\b", re.IGNORECASE)


def admin_levels(region: str | None) -> tuple[str, str]:
    """(admin1, admin2) read from a KB ``region`` text such as "Kavkazsky district,
    Krasnodar Krai"; empty where the text does not clearly name one (free-text
    descriptions like "North Caspian offshore" stay out of admin columns)."""
    if not region or "–" in region:
        return "", ""
    parts = [re.sub(r"\s*\(.*?\)\s*", " ", p).strip() for p in region.split(",")]
    parts = [p for p in parts if p]
    admin1 = parts[-1] if parts and _ADMIN1.search(parts[-1]) else ""
    admin2 = ""
    if admin1 and len(parts) >= 2 and _ADMIN2.search(parts[-2]) and not parts[-2].startswith("~"):
        admin2 = parts[-2]
    return admin1, admin2


def asset_names(record: Mapping[str, Any], assets: Mapping[str, Asset] | None) -> list[str]:
    names = []
    for asset_id in record.get("assets") or []:
        asset = assets.get(asset_id) if assets is not None else None
        names.append(asset.name if asset is not None else asset_id)
    return names


def taxonomy_row(record: Mapping[str, Any]) -> EventType | None:
    try:
        return lookup(str(record.get("type")))
    except KeyError:
        return None
