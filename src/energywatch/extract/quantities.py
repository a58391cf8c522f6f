"""Numbers that matter for an incident: casualties, flow cuts, outage lengths, volumes.

DESIGN §5 asks that numbers keep their ranges and that vague words map to *documented*
ranges, so that two outlets saying "about 30%" and "30-40%" can later be compared by
range overlap instead of by string. Everything here is rule-based (no model download):
the phrases reporters use for these few attributes are formulaic, and a rule that fires
can always be shown next to the words it read (``surface``, ``start``, ``end``).

Every finder works sentence by sentence (``split_sentences``), so context checks ("is
there a reduction cue in this clause?", "is this sentence about a repair?") never look
across a sentence boundary, and offsets are mapped back to the whole text.

Vague-word table (the constants below are the source of truth; docs copy this table):

================================  ==========================  =====================================
phrase                            range                       why
================================  ==========================  =====================================
about / around / approximately /  N × [0.9, 1.1]              reporters round to the nearest 5 or
roughly / some / ~ / estimated                                to two digits: the error is < 10%,
                                                              and ±10% keeps "about 30%" apart
                                                              from "50%" but overlapping "30-40%"
nearly / almost / close to        N × [0.9, 1.0]              just under N, same rounding slack
up to / as much as / as many as   N × [0.5, 1.0]              a ceiling quoted because it is
                                                              plausible; [0, N] would say nothing.
                                                              Capacities: [N, N] (a nameplate *is*
                                                              a maximum)
more than / over / at least /     N × [1.0, 1.5]              a floor; beyond 1.5N writers pick the
in excess of                                                  next round number
less than / under / fewer than    N × [0.5, 1.0]              mirror of "more than"
a couple (of)                     [1.5, 2.5]                  "a couple of weeks" → [10.5, 17.5] d
a few                             [2, 4]
several                           [3, 6]                      more than a few, fewer than "many";
                                                              "several months" → [90, 180] days
a dozen                           [12, 12]
dozens (of)                       [24, 99]                    at least two dozen, below hundreds
tens of                           [20, 99]
scores of                         [40, 99]
hundreds (of)                     [200, 999]
half / halved                     50 %
a third / a quarter / two-thirds  33.3 / 25 / 66.7 / 75 %     fractions are spoken rounding, so
/ three quarters                                              they are flagged approximate
1.5-2 months                      [45, 60] days               month = 30 days, week = 7, year = 365,
                                                              hour = 1/24
================================  ==========================  =====================================

Casualty counts are integers, so their ranges are snapped inwards (ceil low, floor high):
"a couple of people" → [2, 2], "about ten" → [9, 11].

Flow reduction from two levels ("fell to 25,000-28,000 t/d from 35,000-35,500 t/d") is
``(1 - after/before) × 100`` taken at the extremes: low = 1 - after_high/before_low,
high = 1 - after_low/before_high, so the range covers every reading of both ranges.

Unit vocabulary (``unit``): ``pct``, ``days``; tonnes ``t``/``kt``/``Mt``; barrels
``bbl``; barrels per day ``b/d``/``kb/d``/``mb/d``; gas ``m3``/``mcm``/``bcm``; a rate is
appended as ``/d``, ``/yr``, ``/month``, ``/h`` ("Mt/yr", "t/d", "m3/h", "bcm/yr"). The
scale the text used is kept when a label exists for it ("480 thousand tonnes" → 480 kt,
"700,000 b/d" → 700000 b/d); otherwise it is multiplied in ("7.2 million barrels" →
7200000 bbl). ``UNIT_BASE`` gives each label's dimension and factor for conversions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from energywatch.extract.sentences import split_sentences

QuantityField = Literal["killed", "injured", "flow_reduction_pct", "duration_days", "volume", "capacity"]


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """One number (or range) read from the text, with the words it was read from.

    ``negated`` marks statements of absence ("no casualties", "no decrease"): the value
    is 0 and the flag lets consensus tell "zero" from "not mentioned".
    """

    field: QuantityField
    low: float
    high: float
    unit: str | None
    start: int
    end: int
    surface: str
    approximate: bool
    negated: bool


# --------------------------------------------------------------------------- tables

MODIFIERS: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("about", "around", "approximately", "approx.", "roughly", "some"), (0.9, 1.1)),
    **dict.fromkeys(("an estimated", "estimated", "~"), (0.9, 1.1)),
    **dict.fromkeys(("nearly", "almost", "close to"), (0.9, 1.0)),
    **dict.fromkeys(("up to", "as much as", "as many as", "as high as"), (0.5, 1.0)),
    **dict.fromkeys(("more than", "over", "at least", "in excess of"), (1.0, 1.5)),
    **dict.fromkeys(("less than", "under", "fewer than"), (0.5, 1.0)),
}
_CEILING_MODIFIERS = frozenset({"up to", "as much as", "as many as", "as high as"})

VAGUE_COUNTS: dict[str, tuple[float, float]] = {
    "a couple of": (1.5, 2.5),
    "a couple": (1.5, 2.5),
    "a few": (2, 4),
}
VAGUE_COUNTS |= {"several": (3, 6), "a dozen": (12, 12), "dozens of": (24, 99), "dozens": (24, 99)}
VAGUE_COUNTS |= {
    "tens of": (20, 99),
    "scores of": (40, 99),
    "hundreds of": (200, 999),
    "hundreds": (200, 999),
}

FRACTIONS_PCT: dict[str, float] = {"half": 50.0, "a half": 50.0, "a third": 100 / 3, "one third": 100 / 3}
FRACTIONS_PCT |= {"a quarter": 25.0, "one quarter": 25.0, "two-thirds": 200 / 3, "two thirds": 200 / 3}
FRACTIONS_PCT |= {"three-quarters": 75.0, "three quarters": 75.0}

DAYS_PER_UNIT: dict[str, float] = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

_UNITS_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
_TEENS_WORDS = "sixteen seventeen eighteen nineteen twenty"
_TENS_WORDS = "thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS: dict[str, float] = {
    w: float(i) for i, w in enumerate(f"{_UNITS_WORDS} {_TEENS_WORDS}".split())
}
_NUMBER_WORDS |= {w: 10.0 * i for i, w in enumerate(_TENS_WORDS.split(), start=3)}
_NUMBER_WORDS |= {"a hundred": 100.0, "one hundred": 100.0}

# Dimension and factor to the base unit (t, bbl, b/d, m3) for each label we emit.
UNIT_BASE: dict[str, tuple[str, float]] = {
    "t": ("t", 1),
    "kt": ("t", 1e3),
    "Mt": ("t", 1e6),
    "bbl": ("bbl", 1),
}
UNIT_BASE |= {"b/d": ("b/d", 1), "kb/d": ("b/d", 1e3), "mb/d": ("b/d", 1e6)}
UNIT_BASE |= {"m3": ("m3", 1), "mcm": ("m3", 1e6), "bcm": ("m3", 1e9)}
_LABELS: dict[str, dict[float, str]] = {
    "t": {1: "t", 1e3: "kt", 1e6: "Mt"},
    "bbl": {1: "bbl"},
    "b/d": {1: "b/d", 1e3: "kb/d", 1e6: "mb/d"},
    "m3": {1: "m3", 1e6: "mcm", 1e9: "bcm"},
}

# --------------------------------------------------------------------------- number grammar

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDS = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_ATOM = rf"(?:(?:{_DIGITS})(?!\d)|\b(?:{_WORDS})(?:\s+and\s+a\s+half)?\b)"
_VAGUE = "|".join(sorted((re.escape(w) for w in VAGUE_COUNTS), key=len, reverse=True))
_MOD = "|".join(sorted((re.escape(w) for w in MODIFIERS), key=len, reverse=True))
# An amount starts at a word edge and not inside a code, price or date ("SPM-2", "$4.99").
_START = r"(?<![\w$€£.,/-])"


def _amount(separators: str) -> str:
    """Regex for a number, range or vague count with an optional modifier."""
    rng = rf"(?:{_ATOM})(?:\s*%?\s*(?:{separators})\s*(?:{_ATOM}))?"
    between = rf"between\s+{_ATOM}\s*%?\s+and\s+{_ATOM}"
    return rf"{_START}(?:(?:{_MOD})\s*)?(?:{between}|\b(?:{_VAGUE})\b|{rng})"


_AMOUNT = _amount(r"[-–—]|to\b|or\b")
_AMOUNT_DASH = _amount(r"[-–—]")  # where "to" means something else ("from X to Y")
_MOD_RE = re.compile(rf"^(?:{_MOD})(?:\s+|(?<=~))", re.IGNORECASE)
_SPLIT_RE = re.compile(r"\s*%?\s*(?:[-–—]|\bto\b|\bor\b)\s*", re.IGNORECASE)
_BETWEEN_RE = re.compile(r"^between\s+(.+?)\s*%?\s+and\s+(.+)$", re.IGNORECASE)


def _atom_value(token: str) -> float | None:
    token = token.strip().lower()
    half = 0.0
    if token.endswith("and a half"):
        token, half = token[: -len("and a half")].strip(), 0.5
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token] + half
    try:
        return float(token.replace(",", "")) + half
    except ValueError:
        return None


def _parse_amount(raw: str) -> tuple[float, float, bool, str | None] | None:
    """(low, high, approximate, modifier) of an amount matched by ``_AMOUNT``."""
    text = " ".join(raw.lower().split())
    mod_match = _MOD_RE.match(text)
    modifier = mod_match.group().strip() if mod_match else None
    text = text[mod_match.end() :] if mod_match else text
    approximate = text in VAGUE_COUNTS
    if approximate:
        low, high = VAGUE_COUNTS[text]
    else:
        between = _BETWEEN_RE.match(text.rstrip("%").strip())
        parts = list(between.groups()) if between else _SPLIT_RE.split(text.rstrip("%").strip())
        values = [_atom_value(p) for p in parts if p]
        if not values or any(v is None for v in values):
            return None
        nums = [v for v in values if v is not None]
        low, high = min(nums), max(nums)
    if modifier:
        lo_f, hi_f = MODIFIERS[modifier]
        low, high, approximate = low * lo_f, high * hi_f, True
    return low, high, approximate, modifier


# --------------------------------------------------------------------------- shared helpers

_CLAUSE_BREAK = re.compile(r"[;()\[\]]|,\s|\s[-–—]\s")
_FLOW_NOUN = re.compile(
    r"\b(?:flows?|throughput|exports?|output|production|pumping|volumes?|shipments?|loadings?|supply|"
    r"supplies|deliveries|intake|processing|runs|liquids|b/d|bpd|barrels|tonnes|capacity)\b",
    re.IGNORECASE,
)
_PRICE_WORDS = re.compile(
    r"\b(?:prices?|brent|wti|benchmarks?|futures|shares?|stocks?|index|spread)\b|\$", re.I
)
_REDUCTION_BEFORE = re.compile(
    r"\b(?:cut|cuts|cutting|reduc\w*|fall|falls|fell|fallen|falling|drop\w*|declin\w*|lower\w*|down|"
    r"slash\w*|decreas\w*|shr[ai]nk\w*|plung\w*|slump\w*|tumbl\w*|sank|sink\w*|curtail\w*|halt\w*|lost|"
    r"lose|losing)\b",
    re.IGNORECASE,
)
_REDUCTION_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:cut|reduction|drop|decline|decrease|fall|lower|below|less|down|loss|shortfall)\b",
    re.IGNORECASE,
)


def _clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding ``pos``: cues must sit in the same clause."""
    last = 0
    for m in _CLAUSE_BREAK.finditer(sentence, 0, pos):
        last = m.end()
    return last


def _snap(low: float, high: float) -> tuple[float, float]:
    """Casualties are whole people: round a range inwards, never to nothing."""
    lo, hi = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if lo > hi:
        lo = hi = round((low + high) / 2)
    return float(lo), float(hi)


# field, low, high, unit, start, end (offsets into the sentence), approximate, negated
_Hit = tuple[QuantityField, float, float, str | None, int, int, bool, bool]

# --------------------------------------------------------------------------- casualties

_PERSON = (
    r"(?:people|persons?|civilians?|workers?|employees?|staff(?:\s+members?)?|residents?|men|women|"
    r"children|child|man|woman|boys?|girls?|watchm[ae]n|firefighters?|rescuers?|soldiers?|servicemen|guards?|crew(?:\s+members?)?|passengers?|"
    r"others?|locals?|individuals?|engineers?|contractors?|personnel|officers?|adults?|victims?)"
)
_KILL = r"killed|dead|died|perished|lost\s+their\s+lives?|fatally\s+(?:injured|wounded)"
_HURT = (
    r"injured|wounded|hurt|hospitali[sz]ed|(?:taken|admitted|rushed)\s+to\s+(?:a\s+)?hospital|"
    r"(?:sustained|suffered|received)\s+injuries"
)
_PERSON_TAIL = (
    rf"(?:\s+(?:of\s+(?:its|the|their|his|her)\s+)?(?:[\w-]+\s+){{0,2}}?{_PERSON}(?:\s+of\s+[A-Z][\w-]*)?)"
)
_CASUALTY_SUBJECT = re.compile(
    rf"(?P<amt>{_AMOUNT}){_PERSON_TAIL}?\s+(?:(?:were|was|have\s+been|had\s+been|are|is|got)\s+)?"
    rf"(?:(?:reportedly|also|seriously|slightly|critically|lightly|badly|later)\s+)?"
    rf"(?P<verb>{_KILL}|{_HURT})\b",
    re.IGNORECASE,
)
_CASUALTY_OBJECT = re.compile(
    rf"\b(?P<verb>killing|killed|injuring|injured|wounding|wounded|hurting|hurt)\s+(?P<amt>{_AMOUNT})"
    rf"(?:{_PERSON_TAIL}|(?=\s*[,.;]|\s+and\b|\s*$))",
    re.IGNORECASE,
)
_CASUALTY_NOUN = re.compile(
    rf"(?P<amt>{_AMOUNT})\s+(?:people\s+)?(?P<verb>deaths|fatalities|injuries)\b", re.IGNORECASE
)
_NO_CASUALTIES = re.compile(
    r"\b(?:(?:no|zero)\s+(?:reports?\s+of\s+)?(?P<noun>casualties|victims|deaths|fatalities|injuries)"
    r"|without\s+(?P<noun2>casualties)"
    r"|(?:no\s+one|no-one|nobody|none)\s+(?:was|were|has\s+been|had\s+been|is)\s+(?:reported\s+)?"
    r"(?P<v1>killed|hurt|injured|wounded|harmed|died)(?:\s+(?:or|and)\s+(?P<v2>killed|hurt|injured|wounded))?"
    r"|(?:no\s+one|no-one|nobody)\s+(?P<v3>died))\b",
    re.IGNORECASE,
)
# "a"/"an" counts as one only next to a person noun: "killing a station employee",
# "a worker was injured" — never "a drone was shot down".
_CASUALTY_ONE = re.compile(
    rf"\b(?:(?P<verb>killing|killed|injuring|injured|wounding|wounded)\s+(?:a|an|one)\s+(?:[\w-]+\s+){{0,2}}?"
    rf"{_PERSON}\b|(?<![\w-])(?:a|an|one)\s+(?:[\w-]+\s+){{0,2}}?{_PERSON}\s+(?:was|has\s+been|had\s+been)\s+"
    rf"(?:(?:reportedly|also|seriously|slightly|critically|lightly|badly|later)\s+)?(?P<verb2>{_KILL}|{_HURT})\b)",
    re.IGNORECASE,
)
_KILL_WORDS = ("kill", "dead", "died", "perish", "lost", "fatal", "death")


def _casualty_field(verb: str) -> QuantityField:
    verb = verb.lower()
    # "fatally injured" is a death, so the kill words are checked first.
    return "killed" if any(w in verb for w in _KILL_WORDS) else "injured"


def _casualties(sentence: str) -> Iterator[_Hit]:
    for pattern in (_CASUALTY_SUBJECT, _CASUALTY_OBJECT, _CASUALTY_NOUN):
        for m in pattern.finditer(sentence):
            parsed = _parse_amount(m.group("amt"))
            if parsed is None or (parsed[1] >= 1900 and "," not in m.group("amt")):
                continue  # a bare four-digit number next to "died" is a year, not a count
            low, high = _snap(parsed[0], parsed[1])
            yield (_casualty_field(m.group("verb")), low, high, None, m.start(), m.end(), parsed[2], False)
    for m in _CASUALTY_ONE.finditer(sentence):
        field = _casualty_field(m.group("verb") or m.group("verb2"))
        yield (field, 1.0, 1.0, None, m.start(), m.end(), False, False)
    for m in _NO_CASUALTIES.finditer(sentence):
        fields: set[QuantityField] = set()
        for w in (w.lower() for w in m.groups() if w):
            fields |= {"killed", "injured"} if w in {"casualties", "victims"} else {_casualty_field(w)}
        for f in sorted(fields):
            yield (f, 0.0, 0.0, None, m.start(), m.end(), False, True)


# --------------------------------------------------------------------------- flow reduction

_PCT = re.compile(rf"(?P<amt>{_AMOUNT})\s*(?:%|per\s*cent\b|percent\b|pct\b)", re.IGNORECASE)
_FRACTION = re.compile(
    rf"\b(?:by|in)\s+(?P<mod>(?:{_MOD})\s+)?(?P<frac>"
    + "|".join(sorted((re.escape(f) for f in FRACTIONS_PCT), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_HALVED = re.compile(r"\bhalved\b", re.IGNORECASE)
_NO_DECREASE = re.compile(
    r"\bno\s+(?:decrease|reduction|drop|decline|fall|cuts?|disruption)\b"
    r"|\b(?:not|n't|never)\s+(?:been\s+|be\s+)?(?:reduced|cut|decreased|fallen|fall|dropped|declined)\b",
    re.IGNORECASE,
)
_MEASURE_SRC = (
    r"(?P<amt>{amt})(?:\s*(?P<scale>million|mln|mn|m|billion|bln|bn|thousand|k)\b)?"
    r"(?:\s*(?P<unit>{units}))?"
)


def _reduction_cue(sentence: str, start: int, end: int) -> bool:
    """A percentage is a flow cut only with a reduction word in its own clause.

    Before the number the cue may be anywhere in the clause ("volumes could fall by about
    30%"); after it, only the next word or two ("30-40% below", "a 30% cut"). "N% of X" is a
    share ("80% of Kazakhstan's exports") unless a cue verb sits right before it ("cut 30% of").
    """
    clause = sentence[_clause_start(sentence, start) : start]
    after = sentence[end : end + 30]
    if _PRICE_WORDS.search(clause):
        return False
    if re.match(r"\s+of\b", after):
        return bool(_REDUCTION_BEFORE.search(clause[-20:]))
    return bool(_REDUCTION_BEFORE.search(clause) or _REDUCTION_AFTER.match(after))


def _flow(sentence: str) -> Iterator[_Hit]:
    if not _FLOW_NOUN.search(sentence):
        return  # "prices fell 5%" and "74% of accounts lose money" are not about flows
    for m in _PCT.finditer(sentence):
        parsed = _parse_amount(m.group("amt"))
        if parsed and parsed[1] <= 100 and _reduction_cue(sentence, m.start(), m.end()):
            yield ("flow_reduction_pct", parsed[0], parsed[1], "pct", m.start(), m.end(), parsed[2], False)
    for m in _FRACTION.finditer(sentence):
        if not _REDUCTION_BEFORE.search(sentence[_clause_start(sentence, m.start()) : m.start()]):
            continue  # "a third of the consortium" is ownership, "rose by a quarter" a rise
        value = FRACTIONS_PCT[m.group("frac").lower()]
        lo_f, hi_f = MODIFIERS[m.group("mod").strip().lower()] if m.group("mod") else (1.0, 1.0)
        yield ("flow_reduction_pct", value * lo_f, value * hi_f, "pct", m.start(), m.end(), True, False)
    for m in _HALVED.finditer(sentence):
        yield ("flow_reduction_pct", 50.0, 50.0, "pct", m.start(), m.end(), False, False)
    for m in _NO_DECREASE.finditer(sentence):
        yield ("flow_reduction_pct", 0.0, 0.0, "pct", m.start(), m.end(), False, True)
    yield from _flow_from_levels(sentence)


# --------------------------------------------------------------------------- volumes & capacities

_UNIT_TOKENS: list[tuple[str, str, float]] = [
    # (regex, dimension, factor to the base unit); longest and most specific first.
    (r"barrels?\s+(?:per|a)\s+day|barrels?/day|bbl/d|bpd|b/d", "b/d", 1),
    (r"kb/d|kbpd|kbd", "b/d", 1e3),
    (r"mmb/d|mmbpd|mb/d|mbpd|mbd", "b/d", 1e6),
    (r"barrels?(?!\s*(?:/\s*t\b|per\s+(?:metric\s+)?(?:tonne|ton)))|bbls?(?!\s*/\s*t\b)", "bbl", 1),
    (r"metric\s+tons?|tonnes?|tons?", "t", 1),
    (r"mmt|mt", "t", 1e6),
    (r"kt", "t", 1e3),
    (r"t", "t", 1),
    (r"bcm", "m3", 1e9),
    (r"mcm", "m3", 1e6),
    (r"cubic\s+met(?:re|er)s?|m3|m³|cu\s?m", "m3", 1),
]
_UNIT_ALT = "|".join(f"(?:{u[0]})" for u in _UNIT_TOKENS)
_RATE = (
    r"(?P<rate_of>\s+of\s+(?!\d)[\w-]+(?:\s+[\w-]+)?)??(?:\s*/\s*|\s+(?:per|a|an|each)\s+)"
    r"(?P<rate>day|d|year|yr|y|annum|month|mo|hour|h)\b|\s+(?P<rate_adv>annually|daily)"
)
_VOLUME = re.compile(
    _MEASURE_SRC.format(amt=_AMOUNT, units=_UNIT_ALT) + rf"(?![a-z³])(?:{_RATE})?", re.IGNORECASE
)
_MEASURE = re.compile(
    _MEASURE_SRC.format(amt=_AMOUNT_DASH, units=_UNIT_ALT) + rf"(?![a-z³])(?:{_RATE})?", re.IGNORECASE
)
_SCALES = {"million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bln": 1e9, "bn": 1e9}
_SCALES |= {"thousand": 1e3, "k": 1e3}
_RATE_LABEL = {"d": "d", "day": "d", "daily": "d", "year": "yr", "yr": "yr", "y": "yr", "annum": "yr"}
_RATE_LABEL |= {"annually": "yr", "month": "month", "mo": "month", "hour": "h", "h": "h"}
_CAPACITY_CUE = re.compile(
    r"\b(?:capacity|capacities|can\s+(?:carry|process|handle|pump|ship|load|move|take)|capable\s+of|"
    r"handles?|designed\s+(?:for|to)|design|nameplate|ceiling|maximum|rated)\b",
    re.IGNORECASE,
)


def _unit_of(m: re.Match[str]) -> tuple[float, str | None, str | None]:
    """(factor to apply to the amount, unit label, dimension) of a ``_VOLUME`` match."""
    scale = _SCALES.get((m.group("scale") or "").lower(), 1.0)
    token = m.group("unit")
    if token is None:
        return scale, None, None
    # The alternation is built from _UNIT_TOKENS, so one entry always matches.
    dim, factor = next((d, f) for r, d, f in _UNIT_TOKENS if re.fullmatch(r, token, re.IGNORECASE))
    rate = _RATE_LABEL.get((m.group("rate") or m.group("rate_adv") or "").lower())
    if dim == "bbl" and rate == "d":
        dim, rate = "b/d", None  # "barrels a day" is the b/d family
    total = scale * factor
    # Keep the largest label the text's own scale reaches ("480 thousand tonnes" → kt).
    label_scale = max(s for s in _LABELS[dim] if s <= total) if total >= 1 else 1
    label = _LABELS[dim][label_scale]
    if rate:
        label += f"/{rate}"
    return total / label_scale, label, dim


def _volumes(sentence: str) -> Iterator[_Hit]:
    for m in _VOLUME.finditer(sentence):
        if m.group("unit") is None:
            continue
        parsed = _parse_amount(m.group("amt"))
        if parsed is None:
            continue
        factor, label, _ = _unit_of(m)
        low, high = parsed[0] * factor, parsed[1] * factor
        clause = sentence[_clause_start(sentence, m.start()) : m.end()]
        per_year = label is not None and label.endswith("/yr")
        field: QuantityField = "capacity" if per_year or _CAPACITY_CUE.search(clause) else "volume"
        if field == "capacity" and parsed[3] in _CEILING_MODIFIERS:
            low = high  # "can process up to 45 bcm a year": a nameplate is the maximum itself
        yield (field, low, high, label, m.start(), m.end(), parsed[2], False)


_LEVEL_PREFIX = re.compile(r"\s*(?:a\s+normal\s+|normal\s+|a\s+|an\s+|the\s+)?", re.IGNORECASE)


def _measure_at(sentence: str, pos: int) -> tuple[float, float, str | None, int] | None:
    """Base-unit (low, high, dimension, end) of the measure starting at ``pos``."""
    pos = _LEVEL_PREFIX.match(sentence, pos).end()  # type: ignore[union-attr]
    m = _MEASURE.match(sentence, pos)
    if m is None:
        return None
    parsed = _parse_amount(m.group("amt"))
    if parsed is None:
        return None
    factor, label, dim = _unit_of(m)
    base = UNIT_BASE[label.split("/")[0]][1] if label else 1.0
    return parsed[0] * factor * base, parsed[1] * factor * base, dim, m.end()


def _flow_from_levels(sentence: str) -> Iterator[_Hit]:
    """ "fell to 25,000 t/d from 35,000 t/d" → a percentage, when a reduction verb is there."""
    for m in re.finditer(r"\bfrom\s", sentence, re.IGNORECASE):
        before = _measure_at(sentence, m.end())
        if before is None:
            continue
        to = re.match(r"\s+to\s", sentence[before[3] :], re.IGNORECASE)
        # Either order: "from X to Y" or "to Y from X" (looked up just before "from").
        if to:
            after = _measure_at(sentence, before[3] + to.end())
            if after is None:
                continue
            start, end = m.start(), after[3]
        else:
            back = re.search(r"\bto\s+(?=[^\s])", sentence[max(0, m.start() - 60) : m.start()], re.I)
            if back is None:
                continue
            to_pos = max(0, m.start() - 60) + back.end()
            after = _measure_at(sentence, to_pos)
            if after is None or after[3] > m.start():
                continue
            start, end = to_pos - 3, before[3]
        if before[2] and after[2] and before[2] != after[2]:
            continue  # "from 5 Mt to 200,000 b/d" compares nothing
        if not _REDUCTION_BEFORE.search(sentence[_clause_start(sentence, start) : start]):
            continue
        if before[0] <= 0 or after[1] >= before[0]:
            continue  # not a reduction at every reading of both ranges
        low = (1 - after[1] / before[0]) * 100
        high = (1 - after[0] / before[1]) * 100
        low, high = sorted((max(low, 0.0), min(high, 100.0)))
        yield ("flow_reduction_pct", low, high, "pct", start, end, True, False)


# --------------------------------------------------------------------------- durations

_DURATION = re.compile(
    rf"(?P<amt>{_AMOUNT})\s+(?:calendar\s+|working\s+|business\s+|more\s+|further\s+|additional\s+)?"
    r"(?P<unit>hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_DURATION_ONE = re.compile(
    rf"\b(?:take|takes|took|taken|taking|last|lasts|lasted|lasting|for|within)\s+"
    rf"(?P<amt>(?:(?:{_MOD})\s+)?an?)\s+(?P<unit>hour|day|week|month|year)\b",
    re.IGNORECASE,
)
_TAKE = re.compile(r"\b(?:take|takes|took|taken|taking)\b[^,;]{0,25}$", re.IGNORECASE)
_OUTAGE_CUE = re.compile(
    r"\b(?:repair\w*|restor\w*|outage|offline|shut\w*|halt\w*|stop\w*|suspen\w*|closed|closure|down|"
    r"resum\w*|restart\w*|back|return\w*|fix\w*|replac\w*|install\w*|damage\w*|disrupt\w*|interrupt\w*|"
    r"out\s+of\s+(?:action|service|operation)|maintenance|idle\w*|last\w*|took|take)\b",
    re.IGNORECASE,
)
_RESTART_CUE = re.compile(r"\b(?:back|resum\w*|restart\w*|restor\w*|reopen\w*|return\w*)\b", re.I)
# "the last two months" is a window, "expected to last two months" a length.
_NOT_VERB = "(?<!to )(?<!will )(?<!could )(?<!may )(?<!might )(?<!would )"
_DURATION_LEFT_REJECT = re.compile(
    rf"\b(?:{_NOT_VERB}last|past|recent|next|first|previous|coming|following|per|every|each|the)\s+$", re.I
)
_DURATION_RIGHT_REJECT = re.compile(
    r"^\s*(?:ago|earlier|later|before|old|from\s+now|prior|into|of\s+(?:storage|supply|stocks|cover|"
    r"inventory|consumption|output|production|exports|imports|demand|talks|war|fighting))\b",
    re.IGNORECASE,
)


def _durations(sentence: str) -> Iterator[_Hit]:
    """Outage and repair lengths; dates, ages and "two months ago" are not durations.

    A length counts when a "take" verb is right before it, or when the sentence talks
    about an outage or repair. "N days after X" is the time since X, which is an outage
    length only when the sentence says the thing came back ("back eight days after a fire").
    """
    matches = [*_DURATION.finditer(sentence), *_DURATION_ONE.finditer(sentence)]
    for m in matches:
        left, right = sentence[: m.start()], sentence[m.end() :]
        if _DURATION_LEFT_REJECT.search(left) or _DURATION_RIGHT_REJECT.match(right):
            continue
        if re.match(r"\s*after\b", right, re.I) and not _RESTART_CUE.search(sentence):
            continue
        if not (_TAKE.search(left) or _OUTAGE_CUE.search(sentence)):
            continue
        parsed = _parse_amount(re.sub(r"\ban?$", "one", m.group("amt").strip(), flags=re.I))
        if parsed is not None:  # span starts at the amount: "lasted roughly a day" → "roughly a day"
            days = DAYS_PER_UNIT[m.group("unit").lower().rstrip("s")]
            low, high = parsed[0] * days, parsed[1] * days
            yield ("duration_days", low, high, "days", m.start("amt"), m.end(), parsed[2], False)


# --------------------------------------------------------------------------- entry point

_FINDERS: tuple[Callable[[str], Iterator[_Hit]], ...] = (_casualties, _flow, _durations, _volumes)


def _iter_mentions(text: str) -> Iterator[QuantityMention]:
    for sent in split_sentences(text):
        for finder in _FINDERS:
            for field, low, high, unit, start, end, approx, negated in finder(sent.text):
                s, e = sent.start + start, sent.start + end
                yield QuantityMention(
                    field, round(low, 4), round(high, 4), unit, s, e, text[s:e], approx, negated
                )


def find_quantities(text: str) -> list[QuantityMention]:
    """Every quantity mention in ``text``, ordered by position, offsets into ``text``.

    The same words may yield several mentions of different fields ("no casualties" is
    both killed = 0 and injured = 0); a mention is never repeated for the same field and span.
    """
    seen: set[tuple[str, int, int]] = set()
    result: list[QuantityMention] = []
    for mention in _iter_mentions(text):
        key = (mention.field, mention.start, mention.end)
        if key not in seen:
            seen.add(key)
            result.append(mention)
    # Casualty patterns overlap ("two people were killed" also holds "two people"); keep the
    # longest mention per field where spans of the same field overlap.
    result.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[QuantityMention] = []
    for m in result:
        if any(k.field == m.field and k.start <= m.start and m.end <= k.end for k in kept):
            continue
        kept.append(m)
    return kept
