"""What the dashboard's pages show, as plain values built from library records.

The router (``dashboard.py``) fetches records through the store, the knowledge base and
the flow network; the functions here only rearrange them for a template or for the
JSON a page hands to its script: map points, the source-comparison rows, evidence
quotes, quantile tables and an asset's place in the export network. Nothing here reads
the database or looks at text beyond cutting a stored span out of it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from energywatch.brief.formatting import (
    asset_name,
    attribute_label,
    format_value,
    number_text,
    parse_day,
    type_label,
)
from energywatch.extract.taxonomy import category_of
from energywatch.impact.network import Network
from energywatch.kb import Asset, KnowledgeBase

# Colours by incident type (attacks in warm colours), then by category for the rest.
TYPE_COLOURS = {
    "drone_strike": "#d7301f",
    "naval_drone_attack": "#7a0177",
    "missile_strike": "#99000d",
    "sabotage": "#e6550d",
    "attack_unspecified": "#8c510a",
}
CATEGORY_COLOURS = {
    "accident": "#d4a000",
    "operations": "#2171b5",
    "policy": "#238b45",
    "response": "#636363",
}
OTHER_COLOUR = "#525252"
# Age buckets (days before the newest incident in the store) and their labels.
RECENCY = (
    (30, "new", "within 30 days"),
    (182, "recent", "within 6 months"),
    (365, "year", "within a year"),
)
OLDER = ("old", "older")
UNDATED = ("undated", "undated")
QUOTE_CONTEXT = 400  # characters of a sentence kept on each side of a claim's span


def type_colour(event_type: str, category: str | None = None) -> str:
    """The map and legend colour of an incident type (its category's for non-attacks)."""
    if event_type in TYPE_COLOURS:
        return TYPE_COLOURS[event_type]
    if category is None:
        try:
            category = category_of(event_type)
        except KeyError:
            return OTHER_COLOUR
    return CATEGORY_COLOURS.get(category, OTHER_COLOUR)


def recency(day: dt.date | None, as_of: dt.date | None) -> tuple[str, str]:
    """(css key, label) of how long before ``as_of`` an incident happened."""
    if day is None or as_of is None:
        return UNDATED
    age = (as_of - day).days
    for limit, key, label in RECENCY:
        if age <= limit:
            return key, label
    return OLDER


def first_day(row: Mapping[str, Any]) -> dt.date | None:
    """The first day of a list row's date ("2025-02-17" or "2025-02-17..2025-02-20")."""
    text = row.get("date")
    return parse_day(str(text).split("..")[0]) if text else None


def incident_label(row: Mapping[str, Any]) -> str:
    return f"{type_label(str(row['type']))}, {row.get('date') or 'date unknown'}"


def map_payload(
    rows: Iterable[Mapping[str, Any]], assets: Iterable[Asset], network: Network, as_of: dt.date | None
) -> dict[str, Any]:
    """Assets and incident sites for the map script.

    Incidents at one point are one site (the demo has four at the CPC marine terminal):
    a marker per site, coloured by its newest incident, whose popup lists them all.
    """
    on_network = set(network.node_ids)
    points = [
        {
            "id": a.id,
            "name": a.name,
            "type": a.type.value,
            "lat": a.lat,
            "lon": a.lon,
            "line": [list(p) for p in a.line],
            "network": a.id in on_network,
            "url": f"/assets/{a.id}",
        }
        for a in sorted(assets, key=lambda a: a.id)
        if a.lat is not None and a.lon is not None
    ]
    sites: dict[tuple[float, float], dict[str, Any]] = {}
    unplaced = 0
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            unplaced += 1
            continue
        key = (round(float(row["lat"]), 3), round(float(row["lon"]), 3))
        site = sites.setdefault(
            key, {"lat": key[0], "lon": key[1], "name": row.get("location"), "incidents": []}
        )
        age, age_label = recency(first_day(row), as_of)
        site["incidents"].append(
            {
                "id": row["id"],
                "label": incident_label(row),
                "type": row["type"],
                "type_label": type_label(str(row["type"])),
                "date": row.get("date"),
                "place": row.get("location"),
                "colour": type_colour(str(row["type"]), row.get("category")),
                "recency": age,
                "recency_label": age_label,
                "url": f"/incidents/{row['id']}",
            }
        )
    return {
        "assets": points,
        "sites": list(sites.values()),
        "unplaced": unplaced,
        "as_of": as_of.isoformat() if as_of else None,
    }


def legend(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The incident types present, with their colours, for the map legend."""
    seen: dict[str, dict[str, str]] = {}
    for row in rows:
        kind = str(row["type"])
        seen.setdefault(
            kind, {"type": kind, "label": type_label(kind), "colour": type_colour(kind, row.get("category"))}
        )
    return sorted(seen.values(), key=lambda x: x["label"])


# --------------------------------------------------------------------------- incident page


@dataclass(slots=True)
class ComparisonRow:
    """One version of one attribute: who gave it and how firmly."""

    attribute: str
    label: str
    value: str
    status: str
    reason: str
    outlets: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    copies: int = 0
    first: bool = False
    span: int = 1


def _unique(items: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def comparison_rows(record: Mapping[str, Any]) -> list[ComparisonRow]:
    """The source-comparison table: per attribute, one row per distinct value reported,
    with the attribute's verdict; ``first``/``span`` let the template merge the cells."""
    rows: list[ComparisonRow] = []
    for attribute, verdict in record.get("attributes", {}).items():
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for claim in verdict.get("claims", []):
            key = json.dumps(claim.get("value"), sort_keys=True, default=str)
            groups.setdefault(key, []).append(claim)
        block = []
        for claims in groups.values():
            originals = [c for c in claims if not c.get("copy")]
            block.append(
                ComparisonRow(
                    attribute=attribute,
                    label=attribute_label(attribute),
                    value=format_value(attribute, claims[0].get("value")),
                    status=str(verdict.get("status", "")),
                    reason=str(verdict.get("reason", "")),
                    outlets=_unique(c.get("outlet") for c in originals),
                    speakers=_unique(c.get("speaker") for c in claims),
                    hedges=_unique(c.get("hedge") for c in claims),
                    articles=_unique(c.get("article") for c in claims),
                    copies=len(claims) - len(originals),
                )
            )
        if block:
            block[0].first = True
            block[0].span = len(block)
            rows += block
    return rows


def unique_responses(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The incident's responses, one per (type, speaker, article)."""
    seen: dict[tuple[Any, Any, Any], Mapping[str, Any]] = {}
    for r in record.get("responses", []):
        seen.setdefault((r.get("type"), r.get("speaker"), r.get("article")), r)
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class Quote:
    """A claim's sentence with the claim's own words marked."""

    article: str
    before: str
    marked: str
    after: str
    start: int
    end: int


def quote(text: str | None, article: str, sentence: Any, span: Any) -> Quote | None:
    """Cut a claim's sentence (character offsets into the clean text) out of ``text``."""
    if not text or not isinstance(sentence, list | tuple) or len(sentence) != 2:
        return None
    s0, s1 = (max(0, min(len(text), int(x))) for x in sentence)
    if s1 <= s0:
        return None
    if isinstance(span, list | tuple) and len(span) == 2:
        m0, m1 = (max(s0, min(s1, int(x))) for x in span)
    else:
        m0 = m1 = s0
    b0, a1 = max(s0, m0 - QUOTE_CONTEXT), min(s1, m1 + QUOTE_CONTEXT)
    before = ("…" if b0 > s0 else "") + text[b0:m0]
    after = text[m1:a1] + ("…" if a1 < s1 else "")
    return Quote(article, before, text[m0:m1], after, s0, s1)


def evidence(record: Mapping[str, Any], texts: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per attribute, every claim with its quote, for the evidence section."""
    found = []
    for attribute, verdict in record.get("attributes", {}).items():
        items = []
        for claim in verdict.get("claims", []):
            article = str(claim.get("article"))
            items.append(
                {
                    "claim": claim,
                    "value": format_value(attribute, claim.get("value")),
                    "quote": quote(texts.get(article), article, claim.get("sentence"), claim.get("span")),
                }
            )
        found.append(
            {
                "attribute": attribute,
                "label": attribute_label(attribute),
                "status": verdict.get("status"),
                "items": items,
            }
        )
    return found


def source_rows(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per article of the incident: its outlet and source score (from its claims)."""
    found: dict[str, dict[str, Any]] = {}
    for verdict in record.get("attributes", {}).values():
        for claim in verdict.get("claims", []):
            entry = found.setdefault(
                str(claim.get("article")), {"outlet": claim.get("outlet"), "score": None}
            )
            if claim.get("source_score") is not None:
                entry["score"] = claim["source_score"]
    return found


QUANTILE_KEYS = ("p10", "p50", "p90")
_QUANTITIES = (
    ("lost_mt", "Kazakh exports lost (Mt)", 1.0, 3),
    ("lost_bbl", "Kazakh exports lost (million bbl)", 1e-6, 2),
    ("lost_bpd", "Lost over the outage (thousand bbl/day)", 1e-3, 1),
    ("share_of_exports", "Share of yearly exports (%)", 100.0, 2),
    ("value_usd", "Value lost (USD million)", 1e-6, 1),
    ("lost_cpc_all_shippers_mt", "CPC loadings lost, all shippers (Mt)", 1.0, 3),
    ("absorbed_by_alternatives_mt", "Taken by alternative routes (Mt)", 1.0, 3),
)


def quantile_rows(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """P10/P50/P90 rows of an impact result (a scenario's or an incident's)."""
    rows = []
    for key, label, scale, digits in _QUANTITIES:
        q = result.get(key)
        if not isinstance(q, Mapping):
            continue
        rows.append(
            {"key": key, "label": label} | {p: f"{float(q[p]) * scale:,.{digits}f}" for p in QUANTILE_KEYS}
        )
    return rows


def one_or_range(text: object) -> str:
    """ "100–100" → "100"; other ranges as given."""
    low, _, high = str(text).partition("–")
    return low if high == low else str(text)


def band_payload(daily: Mapping[str, Any], title: str) -> dict[str, Any]:
    """A daily P10/P50/P90 series (tonnes per day) for the chart script, in kt/day."""
    series = {p: [round(float(v) / 1000, 3) for v in daily.get(p, [])] for p in QUANTILE_KEYS}
    return {
        "title": title,
        "unit": "thousand tonnes per day",
        "dates": list(daily.get("dates", [])),
        "negative": any(v < 0 for v in series["p10"]),
        **series,
    }


# --------------------------------------------------------------------------- asset page


@dataclass(slots=True)
class NetworkRole:
    """Where an asset sits in the export flow network the impact model uses."""

    on_network: bool
    kind: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)


def _mt(x: float) -> str:
    return f"{number_text(round(x, 2))} Mt/yr"


def _pair(pair: tuple[float, float], unit: str) -> str:
    low, high = pair
    return f"{number_text(low)}–{number_text(high)} {unit}" if low != high else f"{number_text(low)} {unit}"


def network_role(network: Network, kb: KnowledgeBase, asset_id: str) -> NetworkRole:
    """Capacity, flows and neighbours of ``asset_id`` in the network file, with sources."""
    if asset_id not in network.node_ids:
        return NetworkRole(False, "not modelled")
    stations = list(network.route.stations)
    order = [s.id for s in stations]
    cited: list[str] = []
    facts: list[tuple[str, str]] = []
    kind = "alternative route"
    supply = next((s for s in network.supplies if s.id == asset_id), None)
    feeds = [s for s in network.supplies if s.depends_on and s.depends_on.asset == asset_id]
    terminal = network.terminal
    if supply is not None:
        kind = "supply into the CPC"
        facts += [
            ("Flow into the CPC", _mt(supply.flow)),
            ("Enters at", asset_name(kb, supply.enters)),
            ("Counted as exports of", supply.country),
        ]
        if supply.depends_on:
            dep = supply.depends_on
            facts.append(
                (
                    "Depends on",
                    f"{asset_name(kb, dep.asset)} ({_pair(dep.share, 'of the flow per unit lost')})",
                )
            )
        cited += supply.sources
    elif feeds:
        kind = "plant a supply depends on"
        for s in feeds:
            assert s.depends_on is not None
            facts.append((f"{s.name} depends on it", _pair(s.depends_on.share, "of its flow per unit lost")))
            cited += s.depends_on.sources
    elif asset_id in order:
        kind = "pumping station on the CPC route"
        at = order.index(asset_id)
        section = stations[at].section
        in_section = [s for s in stations if s.section == section]
        through = network.flow_through(asset_id)
        joining = [s.name for s in network.supplies if s.enters == asset_id]
        facts += [
            ("Position", f"station {at + 1} of {len(stations)} (from Tengiz towards the sea)"),
            (
                "Section",
                f"{section}: {len(in_section)} stations, capacity {_mt(network.route.capacity(section))}",
            ),
            ("Baseline flow through it", _mt(through)),
        ]
        if joining:
            facts.append(("Supplies joining here", ", ".join(joining)))
        cited += network.route.sources
    elif asset_id == terminal.tank_farm:
        kind = "terminal tank farm"
        facts += [
            ("Buffer", _pair(terminal.buffer_days, "days of inflow")),
            ("Baseline flow into the terminal", _mt(network.cpc_flow)),
        ]
        cited += terminal.buffer_sources
    elif asset_id == terminal.id or asset_id in terminal.spms:
        kind = "export terminal" if asset_id == terminal.id else "single-point mooring (SPM)"
        facts += [
            ("Moorings", f"{len(terminal.spms)}, of which {terminal.active_spms} load at once"),
            ("Loading rate per mooring", _pair(terminal.spm_monthly_mt, "Mt a month")),
            ("Baseline loadings", _mt(network.cpc_flow)),
        ]
        cited += terminal.spm_sources
    else:
        alt = next(a for a in network.alternatives if a.id == asset_id)
        facts += [
            ("Route", alt.name),
            ("Capacity", _mt(alt.capacity) if alt.capacity is not None else "not given"),
            ("Baseline flow", f"{_mt(alt.flow)}, of which Kazakh {_mt(alt.kazakh_flow)}"),
            ("Spare for Kazakh oil cut from the CPC", _mt(alt.spare)),
            ("Ramp-up", f"{alt.ramp_days} days"),
        ]
        facts += [(k, v) for k, v in (("Note", alt.note), ("Assumption", alt.assumption)) if v]
        cited += alt.sources
    facts.append(("On the export network", f"yes ({network.meta.year} baseline)"))
    sources = [(s, network.sources[s]) for s in dict.fromkeys(cited) if s in network.sources]
    return NetworkRole(True, kind, facts, sources)
