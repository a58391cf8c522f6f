"""Exports in other people's vocabularies: ACLED-style CSV, GeoJSON, PLOVER-style JSONL.

Analysts already have tools for ACLED tables, GIS layers and PLOVER event streams; these
writers let them load energywatch incidents there without a conversion script of their
own. Every writer takes the DESIGN §11 incident dicts built by
:func:`energywatch.export.incident_record` (so the exports can never disagree with the
JSON export) and reads the taxonomy crosswalk from :mod:`energywatch.extract.taxonomy`
(so there is no second copy of the mapping here). Writers stream: one incident in, one
row/feature/line out. ``docs/exports.md`` documents every column and mapping decision.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from energywatch.extract.taxonomy import EventType, lookup
from energywatch.kb.models import Asset, CoordQuality

# --------------------------------------------------------------------------- countries


@dataclass(frozen=True, slots=True)
class Country:
    """What ACLED and PLOVER call a country we know by its ISO-2 code."""

    iso2: str
    iso3: str
    numeric: int
    name: str
    acled_region: str


_CCA = "Caucasus and Central Asia"
# The countries of the knowledge base and their neighbours along the export routes.
# Names and regions follow ACLED's spelling ("Turkey", "Caucasus and Central Asia").
COUNTRIES: dict[str, Country] = {
    c.iso2: c
    for c in (
        Country("RU", "RUS", 643, "Russia", "Europe"),
        Country("UA", "UKR", 804, "Ukraine", "Europe"),
        Country("BY", "BLR", 112, "Belarus", "Europe"),
        Country("PL", "POL", 616, "Poland", "Europe"),
        Country("DE", "DEU", 276, "Germany", "Europe"),
        Country("MD", "MDA", 498, "Moldova", "Europe"),
        Country("RO", "ROU", 642, "Romania", "Europe"),
        Country("BG", "BGR", 100, "Bulgaria", "Europe"),
        Country("HU", "HUN", 348, "Hungary", "Europe"),
        Country("SK", "SVK", 703, "Slovakia", "Europe"),
        Country("CZ", "CZE", 203, "Czech Republic", "Europe"),
        Country("LT", "LTU", 440, "Lithuania", "Europe"),
        Country("LV", "LVA", 428, "Latvia", "Europe"),
        Country("EE", "EST", 233, "Estonia", "Europe"),
        Country("FI", "FIN", 246, "Finland", "Europe"),
        Country("NO", "NOR", 578, "Norway", "Europe"),
        Country("NL", "NLD", 528, "Netherlands", "Europe"),
        Country("GB", "GBR", 826, "United Kingdom", "Europe"),
        Country("IT", "ITA", 380, "Italy", "Europe"),
        Country("GR", "GRC", 300, "Greece", "Europe"),
        Country("KZ", "KAZ", 398, "Kazakhstan", _CCA),
        Country("AZ", "AZE", 31, "Azerbaijan", _CCA),
        Country("GE", "GEO", 268, "Georgia", _CCA),
        Country("AM", "ARM", 51, "Armenia", _CCA),
        Country("TM", "TKM", 795, "Turkmenistan", _CCA),
        Country("UZ", "UZB", 860, "Uzbekistan", _CCA),
        Country("TR", "TUR", 792, "Turkey", "Middle East"),
        Country("IR", "IRN", 364, "Iran", "Middle East"),
        Country("CN", "CHN", 156, "China", "East Asia"),
        Country("US", "USA", 840, "United States", "North America"),
    )
}


def country(iso2: str | None) -> Country | None:
    """The country for an ISO-2 code, or None when the table does not know it."""
    return COUNTRIES.get(iso2.upper()) if iso2 else None


# --------------------------------------------------------------------------- shared helpers


def _attr(record: Mapping[str, Any], name: str) -> tuple[Any, str | None]:
    """(value, status) of an incident attribute, (None, None) when no article gave it."""
    entry = record.get("attributes", {}).get(name)
    if not isinstance(entry, Mapping):
        return None, None
    return entry.get("value"), entry.get("status")


def _low(value: Any) -> int | None:
    """The low bound of a count that may be a number or a ``[low, high]`` range."""
    if isinstance(value, list | tuple) and value:
        value = value[0]
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    return None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _independent(record: Mapping[str, Any]) -> int:
    copies = set(record.get("copies") or [])
    return len([a for a in record.get("articles") or [] if a not in copies])


def _point(record: Mapping[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of the incident when its location has both and they are in range."""
    loc = record.get("location") or {}
    lat, lon = loc.get("lat"), loc.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return float(lat), float(lon)


def _location_asset(record: Mapping[str, Any], assets: Mapping[str, Asset] | None) -> Asset | None:
    """The incident asset whose point the location is, if any.

    The §11 location does not say where its coordinates came from; an asset of the
    incident at the same point is the source, and its ``coord_quality`` and ``region``
    then say how precise the point is and which region it lies in.
    """
    point = _point(record)
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


def _admin_levels(region: str | None) -> tuple[str, str]:
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


def _asset_names(record: Mapping[str, Any], assets: Mapping[str, Asset] | None) -> list[str]:
    names = []
    for asset_id in record.get("assets") or []:
        asset = assets.get(asset_id) if assets is not None else None
        names.append(asset.name if asset is not None else asset_id)
    return names


def _row_of(record: Mapping[str, Any]) -> EventType | None:
    try:
        return lookup(str(record.get("type")))
    except KeyError:
        return None


# --------------------------------------------------------------------------- ACLED CSV

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
"""The columns of the ACLED CSV, in ACLED's export order."""

ACLED_PANDAS_DTYPES: dict[str, str] = {
    **dict.fromkeys(ACLED_COLUMNS, "string"),
    "year": "Int64",
    "time_precision": "int64",
    "inter1": "Int64",
    "inter2": "Int64",
    "interaction": "Int64",
    "iso": "Int64",
    "latitude": "float64",
    "longitude": "float64",
    "geo_precision": "int64",
    "fatalities": "int64",
    "timestamp": "int64",
}
"""``pandas.read_csv(path, dtype=ACLED_PANDAS_DTYPES, keep_default_na=False, na_values=[""])``
reads the file with nullable integers where a column may be empty."""

# ACLED "inter" codes (codebook): 1 state forces, 3 political militia, 8 external/other
# forces (a state's forces acting outside their own country).
_STATE, _MILITIA, _EXTERNAL = 1, 3, 8
_STATE_ACTORS = {
    "UA": "Military Forces of Ukraine (2019-)",
    "RU": "Military Forces of Russia (2000-)",
}
# Our perpetrator values are country names (extract/events.py); the ISO-2 of each.
_PERPETRATOR_COUNTRY = {"Ukraine": "UA", "Russia": "RU"}
_FIRM = frozenset({"agreed", "single-source", "contested"})

# attack_unspecified has no ACLED sub-event; the weapon attribute picks one when given.
_WEAPON_SUB_EVENT = {
    "drone": "Air/drone strike",
    "missile": "Shelling/artillery/missile attack",
    "naval_drone": "Remote explosive/landmine/IED",
    "explosive": "Remote explosive/landmine/IED",
}
_STRATEGIC = "Strategic developments"

# Points at the site or in its town; third-party points are site-level, only less sure.
_GEO_EXACT = frozenset(
    {
        CoordQuality.site_sourced,
        CoordQuality.settlement_proxy,
        CoordQuality.gazetteer_settlement_proxy,
        CoordQuality.third_party_unverified,
    }
)

# Month names spelled out here: strftime's %B follows the process locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_PHRASES = {
    "drone_strike": "a drone strike",
    "naval_drone_attack": "a naval drone attack",
    "missile_strike": "a missile strike",
    "sabotage": "sabotage",
    "attack_unspecified": "an attack",
    "fire": "a fire",
    "explosion": "an explosion",
    "spill_leak": "a spill or leak",
    "weather_damage": "weather damage",
    "equipment_failure": "an equipment failure",
    "suspension": "a suspension of operations",
    "flow_reduction": "a flow reduction",
    "restoration": "a restoration of operations",
    "maintenance": "maintenance work",
    "sanction": "sanctions",
    "legal_order": "a legal order to stop operations",
    "inspection": "an inspection halting operations",
    "diplomatic_protest": "a diplomatic protest",
    "request_explanation": "a request for explanations",
    "talks": "talks",
    "statement": "an official statement",
}


def _time_precision(date: Mapping[str, Any]) -> tuple[dt.date | None, int]:
    """ACLED event date and time_precision for a §11 date.

    1: the day is known; 2: a range of up to a week (or week precision); 3: anything
    coarser or unknown. For 2 and 3 the date is the middle of the range, as ACLED does
    for "mid-month" style reports.
    """
    start, end = _date(date.get("start")), _date(date.get("end"))
    if start is None:
        return None, 3
    end = end or start
    span = (end - start).days
    middle = start + dt.timedelta(days=span // 2)
    precision = date.get("precision")
    if precision == "day" and span == 0:
        return start, 1
    if precision in {"day", "week"} and span <= 7:
        return middle, 2
    return middle, 3


def _date_phrase(date: Mapping[str, Any]) -> str:
    start = _date(date.get("start"))
    if start is None:
        md = date.get("month_day")
        if md:
            return f"On {md[1]} {_MONTHS[md[0] - 1]} (year not reported)"
        return "On an unknown date"
    precision = date.get("precision")
    if precision == "day":
        return f"On {start.day} {_MONTHS[start.month - 1]} {start.year}"
    if precision == "week":
        return f"In the week of {start.day} {_MONTHS[start.month - 1]} {start.year}"
    if precision == "month":
        return f"In {_MONTHS[start.month - 1]} {start.year}"
    return f"In {start.year}"


def _actor(record: Mapping[str, Any], where: Country | None) -> tuple[str, int | None, str]:
    """(actor1, inter1, tag) for an attack: the perpetrator most articles name, or an
    unidentified armed group when nobody is named firmly."""
    value, status = _attr(record, "perpetrator")
    code = _PERPETRATOR_COUNTRY.get(value) if isinstance(value, str) else None
    if code is not None and status in _FIRM:
        inter = _STATE if where is not None and where.iso2 == code else _EXTERNAL
        return _STATE_ACTORS[code], inter, f"perpetrator: {value} ({status})"
    tag = f"perpetrator: {value} ({status})" if value is not None else "perpetrator: not reported"
    place = f" ({where.name})" if where is not None else ""
    return f"Unidentified Armed Group{place}", _MILITIA, tag


def _notes(record: Mapping[str, Any], assets: Mapping[str, Asset] | None, where: Country | None) -> str:
    """One sentence in the ACLED notes style: when, what, where, how many sources."""
    phrase = _PHRASES.get(str(record.get("type")), str(record.get("type", "")).replace("_", " "))
    names = _asset_names(record, assets)
    loc = record.get("location") or {}
    place = loc.get("name")
    target = ", ".join(names) if names else (place or "an unnamed site")
    at = f" at {target}"
    if place and names and place not in names:
        relation = loc.get("relation")
        at += f" ({relation + ' ' if relation else ''}{place})"
    if where is not None:
        at += f", {where.name}"
    damage, _ = _attr(record, "damage")
    total, independent = len(record.get("articles") or []), _independent(record)
    detail = [f"{total} article{'s' if total != 1 else ''}"]
    if independent != total:
        detail.append(f"{independent} independent")
    if isinstance(damage, Mapping) and damage.get("severity") == "none":
        detail.insert(0, str(damage.get("text") or "no damage"))
    return f"{_date_phrase(record.get('date') or {})}, {phrase} was reported{at} ({', '.join(detail)})."


def _geo_precision(record: Mapping[str, Any], asset: Asset | None) -> int:
    """ACLED geo_precision: 1 the site or its town, 2 near a town or a district-level
    stand-in, 3 only a region (or no point at all)."""
    if _point(record) is None:
        return 3
    if (record.get("location") or {}).get("relation"):
        return 2
    if asset is None or asset.coord_quality in _GEO_EXACT:
        return 1
    return 2


def _fmt_coord(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _article_ids_as_sources(article_ids: list[str]) -> list[str]:
    return list(article_ids)


def acled_row(
    record: Mapping[str, Any],
    *,
    outlets_of: Callable[[list[str]], list[str]] | None = None,
    assets: Mapping[str, Asset] | None = None,
    timestamp: int = 0,
) -> dict[str, str]:
    """One incident as an ACLED row (column → text).

    Types without an ACLED event type come back as "Strategic developments" / "Other";
    :func:`write_acled_csv` decides whether to write them (``include_non_violent``).
    """
    row = _row_of(record)
    loc = record.get("location") or {}
    where = country(loc.get("country"))
    event_date, precision = _time_precision(record.get("date") or {})
    point = _point(record)
    asset = _location_asset(record, assets)
    admin1, admin2 = loc.get("admin1") or "", ""
    if not admin1 and asset is not None and len(asset.country) == 1:
        admin1, admin2 = _admin_levels(asset.region)
    tags = [f"energywatch: {record.get('category')}.{record.get('type')}"]

    if row is not None and row.acled_event_type is not None:
        disorder, event_type = "Political violence", row.acled_event_type
        sub_event = row.acled_sub_event_type or ""
        weapon, _ = _attr(record, "weapon")
        if not sub_event and isinstance(weapon, str):
            sub_event = _WEAPON_SUB_EVENT.get(weapon, "")
        actor1, inter1, actor_tag = _actor(record, where)
        tags.append(actor_tag)
        if isinstance(weapon, str):
            tags.append(f"weapon: {weapon}")
        interaction: int | None = inter1 * 10 if inter1 is not None else None
    else:
        disorder, event_type, sub_event = _STRATEGIC, _STRATEGIC, "Other"
        actor1, inter1, interaction = "", None, None

    killed, killed_status = _attr(record, "killed")
    fatalities = _low(killed) if killed_status in _FIRM else None
    if fatalities is None:
        tags.append("fatalities: not reported")
    injured, injured_status = _attr(record, "injured")
    if _low(injured) and injured_status in _FIRM:
        tags.append(f"injured: {_low(injured)}+")
    damage, _ = _attr(record, "damage")
    if isinstance(damage, Mapping) and damage.get("severity"):
        tags.append(f"damage: {damage['severity']}")

    articles = list(record.get("articles") or [])
    sources = (outlets_of or _article_ids_as_sources)(articles)
    iso3 = where.iso3 if where is not None else "XXX"
    return {
        "event_id_cnty": f"{iso3}-{record['id']}",
        "event_date": event_date.isoformat() if event_date else "",
        "year": str(event_date.year) if event_date else "",
        "time_precision": str(precision),
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub_event,
        "actor1": actor1,
        "assoc_actor_1": "",
        "inter1": "" if inter1 is None else str(inter1),
        "actor2": "",
        "assoc_actor_2": "",
        "inter2": "",
        "interaction": "" if interaction is None else str(interaction),
        "civilian_targeting": "",
        "iso": str(where.numeric) if where is not None else "",
        "region": where.acled_region if where is not None else "",
        "country": where.name if where is not None else (loc.get("country") or ""),
        "admin1": admin1,
        "admin2": admin2,
        "admin3": "",
        "location": loc.get("name") or "",
        "latitude": _fmt_coord(point[0]) if point else "",
        "longitude": _fmt_coord(point[1]) if point else "",
        "geo_precision": str(_geo_precision(record, asset)),
        "source": "; ".join(dict.fromkeys(s for s in sources if s)),
        "source_scale": "",
        "notes": _notes(record, assets, where),
        "fatalities": str(fatalities or 0),
        "tags": "; ".join(tags),
        "timestamp": str(timestamp),
    }


def write_acled_csv(
    incidents: Iterable[Mapping[str, Any]],
    out: TextIO,
    *,
    outlets_of: Callable[[list[str]], list[str]] | None = None,
    assets: Mapping[str, Asset] | None = None,
    include_non_violent: bool = False,
    timestamp: int | None = None,
) -> int:
    """Write incidents as a CSV in ACLED column conventions; returns the rows written.

    ACLED codes political violence only, so incidents whose type has no ACLED event type
    (accidents, operations, policy, responses) are skipped unless ``include_non_violent``
    is set; they are then written as "Strategic developments" / "Other" so an ACLED user
    can filter them out with the usual column. ``outlets_of`` turns article ids into
    outlet names for ``source`` (article ids are written without it); ``assets`` supplies
    asset names, admin regions and coordinate quality; ``timestamp`` (Unix seconds,
    default now) fills ACLED's last-modified column.
    """
    stamp = int(dt.datetime.now(dt.UTC).timestamp()) if timestamp is None else timestamp
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in incidents:
        row = _row_of(record)
        if not include_non_violent and (row is None or row.acled_event_type is None):
            continue
        writer.writerow(acled_row(record, outlets_of=outlets_of, assets=assets, timestamp=stamp))
        count += 1
    return count


# --------------------------------------------------------------------------- GeoJSON


def _status_counts(record: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in (record.get("attributes") or {}).values():
        status = entry.get("status") if isinstance(entry, Mapping) else None
        if isinstance(status, str):
            counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def incident_feature(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """An incident as a GeoJSON Point feature, or None when it has no coordinates."""
    point = _point(record)
    if point is None:
        return None
    date = record.get("date") or {}
    loc = record.get("location") or {}
    attributes = record.get("attributes") or {}
    return {
        "type": "Feature",
        "id": record["id"],
        "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
        "properties": {
            "kind": "incident",
            "id": record["id"],
            "category": record.get("category"),
            "type": record.get("type"),
            "date": date.get("start"),
            "date_end": date.get("end"),
            "date_precision": date.get("precision"),
            "location": loc.get("name"),
            "country": loc.get("country"),
            "relation": loc.get("relation"),
            "assets": list(record.get("assets") or []),
            "articles": len(record.get("articles") or []),
            "independent_articles": _independent(record),
            "status": {k: v.get("status") for k, v in sorted(attributes.items()) if isinstance(v, Mapping)},
            "status_counts": _status_counts(record),
        },
    }


def _capacity_summary(asset: Asset) -> list[str]:
    return [f"{c.value} {c.unit}" + (f" ({c.basis})" if c.basis else "") for c in asset.capacity]


def asset_feature(asset: Asset) -> dict[str, Any] | None:
    """An asset as a LineString (when it has a route of two or more points) or a Point;
    None when it has neither."""
    if len(asset.line) >= 2:
        geometry: dict[str, Any] = {
            "type": "LineString",
            "coordinates": [[lon, lat] for lat, lon in asset.line],
        }
    elif asset.lat is not None and asset.lon is not None:
        geometry = {"type": "Point", "coordinates": [asset.lon, asset.lat]}
    else:
        return None
    return {
        "type": "Feature",
        "id": asset.id,
        "geometry": geometry,
        "properties": {
            "kind": "asset",
            "id": asset.id,
            "name": asset.name,
            "type": asset.type.value,
            "country": list(asset.country),
            "operator": asset.operator,
            "capacity": _capacity_summary(asset),
            "coord_quality": asset.coord_quality.value,
        },
    }


def write_geojson(
    incidents: Iterable[Mapping[str, Any]],
    assets: Iterable[Asset],
    out: TextIO,
    *,
    generator: str = "energywatch",
) -> None:
    """Write one RFC 7946 FeatureCollection of incidents and assets, streamed.

    Coordinates are ``[lon, lat]`` (WGS 84, no ``crs`` member). Records without a point
    are not features; their ids are listed in the foreign member ``energywatch.skipped``
    (written after the features, when they are all known) so a map never silently drops
    an incident.
    """
    skipped: dict[str, list[str]] = {"incidents": [], "assets": []}
    out.write('{"type": "FeatureCollection", "features": [')
    first = True

    def emit(feature: dict[str, Any]) -> None:
        nonlocal first
        out.write(("\n  " if first else ",\n  ") + json.dumps(feature, ensure_ascii=False))
        first = False

    for record in incidents:
        feature = incident_feature(record)
        if feature is None:
            skipped["incidents"].append(str(record.get("id")))
        else:
            emit(feature)
    for asset in assets:
        asset_f = asset_feature(asset)
        if asset_f is None:
            skipped["assets"].append(asset.id)
        else:
            emit(asset_f)
    meta = {"generator": generator, "skipped": skipped}
    out.write("\n ],\n " + '"energywatch": ' + json.dumps(meta, ensure_ascii=False) + "\n}\n")


_GEOMETRIES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
_TYPES = _GEOMETRIES | {"Feature", "FeatureCollection"}


def _position(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        return [f"{where}: a position is an array of 2 or 3 numbers, got {value!r}"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return [f"{where}: position values must be finite numbers, got {value!r}"]
    lon, lat = value[0], value[1]
    problems = []
    if not -180.0 <= lon <= 180.0:
        problems.append(f"{where}: longitude {lon} outside [-180, 180] (positions are [lon, lat])")
    if not -90.0 <= lat <= 90.0:
        problems.append(f"{where}: latitude {lat} outside [-90, 90] (positions are [lon, lat])")
    return problems


def _positions(value: Any, where: str, minimum: int) -> list[str]:
    if not isinstance(value, list) or len(value) < minimum:
        return [f"{where}: needs an array of at least {minimum} positions"]
    return [p for i, v in enumerate(value) for p in _position(v, f"{where}[{i}]")]


def _ring(value: Any, where: str) -> list[str]:
    problems = _positions(value, where, 4)
    if not problems and value[0] != value[-1]:
        problems.append(f"{where}: a linear ring must end where it starts")
    return problems


def _geometry(geom: Any, where: str) -> list[str]:
    if geom is None:
        return []
    if not isinstance(geom, dict) or geom.get("type") not in _GEOMETRIES:
        return [f"{where}: not a geometry object (type must be one of {sorted(_GEOMETRIES)})"]
    kind = geom["type"]
    if kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list):
            return [f"{where}: GeometryCollection needs a 'geometries' array"]
        return [p for i, g in enumerate(members) for p in _geometry(g, f"{where}.geometries[{i}]")]
    coords = geom.get("coordinates")
    at = f"{where}.coordinates"
    if kind == "Point":
        return _position(coords, at)
    if kind == "MultiPoint":
        return _positions(coords, at, 0)
    if kind == "LineString":
        return _positions(coords, at, 2)
    if not isinstance(coords, list):
        return [f"{at}: must be an array"]
    if kind == "MultiLineString":
        return [p for i, c in enumerate(coords) for p in _positions(c, f"{at}[{i}]", 2)]
    if kind == "Polygon":
        return [p for i, c in enumerate(coords) for p in _ring(c, f"{at}[{i}]")]
    return [  # MultiPolygon
        p
        for i, poly in enumerate(coords)
        for p in (
            [f"{at}[{i}]: must be an array of rings"]
            if not isinstance(poly, list)
            else [q for j, r in enumerate(poly) for q in _ring(r, f"{at}[{i}][{j}]")]
        )
    ]


def _feature(feature: Any, where: str) -> list[str]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [f"{where}: not a Feature"]
    problems = []
    if "geometry" not in feature:
        problems.append(f"{where}: a Feature needs a 'geometry' member (null allowed)")
    if "properties" not in feature or not isinstance(feature["properties"], dict | None):
        problems.append(f"{where}: a Feature needs a 'properties' object (null allowed)")
    if "id" in feature and (
        not isinstance(feature["id"], str | int | float) or isinstance(feature["id"], bool)
    ):
        problems.append(f"{where}: a Feature id must be a string or a number")
    return problems + _geometry(feature.get("geometry"), f"{where}.geometry")


def validate_geojson(obj: Any) -> list[str]:
    """Structural RFC 7946 problems of a parsed GeoJSON object; empty when it is valid.

    Checks type names, the members each type needs, position shape and ranges
    (``[lon, lat]``), LineString and ring lengths, closed rings and the absence of the
    obsolete ``crs`` member. It cannot tell swapped coordinates that are both in range.
    """
    if not isinstance(obj, dict) or obj.get("type") not in _TYPES:
        return [f"$: type must be one of {sorted(_TYPES)}"]
    problems = ["$: 'crs' is not part of RFC 7946 (coordinates are WGS 84)"] if "crs" in obj else []
    if obj["type"] == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            return [*problems, "$: a FeatureCollection needs a 'features' array"]
        return problems + [p for i, f in enumerate(features) for p in _feature(f, f"$.features[{i}]")]
    if obj["type"] == "Feature":
        return problems + _feature(obj, "$")
    return problems + _geometry(obj, "$")


# --------------------------------------------------------------------------- PLOVER JSONL


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
    row = _row_of(record)
    loc = record.get("location") or {}
    where = country(loc.get("country"))
    date = record.get("date") or {}
    perpetrator, status = _attr(record, "perpetrator")
    actor_code = _PERPETRATOR_COUNTRY.get(perpetrator) if isinstance(perpetrator, str) else None
    actor_country = country(actor_code) if status in _FIRM else None
    operators = sorted(
        {a.operator for i in record.get("assets") or [] if assets and (a := assets.get(i)) and a.operator}
    )
    asset = _location_asset(record, assets)
    admin1 = loc.get("admin1") or (
        _admin_levels(asset.region)[0] if asset is not None and len(asset.country) == 1 else ""
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
        "recipient": _asset_names(record, assets) or None,
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
        "independent_sources": _independent(record),
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
        row = _row_of(record)
        mapped = row is not None and (row.plover_event is not None or row.plover_context is not None)
        if not mapped and not include_unmapped:
            continue
        out.write(json.dumps(plover_event(record, assets=assets), ensure_ascii=False) + "\n")
        count += 1
    return count


# --------------------------------------------------------------------------- store glue


def outlets_from_store(get_article: Callable[[str], Any]) -> Callable[[list[str]], list[str]]:
    """An ``outlets_of`` for :func:`write_acled_csv` over ``Store.get_article``: outlet
    names in article order, each article read once however many incidents cite it."""
    cache: dict[str, str] = {}

    def outlets_of(article_ids: list[str]) -> list[str]:
        names = []
        for article_id in article_ids:
            if article_id not in cache:
                cache[article_id] = get_article(article_id).source.name
            names.append(cache[article_id])
        return list(dict.fromkeys(names))

    return outlets_of
