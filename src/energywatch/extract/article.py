"""One article → its events, each with claims that quote their evidence.

The finders (events, dates, places, quantities, attribution) each read the whole
text; this module decides which of their mentions belong to which event and turns
them into ``Claim`` records with span, sentence, speaker and hedge.

An article can report several incidents ("drones hit the Kropotkinskaya station and
started a fire at the Ilsky refinery"). Sites named in event sentences become
*anchors*; anchors within ``SAME_SITE_KM`` of each other are one site (a terminal and
its moorings), farther ones are separate events. Mentions are assigned to the event
whose anchor was named last before them, which is how reporters write: the facts
about a site follow its name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from energywatch.extract.attribution import attribute
from energywatch.extract.dates import DateMention, find_dates, incident_date
from energywatch.extract.events import EventMention, find_events, perpetrator_of, weapon_of
from energywatch.extract.incident_report import article_type, detect_incident_report
from energywatch.extract.places import (
    AssetMention,
    PlaceMention,
    find_assets,
    find_places,
    haversine_km,
    incident_location,
)
from energywatch.extract.quantities import QuantityMention, find_quantities
from energywatch.extract.sentences import Sentence, sentence_at, split_sentences
from energywatch.extract.taxonomy import category_of
from energywatch.kb import KnowledgeBase
from energywatch.models import (
    Article,
    ArticleExtraction,
    Claim,
    DateRange,
    ExtractedEvent,
    Facility,
    Hedge,
    Location,
)

VERSION = "12"
"""Bump when extraction changes: stored extractions of another version are redone."""

SAME_SITE_KM = 30.0
"""Anchors closer than this are one site (a terminal, its tank farm and moorings)."""

_ANCHOR_CATEGORIES = frozenset({"attack", "accident", "operations", "policy"})
_SPLIT_CATEGORIES = frozenset({"attack", "accident"})
# Fields and pipelines are where the effects of an incident show up (a field cuts
# output, a pipeline slows), not separate sites that were hit: they never anchor an event.
_CONTEXT_TYPES = frozenset({"field", "pipeline"})
_SAME_NIGHT_DAYS = 2


@dataclass(slots=True)
class _Frame:
    """The mentions gathered for one event of the article."""

    anchors: list[AssetMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)

    @property
    def asset_ids(self) -> list[str]:
        return sorted({a.asset_id for a in self.anchors if a.asset_id})

    def point(self) -> tuple[float, float] | None:
        for anchor in self.anchors:
            if anchor.lat is not None and anchor.lon is not None:
                return anchor.lat, anchor.lon
        return None


class _Claims:
    """Builds claims for one article: sentence, speaker and hedge looked up once."""

    def __init__(self, article_id: str, text: str, sentences: list[Sentence]) -> None:
        self.article_id = article_id
        self.text = text
        self.sentences = sentences
        self.said = {s.start: (speaker, hedge) for s, speaker, hedge in attribute(text, sentences)}

    def make(self, field_name: str, value: Any, start: int, end: int, confidence: float = 1.0) -> Claim:
        sentence = sentence_at(self.sentences, start)
        speaker, hedge = (
            self.said.get(sentence.start, (None, Hedge.asserted)) if sentence else (None, Hedge.asserted)
        )
        return Claim(
            article_id=self.article_id,
            field=field_name,
            value=value,
            raw=self.text[start:end],
            start=start,
            end=end,
            sentence_start=sentence.start if sentence else start,
            sentence_end=sentence.end if sentence else end,
            speaker=speaker.name if speaker else None,
            hedge=hedge,
            confidence=confidence,
        )


def _published_date(article: Article) -> dt.date | None:
    value = article.published
    return value.date() if isinstance(value, dt.datetime) else value


def _frames(events: list[EventMention], assets: list[AssetMention]) -> list[_Frame]:
    """Group the article's sites into separate events (see the module docstring)."""
    event_sentences = {e.sentence.start for e in events if e.category in _ANCHOR_CATEGORIES}
    anchors = [
        a
        for a in assets
        if a.in_kb
        and any(s <= a.start < s + len(t) for s, t in ((e.sentence.start, e.sentence.text) for e in events))
        and a.lat is not None
    ]
    anchors = [
        a
        for a in anchors
        if any(e.sentence.start <= a.start < e.sentence.end for e in events)
        and a.facility_type not in _CONTEXT_TYPES
    ]
    frames: list[_Frame] = []
    for anchor in sorted(anchors, key=lambda a: a.start):
        if not event_sentences:
            break
        home = next(
            (
                f
                for f in frames
                if (p := f.point()) is not None
                and anchor.lat is not None
                and anchor.lon is not None
                and haversine_km(p[0], p[1], anchor.lat, anchor.lon) <= SAME_SITE_KM
            ),
            None,
        )
        if home is None:
            frames.append(_Frame(anchors=[anchor]))
        else:
            home.anchors.append(anchor)
    if len(frames) <= 1:
        return [_Frame(anchors=frames[0].anchors if frames else [], events=list(events))]
    for event in events:
        _frame_before(frames, event.start).events.append(event)
    # A second site is a second incident only if it was itself attacked or burned.
    split = [
        f
        for f in frames
        if any(
            e.category in _SPLIT_CATEGORIES and not e.negated and not e.future_or_hypothetical
            for e in f.events
        )
    ]
    if len(split) <= 1:
        return [_Frame(anchors=[a for f in frames for a in f.anchors], events=list(events))]
    return split


def _frame_before(frames: list[_Frame], offset: int) -> _Frame:
    """The frame whose anchor was named last before ``offset`` (else the first named)."""
    best, best_start = frames[0], -1
    for frame in frames:
        for anchor in frame.anchors:
            if best_start < anchor.start <= offset:
                best, best_start = frame, anchor.start
    if best_start < 0:
        best = min(frames, key=lambda f: min(a.start for a in f.anchors))
    return best


def _reaction_date(text: str, primary: EventMention, published: dt.date | None) -> DateMention | None:
    sentence = primary.sentence
    own = [m for m in find_dates(text, published) if sentence.start <= m.start < sentence.end]
    if own:
        return own[0]
    if published is None:
        return None
    return DateMention(
        start=primary.start,
        end=primary.end,
        surface=primary.trigger,
        earliest=published,
        latest=published,
        precision="day",
        month_day=(published.month, published.day),
        relative=True,
        day=published,
    )


def _date_range(mention: DateMention | None) -> DateRange:
    if mention is None:
        return DateRange()
    day = mention.day or mention.earliest
    if mention.precision == "day" and day is not None:
        return DateRange(start=day, end=day, precision="day", month_day=mention.month_day)
    return DateRange(
        start=mention.earliest, end=mention.latest, precision=mention.precision, month_day=mention.month_day
    )


_NIGHT = re.compile(
    r"\b(?:overnight|night|nighttime|midnight|early hours|before dawn|pre-dawn|predawn)\b"
    # A clock time before 06:00, but not the day.month of a numeric date ("03.02.2025").
    r"|(?<![\d.])0[0-5][:.]\d\d(?![.:]?\d)|(?<![\d.])[0-5][:.]\d\d\s*(?:a\.?m\.?)",
    re.IGNORECASE,
)


def _overnight(text: str, sentences: list[Sentence], offsets: tuple[int, ...]) -> bool:
    """Whether the sentences at ``offsets`` put the event at night (a clock time before
    06:00 or night wording): such a strike is dated one day by some outlets, the next by
    others, which verification must not read as a disagreement."""
    return any(
        _NIGHT.search(text[s.start : s.end]) for s in sentences if any(s.start <= o < s.end for o in offsets)
    )


def _location(place: PlaceMention | None) -> Location | None:
    if place is None:
        return None
    return Location(
        name=place.name,
        lat=place.lat,
        lon=place.lon,
        admin1=place.admin1,
        country=place.country,
        asset_id=place.asset_id,
        relation=place.relation,
    )


def _quantity_value(q: QuantityMention) -> Any:
    pair = [q.low, q.high]
    values = [int(v) if float(v).is_integer() else round(v, 2) for v in pair]
    if q.field in {"volume", "capacity"}:
        return {"range": values, "unit": q.unit}
    return values


def _event(
    article: Article,
    index: int,
    frame: _Frame,
    ctx: _Context,
    single: bool,
) -> ExtractedEvent | None:
    live = [e for e in frame.events if not e.negated and not e.future_or_hypothetical]
    if not live:
        return None
    text, claims = ctx.text, ctx.claims
    if single:
        type_ = article_type(text, ctx.sentences, ctx.kb, ctx.events, title=article.title) or live[0].type
    else:
        type_ = next((e.type for e in live if e.category == "attack"), live[0].type)
    primary = next((e for e in live if e.type == type_), live[0])
    triggers = [e.start for e in live]
    frame_range = _frame_range(frame, ctx, single)

    found: list[Claim] = [claims.make("type", type_, primary.start, primary.end)]
    if category_of(type_) == "response":
        # A reaction is dated by when it was made: a date in its own sentence, else the
        # day the article came out — not by the incident it reacts to.
        date_mention = _reaction_date(text, primary, _published_date(article))
    else:
        date_mention = incident_date(text, _published_date(article), triggers)
    if date_mention is not None:
        date = _date_range(date_mention)
        if date.precision == "day" and _overnight(text, ctx.sentences, (primary.start, date_mention.start)):
            date = date.model_copy(update={"overnight": True})
        value = date.model_dump(mode="json")
        found.append(claims.make("date", value, date_mention.start, date_mention.end))
    else:
        date = DateRange()

    place = incident_location(text, ctx.sentences, ctx.kb, ctx.places, ctx.assets, triggers)
    if place is not None and not single and frame.point() is not None:
        point = frame.point()
        if point and (
            place.lat is None or haversine_km(point[0], point[1], place.lat or 0, place.lon or 0) > 50
        ):
            place = None  # the article-level place belongs to the other site
    location = _location(place)
    if location is None and frame.anchors:
        anchor = frame.anchors[0]
        location = Location(name=anchor.surface, lat=anchor.lat, lon=anchor.lon, asset_id=anchor.asset_id)
    if place is not None:
        found.append(
            claims.make(
                "location", location.model_dump(mode="json") if location else None, place.start, place.end
            )
        )

    asset_ids = _with_related(_affected(primary, live, ctx) if single else frame.asset_ids, live, ctx.kb)
    for mention in ctx.assets:
        if mention.asset_id in asset_ids and frame_range[0] <= mention.start < frame_range[1]:
            found.append(claims.make("assets", mention.asset_id, mention.start, mention.end))
    facilities = [
        Facility(kind=m.facility_type, place=m.place, start=m.start, end=m.end)
        for m in ctx.assets
        if not m.in_kb and any(e.sentence.start <= m.start < e.sentence.end for e in live)
    ]
    for facility in facilities:
        found.append(
            claims.make(
                "facility", {"kind": facility.kind, "place": facility.place}, facility.start, facility.end
            )
        )

    said: set[tuple[str, str]] = set()
    for event in live:
        for attr in (weapon_of(event, text), perpetrator_of(event, text, ctx.sentences)):
            # "An attack" without a named weapon says nothing about the weapon; and one
            # claim per value per article is the evidence, repeats are not more of it.
            if attr is None or (attr.field == "weapon" and attr.value == "unknown"):
                continue
            if (attr.field, attr.value) not in said:
                said.add((attr.field, attr.value))
                found.append(claims.make(attr.field, attr.value, attr.start, attr.end))
        if event.interception:
            found.append(
                claims.make(
                    "damage", {"severity": "none", "text": "intercepted"}, event.start, event.end, 0.6
                )
            )
    # Reactions reported inside the story (a ministry announcing talks, a request for an
    # explanation) are responses linked to this incident, whatever the article's type.
    # An announced intention ("will engage with Kyiv") is itself the reaction, so only
    # negated triggers are left out here.
    for event in frame.events:
        if event.category == "response" and not event.negated:
            found.append(claims.make("response", event.type, event.start, event.end))
    for q in ctx.quantities:
        if frame_range[0] <= q.start < frame_range[1]:
            found.append(
                claims.make(q.field, _quantity_value(q), q.start, q.end, 0.8 if q.approximate else 1.0)
            )

    return ExtractedEvent(
        article_id=article.id,
        index=index,
        category=category_of(type_),
        type=type_,
        trigger=primary.trigger,
        trigger_start=primary.start,
        assets=asset_ids,
        facilities=facilities,
        location=location,
        date=date,
        claims=_dedupe(found),
    )


def _drop_background(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """Keep secondary events only when they happened about when the first did: a strike
    mentioned with another date is background to this story, not a second incident."""
    if len(events) <= 1:
        return events
    first = events[0].date.start
    kept = [events[0]]
    for event in events[1:]:
        other = event.date.start
        if first is None or other is None or abs((other - first).days) <= _SAME_NIGHT_DAYS:
            kept.append(event)
    return kept


# Wording that puts the export loadings themselves in the event: loadings stopped,
# tankers waiting to load were hit, force majeure on CPC Blend cargoes.
_LOADING = re.compile(
    r"\bload(?:s|ed|ing|ings)?\b|\btankers?\b|\bCPC Blend\b|\bcargoes\b",
    re.IGNORECASE,
)


# Words that say which kind of asset a sentence is about, for names shared by several
# assets ("Tengiz" is the field and the CPC's head pumping station).
_KIND_WORDS = {
    "pumping_station": re.compile(r"\bpump(?:ing)? station|\bPS\b", re.IGNORECASE),
    "field": re.compile(r"\b(?:oil)?fields?\b|\boutput\b|\bproduc|\bwells?\b", re.IGNORECASE),
    "terminal": re.compile(r"\bterminal|\bmooring|\bberth", re.IGNORECASE),
    "refinery": re.compile(r"\brefiner", re.IGNORECASE),
    "gas_plant": re.compile(r"\bplant\b|\bprocessing\b", re.IGNORECASE),
    "port": re.compile(r"\bport\b|\bharbou?r", re.IGNORECASE),
    "office": re.compile(r"\boffice|\bheadquarters|\bbuilding", re.IGNORECASE),
}


def _one_asset_per_span(assets: list[AssetMention], sentences: list[Sentence]) -> list[AssetMention]:
    """Where one name is an alias of several assets, keep those whose kind the sentence
    talks about (all of them when it names none of their kinds)."""
    by_span: dict[tuple[int, int], list[AssetMention]] = {}
    for mention in assets:
        by_span.setdefault((mention.start, mention.end), []).append(mention)
    kept: list[AssetMention] = []
    for (start, _end), group in by_span.items():
        if len(group) > 1:
            sentence = sentence_at(sentences, start)
            words = sentence.text if sentence else ""
            fitting = [m for m in group if (k := _KIND_WORDS.get(m.facility_type)) and k.search(words)]
            group = fitting or group
        kept.extend(group)
    return sorted(kept, key=lambda m: m.start)


def _with_related(asset_ids: list[str], live: list[EventMention], kb: KnowledgeBase) -> list[str]:
    """Add what the knowledge base says is hit along with the named sites.

    A mooring or a port is part of the terminal or plant it serves at the same place
    (hitting SPM-2 hits the CPC marine terminal); and when the article reports loadings
    or exports stopping, the virtual loading node downstream of the site is affected too.
    """
    found = list(asset_ids)
    for asset_id in asset_ids:
        asset = kb.assets.get(asset_id)
        if asset is None or asset.lat is None or asset.lon is None:
            continue
        if asset.type.value == "port" or "mooring" in (asset.subtype or ""):
            for parent_id in asset.upstream:
                parent = kb.assets.get(parent_id)
                if (
                    parent
                    and parent.lat is not None
                    and parent.lon is not None
                    and haversine_km(asset.lat, asset.lon, parent.lat, parent.lon) <= 3.0
                ):
                    found.append(parent_id)
    if any(e.type != "maintenance" and _LOADING.search(e.sentence.text) for e in live):
        found += _sinks(found, kb)
    return sorted(set(found))


def _sinks(asset_ids: list[str], kb: KnowledgeBase, depth: int = 25) -> list[str]:
    """Virtual export nodes (no position) reachable downstream of the sites."""
    frontier, seen, sinks = list(asset_ids), set(asset_ids), []
    for _ in range(depth):
        nxt = []
        for asset_id in frontier:
            asset = kb.assets.get(asset_id)
            for down in asset.downstream if asset else []:
                node = kb.assets.get(down)
                if node is None or down in seen:
                    continue
                seen.add(down)
                if node.lat is None and node.type.value == "port":
                    sinks.append(down)
                else:
                    nxt.append(down)
        frontier = nxt
    return sinks


def _affected(primary: EventMention, live: list[EventMention], ctx: _Context) -> list[str]:
    """The sites the article's event hit, most specific first.

    Reporters name the container in the lead ("a pumping station of the CPC") and the
    site a sentence later ("the Kropotkinskaya station"), and mention older incidents
    further down. So: sites in the primary sentence; else sites in event sentences of the
    first part of the article; else any site in an event sentence; else the containers.
    """
    in_primary = _sentence_assets([primary], ctx.assets, sites_only=True)
    if in_primary:
        return in_primary
    if primary.category == "response":
        # A reaction's other sentences recall earlier incidents; only what it names
        # itself counts (the containers otherwise, which resolution narrows down).
        return _sentence_assets([primary], ctx.assets)
    # Planned maintenance elsewhere at the site ("SPM-3 has been under maintenance
    # since mid-November") is context, never what the incident hit.
    live = [e for e in live if e.type != "maintenance"]
    lead_end = len(ctx.text) * 0.4
    lead = _sentence_assets([e for e in live if e.start <= lead_end], ctx.assets, sites_only=True)
    return lead or _sentence_assets(live, ctx.assets)


def _sentence_assets(
    events: Sequence[EventMention], assets: Sequence[AssetMention], *, sites_only: bool = False
) -> list[str]:
    """KB assets named in the event sentences, without containers when a site is named."""
    named = [
        a
        for a in assets
        if a.in_kb and a.asset_id and any(e.sentence.start <= a.start < e.sentence.end for e in events)
    ]
    with_point = {a.asset_id for a in named if a.lat is not None and a.asset_id}
    if with_point or sites_only:
        return sorted(with_point)
    return sorted({a.asset_id for a in named if a.asset_id})


def _frame_range(frame: _Frame, ctx: _Context, single: bool) -> tuple[int, int]:
    """The text span whose mentions belong to this frame (all of it for one frame)."""
    if single:
        return 0, len(ctx.text)
    starts = sorted(a.start for f in ctx.frames for a in f.anchors)
    mine = min(a.start for a in frame.anchors)
    later = [s for s in starts if s > mine and not any(s == a.start for a in frame.anchors)]
    return mine if mine != min(starts) else 0, later[0] if later else len(ctx.text)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for claim in claims:
        key = (claim.field, claim.start, claim.end)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept


@dataclass(slots=True)
class _Context:
    text: str
    sentences: list[Sentence]
    kb: KnowledgeBase
    events: list[EventMention]
    places: list[PlaceMention]
    assets: list[AssetMention]
    quantities: list[QuantityMention]
    claims: _Claims
    frames: list[_Frame] = field(default_factory=list)


def extract_article(article: Article, kb: KnowledgeBase) -> ArticleExtraction:
    """Everything extraction finds in one article (DESIGN §3): events with their claims,
    or the reason the article is not an incident report."""
    text = article.clean_text
    sentences = split_sentences(text)
    events = find_events(text, sentences, kb)
    is_report, reason = detect_incident_report(text, sentences, kb, events, title=article.title)
    if not is_report:
        return ArticleExtraction(article_id=article.id, is_incident_report=False, reason=reason)
    assets = _one_asset_per_span(find_assets(text, kb), sentences)
    ctx = _Context(
        text=text,
        sentences=sentences,
        kb=kb,
        events=events,
        places=find_places(text, kb),
        assets=assets,
        quantities=find_quantities(text),
        claims=_Claims(article.id, text, sentences),
    )
    ctx.frames = _frames(events, assets)
    single = len(ctx.frames) == 1
    extracted = [
        e for i, frame in enumerate(ctx.frames) if (e := _event(article, i, frame, ctx, single)) is not None
    ]
    extracted = _drop_background(extracted)
    for i, event in enumerate(extracted):
        event.index = i
    if not extracted:
        return ArticleExtraction(article_id=article.id, is_incident_report=False, reason="no_event_trigger")
    return ArticleExtraction(article_id=article.id, is_incident_report=True, reason=reason, events=extracted)
