"""Verification (DESIGN §7): does each attribute of an incident stand on independent,
compatible reports, and does anything reported contradict the knowledge base?

Outlets round, hedge and paraphrase: "30-40%" and "around 30%" are the same fact, so
the exact-match consensus of ``export.attribute_status`` calls them contested. Here
values are compared by *type* (``compatible``), grouped into compatible groups, and
each attribute gets a verdict with the claims behind it and a one-line reason an
analyst can check.

Compatibility rules (``compatible(field, a, b)``), one per value shape:

==================  ==========================================================================
field               compatible when
==================  ==========================================================================
numbers             ``[low, high]`` ranges overlap. A point value (low == high) is first
(killed, injured,   widened by ``NUMBER_TOLERANCE`` (±10%): extraction already turns vague
flow_reduction_pct, words into documented ranges ("about 30" → [27, 33], "several months"
duration_days, …)   → [90, 180] days), so only a bare number needs slack for rounding. Two
                    zeros are equal; zero against non-zero never is ("no casualties" vs 2).
volume, capacity    ``{"range", "unit"}`` in the same dimension (tonnes, barrels, b/d, m3;
                    rates converted to per day) and ranges overlapping as above after
                    conversion. Different dimensions (tonnes vs barrels: density unknown)
                    are *not* compatible, so they are shown side by side, not merged.
location            same normalised name; or both have points within ``PLACE_KM`` (50 km,
                    the resolver's same-place distance); a place with no point (a country,
                    a border, "southern Russia") is compatible when the countries are equal
                    or either is unknown — a point-less place cannot be measured, and the
                    knowledge-base check (``kb_conflicts``) is where a wrong region shows up.
date                the windows ``[start - slack, end + slack]`` overlap, slack by precision
                    (``DATE_SLACK_DAYS``: none for a day, since a month or year window
                    already spans its period). When either report puts the event at night
                    (``DateRange.overnight``: a clock time before 06:00, "overnight", "early
                    hours") the windows may be a day apart, because a night attack is dated either side
                    of midnight; otherwise "23 September" against "24 September" is a
                    contradiction. Year-less dates compare month/day; a date with nothing
                    known is compatible with anything.
type                equal, or one is ``attack_unspecified`` and the other an attack subtype
                    (the taxonomy's "attack whose means the text does not give").
weapon, perpetrator "unknown" is compatible with anything; a kind with its kind ("drone" with
                    "naval_drone"); otherwise equal (case-folded).
damage              equal severity.
anything else       equal JSON.
==================  ==========================================================================

Verdicts (``verify_attributes``): claims of near-duplicate copies are never counted
(they are kept in ``claims`` and named in the reason); the counted claims that are not
hedged (alleged / speculative / denied) are grouped greedily into groups whose members
are pairwise compatible, firmest and earliest first. Independence is per *outlet*: two
articles of one outlet are one source. A minority group backed only by outlets of the
leading group, in their own voice or through a speaker the leading group already cites,
is an *echo* (an outlet repeating a background figure), named in the reason but not a
second side (``_fold_echoes``).

- **unsupported**: no firm counted claim — only hedged ones;
- **contested**: two or more compatible groups; the value is the group backed by the
  most outlets, or None when the top groups tie;
- **agreed**: one group backed by two or more outlets;
- **single-source**: one group backed by one outlet.

The frame fields ``assets``, ``facility`` and ``response`` are lists of distinct things
(several sites, several reactions), and ``volume``/``capacity`` figures measure different
quantities (a year's throughput, a daily rate), so none of them gets a verdict — except
the rates reported through the hit site itself, judged as ``site_rate`` (``site_rates``).
``type``, ``date`` and ``location`` do, but only from events of the incident's own category: a follow-up
article reporting the restoration or a ministry's statement is resolved into the same
incident with another type and date, which is not a disagreement about the incident.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

from energywatch.extract.places import haversine_km
from energywatch.extract.quantities import UNIT_BASE
from energywatch.extract.taxonomy import lookup
from energywatch.kb import normalize_name
from energywatch.models import Claim, Hedge, Incident
from energywatch.verify_kb import KBConflict, kb_conflicts

__all__ = [
    "DATE_SLACK_DAYS",
    "NUMBER_TOLERANCE",
    "PLACE_KM",
    "WEAK_HEDGES",
    "AttributeVerdict",
    "KBConflict",
    "Status",
    "compatible",
    "kb_conflicts",
    "verify_attributes",
]

NUMBER_TOLERANCE = 0.10
"""Relative slack around a point value: reporters round to two digits (< 10% error)."""

PLACE_KM = 50.0
"""Two places this close are the same place (``resolve.SAME_PLACE_KM``)."""

DATE_SLACK_DAYS: dict[str, int] = {"day": 0, "week": 3, "month": 0, "year": 0, "unknown": 0}
"""Extra days each side of a date window; month/year windows already span the period."""

OVERNIGHT_SLACK_DAYS = 1
"""Extra days each side for a report that puts the event at night (``DateRange.overnight``):
a strike at 01:00 is "Monday night" to one outlet and "Tuesday" to another."""

Status = Literal["agreed", "contested", "single-source", "unsupported"]

# Frame fields that list several distinct things rather than one attribute.
# Volumes and capacities are context figures that measure different things (a year's
# throughput, a daily rate, a month's plan): versions of one attribute they are not.
SKIPPED_FIELDS = frozenset({"assets", "facility", "response", "volume", "capacity"})
# Frame fields verified only from events of the incident's own category.
FRAME_VERDICT_FIELDS = frozenset({"type", "date", "location"})
WEAK_HEDGES = frozenset({Hedge.alleged, Hedge.speculative, Hedge.denied})
"""Hedges that make a claim not count as a firm report (module docstring)."""
_WEAK = WEAK_HEDGES
_ANY = frozenset({"unknown", ""})
# Weapon words where one is a kind of the other: a naval drone is a drone, so an outlet
# writing "drones" about a sea-drone attack does not contradict one writing "sea drones".
_KINDS_OF = [{"drone", "naval_drone"}]
_GENERIC = frozenset({"drone"})
_RATE_PER_DAY = {"d": 1.0, "day": 1.0, "yr": 1 / 365, "year": 1 / 365, "month": 1 / 30, "h": 24.0}


# --------------------------------------------------------------------------- compatibility


def _pair(value: Any) -> tuple[float, float] | None:
    """``[low, high]`` (or a bare number) as floats; None when not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), float(value)
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        low, high = float(value[0]), float(value[1])
        return (low, high) if low <= high else (high, low)
    return None


def _widen(pair: tuple[float, float]) -> tuple[float, float]:
    low, high = pair
    if low != high:
        return pair
    slack = abs(low) * NUMBER_TOLERANCE
    return low - slack, high + slack


def ranges_compatible(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Overlap after widening point values by ``NUMBER_TOLERANCE``; zero only matches zero."""
    if (a == (0.0, 0.0)) != (b == (0.0, 0.0)):
        return False
    (al, ah), (bl, bh) = _widen(a), _widen(b)
    return al <= bh and bl <= ah


def _base_unit(unit: Any) -> tuple[str, float] | None:
    """Dimension and factor of a unit label ("Mt/yr" → ("t/d", 1e6/365)); None if unknown."""
    if not isinstance(unit, str):
        return None
    if unit in UNIT_BASE:
        return UNIT_BASE[unit]
    if "/" in unit:
        head, rate = unit.rsplit("/", 1)
        if head in UNIT_BASE and rate in _RATE_PER_DAY:
            dim, factor = UNIT_BASE[head]
            dim = "b/d" if dim == "bbl" else f"{dim}/d"
            return dim, factor * _RATE_PER_DAY[rate]
    return None


def _volume(value: Any) -> tuple[str, tuple[float, float]] | None:
    if not isinstance(value, Mapping):
        return None
    pair, base = _pair(value.get("range")), _base_unit(value.get("unit"))
    if pair is None:
        return None
    if base is None:
        return str(value.get("unit")), pair
    dim, factor = base
    return dim, (pair[0] * factor, pair[1] * factor)


def _date_window(value: Any) -> tuple[dt.date, dt.date] | None:
    if not isinstance(value, Mapping) or not value.get("start"):
        return None
    start = dt.date.fromisoformat(str(value["start"]))
    end = dt.date.fromisoformat(str(value.get("end") or value["start"]))
    slack = dt.timedelta(days=DATE_SLACK_DAYS.get(str(value.get("precision", "unknown")), 0))
    return start - slack, end + slack


def _overnight(*values: Any) -> bool:
    return any(isinstance(v, Mapping) and bool(v.get("overnight")) for v in values)


def _month_day(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, Mapping):
        return None
    md = value.get("month_day")
    if isinstance(md, list | tuple) and len(md) == 2:
        return int(md[0]), int(md[1])
    if value.get("precision") == "day" and value.get("start"):
        day = dt.date.fromisoformat(str(value["start"]))
        return day.month, day.day
    return None


def _dates_compatible(a: Any, b: Any) -> bool:
    # The overnight allowance is a gap between the two windows, not slack on each side.
    gap = dt.timedelta(days=OVERNIGHT_SLACK_DAYS if _overnight(a, b) else 0)
    wa, wb = _date_window(a), _date_window(b)
    if wa and wb:
        return wa[0] <= wb[1] + gap and wb[0] <= wa[1] + gap
    ma, mb = _month_day(a), _month_day(b)
    if ma and mb:
        # Year unknown on one side: same calendar day, give or take the overnight slack.
        da, db = dt.date(2000, *ma), dt.date(2000, *mb)
        return abs((da - db).days) <= gap.days
    return True


def _places_compatible(a: Any, b: Any) -> bool:
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return _key(a) == _key(b)
    if normalize_name(str(a.get("name") or "")) == normalize_name(str(b.get("name") or "")):
        return True
    if None not in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        return haversine_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])) <= PLACE_KM
    ca, cb = a.get("country"), b.get("country")
    return ca is None or cb is None or ca == cb


def _types_compatible(a: Any, b: Any) -> bool:
    if _key(a) == _key(b):
        return True
    try:
        categories = {lookup(str(v)).category for v in (a, b)}
    except KeyError:  # not in the taxonomy: only equal names agree
        return False
    return "attack_unspecified" in (a, b) and categories == {"attack"}


def compatible(field_name: str, a: Any, b: Any) -> bool:
    """Whether two claimed values of ``field_name`` can both be true (module docstring)."""
    if field_name == "type":
        return _types_compatible(a, b)
    if field_name == "date":
        return _dates_compatible(a, b)
    if field_name == "location":
        return _places_compatible(a, b)
    if field_name in ("weapon", "perpetrator"):
        sa, sb = str(a or "").strip().casefold(), str(b or "").strip().casefold()
        return sa in _ANY or sb in _ANY or sa == sb or {sa, sb} in _KINDS_OF
    if field_name == "damage" and isinstance(a, Mapping) and isinstance(b, Mapping):
        return bool(a.get("severity") == b.get("severity"))
    va, vb = _volume(a), _volume(b)
    if va and vb:
        return va[0] == vb[0] and ranges_compatible(va[1], vb[1])
    pa, pb = _pair(a), _pair(b)
    if pa and pb:
        return ranges_compatible(pa, pb)
    return _key(a) == _key(b)


# --------------------------------------------------------------------------- verdicts


@dataclass(slots=True)
class AttributeVerdict:
    """The consensus on one attribute, with everything needed to check it.

    ``claims`` are all claims of the field (copies and hedged ones included, so the
    analyst sees what was discounted); ``groups`` the counted firm claims split into
    pairwise-compatible groups, the largest (by outlets) first.
    """

    field: str
    status: Status
    value: Any
    reason: str
    claims: list[Claim] = dc_field(default_factory=list)
    groups: list[list[Claim]] = dc_field(default_factory=list)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def describe(value: Any) -> str:
    """A value as a reader would write it: "30–40", "54–66 days"... kept short for reasons."""
    pair = _pair(value)
    if pair:
        return _num(pair[0]) if pair[0] == pair[1] else f"{_num(pair[0])}–{_num(pair[1])}"
    if isinstance(value, Mapping):
        if "range" in value:
            return f"{describe(value.get('range'))} {value.get('unit') or ''}".strip()
        if "start" in value or "month_day" in value:
            start, end = value.get("start"), value.get("end")
            if start:
                return str(start) if start == end or not end else f"{start}..{end}"
            md = value.get("month_day")
            return f"{md[1]:02d}/{md[0]:02d} (year unknown)" if md else "undated"
        if "name" in value:
            return str(value["name"])
        if "severity" in value:
            return str(value["severity"])
    return str(value)


def _intersection(field_name: str, group: list[Claim], outlet_of: Mapping[str, str] | None = None) -> Any:
    """The consensus value of a compatible group: the common part of its ranges (numbers
    and volumes in one unit), else the value of its firmest, earliest claim."""
    first = group[0].value
    if field_name in ("weapon", "perpetrator"):
        named = [c.value for c in group if str(c.value).casefold() not in _ANY]
        if not named:
            return first
        # The version most outlets give; on a tie the more specific ("naval_drone" over
        # "drone"), since the generic word is how outlets shorten it.
        backers: dict[Any, set[str]] = {}
        for c in group:
            if c.value in named:
                backers.setdefault(c.value, set()).add((outlet_of or {}).get(c.article_id, c.article_id))
        return max(dict.fromkeys(named), key=lambda v: (len(backers[v]), v not in _GENERIC))
    if field_name == "type":
        specific = [c.value for c in group if c.value != "attack_unspecified"]
        return specific[0] if specific else first
    pairs = [_pair(c.value) for c in group]
    if all(pairs) and field_name not in ("date", "location"):
        return _common([p for p in pairs if p])
    if isinstance(first, Mapping) and "range" in first:
        units = {c.value.get("unit") for c in group if isinstance(c.value, Mapping)}
        vpairs = [_pair(c.value.get("range")) for c in group if isinstance(c.value, Mapping)]
        if len(units) == 1 and all(vpairs):
            return {"range": _common([p for p in vpairs if p]), "unit": first.get("unit")}
    return first


def _common(pairs: list[tuple[float, float]]) -> list[float]:
    low, high = max(p[0] for p in pairs), min(p[1] for p in pairs)
    if low > high:  # points within tolerance (30 and 32): the narrowest span touching all
        low, high = high, low
    return [int(v) if float(v).is_integer() else round(v, 2) for v in (low, high)]


def _group(field_name: str, claims: list[Claim]) -> list[list[Claim]]:
    groups: list[list[Claim]] = []
    for claim in claims:
        home = next((g for g in groups if all(compatible(field_name, claim.value, o.value) for o in g)), None)
        if home is None:
            groups.append([claim])
        else:
            home.append(claim)
    return groups


def _outlets(group: list[Claim], outlet_of: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(outlet_of.get(c.article_id, c.article_id) for c in group))


def _who(group: list[Claim], outlet_of: Mapping[str, str]) -> str:
    names = []
    for outlet in _outlets(group, outlet_of):
        speakers = {
            c.speaker for c in group if outlet_of.get(c.article_id, c.article_id) == outlet and c.speaker
        }
        names.append(f"{outlet}, citing {'/'.join(sorted(speakers))}" if speakers else outlet)
    return "; ".join(names)


def _fold_echoes(
    groups: list[list[Claim]], outlet_of: Mapping[str, str]
) -> tuple[list[list[Claim]], list[list[Claim]]]:
    """Split off minority groups that only the leading group's own outlets back.

    An outlet that gives a second, incompatible figure in its own voice (a background
    number, last year's outage, the weapon of an earlier attack) is not a second source
    disagreeing with the first: sources disagree only when the minority version has a
    backer the leading group lacks — another outlet, or another named speaker quoted by
    the same outlet.
    """
    if len(groups) < 2:
        return groups, []
    top = groups[0]
    voices = {(outlet_of.get(c.article_id, c.article_id), c.speaker) for c in top}
    top_outlets = {o for o, _ in voices}

    def echo(claim: Claim) -> bool:
        outlet = outlet_of.get(claim.article_id, claim.article_id)
        return outlet in top_outlets and (claim.speaker is None or (outlet, claim.speaker) in voices)

    kept: list[list[Claim]] = [top]
    echoes: list[list[Claim]] = []
    for g in groups[1:]:
        (echoes if all(echo(c) for c in g) else kept).append(g)
    return kept, echoes


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(
    field_name: str, claims: list[Claim], outlet_of: Mapping[str, str], copies: set[str]
) -> AttributeVerdict:
    """The verdict on one field from its claims (rules in the module docstring)."""
    order = sorted(claims, key=lambda c: (c.hedge in _WEAK, c.article_id, c.start))
    counted = [c for c in order if c.article_id not in copies]
    copy_articles = {c.article_id for c in claims if c.article_id in copies}
    note = f"; {_plural(len(copy_articles), 'copy')} not counted" if copy_articles else ""
    if not counted:
        return AttributeVerdict(
            field_name, "unsupported", order[0].value if order else None,
            f"only near-duplicate copies report it{note}", claims, [],
        )  # fmt: skip
    firm = [c for c in counted if c.hedge not in _WEAK]
    if not firm:
        groups = _group(field_name, counted)
        hedges = sorted({c.hedge.value for c in counted})
        return AttributeVerdict(
            field_name,
            "unsupported",
            _intersection(field_name, groups[0], outlet_of),
            f"only hedged claims ({', '.join(hedges)}): "
            + " vs ".join(f"{describe(g[0].value)} ({_who(g, outlet_of)})" for g in groups)
            + (" (incompatible)" if len(groups) > 1 else "")
            + note,
            claims,
            groups,
        )
    groups = sorted(_group(field_name, firm), key=lambda g: -len(_outlets(g, outlet_of)))
    groups, echoes = _fold_echoes(groups, outlet_of)
    if echoes:
        also = "; ".join(f"{_who(g, outlet_of)} also gives {describe(g[0].value)}" for g in echoes)
        note += f"; {also} (not a second source)"
    sizes = [len(_outlets(g, outlet_of)) for g in groups]
    hedged = [c for c in counted if c.hedge in _WEAK]
    if hedged:
        # Say whether the hedged versions fit the firm ones: an analyst reading
        # "single-source" should still see that a second, hedged report agrees.
        fitting = sum(any(compatible(field_name, h.value, c.value) for c in firm) for h in hedged)
        fit = (
            "compatible"
            if fitting == len(hedged)
            else "incompatible"
            if not fitting
            else f"{fitting} compatible"
        )
        versions = ", ".join(describe(h.value) for h in hedged)
        note += f"; {_plural(len(hedged), 'hedged claim')} not counted ({versions}: {fit})"
    if len(groups) > 1:
        value = _intersection(field_name, groups[0], outlet_of) if sizes[0] > sizes[1] else None
        sides = " vs ".join(
            f"{describe(_intersection(field_name, g, outlet_of))} ({_who(g, outlet_of)})" for g in groups
        )
        return AttributeVerdict(
            field_name, "contested", value, f"incompatible values: {sides}{note}", claims, groups
        )
    value = _intersection(field_name, groups[0], outlet_of)
    if sizes[0] >= 2:
        reason = (
            f"{sizes[0]} independent outlets agree: {describe(value)} ({_who(groups[0], outlet_of)}){note}"
        )
        return AttributeVerdict(field_name, "agreed", value, reason, claims, groups)
    reason = f"one outlet only: {describe(value)} ({_who(groups[0], outlet_of)}){note}"
    return AttributeVerdict(field_name, "single-source", value, reason, claims, groups)


def verify_attributes(
    incident: Incident,
    outlet_of: Mapping[str, str],
    copies: set[str] | None = None,
    extra: Iterable[Claim] = (),
) -> dict[str, AttributeVerdict]:
    """One verdict per attribute of ``incident``, keyed by field, in field order.

    ``outlet_of`` maps article id → outlet name (an article missing from it counts as
    its own outlet); ``copies`` are near-duplicate article ids, defaulting to
    ``incident.copies``; ``extra`` are derived claims to judge as well (the site rates
    of ``site_rates.site_rate_claims``).
    """
    skip = set(incident.copies) if copies is None else copies
    by_field: dict[str, list[Claim]] = {}
    for claim in extra:
        by_field.setdefault(claim.field, []).append(claim)
    for event in incident.events:
        own = event.category == incident.category
        for claim in event.claims:
            if claim.field in SKIPPED_FIELDS or (claim.field in FRAME_VERDICT_FIELDS and not own):
                continue
            if claim.value is None:
                continue
            by_field.setdefault(claim.field, []).append(claim)
    return {name: verdict(name, cl, outlet_of, skip) for name, cl in sorted(by_field.items())}
