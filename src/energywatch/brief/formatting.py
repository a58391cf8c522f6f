"""How values read in a brief: numbers, ranges, attribute and event names, dates.

Every part of a brief (the incident findings, the asset analysis, the key points) says
numbers and names the same way; this module is that one way, so a flow cut reads
``30–40%`` and a date range ``2026-03-02 to 2026-03-04`` wherever they appear.
``format_value`` is public; the other functions are helpers of the ``brief`` package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from energywatch.kb import KnowledgeBase
from energywatch.verify import describe

_ATTRIBUTE_LABELS = {
    "flow_reduction_pct": "flow reduction",
    "duration_days": "duration",
    "killed": "killed",
    "injured": "injured",
    "weapon": "weapon",
    "perpetrator": "perpetrator",
    "volume": "volume",
    "capacity": "capacity",
    "damage": "damage",
}
_ATTRIBUTE_UNITS = {
    "flow_reduction_pct": "%",
    "duration_days": "days",
    "killed": "people",
    "injured": "people",
}


def number_text(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def range_text(low: float, high: float) -> str:
    return number_text(low) if low == high else f"{number_text(low)}–{number_text(high)}"


def format_value(attribute: str, value: Any) -> str:
    """A claim value as a reader sees it: ``[30, 40]`` of a percentage → ``30–40%``."""
    unit = _ATTRIBUTE_UNITS.get(attribute, "")
    numeric = numeric_range(attribute, value)
    if numeric is not None:
        low, high, unit = numeric
        text = range_text(low, high)
        if unit == "%":
            return text + "%"
        return f"{text} {unit}".strip()
    if isinstance(value, dict):
        if value.get("text"):
            severity = value.get("severity")
            return f"{value['text']} ({severity})" if severity else str(value["text"])
        if "start" in value or "month_day" in value or "name" in value:
            return describe(value)  # a date or a place, as verification words it
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "unknown"
    return f"{value}{unit}" if unit == "%" else str(value)


def numeric_range(attribute: str, value: Any) -> tuple[float, float, str] | None:
    """(low, high, unit) of a numeric claim value, or None."""
    unit = _ATTRIBUTE_UNITS.get(attribute, "")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), float(value), unit
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return float(min(value)), float(max(value)), unit
    if isinstance(value, dict) and "range" in value:
        inner = numeric_range(attribute, value["range"])
        if inner is not None:
            return inner[0], inner[1], str(value.get("unit") or unit)
    return None


def attribute_label(attribute: str) -> str:
    return _ATTRIBUTE_LABELS.get(attribute, attribute.replace("_", " "))


def type_label(event_type: str) -> str:
    return event_type.replace("_", " ")


def as_day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def parse_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def date_text(date: Mapping[str, Any] | None) -> str:
    if not date:
        return "date unknown"
    start, end = date.get("start"), date.get("end")
    if start and end and start != end:
        return f"{start} to {end}"
    if start:
        return str(start)
    md = date.get("month_day")
    if md:
        return dt.date(2000, int(md[0]), int(md[1])).strftime("%d %B") + " (year not given)"
    return "date unknown"


def asset_name(kb: KnowledgeBase, asset_id: str) -> str:
    return kb.get(asset_id).name if asset_id in kb else asset_id
