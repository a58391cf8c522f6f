"""Knowledge-base conflicts (DESIGN §7): reported facts that contradict the knowledge base.

A wrong place, owner list or facility type in a report is not just noise: it says how
carefully the outlet works (it feeds the source score) and, left unflagged, it would
drag the incident's location or impact somewhere else. Each conflict keeps the claim
(with its span), the KB fact it contradicts, the KB sources of that fact and a reason.

Checks, all rule-based:

1. **Place.** The incident's *sites* are the event's KB assets minus context assets
   (fields and pipelines, which are where effects show, not what was hit) — unless
   nothing else is named. Places read for the event are the location claims plus the
   place mentions of the event's sentences that ``find_places`` marks as the incident's
   and that are located by wording ("near", "outside", "200 km south of") or are region
   phrases. A place conflicts when it fits *none* of the sites:

   - a place with a point lying more than ``KB_PLACE_KM`` (150 km) from every site's
     point (or route waypoint); seas are skipped (their point is a basin's centre), and
     an admin region is accepted when its name appears in the asset's region text;
   - a place with no point: a border "X–Y border" is the *set* of those countries (a
     border has no point, but an asset near it lies in one of them), a vague region
     ("southern Russia") or a country is its country; it conflicts when no site lies in
     any of those countries. "Near the Kazakhstan–Azerbaijan border" for a station in
     Krasnodar Krai (RU) is therefore flagged, for a station in Atyrau (KZ) it is not.

2. **Owners.** A sentence with a membership cue ("includes", "shareholders",
   "owned by", "members"…) that names the asset (or says "the consortium" when the
   asset is a consortium's, or a station owned by one) has its listed countries,
   demonyms and company names compared with the KB owners. The KB stores holders, not
   their countries, so ``HOLDER_COUNTRIES`` maps holder keywords to countries (the
   parent company's home); a country named that is no owner's is a conflict
   ("Azerbaijan is not a CPC shareholder (KB owners: …)"), and so is a company name
   that matches no holder.

3. **Facility type.** A KB asset named and immediately followed by another kind of
   facility noun ("the Kropotkinskaya refinery" for a pumping station). Pipelines are
   exempt: "a CPC pumping station" uses the pipeline's name as a modifier.

A place that fits another KB asset named in the same sentence describes that asset
(the route's terminal "near Novorossiysk" in a story about a pumping station) and is
not flagged.

Copies are skipped (they repeat their original's wording); conflicts are de-duplicated
per (article, span, asset, fact).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from energywatch.extract.place_lexicon import DEMONYMS, haversine_km
from energywatch.extract.places import PlaceMention, find_places
from energywatch.extract.sentences import Sentence, split_sentences
from energywatch.kb import Asset, KnowledgeBase, normalize_name
from energywatch.models import Claim, ExtractedEvent, Hedge, Incident

KB_PLACE_KM = 150.0
"""A reported place farther than this from every site is not where the KB has it."""

HOLDER_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("russian federation", "RU"),
    ("russia", "RU"),
    ("transneft", "RU"),
    ("lukoil", "RU"),
    ("lukarco", "RU"),
    ("rosneft", "RU"),
    ("gazprom", "RU"),
    ("kazmunaygas", "KZ"),
    ("kazakhstan", "KZ"),
    ("chevron", "US"),
    ("exxonmobil", "US"),
    ("mobil", "US"),
    ("shell", "GB"),
    ("bg overseas", "GB"),
    ("eni ", "IT"),
)
"""Holder keyword (normalised, substring) → country of the holder or its parent."""

_SITE_EXCLUDED = frozenset({"field", "pipeline"})
_LOCATING = re.compile(r"near|outside|close to|vicinity|outskirts|\bof\b|km|mile", re.IGNORECASE)
_SEA_NAMES = re.compile(r"\b(?:sea|gulf|mediterranean|caspian)\b", re.IGNORECASE)
_BORDER_NAME = re.compile(r"^(?:the\s+)?(.+?)\s*[–—-]\s*(.+?)\s+border$", re.IGNORECASE)
_MEMBERSHIP = re.compile(
    r"\b(?:includ(?:es|ing|ed)|comprises?|compris(?:ing|ed)|made up of|owned by|co-owned by|"
    r"shareholders?|stakeholders?|members?|partners?|owners?|stakes? held by)\b",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+|\s*;\s*")
_FILLER = re.compile(
    r"^(?:the\s+)?(?:stakeholders?|shareholders?|members?|partners?|companies|firms|investors|"
    r"representatives|entities|owners?)?\s*(?:from|of|in)?\s*(?:the\s+)?",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*")
_KIND_NOUNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s+(?:oil\s+)?refinery\b", re.I), "refinery"),
    (re.compile(r"^\s+(?:oil\s+)?(?:pumping|pump)\s+station\b", re.I), "pumping_station"),
    (re.compile(r"^\s+(?:marine\s+|oil\s+)?terminal\b", re.I), "terminal"),
    (re.compile(r"^\s+(?:oil\s+|gas\s+)?field\b", re.I), "field"),
    (re.compile(r"^\s+gas\s+(?:processing\s+)?plant\b", re.I), "gas_plant"),
    (re.compile(r"^\s+port\b", re.I), "port"),
)
# A terminal's moorings are terminals; a port and a terminal are often named alike.
_KIND_ALIKE = {("terminal", "port"), ("port", "terminal"), ("terminal", "mooring"), ("mooring", "terminal")}


@dataclass(slots=True)
class KBConflict:
    """A claim that contradicts the knowledge base: what was said, what the KB holds,
    where the KB has it from (source ids with URLs), and why they cannot both be true."""

    asset_id: str
    claim: Claim
    fact: str
    source: list[str]
    reason: str


def _sources(asset: Asset, limit: int = 6) -> list[str]:
    """KB source ids with URLs, as "S102 https://…" (the first ``limit``)."""
    return [f"{s.id} {s.url}" if s.url else s.id for s in asset.sources[:limit]]


def _countries_of(name: str, kb: KnowledgeBase) -> set[str]:
    """ISO-2 codes a country name or demonym stands for (empty when it is neither)."""
    name = name.strip()
    if name in DEMONYMS:
        return {DEMONYMS[name]}
    return {p.country for p in kb.gazetteer.lookup(name) if p.feature == "country" and p.country}


def _place_countries(value: Mapping[str, object], kb: KnowledgeBase) -> set[str]:
    border = _BORDER_NAME.match(str(value.get("name") or ""))
    if border:
        found = [_countries_of(g, kb) for g in border.groups()]
        if all(found):
            return found[0] | found[1]
    country = value.get("country")
    return {str(country)} if country else set()


def _sites(event: ExtractedEvent, kb: KnowledgeBase) -> list[Asset]:
    assets = [kb.assets[a] for a in event.assets if a in kb.assets]
    sites = [a for a in assets if a.type.value not in _SITE_EXCLUDED]
    return sites or assets


def _distance(asset: Asset, lat: float, lon: float) -> float | None:
    points = list(asset.line) + (
        [(asset.lat, asset.lon)] if asset.lat is not None and asset.lon is not None else []
    )
    return min((haversine_km(lat, lon, p[0], p[1]) for p in points), default=None)


# Land borders between the countries the knowledge base covers (ISO-2; symmetric).
# Source: the land boundaries listed in the CIA World Factbook country profiles. The
# Caspian states Kazakhstan and Azerbaijan, for one, face each other across the sea only.
_BORDER_PAIRS = (
    ("KZ", "RU"),
    ("KZ", "CN"),
    ("KZ", "KG"),
    ("KZ", "UZ"),
    ("KZ", "TM"),
    ("RU", "AZ"),
    ("RU", "GE"),
    ("RU", "UA"),
    ("RU", "BY"),
    ("RU", "CN"),
    ("RU", "MN"),
    ("RU", "FI"),
    ("RU", "EE"),
    ("RU", "LV"),
    ("RU", "LT"),
    ("RU", "PL"),
    ("RU", "NO"),
    ("RU", "KP"),
    ("AZ", "GE"),
    ("AZ", "AM"),
    ("AZ", "IR"),
    ("AZ", "TR"),
    ("GE", "AM"),
    ("GE", "TR"),
    ("TR", "AM"),
    ("TR", "IR"),
    ("TM", "UZ"),
    ("TM", "IR"),
    ("UA", "BY"),
    ("UA", "PL"),
    ("UA", "MD"),
    ("UA", "RO"),
    ("UA", "SK"),
    ("UA", "HU"),
)
LAND_BORDERS: dict[str, frozenset[str]] = {
    code: frozenset({b for a, b in _BORDER_PAIRS if a == code} | {a for a, b in _BORDER_PAIRS if b == code})
    for code in {c for pair in _BORDER_PAIRS for c in pair}
}
_COUNTRY_NAMES = {
    "KZ": "Kazakhstan",
    "AZ": "Azerbaijan",
    "RU": "Russia",
    "UA": "Ukraine",
    "GE": "Georgia",
    "TR": "Turkey",
    "CN": "China",
    "TM": "Turkmenistan",
    "UZ": "Uzbekistan",
    "IR": "Iran",
}


def _country_name(code: str) -> str:
    return _COUNTRY_NAMES.get(code, code)


def _where(site: Asset) -> str:
    """The site's position as the KB gives it: a point, else its route (a pipeline)."""
    if site.lat is not None and site.lon is not None:
        return f"at {site.lat:.4f}, {site.lon:.4f}"
    return f"along a route of {len(site.line)} mapped points"


def _place_conflicts(claim: Claim, sites: list[Asset], kb: KnowledgeBase) -> list[KBConflict]:
    value = claim.value
    if not isinstance(value, Mapping) or not sites:
        return []
    name = str(value.get("name") or "")
    placed_at = value.get("asset_id")
    if placed_at in {s.id for s in sites} or any(placed_at in s.components for s in sites):
        return []  # the place is the site itself or one of its parts (a pipeline's station)
    lat, lon = value.get("lat"), value.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        if _SEA_NAMES.search(name):
            return []
        far: list[tuple[Asset, float]] = []
        for site in sites:
            km = _distance(site, float(lat), float(lon))
            named = normalize_name(name) and normalize_name(name) in normalize_name(site.region or "")
            if km is None or km <= KB_PLACE_KM or named:
                return []
            far.append((site, km))
        site, km = min(far, key=lambda p: p[1])
        return [
            KBConflict(
                site.id,
                claim,
                f"{site.name} is {_where(site)} ({site.region or ', '.join(site.country)})",
                _sources(site),
                f"{name!r} is {km:.0f} km from {site.name}, beyond {KB_PLACE_KM:.0f} km",
            )
        ]
    countries = _place_countries(value, kb)
    if not countries:
        return []
    if any(set(s.country) & countries for s in sites):
        # The site is in one of the countries; a border that does not exist on land is
        # still wrong ("near the Kazakhstan–Azerbaijan border": the two face each other
        # across the Caspian).
        if _BORDER_NAME.match(name) and len(countries) == 2:
            first, second = sorted(countries)
            if second not in LAND_BORDERS.get(first, frozenset()):
                site = sites[0]
                return [
                    KBConflict(
                        site.id,
                        claim,
                        f"{_country_name(first)} and {_country_name(second)} share no land border; "
                        f"{site.name} lies in {'/'.join(site.country)} ({site.region or 'region not given'})",
                        _sources(site),
                        f"{name!r}: {_country_name(first)} and {_country_name(second)} share no land "
                        f"border, so nothing on {site.name} can lie near one",
                    )
                ]
        return []
    kind = "a border of" if _BORDER_NAME.match(name) else "in"
    return [
        KBConflict(
            site.id,
            claim,
            f"{site.name} lies in {', '.join(site.country)} ({site.region or 'region not given'})",
            _sources(site),
            f"{name!r} is {kind} {'/'.join(sorted(countries))}, but {site.name} lies in "
            f"{'/'.join(site.country)}{f' ({site.region})' if site.region else ''}",
        )
        for site in sites
    ]


def _describes_neighbour(claim: Claim, text: str, sites: list[Asset], kb: KnowledgeBase) -> bool:
    """Whether the place belongs to another facility the claim's sentence names.

    A sentence often places a *second* facility: the route's terminal "near Novorossiysk"
    in a story about a pumping station, the other site of a two-site raid "near
    Kropotkin", the field "in northwest Kazakhstan" whose gas the plant takes. The place
    is then that facility's, and contradicts nothing. The other facility is either a KB
    asset named in the sentence (not by the place's own words: "near Novorossiysk" does
    not name the port of Novorossiysk) that the place fits, or a facility noun of another
    kind right before the place ("the marine terminal near …" about a pumping station).
    """
    own = {s.id for s in sites}
    sentence = text[claim.sentence_start : claim.sentence_end]
    start, end = claim.start - claim.sentence_start, claim.end - claim.sentence_start
    mentions = [
        m
        for m in kb.find_mentions(sentence)
        if m.asset_id in kb.assets and (m.end <= start or m.start >= end)
    ]
    named = {m.asset_id for m in mentions}
    # A pipeline is where its stations and terminal are: "a CPC station near Kropotkin".
    others = named | {c for a in named for c in kb.assets[a].components}
    others -= own
    if any(not _place_conflicts(claim, [kb.assets[a]], kb) for a in sorted(others) if a in kb.assets):
        return True
    noun = _NOUN_BEFORE_PLACE.search(sentence[:start])
    if noun is None or any(m.start <= noun.start(1) < m.end for m in mentions):
        return False  # no facility noun, or it is part of a named asset the place does not fit
    word = noun.group(1).casefold()
    return not any(word in _SITE_NOUNS.get(s.type.value, ()) for s in sites)


_SITE_NOUNS: dict[str, tuple[str, ...]] = {
    "pumping_station": ("station", "pumping station", "facility"),
    "gas_plant": ("plant", "facility", "complex"),
    "refinery": ("refinery", "plant", "facility"),
    "terminal": ("terminal", "facility"),
    "port": ("port", "terminal"),
    "office": ("office", "building"),
    "mooring": ("mooring", "buoy"),
}
"""The nouns a story uses for a site of each kind ("the station" for a pumping station)."""
_NOUN_BEFORE_PLACE = re.compile(
    r"\b(station|terminal|port|refinery|plant|depot|field|office|building|complex|mooring|buoy|facility)"
    r"s?\s+(?:at|in|near|outside|close to|of|by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Definite noun phrases that point back to a site of each kind ("the station").
_BACK_REFERENCE: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"\b(?:the|this|that)\s+(?:\w+\s+)?(?:{'|'.join(nouns)})\b", re.IGNORECASE)
    for kind, nouns in _SITE_NOUNS.items()
}


def _refers_back(sentence: str, sites: list[Asset], kb: KnowledgeBase) -> bool:
    """A sentence about the site without naming it: a definite "the station" for a
    pumping station, and no other asset named that it could be about instead."""
    if not any((rx := _BACK_REFERENCE.get(s.type.value)) and rx.search(sentence) for s in sites):
        return False
    own = {s.id for s in sites}
    return all(m.asset_id in own for m in kb.find_mentions(sentence))


def _claim_at(
    event: ExtractedEvent, text: str, start: int, end: int, sentence: Sentence, value: object
) -> Claim:
    """A location claim for a place mention, with the speaker and hedge of a claim made
    in the same sentence (extraction hedges per sentence)."""
    peer = next((c for c in event.claims if c.sentence_start == sentence.start), None)
    return Claim(
        article_id=event.article_id,
        field="location",
        value=value,
        raw=text[start:end],
        start=start,
        end=end,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        speaker=peer.speaker if peer else None,
        hedge=peer.hedge if peer else Hedge.asserted,
    )


def _mention_value(p: PlaceMention) -> dict[str, object]:
    return {"name": p.name, "lat": p.lat, "lon": p.lon, "country": p.country, "relation": p.relation}


def _event_places(
    event: ExtractedEvent,
    text: str,
    sentences: list[Sentence],
    places: list[PlaceMention],
    kb: KnowledgeBase,
    sites: list[Asset],
) -> list[Claim]:
    """Location claims of the event, plus located incident places in its sentences.

    A reaction's own location claim is where it was made (a ministry in Astana, a note
    to Kyiv), not where the asset is, so it is left out; what the reaction's sentences
    say about the attacked site ("a pumping station near the … border") still counts.
    So do sentences that carry no claim but refer back to the site ("the station sits
    right near …", ``_refers_back``).
    """
    claims = [c for c in event.claims if c.field == "location" and c.value and event.category != "response"]
    spans = {(c.sentence_start, c.sentence_end) for c in event.claims if c.field != "response"}
    if event.category == "response":
        spans -= {(c.sentence_start, c.sentence_end) for c in event.claims if c.field == "location"}
    own = [s for s in sentences if (s.start, s.end) in spans or s.start <= event.trigger_start < s.end]
    own += [s for s in sentences if s not in own and _refers_back(text[s.start : s.end], sites, kb)]
    taken = {(c.start, c.end) for c in claims}
    for place in places:
        if place.role != "incident" or place.asset_id or (place.start, place.end) in taken:
            continue
        if place.kind != "region_phrase" and not (place.relation and _LOCATING.search(place.relation)):
            continue
        sentence = next((s for s in own if s.start <= place.start < s.end), None)
        if sentence is not None:
            claims.append(_claim_at(event, text, place.start, place.end, sentence, _mention_value(place)))
    return claims


# --------------------------------------------------------------------------- owners


def _owner_asset(asset: Asset, kb: KnowledgeBase) -> Asset:
    """The asset whose owner list applies: a station owned by "Caspian Pipeline
    Consortium" answers to the consortium's pipeline entry, which lists the shareholders."""
    if len(asset.owners) == 1:
        holder = normalize_name(asset.owners[0].holder)
        for other in kb.assets.values():
            if other.id != asset.id and len(other.owners) > 1 and holder in normalize_name(other.name):
                return other
    return asset


def holder_countries(asset: Asset) -> set[str]:
    """Countries of an asset's holders, by ``HOLDER_COUNTRIES``."""
    found: set[str] = set()
    for owner in asset.owners:
        text = normalize_name(owner.holder) + " "
        found |= {code for key, code in HOLDER_COUNTRIES if key in text}
    return found


def _holder_match(name: str, asset: Asset) -> bool:
    key = normalize_name(name)
    if not key:
        return True
    return any(key in normalize_name(o.holder) or normalize_name(o.holder) in key for o in asset.owners)


def _refers_to(sentence: Sentence, owner: Asset, kb: KnowledgeBase) -> bool:
    if any(m.asset_id == owner.id for m in kb.find_mentions(sentence.text)):
        return True
    return bool(re.search(r"\bconsortium\b", sentence.text, re.I)) and "consortium" in owner.name.lower()


def _listed(sentence: Sentence) -> list[tuple[str, int, int]]:
    """Names listed after the membership cue: (name, start, end) offsets in the sentence."""
    cue = _MEMBERSHIP.search(sentence.text)
    if cue is None:
        return []
    out: list[tuple[str, int, int]] = []
    tail_start = cue.end()
    tail = sentence.text[tail_start:]
    pos = 0
    for part in _LIST_SPLIT.split(tail):
        at = tail.find(part, pos)
        pos = at + len(part)
        filler = _FILLER.match(part)
        rest = part[filler.end() :] if filler else part
        name = _NAME.match(rest)
        if name:
            begin = tail_start + at + (len(part) - len(rest))
            out.append((name.group().strip(" ."), begin, begin + len(name.group().strip(" ."))))
    return out


def _owner_conflicts(
    event: ExtractedEvent, text: str, sentences: list[Sentence], kb: KnowledgeBase
) -> list[KBConflict]:
    owners = {o.id: o for a in event.assets if a in kb.assets for o in [_owner_asset(kb.assets[a], kb)]}
    out: list[KBConflict] = []
    for owner in (o for o in owners.values() if len(o.owners) > 1):
        countries = holder_countries(owner)
        holders = ", ".join(o.holder for o in owner.owners)
        short = next((a for a in owner.aliases if a.isupper()), owner.name)
        for sentence in sentences:
            if not _MEMBERSHIP.search(sentence.text) or not _refers_to(sentence, owner, kb):
                continue
            for name, start, end in _listed(sentence):
                codes = _countries_of(name, kb)
                if codes:
                    if codes & countries:
                        continue
                    fact = f"{short} owners (KB): {holders}; their countries: {', '.join(sorted(countries))}"
                    reason = f"{name} is not a {short} shareholder (KB owners: {holders})"
                elif any(m.asset_id == owner.id for m in kb.find_mentions(name)) or _holder_match(
                    name, owner
                ):
                    continue
                else:
                    fact = f"{short} owners (KB): {holders}"
                    reason = f"{name} is not among the {short} owners in the KB"
                claim = _claim_at(event, text, sentence.start + start, sentence.start + end, sentence, name)
                claim = claim.model_copy(update={"field": "owners"})
                out.append(KBConflict(owner.id, claim, fact, _sources(owner), reason))
    return out


# --------------------------------------------------------------------------- facility type


def _type_conflicts(
    event: ExtractedEvent, text: str, sentences: list[Sentence], kb: KnowledgeBase
) -> list[KBConflict]:
    out: list[KBConflict] = []
    spans = {c.sentence_start for c in event.claims}
    by_span: dict[tuple[int, int], list[Asset]] = {}
    for mention in kb.find_mentions(text):
        by_span.setdefault((mention.start, mention.end), []).append(kb.assets[mention.asset_id])
    for (start, end), assets in by_span.items():
        sentence = next((s for s in sentences if s.start <= start < s.end and s.start in spans), None)
        if sentence is None:
            continue
        hit = next(((m, kind) for pat, kind in _KIND_NOUNS if (m := pat.match(text[end : end + 40]))), None)
        # A pipeline's name prefixes its own stations and terminals ("a CPC pumping
        # station"): that is the owner's name used as a modifier, not a mistyped asset.
        assets = [a for a in assets if a.type.value != "pipeline"]
        kinds = {a.type.value for a in assets}
        if not assets or hit is None or hit[1] in kinds or any((k, hit[1]) in _KIND_ALIKE for k in kinds):
            continue
        noun, said = hit
        for asset in assets:
            claim = _claim_at(event, text, start, end + noun.end(), sentence, said)
            claim = claim.model_copy(update={"field": "asset_type"})
            out.append(
                KBConflict(
                    asset.id,
                    claim,
                    f"{asset.name} is a {asset.type.value.replace('_', ' ')} in the KB",
                    _sources(asset),
                    f"called a {said.replace('_', ' ')}, but the KB lists {asset.name} as a "
                    f"{asset.type.value.replace('_', ' ')}",
                )
            )
    return out


# --------------------------------------------------------------------------- entry point


Parsed = dict[str, tuple[list[Sentence], list[PlaceMention]]]
"""Article id → its sentences and place mentions, shared by the checks of its events."""


def kb_conflicts(
    incident: Incident, articles_text: Mapping[str, str], kb: KnowledgeBase, parsed: Parsed | None = None
) -> list[KBConflict]:
    """Every KB conflict in the incident's (non-copy) articles, in article order.

    ``articles_text`` maps article id → clean text (claim offsets refer to it); events
    of articles missing from it are checked on their location claims only. ``parsed``
    caches each article's parse across calls (an article may report several incidents).
    """
    copies = set(incident.copies)
    found: list[KBConflict] = []
    parsed = {} if parsed is None else parsed
    for event in incident.events:
        if event.article_id in copies:
            continue
        text = articles_text.get(event.article_id)
        sites = _sites(event, kb)
        if text is None:
            for claim in event.claims:
                if claim.field == "location" and claim.value:
                    found += _place_conflicts(claim, sites, kb)
            continue
        if event.article_id not in parsed:  # several events of one article share its parse
            parsed[event.article_id] = (split_sentences(text), find_places(text, kb))
        sentences, mentions = parsed[event.article_id]
        for claim in _event_places(event, text, sentences, mentions, kb, sites):
            conflicts = _place_conflicts(claim, sites, kb)
            if conflicts and not _describes_neighbour(claim, text, sites, kb):
                found += conflicts
        found += _owner_conflicts(event, text, sentences, kb)
        found += _type_conflicts(event, text, sentences, kb)
    seen: set[tuple[str, int, str, str]] = set()
    unique: list[KBConflict] = []
    for c in found:
        key = (c.claim.article_id, c.claim.start, c.asset_id, c.fact)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique
