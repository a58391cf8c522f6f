"""The rate through the hit site: the one volume figure outlets report about *the same
flow*, so the one whose versions can contradict each other.

Volume and capacity claims are mostly context: a pipeline's yearly throughput, a
country's plan for the month, a terminal's per-mooring capacity. Comparing those with
each other would report disagreements that are not there, so verification skips them.
But "at least 130,000 tonnes a month came through Kavkazskaya" and "about 300 thousand
tonnes a month through Kavkazskaya" *are* two versions of one figure, and an analyst
sizing the outage needs to see that they disagree.

A volume or capacity claim is a **site rate** when

- its unit is a rate (per day, month or year: "t/month", "kb/d", "Mt/yr"), and
- it is read for an event of the incident's own category (a restart's new rate or a
  statement's monthly plan is another moment, not another version), and
- the incident has sites (KB assets that are not fields or pipelines — those are where
  effects show, not what was hit), and
- its sentence names one of the incident's sites — by a KB alias, or by the distinctive
  part of one ("Kavkazskaya" for the Kavkazskaya oil transfer station), which in a story
  already about that site means the site — and no other KB asset apart from pipelines
  and fields.

Such claims are copied under a field per dimension (``SITE_RATE_FIELDS``:
``site_rate_tonnes``, ``site_rate_barrels``, ``site_rate_m3``) and get a verdict like any
other attribute; rates in different units of one dimension (t/month, kt/d) are
converted before comparing (``verify.compatible``).
"""

from __future__ import annotations

from collections.abc import Mapping

from energywatch.extract.quantities import UNIT_BASE
from energywatch.kb import Asset, KnowledgeBase, normalize_name
from energywatch.models import Claim, Incident

SITE_RATE_FIELDS = {"t": "site_rate_tonnes", "bbl": "site_rate_barrels", "m3": "site_rate_m3"}
"""One field per dimension: a plant's gas intake (m3) and its liquids output (t) are
different flows, and tonnes against barrels would need a density the reports don't give."""
_RATE_SUFFIXES = ("/d", "/day", "/month", "/yr", "/year", "/h")
_CONTEXT_TYPES = frozenset({"field", "pipeline"})
# Words of an alias that say what kind of site it is, not which one.
_KIND_WORDS = frozenset(
    {
        *("the", "of", "oil", "gas", "crude", "pumping", "pump", "transfer", "station", "point"),
        *("terminal", "refinery", "plant", "processing", "field", "complex", "facility", "port"),
        *("marine", "cpc", "нпс", "ппн", "станица"),
    }
)


def is_rate(value: object) -> bool:
    """Whether a volume value is a flow rate ("kt/month", "kb/d"), not an amount."""
    if not isinstance(value, Mapping):
        return False
    unit = value.get("unit")
    return isinstance(unit, str) and (unit.endswith(_RATE_SUFFIXES) or unit in {"b/d", "kb/d", "mb/d"})


def _short_names(asset: Asset) -> set[str]:
    """What a story already about the site calls it: "Kavkazskaya" for the "Kavkazskaya
    oil transfer station" (too ambiguous to be a KB alias on its own, clear here)."""
    names = {normalize_name(asset.name)} | {normalize_name(a) for a in asset.aliases}
    for alias in [asset.name, *asset.aliases]:
        words = [w for w in normalize_name(alias).split() if w not in _KIND_WORDS]
        if words and len(" ".join(words)) >= 4:
            names.add(" ".join(words))
    return {n for n in names if n}


def _names_site(sentence: str, names: set[str]) -> bool:
    padded = f" {normalize_name(sentence)} "
    return any(f" {n} " in padded for n in names)


def _dimension(value: Mapping[str, object]) -> str | None:
    unit = str(value.get("unit") or "")
    head = unit.split("/", 1)[0]
    if unit in UNIT_BASE:
        return UNIT_BASE[unit][0].replace("b/d", "bbl")
    return UNIT_BASE[head][0] if head in UNIT_BASE else None


def site_rate_claims(incident: Incident, texts: Mapping[str, str], kb: KnowledgeBase) -> list[Claim]:
    """The incident's volume/capacity claims that are rates through one of its sites."""
    assets = [kb.assets[a] for a in incident.assets if a in kb.assets]
    sites = {a.id for a in assets if a.type.value not in _CONTEXT_TYPES}
    if not sites:
        return []
    around = {a.id for a in kb.assets.values() if a.type.value in _CONTEXT_TYPES}
    names = set().union(*(_short_names(kb.assets[a]) for a in sites))
    found: list[Claim] = []
    for event in incident.events:
        text = texts.get(event.article_id)
        if text is None or event.category != incident.category:
            continue
        for claim in event.claims:
            if claim.field not in ("volume", "capacity") or not is_rate(claim.value):
                continue
            dimension = _dimension(claim.value)
            if dimension not in SITE_RATE_FIELDS:
                continue
            sentence = text[claim.sentence_start : claim.sentence_end]
            named = {m.asset_id for m in kb.find_mentions(sentence)}
            if (named & sites or _names_site(sentence, names)) and not (named - sites - around):
                found.append(claim.model_copy(update={"field": SITE_RATE_FIELDS[dimension]}))
    return found
