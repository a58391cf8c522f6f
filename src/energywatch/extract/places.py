"""Places and assets in article text, and which place is the incident's (DESIGN §5).

News names many places besides the one where something happened: where the talks were
held ("talks in New York"), where the oil goes ("from Tengiz to Novorossiysk"), where
a minister spoke, or a reference point ("200 km south of Rostov-on-Don"). This module
finds every place with its span, gives it coordinates from the knowledge base or the
gazetteer, labels the ones whose role the wording makes plain, and then picks the
incident's place.

Rule-based on purpose (no model download). Three finders feed ``find_places``:

1. knowledge-base assets (``KnowledgeBase.find_mentions``), which win over any other
   reading of the same span ("Tuapse refinery" is the asset, not the town);
2. region phrases the gazetteer cannot key on: "Krasnodar region"/"Saratov region",
   "southern Russia", "the Black Sea", "the Kazakhstan–Azerbaijan border";
3. capitalised phrases looked up in the gazetteer, longest sub-phrase first
   (word lists and patterns, each with its reason, live in ``extract.place_lexicon``).

Decisions, so that callers can rely on them:

- a vague region ("southern Russia") and a border have no point: ``lat``/``lon`` None;
- a relative reference keeps the reference place's ``name`` and sets ``relation``;
  with a distance and a compass direction ("200 km south of X") ``lat``/``lon`` are the
  *offset* point (the estimated incident site, not X); with a bare direction
  ("south of X") they are None; "near"/"outside" X keep X's point;
- countries carry no point (the gazetteer has none); demonyms ("Kazakh oil") are
  country mentions with ``relation="demonym"`` and role "other";
- ``incident_location`` prefers the affected asset's point over any place named in the
  text; a claim that contradicts the knowledge base ("near the Kazakhstan–Azerbaijan
  border") keeps role "incident" in ``find_places`` output for verification to flag.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from energywatch.extract.place_lexicon import (
    ACRONYM_COUNTRIES,
    BARE_RELATIVE,
    BORDER,
    CANDIDATE,
    CONNECTORS,
    DATELINE,
    DEMONYMS,
    DIR_WORD,
    DIRS,
    FACILITY,
    FACILITY_BEFORE,
    FACILITY_TYPES,
    FLOW_WORDS,
    FUNCTION_WORDS,
    INCIDENT_CUE,
    LOCATIVE,
    MACRO,
    MACRO_DEMONYMS,
    MEETING,
    OUTLET_AFTER,
    REGION_SUFFIX,
    RELATIVE,
    SEA,
    SEAS,
    SPEAKER,
    STOPLIST,
    VAGUE_REGION,
    haversine_km,
    offset_point,
)
from energywatch.extract.sentences import Sentence, sentence_at
from energywatch.kb import Asset, KnowledgeBase, Place, normalize_name

__all__ = [
    "AssetMention",
    "PlaceMention",
    "affected_assets",
    "find_assets",
    "find_places",
    "haversine_km",
    "incident_location",
]

PlaceKind = Literal["asset", "city", "admin", "country", "region_phrase"]
PlaceRole = Literal["incident", "other", "unknown"]


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in the text; ``start``/``end`` are offsets, ``surface`` the text."""

    name: str
    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    kind: PlaceKind
    asset_id: str | None = None
    role: PlaceRole = "unknown"
    relation: str | None = None  # "200 km south of", "near", "meeting", "destination", "demonym"…


@dataclass(frozen=True, slots=True)
class AssetMention:
    """A facility named in the text. ``in_kb`` False: described generically ("an oil
    depot in Tikhoretsk"), recorded as ``facility_type`` + ``place`` with no id."""

    start: int
    end: int
    surface: str
    asset_id: str | None
    facility_type: str  # an AssetType value for KB assets, else the normalised noun ("oil_depot")
    place: str | None
    lat: float | None
    lon: float | None
    in_kb: bool


# --------------------------------------------------------------------------- find_places


def find_places(text: str, kb: KnowledgeBase) -> list[PlaceMention]:
    """Every place named in ``text``, in text order, non-overlapping, with a role where
    the wording gives one (see the module docstring for the coordinate decisions)."""
    found: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(m: PlaceMention) -> None:
        found.append(m)
        taken.append((m.start, m.end))

    for m in _asset_places(text, kb):
        if free(m.start, m.end):
            add(m)
    for m in _region_phrases(text, kb):
        if free(m.start, m.end):
            add(m)
    context = _country_context(text, found)
    for m in _gazetteer_places(text, kb, context, free):
        add(m)
    found.sort(key=lambda p: p.start)
    return [_with_role(text, p) for p in found]


def _asset_places(text: str, kb: KnowledgeBase) -> list[PlaceMention]:
    """KB asset mentions; a span shared by several assets becomes one mention, of the
    first asset that has a point (a shared alias seldom differs by much)."""
    by_span: dict[tuple[int, int], PlaceMention] = {}
    for match in kb.find_mentions(text):
        asset = kb.get(match.asset_id)
        key = (match.start, match.end)
        surface_key = normalize_name(match.surface)
        # The bare name of a town ("Novorossiysk") or of the operator ("Transneft") is
        # an alias of some assets, but in running text it names the town or company.
        if asset.operator and surface_key == normalize_name(asset.operator):
            continue
        if any(
            p.feature == "city" and normalize_name(p.name) == surface_key
            for p in kb.gazetteer.lookup(match.surface)
        ):
            continue
        if key in by_span and (by_span[key].lat is not None or asset.lat is None):
            continue
        by_span[key] = _asset_mention(asset, match.start, match.end, match.surface)
    return list(by_span.values())


def _region_phrases(text: str, kb: KnowledgeBase) -> list[PlaceMention]:
    """Regions, seas, vague regions and borders: phrases a name lookup cannot key on."""
    out: list[PlaceMention] = []

    def mk(
        start: int,
        end: int,
        name: str,
        point: tuple[float | None, float | None] = (None, None),
        country: str | None = None,
        admin1: str | None = None,
        kind: PlaceKind = "region_phrase",
    ) -> None:
        surface = text[start:end]
        out.append(PlaceMention(name, start, end, surface, point[0], point[1], country, admin1, kind))

    for m in REGION_SUFFIX.finditer(text):
        noun = m.group(2)
        # "Russia's Krasnodar region": the longest stem first, then its last word.
        stems = [(m.group(1), m.start(1))]
        if " " in m.group(1):
            stems.append((m.group(1).rsplit(" ", 1)[1], m.start(1) + m.group(1).rindex(" ") + 1))
        for stem, stem_start in stems:
            if normalize_name(stem) in STOPLIST or stem in DEMONYMS:
                continue
            hits = [p for p in kb.gazetteer.lookup(f"{stem} {noun}") if p.feature == "admin"]
            if hits:
                p = hits[0]
                mk(stem_start, m.end(), p.name, (p.lat, p.lon), p.country, p.admin1, "admin")
                break
            # "Saratov region" without a supplement entry: the point of the regional
            # centre named by the stem, the convention the supplement uses for regions.
            cities = [p for p in kb.gazetteer.lookup(stem) if p.feature == "city"]
            if cities:
                p = cities[0]
                name = f"{stem} {noun.lower()}"
                mk(stem_start, m.end(), name, (p.lat, p.lon), p.country, p.admin1 or name, "admin")
                break
    for m in SEA.finditer(text):
        name, lat, lon = SEAS[m.group(1).lower()]
        mk(m.start(), m.end(), name, (lat, lon))
    for m in VAGUE_REGION.finditer(text):
        countries = [p for p in kb.gazetteer.lookup(m.group(2)) if p.feature == "country"]
        if countries:
            mk(m.start(), m.end(), m.group(), country=countries[0].country)
    for m in BORDER.finditer(text):
        a, b = (kb.gazetteer.lookup(g) for g in (m.group(1), m.group(2)))
        if a and b:
            mk(m.start(), m.end(), f"{a[0].name}–{b[0].name} border")
    # Longest first, so "the Black Sea" is not cut by a shorter overlapping phrase.
    out.sort(key=lambda p: (p.start, -(p.end - p.start)))
    return out


def _country_context(text: str, known: Sequence[PlaceMention]) -> Counter[str]:
    """Countries the article is about: those of assets and regions already found, plus
    demonyms and country names (a cheap scan; ties go to population later)."""
    ctx: Counter[str] = Counter(p.country for p in known if p.country)
    for word, iso in DEMONYMS.items():
        ctx[iso] += len(re.findall(rf"\b{word}\b", text))
    for name, iso in (("Russia", "RU"), ("Kazakhstan", "KZ"), ("Ukraine", "UA"), ("Azerbaijan", "AZ")):
        ctx[iso] += 2 * text.count(name)  # the project's focus countries weigh double
    return +ctx


def _gazetteer_places(
    text: str, kb: KnowledgeBase, context: Counter[str], free: Callable[[int, int], bool]
) -> list[PlaceMention]:
    """Capitalised phrases resolved in the gazetteer, longest sub-phrase first."""
    out: list[PlaceMention] = []
    for cand in CANDIDATE.finditer(text):
        tokens = [
            (t.start() + cand.start(), t.end() + cand.start()) for t in re.finditer(r"\S+", cand.group())
        ]
        i = 0
        while i < len(tokens):
            hit = None
            for j in range(len(tokens), i, -1):
                s, e = tokens[i][0], tokens[j - 1][1]
                first, last = text[tokens[i][0] : tokens[i][1]], text[tokens[j - 1][0] : tokens[j - 1][1]]
                if first.lower() in CONNECTORS or last.lower() in CONNECTORS:
                    continue
                surface = text[s:e]
                if surface.endswith(("'s", "’s")):
                    surface, e = surface[:-2], e - 2
                if OUTLET_AFTER.match(text, e):
                    continue  # "(Meridian Wire)": a news outlet, not the town of Meridian
                mention = _resolve(text, surface, s, e, kb, context, in_phrase=len(tokens) > 1)
                if mention is not None and free(s, e):
                    hit = (j, mention)
                    break
            if hit is None:
                i += 1
                continue
            i = hit[0]
            out.append(hit[1])
    return out


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \t\"“«'‘(")
    return not before or before[-1] in ".!?\n:"


def _resolve(
    text: str,
    surface: str,
    start: int,
    end: int,
    kb: KnowledgeBase,
    context: Counter[str],
    in_phrase: bool = False,
) -> PlaceMention | None:
    """One capitalised phrase → a place, or None when it is no place or too doubtful."""
    key = normalize_name(surface)
    if not key or key in STOPLIST:
        return None
    if surface in DEMONYMS:
        iso = DEMONYMS[surface]
        return PlaceMention(
            surface, start, end, surface, None, None, iso, None, "country", None, "other", "demonym"
        )
    if surface in MACRO_DEMONYMS:
        name, lat, lon = MACRO[normalize_name(MACRO_DEMONYMS[surface])]
        return PlaceMention(
            name, start, end, surface, lat, lon, None, None, "region_phrase", None, "other", "demonym"
        )
    if surface in ACRONYM_COUNTRIES:
        return PlaceMention(
            surface, start, end, surface, None, None, ACRONYM_COUNTRIES[surface], None, "country"
        )
    if key in MACRO:
        name, lat, lon = MACRO[key]
        return PlaceMention(name, start, end, surface, lat, lon, None, None, "region_phrase")
    letters = [c for c in surface if c.isalpha()]
    if len(letters) <= 4 and surface.isupper():
        return None  # acronyms (CPC, OPEC, NATO) are organisations far more often than places
    if key in FUNCTION_WORDS:
        return None
    places = kb.gazetteer.lookup(surface)
    if not places:
        return None
    places = [p for p in places if p.feature != "asset"]  # assets come from find_mentions only
    if not places:
        return None
    # A one-word match on an *alternate* name is trusted only when the word is long,
    # not the first of its sentence and not part of a longer capitalised phrase:
    # GeoNames alternates include ordinary words ("Asia" for a Japanese town) and
    # given names ("Volodymyr Zelenskyy"), while a primary name ("Kropotkin") rarely is.
    if " " not in surface and (len(letters) < 5 or in_phrase or _sentence_initial(text, start)):
        places = [p for p in places if p.feature != "city" or normalize_name(p.name) == key]
        if not places:
            return None
    best = _disambiguate(places, context)
    b = best
    return PlaceMention(b.name, start, end, surface, b.lat, b.lon, b.country, b.admin1, b.feature, b.asset_id)


def _disambiguate(places: Sequence[Place], context: Counter[str]) -> Place:
    """Pick among same-named places: a country the article is about beats size; then a
    region or country beats a town under a million people ("Florida" the state, not
    the Cuban town), and otherwise population decides ("New York" the city)."""

    def score(p: Place) -> tuple[bool, bool, int]:
        big = p.feature in ("country", "admin") or (p.population or 0) >= 1_000_000
        return (context.get(p.country or "", 0) > 0, big, p.population or 0)

    return max(places, key=score)


# --------------------------------------------------------------------------- roles


def _sentence_bounds(text: str, offset: int) -> tuple[int, int]:
    """The sentence around ``offset`` by a cheap scan (find_places has no sentences)."""
    starts = [text.rfind(c, 0, offset) for c in (". ", "\n", "! ", "? ")]
    start = max(starts) + 1
    ends = [i for i in (text.find(c, offset) for c in (". ", "\n", "! ", "? ")) if i >= 0]
    return start, (min(ends) if ends else len(text))


def _with_role(text: str, p: PlaceMention) -> PlaceMention:
    """Label the role the words before a place give it (same sentence, 60 characters)."""
    if p.relation == "demonym":
        return p
    line_start = text.rfind("\n", 0, p.start) + 1
    if text[line_start : p.start].strip(" /") == "" and DATELINE.match(text, p.start):
        # "MOSCOW, Feb 17 (Wire) -", "ASTANA -": where the story was filed, not where
        # it happened; a dateline is in capitals and followed by a date or a dash.
        return replace(p, role="other", relation="dateline")
    s_start, s_end = _sentence_bounds(text, p.start)
    before = text[max(s_start, p.start - 60) : p.start]
    sentence = text[s_start:s_end]
    rel = RELATIVE.search(before)
    if rel:
        dist = float(rel.group(1).replace(",", "."))
        km = dist * 1.609 if rel.group(2).lower().startswith("mi") else dist
        bearing = DIRS[re.sub(r"[- ]", "", rel.group(3).lower())]
        lat, lon = (None, None) if p.lat is None or p.lon is None else offset_point(p.lat, p.lon, km, bearing)
        relation = before[rel.start() :].strip()
        relation = re.sub(r"\s+the$", "", relation)
        return replace(
            p, lat=lat, lon=lon, relation=relation, start=p.start, role=_incident_or_unknown(sentence)
        )
    if MEETING.search(before):
        return replace(p, role="other", relation="meeting")
    if SPEAKER.search(before):
        return replace(p, role="other", relation="speaker")
    if FLOW_WORDS.search(sentence):
        if re.search(r"\bfrom[ ](?:the[ ])?(?:[A-Z]\w+['’]s[ ])?$", before) and not INCIDENT_CUE.search(
            before[-40:]
        ):
            return replace(p, role="other", relation="origin")
        if re.search(r"\b(?:to|towards|for|via|through)[ ](?:the[ ])?$", before):
            return replace(p, role="other", relation="destination")
    bare = BARE_RELATIVE.search(before)
    if bare:
        phrase = bare.group(1).lower()
        if re.match(DIR_WORD, phrase):  # a direction without a distance: no point
            return replace(p, lat=None, lon=None, relation=phrase, role=_incident_or_unknown(sentence))
        return replace(p, relation=phrase, role=_incident_or_unknown(sentence, located=True))
    if LOCATIVE.search(before) or p.kind == "asset":
        located = bool(FACILITY_BEFORE.search(before)) or p.kind in ("asset", "region_phrase")
        return replace(p, role=_incident_or_unknown(sentence, located=located))
    return p


def _incident_or_unknown(sentence: str, located: bool = False) -> PlaceRole:
    """Incident when the sentence reports an event, or a facility is placed there
    ("the station sits near …"), which is a claim about the incident site."""
    return "incident" if located or INCIDENT_CUE.search(sentence) else "unknown"


# --------------------------------------------------------------------------- assets


def find_assets(text: str, kb: KnowledgeBase) -> list[AssetMention]:
    """KB assets named in ``text`` and facilities described generically, in text order.
    A generic description that matches a KB asset of the same type at that place
    ("a refinery in Tuapse") is reported as that asset."""
    out: list[AssetMention] = []
    for p in _asset_places(text, kb):
        asset = kb.get(p.asset_id or "")
        out.append(
            AssetMention(p.start, p.end, p.surface, asset.id, asset.type.value, None, p.lat, p.lon, True)
        )
    spans = [(a.start, a.end) for a in out]
    for m in FACILITY.finditer(text):
        start, end = m.start(), m.end()
        if any(not (end <= s or start >= e) for s, e in spans):
            continue
        ftype = FACILITY_TYPES[m.group(1)]
        place_name = m.group(2)
        places = [p for p in kb.gazetteer.lookup(place_name) if p.feature != "asset"]
        if not places:  # "Saratov region" without an entry: the regional centre's point
            stem = re.sub(r"[ ](?:region|Krai|krai|Oblast|oblast|district|territory)$", "", place_name)
            places = [p for p in kb.gazetteer.lookup(stem) if p.feature != "asset"]
        place = _disambiguate(places, _country_context(text, [])) if places else None
        lat, lon = (place.lat, place.lon) if place else (None, None)
        known = _kb_asset_at(kb, ftype, place_name, lat, lon)
        if known is not None:
            out.append(AssetMention(start, end, m.group(), known, ftype, place_name, lat, lon, True))
            continue
        out.append(AssetMention(start, end, m.group(), None, ftype, place_name, lat, lon, False))
    out.sort(key=lambda a: a.start)
    return out


def _kb_asset_at(
    kb: KnowledgeBase, ftype: str, place: str, lat: float | None, lon: float | None
) -> str | None:
    """A KB asset of this type named after the place or within 15 km of it (a town
    rarely has two refineries; 15 km covers a settlement-proxy point)."""
    key = normalize_name(place)
    for asset in kb.assets.values():
        if asset.type.value != ftype:
            continue
        if key and key in normalize_name(asset.name).split(" "):
            return asset.id
        if lat is None or lon is None or asset.lat is None or asset.lon is None:
            continue
        if haversine_km(lat, lon, asset.lat, asset.lon) <= 15.0:
            return asset.id
    return None


# --------------------------------------------------------------------------- incident place


def incident_location(
    text: str,
    sentences: Sequence[Sentence],
    kb: KnowledgeBase,
    places: Sequence[PlaceMention],
    assets: Sequence[AssetMention],
    trigger_offsets: Sequence[int] = (),
) -> PlaceMention | None:
    """The incident's place, returned with role "incident".

    Order of preference: (1) an affected KB asset with a point — in the first sentence
    holding a trigger, nearest the trigger, not named as a flow origin/destination;
    (2) the place nearest a trigger in a trigger sentence, skipping role "other"
    (meetings, speakers, flows, demonyms), most specific kind first; (3) the first place
    whose role is "incident"; else None. Without ``trigger_offsets`` the incident cue
    words (attack, drone, fire, hit…) stand in for triggers.
    """
    sents = list(sentences)
    triggers = list(trigger_offsets) or [m.start() for m in INCIDENT_CUE.finditer(text)]
    role_at = {(p.start, p.end): p for p in places}
    trigger_sents: list[tuple[Sentence, list[int]]] = []
    for t in triggers:
        s = sentence_at(sents, t)
        if s is None:
            continue
        for entry in trigger_sents:
            if entry[0] == s:
                # Cue words are not real triggers: in a sentence listing two sites
                # ("a depot in A caught fire, while a refinery near B was also hit")
                # the first cue, not the nearest one, points at the lead event.
                if trigger_offsets:
                    entry[1].append(t)
                break
        else:
            trigger_sents.append((s, [t]))

    def dist(start: int, offs: list[int]) -> int:
        return min(abs(start - o) for o in offs)

    def usable(a: AssetMention) -> bool:
        placed = role_at.get((a.start, a.end))
        return bool(a.in_kb and a.asset_id and a.lat is not None) and (
            placed is None or placed.role != "other"
        )

    coarse: PlaceMention | None = None
    loose: PlaceMention | None = None
    for sent, offs in trigger_sents:
        in_sent = [a for a in assets if usable(a) and sent.start <= a.start < sent.end]
        if in_sent:
            return _asset_place(kb, min(in_sent, key=lambda c: dist(c.start, offs)))
        cands = [p for p in places if p.role != "other" and sent.start <= p.start < sent.end]
        fine = [p for p in cands if _fine(p)]
        if any(p.role == "incident" for p in fine):
            best = min(fine, key=lambda p: (p.role != "incident", dist(p.start, offs)))
            return replace(best, role="incident")
        if loose is None and fine:
            # A town in the event sentence without a locative word ("Kyiv launched …")
            # is often an actor, not the site: kept as a later fallback.
            loose = min(fine, key=lambda p: dist(p.start, offs))
        if coarse is None and cands:
            coarse = min(cands, key=lambda p: (_TIER[p.kind], dist(p.start, offs)))
    if coarse is None:
        coarse = next((p for p in places if p.role == "incident"), None)
    # Only a region or country near the event ("a pumping station in Russia's
    # Krasnodar region"): a KB site named elsewhere in the text and lying in that
    # region is the better answer ("The Kropotkinskaya station, near …").
    for a in assets:
        if usable(a) and (
            coarse is None or (not _fine(coarse) and _inside(kb.get(a.asset_id or ""), coarse))
        ):
            return _asset_place(kb, a)
    fallback = loose or coarse
    return replace(fallback, role="incident") if fallback is not None else None


_TIER: dict[str, int] = {"asset": 0, "city": 0, "admin": 1, "region_phrase": 2, "country": 3}


def _fine(p: PlaceMention) -> bool:
    """A point precise enough to be the incident site: a town or a located asset, or a
    relative reference ("200 km south of X") that carries its own offset point."""
    return p.lat is not None and (
        p.kind in ("city", "asset") or (p.relation is not None and p.kind != "country")
    )


def _inside(asset: Asset, region: PlaceMention) -> bool:
    """Whether a KB asset can lie in a coarse place: same region, else same country."""
    if region.kind == "admin" and region.admin1:
        stem = normalize_name(region.admin1).split(" ")[0]
        return bool(asset.region) and stem in normalize_name(asset.region or "").split(" ")
    if region.country:
        return region.country in asset.country
    return True


def _asset_place(kb: KnowledgeBase, a: AssetMention) -> PlaceMention:
    return _asset_mention(kb.get(a.asset_id or ""), a.start, a.end, a.surface, "incident")


def _asset_mention(
    asset: Asset, start: int, end: int, surface: str, role: PlaceRole = "unknown"
) -> PlaceMention:
    country = asset.country[0] if len(asset.country) == 1 else None
    return PlaceMention(
        asset.name, start, end, surface, asset.lat, asset.lon, country, asset.region, "asset", asset.id, role
    )


def affected_assets(
    text: str,
    sentences: Sequence[Sentence],
    places: Sequence[PlaceMention],
    assets: Sequence[AssetMention],
    trigger_offsets: Sequence[int] = (),
) -> list[str]:
    """KB ids of the assets the incident hit: named in a trigger sentence, not as a flow
    origin/destination. A pipeline or consortium named next to one of its sites
    ("the CPC's Kropotkinskaya station") is context, so assets without a point are
    dropped when a site with a point is among them."""
    sents = list(sentences)
    triggers = list(trigger_offsets) or [m.start() for m in INCIDENT_CUE.finditer(text)]
    hit_sents = {s for t in triggers if (s := sentence_at(sents, t)) is not None}
    roles = {(p.start, p.end): p.role for p in places}
    picked = [
        a
        for a in assets
        if a.in_kb
        and a.asset_id
        and roles.get((a.start, a.end)) != "other"
        and any(s.start <= a.start < s.end for s in hit_sents)
    ]
    if any(a.lat is not None for a in picked):
        picked = [a for a in picked if a.lat is not None]
    return list(dict.fromkeys(a.asset_id for a in picked if a.asset_id))
