"""ACLED-style CSV: incidents as rows in ACLED's columns and codebook conventions.

ACLED is the table conflict analysts already filter and chart; writing its columns (event
and sub-event types from the taxonomy crosswalk, "inter" actor codes, time and geo
precision, a notes sentence) lets them load energywatch incidents next to ACLED data.
``docs/exports.md`` documents every column.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from energywatch.interchange.countries import PERPETRATOR_COUNTRY, Country, country
from energywatch.interchange.record import (
    FIRM_STATUSES,
    admin_levels,
    asset_names,
    attribute_of,
    independent_count,
    location_asset,
    point_of,
    taxonomy_row,
)
from energywatch.kb.models import Asset, CoordQuality

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


def _low(value: Any) -> int | None:
    """The low bound of a count that may be a number or a ``[low, high]`` range."""
    if isinstance(value, list | tuple) and value:
        value = value[0]
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    return None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


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
    value, status = attribute_of(record, "perpetrator")
    code = PERPETRATOR_COUNTRY.get(value) if isinstance(value, str) else None
    if code is not None and status in FIRM_STATUSES:
        inter = _STATE if where is not None and where.iso2 == code else _EXTERNAL
        return _STATE_ACTORS[code], inter, f"perpetrator: {value} ({status})"
    tag = f"perpetrator: {value} ({status})" if value is not None else "perpetrator: not reported"
    place = f" ({where.name})" if where is not None else ""
    return f"Unidentified Armed Group{place}", _MILITIA, tag


def _notes(record: Mapping[str, Any], assets: Mapping[str, Asset] | None, where: Country | None) -> str:
    """One sentence in the ACLED notes style: when, what, where, how many sources."""
    phrase = _PHRASES.get(str(record.get("type")), str(record.get("type", "")).replace("_", " "))
    names = asset_names(record, assets)
    loc = record.get("location") or {}
    place = loc.get("name")
    target = ", ".join(names) if names else (place or "an unnamed site")
    at = f" at {target}"
    if place and names and place not in names:
        relation = loc.get("relation")
        at += f" ({relation + ' ' if relation else ''}{place})"
    if where is not None:
        at += f", {where.name}"
    damage, _ = attribute_of(record, "damage")
    total, independent = len(record.get("articles") or []), independent_count(record)
    detail = [f"{total} article{'s' if total != 1 else ''}"]
    if independent != total:
        detail.append(f"{independent} independent")
    if isinstance(damage, Mapping) and damage.get("severity") == "none":
        detail.insert(0, str(damage.get("text") or "no damage"))
    return f"{_date_phrase(record.get('date') or {})}, {phrase} was reported{at} ({', '.join(detail)})."


def _geo_precision(record: Mapping[str, Any], asset: Asset | None) -> int:
    """ACLED geo_precision: 1 the site or its town, 2 near a town or a district-level
    stand-in, 3 only a region (or no point at all)."""
    if point_of(record) is None:
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
    row = taxonomy_row(record)
    loc = record.get("location") or {}
    where = country(loc.get("country"))
    event_date, precision = _time_precision(record.get("date") or {})
    point = point_of(record)
    asset = location_asset(record, assets)
    admin1, admin2 = loc.get("admin1") or "", ""
    if not admin1 and asset is not None and len(asset.country) == 1:
        admin1, admin2 = admin_levels(asset.region)
    tags = [f"energywatch: {record.get('category')}.{record.get('type')}"]

    if row is not None and row.acled_event_type is not None:
        disorder, event_type = "Political violence", row.acled_event_type
        sub_event = row.acled_sub_event_type or ""
        weapon, _ = attribute_of(record, "weapon")
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

    killed, killed_status = attribute_of(record, "killed")
    fatalities = _low(killed) if killed_status in FIRM_STATUSES else None
    if fatalities is None:
        tags.append("fatalities: not reported")
    injured, injured_status = attribute_of(record, "injured")
    if _low(injured) and injured_status in FIRM_STATUSES:
        tags.append(f"injured: {_low(injured)}+")
    damage, _ = attribute_of(record, "damage")
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
        row = taxonomy_row(record)
        if not include_non_violent and (row is None or row.acled_event_type is None):
            continue
        writer.writerow(acled_row(record, outlets_of=outlets_of, assets=assets, timestamp=stamp))
        count += 1
    return count


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
